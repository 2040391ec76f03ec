"""The Flask integration: ``Middleware(app)`` and ``@verify_session()``, through Flask's test
client, with the seed's ``/getJWT`` route written as for supertokens-python."""

import base64
import json
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest
from conftest import recording_error_handlers, tampered
from flask import Flask, g, jsonify, make_response, request
from tessera import InputAppInfo, SupertokensConfig, init
from tessera.exceptions import StorageError
from tessera.framework.flask import Middleware
from tessera.recipe import session
from tessera.recipe.session.exceptions import UnauthorisedError
from tessera.recipe.session.framework.flask import verify_session
from tessera.recipe.session.syncio import create_new_session

EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"
REFRESH_PATH = "/auth/session/refresh"


def init_flask(**session_options: Any) -> None:
    """``tessera.init`` as the seed writes it, with an in-memory store."""
    init(
        app_info=InputAppInfo(app_name="a", api_domain="http://localhost", website_domain="http://localhost"),
        framework="flask",
        supertokens_config=SupertokensConfig(connection_uri="sqlite::memory:"),
        recipe_list=[session.init(**session_options)],
    )


def make_app(middleware: bool = True) -> Flask:
    """The seed's app plus a sign-in route and a few routes exercising the integration."""
    app = Flask(__name__)
    if middleware:
        Middleware(app)

    @app.route("/getJWT")
    @verify_session()
    def get_jwt() -> Any:
        return {"token": g.supertokens.get_access_token()}

    @app.route("/signin", methods=["POST"])
    def sign_in() -> Any:
        user_id = request.args.get("user", "user-1")
        s = create_new_session(request, "public", user_id)
        response = make_response({"userId": s.get_user_id()})
        if request.args.get("expose"):
            response.headers["Access-Control-Expose-Headers"] = "x-app-header"
        return response

    @app.route("/optional")
    @verify_session(session_required=False)
    def optional() -> Any:
        s = g.supertokens
        return {"session": None if s is None else s.get_user_id()}

    @app.route("/merge", methods=["POST"])
    @verify_session()
    def merge() -> Any:
        g.supertokens.sync_merge_into_access_token_payload({"role": "admin"})
        response = jsonify(payload=g.supertokens.get_access_token_payload())
        response.headers["Access-Control-Expose-Headers"] = "x-app-header"
        return response

    @app.route("/revoke", methods=["POST"])
    @verify_session()
    def revoke() -> Any:
        g.supertokens.sync_revoke_session()
        return {"revoked": True}

    @app.route("/raise-unauthorised")
    @verify_session()
    def raise_unauthorised() -> Any:
        raise UnauthorisedError("the app says no")

    @app.route("/raise-undecorated")
    def raise_undecorated() -> Any:
        raise UnauthorisedError("the app says no")

    return app


def set_cookies(response: Any) -> Dict[str, str]:
    """The response's ``Set-Cookie`` headers by cookie name (failing on duplicates)."""
    out: Dict[str, str] = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        assert name not in out, f"duplicate Set-Cookie for {name}"
        out[name] = header
    return out


def body(response: Any) -> Any:
    return json.loads(response.data)


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def assert_cleared(response: Any) -> None:
    cookies = set_cookies(response)
    for name in ("sAccessToken", "sRefreshToken"):
        assert cookie_value(cookies[name]) == "", cookies[name]
        assert f"Expires={EPOCH}" in cookies[name], cookies[name]
    assert response.headers["front-token"] == "remove"


def jar(client: Any, name: str, path: str = "/") -> Optional[str]:
    cookie = client.get_cookie(name, path=path)
    return None if cookie is None else str(cookie.value)


def jwt_payload(token: str) -> Dict[str, Any]:
    part = token.split(".")[1]
    payload: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return payload


def expose_list(response: Any) -> List[str]:
    values = response.headers.getlist("Access-Control-Expose-Headers")
    return [v.strip() for value in values for v in value.split(",")]


def sign_in_cookie(client: Any, **query: str) -> Any:
    response = client.post("/signin", query_string=query, headers={"st-auth-mode": "cookie"})
    assert response.status_code == 200, response.data
    return response


# -- the seed route --------------------------------------------------------------------------


def test_get_jwt_cookie_mode_returns_the_token_the_client_holds() -> None:
    init_flask()
    client = make_app().test_client()
    signed_in = sign_in_cookie(client)
    assert signed_in.json == {"userId": "user-1"}
    assert "front-token" in signed_in.headers
    token = jar(client, "sAccessToken")
    assert token

    response = client.get("/getJWT")
    assert response.status_code == 200
    assert response.json == {"token": token}
    # Nothing changed: no token is written back.
    assert response.headers.getlist("Set-Cookie") == []


def test_get_jwt_header_mode_returns_the_bearer_token() -> None:
    init_flask()
    client = make_app().test_client(use_cookies=False)
    signed_in = client.post("/signin", headers={"st-auth-mode": "header"})
    assert signed_in.status_code == 200
    assert set_cookies(signed_in) == {}
    token = signed_in.headers["st-access-token"]
    assert signed_in.headers["st-refresh-token"]
    assert {"front-token", "st-access-token", "st-refresh-token"} <= set(expose_list(signed_in))

    response = client.get("/getJWT", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json == {"token": token}


def test_no_session_is_unauthorised() -> None:
    init_flask()
    response = make_app().test_client().get("/getJWT")
    assert response.status_code == 401
    assert response.json == {"message": "unauthorised"}


def test_expired_access_token_asks_for_refresh() -> None:
    init_flask(access_token_validity=1)
    client = make_app().test_client()
    sign_in_cookie(client)
    time.sleep(1.1)
    response = client.get("/getJWT")
    assert response.status_code == 401
    assert response.json == {"message": "try refresh token"}


# -- the core's endpoints, served by the middleware ------------------------------------------


def test_refresh_rotates_and_reusing_the_old_refresh_token_is_theft() -> None:
    init_flask(refresh_token_rotation_grace_period=0)
    client = make_app().test_client()
    sign_in_cookie(client)
    old_access = jar(client, "sAccessToken")
    old_refresh = jar(client, "sRefreshToken", REFRESH_PATH)
    assert old_access and old_refresh

    refreshed = client.post(REFRESH_PATH)
    assert refreshed.status_code == 200
    cookies = set_cookies(refreshed)
    assert cookie_value(cookies["sAccessToken"]) not in ("", old_access)
    assert cookie_value(cookies["sRefreshToken"]) not in ("", old_refresh)
    assert refreshed.headers["front-token"] not in ("", "remove")
    new_access = jar(client, "sAccessToken")
    assert client.get("/getJWT").json == {"token": new_access}

    thief = make_app().test_client(use_cookies=False)
    response = thief.post(REFRESH_PATH, headers={"Cookie": f"sRefreshToken={old_refresh}"})
    assert response.status_code == 401
    assert response.json == {"message": "token theft detected"}
    assert_cleared(response)
    # Theft revokes the session: the new tokens stop working once verification reaches the
    # store, and refreshing with them fails.
    assert client.post(REFRESH_PATH).status_code == 401


def test_signout_clears_the_tokens() -> None:
    init_flask()
    client = make_app().test_client()
    sign_in_cookie(client)
    response = client.post("/auth/signout")
    assert response.status_code == 200
    assert response.json == {"status": "OK"}
    assert_cleared(response)
    assert jar(client, "sAccessToken") is None
    assert client.get("/getJWT").status_code == 401


def test_jwks_is_served() -> None:
    init_flask()
    response = make_app().test_client().get("/auth/jwt/jwks.json")
    assert response.status_code == 200
    assert body(response)["keys"]
    assert response.headers["Content-Type"] == "application/json"


def test_other_paths_under_the_api_base_path_reach_the_app() -> None:
    init_flask()
    app = make_app()

    @app.route("/auth/custom")
    def custom() -> Any:
        return {"mine": True}

    assert app.test_client().get("/auth/custom").json == {"mine": True}


# -- verify_session options and the response writes -----------------------------------------


def test_session_not_required_gives_none() -> None:
    init_flask()
    client = make_app().test_client()
    assert client.get("/optional").json == {"session": None}
    sign_in_cookie(client, user="user-2")
    assert client.get("/optional").json == {"session": "user-2"}


@pytest.mark.parametrize("expose", [True, False])
def test_expose_access_token_in_cookie_mode(expose: bool) -> None:
    init_flask(expose_access_token_to_frontend_in_cookie_based_auth=expose)
    client = make_app().test_client()
    signed_in = sign_in_cookie(client)
    if expose:
        assert signed_in.headers["st-access-token"] == jar(client, "sAccessToken")
        assert "st-access-token" in expose_list(signed_in)
    else:
        assert "st-access-token" not in signed_in.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sAccessToken=garbage"},
        {"Cookie": "sAccessToken=a.b.c"},
        {"Cookie": "sAccessToken=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        {"Cookie": "sAccessToken=\x7f\x00; ;;=; sFrontToken="},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer a.b.c", "st-auth-mode": "nonsense"},
        {"anti-csrf": "x", "rid": "y", "Cookie": "sIdRefreshToken=z"},
    ],
)
def test_garbage_is_unauthorised_or_try_refresh_never_500(headers: Dict[str, str]) -> None:
    init_flask()
    client = make_app().test_client(use_cookies=False)
    response = client.get("/getJWT", headers=headers)
    assert response.status_code == 401
    assert body(response)["message"] in ("unauthorised", "try refresh token")
    refresh = client.post(REFRESH_PATH, headers=headers)
    assert refresh.status_code == 401


def test_duplicate_session_cookies_are_unauthorised_on_verify() -> None:
    init_flask()
    client = make_app().test_client(use_cookies=False)
    response = client.get("/getJWT", headers={"Cookie": "sAccessToken=a; sAccessToken=b"})
    assert response.status_code == 401


def test_duplicate_session_cookies_on_refresh_are_a_500_like_the_sdks() -> None:
    # supertokens-node and -python answer 500 here, asking for olderCookieDomain; the body
    # says nothing about internals.
    init_flask()
    client = make_app().test_client(use_cookies=False)
    response = client.post(REFRESH_PATH, headers={"Cookie": "sRefreshToken=a; sRefreshToken=b"})
    assert response.status_code == 500
    assert response.get_json() == {"message": "Internal Server Error"}


def test_garbage_refresh_token_is_unauthorised() -> None:
    init_flask()
    client = make_app().test_client(use_cookies=False)
    response = client.post(REFRESH_PATH, headers={"Cookie": "sRefreshToken=T1.garbage..x"})
    assert response.status_code == 401
    assert response.json == {"message": "unauthorised"}


def test_merge_in_a_view_writes_the_new_access_token() -> None:
    init_flask()
    client = make_app().test_client()
    sign_in_cookie(client)
    old = jar(client, "sAccessToken")

    response = client.post("/merge")
    assert response.status_code == 200
    assert body(response)["payload"]["role"] == "admin"
    new = cookie_value(set_cookies(response)["sAccessToken"])
    assert new and new != old
    assert jwt_payload(new)["role"] == "admin"
    assert response.headers["front-token"] not in ("", "remove")
    # The app's own exposed header is kept, and the protocol's is added.
    assert expose_list(response)[0] == "x-app-header"
    assert "front-token" in expose_list(response)

    assert client.get("/getJWT").json == {"token": new}


def test_app_set_expose_headers_are_kept_and_extended_on_sign_in() -> None:
    init_flask(expose_access_token_to_frontend_in_cookie_based_auth=True)
    client = make_app().test_client()
    response = sign_in_cookie(client, expose="1")
    exposed = expose_list(response)
    assert exposed[0] == "x-app-header"
    assert {"front-token", "st-access-token"} <= set(exposed)
    assert len(exposed) == len(set(exposed))


def test_revoke_in_a_view_clears_the_tokens() -> None:
    init_flask()
    client = make_app().test_client()
    sign_in_cookie(client)
    response = client.post("/revoke")
    assert response.status_code == 200
    assert_cleared(response)
    assert client.get("/getJWT").status_code == 401


# -- errors ----------------------------------------------------------------------------------


def test_session_error_raised_in_a_decorated_view_is_answered() -> None:
    init_flask()
    client = make_app().test_client()
    sign_in_cookie(client)
    response = client.get("/raise-unauthorised")
    assert response.status_code == 401
    assert response.json == {"message": "unauthorised"}
    assert_cleared(response)


def test_session_error_raised_in_an_undecorated_view_is_answered_by_the_middleware() -> None:
    init_flask()
    response = make_app().test_client().get("/raise-undecorated")
    assert response.status_code == 401
    assert response.json == {"message": "unauthorised"}
    assert_cleared(response)


def test_other_tessera_errors_are_not_turned_into_401() -> None:
    init_flask()
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/outage")
    @verify_session()
    def outage() -> Any:
        raise StorageError("the disk is gone")

    @app.route("/outage-undecorated")
    def outage_undecorated() -> Any:
        raise StorageError("the disk is gone")

    client = app.test_client()
    sign_in_cookie(client)
    for path in ("/outage", "/outage-undecorated"):
        response = client.get(path)
        assert response.status_code == 500
        assert "front-token" not in response.headers


def test_the_apps_own_error_handler_sees_other_tessera_errors() -> None:
    # Found by the Flask differential test: supertokens-python's handler covers only its session
    # errors, so a misconfiguration reached the app's errorhandler(Exception) there and not here.
    init_flask()
    app = make_app()
    seen: List[str] = []

    @app.errorhandler(Exception)
    def unhandled(exc: Exception) -> Any:
        seen.append(type(exc).__name__)
        return {"unhandledError": True}, 500

    @app.route("/outage")
    @verify_session()
    def outage() -> Any:
        raise StorageError("the disk is gone")

    client = app.test_client()
    sign_in_cookie(client)
    response = client.get("/outage")
    assert response.status_code == 500
    assert response.get_json() == {"unhandledError": True}
    assert seen == ["StorageError"]
    # Session errors still get the protocol's answer, not the app's handler.
    response = client.get("/raise-unauthorised")
    assert response.status_code == 401
    assert response.get_json() == {"message": "unauthorised"}
    assert seen == ["StorageError"]


def test_verify_session_works_without_the_middleware() -> None:
    init_flask()
    client = make_app(middleware=False).test_client()
    unauthorised = client.get("/getJWT")
    assert unauthorised.status_code == 401
    assert unauthorised.json == {"message": "unauthorised"}

    # Without the middleware nothing writes the sign-in route's tokens: sign in on an app
    # that has it, then use the tokens on the bare one.
    full = make_app().test_client()
    sign_in_cookie(full)
    token = jar(full, "sAccessToken")
    bare = make_app(middleware=False).test_client(use_cookies=False)
    assert bare.get("/getJWT", headers={"Cookie": f"sAccessToken={token}"}).json == {"token": token}
    merged = bare.post("/merge", headers={"Cookie": f"sAccessToken={token}"})
    assert merged.status_code == 200
    assert jwt_payload(cookie_value(set_cookies(merged)["sAccessToken"]))["role"] == "admin"
    raised = bare.get("/raise-unauthorised", headers={"Cookie": f"sAccessToken={token}"})
    assert raised.status_code == 401
    assert_cleared(raised)


def test_session_does_not_leak_into_the_next_request_of_a_shared_app_context() -> None:
    init_flask()
    app = make_app()

    @app.route("/peek")
    def peek() -> Any:
        return {"leaked": g.get("supertokens") is not None}

    client = app.test_client()
    sign_in_cookie(client)
    # Requests made inside an app context the app pushed itself share its ``g``.
    with app.app_context():
        assert client.get("/getJWT").status_code == 200
        assert "supertokens" not in g
        assert client.get("/peek").json == {"leaked": False}


def test_async_view_is_supported() -> None:
    pytest.importorskip("asgiref")
    init_flask()
    app = make_app()

    @app.route("/async")
    @verify_session()
    async def async_view() -> Any:
        return {"user": g.supertokens.get_user_id()}

    client = app.test_client()
    sign_in_cookie(client)
    assert client.get("/async").json == {"user": "user-1"}


def test_get_token_transfer_method_as_a_function() -> None:
    seen: List[Optional[str]] = []

    def choose(req: Any, for_create: bool, ctx: Any) -> str:
        seen.append(req.get_cookie("app"))
        return "header" if seen[-1] else "cookie"

    init_flask(get_token_transfer_method=choose)
    client = make_app().test_client()
    signed_in = client.post("/signin")
    access = client.get_cookie("sAccessToken")
    assert access is not None and "st-access-token" not in signed_in.headers
    assert client.get("/getJWT").get_json() == {"token": access.value}
    # With the app cookie the function says "header": the session cookie is not read.
    client.set_cookie("app", "mobile%20app")
    assert client.get("/getJWT").status_code == 401
    # Cookies reach the function decoded as the core decodes its own.
    assert seen[-1] == "mobile app"
    mobile = client.post("/signin")
    refreshed = client.post(REFRESH_PATH, headers={"Authorization": f"Bearer {mobile.headers['st-refresh-token']}"})
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    assert refreshed.headers["st-access-token"]


# -- session.init(error_handlers=...) ----------------------------------------------------------


def test_error_handlers_answer_view_and_endpoint_errors() -> None:
    calls: List[Tuple[Any, ...]] = []
    init_flask(error_handlers=recording_error_handlers(calls), refresh_token_rotation_grace_period=0)
    app = make_app()
    cookies = set_cookies(sign_in_cookie(app.test_client()))
    access, refresh = cookie_value(cookies["sAccessToken"]), cookie_value(cookies["sRefreshToken"])
    client = app.test_client(use_cookies=False)

    # The async handler runs from Flask's sync view; the tokens are cleared first.
    response = client.get("/raise-unauthorised", headers={"Cookie": f"sAccessToken={access}"})
    assert (response.status_code, response.json) == (401, {"custom": "unauthorised"})
    assert_cleared(response)
    assert calls.pop() == ("unauthorised", "the app says no", "/raise-unauthorised")
    # The same through the middleware's error handler (a view without the decorator).
    response = client.get("/raise-undecorated", headers={"Cookie": f"sAccessToken={access}"})
    assert (response.status_code, response.json) == (401, {"custom": "unauthorised"})
    assert calls.pop() == ("unauthorised", "the app says no", "/raise-undecorated")

    response = client.get("/getJWT", headers={"Cookie": f"sAccessToken={tampered(access)}", "x-probe": "flask"})
    assert (response.status_code, response.json) == (440, {"custom": "try refresh token"})
    assert "Set-Cookie" not in response.headers
    assert calls.pop() == ("try refresh token", "flask")

    # The refresh endpoint's errors reach the handlers: reuse of a rotated token is theft.
    assert client.post(REFRESH_PATH, headers={"Cookie": f"sRefreshToken={refresh}"}).status_code == 200
    time.sleep(0.005)
    response = client.post(REFRESH_PATH, headers={"Cookie": f"sRefreshToken={refresh}"})
    assert (response.status_code, response.data) == (409, b"<p>theft</p>")
    assert response.headers["Content-Type"].startswith("text/html")
    assert_cleared(response)
    kind, _handle, user_id, recipe_user_id = calls.pop()
    assert (kind, user_id, recipe_user_id) == ("theft", "user-1", "user-1")
    assert calls == []


def test_an_async_override_of_create_new_session_runs_from_a_sync_view() -> None:
    from tessera.recipe.session import InputOverrideConfig

    def add_claim(original: Any) -> Any:
        create = original.create_new_session

        async def create_new_session(user_id: str, recipe_user_id: Any, payload: Any, *rest: Any, **kw: Any) -> Any:
            # user_context comes by keyword, as supertokens-python passes it.
            return await create(user_id, recipe_user_id, {**(payload or {}), "fromOverride": True}, *rest, **kw)

        original.create_new_session = create_new_session
        return original

    init_flask(override=InputOverrideConfig(functions=add_claim))
    client = make_app().test_client()
    sign_in_cookie(client)
    response = client.post("/merge")
    assert response.status_code == 200, response.data
    assert response.json["payload"]["fromOverride"] is True


# -- session.init(override=InputOverrideConfig(apis=...)) --------------------------------------


def test_api_overrides_run_in_flask() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_flask(override=recording_api_override(calls, verify=True))
    client = make_app().test_client()
    sign_in_cookie(client)
    old_access = jar(client, "sAccessToken")
    refreshed = client.post(REFRESH_PATH)
    assert (refreshed.status_code, body(refreshed)) == (200, {})
    assert jar(client, "sAccessToken") not in (None, old_access)
    assert body(client.get("/getJWT")) == {"token": jar(client, "sAccessToken")}
    signed_out = client.post("/auth/signout")
    assert (signed_out.status_code, body(signed_out)) == (200, {"status": "OK"})
    assert_cleared(signed_out)
    assert calls == [
        ("refresh", "session"),
        ("refreshed", "user-1"),
        ("verify", "user-1"),
        ("signout", "user-1", "/auth/signout"),
    ]


def test_api_overrides_may_answer_a_general_error_or_leave_the_endpoint_to_the_app() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_flask(override=recording_api_override(calls, signout="general_error", refresh="disabled"))
    client = make_app().test_client()
    sign_in_cookie(client)
    r = client.post("/auth/signout")
    assert (r.status_code, body(r)) == (200, {"status": "GENERAL_ERROR", "message": "could not sign out"})
    assert "Set-Cookie" not in r.headers
    assert client.get("/getJWT").status_code == 200
    assert client.post(REFRESH_PATH).status_code == 404

    init_flask(override=recording_api_override(calls, signout="unauthorised"))
    client = make_app().test_client()
    sign_in_cookie(client)
    r = client.post("/auth/signout")
    assert (r.status_code, body(r)) == (401, {"message": "unauthorised"})
    assert_cleared(r)


def test_claim_validators_in_flask() -> None:
    from tessera.recipe.session.claims import BooleanClaim

    async def fetch(user_id: str, *_: Any) -> bool:
        return user_id == "user-2"

    verified = BooleanClaim("verified", fetch)
    init_flask()
    app = make_app()

    @app.route("/verified-only")
    @verify_session(override_global_claim_validators=lambda gv, s, ctx: gv + [verified.validators.is_true()])
    def verified_only() -> Any:
        return {"verified": g.supertokens.sync_get_claim_value(verified)}

    client = app.test_client()
    sign_in_cookie(client)
    r = client.get("/verified-only")
    assert r.status_code == 403
    assert body(r)["claimValidationErrors"] == [
        {"id": "verified", "reason": {"message": "wrong value", "expectedValue": True, "actualValue": False}}
    ]
    sign_in_cookie(client, user="user-2")
    ok = client.get("/verified-only")
    assert (ok.status_code, body(ok)) == (200, {"verified": True})
