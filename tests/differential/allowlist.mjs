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
    match:
      /\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$|^flow-cookie-(only|for-create)\/(header\/refresh\/with_access_token_in_other_transport|mixed\/refresh_header_with_cookie_refresh_token)$/,
    fields: ["body"],
    why:
      "Duplicate session cookies on refresh without olderCookieDomain (in the flows, where both clients " +
      "hold cookies because the configuration forces cookies): supertokens-node throws a plain Error " +
      "that its error handler does not answer, so the app's own error handler does (here 500 " +
      "{unhandledError: true}); Tessera answers the same 500 itself, with {\"message\": \"Internal Server Error\"}.",
  },
];
