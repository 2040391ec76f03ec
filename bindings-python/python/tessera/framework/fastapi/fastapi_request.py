"""supertokens-python's module path for :class:`FastApiRequest` (code written for it imports the
FastAPI request wrapper from here)."""

from .request import FastApiRequest

__all__ = ["FastApiRequest"]
