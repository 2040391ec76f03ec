// Not under test/: node --test runs every script in a test directory.
// The worker of test/worker-threads.test.mjs: loads the addon in its own thread, inits Tessera on
// the SQLite file the test names, and answers `{id, op, ...}` messages with `{id, ...}`:
//   create {userId}   Session.createNewSessionWithoutRequestResponse -> {token, handle}
//   verify {token}    Session.getSessionWithoutRequestResponse and the native
//                     Engine.verifySession -> {handle, userId, nativeHandle}
//   churn             creates and verifies sessions until the worker is terminated; answers
//                     once the first round is done, so work is in flight when it is stopped
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";

const { Engine } = createRequire(import.meta.url)("../native.js");
const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };
const connectionURI = `sqlite:${workerData.db}`;
Tessera.init({ supertokens: { connectionURI }, appInfo, recipeList: [Session.init({ antiCsrf: "NONE" })] });
const engine = new Engine(JSON.stringify({ appInfo, session: { antiCsrf: "NONE" }, connectionURI }));

/** The native verification as the facade does it: inline, unless the key is one this thread's
 * engine has not read from the store yet (`WOULD_BLOCK`), then on the thread pool. */
async function nativeVerify(token) {
  const args = ["GET", "/getJWT", ["cookie", `sAccessToken=${token}`], true, null, false];
  try {
    return engine.verifySession(...args);
  } catch (err) {
    if (err.code !== "WOULD_BLOCK") throw err;
    return engine.verifySessionAsync(...args);
  }
}

async function verify(token) {
  const session = await Session.getSessionWithoutRequestResponse(token);
  const native = await nativeVerify(token);
  return { handle: session.getHandle(), userId: session.getUserId(), nativeHandle: (native.session === undefined ? native : native.session).handle };
}

async function answer(msg) {
  switch (msg.op) {
    case "create": {
      const s = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId(msg.userId));
      return { token: s.getAccessToken(), handle: s.getHandle() };
    }
    case "verify":
      return verify(msg.token);
    case "churn": {
      let first = true;
      for (let i = 0; ; i++) {
        const s = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId(`churn-${i}`));
        // Several verifications in flight on the thread pool at once, not awaited one by one.
        const pending = Array.from({ length: 8 }, () => verify(s.getAccessToken()));
        if (first) {
          first = false;
          parentPort.postMessage({ id: msg.id, churning: true });
        }
        await Promise.all(pending);
      }
    }
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

parentPort.on("message", (msg) => {
  answer(msg).then(
    (result) => parentPort.postMessage({ id: msg.id, ...result }),
    (err) => parentPort.postMessage({ id: msg.id, error: { type: err.type, message: String(err.message) } }),
  );
});
parentPort.postMessage({ ready: true });
