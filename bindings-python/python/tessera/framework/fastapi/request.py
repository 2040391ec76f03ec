"""The FastAPI (Starlette) request adapter."""

from typing import TYPE_CHECKING, Any, Dict, List, MutableMapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl

from starlette.requests import Request

from ..request import Mutations, NativeHeaders, RequestAdapter

if TYPE_CHECKING:
    from ...recipe.session.interfaces import SessionContainer

__all__ = ["FastApiRequest", "scope_headers", "wrap_request"]

#: Where the request-level mutations are kept in ``scope["state"]``.
MUTATIONS_KEY = "tessera_mutations"
#: Where the session is kept in ``scope["state"]`` (``request.state.supertokens``).
SESSION_KEY = "supertokens"


def scope_headers(scope: MutableMapping[str, Any]) -> Sequence[Tuple[bytes, bytes]]:
    """The ASGI scope's raw headers, as they are: the native module picks out and decodes the
    ones the core reads, cheaper than a Python loop over every header of every request."""
    headers: Sequence[Tuple[bytes, bytes]] = scope.get("headers", ())
    return headers


def scope_state(scope: MutableMapping[str, Any]) -> Dict[str, Any]:
    """The dict behind ``request.state``, shared by the middleware and the route."""
    state: Dict[str, Any] = scope.setdefault("state", {})
    return state


class FastApiRequest(RequestAdapter):
    """A Starlette/FastAPI ``Request``; the session lives on ``request.state.supertokens``."""

    request: Request

    def method(self) -> str:
        """The HTTP method."""
        return str(self.request.scope["method"])

    def path(self) -> str:
        """The path."""
        return str(self.request.scope["path"])

    def header(self, name: str) -> Optional[str]:
        """The first value of header ``name``."""
        return self.request.headers.get(name)

    def header_values(self, name: str) -> List[str]:
        """Every value of header ``name``."""
        return self.request.headers.getlist(name)

    def native_headers(self) -> NativeHeaders:
        """The raw ASGI headers (the native module keeps the ones the core reads)."""
        return scope_headers(self.request.scope)

    def native_request(self) -> Tuple[str, str, NativeHeaders]:
        """``(method, path, headers)`` straight from the ASGI scope (every protected request
        comes here, so one lookup of the scope, not three method calls)."""
        scope = self.request.scope
        return scope["method"], scope["path"], scope_headers(scope)

    def get_original_url(self) -> str:
        """The request's URL."""
        return str(self.request.url)

    def get_query_params(self) -> Dict[str, Any]:
        """The query string's parameters."""
        return dict(self.request.query_params.items())

    async def json(self) -> Any:
        """The body as JSON, or ``{}``."""
        try:
            return await self.request.json()
        except ValueError:
            return {}

    async def form_data(self) -> Dict[str, Any]:
        """The body as a URL-encoded form."""
        return dict(parse_qsl((await self.request.body()).decode("utf-8")))

    def get_session(self) -> Optional["SessionContainer"]:
        """``request.state.supertokens``, or ``None``."""
        session: Optional[SessionContainer] = scope_state(self.request.scope).get(SESSION_KEY)
        return session

    def set_session(self, session: Optional["SessionContainer"]) -> None:
        """Sets ``request.state.supertokens``."""
        scope_state(self.request.scope)[SESSION_KEY] = session

    def request_mutations(self) -> List[Mutations]:
        """The request-level mutations, in ``scope["state"]``."""
        pending: List[Mutations] = scope_state(self.request.scope).setdefault(MUTATIONS_KEY, [])
        return pending


def wrap_request(obj: Any) -> RequestAdapter:
    """A Starlette ``Request`` (or an ASGI scope) as a :class:`FastApiRequest`."""
    if isinstance(obj, Request):
        return FastApiRequest(obj)
    if isinstance(obj, dict) and obj.get("type") == "http":
        return FastApiRequest(Request(obj))
    raise TypeError(f"expected a Starlette/FastAPI Request, got {type(obj).__name__}")
