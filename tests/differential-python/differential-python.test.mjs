// The Python differential test: the corpus and the flows of tests/differential/ sent to a Tessera
// app and to a supertokens-python app configured alike, on each framework both integrate with
// (app.py: FastAPI on uvicorn, its routes taking the session from Depends(verify_session()) or
// calling get_session; Flask, Django and Django REST framework on Werkzeug's WSGI server; Django's
// async views on uvicorn; each app in a process of its own), the answers compared with the Node test's normalisation (harness.mjs `compare`;
// flows.mjs `flowNormalise`, the front token's key order aside: normalise.mjs). A difference
// fails the test unless allowlist.mjs excuses it. $DIFF_FRAMEWORKS (comma-separated) narrows
// the frameworks run.
//
// As in the Node test, supertokens-python talks to the stub core (stub-core.mjs): in the
// "embedded" groups it serves Tessera's JWKS (Tessera runs its embedded authority on a SQLite
// file; the tokens are minted here, by the Node binding on the same file, as the Node test mints
// them: one store, one core); in the "remote" groups the test's own keys, which Tessera verifies
// against too; in the flow groups each app runs its own authority (Tessera its store,
// supertokens-python the stub).
//
// Each group runs in processes of its own (both libraries keep process-wide state) with a stub
// core of its own, a few groups at a time ($DIFF_CONCURRENCY, 3). $DIFF_PYTHON is the interpreter (a virtualenv with tessera,
// supertokens-python, fastapi, uvicorn, flask, django and djangorestframework: scripts/differential-python.sh makes it).
// DIFF_REPORT=FILE writes every difference found, excused or not, with both raw answers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { corpus } from "../differential/corpus.mjs";
import { Client, flowSteps } from "../differential/flows.mjs";
import { compare, requireTessera, send } from "../differential/harness.mjs";
import { startStubCore } from "../differential/stub-core.mjs";
import { split } from "../differential/tokens.mjs";
import { FLOW_GROUPS as SHARED_FLOW_GROUPS, GRACE_S, GROUPS, LOCAL, withoutOptions } from "../differential/groups.mjs";
import { Findings, embeddedTokenSet, makeRemoteKeys } from "../differential/findings.mjs";
import { ALLOWLIST } from "./allowlist.mjs";
import { flowNormaliseKeyOrderFree } from "./normalise.mjs";
import { remoteTokens } from "../differential/remote-tokens.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const PYTHON = process.env.DIFF_PYTHON ?? join(ROOT, "target", "differential-python-venv", "bin", "python");
const SIDES = ["reference", "tessera"];
const LIB = { reference: "supertokens-python", tessera: "tessera" };
const FRAMEWORKS = (process.env.DIFF_FRAMEWORKS ?? "fastapi,fastapi-get-session,flask,django,django-drf,django-async").split(",").filter(Boolean);

/** The shared groups, in supertokens-python's terms (app.py makes the options snake_case and
 * turns `transfer` into a get_token_transfer_method function, given to both): supertokens-python
 * has no accessTokenPath (its access-token cookie is always at "/"). */
const FLOW_GROUPS = withoutOptions(SHARED_FLOW_GROUPS, "accessTokenPath");

const dir = mkdtempSync(join(tmpdir(), "tessera-differential-python-"));
const sqlite = `sqlite:${join(dir, "sessions.sqlite3")}`;
const unhandled = [];
const findings = new Findings(ALLOWLIST);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Each group has its own stub core (so that groups may run at once); what they were asked and
// did not model is kept here.
const stubUnexpected = [];
const running = new Set();

// --- the apps --------------------------------------------------------------------------------

/** Starts app.py for `lib` under `config`; resolves to {port, close} once it listens. Its
 * DIFF-UNHANDLED lines go to `unhandled`. */
function startApp(lib, config) {
  const child = spawn(PYTHON, [join(HERE, "app.py"), lib], {
    cwd: dir,
    env: { ...process.env, DIFF_CONFIG: JSON.stringify(config), PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let pending = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      if (line.startsWith("DIFF-UNHANDLED ")) unhandled.push(JSON.parse(line.slice("DIFF-UNHANDLED ".length)));
      else stderr = `${stderr}${line}\n`.slice(-4000);
    }
  });
  const exited = new Promise((r) => child.on("exit", r));
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        resolvePromise({
          port: Number(m[1]),
          close: async () => {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
    child.on("error", reject);
    exited.then((code) => reject(new Error(`${lib} app exited (${code}) before listening:\n${stderr}`)));
  });
}

/** Both apps of a group on `framework`: the reference on `stub`, Tessera on `connectionURI` (the
 * stub if undefined). */
async function startApps(group, framework, stub, connectionURI, tessera = {}) {
  const base = { appInfo: group.appInfo, session: group.session, transfer: group.transfer, framework };
  const started = await Promise.allSettled([
    startApp("supertokens-python", { ...base, connectionURI: stub.origin }),
    startApp("tessera", { ...base, connectionURI: connectionURI ?? stub.origin, tessera }),
  ]);
  const apps = { reference: started[0].value, tessera: started[1].value };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await Promise.all(Object.values(apps).map((a) => a?.close()));
    throw failed.reason;
  }
  return apps;
}

/** Runs `body(stub, apps)` with a stub core of its own and the group's apps on `framework`, and
 * closes them. */
async function withApps(group, framework, connectionURI, tessera, body) {
  const stub = await startStubCore();
  running.add(stub);
  let apps;
  try {
    apps = await startApps(group, framework, stub, connectionURI, tessera);
    return await body(stub, apps);
  } finally {
    if (apps) await Promise.all(SIDES.map((side) => apps[side].close()));
    stubUnexpected.push(...stub.state.unexpected.map((u) => `${framework} ${group.name}: ${u}`));
    running.delete(stub);
    await stub.close();
  }
}

// --- tokens ----------------------------------------------------------------------------------

// Tessera's Node binding, in this process, mints the embedded groups' tokens on the SQLite file
// the Tessera apps use (the Node test's `mint`): the same core, so the tokens are what Tessera's
// Python authority would mint under the same configuration.
const node = {
  root: requireTessera("tessera-session").default,
  Session: requireTessera("tessera-session/recipe/session").default,
};

function initNodeTessera(appInfo, session) {
  node.root.init({ framework: "express", supertokens: { connectionURI: sqlite }, appInfo, recipeList: [node.Session.init(session)] });
}

async function mint(userId, payload = { role: "differential" }) {
  const s = await node.Session.createNewSessionWithoutRequestResponse("public", node.root.convertToRecipeUserId(userId), payload, {}, false);
  return { token: s.getAccessToken(), antiCsrf: s.getAllSessionTokensDangerously().antiCsrfToken ?? null };
}

const shared = {};
const remoteKeys = {};

before(async () => {
  initNodeTessera(LOCAL, { accessTokenValidity: 1 });
  shared.expired = (await mint("user-expired")).token;
  initNodeTessera(LOCAL, { useDynamicAccessTokenSigningKey: false });
  shared.static = (await mint("user-static")).token;
  initNodeTessera(LOCAL, {});
  shared.dynamic = (await mint("user-dynamic")).token;
  const wait = split(shared.expired).payload.exp * 1000 - Date.now() + 50;
  if (wait > 0) await sleep(wait);

  Object.assign(remoteKeys, makeRemoteKeys());
});

after(async () => {
  if (process.env.DIFF_REPORT) {
    writeFileSync(process.env.DIFF_REPORT, JSON.stringify({ differences: findings.found, answered: findings.answered, unhandled, stubUnexpected }, null, 1));
  }
  for (const stub of running) await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tokens of an embedded group (the Node test's `embeddedTokens`, with the JWKS read from
 * the Tessera app). */
async function embeddedTokens(group) {
  initNodeTessera(group.appInfo, group.session);
  const main = await mint(`user-${group.name}`);
  const signout = [await mint(`user-${group.name}-signout-1`), await mint(`user-${group.name}-signout-2`)];
  return { complete: (jwks) => embeddedTokenSet(group, main, signout, shared, jwks) };
}

// --- groups ----------------------------------------------------------------------------------

// Minting re-initialises the Node binding's engine: one group at a time.
let minting = Promise.resolve();
function serially(fn) {
  const p = minting.then(fn);
  minting = p.catch(() => {});
  return p;
}

async function runGroup(group, framework) {
  const embedded = group.keys === "embedded" ? await serially(() => embeddedTokens(group)) : null;
  return withApps(group, framework, embedded ? sqlite : undefined, {}, async (stub, apps) => {
    let tokens;
    if (embedded) {
      const res = await send(apps.tessera.port, { method: "GET", path: "/auth/jwt/jwks.json" });
      assert.equal(res.status, 200, `Tessera's JWKS: ${res.body}`);
      tokens = embedded.complete(JSON.parse(res.body));
    } else {
      tokens = remoteTokens(group, remoteKeys);
    }
    stub.setJwks(tokens.jwks);
    const failures = [];
    const names = new Set();
    for (const c of corpus(tokens.t, { embedded: Boolean(embedded) })) {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
      const [ref, tes] = await Promise.all(SIDES.map((side) => send(apps[side].port, c)));
      const key = `${group.name}/${c.name}`;
      findings.answer(key, ref, tes, { framework });
      for (const d of compare(ref, tes)) findings.record(key, d, c, ref, tes, failures, framework);
    }
    return failures;
  });
}

async function runFlowGroup(group, framework) {
  const tessera = { refreshTokenRotationGracePeriod: GRACE_S, ...group.tessera };
  return withApps(group, framework, sqlite, tessera, async (stub, apps) => {
    stub.configure({ graceMs: GRACE_S * 1000, ...group.core });
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
        SIDES.map(async (side) => {
          const c = ctx[side];
          if (step.snapshot) c.saved[step.snapshot] = c[step.use].snapshot();
          requests[side] = { method: step.method, path: step.path, headers: step.headers(c) };
          answers[side] = await send(apps[side].port, requests[side]);
          normalised[side] = flowNormaliseKeyOrderFree(answers[side], c[step.use], requests[side], group);
          if (step.apply) c[step.use].apply(answers[side]);
        }),
      );
      const key = `${group.name}/${step.name}`;
      const [ref, tes] = [answers.reference, answers.tessera];
      findings.answer(key, ref, tes, { framework, normalised: normalised.reference });
      for (const field of Object.keys(normalised.reference)) {
        if (normalised.reference[field] === normalised.tessera[field]) continue;
        const d = { field, reference: normalised.reference[field], tessera: normalised.tessera[field] };
        findings.record(key, d, requests.tessera, ref, tes, failures, framework);
      }
    }
    return failures;
  });
}

const report = (failures) =>
  failures.map((f) => `  ${f.key} [${f.field}]\n    supertokens-python: ${f.reference}\n    tessera:            ${f.tessera}`).join("\n");

// Groups run a few at a time, each on its own processes and stub core: most of a step's time is
// spent waiting (supertokens-python on the stub, each side on the other's CPU).
const CONCURRENCY = Number(process.env.DIFF_CONCURRENCY ?? 3);

// Groups whose steps race a 1-2 s expiry or grace window run alone, after the others, so that a
// loaded machine (CI has two cores) cannot push one app's request past the window and not the
// other's.
const timed = (group) => Boolean(group.flows?.rotation || group.flows?.expiring);

const flowTest = (group, framework) =>
  test(`${group.name}: Tessera's session flows answer as supertokens-python's with a core`, async () => {
    const failures = await runFlowGroup(group, framework);
    assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
  });

for (const framework of FRAMEWORKS) {
  describe(`${framework}: flows`, { concurrency: CONCURRENCY }, () => {
    for (const group of FLOW_GROUPS.filter((g) => !timed(g))) flowTest(group, framework);
  });

  describe(`${framework}: timed flows`, { concurrency: 1 }, () => {
    for (const group of FLOW_GROUPS.filter(timed)) flowTest(group, framework);
  });

  describe(`${framework}: corpus`, { concurrency: CONCURRENCY }, () => {
    for (const group of GROUPS) {
      test(`${group.name}: Tessera answers the corpus as supertokens-python does`, async () => {
        const failures = await runGroup(group, framework);
        assert.equal(failures.length, 0, `${failures.length} differences not in allowlist.mjs:\n${report(failures)}`);
      });
    }
  });
}

// Tessera must answer every request itself, except where an error is thrown to the app's own
// route as the reference throws it (createNewSession refusing a misconfiguration).
test("the stub core was only asked what it models, and Tessera left no error unanswered", () => {
  assert.deepEqual(stubUnexpected, []);
  const thrownByBoth = (u) => u.request.startsWith("POST /flow/signin") && unhandled.some((r) => r.lib !== "tessera" && r.request === u.request);
  assert.deepEqual(unhandled.filter((u) => u.lib === "tessera" && !thrownByBoth(u)), []);
});

test("every allowlist entry still excuses a difference", () => {
  assert.deepEqual(findings.stale(), [], "remove the entries of fixed differences");
});
