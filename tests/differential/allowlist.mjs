// Differences from supertokens-node that the differential test accepts. Each entry matches
// `${group}/${case}` (a RegExp) and the answer fields it excuses (all fields when `fields` is
// left out), and says why:
//   kind "INTENDED": Tessera differs on purpose (the reason is the design's);
//   kind "BUG":      a confirmed Tessera bug, listed so that the test passes until it is fixed.
//                    Remove the entry with the fix.
// An entry that excuses no difference fails the test, so a fixed bug cannot leave its entry
// behind. Keep the list short: a difference nobody can justify is a bug.
export const ALLOWLIST = [
  {
    kind: "BUG",
    match: /\/token\/(padded_segments|inner_space)\/|\/cookie\/half_quoted(\/optional)?$|\/authorization\/bearer_quoted(\/optional)?$/,
    fields: ["status", "body"],
    why:
      "supertokens-node decodes token segments with Buffer.from(x, 'base64'), which skips characters " +
      "outside the alphabet (a space, a quote, '=' anywhere) and then fails the signature: TRY_REFRESH_TOKEN " +
      "(401 'try refresh token', also with sessionRequired: false). Tessera's b64::decode_lenient rejects the " +
      "segment, so the token is 'not a token': UNAUTHORISED, and no session (200) on an optional route.",
  },
  {
    kind: "BUG",
    match: /\/token\/kid_number\//,
    fields: ["body"],
    why:
      "A JWT header with a non-string kid (kid: 12): supertokens-node's parser only requires kid !== undefined, " +
      "so the token fails verification (TRY_REFRESH_TOKEN); Tessera rejects it as unparseable (UNAUTHORISED).",
  },
  {
    kind: "BUG",
    match: /\/token\/huge_signature_100k\/|\/cookie\/huge_other_cookie(\/optional)?$/,
    fields: ["status", "body"],
    why:
      "core/src/http.rs MAX_HEADER_VALUE_BYTES (64 KiB) applies to the whole Cookie and Authorization header: " +
      "a valid sAccessToken next to an unrelated 100 KB cookie is not seen (401 unauthorised, or no session), " +
      "where supertokens-node accepts the session; a 100 KB token is UNAUTHORISED instead of TRY_REFRESH_TOKEN.",
  },
  {
    kind: "BUG",
    match: /\/refresh_path\/dot(_dot)?_segment(\/nothing)?$/,
    why:
      "supertokens-node resolves dot segments in the request path (/auth/session/./refresh, " +
      "/auth/x/../session/refresh) and serves its refresh endpoint there; Tessera matches the raw path and " +
      "passes the request on to the app (Express: 404). Browsers never send such paths; a raw client can.",
  },
  {
    kind: "INTENDED",
    match: /^remote(-via-token)?\/token\/(v5_missing_tId|v4_without_tId|v5_tId_number)\//,
    fields: ["body"],
    why:
      "A v4+ token whose tId is missing or not a string: supertokens-node's getTenantId() returns undefined; " +
      "Tessera's is \"public\" (tests/README.md, session expectation: tenantId is tId if a string, else " +
      "\"public\"). Only an app that echoes the tenant sees it.",
  },
  {
    kind: "INTENDED",
    match: /\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$/,
    fields: ["body"],
    why:
      "Duplicate session cookies on refresh without olderCookieDomain: supertokens-node throws a plain Error " +
      "that its error handler does not answer, so the app's own error handler does (here 500 " +
      "{unhandledError: true}); Tessera answers the same 500 itself, with {\"message\": \"Internal Server Error\"}.",
  },
];
