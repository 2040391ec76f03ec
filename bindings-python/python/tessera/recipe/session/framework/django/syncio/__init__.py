"""``verify_session`` for sync Django views (supertokens-python's
``supertokens_python.recipe.session.framework.django.syncio``)::

    from django.http import JsonResponse
    from tessera.recipe.session.framework.django.syncio import verify_session

    @verify_session()
    def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

Sync views need no event loop: the native calls release the GIL while the core works. The
decorator is :func:`tessera.recipe.session.framework.django.verify_session`, shared with
``.asyncio``: it follows the view, so an ``async def`` view gets an async wrapper.
"""

from .. import verify_session

__all__ = ["verify_session"]
