"""What ``session.init(...)`` returns: the session options, in the core's camelCase names."""

from typing import Any, Dict

__all__ = ["SessionRecipeInit"]


class SessionRecipeInit:
    """The session recipe's entry in ``tessera.init(recipe_list=[...])``.

    ``options`` holds only the options that were set, under the core's names
    (``cookieSecure``, ``tokenTransferMethod``, ...); the core validates them when the engine
    is made and names the option it rejects.
    """

    recipe_id = "session"

    def __init__(self, options: Dict[str, Any]) -> None:
        self.options = options

    def __repr__(self) -> str:
        return f"SessionRecipeInit({self.options!r})"
