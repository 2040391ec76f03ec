// Not under test/: node --test runs every script in a test directory.
// Requests the override suites send to an app serving, its framework's own way: POST /signin (a
// session for user-1), GET /getJWT (verifySession() -> {token}), GET /optional (sessionRequired
// false -> {hasSession}) and the core's endpoints under /auth; and `scenario`, the answers of such
// an app as they are compared between two configurations that must answer alike.
import { setCookies, signIn } from "./seed.mjs";
import { cookieHeader } from "./cookies.mjs";

export async function signInCookies(app) {
  return setCookies(await signIn(app, "cookie"));
}

export function signOut(app, cookies, extra = {}) {
  return app.fetch("/auth/signout", {
    method: "POST",
    headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session", ...extra },
  });
}

export function refresh(app, cookies) {
  return app.fetch("/auth/session/refresh", {
    method: "POST",
    headers: { cookie: cookieHeader({ sRefreshToken: cookies.sRefreshToken.value }), rid: "session" },
  });
}

export function getJWT(app, cookies) {
  return app.fetch("/getJWT", { headers: { cookie: cookieHeader({ sAccessToken: cookies.sAccessToken.value }), rid: "session" } });
}

/** The headers that carry a token, whose values differ from run to run. */
const TOKEN_HEADERS = new Set(["front-token", "st-access-token", "st-refresh-token", "anti-csrf"]);
/** The headers of the transport rather than of the answer. */
const TRANSPORT_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding", "set-cookie"]);

/** A response as it is compared between runs: the token values and the expiry times of the
 * cookies that carry tokens replaced by placeholders, everything else as sent. */
export async function shape(res) {
  const headers = [...res.headers]
    .filter(([name]) => !TRANSPORT_HEADERS.has(name))
    .map(([name, value]) => [name, TOKEN_HEADERS.has(name) && value !== "remove" ? "<token>" : value]);
  const cookies = res.headers
    .getSetCookie()
    .map((c) => {
      const value = c.slice(c.indexOf("=") + 1).split(";")[0];
      if (value === "") return c;
      return c.replace(/=[^;]*/, "=<token>").replace(/Expires=[^;]*/i, "Expires=<time>");
    })
    .sort();
  return { status: res.status, body: await res.text(), headers, cookies };
}

/** Sign-in, refresh, a protected route, sign-out and the JWKS, as compared between runs. */
export async function scenario(app) {
  const first = await signInCookies(app);
  const refreshed = await refresh(app, first);
  const second = setCookies(refreshed.clone());
  const route = await getJWT(app, second);
  const signedOut = await signOut(app, second);
  const jwks = await app.fetch("/auth/jwt/jwks.json");
  const unauthorised = await app.fetch("/auth/signout", { method: "POST", headers: { rid: "session" } });
  const noToken = await refresh(app, { sRefreshToken: { value: "" } });
  const out = {};
  for (const [name, res] of Object.entries({ refreshed, route, signedOut, jwks, unauthorised, noToken })) {
    out[name] = await shape(res);
  }
  out.jwks.body = JSON.parse(out.jwks.body).keys.length > 0;
  // The app's own answer, with the token in it.
  out.route = out.route.status;
  return out;
}
