// Differences from supertokens-node that the differential test accepts. Each entry matches
// `${group}/${case}` (a RegExp) and the answer fields it excuses (all fields when `fields` is
// left out), only on the frameworks in `frameworks` when given (frameworks.mjs), and only the
// differences for which `when(reference, tessera)` (the two normalised values) holds when given;
// it says why:
//   kind "INTENDED": Tessera differs on purpose (the reason is the design's);
//   kind "BUG":      a confirmed Tessera bug, listed so that the test passes until it is fixed.
//                    Remove the entry with the fix.
// An entry that excuses no difference fails the test, so a fixed bug cannot leave its entry
// behind. Keep the list short: a difference nobody can justify is a bug.
//
// Tessera writes the core's Set-Cookie values and reads the raw Cookie header on every framework,
// as supertokens-node does on Express; where supertokens-node's integration for another framework
// goes through that framework's own cookie parser or writer, or otherwise answers unlike its
// Express one, the entry is limited to that framework.

/** The reference's cookie value that supertokens-node's Koa and Hapi integrations write as the
 * stub core gave it (see the entries that use it). */
const unencoded = (s) => s.replaceAll(" (not percent-encoded as encodeURIComponent)", "");

/** A Set-Cookie summary (harness.mjs `normalise` or flows.mjs `flowNormalise`) without what Hapi's
 * cookie writer adds: a Max-Age beside Expires, 0 when clearing (read as "past" rather than the
 * epoch), and the value as given. */
const withoutHapiState = (s) => unencoded(s).replace(/ Max-Age=-?\d+/g, "").replaceAll("expires:past", "expires:epoch");

const dedupeList = (s) => [...new Set(s.split(", "))].join(", ");

/** The sentence supertokens-node's Lambda middleware ends its 404 with (see the entry). */
const ISSUE_TRACKER = " If this is an unexpected behaviour, please create an issue here: https://github.com/supertokens/supertokens-node/issues";

export const ALLOWLIST = [
  {
    kind: "INTENDED",
    match: /\/(cookie\/(bad_percent_escape|bad_percent_in_other_cookie|bad_utf8_percent|truncated_percent_escape)(\/optional)?|refresh\/bad_percent_cookie|token\/junk_payload\/cookie)$/,
    frameworks: ["nextjs"],
    why:
      "A Cookie header with a malformed percent escape (in any cookie): supertokens-node's app-router " +
      "helpers decode every cookie with decodeURIComponent, which throws, so withSession hands the " +
      "route's handler that error (the docs' handler answers 500) and getAppDirRequestHandler rejects " +
      "(Next answers 500). Tessera keeps such a value as sent and answers as for any bad token (or " +
      "verifies the session when the bad escape is in another cookie): bad input gets the protocol's " +
      "answer, never a 500.",
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
    match:
      /\/refresh\/(duplicate_refresh_cookies(_empty_first)?|duplicate_access_and_refresh_cookies|duplicate_access_cookies_only|two_cookie_headers_refresh)$|^flow-cookie-(only|for-create)\/(header\/refresh\/with_access_token_in_other_transport|mixed\/refresh_header_with_cookie_refresh_token)$/,
    fields: ["body"],
    why:
      "Duplicate session cookies on refresh without olderCookieDomain (in the flows, where both clients " +
      "hold cookies because the configuration forces cookies): supertokens-node throws a plain Error " +
      "that its error handler does not answer, so the app's own error handler does (here 500 " +
      "{unhandledError: true}); Tessera answers the same 500 itself, with {\"message\": \"Internal Server Error\"}.",
  },
  {
    kind: "INTENDED",
    frameworks: ["koa"],
    match: /./,
    fields: ["set-cookie"],
    when: (reference, tessera) => reference !== tessera && unencoded(reference) === tessera,
    why:
      "supertokens-node's Koa integration writes its cookies with Koa's ctx.cookies.set (the `cookies` package), " +
      "which writes the value as given; its Express and Fastify integrations percent-encode it (encodeURIComponent). " +
      "Only the stub core's refresh tokens hold characters that changes ('+', '/', '=', as the SuperTokens core's " +
      "do), and a browser sends either form back as it got it. Tessera's refresh tokens are base64url and need no " +
      "encoding; it writes the core's Set-Cookie on every framework.",
  },
  {
    kind: "INTENDED",
    frameworks: ["koa"],
    match: /\/(token\/leading_space\/cookie|cookie\/(percent_encoded_every_byte|spaces_around_equals)(\/optional)?)$/,
    fields: ["status", "body"],
    why:
      "supertokens-node's Koa integration reads cookies with Koa's ctx.cookies.get (the `cookies` package: a regular " +
      "expression, the value as sent up to the next ';', neither trimmed nor percent-decoded), so it finds no " +
      "sAccessToken in `sAccessToken = …` and reads ` eyJ…` or a percent-encoded token as a broken token. Its Express, " +
      "Fastify and Hapi integrations parse the header with the `cookie` package (trimmed, decoded), as Tessera " +
      "does on every framework, and find the valid token.",
  },
  {
    kind: "INTENDED",
    frameworks: ["hapi"],
    match: /./,
    fields: ["set-cookie"],
    when: (reference, tessera) => reference !== tessera && withoutHapiState(reference) === tessera,
    why:
      "supertokens-node's Hapi integration writes its cookies with Hapi's h.state and h.unstate, which add a Max-Age " +
      "beside Expires (the same moment; Max-Age=0 when clearing) and write the value as given (Hapi's default " +
      "encoding \"none\"; the stub core's refresh tokens hold '+', '/' and '='); its Express and Fastify integrations " +
      "write Expires only and percent-encode the value. A browser keeps and drops the same cookies either way. " +
      "Tessera writes the core's Set-Cookie on every framework.",
  },
  {
    kind: "INTENDED",
    frameworks: ["hapi"],
    match: /^flow-/,
    fields: ["access-control-expose-headers"],
    when: (reference, tessera) => reference !== tessera && dedupeList(reference) === tessera,
    why:
      "supertokens-node's Hapi integration queues its header writes and applies them with Hapi's " +
      "response.header(name, value, {append: true}), which does not look at what is already listed, so a header " +
      "exposed twice in one answer (front-token, when the tokens are cleared in both transports) is listed twice; " +
      "its other integrations skip a value already listed (spec §3.1), as Tessera does.",
  },
  {
    kind: "INTENDED",
    frameworks: ["hapi"],
    match: /\/(refresh_path\/(upper_case_last|double_slash|matrix_param)(\/nothing)?|(refresh|signout)_method\/(GET|HEAD)(\/nothing)?|jwks\/post)$/,
    fields: ["status", "body"],
    when: (reference) => reference === "204" || reference === "",
    why:
      "A GET or POST under apiBasePath that is none of the endpoints (another path, or a method the endpoint does not " +
      "take; HEAD is Hapi's GET): supertokens-node's Hapi plugin registers a catch-all route {apiBasePath}/{path*} for " +
      "GET and POST (Hapi needs its routes before it starts) whose handler returns h.continue, so Hapi answers " +
      "204 with no body. Tessera's plugin answers its endpoints in onRequest and adds no route, so the app answers " +
      "(here Hapi's 404), as supertokens-node's Express, Fastify and Koa integrations let it.",
  },
  {
    kind: "INTENDED",
    frameworks: ["awsLambda"],
    match: /./,
    fields: ["body"],
    when: (reference, tessera) => reference !== tessera && reference.replace(ISSUE_TRACKER, "") === tessera,
    why:
      "A request under apiBasePath that middleware() without a handler does not serve: both answer 404 " +
      "{\"error\": \"The middleware couldn't serve the API path …, method: ….\"}, but supertokens-node's message goes " +
      "on to ask the user to report it on supertokens-node's issue tracker, which Tessera's leaves out.",
  },
  {
    kind: "INTENDED",
    frameworks: ["awsLambda"],
    match: /\/authorization\/two_headers_valid_first$|^flow-header-only\/(cookie\/refresh\/with_access_token_in_other_transport|mixed\/refresh_cookie_with_header_refresh_token)$/,
    why:
      "Requests with two Authorization headers: API Gateway puts the last value of a repeated header in the event's " +
      "`headers` and every value in `multiValueHeaders`. supertokens-node's Lambda integration reads `headers`, so the " +
      "last one; Tessera reads `multiValueHeaders` and takes the first, as supertokens-node does on Express, Fastify, " +
      "Koa and Hapi (Node keeps the first Authorization header of a request).",
  },
];
