"""Session claims with built-in validators (supertokens-python's
``supertokens_python.recipe.session.claims``)::

    from tessera.recipe.session.claims import BooleanClaim

    SecondFactorClaim = BooleanClaim(key="2fa-completed", fetch_value=lambda *_: False)
    ...
    Depends(verify_session(override_global_claim_validators=lambda validators, session, ctx:
        validators + [SecondFactorClaim.validators.is_true()]))

What each built-in validator checks, and the reason it gives when a check fails, is the
core's (``tessera_core::claims``): the same in every language.
"""

import json
from typing import Any, Callable, Dict, List, Optional, TypeVar

from ... import _native
from .interfaces import ClaimValidationResult, JSONObject, SessionClaim, SessionClaimValidator

__all__ = ["BooleanClaim", "PrimitiveArrayClaim", "PrimitiveClaim", "SessionClaim"]

_T = TypeVar("_T")


class _BuiltinValidator(SessionClaimValidator):
    """A validator the core evaluates, described by its JSON."""

    def __init__(
        self, id_: Optional[str], claim: SessionClaim[Any], check: Dict[str, Any], max_age: Optional[float]
    ) -> None:
        super().__init__(id_ if id_ is not None else claim.key)
        self.claim = claim
        # The reasons in supertokens-python's words (the core knows each SDK's).
        spec: Dict[str, Any] = {"key": claim.key, "check": check, "wording": "python"}
        if max_age is not None:
            spec["maxAgeInSeconds"] = max_age
        self._spec = json.dumps(spec)

    def should_refetch(self, payload: JSONObject, user_context: Dict[str, Any]) -> bool:
        return _native.claim_should_refetch(self._spec, json.dumps(payload))

    async def validate(self, payload: JSONObject, user_context: Dict[str, Any]) -> ClaimValidationResult:
        reason = _native.claim_validate(self._spec, json.dumps(payload))
        if reason is None:
            return ClaimValidationResult(True)
        return ClaimValidationResult(False, json.loads(reason))


class PrimitiveClaimValidators:
    """The validators of a :class:`PrimitiveClaim`."""

    def __init__(self, claim: SessionClaim[Any], default_max_age_in_sec: Optional[float]) -> None:
        self.claim = claim
        self.default_max_age_in_sec = default_max_age_in_sec

    def has_value(
        self, val: Any, max_age_in_sec: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's value is ``val`` (refetched when missing or older than the max age)."""
        max_age = max_age_in_sec if max_age_in_sec is not None else self.default_max_age_in_sec
        return _BuiltinValidator(id_, self.claim, {"kind": "hasValue", "value": val}, max_age)


class PrimitiveClaim(SessionClaim[_T]):
    """A claim holding one JSON primitive (string, number, boolean)."""

    def __init__(
        self, key: str, fetch_value: Callable[..., Any], default_max_age_in_sec: Optional[float] = None
    ) -> None:
        super().__init__(key, fetch_value)
        self.validators = PrimitiveClaimValidators(self, default_max_age_in_sec)


class BooleanClaimValidators(PrimitiveClaimValidators):
    """The validators of a :class:`BooleanClaim`."""

    def is_true(self, max_age: Optional[float] = None, id_: Optional[str] = None) -> SessionClaimValidator:
        """The claim is ``True``."""
        return self.has_value(True, max_age, id_)

    def is_false(self, max_age: Optional[float] = None, id_: Optional[str] = None) -> SessionClaimValidator:
        """The claim is ``False``."""
        return self.has_value(False, max_age, id_)


class BooleanClaim(PrimitiveClaim[bool]):
    """A claim holding a boolean."""

    def __init__(
        self, key: str, fetch_value: Callable[..., Any], default_max_age_in_sec: Optional[float] = None
    ) -> None:
        super().__init__(key, fetch_value, default_max_age_in_sec)
        self.validators = BooleanClaimValidators(self, default_max_age_in_sec)


class PrimitiveArrayClaimValidators:
    """The validators of a :class:`PrimitiveArrayClaim`."""

    def __init__(self, claim: SessionClaim[Any], default_max_age_in_sec: Optional[float]) -> None:
        self.claim = claim
        self.default_max_age_in_sec = default_max_age_in_sec

    def _make(self, check: Dict[str, Any], max_age: Optional[float], id_: Optional[str]) -> SessionClaimValidator:
        return _BuiltinValidator(
            id_, self.claim, check, max_age if max_age is not None else self.default_max_age_in_sec
        )

    def includes(
        self, val: Any, max_age_in_seconds: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's list contains ``val``."""
        return self._make({"kind": "includes", "value": val}, max_age_in_seconds, id_)

    def excludes(
        self, val: Any, max_age_in_seconds: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's list does not contain ``val``."""
        return self._make({"kind": "excludes", "value": val}, max_age_in_seconds, id_)

    def includes_all(
        self, val: List[Any], max_age_in_seconds: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's list contains every item of ``val``."""
        return self._make({"kind": "includesAll", "values": list(val)}, max_age_in_seconds, id_)

    def includes_any(
        self, val: List[Any], max_age_in_seconds: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's list contains at least one item of ``val``."""
        return self._make({"kind": "includesAny", "values": list(val)}, max_age_in_seconds, id_)

    def excludes_all(
        self, val: List[Any], max_age_in_seconds: Optional[float] = None, id_: Optional[str] = None
    ) -> SessionClaimValidator:
        """The claim's list contains no item of ``val``."""
        return self._make({"kind": "excludesAll", "values": list(val)}, max_age_in_seconds, id_)


class PrimitiveArrayClaim(SessionClaim[List[Any]]):
    """A claim holding a list of JSON primitives (roles, permissions, ...)."""

    def __init__(
        self, key: str, fetch_value: Callable[..., Any], default_max_age_in_seconds: Optional[float] = None
    ) -> None:
        super().__init__(key, fetch_value)
        self.validators = PrimitiveArrayClaimValidators(self, default_max_age_in_seconds)
