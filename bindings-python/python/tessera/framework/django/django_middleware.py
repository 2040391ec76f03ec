"""The Django middleware: ``"tessera.framework.django.django_middleware.middleware"`` in
``settings.MIDDLEWARE``.

It serves the core's endpoints (``POST {apiBasePath}/session/refresh``,
``POST {apiBasePath}/signout``, ``GET {apiBasePath}/jwt/jwks.json``), writes the token
changes collected on the request to every response (those of verification, of a session
created with ``create_new_session(request, ...)``, and of session methods such as
``merge_into_access_token_payload`` and ``revoke_session``), and answers session errors raised
by views with the protocol's response.

It declares both capabilities (``sync_and_async_middleware``), so Django runs its sync
branch under WSGI and its async branch under ASGI without a thread hop; the async branch runs
refresh and sign-out, which reach the session store, in a worker thread.
"""

from typing import Any, Awaitable, Callable, Optional, Union

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from ... import _state
from ..._util import off_loop
from ...exceptions import SuperTokensSessionError
from ...recipe.session.api import overridden_endpoint, serve_api, serve_api_sync
from ..errors import answer_error, answer_error_async
from ..request import serve_endpoint
from .request import DjangoRequest, wrap_request
from .response import DjangoResponse, answer, write_pending

__all__ = ["error_response", "error_response_async", "middleware"]

#: The next handler in Django's chain: sync, or async returning an awaitable.
GetResponse = Callable[[HttpRequest], Any]
#: What the factory returns: a sync or an async handler.
Handler = Union[Callable[[HttpRequest], HttpResponseBase], Callable[[HttpRequest], Awaitable[HttpResponseBase]]]


def error_response(request: Any, error: SuperTokensSessionError) -> HttpResponse:
    """The answer to a session error raised while serving ``request`` (a Django or DRF
    request): the protocol's status, JSON body, headers and cookies (token clearing,
    ``front-token: remove``), or the app's error handler's. Blocks on the store when the
    default answer to token theft revokes the session.

    Changes still pending on the request go first, so that the error's own (clearing the
    tokens, say) win over, for example, a token issued earlier in the same request."""
    adapter = wrap_request(request)
    response = HttpResponse(status=200)
    write_pending(adapter, response)
    return answer_error(adapter, DjangoResponse(response), error).response  # type: ignore[return-value]


async def error_response_async(request: Any, error: SuperTokensSessionError) -> HttpResponse:
    """:func:`error_response` for async code: the core's default answer runs in a worker
    thread, and the app's handler may be async."""
    adapter = wrap_request(request)
    response = HttpResponse(status=200)
    write_pending(adapter, response)
    return (await answer_error_async(adapter, DjangoResponse(response), error)).response  # type: ignore[return-value]


class _Middleware:
    """What both branches share: the exception hook."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Optional[HttpResponse]:
        """Answers session errors raised by a view (Django turns an exception into a 500
        before it reaches the code around ``get_response``, so this hook is the one that
        sees it). Other errors, Tessera's included, are left to Django: they are bugs or
        outages, to be logged and answered 500. Django calls this hook synchronously (in a
        worker thread under ASGI), so it may block."""
        if isinstance(exception, SuperTokensSessionError):
            return error_response(request, exception)
        return None


class _SyncMiddleware(_Middleware):
    """The WSGI branch."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        adapter = DjangoRequest(request)
        tessera = _state.current()
        path = adapter.path()
        # Most requests are the app's own: skip building the header list for them.
        if _state.may_be_api_path(tessera, path) and tessera.engine.is_api_request(adapter.method(), path):
            endpoint = overridden_endpoint(adapter.method(), path)
            try:
                if endpoint is not None:
                    served = serve_api_sync(adapter, DjangoResponse(HttpResponse(status=200)), endpoint)
                    # None: the app's override disabled this API, so the app answers.
                    if served is not None:
                        return served.response  # type: ignore[no-any-return]
                else:
                    mutations = serve_endpoint(adapter)
                    if mutations is not None:
                        return answer(mutations)
            except SuperTokensSessionError as error:
                return error_response(request, error)
        response = self.get_response(request)
        return write_pending(adapter, response)  # type: ignore[no-any-return]


class _AsyncMiddleware(_Middleware):
    """The ASGI branch."""

    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        # Django tells async middleware from sync by this mark on the instance.
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        adapter = DjangoRequest(request)
        tessera = _state.current()
        path = adapter.path()
        if _state.may_be_api_path(tessera, path) and tessera.engine.is_api_request(adapter.method(), path):
            endpoint = overridden_endpoint(adapter.method(), path)
            try:
                if endpoint is not None:
                    served = await serve_api(adapter, DjangoResponse(HttpResponse(status=200)), endpoint)
                    # None: the app's override disabled this API, so the app answers.
                    if served is not None:
                        return served.response  # type: ignore[no-any-return]
                else:
                    # Refresh and sign-out touch the store: keep them off the event loop.
                    mutations = await off_loop(serve_endpoint, adapter)
                    if mutations is not None:
                        return answer(mutations)
            except SuperTokensSessionError as error:
                return await error_response_async(request, error)
        response = await self.get_response(request)
        return write_pending(adapter, response)  # type: ignore[no-any-return]


@sync_and_async_middleware
def middleware(get_response: GetResponse) -> Handler:
    """The middleware factory Django calls with the next handler; it returns the async branch
    when that handler is async (ASGI), else the sync one."""
    if iscoroutinefunction(get_response):
        return _AsyncMiddleware(get_response)
    return _SyncMiddleware(get_response)
