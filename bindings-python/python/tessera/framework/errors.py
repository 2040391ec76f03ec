"""Answering session errors for every framework: the protocol's default answer, or the app's
handler from ``session.init(error_handlers=InputErrorHandlers(...))``.

A framework integration makes its own response wrapper (with the request's pending changes
already on it) and calls :func:`answer_error` (or :func:`answer_error_async`), then sends the
wrapper it gets back.
"""

import inspect
from typing import TYPE_CHECKING, Any, Callable, List, Optional, TypeVar

from .. import _state
from .._util import off_loop, resolved, run_sync
from ..exceptions import SuperTokensSessionError, TokenTheftError
from .request import Mutations, RequestAdapter
from .response import ResponseAdapter, apply_mutations

if TYPE_CHECKING:
    from ..recipe.session.exceptions import ClaimValidationError

__all__ = ["answer_error", "answer_error_async"]

R = TypeVar("R", bound=ResponseAdapter)

#: The app's handler for one error, with the error's own arguments bound.
_Call = Callable[[RequestAdapter, ResponseAdapter], Any]


def _claim_errors(payload: Any) -> List["ClaimValidationError"]:
    from ..recipe.session.exceptions import ClaimValidationError

    # Raised by the app, the payload holds ClaimValidationError objects; from the core, dicts.
    out: List[ClaimValidationError] = []
    for item in payload if isinstance(payload, list) else []:
        if isinstance(item, ClaimValidationError):
            out.append(item)
        elif isinstance(item, dict):
            out.append(ClaimValidationError(str(item.get("id", "")), item.get("reason")))
    return out


def _handler_call(error: SuperTokensSessionError) -> Optional[_Call]:
    """The app's handler for ``error``, or ``None`` for the default answer."""
    handlers = _state.current().error_handlers
    if handlers is None:
        return None
    code = error.code
    if code == "UNAUTHORISED" and handlers.on_unauthorised is not None:
        unauthorised = handlers.on_unauthorised
        return lambda req, res: unauthorised(req, error.message, res)
    if code == "TRY_REFRESH_TOKEN" and handlers.on_try_refresh_token is not None:
        try_refresh = handlers.on_try_refresh_token
        return lambda req, res: try_refresh(req, error.message, res)
    if code == "TOKEN_THEFT_DETECTED" and handlers.on_token_theft_detected is not None:
        theft = handlers.on_token_theft_detected
        if not isinstance(error, TokenTheftError):
            return None
        return lambda req, res: theft(req, error.session_handle, error.user_id, error.recipe_user_id, res)
    if code == "INVALID_CLAIMS" and handlers.on_invalid_claim is not None:
        invalid = handlers.on_invalid_claim
        return lambda req, res: invalid(req, _claim_errors(error.payload), res)
    if code == "CLEAR_DUPLICATE_SESSION_COOKIES" and handlers.on_clear_duplicate_session_cookies is not None:
        duplicate = handlers.on_clear_duplicate_session_cookies
        return lambda req, res: duplicate(req, error.message, res)
    return None


def _core_answer(adapter: RequestAdapter, error: SuperTokensSessionError, prelude_only: bool) -> Mutations:
    method, path, headers = adapter.native_request()
    return _state.engine().error_response(
        method, path, headers, error.code, error.message, error._payload_json(), error.clear_tokens, prelude_only
    )


def _chosen(given: R, returned: Any) -> R:
    """The response a handler returned, when it is one of this framework's, else the one it
    was given (a handler that only changes it may return nothing)."""
    return returned if isinstance(returned, type(given)) else given


def answer_error(adapter: RequestAdapter, response: R, error: SuperTokensSessionError) -> R:
    """Writes the answer to ``error`` on ``response`` and returns the response to send. May
    block: the default answer to token theft revokes the session in the store."""
    call = _handler_call(error)
    if call is None:
        apply_mutations(response, _core_answer(adapter, error, False))
        return response
    apply_mutations(response, _core_answer(adapter, error, True))
    result = call(adapter, response)
    if inspect.isawaitable(result):
        result = run_sync(result)
    return _chosen(response, result)


async def answer_error_async(adapter: RequestAdapter, response: R, error: SuperTokensSessionError) -> R:
    """:func:`answer_error` on an event loop: the core's default answer runs in a worker
    thread, and the handler may be async."""
    call = _handler_call(error)
    if call is None:
        apply_mutations(response, await off_loop(_core_answer, adapter, error, False))
        return response
    # What precedes a handler never touches the store.
    apply_mutations(response, _core_answer(adapter, error, True))
    result = await resolved(call(adapter, response))
    return _chosen(response, result)
