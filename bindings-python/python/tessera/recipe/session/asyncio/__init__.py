"""The session recipe's functions for async code (supertokens-python's
``supertokens_python.recipe.session.asyncio``).

Each function is its :mod:`tessera.recipe.session.syncio` namesake, with the same arguments
and documentation, run in a worker thread so that the event loop never waits on disk or
network. :func:`get_session` is the exception: it verifies on the event loop when the core
needs no I/O (the usual case) and goes to a worker thread only when it does. Claim overrides
(``override_global_claim_validators``) run on the event loop and may be async.
"""

from typing import Any, Dict, List, Optional, Union

from .... import _state
from ...._util import off_loop
from ....exceptions import WouldBlockError
from ....framework.request import wrap_request
from ....types import RecipeUserId
from .. import _common, syncio
from ..interfaces import SessionContainer, SessionInformationResult
from ..recipe_implementation import create_through, with_request

__all__ = [
    "create_new_session",
    "create_new_session_without_request_response",
    "get_all_session_handles_for_user",
    "get_session",
    "get_session_information",
    "get_session_without_request_response",
    "merge_into_access_token_payload",
    "refresh_session",
    "refresh_session_without_request_response",
    "revoke_all_sessions_for_user",
    "revoke_multiple_sessions",
    "revoke_session",
    "update_session_data_in_database",
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
    thread; the claim override, which may be async, on the event loop."""
    session: Optional[SessionContainer] = None
    answered = False
    if not check_database:
        engine = _state.engine()
        try:
            native = engine.get_session_without_request_response(
                access_token,
                anti_csrf_token,
                True if session_required is None else bool(session_required),
                anti_csrf_check,
                False,
                False,
            )
            session = None if native is None else SessionContainer(engine, native)
            answered = True
        except WouldBlockError:
            pass
    if not answered:
        session = await off_loop(
            syncio.get_session_without_request_response,
            access_token,
            anti_csrf_token,
            anti_csrf_check,
            session_required,
            check_database,
            None,
            user_context,
        )
    await _common.check_claim_override(override_global_claim_validators, session, user_context)
    return session


async def refresh_session(request: Any, user_context: Optional[Dict[str, Any]] = None) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.refresh_session`, in a worker thread."""
    return await off_loop(syncio.refresh_session, request, user_context)


async def refresh_session_without_request_response(
    refresh_token: str,
    disable_anti_csrf: bool = False,
    anti_csrf_token: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> SessionContainer:
    """:func:`tessera.recipe.session.syncio.refresh_session_without_request_response`, in a
    worker thread."""
    return await off_loop(
        syncio.refresh_session_without_request_response, refresh_token, disable_anti_csrf, anti_csrf_token, user_context
    )


async def revoke_session(session_handle: str, user_context: Optional[Dict[str, Any]] = None) -> bool:
    """:func:`tessera.recipe.session.syncio.revoke_session`, in a worker thread."""
    return await off_loop(syncio.revoke_session, session_handle, user_context)


async def revoke_multiple_sessions(
    session_handles: List[str], user_context: Optional[Dict[str, Any]] = None
) -> List[str]:
    """:func:`tessera.recipe.session.syncio.revoke_multiple_sessions`, in a worker thread."""
    return await off_loop(syncio.revoke_multiple_sessions, session_handles, user_context)


async def revoke_all_sessions_for_user(
    user_id: str,
    revoke_sessions_for_linked_accounts: bool = True,
    tenant_id: Optional[str] = None,
    user_context: Optional[Dict[str, Any]] = None,
    *,
    revoke_across_all_tenants: Optional[bool] = None,
) -> List[str]:
    """:func:`tessera.recipe.session.syncio.revoke_all_sessions_for_user`, in a worker thread."""
    return await off_loop(
        syncio.revoke_all_sessions_for_user,
        user_id,
        revoke_sessions_for_linked_accounts,
        tenant_id,
        user_context,
        revoke_across_all_tenants=revoke_across_all_tenants,
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
    """:func:`tessera.recipe.session.syncio.get_all_session_handles_for_user`, in a worker
    thread."""
    return await off_loop(
        syncio.get_all_session_handles_for_user,
        user_id,
        fetch_sessions_for_linked_accounts,
        tenant_id,
        user_context,
        fetch_across_all_tenants=fetch_across_all_tenants,
        fetch_sessions_for_all_linked_accounts=fetch_sessions_for_all_linked_accounts,
    )


async def get_session_information(
    session_handle: str, user_context: Optional[Dict[str, Any]] = None
) -> Optional[SessionInformationResult]:
    """:func:`tessera.recipe.session.syncio.get_session_information`, in a worker thread."""
    return await off_loop(syncio.get_session_information, session_handle, user_context)


async def update_session_data_in_database(
    session_handle: str,
    new_session_data: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """:func:`tessera.recipe.session.syncio.update_session_data_in_database`, in a worker
    thread."""
    return await off_loop(syncio.update_session_data_in_database, session_handle, new_session_data, user_context)


async def merge_into_access_token_payload(
    session_handle: str,
    new_access_token_payload: Dict[str, Any],
    user_context: Optional[Dict[str, Any]] = None,
) -> bool:
    """:func:`tessera.recipe.session.syncio.merge_into_access_token_payload`, in a worker
    thread."""
    return await off_loop(
        syncio.merge_into_access_token_payload, session_handle, new_access_token_payload, user_context
    )
