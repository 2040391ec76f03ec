"""Small private helpers shared by the public modules."""

import asyncio
import json
from typing import Any, Callable, Dict, Optional, TypeVar

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs ``fn(*args, **kwargs)`` in a worker thread: native calls that touch the store must
    not block the event loop (the native side releases the GIL while it works).

    The call sees a copy of the caller's context (``asyncio.to_thread``), so framework state
    kept in context variables (Flask's ``g`` and ``request``) is reachable from it."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def to_json(value: Optional[Dict[str, Any]], what: str) -> str:
    """``value`` (a dict, or ``None`` for ``{}``) as the JSON the native module takes."""
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, not {type(value).__name__}")
    return json.dumps(value)
