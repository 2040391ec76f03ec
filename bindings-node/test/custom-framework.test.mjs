// `tessera-session/framework/custom`: an app whose handlers take a WHATWG `Request` and return a
// `Response`, written as supertokens-node's docs write one for a framework without an
// integration: each request becomes a `PreParsedRequest`, each answer is collected in a
// `CollectingResponse` (`middleware()` for the core's endpoints, `Session.getSession` /
// `Session.createNewSession` in routes, `errorHandler()` for what routes throw), and the
// `Response` is made from its `statusCode`, `headers`, `cookies` and `body`.
import { test } from "node:test";
import assert from "node:assert/strict";
import Session from "tessera-session/recipe/session";
import { PreParsedRequest, CollectingResponse, middleware, errorHandler } from "tessera-session/framework/custom";
import { getCookieFromRequest, getQueryFromRequest } from "tessera-session/custom";
import { appInfo, initTessera, seedSuite, signIn } from "../testlib/seed.mjs";

/** The docs' serialisation of a collected cookie (the `cookie` package's `serialize`). */
function serialize(c) {
  let out = `${c.key}=${encodeURIComponent(c.value)}; Path=${c.path}; Expires=${new Date(c.expires).toUTCString()}`;
  if (c.domain) out += `; Domain=${c.domain}`;
  if (c.httpOnly) out += "; HttpOnly";
  if (c.secure) out += "; Secure";
  return out + `; SameSite=${c.sameSite}`;
}

function preParsed(request) {
  return new PreParsedRequest({
    method: request.method,
    url: request.url,
    query: getQueryFromRequest(request),
    headers: request.headers,
    cookies: getCookieFromRequest(request),
    getFormBody: () => request.formData(),
    getJSONBody: () => request.json(),
  });
}

/** The framework's response made from what was collected, as the docs make it. */
function toResponse(baseResponse, body = baseResponse.body) {
  const headers = new Headers(baseResponse.headers);
  for (const c of baseResponse.cookies) headers.append("Set-Cookie", serialize(c));
  return new Response(body ?? null, { status: baseResponse.statusCode, headers });
}

const serveAuth = middleware();
const handleError = errorHandler();

/** A route: verifies with `Session.getSession`, answers errors with `errorHandler()`. */
function route(handler, options) {
  return async (request) => {
    const baseRequest = preParsed(request);
    const baseResponse = new CollectingResponse();
    try {
      const session = await Session.getSession(baseRequest, baseResponse, options);
      return toResponse(baseResponse, JSON.stringify(await handler(session, baseRequest)));
    } catch (err) {
      let passed;
      await handleError(err, baseRequest, baseResponse, (e) => (passed = e));
      if (passed !== undefined) return new Response(String(passed), { status: 500 });
      return toResponse(baseResponse);
    }
  };
}

const routes = {
  "/getJWT": route(async (session) => ({ token: session.getAccessToken() })),
  "/optional": route(async (session) => ({ hasSession: session !== undefined }), { sessionRequired: false }),
  "/throw": route(async () => {
    throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
  }),
  "/signin": async (request) => {
    const baseRequest = preParsed(request);
    const baseResponse = new CollectingResponse();
    await Session.createNewSession(baseRequest, baseResponse, "public", "user-1", { role: "admin" });
    return toResponse(baseResponse, JSON.stringify({ status: "OK" }));
  },
};

async function handle(request) {
  const baseRequest = preParsed(request);
  const baseResponse = new CollectingResponse();
  const { handled, error } = await serveAuth(baseRequest, baseResponse);
  if (error) return new Response(String(error), { status: 500 });
  if (handled) return toResponse(baseResponse);
  const r = routes[new URL(request.url).pathname];
  return r === undefined ? new Response("Not found", { status: 404 }) : r(request);
}

async function start(sessionOptions) {
  initTessera("custom", sessionOptions);
  return { fetch: (path, init) => handle(new Request(new URL(path, appInfo.apiDomain), init)), close: async () => {} };
}

seedSuite("custom framework", start);

test("custom framework: the collected response has supertokens-node's fields", async () => {
  initTessera("custom");
  const baseRequest = preParsed(new Request(new URL("/signin", appInfo.apiDomain), { method: "POST", headers: { "st-auth-mode": "cookie" } }));
  const baseResponse = new CollectingResponse();
  await Session.createNewSession(baseRequest, baseResponse, "public", "user-1");
  assert.equal(baseResponse.statusCode, 200);
  assert.ok(baseResponse.headers.get("front-token"));
  assert.ok((baseResponse.headers.get("access-control-expose-headers") ?? "").includes("front-token"));
  const access = baseResponse.cookies.find((c) => c.key === "sAccessToken");
  assert.ok(access, "sAccessToken collected");
  assert.equal(access.value, baseResponse.headers.get("st-access-token"));
  assert.equal(access.httpOnly, true);
  assert.equal(access.path, "/");
  assert.equal(access.sameSite, "lax");
  assert.ok(access.expires > Date.now());
  const refresh = baseResponse.cookies.find((c) => c.key === "sRefreshToken");
  assert.equal(refresh.path, "/auth/session/refresh");
  // supertokens-node's setCookie: kept as given, written percent-encoded.
  const expires = Date.now() + 60_000;
  baseResponse.setCookie("pref", "a b;c", undefined, true, false, expires, "/app", "strict");
  const pref = baseResponse.cookies.find((c) => c.key === "pref");
  assert.deepEqual({ ...pref, expires: Math.floor(pref.expires / 1000) }, {
    key: "pref",
    value: "a b;c",
    domain: undefined,
    secure: true,
    httpOnly: false,
    expires: Math.floor(expires / 1000),
    path: "/app",
    sameSite: "strict",
  });
  // A session error answered on the collected response: 401, cookies cleared, front-token removed.
  const err = new Session.Error({ type: Session.Error.UNAUTHORISED, message: "no" });
  const answered = new CollectingResponse();
  let passed = "not called";
  await errorHandler()(err, baseRequest, answered, (e) => (passed = e));
  assert.equal(passed, undefined);
  assert.equal(answered.statusCode, 401);
  assert.deepEqual(JSON.parse(answered.body), { message: "unauthorised" });
  assert.equal(answered.headers.get("front-token"), "remove");
  assert.ok(answered.cookies.some((c) => c.key === "sAccessToken" && c.value === "" && c.expires === 0));
  // Anything else is the app's.
  const boom = new Error("boom");
  await errorHandler()(boom, baseRequest, new CollectingResponse(), (e) => (passed = e));
  assert.equal(passed, boom);
});

test("custom framework: middleware passes on what is not the core's, with next()", async () => {
  initTessera("custom");
  const baseRequest = preParsed(new Request(new URL("/elsewhere", appInfo.apiDomain)));
  let nextCalls = 0;
  const result = await middleware()(baseRequest, new CollectingResponse(), () => nextCalls++);
  assert.deepEqual(result, { handled: false });
  assert.equal(nextCalls, 1);
  // A wrapper turns the framework's own request into a PreParsedRequest.
  const wrapped = await middleware((req) => preParsed(req))(
    new Request(new URL("/auth/jwt/jwks.json", appInfo.apiDomain)),
    new CollectingResponse(),
  );
  assert.deepEqual(wrapped, { handled: true });
});

test("custom framework: the request reads the cookies it was given, as supertokens-node's", async () => {
  initTessera("custom");
  const signedIn = await (await start()).fetch("/signin", { method: "POST", headers: { "st-auth-mode": "header" } });
  const token = signedIn.headers.get("st-access-token");
  const request = new Request(new URL("/getJWT", appInfo.apiDomain));
  // No Cookie header: the parsed cookies alone carry the token.
  const baseRequest = new PreParsedRequest({
    method: "GET",
    url: request.url,
    headers: request.headers,
    cookies: { sAccessToken: token },
    query: {},
  });
  assert.equal(baseRequest.getCookieValue("sAccessToken"), token);
  assert.equal(baseRequest.getMethod(), "get");
  assert.equal(baseRequest.getKeyValueFromQuery("x"), undefined);
  const session = await Session.getSession(baseRequest, new CollectingResponse());
  assert.equal(session.getAccessToken(), token);
  assert.equal(session.getUserId(), "user-1");
  // Repeated access-token cookies in the header are still seen: the protocol's answer.
  const twice = new Request(new URL("/getJWT", appInfo.apiDomain), {
    headers: { cookie: `sAccessToken=${token}; sAccessToken=${token}` },
  });
  await assert.rejects(Session.getSession(preParsed(twice), new CollectingResponse()), (e) => e.type === Session.Error.TRY_REFRESH_TOKEN);
  const res = await signIn(await start(), "cookie");
  assert.equal(res.status, 200);
});
