// What Tessera adds to one Express request, measured in one process, so that neither a load
// generator nor the other work on the machine decides the figure (run by scripts/bench-node.mjs
// for its report, or alone: `node scripts/bench-node/overhead.mjs --help`).
//
// Two measurements, each the median of interleaved rounds:
//
// * HTTP: every app listens on loopback in this process and a raw-socket client in the same
//   process keeps `--connections` keep-alive connections busy (one request in flight on each).
//   The event loop is the only thread doing work, so the process's CPU time per request is what
//   the server and the client cost together; the client costs the same for every app, so the
//   difference between two apps is what one adds over the other. CPU time (not wall time) is
//   used because another process taking the core stretches wall time but not our CPU time.
// * handlers: Tessera's Express `middleware()` and `verifySession()` called directly on plain
//   request/response objects, without Express or a socket.
//
// Set NAPI_RS_NATIVE_LIBRARY_PATH to a release build of the addon (scripts/bench-node.sh does).

import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const requireDep = createRequire(join(HERE, "package.json"));
const PACKAGE_DIR = join(ROOT, "bindings-node");

const API_DOMAIN = "http://127.0.0.1:8000";
const APP_INFO = { appName: "bench", apiDomain: API_DOMAIN, websiteDomain: API_DOMAIN };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A minimal keep-alive HTTP/1.1 client: `connections` sockets, each sending the next request
 * as soon as the last response is complete. It reads only the status line, the header end and
 * `Content-Length`, so what it costs is small and the same for every app. */
function rawLoad(port, requestText, connections, total) {
  const request = Buffer.from(requestText, "latin1");
  return new Promise((done, fail) => {
    let sent = 0;
    let answered = 0;
    let bad = 0;
    const sockets = [];
    const finish = () => {
      for (const s of sockets) s.destroy();
      done({ answered, bad });
    };
    for (let c = 0; c < connections; c++) {
      const socket = net.connect(port, "127.0.0.1");
      socket.setNoDelay(true);
      sockets.push(socket);
      let buf = Buffer.alloc(0);
      const next = () => {
        if (sent < total) {
          sent++;
          socket.write(request);
        }
      };
      socket.on("connect", next);
      socket.on("error", fail);
      socket.on("data", (chunk) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = buf.toString("latin1", 0, end);
          const m = /\r\ncontent-length: *(\d+)/i.exec(head);
          const length = m ? Number(m[1]) : 0;
          if (buf.length < end + 4 + length) return;
          if (!head.startsWith("HTTP/1.1 200")) bad++;
          buf = buf.subarray(end + 4 + length);
          answered++;
          if (answered === total) {
            finish();
            return;
          }
          next();
        }
      });
    }
  });
}

/** Median CPU µs and wall µs per request of each app, over `rounds` interleaved rounds. */
export async function measureHttp(apps, { requestText, connections, requests, rounds, log = () => {} }) {
  for (const a of apps) {
    a.cpu = [];
    a.wall = [];
    a.bad = 0;
    await rawLoad(a.port, requestText, connections, Math.max(1000, requests >> 1));
  }
  for (let r = 0; r < rounds; r++) {
    // Every other round in reverse, so that no app always runs right after the same one (its
    // garbage, its place in the caches).
    for (const a of r % 2 ? [...apps].reverse() : apps) {
      const c0 = cpuSeconds();
      const t0 = performance.now();
      const { bad } = await rawLoad(a.port, requestText, connections, requests);
      a.wall.push(((performance.now() - t0) * 1e3) / requests);
      a.cpu.push(((cpuSeconds() - c0) * 1e6) / requests);
      a.bad += bad;
    }
    log(`    round ${r + 1}: ${apps.map((a) => `${a.kind} ${a.cpu.at(-1).toFixed(1)}`).join(", ")} (CPU µs/request)`);
  }
  return apps.map((a) => ({ kind: a.kind, label: a.label, cpuUs: median(a.cpu), wallUs: median(a.wall), bad: a.bad, rounds: a.cpu }));
}

/** Listens on a loopback port; resolves to the port. */
function listen(app) {
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ server, port: server.address().port })));
}

/** Plain objects with what Tessera's Express adapters read and write. */
function fakeExchange(cookie) {
  const req = { method: "GET", url: "/getJWT", originalUrl: "/getJWT", headers: { host: "127.0.0.1", cookie } };
  const headers = new Map();
  const res = {
    headersSent: false,
    statusCode: 200,
    getHeader: (n) => headers.get(n.toLowerCase()),
    setHeader: (n, v) => headers.set(n.toLowerCase(), v),
    removeHeader: (n) => headers.delete(n.toLowerCase()),
    end: () => {},
  };
  return { req, res };
}

/** Median ns per call of each function over interleaved rounds. Each `fn` returns a Promise or
 * not; a Promise is awaited, as Express would run the next handler only after it settles. */
export async function measureHandlers(benches, { rounds, iterations }) {
  const one = async (fn, n) => {
    for (let i = 0; i < n; i++) {
      const p = fn();
      if (p !== undefined) await p;
    }
  };
  for (const b of benches) {
    b.ns = [];
    await one(b.fn, iterations);
  }
  for (let r = 0; r < rounds; r++) {
    for (const b of benches) {
      const t0 = process.hrtime.bigint();
      await one(b.fn, iterations);
      b.ns.push(Number(process.hrtime.bigint() - t0) / iterations);
    }
  }
  return benches.map((b) => ({ label: b.label, ns: median(b.ns) }));
}

/** Mints a token with Tessera's embedded store and builds the apps this harness compares.
 * With `baselineDir` (another built copy of bindings-node/, e.g. of an earlier commit), its
 * seed app runs beside this one's on the same store, as `baseline`. */
export async function setUp(sqlitePath, baselineDir) {
  const express = requireDep("express");
  const requireTessera = createRequire(join(PACKAGE_DIR, "package.json"));
  const Tessera = requireTessera("tessera-session").default;
  const Session = requireTessera("tessera-session/recipe/session").default;
  const { middleware, errorHandler } = requireTessera("tessera-session/framework/express");
  const { verifySession } = requireTessera("tessera-session/recipe/session/framework/express");
  Tessera.init({
    framework: "express",
    supertokens: { connectionURI: `sqlite:${sqlitePath}` },
    appInfo: APP_INFO,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
  });
  const created = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("bench-user"), {
    role: "bench",
  });
  const token = created.getAccessToken();
  const getJWT = (req, res) => res.json({ token: req.session.getAccessToken() });
  const made = (kind, label, build) => {
    const app = express();
    app.disable("x-powered-by");
    build(app);
    return { kind, label, app };
  };
  const apps = [
    made("bare", "bare route, constant JSON", (app) => app.get("/getJWT", (_q, s) => s.json({ token: "bare" }))),
    made("bare-token", "bare route, constant of the token's size", (app) => {
      const body = { token };
      app.get("/getJWT", (_q, s) => s.json(body));
    }),
    made("pass-through", "a pass-through middleware, constant of the token's size", (app) => {
      // What any middleware costs in Express, to tell it from what Tessera's adds.
      const body = { token };
      app.use((_q, _s, next) => next());
      app.get("/getJWT", (_q, s) => s.json(body));
    }),
    made("middleware", "Tessera middleware() only, constant of the token's size", (app) => {
      const body = { token };
      app.use(middleware());
      app.get("/getJWT", (_q, s) => s.json(body));
    }),
    made("verify", "Tessera verifySession() only", (app) => app.get("/getJWT", verifySession(), getJWT)),
    made("tessera", "Tessera middleware() + verifySession() (the seed)", (app) => {
      app.use(middleware());
      app.get("/getJWT", verifySession(), getJWT);
      app.use(errorHandler());
    }),
  ];
  let baseVerifySession;
  if (baselineDir !== undefined) {
    const requireBaseline = createRequire(join(resolve(baselineDir), "package.json"));
    requireBaseline("tessera-session").default.init({
      framework: "express",
      supertokens: { connectionURI: `sqlite:${sqlitePath}` },
      appInfo: APP_INFO,
      recipeList: [requireBaseline("tessera-session/recipe/session").default.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
    });
    const base = {
      middleware: requireBaseline("tessera-session/framework/express").middleware,
      verifySession: requireBaseline("tessera-session/recipe/session/framework/express").verifySession,
    };
    baseVerifySession = base.verifySession;
    apps.push(
      made("baseline", `the seed on ${baselineDir}`, (app) => {
        app.use(base.middleware());
        app.get("/getJWT", base.verifySession(), getJWT);
      }),
    );
  }
  const cookie = `sAccessToken=${token}`;
  const mw = middleware();
  const vs = verifySession();
  const next = () => {};
  const handlers = [
    { label: "middleware() on a non-API path", fn: () => { const { req, res } = fakeExchange(cookie); return mw(req, res, next); } },
    { label: "verifySession() with a valid token", fn: () => { const { req, res } = fakeExchange(cookie); return vs(req, res, next); } },
    { label: "plain objects only (the harness's own cost)", fn: () => { fakeExchange(cookie); } },
  ];
  if (baseVerifySession !== undefined) {
    // In the same interleaved rounds as this copy's, so a change to the handler shows against
    // the same load of the machine.
    const bvs = baseVerifySession();
    handlers.splice(2, 0, { label: "verifySession() with a valid token, baseline", fn: () => { const { req, res } = fakeExchange(cookie); return bvs(req, res, next); } });
  }
  return { token, cookie, apps, handlers };
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      rounds: { type: "string", default: "7" },
      requests: { type: "string", default: "20000" },
      connections: { type: "string", default: "16" },
      only: { type: "string" },
      "no-handlers": { type: "boolean", default: false },
      baseline: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log(`node scripts/bench-node/overhead.mjs [--rounds N] [--requests N per round] [--connections N] [--only kind,kind] [--no-handlers] [--baseline DIR] [--json]\n  --json: the results as one JSON line on stdout, the progress on stderr\n  DIR: another built bindings-node/ whose seed app runs beside this one's`);
    return;
  }
  const log = args.json ? (line) => console.error(line) : (line) => console.log(line);
  const tmp = mkdtempSync(join(os.tmpdir(), "tessera-overhead-"));
  try {
    const { cookie, apps, handlers } = await setUp(join(tmp, "s.sqlite3"), args.baseline);
    const chosen = args.only ? apps.filter((a) => args.only.split(",").includes(a.kind)) : apps;
    for (const a of chosen) Object.assign(a, await listen(a.app));
    const rounds = Number(args.rounds);
    let handlerResults = [];
    if (!args["no-handlers"]) {
      log(`==> handlers called directly, median of ${rounds} rounds`);
      handlerResults = await measureHandlers(handlers, { rounds, iterations: 50_000 });
      for (const h of handlerResults) log(`    ${h.label.padEnd(56)} ${(h.ns / 1000).toFixed(2).padStart(7)} µs`);
    }
    log(`==> HTTP in this process, ${args.connections} keep-alive connections, median of ${rounds} rounds of ${args.requests} requests`);
    const requestText = `GET /getJWT HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n\r\n`;
    const results = await measureHttp(chosen, {
      requestText,
      connections: Number(args.connections),
      requests: Number(args.requests),
      rounds,
      log,
    });
    const ref = results.find((r) => r.kind === "bare-token") ?? results[0];
    for (const r of results) {
      log(
        `    ${r.label.padEnd(56)} CPU ${r.cpuUs.toFixed(1).padStart(6)} µs/req (+${(r.cpuUs - ref.cpuUs).toFixed(1).padStart(5)} vs ${ref.kind})  wall ${r.wallUs.toFixed(1).padStart(6)} µs/req  bad ${r.bad}`,
      );
    }
    if (args.json) console.log(JSON.stringify({ http: results, handlers: handlerResults }));
    for (const a of chosen) a.server.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
