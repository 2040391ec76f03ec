"""Framework integrations: ``tessera.framework.{fastapi,flask,django}``, over the shared
:mod:`tessera.framework.request` and :mod:`tessera.framework.response` layers."""

from .request import RequestAdapter, wrap_request
from .response import ResponseAdapter, apply_all, apply_mutations

#: supertokens-python's names for the request and response wrappers error handlers get.
BaseRequest = RequestAdapter
BaseResponse = ResponseAdapter

__all__ = [
    "BaseRequest",
    "BaseResponse",
    "RequestAdapter",
    "ResponseAdapter",
    "apply_all",
    "apply_mutations",
    "wrap_request",
]
