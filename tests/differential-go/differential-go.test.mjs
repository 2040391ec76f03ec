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
import { split } from "../differential/tokens.mjs";
import { FLOW_GROUPS as SHARED_FLOW_GROUPS, GRACE_S, GROUPS as SHARED_GROUPS, LOCAL, withoutOptions } from "../differential/groups.mjs";
import { remoteTokens } from "../differential/remote-tokens.mjs";
import { Findings, embeddedTokenSet, makeRemoteKeys } from "../differential/findings.mjs";
import { ALLOWLIST } from "./allowlist.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.DIFF_GO_BIN ?? resolve(HERE, "..", "..", "target", "differential-go");

/** The shared groups in the servers' terms: `transfer` becomes `session.tokenTransferMethod`,
 * which both servers turn back into GetTokenTransferMethod; supertokens-golang has no
 * accessTokenPath. */
const inGoTerms = (g) => (g.transfer ? { ...g, session: { ...g.session, tokenTransferMethod: g.transfer } } : g);
const GROUPS = SHARED_GROUPS.map(inGoTerms);
const FLOW_GROUPS = withoutOptions(SHARED_FLOW_GROUPS, "accessTokenPath").map(inGoTerms);

const dir = mkdtempSync(join(tmpdir(), "tessera-differential-go-"));
const sqlite = `sqlite:${join(dir, "sessions.sqlite3")}`;
const unhandled = [];
const findings = new Findings(ALLOWLIST);
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

  Object.assign(remoteKeys, makeRemoteKeys());
});

after(async () => {
  if (process.env.DIFF_REPORT) {
    writeFileSync(process.env.DIFF_REPORT, JSON.stringify({ differences: findings.found, answered: findings.answered, unhandled, stubUnexpected: stub?.state.unexpected ?? [] }, null, 1));
  }
  for (const child of running) child.kill("SIGKILL");
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tokens of an embedded group, minted by `app` (Tessera under the group's configuration). */
async function embeddedTokens(group, app) {
  const main = await mint(app, `user-${group.name}`);
  const signout = [await mint(app, `user-${group.name}-signout-1`), await mint(app, `user-${group.name}-signout-2`)];
  const res = await send(app.port, { method: "GET", path: "/auth/jwt/jwks.json" });
  assert.equal(res.status, 200, `Tessera's JWKS: ${res.body}`);
  return embeddedTokenSet(group, main, signout, shared, JSON.parse(res.body));
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
      tokens = remoteTokens(group, remoteKeys);
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
      findings.answer(key, ref, tes);
      for (const d of compare(ref, tes)) findings.record(key, d, c, ref, tes, failures);
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
      findings.answer(key, ref, tes, { normalised: normalised.reference });
      for (const field of Object.keys(normalised.reference)) {
        if (normalised.reference[field] === normalised.tessera[field]) continue;
        findings.record(key, { field, reference: normalised.reference[field], tessera: normalised.tessera[field] }, requests.tessera, ref, tes, failures);
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
  assert.deepEqual(findings.stale(), [], "remove the entries of fixed differences");
});
