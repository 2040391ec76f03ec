"""Two app servers in two languages on one PostgreSQL database: this Python process (the
Python binding, initialised as an application would) and a Node process (the Node binding,
``node_peer.cjs``). Sessions made by one are refreshed by the other, both refresh one session
at the same instant, and a signing-key rotation made by either is seen by both.

Run by ``scripts/e2e-postgres.sh`` (``make test``), which starts a throwaway server with
``scripts/pg.sh``; needs the test virtualenv and the built Node addon.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from tessera import InputAppInfo, SupertokensConfig, _state, init
from tessera.exceptions import StorageError, TesseraError, TokenTheftError, UnauthorisedError
from tessera.recipe import session
from tessera.recipe.session import syncio

HERE = Path(__file__).resolve().parent
# A short key-rotation interval (hours) so the rotation test sees several keys in seconds.
ROTATION_HOURS = 0.001
ROTATION_MS = int(ROTATION_HOURS * 3_600_000)


def server_uri() -> str:
    uri = os.environ.get("TESSERA_TEST_POSTGRES_URI", "")
    if not uri:
        if os.environ.get("TESSERA_TEST_POSTGRES_REQUIRED") == "1":
            pytest.fail("TESSERA_TEST_POSTGRES_REQUIRED=1 but TESSERA_TEST_POSTGRES_URI is not set")
        pytest.skip("no PostgreSQL for this run (use scripts/e2e-postgres.sh)")
    return uri


@pytest.fixture
def schema_uri() -> str:
    """A URI for a new, empty schema: each test's servers share a database of their own."""
    base = server_uri()
    schema = f"t_{uuid.uuid4().hex}"
    psql = os.path.join(os.environ.get("TESSERA_TEST_POSTGRES_BIN", ""), "psql")
    subprocess.run([psql, "-q", "-X", base, "-c", f"CREATE SCHEMA {schema}"], check=True, timeout=30)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def init_python(uri: str, **options: Any) -> None:
    init(
        app_info=InputAppInfo(
            app_name="e2e", api_domain="http://localhost:3001", website_domain="http://localhost:3000"
        ),
        framework="fastapi",
        supertokens_config=SupertokensConfig(connection_uri=uri),
        recipe_list=[session.init(**options)],
    )


class NodePeer:
    """The Node server: one JSON command per line in, one JSON answer per line out."""

    def __init__(self, uri: str, options: Dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            ["node", str(HERE / "node_peer.cjs"), uri, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.next_id = 0
        ready = self._read()
        assert ready.get("ready"), ready

    def _read(self) -> Dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the Node peer exited with {self.proc.poll()}"
        answer: Dict[str, Any] = json.loads(line)
        return answer

    def send(self, op: str, **args: Any) -> int:
        assert self.proc.stdin is not None
        self.next_id += 1
        self.proc.stdin.write(json.dumps({"id": self.next_id, "op": op, **args}) + "\n")
        self.proc.stdin.flush()
        return self.next_id

    def receive(self, expected_id: int) -> Dict[str, Any]:
        answer = self._read()
        assert answer["id"] == expected_id, answer
        return answer

    def call(self, op: str, **args: Any) -> Dict[str, Any]:
        return self.receive(self.send(op, **args))

    def ok(self, op: str, **args: Any) -> Any:
        answer = self.call(op, **args)
        assert answer["ok"], answer
        return answer["value"]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def node_factory() -> Iterator[Any]:
    peers: List[NodePeer] = []

    def make(uri: str, options: Optional[Dict[str, Any]] = None) -> NodePeer:
        peer = NodePeer(uri, options or {})
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()
    _state.reset()


def py_create(user: str) -> Dict[str, Any]:
    tokens = syncio.create_new_session_without_request_response("public", user, disable_anti_csrf=True)
    out = tokens.get_all_session_tokens_dangerously()
    out["handle"] = tokens.get_handle()
    return out


def py_refresh(refresh_token: str) -> Dict[str, Any]:
    s = syncio.refresh_session_without_request_response(refresh_token, disable_anti_csrf=True)
    return s.get_all_session_tokens_dangerously()


def py_verify(access_token: str) -> str:
    s = syncio.get_session_without_request_response(access_token)
    assert s is not None
    return s.get_handle()


def outcome(fn: Any, *args: Any) -> str:
    try:
        fn(*args)
        return "OK"
    except TokenTheftError:
        return "TOKEN_THEFT_DETECTED"
    except UnauthorisedError:
        return "UNAUTHORISED"


def node_outcome(node: NodePeer, refresh_token: str) -> str:
    answer = node.call("refresh", refreshToken=refresh_token)
    return "OK" if answer["ok"] else str(answer["type"])


def test_a_session_crosses_languages(schema_uri: str, node_factory: Any) -> None:
    init_python(schema_uri)
    made_in_python = py_create("alice")
    # Started after the first signing key exists: a server that has just loaded the keys
    # waits out a short cooldown before it looks for an unknown kid again.
    node = node_factory(schema_uri)

    assert node.ok("verify", accessToken=made_in_python["accessToken"])["handle"] == made_in_python["handle"]
    refreshed_in_node = node.ok("refresh", refreshToken=made_in_python["refreshToken"])
    assert refreshed_in_node["handle"] == made_in_python["handle"]
    refreshed_in_python = py_refresh(refreshed_in_node["refreshToken"])
    assert node.ok("verify", accessToken=refreshed_in_python["accessToken"])["handle"] == made_in_python["handle"]

    made_in_node = node.ok("create", user="bob")
    assert py_verify(made_in_node["accessToken"]) == made_in_node["handle"]
    py_refresh(made_in_node["refreshToken"])


def test_both_refresh_one_session_at_once(schema_uri: str, node_factory: Any) -> None:
    init_python(schema_uri)
    node = node_factory(schema_uri)
    seen = set()
    for _ in range(10):
        rt0 = py_create("racer")["refreshToken"]
        at_ms = int(time.time() * 1000) + 150
        request = node.send("refresh", refreshToken=rt0, atMs=at_ms)
        mine: Dict[str, Any] = {}

        def python_refresh(rt: str = rt0, at: int = at_ms, out: Dict[str, Any] = mine) -> None:
            time.sleep(max(0.0, at / 1000 - time.time()))
            try:
                out["tokens"] = py_refresh(rt)
            except TesseraError as e:
                out["error"] = e

        worker = threading.Thread(target=python_refresh)
        worker.start()
        answer = node.receive(request)
        worker.join()
        # The documented outcome: one rotates, the other comes within the grace window with
        # the now-previous token and rotates the same lineage again; both succeed.
        assert answer["ok"], answer
        assert "tokens" in mine, mine
        python_rt = mine["tokens"]["refreshToken"]
        node_rt = answer["value"]["refreshToken"]
        # Exactly one of the two new refresh tokens is live: using the live one first works
        # and makes the other a reuse (theft); using the dead one first is theft, which ends
        # the session. Two live lineages would let both refresh.
        results: Tuple[str, str] = (node_outcome(node, python_rt), outcome(py_refresh, node_rt))
        assert results in {("OK", "TOKEN_THEFT_DETECTED"), ("TOKEN_THEFT_DETECTED", "UNAUTHORISED")}, results
        seen.add(results)
    print("concurrent refresh outcomes:", seen)


def kid_of(access_token: str) -> str:
    header = access_token.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


def dynamic_kids(jwks: Dict[str, Any]) -> List[str]:
    return sorted((k["kid"] for k in jwks["keys"] if k["kid"].startswith("d-")), key=lambda kid: int(kid[2:]))


def test_key_rotation_is_made_once_and_seen_by_both(schema_uri: str, node_factory: Any) -> None:
    init_python(schema_uri, access_token_dynamic_signing_key_update_interval=ROTATION_HOURS)
    node = node_factory(schema_uri, {"accessTokenDynamicSigningKeyUpdateInterval": ROTATION_HOURS})
    deadline = time.time() + 2.6 * ROTATION_MS / 1000
    python_tokens: List[str] = []
    node_tokens: List[str] = []
    while time.time() < deadline:
        # Both servers create at the same moment, so both reach each rotation together.
        request = node.send("create", user="n")
        python_tokens.append(py_create("p")["accessToken"])
        answer = node.receive(request)
        assert answer["ok"], answer
        node_tokens.append(answer["value"]["accessToken"])
        time.sleep(0.1)
    # One more create each: a server whose newest key is due reloads and sees the other's key.
    python_tokens.append(py_create("p")["accessToken"])
    node_tokens.append(node.ok("create", user="n")["accessToken"])

    python_kids = dynamic_kids(json.loads(_state.engine().jwks()[0]))
    node_kids = dynamic_kids(node.ok("jwks"))
    assert python_kids == node_kids, (python_kids, node_kids)
    assert len(python_kids) >= 3, f"no rotation happened: {python_kids}"
    made = [int(kid[2:]) for kid in python_kids]
    gaps = [b - a for a, b in zip(made, made[1:])]
    assert all(gap >= ROTATION_MS for gap in gaps), f"two keys in one interval: {gaps}"
    # Every token verifies on the other server, whichever key signed it.
    for token in node_tokens[::5] + node_tokens[-1:]:
        py_verify(token)
    for token in python_tokens[::5] + python_tokens[-1:]:
        node.ok("verify", accessToken=token)
    assert {kid_of(t) for t in python_tokens + node_tokens} <= set(python_kids)


def test_database_down_then_back_through_the_binding() -> None:
    """The Python binding with its database stopped: cached-key verification works, create and
    refresh raise ``StorageError``, and after the restart they work again, same process."""
    server_uri()
    script = HERE.parent.parent.parent / "scripts" / "pg.sh"
    # Not pytest's tmp_path: the server runs as another user, who cannot enter that.
    data = Path(tempfile.mkdtemp(prefix="tessera-pg-e2e-"))

    def pg(command: str) -> str:
        done = subprocess.run(["bash", str(script), command, str(data)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    try:
        uri = pg("start")
        init_python(f"{uri}?connect_timeout=2&statement_timeout=3000")
        made = py_create("carol")
        pg("stop")
        assert py_verify(made["accessToken"]) == made["handle"]
        with pytest.raises(StorageError):
            py_create("carol")
        with pytest.raises(StorageError):
            py_refresh(made["refreshToken"])
        assert pg("start") == uri
        py_refresh(made["refreshToken"])
        py_create("carol")
    finally:
        _state.reset()
        pg("stop")
        shutil.rmtree(data, ignore_errors=True)
