"""What :mod:`.asyncio`, :mod:`.syncio` and the framework integrations share: argument
conversions, and storing what the core returns on the request. Every decision is the core's."""

import inspect
from typing import Any, Callable, Dict, Optional, Tuple

from ... import _native, _state
from ..._util import off_loop, resolved, run_sync
from ...exceptions import NotSupportedError, WouldBlockError
from ...framework.request import Mutations, NativeHeaders, RequestAdapter
from .interfaces import APIInterface, SessionContainer

ClaimOverride = Optional[Callable[..., Any]]


def tenant_scope(tenant_id: Optional[str], across_all_tenants: Optional[bool]) -> Optional[str]:
    """The native ``tenant_id`` argument: ``None`` means every tenant. As in supertokens-python,
    leaving ``tenant_id`` out means all tenants unless ``across_all_tenants`` says otherwise."""
    across = across_all_tenants if across_all_tenants is not None else tenant_id is None
    return None if across else (tenant_id or "public")


def check_claim_override_sync(
    override: ClaimOverride, session: Optional[SessionContainer], user_context: Optional[Dict[str, Any]]
) -> None:
    """Runs the validators ``override_global_claim_validators`` returns on ``session``
    (:meth:`SessionContainer.assert_claims`). Tessera has no recipe that adds global claim
    validators, so the override gets an empty list."""
    if override is None or session is None:
        return
    ctx = user_context if user_context is not None else {}
    validators = override([], session, ctx)
    if inspect.isawaitable(validators):
        validators = run_sync(validators)
    if validators:
        session.sync_assert_claims(list(validators), ctx)


async def check_claim_override(
    override: ClaimOverride, session: Optional[SessionContainer], user_context: Optional[Dict[str, Any]]
) -> None:
    """:func:`check_claim_override_sync` for async code (the override may be async)."""
    if override is None or session is None:
        return
    ctx = user_context if user_context is not None else {}
    validators = await resolved(override([], session, ctx))
    if validators:
        await session.assert_claims(list(validators), ctx)


VerifyResult = Tuple[Optional["_native.Session"], Optional[Mutations]]


class VerifySessionOptions:
    """The arguments of a ``verify_session`` (or ``get_session``), converted once."""

    __slots__ = ("anti_csrf_check", "session_required", "check_database", "override", "user_context")

    def __init__(
        self,
        anti_csrf_check: Optional[bool],
        session_required: bool,
        check_database: bool,
        override: ClaimOverride,
        user_context: Optional[Dict[str, Any]],
    ) -> None:
        self.anti_csrf_check = anti_csrf_check
        self.session_required = bool(session_required)
        self.check_database = bool(check_database)
        self.override = override
        self.user_context = user_context


def _store_verified(
    adapter: RequestAdapter,
    engine: "_native.Engine",
    result: VerifyResult,
    store_none: bool,
) -> Optional[SessionContainer]:
    """Stores a verification's result on the request: the session with its response
    mutations, or the mutations alone (and, with ``store_none``, ``None`` as the session)."""
    native, mutations = result
    if native is not None:
        return attach_session(adapter, engine, native, mutations)
    adapter.add_response_mutations(mutations)
    if store_none:
        adapter.set_session(None)
    return None


def _verify_args(
    adapter: RequestAdapter, state: "_state._State", options: VerifySessionOptions
) -> Tuple[str, str, NativeHeaders, bool, Optional[bool], Optional[str]]:
    """The native ``verify_session``'s arguments for this request but ``check_database``,
    ``allow_io`` and ``now_ms``: method, path, headers, session_required, anti_csrf_check,
    and the ``token_transfer_method`` of the keyword, in that order."""
    method, path, headers = adapter.native_request()
    transfer = None if state.choose_transfer_method is None else adapter.token_transfer_method(False)
    return method, path, headers, options.session_required, options.anti_csrf_check, transfer


def verify_session_sync(
    adapter: RequestAdapter, options: VerifySessionOptions, *, for_route: bool = True
) -> Optional[SessionContainer]:
    """Verifies the request's session (the native call may do I/O), stores it on the request
    and checks the claim override; the session, or ``None``. Raises session errors.

    ``for_route``: for a framework's ``verify_session`` (not ``get_session``): ``None`` is
    stored too when there is no session, and an app's ``override.apis`` ``verify_session``,
    if any, decides."""
    state = _state.current()
    if for_route and state.api_implementation is not None:
        return run_sync(_verify_through_api(state.api_implementation, adapter, options))
    method, path, headers, required, anti_csrf, transfer = _verify_args(adapter, state, options)
    result = state.engine.verify_session(
        method, path, headers, required, anti_csrf, options.check_database, True, None, transfer
    )
    session = _store_verified(adapter, state.engine, result, for_route)
    check_claim_override_sync(options.override, session, options.user_context)
    return session


async def verify_session(
    adapter: RequestAdapter, options: VerifySessionOptions, *, for_route: bool = True
) -> Optional[SessionContainer]:
    """:func:`verify_session_sync` on an event loop: the native call runs inline when the core
    can answer without I/O (the usual case, a token whose key is known), else in a worker
    thread. The claim override may be async.

    This runs on every protected request, so it makes few Python calls and awaits nothing it
    does not need: under a server's load, with cold caches, each call costs about a
    microsecond. The native arguments are positional for the same reason."""
    state = _state.current()
    if for_route and state.api_implementation is not None:
        return await _verify_through_api(state.api_implementation, adapter, options)
    engine = state.engine
    method, path, headers, required, anti_csrf, transfer = _verify_args(adapter, state, options)
    result: Optional[VerifyResult] = None
    if not options.check_database:
        try:
            result = engine.verify_session(method, path, headers, required, anti_csrf, False, False, None, transfer)
        except WouldBlockError:
            pass
    if result is None:
        result = await off_loop(
            engine.verify_session,
            method,
            path,
            headers,
            required,
            anti_csrf,
            options.check_database,
            True,
            None,
            transfer,
        )
    session = _store_verified(adapter, engine, result, for_route)
    if options.override is not None:
        await check_claim_override(options.override, session, options.user_context)
    return session


async def _verify_through_api(
    api: "APIInterface", adapter: RequestAdapter, options: VerifySessionOptions
) -> Optional[SessionContainer]:
    """A route's verification by the app's ``override.apis`` ``verify_session``; what it
    returns is the request's session, as in supertokens-python."""
    from .api.implementation import api_options
    from .recipe_implementation import with_request

    user_context = with_request(options.user_context, adapter)
    session: Optional[SessionContainer] = await api.verify_session(
        api_options(adapter, None),
        options.anti_csrf_check,
        options.session_required,
        options.check_database,
        options.override,
        user_context,
    )
    adapter.set_session(session)
    return session


def attach_session(
    adapter: RequestAdapter,
    engine: "_native.Engine",
    native: "_native.Session",
    mutations: Optional[Mutations],
) -> SessionContainer:
    """Stores a new or refreshed session, with its response mutations, on the request."""
    session = SessionContainer(engine, native, mutations)
    adapter.set_session(session)
    return session


def reject_disable_anti_csrf(disable_anti_csrf: bool) -> None:
    """``create_new_session(request, ...)`` chooses anti-CSRF from the request and config."""
    if disable_anti_csrf:
        raise NotSupportedError(
            "create_new_session(disable_anti_csrf=True) with a request is not supported; "
            "use create_new_session_without_request_response"
        )
