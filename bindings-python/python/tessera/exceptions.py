"""Tessera's exceptions: one base class, one subclass per core error kind.

Every error the native core raises arrives here through :func:`_from_native`, the single
place where a core error code picks its Python class. The session errors keep
supertokens-python's names and constructors, so application code may also raise them itself
(``raise UnauthorisedError("...")`` in a route) and the framework integration answers them
with the protocol's response.
"""

import json
from typing import Any, Dict, List, Optional, Type

__all__ = [
    "TesseraError",
    "SuperTokensError",
    "SuperTokensSessionError",
    "UnauthorisedError",
    "TryRefreshTokenError",
    "TokenTheftError",
    "InvalidClaimsError",
    "ClearDuplicateSessionCookiesError",
    "InvalidConfigError",
    "InvalidInputError",
    "StorageError",
    "NotSupportedError",
    "InternalError",
    "WouldBlockError",
    "GeneralError",
    "BadInputError",
]


class TesseraError(Exception):
    """The base of every Tessera error.

    Attributes:
        code: the core's stable error code, e.g. ``"UNAUTHORISED"``.
        message: what happened, for logs and error handlers (never sent to clients).
        payload: extra data decoded from JSON (``TOKEN_THEFT_DETECTED``: ``{userId,
            recipeUserId, sessionHandle}``; ``INVALID_CLAIMS``: a list of ``{id, reason}``),
            or ``None``.
        clear_tokens: whether answering this error clears the session's tokens.
    """

    #: The code of errors of this class; subclasses set their own.
    CODE = "INTERNAL"

    def __init__(
        self,
        message: str = "",
        code: Optional[str] = None,
        payload: Any = None,
        clear_tokens: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else type(self).CODE
        self.payload = payload
        self.clear_tokens = clear_tokens

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def _payload_json(self) -> Optional[str]:
        """The payload as JSON, as the native ``error_response`` takes it."""
        if self.payload is None:
            return None
        return json.dumps(self.payload, default=_claim_error_to_json)


#: supertokens-python's name for the base class.
SuperTokensError = TesseraError


class SuperTokensSessionError(TesseraError):
    """A session error: answered with the protocol's 401/403 response, not a 500."""

    CODE = "UNAUTHORISED"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # supertokens-python's name; Tessera's adapters read the mutations from the core.
        self.response_mutators: List[Any] = []


class UnauthorisedError(SuperTokensSessionError):
    """``UNAUTHORISED``: there is no usable session; the client must sign in again."""

    CODE = "UNAUTHORISED"

    def __init__(self, msg: str = "unauthorised", clear_tokens: bool = True, payload: Any = None) -> None:
        super().__init__(msg, "UNAUTHORISED", payload, clear_tokens)


class TryRefreshTokenError(SuperTokensSessionError):
    """``TRY_REFRESH_TOKEN``: the access token cannot be used; the client should refresh."""

    CODE = "TRY_REFRESH_TOKEN"

    def __init__(self, msg: str = "try refresh token", payload: Any = None) -> None:
        super().__init__(str(msg), "TRY_REFRESH_TOKEN", payload, False)


class TokenTheftError(SuperTokensSessionError):
    """``TOKEN_THEFT_DETECTED``: a refresh token was reused outside the grace window.

    ``user_id``, ``recipe_user_id`` and ``session_handle`` name the session, which answering
    the error revokes.
    """

    CODE = "TOKEN_THEFT_DETECTED"

    def __init__(self, user_id: str, recipe_user_id: Any, session_handle: str) -> None:
        from .types import recipe_user_id_str

        payload = {
            "userId": user_id,
            "recipeUserId": recipe_user_id_str(recipe_user_id),
            "sessionHandle": session_handle,
        }
        super().__init__("token theft detected", "TOKEN_THEFT_DETECTED", payload, True)

    def _field(self, key: str) -> str:
        value = self.payload.get(key, "") if isinstance(self.payload, dict) else ""
        return value if isinstance(value, str) else ""

    @property
    def user_id(self) -> str:
        """The session's user id."""
        return self._field("userId")

    @property
    def recipe_user_id(self) -> Any:
        """The session's :class:`~tessera.types.RecipeUserId`."""
        from .types import RecipeUserId

        return RecipeUserId(self._field("recipeUserId") or self._field("userId"))

    @property
    def session_handle(self) -> str:
        """The handle of the revoked session."""
        return self._field("sessionHandle")


class InvalidClaimsError(SuperTokensSessionError):
    """``INVALID_CLAIMS``: the session's claims failed validation (403 by default).

    ``payload`` is the list of failed validators, ``{"id": ..., "reason": ...}``.
    """

    CODE = "INVALID_CLAIMS"

    def __init__(self, msg: str = "invalid claim", payload: Any = None) -> None:
        super().__init__(msg, "INVALID_CLAIMS", payload if payload is not None else [], False)


class ClearDuplicateSessionCookiesError(SuperTokensSessionError):
    """``CLEAR_DUPLICATE_SESSION_COOKIES``: duplicate cookies were cleared from
    ``older_cookie_domain``; the client should refresh again."""

    CODE = "CLEAR_DUPLICATE_SESSION_COOKIES"

    def __init__(self, msg: str = "clear duplicate session cookies", payload: Any = None) -> None:
        super().__init__(msg, "CLEAR_DUPLICATE_SESSION_COOKIES", payload, False)


class InvalidConfigError(TesseraError):
    """``INVALID_CONFIG``: the configuration is wrong; the message names the option."""

    CODE = "INVALID_CONFIG"


class InvalidInputError(TesseraError):
    """``INVALID_INPUT``: an argument is not acceptable (for example a protected payload key)."""

    CODE = "INVALID_INPUT"


class StorageError(TesseraError):
    """``STORAGE``: the session store failed (disk, locking, connection)."""

    CODE = "STORAGE"


class NotSupportedError(TesseraError):
    """``NOT_SUPPORTED``: the operation needs something this setup does not have (for example
    the embedded session authority, when only a remote JWKS is configured)."""

    CODE = "NOT_SUPPORTED"


class InternalError(TesseraError):
    """``INTERNAL``: a bug or a panic inside Tessera."""

    CODE = "INTERNAL"


class WouldBlockError(TesseraError):
    """``WOULD_BLOCK``: a call made without I/O allowed needs disk or network. Internal: the
    framework integrations catch it and retry off the event loop; users never see it."""

    CODE = "WOULD_BLOCK"


#: supertokens-python's general errors, for code that catches them by name.
GeneralError = InternalError
BadInputError = InvalidInputError


#: The one mapping from core error codes to classes; ``test_exceptions`` checks it covers
#: ``_native.all_error_kinds()``.
_CLASS_BY_CODE: Dict[str, Type[TesseraError]] = {
    "UNAUTHORISED": UnauthorisedError,
    "TRY_REFRESH_TOKEN": TryRefreshTokenError,
    "TOKEN_THEFT_DETECTED": TokenTheftError,
    "INVALID_CLAIMS": InvalidClaimsError,
    "CLEAR_DUPLICATE_SESSION_COOKIES": ClearDuplicateSessionCookiesError,
    "INVALID_CONFIG": InvalidConfigError,
    "INVALID_INPUT": InvalidInputError,
    "STORAGE": StorageError,
    "NOT_SUPPORTED": NotSupportedError,
    "INTERNAL": InternalError,
    "WOULD_BLOCK": WouldBlockError,
}


def _from_native(code: str, message: str, payload_json: Optional[str], clear_tokens: bool) -> TesseraError:
    """Builds the exception the native module raises for a core error.

    Never fails: an unknown code becomes :class:`InternalError` (keeping the code), and a
    payload that is not JSON is kept as its raw string.
    """
    cls = _CLASS_BY_CODE.get(code, InternalError)
    payload: Any = None
    if payload_json is not None:
        try:
            payload = json.loads(payload_json)
        except ValueError:
            payload = payload_json
    # The subclasses' constructors mirror supertokens-python's signatures; bypass them so
    # every kind is built the same way from the core's four fields.
    err = cls.__new__(cls)
    TesseraError.__init__(err, str(message), str(code), payload, bool(clear_tokens))
    if isinstance(err, SuperTokensSessionError):
        err.response_mutators = []
    return err


def _claim_error_to_json(value: Any) -> Any:
    """Lets a payload hold supertokens-python-style objects with ``to_json()``."""
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
