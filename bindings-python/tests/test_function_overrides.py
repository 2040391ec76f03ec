"""``session.init(override=InputOverrideConfig(functions=...))`` beyond ``create_new_session``:
every path that reaches a recipe function goes through the app's replacement, as in
supertokens-python (tests/test_session.py, tests/sessions/claims/*)."""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
from conftest import Client, init_tessera, set_cookies
from fastapi import Depends, Request
from tessera.recipe import session
from tessera.recipe.session import SessionContainer
from tessera.recipe.session.asyncio import (
    create_new_session_without_request_response,
    fetch_and_set_claim,
    get_claim_value,
    get_session_without_request_response,
    refresh_session_without_request_response,
    remove_claim,
    revoke_session,
    set_claim_value,
    validate_claims_for_session_handle,
)
from tessera.recipe.session.claims import BooleanClaim, PrimitiveClaim
from tessera.recipe.session.exceptions import UnauthorisedError
from tessera.recipe.session.framework.fastapi import verify_session
from tessera.recipe.session.interfaces import (
    ClaimsValidationResult,
    GetClaimValueOkResult,
    RecipeInterface,
    SessionDoesNotExistError,
)
from tessera.recipe.session.recipe import SessionRecipe
from tessera.recipe.session.recipe_implementation import RecipeImplementation
from tessera.types import RecipeUserId
from test_fastapi import _refresh_and_sign_out, _shape, make_app, sign_in

Calls = List[Tuple[Any, ...]]


def _init(functions: Any, **options: Any) -> None:
    init_tessera(override=session.SessionOverrideConfig(functions=functions), **options)


def test_should_use_override_functions_in_session_container_methods() -> None:
    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.get_session_information

        async def get_session_information(session_handle: str, user_context: Dict[str, Any]) -> Any:
            info = await original(session_handle, user_context)
            assert info is not None
            info.session_data_in_database["foo"] = "bar"
            return info

        oi.get_session_information = get_session_information  # type: ignore[method-assign]
        return oi

    _init(override)
    assert isinstance(SessionRecipe.get_instance().recipe_implementation, RecipeImplementation)
    s = asyncio.run(create_new_session_without_request_response("public", RecipeUserId("test_id"), {}, {"db": 1}))
    assert asyncio.run(s.get_session_data_from_database()) == {"db": 1, "foo": "bar"}
    assert s.sync_get_session_data_from_database() == {"db": 1, "foo": "bar"}
    # Without the override, the store's data alone.
    init_tessera()
    s = asyncio.run(create_new_session_without_request_response("public", "test_id", {}, {"db": 1}))
    assert asyncio.run(s.get_session_data_from_database()) == {"db": 1}


def test_a_subclass_may_replace_functions_and_the_module_functions_use_it() -> None:
    calls: Calls = []

    class Counting(RecipeImplementation):
        async def revoke_session(self, session_handle: str, user_context: Dict[str, Any]) -> bool:
            calls.append(("revoke", session_handle, user_context.get("who")))
            return await super().revoke_session(session_handle, user_context)

        async def refresh_session(
            self, refresh_token: str, anti_csrf_token: Optional[str], disable_anti_csrf: bool, user_context: Any
        ) -> SessionContainer:
            calls.append(("refresh", disable_anti_csrf))
            return await super().refresh_session(refresh_token, anti_csrf_token, disable_anti_csrf, user_context)

    _init(lambda original: Counting())
    s = asyncio.run(create_new_session_without_request_response("public", "u", {}, {}, disable_anti_csrf=True))
    tokens = s.get_all_session_tokens_dangerously()
    refreshed = asyncio.run(refresh_session_without_request_response(tokens["refreshToken"], True))
    assert refreshed.get_handle() == s.get_handle()
    assert asyncio.run(revoke_session(s.get_handle(), {"who": "admin"})) is True
    assert asyncio.run(revoke_session(s.get_handle())) is False
    assert calls == [("refresh", True), ("revoke", s.get_handle(), "admin"), ("revoke", s.get_handle(), None)]


def _passing_through(calls: Calls) -> Any:
    """An override that replaces every function with one that records its name and calls the
    original: what it changes is only what the record shows."""

    def override(oi: RecipeInterface) -> RecipeInterface:
        for name in [n for n, m in vars(RecipeInterface).items() if callable(m) and not n.startswith("_")]:
            original = getattr(oi, name)

            def make(name: str, original: Any) -> Any:
                if name == "get_global_claim_validators":

                    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                        calls.append((name,))
                        return original(*args, **kwargs)

                    return sync_wrapper

                async def wrapper(*args: Any, **kwargs: Any) -> Any:
                    calls.append((name,))
                    return await original(*args, **kwargs)

                return wrapper

            setattr(oi, name, make(name, original))
        return oi

    return override


def _routes(client: Client) -> List[Tuple[Any, ...]]:
    first = set_cookies(sign_in(client))
    access = first["sAccessToken"].value
    got = client.get("/getJWT", cookies={"sAccessToken": access})
    merged = client.post("/merge", cookies={"sAccessToken": access})
    none = client.get("/getJWT")
    optional = client.get("/optional")
    garbage = client.get("/getJWT", cookies={"sAccessToken": "garbage"})
    answers = [
        (got.status_code, got.json() == {"token": access}),
        _shape(merged)[:1] + _shape(merged)[2:],
        (merged.json()["payload"]["role"], merged.json()["token"] != access),
        _shape(none),
        _shape(optional),
        _shape(garbage),
    ]
    return answers + _refresh_and_sign_out(client)


def test_an_override_of_every_function_that_calls_the_originals_answers_as_without_one() -> None:
    init_tessera()
    plain = _routes(Client(make_app()))
    calls: Calls = []
    _init(_passing_through(calls))
    assert _routes(Client(make_app())) == plain
    names = {call[0] for call in calls}
    # Routes, refresh and sign-out went through the app's functions.
    assert {"create_new_session", "get_session", "refresh_session", "revoke_session"} <= names
    assert {"get_global_claim_validators", "validate_claims"} <= names


def test_a_get_session_override_gets_what_the_request_carries() -> None:
    seen: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.get_session

        # Keyword-only: a request's get_session is called by keyword, as in supertokens-python.
        async def get_session(
            *,
            access_token: Optional[str],
            anti_csrf_token: Optional[str] = None,
            anti_csrf_check: Optional[bool] = None,
            session_required: Optional[bool] = None,
            check_database: Optional[bool] = None,
            override_global_claim_validators: Any = None,
            user_context: Optional[Dict[str, Any]] = None,
        ) -> Optional[SessionContainer]:
            request = (user_context or {})["_default"]["request"]
            seen.append((access_token, anti_csrf_token, anti_csrf_check, session_required, request.get_path()))
            result = await original(
                access_token, anti_csrf_token, anti_csrf_check, session_required, check_database, None, user_context
            )
            if result is not None and result.get_access_token_payload().get("role") == "banned":
                raise UnauthorisedError("banned")
            return result

        oi.get_session = get_session  # type: ignore[method-assign]
        return oi

    _init(override, anti_csrf="VIA_TOKEN")
    app = make_app()

    @app.post("/post-route")
    async def post_route(s: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"user": s.get_user_id()}

    @app.post("/signin-banned")
    async def signin_banned(request: Request) -> Dict[str, Any]:
        from tessera.recipe.session.asyncio import create_new_session

        await create_new_session(request, "public", "bad", {"role": "banned"})
        return {}

    client = Client(app)
    r = sign_in(client)
    access = set_cookies(r)["sAccessToken"].value
    csrf = r.headers["anti-csrf"]
    assert client.get("/getJWT", cookies={"sAccessToken": access}).json() == {"token": access}
    assert seen[-1] == (access, None, False, True, "/getJWT")
    ok = client.post("/post-route", cookies={"sAccessToken": access}, headers={"anti-csrf": csrf})
    assert (ok.status_code, ok.json()) == (200, {"user": "user-1"})
    assert seen[-1] == (access, csrf, True, True, "/post-route")
    # The anti-CSRF check still applies: the override passed it on to the original.
    bad = client.post("/post-route", cookies={"sAccessToken": access}, headers={"anti-csrf": "wrong"})
    assert (bad.status_code, bad.json()) == (401, {"message": "try refresh token"})
    # A header token: no anti-CSRF check; no token: the original says 401, or None when optional.
    bearer = client.post("/post-route", headers={"authorization": f"Bearer {access}"})
    assert bearer.status_code == 200 and seen[-1][2] is False
    none = client.get("/getJWT")
    assert (none.status_code, none.json()) == (401, {"message": "unauthorised"})
    assert "set-cookie" not in none.headers
    assert seen[-1][0] is None
    assert client.get("/optional").json() == {"session": None}
    assert seen[-1][3] is False
    # What the override raises is the answer.
    banned = set_cookies(client.post("/signin-banned", headers={"st-auth-mode": "cookie"}))["sAccessToken"].value
    denied = client.get("/getJWT", cookies={"sAccessToken": banned})
    assert (denied.status_code, denied.json()) == (401, {"message": "unauthorised"})
    assert set_cookies(denied)["sAccessToken"].cleared


def test_a_get_session_override_is_called_for_tokens_given_directly() -> None:
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.get_session

        async def get_session(access_token: Optional[str], *args: Any) -> Any:
            calls.append(("get_session", access_token is not None))
            return await original(access_token, *args)

        oi.get_session = get_session  # type: ignore[method-assign]
        return oi

    _init(override)
    s = asyncio.run(create_new_session_without_request_response("public", "u", {}, {}, disable_anti_csrf=True))
    verified = asyncio.run(get_session_without_request_response(s.get_access_token(), anti_csrf_check=False))
    assert verified is not None and verified.get_handle() == s.get_handle()
    from tessera.recipe.session.syncio import get_session_without_request_response as sync_get

    assert sync_get(s.get_access_token(), anti_csrf_check=False) is not None
    assert calls == [("get_session", True), ("get_session", True)]


def test_a_refresh_session_override_serves_the_refresh_endpoint_in_both_transports() -> None:
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.refresh_session

        async def refresh_session(
            refresh_token: str, anti_csrf_token: Optional[str], disable_anti_csrf: bool, user_context: Dict[str, Any]
        ) -> SessionContainer:
            calls.append((anti_csrf_token, disable_anti_csrf))
            return await original(refresh_token, anti_csrf_token, disable_anti_csrf, user_context)

        oi.refresh_session = refresh_session  # type: ignore[method-assign]
        return oi

    _init(override, anti_csrf="VIA_TOKEN")
    client = Client(make_app())
    r = sign_in(client)
    first = set_cookies(r)
    csrf = r.headers["anti-csrf"]
    refreshed = client.post(
        "/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value}, headers={"anti-csrf": csrf}
    )
    assert (refreshed.status_code, refreshed.json()) == (200, {})
    new = set_cookies(refreshed)
    assert new["sAccessToken"].value != first["sAccessToken"].value
    assert new["sRefreshToken"].attrs["path"] == "/auth/session/refresh"
    assert refreshed.headers["front-token"] and refreshed.headers["anti-csrf"] != csrf
    assert calls == [(csrf, False)]
    # The anti-CSRF check of the original still applies.
    wrong = client.post(
        "/auth/session/refresh", cookies={"sRefreshToken": new["sRefreshToken"].value}, headers={"anti-csrf": "x"}
    )
    assert (wrong.status_code, wrong.json()) == (401, {"message": "unauthorised"})
    # Header mode: the new tokens go out as headers.
    h = sign_in(client, "header")
    hr = client.post("/auth/session/refresh", headers={"authorization": f"Bearer {h.headers['st-refresh-token']}"})
    assert hr.status_code == 200 and "set-cookie" not in hr.headers
    assert hr.headers["st-access-token"] and hr.headers["st-refresh-token"]
    assert calls[-1] == (None, True)
    # No refresh token: the endpoint's own answer; the override is not asked.
    count = len(calls)
    assert client.post("/auth/session/refresh").json() == {"message": "unauthorised"}
    assert len(calls) == count


def test_a_revoke_session_override_runs_at_sign_out_and_from_the_container() -> None:
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        async def revoke_session(session_handle: str, user_context: Dict[str, Any]) -> bool:
            # Keeps the session in the store: the override decides.
            calls.append(("revoke", session_handle))
            return True

        oi.revoke_session = revoke_session  # type: ignore[method-assign]
        return oi

    _init(override)
    app = make_app()

    @app.post("/logout")
    async def logout(s: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        await s.revoke_session()
        return {}

    client = Client(app)
    first = set_cookies(sign_in(client))
    out = client.post("/auth/signout", cookies={"sAccessToken": first["sAccessToken"].value})
    assert (out.status_code, out.json()) == (200, {"status": "OK"})
    cleared = set_cookies(out)
    assert cleared["sAccessToken"].cleared and cleared["sRefreshToken"].cleared
    assert out.headers["front-token"] == "remove"
    handle = calls[0][1]
    # The replacement did not revoke: the refresh token still works.
    again = client.post("/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value})
    assert again.status_code == 200
    access = set_cookies(again)["sAccessToken"].value
    logged_out = client.post("/logout", cookies={"sAccessToken": access})
    assert logged_out.status_code == 200 and set_cookies(logged_out)["sAccessToken"].cleared
    assert calls == [("revoke", handle), ("revoke", handle)]


def test_a_get_global_claim_validators_override_guards_every_route() -> None:
    fetched: Calls = []

    def fetch_verified(user_id: str, *_: Any) -> bool:
        fetched.append((user_id,))
        return user_id == "good"

    verified = BooleanClaim("verified", fetch_verified)

    def override(oi: RecipeInterface) -> RecipeInterface:
        def get_global_claim_validators(
            tenant_id: str, user_id: str, recipe_user_id: Any, others: List[Any], user_context: Any
        ) -> List[Any]:
            return [*others, verified.validators.has_value(True)]

        oi.get_global_claim_validators = get_global_claim_validators  # type: ignore[method-assign]
        return oi

    _init(override)
    app = make_app()

    @app.post("/signin-as/{user}")
    async def signin_as(user: str, request: Request) -> Dict[str, Any]:
        from tessera.recipe.session.asyncio import create_new_session

        await create_new_session(request, "public", user)
        return {}

    @app.get("/open")
    async def open_route(
        s: SessionContainer = Depends(verify_session(override_global_claim_validators=lambda gv, s, ctx: [])),
    ) -> Dict[str, Any]:
        return {"ok": True}

    client = Client(app)
    bad = set_cookies(client.post("/signin-as/bad", headers={"st-auth-mode": "cookie"}))["sAccessToken"].value
    r = client.get("/getJWT", cookies={"sAccessToken": bad})
    assert r.status_code == 403
    assert r.json() == {
        "message": "invalid claim",
        "claimValidationErrors": [
            {"id": "verified", "reason": {"message": "wrong value", "expectedValue": True, "actualValue": False}}
        ],
    }
    # The route's own override may drop the global validators.
    assert client.get("/open", cookies={"sAccessToken": bad}).json() == {"ok": True}
    good = set_cookies(client.post("/signin-as/good", headers={"st-auth-mode": "cookie"}))["sAccessToken"].value
    ok = client.get("/getJWT", cookies={"sAccessToken": good})
    assert ok.status_code == 200
    new_token = set_cookies(ok)["sAccessToken"].value
    assert new_token != good
    assert ok.json() == {"token": new_token}
    assert fetched == [("bad",), ("good",)]


def test_a_validate_claims_override_decides_assert_claims() -> None:
    from tessera.recipe.session.exceptions import ClaimValidationError, InvalidClaimsError

    def override(oi: RecipeInterface) -> RecipeInterface:
        async def validate_claims(
            user_id: str, recipe_user_id: Any, payload: Dict[str, Any], validators: List[Any], user_context: Any
        ) -> ClaimsValidationResult:
            if payload.get("role") == "admin":
                return ClaimsValidationResult([])
            return ClaimsValidationResult([ClaimValidationError("role", {"message": "not admin"})], {"checked": True})

        oi.validate_claims = validate_claims  # type: ignore[method-assign]
        return oi

    _init(override)
    user = asyncio.run(create_new_session_without_request_response("public", "u", {"role": "user"}, {}))
    with pytest.raises(InvalidClaimsError) as raised:
        asyncio.run(user.assert_claims([]))
    assert [e.to_json() for e in raised.value.payload] == [{"id": "role", "reason": {"message": "not admin"}}]
    # The update it returned was merged into a new token before the error.
    assert user.get_access_token_payload()["checked"] is True
    admin = asyncio.run(create_new_session_without_request_response("public", "a", {"role": "admin"}, {}))
    asyncio.run(admin.assert_claims([]))


def test_claim_functions_by_session_handle() -> None:
    init_tessera()
    plan = PrimitiveClaim("plan", lambda user_id, *_: f"pro-{user_id}")
    s = asyncio.run(create_new_session_without_request_response("public", "u1", {"keep": 1}, {}))
    handle = s.get_handle()

    assert asyncio.run(fetch_and_set_claim(handle, plan)) is True
    value = asyncio.run(get_claim_value(handle, plan))
    assert isinstance(value, GetClaimValueOkResult) and value.value == "pro-u1"
    assert asyncio.run(set_claim_value(handle, plan, "free")) is True
    assert asyncio.run(get_claim_value(handle, plan)).value == "free"  # type: ignore[union-attr]
    # The next access token carries it (check_database issues one with the stored payload).
    fresh = asyncio.run(
        get_session_without_request_response(s.get_access_token(), check_database=True, anti_csrf_check=False)
    )
    assert fresh is not None and fresh.get_access_token_payload()["plan"]["v"] == "free"
    assert fresh.get_access_token_payload()["keep"] == 1

    wrong = asyncio.run(
        validate_claims_for_session_handle(handle, lambda gv, info, ctx: [plan.validators.has_value("pro")])
    )
    assert isinstance(wrong, ClaimsValidationResult)
    assert wrong.to_json() == {
        "status": "OK",
        "invalidClaims": [
            {"id": "plan", "reason": {"message": "wrong value", "expectedValue": "pro", "actualValue": "free"}}
        ],
    }
    right = asyncio.run(
        validate_claims_for_session_handle(handle, lambda gv, info, ctx: [plan.validators.has_value("free")])
    )
    assert isinstance(right, ClaimsValidationResult) and right.invalid_claims == []

    assert asyncio.run(remove_claim(handle, plan)) is True
    assert asyncio.run(get_claim_value(handle, plan)).value is None  # type: ignore[union-attr]
    # A stale claim is fetched again and stored by the validation.
    refetched = asyncio.run(
        validate_claims_for_session_handle(handle, lambda gv, info, ctx: [plan.validators.has_value("pro-u1")])
    )
    assert isinstance(refetched, ClaimsValidationResult) and refetched.invalid_claims == []
    assert asyncio.run(get_claim_value(handle, plan)).value == "pro-u1"  # type: ignore[union-attr]

    # A handle that does not exist.
    assert asyncio.run(fetch_and_set_claim("nope", plan)) is False
    assert asyncio.run(set_claim_value("nope", plan, "x")) is False
    assert asyncio.run(remove_claim("nope", plan)) is False
    assert isinstance(asyncio.run(get_claim_value("nope", plan)), SessionDoesNotExistError)
    assert isinstance(asyncio.run(validate_claims_for_session_handle("nope")), SessionDoesNotExistError)


def test_claim_functions_by_session_handle_for_sync_code() -> None:
    from tessera.recipe.session import syncio

    init_tessera()
    flag = BooleanClaim("flag", lambda *_: True)
    s = syncio.create_new_session_without_request_response("public", "u2")
    assert syncio.fetch_and_set_claim(s.get_handle(), flag) is True
    assert syncio.get_claim_value(s.get_handle(), flag).value is True  # type: ignore[union-attr]
    assert syncio.remove_claim(s.get_handle(), flag) is True
    assert isinstance(syncio.get_claim_value("nope", flag), SessionDoesNotExistError)
    result = syncio.validate_claims_for_session_handle(
        s.get_handle(), lambda gv, info, ctx: [flag.validators.has_value(False)]
    )
    assert isinstance(result, ClaimsValidationResult) and [c.id_ for c in result.invalid_claims] == ["flag"]


def test_claim_functions_by_handle_go_through_the_override() -> None:
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.merge_into_access_token_payload

        async def merge_into_access_token_payload(handle: str, update: Dict[str, Any], user_context: Any) -> bool:
            calls.append(("merge", sorted(update)))
            return await original(handle, update, user_context)

        oi.merge_into_access_token_payload = merge_into_access_token_payload  # type: ignore[method-assign]
        return oi

    _init(override)
    flag = BooleanClaim("flag", lambda *_: True)
    s = asyncio.run(create_new_session_without_request_response("public", "u3"))
    assert asyncio.run(fetch_and_set_claim(s.get_handle(), flag)) is True
    assert asyncio.run(set_claim_value(s.get_handle(), flag, False)) is True
    assert calls == [("merge", ["flag"]), ("merge", ["flag"])]


def test_overrides_in_flask_run_for_sync_routes_and_sign_out() -> None:
    from flask import Flask, g, jsonify
    from tessera.framework.flask import Middleware
    from tessera.recipe.session.framework.flask import verify_session as flask_verify
    from tessera.recipe.session.syncio import create_new_session

    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        get_session, revoke = oi.get_session, oi.revoke_session

        async def counted_get_session(*args: Any, **kwargs: Any) -> Any:
            calls.append(("get_session",))
            return await get_session(*args, **kwargs)

        async def counted_revoke(handle: str, user_context: Any) -> bool:
            calls.append(("revoke",))
            return await revoke(handle, user_context)

        oi.get_session = counted_get_session  # type: ignore[method-assign]
        oi.revoke_session = counted_revoke  # type: ignore[method-assign]
        return oi

    _init(override, framework="flask")
    app = Flask(__name__)
    Middleware(app)

    @app.post("/signin")
    def signin() -> Any:
        from flask import request

        create_new_session(request, "public", "flask-user")
        return jsonify({})

    @app.get("/getJWT")
    @flask_verify()
    def get_jwt() -> Any:
        return jsonify({"token": g.supertokens.get_access_token()})

    client = app.test_client()
    signed = client.post("/signin", headers={"st-auth-mode": "header"})
    access = signed.headers["st-access-token"]
    got = client.get("/getJWT", headers={"authorization": f"Bearer {access}"})
    assert (got.status_code, got.get_json()) == (200, {"token": access})
    assert client.get("/getJWT").status_code == 401
    out = client.post("/auth/signout", headers={"authorization": f"Bearer {access}"})
    assert (out.status_code, out.get_json()) == (200, {"status": "OK"})
    assert out.headers["st-access-token"] == "" and out.headers["front-token"] == "remove"
    assert calls == [("get_session",), ("get_session",), ("get_session",), ("revoke",)]
    gone = client.get("/getJWT", headers={"authorization": f"Bearer {access}"})
    assert gone.status_code == 200  # the access token lives on until it expires, as in the SDKs


def test_sign_out_with_a_get_session_override_answers_as_without_one() -> None:
    init_tessera()
    plain = _refresh_and_sign_out(Client(make_app()))
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.get_session

        async def get_session(*args: Any, **kwargs: Any) -> Any:
            calls.append(("get_session",))
            return await original(*args, **kwargs)

        oi.get_session = get_session  # type: ignore[method-assign]
        return oi

    _init(override)
    assert _refresh_and_sign_out(Client(make_app())) == plain
    assert calls == [("get_session",)]


def test_a_missing_claim_is_worded_as_supertokens_python_words_it() -> None:
    from tessera.recipe.session.claims import PrimitiveArrayClaim

    flag = BooleanClaim("flag", lambda *_: None)
    roles = PrimitiveArrayClaim("roles", lambda *_: None)
    empty: Dict[str, Any] = {}
    reasons = [
        asyncio.run(v.validate(empty, {})).reason
        for v in (flag.validators.has_value(True), roles.validators.includes_any(["a"]), roles.validators.includes("a"))
    ]
    assert reasons == [
        {"message": "value does not exist", "expectedValue": True, "actualValue": None},
        {"message": "value does not exist", "expectedToIncludeAtLeastOneOf": ["a"], "actualValue": None},
        {"message": "value does not exist", "expectedToInclude": "a", "actualValue": None},
    ]
    # Through a route: the 403 body carries it.
    init_tessera()
    app = make_app()

    @app.get("/flagged")
    async def flagged(
        s: SessionContainer = Depends(
            verify_session(override_global_claim_validators=lambda gv, s, ctx: [flag.validators.is_true()])
        ),
    ) -> Dict[str, Any]:
        return {}

    client = Client(app)
    access = set_cookies(sign_in(client))["sAccessToken"].value
    r = client.get("/flagged", cookies={"sAccessToken": access})
    assert r.status_code == 403
    assert r.json() == {
        "message": "invalid claim",
        "claimValidationErrors": [
            {"id": "flag", "reason": {"message": "value does not exist", "expectedValue": True, "actualValue": None}}
        ],
    }


def test_regenerate_access_token_replaces_the_payload_and_keeps_the_expiry() -> None:
    from tessera.recipe.session.interfaces import RegenerateAccessTokenOkResult

    init_tessera()
    s = asyncio.run(create_new_session_without_request_response("public", "u", {"a": 1}, {}))
    impl = SessionRecipe.get_instance().recipe_implementation
    result = asyncio.run(impl.regenerate_access_token(s.get_access_token(), {"c": 3}, {}))
    assert isinstance(result, RegenerateAccessTokenOkResult)
    assert result.session.handle == s.get_handle() and result.session.user_id == "u"
    assert result.session.recipe_user_id == RecipeUserId("u") and result.session.tenant_id == "public"
    assert result.session.user_data_in_jwt == {"c": 3}
    assert result.access_token is not None
    assert result.access_token.expiry == s.get_access_token_payload()["exp"] * 1000
    got = asyncio.run(get_session_without_request_response(result.access_token.token))
    assert got is not None and got.get_access_token_payload()["c"] == 3
    assert "a" not in got.get_access_token_payload()
    assert result.to_json()["session"]["userDataInJWT"] == {"c": 3}
    # None payload means {}; a revoked session gives None, as supertokens-python answers.
    cleared = asyncio.run(impl.regenerate_access_token(s.get_access_token(), None, {}))
    assert cleared is not None and cleared.session.user_data_in_jwt == {}
    asyncio.run(revoke_session(s.get_handle()))
    assert asyncio.run(impl.regenerate_access_token(s.get_access_token(), {}, {})) is None


def test_merge_in_a_route_goes_through_a_regenerate_access_token_override() -> None:
    calls: Calls = []

    def override(oi: RecipeInterface) -> RecipeInterface:
        original = oi.regenerate_access_token

        async def regenerate_access_token(
            access_token: str, new_access_token_payload: Optional[Dict[str, Any]], user_context: Dict[str, Any]
        ) -> Any:
            calls.append(("regenerate", dict(new_access_token_payload or {})))
            return await original(access_token, {**(new_access_token_payload or {}), "by": "override"}, user_context)

        oi.regenerate_access_token = regenerate_access_token  # type: ignore[method-assign]
        return oi

    _init(override, get_token_transfer_method=lambda *_: "header")
    client = Client(make_app())
    access = sign_in(client, "header").headers["st-access-token"]
    merged = client.post("/merge", headers={"authorization": f"Bearer {access}"})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["payload"]["role"] == "admin" and body["payload"]["by"] == "override"
    assert body["token"] != access and merged.headers["st-access-token"] == body["token"]
    assert "front-token" in merged.headers
    assert calls and calls[0][1]["role"] == "admin" and "sub" not in calls[0][1]

    # Protected props in an update are ignored on this path too (assert_claims merges whole
    # payloads when a validate_claims override returns one).
    s = asyncio.run(get_session_without_request_response(body["token"]))
    assert s is not None
    asyncio.run(s.merge_into_access_token_payload({"sub": "someone-else", "exp": 1, "k": "v"}))
    assert calls[-1][1]["k"] == "v" and "sub" not in calls[-1][1] and "exp" not in calls[-1][1]
    assert s.get_user_id() == "user-1" and s.get_access_token_payload()["k"] == "v"
    # The new token verifies and carries what the override wrote.
    again = client.get("/getJWT", headers={"authorization": f"Bearer {body['token']}"})
    assert again.status_code == 200 and again.json() == {"token": body["token"]}

    # A session gone in between: the merge answers 401 as supertokens-python does.
    asyncio.run(revoke_session(body["payload"]["sessionHandle"]))
    gone = client.post("/merge", headers={"authorization": f"Bearer {body['token']}"})
    assert gone.status_code == 401 and gone.json() == {"message": "unauthorised"}
