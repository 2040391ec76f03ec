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
