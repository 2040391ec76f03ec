"""The JWT functions of the session authority (supertokens-python's
``supertokens_python.recipe.jwt``): :mod:`.asyncio` and :mod:`.syncio` have ``create_jwt`` and
``get_jwks``; the result types are in :mod:`.interfaces`. As in the SDKs, every app has them
without adding a recipe."""

from typing import Any, Optional

from ...exceptions import NotSupportedError

__all__ = ["JWTRecipeInit", "init"]


class JWTRecipeInit:
    """The JWT recipe's entry in ``tessera.init(recipe_list=[...])``: optional, as in the
    SDKs, for its options."""

    recipe_id = "jwt"

    def __init__(self, jwt_validity_seconds: Optional[int]) -> None:
        #: ``create_jwt``'s validity when the call gives none (``None``: 100 years).
        self.jwt_validity_seconds = jwt_validity_seconds


def init(jwt_validity_seconds: Optional[int] = None, override: Any = None) -> JWTRecipeInit:
    """The JWT recipe's options: ``jwt_validity_seconds``, the default validity of
    ``create_jwt``.

    Raises:
        TypeError: ``jwt_validity_seconds`` is not a non-negative int.
        NotSupportedError: ``override`` (Tessera's JWT functions cannot be replaced).
    """
    if jwt_validity_seconds is not None and (
        not isinstance(jwt_validity_seconds, int) or isinstance(jwt_validity_seconds, bool) or jwt_validity_seconds < 0
    ):
        raise TypeError(f"jwt_validity_seconds must be a non-negative int, not {jwt_validity_seconds!r}")
    if override is not None:
        raise NotSupportedError("jwt.init(override=...) is not supported by Tessera")
    return JWTRecipeInit(jwt_validity_seconds)
