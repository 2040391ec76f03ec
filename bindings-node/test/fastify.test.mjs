// The Fastify integration end to end: a real Fastify 5 app driven with `app.inject` (no socket),
// over the native core. The app is the "fetching the access token" seed, written as for
// supertokens-node with only the package name changed; the seed checks every framework shares
// are in testlib/seed.mjs, the Fastify-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/fastify";
import { plugin, errorHandler } from "tessera-session/framework/fastify";
import { handlerChecks, initTessera, injected, seedSuite } from "../testlib/seed.mjs";

async function start(sessionOptions = {}) {
  initTessera("fastify", sessionOptions);
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
  app.post("/merge", { preHandler: verifySession() }, async (req) => {
    await req.session.mergeIntoAccessTokenPayload({ k: "v" });
    return { payload: req.session.getAccessTokenPayload(), token: req.session.getAccessToken() };
  });
  app.post("/revoke", { preHandler: verifySession() }, async (req) => {
    await req.session.revokeSession();
    return { ok: true };
  });
  app.get("/throw", async () => {
    throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
  });
  app.get("/boom", async () => {
    throw new Error("boom");
  });
  app.post("/echo", async (req) => req.body);
  await app.ready();
  return { fetch: injected((options) => app.inject(options)), inject: (options) => app.inject(options), close: () => app.close() };
}

seedSuite("fastify", start, { appExposeHeader: true });

test("fastify: a JSON content type with an empty body does not trip the body parser on the core's endpoints", async () => {
  const app = await start();
  try {
    // The plugin answers before Fastify parses the body.
    const res = await app.fetch("/auth/session/refresh", {
      method: "POST",
      headers: { cookie: "sRefreshToken=garbage", rid: "session", "content-type": "application/json" },
    });
    assert.equal(res.status, 401);
  } finally {
    await app.close();
  }
});

test("fastify: session methods in a route, errors reach errorHandler, other routes unaffected", async () => {
  const app = await start();
  try {
    const token = await handlerChecks(app);
    const revoked = await app.fetch("/revoke", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("front-token"), "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);
    const echo = await app.inject({ method: "POST", url: "/echo", payload: { a: 1 } });
    assert.deepEqual(echo.json(), { a: 1 });
  } finally {
    await app.close();
  }
});
