"""The JWT functions of the session authority (supertokens-python's
``supertokens_python.recipe.jwt``): :mod:`.asyncio` and :mod:`.syncio` have ``create_jwt`` and
``get_jwks``; the result types are in :mod:`.interfaces`. As in the SDKs, every app has them
without adding a recipe."""
