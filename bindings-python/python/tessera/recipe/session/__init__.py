"""The session recipe: ``session.init(...)`` for ``tessera.init(recipe_list=[...])``, and
:class:`SessionContainer`.

Functions that work on sessions are in :mod:`tessera.recipe.session.asyncio` and
:mod:`tessera.recipe.session.syncio`; framework integrations in
``tessera.recipe.session.framework.{fastapi,flask,django}``.
"""

from typing import Any, Callable, Dict, FrozenSet, Optional, Union

from .api.implementation import APIImplementation
from .api.implementation import build as _build_apis
from .interfaces import SessionContainer, SessionInformationResult
from .recipe import SessionRecipeInit
from .recipe_implementation import ENDPOINT_FUNCTIONS
from .recipe_implementation import build as _build_implementation
from .utils import InputErrorHandlers, InputOverrideConfig, SessionConfig, SessionOverrideConfig

__all__ = [
    "InputErrorHandlers",
    "InputOverrideConfig",
    "SessionContainer",
    "SessionInformationResult",
    "SessionOverrideConfig",
    "SessionRecipeInit",
    "init",
]

# supertokens-python's snake_case names → the core's camelCase names.
_OPTION_NAMES = (
    ("cookie_domain", "cookieDomain"),
    ("older_cookie_domain", "olderCookieDomain"),
    ("cookie_secure", "cookieSecure"),
    ("cookie_same_site", "cookieSameSite"),
    ("session_expired_status_code", "sessionExpiredStatusCode"),
    ("anti_csrf", "antiCsrf"),
    ("get_token_transfer_method", "tokenTransferMethod"),
    ("invalid_claim_status_code", "invalidClaimStatusCode"),
    ("use_dynamic_access_token_signing_key", "useDynamicAccessTokenSigningKey"),
    ("expose_access_token_to_frontend_in_cookie_based_auth", "exposeAccessTokenToFrontendInCookieBasedAuth"),
    ("jwks_refresh_interval_sec", "jwksRefreshIntervalSec"),
    ("access_token_path", "accessTokenPath"),
    ("access_token_validity", "accessTokenValidity"),
    ("refresh_token_validity", "refreshTokenValidity"),
    ("access_token_dynamic_signing_key_update_interval", "accessTokenDynamicSigningKeyUpdateInterval"),
    ("refresh_token_rotation_grace_period", "refreshTokenRotationGracePeriod"),
    ("verified_token_cache_size", "verifiedTokenCacheSize"),
)


def init(
    cookie_domain: Optional[str] = None,
    older_cookie_domain: Optional[str] = None,
    cookie_secure: Optional[bool] = None,
    cookie_same_site: Optional[str] = None,
    session_expired_status_code: Optional[int] = None,
    anti_csrf: Optional[str] = None,
    get_token_transfer_method: Union[str, Callable[[Any, bool, Dict[str, Any]], str], None] = None,
    error_handlers: Optional[InputErrorHandlers] = None,
    override: Optional[InputOverrideConfig] = None,
    invalid_claim_status_code: Optional[int] = None,
    use_dynamic_access_token_signing_key: Optional[bool] = None,
    expose_access_token_to_frontend_in_cookie_based_auth: Optional[bool] = None,
    jwks_refresh_interval_sec: Optional[int] = None,
    *,
    access_token_path: Optional[str] = None,
    access_token_validity: Optional[int] = None,
    refresh_token_validity: Optional[int] = None,
    access_token_dynamic_signing_key_update_interval: Optional[Union[int, float]] = None,
    refresh_token_rotation_grace_period: Optional[int] = None,
    verified_token_cache_size: Optional[int] = None,
) -> SessionRecipeInit:
    """The session recipe's options, in supertokens-python's names and positional order.

    Options left as ``None`` take the core's defaults. Tessera's own options (keyword only):
    ``access_token_validity`` (seconds, default 3600), ``refresh_token_validity`` (minutes,
    default 144000), ``access_token_dynamic_signing_key_update_interval`` (hours, default 168),
    ``refresh_token_rotation_grace_period`` (seconds, default 30) and
    ``verified_token_cache_size`` (default 10000; 0 turns the cache off).

    ``get_token_transfer_method`` is ``"any"``, ``"cookie"`` or ``"header"``, or, as in
    supertokens-python, a function ``(request, for_create_new_session, user_context)``
    returning one of them, asked for each request (``request`` is the framework request
    wrapper: ``get_header``, ``get_cookie``, ``get_path``, ``method``, ``request``).
    ``error_handlers`` (:class:`InputErrorHandlers`) replaces the answer to some session
    errors, as in supertokens-python. ``override`` (:class:`InputOverrideConfig`) may
    replace the recipe's functions (its ``functions``) and the APIs (its ``apis``:
    ``refresh_post``, ``signout_post``, ``verify_session``, and the ``disable_*`` flags);
    both are called once, here.

    Raises:
        TypeError: ``error_handlers`` or ``override`` is not of its class.

    Wrong values are reported by ``tessera.init`` as ``InvalidConfigError`` naming the option.
    """
    given = dict(locals())
    config = SessionConfig(**given)
    choose_transfer_method = None
    if callable(get_token_transfer_method):
        choose_transfer_method = get_token_transfer_method
        get_token_transfer_method = None
    if error_handlers is not None and not isinstance(error_handlers, InputErrorHandlers):
        raise TypeError(f"error_handlers must be an InputErrorHandlers, not {type(error_handlers).__name__}")
    implementation = None
    overridden: FrozenSet[str] = frozenset()
    apis = None
    if override is not None:
        if not isinstance(override, InputOverrideConfig):
            raise TypeError(f"override must be an InputOverrideConfig, not {type(override).__name__}")
        if override.functions is not None:
            implementation, overridden = _build_implementation(override.functions, config)
        if override.apis is not None:
            apis = _build_apis(override.apis)
        elif overridden & ENDPOINT_FUNCTIONS:
            # The endpoints call these functions: the binding serves them, not the core alone.
            apis = APIImplementation()
    options: Dict[str, Any] = {}
    for snake, camel in _OPTION_NAMES:
        value = given[snake] if snake != "get_token_transfer_method" else get_token_transfer_method
        if value is not None:
            options[camel] = value
    return SessionRecipeInit(options, choose_transfer_method, error_handlers, implementation, apis, overridden)
