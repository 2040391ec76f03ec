""":class:`SessionContainer`, the session of a request, :class:`SessionInformationResult`, and the
interfaces an override receives: :class:`RecipeInterface` (``functions``) and
:class:`APIInterface` with :class:`APIOptions` (``apis``)."""

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, List, Optional, TypedDict, TypeVar, Union, overload

from ... import _native, _state
from ..._util import off_loop, resolved, run_sync, to_json
from ...exceptions import InvalidInputError, NotSupportedError
from ...framework.request import Mutations, has_mutations
from ...types import RecipeUserId
from ...types.response import APIResponse, GeneralErrorResponse
from .exceptions import ClaimValidationError, InvalidClaimsError, UnauthorisedError

if TYPE_CHECKING:
    from ...framework.request import RequestAdapter
    from ...framework.response import ResponseAdapter

__all__ = [
    "APIInterface",
    "APIOptions",
    "AccessTokenObj",
    "ClaimValidationResult",
    "ClaimsValidationResult",
    "GetClaimValueOkResult",
    "GetSessionTokensDangerouslyDict",
    "JSONObject",
    "RecipeInterface",
    "ReqResInfo",
    "RegenerateAccessTokenOkResult",
    "SessionClaim",
    "SessionClaimValidator",
    "SessionContainer",
    "SessionDoesNotExistError",
    "SessionInformationResult",
    "SessionObj",
    "SignOutOkayResponse",
    "TokenInfo",
]

_SESSION_GONE = "Session does not exist anymore."


class SessionObj:
    """The session ``regenerate_access_token`` acted on, with its new custom payload
    (``user_data_in_jwt``)."""

    def __init__(
        self,
        handle: str,
        user_id: str,
        recipe_user_id: RecipeUserId,
        user_data_in_jwt: Dict[str, Any],
        tenant_id: str,
    ) -> None:
        self.handle = handle
        self.user_id = user_id
        self.recipe_user_id = recipe_user_id
        self.user_data_in_jwt = user_data_in_jwt
        self.tenant_id = tenant_id

    def to_json(self) -> Dict[str, Any]:
        """The core's JSON shape."""
        return {
            "handle": self.handle,
            "userId": self.user_id,
            "recipeUserId": self.recipe_user_id.get_as_string(),
            "tenantId": self.tenant_id,
            "userDataInJWT": self.user_data_in_jwt,
        }


class AccessTokenObj:
    """A new access token: ``expiry`` and ``created_time`` in milliseconds since the epoch."""

    def __init__(self, token: str, expiry: int, created_time: int) -> None:
        self.token = token
        self.expiry = expiry
        self.created_time = created_time

    def to_json(self) -> Dict[str, Any]:
        """The core's JSON shape."""
        return {"token": self.token, "expiry": self.expiry, "createdTime": self.created_time}


class RegenerateAccessTokenOkResult:
    """What ``regenerate_access_token`` returns: the session and, unless the token given had
    expired, the new access token (same expiry, new payload)."""

    def __init__(self, session: SessionObj, access_token: Optional[AccessTokenObj]) -> None:
        self.session = session
        self.access_token = access_token

    def to_json(self) -> Dict[str, Any]:
        """The core's JSON shape."""
        return {
            "session": self.session.to_json(),
            "accessToken": None if self.access_token is None else self.access_token.to_json(),
        }

    @staticmethod
    def _from_native(answer_json: str) -> "RegenerateAccessTokenOkResult":
        answer = json.loads(answer_json)
        s = answer["session"]
        session = SessionObj(
            s["handle"], s["userId"], RecipeUserId(s["recipeUserId"]), s["userDataInJWT"], s["tenantId"]
        )
        token = answer.get("accessToken")
        access_token = None if token is None else AccessTokenObj(token["token"], token["expiry"], token["createdTime"])
        return RegenerateAccessTokenOkResult(session, access_token)


class SessionInformationResult:
    """What ``get_session_information`` returns; times are milliseconds since the epoch and
    ``expiry`` is the session's (refresh token's) expiry."""

    def __init__(
        self,
        session_handle: str,
        user_id: str,
        recipe_user_id: RecipeUserId,
        session_data_in_database: Dict[str, Any],
        expiry: int,
        custom_claims_in_access_token_payload: Dict[str, Any],
        time_created: int,
        tenant_id: str,
    ) -> None:
        self.session_handle = session_handle
        self.user_id = user_id
        self.recipe_user_id = recipe_user_id
        self.session_data_in_database = session_data_in_database
        self.expiry = expiry
        self.custom_claims_in_access_token_payload = custom_claims_in_access_token_payload
        self.time_created = time_created
        self.tenant_id = tenant_id

    @classmethod
    def _from_native(cls, info_json: str) -> "SessionInformationResult":
        info = json.loads(info_json)
        session = info.get("session") or {}
        user_id = session.get("userId", "")
        return cls(
            session_handle=session.get("handle", ""),
            user_id=user_id,
            recipe_user_id=RecipeUserId(session.get("recipeUserId") or user_id),
            session_data_in_database=info.get("sessionDataInDatabase") or {},
            expiry=int(info.get("expiryMs", 0)),
            custom_claims_in_access_token_payload=info.get("customClaimsInAccessTokenPayload") or {},
            time_created=int(info.get("timeCreatedMs", 0)),
            tenant_id=session.get("tenantId", "public"),
        )

    def to_json(self) -> Dict[str, Any]:
        """The result in supertokens-python's JSON names."""
        return {
            "sessionHandle": self.session_handle,
            "userId": self.user_id,
            "recipeUserId": self.recipe_user_id.get_as_string(),
            "sessionDataInDatabase": self.session_data_in_database,
            "expiry": self.expiry,
            "customClaimsInAccessTokenPayload": self.custom_claims_in_access_token_payload,
            "timeCreated": self.time_created,
            "tenantId": self.tenant_id,
        }

    def __repr__(self) -> str:
        return f"SessionInformationResult({self.to_json()!r})"


#: A JSON object, as the access token payload is.
JSONObject = Dict[str, Any]


class GetSessionTokensDangerouslyDict(TypedDict):
    """What :meth:`SessionContainer.get_all_session_tokens_dangerously` returns."""

    accessToken: str
    accessAndFrontTokenUpdated: bool
    refreshToken: Optional[str]
    frontToken: str
    antiCsrfToken: Optional[str]


_T = TypeVar("_T")


class ClaimValidationResult:
    """What a claim validator says of a payload: valid, or not and why."""

    def __init__(self, is_valid: bool, reason: Optional[Dict[str, Any]] = None) -> None:
        self.is_valid = is_valid
        self.reason = None if is_valid else reason


class ClaimsValidationResult:
    """What ``validate_claims`` finds: the failed validators, and the payload to store when
    a claim was fetched again (``None`` when nothing changed)."""

    def __init__(
        self, invalid_claims: List[ClaimValidationError], access_token_payload_update: Optional[Dict[str, Any]] = None
    ) -> None:
        self.invalid_claims = invalid_claims
        self.access_token_payload_update = access_token_payload_update

    def to_json(self) -> Dict[str, Any]:
        """``{"status": "OK", "invalidClaims": [...]}``, as supertokens-python."""
        return {"status": "OK", "invalidClaims": [claim.to_json() for claim in self.invalid_claims]}


class SessionDoesNotExistError:
    """The answer of the functions that take a session handle when there is no such
    session (a result, not an exception, as in supertokens-python)."""


class GetClaimValueOkResult(Generic[_T]):
    """``get_claim_value``'s answer for an existing session: ``value`` (``None`` if unset)."""

    def __init__(self, value: Optional[_T]) -> None:
        self.value = value


class SessionClaim(Generic[_T]):
    """A value the app keeps in the access token payload under ``key`` (supertokens-python's
    ``SessionClaim``): ``fetch_value(user_id, recipe_user_id, tenant_id, current_payload,
    user_context)``, sync or async, gives it (``None``: no value).

    :mod:`tessera.recipe.session.claims` has the built-in kinds (``PrimitiveClaim``,
    ``BooleanClaim``, ``PrimitiveArrayClaim``) and their validators."""

    def __init__(self, key: str, fetch_value: Callable[..., Any]) -> None:
        self.key = key
        self.fetch_value = fetch_value

    def add_to_payload_(
        self, payload: JSONObject, value: _T, user_context: Optional[Dict[str, Any]] = None
    ) -> JSONObject:
        """``payload`` with the claim set to ``value`` (fetched now)."""
        payload[self.key] = json.loads(_native.claim_entry(json.dumps(value)))
        return payload

    def remove_from_payload_by_merge_(
        self, payload: JSONObject, user_context: Optional[Dict[str, Any]] = None
    ) -> JSONObject:
        """``payload`` with the claim set to ``None``, which deletes it when merged."""
        payload[self.key] = None
        return payload

    def remove_from_payload(self, payload: JSONObject, user_context: Optional[Dict[str, Any]] = None) -> JSONObject:
        """``payload`` without the claim."""
        payload.pop(self.key, None)
        return payload

    def get_value_from_payload(
        self, payload: JSONObject, user_context: Optional[Dict[str, Any]] = None
    ) -> Optional[_T]:
        """The claim's value in ``payload``, or ``None``."""
        entry = payload.get(self.key)
        value: Optional[_T] = entry.get("v") if isinstance(entry, dict) else None
        return value

    def get_last_refetch_time(
        self, payload: JSONObject, user_context: Optional[Dict[str, Any]] = None
    ) -> Optional[int]:
        """When the claim's value was fetched (ms since the epoch), or ``None``."""
        entry = payload.get(self.key)
        t = entry.get("t") if isinstance(entry, dict) else None
        return t if isinstance(t, int) else None

    async def build(
        self,
        user_id: str,
        recipe_user_id: RecipeUserId,
        tenant_id: str,
        current_payload: Optional[JSONObject] = None,
        user_context: Optional[Dict[str, Any]] = None,
    ) -> JSONObject:
        """The payload update that sets the claim to a freshly fetched value (``{}`` when
        ``fetch_value`` gives ``None``); for ``create_new_session`` overrides."""
        value = await resolved(
            self.fetch_value(user_id, recipe_user_id, tenant_id, current_payload or {}, user_context or {})
        )
        if value is None:
            return {}
        return self.add_to_payload_({}, value, user_context)


class SessionClaimValidator:
    """A check of the access token payload (supertokens-python's ``SessionClaimValidator``),
    for ``verify_session(override_global_claim_validators=...)`` and
    :meth:`SessionContainer.assert_claims`. ``claim`` is set when the validator may refetch
    its claim's value first (``should_refetch``)."""

    def __init__(self, id_: str) -> None:
        self.id = id_
        self.claim: Optional[SessionClaim[Any]] = None

    def should_refetch(self, payload: JSONObject, user_context: Dict[str, Any]) -> Any:
        """Whether the claim's value must be fetched before :meth:`validate` (sync or async)."""
        return False

    async def validate(self, payload: JSONObject, user_context: Dict[str, Any]) -> ClaimValidationResult:
        """Checks ``payload``."""
        raise NotImplementedError


class TokenInfo:
    """A token with its expiry and creation time (milliseconds since the epoch), as
    supertokens-python's ``TokenInfo``: the ``refresh_token`` of its ``SessionContainer``
    constructor."""

    def __init__(self, token: str, expiry: int, created_time: int) -> None:
        self.token = token
        self.expiry = expiry
        self.created_time = created_time


class ReqResInfo:
    """The request a session belongs to and the transfer method of its tokens, as
    supertokens-python's ``ReqResInfo``."""

    def __init__(self, request: Any, transfer_method: str) -> None:
        self.request = request
        self.transfer_method = transfer_method


class _FieldSession:
    """The state behind a :class:`SessionContainer` built with supertokens-python's
    constructor (by an app's subclass) rather than by the core: the values it was given, under
    the native session's attribute names, so that every getter reads both alike."""

    __slots__ = (
        "access_token",
        "front_token",
        "refresh_token",
        "refresh_token_expiry_ms",
        "anti_csrf_token",
        "handle",
        "user_id",
        "recipe_user_id",
        "payload",
        "access_token_updated",
        "tenant_id",
        "transfer",
    )
    access_token: str
    front_token: str
    refresh_token: Optional[str]
    refresh_token_expiry_ms: Optional[int]
    anti_csrf_token: Optional[str]
    handle: str
    user_id: str
    recipe_user_id: str
    payload: Dict[str, Any]
    access_token_updated: bool
    tenant_id: str
    transfer: str

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)

    @property
    def payload_json(self) -> str:
        return json.dumps(self.payload)

    def with_transfer(self, transfer: str) -> "_FieldSession":
        if transfer not in ("cookie", "header"):
            raise InvalidInputError(f'token transfer method {transfer!r} must be "cookie" or "header"')
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields["transfer"] = transfer
        return _FieldSession(**fields)


class SessionContainer:
    """A verified (or new) session, as supertokens-python's ``SessionContainer``.

    The getters read the access token and never do I/O. The methods that reach the session
    store are ``async`` (run off the event loop) with ``sync_*`` twins for sync code. Methods
    that change the session's tokens (:meth:`merge_into_access_token_payload`,
    :meth:`revoke_session`) add the response changes to :attr:`response_mutations`, which the
    framework middleware applies to the response.

    Tessera makes its sessions itself. An app's subclass (an "empty" session that an
    overridden ``create_new_session`` returns, say) may call supertokens-python's constructor
    instead, ``(recipe_implementation, config, access_token, front_token, refresh_token,
    anti_csrf_token, session_handle, user_id, recipe_user_id, user_data_in_access_token,
    req_res_info, access_token_updated, tenant_id)``: the getters then return those values, the
    store methods work on ``session_handle``, and the tokens are written to a response only
    if ``access_token_updated`` is false (Tessera writes tokens it issued, not given ones).
    """

    #: supertokens-python's: the request the session is attached to, with its transfer method
    #: (set by :meth:`attach_to_request_response` and the constructor that takes it).
    req_res_info: Optional[ReqResInfo] = None

    @overload
    def __init__(
        self, engine: "_native.Engine", native: "_native.Session", mutations: Optional[Mutations] = None
    ) -> None: ...

    @overload
    def __init__(
        self,
        recipe_implementation: "RecipeInterface",
        config: Any,
        access_token: str,
        front_token: str,
        refresh_token: Optional[TokenInfo],
        anti_csrf_token: Optional[str],
        session_handle: str,
        user_id: str,
        recipe_user_id: Union[RecipeUserId, str],
        user_data_in_access_token: Optional[Dict[str, Any]],
        req_res_info: Optional[ReqResInfo],
        access_token_updated: bool,
        tenant_id: str,
    ) -> None: ...

    def __init__(self, engine: Any, native: Any, mutations: Any = None, *fields: Any) -> None:
        if fields:
            self._init_from_fields(engine, native, mutations, *fields)
            return
        self._engine = engine
        self._native = native
        self._payload: Optional[Dict[str, Any]] = None
        #: Response changes this session still has to make, in order.
        self.response_mutations: List[Mutations] = []
        if mutations is not None:
            self._add_mutations(mutations)

    def _init_from_fields(
        self,
        recipe_implementation: Any,
        config: Any,
        access_token: str,
        front_token: str,
        refresh_token: Optional[TokenInfo],
        anti_csrf_token: Optional[str],
        session_handle: str,
        user_id: str,
        recipe_user_id: Union[RecipeUserId, str],
        user_data_in_access_token: Optional[Dict[str, Any]],
        req_res_info: Optional[ReqResInfo],
        access_token_updated: bool,
        tenant_id: str,
    ) -> None:
        """supertokens-python's constructor (see the class's documentation)."""
        self.recipe_implementation = recipe_implementation
        self.config = config
        self.req_res_info = req_res_info
        self._engine = _state.engine()
        self._native = _FieldSession(  # type: ignore[assignment]
            access_token=access_token,
            front_token=front_token,
            refresh_token=None if refresh_token is None else refresh_token.token,
            refresh_token_expiry_ms=None if refresh_token is None else refresh_token.expiry,
            anti_csrf_token=anti_csrf_token,
            handle=session_handle,
            user_id=user_id,
            recipe_user_id=str(recipe_user_id),
            payload=dict(user_data_in_access_token or {}),
            access_token_updated=bool(access_token_updated),
            tenant_id=tenant_id,
            transfer=req_res_info.transfer_method if req_res_info is not None else "header",
        )
        self._payload = None
        self.response_mutations = []

    def _from_fields(self) -> bool:
        """Whether the app built this session (see the class's documentation)."""
        return isinstance(self._native, _FieldSession)

    def _add_mutations(self, mutations: Optional[Mutations]) -> None:
        if has_mutations(mutations):
            self.response_mutations.append(mutations)  # type: ignore[arg-type]

    def _tokens_to_write(self) -> Optional[Mutations]:
        """What writes this session's tokens to its transport, when it has new ones."""
        if not self._native.access_token_updated:
            return None
        if self._from_fields():
            raise NotSupportedError(
                "a SessionContainer built with supertokens-python's constructor and access_token_updated=True "
                "cannot write its tokens: Tessera writes only tokens it issued"
            )
        return self._engine.attach_tokens(self._native)

    async def attach_to_request_response(
        self, request: Any, transfer_method: str, user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Makes this the session of ``request`` (a framework request or its wrapper) with its
        tokens in ``transfer_method`` (``"cookie"`` or ``"header"``); a session with new
        tokens (``create_new_session_without_request_response``, say) has them written to the
        response by the framework middleware.

        Raises:
            NotSupportedError: see the class's documentation.
        """
        self.sync_attach_to_request_response(request, transfer_method, user_context)

    def sync_attach_to_request_response(
        self, request: Any, transfer_method: str, user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """:meth:`attach_to_request_response` for sync code."""
        from ...framework.request import wrap_request
        from ._common import adopt_transport

        adapter = wrap_request(request)
        adopt_transport(self, transfer_method)
        self._add_mutations(self._tokens_to_write())
        self.req_res_info = ReqResInfo(adapter, transfer_method)
        adapter.set_session(self)

    # -- getters: the token, no I/O -------------------------------------------------------

    def get_access_token(self, user_context: Optional[Dict[str, Any]] = None) -> str:
        """The raw access token (JWT) currently attached to the request."""
        return self._native.access_token

    def get_user_id(self, user_context: Optional[Dict[str, Any]] = None) -> str:
        """The user id (``sub``)."""
        return self._native.user_id

    def get_recipe_user_id(self, user_context: Optional[Dict[str, Any]] = None) -> RecipeUserId:
        """The recipe user id (``rsub``, else ``sub``)."""
        return RecipeUserId(self._native.recipe_user_id)

    def get_tenant_id(self, user_context: Optional[Dict[str, Any]] = None) -> str:
        """The tenant id (``tId``, else ``"public"``)."""
        return self._native.tenant_id

    def get_handle(self, user_context: Optional[Dict[str, Any]] = None) -> str:
        """The session handle."""
        return self._native.handle

    def get_access_token_payload(self, user_context: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The access token's payload (the whole JWT payload; ``userData`` for v2 tokens)."""
        payload = self._payload
        if payload is None:
            payload = json.loads(self._native.payload_json)
            self._payload = payload
        return payload

    def get_all_session_tokens_dangerously(self) -> GetSessionTokensDangerouslyDict:
        """Every token of the session: ``accessToken``, ``accessAndFrontTokenUpdated``,
        ``refreshToken`` (after create/refresh only), ``frontToken``, ``antiCsrfToken``."""
        n = self._native
        return {
            "accessToken": n.access_token,
            "accessAndFrontTokenUpdated": n.access_token_updated,
            "refreshToken": n.refresh_token,
            "frontToken": n.front_token,
            "antiCsrfToken": n.anti_csrf_token,
        }

    # supertokens-python exposes these as attributes; some code reads them directly.
    @property
    def access_token(self) -> str:
        """The raw access token."""
        return self._native.access_token

    @property
    def front_token(self) -> str:
        """The front token of the current access token."""
        return self._native.front_token

    @property
    def anti_csrf_token(self) -> Optional[str]:
        """The anti-CSRF token, if any."""
        return self._native.anti_csrf_token

    @property
    def session_handle(self) -> str:
        """The session handle."""
        return self._native.handle

    @property
    def user_id(self) -> str:
        """The user id."""
        return self._native.user_id

    @property
    def recipe_user_id(self) -> RecipeUserId:
        """The recipe user id."""
        return RecipeUserId(self._native.recipe_user_id)

    @property
    def tenant_id(self) -> str:
        """The tenant id."""
        return self._native.tenant_id

    @property
    def access_token_updated(self) -> bool:
        """Whether this request issued a new access token."""
        return self._native.access_token_updated

    @property
    def user_data_in_access_token(self) -> Dict[str, Any]:
        """The access token's payload."""
        return self.get_access_token_payload()

    def __getitem__(self, item: str) -> Any:
        return getattr(self, item)

    def __repr__(self) -> str:
        return f"SessionContainer(handle={self._native.handle!r}, user_id={self._native.user_id!r})"

    # -- store-backed methods: sync bodies ---------------------------------------------------
    # Each goes through the app's recipe function when its override replaced it (as
    # supertokens-python's container does), else straight to the engine.

    def _information(self) -> SessionInformationResult:
        functions = _state.overriding("get_session_information")
        if functions is not None:
            return _existing(run_sync(functions.get_session_information(self._native.handle, {})))
        info_json = self._engine.get_session_information(self._native.handle)
        if info_json is None:
            raise UnauthorisedError(_SESSION_GONE)
        return SessionInformationResult._from_native(info_json)

    async def _information_async(self, user_context: Optional[Dict[str, Any]]) -> SessionInformationResult:
        functions = _state.overriding("get_session_information")
        if functions is None:
            return await off_loop(self._information)
        ctx = {} if user_context is None else user_context
        return _existing(await functions.get_session_information(self._native.handle, ctx))

    def sync_get_session_data_from_database(self, user_context: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """:meth:`get_session_data_from_database` for sync code."""
        return self._information().session_data_in_database

    def sync_update_session_data_in_database(
        self, new_session_data: Dict[str, Any], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """:meth:`update_session_data_in_database` for sync code."""
        functions = _state.overriding("update_session_data_in_database")
        if functions is not None:
            run_sync(self.update_session_data_in_database(new_session_data, user_context))
            return
        data_json = to_json(new_session_data, "new_session_data")
        if not self._engine.update_session_data_in_database(self._native.handle, data_json):
            raise UnauthorisedError(_SESSION_GONE)

    def sync_merge_into_access_token_payload(
        self, access_token_payload_update: Dict[str, Any], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """:meth:`merge_into_access_token_payload` for sync code."""
        if self._from_fields():
            from . import syncio

            if not syncio.merge_into_access_token_payload(
                self._native.handle, access_token_payload_update, user_context
            ):
                raise UnauthorisedError(_SESSION_GONE)
            return
        if _state.overriding("regenerate_access_token") is not None:
            run_sync(self.merge_into_access_token_payload(access_token_payload_update, user_context))
            return
        update_json = to_json(access_token_payload_update, "access_token_payload_update")
        native, mutations = self._engine.merge_into_access_token_payload_in_session(self._native, update_json)
        self._native = native
        self._payload = None
        self._add_mutations(mutations)

    def sync_revoke_session(self, user_context: Optional[Dict[str, Any]] = None) -> None:
        """:meth:`revoke_session` for sync code."""
        if self._from_fields():
            from . import syncio

            syncio.revoke_session(self._native.handle, user_context)
            return
        if _state.overriding("revoke_session") is not None:
            run_sync(self.revoke_session(user_context))
            return
        self._add_mutations(self._engine.revoke_session_in_request(self._native))

    def sync_get_time_created(self, user_context: Optional[Dict[str, Any]] = None) -> int:
        """:meth:`get_time_created` for sync code."""
        return self._information().time_created

    def sync_get_expiry(self, user_context: Optional[Dict[str, Any]] = None) -> int:
        """:meth:`get_expiry` for sync code."""
        return self._information().expiry

    # -- store-backed methods: async, off the event loop --------------------------------------

    async def get_session_data_from_database(self, user_context: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The session's data in the database (through ``get_session_information``).

        Raises:
            UnauthorisedError: the session no longer exists.
        """
        return (await self._information_async(user_context)).session_data_in_database

    async def update_session_data_in_database(
        self, new_session_data: Dict[str, Any], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Replaces the session's data in the database.

        Raises:
            UnauthorisedError: the session no longer exists.
        """
        functions = _state.overriding("update_session_data_in_database")
        if functions is None:
            await off_loop(self.sync_update_session_data_in_database, new_session_data)
            return
        ctx = {} if user_context is None else user_context
        if not await functions.update_session_data_in_database(self._native.handle, new_session_data, ctx):
            raise UnauthorisedError(_SESSION_GONE)

    async def merge_into_access_token_payload(
        self, access_token_payload_update: Dict[str, Any], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Shallow-merges ``access_token_payload_update`` into the access token's payload (a
        ``None`` value deletes the key) and, if the access token is still valid, issues a new
        one with the same expiry, written to the response by the middleware.

        Raises:
            UnauthorisedError: the session no longer exists.
            InvalidInputError: the update touches a protected claim.
        """
        functions = _state.overriding("regenerate_access_token")
        if self._from_fields():
            from . import asyncio

            if not await asyncio.merge_into_access_token_payload(
                self._native.handle, access_token_payload_update, user_context
            ):
                raise UnauthorisedError(_SESSION_GONE)
            return
        if functions is None:
            await off_loop(self.sync_merge_into_access_token_payload, access_token_payload_update)
            return
        # As supertokens-python: the merged custom payload goes through the app's function.
        ctx = {} if user_context is None else user_context
        update_json = to_json(access_token_payload_update, "access_token_payload_update")
        payload = json.loads(self._engine.merged_custom_payload(self._native, update_json))
        result = await functions.regenerate_access_token(self.get_access_token(), payload, ctx)
        if result is None:
            raise UnauthorisedError(_SESSION_GONE)
        if result.access_token is not None:
            # An expired token gets none; the payload reaches the client at its refresh.
            native, mutations = await off_loop(self._engine.adopt_access_token, self._native, result.access_token.token)
            self._native = native
            self._payload = None
            self._add_mutations(mutations)

    async def revoke_session(self, user_context: Optional[Dict[str, Any]] = None) -> None:
        """Revokes the session (through ``revoke_session``) and clears its tokens from the
        response."""
        functions = _state.overriding("revoke_session")
        if self._from_fields():
            from . import asyncio

            await asyncio.revoke_session(self._native.handle, user_context)
            return
        if functions is None:
            await off_loop(self.sync_revoke_session)
            return
        ctx = {} if user_context is None else user_context
        await functions.revoke_session(self._native.handle, ctx)
        self._add_mutations(self._engine.clear_session_tokens(self._native))

    # -- claims (protocol §5.4) -----------------------------------------------------------------

    async def assert_claims(
        self, claim_validators: List[SessionClaimValidator], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Checks the payload with ``claim_validators`` through the recipe's
        ``validate_claims``: a validator whose claim is missing or too old has its value
        fetched again first, and what was fetched is merged into the access token (a new
        token goes on the response).

        Raises:
            InvalidClaimsError: a validator failed (answered 403 with their ids and reasons).
        """
        from .recipe_implementation import functions

        ctx = user_context if user_context is not None else {}
        result = await functions().validate_claims(
            self.get_user_id(), self.get_recipe_user_id(), self.get_access_token_payload(), claim_validators, ctx
        )
        if result.access_token_payload_update is not None:
            # The core ignores the protected claims a whole payload carries.
            await self.merge_into_access_token_payload(result.access_token_payload_update, ctx)
        if result.invalid_claims:
            raise InvalidClaimsError("INVALID_CLAIMS", result.invalid_claims)

    async def fetch_and_set_claim(
        self, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Fetches the claim's value and merges it into the access token."""
        update = await claim.build(
            self.get_user_id(),
            self.get_recipe_user_id(),
            self.get_tenant_id(),
            self.get_access_token_payload(),
            user_context,
        )
        await self.merge_into_access_token_payload(update, user_context)

    async def set_claim_value(
        self, claim: SessionClaim[_T], value: _T, user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """Sets the claim to ``value`` in the access token."""
        await self.merge_into_access_token_payload(claim.add_to_payload_({}, value, user_context), user_context)

    async def get_claim_value(
        self, claim: SessionClaim[_T], user_context: Optional[Dict[str, Any]] = None
    ) -> Optional[_T]:
        """The claim's value in the access token, or ``None``."""
        return claim.get_value_from_payload(self.get_access_token_payload(), user_context)

    async def remove_claim(self, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None) -> None:
        """Removes the claim from the access token."""
        await self.merge_into_access_token_payload(claim.remove_from_payload_by_merge_({}, user_context), user_context)

    def sync_assert_claims(
        self, claim_validators: List[SessionClaimValidator], user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """:meth:`assert_claims` for sync code."""
        run_sync(self.assert_claims(claim_validators, user_context))

    def sync_fetch_and_set_claim(self, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None) -> None:
        """:meth:`fetch_and_set_claim` for sync code."""
        run_sync(self.fetch_and_set_claim(claim, user_context))

    def sync_set_claim_value(
        self, claim: SessionClaim[_T], value: _T, user_context: Optional[Dict[str, Any]] = None
    ) -> None:
        """:meth:`set_claim_value` for sync code."""
        self.sync_merge_into_access_token_payload(claim.add_to_payload_({}, value, user_context), user_context)

    def sync_get_claim_value(
        self, claim: SessionClaim[_T], user_context: Optional[Dict[str, Any]] = None
    ) -> Optional[_T]:
        """:meth:`get_claim_value` for sync code."""
        return claim.get_value_from_payload(self.get_access_token_payload(), user_context)

    def sync_remove_claim(self, claim: SessionClaim[Any], user_context: Optional[Dict[str, Any]] = None) -> None:
        """:meth:`remove_claim` for sync code."""
        self.sync_merge_into_access_token_payload(claim.remove_from_payload_by_merge_({}, user_context), user_context)

    async def get_time_created(self, user_context: Optional[Dict[str, Any]] = None) -> int:
        """When the session was created, in milliseconds since the epoch.

        Raises:
            UnauthorisedError: the session no longer exists.
        """
        return (await self._information_async(user_context)).time_created

    async def get_expiry(self, user_context: Optional[Dict[str, Any]] = None) -> int:
        """When the session (its refresh token, not the access token) expires, in
        milliseconds since the epoch.

        Raises:
            UnauthorisedError: the session no longer exists.
        """
        return (await self._information_async(user_context)).expiry


def _existing(info: Optional[SessionInformationResult]) -> SessionInformationResult:
    if info is None:
        raise UnauthorisedError(_SESSION_GONE)
    return info


class RecipeInterface:
    """supertokens-python's ``RecipeInterface`` of the session recipe: the type of
    ``original_implementation`` in ``session.init(override=InputOverrideConfig(functions=...))``
    (Tessera's is :class:`tessera.recipe.session.recipe_implementation.RecipeImplementation`)."""

    async def create_new_session(
        self,
        user_id: str,
        recipe_user_id: RecipeUserId,
        access_token_payload: Optional[Dict[str, Any]],
        session_data_in_database: Optional[Dict[str, Any]],
        disable_anti_csrf: Optional[bool],
        tenant_id: str,
        user_context: Dict[str, Any],
    ) -> SessionContainer:
        """Creates a session; see :func:`tessera.recipe.session.asyncio.create_new_session`."""
        raise NotImplementedError

    async def get_session(
        self,
        access_token: Optional[str],
        anti_csrf_token: Optional[str] = None,
        anti_csrf_check: Optional[bool] = None,
        session_required: Optional[bool] = None,
        check_database: Optional[bool] = None,
        override_global_claim_validators: Optional[Callable[..., Any]] = None,
        user_context: Optional[Dict[str, Any]] = None,
    ) -> Optional[SessionContainer]:
        """Verifies an access token given directly."""
        raise NotImplementedError

    async def refresh_session(
        self,
        refresh_token: str,
        anti_csrf_token: Optional[str],
        disable_anti_csrf: bool,
        user_context: Dict[str, Any],
    ) -> SessionContainer:
        """Refreshes a session from its refresh token."""
        raise NotImplementedError

    async def revoke_session(self, session_handle: str, user_context: Dict[str, Any]) -> bool:
        """Revokes one session."""
        raise NotImplementedError

    async def revoke_all_sessions_for_user(
        self,
        user_id: str,
        revoke_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        revoke_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """Revokes a user's sessions."""
        raise NotImplementedError

    async def get_all_session_handles_for_user(
        self,
        user_id: str,
        fetch_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        fetch_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """A user's session handles."""
        raise NotImplementedError

    async def revoke_multiple_sessions(self, session_handles: List[str], user_context: Dict[str, Any]) -> List[str]:
        """Revokes several sessions."""
        raise NotImplementedError

    async def get_session_information(
        self, session_handle: str, user_context: Dict[str, Any]
    ) -> Optional[SessionInformationResult]:
        """A session's information, or ``None``."""
        raise NotImplementedError

    async def update_session_data_in_database(
        self, session_handle: str, new_session_data: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """Replaces a session's data in the database."""
        raise NotImplementedError

    async def merge_into_access_token_payload(
        self, session_handle: str, access_token_payload_update: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """Merges into the payload of a session's next access token."""
        raise NotImplementedError

    def get_global_claim_validators(
        self,
        tenant_id: str,
        user_id: str,
        recipe_user_id: RecipeUserId,
        claim_validators_added_by_other_recipes: List[Any],
        user_context: Dict[str, Any],
    ) -> List[Any]:
        """The claim validators every verification checks."""
        raise NotImplementedError

    async def validate_claims(
        self,
        user_id: str,
        recipe_user_id: RecipeUserId,
        access_token_payload: Dict[str, Any],
        claim_validators: List[Any],
        user_context: Dict[str, Any],
    ) -> Any:
        """Validates claims against a payload."""
        raise NotImplementedError

    async def fetch_and_set_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Fetches a claim's value and stores it in the session."""
        raise NotImplementedError

    async def set_claim_value(self, session_handle: str, claim: Any, value: Any, user_context: Dict[str, Any]) -> bool:
        """Sets a claim's value in the session."""
        raise NotImplementedError

    async def get_claim_value(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> Any:
        """A claim's value in the session."""
        raise NotImplementedError

    async def remove_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Removes a claim from the session."""
        raise NotImplementedError

    async def regenerate_access_token(
        self, access_token: str, new_access_token_payload: Optional[Dict[str, Any]], user_context: Dict[str, Any]
    ) -> Optional["RegenerateAccessTokenOkResult"]:
        """Replaces the custom payload of the session ``access_token`` belongs to and, unless
        that token has expired, issues one with the same expiry carrying it; ``None`` when
        the session no longer exists."""
        raise NotImplementedError


class SignOutOkayResponse(APIResponse):
    """What the sign-out API function returns when the user is signed out."""

    status = "OK"

    def to_json(self) -> Dict[str, Any]:
        """``{"status": "OK"}``."""
        return {"status": self.status}


class APIOptions:
    """What an API function gets about the request it serves.

    ``request`` and ``response`` are the framework's wrappers
    (:class:`tessera.framework.BaseRequest` / :class:`tessera.framework.BaseResponse`);
    ``response`` is ``None`` for ``verify_session``, which makes no response of its own.
    Tessera keeps the session configuration in its core, so ``config`` is ``None``: there is
    no supertokens-python ``NormalisedSessionConfig`` object to give.
    """

    def __init__(
        self,
        request: "RequestAdapter",
        response: Optional["ResponseAdapter"],
        recipe_id: str,
        config: Any,
        recipe_implementation: RecipeInterface,
    ) -> None:
        self.request = request
        self.response = response
        self.recipe_id = recipe_id
        self.config = config
        self.recipe_implementation = recipe_implementation


class APIInterface:
    """supertokens-python's ``APIInterface`` of the session recipe: the type of
    ``original_implementation`` in ``session.init(override=InputOverrideConfig(apis=...))``
    (Tessera's is :class:`tessera.recipe.session.api.implementation.APIImplementation`).

    ``refresh_post`` serves ``POST {apiBasePath}/session/refresh`` and ``signout_post``
    ``POST {apiBasePath}/signout``; setting ``disable_refresh_post`` or
    ``disable_signout_post`` leaves that request to the app. ``verify_session`` is what the
    frameworks' ``verify_session`` run for each protected request.
    """

    def __init__(self) -> None:
        self.disable_refresh_post = False
        self.disable_signout_post = False

    async def refresh_post(self, api_options: APIOptions, user_context: Dict[str, Any]) -> SessionContainer:
        """Refreshes the request's session (the answer is 200 ``{}`` with the new tokens)."""
        raise NotImplementedError

    async def signout_post(
        self, session: SessionContainer, api_options: APIOptions, user_context: Dict[str, Any]
    ) -> Union[SignOutOkayResponse, GeneralErrorResponse]:
        """Signs the request's (verified) session out; the answer is 200 with what this
        returns as JSON."""
        raise NotImplementedError

    async def verify_session(
        self,
        api_options: APIOptions,
        anti_csrf_check: Optional[bool],
        session_required: bool,
        check_database: bool,
        override_global_claim_validators: Optional[Callable[..., Any]],
        user_context: Dict[str, Any],
    ) -> Optional[SessionContainer]:
        """Verifies the request's session for a protected route; ``None`` when there is none
        and ``session_required`` is false."""
        raise NotImplementedError
