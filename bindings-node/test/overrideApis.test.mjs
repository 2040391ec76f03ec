// `Session.init({ override: { apis } })`: the SuperTokens docs' API overrides (code around
// sign-out and refresh, a disabled endpoint, a custom route verification) run unchanged on
// Express, Fastify and Koa apps, and on the integrations whose response is written later (Hapi,
// AWS Lambda, the Next.js app router). An override that returns the original implementation
// answers exactly as no override does.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import Router from "@koa/router";
import Hapi from "@hapi/hapi";
import { NextRequest } from "next/server.js";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import * as expressVerify from "tessera-session/recipe/session/framework/express";
import * as fastifyVerify from "tessera-session/recipe/session/framework/fastify";
import * as koaVerify from "tessera-session/recipe/session/framework/koa";
import * as hapiVerify from "tessera-session/recipe/session/framework/hapi";
import * as lambdaVerify from "tessera-session/recipe/session/framework/awsLambda";
import * as expressFramework from "tessera-session/framework/express";
import * as fastifyFramework from "tessera-session/framework/fastify";
import * as koaFramework from "tessera-session/framework/koa";
import * as hapiFramework from "tessera-session/framework/hapi";
import * as lambdaFramework from "tessera-session/framework/awsLambda";
import { getAppDirRequestHandler, withSession } from "tessera-session/nextjs";
import { appInfo, injected, listening, setCookies, toResponse } from "../testlib/seed.mjs";
import { cookieHeader } from "../testlib/cookies.mjs";
import { getJWT, refresh, scenario, shape, signInCookies, signOut } from "../testlib/scenario.mjs";

/** `Tessera.init` for `framework` with `override.apis` (none when undefined) and session options. */
function init(framework, apis, options = {}) {
  const override = apis === undefined ? undefined : { apis };
  Tessera.init({
    framework,
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...options, override })],
  });
}

// ---- the apps --------------------------------------------------------------------------------
// Each serves, its framework's own way: POST /signin (a session for user-1), GET /getJWT
// (verifySession() -> {token}), GET /optional (sessionRequired false -> {hasSession}), and its own
// POST /auth/signout ({app: "signout"}, reached only when Tessera leaves sign-out to the app).
// None has a refresh route of its own.

async function startExpress() {
  const { verifySession } = expressVerify;
  const app = express();
  app.use(expressFramework.middleware());
  app.post("/signin", async (req, res) => {
    await Session.createNewSession(req, res, "public", "user-1", { role: "admin" });
    res.json({ status: "OK" });
  });
  app.get("/getJWT", verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() }));
  app.get("/optional", verifySession({ sessionRequired: false }), (req, res) => res.json({ hasSession: req.session !== undefined }));
  app.post("/auth/signout", (_req, res) => res.json({ app: "signout" }));
  app.use(expressFramework.errorHandler());
  app.use((err, _req, res, _next) => res.status(500).json({ message: err.message }));
  return listening(app.listen(0));
}

async function startFastify() {
  const { verifySession } = fastifyVerify;
  const app = Fastify({ logger: false });
  await app.register(fastifyFramework.plugin);
  app.setErrorHandler(fastifyFramework.errorHandler());
  app.post("/signin", async (req, reply) => {
    await Session.createNewSession(req, reply, "public", "user-1", { role: "admin" });
    return { status: "OK" };
  });
  app.get("/getJWT", { preHandler: verifySession() }, async (req) => ({ token: req.session.getAccessToken() }));
  app.get("/optional", { preHandler: verifySession({ sessionRequired: false }) }, async (req) => ({
    hasSession: req.session !== undefined,
  }));
  app.post("/auth/signout", async () => ({ app: "signout" }));
  await app.ready();
  return { fetch: injected((o) => app.inject(o)), close: () => app.close() };
}

async function startKoa() {
  const { verifySession } = koaVerify;
  const app = new Koa();
  app.silent = true;
  app.use(koaFramework.middleware());
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
  router.post("/auth/signout", async (ctx) => {
    ctx.body = { app: "signout" };
  });
  app.use(router.routes());
  return listening(http.createServer(app.callback()).listen(0));
}

async function startHapi() {
  const { verifySession } = hapiVerify;
  const server = Hapi.server();
  await server.register(hapiFramework.plugin);
  server.route([
    {
      method: "POST",
      path: "/signin",
      handler: async (request, h) => {
        await Session.createNewSession(request, h, "public", "user-1", { role: "admin" });
        return { status: "OK" };
      },
    },
    {
      method: "GET",
      path: "/getJWT",
      options: { pre: [{ method: verifySession() }] },
      handler: (request) => ({ token: request.session.getAccessToken() }),
    },
    {
      method: "GET",
      path: "/optional",
      options: { pre: [{ method: verifySession({ sessionRequired: false }) }] },
      handler: (request) => ({ hasSession: request.session !== undefined }),
    },
    { method: "POST", path: "/auth/signout", handler: () => ({ app: "signout" }) },
  ]);
  await server.initialize();
  return { fetch: injected((o) => server.inject(o)), close: () => server.stop() };
}

/** A v2 (HTTP API) event, lowercase headers, cookies in `event.cookies`. */
function lambdaEvent(method, path, headers = {}) {
  const { cookie, ...rest } = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = cookie === undefined ? undefined : cookie.split(";").map((c) => c.trim());
  return {
    version: "2.0",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "example.com", ...rest },
    ...(cookies === undefined ? {} : { cookies }),
    requestContext: { stage: "$default", http: { method, path } },
  };
}

function startLambda() {
  const { verifySession } = lambdaVerify;
  const json = (body) => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const routes = {
    "/getJWT": verifySession(async (event) => json({ token: event.session.getAccessToken() })),
    "/optional": verifySession(async (event) => json({ hasSession: event.session !== undefined }), { sessionRequired: false }),
  };
  const api = lambdaFramework.middleware(async (event) => {
    const path = event.requestContext.http.path;
    if (path === "/auth/signout") return json({ app: "signout" });
    if (path !== "/signin") return { statusCode: 404, body: "" };
    await Session.createNewSession(event, event, "public", "user-1", { role: "admin" });
    return json({ status: "OK" });
  });
  return {
    async fetch(path, init = {}) {
      const event = lambdaEvent(init.method ?? "GET", path, init.headers);
      const result = await (routes[path] ?? api)(event, {});
      const headers = { ...result.headers };
      if (result.cookies) headers["set-cookie"] = result.cookies;
      return toResponse(result.statusCode, headers, result.body);
    },
    close: async () => {},
  };
}

/** The Next.js app router: `app/api/auth/[...path]/route.js` is `getAppDirRequestHandler()` (no
 * app route of its own under /auth: a request it leaves gets its 404), the rest `withSession`. */
function startNext() {
  const handleAuth = getAppDirRequestHandler();
  const json = (body) => Response.json(body);
  const routes = {
    "/getJWT": (req) => withSession(req, async (_err, session) => json({ token: session.getAccessToken() })),
  };
  return {
    async fetch(path, init = {}) {
      const request = new NextRequest(new URL(path, appInfo.apiDomain), init);
      if (path.startsWith("/auth/")) return handleAuth(request);
      if (routes[path]) return routes[path](request);
      if (path !== "/signin") return new Response("", { status: 404 });
      // Sign-in through the Express-free path: the tokens in headers, set by hand.
      const session = await Session.createNewSessionWithoutRequestResponse("public", "user-1", { role: "admin" });
      const tokens = session.getAllSessionTokensDangerously();
      return Response.json(
        { status: "OK" },
        { headers: { "st-access-token": tokens.accessToken, "st-refresh-token": tokens.refreshToken, "front-token": tokens.frontToken } },
      );
    },
    close: async () => {},
  };
}

/** The apps the whole suite runs on, by framework name. */
const MAIN = { express: startExpress, fastify: startFastify, koa: startKoa };

async function withApp(framework, start, apis, body, options) {
  init(framework, apis, options);
  const app = await start();
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

const original = (o) => o;

// ---- the suite, per framework ------------------------------------------------------------------

for (const [framework, start] of Object.entries(MAIN)) {
  test(`${framework}: override.apis returning the original answers refresh and sign-out exactly as without it`, async () => {
    let without;
    await withApp(framework, start, undefined, async (app) => {
      without = await scenario(app);
    });
    assert.equal(without.refreshed.status, 200);
    assert.equal(without.signedOut.status, 200);
    assert.equal(without.unauthorised.status, 401);
    for (const apis of [original, (o) => ({ ...o })]) {
      await withApp(framework, start, apis, async (app) => {
        assert.deepEqual(await scenario(app), without);
      });
    }
    // Also with error handlers, which take another path through the core's endpoints.
    const errorHandlers = { onTokenTheftDetected: async () => {} };
    await withApp(framework, start, undefined, async (app) => {
      without = await scenario(app);
    }, { errorHandlers });
    await withApp(framework, start, original, async (app) => {
      assert.deepEqual(await scenario(app), without);
    }, { errorHandlers });
  });

  test(`${framework}: a signOutPOST override runs its code, then the original: 200 OK, cookies cleared, front-token: remove`, async () => {
    const seen = [];
    const apis = (originalImplementation) => ({
      ...originalImplementation,
      signOutPOST: async function (input) {
        seen.push({
          userId: input.session.getUserId(),
          recipeId: input.options.recipeId,
          method: input.options.req.getMethod(),
          sameRequest: input.userContext._default.request === input.options.req,
          serverless: input.options.isInServerlessEnv,
          config: input.options.config,
          hasRecipeImplementation: typeof input.options.recipeImplementation.createNewSession === "function",
        });
        input.options.res.setHeader("x-signed-out", "yes", false);
        return originalImplementation.signOutPOST(input);
      },
    });
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      const res = await signOut(app, cookies);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "OK" });
      assert.equal(res.headers.get("front-token"), "remove");
      assert.equal(res.headers.get("x-signed-out"), "yes");
      const cleared = setCookies(res);
      assert.equal(cleared.sAccessToken?.value, "");
      assert.equal(cleared.sRefreshToken?.value, "");
      assert.match(cleared.sAccessToken.header, /Expires=Thu, 01 Jan 1970/);
      assert.deepEqual(seen, [
        {
          userId: "user-1",
          recipeId: "session",
          method: "post",
          sameRequest: true,
          serverless: false,
          config: { exposeAccessTokenToFrontendInCookieBasedAuth: true },
          hasRecipeImplementation: true,
        },
      ]);
      assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);
    });
  });

  test(`${framework}: a signOutPOST returning GENERAL_ERROR answers 200 with it and keeps the session`, async () => {
    let called = 0;
    const apis = (o) => ({
      ...o,
      signOutPOST: async () => {
        called += 1;
        return { status: "GENERAL_ERROR", message: "sign-out is closed today" };
      },
    });
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      const res = await signOut(app, cookies);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "GENERAL_ERROR", message: "sign-out is closed today" });
      assert.deepEqual(res.headers.getSetCookie(), []);
      assert.equal(res.headers.get("front-token"), null);
      assert.equal(called, 1);
      assert.equal((await Session.getAllSessionHandlesForUser("user-1")).length, 1);
      assert.equal((await refresh(app, cookies)).status, 200, "the session still refreshes");
    });
  });

  test(`${framework}: signOutPOST undefined leaves /auth/signout to the app's own route`, async () => {
    await withApp(framework, start, (o) => ({ ...o, signOutPOST: undefined }), async (app) => {
      const cookies = await signInCookies(app);
      const res = await signOut(app, cookies);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { app: "signout" });
      assert.deepEqual(res.headers.getSetCookie(), []);
      assert.equal((await Session.getAllSessionHandlesForUser("user-1")).length, 1);
      // Refresh is still Tessera's.
      assert.equal((await refresh(app, cookies)).status, 200);
    });
  });

  test(`${framework}: a refreshPOST override wrapping the original rotates the tokens`, async () => {
    const seen = [];
    const apis = (o) => ({
      ...o,
      refreshPOST: async function (input) {
        seen.push("before");
        const session = await o.refreshPOST(input);
        seen.push(session.getUserId());
        return session;
      },
    });
    await withApp(framework, start, apis, async (app) => {
      const first = await signInCookies(app);
      const res = await refresh(app, first);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), {});
      const second = setCookies(res);
      assert.ok(second.sAccessToken?.value && second.sRefreshToken?.value);
      assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);
      assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
      assert.ok(res.headers.get("front-token"));
      assert.equal(res.headers.get("st-access-token"), second.sAccessToken.value);
      assert.deepEqual(seen, ["before", "user-1"]);
      const route = await getJWT(app, second);
      assert.deepEqual(await route.json(), { token: second.sAccessToken.value });
    });
  });

  test(`${framework}: refreshPOST undefined leaves /auth/session/refresh to the app (404 here)`, async () => {
    await withApp(framework, start, (o) => ({ ...o, refreshPOST: undefined }), async (app) => {
      const cookies = await signInCookies(app);
      const res = await refresh(app, cookies);
      assert.equal(res.status, 404);
      assert.deepEqual(res.headers.getSetCookie(), []);
      // Sign-out, the JWKS and the OpenID discovery document are still Tessera's.
      assert.equal((await app.fetch("/auth/jwt/jwks.json")).status, 200);
      const openid = await app.fetch("/auth/.well-known/openid-configuration");
      assert.equal(openid.status, 200);
      assert.match((await openid.json()).jwks_uri, /\/auth\/jwt\/jwks\.json$/);
      assert.deepEqual(await (await signOut(app, cookies)).json(), { status: "OK" });
    });
  });

  test(`${framework}: session errors in the API path are answered as elsewhere`, async () => {
    let called = 0;
    const apis = (o) => ({
      ...o,
      signOutPOST: async (input) => {
        called += 1;
        if (input.options.req.getHeaderValue("x-refuse")) {
          throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "refused by the app" });
        }
        return o.signOutPOST(input);
      },
      refreshPOST: async (input) => o.refreshPOST(input),
    });
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      // Thrown by the override: 401 with the tokens cleared.
      const refused = await signOut(app, cookies, { "x-refuse": "1" });
      assert.equal(refused.status, 401);
      assert.deepEqual(await refused.json(), { message: "unauthorised" });
      assert.equal(setCookies(refused).sAccessToken?.value, "");
      assert.equal(refused.headers.get("front-token"), "remove");
      assert.equal(called, 1);
      // No session: the verification before signOutPOST answers, which is not called.
      const none = await app.fetch("/auth/signout", { method: "POST", headers: { rid: "session" } });
      assert.equal(none.status, 401);
      assert.deepEqual(await none.json(), { message: "unauthorised" });
      const garbage = await signOut(app, { sAccessToken: { value: "garbage" } });
      assert.equal(garbage.status, 401);
      assert.equal(called, 1);
      // From the original refreshPOST: a refresh without a token.
      const noToken = await app.fetch("/auth/session/refresh", { method: "POST", headers: { rid: "session" } });
      assert.equal(noToken.status, 401);
      assert.deepEqual(await noToken.json(), { message: "unauthorised" });
    });
  });

  test(`${framework}: a verifySession override runs for protected routes and may return the original's session`, async () => {
    const seen = [];
    const apis = (o) => ({
      ...o,
      verifySession: async (input) => {
        seen.push([input.options.req.getOriginalURL(), input.verifySessionOptions?.sessionRequired]);
        if (input.options.req.getHeaderValue("x-deny")) {
          throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "denied", payload: { clearTokens: false } });
        }
        return o.verifySession(input);
      },
    });
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      const ok = await getJWT(app, cookies);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { token: cookies.sAccessToken.value });
      const optional = await app.fetch("/optional");
      assert.deepEqual(await optional.json(), { hasSession: false });
      const noSession = await app.fetch("/getJWT");
      assert.equal(noSession.status, 401);
      const denied = await app.fetch("/getJWT", {
        headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), "x-deny": "1" },
      });
      assert.equal(denied.status, 401);
      assert.deepEqual(await denied.json(), { message: "unauthorised" });
      assert.deepEqual(denied.headers.getSetCookie(), [], "clearTokens: false");
      assert.deepEqual(seen, [
        ["/getJWT", undefined],
        ["/optional", false],
        ["/getJWT", undefined],
        ["/getJWT", undefined],
      ]);
      // Sign-out verifies its session itself, not through verifySession (as supertokens-node).
      assert.equal((await signOut(app, cookies)).status, 200);
      assert.equal(seen.length, 4);
    });
  });
}

// ---- what only Express shows -------------------------------------------------------------------

test("express: API errors reach the app's errorHandlers; options.res may answer itself", async () => {
  const errorHandlers = {
    onUnauthorised: async (message, _req, res) => {
      res.setStatusCode(419);
      res.sendJSONResponse({ custom: message });
    },
  };
  const apis = (o) => ({
    ...o,
    signOutPOST: async (input) => {
      if (input.options.req.getHeaderValue("x-own-answer")) {
        await o.signOutPOST(input);
        input.options.res.setCookie("app", "v", undefined, false, true, Date.now() + 60_000, "/", "lax");
        input.options.res.setStatusCode(202);
        input.options.res.sendJSONResponse({ signedOut: "my way" });
        return { status: "OK" };
      }
      throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "no sign-out" });
    },
  });
  await withApp("express", startExpress, apis, async (app) => {
    const cookies = await signInCookies(app);
    const handled = await signOut(app, cookies);
    assert.equal(handled.status, 419);
    assert.deepEqual(await handled.json(), { custom: "no sign-out" });
    assert.equal(setCookies(handled).sAccessToken?.value, "", "the tokens are cleared before the handler runs");

    const again = await signInCookies(app);
    const own = await signOut(app, again, { "x-own-answer": "1" });
    assert.equal(own.status, 202);
    assert.deepEqual(await own.json(), { signedOut: "my way" });
    const set = setCookies(own);
    assert.equal(set.sAccessToken?.value, "");
    assert.equal(set.app?.value, "v");
    assert.equal(own.headers.get("front-token"), "remove");
  }, { errorHandlers });
});

test("express: an error that is not Tessera's goes to the app's error middleware", async () => {
  const apis = (o) => ({
    ...o,
    refreshPOST: async () => {
      throw new Error("refresh is down");
    },
  });
  await withApp("express", startExpress, apis, async (app) => {
    const res = await refresh(app, await signInCookies(app));
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { message: "refresh is down" });
  });
});

// ---- the integrations whose response is written later --------------------------------------------

for (const [framework, start] of Object.entries({ hapi: startHapi, awsLambda: startLambda })) {
  test(`${framework}: override.apis: the original's answers, a signOutPOST with code around it, disabled endpoints, verifySession`, async () => {
    let without;
    await withApp(framework, start, undefined, async (app) => {
      without = await scenario(app);
    });
    await withApp(framework, start, original, async (app) => {
      assert.deepEqual(await scenario(app), without);
    });

    const seen = [];
    const apis = (o) => ({
      ...o,
      signOutPOST: async (input) => {
        input.options.res.setHeader("x-signed-out", "yes", false);
        return o.signOutPOST(input);
      },
      refreshPOST: undefined,
      verifySession: async (input) => {
        seen.push(input.options.req.getOriginalURL());
        return o.verifySession(input);
      },
    });
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      assert.equal((await getJWT(app, cookies)).status, 200);
      assert.deepEqual(seen, ["/getJWT"]);
      assert.equal((await refresh(app, cookies)).status, 404);
      const res = await signOut(app, cookies);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "OK" });
      assert.equal(res.headers.get("x-signed-out"), "yes");
      assert.equal(res.headers.get("front-token"), "remove");
      assert.equal(setCookies(res).sAccessToken?.value, "");
    });
    await withApp(framework, start, (o) => ({ ...o, signOutPOST: undefined }), async (app) => {
      const res = await signOut(app, await signInCookies(app));
      assert.deepEqual(await res.json(), { app: "signout" });
    });
  });
}

test("nextjs app router: override.apis serves sign-out through signOutPOST; a disabled endpoint gets the 404", async () => {
  const headerSession = async (app) => {
    const res = await app.fetch("/signin", { method: "POST" });
    return { access: res.headers.get("st-access-token"), refreshToken: res.headers.get("st-refresh-token") };
  };
  const answers = async (app) => {
    const s = await headerSession(app);
    const refreshed = await app.fetch("/auth/session/refresh", {
      method: "POST",
      headers: { authorization: `Bearer ${s.refreshToken}`, "st-auth-mode": "header", rid: "session" },
    });
    const access = refreshed.headers.get("st-access-token");
    const signedOut = await app.fetch("/auth/signout", {
      method: "POST",
      headers: { authorization: `Bearer ${access}`, "st-auth-mode": "header", rid: "session" },
    });
    return { refreshed: await shape(refreshed), signedOut: await shape(signedOut) };
  };
  let without;
  await withApp("custom", startNext, undefined, async (app) => {
    without = await answers(app);
  });
  assert.equal(without.signedOut.status, 200);
  await withApp("custom", startNext, original, async (app) => {
    assert.deepEqual(await answers(app), without);
  });

  const apis = (o) => ({
    ...o,
    signOutPOST: async (input) => {
      input.options.res.setHeader("x-signed-out", "yes", false);
      return o.signOutPOST(input);
    },
    refreshPOST: undefined,
  });
  await withApp("custom", startNext, apis, async (app) => {
    const s = await headerSession(app);
    const refreshed = await app.fetch("/auth/session/refresh", {
      method: "POST",
      headers: { authorization: `Bearer ${s.refreshToken}`, rid: "session" },
    });
    assert.equal(refreshed.status, 404);
    const res = await app.fetch("/auth/signout", { method: "POST", headers: { authorization: `Bearer ${s.access}`, rid: "session" } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "OK" });
    assert.equal(res.headers.get("x-signed-out"), "yes");
    assert.equal(res.headers.get("front-token"), "remove");
    assert.equal(res.headers.get("st-access-token"), "");
  });
});

// ---- init ----------------------------------------------------------------------------------------

test("override.apis: the original has refreshPOST, signOutPOST and verifySession; apis is called once; wrong values are refused", () => {
  let given;
  let calls = 0;
  const recipe = Session.init({
    override: {
      apis: (o) => {
        calls += 1;
        given = o;
        return o;
      },
    },
  });
  assert.equal(calls, 1);
  assert.deepEqual(Object.keys(given).sort(), ["refreshPOST", "signOutPOST", "verifySession"]);
  for (const name of Object.keys(given)) assert.equal(typeof given[name], "function", name);
  Tessera.init({ supertokens: { connectionURI: "sqlite::memory:" }, appInfo, recipeList: [recipe] });
  assert.equal(calls, 1);
  assert.equal(Session.init({ override: { functions: (o) => o } }).apis, undefined);
  assert.equal(Session.init({}).apis, undefined);

  const invalid = (name) => (e) => {
    assert.ok(e instanceof Tessera.Error, String(e));
    assert.equal(e.type, "INVALID_CONFIG");
    assert.match(e.message, new RegExp(name));
    return true;
  };
  assert.throws(() => Session.init({ override: { apis: "nope" } }), invalid("override.apis must be a function"));
  assert.throws(() => Session.init({ override: { apis: () => undefined } }), invalid("must return the API implementation"));
  assert.throws(() => Session.init({ override: { apis: (o) => ({ ...o, refreshPOST: 1 }) } }), invalid("refreshPOST"));
  assert.throws(() => Session.init({ override: { apis: (o) => ({ ...o, signOutPOST: null }) } }), invalid("signOutPOST"));
  assert.throws(() => Session.init({ override: { apis: (o) => ({ ...o, verifySession: undefined }) } }), invalid("verifySession"));
  // Without override.apis, the endpoints go through the default API functions once
  // override.functions replaced a function they call (anything but createNewSession).
  const served = Session.init({ override: { functions: (o) => ({ ...o, revokeSession: async () => true }) } }).apis;
  assert.deepEqual(Object.keys(served.implementation).sort(), ["refreshPOST", "signOutPOST", "verifySession"]);
  assert.equal(served.verifySessionReplaced, false);
  assert.equal(Session.init({ override: { functions: (o) => ({ ...o, createNewSession: async () => undefined }) } }).apis, undefined);
});

test("override.apis: options.recipeImplementation is what override.functions built", async () => {
  let seenImplementation;
  let built;
  Tessera.init({
    framework: "express",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [
      Session.init({
        override: {
          functions: (o) => (built = { ...o, createNewSession: (input) => o.createNewSession(input) }),
          apis: (o) => ({
            ...o,
            signOutPOST: async (input) => {
              seenImplementation = input.options.recipeImplementation;
              return o.signOutPOST(input);
            },
          }),
        },
      }),
    ],
  });
  const app = await startExpress();
  try {
    const res = await signOut(app, await signInCookies(app));
    assert.equal(res.status, 200);
    assert.equal(seenImplementation, built);
  } finally {
    await app.close();
  }
});

// ---- supertokens-node's "test revoking a session during refresh ..." ---------------------------

for (const [framework, start] of Object.entries(MAIN)) {
  /** Refreshes through a refreshPOST that is `refreshPOST(original, input)`. */
  async function refreshWith(refreshPOST, check) {
    const apis = (o) => {
      const original = o.refreshPOST;
      return { ...o, refreshPOST: (input) => refreshPOST(original, input) };
    };
    await withApp(framework, start, apis, async (app) => {
      const cookies = await signInCookies(app);
      const res = await refresh(app, cookies);
      await check(res);
    });
  }
  const cleared = (res) => {
    const cookies = setCookies(res);
    assert.equal(cookies.sAccessToken.value, "");
    assert.equal(cookies.sRefreshToken.value, "");
    assert.equal(res.headers.get("front-token"), "remove");
  };

  test(`${framework}: revoking a session during refresh with revokeSession answers 200 with the tokens cleared`, async () => {
    await refreshWith(async (original, input) => {
      const session = await original(input);
      await session.revokeSession();
      return session;
    }, async (res) => {
      assert.equal(res.status, 200);
      cleared(res);
    });
  });

  test(`${framework}: revoking a session during refresh and sending 401 answers the app's 401`, async () => {
    await refreshWith(async (original, input) => {
      const session = await original(input);
      await session.revokeSession();
      input.options.res.setStatusCode(401);
      input.options.res.sendJSONResponse({});
      return session;
    }, async (res) => {
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), {});
      cleared(res);
    });
  });

  test(`${framework}: sending 401 during refresh without revoking keeps the new tokens`, async () => {
    await refreshWith(async (original, input) => {
      const session = await original(input);
      input.options.res.setStatusCode(401);
      input.options.res.sendJSONResponse({});
      return session;
    }, async (res) => {
      assert.equal(res.status, 401);
      const cookies = setCookies(res);
      assert.notEqual(cookies.sAccessToken.value, "");
      assert.notEqual(cookies.sRefreshToken.value, "");
      assert.notEqual(res.headers.get("front-token"), "remove");
    });
  });
}
