// The published .d.ts compiles under `strict` against a typed Express sample.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

test("express-typed.test.ts compiles under strict", () => {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(
    process.execPath,
    [tsc, "--noEmit", "--strict", "--esModuleInterop", "--skipLibCheck", "--module", "node16", "--moduleResolution", "node16",
      "--target", "ES2022", "--types", "node", path.join(root, "test", "express-typed.test.ts")],
    { cwd: root, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
