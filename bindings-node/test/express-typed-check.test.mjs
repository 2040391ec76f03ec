// The published .d.ts compiles under `strict` against a typed Express sample.
import { test } from "node:test";
import assert from "node:assert/strict";
import { typeCheck } from "../testlib/tsc.mjs";

test("express-typed.test.ts compiles under strict", () => {
  const { status, output } = typeCheck("test/express-typed.test.ts");
  assert.equal(status, 0, output);
});
