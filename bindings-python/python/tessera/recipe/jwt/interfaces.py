"""What the JWT functions return, in supertokens-python's names."""

from typing import Any, Dict, List, Optional

__all__ = ["CreateJwtOkResult", "CreateJwtResultUnsupportedAlgorithm", "GetJWKSResult", "JsonWebKey"]


class JsonWebKey:
    """One public key of the JWKS."""

    def __init__(self, kty: str, kid: str, n: str, e: str, alg: str, use: str) -> None:
        self.kty = kty
        self.kid = kid
        self.n = n
        self.e = e
        self.alg = alg
        self.use = use

    def to_json(self) -> Dict[str, Any]:
        """The key as a JWK."""
        return {"kty": self.kty, "kid": self.kid, "n": self.n, "e": self.e, "alg": self.alg, "use": self.use}


class CreateJwtOkResult:
    """``create_jwt``'s answer: the signed ``jwt``."""

    def __init__(self, jwt: str) -> None:
        self.jwt = jwt


class CreateJwtResultUnsupportedAlgorithm:
    """``create_jwt``'s answer for an algorithm other than RS256 (Tessera only signs RS256,
    so it never returns this; it exists for code written against supertokens-python)."""


class GetJWKSResult:
    """``get_jwks``'s answer: the public keys, and how long they may be cached (seconds)."""

    def __init__(self, keys: List[JsonWebKey], validity_in_secs: Optional[int]) -> None:
        self.keys = keys
        self.validity_in_secs = validity_in_secs
