"""supertokens-python's module path for :class:`DjangoResponse` (code written for it imports the
Django response wrapper from here)."""

from .response import DjangoResponse

__all__ = ["DjangoResponse"]
