"""The Django integration: the middleware and both ``verify_session`` decorators, through
Django's own handlers (``django.test.Client`` for sync views over WSGI, ``AsyncClient`` for
async views over ASGI), with the seed's ``/getJWT`` route written as for supertokens-python.

No database and no pytest-django: the settings, URLs and views live in this module.
"""

import asyncio
import base64
import email.utils
import json
import os
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import django
import pytest
from conftest import SetCookie, recording_error_handlers, tampered
from django.conf import settings

if not settings.configured:
    settings.configure(
        SECRET_KEY="x",
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["tessera.framework.django.django_middleware.middleware"],
        ALLOWED_HOSTS=["*"],
        DEBUG=False,
        # Only read by the optional Django REST framework test: no auth apps are installed.
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()

from asgiref.sync import iscoroutinefunction  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import AsyncClient, Client, RequestFactory  # noqa: E402
from django.urls import path  # noqa: E402
from tessera import InputAppInfo, SupertokensConfig, _state, init  # noqa: E402
from tessera.exceptions import StorageError  # noqa: E402
from tessera.framework.django import DjangoResponse, error_response  # noqa: E402
from tessera.framework.django.django_middleware import middleware  # noqa: E402
from tessera.framework.response import apply_mutations  # noqa: E402
from tessera.recipe import session  # noqa: E402
from tessera.recipe.session import asyncio as session_asyncio  # noqa: E402
from tessera.recipe.session import syncio as session_syncio  # noqa: E402
from tessera.recipe.session.exceptions import TryRefreshTokenError, UnauthorisedError  # noqa: E402
from tessera.recipe.session.framework.django.asyncio import verify_session as async_verify  # noqa: E402
from tessera.recipe.session.framework.django.syncio import verify_session as sync_verify  # noqa: E402

EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"
REFRESH_PATH = "/auth/session/refresh"
KINDS = ("sync", "async")


def init_django(api_domain: str = "http://testserver", **session_options: Any) -> None:
    """``tessera.init`` as the seed writes it, with an in-memory store."""
    init(
        app_info=InputAppInfo(app_name="a", api_domain=api_domain, website_domain=api_domain),
        framework="django",
        supertokens_config=SupertokensConfig(connection_uri="sqlite::memory:"),
        recipe_list=[session.init(**session_options)],
    )


# -- views: each exists as a sync view (syncio) and an async view (asyncio) --------------------


def _sign_in_answer(request: HttpRequest, user_id: str) -> HttpResponse:
    response = JsonResponse({"userId": user_id})
    if request.GET.get("expose"):
        response["Access-Control-Expose-Headers"] = "x-app-header"
    return response


def sign_in_sync(request: HttpRequest) -> HttpResponse:
    s = session_syncio.create_new_session(request, "public", request.GET.get("user", "user-1"))
    return _sign_in_answer(request, s.get_user_id())


async def sign_in_async(request: HttpRequest) -> HttpResponse:
    s = await session_asyncio.create_new_session(request, "public", request.GET.get("user", "user-1"))
    return _sign_in_answer(request, s.get_user_id())


@sync_verify()
def get_jwt_sync(request: Any) -> HttpResponse:
    return JsonResponse({"token": request.supertokens.get_access_token()})


@async_verify()
async def get_jwt_async(request: Any) -> HttpResponse:
    return JsonResponse({"token": request.supertokens.get_access_token()})


def _optional_answer(request: Any) -> HttpResponse:
    s = request.supertokens
    return JsonResponse({"session": None if s is None else s.get_user_id(), "isNone": s is None})


@sync_verify(session_required=False)
def optional_sync(request: Any) -> HttpResponse:
    return _optional_answer(request)


@async_verify(session_required=False)
async def optional_async(request: Any) -> HttpResponse:
    return _optional_answer(request)


def _merge_answer(request: Any) -> HttpResponse:
    response = JsonResponse({"payload": request.supertokens.get_access_token_payload()})
    response["Access-Control-Expose-Headers"] = "x-app-header"
    return response


@sync_verify()
def merge_sync(request: Any) -> HttpResponse:
    request.supertokens.sync_merge_into_access_token_payload({"role": "admin"})
    return _merge_answer(request)


@async_verify()
async def merge_async(request: Any) -> HttpResponse:
    await request.supertokens.merge_into_access_token_payload({"role": "admin"})
    return _merge_answer(request)


@sync_verify()
def revoke_sync(request: Any) -> HttpResponse:
    request.supertokens.sync_revoke_session()
    return JsonResponse({"revoked": True})


@async_verify()
async def revoke_async(request: Any) -> HttpResponse:
    await request.supertokens.revoke_session()
    return JsonResponse({"revoked": True})


@sync_verify()
def raise_sync(request: Any) -> HttpResponse:
    raise UnauthorisedError("the app says no")


@async_verify()
async def raise_async(request: Any) -> HttpResponse:
    raise UnauthorisedError("the app says no")


def get_session_undecorated_sync(request: HttpRequest) -> HttpResponse:
    s = session_syncio.get_session(request)
    return JsonResponse({"user": s.get_user_id() if s else None})


async def get_session_undecorated_async(request: HttpRequest) -> HttpResponse:
    s = await session_asyncio.get_session(request)
    return JsonResponse({"user": s.get_user_id() if s else None})


@sync_verify()
def outage_sync(request: Any) -> HttpResponse:
    raise StorageError("the disk is gone")


@async_verify()
async def outage_async(request: Any) -> HttpResponse:
    raise StorageError("the disk is gone")


# The "wrong" module's decorator: the wrapper follows the view, so both still work.
@async_verify()
def mixed_sync(request: Any) -> HttpResponse:
    return JsonResponse({"token": request.supertokens.get_access_token()})


@sync_verify()
async def mixed_async(request: Any) -> HttpResponse:
    return JsonResponse({"token": request.supertokens.get_access_token()})


class DrfLikeRequest:
    """What matters here of Django REST framework's ``Request``: it wraps Django's request as
    ``_request`` and forwards other attributes to it, but keeps attributes set on itself."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


@sync_verify()
def _drf_like_inner(request: Any) -> HttpResponse:
    request.supertokens.sync_merge_into_access_token_payload({"role": "admin"})
    return JsonResponse({"copied": request._request.supertokens is request.supertokens})


def drf_like_sync(request: HttpRequest) -> HttpResponse:
    return _drf_like_inner(DrfLikeRequest(request))


VIEWS: Dict[str, Dict[str, Callable[..., Any]]] = {
    "sync": {
        "signin": sign_in_sync,
        "getJWT": get_jwt_sync,
        "optional": optional_sync,
        "merge": merge_sync,
        "revoke": revoke_sync,
        "raise": raise_sync,
        "undecorated": get_session_undecorated_sync,
        "outage": outage_sync,
        "mixed": mixed_sync,
        "drf-like": drf_like_sync,
    },
    "async": {
        "signin": sign_in_async,
        "getJWT": get_jwt_async,
        "optional": optional_async,
        "merge": merge_async,
        "revoke": revoke_async,
        "raise": raise_async,
        "undecorated": get_session_undecorated_async,
        "outage": outage_async,
        "mixed": mixed_async,
    },
}

urlpatterns = [path(f"{kind}/{name}", view) for kind, views in VIEWS.items() for name, view in views.items()]

try:
    from rest_framework.decorators import api_view

    @api_view(["POST"])
    @sync_verify()
    def drf_merge(request: Any) -> Any:
        from rest_framework.response import Response

        request.supertokens.sync_merge_into_access_token_payload({"role": "admin"})
        return Response({"copied": request._request.supertokens is request.supertokens})

    @api_view(["GET"])
    def drf_raise(request: Any) -> Any:
        raise UnauthorisedError("the app says no")

    urlpatterns += [path("drf/merge", drf_merge), path("drf/raise", drf_raise)]
    HAVE_DRF = True
except ImportError:
    HAVE_DRF = False


# -- helpers ---------------------------------------------------------------------------------


def call(
    kind: str,
    method: str,
    url: str,
    headers: Optional[Dict[str, str]] = None,
    cookies: Optional[Dict[str, str]] = None,
    raise_request_exception: bool = True,
) -> Any:
    """One request through Django's WSGI handler (``sync``) or ASGI handler (``async``), with
    a fresh client, so every test says which cookies and headers it sends."""
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if kind == "sync":
        return Client(raise_request_exception=raise_request_exception).generic(method, url, headers=h)
    client = AsyncClient(raise_request_exception=raise_request_exception)
    return asyncio.run(client.generic(method, url, headers=h))


def set_cookies(response: Any) -> Dict[str, SetCookie]:
    """The response's ``Set-Cookie`` headers as Django sends them, by cookie name."""
    return {name: SetCookie(morsel.OutputString()) for name, morsel in response.cookies.items()}


def body(response: Any) -> Any:
    return json.loads(response.content)


def expose_list(response: Any) -> List[str]:
    return [v.strip() for v in response.get("Access-Control-Expose-Headers", "").split(",") if v.strip()]


def assert_cleared(response: Any) -> None:
    cookies = set_cookies(response)
    for name in ("sAccessToken", "sRefreshToken"):
        assert cookies[name].cleared, cookies[name].header
    assert response["front-token"] == "remove"


def jwt_payload(token: str) -> Dict[str, Any]:
    part = token.split(".")[1]
    payload: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return payload


def sign_in_cookie(kind: str, user: str = "user-1", expose: bool = False) -> Dict[str, str]:
    """Signs in in cookie mode; returns the cookies the browser would now hold."""
    url = f"/{kind}/signin?user={user}" + ("&expose=1" if expose else "")
    response = call(kind, "POST", url, headers={"st-auth-mode": "cookie"})
    assert response.status_code == 200, response.content
    assert body(response) == {"userId": user}
    cookies = set_cookies(response)
    return {"sAccessToken": cookies["sAccessToken"].value, "sRefreshToken": cookies["sRefreshToken"].value}


@pytest.fixture(params=KINDS)
def kind(request: Any) -> str:
    """``sync``: sync views through ``Client``; ``async``: async views through ``AsyncClient``."""
    k: str = request.param
    return k


# -- the middleware in Django's handlers ---------------------------------------------------


def test_middleware_declares_both_modes_and_django_runs_the_matching_branch() -> None:
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    assert middleware.sync_capable is True
    assert middleware.async_capable is True
    # The outermost handler is convert_exception_to_response(our instance), which keeps it
    # as __wrapped__; no sync/async adapter sits in between.
    asgi_instance = ASGIHandler()._middleware_chain.__wrapped__
    wsgi_instance = WSGIHandler()._middleware_chain.__wrapped__
    assert iscoroutinefunction(asgi_instance)
    assert not iscoroutinefunction(wsgi_instance)
    assert hasattr(asgi_instance, "process_exception")
    assert hasattr(wsgi_instance, "process_exception")


# -- the seed route --------------------------------------------------------------------------


def test_get_jwt_cookie_mode_returns_the_token_the_client_holds(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 200
    assert body(response) == {"token": held["sAccessToken"]}
    # Nothing changed: no token is written back.
    assert set_cookies(response) == {}
    assert "front-token" not in response


def test_get_jwt_header_mode_returns_the_bearer_token(kind: str) -> None:
    init_django()
    signed_in = call(kind, "POST", f"/{kind}/signin", headers={"st-auth-mode": "header"})
    assert signed_in.status_code == 200
    assert set_cookies(signed_in) == {}
    token = signed_in["st-access-token"]
    assert signed_in["st-refresh-token"]
    assert {"front-token", "st-access-token", "st-refresh-token"} <= set(expose_list(signed_in))

    response = call(kind, "GET", f"/{kind}/getJWT", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert body(response) == {"token": token}


def test_no_session_is_unauthorised(kind: str) -> None:
    init_django()
    response = call(kind, "GET", f"/{kind}/getJWT")
    assert response.status_code == 401
    assert body(response) == {"message": "unauthorised"}
    assert response["Content-Type"] == "application/json"


def test_expired_access_token_asks_for_refresh(kind: str) -> None:
    init_django(access_token_validity=1)
    held = sign_in_cookie(kind)
    time.sleep(1.1)
    response = call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 401
    assert body(response) == {"message": "try refresh token"}


# -- the core's endpoints, served by the middleware ------------------------------------------


def test_refresh_rotates_and_reusing_the_old_refresh_token_is_theft(kind: str) -> None:
    init_django(refresh_token_rotation_grace_period=0)
    held = sign_in_cookie(kind)

    refreshed = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]})
    assert refreshed.status_code == 200, refreshed.content
    cookies = set_cookies(refreshed)
    new_access = cookies["sAccessToken"].value
    assert new_access not in ("", held["sAccessToken"])
    assert cookies["sRefreshToken"].value not in ("", held["sRefreshToken"])
    assert cookies["sRefreshToken"].attrs["path"] == REFRESH_PATH
    assert refreshed["front-token"] not in ("", "remove")
    got = call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": new_access})
    assert body(got) == {"token": new_access}

    theft = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]})
    assert theft.status_code == 401
    assert body(theft) == {"message": "token theft detected"}
    assert_cleared(theft)
    # Theft revokes the session: the rotated refresh token no longer works either.
    again = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": cookies["sRefreshToken"].value})
    assert again.status_code == 401


def test_signout_clears_the_tokens(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "POST", "/auth/signout", cookies=held)
    assert response.status_code == 200
    assert body(response) == {"status": "OK"}
    assert_cleared(response)
    # The browser now holds the cleared cookies.
    now_held = {name: c.value for name, c in set_cookies(response).items()}
    assert call(kind, "GET", f"/{kind}/getJWT", cookies=now_held).status_code == 401
    # The session is gone from the store: the old refresh token no longer works. (The old
    # access token itself verifies until it expires, as in SuperTokens, unless
    # check_database is asked for.)
    assert call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]}).status_code == 401


def test_jwks_is_served(kind: str) -> None:
    init_django()
    response = call(kind, "GET", "/auth/jwt/jwks.json")
    assert response.status_code == 200
    assert body(response)["keys"]
    assert response["Content-Type"] == "application/json"


# -- verify_session options and the response writes -----------------------------------------


def test_session_not_required_gives_none(kind: str) -> None:
    init_django()
    assert body(call(kind, "GET", f"/{kind}/optional")) == {"session": None, "isNone": True}
    held = sign_in_cookie(kind, user="user-2")
    answer = body(call(kind, "GET", f"/{kind}/optional", cookies={"sAccessToken": held["sAccessToken"]}))
    assert answer == {"session": "user-2", "isNone": False}


@pytest.mark.parametrize("expose", [True, False])
def test_expose_access_token_in_cookie_mode(kind: str, expose: bool) -> None:
    init_django(expose_access_token_to_frontend_in_cookie_based_auth=expose)
    signed_in = call(kind, "POST", f"/{kind}/signin", headers={"st-auth-mode": "cookie"})
    if expose:
        assert signed_in["st-access-token"] == set_cookies(signed_in)["sAccessToken"].value
        assert "st-access-token" in expose_list(signed_in)
    else:
        assert "st-access-token" not in signed_in
        assert "st-access-token" not in expose_list(signed_in)


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sAccessToken=garbage"},
        {"Cookie": "sAccessToken=a.b.c"},
        {"Cookie": "sAccessToken=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        {"Cookie": "sAccessToken=\x7f; ;;=; sFrontToken="},
        {"Cookie": 'sAccessToken=%ZZ%; sRefreshToken="q"'},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer a.b.c", "st-auth-mode": "nonsense"},
        {"anti-csrf": "x", "rid": "y", "Cookie": "sIdRefreshToken=z"},
    ],
)
def test_garbage_is_unauthorised_or_try_refresh_never_500(kind: str, headers: Dict[str, str]) -> None:
    init_django()
    response = call(kind, "GET", f"/{kind}/getJWT", headers=headers)
    assert response.status_code == 401
    assert body(response)["message"] in ("unauthorised", "try refresh token")
    refresh = call(kind, "POST", REFRESH_PATH, headers=headers)
    assert refresh.status_code == 401


def test_merge_in_a_view_writes_the_new_access_token(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "POST", f"/{kind}/merge", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 200
    assert body(response)["payload"]["role"] == "admin"
    new = set_cookies(response)["sAccessToken"].value
    assert new and new != held["sAccessToken"]
    assert jwt_payload(new)["role"] == "admin"
    assert response["front-token"] not in ("", "remove")
    # The app's own exposed header is kept, and the protocol's is appended once.
    exposed = expose_list(response)
    assert exposed[0] == "x-app-header"
    assert "front-token" in exposed
    assert len(exposed) == len(set(exposed))
    assert body(call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": new})) == {"token": new}


def test_app_set_expose_headers_are_kept_and_extended_on_sign_in(kind: str) -> None:
    init_django(expose_access_token_to_frontend_in_cookie_based_auth=True)
    response = call(kind, "POST", f"/{kind}/signin?expose=1", headers={"st-auth-mode": "cookie"})
    exposed = expose_list(response)
    assert exposed[0] == "x-app-header"
    assert {"front-token", "st-access-token"} <= set(exposed)
    assert len(exposed) == len(set(exposed))


def test_revoke_in_a_view_clears_the_tokens(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "POST", f"/{kind}/revoke", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 200
    assert body(response) == {"revoked": True}
    assert_cleared(response)
    # Revoked in the store: refreshing fails (the access token itself lives until it expires).
    assert call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]}).status_code == 401


def test_the_wrapper_follows_the_view_whichever_module_the_decorator_came_from(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "GET", f"/{kind}/mixed", cookies={"sAccessToken": held["sAccessToken"]})
    assert body(response) == {"token": held["sAccessToken"]}
    assert iscoroutinefunction(mixed_async)
    assert not iscoroutinefunction(mixed_sync)
    assert call(kind, "GET", f"/{kind}/mixed").status_code == 401


# -- errors ----------------------------------------------------------------------------------


def test_session_error_raised_by_a_view_after_verification_is_answered_by_the_middleware(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(kind, "GET", f"/{kind}/raise", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 401
    assert body(response) == {"message": "unauthorised"}
    assert_cleared(response)


def test_session_error_from_get_session_in_an_undecorated_view_is_answered(kind: str) -> None:
    init_django()
    response = call(kind, "GET", f"/{kind}/undecorated")
    assert response.status_code == 401
    assert body(response) == {"message": "unauthorised"}
    held = sign_in_cookie(kind, user="user-3")
    ok = call(kind, "GET", f"/{kind}/undecorated", cookies={"sAccessToken": held["sAccessToken"]})
    assert body(ok) == {"user": "user-3"}


def test_other_tessera_errors_are_left_to_django_as_500(kind: str) -> None:
    init_django()
    held = sign_in_cookie(kind)
    response = call(
        kind, "GET", f"/{kind}/outage", cookies={"sAccessToken": held["sAccessToken"]}, raise_request_exception=False
    )
    assert response.status_code == 500
    assert "front-token" not in response


def test_error_answer_after_a_token_change_lets_the_error_win(kind: str) -> None:
    """A view that issued a new token and then raised: the error's clearing is what the
    client gets, not the token (the pending changes are written first, then forgotten)."""
    init_django()
    held = sign_in_cookie(kind)
    request = RequestFactory().get("/x", HTTP_COOKIE=f"sAccessToken={held['sAccessToken']}")
    s = session_syncio.get_session(request)
    assert s is not None
    s.sync_merge_into_access_token_payload({"role": "admin"})
    response = error_response(request, UnauthorisedError("no"))
    assert response.status_code == 401
    assert_cleared(response)
    # Nothing is left for the middleware to write over the error's changes.
    assert s.response_mutations == []


# -- Django REST framework -------------------------------------------------------------------


def test_drf_like_request_gets_the_session_copied_to_the_django_request() -> None:
    init_django()
    held = sign_in_cookie("sync")
    response = call("sync", "POST", "/sync/drf-like", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 200
    assert body(response) == {"copied": True}
    # The middleware saw the session on the Django request and wrote the merged token.
    assert jwt_payload(set_cookies(response)["sAccessToken"].value)["role"] == "admin"


@pytest.mark.skipif(not HAVE_DRF, reason="Django REST framework is not installed")
def test_drf_api_view() -> None:
    init_django()
    held = sign_in_cookie("sync")
    response = call("sync", "POST", "/drf/merge", cookies={"sAccessToken": held["sAccessToken"]})
    assert response.status_code == 200, response.content
    assert body(response) == {"copied": True}
    assert jwt_payload(set_cookies(response)["sAccessToken"].value)["role"] == "admin"
    unauthorised = call("sync", "POST", "/drf/merge")
    assert unauthorised.status_code == 401
    assert body(unauthorised) == {"message": "unauthorised"}
    # DRF re-raises exceptions it does not know; the middleware answers them.
    raised = call("sync", "GET", "/drf/raise")
    assert raised.status_code == 401
    assert_cleared(raised)


# -- Set-Cookie fidelity ---------------------------------------------------------------------


@pytest.fixture
def non_utc_local_time() -> Iterator[None]:
    """A local time zone far from UTC, where a local-time Expires would be off by hours."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def _semantic(header: str) -> Any:
    c = SetCookie(header)
    return c.name, c.value, {k: v.lower() if k == "samesite" else v for k, v in c.attrs.items()}


def test_set_cookie_headers_equal_the_cores(non_utc_local_time: None) -> None:
    init_django(
        api_domain="https://api.example.com",
        cookie_domain=".example.com",
        cookie_secure=True,
        cookie_same_site="none",
    )
    engine = _state.engine()
    native, mutations = engine.create_new_session(
        "POST", "/signin", [("st-auth-mode", "cookie")], "public", "user-1", "{}", "{}"
    )
    core_headers = dict(mutations[3])
    assert {"sAccessToken", "sRefreshToken"} <= set(core_headers)

    response = HttpResponse()
    apply_mutations(DjangoResponse(response), mutations)
    # What Django's WSGI handler sends, one header per cookie.
    sent = {name: morsel.output(header="").strip() for name, morsel in response.cookies.items()}
    assert set(sent) == set(core_headers)
    for name, core in core_headers.items():
        assert _semantic(sent[name]) == _semantic(core), (sent[name], core)
        attrs = SetCookie(sent[name]).attrs
        assert {"secure", "httponly"} <= set(attrs)
        assert attrs["domain"] == ".example.com"
        assert attrs["samesite"] == "None"
    refresh_expires = email.utils.parsedate_to_datetime(SetCookie(sent["sRefreshToken"]).attrs["expires"])
    assert int(refresh_expires.timestamp()) == native.refresh_token_expiry_ms // 1000


def test_set_cookie_keeps_the_cores_value_encoding_and_replaces_old_attributes() -> None:
    response = HttpResponse()
    response.set_cookie("sAccessToken", "old", domain="old.example.com", max_age=10)
    # encodeURIComponent leaves "(", ")" and "!" unencoded; SimpleCookie would quote them.
    core = "sAccessToken=a(b)!c%2Fd; Path=/; Expires=Fri, 01 Jan 2100 00:00:00 GMT; HttpOnly; SameSite=Lax"
    DjangoResponse(response).add_set_cookie("sAccessToken", core)
    sent = response.cookies["sAccessToken"].output(header="").strip()
    assert _semantic(sent) == _semantic(core)
    assert response.cookies["sAccessToken"].value == "a(b)!c/d"


def test_unknown_set_cookie_attributes_are_refused() -> None:
    with pytest.raises(ValueError, match="partitioned"):
        DjangoResponse(HttpResponse()).add_set_cookie("a", "a=1; Path=/; Partitioned")


# -- session.init(error_handlers=...) ----------------------------------------------------------


def test_error_handlers_answer_view_and_endpoint_errors(kind: str) -> None:
    calls: List[Tuple[Any, ...]] = []
    init_django(error_handlers=recording_error_handlers(calls), refresh_token_rotation_grace_period=0)
    held = sign_in_cookie(kind)

    # The async handler runs from sync views too; the tokens are cleared first.
    raised = call(kind, "GET", f"/{kind}/raise", cookies={"sAccessToken": held["sAccessToken"]})
    assert (raised.status_code, body(raised)) == (401, {"custom": "unauthorised"})
    assert_cleared(raised)
    assert calls.pop() == ("unauthorised", "the app says no", f"/{kind}/raise")

    stale = call(
        kind,
        "GET",
        f"/{kind}/getJWT",
        headers={"x-probe": kind},
        cookies={"sAccessToken": tampered(held["sAccessToken"])},
    )
    assert (stale.status_code, body(stale)) == (440, {"custom": "try refresh token"})
    assert not stale.cookies and "front-token" not in stale
    assert calls.pop() == ("try refresh token", kind)

    # The refresh endpoint's errors reach the handlers: reuse of a rotated token is theft.
    assert call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]}).status_code == 200
    time.sleep(0.005)
    theft = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]})
    assert (theft.status_code, theft.content) == (409, b"<p>theft</p>")
    assert theft["Content-Type"].startswith("text/html")
    assert_cleared(theft)
    assert [calls[0][i] for i in (0, 2, 3)] == ["theft", "user-1", "user-1"]


def test_base_request_readers_on_a_django_request() -> None:
    from django.test import RequestFactory
    from tessera.framework.django.request import DjangoRequest

    request = RequestFactory().post("/items?x=1", data='{"a": 1}', content_type="application/json")
    adapter = DjangoRequest(request)
    assert adapter.get_original_url() == "http://testserver/items?x=1"
    assert (adapter.get_query_params(), adapter.get_query_param("x")) == ({"x": "1"}, "1")
    assert asyncio.run(adapter.get_json_or_form_data()) == {"a": 1}
    form = DjangoRequest(RequestFactory().post("/f", data="k=v", content_type="application/x-www-form-urlencoded"))
    assert asyncio.run(form.get_json_or_form_data()) == {"k": "v"}


def test_repeated_asgi_headers_reach_the_core_as_django_reads_them() -> None:
    # Found by the differential test on Django's ASGI handler: two Authorization headers (a
    # valid token, then garbage) verified there with the first alone, while Django (and so
    # supertokens-python, and Tessera over WSGI) reads "first,second": a token that does not
    # verify, so TRY_REFRESH_TOKEN, as supertokens-python answers.
    import io

    from django.core.handlers.asgi import ASGIRequest
    from tessera.framework.django.request import DjangoRequest

    init_django()
    token = session_syncio.create_new_session_without_request_response("public", "user-1").get_access_token()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/async/getJWT",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"cookie", b"a=1"),
            (b"Authorization", b"Bearer garbage"),
            (b"cookie", b"b=2"),
        ],
    }
    request = ASGIRequest(scope, io.BytesIO(b""))
    headers = DjangoRequest(request).native_headers()
    assert headers == [
        ("cookie", "a=1"),
        ("cookie", "b=2"),
        ("authorization", f"Bearer {token},Bearer garbage"),
    ]
    assert ("authorization", request.headers["Authorization"]) in headers
    with pytest.raises(TryRefreshTokenError):
        _state.engine().verify_session("GET", "/async/getJWT", headers, True, None, False, True)


# -- session.init(override=InputOverrideConfig(apis=...)) --------------------------------------


def test_api_overrides_run_in_django(kind: str) -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_django(override=recording_api_override(calls, verify=True))
    held = sign_in_cookie(kind)
    refreshed = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]})
    assert (refreshed.status_code, body(refreshed)) == (200, {})
    access = set_cookies(refreshed)["sAccessToken"].value
    assert access not in ("", held["sAccessToken"])
    assert body(call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": access})) == {"token": access}
    signed_out = call(kind, "POST", "/auth/signout", cookies={"sAccessToken": access})
    assert (signed_out.status_code, body(signed_out)) == (200, {"status": "OK"})
    assert_cleared(signed_out)
    assert calls == [
        ("refresh", "session"),
        ("refreshed", "user-1"),
        ("verify", "user-1"),
        ("signout", "user-1", "/auth/signout"),
    ]


def test_api_overrides_may_answer_a_general_error_or_leave_the_endpoint_to_the_app(kind: str) -> None:
    from conftest import recording_api_override

    calls: List[Tuple[Any, ...]] = []
    init_django(override=recording_api_override(calls, signout="general_error", refresh="disabled"))
    held = sign_in_cookie(kind)
    r = call(kind, "POST", "/auth/signout", cookies=held)
    assert (r.status_code, body(r)) == (200, {"status": "GENERAL_ERROR", "message": "could not sign out"})
    assert not r.cookies
    assert call(kind, "GET", f"/{kind}/getJWT", cookies=held).status_code == 200
    assert call(kind, "POST", REFRESH_PATH, cookies=held).status_code == 404

    init_django(override=recording_api_override(calls, signout="unauthorised"))
    held = sign_in_cookie(kind)
    r = call(kind, "POST", "/auth/signout", cookies=held)
    assert (r.status_code, body(r)) == (401, {"message": "unauthorised"})
    assert_cleared(r)


def test_function_overrides_and_global_claim_validators_run_in_django(kind: str) -> None:
    from tessera.recipe.session.claims import BooleanClaim

    calls: List[Tuple[Any, ...]] = []
    allowed = BooleanClaim("allowed", lambda user_id, *_: user_id != "blocked")

    def functions(oi: Any) -> Any:
        get_session, refresh_session, revoke_session = oi.get_session, oi.refresh_session, oi.revoke_session

        async def counted_get_session(*args: Any, **kwargs: Any) -> Any:
            # By keyword from a request, as supertokens-python calls it.
            calls.append(("get_session", kwargs["access_token"] is not None))
            return await get_session(*args, **kwargs)

        async def counted_refresh(*args: Any) -> Any:
            calls.append(("refresh_session",))
            return await refresh_session(*args)

        async def counted_revoke(handle: str, user_context: Any) -> bool:
            calls.append(("revoke_session",))
            return await revoke_session(handle, user_context)

        oi.get_session = counted_get_session
        oi.refresh_session = counted_refresh
        oi.revoke_session = counted_revoke
        oi.get_global_claim_validators = lambda t, u, r, others, ctx: [*others, allowed.validators.is_true()]
        return oi

    init_django(override=session.InputOverrideConfig(functions=functions))
    blocked = sign_in_cookie(kind, user="blocked")
    denied = call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": blocked["sAccessToken"]})
    assert denied.status_code == 403
    assert body(denied)["claimValidationErrors"][0]["id"] == "allowed"

    held = sign_in_cookie(kind)
    got = call(kind, "GET", f"/{kind}/getJWT", cookies={"sAccessToken": held["sAccessToken"]})
    # The claim was fetched and a new token carrying it written; the view saw that token.
    access = set_cookies(got)["sAccessToken"].value
    assert (got.status_code, body(got)) == (200, {"token": access})
    assert jwt_payload(access)["allowed"]["v"] is True
    refreshed = call(kind, "POST", REFRESH_PATH, cookies={"sRefreshToken": held["sRefreshToken"]})
    assert (refreshed.status_code, body(refreshed)) == (200, {})
    access = set_cookies(refreshed)["sAccessToken"].value
    signed_out = call(kind, "POST", "/auth/signout", cookies={"sAccessToken": access})
    assert (signed_out.status_code, body(signed_out)) == (200, {"status": "OK"})
    assert_cleared(signed_out)
    assert calls == [
        ("get_session", True),
        ("get_session", True),
        ("refresh_session",),
        ("get_session", True),
        ("revoke_session",),
    ]
