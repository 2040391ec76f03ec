// Not under test/: node --test runs every script in a test directory.
// Type-checks a typed sample against the published .d.ts, as a user's strict project would.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** `tsc --noEmit --strict` on `bindings-node/<file>`; `decorators` adds the legacy decorator
 * options that LoopBack and NestJS apps compile with. Returns `{status, output}`. */
export function typeCheck(file, { decorators = false } = {}) {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const flags = ["--noEmit", "--strict", "--esModuleInterop", "--skipLibCheck", "--module", "node16",
    "--moduleResolution", "node16", "--target", "ES2022", "--types", "node"];
  if (decorators) flags.push("--experimentalDecorators", "--emitDecoratorMetadata");
  const r = spawnSync(process.execPath, [tsc, ...flags, path.join(root, file)], { cwd: root, encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}
