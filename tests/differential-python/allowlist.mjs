// Differences from supertokens-python that the Python differential test accepts. Each entry
// matches `${group}/${case}` (a RegExp), the answer fields it excuses (all fields when `fields` is
// left out) and, with `when`, only the differences for which `when(reference, tessera)`
// (the two normalised values) holds; it says why:
//   kind "INTENDED": Tessera differs on purpose (the reason is the design's);
//   kind "BUG":      a confirmed Tessera bug, listed so that the test passes until it is fixed.
//                    Remove the entry with the fix.
// An entry that excuses no difference fails the test, so a fixed bug cannot leave its entry
// behind. Keep the list short: a difference nobody can justify is a bug.
//
// Tessera has one core for every language and answers as supertokens-node does (the Node
// differential test holds it to that); where supertokens-python answers otherwise, the entry
// says so with AS_NODE.
const AS_NODE = "supertokens-python differs from supertokens-node here; Tessera answers as supertokens-node in every language.";

const dedupeList = (s) => [...new Set(s.split(", "))].join(", ");

/** The reference's Set-Cookie summary with the stub core's refresh tokens read as Tessera's
 * (see the entry that uses it first). */
const unquotedRefreshToken = (reference) =>
  reference
    .replaceAll(" (not percent-encoded as encodeURIComponent)", "")
    .replace('"refreshTokenHash1":"other hex64"', '"refreshTokenHash1":"sha256(new refresh token)"')
    .replace(`"refreshTokenHash1":"previous token's"`, '"refreshTokenHash1":"sha256(previous refresh token)"');

/** A Set-Cookie summary with Domain as a browser reads it: no leading dot, and an empty
 * attribute as none. */
const domainAsRead = (s) => s.replaceAll("Domain=.", "Domain=").replaceAll("Domain= ", "Domain=- ");

export const ALLOWLIST = [
  {
    kind: "INTENDED",
    match: /\/token\/(v5_rs512_signed|v5_ps256_signed)\//,
    fields: ["status", "body"],
    why:
      "A token signed with the right key but with RS512 or PS256 (and saying so in its header): supertokens-python " +
      "verifies with the algorithm the token names (access_token.py: algorithms=[header alg]) and accepts it; " +
      "Tessera pins RS256 (DESIGN.md: never the algorithm the token asks for) and answers TRY_REFRESH_TOKEN. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /\/token\/(v1_recent|v4_without_tId|v5_missing_tId|v5_tId_number|version_5_5|version_number|v5_iat_in_future|standard_base64_signature)\//,
    fields: ["status", "body"],
    why:
      "Tokens supertokens-python parses or checks otherwise: it recognises only the v2 fixed header (a v1 token is " +
      "not an access token), requires a string tId from v4 on, reads the header version with int() (\"5.5\" is " +
      "not a token, the number 5 is a v5 token whose verification then fails), rejects an iat in the future " +
      "(PyJWT) and a signature in standard base64 (PyJWT). " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /\/cookie\/(duplicate_(garbage|valid|empty)_first|two_cookie_headers_(garbage|valid)_first)(\/optional)?$|\/signout\/duplicate_access_cookies$/,
    fields: ["status", "body"],
    why:
      "Two sAccessToken cookies with different values: supertokens-python reads the cookie through Starlette, " +
      "which keeps the last value, supertokens-node the first; the value read decides between TRY_REFRESH_TOKEN " +
      "(a token, duplicated) and no token at all. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /\/method\/OPTIONS\/(none|valid_cookie|valid_header|expired_cookie)$/,
    fields: ["status", "body"],
    why:
      "verify_session(session_required=True) on an OPTIONS request: supertokens-python raises a plain Exception " +
      "(\"verify_session cannot be used with options method\", a 500 from the app); supertokens-node lets the " +
      "request through without a session, as Tessera does. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /\/refresh_path\/(dot_segment|dot_dot_segment|matrix_param)(\/nothing)?$/,
    why:
      "Paths that are the refresh path only after normalisation: supertokens-python does not resolve dot segments " +
      "(/auth/session/./refresh is not the refresh path: 404) and drops a ;param of the last segment " +
      "(urlparse: /auth/session/refresh;x=1 is the refresh path); supertokens-node does the opposite of both. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match:
      /\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$|^flow-cookie-(only|for-create)\/(header\/refresh\/with_access_token_in_other_transport|mixed\/refresh_header_with_cookie_refresh_token)$/,
    fields: ["body"],
    why:
      "Duplicate session cookies on refresh without olderCookieDomain: supertokens-python raises a plain " +
      "Exception its middleware does not answer, so the app's own handler does (here 500 {unhandledError: true}); " +
      "Tessera answers the same 500 itself, with {\"message\": \"Internal Server Error\"} (as in the Node test).",
  },
  {
    kind: "INTENDED",
    match: /^flow-[^/]+\/mixed\/refresh_(cookie_with_header|header_with_cookie)_refresh_token$/,
    fields: ["front-token"],
    when: (reference) => reference === "remove",
    why:
      "A refresh with refresh tokens in both transports: both refresh through the one st-auth-mode asks for and " +
      "clear the other transport's tokens, but supertokens-python clears after writing the new tokens, so its " +
      "clearing's \"front-token: remove\" replaces the new front token (the frontend then drops the session it " +
      "was just given); supertokens-node keeps the new front token. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /^flow-/,
    fields: ["access-control-expose-headers"],
    when: (reference, tessera) => reference !== tessera && dedupeList(reference) === tessera,
    why:
      "supertokens-python appends to Access-Control-Expose-Headers without looking at what is there " +
      "(spec §3.1), so a header written twice in one answer (front-token, when the tokens are cleared in both " +
      "transports) is listed twice; supertokens-node skips a value already listed. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    match: /^flow-/,
    fields: ["set-cookie", "st-access-token"],
    when: (reference, tessera) => unquotedRefreshToken(reference) === tessera,
    why:
      "The stub core's refresh tokens hold '/' and '+' (as the SuperTokens core's do): supertokens-python " +
      "percent-encodes the cookie value with Python's quote(), which keeps '/', and Starlette's cookie writer then " +
      "wraps the value in double quotes; supertokens-node uses encodeURIComponent. The test's client keeps the " +
      "quotes (a browser does too), so an access token's refreshTokenHash1 no longer matches the cookie it " +
      "holds. Tessera's refresh tokens are base64url and need no encoding. " +
      AS_NODE,
  },
  {
    kind: "INTENDED",
    frameworks: ["flask"],
    match: /./,
    fields: ["set-cookie"],
    when: (reference, tessera) => reference !== tessera && domainAsRead(unquotedRefreshToken(reference)) === domainAsRead(tessera),
    why:
      "supertokens-python's Flask integration writes its cookies with Werkzeug's set_cookie, which drops the leading " +
      "dot of Domain=.example.com and writes an empty Domain= where the cookie is host-only; a browser reads both " +
      "as Tessera's header says them (RFC 6265 §5.2.3). Tessera writes the core's Set-Cookie unchanged in every " +
      "framework, as supertokens-python does on FastAPI and Django and supertokens-node does. Where the stub " +
      "core's refresh token is in the cookie, that token's quoting (the entry above) is read as there.",
  },
  {
    kind: "INTENDED",
    frameworks: ["flask"],
    match: /\/(token\/inner_space\/cookie|cookie\/half_quoted(\/optional)?)$/,
    fields: ["status", "body"],
    why:
      "An sAccessToken cookie whose value holds a space, or opens a quote it never closes: supertokens-python's " +
      "Flask integration reads cookies through Werkzeug's parser, which does not return these values, so it sees " +
      "no access token (UNAUTHORISED, or no session where one is optional). supertokens-node, and " +
      "supertokens-python on FastAPI and Django, read the value as sent and answer TRY_REFRESH_TOKEN for it, as " +
      "Tessera does. " +
      AS_NODE,
  },
];
