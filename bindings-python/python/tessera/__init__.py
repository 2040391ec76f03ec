"""Tessera: session management speaking the SuperTokens session protocol, on a Rust core.

Code written for supertokens-python's session recipe runs with ``supertokens_python``
replaced by ``tessera`` in its imports::

    from tessera import init, InputAppInfo, SupertokensConfig
    from tessera.recipe import session

    init(
        app_info=InputAppInfo(app_name="app", api_domain="http://localhost:8000",
                              website_domain="http://localhost:3000"),
        framework="fastapi",
        supertokens_config=SupertokensConfig(),  # embedded SQLite
        recipe_list=[session.init()],
    )
"""

from .exceptions import SuperTokensError, TesseraError
from .supertokens import InputAppInfo, SupertokensConfig, get_all_cors_headers, get_request_from_user_context, init
from .types import RecipeUserId

__all__ = [
    "InputAppInfo",
    "RecipeUserId",
    "SuperTokensError",
    "SupertokensConfig",
    "TesseraError",
    "convert_to_recipe_user_id",
    "get_all_cors_headers",
    "get_request_from_user_context",
    "init",
]


def convert_to_recipe_user_id(user_id: str) -> RecipeUserId:
    """``RecipeUserId(user_id)``, as supertokens-python offers it."""
    return RecipeUserId(user_id)
