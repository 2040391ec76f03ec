"""The app of the Python differential test, for Tessera or for supertokens-python, on FastAPI
(uvicorn), Flask, Django with sync views (both on Werkzeug's threaded WSGI server) or Django
with async views (uvicorn).

    python app.py tessera|supertokens-python   (configuration: JSON in $DIFF_CONFIG)

The same code runs on either library: Tessera takes supertokens-python's names, so only the
import root and the options only one of them has differ. The routes are those of the Node
differential test's Express apps (harness.mjs ROUTES, flows.mjs FLOW_ROUTES), answering the
same JSON. Prints ``listening PORT`` once it serves on a loopback port of its own. An error no
library handler answered becomes a 500 ``{"unhandledError": true}`` and a ``DIFF-UNHANDLED``
line (JSON) on stderr.

$DIFF_CONFIG: ``appInfo`` (appName, apiDomain, websiteDomain), ``session`` (the Node test's
camelCase Session.init options that supertokens-python has), ``transfer`` (``"header"``,
``"cookie"`` or ``"cookie-for-create"``: getTokenTransferMethod, as a function for both),
``connectionURI``, ``tessera`` (Tessera's own options, camelCase; Tessera only) and
``framework`` (``"fastapi"``, the default, ``"fastapi-get-session"``, ``"flask"``,
``"django"``, ``"django-drf"`` or ``"django-async"``).
"""

import asyncio
import importlib
import json
import os
import re
import socket
import sys
from collections.abc import Callable
from typing import Any

LIB = sys.argv[1]
ROOT = {"tessera": "tessera", "supertokens-python": "supertokens_python"}[LIB]
CONFIG: dict[str, Any] = json.loads(os.environ["DIFF_CONFIG"])
FRAMEWORK: str = CONFIG.get("framework", "fastapi")

st = importlib.import_module(ROOT)
session = importlib.import_module(f"{ROOT}.recipe.session")
SessionError = importlib.import_module(f"{ROOT}.recipe.session.exceptions").SuperTokensSessionError


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def transfer_method(kind: str | None) -> Any:
    if kind is None:
        return None
    if kind == "cookie-for-create":
        return lambda _req, for_create_new_session, _ctx: "cookie" if for_create_new_session else "any"
    return lambda _req, _for_create, _ctx: kind


def init() -> None:
    app_info = CONFIG["appInfo"]
    options = {snake(k): v for k, v in CONFIG.get("session", {}).items()}
    if LIB == "tessera":
        options.update({snake(k): v for k, v in CONFIG.get("tessera", {}).items()})
    options["get_token_transfer_method"] = transfer_method(CONFIG.get("transfer"))
    st.init(
        app_info=st.InputAppInfo(
            app_name=app_info["appName"],
            api_domain=app_info["apiDomain"],
            website_domain=app_info["websiteDomain"],
        ),
        framework=FRAMEWORK.split("-")[0],
        mode="asgi" if FRAMEWORK.startswith("fastapi") or FRAMEWORK == "django-async" else "wsgi",
        supertokens_config=st.SupertokensConfig(connection_uri=CONFIG["connectionURI"]),
        recipe_list=[session.init(**options)],
        telemetry=False,
    )


def report_unhandled(method: str, path: str, exc: BaseException) -> None:
    line = {"lib": LIB, "request": f"{method} {path[:100]}", "error": f"{type(exc).__name__}: {exc}"[:300]}
    print("DIFF-UNHANDLED " + json.dumps(line), file=sys.stderr, flush=True)


ALL = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ROUTES = [
    ("/sess", {}),
    ("/optional", {"session_required": False}),
    ("/csrf", {"anti_csrf_check": True}),
    ("/nocsrf", {"anti_csrf_check": False}),
    ("/db", {"check_database": True}),
]
FLOW_ROUTES = [
    ("/flow/me", {}),
    ("/flow/optional", {"session_required": False}),
    ("/flow/db", {"check_database": True}),
]

PAYLOADS: dict[str, dict[str, Any]] = {
    "plain": {"role": "flow", "nested": {"a": [1, "x"], "b": None}, "n": 1.5},
    "protected": {
        "role": "flow",
        "sub": "someone-else",
        "exp": 1,
        "tId": "other",
        "sessionHandle": "h",
        "iss": "https://evil.example",
    },
    "empty": {},
}


def session_answer(s: Any) -> dict[str, Any]:
    if s is None:
        return {"session": None}
    return {
        "session": {
            "userId": s.get_user_id(),
            "handle": s.get_handle(),
            "tenantId": s.get_tenant_id(),
            "payload": s.get_access_token_payload(),
        }
    }


def echo(s: Any) -> dict[str, Any]:
    return {
        "userId": s.get_user_id(),
        "tenantId": s.get_tenant_id(),
        "handle": s.get_handle(),
        "accessToken": s.get_access_token(),
        "payload": s.get_access_token_payload(),
    }


def echo_or_none(s: Any) -> dict[str, Any]:
    return echo(s) if s is not None else {"session": None}


#: What /flow/merge merges into the access token payload.
MERGED = {"merged": True, "role": None, "n": 2}


async def data_async(s: Any) -> dict[str, Any]:
    """/flow/data in an async view: the session data before and after an update."""
    before = await s.get_session_data_from_database()
    await s.update_session_data_in_database({"note": "updated", "list": [1]})
    after = await s.get_session_data_from_database()
    return {"before": before, "after": after, "timeCreated": await s.get_time_created(), "expiry": await s.get_expiry()}


def data_sync(s: Any) -> dict[str, Any]:
    """/flow/data in a sync view (Flask, Django): the session data before and after an update."""
    before = s.sync_get_session_data_from_database()
    s.sync_update_session_data_in_database({"note": "updated", "list": [1]})
    after = s.sync_get_session_data_from_database()
    return {"before": before, "after": after, "timeCreated": s.sync_get_time_created(), "expiry": s.sync_get_expiry()}


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


# --- FastAPI, on uvicorn -------------------------------------------------------------------------


def serve_fastapi(get_session: bool) -> None:
    """The FastAPI app: its session routes take the session from ``Depends(verify_session())``,
    or, with ``get_session``, call ``await get_session(request, ...)`` themselves (the other
    way supertokens-python's docs protect a route)."""
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import JSONResponse

    session_asyncio = importlib.import_module(f"{ROOT}.recipe.session.asyncio")
    framework_fastapi = importlib.import_module(f"{ROOT}.framework.fastapi")
    verify_session = importlib.import_module(f"{ROOT}.recipe.session.framework.fastapi").verify_session

    app = FastAPI()
    app.add_middleware(framework_fastapi.get_middleware())

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        report_unhandled(request.method, str(request.url.path), exc)
        return JSONResponse({"unhandledError": True}, status_code=500)

    def add_route(path: str, options: dict[str, Any], answer: Callable[[Any], Any]) -> None:
        async def route(s: Any = Depends(verify_session(**options))) -> Any:
            return answer(s)

        async def route_calling_get_session(request: Request) -> Any:
            return answer(await session_asyncio.get_session(request, **options))

        app.api_route(path, methods=ALL)(route_calling_get_session if get_session else route)

    for path, options in ROUTES:
        add_route(path, options, session_answer)
    for path, options in FLOW_ROUTES:
        add_route(path, options, echo_or_none)

    @app.post("/flow/signin")
    async def signin(request: Request) -> Any:
        user = request.query_params.get("user", "flow-user")
        payload = PAYLOADS[request.query_params.get("payload", "plain")]
        s = await session_asyncio.create_new_session(
            request, "public", st.convert_to_recipe_user_id(user), dict(payload), {"note": "db"}
        )
        return echo(s)

    @app.post("/flow/merge")
    async def merge(s: Any = Depends(verify_session())) -> Any:
        await s.merge_into_access_token_payload(MERGED)
        return echo(s)

    @app.post("/flow/revoke")
    async def revoke(s: Any = Depends(verify_session())) -> Any:
        await s.revoke_session()
        return {"revoked": True}

    @app.post("/flow/data")
    async def data(s: Any = Depends(verify_session())) -> Any:
        return await data_async(s)

    serve_asgi(app)


def serve_asgi(app: Any) -> None:
    """Serves an ASGI app on uvicorn (h11)."""
    import uvicorn

    async def main() -> None:
        sock = listening_socket()
        # The corpus sends 100 KB tokens: let them reach the library (h11's default limit is 16 KB).
        config = uvicorn.Config(
            app,
            http="h11",
            log_level="critical",
            h11_max_incomplete_event_size=1 << 22,
            access_log=False,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        print(f"listening {sock.getsockname()[1]}", flush=True)
        await server.serve(sockets=[sock])

    asyncio.run(main())


# --- Flask and Django, on Werkzeug's WSGI server -------------------------------------------------


def serve_wsgi(app: Any) -> None:
    """Serves a WSGI app on Werkzeug's threaded development server. Header lines longer than
    http.server's 64 KB limit get its 431 on both sides alike, before any library sees them."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def without_head_bodies(environ: dict[str, Any], start_response: Any) -> Any:
        # Werkzeug's server sends what the app gives for HEAD, and Django gives the GET body
        # (its own runserver, gunicorn and uWSGI drop it): drop it here as they do.
        body = app(environ, start_response)
        if environ["REQUEST_METHOD"] != "HEAD":
            return body
        try:
            for _ in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return []

    server = make_server("127.0.0.1", 0, without_head_bodies, threaded=True)
    print(f"listening {server.server_port}", flush=True)
    server.serve_forever()


def flask_app() -> Any:
    from flask import Flask, g, jsonify, request
    from werkzeug.exceptions import HTTPException

    syncio = importlib.import_module(f"{ROOT}.recipe.session.syncio")
    framework_flask = importlib.import_module(f"{ROOT}.framework.flask")
    verify_session = importlib.import_module(f"{ROOT}.recipe.session.framework.flask").verify_session

    app = Flask("differential")
    # Keep the keys in the order the views give them (Flask sorts them by default), as the other
    # frameworks do: the flows compare an echoed payload with the token's own.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    framework_flask.Middleware(app)

    # Flask picks the handler of the closest class: the libraries' session errors keep their
    # own handler, and Werkzeug's HTTP errors (404, 405) their default answer.
    @app.errorhandler(Exception)
    def unhandled(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return exc
        report_unhandled(request.method, request.path, exc)
        return jsonify({"unhandledError": True}), 500

    def add_route(path: str, options: dict[str, Any], answer: Callable[[Any], Any]) -> None:
        @verify_session(**options)
        def route() -> Any:
            return jsonify(answer(g.supertokens))

        app.add_url_rule(path, endpoint=path, view_func=route, methods=ALL)

    for path, options in ROUTES:
        add_route(path, options, session_answer)
    for path, options in FLOW_ROUTES:
        add_route(path, options, echo_or_none)

    @app.post("/flow/signin")
    def signin() -> Any:
        user = request.args.get("user", "flow-user")
        payload = PAYLOADS[request.args.get("payload", "plain")]
        s = syncio.create_new_session(
            request, "public", st.convert_to_recipe_user_id(user), dict(payload), {"note": "db"}
        )
        return jsonify(echo(s))

    @app.post("/flow/merge")
    @verify_session()
    def merge() -> Any:
        g.supertokens.sync_merge_into_access_token_payload(MERGED)
        return jsonify(echo(g.supertokens))

    @app.post("/flow/revoke")
    @verify_session()
    def revoke() -> Any:
        g.supertokens.sync_revoke_session()
        return jsonify({"revoked": True})

    @app.post("/flow/data")
    @verify_session()
    def data() -> Any:
        return jsonify(data_sync(g.supertokens))

    return app


def unhandled_middleware(get_response: Any) -> Any:
    """Django: answers an error no library handled as the other frameworks do (the libraries'
    session errors pass through to their own middleware)."""
    from django.http import JsonResponse

    def middleware(request: Any) -> Any:
        return get_response(request)

    def process_exception(request: Any, exc: Exception) -> Any:
        if isinstance(exc, SessionError):
            return None
        report_unhandled(request.method, request.path, exc)
        return JsonResponse({"unhandledError": True}, status=500)

    middleware.process_exception = process_exception  # type: ignore[attr-defined]
    return middleware


def django_app(views: str) -> Any:
    """The Django app: sync views with the ``syncio`` decorator (``"sync"``, or ``"drf"``: the
    same under Django REST framework's ``@api_view``), served as WSGI, or async views with the
    ``asyncio`` one (``"async"``), served as ASGI (as supertokens-python's docs run Django
    async)."""
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        SECRET_KEY="differential",
        ROOT_URLCONF="differential_urls",
        MIDDLEWARE=[f"{ROOT}.framework.django.django_middleware.middleware", "__main__.unhandled_middleware"],
        INSTALLED_APPS=[],
        USE_TZ=True,
        # No authentication or permission of DRF's own: the session decorator decides.
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()
    import types

    from django.urls import path as route_path

    urls = types.ModuleType("differential_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        route_path(path.lstrip("/"), view)
        for path, view in (django_async_views() if views == "async" else django_sync_views(drf=views == "drf"))
    ]
    sys.modules["differential_urls"] = urls
    if views == "async":
        from django.core.asgi import get_asgi_application

        return get_asgi_application()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def django_sync_views(drf: bool) -> list[tuple[str, Callable[..., Any]]]:
    from django.http import JsonResponse
    from django.views.decorators.http import require_POST

    syncio = importlib.import_module(f"{ROOT}.recipe.session.syncio")
    verify_session = importlib.import_module(f"{ROOT}.recipe.session.framework.django.syncio").verify_session
    any_method: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda view: view
    require_post: Callable[[Callable[..., Any]], Callable[..., Any]] = require_POST
    if drf:
        # As DRF's docs and supertokens-python's write it: @api_view outside, so the session
        # decorator gets DRF's Request wrapper.
        from rest_framework.decorators import api_view

        any_method, require_post = api_view(ALL), api_view(["POST"])

    def route(options: dict[str, Any], answer: Callable[[Any], Any]) -> Callable[..., Any]:
        @any_method
        @verify_session(**options)
        def view(request: Any) -> Any:
            return JsonResponse(answer(request.supertokens))

        return view

    @require_post
    def signin(request: Any) -> Any:
        user = request.GET.get("user", "flow-user")
        payload = PAYLOADS[request.GET.get("payload", "plain")]
        s = syncio.create_new_session(
            request, "public", st.convert_to_recipe_user_id(user), dict(payload), {"note": "db"}
        )
        return JsonResponse(echo(s))

    @require_post
    @verify_session()
    def merge(request: Any) -> Any:
        request.supertokens.sync_merge_into_access_token_payload(MERGED)
        return JsonResponse(echo(request.supertokens))

    @require_post
    @verify_session()
    def revoke(request: Any) -> Any:
        request.supertokens.sync_revoke_session()
        return JsonResponse({"revoked": True})

    @require_post
    @verify_session()
    def data(request: Any) -> Any:
        return JsonResponse(data_sync(request.supertokens))

    return [
        *((path, route(options, session_answer)) for path, options in ROUTES),
        *((path, route(options, echo_or_none)) for path, options in FLOW_ROUTES),
        *(("/flow/" + v.__name__, v) for v in (signin, merge, revoke, data)),
    ]


def django_async_views() -> list[tuple[str, Callable[..., Any]]]:
    from django.http import JsonResponse
    from django.views.decorators.http import require_POST

    session_asyncio = importlib.import_module(f"{ROOT}.recipe.session.asyncio")
    verify_session = importlib.import_module(f"{ROOT}.recipe.session.framework.django.asyncio").verify_session

    def route(options: dict[str, Any], answer: Callable[[Any], Any]) -> Callable[..., Any]:
        @verify_session(**options)
        async def view(request: Any) -> Any:
            return JsonResponse(answer(request.supertokens))

        return view

    @require_POST
    async def signin(request: Any) -> Any:
        user = request.GET.get("user", "flow-user")
        payload = PAYLOADS[request.GET.get("payload", "plain")]
        s = await session_asyncio.create_new_session(
            request, "public", st.convert_to_recipe_user_id(user), dict(payload), {"note": "db"}
        )
        return JsonResponse(echo(s))

    @require_POST
    @verify_session()
    async def merge(request: Any) -> Any:
        await request.supertokens.merge_into_access_token_payload(MERGED)
        return JsonResponse(echo(request.supertokens))

    @require_POST
    @verify_session()
    async def revoke(request: Any) -> Any:
        await request.supertokens.revoke_session()
        return JsonResponse({"revoked": True})

    @require_POST
    @verify_session()
    async def data(request: Any) -> Any:
        return JsonResponse(await data_async(request.supertokens))

    return [
        *((path, route(options, session_answer)) for path, options in ROUTES),
        *((path, route(options, echo_or_none)) for path, options in FLOW_ROUTES),
        *(("/flow/" + v.__name__, v) for v in (signin, merge, revoke, data)),
    ]


if __name__ == "__main__":
    init()
    if FRAMEWORK in ("fastapi", "fastapi-get-session"):
        serve_fastapi(get_session=FRAMEWORK == "fastapi-get-session")
    elif FRAMEWORK == "flask":
        serve_wsgi(flask_app())
    elif FRAMEWORK == "django":
        serve_wsgi(django_app("sync"))
    elif FRAMEWORK == "django-drf":
        serve_wsgi(django_app("drf"))
    elif FRAMEWORK == "django-async":
        serve_asgi(django_app("async"))
    else:
        raise SystemExit(f"app.py: unknown framework {FRAMEWORK!r}")
