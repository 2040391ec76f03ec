//! Generates the shared, language-neutral test vectors in `tests/vectors/` (format:
//! `tests/README.md`).
//!
//! ```text
//! cargo run -p tessera-core --example gen_vectors
//! ```
//!
//! Every token is minted by hand here (header and payload JSON → segments → RS256 signature
//! with [`SigningKey::sign_rs256`]), never by the authority, so the vectors check the core
//! against the protocol rather than against itself. The expectations are written from the
//! spec (`supertokens-protocol.md`), not computed by calling the core.
//!
//! Output is stable apart from the RSA keys, which are generated on every run (so every
//! signature changes when the files are regenerated): fixed `now_ms`, sorted JSON keys,
//! pretty-printed, fixed case order.

use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{KeyPair, RsaEncoding, RsaKeyPair, RSA_PKCS1_SHA512, RSA_PSS_SHA256};
use serde_json::{json, Map, Value};
use tessera_core::b64;
use tessera_core::keys::{KeySet, SigningKey};
use tessera_core::token::{V1_HEADER, V2_HEADER};

/// The fixed clock of every token/request group.
const NOW: u64 = 1_700_000_000_000;
const NOW_S: u64 = NOW / 1000;
/// `exp` of valid v3+ tokens (one hour after `NOW`).
const EXP_S: u64 = NOW_S + 3600;
/// `iat` of tokens (a minute before `NOW`).
const IAT_S: u64 = NOW_S - 60;
/// `exp` of expired v3+ tokens (a second before `NOW`).
const EXPIRED_S: u64 = NOW_S - 1;

const KID_D1: &str = "d-1699000000000";
const KID_D2: &str = "d-1699500000000";
const KID_S: &str = "s-6f1c2b8e-3a4d-4e5f-9b0a-1c2d3e4f5a6b";
/// A kid that is in no JWKS.
const KID_UNKNOWN: &str = "d-1600000000000";

const EPOCH: &str = "Thu, 01 Jan 1970 00:00:00 GMT";
const ISS: &str = "http://localhost:3001/auth";
const REFRESH_PATH: &str = "/auth/session/refresh";
/// The core clears the legacy cookie at the refresh path; the SDKs clear it at the access-token path.
const CLEAR_DUPLICATE_MESSAGE: &str = "The request contains multiple session cookies. We are clearing the cookie from olderCookieDomain. Session will be refreshed in the next refresh call.";

// ---------------------------------------------------------------------------------------
// Keys and token minting
// ---------------------------------------------------------------------------------------

struct Keys {
    /// Dynamic key `KID_D1` (in the JWKS).
    d1: SigningKey,
    /// Dynamic key `KID_D2` (in the JWKS).
    d2: SigningKey,
    /// Static key `KID_S` (in the JWKS).
    s: SigningKey,
    /// A key that is in no JWKS.
    foreign: SigningKey,
}

impl Keys {
    fn generate() -> Keys {
        let make = |kid: &str| SigningKey::generate(kid.to_owned(), 1_699_000_000_000).expect("RSA key generation");
        Keys { d1: make(KID_D1), d2: make(KID_D2), s: make(KID_S), foreign: make("foreign") }
    }

    /// The public JWKS every token/request group verifies with.
    fn jwks(&self) -> Value {
        KeySet::new(vec![self.d1.public_key().clone(), self.d2.public_key().clone(), self.s.public_key().clone()])
            .to_jwks_json()
    }
}

fn url(v: &Value) -> String {
    b64::encode_url(v.to_string().as_bytes())
}

fn std64(v: &Value) -> String {
    b64::encode_standard(v.to_string().as_bytes())
}

fn rs256(key: &SigningKey, input: &str) -> Vec<u8> {
    key.sign_rs256(input.as_bytes()).expect("RS256 signing")
}

fn ring_sign(key: &SigningKey, alg: &'static dyn RsaEncoding, input: &str) -> Vec<u8> {
    let pair = RsaKeyPair::from_pkcs8(key.pkcs8_der()).expect("pkcs8");
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(alg, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig).expect("sign");
    sig
}

fn hmac_sha256(secret: &[u8], input: &str) -> Vec<u8> {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    aws_lc_rs::hmac::sign(&key, input.as_bytes()).as_ref().to_vec()
}

/// PEM armour (64-column standard base64), as `openssl` writes it.
fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let body = b64::encode_standard(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

fn sha256_hex(s: &str) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A JWT header as the SuperTokens core writes it.
fn header(kid: &str, version: &str) -> Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": kid, "version": version})
}

/// `header.payload`, base64url without padding.
fn signing_input(header: &Value, payload: &Value) -> String {
    format!("{}.{}", url(header), url(payload))
}

/// A v3+ JWT signed by `key` (whatever the header's kid says).
fn jwt(key: &SigningKey, header: &Value, payload: &Value) -> String {
    let si = signing_input(header, payload);
    format!("{si}.{}", b64::encode_url(&rs256(key, &si)))
}

/// A v5 token signed by `key` under `kid`.
fn v5(key: &SigningKey, kid: &str, payload: &Map<String, Value>) -> String {
    jwt(key, &header(kid, "5"), &Value::Object(payload.clone()))
}

/// A legacy v2 token: fixed header, standard base64 with padding, signed by `key`.
fn v2(key: &SigningKey, payload: &Map<String, Value>) -> String {
    let si = format!("{V2_HEADER}.{}", std64(&Value::Object(payload.clone())));
    format!("{si}.{}", b64::encode_standard(&rs256(key, &si)))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn with(mut p: Map<String, Value>, k: &str, v: Value) -> Map<String, Value> {
    p.insert(k.to_owned(), v);
    p
}

fn without(mut p: Map<String, Value>, k: &str) -> Map<String, Value> {
    p.remove(k);
    p
}

/// A stable fake session handle (UUID-shaped) for a user.
fn handle(user: &str) -> String {
    let h = sha256_hex(&format!("handle:{user}"));
    format!("{}-{}-4{}-8{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

/// A v5 payload as the core mints it for CDI >= 4.0.
fn p5(user: &str) -> Map<String, Value> {
    obj(json!({
        "sub": user,
        "exp": EXP_S,
        "iat": IAT_S,
        "sessionHandle": handle(user),
        "refreshTokenHash1": sha256_hex(&format!("refresh:{user}")),
        "parentRefreshTokenHash1": null,
        "antiCsrfToken": null,
        "tId": "public",
        "rsub": user,
        "iss": ISS,
        "role": "admin",
    }))
}

/// A v4 payload (no `rsub`).
fn p4(user: &str) -> Map<String, Value> {
    without(p5(user), "rsub")
}

/// A v3 payload (no `tId`, no `rsub`).
fn p3(user: &str) -> Map<String, Value> {
    without(p4(user), "tId")
}

/// A legacy v2 payload (times in ms, custom payload nested in `userData`).
fn p2(user: &str) -> Map<String, Value> {
    obj(json!({
        "userId": user,
        "expiryTime": NOW + 3_600_000,
        "timeCreated": NOW - 60_000,
        "sessionHandle": handle(user),
        "refreshTokenHash1": sha256_hex(&format!("refresh:{user}")),
        "userData": {"role": "admin"},
    }))
}

/// What verification must give for `p`, computed from the spec's rules (§1.6).
fn session_of(p: &Map<String, Value>, version: u32) -> Value {
    let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
    let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or_default();
    let (user, expiry, created, payload) = if version >= 3 {
        (s("sub"), n("exp") * 1000, n("iat") * 1000, Value::Object(p.clone()))
    } else {
        let data = match p.get("userData") {
            Some(Value::Object(m)) => Value::Object(m.clone()),
            _ => json!({}),
        };
        (s("userId"), n("expiryTime"), n("timeCreated"), data)
    };
    let tenant = if version >= 4 { s("tId").unwrap_or_else(|| "public".into()) } else { "public".into() };
    json!({
        "userId": user,
        "recipeUserId": s("rsub").or_else(|| user.clone()),
        "tenantId": tenant,
        "sessionHandle": s("sessionHandle"),
        "antiCsrfToken": s("antiCsrfToken"),
        "expiryMs": expiry,
        "timeCreatedMs": created,
        "version": version,
        "payload": payload,
    })
}

// ---------------------------------------------------------------------------------------
// Files, groups, cases
// ---------------------------------------------------------------------------------------

fn file(description: &str, groups: Vec<Value>) -> Value {
    json!({"format": 1, "description": description, "groups": groups})
}

fn group(name: &str, description: &str, config: Value, jwks: Option<&Value>, cases: Vec<Value>) -> Value {
    let now = if jwks.is_some() { json!(NOW) } else { Value::Null };
    json!({
        "name": name,
        "description": description,
        "config": config,
        "jwks": jwks.cloned(),
        "now_ms": now,
        "cases": cases,
    })
}

/// The default test app: API on localhost:3001, website on localhost:3000 (so Secure is
/// off, SameSite is Lax and anti-CSRF is NONE by default).
fn config(session: Value) -> Value {
    json!({
        "appInfo": {
            "appName": "tessera-vectors",
            "apiDomain": "http://localhost:3001",
            "websiteDomain": "http://localhost:3000",
        },
        "session": session,
    })
}

/// `config` with the embedded authority on a private in-memory store.
fn embedded(mut cfg: Value) -> Value {
    cfg["connectionURI"] = json!("sqlite::memory:");
    cfg
}

fn tok_ok(name: &str, description: &str, token: String, session: Value) -> Value {
    json!({"name": name, "kind": "token", "description": description, "token": token, "expect": {"session": session}})
}

fn tok_err(name: &str, description: &str, token: String, code: &str) -> Value {
    json!({"name": name, "kind": "token", "description": description, "token": token, "expect": {"error": code}})
}

fn at_now(mut case: Value, now_ms: u64) -> Value {
    case["now_ms"] = json!(now_ms);
    case
}

fn hdrs(headers: &[(&str, &str)]) -> Value {
    Value::Array(headers.iter().map(|(n, v)| json!([n, v])).collect())
}

fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> Value {
    json!({"method": method, "path": path, "headers": hdrs(headers)})
}

fn opts(session_required: bool, anti_csrf_check: Option<bool>, check_database: bool) -> Value {
    json!({"sessionRequired": session_required, "antiCsrfCheck": anti_csrf_check, "checkDatabase": check_database})
}

fn required() -> Value {
    opts(true, None, false)
}

fn optional() -> Value {
    opts(false, None, false)
}

fn request_case(name: &str, description: &str, request: Value, options: Value, expect: Value) -> Value {
    json!({"name": name, "kind": "request", "description": description, "request": request, "options": options, "expect": expect})
}

fn body_for(code: &str) -> Value {
    match code {
        "UNAUTHORISED" => json!({"message": "unauthorised"}),
        "TRY_REFRESH_TOKEN" => json!({"message": "try refresh token"}),
        "TOKEN_THEFT_DETECTED" => json!({"message": "token theft detected"}),
        other => panic!("no body for {other}"),
    }
}

fn untouched_headers() -> Map<String, Value> {
    obj(json!({
        "front-token": null,
        "st-access-token": null,
        "st-refresh-token": null,
        "anti-csrf": null,
        "Access-Control-Expose-Headers": null,
    }))
}

fn untouched_cookies() -> Map<String, Value> {
    obj(json!({"sAccessToken": null, "sRefreshToken": null}))
}

fn response(status: Value, body: Value, headers: Map<String, Value>, cookies: Map<String, Value>) -> Value {
    json!({"status": status, "body": body, "headers": headers, "cookies": cookies})
}

/// The request passes with this session and the core writes nothing.
fn expect_session(session: Value) -> Value {
    json!({"outcome": "session", "session": session, "response": response(Value::Null, Value::Null, untouched_headers(), untouched_cookies())})
}

/// No session, nothing written.
fn expect_none() -> Value {
    json!({"outcome": "none", "response": response(Value::Null, Value::Null, untouched_headers(), untouched_cookies())})
}

/// A session error whose answer clears nothing.
fn expect_error_keep(code: &str, status: u16) -> Value {
    json!({"outcome": code, "response": response(json!(status), body_for(code), untouched_headers(), untouched_cookies())})
}

/// Cookie attributes of a group's configuration.
#[derive(Clone, Copy)]
struct Cookies {
    secure: bool,
    same_site: &'static str,
    domain: Option<&'static str>,
    access_path: &'static str,
    refresh_path: &'static str,
    /// Refresh-token (session) validity: the refresh cookie expires this long after now.
    refresh_validity_ms: u64,
}

/// Access-token cookies live one year (§3.5).
const ACCESS_COOKIE_MS: u64 = 31_536_000_000;
/// Default refresh-token validity: 144000 minutes (100 days).
const REFRESH_VALIDITY_MS: u64 = 144_000 * 60_000;

const LOCAL: Cookies = Cookies {
    secure: false,
    same_site: "Lax",
    domain: None,
    access_path: "/",
    refresh_path: REFRESH_PATH,
    refresh_validity_ms: REFRESH_VALIDITY_MS,
};

fn cookie_cleared(c: &Cookies, path: &str, domain: Option<&str>) -> Value {
    json!({"value": "", "path": path, "expires": EPOCH, "httpOnly": true, "secure": c.secure, "sameSite": c.same_site, "domain": domain})
}

fn cookie_set(c: &Cookies, path: &str, value: Value, lifetime_ms: u64) -> Value {
    json!({"value": value, "path": path, "expires": {"inMs": lifetime_ms}, "httpOnly": true, "secure": c.secure, "sameSite": c.same_site, "domain": c.domain})
}

fn cleared_headers() -> Map<String, Value> {
    obj(json!({
        "front-token": "remove",
        "st-access-token": "",
        "st-refresh-token": "",
        "anti-csrf": null,
        "Access-Control-Expose-Headers": {"list": ["front-token", "st-access-token", "st-refresh-token"]},
    }))
}

fn cleared_cookies(c: &Cookies) -> Map<String, Value> {
    obj(json!({
        "sAccessToken": cookie_cleared(c, c.access_path, c.domain),
        "sRefreshToken": cookie_cleared(c, c.refresh_path, c.domain),
    }))
}

/// A session error answered by clearing every transport (§6).
fn expect_error_cleared(code: &str, status: u16, c: &Cookies) -> Value {
    json!({"outcome": code, "response": response(json!(status), body_for(code), cleared_headers(), cleared_cookies(c))})
}

fn non_empty() -> Value {
    json!({"nonEmpty": true})
}

fn front_token(user: &str) -> Value {
    json!({"frontToken": {"uid": user}})
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transport {
    Cookie,
    Header,
}

/// What to expect when new tokens were issued (create, refresh) on `out`.
#[derive(Clone)]
struct Issued<'a> {
    out: Transport,
    user: &'a str,
    cookies: Cookies,
    /// `exposeAccessTokenToFrontendInCookieBasedAuth`: the variable holding the access
    /// token (saved from the `sAccessToken` cookie by the same step) that `st-access-token`
    /// must equal.
    exposed_var: Option<&'a str>,
    /// Whether an anti-CSRF token is issued.
    anti_csrf: bool,
    /// The other transport, cleared first.
    cleared: Option<Transport>,
    /// A variable holding the previous refresh token, which the new one must differ from.
    previous_rt: Option<&'a str>,
}

impl<'a> Issued<'a> {
    fn new(out: Transport, user: &'a str, cookies: Cookies) -> Issued<'a> {
        Issued { out, user, cookies, exposed_var: None, anti_csrf: false, cleared: None, previous_rt: None }
    }

    fn headers(&self) -> Map<String, Value> {
        let mut h = Map::new();
        h.insert("front-token".into(), front_token(self.user));
        let rt_value = match self.previous_rt {
            Some(v) => json!({"not": format!("${{{v}}}")}),
            None => non_empty(),
        };
        let cleared_header = self.cleared == Some(Transport::Header);
        match self.out {
            Transport::Header => {
                h.insert("st-access-token".into(), non_empty());
                h.insert("st-refresh-token".into(), rt_value);
            }
            Transport::Cookie => {
                let at = match (self.exposed_var, cleared_header) {
                    (Some(v), _) => json!(format!("${{{v}}}")),
                    (None, true) => json!(""),
                    (None, false) => Value::Null,
                };
                h.insert("st-access-token".into(), at);
                h.insert("st-refresh-token".into(), if cleared_header { json!("") } else { Value::Null });
            }
        }
        h.insert("anti-csrf".into(), if self.anti_csrf { non_empty() } else { Value::Null });
        let mut exposed = vec!["front-token"];
        match self.out {
            Transport::Header => exposed.extend(["st-access-token", "st-refresh-token"]),
            Transport::Cookie if self.exposed_var.is_some() => exposed.push("st-access-token"),
            Transport::Cookie => {}
        }
        if self.anti_csrf {
            exposed.push("anti-csrf");
        }
        let aceh = if self.cleared.is_some() {
            for x in ["st-access-token", "st-refresh-token"] {
                if cleared_header && !exposed.contains(&x) {
                    exposed.push(x);
                }
            }
            json!({"list": exposed})
        } else {
            json!(exposed.join(", "))
        };
        h.insert("Access-Control-Expose-Headers".into(), aceh);
        h
    }

    fn cookies(&self) -> Map<String, Value> {
        let c = &self.cookies;
        let mut m = Map::new();
        match self.out {
            Transport::Cookie => {
                let rt_value = match self.previous_rt {
                    Some(v) => json!({"not": format!("${{{v}}}")}),
                    None => non_empty(),
                };
                m.insert("sAccessToken".into(), cookie_set(c, c.access_path, non_empty(), ACCESS_COOKIE_MS));
                m.insert("sRefreshToken".into(), cookie_set(c, c.refresh_path, rt_value, c.refresh_validity_ms));
            }
            Transport::Header if self.cleared == Some(Transport::Cookie) => {
                m = cleared_cookies(c);
            }
            Transport::Header => m = untouched_cookies(),
        }
        m
    }

    /// The expectation of a create step.
    fn created(&self) -> Value {
        json!({
            "outcome": "session",
            "session": {"userId": self.user, "recipeUserId": self.user, "tenantId": "public", "version": 5},
            "response": response(Value::Null, Value::Null, self.headers(), self.cookies()),
        })
    }

    /// The expectation of a successful refresh (`POST {apiBasePath}/session/refresh`).
    fn refreshed(&self) -> Value {
        json!({"response": response(json!(200), json!({}), self.headers(), self.cookies())})
    }
}

fn step_create(headers: &[(&str, &str)], user: &str, save: Value, expect: Value) -> Value {
    json!({
        "action": "create",
        "request": req("POST", "/login", headers),
        "tenantId": "public",
        "userId": user,
        "payload": {},
        "save": save,
        "expect": expect,
    })
}

fn step_verify(method: &str, headers: &[(&str, &str)], options: Value, save: Value, expect: Value) -> Value {
    json!({"action": "verify", "request": req(method, "/protected", headers), "options": options, "save": save, "expect": expect})
}

fn step_api(method: &str, path: &str, headers: &[(&str, &str)], save: Value, expect: Value) -> Value {
    json!({"action": "api", "request": req(method, path, headers), "save": save, "expect": expect})
}

fn flow(name: &str, description: &str, steps: Vec<Value>) -> Value {
    json!({"name": name, "kind": "flow", "description": description, "steps": steps})
}

fn no_save() -> Value {
    json!({})
}

/// The expectation of an `api` step answered with a session error.
fn api_error_cleared(code: &str, status: u16, c: &Cookies) -> Value {
    json!({"response": response(json!(status), body_for(code), cleared_headers(), cleared_cookies(c))})
}

fn api_error_keep(code: &str, status: u16) -> Value {
    json!({"response": response(json!(status), body_for(code), untouched_headers(), untouched_cookies())})
}

/// Variable reference for a step's request or expectations.
fn var(name: &str) -> String {
    format!("${{{name}}}")
}

// ---------------------------------------------------------------------------------------
// token_formats.json
// ---------------------------------------------------------------------------------------

fn token_formats(k: &Keys) -> Value {
    let jwks = k.jwks();
    let u = "user-1";

    // --- valid tokens of every version and encoding
    let mut versions = Vec::new();
    let p = p5(u);
    versions.push(tok_ok(
        "v5_valid",
        "v5 token (base64url, no padding) signed by the first dynamic key",
        v5(&k.d1, KID_D1, &p),
        session_of(&p, 5),
    ));
    versions.push(tok_ok(
        "v5_valid_second_key",
        "v5 token signed by the second dynamic key of the JWKS",
        v5(&k.d2, KID_D2, &p),
        session_of(&p, 5),
    ));
    versions.push(tok_ok(
        "v5_static_key",
        "v5 token signed by the static key: verify_access_token does no dynamic/static check (see verify_requests.json)",
        v5(&k.s, KID_S, &p),
        session_of(&p, 5),
    ));
    let pt = with(
        with(
            with(p5("user-t"), "tId", json!("tenant-a")),
            "sessionHandle",
            json!(format!("{}_tenant-a", handle("user-t"))),
        ),
        "rsub",
        json!("recipe-user-t"),
    );
    versions.push(tok_ok(
        "v5_tenant_and_recipe_user",
        "v5 token of tenant-a whose recipe user id differs from the primary user id",
        v5(&k.d1, KID_D1, &pt),
        session_of(&pt, 5),
    ));
    let pc = with(p5(u), "antiCsrfToken", json!("0b9c1a7e-2f3d-4c5b-8a6e-9d0f1e2c3b4a"));
    versions.push(tok_ok(
        "v5_with_anti_csrf_token",
        "v5 token carrying an anti-CSRF token",
        v5(&k.d1, KID_D1, &pc),
        session_of(&pc, 5),
    ));
    let pp = with(p5(u), "parentRefreshTokenHash1", json!(sha256_hex("parent")));
    versions.push(tok_ok(
        "v5_with_parent_refresh_token_hash",
        "v5 token with a non-null parentRefreshTokenHash1 still verifies locally",
        v5(&k.d1, KID_D1, &pp),
        session_of(&pp, 5),
    ));
    let pu = with(with(p5(u), "name", json!("Zoë 東京 🚀")), "nested", json!({"a": [1, 2, {"b": null}], "c": true}));
    versions.push(tok_ok(
        "v5_custom_claims_unicode",
        "custom claims (unicode, nested) are kept at the root of the payload",
        v5(&k.d1, KID_D1, &pu),
        session_of(&pu, 5),
    ));
    {
        // Header members in another order than ours plus an unknown member: the header is
        // JSON, so order and extra members do not matter.
        let raw_header = format!(r#"{{"version":"5","kid":"{KID_D1}","typ":"JWT","alg":"RS256","cty":"JWT-ish"}}"#);
        let si = format!("{}.{}", b64::encode_url(raw_header.as_bytes()), url(&Value::Object(p.clone())));
        let token = format!("{si}.{}", b64::encode_url(&rs256(&k.d1, &si)));
        versions.push(tok_ok(
            "v5_header_member_order_and_extra_member",
            "header members in another order plus an unknown member",
            token,
            session_of(&p, 5),
        ));
    }
    {
        // Payload segment in standard base64 with padding (and + / characters): decoding is lenient.
        let mut pl = with(p5(u), "blob", json!("~~~>>>???"));
        // Grow `pad` until the standard encoding needs padding.
        let mut pad = String::new();
        let payload_seg = loop {
            let seg = std64(&Value::Object(pl.clone()));
            if seg.ends_with('=') && (seg.contains('+') || seg.contains('/')) {
                break seg;
            }
            assert!(pad.len() < 64, "no padded standard encoding found");
            pad.push('x');
            pl = with(pl, "pad", json!(pad));
        };
        let si = format!("{}.{}", url(&header(KID_D1, "5")), payload_seg);
        let token = format!("{si}.{}", b64::encode_standard(&rs256(&k.d1, &si)));
        versions.push(tok_ok(
            "v5_standard_base64_segments",
            "v5 token whose payload and signature use standard base64 with padding",
            token,
            session_of(&pl, 5),
        ));
    }
    let p4v = p4(u);
    versions.push(tok_ok(
        "v4_valid",
        "v4 token: tId, no rsub (recipeUserId falls back to sub)",
        jwt(&k.d1, &header(KID_D1, "4"), &Value::Object(p4v.clone())),
        session_of(&p4v, 4),
    ));
    let p4t = with(p4("user-t"), "tId", json!("tenant-b"));
    versions.push(tok_ok(
        "v4_tenant",
        "v4 token of tenant-b",
        jwt(&k.d1, &header(KID_D1, "4"), &Value::Object(p4t.clone())),
        session_of(&p4t, 4),
    ));
    let p3v = p3(u);
    versions.push(tok_ok(
        "v3_valid",
        "v3 token: no tId (tenant public), no rsub",
        jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(p3v.clone())),
        session_of(&p3v, 3),
    ));
    let p3t = with(p3(u), "tId", json!("tenant-c"));
    versions.push(tok_ok(
        "v3_tid_ignored",
        "a v3 token's tId is not read: the tenant is public",
        jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(p3t.clone())),
        session_of(&p3t, 3),
    ));
    let p3r = with(p3(u), "rsub", json!("recipe-1"));
    versions.push(tok_ok(
        "v3_rsub_used",
        "recipeUserId is rsub when present, whatever the version",
        jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(p3r.clone())),
        session_of(&p3r, 3),
    ));
    {
        let h = json!({"alg": "RS256", "typ": "JWT", "kid": KID_D1});
        let pv = with(p5(u), "tId", json!("tenant-x"));
        versions.push(tok_ok(
            "missing_version_is_v3",
            "a header without version is v3 (as in the SDKs): v3 rules, so tId is ignored",
            jwt(&k.d1, &h, &Value::Object(pv.clone())),
            session_of(&pv, 3),
        ));
        let p3m = p3(u);
        versions.push(tok_ok(
            "missing_version_v3_claims_only",
            "a header without version and only v3 claims (a createJWT token)",
            jwt(&k.d1, &h, &Value::Object(p3m.clone())),
            session_of(&p3m, 3),
        ));
    }
    versions.push(tok_ok(
        "version_6_uses_v5_rules",
        "a future version \"6\" is accepted with the v5 rules",
        jwt(&k.d1, &header(KID_D1, "6"), &Value::Object(p.clone())),
        session_of(&p, 6),
    ));
    versions.push(tok_ok(
        "version_parse_int_prefix",
        "version \"5x\" is parseInt'ed to 5 (node)",
        jwt(&k.d1, &header(KID_D1, "5x"), &Value::Object(p.clone())),
        session_of(&p, 5),
    ));
    let p2v = p2(u);
    versions.push(tok_ok(
        "v2_valid",
        "legacy v2 token: fixed header, standard base64 with padding, times in ms, payload in userData",
        v2(&k.d1, &p2v),
        session_of(&p2v, 2),
    ));
    versions.push(tok_ok(
        "v2_signed_by_third_key",
        "v2 tokens carry no kid: every JWKS key is tried",
        v2(&k.s, &p2v),
        session_of(&p2v, 2),
    ));
    {
        let si = format!("{V2_HEADER}.{}", url(&Value::Object(p2v.clone())));
        let token = format!("{si}.{}", b64::encode_url(&rs256(&k.d1, &si)));
        versions.push(tok_ok(
            "v2_base64url_segments",
            "v2 token whose payload and signature use base64url without padding (lenient decoding)",
            token,
            session_of(&p2v, 2),
        ));
        let mut pl = with(p2v.clone(), "pad", json!(""));
        let mut pad = String::new();
        while !std64(&Value::Object(pl.clone())).ends_with('=') {
            pad.push('x');
            pl = with(pl, "pad", json!(pad));
        }
        let seg = std64(&Value::Object(pl.clone())).trim_end_matches('=').to_owned();
        let si = format!("{V2_HEADER}.{seg}");
        let sig = b64::encode_standard(&rs256(&k.d1, &si));
        let token = format!("{si}.{}", sig.trim_end_matches('='));
        versions.push(tok_ok(
            "v2_standard_base64_without_padding",
            "v2 token whose payload and signature drop the = padding",
            token,
            session_of(&pl, 2),
        ));
    }
    let p2c =
        with(with(p2v.clone(), "antiCsrfToken", json!("csrf-v2")), "parentRefreshTokenHash1", json!(sha256_hex("p")));
    versions.push(tok_ok(
        "v2_with_anti_csrf_and_parent",
        "v2 token with antiCsrfToken and parentRefreshTokenHash1",
        v2(&k.d1, &p2c),
        session_of(&p2c, 2),
    ));
    let p2e = with(p2v.clone(), "userData", json!({}));
    versions.push(tok_ok(
        "v2_empty_user_data",
        "v2 token with an empty userData: payload {}",
        v2(&k.d1, &p2e),
        session_of(&p2e, 2),
    ));
    {
        let si = format!("{V1_HEADER}.{}", std64(&Value::Object(p2v.clone())));
        let token = format!("{si}.{}", b64::encode_standard(&rs256(&k.d1, &si)));
        versions.push(tok_ok(
            "v1_header_is_legacy",
            "the v1 fixed header is recognised like v2 (node, golang)",
            token,
            session_of(&p2v, 2),
        ));
    }

    // --- not a token: the request protocol treats these as absent (UNAUTHORISED here)
    let mut parse = Vec::new();
    let good = v5(&k.d1, KID_D1, &p);
    let mut parts = good.split('.');
    let (gh, gp, gs) =
        (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let na = "UNAUTHORISED";
    parse.push(tok_err("empty_string", "the empty string (zero parts)", String::new(), na));
    parse.push(tok_err("one_part", "one part", "abc".into(), na));
    parse.push(tok_err("one_part_real_header", "a real header segment alone", gh.to_owned(), na));
    parse.push(tok_err("two_parts", "header.payload of a valid token, no signature part", format!("{gh}.{gp}"), na));
    parse.push(tok_err("four_parts", "a valid token with a fourth part", format!("{good}.{gs}"), na));
    parse.push(tok_err("four_parts_trailing_dot", "a valid token followed by a dot", format!("{good}."), na));
    parse.push(tok_err("three_empty_parts", "\"..\"", "..".into(), na));
    parse.push(tok_err("four_empty_parts", "\"...\"", "...".into(), na));
    parse.push(tok_err("header_bad_base64", "header segment is not base64", format!("!!!.{gp}.{gs}"), na));
    parse.push(tok_err("payload_bad_base64", "payload segment is not base64", format!("{gh}.%%%.{gs}"), na));
    parse.push(tok_err(
        "header_single_base64_char",
        "header segment of one character cannot be base64",
        format!("e.{gp}.{gs}"),
        na,
    ));
    parse.push(tok_err(
        "header_not_json",
        "header decodes but is not JSON",
        format!("{}.{gp}.{gs}", b64::encode_url(b"hello world")),
        na,
    ));
    parse.push(tok_err(
        "payload_not_json",
        "payload decodes but is not JSON",
        format!("{gh}.{}.{gs}", b64::encode_url(b"{\"sub\":")),
        na,
    ));
    for (label, v) in [
        ("array", json!([header(KID_D1, "5")])),
        ("number", json!(5)),
        ("string", json!("RS256")),
        ("null", Value::Null),
    ] {
        parse.push(tok_err(
            &format!("header_json_{label}"),
            &format!("header JSON is a {label}, not an object"),
            format!("{}.{gp}.{gs}", url(&v)),
            na,
        ));
        let pv = match label {
            "array" => json!([Value::Object(p.clone())]),
            _ => v.clone(),
        };
        let si = format!("{gh}.{}", url(&pv));
        let token = format!("{si}.{}", b64::encode_url(&rs256(&k.d1, &si)));
        parse.push(tok_err(
            &format!("payload_json_{label}"),
            &format!("payload JSON is a {label}, not an object (correctly signed)"),
            token,
            na,
        ));
    }
    let signed = |h: Value, pl: &Map<String, Value>| jwt(&k.d1, &h, &Value::Object(pl.clone()));
    parse.push(tok_err(
        "version_number",
        "version must be a JSON string: 5 (a number) is rejected",
        signed(json!({"alg": "RS256", "typ": "JWT", "kid": KID_D1, "version": 5}), &p),
        na,
    ));
    parse.push(tok_err(
        "version_2_in_jwt_header",
        "a JWT header saying version \"2\" (not the fixed v2 header) is below 3",
        signed(header(KID_D1, "2"), &p),
        na,
    ));
    parse.push(tok_err(
        "version_1_in_jwt_header",
        "version \"1\" in a JWT header",
        signed(header(KID_D1, "1"), &p),
        na,
    ));
    parse.push(tok_err("version_not_numeric", "version \"abc\" is NaN", signed(header(KID_D1, "abc"), &p), na));
    parse.push(tok_err("version_empty", "version \"\" is NaN", signed(header(KID_D1, ""), &p), na));
    parse.push(tok_err(
        "version_null",
        "version null is not a string",
        signed(json!({"alg": "RS256", "typ": "JWT", "kid": KID_D1, "version": null}), &p),
        na,
    ));
    parse.push(tok_err(
        "typ_missing",
        "typ missing",
        signed(json!({"alg": "RS256", "kid": KID_D1, "version": "5"}), &p),
        na,
    ));
    parse.push(tok_err(
        "typ_lowercase",
        "typ \"jwt\" is not \"JWT\"",
        signed(json!({"alg": "RS256", "typ": "jwt", "kid": KID_D1, "version": "5"}), &p),
        na,
    ));
    parse.push(tok_err(
        "typ_wrong",
        "typ \"at+jwt\"",
        signed(json!({"alg": "RS256", "typ": "at+jwt", "kid": KID_D1, "version": "5"}), &p),
        na,
    ));
    parse.push(tok_err(
        "kid_missing_v5",
        "a v5 header without kid",
        signed(json!({"alg": "RS256", "typ": "JWT", "version": "5"}), &p),
        na,
    ));
    parse.push(tok_err(
        "kid_missing_v3",
        "a v3 header without kid",
        signed(json!({"alg": "RS256", "typ": "JWT", "version": "3"}), &p3(u)),
        na,
    ));
    parse.push(tok_err(
        "kid_missing_no_version",
        "no version (v3) and no kid",
        signed(json!({"alg": "RS256", "typ": "JWT"}), &p3(u)),
        na,
    ));
    {
        let unpadded = V2_HEADER.trim_end_matches('=');
        let si = format!("{unpadded}.{}", std64(&Value::Object(p2v.clone())));
        let token = format!("{si}.{}", b64::encode_standard(&rs256(&k.d1, &si)));
        parse.push(tok_err(
            "v2_header_without_padding",
            "the v2 header is matched by exact string: without its = it is parsed as JSON, version \"2\" < 3",
            token,
            na,
        ));
    }

    // --- algorithms and signatures: TRY_REFRESH_TOKEN
    let tr = "TRY_REFRESH_TOKEN";
    let mut sigs = Vec::new();
    // supertokens-node only requires a kid to be present; one that is not a string names no
    // key (jose then matches none, or several): try refresh.
    for (name, kid) in [("kid_null", Value::Null), ("kid_number", json!(12))] {
        sigs.push(tok_err(
            name,
            &format!("kid {kid}: parsed, names no key"),
            signed(json!({"alg": "RS256", "typ": "JWT", "kid": kid, "version": "5"}), &p),
            tr,
        ));
    }
    let hp = |alg: Value| json!({"alg": alg, "typ": "JWT", "kid": KID_D1, "version": "5"});
    let pv = Value::Object(p.clone());
    {
        let si = signing_input(&hp(json!("none")), &pv);
        sigs.push(tok_err("alg_none_empty_signature", "alg none with an empty signature", format!("{si}."), tr));
        sigs.push(tok_err(
            "alg_none_valid_rs256_signature",
            "alg none but carrying a valid RS256 signature of the input",
            format!("{si}.{}", b64::encode_url(&rs256(&k.d1, &si))),
            tr,
        ));
        let si = signing_input(&hp(json!("NONE")), &pv);
        sigs.push(tok_err("alg_none_uppercase", "alg NONE, empty signature", format!("{si}."), tr));
    }
    {
        let h = json!({"typ": "JWT", "kid": KID_D1, "version": "5"});
        sigs.push(tok_err("alg_missing", "no alg member (valid RS256 signature)", jwt(&k.d1, &h, &pv), tr));
        sigs.push(tok_err(
            "alg_lowercase_rs256",
            "alg \"rs256\" (valid RS256 signature)",
            jwt(&k.d1, &hp(json!("rs256")), &pv),
            tr,
        ));
        sigs.push(tok_err(
            "alg_unknown",
            "alg \"XYZ\" (valid RS256 signature)",
            jwt(&k.d1, &hp(json!("XYZ")), &pv),
            tr,
        ));
        sigs.push(tok_err("alg_not_a_string", "alg 256", jwt(&k.d1, &hp(json!(256)), &pv), tr));
        sigs.push(tok_err(
            "alg_es256_with_rs256_signature",
            "alg ES256 over a valid RS256 signature",
            jwt(&k.d1, &hp(json!("ES256")), &pv),
            tr,
        ));
        let si = signing_input(&hp(json!("RS512")), &pv);
        sigs.push(tok_err(
            "alg_rs512_real_signature",
            "alg RS512 with a real RSASSA-PKCS1-v1_5 SHA-512 signature by the right key: only RS256 is accepted",
            format!("{si}.{}", b64::encode_url(&ring_sign(&k.d1, &RSA_PKCS1_SHA512, &si))),
            tr,
        ));
        let si = signing_input(&hp(json!("PS256")), &pv);
        sigs.push(tok_err(
            "alg_ps256_real_signature",
            "alg PS256 with a real RSASSA-PSS SHA-256 signature by the right key",
            format!("{si}.{}", b64::encode_url(&ring_sign(&k.d1, &RSA_PSS_SHA256, &si))),
            tr,
        ));
        let si = signing_input(&hp(json!("RS256")), &pv);
        sigs.push(tok_err(
            "rs256_header_pss_signature",
            "alg RS256 but the signature is RSASSA-PSS",
            format!("{si}.{}", b64::encode_url(&ring_sign(&k.d1, &RSA_PSS_SHA256, &si))),
            tr,
        ));
    }
    {
        // HS256 keyed with the RSA public key (the classic algorithm-confusion attack).
        let jwk = k.d1.public_key().to_jwk();
        let n_b64 = jwk["n"].as_str().unwrap_or_default().to_owned();
        let n = b64::decode_lenient(n_b64.as_bytes()).expect("n");
        let pair = RsaKeyPair::from_pkcs8(k.d1.pkcs8_der()).expect("pkcs8");
        let spki_der = pair.public_key().as_der().expect("spki der").as_ref().to_vec();
        let pkcs1_der = pair.public_key().as_ref().to_vec();
        let spki_pem = pem("PUBLIC KEY", &spki_der);
        let pkcs1_pem = pem("RSA PUBLIC KEY", &pkcs1_der);
        let jwk_json = jwk.to_string().into_bytes();
        let jwks_json = k.jwks().to_string().into_bytes();
        let secrets: Vec<(&str, Vec<u8>)> = vec![
            ("spki_der", spki_der.clone()),
            ("spki_pem", spki_pem),
            ("pkcs1_der", pkcs1_der),
            ("pkcs1_pem", pkcs1_pem),
            ("jwk_n_bytes", n.clone()),
            ("jwk_n_base64url_text", n_b64.into_bytes()),
            ("jwk_json_text", jwk_json),
            ("jwks_json_text", jwks_json),
        ];
        let si = signing_input(&hp(json!("HS256")), &pv);
        for (label, secret) in secrets {
            sigs.push(tok_err(
                &format!("alg_hs256_keyed_with_public_key_{label}"),
                &format!("HS256 HMAC over the signing input with the RSA public key ({label}) as the secret"),
                format!("{si}.{}", b64::encode_url(&hmac_sha256(&secret, &si))),
                tr,
            ));
        }
        // A header without version (v3 rules) works the same way.
        let h = json!({"alg": "HS256", "typ": "JWT", "kid": KID_D1});
        let si = signing_input(&h, &Value::Object(p3(u)));
        sigs.push(tok_err(
            "alg_hs256_no_version_spki_der",
            "HS256 keyed with the SPKI DER, header without version (v3)",
            format!("{si}.{}", b64::encode_url(&hmac_sha256(&spki_der, &si))),
            tr,
        ));
    }
    sigs.push(tok_err(
        "crit_header",
        "a crit header member that nobody understands",
        jwt(&k.d1, &json!({"alg": "RS256", "typ": "JWT", "kid": KID_D1, "version": "5", "crit": ["exp"]}), &pv),
        tr,
    ));
    sigs.push(tok_err(
        "signature_bad_base64",
        "signature segment is not base64 (the token itself parses)",
        format!("{gh}.{gp}.!!!"),
        tr,
    ));
    sigs.push(tok_err("signature_empty", "empty signature segment with alg RS256", format!("{gh}.{gp}."), tr));
    sigs.push(tok_err(
        "signature_truncated",
        "signature missing its last bytes",
        format!("{gh}.{gp}.{}", &gs[..gs.len() - 8]),
        tr,
    ));
    {
        let mut sig = b64::decode_lenient(gs.as_bytes()).expect("sig");
        if let Some(last) = sig.last_mut() {
            *last ^= 1;
        }
        sigs.push(tok_err(
            "signature_bit_flipped",
            "one bit of the signature flipped",
            format!("{gh}.{gp}.{}", b64::encode_url(&sig)),
            tr,
        ));
    }
    {
        let other = v5(&k.d1, KID_D1, &p5("user-2"));
        let other_sig = other.rsplit('.').next().unwrap_or_default();
        sigs.push(tok_err(
            "signature_of_another_token",
            "a valid signature of another token by the same key",
            format!("{gh}.{gp}.{other_sig}"),
            tr,
        ));
    }
    {
        let tampered = with(p.clone(), "sub", json!("admin"));
        sigs.push(tok_err(
            "tampered_payload",
            "the payload was changed after signing (sub → admin)",
            format!("{gh}.{}.{gs}", url(&Value::Object(tampered))),
            tr,
        ));
        let tampered = with(p.clone(), "exp", json!(EXP_S + 86_400));
        sigs.push(tok_err(
            "tampered_payload_exp",
            "exp extended after signing",
            format!("{gh}.{}.{gs}", url(&Value::Object(tampered))),
            tr,
        ));
        sigs.push(tok_err(
            "tampered_header_kid",
            "kid switched to another JWKS key after signing",
            format!("{}.{gp}.{gs}", url(&header(KID_D2, "5"))),
            tr,
        ));
        // Re-encoding the same payload in standard base64 changes the signing input bytes.
        assert_ne!(std64(&pv), gp, "the re-encoded payload must differ from the original segment");
        sigs.push(tok_err(
            "payload_reencoded",
            "the same payload re-encoded in standard base64: the signature covers the raw segment bytes",
            format!("{gh}.{}.{gs}", std64(&pv)),
            tr,
        ));
    }
    sigs.push(tok_err("kid_unknown", "a kid that is not in the JWKS", v5(&k.d1, KID_UNKNOWN, &p), tr));
    sigs.push(tok_err(
        "kid_unknown_static",
        "an s- kid that is not in the JWKS",
        v5(&k.s, "s-00000000-0000-4000-8000-000000000000", &p),
        tr,
    ));
    sigs.push(tok_err(
        "signed_by_key_not_in_jwks",
        "right kid, but signed by a key that is not in the JWKS",
        v5(&k.foreign, KID_D1, &p),
        tr,
    ));
    sigs.push(tok_err(
        "signed_by_other_jwks_key",
        "kid of the first key, signed by the second JWKS key",
        v5(&k.d2, KID_D1, &p),
        tr,
    ));
    sigs.push(tok_err(
        "v2_signed_by_key_not_in_jwks",
        "v2 token signed by a key that is not in the JWKS",
        v2(&k.foreign, &p2v),
        tr,
    ));
    {
        let t = v2(&k.d1, &p2v);
        let mut it = t.split('.');
        let (h, _, s) = (it.next().unwrap_or_default(), it.next(), it.next().unwrap_or_default());
        let tampered = with(p2v.clone(), "userId", json!("admin"));
        sigs.push(tok_err(
            "v2_tampered_payload",
            "v2 payload changed after signing",
            format!("{h}.{}.{s}", std64(&Value::Object(tampered))),
            tr,
        ));
    }

    // --- expiry: no leeway; v3+ valid iff now < exp*1000, v2 valid iff expiryTime >= now
    let mut expiry = Vec::new();
    let t = v5(&k.d1, KID_D1, &p);
    let exp_ms = EXP_S * 1000;
    expiry.push(at_now(tok_err("v5_expired_exactly_at_exp", "now_ms = exp*1000: expired", t.clone(), tr), exp_ms));
    expiry.push(at_now(
        tok_ok("v5_valid_1ms_before_exp", "now_ms = exp*1000 - 1: valid", t.clone(), session_of(&p, 5)),
        exp_ms - 1,
    ));
    expiry.push(at_now(tok_err("v5_expired_1ms_after_exp", "now_ms = exp*1000 + 1", t.clone(), tr), exp_ms + 1));
    expiry.push(at_now(
        tok_err("v5_expired_500ms_after_exp", "now_ms = exp*1000 + 500 (same second as exp)", t, tr),
        exp_ms + 500,
    ));
    let pe = with(p.clone(), "exp", json!(EXPIRED_S));
    expiry.push(tok_err("v5_expired", "exp one second before now", v5(&k.d1, KID_D1, &pe), tr));
    let t3 = jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(p3v.clone()));
    expiry.push(at_now(tok_err("v3_expired_exactly_at_exp", "v3, now_ms = exp*1000", t3.clone(), tr), exp_ms));
    expiry.push(at_now(
        tok_ok("v3_valid_1ms_before_exp", "v3, now_ms = exp*1000 - 1", t3, session_of(&p3v, 3)),
        exp_ms - 1,
    ));
    let p2x = with(p2v.clone(), "expiryTime", json!(NOW - 1));
    expiry.push(tok_err("v2_expired", "v2 expiryTime = now - 1", v2(&k.d1, &p2x), tr));
    let p2n = with(p2v.clone(), "expiryTime", json!(NOW));
    expiry.push(tok_ok(
        "v2_expiry_equal_to_now_is_valid",
        "v2 expiryTime = now: still valid (expiryTime >= now)",
        v2(&k.d1, &p2n),
        session_of(&p2n, 2),
    ));
    let p2f = with(p2v.clone(), "expiryTime", json!(NOW + 1));
    expiry.push(tok_ok("v2_expiry_1ms_after_now", "v2 expiryTime = now + 1", v2(&k.d1, &p2f), session_of(&p2f, 2)));
    let pn = with(p.clone(), "nbf", json!(NOW_S + 10));
    expiry.push(tok_err("nbf_in_future", "nbf ten seconds in the future (jose rejects)", v5(&k.d1, KID_D1, &pn), tr));
    let pn = with(p.clone(), "nbf", json!(NOW_S - 10));
    expiry.push(tok_ok("nbf_in_past", "nbf in the past", v5(&k.d1, KID_D1, &pn), session_of(&pn, 5)));
    let pi = with(p.clone(), "iat", json!(NOW_S + 600));
    expiry.push(tok_ok(
        "iat_in_future",
        "an iat in the future is not checked (no leeway, no iat check)",
        v5(&k.d1, KID_D1, &pi),
        session_of(&pi, 5),
    ));

    let cfg = config(json!({}));
    file(
        "Access-token parsing and verification (spec §1): every version and encoding, parse failures (not a token: UNAUTHORISED), algorithm and signature failures and expiry (TRY_REFRESH_TOKEN).",
        vec![
            group("versions", "valid tokens of every version and encoding", cfg.clone(), Some(&jwks), versions),
            group("not_a_token", "tokens that fail parsing (§1.4): verify_access_token answers UNAUTHORISED and the request protocol treats them as absent", cfg.clone(), Some(&jwks), parse),
            group("algorithms_and_signatures", "tokens that parse but do not verify: RS256 is pinned, the signature covers the raw segments, keys come from the JWKS by kid", cfg.clone(), Some(&jwks), sigs),
            group("expiry", "expiry without leeway (§1.7); some cases move now_ms", cfg, Some(&jwks), expiry),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// token_structure.json
// ---------------------------------------------------------------------------------------

fn token_structure(k: &Keys) -> Value {
    let jwks = k.jwks();
    let u = "user-1";
    let na = "UNAUTHORISED";
    let mut groups = Vec::new();
    let wrong_values = |claim: &str| -> Vec<(&'static str, Value)> {
        let wrong = match claim {
            "exp" | "iat" | "expiryTime" | "timeCreated" => json!(format!("{EXP_S}")),
            _ => json!(42),
        };
        vec![("wrong_type", wrong), ("null", Value::Null), ("object", json!({"v": 1}))]
    };
    for (version, base, required) in [
        ("5", p5(u), vec!["sub", "exp", "iat", "sessionHandle", "refreshTokenHash1", "rsub"]),
        ("4", p4(u), vec!["sub", "exp", "iat", "sessionHandle", "refreshTokenHash1"]),
        ("3", p3(u), vec!["sub", "exp", "iat", "sessionHandle", "refreshTokenHash1"]),
    ] {
        let v: u32 = version.parse().unwrap_or(5);
        let mut cases = Vec::new();
        let mint = |pl: &Map<String, Value>| jwt(&k.d1, &header(KID_D1, version), &Value::Object(pl.clone()));
        cases.push(tok_ok(&format!("v{version}_complete"), "all claims present", mint(&base), session_of(&base, v)));
        for claim in &required {
            let pl = without(base.clone(), claim);
            cases.push(tok_err(&format!("v{version}_missing_{claim}"), &format!("{claim} missing"), mint(&pl), na));
            for (label, value) in wrong_values(claim) {
                let pl = with(base.clone(), claim, value);
                cases.push(tok_err(
                    &format!("v{version}_{claim}_{label}"),
                    &format!("{claim} is {label}"),
                    mint(&pl),
                    na,
                ));
            }
        }
        // Nullable / optional claims (§1.5: the SDK tolerates skipped nullable props).
        let skipped = without(without(base.clone(), "parentRefreshTokenHash1"), "antiCsrfToken");
        cases.push(tok_ok(
            &format!("v{version}_skipped_nullable_props"),
            "parentRefreshTokenHash1 and antiCsrfToken absent: accepted",
            mint(&skipped),
            session_of(&skipped, v),
        ));
        let nulls = with(with(base.clone(), "parentRefreshTokenHash1", Value::Null), "antiCsrfToken", Value::Null);
        cases.push(tok_ok(
            &format!("v{version}_null_nullable_props"),
            "parentRefreshTokenHash1 and antiCsrfToken null: accepted",
            mint(&nulls),
            session_of(&nulls, v),
        ));
        if v >= 4 {
            let no_tid = without(base.clone(), "tId");
            cases.push(tok_ok(
                &format!("v{version}_missing_tId_accepted"),
                "tId is not enforced (dead code in the SDKs); the tenant is public",
                mint(&no_tid),
                session_of(&no_tid, v),
            ));
        }
        if v < 5 {
            let with_rsub = with(base.clone(), "rsub", json!(42));
            cases.push(tok_ok(
                &format!("v{version}_rsub_not_checked"),
                "rsub is only checked from v5 on; a non-string rsub falls back to sub",
                mint(&with_rsub),
                session_of(&with_rsub, v),
            ));
        }
        let no_iss = without(base.clone(), "iss");
        cases.push(tok_ok(
            &format!("v{version}_without_iss"),
            "iss is optional and not verified",
            mint(&no_iss),
            session_of(&no_iss, v),
        ));
        let float_exp = with(base.clone(), "exp", json!(EXP_S as f64 + 0.5));
        let mut float_session = session_of(&float_exp, v);
        float_session["expiryMs"] = json!(EXP_S * 1000 + 500);
        cases.push(tok_ok(
            &format!("v{version}_fractional_exp"),
            "exp may be any JSON number: expiryMs = exp*1000",
            mint(&float_exp),
            float_session,
        ));
        groups.push(group(
            &format!("v{version}_structure"),
            &format!("structure rules of v{version} (§1.5); every token is correctly signed"),
            config(json!({})),
            Some(&jwks),
            cases,
        ));
    }
    {
        let base = p2(u);
        let mut cases = Vec::new();
        cases.push(tok_ok("v2_complete", "all claims present", v2(&k.d1, &base), session_of(&base, 2)));
        for claim in ["sessionHandle", "userId", "refreshTokenHash1", "expiryTime", "timeCreated"] {
            cases.push(tok_err(
                &format!("v2_missing_{claim}"),
                &format!("{claim} missing"),
                v2(&k.d1, &without(base.clone(), claim)),
                na,
            ));
            for (label, value) in wrong_values(claim) {
                cases.push(tok_err(
                    &format!("v2_{claim}_{label}"),
                    &format!("{claim} is {label}"),
                    v2(&k.d1, &with(base.clone(), claim, value)),
                    na,
                ));
            }
        }
        cases.push(tok_err(
            "v2_missing_userData",
            "userData must be present",
            v2(&k.d1, &without(base.clone(), "userData")),
            na,
        ));
        let v3_claims = p5(u);
        cases.push(tok_err(
            "v2_header_with_v5_claims",
            "the fixed v2 header over a v5 payload: v2 rules apply and fail",
            v2(&k.d1, &v3_claims),
            na,
        ));
        groups.push(group("v2_structure", "structure rules of v2 (§1.5)", config(json!({})), Some(&jwks), cases));
    }
    {
        let mut cases = Vec::new();
        let mint = |pl: &Map<String, Value>| v5(&k.d1, KID_D1, pl);
        let ok0 = with(p5(u), "stt", json!(0));
        cases.push(tok_ok("stt_0_accepted", "stt 0 is a session token", mint(&ok0), session_of(&ok0, 5)));
        cases.push(tok_err(
            "stt_1_rejected",
            "stt 1 (an OAuth2 access token) is rejected",
            mint(&with(p5(u), "stt", json!(1))),
            na,
        ));
        cases.push(tok_err("stt_2_rejected", "stt 2", mint(&with(p5(u), "stt", json!(2))), na));
        cases.push(tok_err(
            "stt_string_0_rejected",
            "stt \"0\" (a string) is not 0",
            mint(&with(p5(u), "stt", json!("0"))),
            na,
        ));
        cases.push(tok_err(
            "stt_null_rejected",
            "stt null is present and not 0",
            mint(&with(p5(u), "stt", Value::Null)),
            na,
        ));
        cases.push(tok_err(
            "stt_1_v3_rejected",
            "stt is checked for every version (v3)",
            jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(with(p3(u), "stt", json!(1)))),
            na,
        ));
        cases.push(tok_err(
            "stt_1_v2_rejected",
            "stt is checked for every version (v2)",
            v2(&k.d1, &with(p2(u), "stt", json!(1))),
            na,
        ));
        groups.push(group(
            "stt",
            "the token-type claim (node: present and not 0 → rejected)",
            config(json!({})),
            Some(&jwks),
            cases,
        ));
    }
    file("Access-token structure checks (spec §1.5): each required claim missing or of the wrong type, per version. A failure is \"not a token\": UNAUTHORISED.", groups)
}

// ---------------------------------------------------------------------------------------
// token_large.json
// ---------------------------------------------------------------------------------------

/// A deterministic pseudo-random base64url string of `len` characters.
fn garbage(len: usize, seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            char::from(ALPHABET[((x >> 33) % 64) as usize])
        })
        .collect()
}

fn token_large() -> Value {
    const MB: usize = 1 << 20;
    // A fixed public key (a deterministic odd 2048-bit modulus) so that this 2 MiB file does
    // not change when the keys do: no token here carries a valid signature anyway.
    let mut n: Vec<u8> = garbage(256, 11).bytes().collect();
    n[0] |= 0x80;
    n[255] |= 1;
    let jwks = json!({"keys": [{"kty": "RSA", "kid": KID_D1, "n": b64::encode_url(&n), "e": "AQAB", "alg": "RS256", "use": "sig"}]});
    assert_eq!(
        KeySet::from_jwks_json(jwks.to_string().as_bytes()).map(|s| s.keys().len()).ok(),
        Some(1),
        "fixed key rejected"
    );
    let head = url(&header(KID_D1, "5"));
    // A fixed, wrong signature: the file does not change when the keys do.
    let bad_sig = garbage(342, 7);
    let mut pl = p5("user-large");
    pl.insert("blob".into(), json!(""));
    let overhead = head.len() + 1 + url(&Value::Object(pl.clone())).len() + 1 + bad_sig.len();
    // base64 grows 4/3: pick the claim length so that the token is exactly 1 MiB.
    let mut n = (MB - overhead) * 3 / 4;
    let token = loop {
        pl.insert("blob".into(), json!("x".repeat(n)));
        let t = format!("{head}.{}.{bad_sig}", url(&Value::Object(pl.clone())));
        if t.len() <= MB {
            break t;
        }
        n -= 1;
    };
    let g = garbage(MB / 2 - 1, 1);
    let g2 = garbage(MB - 3 - g.len(), 2);
    let cases = vec![
        tok_err(
            "one_mebibyte_token_bad_signature",
            "a 1 MiB v5 token with a valid structure (a long claim) and a wrong signature: it parses, then fails verification",
            token,
            "TRY_REFRESH_TOKEN",
        ),
        tok_err("one_mebibyte_garbage_three_parts", "1 MiB of base64url garbage in three parts: not a token", format!("{g}.{g2}.x"), "UNAUTHORISED"),
    ];
    file(
        "Very large inputs (1 MiB). Generated without the keys, so this file only changes when the generator does.",
        vec![group("large_tokens", "1 MiB tokens", config(json!({})), Some(&jwks), cases)],
    )
}

// ---------------------------------------------------------------------------------------
// verify_table.json
// ---------------------------------------------------------------------------------------

fn verify_table(k: &Keys) -> Value {
    let jwks = k.jwks();
    let valid_h = p5("user-in-header");
    let valid_c = p5("user-in-cookie");
    let tokens = |expired: bool| {
        let (h, c) = if expired {
            (with(valid_h.clone(), "exp", json!(EXPIRED_S)), with(valid_c.clone(), "exp", json!(EXPIRED_S)))
        } else {
            (valid_h.clone(), valid_c.clone())
        };
        (v5(&k.d1, KID_D1, &h), v5(&k.d1, KID_D1, &c), h, c)
    };
    let mut groups = Vec::new();
    for transfer in ["any", "header", "cookie"] {
        let mut cases = Vec::new();
        for expired in [false, true] {
            let (th, tc, ph, pc) = tokens(expired);
            for required in [false, true] {
                for (h, c) in [(false, false), (false, true), (true, false), (true, true)] {
                    let bearer = format!("Bearer {th}");
                    let cookie = format!("sAccessToken={tc}");
                    let mut headers: Vec<(&str, &str)> = Vec::new();
                    if h {
                        headers.push(("authorization", &bearer));
                    }
                    if c {
                        headers.push(("cookie", &cookie));
                    }
                    let allows_h = transfer != "cookie";
                    let allows_c = transfer != "header";
                    let chosen = if h && allows_h {
                        Some(&ph)
                    } else if c && allows_c {
                        Some(&pc)
                    } else {
                        None
                    };
                    let expect = match (chosen, expired, required) {
                        (None, _, false) => expect_none(),
                        (None, _, true) => expect_error_keep("UNAUTHORISED", 401),
                        (Some(_), true, _) => expect_error_keep("TRY_REFRESH_TOKEN", 401),
                        (Some(p), false, _) => expect_session(session_of(p, 5)),
                    };
                    let yn = |b: bool| if b { "yes" } else { "no" };
                    let name = format!(
                        "{}_required_{}_header_{}_cookie_{}",
                        if expired { "expired" } else { "valid" },
                        required,
                        yn(h),
                        yn(c)
                    );
                    let what = match chosen {
                        None => {
                            "no usable token: ".to_owned()
                                + if required { "401 unauthorised, nothing cleared" } else { "no session" }
                        }
                        Some(p) if std::ptr::eq(p, &ph) => "the header token is used".to_owned(),
                        Some(_) => "the cookie token is used".to_owned(),
                    };
                    let desc = format!(
                        "tokenTransferMethod {transfer}, sessionRequired {required}, {} token in the Authorization header: {}, in the sAccessToken cookie: {} → {what}{}",
                        if expired { "expired" } else { "valid" },
                        yn(h),
                        yn(c),
                        if expired && chosen.is_some() { " (expired: 401 try refresh token, even with sessionRequired false)" } else { "" },
                    );
                    cases.push(request_case(
                        &name,
                        &desc,
                        req("GET", "/protected", &headers),
                        opts(required, None, false),
                        expect,
                    ));
                }
            }
        }
        groups.push(group(
            &format!("transfer_{transfer}"),
            &format!("the verify behaviour table (§3.4) with tokenTransferMethod {transfer}; header and cookie tokens belong to different users so the session shows which was used"),
            config(json!({"tokenTransferMethod": transfer})),
            Some(&jwks),
            cases,
        ));
    }
    file("The verify behaviour table of spec §3.4: transfer method × sessionRequired × token in header/cookie/both/neither, with valid and with expired tokens.", groups)
}

// ---------------------------------------------------------------------------------------
// verify_requests.json
// ---------------------------------------------------------------------------------------

fn verify_requests(k: &Keys) -> Value {
    let jwks = k.jwks();
    let p = p5("user-1");
    let pc = p5("user-cookie");
    let t = v5(&k.d1, KID_D1, &p);
    let tc = v5(&k.d1, KID_D1, &pc);
    let expired = v5(&k.d1, KID_D1, &with(p.clone(), "exp", json!(EXPIRED_S)));
    let static_t = v5(&k.s, KID_S, &p);
    let p2v = p2("user-v2");
    let legacy = v2(&k.d1, &p2v);
    let bearer = format!("Bearer {t}");
    let cookie = format!("sAccessToken={tc}");
    let s = session_of(&p, 5);
    let sc = session_of(&pc, 5);
    let mut cases = Vec::new();
    let get = |headers: &[(&str, &str)]| req("GET", "/protected", headers);

    // Duplicate cookies and legacy cookies
    let dup = format!("sAccessToken={tc}; sAccessToken={t}");
    cases.push(request_case(
        "duplicate_access_token_cookies",
        "two sAccessToken cookies: 401 try refresh token (§3.3), nothing cleared",
        get(&[("cookie", &dup)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    cases.push(request_case(
        "duplicate_access_token_cookies_not_required",
        "duplicates are an error even with sessionRequired false",
        get(&[("cookie", &dup)]),
        optional(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    cases.push(request_case(
        "duplicate_cookies_ignored_in_header_mode",
        "the header token wins, so duplicate cookies are not looked at",
        get(&[("authorization", &bearer), ("cookie", &dup)]),
        required(),
        expect_session(s.clone()),
    ));
    let dup_enc = format!("sAccessToken={tc}; s%41ccessToken={t}");
    cases.push(request_case(
        "duplicate_cookie_names_percent_decoded",
        "cookie names are percent-decoded when counting duplicates",
        get(&[("cookie", &dup_enc)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    let legacy_cookie = format!("sAccessToken={tc}; sIdRefreshToken=legacy-id-refresh-token");
    cases.push(request_case(
        "legacy_id_refresh_cookie",
        "an sIdRefreshToken cookie (pre-v3 SDK session): 401 try refresh token",
        get(&[("cookie", &legacy_cookie)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    cases.push(request_case(
        "legacy_id_refresh_cookie_alone",
        "sIdRefreshToken without access token, sessionRequired false: still try refresh token",
        get(&[("cookie", "sIdRefreshToken=legacy")]),
        optional(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    cases.push(request_case(
        "legacy_id_refresh_cookie_with_header_token",
        "the legacy check comes before the token choice",
        get(&[("authorization", &bearer), ("cookie", "sIdRefreshToken=legacy")]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));

    // OPTIONS / TRACE
    cases.push(request_case(
        "options_passes_without_session",
        "OPTIONS is not checked: no session, even with sessionRequired true",
        req("OPTIONS", "/protected", &[]),
        required(),
        expect_none(),
    ));
    let expired_bearer = format!("Bearer {expired}");
    cases.push(request_case(
        "options_with_expired_token",
        "OPTIONS with an expired token: no session, no error",
        req("OPTIONS", "/protected", &[("authorization", &expired_bearer)]),
        required(),
        expect_none(),
    ));
    cases.push(request_case(
        "trace_passes_without_session",
        "TRACE is not checked",
        req("TRACE", "/protected", &[]),
        required(),
        expect_none(),
    ));
    cases.push(request_case(
        "options_lowercase_method",
        "methods compare case-insensitively",
        req("options", "/protected", &[]),
        required(),
        expect_none(),
    ));

    // Authorization header forms
    cases.push(request_case(
        "non_st_bearer_with_cookie_uses_cookie",
        "a Bearer value that is not an access token is ignored; the cookie is used",
        get(&[("authorization", "Bearer some-opaque-api-key"), ("cookie", &cookie)]),
        required(),
        expect_session(sc.clone()),
    ));
    cases.push(request_case(
        "non_st_bearer_without_cookie",
        "a Bearer value that is not an access token and no cookie: 401 unauthorised",
        get(&[("authorization", "Bearer some-opaque-api-key")]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    cases.push(request_case(
        "non_st_bearer_not_required",
        "a non-token Bearer value with sessionRequired false: no session",
        get(&[("authorization", "Bearer some-opaque-api-key")]),
        optional(),
        expect_none(),
    ));
    cases.push(request_case(
        "basic_auth_with_cookie_uses_cookie",
        "a Basic Authorization header is not a bearer token",
        get(&[("authorization", "Basic dXNlcjpwYXNz"), ("cookie", &cookie)]),
        required(),
        expect_session(sc.clone()),
    ));
    let lower = format!("bearer {t}");
    cases.push(request_case(
        "bearer_prefix_lowercase",
        "\"bearer \" is not the exact prefix \"Bearer \": no token",
        get(&[("authorization", &lower)]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    let upper = format!("BEARER {t}");
    cases.push(request_case(
        "bearer_prefix_uppercase",
        "\"BEARER \" is not the exact prefix",
        get(&[("authorization", &upper)]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    let no_space = format!("Bearer{t}");
    cases.push(request_case(
        "bearer_prefix_without_space",
        "\"Bearer\" glued to the token",
        get(&[("authorization", &no_space)]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    let token_prefix = format!("Token {t}");
    cases.push(request_case(
        "token_prefix",
        "\"Token \" prefix",
        get(&[("authorization", &token_prefix)]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    cases.push(request_case(
        "bearer_alone",
        "\"Bearer\" with nothing after it",
        get(&[("authorization", "Bearer ")]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    let spaced = format!("Bearer   {t}  ");
    cases.push(request_case(
        "bearer_value_trimmed",
        "the value after \"Bearer \" is trimmed",
        get(&[("authorization", &spaced)]),
        required(),
        expect_session(s.clone()),
    ));
    cases.push(request_case(
        "authorization_header_name_case",
        "header names are case-insensitive",
        get(&[("AUTHORIZATION", &bearer)]),
        required(),
        expect_session(s.clone()),
    ));

    // Cookies
    let encoded = format!("sAccessToken={}", tc.replace('.', "%2E"));
    cases.push(request_case(
        "cookie_value_percent_decoded",
        "the cookie value is percent-decoded (. written as %2E)",
        get(&[("cookie", &encoded)]),
        required(),
        expect_session(sc.clone()),
    ));
    let among = format!("theme=dark; sAccessToken={tc}; other=1");
    cases.push(request_case(
        "cookie_among_others",
        "sAccessToken among other cookies",
        get(&[("cookie", &among)]),
        required(),
        expect_session(sc.clone()),
    ));
    cases.push(request_case(
        "garbage_cookie_required",
        "an sAccessToken cookie that is not a token: as if absent, 401 unauthorised, nothing cleared",
        get(&[("cookie", "sAccessToken=garbage")]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    cases.push(request_case(
        "garbage_cookie_not_required",
        "an sAccessToken cookie that is not a token, sessionRequired false: no session",
        get(&[("cookie", "sAccessToken=garbage")]),
        optional(),
        expect_none(),
    ));
    let stt1 = v5(&k.d1, KID_D1, &with(p.clone(), "stt", json!(1)));
    let stt1_bearer = format!("Bearer {stt1}");
    cases.push(request_case(
        "oauth_token_is_not_a_session_token",
        "a token with stt 1 in the only transport: as if absent",
        get(&[("authorization", &stt1_bearer)]),
        optional(),
        expect_none(),
    ));
    cases.push(request_case(
        "expired_header_token_wins_over_valid_cookie",
        "header precedence: an expired header token gives try refresh even though the cookie is valid",
        get(&[("authorization", &expired_bearer), ("cookie", &cookie)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    let garbage_bearer_cookie = [("authorization", "Bearer a.b.c"), ("cookie", cookie.as_str())];
    cases.push(request_case(
        "unparseable_jwt_shaped_bearer_uses_cookie",
        "a JWT-shaped Bearer value that does not parse is ignored",
        get(&garbage_bearer_cookie),
        required(),
        expect_session(sc.clone()),
    ));
    // Change a character in the middle of the signature (the last one may only carry the
    // ignored trailing bits).
    let bad_sig_bearer = {
        let i = t.len() - 40;
        let c = if &t[i..=i] == "A" { "B" } else { "A" };
        format!("Bearer {}{c}{}", &t[..i], &t[i + 1..])
    };
    cases.push(request_case(
        "bad_signature_bearer_does_not_fall_back",
        "a header token that parses but fails verification is used (and fails); the cookie is not tried",
        get(&[("authorization", &bad_sig_bearer), ("cookie", &cookie)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));

    // Versions through the request path
    let legacy_bearer = format!("Bearer {legacy}");
    cases.push(request_case(
        "v2_token_in_header",
        "a legacy v2 token is accepted (no dynamic/static check for v2)",
        get(&[("authorization", &legacy_bearer)]),
        required(),
        expect_session(session_of(&p2v, 2)),
    ));
    let p3v = p3("user-v3");
    let v3t = jwt(&k.d1, &header(KID_D1, "3"), &Value::Object(p3v.clone()));
    let v3_cookie = format!("sAccessToken={v3t}");
    cases.push(request_case(
        "v3_token_in_cookie",
        "a v3 token in the cookie",
        get(&[("cookie", &v3_cookie)]),
        required(),
        expect_session(session_of(&p3v, 3)),
    ));

    // Dynamic / static key check (§1.8)
    let static_bearer = format!("Bearer {static_t}");
    cases.push(request_case("static_key_token_with_dynamic_config", "kid s-… while useDynamicAccessTokenSigningKey is true (default): try refresh token, although the signature is valid", get(&[("authorization", &static_bearer)]), required(), expect_error_keep("TRY_REFRESH_TOKEN", 401)));
    cases.push(request_case(
        "static_key_token_with_dynamic_config_not_required",
        "the mismatch is an error even with sessionRequired false",
        get(&[("authorization", &static_bearer)]),
        optional(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));

    // Errors and their answers
    cases.push(request_case(
        "no_token_unauthorised",
        "no token: 401 {\"message\":\"unauthorised\"}, nothing cleared",
        get(&[]),
        required(),
        expect_error_keep("UNAUTHORISED", 401),
    ));
    cases.push(request_case(
        "no_token_not_required",
        "no token, sessionRequired false: no session",
        get(&[]),
        optional(),
        expect_none(),
    ));
    let expired_cookie = format!("sAccessToken={expired}");
    cases.push(request_case(
        "expired_token_try_refresh",
        "expired token: 401 {\"message\":\"try refresh token\"}, nothing cleared",
        get(&[("cookie", &expired_cookie)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    cases.push(request_case(
        "refresh_path_runs_refresh_without_token",
        "verify_session on POST {apiBasePath}/session/refresh runs the refresh flow; without a refresh token: 401 unauthorised and every transport cleared",
        req("POST", REFRESH_PATH, &[]),
        required(),
        expect_error_cleared("UNAUTHORISED", 401, &LOCAL),
    ));
    cases.push(request_case(
        "refresh_path_with_access_cookie_only",
        "the refresh flow with only an access-token cookie: 401 unauthorised, all cleared",
        req("POST", REFRESH_PATH, &[("cookie", &cookie)]),
        optional(),
        expect_error_cleared("UNAUTHORISED", 401, &LOCAL),
    ));
    {
        let mut e = expect_error_cleared("UNAUTHORISED", 401, &LOCAL);
        e["response"]["cookies"]["sIdRefreshToken"] = cookie_cleared(&LOCAL, LOCAL.access_path, None);
        cases.push(request_case(
                "refresh_path_clears_legacy_cookie",
                "refresh without a refresh token clears a legacy sIdRefreshToken cookie too, with the access-token path (where old SDKs set it)",
                req("POST", REFRESH_PATH, &[("cookie", "sIdRefreshToken=legacy")]),
                required(),
                e,
            ));
    }
    cases.push(request_case(
        "get_on_refresh_path_is_verify",
        "GET on the refresh path is a normal verify",
        req("GET", REFRESH_PATH, &[("authorization", &bearer)]),
        required(),
        expect_session(s.clone()),
    ));
    let bearer_h = [("authorization", bearer.as_str())];
    cases.push(request_case(
        "check_database_on_verification_only_engine",
        "checkDatabase needs the session store; a verification-only engine answers NOT_SUPPORTED (500, nothing cleared)",
        get(&bearer_h),
        opts(true, None, true),
        json!({"outcome": "NOT_SUPPORTED", "response": response(json!(500), json!({"message": "Internal Server Error"}), untouched_headers(), untouched_cookies())}),
    ));

    let mut static_cases = Vec::new();
    let d_bearer = format!("Bearer {t}");
    static_cases.push(request_case(
        "static_key_token_accepted",
        "kid s-… with useDynamicAccessTokenSigningKey false",
        get(&[("authorization", &static_bearer)]),
        required(),
        expect_session(s.clone()),
    ));
    static_cases.push(request_case(
        "dynamic_key_token_rejected",
        "kid d-… with useDynamicAccessTokenSigningKey false: try refresh token",
        get(&[("authorization", &d_bearer)]),
        required(),
        expect_error_keep("TRY_REFRESH_TOKEN", 401),
    ));
    static_cases.push(request_case(
        "v2_token_not_checked",
        "v2 tokens have no kid and are not checked",
        get(&[("authorization", &legacy_bearer)]),
        required(),
        expect_session(session_of(&p2v, 2)),
    ));

    let status_cases = vec![
        request_case(
            "no_token_440",
            "no token: 440 unauthorised",
            get(&[]),
            required(),
            expect_error_keep("UNAUTHORISED", 440),
        ),
        request_case(
            "expired_token_440",
            "expired token: 440 try refresh token",
            get(&[("cookie", &expired_cookie)]),
            required(),
            expect_error_keep("TRY_REFRESH_TOKEN", 440),
        ),
        request_case(
            "duplicate_cookies_440",
            "duplicate cookies: 440 try refresh token",
            get(&[("cookie", &dup)]),
            required(),
            expect_error_keep("TRY_REFRESH_TOKEN", 440),
        ),
        request_case(
            "refresh_without_token_440",
            "refresh without a refresh token: 440 unauthorised, cleared",
            req("POST", REFRESH_PATH, &[]),
            required(),
            expect_error_cleared("UNAUTHORISED", 440, &LOCAL),
        ),
        request_case(
            "valid_token_440_config",
            "a valid token is unaffected",
            get(&[("cookie", &cookie)]),
            required(),
            expect_session(sc.clone()),
        ),
    ];

    let base_path = Cookies { refresh_path: "/api/v1/session/refresh", access_path: "/app", ..LOCAL };
    let mut path_cases = Vec::new();
    path_cases.push(request_case(
        "custom_refresh_path_clears_with_paths",
        "apiBasePath /api/v1 and accessTokenPath /app: the cleared cookies carry those paths",
        req("POST", "/api/v1/session/refresh", &[]),
        required(),
        expect_error_cleared("UNAUTHORISED", 401, &base_path),
    ));
    path_cases.push(request_case(
        "custom_refresh_path_trailing_slash",
        "the path is compared without a trailing slash or query",
        req("POST", "/api/v1/session/refresh/?x=1", &[]),
        required(),
        expect_error_cleared("UNAUTHORISED", 401, &base_path),
    ));
    {
        let mut e = expect_error_cleared("UNAUTHORISED", 401, &base_path);
        e["response"]["cookies"]["sIdRefreshToken"] = cookie_cleared(&base_path, "/app", None);
        path_cases.push(request_case(
            "legacy_cookie_cleared_with_access_token_path",
            "the legacy sIdRefreshToken cookie is cleared with the access-token path (/app)",
            req("POST", "/api/v1/session/refresh", &[("cookie", "sIdRefreshToken=legacy")]),
            required(),
            e,
        ));
    }
    path_cases.push(request_case(
        "default_refresh_path_is_not_special",
        "/auth/session/refresh is not the refresh path here: a normal verify",
        req("POST", REFRESH_PATH, &[("authorization", &bearer)]),
        required(),
        expect_session(s.clone()),
    ));

    let https = Cookies { secure: true, same_site: "None", domain: Some(".example.com"), ..LOCAL };
    let https_cases = vec![request_case(
        "cleared_cookies_secure_samesite_none_domain",
        "cross-site https app with cookieDomain .example.com: cleared cookies are Secure, SameSite=None, Domain=.example.com",
        req("POST", REFRESH_PATH, &[("rid", "session")]),
        required(),
        expect_error_cleared("UNAUTHORISED", 401, &https),
    )];

    file(
        "verify_session on requests (spec §3, §5.2, §6): duplicates, legacy cookies, OPTIONS, Authorization forms, dynamic/static keys, error answers and clearing.",
        vec![
            group("default_config", "default configuration (localhost, anti-CSRF NONE)", config(json!({})), Some(&jwks), cases),
            group("static_signing_key", "useDynamicAccessTokenSigningKey false", config(json!({"useDynamicAccessTokenSigningKey": false})), Some(&jwks), static_cases),
            group("session_expired_status_440", "sessionExpiredStatusCode 440", config(json!({"sessionExpiredStatusCode": 440})), Some(&jwks), status_cases),
            group(
                "custom_paths",
                "apiBasePath /api/v1, accessTokenPath /app",
                json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "http://localhost:3001", "websiteDomain": "http://localhost:3000", "apiBasePath": "/api/v1"}, "session": {"accessTokenPath": "/app"}}),
                Some(&jwks),
                path_cases,
            ),
            group(
                "https_cross_site",
                "apiDomain https://api.example.com, websiteDomain https://app.other.com (SameSite None by default), cookieDomain .example.com",
                json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "https://api.example.com", "websiteDomain": "https://app.other.com"}, "session": {"cookieDomain": ".example.com"}}),
                Some(&jwks),
                https_cases,
            ),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// anti_csrf.json
// ---------------------------------------------------------------------------------------

fn anti_csrf(k: &Keys) -> Value {
    let jwks = k.jwks();
    let csrf = "5d2f8c1a-9b7e-4f3d-a6c0-e1b2c3d4e5f6";
    let pc = with(p5("user-csrf"), "antiCsrfToken", json!(csrf));
    let pn = p5("user-no-csrf");
    let tc = v5(&k.d1, KID_D1, &pc);
    let tn = v5(&k.d1, KID_D1, &pn);
    let cookie_c = format!("sAccessToken={tc}");
    let cookie_n = format!("sAccessToken={tn}");
    let bearer_n = format!("Bearer {tn}");
    let bearer_c = format!("Bearer {tc}");
    let sc = session_of(&pc, 5);
    let sn = session_of(&pn, 5);
    let r = |m: &str, h: &[(&str, &str)]| req(m, "/protected", h);
    let tr = || expect_error_keep("TRY_REFRESH_TOKEN", 401);

    let via_token = vec![
        request_case(
            "post_cookie_matching_header",
            "POST, cookie, anti-csrf header equal to the token's antiCsrfToken",
            r("POST", &[("cookie", &cookie_c), ("anti-csrf", csrf)]),
            required(),
            expect_session(sc.clone()),
        ),
        request_case(
            "post_cookie_missing_header",
            "POST, cookie, no anti-csrf header: try refresh token",
            r("POST", &[("cookie", &cookie_c)]),
            required(),
            tr(),
        ),
        request_case(
            "post_cookie_missing_header_not_required",
            "anti-CSRF failures are errors even with sessionRequired false",
            r("POST", &[("cookie", &cookie_c)]),
            optional(),
            tr(),
        ),
        request_case(
            "post_cookie_wrong_header",
            "POST, cookie, wrong anti-csrf header",
            r("POST", &[("cookie", &cookie_c), ("anti-csrf", "wrong")]),
            required(),
            tr(),
        ),
        request_case(
            "post_cookie_token_without_anti_csrf",
            "POST, cookie, the token has no antiCsrfToken (null): try refresh token",
            r("POST", &[("cookie", &cookie_n), ("anti-csrf", csrf)]),
            required(),
            tr(),
        ),
        request_case(
            "put_cookie_missing_header",
            "PUT is checked",
            r("PUT", &[("cookie", &cookie_c)]),
            required(),
            tr(),
        ),
        request_case(
            "delete_cookie_missing_header",
            "DELETE is checked",
            r("DELETE", &[("cookie", &cookie_c)]),
            required(),
            tr(),
        ),
        request_case(
            "head_cookie_missing_header",
            "HEAD is not exempt (only GET is)",
            r("HEAD", &[("cookie", &cookie_c)]),
            required(),
            tr(),
        ),
        request_case(
            "get_exempt",
            "GET is exempt by default",
            r("GET", &[("cookie", &cookie_c)]),
            required(),
            expect_session(sc.clone()),
        ),
        request_case(
            "get_lowercase_exempt",
            "method get (lowercase) is exempt too",
            r("get", &[("cookie", &cookie_c)]),
            required(),
            expect_session(sc.clone()),
        ),
        request_case(
            "get_exempt_token_without_anti_csrf",
            "GET with a token without antiCsrfToken",
            r("GET", &[("cookie", &cookie_n)]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "get_forced_check",
            "GET with antiCsrfCheck true and no header: try refresh token",
            r("GET", &[("cookie", &cookie_c)]),
            opts(true, Some(true), false),
            tr(),
        ),
        request_case(
            "get_forced_check_matching",
            "GET with antiCsrfCheck true and the right header",
            r("GET", &[("cookie", &cookie_c), ("anti-csrf", csrf)]),
            opts(true, Some(true), false),
            expect_session(sc.clone()),
        ),
        request_case(
            "post_check_disabled",
            "POST with antiCsrfCheck false: exempt",
            r("POST", &[("cookie", &cookie_c)]),
            opts(true, Some(false), false),
            expect_session(sc.clone()),
        ),
        request_case(
            "post_check_disabled_token_without_anti_csrf",
            "POST, antiCsrfCheck false, token without antiCsrfToken",
            r("POST", &[("cookie", &cookie_n)]),
            opts(true, Some(false), false),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_header_transport_exempt",
            "POST with the token in the Authorization header: anti-CSRF is off for the header transport",
            r("POST", &[("authorization", &bearer_n)]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_header_transport_exempt_with_csrf_token",
            "header transport, token with antiCsrfToken, no anti-csrf header",
            r("POST", &[("authorization", &bearer_c)]),
            required(),
            expect_session(sc.clone()),
        ),
        request_case(
            "post_no_token_not_required",
            "POST without any token, sessionRequired false: no session (no check without a token)",
            r("POST", &[]),
            optional(),
            expect_none(),
        ),
        request_case(
            "post_no_token_required",
            "POST without any token: 401 unauthorised (not try refresh)",
            r("POST", &[]),
            required(),
            expect_error_keep("UNAUTHORISED", 401),
        ),
    ];

    let via_custom_header = vec![
        request_case(
            "post_cookie_without_rid",
            "POST, cookie, no rid header: try refresh token",
            r("POST", &[("cookie", &cookie_n)]),
            required(),
            tr(),
        ),
        request_case(
            "post_cookie_without_rid_not_required",
            "still an error with sessionRequired false",
            r("POST", &[("cookie", &cookie_n)]),
            optional(),
            tr(),
        ),
        request_case(
            "post_cookie_rid_anti_csrf",
            "rid: anti-csrf (what the frontend sends)",
            r("POST", &[("cookie", &cookie_n), ("rid", "anti-csrf")]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_cookie_rid_session",
            "rid: session",
            r("POST", &[("cookie", &cookie_n), ("rid", "session")]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_cookie_rid_any_value",
            "any rid value is accepted",
            r("POST", &[("cookie", &cookie_n), ("rid", "whatever")]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_cookie_rid_header_name_case",
            "header name RID",
            r("POST", &[("cookie", &cookie_n), ("RID", "x")]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_cookie_anti_csrf_header_is_not_rid",
            "an anti-csrf header does not replace rid",
            r("POST", &[("cookie", &cookie_c), ("anti-csrf", csrf)]),
            required(),
            tr(),
        ),
        request_case(
            "get_without_rid",
            "GET is exempt",
            r("GET", &[("cookie", &cookie_n)]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "get_forced_check_without_rid",
            "GET with antiCsrfCheck true and no rid",
            r("GET", &[("cookie", &cookie_n)]),
            opts(true, Some(true), false),
            tr(),
        ),
        request_case(
            "post_check_disabled_without_rid",
            "antiCsrfCheck false",
            r("POST", &[("cookie", &cookie_n)]),
            opts(true, Some(false), false),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_header_transport_without_rid",
            "header transport is exempt",
            r("POST", &[("authorization", &bearer_n)]),
            required(),
            expect_session(sn.clone()),
        ),
        request_case(
            "post_no_token_not_required_without_rid",
            "the rid check only happens when an access token is provided",
            r("POST", &[]),
            optional(),
            expect_none(),
        ),
        request_case(
            "post_no_token_required_without_rid",
            "no token and no rid: 401 unauthorised",
            r("POST", &[]),
            required(),
            expect_error_keep("UNAUTHORISED", 401),
        ),
        request_case(
            "post_token_with_anti_csrf_claim_is_fine",
            "VIA_CUSTOM_HEADER ignores the token's antiCsrfToken",
            r("POST", &[("cookie", &cookie_c), ("rid", "anti-csrf")]),
            required(),
            expect_session(sc.clone()),
        ),
    ];

    let cross_site = vec![
        request_case(
            "default_mode_is_custom_header_post_without_rid",
            "SameSite none (cross-site default) → anti-CSRF defaults to VIA_CUSTOM_HEADER: POST without rid fails",
            r("POST", &[("cookie", &cookie_n)]),
            required(),
            tr(),
        ),
        request_case(
            "default_mode_is_custom_header_post_with_rid",
            "… and passes with rid",
            r("POST", &[("cookie", &cookie_n), ("rid", "anti-csrf")]),
            required(),
            expect_session(sn.clone()),
        ),
    ];
    let same_site = vec![request_case(
        "default_mode_is_none",
        "same-site app: anti-CSRF defaults to NONE, POST passes without anything",
        r("POST", &[("cookie", &cookie_n)]),
        required(),
        expect_session(sn.clone()),
    )];

    file(
        "Anti-CSRF on verify (spec §5.2 steps 3–5): VIA_TOKEN, VIA_CUSTOM_HEADER and the defaults.",
        vec![
            group("via_token", "antiCsrf VIA_TOKEN", config(json!({"antiCsrf": "VIA_TOKEN"})), Some(&jwks), via_token),
            group(
                "via_custom_header",
                "antiCsrf VIA_CUSTOM_HEADER",
                config(json!({"antiCsrf": "VIA_CUSTOM_HEADER"})),
                Some(&jwks),
                via_custom_header,
            ),
            group(
                "default_cross_site",
                "no antiCsrf option, https API and website on different sites (SameSite none)",
                json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "https://api.example.com", "websiteDomain": "https://app.other.com"}}),
                Some(&jwks),
                cross_site,
            ),
            group("default_same_site", "no antiCsrf option, localhost", config(json!({})), Some(&jwks), same_site),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// flow_create.json
// ---------------------------------------------------------------------------------------

fn flow_create() -> Value {
    let mut groups = Vec::new();
    let user = "user-1";
    // Transport selection (§3.3): st-auth-mode × tokenTransferMethod.
    for transfer in ["any", "header", "cookie"] {
        let mut cases = Vec::new();
        for (label, mode) in [
            ("none", None),
            ("bad", Some("bogus")),
            ("header", Some("header")),
            ("cookie", Some("cookie")),
            ("cookie_uppercase", Some("COOKIE")),
        ] {
            let out = match transfer {
                "header" => Transport::Header,
                "cookie" => Transport::Cookie,
                _ if mode.is_some_and(|m| m.eq_ignore_ascii_case("cookie")) => Transport::Cookie,
                _ => Transport::Header,
            };
            let headers: Vec<(&str, &str)> = mode.map(|m| vec![("st-auth-mode", m)]).unwrap_or_default();
            let (save, verify_headers): (Value, Vec<(&str, String)>) = match out {
                Transport::Header => (
                    json!({"at": "header:st-access-token", "handle": "session:sessionHandle"}),
                    vec![("authorization", format!("Bearer {}", var("at")))],
                ),
                Transport::Cookie => (
                    json!({"at": "cookie:sAccessToken", "handle": "session:sessionHandle"}),
                    vec![("cookie", format!("sAccessToken={}", var("at")))],
                ),
            };
            let vh: Vec<(&str, &str)> = verify_headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let steps = vec![
                step_create(&headers, user, save, Issued::new(out, user, LOCAL).created()),
                step_verify(
                    "GET",
                    &vh,
                    required(),
                    no_save(),
                    json!({"outcome": "session", "session": {"userId": user, "sessionHandle": var("handle"), "version": 5}, "response": response(Value::Null, Value::Null, untouched_headers(), untouched_cookies())}),
                ),
            ];
            cases.push(flow(
                &format!("auth_mode_{label}"),
                &format!("tokenTransferMethod {transfer}, st-auth-mode {}: tokens go out in {}; the new access token then verifies", mode.unwrap_or("absent"), match out { Transport::Cookie => "cookies", Transport::Header => "headers" }),
                steps,
            ));
        }
        groups.push(group(
            &format!("create_transfer_{transfer}"),
            &format!("create with tokenTransferMethod {transfer}"),
            embedded(config(json!({"tokenTransferMethod": transfer}))),
            None,
            cases,
        ));
    }

    // Clearing the other transport on create.
    {
        let mut cases = Vec::new();
        let cookie_at = format!("sAccessToken={}", var("old"));
        let bearer_at = format!("Bearer {}", var("old"));
        let mut header_clears_cookie = Issued::new(Transport::Header, "user-2", LOCAL);
        header_clears_cookie.cleared = Some(Transport::Cookie);
        cases.push(flow(
            "header_create_clears_cookies",
            "a cookie session exists; a new session created in header mode clears the cookies (empty, expired) and sets header tokens",
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"old": "cookie:sAccessToken"}), Issued::new(Transport::Cookie, user, LOCAL).created()),
                step_create(&[("st-auth-mode", "header"), ("cookie", &cookie_at)], "user-2", no_save(), header_clears_cookie.created()),
            ],
        ));
        let mut cookie_clears_header = Issued::new(Transport::Cookie, "user-2", LOCAL);
        cookie_clears_header.cleared = Some(Transport::Header);
        cases.push(flow(
            "cookie_create_clears_headers",
            "a header session exists (Bearer access token in the request); a cookie-mode create clears the header tokens (st-access-token and st-refresh-token empty)",
            vec![
                step_create(&[("st-auth-mode", "header")], user, json!({"old": "header:st-access-token"}), Issued::new(Transport::Header, user, LOCAL).created()),
                step_create(&[("st-auth-mode", "cookie"), ("authorization", &bearer_at)], "user-2", no_save(), cookie_clears_header.created()),
            ],
        ));
        cases.push(flow(
            "header_create_without_cookie_clears_nothing",
            "nothing to clear when the request carries no access token in the other transport",
            vec![step_create(
                &[("st-auth-mode", "header")],
                user,
                no_save(),
                Issued::new(Transport::Header, user, LOCAL).created(),
            )],
        ));
        cases.push(flow(
            "same_transport_is_not_cleared",
            "a cookie-mode create with an old access cookie just overwrites the cookies (no clearing of the same transport)",
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"old": "cookie:sAccessToken"}), Issued::new(Transport::Cookie, user, LOCAL).created()),
                step_create(&[("st-auth-mode", "cookie"), ("cookie", &cookie_at)], "user-2", no_save(), Issued::new(Transport::Cookie, "user-2", LOCAL).created()),
            ],
        ));
        groups.push(group(
            "create_clears_other_transport",
            "create clears tokens of the other transport when the request carried an access token there (§3.3)",
            embedded(config(json!({}))),
            None,
            cases,
        ));
    }

    // Payload handling on create.
    {
        let cases = vec![
            flow(
                "custom_payload_and_iss",
                "the custom payload is at the root of the access-token payload, with iss = apiDomain + apiBasePath",
                vec![{
                    let mut s = step_create(
                        &[("st-auth-mode", "header")],
                        user,
                        json!({"at": "header:st-access-token"}),
                        json!({"outcome": "session", "session": {"userId": user, "recipeUserId": user, "tenantId": "public", "version": 5, "payloadContains": {"role": "admin", "iss": ISS, "sub": user, "rsub": user, "tId": "public", "parentRefreshTokenHash1": null, "antiCsrfToken": null}}}),
                    );
                    s["payload"] = json!({"role": "admin"});
                    s
                }],
            ),
            flow(
                "protected_props_dropped",
                "protected props in the given payload are dropped (sub, exp, sessionHandle, stt …)",
                vec![{
                    let mut s = step_create(
                        &[("st-auth-mode", "header")],
                        user,
                        no_save(),
                        json!({"outcome": "session", "session": {"userId": user, "payloadContains": {"sub": user, "role": "x", "tId": "public"}}}),
                    );
                    s["payload"] = json!({"sub": "evil", "tId": "other", "stt": 1, "antiCsrfToken": "x", "role": "x"});
                    s
                }],
            ),
            flow(
                "tenant",
                "a session of tenant tenant-a verifies with that tenant",
                vec![
                    {
                        let mut s = step_create(
                            &[("st-auth-mode", "header")],
                            user,
                            json!({"at": "header:st-access-token"}),
                            json!({"outcome": "session", "session": {"userId": user, "tenantId": "tenant-a", "payloadContains": {"tId": "tenant-a"}}}),
                        );
                        s["tenantId"] = json!("tenant-a");
                        s
                    },
                    step_verify(
                        "GET",
                        &[("authorization", &format!("Bearer {}", var("at")))],
                        required(),
                        no_save(),
                        json!({"outcome": "session", "session": {"userId": user, "tenantId": "tenant-a"}}),
                    ),
                ],
            ),
        ];
        let mut cases = cases;
        cases.push(flow(
            "check_database_live_session",
            "verify with checkDatabase on a live session whose payload is unchanged: the session, no new tokens",
            vec![
                step_create(&[("st-auth-mode", "header")], user, json!({"at": "header:st-access-token", "handle": "session:sessionHandle"}), Issued::new(Transport::Header, user, LOCAL).created()),
                step_verify("GET", &[("authorization", &format!("Bearer {}", var("at")))], opts(true, None, true), no_save(), json!({"outcome": "session", "session": {"userId": user, "sessionHandle": var("handle")}, "response": response(Value::Null, Value::Null, untouched_headers(), untouched_cookies())})),
            ],
        ));
        groups.push(group(
            "create_payload",
            "access-token payload on create (§1.3, §8.1)",
            embedded(config(json!({}))),
            None,
            cases,
        ));
    }

    // exposeAccessTokenToFrontendInCookieBasedAuth (§4.1).
    for expose in [true, false] {
        let mut cases = Vec::new();
        let mut issued = Issued::new(Transport::Cookie, user, LOCAL);
        if expose {
            issued.exposed_var = Some("at");
        }
        let mut refreshed = Issued::new(Transport::Cookie, user, LOCAL);
        refreshed.previous_rt = Some("rt");
        if expose {
            refreshed.exposed_var = Some("at2");
        }
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        cases.push(flow(
            "cookie_mode_create_and_refresh",
            if expose {
                "flag on, cookie mode: st-access-token equals the sAccessToken cookie on create and on refresh; the refresh token is not exposed"
            } else {
                "flag off, cookie mode: no st-access-token header on create or refresh"
            },
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"at": "cookie:sAccessToken", "rt": "cookie:sRefreshToken"}), issued.created()),
                step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], json!({"at2": "cookie:sAccessToken"}), refreshed.refreshed()),
            ],
        ));
        cases.push(flow(
            "header_mode_unaffected",
            "header mode sends st-access-token anyway and sets no cookie",
            vec![step_create(
                &[("st-auth-mode", "header")],
                user,
                no_save(),
                Issued::new(Transport::Header, user, LOCAL).created(),
            )],
        ));
        let on = if expose { "on" } else { "off" };
        groups.push(group(
            &format!("expose_access_token_{on}"),
            &format!("exposeAccessTokenToFrontendInCookieBasedAuth {expose}"),
            embedded(config(json!({"exposeAccessTokenToFrontendInCookieBasedAuth": expose}))),
            None,
            cases,
        ));
    }
    {
        let cases = vec![flow(
            "default_is_off",
            "exposeAccessTokenToFrontendInCookieBasedAuth defaults to false",
            vec![step_create(
                &[("st-auth-mode", "cookie")],
                user,
                no_save(),
                Issued::new(Transport::Cookie, user, LOCAL).created(),
            )],
        )];
        groups.push(group("expose_access_token_default", "no expose option", embedded(config(json!({}))), None, cases));
    }

    // Anti-CSRF VIA_TOKEN on create, verify and refresh.
    {
        let mut csrf_issued = Issued::new(Transport::Cookie, user, LOCAL);
        csrf_issued.anti_csrf = true;
        let at_cookie = format!("sAccessToken={}", var("at"));
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let mut refreshed = csrf_issued.clone();
        refreshed.previous_rt = Some("rt");
        let mut refreshed_expect = refreshed.refreshed();
        refreshed_expect["response"]["headers"]["anti-csrf"] = json!({"not": var("csrf")});
        let cases = vec![
            flow(
                "cookie_mode",
                "cookie mode with VIA_TOKEN: an anti-csrf header is issued and Access-Control-Expose-Headers is exactly \"front-token, anti-csrf\"; verify needs it on POST; refresh needs it and issues a new one",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"at": "cookie:sAccessToken", "rt": "cookie:sRefreshToken", "csrf": "header:anti-csrf"}), csrf_issued.created()),
                    step_verify("POST", &[("cookie", &at_cookie), ("anti-csrf", &var("csrf"))], required(), no_save(), json!({"outcome": "session", "session": {"userId": user, "antiCsrfToken": var("csrf")}})),
                    step_verify("POST", &[("cookie", &at_cookie)], required(), no_save(), expect_error_keep("TRY_REFRESH_TOKEN", 401)),
                    step_verify("POST", &[("cookie", &at_cookie), ("anti-csrf", "wrong")], required(), no_save(), expect_error_keep("TRY_REFRESH_TOKEN", 401)),
                    step_verify("GET", &[("cookie", &at_cookie)], required(), no_save(), json!({"outcome": "session", "session": {"userId": user}})),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                ],
            ),
            flow(
                "cookie_mode_refresh_with_anti_csrf",
                "refresh in cookie mode with the right anti-csrf header: 200 and a new anti-csrf token",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken", "csrf": "header:anti-csrf"}), csrf_issued.created()),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session"), ("anti-csrf", &var("csrf"))], no_save(), refreshed_expect),
                ],
            ),
            flow(
                "cookie_mode_refresh_wrong_anti_csrf",
                "refresh in cookie mode with a wrong anti-csrf header: 401 unauthorised, cleared",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken"}), csrf_issued.created()),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session"), ("anti-csrf", "wrong")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                ],
            ),
            flow(
                "signout_needs_anti_csrf",
                "sign-out is a POST verified with the normal anti-CSRF rules: without the anti-csrf header 401 try refresh token; with it 200",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"at": "cookie:sAccessToken", "csrf": "header:anti-csrf"}), csrf_issued.created()),
                    step_api("POST", "/auth/signout", &[("cookie", &at_cookie), ("rid", "session")], no_save(), api_error_keep("TRY_REFRESH_TOKEN", 401)),
                    step_api("POST", "/auth/signout", &[("cookie", &at_cookie), ("rid", "session"), ("anti-csrf", &var("csrf"))], no_save(), json!({"response": response(json!(200), json!({"status": "OK"}), obj(json!({"front-token": "remove", "anti-csrf": null})), cleared_cookies(&LOCAL))})),
                ],
            ),
            flow(
                "header_mode_has_no_anti_csrf",
                "header mode disables anti-CSRF: no anti-csrf header on create, and POST verify passes without one",
                vec![
                    step_create(&[("st-auth-mode", "header")], user, json!({"at": "header:st-access-token", "rt": "header:st-refresh-token"}), Issued::new(Transport::Header, user, LOCAL).created()),
                    step_verify("POST", &[("authorization", &format!("Bearer {}", var("at")))], required(), no_save(), json!({"outcome": "session", "session": {"userId": user, "antiCsrfToken": null}})),
                    step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var("rt")))], no_save(), {
                        let mut i = Issued::new(Transport::Header, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.refreshed()
                    }),
                ],
            ),
        ];
        groups.push(group(
            "anti_csrf_via_token",
            "antiCsrf VIA_TOKEN",
            embedded(config(json!({"antiCsrf": "VIA_TOKEN"}))),
            None,
            cases,
        ));
    }

    // Cookie attributes.
    {
        let https = Cookies {
            secure: true,
            same_site: "Lax",
            domain: Some(".example.com"),
            access_path: "/",
            refresh_path: "/api/session/refresh",
            ..LOCAL
        };
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let mut refreshed = Issued::new(Transport::Cookie, user, https);
        refreshed.previous_rt = Some("rt");
        let cases = vec![flow(
            "https_same_site_cookie_domain",
            "https apiDomain: Secure; same site: SameSite=Lax; cookieDomain .example.com; apiBasePath /api → refresh cookie path /api/session/refresh",
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, https).created()),
                step_api("POST", "/api/session/refresh", &[("cookie", &rt_cookie), ("rid", "session")], no_save(), refreshed.refreshed()),
                step_api("POST", "/api/session/refresh", &[("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &https)),
            ],
        )];
        groups.push(group(
            "cookies_https",
            "apiDomain https://api.example.com, websiteDomain https://example.com, apiBasePath /api, cookieDomain .example.com",
            embedded(json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com", "apiBasePath": "/api"}, "session": {"cookieDomain": ".example.com"}})),
            None,
            cases,
        ));
    }
    {
        let none = Cookies { secure: true, same_site: "None", ..LOCAL };
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let mut refreshed = Issued::new(Transport::Cookie, user, none);
        refreshed.previous_rt = Some("rt");
        let cases = vec![flow(
            "cross_site_cookies",
            "cross-site https app: SameSite=None, Secure; anti-CSRF defaults to VIA_CUSTOM_HEADER, so refresh needs rid",
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, none).created()),
                step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie)], no_save(), api_error_cleared("UNAUTHORISED", 401, &none)),
                step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), refreshed.refreshed()),
            ],
        )];
        groups.push(group(
            "cookies_cross_site",
            "apiDomain https://api.example.com, websiteDomain https://app.other.com",
            embedded(json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "https://api.example.com", "websiteDomain": "https://app.other.com"}})),
            None,
            cases,
        ));
    }
    {
        let explicit = Cookies { secure: true, same_site: "Strict", ..LOCAL };
        let cases = vec![flow(
            "explicit_cookie_options",
            "cookieSecure true and cookieSameSite \"STRICT\" (normalised) on localhost",
            vec![step_create(
                &[("st-auth-mode", "cookie")],
                user,
                no_save(),
                Issued::new(Transport::Cookie, user, explicit).created(),
            )],
        )];
        let short = Cookies { refresh_validity_ms: 60 * 60_000, ..LOCAL };
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let mut refreshed = Issued::new(Transport::Cookie, user, short);
        refreshed.previous_rt = Some("rt");
        groups.push(group(
            "cookies_refresh_token_validity",
            "refreshTokenValidity 60 (minutes): the refresh cookie expires an hour after create and after each refresh; the access cookie still lives a year",
            embedded(config(json!({"refreshTokenValidity": 60, "accessTokenValidity": 600}))),
            None,
            vec![flow(
                "refresh_cookie_expiry",
                "the sRefreshToken cookie expires at the session expiry (now + refreshTokenValidity)",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, short).created()),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), refreshed.refreshed()),
                ],
            )],
        ));
        groups.push(group(
            "cookies_explicit_options",
            "cookieSecure true, cookieSameSite STRICT",
            embedded(config(json!({"cookieSecure": true, "cookieSameSite": "STRICT"}))),
            None,
            cases,
        ));
        let mixed = Cookies { secure: false, same_site: "None", ..LOCAL };
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let cases = vec![flow(
            "localhost_mixed_protocols",
            "http API and https website on localhost: the protocols differ so SameSite defaults to none (allowed without Secure because both are localhost), and anti-CSRF defaults to VIA_CUSTOM_HEADER",
            vec![
                step_create(&[("st-auth-mode", "cookie")], user, json!({"rt": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, mixed).created()),
                step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie)], no_save(), api_error_cleared("UNAUTHORISED", 401, &mixed)),
            ],
        )];
        groups.push(group(
            "cookies_localhost_mixed_protocols",
            "apiDomain http://localhost:3001, websiteDomain https://localhost:3000",
            embedded(json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "http://localhost:3001", "websiteDomain": "https://localhost:3000"}})),
            None,
            cases,
        ));
    }
    {
        let custom = Cookies { access_path: "/custom", ..LOCAL };
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let cases = vec![flow(
            "access_token_path",
            "accessTokenPath /custom: the sAccessToken cookie is set and cleared with Path=/custom",
            vec![
                step_create(
                    &[("st-auth-mode", "cookie")],
                    user,
                    json!({"rt": "cookie:sRefreshToken"}),
                    Issued::new(Transport::Cookie, user, custom).created(),
                ),
                step_api(
                    "POST",
                    REFRESH_PATH,
                    &[("cookie", "sRefreshToken=invalid")],
                    no_save(),
                    api_error_cleared("UNAUTHORISED", 401, &custom),
                ),
                step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie)], no_save(), {
                    let mut i = Issued::new(Transport::Cookie, user, custom);
                    i.previous_rt = Some("rt");
                    i.refreshed()
                }),
            ],
        )];
        groups.push(group(
            "cookies_access_token_path",
            "accessTokenPath /custom",
            embedded(config(json!({"accessTokenPath": "/custom"}))),
            None,
            cases,
        ));
    }

    file("Session creation in a request (spec §3.3, §3.5, §4, §8.1): transport selection, clearing the other transport, exposed access token, anti-CSRF, cookie attributes. Flows run on the embedded authority in real time.", groups)
}

// ---------------------------------------------------------------------------------------
// flow_refresh.json
// ---------------------------------------------------------------------------------------

fn flow_refresh() -> Value {
    let mut groups = Vec::new();
    let user = "user-1";

    // The refresh behaviour table (§3.4), every row with a valid and an invalid token.
    for transfer in ["any", "header", "cookie"] {
        let mut cases = Vec::new();
        let (create_mode, rt_source) = match transfer {
            "header" => ("header", "header:st-refresh-token"),
            _ => ("cookie", "cookie:sRefreshToken"),
        };
        let create_out = if transfer == "header" { Transport::Header } else { Transport::Cookie };
        for valid in [true, false] {
            for (h, c) in [(false, false), (false, true), (true, false), (true, true)] {
                let token = if valid { var("rt") } else { "asdf".to_owned() };
                let bearer = format!("Bearer {token}");
                let cookie = format!("sRefreshToken={token}");
                let mut headers: Vec<(&str, &str)> = vec![("rid", "session")];
                if h {
                    headers.push(("authorization", &bearer));
                }
                if c {
                    headers.push(("cookie", &cookie));
                }
                let allows_h = transfer != "cookie";
                let allows_c = transfer != "header";
                let chosen = if h && allows_h {
                    Some(Transport::Header)
                } else if c && allows_c {
                    Some(Transport::Cookie)
                } else {
                    None
                };
                let expect = match (chosen, valid) {
                    (Some(out), true) => {
                        let mut i = Issued::new(out, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.cleared = match out {
                            Transport::Header if c => Some(Transport::Cookie),
                            Transport::Cookie if h => Some(Transport::Header),
                            _ => None,
                        };
                        i.refreshed()
                    }
                    _ => api_error_cleared("UNAUTHORISED", 401, &LOCAL),
                };
                let yn = |b: bool| if b { "yes" } else { "no" };
                let name = format!("{}_header_{}_cookie_{}", if valid { "valid" } else { "invalid" }, yn(h), yn(c));
                let result = match (chosen, valid) {
                    (Some(Transport::Header), true) => {
                        format!("200, new tokens in headers{}", if c { ", cookies cleared" } else { "" })
                    }
                    (Some(Transport::Cookie), true) => {
                        format!("200, new tokens in cookies{}", if h { ", headers cleared" } else { "" })
                    }
                    _ => "401 unauthorised, every transport cleared".to_owned(),
                };
                let desc = format!(
                    "tokenTransferMethod {transfer}, {} refresh token in the Authorization header: {}, in the sRefreshToken cookie: {} → {result}",
                    if valid { "valid" } else { "invalid (\"asdf\")" },
                    yn(h),
                    yn(c),
                );
                cases.push(flow(
                    &name,
                    &desc,
                    vec![
                        step_create(
                            &[("st-auth-mode", create_mode)],
                            user,
                            json!({"rt": rt_source}),
                            Issued::new(create_out, user, LOCAL).created(),
                        ),
                        step_api("POST", REFRESH_PATH, &headers, no_save(), expect),
                    ],
                ));
            }
        }
        groups.push(group(
            &format!("refresh_table_{transfer}"),
            &format!("the refresh behaviour table (§3.4) with tokenTransferMethod {transfer}"),
            embedded(config(json!({"tokenTransferMethod": transfer}))),
            None,
            cases,
        ));
    }

    // Refresh without a refresh token, legacy cookie, odd requests.
    {
        let at_cookie = format!("sAccessToken={}", var("at"));
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let with_legacy = format!("sRefreshToken={}; sIdRefreshToken=legacy", var("rt"));
        let create = || {
            step_create(
                &[("st-auth-mode", "cookie")],
                user,
                json!({"at": "cookie:sAccessToken", "rt": "cookie:sRefreshToken"}),
                Issued::new(Transport::Cookie, user, LOCAL).created(),
            )
        };
        let mut legacy_cleared = api_error_cleared("UNAUTHORISED", 401, &LOCAL);
        legacy_cleared["response"]["cookies"]["sIdRefreshToken"] = cookie_cleared(&LOCAL, LOCAL.access_path, None);
        let mut legacy_ok = {
            let mut i = Issued::new(Transport::Cookie, user, LOCAL);
            i.previous_rt = Some("rt");
            i.refreshed()
        };
        legacy_ok["response"]["cookies"]["sIdRefreshToken"] = cookie_cleared(&LOCAL, LOCAL.access_path, None);
        let cases = vec![
            flow("no_tokens", "refresh without any token: 401 unauthorised, every transport cleared", vec![step_api("POST", REFRESH_PATH, &[("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))]),
            flow(
                "access_token_without_refresh_token",
                "refresh with only the (valid) access-token cookie: 401 unauthorised, every transport cleared",
                vec![create(), step_api("POST", REFRESH_PATH, &[("cookie", &at_cookie), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))],
            ),
            flow(
                "garbage_access_cookie_without_refresh_token",
                "refresh with only an (unparseable or expired) access-token cookie: 401, cleared",
                vec![step_api("POST", REFRESH_PATH, &[("cookie", "sAccessToken=expired-or-garbage"), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))],
            ),
            flow(
                "empty_refresh_cookie",
                "an empty sRefreshToken cookie counts as absent",
                vec![step_api("POST", REFRESH_PATH, &[("cookie", "sRefreshToken="), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))],
            ),
            flow(
                    "legacy_cookie_without_refresh_token",
                    "refresh with only a legacy sIdRefreshToken: 401, everything cleared including sIdRefreshToken (with the access-token path)",
                    vec![step_api("POST", REFRESH_PATH, &[("cookie", "sIdRefreshToken=legacy"), ("rid", "session")], no_save(), legacy_cleared)],
                ),
            flow(
                    "legacy_cookie_cleared_on_success",
                    "a successful refresh also clears a legacy sIdRefreshToken cookie (with the access-token path)",
                    vec![create(), step_api("POST", REFRESH_PATH, &[("cookie", &with_legacy), ("rid", "session")], no_save(), legacy_ok)],
                ),
            flow(
                "forged_refresh_token",
                "a refresh token in the right shape but not minted by this authority: 401, cleared",
                vec![step_api("POST", REFRESH_PATH, &[("cookie", "sRefreshToken=T1.aGFuZGxl.bm9uY2U..dGFn"), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))],
            ),
            flow(
                "access_token_as_refresh_token",
                "an access token sent as the refresh token: 401, cleared",
                vec![create(), step_api("POST", REFRESH_PATH, &[("cookie", &format!("sRefreshToken={}", var("at"))), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL))],
            ),
            flow(
                "refreshed_access_token_verifies",
                "after a refresh the new access token verifies and the new refresh token refreshes again",
                vec![
                    create(),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], json!({"at2": "cookie:sAccessToken", "rt2": "cookie:sRefreshToken"}), {
                        let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.refreshed()
                    }),
                    step_verify("GET", &[("cookie", &format!("sAccessToken={}", var("at2")))], required(), no_save(), json!({"outcome": "session", "session": {"userId": user}})),
                    step_api("POST", REFRESH_PATH, &[("cookie", &format!("sRefreshToken={}", var("rt2"))), ("rid", "session")], no_save(), {
                        let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                        i.previous_rt = Some("rt2");
                        i.refreshed()
                    }),
                ],
            ),
            flow("get_refresh_not_handled", "GET {apiBasePath}/session/refresh is not an endpoint", vec![json!({"action": "api", "request": req("GET", REFRESH_PATH, &[]), "save": {}, "expect": {"handled": false}})]),
            flow(
                "jwks_endpoint",
                "GET {apiBasePath}/jwt/jwks.json serves the public keys: 200, Access-Control-Allow-Origin *, a Cache-Control max-age (§2.1)",
                vec![
                    create(),
                    step_api(
                        "GET",
                        "/auth/jwt/jwks.json",
                        &[],
                        no_save(),
                        json!({"response": {"status": 200, "headers": {"Access-Control-Allow-Origin": "*", "Cache-Control": non_empty(), "front-token": null}, "cookies": untouched_cookies()}}),
                    ),
                ],
            ),
            flow("unknown_path_not_handled", "a path that is not an endpoint", vec![json!({"action": "api", "request": req("POST", "/auth/unknown", &[]), "save": {}, "expect": {"handled": false}})]),
            flow(
                "reuse_within_grace_window",
                "the previous refresh token is accepted again within refreshTokenRotationGracePeriod (30 s by default; CDI 5.6 rotation)",
                vec![
                    create(),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), {
                        let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.refreshed()
                    }),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), {
                        let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.refreshed()
                    }),
                ],
            ),
        ];
        groups.push(group(
            "refresh_edge_cases",
            "refresh without a usable refresh token and other edge cases (§8.2)",
            embedded(config(json!({}))),
            None,
            cases,
        ));
    }

    // Token theft (§6, §8.3).
    {
        let refresh = |rt: &str, save: Value, prev: &str| {
            step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var(rt)))], save, {
                let mut i = Issued::new(Transport::Header, user, LOCAL);
                i.previous_rt = Some(prev);
                i.refreshed()
            })
        };
        let refresh_c = |rt: &str, save: Value, prev: &str| {
            step_api(
                "POST",
                REFRESH_PATH,
                &[("cookie", &format!("sRefreshToken={}", var(rt))), ("rid", "session")],
                save,
                {
                    let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                    i.previous_rt = Some(prev);
                    i.refreshed()
                },
            )
        };
        let cases = vec![
            flow(
                "theft_header_mode",
                "create (RT0), refresh(RT0) → RT1, refresh(RT1) → RT2, refresh(RT0): 401 token theft detected, cleared; the session is revoked, so RT2 no longer refreshes and checkDatabase rejects the access token",
                vec![
                    step_create(&[("st-auth-mode", "header")], user, json!({"rt0": "header:st-refresh-token"}), Issued::new(Transport::Header, user, LOCAL).created()),
                    refresh("rt0", json!({"rt1": "header:st-refresh-token"}), "rt0"),
                    refresh("rt1", json!({"rt2": "header:st-refresh-token", "at2": "header:st-access-token"}), "rt1"),
                    step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var("rt0")))], no_save(), api_error_cleared("TOKEN_THEFT_DETECTED", 401, &LOCAL)),
                    step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var("rt2")))], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                    step_verify("GET", &[("authorization", &format!("Bearer {}", var("at2")))], opts(true, None, true), no_save(), expect_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                ],
            ),
            flow(
                "theft_cookie_mode",
                "the same in cookie mode: the theft answer clears cookies and headers",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"rt0": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, LOCAL).created()),
                    refresh_c("rt0", json!({"rt1": "cookie:sRefreshToken"}), "rt0"),
                    refresh_c("rt1", json!({"rt2": "cookie:sRefreshToken"}), "rt1"),
                    step_api("POST", REFRESH_PATH, &[("cookie", &format!("sRefreshToken={}", var("rt0"))), ("rid", "session")], no_save(), api_error_cleared("TOKEN_THEFT_DETECTED", 401, &LOCAL)),
                ],
            ),
        ];
        groups.push(group(
            "token_theft",
            "refreshTokenRotationGracePeriod 0: reuse of a rotated-out refresh token is theft at once",
            embedded(config(json!({"refreshTokenRotationGracePeriod": 0}))),
            None,
            cases,
        ));
    }

    // Sign-out (§8.4).
    {
        let at_cookie = format!("sAccessToken={}", var("at"));
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let signed_out_cookie = json!({"response": response(json!(200), json!({"status": "OK"}), obj(json!({"front-token": "remove", "st-access-token": null, "st-refresh-token": null, "anti-csrf": null})), cleared_cookies(&LOCAL))});
        let signed_out_header = json!({"response": response(json!(200), json!({"status": "OK"}), obj(json!({"front-token": "remove", "st-access-token": "", "st-refresh-token": "", "anti-csrf": null})), untouched_cookies())});
        let cases = vec![
            flow(
                "signout_cookie_mode",
                "sign-out with the access cookie: 200 {\"status\":\"OK\"}, cookies cleared, front-token remove; the session is gone, so refresh fails",
                vec![
                    step_create(&[("st-auth-mode", "cookie")], user, json!({"at": "cookie:sAccessToken", "rt": "cookie:sRefreshToken"}), Issued::new(Transport::Cookie, user, LOCAL).created()),
                    step_api("POST", "/auth/signout", &[("cookie", &at_cookie), ("rid", "session")], no_save(), signed_out_cookie),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "session")], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                ],
            ),
            flow(
                "signout_header_mode",
                "sign-out with a Bearer access token: 200, header tokens cleared (empty st-access-token and st-refresh-token)",
                vec![
                    step_create(&[("st-auth-mode", "header")], user, json!({"at": "header:st-access-token", "rt": "header:st-refresh-token"}), Issued::new(Transport::Header, user, LOCAL).created()),
                    step_api("POST", "/auth/signout", &[("authorization", &format!("Bearer {}", var("at")))], no_save(), signed_out_header),
                    step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var("rt")))], no_save(), api_error_cleared("UNAUTHORISED", 401, &LOCAL)),
                ],
            ),
            flow("signout_without_session", "sign-out without tokens: 401 unauthorised, nothing cleared", vec![step_api("POST", "/auth/signout", &[("rid", "session")], no_save(), api_error_keep("UNAUTHORISED", 401))]),
            flow(
                "signout_with_garbage_token",
                "sign-out with a token that is not a token: 401 unauthorised, nothing cleared",
                vec![step_api("POST", "/auth/signout", &[("cookie", "sAccessToken=garbage")], no_save(), api_error_keep("UNAUTHORISED", 401))],
            ),
            flow("signout_get_not_handled", "GET {apiBasePath}/signout is not an endpoint", vec![json!({"action": "api", "request": req("GET", "/auth/signout", &[]), "save": {}, "expect": {"handled": false}})]),
        ];
        groups.push(group("signout", "POST {apiBasePath}/signout", embedded(config(json!({}))), None, cases));
    }

    // Duplicate cookies on refresh (§3.6).
    {
        let older = Cookies { secure: true, same_site: "Lax", domain: Some(".example.com"), ..LOCAL };
        let clear_dup = |access: bool, refresh: bool| {
            let mut cookies = Map::new();
            cookies.insert(
                "sAccessToken".into(),
                if access { cookie_cleared(&older, "/", Some("api.example.com")) } else { Value::Null },
            );
            cookies.insert(
                "sRefreshToken".into(),
                if refresh { cookie_cleared(&older, REFRESH_PATH, Some("api.example.com")) } else { Value::Null },
            );
            json!({"response": response(json!(200), json!({"message": CLEAR_DUPLICATE_MESSAGE}), untouched_headers(), cookies)})
        };
        let cases = vec![
            flow("duplicate_refresh_cookies", "two sRefreshToken cookies with olderCookieDomain set: 200 with the CLEAR_DUPLICATE_SESSION_COOKIES message; sRefreshToken is expired on Domain=olderCookieDomain; no new tokens, no front-token", vec![step_api("POST", REFRESH_PATH, &[("cookie", "sRefreshToken=a; sRefreshToken=b"), ("rid", "session")], no_save(), clear_dup(false, true))]),
            flow("duplicate_access_cookies", "two sAccessToken cookies: the access cookie is expired on the older domain", vec![step_api("POST", REFRESH_PATH, &[("cookie", "sAccessToken=a; sAccessToken=b; sRefreshToken=c"), ("rid", "session")], no_save(), clear_dup(true, false))]),
            flow("duplicate_both", "both cookies duplicated", vec![step_api("POST", REFRESH_PATH, &[("cookie", "sAccessToken=a; sRefreshToken=c; sAccessToken=b; sRefreshToken=d"), ("rid", "session")], no_save(), clear_dup(true, true))]),
        ];
        groups.push(group(
            "duplicate_cookies_older_domain",
            "cookieDomain .example.com, olderCookieDomain api.example.com",
            embedded(json!({"appInfo": {"appName": "tessera-vectors", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"}, "session": {"cookieDomain": ".example.com", "olderCookieDomain": "api.example.com"}})),
            None,
            cases,
        ));
        let host_only = |access: bool, refresh: bool| {
            let mut cookies = Map::new();
            cookies.insert("sAccessToken".into(), if access { cookie_cleared(&LOCAL, "/", None) } else { Value::Null });
            cookies.insert(
                "sRefreshToken".into(),
                if refresh { cookie_cleared(&LOCAL, REFRESH_PATH, None) } else { Value::Null },
            );
            json!({"response": response(json!(200), json!({"message": CLEAR_DUPLICATE_MESSAGE}), untouched_headers(), cookies)})
        };
        let cases = vec![flow(
            "duplicate_refresh_cookies_host_only",
            "olderCookieDomain \"\" means the host-only cookie: the duplicate is expired without a Domain attribute",
            vec![step_api(
                "POST",
                REFRESH_PATH,
                &[("cookie", "sRefreshToken=a; sRefreshToken=b"), ("rid", "session")],
                no_save(),
                host_only(false, true),
            )],
        )];
        groups.push(group(
            "duplicate_cookies_older_domain_empty",
            "olderCookieDomain \"\"",
            embedded(config(json!({"olderCookieDomain": ""}))),
            None,
            cases,
        ));
        let err500 = json!({"response": response(json!(500), json!({"message": "Internal Server Error"}), untouched_headers(), untouched_cookies())});
        let cases = vec![
            flow("duplicate_refresh_cookies_500", "duplicate sRefreshToken cookies without olderCookieDomain: 500 (a configuration error), nothing set", vec![step_api("POST", REFRESH_PATH, &[("cookie", "sRefreshToken=a; sRefreshToken=b"), ("rid", "session")], no_save(), err500.clone())]),
            flow("duplicate_access_cookies_500", "duplicate sAccessToken cookies without olderCookieDomain: 500", vec![step_api("POST", REFRESH_PATH, &[("cookie", "sAccessToken=a; sAccessToken=b; sRefreshToken=c"), ("rid", "session")], no_save(), err500.clone())]),
            flow(
                "duplicate_cookies_with_bearer_any_mode_500",
                "with tokenTransferMethod any the duplicate check runs even when the refresh token comes in the Authorization header",
                vec![step_api("POST", REFRESH_PATH, &[("authorization", "Bearer some-refresh-token"), ("cookie", "sRefreshToken=a; sRefreshToken=b")], no_save(), err500)],
            ),
        ];
        groups.push(group(
            "duplicate_cookies_no_older_domain",
            "no olderCookieDomain",
            embedded(config(json!({}))),
            None,
            cases,
        ));
        let dup = "sRefreshToken=a; sRefreshToken=b; sAccessToken=x; sAccessToken=y";
        let cases = vec![flow(
            "header_mode_ignores_duplicate_cookies",
            "tokenTransferMethod header: duplicate cookies are not an error; the Bearer refresh token refreshes (the cookie transport, which carried refresh tokens, is cleared), and a Bearer access token verifies",
            vec![
                step_create(&[], user, json!({"rt": "header:st-refresh-token"}), Issued::new(Transport::Header, user, LOCAL).created()),
                step_api("POST", REFRESH_PATH, &[("authorization", &format!("Bearer {}", var("rt"))), ("cookie", dup)], json!({"at2": "header:st-access-token"}), {
                    let mut i = Issued::new(Transport::Header, user, LOCAL);
                    i.previous_rt = Some("rt");
                    // The cookie transport carried (duplicate) refresh tokens: it is cleared (§3.3).
                    i.cleared = Some(Transport::Cookie);
                    i.refreshed()
                }),
                step_verify("GET", &[("authorization", &format!("Bearer {}", var("at2"))), ("cookie", dup)], required(), no_save(), json!({"outcome": "session", "session": {"userId": user}})),
            ],
        )];
        groups.push(group(
            "duplicate_cookies_header_mode",
            "tokenTransferMethod header",
            embedded(config(json!({"tokenTransferMethod": "header"}))),
            None,
            cases,
        ));
    }

    // Anti-CSRF VIA_CUSTOM_HEADER on refresh.
    {
        let rt_cookie = format!("sRefreshToken={}", var("rt"));
        let cases = vec![
            flow(
                "cookie_refresh_needs_rid",
                "VIA_CUSTOM_HEADER: refresh from a cookie without rid → 401 unauthorised, cleared; with rid → 200",
                vec![
                    step_create(
                        &[("st-auth-mode", "cookie")],
                        user,
                        json!({"rt": "cookie:sRefreshToken"}),
                        Issued::new(Transport::Cookie, user, LOCAL).created(),
                    ),
                    step_api(
                        "POST",
                        REFRESH_PATH,
                        &[("cookie", &rt_cookie)],
                        no_save(),
                        api_error_cleared("UNAUTHORISED", 401, &LOCAL),
                    ),
                    step_api("POST", REFRESH_PATH, &[("cookie", &rt_cookie), ("rid", "anything")], no_save(), {
                        let mut i = Issued::new(Transport::Cookie, user, LOCAL);
                        i.previous_rt = Some("rt");
                        i.refreshed()
                    }),
                ],
            ),
            flow(
                "header_refresh_without_rid",
                "header transport: no rid needed",
                vec![
                    step_create(
                        &[("st-auth-mode", "header")],
                        user,
                        json!({"rt": "header:st-refresh-token"}),
                        Issued::new(Transport::Header, user, LOCAL).created(),
                    ),
                    step_api(
                        "POST",
                        REFRESH_PATH,
                        &[("authorization", &format!("Bearer {}", var("rt")))],
                        no_save(),
                        {
                            let mut i = Issued::new(Transport::Header, user, LOCAL);
                            i.previous_rt = Some("rt");
                            i.refreshed()
                        },
                    ),
                ],
            ),
        ];
        groups.push(group(
            "anti_csrf_via_custom_header",
            "antiCsrf VIA_CUSTOM_HEADER",
            embedded(config(json!({"antiCsrf": "VIA_CUSTOM_HEADER"}))),
            None,
            cases,
        ));
    }

    // Custom sessionExpiredStatusCode.
    {
        let cases = vec![
            flow(
                "no_token_440",
                "refresh without a token: 440 unauthorised, cleared",
                vec![step_api(
                    "POST",
                    REFRESH_PATH,
                    &[("rid", "session")],
                    no_save(),
                    api_error_cleared("UNAUTHORISED", 440, &LOCAL),
                )],
            ),
            flow(
                "invalid_token_440",
                "invalid refresh token: 440",
                vec![step_api(
                    "POST",
                    REFRESH_PATH,
                    &[("cookie", "sRefreshToken=asdf"), ("rid", "session")],
                    no_save(),
                    api_error_cleared("UNAUTHORISED", 440, &LOCAL),
                )],
            ),
            flow(
                "signout_without_session_440",
                "sign-out without a session: 440 unauthorised, nothing cleared",
                vec![step_api("POST", "/auth/signout", &[], no_save(), api_error_keep("UNAUTHORISED", 440))],
            ),
            flow(
                "theft_440",
                "token theft answered with 440",
                vec![
                    step_create(
                        &[("st-auth-mode", "header")],
                        user,
                        json!({"rt0": "header:st-refresh-token"}),
                        Issued::new(Transport::Header, user, LOCAL).created(),
                    ),
                    step_api(
                        "POST",
                        REFRESH_PATH,
                        &[("authorization", &format!("Bearer {}", var("rt0")))],
                        json!({"rt1": "header:st-refresh-token"}),
                        {
                            let mut i = Issued::new(Transport::Header, user, LOCAL);
                            i.previous_rt = Some("rt0");
                            i.refreshed()
                        },
                    ),
                    step_api(
                        "POST",
                        REFRESH_PATH,
                        &[("authorization", &format!("Bearer {}", var("rt1")))],
                        no_save(),
                        {
                            let mut i = Issued::new(Transport::Header, user, LOCAL);
                            i.previous_rt = Some("rt1");
                            i.refreshed()
                        },
                    ),
                    step_api(
                        "POST",
                        REFRESH_PATH,
                        &[("authorization", &format!("Bearer {}", var("rt0")))],
                        no_save(),
                        api_error_cleared("TOKEN_THEFT_DETECTED", 440, &LOCAL),
                    ),
                ],
            ),
        ];
        groups.push(group(
            "session_expired_status_440",
            "sessionExpiredStatusCode 440, refreshTokenRotationGracePeriod 0",
            embedded(config(json!({"sessionExpiredStatusCode": 440, "refreshTokenRotationGracePeriod": 0}))),
            None,
            cases,
        ));
    }

    file("Refresh and sign-out (spec §3.4, §3.6, §6, §8.2–8.4): the refresh behaviour table, missing tokens, token theft, sign-out, duplicate cookies, status codes. Flows run on the embedded authority in real time.", groups)
}

// ---------------------------------------------------------------------------------------

fn out_dir() -> PathBuf {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    core.parent().unwrap_or(core).join("tests").join("vectors")
}

fn count_cases(doc: &Value) -> usize {
    doc["groups"].as_array().map_or(0, |gs| gs.iter().map(|g| g["cases"].as_array().map_or(0, Vec::len)).sum())
}

fn main() {
    let started = std::time::Instant::now();
    let keys = Keys::generate();
    eprintln!("generated 4 RSA keys in {:.1?}", started.elapsed());
    let files: Vec<(&str, Value)> = vec![
        ("token_formats.json", token_formats(&keys)),
        ("token_structure.json", token_structure(&keys)),
        ("token_large.json", token_large()),
        ("verify_table.json", verify_table(&keys)),
        ("verify_requests.json", verify_requests(&keys)),
        ("anti_csrf.json", anti_csrf(&keys)),
        ("flow_create.json", flow_create()),
        ("flow_refresh.json", flow_refresh()),
    ];
    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("create tests/vectors");
    let mut total = 0;
    for (name, doc) in &files {
        check_unique_names(name, doc);
        let mut text = serde_json::to_string_pretty(doc).expect("serialise");
        text.push('\n');
        std::fs::write(dir.join(name), text).expect("write vector file");
        let n = count_cases(doc);
        total += n;
        println!("{name}: {n} cases");
    }
    let ours: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !ours.contains(&name.as_str()) {
                eprintln!("warning: {name} in {} was not written by this generator", dir.display());
            }
        }
    }
    println!("{total} cases in {} files written to {}", files.len(), dir.display());
}

/// Group names are unique in a file and case names unique in a group.
fn check_unique_names(file: &str, doc: &Value) {
    let mut groups = std::collections::HashSet::new();
    for g in doc["groups"].as_array().into_iter().flatten() {
        let gname = g["name"].as_str().unwrap_or_default();
        assert!(groups.insert(gname.to_owned()), "{file}: duplicate group {gname}");
        let mut cases = std::collections::HashSet::new();
        for c in g["cases"].as_array().into_iter().flatten() {
            let cname = c["name"].as_str().unwrap_or_default();
            assert!(cases.insert(cname.to_owned()), "{file}/{gname}: duplicate case {cname}");
        }
    }
}
