// The machinery of the differential test: a stub of the SuperTokens core for supertokens-node,
// the two Express apps (Tessera's and supertokens-node's, routes and options alike), a raw HTTP
// client, and the normalisation that turns an answer into what the comparison looks at.
import crypto from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { V1_HEADER, V2_HEADER } from "./tokens.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
// supertokens-node and express from this directory's package.json; the package under test
// through its own name, resolved from inside bindings-node (its `exports` map).
export const requireDep = createRequire(join(HERE, "package.json"));
export const requireTessera = createRequire(join(ROOT, "bindings-node", "package.json"));

// --- the stub core ---------------------------------------------------------------------------

const b64urlJson = (seg) => JSON.parse(Buffer.from(seg, "base64url").toString("utf8"));

/**
 * What the real core answers `/recipe/session/verify` with, for the tokens of the corpus: the
 * signature checked against the keys it publishes, the expiry, the anti-CSRF token when asked,
 * and whether the session was revoked through this stub (sign-out). Sessions are otherwise
 * taken to exist: the corpus only sends checkDatabase requests with sessions that Tessera's
 * store also holds.
 */
function verifyLikeCore(body, keys, revoked) {
  const token = String(body.accessToken ?? "");
  const parts = token.split(".");
  const tryRefresh = (message) => ({ status: "TRY_REFRESH_TOKEN", message });
  if (parts.length !== 3) return tryRefresh("Invalid JWT");
  const [h, p, s] = parts;
  const legacy = h === V2_HEADER || h === V1_HEADER;
  let payload;
  try {
    payload = b64urlJson(p);
  } catch {
    return tryRefresh("Invalid JWT");
  }
  const input = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, legacy ? "base64" : "base64url");
  let candidates = keys;
  if (!legacy) {
    let header;
    try {
      header = b64urlJson(h);
    } catch {
      return tryRefresh("Invalid JWT");
    }
    if (header.alg !== "RS256") return tryRefresh("JWT header mismatch - alg");
    candidates = keys.filter((k) => k.kid === header.kid);
  }
  const ok = candidates.some((k) =>
    crypto.verify("sha256", input, crypto.createPublicKey({ key: k, format: "jwk" }), signature),
  );
  if (!ok) return tryRefresh("Invalid JWT signature");
  const expiryMs = legacy ? payload.expiryTime : payload.exp * 1000;
  if (!(expiryMs > Date.now())) return tryRefresh("Access token expired");
  if (body.doAntiCsrfCheck && body.enableAntiCsrf && payload.antiCsrfToken !== body.antiCsrfToken) {
    return tryRefresh("anti-csrf check failed");
  }
  if (revoked.has(payload.sessionHandle)) return { status: "UNAUTHORISED", message: "Session does not exist." };
  const userId = legacy ? payload.userId : payload.sub;
  const protectedClaims = new Set(["sub", "iat", "exp", "sessionHandle", "refreshTokenHash1", "parentRefreshTokenHash1", "antiCsrfToken", "iss", "tId", "rsub"]);
  const userDataInJWT = legacy
    ? payload.userData
    : Object.fromEntries(Object.entries(payload).filter(([k]) => !protectedClaims.has(k)));
  return {
    status: "OK",
    session: {
      handle: payload.sessionHandle,
      userId,
      recipeUserId: legacy ? userId : (payload.rsub ?? userId),
      userDataInJWT,
      tenantId: legacy ? "public" : (payload.tId ?? "public"),
      expiryTime: expiryMs,
    },
  };
}

/**
 * A local stand-in for the SuperTokens core, for supertokens-node: the CDI version, a JWKS
 * document the test sets (Tessera's keys, or the test's own), refresh (every refresh token of
 * the corpus is unknown to it: `UNAUTHORISED`, as the real core answers), session removal
 * (remembered, so that checkDatabase then sees the session as gone) and verify (see
 * `verifyLikeCore`). Anything else is answered 404 and recorded in `unexpected`.
 */
export async function startStubCore() {
  const state = { jwks: { keys: [] }, revoked: new Set(), hits: {}, unexpected: [] };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const path = req.url.split("?", 1)[0];
      state.hits[path] = (state.hits[path] ?? 0) + 1;
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        /* answered below as an unexpected call */
      }
      const send = (status, value) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(value));
      };
      if (req.method === "GET" && path === "/apiversion") return send(200, { versions: ["5.3", "5.4"] });
      if (req.method === "GET" && path === "/.well-known/jwks.json") return send(200, state.jwks);
      if (req.method === "GET" && path === "/recipe/jwt/jwks") return send(200, { status: "OK", ...state.jwks });
      if (req.method === "POST" && path.endsWith("/recipe/session/refresh")) {
        return send(200, { status: "UNAUTHORISED", message: "Refresh token is invalid or the session was revoked" });
      }
      if (req.method === "POST" && path.endsWith("/recipe/session/remove")) {
        const handles = Array.isArray(body.sessionHandles) ? body.sessionHandles.map(String) : [];
        const revoked = handles.filter((h) => !state.revoked.has(h));
        handles.forEach((h) => state.revoked.add(h));
        return send(200, { status: "OK", sessionHandlesRevoked: revoked });
      }
      if (req.method === "POST" && path === "/recipe/session/verify") {
        return send(200, verifyLikeCore(body, state.jwks.keys, state.revoked));
      }
      state.unexpected.push(`${req.method} ${req.url} ${raw.slice(0, 200)}`);
      send(404, { message: "not modelled by the differential test's stub core" });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    state,
    setJwks(jwks) {
      state.jwks = jwks;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

// --- the two apps ----------------------------------------------------------------------------

/** The routes both apps serve; each answers what the session it got says (the same token gives
 * the same body in both). `app.all`: the corpus varies the method (GET, POST, HEAD, OPTIONS...). */
export const ROUTES = [
  ["/sess", {}],
  ["/optional", { sessionRequired: false }],
  ["/csrf", { antiCsrfCheck: true }],
  ["/nocsrf", { antiCsrfCheck: false }],
  ["/db", { checkDatabase: true }],
];

function sessionAnswer(req, res) {
  const s = req.session;
  if (s === undefined || s === null) return res.json({ session: null });
  res.json({
    session: {
      userId: s.getUserId(),
      handle: s.getHandle(),
      tenantId: s.getTenantId(),
      payload: s.getAccessTokenPayload(),
    },
  });
}

/** An Express app with `lib`'s middleware, the routes of ROUTES and `lib`'s error handler; errors
 * no handler answered end as 500 `{"unhandledError": true}` and are logged in `unhandled`. */
export function buildApp(lib, unhandled) {
  const express = requireDep("express");
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.use(lib.middleware());
  for (const [path, options] of ROUTES) app.all(path, lib.verifySession(options), sessionAnswer);
  app.use(lib.errorHandler());
  app.use((err, req, res, _next) => {
    unhandled.push({ lib: lib.name, request: `${req.method} ${req.url.slice(0, 100)}`, error: String(err?.message ?? err).split("\n", 1)[0] });
    if (!res.headersSent) res.status(500).json({ unhandledError: true });
  });
  return app;
}

/** Serves `app` on a loopback port. Headers up to 1 MiB: the corpus's 100 KB tokens must reach
 * the libraries, not Node's default 16 KB limit. */
export async function serve(app) {
  const server = http.createServer({ maxHeaderSize: 1 << 20 }, app);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(r);
      }),
  };
}

/** Sends one request. `headers` is a list of [name, value] pairs; a name given twice is sent
 * twice (Node's client joins `cookie` lines with "; ", as the server would). Values are sent as
 * latin1, so "\xff" is the byte 0xff. */
export function send(port, { method, path, headers = [] }) {
  const grouped = {};
  for (const [name, value] of headers) {
    const k = name.toLowerCase();
    grouped[k] = k in grouped ? [].concat(grouped[k], value) : value;
  }
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: grouped, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolvePromise({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

// --- normalisation ---------------------------------------------------------------------------

/** How a token-carrying header was answered: not at all, removed ("remove" for front-token,
 * an empty value for the others), or set to a (random) value. */
function headerState(value) {
  if (value === undefined) return "absent";
  if (value === "remove") return "remove";
  if (value === "") return "empty";
  return "set";
}

/** One Set-Cookie as the attributes that matter, the value reduced to set/cleared (token values
 * are random) and the expiry to its meaning. */
export function cookieSummary(setCookie) {
  const [pair, ...attrs] = setCookie.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const name = eq < 0 ? pair : pair.slice(0, eq);
  const value = eq < 0 ? "" : pair.slice(eq + 1);
  const a = {};
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const k = (i < 0 ? attr : attr.slice(0, i)).toLowerCase();
    a[k] = i < 0 ? true : attr.slice(i + 1);
  }
  let expiry = "session";
  if (a["max-age"] !== undefined) expiry = Number(a["max-age"]) <= 0 ? "past" : "future";
  else if (a.expires !== undefined) {
    const t = Date.parse(a.expires);
    expiry = t === 0 ? "epoch" : t < Date.now() ? "past" : "future";
  }
  const cleared = value === "" || expiry === "epoch" || expiry === "past";
  return [
    name,
    cleared ? "cleared" : "set",
    `Path=${a.path ?? "-"}`,
    `Domain=${a.domain ?? "-"}`,
    `SameSite=${String(a.samesite ?? "-").toLowerCase()}`,
    a.secure ? "Secure" : "-",
    a.httponly ? "HttpOnly" : "-",
    `expires:${expiry}`,
  ].join(" ");
}

function canonicalBody(text) {
  if (text === "") return "";
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return `(text) ${text.slice(0, 300)}`;
  }
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** What the comparison looks at, field by field (each a string, so that a difference prints). */
export function normalise(answer) {
  const h = answer.headers;
  const cookies = [].concat(h["set-cookie"] ?? []).map(cookieSummary).sort();
  const expose = String(h["access-control-expose-headers"] ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return {
    status: String(answer.status),
    body: canonicalBody(answer.body),
    "set-cookie": cookies.length ? cookies.join(" | ") : "(none)",
    "front-token": headerState(h["front-token"]),
    "st-access-token": headerState(h["st-access-token"]),
    "st-refresh-token": headerState(h["st-refresh-token"]),
    "anti-csrf": headerState(h["anti-csrf"]),
    "access-control-expose-headers": [...new Set(expose)].sort().join(", ") || "(none)",
  };
}

/** The fields whose normalised values differ: [{field, reference, tessera}]. */
export function compare(reference, tessera) {
  const a = normalise(reference);
  const b = normalise(tessera);
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((field) => ({ field, reference: a[field], tessera: b[field] }));
}
