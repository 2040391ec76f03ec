// The configurations every differential test runs (tests/differential, -python, -go), as data:
// `session` holds the Session.init options both libraries take (supertokens-node's names),
// `transfer` names a getTokenTransferMethod function ("header", "cookie", or
// "cookie-for-create": cookie for createNewSession, else any), which each test turns into its
// language's form.

export const LOCAL = { appName: "differential", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" };
export const SAME_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.com" };
export const CROSS_SITE = { appName: "differential", apiDomain: "https://api.example.com", websiteDomain: "https://example.org" };

/** The corpus groups. `keys`: "embedded" (tokens Tessera minted) or "remote" (tokens the test
 * makes, verified by both against the stub core's JWKS). */
export const GROUPS = [
  { name: "default", keys: "embedded", appInfo: LOCAL, session: {} },
  { name: "custom-header", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_CUSTOM_HEADER" } },
  { name: "via-token", keys: "embedded", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
  { name: "expose", keys: "embedded", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true } },
  { name: "header-only", keys: "embedded", appInfo: LOCAL, session: {}, transfer: "header" },
  { name: "cookie-only", keys: "embedded", appInfo: LOCAL, session: {}, transfer: "cookie" },
  {
    name: "domains",
    keys: "embedded",
    appInfo: SAME_SITE,
    session: { cookieDomain: ".example.com", olderCookieDomain: "api.example.com" },
  },
  { name: "older-host-only", keys: "embedded", appInfo: SAME_SITE, session: { cookieDomain: ".example.com", olderCookieDomain: "" } },
  // SameSite=None: anti-CSRF defaults to VIA_CUSTOM_HEADER.
  { name: "cross-site", keys: "embedded", appInfo: CROSS_SITE, session: {} },
  { name: "static-keys", keys: "embedded", appInfo: LOCAL, session: { useDynamicAccessTokenSigningKey: false } },
  { name: "remote", keys: "remote", appInfo: LOCAL, session: {} },
  { name: "remote-via-token", keys: "remote", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
];

/**
 * The flow groups (flows.mjs): each app runs its own authority, Tessera its embedded store and
 * the reference SDK the stub core, configured alike: `session` goes to both, `tessera` to
 * Tessera's only (its authority's settings) and `core` to the stub (the same settings in ms).
 * The grace window is given to both explicitly, GRACE_S unless a group says otherwise. `flows`
 * selects the scripts: `modes` (st-auth-mode of the clients), `basic: false` (only the scripts
 * below), `rotation` (ms to wait for the grace window to pass), `expiring` (ms to wait for the
 * access tokens to expire).
 */
export const GRACE_S = 30;
export const FLOW_GROUPS = [
  { name: "flow-default", appInfo: LOCAL, session: {} },
  { name: "flow-via-token", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" } },
  { name: "flow-custom-header", appInfo: LOCAL, session: { antiCsrf: "VIA_CUSTOM_HEADER" } },
  { name: "flow-anti-csrf-none", appInfo: LOCAL, session: { antiCsrf: "NONE" } },
  { name: "flow-expose", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true } },
  { name: "flow-expose-via-token", appInfo: LOCAL, session: { exposeAccessTokenToFrontendInCookieBasedAuth: true, antiCsrf: "VIA_TOKEN" } },
  { name: "flow-same-site-domain", appInfo: SAME_SITE, session: { cookieDomain: ".Example.com", cookieSameSite: "strict" } },
  { name: "flow-cross-site", appInfo: CROSS_SITE, session: {} },
  { name: "flow-cross-site-insecure", appInfo: CROSS_SITE, session: { cookieSecure: false }, flows: { modes: ["header"] } },
  { name: "flow-local-secure-lax", appInfo: LOCAL, session: { cookieSecure: true, cookieSameSite: "lax", accessTokenPath: "/flow" } },
  { name: "flow-header-only", appInfo: LOCAL, session: {}, transfer: "header" },
  { name: "flow-cookie-only", appInfo: LOCAL, session: { antiCsrf: "VIA_TOKEN" }, transfer: "cookie" },
  { name: "flow-cookie-for-create", appInfo: LOCAL, session: {}, transfer: "cookie-for-create" },
  { name: "flow-static-keys", appInfo: LOCAL, session: { useDynamicAccessTokenSigningKey: false } },
  {
    name: "flow-rotation",
    appInfo: LOCAL,
    session: { antiCsrf: "VIA_TOKEN" },
    tessera: { refreshTokenRotationGracePeriod: 1 },
    core: { graceMs: 1000 },
    flows: { basic: false, modes: ["cookie"], rotation: 1200 },
  },
  {
    name: "flow-expiring",
    appInfo: LOCAL,
    session: { antiCsrf: "VIA_TOKEN" },
    tessera: { accessTokenValidity: 2 },
    core: { accessTokenValidityMs: 2000 },
    flows: { basic: false, expiring: 2100 },
  },
];

/** supertokens-node's getTokenTransferMethod for a group's `transfer` name. */
export function transferFunction(name) {
  if (name === "cookie-for-create") return ({ forCreateNewSession }) => (forCreateNewSession ? "cookie" : "any");
  return () => name;
}

/** `groups` without the session options a reference SDK lacks (supertokens-python and
 * supertokens-golang have no accessTokenPath: their access-token cookie is always at "/"). */
export function withoutOptions(groups, ...options) {
  return groups.map((g) => ({ ...g, session: Object.fromEntries(Object.entries(g.session).filter(([k]) => !options.includes(k))) }));
}
