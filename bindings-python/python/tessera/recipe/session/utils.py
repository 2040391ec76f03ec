"""``InputErrorHandlers`` (the app's own answers to session errors) and
``InputOverrideConfig`` (its own session functions), as in supertokens-python."""

from typing import Any, Awaitable, Callable, List, Literal, Optional, Union

from ...framework.request import RequestAdapter
from ...framework.response import ResponseAdapter
from ...types import RecipeUserId
from .exceptions import ClaimValidationError

__all__ = ["InputErrorHandlers", "InputOverrideConfig", "SessionConfig", "SessionOverrideConfig", "TokenTransferMethod"]

#: How a session's tokens travel: what ``get_token_transfer_method`` answers, besides ``"any"``.
TokenTransferMethod = Literal["cookie", "header"]

#: A handler returns the response it was given (or another of the same framework), or
#: ``None`` for the one it was given; it may be async.
_Answer = Union[Optional[ResponseAdapter], Awaitable[Optional[ResponseAdapter]]]
MessageHandler = Callable[[RequestAdapter, str, ResponseAdapter], _Answer]
TokenTheftHandler = Callable[[RequestAdapter, str, str, RecipeUserId, ResponseAdapter], _Answer]
InvalidClaimHandler = Callable[[RequestAdapter, List[ClaimValidationError], ResponseAdapter], _Answer]


class InputErrorHandlers:
    """Replaces the answer to some session errors, for ``session.init(error_handlers=...)``.

    Each handler gets the framework request wrapper, what the error carries, and the
    response wrapper (``set_status_code``, ``set_json_content``, ``set_header``, ...), on
    which the tokens are already cleared where the protocol clears them (``UNAUTHORISED``
    with ``clear_tokens``, token theft) and the ``older_cookie_domain`` cookies expired
    (duplicate cookies). The handler writes the status and body. An error without a
    handler gets the protocol's default answer.

    ``on_token_theft_detected(request, session_handle, user_id, recipe_user_id, response)``:
    the session is already revoked when the handler runs (Tessera revokes it on detection).
    """

    def __init__(
        self,
        on_token_theft_detected: Optional[TokenTheftHandler] = None,
        on_try_refresh_token: Optional[MessageHandler] = None,
        on_unauthorised: Optional[MessageHandler] = None,
        on_invalid_claim: Optional[InvalidClaimHandler] = None,
        on_clear_duplicate_session_cookies: Optional[MessageHandler] = None,
    ) -> None:
        given = {
            "on_token_theft_detected": on_token_theft_detected,
            "on_try_refresh_token": on_try_refresh_token,
            "on_unauthorised": on_unauthorised,
            "on_invalid_claim": on_invalid_claim,
            "on_clear_duplicate_session_cookies": on_clear_duplicate_session_cookies,
        }
        for name, handler in given.items():
            if handler is not None and not callable(handler):
                raise TypeError(f"InputErrorHandlers({name}=...) must be callable, not {type(handler).__name__}")
        self.on_token_theft_detected = on_token_theft_detected
        self.on_try_refresh_token = on_try_refresh_token
        self.on_unauthorised = on_unauthorised
        self.on_invalid_claim = on_invalid_claim
        self.on_clear_duplicate_session_cookies = on_clear_duplicate_session_cookies

    def __repr__(self) -> str:
        given = [name for name, value in vars(self).items() if value is not None]
        return f"InputErrorHandlers({', '.join(given)})"


class InputOverrideConfig:
    """``session.init(override=InputOverrideConfig(functions=..., apis=...))``.

    ``functions`` gets Tessera's
    :class:`~tessera.recipe.session.recipe_implementation.RecipeImplementation` and returns it
    (or a subclass) with methods replaced, or the same object with functions assigned to
    it. Every path that reaches a function then goes through the replacement: the
    ``asyncio`` / ``syncio`` functions, the :class:`SessionContainer` methods, the routes'
    verification and the refresh and sign-out endpoints.

    ``apis`` gets Tessera's :class:`~tessera.recipe.session.api.implementation.APIImplementation`
    and returns it with ``refresh_post``, ``signout_post`` or ``verify_session`` replaced (to
    run code around sign-out, say), or with ``disable_refresh_post`` / ``disable_signout_post``
    set to leave that endpoint to the app."""

    def __init__(self, functions: Optional[Callable[[Any], Any]] = None, apis: Optional[Callable[[Any], Any]] = None):
        for name, value in (("functions", functions), ("apis", apis)):
            if value is not None and not callable(value):
                raise TypeError(f"InputOverrideConfig({name}=...) must be callable, not {type(value).__name__}")
        self.functions = functions
        self.apis = apis


#: supertokens-python's other name for :class:`InputOverrideConfig`.
SessionOverrideConfig = InputOverrideConfig


class SessionConfig:
    """The options given to ``session.init``, under its parameter names (``None`` where the
    core's default applies), as supertokens-python's ``SessionConfig``: what an override's
    ``original_implementation.config`` holds. The core validates and normalises them when
    ``tessera.init`` makes the engine."""

    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name session.init does not take: the options are all set above.
        raise AttributeError(f"session.init has no option {name!r}")

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if v is not None)
        return f"SessionConfig({given})"
