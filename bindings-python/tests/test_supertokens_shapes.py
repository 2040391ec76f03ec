"""Shapes of supertokens-python that its documentation's code relies on beyond the session
functions: the request in an override's user context, the framework wrappers' module paths,
a ``SessionContainer`` subclass built with supertokens-python's constructor, and
``attach_to_request_response``."""

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from conftest import Client, init_tessera, set_cookies
from fastapi import Depends, FastAPI, Request
from tessera import get_request_from_user_context
from tessera.exceptions import NotSupportedError
from tessera.framework.fastapi import get_middleware
from tessera.recipe import session
from tessera.recipe.session import SessionContainer
from tessera.recipe.session.asyncio import (
    create_new_session,
    create_new_session_without_request_response,
    get_session_information,
)
from tessera.recipe.session.framework.fastapi import verify_session
from tessera.recipe.session.interfaces import RecipeInterface, ReqResInfo, TokenInfo
from tessera.recipe.session.recipe_implementation import RecipeImplementation
from tessera.recipe.session.utils import SessionConfig
from tessera.types import RecipeUserId


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": []})


def _override(functions: Any, **options: Any) -> None:
    init_tessera(override=session.InputOverrideConfig(functions=functions), **options)


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(get_middleware())

    @app.post("/login")
    async def login(request: Request) -> Dict[str, Any]:
        s = await create_new_session(request, "public", RecipeUserId("user-1"), {"k": 1})
        return {"user": s.get_user_id(), "handle": s.get_handle(), "payload": s.get_access_token_payload()}

    @app.get("/me")
    async def me(s: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"user": s.get_user_id()}

    return app


# -- get_request_from_user_context ------------------------------------------------------------


def test_an_override_reads_the_request_from_the_user_context() -> None:
    seen: List[Optional[str]] = []

    def functions(oi: RecipeInterface) -> RecipeInterface:
        original = oi.create_new_session

        async def create_new_session(
            user_id: str,
            recipe_user_id: RecipeUserId,
            access_token_payload: Optional[Dict[str, Any]],
            session_data_in_database: Optional[Dict[str, Any]],
            disable_anti_csrf: Optional[bool],
            tenant_id: str,
            user_context: Dict[str, Any],
        ) -> SessionContainer:
            request = get_request_from_user_context(user_context)
            seen.append(None if request is None else request.get_cookie("jwt"))
            payload = dict(access_token_payload or {})
            if request is not None and request.get_cookie("jwt") is not None:
                payload["someKey"] = request.get_cookie("jwt")
            return await original(
                user_id, recipe_user_id, payload, session_data_in_database, disable_anti_csrf, tenant_id, user_context
            )

        oi.create_new_session = create_new_session  # type: ignore[method-assign]
        return oi

    _override(functions)
    client = Client(_app())
    r = client.post("/login", headers={"st-auth-mode": "header"}, cookies={"jwt": "from-cookie"})
    assert r.status_code == 200, r.text
    assert r.json()["payload"]["someKey"] == "from-cookie"
    # Without a request (as from the user management dashboard) the override sees none.
    asyncio.run(create_new_session_without_request_response("public", "user-2"))
    assert seen == ["from-cookie", None]
    assert get_request_from_user_context(None) is None
    assert get_request_from_user_context({"_default": "not a dict"}) is None


# -- the framework wrappers' module paths ------------------------------------------------------


def test_the_framework_wrappers_import_from_supertokens_python_module_paths() -> None:
    from tessera.framework.django.django_request import DjangoRequest
    from tessera.framework.django.django_response import DjangoResponse
    from tessera.framework.django.request import DjangoRequest as OwnDjangoRequest
    from tessera.framework.django.response import DjangoResponse as OwnDjangoResponse
    from tessera.framework.fastapi.fastapi_request import FastApiRequest
    from tessera.framework.fastapi.request import FastApiRequest as OwnFastApiRequest
    from tessera.framework.flask.flask_request import FlaskRequest
    from tessera.framework.flask.flask_response import FlaskResponse
    from tessera.framework.flask.request import FlaskRequest as OwnFlaskRequest
    from tessera.framework.flask.response import FlaskResponse as OwnFlaskResponse

    assert FastApiRequest is OwnFastApiRequest
    assert FlaskRequest is OwnFlaskRequest and FlaskResponse is OwnFlaskResponse
    assert DjangoRequest is OwnDjangoRequest and DjangoResponse is OwnDjangoResponse


def test_a_hand_written_flask_decorator_stores_the_session_through_flask_request() -> None:
    from flask import Flask, g, jsonify
    from flask import request as flask_request
    from tessera.framework.flask import Middleware
    from tessera.framework.flask.flask_request import FlaskRequest
    from tessera.recipe.session.syncio import create_new_session_without_request_response, get_session

    init_tessera(framework="flask")
    app = Flask(__name__)
    Middleware(app)

    @app.get("/custom")
    def custom() -> Any:
        base = FlaskRequest(flask_request)
        s = get_session(base, session_required=False)
        if s is None:
            base.set_session_as_none()
        else:
            base.set_session(s)
        stored = g.supertokens
        return jsonify(user=None if stored is None else stored.get_user_id())

    token = create_new_session_without_request_response("public", "user-9").get_access_token()
    client = app.test_client()
    assert client.get("/custom").get_json() == {"user": None}
    assert client.get("/custom", headers={"Authorization": f"Bearer {token}"}).get_json() == {"user": "user-9"}


# -- SessionContainer built with supertokens-python's constructor ---------------------------------


class EmptySession(SessionContainer):
    """The documentation's "no session at sign-up" container: supertokens-python's constructor,
    every token-touching method replaced."""

    def __init__(self, recipe_implementation: RecipeInterface) -> None:
        assert isinstance(recipe_implementation, RecipeImplementation)
        super().__init__(
            recipe_implementation,
            recipe_implementation.config,
            "",
            "",
            None,
            "",
            "",
            "",
            RecipeUserId(""),
            {},
            None,
            False,
            "",
        )

    async def attach_to_request_response(self, request: Any, transfer_method: str, user_context: Any = None) -> None:
        pass

    def get_user_id(self, user_context: Optional[Dict[str, Any]] = None) -> str:
        return "empty"


def test_an_override_may_return_a_session_built_with_supertokens_pythons_constructor() -> None:
    configs: List[Any] = []

    def functions(oi: RecipeInterface) -> RecipeInterface:
        original = oi.create_new_session
        assert isinstance(oi, RecipeImplementation)
        configs.append(oi.config)

        async def create_new_session(*args: Any, **kwargs: Any) -> SessionContainer:
            if kwargs["user_context"].get("isSignUp") is True:
                return EmptySession(oi)
            return await original(*args, **kwargs)

        oi.create_new_session = create_new_session  # type: ignore[method-assign]
        return oi

    _override(functions, cookie_domain=".example.com")
    assert isinstance(configs[0], SessionConfig)
    assert configs[0].cookie_domain == ".example.com" and configs[0].anti_csrf is None

    empty = asyncio.run(create_new_session_without_request_response("public", "u", user_context={"isSignUp": True}))
    assert isinstance(empty, EmptySession)
    assert empty.get_user_id() == "empty"
    # What the constructor was given, through the getters the subclass did not replace.
    assert empty.get_access_token() == "" and empty.get_handle() == "" and empty.get_tenant_id() == ""
    assert empty.get_recipe_user_id() == RecipeUserId("") and empty.get_access_token_payload() == {}
    assert empty.get_all_session_tokens_dangerously()["refreshToken"] is None
    real = asyncio.run(create_new_session_without_request_response("public", "u"))
    assert not isinstance(real, EmptySession) and real.get_user_id() == "u"


def test_a_constructed_session_reads_its_fields_and_works_on_its_handle_in_the_store() -> None:
    init_tessera()
    real = asyncio.run(create_new_session_without_request_response("public", "user-5", {"a": 1}, {"db": 1}))
    tokens = real.get_all_session_tokens_dangerously()
    s = SessionContainer(
        RecipeImplementation(),
        None,
        tokens["accessToken"],
        tokens["frontToken"],
        TokenInfo(tokens["refreshToken"] or "", 123, 1),
        None,
        real.get_handle(),
        "user-5",
        "user-5",
        {"a": 1},
        None,
        False,
        "public",
    )
    assert s.get_user_id() == "user-5" and s.get_handle() == real.get_handle()
    assert s.get_access_token_payload() == {"a": 1}
    assert s.get_all_session_tokens_dangerously()["refreshToken"] == tokens["refreshToken"]
    assert s.sync_get_session_data_from_database() == {"db": 1}
    s.sync_update_session_data_in_database({"db": 2})
    asyncio.run(s.merge_into_access_token_payload({"b": 2}))
    info = asyncio.run(get_session_information(real.get_handle()))
    assert info is not None
    assert info.session_data_in_database == {"db": 2}
    claims = info.custom_claims_in_access_token_payload
    assert (claims["a"], claims["b"]) == (1, 2)
    asyncio.run(s.revoke_session())
    assert asyncio.run(get_session_information(real.get_handle())) is None


def test_a_constructed_session_with_tokens_it_claims_are_new_cannot_write_them() -> None:
    init_tessera()
    s = SessionContainer(
        RecipeImplementation(),
        None,
        "a",
        "f",
        None,
        None,
        "h",
        "u",
        "u",
        {},
        ReqResInfo(None, "cookie"),
        True,
        "public",
    )
    with pytest.raises(NotSupportedError, match="Tessera writes only tokens it issued"):
        s.sync_attach_to_request_response(_request(), "cookie")


# -- attach_to_request_response ---------------------------------------------------------------


@pytest.mark.parametrize("transfer", ["cookie", "header"])
def test_attach_to_request_response_writes_a_session_made_without_a_request(transfer: str) -> None:
    init_tessera()
    app = FastAPI()
    app.add_middleware(get_middleware())

    @app.post("/adopt")
    async def adopt(request: Request) -> Dict[str, Any]:
        s = await create_new_session_without_request_response("public", "user-7")
        await s.attach_to_request_response(request, transfer)
        assert request.state.supertokens is s
        assert s.req_res_info is not None and s.req_res_info.transfer_method == transfer
        return {"token": s.get_access_token()}

    @app.get("/me")
    async def me(s: SessionContainer = Depends(verify_session())) -> Dict[str, Any]:
        return {"user": s.get_user_id()}

    client = Client(app)
    r = client.post("/adopt")
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.headers["front-token"]
    if transfer == "cookie":
        cookies = set_cookies(r)
        assert cookies["sAccessToken"].value == token
        assert cookies["sRefreshToken"].attrs["path"] == "/auth/session/refresh"
        assert "st-access-token" not in r.headers
        assert client.get("/me", cookies={"sAccessToken": token}).json() == {"user": "user-7"}
    else:
        assert "set-cookie" not in r.headers
        assert r.headers["st-access-token"] == token and r.headers["st-refresh-token"]
        assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"user": "user-7"}


def test_attach_to_request_response_rejects_an_unknown_transfer_method() -> None:
    init_tessera()
    s = asyncio.run(create_new_session_without_request_response("public", "user-8"))
    from tessera.exceptions import InvalidInputError

    with pytest.raises(InvalidInputError):
        s.sync_attach_to_request_response(_request(), "carrier-pigeon")


def test_assert_claims_raises_with_supertokens_pythons_message() -> None:
    from tessera.recipe.session.claims import BooleanClaim
    from tessera.recipe.session.exceptions import InvalidClaimsError

    init_tessera()
    claim = BooleanClaim("admin", lambda *_: False)
    s = asyncio.run(create_new_session_without_request_response("public", "user-3"))
    with pytest.raises(InvalidClaimsError) as raised:
        s.sync_assert_claims([claim.validators.is_true()])
    assert str(raised.value) == "INVALID_CLAIMS"
    assert [e.id_ for e in raised.value.payload] == ["admin"]
