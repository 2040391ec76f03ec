// What the SuperTokens docs' Node snippets rely on around the request a call runs for, checked
// against supertokens-node's behaviour on Express:
// - `SuperTokens.getRequestFromUserContext(userContext)` gives the request wrapper an override
//   is handed (supertokens-node's BaseRequest reading methods);
// - a request's session, its methods called without a userContext, hands the recipe functions a
//   userContext carrying the request (supertokens-node's sessionClass `makeDefaultUserContextFromAPI`);
// - `assertClaims` throws supertokens-node's message, "INVALID_CLAIMS";
// - a claim check failing in verifySession/getSession after the default validateClaims refetched
//   a value answers 403 without new tokens (the store keeps the value), as supertokens-node checks
//   the claims before attaching the session to the request; a route's own assertClaims still
//   sends the merged token.
import { test } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import Tessera, { getRequestFromUserContext } from "tessera-session";
import Session from "tessera-session/recipe/session";
import { PrimitiveArrayClaim } from "tessera-session/recipe/session/claims";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, errorHandler } from "tessera-session/framework/express";
import { appInfo, listening, setCookies } from "../testlib/seed.mjs";
import { cookieHeader } from "../testlib/cookies.mjs";

function init(override) {
  Tessera.init({
    framework: "express",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ override })],
  });
}

/** An Express app with `routes(app)` between Tessera's middleware and error handler. */
async function start(routes) {
  const app = express();
  app.use(middleware());
  app.post("/signin", async (req, res) => {
    await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId("user-1"));
    res.json({ status: "OK" });
  });
  routes(app);
  app.use(errorHandler());
  app.use((err, req, res, _next) => res.status(500).json({ app: String(err?.message) }));
  return listening(app.listen(0));
}

const signIn = async (server, mode, headers = {}) => {
  const res = await server.fetch("/signin", { method: "POST", headers: { "st-auth-mode": mode, ...headers } });
  assert.equal(res.status, 200, await res.clone().text());
  return res;
};
const bearer = (res) => ({ authorization: `Bearer ${res.headers.get("st-access-token")}` });

test("getRequestFromUserContext: on the default export and as a named export, reading the request an override runs for", async () => {
  assert.equal(Tessera.getRequestFromUserContext, getRequestFromUserContext);
  assert.equal(getRequestFromUserContext(undefined), undefined);
  assert.equal(getRequestFromUserContext({}), undefined);
  const seen = {};
  init({
    functions: (oI) => ({
      ...oI,
      createNewSession: async (input) => {
        const request = Tessera.getRequestFromUserContext(input.userContext);
        seen.create = request === undefined ? "none" : {
          cookie: request.getCookieValue("jwt"),
          header: request.getHeaderValue("x-custom"),
          method: request.getMethod(),
          url: request.getOriginalURL(),
          original: typeof request.original?.headers,
        };
        return oI.createNewSession(input);
      },
    }),
    apis: (oI) => ({
      ...oI,
      signOutPOST: async (input) => {
        seen.signOut = Tessera.getRequestFromUserContext(input.userContext)?.getHeaderValue("x-custom");
        return oI.signOutPOST(input);
      },
    }),
  });
  const server = await start(() => {});
  try {
    const login = await signIn(server, "header", { cookie: "jwt=anon-1", "x-custom": "abc" });
    assert.deepEqual(seen.create, { cookie: "anon-1", header: "abc", method: "post", url: "/signin", original: "object" });
    const out = await server.fetch("/auth/signout", { method: "POST", headers: { ...bearer(login), "x-custom": "xyz" } });
    assert.equal(out.status, 200);
    assert.equal(seen.signOut, "xyz");
    await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("user-2"));
    assert.equal(seen.create, "none");
  } finally {
    await server.close();
  }
});

test("a request's session hands the recipe functions a userContext carrying the request when called without one", async () => {
  const seen = {};
  const note = (name, userContext) => {
    seen[name] = Tessera.getRequestFromUserContext(userContext)?.getHeaderValue("x-v") ?? "no-request";
  };
  const roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["admin"] });
  init({
    functions: (oI) => ({
      ...oI,
      getSessionInformation: async (input) => (note("getSessionInformation", input.userContext), oI.getSessionInformation(input)),
      updateSessionDataInDatabase: async (input) => (note("updateSessionDataInDatabase", input.userContext), oI.updateSessionDataInDatabase(input)),
      regenerateAccessToken: async (input) => (note("regenerateAccessToken", input.userContext), oI.regenerateAccessToken(input)),
      validateClaims: async (input) => (note("validateClaims", input.userContext), oI.validateClaims(input)),
      revokeSession: async (input) => (note("revokeSession", input.userContext), oI.revokeSession(input)),
    }),
  });
  const server = await start((app) => {
    app.post("/use", verifySession(), async (req, res, next) => {
      try {
        const s = req.session;
        await s.getSessionDataFromDatabase();
        await s.getTimeCreated();
        await s.updateSessionDataInDatabase({ a: 1 });
        await s.mergeIntoAccessTokenPayload({ k: "v" });
        await s.fetchAndSetClaim(roles);
        await s.assertClaims([roles.validators.includes("admin")]);
        await s.revokeSession();
        res.json({ ok: true });
      } catch (err) {
        next(err);
      }
    });
    app.post("/given", verifySession(), async (req, res) => {
      await req.session.getSessionDataFromDatabase({});
      await req.session.revokeSession({ mine: true });
      res.json({ ok: true });
    });
    app.post("/created", async (req, res) => {
      const s = await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId("user-3"));
      await s.getExpiry();
      res.json({ ok: true });
    });
  });
  try {
    const use = await server.fetch("/use", { method: "POST", headers: { ...bearer(await signIn(server, "header")), "x-v": "v" } });
    assert.equal(use.status, 200, await use.clone().text());
    assert.deepEqual(seen, {
      getSessionInformation: "v",
      updateSessionDataInDatabase: "v",
      regenerateAccessToken: "v",
      validateClaims: "v",
      revokeSession: "v",
    });
    // A userContext the caller gives is used as given, as in supertokens-node.
    const given = await server.fetch("/given", { method: "POST", headers: { ...bearer(await signIn(server, "header")), "x-v": "w" } });
    assert.equal(given.status, 200);
    assert.equal(seen.getSessionInformation, "no-request");
    assert.equal(seen.revokeSession, "no-request");
    // The session createNewSession made in a request is that request's.
    const created = await server.fetch("/created", { method: "POST", headers: { "st-auth-mode": "header", "x-v": "c" } });
    assert.equal(created.status, 200);
    assert.equal(seen.getSessionInformation, "c");
  } finally {
    await server.close();
  }
});

test("assertClaims fails with supertokens-node's message, INVALID_CLAIMS", async () => {
  init(undefined);
  const roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["user"] });
  const s = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("user-1"));
  const err = await s.assertClaims([roles.validators.includes("admin")]).then(() => undefined, (e) => e);
  assert.equal(err?.type, "INVALID_CLAIMS");
  assert.equal(err.message, "INVALID_CLAIMS");
  assert.equal(new Session.Error({ type: Session.Error.INVALID_CLAIMS }).message, "INVALID_CLAIMS");
});

for (const replaceGetSession of [false, true]) {
  const label = replaceGetSession ? " (getSession replaced)" : "";
  test(`a claim check failing in verifySession after a refetch answers 403 without new tokens; the store has the value${label}`, async () => {
    const roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["user"] });
    init({
      functions: (oI) => ({
        ...oI,
        ...(replaceGetSession ? { getSession: (input) => oI.getSession(input) } : {}),
        getGlobalClaimValidators: async (input) => [...input.claimValidatorsAddedByOtherRecipes, roles.validators.includes("admin")],
      }),
    });
    const server = await start((app) => {
      app.get("/admin", verifySession(), (req, res) => res.json({ ok: true }));
      app.get("/own", verifySession({ overrideGlobalClaimValidators: () => [] }), async (req, res) => {
        const err = await req.session.assertClaims([roles.validators.includes("admin")]).then(() => undefined, (e) => e);
        res.json({ type: err?.type });
      });
    });
    try {
      const login = await signIn(server, "header");
      const handle = JSON.parse(Buffer.from(login.headers.get("front-token"), "base64").toString()).up.sessionHandle;
      const denied = await server.fetch("/admin", { headers: bearer(login) });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers.get("st-access-token"), null);
      assert.equal(denied.headers.get("front-token"), null);
      const info = await Session.getSessionInformation(handle);
      assert.deepEqual(info.customClaimsInAccessTokenPayload.roles.v, ["user"], "the refetched value is stored");

      const cookieLogin = await signIn(server, "cookie");
      const jar = Object.fromEntries(Object.entries(setCookies(cookieLogin)).map(([k, { value }]) => [k, value]));
      const cookieDenied = await server.fetch("/admin", { headers: { cookie: cookieHeader({ sAccessToken: jar.sAccessToken }) } });
      assert.equal(cookieDenied.status, 403);
      assert.deepEqual(cookieDenied.headers.getSetCookie(), []);
      assert.equal(cookieDenied.headers.get("front-token"), null);

      // A route's own assertClaims keeps the merged token on the response, as in supertokens-node.
      const own = await server.fetch("/own", { headers: bearer(await signIn(server, "header")) });
      assert.deepEqual(await own.json(), { type: "INVALID_CLAIMS" });
      assert.notEqual(own.headers.get("st-access-token"), null);
      assert.notEqual(own.headers.get("front-token"), null);
    } finally {
      await server.close();
    }
  });
}

test("a claim check passing in verifySession after a refetch sends the new token", async () => {
  const roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["admin"] });
  init({
    functions: (oI) => ({
      ...oI,
      getGlobalClaimValidators: async (input) => [...input.claimValidatorsAddedByOtherRecipes, roles.validators.includes("admin")],
    }),
  });
  const server = await start((app) => app.get("/admin", verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() })));
  try {
    const ok = await server.fetch("/admin", { headers: bearer(await signIn(server, "header")) });
    assert.equal(ok.status, 200);
    const { token } = await ok.json();
    assert.equal(ok.headers.get("st-access-token"), token);
    assert.notEqual(ok.headers.get("front-token"), null);
  } finally {
    await server.close();
  }
});
