"""The process-wide state made by :func:`tessera.init`: one native engine and the framework.

Private: everything public reads it through :func:`engine` and :func:`framework`.
"""

from typing import Optional

from . import _native
from .exceptions import InvalidConfigError


class _State:
    __slots__ = ("engine", "framework", "mode")

    def __init__(self, engine: "_native.Engine", framework: str, mode: str) -> None:
        self.engine = engine
        self.framework = framework
        self.mode = mode


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


def reset() -> None:
    """Forgets the engine (tests)."""
    global _current
    _current = None
