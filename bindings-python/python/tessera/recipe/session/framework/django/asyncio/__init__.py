"""``verify_session`` for async Django views (supertokens-python's
``supertokens_python.recipe.session.framework.django.asyncio``)::

    from django.http import JsonResponse
    from tessera.recipe.session.framework.django.asyncio import verify_session

    @verify_session()
    async def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

The decorator is :func:`tessera.recipe.session.framework.django.verify_session`, shared with
``.syncio``: it follows the view, so a sync view gets a sync wrapper.
"""

from .. import verify_session

__all__ = ["verify_session"]
