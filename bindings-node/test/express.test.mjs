// The Express integration end to end: a real Express 5 app on an ephemeral port, driven with
// the global fetch, over the native core. The app is the "fetching the access token" seed,
// written as for supertokens-node with only the package name changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import express from "express";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, errorHandler } from "tessera-session/framework/express";
import { parseSetCookies, cookieHeader } from "../testlib/cookies.mjs";

const require = createRequire(import.meta.url);

const native = require("../native.js");

const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

function initTessera(sessionOptions = {}) {
  Tessera.init({
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

async function startApp(build) {
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
  if (build) build(app);
  app.use(errorHandler());
  const server = app.listen(0);
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, close: () => new Promise((r) => server.close(r)) };
}

/** The cookies a response sets, by name (an empty value means cleared). */
const setCookies = (res) => parseSetCookies(res.headers.getSetCookie());


async function signIn(base, mode, extra = {}) {
  const res = await fetch(`${base}/signin`, { method: "POST", headers: { "st-auth-mode": mode, rid: "session", ...extra } });
  assert.equal(res.status, 200, await res.clone().text());
  return res;
}

test("cookie mode: /getJWT returns exactly the access token the client holds", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await signIn(app.base, "cookie");
    const cookies = setCookies(res);
    assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
    assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
    assert.match(cookies.sAccessToken.header, /HttpOnly/i);
    assert.ok(res.headers.get("front-token"));
    // The expose option also hands the access token to the frontend.
    assert.equal(res.headers.get("st-access-token"), cookies.sAccessToken.value);
    const expose = res.headers.get("access-control-expose-headers") ?? "";
    assert.ok(expose.includes("front-token"), expose);
    const jwt = await fetch(`${app.base}/getJWT`, {
      headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session" },
    });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token: cookies.sAccessToken.value });
  } finally {
    await app.close();
  }
});

test("header mode: /getJWT returns exactly the bearer token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app.base, "header");
    const token = res.headers.get("st-access-token");
    assert.ok(token);
    assert.ok(res.headers.get("st-refresh-token"));
    assert.deepEqual(res.headers.getSetCookie().filter((c) => c.startsWith("sAccessToken=") && !c.startsWith("sAccessToken=;")), []);
    const jwt = await fetch(`${app.base}/getJWT`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token });
  } finally {
    await app.close();
  }
});

test("without the expose option, cookie mode sends no st-access-token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app.base, "cookie");
    assert.equal(res.headers.get("st-access-token"), null);
  } finally {
    await app.close();
  }
});

test("no session: 401 unauthorised; sessionRequired false runs the handler with no session", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await fetch(`${app.base}/getJWT`);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { message: "unauthorised" });
    const opt = await fetch(`${app.base}/optional`);
    assert.equal(opt.status, 200);
    assert.deepEqual(await opt.json(), { hasSession: false });
  } finally {
    await app.close();
  }
});

test("garbage cookies and headers give 401, never 500", async () => {
  initTessera();
  const app = await startApp();
  try {
    const cases = [
      { cookie: "sAccessToken=garbage" },
      { cookie: "sAccessToken=a.b.c; sRefreshToken=x" },
      { cookie: "sAccessToken=%%%; ;;==" },
      { authorization: "Bearer garbage" },
      { authorization: "Bearer " + "x".repeat(5000) },
      { authorization: "Basic abc" },
      { "st-auth-mode": "nonsense", authorization: "Bearer a.b.c" },
    ];
    for (const headers of cases) {
      const res = await fetch(`${app.base}/getJWT`, { headers: { rid: "session", ...headers } });
      assert.equal(res.status, 401, JSON.stringify(headers));
      const body = await res.json();
      assert.ok(["unauthorised", "try refresh token"].includes(body.message), JSON.stringify(body));
    }
    const refresh = await fetch(`${app.base}/auth/session/refresh`, {
      method: "POST",
      headers: { cookie: "sRefreshToken=garbage", rid: "session" },
    });
    assert.equal(refresh.status, 401);
  } finally {
    await app.close();
  }
});

test("expired access token: 401 try refresh token; refresh rotates; reuse is token theft", async () => {
  initTessera({ accessTokenValidity: 1, refreshTokenRotationGracePeriod: 0 });
  const app = await startApp();
  try {
    const first = setCookies(await signIn(app.base, "cookie"));
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await fetch(`${app.base}/getJWT`, {
      headers: { cookie: cookieHeader({ sAccessToken: first.sAccessToken.value }), rid: "session" },
    });
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { message: "try refresh token" });

    const refreshed = await fetch(`${app.base}/auth/session/refresh`, {
      method: "POST",
      headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
    });
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    const second = setCookies(refreshed);
    assert.ok(second.sAccessToken?.value);
    assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
    assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);

    const jwt = await fetch(`${app.base}/getJWT`, {
      headers: { cookie: cookieHeader({ sAccessToken: second.sAccessToken.value }), rid: "session" },
    });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token: second.sAccessToken.value });

    await new Promise((r) => setTimeout(r, 20));
    const reuse = await fetch(`${app.base}/auth/session/refresh`, {
      method: "POST",
      headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
    });
    assert.equal(reuse.status, 401);
    assert.deepEqual(await reuse.json(), { message: "token theft detected" });
    const cleared = setCookies(reuse);
    assert.equal(cleared.sAccessToken?.value, "");
  } finally {
    await app.close();
  }
});

test("signout: 200 OK, cookies cleared, front-token: remove", async () => {
  initTessera();
  const app = await startApp();
  try {
    const c = setCookies(await signIn(app.base, "cookie"));
    const res = await fetch(`${app.base}/auth/signout`, {
      method: "POST",
      headers: { cookie: cookieHeader({ sAccessToken: c.sAccessToken.value }), rid: "session" },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "OK" });
    const cleared = setCookies(res);
    assert.equal(cleared.sAccessToken?.value, "");
    assert.equal(cleared.sRefreshToken?.value, "");
    assert.equal(res.headers.get("front-token"), "remove");
  } finally {
    await app.close();
  }
});

test("an Access-Control-Expose-Headers set by the app is kept and extended", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await signIn(app.base, "header", { "x-app-expose": "1" });
    const expose = (res.headers.get("access-control-expose-headers") ?? "").split(",").map((s) => s.trim());
    assert.ok(expose.includes("x-app-header"), expose.join());
    assert.ok(expose.includes("front-token"), expose.join());
    assert.ok(expose.includes("st-access-token"), expose.join());
  } finally {
    await app.close();
  }
});

test("session methods in a route: merge writes a new token, revoke clears, errors reach errorHandler", async () => {
  initTessera();
  const app = await startApp((a) => {
    a.post("/merge", verifySession(), async (req, res) => {
      await req.session.mergeIntoAccessTokenPayload({ k: "v" });
      res.json({ payload: req.session.getAccessTokenPayload(), token: req.session.getAccessToken() });
    });
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
    a.get("/throw", async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    });
    a.get("/boom", async () => {
      throw new Error("boom");
    });
  });
  try {
    const res = await signIn(app.base, "header");
    const token = res.headers.get("st-access-token");
    const merged = await fetch(`${app.base}/merge`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(merged.status, 200);
    const mergedBody = await merged.json();
    assert.equal(mergedBody.payload.k, "v");
    assert.equal(mergedBody.payload.role, "admin");
    assert.equal(merged.headers.get("st-access-token"), mergedBody.token);
    assert.notEqual(mergedBody.token, token);

    const info = await fetch(`${app.base}/info`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(info.status, 200);
    const i = await info.json();
    assert.deepEqual(i.data, { d: 1 });
    assert.equal(i.user, "user-1");
    assert.equal(i.recipeUser, "user-1");
    assert.equal(i.tenant, "public");
    assert.ok(i.created > 0 && i.expiry > i.created);
    assert.equal(i.handles.length, 1);
    assert.equal(i.info.userId, "user-1");

    const revoked = await fetch(`${app.base}/revoke`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("front-token"), "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);

    const thrown = await fetch(`${app.base}/throw`);
    assert.equal(thrown.status, 401);
    assert.deepEqual(await thrown.json(), { message: "try refresh token" });
    const boom = await fetch(`${app.base}/boom`);
    assert.equal(boom.status, 500);
  } finally {
    await app.close();
  }
});

test("the *WithoutRequestResponse functions", async () => {
  initTessera();
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
  assert.throws(() => Session.init({ getTokenTransferMethod: () => "header" }), /not supported as a function/);
  assert.throws(
    () => Tessera.init({ appInfo, recipeList: [Session.init({ cookieSameSite: "sideways" })] }),
    (e) => e instanceof Tessera.Error && e.type === "INVALID_CONFIG",
  );
  const cors = Tessera.getAllCORSHeaders();
  assert.ok(cors.includes("front-token") || cors.includes("st-auth-mode"), cors.join());
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
  initTessera();
  const app = await startApp((a) => {
    a.get("/db", verifySession({ checkDatabase: true }), (req, res) => res.json({ user: req.session.getUserId() }));
  });
  try {
    const token = (await signIn(app.base, "header")).headers.get("st-access-token");
    const ok = await fetch(`${app.base}/db`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { user: "user-1" });
    await Session.revokeAllSessionsForUser("user-1");
    const gone = await fetch(`${app.base}/db`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401);
    assert.deepEqual(await gone.json(), { message: "unauthorised" });
  } finally {
    await app.close();
  }
});

test("native errors arrive as TesseraError with the core's type", async () => {
  initTessera();
  await assert.rejects(
    Session.getSessionWithoutRequestResponse("not-a-token"),
    (e) => e instanceof Session.Error && ["TRY_REFRESH_TOKEN", "UNAUTHORISED"].includes(e.type),
  );
  await assert.rejects(
    Session.refreshSessionWithoutRequestResponse("not-a-token"),
    (e) => e instanceof Session.Error && e.type === "UNAUTHORISED",
  );
});
