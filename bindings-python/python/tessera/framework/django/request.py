"""The Django request adapter (Django's ``HttpRequest``, and Django REST framework's
``Request`` wrapped around one)."""

import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl

from django.http import HttpRequest

from ..request import REQUEST_HEADERS, Mutations, RequestAdapter

if TYPE_CHECKING:
    from ...recipe.session.interfaces import SessionContainer

__all__ = ["DjangoRequest", "http_request", "wrap_request"]

#: The attribute of Django's ``HttpRequest`` holding the request-level mutations.
MUTATIONS_ATTR = "_tessera_response_mutations"
#: The ``Cookie`` header's name as ASGI spells header names (lowercase bytes).
_COOKIE = b"cookie"
#: Where users read the session: ``request.supertokens``, as in supertokens-python.
SESSION_ATTR = "supertokens"


def http_request(request: Any) -> Any:
    """The Django ``HttpRequest`` behind ``request``: ``request`` itself, or, for a Django REST
    framework ``Request``, the one it wraps (its ``_request``). Only that one reaches the
    middleware, so everything the middleware reads is kept there."""
    inner = getattr(request, "_request", None)
    return inner if isinstance(inner, HttpRequest) else request


class DjangoRequest(RequestAdapter):
    """A Django ``HttpRequest`` (WSGI or ASGI) or a Django REST framework ``Request``; the
    session lives on ``request.supertokens``."""

    def method(self) -> str:
        """The HTTP method."""
        return str(self.request.method)

    def path(self) -> str:
        """The path as the client sent it (``SCRIPT_NAME`` included, so ``apiBasePath`` stays
        a path of the API domain when the project is mounted under a prefix)."""
        return str(self.request.path)

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name``, from ``request.headers``."""
        value: Optional[str] = self.request.headers.get(name)
        return value

    def native_headers(self) -> List[Tuple[str, str]]:
        """The headers the core reads, from ``request.headers``: a repeated header reads as
        Django joins it (``"first,second"``), over WSGI and ASGI alike, as supertokens-python
        reads it. Under ASGI the ``Cookie`` headers come straight from the scope instead,
        one by one: Django's ``","`` breaks the several ``Cookie`` headers an HTTP/2 client
        sends, and the core joins those itself (with ``"; "``)."""
        scope = getattr(http_request(self.request), "scope", None)
        headers = self.request.headers
        out: List[Tuple[str, str]] = []
        for name in REQUEST_HEADERS:
            if name == "cookie" and isinstance(scope, dict):
                out.extend(
                    (name, value.decode("latin-1")) for key, value in scope.get("headers", ()) if key.lower() == _COOKIE
                )
                continue
            value = headers.get(name)
            if value is not None:
                out.append((name, value))
        return out

    def get_original_url(self) -> str:
        """The request's URL."""
        return str(http_request(self.request).build_absolute_uri())

    def get_query_params(self) -> Dict[str, Any]:
        """The query string's parameters."""
        return http_request(self.request).GET.dict()  # type: ignore[no-any-return]

    async def json(self) -> Any:
        """The body as JSON, or ``{}``."""
        try:
            return json.loads(http_request(self.request).body)
        except ValueError:
            return {}

    async def form_data(self) -> Dict[str, Any]:
        """The body as a URL-encoded form."""
        return dict(parse_qsl(http_request(self.request).body.decode("utf-8")))

    def get_session(self) -> Optional["SessionContainer"]:
        """``request.supertokens``, or ``None``."""
        session: Optional["SessionContainer"] = getattr(self.request, SESSION_ATTR, None)
        return session

    def set_session(self, session: Optional["SessionContainer"]) -> None:
        """Sets ``request.supertokens``; under Django REST framework also on the wrapped
        ``HttpRequest`` (``request._request.supertokens``), which is what the middleware
        sees when it writes the session's token changes to the response."""
        setattr(self.request, SESSION_ATTR, session)
        inner = http_request(self.request)
        if inner is not self.request:
            setattr(inner, SESSION_ATTR, session)

    def request_mutations(self) -> List[Mutations]:
        """The request-level mutations, on the Django ``HttpRequest`` (never on a DRF
        wrapper, which the middleware does not see)."""
        inner = http_request(self.request)
        pending: Optional[List[Mutations]] = getattr(inner, MUTATIONS_ATTR, None)
        if pending is None:
            pending = []
            setattr(inner, MUTATIONS_ATTR, pending)
        return pending


def wrap_request(obj: Any) -> RequestAdapter:
    """A Django ``HttpRequest`` or a Django REST framework ``Request`` as a
    :class:`DjangoRequest` (``tessera.init(framework="django")`` finds this by its module
    path)."""
    if isinstance(obj, RequestAdapter):
        return obj
    if isinstance(http_request(obj), HttpRequest):
        return DjangoRequest(obj)
    raise TypeError(f"expected a Django HttpRequest (or a DRF Request), got {type(obj).__name__}")
