"""The Django integration (sync and async views, and Django REST framework).

::

    # settings.py
    MIDDLEWARE = [
        "tessera.framework.django.django_middleware.middleware",
        ...
    ]

    # views.py
    from tessera.recipe.session.framework.django.asyncio import verify_session

    @verify_session()
    async def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

``tessera.recipe.session.framework.django.syncio`` has the same decorator for sync views.
The middleware is needed: it serves refresh and sign-out, writes every token change to the
response and answers session errors raised in views (see
:mod:`tessera.framework.django.django_middleware`).
"""

from .django_middleware import error_response, error_response_async, middleware
from .request import DjangoRequest, wrap_request
from .response import DjangoResponse

__all__ = ["DjangoRequest", "DjangoResponse", "error_response", "error_response_async", "middleware", "wrap_request"]
