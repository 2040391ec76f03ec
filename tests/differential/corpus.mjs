// The corpus: hostile and unusual requests, each sent to both apps. A case is
// {name, method, path, headers: [[name, value], ...]}; names are unique within a group.
//
// Only requests whose reference answer does not depend on state the stub core does not model:
// no refresh with a refresh token the core would know (the stub answers every refresh token
// UNAUTHORISED, which is what the real core says of the garbage ones sent here), and
// checkDatabase only with sessions both sides know (Tessera's store and the stub's revocations).
import { forgeries, malformations } from "./tokens.mjs";

const REFRESH = "/auth/session/refresh";
const SIGNOUT = "/auth/signout";

const cookie = (value) => [["cookie", value]];
const access = (token) => cookie(`sAccessToken=${token}`);
const bearer = (token) => [["authorization", `Bearer ${token}`]];
const percentEncodeAll = (s) => [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");

/**
 * The corpus of one group. `t` holds the group's tokens:
 * - `valid`: a live access token the group's configuration accepts, `antiCsrf` its anti-CSRF
 *   token (or null);
 * - `expired`: a correctly signed token past its `exp`;
 * - `otherKind`: a correctly signed live token whose key kind (dynamic/static) the group's
 *   `useDynamicAccessTokenSigningKey` does not allow;
 * - `otherKid`: a kid in the JWKS other than `valid`'s; `publicPem`: the PEM of `valid`'s key;
 * - `signout`: live tokens that sign-out cases may revoke (embedded groups);
 * - `extra`: more [name, token] pairs sent in a cookie and in a header (remote groups: tokens of
 *   every version and structure, made by hand);
 * `embedded`: whether Tessera runs its embedded authority (refresh, sign-out, checkDatabase).
 */
export function corpus(t, { embedded }) {
  const cases = [];
  const add = (name, method, path, headers = []) => cases.push({ name, method, path, headers });
  const T = t.valid;

  // --- tokens of every shape, in a cookie and in the Authorization header -------------------
  const tokens = [
    ["valid", T],
    ["expired", t.expired],
    ["other_key_kind", t.otherKind],
    ["garbage", "garbage"],
    ["empty", ""],
    ["huge_garbage_100k", "x".repeat(100_000)],
    ["one_dot", "a.b"],
    ["three_empty_segments", ".."],
    ...Object.entries(malformations(T)),
    ...Object.entries(forgeries(T, t.publicPem)),
    ["kid_of_other_key", reKid(T, t.otherKid)],
    ...(t.extra ?? []),
  ];
  for (const [name, token] of tokens) {
    add(`token/${name}/cookie`, "GET", "/sess", access(token));
    add(`token/${name}/header`, "GET", "/sess", bearer(token));
  }

  // --- the verifySession options, on GET and POST ---------------------------------------------
  const routes = ["/sess", "/optional", "/csrf", "/nocsrf", ...(embedded ? ["/db"] : [])];
  const carried = [
    ["none", []],
    ["valid_cookie", access(T)],
    ["valid_header", bearer(T)],
    ["expired_cookie", access(t.expired)],
    ["expired_header", bearer(t.expired)],
    ["garbage_cookie", access("garbage")],
    ["garbage_header", bearer("garbage")],
    ["bad_signature_cookie", access(malformations(T).bad_signature)],
  ];
  for (const route of routes) {
    for (const method of ["GET", "POST"]) {
      for (const [name, headers] of carried) add(`route${route}/${method}/${name}`, method, route, headers);
    }
  }
  for (const method of ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]) {
    for (const [name, headers] of carried.slice(0, 4)) add(`method/${method}/${name}`, method, "/sess", headers);
    add(`method/${method}/optional_none`, method, "/optional", []);
  }

  // --- the Cookie header ----------------------------------------------------------------------
  const cookieCases = {
    empty_cookie_header: "",
    empty_value: "sAccessToken=",
    only_name: "sAccessToken",
    quoted: `sAccessToken="${T}"`,
    quoted_garbage: 'sAccessToken="garbage"',
    half_quoted: `sAccessToken="${T}`,
    percent_encoded_every_byte: `sAccessToken=${percentEncodeAll(T)}`,
    bad_percent_escape: `sAccessToken=%ZZ${T}`,
    truncated_percent_escape: `sAccessToken=${T}%E`,
    bad_utf8_raw: "sAccessToken=\xff\xfe\xfd",
    bad_utf8_percent: "sAccessToken=%FF%FE%FD",
    bad_utf8_in_other_cookie: `other=\xff\xfe; sAccessToken=${T}`,
    bad_percent_in_other_cookie: `other=%ZZ%E0%A4; sAccessToken=${T}`,
    spaces_around_equals: `sAccessToken = ${T}`,
    spaces_around_pair: `  sAccessToken=${T}  ;`,
    no_space_after_semicolon: `a=1;sAccessToken=${T};b=2`,
    trailing_semicolons: `sAccessToken=${T};;;`,
    name_lowercase: `saccesstoken=${T}`,
    name_with_prefix: `xsAccessToken=${T}`,
    duplicate_garbage_first: `sAccessToken=garbage; sAccessToken=${T}`,
    duplicate_valid_first: `sAccessToken=${T}; sAccessToken=garbage`,
    duplicate_same_value: `sAccessToken=${T}; sAccessToken=${T}`,
    duplicate_expired_first: `sAccessToken=${t.expired}; sAccessToken=${T}`,
    duplicate_empty_first: `sAccessToken=; sAccessToken=${T}`,
    legacy_id_refresh_with_valid: `sIdRefreshToken=legacy; sAccessToken=${T}`,
    legacy_id_refresh_alone: "sIdRefreshToken=legacy",
    refresh_cookie_with_valid: `sRefreshToken=garbage; sAccessToken=${T}`,
    refresh_cookie_alone: "sRefreshToken=garbage",
    front_token_cookie_with_valid: `sFrontToken=x; sAccessToken=${T}`,
    huge_other_cookie: `big=${"y".repeat(100_000)}; sAccessToken=${T}`,
    many_cookies: `${Array.from({ length: 500 }, (_, i) => `c${i}=${i}`).join("; ")}; sAccessToken=${T}`,
  };
  for (const [name, value] of Object.entries(cookieCases)) {
    add(`cookie/${name}`, "GET", "/sess", cookie(value));
    add(`cookie/${name}/optional`, "GET", "/optional", cookie(value));
  }
  add("cookie/two_cookie_headers_garbage_first", "GET", "/sess", [["cookie", "sAccessToken=garbage"], ["cookie", `sAccessToken=${T}`]]);
  add("cookie/two_cookie_headers_valid_first", "GET", "/sess", [["cookie", `sAccessToken=${T}`], ["cookie", "sAccessToken=garbage"]]);

  // --- the Authorization header ---------------------------------------------------------------
  const authCases = {
    bearer_no_token: "Bearer",
    bearer_space_no_token: "Bearer ",
    bearer_two_spaces: `Bearer  ${T}`,
    bearer_tab: `Bearer\t${T}`,
    bearer_lowercase: `bearer ${T}`,
    bearer_uppercase: `BEARER ${T}`,
    bearer_trailing_space: `Bearer ${T} `,
    bearer_token_then_word: `Bearer ${T} extra`,
    bearer_leading_space: ` Bearer ${T}`,
    no_scheme: T,
    basic: "Basic dXNlcjpwYXNzd29yZA==",
    token_scheme: `Token ${T}`,
    bearer_quoted: `Bearer "${T}"`,
    bearer_comma_list: `Bearer ${T}, Bearer garbage`,
    empty: "",
  };
  for (const [name, value] of Object.entries(authCases)) {
    add(`authorization/${name}`, "GET", "/sess", [["authorization", value]]);
    add(`authorization/${name}/optional`, "GET", "/optional", [["authorization", value]]);
  }
  add("authorization/two_headers_valid_first", "GET", "/sess", [["authorization", `Bearer ${T}`], ["authorization", "Bearer garbage"]]);

  // --- st-auth-mode, and tokens in both transports ---------------------------------------------
  for (const mode of ["cookie", "header", "HEADER", "garbage", ""]) {
    add(`auth_mode/${mode || "empty"}/token_in_header`, "GET", "/sess", [["st-auth-mode", mode], ...bearer(T)]);
    add(`auth_mode/${mode || "empty"}/token_in_cookie`, "GET", "/sess", [["st-auth-mode", mode], ...access(T)]);
  }
  const both = {
    valid_both: [T, T],
    garbage_cookie_valid_header: ["garbage", T],
    valid_cookie_garbage_header: [T, "garbage"],
    expired_cookie_valid_header: [t.expired, T],
    valid_cookie_expired_header: [T, t.expired],
    empty_cookie_valid_header: ["", T],
  };
  for (const [name, [c, h]] of Object.entries(both)) {
    add(`both/${name}`, "GET", "/sess", [...access(c), ...bearer(h)]);
    add(`both/${name}/optional`, "GET", "/optional", [...access(c), ...bearer(h)]);
  }

  // --- anti-CSRF --------------------------------------------------------------------------------
  for (const [name, rid] of [["no_rid", null], ["rid_anti_csrf", "anti-csrf"], ["rid_session", "session"], ["rid_empty", ""], ["rid_garbage", "x"]]) {
    const ridHeader = rid === null ? [] : [["rid", rid]];
    add(`csrf/POST/cookie/${name}`, "POST", "/sess", [...access(T), ...ridHeader]);
    add(`csrf/POST/header/${name}`, "POST", "/sess", [...bearer(T), ...ridHeader]);
    add(`csrf/GET_check/cookie/${name}`, "GET", "/csrf", [...access(T), ...ridHeader]);
    add(`csrf/POST_optional/cookie/${name}`, "POST", "/optional", [...access(T), ...ridHeader]);
  }
  const antiCsrfValues = [["missing", null], ["wrong", "wrong-anti-csrf"], ["empty", ""], ...(t.antiCsrf ? [["right", t.antiCsrf]] : [])];
  for (const [name, value] of antiCsrfValues) {
    const header = value === null ? [] : [["anti-csrf", value]];
    add(`anti_csrf_token/POST/cookie/${name}`, "POST", "/sess", [...access(T), ...header]);
    add(`anti_csrf_token/POST/header/${name}`, "POST", "/sess", [...bearer(T), ...header]);
    add(`anti_csrf_token/GET_check/cookie/${name}`, "GET", "/csrf", [...access(T), ...header]);
    add(`anti_csrf_token/POST_no_check/cookie/${name}`, "POST", "/nocsrf", [...access(T), ...header]);
    add(`anti_csrf_token/POST_optional/cookie/${name}`, "POST", "/optional", [...access(T), ...header]);
  }

  // --- paths that are not the endpoints ---------------------------------------------------------
  add("path/unknown", "GET", "/nothing-here", access(T));
  add("path/sess_trailing_slash", "GET", "/sess/", access(T));
  add("path/sess_query", "GET", "/sess?x=1", access(T));

  if (!embedded) return cases;

  // --- the refresh endpoint ---------------------------------------------------------------------
  const rid = [["rid", "session"]];
  const refreshCases = {
    nothing: [],
    rid_only: rid,
    garbage_cookie: [...rid, ...cookie("sRefreshToken=garbage")],
    garbage_cookie_no_rid: cookie("sRefreshToken=garbage"),
    empty_cookie_value: [...rid, ...cookie("sRefreshToken=")],
    quoted_garbage_cookie: [...rid, ...cookie('sRefreshToken="garbage"')],
    bad_utf8_cookie: [...rid, ...cookie("sRefreshToken=\xff\xfe")],
    bad_percent_cookie: [...rid, ...cookie("sRefreshToken=%ZZ")],
    huge_cookie: [...rid, ...cookie(`sRefreshToken=${"z".repeat(100_000)}`)],
    garbage_header: [...rid, ...bearer("garbage")],
    garbage_header_auth_mode_header: [...rid, ["st-auth-mode", "header"], ...bearer("garbage")],
    bearer_no_token: [...rid, ["authorization", "Bearer"]],
    bearer_lowercase_garbage: [...rid, ["authorization", "bearer garbage"]],
    garbage_cookie_and_header: [...rid, ...cookie("sRefreshToken=garbage"), ...bearer("garbage2")],
    access_cookie_only: [...rid, ...access(T)],
    access_cookie_only_no_rid: access(T),
    access_header_only: [...rid, ...bearer(T)],
    expired_access_cookie_only: [...rid, ...access(t.expired)],
    access_and_garbage_refresh_cookies: [...rid, ...cookie(`sAccessToken=${T}; sRefreshToken=garbage`)],
    duplicate_refresh_cookies: [...rid, ...cookie("sRefreshToken=garbage1; sRefreshToken=garbage2")],
    duplicate_refresh_cookies_empty_first: [...rid, ...cookie("sRefreshToken=; sRefreshToken=garbage2")],
    duplicate_access_and_refresh_cookies: [...rid, ...cookie(`sAccessToken=garbage; sAccessToken=${T}; sRefreshToken=garbage1; sRefreshToken=garbage2`)],
    duplicate_access_cookies_only: [...rid, ...cookie(`sAccessToken=garbage; sAccessToken=${T}`)],
    two_cookie_headers_refresh: [...rid, ["cookie", "sRefreshToken=garbage1"], ["cookie", "sRefreshToken=garbage2"]],
    legacy_id_refresh_alone: [...rid, ...cookie("sIdRefreshToken=legacy")],
    legacy_id_refresh_with_garbage_refresh: [...rid, ...cookie("sIdRefreshToken=legacy; sRefreshToken=garbage")],
    legacy_id_refresh_with_access: [...rid, ...cookie(`sIdRefreshToken=legacy; sAccessToken=${T}`)],
    anti_csrf_garbage: [...rid, ["anti-csrf", "garbage"], ...cookie("sRefreshToken=garbage")],
    front_token_cookie_only: [...rid, ...cookie("sFrontToken=x")],
    // Values and names a strict cookie parser (Hapi's) refuses.
    space_in_cookie_value: [...rid, ...cookie("sRefreshToken=garbage with spaces")],
    backslash_in_other_cookie: [...rid, ...cookie("other=a\\b; sRefreshToken=garbage")],
    space_in_cookie_name: [...rid, ...cookie("bad name=1; sRefreshToken=garbage")],
  };
  for (const [name, headers] of Object.entries(refreshCases)) add(`refresh/${name}`, "POST", REFRESH, headers);
  const garbageRefresh = [...rid, ...cookie("sRefreshToken=garbage")];
  const refreshPaths = {
    trailing_slash: `${REFRESH}/`,
    upper_case_base: "/AUTH/session/refresh",
    upper_case_last: "/auth/session/REFRESH",
    query: `${REFRESH}?x=1`,
    empty_query: `${REFRESH}?`,
    double_slash: "/auth//session/refresh",
    dot_segment: "/auth/session/./refresh",
    dot_dot_segment: "/auth/x/../session/refresh",
    percent_encoded_letter: "/auth/session/%72efresh",
    matrix_param: `${REFRESH};x=1`,
    without_base_path: "/session/refresh",
  };
  for (const [name, path] of Object.entries(refreshPaths)) {
    add(`refresh_path/${name}`, "POST", path, garbageRefresh);
    add(`refresh_path/${name}/nothing`, "POST", path, []);
  }
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]) {
    add(`refresh_method/${method}`, method, REFRESH, garbageRefresh);
    add(`refresh_method/${method}/nothing`, method, REFRESH, []);
  }

  // --- the sign-out endpoint --------------------------------------------------------------------
  const signoutCases = {
    nothing: [],
    rid_only: rid,
    garbage_cookie: [...rid, ...access("garbage")],
    garbage_header: [...rid, ...bearer("garbage")],
    expired_cookie: [...rid, ...access(t.expired)],
    expired_header: [...rid, ...bearer(t.expired)],
    bad_signature_cookie: [...rid, ...access(malformations(T).bad_signature)],
    alg_none_cookie: [...rid, ...access(forgeries(T, t.publicPem).alg_none_empty_signature)],
    duplicate_access_cookies: [...rid, ...cookie(`sAccessToken=garbage; sAccessToken=${T}`)],
    refresh_cookie_only: [...rid, ...cookie("sRefreshToken=garbage")],
    legacy_id_refresh_only: [...rid, ...cookie("sIdRefreshToken=legacy")],
    valid_cookie_no_rid: access(T),
    space_in_other_cookie: [...rid, ...cookie(`other=a b; sAccessToken=garbage`)],
  };
  for (const [name, headers] of Object.entries(signoutCases)) add(`signout/${name}`, "POST", SIGNOUT, headers);
  for (const [name, path] of Object.entries({ trailing_slash: `${SIGNOUT}/`, upper_case: "/AUTH/signout", query: `${SIGNOUT}?x=1` })) {
    add(`signout_path/${name}`, "POST", path, [...rid, ...access("garbage")]);
  }
  for (const method of ["GET", "PUT", "DELETE", "OPTIONS", "HEAD"]) {
    add(`signout_method/${method}`, method, SIGNOUT, [...rid, ...access("garbage")]);
  }
  // These revoke their sessions (last: nothing after them uses these tokens but the checks
  // that the revocation is seen).
  const [s1, s2] = t.signout;
  if (s1 !== undefined) {
    add("signout/valid_cookie", "POST", SIGNOUT, [...rid, ...(t.antiCsrfFor?.(s1) ?? []), ...access(s1)]);
    add("signout/after/valid_cookie_again", "POST", SIGNOUT, [...rid, ...(t.antiCsrfFor?.(s1) ?? []), ...access(s1)]);
    add("signout/after/check_database", "GET", "/db", access(s1));
    add("signout/after/no_database_check", "GET", "/sess", access(s1));
  }
  if (s2 !== undefined) {
    add("signout/valid_header", "POST", SIGNOUT, [...rid, ...bearer(s2)]);
    add("signout/after/header_check_database", "GET", "/db", bearer(s2));
  }

  // --- the JWKS endpoint -------------------------------------------------------------------------
  add("jwks/get", "GET", "/auth/jwt/jwks.json", []);
  add("jwks/post", "POST", "/auth/jwt/jwks.json", []);
  return cases;
}

/** `token` with its header's kid replaced (the signature then no longer matches). */
function reKid(token, kid) {
  const [h, p, s] = token.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  return `${Buffer.from(JSON.stringify({ ...header, kid })).toString("base64url")}.${p}.${s}`;
}
