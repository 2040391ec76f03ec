// The official SuperTokens frontend SDK (supertokens-web-js), in Debian's chromium, on the demo
// page (examples/web) against every example backend. Run by scripts/browser-test.sh.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { backends, freePort, startBackend, startWeb } from "../../examples/launch.mjs";

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Short enough to see the SDK refresh by itself, long enough to compare tokens before expiry.
const ACCESS_TOKEN_VALIDITY = 3;
const screenshotPath = process.env.DEMO_SCREENSHOT;

let browser;
const store = mkdtempSync(join(tmpdir(), "tessera-browser-"));

before(async () => {
  try {
    browser = await chromium.launch({ executablePath });
  } catch (e) {
    throw new Error(`cannot start Chromium at ${executablePath} (apt-get install chromium): ${e.message}`);
  }
});

after(async () => {
  await browser?.close();
  rmSync(store, { recursive: true, force: true });
});

/** The page pointed at `api`, with helpers that drive it as a user does and read what it shows. */
async function openPage(t, { web, api }, mode) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 640 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const refreshes = [];
  page.on("request", (r) => r.url().endsWith("/auth/session/refresh") && refreshes.push(r));
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  let done = 0;
  const act = async (fn) => {
    await fn();
    done += 1;
    await page.waitForFunction((n) => Number(document.body.dataset.done) >= n, done);
    const error = await text("error");
    assert.equal(error, "", `the page shows an error: ${error}\n${api.name}'s output:\n${api.output()}`);
  };
  const text = (id) => page.locator(`#${id}`).textContent();
  await page.goto(`${web.url}?${new URLSearchParams({ api: api.url, mode })}`);
  try {
    await act(async () => {});
  } finally {
    assert.deepEqual(errors, [], "no script errors on the page");
  }
  return {
    page,
    mode,
    refreshes,
    text,
    signIn: (user) => act(() => page.locator("#user").fill(user).then(() => page.locator("#signIn button").click())),
    getJWT: () => act(() => page.locator("#callGetJWT").click()),
    signOut: () => act(() => page.locator("#signOut").click()),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jwtPayload = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url"));

/** Sign-in, user id, getAccessToken() against /getJWT, refresh after expiry, sign-out. */
async function sessionLifecycle(ui, user, { exposed, screenshot }) {
  // A fresh browser may have a session it cannot see (HttpOnly cookies): the SDK asks
  // /auth/session/refresh once on load. Count only the refreshes after sign-in.
  const before = ui.refreshes.length;
  await ui.signIn(user);
  const signedInAt = Date.now();
  assert.equal(await ui.text("exists"), "yes");
  assert.equal(await ui.text("userId"), user);
  const first = await ui.text("jwt");
  assert.equal(jwtPayload(first).sub, user);
  assert.equal(await ui.text("accessToken"), exposed ? first : "undefined");
  assert.equal(JSON.parse(await ui.text("payload")).sub, user);
  assert.equal(ui.refreshes.length, before, "no refresh while the access token is fresh");
  const cookies = await ui.page.context().cookies();
  const accessTokenCookie = cookies.find((c) => c.name === "sAccessToken");
  assert.equal(accessTokenCookie?.httpOnly, ui.mode === "cookie" ? true : undefined, "tokens travel as the mode says");

  if (screenshot) {
    mkdirSync(dirname(screenshot), { recursive: true });
    await ui.page.screenshot({ path: screenshot });
  }

  await sleep(signedInAt + ACCESS_TOKEN_VALIDITY * 1000 + 500 - Date.now());
  await ui.getJWT();
  assert.ok(ui.refreshes.length > before, "the SDK called /auth/session/refresh by itself");
  const second = await ui.text("jwt");
  assert.notEqual(second, first);
  assert.equal(jwtPayload(second).sub, user);
  assert.equal(await ui.text("accessToken"), exposed ? second : "undefined");
  assert.equal(await ui.text("exists"), "yes");

  await ui.signOut();
  assert.equal(await ui.text("exists"), "no");
  assert.equal(await ui.text("jwt"), "401 unauthorised");
}

for (const backend of backends) {
  describe(backend.name, () => {
    /** The backend, configured by its environment, and the page on its own origin. */
    const start = async (t, expose) => {
      const webPort = await freePort();
      const env = {
        WEBSITE_DOMAIN: `http://localhost:${webPort}`,
        EXPOSE_ACCESS_TOKEN: String(expose),
        ACCESS_TOKEN_VALIDITY: String(ACCESS_TOKEN_VALIDITY),
        TESSERA_SQLITE_PATH: join(store, `${backend.id}.sqlite3`),
      };
      const api = await startBackend(backend, await freePort(), env);
      t.after(api.stop);
      const web = await startWeb(webPort, [api]);
      t.after(web.stop);
      return { web, api };
    };

    test("cookies, access token exposed: getAccessToken() is the /getJWT token", async (t) => {
      const apps = await start(t, true);
      const ui = await openPage(t, apps, "cookie");
      await sessionLifecycle(ui, "alice", {
        exposed: true,
        screenshot: backend === backends[0] ? screenshotPath : undefined,
      });
    });

    test("access token not exposed: undefined with cookies, the JWT with headers", async (t) => {
      const apps = await start(t, false);
      const cookies = await openPage(t, apps, "cookie");
      const headers = await openPage(t, apps, "header");
      await Promise.all([
        sessionLifecycle(cookies, "bob", { exposed: false }),
        sessionLifecycle(headers, "carol", { exposed: true }),
      ]);
    });
  });
}
