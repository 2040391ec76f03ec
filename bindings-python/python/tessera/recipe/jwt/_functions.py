"""The native calls behind the JWT and OpenID functions, shared by their asyncio and syncio
modules (and the session recipe's)."""

import json
from typing import Any, Dict, Optional

from ... import _state
from ..._util import to_json
from .interfaces import CreateJwtOkResult, GetJWKSResult, JsonWebKey


def create_jwt(
    payload: Optional[Dict[str, Any]], validity_seconds: Optional[int], use_static_signing_key: Optional[bool]
) -> CreateJwtOkResult:
    """Signs ``payload`` (``iss``, ``iat`` and ``exp`` added; the static key unless
    ``use_static_signing_key`` is ``False``, as in the SDKs)."""
    if validity_seconds is not None and (not isinstance(validity_seconds, int) or validity_seconds < 0):
        raise TypeError(f"validity_seconds must be a non-negative int, not {validity_seconds!r}")
    state = _state.current()
    if validity_seconds is None:
        validity_seconds = state.jwt_validity_seconds
    jwt = state.engine.create_jwt(to_json(payload, "payload"), validity_seconds, use_static_signing_key is not False)
    return CreateJwtOkResult(jwt)


def get_jwks() -> GetJWKSResult:
    """The JWKS the endpoint serves, with its max-age."""
    doc, max_age = _state.engine().jwks()
    keys = [
        JsonWebKey(
            k.get("kty", ""), k.get("kid", ""), k.get("n", ""), k.get("e", ""), k.get("alg", ""), k.get("use", "")
        )
        for k in json.loads(doc).get("keys", [])
    ]
    return GetJWKSResult(keys, max_age)


def discovery_configuration() -> Dict[str, Any]:
    """The OpenID discovery document."""
    doc: Dict[str, Any] = json.loads(_state.engine().openid_discovery_configuration())
    return doc
