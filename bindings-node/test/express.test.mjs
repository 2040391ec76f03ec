// The Express integration end to end: a real Express 5 app on an ephemeral port, driven with
// the global fetch, over the native core. The app is the "fetching the access token" seed,
// written as for supertokens-node with only the package name changed; the seed checks every
// framework shares are in testlib/seed.mjs, the Express-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import express from "express";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { PrimitiveArrayClaim } from "tessera-session/recipe/session/claims";
import { middleware, errorHandler } from "tessera-session/framework/express";
import { appInfo, handlerChecks, initTessera, listening, seedSuite, signIn } from "../testlib/seed.mjs";

const require = createRequire(import.meta.url);

const native = require("../native.js");

/** The seed app with `sessionOptions`; `build(app)` adds routes before the error handler. */
async function start(sessionOptions = {}, build) {
  initTessera("express", sessionOptions);
  const app = express();
  app.use((req, res, next) => {
    if (req.headers["x-app-expose"]) res.setHeader("Access-Control-Expose-Headers", "x-app-header");
    next();
  });
  app.use(middleware());
  app.post("/signin", async (req, res) => {
    await Session.createNewSession(req, res, "public", "user-1", { role: "admin" });
    res.json({ status: "OK" });
  });
  app.get("/getJWT", verifySession(), async (req, res) => res.json({ token: req.session.getAccessToken() }));
  app.get("/optional", verifySession({ sessionRequired: false }), async (req, res) =>
    res.json({ hasSession: req.session !== undefined }),
  );
  app.post("/merge", verifySession(), async (req, res) => {
    await req.session.mergeIntoAccessTokenPayload({ k: "v" });
    res.json({ payload: req.session.getAccessTokenPayload(), token: req.session.getAccessToken() });
  });
  app.get("/throw", async () => {
    throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
  });
  app.get("/boom", async () => {
    throw new Error("boom");
  });
  if (build) build(app);
  app.use(errorHandler());
  return listening(app.listen(0));
}

seedSuite("express", start, { appExposeHeader: true });

test("express: session methods in a route; merge writes a new token, revoke clears, errors reach errorHandler", async () => {
  const app = await start({}, (a) => {
    a.post("/info", verifySession(), async (req, res) => {
      await req.session.updateSessionDataInDatabase({ d: 1 });
      res.json({
        data: await req.session.getSessionDataFromDatabase(),
        created: await req.session.getTimeCreated(),
        expiry: await req.session.getExpiry(),
        user: req.session.getUserId(),
        recipeUser: req.session.getRecipeUserId().getAsString(),
        tenant: req.session.getTenantId(),
        handles: await Session.getAllSessionHandlesForUser(req.session.getUserId()),
        info: await Session.getSessionInformation(req.session.getHandle()),
      });
    });
    a.post("/revoke", verifySession(), async (req, res) => {
      await req.session.revokeSession();
      res.json({ ok: true });
    });
  });
  try {
    const token = await handlerChecks(app);

    const info = await app.fetch("/info", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(info.status, 200);
    const i = await info.json();
    assert.deepEqual(i.data, { d: 1 });
    assert.equal(i.user, "user-1");
    assert.equal(i.recipeUser, "user-1");
    assert.equal(i.tenant, "public");
    assert.ok(i.created > 0 && i.expiry > i.created);
    assert.equal(i.handles.length, 1);
    assert.equal(i.info.userId, "user-1");

    const revoked = await app.fetch("/revoke", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("front-token"), "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);
  } finally {
    await app.close();
  }
});

test("the *WithoutRequestResponse functions", async () => {
  initTessera("express");
  const s = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("u2"), { a: 1 });
  const tokens = s.getAllSessionTokensDangerously();
  assert.ok(tokens.accessToken && tokens.refreshToken && tokens.frontToken);
  const got = await Session.getSessionWithoutRequestResponse(tokens.accessToken, undefined, { antiCsrfCheck: false });
  assert.equal(got.getUserId(), "u2");
  assert.equal(got.getAccessTokenPayload().a, 1);
  const refreshed = await Session.refreshSessionWithoutRequestResponse(tokens.refreshToken, true);
  assert.notEqual(refreshed.getAccessToken(), tokens.accessToken);
  assert.equal(await Session.updateSessionDataInDatabase(s.getHandle(), { x: 1 }), true);
  assert.equal(await Session.mergeIntoAccessTokenPayload(s.getHandle(), { b: 2 }), true);
  assert.deepEqual(await Session.revokeAllSessionsForUser("u2"), [s.getHandle()]);
  assert.equal(await Session.revokeSession(s.getHandle()), false);
  assert.equal(await Session.getSessionInformation(s.getHandle()), undefined);
});

test("errors: every core kind maps to a TesseraError with that type", async () => {
  const { fromNative, KNOWN_ERROR_TYPES } = require("../dist/error.js");
  for (const kind of native.allErrorKinds()) {
    assert.ok(KNOWN_ERROR_TYPES.includes(kind), `unmapped kind ${kind}`);
    const raw = Object.assign(new Error(JSON.stringify({ message: "m", payload: null, clearTokens: false })), { code: kind });
    const err = fromNative(raw);
    assert.ok(err instanceof Tessera.Error);
    assert.ok(err instanceof Session.Error);
    assert.equal(err.type, kind);
    assert.equal(err.message, "m");
  }
  assert.deepEqual([...Tessera.allErrorKinds()].sort(), [...native.allErrorKinds()].sort());
  assert.throws(
    () => Tessera.init({ appInfo, recipeList: [Session.init({ cookieSameSite: "sideways" })] }),
    (e) => e instanceof Tessera.Error && e.type === "INVALID_CONFIG",
  );
  const cors = Tessera.getAllCORSHeaders();
  assert.ok(cors.includes("front-token") || cors.includes("st-auth-mode"), cors.join());
});

test("cookie values for getTokenTransferMethod functions are read by the core", () => {
  const headers = ['a=1; b="%20x"', "c=3"];
  assert.equal(native.cookieValue(headers, "b"), " x");
  assert.equal(native.cookieValue(headers, "c"), "3");
  assert.equal(native.cookieValue(headers, "missing"), null);
});

test("a Rust panic, sync or in an async task, arrives as a TesseraError of type INTERNAL", async () => {
  const { callSync, callAsync } = require("../dist/error.js");
  for (const attempt of [
    async () => callSync(() => native._panicForTests("boom sync")),
    () => callAsync(() => native._panicForTestsAsync("boom async")),
  ]) {
    await assert.rejects(attempt, (e) => {
      assert.ok(e instanceof Tessera.Error, String(e));
      assert.equal(e.type, "INTERNAL");
      assert.match(e.message, /boom (sync|async)/);
      return true;
    });
  }
  // The process and the addon are still alive.
  assert.ok(native.allErrorKinds().includes("INTERNAL"));
});

test("checkDatabase goes through the async native verify and sees a revoked session", async () => {
  const app = await start({}, (a) => {
    a.get("/db", verifySession({ checkDatabase: true }), (req, res) => res.json({ user: req.session.getUserId() }));
  });
  try {
    const token = (await signIn(app, "header")).headers.get("st-access-token");
    const ok = await app.fetch("/db", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { user: "user-1" });
    await Session.revokeAllSessionsForUser("user-1");
    const gone = await app.fetch("/db", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401);
    assert.deepEqual(await gone.json(), { message: "unauthorised" });
  } finally {
    await app.close();
  }
});

/** The payload of a JWT, decoded. */
const jwtPayload = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());

test("verifySession with overrideGlobalClaimValidators: an empty list (sync or async) passes, without a session the override is not asked", async () => {
  const seen = [];
  const app = await start({}, (a) => {
    const route = (path, override) =>
      a.get(path, verifySession({ overrideGlobalClaimValidators: override }), (req, res) =>
        res.json({ user: req.session.getUserId() }),
      );
    route("/sync-empty", (validators, session) => {
      seen.push([validators.length, session.getUserId()]);
      return [];
    });
    route("/async-empty", async (validators) => validators);
  });
  try {
    const token = (await signIn(app, "header")).headers.get("st-access-token");
    const headers = { authorization: `Bearer ${token}` };
    for (const path of ["/sync-empty", "/async-empty"]) {
      const ok = await app.fetch(path, { headers });
      assert.equal(ok.status, 200, path);
      assert.deepEqual(await ok.json(), { user: "user-1" });
      assert.equal(ok.headers.get("st-access-token"), null, "no claim, no new token");
    }
    assert.deepEqual(seen, [[0, "user-1"]]);
    const none = await app.fetch("/sync-empty");
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { message: "unauthorised" });
  } finally {
    await app.close();
  }
});

test("verifySession with a PrimitiveArrayClaim validator: fetched into a new token, 403 with the claim errors (and no new token) for a non-admin", async () => {
  const fetched = [];
  const RolesClaim = new PrimitiveArrayClaim({
    key: "st-role",
    fetchValue: (userId, recipeUserId, tenantId, payload, userContext) => {
      fetched.push([userId, recipeUserId.getAsString(), tenantId, typeof payload, typeof userContext]);
      return userId === "admin-1" ? ["admin"] : ["user"];
    },
  });
  const app = await start({}, (a) => {
    a.post("/signin-as/:user", async (req, res) => {
      await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId(req.params.user));
      res.json({ status: "OK" });
    });
    a.get(
      "/admin",
      verifySession({ overrideGlobalClaimValidators: (gv) => [...gv, RolesClaim.validators.includes("admin")] }),
      async (req, res) => res.json({ roles: await req.session.getClaimValue(RolesClaim) }),
    );
  });
  const signInAs = async (user) => {
    const res = await app.fetch(`/signin-as/${user}`, { method: "POST", headers: { "st-auth-mode": "header" } });
    assert.equal(res.status, 200);
    return res.headers.get("st-access-token");
  };
  try {
    const userToken = await signInAs("user-2");
    const denied = await app.fetch("/admin", { headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), {
      message: "invalid claim",
      claimValidationErrors: [
        { id: "st-role", reason: { message: "wrong value", expectedToInclude: "admin", actualValue: ["user"] } },
      ],
    });
    // As supertokens-node (claims checked before the session is attached to the request): the
    // fetched value is merged into the stored session, but the 403 carries no new token.
    assert.equal(denied.headers.get("st-access-token"), null, "the 403 carries no new token");
    assert.equal(denied.headers.get("front-token"), null);
    assert.deepEqual(denied.headers.getSetCookie(), [], "nothing cleared");
    const handle = jwtPayload(userToken).sessionHandle;
    assert.deepEqual((await Session.getSessionInformation(handle)).customClaimsInAccessTokenPayload["st-role"].v, ["user"]);
    assert.deepEqual(fetched, [["user-2", "user-2", "public", "object", "object"]]);

    const adminToken = await signInAs("admin-1");
    const allowed = await app.fetch("/admin", { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(allowed.status, 200);
    assert.deepEqual(await allowed.json(), { roles: ["admin"] });
    const fresh = allowed.headers.get("st-access-token");
    assert.ok(fresh && fresh !== adminToken, "a new token carries the fetched value");
    assert.deepEqual(jwtPayload(fresh)["st-role"].v, ["admin"]);

    // The claim is in the token and has no max age: nothing fetched, no new token.
    const again = await app.fetch("/admin", { headers: { authorization: `Bearer ${fresh}` } });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { roles: ["admin"] });
    assert.equal(again.headers.get("st-access-token"), null);
    assert.equal(fetched.length, 2);
  } finally {
    await app.close();
  }
});

test("native errors arrive as TesseraError with the core's type", async () => {
  initTessera("express");
  await assert.rejects(
    Session.getSessionWithoutRequestResponse("not-a-token"),
    (e) => e instanceof Session.Error && ["TRY_REFRESH_TOKEN", "UNAUTHORISED"].includes(e.type),
  );
  await assert.rejects(
    Session.refreshSessionWithoutRequestResponse("not-a-token"),
    (e) => e instanceof Session.Error && e.type === "UNAUTHORISED",
  );
});

test("Test that token transfer method works correctly when using origin function", async () => {
  // supertokens-node's test of the same name; the function is also asked once without a request.
  const asked = [];
  Tessera.init({
    framework: "express",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo: {
      apiDomain: "http://localhost:8000",
      appName: "SuperTokens",
      origin: ({ request }) => {
        asked.push(request);
        if (request !== undefined && request.getHeaderValue("origin") !== undefined) return request.getHeaderValue("origin");
        return "localhost:3000";
      },
    },
    recipeList: [
      Session.init({
        getTokenTransferMethod: ({ req }) => (req.getHeaderValue("origin") === "http://localhost:3002" ? "cookie" : "header"),
      }),
    ],
  });
  assert.deepEqual(asked, [undefined]);
  const app = express();
  app.use(middleware());
  app.post("/create", async (req, res) => {
    await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId(""), {}, {});
    res.status(200).send("");
  });
  app.use(errorHandler());
  const server = await listening(app.listen(0));
  try {
    let res = await server.fetch("/create", { method: "POST" });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get("st-access-token"));
    assert.ok(res.headers.get("st-refresh-token"));
    assert.deepEqual(res.headers.getSetCookie(), []);

    res = await server.fetch("/create", { method: "POST", headers: { origin: "http://localhost:3002" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("st-access-token"), null);
    assert.equal(res.headers.get("st-refresh-token"), null);
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.some((c) => c.startsWith("sAccessToken=") && c.includes("SameSite=Lax")), cookies.join("\n"));
  } finally {
    await server.close();
  }
});

test("appInfo.origin wins over websiteDomain; a function that needs a request leaves the website unknown", async () => {
  /** The SameSite attribute of a cookie session made with `appInfo`. */
  const sameSite = async (appInfo) => {
    Tessera.init({
      framework: "express",
      supertokens: { connectionURI: "sqlite::memory:" },
      appInfo,
      recipeList: [Session.init({ getTokenTransferMethod: () => "cookie" })],
    });
    const app = express();
    app.post("/create", async (req, res) => {
      await Session.createNewSession(req, res, "public", "u");
      res.send("");
    });
    const server = await listening(app.listen(0));
    try {
      const cookie = (await server.fetch("/create", { method: "POST" })).headers.getSetCookie().find((c) => c.startsWith("sAccessToken="));
      return /SameSite=(\w+)/.exec(cookie)[1];
    } finally {
      await server.close();
    }
  };
  const base = { apiDomain: "https://api.example.com", appName: "a" };
  assert.equal(await sameSite({ ...base, websiteDomain: "https://example.com" }), "Lax");
  assert.equal(await sameSite({ ...base, websiteDomain: "https://example.com", origin: "https://other.org" }), "None");
  assert.equal(await sameSite({ ...base, origin: () => "https://other.org" }), "None");
  const needsRequest = ({ request }) => request.getHeaderValue("origin");
  assert.equal(await sameSite({ ...base, origin: needsRequest }), "Lax");
  assert.throws(
    () => Tessera.init({ framework: "express", supertokens: { connectionURI: "sqlite::memory:" }, appInfo: { ...base, origin: () => 3 } }),
    (e) => e.type === "INVALID_CONFIG" && /origin/.test(e.message),
  );
});
