// The session flows the official frontend SDK drives (sign-in, verification, payload merge,
// refresh, rotation and theft, sign-out, revocation), run against each app with its own
// authority: Tessera with its embedded store, supertokens-node with the stub core. Each app has
// its own client (`Client`: the frontend's token storage and a browser's cookie jar), so a step
// sends each app the tokens that app issued; the answers are compared after normalising what is
// random or time-based (`flowNormalise`: token strings become their shape and claims, hashes and
// handles their relation to the tokens around them, times their distance from now).
import crypto from "node:crypto";
import { CORE_DEFAULTS } from "./stub-core.mjs";

export const REFRESH = "/auth/session/refresh";
export const SIGNOUT = "/auth/signout";
const FDI = [["fdi-version", "1.18,2.0,3.0,3.1,4.0"]];
const ONE_YEAR_MS = 31_536_000_000;

// --- the app's flow routes ---------------------------------------------------------------------

const PAYLOADS = {
  plain: { role: "flow", nested: { a: [1, "x"], b: null }, n: 1.5 },
  protected: { role: "flow", sub: "someone-else", exp: 1, tId: "other", sessionHandle: "h", iss: "https://evil.example" },
  empty: {},
};

/** The session as the flow routes echo it (tokens, handle, payload); `flowNormalise` turns the
 * echo into shapes. */
const echo = (s) => ({
  userId: s.getUserId(),
  tenantId: s.getTenantId(),
  handle: s.getHandle(),
  accessToken: s.getAccessToken(),
  payload: s.getAccessTokenPayload(),
});

/** The routes of the flows, in harness.mjs `ROUTES`'s form (frameworks.mjs serves both). */
export const FLOW_ROUTES = [
  {
    method: "POST",
    path: "/flow/signin",
    answer: async ({ lib, req, res, query }) => {
      const user = String(query.user ?? "flow-user");
      const payload = PAYLOADS[String(query.payload ?? "plain")];
      return echo(await lib.Session.createNewSession(req, res, "public", lib.root.convertToRecipeUserId(user), payload, { note: "db" }));
    },
  },
  ...[
    ["/flow/me", {}],
    ["/flow/optional", { sessionRequired: false }],
    ["/flow/db", { checkDatabase: true }],
  ].map(([path, verify]) => ({ method: "ALL", path, verify, answer: ({ session }) => (session ? echo(session) : { session: null }) })),
  {
    method: "POST",
    path: "/flow/merge",
    verify: {},
    answer: async ({ session }) => {
      await session.mergeIntoAccessTokenPayload({ merged: true, role: null, n: 2 });
      return echo(session);
    },
  },
  {
    method: "POST",
    path: "/flow/revoke",
    verify: {},
    answer: async ({ session }) => {
      await session.revokeSession();
      return { revoked: true };
    },
  },
  {
    method: "POST",
    path: "/flow/data",
    verify: {},
    answer: async ({ session: s }) => {
      const before = await s.getSessionDataFromDatabase();
      await s.updateSessionDataInDatabase({ note: "updated", list: [1] });
      const after = await s.getSessionDataFromDatabase();
      return { before, after, timeCreated: await s.getTimeCreated(), expiry: await s.getExpiry() };
    },
  },
];

// --- the client ------------------------------------------------------------------------------

/** What a browser and the frontend SDK keep: the cookies the app set (value as written, path),
 * and the tokens of the response headers (`st-access-token`, `st-refresh-token`, `anti-csrf`,
 * `front-token`; an empty value or `front-token: remove` drops them, as the SDK does). */
export class Client {
  constructor(mode) {
    this.mode = mode;
    this.cookies = new Map();
    this.tokens = {};
    this.saved = {};
  }

  snapshot() {
    const c = new Client(this.mode);
    c.cookies = new Map(this.cookies);
    c.tokens = { ...this.tokens };
    return c;
  }

  apply(answer) {
    for (const line of [].concat(answer.headers["set-cookie"] ?? [])) {
      const c = parseSetCookie(line);
      const expired = c.attrs.expires !== undefined && Date.parse(c.attrs.expires) <= Date.now();
      if (c.value === "" || expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, { value: c.value, path: c.attrs.path ?? "/" });
    }
    const h = answer.headers;
    for (const [header, key] of [["st-access-token", "access"], ["st-refresh-token", "refresh"], ["anti-csrf", "antiCsrf"]]) {
      if (h[header] === undefined) continue;
      if (h[header] === "") delete this.tokens[key];
      else this.tokens[key] = h[header];
    }
    if (h["front-token"] === "remove") this.tokens = {};
    else if (h["front-token"] !== undefined) this.tokens.front = h["front-token"];
  }

  /** A Cookie header with the named cookies (all the browser holds for `path` if no names). */
  cookie(path, names) {
    const pairs = [...this.cookies]
      .filter(([name, c]) => (names ? names.includes(name) : path.startsWith(c.path)))
      .map(([name, c]) => `${name}=${c.value}`);
    return pairs.length ? [["cookie", pairs.join("; ")]] : [];
  }

  bearer(which) {
    return this.tokens[which] ? [["authorization", `Bearer ${this.tokens[which]}`]] : [];
  }

  antiCsrf() {
    return this.tokens.antiCsrf ? [["anti-csrf", this.tokens.antiCsrf]] : [];
  }

  /** The headers supertokens-website adds to an API call (spec §4.3). */
  browser(path) {
    const auth = this.tokens.access && this.tokens.refresh ? this.bearer("access") : [];
    return [...this.cookie(path), ...auth, ...this.antiCsrf(), ["rid", "anti-csrf"], ["st-auth-mode", this.mode]];
  }

  /** The headers of its refresh call. */
  refreshCall() {
    return [...this.cookie(REFRESH), ...this.bearer("refresh"), ...this.antiCsrf(), ["rid", "session"], ...FDI, ["st-auth-mode", this.mode]];
  }

  /** The access token the client would send (its header copy, else its cookie). */
  get accessToken() {
    const c = this.cookies.get("sAccessToken");
    return this.tokens.access ?? (c ? decodeURIComponent(c.value) : undefined);
  }

  get refreshToken() {
    const c = this.cookies.get("sRefreshToken");
    return this.tokens.refresh ?? (c ? decodeURIComponent(c.value) : undefined);
  }
}

function parseSetCookie(line) {
  const [pair, ...rest] = line.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const attrs = {};
  const order = [];
  for (const a of rest) {
    const i = a.indexOf("=");
    const k = (i < 0 ? a : a.slice(0, i)).toLowerCase();
    order.push(k);
    attrs[k] = i < 0 ? true : a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs, order };
}

// --- the scripts -----------------------------------------------------------------------------

/**
 * The steps of one group. A step is {name, method, path, headers(ctx), use, apply, snapshot,
 * sleep}: `ctx` holds each mode's client (`ctx.cookie`, `ctx.header`, and `ctx.saved`
 * snapshots); `use` names the client the step is about (its tokens are "the sent ones" in the
 * normalisation), `apply` whether its answer updates that client, `snapshot` saves the client
 * (before the step) under a name, `sleep` waits (ms) before the step.
 */
export function flowSteps(group) {
  const steps = [];
  const add = (step) => steps.push({ method: "POST", apply: false, ...step });
  const f = group.flows ?? {};
  const modes = f.modes ?? ["cookie", "header"];
  const viaToken = group.session.antiCsrf === "VIA_TOKEN";

  for (const m of f.basic === false ? [] : modes) {
    const c = (ctx) => ctx[m];
    const p = `${m}`;
    add({ name: `${p}/signin`, path: "/flow/signin?user=u-" + m, use: m, apply: true, headers: () => [["st-auth-mode", m]] });
    add({ name: `${p}/me/GET`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });
    add({ name: `${p}/me/POST`, path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });
    add({ name: `${p}/me/POST_no_anti_csrf_no_rid`, path: "/flow/me", use: m, headers: (ctx) => [...c(ctx).cookie("/flow/me"), ...(c(ctx).tokens.refresh ? c(ctx).bearer("access") : [])] });
    add({ name: `${p}/optional/GET`, method: "GET", path: "/flow/optional", use: m, headers: (ctx) => c(ctx).browser("/flow/optional") });
    add({ name: `${p}/db/GET`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => c(ctx).browser("/flow/db") });
    add({ name: `${p}/data`, path: "/flow/data", use: m, headers: (ctx) => c(ctx).browser("/flow/data") });
    add({ name: `${p}/merge`, path: "/flow/merge", use: m, apply: true, snapshot: `${m}-before-merge`, headers: (ctx) => c(ctx).browser("/flow/merge") });
    add({ name: `${p}/me/after_merge`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });
    add({ name: `${p}/me/pre_merge_token`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => ctx.saved[`${m}-before-merge`].browser("/flow/me") });
    add({ name: `${p}/db/pre_merge_token`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => ctx.saved[`${m}-before-merge`].browser("/flow/db") });
    if (viaToken && m === "cookie") {
      add({ name: `${p}/refresh/anti_csrf_missing`, path: REFRESH, use: m, headers: (ctx) => c(ctx).refreshCall().filter(([k]) => k !== "anti-csrf") });
      add({ name: `${p}/refresh/anti_csrf_wrong`, path: REFRESH, use: m, headers: (ctx) => [...c(ctx).refreshCall().filter(([k]) => k !== "anti-csrf"), ["anti-csrf", "wrong"]] });
    }
    add({ name: `${p}/refresh`, path: REFRESH, use: m, apply: true, snapshot: `${m}-before-refresh`, headers: (ctx) => c(ctx).refreshCall() });
    add({ name: `${p}/me/after_refresh`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });
    add({ name: `${p}/db/after_refresh`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => c(ctx).browser("/flow/db") });
    add({ name: `${p}/db/pre_refresh_token`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => ctx.saved[`${m}-before-refresh`].browser("/flow/db") });
    add({
      name: `${p}/refresh/old_token_within_grace`,
      path: REFRESH,
      use: m,
      apply: true,
      snapshot: `${m}-before-grace-refresh`,
      headers: (ctx) => ctx.saved[`${m}-before-refresh`].refreshCall(),
    });
    add({ name: `${p}/refresh/orphaned_token`, path: REFRESH, use: m, headers: (ctx) => ctx.saved[`${m}-before-grace-refresh`].refreshCall() });
    add({ name: `${p}/after_theft/me`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });
    add({ name: `${p}/after_theft/db`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => c(ctx).browser("/flow/db") });
    add({ name: `${p}/after_theft/refresh_current`, path: REFRESH, use: m, headers: (ctx) => c(ctx).refreshCall() });

    // A second session: hostile refreshes, then sign-out.
    add({ name: `${p}/signin2`, path: "/flow/signin?user=u2-" + m, use: m, apply: true, headers: (ctx) => [["st-auth-mode", m]] });
    // The browser sends the access cookie to the refresh path too; add the other transport's.
    add({ name: `${p}/refresh/with_access_token_in_other_transport`, path: REFRESH, use: m, headers: (ctx) => [...c(ctx).refreshCall(), ...(m === "header" ? [["cookie", `sAccessToken=${c(ctx).accessToken}`]] : c(ctx).bearer("access"))] });
    add({ name: `${p}/refresh/access_token_as_refresh_token`, path: REFRESH, use: m, headers: (ctx) => [["rid", "session"], ...FDI, ...(m === "cookie" ? [["cookie", `sRefreshToken=${c(ctx).accessToken}`]] : [["authorization", `Bearer ${c(ctx).accessToken}`]])] });
    add({ name: `${p}/refresh/no_rid`, path: REFRESH, use: m, headers: (ctx) => c(ctx).refreshCall().filter(([k]) => k !== "rid") });
    add({ name: `${p}/signout/no_anti_csrf_no_rid`, path: SIGNOUT, use: m, headers: (ctx) => [...c(ctx).cookie(SIGNOUT), ...(c(ctx).tokens.refresh ? c(ctx).bearer("access") : [])] });
    add({ name: `${p}/signout`, path: SIGNOUT, use: m, apply: true, snapshot: `${m}-before-signout`, headers: (ctx) => [...c(ctx).browser(SIGNOUT).filter(([k]) => k !== "rid"), ["rid", "session"], ...FDI] });
    add({ name: `${p}/after_signout/me_old_token`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => ctx.saved[`${m}-before-signout`].browser("/flow/me") });
    add({ name: `${p}/after_signout/db_old_token`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => ctx.saved[`${m}-before-signout`].browser("/flow/db") });
    add({ name: `${p}/after_signout/refresh_old_token`, path: REFRESH, use: m, headers: (ctx) => ctx.saved[`${m}-before-signout`].refreshCall() });
    add({ name: `${p}/after_signout/signout_again`, path: SIGNOUT, use: m, headers: (ctx) => [...ctx.saved[`${m}-before-signout`].browser(SIGNOUT), ["rid", "session"]] });
    add({ name: `${p}/after_signout/me_nothing`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => c(ctx).browser("/flow/me") });

    // A third session, revoked in a route.
    add({ name: `${p}/signin3`, path: "/flow/signin?user=u3-" + m, use: m, apply: true, headers: () => [["st-auth-mode", m]] });
    add({ name: `${p}/revoke`, path: "/flow/revoke", use: m, apply: true, snapshot: `${m}-before-revoke`, headers: (ctx) => c(ctx).browser("/flow/revoke") });
    add({ name: `${p}/after_revoke/db_old_token`, method: "GET", path: "/flow/db", use: m, headers: (ctx) => ctx.saved[`${m}-before-revoke`].browser("/flow/db") });
    add({ name: `${p}/after_revoke/merge_old_token`, path: "/flow/merge", use: m, headers: (ctx) => ctx.saved[`${m}-before-revoke`].browser("/flow/merge") });
    add({ name: `${p}/after_revoke/data_old_token`, path: "/flow/data", use: m, headers: (ctx) => ctx.saved[`${m}-before-revoke`].browser("/flow/data") });
    add({ name: `${p}/after_revoke/refresh_old_token`, path: REFRESH, use: m, headers: (ctx) => ctx.saved[`${m}-before-revoke`].refreshCall() });
  }
  // Sign-in with the other mode's tokens in the request; sign-in without or with odd st-auth-mode.
  if (modes.length === 2 && f.basic !== false) {
    add({ name: "mixed/signin_header_with_access_cookie", path: "/flow/signin?user=mixed-1", use: "header", headers: (ctx) => [["st-auth-mode", "header"], ...ctx.cookie.cookie("/", ["sAccessToken", "sRefreshToken"])] });
    add({ name: "mixed/signin_cookie_with_bearer", path: "/flow/signin?user=mixed-2", use: "cookie", headers: (ctx) => [["st-auth-mode", "cookie"], ["authorization", `Bearer ${ctx.header.accessToken}`]] });
    add({ name: "mixed/signin4_cookie", path: "/flow/signin?user=u4", use: "cookie", apply: true, headers: () => [["st-auth-mode", "cookie"]] });
    add({ name: "mixed/signin4_header", path: "/flow/signin?user=u4", use: "header", apply: true, headers: () => [["st-auth-mode", "header"]] });
    add({ name: "mixed/refresh_header_with_cookie_refresh_token", path: REFRESH, use: "header", headers: (ctx) => [...ctx.header.refreshCall(), ...ctx.cookie.cookie(REFRESH)] });
    add({ name: "mixed/refresh_cookie_with_header_refresh_token", path: REFRESH, use: "cookie", headers: (ctx) => [...ctx.cookie.refreshCall(), ...ctx.header.bearer("refresh")] });
    add({ name: "mixed/me_both_transports", method: "GET", path: "/flow/me", use: "header", headers: (ctx) => [...ctx.cookie.cookie("/flow/me"), ...ctx.header.bearer("access")] });
    add({ name: "mixed/signout_header_tokens_and_cookies", path: SIGNOUT, use: "header", headers: (ctx) => [...ctx.cookie.cookie(SIGNOUT), ...ctx.header.bearer("access"), ["rid", "session"]] });
  }
  for (const [name, mode] of f.basic === false ? [] : [["no_auth_mode", null], ["auth_mode_garbage", "garbage"], ["auth_mode_COOKIE", "COOKIE"]]) {
    add({ name: `signin/${name}`, path: `/flow/signin?user=${name}`, use: "cookie", headers: () => (mode === null ? [] : [["st-auth-mode", mode]]) });
  }
  if (f.basic !== false) add({ name: "signin/protected_props", path: "/flow/signin?user=p&payload=protected", use: "cookie", headers: () => [["st-auth-mode", modes[0]]] });
  if (f.basic !== false) add({ name: "signin/empty_payload", path: "/flow/signin?user=e&payload=empty", use: "cookie", headers: () => [["st-auth-mode", modes[0]]] });

  if (f.rotation) {
    // The grace window (group.core.graceMs): reuse of the previous refresh token after it.
    const m = modes[0];
    add({ name: "rotation/signin", path: "/flow/signin?user=rot", use: m, apply: true, headers: () => [["st-auth-mode", m]] });
    add({ name: "rotation/refresh1", path: REFRESH, use: m, apply: true, snapshot: "rt0", headers: (ctx) => ctx[m].refreshCall() });
    add({ name: "rotation/refresh2", path: REFRESH, use: m, apply: true, snapshot: "rt1", headers: (ctx) => ctx[m].refreshCall() });
    add({ name: "rotation/rt0_reused_after_two_rotations", path: REFRESH, use: m, headers: (ctx) => ctx.saved.rt0.refreshCall() });
    add({ name: "rotation/after_theft/refresh_current", path: REFRESH, use: m, headers: (ctx) => ctx[m].refreshCall() });
    add({ name: "rotation/after_theft/db", method: "GET", path: "/flow/db", use: m, headers: (ctx) => ctx[m].browser("/flow/db") });
    add({ name: "rotation/signin2", path: "/flow/signin?user=rot2", use: m, apply: true, headers: () => [["st-auth-mode", m]] });
    add({ name: "rotation/refresh", path: REFRESH, use: m, apply: true, snapshot: "rt0b", headers: (ctx) => ctx[m].refreshCall() });
    add({ name: "rotation/merge_signin", path: "/flow/signin?user=merge", use: "header", apply: true, headers: () => [["st-auth-mode", "header"]] });
    add({ name: "rotation/previous_token_after_window", path: REFRESH, use: m, sleep: f.rotation, headers: (ctx) => ctx.saved.rt0b.refreshCall() });
    // A merge more than a second after sign-in: the new token's exp is the old one's, not now + validity.
    add({ name: "rotation/merge_a_second_later", path: "/flow/merge", use: "header", apply: true, headers: (ctx) => ctx.header.browser("/flow/merge") });
    add({ name: "rotation/me_after_late_merge", method: "GET", path: "/flow/me", use: "header", headers: (ctx) => ctx.header.browser("/flow/me") });
    add({ name: "rotation/after_window_theft/refresh_current", path: REFRESH, use: m, headers: (ctx) => ctx[m].refreshCall() });
  }
  if (f.expiring) {
    // Short-lived access tokens (group.core.accessTokenValidityMs): the expired-token answers.
    for (const m of modes) add({ name: `expired/${m}/signin`, path: `/flow/signin?user=exp-${m}`, use: m, apply: true, headers: () => [["st-auth-mode", m]] });
    for (const [i, m] of modes.entries()) {
      add({ name: `expired/${m}/optional`, method: "GET", path: "/flow/optional", use: m, sleep: i === 0 ? f.expiring : 0, headers: (ctx) => ctx[m].browser("/flow/optional") });
      add({ name: `expired/${m}/optional_POST`, path: "/flow/optional", use: m, headers: (ctx) => ctx[m].browser("/flow/optional") });
      add({ name: `expired/${m}/me`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => ctx[m].browser("/flow/me") });
      add({ name: `expired/${m}/merge`, path: "/flow/merge", use: m, headers: (ctx) => ctx[m].browser("/flow/merge") });
      add({ name: `expired/${m}/signout`, path: SIGNOUT, use: m, headers: (ctx) => [...ctx[m].browser(SIGNOUT), ["rid", "session"]] });
      add({ name: `expired/${m}/refresh`, path: REFRESH, use: m, apply: true, headers: (ctx) => ctx[m].refreshCall() });
      add({ name: `expired/${m}/me_after_refresh`, method: "GET", path: "/flow/me", use: m, headers: (ctx) => ctx[m].browser("/flow/me") });
    }
  }
  return steps;
}

// --- normalisation ---------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const sha256hex = (s) => crypto.createHash("sha256").update(s).digest("hex");

function decodeJwt(token) {
  try {
    const [h, p, s] = String(token).split(".");
    if (s === undefined) return undefined;
    return { header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")), payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")) };
  } catch {
    return undefined;
  }
}

/**
 * The claims of a payload, each as its meaning: protocol claims by their relation to the tokens
 * around them (`ctx`: `prev`, the client's access token before the step; `refresh`, the
 * refresh token set by this answer; `prevRefresh`, the client's before; `antiCsrf`, the
 * anti-CSRF header of this answer), custom claims by value.
 */
function describeClaims(payload, ctx) {
  const prev = decodeJwt(ctx.prev)?.payload ?? {};
  const now = Date.now() / 1000;
  const out = {};
  for (const k of Object.keys(payload).sort()) {
    const v = payload[k];
    let d;
    switch (k) {
      case "iat":
        d = typeof v === "number" && Math.abs(v - now) < 10 ? "now" : `number ${typeof v}`;
        break;
      case "exp":
        // Which holds of "now + validity" and "the previous token's": both when the previous
        // token is of the same second, so the step's own meaning is in ctx.keepsExp (merge).
        if (typeof v !== "number") d = typeof v;
        else if (v === prev.exp && (ctx.keepsExp || v - payload.iat !== ctx.validityS)) d = "previous token's exp";
        else if (v - payload.iat === ctx.validityS) d = "iat+validity";
        else d = `iat+${v - payload.iat}s`;
        break;
      case "sessionHandle":
        d = `${UUID.test(v) ? "uuid" : typeof v} ${v === prev.sessionHandle ? "same" : "new"}`;
        break;
      case "refreshTokenHash1":
      case "parentRefreshTokenHash1":
        if (v === null) d = "null";
        else if (ctx.refresh && v === sha256hex(ctx.refresh)) d = "sha256(new refresh token)";
        else if (ctx.prevRefresh && v === sha256hex(ctx.prevRefresh)) d = "sha256(previous refresh token)";
        else if (v === prev[k]) d = "previous token's";
        else d = HEX64.test(v) ? "other hex64" : `other ${typeof v}`;
        break;
      case "antiCsrfToken":
        if (v === null) d = "null";
        else if (v === prev.antiCsrfToken) d = "previous token's";
        else if (v === ctx.antiCsrf) d = "= anti-csrf header";
        else d = UUID.test(v) ? "other uuid" : `other ${typeof v}`;
        break;
      default:
        d = JSON.stringify(v);
    }
    out[k] = d;
  }
  return out;
}

function describeToken(token, ctx) {
  if (token === undefined) return "absent";
  if (token === "") return "empty";
  if (token === ctx.sent) return "the request's access token";
  const jwt = decodeJwt(token);
  if (jwt === undefined) return "opaque";
  const { alg, typ, version, kid, ...rest } = jwt.header;
  const head = `${alg} ${typ} v${version} kid:${String(kid).slice(0, 2)}${Object.keys(rest).length ? ` +${Object.keys(rest)}` : ""}`;
  return `${head} ${JSON.stringify(describeClaims(jwt.payload, ctx))}`;
}

/**
 * Whether an Expires time (ms) is the epoch, the "delete this cookie" date. supertokens-python
 * writes its clearing cookies through Starlette as a max age from now, `ceil((0 - now) / 1000)`
 * seconds, which Starlette adds back to its own clock: the date it writes is the epoch give or
 * take a second, depending on where in the second the two clocks were read.
 */
export const atEpoch = (t) => Math.abs(t) <= 2000;

function expiryBucket(expires, refreshValidityMs) {
  if (expires === undefined) return "session";
  const t = Date.parse(expires);
  if (atEpoch(t)) return "epoch";
  const delta = t - Date.now();
  const near = (ms) => Math.abs(delta - ms) < 120_000;
  if (near(ONE_YEAR_MS)) return "now+1y";
  if (near(refreshValidityMs)) return "now+refresh validity";
  return delta < 0 ? "past" : `now+${Math.round(delta / 1000)}s`;
}

/** The access token a request carries (its Bearer value, else its sAccessToken cookie). */
function sentAccessToken(headers) {
  const auth = headers.find(([k]) => k === "authorization")?.[1];
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  for (const [k, v] of headers) {
    if (k !== "cookie") continue;
    const m = /(?:^|;\s*)sAccessToken=([^;]*)/.exec(v);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}

/** What the comparison looks at in a flow answer (each field a string): `client` is the
 * step's client before the answer, `request` what was sent. */
export function flowNormalise(answer, client, request, group) {
  const h = answer.headers;
  const cookies = [].concat(h["set-cookie"] ?? []).map(parseSetCookie);
  const newAccess = h["st-access-token"] || (cookies.find((c) => c.name === "sAccessToken" && c.value) ? decodeURIComponent(cookies.find((c) => c.name === "sAccessToken").value) : undefined);
  const refreshCookie = cookies.find((c) => c.name === "sRefreshToken" && c.value);
  const ctx = {
    prev: client.accessToken,
    sent: sentAccessToken(request.headers),
    prevRefresh: client.refreshToken,
    refresh: h["st-refresh-token"] || (refreshCookie ? decodeURIComponent(refreshCookie.value) : undefined),
    antiCsrf: h["anti-csrf"],
    keepsExp: request.path.startsWith("/flow/merge"),
    validityS: (group.core?.accessTokenValidityMs ?? CORE_DEFAULTS.accessTokenValidityMs) / 1000,
  };
  const refreshValidityMs = group.core?.refreshTokenValidityMs ?? CORE_DEFAULTS.refreshTokenValidityMs;
  const cookieLines = cookies
    .map((c) => {
      const cleared = c.value === "" || atEpoch(Date.parse(c.attrs.expires));
      let value = "";
      if (!cleared) {
        const decoded = decodeURIComponent(c.value);
        value = c.name === "sAccessToken" && decoded === h["st-access-token"] ? " =st-access-token" : ` ${decodeJwt(decoded) ? "jwt" : "opaque"}`;
        if (encodeURIComponent(decoded) !== c.value) value += " (not percent-encoded as encodeURIComponent)";
      }
      const a = c.attrs;
      return `${c.name} ${cleared ? "cleared" : "set"}${value} Path=${a.path ?? "-"} Domain=${a.domain ?? "-"} SameSite=${String(a.samesite ?? "-").toLowerCase()}${a.secure ? " Secure" : ""}${a.httponly ? " HttpOnly" : ""}${a["max-age"] !== undefined ? ` Max-Age=${a["max-age"]}` : ""} expires:${expiryBucket(a.expires, refreshValidityMs)}`;
    })
    .sort();
  let front = h["front-token"];
  if (front !== undefined && front !== "remove") {
    try {
      const ft = JSON.parse(Buffer.from(front, "base64").toString("utf8"));
      const jwt = decodeJwt(newAccess ?? ctx.sent)?.payload;
      const parts = [`keys:${Object.keys(ft).join(",")}`];
      parts.push(`uid:${typeof ft.uid}${jwt && ft.uid === jwt.sub ? "=sub" : ""}`);
      parts.push(`ate:${typeof ft.ate}${jwt && ft.ate === jwt.exp * 1000 ? "=exp*1000" : ""}`);
      parts.push(`up:${ft.up && typeof ft.up === "object" ? `{${Object.keys(ft.up).sort().map((k) => `${k}:${ft.up[k] === null ? "null" : typeof ft.up[k]}`)}}` : typeof ft.up}`);
      parts.push(jwt && JSON.stringify(ft.up) === JSON.stringify(jwt) ? "up=token payload" : "up!=token payload");
      front = parts.join(" ");
    } catch {
      front = "undecodable";
    }
  }
  const expose = String(h["access-control-expose-headers"] ?? "");
  return {
    status: String(answer.status),
    body: describeBody(answer.body, ctx, newAccess, refreshValidityMs),
    "set-cookie": cookieLines.length ? cookieLines.join(" | ") : "(none)",
    "front-token": front ?? "absent",
    "st-access-token": describeToken(h["st-access-token"], ctx),
    "st-refresh-token": h["st-refresh-token"] === undefined ? "absent" : h["st-refresh-token"] === "" ? "empty" : `${decodeJwt(h["st-refresh-token"]) ? "jwt" : "opaque"}`,
    "anti-csrf": describeAntiCsrf(h["anti-csrf"], newAccess, client),
    "access-control-expose-headers":
      expose
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
        .join(", ") || "(none)",
  };
}

function describeAntiCsrf(value, newAccess, client) {
  if (value === undefined) return "absent";
  const inToken = decodeJwt(newAccess)?.payload?.antiCsrfToken;
  const relation = [];
  if (value === inToken) relation.push("= new token's antiCsrfToken");
  if (value === client.tokens.antiCsrf) relation.push("= the client's");
  return `${UUID.test(value) ? "uuid" : JSON.stringify(value)}${relation.length ? ` (${relation.join(", ")})` : " (new)"}`;
}

function describeBody(text, ctx, newAccess, refreshValidityMs) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return `(text) ${text.slice(0, 200)}`;
  }
  if (body && typeof body === "object" && "accessToken" in body) {
    const token = body.accessToken;
    const jwt = decodeJwt(token)?.payload;
    body = {
      ...body,
      accessToken: token === newAccess && token !== ctx.sent ? "the new access token of this answer" : describeToken(token, ctx),
      payload: JSON.stringify(body.payload) === JSON.stringify(jwt) ? "= access token's payload" : JSON.stringify(describeClaims(body.payload ?? {}, ctx)),
      handle: jwt && body.handle === jwt.sessionHandle ? "= sessionHandle" : typeof body.handle,
    };
  }
  if (body && typeof body === "object" && "timeCreated" in body) {
    body = {
      ...body,
      timeCreated: Math.abs(body.timeCreated - Date.now()) < 60_000 ? "recent" : String(body.timeCreated),
      expiry: expiryBucket(new Date(body.expiry).toUTCString(), refreshValidityMs),
    };
  }
  return JSON.stringify(sortKeys(body));
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
