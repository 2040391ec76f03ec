// `Session.init({ override: { functions } })`: the SuperTokens docs' `createNewSession` override
// (adding a claim to the access token payload) runs unchanged, in a request and outside one.
// Overrides of the other functions: overrideFunctions.test.mjs. `override.apis`:
// overrideApis.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import express from "express";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, errorHandler } from "tessera-session/framework/express";
import { plugin } from "tessera-session/framework/fastify";
import { appInfo, injected, listening, setCookies } from "../testlib/seed.mjs";

/** What the docs' override saw, call by call. */
let seen = [];

/** The SuperTokens docs' override, word for word, plus a record of its input. */
function docsOverride(originalImplementation) {
  return {
    ...originalImplementation,
    createNewSession: async function (input) {
      seen.push(input);
      input.accessTokenPayload = { ...input.accessTokenPayload, customKey: "customValue" };
      return originalImplementation.createNewSession(input);
    },
  };
}

function init(override, framework = "express", options = {}) {
  seen = [];
  Tessera.init({
    framework,
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...options, override })],
  });
}

/** The `up` (access token payload) of a front token. */
function frontTokenPayload(frontToken) {
  return JSON.parse(Buffer.from(frontToken, "base64").toString("utf8")).up;
}

async function startExpress() {
  const app = express();
  app.use(middleware());
  app.post("/signin", async (req, res) => {
    const userContext = { mine: 1 };
    const session = await Session.createNewSession(req, res, "public", "user-1", { role: "admin" }, { d: 1 }, userContext);
    res.json({ payload: session.getAccessTokenPayload(), contextKeys: Object.keys(userContext).sort() });
  });
  app.get("/getJWT", verifySession(), (req, res) => res.json({ payload: req.session.getAccessTokenPayload() }));
  app.use(errorHandler());
  app.use((err, _req, res, _next) => res.status(500).json({ message: err.message }));
  return listening(app.listen(0));
}

test("override.functions: the docs' createNewSession override adds customKey in an Express route", async () => {
  init({ functions: docsOverride });
  const app = await startExpress();
  try {
    const res = await app.fetch("/signin", {
      method: "POST",
      headers: { "st-auth-mode": "header", rid: "session", "x-probe": "p1" },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.payload.customKey, "customValue");
    assert.equal(body.payload.role, "admin");
    assert.deepEqual(body.contextKeys, ["_default", "mine"], "the caller's userContext carries the request");

    const accessToken = res.headers.get("st-access-token");
    assert.ok(accessToken, "the response carries the access token");
    assert.ok(res.headers.get("st-refresh-token"), "the response carries the refresh token");
    const up = frontTokenPayload(res.headers.get("front-token"));
    assert.equal(up.customKey, "customValue");
    assert.equal(up.role, "admin");

    const verified = await Session.getSessionWithoutRequestResponse(accessToken, undefined, { antiCsrfCheck: false });
    assert.equal(verified.getAccessTokenPayload().customKey, "customValue");
    assert.deepEqual(await verified.getSessionDataFromDatabase(), { d: 1 });
    const jwt = await app.fetch("/getJWT", { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(jwt.status, 200);
    assert.equal((await jwt.json()).payload.customKey, "customValue");

    // The override saw supertokens-node's input, with the request in userContext._default.request.
    assert.equal(seen.length, 1);
    const input = seen[0];
    assert.equal(input.userId, "user-1");
    assert.ok(input.recipeUserId instanceof Tessera.RecipeUserId);
    assert.equal(input.recipeUserId.getAsString(), "user-1");
    assert.equal(input.tenantId, "public");
    assert.deepEqual(input.sessionDataInDatabase, { d: 1 });
    assert.equal(input.userContext.mine, 1);
    const request = input.userContext._default.request;
    assert.equal(request.getHeaderValue("x-probe"), "p1");
    assert.equal(request.getMethod(), "post");
    assert.equal(request.wrapperUsed, true);
  } finally {
    await app.close();
  }
});

test("override.functions: in cookie mode the tokens are set as cookies, the payload has customKey", async () => {
  init({ functions: docsOverride });
  const app = await startExpress();
  try {
    const res = await app.fetch("/signin", { method: "POST", headers: { "st-auth-mode": "cookie", rid: "session" } });
    assert.equal(res.status, 200);
    const cookies = setCookies(res);
    assert.ok(cookies.sAccessToken?.value && cookies.sRefreshToken?.value);
    assert.equal(frontTokenPayload(res.headers.get("front-token")).customKey, "customValue");
    const verified = await Session.getSessionWithoutRequestResponse(decodeURIComponent(cookies.sAccessToken.value), undefined, {
      antiCsrfCheck: false,
    });
    assert.equal(verified.getAccessTokenPayload().customKey, "customValue");
  } finally {
    await app.close();
  }
});

test("override.functions: Fastify's createNewSession goes through the override too", async () => {
  init({ functions: docsOverride }, "fastify");
  const app = Fastify({ logger: false });
  await app.register(plugin);
  app.post("/signin", async (req, reply) => {
    await Session.createNewSession(req, reply, "public", "user-f");
    return { status: "OK" };
  });
  await app.ready();
  try {
    const res = await injected((o) => app.inject(o))("/signin", {
      method: "POST",
      headers: { "st-auth-mode": "header", rid: "session" },
    });
    assert.equal(res.status, 200);
    assert.equal(frontTokenPayload(res.headers.get("front-token")).customKey, "customValue");
    assert.ok(res.headers.get("st-access-token"));
    assert.ok(seen[0].userContext._default.request);
  } finally {
    await app.close();
  }
});

test("override.functions: createNewSessionWithoutRequestResponse goes through the override", async () => {
  init({ functions: docsOverride }, "express", { antiCsrf: "VIA_TOKEN" });
  const userContext = { mine: 2 };
  const s = await Session.createNewSessionWithoutRequestResponse("public", "user-2", { a: 1 }, undefined, false, userContext);
  assert.equal(s.getAccessTokenPayload().customKey, "customValue");
  assert.equal(s.getAccessTokenPayload().a, 1);
  const tokens = s.getAllSessionTokensDangerously();
  assert.ok(tokens.refreshToken && tokens.antiCsrfToken, "anti-CSRF as configured when disableAntiCsrf is false");
  const verified = await Session.getSessionWithoutRequestResponse(tokens.accessToken, tokens.antiCsrfToken);
  assert.equal(verified.getAccessTokenPayload().customKey, "customValue");

  assert.equal(seen.length, 1);
  assert.equal(seen[0].userContext, userContext, "the caller's userContext, as given");
  assert.equal(seen[0].userContext._default, undefined, "no request outside a request");
  assert.equal(seen[0].disableAntiCsrf, false);
  assert.deepEqual(seen[0].sessionDataInDatabase, {});

  const noCsrf = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("user-3"), {}, {}, true);
  assert.equal(noCsrf.getAllSessionTokensDangerously().antiCsrfToken, undefined);
  assert.equal(seen[1].disableAntiCsrf, true);
  assert.ok(seen[1].userContext && typeof seen[1].userContext === "object");
});

test("override.functions: an override that throws rejects the caller, and no session is made", async () => {
  const boom = new Error("override says no");
  init({
    functions: (original) => ({
      ...original,
      createNewSession: async () => {
        throw boom;
      },
    }),
  });
  await assert.rejects(Session.createNewSessionWithoutRequestResponse("public", "user-4"), (e) => e === boom);
  const app = await startExpress();
  try {
    const res = await app.fetch("/signin", { method: "POST", headers: { "st-auth-mode": "header", rid: "session" } });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { message: "override says no" });
    assert.equal(res.headers.get("st-access-token"), null);
    assert.equal(res.headers.get("front-token"), null);
  } finally {
    await app.close();
  }
  assert.deepEqual(await Session.getAllSessionHandlesForUser("user-4"), []);
  assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);
});

test("override.functions: an override may call the original outside the request it was given", async () => {
  init({
    functions: (original) => ({
      ...original,
      createNewSession: (input) => original.createNewSession({ ...input, userContext: {} }),
    }),
  });
  const app = await startExpress();
  try {
    const res = await app.fetch("/signin", { method: "POST", headers: { "st-auth-mode": "header", rid: "session" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("st-access-token"), null, "a session made without the request is not written to it");
    assert.equal((await Session.getAllSessionHandlesForUser("user-1")).length, 1);
  } finally {
    await app.close();
  }
});

test("override.functions: the original implementation has every RecipeInterface method; the defaults work", async () => {
  let original;
  init({
    functions: (o) => {
      original = o;
      return o;
    },
  });
  const names = [
    "createNewSession",
    "getGlobalClaimValidators",
    "getSession",
    "refreshSession",
    "getSessionInformation",
    "revokeAllSessionsForUser",
    "getAllSessionHandlesForUser",
    "revokeSession",
    "revokeMultipleSessions",
    "updateSessionDataInDatabase",
    "mergeIntoAccessTokenPayload",
    "regenerateAccessToken",
    "validateClaims",
    "fetchAndSetClaim",
    "setClaimValue",
    "getClaimValue",
    "removeClaim",
  ];
  assert.deepEqual(Object.keys(original).sort(), [...names].sort());
  for (const name of names) assert.equal(typeof original[name], "function", name);

  const userContext = {};
  const recipeUserId = Tessera.convertToRecipeUserId("user-5");
  const s = await original.createNewSession({ userId: "user-5", recipeUserId, tenantId: "public", userContext });
  const tokens = s.getAllSessionTokensDangerously();
  const handle = s.getHandle();
  const got = await original.getSession({ accessToken: tokens.accessToken, options: { antiCsrfCheck: false }, userContext });
  assert.equal(got.getHandle(), handle);
  assert.equal(await original.getSession({ accessToken: undefined, options: { sessionRequired: false }, userContext }), undefined);
  await assert.rejects(original.getSession({ accessToken: undefined, userContext }), (e) => e.type === "UNAUTHORISED");
  const refreshed = await original.refreshSession({ refreshToken: tokens.refreshToken, disableAntiCsrf: true, userContext });
  assert.equal(refreshed.getHandle(), handle);
  assert.equal(await original.updateSessionDataInDatabase({ sessionHandle: handle, newSessionData: { x: 1 }, userContext }), true);
  assert.equal(
    await original.mergeIntoAccessTokenPayload({ sessionHandle: handle, accessTokenPayloadUpdate: { m: 1 }, userContext }),
    true,
  );
  const info = await original.getSessionInformation({ sessionHandle: handle, userContext });
  assert.deepEqual(info.sessionDataInDatabase, { x: 1 });
  assert.equal(info.customClaimsInAccessTokenPayload.m, 1);
  const handles = await original.getAllSessionHandlesForUser({
    userId: "user-5",
    fetchSessionsForAllLinkedAccounts: true,
    tenantId: "public",
    userContext,
  });
  assert.deepEqual(handles, [handle]);
  assert.equal(await original.revokeSession({ sessionHandle: handle, userContext }), true);
  assert.deepEqual(await original.revokeMultipleSessions({ sessionHandles: [handle], userContext }), []);
  assert.deepEqual(
    await original.revokeAllSessionsForUser({ userId: "user-5", revokeSessionsForLinkedAccounts: true, tenantId: "public", userContext }),
    [],
  );
  assert.deepEqual(await original.getGlobalClaimValidators({ claimValidatorsAddedByOtherRecipes: [], userContext }), []);
  assert.deepEqual(await original.getClaimValue({ sessionHandle: handle, claim: { key: "k" }, userContext }), {
    status: "SESSION_DOES_NOT_EXIST_ERROR",
  });
  // The session was revoked above: the core answers undefined, as supertokens-node's does.
  assert.equal(await original.regenerateAccessToken({ accessToken: tokens.accessToken, userContext }), undefined);
});

test("override: any function may be replaced; one left out, or of the wrong kind, is refused at init", () => {
  const invalid = (...names) => (e) => {
    assert.ok(e instanceof Tessera.Error, String(e));
    assert.equal(e.type, "INVALID_CONFIG");
    for (const name of names) assert.match(e.message, new RegExp(name));
    return true;
  };
  const replaced = Session.init({ override: { functions: (o) => ({ ...o, revokeSession: async () => true }) } }).replaced;
  assert.deepEqual(replaced, { verify: false, getSession: false, refreshSession: false, regenerateAccessToken: false, endpoints: true });
  assert.throws(
    () => Session.init({ override: { functions: (o) => ({ ...o, getSession: async () => undefined, removeClaim: undefined }) } }),
    invalid("removeClaim must be a function"),
  );
  // Changed in place and returned.
  const inPlace = Session.init({
    override: {
      functions: (o) => {
        o.refreshSession = async () => undefined;
        return o;
      },
    },
  });
  assert.deepEqual(inPlace.replaced, { verify: false, getSession: false, refreshSession: true, regenerateAccessToken: false, endpoints: true });
  const regenerate = Session.init({ override: { functions: (o) => ({ ...o, regenerateAccessToken: async () => undefined }) } });
  assert.deepEqual(regenerate.replaced, { verify: false, getSession: false, refreshSession: false, regenerateAccessToken: true, endpoints: true });
  assert.equal(Session.init({ override: { functions: (o) => ({ ...o, validateClaims: async () => ({ invalidClaims: [] }) }) } }).replaced.verify, true);
  assert.throws(() => Session.init({ override: { functions: "nope" } }), invalid("override.functions"));
  assert.throws(() => Session.init({ override: { functions: () => undefined } }), invalid("override.functions"));
  assert.throws(() => Session.init({ override: 1 }), invalid("override"));

  let calls = 0;
  const recipe = Session.init({
    override: {
      functions: (o) => {
        calls += 1;
        return { ...o };
      },
    },
  });
  assert.equal(calls, 1, "functions is called once, at init");
  Tessera.init({ supertokens: { connectionURI: "sqlite::memory:" }, appInfo, recipeList: [recipe] });
  assert.equal(calls, 1);
  // An empty override replaces nothing.
  assert.equal(Session.init({ override: {} }).replaced, undefined);
  assert.equal(Session.init({}).replaced, undefined);
  assert.deepEqual(Session.init({ override: { functions: (o) => o } }).replaced, {
    verify: false,
    getSession: false,
    refreshSession: false,
    regenerateAccessToken: false,
    endpoints: false,
  });
});
