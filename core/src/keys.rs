//! RSA keys: public keys looked up by kid for verification, JWKS documents in and out, and
//! the authority's signing keys.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair, ParsedPublicKey, RsaKeyPair};
use serde_json::{json, Value};

use crate::b64;
use crate::error::{Error, Result};
use crate::rsa_ifma::FastRs256;

/// The largest JWKS document we parse; a real one is a few kilobytes.
pub const MAX_JWKS_BYTES: usize = 1 << 20;

/// An RSA public key usable for RS256 verification, parsed once so that each verification
/// costs only the RSA operation.
#[derive(Clone)]
pub struct PublicKey {
    kid: Option<String>,
    n: Vec<u8>,
    e: Vec<u8>,
    parsed: Arc<ParsedPublicKey>,
    /// The same key on the IFMA path, when this CPU and the key's shape allow it.
    fast: Option<Arc<FastRs256>>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.kid == other.kid && self.n == other.n && self.e == other.e
    }
}

impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey").field("kid", &self.kid).field("bits", &(self.n.len() * 8)).finish()
    }
}

impl PublicKey {
    /// A key from its big-endian modulus and exponent.
    ///
    /// # Errors
    /// `INVALID_INPUT` when the modulus is under 2048 bits or over 8192, or the exponent is
    /// empty: RS256 with such keys is refused everywhere.
    pub fn from_components(kid: Option<String>, n: &[u8], e: &[u8]) -> Result<PublicKey> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        // After stripping, the first byte is non-zero (or there is none).
        let bits = n.first().map_or(0, |b| n.len() * 8 - b.leading_zeros() as usize);
        if !(2048..=8192).contains(&bits) || e.is_empty() || e.len() > 4 {
            return Err(Error::input(format!(
                "RSA key {} has an unusable size ({} bits)",
                kid.as_deref().unwrap_or("(no kid)"),
                bits
            )));
        }
        let parsed = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, rsa_public_key_der(n, e))
            .map_err(|e| Error::input(format!("RSA key {} is unusable: {e}", kid.as_deref().unwrap_or("(no kid)"))))?;
        let fast = FastRs256::new(n, e).map(Arc::new);
        Ok(PublicKey { kid, n: n.to_vec(), e: e.to_vec(), parsed: Arc::new(parsed), fast })
    }

    /// The key id, if the key has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether `signature` is a valid RS256 signature of `message` by this key.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.fast {
            Some(fast) => fast.verify(message, signature),
            None => self.parsed.verify_sig(message, signature).is_ok(),
        }
    }

    /// This key as a JWK object (`kty`, `kid`, `n`, `e`, `alg`, `use`).
    pub fn to_jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "kid": self.kid,
            "n": b64::encode_url(&self.n),
            "e": b64::encode_url(&self.e),
            "alg": "RS256",
            "use": "sig",
        })
    }
}

/// DER of PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub(crate) fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn push_len(len: usize, out: &mut Vec<u8>) {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            out.push(0x80 | significant.len() as u8);
            out.extend_from_slice(significant);
        }
    }
    fn push_uint(value: &[u8], out: &mut Vec<u8>) {
        let pad = value.first().is_some_and(|b| b & 0x80 != 0);
        out.push(0x02);
        push_len(value.len() + usize::from(pad), out);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(value);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    push_uint(n, &mut body);
    push_uint(e, &mut body);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(0x30);
    push_len(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// An immutable set of public keys with lookup by kid. Shared as `Arc<KeySet>` and replaced
/// whole when keys change, so readers never wait on a writer.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Arc<PublicKey>>,
    by_kid: HashMap<String, Arc<PublicKey>>,
}

impl KeySet {
    /// A key set holding `keys`; a later key with the same kid replaces an earlier one in
    /// lookups.
    pub fn new(keys: Vec<PublicKey>) -> KeySet {
        let keys: Vec<Arc<PublicKey>> = keys.into_iter().map(Arc::new).collect();
        let by_kid = keys.iter().filter_map(|k| k.kid.clone().map(|kid| (kid, Arc::clone(k)))).collect();
        KeySet { keys, by_kid }
    }

    /// Parses a JWKS document (`{"keys":[...]}`). Keys that cannot verify RS256 (another
    /// `kty`, an `alg` other than RS256, a `use` other than `sig`, bad members) are skipped,
    /// as JOSE libraries do.
    ///
    /// # Errors
    /// `INVALID_INPUT` when the document is too large, not JSON, or has no `keys` array.
    pub fn from_jwks_json(bytes: &[u8]) -> Result<KeySet> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(Error::input("JWKS document is too large"));
        }
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|e| Error::input(format!("JWKS document is not JSON: {e}")))?;
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::input("JWKS document has no \"keys\" array"))?;
        let parsed = keys.iter().filter_map(parse_jwk).collect();
        Ok(KeySet::new(parsed))
    }

    /// The key with this kid.
    pub fn get(&self, kid: &str) -> Option<&Arc<PublicKey>> {
        self.by_kid.get(kid)
    }

    /// Whether a key with this kid is in the set.
    pub fn contains(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// All keys, in document order.
    pub fn keys(&self) -> &[Arc<PublicKey>] {
        &self.keys
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The JWKS document for these keys.
    pub fn to_jwks_json(&self) -> Value {
        json!({ "keys": self.keys.iter().map(|k| k.to_jwk()).collect::<Vec<_>>() })
    }
}

fn parse_jwk(jwk: &Value) -> Option<PublicKey> {
    let obj = jwk.as_object()?;
    if obj.get("kty")?.as_str()? != "RSA" {
        return None;
    }
    if let Some(alg) = obj.get("alg") {
        if alg.as_str()? != "RS256" {
            return None;
        }
    }
    if let Some(usage) = obj.get("use") {
        if usage.as_str()? != "sig" {
            return None;
        }
    }
    let kid = match obj.get("kid") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_str()?.to_owned()),
    };
    let n = b64::decode_lenient(obj.get("n")?.as_str()?.as_bytes())?;
    let e = b64::decode_lenient(obj.get("e")?.as_str()?.as_bytes())?;
    PublicKey::from_components(kid, &n, &e).ok()
}

/// An RSA-2048 private key that signs access tokens.
pub struct SigningKey {
    kid: String,
    created_at_ms: u64,
    pkcs8_der: Vec<u8>,
    pair: RsaKeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("created_at_ms", &self.created_at_ms)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Makes a new RSA-2048 key.
    ///
    /// # Errors
    /// `INTERNAL` if the operating system's random source fails.
    pub fn generate(kid: String, created_at_ms: u64) -> Result<SigningKey> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|e| Error::internal(format!("RSA key generation failed: {e}")))?;
        let der = pair.as_der().map_err(|e| Error::internal(format!("RSA key encoding failed: {e}")))?;
        SigningKey::from_pkcs8(kid, created_at_ms, der.as_ref())
    }

    /// A key from PKCS#8 DER, as stored.
    ///
    /// # Errors
    /// `STORAGE` if the bytes are not an RSA private key of a usable size.
    pub fn from_pkcs8(kid: String, created_at_ms: u64, der: &[u8]) -> Result<SigningKey> {
        let pair =
            RsaKeyPair::from_pkcs8(der).map_err(|e| Error::storage(format!("signing key {kid} is unreadable: {e}")))?;
        let public = {
            let p = pair.public_key();
            PublicKey::from_components(
                Some(kid.clone()),
                p.modulus().big_endian_without_leading_zero(),
                p.exponent().big_endian_without_leading_zero(),
            )?
        };
        Ok(SigningKey { kid, created_at_ms, pkcs8_der: der.to_vec(), pair, public })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// When the key was made (ms).
    pub fn created_at_ms(&self) -> u64 {
        self.created_at_ms
    }

    /// The private key, PKCS#8 DER.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// RS256 signature of `message`.
    ///
    /// # Errors
    /// `INTERNAL` if signing fails (it does not for a well-formed key).
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::internal("RS256 signing failed"))?;
        Ok(sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_jwks_round_trip() {
        let key = SigningKey::generate("d-1".into(), 1).unwrap();
        let sig = key.sign_rs256(b"hello").unwrap();
        assert!(key.public_key().verify_rs256(b"hello", &sig));
        assert!(!key.public_key().verify_rs256(b"hellp", &sig));
        let set = KeySet::new(vec![key.public_key().clone()]);
        let doc = serde_json::to_vec(&set.to_jwks_json()).unwrap();
        let back = KeySet::from_jwks_json(&doc).unwrap();
        assert_eq!(back.get("d-1").map(|k| &**k), Some(key.public_key()));
        let again = SigningKey::from_pkcs8("d-1".into(), 1, key.pkcs8_der()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
    }

    #[test]
    fn malformed_jwks() {
        assert!(KeySet::from_jwks_json(b"nope").is_err());
        assert!(KeySet::from_jwks_json(b"[]").is_err());
        assert!(KeySet::from_jwks_json(b"{\"keys\":{}}").is_err());
        assert!(PublicKey::from_components(None, &[], &[1, 0, 1]).is_err());
        assert!(PublicKey::from_components(None, &[0, 0], &[]).is_err());
        let skipped = KeySet::from_jwks_json(
            br#"{"keys":[1,null,{"kty":"EC"},{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"small"},
            {"kty":"RSA","kid":"x","alg":"HS256","n":"","e":""},{"kty":"RSA","kid":7}]}"#,
        )
        .unwrap();
        assert!(skipped.is_empty());
    }
}
