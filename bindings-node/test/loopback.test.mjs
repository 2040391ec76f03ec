// The LoopBack 4 integration end to end: a real @loopback/rest application on an ephemeral port,
// driven with the global fetch, over the native core. Controllers are written as the
// supertokens-node docs write them (`@intercept(verifySession())`, the HTTP context injected),
// with the decorators applied by `Reflect.decorate`, which is what TypeScript emits for them.
import { test } from "node:test";
import assert from "node:assert/strict";
import "reflect-metadata";
import { inject, intercept } from "@loopback/core";
import { RestApplication, RestBindings, get, post, response } from "@loopback/rest";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/loopback";
import { middleware } from "tessera-session/framework/loopback";
import { apiOverrideChecks, handlerChecks, initTessera, seedSuite } from "../testlib/seed.mjs";

/** A controller class with one method `handler(ctx)`, decorated like a TS controller. */
function controller(verb, path, handler, interceptors = []) {
  class Controller {
    constructor(ctx) {
      this.ctx = ctx;
    }
    handler() {
      return handler(this.ctx);
    }
  }
  inject(RestBindings.Http.CONTEXT)(Controller, undefined, 0); // what TS emits for a parameter decorator
  const method = Object.getOwnPropertyDescriptor(Controller.prototype, "handler");
  Reflect.decorate([verb(path), ...interceptors.map((i) => intercept(i)), response(200)], Controller.prototype, "handler", method);
  return Controller;
}

const seedControllers = [
  controller(post, "/signin", async (ctx) => {
    await Session.createNewSession(ctx, ctx, "public", "user-1", { role: "admin" });
    return { status: "OK" };
  }),
  controller(get, "/getJWT", (ctx) => ({ token: ctx.session.getAccessToken() }), [verifySession()]),
  controller(get, "/optional", (ctx) => ({ hasSession: ctx.session !== undefined }), [verifySession({ sessionRequired: false })]),
];

async function start(sessionOptions, extra = []) {
  initTessera("loopback", sessionOptions);
  const app = new RestApplication({ rest: { port: 0, host: "127.0.0.1" }, shutdown: { signals: [] } });
  app.bind(RestBindings.SequenceActions.LOG_ERROR).to(() => {}); // the 500 in a test is expected
  app.middleware(middleware);
  // Every test controller class is called `Controller`: bind each under its own name.
  [...seedControllers, ...extra].forEach((c, i) => app.controller(c, `controller${i}`));
  await app.start();
  const base = app.restServer.url;
  return { fetch: (path, init) => fetch(base + path, init), close: () => app.stop() };
}

seedSuite("loopback", start);

test("loopback: session methods in a controller; session errors thrown by a controller are answered", async () => {
  const app = await start({}, [
    controller(
      post,
      "/merge",
      async (ctx) => {
        await ctx.session.mergeIntoAccessTokenPayload({ k: "v" });
        return { payload: ctx.session.getAccessTokenPayload(), token: ctx.session.getAccessToken() };
      },
      [verifySession()],
    ),
    controller(get, "/throw", async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    }),
    controller(get, "/boom", async () => {
      throw new Error("boom");
    }),
  ]);
  try {
    await handlerChecks(app);
  } finally {
    await app.close();
  }
});

test("loopback: override.apis: verifySession runs for protected routes (the interceptor), refresh and sign-out go through the API", () =>
  apiOverrideChecks(start));
