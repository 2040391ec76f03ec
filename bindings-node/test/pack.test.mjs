// What `npm pack` ships is what users install: the tarball must carry the compiled facade, the
// generated loader and the `.node` addon, and nothing of the sources or tests. The check installs
// the tarball into a fresh project and uses it there, from CommonJS and from ESM. The package has
// no runtime dependencies, so the install needs no network: the registry is pointed at a closed
// port (npm still asks it about the optional peers, and carries on when it cannot reach it).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const offline = [
  "--no-audit",
  "--no-fund",
  "--ignore-scripts",
  "--no-update-notifier",
  "--registry=http://127.0.0.1:9/",
  "--fetch-retries=0",
];

const cjsCheck = `
const Tessera = require("tessera-session");
const Session = require("tessera-session/recipe/session");
const { BooleanClaim } = require("tessera-session/recipe/session/claims");
const JWT = require("tessera-session/recipe/jwt");
Tessera.init({
  supertokens: { connectionURI: "sqlite:" + process.argv[2] },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init({}), JWT.init()],
});
(async () => {
  const created = await Session.createNewSessionWithoutRequestResponse("public", Tessera.convertToRecipeUserId("u-cjs"));
  const s = await Session.getSessionWithoutRequestResponse(created.getAccessToken());
  if (s.getUserId() !== "u-cjs" || s.getHandle() !== created.getHandle()) throw new Error("wrong session");
  const claim = new BooleanClaim({ key: "c", fetchValue: () => true });
  await s.assertClaims([claim.validators.isTrue()]);
  if ((await s.getClaimValue(claim)) !== true) throw new Error("claim not fetched");
  const { jwt } = await JWT.createJWT({ a: 1 });
  const { kid } = JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString());
  if (!(await JWT.getJWKS()).keys.some((k) => k.kid === kid)) throw new Error("createJWT's key is not in the JWKS");
  console.log(created.getAccessToken());
})();
`;

const esmCheck = `
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { PrimitiveArrayClaim } from "tessera-session/recipe/session/claims";
import OpenId from "tessera-session/recipe/openid";
Tessera.init({
  supertokens: { connectionURI: "sqlite:" + process.argv[2] },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init({})],
});
const s = await Session.getSessionWithoutRequestResponse(process.argv[3]);
if (s.getUserId() !== "u-cjs") throw new Error("wrong session");
const roles = new PrimitiveArrayClaim({ key: "roles", fetchValue: () => ["admin"] });
await s.assertClaims([roles.validators.includes("admin")]);
if ((await OpenId.getOpenIdDiscoveryConfiguration()).issuer !== "http://localhost:3001/auth") throw new Error("issuer");
console.log("ok");
`;

test("npm pack ships a working addon, installable without the network", async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "tessera-pack-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));

  const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", tmp, ...offline], { cwd: pkgDir });
  const [packed] = JSON.parse(stdout);
  const files = packed.files.map((f) => f.path);
  for (const needed of ["package.json", "native.js", "native.d.ts", "dist/index.js", "dist/index.mjs", "dist/index.d.ts"]) {
    assert.ok(files.includes(needed), `${needed} is not in the tarball`);
  }
  assert.ok(
    files.some((f) => /^tessera\.[\w-]+\.node$/.test(f)),
    "no .node addon in the tarball",
  );
  const unwanted = files.filter((f) => /^(src|test|testlib|node_modules)\/|^Cargo\.toml$|^build\.rs$|\.rs$/.test(f));
  assert.deepEqual(unwanted, [], "sources or tests in the tarball");

  const project = join(tmp, "app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true }));
  await run(npm, ["install", "--no-package-lock", ...offline, join(tmp, packed.filename)], { cwd: project });
  assert.deepEqual(
    readdirSync(join(project, "node_modules")).filter((f) => !f.startsWith(".")),
    ["tessera-session"],
  );

  writeFileSync(join(project, "check.cjs"), cjsCheck);
  writeFileSync(join(project, "check.mjs"), esmCheck);
  const db = join(tmp, "sessions.sqlite3");
  const cjs = await run(process.execPath, ["check.cjs", db], { cwd: project });
  const token = cjs.stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const esm = await run(process.execPath, ["check.mjs", db, token], { cwd: project });
  assert.equal(esm.stdout.trim(), "ok");
});
