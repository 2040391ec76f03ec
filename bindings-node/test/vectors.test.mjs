// The shared vectors of tests/vectors/ (format: tests/README.md) run through the native
// module only, so they test the binding and not the TypeScript facade. A port of the Python
// runner (bindings-python/tests/test_vectors.py), itself a port of core/tests/vectors.rs:
// each case is one subtest named file/group/case.
//
// Fixed-key cases run at the vector's own clock (`nowMs`). Flows need a store and run on
// `sqlite::memory:` at the real clock. `Session` does not carry the token's version or its
// `antiCsrfToken` claim, so those two session fields are read from the raw access token.

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const native = createRequire(import.meta.url)("../native.js");
const VECTORS_DIR = join(here, "..", "..", "tests", "vectors");

// How far an `inMs` date may be from the runner's clock plus the offset. Same as the Rust runner.
const IN_MS_TOLERANCE = 60_000;

const FILES = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(VECTORS_DIR, f), "utf8"))]);

const isUint = (v) => Number.isInteger(v) && v >= 0;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

test("vector files are well formed", () => {
  assert.ok(FILES.length > 0, `no vector files in ${VECTORS_DIR}`);
  const problems = [];
  const kinds = {};
  for (const [file, doc] of FILES) {
    if (doc.format !== 1) problems.push(`${file}: format must be 1, got ${JSON.stringify(doc.format)}`);
    const groups = doc.groups ?? [];
    if (groups.length === 0) problems.push(`${file}: no groups`);
    const groupNames = new Set();
    for (const g of groups) {
      if (groupNames.has(g.name)) problems.push(`${file}/${g.name}: duplicate group name`);
      groupNames.add(g.name);
      if (!isObject(g.config)) problems.push(`${file}/${g.name}: config must be an object`);
      const fixedKeys = isObject(g.jwks);
      if (fixedKeys !== isUint(g.now_ms)) {
        problems.push(`${file}/${g.name}: jwks and now_ms must both be set or both be null`);
      }
      const cases = g.cases ?? [];
      if (cases.length === 0) problems.push(`${file}/${g.name}: no cases`);
      const caseNames = new Set();
      for (const c of cases) {
        if (caseNames.has(c.name)) problems.push(`${file}/${g.name}/${c.name}: duplicate case name`);
        caseNames.add(c.name);
        if (!["token", "request", "flow"].includes(c.kind)) {
          problems.push(`${file}/${g.name}/${c.name}: unknown kind ${c.kind}`);
        } else if ((c.kind === "flow") === fixedKeys) {
          problems.push(`${file}/${g.name}/${c.name}: kind ${c.kind} cannot run in a group with jwks ${fixedKeys ? "set" : "null"}`);
        }
        if (c.kind === "flow" && !(c.steps ?? []).length) problems.push(`${file}/${g.name}/${c.name}: a flow needs steps`);
        kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      }
    }
  }
  assert.deepEqual(problems, [], "malformed vectors");
  for (const kind of ["token", "request", "flow"]) assert.ok(kinds[kind] > 0, `no ${kind} cases in the vectors`);
  const total = Object.values(kinds).reduce((a, b) => a + b, 0);
  assert.ok(total >= 100, `only ${total} vector cases: the vectors directory looks truncated`);
});

// ------------------------------------------------------------------------------------------
// Engines and errors
// ------------------------------------------------------------------------------------------

/** The four fields of a native error: `code`, and the JSON in `message`. */
function nativeError(e) {
  if (!(e instanceof Error) || typeof e.code !== "string") throw e;
  let body;
  try {
    body = JSON.parse(e.message);
  } catch {
    throw new Error(`native error ${e.code} has a message that is not JSON: ${e.message}`);
  }
  assert.equal(typeof body.message, "string");
  assert.equal(typeof body.clearTokens, "boolean");
  const payloadJson = body.payload === null || body.payload === undefined ? null : JSON.stringify(body.payload);
  return { code: e.code, message: body.message, payloadJson, clearTokens: body.clearTokens, text: `${e.code}: ${body.message}` };
}

// One engine per group; a group whose engine cannot be built keeps the reason.
const ENGINES = new Map();

function engineFor(file, group) {
  const key = `${file}/${group.name}`;
  if (!ENGINES.has(key)) {
    const config = JSON.stringify(group.config);
    try {
      ENGINES.set(key, isObject(group.jwks) ? native.Engine.withJwks(config, JSON.stringify(group.jwks)) : new native.Engine(config));
    } catch (e) {
      ENGINES.set(key, `group engine: ${e.code ?? e.name}: ${e.message}`);
    }
  }
  return ENGINES.get(key);
}

test("every group engine builds", () => {
  const broken = [];
  for (const [file, doc] of FILES) {
    for (const group of doc.groups ?? []) {
      const engine = engineFor(file, group);
      if (typeof engine === "string") broken.push(`${file}/${group.name}: ${engine}`);
    }
  }
  assert.deepEqual(broken, []);
});

// ------------------------------------------------------------------------------------------
// Running
// ------------------------------------------------------------------------------------------

for (const [file, doc] of FILES) {
  for (const group of doc.groups ?? []) {
    for (const c of group.cases ?? []) {
      test(`${file.replace(/\.json$/, "")}/${group.name}/${c.name}`, async () => {
        const engine = engineFor(file, group);
        let failures;
        if (typeof engine === "string") {
          failures = [engine];
        } else {
          const now = c.now_ms ?? group.now_ms;
          if (c.kind === "token") failures = runToken(engine, c, now);
          else if (c.kind === "request") failures = await runRequest(engine, c, now);
          else if (c.kind === "flow") failures = await runFlow(engine, c);
          else failures = [`unknown kind ${c.kind}`];
        }
        if (failures.length) {
          const head = c.coreBug ? `KNOWN CORE BUG (coreBug: ${c.coreBug})\n` : "";
          assert.fail(head + failures.join("\n"));
        }
        if (c.coreBug) process.emitWarning(`${c.name} passes although marked coreBug (${c.coreBug}): remove the mark in the generator`);
      });
    }
  }
}

function runToken(engine, c, now) {
  if (typeof c.token !== "string") return ["no token"];
  const expect = c.expect ?? {};
  const wantCode = expect.error ?? null;
  let verified;
  try {
    verified = verifiedToken(JSON.parse(engine.verifyAccessToken(c.token, now)));
  } catch (e) {
    const err = nativeError(e);
    if (wantCode === null) return [`expected a session, got ${err.text}`];
    return err.code === wantCode ? [] : [`expected error ${wantCode}, got ${err.text}`];
  }
  if (wantCode !== null) return [`expected error ${wantCode}, got a session for user ${JSON.stringify(verified.userId)}`];
  if (expect.session === undefined || expect.session === null) return ["expect has neither error nor session"];
  return checkSession(expect.session, verified, {});
}

async function runRequest(engine, c, now) {
  let req, options;
  try {
    req = parseRequest(c.request);
    options = parseOptions(c.options);
  } catch (e) {
    return [e.message];
  }
  const v = await verify(engine, req, options, now);
  return checkOutcome(c.expect ?? {}, v.outcome, v.session, v.response, v.detail, {}, now);
}

function parseRequest(v) {
  if (!isObject(v)) throw new Error("no request");
  if (typeof v.method !== "string") throw new Error("request.method");
  if (typeof v.path !== "string") throw new Error("request.path");
  const headers = [];
  for (const h of v.headers ?? []) {
    if (!(Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === "string"))) {
      throw new Error(`request.headers: bad entry ${JSON.stringify(h)}`);
    }
    headers.push(h[0], h[1]);
  }
  return [v.method, v.path, headers];
}

function parseOptions(v) {
  const options = { sessionRequired: true, antiCsrfCheck: null, checkDatabase: false };
  if (!isObject(v)) return options;
  if (typeof v.sessionRequired === "boolean") options.sessionRequired = v.sessionRequired;
  const antiCsrf = v.antiCsrfCheck ?? null;
  if (antiCsrf !== null && typeof antiCsrf !== "boolean") throw new Error(`options.antiCsrfCheck: ${JSON.stringify(antiCsrf)}`);
  options.antiCsrfCheck = antiCsrf;
  if (typeof v.checkDatabase === "boolean") options.checkDatabase = v.checkDatabase;
  return options;
}

function onError(engine, req, e) {
  const err = nativeError(e);
  const answer = engine.errorResponse(...req, err.code, err.message, err.payloadJson, err.clearTokens);
  return { outcome: err.code, session: null, response: new Response(answer), detail: err.text };
}

function verified(result) {
  // verifySession returns the session alone when the response needs no change.
  const { session, mutations } = result === null ? { session: null, mutations: null } : "mutations" in result ? result : { session: result, mutations: null };
  return { outcome: session !== null ? "session" : "none", session, response: new Response(mutations), detail: "" };
}

/**
 * `verifySession` the way the facade calls it: the sync, I/O-free call first, and
 * `verifySessionAsync` when that throws `WOULD_BLOCK`; `errorResponse` applied on error.
 * `now` is the vector's clock, or undefined for the real one.
 */
async function verify(engine, req, o, now) {
  const args = [...req, o.sessionRequired, o.antiCsrfCheck, o.checkDatabase, now];
  try {
    return verified(engine.verifySession(...args));
  } catch (e) {
    if (e?.code !== "WOULD_BLOCK") return onError(engine, req, e);
  }
  try {
    return verified(await engine.verifySessionAsync(...args));
  } catch (e) {
    return onError(engine, req, e);
  }
}

function checkOutcome(expect, outcome, session, response, detail, variables, now) {
  const want = expect.outcome;
  if (typeof want === "string" && want !== outcome) return [`outcome: expected ${want}, got ${outcome}${detail ? ` (${detail})` : ""}`];
  const out = [];
  if ("session" in expect) {
    if (session === null) out.push("session: expected one, got none");
    else out.push(...checkSession(expect.session, session, variables));
  }
  if ("response" in expect) out.push(...checkResponse(expect.response, response, now));
  return out;
}

// ------------------------------------------------------------------------------------------
// Flows
// ------------------------------------------------------------------------------------------

async function runFlow(engine, c) {
  const variables = {};
  let i = 0;
  for (const raw of c.steps ?? []) {
    i += 1;
    const action = raw.action ?? "";
    const failures = await runStep(engine, raw, action, variables);
    // Later steps build on this one.
    if (failures.length) return failures.map((f) => `step ${i} (${action}): ${f}`);
  }
  return [];
}

async function runStep(engine, raw, action, variables) {
  // Inputs are substituted now; `expect` only after this step's saves.
  const inputs = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "expect" && k !== "save"));
  let step, req;
  try {
    step = substitute(inputs, variables);
    req = parseRequest(step.request);
  } catch (e) {
    return [e.message];
  }
  const handled = (raw.expect ?? {}).handled ?? true;
  const now = Date.now();
  let session = null;
  let outcome = "";
  let detail = "";
  let response;
  if (action === "create") {
    if (typeof step.userId !== "string") return ["create needs userId"];
    const tenant = step.tenantId ?? "public";
    const payload = JSON.stringify(step.payload ?? {});
    try {
      const r = await engine.createNewSession(...req, tenant, step.userId, payload, "{}");
      session = r.session;
      outcome = "session";
      response = new Response(r.mutations);
    } catch (e) {
      ({ outcome, response, detail } = onError(engine, req, e));
    }
  } else if (action === "verify") {
    let options;
    try {
      options = parseOptions(step.options);
    } catch (e) {
      return [e.message];
    }
    ({ outcome, session, response, detail } = await verify(engine, req, options, undefined));
  } else if (action === "api") {
    const answer = await engine.handleApiRequest(...req);
    if (answer === null) return handled === false ? [] : ["the core did not handle the request"];
    if (handled === false) return [`expected the request not to be handled, got status ${answer.status}`];
    response = new Response(answer);
  } else {
    return [`unknown action ${JSON.stringify(action)}`];
  }

  // Saves first: expectations of the same step may use them.
  const errors = [];
  for (const [name, source] of Object.entries(raw.save ?? {})) {
    if (typeof source !== "string") {
      errors.push(`save ${name}: source must be a string`);
      continue;
    }
    try {
      variables[name] = saveSource(source, session, response);
    } catch (e) {
      errors.push(`save ${name}: ${e.message}`);
    }
  }
  if (errors.length) return errors;
  let expect;
  try {
    expect = substitute(raw.expect ?? {}, variables);
  } catch (e) {
    return [e.message];
  }
  if (action === "api" && "outcome" in expect) return ["api steps have no outcome"];
  return checkOutcome(expect, outcome, session, response, detail, variables, now);
}

function saveSource(source, session, response) {
  const colon = source.indexOf(":");
  if (colon < 0) throw new Error(`bad source ${JSON.stringify(source)}`);
  const kind = source.slice(0, colon);
  const what = source.slice(colon + 1);
  if (kind === "header") {
    const value = response.header(what);
    if (value === null) throw new Error(`header ${what} was not set`);
    return value;
  }
  if (kind === "cookie") {
    const setCookie = response.cookie(what);
    if (setCookie === null) throw new Error(`cookie ${what} was not set`);
    return parseSetCookie(setCookie)[0];
  }
  if (kind === "session") {
    if (session === null) throw new Error("no session in this step");
    if (what === "accessToken") return session.accessToken;
    if (what === "refreshToken") {
      if (session.refreshToken === null) throw new Error("no refresh token");
      return session.refreshToken;
    }
    if (what === "sessionHandle") return session.handle;
    if (what === "userId") return session.userId;
    throw new Error(`unknown session source ${what}`);
  }
  throw new Error(`unknown source kind ${kind}`);
}

/** Replaces `${name}` in every string of `v`. */
function substitute(v, variables) {
  if (typeof v === "string") return substituteString(v, variables);
  if (Array.isArray(v)) return v.map((x) => substitute(x, variables));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, variables)]));
  return v;
}

function substituteString(s, variables) {
  let out = "";
  let rest = s;
  for (let at = rest.indexOf("${"); at >= 0; at = rest.indexOf("${")) {
    const close = rest.indexOf("}", at + 2);
    if (close < 0) throw new Error(`unterminated variable in ${JSON.stringify(s)}`);
    const name = rest.slice(at + 2, close);
    if (!Object.hasOwn(variables, name)) throw new Error(`unknown variable \${${name}}`);
    out += rest.slice(0, at) + variables[name];
    rest = rest.slice(close + 1);
  }
  return out + rest;
}

// ------------------------------------------------------------------------------------------
// Comparisons
// ------------------------------------------------------------------------------------------

/** The native module's mutations (or null for nothing to write), read the way a framework would apply them. */
class Response {
  constructor(m) {
    this.status = m ? m.status : null;
    this.body = m && m.body !== null ? JSON.parse(m.body) : null;
    this.headerOps = m ? m.headers : [];
    this.cookies = m ? m.cookies : [];
  }

  /** The final value of header `name` after the operations, on a response that had no such header. */
  header(name) {
    let value = null;
    for (const { op, name: n, value: v } of this.headerOps) {
      if (n.toLowerCase() !== name.toLowerCase()) continue;
      if (op === "set") value = v;
      else if (op === "remove") value = null;
      else if (op === "append") {
        const existing = (value ?? "").trim();
        const items = existing.split(",").map((x) => x.trim().toLowerCase());
        if (!existing) value = v;
        else if (!items.includes(String(v).toLowerCase())) value = `${existing}, ${v}`;
      } else throw new Error(`unknown header operation ${op} on ${n}`);
    }
    return value;
  }

  /** The `Set-Cookie` value for `name`; a later one replaces an earlier one. */
  cookie(name) {
    let found = null;
    for (const c of this.cookies) if (c.name === name) found = c.header;
    return found;
  }
}

/** `verifyAccessToken`'s JSON seen through the `Session` getter names, so one checker serves both. */
function verifiedToken(t) {
  return {
    accessToken: t.raw,
    userId: t.userId,
    recipeUserId: t.recipeUserId,
    tenantId: t.tenantId,
    handle: t.sessionHandle,
    accessTokenExpiryMs: t.expiryMs,
    accessTokenCreatedMs: t.timeCreatedMs,
    payloadJson: JSON.stringify(t.payload),
  };
}

function checkSession(expected, s, variables) {
  if (!isObject(expected)) return ["session expectation must be an object"];
  const out = [];
  const payload = JSON.parse(s.payloadJson);
  for (const [field, raw] of Object.entries(expected)) {
    let want;
    try {
      want = substitute(raw, variables);
    } catch (e) {
      out.push(e.message);
      continue;
    }
    if (field === "payloadContains") {
      if (!isObject(want)) {
        out.push("session.payloadContains must be an object");
        continue;
      }
      for (const [k, v] of Object.entries(want)) {
        if (!Object.hasOwn(payload, k) || !jsonEq(payload[k], v)) {
          out.push(`session.payload.${k}: expected ${short(v)}, got ${Object.hasOwn(payload, k) ? short(payload[k]) : "nothing"}`);
        }
      }
      continue;
    }
    const getter = SESSION_FIELDS[field];
    if (!getter) {
      out.push(`unknown session field ${field}`);
      continue;
    }
    const got = getter(s, payload);
    if (!jsonEq(got, want)) out.push(`session.${field}: expected ${short(want)}, got ${short(got)}`);
  }
  return out;
}

function tokenSegment(raw, index) {
  // v1/v2 tokens use standard base64 with padding, v3+ base64url without.
  const segment = raw.split(".")[index].replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  return JSON.parse(Buffer.from(segment, "base64").toString("utf8"));
}

// The fixed v1/v2 header segments (tessera-core `token::V1_HEADER`, `V2_HEADER`).
const LEGACY_HEADERS = [
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIxIn0=",
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0=",
];

/** 2 for v1/v2, else the header's `version` as JavaScript's `parseInt` reads it (3 when absent). */
function tokenVersion(raw) {
  if (LEGACY_HEADERS.includes(raw.split(".")[0])) return 2;
  const version = tokenSegment(raw, 0).version;
  if (version === undefined || version === null) return 3;
  const n = parseInt(String(version), 10);
  return Number.isNaN(n) ? 3 : n;
}

function tokenAntiCsrf(raw) {
  const claim = tokenSegment(raw, 1).antiCsrfToken;
  return typeof claim === "string" ? claim : null;
}

const SESSION_FIELDS = {
  userId: (s) => s.userId,
  recipeUserId: (s) => s.recipeUserId,
  tenantId: (s) => s.tenantId,
  sessionHandle: (s) => s.handle,
  expiryMs: (s) => s.accessTokenExpiryMs,
  timeCreatedMs: (s) => s.accessTokenCreatedMs,
  payload: (s, p) => p,
  // Not exposed by the binding (see the top of this file).
  antiCsrfToken: (s) => tokenAntiCsrf(s.accessToken),
  version: (s) => tokenVersion(s.accessToken),
};

function jsonEq(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEq(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return jsonEq(ka, kb) && ka.every((k) => jsonEq(a[k], b[k]));
  }
  return a === b;
}

function short(v) {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length <= 160 ? s : `${s.slice(0, 160)}…`;
}

function checkResponse(expected, r, now) {
  const out = [];
  if ("status" in expected && !jsonEq(r.status, expected.status)) out.push(`status: expected ${expected.status}, got ${r.status}`);
  if ("body" in expected && !jsonEq(r.body, expected.body)) out.push(`body: expected ${short(expected.body)}, got ${short(r.body)}`);
  for (const [header, want] of Object.entries(expected.headers ?? {})) {
    const problem = checkValue(want, r.header(header), now);
    if (problem) out.push(`header ${header}: ${problem}`);
  }
  for (const [cookie, want] of Object.entries(expected.cookies ?? {})) {
    const setCookie = r.cookie(cookie);
    if (want === null) {
      if (setCookie !== null) out.push(`cookie ${cookie}: expected not set, got ${JSON.stringify(setCookie)}`);
    } else if (setCookie === null) {
      out.push(`cookie ${cookie}: expected to be set, it was not`);
    } else {
      for (const p of checkCookie(want, setCookie, now)) out.push(`cookie ${cookie}: ${p} (Set-Cookie: ${short(setCookie)})`);
    }
  }
  return out;
}

/** `name=value; Attr=x; Flag` → [percent-decoded value, lowercase attribute → value]. */
function parseSetCookie(header) {
  const [first, ...attributes] = header.split(";");
  const eq = first.indexOf("=");
  if (eq < 0) throw new Error(`bad Set-Cookie ${JSON.stringify(header)}`);
  let value;
  try {
    value = decodeURIComponent(first.slice(eq + 1).trim());
  } catch (e) {
    throw new Error(`cookie value is not UTF-8: ${e.message}`);
  }
  const attrs = {};
  for (const a of attributes) {
    const i = a.indexOf("=");
    if (i < 0) attrs[a.trim().toLowerCase()] = null;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return [value, attrs];
}

function checkCookie(want, header, now) {
  let value, attrs;
  try {
    [value, attrs] = parseSetCookie(header);
  } catch (e) {
    return [e.message];
  }
  if (!isObject(want)) return ["a cookie expectation must be null or an object"];
  const out = [];
  for (const [k, w] of Object.entries(want)) {
    let problem;
    if (k === "value") problem = checkValue(w, value, now);
    else if (k === "path" || k === "domain") problem = checkValue(w, attrs[k] ?? null, now);
    else if (k === "expires") {
      const got = attrs.expires ?? null;
      if (typeof w === "string") {
        const instant = parseDate(w);
        const same = got !== null && (got === w || (instant !== null && parseDate(got) === instant));
        problem = same ? null : `expected ${JSON.stringify(w)}, got ${JSON.stringify(got)}`;
      } else problem = checkValue(w, got, now);
    } else if (k === "sameSite") {
      const got = attrs.samesite ?? null;
      const same = typeof w === "string" && got !== null && w.toLowerCase() === got.toLowerCase();
      problem = same ? null : `expected ${JSON.stringify(w)}, got ${JSON.stringify(got)}`;
    } else if (k === "httpOnly" || k === "secure") {
      const present = Object.hasOwn(attrs, k.toLowerCase());
      problem = w === present ? null : `expected ${JSON.stringify(w)}, got ${JSON.stringify(present)}`;
    } else problem = `unknown cookie attribute ${k}`;
    if (problem) out.push(`${k}: ${problem}`);
  }
  return out;
}

function parseDate(s) {
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

/** A value matcher (README, "Matchers"): null when it passes, else the problem. */
function checkValue(want, got, now) {
  const failure = `expected ${short(want)}, got ${got === null ? "nothing" : JSON.stringify(got.slice(0, 160))}`;
  if (want === null) return got === null ? null : failure;
  if (typeof want === "string") return got === want ? null : failure;
  if (!(isObject(want) && Object.keys(want).length === 1)) return `bad matcher ${short(want)}`;
  const [[k, arg]] = Object.entries(want);
  if (got === null) return failure;
  let ok;
  if (k === "nonEmpty") ok = got !== "";
  else if (k === "not") ok = typeof arg === "string" && arg !== got;
  else if (k === "list") {
    const items = got.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean).sort();
    ok = Array.isArray(arg) && jsonEq(arg.map((x) => String(x).trim().toLowerCase()).sort(), items);
  } else if (k === "inMs") {
    const at = parseDate(got);
    ok = at !== null && isUint(arg) && Math.abs(at - (now + arg)) <= IN_MS_TOLERANCE;
  } else if (k === "frontToken") return checkFrontToken(arg, got);
  else return `unknown matcher ${k}`;
  return ok ? null : failure;
}

function checkFrontToken(want, got) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(got) || got.length % 4 !== 0) return `front token ${JSON.stringify(got.slice(0, 160))} is not standard base64`;
  let v;
  try {
    v = JSON.parse(Buffer.from(got, "base64").toString("utf8"));
  } catch (e) {
    return `front token is not JSON: ${e.message}`;
  }
  if (!(isObject(v) && isUint(v.ate) && isObject(v.up))) return `front token lacks ate or up: ${short(v)}`;
  if (isObject(want) && "uid" in want && v.uid !== want.uid) return `front token uid: expected ${short(want.uid)}, got ${short(v.uid)}`;
  return null;
}
