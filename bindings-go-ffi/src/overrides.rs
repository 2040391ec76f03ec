//! The parts of `getSession` and `refreshSession` on a request, for callers whose application
//! replaced the recipe's `getSession` or `refreshSession` function (supertokens'
//! `override.functions`): the core reads the request, the caller calls the application's
//! function with what was read, then the core writes the answer for the session it returned.
//! Likewise for a replaced `regenerateAccessToken`, which a session's merge hands the payload
//! the core merges and whose token it adopts.

use serde::{Deserialize, Serialize};
use tessera_core::authority::merged_custom_payload;
use tessera_core::config::TokenTransfer;
use tessera_core::engine::now_ms;
use tessera_core::http::{HttpRequest, ResponseMutations};
use tessera_core::{Error, Result};

use crate::{
    engine_json, engine_session, live, out, parse, run, to_json_bytes, SessionOutcome, TesseraBytes, TesseraEngine,
    TesseraSession, TesseraStatus, UpdateInput,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionRequestIn {
    request: HttpRequest,
    anti_csrf_check: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionRequestOut {
    access_token: Option<String>,
    anti_csrf_token: Option<String>,
    anti_csrf_check: bool,
    transfer: Option<TokenTransfer>,
}

/// What `getSession` on a request hands to the recipe's `getSession` function. Input
/// `{"request", "antiCsrfCheck": bool | null}` (null: the default, on unless GET);
/// `*out_json` is `{"accessToken", "antiCsrfToken", "antiCsrfCheck", "transfer"}`, where
/// `accessToken` and `transfer` (`"cookie"` or `"header"`) are null when the request carries
/// no access token. No I/O.
///
/// # Safety
/// As `tessera_engine_verify_access_token`.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_session_request_input(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: SessionRequestIn| {
        let read = t.session_request_input(&i.request, i.anti_csrf_check)?;
        Ok(SessionRequestOut {
            access_token: read.access_token,
            anti_csrf_token: read.anti_csrf_token,
            anti_csrf_check: read.anti_csrf_check,
            transfer: read.transfer,
        })
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshRequestIn {
    request: HttpRequest,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshRequestOut {
    refresh_token: String,
    anti_csrf_token: Option<String>,
    disable_anti_csrf: bool,
    transfer: TokenTransfer,
}

/// What a refresh request hands to the recipe's `refreshSession` function. Input
/// `{"request"}`; `*out_json` is `{"refreshToken", "antiCsrfToken", "disableAntiCsrf",
/// "transfer"}`. The refresh endpoint's errors (no refresh token, duplicate cookies, a
/// missing `rid`) are returned as they are by `tessera_engine_try_handle_api_request`. No I/O.
///
/// # Safety
/// As `tessera_engine_verify_access_token`.
#[no_mangle]
pub unsafe extern "C" fn tessera_engine_refresh_request_input(
    engine: *const TesseraEngine,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_json(engine, input, input_len, out_json, err_out, |t, i: RefreshRequestIn| {
        let read = t.refresh_request_input(&i.request)?;
        Ok(RefreshRequestOut {
            refresh_token: read.refresh_token,
            anti_csrf_token: read.anti_csrf_token,
            disable_anti_csrf: read.disable_anti_csrf,
            transfer: read.transfer,
        })
    })
}

fn transfer_named(name: &str) -> Result<TokenTransfer> {
    match name {
        "cookie" => Ok(TokenTransfer::Cookie),
        "header" => Ok(TokenTransfer::Header),
        other => Err(Error::input(format!("transfer: {other:?} is neither \"cookie\" nor \"header\""))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AttachIn {
    transfer: String,
    request: Option<HttpRequest>,
}

/// Puts a session that the recipe's `getSession` or `refreshSession` function returned into
/// the request it was read from. Input `{"transfer": "cookie" | "header", "request"?}`.
/// `*out_session` is the session on that transport (the given one is unchanged). `*out_json`
/// is `{"session", "mutations"}`: without `request` (getSession), the session's tokens when
/// its access token was updated, else none; with `request` (refresh), the refresh endpoint's
/// answer for the refreshed session (its tokens, the other transport and the legacy cookie
/// cleared when the request had them), without status or body.
///
/// # Safety
/// `engine` and `session` must be live; otherwise as `tessera_engine_verify_session`.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_attach_to_request(
    engine: *const TesseraEngine,
    session: *const TesseraSession,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(
        engine,
        input,
        input_len,
        out_session,
        out_json,
        err_out,
        |t, i: AttachIn| -> Result<SessionOutcome> {
            let mut state = live(session, "session")?.state.clone();
            state.transfer = transfer_named(&i.transfer)?;
            let now = now_ms();
            let m = match i.request {
                Some(req) => t.refreshed_session_response(&req, &state, now),
                None => {
                    let mut m = ResponseMutations::default();
                    if state.access_token_updated {
                        t.attach_tokens(&state, &mut m, now);
                    }
                    m
                }
            };
            Ok((Some(state), Some(m)))
        },
    )
}

/// Clears a session's tokens from the response of its request (on its transport), as
/// `session.revokeSession()` does after the recipe's `revokeSession` function revoked it.
/// `*out_json` is the mutations. No I/O.
///
/// # Safety
/// `engine` and `session` must be live; `out_json` must be writable and `*out_json` is owned
/// by the caller (`tessera_bytes_free`). `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_clear_tokens(
    engine: *const TesseraEngine,
    session: *const TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let engine = live(engine, "engine")?;
        let session = live(session, "session")?;
        let mut m = ResponseMutations::default();
        engine.inner.clear_transport(session.state.transfer, &mut m);
        *out_json = to_json_bytes(&m)?;
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdoptIn {
    access_token: String,
}

/// Makes a new access token of a request's session (such as the recipe's replaced
/// `regenerateAccessToken` function returned, which `session.mergeIntoAccessTokenPayload`
/// calls then) the session's token. Input `{"accessToken"}`. `*out_session` is the session
/// with that token (the given one is unchanged); `*out_json` is `{"session", "mutations"}`,
/// the mutations writing the token on the session's transport as
/// `tessera_session_merge_into_access_token_payload` writes its own. The token's verification
/// errors; `INVALID_INPUT` when it is another session's.
///
/// # Safety
/// `engine` and `session` must be live; otherwise as `tessera_engine_verify_session`.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_adopt_access_token(
    engine: *const TesseraEngine,
    session: *const TesseraSession,
    input: *const u8,
    input_len: usize,
    out_session: *mut *mut TesseraSession,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    engine_session(
        engine,
        input,
        input_len,
        out_session,
        out_json,
        err_out,
        |t, i: AdoptIn| -> Result<SessionOutcome> {
            let mut state = live(session, "session")?.state.clone();
            let m = t.adopt_access_token(&mut state, &i.access_token, now_ms())?;
            Ok((Some(state), Some(m)))
        },
    )
}

/// The custom payload `session.mergeIntoAccessTokenPayload(update)` makes: the session's own
/// claims (the user data of a v2 token) shallow-merged with `update`, whose protected props
/// are ignored and whose null values delete their keys. A session's merge hands it to the
/// recipe's replaced `regenerateAccessToken` function. Input `{"update"}`; `*out_json` is
/// the payload, a JSON object. No I/O.
///
/// # Safety
/// `session` must be live; `input` must be NULL or point at `input_len` readable bytes;
/// `out_json` must be writable and `*out_json` is owned by the caller (`tessera_bytes_free`).
/// `err_out` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tessera_session_merged_custom_payload(
    session: *const TesseraSession,
    input: *const u8,
    input_len: usize,
    out_json: *mut TesseraBytes,
    err_out: *mut TesseraBytes,
) -> TesseraStatus {
    run(err_out, || {
        let out_json = out(out_json, TesseraBytes::EMPTY, "out_json")?;
        let session = live(session, "session")?;
        let i: UpdateInput = parse(input, input_len)?;
        let payload = merged_custom_payload(&session.state.token, &i.update.unwrap_or_default());
        *out_json = to_json_bytes(&payload)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{create_session, memory_engine};
    use crate::{
        tessera_bytes_free, tessera_engine_free, tessera_engine_regenerate_access_token, tessera_session_free,
    };
    use serde_json::{json, Value};
    use std::ptr;

    fn take(b: TesseraBytes) -> Value {
        let v = if b.ptr.is_null() {
            Value::Null
        } else {
            serde_json::from_slice(unsafe { std::slice::from_raw_parts(b.ptr, b.len) }).unwrap()
        };
        unsafe { tessera_bytes_free(b) };
        v
    }

    type JsonCall = unsafe extern "C" fn(
        *const TesseraEngine,
        *const u8,
        usize,
        *mut TesseraBytes,
        *mut TesseraBytes,
    ) -> TesseraStatus;

    fn call(engine: *const TesseraEngine, f: JsonCall, input: &Value) -> (TesseraStatus, Value, Value) {
        let input = input.to_string();
        let (mut out_json, mut err) = (TesseraBytes::EMPTY, TesseraBytes::EMPTY);
        let st = unsafe { f(engine, input.as_ptr(), input.len(), &mut out_json, &mut err) };
        (st, take(out_json), take(err))
    }

    #[test]
    fn a_replaced_get_session_and_refresh_session_get_the_request_read_and_answer_as_the_core() {
        let engine = memory_engine();
        let create = br#"{"request":{"method":"POST","path":"/login","headers":[["st-auth-mode","cookie"]]},"recipeUserId":"u1"}"#;
        let (session, doc) = create_session(engine, create);
        let token = doc["session"]["token"]["raw"].as_str().unwrap().to_owned();
        let refresh = doc["session"]["refreshToken"].as_str().unwrap().to_owned();

        let cookie = format!("sAccessToken={token}");
        let request = json!({"method": "GET", "path": "/x", "headers": [["cookie", cookie]]});
        let (st, read, err) =
            call(engine, tessera_engine_session_request_input, &json!({"request": request, "antiCsrfCheck": null}));
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        assert_eq!(
            read,
            json!({"accessToken": token, "antiCsrfToken": null, "antiCsrfCheck": false, "transfer": "cookie"})
        );
        let legacy = json!({"request": {"method": "GET", "path": "/x", "headers": [["cookie", "sIdRefreshToken=x"]]}});
        let (st, _, err) = call(engine, tessera_engine_session_request_input, &legacy);
        assert_eq!((st, err["code"].as_str()), (TesseraStatus::TryRefreshToken, Some("TRY_REFRESH_TOKEN")));

        let refresh_request = json!({"method": "POST", "path": "/auth/session/refresh", "headers": [["cookie", format!("sRefreshToken={refresh}")]]});
        let (st, read, err) = call(engine, tessera_engine_refresh_request_input, &json!({"request": refresh_request}));
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        assert_eq!(
            (read["refreshToken"].as_str(), read["transfer"].as_str()),
            (Some(refresh.as_str()), Some("cookie"))
        );
        let none = json!({"request": {"method": "POST", "path": "/auth/session/refresh", "headers": []}});
        assert_eq!(call(engine, tessera_engine_refresh_request_input, &none).0, TesseraStatus::Unauthorised);

        // A created session's tokens are updated: they are written on the transport given.
        let attach = |input: &Value| {
            let input = input.to_string();
            let (mut s, mut out_json, mut err) = (ptr::null_mut(), TesseraBytes::EMPTY, TesseraBytes::EMPTY);
            let st = unsafe {
                tessera_session_attach_to_request(
                    engine,
                    session,
                    input.as_ptr(),
                    input.len(),
                    &mut s,
                    &mut out_json,
                    &mut err,
                )
            };
            (st, s, take(out_json), take(err))
        };
        let (st, attached, out_json, _) = attach(&json!({"transfer": "header"}));
        assert_eq!(st, TesseraStatus::Ok);
        assert_eq!(out_json["session"]["transfer"], "header");
        let headers = out_json["mutations"]["headers"].to_string();
        assert!(headers.contains("st-access-token") && headers.contains("st-refresh-token"), "{headers}");
        let (st, refreshed, out_json, _) = attach(&json!({"transfer": "cookie", "request": refresh_request}));
        assert_eq!(st, TesseraStatus::Ok);
        let names: Vec<&str> =
            out_json["mutations"]["cookies"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["sAccessToken", "sRefreshToken"]);
        let (st, _, _, err) = attach(&json!({"transfer": "carrier pigeon"}));
        assert_eq!((st, err["code"].as_str()), (TesseraStatus::InvalidInput, Some("INVALID_INPUT")));

        let mut cleared = TesseraBytes::EMPTY;
        assert_eq!(
            unsafe { tessera_session_clear_tokens(engine, attached, &mut cleared, ptr::null_mut()) },
            TesseraStatus::Ok
        );
        let doc = take(cleared);
        assert!(doc["headers"].to_string().contains("\"remove\""), "{doc}");
        assert!(doc["cookies"].as_array().unwrap().is_empty(), "a header session clears headers: {doc}");
        let mut cleared = TesseraBytes::EMPTY;
        assert_eq!(
            unsafe { tessera_session_clear_tokens(engine, ptr::null(), &mut cleared, ptr::null_mut()) },
            TesseraStatus::InvalidInput
        );
        unsafe {
            tessera_session_free(attached);
            tessera_session_free(refreshed);
            tessera_session_free(session);
            tessera_engine_free(engine);
        }
    }

    /// A session made without a request, and its access token.
    fn new_session(engine: *const TesseraEngine, user: &str) -> (*mut TesseraSession, String) {
        let (session, doc) = create_session(engine, json!({"recipeUserId": user}).to_string().as_bytes());
        let token = doc["session"]["token"]["raw"].as_str().unwrap().to_owned();
        (session, token)
    }

    #[test]
    fn a_session_adopts_a_regenerated_token_of_its_own_and_no_other() {
        let engine = memory_engine();
        let (session, token) = new_session(engine, "u1");
        let (other, other_token) = new_session(engine, "u2");
        let (st, answer, err) = call(
            engine,
            tessera_engine_regenerate_access_token,
            &json!({"accessToken": token, "payload": {"role": "admin"}}),
        );
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        let regenerated = answer["accessToken"]["token"].as_str().unwrap().to_owned();

        let adopt = |token: &str| {
            let input = json!({"accessToken": token}).to_string();
            let (mut s, mut out_json, mut err) = (ptr::null_mut(), TesseraBytes::EMPTY, TesseraBytes::EMPTY);
            let st = unsafe {
                tessera_session_adopt_access_token(
                    engine,
                    session,
                    input.as_ptr(),
                    input.len(),
                    &mut s,
                    &mut out_json,
                    &mut err,
                )
            };
            (st, s, take(out_json), take(err))
        };
        let (st, adopted, doc, err) = adopt(&regenerated);
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        assert_eq!(doc["session"]["token"]["raw"], regenerated.as_str());
        assert_eq!(doc["session"]["token"]["payload"]["role"], "admin");
        let headers = doc["mutations"]["headers"].to_string();
        assert!(headers.contains("st-access-token") && headers.contains("front-token"), "{headers}");
        let (st, none, _, err) = adopt(&other_token);
        assert_eq!((st, err["code"].as_str()), (TesseraStatus::InvalidInput, Some("INVALID_INPUT")));
        assert!(none.is_null());
        unsafe {
            tessera_session_free(adopted);
            tessera_session_free(other);
            tessera_session_free(session);
            tessera_engine_free(engine);
        }
    }

    #[test]
    fn a_merge_hands_a_replaced_regenerate_the_sessions_claims_merged_with_the_update() {
        let engine = memory_engine();
        let create =
            json!({"recipeUserId": "u1", "accessTokenPayload": {"role": "user", "keep": 1, "gone": 2}}).to_string();
        let (session, doc) = create_session(engine, create.as_bytes());
        // The engine's issuer is a claim of the token that is not a protected prop.
        let iss = doc["session"]["token"]["payload"]["iss"].clone();
        assert!(iss.is_string(), "{iss}");

        let merged = |session: *const TesseraSession, input: &str| {
            let (mut out_json, mut err) = (TesseraBytes::EMPTY, TesseraBytes::EMPTY);
            let st = unsafe {
                tessera_session_merged_custom_payload(session, input.as_ptr(), input.len(), &mut out_json, &mut err)
            };
            (st, take(out_json), take(err))
        };
        // The session's own claims, never the protected props of its token or of the update;
        // a null deletes its key.
        let update = json!({"update": {"role": "admin", "gone": null, "extra": true, "sub": "u2", "exp": 1}});
        let (st, payload, err) = merged(session, &update.to_string());
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        assert_eq!(payload, json!({"role": "admin", "keep": 1, "extra": true, "iss": iss}));
        let (st, payload, err) = merged(session, "{}");
        assert_eq!(st, TesseraStatus::Ok, "{err}");
        assert_eq!(payload, json!({"role": "user", "keep": 1, "gone": 2, "iss": iss}));

        let (st, payload, err) = merged(session, r#"{"update": [1]}"#);
        assert_eq!((st, err["code"].as_str()), (TesseraStatus::InvalidInput, Some("INVALID_INPUT")));
        assert!(payload.is_null());
        let (st, _, err) = merged(ptr::null(), "{}");
        assert_eq!((st, err["code"].as_str()), (TesseraStatus::InvalidInput, Some("INVALID_INPUT")));
        unsafe {
            tessera_session_free(session);
            tessera_engine_free(engine);
        }
    }
}
