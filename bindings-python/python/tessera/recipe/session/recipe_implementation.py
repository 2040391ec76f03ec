"""The session recipe's functions as supertokens-python's ``RecipeInterface``, for
``session.init(override=InputOverrideConfig(functions=...))``.

:class:`RecipeImplementation` is the ``original_implementation`` an override receives: each
method does what the module function of the same name does. Tessera routes session creation
through the implementation the override returns (``create_new_session`` may be replaced, for
example to add claims to the access token payload); replacing any other method is refused
at init, rather than left unused.
"""

from typing import Any, Awaitable, Callable, Dict, List, Optional, Union

from ..._util import off_loop
from ...exceptions import NotSupportedError
from ...framework.request import RequestAdapter
from ...types import RecipeUserId, recipe_user_id_str
from .interfaces import RecipeInterface, SessionContainer, SessionInformationResult

__all__ = [
    "OVERRIDABLE",
    "RecipeImplementation",
    "RecipeInterface",
    "build",
    "create_through",
    "request_in_user_context",
    "with_request",
]

#: The methods an override may replace: the ones every session-creating call goes through.
OVERRIDABLE = ("create_new_session",)


def create_through(
    implementation: RecipeInterface,
    tenant_id: str,
    recipe_user_id: Union[RecipeUserId, str],
    access_token_payload: Optional[Dict[str, Any]],
    session_data_in_database: Optional[Dict[str, Any]],
    disable_anti_csrf: Optional[bool],
    user_context: Dict[str, Any],
) -> Awaitable[SessionContainer]:
    """``implementation.create_new_session`` called as supertokens-python's functions call it
    (``user_id`` is the recipe user id: Tessera has no account linking)."""
    user = recipe_user_id_str(recipe_user_id)
    return implementation.create_new_session(
        user,
        RecipeUserId(user),
        access_token_payload,
        session_data_in_database,
        disable_anti_csrf,
        tenant_id,
        user_context,
    )


def with_request(user_context: Optional[Dict[str, Any]], request: RequestAdapter) -> Dict[str, Any]:
    """``user_context`` with the request at ``["_default"]["request"]``, where
    supertokens-python's request-level functions put it (the caller's dict, as there)."""
    context = {} if user_context is None else user_context
    default = context.setdefault("_default", {})
    if isinstance(default, dict):
        default["request"] = request
    return context


def request_in_user_context(user_context: Optional[Dict[str, Any]]) -> Optional[RequestAdapter]:
    """The request a request-level function put in ``user_context``, if any."""
    default = (user_context or {}).get("_default")
    request = default.get("request") if isinstance(default, dict) else None
    return request if isinstance(request, RequestAdapter) else None


def _claims_not_supported(name: str) -> NotSupportedError:
    return NotSupportedError(f"RecipeInterface.{name}: session claims are not supported by Tessera yet")


class RecipeImplementation(RecipeInterface):
    """Tessera's own implementation: each method is the module function of its name, run
    off the event loop. ``create_new_session`` writes the tokens to the response when a
    request-level call put its request in ``user_context``."""

    async def create_new_session(
        self,
        user_id: str,
        recipe_user_id: Union[RecipeUserId, str],
        access_token_payload: Optional[Dict[str, Any]],
        session_data_in_database: Optional[Dict[str, Any]],
        disable_anti_csrf: Optional[bool],
        tenant_id: str,
        user_context: Dict[str, Any],
    ) -> SessionContainer:
        """Creates the session in the store; with a request in ``user_context``, in the
        transport that request asks for (the request decides anti-CSRF, as in
        supertokens-python), else without one."""
        from . import syncio

        request = request_in_user_context(user_context)
        if request is not None:
            return await off_loop(
                syncio._create_in_request,
                request,
                tenant_id,
                recipe_user_id,
                access_token_payload,
                session_data_in_database,
            )
        return await off_loop(
            syncio._create_without_request,
            tenant_id,
            recipe_user_id,
            access_token_payload,
            session_data_in_database,
            bool(disable_anti_csrf),
        )

    async def get_session(
        self,
        access_token: Optional[str],
        anti_csrf_token: Optional[str] = None,
        anti_csrf_check: Optional[bool] = None,
        session_required: Optional[bool] = None,
        check_database: Optional[bool] = None,
        override_global_claim_validators: Optional[Callable[..., Any]] = None,
        user_context: Optional[Dict[str, Any]] = None,
    ) -> Optional[SessionContainer]:
        """:func:`~tessera.recipe.session.asyncio.get_session_without_request_response`; no
        token is no session, or an ``UnauthorisedError`` when one is required."""
        from . import asyncio
        from .exceptions import UnauthorisedError

        if access_token is None:
            if session_required is False:
                return None
            raise UnauthorisedError("Session does not exist. Are you sending the session tokens in the request?")
        return await asyncio.get_session_without_request_response(
            access_token,
            anti_csrf_token,
            anti_csrf_check,
            session_required,
            check_database,
            override_global_claim_validators,
            user_context,
        )

    async def refresh_session(
        self,
        refresh_token: str,
        anti_csrf_token: Optional[str],
        disable_anti_csrf: bool,
        user_context: Dict[str, Any],
    ) -> SessionContainer:
        """:func:`~tessera.recipe.session.asyncio.refresh_session_without_request_response`."""
        from . import asyncio

        return await asyncio.refresh_session_without_request_response(
            refresh_token, disable_anti_csrf, anti_csrf_token, user_context
        )

    async def revoke_session(self, session_handle: str, user_context: Dict[str, Any]) -> bool:
        """:func:`~tessera.recipe.session.asyncio.revoke_session`."""
        from . import asyncio

        return await asyncio.revoke_session(session_handle, user_context)

    async def revoke_all_sessions_for_user(
        self,
        user_id: str,
        revoke_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        revoke_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """:func:`~tessera.recipe.session.asyncio.revoke_all_sessions_for_user`."""
        from . import asyncio

        return await asyncio.revoke_all_sessions_for_user(
            user_id,
            revoke_sessions_for_linked_accounts,
            tenant_id,
            user_context,
            revoke_across_all_tenants=revoke_across_all_tenants,
        )

    async def get_all_session_handles_for_user(
        self,
        user_id: str,
        fetch_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        fetch_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """:func:`~tessera.recipe.session.asyncio.get_all_session_handles_for_user`."""
        from . import asyncio

        return await asyncio.get_all_session_handles_for_user(
            user_id,
            fetch_sessions_for_linked_accounts,
            tenant_id,
            user_context,
            fetch_across_all_tenants=fetch_across_all_tenants,
        )

    async def revoke_multiple_sessions(self, session_handles: List[str], user_context: Dict[str, Any]) -> List[str]:
        """:func:`~tessera.recipe.session.asyncio.revoke_multiple_sessions`."""
        from . import asyncio

        return await asyncio.revoke_multiple_sessions(session_handles, user_context)

    async def get_session_information(
        self, session_handle: str, user_context: Dict[str, Any]
    ) -> Optional[SessionInformationResult]:
        """:func:`~tessera.recipe.session.asyncio.get_session_information`."""
        from . import asyncio

        return await asyncio.get_session_information(session_handle, user_context)

    async def update_session_data_in_database(
        self, session_handle: str, new_session_data: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """:func:`~tessera.recipe.session.asyncio.update_session_data_in_database`."""
        from . import asyncio

        return await asyncio.update_session_data_in_database(session_handle, new_session_data, user_context)

    async def merge_into_access_token_payload(
        self, session_handle: str, access_token_payload_update: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """:func:`~tessera.recipe.session.asyncio.merge_into_access_token_payload`."""
        from . import asyncio

        return await asyncio.merge_into_access_token_payload(session_handle, access_token_payload_update, user_context)

    def get_global_claim_validators(
        self,
        tenant_id: str,
        user_id: str,
        recipe_user_id: RecipeUserId,
        claim_validators_added_by_other_recipes: List[Any],
        user_context: Dict[str, Any],
    ) -> List[Any]:
        """None: Tessera has no session claims yet."""
        return list(claim_validators_added_by_other_recipes)

    async def validate_claims(
        self,
        user_id: str,
        recipe_user_id: RecipeUserId,
        access_token_payload: Dict[str, Any],
        claim_validators: List[Any],
        user_context: Dict[str, Any],
    ) -> Any:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: no session claims yet."""
        raise _claims_not_supported("validate_claims")

    async def fetch_and_set_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: no session claims yet."""
        raise _claims_not_supported("fetch_and_set_claim")

    async def set_claim_value(self, session_handle: str, claim: Any, value: Any, user_context: Dict[str, Any]) -> bool:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: no session claims yet."""
        raise _claims_not_supported("set_claim_value")

    async def get_claim_value(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> Any:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: no session claims yet."""
        raise _claims_not_supported("get_claim_value")

    async def remove_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: no session claims yet."""
        raise _claims_not_supported("remove_claim")

    async def regenerate_access_token(
        self, access_token: str, new_access_token_payload: Optional[Dict[str, Any]], user_context: Dict[str, Any]
    ) -> Any:
        """Raises :class:`~tessera.exceptions.NotSupportedError`: use
        ``merge_into_access_token_payload``."""
        raise NotSupportedError(
            "regenerate_access_token is not supported by Tessera; use merge_into_access_token_payload"
        )


def build(functions: Callable[[RecipeImplementation], Any]) -> RecipeInterface:
    """The implementation an app's ``override.functions`` makes of Tessera's.

    Raises:
        NotSupportedError: it replaced a method other than those in :data:`OVERRIDABLE`.
        TypeError: it returned something that is not an implementation.
    """
    original = RecipeImplementation()
    result = functions(original)
    if not isinstance(result, RecipeInterface):
        raise TypeError(f"override functions must return the recipe implementation, not {type(result).__name__}")
    replaced = [
        name
        for name, member in vars(RecipeInterface).items()
        if callable(member)
        and not name.startswith("_")
        and name not in OVERRIDABLE
        and getattr(getattr(result, name), "__func__", None) is not getattr(RecipeImplementation, name)
    ]
    if replaced:
        raise NotSupportedError(
            f"session override: only {', '.join(OVERRIDABLE)} can be overridden by Tessera yet, "
            f"not {', '.join(replaced)}"
        )
    return result
