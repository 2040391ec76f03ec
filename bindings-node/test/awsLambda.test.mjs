// The AWS Lambda integration: the wrapped handlers called directly with hand-made API Gateway v1
// (REST) and v2 (HTTP) events, as Lambda would, over the native core. The handlers are the
// "fetching the access token" seed, written as for supertokens-node with only the package name
// changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/awsLambda";
import { middleware } from "tessera-session/framework/awsLambda";
import { parseSetCookies } from "../testlib/cookies.mjs";

const appInfo = { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" };

function initTessera(sessionOptions = {}) {
  Tessera.init({
    framework: "awsLambda",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true, ...sessionOptions })],
  });
}

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

/**
 * A hand-made API Gateway event. v1: `httpMethod`, `path`, the Cookie header in `headers` (with
 * mixed-case names, as API Gateway passes them). v2: `requestContext.http`, a stage prefix in the
 * path, and the cookies in `event.cookies`.
 */
function event(version, method, path, headers = {}, cookies = {}) {
  const cookieList = Object.entries(cookies).map(([k, v]) => `${k}=${v}`);
  if (version === 1) {
    const h = { Host: "example.com", ...headers };
    if (cookieList.length > 0) h.Cookie = cookieList.join("; ");
    return { resource: path, path, httpMethod: method, headers: h, queryStringParameters: null, requestContext: { stage: "dev" }, body: null };
  }
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: `/dev${path}`,
    rawQueryString: "",
    headers: { host: "example.com", ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) },
    ...(cookieList.length > 0 ? { cookies: cookieList } : {}),
    requestContext: { stage: "dev", http: { method, path: `/dev${path}` } },
    body: undefined,
  };
}

function header(result, name) {
  for (const [k, v] of Object.entries(result.headers ?? {})) if (k.toLowerCase() === name.toLowerCase()) return String(v);
  return undefined;
}

/** The Set-Cookie values of a result: v1 `multiValueHeaders["Set-Cookie"]`, v2 `cookies`. */
function setCookieList(version, result) {
  if (version === 2) {
    assert.equal(result.multiValueHeaders?.["Set-Cookie"], undefined);
    return result.cookies ?? [];
  }
  assert.equal(result.cookies, undefined);
  return result.multiValueHeaders?.["Set-Cookie"] ?? [];
}

const setCookies = (version, result) => parseSetCookies(setCookieList(version, result));

async function signIn(version, mode) {
  const res = await api(event(version, "POST", "/signin", { "st-auth-mode": mode, rid: "session" }), {}, () => {});
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(JSON.parse(res.body), { status: "OK" });
  return res;
}

for (const v of [1, 2]) {
  test(`lambda v${v} cookie mode: getJWT returns exactly the access token the client holds`, async () => {
    initTessera();
    const res = await signIn(v, "cookie");
    const cookies = setCookies(v, res);
    assert.ok(cookies.sAccessToken?.value, "sAccessToken set");
    assert.ok(cookies.sRefreshToken?.value, "sRefreshToken set");
    assert.match(cookies.sAccessToken.header, /HttpOnly/i);
    assert.ok(header(res, "front-token"));
    assert.equal(header(res, "st-access-token"), cookies.sAccessToken.value);
    assert.ok((header(res, "access-control-expose-headers") ?? "").includes("front-token"));
    const jwt = await getJWT(event(v, "GET", "/getJWT", { rid: "session" }, { sAccessToken: cookies.sAccessToken.value }), {}, () => {});
    assert.equal(jwt.statusCode, 200, jwt.body);
    assert.deepEqual(JSON.parse(jwt.body), { token: cookies.sAccessToken.value });
  });

  test(`lambda v${v} header mode: getJWT returns exactly the bearer token (header names any case)`, async () => {
    initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
    const res = await signIn(v, "header");
    const token = header(res, "st-access-token");
    assert.ok(token);
    assert.ok(header(res, "st-refresh-token"));
    assert.ok(!setCookies(v, res).sAccessToken?.value);
    const jwt = await getJWT(event(v, "GET", "/getJWT", { Authorization: `Bearer ${token}` }), {}, () => {});
    assert.equal(jwt.statusCode, 200);
    assert.deepEqual(JSON.parse(jwt.body), { token });
  });

  test(`lambda v${v}: without the expose option cookie mode sends no st-access-token`, async () => {
    initTessera({ exposeAccessTokenToFrontendInCookieBasedAuth: false });
    const res = await signIn(v, "cookie");
    assert.equal(header(res, "st-access-token"), undefined);
  });

  test(`lambda v${v}: no session is 401 unauthorised; sessionRequired false runs with no session`, async () => {
    initTessera();
    const res = await getJWT(event(v, "GET", "/getJWT"), {}, () => {});
    assert.equal(res.statusCode, 401);
    assert.deepEqual(JSON.parse(res.body), { message: "unauthorised" });
    const opt = await optional(event(v, "GET", "/optional"), {}, () => {});
    assert.equal(opt.statusCode, 200);
    assert.deepEqual(JSON.parse(opt.body), { hasSession: false });
  });

  test(`lambda v${v}: garbage cookies and headers give 401, never 500`, async () => {
    initTessera();
    const cases = [
      [{}, { sAccessToken: "garbage" }],
      [{}, { sAccessToken: "a.b.c", sRefreshToken: "x" }],
      [{}, { sAccessToken: "%%%", "": "", "=": "=" }],
      [{ authorization: "Bearer garbage" }, {}],
      [{ authorization: "Bearer " + "x".repeat(5000) }, {}],
      [{ authorization: "Basic abc" }, {}],
      [{ "st-auth-mode": "nonsense", authorization: "Bearer a.b.c" }, {}],
    ];
    for (const [headers, cookies] of cases) {
      const res = await getJWT(event(v, "GET", "/getJWT", { rid: "session", ...headers }, cookies), {}, () => {});
      assert.equal(res.statusCode, 401, JSON.stringify([headers, cookies]));
      assert.ok(["unauthorised", "try refresh token"].includes(JSON.parse(res.body).message), res.body);
    }
    const refresh = await api(event(v, "POST", "/auth/session/refresh", { rid: "session" }, { sRefreshToken: "garbage" }), {}, () => {});
    assert.equal(refresh.statusCode, 401);
  });

  test(`lambda v${v}: expired token is 401 try refresh token; refresh rotates; reuse is token theft`, async () => {
    initTessera({ accessTokenValidity: 1, refreshTokenRotationGracePeriod: 0 });
    const first = setCookies(v, await signIn(v, "cookie"));
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await getJWT(event(v, "GET", "/getJWT", { rid: "session" }, { sAccessToken: first.sAccessToken.value }), {}, () => {});
    assert.equal(expired.statusCode, 401);
    assert.deepEqual(JSON.parse(expired.body), { message: "try refresh token" });

    const refreshed = await api(
      event(v, "POST", "/auth/session/refresh", { rid: "session" }, { sRefreshToken: first.sRefreshToken.value }),
      {},
      () => {},
    );
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const second = setCookies(v, refreshed);
    assert.ok(second.sAccessToken?.value);
    assert.notEqual(second.sRefreshToken.value, first.sRefreshToken.value);
    assert.notEqual(second.sAccessToken.value, first.sAccessToken.value);

    const jwt = await getJWT(event(v, "GET", "/getJWT", { rid: "session" }, { sAccessToken: second.sAccessToken.value }), {}, () => {});
    assert.equal(jwt.statusCode, 200);
    assert.deepEqual(JSON.parse(jwt.body), { token: second.sAccessToken.value });

    await new Promise((r) => setTimeout(r, 20));
    const reuse = await api(
      event(v, "POST", "/auth/session/refresh", { rid: "session" }, { sRefreshToken: first.sRefreshToken.value }),
      {},
      () => {},
    );
    assert.equal(reuse.statusCode, 401);
    assert.deepEqual(JSON.parse(reuse.body), { message: "token theft detected" });
    assert.equal(setCookies(v, reuse).sAccessToken?.value, "");
  });

  test(`lambda v${v}: signout clears the cookies and sends front-token: remove`, async () => {
    initTessera();
    const c = setCookies(v, await signIn(v, "cookie"));
    const res = await api(event(v, "POST", "/auth/signout", { rid: "session" }, { sAccessToken: c.sAccessToken.value }), {}, () => {});
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), { status: "OK" });
    const cleared = setCookies(v, res);
    assert.equal(cleared.sAccessToken?.value, "");
    assert.equal(cleared.sRefreshToken?.value, "");
    assert.equal(header(res, "front-token"), "remove");
  });

  test(`lambda v${v}: a session change in the handler is merged into its result; JWKS is served`, async () => {
    initTessera();
    const token = header(await signIn(v, "header"), "st-access-token");
    const res = await merge(event(v, "POST", "/merge", { authorization: `Bearer ${token}` }), {}, () => {});
    assert.equal(res.statusCode, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.payload.k, "v");
    assert.equal(body.payload.role, "admin");
    assert.equal(header(res, "st-access-token"), body.token);
    assert.notEqual(body.token, token);
    const jwks = await api(event(v, "GET", "/auth/jwt/jwks.json"), {}, () => {});
    assert.equal(jwks.statusCode, 200);
    assert.ok(Array.isArray(JSON.parse(jwks.body).keys));
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
