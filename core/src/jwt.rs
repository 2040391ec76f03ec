//! The JWT and OpenID functions the SDKs' session recipe exposes (`createJWT`, `getJWKS`,
//! `getOpenIdDiscoveryConfiguration`) and the OpenID discovery document the SDKs serve at
//! `{apiBasePath}/.well-known/openid-configuration`: the SDKs add the JWT and OpenID recipes
//! to every app, and the session authority holds the signing keys.

use serde_json::{json, Map, Value};

use crate::engine::Tessera;
use crate::error::{Error, Result};
use crate::token;

/// `createJWT`'s validity when none is given: 100 years, in seconds (the SDKs' default).
pub const DEFAULT_JWT_VALIDITY_SECONDS: u64 = 3_153_600_000;

/// The OAuth2 endpoints the SDKs' discovery document lists below `{apiBasePath}`.
const OAUTH2_ENDPOINTS: [(&str, &str); 6] = [
    ("authorization_endpoint", "/oauth/auth"),
    ("token_endpoint", "/oauth/token"),
    ("userinfo_endpoint", "/oauth/userinfo"),
    ("revocation_endpoint", "/oauth/revoke"),
    ("token_introspection_endpoint", "/oauth/introspect"),
    ("end_session_endpoint", "/oauth/end_session"),
];

impl Tessera {
    /// `createJWT(payload, validitySeconds, useStaticSigningKey)`: a JWT signed with the
    /// session authority's static key (the default, as in the SDKs) or its current dynamic
    /// key, verifiable with the JWKS. `iss` is the issuer unless `payload` sets one; `iat`
    /// and `exp` are set here (seconds), whatever `payload` says.
    ///
    /// # Errors
    /// `NOT_SUPPORTED` without an embedded store (the keys live elsewhere); `INVALID_INPUT`
    /// for a validity that overflows; `STORAGE`, `INTERNAL`.
    pub fn create_jwt(
        &self,
        payload: &Map<String, Value>,
        validity_seconds: Option<u64>,
        use_static_signing_key: bool,
        now_ms: u64,
    ) -> Result<String> {
        let validity = validity_seconds.unwrap_or(DEFAULT_JWT_VALIDITY_SECONDS);
        let iat = now_ms / 1000;
        let exp = iat
            .checked_add(validity)
            .filter(|e| *e <= i64::MAX as u64 / 1000)
            .ok_or_else(|| Error::input(format!("validitySeconds {validity} is too large")))?;
        let key = self.authority()?.keys().signing_key(!use_static_signing_key, now_ms)?;
        let mut claims = Map::with_capacity(payload.len() + 3);
        claims.insert("iss".into(), Value::String(self.config().issuer()));
        for (k, v) in payload {
            claims.insert(k.clone(), v.clone());
        }
        claims.insert("iat".into(), json!(iat));
        claims.insert("exp".into(), json!(exp));
        token::sign_plain_jwt(&key, &claims)
    }

    /// `getOpenIdDiscoveryConfiguration()`: the document served at
    /// `{apiBasePath}/.well-known/openid-configuration`, as the SDKs write it (`issuer`,
    /// `jwks_uri`, and the OAuth2 endpoints and algorithms they list).
    pub fn openid_discovery_configuration(&self) -> Value {
        let base = self.config().issuer();
        let mut doc = Map::new();
        doc.insert("issuer".into(), Value::String(base.clone()));
        doc.insert("jwks_uri".into(), Value::String(format!("{base}{}", crate::config::JWKS_SUFFIX)));
        for (name, suffix) in OAUTH2_ENDPOINTS {
            doc.insert(name.into(), Value::String(format!("{base}{suffix}")));
        }
        doc.insert("subject_types_supported".into(), json!(["public"]));
        doc.insert("id_token_signing_alg_values_supported".into(), json!(["RS256"]));
        doc.insert("response_types_supported".into(), json!(["code", "id_token", "id_token token"]));
        Value::Object(doc)
    }
}
