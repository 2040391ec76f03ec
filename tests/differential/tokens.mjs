// Access tokens made by hand for the differential corpus: the test's own RSA keys (served by the
// stub core as its JWKS, so that both libraries trust them in the "remote" groups), JWTs of every
// version, and forgeries of a given token (alg none, HMAC keyed with the public key, bad
// signatures, broken segments). Formats are those of the protocol spec, §1.
import crypto from "node:crypto";

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const b64 = (buf) => Buffer.from(buf).toString("base64");
const json = (value) => Buffer.from(JSON.stringify(value), "utf8");

/** The fixed v1/v2 header segments (standard base64 with padding, §1.2). */
export const V2_HEADER = b64(json({ alg: "RS256", typ: "JWT", version: "2" }));
export const V1_HEADER = b64(json({ alg: "RS256", typ: "JWT", version: "1" }));

/** An RSA-2048 signing key with the kid it is published under. */
export function makeKey(kid) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  return {
    kid,
    privateKey,
    publicKey,
    // As a SuperTokens core publishes its keys.
    jwk: { kty: "RSA", kid, n: jwk.n, e: jwk.e, alg: "RS256", use: "sig" },
    publicPem: publicKey.export({ type: "spki", format: "pem" }),
  };
}

/** The public JWK of `kid` in a JWKS document as a PEM (for the HMAC-with-public-key forgery). */
export function publicPemOf(jwks, kid) {
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`no key ${kid} in the JWKS`);
  return crypto.createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" });
}

/** A v3+ JWT: base64url segments, RS256 (or another `alg` given in the header) with `key`. */
export function signJwt(header, payload, key, { hash = "sha256", padding } = {}) {
  const signingInput = `${b64url(json(header))}.${b64url(json(payload))}`;
  const options = padding === undefined ? key.privateKey : { key: key.privateKey, padding, saltLength: 32 };
  const signature = crypto.sign(hash, Buffer.from(signingInput), options);
  return `${signingInput}.${b64url(signature)}`;
}

/** A v1/v2 token: fixed header, standard base64 payload and signature (§1.2). */
export function signLegacy(payload, key, header = V2_HEADER) {
  const signingInput = `${header}.${b64(json(payload))}`;
  return `${signingInput}.${b64(crypto.sign("sha256", Buffer.from(signingInput), key.privateKey))}`;
}

/** A v3+ payload as the SuperTokens core writes it (v5 claims). */
export function v5Payload(nowS, { validityS = 3600, createdAgoS = 10, ...extra } = {}) {
  const iat = nowS - createdAgoS;
  return {
    iat,
    exp: iat + validityS,
    sub: "user-remote",
    tId: "public",
    rsub: "user-remote",
    sessionHandle: "b5a1f1a8-6f7e-4d7c-9a0e-3c1d2e3f4a5b",
    refreshTokenHash1: "9f2c0d6b0c4f6f8e2b1a7d3c5e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
    parentRefreshTokenHash1: null,
    antiCsrfToken: null,
    iss: "http://localhost:3001/auth",
    ...extra,
  };
}

/** A v2 payload (times in ms, the custom payload under `userData`). */
export function v2Payload(nowMs, { validityMs = 3_600_000, createdAgoMs = 10_000, ...extra } = {}) {
  const timeCreated = nowMs - createdAgoMs;
  return {
    sessionHandle: "c6b2e2b9-7a8f-4e8d-8b1f-4d2e3f4a5b6c",
    userId: "user-legacy",
    refreshTokenHash1: "8e1b9c5a0b3e5e7d1a0c6b2d4e8f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f",
    userData: { legacy: true },
    expiryTime: timeCreated + validityMs,
    timeCreated,
    ...extra,
  };
}

/** The three segments of a token, and its header and payload decoded (JWT or v2). */
export function split(token) {
  const [h, p, s] = token.split(".");
  return {
    h,
    p,
    s,
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
  };
}

/** `token` with one character of its signature changed (still valid base64url). */
export function badSignature(token) {
  const { h, p, s } = split(token);
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
}

/** Forgeries of a v3+ token: each keeps the token's claims and kid and changes how it is signed. */
export function forgeries(token, publicPem) {
  const { header, payload, s } = split(token);
  const seg = (v) => b64url(json(v));
  const hmac = (h, secret) => {
    const input = `${seg(h)}.${seg(payload)}`;
    return `${input}.${b64url(crypto.createHmac("sha256", secret).update(input).digest())}`;
  };
  return {
    alg_none_empty_signature: `${seg({ ...header, alg: "none" })}.${seg(payload)}.`,
    alg_none_original_signature: `${seg({ ...header, alg: "none" })}.${seg(payload)}.${s}`,
    alg_none_no_kid: `${seg({ alg: "none", typ: "JWT", version: header.version })}.${seg(payload)}.`,
    alg_None_mixed_case: `${seg({ ...header, alg: "None" })}.${seg(payload)}.`,
    hs256_public_key_pem: hmac({ ...header, alg: "HS256" }, publicPem),
    hs256_public_key_pem_trimmed: hmac({ ...header, alg: "HS256" }, publicPem.trim()),
    rs512_header_rs256_signature: `${seg({ ...header, alg: "RS512" })}.${seg(payload)}.${s}`,
    payload_changed_same_signature: `${seg(header)}.${seg({ ...payload, sub: "someone-else" })}.${s}`,
    kid_unknown_dynamic: `${seg({ ...header, kid: "d-1600000000000" })}.${seg(payload)}.${s}`,
    kid_unknown_static: `${seg({ ...header, kid: "s-00000000-0000-0000-0000-000000000000" })}.${seg(payload)}.${s}`,
    kid_missing: `${seg({ alg: header.alg, typ: header.typ, version: header.version })}.${seg(payload)}.${s}`,
    kid_number: `${seg({ ...header, kid: 12 })}.${seg(payload)}.${s}`,
    version_number: `${seg({ ...header, version: 5 })}.${seg(payload)}.${s}`,
    version_2_in_jwt_header: `${seg({ ...header, version: "2" })}.${seg(payload)}.${s}`,
    typ_missing: `${seg({ alg: header.alg, kid: header.kid, version: header.version })}.${seg(payload)}.${s}`,
  };
}

/** Broken shapes of a token: segments missing, extra dots, junk in each segment, padding. */
export function malformations(token) {
  const { h, p, s } = split(token);
  return {
    bad_signature: badSignature(token),
    truncated_10: token.slice(0, -10),
    truncated_to_half: token.slice(0, Math.floor(token.length / 2)),
    no_signature_segment: `${h}.${p}`,
    empty_signature: `${h}.${p}.`,
    header_only: h,
    extra_dot_at_end: `${token}.`,
    extra_segment: `${token}.${s}`,
    leading_dot: `.${token}`,
    double_dot: `${h}..${p}.${s}`,
    junk_header: `!!!.${p}.${s}`,
    junk_payload: `${h}.%%%.${s}`,
    junk_signature: `${h}.${p}.***`,
    header_not_json: `${b64url("not json")}.${p}.${s}`,
    payload_not_json: `${h}.${b64url("not json")}.${s}`,
    payload_json_array: `${h}.${b64url("[1,2]")}.${s}`,
    payload_json_null: `${h}.${b64url("null")}.${s}`,
    header_json_string: `${b64url('"x"')}.${p}.${s}`,
    header_bad_utf8: `${b64url(Buffer.from([0xff, 0xfe, 0x7b]))}.${p}.${s}`,
    padded_segments: `${h}==.${p}=.${s}=`,
    standard_base64_signature: `${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`,
    leading_space: ` ${token}`,
    trailing_space: `${token} `,
    inner_space: `${h}. ${p}.${s}`,
    huge_signature_100k: `${h}.${p}.${s}${"A".repeat(100_000)}`,
  };
}
