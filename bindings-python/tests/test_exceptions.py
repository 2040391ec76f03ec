"""The error mapping: every core error kind has its own class, built by ``_from_native``."""

import json

import pytest
import tessera
from conftest import init_tessera
from tessera import _native, exceptions
from tessera.exceptions import (
    ClearDuplicateSessionCookiesError,
    InternalError,
    InvalidClaimsError,
    InvalidConfigError,
    InvalidInputError,
    NotSupportedError,
    StorageError,
    SuperTokensSessionError,
    TesseraError,
    TokenTheftError,
    TryRefreshTokenError,
    UnauthorisedError,
    WouldBlockError,
    _from_native,
)
from tessera.recipe.session import exceptions as session_exceptions
from tessera.types import RecipeUserId

EXPECTED = {
    "UNAUTHORISED": UnauthorisedError,
    "TRY_REFRESH_TOKEN": TryRefreshTokenError,
    "TOKEN_THEFT_DETECTED": TokenTheftError,
    "INVALID_CLAIMS": InvalidClaimsError,
    "CLEAR_DUPLICATE_SESSION_COOKIES": ClearDuplicateSessionCookiesError,
    "INVALID_CONFIG": InvalidConfigError,
    "INVALID_INPUT": InvalidInputError,
    "STORAGE": StorageError,
    "NOT_SUPPORTED": NotSupportedError,
    "INTERNAL": InternalError,
    "WOULD_BLOCK": WouldBlockError,
}
SESSION_CODES = {
    "UNAUTHORISED",
    "TRY_REFRESH_TOKEN",
    "TOKEN_THEFT_DETECTED",
    "INVALID_CLAIMS",
    "CLEAR_DUPLICATE_SESSION_COOKIES",
}


def test_every_core_error_kind_has_its_own_class() -> None:
    codes = _native.all_error_kinds()
    assert len(codes) == len(set(codes))
    seen = set()
    for code in codes:
        payload = {"code": code, "n": 1}
        err = _from_native(code, f"message of {code}", json.dumps(payload), True)
        cls = type(err)
        assert cls is not InternalError or code == "INTERNAL", f"{code} is not mapped"
        assert cls is EXPECTED.get(code), code
        assert cls not in seen, f"{cls.__name__} is used twice"
        seen.add(cls)
        assert isinstance(err, TesseraError)
        assert isinstance(err, SuperTokensSessionError) == (code in SESSION_CODES), code
        assert err.code == code == cls.CODE
        assert err.message == str(err) == f"message of {code}"
        assert err.payload == payload
        assert err.clear_tokens is True
    assert set(EXPECTED) == set(codes), "the expected table and the core disagree"


def test_unknown_code_and_bad_payload_never_crash() -> None:
    err = _from_native("SOMETHING_NEW", "m", "{not json", False)
    assert type(err) is InternalError
    assert err.code == "SOMETHING_NEW"
    assert err.payload == "{not json"
    assert _from_native("UNAUTHORISED", "m", None, False).payload is None


def test_native_errors_arrive_typed() -> None:
    with pytest.raises(InvalidConfigError) as info:
        _native.Engine("{not json")
    assert info.value.code == "INVALID_CONFIG"
    init_tessera()
    from tessera import _state

    with pytest.raises(UnauthorisedError) as unauthorised:
        _state.engine().get_session_without_request_response("garbage", None, True, None, False)
    assert unauthorised.value.code == "UNAUTHORISED"
    with pytest.raises(InvalidInputError):
        _state.engine().create_new_session_without_request_response("public", "u", "[1]", "{}", False)


def test_supertokens_python_names_and_constructors() -> None:
    assert tessera.SuperTokensError is TesseraError
    assert exceptions.SuperTokensError is TesseraError
    for name in [
        "SuperTokensSessionError",
        "UnauthorisedError",
        "TryRefreshTokenError",
        "TokenTheftError",
        "InvalidClaimsError",
        "ClearDuplicateSessionCookiesError",
    ]:
        assert getattr(session_exceptions, name) is getattr(exceptions, name)

    u = UnauthorisedError("gone")
    assert (u.code, u.message, u.clear_tokens) == ("UNAUTHORISED", "gone", True)
    assert UnauthorisedError("gone", clear_tokens=False).clear_tokens is False
    assert TryRefreshTokenError("expired").code == "TRY_REFRESH_TOKEN"
    t = TokenTheftError("user", RecipeUserId("recipe-user"), "handle")
    assert (t.user_id, t.recipe_user_id, t.session_handle) == ("user", RecipeUserId("recipe-user"), "handle")
    assert t.payload == {"userId": "user", "recipeUserId": "recipe-user", "sessionHandle": "handle"}
    c = InvalidClaimsError("invalid claim", [{"id": "st-ev", "reason": "wrong"}])
    assert c.payload == [{"id": "st-ev", "reason": "wrong"}]
    assert c._payload_json() == '[{"id": "st-ev", "reason": "wrong"}]'


def test_token_theft_fields_from_native_payload() -> None:
    payload = {"userId": "u", "recipeUserId": "r", "sessionHandle": "h"}
    t = _from_native("TOKEN_THEFT_DETECTED", "theft", json.dumps(payload), True)
    assert isinstance(t, TokenTheftError)
    assert (t.user_id, t.recipe_user_id.get_as_string(), t.session_handle) == ("u", "r", "h")


def test_a_rust_panic_arrives_as_internal_error_not_base_exception() -> None:
    # pyo3 would raise PanicException, a BaseException that `except Exception` misses.
    with pytest.raises(InternalError) as info:
        _native._panic_for_tests("boom in a test")
    assert isinstance(info.value, Exception)
    assert info.value.code == "INTERNAL"
    assert "boom in a test" in info.value.message
    # The module keeps working after the panic.
    assert "UNAUTHORISED" in _native.all_error_kinds()


def test_cookie_values_are_read_by_the_core() -> None:
    headers = ['a=1; b="%20x"', "c=3"]
    assert _native.cookie_value(headers, "b") == " x"
    assert _native.cookie_value(headers, "c") == "3"
    assert _native.cookie_value(headers, "missing") is None
