"""The FastAPI app of the Python differential test, for Tessera or for supertokens-python.

    python app.py tessera|supertokens-python   (configuration: JSON in $DIFF_CONFIG)

The same code runs on either library: Tessera takes supertokens-python's names, so only the
import root and the options only one of them has differ. The routes are those of the Node
differential test's Express apps (harness.mjs ROUTES, flows.mjs addFlowRoutes), answering the
same JSON. Prints ``listening PORT`` once it serves on a loopback port of its own. An error no
library handler answered becomes a 500 ``{"unhandledError": true}`` and a ``DIFF-UNHANDLED``
line (JSON) on stderr.

$DIFF_CONFIG: ``appInfo`` (appName, apiDomain, websiteDomain), ``session`` (the Node test's
camelCase Session.init options that supertokens-python has), ``transfer`` (``"header"``,
``"cookie"`` or ``"cookie-for-create"``: getTokenTransferMethod, as a function for both),
``connectionURI``, and ``tessera`` (Tessera's own options, camelCase; Tessera only).
"""

import asyncio
import importlib
import json
import os
import re
import socket
import sys
from typing import Any

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

LIB = sys.argv[1]
ROOT = {"tessera": "tessera", "supertokens-python": "supertokens_python"}[LIB]
CONFIG: dict[str, Any] = json.loads(os.environ["DIFF_CONFIG"])

st = importlib.import_module(ROOT)
session = importlib.import_module(f"{ROOT}.recipe.session")
session_asyncio = importlib.import_module(f"{ROOT}.recipe.session.asyncio")
framework_fastapi = importlib.import_module(f"{ROOT}.framework.fastapi")
verify_session = importlib.import_module(f"{ROOT}.recipe.session.framework.fastapi").verify_session


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
        framework="fastapi",
        mode="asgi",
        supertokens_config=st.SupertokensConfig(connection_uri=CONFIG["connectionURI"]),
        recipe_list=[session.init(**options)],
        telemetry=False,
    )


init()
app = FastAPI()
app.add_middleware(framework_fastapi.get_middleware())


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception) -> JSONResponse:
    line = {
        "lib": LIB,
        "request": f"{request.method} {str(request.url.path)[:100]}",
        "error": f"{type(exc).__name__}: {exc}"[:300],
    }
    print("DIFF-UNHANDLED " + json.dumps(line), file=sys.stderr, flush=True)
    return JSONResponse({"unhandledError": True}, status_code=500)


ALL = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ROUTES = [
    ("/sess", {}),
    ("/optional", {"session_required": False}),
    ("/csrf", {"anti_csrf_check": True}),
    ("/nocsrf", {"anti_csrf_check": False}),
    ("/db", {"check_database": True}),
]


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


def add_route(path: str, options: dict[str, Any], answer: Any) -> None:
    async def route(s: Any = Depends(verify_session(**options))) -> Any:
        return answer(s)

    app.api_route(path, methods=ALL)(route)


for path, options in ROUTES:
    add_route(path, options, session_answer)


# --- the flow routes (flows.mjs addFlowRoutes) --------------------------------------------------

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


def echo(s: Any) -> dict[str, Any]:
    return {
        "userId": s.get_user_id(),
        "tenantId": s.get_tenant_id(),
        "handle": s.get_handle(),
        "accessToken": s.get_access_token(),
        "payload": s.get_access_token_payload(),
    }


@app.post("/flow/signin")
async def signin(request: Request) -> Any:
    user = request.query_params.get("user", "flow-user")
    payload = PAYLOADS[request.query_params.get("payload", "plain")]
    s = await session_asyncio.create_new_session(
        request, "public", st.convert_to_recipe_user_id(user), dict(payload), {"note": "db"}
    )
    return echo(s)


for path, options in [
    ("/flow/me", {}),
    ("/flow/optional", {"session_required": False}),
    ("/flow/db", {"check_database": True}),
]:
    add_route(path, options, lambda s: echo(s) if s is not None else {"session": None})


@app.post("/flow/merge")
async def merge(s: Any = Depends(verify_session())) -> Any:
    await s.merge_into_access_token_payload({"merged": True, "role": None, "n": 2})
    return echo(s)


@app.post("/flow/revoke")
async def revoke(s: Any = Depends(verify_session())) -> Any:
    await s.revoke_session()
    return {"revoked": True}


@app.post("/flow/data")
async def data(s: Any = Depends(verify_session())) -> Any:
    before = await s.get_session_data_from_database()
    await s.update_session_data_in_database({"note": "updated", "list": [1]})
    after = await s.get_session_data_from_database()
    return {"before": before, "after": after, "timeCreated": await s.get_time_created(), "expiry": await s.get_expiry()}


async def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    # The corpus sends 100 KB tokens: let them reach the library (h11's default limit is 16 KB).
    config = uvicorn.Config(
        app, http="h11", log_level="critical", h11_max_incomplete_event_size=1 << 22, access_log=False
    )
    server = uvicorn.Server(config)
    print(f"listening {sock.getsockname()[1]}", flush=True)
    await server.serve(sockets=[sock])


if __name__ == "__main__":
    asyncio.run(main())
