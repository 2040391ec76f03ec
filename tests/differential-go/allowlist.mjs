// Differences from supertokens-golang that the Go differential test accepts. Each entry matches
// `${group}/${case}` (a RegExp), the answer fields it excuses (all fields when `fields` is left
// out) and, optionally, the two normalised values (`when(reference, tessera)`), and says why:
//   kind "INTENDED": Tessera differs on purpose. Most are places where supertokens-golang answers
//                    otherwise than supertokens-node: Tessera has one core for every language
//                    and follows supertokens-node (tests/differential shows Tessera answering
//                    these requests as supertokens-node does);
//   kind "BUG":      a confirmed Tessera bug, listed so that the test passes until it is fixed.
//                    Remove the entry with the fix.
// An entry that excuses no difference fails the test, so a fixed bug cannot leave its entry
// behind.

export const ALLOWLIST = [
  // --- Tessera bugs ------------------------------------------------------------------------

  // --- supertokens-golang differs from supertokens-node ---------------------------------------
  {
    kind: "INTENDED",
    match: /^flow-[^/]+\/.*refresh/,
    fields: ["body"],
    when: (reference, tessera) => reference === "null" && tessera === "{}",
    why: "A successful refresh: supertokens-golang's body is JSON null, supertokens-node's (and Tessera's) {}.",
  },
  {
    kind: "INTENDED",
    match: /^(domains|older-host-only|flow-same-site-domain)\//,
    fields: ["set-cookie"],
    when: (reference, tessera) => reference === tessera.replaceAll("Domain=.", "Domain="),
    why:
      "cookieDomain \".example.com\": supertokens-golang writes its cookies with net/http's Cookie.String, which " +
      "drops the leading dot (Domain=example.com); supertokens-node and Tessera keep the configured value. " +
      "Browsers read both alike (RFC 6265 §5.2.3).",
  },
  {
    kind: "INTENDED",
    match:
      /^(default|custom-header|via-token|expose|cookie-only|cross-site|static-keys)\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$|^flow-cookie-(only|for-create)\/(header\/refresh\/with_access_token_in_other_transport|mixed\/refresh_header_with_cookie_refresh_token)$/,
    fields: ["body"],
    when: (reference, tessera) => reference === '{"unhandledError":true}' && tessera === '{"message":"Internal Server Error"}',
    why:
      "Duplicate session cookies on refresh without olderCookieDomain: supertokens-golang, as supertokens-node, " +
      "returns an error no handler of its answers, so the app's OnSuperTokensAPIError does (here 500 " +
      "{unhandledError: true}); Tessera answers the same 500 itself, with {\"message\": \"Internal Server Error\"} " +
      "(tests/differential/allowlist.mjs has the same entry for supertokens-node).",
  },
  {
    kind: "INTENDED",
    match: /^(domains|older-host-only)\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$/,
    fields: ["body"],
    when: (reference, tessera) => reference.startsWith('"The request contains multiple session cookies') && tessera.startsWith('{"message":"The request contains multiple session cookies'),
    why:
      "Duplicate session cookies with olderCookieDomain: supertokens-golang's 200 body is the message as a bare " +
      "JSON string; supertokens-node's (and Tessera's) is {\"message\": ...}.",
  },
  {
    kind: "INTENDED",
    match: /\/token\/(typ_missing)\/(cookie|header)$/,
    fields: ["status", "body"],
    why:
      "A v3+ token whose header has no typ: supertokens-golang panics on a type assertion of header.typ while " +
      "parsing it (net/http's 500; here the app's recovery answers 500 {unhandledError: true}); supertokens-node " +
      "and Tessera answer 401 unauthorised.",
  },
  {
    kind: "INTENDED",
    match: /\/(token\/(padded_segments|inner_space|alg_None_mixed_case|kid_number)\/(cookie|header)|authorization\/bearer_quoted(\/optional)?)$/,
    fields: ["status", "body"],
    why:
      "Tokens that split in three parts but whose header or segments do not parse (base64 padding, a space, " +
      "alg \"None\", a numeric kid, a quoted Bearer value): supertokens-golang treats them as no token " +
      "(401 unauthorised, no session on optional routes); supertokens-node and Tessera as a token that does not " +
      "verify (401 try refresh token, also on optional routes).",
  },
  {
    kind: "INTENDED",
    match: /\/(token\/leading_space\/cookie|cookie\/(half_quoted|truncated_percent_escape|spaces_around_equals)(\/optional)?)$/,
    fields: ["status", "body"],
    why:
      "Cookie values net/http's cookie parser drops (a stray quote or a space in the value, spaces around '=') or " +
      "url.QueryUnescape refuses (a truncated %-escape): supertokens-golang sees no access token; supertokens-node " +
      "and Tessera parse the raw Cookie header and verify the value (a valid session, or try refresh token).",
  },
  {
    kind: "INTENDED",
    match: /\/token\/standard_base64_signature\/(cookie|header)$/,
    fields: ["status", "body"],
    why:
      "A valid token with its signature in standard base64 (+, /, padding): golang-jwt decodes segments as strict " +
      "base64url, so supertokens-golang answers try refresh token; supertokens-node's decoder, and Tessera's, " +
      "accept both alphabets and the session is valid.",
  },
  {
    kind: "INTENDED",
    match: /^(remote|remote-via-token)\/token\/(v1|v2)_[a-z_]+\/(cookie|header)$/,
    fields: ["status", "body"],
    why:
      "Legacy v1/v2 tokens: supertokens-golang cannot check their signature itself (standard base64) and asks its " +
      "core only for tokens created within its JWKS refresh interval, so an older one is try refresh token; in a " +
      "cookie it also percent-decodes the value as a query string (+ becomes a space), breaking the token. " +
      "supertokens-node and Tessera verify them.",
  },
  {
    kind: "INTENDED",
    match: /^(remote|remote-via-token)\/token\/(v4_without_tId|v5_missing_tId|v5_tId_number|version_5_5|crit_header|v5_missing_rsub|v5_rsub_number|v5_stt_1)\/(cookie|header)$/,
    fields: ["status", "body"],
    why:
      "Structure checks of v4/v5 tokens: supertokens-golang requires tId to be a string and the version an integer " +
      "(\"5.5\" is refused), and ignores crit, rsub and stt; supertokens-node and Tessera accept a missing or " +
      "non-string tId (tenant \"public\" in Tessera) and version \"5.5\" (parsed as 5), and refuse an unknown crit, " +
      "a missing or non-string rsub and stt other than 0.",
  },
  {
    kind: "INTENDED",
    match: /\/(refresh_path\/(upper_case_base|upper_case_last|percent_encoded_letter)(\/nothing)?|signout_path\/upper_case)$/,
    why:
      "API paths in another case or with a %-encoded letter: supertokens-golang matches its endpoints on the " +
      "decoded, lower-cased path and answers them as refresh or sign-out; supertokens-node and Tessera match the " +
      "path as sent and leave these to the app (here 404).",
  },
  {
    kind: "INTENDED",
    match: /\/refresh_path\/(dot_segment|dot_dot_segment)(\/nothing)?$/,
    why:
      "/auth/session/./refresh and /auth/x/../session/refresh: supertokens-golang does not resolve dot segments and " +
      "leaves the request to the app (Go's ServeMux redirects it, 307); supertokens-node and Tessera resolve them " +
      "and answer the refresh endpoint.",
  },
  {
    kind: "INTENDED",
    match: /\/refresh\/legacy_id_refresh_with_garbage_refresh$/,
    fields: ["set-cookie"],
    why: "A failed refresh with the legacy sIdRefreshToken cookie: supertokens-node and Tessera clear sIdRefreshToken too, supertokens-golang does not.",
  },
  {
    kind: "INTENDED",
    match: /^(custom-header|cross-site)\/csrf\/(POST|GET_check|POST_optional)\/cookie\/rid_empty$/,
    fields: ["status", "body"],
    why:
      "VIA_CUSTOM_HEADER with an empty rid header: supertokens-golang reads it with Header.Get, which cannot tell " +
      "empty from absent, and answers try refresh token; supertokens-node and Tessera take a present rid header, " +
      "empty or not, as the custom header.",
  },
];
