"""The shared vectors of ``tests/vectors/`` (format: ``tests/README.md``) run through the
private native module only, so they test the binding and not the public facade. A port of
the Rust runner, ``core/tests/vectors.rs``: each case is one pytest item named
``file/group/case``.

Fixed-key cases run at the vector's own clock (``now_ms``): ``Engine.verify_session`` and
``Engine.verify_access_token`` take it, the way the core does. Flows need a store and run
on ``sqlite::memory:`` at the real clock. ``Session`` does not carry the token's version or
its ``antiCsrfToken`` claim (``Session.anti_csrf_token`` is the request's or the issued
anti-CSRF token), so those two session fields are read from the raw access token.
"""

import base64
import json
import re
import time
import urllib.parse
import warnings
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from tessera import _native

VECTORS_DIR = Path(__file__).resolve().parents[2] / "tests" / "vectors"

#: How far an ``inMs`` date may be from the runner's clock plus the offset (second
#: rounding, the time the step took, a slow machine). Same as the Rust runner.
IN_MS_TOLERANCE = 60_000


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _load_files() -> List[Tuple[str, Dict[str, Any]]]:
    # Read at collection time so a missing or unreadable directory is a collection error,
    # never a run with zero vector tests.
    paths = sorted(VECTORS_DIR.glob("*.json"))
    if not paths:
        raise RuntimeError(f"no vector files in {VECTORS_DIR}")
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in paths]


FILES = _load_files()


def _cases() -> List[Any]:
    params = []
    for file, doc in FILES:
        for group in doc.get("groups") or []:
            for case in group.get("cases") or []:
                case_id = f"{Path(file).stem}/{group.get('name')}/{case.get('name')}"
                params.append(pytest.param(file, group, case, id=case_id))
    return params


def test_vector_files_are_well_formed() -> None:
    problems = []
    kinds: Dict[str, int] = {}
    for file, doc in FILES:
        if doc.get("format") != 1:
            problems.append(f"{file}: format must be 1, got {doc.get('format')!r}")
        groups = doc.get("groups") or []
        if not groups:
            problems.append(f"{file}: no groups")
        group_names = set()
        for g in groups:
            gname = g.get("name")
            if gname in group_names:
                problems.append(f"{file}/{gname}: duplicate group name")
            group_names.add(gname)
            if not isinstance(g.get("config"), dict):
                problems.append(f"{file}/{gname}: config must be an object")
            fixed_keys = isinstance(g.get("jwks"), dict)
            if fixed_keys != _is_uint(g.get("now_ms")):
                problems.append(f"{file}/{gname}: jwks and now_ms must both be set or both be null")
            cases = g.get("cases") or []
            if not cases:
                problems.append(f"{file}/{gname}: no cases")
            case_names = set()
            for c in cases:
                cname = c.get("name")
                if cname in case_names:
                    problems.append(f"{file}/{gname}/{cname}: duplicate case name")
                case_names.add(cname)
                kind = c.get("kind")
                if kind not in ("token", "request", "flow"):
                    problems.append(f"{file}/{gname}/{cname}: unknown kind {kind!r}")
                elif (kind == "flow") == fixed_keys:
                    problems.append(
                        f"{file}/{gname}/{cname}: kind {kind} cannot run in a group with jwks "
                        + ("set" if fixed_keys else "null")
                    )
                if kind == "flow" and not c.get("steps"):
                    problems.append(f"{file}/{gname}/{cname}: a flow needs steps")
                kinds[str(kind)] = kinds.get(str(kind), 0) + 1
    assert not problems, "malformed vectors:\n" + "\n".join(problems)
    for kind in ("token", "request", "flow"):
        assert kinds.get(kind, 0) > 0, f"no {kind} cases in the vectors"
    total = sum(kinds.values())
    assert total >= 100, f"only {total} vector cases: the vectors directory looks truncated"


def _is_uint(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


# ---------------------------------------------------------------------------------------
# Engines and errors
# ---------------------------------------------------------------------------------------


class NativeError(Exception):
    """What the native module raises while the vectors run: exactly the four fields it hands
    to ``tessera.exceptions._from_native``, so the facade's classes are not under test."""

    def __init__(self, code: str, message: str, payload_json: Optional[str], clear_tokens: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.payload_json = payload_json
        self.clear_tokens = clear_tokens


@pytest.fixture(scope="module", autouse=True)
def _raw_native_errors() -> Any:
    import tessera.exceptions

    patch = pytest.MonkeyPatch()
    patch.setattr(tessera.exceptions, "_from_native", NativeError)
    yield
    patch.undo()


# One engine per group, as the README asks; a group whose engine cannot be built keeps the
# reason so every case of it fails with it.
_ENGINES: Dict[Tuple[str, str], Any] = {}


def _engine(file: str, group: Dict[str, Any]) -> Any:
    key = (file, str(group.get("name")))
    if key not in _ENGINES:
        config = json.dumps(group.get("config"))
        try:
            if isinstance(group.get("jwks"), dict):
                _ENGINES[key] = _native.Engine.with_jwks(config, json.dumps(group["jwks"]))
            else:
                _ENGINES[key] = _native.Engine(config)
        except Exception as e:  # noqa: BLE001 - any failure is the group's failure
            _ENGINES[key] = f"group engine: {type(e).__name__}: {e}"
    return _ENGINES[key]


def test_every_group_engine_builds() -> None:
    broken = []
    for file, doc in FILES:
        for group in doc.get("groups") or []:
            engine = _engine(file, group)
            if isinstance(engine, str):
                broken.append(f"{file}/{group.get('name')}: {engine}")
    assert not broken, "\n".join(broken)


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("file", "group", "case"), _cases())
def test_vector(file: str, group: Dict[str, Any], case: Dict[str, Any]) -> None:
    engine = _engine(file, group)
    if isinstance(engine, str):
        failures = [engine]
    else:
        now = case.get("now_ms", group.get("now_ms"))
        kind = case.get("kind")
        if kind == "token":
            failures = _run_token(engine, case, now)
        elif kind == "request":
            failures = _run_request(engine, case, now)
        elif kind == "flow":
            failures = _run_flow(engine, case)
        else:
            failures = [f"unknown kind {kind!r}"]
    core_bug = case.get("coreBug")
    if failures:
        head = f"KNOWN CORE BUG (coreBug: {core_bug})\n" if core_bug else ""
        pytest.fail(head + "\n".join(failures), pytrace=False)
    if core_bug:
        warnings.warn(f"passes although marked coreBug ({core_bug}): remove the mark in the generator", stacklevel=1)


def _run_token(engine: Any, case: Dict[str, Any], now: int) -> List[str]:
    token = case.get("token")
    if not isinstance(token, str):
        return ["no token"]
    expect = case.get("expect") or {}
    want_code, want_session = expect.get("error"), expect.get("session")
    try:
        verified = _VerifiedToken(json.loads(engine.verify_access_token(token, now)))
    except NativeError as e:
        if want_code is None:
            return [f"expected a session, got {e}"]
        return [] if e.code == want_code else [f"expected error {want_code}, got {e}"]
    if want_code is not None:
        return [f"expected error {want_code}, got a session for user {verified.user_id!r}"]
    if want_session is None:
        return ["expect has neither error nor session"]
    return _check_session(want_session, verified, {})


def _run_request(engine: Any, case: Dict[str, Any], now: int) -> List[str]:
    try:
        req = _parse_request(case.get("request"))
        options = _parse_options(case.get("options"))
    except ValueError as e:
        return [str(e)]
    outcome, session, response, detail = _verify(engine, req, options, now)
    return _check_outcome(case.get("expect") or {}, outcome, session, response, detail, {}, now)


Request = Tuple[str, str, List[Tuple[str, str]]]


def _parse_request(v: Any) -> Request:
    if not isinstance(v, dict):
        raise ValueError("no request")
    method, path = v.get("method"), v.get("path")
    if not isinstance(method, str):
        raise ValueError("request.method")
    if not isinstance(path, str):
        raise ValueError("request.path")
    headers = []
    for h in v.get("headers") or []:
        if not (isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)):
            raise ValueError(f"request.headers: bad entry {h!r}")
        headers.append((h[0], h[1]))
    return method, path, headers


def _parse_options(v: Any) -> Dict[str, Any]:
    options: Dict[str, Any] = {"session_required": True, "anti_csrf_check": None, "check_database": False}
    if not isinstance(v, dict):
        return options
    if isinstance(v.get("sessionRequired"), bool):
        options["session_required"] = v["sessionRequired"]
    anti_csrf = v.get("antiCsrfCheck")
    if anti_csrf is not None and not isinstance(anti_csrf, bool):
        raise ValueError(f"options.antiCsrfCheck: {anti_csrf!r}")
    options["anti_csrf_check"] = anti_csrf
    if isinstance(v.get("checkDatabase"), bool):
        options["check_database"] = v["checkDatabase"]
    return options


def _verify(engine: Any, req: Request, options: Dict[str, Any], now: Optional[int]) -> Tuple[str, Any, "Response", str]:
    """``verify_session``, with ``error_response`` applied on error."""
    clock = {"now_ms": now} if now is not None else {}
    try:
        session, mutations = engine.verify_session(*req, **options, **clock)
    except NativeError as e:
        answer = engine.error_response(*req, e.code, e.message, e.payload_json, e.clear_tokens)
        return e.code, None, Response(answer), str(e)
    return ("session" if session is not None else "none"), session, Response(mutations), ""


def _check_outcome(
    expect: Dict[str, Any],
    outcome: str,
    session: Any,
    response: "Response",
    detail: str,
    variables: Dict[str, str],
    now: int,
) -> List[str]:
    want = expect.get("outcome")
    if isinstance(want, str) and want != outcome:
        return [f"outcome: expected {want}, got {outcome}" + (f" ({detail})" if detail else "")]
    out = []
    if "session" in expect:
        if session is None:
            out.append("session: expected one, got none")
        else:
            out.extend(_check_session(expect["session"], session, variables))
    if "response" in expect:
        out.extend(_check_response(expect["response"], response, now))
    return out


# ---------------------------------------------------------------------------------------
# Flows
# ---------------------------------------------------------------------------------------


def _run_flow(engine: Any, case: Dict[str, Any]) -> List[str]:
    variables: Dict[str, str] = {}
    for i, raw in enumerate(case.get("steps") or [], start=1):
        action = raw.get("action", "")
        failures = _run_step(engine, raw, action, variables)
        if failures:
            # Later steps build on this one.
            return [f"step {i} ({action}): {f}" for f in failures]
    return []


def _run_step(engine: Any, raw: Dict[str, Any], action: str, variables: Dict[str, str]) -> List[str]:
    # Inputs are substituted now; `expect` only after this step's saves.
    inputs = {k: v for k, v in raw.items() if k not in ("expect", "save")}
    try:
        step = _substitute(inputs, variables)
        req = _parse_request(step.get("request"))
    except ValueError as e:
        return [str(e)]
    handled = (raw.get("expect") or {}).get("handled", True)
    now = int(time.time() * 1000)
    session = None
    outcome, detail = "", ""
    if action == "create":
        user = step.get("userId")
        if not isinstance(user, str):
            return ["create needs userId"]
        tenant = step.get("tenantId", "public")
        payload = json.dumps(step.get("payload") or {})
        try:
            session, mutations = engine.create_new_session(*req, tenant, user, payload, "{}")
            outcome, response = "session", Response(mutations)
        except NativeError as e:
            answer = engine.error_response(*req, e.code, e.message, e.payload_json, e.clear_tokens)
            outcome, response, detail = e.code, Response(answer), str(e)
    elif action == "verify":
        try:
            options = _parse_options(step.get("options"))
        except ValueError as e:
            return [str(e)]
        outcome, session, response, detail = _verify(engine, req, options, None)
    elif action == "api":
        answer = engine.handle_api_request(*req)
        if answer is None:
            return [] if handled is False else ["the core did not handle the request"]
        if handled is False:
            return [f"expected the request not to be handled, got status {answer[0]!r}"]
        response = Response(answer)
    else:
        return [f"unknown action {action!r}"]

    # Saves first: expectations of the same step may use them.
    errors = []
    for var, source in (raw.get("save") or {}).items():
        if not isinstance(source, str):
            errors.append(f"save {var}: source must be a string")
            continue
        try:
            variables[var] = _save_source(source, session, response)
        except ValueError as e:
            errors.append(f"save {var}: {e}")
    if errors:
        return errors
    try:
        expect = _substitute(raw.get("expect") or {}, variables)
    except ValueError as e:
        return [str(e)]
    if action == "api" and "outcome" in expect:
        return ["api steps have no outcome"]
    return _check_outcome(expect, outcome, session, response, detail, variables, now)


def _save_source(source: str, session: Any, response: "Response") -> str:
    kind, sep, what = source.partition(":")
    if not sep:
        raise ValueError(f"bad source {source!r}")
    if kind == "header":
        value = response.header(what)
        if value is None:
            raise ValueError(f"header {what} was not set")
        return value
    if kind == "cookie":
        set_cookie = response.cookie(what)
        if set_cookie is None:
            raise ValueError(f"cookie {what} was not set")
        return _parse_set_cookie(set_cookie)[0]
    if kind == "session":
        if session is None:
            raise ValueError("no session in this step")
        if what == "accessToken":
            return str(session.access_token)
        if what == "refreshToken":
            if session.refresh_token is None:
                raise ValueError("no refresh token")
            return str(session.refresh_token)
        if what == "sessionHandle":
            return str(session.handle)
        if what == "userId":
            return str(session.user_id)
        raise ValueError(f"unknown session source {what}")
    raise ValueError(f"unknown source kind {kind}")


def _substitute(v: Any, variables: Dict[str, str]) -> Any:
    """Replaces ``${name}`` in every string of ``v``."""
    if isinstance(v, str):
        return _substitute_str(v, variables)
    if isinstance(v, list):
        return [_substitute(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: _substitute(x, variables) for k, x in v.items()}
    return v


def _substitute_str(s: str, variables: Dict[str, str]) -> str:
    out, rest = [], s
    while "${" in rest:
        before, _, after = rest.partition("${")
        name, closed, rest = after.partition("}")
        if not closed:
            raise ValueError(f"unterminated variable in {s!r}")
        if name not in variables:
            raise ValueError(f"unknown variable ${{{name}}}")
        out += [before, variables[name]]
    out.append(rest)
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------


class Response:
    """The native module's mutations, ``(status, body_json, header_ops, cookies)`` or
    ``None`` for nothing to write, read the way a framework would apply them."""

    def __init__(self, mutations: Any) -> None:
        status, body, headers, cookies = mutations if mutations is not None else (None, None, [], [])
        self.status: Optional[int] = status
        self.body: Any = json.loads(body) if body is not None else None
        self.header_ops: List[Tuple[str, str, Optional[str]]] = list(headers)
        self.cookies: List[Tuple[str, str]] = list(cookies)

    def header(self, name: str) -> Optional[str]:
        """The final value of header ``name`` after the operations, on a response that had
        no such header (README, "Outcome and response")."""
        value: Optional[str] = None
        for op, n, v in self.header_ops:
            if n.lower() != name.lower():
                continue
            if op == "set":
                value = v
            elif op == "remove":
                value = None
            elif op == "append":
                existing = (value or "").strip()
                items = [x.strip().lower() for x in existing.split(",")]
                if not existing:
                    value = v
                elif str(v).lower() not in items:
                    value = f"{existing}, {v}"
            else:
                raise AssertionError(f"unknown header operation {op!r} on {n}")
        return value

    def cookie(self, name: str) -> Optional[str]:
        """The ``Set-Cookie`` value for ``name``; a later one replaces an earlier one."""
        found = None
        for n, header in self.cookies:
            if n == name:
                found = header
        return found


class _VerifiedToken:
    """``Engine.verify_access_token``'s JSON seen through the ``_native.Session`` attribute
    names, so one checker serves both."""

    def __init__(self, token: Dict[str, Any]) -> None:
        self.access_token = token["raw"]
        self.user_id = token["userId"]
        self.recipe_user_id = token["recipeUserId"]
        self.tenant_id = token["tenantId"]
        self.handle = token["sessionHandle"]
        self.access_token_expiry_ms = token["expiryMs"]
        self.access_token_created_ms = token["timeCreatedMs"]
        self.payload_json = json.dumps(token["payload"])


def _check_session(expected: Any, s: Any, variables: Dict[str, str]) -> List[str]:
    if not isinstance(expected, dict):
        return ["session expectation must be an object"]
    out = []
    payload = json.loads(s.payload_json)
    for field, want in expected.items():
        try:
            want = _substitute(want, variables)
        except ValueError as e:
            out.append(str(e))
            continue
        if field == "payloadContains":
            if not isinstance(want, dict):
                out.append("session.payloadContains must be an object")
                continue
            for k, v in want.items():
                if k not in payload or not _json_eq(payload[k], v):
                    got = _short(payload[k]) if k in payload else "nothing"
                    out.append(f"session.payload.{k}: expected {_short(v)}, got {got}")
            continue
        getter = _SESSION_FIELDS.get(field)
        if getter is None:
            out.append(f"unknown session field {field}")
            continue
        got = getter(s, payload)
        if not _json_eq(got, want):
            out.append(f"session.{field}: expected {_short(want)}, got {_short(got)}")
    return out


def _token_segment(raw: str, index: int) -> Any:
    segment = raw.split(".")[index]
    # v1/v2 tokens use standard base64 with padding, v3+ base64url without.
    padded = segment.replace("-", "+").replace("_", "/").rstrip("=")
    return json.loads(base64.b64decode(padded + "=" * (-len(padded) % 4)))


# The fixed v1/v2 header segments (tessera-core `token::V1_HEADER`, `V2_HEADER`).
_LEGACY_HEADERS = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIxIn0=",
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0=",
)


def _token_version(raw: str) -> int:
    """``2`` for v1/v2, else the header's ``version`` as JavaScript's ``parseInt`` reads it
    (``3`` when absent). Only for tokens the binding accepted, so they are well-formed."""
    if raw.split(".")[0] in _LEGACY_HEADERS:
        return 2
    version = _token_segment(raw, 0).get("version")
    if version is None:
        return 3
    m = re.match(r"\s*[+-]?\d+", str(version))
    return int(m.group(0)) if m else 3


def _token_anti_csrf(raw: str) -> Optional[str]:
    claim = _token_segment(raw, 1).get("antiCsrfToken")
    return claim if isinstance(claim, str) else None


_SESSION_FIELDS = {
    "userId": lambda s, p: s.user_id,
    "recipeUserId": lambda s, p: s.recipe_user_id,
    "tenantId": lambda s, p: s.tenant_id,
    "sessionHandle": lambda s, p: s.handle,
    "expiryMs": lambda s, p: s.access_token_expiry_ms,
    "timeCreatedMs": lambda s, p: s.access_token_created_ms,
    "payload": lambda s, p: p,
    # Not exposed by the binding (see the module docstring).
    "antiCsrfToken": lambda s, p: _token_anti_csrf(s.access_token),
    "version": lambda s, p: _token_version(s.access_token),
}


def _json_eq(a: Any, b: Any) -> bool:
    """JSON equality with numbers compared by value (1700000000000 == 1.7e12), and
    booleans never equal to numbers (Python's ``True == 1`` is not JSON's)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_eq(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _short(v: Any) -> str:
    s = json.dumps(v)
    return s if len(s) <= 160 else s[:160] + "…"


def _check_response(expected: Any, r: Response, now: int) -> List[str]:
    out = []
    if "status" in expected and not _json_eq(r.status, expected["status"]):
        out.append(f"status: expected {expected['status']}, got {r.status}")
    if "body" in expected and not _json_eq(r.body, expected["body"]):
        out.append(f"body: expected {_short(expected['body'])}, got {_short(r.body)}")
    for header, want in (expected.get("headers") or {}).items():
        problem = _check_value(want, r.header(header), now)
        if problem:
            out.append(f"header {header}: {problem}")
    for cookie, want in (expected.get("cookies") or {}).items():
        set_cookie = r.cookie(cookie)
        if want is None:
            if set_cookie is not None:
                out.append(f"cookie {cookie}: expected not set, got {set_cookie!r}")
        elif set_cookie is None:
            out.append(f"cookie {cookie}: expected to be set, it was not")
        else:
            out.extend(
                f"cookie {cookie}: {p} (Set-Cookie: {_short(set_cookie)})" for p in _check_cookie(want, set_cookie, now)
            )
    return out


def _parse_set_cookie(header: str) -> Tuple[str, Dict[str, Optional[str]]]:
    """``name=value; Attr=x; Flag`` → (percent-decoded value, lowercase attribute → value)."""
    first, *attributes = header.split(";")
    name, sep, raw = first.partition("=")
    if not sep:
        raise ValueError(f"bad Set-Cookie {header!r}")
    try:
        value = urllib.parse.unquote(raw.strip(), errors="strict")
    except UnicodeDecodeError as e:
        raise ValueError(f"cookie value is not UTF-8: {e}") from e
    attrs: Dict[str, Optional[str]] = {}
    for a in attributes:
        k, sep, v = a.partition("=")
        attrs[k.strip().lower()] = v.strip() if sep else None
    return value, attrs


def _check_cookie(want: Any, header: str, now: int) -> List[str]:
    try:
        value, attrs = _parse_set_cookie(header)
    except ValueError as e:
        return [str(e)]
    if not isinstance(want, dict):
        return ["a cookie expectation must be null or an object"]
    out = []
    for k, w in want.items():
        problem: Optional[str]
        if k == "value":
            problem = _check_value(w, value, now)
        elif k in ("path", "domain"):
            problem = _check_value(w, attrs.get(k), now)
        elif k == "expires":
            got = attrs.get("expires")
            if isinstance(w, str):
                instant = _parse_date(w)
                same = got is not None and (got == w or (instant is not None and _parse_date(got) == instant))
                problem = None if same else f"expected {w!r}, got {got!r}"
            else:
                problem = _check_value(w, got, now)
        elif k == "sameSite":
            got = attrs.get("samesite")
            same = isinstance(w, str) and got is not None and w.lower() == got.lower()
            problem = None if same else f"expected {w!r}, got {got!r}"
        elif k in ("httpOnly", "secure"):
            present = k.lower() in attrs
            problem = None if w is present else f"expected {json.dumps(w)}, got {json.dumps(present)}"
        else:
            problem = f"unknown cookie attribute {k}"
        if problem:
            out.append(f"{k}: {problem}")
    return out


def _parse_date(s: str) -> Optional[int]:
    try:
        return int(parsedate_to_datetime(s).timestamp() * 1000)
    except (TypeError, ValueError, IndexError):
        return None


def _check_value(want: Any, got: Optional[str], now: int) -> Optional[str]:
    """A value matcher (README, "Matchers"): ``None`` when it passes, else the problem."""
    failure = f"expected {_short(want)}, got " + ("nothing" if got is None else repr(got[:160]))
    if want is None:
        return None if got is None else failure
    if isinstance(want, str):
        return None if got == want else failure
    if not (isinstance(want, dict) and len(want) == 1):
        return f"bad matcher {_short(want)}"
    [(k, arg)] = want.items()
    if got is None:
        return failure
    if k == "nonEmpty":
        ok = got != ""
    elif k == "not":
        ok = isinstance(arg, str) and arg != got
    elif k == "list":
        items = sorted(x.strip().lower() for x in got.split(",") if x.strip())
        ok = isinstance(arg, list) and sorted(str(x).strip().lower() for x in arg) == items
    elif k == "inMs":
        at = _parse_date(got)
        ok = at is not None and _is_uint(arg) and abs(at - (now + arg)) <= IN_MS_TOLERANCE
    elif k == "frontToken":
        return _check_front_token(arg, got)
    else:
        return f"unknown matcher {k}"
    return None if ok else failure


def _check_front_token(want: Any, got: str) -> Optional[str]:
    try:
        decoded = base64.b64decode(got, validate=True)
    except ValueError as e:
        return f"front token {got[:160]!r} is not standard base64: {e}"
    try:
        v = json.loads(decoded)
    except ValueError as e:
        return f"front token is not JSON: {e}"
    if not (isinstance(v, dict) and _is_uint(v.get("ate")) and isinstance(v.get("up"), dict)):
        return f"front token lacks ate or up: {_short(v)}"
    if isinstance(want, dict) and "uid" in want and v.get("uid") != want["uid"]:
        return f"front token uid: expected {_short(want['uid'])}, got {_short(v.get('uid'))}"
    return None
