//! The JWT and OpenID functions of the SDKs' session recipe (`createJWT`, `getJWKS`,
//! `getOpenIdDiscoveryConfiguration`), which callers also expose as the JWT and OpenID
//! recipes. The keys and the documents are the core's: these calls only convert.

use serde_json::{Map, Value};
use tessera_core::engine::now_ms;
use tessera_core::{Error, Result};

use crate::{live, out, run, text, to_json_bytes, TesseraBytes, TesseraEngine, TesseraStatus};

/// A JWT payload: a JSON object; empty input and `null` are the empty payload, since the SDKs
/// accept a nil payload.
///
/// # Safety
/// As [`crate::bytes`].
unsafe fn payload_of(ptr: *const u8, len: usize) -> Result<Map<String, Value>> {
    let raw = text(ptr, len, "payload")?;
    if raw.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(raw).map_err(|e| Error::input(format!("payload: {e}")))? {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => Ok(m),
        _ => Err(Error::input("payload must be a JSON object")),
    }
}

/// `createJWT(payload, validitySeconds, useStaticSigningKey)`: `*out_jwt` is a JWT (UTF-8
/// text, not JSON) of `payload` (a JSON object; empty or `null` for none) signed RS256 by the
/// session authority's static key, or by its current dynamic key when
/// `use_static_signing_key` is false. `iss` is the issuer (apiDomain + apiBasePath) unless
/// the payload sets one; `iat` and `exp` are set from the clock and `*validity_seconds`
/// (NULL: 100 years, the SDKs' default). The JWKS (`tessera_engine_jwks`) verifies it.
/// `NOT_SUPPORTED` for an engine without a session store.
///
/// # Safety
/// `engine` must be live; `payload` and `validity_seconds` (NULL or one readable value) are
/// borrowed for the call; `out_jwt` must be writable and `*out_jwt` is owned by the caller
/// (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe; may block on the store (the
/// first signing key is made and stored on first use).
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_create_jwt(
    engine: *const TesseraEngine,
    payload: *const u8,
    payload_len: usize,
    validity_seconds: *const u64,
    use_static_signing_key: bool,
    out_jwt: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_jwt = out(out_jwt, TesseraBytes::EMPTY, "out_jwt")?;
        let engine = live(engine, "engine")?;
        let payload = payload_of(payload, payload_len)?;
        // SAFETY: the caller passes NULL or one readable u64.
        let validity = validity_seconds.as_ref().copied();
        let jwt = engine.inner.create_jwt(&payload, validity, use_static_signing_key, now_ms())?;
        *out_jwt = TesseraBytes::from_vec(jwt.into_bytes());
        Ok(())
    })
}

/// `getJWKS()`: `*out_json` is the JWKS document served at `{apiBasePath}/jwt/jwks.json`
/// (`{"keys": [{"kty", "kid", "n", "e", "alg", "use"}, ...]}`) and `*out_max_age_seconds`
/// how long it may be cached (the endpoint's `Cache-Control` max-age).
///
/// # Safety
/// `engine` must be live; `out_json` and `out_max_age_seconds` must be writable and
/// `*out_json` is owned by the caller (`tessera_bytes_free`). `err_out` may be NULL.
/// Thread-safe; may block on the store (the first keys are made on first use) or, for an
/// engine verifying against a SuperTokens core, on fetching its JWKS (`TRY_REFRESH_TOKEN`
/// when that fails).
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_jwks(
    engine: *const TesseraEngine,
    out_json: *mut TesseraBytes,
    out_max_age_seconds: *mut u64,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let out_max_age = out(out_max_age_seconds, 0, "out_max_age_seconds")?;
        let engine = live(engine, "engine")?;
        let (doc, max_age) = engine.inner.jwks(now_ms())?;
        *out_json = to_json_bytes(&doc)?;
        *out_max_age = max_age;
        Ok(())
    })
}

/// `getOpenIdDiscoveryConfiguration()`: `*out_json` is the document served at
/// `{apiBasePath}/.well-known/openid-configuration` (`{"issuer", "jwks_uri", ...}`, the
/// issuer being apiDomain + apiBasePath). No I/O.
///
/// # Safety
/// `engine` must be live; `out_json` must be writable and `*out_json` is owned by the caller
/// (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_openid_discovery_configuration(
    engine: *const TesseraEngine,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        *out_json = to_json_bytes(&engine.inner.openid_discovery_configuration())?;
        Ok(())
    })
}

/// The session options as the engine applies them, defaults filled in and normalised, under
/// the SDKs' camelCase names (`cookieSameSite`, `antiCsrf`, `sessionExpiredStatusCode`, ...):
/// what supertokens-golang's `TypeNormalisedInput` holds, read here rather than repeated by
/// the binding. No I/O.
///
/// # Safety
/// `engine` must be live; `out_json` must be writable and `*out_json` is owned by the caller
/// (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_session_config(
    engine: *const TesseraEngine,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        *out_json = to_json_bytes(&engine.inner.config().normalised_session_options())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ptr;

    use serde_json::{json, Value};
    use tessera_core::b64;

    use super::*;
    use crate::tests::{memory_engine, take};
    use crate::{tessera_engine_free, tessera_engine_new_with_jwks};

    fn create(
        engine: *const TesseraEngine,
        payload: &[u8],
        validity: Option<u64>,
        use_static: bool,
    ) -> (TesseraStatus, String, String) {
        let (mut jwt, mut err) = (TesseraBytes::EMPTY, TesseraBytes::EMPTY);
        let validity_ptr = validity.as_ref().map_or(ptr::null(), ptr::from_ref);
        let st = unsafe {
            tessera_engine_create_jwt(
                engine,
                payload.as_ptr(),
                payload.len(),
                validity_ptr,
                use_static,
                &mut jwt,
                &mut err,
            )
        };
        (st, take(jwt), take(err))
    }

    fn part(jwt: &str, i: usize) -> Value {
        let seg = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(&b64::decode_lenient(seg.as_bytes()).unwrap()).unwrap()
    }

    fn jwks(engine: *const TesseraEngine) -> (Value, u64) {
        let (mut doc, mut max_age, mut err) = (TesseraBytes::EMPTY, 0u64, TesseraBytes::EMPTY);
        let st = unsafe { tessera_engine_jwks(engine, &mut doc, &mut max_age, &mut err) };
        assert_eq!(st, TesseraStatus::Ok, "{}", take(err));
        (serde_json::from_str(&take(doc)).unwrap(), max_age)
    }

    #[test]
    fn create_jwt_signs_with_a_key_of_the_jwks() {
        let engine = memory_engine();
        let (st, jwt, err) = create(engine, br#"{"sub":"u1","iat":1,"exp":2}"#, None, true);
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        let (header, body) = (part(&jwt, 0), part(&jwt, 1));
        assert_eq!((header["typ"].as_str(), header["alg"].as_str()), (Some("JWT"), Some("RS256")));
        assert!(header.get("version").is_none(), "{header}");
        let kid = header["kid"].as_str().unwrap().to_owned();
        assert!(kid.starts_with("s-"), "the static key is the default: {kid}");
        assert_eq!(body["sub"], "u1");
        assert_eq!(body["iss"], "http://localhost:3001/auth");
        let (iat, exp) = (body["iat"].as_u64().unwrap(), body["exp"].as_u64().unwrap());
        assert!(iat > 1_000_000_000, "iat comes from the clock, not the payload: {iat}");
        assert_eq!(exp - iat, 3_153_600_000);

        let (_, jwt, _) = create(engine, br#"{"iss":"elsewhere"}"#, Some(1234), false);
        let (header, body) = (part(&jwt, 0), part(&jwt, 1));
        assert!(header["kid"].as_str().unwrap().starts_with("d-"), "{header}");
        assert_eq!(body["iss"], "elsewhere");
        assert_eq!(body["exp"].as_u64().unwrap() - body["iat"].as_u64().unwrap(), 1234);

        let (doc, max_age) = jwks(engine);
        let kids: Vec<&str> = doc["keys"].as_array().unwrap().iter().filter_map(|k| k["kid"].as_str()).collect();
        assert!(kids.contains(&kid.as_str()), "{kid} not in {kids:?}");
        assert!(kids.contains(&header["kid"].as_str().unwrap()), "{kids:?}");
        assert!(max_age > 0);
        unsafe { tessera_engine_free(engine) };
    }

    #[test]
    fn create_jwt_takes_no_payload_and_refuses_what_is_no_object() {
        let engine = memory_engine();
        for empty in [&b""[..], b"null", b" "] {
            let (st, jwt, err) = create(engine, empty, Some(5), true);
            assert_eq!(st, TesseraStatus::Ok, "{err}");
            let body = part(&jwt, 1);
            assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        }
        for bad in [&b"[1]"[..], b"{", b"\xff"] {
            let (st, jwt, err) = create(engine, bad, None, true);
            assert_eq!((st, jwt.as_str()), (TesseraStatus::InvalidInput, ""), "{err}");
        }
        let (st, _, err) = create(engine, b"{}", Some(u64::MAX), true);
        assert_eq!(st, TesseraStatus::InvalidInput, "{err}");
        let st = unsafe {
            tessera_engine_create_jwt(engine, ptr::null(), 0, ptr::null(), true, ptr::null_mut(), ptr::null_mut())
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        let mut jwt = TesseraBytes::EMPTY;
        let st = unsafe {
            tessera_engine_create_jwt(ptr::null(), ptr::null(), 0, ptr::null(), true, &mut jwt, ptr::null_mut())
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        unsafe { tessera_engine_free(engine) };
    }

    #[test]
    fn an_engine_without_a_store_cannot_create_jwts() {
        let config = br#"{"appInfo":{"appName":"t","apiDomain":"http://localhost:3001"}}"#;
        let keys = br#"{"keys":[]}"#;
        let mut engine = ptr::null_mut();
        let st = unsafe {
            tessera_engine_new_with_jwks(
                config.as_ptr(),
                config.len(),
                keys.as_ptr(),
                keys.len(),
                &mut engine,
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::Ok);
        let (st, jwt, err) = create(engine, b"{}", None, true);
        assert_eq!((st, jwt.as_str()), (TesseraStatus::NotSupported, ""));
        assert!(err.contains("NOT_SUPPORTED"), "{err}");
        assert_eq!(jwks(engine).0, json!({"keys": []}));
        unsafe { tessera_engine_free(engine) };
    }

    #[test]
    fn the_discovery_document_names_the_issuer_and_the_jwks() {
        let engine = memory_engine();
        let mut doc = TesseraBytes::EMPTY;
        let st = unsafe { tessera_engine_openid_discovery_configuration(engine, &mut doc, ptr::null_mut()) };
        assert_eq!(st, TesseraStatus::Ok);
        let doc: Value = serde_json::from_str(&take(doc)).unwrap();
        assert_eq!(doc["issuer"], "http://localhost:3001/auth");
        assert_eq!(doc["jwks_uri"], "http://localhost:3001/auth/jwt/jwks.json");
        let st = unsafe { tessera_engine_openid_discovery_configuration(engine, ptr::null_mut(), ptr::null_mut()) };
        assert_eq!(st, TesseraStatus::InvalidInput);
        let mut config = TesseraBytes::EMPTY;
        let st = unsafe { tessera_engine_session_config(engine, &mut config, ptr::null_mut()) };
        assert_eq!(st, TesseraStatus::Ok);
        let config: Value = serde_json::from_str(&take(config)).unwrap();
        assert_eq!(
            (config["sessionExpiredStatusCode"].as_u64(), config["antiCsrf"].as_str()),
            (Some(401), Some("NONE"))
        );
        let mut none = TesseraBytes::EMPTY;
        let st = unsafe { tessera_engine_session_config(ptr::null(), &mut none, ptr::null_mut()) };
        assert_eq!(st, TesseraStatus::InvalidInput);
        let (mut out_json, mut max_age) = (TesseraBytes::EMPTY, 7u64);
        let st = unsafe { tessera_engine_jwks(ptr::null(), &mut out_json, &mut max_age, ptr::null_mut()) };
        assert_eq!((st, max_age), (TesseraStatus::InvalidInput, 0));
        unsafe { tessera_engine_free(engine) };
    }
}
