"""Applying the core's mutations to a Flask (Werkzeug) response."""

from typing import Optional, Type

from werkzeug.wrappers import Response

from ..request import Mutations, RequestAdapter
from ..response import ResponseAdapter, apply_mutations, apply_pending, set_cookie_name

__all__ = ["FlaskResponse", "answer", "write_pending"]

_SET_COOKIE = "Set-Cookie"


class FlaskResponse(ResponseAdapter):
    """A Werkzeug ``Response`` (what Flask views, ``make_response`` and ``after_request`` see)."""

    def __init__(self, response: Response) -> None:
        self.response = response

    def set_status(self, status: int) -> None:
        """Sets the status code."""
        self.response.status_code = status

    def set_body(self, body: bytes, content_type: str) -> None:
        """Sets the body and its content type; Werkzeug updates ``Content-Length``."""
        self.response.set_data(body)
        self.response.headers["Content-Type"] = content_type

    def get_header(self, name: str) -> Optional[str]:
        """The header's values, joined with ``", "`` if it appears more than once (so an
        ``append`` keeps every value the app set)."""
        values = self.response.headers.getlist(name)
        return ", ".join(values) if values else None

    def set_header(self, name: str, value: str) -> None:
        """Replaces the header."""
        self.response.headers.set(name, value)

    def remove_header(self, name: str) -> None:
        """Deletes the header."""
        self.response.headers.remove(name)

    def add_set_cookie(self, cookie_name: str, header_value: str) -> None:
        """Adds the ``Set-Cookie`` value raw (the core wrote the whole header, attributes
        included; ``set_cookie`` would re-serialise it), replacing one for the same cookie."""
        headers = self.response.headers
        existing = headers.getlist(_SET_COOKIE)
        if existing:
            kept = [v for v in existing if set_cookie_name(v) != cookie_name]
            if len(kept) != len(existing):
                headers.remove(_SET_COOKIE)
                for value in kept:
                    headers.add(_SET_COOKIE, value)
        headers.add(_SET_COOKIE, header_value)


def answer(mutations: Mutations, response_class: Type[Response] = Response) -> Response:
    """A whole response made by the core (an endpoint's answer or an error's)."""
    response = response_class(status=200)
    apply_mutations(FlaskResponse(response), mutations)
    return response


def write_pending(request: RequestAdapter, response: Response) -> Response:
    """:func:`tessera.framework.response.apply_pending` on a Werkzeug ``response``, which it
    returns.

    Forgetting makes this safe to call more than once per request: the ``verify_session``
    decorator writes them so it works without ``Middleware``, and ``after_request`` writes
    whatever came later (a session created or changed outside the decorator).
    """
    apply_pending(request, FlaskResponse(response))
    return response
