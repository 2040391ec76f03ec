// `Session.init({ override: { functions } })` for every RecipeInterface function, after
// supertokens-node's tests: the public functions, SessionContainer's methods, the protected
// routes (getSession, getGlobalClaimValidators, validateClaims), the refresh endpoint
// (refreshSession) and sign-out (getSession, revokeSession) go through the implementation the
// override returns, on Express and Fastify; and an override that only calls the originals answers
// exactly as no override does. The createNewSession override: override.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import Fastify from "fastify";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { BooleanClaim, PrimitiveArrayClaim } from "tessera-session/recipe/session/claims";
import * as expressVerify from "tessera-session/recipe/session/framework/express";
import * as fastifyVerify from "tessera-session/recipe/session/framework/fastify";
import * as expressFramework from "tessera-session/framework/express";
import * as fastifyFramework from "tessera-session/framework/fastify";
import { appInfo, injected, listening, setCookies, signIn } from "../testlib/seed.mjs";
import { cookieHeader } from "../testlib/cookies.mjs";
import { getJWT, refresh, scenario, shape, signInCookies, signOut } from "../testlib/scenario.mjs";

/** `Tessera.init` for `framework` with `override.functions` (none when undefined). */
function init(framework, functions, options = {}) {
  Tessera.init({
    framework,
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [
      Session.init({
        exposeAccessTokenToFrontendInCookieBasedAuth: true,
        ...options,
        override: functions === undefined ? undefined : { functions },
      }),
    ],
  });
}

/** The roles the `roles` claim fetches, by user: tests change it. */
const roles = new Map();
const Roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: (userId) => roles.get(userId) });
/** A claim whose value is never found (supertokens-node's `UndefinedClaim`). */
const Undefined = new BooleanClaim({ key: "st-undef", fetchValue: () => undefined });
/** A claim that is always true (supertokens-node's `TrueClaim`). */
const True = new BooleanClaim({ key: "st-true", fetchValue: () => true });

// ---- the apps --------------------------------------------------------------------------------
// Each serves, its framework's own way: POST /signin (a session for user-1), GET /getJWT
// (verifySession() -> {token}), GET /optional (sessionRequired false -> {hasSession}), GET /data
// (verifySession() -> the session's data in the database, time created and expiry), POST /revoke
// (verifySession(), then session.revokeSession()), GET /admin (verifySession() with the roles
// claim required to include "admin" -> {roles}) and GET /direct (Session.getSession(req, res) ->
// {userId}).

async function startExpress() {
  const { verifySession } = expressVerify;
  const app = express();
  app.use(expressFramework.middleware());
  app.post("/signin", async (req, res) => {
    await Session.createNewSession(req, res, "public", "user-1", { role: "admin" }, { d: 1 });
    res.json({ status: "OK" });
  });
  app.get("/getJWT", verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() }));
  app.get("/optional", verifySession({ sessionRequired: false }), (req, res) => res.json({ hasSession: req.session !== undefined }));
  app.get("/data", verifySession(), async (req, res, next) => {
    try {
      const s = req.session;
      res.json({ data: await s.getSessionDataFromDatabase(), created: await s.getTimeCreated(), expiry: await s.getExpiry() });
    } catch (err) {
      next(err);
    }
  });
  app.post("/revoke", verifySession(), async (req, res) => {
    await req.session.revokeSession();
    res.json({ status: "OK" });
  });
  const admin = verifySession({ overrideGlobalClaimValidators: (globals) => [...globals, Roles.validators.includes("admin")] });
  app.get("/admin", admin, async (req, res) => res.json({ roles: await req.session.getClaimValue(Roles) }));
  app.get("/direct", async (req, res, next) => {
    try {
      const session = await Session.getSession(req, res);
      res.json({ userId: session.getUserId() });
    } catch (err) {
      next(err);
    }
  });
  app.use(expressFramework.errorHandler());
  app.use((err, _req, res, _next) => res.status(500).json({ message: err.message }));
  return listening(app.listen(0));
}

async function startFastify() {
  const { verifySession } = fastifyVerify;
  const app = Fastify({ logger: false });
  await app.register(fastifyFramework.plugin);
  const fallback = fastifyFramework.errorHandler();
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof Tessera.Error) return fallback(err, req, reply);
    reply.status(500).send({ message: err.message });
  });
  app.post("/signin", async (req, reply) => {
    await Session.createNewSession(req, reply, "public", "user-1", { role: "admin" }, { d: 1 });
    return { status: "OK" };
  });
  app.get("/getJWT", { preHandler: verifySession() }, async (req) => ({ token: req.session.getAccessToken() }));
  app.get("/optional", { preHandler: verifySession({ sessionRequired: false }) }, async (req) => ({
    hasSession: req.session !== undefined,
  }));
  app.get("/data", { preHandler: verifySession() }, async (req) => {
    const s = req.session;
    return { data: await s.getSessionDataFromDatabase(), created: await s.getTimeCreated(), expiry: await s.getExpiry() };
  });
  app.post("/revoke", { preHandler: verifySession() }, async (req) => {
    await req.session.revokeSession();
    return { status: "OK" };
  });
  const admin = verifySession({ overrideGlobalClaimValidators: (globals) => [...globals, Roles.validators.includes("admin")] });
  app.get("/admin", { preHandler: admin }, async (req) => ({ roles: await req.session.getClaimValue(Roles) }));
  app.get("/direct", async (req, reply) => ({ userId: (await Session.getSession(req, reply)).getUserId() }));
  await app.ready();
  return { fetch: injected((o) => app.inject(o)), close: () => app.close() };
}

const FRAMEWORKS = { express: startExpress, fastify: startFastify };

async function withApp(framework, functions, body, options) {
  init(framework, functions, options);
  const app = await FRAMEWORKS[framework]();
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

/** `init` for `fetch` with the access token of `cookies` (cookie mode). */
const withCookie = (cookies, extra = {}) => ({
  headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session", ...extra },
});

/** Every RecipeInterface function replaced by one that only calls the original. */
function passThrough(original) {
  const out = {};
  for (const [name, fn] of Object.entries(original)) out[name] = (input) => fn(input);
  return out;
}

/** `scenario`, plus header mode, the routes whose session methods or claims go through the
 * implementation, a POST route without the anti-CSRF header, and a revoked session. */
async function fullScenario(app) {
  roles.set("user-1", ["admin"]);
  const out = await scenario(app);
  const cookies = await signInCookies(app);
  // A route's body (and Express's ETag of it) carries the token, whose value differs between runs.
  const tokenless = async (res) => {
    const shaped = await shape(res);
    return { ...shaped, body: res.status, headers: shaped.headers.filter(([name]) => name !== "etag") };
  };
  out.routeHeaders = await tokenless(await getJWT(app, cookies));
  out.optional = await shape(await app.fetch("/optional", withCookie(cookies)));
  out.data = (await app.fetch("/data", withCookie(cookies))).status;
  out.admin = await tokenless(await app.fetch("/admin", withCookie(cookies)));
  roles.set("user-1", ["guest"]);
  const other = await signInCookies(app);
  out.notAdmin = await shape(await app.fetch("/admin", withCookie(other)));
  out.direct = await shape(await app.fetch("/direct", withCookie(cookies)));
  out.noCsrf = await shape(await app.fetch("/revoke", { method: "POST", headers: { cookie: withCookie(cookies).headers.cookie } }));
  out.revoke = await shape(await app.fetch("/revoke", { method: "POST", ...withCookie(cookies) }));

  const header = await signIn(app, "header");
  const bearer = { authorization: `Bearer ${header.headers.get("st-access-token")}` };
  out.headerRoute = await tokenless(await app.fetch("/getJWT", { headers: bearer }));
  const refreshed = await app.fetch("/auth/session/refresh", {
    method: "POST",
    headers: { authorization: `Bearer ${header.headers.get("st-refresh-token")}`, rid: "session" },
  });
  out.headerRefresh = await shape(refreshed);
  const newBearer = { authorization: `Bearer ${refreshed.headers.get("st-access-token")}` };
  out.headerSignOut = await shape(await app.fetch("/auth/signout", { method: "POST", headers: { ...newBearer, rid: "session" } }));
  out.garbage = await shape(await app.fetch("/getJWT", { headers: { authorization: "Bearer a.b.c" } }));
  out.none = await shape(await app.fetch("/getJWT"));
  out.noneOptional = await shape(await app.fetch("/optional"));
  out.reused = await shape(await refresh(app, { sRefreshToken: { value: "garbage" } }));
  return out;
}

// ---- answers with an override that calls the originals ------------------------------------------

for (const framework of Object.keys(FRAMEWORKS)) {
  test(`${framework}: override.functions calling the originals answers verify, refresh and sign-out exactly as without it`, async () => {
    for (const options of [{}, { antiCsrf: "VIA_CUSTOM_HEADER" }, { errorHandlers: { onUnauthorised: async (_m, _q, res) => res.sendJSONResponse({ mine: 1 }) } }]) {
      let without;
      await withApp(framework, undefined, async (app) => {
        without = await fullScenario(app);
      }, options);
      assert.equal(without.refreshed.status, 200);
      assert.equal(without.signedOut.status, 200);
      assert.equal(without.notAdmin.status, 403);
      assert.equal(without.revoke.status, 200);
      assert.equal(without.headerRefresh.status, 200);
      assert.deepEqual(without.revoke.cookies.map((c) => c.split("=")[0]).sort(), ["sAccessToken", "sRefreshToken"]);
      for (const functions of [(o) => o, passThrough]) {
        await withApp(framework, functions, async (app) => {
          assert.deepEqual(await fullScenario(app), without, JSON.stringify(options));
        }, options);
      }
    }
  });
}

// ---- getSession -----------------------------------------------------------------------------------

for (const framework of Object.keys(FRAMEWORKS)) {
  test(`${framework}: a getSession override is called on protected routes and sign-out, and may throw or answer another session`, async () => {
    const seen = [];
    let otherToken;
    const functions = (o) => ({
      ...o,
      getSession: async (input) => {
        const request = input.userContext._default.request;
        seen.push({
          path: request.getOriginalURL().split("?")[0],
          accessToken: input.accessToken,
          antiCsrfCheck: input.options.antiCsrfCheck,
          sessionRequired: input.options.sessionRequired,
        });
        if (request.getHeaderValue("x-deny")) {
          throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "denied", payload: { clearTokens: false } });
        }
        if (request.getHeaderValue("x-as-other")) return o.getSession({ ...input, accessToken: otherToken });
        return o.getSession(input);
      },
    });
    await withApp(framework, functions, async (app) => {
      otherToken = (await signIn(app, "header")).headers.get("st-access-token");
      const cookies = await signInCookies(app);
      const token = cookies.sAccessToken.value;

      const ok = await getJWT(app, cookies);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { token });
      assert.deepEqual(seen.at(-1), { path: "/getJWT", accessToken: token, antiCsrfCheck: false, sessionRequired: undefined });

      const other = await app.fetch("/getJWT", withCookie(cookies, { "x-as-other": "1" }));
      assert.deepEqual(await other.json(), { token: otherToken }, "the route gets the session the override returned");

      const denied = await app.fetch("/getJWT", withCookie(cookies, { "x-deny": "1" }));
      assert.equal(denied.status, 401);
      assert.deepEqual(await denied.json(), { message: "unauthorised" });
      assert.deepEqual(denied.headers.getSetCookie(), [], "clearTokens: false");

      assert.deepEqual(await (await app.fetch("/optional")).json(), { hasSession: false });
      assert.deepEqual(seen.at(-1), { path: "/optional", accessToken: undefined, antiCsrfCheck: false, sessionRequired: false });
      const none = await app.fetch("/getJWT");
      assert.equal(none.status, 401);
      assert.deepEqual(none.headers.getSetCookie(), [], "no token, nothing cleared");

      const direct = await app.fetch("/direct", withCookie(cookies));
      assert.deepEqual(await direct.json(), { userId: "user-1" });
      assert.equal(seen.at(-1).path, "/direct");

      // The session the default getSession gives is attached on the request's transport: its
      // revocation clears the cookies, not the headers.
      const revoked = await app.fetch("/revoke", { method: "POST", ...withCookie(cookies) });
      assert.equal(revoked.status, 200);
      assert.equal(setCookies(revoked).sAccessToken?.value, "");
      assert.equal(revoked.headers.get("st-access-token"), null);
      assert.equal(seen.at(-1).antiCsrfCheck, true, "a POST with a cookie: the check is asked for (the config has none to run)");

      const count = seen.length;
      const second = await signInCookies(app);
      const deniedSignOut = await signOut(app, second, { "x-deny": "1" });
      assert.equal(deniedSignOut.status, 401, "sign-out verifies through getSession");
      assert.equal((await signOut(app, second)).status, 200);
      assert.deepEqual(seen.slice(count).map((s) => s.path), ["/auth/signout", "/auth/signout"]);
    });
  });
}

test("express: a getSession override that returns a session the original regenerated writes the new token", async () => {
  // checkDatabase: an access token whose payload changed in the store is regenerated; the
  // response must carry the new one, on the request's transport.
  const functions = (o) => ({ ...o, getSession: (input) => o.getSession({ ...input, options: { ...input.options, checkDatabase: true } }) });
  await withApp("express", functions, async (app) => {
    const cookies = await signInCookies(app);
    const [handle] = await Session.getAllSessionHandlesForUser("user-1");
    assert.equal(await Session.mergeIntoAccessTokenPayload(handle, { fresh: 1 }), true);
    const res = await getJWT(app, cookies);
    assert.equal(res.status, 200);
    const { token } = await res.json();
    assert.notEqual(token, cookies.sAccessToken.value);
    assert.equal(setCookies(res).sAccessToken?.value, token, "as a cookie, the request's transport");
    assert.equal(res.headers.get("st-refresh-token"), null);
    const up = JSON.parse(Buffer.from(res.headers.get("front-token"), "base64").toString()).up;
    assert.equal(up.fresh, 1);
  });
});

// ---- refreshSession -------------------------------------------------------------------------------

for (const framework of Object.keys(FRAMEWORKS)) {
  test(`${framework}: a refreshSession override is called by the refresh endpoint, and its errors are answered as the endpoint's`, async () => {
    const seen = [];
    const functions = (o) => ({
      ...o,
      refreshSession: async (input) => {
        const request = input.userContext._default?.request;
        seen.push({ refreshToken: input.refreshToken, disableAntiCsrf: input.disableAntiCsrf, hasRequest: request !== undefined });
        if (request?.getHeaderValue("x-refuse")) {
          throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "refused" });
        }
        return o.refreshSession(input);
      },
    });
    await withApp(framework, functions, async (app) => {
      const first = await signInCookies(app);
      const res = await refresh(app, first);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), {});
      const second = setCookies(res);
      assert.ok(second.sAccessToken?.value && second.sRefreshToken?.value, "the new tokens go out as cookies");
      assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
      assert.equal(res.headers.get("st-refresh-token"), null);
      // Cookie transport, anti-CSRF not VIA_CUSTOM_HEADER: supertokens-node leaves it enabled.
      assert.deepEqual(seen, [{ refreshToken: decodeURIComponent(first.sRefreshToken.value), disableAntiCsrf: false, hasRequest: true }]);
      assert.deepEqual(await (await getJWT(app, second)).json(), { token: second.sAccessToken.value });

      const refused = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { cookie: cookieHeader({ sRefreshToken: second.sRefreshToken.value }), rid: "session", "x-refuse": "1" },
      });
      assert.equal(refused.status, 401);
      assert.deepEqual(await refused.json(), { message: "unauthorised" });
      assert.equal(setCookies(refused).sRefreshToken?.value, "", "UNAUTHORISED clears the tokens");
      // No refresh token: answered before the override is asked.
      const before = seen.length;
      const noToken = await refresh(app, { sRefreshToken: { value: "" } });
      assert.equal(noToken.status, 401);
      assert.equal(seen.length, before);

      // Outside a request too.
      const header = await signIn(app, "header");
      const s = await Session.refreshSessionWithoutRequestResponse(header.headers.get("st-refresh-token"), true);
      assert.equal(s.getUserId(), "user-1");
      assert.deepEqual(seen.at(-1), { refreshToken: header.headers.get("st-refresh-token"), disableAntiCsrf: true, hasRequest: false });
    });
  });
}

test("express: a refreshSession override that returns something else than a session answers 500", async () => {
  await withApp("express", (o) => ({ ...o, refreshSession: async () => ({ not: "a session" }) }), async (app) => {
    const res = await refresh(app, await signInCookies(app));
    assert.equal(res.status, 500);
    assert.deepEqual(res.headers.getSetCookie(), []);
  });
});

// ---- revokeSession -------------------------------------------------------------------------------

for (const framework of Object.keys(FRAMEWORKS)) {
  test(`${framework}: a revokeSession override is called by sign-out and by session.revokeSession`, async () => {
    const seen = [];
    let keep = false;
    const functions = (o) => ({
      ...o,
      revokeSession: async (input) => {
        seen.push(input.sessionHandle);
        return keep ? false : o.revokeSession(input);
      },
    });
    await withApp(framework, functions, async (app) => {
      const cookies = await signInCookies(app);
      const [handle] = await Session.getAllSessionHandlesForUser("user-1");
      const res = await signOut(app, cookies);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "OK" });
      assert.equal(res.headers.get("front-token"), "remove");
      assert.equal(setCookies(res).sAccessToken?.value, "");
      assert.deepEqual(seen, [handle]);
      assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);

      // An override that keeps the session: the request's tokens are cleared all the same.
      keep = true;
      const kept = await signInCookies(app);
      const [keptHandle] = await Session.getAllSessionHandlesForUser("user-1");
      const revoked = await app.fetch("/revoke", { method: "POST", ...withCookie(kept) });
      assert.equal(revoked.status, 200);
      assert.equal(setCookies(revoked).sRefreshToken?.value, "");
      assert.deepEqual(seen, [handle, keptHandle]);
      assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), [keptHandle]);
      assert.equal(await Session.revokeSession(keptHandle), false, "the public function goes through it too");
      assert.deepEqual(seen, [handle, keptHandle, keptHandle]);
    });
  });
}

// ---- claims in verifySession (supertokens-node's sessionClaims/verifySession tests) --------------

/** `override.functions` whose getGlobalClaimValidators adds `validators`. */
const withGlobalValidators = (...validators) => (o) => ({
  ...o,
  getGlobalClaimValidators: ({ claimValidatorsAddedByOtherRecipes }) => [...claimValidatorsAddedByOtherRecipes, ...validators],
});

for (const framework of Object.keys(FRAMEWORKS)) {
  test(`${framework}: getGlobalClaimValidators override: should reject with claim required but not added`, async () => {
    await withApp(framework, withGlobalValidators(Undefined.validators.hasValue(true)), async (app) => {
      const res = await getJWT(app, await signInCookies(app));
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), {
        message: "invalid claim",
        claimValidationErrors: [{ id: "st-undef", reason: { message: "value does not exist", expectedValue: true } }],
      });
    });
  });

  test(`${framework}: getGlobalClaimValidators override: should allow with claim valid after refetching`, async () => {
    await withApp(framework, withGlobalValidators(True.validators.hasValue(true)), async (app) => {
      const cookies = await signInCookies(app);
      const res = await getJWT(app, cookies);
      assert.equal(res.status, 200, await res.clone().text());
      const { token } = await res.json();
      assert.notEqual(token, cookies.sAccessToken.value, "the refetched value is in a new access token");
      assert.equal(setCookies(res).sAccessToken?.value, token);
      const up = JSON.parse(Buffer.from(res.headers.get("front-token"), "base64").toString()).up;
      assert.equal(up["st-true"].v, true);
      // The new token carries the value: nothing to refetch, no new token.
      const again = await getJWT(app, setCookies(res));
      assert.equal(again.status, 200);
      assert.deepEqual(again.headers.getSetCookie(), []);
    });
  });
}

test("express: getGlobalClaimValidators override: custom validators, its input, and overrideGlobalClaimValidators given its answer", async () => {
  const inputs = [];
  const custom = (isValid) => ({ id: "test-validator", validate: async () => (isValid ? { isValid } : { isValid, reason: "test" }) });
  let validators = [custom(true)];
  const functions = (o) => ({
    ...o,
    getGlobalClaimValidators: (input) => {
      inputs.push(input);
      return validators;
    },
  });
  roles.set("user-1", ["admin"]);
  await withApp("express", functions, async (app) => {
    const cookies = await signInCookies(app);
    assert.equal((await getJWT(app, cookies)).status, 200, "should allow with custom validator returning true");
    const input = inputs.at(-1);
    assert.equal(input.userId, "user-1");
    assert.equal(input.recipeUserId.getAsString(), "user-1");
    assert.equal(input.tenantId, "public");
    assert.deepEqual(input.claimValidatorsAddedByOtherRecipes, []);
    assert.equal(input.userContext._default.request.getOriginalURL(), "/getJWT");

    validators = [custom(false)];
    const rejected = await getJWT(app, cookies);
    assert.equal(rejected.status, 403, "should reject with validator returning false with reason");
    assert.deepEqual(await rejected.json(), { message: "invalid claim", claimValidationErrors: [{ id: "test-validator", reason: "test" }] });
    // /admin's overrideGlobalClaimValidators adds to the global ones.
    const admin = await app.fetch("/admin", withCookie(cookies));
    assert.deepEqual((await admin.json()).claimValidationErrors, [{ id: "test-validator", reason: "test" }]);
    validators = [];
    assert.deepEqual(await (await app.fetch("/admin", withCookie(cookies))).json(), { roles: ["admin"] });
    // Sign-out checks no claims, as in supertokens-node: a user whose claims fail may sign out.
    validators = [custom(false)];
    const calls = inputs.length;
    assert.equal((await signOut(app, cookies)).status, 200);
    assert.equal(inputs.length, calls + 1, "the global validators are asked for, then left out");
    // Outside a request: getSessionWithoutRequestResponse checks them too.
    const s = await Session.createNewSessionWithoutRequestResponse("public", "user-2");
    await assert.rejects(Session.getSessionWithoutRequestResponse(s.getAccessToken()), (e) => e.type === "INVALID_CLAIMS");
  });
});

test("express: validateClaims override: should reject if assertClaims returns an error, allow if none", async () => {
  const calls = [];
  const marker = { id: "marker", validate: async () => ({ isValid: true }) };
  let answer = { invalidClaims: [{ id: "testid", reason: "testReason" }] };
  const functions = (o) => ({
    ...o,
    getGlobalClaimValidators: () => [marker],
    validateClaims: async (input) => {
      calls.push(input);
      return answer;
    },
  });
  await withApp("express", functions, async (app) => {
    const cookies = await signInCookies(app);
    const res = await getJWT(app, cookies);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { message: "invalid claim", claimValidationErrors: [{ id: "testid", reason: "testReason" }] });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].userId, "user-1");
    assert.ok(calls[0].recipeUserId instanceof Tessera.RecipeUserId);
    assert.deepEqual(calls[0].claimValidators, [marker]);
    assert.equal(calls[0].accessTokenPayload.role, "admin");
    assert.ok(calls[0].userContext._default.request);

    answer = { invalidClaims: [], accessTokenPayloadUpdate: { ...calls[0].accessTokenPayload, granted: "yes" } };
    const ok = await getJWT(app, cookies);
    assert.equal(ok.status, 200);
    const { token } = await ok.json();
    const verified = await Session.getSessionWithoutRequestResponse(token, undefined, { antiCsrfCheck: false });
    assert.equal(verified.getAccessTokenPayload().granted, "yes", "the update is merged into a new access token");
  });
});

// ---- SessionContainer methods ------------------------------------------------------------------------

test("should use override functions in sessioncontainer methods", async () => {
  let gone = false;
  const updates = [];
  const functions = (o) => ({
    ...o,
    getSessionInformation: async (input) => {
      if (gone) return undefined;
      const info = await o.getSessionInformation(input);
      info.sessionDataInDatabase = { ...info.sessionDataInDatabase, test: 1 };
      info.timeCreated = 1234;
      info.expiry = 5678;
      return info;
    },
    updateSessionDataInDatabase: async (input) => {
      updates.push(input.newSessionData);
      return o.updateSessionDataInDatabase({ ...input, newSessionData: { ...input.newSessionData, stamped: true } });
    },
  });
  await withApp("express", functions, async (app) => {
    const session = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("testId"));
    const data = await session.getSessionDataFromDatabase();
    assert.equal(data.test, 1);
    assert.equal(await session.getTimeCreated(), 1234);
    assert.equal(await session.getExpiry(), 5678);
    await session.updateSessionDataInDatabase({ x: 1 });
    assert.deepEqual(updates, [{ x: 1 }]);
    assert.deepEqual(await session.getSessionDataFromDatabase(), { x: 1, stamped: true, test: 1 });
    assert.equal((await Session.getSessionInformation(session.getHandle())).sessionDataInDatabase.test, 1);

    // In a route, through verifySession.
    const route = await app.fetch("/data", withCookie(await signInCookies(app)));
    assert.deepEqual(await route.json(), { data: { d: 1, test: 1 }, created: 1234, expiry: 5678 });

    gone = true;
    await assert.rejects(session.getSessionDataFromDatabase(), (e) => {
      assert.equal(e.type, Session.Error.UNAUTHORISED);
      assert.equal(e.message, "Session does not exist anymore");
      return true;
    });
    await assert.rejects(session.getExpiry(), (e) => e.type === "UNAUTHORISED");
    const goneRoute = await app.fetch("/data", withCookie(await signInCookies(app)));
    assert.equal(goneRoute.status, 401);
  });
});

// ---- the public functions and the claims by session handle ------------------------------------------

test("the public session functions call the implementation override.functions built", async () => {
  const calls = [];
  const functions = (o) => {
    const out = {};
    for (const [name, fn] of Object.entries(o)) {
      out[name] = (input) => {
        calls.push(name);
        return fn(input);
      };
    }
    return out;
  };
  init("express", functions);
  const userContext = { mine: 1 };
  const s = await Session.createNewSessionWithoutRequestResponse("public", "user-9", {}, {}, true, userContext);
  const handle = s.getHandle();
  const tokens = s.getAllSessionTokensDangerously();
  const run = async (name, call) => {
    calls.length = 0;
    await call();
    assert.ok(calls.includes(name), `${name}: ${calls.join()}`);
  };
  await run("getSession", () => Session.getSessionWithoutRequestResponse(tokens.accessToken, undefined, { antiCsrfCheck: false }));
  await run("getGlobalClaimValidators", () => Session.getSessionWithoutRequestResponse(tokens.accessToken));
  await run("validateClaims", () => Session.getSessionWithoutRequestResponse(tokens.accessToken));
  await run("getSessionInformation", () => Session.getSessionInformation(handle));
  await run("updateSessionDataInDatabase", () => Session.updateSessionDataInDatabase(handle, { a: 1 }));
  await run("mergeIntoAccessTokenPayload", () => Session.mergeIntoAccessTokenPayload(handle, { b: 1 }));
  await run("getAllSessionHandlesForUser", () => Session.getAllSessionHandlesForUser("user-9"));
  await run("revokeMultipleSessions", () => Session.revokeMultipleSessions(["nope"]));
  await run("refreshSession", () => Session.refreshSessionWithoutRequestResponse(tokens.refreshToken, true));
  await run("fetchAndSetClaim", () => Session.fetchAndSetClaim(handle, True));
  await run("setClaimValue", () => Session.setClaimValue(handle, True, false));
  await run("getClaimValue", () => Session.getClaimValue(handle, True));
  await run("removeClaim", () => Session.removeClaim(handle, True));
  await run("revokeSession", () => Session.revokeSession(handle));
  await run("revokeAllSessionsForUser", () => Session.revokeAllSessionsForUser("user-9"));
  await run("createNewSession", () => Session.createNewSessionWithoutRequestResponse("public", "user-9"));
  calls.length = 0;
  await Session.getSessionInformation(handle, userContext);
  await assert.rejects(Session.getSessionInformation(handle, "nope"), TypeError);
});

test("claims by session handle: fetchAndSetClaim, setClaimValue, getClaimValue, removeClaim, validateClaimsForSessionHandle", async () => {
  init("express", undefined);
  roles.set("claims-user", ["editor"]);
  const s = await Session.createNewSessionWithoutRequestResponse("public", "claims-user", { kept: 1 });
  const handle = s.getHandle();
  const payload = async () => (await Session.getSessionInformation(handle)).customClaimsInAccessTokenPayload;

  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: undefined });
  assert.equal(await Session.fetchAndSetClaim(handle, Roles), true);
  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: ["editor"] });
  assert.equal(await Session.setClaimValue(handle, Roles, ["admin"]), true);
  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: ["admin"] });
  assert.equal((await payload()).kept, 1);
  // The stored payload is used from the next access token on.
  const refreshed = await Session.refreshSessionWithoutRequestResponse(s.getAllSessionTokensDangerously().refreshToken, true);
  assert.deepEqual(await refreshed.getClaimValue(Roles), ["admin"]);

  assert.deepEqual(await Session.validateClaimsForSessionHandle(handle), { status: "OK", invalidClaims: [] });
  const failing = await Session.validateClaimsForSessionHandle(handle, (globals, info) => {
    assert.deepEqual(globals, []);
    assert.equal(info.sessionHandle, handle);
    return [Roles.validators.includes("owner")];
  });
  assert.deepEqual(failing, {
    status: "OK",
    invalidClaims: [{ id: "roles", reason: { message: "wrong value", expectedToInclude: "owner", actualValue: ["admin"] } }],
  });
  // A claim the validator finds missing is fetched and merged into the stored payload.
  const fetched = await Session.validateClaimsForSessionHandle(handle, () => [True.validators.isTrue()]);
  assert.deepEqual(fetched, { status: "OK", invalidClaims: [] });
  assert.equal((await payload())["st-true"].v, true);

  assert.equal(await Session.removeClaim(handle, Roles), true);
  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: undefined });
  assert.ok(!("roles" in (await payload())));
  assert.equal((await payload()).kept, 1);

  // should work ok for not existing handle
  assert.equal(await Session.fetchAndSetClaim("asfd", Roles), false);
  assert.equal(await Session.setClaimValue("asfd", Roles, ["x"]), false);
  assert.equal(await Session.removeClaim("asfd", Roles), false);
  assert.deepEqual(await Session.getClaimValue("asfd", Roles), { status: "SESSION_DOES_NOT_EXIST_ERROR" });
  assert.deepEqual(await Session.validateClaimsForSessionHandle("asfd"), { status: "SESSION_DOES_NOT_EXIST_ERROR" });
});

test("claims by session handle go through the overrides: getSessionInformation, mergeIntoAccessTokenPayload, getGlobalClaimValidators", async () => {
  const merges = [];
  const functions = (o) => ({
    ...o,
    // The defaults of the claim functions read and write through the implementation after
    // overrides, as supertokens-node's do.
    getSessionInformation: async (input) => {
      const info = await o.getSessionInformation(input);
      if (info !== undefined) info.customClaimsInAccessTokenPayload = { ...info.customClaimsInAccessTokenPayload, roles: { v: ["seen"], t: 1 } };
      return info;
    },
    mergeIntoAccessTokenPayload: async (input) => {
      merges.push(Object.keys(input.accessTokenPayloadUpdate).sort());
      return o.mergeIntoAccessTokenPayload(input);
    },
    getGlobalClaimValidators: () => [Undefined.validators.hasValue(true)],
  });
  init("express", functions);
  const s = await Session.createNewSessionWithoutRequestResponse("public", "claims-user");
  const handle = s.getHandle();
  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: ["seen"] });
  assert.equal(await Session.setClaimValue(handle, True, true), true);
  assert.equal(await Session.removeClaim(handle, True), true);
  assert.equal(await Session.fetchAndSetClaim(handle, True), true);
  assert.deepEqual(merges, [["st-true"], ["st-true"], ["st-true"]]);
  assert.deepEqual(await Session.validateClaimsForSessionHandle(handle), {
    status: "OK",
    invalidClaims: [{ id: "st-undef", reason: { message: "value does not exist", expectedValue: true } }],
  });
  // Overrides of the claim functions themselves are what the public functions call.
  init("express", (o) => ({ ...o, getClaimValue: async () => ({ status: "OK", value: "mine" }), removeClaim: async () => false }));
  assert.deepEqual(await Session.getClaimValue(handle, Roles), { status: "OK", value: "mine" });
  assert.equal(await Session.removeClaim(handle, Roles), false);
});
