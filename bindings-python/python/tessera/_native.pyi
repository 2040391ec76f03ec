"""The private native module of Tessera (Rust, PyO3). Use the public ``tessera`` package.

Every function releases the GIL while the core works. Errors are raised as instances of
``tessera.exceptions.TesseraError`` subclasses, built by ``tessera.exceptions._from_native``;
a Rust panic becomes ``InternalError`` (code ``INTERNAL``).

Mutations are what the core wants done to the HTTP response:
``(status, body_json, headers, cookies)`` where ``headers`` is a list of
``(op, name, value)`` with ``op`` one of ``"set"``, ``"remove"`` (value ``None``) or
``"append"`` (add ``value`` to a comma-separated list header such as
``Access-Control-Expose-Headers``; merge with ``append_to_header_list``), and ``cookies`` is a
list of ``(name, set_cookie_header_value)``.
"""

from typing import List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "Engine",
    "Session",
    "all_error_kinds",
    "append_to_header_list",
    "REQUEST_HEADERS",
    "CORS_ALLOWED_HEADERS",
    "PATH_REWRITING_CHARS",
    "_panic_for_tests",
    "cookie_value",
    "claim_should_refetch",
    "claim_validate",
    "claim_entry",
]

# Typing-only aliases: private, because the module has no such names at runtime.
_Headers = Union[Sequence[Tuple[str, str]], Sequence[Tuple[bytes, bytes]]]
_HeaderOp = Tuple[str, str, Optional[str]]
_Mutations = Tuple[Optional[int], Optional[str], List[_HeaderOp], List[Tuple[str, str]]]

#: Lowercase names of the request headers the core reads; adapters pass only these.
REQUEST_HEADERS: Tuple[str, ...]
#: Request headers a CORS setup must allow for the frontend SDKs.
CORS_ALLOWED_HEADERS: Tuple[str, ...]
#: The characters that make the core resolve a path (dot segments, ``%2e``, ``\\``, tabs,
#: newlines) rather than only cut it short; see ``Engine.api_path_prefix``.
PATH_REWRITING_CHARS: str

def cookie_value(cookie_headers: List[str], name: str) -> Optional[str]:
    """Cookie ``name`` from the request's ``Cookie`` headers, decoded as the core decodes."""

def claim_should_refetch(validator_json: str, payload_json: str, now_ms: Optional[int] = None) -> bool:
    """Whether a built-in claim validator needs its claim's value fetched again first."""

def claim_validate(validator_json: str, payload_json: str, now_ms: Optional[int] = None) -> Optional[str]:
    """``None`` when the payload passes a built-in claim validator, else the reason (JSON)."""

def claim_entry(value_json: str, now_ms: Optional[int] = None) -> str:
    """A claim's payload entry for a value: ``{"v": value, "t": now_ms}`` (JSON)."""

def _panic_for_tests(message: str) -> None:
    """Test-only: panics in Rust; the panic arrives as ``InternalError``."""

def all_error_kinds() -> List[str]:
    """Every core error code, e.g. ``"UNAUTHORISED"``."""

def append_to_header_list(existing: Optional[str], value: str) -> str:
    """Adds ``value`` to a comma-separated header list unless present."""

@final
class Session:
    """A session in a request (the state behind a ``SessionContainer``). Immutable."""

    @property
    def access_token(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def recipe_user_id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def payload_json(self) -> str:
        """The access-token payload as JSON (whole JWT payload for v3+, ``userData`` for v2)."""
    @property
    def access_token_expiry_ms(self) -> int: ...
    @property
    def access_token_created_ms(self) -> int: ...
    @property
    def front_token(self) -> str: ...
    @property
    def refresh_token(self) -> Optional[str]: ...
    @property
    def refresh_token_expiry_ms(self) -> Optional[int]: ...
    @property
    def anti_csrf_token(self) -> Optional[str]: ...
    @property
    def access_token_updated(self) -> bool: ...
    @property
    def transfer(self) -> str:
        """``"cookie"`` or ``"header"``."""
    def with_transfer(self, transfer: str) -> "Session":
        """The same session on another transport (``"cookie"`` or ``"header"``)."""

@final
class Engine:
    """One configured Tessera engine; share it between threads."""

    def __new__(cls, config_json: str) -> "Engine":
        """``config_json``: ``{"appInfo": {...}, "connectionURI": ..., "session": {...}}`` with
        supertokens-node's camelCase option names. Opens (and migrates) the store."""
    @staticmethod
    def with_jwks(config_json: str, jwks_json: str) -> "Engine":
        """A verification-only engine trusting exactly the keys of ``jwks_json`` (no store:
        create, refresh and ``check_database`` raise ``NotSupportedError``)."""
    def verify_session(
        self,
        method: str,
        path: str,
        headers: _Headers,
        session_required: bool = True,
        anti_csrf_check: Optional[bool] = None,
        check_database: bool = False,
        allow_io: bool = True,
        now_ms: Optional[int] = None,
        token_transfer_method: Optional[str] = None,
        api_rules: bool = True,
    ) -> Tuple[Optional[Session], Optional[_Mutations]]:
        """``verifySession``. With ``allow_io=False`` a call that would need disk or network
        raises ``WouldBlockError`` instead (retry it with ``allow_io=True`` off the event loop).
        Mutations are ``None`` when there is nothing to write. ``token_transfer_method``
        (``"any"``, ``"cookie"``, ``"header"``) replaces the configured one for this request,
        as does the same argument of the other request functions. ``api_rules``: the
        ``verify_session`` API's (an OPTIONS or TRACE request has no session, a POST to the
        refresh path is refreshed); false, ``get_session``'s (what the request carries is
        verified, whatever its method and path)."""
    def verify_access_token(self, access_token: str, now_ms: Optional[int] = None) -> str:
        """Parses and verifies a token alone (no transfer, anti-CSRF or key-kind checks);
        the verified token as JSON (camelCase: ``userId``, ``recipeUserId``, ``tenantId``,
        ``sessionHandle``, ``antiCsrfToken``, ``expiryMs``, ``timeCreatedMs``, ``version``,
        ``kid``, ``payload``, ...). ``now_ms`` defaults to the current time."""
    def create_new_session(
        self,
        method: str,
        path: str,
        headers: _Headers,
        tenant_id: str,
        recipe_user_id: str,
        access_token_payload_json: str,
        session_data_json: str,
        *,
        token_transfer_method: Optional[str] = None,
    ) -> Tuple[Session, _Mutations]: ...
    def create_new_session_without_request_response(
        self,
        tenant_id: str,
        recipe_user_id: str,
        access_token_payload_json: str,
        session_data_json: str,
        disable_anti_csrf: bool,
    ) -> Session: ...
    def get_session_without_request_response(
        self,
        access_token: str,
        anti_csrf_token: Optional[str],
        session_required: bool,
        anti_csrf_check: Optional[bool],
        check_database: bool,
        allow_io: bool = True,
    ) -> Optional[Session]:
        """``getSessionWithoutRequestResponse``; ``allow_io=False`` as for ``verify_session``."""
    def refresh_session(
        self, method: str, path: str, headers: _Headers, *, token_transfer_method: Optional[str] = None
    ) -> Tuple[Session, _Mutations]: ...
    def refresh_session_without_request_response(
        self, refresh_token: str, disable_anti_csrf: bool, anti_csrf_token: Optional[str]
    ) -> Session: ...
    def handle_api_request(
        self,
        method: str,
        path: str,
        headers: _Headers,
        *,
        token_transfer_method: Optional[str] = None,
        raise_errors: bool = False,
    ) -> Optional[_Mutations]:
        """Serves ``{apiBasePath}/session/refresh``, ``/signout`` and ``/jwt/jwks.json``;
        ``None`` when the request is not for Tessera. Errors are answered in the mutations, or
        raised with ``raise_errors`` (for the app's error handlers)."""
    @property
    def api_path_prefix(self) -> str:
        """``{apiBasePath}``: every path ``is_api_request`` accepts starts with it or has one of
        ``PATH_REWRITING_CHARS``, so adapters need not ask the core about other paths."""
    def is_api_request(self, method: str, path: str) -> bool:
        """Whether ``handle_api_request`` would serve this request (pure, no I/O)."""
    def api_endpoint(self, method: str, path: str) -> Optional[str]:
        """The endpoint ``handle_api_request`` would serve: ``"refresh"``, ``"signout"`` or
        ``"jwks"``; ``None`` for any other request (pure, no I/O)."""
    def error_response(
        self,
        method: str,
        path: str,
        headers: _Headers,
        code: str,
        message: str,
        payload_json: Optional[str],
        clear_tokens: bool,
        prelude_only: bool = False,
    ) -> _Mutations:
        """The protocol's answer (status, body, clearing) to an error raised earlier; with
        ``prelude_only``, only what precedes an app's error handler (clearing, no status or
        body)."""
    def session_request_input(
        self,
        method: str,
        path: str,
        headers: _Headers,
        anti_csrf_check: Optional[bool] = None,
        token_transfer_method: Optional[str] = None,
    ) -> Tuple[Optional[str], Optional[str], bool, Optional[str]]:
        """What a request hands to an app's ``get_session``: ``(access_token,
        anti_csrf_token, anti_csrf_check, transfer)``, read as ``verify_session`` reads it."""
    def refresh_request_input(
        self, method: str, path: str, headers: _Headers, token_transfer_method: Optional[str] = None
    ) -> Tuple[str, Optional[str], bool, str]:
        """What a refresh request hands to an app's ``refresh_session``: ``(refresh_token,
        anti_csrf_token, disable_anti_csrf, transfer)``."""
    def refreshed_session_response(self, method: str, path: str, headers: _Headers, session: Session) -> _Mutations:
        """The refresh endpoint's answer once ``session`` was refreshed."""
    def clear_session_tokens(self, session: Session) -> _Mutations:
        """Clears the session's tokens from its transport without revoking it."""
    def attach_tokens(self, session: Session) -> _Mutations:
        """Writes the session's tokens to its transport (front token, access token, refresh
        token, anti-CSRF)."""
    def merge_into_access_token_payload_in_session(
        self, session: Session, update_json: str
    ) -> Tuple[Session, _Mutations]: ...
    def revoke_session_in_request(self, session: Session) -> _Mutations: ...
    def revoke_session(self, session_handle: str) -> bool: ...
    def revoke_multiple_sessions(self, session_handles: List[str]) -> List[str]: ...
    def revoke_all_sessions_for_user(self, user_id: str, tenant_id: Optional[str]) -> List[str]: ...
    def get_all_session_handles_for_user(self, user_id: str, tenant_id: Optional[str]) -> List[str]: ...
    def get_session_information(self, session_handle: str) -> Optional[str]:
        """JSON ``{session: {handle, userId, recipeUserId, tenantId}, sessionDataInDatabase,
        customClaimsInAccessTokenPayload, expiryMs, timeCreatedMs}`` or ``None``."""
    def update_session_data_in_database(self, session_handle: str, data_json: str) -> bool: ...
    def merge_into_access_token_payload(self, session_handle: str, update_json: str) -> bool: ...
    def merged_custom_payload(self, session: Session, update_json: str) -> str:
        """JSON of the custom payload a merge of ``update_json`` into ``session`` makes."""
    def adopt_access_token(self, session: Session, access_token: str) -> Tuple[Session, _Mutations]:
        """The session with ``access_token`` (of the same session) as its token, and the
        changes that write it to the response."""
    def regenerate_access_token(self, access_token: str, payload_json: str) -> Optional[str]:
        """JSON ``{session: {handle, userId, recipeUserId, tenantId, userDataInJWT},
        accessToken?: {token, expiry, createdTime}}``, or ``None`` when the session is gone."""
    def jwks(self) -> Tuple[str, int]:
        """The JWKS document as JSON, and how long it may be cached (seconds)."""
    def create_jwt(
        self, payload_json: str, validity_seconds: Optional[int] = None, use_static_signing_key: bool = True
    ) -> str:
        """``createJWT``: a JWT of ``payload_json`` signed by the session authority (``iss``,
        ``iat``, ``exp`` added)."""
    def openid_discovery_configuration(self) -> str:
        """The OpenID discovery document as JSON."""
