// The tokens of the "remote" groups, made by hand with the test's own keys in every version and
// structure; shared by the Node, Python and Go differential tests.
import { V1_HEADER, signJwt, signLegacy, v2Payload, v5Payload } from "./tokens.mjs";

/** The tokens of a remote group (`remoteKeys`: {dynamic, static, foreign} of tokens.mjs `makeKey`). */
export function remoteTokens(group, remoteKeys) {
  const viaToken = group.session.antiCsrf === "VIA_TOKEN";
  const nowS = Math.floor(Date.now() / 1000);
  const nowMs = Date.now();
  const { dynamic, static: stat, foreign } = remoteKeys;
  const hdr = (key, extra = {}) => ({ alg: "RS256", typ: "JWT", kid: key.kid, version: "5", ...extra });
  const antiCsrf = viaToken ? "4f0a2c5e-1b3d-4e6f-8a9b-0c1d2e3f4a5b" : null;
  const base = (extra = {}) => v5Payload(nowS, { antiCsrfToken: antiCsrf, role: "remote", ...extra });
  const valid = signJwt(hdr(dynamic), base(), dynamic);
  const without = (obj, ...keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
  const v3 = without(base(), "tId", "rsub", "iss");
  const extra = [
    ["v5_signed_by_static_key_s_kid", signJwt(hdr(stat), base(), stat)],
    ["v4", signJwt(hdr(dynamic, { version: "4" }), base(), dynamic)],
    ["v4_without_tId", signJwt(hdr(dynamic, { version: "4" }), without(base(), "tId"), dynamic)],
    ["v3", signJwt(hdr(dynamic, { version: "3" }), v3, dynamic)],
    ["version_missing_v3_claims", signJwt({ alg: "RS256", typ: "JWT", kid: dynamic.kid }, v3, dynamic)],
    ["version_missing_v5_claims", signJwt({ alg: "RS256", typ: "JWT", kid: dynamic.kid }, base(), dynamic)],
    ["version_6", signJwt(hdr(dynamic, { version: "6" }), base(), dynamic)],
    ["version_2_jwt_with_kid", signJwt(hdr(dynamic, { version: "2" }), base(), dynamic)],
    ["version_abc", signJwt(hdr(dynamic, { version: "abc" }), base(), dynamic)],
    ["version_5_5", signJwt(hdr(dynamic, { version: "5.5" }), base(), dynamic)],
    ["typ_jwt_lowercase", signJwt(hdr(dynamic, { typ: "jwt" }), base(), dynamic)],
    ["crit_header", signJwt(hdr(dynamic, { crit: ["x"], x: 1 }), base(), dynamic)],
    ["v2_recent", signLegacy(v2Payload(nowMs, { antiCsrfToken: antiCsrf ?? undefined }), dynamic)],
    ["v2_created_long_ago", signLegacy(v2Payload(nowMs, { createdAgoMs: 6 * 3_600_000, validityMs: 12 * 3_600_000 }), dynamic)],
    ["v2_expired", signLegacy(v2Payload(nowMs, { createdAgoMs: 7_200_000 }), dynamic)],
    ["v2_foreign_key_recent", signLegacy(v2Payload(nowMs), foreign)],
    ["v1_recent", signLegacy(v2Payload(nowMs), dynamic, V1_HEADER)],
    ["v2_times_as_strings", signLegacy({ ...v2Payload(nowMs), expiryTime: String(nowMs + 3_600_000), timeCreated: String(nowMs) }, dynamic)],
    ["v2_missing_userData", signLegacy(without(v2Payload(nowMs), "userData"), dynamic)],
    ["v2_missing_userId", signLegacy(without(v2Payload(nowMs), "userId"), dynamic)],
    ["v5_missing_sub", signJwt(hdr(dynamic), without(base(), "sub"), dynamic)],
    ["v5_missing_exp", signJwt(hdr(dynamic), without(base(), "exp"), dynamic)],
    ["v5_missing_iat", signJwt(hdr(dynamic), without(base(), "iat"), dynamic)],
    ["v5_missing_sessionHandle", signJwt(hdr(dynamic), without(base(), "sessionHandle"), dynamic)],
    ["v5_missing_refreshTokenHash1", signJwt(hdr(dynamic), without(base(), "refreshTokenHash1"), dynamic)],
    ["v5_missing_tId", signJwt(hdr(dynamic), without(base(), "tId"), dynamic)],
    ["v5_missing_rsub", signJwt(hdr(dynamic), without(base(), "rsub"), dynamic)],
    ["v5_missing_antiCsrfToken", signJwt(hdr(dynamic), without(base(), "antiCsrfToken"), dynamic)],
    ["v5_missing_parentRefreshTokenHash1", signJwt(hdr(dynamic), without(base(), "parentRefreshTokenHash1"), dynamic)],
    ["v5_sub_number", signJwt(hdr(dynamic), base({ sub: 7 }), dynamic)],
    ["v5_sub_empty", signJwt(hdr(dynamic), base({ sub: "" }), dynamic)],
    ["v5_exp_string", signJwt(hdr(dynamic), base({ exp: String(nowS + 3600) }), dynamic)],
    ["v5_exp_float", signJwt(hdr(dynamic), base({ exp: nowS + 3600.5 }), dynamic)],
    ["v5_exp_in_ms", signJwt(hdr(dynamic), base({ exp: (nowS + 3600) * 1000 }), dynamic)],
    ["v5_exp_just_passed", signJwt(hdr(dynamic), base({ exp: nowS - 1 }), dynamic)],
    ["v5_iat_in_future", signJwt(hdr(dynamic), base({ iat: nowS + 600 }), dynamic)],
    ["v5_nbf_in_future", signJwt(hdr(dynamic), base({ nbf: nowS + 600 }), dynamic)],
    ["v5_tId_number", signJwt(hdr(dynamic), base({ tId: 1 }), dynamic)],
    ["v5_tId_other_tenant", signJwt(hdr(dynamic), base({ tId: "tenant-2" }), dynamic)],
    ["v5_rsub_number", signJwt(hdr(dynamic), base({ rsub: 1 }), dynamic)],
    ["v5_antiCsrfToken_number", signJwt(hdr(dynamic), base({ antiCsrfToken: 1 }), dynamic)],
    ["v5_parent_refresh_hash_set", signJwt(hdr(dynamic), base({ parentRefreshTokenHash1: "abc" }), dynamic)],
    ["v5_stt_0", signJwt(hdr(dynamic), base({ stt: 0 }), dynamic)],
    ["v5_stt_1", signJwt(hdr(dynamic), base({ stt: 1 }), dynamic)],
    ["v5_sessionHandle_number", signJwt(hdr(dynamic), base({ sessionHandle: 5 }), dynamic)],
    ["v5_signed_by_foreign_key_known_kid", signJwt(hdr(dynamic), base(), foreign)],
    ["v5_signed_by_foreign_key_unknown_kid", signJwt(hdr(foreign), base(), foreign)],
    ["v5_rs512_signed", signJwt(hdr(dynamic, { alg: "RS512" }), base(), dynamic, { hash: "sha512" })],
    ["v5_ps256_signed", signJwt(hdr(dynamic, { alg: "PS256" }), base(), dynamic, { padding: 6 /* RSA_PKCS1_PSS_PADDING */ })],
    ["v5_payload_latin1_bytes", `${valid.split(".")[0]}.${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${valid.split(".")[2]}`],
  ];
  return {
    jwks: { keys: [dynamic.jwk, stat.jwk] },
    t: {
      valid,
      antiCsrf,
      expired: signJwt(hdr(dynamic), base({ iat: nowS - 7200, exp: nowS - 3600 }), dynamic),
      otherKind: signJwt(hdr(stat), base(), stat),
      otherKid: stat.kid,
      publicPem: dynamic.publicPem,
      signout: [],
      extra,
    },
  };
}
