"""``tessera.init`` and its inputs (supertokens-python's ``supertokens_python.supertokens``)."""

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, Union

from . import _native, _state
from .exceptions import InvalidConfigError, NotSupportedError

if TYPE_CHECKING:
    from .framework.request import RequestAdapter

__all__ = ["InputAppInfo", "SupertokensConfig", "get_all_cors_headers", "get_request_from_user_context", "init"]

_FRAMEWORKS = ("fastapi", "flask", "django")
_MODES = ("asgi", "wsgi")


class InputAppInfo:
    """Where the app runs: ``api_domain`` (e.g. ``"https://api.example.com"``), the website's
    domain, and the base paths. The arguments and their order are supertokens-python's.

    ``api_gateway_path`` (e.g. ``"/dev"``, an AWS API Gateway stage) is the prefix a gateway
    strips before the app sees a request: routes match without it, while the refresh cookie's
    path, the tokens' ``iss`` and the discovery document carry it.

    ``origin`` takes the place of ``website_domain`` (and wins over it, as in
    supertokens-python): a string, or a function ``(request, user_context) -> str``. Tessera
    calls the function once, at ``init``, with ``request=None``, and takes its answer as the
    website's domain for the default ``cookie_same_site``; if it raises, the website's domain
    is left unknown (SameSite ``lax``). Set ``cookie_same_site`` when the origins a function
    answers for span sites.
    """

    def __init__(
        self,
        app_name: str,
        api_domain: str,
        api_gateway_path: str = "",
        api_base_path: str = "/auth",
        website_base_path: str = "/auth",
        website_domain: Optional[str] = None,
        origin: Union[str, Callable[[Optional[Any], Dict[str, Any]], str], None] = None,
    ) -> None:
        self.app_name = app_name
        self.api_domain = api_domain
        self.api_gateway_path = api_gateway_path
        self.api_base_path = api_base_path
        self.website_base_path = website_base_path
        self.website_domain = website_domain
        self.origin = origin

    def _to_json(self) -> Dict[str, Any]:
        website_domain = self._website_domain()
        app_info: Dict[str, Any] = {
            "appName": self.app_name,
            "apiDomain": self.api_domain,
            "apiBasePath": self.api_base_path,
            "websiteBasePath": self.website_base_path,
        }
        if self.api_gateway_path:
            app_info["apiGatewayPath"] = self.api_gateway_path
        if website_domain is not None:
            app_info["websiteDomain"] = website_domain
        return app_info

    def _website_domain(self) -> Optional[str]:
        """The website's domain the config is made with: ``origin`` (called without a request
        when it is a function), else ``website_domain``."""
        origin = self.origin
        if origin is None:
            return self.website_domain
        if callable(origin):
            try:
                origin = origin(None, {})
            except Exception:  # noqa: BLE001 - a function that needs a request leaves it unknown
                return None
        if not isinstance(origin, str):
            raise InvalidConfigError(f"InputAppInfo(origin=...) must give a string, not {type(origin).__name__}")
        return origin


class SupertokensConfig:
    """Where sessions are kept.

    ``connection_uri``: ``None`` for the embedded SQLite file (``.tessera/sessions.sqlite3``
    in the working directory, or ``$TESSERA_SQLITE_PATH``); ``"sqlite:PATH"``;
    ``"sqlite::memory:"``; or ``"http(s)://host[;http(s)://host2]"`` to verify against a
    SuperTokens core's JWKS. ``network_interceptor`` is not supported;
    ``disable_core_call_cache`` is accepted and has no effect.
    """

    def __init__(
        self,
        connection_uri: Optional[str] = None,
        api_key: Optional[str] = None,
        network_interceptor: Any = None,
        disable_core_call_cache: bool = False,
    ) -> None:
        if network_interceptor is not None:
            raise NotSupportedError("SupertokensConfig(network_interceptor=...) is not supported by Tessera")
        self.connection_uri = connection_uri
        self.api_key = api_key
        self.network_interceptor = network_interceptor
        self.disable_core_call_cache = disable_core_call_cache


def init(
    app_info: InputAppInfo,
    framework: str,
    supertokens_config: Optional[SupertokensConfig] = None,
    recipe_list: Optional[List[Any]] = None,
    mode: Optional[str] = None,
    telemetry: Optional[bool] = None,
    debug: Optional[bool] = None,
    experimental: Any = None,
) -> None:
    """Configures Tessera for this process: makes the native engine and opens (and migrates)
    the session store. Calling it again replaces the engine.

    ``framework`` is ``"fastapi"``, ``"flask"`` or ``"django"`` and picks how a framework
    request passed to ``get_session`` and friends is read; ``mode`` (``"asgi"`` or
    ``"wsgi"``) defaults to ``"asgi"`` for FastAPI and ``"wsgi"`` otherwise. ``recipe_list``
    holds ``session.init(...)`` (absent: the session defaults), and may hold ``jwt.init(...)``
    and ``openid.init()``. ``telemetry``, ``debug`` and
    ``experimental`` are accepted and have no effect.

    Raises:
        InvalidConfigError: a wrong option; the message names it.
        StorageError: the store cannot be opened.
    """
    from .recipe.jwt import JWTRecipeInit
    from .recipe.openid import OpenIdRecipeInit
    from .recipe.session.recipe import SessionRecipeInit

    if framework not in _FRAMEWORKS:
        raise InvalidConfigError(f'framework {framework!r} must be one of "fastapi", "flask", "django"')
    if mode is None:
        mode = "asgi" if framework == "fastapi" else "wsgi"
    if mode not in _MODES:
        raise InvalidConfigError(f'mode {mode!r} must be "asgi" or "wsgi"')
    if not isinstance(app_info, InputAppInfo):
        raise TypeError("app_info must be an InputAppInfo")

    session_options: Dict[str, Any] = {}
    choose_transfer_method = None
    error_handlers = None
    recipe_implementation = None
    api_implementation = None
    overridden: FrozenSet[str] = frozenset()
    jwt_validity_seconds = None
    for recipe in recipe_list or []:
        if isinstance(recipe, SessionRecipeInit):
            session_options = dict(recipe.options)
            choose_transfer_method = recipe.get_token_transfer_method
            error_handlers = recipe.error_handlers
            recipe_implementation = recipe.recipe_implementation
            api_implementation = recipe.api_implementation
            overridden = recipe.overridden
        elif isinstance(recipe, JWTRecipeInit):
            jwt_validity_seconds = recipe.jwt_validity_seconds
        elif not isinstance(recipe, OpenIdRecipeInit):
            raise NotSupportedError(
                f"recipe_list: only session.init(...), jwt.init(...) and openid.init() are supported by Tessera, "
                f"not {recipe!r}"
            )

    config: Dict[str, Any] = {"appInfo": app_info._to_json(), "session": session_options}
    if supertokens_config is not None:
        if supertokens_config.connection_uri is not None:
            config["connectionURI"] = supertokens_config.connection_uri
        if supertokens_config.api_key is not None:
            config["apiKey"] = supertokens_config.api_key
    try:
        config_json = json.dumps(config)
    except (TypeError, ValueError) as e:
        raise InvalidConfigError(f"an option is not JSON serialisable: {e}") from None

    engine = _native.Engine(config_json)
    _state.install(
        _state._State(
            engine,
            framework,
            mode,
            choose_transfer_method,
            error_handlers,
            recipe_implementation,
            api_implementation,
            overridden,
            jwt_validity_seconds,
        )
    )


def get_all_cors_headers() -> List[str]:
    """The request headers a CORS setup must allow for the SuperTokens frontend SDKs."""
    return list(_native.CORS_ALLOWED_HEADERS)


def get_request_from_user_context(user_context: Optional[Dict[str, Any]]) -> Optional["RequestAdapter"]:
    """The request a request-level call (``verify_session``, ``create_new_session(request,
    ...)``, the refresh and sign-out endpoints) put in ``user_context``, as the framework
    request wrapper (``get_header``, ``get_cookie``, ...), or ``None`` when the call had no
    request (``*_without_request_response``, say)."""
    from .recipe.session.recipe_implementation import request_in_user_context

    return request_in_user_context(user_context)
