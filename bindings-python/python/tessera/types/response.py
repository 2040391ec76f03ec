"""The answers API functions return (supertokens-python's ``supertokens_python.types.response``)."""

from abc import ABC, abstractmethod
from typing import Any, Dict

__all__ = ["APIResponse", "GeneralErrorResponse"]


class APIResponse(ABC):
    """An API function's answer, sent as JSON with status 200."""

    @abstractmethod
    def to_json(self) -> Dict[str, Any]:
        """The JSON body."""


class GeneralErrorResponse(APIResponse):
    """``{"status": "GENERAL_ERROR", "message": ...}``: an API override's way of telling the
    frontend that something went wrong, which the frontend SDKs show to the user."""

    status = "GENERAL_ERROR"

    def __init__(self, message: str) -> None:
        self.message = message

    def to_json(self) -> Dict[str, Any]:
        """The JSON body."""
        return {"status": self.status, "message": self.message}
