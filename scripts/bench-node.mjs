// Node benchmarks (the Node part of `make bench`; run by scripts/bench-node.sh).
//
// One access token, minted by Tessera's embedded store, verified by everything measured here:
//
// * verification in-process, medians of interleaved rounds: Node's bare `crypto.verify`
//   (RSA-SHA256 over the token's signing input with a KeyObject made once: the floor every
//   verifier pays), jose `jwtVerify` with a local key, fast-jwt's verifier without and with its
//   cache, supertokens-node's `Session.getSessionWithoutRequestResponse` (pointed at a local stub
//   of the SuperTokens core that serves Tessera's own JWKS), and Tessera through its public API
//   (`Session.getSessionWithoutRequestResponse`) and through the addon's synchronous
//   `Engine.verifySession`, with the verified-token cache off and then on (a repeated token);
// * Express requests/s on the seed's `/getJWT` route with Tessera, with supertokens-node and a
//   bare route returning a constant, each app in its own process, driven by `wrk` (or, without
//   it, a slower Node load generator), in interleaved rounds whose order turns each round. Each
//   app's share of the bare route is the median of its per-round ratios (each ratio between
//   runs seconds apart, so slow changes in the machine's load cancel), and each server's CPU
//   time per request is read from /proc: unlike req/s, it does not depend on how much of the
//   machine the server got while wrk and other work shared the cores;
// * what Tessera adds to one Express request, measured in one process with no load generator
//   (scripts/bench-node/overhead.mjs): CPU µs per request over the bare route, and the Express
//   handlers called directly.
//
// The table, the ratios and the goals of issue 4 are printed and written to --report.
// `node scripts/bench-node.mjs --help` lists the options.

import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
// The benchmark's own dependencies (scripts/bench-node/package.json), and the package under test
// through its own name: bindings-node's `exports` map resolves `tessera-session` from inside it.
const requireDep = createRequire(join(HERE, "bench-node", "package.json"));
const requireTessera = createRequire(join(ROOT, "bindings-node", "package.json"));

const USER_ID = "bench-user";
const API_DOMAIN = "http://127.0.0.1:8000";
const APP_INFO = { appName: "bench", apiDomain: API_DOMAIN, websiteDomain: API_DOMAIN };
const ACCESS_TOKEN_COOKIE = "sAccessToken";
const BARE_BODY = { token: "bare" };

// Goals (issue 4, "Benchmark").
const GOAL_VS_SUPERTOKENS = 4;
const GOAL_GETJWT_SHARE = 0.85;

const USAGE = `node scripts/bench-node.mjs [options]
  --report FILE        also write the table here
  --rounds N           interleaved rounds per verifier (default 7)
  --round-ms MS        length of one round of one verifier (default 300)
  --duration S         seconds of load per HTTP app and round (default 2)
  --http-rounds N      interleaved rounds per HTTP app (default 5)
  --warmup S           seconds of load per HTTP app before measuring (default 1)
  --connections N      HTTP connections (default 32)
  --wrk-threads N      wrk threads (default 1)
  --no-wrk             use the Node load generator even if wrk is there
  --no-http            only the in-process verification benchmarks
  --no-overhead        skip the in-process per-request cost of Express + Tessera
  --strict             exit 1 when a goal is missed`;

const { values: args } = parseArgs({
  options: {
    report: { type: "string" },
    rounds: { type: "string", default: "7" },
    "round-ms": { type: "string", default: "300" },
    duration: { type: "string", default: "2" },
    "http-rounds": { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    connections: { type: "string", default: "32" },
    "wrk-threads": { type: "string", default: "1" },
    "no-wrk": { type: "boolean", default: false },
    "no-http": { type: "boolean", default: false },
    "no-overhead": { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
    // Internal: the processes this script starts.
    serve: { type: "string" },
    sqlite: { type: "string" },
    "jwks-origin": { type: "string" },
    "load-worker": { type: "string" },
  },
});

function fail(message) {
  console.error(`bench-node: ${message}`);
  process.exit(1);
}

const b64urlJson = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

// --- the apps served by Express (each in its own process: `--serve KIND`) -------------------

/** Starts one HTTP benchmark's app on a loopback port and prints `port N` when it listens. */
async function serve(kind, sqlitePath, jwksOrigin) {
  const express = requireDep("express");
  const app = express();
  app.disable("x-powered-by");
  if (kind === "bare") {
    app.get("/getJWT", (_req, res) => res.json(BARE_BODY));
  } else if (kind === "bare-token") {
    // The seed's answer without the session: what sending the token costs Express by itself.
    const body = { token: process.env.TESSERA_BENCH_TOKEN };
    app.get("/getJWT", (_req, res) => res.json(body));
  } else if (kind === "tessera" || kind === "tessera-nocache") {
    const Tessera = requireTessera("tessera-session").default;
    const Session = requireTessera("tessera-session/recipe/session").default;
    const { middleware, errorHandler } = requireTessera("tessera-session/framework/express");
    const { verifySession } = requireTessera("tessera-session/recipe/session/framework/express");
    const options = { exposeAccessTokenToFrontendInCookieBasedAuth: true };
    if (kind === "tessera-nocache") options.verifiedTokenCacheSize = 0;
    Tessera.init({
      framework: "express",
      supertokens: { connectionURI: `sqlite:${sqlitePath}` },
      appInfo: APP_INFO,
      recipeList: [Session.init(options)],
    });
    app.use(middleware());
    app.get("/getJWT", verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() }));
    app.use(errorHandler());
  } else if (kind === "supertokens") {
    const supertokens = requireDep("supertokens-node");
    const Session = requireDep("supertokens-node/recipe/session");
    const { middleware, errorHandler } = requireDep("supertokens-node/framework/express");
    const { verifySession } = requireDep("supertokens-node/recipe/session/framework/express");
    supertokens.init({
      framework: "express",
      supertokens: { connectionURI: jwksOrigin },
      appInfo: APP_INFO,
      recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
      telemetry: false,
    });
    app.use(middleware());
    app.get("/getJWT", verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() }));
    app.use(errorHandler());
  } else {
    fail(`unknown app ${kind}`);
  }
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(`port ${server.address().port}`));
  process.on("SIGTERM", () => process.exit(0));
}

// --- the local "core": serves Tessera's JWKS to supertokens-node -----------------------------

/** An HTTP server on 127.0.0.1 answering what supertokens-node asks a SuperTokens core on the
 * verify path (the JWKS, and the CDI version); counts the requests per path, so a call on the
 * timed path shows up in the report. */
async function coreStub(jwksJson) {
  const hits = {};
  const bodies = {
    "/.well-known/jwks.json": jwksJson,
    "/recipe/jwt/jwks": jwksJson,
    "/apiversion": JSON.stringify({ versions: ["5.2", "5.3", "5.4"] }),
  };
  const server = http.createServer((req, res) => {
    const path = req.url.split("?", 1)[0];
    hits[path] = (hits[path] ?? 0) + 1;
    const body = bodies[path];
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
    res.end(body ?? '{"message":"not served by the bench stub"}');
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    snapshot: () => ({ ...hits }),
    close: () => new Promise((r) => server.close(r)),
  };
}

// --- in-process verification ----------------------------------------------------------------

/** Calls `fn` n times; awaits each call when the verifier is async, so every figure is the cost
 * of one caller verifying one token after another. */
async function loop(bench, n) {
  const { fn } = bench;
  if (bench.async) {
    for (let i = 0; i < n; i++) await fn();
  } else {
    for (let i = 0; i < n; i++) fn();
  }
}

/** How many calls take about `roundMs`. */
async function calibrate(bench, roundMs) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    await loop(bench, n);
    const dt = performance.now() - t0;
    if (dt >= 50) return Math.max(1, Math.round((n * roundMs) / dt));
    n *= dt < 10 ? 4 : 2;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median seconds per call of each benchmark. The rounds are interleaved (a round of each, then
 * the next round of each), so a load that comes and goes weighs on all of them alike. */
async function measure(benches, rounds, roundMs) {
  const ns = [];
  for (const b of benches) ns.push(await calibrate(b, roundMs));
  const perCall = benches.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < benches.length; i++) {
      const t0 = performance.now();
      await loop(benches[i], ns[i]);
      perCall[i].push((performance.now() - t0) / 1000 / ns[i]);
    }
  }
  return benches.map((b, i) => ({ ...b, sec: median(perCall[i]), n: ns[i] }));
}

async function verifyBenchmarks(tmp, log) {
  const rounds = Number(args.rounds);
  const roundMs = Number(args["round-ms"]);
  const Tessera = requireTessera("tessera-session").default;
  const Session = requireTessera("tessera-session/recipe/session").default;
  const { Engine } = requireTessera("tessera-session/native");
  const jose = requireDep("jose");
  const { createVerifier } = requireDep("fast-jwt");

  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  const sqlitePath = join(tmp, "sessions.sqlite3");
  const tesseraConfig = (session) => ({
    framework: "express",
    supertokens: { connectionURI: `sqlite:${sqlitePath}` },
    appInfo: APP_INFO,
    recipeList: [Session.init({ antiCsrf: "NONE", ...session })],
  });
  // The engine behind the public API is private to the facade; the native benchmarks use their
  // own engines on the same store (so the same keys), configured the way `init` configures its.
  const nativeEngine = (session) =>
    new Engine(JSON.stringify({ appInfo: APP_INFO, session: { antiCsrf: "NONE", ...session }, connectionURI: `sqlite:${sqlitePath}` }));

  Tessera.init(tesseraConfig({ verifiedTokenCacheSize: 0 }));
  const created = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId(USER_ID), {
    role: "bench",
  });
  const token = created.getAccessToken();
  const handle = created.getHandle();
  const engineUncached = nativeEngine({ verifiedTokenCacheSize: 0 });
  const jwksJson = await engineUncached.jwksJson();

  const [headerB64, payloadB64, signatureB64] = token.split(".");
  const header = b64urlJson(headerB64);
  const payload = b64urlJson(payloadB64);
  if (header.version !== "5" || !String(header.kid).startsWith("d-") || payload.parentRefreshTokenHash1) {
    fail(`expected a fresh v5 token with a dynamic key (d-...), got ${JSON.stringify(header)}`);
  }
  const jwks = JSON.parse(jwksJson);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (jwk === undefined) fail(`the token's kid ${header.kid} is not in Tessera's JWKS`);

  // One key, made once, for every verifier that takes a local key.
  const keyObject = crypto.createPublicKey({ key: jwk, format: "jwk" });
  const publicKeyPem = keyObject.export({ type: "spki", format: "pem" });
  const joseKey = await jose.importJWK(jwk, "RS256");
  const signingInput = Buffer.from(`${headerB64}.${payloadB64}`);
  const signature = Buffer.from(signatureB64, "base64url");
  const fastJwt = createVerifier({ key: publicKeyPem, algorithms: ["RS256"], cache: false });
  const fastJwtCached = createVerifier({ key: publicKeyPem, algorithms: ["RS256"], cache: true });
  // The addon takes a request's headers flat: name, value, name, value.
  const requestHeaders = ["cookie", `${ACCESS_TOKEN_COOKIE}=${token}`];

  // supertokens-node, pointed at the stub core serving exactly Tessera's JWKS.
  const stub = await coreStub(jwksJson);
  const supertokens = requireDep("supertokens-node");
  const StSession = requireDep("supertokens-node/recipe/session");
  supertokens.init({
    framework: "express",
    supertokens: { connectionURI: stub.origin },
    appInfo: APP_INFO,
    recipeList: [StSession.init({ antiCsrf: "NONE" })],
    telemetry: false,
  });

  const uncached = [
    {
      key: "crypto",
      label: "node:crypto verify RSA-SHA256, KeyObject made once (floor)",
      fn: () => crypto.verify("RSA-SHA256", signingInput, keyObject, signature),
    },
    {
      key: "jose",
      label: "jose jwtVerify(token, key) (local key)",
      async: true,
      fn: () => jose.jwtVerify(token, joseKey, { algorithms: ["RS256"] }),
    },
    { key: "fastjwt", label: "fast-jwt createVerifier, cache off", fn: () => fastJwt(token) },
    {
      key: "supertokens",
      label: "supertokens-node Session.getSessionWithoutRequestResponse",
      async: true,
      fn: () => StSession.getSessionWithoutRequestResponse(token),
    },
    {
      key: "tessera_whole",
      label: "Tessera Session.getSessionWithoutRequestResponse, cache off",
      async: true,
      fn: () => Session.getSessionWithoutRequestResponse(token),
    },
    {
      key: "tessera_native",
      label: "Tessera Engine.verifySession (native, sync), cache off",
      fn: () => engineUncached.verifySession("GET", "/getJWT", requestHeaders, true, null, false),
    },
  ];

  // Every verifier accepts the token and reads the same session; supertokens-node's JWKS cache
  // is filled before timing.
  if (!uncached[0].fn()) fail("crypto.verify rejected the token's signature");
  if ((await uncached[1].fn()).payload.sessionHandle !== handle) fail("jose read another session");
  if (uncached[2].fn().sessionHandle !== handle) fail("fast-jwt read another session");
  for (const b of [uncached[3], uncached[4]]) {
    const s = await b.fn();
    if (s === undefined || s.getHandle() !== handle || s.getUserId() !== USER_ID) {
      fail(`${b.label} did not verify the token's session`);
    }
  }
  // The addon answers the Session alone when the response needs no change, else {session, mutations}.
  const nativeResult = uncached[5].fn();
  if ((nativeResult?.session ?? nativeResult)?.handle !== handle) fail("Engine.verifySession did not verify the token's session");
  const stubAfterWarmup = stub.snapshot();

  const rows = [];
  const run = async (benches) => {
    for (const r of await measure(benches, rounds, roundMs)) {
      rows.push(r);
      log(`    ${r.label.padEnd(64)} ${(r.sec * 1e6).toFixed(2).padStart(9)} µs  ${fmt(1 / r.sec).padStart(11)}/s`);
    }
  };
  log(`==> verification, median of ${rounds} interleaved rounds of ~${roundMs} ms each`);
  await run(uncached);

  // The same store and key, the verified-token cache at its default size.
  Tessera.init(tesseraConfig({}));
  const engineCached = nativeEngine({});
  if ((await engineCached.jwksJson()) !== jwksJson) fail("a second Tessera engine on the same store has other keys");
  const cached = [
    { key: "fastjwt_cached", label: "fast-jwt createVerifier, cache on, repeated token", fn: () => fastJwtCached(token) },
    {
      key: "tessera_whole_cached",
      label: "Tessera Session.getSessionWithoutRequestResponse, repeated token",
      async: true,
      fn: () => Session.getSessionWithoutRequestResponse(token),
    },
    {
      key: "tessera_native_cached",
      label: "Tessera Engine.verifySession (native, sync), repeated token",
      fn: () => engineCached.verifySession("GET", "/getJWT", requestHeaders, true, null, false),
    },
  ];
  if ((await cached[1].fn()).getHandle() !== handle) fail("Tessera (cached) did not verify the token's session");
  if (cached[0].fn().sessionHandle !== handle) fail("fast-jwt (cached) read another session");
  await run(cached);

  const stubAfterTiming = stub.snapshot();
  const stubCallsWhileTiming = {};
  for (const [p, n] of Object.entries(stubAfterTiming)) {
    if (n !== (stubAfterWarmup[p] ?? 0)) stubCallsWhileTiming[p] = n - (stubAfterWarmup[p] ?? 0);
  }
  // Not `require("x/package.json")`: supertokens-node's `exports` does not list it.
  const version = (name) => JSON.parse(readFileSync(join(HERE, "bench-node", "node_modules", name, "package.json"), "utf8")).version;
  return {
    token,
    sqlitePath,
    stub,
    kid: header.kid,
    loadBefore,
    rows,
    stubAfterWarmup,
    stubCallsWhileTiming,
    versions: {
      node: process.version,
      openssl: process.versions.openssl,
      jose: version("jose"),
      "fast-jwt": version("fast-jwt"),
      "supertokens-node": version("supertokens-node"),
      express: version("express"),
      addon: process.env.NAPI_RS_NATIVE_LIBRARY_PATH ? "release" : "as built in bindings-node/ (may be debug)",
    },
  };
}

// --- HTTP -------------------------------------------------------------------------------------

function get(port, path, headers, timeoutMs = 5000) {
  return new Promise((resolveGet, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolveGet({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Runs one app in its own Node process on a loopback port; returns its port and a stop. */
async function startApp(kind, sqlitePath, jwksOrigin, logPath, token) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), "--serve", kind, "--sqlite", sqlitePath, "--jwks-origin", jwksOrigin],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production", TESSERA_BENCH_TOKEN: token } },
  );
  let output = "";
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} app did not listen in 30 s`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /port (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => (output += c));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} app exited (${code})`));
    });
  }).catch((err) => {
    writeFileSync(logPath, output);
    fail(`${err.message}; output in ${logPath}`);
  });
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.removeAllListeners("exit");
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      writeFileSync(logPath, output);
    },
  };
}

/** CPU seconds (user + system) process `pid` has used, from /proc; NaN where there is none. */
function processCpuSeconds(pid) {
  try {
    // Fields after the command name (which may hold spaces, so split after its ")"): utime and
    // stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const WRK_UNITS = { us: 1e-6, ms: 1e-3, s: 1, m: 60 };
function wrkTime(text) {
  const m = /^([0-9.]+)(us|ms|s|m)$/.exec(text ?? "");
  return m ? Number(m[1]) * WRK_UNITS[m[2]] : NaN;
}

function runWrk(port, headers, seconds) {
  const cmd = ["-t" + args["wrk-threads"], "-c" + args.connections, `-d${seconds}s`, "--latency", "--timeout", "5s"];
  for (const [k, v] of Object.entries(headers)) cmd.push("-H", `${k}: ${v}`);
  cmd.push(`http://127.0.0.1:${port}/getJWT`);
  const out = execFileSync("wrk", cmd, { encoding: "utf8", timeout: (Number(seconds) + 30) * 1000 });
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (!rps) fail(`could not read wrk's output:\n${out}`);
  return {
    rps: Number(rps[1]),
    p50: wrkTime(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99: wrkTime(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    bad: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors:(.*)/.exec(out)?.[1].trim() ?? "",
  };
}

/** One process of the fallback load generator: `connections` keep-alive connections, each
 * sending the next request when the last answer is in; prints `{ok, bad, latencies}` as JSON. */
async function loadWorker(spec) {
  const { port, headers, seconds, connections } = JSON.parse(spec);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const stop = performance.now() + seconds * 1000;
  let ok = 0;
  let bad = 0;
  const lat = [];
  const one = () =>
    new Promise((done) => {
      const t0 = performance.now();
      const req = http.get({ host: "127.0.0.1", port, path: "/getJWT", headers, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) ok++;
          else bad++;
          if ((ok + bad) % 16 === 0) lat.push((performance.now() - t0) / 1000);
          done();
        });
      });
      req.on("error", () => {
        bad++;
        done();
      });
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < stop) await one();
    }),
  );
  agent.destroy();
  console.log(JSON.stringify({ ok, bad, lat }));
}

async function runNodeLoad(port, headers, seconds) {
  const connections = Number(args.connections);
  const procs = Math.max(1, Math.min(connections, os.availableParallelism?.() ?? os.cpus().length));
  const results = await Promise.all(
    Array.from({ length: procs }, (_, i) => {
      const mine = Math.floor(connections / procs) + (i < connections % procs ? 1 : 0);
      const spec = JSON.stringify({ port, headers, seconds: Number(seconds), connections: mine });
      return new Promise((done, reject) => {
        const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--load-worker", spec], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.on("exit", (code) => (code === 0 ? done(JSON.parse(out)) : reject(new Error(`load worker exited ${code}`))));
      });
    }),
  );
  const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
  const pct = (q) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] : NaN);
  const ok = results.reduce((s, r) => s + r.ok, 0);
  return { rps: ok / Number(seconds), p50: pct(0.5), p99: pct(0.99), bad: results.reduce((s, r) => s + r.bad, 0), socketErrors: "" };
}

function hasWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (err) {
    // wrk prints its version and exits 1; only a missing binary is ENOENT.
    return err.code !== "ENOENT";
  }
}

async function httpBenchmarks(verify, tmp, log) {
  const useWrk = !args["no-wrk"] && hasWrk();
  const rounds = Number(args["http-rounds"]);
  const loadgen = useWrk
    ? `wrk -t${args["wrk-threads"]} -c${args.connections}`
    : `Node http client, ${args.connections} connections (wrk not found: figures are bound by the load generator, not the server)`;
  log(`==> Express /getJWT: ${args.warmup} s warm-up, then the median of ${rounds} interleaved rounds of ${args.duration} s (order turning each round), ${loadgen}`);
  const sessionHeaders = { Cookie: `${ACCESS_TOKEN_COOKIE}=${verify.token}` };
  const kinds = [
    ["bare", "bare route (constant JSON, no session)", BARE_BODY],
    ["bare-token", "bare route answering the token (constant, no session)", { token: verify.token }],
    ["tessera", "Tessera verifySession + middleware", { token: verify.token }],
    ["tessera-nocache", "Tessera, verified-token cache off", { token: verify.token }],
    ["supertokens", "supertokens-node verifySession + middleware", { token: verify.token }],
  ];
  const load = (port, seconds) =>
    useWrk ? runWrk(port, sessionHeaders, seconds) : runNodeLoad(port, sessionHeaders, seconds);
  // Every app runs for the whole benchmark (an idle one costs nothing) so that the rounds can
  // be interleaved, as the verification rounds are: other work on the machine then weighs on
  // all of them alike instead of on whichever app happened to run at the time.
  const apps = [];
  try {
    for (const [kind, label, expected] of kinds) {
      const app = await startApp(kind, verify.sqlitePath, verify.stub.origin, join(tmp, `express-${kind}.log`), verify.token);
      apps.push({ kind, label, app, runs: [] });
      const ok = await get(app.port, "/getJWT", sessionHeaders);
      if (ok.status !== 200 || JSON.stringify(JSON.parse(ok.body)) !== JSON.stringify(expected)) {
        fail(`${kind} /getJWT answered ${ok.status} ${ok.body.slice(0, 200)}`);
      }
      if (!kind.startsWith("bare")) {
        const none = await get(app.port, "/getJWT", {});
        if (none.status !== 401) fail(`${kind} /getJWT without a session answered ${none.status} ${none.body}`);
      }
    }
    for (const a of apps) await load(a.app.port, args.warmup);
    for (let round = 0; round < rounds; round++) {
      // Each round starts one app later, so no app always runs right after the same one (or
      // always first, when a neighbour's build may just have started).
      for (let i = 0; i < apps.length; i++) {
        const a = apps[(round + i) % apps.length];
        const cpu0 = processCpuSeconds(a.app.pid);
        const run = await load(a.app.port, args.duration);
        const requests = run.rps * Number(args.duration);
        a.runs.push({ ...run, round, cpuPerRequest: (processCpuSeconds(a.app.pid) - cpu0) / requests });
      }
      log(`    round ${round + 1}: ${apps.map((a) => `${a.kind} ${fmt(a.runs.at(-1).rps)}`).join(", ")} req/s`);
    }
  } finally {
    await Promise.all(apps.map((a) => a.app.stop()));
  }
  const out = { loadgen, rounds, apps: [] };
  const bareRuns = apps.find((a) => a.kind === "bare").runs;
  const bareIn = (round) => bareRuns.find((x) => x.round === round);
  for (const { kind, label, runs } of apps) {
    const rps = median(runs.map((x) => x.rps));
    const share = median(runs.map((x) => x.rps / bareIn(x.round).rps));
    const cpuPerRequest = median(runs.map((x) => x.cpuPerRequest));
    // The latencies shown are those of the round whose req/s is nearest the median.
    const mid = runs.reduce((best, x) => (Math.abs(x.rps - rps) < Math.abs(best.rps - rps) ? x : best));
    const r = {
      ...mid,
      rps,
      share,
      shares: runs.map((x) => x.rps / bareIn(x.round).rps),
      cpuPerRequest,
      bad: runs.reduce((n, x) => n + x.bad, 0),
      socketErrors: runs.map((x) => x.socketErrors).filter(Boolean).join("; "),
    };
    if (r.bad || r.socketErrors) {
      log(`    warning: ${kind}: ${r.bad} non-2xx responses, socket errors: ${r.socketErrors || "none"}`);
    }
    log(
      `    ${label.padEnd(56)} ${fmt(r.rps).padStart(7)} req/s  ${(100 * share).toFixed(1).padStart(5)}% bare  server CPU ${(cpuPerRequest * 1e6).toFixed(0).padStart(4)} µs/req  (per-round % bare: ${r.shares.map((x) => (100 * x).toFixed(0)).join(", ")})`,
    );
    out.apps.push({ kind, label, r });
  }
  return out;
}

// --- in-process per-request cost --------------------------------------------------------------

/** Runs scripts/bench-node/overhead.mjs in a process of its own (a fresh heap, and no
 * benchmark state of this one), and returns its JSON. */
function overheadBenchmark(log) {
  const rounds = 7;
  const requests = 10_000;
  const connections = 16;
  log(`==> Express + Tessera per request, in one process: ${rounds} interleaved rounds of ${requests} requests`);
  const out = execFileSync(
    process.execPath,
    [join(HERE, "bench-node", "overhead.mjs"), "--json", "--rounds", String(rounds), "--requests", String(requests), "--connections", String(connections)],
    { encoding: "utf8", env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 },
  );
  const result = JSON.parse(out.slice(out.lastIndexOf("\n{") + 1));
  for (const r of result.http) log(`    ${r.label.padEnd(64)} ${r.cpuUs.toFixed(1).padStart(7)} CPU µs/req`);
  return { rounds, requests, connections, ...result };
}

// --- report -----------------------------------------------------------------------------------

const fmt = (x) => Math.round(x).toLocaleString("en-US");

/** "2.1x crypto.verify" above the reference, "0.45x crypto.verify" below it. */
const times = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`;

function report(verify, httpResults, overhead, elapsedS) {
  const perS = Object.fromEntries(verify.rows.map((r) => [r.key, 1 / r.sec]));
  const floor = perS.crypto;
  const lines = [];
  lines.push("Tessera Node benchmarks (one access token, one RSA-2048 key, all verifiers)");
  lines.push("  " + Object.entries(verify.versions).map(([k, v]) => `${k} ${v}`).join("; "));
  lines.push(`  ${os.availableParallelism?.() ?? os.cpus().length} CPUs; medians of ${args.rounds} rounds; token kid ${verify.kid}`);
  // Other work on the machine moves every figure; the load average says how much there was.
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  lines.push(`  load average before: ${verify.loadBefore}; after: ${load}`);
  lines.push("");
  lines.push(
    `${"verification".padEnd(66)} ${"median µs".padStart(10)} ${"per s".padStart(11)} ${"vs crypto".padStart(10)} ${"vs ST".padStart(7)} ${"vs fast-jwt".padStart(12)}`,
  );
  lines.push("-".repeat(121));
  for (const r of verify.rows) {
    const x = perS[r.key];
    lines.push(
      `${r.label.padEnd(66)} ${(r.sec * 1e6).toFixed(2).padStart(10)} ${fmt(x).padStart(11)} ${times(x / floor).padStart(10)} ${times(x / perS.supertokens).padStart(7)} ${times(x / perS.fastjwt).padStart(12)}`,
    );
  }
  const calls = Object.keys(verify.stubCallsWhileTiming).length ? JSON.stringify(verify.stubCallsWhileTiming) : "none";
  lines.push(`supertokens-node's calls to the stub core: ${JSON.stringify(verify.stubAfterWarmup)} while warming up, ${calls} while timed`);
  lines.push("");
  lines.push("Ratios:");
  const ratio = (name, key, ref, refName) => lines.push(`  ${name}: ${times(perS[key] / perS[ref])} ${refName}`);
  ratio("Tessera verify (public API, cache off)", "tessera_whole", "crypto", "crypto.verify");
  ratio("Tessera verify (native sync, cache off)", "tessera_native", "crypto", "crypto.verify");
  ratio("Tessera verify (public API, cache off)", "tessera_whole", "supertokens", "supertokens-node");
  ratio("Tessera verify (public API, cache off)", "tessera_whole", "fastjwt", "fast-jwt without cache");
  ratio("Tessera verify (public API, cache off)", "tessera_whole", "jose", "jose");
  ratio("Tessera repeated token (public API)", "tessera_whole_cached", "fastjwt_cached", "fast-jwt with cache");
  ratio("Tessera repeated token (native sync)", "tessera_native_cached", "fastjwt_cached", "fast-jwt with cache");

  const goals = [];
  const whole = perS.tessera_whole;
  goals.push([
    "Tessera whole verification >= Node's bare crypto.verify",
    whole >= floor,
    `${fmt(whole)}/s vs ${fmt(floor)}/s = ${times(whole / floor)} (native sync: ${times(perS.tessera_native / floor)})`,
  ]);
  goals.push([
    `Tessera whole verification >= ${GOAL_VS_SUPERTOKENS}x supertokens-node`,
    whole >= GOAL_VS_SUPERTOKENS * perS.supertokens,
    `${times(whole / perS.supertokens)}`,
  ]);
  goals.push([
    "Tessera whole verification ahead of fast-jwt without cache",
    whole > perS.fastjwt,
    `${times(whole / perS.fastjwt)} (native sync: ${times(perS.tessera_native / perS.fastjwt)})`,
  ]);
  goals.push([
    "Tessera repeated token ahead of fast-jwt with cache",
    perS.tessera_whole_cached > perS.fastjwt_cached,
    `${fmt(perS.tessera_whole_cached)}/s vs ${fmt(perS.fastjwt_cached)}/s = ${times(perS.tessera_whole_cached / perS.fastjwt_cached)} (native sync: ${times(perS.tessera_native_cached / perS.fastjwt_cached)})`,
  ]);

  if (httpResults !== null) {
    const apps = Object.fromEntries(httpResults.apps.map((a) => [a.kind, a]));
    const bareCpu = apps.bare.r.cpuPerRequest;
    lines.push("");
    lines.push(
      `Express ${verify.versions.express} GET /getJWT (1 process each, ${httpResults.loadgen}, ${httpResults.rounds} interleaved rounds of ${args.duration} s)`,
    );
    lines.push("  req/s: median of the rounds; % bare: median of the per-round ratios to the bare route (constant JSON);");
    lines.push("  server CPU: the app process's CPU time per request (median), and the bare route's as a share of it,");
    lines.push("  which is the req/s share a server with a core of its own would reach");
    lines.push(
      `${"app".padEnd(58)} ${"req/s".padStart(8)} ${"% bare".padStart(7)} ${"CPU µs/req".padStart(11)} ${"CPU % bare".padStart(11)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"non-2xx".padStart(8)}`,
    );
    lines.push("-".repeat(124));
    for (const { label, r } of httpResults.apps) {
      lines.push(
        `${label.padEnd(58)} ${fmt(r.rps).padStart(8)} ${(100 * r.share).toFixed(1).padStart(6)}% ${(r.cpuPerRequest * 1e6).toFixed(1).padStart(11)} ${((100 * bareCpu) / r.cpuPerRequest).toFixed(1).padStart(10)}% ${(r.p50 * 1e3).toFixed(2).padStart(7)} ${(r.p99 * 1e3).toFixed(2).padStart(7)} ${String(r.bad).padStart(8)}`,
      );
    }
    lines.push(`  per-round % bare: ${httpResults.apps.filter((a) => a.kind !== "bare").map(({ kind, r }) => `${kind} ${r.shares.map((x) => (100 * x).toFixed(0)).join("/")}`).join("; ")}`);
    const share = apps.tessera.r.share;
    const vsSt = median(apps.tessera.r.shares.map((x, i) => x / apps.supertokens.r.shares[i]));
    lines.push(
      `  Tessera: ${(100 * share).toFixed(1)}% of bare, ${(100 * apps.tessera.r.share / apps["bare-token"].r.share).toFixed(1)}% of the bare route answering the token, ${times(vsSt)} supertokens-node (req/s); ${((100 * bareCpu) / apps.tessera.r.cpuPerRequest).toFixed(1)}% of bare by server CPU`,
    );
    // The goal is judged against the bare route answering a body of the same size: the share
    // of a request that is the library's, not Express's cost of a larger JSON answer. The
    // small-constant figures stay beside it.
    const sameBody = median(apps.tessera.r.shares.map((x, i) => x / apps["bare-token"].r.shares[i]));
    const sameBodyCpu = apps["bare-token"].r.cpuPerRequest / apps.tessera.r.cpuPerRequest;
    goals.push([
      `/getJWT with Tessera >= ${GOAL_GETJWT_SHARE * 100}% of the bare route answering the same body`,
      sameBody >= GOAL_GETJWT_SHARE,
      `${(sameBody * 100).toFixed(1)}% (by server CPU: ${(100 * sameBodyCpu).toFixed(1)}%); of the small-constant bare route ${(share * 100).toFixed(1)}% (by server CPU: ${((100 * bareCpu) / apps.tessera.r.cpuPerRequest).toFixed(1)}%; supertokens-node: ${(100 * apps.supertokens.r.share).toFixed(1)}%)`,
    ]);
    if (httpResults.apps.some(({ r }) => r.bad || r.socketErrors)) {
      lines.push("warning: some responses were not 2xx or sockets failed: the req/s above count them");
    }
  }

  if (overhead !== null) {
    lines.push("");
    lines.push(
      `What Tessera adds to one Express request, in one process (scripts/bench-node/overhead.mjs: ${overhead.connections} keep-alive connections from a raw-socket client in the same process, ${overhead.rounds} interleaved rounds of ${fmt(overhead.requests)} requests; CPU time, which the client costs every app alike)`,
    );
    const ref = overhead.http.find((r) => r.kind === "bare-token");
    for (const r of overhead.http) {
      lines.push(`  ${r.label.padEnd(64)} ${r.cpuUs.toFixed(1).padStart(7)} CPU µs/req  ${(r.cpuUs - ref.cpuUs >= 0 ? "+" : "") + (r.cpuUs - ref.cpuUs).toFixed(1)} vs the bare route answering the token`);
    }
    for (const h of overhead.handlers) lines.push(`  handler called directly: ${h.label.padEnd(48)} ${(h.ns / 1000).toFixed(2).padStart(6)} µs`);
  }

  lines.push("");
  lines.push("Goals (issue 4):");
  for (const [text, met, shown] of goals) lines.push(`  [${met ? "MET" : "MISSED"}] ${text}: ${shown}`);
  const allMet = goals.every(([, met]) => met);
  lines.push("");
  lines.push(`${allMet ? "All goals met." : "Some goals were missed."} (${elapsedS.toFixed(0)} s)`);
  return { text: lines.join("\n") + "\n", allMet };
}

async function main() {
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.serve) {
    await serve(args.serve, args.sqlite, args["jwks-origin"]);
    return undefined;
  }
  if (args["load-worker"]) {
    await loadWorker(args["load-worker"]);
    return 0;
  }
  const started = performance.now();
  const log = (line) => console.log(line);
  if (!process.env.NAPI_RS_NATIVE_LIBRARY_PATH) {
    log("warning: NAPI_RS_NATIVE_LIBRARY_PATH is not set: measuring whatever addon bindings-node/ holds (run scripts/bench-node.sh for a release build)");
  }
  const tmp = mkdtempSync(join(os.tmpdir(), "tessera-bench-node-"));
  let verify;
  let httpResults = null;
  let overhead = null;
  try {
    verify = await verifyBenchmarks(tmp, log);
    try {
      if (!args["no-http"]) httpResults = await httpBenchmarks(verify, tmp, log);
    } finally {
      await verify.stub.close();
    }
    if (!args["no-overhead"]) overhead = overheadBenchmark(log);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { text, allMet } = report(verify, httpResults, overhead, (performance.now() - started) / 1000);
  console.log();
  process.stdout.write(text);
  if (args.report) {
    mkdirSync(dirname(resolve(args.report)), { recursive: true });
    writeFileSync(args.report, text);
    console.log(`(written to ${args.report})`);
  }
  return args.strict && !allMet ? 1 : 0;
}

const code = await main();
// supertokens-node and the engines keep handles open; the benchmark is done.
if (code !== undefined) process.exit(code);
