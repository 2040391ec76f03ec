"""The native engine under concurrent use: many threads of one process on one ``Engine``, and
two processes on one SQLite file (as several uvicorn or gunicorn workers would be).

Correctness only, no timing: a wrong answer, a lost update or a deadlock fails; speed is
``make bench``'s business.
"""

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest
from tessera import _native

APP_INFO = {"apiDomain": "http://localhost:3001", "appName": "tessera-tests", "websiteDomain": "http://localhost:3000"}
REFRESH_PATH = "/auth/session/refresh"

THREADS = 8
VERIFIES_PER_THREAD = 200


def _config(connection_uri: str, **session: Any) -> str:
    return json.dumps({"appInfo": APP_INFO, "connectionURI": connection_uri, "session": session})


def _bearer(token: str) -> List[Any]:
    return [("authorization", f"Bearer {token}")]


def _run_in_threads(work: Any, count: int) -> List[Any]:
    """Runs ``work(i)`` in ``count`` threads released together; returns their results and
    re-raises the first exception any of them hit."""
    barrier = threading.Barrier(count)
    results: List[Any] = [None] * count
    errors: List[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        # A hang (a lock held across the GIL, say) must fail the test, not the CI run.
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish: deadlock?"
    if errors:
        raise errors[0]
    return results


def test_threads_verify_at_once() -> None:
    # No verified-token cache, so every call is a full parse and RSA verification in the
    # core rather than a cache hit.
    engine = _native.Engine(_config("sqlite::memory:", verifiedTokenCacheSize=0, tokenTransferMethod="header"))
    sessions = [
        engine.create_new_session_without_request_response("public", f"user-{i}", json.dumps({"n": i}), "{}", True)
        for i in range(THREADS)
    ]

    def verify_many(i: int) -> int:
        # Each thread alternates between its own token and a neighbour's, so threads really
        # verify different tokens at the same time.
        ok = 0
        for n in range(VERIFIES_PER_THREAD):
            expected = sessions[(i + n) % THREADS]
            session, mutations = engine.verify_session("GET", "/protected", _bearer(expected.access_token))
            assert session is not None and mutations is None
            assert session.handle == expected.handle
            assert session.user_id == expected.user_id
            assert json.loads(session.payload_json)["n"] == json.loads(expected.payload_json)["n"]
            ok += 1
        return ok

    assert _run_in_threads(verify_many, THREADS) == [VERIFIES_PER_THREAD] * THREADS


def test_threads_create_and_refresh_on_one_store() -> None:
    engine = _native.Engine(_config("sqlite::memory:", tokenTransferMethod="header"))

    def create_and_refresh(i: int) -> Dict[str, Any]:
        session = engine.create_new_session_without_request_response("public", f"user-{i}", "{}", "{}", True)
        refresh_token = session.refresh_token
        for _ in range(5):
            session, _ = engine.refresh_session("POST", REFRESH_PATH, [*_bearer(refresh_token), ("rid", "session")])
            refresh_token = session.refresh_token
        return {"handle": session.handle, "access_token": session.access_token}

    results = _run_in_threads(create_and_refresh, THREADS)
    assert len({r["handle"] for r in results}) == THREADS
    for i, r in enumerate(results):
        session, _ = engine.verify_session("GET", "/protected", _bearer(r["access_token"]), check_database=True)
        assert session is not None and session.user_id == f"user-{i}"
        assert engine.get_all_session_handles_for_user(f"user-{i}", None) == [r["handle"]]


# Process B: verifies process A's session and refreshes it, then reports what it got.
PROCESS_B = textwrap.dedent(
    """
    import json, sys
    from tessera import _native

    config, access_token, refresh_token = sys.argv[1:4]
    engine = _native.Engine(config)
    session, _ = engine.verify_session(
        "GET", "/protected", [("authorization", "Bearer " + access_token)], check_database=True
    )
    refreshed, mutations = engine.refresh_session(
        "POST", "/auth/session/refresh", [("authorization", "Bearer " + refresh_token), ("rid", "session")]
    )
    headers = {name: value for op, name, value in mutations[2] if op == "set"}
    print(json.dumps({
        "verified_handle": session.handle,
        "verified_user": session.user_id,
        "refreshed_handle": refreshed.handle,
        "access_token": headers.get("st-access-token"),
        "refresh_token": headers.get("st-refresh-token"),
    }))
    """
)


def test_two_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    # Grace 0: reusing a rotated refresh token is theft at once, not within 30 s.
    config = _config(
        f"sqlite:{tmp_path / 'sessions.sqlite3'}", tokenTransferMethod="header", refreshTokenRotationGracePeriod=0
    )
    engine_a = _native.Engine(config)
    created = engine_a.create_new_session_without_request_response("public", "user-a", '{"from": "a"}', "{}", True)
    old_refresh_token = created.refresh_token
    assert old_refresh_token

    done = subprocess.run(
        [sys.executable, "-c", PROCESS_B, config, created.access_token, old_refresh_token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"process B failed:\n{done.stderr}"
    b = json.loads(done.stdout)
    assert b["verified_handle"] == created.handle and b["verified_user"] == "user-a"
    assert b["refreshed_handle"] == created.handle
    assert b["access_token"] and b["refresh_token"] and b["refresh_token"] != old_refresh_token

    # A sees B's rotation: B's new tokens are the session's current ones.
    session, _ = engine_a.verify_session("GET", "/protected", _bearer(b["access_token"]), check_database=True)
    assert session is not None and session.handle == created.handle
    assert json.loads(session.payload_json)["from"] == "a"

    with pytest.raises(Exception) as refused:
        engine_a.refresh_session("POST", REFRESH_PATH, [*_bearer(old_refresh_token), ("rid", "session")])
    assert getattr(refused.value, "code", None) == "TOKEN_THEFT_DETECTED", repr(refused.value)
    # Theft revokes the session for every process, B's fresh tokens included.
    assert engine_a.get_session_information(created.handle) is None
    with pytest.raises(Exception) as gone:
        engine_a.refresh_session("POST", REFRESH_PATH, [*_bearer(b["refresh_token"]), ("rid", "session")])
    assert getattr(gone.value, "code", None) == "UNAUTHORISED", repr(gone.value)
