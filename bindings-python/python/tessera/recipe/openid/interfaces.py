"""What the OpenID functions return, in supertokens-python's names."""

from typing import Any, Dict, List

__all__ = ["GetOpenIdDiscoveryConfigurationResult"]


class GetOpenIdDiscoveryConfigurationResult:
    """The OpenID discovery document: the issuer (``api_domain`` + ``api_base_path``, the
    ``iss`` of every access token), the JWKS URL, and the OAuth2 endpoints the SDKs list."""

    def __init__(
        self,
        issuer: str,
        jwks_uri: str,
        authorization_endpoint: str,
        token_endpoint: str,
        userinfo_endpoint: str,
        revocation_endpoint: str,
        token_introspection_endpoint: str,
        end_session_endpoint: str,
        subject_types_supported: List[str],
        id_token_signing_alg_values_supported: List[str],
        response_types_supported: List[str],
    ) -> None:
        self.issuer = issuer
        self.jwks_uri = jwks_uri
        self.authorization_endpoint = authorization_endpoint
        self.token_endpoint = token_endpoint
        self.userinfo_endpoint = userinfo_endpoint
        self.revocation_endpoint = revocation_endpoint
        self.token_introspection_endpoint = token_introspection_endpoint
        self.end_session_endpoint = end_session_endpoint
        self.subject_types_supported = subject_types_supported
        self.id_token_signing_alg_values_supported = id_token_signing_alg_values_supported
        self.response_types_supported = response_types_supported

    def to_json(self) -> Dict[str, Any]:
        """The document as served."""
        return dict(vars(self))
