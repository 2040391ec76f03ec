"""``verify_session`` for Django: import it from ``.asyncio`` (async views) or ``.syncio``
(sync views), as with supertokens-python::

    from tessera.recipe.session.framework.django.asyncio import verify_session

    @verify_session()
    async def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

Both decorators look at the view they wrap: a sync view gets a sync wrapper and an async view
an async one, whichever module the decorator came from, so Django never has to adapt the view
across threads and a mismatched import still works.

The decorator verifies the session and stores it on ``request.supertokens`` (and on
``request._request.supertokens`` for a Django REST framework request); it answers its own
verification errors. The middleware ``tessera.framework.django.django_middleware.middleware``
does the rest: it writes the token changes to the response and answers session errors raised
later by the view.
"""

from functools import wraps
from typing import Any, Callable, Dict, Optional, TypeVar, cast

from asgiref.sync import iscoroutinefunction

from ..... import _state
from .....exceptions import SuperTokensSessionError
from .....framework.django.django_middleware import error_response, error_response_async
from .....framework.django.request import DjangoRequest
from ... import _common

__all__ = ["VerifySessionOptions", "verify_session_decorator"]

_View = TypeVar("_View", bound=Callable[..., Any])


class VerifySessionOptions:
    """The arguments of ``verify_session``, checked once at decoration time."""

    __slots__ = ("anti_csrf_check", "session_required", "check_database", "override", "user_context")

    def __init__(
        self,
        anti_csrf_check: Optional[bool],
        session_required: bool,
        check_database: bool,
        override: _common.ClaimOverride,
        user_context: Optional[Dict[str, Any]],
    ) -> None:
        self.anti_csrf_check = anti_csrf_check
        self.session_required = bool(session_required)
        self.check_database = bool(check_database)
        self.override = override
        self.user_context = user_context


def _verify_sync(adapter: DjangoRequest, options: VerifySessionOptions) -> None:
    """Verifies and stores the session (or ``None``) on the request. Raises session errors."""
    engine = _state.engine()
    native, mutations = _common.verify_in_request_sync(
        engine, adapter.native_request(), options.session_required, options.anti_csrf_check, options.check_database
    )
    session = _common.attach(adapter, engine, native, mutations)
    if session is None:
        adapter.set_session(None)
    _common.check_claim_override_sync(options.override, session, options.user_context)


async def _verify_async(adapter: DjangoRequest, options: VerifySessionOptions) -> None:
    """:func:`_verify_sync` on an event loop: inline when the core needs no I/O, else in a
    worker thread."""
    engine = _state.engine()
    native, mutations = await _common.verify_in_request(
        engine, adapter.native_request(), options.session_required, options.anti_csrf_check, options.check_database
    )
    session = _common.attach(adapter, engine, native, mutations)
    if session is None:
        adapter.set_session(None)
    await _common.check_claim_override(options.override, session, options.user_context)


def _sync_wrapper(view: Callable[..., Any], options: VerifySessionOptions) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        adapter = DjangoRequest(request)
        try:
            _verify_sync(adapter, options)
        except SuperTokensSessionError as error:
            return error_response(adapter, error)
        # Outside the try: a session error the view raises is the middleware's to answer
        # (process_exception), after any token changes the view made.
        return view(request, *args, **kwargs)

    return wrapped


def _async_wrapper(view: Callable[..., Any], options: VerifySessionOptions) -> Callable[..., Any]:
    @wraps(view)
    async def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        adapter = DjangoRequest(request)
        try:
            await _verify_async(adapter, options)
        except SuperTokensSessionError as error:
            return await error_response_async(adapter, error)
        return await view(request, *args, **kwargs)

    return wrapped


def verify_session_decorator(options: VerifySessionOptions) -> Callable[[_View], _View]:
    """The decorator behind both modules' ``verify_session``: a sync or an async wrapper,
    following the view."""

    def decorator(view: _View) -> _View:
        if iscoroutinefunction(view):
            return cast(_View, _async_wrapper(view, options))
        return cast(_View, _sync_wrapper(view, options))

    return decorator
