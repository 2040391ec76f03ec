"""The session errors under supertokens-python's names
(``supertokens_python.recipe.session.exceptions``), with its ``raise_*`` helpers.

A session error raised in a route is answered by the framework middleware with the protocol's
response (401 or 403, the body, and the header and cookie changes the error calls for)::

    from tessera.recipe.session.exceptions import raise_unauthorised_exception

    if not allowed:
        raise_unauthorised_exception("the user was deleted")
"""

from typing import Any, Dict, List, NoReturn, Optional, Union

from ...exceptions import (
    ClearDuplicateSessionCookiesError,
    InvalidClaimsError,
    SuperTokensSessionError,
    TesseraError,
    TokenTheftError,
    TryRefreshTokenError,
    UnauthorisedError,
)
from ...types import RecipeUserId

__all__ = [
    "ClaimValidationError",
    "ClearDuplicateSessionCookiesError",
    "InvalidClaimsError",
    "SuperTokensSessionError",
    "TokenTheftError",
    "TryRefreshTokenError",
    "UnauthorisedError",
    "raise_clear_duplicate_session_cookies_exception",
    "raise_invalid_claims_exception",
    "raise_token_theft_exception",
    "raise_try_refresh_token_exception",
    "raise_unauthorised_exception",
]


class ClaimValidationError:
    """One failed claim validator of an :class:`InvalidClaimsError`: its ``id_`` and why."""

    def __init__(self, id_: str, reason: Optional[Union[str, Dict[str, Any]]]) -> None:
        self.id_ = id_
        self.reason = reason

    def to_json(self) -> Dict[str, Any]:
        """``{"id": ..., "reason": ...}`` as the 403 body's ``claimValidationErrors`` lists it
        (no ``reason`` key when there is none)."""
        out: Dict[str, Any] = {"id": self.id_}
        if self.reason is not None:
            out["reason"] = self.reason
        return out

    def __repr__(self) -> str:
        return f"ClaimValidationError(id_={self.id_!r}, reason={self.reason!r})"


def raise_token_theft_exception(
    user_id: str, recipe_user_id: Union[RecipeUserId, str], session_handle: str
) -> NoReturn:
    """Raises :class:`TokenTheftError`; answering it revokes the session ``session_handle``."""
    raise TokenTheftError(user_id, recipe_user_id, session_handle)


def raise_try_refresh_token_exception(ex: Union[str, Exception]) -> NoReturn:
    """Raises :class:`TryRefreshTokenError` with ``ex``'s text; a Tessera error is raised as
    it is."""
    if isinstance(ex, TesseraError):
        raise ex
    raise TryRefreshTokenError(str(ex)) from None


def raise_unauthorised_exception(
    msg: str, clear_tokens: bool = True, response_mutators: Optional[List[Any]] = None
) -> NoReturn:
    """Raises :class:`UnauthorisedError`; with ``clear_tokens`` (the default) the answer clears
    the session's cookies or headers."""
    err = UnauthorisedError(msg, clear_tokens)
    if response_mutators is not None:
        err.response_mutators.extend(response_mutators)
    raise err


def raise_clear_duplicate_session_cookies_exception(msg: str, response_mutators: List[Any]) -> NoReturn:
    """Raises :class:`ClearDuplicateSessionCookiesError`."""
    err = ClearDuplicateSessionCookiesError(msg)
    err.response_mutators.extend(response_mutators)
    raise err


def raise_invalid_claims_exception(msg: str, payload: List[ClaimValidationError]) -> NoReturn:
    """Raises :class:`InvalidClaimsError`: answered 403 with ``payload`` as the body's
    ``claimValidationErrors``."""
    raise InvalidClaimsError(msg, payload)
