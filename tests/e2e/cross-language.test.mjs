// The example backends at once on one SQLite file, each on its own port: a session made in one
// language is verified, refreshed and revoked in the others, because they share the store (and
// so the signing keys and the refresh-token state). Run by scripts/e2e-test.sh.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backends, freePort, startBackend } from "../../examples/launch.mjs";

const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
const app = {};

before(async () => {
  const env = { TESSERA_SQLITE_PATH: join(dir, "shared.sqlite3") };
  // All at once: several processes opening (and migrating) a new store file together is part
  // of what is tested.
  const started = await Promise.all(backends.map(async (b) => startBackend(b, await freePort(), env)));
  backends.forEach((b, i) => (app[b.id] = started[i]));
});

after(async () => {
  await Promise.all(Object.values(app).map((a) => a.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const others = (id) => backends.filter((b) => b.id !== id).map((b) => app[b.id]);
// Header mode, as a mobile app or the frontend SDK with tokenTransferMethod "header" sends it.
const headers = (token) => ({ "st-auth-mode": "header", rid: "session", authorization: `Bearer ${token}` });

async function signIn(a, userId) {
  const res = await fetch(`${a.url}/signin`, {
    method: "POST",
    headers: { "content-type": "application/json", "st-auth-mode": "header" },
    body: JSON.stringify({ userId }),
  });
  assert.equal(res.status, 200, `${a.name}: ${await res.text()}`);
  return tokens(res);
}

function tokens(res) {
  const accessToken = res.headers.get("st-access-token");
  const refreshToken = res.headers.get("st-refresh-token");
  assert.ok(accessToken && refreshToken, "access and refresh tokens in the response headers");
  return { accessToken, refreshToken };
}

const refresh = (a, refreshToken) =>
  fetch(`${a.url}/auth/session/refresh`, { method: "POST", headers: headers(refreshToken) });

/** GET `path` on `a` with the access token; the status, and the body when it is 200. */
async function get(a, path, accessToken) {
  const res = await fetch(`${a.url}${path}`, { headers: headers(accessToken) });
  return { status: res.status, body: await res.json() };
}

async function assertAccepted(a, accessToken, userId) {
  assert.deepEqual(await get(a, "/getJWT", accessToken), { status: 200, body: { token: accessToken } }, a.name);
  const info = await get(a, "/sessioninfo", accessToken);
  assert.equal(info.status, 200, `${a.name}: ${JSON.stringify(info.body)}`);
  assert.equal(info.body.userId, userId, a.name);
}

test("a session made by Python is accepted and refreshed by the others; its old refresh token is then refused", async () => {
  const user = "cross-language-user";
  const first = await signIn(app.python, user);
  for (const a of others("python")) await assertAccepted(a, first.accessToken, user);

  // Each refresh rotates the refresh token in the shared store; after two rotations the first
  // token is past the grace window that covers a lost refresh response, whatever its length.
  const refreshers = others("python");
  if (refreshers.length < 2) refreshers.push(app.node);
  let current = first;
  for (const a of refreshers) {
    const res = await refresh(a, current.refreshToken);
    assert.equal(res.status, 200, `${a.name} refreshes: ${await res.clone().text()}`);
    current = tokens(res);
    assert.notEqual(current.refreshToken, first.refreshToken);
    for (const b of backends) await assertAccepted(app[b.id], current.accessToken, user);
  }

  const reuse = await refresh(app.python, first.refreshToken);
  assert.equal(reuse.status, 401);
  assert.deepEqual(await reuse.json(), { message: "token theft detected" });
  // Reuse revokes the session for every backend.
  for (const b of backends) {
    assert.equal((await get(app[b.id], "/sessioninfo", current.accessToken)).status, 401, b.name);
  }
});

test("a session revoked by Node is refused by the others when they check the database", async () => {
  const user = "revoked-user";
  const { accessToken } = await signIn(app.python, user);
  for (const b of backends) await assertAccepted(app[b.id], accessToken, user);

  const signOut = await fetch(`${app.node.url}/auth/signout`, { method: "POST", headers: headers(accessToken) });
  assert.equal(signOut.status, 200);
  assert.deepEqual(await signOut.json(), { status: "OK" });

  for (const a of others("node")) {
    assert.deepEqual(await get(a, "/sessioninfo", accessToken), { status: 401, body: { message: "unauthorised" } }, a.name);
    // Without the database check a signed access token stays valid until it expires: that is
    // what checkDatabase / check_database is for.
    assert.equal((await get(a, "/getJWT", accessToken)).status, 200, a.name);
  }
});

