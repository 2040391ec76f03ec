// The Hapi integration end to end: a real @hapi/hapi 21 server driven with `server.inject` (no
// socket), over the native core. The routes are the "fetching the access token" seed, written
// as for supertokens-node with only the package name changed; the seed checks every framework
// shares are in testlib/seed.mjs, the Hapi-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import Hapi from "@hapi/hapi";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/hapi";
import { plugin } from "tessera-session/framework/hapi";
import { handlerChecks, initTessera, injected, seedSuite } from "../testlib/seed.mjs";

/** A Hapi route definition. */
function route(method, path, handler, options = {}) {
  return { method, path, options, handler };
}

async function start(sessionOptions = {}) {
  initTessera("hapi", sessionOptions);
  // Hapi's own cookie parser answers a malformed Cookie header with 400 before any route runs;
  // "ignore" lets such requests reach verifySession (Tessera reads the raw header itself).
  const server = Hapi.server({ routes: { state: { failAction: "ignore" } } });
  await server.register(plugin);
  server.route([
    route("POST", "/signin", async (request, h) => {
      await Session.createNewSession(request, h, "public", "user-1", { role: "admin" });
      const res = h.response({ status: "OK" });
      if (request.headers["x-app-expose"]) res.header("Access-Control-Expose-Headers", "x-app-header");
      return res;
    }),
    route("GET", "/getJWT", async (request) => ({ token: request.session.getAccessToken() }), {
      pre: [{ method: verifySession() }],
    }),
    route("GET", "/optional", async (request) => ({ hasSession: request.session !== undefined }), {
      pre: [{ method: verifySession({ sessionRequired: false }) }],
    }),
    route(
      "POST",
      "/merge",
      async (request) => {
        await request.session.mergeIntoAccessTokenPayload({ k: "v" });
        return { payload: request.session.getAccessTokenPayload(), token: request.session.getAccessToken() };
      },
      { pre: [{ method: verifySession() }] },
    ),
    route("GET", "/throw", async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    }),
    route("GET", "/boom", async () => {
      throw new Error("boom");
    }),
  ]);
  await server.initialize();
  return { fetch: injected((options) => server.inject(options)), close: () => server.stop() };
}

seedSuite("hapi", start, { appExposeHeader: true });

test("hapi: JWKS is served; session changes in a route and errors thrown later are handled", async () => {
  const app = await start();
  try {
    await handlerChecks(app);
  } finally {
    await app.close();
  }
});

test("hapi: with Hapi's default cookie settings a malformed Cookie header is Hapi's 400, still never a 500", async () => {
  initTessera("hapi");
  const strict = Hapi.server();
  await strict.register(plugin);
  strict.route({ method: "GET", path: "/getJWT", options: { pre: [{ method: verifySession() }] }, handler: () => "x" });
  await strict.initialize();
  const bad = await strict.inject({ method: "GET", url: "/getJWT", headers: { cookie: "sAccessToken=%%%; ;;==" } });
  assert.ok(bad.statusCode === 400 || bad.statusCode === 401, String(bad.statusCode));
  await strict.stop();
});
