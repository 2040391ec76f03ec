// Session claims in the Node binding: the built-in claims and validators
// (tessera-session/recipe/session/claims), SessionContainer's claim methods, and
// overrideGlobalClaimValidators outside a request. What each validator checks is the core's;
// these tests check that the facade fetches, merges and reports as supertokens-node does.
import { test } from "node:test";
import assert from "node:assert/strict";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { BooleanClaim, PrimitiveArrayClaim, PrimitiveClaim, SessionClaim } from "tessera-session/recipe/session/claims";
import { initTessera } from "../testlib/seed.mjs";

const newSession = (user = "claims-user") =>
  Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId(user));

test("getSessionWithoutRequestResponse with a BooleanClaim validator fetches the value into a new token", async () => {
  initTessera("express");
  const seen = [];
  const TwoFactor = new BooleanClaim({
    key: "2fa",
    fetchValue: async (userId, recipeUserId, tenantId) => {
      seen.push([userId, recipeUserId.getAsString(), tenantId]);
      return true;
    },
  });
  const created = await newSession();
  const session = await Session.getSessionWithoutRequestResponse(created.getAccessToken(), undefined, {
    overrideGlobalClaimValidators: (globalValidators, s) => {
      assert.deepEqual(globalValidators, []);
      assert.equal(s.getUserId(), "claims-user");
      return [...globalValidators, TwoFactor.validators.isTrue()];
    },
  });
  assert.deepEqual(seen, [["claims-user", "claims-user", "public"]]);
  assert.notEqual(session.getAccessToken(), created.getAccessToken());
  assert.equal(await session.getClaimValue(TwoFactor), true);
  assert.equal(typeof TwoFactor.getLastRefetchTime(session.getAccessTokenPayload()), "number");
  // The new token carries the value: verified again, nothing is fetched.
  const again = await Session.getSessionWithoutRequestResponse(session.getAccessToken(), undefined, {
    overrideGlobalClaimValidators: () => [TwoFactor.validators.isTrue()],
  });
  assert.equal(again.getAccessToken(), session.getAccessToken());
  assert.equal(seen.length, 1);
});

test("getSessionWithoutRequestResponse with a failing validator rejects with INVALID_CLAIMS and the reasons", async () => {
  initTessera("express");
  const TwoFactor = new BooleanClaim({ key: "2fa", fetchValue: () => false });
  const Never = new BooleanClaim({ key: "never", fetchValue: () => undefined });
  const created = await newSession();
  await assert.rejects(
    Session.getSessionWithoutRequestResponse(created.getAccessToken(), undefined, {
      overrideGlobalClaimValidators: async () => [TwoFactor.validators.isTrue(), Never.validators.isFalse(undefined, "never-id")],
    }),
    (e) => {
      assert.ok(e instanceof Session.Error);
      assert.equal(e.type, Session.Error.INVALID_CLAIMS);
      assert.deepEqual(e.payload, [
        { id: "2fa", reason: { message: "wrong value", expectedValue: true, actualValue: false } },
        { id: "never-id", reason: { message: "value does not exist", expectedValue: false } },
      ]);
      return true;
    },
  );
});

test("built-in validators: max age refetches, and every array check gives supertokens-node's reason", async () => {
  initTessera("express");
  let calls = 0;
  const Level = new PrimitiveClaim({ key: "level", fetchValue: () => ++calls, defaultMaxAgeInSeconds: 60 });
  const payload = Level.addToPayload_internal({}, 1);
  const hasOne = Level.validators.hasValue(1);
  assert.equal(hasOne.shouldRefetch(payload, {}), false);
  assert.equal(hasOne.shouldRefetch({ level: { v: 1, t: Date.now() - 120_000 } }, {}), true);
  assert.deepEqual(await hasOne.validate(payload, {}), { isValid: true });
  const expired = await hasOne.validate({ level: { v: 1, t: Date.now() - 120_000 } }, {});
  assert.equal(expired.isValid, false);
  assert.equal(expired.reason.message, "expired");
  assert.equal(expired.reason.maxAgeInSeconds, 60);

  const Roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["a", "b"] });
  const roles = Roles.addToPayload_internal({}, ["a", "b"]);
  const v = Roles.validators;
  assert.deepEqual(await v.includes("a").validate(roles, {}), { isValid: true });
  assert.deepEqual(await v.excludes("a").validate(roles, {}), {
    isValid: false,
    reason: { message: "wrong value", expectedToNotInclude: "a", actualValue: ["a", "b"] },
  });
  assert.deepEqual(await v.includesAll(["a", "c"]).validate(roles, {}), {
    isValid: false,
    reason: { message: "wrong value", expectedToInclude: ["a", "c"], actualValue: ["a", "b"] },
  });
  assert.deepEqual(await v.includesAny(["c", "b"]).validate(roles, {}), { isValid: true });
  assert.deepEqual(await v.excludesAll(["c"]).validate(roles, {}), { isValid: true });
  assert.equal(v.includes("a", undefined, "custom").id, "custom");
  assert.equal(v.includes("a").claim, Roles);
});

test("SessionContainer: setClaimValue, getClaimValue, fetchAndSetClaim, removeClaim", async () => {
  initTessera("express");
  const Roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: (userId) => [`owner-of-${userId}`] });
  const session = await newSession();
  assert.equal(await session.getClaimValue(Roles), undefined);

  await session.setClaimValue(Roles, ["editor"]);
  assert.deepEqual(await session.getClaimValue(Roles), ["editor"]);
  const afterSet = session.getAccessToken();

  await session.fetchAndSetClaim(Roles);
  assert.deepEqual(await session.getClaimValue(Roles), ["owner-of-claims-user"]);
  assert.notEqual(session.getAccessToken(), afterSet);
  // The token verifies with the value in it.
  const verified = await Session.getSessionWithoutRequestResponse(session.getAccessToken());
  assert.deepEqual(await verified.getClaimValue(Roles), ["owner-of-claims-user"]);

  await session.removeClaim(Roles);
  assert.equal(await session.getClaimValue(Roles), undefined);
  assert.ok(!("roles" in session.getAccessTokenPayload()));

  // A claim whose fetchValue gives undefined leaves the payload as it is.
  const Nothing = new BooleanClaim({ key: "nothing", fetchValue: () => undefined });
  await session.fetchAndSetClaim(Nothing);
  assert.equal(await session.getClaimValue(Nothing), undefined);
  assert.ok(Roles instanceof SessionClaim);
});

test("claim natives: bad validator JSON throws with code INVALID_INPUT; claimEntry and claimValidate", async () => {
  initTessera("express");
  const { createRequire } = await import("node:module");
  const native = createRequire(import.meta.url)("../native.js");
  assert.throws(
    () => native.claimShouldRefetch('{"key": "k", "check": {"kind": "nope"}}', "{}"),
    (e) => e.code === "INVALID_INPUT",
  );
  assert.deepEqual(JSON.parse(native.claimEntry("[1]", 5)), { v: [1], t: 5 });
  assert.equal(native.claimValidate('{"key": "k", "check": {"kind": "hasValue", "value": 1}}', '{"k": {"v": 1, "t": 0}}', 0), null);
});
