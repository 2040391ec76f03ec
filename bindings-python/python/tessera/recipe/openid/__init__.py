"""The OpenID functions (supertokens-python's ``supertokens_python.recipe.openid``): the
discovery document served at ``{api_base_path}/.well-known/openid-configuration``, and
``create_jwt`` / ``get_jwks`` as in :mod:`tessera.recipe.jwt`. As in the SDKs, every app has
them without adding a recipe."""

from typing import Any, Optional

from ...exceptions import NotSupportedError

__all__ = ["OpenIdRecipeInit", "init"]


class OpenIdRecipeInit:
    """The OpenID recipe's entry in ``tessera.init(recipe_list=[...])``: optional, as in the
    SDKs; it changes nothing."""

    recipe_id = "openid"


def init(issuer: Optional[str] = None, override: Any = None) -> OpenIdRecipeInit:
    """The OpenID recipe, with its defaults.

    Raises:
        NotSupportedError: an ``issuer`` (Tessera's is ``api_domain`` + ``api_base_path``,
            the ``iss`` of its access tokens) or an ``override``.
    """
    if issuer is not None:
        raise NotSupportedError(
            "openid.init(issuer=...) is not supported by Tessera: the issuer is api_domain + api_base_path"
        )
    if override is not None:
        raise NotSupportedError("openid.init(override=...) is not supported by Tessera")
    return OpenIdRecipeInit()
