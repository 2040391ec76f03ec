"""The FastAPI (Starlette, any ASGI app) integration: the middleware and an exception handler.

::

    from tessera.framework.fastapi import get_middleware
    app.add_middleware(get_middleware())

The middleware serves the core's endpoints (``POST {apiBasePath}/session/refresh``,
``POST {apiBasePath}/signout``, ``GET {apiBasePath}/jwt/jwks.json``), writes the session's
token changes to every response, and answers session errors raised by the app. Without it,
``app.add_exception_handler(TesseraError, session_exception_handler)`` answers the errors
(with every header and cookie the protocol asks for), but nothing writes token changes.
"""

# Annotations stay unevaluated: `send_with_session` below is defined once per request, and an
# evaluated `Awaitable[None]` costs a typing-cache lookup each time.
from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Type

from starlette.requests import Request
from starlette.responses import Response

from ... import _state
from ..._util import off_loop
from ...exceptions import SuperTokensSessionError
from ...recipe.session.api import overridden_endpoint, serve_api
from ..errors import answer_error_async
from ..request import Mutations
from ..response import apply_all
from .request import MUTATIONS_KEY, SESSION_KEY, FastApiRequest, scope_headers, scope_state
from .response import AsgiHeaders

__all__ = ["FastApiRequest", "Middleware", "get_middleware", "session_exception_handler"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


#: Set in ``scope["state"]`` once the pending mutations are in a response.
_WRITTEN_KEY = "tessera_mutations_written"


def _pending(state: Dict[str, Any]) -> List[Mutations]:
    """The mutations of this request not yet written: its own, then its session's."""
    if state.get(_WRITTEN_KEY):
        return []
    out: List[Mutations] = list(state.get(MUTATIONS_KEY) or ())
    session = state.get(SESSION_KEY)
    if session is not None:
        out.extend(getattr(session, "response_mutations", ()))
    return out


async def _send(send: Send, response: AsgiHeaders) -> None:
    """Sends a whole response made here (an endpoint's answer or an error's)."""
    body = response.body if response.body is not None else b""
    headers = response.headers
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_answer(send: Send, mutations: List[Mutations]) -> None:
    """Sends a whole response made by the core (an endpoint's answer)."""
    response = AsgiHeaders()
    apply_all(response, mutations)
    await _send(send, response)


async def _error_answer(scope: Scope, receive: Receive, error: SuperTokensSessionError) -> AsgiHeaders:
    """The answer to ``error`` for this request, after the changes still pending on it (so
    that the error's own, clearing the tokens say, win over a token issued earlier in the
    same request)."""
    response = AsgiHeaders()
    apply_all(response, _pending(scope_state(scope)))
    return await answer_error_async(FastApiRequest(Request(scope, receive)), response, error)


async def _serve_endpoint(tessera: "_state._State", scope: Scope, receive: Receive, send: Send) -> bool:
    """Answers a request for one of the core's endpoints; false when the app's API override
    disabled it, so that the app answers."""
    endpoint = overridden_endpoint(scope["method"], scope["path"])
    try:
        if endpoint is not None:
            served = await serve_api(FastApiRequest(Request(scope, receive)), AsgiHeaders(), endpoint)
            if served is None:
                return False
            await _send(send, served)
            return True
        # Refresh and sign-out touch the store: keep them off the event loop.
        transfer = None
        if tessera.choose_transfer_method is not None:
            transfer = FastApiRequest(Request(scope, receive)).token_transfer_method(False)
        answer = await off_loop(
            functools.partial(
                tessera.engine.handle_api_request,
                token_transfer_method=transfer,
                raise_errors=tessera.error_handlers is not None,
            ),
            scope["method"],
            scope["path"],
            scope_headers(scope),
        )
    except SuperTokensSessionError as error:
        await _send(send, await _error_answer(scope, receive, error))
        return True
    if answer is None:
        return False
    await _send_answer(send, [answer])
    return True


class Middleware:
    """A pure ASGI middleware (not ``BaseHTTPMiddleware``, so streaming and background tasks
    are untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Every request of the app comes here: module attributes and inline code rather than
        # calls (_state.current(), scope_state()), which cost a microsecond each under load.
        tessera = _state._current or _state.current()
        path = scope["path"]
        maybe_api = tessera.path_answers.get(path)  # _state.may_be_api_path's known answer
        if maybe_api is None:
            maybe_api = _state.may_be_api_path(tessera, path)
        if maybe_api and tessera.engine.is_api_request(scope["method"], path):
            if await _serve_endpoint(tessera, scope, receive, send):
                return

        state = scope.setdefault("state", {})
        started = False

        # A plain function returning ``send``'s awaitable, not a coroutine function: every
        # response message passes through here, and a coroutine would add a frame to each.
        def send_with_session(message: Message) -> Awaitable[None]:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # Most responses have nothing to write: look before building anything.
                session = state.get(SESSION_KEY)
                if state.get(MUTATIONS_KEY) or getattr(session, "response_mutations", None):
                    pending = _pending(state)
                    if pending:
                        headers = AsgiHeaders(message.get("headers") or ())
                        apply_all(headers, pending)
                        message["headers"] = headers.headers
            return send(message)

        try:
            await self.app(scope, receive, send_with_session)
        except SuperTokensSessionError as error:
            # Other Tessera errors are bugs or outages: let the server log them and answer 500.
            if started:
                raise
            await _send(send, await _error_answer(scope, receive, error))


def get_middleware() -> Type[Middleware]:
    """The middleware class, for ``app.add_middleware(get_middleware())``."""
    return Middleware


async def session_exception_handler(request: Request, exc: Exception) -> Response:
    """An exception handler for ``app.add_exception_handler(TesseraError, ...)`` when the
    middleware is not used. Unlike supertokens-python's, the answer keeps the protocol's
    headers and cookies (token clearing, ``front-token: remove``).

    Errors that are not session errors are raised again, for the server to log and answer 500.
    """
    if not isinstance(exc, SuperTokensSessionError):
        raise exc
    answer = await _error_answer(request.scope, request.receive, exc)
    # With the middleware installed too, this response passes through it: do not write the
    # pending changes again over the error's.
    scope_state(request.scope)[_WRITTEN_KEY] = True
    response = Response(content=answer.body or b"", status_code=answer.status or 200)
    # Keep Starlette's content-length; every other header comes from the answer.
    response.raw_headers = [(k, v) for k, v in response.raw_headers if k == b"content-length"] + answer.headers
    return response
