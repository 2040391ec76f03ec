"""Applying the core's mutations to a Django response."""

from http.cookies import Morsel
from typing import Any, Dict, Optional, Tuple, Union
from urllib.parse import unquote

from django.http import HttpResponse
from django.http.response import HttpResponseBase

from ..request import Mutations, RequestAdapter
from ..response import ResponseAdapter, apply_mutations, apply_pending

__all__ = ["DjangoResponse", "answer", "parse_set_cookie", "set_cookie_from_header", "write_pending"]

#: Attributes are looked up in lower case; the flags have no value.
_VALUED_ATTRIBUTES = ("expires", "max-age", "path", "domain", "samesite")
_FLAG_ATTRIBUTES = ("secure", "httponly")

CookieAttributes = Dict[str, Union[str, bool]]


def parse_set_cookie(header_value: str) -> Tuple[str, str, CookieAttributes]:
    """Splits a ``Set-Cookie`` header value into ``(name, raw_value, attributes)``.

    Attribute names are lower-cased; ``Secure`` and ``HttpOnly`` map to ``True``, the others
    to their text. The value is kept as sent (the core percent-encodes it).

    Raises:
        ValueError: an attribute Django's cookies cannot carry (dropping it silently could
            drop a security attribute).
    """
    first, *parts = header_value.split(";")
    name, _, value = first.partition("=")
    attrs: CookieAttributes = {}
    for part in parts:
        key, _, attr_value = part.strip().partition("=")
        key = key.strip().lower()
        if key in _VALUED_ATTRIBUTES:
            attrs[key] = attr_value.strip()
        elif key in _FLAG_ATTRIBUTES:
            attrs[key] = True
        elif key:
            raise ValueError(f"Set-Cookie attribute {key!r} is not supported by Django's cookies")
    return name.strip(), value.strip(), attrs


def set_cookie_from_header(response: HttpResponseBase, header_value: str) -> None:
    """Sets the cookie a complete ``Set-Cookie`` value describes on ``response`` (in
    ``response.cookies``, where Django writes ``Set-Cookie`` headers from), with exactly the
    core's value and attributes, replacing a cookie of the same name.

    A fresh ``Morsel`` rather than ``HttpResponse.set_cookie``, which would not be faithful:
    it reuses an existing morsel with its old attributes (a ``Domain``, say), adds
    ``Path=/`` when none is given, and lets ``SimpleCookie`` wrap a value holding characters
    that ``encodeURIComponent`` leaves as they are (``(``, ``)``, ``!``, ...) in double
    quotes. ``Expires`` stays the core's text (an HTTP date in GMT, made from epoch
    milliseconds): rebuilding it from a timestamp invites supertokens-python's pitfall
    (``datetime.fromtimestamp`` is local time, labelled GMT).
    """
    name, value, attrs = parse_set_cookie(header_value)
    morsel: "Morsel[str]" = Morsel()
    morsel.set(name, unquote(value), value)
    for key, attr_value in attrs.items():
        morsel[key] = attr_value
    response.cookies[name] = morsel


class DjangoResponse(ResponseAdapter):
    """A Django response (``HttpResponse``, ``JsonResponse``, ``StreamingHttpResponse``, ...)."""

    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response

    def set_status(self, status: int) -> None:
        """Sets the status code."""
        self.response.status_code = status

    def set_body(self, body: bytes, content_type: str) -> None:
        """Replaces the body and sets its content type.

        Raises:
            TypeError: the response streams its body.
        """
        if not isinstance(self.response, HttpResponse):
            raise TypeError(f"cannot set a body on a {type(self.response).__name__}")
        self.response.content = body
        self.response["Content-Type"] = content_type

    def get_header(self, name: str) -> Optional[str]:
        """The header's value (Django keeps one value per header name)."""
        value: Optional[str] = self.response.get(name)
        return value

    def set_header(self, name: str, value: str) -> None:
        """Replaces the header."""
        self.response[name] = value

    def remove_header(self, name: str) -> None:
        """Deletes the header, if present."""
        del self.response[name]

    def add_set_cookie(self, cookie_name: str, header_value: str) -> None:
        """Sets the cookie through ``response.cookies`` (Django writes ``Set-Cookie`` headers
        only from there), with every attribute of the core's header."""
        set_cookie_from_header(self.response, header_value)


def answer(mutations: Mutations) -> HttpResponse:
    """A whole response made by the core (an endpoint's answer or an error's)."""
    response = HttpResponse(status=200)
    apply_mutations(DjangoResponse(response), mutations)
    return response


def write_pending(request: RequestAdapter, response: Any) -> Any:
    """:func:`tessera.framework.response.apply_pending` on a Django ``response``, which it
    returns: writing twice in one request (an error answered by the decorator or
    ``process_exception``, then the middleware) never re-applies the changes over the error's
    own."""
    apply_pending(request, DjangoResponse(response))
    return response
