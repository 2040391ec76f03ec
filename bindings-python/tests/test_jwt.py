"""The JWT and OpenID functions every app has (supertokens-python's ``recipe.jwt`` and
``recipe.openid``, also re-exported by the session recipe's ``asyncio`` / ``syncio``)."""

import asyncio
import base64
import json
from typing import Any, Dict

import pytest
from conftest import Client, init_tessera
from tessera.recipe.jwt.interfaces import CreateJwtOkResult
from tessera.recipe.openid.syncio import get_open_id_discovery_configuration
from tessera.recipe.session.asyncio import (
    create_jwt,
    create_new_session_without_request_response,
    get_jwks,
    get_session_without_request_response,
)
from tessera.recipe.session.exceptions import TryRefreshTokenError
from test_fastapi import make_app


def _part(jwt: str, index: int) -> Dict[str, Any]:
    segment = jwt.split(".")[index]
    decoded: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def test_should_validate_access_tokens_created_by_create_jwt() -> None:
    init_tessera()
    session = asyncio.run(create_new_session_without_request_response("public", "testId"))
    payload = {k: v for k, v in session.get_access_token_payload().items() if k not in ("exp", "iat")}
    created = asyncio.run(create_jwt(payload, 1234, False))
    assert isinstance(created, CreateJwtOkResult)
    custom = asyncio.run(get_session_without_request_response(created.jwt, anti_csrf_check=False))
    assert custom is not None
    custom_payload = custom.get_access_token_payload()
    assert custom_payload["exp"] - custom_payload["iat"] == 1234
    assert custom.get_handle() == session.get_handle()
    assert "version" not in _part(created.jwt, 0)


def test_create_jwt_signs_with_the_static_key_listed_in_the_jwks() -> None:
    from tessera.recipe.jwt.syncio import create_jwt as sync_create_jwt
    from tessera.recipe.jwt.syncio import get_jwks as sync_get_jwks

    init_tessera()
    created = sync_create_jwt({"role": "service"})
    assert isinstance(created, CreateJwtOkResult)
    header, body = _part(created.jwt, 0), _part(created.jwt, 1)
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert body["role"] == "service" and body["iss"] == "http://testserver/auth"
    assert body["exp"] - body["iat"] == 3_153_600_000
    jwks = sync_get_jwks()
    assert header["kid"] in [k.kid for k in jwks.keys]
    assert all(k.kty == "RSA" and k.alg == "RS256" and k.use == "sig" for k in jwks.keys)
    # The endpoint serves the same keys, the static one from the first fetch on.
    served = Client(make_app()).get("/auth/jwt/jwks.json").json()
    assert sorted(k["kid"] for k in served["keys"]) == sorted(k.kid for k in jwks.keys)
    assert asyncio.run(get_jwks()).validity_in_secs == jwks.validity_in_secs
    # A static-key token is not a session of an app with dynamic keys, as in the SDKs.
    session = asyncio.run(create_new_session_without_request_response("public", "u"))
    payload = {k: v for k, v in session.get_access_token_payload().items() if k not in ("exp", "iat")}
    static = sync_create_jwt(payload)
    assert isinstance(static, CreateJwtOkResult)
    with pytest.raises(TryRefreshTokenError):
        asyncio.run(get_session_without_request_response(static.jwt, anti_csrf_check=False))
    with pytest.raises(TypeError):
        sync_create_jwt({}, -1)


def test_open_id_discovery_configuration() -> None:
    init_tessera()
    doc = get_open_id_discovery_configuration()
    assert doc.issuer == "http://testserver/auth"
    assert doc.jwks_uri == "http://testserver/auth/jwt/jwks.json"
    assert doc.token_endpoint == "http://testserver/auth/oauth/token"
    assert doc.to_json()["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwt_and_openid_recipes_may_be_listed_and_set_the_default_validity() -> None:
    from tessera import InputAppInfo, SupertokensConfig, init
    from tessera.exceptions import NotSupportedError
    from tessera.recipe import jwt, openid, session
    from tessera.recipe.jwt.syncio import create_jwt as sync_create_jwt

    init(
        app_info=InputAppInfo(app_name="a", api_domain="http://testserver", website_domain="http://testserver"),
        framework="fastapi",
        supertokens_config=SupertokensConfig(connection_uri="sqlite::memory:"),
        recipe_list=[session.init(), jwt.init(jwt_validity_seconds=60), openid.init()],
    )
    created = sync_create_jwt({"a": 1})
    assert isinstance(created, CreateJwtOkResult)
    body = _part(created.jwt, 1)
    assert body["exp"] - body["iat"] == 60
    with pytest.raises(NotSupportedError, match="issuer"):
        openid.init(issuer="https://elsewhere")
    with pytest.raises(TypeError):
        jwt.init(jwt_validity_seconds="60")  # type: ignore[arg-type]


def test_the_discovery_document_is_served_by_the_middleware() -> None:
    init_tessera()
    r = Client(make_app()).get("/auth/.well-known/openid-configuration")
    assert r.status_code == 200
    assert r.json()["issuer"] == "http://testserver/auth"
    assert r.json() == get_open_id_discovery_configuration().to_json()
    assert r.headers["access-control-allow-origin"] == "*"
