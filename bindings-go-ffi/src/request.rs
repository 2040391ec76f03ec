//! The verify path without JSON: a request packed into one byte buffer goes in, a session
//! handle and its fields as borrowed `(ptr, len)` ranges come out. Verifying a known token is
//! about a microsecond in the core; JSON on both sides of the boundary cost ten times that.
//! Errors still travel as JSON (`err_out`): they are the rare path.

use std::ptr;

use tessera_core::config::TransferMethodSetting;
use tessera_core::engine::now_ms;
use tessera_core::http::{HttpRequest, ResponseMutations};
use tessera_core::protocol::{SessionState, VerifyOptions, REQUEST_HEADERS};
use tessera_core::{Error, Result};

use crate::{live, out, run, to_json_bytes, TesseraBytes, TesseraEngine, TesseraSession, TesseraStatus};

/// A UTF-8 string borrowed from a session handle: valid while the handle lives, not to be
/// freed. `ptr` is NULL only for an absent optional field; an empty string has a non-NULL
/// `ptr` and `len` 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TesseraStr {
    /// The first byte, or NULL when the field is absent.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl TesseraStr {
    const ABSENT: TesseraStr = TesseraStr { ptr: ptr::null(), len: 0 };

    fn of(s: &str) -> TesseraStr {
        TesseraStr { ptr: s.as_ptr(), len: s.len() }
    }

    fn of_option(s: Option<&str>) -> TesseraStr {
        s.map_or(TesseraStr::ABSENT, TesseraStr::of)
    }
}

/// The fields of a session, borrowed from its handle (see [`TesseraStr`]).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TesseraSessionFields {
    /// The access token.
    pub access_token: TesseraStr,
    /// The user id.
    pub user_id: TesseraStr,
    /// The recipe user id.
    pub recipe_user_id: TesseraStr,
    /// The tenant id.
    pub tenant_id: TesseraStr,
    /// The session handle.
    pub session_handle: TesseraStr,
    /// The anti-CSRF token (new after create/refresh, else as sent), or absent.
    pub anti_csrf_token: TesseraStr,
    /// The refresh token: after create or refresh only, else absent.
    pub refresh_token: TesseraStr,
    /// The access token's expiry, ms since the epoch.
    pub expiry_ms: u64,
    /// When the access token was made, ms since the epoch.
    pub time_created_ms: u64,
    /// The refresh token's (session's) expiry in ms when `refresh_token` is present, else 0.
    pub refresh_token_expiry_ms: u64,
    /// Whether the access token (and front token) changed in this request.
    pub access_token_updated: bool,
}

impl TesseraSessionFields {
    const EMPTY: TesseraSessionFields = TesseraSessionFields {
        access_token: TesseraStr::ABSENT,
        user_id: TesseraStr::ABSENT,
        recipe_user_id: TesseraStr::ABSENT,
        tenant_id: TesseraStr::ABSENT,
        session_handle: TesseraStr::ABSENT,
        anti_csrf_token: TesseraStr::ABSENT,
        refresh_token: TesseraStr::ABSENT,
        expiry_ms: 0,
        time_created_ms: 0,
        refresh_token_expiry_ms: 0,
        access_token_updated: false,
    };

    /// Pointers into `state`: the session handle that owns `state` keeps them valid.
    fn of(state: &SessionState) -> TesseraSessionFields {
        let t = &state.token;
        TesseraSessionFields {
            access_token: TesseraStr::of(&t.raw),
            user_id: TesseraStr::of(&t.user_id),
            recipe_user_id: TesseraStr::of(&t.recipe_user_id),
            tenant_id: TesseraStr::of(&t.tenant_id),
            session_handle: TesseraStr::of(&t.session_handle),
            anti_csrf_token: TesseraStr::of_option(state.anti_csrf_token.as_deref()),
            refresh_token: TesseraStr::of_option(state.refresh_token.as_deref()),
            expiry_ms: t.expiry_ms,
            time_created_ms: t.time_created_ms,
            refresh_token_expiry_ms: state.refresh_token_expiry_ms.unwrap_or(0),
            access_token_updated: state.access_token_updated,
        }
    }
}

/// `TesseraVerifyOptions.token_transfer_method` values: the transports a request may use
/// when the application decides per request (supertokens' `getTokenTransferMethod`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TesseraTransferMethod {
    /// The engine's configured `tokenTransferMethod`.
    Configured = 0,
    /// Either transport.
    Any = 1,
    /// Cookies only.
    Cookie = 2,
    /// Headers only.
    Header = 3,
}

/// `verifySession` options as plain values.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TesseraVerifyOptions {
    /// `false`: a request without a session passes with no session.
    pub session_required: bool,
    /// Below 0: the default (on unless the method is GET); 0: off; above 0: on.
    pub anti_csrf_check: i32,
    /// Also check the session in the store.
    pub check_database: bool,
    /// A `TesseraTransferMethod` value.
    pub token_transfer_method: u32,
    /// `false` (zero): the rules of the `verifySession` API, for a route's guard (an OPTIONS or
    /// TRACE request has no session, a POST to the refresh path is refreshed); `true`: those
    /// of `getSession`, which verifies what the request carries whatever its method and path.
    pub get_session_rules: bool,
}

fn transfer_setting(value: u32) -> Result<Option<TransferMethodSetting>> {
    match value {
        v if v == TesseraTransferMethod::Configured as u32 => Ok(None),
        v if v == TesseraTransferMethod::Any as u32 => Ok(Some(TransferMethodSetting::Any)),
        v if v == TesseraTransferMethod::Cookie as u32 => Ok(Some(TransferMethodSetting::Cookie)),
        v if v == TesseraTransferMethod::Header as u32 => Ok(Some(TransferMethodSetting::Header)),
        other => Err(Error::input(format!("options: token_transfer_method {other} is not a TesseraTransferMethod"))),
    }
}

/// Reads the packed request of `tessera_engine_verify_request`.
struct Packed<'a> {
    rest: &'a [u8],
}

impl<'a> Packed<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.rest.len() {
            return Err(Error::input("request: the packed request ends early"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Bytes that are not UTF-8 become U+FFFD, as JSON encoders do on the JSON paths: a
    /// garbage header is a bad token (401), not a bad call.
    fn text(&mut self) -> Result<String> {
        let len = <[u8; 4]>::try_from(self.take(4)?).map_err(|_| Error::input("request: a bad length"))?;
        let bytes = self.take(u32::from_le_bytes(len) as usize)?;
        // The lossy conversion walks byte by byte; valid input (all but garbage) takes the
        // vectorised check.
        Ok(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        })
    }

    fn request(mut self) -> Result<HttpRequest> {
        let method = self.text()?;
        let path = self.text()?;
        let mut headers = Vec::with_capacity(2);
        while let Some((&index, rest)) = self.rest.split_first() {
            self.rest = rest;
            let name = REQUEST_HEADERS
                .get(usize::from(index))
                .ok_or_else(|| Error::input(format!("request: header index {index} is not in REQUEST_HEADERS")))?;
            headers.push(((*name).to_owned(), self.text()?));
        }
        Ok(HttpRequest::new(method, path, headers))
    }
}

/// `verifySession` on a request, without JSON. `request` is packed: `u32` little-endian
/// length and bytes of the method, the same for the path (query allowed), then for each
/// header value one byte, its name's index in the `requestHeaders` of
/// `tessera_protocol_headers` (the only headers the core reads), and its `u32` length and
/// bytes; repeated headers repeat. Strings are UTF-8 (other bytes read as U+FFFD).
///
/// On success `*out_session` is the session or NULL (none required and none sent, or an
/// OPTIONS request), `*out_fields` its fields borrowed from `*out_session` (all absent when
/// NULL), and `*out_mutations` the response mutations as JSON (`{"status", "body",
/// "headers", "cookies"}`) when there are any, else empty (the usual case). On a session
/// error, answer it with `tessera_engine_error_response`.
///
/// # Safety
/// `engine` must be live; `request` is borrowed for the call; `out_session`, `out_fields` and
/// `out_mutations` must be writable. `*out_session` is owned by the caller
/// (`tessera_session_free`, which ends the life of `*out_fields`' pointers);
/// `*out_mutations` too (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe; may block
/// on the store or a key fetch.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn tessera_engine_verify_request(
    engine: *const TesseraEngine,
    request: *const u8,
    request_len: usize,
    options: TesseraVerifyOptions,
    out_session: *mut *mut TesseraSession,
    out_fields: *mut TesseraSessionFields,
    out_mutations: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_session = out(out_session, ptr::null_mut(), "out_session")?;
        let out_fields = out(out_fields, TesseraSessionFields::EMPTY, "out_fields")?;
        let out_mutations = out(out_mutations, TesseraBytes::EMPTY, "out_mutations")?;
        let engine = live(engine, "engine")?;
        let packed = crate::bytes(request, request_len, "request")?;
        let req = Packed { rest: packed }
            .request()?
            .with_token_transfer_method(transfer_setting(options.token_transfer_method)?);
        let verify = VerifyOptions {
            session_required: options.session_required,
            anti_csrf_check: (options.anti_csrf_check >= 0).then_some(options.anti_csrf_check > 0),
            check_database: options.check_database,
            api_rules: !options.get_session_rules,
        };
        let (state, mutations) = engine.inner.verify_session(&req, &verify, now_ms())?;
        if mutations != ResponseMutations::default() {
            *out_mutations = to_json_bytes(&mutations)?;
        }
        if let Some(state) = state {
            let session = Box::new(TesseraSession { state });
            *out_fields = TesseraSessionFields::of(&session.state);
            *out_session = Box::into_raw(session);
        }
        Ok(())
    })
}

/// `getSessionWithoutRequestResponse` without JSON: verifies an access token given directly,
/// with the anti-CSRF token when the caller has one (`anti_csrf_token` NULL: none).
/// `options.anti_csrf_check` below 0 means on here, as in the SDKs;
/// `options.token_transfer_method` is not used. Outputs as `tessera_engine_verify_request`,
/// without mutations.
///
/// # Safety
/// `engine` must be live; `access_token` and `anti_csrf_token` are borrowed for the call;
/// `out_session` and `out_fields` must be writable, and `*out_session` is owned by the caller
/// (`tessera_session_free`). `err_out` may be NULL. Thread-safe; may block on the store
/// (`check_database`) or a key fetch.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn tessera_engine_verify_token(
    engine: *const TesseraEngine,
    access_token: *const u8,
    access_token_len: usize,
    anti_csrf_token: *const u8,
    anti_csrf_token_len: usize,
    options: TesseraVerifyOptions,
    out_session: *mut *mut TesseraSession,
    out_fields: *mut TesseraSessionFields,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_session = out(out_session, ptr::null_mut(), "out_session")?;
        let out_fields = out(out_fields, TesseraSessionFields::EMPTY, "out_fields")?;
        let engine = live(engine, "engine")?;
        let token = crate::text(access_token, access_token_len, "access_token")?;
        let anti_csrf = if anti_csrf_token.is_null() {
            None
        } else {
            Some(crate::text(anti_csrf_token, anti_csrf_token_len, "anti_csrf_token")?)
        };
        let verify = VerifyOptions {
            session_required: options.session_required,
            anti_csrf_check: Some(options.anti_csrf_check != 0),
            check_database: options.check_database,
            ..VerifyOptions::default()
        };
        let state = engine.inner.get_session_without_request_response(token, anti_csrf, &verify, now_ms())?;
        if let Some(state) = state {
            let session = Box::new(TesseraSession { state });
            *out_fields = TesseraSessionFields::of(&session.state);
            *out_session = Box::into_raw(session);
        }
        Ok(())
    })
}

/// The fields of a session, borrowed from it (valid until `tessera_session_free`).
///
/// # Safety
/// `session` must be live; `out_fields` must be writable. `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_fields(
    session: *const TesseraSession,
    out_fields: *mut TesseraSessionFields,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_fields = out(out_fields, TesseraSessionFields::EMPTY, "out_fields")?;
        *out_fields = TesseraSessionFields::of(&live(session, "session")?.state);
        Ok(())
    })
}

/// The session's access-token payload as a JSON object (the whole JWT payload for v3+
/// tokens), for callers that read it: most requests never do.
///
/// # Safety
/// `session` must be live; `out_json` must be writable and `*out_json` is owned by the
/// caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_access_token_payload(
    session: *const TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        *out_json = to_json_bytes(live(session, "session")?.state.access_token_payload())?;
        Ok(())
    })
}

/// The session's front token (UTF-8 text, not JSON), built on demand.
///
/// # Safety
/// As `tessera_session_access_token_payload`, with `out_text` for `out_json`.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_front_token(
    session: *const TesseraSession,
    out_text: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_text = out(out_text, TesseraBytes::EMPTY, "out_text")?;
        *out_text = TesseraBytes::from_vec(live(session, "session")?.state.front_token().into_bytes());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{tessera_engine_free, tessera_session_free};

    fn pack(method: &str, path: &str, headers: &[(u8, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for s in [method, path] {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        for (i, v) in headers {
            out.push(*i);
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(v.as_bytes());
        }
        out
    }

    fn str_of(s: TesseraStr) -> Option<String> {
        (!s.ptr.is_null())
            .then(|| String::from_utf8(unsafe { std::slice::from_raw_parts(s.ptr, s.len) }.to_vec()).unwrap())
    }

    const OPTIONS: TesseraVerifyOptions = TesseraVerifyOptions {
        session_required: true,
        anti_csrf_check: -1,
        check_database: false,
        token_transfer_method: 0,
        get_session_rules: false,
    };

    fn verify(
        engine: *const TesseraEngine,
        request: &[u8],
        options: TesseraVerifyOptions,
    ) -> (TesseraStatus, *mut TesseraSession, TesseraSessionFields, TesseraBytes, TesseraBytes) {
        let (mut s, mut f, mut m, mut e) =
            (ptr::null_mut(), TesseraSessionFields::EMPTY, TesseraBytes::EMPTY, TesseraBytes::EMPTY);
        let st = unsafe {
            tessera_engine_verify_request(
                engine,
                request.as_ptr(),
                request.len(),
                options,
                &mut s,
                &mut f,
                &mut m,
                &mut e,
            )
        };
        (st, s, f, m, e)
    }

    #[test]
    fn verify_request_gives_the_fields_without_json() {
        let engine = crate::tests::memory_engine();
        let (created, _) = crate::tests::create_session(engine, br#"{"recipeUserId":"u1"}"#);
        let token = unsafe { &(*created).state }.access_token().to_owned();
        let authorization = REQUEST_HEADERS.iter().position(|h| *h == "authorization").unwrap() as u8;
        let cookie = REQUEST_HEADERS.iter().position(|h| *h == "cookie").unwrap() as u8;
        let bearer = format!("Bearer {token}");

        let (st, s, f, m, _) = verify(engine, &pack("GET", "/getJWT", &[(authorization, &bearer)]), OPTIONS);
        assert_eq!(st, TesseraStatus::Ok);
        assert!(!s.is_null() && m.ptr.is_null(), "a plain verify has no mutations");
        assert_eq!(str_of(f.access_token).as_deref(), Some(token.as_str()));
        assert_eq!(str_of(f.user_id).as_deref(), Some("u1"));
        assert_eq!(str_of(f.tenant_id).as_deref(), Some("public"));
        assert_eq!(str_of(f.refresh_token), None);
        assert!(f.expiry_ms > f.time_created_ms && !f.access_token_updated);
        let mut again = TesseraSessionFields::EMPTY;
        assert_eq!(unsafe { tessera_session_fields(s, &mut again, ptr::null_mut()) }, TesseraStatus::Ok);
        assert_eq!(str_of(again.session_handle), str_of(f.session_handle));
        let mut payload = TesseraBytes::EMPTY;
        assert_eq!(
            unsafe { tessera_session_access_token_payload(s, &mut payload, ptr::null_mut()) },
            TesseraStatus::Ok
        );
        let text = unsafe { std::slice::from_raw_parts(payload.ptr, payload.len) };
        assert!(serde_json::from_slice::<serde_json::Value>(text).unwrap()["sub"] == "u1");
        unsafe { crate::tessera_bytes_free(payload) };
        unsafe { tessera_session_free(s) };

        // A header-only request ignores the cookie; a cookie-only one ignores the header.
        let cookie_value = format!("sAccessToken={token}");
        let header_only =
            TesseraVerifyOptions { token_transfer_method: TesseraTransferMethod::Header as u32, ..OPTIONS };
        let (st, s, ..) = verify(engine, &pack("GET", "/", &[(cookie, &cookie_value)]), header_only);
        assert_eq!(st, TesseraStatus::Unauthorised);
        assert!(s.is_null());
        let cookie_only =
            TesseraVerifyOptions { token_transfer_method: TesseraTransferMethod::Cookie as u32, ..OPTIONS };
        let (st, ..) = verify(engine, &pack("GET", "/", &[(authorization, &bearer)]), cookie_only);
        assert_eq!(st, TesseraStatus::Unauthorised);
        let (st, s, ..) = verify(engine, &pack("GET", "/", &[(cookie, &cookie_value)]), cookie_only);
        assert_eq!(st, TesseraStatus::Ok);
        unsafe { tessera_session_free(s) };

        // The token alone, without a request.
        let (mut s, mut f) = (ptr::null_mut(), TesseraSessionFields::EMPTY);
        let no_csrf = TesseraVerifyOptions { anti_csrf_check: 0, ..OPTIONS };
        let st = unsafe {
            tessera_engine_verify_token(
                engine,
                token.as_ptr(),
                token.len(),
                ptr::null(),
                0,
                no_csrf,
                &mut s,
                &mut f,
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::Ok);
        assert_eq!(str_of(f.user_id).as_deref(), Some("u1"));
        unsafe { tessera_session_free(s) };
        let st = unsafe {
            tessera_engine_verify_token(
                engine,
                b"garbage".as_ptr(),
                7,
                ptr::null(),
                0,
                no_csrf,
                &mut s,
                &mut f,
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::Unauthorised);
        assert!(s.is_null());

        // Bad packing, bad options and missing out-parameters are INVALID_INPUT, not a crash.
        let mut bad = pack("GET", "/", &[(authorization, &bearer)]);
        bad.truncate(bad.len() - 3);
        assert_eq!(verify(engine, &bad, OPTIONS).0, TesseraStatus::InvalidInput);
        assert_eq!(verify(engine, &pack("GET", "/", &[(200, "x")]), OPTIONS).0, TesseraStatus::InvalidInput);
        let (st, _, _, _, e) =
            verify(engine, &pack("GET", "/", &[]), TesseraVerifyOptions { token_transfer_method: 9, ..OPTIONS });
        assert_eq!(st, TesseraStatus::InvalidInput);
        unsafe { crate::tessera_bytes_free(e) };
        let st = unsafe {
            tessera_engine_verify_request(
                engine,
                ptr::null(),
                0,
                OPTIONS,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        assert_eq!(st, TesseraStatus::InvalidInput);
        unsafe {
            tessera_session_free(created);
            tessera_engine_free(engine);
        }
    }
}
