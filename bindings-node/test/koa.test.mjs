// The Koa integration end to end: a real Koa 3 app with an @koa/router route on an ephemeral
// port, driven with the global fetch, over the native core. The app is the "fetching the access
// token" seed, written as for supertokens-node with only the package name changed; the seed
// checks every framework shares are in testlib/seed.mjs, the Koa-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import Koa from "koa";
import Router from "@koa/router";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/koa";
import { middleware } from "tessera-session/framework/koa";
import { handlerChecks, initTessera, listening, seedSuite } from "../testlib/seed.mjs";

async function start(sessionOptions = {}) {
  initTessera("koa", sessionOptions);
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
  app.use(router.routes());
  app.use(router.allowedMethods());
  return listening(http.createServer(app.callback()).listen(0));
}

seedSuite("koa", start, { appExposeHeader: true });

test("koa: session methods in a route; middleware answers session errors thrown downstream", async () => {
  const app = await start();
  try {
    const token = await handlerChecks(app);
    const revoked = await app.fetch("/revoke", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("front-token"), "remove");
    assert.deepEqual(await Session.getAllSessionHandlesForUser("user-1"), []);
  } finally {
    await app.close();
  }
});
