"""``verify_session`` for FastAPI::

    from fastapi import Depends
    from tessera.recipe.session import SessionContainer
    from tessera.recipe.session.framework.fastapi import verify_session

    @app.get("/getJWT")
    async def get_jwt(session: SessionContainer = Depends(verify_session())):
        return {"token": session.get_access_token()}

Install ``tessera.framework.fastapi.get_middleware()`` too: it answers the errors raised here
and writes token changes to the response.
"""

from typing import Any, Callable, Coroutine, Dict, Optional

from starlette.requests import Request

from ..... import _state
from .....exceptions import WouldBlockError
from .....framework.fastapi import session_exception_handler
from .....framework.fastapi.request import SESSION_KEY, FastApiRequest
from ... import _common
from ...interfaces import SessionContainer

__all__ = ["session_exception_handler", "verify_session"]


def verify_session(
    anti_csrf_check: Optional[bool] = None,
    session_required: bool = True,
    check_database: bool = False,
    override_global_claim_validators: _common.ClaimOverride = None,
    user_context: Optional[Dict[str, Any]] = None,
) -> Callable[[Request], Coroutine[Any, Any, Optional[SessionContainer]]]:
    """A FastAPI dependency that verifies the request's session and returns it (``None``
    when there is none and ``session_required`` is false). The session is also stored on
    ``request.state.supertokens``.

    A token whose key is known is verified on the event loop without I/O; anything that
    needs the store (``check_database``, an unknown key) runs in a worker thread.

    Raises (from the dependency):
        UnauthorisedError, TryRefreshTokenError, ...: answered by the middleware with the
            protocol's 401/403 response.
    """
    options = _common.VerifySessionOptions(
        anti_csrf_check, session_required, check_database, override_global_claim_validators, user_context
    )
    required = options.session_required

    async def func(request: Request) -> Optional[SessionContainer]:
        # Every protected request comes here. Under a server's load each Python call and
        # object costs about a microsecond with cold caches, so the usual case (the core alone
        # decides, a token whose key is known) is written out here with the ASGI scope's own
        # values; anything else goes through the shared path.
        state = _state._current  # what _state.current() returns, without a call
        if state is not None and state.verifies_natively and options.natively:
            scope = request.scope
            try:
                native, mutations = state.engine.verify_session(
                    scope["method"], scope["path"], scope.get("headers", ()), required, anti_csrf_check, False, False
                )
            except WouldBlockError:
                pass
            else:
                if mutations is None:
                    session = None if native is None else SessionContainer(state.engine, native)
                    scope.setdefault("state", {})[SESSION_KEY] = session  # scope_state(scope)
                    return session
                return _common.store_verified(FastApiRequest(request), state.engine, (native, mutations), True)
        return await _common.verify_session(FastApiRequest(request), options)

    return func
