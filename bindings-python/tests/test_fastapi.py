"""The FastAPI integration end to end: the seed ``/getJWT`` route, the core's endpoints,
errors and response mutations, through Starlette's TestClient."""

import asyncio
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest
from conftest import Client, init_tessera, recording_error_handlers, set_cookies, tampered
from fastapi import Depends, FastAPI, Request, Response, WebSocket
from tessera import TesseraError
from tessera.framework.fastapi import get_middleware, session_exception_handler
from tessera.recipe.session import SessionContainer
from tessera.recipe.session.asyncio import create_new_session, get_session
from tessera.recipe.session.exceptions import UnauthorisedError
from tessera.recipe.session.framework.fastapi import verify_session
from tessera.recipe.session.utils import TokenTransferMethod
from tessera.types import RecipeUserId

CLEARED = "Thu, 01 Jan 1970 00:00:00 GMT"


def make_app(middleware: bool = True) -> FastAPI:
    app = FastAPI()
    if middleware:
        app.add_middleware(get_middleware())

    @app.post("/signin")
    async def signin(request: Request) -> Dict[str, Any]:
        s = await create_new_session(request, "public", RecipeUserId("user-1"), {"role": "user"}, {"db": 1})
        return {"handle": s.get_handle()}

    @app.post("/signin-custom-expose")
    async def signin_custom_expose(request: Request, response: Response) -> Dict[str, Any]:
        response.headers["Access-Control-Expose-Headers"] = "x-custom"
        await create_new_session(request, "public", "user-1")
        return {}

    @app.get("/getJWT")
    async def get_jwt(session: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"token": session.get_access_token()}

    @app.get("/optional")
    async def optional(session: Optional[SessionContainer] = Depends(verify_session(session_required=False))) -> Any:
        return {"session": None if session is None else session.get_user_id()}

    @app.post("/merge")
    async def merge(response: Response, session: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        response.headers["Access-Control-Expose-Headers"] = "x-custom"
        await session.merge_into_access_token_payload({"role": "admin"})
        return {"token": session.get_access_token(), "payload": session.get_access_token_payload()}

    @app.get("/state")
    async def state(request: Request, session: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"same": request.state.supertokens is session}

    @app.get("/raise")
    async def raise_unauthorised(session: SessionContainer = Depends(verify_session())) -> None:
        raise UnauthorisedError("the route says no")

    @app.post("/signin-then-fail")
    async def signin_then_fail(request: Request) -> None:
        await create_new_session(request, "public", "user-1")
        raise UnauthorisedError("changed my mind")

    @app.get("/get-session")
    async def get_session_route(request: Request) -> Dict[str, Any]:
        s = await get_session(request, session_required=False)
        return {"user": None if s is None else s.get_user_id()}

    return app


@pytest.fixture
def client() -> Client:
    init_tessera()
    return Client(make_app())


def sign_in(client: Client, mode: str = "cookie") -> Any:
    r = client.post("/signin", headers={"st-auth-mode": mode})
    assert r.status_code == 200, r.text
    return r


def test_get_jwt_cookie_mode(client: Client) -> None:
    r = sign_in(client, "cookie")
    cookies = set_cookies(r)
    access = cookies["sAccessToken"].value
    assert access and cookies["sRefreshToken"].value
    assert cookies["sAccessToken"].attrs["path"] == "/"
    assert cookies["sRefreshToken"].attrs["path"] == "/auth/session/refresh"
    assert "httponly" in cookies["sAccessToken"].attrs
    assert r.headers["front-token"]
    assert "st-access-token" not in r.headers
    g = client.get("/getJWT", cookies={"sAccessToken": access})
    assert g.status_code == 200
    assert g.json() == {"token": access}


def test_get_jwt_header_mode(client: Client) -> None:
    r = sign_in(client, "header")
    assert "set-cookie" not in r.headers
    access = r.headers["st-access-token"]
    assert r.headers["st-refresh-token"]
    assert r.headers["front-token"]
    g = client.get("/getJWT", headers={"Authorization": f"Bearer {access}"})
    assert g.status_code == 200
    assert g.json() == {"token": access}


def test_session_is_on_request_state(client: Client) -> None:
    access = set_cookies(sign_in(client))["sAccessToken"].value
    assert client.get("/state", cookies={"sAccessToken": access}).json() == {"same": True}


def test_no_session_is_unauthorised(client: Client) -> None:
    r = client.get("/getJWT")
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}
    # No tokens were sent, so nothing is cleared.
    assert "set-cookie" not in r.headers


def test_session_not_required_gives_none(client: Client) -> None:
    r = client.get("/optional")
    assert r.status_code == 200
    assert r.json() == {"session": None}
    access = set_cookies(sign_in(client))["sAccessToken"].value
    assert client.get("/optional", cookies={"sAccessToken": access}).json() == {"session": "user-1"}


def test_expired_token_asks_for_refresh() -> None:
    init_tessera(access_token_validity=1)
    client = Client(make_app())
    access = set_cookies(sign_in(client))["sAccessToken"].value
    time.sleep(1.5)
    r = client.get("/getJWT", cookies={"sAccessToken": access})
    assert r.status_code == 401
    assert r.json() == {"message": "try refresh token"}


def test_refresh_rotates_and_reuse_is_theft() -> None:
    init_tessera(refresh_token_rotation_grace_period=0)
    client = Client(make_app())
    first = set_cookies(sign_in(client))
    old_access, old_refresh = first["sAccessToken"].value, first["sRefreshToken"].value

    r = client.post("/auth/session/refresh", cookies={"sRefreshToken": old_refresh})
    assert r.status_code == 200, r.text
    assert r.json() == {}
    rotated = set_cookies(r)
    new_access, new_refresh = rotated["sAccessToken"].value, rotated["sRefreshToken"].value
    assert new_access and new_access != old_access
    assert new_refresh and new_refresh != old_refresh
    assert r.headers["front-token"] not in ("", "remove")
    assert client.get("/getJWT", cookies={"sAccessToken": new_access}).json() == {"token": new_access}

    time.sleep(0.005)  # the core's grace window is inclusive, even at 0 s
    theft = client.post("/auth/session/refresh", cookies={"sRefreshToken": old_refresh})
    assert theft.status_code == 401
    assert theft.json() == {"message": "token theft detected"}
    cleared = set_cookies(theft)
    assert cleared["sAccessToken"].cleared and cleared["sRefreshToken"].cleared
    assert theft.headers["front-token"] == "remove"


def test_refresh_in_header_mode() -> None:
    init_tessera()
    client = Client(make_app())
    r = sign_in(client, "header")
    refreshed = client.post(
        "/auth/session/refresh",
        headers={"Authorization": f"Bearer {r.headers['st-refresh-token']}", "st-auth-mode": "header"},
    )
    assert refreshed.status_code == 200, refreshed.text
    access = refreshed.headers["st-access-token"]
    assert access != r.headers["st-access-token"]
    assert refreshed.headers["st-refresh-token"] != r.headers["st-refresh-token"]
    g = client.get("/getJWT", headers={"Authorization": f"Bearer {access}"})
    assert g.json() == {"token": access}


def test_refresh_without_token_is_unauthorised(client: Client) -> None:
    r = client.post("/auth/session/refresh")
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}


def test_signout_clears_the_session(client: Client) -> None:
    first = set_cookies(sign_in(client))
    access = first["sAccessToken"].value
    r = client.post("/auth/signout", cookies={"sAccessToken": access})
    assert r.status_code == 200
    assert r.json() == {"status": "OK"}
    cleared = set_cookies(r)
    assert cleared["sAccessToken"].cleared, cleared["sAccessToken"].header
    assert cleared["sAccessToken"].attrs["expires"] == CLEARED
    assert cleared["sRefreshToken"].cleared
    assert r.headers["front-token"] == "remove"
    # The session is gone from the store: refreshing with its refresh token fails.
    again = client.post("/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value})
    assert again.status_code == 401


def test_signout_without_session_is_unauthorised(client: Client) -> None:
    r = client.post("/auth/signout")
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}


def test_jwks_endpoint(client: Client) -> None:
    r = client.get("/auth/jwt/jwks.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["keys"]


@pytest.mark.parametrize("expose", [True, False])
def test_expose_access_token_in_cookie_mode(expose: bool) -> None:
    init_tessera(expose_access_token_to_frontend_in_cookie_based_auth=expose)
    client = Client(make_app())
    r = sign_in(client, "cookie")
    cookie = set_cookies(r)["sAccessToken"].value
    if expose:
        assert r.headers["st-access-token"] == cookie
        assert "st-access-token" in r.headers["access-control-expose-headers"]
    else:
        assert "st-access-token" not in r.headers


GARBAGE = [
    {"cookies": {"sAccessToken": "garbage"}},
    {"cookies": {"sAccessToken": "a.b.c"}},
    {"cookies": {"sAccessToken": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}},
    {"cookies": {"sAccessToken": "%%%%"}},
    {"cookies": {"sAccessToken": "x" * 70000}},
    {"headers": {"Authorization": "Bearer garbage"}},
    {"headers": {"Authorization": "Bearer "}},
    {"headers": {"Authorization": "Basic dXNlcjpwYXNz"}},
    {"headers": {"Authorization": "Bearer a.b.c", "st-auth-mode": "nonsense"}},
    {"raw_headers": [("cookie", "sAccessToken=a; sAccessToken=b")]},
    {"raw_headers": [("cookie", "=;;;==;sAccessToken")]},
    {"raw_headers": [("cookie", "sAccessToken=\u00e9\u00ff".encode("latin-1"))]},
    {"cookies": {"sIdRefreshToken": "legacy"}},
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_401_never_500(client: Client, garbage: Dict[str, Any]) -> None:
    r = client.get("/getJWT", **garbage)
    assert r.status_code == 401, r.text
    assert r.json()["message"] in ("unauthorised", "try refresh token")
    signout = client.post("/auth/signout", **garbage)
    assert signout.status_code == 401, signout.text


_DUPLICATE_COOKIES = {"raw_headers": [("cookie", "sAccessToken=a; sAccessToken=b")]}


@pytest.mark.parametrize("garbage", [g for g in GARBAGE if g != _DUPLICATE_COOKIES])
def test_garbage_on_refresh_is_401_never_500(client: Client, garbage: Dict[str, Any]) -> None:
    refresh = client.post("/auth/session/refresh", **garbage)
    assert refresh.status_code == 401, refresh.text


def test_duplicate_cookies_on_refresh_without_older_cookie_domain_is_a_500_like_the_sdks(client: Client) -> None:
    # supertokens-node and -python answer 500 here, asking for olderCookieDomain; the body
    # says nothing about internals.
    refresh = client.post("/auth/session/refresh", **_DUPLICATE_COOKIES)
    assert refresh.status_code == 500, refresh.text
    assert refresh.json() == {"message": "Internal Server Error"}


def test_garbage_refresh_token_is_401(client: Client) -> None:
    for value in ["garbage", "a.b.V2", "x" * 5000, ""]:
        r = client.post("/auth/session/refresh", cookies={"sRefreshToken": value})
        assert r.status_code == 401, (value, r.text)


def test_merge_writes_the_new_token(client: Client) -> None:
    access = set_cookies(sign_in(client))["sAccessToken"].value
    r = client.post("/merge", cookies={"sAccessToken": access})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["payload"]["role"] == "admin"
    new_access = set_cookies(r)["sAccessToken"].value
    assert new_access == body["token"] != access
    assert r.headers["front-token"]
    # The app's own expose list is kept and extended.
    exposed = [h.strip() for h in r.headers["access-control-expose-headers"].split(",")]
    assert exposed[0] == "x-custom"
    assert "front-token" in exposed
    g = client.get("/getJWT", cookies={"sAccessToken": new_access})
    assert g.json() == {"token": new_access}


def test_app_expose_headers_are_kept(client: Client) -> None:
    r = client.post("/signin-custom-expose", headers={"st-auth-mode": "header"})
    assert r.status_code == 200
    exposed = [h.strip() for h in r.headers["access-control-expose-headers"].split(",")]
    assert exposed[0] == "x-custom"
    assert {"front-token", "st-access-token", "st-refresh-token"} <= set(exposed)
    assert len(r.headers.get_list("access-control-expose-headers")) == 1


def test_error_raised_in_route_is_answered(client: Client) -> None:
    access = set_cookies(sign_in(client))["sAccessToken"].value
    r = client.get("/raise", cookies={"sAccessToken": access})
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}
    cleared = set_cookies(r)
    assert cleared["sAccessToken"].cleared
    assert r.headers["front-token"] == "remove"


@pytest.mark.parametrize("handler", [False, True])
def test_error_after_new_session_clears_it(handler: bool) -> None:
    init_tessera()
    app = make_app()
    if handler:
        # Both the middleware and the exception handler: the changes are written once.
        app.add_exception_handler(TesseraError, session_exception_handler)  # type: ignore[arg-type]
    client = Client(app)
    r = client.post("/signin-then-fail", headers={"st-auth-mode": "cookie"})
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}
    cookies = set_cookies(r)  # fails on a duplicate Set-Cookie
    assert cookies["sAccessToken"].cleared and cookies["sRefreshToken"].cleared
    assert r.headers["front-token"] == "remove"


def test_get_session_in_route(client: Client) -> None:
    assert client.get("/get-session").json() == {"user": None}
    access = set_cookies(sign_in(client))["sAccessToken"].value
    assert client.get("/get-session", cookies={"sAccessToken": access}).json() == {"user": "user-1"}


def test_exception_handler_keeps_headers() -> None:
    init_tessera()
    app = make_app(middleware=False)
    app.add_exception_handler(TesseraError, session_exception_handler)  # type: ignore[arg-type]
    client = Client(app)
    # Without the middleware nothing writes the sign-in tokens: mint one directly.
    from tessera.recipe.session.syncio import create_new_session_without_request_response

    access = create_new_session_without_request_response("public", "user-1").get_access_token()
    ok = client.get("/getJWT", headers={"Authorization": f"Bearer {access}"})
    assert ok.json() == {"token": access}
    missing = client.get("/getJWT")
    assert missing.status_code == 401
    assert missing.json() == {"message": "unauthorised"}
    r = client.get("/raise", headers={"Authorization": f"Bearer {access}"})
    assert r.status_code == 401
    assert r.json() == {"message": "unauthorised"}
    assert r.headers["front-token"] == "remove"
    assert set_cookies(r)["sAccessToken"].cleared
    assert r.headers["content-type"].startswith("application/json")


def test_non_http_scopes_pass_through() -> None:
    init_tessera()
    app = make_app()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    from fastapi.testclient import TestClient

    with TestClient(app).websocket_connect("/ws") as socket:
        assert socket.receive_text() == "hi"


def test_issue_seed_snippet_runs_as_written(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The supertokens-python docs' code with only the import root changed; no
    ``supertokens_config``, so the embedded SQLite default (in the working directory)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TESSERA_SQLITE_PATH", raising=False)

    from fastapi import Depends, FastAPI
    from tessera import InputAppInfo, init
    from tessera.framework.fastapi import get_middleware
    from tessera.recipe import session
    from tessera.recipe.session import SessionContainer
    from tessera.recipe.session.framework.fastapi import verify_session

    init(
        app_info=InputAppInfo(api_domain="http://testserver", app_name="seed", website_domain="http://testserver"),
        framework="fastapi",
        recipe_list=[session.init(expose_access_token_to_frontend_in_cookie_based_auth=True)],
    )
    app = FastAPI()
    app.add_middleware(get_middleware())

    @app.get("/getJWT")
    async def get_jwt(session: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"token": session.get_access_token()}

    @app.post("/signin")
    async def signin(request: Request) -> Dict[str, Any]:
        await create_new_session(request, "public", RecipeUserId("user-1"))
        return {}

    client = Client(app)
    r = client.post("/signin", headers={"st-auth-mode": "cookie"})
    token = set_cookies(r)["sAccessToken"].value
    assert r.headers["st-access-token"] == token
    assert client.get("/getJWT", cookies={"sAccessToken": token}).json() == {"token": token}
    assert (tmp_path / ".tessera" / "sessions.sqlite3").exists()


def test_get_token_transfer_method_as_a_function_is_asked_per_request() -> None:
    asked = []

    # Typed as supertokens-python's docs type it.
    def choose(req: Any, for_create_new_session: bool, user_context: Dict[str, Any]) -> TokenTransferMethod:
        asked.append((req.get_path(), for_create_new_session))
        return "header" if req.get_header("X-Client") == "mobile" else "cookie"

    init_tessera(get_token_transfer_method=choose)
    client = Client(make_app())
    # The browser asks for headers, the application says cookies.
    web = client.post("/signin", headers={"st-auth-mode": "header"})
    assert "st-access-token" not in web.headers
    access = set_cookies(web)["sAccessToken"].value
    assert client.get("/getJWT", cookies={"sAccessToken": access}).json() == {"token": access}
    # A mobile request may only use headers: its cookie is not looked at.
    ignored = client.get("/getJWT", cookies={"sAccessToken": access}, headers={"x-client": "mobile"})
    assert ignored.status_code == 401
    assert ignored.json() == {"message": "unauthorised"}

    mobile = client.post("/signin", headers={"x-client": "mobile"})
    assert "set-cookie" not in mobile.headers
    refreshed = client.post(
        "/auth/session/refresh",
        headers={"Authorization": f"Bearer {mobile.headers['st-refresh-token']}", "x-client": "mobile"},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.headers["st-access-token"] != mobile.headers["st-access-token"]
    assert ("/signin", True) in asked
    assert ("/getJWT", False) in asked
    assert ("/auth/session/refresh", False) in asked


def test_get_token_transfer_method_answering_nonsense_is_a_typed_error() -> None:
    init_tessera(get_token_transfer_method=lambda req, for_create, ctx: "both")
    client = Client(make_app())
    with pytest.raises(TesseraError) as info:
        client.get("/getJWT")
    assert info.value.code == "INVALID_INPUT"
    assert "both" in info.value.message


def test_the_raise_helpers_are_answered_as_the_protocol_says() -> None:
    from tessera.recipe.session.exceptions import (
        ClaimValidationError,
        raise_invalid_claims_exception,
        raise_token_theft_exception,
        raise_try_refresh_token_exception,
        raise_unauthorised_exception,
    )
    from tessera.recipe.session.syncio import get_session_information

    init_tessera()
    app = make_app()

    @app.get("/helper/{kind}")
    async def helper(kind: str, session: SessionContainer = Depends(verify_session())) -> None:
        if kind == "unauthorised":
            raise_unauthorised_exception("the route says no", clear_tokens=False)
        if kind == "refresh":
            raise_try_refresh_token_exception(ValueError("stale"))
        if kind == "theft":
            raise_token_theft_exception(session.get_user_id(), session.get_recipe_user_id(), session.get_handle())
        raise_invalid_claims_exception(
            "claims", [ClaimValidationError("st-role", {"message": "wrong role"}), ClaimValidationError("st-ev", None)]
        )

    client = Client(app)
    signed_in = sign_in(client)
    access = set_cookies(signed_in)["sAccessToken"].value

    def call(kind: str) -> Any:
        return client.get(f"/helper/{kind}", cookies={"sAccessToken": access})

    r = call("unauthorised")
    assert (r.status_code, r.json()) == (401, {"message": "unauthorised"})
    assert "set-cookie" not in r.headers and "front-token" not in r.headers  # clear_tokens=False
    r = call("refresh")
    assert (r.status_code, r.json()) == (401, {"message": "try refresh token"})
    r = call("claims")
    assert r.status_code == 403
    assert r.json() == {
        "message": "invalid claim",
        "claimValidationErrors": [{"id": "st-role", "reason": {"message": "wrong role"}}, {"id": "st-ev"}],
    }
    r = call("theft")
    assert (r.status_code, r.json()) == (401, {"message": "token theft detected"})
    assert set_cookies(r)["sAccessToken"].cleared and r.headers["front-token"] == "remove"
    assert get_session_information(signed_in.json()["handle"]) is None


# -- session.init(error_handlers=...) ----------------------------------------------------------


def _app_with_claims_route() -> FastAPI:
    from tessera.recipe.session.exceptions import ClaimValidationError, raise_invalid_claims_exception

    app = make_app()

    @app.get("/claims")
    async def claims(session: SessionContainer = Depends(verify_session())) -> None:
        raise_invalid_claims_exception("claims", [ClaimValidationError("st-role", {"message": "wrong role"})])

    return app


def test_error_handlers_answer_route_and_endpoint_errors() -> None:
    calls: List[Tuple[Any, ...]] = []
    init_tessera(error_handlers=recording_error_handlers(calls), refresh_token_rotation_grace_period=0)
    client = Client(_app_with_claims_route())
    signed_in = sign_in(client)
    handle = signed_in.json()["handle"]
    access, refresh = set_cookies(signed_in)["sAccessToken"].value, set_cookies(signed_in)["sRefreshToken"].value

    # A route's UnauthorisedError: the tokens are cleared before the handler writes its answer.
    r = client.get("/raise", cookies={"sAccessToken": access})
    assert (r.status_code, r.json()) == (401, {"custom": "unauthorised"})
    assert set_cookies(r)["sAccessToken"].cleared and set_cookies(r)["sRefreshToken"].cleared
    assert r.headers["front-token"] == "remove"
    assert calls.pop() == ("unauthorised", "the route says no", "/raise")

    # Try refresh token clears nothing; a sync handler works on the event loop too.
    r = client.get("/getJWT", cookies={"sAccessToken": tampered(access)}, headers={"x-probe": "p1"})
    assert (r.status_code, r.json()) == (440, {"custom": "try refresh token"})
    assert "set-cookie" not in r.headers and "front-token" not in r.headers
    assert calls.pop() == ("try refresh token", "p1")

    # Claims: the handler gets ClaimValidationError objects and may redirect.
    r = client.get("/claims", cookies={"sAccessToken": access}, headers={})
    assert r.status_code == 302 and r.headers["location"] == "https://example.com/claims"
    assert calls.pop() == ("invalid claim", [("st-role", {"message": "wrong role"})])

    # The refresh endpoint's errors reach the handlers too: reuse of a rotated token is theft.
    assert client.post("/auth/session/refresh", cookies={"sRefreshToken": refresh}).status_code == 200
    time.sleep(0.005)
    r = client.post("/auth/session/refresh", cookies={"sRefreshToken": refresh})
    assert (r.status_code, r.text) == (409, "<p>theft</p>")
    assert r.headers["content-type"].startswith("text/html")
    assert set_cookies(r)["sRefreshToken"].cleared and r.headers["front-token"] == "remove"
    assert calls.pop() == ("theft", handle, "user-1", "user-1")

    # A refresh without a refresh token: unauthorised, from the endpoint.
    r = client.post("/auth/session/refresh", cookies={"sAccessToken": access})
    assert (r.status_code, r.json()) == (401, {"custom": "unauthorised"})
    assert set_cookies(r)["sAccessToken"].cleared
    assert calls.pop()[0::2] == ("unauthorised", "/auth/session/refresh")
    assert calls == []


def test_errors_without_a_handler_keep_the_default_answer() -> None:
    from tessera.recipe.session import InputErrorHandlers

    calls: List[str] = []
    init_tessera(
        error_handlers=InputErrorHandlers(on_unauthorised=lambda req, msg, res: calls.append(msg)),
        refresh_token_rotation_grace_period=0,
    )
    client = Client(make_app())
    cookies = set_cookies(sign_in(client))
    r = client.get("/getJWT", cookies={"sAccessToken": tampered(cookies["sAccessToken"].value)})
    assert (r.status_code, r.json()) == (401, {"message": "try refresh token"})
    assert client.post("/auth/session/refresh", cookies={"sRefreshToken": cookies["sRefreshToken"].value}).is_success
    time.sleep(0.005)
    r = client.post("/auth/session/refresh", cookies={"sRefreshToken": cookies["sRefreshToken"].value})
    assert (r.status_code, r.json()) == (401, {"message": "token theft detected"})
    # A handler that returns nothing and sets no status: the response it was given, as is.
    r = client.get("/raise", cookies={"sAccessToken": cookies["sAccessToken"].value})
    assert (r.status_code, r.content) == (200, b"")
    assert set_cookies(r)["sAccessToken"].cleared
    assert calls == ["the route says no"]


def test_error_handlers_without_the_middleware() -> None:
    calls: List[Tuple[Any, ...]] = []
    init_tessera(error_handlers=recording_error_handlers(calls))
    app = make_app(middleware=False)
    app.add_exception_handler(TesseraError, session_exception_handler)
    r = Client(app).get("/getJWT")
    assert (r.status_code, r.json()) == (401, {"custom": "unauthorised"})
    assert [c[0::2] for c in calls] == [("unauthorised", "/getJWT")]
    assert calls[0][1].startswith("Session does not exist")


def test_error_handlers_must_be_input_error_handlers() -> None:
    from tessera.recipe import session
    from tessera.recipe.session import InputErrorHandlers

    with pytest.raises(TypeError, match="InputErrorHandlers"):
        session.init(error_handlers={"on_unauthorised": print})
    with pytest.raises(TypeError, match="on_unauthorised"):
        InputErrorHandlers(on_unauthorised="not a function")  # type: ignore[arg-type]


# -- session.init(override=InputOverrideConfig(functions=...)) ---------------------------------


def _docs_override(seen: List[Any]) -> Any:
    """The SuperTokens docs' override, adding a claim to every new session's access token."""
    from tessera.recipe.session.interfaces import RecipeInterface

    def override_functions(original_implementation: RecipeInterface) -> RecipeInterface:
        original_implementation_create_new_session = original_implementation.create_new_session

        async def create_new_session(
            user_id: str,
            recipe_user_id: RecipeUserId,
            access_token_payload: Optional[Dict[str, Any]],
            session_data_in_database: Optional[Dict[str, Any]],
            disable_anti_csrf: Optional[bool],
            tenant_id: str,
            user_context: Dict[str, Any],
        ) -> SessionContainer:
            if access_token_payload is None:
                access_token_payload = {}
            access_token_payload["newKey"] = "newValue"
            request = user_context.get("_default", {}).get("request")
            seen.append((user_id, recipe_user_id, tenant_id, disable_anti_csrf, request and request.get_path()))
            return await original_implementation_create_new_session(
                user_id,
                recipe_user_id,
                access_token_payload,
                session_data_in_database,
                disable_anti_csrf,
                tenant_id,
                user_context,
            )

        original_implementation.create_new_session = create_new_session  # type: ignore[method-assign]
        return original_implementation

    return override_functions


def test_an_override_of_create_new_session_shapes_every_new_session() -> None:
    from tessera.recipe import session as session_recipe
    from tessera.recipe.session.asyncio import create_new_session_without_request_response

    seen: List[Any] = []
    init_tessera(override=session_recipe.InputOverrideConfig(functions=_docs_override(seen)))
    client = Client(make_app())
    signed_in = sign_in(client)
    access = set_cookies(signed_in)["sAccessToken"].value
    assert signed_in.headers["front-token"]
    payload = client.post("/merge", cookies={"sAccessToken": access}).json()["payload"]
    assert (payload["newKey"], payload["role"]) == ("newValue", "admin")
    assert seen.pop() == ("user-1", RecipeUserId("user-1"), "public", None, "/signin")

    s = asyncio.run(create_new_session_without_request_response("public", "user-2", {"a": 1}, None, True))
    assert s.get_access_token_payload()["newKey"] == "newValue"
    assert s.get_all_session_tokens_dangerously()["antiCsrfToken"] is None
    assert seen == [("user-2", RecipeUserId("user-2"), "public", True, None)]


def test_an_override_that_raises_fails_the_sign_in() -> None:
    from tessera.recipe import session as session_recipe

    def refusing(original: Any) -> Any:
        async def create_new_session(*args: Any, **kwargs: Any) -> Any:
            raise UnauthorisedError("no sessions today")

        original.create_new_session = create_new_session
        return original

    init_tessera(override=session_recipe.InputOverrideConfig(functions=refusing))
    r = Client(make_app()).post("/signin", headers={"st-auth-mode": "cookie"})
    assert (r.status_code, r.json()) == (401, {"message": "unauthorised"})
    with pytest.raises(TypeError, match="recipe implementation"):
        session_recipe.init(override=session_recipe.InputOverrideConfig(functions=lambda original: None))


# -- session.init(override=InputOverrideConfig(apis=...)) --------------------------------------


def _shape(r: Any) -> Tuple[Any, ...]:
    """What a refresh or sign-out answer says, without the token values (new every time)."""
    cookies = {
        name: (c.cleared, sorted(c.attrs.items()) if c.cleared else sorted(c.attrs))
        for name, c in set_cookies(r).items()
    }
    headers = sorted(k for k in r.headers if k not in ("date", "content-length"))
    front = r.headers.get("front-token")
    return r.status_code, r.json(), headers, cookies, front if front == "remove" else front is not None


def _refresh_and_sign_out(client: Client) -> List[Tuple[Any, ...]]:
    first = set_cookies(sign_in(client))
    refreshed = client.post("/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value})
    access = set_cookies(refreshed)["sAccessToken"].value
    signed_out = client.post("/auth/signout", cookies={"sAccessToken": access})
    return [_shape(refreshed), _shape(signed_out)]


def test_an_api_override_that_calls_the_originals_answers_as_without_one() -> None:
    from conftest import recording_api_override

    init_tessera()
    plain = _refresh_and_sign_out(Client(make_app()))
    calls: List[Tuple[Any, ...]] = []
    init_tessera(override=recording_api_override(calls, verify=True))
    assert _refresh_and_sign_out(Client(make_app())) == plain
    assert plain[1][:2] == (200, {"status": "OK"})
    assert calls == [("refresh", "session"), ("refreshed", "user-1"), ("signout", "user-1", "/auth/signout")]


def test_a_signout_override_runs_around_the_original_and_clears_the_session() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_tessera(override=recording_api_override(calls))
    client = Client(make_app())
    first = set_cookies(sign_in(client))
    r = client.post("/auth/signout", cookies={"sAccessToken": first["sAccessToken"].value})
    assert (r.status_code, r.json()) == (200, {"status": "OK"})
    cleared = set_cookies(r)
    assert cleared["sAccessToken"].cleared and cleared["sRefreshToken"].cleared
    assert r.headers["front-token"] == "remove"
    assert calls == [("signout", "user-1", "/auth/signout")]
    # Revoked in the store.
    again = client.post("/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value})
    assert again.status_code == 401
    # Sign-out verifies the session before the override runs: no session, no call.
    assert client.post("/auth/signout").json() == {"message": "unauthorised"}
    assert [call[0] for call in calls] == ["signout", "refresh"]


def test_a_signout_override_may_answer_a_general_error_or_raise() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_tessera(override=recording_api_override(calls, signout="general_error"))
    client = Client(make_app())
    access = set_cookies(sign_in(client))["sAccessToken"].value
    r = client.post("/auth/signout", cookies={"sAccessToken": access})
    assert (r.status_code, r.json()) == (200, {"status": "GENERAL_ERROR", "message": "could not sign out"})
    assert "set-cookie" not in r.headers
    assert client.get("/getJWT", cookies={"sAccessToken": access}).json() == {"token": access}

    init_tessera(override=recording_api_override(calls, signout="unauthorised"))
    client = Client(make_app())
    access = set_cookies(sign_in(client))["sAccessToken"].value
    r = client.post("/auth/signout", cookies={"sAccessToken": access})
    assert (r.status_code, r.json()) == (401, {"message": "unauthorised"})
    assert set_cookies(r)["sAccessToken"].cleared
    assert r.headers["front-token"] == "remove"


def test_disabled_apis_leave_the_endpoints_to_the_app() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_tessera(override=recording_api_override(calls, signout="disabled", refresh="disabled"))
    app = make_app()

    @app.post("/auth/signout")
    async def own_signout() -> Dict[str, Any]:
        return {"mine": True}

    client = Client(app)
    first = set_cookies(sign_in(client))
    r = client.post("/auth/signout", cookies={"sAccessToken": first["sAccessToken"].value})
    assert (r.status_code, r.json()) == (200, {"mine": True})
    assert "set-cookie" not in r.headers
    refreshed = client.post("/auth/session/refresh", cookies={"sRefreshToken": first["sRefreshToken"].value})
    assert refreshed.status_code == 404
    assert calls == []
    # The JWKS is always the core's.
    assert client.get("/auth/jwt/jwks.json").json()["keys"]


def test_a_verify_session_override_runs_for_protected_routes() -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_tessera(override=recording_api_override(calls, verify=True))
    client = Client(make_app())
    access = set_cookies(sign_in(client))["sAccessToken"].value
    assert client.get("/getJWT", cookies={"sAccessToken": access}).json() == {"token": access}
    assert client.get("/state", cookies={"sAccessToken": access}).json() == {"same": True}
    assert client.get("/optional").json() == {"session": None}
    assert client.get("/getJWT").json() == {"message": "unauthorised"}
    # get_session is the recipe's function, not the API's: no call.
    assert client.get("/get-session", cookies={"sAccessToken": access}).json() == {"user": "user-1"}
    assert calls == [("verify", "user-1"), ("verify", "user-1"), ("verify", None)]


# -- session claims ------------------------------------------------------------------------------


def test_claim_validators_answer_403_or_refresh_the_access_token() -> None:
    from tessera.recipe.session.claims import PrimitiveArrayClaim

    roles = PrimitiveArrayClaim("roles", lambda user_id, *_: ["admin"] if user_id == "admin-1" else ["user"])
    init_tessera()
    app = make_app()

    @app.post("/signin-as/{user}")
    async def signin_as(user: str, request: Request) -> Dict[str, Any]:
        await create_new_session(request, "public", user)
        return {}

    @app.get("/admin")
    async def admin(
        session: SessionContainer = Depends(
            verify_session(
                override_global_claim_validators=lambda gv, s, ctx: [*gv, roles.validators.includes("admin")]
            )
        ),
    ) -> Dict[str, Any]:
        return {"roles": await session.get_claim_value(roles)}

    client = Client(app)
    user = set_cookies(client.post("/signin-as/user-1", headers={"st-auth-mode": "cookie"}))["sAccessToken"].value
    r = client.get("/admin", cookies={"sAccessToken": user})
    assert r.status_code == 403
    assert r.json() == {
        "message": "invalid claim",
        "claimValidationErrors": [
            {"id": "roles", "reason": {"message": "wrong value", "expectedToInclude": "admin", "actualValue": ["user"]}}
        ],
    }
    # As supertokens-python, which checks the claims before it puts the session on the
    # response: the fetched value is in the store, but the 403 neither writes a new token nor
    # clears the old one.
    assert "set-cookie" not in r.headers and "front-token" not in r.headers
    from tessera.recipe.session.syncio import get_all_session_handles_for_user, get_session_information

    (handle,) = get_all_session_handles_for_user("user-1")
    info = get_session_information(handle)
    assert info is not None and info.custom_claims_in_access_token_payload["roles"]["v"] == ["user"]

    admin_token = set_cookies(client.post("/signin-as/admin-1", headers={"st-auth-mode": "cookie"}))["sAccessToken"]
    ok = client.get("/admin", cookies={"sAccessToken": admin_token.value})
    assert (ok.status_code, ok.json()) == (200, {"roles": ["admin"]})
    new_token = set_cookies(ok)["sAccessToken"].value
    assert new_token != admin_token.value and ok.headers["front-token"]
    # The token the response carries has the claim: no fetch, no new token.
    again = client.get("/admin", cookies={"sAccessToken": new_token})
    assert again.status_code == 200 and "set-cookie" not in again.headers


def test_a_failed_claim_check_drops_the_token_a_database_check_brought() -> None:
    """A ``check_database`` verification of a session whose payload changed in the store brings
    a new access token; supertokens-python writes it when it attaches the session, after the
    claims, so a 403 carries none."""
    from tessera.recipe.session.asyncio import merge_into_access_token_payload
    from tessera.recipe.session.claims import BooleanClaim

    init_tessera()
    app = make_app()
    passing = {"value": False}
    flag = BooleanClaim("flag", lambda *_: False)

    def validators(gv: Any, s: Any, ctx: Any) -> Any:
        return gv if passing["value"] else [*gv, flag.validators.is_true()]

    @app.get("/checked")
    async def checked(
        session: SessionContainer = Depends(
            verify_session(check_database=True, override_global_claim_validators=validators)
        ),
    ) -> Dict[str, Any]:
        return {"plan": session.get_access_token_payload().get("plan")}

    client = Client(app)
    signin = client.post("/signin", headers={"st-auth-mode": "header"})
    token = signin.headers["st-access-token"]
    assert asyncio.run(merge_into_access_token_payload(signin.json()["handle"], {"plan": "pro"}))

    r = client.get("/checked", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["message"] == "invalid claim"
    assert "st-access-token" not in r.headers and "front-token" not in r.headers

    passing["value"] = True
    ok = client.get("/checked", headers={"Authorization": f"Bearer {token}"})
    assert (ok.status_code, ok.json()) == (200, {"plan": "pro"})
    assert ok.headers["st-access-token"] != token and ok.headers["front-token"]


def test_verify_session_on_the_refresh_path_refreshes_without_claim_checks() -> None:
    """A route's ``verify_session`` on a POST to the refresh path refreshes the session, as
    supertokens-python's ``verify_session`` API does, and checks no claims."""
    from tessera.recipe.session.claims import BooleanClaim

    init_tessera()
    app = make_app(middleware=False)
    app.add_exception_handler(TesseraError, session_exception_handler)
    never = BooleanClaim("never", lambda *_: False)

    @app.post("/auth/session/refresh")
    @app.post("/other")
    async def refreshed(
        session: SessionContainer = Depends(
            verify_session(override_global_claim_validators=lambda gv, s, ctx: [*gv, never.validators.is_true()])
        ),
    ) -> Dict[str, Any]:
        return {"user": session.get_user_id(), "refresh": session.get_all_session_tokens_dangerously()["refreshToken"]}

    from tessera.recipe.session.syncio import create_new_session_without_request_response

    tokens = create_new_session_without_request_response("public", "user-1").get_all_session_tokens_dangerously()
    client = Client(app)
    r = client.post("/auth/session/refresh", headers={"Authorization": f"Bearer {tokens['refreshToken']}"})
    assert r.status_code == 200 and r.json()["user"] == "user-1"
    assert r.json()["refresh"] not in (None, tokens["refreshToken"])
    other = client.post("/other", headers={"Authorization": f"Bearer {tokens['accessToken']}"})
    assert other.status_code == 403


def test_get_session_verifies_a_preflight_request_as_supertokens_python() -> None:
    """``get_session(request)`` has no method rules: an OPTIONS request without a session is
    unauthorised (not ``None``: the session is required), and one with a token has its session;
    a route's ``verify_session`` gives a preflight no session."""
    init_tessera()
    app = make_app()

    @app.options("/gs")
    async def gs(request: Request) -> Dict[str, Any]:
        session = await get_session(request)
        return {"user": session.get_user_id()}

    @app.options("/vs")
    async def vs(session: Optional[SessionContainer] = Depends(verify_session())) -> Dict[str, Any]:
        return {"session": session is not None}

    client = Client(app)
    token = client.post("/signin", headers={"st-auth-mode": "header"}).headers["st-access-token"]
    r = client.request("OPTIONS", "/gs")
    assert (r.status_code, r.json()) == (401, {"message": "unauthorised"})
    r = client.request("OPTIONS", "/gs", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()) == (200, {"user": "user-1"})
    r = client.request("OPTIONS", "/vs", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()) == (200, {"session": False})


# -- supertokens-python's "revoking session during refresh" tests -----------------------------


def _refresh_with(refresh_post: Any) -> Any:
    """A refresh through an ``override.apis`` whose ``refresh_post`` is ``refresh_post(original,
    api_options, user_context)``, in cookie mode with anti-CSRF by token."""
    from tessera.recipe import session as session_recipe

    def apis(oi: Any) -> Any:
        original = oi.refresh_post

        async def replaced(api_options: Any, user_context: Dict[str, Any]) -> Any:
            return await refresh_post(original, api_options, user_context)

        oi.refresh_post = replaced
        return oi

    init_tessera(
        anti_csrf="VIA_TOKEN",
        get_token_transfer_method=lambda *_: "cookie",
        override=session_recipe.InputOverrideConfig(apis=apis),
    )
    client = Client(make_app())
    created = client.post("/signin")
    assert created.status_code == 200 and created.headers["anti-csrf"] and created.headers["front-token"]
    return client.post(
        "/auth/session/refresh",
        cookies={"sRefreshToken": set_cookies(created)["sRefreshToken"].value},
        headers={"anti-csrf": created.headers["anti-csrf"]},
    )


def _assert_cleared(r: Any) -> None:
    cookies = set_cookies(r)
    assert cookies["sAccessToken"].cleared and cookies["sRefreshToken"].cleared
    assert r.headers["front-token"] == "remove"


def test_revoking_session_during_refresh_with_revoke_session_with_200() -> None:
    async def refresh_post(original: Any, api_options: Any, user_context: Any) -> Any:
        s = await original(api_options, user_context)
        await s.revoke_session()
        return s

    r = _refresh_with(refresh_post)
    assert (r.status_code, r.json()) == (200, {})
    _assert_cleared(r)


def test_revoking_session_during_refresh_with_revoke_session_sending_401() -> None:
    async def refresh_post(original: Any, api_options: Any, user_context: Any) -> Any:
        s = await original(api_options, user_context)
        await s.revoke_session()
        api_options.response.set_status_code(401)
        api_options.response.set_json_content({})
        return s

    r = _refresh_with(refresh_post)
    assert (r.status_code, r.json()) == (401, {})
    _assert_cleared(r)


def test_revoking_session_during_refresh_and_throw_unauthorized() -> None:
    from tessera.recipe.session.exceptions import raise_unauthorised_exception

    async def refresh_post(original: Any, api_options: Any, user_context: Any) -> Any:
        await original(api_options, user_context)
        raise_unauthorised_exception("unauthorized", clear_tokens=True)

    r = _refresh_with(refresh_post)
    assert (r.status_code, r.json()) == (401, {"message": "unauthorised"})
    _assert_cleared(r)


def test_revoking_session_during_refresh_fails_if_just_sending_401() -> None:
    async def refresh_post(original: Any, api_options: Any, user_context: Any) -> Any:
        s = await original(api_options, user_context)
        api_options.response.set_status_code(401)
        return s

    r = _refresh_with(refresh_post)
    assert r.status_code == 401
    cookies = set_cookies(r)
    assert cookies["sAccessToken"].value and cookies["sRefreshToken"].value
    assert r.headers["anti-csrf"] and r.headers["front-token"] not in ("", "remove")


def test_an_api_gateway_path_is_on_the_refresh_cookie_not_on_the_routes() -> None:
    # An AWS API Gateway stage: the gateway strips "/dev" before the app sees the request.
    from tessera import InputAppInfo, SupertokensConfig, init
    from tessera.recipe import session as session_recipe

    init(
        app_info=InputAppInfo(
            app_name="tests",
            api_domain="http://testserver",
            website_domain="http://testserver",
            api_gateway_path="/dev",
        ),
        framework="fastapi",
        supertokens_config=SupertokensConfig(connection_uri="sqlite::memory:"),
        recipe_list=[session_recipe.init(get_token_transfer_method=lambda *_: "cookie")],
    )
    client = Client(make_app())
    signin = client.post("/signin")
    cookies = set_cookies(signin)
    assert cookies["sRefreshToken"].attrs["path"] == "/dev/auth/session/refresh"
    assert cookies["sAccessToken"].attrs["path"] == "/"
    refreshed = client.post(
        "/auth/session/refresh", cookies={"sRefreshToken": cookies["sRefreshToken"].value}, headers={"rid": "session"}
    )
    assert refreshed.status_code == 200
    assert set_cookies(refreshed)["sRefreshToken"].attrs["path"] == "/dev/auth/session/refresh"
    token = set_cookies(refreshed)["sAccessToken"].value
    got = client.get("/getJWT", cookies={"sAccessToken": token})
    assert got.status_code == 200 and got.json() == {"token": token}
    assert client.get("/auth/.well-known/openid-configuration").json()["issuer"] == "http://testserver/dev/auth"


def test_token_transfer_method_works_when_using_origin_function() -> None:
    # supertokens-python's test of the same name.
    from tessera import InputAppInfo, SupertokensConfig, init
    from tessera.framework.request import RequestAdapter
    from tessera.recipe import session as session_recipe

    def get_origin(req: Optional[RequestAdapter], _: Dict[str, Any]) -> str:
        if req is not None:
            value = req.get_header("origin")
            if value is not None:
                return value
        return "localhost:3000"

    def token_transfer_method(req: RequestAdapter, _: bool, __: Dict[str, Any]) -> str:
        return "cookie" if req.get_header("origin") == "localhost:3002" else "header"

    init(
        supertokens_config=SupertokensConfig("sqlite::memory:"),
        app_info=InputAppInfo(
            app_name="SuperTokens Demo", api_domain="http://localhost:8000", origin=get_origin, api_base_path="/auth"
        ),
        framework="fastapi",
        recipe_list=[session_recipe.init(get_token_transfer_method=token_transfer_method)],
    )
    client = Client(make_app())
    response = client.post("/signin")
    assert response.status_code == 200
    assert len(response.headers["st-access-token"]) > 0
    assert len(response.headers["st-refresh-token"]) > 0
    assert response.headers.get_list("set-cookie") == []

    response = client.post("/signin", headers={"origin": "localhost:3002"})
    assert response.status_code == 200
    assert "st-access-token" not in response.headers and "st-refresh-token" not in response.headers
    cookies = set_cookies(response)
    assert cookies["sAccessToken"].attrs["samesite"] == "Lax"
