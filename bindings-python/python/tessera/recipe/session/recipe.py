"""What ``session.init(...)`` returns: the session options, in the core's camelCase names."""

from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Optional

if TYPE_CHECKING:
    from .interfaces import APIInterface
    from .recipe_implementation import RecipeInterface
    from .utils import InputErrorHandlers

__all__ = ["SessionRecipe", "SessionRecipeInit"]


class SessionRecipeInit:
    """The session recipe's entry in ``tessera.init(recipe_list=[...])``.

    ``options`` holds only the options that were set, under the core's names
    (``cookieSecure``, ``tokenTransferMethod``, ...); the core validates them when the engine
    is made and names the option it rejects.
    """

    recipe_id = "session"

    def __init__(
        self,
        options: Dict[str, Any],
        get_token_transfer_method: Optional[Callable[..., str]] = None,
        error_handlers: Optional["InputErrorHandlers"] = None,
        recipe_implementation: Optional["RecipeInterface"] = None,
        api_implementation: Optional["APIInterface"] = None,
        overridden: FrozenSet[str] = frozenset(),
    ) -> None:
        self.options = options
        #: ``get_token_transfer_method`` when it was given as a function (asked per request).
        self.get_token_transfer_method = get_token_transfer_method
        #: The app's answers to session errors, if any.
        self.error_handlers = error_handlers
        #: The recipe's functions as the app's override made them, if any.
        self.recipe_implementation = recipe_implementation
        #: The recipe's APIs as the app's override made them, if any.
        self.api_implementation = api_implementation
        #: The recipe functions the override replaced.
        self.overridden = overridden

    def __repr__(self) -> str:
        return f"SessionRecipeInit({self.options!r})"


class SessionRecipe:
    """The initialised session recipe, as supertokens-python's ``SessionRecipe``:
    ``SessionRecipe.get_instance().recipe_implementation`` is the implementation every
    session function goes through (the override's, if any)."""

    def __init__(self, recipe_implementation: "RecipeInterface", api_implementation: Optional["APIInterface"]) -> None:
        self.recipe_implementation = recipe_implementation
        self.api_implementation = api_implementation

    @staticmethod
    def get_instance() -> "SessionRecipe":
        """The recipe ``tessera.init`` set up.

        Raises:
            InvalidConfigError: ``tessera.init`` was not called.
        """
        from ... import _state
        from .recipe_implementation import functions

        return SessionRecipe(functions(), _state.current().api_implementation)
