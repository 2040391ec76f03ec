"""Applying the core's mutations to an ASGI response's raw header list."""

from typing import Iterable, List, Optional, Tuple

from ..response import ResponseAdapter, set_cookie_name

__all__ = ["AsgiHeaders"]

RawHeaders = List[Tuple[bytes, bytes]]

_SET_COOKIE = b"set-cookie"


class AsgiHeaders(ResponseAdapter):
    """The raw ``(name, value)`` byte pairs of an ``http.response.start`` message (or of a
    Starlette ``Response.raw_headers``), plus a status and body for responses Tessera makes."""

    def __init__(self, headers: Iterable[Tuple[bytes, bytes]] = ()) -> None:
        self.headers: RawHeaders = [(bytes(k), bytes(v)) for k, v in headers]
        self.status: Optional[int] = None
        self.body: Optional[bytes] = None

    def set_status(self, status: int) -> None:
        """Sets the status."""
        self.status = status

    def set_json_body(self, body_json: str) -> None:
        """Sets the JSON body and its content type."""
        self.set_body(body_json.encode("utf-8"), "application/json; charset=utf-8")

    def set_body(self, body: bytes, content_type: str) -> None:
        """Sets the body and its content type (the sender adds the length)."""
        self.body = body
        self.set_header("content-type", content_type)

    def get_header(self, name: str) -> Optional[str]:
        """The header's values, joined with ``", "`` if it appears more than once."""
        key = name.lower().encode("latin-1")
        values = [v.decode("latin-1") for k, v in self.headers if k.lower() == key]
        return ", ".join(values) if values else None

    def set_header(self, name: str, value: str) -> None:
        """Replaces the header."""
        self.remove_header(name)
        self.headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))

    def remove_header(self, name: str) -> None:
        """Deletes the header."""
        key = name.lower().encode("latin-1")
        self.headers = [(k, v) for k, v in self.headers if k.lower() != key]

    def add_set_cookie(self, cookie_name: str, header_value: str) -> None:
        """Adds the ``Set-Cookie`` value raw, replacing one for the same cookie."""
        self.headers = [
            (k, v)
            for k, v in self.headers
            if not (k.lower() == _SET_COOKIE and set_cookie_name(v.decode("latin-1")) == cookie_name)
        ]
        self.headers.append((_SET_COOKIE, header_value.encode("latin-1")))
