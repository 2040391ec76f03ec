"""The OpenID functions (supertokens-python's ``supertokens_python.recipe.openid``): the
discovery document served at ``{api_base_path}/.well-known/openid-configuration``, and
``create_jwt`` / ``get_jwks`` as in :mod:`tessera.recipe.jwt`. As in the SDKs, every app has
them without adding a recipe."""
