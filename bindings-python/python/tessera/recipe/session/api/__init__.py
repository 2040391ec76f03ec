"""The session recipe's APIs (refresh, sign-out, a route's verification) as an app's
``session.init(override=InputOverrideConfig(apis=...))`` made them.

Without that override the core serves the endpoints in one native call; with it a framework
integration asks :func:`overridden_endpoint` for each request and lets :func:`serve_api` (or
:func:`serve_api_sync`) answer refresh and sign-out through the app's functions. The answer is
written on the framework's response wrapper, as :mod:`tessera.framework.errors` does for
errors; session errors are raised for the integration to answer as it answers any other.
"""

from typing import Any, Dict, Optional, TypeVar

from .... import _state
from ...._util import run_sync
from ....framework.request import RequestAdapter
from ....framework.response import ResponseAdapter, apply_pending
from .. import _common
from ..recipe_implementation import with_request
from .implementation import APIImplementation, api_options

__all__ = ["APIImplementation", "overridden_endpoint", "serve_api", "serve_api_sync"]

R = TypeVar("R", bound=ResponseAdapter)

#: The endpoints an API override serves; the JWKS is always the core's.
_OVERRIDABLE_ENDPOINTS = ("refresh", "signout")


def overridden_endpoint(method: str, path: str) -> Optional[str]:
    """``"refresh"`` or ``"signout"`` when the app's API override is to answer this request;
    ``None`` when the core's endpoint handling applies (no override, or another request)."""
    state = _state.current()
    if state.api_implementation is None:
        return None
    endpoint = state.engine.api_endpoint(method, path)
    return endpoint if endpoint in _OVERRIDABLE_ENDPOINTS else None


def _no_claim_validators(_validators: Any, _session: Any, _user_context: Dict[str, Any]) -> Any:
    return []


async def serve_api(adapter: RequestAdapter, response: R, endpoint: str) -> Optional[R]:
    """Answers a request :func:`overridden_endpoint` named through the app's API function,
    on ``response``, which it returns; ``None`` when the app disabled that API (the request
    goes on to the app's own routes).

    As in the SDKs, sign-out first verifies the session (required, no claim validators), and
    the answer is 200 with the function's result as JSON (``{}`` for refresh), carrying the
    token changes the request made.

    Raises:
        SuperTokensSessionError: from the verification or the app's function.
    """
    api = _state.current().api_implementation
    if api is None:
        raise RuntimeError("serve_api without an API override")
    options = api_options(adapter, response)
    user_context = with_request({}, adapter)
    body: Dict[str, Any]
    if endpoint == "refresh":
        if api.disable_refresh_post:
            return None
        await api.refresh_post(options, user_context)
        body = {}
    else:
        if api.disable_signout_post:
            return None
        verify = _common.VerifySessionOptions(None, True, False, _no_claim_validators, user_context)
        session = await _common.verify_session(adapter, verify, for_route=False)
        if session is None:
            raise RuntimeError("a required session verified as None")
        body = (await api.signout_post(session, options, user_context)).to_json()
    apply_pending(adapter, response)
    # What the app's function already answered through ``api_options.response`` stands.
    response.set_status_code(200)
    response.set_json_content(body)
    return response


def serve_api_sync(adapter: RequestAdapter, response: R, endpoint: str) -> Optional[R]:
    """:func:`serve_api` for sync frameworks (the app's functions are async, as in
    supertokens-python)."""
    return run_sync(serve_api(adapter, response, endpoint))
