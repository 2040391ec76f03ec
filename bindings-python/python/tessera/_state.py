"""The process-wide state made by :func:`tessera.init`: one native engine and the framework.

Private: everything public reads it through :func:`engine` and :func:`framework`.
"""

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Optional

from . import _native
from .exceptions import InvalidConfigError

if TYPE_CHECKING:
    from .recipe.session.interfaces import APIInterface
    from .recipe.session.recipe_implementation import RecipeInterface
    from .recipe.session.utils import InputErrorHandlers

#: ``get_token_transfer_method`` given as a function: ``(request, for_create_new_session,
#: user_context) -> "any" | "cookie" | "header"``.
TransferMethodChooser = Callable[[Any, bool, Dict[str, Any]], str]


class _State:
    __slots__ = (
        "engine",
        "framework",
        "mode",
        "choose_transfer_method",
        "error_handlers",
        "recipe_implementation",
        "api_implementation",
        "overridden",
        "get_session_overridden",
        "claims_overridden",
        "jwt_validity_seconds",
        "api_path_prefix",
        "rewritable_path",
        "path_answers",
        "verifies_natively",
    )

    def __init__(
        self,
        engine: "_native.Engine",
        framework: str,
        mode: str,
        choose_transfer_method: Optional[TransferMethodChooser] = None,
        error_handlers: Optional["InputErrorHandlers"] = None,
        recipe_implementation: Optional["RecipeInterface"] = None,
        api_implementation: Optional["APIInterface"] = None,
        overridden: FrozenSet[str] = frozenset(),
        jwt_validity_seconds: Optional[int] = None,
    ) -> None:
        self.engine = engine
        self.framework = framework
        self.mode = mode
        self.choose_transfer_method = choose_transfer_method
        #: ``session.init(error_handlers=...)``, or ``None``.
        self.error_handlers = error_handlers
        #: What ``session.init(override=...)`` made of the recipe's functions; ``None``
        #: without an override, so that calls go straight to the native engine.
        self.recipe_implementation = recipe_implementation
        #: What ``session.init(override=...)`` made of the recipe's APIs; ``None`` without
        #: an ``apis`` override, so that the core serves the endpoints and verifies routes
        #: in one native call.
        self.api_implementation = api_implementation
        #: The names of the recipe functions the override replaced: the calls that must go
        #: through ``recipe_implementation`` rather than straight to the engine.
        self.overridden = overridden
        # Asked on every verification, so answered once here.
        self.get_session_overridden = "get_session" in overridden
        self.claims_overridden = bool(overridden & {"get_global_claim_validators", "validate_claims"})
        #: Whether a route's verification is the native call alone: no function or API
        #: override and no transfer-method function decides any part of it.
        self.verifies_natively = (
            api_implementation is None
            and not self.get_session_overridden
            and not self.claims_overridden
            and choose_transfer_method is None
        )
        #: ``jwt.init(jwt_validity_seconds=...)``: ``create_jwt``'s default validity.
        self.jwt_validity_seconds = jwt_validity_seconds
        #: A path neither starting with ``api_path_prefix`` nor matching ``rewritable_path``
        #: is one ``engine.is_api_request`` certainly refuses (the core's rule, see
        #: ``Engine.api_path_prefix``). Middlewares check that first: every request of an app
        #: passes them, and a native call costs more than a string comparison.
        self.api_path_prefix = engine.api_path_prefix
        self.rewritable_path = re.compile("[" + re.escape(_native.PATH_REWRITING_CHARS) + "]").search
        #: :func:`may_be_api_path`'s answers by path: an app has few paths, and a dictionary
        #: lookup costs a fifth of the prefix test and pattern search it replaces.
        self.path_answers: Dict[str, bool] = {}


_current: Optional[_State] = None

_NOT_INITIALISED = "Initialisation not done. Did you forget to call tessera.init()?"


def install(state: _State) -> None:
    """Makes ``state`` the current one (``init`` again replaces it)."""
    global _current
    _current = state


def current() -> _State:
    """The state made by the last ``init``."""
    state = _current
    if state is None:
        raise InvalidConfigError(_NOT_INITIALISED)
    return state


def engine() -> "_native.Engine":
    """The native engine made by the last ``init``."""
    state = _current
    if state is None:
        raise InvalidConfigError(_NOT_INITIALISED)
    return state.engine


def framework() -> str:
    """The ``framework`` given to ``init``."""
    return current().framework


def overriding(name: str) -> Any:
    """The app's recipe implementation when its override replaced the function ``name``,
    else ``None`` (the caller then takes its direct path)."""
    state = current()
    return state.recipe_implementation if name in state.overridden else None


#: Paths are the client's to choose: :attr:`_State.path_answers` keeps at most this many, and
#: none longer than :data:`_PATH_ANSWER_MAX_LEN`, so that no client can grow it without bound.
_PATH_ANSWERS_MAX = 1024
_PATH_ANSWER_MAX_LEN = 256


def may_be_api_path(state: _State, path: str) -> bool:
    """Whether ``path`` may be one of the core's endpoints (false: it certainly is not)."""
    known = state.path_answers.get(path)
    if known is None:
        known = path.startswith(state.api_path_prefix) or state.rewritable_path(path) is not None
        if len(path) <= _PATH_ANSWER_MAX_LEN and len(state.path_answers) < _PATH_ANSWERS_MAX:
            state.path_answers[path] = known
    return known


def reset() -> None:
    """Forgets the engine (tests)."""
    global _current
    _current = None
