// Not under test/: node --test runs every script in a test directory.
// The seed checks every framework suite shares. A suite hands `seedSuite` a `start` function
// that inits Tessera with the given session options (see `initTessera`) and starts its app, which
// must serve, written the framework's own way:
//   POST /signin     Session.createNewSession(..., "public", "user-1", {role: "admin"}) -> {status: "OK"}
//   GET  /getJWT     verifySession() -> {token: session.getAccessToken()}
//   GET  /optional   verifySession({sessionRequired: false}) -> {hasSession}
//   the core's endpoints under /auth (session/refresh, signout)
// `start` returns `{fetch(path, init) -> Promise<Response>, close()}`: a real HTTP client for apps
// that listen, `injected` for those driven by the framework's own inject, or a direct handler
// call for those that are plain functions.
// With `{appExposeHeader: true}` the app also sets `Access-Control-Expose-Headers: x-app-header`
// on a request carrying `x-app-expose`, before the session code adds to it.
// `handlerChecks(app)` is for apps that also serve POST /merge (verifySession, then
// `mergeIntoAccessTokenPayload({k: "v"})` -> {payload, token}), GET /throw (throws a
// TRY_REFRESH_TOKEN session error) and GET /boom (throws a plain Error).
import { test } from "node:test";
import assert from "node:assert/strict";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { parseSetCookies, cookieHeader } from "./cookies.mjs";

export const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

/** `Tessera.init` as the seed does it, with the expose option on unless overridden. */
export function initTessera(framework, sessionOptions = {}) {
  Tessera.init({
    framework,
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

/** A `fetch` against a Node `http.Server` once it listens on an ephemeral port. */
export async function listening(server) {
  if (!server.listening) await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    fetch: (path, init) => fetch(base + path, init),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** The cookies a response sets, by name (an empty value means cleared). */
export const setCookies = (res) => parseSetCookies(res.headers.getSetCookie());

export async function signIn(app, mode, extra = {}) {
  const res = await app.fetch("/signin", { method: "POST", headers: { "st-auth-mode": mode, rid: "session", ...extra } });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.clone().json(), { status: "OK" });
  return res;
}

/** A WHATWG `Response` from an answer given as `{status, headers, body}`, where a header's value
 * may be a list (`set-cookie`), as Fastify's and Hapi's inject and Lambda results give them. */
export function toResponse(status, headers, body) {
  const h = new Headers();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    for (const v of [].concat(value)) h.append(name, String(v));
  }
  const empty = status === 204 || status === 304 || body === undefined || body === null || body === "";
  return new Response(empty ? null : body, { status, headers: h });
}

/** `fetch(path, init)` over a framework's inject: `inject({method, url, headers})` resolves to
 * `{statusCode, headers, payload}`. */
export function injected(inject) {
  return async (path, init = {}) => {
    const res = await inject({ method: init.method ?? "GET", url: path, headers: init.headers ?? {} });
    return toResponse(res.statusCode, res.headers, res.payload);
  };
}

/** Session methods in a handler, errors thrown by handlers, and what the app leaves alone: the
 * checks of apps that serve /merge, /throw and /boom (see the top of this file). */
export async function handlerChecks(app) {
  const token = (await signIn(app, "header")).headers.get("st-access-token");
  const merged = await app.fetch("/merge", { method: "POST", headers: { authorization: `Bearer ${token}` } });
  assert.equal(merged.status, 200, await merged.clone().text());
  const body = await merged.json();
  assert.equal(body.payload.k, "v");
  assert.equal(body.payload.role, "admin");
  assert.equal(merged.headers.get("st-access-token"), body.token);
  assert.notEqual(body.token, token);
  assert.equal((await app.fetch("/merge", { method: "POST" })).status, 401);

  const thrown = await app.fetch("/throw");
  assert.equal(thrown.status, 401);
  assert.deepEqual(await thrown.json(), { message: "try refresh token" });
  assert.equal((await app.fetch("/boom")).status, 500);
  assert.equal((await app.fetch("/nope")).status, 404);
  const jwks = await app.fetch("/auth/jwt/jwks.json");
  assert.equal(jwks.status, 200);
  assert.ok(Array.isArray((await jwks.json()).keys));
  return token;
}

/** Runs `body(app)` on an app started with `sessionOptions`, closing it afterwards. */
export async function withApp(start, sessionOptions, body) {
  const app = await start(sessionOptions);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

/** Registers the seed tests, named `${label}: ...`. */
export function seedSuite(label, start, { appExposeHeader = false } = {}) {
  if (appExposeHeader) {
    test(`${label}: an Access-Control-Expose-Headers set by the app is kept and extended`, () =>
      withApp(start, {}, async (app) => {
        const res = await signIn(app, "header", { "x-app-expose": "1" });
        const expose = (res.headers.get("access-control-expose-headers") ?? "").split(",").map((s) => s.trim());
        assert.ok(expose.includes("x-app-header"), expose.join());
        assert.ok(expose.includes("front-token"), expose.join());
        assert.ok(expose.includes("st-access-token"), expose.join());
      }));
  }

  test(`${label} cookie mode: /getJWT returns exactly the access token the client holds`, () =>
    withApp(start, {}, async (app) => {
      const res = await signIn(app, "cookie");
      const cookies = setCookies(res);
      assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
      assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
      assert.match(cookies.sAccessToken.header, /HttpOnly/i);
      assert.ok(res.headers.get("front-token"));
      assert.equal(res.headers.get("st-access-token"), cookies.sAccessToken.value);
      assert.ok((res.headers.get("access-control-expose-headers") ?? "").includes("front-token"));
      const jwt = await app.fetch("/getJWT", {
        headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session" },
      });
      assert.equal(jwt.status, 200, await jwt.clone().text());
      assert.deepEqual(await jwt.json(), { token: cookies.sAccessToken.value });
    }));

  test(`${label} header mode: /getJWT returns exactly the bearer token`, () =>
    withApp(start, { exposeAccessTokenToFrontendInCookieBasedAuth: false }, async (app) => {
      const res = await signIn(app, "header");
      const token = res.headers.get("st-access-token");
      assert.ok(token);
      assert.ok(res.headers.get("st-refresh-token"));
      assert.deepEqual(
        res.headers.getSetCookie().filter((c) => c.startsWith("sAccessToken=") && !c.startsWith("sAccessToken=;")),
        [],
      );
      const jwt = await app.fetch("/getJWT", { headers: { authorization: `Bearer ${token}` } });
      assert.equal(jwt.status, 200);
      assert.deepEqual(await jwt.json(), { token });
    }));

  test(`${label}: the expose option adds st-access-token in cookie mode, and only it`, async () => {
    await withApp(start, { exposeAccessTokenToFrontendInCookieBasedAuth: false }, async (app) => {
      const res = await signIn(app, "cookie");
      assert.equal(res.headers.get("st-access-token"), null);
    });
    await withApp(start, {}, async (app) => {
      const res = await signIn(app, "cookie");
      assert.equal(res.headers.get("st-access-token"), setCookies(res).sAccessToken.value);
      assert.ok((res.headers.get("access-control-expose-headers") ?? "").includes("st-access-token"));
    });
  });

  test(`${label} no session: 401 unauthorised; sessionRequired false runs the handler with no session`, () =>
    withApp(start, {}, async (app) => {
      const res = await app.fetch("/getJWT");
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { message: "unauthorised" });
      const opt = await app.fetch("/optional");
      assert.equal(opt.status, 200);
      assert.deepEqual(await opt.json(), { hasSession: false });
    }));

  test(`${label}: garbage cookies and headers give 401, never 500`, () =>
    withApp(start, {}, async (app) => {
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
        const res = await app.fetch("/getJWT", { headers: { rid: "session", ...headers } });
        assert.equal(res.status, 401, JSON.stringify(headers));
        const body = await res.json();
        assert.ok(["unauthorised", "try refresh token"].includes(body.message), JSON.stringify(body));
      }
      for (const headers of [{ cookie: "sRefreshToken=garbage" }, { "st-refresh-token": "garbage" }, {}]) {
        const refresh = await app.fetch("/auth/session/refresh", { method: "POST", headers: { rid: "session", ...headers } });
        assert.equal(refresh.status, 401, JSON.stringify(headers));
      }
    }));

  test(`${label} expired access token: 401 try refresh token; refresh rotates; reuse is token theft`, () =>
    withApp(start, { accessTokenValidity: 1, refreshTokenRotationGracePeriod: 0 }, async (app) => {
      // exp is in whole seconds, so a token lives to the end of the second its validity ends
      // in: signing in just after a second starts leaves the refreshed token ~0.9 s to be used.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
      const first = setCookies(await signIn(app, "cookie"));
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await app.fetch("/getJWT", {
        headers: { cookie: cookieHeader({ sAccessToken: first.sAccessToken.value }), rid: "session" },
      });
      assert.equal(expired.status, 401);
      assert.deepEqual(await expired.json(), { message: "try refresh token" });

      const refreshed = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
      });
      assert.equal(refreshed.status, 200, await refreshed.clone().text());
      const second = setCookies(refreshed);
      assert.ok(second.sAccessToken?.value);
      assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
      assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);

      const jwt = await app.fetch("/getJWT", {
        headers: { cookie: cookieHeader({ sAccessToken: second.sAccessToken.value }), rid: "session" },
      });
      assert.equal(jwt.status, 200);
      assert.deepEqual(await jwt.json(), { token: second.sAccessToken.value });

      await new Promise((r) => setTimeout(r, 20));
      const reuse = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
      });
      assert.equal(reuse.status, 401);
      assert.deepEqual(await reuse.json(), { message: "token theft detected" });
      assert.equal(setCookies(reuse).sAccessToken?.value, "");
    }));

  test(`${label} signout: 200 OK, cookies cleared, front-token: remove`, () =>
    withApp(start, {}, async (app) => {
      const c = setCookies(await signIn(app, "cookie"));
      const res = await app.fetch("/auth/signout", {
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
    }));

  test(`${label}: getTokenTransferMethod as a function is asked per request`, async () => {
    const asked = [];
    const getTokenTransferMethod = ({ req, forCreateNewSession, userContext }) => {
      assert.equal(typeof userContext, "object");
      asked.push([req.getOriginalURL().split("?")[0], forCreateNewSession, req.getMethod()]);
      return req.getHeaderValue("X-Client") === "mobile" ? "header" : "cookie";
    };
    await withApp(start, { getTokenTransferMethod }, async (app) => {
      // The browser asks for headers, the application says cookies.
      const web = await signIn(app, "header");
      assert.equal(web.headers.get("st-refresh-token"), null);
      const access = setCookies(web).sAccessToken.value;
      const jwt = await app.fetch("/getJWT", { headers: { cookie: cookieHeader({ sAccessToken: access }) } });
      assert.deepEqual(await jwt.json(), { token: access });
      // A mobile request may only use headers: its cookie is not looked at.
      const ignored = await app.fetch("/getJWT", {
        headers: { cookie: cookieHeader({ sAccessToken: access }), "x-client": "mobile" },
      });
      assert.equal(ignored.status, 401);
      assert.deepEqual(await ignored.json(), { message: "unauthorised" });

      const mobile = await signIn(app, "cookie", { "x-client": "mobile" });
      assert.deepEqual(mobile.headers.getSetCookie(), []);
      const refreshed = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { authorization: `Bearer ${mobile.headers.get("st-refresh-token")}`, "x-client": "mobile", rid: "session" },
      });
      assert.equal(refreshed.status, 200, await refreshed.clone().text());
      assert.notEqual(refreshed.headers.get("st-access-token"), mobile.headers.get("st-access-token"));
    });
    const seen = (path, forCreate) => asked.some(([p, f]) => p === path && f === forCreate);
    assert.ok(seen("/signin", true), JSON.stringify(asked));
    assert.ok(seen("/getJWT", false), JSON.stringify(asked));
    assert.ok(seen("/auth/session/refresh", false), JSON.stringify(asked));
    assert.ok(asked.every(([, , method]) => method === method.toLowerCase()));
  });

  test(`${label}: a getTokenTransferMethod answer that is no method is a typed error, not a session`, () =>
    withApp(start, { getTokenTransferMethod: () => "both" }, async (app) => {
      let res;
      try {
        res = await app.fetch("/getJWT", { headers: { authorization: "Bearer a.b.c" } });
      } catch (e) {
        // Frameworks that rethrow what is not a session error (AWS Lambda).
        assert.equal(e.type, "INVALID_INPUT", String(e));
        assert.match(e.message, /both/);
        return;
      }
      assert.equal(res.status, 500, await res.clone().text());
    }));
}

/** `override.apis` on an app `start` makes (see the top of this file): a replaced
 * `verifySession` runs for the seed's protected routes, and refresh and sign-out go through
 * `refreshPOST` and `signOutPOST` wrapping the originals (overrideApis.test.mjs has the rest). */
export async function apiOverrideChecks(start) {
  const seen = [];
  const apis = (o) => ({
    ...o,
    verifySession: async (input) => {
      seen.push(["verifySession", input.options.req.getOriginalURL().split("?")[0]]);
      return o.verifySession(input);
    },
    refreshPOST: async (input) => {
      seen.push(["refreshPOST"]);
      return o.refreshPOST(input);
    },
    signOutPOST: async (input) => {
      seen.push(["signOutPOST", input.session.getUserId()]);
      input.options.res.setHeader("x-signed-out", "yes", false);
      return o.signOutPOST(input);
    },
  });
  await withApp(start, { override: { apis } }, async (app) => {
    const first = setCookies(await signIn(app, "cookie"));
    const refreshed = await app.fetch("/auth/session/refresh", {
      method: "POST",
      headers: { cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }), rid: "session" },
    });
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    assert.deepEqual(await refreshed.json(), {});
    const second = setCookies(refreshed);
    assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
    const cookie = cookieHeader({ sAccessToken: second.sAccessToken.value });
    const jwt = await app.fetch("/getJWT", { headers: { cookie, rid: "session" } });
    assert.deepEqual(await jwt.json(), { token: second.sAccessToken.value });
    assert.deepEqual(await (await app.fetch("/optional")).json(), { hasSession: false });
    assert.equal((await app.fetch("/getJWT")).status, 401);
    const signedOut = await app.fetch("/auth/signout", { method: "POST", headers: { cookie, rid: "session" } });
    assert.equal(signedOut.status, 200);
    assert.deepEqual(await signedOut.json(), { status: "OK" });
    assert.equal(signedOut.headers.get("x-signed-out"), "yes");
    assert.equal(signedOut.headers.get("front-token"), "remove");
    assert.equal(setCookies(signedOut).sAccessToken?.value, "");
    assert.deepEqual(seen, [
      ["refreshPOST"],
      ["verifySession", "/getJWT"],
      ["verifySession", "/optional"],
      ["verifySession", "/getJWT"],
      ["signOutPOST", "user-1"],
    ]);
  });
}
