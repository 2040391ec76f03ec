// The Next.js integration. App router: route handlers called directly with real `NextRequest`
// objects from the `next` package, as Next.js calls them. Pages router: API-route handlers on a
// plain Node http server, with the `res.status`/`res.json` helpers Next.js adds. Both are the
// "fetching the access token" seed written as for supertokens-node's `supertokens-node/nextjs`.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { NextRequest, NextResponse } from "next/server.js";
import Session from "tessera-session/recipe/session";
import {
  superTokensNextWrapper,
  withSession,
  withPreParsedRequestResponse,
  getAppDirRequestHandler,
} from "tessera-session/nextjs";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware } from "tessera-session/framework/express";
import { appInfo, initTessera, listening, seedSuite, signIn, setCookies } from "../testlib/seed.mjs";
import { cookieHeader } from "../testlib/cookies.mjs";

// ---- app router --------------------------------------------------------------------------

const handleAuth = getAppDirRequestHandler();

/** The app's route handlers by path (`app/<path>/route.js`), each `(NextRequest) => Response`. */
const appRoutes = {
  "/signin": (request) =>
    withPreParsedRequestResponse(request, async (baseRequest, baseResponse) => {
      await Session.createNewSession(baseRequest, baseResponse, "public", "user-1", { role: "admin" });
      return NextResponse.json({ status: "OK" });
    }),
  "/getJWT": (request) =>
    withSession(request, async (err, session) => {
      if (err) return NextResponse.json(err, { status: 500 });
      if (!session) return new NextResponse("Authentication required", { status: 401 });
      return NextResponse.json({ token: session.getAccessToken() });
    }),
  "/optional": (request) =>
    withSession(request, async (_err, session) => NextResponse.json({ hasSession: session !== undefined }), {
      sessionRequired: false,
    }),
  "/merge": (request) =>
    withSession(request, async (_err, session) => {
      await session.mergeIntoAccessTokenPayload({ k: "v" });
      return NextResponse.json({ payload: session.getAccessTokenPayload(), token: session.getAccessToken() });
    }),
  "/throw": (request) =>
    withSession(request, async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    }),
  "/redirect": (request) =>
    withSession(request, async (_err, session) => {
      await session.mergeIntoAccessTokenPayload({ k: "v" });
      return Response.redirect("http://localhost:3000/x", 307);
    }),
};

/** Calls the route handler for `path` as Next.js would, with a real NextRequest. */
async function callAppRoute(path, init = {}) {
  const request = new NextRequest(new URL(path, appInfo.apiDomain), init);
  const pathname = request.nextUrl.pathname;
  if (pathname.startsWith("/auth/")) return handleAuth(request);
  const route = appRoutes[pathname];
  return route === undefined ? new NextResponse(null, { status: 404 }) : route(request);
}

async function startAppRouter(sessionOptions) {
  initTessera("express", sessionOptions);
  return { fetch: callAppRoute, close: async () => {} };
}

seedSuite("nextjs app router", startAppRouter);

test("nextjs app router: merge in a handler writes the new token; session errors thrown by a handler are answered", async () => {
  const app = await startAppRouter();
  const token = (await signIn(app, "header")).headers.get("st-access-token");
  const merged = await app.fetch("/merge", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(merged.status, 200);
  const body = await merged.json();
  assert.equal(body.payload.k, "v");
  assert.equal(merged.headers.get("st-access-token"), body.token);
  assert.notEqual(body.token, token);
  assert.match(merged.headers.get("cache-control") ?? "", /no-store/);

  const thrown = await app.fetch("/throw", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(thrown.status, 401);
  assert.deepEqual(await thrown.json(), { message: "try refresh token" });

  // supertokens-node's getAppDirRequestHandler answers a path it does not serve 404 "Not found".
  const unserved = await app.fetch("/auth/nope");
  assert.equal(unserved.status, 404);
  assert.equal(await unserved.text(), "Not found");
  const jwks = await app.fetch("/auth/jwt/jwks.json");
  assert.equal(jwks.status, 200);
  assert.ok(Array.isArray((await jwks.json()).keys));
});

test("nextjs app router: withSession is getSession, whatever the method: a preflight is verified too", async () => {
  // supertokens-node's withSession calls Session.getSession, which has none of the verifySession
  // API's method rules: an OPTIONS request without a session is answered 401, not handed on
  // without one; with a token, the handler gets its session.
  const app = await startAppRouter();
  const token = (await signIn(app, "header")).headers.get("st-access-token");
  const bare = await app.fetch("/getJWT", { method: "OPTIONS" });
  assert.equal(bare.status, 401);
  assert.deepEqual(await bare.json(), { message: "unauthorised" });
  const withToken = await app.fetch("/getJWT", { method: "OPTIONS", headers: { authorization: `Bearer ${token}` } });
  assert.equal(withToken.status, 200);
  assert.deepEqual(await withToken.json(), { token });
});

test("nextjs server components: getSSRSession reads the access token cookie, verified, writing nothing", async () => {
  const { getSSRSession } = await import("tessera-session/nextjs");
  const app = await startAppRouter();
  const signin = await signIn(app, "header");
  const token = signin.headers.get("st-access-token");
  assert.deepEqual(await getSSRSession([]), { accessTokenPayload: undefined, hasToken: false, error: undefined });
  const found = await getSSRSession([{ name: "other", value: "x" }, { name: "sAccessToken", value: token }]);
  assert.equal(found.hasToken, true);
  assert.equal(found.error, undefined);
  assert.equal(found.accessTokenPayload.sub, "user-1");
  assert.equal(found.accessTokenPayload.role, "admin");
  // A token that does not verify: no payload and no error (the page sends the user to refresh).
  const [h, p] = token.split(".");
  for (const bad of ["garbage", `${h}.${p}.forged`]) {
    assert.deepEqual(await getSSRSession([{ name: "sAccessToken", value: bad }]), { accessTokenPayload: undefined, hasToken: true, error: undefined });
  }
});

test("tessera-session/custom: supertokens-node/custom's helpers on a WHATWG Request", async () => {
  const custom = await import("tessera-session/custom");
  const app = await startAppRouter();
  const token = (await signIn(app, "header")).headers.get("st-access-token");
  const request = (path, headers = {}) => new Request(new URL(path, appInfo.apiDomain), { headers });

  const ssr = await custom.getSessionForSSR(request("/page", { cookie: `theme=dark; sAccessToken=${token}` }));
  assert.equal(ssr.hasToken, true);
  assert.equal(ssr.accessTokenPayload.sub, "user-1");
  assert.deepEqual(await custom.getSessionForSSR(request("/page")), { accessTokenPayload: undefined, hasToken: false, error: undefined });

  // supertokens-node's own cookie reading: a value ends at a second "=", the last of a name wins,
  // quotes stay; percent escapes are decoded.
  assert.deepEqual(custom.getCookieFromRequest(request("/", { cookie: 'a=1=2; a=3; b="q"; c=%41' })), { a: "3", b: '"q"', c: "A" });
  assert.deepEqual(custom.getQueryFromRequest(request("/x?k=1&k=2&j=v")), { k: "2", j: "v" });

  const handle = custom.handleAuthAPIRequest();
  const unserved = await handle(request("/auth/nope"));
  assert.equal(unserved.status, 404);
  assert.equal(await unserved.text(), "Not found");
  const answered = await custom.withSession(request("/x", { authorization: `Bearer ${token}` }), async (err, session) =>
    Response.json({ user: session?.getUserId(), err: err?.message }),
  );
  assert.deepEqual(await answered.json(), { user: "user-1" });
  assert.equal(typeof custom.default.withPreParsedRequestResponse, "function");
});

test("nextjs app router: changes reach a response whose headers are immutable (Response.redirect)", async () => {
  const app = await startAppRouter();
  const cookies = setCookies(await signIn(app, "cookie"));
  const res = await app.fetch("/redirect", {
    headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session", "st-auth-mode": "cookie" },
  });
  assert.equal(res.status, 307);
  assert.equal(res.headers.get("location"), "http://localhost:3000/x");
  const updated = setCookies(res).sAccessToken?.value;
  assert.ok(updated && updated !== cookies.sAccessToken.value, "the merged token's cookie is set");
  assert.ok(res.headers.get("front-token"));
});

test("nextjs app router: a plain global Request works too", async () => {
  await startAppRouter();
  const res = await appRoutes["/getJWT"](new Request("http://localhost:3001/getJWT"));
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { message: "unauthorised" });
});

// ---- pages router ------------------------------------------------------------------------

/** `pages/api/*` handlers by path, `(req: NextApiRequest, res: NextApiResponse) => void`. */
const pagesRoutes = {
  "/auth": async (req, res) => {
    await superTokensNextWrapper(async (next) => middleware()(req, res, next), req, res);
    if (!res.writableEnded) res.status(404).json({ message: "not found" });
  },
  "/signin": async (req, res) => {
    await Session.createNewSession(req, res, "public", "user-1", { role: "admin" });
    res.json({ status: "OK" });
  },
  "/getJWT": async (req, res) => {
    await superTokensNextWrapper(async (next) => verifySession()(req, res, next), req, res);
    res.json({ token: req.session.getAccessToken() });
  },
  "/optional": async (req, res) => {
    await superTokensNextWrapper(async (next) => verifySession({ sessionRequired: false })(req, res, next), req, res);
    res.json({ hasSession: req.session !== undefined });
  },
  "/throw": async (req, res) => {
    await superTokensNextWrapper(
      async () => {
        throw new Session.Error({ type: Session.Error.UNAUTHORISED, message: "nope" });
      },
      req,
      res,
    );
    res.json({ reached: true });
  },
  "/boom": async (req, res) => {
    try {
      await superTokensNextWrapper(
        async () => {
          throw new Error("boom");
        },
        req,
        res,
      );
    } catch (err) {
      res.status(500).json({ caught: err.message });
    }
  },
};

/** A Node http server dispatching as Next.js's pages router does, with its response helpers. */
async function startPagesRouter(sessionOptions) {
  initTessera("express", sessionOptions);
  const server = http.createServer((req, res) => {
    res.status = (code) => {
      res.statusCode = code;
      return res;
    };
    res.json = (body) => {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(JSON.stringify(body));
    };
    const pathname = new URL(req.url, "http://x").pathname;
    const route = pagesRoutes[pathname.startsWith("/auth/") ? "/auth" : pathname];
    if (route === undefined) res.status(404).json({ message: "no route" });
    else route(req, res).catch((err) => res.status(500).json({ uncaught: String(err) }));
  });
  return listening(server.listen(0, "127.0.0.1"));
}

seedSuite("nextjs pages router", startPagesRouter);

test("nextjs pages router: session errors in the wrapped callback are answered, others rejected", async () => {
  const app = await startPagesRouter();
  try {
    const thrown = await app.fetch("/throw");
    assert.equal(thrown.status, 401);
    assert.deepEqual(await thrown.json(), { message: "unauthorised" });
    assert.equal(thrown.headers.get("front-token"), "remove");
    const boom = await app.fetch("/boom");
    assert.equal(boom.status, 500);
    assert.deepEqual(await boom.json(), { caught: "boom" });
    assert.equal((await app.fetch("/auth/nope")).status, 404);
  } finally {
    await app.close();
  }
});
