// The differential test: every request of the corpus (corpus.mjs) is sent to a Tessera app and
// to a supertokens-node app configured alike, in this one process, and the answers are compared
// (harness.mjs `normalise`: status, JSON body, Set-Cookie names with cleared/set and their
// attributes, front-token, st-access-token, st-refresh-token, anti-csrf,
// Access-Control-Expose-Headers). A difference fails the test unless allowlist.mjs excuses it.
// It runs on each framework both libraries integrate with (frameworks.mjs: Express, Fastify, Koa,
// Hapi, AWS Lambda behind a local stand-in for API Gateway, LoopBack 4, and Next.js App Router
// route handlers; each library through its own integration for it), so that each of Tessera's
// framework adapters is compared as well as the
// core: every group on every framework. $DIFF_FRAMEWORKS (comma-separated) narrows the frameworks
// run.
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
// its engine; supertokens-node's recipes are reset, which its TEST_MODE allows), for the
// framework the group runs on.
//
// DIFF_REPORT=FILE writes every difference found, excused or not, with the requests and both
// raw answers, as JSON.
process.env.TEST_MODE = "testing";

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALLOWLIST } from "./allowlist.mjs";
import { corpus } from "./corpus.mjs";
import { Client, flowNormalise, flowSteps } from "./flows.mjs";
import { FRAMEWORKS as ALL_FRAMEWORKS, initFramework, libraryFor, startApp } from "./frameworks.mjs";
import { compare, requireDep, send, startStubCore } from "./harness.mjs";
import { FLOW_GROUPS as SHARED_FLOW_GROUPS, GRACE_S, GROUPS as SHARED_GROUPS, LOCAL, transferFunction } from "./groups.mjs";
import { Findings, embeddedTokenSet, makeRemoteKeys } from "./findings.mjs";
import { remoteTokens } from "./remote-tokens.mjs";
import { split } from "./tokens.mjs";

/** The groups in supertokens-node's terms: `transfer` becomes the getTokenTransferMethod option. */
const inNodeTerms = (g) => (g.transfer ? { ...g, session: { ...g.session, getTokenTransferMethod: transferFunction(g.transfer) } } : g);
const GROUPS = SHARED_GROUPS.map(inNodeTerms);
const FLOW_GROUPS = SHARED_FLOW_GROUPS.map(inNodeTerms);

const FRAMEWORKS = (process.env.DIFF_FRAMEWORKS ?? ALL_FRAMEWORKS.join(",")).split(",").filter(Boolean);
for (const f of FRAMEWORKS) assert.ok(ALL_FRAMEWORKS.includes(f), `DIFF_FRAMEWORKS: unknown framework ${f} (known: ${ALL_FRAMEWORKS})`);

const dir = mkdtempSync(join(tmpdir(), "tessera-differential-"));
const sqlite = `sqlite:${join(dir, "sessions.sqlite3")}`;
const unhandled = [];
const findings = new Findings(ALLOWLIST);
let stub;

/** Both libraries on `framework` (frameworks.mjs `libraryFor`). */
const librariesFor = (framework) => ({ reference: libraryFor("supertokens-node", framework), tessera: libraryFor("tessera", framework) });
// The root modules, which do not depend on the framework: minting tokens, resetting.
const tessera = librariesFor("express").tessera;

function initTessera(appInfo, session, { connectionURI = sqlite, framework = "express" } = {}) {
  tessera.root.init({
    framework: initFramework(framework),
    supertokens: { connectionURI },
    appInfo,
    recipeList: [tessera.Session.init(session)],
  });
}

// The recipes supertokens-node initialises by itself, besides those SuperTokens.reset resets.
const REFERENCE_RECIPES = ["session", "accountlinking", "multitenancy", "usermetadata", "multifactorauth", "totp"];
let referenceInitialised = false;

function initReference(appInfo, session, framework) {
  const reference = librariesFor(framework).reference;
  if (referenceInitialised) {
    requireDep("supertokens-node/lib/build/supertokens").default.reset();
    for (const r of REFERENCE_RECIPES) requireDep(`supertokens-node/lib/build/recipe/${r}/recipe`).default.reset?.();
  }
  reference.root.init({
    framework: initFramework(framework),
    supertokens: { connectionURI: stub.origin },
    appInfo,
    recipeList: [reference.Session.init(session)],
    telemetry: false,
  });
  referenceInitialised = true;
}

/** Both apps on `framework`, the libraries initialised for it already. */
async function startApps(framework) {
  const libs = librariesFor(framework);
  const started = await Promise.allSettled([startApp(framework, libs.reference, unhandled), startApp(framework, libs.tessera, unhandled)]);
  const apps = { reference: started[0].value, tessera: started[1].value };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await closeApps(apps);
    throw failed.reason;
  }
  return apps;
}

const closeApps = (apps) => Promise.all(Object.values(apps).map((a) => a?.close()));

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

  Object.assign(remoteKeys, makeRemoteKeys());
});

after(async () => {
  if (process.env.DIFF_REPORT) {
    writeFileSync(process.env.DIFF_REPORT, JSON.stringify({ differences: findings.found, answered: findings.answered, unhandled, stubUnexpected: stub?.state.unexpected ?? [] }, null, 1));
  }
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tokens of an embedded group: minted by Tessera under the group's own configuration. */
async function embeddedTokens(group) {
  initTessera(group.appInfo, group.session);
  const main = await mint(`user-${group.name}`);
  const signout = [await mint(`user-${group.name}-signout-1`), await mint(`user-${group.name}-signout-2`)];
  return embeddedTokenSet(group, main, signout, shared, JSON.parse(await jwksOfTessera()));
}

/** Tessera's JWKS, as its Express app serves it. */
async function jwksOfTessera() {
  const server = await startApp("express", tessera, unhandled);
  try {
    const res = await send(server.port, { method: "GET", path: "/auth/jwt/jwks.json" });
    assert.equal(res.status, 200, `Tessera's JWKS: ${res.body}`);
    return res.body;
  } finally {
    await server.close();
  }
}

/** Runs one group's corpus against both apps on `framework`; returns the differences not excused. */
async function runGroup(group, framework) {
  let tokens;
  if (group.keys === "embedded") {
    tokens = await embeddedTokens(group);
    initTessera(group.appInfo, group.session, { framework });
  } else {
    tokens = remoteTokens(group, remoteKeys);
    initTessera(group.appInfo, group.session, { connectionURI: stub.origin, framework });
  }
  stub.setJwks(tokens.jwks);
  initReference(group.appInfo, group.session, framework);
  const apps = await startApps(framework);
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
      findings.answer(key, ref, tes, { framework });
      for (const d of compare(ref, tes)) findings.record(key, d, c, ref, tes, failures, framework);
    }
  } finally {
    await closeApps(apps);
  }
  return failures;
}

/** Runs one flow group on `framework`: each app with its own clients and authority. */
async function runFlowGroup(group, framework) {
  initTessera(group.appInfo, { refreshTokenRotationGracePeriod: GRACE_S, ...group.session, ...group.tessera }, { framework });
  stub.setJwks(stub.ownJwks);
  stub.configure({ graceMs: GRACE_S * 1000, ...group.core });
  initReference(group.appInfo, group.session, framework);
  const apps = await startApps(framework);
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
      findings.answer(key, ref, tes, { framework, normalised: normalised.reference });
      for (const field of Object.keys(normalised.reference)) {
        if (normalised.reference[field] === normalised.tessera[field]) continue;
        const d = { field, reference: normalised.reference[field], tessera: normalised.tessera[field] };
        findings.record(key, d, requests.tessera, ref, tes, failures, framework);
      }
    }
  } finally {
    await closeApps(apps);
  }
  return failures;
}

const report = (failures) =>
  failures.map((f) => `  ${f.key} [${f.field}]\n    supertokens-node: ${f.reference}\n    tessera:          ${f.tessera}`).join("\n");

for (const framework of FRAMEWORKS) {
  describe(framework, () => {
    for (const group of FLOW_GROUPS) {
      test(`${group.name}: Tessera's session flows answer as supertokens-node's with a core`, async () => {
        const failures = await runFlowGroup(group, framework);
        assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
      });
    }

    for (const group of GROUPS) {
      test(`${group.name}: Tessera answers the corpus as supertokens-node does`, async () => {
        const failures = await runGroup(group, framework);
        assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
      });
    }
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

// An entry may be for a framework not run.
const narrowed = ALL_FRAMEWORKS.some((f) => !FRAMEWORKS.includes(f));
test("every allowlist entry still excuses a difference", { skip: narrowed && "DIFF_FRAMEWORKS leaves frameworks out" }, () => {
  assert.deepEqual(findings.stale(), [], "remove the entries of fixed differences");
});
