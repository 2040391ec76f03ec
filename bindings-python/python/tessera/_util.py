"""Small private helpers shared by the public modules."""

import asyncio
import concurrent.futures
import inspect
import json
from typing import Any, Awaitable, Callable, Dict, Optional, TypeVar

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs ``fn(*args, **kwargs)`` in a worker thread: native calls that touch the store must
    not block the event loop (the native side releases the GIL while it works).

    The call sees a copy of the caller's context (``asyncio.to_thread``), so framework state
    kept in context variables (Flask's ``g`` and ``request``) is reachable from it."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def resolved(value: Any) -> Any:
    """``value``, awaited first when it is awaitable: for application callbacks that may be
    sync or async (error handlers, claim fetchers and validators, claim overrides)."""
    return await value if inspect.isawaitable(value) else value


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def run_sync(awaitable: Awaitable[T]) -> T:
    """The result of an application's async callback (an error handler, an override), from
    sync code (Flask, Django's sync views, the ``syncio`` functions)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(awaitable))
    # Sync code called on a running loop (an async app calling a sync function): the loop is
    # busy with us, so the callback runs on a loop of its own in another thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _awaited(awaitable)).result()


def to_json(value: Optional[Dict[str, Any]], what: str) -> str:
    """``value`` (a dict, or ``None`` for ``{}``) as the JSON the native module takes."""
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, not {type(value).__name__}")
    return json.dumps(value)
