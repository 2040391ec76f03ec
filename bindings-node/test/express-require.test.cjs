// `require` of the CommonJS build works as `import` does.
const { test } = require("node:test");
const assert = require("node:assert/strict");

test("require() of every entry point", () => {
  const Tessera = require("tessera-session");
  const Session = require("tessera-session/recipe/session");
  const { verifySession } = require("tessera-session/recipe/session/framework/express");
  const { middleware, errorHandler } = require("tessera-session/framework/express");
  assert.equal(typeof Tessera.default.init, "function");
  assert.equal(typeof Tessera.init, "function");
  assert.equal(typeof Tessera.Error, "function");
  assert.equal(typeof Session.default.init, "function");
  assert.equal(typeof Session.createNewSession, "function");
  assert.equal(typeof verifySession, "function");
  assert.equal(typeof middleware, "function");
  assert.equal(typeof errorHandler, "function");
  assert.equal(Session.Error, Tessera.Error);
  assert.equal(Tessera.convertToRecipeUserId("x").getAsString(), "x");
});

test("require() of the JWT and OpenID entry points", async () => {
  const Tessera = require("tessera-session");
  const Session = require("tessera-session/recipe/session");
  const JWT = require("tessera-session/recipe/jwt");
  const OpenId = require("tessera-session/recipe/openid");
  assert.equal(JWT.default.createJWT, JWT.createJWT);
  assert.equal(OpenId.default.getOpenIdDiscoveryConfiguration, OpenId.getOpenIdDiscoveryConfiguration);
  assert.equal(OpenId.createJWT, JWT.createJWT);
  assert.equal(Session.getJWKS, JWT.getJWKS);
  Tessera.init({
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
    recipeList: [Session.init(), JWT.init({ jwtValiditySeconds: 10 }), OpenId.init()],
  });
  const { jwt } = await JWT.createJWT({ a: 1 });
  const payload = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
  assert.equal(payload.exp - payload.iat, 10);
  assert.equal((await OpenId.getOpenIdDiscoveryConfiguration()).issuer, "http://localhost:3001/auth");
});
