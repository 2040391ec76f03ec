"""supertokens-python's module path for :class:`FlaskRequest` (code written for it imports the
Flask request wrapper from here)."""

from .request import FlaskRequest

__all__ = ["FlaskRequest"]
