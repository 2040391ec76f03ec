"""supertokens-python's module path for :class:`FlaskResponse` (code written for it imports the
Flask response wrapper from here)."""

from .response import FlaskResponse

__all__ = ["FlaskResponse"]
