"""The OpenID functions for sync code."""

from typing import Any, Dict, Optional

from ..jwt import _functions
from ..jwt.syncio import create_jwt, get_jwks
from .interfaces import GetOpenIdDiscoveryConfigurationResult

__all__ = ["create_jwt", "get_jwks", "get_open_id_discovery_configuration"]


def get_open_id_discovery_configuration(
    user_context: Optional[Dict[str, Any]] = None,
) -> GetOpenIdDiscoveryConfigurationResult:
    """The document served at ``{api_base_path}/.well-known/openid-configuration``."""
    return GetOpenIdDiscoveryConfigurationResult(**_functions.discovery_configuration())
