"""``verify_session`` for sync Django views (supertokens-python's
``supertokens_python.recipe.session.framework.django.syncio``)::

    from django.http import JsonResponse
    from tessera.recipe.session.framework.django.syncio import verify_session

    @verify_session()
    def get_jwt(request):
        return JsonResponse({"token": request.supertokens.get_access_token()})

Sync views need no event loop: the native calls release the GIL while the core works.
"""

from typing import Any, Callable, Dict, Optional, TypeVar

from .... import _common
from .. import VerifySessionOptions, verify_session_decorator

__all__ = ["verify_session"]

_View = TypeVar("_View", bound=Callable[..., Any])


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

    Verification errors are answered here with the protocol's 401/403 response; session
    errors the view raises are answered by the middleware. An ``async def`` view gets an
    async wrapper.
    """
    options = VerifySessionOptions(
        anti_csrf_check, session_required, check_database, override_global_claim_validators, user_context
    )
    return verify_session_decorator(options)
