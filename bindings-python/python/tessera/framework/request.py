"""The request side of a framework integration.

A framework integration reads a request for the core and keeps the session on it; it never
interprets cookies, tokens or headers itself (the core does). To add a framework ``NAME``:

1. In ``tessera/framework/NAME/request.py`` subclass :class:`RequestAdapter` (implement
   :meth:`~RequestAdapter.method`, :meth:`~RequestAdapter.path`,
   :meth:`~RequestAdapter.header`, :meth:`~RequestAdapter.get_session`,
   :meth:`~RequestAdapter.set_session` and :meth:`~RequestAdapter.request_mutations`;
   override :meth:`~RequestAdapter.header_values` when the framework keeps repeated headers,
   and :meth:`~RequestAdapter.native_headers` if it can collect them faster) and define
   ``wrap_request(obj) -> RequestAdapter``. :func:`wrap_request` below finds it by that
   module path when ``tessera.init(framework="NAME")`` was called.
2. Pass :meth:`RequestAdapter.native_request` to the native engine; store what the engine
   returns with :meth:`RequestAdapter.set_session` / :meth:`RequestAdapter.add_response_mutations`.
3. When the response is made, apply what is pending on the request with
   :func:`tessera.framework.response.apply_pending` (or :meth:`RequestAdapter.pending_mutations`
   with :func:`tessera.framework.response.apply_all`; see that module).
"""

import importlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .. import _native, _state
from ..exceptions import NotSupportedError

if TYPE_CHECKING:
    from ..recipe.session.interfaces import SessionContainer

__all__ = ["Mutations", "NativeHeaders", "RequestAdapter", "has_mutations", "serve_endpoint", "wrap_request"]

#: What the native engine returns for a response: ``(status, body_json, header_ops, cookies)``.
Mutations = Tuple[Optional[int], Optional[str], List[Tuple[str, str, Optional[str]]], List[Tuple[str, str]]]

#: A request's headers for the native engine: ``str`` pairs, or an ASGI scope's raw ``bytes``
#: pairs (the engine keeps the names the core reads and decodes them as Latin-1).
NativeHeaders = Union[Sequence[Tuple[str, str]], Sequence[Tuple[bytes, bytes]]]

#: The request headers the core reads (lowercase).
REQUEST_HEADERS: Tuple[str, ...] = tuple(_native.REQUEST_HEADERS)


def has_mutations(mutations: Optional[Mutations]) -> bool:
    """Whether ``mutations`` would change anything."""
    if mutations is None:
        return False
    status, body, headers, cookies = mutations
    return status is not None or body is not None or bool(headers) or bool(cookies)


class RequestAdapter(ABC):
    """One framework request, as the core reads it.

    ``request`` is the framework's own request object.
    """

    #: supertokens-python's marker for an already wrapped request.
    wrapper_used = True

    def __init__(self, request: Any) -> None:
        self.request = request

    @abstractmethod
    def method(self) -> str:
        """The HTTP method, any case."""

    @abstractmethod
    def path(self) -> str:
        """The request path (a query string may follow; the core ignores it)."""

    @abstractmethod
    def header(self, name: str) -> Optional[str]:
        """The first value of header ``name`` (lowercase; look it up case-insensitively), or
        ``None``."""

    def header_values(self, name: str) -> List[str]:
        """Every value of header ``name``; override when the framework keeps repeated headers
        (several ``Cookie`` headers under HTTP/2)."""
        value = self.header(name)
        return [] if value is None else [value]

    @abstractmethod
    def get_session(self) -> Optional["SessionContainer"]:
        """The session stored on this request (``request.state.supertokens``,
        ``g.supertokens``, ``request.supertokens``), or ``None``."""

    @abstractmethod
    def set_session(self, session: Optional["SessionContainer"]) -> None:
        """Stores the session (or ``None``) where this framework's users read it."""

    @abstractmethod
    def request_mutations(self) -> List[Mutations]:
        """The list, kept with this request and made on first call, holding response
        mutations that belong to no session (for example those of a verification that
        found no session). The response side applies them before the session's."""

    def set_session_as_none(self) -> None:
        """supertokens-python's name for ``set_session(None)``."""
        self.set_session(None)

    def native_headers(self) -> NativeHeaders:
        """The headers the core reads, as ``(name, value)`` pairs; nothing else is passed."""
        out: List[Tuple[str, str]] = []
        for name in REQUEST_HEADERS:
            for value in self.header_values(name):
                out.append((name, value))
        return out

    def token_transfer_method(self, for_create_new_session: bool) -> Optional[str]:
        """What the application's ``get_token_transfer_method`` function says for this
        request, or ``None`` when it gave a constant (the engine already has it)."""
        choose = _state.current().choose_transfer_method
        if choose is None:
            return None
        return choose(self, for_create_new_session, {})

    # supertokens-python's ``BaseRequest`` names, for ``get_token_transfer_method`` functions.

    def get_header(self, key: str) -> Optional[str]:
        """The first value of header ``key`` (any case), or ``None``."""
        return self.header(key.lower())

    def get_path(self) -> str:
        """The request path, without the query string."""
        return self.path().split("?", 1)[0]

    def get_cookie(self, key: str) -> Optional[str]:
        """The value of cookie ``key`` (decoded as the core decodes cookies), or ``None``."""
        return _native.cookie_value(self.header_values("cookie"), key)

    def get_original_url(self) -> str:
        """The request's full URL, as the framework reconstructs it."""
        raise NotSupportedError(f"{type(self).__name__} does not know its URL")

    def get_query_params(self) -> Dict[str, Any]:
        """The query string's parameters (the first value of each)."""
        raise NotSupportedError(f"{type(self).__name__} does not read query strings")

    def get_query_param(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """The query parameter ``key``, or ``default``."""
        value = self.get_query_params().get(key)
        return default if value is None else str(value)

    async def json(self) -> Any:
        """The body parsed as JSON; ``{}`` when it is not JSON (as supertokens-python)."""
        raise NotSupportedError(f"{type(self).__name__} does not read bodies")

    async def form_data(self) -> Dict[str, Any]:
        """The body parsed as a URL-encoded form."""
        raise NotSupportedError(f"{type(self).__name__} does not read bodies")

    async def get_json_or_form_data(self) -> Optional[Dict[str, Any]]:
        """The body as JSON or as a form, by its ``Content-Type``; ``None`` without one."""
        content_type = self.get_header("content-type")
        if content_type is None:
            return None
        if content_type.startswith("application/json"):
            body: Dict[str, Any] = await self.json()
            return body
        return await self.form_data()

    def native_request(self) -> Tuple[str, str, NativeHeaders]:
        """``(method, path, headers)``, the first three arguments of the engine's request
        functions."""
        return self.method(), self.path(), self.native_headers()

    def add_response_mutations(self, mutations: Optional[Mutations]) -> None:
        """Keeps ``mutations`` for the response when they belong to no session."""
        if has_mutations(mutations):
            self.request_mutations().append(mutations)  # type: ignore[arg-type]

    def pending_mutations(self) -> List[Mutations]:
        """Everything to apply to the response, in order: the request's own mutations, then
        those of the session stored on it."""
        out = list(self.request_mutations())
        session = self.get_session()
        if session is not None:
            out.extend(session.response_mutations)
        return out


def serve_endpoint(adapter: RequestAdapter) -> Optional[Mutations]:
    """The core's answer to a request ``engine.is_api_request`` said is for one of its
    endpoints (refresh, sign-out, the JWKS); may block on the store.

    Raises:
        SuperTokensSessionError: the endpoint's session error, when the app has error handlers
            to answer it (without them the core answers it in the mutations).
    """
    tessera = _state.current()
    return tessera.engine.handle_api_request(
        adapter.method(),
        adapter.path(),
        adapter.native_headers(),
        token_transfer_method=adapter.token_transfer_method(False),
        raise_errors=tessera.error_handlers is not None,
    )


_wrappers: Dict[str, Callable[[Any], RequestAdapter]] = {}


def _wrapper_for(framework: str) -> Callable[[Any], RequestAdapter]:
    wrap = _wrappers.get(framework)
    if wrap is None:
        try:
            module = importlib.import_module(f"tessera.framework.{framework}.request")
            wrap = module.wrap_request
        except (ImportError, AttributeError) as e:
            raise NotSupportedError(f"the {framework} integration is not available: {e}") from None
        _wrappers[framework] = wrap
    return wrap


def wrap_request(obj: Any) -> RequestAdapter:
    """``obj`` (a framework request, or an adapter) as a :class:`RequestAdapter`, for the
    framework given to ``tessera.init``."""
    if isinstance(obj, RequestAdapter):
        return obj
    return _wrapper_for(_state.framework())(obj)
