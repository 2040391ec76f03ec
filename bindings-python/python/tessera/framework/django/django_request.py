"""supertokens-python's module path for :class:`DjangoRequest` (code written for it imports the
Django request wrapper from here)."""

from .request import DjangoRequest

__all__ = ["DjangoRequest"]
