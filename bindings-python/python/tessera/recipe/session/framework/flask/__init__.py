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
    options = _common.VerifySessionOptions(
        anti_csrf_check, session_required, check_database, override_global_claim_validators, user_context
    )

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            adapter = FlaskRequest(request._get_current_object())  # type: ignore[attr-defined]
            try:
                _common.verify_session_sync(adapter, options)
                response = make_response(current_app.ensure_sync(view)(*args, **kwargs))
            except SuperTokensSessionError as error:
                return error_response(error)
            return write_pending(adapter, response)

        return cast(_View, wrapped)

    return decorator
