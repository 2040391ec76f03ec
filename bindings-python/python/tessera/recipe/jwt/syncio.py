"""``create_jwt`` and ``get_jwks`` for sync code; see :mod:`tessera.recipe.jwt.asyncio`."""

from typing import Any, Dict, Optional, Union

from . import _functions
from .interfaces import CreateJwtOkResult, CreateJwtResultUnsupportedAlgorithm, GetJWKSResult

__all__ = ["create_jwt", "get_jwks"]


def create_jwt(
    payload: Optional[Dict[str, Any]] = None,
    validity_seconds: Optional[int] = None,
    use_static_signing_key: Optional[bool] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Union[CreateJwtOkResult, CreateJwtResultUnsupportedAlgorithm]:
    """:func:`tessera.recipe.jwt.asyncio.create_jwt` for sync code."""
    return _functions.create_jwt(payload, validity_seconds, use_static_signing_key)


def get_jwks(user_context: Optional[Dict[str, Any]] = None) -> GetJWKSResult:
    """:func:`tessera.recipe.jwt.asyncio.get_jwks` for sync code."""
    return _functions.get_jwks()
