// The Hapi integration end to end: a real @hapi/hapi 21 server driven with `server.inject` (no
// socket), over the native core. The routes are the "fetching the access token" seed, written
// as for supertokens-node with only the package name changed; the seed checks every framework
// shares are in testlib/seed.mjs, the Hapi-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import Hapi from "@hapi/hapi";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/hapi";
import Tessera from "tessera-session";
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
  // The endpoints too, as supertokens-node's plugin (which serves them after Hapi's cookie
  // parsing): a Cookie header Hapi refuses is Hapi's 400, whatever the endpoint.
  for (const url of ["/auth/session/refresh", "/auth/signout"]) {
    const refused = await strict.inject({ method: "POST", url, headers: { rid: "session", cookie: "other=a b; sRefreshToken=garbage" } });
    assert.equal(refused.statusCode, 400, url);
    assert.deepEqual(JSON.parse(refused.payload), { statusCode: 400, error: "Bad Request", message: "Invalid cookie value" });
  }
  await strict.stop();
});

test("hapi: with routes.state.failAction other than \"error\" the endpoints read a Cookie header Hapi refuses", async () => {
  const app = await start();
  const refresh = await app.fetch("/auth/session/refresh", { method: "POST", headers: { rid: "session", cookie: "other=a b; sRefreshToken=garbage" } });
  assert.equal(refresh.status, 401);
  assert.deepEqual(await refresh.json(), { message: "unauthorised" });
  await app.close();
});

test("hapi: with Hapi's CORS (the quickstart's routes.cors) the session headers stay exposed", async () => {
  // Hapi's CORS appends its exposed headers to the lowercase `access-control-expose-headers`;
  // written under another spelling, Tessera's list was replaced by Hapi's on the wire.
  initTessera("hapi");
  const server = Hapi.server({
    routes: { cors: { origin: ["http://localhost:3000"], credentials: true, additionalHeaders: Tessera.getAllCORSHeaders() } },
  });
  await server.register(plugin);
  server.route(route("POST", "/signin", async (request, h) => {
    await Session.createNewSession(request, h, "public", "user-1");
    return { status: "OK" };
  }));
  await server.initialize();
  try {
    const origin = "http://localhost:3000";
    const exposed = (res) => String(res.headers["access-control-expose-headers"] ?? "").split(",").map((v) => v.trim().toLowerCase());
    const signin = await server.inject({ method: "POST", url: "/signin", headers: { origin, "st-auth-mode": "header" } });
    assert.equal(signin.statusCode, 200);
    for (const name of ["front-token", "st-access-token", "st-refresh-token", "www-authenticate"]) {
      assert.ok(exposed(signin).includes(name), `${name} not in ${signin.headers["access-control-expose-headers"]}`);
    }
    // Listed once each (Tessera's de-duplication, Hapi's names appended after).
    assert.equal(new Set(exposed(signin)).size, exposed(signin).length);
    const refresh = await server.inject({
      method: "POST",
      url: "/auth/session/refresh",
      headers: { origin, authorization: `Bearer ${signin.headers["st-refresh-token"]}` },
    });
    assert.equal(refresh.statusCode, 200);
    for (const name of ["front-token", "st-access-token", "st-refresh-token"]) assert.ok(exposed(refresh).includes(name), name);
  } finally {
    await server.stop();
  }
});
