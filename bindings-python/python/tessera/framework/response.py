"""The response side of a framework integration: applying the core's mutations.

The native engine describes every change to a response as *mutations*:
``(status, body_json, header_ops, cookies)``. A framework integration implements
:class:`ResponseAdapter` over its response object and calls :func:`apply_mutations` (or
:func:`apply_all`, or :func:`apply_pending` for what a request collected); the semantics of
each operation live here, once:

- ``("set", name, value)`` replaces the header;
- ``("remove", name, None)`` deletes it;
- ``("append", name, value)`` adds ``value`` to a comma-separated list header
  (``Access-Control-Expose-Headers``), merged with what the response already holds by
  ``_native.append_to_header_list``, so that values the application set are kept;
- each ``(cookie_name, set_cookie_value)`` is a complete ``Set-Cookie`` header value: it is
  added raw, never re-serialised, replacing an earlier ``Set-Cookie`` for the same cookie name;
- ``status`` and ``body_json`` are set only when the core answers the request itself (its
  endpoints, errors); the body is JSON.
"""

import json
from abc import ABC, abstractmethod
from email.utils import formatdate
from typing import Any, Dict, Iterable, List, Optional

from .. import _native
from .request import Mutations, RequestAdapter

__all__ = ["ResponseAdapter", "apply_all", "apply_mutations", "apply_pending", "set_cookie_name"]


class ResponseAdapter(ABC):
    """One framework response, as :func:`apply_mutations` changes it.

    It is also what session error handlers (``session.init(error_handlers=...)``) get as
    ``response``: the methods of supertokens-python's ``BaseResponse`` are below, so a handler
    written for it runs unchanged (``tessera.framework.BaseResponse`` is this class)."""

    @abstractmethod
    def set_status(self, status: int) -> None:
        """Sets the status code."""

    def set_json_body(self, body_json: str) -> None:
        """Replaces the body with ``body_json`` (UTF-8) and sets ``Content-Type:
        application/json`` (and the length, if the framework needs it)."""
        self.set_body(body_json.encode("utf-8"), "application/json")

    @abstractmethod
    def set_body(self, body: bytes, content_type: str) -> None:
        """Replaces the body and sets its ``Content-Type`` (and the length, if the framework
        needs it)."""

    @abstractmethod
    def get_header(self, name: str) -> Optional[str]:
        """The header's current value (case-insensitive), or ``None``."""

    @abstractmethod
    def set_header(self, name: str, value: str) -> None:
        """Sets the header, replacing every current value."""

    @abstractmethod
    def remove_header(self, name: str) -> None:
        """Deletes the header, if present."""

    @abstractmethod
    def add_set_cookie(self, cookie_name: str, header_value: str) -> None:
        """Adds ``Set-Cookie: header_value`` exactly as given, after removing any
        ``Set-Cookie`` already on the response for ``cookie_name`` (see
        :func:`set_cookie_name`)."""

    # supertokens-python's ``BaseResponse`` methods. As there, the first status and the first
    # body win: an API function that answered 401 itself keeps its answer when the endpoint
    # then sends its usual 200.

    def set_status_code(self, status_code: int) -> None:
        """Sets the status code, unless one was set through this method already."""
        if getattr(self, "_status_code_set", False):
            return
        self._status_code_set = True
        self.set_status(status_code)

    def set_json_content(self, content: Dict[str, Any]) -> None:
        """Sends ``content`` as the JSON body, unless a body was sent already."""
        if getattr(self, "_content_sent", False):
            return
        self._content_sent = True
        self.set_json_body(json.dumps(content))

    def set_html_content(self, content: str) -> None:
        """Sends ``content`` as an HTML body, unless a body was sent already."""
        if getattr(self, "_content_sent", False):
            return
        self._content_sent = True
        self.set_body(content.encode("utf-8"), "text/html; charset=utf-8")

    def redirect(self, url: str) -> "ResponseAdapter":
        """Answers 302 with ``Location: url``."""
        self.set_status(302)
        self.set_header("Location", url)
        return self

    def set_cookie(
        self,
        key: str,
        value: str,
        expires: int,
        path: str = "/",
        domain: Optional[str] = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str = "lax",
    ) -> None:
        """Sets cookie ``key``; ``expires`` is in milliseconds since the epoch, as in
        supertokens-python. The value is sent as given."""
        parts = [f"{key}={value}", f"Path={path}", "Expires=" + formatdate(expires / 1000, usegmt=True)]
        if domain is not None:
            parts.append(f"Domain={domain}")
        if httponly:
            parts.append("HttpOnly")
        if secure:
            parts.append("Secure")
        parts.append(f"SameSite={samesite.capitalize()}")
        self.add_set_cookie(key, "; ".join(parts))


def set_cookie_name(header_value: str) -> str:
    """The cookie name a ``Set-Cookie`` value is for (the text before its first ``=``)."""
    return header_value.split("=", 1)[0].strip()


def apply_mutations(response: ResponseAdapter, mutations: Optional[Mutations]) -> None:
    """Applies one set of the core's mutations to ``response``."""
    if mutations is None:
        return
    status, body_json, headers, cookies = mutations
    if status is not None:
        response.set_status(status)
    if body_json is not None:
        response.set_json_body(body_json)
    for op, name, value in headers:
        if op == "set":
            response.set_header(name, value or "")
        elif op == "remove":
            response.remove_header(name)
        elif op == "append":
            response.set_header(name, _native.append_to_header_list(response.get_header(name), value or ""))
        else:
            raise ValueError(f"unknown header operation {op!r} from the native module")
    for cookie_name, header_value in cookies:
        response.add_set_cookie(cookie_name, header_value)


def apply_all(response: ResponseAdapter, mutation_list: Iterable[Mutations]) -> None:
    """Applies several sets of mutations in order (later ones win)."""
    for mutations in mutation_list:
        apply_mutations(response, mutations)


def apply_pending(request: RequestAdapter, response: ResponseAdapter) -> None:
    """Applies every mutation still pending on ``request`` (its own, then its session's) to
    ``response`` and forgets them, so that a second call for the same request (an error
    answered first, then the middleware) never re-applies them."""
    own = request.request_mutations()
    session = request.get_session()
    from_session: List[Mutations] = session.response_mutations if session is not None else []
    if own or from_session:
        apply_all(response, own)
        apply_all(response, from_session)
        # In place: the lists belong to the request and the session, which keep them.
        del own[:]
        del from_session[:]
