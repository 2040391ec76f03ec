// The shape of the native verifySession's answer and of its headers argument, which the facade
// (recipe/session/common.ts) and the shared-vector runner both rely on.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const native = createRequire(import.meta.url)("../native.js");
const URL = "http://localhost:3001";
const engine = new native.Engine(
  JSON.stringify({ appInfo: { appName: "a", apiDomain: URL, websiteDomain: URL }, session: {}, connectionURI: "sqlite::memory:" }),
);
const token = (await engine.createNewSessionWithoutRequestResponse("public", "u1", "{}", "{}", true)).accessToken;
const verify = (headers, required = true) => engine.verifySession("GET", "/x", headers, required, null, false);

test("verifySession returns the session alone when the response needs no change", () => {
  const s = verify(["host", "localhost", "cookie", `sAccessToken=${token}`]);
  assert.ok(s instanceof native.Session);
  assert.equal(s.userId, "u1");
  assert.equal(s.accessToken, token);
});

test("verifySession returns null for no session when none is required", () => {
  assert.equal(verify([], false), null);
});

test("verifySessionAsync answers in the same shapes", async () => {
  const args = ["GET", "/x", ["authorization", `Bearer ${token}`], true, null, true];
  const s = await engine.verifySessionAsync(...args);
  assert.ok(s instanceof native.Session);
  assert.equal(s.userId, "u1");
  assert.equal(await engine.verifySessionAsync("GET", "/x", [], false, null, false), null);
});

test("headers are a flat list of names and values: an odd length is an input error", () => {
  assert.throws(() => verify(["cookie"]), (e) => e.code === "INVALID_INPUT");
});
