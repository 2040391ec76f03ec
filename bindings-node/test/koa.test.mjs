// The Koa integration end to end: a real Koa 3 app with an @koa/router route on an ephemeral
// port, driven with the global fetch, over the native core. The app is the "fetching the access
// token" seed, written as for supertokens-node with only the package name changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import Koa from "koa";
import Router from "@koa/router";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/koa";
import { middleware } from "tessera-session/framework/koa";
import { parseSetCookies, cookieHeader } from "../testlib/cookies.mjs";

const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

function initTessera(sessionOptions = {}) {
  Tessera.init({
    framework: "koa",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

async function startApp(build) {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    if (ctx.get("x-app-expose")) ctx.set("Access-Control-Expose-Headers", "x-app-header");
    await next();
  });
  app.use(middleware());
  const router = new Router();
  router.post("/signin", async (ctx) => {
    await Session.createNewSession(ctx, ctx, "public", "user-1", { role: "admin" });
    ctx.body = { status: "OK" };
  });
  router.get("/getJWT", verifySession(), async (ctx) => {
    ctx.body = { token: ctx.session.getAccessToken() };
  });
  router.get("/optional", verifySession({ sessionRequired: false }), async (ctx) => {
    ctx.body = { hasSession: ctx.session !== undefined };
  });
  if (build) build(router);
  app.use(router.routes());
  app.use(router.allowedMethods());
  const server = http.createServer(app.callback()).listen(0);
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

test("koa cookie mode: /getJWT returns exactly the access token the client holds", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await signIn(app.base, "cookie");
    const cookies = setCookies(res);
    assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
    assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
    assert.match(cookies.sAccessToken.header, /HttpOnly/i);
    assert.ok(res.headers.get("front-token"));
    assert.equal(res.headers.get("st-access-token"), cookies.sAccessToken.value);
    assert.ok((res.headers.get("access-control-expose-headers") ?? "").includes("front-token"));
    const jwt = await fetch(`${app.base}/getJWT`, {
      headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session" },
    });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token: cookies.sAccessToken.value });
  } finally {
    await app.close();
  }
});

test("koa header mode: /getJWT returns exactly the bearer token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app.base, "header");
    const token = res.headers.get("st-access-token");
    assert.ok(token);
    assert.ok(res.headers.get("st-refresh-token"));
    assert.deepEqual(
      res.headers.getSetCookie().filter((c) => c.startsWith("sAccessToken=") && !c.startsWith("sAccessToken=;")),
      [],
    );
    const jwt = await fetch(`${app.base}/getJWT`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token });
  } finally {
    await app.close();
  }
});

test("koa: without the expose option, cookie mode sends no st-access-token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app.base, "cookie");
    assert.equal(res.headers.get("st-access-token"), null);
  } finally {
    await app.close();
  }
});

test("koa no session: 401 unauthorised; sessionRequired false runs the handler with no session", async () => {
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

test("koa: garbage cookies and headers give 401, never 500", async () => {
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

test("koa expired access token: 401 try refresh token; refresh rotates; reuse is token theft", async () => {
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
    assert.equal(setCookies(reuse).sAccessToken?.value, "");
  } finally {
    await app.close();
  }
});

test("koa signout: 200 OK, cookies cleared, front-token: remove", async () => {
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
    const names = res.headers.getSetCookie().map((s) => s.slice(0, s.indexOf("=")));
    assert.equal(new Set(names).size, names.length, names.join());
  } finally {
    await app.close();
  }
});

test("koa: an Access-Control-Expose-Headers set by the app is kept and extended", async () => {
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

test("koa: session methods in a route; middleware answers session errors thrown downstream", async () => {
  initTessera();
  const app = await startApp((router) => {
    router.post("/merge", verifySession(), async (ctx) => {
      await ctx.session.mergeIntoAccessTokenPayload({ k: "v" });
      ctx.body = { payload: ctx.session.getAccessTokenPayload(), token: ctx.session.getAccessToken() };
    });
    router.post("/revoke", verifySession(), async (ctx) => {
      await ctx.session.revokeSession();
      ctx.body = { ok: true };
    });
    router.get("/throw", async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    });
    router.get("/boom", async () => {
      throw new Error("boom");
    });
  });
  try {
    const token = (await signIn(app.base, "header")).headers.get("st-access-token");
    const merged = await fetch(`${app.base}/merge`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(merged.status, 200);
    const body = await merged.json();
    assert.equal(body.payload.k, "v");
    assert.equal(body.payload.role, "admin");
    assert.equal(merged.headers.get("st-access-token"), body.token);
    assert.notEqual(body.token, token);

    const revoked = await fetch(`${app.base}/revoke`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("front-token"), "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);

    const thrown = await fetch(`${app.base}/throw`);
    assert.equal(thrown.status, 401);
    assert.deepEqual(await thrown.json(), { message: "try refresh token" });
    const boom = await fetch(`${app.base}/boom`);
    assert.equal(boom.status, 500);
    const missing = await fetch(`${app.base}/nope`);
    assert.equal(missing.status, 404);
  } finally {
    await app.close();
  }
});
