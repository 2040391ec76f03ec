"""The training run of the Python wheel's profile-guided build (scripts/build-python-pgo.sh).

It drives the native module the way a served app does, in about the proportions of one:
mostly verifications of tokens the engine has seen (cookie and header transport, the ASGI
scope's raw headers and the str headers of Flask and Django) and of tokens it has not, then what every app also does
now and then: new sessions, refreshes, sign-outs, the JWKS, session functions, and the
errors of bad input. What it runs often is what the compiler lays out together and inlines;
what it never runs is kept out of the way, so it must not leave a common path untried.

Run by the build script with the instrumented wheel installed; not a test.
"""

import json
import os
import sys
import tempfile
from typing import Any, List, Optional, Tuple

from tessera import InputAppInfo, SupertokensConfig, _native, _state, init
from tessera.exceptions import SuperTokensSessionError
from tessera.recipe import session
from tessera.recipe.session import syncio

ROUNDS = int(os.environ.get("TESSERA_PGO_ROUNDS", "20000"))

RawHeaders = List[Tuple[bytes, bytes]]


def cookie_of(mutations: Any, name: str) -> Optional[str]:
    """The value a response's mutations set for cookie ``name``."""
    for cookie_name, header in mutations[3]:
        if cookie_name == name:
            return str(header.split(";", 1)[0].split("=", 1)[1])
    return None


def header_of(mutations: Any, name: str) -> Optional[str]:
    for op, header, value in mutations[2]:
        if op == "set" and header == name:
            return str(value)
    return None


def browser(extra: RawHeaders) -> RawHeaders:
    """What a browser's request carries besides the session: most of it is not read."""
    return [
        (b"host", b"api.example.com"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"),
        (b"accept", b"application/json"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"origin", b"https://example.com"),
        (b"rid", b"session"),
    ] + extra


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="tessera-pgo-")
    init(
        app_info=InputAppInfo(app_name="pgo", api_domain="https://api.example.com", website_domain="https://example.com"),
        framework="fastapi",
        supertokens_config=SupertokensConfig(connection_uri="sqlite:" + os.path.join(tmp, "sessions.db")),
        recipe_list=[session.init(expose_access_token_to_frontend_in_cookie_based_auth=True)],
    )
    engine = _state.engine()
    # Every token is new to the engine once (after each sign-in and refresh, in every process):
    # the parse and the signature check are a path as common as the cache's, so a second engine
    # over the same store, without the cache, trains them.
    uncached = _native.Engine(
        json.dumps(
            {
                "appInfo": {"appName": "pgo", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
                "connectionURI": "sqlite:" + os.path.join(tmp, "sessions.db"),
                "session": {"verifiedTokenCacheSize": 0},
            }
        )
    )

    # Sessions made in requests, on each transport, as sign-in routes make them.
    cookie_sessions = []
    for i in range(8):
        native, mutations = engine.create_new_session(
            "POST", "/signin", browser([(b"st-auth-mode", b"cookie")]), "public", f"user-{i}", '{"role":"admin"}', "{}"
        )
        cookie_sessions.append((native.access_token, cookie_of(mutations, "sRefreshToken"), native.front_token))
    header_tokens = []
    for i in range(4):
        native, mutations = engine.create_new_session(
            "POST", "/signin", browser([(b"st-auth-mode", b"header")]), "public", f"mobile-{i}", "{}", '{"k":1}'
        )
        header_tokens.append((native.access_token, header_of(mutations, "st-refresh-token")))

    forged = cookie_sessions[0][0][:-4] + "AAAA"
    bad_inputs: List[RawHeaders] = [
        [(b"cookie", b"sAccessToken=not-a-jwt")],
        [(b"cookie", b"sAccessToken=" + forged.encode())],
        [(b"authorization", b"Bearer a.b.c")],
        [],
    ]

    # Its first verification loads the keys from the store, as a new process's does.
    uncached.get_session_without_request_response(cookie_sessions[0][0], None, True, False, False, True)
    refreshed = signed_out = 0
    for n in range(ROUNDS):
        access, refresh, _front = cookie_sessions[n % len(cookie_sessions)]
        # The hot path: a known token from a cookie, as FastAPI passes the ASGI headers.
        engine.verify_session(
            "GET", "/getJWT", browser([(b"cookie", b"theme=dark; sAccessToken=" + access.encode())]), True, None, False, False
        )
        engine.verify_session("GET", "/getJWT", [(b"host", b"h"), (b"cookie", b"sAccessToken=" + access.encode())])
        if n % 4 == 0:
            uncached.verify_session(
                "GET", "/getJWT", browser([(b"cookie", b"sAccessToken=" + access.encode())]), True, None, False, False
            )
            uncached.get_session_without_request_response(access, None, True, False, False, False)
        if n % 2 == 0:
            token, _ = header_tokens[n % len(header_tokens)]
            engine.verify_session("GET", "/api/items", [(b"authorization", ("Bearer " + token).encode())])
            # Flask and Django pass str headers.
            engine.verify_session("POST", "/api/items", [("cookie", "sAccessToken=" + access), ("rid", "session")])
            engine.get_session_without_request_response(access, None, True, False, False, False)
        if n % 8 == 0:
            engine.is_api_request("GET", "/auth/jwt/jwks.json")
            engine.handle_api_request("GET", "/auth/jwt/jwks.json", [])
            engine.verify_session("GET", "/x", [], False, None, False, False)
            for headers in bad_inputs:
                try:
                    engine.verify_session("GET", "/getJWT", headers, True, None, False, True)
                except SuperTokensSessionError:
                    pass
        if n % 50 == 0:
            s = syncio.get_session_without_request_response(access)
            if s is not None:
                s.get_access_token_payload()
                s.get_user_id()
            syncio.get_session_information(json_handle(engine, access))
        if n % 200 == 0:
            # A refresh through the endpoint, then sign-out of the new session.
            i = (n // 200) % len(cookie_sessions)
            _, old_refresh, _ = cookie_sessions[i]
            mutations = engine.handle_api_request(
                "POST", "/auth/session/refresh", browser([(b"cookie", b"sRefreshToken=" + (old_refresh or "").encode())])
            )
            new_access = cookie_of(mutations, "sAccessToken") if mutations else None
            new_refresh = cookie_of(mutations, "sRefreshToken") if mutations else None
            if new_access and new_refresh:
                refreshed += 1
                cookie_sessions[i] = (new_access, new_refresh, "")
            if n % 1000 == 0 and new_access:
                engine.handle_api_request("POST", "/auth/signout", browser([(b"cookie", b"sAccessToken=" + new_access.encode())]))
                signed_out += 1
                native, mutations = engine.create_new_session(
                    "POST", "/signin", browser([(b"st-auth-mode", b"cookie")]), "public", f"user-{i}", "{}", "{}"
                )
                cookie_sessions[i] = (native.access_token, cookie_of(mutations, "sRefreshToken"), native.front_token)
    # A run whose refreshes failed trained the error paths instead: say so, and fail.
    print(f"pgo-train-python: {ROUNDS} rounds, {refreshed} refreshes, {signed_out} sign-outs", file=sys.stderr)
    if refreshed == 0:
        raise SystemExit("pgo-train-python: no refresh succeeded")


def json_handle(engine: Any, access: str) -> str:
    """The session handle of ``access``, as the core reads it."""
    return str(json.loads(engine.verify_access_token(access))["sessionHandle"])


if __name__ == "__main__":
    main()
