"""What :mod:`.asyncio`, :mod:`.syncio` and the framework integrations share: argument
conversions, and storing what the core returns on the request. Every decision is the core's."""

from typing import Any, Callable, Dict, List, Optional, Tuple

from ... import _native, _state
from ..._util import off_loop, resolved, run_sync
from ...exceptions import InvalidClaimsError, NotSupportedError, WouldBlockError
from ...framework.request import Mutations, NativeHeaders, RequestAdapter
from .interfaces import APIInterface, SessionContainer

ClaimOverride = Optional[Callable[..., Any]]


def across_tenants(tenant_id: Optional[str], across_all_tenants: Optional[bool]) -> bool:
    """Whether a user's sessions are looked for in every tenant: as in supertokens-python,
    leaving ``tenant_id`` out means all tenants unless ``across_all_tenants`` says otherwise."""
    return across_all_tenants if across_all_tenants is not None else tenant_id is None


def tenant_scope(tenant_id: Optional[str], across_all_tenants: Optional[bool]) -> Optional[str]:
    """The native ``tenant_id`` argument: ``None`` means every tenant (see
    :func:`across_tenants`)."""
    return None if across_tenants(tenant_id, across_all_tenants) else (tenant_id or "public")


async def check_claims(
    override: ClaimOverride, session: Optional[SessionContainer], user_context: Optional[Dict[str, Any]]
) -> None:
    """The claim step of every verification, as in supertokens-python: the recipe's
    ``get_global_claim_validators`` (Tessera adds none of its own), then
    ``override_global_claim_validators``, checked by :meth:`SessionContainer.assert_claims`
    (through the recipe's ``validate_claims``). Callers skip it when neither an override nor a
    replaced claim function could change the outcome."""
    if session is None:
        return
    state = _state.current()
    ctx = user_context if user_context is not None else {}
    validators: List[Any] = []
    functions = _state.overriding("get_global_claim_validators")
    if functions is not None:
        validators = list(
            await resolved(
                functions.get_global_claim_validators(
                    session.get_tenant_id(), session.get_user_id(), session.get_recipe_user_id(), [], ctx
                )
            )
            or []
        )
    if override is not None:
        validators = list(await resolved(override(validators, session, ctx)) or [])
    if validators or "validate_claims" in state.overridden:
        try:
            await session.assert_claims(validators, ctx)
        except InvalidClaimsError:
            # supertokens-python checks the claims before it puts the session on the response:
            # the values fetched again stay in the store, but a 403 carries no new token, not
            # even one the verification itself brought (a payload changed in the database).
            del session.response_mutations[:]
            raise


def check_claims_sync(
    override: ClaimOverride, session: Optional[SessionContainer], user_context: Optional[Dict[str, Any]]
) -> None:
    """:func:`check_claims` for sync code (the app's callbacks may be async)."""
    if session is None or (override is None and not _state.current().claims_overridden):
        return
    run_sync(check_claims(override, session, user_context))


async def verify_token(
    access_token: str,
    anti_csrf_token: Optional[str],
    anti_csrf_check: Optional[bool],
    session_required: Optional[bool],
    check_database: Optional[bool],
) -> Optional[SessionContainer]:
    """Verifies an access token given directly, without claims: inline when the core can
    answer without I/O (a known key, no ``check_database``), else in a worker thread."""
    engine = _state.engine()
    required = True if session_required is None else bool(session_required)
    if not check_database:
        try:
            native = engine.get_session_without_request_response(
                access_token, anti_csrf_token, required, anti_csrf_check, False, False
            )
            return None if native is None else SessionContainer(engine, native)
        except WouldBlockError:
            pass
    native = await off_loop(
        engine.get_session_without_request_response,
        access_token,
        anti_csrf_token,
        required,
        anti_csrf_check,
        bool(check_database),
    )
    return None if native is None else SessionContainer(engine, native)


VerifyResult = Tuple[Optional["_native.Session"], Optional[Mutations]]


class VerifySessionOptions:
    """The arguments of a ``verify_session`` (or ``get_session``), converted once."""

    __slots__ = ("anti_csrf_check", "session_required", "check_database", "override", "user_context", "natively")

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
        #: Whether these options leave the verification to the core alone, without I/O
        #: unless a key must be fetched (see ``_State.verifies_natively``).
        self.natively = not self.check_database and override is None


def store_verified(
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
    adapter: RequestAdapter,
    options: VerifySessionOptions,
    *,
    for_route: bool = True,
    api_rules: Optional[bool] = None,
) -> Optional[SessionContainer]:
    """Verifies the request's session (the native call may do I/O), stores it on the request
    and checks the claim override; the session, or ``None``. Raises session errors.

    ``for_route``: for a framework's ``verify_session`` (not ``get_session``): ``None`` is
    stored too when there is no session, and an app's ``override.apis`` ``verify_session``,
    if any, decides. ``api_rules`` (default: ``for_route``): the ``verify_session`` API's rules,
    as supertokens-python's: an OPTIONS or TRACE request has no session, a POST to the refresh
    path is refreshed (and its claims are not checked); without them, ``get_session``'s, which
    verifies what the request carries whatever its method and path."""
    state = _state.current()
    if for_route and state.api_implementation is not None:
        return run_sync(_verify_through_api(state.api_implementation, adapter, options))
    if state.get_session_overridden:
        return run_sync(verify_session(adapter, options, for_route=for_route, api_rules=api_rules))
    api = for_route if api_rules is None else api_rules
    method, path, headers, required, anti_csrf, transfer = _verify_args(adapter, state, options)
    result = state.engine.verify_session(
        method, path, headers, required, anti_csrf, options.check_database, True, None, transfer, api
    )
    session = store_verified(adapter, state.engine, result, for_route)
    if not (api and _refreshed(state, method, path)):
        check_claims_sync(options.override, session, options.user_context)
    return session


def _refreshed(state: "_state._State", method: str, path: str) -> bool:
    """Whether a route's verification refreshed the session: a POST to the refresh endpoint,
    which supertokens-python's ``verify_session`` API refreshes, and whose claims it does not
    check."""
    return method.upper() == "POST" and state.engine.api_endpoint(method, path) == "refresh"


async def verify_session(
    adapter: RequestAdapter,
    options: VerifySessionOptions,
    *,
    for_route: bool = True,
    api_rules: Optional[bool] = None,
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
    api = for_route if api_rules is None else api_rules
    if state.get_session_overridden:
        if api and _refreshed(state, *adapter.native_request()[:2]):
            return await refresh_in_request(adapter, options.user_context)
        session = await _get_session_through_functions(state, adapter, options, for_route, api)
        await check_claims(options.override, session, options.user_context)
        return session
    engine = state.engine
    method, path, headers, required, anti_csrf, transfer = _verify_args(adapter, state, options)
    result: Optional[VerifyResult] = None
    if not options.check_database:
        try:
            result = engine.verify_session(
                method, path, headers, required, anti_csrf, False, False, None, transfer, api
            )
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
            api,
        )
    session = store_verified(adapter, engine, result, for_route)
    claims = options.override is not None or state.claims_overridden
    if claims and not (api and _refreshed(state, method, path)):
        await check_claims(options.override, session, options.user_context)
    return session


async def _get_session_through_functions(
    state: "_state._State", adapter: RequestAdapter, options: VerifySessionOptions, for_route: bool, api_rules: bool
) -> Optional[SessionContainer]:
    """A request's verification by the app's ``get_session``: it gets what the request
    carries (the core reads it as it does for its own verification) and what it returns is
    the request's session, on the request's transport, with its new tokens if it made any.
    With the API's rules, an OPTIONS or TRACE request has none."""
    from .recipe_implementation import functions, with_request

    method, path, headers, _required, anti_csrf, transfer = _verify_args(adapter, state, options)
    session: Optional[SessionContainer] = None
    if not (api_rules and method.upper() in ("OPTIONS", "TRACE")):
        access_token, anti_csrf_token, check, token_transfer = state.engine.session_request_input(
            method, path, headers, anti_csrf, transfer
        )
        user_context = with_request(options.user_context, adapter)
        # By keyword, as supertokens-python's getSessionFromRequest calls it.
        session = await functions().get_session(
            access_token=access_token,
            anti_csrf_token=anti_csrf_token,
            anti_csrf_check=check,
            session_required=options.session_required,
            check_database=options.check_database,
            override_global_claim_validators=options.override,
            user_context=user_context,
        )
        if session is not None:
            adopt_transport(session, token_transfer)
            session._add_mutations(session._tokens_to_write())
    if session is not None or for_route:
        adapter.set_session(session)
    return session


def adopt_transport(session: SessionContainer, transfer: Optional[str]) -> None:
    """Puts a session an app's function returned on the request's transport, so that what
    it writes later (a new token, a sign-out) goes where the client looks."""
    if transfer is not None and session._native.transfer != transfer:
        session._native = session._native.with_transfer(transfer)


async def refresh_in_request(adapter: RequestAdapter, user_context: Optional[Dict[str, Any]]) -> SessionContainer:
    """Refreshes the request's session through the recipe's ``refresh_session`` (an app's
    replacement): it gets the request's refresh token and anti-CSRF token as the core reads
    them, and the answer is the refresh endpoint's."""
    from .recipe_implementation import functions, with_request

    engine = _state.engine()
    method, path, headers = adapter.native_request()
    refresh_token, anti_csrf_token, disable_anti_csrf, transfer = engine.refresh_request_input(
        method, path, headers, adapter.token_transfer_method(False)
    )
    session: SessionContainer = await functions().refresh_session(
        refresh_token, anti_csrf_token, disable_anti_csrf, with_request(user_context, adapter)
    )
    adopt_transport(session, transfer)
    session._add_mutations(engine.refreshed_session_response(method, path, headers, session._native))
    adapter.set_session(session)
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
