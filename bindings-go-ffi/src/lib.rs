//! tessera-ffi: the C ABI of tessera-core (`include/tessera.h`), used by the Go module in
//! `go/` and usable from any C caller. It converts, calls the core and converts back; every
//! decision about tokens, cookies and headers stays in the core.
//!
//! Rules every function follows (the header repeats the parts that differ per function):
//! - The return value is a [`TesseraStatus`]; results go through out-parameters, which are set
//!   to NULL / empty first, so on failure they hold nothing to free.
//! - Inputs are `(pointer, length)` byte ranges (UTF-8, mostly JSON), borrowed for the call
//!   only. A NULL pointer with length 0 is the empty input.
//! - What Rust allocates Rust frees: [`TesseraBytes`] with `tessera_bytes_free`, handles with
//!   their `_free` function. Every free accepts NULL.
//! - [`TesseraStr`] fields (a session's fields, on the verify path) are borrowed from their
//!   session handle: valid until it is freed, never freed on their own.
//! - On failure, if `err_out` is not NULL, `*err_out` receives the error as JSON
//!   `{"code", "message", "payload", "clearTokens"}` (there is no thread-local "last error", so
//!   callers need not pin threads).
//! - Every function catches panics: a panic returns `TESSERA_STATUS_INTERNAL` with its message.
//! - Engines and sessions are immutable and `Send + Sync`: any thread may use them at the same
//!   time, except that a handle must not be freed while another call uses it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tessera_core::claims::{self, Validator};
use tessera_core::config::{Config, TokenTransfer};
use tessera_core::engine::now_ms;
use tessera_core::http::{append_to_header_list, HttpRequest, ResponseMutations};
use tessera_core::keys::KeySet;
use tessera_core::protocol::{ApiEndpoint, SessionState, VerifyOptions, CORS_ALLOWED_HEADERS, REQUEST_HEADERS};
use tessera_core::token::VerifiedToken;
use tessera_core::{all_error_kinds, Error, ErrorKind, Result, Tessera};

mod jwt;
mod overrides;
mod request;
pub use jwt::{tessera_engine_create_jwt, tessera_engine_jwks, tessera_engine_openid_discovery_configuration};
pub use overrides::{
    tessera_engine_refresh_request_input, tessera_engine_session_request_input, tessera_session_attach_to_request,
    tessera_session_clear_tokens,
};
pub use request::{
    tessera_engine_verify_request, tessera_engine_verify_token, tessera_session_access_token_payload,
    tessera_session_fields, tessera_session_front_token, TesseraSessionFields, TesseraStr, TesseraTransferMethod,
    TesseraVerifyOptions,
};

/// The version of this ABI. It changes whenever a signature, a status value or a JSON shape
/// changes incompatibly; callers compare it with the value their header was built with.
pub const TESSERA_ABI_VERSION: u32 = 1;

/// What a call returned: `OK`, or the kind of the core error (its code is in the error JSON).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TesseraStatus {
    /// Success.
    Ok = 0,
    /// `UNAUTHORISED`: no usable session.
    Unauthorised = 1,
    /// `TRY_REFRESH_TOKEN`: the client should refresh.
    TryRefreshToken = 2,
    /// `TOKEN_THEFT_DETECTED`: a refresh token was reused; the session is revoked.
    TokenTheftDetected = 3,
    /// `INVALID_CLAIMS`.
    InvalidClaims = 4,
    /// `CLEAR_DUPLICATE_SESSION_COOKIES`.
    ClearDuplicateSessionCookies = 5,
    /// `INVALID_CONFIG`: the message names the option.
    InvalidConfig = 6,
    /// `INVALID_INPUT`: an argument (NULL pointer, bad JSON, bad UTF-8, bad payload) is wrong.
    InvalidInput = 7,
    /// `STORAGE`: the session store failed.
    Storage = 8,
    /// `NOT_SUPPORTED`: the engine has no session store (verification only).
    NotSupported = 9,
    /// `INTERNAL`: a bug or a panic inside Tessera, or an error kind newer than this ABI.
    Internal = 10,
    /// `WOULD_BLOCK`: never returned by this ABI (its calls may block), listed for completeness.
    WouldBlock = 11,
}

fn status_of(kind: ErrorKind) -> TesseraStatus {
    match kind {
        ErrorKind::Unauthorised => TesseraStatus::Unauthorised,
        ErrorKind::TryRefreshToken => TesseraStatus::TryRefreshToken,
        ErrorKind::TokenTheftDetected => TesseraStatus::TokenTheftDetected,
        ErrorKind::InvalidClaims => TesseraStatus::InvalidClaims,
        ErrorKind::ClearDuplicateSessionCookies => TesseraStatus::ClearDuplicateSessionCookies,
        ErrorKind::InvalidConfig => TesseraStatus::InvalidConfig,
        ErrorKind::InvalidInput => TesseraStatus::InvalidInput,
        ErrorKind::Storage => TesseraStatus::Storage,
        ErrorKind::NotSupported => TesseraStatus::NotSupported,
        ErrorKind::Internal => TesseraStatus::Internal,
        ErrorKind::WouldBlock => TesseraStatus::WouldBlock,
        // ErrorKind is non_exhaustive. A newer kind still reaches callers by its code in the
        // error JSON, which is what they map; the test below fails until it gets a status.
        _ => TesseraStatus::Internal,
    }
}

/// Bytes allocated by Rust (UTF-8 JSON unless a function says otherwise). `ptr` is NULL when
/// `len` is 0. Free with `tessera_bytes_free`.
#[repr(C)]
#[derive(Debug)]
pub struct TesseraBytes {
    /// The first byte, or NULL.
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl TesseraBytes {
    const EMPTY: TesseraBytes = TesseraBytes { ptr: ptr::null_mut(), len: 0 };

    fn from_vec(v: Vec<u8>) -> TesseraBytes {
        if v.is_empty() {
            return TesseraBytes::EMPTY;
        }
        let len = v.len();
        let ptr = Box::into_raw(v.into_boxed_slice()).cast::<u8>();
        TesseraBytes { ptr, len }
    }
}

/// A configured session engine: one per process is the usual case.
pub struct TesseraEngine {
    inner: Tessera,
}

/// A session in a request (what a `SessionContainer` holds), as returned by verify, create
/// and refresh. Immutable: calls that change the session return a new handle.
pub struct TesseraSession {
    state: SessionState,
}

/// Runs one call: clears `err_out`, catches panics, writes the error JSON.
fn run(err_out: *mut TesseraBytes, work: impl FnOnce() -> Result<()>) -> TesseraStatus {
    if !err_out.is_null() {
        // SAFETY: the caller passes NULL or a writable TesseraBytes.
        unsafe { err_out.write(TesseraBytes::EMPTY) };
    }
    let outcome = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(Error::from_panic(&*p)));
    match outcome {
        Ok(()) => TesseraStatus::Ok,
        Err(e) => {
            if !err_out.is_null() {
                let text = e.to_json().to_string().into_bytes();
                // SAFETY: as above.
                unsafe { err_out.write(TesseraBytes::from_vec(text)) };
            }
            status_of(e.kind())
        }
    }
}

/// # Safety
/// `ptr` must be NULL or point at `len` readable bytes that live for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::input(format!("{what} is NULL with a length of {len}")));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// # Safety
/// As [`bytes`].
unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes(ptr, len, what)?).map_err(|_| Error::input(format!("{what} is not UTF-8")))
}

/// # Safety
/// As [`bytes`].
unsafe fn parse<T: DeserializeOwned>(ptr: *const u8, len: usize) -> Result<T> {
    serde_json::from_slice(bytes(ptr, len, "input")?).map_err(|e| Error::input(format!("input: {e}")))
}

/// # Safety
/// `p` must be NULL or a live handle made by this library.
unsafe fn live<'a, T>(p: *const T, what: &str) -> Result<&'a T> {
    p.as_ref().ok_or_else(|| Error::input(format!("{what} is NULL")))
}

/// Checks an out-parameter and clears what it points at.
///
/// # Safety
/// `p` must be NULL or writable.
unsafe fn out<'a, T>(p: *mut T, empty: T, what: &str) -> Result<&'a mut T> {
    let p = p.as_mut().ok_or_else(|| Error::input(format!("{what} is NULL")))?;
    ptr::write(p, empty);
    Ok(p)
}

fn to_json_bytes(v: &impl serde::Serialize) -> Result<TesseraBytes> {
    serde_json::to_vec(v).map(TesseraBytes::from_vec).map_err(|e| Error::internal(e.to_string()))
}

fn clock(now: Option<u64>) -> u64 {
    now.unwrap_or_else(now_ms)
}

/// A session and what to write on the response: the JSON every session-making call returns.
type SessionOutcome = (Option<SessionState>, Option<ResponseMutations>);

/// One engine call whose result is JSON.
///
/// # Safety
/// The pointers follow the crate's rules.
unsafe fn engine_json<I: DeserializeOwned, O: serde::Serialize>(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
    f: impl FnOnce(&Tessera, I) -> Result<O>,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        let value = f(&engine.inner, parse(input, input_len)?)?;
        *out_json = to_json_bytes(&value)?;
        Ok(())
    })
}

/// The shape of [`SessionState::to_json`], serialised straight from borrowed fields: building
/// the intermediate `Value` (cloned token, payload and maps) was most of the cost of a cached
/// verification. A test keeps the two shapes equal.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionJson<'a> {
    token: &'a VerifiedToken,
    front_token: String,
    refresh_token: &'a Option<String>,
    refresh_token_expiry_ms: Option<u64>,
    anti_csrf_token: &'a Option<String>,
    access_token_updated: bool,
    transfer: TokenTransfer,
}

impl<'a> SessionJson<'a> {
    fn of(s: &'a SessionState) -> SessionJson<'a> {
        SessionJson {
            token: &s.token,
            front_token: s.front_token(),
            refresh_token: &s.refresh_token,
            refresh_token_expiry_ms: s.refresh_token_expiry_ms,
            anti_csrf_token: &s.anti_csrf_token,
            access_token_updated: s.access_token_updated,
            transfer: s.transfer,
        }
    }
}

#[derive(Serialize)]
struct OutcomeJson<'a> {
    session: Option<SessionJson<'a>>,
    mutations: Option<&'a ResponseMutations>,
}

/// One engine call that may make a session: `*out_session` gets the handle (or NULL) and
/// `*out_json` `{"session": <session JSON> | null, "mutations": <mutations> | null}`.
///
/// # Safety
/// The pointers follow the crate's rules.
unsafe fn engine_session<I: DeserializeOwned>(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
    f: impl FnOnce(&Tessera, I) -> Result<SessionOutcome>,
) -> TesseraStatus {
    run(err_out, || {
        let out_session = out(out_session, ptr::null_mut(), "out_session")?;
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        let (state, mutations) = f(&engine.inner, parse(input, input_len)?)?;
        *out_json = to_json_bytes(&OutcomeJson {
            session: state.as_ref().map(SessionJson::of),
            mutations: mutations.as_ref(),
        })?;
        if let Some(state) = state {
            *out_session = Box::into_raw(Box::new(TesseraSession { state }));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Library
// ---------------------------------------------------------------------------------------

/// The ABI version of the linked library (`TESSERA_ABI_VERSION` when built from the same
/// header). Cannot fail. Thread-safe.
#[no_mangle]
pub extern "C" fn tessera_abi_version() -> u32 {
    TESSERA_ABI_VERSION
}

/// Frees bytes returned by this library. `bytes.ptr` may be NULL.
///
/// # Safety
/// `bytes` must be exactly as returned by this library and not freed before. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_bytes_free(bytes: TesseraBytes) {
    if bytes.ptr.is_null() {
        return;
    }
    let _ = catch_unwind(|| drop(Box::from_raw(ptr::slice_from_raw_parts_mut(bytes.ptr, bytes.len))));
}

/// Every core error kind: `*out_json` = `[{"code", "status", "sessionError"}]`, where
/// `sessionError` says whether the protocol answers it itself (401/403/200) rather than with
/// a 500. Lets callers test that their error mapping is complete.
///
/// # Safety
/// `out_json` must be writable; `*out_json` is owned by the caller (`tessera_bytes_free`).
/// `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_error_kinds(out_json: *mut TesseraBytes, err_out: *mut TesseraBytes) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let kinds: Vec<Value> = all_error_kinds()
            .iter()
            .map(|k| json!({"code": k.code(), "status": status_of(*k) as u32, "sessionError": k.is_session_error()}))
            .collect();
        *out_json = to_json_bytes(&kinds)?;
        Ok(())
    })
}

/// The protocol's header lists: `*out_json` = `{"requestHeaders": [...], "corsAllowedHeaders":
/// [...]}`. Adapters need pass only `requestHeaders` (lowercase) to the core.
///
/// # Safety
/// As `tessera_error_kinds`.
#[no_mangle]
pub unsafe extern "C" fn tessera_protocol_headers(
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        *out_json = to_json_bytes(&json!({
            "requestHeaders": REQUEST_HEADERS,
            "corsAllowedHeaders": CORS_ALLOWED_HEADERS,
        }))?;
        Ok(())
    })
}

/// Adds `value` to the comma-separated header list `existing` (empty for an absent header)
/// unless it is there; `*out_text` is the new header value (UTF-8, not JSON).
///
/// # Safety
/// Inputs are borrowed for the call; `out_text` must be writable and `*out_text` is owned by
/// the caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_header_list_append(
    existing: *const u8,
    existing_len: usize,
    value: *const u8,
    value_len: usize,
    out_text: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_text = out(out_text, TesseraBytes::EMPTY, "out_text")?;
        let existing = text(existing, existing_len, "existing")?;
        let value = text(value, value_len, "value")?;
        *out_text = TesseraBytes::from_vec(append_to_header_list(Some(existing), value).into_bytes());
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Session claims
// ---------------------------------------------------------------------------------------

/// A built-in claim validator and an access token payload, both JSON, for the claim calls.
///
/// # Safety
/// As [`bytes`].
unsafe fn claim_args(
    validator: *const u8,
    validator_len: usize,
    payload: *const u8,
    payload_len: usize,
) -> Result<(Validator, Map<String, Value>)> {
    let validator = Validator::from_json(text(validator, validator_len, "validator")?)?;
    let payload = serde_json::from_str(text(payload, payload_len, "payload")?)
        .map_err(|e| Error::input(format!("payload: {e}")))?;
    Ok((validator, payload))
}

/// `0` is "now": the C ABI has no optional integers.
fn claim_clock(now_ms: u64) -> u64 {
    clock((now_ms != 0).then_some(now_ms))
}

/// Whether a claim's value must be fetched again before a built-in validator checks it: the
/// payload has none, or it is older than the validator's `maxAgeInSeconds`. `validator` is
/// `{"key", "check": {"kind", "value" | "values"}, "maxAgeInSeconds"?}` (kinds: `hasValue`,
/// `includes`, `excludes`, `includesAll`, `includesAny`, `excludesAll`); `payload` is the
/// access token payload, a JSON object; `now_ms` is the time in ms, `0` for now.
///
/// # Safety
/// Inputs are borrowed for the call; `out` must be writable. `err_out` may be NULL.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_claim_should_refetch(
    validator: *const u8,
    validator_len: usize,
    payload: *const u8,
    payload_len: usize,
    now_ms: u64,
    out_refetch: *mut bool,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_refetch = out(out_refetch, false, "out_refetch")?;
        let (validator, payload) = claim_args(validator, validator_len, payload, payload_len)?;
        *out_refetch = validator.should_refetch(&payload, claim_clock(now_ms));
        Ok(())
    })
}

/// Checks a payload with a built-in claim validator (arguments as
/// `tessera_claim_should_refetch`): `*out_reason` is empty when it passes, else why it fails,
/// as JSON (supertokens-node's reasons: `{"message": "wrong value", "expectedValue", ...}`).
///
/// # Safety
/// Inputs are borrowed for the call; `out_reason` must be writable and `*out_reason` is owned
/// by the caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_claim_validate(
    validator: *const u8,
    validator_len: usize,
    payload: *const u8,
    payload_len: usize,
    now_ms: u64,
    out_reason: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_reason = out(out_reason, TesseraBytes::EMPTY, "out_reason")?;
        let (validator, payload) = claim_args(validator, validator_len, payload, payload_len)?;
        if let Some(reason) = validator.validate(&payload, claim_clock(now_ms)) {
            *out_reason = to_json_bytes(&reason)?;
        }
        Ok(())
    })
}

/// A claim's entry in the access token payload for a value (JSON): `*out_json` =
/// `{"v": value, "t": now_ms}`; `now_ms` is the time in ms, `0` for now.
///
/// # Safety
/// Inputs are borrowed for the call; `out_json` must be writable and `*out_json` is owned by
/// the caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_claim_entry(
    value: *const u8,
    value_len: usize,
    now_ms: u64,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let value: Value = serde_json::from_str(text(value, value_len, "value")?)
            .map_err(|e| Error::input(format!("claim value: {e}")))?;
        *out_json = to_json_bytes(&claims::entry(value, claim_clock(now_ms)))?;
        Ok(())
    })
}

/// Test-only: panics inside the boundary, so that callers can check that a panic arrives as
/// `TESSERA_STATUS_INTERNAL` with its message instead of aborting. Never useful otherwise.
///
/// # Safety
/// `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_testing_panic(err_out: *mut TesseraBytes) -> TesseraStatus {
    run(err_out, || panic!("tessera_testing_panic was called"))
}

// ---------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------

/// Makes an engine from its JSON configuration (`{"appInfo", "connectionURI", "apiKey",
/// "session"}`, the SuperTokens option names). Opens the session store; no network I/O.
///
/// # Safety
/// `config` is borrowed for the call. `out_engine` must be writable; `*out_engine` (NULL on
/// failure) is owned by the caller, freed with `tessera_engine_free`. `err_out` may be NULL.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_new(
    config: *const u8,
    config_len: usize,
    out_engine: *mut *mut TesseraEngine,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_engine = out(out_engine, ptr::null_mut(), "out_engine")?;
        let inner = Tessera::from_json(text(config, config_len, "config")?)?;
        *out_engine = Box::into_raw(Box::new(TesseraEngine { inner }));
        Ok(())
    })
}

/// Makes a verification-only engine that trusts exactly the keys of a JWKS document (no
/// session store: create, refresh and `checkDatabase` answer `NOT_SUPPORTED`).
///
/// # Safety
/// As `tessera_engine_new`; `jwks` is borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_new_with_jwks(
    config: *const u8,
    config_len: usize,
    jwks: *const u8,
    jwks_len: usize,
    out_engine: *mut *mut TesseraEngine,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_engine = out(out_engine, ptr::null_mut(), "out_engine")?;
        let config = Config::from_json(text(config, config_len, "config")?)?;
        let keys = KeySet::from_jwks_json(bytes(jwks, jwks_len, "jwks")?)?;
        *out_engine = Box::into_raw(Box::new(TesseraEngine { inner: Tessera::with_key_set(config, keys) }));
        Ok(())
    })
}

/// Frees an engine. NULL is ignored.
///
/// # Safety
/// `engine` must be NULL or an engine from this library, not freed before, and no other call
/// may be using it (sessions made by it stay valid).
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_free(engine: *mut TesseraEngine) {
    if !engine.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(engine))));
    }
}

/// Whether a request (method and path, query allowed) is for an endpoint that
/// `tessera_engine_handle_api_request` serves. No I/O, cheap: call it on every request.
///
/// # Safety
/// `engine` must be live; `method` and `path` are borrowed for the call; `out_is_api` must be
/// writable. `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_is_api_request(
    engine: *const TesseraEngine,
    method: *const u8,
    method_len: usize,
    path: *const u8,
    path_len: usize,
    out_is_api: *mut bool,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_is_api = out(out_is_api, false, "out_is_api")?;
        let engine = live(engine, "engine")?;
        *out_is_api = engine.inner.is_api_path(text(method, method_len, "method")?, text(path, path_len, "path")?);
        Ok(())
    })
}

/// Which endpoint `tessera_engine_handle_api_request` serves for a request (see
/// `tessera_engine_api_endpoint`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TesseraApiEndpoint {
    /// None: the request is the application's.
    None = 0,
    /// `POST {apiBasePath}/session/refresh`.
    Refresh = 1,
    /// `POST {apiBasePath}/signout`.
    SignOut = 2,
    /// `GET {apiBasePath}/jwt/jwks.json`.
    Jwks = 3,
    /// `GET {apiBasePath}/.well-known/openid-configuration`.
    OpenIdConfiguration = 4,
}

/// Which endpoint a request (method and path, query allowed) is for, so that an application
/// that replaced an endpoint's API function can serve it itself. No I/O.
///
/// # Safety
/// `engine` must be live; `method` and `path` are borrowed for the call; `out_endpoint` must
/// be writable. `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_api_endpoint(
    engine: *const TesseraEngine,
    method: *const u8,
    method_len: usize,
    path: *const u8,
    path_len: usize,
    out_endpoint: *mut TesseraApiEndpoint,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_endpoint = out(out_endpoint, TesseraApiEndpoint::None, "out_endpoint")?;
        let engine = live(engine, "engine")?;
        let found = engine.inner.api_endpoint(text(method, method_len, "method")?, text(path, path_len, "path")?);
        *out_endpoint = match found {
            None => TesseraApiEndpoint::None,
            Some(ApiEndpoint::Refresh) => TesseraApiEndpoint::Refresh,
            Some(ApiEndpoint::SignOut) => TesseraApiEndpoint::SignOut,
            Some(ApiEndpoint::Jwks) => TesseraApiEndpoint::Jwks,
            Some(ApiEndpoint::OpenIdConfiguration) => TesseraApiEndpoint::OpenIdConfiguration,
        };
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VerifyInput {
    request: HttpRequest,
    #[serde(default)]
    options: VerifyOptions,
    now_ms: Option<u64>,
}

/// `verifySession` on a request. Input `{"request": {"method", "path", "headers": [[name,
/// value], ...]}, "options": {"sessionRequired", "antiCsrfCheck", "checkDatabase"}, "nowMs"}`
/// (`options` and `nowMs` optional; `nowMs` defaults to the clock). Output: `*out_session`
/// is the session or NULL (none required and none sent); `*out_json` is `{"session",
/// "mutations"}`. On a session error, answer it with `tessera_engine_error_response`.
///
/// # Safety
/// `engine` must be live; `input` is borrowed for the call; `out_session` and `out_json` must
/// be writable and what they receive is owned by the caller (`tessera_session_free`,
/// `tessera_bytes_free`). `err_out` may be NULL. Thread-safe; may block on the store or a key
/// fetch.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_verify_session(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(engine, input, input_len, out_session, out_json, err_out, |t, i: VerifyInput| {
        let (state, m) = t.verify_session(&i.request, &i.options, clock(i.now_ms))?;
        Ok((state, Some(m)))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenInput {
    access_token: String,
    now_ms: Option<u64>,
}

/// Parses and verifies one access token (signature, structure, expiry; no transfer or
/// anti-CSRF checks). Input `{"accessToken", "nowMs"}`; `*out_json` is the verified token
/// (`{"raw", "version", "kid", "userId", "recipeUserId", "tenantId", "sessionHandle",
/// "antiCsrfToken", "expiryMs", "timeCreatedMs", "payload", ...}`).
///
/// # Safety
/// As `tessera_engine_verify_session`, without a session out-parameter.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_verify_access_token(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: TokenInput| {
        let token = t.verify_access_token(&i.access_token, clock(i.now_ms))?;
        serde_json::to_value(&*token).map_err(|e| Error::internal(e.to_string()))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ErrorJson {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    clear_tokens: bool,
}

impl ErrorJson {
    /// The core error the JSON describes; an unknown code is `INTERNAL`.
    fn into_error(self) -> Error {
        let kind = ErrorKind::from_code(&self.code).unwrap_or(ErrorKind::Internal);
        let err = Error::new(kind, self.message).with_clear_tokens(self.clear_tokens);
        match self.payload.filter(|p| !p.is_null()) {
            Some(p) => err.with_payload(p),
            None => err,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ErrorInput {
    request: HttpRequest,
    error: ErrorJson,
    #[serde(default)]
    prelude_only: bool,
}

/// The protocol's answer to an error for a request: status, body, token clearing (a token
/// theft also revokes the session). Input `{"request", "error": <error JSON as returned in
/// err_out>, "preludeOnly"?}`; `*out_json` is the mutations (`{"status", "body", "headers",
/// "cookies"}`). Kinds that are not session errors answer 500 with a body that reveals nothing.
///
/// With `"preludeOnly": true`, only what the response gets before an application's own
/// handler answers a session error (supertokens' `errorHandlers`): token clearing for
/// `UNAUTHORISED` with `clearTokens` and for `TOKEN_THEFT_DETECTED`, the expiry of the
/// `olderCookieDomain` cookies for `CLEAR_DUPLICATE_SESSION_COOKIES`; never a status or a
/// body (those are the handler's), and no revocation.
///
/// # Safety
/// As `tessera_engine_verify_access_token`.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_error_response(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: ErrorInput| {
        let err = i.error.into_error();
        Ok(if i.prelude_only { t.error_prelude(&i.request, &err) } else { t.error_response(&i.request, &err) })
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RequestInput {
    request: HttpRequest,
    now_ms: Option<u64>,
}

/// The transport a session created for this request would travel on, as
/// `tessera_engine_create_new_session` chooses it. Input `{"request"}`; `*out_json` is
/// `"cookie"` or `"header"`. No I/O.
///
/// # Safety
/// As `tessera_engine_verify_access_token`.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_output_transfer(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: RequestInput| Ok(t.output_transfer(&i.request)))
}

/// Serves the endpoints the frontend calls (`POST {apiBasePath}/session/refresh`, `POST
/// {apiBasePath}/signout`, `GET {apiBasePath}/jwt/jwks.json`, `GET
/// {apiBasePath}/.well-known/openid-configuration`). Input `{"request", "nowMs"}`;
/// `*out_json` is the complete answer (mutations with status and body, errors included) or
/// `null` when the request is not for one of them.
///
/// # Safety
/// As `tessera_engine_verify_access_token`. May block on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_handle_api_request(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: RequestInput| {
        Ok(t.handle_api_request(&i.request, clock(i.now_ms)))
    })
}

/// `tessera_engine_handle_api_request` for applications with their own error handlers: an
/// endpoint's error (`UNAUTHORISED` for a refresh without a refresh token,
/// `TOKEN_THEFT_DETECTED` for a reused one, ...) is returned as the call's status and
/// `*err_out`, to be answered with `tessera_engine_error_response` (its prelude and the
/// handler, or the whole answer). Otherwise as `tessera_engine_handle_api_request`.
///
/// # Safety
/// As `tessera_engine_verify_access_token`. May block on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_try_handle_api_request(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: RequestInput| {
        t.try_handle_api_request(&i.request, clock(i.now_ms)).transpose()
    })
}

fn default_tenant() -> String {
    "public".to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateInput {
    request: Option<HttpRequest>,
    #[serde(default = "default_tenant")]
    tenant_id: String,
    recipe_user_id: String,
    #[serde(default)]
    access_token_payload: Option<Map<String, Value>>,
    #[serde(default)]
    session_data_in_database: Option<Map<String, Value>>,
    #[serde(default)]
    disable_anti_csrf: bool,
}

/// `createNewSession`. Input `{"request", "tenantId", "recipeUserId", "accessTokenPayload",
/// "sessionDataInDatabase"}`; with `request` the session is made for that request and
/// `mutations` carry its tokens; without it (`createNewSessionWithoutRequestResponse`),
/// `"disableAntiCsrf"` may be set and `mutations` is null. Outputs as
/// `tessera_engine_verify_session`.
///
/// # Safety
/// As `tessera_engine_verify_session`. Blocks on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_create_new_session(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(engine, input, input_len, out_session, out_json, err_out, |t, i: CreateInput| {
        let payload = i.access_token_payload.unwrap_or_default();
        let data = i.session_data_in_database.unwrap_or_default();
        let now = now_ms();
        match i.request {
            Some(req) => {
                let (s, m) =
                    t.create_new_session_in_request(&req, &i.tenant_id, &i.recipe_user_id, payload, data, now)?;
                Ok((Some(s), Some(m)))
            }
            None => {
                let s = t.create_new_session_without_request_response(
                    &i.tenant_id,
                    &i.recipe_user_id,
                    payload,
                    data,
                    i.disable_anti_csrf,
                    now,
                )?;
                Ok((Some(s), None))
            }
        }
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithoutRequestInput {
    access_token: String,
    anti_csrf_token: Option<String>,
    #[serde(default)]
    options: VerifyOptions,
}

/// `getSessionWithoutRequestResponse`. Input `{"accessToken", "antiCsrfToken", "options"}`
/// (`options.antiCsrfCheck` defaults to true here, as in the SDKs). Outputs as
/// `tessera_engine_verify_session`; `mutations` is null.
///
/// # Safety
/// As `tessera_engine_verify_session`.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_get_session_without_request_response(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(engine, input, input_len, out_session, out_json, err_out, |t, i: WithoutRequestInput| {
        let s = t.get_session_without_request_response(
            &i.access_token,
            i.anti_csrf_token.as_deref(),
            &i.options,
            now_ms(),
        )?;
        Ok((s, None))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshInput {
    request: Option<HttpRequest>,
    refresh_token: Option<String>,
    #[serde(default)]
    disable_anti_csrf: bool,
    anti_csrf_token: Option<String>,
}

/// `refreshSession`. Input `{"request"}` refreshes the session of a request (`mutations`
/// carry the new tokens); `{"refreshToken", "disableAntiCsrf", "antiCsrfToken"}` is
/// `refreshSessionWithoutRequestResponse` (`mutations` null). Outputs as
/// `tessera_engine_verify_session`.
///
/// # Safety
/// As `tessera_engine_verify_session`. Blocks on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_refresh_session(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(engine, input, input_len, out_session, out_json, err_out, |t, i: RefreshInput| {
        match (i.request, i.refresh_token) {
            (Some(req), None) => {
                let (s, m) = t.refresh_session_in_request(&req, now_ms())?;
                Ok((Some(s), Some(m)))
            }
            (None, Some(rt)) => {
                let csrf = i.anti_csrf_token.as_deref();
                let s = t.refresh_session_without_request_response(&rt, i.disable_anti_csrf, csrf, now_ms())?;
                Ok((Some(s), None))
            }
            _ => Err(Error::input("input: give exactly one of request and refreshToken")),
        }
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionsInput {
    #[serde(default)]
    session_handles: Vec<String>,
    session_handle: Option<String>,
    user_id: Option<String>,
    tenant_id: Option<String>,
    data: Option<Map<String, Value>>,
    update: Option<Map<String, Value>>,
}

fn need<T>(v: Option<T>, what: &str) -> Result<T> {
    v.ok_or_else(|| Error::input(format!("input: {what} is required")))
}

/// Stored sessions, by the operation named in `op` (UTF-8):
/// - `revoke`: input `{"sessionHandles": [...]}`, output the handles that existed;
/// - `revokeAllForUser`: `{"userId", "tenantId"}` (tenant null: all), the revoked handles;
/// - `handlesForUser`: `{"userId", "tenantId"}`, the live handles;
/// - `information`: `{"sessionHandle"}`, `{"session", "sessionDataInDatabase",
///   "customClaimsInAccessTokenPayload", "expiryMs", "timeCreatedMs"}` or `null`;
/// - `updateData`: `{"sessionHandle", "data"}`, whether the session exists;
/// - `mergePayload`: `{"sessionHandle", "update"}` (used from the next refresh on), whether
///   the session exists.
///
/// # Safety
/// `engine` must be live; `op` and `input` are borrowed for the call; `out_json` must be
/// writable and `*out_json` is owned by the caller (`tessera_bytes_free`). `err_out` may be
/// NULL. Thread-safe; blocks on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_manage_sessions(
    engine: *const TesseraEngine,
    op: *const u8,
    op_len: usize,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: SessionsInput| {
        let op = text(op, op_len, "op")?;
        let a = t.authority()?;
        let now = now_ms();
        Ok(match op {
            "revoke" => json!(a.revoke_sessions(&i.session_handles)?),
            "revokeAllForUser" => {
                json!(a.revoke_all_sessions_for_user(&need(i.user_id, "userId")?, i.tenant_id.as_deref(), now)?)
            }
            "handlesForUser" => {
                json!(a.session_handles_for_user(&need(i.user_id, "userId")?, i.tenant_id.as_deref(), now)?)
            }
            "information" => json!(a.session_information(&need(i.session_handle, "sessionHandle")?, now)?),
            "updateData" => json!(a.update_session_data(
                &need(i.session_handle, "sessionHandle")?,
                &i.data.unwrap_or_default(),
                now
            )?),
            "mergePayload" => json!(a.merge_into_access_token_payload(
                &need(i.session_handle, "sessionHandle")?,
                &i.update.unwrap_or_default(),
                now
            )?),
            other => return Err(Error::input(format!("op: unknown operation {other:?}"))),
        })
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegenerateInput {
    access_token: String,
    payload: Option<Map<String, Value>>,
}

/// `regenerateAccessToken(accessToken, newAccessTokenPayload)`, as the SuperTokens core's
/// `/recipe/session/regenerate` answers it. Input `{"accessToken", "payload"}` (`payload` null
/// or absent: `{}`); it becomes the session's access token payload and, unless the token has
/// expired, a new token with the same expiry carries it. `*out_json` is `{"session":
/// {"handle", "userId", "recipeUserId", "tenantId", "userDataInJWT"}, "accessToken": {"token",
/// "expiry", "createdTime"}}` (`accessToken` absent for an expired token), or `null` when the
/// session no longer exists. `UNAUTHORISED` when the token is not an access token;
/// `TRY_REFRESH_TOKEN` when its signature does not verify; `INVALID_INPUT` for protected props
/// in `payload`; `NOT_SUPPORTED` for an engine without a session store.
///
/// # Safety
/// `engine` must be live; `input` is borrowed for the call; `out_json` must be writable and
/// `*out_json` is owned by the caller (`tessera_bytes_free`). `err_out` may be NULL.
/// Thread-safe; blocks on the store.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_regenerate_access_token(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: RegenerateInput| {
        t.regenerate_access_token(&i.access_token, i.payload.unwrap_or_default(), now_ms())
    })
}

// ---------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateInput {
    update: Option<Map<String, Value>>,
}

/// `session.mergeIntoAccessTokenPayload(update)` for a session of a request. Input
/// `{"update"}` (a key set to null removes it). `*out_session` is the updated session (the
/// given one is unchanged); `*out_json` is `{"session", "mutations"}` with the new tokens to
/// write on the response.
///
/// # Safety
/// `engine` and `session` must be live; otherwise as `tessera_engine_verify_session`.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_merge_into_access_token_payload(
    engine: *const TesseraEngine,
    session: *const TesseraSession,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(engine, input, input_len, out_session, out_json, err_out, |t, i: UpdateInput| {
        let mut state = live(session, "session")?.state.clone();
        let m = t.merge_into_access_token_payload_in_session(&mut state, &i.update.unwrap_or_default(), now_ms())?;
        Ok((Some(state), Some(m)))
    })
}

/// `session.revokeSession()` for a session of a request: revokes it in the store;
/// `*out_json` is the mutations that clear its tokens from the response.
///
/// # Safety
/// `engine` and `session` must be live; `out_json` must be writable and `*out_json` is owned
/// by the caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe; blocks on the
/// store.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_revoke(
    engine: *const TesseraEngine,
    session: *const TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        let session = live(session, "session")?;
        *out_json = to_json_bytes(&engine.inner.revoke_session_in_request(&session.state)?)?;
        Ok(())
    })
}

/// Frees a session. NULL is ignored.
///
/// # Safety
/// `session` must be NULL or a session from this library, not freed before, and no other call
/// may be using it.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_free(session: *mut TesseraSession) {
    if !session.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(session))));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An engine on an in-memory store, for tests of the ABI; free it with
    /// `tessera_engine_free`.
    pub(crate) fn memory_engine() -> *mut TesseraEngine {
        let config =
            br#"{"appInfo":{"appName":"t","apiDomain":"http://localhost:3001"},"connectionURI":"sqlite::memory:"}"#;
        let mut engine = ptr::null_mut();
        assert_eq!(
            unsafe { tessera_engine_new(config.as_ptr(), config.len(), &mut engine, ptr::null_mut()) },
            TesseraStatus::Ok
        );
        engine
    }

    /// A session created through the ABI from `input` (the create call's JSON), and the
    /// document the call answered; free the session with `tessera_session_free`.
    pub(crate) fn create_session(engine: *const TesseraEngine, input: &[u8]) -> (*mut TesseraSession, Value) {
        let (mut session, mut doc) = (ptr::null_mut(), TesseraBytes::EMPTY);
        let st = unsafe {
            tessera_engine_create_new_session(
                engine,
                input.as_ptr(),
                input.len(),
                &mut session,
                &mut doc,
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::Ok, "{}", take(doc));
        (session, serde_json::from_str(&take(doc)).unwrap())
    }

    pub(crate) fn take(b: TesseraBytes) -> String {
        let s = if b.ptr.is_null() {
            String::new()
        } else {
            String::from_utf8(unsafe { std::slice::from_raw_parts(b.ptr, b.len) }.to_vec()).unwrap()
        };
        unsafe { tessera_bytes_free(b) };
        s
    }

    #[test]
    fn claims_are_checked_and_entries_made_across_the_abi() {
        let validator = br#"{"key":"st-role","check":{"kind":"includes","value":"admin"},"maxAgeInSeconds":300}"#;
        let call = |payload: &[u8], now: u64| {
            let mut refetch = true;
            let mut reason = TesseraBytes::EMPTY;
            let mut err = TesseraBytes::EMPTY;
            let st = unsafe {
                tessera_claim_should_refetch(
                    validator.as_ptr(),
                    validator.len(),
                    payload.as_ptr(),
                    payload.len(),
                    now,
                    &mut refetch,
                    &mut err,
                )
            };
            assert_eq!(st, TesseraStatus::Ok, "{}", take(err));
            let st = unsafe {
                tessera_claim_validate(
                    validator.as_ptr(),
                    validator.len(),
                    payload.as_ptr(),
                    payload.len(),
                    now,
                    &mut reason,
                    &mut err,
                )
            };
            assert_eq!(st, TesseraStatus::Ok, "{}", take(err));
            (refetch, take(reason))
        };
        let admin = br#"{"st-role":{"v":["admin"],"t":1000}}"#;
        assert_eq!(call(admin, 2000), (false, String::new()));
        let (refetch, reason) = call(br#"{"st-role":{"v":["user"],"t":1000}}"#, 2000);
        assert!(!refetch);
        let reason: Value = serde_json::from_str(&reason).unwrap();
        assert_eq!(reason, json!({"message": "wrong value", "expectedToInclude": "admin", "actualValue": ["user"]}));
        let (refetch, reason) = call(b"{}", 2000);
        assert!(refetch);
        assert!(reason.contains("value does not exist"));
        assert!(call(admin, 1000 + 301_000).0);

        let mut entry = TesseraBytes::EMPTY;
        let value = br#"["admin"]"#;
        let st = unsafe { tessera_claim_entry(value.as_ptr(), value.len(), 42, &mut entry, ptr::null_mut()) };
        assert_eq!(st, TesseraStatus::Ok);
        assert_eq!(
            serde_json::from_str::<Value>(&take(std::mem::replace(&mut entry, TesseraBytes::EMPTY))).unwrap(),
            json!({"v": ["admin"], "t": 42})
        );

        let mut err = TesseraBytes::EMPTY;
        let bad = br#"{"key":"k","check":{"kind":"nope"}}"#;
        let st = unsafe { tessera_claim_validate(bad.as_ptr(), bad.len(), b"{}".as_ptr(), 2, 0, &mut entry, &mut err) };
        assert_eq!(st, TesseraStatus::InvalidInput);
        assert!(take(std::mem::replace(&mut err, TesseraBytes::EMPTY)).contains("claim validator"));
        let st = unsafe {
            tessera_claim_should_refetch(
                validator.as_ptr(),
                validator.len(),
                ptr::null(),
                2,
                0,
                ptr::null_mut(),
                &mut err,
            )
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        take(std::mem::replace(&mut err, TesseraBytes::EMPTY));
        let st = unsafe { tessera_claim_entry([0xff].as_ptr(), 1, 0, &mut entry, &mut err) };
        assert_eq!(st, TesseraStatus::InvalidInput);
        assert!(take(std::mem::replace(&mut err, TesseraBytes::EMPTY)).contains("not UTF-8"));
    }

    #[test]
    fn every_kind_has_its_own_status() {
        let mut seen = std::collections::HashSet::new();
        for k in all_error_kinds() {
            let s = status_of(*k);
            assert!(s != TesseraStatus::Internal || *k == ErrorKind::Internal, "{k} has no status");
            assert!(seen.insert(s as u32), "{k} shares a status");
        }
    }

    #[test]
    fn a_panic_is_an_internal_status_with_its_message() {
        let mut err = TesseraBytes::EMPTY;
        assert_eq!(unsafe { tessera_testing_panic(&mut err) }, TesseraStatus::Internal);
        let e: Value = serde_json::from_str(&take(err)).unwrap();
        assert_eq!(e["code"], "INTERNAL");
        assert!(e["message"].as_str().unwrap().contains("tessera_testing_panic was called"));
    }

    #[test]
    fn null_and_bad_inputs_are_invalid_input() {
        let mut engine = ptr::null_mut();
        let mut err = TesseraBytes::EMPTY;
        let st = unsafe { tessera_engine_new(ptr::null(), 3, &mut engine, &mut err) };
        assert_eq!(st, TesseraStatus::InvalidInput);
        assert!(engine.is_null());
        assert!(take(err).contains("INVALID_INPUT"));
        let st = unsafe {
            tessera_engine_verify_session(
                ptr::null(),
                ptr::null(),
                0,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        unsafe {
            tessera_engine_free(ptr::null_mut());
            tessera_session_free(ptr::null_mut());
            tessera_bytes_free(TesseraBytes::EMPTY);
        }
    }

    #[test]
    fn api_endpoints_are_named_and_bad_input_is_refused() {
        let engine = memory_engine();
        let endpoint = |method: &str, path: &str| {
            let mut out = TesseraApiEndpoint::Jwks;
            let st = unsafe {
                tessera_engine_api_endpoint(
                    engine,
                    method.as_ptr(),
                    method.len(),
                    path.as_ptr(),
                    path.len(),
                    &mut out,
                    ptr::null_mut(),
                )
            };
            (st, out)
        };
        assert_eq!(endpoint("POST", "/auth/session/refresh?x=1"), (TesseraStatus::Ok, TesseraApiEndpoint::Refresh));
        assert_eq!(endpoint("post", "/auth/signout"), (TesseraStatus::Ok, TesseraApiEndpoint::SignOut));
        assert_eq!(endpoint("GET", "/auth/jwt/jwks.json"), (TesseraStatus::Ok, TesseraApiEndpoint::Jwks));
        assert_eq!(endpoint("GET", "/auth/signout"), (TesseraStatus::Ok, TesseraApiEndpoint::None));
        let bad = [0xffu8, 0xfe];
        let mut out = TesseraApiEndpoint::Jwks;
        let mut err = TesseraBytes::EMPTY;
        let st = unsafe { tessera_engine_api_endpoint(engine, bad.as_ptr(), 2, bad.as_ptr(), 2, &mut out, &mut err) };
        assert_eq!((st, out), (TesseraStatus::InvalidInput, TesseraApiEndpoint::None));
        assert!(take(err).contains("INVALID_INPUT"));
        let st = unsafe {
            tessera_engine_api_endpoint(engine, ptr::null(), 0, ptr::null(), 0, ptr::null_mut(), ptr::null_mut())
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        unsafe { tessera_engine_free(engine) };
    }

    #[test]
    fn endpoint_errors_come_back_for_the_error_handlers() {
        let engine = memory_engine();
        type JsonCall = unsafe extern "C" fn(
            *const TesseraEngine,
            *const u8,
            usize,
            *mut TesseraBytes,
            *mut TesseraBytes,
        ) -> TesseraStatus;
        let call = |f: JsonCall, input: &str| {
            let (mut out_json, mut err) = (TesseraBytes::EMPTY, TesseraBytes::EMPTY);
            let st = unsafe { f(engine, input.as_ptr(), input.len(), &mut out_json, &mut err) };
            (st, take(out_json), take(err))
        };
        let request = r#"{"method":"POST","path":"/auth/session/refresh","headers":[]}"#;
        let (st, out_json, err) = call(tessera_engine_try_handle_api_request, &format!(r#"{{"request":{request}}}"#));
        assert_eq!((st, out_json.as_str()), (TesseraStatus::Unauthorised, ""), "{err}");
        let prelude = format!(r#"{{"request":{request},"error":{err},"preludeOnly":true}}"#);
        let (st, out_json, _) = call(tessera_engine_error_response, &prelude);
        let m: Value = serde_json::from_str(&out_json).unwrap();
        assert_eq!(st, TesseraStatus::Ok);
        assert!(m["status"].is_null() && m["body"].is_null(), "the prelude answers nothing: {m}");
        let whole = format!(r#"{{"request":{request},"error":{err}}}"#);
        let (st, out_json, _) = call(tessera_engine_error_response, &whole);
        assert_eq!(
            (st, serde_json::from_str::<Value>(&out_json).unwrap()["status"].as_u64()),
            (TesseraStatus::Ok, Some(401))
        );
        let other = r#"{"request":{"method":"GET","path":"/elsewhere","headers":[]}}"#;
        assert_eq!(call(tessera_engine_try_handle_api_request, other).1, "null");
        unsafe { tessera_engine_free(engine) };
    }

    #[test]
    fn create_then_verify_through_the_abi() {
        let engine = memory_engine();
        let (session, doc) = create_session(
            engine,
            br#"{"request":{"method":"POST","path":"/login","headers":[]},"recipeUserId":"u1"}"#,
        );
        let state = unsafe { &(*session).state };
        assert_eq!(doc["session"], state.to_json(), "the ABI's session JSON drifted from the core's shape");
        let token = doc["session"]["token"]["raw"].as_str().unwrap().to_owned();
        let verify = json!({"request": {"method": "GET", "path": "/", "headers": [["authorization", format!("Bearer {token}")]]}})
            .to_string();
        let (mut verified, mut out_json) = (ptr::null_mut(), TesseraBytes::EMPTY);
        let st = unsafe {
            tessera_engine_verify_session(
                engine,
                verify.as_ptr(),
                verify.len(),
                &mut verified,
                &mut out_json,
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::Ok);
        assert!(!verified.is_null());
        let doc: Value = serde_json::from_str(&take(out_json)).unwrap();
        assert_eq!(doc["session"]["token"]["userId"], "u1");
        unsafe {
            tessera_session_free(verified);
            tessera_session_free(session);
            tessera_engine_free(engine);
        }
    }
}
