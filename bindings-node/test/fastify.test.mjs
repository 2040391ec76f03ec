// The Fastify integration end to end: a real Fastify 5 app driven with `app.inject` (no socket),
// over the native core. The app is the "fetching the access token" seed, written as for
// supertokens-node with only the package name changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/fastify";
import { plugin, errorHandler } from "tessera-session/framework/fastify";
import { parseSetCookies, cookieHeader } from "../testlib/cookies.mjs";

const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

function initTessera(sessionOptions = {}) {
  Tessera.init({
    framework: "fastify",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

async function startApp(build) {
  const app = Fastify({ logger: false });
  app.addHook("onRequest", async (req, reply) => {
    if (req.headers["x-app-expose"]) reply.header("Access-Control-Expose-Headers", "x-app-header");
  });
  await app.register(plugin);
  app.setErrorHandler(errorHandler());
  app.post("/signin", async (req, reply) => {
    await Session.createNewSession(req, reply, "public", "user-1", { role: "admin" });
    return { status: "OK" };
  });
  app.get("/getJWT", { preHandler: verifySession() }, async (req) => ({ token: req.session.getAccessToken() }));
  app.get("/optional", { preHandler: verifySession({ sessionRequired: false }) }, async (req) => ({
    hasSession: req.session !== undefined,
  }));
  if (build) build(app);
  await app.ready();
  const inject = (method, url, headers = {}) =>
    typeof method === "object" ? app.inject(method) : app.inject({ method, url, headers });
  return { inject, close: () => app.close() };
}

function setCookieList(res) {
  const v = res.headers["set-cookie"];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The cookies a response sets, by name (an empty value means cleared). */
const setCookies = (res) => parseSetCookies(setCookieList(res));


async function signIn(app, mode, extra = {}) {
  const res = await app.inject("POST", "/signin", { "st-auth-mode": mode, rid: "session", ...extra });
  assert.equal(res.statusCode, 200, res.body);
  return res;
}

test("fastify cookie mode: /getJWT returns exactly the access token the client holds", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await signIn(app, "cookie");
    const cookies = setCookies(res);
    assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
    assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
    assert.match(cookies.sAccessToken.header, /HttpOnly/i);
    assert.ok(res.headers["front-token"]);
    assert.equal(res.headers["st-access-token"], cookies.sAccessToken.value);
    assert.ok(String(res.headers["access-control-expose-headers"]).includes("front-token"));
    const jwt = await app.inject("GET", "/getJWT", {
      cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }),
      rid: "session",
    });
    assert.equal(jwt.statusCode, 200);
    assert.deepEqual(jwt.json(), { token: cookies.sAccessToken.value });
  } finally {
    await app.close();
  }
});

test("fastify header mode: /getJWT returns exactly the bearer token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app, "header");
    const token = res.headers["st-access-token"];
    assert.ok(token);
    assert.ok(res.headers["st-refresh-token"]);
    assert.deepEqual(
      setCookieList(res).filter((c) => c.startsWith("sAccessToken=") && !c.startsWith("sAccessToken=;")),
      [],
    );
    const jwt = await app.inject("GET", "/getJWT", { authorization: `Bearer ${token}` });
    assert.equal(jwt.statusCode, 200);
    assert.deepEqual(jwt.json(), { token });
  } finally {
    await app.close();
  }
});

test("fastify: without the expose option, cookie mode sends no st-access-token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const app = await startApp();
  try {
    const res = await signIn(app, "cookie");
    assert.equal(res.headers["st-access-token"], undefined);
  } finally {
    await app.close();
  }
});

test("fastify no session: 401 unauthorised; sessionRequired false runs the handler with no session", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await app.inject("GET", "/getJWT");
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { message: "unauthorised" });
    const opt = await app.inject("GET", "/optional");
    assert.equal(opt.statusCode, 200);
    assert.deepEqual(opt.json(), { hasSession: false });
  } finally {
    await app.close();
  }
});

test("fastify: garbage cookies and headers give 401, never 500", async () => {
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
      const res = await app.inject("GET", "/getJWT", { rid: "session", ...headers });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.ok(["unauthorised", "try refresh token"].includes(res.json().message), res.body);
    }
    const refresh = await app.inject("POST", "/auth/session/refresh", { cookie: "sRefreshToken=garbage", rid: "session" });
    assert.equal(refresh.statusCode, 401);
    // A JSON content type with an empty body must not trip Fastify's body parser: the plugin
    // answers before parsing.
    const json = await app.inject("POST", "/auth/session/refresh", {
      cookie: "sRefreshToken=garbage",
      rid: "session",
      "content-type": "application/json",
    });
    assert.equal(json.statusCode, 401);
  } finally {
    await app.close();
  }
});

test("fastify expired access token: 401 try refresh token; refresh rotates; reuse is token theft", async () => {
  initTessera({ accessTokenValidity: 1, refreshTokenRotationGracePeriod: 0 });
  const app = await startApp();
  try {
    const first = setCookies(await signIn(app, "cookie"));
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await app.inject("GET", "/getJWT", {
      cookie: cookieHeader({ sAccessToken: first.sAccessToken.value }),
      rid: "session",
    });
    assert.equal(expired.statusCode, 401);
    assert.deepEqual(expired.json(), { message: "try refresh token" });

    const refreshed = await app.inject("POST", "/auth/session/refresh", {
      cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }),
      rid: "session",
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const second = setCookies(refreshed);
    assert.ok(second.sAccessToken?.value);
    assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
    assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);

    const jwt = await app.inject("GET", "/getJWT", {
      cookie: cookieHeader({ sAccessToken: second.sAccessToken.value }),
      rid: "session",
    });
    assert.equal(jwt.statusCode, 200);
    assert.deepEqual(jwt.json(), { token: second.sAccessToken.value });

    await new Promise((r) => setTimeout(r, 20));
    const reuse = await app.inject("POST", "/auth/session/refresh", {
      cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }),
      rid: "session",
    });
    assert.equal(reuse.statusCode, 401);
    assert.deepEqual(reuse.json(), { message: "token theft detected" });
    assert.equal(setCookies(reuse).sAccessToken?.value, "");
  } finally {
    await app.close();
  }
});

test("fastify signout: 200 OK, cookies cleared, front-token: remove", async () => {
  initTessera();
  const app = await startApp();
  try {
    const c = setCookies(await signIn(app, "cookie"));
    const res = await app.inject("POST", "/auth/signout", {
      cookie: cookieHeader({ sAccessToken: c.sAccessToken.value }),
      rid: "session",
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "OK" });
    const cleared = setCookies(res);
    assert.equal(cleared.sAccessToken?.value, "");
    assert.equal(cleared.sRefreshToken?.value, "");
    assert.equal(res.headers["front-token"], "remove");
    // Each cookie once: the array was rebuilt, not appended to.
    const names = setCookieList(res).map((s) => s.slice(0, s.indexOf("=")));
    assert.equal(new Set(names).size, names.length, names.join());
  } finally {
    await app.close();
  }
});

test("fastify: an Access-Control-Expose-Headers set by the app is kept and extended", async () => {
  initTessera();
  const app = await startApp();
  try {
    const res = await signIn(app, "header", { "x-app-expose": "1" });
    const expose = String(res.headers["access-control-expose-headers"] ?? "")
      .split(",")
      .map((s) => s.trim());
    assert.ok(expose.includes("x-app-header"), expose.join());
    assert.ok(expose.includes("front-token"), expose.join());
    assert.ok(expose.includes("st-access-token"), expose.join());
  } finally {
    await app.close();
  }
});

test("fastify: session methods in a route, errors reach errorHandler, other routes unaffected", async () => {
  initTessera();
  const app = await startApp((a) => {
    a.post("/merge", { preHandler: verifySession() }, async (req) => {
      await req.session.mergeIntoAccessTokenPayload({ k: "v" });
      return { payload: req.session.getAccessTokenPayload(), token: req.session.getAccessToken() };
    });
    a.post("/revoke", { preHandler: verifySession() }, async (req) => {
      await req.session.revokeSession();
      return { ok: true };
    });
    a.get("/throw", async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    });
    a.get("/boom", async () => {
      throw new Error("boom");
    });
    a.post("/echo", async (req) => req.body);
  });
  try {
    const token = (await signIn(app, "header")).headers["st-access-token"];
    const merged = await app.inject("POST", "/merge", { authorization: `Bearer ${token}` });
    assert.equal(merged.statusCode, 200);
    const body = merged.json();
    assert.equal(body.payload.k, "v");
    assert.equal(body.payload.role, "admin");
    assert.equal(merged.headers["st-access-token"], body.token);
    assert.notEqual(body.token, token);

    const revoked = await app.inject("POST", "/revoke", { authorization: `Bearer ${token}` });
    assert.equal(revoked.statusCode, 200);
    assert.equal(revoked.headers["front-token"], "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);

    const thrown = await app.inject("GET", "/throw");
    assert.equal(thrown.statusCode, 401);
    assert.deepEqual(thrown.json(), { message: "try refresh token" });
    const boom = await app.inject("GET", "/boom");
    assert.equal(boom.statusCode, 500);
    const echo = await app.inject({ method: "POST", url: "/echo", payload: { a: 1 } });
    assert.deepEqual(echo.json(), { a: 1 });
    const missing = await app.inject("GET", "/nope");
    assert.equal(missing.statusCode, 404);
  } finally {
    await app.close();
  }
});
