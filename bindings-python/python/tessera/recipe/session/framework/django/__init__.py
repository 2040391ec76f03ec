"""``verify_session`` for Django: import it from ``.asyncio`` (async views) or ``.syncio``
(sync views), as with supertokens-python::

    from tessera.recipe.session.framework.django.asyncio import verify_session

    @verify_session()
    async def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

Both modules' ``verify_session`` is the one decorator defined here. It looks at the view it
wraps: a sync view gets a sync wrapper and an async view an async one, whichever module it
was imported from, so Django never has to adapt the view across threads and a mismatched
import still works.

The decorator verifies the session and stores it on ``request.supertokens`` (and on
``request._request.supertokens`` for a Django REST framework request); it answers its own
verification errors. The middleware ``tessera.framework.django.django_middleware.middleware``
does the rest: it writes the token changes to the response and answers session errors raised
later by the view.
"""

from functools import wraps
from typing import Any, Callable, Dict, Optional, TypeVar, cast

from asgiref.sync import iscoroutinefunction

from .....exceptions import SuperTokensSessionError
from .....framework.django.django_middleware import error_response, error_response_async
from .....framework.django.request import DjangoRequest
from ... import _common
from ..._common import VerifySessionOptions

__all__ = ["VerifySessionOptions", "verify_session_decorator"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _sync_wrapper(view: Callable[..., Any], options: VerifySessionOptions) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        adapter = DjangoRequest(request)
        try:
            _common.verify_session_sync(adapter, options)
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
            await _common.verify_session(adapter, options)
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


def verify_session(
    anti_csrf_check: Optional[bool] = None,
    session_required: bool = True,
    check_database: bool = False,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Callable[[_View], _View]:
    """A view decorator that verifies the request's session and stores it on
    ``request.supertokens`` (``None`` when there is none and ``session_required`` is false)
    before calling the view.

    A sync view gets a sync wrapper and an ``async def`` view an async one. In the async
    wrapper, a token whose key is known is verified on the event loop without I/O; anything
    that needs the store (``check_database``, an unknown key) runs in a worker thread.
    Verification errors are answered here with the protocol's 401/403 response; session
    errors the view raises are answered by the middleware.
    """
    options = VerifySessionOptions(
        anti_csrf_check, session_required, check_database, override_global_claim_validators, user_context
    )
    return verify_session_decorator(options)
