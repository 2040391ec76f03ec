// The recipe implementation's regenerateAccessToken, as supertokens-node's answers it from the
// SuperTokens core's /recipe/session/regenerate: the payload replaced (not merged), the
// expiry kept, undefined for a session that is gone, and the core's errors for tokens that are
// not the session's. It is reached as an app reaches it: through `override.functions`.
import { test } from "node:test";
import assert from "node:assert/strict";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { RecipeUserId } from "tessera-session";
import { appInfo } from "../testlib/seed.mjs";

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
