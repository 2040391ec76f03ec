"""The session errors under supertokens-python's names
(``supertokens_python.recipe.session.exceptions``)."""

from ...exceptions import (
    ClearDuplicateSessionCookiesError,
    InvalidClaimsError,
    SuperTokensSessionError,
    TokenTheftError,
    TryRefreshTokenError,
    UnauthorisedError,
)

__all__ = [
    "ClearDuplicateSessionCookiesError",
    "InvalidClaimsError",
    "SuperTokensSessionError",
    "TokenTheftError",
    "TryRefreshTokenError",
    "UnauthorisedError",
]
