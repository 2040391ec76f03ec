// `Session.init({ errorHandlers })`, as supertokens-node has it: the app's handlers answer the
// session errors of verifySession, of the core's endpoints (refresh, sign-out) and of routes,
// after the protocol's prelude (cleared tokens) is on the response. Real Express, Fastify, Koa
// and Hapi apps on ephemeral ports driven with fetch; Next.js app-router handlers called directly
// with real NextRequest objects, as Next.js calls them.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import Router from "@koa/router";
import Hapi from "@hapi/hapi";
import { NextRequest, NextResponse } from "next/server.js";
import Tessera from "tessera-session";
import Session, { RecipeUserId } from "tessera-session/recipe/session";
import * as expressSession from "tessera-session/recipe/session/framework/express";
import * as expressFramework from "tessera-session/framework/express";
import * as fastifySession from "tessera-session/recipe/session/framework/fastify";
import * as fastifyFramework from "tessera-session/framework/fastify";
import * as koaSession from "tessera-session/recipe/session/framework/koa";
import * as koaFramework from "tessera-session/framework/koa";
import * as hapiSession from "tessera-session/recipe/session/framework/hapi";
import * as hapiFramework from "tessera-session/framework/hapi";
import { withSession, withPreParsedRequestResponse, getAppDirRequestHandler } from "tessera-session/nextjs";
import { appInfo, initTessera, listening, setCookies } from "../testlib/seed.mjs";
import { cookieHeader } from "../testlib/cookies.mjs";

/** Handlers recording their arguments in `calls`, each answering with its own status and body. */
function recordingHandlers(calls) {
  const reading = (request) => ({
    method: request.getMethod(),
    url: request.getOriginalURL(),
    probe: request.getHeaderValue("X-Probe"),
    cookie: request.getCookieValue("sAccessToken"),
    hasOriginal: request.original !== undefined,
  });
  return {
    onUnauthorised: async (message, request, response, userContext) => {
      calls.push({ name: "onUnauthorised", message, request: reading(request), userContext });
      response.setStatusCode(401);
      response.sendJSONResponse({ message: "custom unauthorised" });
    },
    onTryRefreshToken: async (message, request, response, userContext) => {
      calls.push({ name: "onTryRefreshToken", message, request: reading(request), userContext });
      response.setStatusCode(401);
      response.sendJSONResponse({ message: "custom try refresh" });
    },
    onTokenTheftDetected: async (sessionHandle, userId, recipeUserId, request, response, userContext) => {
      calls.push({ name: "onTokenTheftDetected", sessionHandle, userId, recipeUserId, request: reading(request), userContext });
      response.setStatusCode(403);
      response.sendJSONResponse({ message: "custom theft" });
    },
    onInvalidClaim: async (validationErrors, request, response, userContext) => {
      calls.push({ name: "onInvalidClaim", validationErrors, request: reading(request), userContext });
      response.setStatusCode(403);
      response.sendJSONResponse({ message: "custom invalid claim" });
    },
    onClearDuplicateSessionCookies: async (message, request, response, userContext) => {
      calls.push({ name: "onClearDuplicateSessionCookies", message, request: reading(request), userContext });
      response.setStatusCode(200);
      response.sendJSONResponse({ message: "custom duplicate" });
    },
  };
}

/** The errors the scenario's routes throw, by path. */
const THROWN = {
  "/throw/unauthorised": () => new Session.Error({ type: Session.Error.UNAUTHORISED, message: "from route" }),
  "/throw/claims": () => new Session.Error({ type: Session.Error.INVALID_CLAIMS, message: "claims", payload: [{ id: "c", reason: "r" }] }),
  "/throw/duplicate": () => new Session.Error({ type: Session.Error.CLEAR_DUPLICATE_SESSION_COOKIES, message: "dup" }),
  "/throw/html": () => new Session.Error({ type: Session.Error.UNAUTHORISED, message: "html", payload: { clearTokens: false } }),
};

// Each app serves POST /signin (-> {handle}), GET /getJWT (verifySession), the routes of
// THROWN, and the core's endpoints under /auth.

async function startExpress(sessionOptions) {
  initTessera("express", sessionOptions);
  const app = express();
  app.use(expressFramework.middleware());
  app.post("/signin", async (req, res) => {
    const session = await Session.createNewSession(req, res, "public", "user-1");
    res.json({ handle: session.getHandle() });
  });
  app.get("/getJWT", expressSession.verifySession(), (req, res) => res.json({ token: req.session.getAccessToken() }));
  for (const [path, error] of Object.entries(THROWN)) {
    app.get(path, async () => {
      throw error();
    });
  }
  app.use(expressFramework.errorHandler());
  app.use((err, _req, res, _next) => res.status(500).json({ passedOn: String(err?.message ?? err) }));
  return listening(app.listen(0));
}

async function startFastify(sessionOptions) {
  initTessera("fastify", sessionOptions);
  const app = Fastify({ logger: false });
  await app.register(fastifyFramework.plugin);
  app.setErrorHandler(fastifyFramework.errorHandler());
  app.post("/signin", async (req, reply) => {
    const session = await Session.createNewSession(req, reply, "public", "user-1");
    return { handle: session.getHandle() };
  });
  app.get("/getJWT", { preHandler: fastifySession.verifySession() }, async (req) => ({ token: req.session.getAccessToken() }));
  for (const [path, error] of Object.entries(THROWN)) {
    app.get(path, async () => {
      throw error();
    });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { ...(await listening(app.server)), close: () => app.close() };
}

async function startKoa(sessionOptions) {
  initTessera("koa", sessionOptions);
  const app = new Koa();
  app.silent = true;
  app.use(koaFramework.middleware());
  const router = new Router();
  router.post("/signin", async (ctx) => {
    const session = await Session.createNewSession(ctx, ctx, "public", "user-1");
    ctx.body = { handle: session.getHandle() };
  });
  router.get("/getJWT", koaSession.verifySession(), async (ctx) => {
    ctx.body = { token: ctx.session.getAccessToken() };
  });
  for (const [path, error] of Object.entries(THROWN)) {
    router.get(path, async () => {
      throw error();
    });
  }
  app.use(router.routes());
  return listening(http.createServer(app.callback()).listen(0));
}

async function startHapi(sessionOptions) {
  initTessera("hapi", sessionOptions);
  const server = Hapi.server({ port: 0, host: "127.0.0.1" });
  await server.register(hapiFramework.plugin);
  server.route({
    method: "POST",
    path: "/signin",
    handler: async (request, h) => ({ handle: (await Session.createNewSession(request, h, "public", "user-1")).getHandle() }),
  });
  server.route({
    method: "GET",
    path: "/getJWT",
    options: { pre: [{ method: hapiSession.verifySession() }] },
    handler: (request) => ({ token: request.session.getAccessToken() }),
  });
  for (const [path, error] of Object.entries(THROWN)) {
    server.route({
      method: "GET",
      path,
      handler: async () => {
        throw error();
      },
    });
  }
  await server.start();
  return { fetch: (path, init) => fetch(server.info.uri + path, init), close: () => server.stop() };
}

/** The Next.js app router: `app/auth/[...path]/route` and one route handler per path. */
async function startNext(sessionOptions) {
  initTessera("express", sessionOptions);
  const handleAuth = getAppDirRequestHandler();
  const routes = {
    "/signin": (request) =>
      withPreParsedRequestResponse(request, async (baseRequest, baseResponse) => {
        const session = await Session.createNewSession(baseRequest, baseResponse, "public", "user-1");
        return NextResponse.json({ handle: session.getHandle() });
      }),
    "/getJWT": (request) =>
      withSession(request, async (err, session) => {
        if (err) return NextResponse.json({ err: String(err) }, { status: 500 });
        return NextResponse.json({ token: session.getAccessToken() });
      }),
  };
  for (const [path, error] of Object.entries(THROWN)) {
    routes[path] = (request) =>
      withSession(request, async () => {
        throw error();
      }, { sessionRequired: false });
  }
  const fetchRoute = async (path, init = {}) => {
    const request = new NextRequest(new URL(path, appInfo.apiDomain), init);
    const pathname = request.nextUrl.pathname;
    if (pathname.startsWith("/auth/")) return handleAuth(request);
    return routes[pathname](request);
  };
  return { fetch: fetchRoute, close: async () => {} };
}

const FRAMEWORKS = { express: startExpress, fastify: startFastify, koa: startKoa, hapi: startHapi, "next.js app router": startNext };

/** A token whose signature does not verify: the protocol says "try refresh token". */
function tampered(token) {
  return token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
}

/** Signs in with cookies; the response's body is `{handle}`. */
async function signIn(app) {
  const res = await app.fetch("/signin", { method: "POST", headers: { "st-auth-mode": "cookie", rid: "session" } });
  assert.equal(res.status, 200, await res.clone().text());
  return res;
}

async function withApp(start, sessionOptions, body) {
  const app = await start(sessionOptions);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

const noCookieCleared = (res) => {
  assert.deepEqual(res.headers.getSetCookie(), []);
  assert.equal(res.headers.get("front-token"), null);
};

const tokensCleared = (res) => {
  const cookies = setCookies(res);
  assert.equal(cookies.sAccessToken?.value, "", res.headers.getSetCookie().join(" | "));
  assert.equal(cookies.sRefreshToken?.value, "");
  assert.equal(res.headers.get("front-token"), "remove");
};

for (const [label, start] of Object.entries(FRAMEWORKS)) {
  test(`errorHandlers (${label}): verifySession, route and endpoint errors reach the app's handlers, after the prelude`, () => {
    const calls = [];
    return withApp(start, { errorHandlers: recordingHandlers(calls), refreshTokenRotationGracePeriod: 0 }, async (app) => {
      const signedIn = await signIn(app);
      const { handle } = await signedIn.json();
      const first = setCookies(signedIn);

      // verifySession without a session: onUnauthorised, and nothing to clear.
      const none = await app.fetch("/getJWT", { headers: { rid: "session", "x-probe": "p" } });
      assert.equal(none.status, 401);
      assert.deepEqual(await none.json(), { message: "custom unauthorised" });
      noCookieCleared(none);
      const [unauthorised] = calls.splice(0);
      assert.equal(unauthorised.name, "onUnauthorised");
      assert.equal(typeof unauthorised.message, "string");
      assert.deepEqual(unauthorised.request, { method: "get", url: unauthorised.request.url, probe: "p", cookie: undefined, hasOriginal: true });
      assert.match(unauthorised.request.url, /\/getJWT$/);
      assert.equal(typeof unauthorised.userContext, "object");

      // A token that does not verify: onTryRefreshToken, and the tokens stay.
      const bad = tampered(first.sAccessToken.value);
      const retry = await app.fetch("/getJWT", { headers: { rid: "session", cookie: cookieHeader({ sAccessToken: bad }) } });
      assert.equal(retry.status, 401);
      assert.deepEqual(await retry.json(), { message: "custom try refresh" });
      noCookieCleared(retry);
      const [tryRefresh] = calls.splice(0);
      assert.equal(tryRefresh.name, "onTryRefreshToken");
      assert.equal(tryRefresh.request.cookie, bad);

      // A route's UNAUTHORISED (clearTokens by default): the prelude clears the tokens.
      const thrown = await app.fetch("/throw/unauthorised", { headers: { rid: "session" } });
      assert.equal(thrown.status, 401);
      assert.deepEqual(await thrown.json(), { message: "custom unauthorised" });
      tokensCleared(thrown);
      assert.equal(calls.splice(0)[0].message, "from route");

      const claims = await app.fetch("/throw/claims");
      assert.equal(claims.status, 403);
      assert.deepEqual(await claims.json(), { message: "custom invalid claim" });
      assert.deepEqual(calls.splice(0)[0].validationErrors, [{ id: "c", reason: "r" }]);

      const duplicate = await app.fetch("/throw/duplicate");
      assert.equal(duplicate.status, 200);
      assert.deepEqual(await duplicate.json(), { message: "custom duplicate" });
      assert.deepEqual(calls.splice(0).map((c) => [c.name, c.message]), [["onClearDuplicateSessionCookies", "dup"]]);

      // The refresh endpoint without a refresh token: onUnauthorised.
      const missing = await app.fetch("/auth/session/refresh", { method: "POST", headers: { rid: "session" } });
      assert.equal(missing.status, 401);
      assert.deepEqual(await missing.json(), { message: "custom unauthorised" });
      assert.equal(calls.splice(0)[0].request.method, "post");

      // Sign-out without a session: onUnauthorised.
      const signOut = await app.fetch("/auth/signout", { method: "POST", headers: { rid: "session" } });
      assert.equal(signOut.status, 401);
      assert.deepEqual(await signOut.json(), { message: "custom unauthorised" });
      calls.splice(0);

      // A refresh token used again after its rotation: onTokenTheftDetected, tokens cleared.
      const refreshed = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { rid: "session", cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }) },
      });
      assert.equal(refreshed.status, 200, await refreshed.clone().text());
      assert.deepEqual(calls, []);
      await new Promise((r) => setTimeout(r, 20));
      const reuse = await app.fetch("/auth/session/refresh", {
        method: "POST",
        headers: { rid: "session", cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }) },
      });
      assert.equal(reuse.status, 403);
      assert.deepEqual(await reuse.json(), { message: "custom theft" });
      tokensCleared(reuse);
      const [theft] = calls.splice(0);
      assert.equal(theft.name, "onTokenTheftDetected");
      assert.equal(theft.sessionHandle, handle);
      assert.equal(theft.userId, "user-1");
      assert.ok(theft.recipeUserId instanceof RecipeUserId);
      assert.equal(theft.recipeUserId.getAsString(), "user-1");
      assert.match(theft.request.url, /\/auth\/session\/refresh$/);
      // The session is revoked whatever answered the theft.
      assert.equal(await Session.getSessionInformation(handle), undefined);
    });
  });

  test(`errorHandlers (${label}): an error without a handler keeps the protocol's answer`, () => {
    const calls = [];
    const { onUnauthorised } = recordingHandlers(calls);
    return withApp(start, { errorHandlers: { onUnauthorised }, refreshTokenRotationGracePeriod: 0 }, async (app) => {
      const first = setCookies(await signIn(app));
      const retry = await app.fetch("/getJWT", {
        headers: { rid: "session", cookie: cookieHeader({ sAccessToken: tampered(first.sAccessToken.value) }) },
      });
      assert.equal(retry.status, 401);
      assert.deepEqual(await retry.json(), { message: "try refresh token" });
      assert.match(retry.headers.get("content-type") ?? "", /application\/json/);

      const headers = { rid: "session", cookie: cookieHeader({ sRefreshToken: first.sRefreshToken.value }) };
      assert.equal((await app.fetch("/auth/session/refresh", { method: "POST", headers })).status, 200);
      await new Promise((r) => setTimeout(r, 20));
      const reuse = await app.fetch("/auth/session/refresh", { method: "POST", headers });
      assert.equal(reuse.status, 401);
      assert.deepEqual(await reuse.json(), { message: "token theft detected" });
      tokensCleared(reuse);
      assert.deepEqual(calls, []);

      const none = await app.fetch("/getJWT", { headers: { rid: "session" } });
      assert.deepEqual(await none.json(), { message: "custom unauthorised" });
      assert.equal(calls.length, 1);
    });
  });

  test(`errorHandlers (${label}): the handler's response writes HTML, headers and cookies`, () => {
    const handlers = {
      onUnauthorised: async (_message, _request, response) => {
        response.setHeader("x-one", "a", false);
        response.setHeader("x-list", "a", true);
        response.setHeader("x-list", "b", true);
        response.setHeader("x-gone", "a", false);
        response.removeHeader("x-gone");
        response.setCookie("custom", "v w", undefined, false, true, Date.now() + 60_000, "/", "lax");
        response.setStatusCode(418);
        response.sendHTMLResponse("<p>no</p>");
      },
    };
    return withApp(start, { errorHandlers: handlers }, async (app) => {
      const res = await app.fetch("/throw/html");
      assert.equal(res.status, 418);
      assert.equal(await res.text(), "<p>no</p>");
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(res.headers.get("x-one"), "a");
      assert.equal(res.headers.get("x-list"), "a, b");
      assert.equal(res.headers.get("x-gone"), null);
      const custom = setCookies(res).custom;
      assert.equal(custom?.value, "v%20w");
      assert.match(custom.header, /Path=\//);
      assert.match(custom.header, /HttpOnly/);
      assert.match(custom.header, /SameSite=Lax/);
      // clearTokens: false in the error's payload: nothing cleared before the handler.
      assert.equal(setCookies(res).sAccessToken, undefined);
    });
  });
}

test("errorHandlers (express): a handler that throws passes its error to the next error handler", () =>
  withApp(
    startExpress,
    {
      errorHandlers: {
        onUnauthorised: async () => {
          throw new Error("handler failed");
        },
      },
    },
    async (app) => {
      const res = await app.fetch("/getJWT");
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { passedOn: "handler failed" });
    },
  ));

test("errorHandlers: Session.init refuses a misspelt handler or one that is not a function", () => {
  for (const errorHandlers of [{ onUnauthorized: async () => {} }, { onUnauthorised: "nope" }, "nope"]) {
    assert.throws(
      () => Session.init({ errorHandlers }),
      (err) => err instanceof Tessera.Error && err.type === "INVALID_CONFIG" && /errorHandlers/.test(err.message),
      JSON.stringify(errorHandlers),
    );
  }
  // Handlers left undefined are as handlers left out.
  assert.equal(Session.init({ errorHandlers: { onUnauthorised: undefined } }).errorHandlers, undefined);
});
