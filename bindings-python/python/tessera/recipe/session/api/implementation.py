"""Tessera's session APIs as supertokens-python's ``APIInterface``: what an app's
``session.init(override=InputOverrideConfig(apis=...))`` receives and may wrap."""

from typing import Any, Callable, Dict, Optional

from ....framework.request import RequestAdapter
from ....framework.response import ResponseAdapter
from .. import _common
from ..interfaces import APIInterface, APIOptions, SessionContainer, SignOutOkayResponse

__all__ = ["APIImplementation", "api_options", "build"]


class APIImplementation(APIInterface):
    """What the core does at each endpoint, one step per method, so that an override can
    run code around it (or instead of it)."""

    async def refresh_post(self, api_options: APIOptions, user_context: Dict[str, Any]) -> SessionContainer:
        """Refreshes the request's session; the new tokens go on the response."""
        from ..asyncio import refresh_session

        return await refresh_session(api_options.request, user_context)

    async def signout_post(
        self, session: SessionContainer, api_options: APIOptions, user_context: Dict[str, Any]
    ) -> SignOutOkayResponse:
        """Revokes the session; the response clears its tokens."""
        await session.revoke_session(user_context)
        return SignOutOkayResponse()

    async def verify_session(
        self,
        api_options: APIOptions,
        anti_csrf_check: Optional[bool],
        session_required: bool,
        check_database: bool,
        override_global_claim_validators: Optional[Callable[..., Any]],
        user_context: Dict[str, Any],
    ) -> Optional[SessionContainer]:
        """Verifies the request's session as ``verify_session`` does without an override."""
        options = _common.VerifySessionOptions(
            anti_csrf_check, session_required, check_database, override_global_claim_validators, user_context
        )
        return await _common.verify_session(api_options.request, options, for_route=False, api_rules=True)


def api_options(request: RequestAdapter, response: Optional[ResponseAdapter]) -> APIOptions:
    """The options an API function gets for ``request``."""
    from ..recipe_implementation import functions

    return APIOptions(request, response, "session", None, functions())


def build(apis: Callable[[APIImplementation], Any]) -> APIInterface:
    """The implementation an app's ``override.apis`` makes of Tessera's.

    Raises:
        TypeError: it returned something that is not an ``APIInterface``.
    """
    result = apis(APIImplementation())
    if not isinstance(result, APIInterface):
        raise TypeError(f"override apis must return the API implementation, not {type(result).__name__}")
    return result
