// The addon in `worker_threads`: each Worker loads its own instance of the addon and of the
// facade, and they all share one SQLite file with the main thread, so a session made in one
// thread verifies in any other. Terminating a Worker while its calls are in flight on the thread
// pool must not crash the process (a task that finishes after its thread is gone is dropped).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "..", "testlib", "session-worker.mjs");
const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

/** A Worker running testlib/session-worker.mjs, with a request/answer `call`. */
async function startWorker(db) {
  const worker = new Worker(WORKER, { workerData: { db } });
  const waiting = new Map();
  let nextId = 0;
  let failed;
  worker.on("error", (err) => {
    failed = err;
    for (const { reject } of waiting.values()) reject(err);
  });
  const ready = new Promise((resolve, reject) => {
    worker.once("message", (msg) => (msg.ready ? resolve() : reject(new Error(`unexpected ${JSON.stringify(msg)}`))));
    worker.once("error", reject);
  });
  worker.on("message", (msg) => {
    const w = waiting.get(msg.id);
    if (w === undefined) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(Object.assign(new Error(msg.error.message), { type: msg.error.type }));
    else w.resolve(msg);
  });
  await ready;
  return {
    worker,
    call(op, args = {}) {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, op, ...args });
      });
    },
  };
}

function tempDb(t) {
  const dir = mkdtempSync(join(tmpdir(), "tessera-workers-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "sessions.sqlite3");
}

test("sessions made in workers verify in other workers and in the main thread", async (t) => {
  const db = tempDb(t);
  Tessera.init({ supertokens: { connectionURI: `sqlite:${db}` }, appInfo, recipeList: [Session.init({ antiCsrf: "NONE" })] });
  // The store gets its signing key before the workers open it, so that what this test shows
  // does not hang on the core's key-reload cooldown: an engine that has just read the keys
  // answers an unknown kid with TRY_REFRESH_TOKEN until the cooldown has passed.
  const fromMain = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("user-main"));
  const workers = await Promise.all(Array.from({ length: 4 }, () => startWorker(db)));
  t.after(() => Promise.all(workers.map((w) => w.worker.terminate())));

  const created = await Promise.all(workers.map((w, i) => w.call("create", { userId: `user-${i}` })));

  // Each worker verifies the next one's session, and the main thread's, all at once.
  const checks = workers.flatMap((w, i) => {
    const other = created[(i + 1) % workers.length];
    return [
      w.call("verify", { token: other.token }).then((r) => {
        assert.equal(r.handle, other.handle);
        assert.equal(r.nativeHandle, other.handle);
        assert.equal(r.userId, `user-${(i + 1) % workers.length}`);
      }),
      w.call("verify", { token: fromMain.getAccessToken() }).then((r) => {
        assert.equal(r.handle, fromMain.getHandle());
        assert.equal(r.userId, "user-main");
      }),
    ];
  });
  await Promise.all(checks);

  for (const [i, c] of created.entries()) {
    const s = await Session.getSessionWithoutRequestResponse(c.token);
    assert.equal(s.getHandle(), c.handle);
    assert.equal(s.getUserId(), `user-${i}`);
  }

  // A session revoked by one thread is gone for the others (they share the store, not memory).
  assert.equal(await Session.revokeSession(created[0].handle), true);
  assert.deepEqual(await Session.getAllSessionHandlesForUser("user-0"), []);
});

test("terminating workers with calls in flight does not crash the process", async (t) => {
  const db = tempDb(t);
  Tessera.init({ supertokens: { connectionURI: `sqlite:${db}` }, appInfo, recipeList: [Session.init({ antiCsrf: "NONE" })] });
  // The signing key exists before the workers open the store (see the test above).
  await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("before"));
  for (let round = 0; round < 3; round++) {
    const workers = await Promise.all(Array.from({ length: 3 }, () => startWorker(db)));
    await Promise.all(workers.map((w) => w.call("churn")));
    const exits = await Promise.all(workers.map((w) => w.worker.terminate()));
    assert.deepEqual(exits, [1, 1, 1], "terminate() stops a running worker with exit code 1");
  }
  // A worker stopped while it is still loading the addon.
  const early = new Worker(WORKER, { workerData: { db } });
  await early.terminate();

  // The main thread's own engine is unaffected.
  const s = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("after"));
  const again = await Session.getSessionWithoutRequestResponse(s.getAccessToken());
  assert.equal(again.getHandle(), s.getHandle());
});
