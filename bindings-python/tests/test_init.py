"""``tessera.init``, ``session.init`` and the small public types."""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import tessera
from conftest import API_DOMAIN, init_tessera
from tessera import InputAppInfo, SupertokensConfig, _native, _state, get_all_cors_headers, init
from tessera.exceptions import InvalidConfigError
from tessera.recipe import session
from tessera.recipe.session.syncio import create_new_session_without_request_response
from tessera.types import RecipeUserId


def app_info() -> InputAppInfo:
    return InputAppInfo(app_name="tests", api_domain=API_DOMAIN, website_domain=API_DOMAIN)


def test_session_init_maps_every_option_to_the_core_name() -> None:
    options: Dict[str, Any] = dict(
        cookie_secure=True,
        cookie_same_site="none",
        session_expired_status_code=440,
        anti_csrf="VIA_CUSTOM_HEADER",
        cookie_domain="example.com",
        older_cookie_domain="old.example.com",
        get_token_transfer_method="header",
        invalid_claim_status_code=418,
        use_dynamic_access_token_signing_key=False,
        expose_access_token_to_frontend_in_cookie_based_auth=True,
        jwks_refresh_interval_sec=60,
        access_token_path="/api",
        access_token_validity=30,
        refresh_token_validity=60,
        access_token_dynamic_signing_key_update_interval=2,
        refresh_token_rotation_grace_period=5,
        verified_token_cache_size=0,
    )
    recipe = session.init(**options)
    assert recipe.options == {
        "cookieSecure": True,
        "cookieSameSite": "none",
        "sessionExpiredStatusCode": 440,
        "antiCsrf": "VIA_CUSTOM_HEADER",
        "cookieDomain": "example.com",
        "olderCookieDomain": "old.example.com",
        "tokenTransferMethod": "header",
        "invalidClaimStatusCode": 418,
        "useDynamicAccessTokenSigningKey": False,
        "exposeAccessTokenToFrontendInCookieBasedAuth": True,
        "jwksRefreshIntervalSec": 60,
        "accessTokenPath": "/api",
        "accessTokenValidity": 30,
        "refreshTokenValidity": 60,
        "accessTokenDynamicSigningKeyUpdateInterval": 2,
        "refreshTokenRotationGracePeriod": 5,
        "verifiedTokenCacheSize": 0,
    }
    assert session.init().options == {}
    # The core accepts every one of them.
    init(app_info(), "fastapi", SupertokensConfig("sqlite::memory:"), [recipe])


def test_token_transfer_method_function_is_kept_out_of_the_core_config() -> None:
    def choose(req: Any, create: bool, ctx: Any) -> str:
        return "cookie"

    recipe = session.init(get_token_transfer_method=choose, anti_csrf="NONE")
    assert recipe.options == {"antiCsrf": "NONE"}
    assert recipe.get_token_transfer_method is choose
    assert session.init(get_token_transfer_method="header").options == {"tokenTransferMethod": "header"}


def test_unsupported_session_options_are_refused() -> None:
    with pytest.raises(TypeError, match="InputOverrideConfig"):
        session.init(override=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="API implementation"):
        session.init(override=session.InputOverrideConfig(apis=lambda original: None))
    with pytest.raises(TypeError, match="must be callable"):
        session.InputOverrideConfig(apis=object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options, option_name",
    [
        ({"cookie_same_site": "loose"}, "cookieSameSite"),
        ({"anti_csrf": "SOMETIMES"}, "antiCsrf"),
        ({"get_token_transfer_method": "both"}, "tokenTransferMethod"),
        ({"session_expired_status_code": 403}, "sessionExpiredStatusCode"),
        ({"cookie_domain": ""}, "cookieDomain"),
        ({"access_token_path": "http://x/y"}, "accessTokenPath"),
    ],
)
def test_bad_session_option_names_the_option(options: Dict[str, Any], option_name: str) -> None:
    with pytest.raises(InvalidConfigError) as info:
        init(app_info(), "fastapi", SupertokensConfig("sqlite::memory:"), [session.init(**options)])
    assert option_name in info.value.message
    assert info.value.code == "INVALID_CONFIG"


@pytest.mark.parametrize(
    "options, option_name",
    [({"cookie_secure": "yes"}, "cookieSecure"), ({"access_token_validity": -1}, "accessTokenValidity")],
)
def test_wrongly_typed_session_option_names_the_option(options: Dict[str, Any], option_name: str) -> None:
    with pytest.raises(InvalidConfigError) as info:
        init(app_info(), "fastapi", SupertokensConfig("sqlite::memory:"), [session.init(**options)])
    assert option_name in info.value.message


def test_bad_app_info_and_connection_uri_name_the_option() -> None:
    with pytest.raises(InvalidConfigError, match="apiDomain"):
        init(InputAppInfo(app_name="a", api_domain=""), "fastapi", SupertokensConfig("sqlite::memory:"))
    with pytest.raises(InvalidConfigError, match="connectionURI"):
        init(app_info(), "fastapi", SupertokensConfig("ftp://example.com"))


def test_framework_and_mode_are_checked() -> None:
    with pytest.raises(InvalidConfigError, match="framework"):
        init(app_info(), "bottle", SupertokensConfig("sqlite::memory:"))
    with pytest.raises(InvalidConfigError, match="mode"):
        init(app_info(), "fastapi", SupertokensConfig("sqlite::memory:"), mode="cgi")
    for framework, default_mode in [("fastapi", "asgi"), ("flask", "wsgi"), ("django", "wsgi")]:
        init(app_info(), framework, SupertokensConfig("sqlite::memory:"))
        assert (_state.current().framework, _state.current().mode) == (framework, default_mode)
    init(app_info(), "django", SupertokensConfig("sqlite::memory:"), mode="asgi")
    assert _state.current().mode == "asgi"


def test_connection_uri_is_passed_to_the_core(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    init_tessera(connection_uri=f"sqlite:{db}")
    handle = create_new_session_without_request_response("public", "user-1").get_handle()
    assert db.exists()
    # A new engine on the same file sees the session.
    init_tessera(connection_uri=f"sqlite:{db}")
    from tessera.recipe.session.syncio import get_session_information

    info = get_session_information(handle)
    assert info is not None and info.user_id == "user-1"


def test_init_again_replaces_the_engine() -> None:
    init_tessera()
    first = _state.engine()
    handle = create_new_session_without_request_response("public", "user-1").get_handle()
    init_tessera()
    assert _state.engine() is not first
    from tessera.recipe.session.syncio import get_session_information

    assert get_session_information(handle) is None  # a new in-memory store


def test_calls_before_init_say_so() -> None:
    _state.reset()
    with pytest.raises(InvalidConfigError, match="init"):
        create_new_session_without_request_response("public", "user-1")


def test_input_app_info_keeps_supertokens_python_order() -> None:
    info = InputAppInfo("app", "https://api.example.com", "", "/api/auth", "/login", "https://example.com")
    assert info._to_json() == {
        "appName": "app",
        "apiDomain": "https://api.example.com",
        "apiBasePath": "/api/auth",
        "websiteBasePath": "/login",
        "websiteDomain": "https://example.com",
    }
    assert InputAppInfo("a", "x.com", origin="https://o.com")._to_json()["websiteDomain"] == "https://o.com"
    # As in supertokens-python, origin wins over website_domain.
    both = InputAppInfo("a", "x.com", website_domain="https://w.com", origin="https://o.com")
    assert both._to_json()["websiteDomain"] == "https://o.com"
    assert InputAppInfo("a", "x.com", api_gateway_path="/gw")._to_json()["apiGatewayPath"] == "/gw"


def test_an_origin_function_is_asked_without_a_request_for_the_cookie_defaults() -> None:
    calls: List[Tuple[Any, Dict[str, Any]]] = []

    def origin(request: Any, user_context: Dict[str, Any]) -> str:
        calls.append((request, user_context))
        return "https://example.org"

    assert InputAppInfo("a", "https://api.example.com", origin=origin)._to_json()["websiteDomain"] == (
        "https://example.org"
    )
    assert calls == [(None, {})]

    def needs_a_request(request: Any, user_context: Dict[str, Any]) -> str:
        return str(request.get_header("origin"))

    assert "websiteDomain" not in InputAppInfo("a", "x.com", origin=needs_a_request)._to_json()
    with pytest.raises(InvalidConfigError, match="origin"):
        InputAppInfo("a", "x.com", origin=lambda *_: 3)._to_json()  # type: ignore[arg-type,return-value]


def test_api_base_path_moves_the_endpoints() -> None:
    from conftest import Client
    from fastapi import FastAPI
    from tessera.framework.fastapi import get_middleware

    init(
        InputAppInfo(app_name="a", api_domain=API_DOMAIN, api_base_path="/api/auth/"),
        "fastapi",
        SupertokensConfig("sqlite::memory:"),
    )
    app = FastAPI()
    app.add_middleware(get_middleware())
    client = Client(app)
    assert client.get("/api/auth/jwt/jwks.json").status_code == 200
    assert client.get("/auth/jwt/jwks.json").status_code == 404


def test_cors_headers_and_recipe_user_id() -> None:
    assert get_all_cors_headers() == list(_native.CORS_ALLOWED_HEADERS)
    assert "rid" in get_all_cors_headers() and "st-auth-mode" in get_all_cors_headers()
    r = RecipeUserId("u1")
    assert r.get_as_string() == "u1" == str(r)
    assert r == RecipeUserId("u1") and r != RecipeUserId("u2") and r != "u1"
    assert len({r, RecipeUserId("u1")}) == 1
    assert repr(r) == "RecipeUserId('u1')"
    assert tessera.convert_to_recipe_user_id("u1") == r
    with pytest.raises(TypeError):
        RecipeUserId(1)  # type: ignore[arg-type]


def test_config_json_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    class FakeEngine:
        api_path_prefix = "/auth"

        def __init__(self, config_json: str) -> None:
            seen["config"] = json.loads(config_json)

    monkeypatch.setattr(_native, "Engine", FakeEngine)
    init(
        InputAppInfo(app_name="a", api_domain="https://api.x.com", website_domain="https://x.com"),
        "flask",
        SupertokensConfig(connection_uri="sqlite::memory:", api_key="key"),
        [session.init(cookie_secure=False)],
    )
    assert seen["config"] == {
        "appInfo": {
            "appName": "a",
            "apiDomain": "https://api.x.com",
            "websiteDomain": "https://x.com",
            "apiBasePath": "/auth",
            "websiteBasePath": "/auth",
        },
        "connectionURI": "sqlite::memory:",
        "apiKey": "key",
        "session": {"cookieSecure": False},
    }
    init(InputAppInfo(app_name="a", api_domain="https://api.x.com"), "flask")
    assert "connectionURI" not in seen["config"] and seen["config"]["session"] == {}
