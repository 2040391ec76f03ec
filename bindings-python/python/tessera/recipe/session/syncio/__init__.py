"""The session recipe's functions for sync code (supertokens-python's
``supertokens_python.recipe.session.syncio``): Flask, sync Django views, scripts.

Each calls the native engine directly (it releases the GIL while it works); there is no
event loop to create or nest. :mod:`tessera.recipe.session.asyncio` has the same functions
for async code. ``request`` is the framework's own request object (Starlette/FastAPI
``Request``, Flask ``request``, Django ``HttpRequest``) for the framework given to
``tessera.init``. ``user_context`` is passed to the recipe's functions, for an app's
``session.init(override=...)``; a function it replaced is run to completion from here.
"""

from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

from .... import _state
from ...._util import run_sync, to_json
from ....framework.request import RequestAdapter, wrap_request
from ....types import RecipeUserId, recipe_user_id_str
from ...openid.syncio import create_jwt, get_jwks, get_open_id_discovery_configuration
from .. import _common
from ..interfaces import (
    ClaimsValidationResult,
    GetClaimValueOkResult,
    SessionClaim,
    SessionContainer,
    SessionDoesNotExistError,
    SessionInformationResult,
)
from ..recipe_implementation import create_through, with_request

_T = TypeVar("_T")

__all__ = [
    "create_jwt",
    "create_new_session",
    "create_new_session_without_request_response",
    "fetch_and_set_claim",
    "get_all_session_handles_for_user",
    "get_claim_value",
    "get_jwks",
    "get_open_id_discovery_configuration",
    "get_session",
    "get_session_information",
    "get_session_without_request_response",
    "merge_into_access_token_payload",
    "refresh_session",
    "refresh_session_without_request_response",
    "remove_claim",
    "revoke_all_sessions_for_user",
    "revoke_multiple_sessions",
    "revoke_session",
    "set_claim_value",
    "update_session_data_in_database",
    "validate_claims_for_session_handle",
]


def create_new_session(
    request: Any,
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]] = None,
    session_data_in_database: Optional[Dict[str, Any]] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    disable_anti_csrf: bool = False,
) -> SessionContainer:
    """Creates a session for ``recipe_user_id`` in ``tenant_id`` and writes its tokens to the
    response (through the framework middleware), in the transport the request asks for
    (``st-auth-mode``) and the configuration allows. With an override of
    ``create_new_session`` (``session.init(override=...)``), through it.

    Raises:
        InvalidInputError: the payload uses a protected claim name.
        StorageError: the store failed.
    """
    _common.reject_disable_anti_csrf(disable_anti_csrf)
    adapter = wrap_request(request)
    implementation = _state.current().recipe_implementation
    if implementation is not None:
        context = with_request(user_context, adapter)
        return run_sync(
            create_through(
                implementation, tenant_id, recipe_user_id, access_token_payload, session_data_in_database, None, context
            )
        )
    return _create_in_request(adapter, tenant_id, recipe_user_id, access_token_payload, session_data_in_database)


def _create_in_request(
    adapter: RequestAdapter,
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]],
    session_data_in_database: Optional[Dict[str, Any]],
) -> SessionContainer:
    """The native part of :func:`create_new_session` (also the default implementation's)."""
    engine = _state.engine()
    method, path, headers = adapter.native_request()
    native, mutations = engine.create_new_session(
        method,
        path,
        headers,
        tenant_id,
        recipe_user_id_str(recipe_user_id),
        to_json(access_token_payload, "access_token_payload"),
        to_json(session_data_in_database, "session_data_in_database"),
        token_transfer_method=adapter.token_transfer_method(True),
    )
    return _common.attach_session(adapter, engine, native, mutations)


def create_new_session_without_request_response(
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]] = None,
    session_data_in_database: Optional[Dict[str, Any]] = None,
    disable_anti_csrf: bool = False,
    user_context: Optional[Dict[str, Any]] = None,
) -> SessionContainer:
    """Creates a session without a request; read its tokens with
    ``get_all_session_tokens_dangerously()``. With an override of ``create_new_session``,
    through it."""
    implementation = _state.current().recipe_implementation
    if implementation is not None:
        context = {} if user_context is None else user_context
        return run_sync(
            create_through(
                implementation,
                tenant_id,
                recipe_user_id,
                access_token_payload,
                session_data_in_database,
                bool(disable_anti_csrf),
                context,
            )
        )
    return _create_without_request(
        tenant_id, recipe_user_id, access_token_payload, session_data_in_database, disable_anti_csrf
    )


def _create_without_request(
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]],
    session_data_in_database: Optional[Dict[str, Any]],
    disable_anti_csrf: bool,
) -> SessionContainer:
    """The native part of :func:`create_new_session_without_request_response` (also the
    default implementation's)."""
    engine = _state.engine()
    native = engine.create_new_session_without_request_response(
        tenant_id,
        recipe_user_id_str(recipe_user_id),
        to_json(access_token_payload, "access_token_payload"),
        to_json(session_data_in_database, "session_data_in_database"),
        bool(disable_anti_csrf),
    )
    return SessionContainer(engine, native)


def get_session(
    request: Any,
    session_required: Optional[bool] = None,
    anti_csrf_check: Optional[bool] = None,
    check_database: Optional[bool] = None,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Optional[SessionContainer]:
    """Verifies the request's session (``verifySession``); ``None`` when there is none and
    ``session_required`` is false. The session is also stored on the request.

    Raises:
        UnauthorisedError, TryRefreshTokenError, ...: the protocol's session errors, which
            the framework middleware answers.
    """
    required = True if session_required is None else bool(session_required)
    options = _common.VerifySessionOptions(
        anti_csrf_check, required, bool(check_database), override_global_claim_validators, user_context
    )
    return _common.verify_session_sync(wrap_request(request), options, for_route=False)


def get_session_without_request_response(
    access_token: str,
    anti_csrf_token: Optional[str] = None,
    anti_csrf_check: Optional[bool] = None,
    session_required: Optional[bool] = None,
    check_database: Optional[bool] = None,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Optional[SessionContainer]:
    """Verifies an access token given directly. ``anti_csrf_check`` defaults to true here,
    as in the SDKs (pass ``False`` when anti-CSRF is not by token)."""
    # Read from the state directly: a verification is a few microseconds, and each Python call
    # around it would add a tenth of that.
    state = _state._current or _state.current()
    if state.get_session_overridden:
        return run_sync(
            _asyncio().get_session_without_request_response(
                access_token,
                anti_csrf_token,
                anti_csrf_check,
                session_required,
                check_database,
                override_global_claim_validators,
                user_context,
            )
        )
    engine = state.engine
    native = engine.get_session_without_request_response(
        access_token,
        anti_csrf_token,
        session_required is None or bool(session_required),
        anti_csrf_check,
        bool(check_database),
    )
    if native is None:
        return None
    session = SessionContainer(engine, native)
    if override_global_claim_validators is not None or state.claims_overridden:
        _common.check_claims_sync(override_global_claim_validators, session, user_context)
    return session


def refresh_session(request: Any, user_context: Optional[Dict[str, Any]] = None) -> SessionContainer:
    """Refreshes the request's session (the refresh endpoint's work) and writes the new
    tokens to the response.

    Raises:
        UnauthorisedError: no usable refresh token.
        TokenTheftError: the refresh token was reused outside the grace window.
    """
    adapter = wrap_request(request)
    if _state.overriding("refresh_session") is not None:
        return run_sync(_common.refresh_in_request(adapter, user_context))
    engine = _state.engine()
    method, path, headers = adapter.native_request()
    native, mutations = engine.refresh_session(
        method, path, headers, token_transfer_method=adapter.token_transfer_method(False)
    )
    return _common.attach_session(adapter, engine, native, mutations)


def refresh_session_without_request_response(
    refresh_token: str,
    disable_anti_csrf: bool = False,
    anti_csrf_token: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> SessionContainer:
    """Refreshes a session from a refresh token given directly."""
    functions = _state.overriding("refresh_session")
    if functions is not None:
        return run_sync(
            functions.refresh_session(refresh_token, anti_csrf_token, bool(disable_anti_csrf), _context(user_context))
        )
    engine = _state.engine()
    native = engine.refresh_session_without_request_response(refresh_token, bool(disable_anti_csrf), anti_csrf_token)
    return SessionContainer(engine, native)


def revoke_session(session_handle: str, user_context: Optional[Dict[str, Any]] = None) -> bool:
    """Revokes one session; whether it existed."""
    functions = _state.overriding("revoke_session")
    if functions is not None:
        return run_sync(functions.revoke_session(session_handle, _context(user_context)))
    return _state.engine().revoke_session(session_handle)


def revoke_multiple_sessions(session_handles: List[str], user_context: Optional[Dict[str, Any]] = None) -> List[str]:
    """Revokes sessions; the handles of those that existed."""
    functions = _state.overriding("revoke_multiple_sessions")
    if functions is not None:
        return run_sync(functions.revoke_multiple_sessions(session_handles, _context(user_context)))
    return _state.engine().revoke_multiple_sessions(list(session_handles))


def revoke_all_sessions_for_user(
    user_id: str,
    revoke_sessions_for_linked_accounts: bool = True,
    tenant_id: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    revoke_across_all_tenants: Optional[bool] = None,
) -> List[str]:
    """Revokes every session of ``user_id`` in ``tenant_id`` (default: every tenant); the
    revoked handles. Tessera has no account linking, so
    ``revoke_sessions_for_linked_accounts`` changes nothing."""
    if _state.overriding("revoke_all_sessions_for_user") is not None:
        return run_sync(
            _asyncio().revoke_all_sessions_for_user(
                user_id,
                revoke_sessions_for_linked_accounts,
                tenant_id,
                user_context,
                revoke_across_all_tenants=revoke_across_all_tenants,
            )
        )
    scope = _common.tenant_scope(tenant_id, revoke_across_all_tenants)
    return _state.engine().revoke_all_sessions_for_user(user_id, scope)


def get_all_session_handles_for_user(
    user_id: str,
    fetch_sessions_for_linked_accounts: bool = True,
    tenant_id: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    fetch_across_all_tenants: Optional[bool] = None,
    fetch_sessions_for_all_linked_accounts: Optional[bool] = None,
) -> List[str]:
    """The live session handles of ``user_id`` in ``tenant_id`` (default: every tenant).
    Tessera has no account linking, so the linked-accounts flags change nothing."""
    if _state.overriding("get_all_session_handles_for_user") is not None:
        return run_sync(
            _asyncio().get_all_session_handles_for_user(
                user_id,
                fetch_sessions_for_linked_accounts,
                tenant_id,
                user_context,
                fetch_across_all_tenants=fetch_across_all_tenants,
            )
        )
    scope = _common.tenant_scope(tenant_id, fetch_across_all_tenants)
    return _state.engine().get_all_session_handles_for_user(user_id, scope)


def get_session_information(
    session_handle: str, user_context: Optional[Dict[str, Any]] = None
) -> Optional[SessionInformationResult]:
    """The session's information, or ``None`` when it does not exist (or has expired)."""
    functions = _state.overriding("get_session_information")
    if functions is not None:
        return run_sync(functions.get_session_information(session_handle, _context(user_context)))
    info_json = _state.engine().get_session_information(session_handle)
    return None if info_json is None else SessionInformationResult._from_native(info_json)


def update_session_data_in_database(
    session_handle: str,
    new_session_data: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """Replaces the session's data in the database; whether the session exists."""
    functions = _state.overriding("update_session_data_in_database")
    if functions is not None:
        return run_sync(
            functions.update_session_data_in_database(session_handle, new_session_data, _context(user_context))
        )
    return _state.engine().update_session_data_in_database(
        session_handle, to_json(new_session_data, "new_session_data")
    )


def merge_into_access_token_payload(
    session_handle: str,
    new_access_token_payload: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """Merges into the stored access-token payload of a session (used from its next access
    token on; the current token is not re-issued); whether the session exists."""
    functions = _state.overriding("merge_into_access_token_payload")
    if functions is not None:
        return run_sync(
            functions.merge_into_access_token_payload(session_handle, new_access_token_payload, _context(user_context))
        )
    update_json = to_json(new_access_token_payload, "new_access_token_payload")
    return _state.engine().merge_into_access_token_payload(session_handle, update_json)


# The claim functions call the app's claim code, which may be async: they are the asyncio
# functions run to completion.


def fetch_and_set_claim(
    session_handle: str, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None
) -> bool:
    """:func:`tessera.recipe.session.asyncio.fetch_and_set_claim` for sync code."""
    return run_sync(_asyncio().fetch_and_set_claim(session_handle, claim, user_context))


def set_claim_value(
    session_handle: str, claim: SessionClaim[_T], value: _T, user_context: Optional[Dict[str, Any]] = None
) -> bool:
    """:func:`tessera.recipe.session.asyncio.set_claim_value` for sync code."""
    return run_sync(_asyncio().set_claim_value(session_handle, claim, value, user_context))


def get_claim_value(
    session_handle: str, claim: SessionClaim[_T], user_context: Optional[Dict[str, Any]] = None
) -> Union[SessionDoesNotExistError, GetClaimValueOkResult[_T]]:
    """:func:`tessera.recipe.session.asyncio.get_claim_value` for sync code."""
    return run_sync(_asyncio().get_claim_value(session_handle, claim, user_context))


def remove_claim(session_handle: str, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None) -> bool:
    """:func:`tessera.recipe.session.asyncio.remove_claim` for sync code."""
    return run_sync(_asyncio().remove_claim(session_handle, claim, user_context))


def validate_claims_for_session_handle(
    session_handle: str,
    override_global_claim_validators: Optional[Callable[..., Any]] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Union[SessionDoesNotExistError, ClaimsValidationResult]:
    """:func:`tessera.recipe.session.asyncio.validate_claims_for_session_handle` for sync
    code."""
    return run_sync(
        _asyncio().validate_claims_for_session_handle(session_handle, override_global_claim_validators, user_context)
    )


def _context(user_context: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {} if user_context is None else user_context


def _asyncio() -> Any:
    # The asyncio module imports this one.
    from .. import asyncio

    return asyncio
