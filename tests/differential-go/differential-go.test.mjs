// The Go differential test: tests/differential's corpus (corpus.mjs) and flows (flows.mjs) sent
// to a Tessera net/http app (cmd/tessera, the Go binding) and to a supertokens-golang net/http
// app (cmd/supertokens) configured alike, both the same application (internal/app), and the
// answers compared with tests/differential's normalisation (harness.mjs `compare`, flows.mjs
// `flowNormalise`). A difference fails the test unless allowlist.mjs excuses it.
//
// As in tests/differential, supertokens-golang talks to the stub core (stub-core.mjs): in the
// "embedded" groups the stub publishes Tessera's JWKS and Tessera's embedded authority (a SQLite
// file) mints the tokens; in the "remote" groups Tessera verifies against the stub too and the
// test mints tokens of every version with its own keys; in the flow groups each app runs its own
// authority (Tessera its store, supertokens-golang the stub).
//
// supertokens-golang's Init is once per process, so each group starts a fresh pair of servers
// (the binaries scripts/differential-go.sh builds into target/differential-go, or $DIFF_GO_BIN),
// configured through $DIFF_CONFIG. Errors neither library answered are reported by the servers
// on stderr and collected here.
//
// DIFF_REPORT=FILE writes every difference found, excused or not, with the requests and both
// raw answers, as JSON.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { corpus } from "../differential/corpus.mjs";
import { Client, flowNormalise, flowSteps } from "../differential/flows.mjs";
import { compare, send, startStubCore } from "../differential/harness.mjs";
import { V1_HEADER, makeKey, publicPemOf, signJwt, signLegacy, split, v2Payload, v5Payload } from "../differential/tokens.mjs";
import { ALLOWLIST } from "./allowlist.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.DIFF_GO_BIN ?? resolve(HERE, "..", "..", "target", "differential-go");

const LOCAL = { appName: "differential", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" };
const SAME_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.com" };
const CROSS_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.org" };

// tests/differential's groups, as data: `tokenTransferMethod` names the Node groups'
// getTokenTransferMethod functions ("cookie-for-create": cookie for createNewSession, else
// any), which both servers turn back into GetTokenTransferMethod.
const GROUPS = [
  { name: "default", keys: "embedded", appInfo: LOCAL, session: {} },
  { name: "custom-header", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_CUSTOM_HEADER" } },
  { name: "via-token", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
  { name: "expose", keys: "embedded", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true } },
  { name: "header-only", keys: "embedded", appInfo: LOCAL, session: { tokenTransferMethod: "header" } },
  { name: "cookie-only", keys: "embedded", appInfo: LOCAL, session: { tokenTransferMethod: "cookie" } },
  { name: "domains", keys: "embedded", appInfo: SAME_SITE, session: { cookieDomain: ".example.com", olderCookieDomain: "api.example.com" } },
  { name: "older-host-only", keys: "embedded", appInfo: SAME_SITE, session: { cookieDomain: ".example.com", olderCookieDomain: "" } },
  { name: "cross-site", keys: "embedded", appInfo: CROSS_SITE, session: {} },
  { name: "static-keys", keys: "embedded", appInfo: LOCAL, session: { useDynamicAccessTokenSigningKey: false } },
  { name: "remote", keys: "remote", appInfo: LOCAL, session: {} },
  { name: "remote-via-token", keys: "remote", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
];

// tests/differential's flow groups (see its FLOW_GROUPS). flow-local-secure-lax leaves out
// accessTokenPath: supertokens-golang has no such option.
const GRACE_S = 30;
const FLOW_GROUPS = [
  { name: "flow-default", appInfo: LOCAL, session: {} },
  { name: "flow-via-token", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
  { name: "flow-custom-header", appInfo: LOCAL, session: { antiCsrf: "VIA_CUSTOM_HEADER" } },
  { name: "flow-anti-csrf-none", appInfo: LOCAL, session: { antiCsrf: "NONE" } },
  { name: "flow-expose", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true } },
  { name: "flow-expose-via-token", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true, antiCsrf: "VIA_TOKEN" } },
  { name: "flow-same-site-domain", appInfo: SAME_SITE, session: { cookieDomain: ".Example.com", cookieSameSite: "strict" } },
  { name: "flow-cross-site", appInfo: CROSS_SITE, session: {} },
  { name: "flow-cross-site-insecure", appInfo: CROSS_SITE, session: { cookieSecure: false }, flows: { modes: ["header"] } },
  { name: "flow-local-secure-lax", appInfo: LOCAL, session: { cookieSecure: true, cookieSameSite: "lax" } },
  { name: "flow-header-only", appInfo: LOCAL, session: { tokenTransferMethod: "header" } },
  { name: "flow-cookie-only", appInfo: LOCAL, session: { tokenTransferMethod: "cookie", antiCsrf: "VIA_TOKEN" } },
  { name: "flow-cookie-for-create", appInfo: LOCAL, session: { tokenTransferMethod: "cookie-for-create" } },
  { name: "flow-static-keys", appInfo: LOCAL, session: { useDynamicAccessTokenSigningKey: false } },
  {
    name: "flow-rotation",
    appInfo: LOCAL,
    session: { antiCsrf: "VIA_TOKEN" },
    tessera: { refreshTokenRotationGracePeriod: 1 },
    core: { graceMs: 1000 },
    flows: { basic: false, modes: ["cookie"], rotation: 1200 },
  },
  {
    name: "flow-expiring",
    appInfo: LOCAL,
    session: { antiCsrf: "VIA_TOKEN" },
    tessera: { accessTokenValidity: 2 },
    core: { accessTokenValidityMs: 2000 },
    flows: { basic: false, expiring: 2100 },
  },
];

const dir = mkdtempSync(join(tmpdir(), "tessera-differential-go-"));
const sqlite = `sqlite:${join(dir, "sessions.sqlite3")}`;
const unhandled = [];
const found = [];
const answered = [];
const running = new Set();
let stub;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts one server (`side`: "tessera" or "supertokens") with `config`; resolves when it
 * listens. Its UNHANDLED lines on stderr go to `unhandled`. */
function startApp(side, config) {
  const bin = join(BIN, side);
  assert.ok(existsSync(bin), `${bin} is missing: run scripts/differential-go.sh`);
  const child = spawn(bin, [], { env: { ...process.env, DIFF_CONFIG: JSON.stringify(config) }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    let i;
    while ((i = stderr.indexOf("\n")) >= 0) {
      const line = stderr.slice(0, i);
      stderr = stderr.slice(i + 1);
      if (line.startsWith("UNHANDLED ")) unhandled.push(JSON.parse(line.slice(10)));
      else if (line.trim()) process.stderr.write(`[${side}] ${line}\n`);
    }
  });
  const exited = new Promise((r) => child.on("exit", r));
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^PORT (\d+)\n/.exec(out);
      if (m) {
        resolvePromise({
          port: Number(m[1]),
          close: async () => {
            child.kill("SIGTERM");
            await exited;
            running.delete(child);
          },
        });
      }
    });
    exited.then((code) => reject(new Error(`${side} server exited (${code}) before listening: ${stderr}`)));
  });
}

const tesseraConfig = (appInfo, session, { connectionURI = sqlite, tessera = {} } = {}) => ({ connectionURI, appInfo, session, tessera });

/** A token minted by Tessera's embedded authority (the server's test route), with its
 * anti-CSRF token. */
async function mint(app, userId) {
  const res = await send(app.port, { method: "POST", path: `/__test/mint?user=${encodeURIComponent(userId)}` });
  assert.equal(res.status, 200, `mint: ${res.body}`);
  const { token, antiCsrf } = JSON.parse(res.body);
  return { token, antiCsrf: antiCsrf ?? null };
}

async function withTessera(config, fn) {
  const app = await startApp("tessera", config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

// Tokens minted once, before the groups, by the same store (so the same keys throughout): an
// expiring one (1 s validity), a static-key one and a dynamic-key one.
const shared = {};
const remoteKeys = {};

before(async () => {
  stub = await startStubCore();
  shared.expired = (await withTessera(tesseraConfig(LOCAL, {}, { tessera: { accessTokenValidity: 1 } }), (a) => mint(a, "user-expired"))).token;
  shared.static = (await withTessera(tesseraConfig(LOCAL, { useDynamicAccessTokenSigningKey: false }), (a) => mint(a, "user-static"))).token;
  shared.dynamic = (await withTessera(tesseraConfig(LOCAL, {}), (a) => mint(a, "user-dynamic"))).token;
  const wait = split(shared.expired).payload.exp * 1000 - Date.now() + 50;
  if (wait > 0) await sleep(wait);

  remoteKeys.dynamic = makeKey(`d-${Date.now() - 60_000}`);
  remoteKeys.static = makeKey("s-7d3f2a10-5c4b-4e6a-9f8e-1a2b3c4d5e6f");
  remoteKeys.foreign = makeKey(`d-${Date.now() - 120_000}`);
});

after(async () => {
  if (process.env.DIFF_REPORT) {
    writeFileSync(process.env.DIFF_REPORT, JSON.stringify({ differences: found, answered, unhandled, stubUnexpected: stub?.state.unexpected ?? [] }, null, 1));
  }
  for (const child of running) child.kill("SIGKILL");
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tokens of an embedded group, minted by `app` (Tessera under the group's configuration). */
async function embeddedTokens(group, app) {
  const main = await mint(app, `user-${group.name}`);
  const signout = [await mint(app, `user-${group.name}-signout-1`), await mint(app, `user-${group.name}-signout-2`)];
  const csrf = new Map([main, ...signout].map((m) => [m.token, m.antiCsrf]));
  const staticKeys = group.session.useDynamicAccessTokenSigningKey === false;
  const res = await send(app.port, { method: "GET", path: "/auth/jwt/jwks.json" });
  assert.equal(res.status, 200, `Tessera's JWKS: ${res.body}`);
  const jwks = JSON.parse(res.body);
  const kid = split(main.token).header.kid;
  return {
    jwks,
    t: {
      valid: main.token,
      antiCsrf: main.antiCsrf,
      antiCsrfFor: (token) => (csrf.get(token) ? [["anti-csrf", csrf.get(token)]] : []),
      expired: shared.expired,
      otherKind: staticKeys ? shared.dynamic : shared.static,
      otherKid: split(staticKeys ? shared.dynamic : shared.static).header.kid,
      publicPem: publicPemOf(jwks, kid),
      signout: signout.map((m) => m.token),
    },
  };
}

/** The tokens of a remote group, made here with the stub's keys in every version: a copy of
 * tests/differential/differential.test.mjs `remoteTokens` (not exported: that file is a test). */
function remoteTokens(group) {
  const viaToken = group.session.antiCsrf === "VIA_TOKEN";
  const nowS = Math.floor(Date.now() / 1000);
  const nowMs = Date.now();
  const { dynamic, static: stat, foreign } = remoteKeys;
  const hdr = (key, extra = {}) => ({ alg: "RS256", typ: "JWT", kid: key.kid, version: "5", ...extra });
  const antiCsrf = viaToken ? "4f0a2c5e-1b3d-4e6f-8a9b-0c1d2e3f4a5b" : null;
  const base = (extra = {}) => v5Payload(nowS, { antiCsrfToken: antiCsrf, role: "remote", ...extra });
  const valid = signJwt(hdr(dynamic), base(), dynamic);
  const without = (obj, ...keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
  const v3 = without(base(), "tId", "rsub", "iss");
  const extra = [
    ["v5_signed_by_static_key_s_kid", signJwt(hdr(stat), base(), stat)],
    ["v4", signJwt(hdr(dynamic, { version: "4" }), base(), dynamic)],
    ["v4_without_tId", signJwt(hdr(dynamic, { version: "4" }), without(base(), "tId"), dynamic)],
    ["v3", signJwt(hdr(dynamic, { version: "3" }), v3, dynamic)],
    ["version_missing_v3_claims", signJwt({ alg: "RS256", typ: "JWT", kid: dynamic.kid }, v3, dynamic)],
    ["version_missing_v5_claims", signJwt({ alg: "RS256", typ: "JWT", kid: dynamic.kid }, base(), dynamic)],
    ["version_6", signJwt(hdr(dynamic, { version: "6" }), base(), dynamic)],
    ["version_2_jwt_with_kid", signJwt(hdr(dynamic, { version: "2" }), base(), dynamic)],
    ["version_abc", signJwt(hdr(dynamic, { version: "abc" }), base(), dynamic)],
    ["version_5_5", signJwt(hdr(dynamic, { version: "5.5" }), base(), dynamic)],
    ["typ_jwt_lowercase", signJwt(hdr(dynamic, { typ: "jwt" }), base(), dynamic)],
    ["crit_header", signJwt(hdr(dynamic, { crit: ["x"], x: 1 }), base(), dynamic)],
    ["v2_recent", signLegacy(v2Payload(nowMs, { antiCsrfToken: antiCsrf ?? undefined }), dynamic)],
    ["v2_created_long_ago", signLegacy(v2Payload(nowMs, { createdAgoMs: 6 * 3_600_000, validityMs: 12 * 3_600_000 }), dynamic)],
    ["v2_expired", signLegacy(v2Payload(nowMs, { createdAgoMs: 7_200_000 }), dynamic)],
    ["v2_foreign_key_recent", signLegacy(v2Payload(nowMs), foreign)],
    ["v1_recent", signLegacy(v2Payload(nowMs), dynamic, V1_HEADER)],
    ["v2_times_as_strings", signLegacy({ ...v2Payload(nowMs), expiryTime: String(nowMs + 3_600_000), timeCreated: String(nowMs) }, dynamic)],
    ["v2_missing_userData", signLegacy(without(v2Payload(nowMs), "userData"), dynamic)],
    ["v2_missing_userId", signLegacy(without(v2Payload(nowMs), "userId"), dynamic)],
    ["v5_missing_sub", signJwt(hdr(dynamic), without(base(), "sub"), dynamic)],
    ["v5_missing_exp", signJwt(hdr(dynamic), without(base(), "exp"), dynamic)],
    ["v5_missing_iat", signJwt(hdr(dynamic), without(base(), "iat"), dynamic)],
    ["v5_missing_sessionHandle", signJwt(hdr(dynamic), without(base(), "sessionHandle"), dynamic)],
    ["v5_missing_refreshTokenHash1", signJwt(hdr(dynamic), without(base(), "refreshTokenHash1"), dynamic)],
    ["v5_missing_tId", signJwt(hdr(dynamic), without(base(), "tId"), dynamic)],
    ["v5_missing_rsub", signJwt(hdr(dynamic), without(base(), "rsub"), dynamic)],
    ["v5_missing_antiCsrfToken", signJwt(hdr(dynamic), without(base(), "antiCsrfToken"), dynamic)],
    ["v5_missing_parentRefreshTokenHash1", signJwt(hdr(dynamic), without(base(), "parentRefreshTokenHash1"), dynamic)],
    ["v5_sub_number", signJwt(hdr(dynamic), base({ sub: 7 }), dynamic)],
    ["v5_sub_empty", signJwt(hdr(dynamic), base({ sub: "" }), dynamic)],
    ["v5_exp_string", signJwt(hdr(dynamic), base({ exp: String(nowS + 3600) }), dynamic)],
    ["v5_exp_float", signJwt(hdr(dynamic), base({ exp: nowS + 3600.5 }), dynamic)],
    ["v5_exp_in_ms", signJwt(hdr(dynamic), base({ exp: (nowS + 3600) * 1000 }), dynamic)],
    ["v5_exp_just_passed", signJwt(hdr(dynamic), base({ exp: nowS - 1 }), dynamic)],
    ["v5_iat_in_future", signJwt(hdr(dynamic), base({ iat: nowS + 600 }), dynamic)],
    ["v5_nbf_in_future", signJwt(hdr(dynamic), base({ nbf: nowS + 600 }), dynamic)],
    ["v5_tId_number", signJwt(hdr(dynamic), base({ tId: 1 }), dynamic)],
    ["v5_tId_other_tenant", signJwt(hdr(dynamic), base({ tId: "tenant-2" }), dynamic)],
    ["v5_rsub_number", signJwt(hdr(dynamic), base({ rsub: 1 }), dynamic)],
    ["v5_antiCsrfToken_number", signJwt(hdr(dynamic), base({ antiCsrfToken: 1 }), dynamic)],
    ["v5_parent_refresh_hash_set", signJwt(hdr(dynamic), base({ parentRefreshTokenHash1: "abc" }), dynamic)],
    ["v5_stt_0", signJwt(hdr(dynamic), base({ stt: 0 }), dynamic)],
    ["v5_stt_1", signJwt(hdr(dynamic), base({ stt: 1 }), dynamic)],
    ["v5_sessionHandle_number", signJwt(hdr(dynamic), base({ sessionHandle: 5 }), dynamic)],
    ["v5_signed_by_foreign_key_known_kid", signJwt(hdr(dynamic), base(), foreign)],
    ["v5_signed_by_foreign_key_unknown_kid", signJwt(hdr(foreign), base(), foreign)],
    ["v5_rs512_signed", signJwt(hdr(dynamic, { alg: "RS512" }), base(), dynamic, { hash: "sha512" })],
    ["v5_ps256_signed", signJwt(hdr(dynamic, { alg: "PS256" }), base(), dynamic, { padding: 6 /* RSA_PKCS1_PSS_PADDING */ })],
    ["v5_payload_latin1_bytes", `${valid.split(".")[0]}.${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${valid.split(".")[2]}`],
  ];
  return {
    jwks: { keys: [dynamic.jwk, stat.jwk] },
    t: {
      valid,
      antiCsrf,
      expired: signJwt(hdr(dynamic), base({ iat: nowS - 7200, exp: nowS - 3600 }), dynamic),
      otherKind: signJwt(hdr(stat), base(), stat),
      otherKid: stat.kid,
      publicPem: dynamic.publicPem,
      signout: [],
      extra,
    },
  };
}

/** The allowlist entry that excuses difference `d` ({field, reference, tessera}) of `key`
 * (`group/case`), if any. */
function excuse(key, d) {
  return ALLOWLIST.find((e) => e.match.test(key) && (e.fields === undefined || e.fields.includes(d.field)) && (e.when === undefined || e.when(d.reference, d.tessera)));
}

const used = new Set();
const clip = (s, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const shortRequest = (c) => ({ method: c.method, path: c.path, headers: c.headers.map(([k, v]) => [k, clip(v)]) });
const rawAnswer = (a) => ({
  status: a.status,
  body: clip(a.body, 400),
  headers: Object.fromEntries(
    Object.entries(a.headers)
      .filter(([k]) => ["set-cookie", "front-token", "st-access-token", "st-refresh-token", "anti-csrf", "access-control-expose-headers"].includes(k))
      .map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => clip(x)) : clip(v)]),
  ),
});

function record(key, d, request, ref, tes, failures) {
  const entry = excuse(key, d);
  if (entry) used.add(entry);
  const r = { key, ...d, excusedBy: entry ? `${entry.kind}: ${entry.why}` : null };
  found.push({ ...r, request: shortRequest(request), referenceAnswer: rawAnswer(ref), tesseraAnswer: rawAnswer(tes) });
  if (!entry) failures.push(r);
}

/** Runs one group's corpus against both servers; returns the differences not excused. */
async function runGroup(group) {
  const apps = {};
  try {
    let tokens;
    if (group.keys === "embedded") {
      apps.tessera = await startApp("tessera", tesseraConfig(group.appInfo, group.session));
      tokens = await embeddedTokens(group, apps.tessera);
    } else {
      tokens = remoteTokens(group);
      apps.tessera = await startApp("tessera", tesseraConfig(group.appInfo, group.session, { connectionURI: stub.origin }));
    }
    stub.setJwks(tokens.jwks);
    apps.reference = await startApp("supertokens", { connectionURI: stub.origin, appInfo: group.appInfo, session: group.session });
    const failures = [];
    const names = new Set();
    for (const c of corpus(tokens.t, { embedded: group.keys === "embedded" })) {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
      const [ref, tes] = await Promise.all([send(apps.reference.port, c), send(apps.tessera.port, c)]);
      const key = `${group.name}/${c.name}`;
      answered.push({ key, reference: `${ref.status} ${clip(ref.body, 60)}`, tessera: `${tes.status} ${clip(tes.body, 60)}` });
      for (const d of compare(ref, tes)) record(key, d, c, ref, tes, failures);
    }
    return failures;
  } finally {
    await Promise.all(Object.values(apps).map((a) => a.close()));
  }
}

// --- Go's maps have no key order ----------------------------------------------------------
// flowNormalise says "= access token's payload" (body) and "up=token payload" (front-token)
// only when the JSON is the token's byte for byte, key order included. Both Go libraries hold
// the payload in a map, and encoding/json writes maps with sorted keys, so a payload equal to
// its token's is written in another order than the stub core's token has. Before normalising,
// a payload equal to a token's (keys in any order) is given the token's key order; a payload
// that differs is left as it is.

const canonical = (v) => JSON.stringify(sortDeep(v));
const sortDeep = (v) =>
  Array.isArray(v) ? v.map(sortDeep) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])])) : v;

function jwtPayload(token) {
  try {
    const p = String(token).split(".");
    return p.length === 3 ? JSON.parse(Buffer.from(p[1], "base64url").toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
}

/** The access tokens an answer's payloads may be those of: the new one it sets (header or
 * cookie), and the one the request sent (Bearer, else cookie), as flowNormalise finds them. */
function candidateTokens(answer, request) {
  const out = [answer.headers["st-access-token"]];
  for (const line of [].concat(answer.headers["set-cookie"] ?? [])) {
    const m = /^sAccessToken=([^;]+)/.exec(line);
    if (m) out.push(decodeURIComponent(m[1]));
  }
  const auth = request.headers.find(([k]) => k === "authorization")?.[1];
  if (auth?.startsWith("Bearer ")) out.push(auth.slice(7).trim());
  for (const [k, v] of request.headers) {
    const m = k === "cookie" && /(?:^|;\s*)sAccessToken=([^;]*)/.exec(v);
    if (m) out.push(decodeURIComponent(m[1]));
  }
  return out.filter(Boolean).map(jwtPayload).filter(Boolean);
}

function inTokenOrder(payload, tokens) {
  if (!payload || typeof payload !== "object") return payload;
  return tokens.find((t) => canonical(t) === canonical(payload)) ?? payload;
}

function orderLikeTokens(answer, request) {
  const tokens = candidateTokens(answer, request);
  const headers = { ...answer.headers };
  let body = answer.body;
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === "object" && "payload" in parsed) body = JSON.stringify({ ...parsed, payload: inTokenOrder(parsed.payload, tokens) });
  } catch {
    /* not JSON: as it is */
  }
  const front = headers["front-token"];
  if (front !== undefined && front !== "remove") {
    try {
      const ft = JSON.parse(Buffer.from(front, "base64").toString("utf8"));
      headers["front-token"] = Buffer.from(JSON.stringify({ ...ft, up: inTokenOrder(ft.up, tokens) })).toString("base64");
    } catch {
      /* undecodable: as it is */
    }
  }
  return { ...answer, headers, body };
}

/** Runs one flow group: each server with its own clients and authority. */
async function runFlowGroup(group) {
  stub.setJwks(stub.ownJwks);
  stub.configure({ graceMs: GRACE_S * 1000, ...group.core });
  const apps = {};
  try {
    [apps.reference, apps.tessera] = await Promise.all([
      startApp("supertokens", { connectionURI: stub.origin, appInfo: group.appInfo, session: group.session }),
      startApp("tessera", tesseraConfig(group.appInfo, group.session, { tessera: { refreshTokenRotationGracePeriod: GRACE_S, ...group.tessera } })),
    ]);
    const clients = () => ({ cookie: new Client("cookie"), header: new Client("header"), saved: {} });
    const ctx = { reference: clients(), tessera: clients() };
    const failures = [];
    const names = new Set();
    for (const step of flowSteps(group)) {
      assert.ok(!names.has(step.name), `duplicate step name ${step.name}`);
      names.add(step.name);
      if (step.sleep) await sleep(step.sleep);
      const answers = {};
      const normalised = {};
      const requests = {};
      await Promise.all(
        ["reference", "tessera"].map(async (side) => {
          const c = ctx[side];
          if (step.snapshot) c.saved[step.snapshot] = c[step.use].snapshot();
          requests[side] = { method: step.method, path: step.path, headers: step.headers(c) };
          answers[side] = await send(apps[side].port, requests[side]);
          normalised[side] = flowNormalise(orderLikeTokens(answers[side], requests[side]), c[step.use], requests[side], group);
          if (step.apply) c[step.use].apply(answers[side]);
        }),
      );
      const key = `${group.name}/${step.name}`;
      const [ref, tes] = [answers.reference, answers.tessera];
      answered.push({ key, reference: `${ref.status} ${clip(ref.body, 60)}`, tessera: `${tes.status} ${clip(tes.body, 60)}`, normalised: normalised.reference });
      for (const field of Object.keys(normalised.reference)) {
        if (normalised.reference[field] === normalised.tessera[field]) continue;
        record(key, { field, reference: normalised.reference[field], tessera: normalised.tessera[field] }, requests.tessera, ref, tes, failures);
      }
    }
    return failures;
  } finally {
    await Promise.all(Object.values(apps).map((a) => a.close()));
  }
}

const report = (failures) =>
  failures.map((f) => `  ${f.key} [${f.field}]\n    supertokens-golang: ${f.reference}\n    tessera:            ${f.tessera}`).join("\n");

for (const group of FLOW_GROUPS) {
  test(`${group.name}: Tessera's Go session flows answer as supertokens-golang's with a core`, async () => {
    const failures = await runFlowGroup(group);
    assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
  });
}

for (const group of GROUPS) {
  test(`${group.name}: Tessera's Go integration answers the corpus as supertokens-golang does`, async () => {
    const failures = await runGroup(group);
    assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
  });
}

// As in tests/differential: Tessera answers every request itself, except errors thrown to the
// app's own route as the reference throws them (createNewSession refusing a misconfiguration).
test("the stub core was only asked what it models, and Tessera left no error unanswered", () => {
  assert.deepEqual(stub.state.unexpected, []);
  const thrownByBoth = (u) => u.request.startsWith("POST /flow/signin") && unhandled.some((r) => r.lib !== "tessera" && r.request === u.request);
  assert.deepEqual(unhandled.filter((u) => u.lib === "tessera" && !thrownByBoth(u)), []);
});

test("every allowlist entry still excuses a difference", () => {
  const stale = ALLOWLIST.filter((e) => !used.has(e));
  assert.deepEqual(stale.map((e) => `${e.match} ${e.fields ?? ""}: ${e.why}`), [], "remove the entries of fixed differences");
});
