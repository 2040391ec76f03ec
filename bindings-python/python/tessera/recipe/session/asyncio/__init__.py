"""The session recipe's functions for async code (supertokens-python's
``supertokens_python.recipe.session.asyncio``).

Each function is its :mod:`tessera.recipe.session.syncio` namesake, with the same arguments
and documentation; the store work runs in a worker thread so that the event loop never waits
on disk or network. :func:`get_session` verifies on the event loop when the core needs no I/O
(the usual case) and goes to a worker thread only when it does. The functions go through the
recipe's implementation (``session.init(override=...)``), whose replacements, like claim
fetchers and ``override_global_claim_validators``, run on the event loop and may be async.
"""

from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

from .... import _state
from ...._util import off_loop, resolved
from ....framework.request import wrap_request
from ....types import RecipeUserId
from ...openid.asyncio import create_jwt, get_jwks, get_open_id_discovery_configuration
from .. import _common, syncio
from ..interfaces import (
    ClaimsValidationResult,
    GetClaimValueOkResult,
    SessionClaim,
    SessionContainer,
    SessionDoesNotExistError,
    SessionInformationResult,
)
from ..recipe_implementation import create_through, functions, with_request

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


async def create_new_session(
    request: Any,
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]] = None,
    session_data_in_database: Optional[Dict[str, Any]] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    disable_anti_csrf: bool = False,
) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.create_new_session`, in a worker thread (an
    override of ``create_new_session`` runs on the event loop)."""
    implementation = _state.current().recipe_implementation
    if implementation is not None:
        _common.reject_disable_anti_csrf(disable_anti_csrf)
        context = with_request(user_context, wrap_request(request))
        return await create_through(
            implementation, tenant_id, recipe_user_id, access_token_payload, session_data_in_database, None, context
        )
    return await off_loop(
        syncio.create_new_session,
        request,
        tenant_id,
        recipe_user_id,
        access_token_payload,
        session_data_in_database,
        user_context,
        disable_anti_csrf=disable_anti_csrf,
    )


async def create_new_session_without_request_response(
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]] = None,
    session_data_in_database: Optional[Dict[str, Any]] = None,
    disable_anti_csrf: bool = False,
    user_context: Optional[Dict[str, Any]] = None,
) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.create_new_session_without_request_response`, in a
    worker thread (an override of ``create_new_session`` runs on the event loop)."""
    implementation = _state.current().recipe_implementation
    if implementation is not None:
        context = {} if user_context is None else user_context
        return await create_through(
            implementation,
            tenant_id,
            recipe_user_id,
            access_token_payload,
            session_data_in_database,
            bool(disable_anti_csrf),
            context,
        )
    return await off_loop(
        syncio.create_new_session_without_request_response,
        tenant_id,
        recipe_user_id,
        access_token_payload,
        session_data_in_database,
        disable_anti_csrf,
        user_context,
    )


async def get_session(
    request: Any,
    session_required: Optional[bool] = None,
    anti_csrf_check: Optional[bool] = None,
    check_database: Optional[bool] = None,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Optional[SessionContainer]:
    """:func:`tessera.recipe.session.syncio.get_session` for async code: a token whose key is
    known is verified on the event loop without I/O; anything that needs the store
    (``check_database``, an unknown key) runs in a worker thread."""
    required = True if session_required is None else bool(session_required)
    options = _common.VerifySessionOptions(
        anti_csrf_check, required, bool(check_database), override_global_claim_validators, user_context
    )
    return await _common.verify_session(wrap_request(request), options, for_route=False)


async def get_session_without_request_response(
    access_token: str,
    anti_csrf_token: Optional[str] = None,
    anti_csrf_check: Optional[bool] = None,
    session_required: Optional[bool] = None,
    check_database: Optional[bool] = None,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Optional[SessionContainer]:
    """:func:`tessera.recipe.session.syncio.get_session_without_request_response`: inline when
    the core can answer without I/O (a known key, no ``check_database``), else in a worker
    thread; the claim checks, which may be async, on the event loop."""
    functions = _state.overriding("get_session")
    if functions is None:
        session = await _common.verify_token(
            access_token, anti_csrf_token, anti_csrf_check, session_required, check_database
        )
        if override_global_claim_validators is None and not _state.current().claims_overridden:
            return session
    else:
        session = await functions.get_session(
            access_token,
            anti_csrf_token,
            anti_csrf_check,
            session_required,
            check_database,
            override_global_claim_validators,
            _context(user_context),
        )
    await _common.check_claims(override_global_claim_validators, session, user_context)
    return session


async def refresh_session(request: Any, user_context: Optional[Dict[str, Any]] = None) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.refresh_session`, in a worker thread (through an
    app's ``refresh_session`` on the event loop)."""
    if _state.overriding("refresh_session") is not None:
        return await _common.refresh_in_request(wrap_request(request), user_context)
    return await off_loop(syncio.refresh_session, request, user_context)


async def refresh_session_without_request_response(
    refresh_token: str,
    disable_anti_csrf: bool = False,
    anti_csrf_token: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.refresh_session_without_request_response`."""
    return await functions().refresh_session(
        refresh_token, anti_csrf_token, bool(disable_anti_csrf), _context(user_context)
    )


async def revoke_session(session_handle: str, user_context: Optional[Dict[str, Any]] = None) -> bool:
    """:func:`tessera.recipe.session.syncio.revoke_session`."""
    return await functions().revoke_session(session_handle, _context(user_context))


async def revoke_multiple_sessions(
    session_handles: List[str], user_context: Optional[Dict[str, Any]] = None
) -> List[str]:
    """:func:`tessera.recipe.session.syncio.revoke_multiple_sessions`."""
    return await functions().revoke_multiple_sessions(session_handles, _context(user_context))


async def revoke_all_sessions_for_user(
    user_id: str,
    revoke_sessions_for_linked_accounts: bool = True,
    tenant_id: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    revoke_across_all_tenants: Optional[bool] = None,
) -> List[str]:
    """:func:`tessera.recipe.session.syncio.revoke_all_sessions_for_user`."""
    across = _common.across_tenants(tenant_id, revoke_across_all_tenants)
    return await functions().revoke_all_sessions_for_user(
        user_id, revoke_sessions_for_linked_accounts, tenant_id, across, _context(user_context)
    )


async def get_all_session_handles_for_user(
    user_id: str,
    fetch_sessions_for_linked_accounts: bool = True,
    tenant_id: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    fetch_across_all_tenants: Optional[bool] = None,
    fetch_sessions_for_all_linked_accounts: Optional[bool] = None,
) -> List[str]:
    """:func:`tessera.recipe.session.syncio.get_all_session_handles_for_user`."""
    across = _common.across_tenants(tenant_id, fetch_across_all_tenants)
    return await functions().get_all_session_handles_for_user(
        user_id, fetch_sessions_for_linked_accounts, tenant_id, across, _context(user_context)
    )


async def get_session_information(
    session_handle: str, user_context: Optional[Dict[str, Any]] = None
) -> Optional[SessionInformationResult]:
    """:func:`tessera.recipe.session.syncio.get_session_information`."""
    return await functions().get_session_information(session_handle, _context(user_context))


async def update_session_data_in_database(
    session_handle: str,
    new_session_data: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """:func:`tessera.recipe.session.syncio.update_session_data_in_database`."""
    return await functions().update_session_data_in_database(session_handle, new_session_data, _context(user_context))


async def merge_into_access_token_payload(
    session_handle: str,
    new_access_token_payload: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """:func:`tessera.recipe.session.syncio.merge_into_access_token_payload`."""
    return await functions().merge_into_access_token_payload(
        session_handle, new_access_token_payload, _context(user_context)
    )


async def fetch_and_set_claim(
    session_handle: str, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None
) -> bool:
    """Fetches ``claim``'s value for the session's user and stores it in the session's
    payload (its next access tokens carry it); ``False`` when the session does not exist."""
    return await functions().fetch_and_set_claim(session_handle, claim, _context(user_context))


async def set_claim_value(
    session_handle: str, claim: SessionClaim[_T], value: _T, user_context: Optional[Dict[str, Any]] = None
) -> bool:
    """Sets ``claim`` to ``value`` in the session's payload; ``False`` when the session does
    not exist."""
    return await functions().set_claim_value(session_handle, claim, value, _context(user_context))


async def get_claim_value(
    session_handle: str, claim: SessionClaim[_T], user_context: Optional[Dict[str, Any]] = None
) -> Union[SessionDoesNotExistError, GetClaimValueOkResult[_T]]:
    """``claim``'s value in the session's payload (:class:`GetClaimValueOkResult`), or
    :class:`SessionDoesNotExistError`."""
    result: Union[SessionDoesNotExistError, GetClaimValueOkResult[_T]] = await functions().get_claim_value(
        session_handle, claim, _context(user_context)
    )
    return result


async def remove_claim(
    session_handle: str, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None
) -> bool:
    """Removes ``claim`` from the session's payload; ``False`` when the session does not
    exist."""
    return await functions().remove_claim(session_handle, claim, _context(user_context))


async def validate_claims_for_session_handle(
    session_handle: str,
    override_global_claim_validators: Optional[Callable[..., Any]] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Union[SessionDoesNotExistError, ClaimsValidationResult]:
    """Checks the session's stored payload with the global claim validators (or what
    ``override_global_claim_validators(validators, session_information, user_context)``
    returns), fetching stale claims again and storing what was fetched.

    Returns:
        :class:`ClaimsValidationResult` with the failed validators (``invalid_claims``), or
        :class:`SessionDoesNotExistError`.
    """
    ctx = _context(user_context)
    implementation = functions()
    info = await implementation.get_session_information(session_handle, ctx)
    if info is None:
        return SessionDoesNotExistError()
    validators = list(
        await resolved(
            implementation.get_global_claim_validators(info.tenant_id, info.user_id, info.recipe_user_id, [], ctx)
        )
        or []
    )
    if override_global_claim_validators is not None:
        validators = list(await resolved(override_global_claim_validators(validators, info, ctx)) or [])
    result = await implementation.validate_claims(
        info.user_id, info.recipe_user_id, info.custom_claims_in_access_token_payload, validators, ctx
    )
    if result.access_token_payload_update is not None:
        if not await implementation.merge_into_access_token_payload(
            session_handle, result.access_token_payload_update, ctx
        ):
            return SessionDoesNotExistError()
    return ClaimsValidationResult(result.invalid_claims)


def _context(user_context: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {} if user_context is None else user_context
