#!/usr/bin/env python3
"""Where a served FastAPI ``/getJWT`` request's cost goes: apps of scripts/bench-python.py, each
served by uvicorn under Valgrind's callgrind with its cache simulation, sent a fixed number of
requests, and their instructions and cache misses per request split by shared object (CPython,
libc, uvloop, httptools, pydantic-core, Tessera's native module) and, inside the native module,
by function.

Why: on the VMs we measure on, req/s moves by more between consecutive seconds than the one or
two percent a change to the request path is worth, so `make bench` cannot tell such changes
apart. A simulated CPU counts the same instructions and misses from run to run, with the server,
the event loop and the HTTP parser evicting the session code's cache lines between requests as
they do on a real core. Cache misses matter here: the native call runs with its code cold, and
a level-1 instruction miss per 16 instructions was what it cost in the first measurement.

Run with the bench venv after `bash scripts/bench-python.sh` has installed the release wheel:

    target/bench-venv/bin/python scripts/profile-python-getjwt.py [--requests N] [KIND ...]

KIND is an app of bench-python.py (default: bare-token floor tessera). Needs valgrind
(Debian package `valgrind`). Each app takes about a minute; nothing here is part of `make test`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import http.client
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "bench-python.py")
_spec = importlib.util.spec_from_file_location("bench_python", BENCH)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

#: callgrind's events with --cache-sim=yes, in the order of its output.
EVENTS = ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"]
NATIVE = "tessera/_native"


def cache_geometry() -> list[str]:
    """callgrind's --I1/--D1/--LL options for this CPU's level-1 caches and its own level 2.

    The level 3 is shared with the other core and, on a VM, with other tenants: the per-core
    level 2 as the simulated last level is what a request can count on keeping."""
    found: dict[str, str] = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    for index in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        d = os.path.join(base, index)

        def read(name: str, d: str = d) -> str:
            with open(os.path.join(d, name)) as f:
                return f.read().strip()

        try:
            level, kind, size = read("level"), read("type"), read("size")
            ways, line = read("ways_of_associativity"), read("coherency_line_size")
        except OSError:
            continue
        m = re.fullmatch(r"(\d+)K", size)
        if not m:
            continue
        spec = f"{int(m.group(1)) * 1024},{ways},{line}"
        key = {("1", "Instruction"): "I1", ("1", "Data"): "D1", ("2", "Unified"): "LL"}.get((level, kind))
        if key:
            found[key] = spec
    defaults = {"I1": "32768,8,64", "D1": "32768,8,64", "LL": "1048576,16,64"}
    return [f"--{k}={found.get(k, v)}" for k, v in defaults.items()]


def load_in_phases(
    port: int, headers: dict[str, str], connections: int, phases: list[tuple[int, Callable[[], None]]]
) -> None:
    """Keep-alive connections sending GET /getJWT at once, in phases: each connection sends a
    phase's count, then ``after`` runs with every connection idle and still open. The same
    connections serve every phase, so that no phase counts a connection's set-up or close.
    Every answer must be 200."""
    failures: list[str] = []
    barrier = threading.Barrier(connections + 1)

    def one_connection() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for count, _ in phases:
                try:
                    for _ in range(count):
                        conn.request("GET", "/getJWT", headers=headers)
                        resp = conn.getresponse()
                        resp.read()
                        if resp.status != 200:
                            failures.append(f"{resp.status}")
                except OSError as e:
                    failures.append(repr(e))
                barrier.wait()  # this phase's requests are answered
                barrier.wait()  # `after` has run
        finally:
            conn.close()

    threads = [threading.Thread(target=one_connection) for _ in range(connections)]
    for t in threads:
        t.start()
    for _, after in phases:
        barrier.wait()
        after()
        barrier.wait()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"profile-python-getjwt: {len(failures)} requests failed: {failures[:3]}")


def callgrind_control(option: str, pid: int) -> None:
    subprocess.run(["callgrind_control", option, str(pid)], check=True, capture_output=True, timeout=300)


class Profile:
    """The self cost of each object and of each function of the native module, and the
    inclusive cost of calls into the native module from other objects, in a callgrind dump."""

    def __init__(self, path: str) -> None:
        self.by_object: dict[str, list[int]] = collections.defaultdict(lambda: [0] * len(EVENTS))
        self.native_functions: dict[str, list[int]] = collections.defaultdict(lambda: [0] * len(EVENTS))
        self.into_native = [0] * len(EVENTS)
        names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}, "fl": {}}

        def name(kind: str, text: str) -> str:
            # Name compression: "(id) name" defines an id, "(id)" refers to it.
            m = re.match(r"\((\d+)\)(?: (.*))?$", text)
            if not m:
                return text
            if m.group(2) is not None:
                names[kind][m.group(1)] = m.group(2)
            return names[kind][m.group(1)]

        order = EVENTS
        ob = fn = ""
        callee_ob: str | None = None
        call_cost_next = False
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                head = line[0]
                if head.isdigit() or head in "+-*":
                    costs = [int(x) for x in line.split()[1:]]
                    if call_cost_next:
                        # The inclusive cost of the call just described, not the caller's own.
                        call_cost_next = False
                        if NATIVE not in ob and NATIVE in (callee_ob or ob):
                            self._add(self.into_native, costs, order)
                        callee_ob = None
                        continue
                    self._add(self.by_object[ob], costs, order)
                    if NATIVE in ob:
                        self._add(self.native_functions[fn], costs, order)
                    continue
                key, _, rest = line.partition("=")
                if key == "events":
                    order = rest.split()
                elif key == "ob":
                    ob, callee_ob = name("ob", rest), None
                elif key == "fn":
                    fn, callee_ob = name("fn", rest), None
                elif key in ("fl", "fi", "fe", "cfi", "cfl"):
                    name("fl", rest)
                elif key == "cob":
                    callee_ob = name("ob", rest)
                elif key == "cfn":
                    name("fn", rest)
                elif key == "calls":
                    call_cost_next = True

    @staticmethod
    def _add(into: list[int], costs: list[int], order: list[str]) -> None:
        for event, value in zip(order, costs):
            if event in EVENTS:
                into[EVENTS.index(event)] += value

    def total(self) -> list[int]:
        return [sum(v[i] for v in self.by_object.values()) for i in range(len(EVENTS))]


def summary(costs: list[int], n: int) -> tuple[float, float, float, float]:
    """Per request: instructions, level-1 instruction misses, level-1 data misses, and
    last-level misses (instructions and data)."""
    e = dict(zip(EVENTS, costs))
    return (
        e["Ir"] / n,
        e["I1mr"] / n,
        (e["D1mr"] + e["D1mw"]) / n,
        (e["ILmr"] + e["DLmr"] + e["DLmw"]) / n,
    )


def short_object(path: str) -> str:
    base = os.path.basename(path) or path
    return re.sub(r"\.cpython-\d+.*\.so$|\.abi3\.so$|\.so[.\d]*$", "", base)


def mint_token(sqlite_path: str) -> str:
    from tessera import InputAppInfo, SupertokensConfig, init
    from tessera.recipe import session
    from tessera.recipe.session import syncio

    init(
        app_info=InputAppInfo(app_name="bench", api_domain=bench.API_DOMAIN, website_domain=bench.API_DOMAIN),
        framework="fastapi",
        supertokens_config=SupertokensConfig(connection_uri="sqlite:" + sqlite_path),
        recipe_list=[session.init()],
    )
    token: str = syncio.create_new_session_without_request_response("public", bench.USER_ID, {}, {}).get_access_token()
    return token


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kinds", nargs="*", default=["bare-token", "floor", "tessera"], help="apps of bench-python.py")
    ap.add_argument("--requests", type=int, default=1024, help="requests counted per app (default 1024)")
    ap.add_argument("--connections", type=int, default=32, help="keep-alive connections at once (default 32)")
    ap.add_argument("--warmup", type=int, default=256, help="requests before counting (default 256)")
    ap.add_argument("--server", choices=sorted(bench.SERVERS), default="httptools")
    ap.add_argument("--keep", default="", help="keep the callgrind dumps in this directory")
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"profile-python-getjwt: {tool} not found (Debian: apt-get install valgrind)")
    per_connection = max(1, args.requests // args.connections)
    n = per_connection * args.connections
    warm_per_connection = max(1, args.warmup // args.connections)
    print(
        f"FastAPI + uvicorn ({args.server}) GET /getJWT under callgrind ({' '.join(cache_geometry())}); "
        f"{n} requests counted per app on {args.connections} connections, after "
        f"{warm_per_connection * args.connections} uncounted",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="tessera-profile-") as tmp:
        out_dir = os.path.abspath(args.keep) if args.keep else tmp
        os.makedirs(out_dir, exist_ok=True)
        sqlite_path = os.path.join(tmp, "sessions.sqlite3")
        token = mint_token(sqlite_path)
        headers = {"Cookie": f"{bench.ACCESS_TOKEN_COOKIE}={token}"}
        profiles: dict[str, Profile] = {}
        with contextlib.ExitStack() as stack:
            jwks_origin = ""
            if "supertokens" in args.kinds:
                from tessera import _state

                stub = stack.enter_context(bench.CoreStub(_state.engine().jwks()[0]))
                jwks_origin = stub.origin
            for kind in args.kinds:
                started = time.monotonic()
                out_file = os.path.join(out_dir, f"callgrind-{kind}.out")
                log_path = os.path.join(tmp, f"{kind}.log")
                wrapper = ["valgrind", "--tool=callgrind", "--cache-sim=yes", *cache_geometry()]
                wrapper.append(f"--callgrind-out-file={out_file}")
                with bench.uvicorn_app(
                    kind, sqlite_path, jwks_origin, log_path, args.server, token, wrapper=wrapper, start_timeout=300
                ) as (port, pid):
                    load_in_phases(
                        port,
                        headers,
                        args.connections,
                        [
                            (warm_per_connection, functools.partial(callgrind_control, "-z", pid)),
                            (per_connection, functools.partial(callgrind_control, "-d", pid)),
                        ],
                    )
                dumps = sorted(p for p in os.listdir(out_dir) if p.startswith(f"callgrind-{kind}.out."))
                if not dumps:
                    raise SystemExit(f"profile-python-getjwt: callgrind wrote no dump for {kind}")
                profiles[kind] = Profile(os.path.join(out_dir, dumps[0]))
                print(f"  {kind}: {time.monotonic() - started:.0f} s", flush=True)

    print()
    print(f"{'per request':<44} {'instr':>9} {'I1 miss':>8} {'D1 miss':>8} {'LL miss':>8}")
    print("-" * 81)
    first = args.kinds[0]
    for kind, p in profiles.items():
        ir, i1, d1, ll = summary(p.total(), n)
        print(f"{kind:<44} {ir:>9,.0f} {i1:>8,.0f} {d1:>8,.0f} {ll:>8,.1f}")
        for obj, costs in sorted(p.by_object.items(), key=lambda kv: -kv[1][0])[:8]:
            ir, i1, d1, ll = summary(costs, n)
            if ir >= 100:
                print(f"  {short_object(obj):<42} {ir:>9,.0f} {i1:>8,.0f} {d1:>8,.0f} {ll:>8,.1f}")
        if any(p.into_native):
            ir, i1, d1, ll = summary(p.into_native, n)
            print(f"  {'calls into the native module (inclusive)':<42} {ir:>9,.0f} {i1:>8,.0f} {d1:>8,.0f} {ll:>8,.1f}")
    for base in dict.fromkeys([first, "floor"]):
        if base not in profiles:
            continue
        print()
        print(f"{'more than ' + base:<44} {'instr':>9} {'I1 miss':>8} {'D1 miss':>8} {'LL miss':>8}")
        print("-" * 81)
        b = summary(profiles[base].total(), n)
        for kind, p in profiles.items():
            if kind in (first, base):
                continue
            s = summary(p.total(), n)
            print(
                f"{kind:<44} {s[0] - b[0]:>+9,.0f} {s[1] - b[1]:>+8,.0f} {s[2] - b[2]:>+8,.0f} {s[3] - b[3]:>+8,.1f}"
                f"   ({s[0] / b[0] - 1:+.1%} instr, {s[1] / b[1] - 1:+.1%} I1 miss)"
            )
    for kind, p in profiles.items():
        if not p.native_functions:
            continue
        print()
        print(f"{kind}: the native module's own cost by function, per request (by I1 misses)")
        for fn, costs in sorted(p.native_functions.items(), key=lambda kv: -kv[1][EVENTS.index("I1mr")])[:12]:
            ir, i1, d1, ll = summary(costs, n)
            if i1 >= 1 or ir >= 100:
                print(f"  {ir:>7,.0f} {i1:>6,.0f} {d1:>6,.0f}  {fn[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
