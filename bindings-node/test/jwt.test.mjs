// The JWT and OpenID functions (supertokens-node's `recipe/jwt` and `recipe/openid`, also exported
// by its session recipe): createJWT's tokens verify with the JWKS and, signed by the dynamic key,
// as access tokens (after supertokens-node's sessionHandlingFuncsWithoutReq tests); JWT.init's
// default validity; the options Tessera refuses; the OpenID discovery document, from the function
// and from the endpoint on Express and Fastify.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import http from "node:http";
import express from "express";
import Fastify from "fastify";
import Tessera from "tessera-session";
import Session, * as SessionNamed from "tessera-session/recipe/session";
import JWT, * as JWTNamed from "tessera-session/recipe/jwt";
import OpenId, * as OpenIdNamed from "tessera-session/recipe/openid";
import * as expressFramework from "tessera-session/framework/express";
import * as fastifyFramework from "tessera-session/framework/fastify";
import { appInfo, injected, listening } from "../testlib/seed.mjs";
import { typeCheck } from "../testlib/tsc.mjs";

/** The issuer of `appInfo`: apiDomain + the default apiBasePath. */
const ISSUER = "http://localhost:3001/auth";
const HUNDRED_YEARS = 3_153_600_000;

function init(recipeList = [Session.init()], extraAppInfo = {}) {
  Tessera.init({
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo: { ...appInfo, ...extraAppInfo },
    recipeList,
  });
}

/** A JWT's header or payload, decoded. */
function part(jwt, index) {
  return JSON.parse(Buffer.from(jwt.split(".")[index], "base64url").toString("utf8"));
}

/** Whether `jwt`'s RS256 signature verifies with `jwk` (node's own RSA, not the core's). */
function signedBy(jwt, jwk) {
  const [header, payload, signature] = jwt.split(".");
  const key = createPublicKey({ key: jwk, format: "jwk" });
  return verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"));
}

async function rejectsWith(promiseOrFn, type) {
  await assert.rejects(promiseOrFn, (err) => {
    assert.ok(Tessera.Error.isErrorFromSuperTokens(err), String(err));
    assert.equal(err.type, type, err.message);
    return true;
  });
}

function throwsWith(fn, type, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(Tessera.Error.isErrorFromSuperTokens(err), String(err));
    assert.equal(err.type, type, err.message);
    if (pattern !== undefined) assert.match(err.message, pattern);
    return true;
  });
}

/** An Express app with Tessera's middleware (it serves the core's endpoints), listening. */
async function expressApp() {
  const app = express();
  app.use(expressFramework.middleware());
  app.use(expressFramework.errorHandler());
  return listening(http.createServer(app).listen(0));
}

/** A Fastify app with Tessera's plugin, driven by inject. */
async function fastifyApp() {
  const app = Fastify({ logger: false });
  await app.register(fastifyFramework.plugin);
  app.setErrorHandler(fastifyFramework.errorHandler());
  await app.ready();
  return { fetch: injected((options) => app.inject(options)), close: () => app.close() };
}

for (const checkDatabase of [false, true]) {
  const name = `should validate access tokens created by createJWT${checkDatabase ? " w/ checkDatabase" : ""}`;
  test(name, async () => {
    init([Session.init(), JWT.init()]);
    const session = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("testId"));
    const originalPayload = session.getAccessTokenPayload();
    const custom = await JWT.createJWT({ ...originalPayload, exp: undefined, iat: undefined, tId: "public" }, 1234, false);
    assert.equal(custom.status, "OK");
    const customSession = await Session.getSessionWithoutRequestResponse(
      custom.jwt,
      undefined,
      checkDatabase ? { checkDatabase: true } : undefined,
    );
    const customPayload = customSession.getAccessTokenPayload();
    assert.equal(customPayload.exp - customPayload.iat, 1234);
    assert.equal(customSession.getHandle(), session.getHandle());
    assert.equal(customSession.getUserId(), "testId");
  });
}

test("a createJWT token of a revoked session fails getSessionWithoutRequestResponse w/ checkDatabase", async () => {
  init([Session.init(), JWT.init()]);
  const session = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("u"));
  const { jwt } = await JWT.createJWT({ ...session.getAccessTokenPayload(), exp: undefined, iat: undefined }, 1234, false);
  assert.ok(await Session.revokeSession(session.getHandle()));
  await rejectsWith(Session.getSessionWithoutRequestResponse(jwt, undefined, { checkDatabase: true }), "UNAUTHORISED");
});

test("createJWT defaults: the static key listed in getJWKS and the JWKS endpoint, the issuer, 100 years", async () => {
  init();
  const created = await JWT.createJWT({ role: "service" });
  assert.equal(created.status, "OK");
  const header = part(created.jwt, 0);
  const payload = part(created.jwt, 1);
  assert.deepEqual(Object.keys(header).sort(), ["alg", "kid", "typ"]);
  assert.equal(header.alg, "RS256");
  assert.equal(header.typ, "JWT");
  assert.match(header.kid, /^s-/);
  assert.equal(payload.role, "service");
  assert.equal(payload.iss, ISSUER);
  assert.equal(payload.exp - payload.iat, HUNDRED_YEARS);
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60);

  const jwks = await JWT.getJWKS();
  const key = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(key, `kid ${header.kid} not in ${jwks.keys.map((k) => k.kid)}`);
  for (const k of jwks.keys) assert.deepEqual([k.kty, k.alg, k.use], ["RSA", "RS256", "sig"]);
  assert.ok(signedBy(created.jwt, key));
  assert.ok(!signedBy(created.jwt.slice(0, -4) + "AAAA", key));
  assert.equal(typeof jwks.validityInSeconds, "number");

  const app = await expressApp();
  try {
    const res = await app.fetch("/auth/jwt/jwks.json");
    assert.equal(res.status, 200);
    const served = await res.json();
    assert.ok(served.keys.some((k) => k.kid === header.kid));
    assert.deepEqual(served.keys.map((k) => k.kid).sort(), jwks.keys.map((k) => k.kid).sort());
    assert.equal(res.headers.get("cache-control"), `max-age=${jwks.validityInSeconds}, must-revalidate`);
  } finally {
    await app.close();
  }
});

test("createJWT: a payload's own iss is kept; iat and exp are always set here; the dynamic key on request", async () => {
  init();
  const { jwt } = await JWT.createJWT({ iss: "https://elsewhere", iat: 1, exp: 2 }, 60);
  const payload = part(jwt, 1);
  assert.equal(payload.iss, "https://elsewhere");
  assert.equal(payload.exp - payload.iat, 60);
  assert.ok(payload.iat > 1);
  const dynamic = await JWT.createJWT({}, undefined, false);
  assert.match(part(dynamic.jwt, 0).kid, /^d-/);
  assert.equal(part((await JWT.createJWT()).jwt, 1).iss, ISSUER);
  // A static-key token is not a session of an app with dynamic keys, as in the SDKs.
  const session = await Session.createNewSessionWithoutRequestResponse("public", "u");
  const { jwt: staticToken } = await JWT.createJWT({ ...session.getAccessTokenPayload(), exp: undefined, iat: undefined });
  await rejectsWith(Session.getSessionWithoutRequestResponse(staticToken), "TRY_REFRESH_TOKEN");
});

test("createJWT: bad arguments", async () => {
  init();
  await rejectsWith(JWT.createJWT({}, 1.5), "INVALID_INPUT");
  await rejectsWith(JWT.createJWT({}, -1), "INVALID_INPUT");
  // Past 2^53 a JS number is no longer an exact count of seconds.
  await rejectsWith(JWT.createJWT({}, 2 ** 53), "INVALID_INPUT");
  await rejectsWith(JWT.createJWT({}, Number.POSITIVE_INFINITY), "INVALID_INPUT");
  await assert.rejects(JWT.createJWT([1, 2]), TypeError);
  await assert.rejects(JWT.createJWT({}, "60"), TypeError);
});

test("createJWT is NOT_SUPPORTED when the keys are a remote SuperTokens core's", async () => {
  Tessera.init({ supertokens: { connectionURI: "http://127.0.0.1:9" }, appInfo, recipeList: [Session.init()] });
  await rejectsWith(JWT.createJWT({ a: 1 }), "NOT_SUPPORTED");
  const doc = await OpenId.getOpenIdDiscoveryConfiguration();
  assert.equal(doc.issuer, ISSUER);
});

test("JWT.init's jwtValiditySeconds is createJWT's default validity", async () => {
  init([Session.init(), JWT.init({ jwtValiditySeconds: 60 }), OpenId.init()]);
  const body = part((await JWT.createJWT({ a: 1 })).jwt, 1);
  assert.equal(body.exp - body.iat, 60);
  const given = part((await JWT.createJWT({ a: 1 }, 5)).jwt, 1);
  assert.equal(given.exp - given.iat, 5);
  const viaSession = part((await Session.createJWT({ a: 1 })).jwt, 1);
  assert.equal(viaSession.exp - viaSession.iat, 60);
  const viaOpenId = part((await OpenId.createJWT({ a: 1 }, null)).jwt, 1);
  assert.equal(viaOpenId.exp - viaOpenId.iat, 60);
  // A new init without JWT.init is back to the default.
  init([JWT.init(), Session.init()]);
  const again = part((await JWT.createJWT({ a: 1 })).jwt, 1);
  assert.equal(again.exp - again.iat, HUNDRED_YEARS);
});

test("JWT.init and OpenId.init refuse what Tessera cannot honour", () => {
  const override = { functions: (original) => original };
  throwsWith(() => JWT.init({ override }), "NOT_SUPPORTED", /override/);
  throwsWith(() => JWT.init({ override: { apis: (original) => original } }), "NOT_SUPPORTED", /apis/);
  throwsWith(() => OpenId.init({ override }), "NOT_SUPPORTED", /override/);
  throwsWith(() => OpenId.init({ issuer: "https://customissuer.com" }), "NOT_SUPPORTED", /issuer/);
  throwsWith(() => JWT.init({ override: "x" }), "INVALID_CONFIG");
  for (const bad of [-1, 1.5, "60", Number.NaN]) {
    throwsWith(() => JWT.init({ jwtValiditySeconds: bad }), "INVALID_CONFIG", /jwtValiditySeconds/);
  }
  // What changes nothing is accepted.
  assert.deepEqual(JWT.init({ override: {} }), { tesseraRecipe: "jwt" });
  assert.deepEqual(OpenId.init({ override: {} }), { tesseraRecipe: "openid" });
  assert.deepEqual(JWT.init({ jwtValiditySeconds: 0 }), { tesseraRecipe: "jwt", jwtValiditySeconds: 0 });
  // Other recipes are still refused by Tessera.init.
  throwsWith(
    () => Tessera.init({ appInfo, supertokens: { connectionURI: "sqlite::memory:" }, recipeList: [{ init: 1 }] }),
    "NOT_SUPPORTED",
    /JWT\.init/,
  );
});

test("getOpenIdDiscoveryConfiguration: the issuer and jwks_uri, from every entry point", async () => {
  init([Session.init(), OpenId.init()]);
  const doc = await OpenId.getOpenIdDiscoveryConfiguration();
  assert.equal(doc.status, "OK");
  assert.equal(doc.issuer, ISSUER);
  assert.equal(doc.jwks_uri, `${ISSUER}/jwt/jwks.json`);
  assert.equal(doc.token_endpoint, `${ISSUER}/oauth/token`);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ["RS256"]);
  assert.deepEqual(await Session.getOpenIdDiscoveryConfiguration({}), doc);
  // createJWT's default iss is the document's issuer.
  assert.equal(part((await OpenId.createJWT({})).jwt, 1).iss, doc.issuer);

  init([Session.init()], { apiBasePath: "/custom" });
  const custom = await SessionNamed.getOpenIdDiscoveryConfiguration();
  assert.equal(custom.issuer, "http://localhost:3001/custom");
  assert.equal(custom.jwks_uri, "http://localhost:3001/custom/jwt/jwks.json");
});

for (const [framework, start] of [
  ["express", expressApp],
  ["fastify", fastifyApp],
]) {
  test(`${framework}: GET /auth/.well-known/openid-configuration answers the discovery document`, async () => {
    init([Session.init(), JWT.init(), OpenId.init()]);
    const { status, ...doc } = await OpenId.getOpenIdDiscoveryConfiguration();
    assert.equal(status, "OK");
    const app = await start();
    try {
      const res = await app.fetch("/auth/.well-known/openid-configuration");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(await res.json(), doc);
      // The jwks_uri it names is served, and lists the key createJWT signs with.
      const { jwt } = await JWT.createJWT({});
      const jwks = await app.fetch(new URL(doc.jwks_uri).pathname);
      assert.equal(jwks.status, 200);
      assert.ok((await jwks.json()).keys.some((k) => k.kid === part(jwt, 0).kid));
    } finally {
      await app.close();
    }
  });
}

test("the entry points: default and named exports, shared by session, jwt and openid", () => {
  assert.equal(JWTNamed.createJWT, JWT.createJWT);
  assert.equal(JWTNamed.getJWKS, JWT.getJWKS);
  assert.equal(JWTNamed.init, JWT.init);
  assert.equal(OpenIdNamed.init, OpenId.init);
  assert.equal(OpenIdNamed.getOpenIdDiscoveryConfiguration, OpenId.getOpenIdDiscoveryConfiguration);
  for (const mod of [Session, SessionNamed, OpenId, OpenIdNamed]) {
    assert.equal(mod.createJWT, JWT.createJWT);
    assert.equal(mod.getJWKS, JWT.getJWKS);
  }
  assert.equal(Session.getOpenIdDiscoveryConfiguration, OpenId.getOpenIdDiscoveryConfiguration);
  assert.equal(SessionNamed.getOpenIdDiscoveryConfiguration, OpenId.getOpenIdDiscoveryConfiguration);
});

test("jwt-typed.test.ts compiles under strict", () => {
  const { status, output } = typeCheck("test/jwt-typed.test.ts");
  assert.equal(status, 0, output);
});
