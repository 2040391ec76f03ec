// The published .d.ts compiles under `strict` against a typed sample of each framework
// integration written as supertokens-node's docs write it (Express: express-typed-check).
import { test } from "node:test";
import assert from "node:assert/strict";
import { typeCheck } from "../testlib/tsc.mjs";

for (const [sample, options] of [
  ["test/loopback-typed.test.ts", { decorators: true }],
  ["test/nestjs-typed.test.ts", { decorators: true }],
  ["test/nextjs-typed.test.ts", {}],
  ["test/docs-typed.test.ts", {}],
]) {
  test(`${sample} compiles under strict`, () => {
    const { status, output } = typeCheck(sample, options);
    assert.equal(status, 0, output);
  });
}
