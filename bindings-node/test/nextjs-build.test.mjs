// The one `next build` smoke test: a tiny app-router app (testlib/next-app) with
// `serverExternalPackages: ["tessera-session"]` builds with Next's default bundler, and `next start`
// serves its routes with the addon loaded by Node (401 without a session, the seed's token with
// one). Direct handler calls (nextjs.test.mjs) cannot catch bundling the native addon.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** Runs `next <args>` in `cwd`; resolves with its output once it exits, or once `ready(output)`
 * holds (then the process is left running and returned). */
function next(args, cwd, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], {
      cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TESSERA_SMOKE_DB: path.join(cwd, "sessions.db") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const onData = (chunk) => {
      output += chunk;
      if (ready?.(output)) resolve({ child, output });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && !ready) resolve({ output });
      else reject(new Error(`next ${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
}

/** `.node` files under `dir`, not following symlinks (Next links external packages into `.next`). */
function addonCopies(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return addonCopies(p);
    return e.isFile() && e.name.endsWith(".node") ? [p] : [];
  });
}

test("next build bundles an app-router route using withSession; next start serves it", { timeout: 240_000 }, async () => {
  // Inside bindings-node so that Next finds `next` and `react` in its node_modules (Turbopack
  // compiles nothing outside the workspace root, which symlinks would point to).
  const app = fs.mkdtempSync(path.join(root, ".next-smoke-"));
  let server;
  try {
    fs.cpSync(path.join(root, "testlib", "next-app"), app, { recursive: true });
    // tessera-session as `npm install` lays it out: a real directory in node_modules, which is what
    // serverExternalPackages matches. The addon binary is linked, not copied (it is large).
    const pkg = path.join(app, "node_modules", "tessera-session");
    fs.mkdirSync(pkg, { recursive: true });
    for (const f of ["package.json", "native.js", "dist"]) fs.cpSync(path.join(root, f), path.join(pkg, f), { recursive: true });
    for (const f of fs.readdirSync(root).filter((f) => f.endsWith(".node"))) fs.symlinkSync(path.join(root, f), path.join(pkg, f));

    await next(["build"], app);
    assert.deepEqual(addonCopies(path.join(app, ".next")), [], "the addon is loaded from node_modules, not bundled");

    const started = await next(["start", "-p", "0", "-H", "127.0.0.1"], app, (out) => /http:\/\/127\.0\.0\.1:\d+/.test(out));
    server = started.child;
    const base = started.output.match(/http:\/\/127\.0\.0\.1:\d+/)[0];

    const anonymous = await fetch(`${base}/api/getJWT`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { message: "unauthorised" });

    const signin = await fetch(`${base}/api/signin`, { method: "POST", headers: { "st-auth-mode": "header" } });
    assert.equal(signin.status, 200, await signin.clone().text());
    const token = signin.headers.get("st-access-token");
    assert.ok(token);
    const jwt = await fetch(`${base}/api/getJWT`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(jwt.status, 200);
    assert.deepEqual(await jwt.json(), { token });
  } finally {
    if (server !== undefined) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill();
      await exited;
    }
    fs.rmSync(app, { recursive: true, force: true });
  }
});
