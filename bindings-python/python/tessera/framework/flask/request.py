"""The Flask (Werkzeug) request adapter."""

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from werkzeug.wrappers import Request

from ..request import REQUEST_HEADERS, Mutations, RequestAdapter

if TYPE_CHECKING:
    from ...recipe.session.interfaces import SessionContainer

__all__ = ["FlaskRequest", "wrap_request"]

#: Where the request-level mutations are kept: in the WSGI environ rather than on ``g``,
#: because an app context (and so ``g``) may outlive one request when the app pushed it
#: itself, while the environ never does.
MUTATIONS_KEY = "tessera.response_mutations"

#: The WSGI environ keys of the headers the core reads (PEP 3333: ``HTTP_`` + upper case,
#: dashes as underscores; repeated headers arrive already joined by the server).
_ENVIRON_KEYS: Tuple[Tuple[str, str], ...] = tuple(
    (name, "HTTP_" + name.upper().replace("-", "_")) for name in REQUEST_HEADERS
)


class FlaskRequest(RequestAdapter):
    """A Flask request; the session lives on ``flask.g.supertokens``."""

    request: Request

    def method(self) -> str:
        """The HTTP method."""
        return str(self.request.method)

    def path(self) -> str:
        """The path as the client sent it: an app mounted under a prefix (``SCRIPT_NAME``)
        still sees ``apiBasePath`` as a path of the API domain, as supertokens-python's
        ``base_url`` does."""
        return self.request.script_root + self.request.path

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name``."""
        return self.request.headers.get(name)

    def header_values(self, name: str) -> List[str]:
        """Every value of header ``name``."""
        return self.request.headers.getlist(name)

    def native_headers(self) -> List[Tuple[str, str]]:
        """The headers the core reads, straight from the WSGI environ."""
        environ = self.request.environ
        out: List[Tuple[str, str]] = []
        for name, key in _ENVIRON_KEYS:
            value = environ.get(key)
            if value is not None:
                out.append((name, value))
        return out

    def get_original_url(self) -> str:
        """The request's URL."""
        return str(self.request.url)

    def get_query_params(self) -> Dict[str, Any]:
        """The query string's parameters."""
        return self.request.args.to_dict()

    async def json(self) -> Any:
        """The body as JSON, or ``{}``."""
        body = self.request.get_json(silent=True)
        return {} if body is None else body

    async def form_data(self) -> Dict[str, Any]:
        """The body as a form."""
        return self.request.form.to_dict()

    def get_session(self) -> Optional["SessionContainer"]:
        """``g.supertokens``, or ``None``."""
        from flask import g

        session: Optional["SessionContainer"] = g.get("supertokens")
        return session

    def set_session(self, session: Optional["SessionContainer"]) -> None:
        """Sets ``g.supertokens``."""
        from flask import g

        g.supertokens = session

    def request_mutations(self) -> List[Mutations]:
        """The request-level mutations, in the WSGI environ."""
        environ: Dict[str, Any] = self.request.environ
        pending: List[Mutations] = environ.setdefault(MUTATIONS_KEY, [])
        return pending


def wrap_request(obj: Any) -> RequestAdapter:
    """A Flask/Werkzeug request (``flask.request`` included) as a :class:`FlaskRequest`."""
    if isinstance(obj, Request):
        # Unwrap the ``flask.request`` proxy so the adapter stays bound to this request.
        get_current = getattr(obj, "_get_current_object", None)
        return FlaskRequest(get_current() if callable(get_current) else obj)
    raise TypeError(f"expected a Flask/Werkzeug Request, got {type(obj).__name__}")
