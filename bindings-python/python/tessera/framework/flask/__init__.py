"""The Flask integration: ``Middleware(app)``.

::

    from tessera.framework.flask import Middleware
    Middleware(app)

The middleware serves the core's endpoints (``POST {apiBasePath}/session/refresh``,
``POST {apiBasePath}/signout``, ``GET {apiBasePath}/jwt/jwks.json``), writes the session's
token changes to every response (those of verification, of a session created with
``create_new_session(request, ...)``, and of session methods such as
``sync_merge_into_access_token_payload`` and ``sync_revoke_session``), and answers session
errors raised by views with the protocol's response. ``verify_session`` works without it
(it answers its own errors and writes its own changes), but then nothing serves refresh and
sign-out, and a session created outside a decorated view never gets its tokens written.

Flask views are sync: every native call releases the GIL, so other threads keep running
while the core works, and there is no event loop to create.
"""

from typing import Optional

from flask import Flask, current_app, g
from flask import request as _flask_request
from werkzeug.wrappers import Response

from ... import _state
from ...exceptions import SuperTokensSessionError
from ...recipe.session.api import overridden_endpoint, serve_api_sync
from ..errors import answer_error
from ..request import serve_endpoint
from .request import FlaskRequest
from .response import FlaskResponse, answer, write_pending

__all__ = ["FlaskRequest", "FlaskResponse", "Middleware", "error_response"]


def _current_request() -> FlaskRequest:
    # ``flask.request`` under another name: the ``.request`` submodule takes ``request`` here.
    return FlaskRequest(_flask_request._get_current_object())  # type: ignore[attr-defined]


def error_response(error: SuperTokensSessionError) -> Response:
    """The protocol's answer to a session error raised while serving the current request:
    its status, JSON body, headers and ``Set-Cookie`` (token clearing, ``front-token:
    remove``).

    Changes still pending on the request are written first, so the error's own (clearing
    the tokens, say) win over, for example, a token issued earlier in the same request.
    Answering token theft revokes the session in the store.
    """
    adapter = _current_request()
    response = current_app.response_class(status=200)
    write_pending(adapter, response)
    return answer_error(adapter, FlaskResponse(response), error).response


class Middleware:
    """Registers Tessera's request hooks and error handler on a Flask app.

    The hooks are the app's own (``before_request``, ``after_request``,
    ``teardown_request``, ``errorhandler(SuperTokensSessionError)``), so they cover every
    blueprint. Other Tessera errors (an outage, a misconfiguration) are left to the app's own
    error handlers, or to Flask's 500, as any other exception.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        app.before_request(self._serve_endpoints)
        app.after_request(self._write_mutations)
        app.teardown_request(self._forget_session)
        # Session errors only: Flask gives an error the handler of its closest class, so a
        # handler for every TesseraError would hide outages from the app's own
        # ``errorhandler(Exception)``.
        app.register_error_handler(SuperTokensSessionError, self._answer_error)

    @staticmethod
    def _serve_endpoints() -> Optional[Response]:
        """Answers the request if it is for one of the core's endpoints."""
        tessera = _state.current()
        adapter = _current_request()
        path = adapter.path()
        # Most requests are the app's own: skip building the header list for them.
        if not (_state.may_be_api_path(tessera, path) and tessera.engine.is_api_request(adapter.method(), path)):
            return None
        endpoint = overridden_endpoint(adapter.method(), path)
        try:
            if endpoint is not None:
                response = FlaskResponse(current_app.response_class(status=200))
                served = serve_api_sync(adapter, response, endpoint)
                # None: the app's override disabled this API, so the app answers.
                return None if served is None else served.response
            mutations = serve_endpoint(adapter)
        except SuperTokensSessionError as error:
            return error_response(error)
        if mutations is None:
            return None
        return answer(mutations, current_app.response_class)

    @staticmethod
    def _write_mutations(response: Response) -> Response:
        """Writes the changes the request's session (or its verification) still has to make."""
        return write_pending(_current_request(), response)

    @staticmethod
    def _forget_session(_exc: Optional[BaseException]) -> None:
        """Drops ``g.supertokens``: an app context pushed by the app itself outlives the
        request, and the next request must not see this one's session."""
        g.pop("supertokens", None)

    @staticmethod
    def _answer_error(error: SuperTokensSessionError) -> Response:
        """Answers a session error with the protocol's response."""
        return error_response(error)
