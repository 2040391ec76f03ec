// The differential test: every request of the corpus (corpus.mjs) is sent to a Tessera Express
// app and to a supertokens-node Express app configured alike, in this one process, and the
// answers are compared (harness.mjs `normalise`: status, JSON body, Set-Cookie names with
// cleared/set and their attributes, front-token, st-access-token, st-refresh-token, anti-csrf,
// Access-Control-Expose-Headers). A difference fails the test unless allowlist.mjs excuses it.
//
// supertokens-node verifies against a stub core (harness.mjs `startStubCore`) serving:
// - in the "embedded" groups, Tessera's own JWKS: Tessera runs its embedded authority on a
//   SQLite file and mints the tokens, so refresh, sign-out and checkDatabase are compared too;
// - in the "remote" groups, the test's own keys: Tessera verifies against the stub's JWKS as
//   well (`connectionURI` = the stub), and the test mints tokens of every version by hand.
//
// The flow groups (flows.mjs, FLOW_GROUPS below) run what the frontend SDK does, sign-in to
// sign-out, with each app on its own authority: Tessera its embedded store, supertokens-node the
// stub core minting and rotating its own tokens; answers are compared by shape (flowNormalise).
//
// Both libraries keep process-wide state; each group re-initialises them (Tessera.init replaces
// its engine; supertokens-node's recipes are reset, which its TEST_MODE allows).
//
// DIFF_REPORT=FILE writes every difference found, excused or not, with the requests and both
// raw answers, as JSON.
process.env.TEST_MODE = "testing";

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALLOWLIST } from "./allowlist.mjs";
import { corpus } from "./corpus.mjs";
import { Client, flowNormalise, flowSteps } from "./flows.mjs";
import { buildApp, compare, requireDep, requireTessera, send, serve, startStubCore } from "./harness.mjs";
import { V1_HEADER, makeKey, publicPemOf, signJwt, signLegacy, split, v2Payload, v5Payload } from "./tokens.mjs";

const LOCAL = { appName: "differential", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" };
const SAME_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.com" };
const CROSS_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.org" };

/** The configurations: each is given to both libraries (Session.init options alike). */
const GROUPS = [
  { name: "default", keys: "embedded", appInfo: LOCAL, session: {} },
  { name: "custom-header", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_CUSTOM_HEADER" } },
  { name: "via-token", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
  { name: "expose", keys: "embedded", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true } },
  { name: "header-only", keys: "embedded", appInfo: LOCAL, session: { getTokenTransferMethod: () => "header" } },
  { name: "cookie-only", keys: "embedded", appInfo: LOCAL, session: { getTokenTransferMethod: () => "cookie" } },
  {
    name: "domains",
    keys: "embedded",
    appInfo: SAME_SITE,
    session: { cookieDomain: ".example.com", olderCookieDomain: "api.example.com" },
  },
  { name: "older-host-only", keys: "embedded", appInfo: SAME_SITE, session: { cookieDomain: ".example.com", olderCookieDomain: "" } },
  // SameSite=None: anti-CSRF defaults to VIA_CUSTOM_HEADER.
  { name: "cross-site", keys: "embedded", appInfo: CROSS_SITE, session: {} },
  { name: "static-keys", keys: "embedded", appInfo: LOCAL, session: { useDynamicAccessTokenSigningKey: false } },
  { name: "remote", keys: "remote", appInfo: LOCAL, session: {} },
  { name: "remote-via-token", keys: "remote", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
];

/**
 * The flow groups (flows.mjs): each app runs its own authority, Tessera its embedded store and
 * supertokens-node the stub core, configured alike: `session` goes to both Session.init calls,
 * `tessera` to Tessera's only (its authority's settings) and `core` to the stub (the same
 * settings in ms). The grace window is given to both explicitly, at Tessera's default of 30 s
 * unless a group says otherwise. `flows` selects the scripts: `modes` (st-auth-mode of the
 * clients), `basic: false` (only the scripts below), `rotation` (ms to wait for the grace window
 * to pass), `expiring` (ms to wait for the access tokens to expire).
 */
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
  { name: "flow-local-secure-lax", appInfo: LOCAL, session: { cookieSecure: true, cookieSameSite: "lax", accessTokenPath: "/flow" } },
  { name: "flow-header-only", appInfo: LOCAL, session: { getTokenTransferMethod: () => "header" } },
  { name: "flow-cookie-only", appInfo: LOCAL, session: { getTokenTransferMethod: () => "cookie", antiCsrf: "VIA_TOKEN" } },
  { name: "flow-cookie-for-create", appInfo: LOCAL, session: { getTokenTransferMethod: ({ forCreateNewSession }) => (forCreateNewSession ? "cookie" : "any") } },
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

const dir = mkdtempSync(join(tmpdir(), "tessera-differential-"));
const sqlite = `sqlite:${join(dir, "sessions.sqlite3")}`;
const unhandled = [];
const found = [];
const answered = [];
let stub;

const tessera = {
  name: "tessera",
  root: requireTessera("tessera-session").default,
  Session: requireTessera("tessera-session/recipe/session").default,
  ...requireTessera("tessera-session/framework/express"),
  ...requireTessera("tessera-session/recipe/session/framework/express"),
};
const reference = {
  name: "supertokens-node",
  root: requireDep("supertokens-node"),
  Session: requireDep("supertokens-node/recipe/session"),
  ...requireDep("supertokens-node/framework/express"),
  ...requireDep("supertokens-node/recipe/session/framework/express"),
};

function initTessera(appInfo, session, connectionURI = sqlite) {
  tessera.root.init({
    framework: "express",
    supertokens: { connectionURI },
    appInfo,
    recipeList: [tessera.Session.init(session)],
  });
}

// The recipes supertokens-node initialises by itself, besides those SuperTokens.reset resets.
const REFERENCE_RECIPES = ["session", "accountlinking", "multitenancy", "usermetadata", "multifactorauth", "totp"];
let referenceInitialised = false;

function initReference(appInfo, session) {
  if (referenceInitialised) {
    requireDep("supertokens-node/lib/build/supertokens").default.reset();
    for (const r of REFERENCE_RECIPES) requireDep(`supertokens-node/lib/build/recipe/${r}/recipe`).default.reset?.();
  }
  reference.root.init({
    framework: "express",
    supertokens: { connectionURI: stub.origin },
    appInfo,
    recipeList: [reference.Session.init(session)],
    telemetry: false,
  });
  referenceInitialised = true;
}

/** A token minted by Tessera's embedded authority, with its anti-CSRF token. */
async function mint(userId, payload = { role: "differential" }) {
  const s = await tessera.Session.createNewSessionWithoutRequestResponse("public", tessera.root.convertToRecipeUserId(userId), payload, {}, false);
  return { token: s.getAccessToken(), antiCsrf: s.getAllSessionTokensDangerously().antiCsrfToken ?? null };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Tokens minted once, before the groups: an expiring one (1 s validity), a static-key one and a
// dynamic-key one, all by the same store (so the same keys throughout).
const shared = {};
// The test's own keys, for the remote groups.
const remoteKeys = {};

before(async () => {
  stub = await startStubCore();
  initTessera(LOCAL, { accessTokenValidity: 1 });
  shared.expired = (await mint("user-expired")).token;
  initTessera(LOCAL, { useDynamicAccessTokenSigningKey: false });
  shared.static = (await mint("user-static")).token;
  initTessera(LOCAL, {});
  shared.dynamic = (await mint("user-dynamic")).token;
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
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tokens of an embedded group: minted by Tessera under the group's own configuration. */
async function embeddedTokens(group) {
  initTessera(group.appInfo, group.session);
  const main = await mint(`user-${group.name}`);
  const signout = [await mint(`user-${group.name}-signout-1`), await mint(`user-${group.name}-signout-2`)];
  const csrf = new Map([main, ...signout].map((m) => [m.token, m.antiCsrf]));
  const staticKeys = group.session.useDynamicAccessTokenSigningKey === false;
  const jwks = JSON.parse(await jwksOfTessera());
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

/** Tessera's JWKS, as its app serves it. */
async function jwksOfTessera() {
  const server = await serve(buildApp(tessera, unhandled));
  try {
    const res = await send(server.port, { method: "GET", path: "/auth/jwt/jwks.json" });
    assert.equal(res.status, 200, `Tessera's JWKS: ${res.body}`);
    return res.body;
  } finally {
    await server.close();
  }
}

/** The tokens of a remote group: made here, with the stub's keys, in every version. */
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

/** The allowlist entry that excuses `field` of `key` (`group/case`), if any. */
function excuse(key, field) {
  return ALLOWLIST.find((e) => e.match.test(key) && (e.fields === undefined || e.fields.includes(field)));
}

const used = new Set();

/** Runs one group's corpus against both apps; returns the differences not excused. */
async function runGroup(group) {
  let tokens;
  if (group.keys === "embedded") {
    tokens = await embeddedTokens(group);
    initTessera(group.appInfo, group.session);
  } else {
    tokens = remoteTokens(group);
    initTessera(group.appInfo, group.session, stub.origin);
  }
  stub.setJwks(tokens.jwks);
  initReference(group.appInfo, group.session);
  const apps = { reference: await serve(buildApp(reference, unhandled)), tessera: await serve(buildApp(tessera, unhandled)) };
  const failures = [];
  try {
    const cases = corpus(tokens.t, { embedded: group.keys === "embedded" });
    const names = new Set();
    for (const c of cases) {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
      const ref = await send(apps.reference.port, c);
      const tes = await send(apps.tessera.port, c);
      const key = `${group.name}/${c.name}`;
      answered.push({ key, reference: `${ref.status} ${clip(ref.body, 60)}`, tessera: `${tes.status} ${clip(tes.body, 60)}` });
      for (const d of compare(ref, tes)) {
        const entry = excuse(key, d.field);
        if (entry) used.add(entry);
        const record = { key, ...d, excusedBy: entry ? `${entry.kind}: ${entry.why}` : null };
        found.push({ ...record, request: shortRequest(c), referenceAnswer: rawAnswer(ref), tesseraAnswer: rawAnswer(tes) });
        if (!entry) failures.push(record);
      }
    }
  } finally {
    await apps.reference.close();
    await apps.tessera.close();
  }
  return failures;
}

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

/** Runs one flow group: each app with its own clients and authority. */
async function runFlowGroup(group) {
  initTessera(group.appInfo, { refreshTokenRotationGracePeriod: GRACE_S, ...group.session, ...group.tessera });
  stub.setJwks(stub.ownJwks);
  stub.configure({ graceMs: GRACE_S * 1000, ...group.core });
  initReference(group.appInfo, group.session);
  const apps = { reference: await serve(buildApp(reference, unhandled)), tessera: await serve(buildApp(tessera, unhandled)) };
  const clients = () => ({ cookie: new Client("cookie"), header: new Client("header"), saved: {} });
  const ctx = { reference: clients(), tessera: clients() };
  const failures = [];
  try {
    const names = new Set();
    for (const step of flowSteps(group)) {
      assert.ok(!names.has(step.name), `duplicate step name ${step.name}`);
      names.add(step.name);
      if (step.sleep) await sleep(step.sleep);
      const answers = {};
      const normalised = {};
      const requests = {};
      for (const side of ["reference", "tessera"]) {
        const c = ctx[side];
        if (step.snapshot) c.saved[step.snapshot] = c[step.use].snapshot();
        requests[side] = { method: step.method, path: step.path, headers: step.headers(c) };
        answers[side] = await send(apps[side].port, requests[side]);
        normalised[side] = flowNormalise(answers[side], c[step.use], requests[side], group);
        if (step.apply) c[step.use].apply(answers[side]);
      }
      const key = `${group.name}/${step.name}`;
      const [ref, tes] = [answers.reference, answers.tessera];
      answered.push({ key, reference: `${ref.status} ${clip(ref.body, 60)}`, tessera: `${tes.status} ${clip(tes.body, 60)}`, normalised: normalised.reference });
      for (const field of Object.keys(normalised.reference)) {
        if (normalised.reference[field] === normalised.tessera[field]) continue;
        const entry = excuse(key, field);
        if (entry) used.add(entry);
        const record = { key, field, reference: normalised.reference[field], tessera: normalised.tessera[field], excusedBy: entry ? `${entry.kind}: ${entry.why}` : null };
        found.push({ ...record, request: shortRequest(requests.tessera), referenceAnswer: rawAnswer(ref), tesseraAnswer: rawAnswer(tes) });
        if (!entry) failures.push(record);
      }
    }
  } finally {
    await apps.reference.close();
    await apps.tessera.close();
  }
  return failures;
}

const report = (failures) =>
  failures.map((f) => `  ${f.key} [${f.field}]\n    supertokens-node: ${f.reference}\n    tessera:          ${f.tessera}`).join("\n");

for (const group of FLOW_GROUPS) {
  test(`${group.name}: Tessera's session flows answer as supertokens-node's with a core`, async () => {
    const failures = await runFlowGroup(group);
    assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
  });
}

for (const group of GROUPS) {
  test(`${group.name}: Tessera answers the corpus as supertokens-node does`, async () => {
    const failures = await runGroup(group);
    const lines = failures.map((f) => `  ${f.key} [${f.field}]\n    supertokens-node: ${f.reference}\n    tessera:          ${f.tessera}`);
    assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${lines.join("\n")}`);
  });
}

// supertokens-node throws some errors its error handler does not answer (an Express 500 is then
// its answer, and the comparison covers it); Tessera must answer every request itself, except
// where the error is thrown to the app's own route as supertokens-node throws it (createNewSession
// refusing SameSite=None cookies that are not Secure: a misconfiguration, for the app to see).
test("the stub core was only asked what it models, and Tessera left no error unanswered", () => {
  assert.deepEqual(stub.state.unexpected, []);
  const thrownByBoth = (u) => u.request.startsWith("POST /flow/signin") && unhandled.some((r) => r.lib !== "tessera" && r.request === u.request);
  assert.deepEqual(unhandled.filter((u) => u.lib === "tessera" && !thrownByBoth(u)), []);
});

test("every allowlist entry still excuses a difference", () => {
  const stale = ALLOWLIST.filter((e) => !used.has(e));
  assert.deepEqual(stale.map((e) => `${e.match} ${e.fields ?? ""}: ${e.why}`), [], "remove the entries of fixed differences");
});
