"""``verify_session`` for Flask::

    from flask import g
    from tessera.recipe.session.framework.flask import verify_session

    @app.route("/getJWT")
    @verify_session()
    def get_jwt():
        return {"token": g.supertokens.get_access_token()}

``@app.route`` goes outside ``@verify_session()``. Install
``tessera.framework.flask.Middleware(app)`` too: it serves refresh and sign-out, and writes
the token changes of sessions created or changed outside a decorated view.
"""

from functools import wraps
from typing import Any, Callable, Dict, Optional, TypeVar, cast

from flask import current_app, make_response, request
from werkzeug.wrappers import Response

from ..... import _state
from .....exceptions import SuperTokensSessionError
from .....framework.flask import error_response
from .....framework.flask.request import FlaskRequest
from .....framework.flask.response import write_pending
from ... import _common

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
    ``flask.g.supertokens`` (``None`` when there is none and ``session_required`` is false)
    before calling the view.

    Session errors, from verification or raised by the view, are answered here with the
    protocol's 401/403 response (status, JSON body, token clearing), so the decorator works
    even without ``Middleware``; for the same reason it writes the session's token changes
    to the view's response itself. Other errors propagate. ``async def`` views run through
    Flask's ``ensure_sync``.
    """
    required = bool(session_required)
    check_db = bool(check_database)

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            adapter = FlaskRequest(request._get_current_object())  # type: ignore[attr-defined]
            try:
                engine = _state.engine()
                native, mutations = _common.verify_in_request_sync(
                    engine, adapter.native_request(), required, anti_csrf_check, check_db
                )
                if native is None:
                    adapter.add_response_mutations(mutations)
                    adapter.set_session(None)
                else:
                    session = _common.attach_session(adapter, engine, native, mutations)
                    _common.check_claim_override_sync(override_global_claim_validators, session, user_context)
                response = make_response(current_app.ensure_sync(view)(*args, **kwargs))
            except SuperTokensSessionError as error:
                return error_response(error)
            return write_pending(adapter, response)

        return cast(_View, wrapped)

    return decorator
