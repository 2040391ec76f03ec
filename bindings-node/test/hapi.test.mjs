// The Hapi integration end to end: a real @hapi/hapi 21 server driven with `server.inject` (no
// socket), over the native core. The routes are the "fetching the access token" seed, written
// as for supertokens-node with only the package name changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import Hapi from "@hapi/hapi";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/hapi";
import { plugin } from "tessera-session/framework/hapi";
import { parseSetCookies, cookieHeader } from "../testlib/cookies.mjs";

const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

function initTessera(sessionOptions = {}) {
  Tessera.init({
    framework: "hapi",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

async function startServer(build) {
  // Hapi's own cookie parser answers a malformed Cookie header with 400 before any route runs;
  // "ignore" lets such requests reach verifySession (Tessera reads the raw header itself).
  const server = Hapi.server({ routes: { state: { failAction: "ignore" } } });
  await server.register(plugin);
  server.route({
    method: "POST",
    path: "/signin",
    handler: async (request, h) => {
      await Session.createNewSession(request, h, "public", "user-1", { role: "admin" });
      const res = h.response({ status: "OK" });
      if (request.headers["x-app-expose"]) res.header("Access-Control-Expose-Headers", "x-app-header");
      return res;
    },
  });
  server.route({
    method: "GET",
    path: "/getJWT",
    options: { pre: [{ method: verifySession() }] },
    handler: async (request) => ({ token: request.session.getAccessToken() }),
  });
  server.route({
    method: "GET",
    path: "/optional",
    options: { pre: [{ method: verifySession({ sessionRequired: false }) }] },
    handler: async (request) => ({ hasSession: request.session !== undefined }),
  });
  if (build) build(server);
  await server.initialize();
  return server;
}

/** The cookies a response sets, by name (an empty value means cleared). */
const setCookies = (res) => parseSetCookies([].concat(res.headers["set-cookie"] ?? []));


async function signIn(server, mode, extra = {}) {
  const res = await server.inject({ method: "POST", url: "/signin", headers: { "st-auth-mode": mode, rid: "session", ...extra } });
  assert.equal(res.statusCode, 200, res.payload);
  return res;
}

test("hapi cookie mode: /getJWT returns exactly the access token the client holds", async () => {
  initTessera();
  const server = await startServer();
  const res = await signIn(server, "cookie");
  const cookies = setCookies(res);
  assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
  assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
  assert.match(cookies.sAccessToken.header, /HttpOnly/i);
  assert.ok(res.headers["front-token"]);
  assert.equal(res.headers["st-access-token"], cookies.sAccessToken.value);
  assert.ok(String(res.headers["access-control-expose-headers"]).includes("front-token"));
  const jwt = await server.inject({
    method: "GET",
    url: "/getJWT",
    headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session" },
  });
  assert.equal(jwt.statusCode, 200, jwt.payload);
  assert.deepEqual(jwt.result, { token: cookies.sAccessToken.value });
  await server.stop();
});

test("hapi header mode: /getJWT returns exactly the bearer token", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const server = await startServer();
  const res = await signIn(server, "header");
  const token = res.headers["st-access-token"];
  assert.ok(token);
  assert.ok(res.headers["st-refresh-token"]);
  const set = setCookies(res);
  assert.ok(!set.sAccessToken?.value, "no access token cookie in header mode");
  const jwt = await server.inject({ method: "GET", url: "/getJWT", headers: { authorization: `Bearer ${token}` } });
  assert.equal(jwt.statusCode, 200);
  assert.deepEqual(jwt.result, { token });
  await server.stop();
});

test("hapi: without the expose option cookie mode sends no st-access-token; an app's expose header is kept", async () => {
  initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
  const server = await startServer();
  const res = await signIn(server, "cookie", { "x-app-expose": "1" });
  assert.equal(res.headers["st-access-token"], undefined);
  const expose = String(res.headers["access-control-expose-headers"]).split(",").map((s) => s.trim());
  assert.ok(expose.includes("x-app-header"), expose.join());
  assert.ok(expose.includes("front-token"), expose.join());
  await server.stop();
});

test("hapi: no session gives 401 unauthorised; sessionRequired false runs with no session", async () => {
  initTessera();
  const server = await startServer();
  const res = await server.inject({ method: "GET", url: "/getJWT" });
  assert.equal(res.statusCode, 401);
  assert.deepEqual(JSON.parse(res.payload), { message: "unauthorised" });
  const opt = await server.inject({ method: "GET", url: "/optional" });
  assert.equal(opt.statusCode, 200);
  assert.deepEqual(opt.result, { hasSession: false });
  await server.stop();
});

test("hapi: garbage cookies and headers give 401, never 500", async () => {
  initTessera();
  const server = await startServer();
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
    const res = await server.inject({ method: "GET", url: "/getJWT", headers: { rid: "session", ...headers } });
    assert.equal(res.statusCode, 401, JSON.stringify(headers));
    const body = JSON.parse(res.payload);
    assert.ok(["unauthorised", "try refresh token"].includes(body.message), JSON.stringify(body));
  }
  const refresh = await server.inject({
    method: "POST",
    url: "/auth/session/refresh",
    headers: { cookie: "sRefreshToken=garbage", rid: "session" },
  });
  assert.equal(refresh.statusCode, 401);
  await server.stop();

  // With Hapi's default cookie settings the malformed header is Hapi's 400, still never a 500.
  const strict = Hapi.server();
  await strict.register(plugin);
  strict.route({ method: "GET", path: "/getJWT", options: { pre: [{ method: verifySession() }] }, handler: () => "x" });
  await strict.initialize();
  const bad = await strict.inject({ method: "GET", url: "/getJWT", headers: { cookie: "sAccessToken=%%%; ;;==" } });
  assert.ok(bad.statusCode === 400 || bad.statusCode === 401, String(bad.statusCode));
  await strict.stop();
});

test("hapi: expired access token is 401 try refresh token; refresh rotates; reuse is token theft", async () => {
  initTessera({ accessTokenValidity: 1, refreshTokenRotationGracePeriod: 0 });
  const server = await startServer();
  const first = setCookies(await signIn(server, "cookie"));
  await new Promise((r) => setTimeout(r, 1100));
  const expired = await server.inject({
    method: "GET",
    url: "/getJWT",
    headers: { cookie: cookieHeader({ sAccessToken: first.sAccessToken.value }), rid: "session" },
  });
  assert.equal(expired.statusCode, 401);
  assert.deepEqual(JSON.parse(expired.payload), { message: "try refresh token" });

  const refreshed = await server.inject({
    method: "POST",
    url: "/auth/session/refresh",
    headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
  });
  assert.equal(refreshed.statusCode, 200, refreshed.payload);
  const second = setCookies(refreshed);
  assert.ok(second.sAccessToken?.value);
  assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
  assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);

  const jwt = await server.inject({
    method: "GET",
    url: "/getJWT",
    headers: { cookie: cookieHeader({ sAccessToken: second.sAccessToken.value }), rid: "session" },
  });
  assert.equal(jwt.statusCode, 200);
  assert.deepEqual(jwt.result, { token: second.sAccessToken.value });

  await new Promise((r) => setTimeout(r, 20));
  const reuse = await server.inject({
    method: "POST",
    url: "/auth/session/refresh",
    headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
  });
  assert.equal(reuse.statusCode, 401);
  assert.deepEqual(JSON.parse(reuse.payload), { message: "token theft detected" });
  assert.equal(setCookies(reuse).sAccessToken?.value, "");
  await server.stop();
});

test("hapi: signout clears the cookies and sends front-token: remove", async () => {
  initTessera();
  const server = await startServer();
  const c = setCookies(await signIn(server, "cookie"));
  const res = await server.inject({
    method: "POST",
    url: "/auth/signout",
    headers: { cookie: cookieHeader({ sAccessToken: c.sAccessToken.value }), rid: "session" },
  });
  assert.equal(res.statusCode, 200, res.payload);
  assert.deepEqual(JSON.parse(res.payload), { status: "OK" });
  const cleared = setCookies(res);
  assert.equal(cleared.sAccessToken?.value, "");
  assert.equal(cleared.sRefreshToken?.value, "");
  assert.equal(res.headers["front-token"], "remove");
  await server.stop();
});

test("hapi: JWKS is served; session changes in a route and errors thrown later are handled", async () => {
  initTessera();
  const server = await startServer((s) => {
    s.route({
      method: "POST",
      path: "/merge",
      options: { pre: [{ method: verifySession() }] },
      handler: async (request) => {
        await request.session.mergeIntoAccessTokenPayload({ k: "v" });
        return { payload: request.session.getAccessTokenPayload(), token: request.session.getAccessToken() };
      },
    });
    s.route({
      method: "GET",
      path: "/throw",
      handler: async () => {
        throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
      },
    });
    s.route({
      method: "GET",
      path: "/boom",
      handler: async () => {
        throw new Error("boom");
      },
    });
  });
  const jwks = await server.inject({ method: "GET", url: "/auth/jwt/jwks.json" });
  assert.equal(jwks.statusCode, 200);
  assert.ok(Array.isArray(JSON.parse(jwks.payload).keys));

  const token = (await signIn(server, "header")).headers["st-access-token"];
  const merged = await server.inject({ method: "POST", url: "/merge", headers: { authorization: `Bearer ${token}` } });
  assert.equal(merged.statusCode, 200);
  assert.equal(merged.result.payload.k, "v");
  assert.equal(merged.result.payload.role, "admin");
  assert.equal(merged.headers["st-access-token"], merged.result.token);
  assert.notEqual(merged.result.token, token);

  const thrown = await server.inject({ method: "GET", url: "/throw" });
  assert.equal(thrown.statusCode, 401);
  assert.deepEqual(JSON.parse(thrown.payload), { message: "try refresh token" });
  const boom = await server.inject({ method: "GET", url: "/boom" });
  assert.equal(boom.statusCode, 500);
  await server.stop();
});
