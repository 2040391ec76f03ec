"""Public value types shared by the recipes (supertokens-python's ``supertokens_python.types``)."""

from typing import Any, Awaitable, TypeVar, Union

from .response import APIResponse, GeneralErrorResponse

__all__ = ["APIResponse", "GeneralErrorResponse", "MaybeAwaitable", "RecipeUserId", "recipe_user_id_str"]

_T = TypeVar("_T")

#: A value, or an awaitable of it: what overridable callbacks may return.
MaybeAwaitable = Union[Awaitable[_T], _T]


class RecipeUserId:
    """The id of a user as one login method knows it (``rsub`` in the access token).

    Tessera has no account linking, so it is usually the same string as the user id; the type
    exists so that code written for supertokens-python runs unchanged.
    """

    __slots__ = ("recipe_user_id",)

    def __init__(self, recipe_user_id: str) -> None:
        if not isinstance(recipe_user_id, str):
            raise TypeError(f"recipe_user_id must be a str, not {type(recipe_user_id).__name__}")
        self.recipe_user_id = recipe_user_id

    def get_as_string(self) -> str:
        """The id as a plain string."""
        return self.recipe_user_id

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, RecipeUserId):
            return self.recipe_user_id == other.recipe_user_id
        return NotImplemented

    def __hash__(self) -> int:
        return hash((RecipeUserId, self.recipe_user_id))

    def __repr__(self) -> str:
        return f"RecipeUserId({self.recipe_user_id!r})"

    def __str__(self) -> str:
        return self.recipe_user_id


def recipe_user_id_str(value: Union[RecipeUserId, str]) -> str:
    """``value`` as a string; both a :class:`RecipeUserId` and a plain ``str`` are accepted
    wherever a recipe user id is taken."""
    if isinstance(value, RecipeUserId):
        return value.recipe_user_id
    if isinstance(value, str):
        return value
    raise TypeError(f"recipe_user_id must be a RecipeUserId or a str, not {type(value).__name__}")
