// The AWS Lambda integration: the wrapped handlers called directly with hand-made API Gateway v1
// (REST) and v2 (HTTP) events, as Lambda would, over the native core. The handlers are the
// "fetching the access token" seed, written as for supertokens-node with only the package name
// changed; the seed checks every framework shares (testlib/seed.mjs) run once per event version,
// through `lambdaFetch`, the Lambda-only ones here.
import { test } from "node:test";
import assert from "node:assert/strict";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/awsLambda";
import { middleware } from "tessera-session/framework/awsLambda";
import { initTessera, seedSuite, signIn, toResponse } from "../testlib/seed.mjs";

/** The API router: the core's endpoints, and a sign-in route as the fallback handler. */
const api = middleware(async (event) => {
  await Session.createNewSession(event, event, "public", "user-1", { role: "admin" });
  return { statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "OK" }) };
});

const getJWT = verifySession(async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ token: event.session.getAccessToken() }),
}));

const optional = verifySession(
  async (event) => ({ statusCode: 200, body: JSON.stringify({ hasSession: event.session !== undefined }) }),
  { sessionRequired: false },
);

const merge = verifySession(async (event) => {
  await event.session.mergeIntoAccessTokenPayload({ k: "v" });
  return { statusCode: 200, body: JSON.stringify({ payload: event.session.getAccessTokenPayload(), token: event.session.getAccessToken() }) };
});

const ROUTES = { "/getJWT": getJWT, "/optional": optional, "/merge": merge };

/**
 * A hand-made API Gateway event. v1: `httpMethod`, `path`, the headers with mixed-case names (as
 * API Gateway passes them) and the Cookie header among them. v2: `requestContext.http`, a stage
 * prefix in the path, lowercase header names, and the cookies in `event.cookies`.
 */
function event(version, method, path, headers = {}) {
  if (version === 1) {
    const mixedCase = (name) => name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
    const h = { Host: "example.com", ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [mixedCase(k), v])) };
    return { resource: path, path, httpMethod: method, headers: h, queryStringParameters: null, requestContext: { stage: "dev" }, body: null };
  }
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const { cookie, ...rest } = lower;
  const cookieList = cookie === undefined ? [] : cookie.split(";").map((c) => c.trim()).filter((c) => c !== "");
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: `/dev${path}`,
    rawQueryString: "",
    headers: { host: "example.com", ...rest },
    ...(cookieList.length > 0 ? { cookies: cookieList } : {}),
    requestContext: { stage: "dev", http: { method, path: `/dev${path}` } },
    body: undefined,
  };
}

/** The Set-Cookie values of a result: v1 `multiValueHeaders["Set-Cookie"]`, v2 `cookies`, and
 * never the other version's place. */
function setCookieList(version, result) {
  if (version === 2) {
    assert.equal(result.multiValueHeaders?.["Set-Cookie"], undefined);
    return result.cookies ?? [];
  }
  assert.equal(result.cookies, undefined);
  return result.multiValueHeaders?.["Set-Cookie"] ?? [];
}

/** `fetch(path, init)` over the handlers: the event of `version` for the request, the handler's
 * result as a `Response`. */
function lambdaFetch(version) {
  return async (path, init = {}) => {
    const handler = ROUTES[path] ?? api;
    const result = await handler(event(version, init.method ?? "GET", path, init.headers ?? {}), {}, () => {});
    return toResponse(result.statusCode, { ...result.headers, "set-cookie": setCookieList(version, result) }, result.body);
  };
}

for (const v of [1, 2]) {
  seedSuite(`lambda v${v}`, async (sessionOptions) => {
    initTessera("awsLambda", sessionOptions);
    return { fetch: lambdaFetch(v), close: async () => {} };
  });

  test(`lambda v${v}: a session change in the handler is merged into its result; JWKS is served`, async () => {
    initTessera("awsLambda");
    const app = { fetch: lambdaFetch(v) };
    const token = (await signIn(app, "header")).headers.get("st-access-token");
    const res = await app.fetch("/merge", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.payload.k, "v");
    assert.equal(body.payload.role, "admin");
    assert.equal(res.headers.get("st-access-token"), body.token);
    assert.notEqual(body.token, token);
    const jwks = await app.fetch("/auth/jwt/jwks.json");
    assert.equal(jwks.status, 200);
    assert.ok(Array.isArray((await jwks.json()).keys));
  });
}

test("lambda: errors from the handler — session errors answered, others rethrown", async () => {
  initTessera();
  const thrower = verifySession(
    async () => {
      throw new Session.Error({ type: Session.Error.TRY_REFRESH_TOKEN, message: "nope" });
    },
    { sessionRequired: false },
  );
  const res = await thrower(event(1, "GET", "/x"), {}, () => {});
  assert.equal(res.statusCode, 401);
  assert.deepEqual(JSON.parse(res.body), { message: "try refresh token" });
  const boom = verifySession(
    async () => {
      throw new Error("boom");
    },
    { sessionRequired: false },
  );
  await assert.rejects(boom(event(2, "GET", "/x"), {}, () => {}), /boom/);
  const noFallback = middleware();
  const nf = await noFallback(event(2, "GET", "/nothing"), {}, () => {});
  assert.equal(nf.statusCode, 404);
});

test("lambda: middleware() without a handler answers what it does not serve with supertokens-node's 404", async () => {
  // supertokens-node: {"error": "The middleware couldn't serve the API path <path>, method: <method>. If this
  // is an unexpected behaviour, please create an issue here: <its tracker>"}; Tessera leaves out the tracker.
  initTessera("awsLambda");
  const noFallback = middleware();
  const v1 = await noFallback({ ...event(1, "GET", "/auth/session/refresh"), queryStringParameters: { x: "1" } }, {}, () => {});
  assert.equal(v1.statusCode, 404);
  assert.deepEqual(JSON.parse(v1.body), { error: "The middleware couldn't serve the API path /auth/session/refresh, method: get." });
  const v2 = await noFallback({ ...event(2, "PUT", "/auth/nothing"), rawQueryString: "x=1" }, {}, () => {});
  assert.equal(v2.statusCode, 404);
  assert.deepEqual(JSON.parse(v2.body), { error: "The middleware couldn't serve the API path /auth/nothing?x=1, method: put." });
});

test("lambda: with apiGatewayPath the stage is on the refresh cookie and routes match without it", async () => {
  // The SuperTokens docs' serverless setup: the stage "/dev" is the gateway's, stripped before the
  // handler sees the path (v1 `path`; v2's `rawPath` with the stage removed by the adapter).
  Tessera.init({
    framework: "awsLambda",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo: { apiDomain: "https://api.example.com", appName: "a", websiteDomain: "https://example.com", apiBasePath: "/auth", apiGatewayPath: "/dev" },
    recipeList: [Session.init({ getTokenTransferMethod: () => "cookie" })],
  });
  for (const version of [1, 2]) {
    const signin = await api(event(version, "POST", "/signin"), {}, () => {});
    const cookies = setCookieList(version, signin);
    const refreshCookie = cookies.find((c) => c.startsWith("sRefreshToken="));
    assert.match(refreshCookie, /; Path=\/dev\/auth\/session\/refresh;/);
    assert.match(cookies.find((c) => c.startsWith("sAccessToken=")), /; Path=\/;/);
    const refreshToken = refreshCookie.split(";")[0];
    const refreshed = await api(event(version, "POST", "/auth/session/refresh", { cookie: refreshToken, rid: "session" }), {}, () => {});
    assert.equal(refreshed.statusCode, 200, JSON.stringify(refreshed));
    assert.match(setCookieList(version, refreshed).find((c) => c.startsWith("sRefreshToken=")), /; Path=\/dev\/auth\/session\/refresh;/);
  }
});

test("awsLambda: the response changes queued for an event are on event.supertokens.response, as supertokens-node keeps them", async () => {
  initTessera("awsLambda");
  // The docs' API Gateway authorizer: getSession outside middleware, then the Set-Cookie values
  // passed on from event.supertokens.response.cookies.
  const none = event(1, "GET", "/user", {});
  assert.equal(await Session.getSession(none, none, { sessionRequired: false }), undefined);
  assert.deepEqual(none.supertokens, { response: { headers: [], cookies: [] } });

  const login = event(1, "POST", "/login", { "st-auth-mode": "cookie" });
  await Session.createNewSession(login, login, "public", "user-1");
  const { cookies, headers } = login.supertokens.response;
  assert.deepEqual(cookies.map((c) => c.split("=")[0]).sort(), ["sAccessToken", "sRefreshToken"]);
  assert.ok(headers.some((h) => h.key.toLowerCase() === "front-token" && h.value !== "" && h.allowDuplicateKey === false));
  assert.ok(headers.some((h) => h.key.toLowerCase() === "access-control-expose-headers" && h.allowDuplicateKey === true));
});
