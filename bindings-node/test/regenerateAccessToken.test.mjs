// The recipe implementation's regenerateAccessToken, as supertokens-node's answers it from the
// SuperTokens core's /recipe/session/regenerate: the payload replaced (not merged), the
// expiry kept, undefined for a session that is gone, and the core's errors for tokens that are
// not the session's. It is reached as an app reaches it: through `override.functions`. A
// replacement of it is what a session's mergeIntoAccessTokenPayload calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import express from "express";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { RecipeUserId } from "tessera-session";
import * as expressVerify from "tessera-session/recipe/session/framework/express";
import * as expressFramework from "tessera-session/framework/express";
import { appInfo, listening, signIn } from "../testlib/seed.mjs";

/** `Tessera.init` on a fresh in-memory store; the implementation `override.functions` was
 * given (the default one) and the one it returned, built by `wrap` from it. */
function init(wrap = (o) => o) {
  let original;
  let built;
  Tessera.init({
    framework: "express",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [
      Session.init({
        override: {
          functions: (o) => {
            original = o;
            built = wrap(o);
            return built;
          },
        },
      }),
    ],
  });
  return { original, built };
}

/** The payload of a JWT, unverified. */
function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

test("regenerateAccessToken: the payload is replaced, the expiry kept, and the new token verifies", async () => {
  const { original } = init();
  const s = await Session.createNewSessionWithoutRequestResponse("public", "regen-user", { a: 1 });
  const token = s.getAccessToken();
  const exp = s.getAccessTokenPayload().exp;
  const userContext = {};

  const answer = await original.regenerateAccessToken({ accessToken: token, newAccessTokenPayload: { c: 3 }, userContext });
  assert.equal(answer.status, "OK");
  assert.equal(answer.session.handle, s.getHandle());
  assert.equal(answer.session.userId, "regen-user");
  assert.equal(answer.session.tenantId, "public");
  assert.ok(answer.session.recipeUserId instanceof RecipeUserId);
  assert.equal(answer.session.recipeUserId.getAsString(), "regen-user");
  assert.deepEqual(answer.session.userDataInJWT, { c: 3 });

  assert.equal(typeof answer.accessToken.token, "string");
  assert.notEqual(answer.accessToken.token, token);
  assert.equal(answer.accessToken.expiry, exp * 1000, "the original token's expiry");
  assert.equal(claimsOf(answer.accessToken.token).exp, exp);
  assert.ok(Math.abs(answer.accessToken.createdTime - Date.now()) < 60_000, `${answer.accessToken.createdTime}`);

  const verified = await Session.getSessionWithoutRequestResponse(answer.accessToken.token, undefined, { antiCsrfCheck: false });
  assert.equal(verified.getHandle(), s.getHandle());
  const payload = verified.getAccessTokenPayload();
  assert.equal(payload.c, 3);
  assert.ok(!("a" in payload), `replaced, not merged: ${JSON.stringify(payload)}`);
  // The stored payload was replaced too: the next refresh carries it.
  const info = await Session.getSessionInformation(s.getHandle());
  assert.deepEqual(info.customClaimsInAccessTokenPayload, { c: 3 });
});

test("regenerateAccessToken: a missing or null payload is {}", async () => {
  const { original } = init();
  const s = await Session.createNewSessionWithoutRequestResponse("public", "regen-user", { a: 1 });
  for (const newAccessTokenPayload of [undefined, null]) {
    const answer = await original.regenerateAccessToken({ accessToken: s.getAccessToken(), newAccessTokenPayload, userContext: {} });
    assert.deepEqual(answer.session.userDataInJWT, {});
    assert.ok(!("a" in claimsOf(answer.accessToken.token)));
  }
  await assert.rejects(
    original.regenerateAccessToken({ accessToken: s.getAccessToken(), newAccessTokenPayload: [1], userContext: {} }),
    TypeError,
  );
});

test("regenerateAccessToken: a revoked session is undefined, and tokens that are not the session's get the core's errors", async () => {
  const { original } = init();
  const s = await Session.createNewSessionWithoutRequestResponse("public", "regen-user", { a: 1 });
  const token = s.getAccessToken();

  await assert.rejects(
    original.regenerateAccessToken({ accessToken: "garbage", newAccessTokenPayload: {}, userContext: {} }),
    (e) => e instanceof Session.Error && e.type === Session.Error.UNAUTHORISED,
  );
  await assert.rejects(
    original.regenerateAccessToken({ accessToken: token, newAccessTokenPayload: { sub: "someone-else" }, userContext: {} }),
    (e) => e instanceof Session.Error && e.type === "INVALID_INPUT",
  );
  const [header, , signature] = token.split(".");
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...claimsOf(token), a: 2 })).toString("base64url")}.${signature}`;
  await assert.rejects(
    original.regenerateAccessToken({ accessToken: forged, newAccessTokenPayload: {}, userContext: {} }),
    (e) => e instanceof Session.Error && e.type === Session.Error.TRY_REFRESH_TOKEN,
  );

  assert.equal(await Session.revokeSession(s.getHandle()), true);
  assert.equal(await original.regenerateAccessToken({ accessToken: token, newAccessTokenPayload: { c: 3 }, userContext: {} }), undefined);
});

test("regenerateAccessToken: an override may wrap the original, which stores what the wrapper passes on", async () => {
  const seen = [];
  const { original, built } = init((o) => ({
    ...o,
    regenerateAccessToken: async (input) => {
      seen.push({ payload: input.newAccessTokenPayload, mine: input.userContext.mine });
      const answer = await o.regenerateAccessToken({ ...input, newAccessTokenPayload: { ...input.newAccessTokenPayload, wrapped: true } });
      return answer === undefined ? undefined : { ...answer, session: { ...answer.session, userId: "renamed" } };
    },
  }));
  assert.notEqual(built.regenerateAccessToken, original.regenerateAccessToken);
  const s = await Session.createNewSessionWithoutRequestResponse("public", "regen-user", { a: 1 });
  const answer = await built.regenerateAccessToken({ accessToken: s.getAccessToken(), newAccessTokenPayload: { c: 3 }, userContext: { mine: 1 } });
  assert.deepEqual(seen, [{ payload: { c: 3 }, mine: 1 }]);
  assert.equal(answer.session.userId, "renamed");
  assert.deepEqual(answer.session.userDataInJWT, { c: 3, wrapped: true });
  const verified = await Session.getSessionWithoutRequestResponse(answer.accessToken.token, undefined, { antiCsrfCheck: false });
  assert.equal(verified.getAccessTokenPayload().wrapped, true);
});

// ---- a session's mergeIntoAccessTokenPayload, as supertokens-node's sessionClass ------------------
// Once override.functions replaced regenerateAccessToken, a session's merge hands it the merged
// custom payload and makes the token it returns the session's; otherwise the core merges alone.

/** The native Engine's methods a session's merge may call, counted while `run` runs. */
async function countingNativeCalls(run) {
  const { Engine } = createRequire(import.meta.url)("../native.js");
  const names = ["mergeIntoAccessTokenPayloadInSession", "regenerateAccessToken", "adoptAccessToken"];
  const counts = Object.fromEntries(names.map((n) => [n, 0]));
  const saved = names.map((n) => Engine.prototype[n]);
  for (const n of names) {
    const method = Engine.prototype[n];
    Engine.prototype[n] = function (...args) {
      counts[n] += 1;
      return method.apply(this, args);
    };
  }
  try {
    await run();
  } finally {
    names.forEach((n, i) => {
      Engine.prototype[n] = saved[i];
    });
  }
  return counts;
}

/** An Express app: POST /signin (a session for user-1 with {a: 1}) and POST /merge
 * (verifySession(), then mergeIntoAccessTokenPayload({role: "admin"}) -> {payload, token}),
 * errors answered by Tessera's errorHandler. */
async function startMergeApp() {
  const app = express();
  app.use(expressFramework.middleware());
  app.post("/signin", async (req, res, next) => {
    try {
      await Session.createNewSession(req, res, "public", "user-1", { a: 1 });
      res.json({ status: "OK" });
    } catch (err) {
      next(err);
    }
  });
  app.post("/merge", expressVerify.verifySession(), async (req, res, next) => {
    try {
      await req.session.mergeIntoAccessTokenPayload({ role: "admin" });
      res.json({ payload: req.session.getAccessTokenPayload(), token: req.session.getAccessToken() });
    } catch (err) {
      next(err);
    }
  });
  app.use(expressFramework.errorHandler());
  app.use((err, _req, res, _next) => res.status(500).json({ message: err.message }));
  return listening(app.listen(0));
}

const PROTECTED = ["sub", "iat", "exp", "sessionHandle", "parentRefreshTokenHash1", "refreshTokenHash1", "antiCsrfToken", "rsub", "tId", "stt"];

test("mergeIntoAccessTokenPayload in a route goes through a replaced regenerateAccessToken, and writes the token it returns", async () => {
  const seen = [];
  init((o) => ({
    ...o,
    regenerateAccessToken: async (input) => {
      seen.push({ accessToken: input.accessToken, payload: input.newAccessTokenPayload });
      return o.regenerateAccessToken({ ...input, newAccessTokenPayload: { ...input.newAccessTokenPayload, by: "override" } });
    },
  }));
  const app = await startMergeApp();
  try {
    const access = (await signIn(app, "header")).headers.get("st-access-token");
    let merged;
    const counts = await countingNativeCalls(async () => {
      merged = await app.fetch("/merge", { method: "POST", headers: { authorization: `Bearer ${access}` } });
    });
    assert.equal(merged.status, 200, await merged.clone().text());
    assert.deepEqual(counts, { mergeIntoAccessTokenPayloadInSession: 0, regenerateAccessToken: 1, adoptAccessToken: 1 });

    // The override got the session's token and its custom payload merged with the update.
    assert.equal(seen.length, 1);
    assert.equal(seen[0].accessToken, access);
    const custom = Object.fromEntries(Object.entries(claimsOf(access)).filter(([key]) => !PROTECTED.includes(key)));
    assert.equal(custom.a, 1);
    assert.deepEqual(seen[0].payload, { ...custom, role: "admin" });
    for (const key of PROTECTED) assert.ok(!(key in seen[0].payload), `${key} in ${JSON.stringify(seen[0].payload)}`);

    // The token it returned is the session's, on the response.
    const body = await merged.json();
    const token = merged.headers.get("st-access-token");
    assert.ok(token !== null && token !== access, "a new st-access-token");
    assert.equal(body.token, token);
    assert.ok(merged.headers.get("front-token"), "a front-token");
    assert.equal(body.payload.role, "admin");
    assert.equal(body.payload.by, "override");
    const verified = await Session.getSessionWithoutRequestResponse(token, undefined, { antiCsrfCheck: false });
    const payload = verified.getAccessTokenPayload();
    assert.equal(payload.role, "admin");
    assert.equal(payload.by, "override");
    assert.equal(payload.a, 1);

    // A session gone in between: the merge answers 401, as supertokens-node's does.
    assert.equal(await Session.revokeSession(body.payload.sessionHandle), true);
    const gone = await app.fetch("/merge", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401);
    assert.deepEqual(await gone.json(), { message: "unauthorised" });
    assert.equal(seen.length, 2, "the override ran for the gone session too");
  } finally {
    await app.close();
  }
});

test("mergeIntoAccessTokenPayload: a null update value removes the key; an answer without a token writes nothing", async () => {
  let answerToken = true;
  const seen = [];
  init((o) => ({
    ...o,
    regenerateAccessToken: async (input) => {
      seen.push(input.newAccessTokenPayload);
      const answer = await o.regenerateAccessToken(input);
      return answerToken ? answer : { ...answer, accessToken: undefined };
    },
  }));
  const s = await Session.createNewSessionWithoutRequestResponse("public", "user-1", { a: 1, b: 2 });
  const { iss } = s.getAccessTokenPayload();
  await s.mergeIntoAccessTokenPayload({ a: null, c: 3 });
  assert.deepEqual(seen[0], { iss, b: 2, c: 3 });
  const payload = s.getAccessTokenPayload();
  assert.equal(payload.c, 3);
  assert.ok(!("a" in payload), JSON.stringify(payload));
  assert.equal(s.getAllSessionTokensDangerously().accessAndFrontTokenUpdated, true);

  answerToken = false;
  const before = s.getAccessToken();
  const pending = s.responseMutations.length;
  await s.mergeIntoAccessTokenPayload({ d: 4 });
  assert.equal(s.getAccessToken(), before, "no token to adopt");
  assert.equal(s.responseMutations.length, pending, "nothing written");
  // The store has it: the next refresh carries it.
  assert.deepEqual((await Session.getSessionInformation(s.getHandle())).customClaimsInAccessTokenPayload, { iss, b: 2, c: 3, d: 4 });
});

test("mergeIntoAccessTokenPayload: a token of another session is refused", async () => {
  init((o) => ({
    ...o,
    regenerateAccessToken: async (input) => {
      const other = await Session.createNewSessionWithoutRequestResponse("public", "someone-else", {});
      return o.regenerateAccessToken({ ...input, accessToken: other.getAccessToken() });
    },
  }));
  const s = await Session.createNewSessionWithoutRequestResponse("public", "user-1", {});
  await assert.rejects(s.mergeIntoAccessTokenPayload({ role: "admin" }), (e) => e instanceof Session.Error && e.type === "INVALID_INPUT");
  assert.ok(!("role" in s.getAccessTokenPayload()));
});

for (const [name, wrap] of [
  ["no override.functions", undefined],
  ["an override.functions that leaves regenerateAccessToken alone", (o) => ({ ...o, getSessionInformation: (input) => o.getSessionInformation(input) })],
]) {
  test(`mergeIntoAccessTokenPayload in a route with ${name} merges in the core, without regenerateAccessToken`, async () => {
    if (wrap === undefined) {
      Tessera.init({ framework: "express", supertokens: { connectionURI: "sqlite::memory:" }, appInfo, recipeList: [Session.init()] });
    } else {
      init(wrap);
    }
    const app = await startMergeApp();
    try {
      const access = (await signIn(app, "header")).headers.get("st-access-token");
      let merged;
      const counts = await countingNativeCalls(async () => {
        merged = await app.fetch("/merge", { method: "POST", headers: { authorization: `Bearer ${access}` } });
      });
      assert.equal(merged.status, 200, await merged.clone().text());
      assert.deepEqual(counts, { mergeIntoAccessTokenPayloadInSession: 1, regenerateAccessToken: 0, adoptAccessToken: 0 });
      const token = merged.headers.get("st-access-token");
      assert.ok(token !== null && token !== access);
      assert.equal((await merged.json()).payload.role, "admin");
    } finally {
      await app.close();
    }
  });
}

test("assertClaims hands a replaced regenerateAccessToken no protected props (validateClaims answers the whole payload)", async () => {
  const seen = [];
  init((o) => ({
    ...o,
    validateClaims: async ({ accessTokenPayload }) => ({ invalidClaims: [], accessTokenPayloadUpdate: { ...accessTokenPayload, checked: true } }),
    regenerateAccessToken: async (input) => {
      seen.push(input.newAccessTokenPayload);
      return o.regenerateAccessToken(input);
    },
  }));
  const s = await Session.createNewSessionWithoutRequestResponse("public", "user-1", { a: 1 });
  await s.assertClaims([]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].checked, true);
  assert.equal(seen[0].a, 1);
  for (const key of PROTECTED) assert.ok(!(key in seen[0]), `${key} in ${JSON.stringify(seen[0])}`);
  assert.equal(s.getAccessTokenPayload().checked, true);
  assert.equal(s.getAccessTokenPayload().sub, "user-1");
});
