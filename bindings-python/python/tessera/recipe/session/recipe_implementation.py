"""The session recipe's functions as supertokens-python's ``RecipeInterface``, for
``session.init(override=InputOverrideConfig(functions=...))``.

:class:`RecipeImplementation` is the ``original_implementation`` an override receives: each
method does the work of the module function of the same name. Every function may be replaced,
and every path that reaches one goes through the implementation the override returned, as in
supertokens-python: the module functions, the :class:`SessionContainer` methods, the routes'
verification (``get_session``, ``get_global_claim_validators``, ``validate_claims``), the
refresh and sign-out endpoints (``refresh_session``, ``get_session``, ``revoke_session``).
Functions the override left alone keep their direct native paths.
"""

from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

from ... import _state
from ..._util import off_loop, resolved, to_json
from ...framework.request import RequestAdapter
from ...types import RecipeUserId, recipe_user_id_str
from .exceptions import ClaimValidationError
from .interfaces import (
    ClaimsValidationResult,
    GetClaimValueOkResult,
    RecipeInterface,
    RegenerateAccessTokenOkResult,
    SessionContainer,
    SessionDoesNotExistError,
    SessionInformationResult,
)
from .utils import SessionConfig

__all__ = [
    "RecipeImplementation",
    "RecipeInterface",
    "build",
    "create_through",
    "functions",
    "request_in_user_context",
    "with_request",
]


def functions() -> RecipeInterface:
    """The implementation session functions go through: the override's, else Tessera's."""
    return _state.current().recipe_implementation or _DEFAULT


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
    (``user_context`` by keyword; ``user_id`` is the recipe user id: Tessera has no account
    linking)."""
    user = recipe_user_id_str(recipe_user_id)
    return implementation.create_new_session(
        user,
        RecipeUserId(user),
        access_token_payload,
        session_data_in_database,
        disable_anti_csrf,
        tenant_id,
        user_context=user_context,
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


class RecipeImplementation(RecipeInterface):
    """Tessera's own implementation: the native engine's work, run off the event loop, and
    the claim checks. ``create_new_session`` writes the tokens to the response when a
    request-level call put its request in ``user_context``.

    ``config`` is the :class:`~tessera.recipe.session.utils.SessionConfig` given to
    ``session.init`` (``None`` for the implementation used without an override)."""

    def __init__(self, config: Optional["SessionConfig"] = None) -> None:
        self.config = config

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
        """Verifies ``access_token`` (claims are checked by the caller, as in
        supertokens-python); no token is no session, or an ``UnauthorisedError`` when one is
        required."""
        from . import _common
        from .exceptions import UnauthorisedError

        if access_token is None:
            if session_required is False:
                return None
            raise UnauthorisedError(
                "Session does not exist. Are you sending the session tokens in the request "
                "with the appropriate token transfer method?",
                clear_tokens=False,
            )
        return await _common.verify_token(
            access_token, anti_csrf_token, anti_csrf_check, session_required, check_database
        )

    async def refresh_session(
        self,
        refresh_token: str,
        anti_csrf_token: Optional[str],
        disable_anti_csrf: bool,
        user_context: Dict[str, Any],
    ) -> SessionContainer:
        """Rotates the session's refresh token; the new session, with no transport yet."""
        engine = _state.engine()
        native = await off_loop(
            engine.refresh_session_without_request_response, refresh_token, bool(disable_anti_csrf), anti_csrf_token
        )
        return SessionContainer(engine, native)

    async def revoke_session(self, session_handle: str, user_context: Dict[str, Any]) -> bool:
        """Revokes one session; whether it existed."""
        return await off_loop(_state.engine().revoke_session, session_handle)

    async def revoke_all_sessions_for_user(
        self,
        user_id: str,
        revoke_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        revoke_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """Revokes the user's sessions in ``tenant_id``, or in every tenant."""
        from ._common import tenant_scope

        scope = tenant_scope(tenant_id, revoke_across_all_tenants)
        return await off_loop(_state.engine().revoke_all_sessions_for_user, user_id, scope)

    async def get_all_session_handles_for_user(
        self,
        user_id: str,
        fetch_sessions_for_linked_accounts: bool,
        tenant_id: Optional[str],
        fetch_across_all_tenants: bool,
        user_context: Dict[str, Any],
    ) -> List[str]:
        """The user's live session handles in ``tenant_id``, or in every tenant."""
        from ._common import tenant_scope

        scope = tenant_scope(tenant_id, fetch_across_all_tenants)
        return await off_loop(_state.engine().get_all_session_handles_for_user, user_id, scope)

    async def revoke_multiple_sessions(self, session_handles: List[str], user_context: Dict[str, Any]) -> List[str]:
        """Revokes sessions; the handles of those that existed."""
        return await off_loop(_state.engine().revoke_multiple_sessions, list(session_handles))

    async def get_session_information(
        self, session_handle: str, user_context: Dict[str, Any]
    ) -> Optional[SessionInformationResult]:
        """The session's information, or ``None`` when it does not exist (or has expired)."""
        info_json = await off_loop(_state.engine().get_session_information, session_handle)
        return None if info_json is None else SessionInformationResult._from_native(info_json)

    async def update_session_data_in_database(
        self, session_handle: str, new_session_data: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """Replaces the session's data in the database; whether the session exists."""
        data_json = to_json(new_session_data, "new_session_data")
        return await off_loop(_state.engine().update_session_data_in_database, session_handle, data_json)

    async def merge_into_access_token_payload(
        self, session_handle: str, access_token_payload_update: Dict[str, Any], user_context: Dict[str, Any]
    ) -> bool:
        """Merges into the stored payload of the session's next access tokens (a ``None``
        value deletes the key); whether the session exists."""
        update_json = to_json(access_token_payload_update, "access_token_payload_update")
        return await off_loop(_state.engine().merge_into_access_token_payload, session_handle, update_json)

    def get_global_claim_validators(
        self,
        tenant_id: str,
        user_id: str,
        recipe_user_id: RecipeUserId,
        claim_validators_added_by_other_recipes: List[Any],
        user_context: Dict[str, Any],
    ) -> List[Any]:
        """The validators other recipes added (Tessera has none of its own)."""
        return list(claim_validators_added_by_other_recipes)

    async def validate_claims(
        self,
        user_id: str,
        recipe_user_id: RecipeUserId,
        access_token_payload: Dict[str, Any],
        claim_validators: List[Any],
        user_context: Dict[str, Any],
    ) -> ClaimsValidationResult:
        """Fetches again the claims whose value is missing or too old, then runs every
        validator on the resulting payload. ``access_token_payload_update`` is that payload
        when a fetch changed it, else ``None``."""
        payload = dict(access_token_payload)
        changed = False
        for validator in claim_validators:
            claim = validator.claim
            if claim is None or not await resolved(validator.should_refetch(payload, user_context)):
                continue
            value = await resolved(
                claim.fetch_value(user_id, recipe_user_id, payload.get("tId", "public"), payload, user_context)
            )
            if value is not None:
                payload = claim.add_to_payload_(payload, value, user_context)
                changed = True
        invalid: List[ClaimValidationError] = []
        for validator in claim_validators:
            result = await resolved(validator.validate(payload, user_context))
            if not result.is_valid:
                invalid.append(ClaimValidationError(validator.id, result.reason))
        return ClaimsValidationResult(invalid, payload if changed else None)

    async def fetch_and_set_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Fetches the claim's value for the session's user and merges it into the session's
        payload; ``False`` when the session does not exist."""
        info = await self.get_session_information(session_handle, user_context)
        if info is None:
            return False
        update = await claim.build(
            info.user_id,
            info.recipe_user_id,
            info.tenant_id,
            info.custom_claims_in_access_token_payload,
            user_context,
        )
        return await self.merge_into_access_token_payload(session_handle, update, user_context)

    async def set_claim_value(self, session_handle: str, claim: Any, value: Any, user_context: Dict[str, Any]) -> bool:
        """Sets the claim in the session's payload; ``False`` when the session does not
        exist."""
        update = claim.add_to_payload_({}, value, user_context)
        return await self.merge_into_access_token_payload(session_handle, update, user_context)

    async def get_claim_value(
        self, session_handle: str, claim: Any, user_context: Dict[str, Any]
    ) -> Union[SessionDoesNotExistError, GetClaimValueOkResult[Any]]:
        """The claim's value in the session's payload (``None`` if unset)."""
        info = await self.get_session_information(session_handle, user_context)
        if info is None:
            return SessionDoesNotExistError()
        return GetClaimValueOkResult(
            claim.get_value_from_payload(info.custom_claims_in_access_token_payload, user_context)
        )

    async def remove_claim(self, session_handle: str, claim: Any, user_context: Dict[str, Any]) -> bool:
        """Removes the claim from the session's payload; ``False`` when the session does
        not exist."""
        update = claim.remove_from_payload_by_merge_({}, user_context)
        return await self.merge_into_access_token_payload(session_handle, update, user_context)

    async def regenerate_access_token(
        self, access_token: str, new_access_token_payload: Optional[Dict[str, Any]], user_context: Dict[str, Any]
    ) -> Optional[RegenerateAccessTokenOkResult]:
        """As the SuperTokens core's ``/recipe/session/regenerate``: ``new_access_token_payload``
        (``None``: ``{}``) replaces the session's custom payload, and a new access token with
        the old one's expiry carries it unless the old one has expired; ``None`` when the
        session no longer exists. Unlike the core, the token's signature is checked. Only the
        caller holds the new token: write it to a response yourself, or use the session's
        ``merge_into_access_token_payload``, which does."""
        payload_json = to_json(new_access_token_payload or {}, "new_access_token_payload")
        answer = await off_loop(_state.engine().regenerate_access_token, access_token, payload_json)
        return None if answer is None else RegenerateAccessTokenOkResult._from_native(answer)


_DEFAULT = RecipeImplementation()

#: Replacing one of these sends the refresh and sign-out endpoints through the binding.
ENDPOINT_FUNCTIONS = frozenset({"get_session", "refresh_session", "revoke_session"})


def build(
    override: Callable[[RecipeImplementation], Any], config: Optional["SessionConfig"] = None
) -> Tuple[RecipeInterface, FrozenSet[str]]:
    """The implementation an app's ``override.functions`` makes of Tessera's, and the names
    of the functions it replaced (an override may assign functions to the instance it is
    given, as supertokens-python's documentation does, or return a subclass).

    Raises:
        TypeError: it returned something that is not an implementation.
    """
    original = RecipeImplementation(config)
    result = override(original)
    if not isinstance(result, RecipeInterface):
        raise TypeError(f"override functions must return the recipe implementation, not {type(result).__name__}")
    replaced = frozenset(
        name
        for name, member in vars(RecipeInterface).items()
        if callable(member)
        and not name.startswith("_")
        and getattr(getattr(result, name), "__func__", None) is not getattr(RecipeImplementation, name)
    )
    return result, replaced
