//! Access tokens: parsing, structure checks and RS256 verification of SuperTokens access
//! tokens v2 (legacy fixed header, standard base64, times in ms) and v3/v4/v5 (JWTs).
//!
//! Everything here is pure: keys and the current time are arguments.

use std::sync::Arc;

use arc_swap::ArcSwapOption;

use serde_json::{Map, Value};

use crate::b64;
use crate::error::{Error, Result};
use crate::keys::{KeySet, PublicKey};

/// The v1 fixed header segment, standard base64 of `{"alg":"RS256","typ":"JWT","version":"1"}`.
pub const V1_HEADER: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIxIn0=";
/// The v2 fixed header segment, standard base64 of `{"alg":"RS256","typ":"JWT","version":"2"}`.
pub const V2_HEADER: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0=";

/// Payload keys the authority owns; a user payload may not set them.
pub const PROTECTED_PROPS: &[&str] = &[
    "sub",
    "iat",
    "exp",
    "sessionHandle",
    "parentRefreshTokenHash1",
    "refreshTokenHash1",
    "antiCsrfToken",
    "rsub",
    "tId",
    "stt",
];

/// The tenant of tokens that carry none.
pub const DEFAULT_TENANT_ID: &str = "public";

/// An access token split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct ParsedToken<'a> {
    raw: &'a str,
    /// `2` for v1/v2 legacy tokens, else the header's `version` (3 when absent).
    pub version: u32,
    /// The header's `kid` (v3+ only).
    pub kid: Option<String>,
    /// The header's `alg` as written (v2: `RS256`).
    pub alg: Option<String>,
    /// Whether the header carries a `crit` member (which we do not understand).
    has_crit: bool,
    /// The decoded payload.
    pub payload: Map<String, Value>,
    signing_input: &'a str,
    signature_segment: &'a str,
}

impl<'a> ParsedToken<'a> {
    /// The token exactly as received.
    pub fn raw(&self) -> &'a str {
        self.raw
    }
}

impl ParsedToken<'_> {
    /// The expiry the payload claims, ms (`exp` of v3+, `expiryTime` of v2); not verified.
    pub fn expiry_ms(&self) -> Option<u64> {
        if self.version >= 3 {
            self.payload.get("exp").and_then(Value::as_f64).map(|exp| to_ms(exp * 1000.0))
        } else {
            self.payload.get("expiryTime").and_then(Value::as_f64).map(to_ms)
        }
    }
}

/// Splits and decodes `raw` and checks the payload's structure for its version (§1.4, §1.5).
/// A token that fails here is "not an access token": the request protocol treats it like an
/// absent one.
///
/// # Errors
/// `UNAUTHORISED` (tokens kept) with the reason.
pub fn parse(raw: &str) -> Result<ParsedToken<'_>> {
    let mut parts = raw.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_a_token("Invalid JWT: not three parts"));
    };
    let signing_input = raw.get(..header.len() + 1 + payload.len()).unwrap_or_default();

    let Header { version, kid, alg, has_crit } = if header == V1_HEADER || header == V2_HEADER {
        Header { version: 2, kid: None, alg: Some("RS256".to_owned()), has_crit: false }
    } else {
        parse_header(header)?
    };

    let payload = decode_json_object(payload).ok_or_else(|| not_a_token("JWT payload is not a JSON object"))?;
    validate_structure(&payload, version)?;
    Ok(ParsedToken { raw, version, kid, alg, has_crit, payload, signing_input, signature_segment: signature })
}

/// What verification reads from a JWT header.
#[derive(Debug, Clone)]
struct Header {
    version: u32,
    kid: Option<String>,
    alg: Option<String>,
    has_crit: bool,
}

/// The last JWT header segment parsed. Every token signed with one key carries the same
/// header, so most requests skip decoding and parsing it; a miss only costs the parse.
static LAST_HEADER: ArcSwapOption<(Box<str>, Header)> = ArcSwapOption::const_empty();

fn parse_header(segment: &str) -> Result<Header> {
    if let Some(memo) = LAST_HEADER.load().as_deref() {
        if &*memo.0 == segment {
            return Ok(memo.1.clone());
        }
    }
    let header_json = decode_json_object(segment).ok_or_else(|| not_a_token("JWT header is not a JSON object"))?;
    let version = match header_json.get("version") {
        None => 3,
        Some(Value::String(v)) => parse_int_prefix(v).ok_or_else(|| not_a_token("JWT header mismatch: version"))?,
        Some(_) => return Err(not_a_token("JWT header mismatch: version is not a string")),
    };
    if header_json.get("typ").and_then(Value::as_str) != Some("JWT") || version < 3 {
        return Err(not_a_token("JWT header mismatch"));
    }
    // As supertokens-node: any kid but a missing one parses; one that is not a string is
    // looked up by its JSON text, so it names no key and verification fails (try refresh).
    let kid = match header_json.get("kid") {
        Some(Value::String(k)) => k.clone(),
        Some(other) => other.to_string(),
        None => return Err(not_a_token("JWT header mismatch: kid")),
    };
    let alg = header_json.get("alg").and_then(Value::as_str).map(str::to_owned);
    let version = u32::try_from(version).map_err(|_| not_a_token("JWT header mismatch: version"))?;
    let parsed = Header { version, kid: Some(kid), alg, has_crit: header_json.contains_key("crit") };
    // Only well-formed headers are remembered, and only short ones: a hostile client cannot
    // make the memo hold a large string.
    if segment.len() <= 256 {
        LAST_HEADER.store(Some(Arc::new((segment.into(), parsed.clone()))));
    }
    Ok(parsed)
}

fn not_a_token(message: &str) -> Error {
    Error::unauthorised_keep_tokens(format!("Token parsing failed: {message}"))
}

/// A segment decoded and parsed as supertokens-node does (`JSON.parse(Buffer.from(segment,
/// "base64").toString())`): forgiving base64, invalid UTF-8 replaced.
fn decode_json_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = b64::decode_forgiving(segment.as_bytes());
    match serde_json::from_str(&String::from_utf8_lossy(&bytes)).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// JavaScript `parseInt` on a version string: leading whitespace, optional sign, digits.
fn parse_int_prefix(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) =
        if let Some(rest) = t.strip_prefix('-') { (true, rest) } else { (false, t.strip_prefix('+').unwrap_or(t)) };
    let end = digits.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    let n: i64 = digits.get(..end)?.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// The structure check (§1.5), run on the unverified payload and again after verification.
///
/// # Errors
/// `UNAUTHORISED` (tokens kept) naming the missing claim.
pub fn validate_structure(payload: &Map<String, Value>, version: u32) -> Result<()> {
    match payload.get("stt") {
        None => {}
        Some(v) if v.as_f64() == Some(0.0) => {}
        Some(_) => return Err(not_a_token("Wrong token type")),
    }
    let is_str = |k: &str| payload.get(k).is_some_and(Value::is_string);
    let is_num = |k: &str| payload.get(k).is_some_and(Value::is_number);
    let ok = if version >= 3 {
        is_str("sub")
            && is_num("exp")
            && is_num("iat")
            && is_str("sessionHandle")
            && is_str("refreshTokenHash1")
            && (version < 5 || is_str("rsub"))
    } else {
        is_str("sessionHandle")
            && is_str("userId")
            && is_str("refreshTokenHash1")
            && payload.contains_key("userData")
            && is_num("expiryTime")
            && is_num("timeCreated")
    };
    if ok {
        Ok(())
    } else {
        Err(not_a_token("Access token does not contain all the information. Maybe the structure has changed?"))
    }
}

/// Where verification finds public keys. The embedded authority and the remote JWKS cache
/// implement it; a plain [`KeySet`] does too, for pure verification.
pub trait KeyProvider: Send + Sync {
    /// The key with this kid; may reload keys (bounded by a cooldown) when it is unknown.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when no such key can be found.
    fn key_for(&self, kid: &str, now_ms: u64) -> Result<Arc<PublicKey>>;

    /// Every key, for legacy v2 tokens which carry no kid.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when no keys can be had.
    fn all_keys(&self, now_ms: u64) -> Result<Arc<KeySet>>;
}

impl KeyProvider for KeySet {
    fn key_for(&self, kid: &str, _now_ms: u64) -> Result<Arc<PublicKey>> {
        self.get(kid).cloned().ok_or_else(|| Error::try_refresh(format!("no key with kid {kid}")))
    }

    fn all_keys(&self, _now_ms: u64) -> Result<Arc<KeySet>> {
        Ok(Arc::new(self.clone()))
    }
}

/// A verified access token and what the protocol reads from it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedToken {
    /// The token exactly as received.
    pub raw: String,
    /// 2 for legacy tokens, else 3, 4 or 5.
    pub version: u32,
    /// The key id that signed it (for v2, the kid of the key that verified it, if any).
    pub kid: Option<String>,
    /// The primary user id (`sub`, v2 `userId`).
    pub user_id: String,
    /// The recipe user id (`rsub`, falling back to the user id).
    pub recipe_user_id: String,
    /// The tenant (`tId` for v4+, else `public`).
    pub tenant_id: String,
    /// The session handle.
    pub session_handle: String,
    /// `refreshTokenHash1`.
    pub refresh_token_hash1: String,
    /// `parentRefreshTokenHash1`, when not null.
    pub parent_refresh_token_hash1: Option<String>,
    /// `antiCsrfToken`, when not null.
    pub anti_csrf_token: Option<String>,
    /// Access-token expiry, ms (`exp*1000`, v2 `expiryTime`).
    pub expiry_ms: u64,
    /// Issued-at, ms (`iat*1000`, v2 `timeCreated`).
    pub time_created_ms: u64,
    /// The payload a user sees: the whole JWT payload for v3+, `userData` for v2.
    pub payload: Map<String, Value>,
}

impl VerifiedToken {
    /// Whether the token is still valid at `now_ms` (no leeway, as in every SDK).
    pub fn is_valid_at(&self, now_ms: u64) -> bool {
        if self.version >= 3 {
            now_ms < self.expiry_ms
        } else {
            self.expiry_ms >= now_ms
        }
    }

    /// Whether the token was signed by a dynamic (`d-`) key. v2 tokens count as dynamic.
    pub fn uses_dynamic_key(&self) -> bool {
        self.version < 3 || self.kid.as_deref().is_some_and(|k| k.starts_with("d-"))
    }
}

/// Verifies a parsed token's RS256 signature with a key from `keys` and its time claims at
/// `now_ms`, then extracts its fields. `alg` is pinned to RS256 whatever the token asks for.
///
/// # Errors
/// `TRY_REFRESH_TOKEN` for every failure (bad signature, unknown key, wrong algorithm,
/// expired), as in the SDKs.
pub fn verify_parsed(parsed: ParsedToken<'_>, keys: &dyn KeyProvider, now_ms: u64) -> Result<VerifiedToken> {
    if parsed.alg.as_deref() != Some("RS256") {
        return Err(Error::try_refresh("Failed to verify access token: algorithm is not RS256"));
    }
    if parsed.has_crit {
        return Err(Error::try_refresh("Failed to verify access token: unsupported crit header"));
    }
    // jose decodes the signature as Buffer.from does; the signature still has to verify.
    let signature = b64::decode_forgiving(parsed.signature_segment.as_bytes());
    let message = parsed.signing_input.as_bytes();

    let kid = match &parsed.kid {
        Some(kid) => {
            let key = keys.key_for(kid, now_ms)?;
            if !key.verify_rs256(message, &signature) {
                return Err(Error::try_refresh("Failed to verify access token: bad signature"));
            }
            Some(kid.clone())
        }
        None => {
            let set = keys.all_keys(now_ms)?;
            let key =
                set.keys().iter().find(|k| k.verify_rs256(message, &signature)).ok_or_else(|| {
                    Error::try_refresh("Failed to verify access token: no key verifies this v2 token")
                })?;
            key.kid().map(str::to_owned)
        }
    };

    let p = &parsed.payload;
    check_registered_claims(p, now_ms)?;
    let (user_id, expiry_ms, time_created_ms) = if parsed.version >= 3 {
        let exp = p.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
        // jose: exp must be after the current whole second; the SDK then also requires
        // exp*1000 >= now. For integer exp both say now_ms < exp*1000.
        let now_s = (now_ms / 1000) as f64;
        if exp <= now_s || exp * 1000.0 < now_ms as f64 {
            return Err(Error::try_refresh("Access token expired"));
        }
        let iat = p.get("iat").and_then(Value::as_f64).unwrap_or(0.0);
        (str_claim(p, "sub"), to_ms(exp * 1000.0), to_ms(iat * 1000.0))
    } else {
        let expiry = p.get("expiryTime").and_then(Value::as_f64).unwrap_or(0.0);
        if expiry < now_ms as f64 {
            return Err(Error::try_refresh("Access token expired"));
        }
        let created = p.get("timeCreated").and_then(Value::as_f64).unwrap_or(0.0);
        (str_claim(p, "userId"), to_ms(expiry), to_ms(created))
    };
    let recipe_user_id = match p.get("rsub") {
        Some(Value::String(r)) => r.clone(),
        _ => user_id.clone(),
    };
    let tenant_id = match (parsed.version >= 4, p.get("tId")) {
        (true, Some(Value::String(t))) => t.clone(),
        _ => DEFAULT_TENANT_ID.to_owned(),
    };
    let session_handle = str_claim(p, "sessionHandle");
    let refresh_token_hash1 = str_claim(p, "refreshTokenHash1");
    let parent_refresh_token_hash1 = opt_str_claim(p, "parentRefreshTokenHash1");
    let anti_csrf_token = opt_str_claim(p, "antiCsrfToken");
    let version = parsed.version;
    let raw = parsed.raw.to_owned();
    let mut payload = parsed.payload;
    if version < 3 {
        payload = match payload.remove("userData") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
    }
    Ok(VerifiedToken {
        raw,
        version,
        kid,
        user_id,
        recipe_user_id,
        tenant_id,
        session_handle,
        refresh_token_hash1,
        parent_refresh_token_hash1,
        anti_csrf_token,
        expiry_ms,
        time_created_ms,
        payload,
    })
}

/// Parses and verifies in one step.
///
/// # Errors
/// `UNAUTHORISED` (tokens kept) when `raw` is not an access token; `TRY_REFRESH_TOKEN` when it
/// is one that does not verify.
pub fn verify(raw: &str, keys: &dyn KeyProvider, now_ms: u64) -> Result<VerifiedToken> {
    verify_parsed(parse(raw)?, keys, now_ms)
}

/// jose's checks of `nbf` and `iat` (types, and `nbf` not in the future).
fn check_registered_claims(p: &Map<String, Value>, now_ms: u64) -> Result<()> {
    if let Some(iat) = p.get("iat") {
        if !iat.is_number() {
            return Err(Error::try_refresh("Failed to verify access token: iat is not a number"));
        }
    }
    if let Some(nbf) = p.get("nbf") {
        let nbf =
            nbf.as_f64().ok_or_else(|| Error::try_refresh("Failed to verify access token: nbf is not a number"))?;
        if nbf > (now_ms / 1000) as f64 {
            return Err(Error::try_refresh("Failed to verify access token: not yet valid (nbf)"));
        }
    }
    Ok(())
}

fn to_ms(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        // Saturating float-to-int conversion is the intent for absurd values.
        v as u64
    } else {
        0
    }
}

fn str_claim(p: &Map<String, Value>, key: &str) -> String {
    p.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn opt_str_claim(p: &Map<String, Value>, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Builds and signs a JWT access token (v3+ layout) with `key`.
///
/// # Errors
/// `INTERNAL` if signing fails.
pub fn sign_jwt(key: &crate::keys::SigningKey, version: u32, payload: &Map<String, Value>) -> Result<String> {
    let header = serde_json::json!({
        "kid": key.kid(),
        "typ": "JWT",
        "version": version.to_string(),
        "alg": "RS256",
    });
    sign_with_header(key, &header, payload)
}

/// Signs a plain JWT (the JWT recipe's `createJWT`: no `version` in the header) with `key`.
///
/// # Errors
/// `INTERNAL` if signing fails.
pub fn sign_plain_jwt(key: &crate::keys::SigningKey, payload: &Map<String, Value>) -> Result<String> {
    let header = serde_json::json!({"kid": key.kid(), "typ": "JWT", "alg": "RS256"});
    sign_with_header(key, &header, payload)
}

fn sign_with_header(key: &crate::keys::SigningKey, header: &Value, payload: &Map<String, Value>) -> Result<String> {
    let header = b64::encode_url(header.to_string().as_bytes());
    let body = b64::encode_url(Value::Object(payload.clone()).to_string().as_bytes());
    let signing_input = format!("{header}.{body}");
    let sig = key.sign_rs256(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", b64::encode_url(&sig)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_prefix_is_js_parse_int() {
        assert_eq!(parse_int_prefix("5"), Some(5));
        assert_eq!(parse_int_prefix(" 4x"), Some(4));
        assert_eq!(parse_int_prefix("-1"), Some(-1));
        assert_eq!(parse_int_prefix("x"), None);
        assert_eq!(parse_int_prefix(""), None);
    }

    #[test]
    fn wrong_part_counts_are_not_tokens() {
        for raw in ["", "a", "a.b", "a.b.c.d", "..."] {
            let err = parse(raw).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Unauthorised);
            assert!(!err.clear_tokens());
        }
    }
}
