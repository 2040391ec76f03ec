"""``create_jwt`` and ``get_jwks`` for async code (the signing key may come from the store:
run in a worker thread)."""

from typing import Any, Dict, Optional, Union

from ..._util import off_loop
from . import _functions
from .interfaces import CreateJwtOkResult, CreateJwtResultUnsupportedAlgorithm, GetJWKSResult

__all__ = ["create_jwt", "get_jwks"]


async def create_jwt(
    payload: Optional[Dict[str, Any]] = None,
    validity_seconds: Optional[int] = None,
    use_static_signing_key: Optional[bool] = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Union[CreateJwtOkResult, CreateJwtResultUnsupportedAlgorithm]:
    """A JWT of ``payload`` signed by the session authority's static key (its current dynamic
    key with ``use_static_signing_key=False``), valid for ``validity_seconds`` (default 100
    years), with ``iss`` (unless ``payload`` has one), ``iat`` and ``exp``. Verify it with
    the JWKS served at ``{api_base_path}/jwt/jwks.json``.

    Raises:
        NotSupportedError: the engine has no embedded store (a remote core's JWKS).
    """
    return await off_loop(_functions.create_jwt, payload, validity_seconds, use_static_signing_key)


async def get_jwks(user_context: Optional[Dict[str, Any]] = None) -> GetJWKSResult:
    """The public keys that verify the session authority's tokens."""
    return await off_loop(_functions.get_jwks)
