"""The framework-neutral layer the FastAPI, Flask and Django integrations share."""

from typing import Any, Dict, List, Optional

import pytest
from conftest import init_tessera
from tessera import _native
from tessera.exceptions import NotSupportedError
from tessera.framework.fastapi.response import AsgiHeaders
from tessera.framework.request import Mutations, RequestAdapter, has_mutations, wrap_request
from tessera.framework.response import apply_all, apply_mutations, set_cookie_name


class DictRequest(RequestAdapter):
    """The smallest adapter: a dict of headers."""

    def __init__(self, headers: Dict[str, List[str]]) -> None:
        super().__init__(headers)
        self.session: Any = None
        self.pending: List[Mutations] = []

    def method(self) -> str:
        return "GET"

    def path(self) -> str:
        return "/x"

    def header(self, name: str) -> Optional[str]:
        values = self.request.get(name)
        return values[0] if values else None

    def header_values(self, name: str) -> List[str]:
        return list(self.request.get(name, []))

    def get_session(self) -> Any:
        return self.session

    def set_session(self, session: Any) -> None:
        self.session = session

    def request_mutations(self) -> List[Mutations]:
        return self.pending


def test_only_the_core_headers_are_passed() -> None:
    req = DictRequest(
        {
            "cookie": ["a=1", "sAccessToken=x"],
            "authorization": ["Bearer t"],
            "rid": ["session"],
            "x-forwarded-for": ["1.2.3.4"],
            "user-agent": ["test"],
        }
    )
    headers = req.native_headers()
    assert ("cookie", "a=1") in headers and ("cookie", "sAccessToken=x") in headers
    assert ("authorization", "Bearer t") in headers
    assert {name for name, _ in headers} <= set(_native.REQUEST_HEADERS)
    assert req.native_request() == ("GET", "/x", headers)


def test_raw_asgi_headers_verify_as_their_latin1_text() -> None:
    from tessera import _state
    from tessera.exceptions import UnauthorisedError
    from tessera.recipe.session.syncio import create_new_session_without_request_response

    init_tessera()
    engine = _state.engine()
    token = create_new_session_without_request_response("public", "user-1").get_access_token()
    raw = [
        (b"host", b"example.com"),
        (b"user-agent", b"\xe9t\xe9"),
        (b"cookie", b"other=\xe9; sAccessToken=" + token.encode()),
        (b"rid", b"session"),
    ]
    text = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
    from_raw, mutations = engine.verify_session("GET", "/x", raw)
    from_text, _ = engine.verify_session("GET", "/x", text)
    assert from_raw is not None and from_text is not None
    assert from_raw.access_token == from_text.access_token == token and mutations is None
    # ASGI lets a server send each header as a list rather than a tuple.
    as_lists = [[k, v] for k, v in raw]
    assert engine.verify_session("GET", "/x", as_lists)[0] is not None
    # Any iterable of pairs is read as a list is (the list is walked by index, others iterated).
    assert engine.verify_session("GET", "/x", tuple(raw))[0].access_token == token
    assert engine.verify_session("GET", "/x", (pair for pair in raw))[0].access_token == token
    with pytest.raises(TypeError):
        engine.verify_session("GET", "/x", 42)
    # Any case of a name is the same header; a header the core does not read is not looked at.
    assert engine.verify_session("GET", "/x", [(b"Authorization", b"Bearer " + token.encode())])[0] is not None
    with pytest.raises(UnauthorisedError):
        engine.verify_session("GET", "/x", [(b"x-cookie", b"sAccessToken=" + token.encode())])
    # A malformed list is a TypeError, not a panic or a header silently dropped.
    with pytest.raises(TypeError):
        engine.verify_session("GET", "/x", [(b"cookie", b"a=1", b"b")])
    with pytest.raises(TypeError):
        engine.verify_session("GET", "/x", [(b"cookie", "a=1")])


_TRICKY_PATHS = [
    "/auth/session/refresh",
    "/auth/session/refresh/",
    "/auth/signout",
    "/auth/jwt/jwks.json",
    "/api/auth/session/refresh",
    "/x/../auth/session/refresh",
    "/x/%2e%2e/auth/signout",
    "/x/%2E./api/auth/signout",
    "/x\\..\\auth/session/refresh",
    "/au\tth/session/refresh",
    "./auth/signout",
    "/auth/./session/refresh",
    "auth/session/refresh",
    "/api/x/../auth/jwt/jwks.json/",
    "/session/refresh",
    "/x/../signout",
    "/jwt/jwks.json/",
    "/getJWT",
    "/",
    "",
]


@pytest.mark.parametrize("base", ["/auth", "/api/auth", "/"])
def test_the_api_path_filter_never_hides_an_api_path(base: str) -> None:
    from tessera import InputAppInfo, init
    from tessera.recipe import session

    init(
        app_info=InputAppInfo(app_name="t", api_domain="http://testserver", api_base_path=base),
        framework="fastapi",
        recipe_list=[session.init()],
    )
    from tessera import _state

    state = _state.current()
    served = 0
    for path in _TRICKY_PATHS:
        for method in ("GET", "POST"):
            if state.engine.is_api_request(method, path):
                served += 1
                assert _state.may_be_api_path(state, path), f"{method} {path!r} is skipped under {base}"
    assert served >= 3
    # What the filter is for: most of an app's paths never reach the native call.
    assert not _state.may_be_api_path(state, "/getJWT") or base == "/"
    # A second asking (answered from the state's path answers) says the same.
    for path in _TRICKY_PATHS:
        first = _state.may_be_api_path(state, path)
        assert state.path_answers[path] is first
        assert _state.may_be_api_path(state, path) is first
        assert first == (path.startswith(state.api_path_prefix) or state.rewritable_path(path) is not None)


def test_the_remembered_path_answers_are_bounded() -> None:
    from tessera import InputAppInfo, _state, init
    from tessera.recipe import session

    init(
        app_info=InputAppInfo(app_name="t", api_domain="http://testserver"),
        framework="fastapi",
        recipe_list=[session.init()],
    )
    state = _state.current()
    # Clients choose the paths: unique ones fill the memory up to its bound and no further.
    for i in range(3 * _state._PATH_ANSWERS_MAX):
        assert _state.may_be_api_path(state, f"/page/{i}") is False
    assert len(state.path_answers) == _state._PATH_ANSWERS_MAX
    assert _state.may_be_api_path(state, "/auth/session/refresh") is True
    long_path = "/auth/" + "a" * 10_000
    assert _state.may_be_api_path(state, long_path) is True
    assert long_path not in state.path_answers


@pytest.mark.parametrize(
    "path",
    ["/auth/session/refresh", "/auth/session/refresh/", "/x/../auth/session/refresh", "/x/%2e%2e/auth/session/refresh"],
)
def test_the_asgi_middleware_serves_every_spelling_of_the_refresh_path(path: str) -> None:
    """Test clients resolve dot segments before sending; an ASGI server passes them on."""
    import asyncio

    from tessera.framework.fastapi import Middleware

    init_tessera()
    sent: List[Dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": [(b"st-auth-mode", b"cookie")]}
    asyncio.run(Middleware(app)(scope, receive, send))
    # The core's refresh answer without a refresh token, not the app's 404.
    assert sent[0]["status"] == 401
    assert b'"unauthorised"' in sent[1]["body"]


def test_pending_mutations_are_the_requests_then_the_sessions() -> None:
    req = DictRequest({})
    first: Mutations = (None, None, [("set", "a", "1")], [])
    req.add_response_mutations(first)
    req.add_response_mutations((None, None, [], []))
    req.add_response_mutations(None)
    assert req.request_mutations() == [first]

    class FakeSession:
        response_mutations: List[Mutations] = [(None, None, [("set", "b", "2")], [])]

    req.set_session(FakeSession())  # type: ignore[arg-type]
    assert req.pending_mutations() == [first, FakeSession.response_mutations[0]]
    req.set_session_as_none()
    assert req.get_session() is None
    assert not has_mutations((None, None, [], [])) and has_mutations((200, None, [], []))


def test_apply_mutations_semantics() -> None:
    response = AsgiHeaders(
        [
            (b"content-type", b"text/plain"),
            (b"access-control-expose-headers", b"x-custom"),
            (b"anti-csrf", b"old"),
            (b"set-cookie", b"sAccessToken=old; Path=/"),
            (b"set-cookie", b"other=keep; Path=/"),
        ]
    )
    cookie = "sAccessToken=new%2Bvalue; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
    apply_mutations(
        response,
        (
            None,
            None,
            [
                ("set", "front-token", "abc"),
                ("append", "Access-Control-Expose-Headers", "front-token"),
                ("append", "Access-Control-Expose-Headers", "front-token"),
                ("append", "Access-Control-Expose-Headers", "st-access-token"),
                ("remove", "anti-csrf", None),
            ],
            [("sAccessToken", cookie)],
        ),
    )
    assert response.get_header("front-token") == "abc"
    assert response.get_header("access-control-expose-headers") == "x-custom, front-token, st-access-token"
    assert response.get_header("anti-csrf") is None
    set_cookies = [v.decode() for k, v in response.headers if k == b"set-cookie"]
    assert set_cookies == ["other=keep; Path=/", cookie]
    assert response.get_header("content-type") == "text/plain"
    assert response.status is None and response.body is None

    apply_all(response, [(401, '{"message":"unauthorised"}', [("set", "front-token", "remove")], [])])
    assert response.status == 401
    assert response.body == b'{"message":"unauthorised"}'
    assert response.get_header("content-type") == "application/json; charset=utf-8"
    assert response.get_header("front-token") == "remove"
    with pytest.raises(ValueError):
        apply_mutations(response, (None, None, [("explode", "x", None)], []))


def test_set_cookie_name() -> None:
    assert set_cookie_name("sAccessToken=a=b; Path=/") == "sAccessToken"
    assert set_cookie_name("weird") == "weird"


def test_wrap_request_picks_the_framework_adapter() -> None:
    from starlette.requests import Request
    from tessera.framework.fastapi.request import FastApiRequest

    init_tessera()
    raw = Request({"type": "http", "method": "GET", "path": "/p", "headers": [(b"cookie", b"a=1")]})
    adapter = wrap_request(raw)
    assert isinstance(adapter, FastApiRequest)
    # The ASGI scope's raw headers, as they are: the native module picks out what it reads.
    assert adapter.native_request() == ("GET", "/p", [(b"cookie", b"a=1")])
    assert wrap_request(adapter) is adapter
    with pytest.raises(TypeError):
        wrap_request(object())


def test_missing_integration_is_not_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    import tessera.framework.request as request_module

    init_tessera(framework="flask")
    monkeypatch.setattr(request_module, "_wrappers", {})
    monkeypatch.setitem(__import__("sys").modules, "tessera.framework.flask.request", None)
    with pytest.raises(NotSupportedError, match="flask"):
        wrap_request(object())


def test_base_response_methods_as_supertokens_python_names_them() -> None:
    from flask import Response
    from tessera.framework import BaseResponse
    from tessera.framework.flask.response import FlaskResponse

    asgi = AsgiHeaders()
    assert isinstance(asgi, BaseResponse)
    asgi.set_cookie("theme", "dark", expires=0, path="/app", domain="example.com", secure=True, httponly=True)
    asgi.set_cookie("theme", "light", expires=86_400_000, samesite="strict")
    assert (
        asgi.get_header("set-cookie") == "theme=light; Path=/; Expires=Fri, 02 Jan 1970 00:00:00 GMT; SameSite=Strict"
    )
    asgi.set_status_code(418)
    asgi.set_json_content({"a": 1})
    assert (asgi.status, asgi.body, asgi.get_header("content-type")) == (
        418,
        b'{"a": 1}',
        "application/json; charset=utf-8",
    )
    assert asgi.redirect("/elsewhere") is asgi
    assert (asgi.status, asgi.get_header("location")) == (302, "/elsewhere")

    flask = FlaskResponse(Response())
    flask.set_html_content("<b>hi</b>")
    assert (flask.response.data, flask.response.headers["Content-Type"]) == (b"<b>hi</b>", "text/html; charset=utf-8")
    flask.set_cookie("theme", "dark", expires=0, secure=True)
    assert flask.response.headers["Set-Cookie"] == (
        "theme=dark; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax"
    )


def test_base_request_readers_as_supertokens_python_names_them() -> None:
    import asyncio

    from flask import Flask
    from starlette.requests import Request
    from tessera.framework import BaseRequest
    from tessera.framework.fastapi.request import FastApiRequest
    from tessera.framework.flask.request import FlaskRequest

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b'{"a": 1}', "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("api.example.com", 80),
        "path": "/items",
        "query_string": b"x=1&y=2",
        "headers": [(b"host", b"api.example.com"), (b"content-type", b"application/json")],
    }
    fastapi = FastApiRequest(Request(scope, receive))
    assert isinstance(fastapi, BaseRequest)
    assert fastapi.get_original_url() == "http://api.example.com/items?x=1&y=2"
    assert (fastapi.get_query_params(), fastapi.get_query_param("y"), fastapi.get_query_param("z", "d")) == (
        {"x": "1", "y": "2"},
        "2",
        "d",
    )
    assert asyncio.run(fastapi.get_json_or_form_data()) == {"a": 1}

    app = Flask(__name__)
    with app.test_request_context("/items?x=1", method="POST", data={"f": "v"}):
        from flask import request

        flask = FlaskRequest(request._get_current_object())  # type: ignore[attr-defined]
        assert flask.get_original_url() == "http://localhost/items?x=1"
        assert flask.get_query_param("x") == "1"
        assert asyncio.run(flask.get_json_or_form_data()) == {"f": "v"}
        assert asyncio.run(flask.json()) == {}
