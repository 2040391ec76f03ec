//! The native addon of the npm package `tessera-session`: the Node binding of tessera-core.
//! It converts arguments, calls the core, maps errors and converts results back; the public
//! API is the TypeScript facade in `bindings-node/src/`. The surface mirrors the Python
//! binding's `tessera._native` one to one, in camelCase, but for two shapes that each
//! request crosses napi with, chosen for what they cost there: request headers are one flat
//! array (`[name, value, ...]`, not pairs) and `verifySession` answers with the session alone
//! when the response needs no change.
//!
//! Errors: every export throws (or rejects with) an `Error` whose `code` is the core's error
//! code and whose `message` is the JSON text `{"message", "payload", "clearTokens"}`, which
//! the facade turns into a `TesseraError`. A panic becomes code `INTERNAL`, never an abort.
//!
//! Calls that may touch the session store or fetch keys return Promises and run on the
//! libuv thread pool (`AsyncTask`), so the event loop never blocks on I/O.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Either, Env, JsError, ToNapiValue, TypeName};
use napi::Task;
use napi_derive::napi;
use tessera_core::claims::{self, Validator};
use tessera_core::config::{TokenTransfer, TransferMethodSetting};
use tessera_core::convert::json_object;
use tessera_core::engine::now_ms;
use tessera_core::http::{append_to_header_list as core_append, HeaderMutation, HttpRequest, ResponseMutations};
use tessera_core::protocol::{RefreshRequestInput, SessionRequestInput, SessionState, VerifyOptions};
use tessera_core::{Error, ErrorKind, Tessera};

type CoreResult<T> = Result<T, Error>;

/// The JS error for a core error: `code` is the core's code, `message` the JSON text the
/// facade parses. Built as a JS object first so the custom code survives a Promise rejection.
fn js_error(env: &Env, err: &Error) -> napi::Error {
    let message = serde_json::json!({
        "message": err.message(),
        "payload": err.payload(),
        "clearTokens": err.clear_tokens(),
    });
    let error = napi::Error::new(err.code().to_owned(), message.to_string());
    napi::Error::from(JsError::from(error).into_unknown(*env))
}

/// Runs core work; a panic becomes an `INTERNAL` error.
fn guarded<T>(work: impl FnOnce() -> CoreResult<T>) -> CoreResult<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(Error::from_panic(&*panic)))
}

/// Runs sync core work on the calling thread and throws its error.
fn run<T>(env: &Env, work: impl FnOnce() -> CoreResult<T>) -> napi::Result<T> {
    guarded(work).map_err(|e| js_error(env, &e))
}

/// Core work for the libuv thread pool, converted to a JS value back on the main thread.
pub struct Work<T: Send + 'static, J> {
    work: Option<Box<dyn FnOnce() -> CoreResult<T> + Send>>,
    to_js: fn(T) -> J,
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for Work<T, J> {
    type Output = CoreResult<T>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.work.take() {
            Some(work) => guarded(work),
            None => Err(Error::internal("a task ran twice")),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        let to_js = self.to_js;
        guarded(|| output.map(to_js)).map_err(|e| js_error(&env, &e))
    }
}

fn spawn<T: Send + 'static, J>(
    work: impl FnOnce() -> CoreResult<T> + Send + 'static,
    to_js: fn(T) -> J,
) -> AsyncTask<Work<T, J>>
where
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Work { work: Some(Box::new(work)), to_js })
}

fn same<T>(v: T) -> T {
    v
}

/// The core's request. `headers` is flat, `[name, value, name, value, ...]`: one JS array of
/// strings costs a fraction of the napi calls of an array of pairs, on every request.
/// `transfer` is the answer of the application's `getTokenTransferMethod` function for this
/// request, when it gave one.
fn request(method: String, path: String, headers: Vec<String>, transfer: Option<String>) -> CoreResult<HttpRequest> {
    if !headers.len().is_multiple_of(2) {
        return Err(Error::input("headers must be a flat list of names and values, of even length"));
    }
    let mut pairs = Vec::with_capacity(headers.len() / 2);
    let mut items = headers.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        pairs.push((name, value));
    }
    let setting = transfer.as_deref().map(TransferMethodSetting::parse).transpose()?;
    Ok(HttpRequest::new(method, path, pairs).with_token_transfer_method(setting))
}

/// The options of `verifySession(Async)`; `api_rules` absent: the `verifySession` API's.
fn verify_options(
    session_required: bool,
    anti_csrf_check: Option<bool>,
    check_database: bool,
    api_rules: Option<bool>,
) -> VerifyOptions {
    VerifyOptions { session_required, anti_csrf_check, check_database, api_rules: api_rules.unwrap_or(true) }
}

fn clock(now_ms: Option<f64>) -> CoreResult<u64> {
    match now_ms {
        None => Ok(tessera_core::engine::now_ms()),
        Some(ms) if ms.is_finite() && ms >= 0.0 => Ok(ms as u64),
        Some(ms) => Err(Error::input(format!("nowMs must be a non-negative number, got {ms}"))),
    }
}

/// One change to a response header.
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct HeaderOp {
    /// `set` replaces the header, `remove` deletes it, `append` adds the value to a
    /// comma-separated list unless it is there (see `appendToHeaderList`).
    #[napi(ts_type = "\"set\" | \"remove\" | \"append\"")]
    pub op: String,
    pub name: String,
    pub value: Option<String>,
}

/// One `Set-Cookie` header to add to the response.
#[napi(object, object_from_js = false)]
pub struct CookieOp {
    /// The cookie's name.
    pub name: String,
    /// The whole `Set-Cookie` header value.
    pub header: String,
}

/// What to write on the response, in order.
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct Mutations {
    /// The status to send, when the core decides it.
    pub status: Option<u16>,
    /// The body to send, as JSON text.
    pub body: Option<String>,
    pub headers: Vec<HeaderOp>,
    pub cookies: Vec<CookieOp>,
}

fn mutations(m: ResponseMutations) -> Mutations {
    let headers = m
        .headers
        .into_iter()
        .map(|h| match h {
            HeaderMutation::Set { name, value } => HeaderOp { op: "set".into(), name, value: Some(value) },
            HeaderMutation::Remove { name } => HeaderOp { op: "remove".into(), name, value: None },
            HeaderMutation::AppendToList { name, value } => HeaderOp { op: "append".into(), name, value: Some(value) },
        })
        .collect();
    let cookies = m.cookies.into_iter().map(|c| CookieOp { name: c.name, header: c.header }).collect();
    Mutations { status: m.status, body: m.body.map(|b| b.to_string()), headers, cookies }
}

/// A session in a request: the state behind a `SessionContainer`. Made only by `Engine`.
#[napi]
pub struct Session {
    state: SessionState,
}

#[napi]
impl Session {
    /// The current access token.
    #[napi(getter)]
    pub fn access_token(&self) -> &str {
        self.state.access_token()
    }
    #[napi(getter)]
    pub fn user_id(&self) -> &str {
        &self.state.token.user_id
    }
    #[napi(getter)]
    pub fn recipe_user_id(&self) -> &str {
        &self.state.token.recipe_user_id
    }
    #[napi(getter)]
    pub fn tenant_id(&self) -> &str {
        &self.state.token.tenant_id
    }
    /// The session handle.
    #[napi(getter)]
    pub fn handle(&self) -> &str {
        &self.state.token.session_handle
    }
    /// The access token payload, as JSON text.
    #[napi(getter)]
    pub fn payload_json(&self) -> String {
        // The map serialises as the object it is; no copy of it into a `Value` first.
        serde_json::to_string(&self.state.token.payload).unwrap_or_default()
    }
    /// When the access token expires, in ms since the epoch.
    #[napi(getter)]
    pub fn access_token_expiry_ms(&self) -> f64 {
        self.state.token.expiry_ms as f64
    }
    /// When the access token was made, in ms since the epoch.
    #[napi(getter)]
    pub fn access_token_created_ms(&self) -> f64 {
        self.state.token.time_created_ms as f64
    }
    #[napi(getter)]
    pub fn front_token(&self) -> String {
        self.state.front_token()
    }
    /// The refresh token, after create or refresh only.
    #[napi(getter)]
    pub fn refresh_token(&self) -> Option<&str> {
        self.state.refresh_token.as_deref()
    }
    #[napi(getter)]
    pub fn refresh_token_expiry_ms(&self) -> Option<f64> {
        self.state.refresh_token_expiry_ms.map(|ms| ms as f64)
    }
    /// The request's or the newly issued anti-CSRF token.
    #[napi(getter)]
    pub fn anti_csrf_token(&self) -> Option<&str> {
        self.state.anti_csrf_token.as_deref()
    }
    /// Whether the access token changed in this request (the response must carry it).
    #[napi(getter)]
    pub fn access_token_updated(&self) -> bool {
        self.state.access_token_updated
    }
    /// How the tokens travel.
    #[napi(getter, ts_return_type = "\"cookie\" | \"header\"")]
    pub fn transfer(&self) -> &'static str {
        self.state.transfer.as_str()
    }

    /// Moves the session to the transport of the request it is attached to: a session the
    /// app's own `getSession` or `refreshSession` returned was made without that request.
    #[napi]
    pub fn set_transfer(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "\"cookie\" | \"header\"")] transfer: String,
    ) -> napi::Result<()> {
        self.state.transfer = run(&env, || TokenTransfer::parse(&transfer))?;
        Ok(())
    }
}

fn session(state: SessionState) -> Session {
    Session { state }
}

/// A verification outcome with something to write on the response: the session (null when
/// none is required and none was sent) and the changes.
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct VerifyResult {
    pub session: Option<Session>,
    pub mutations: Mutations,
}

/// What `verifySession` returns: the session alone when the response needs no change (the
/// usual case: it spares every such request a wrapper object and its named properties), a
/// `VerifyResult` when it does, null for no session and no change.
type Verified = Option<Either<Session, VerifyResult>>;

fn verified((state, m): (Option<SessionState>, ResponseMutations)) -> Verified {
    let empty = m.status.is_none() && m.body.is_none() && m.headers.is_empty() && m.cookies.is_empty();
    match (state, empty) {
        (Some(state), true) => Some(Either::A(session(state))),
        (None, true) => None,
        (state, false) => Some(Either::B(VerifyResult { session: state.map(session), mutations: mutations(m) })),
    }
}

/// The core error a facade error stands for (the arguments of `errorResponse`).
fn core_error(code: String, message: String, payload_json: Option<String>, clear_tokens: bool) -> Error {
    let kind = ErrorKind::from_code(&code).unwrap_or(ErrorKind::Internal);
    let err = Error::new(kind, message).with_clear_tokens(clear_tokens);
    match payload_json.and_then(|p| serde_json::from_str(&p).ok()) {
        Some(p) => err.with_payload(p),
        None => err,
    }
}

/// A new or changed session and what to write on the response.
#[napi(object, object_from_js = false)]
pub struct SessionResult {
    pub session: Session,
    pub mutations: Mutations,
}

fn session_result((state, m): (SessionState, ResponseMutations)) -> SessionResult {
    SessionResult { session: session(state), mutations: mutations(m) }
}

/// What a request hands to the recipe's `getSession` (supertokens-node's
/// `getSessionFromRequest`), for apps that replaced that function.
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct SessionInput {
    /// The access token the request carries, if one parses as an access token.
    pub access_token: Option<String>,
    /// The request's `anti-csrf` header.
    pub anti_csrf_token: Option<String>,
    /// Whether `getSession` must check the anti-CSRF token.
    pub anti_csrf_check: bool,
    /// The transport a session found for this request is attached on: the access token's,
    /// else the one the configuration allows (`header` when it allows both), as the SDKs do.
    #[napi(ts_type = "\"cookie\" | \"header\"")]
    pub transfer: String,
}

/// What a refresh request hands to the recipe's `refreshSession`, for apps that replaced it.
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct RefreshInput {
    /// The refresh token the request carries.
    pub refresh_token: String,
    /// The request's `anti-csrf` header.
    pub anti_csrf_token: Option<String>,
    /// `disableAntiCsrf`: header transport, or the `VIA_CUSTOM_HEADER` check already passed.
    pub disable_anti_csrf: bool,
    /// The transport the refresh token came on, which the new tokens go out on.
    #[napi(ts_type = "\"cookie\" | \"header\"")]
    pub transfer: String,
}

/// One configured engine, shared by every request of the process.
#[napi]
pub struct Engine {
    inner: Arc<Tessera>,
}

#[napi]
impl Engine {
    /// Builds an engine from its JSON configuration (`appInfo`, `session`, `connectionURI`).
    #[napi(constructor)]
    pub fn new(env: Env, config_json: String) -> napi::Result<Engine> {
        let inner = run(&env, || Tessera::from_json(&config_json))?;
        Ok(Engine { inner: Arc::new(inner) })
    }

    /// A verification-only engine that trusts exactly the keys of a JWKS document.
    #[napi(factory)]
    pub fn with_jwks(env: Env, config_json: String, jwks_json: String) -> napi::Result<Engine> {
        let inner = run(&env, || {
            let config = tessera_core::config::Config::from_json(&config_json)?;
            let keys = tessera_core::keys::KeySet::from_jwks_json(jwks_json.as_bytes())?;
            Ok(Tessera::with_key_set(config, keys))
        })?;
        Ok(Engine { inner: Arc::new(inner) })
    }

    /// Verifies the session of a request without I/O; throws code `WOULD_BLOCK` when the
    /// answer needs the store or a key fetch (then call `verifySessionAsync`). `apiRules`
    /// (default true): the `verifySession` API's rules (OPTIONS and TRACE requests have no
    /// session, a POST to the refresh path is refreshed); false: `getSession`'s.
    #[napi(ts_return_type = "Session | VerifyResult | null")]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_session(
        &self,
        env: Env,
        method: String,
        path: String,
        headers: Vec<String>,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
        now_ms: Option<f64>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
        api_rules: Option<bool>,
    ) -> napi::Result<Verified> {
        let options = verify_options(session_required, anti_csrf_check, check_database, api_rules);
        let t = &self.inner;
        run(&env, || {
            let req = request(method, path, headers, transfer)?;
            t.verify_session_without_io(&req, &options, clock(now_ms)?)
        })
        .map(verified)
    }

    /// Verifies the session of a request, off the event loop, with whatever I/O it needs.
    #[napi(ts_return_type = "Promise<Session | VerifyResult | null>")]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_session_async(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
        now_ms: Option<f64>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
        api_rules: Option<bool>,
    ) -> AsyncTask<Work<(Option<SessionState>, ResponseMutations), Verified>> {
        let options = verify_options(session_required, anti_csrf_check, check_database, api_rules);
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let req = request(method, path, headers, transfer)?;
                t.verify_session(&req, &options, clock(now_ms)?)
            },
            verified,
        )
    }

    /// Parses and verifies an access token alone (no transfer, anti-CSRF or key-kind
    /// checks); returns the verified token as JSON text.
    #[napi]
    pub fn verify_access_token(&self, env: Env, access_token: String, now_ms: Option<f64>) -> napi::Result<String> {
        let t = &self.inner;
        run(&env, || {
            let token = t.verify_access_token(&access_token, clock(now_ms)?)?;
            serde_json::to_string(&*token).map_err(|e| Error::internal(e.to_string()))
        })
    }

    /// Whether the request is for an endpoint `handleApiRequest` serves (no I/O).
    #[napi]
    pub fn is_api_request(&self, env: Env, method: String, path: String) -> napi::Result<bool> {
        let t = &self.inner;
        run(&env, || Ok(t.is_api_path(&method, &path)))
    }

    /// The endpoint `handleApiRequest` would serve for this request: `"refresh"`,
    /// `"signout"` or `"jwks"`; `null` for any other request (no I/O).
    #[napi(ts_return_type = "\"refresh\" | \"signout\" | \"jwks\" | \"openid-configuration\" | null")]
    pub fn api_endpoint(&self, env: Env, method: String, path: String) -> napi::Result<Option<String>> {
        let t = &self.inner;
        run(&env, || Ok(t.api_endpoint(&method, &path).map(|e| e.as_str().to_owned())))
    }

    /// The protocol's answer to an error (status, body, cleared tokens) for this request.
    /// With `preludeOnly`, only what is written before an app's error handler answers it
    /// (`errorHandlers` in `Session.init`): the cleared tokens or older-domain cookies the
    /// protocol asks for, with no status and no body (those are the handler's).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn error_response(
        &self,
        env: Env,
        method: String,
        path: String,
        headers: Vec<String>,
        code: String,
        message: String,
        payload_json: Option<String>,
        clear_tokens: bool,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
        prelude_only: Option<bool>,
    ) -> napi::Result<Mutations> {
        let err = core_error(code, message, payload_json, clear_tokens);
        let t = &self.inner;
        run(&env, || {
            let req = request(method, path, headers, transfer)?;
            Ok(if prelude_only == Some(true) { t.error_prelude(&req, &err) } else { t.error_response(&req, &err) })
        })
        .map(mutations)
    }

    /// The response changes that carry a session's tokens.
    #[napi]
    pub fn attach_tokens(&self, env: Env, session: &Session) -> napi::Result<Mutations> {
        let t = &self.inner;
        run(&env, || {
            let mut m = ResponseMutations::default();
            t.attach_tokens(&session.state, &mut m, now_ms());
            Ok(m)
        })
        .map(mutations)
    }

    /// The response changes that clear a session's tokens from its transport (after the
    /// recipe's `revokeSession` revoked it).
    #[napi]
    pub fn clear_tokens(&self, env: Env, session: &Session) -> napi::Result<Mutations> {
        let t = &self.inner;
        run(&env, || {
            let mut m = ResponseMutations::default();
            t.clear_transport(session.state.transfer, &mut m);
            Ok(m)
        })
        .map(mutations)
    }

    /// What the request hands to the recipe's `getSession` (no I/O).
    #[napi]
    pub fn session_request_input(
        &self,
        env: Env,
        method: String,
        path: String,
        headers: Vec<String>,
        anti_csrf_check: Option<bool>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
    ) -> napi::Result<SessionInput> {
        let t = &self.inner;
        run(&env, || {
            let req = request(method, path, headers, transfer)?;
            let SessionRequestInput { access_token, anti_csrf_token, anti_csrf_check, transfer } =
                t.session_request_input(&req, anti_csrf_check)?;
            // The SDKs' fallback for a session the app's `getSession` found without a token.
            let setting = req.token_transfer_method.unwrap_or(t.config().session.token_transfer_method);
            let fallback =
                if setting == TransferMethodSetting::Cookie { TokenTransfer::Cookie } else { TokenTransfer::Header };
            let transfer = transfer.unwrap_or(fallback).as_str().to_owned();
            Ok(SessionInput { access_token, anti_csrf_token, anti_csrf_check, transfer })
        })
    }

    /// What the refresh request hands to the recipe's `refreshSession` (no I/O).
    #[napi]
    pub fn refresh_request_input(
        &self,
        env: Env,
        method: String,
        path: String,
        headers: Vec<String>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
    ) -> napi::Result<RefreshInput> {
        let t = &self.inner;
        run(&env, || {
            let RefreshRequestInput { refresh_token, anti_csrf_token, disable_anti_csrf, transfer } =
                t.refresh_request_input(&request(method, path, headers, transfer)?)?;
            let transfer = transfer.as_str().to_owned();
            Ok(RefreshInput { refresh_token, anti_csrf_token, disable_anti_csrf, transfer })
        })
    }

    /// The answer to a refresh request once `session` was refreshed on the request's transport
    /// (its tokens, the other transport and the legacy cookie cleared).
    #[napi]
    pub fn refreshed_session_response(
        &self,
        env: Env,
        method: String,
        path: String,
        headers: Vec<String>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
        session: &Session,
    ) -> napi::Result<Mutations> {
        let t = &self.inner;
        run(&env, || {
            Ok(t.refreshed_session_response(&request(method, path, headers, transfer)?, &session.state, now_ms()))
        })
        .map(mutations)
    }

    /// Creates a session in a request and says what to write on the response.
    #[napi(ts_return_type = "Promise<SessionResult>")]
    #[allow(clippy::too_many_arguments)]
    pub fn create_new_session(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        tenant_id: String,
        recipe_user_id: String,
        payload_json: String,
        data_json: String,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
    ) -> AsyncTask<Work<(SessionState, ResponseMutations), SessionResult>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let req = request(method, path, headers, transfer)?;
                let payload = json_object(&payload_json, "access_token_payload")?;
                let data = json_object(&data_json, "session_data_in_database")?;
                t.create_new_session_in_request(&req, &tenant_id, &recipe_user_id, payload, data, now_ms())
            },
            session_result,
        )
    }

    /// Creates a session outside a request.
    #[napi(ts_return_type = "Promise<Session>")]
    pub fn create_new_session_without_request_response(
        &self,
        tenant_id: String,
        recipe_user_id: String,
        payload_json: String,
        data_json: String,
        disable_anti_csrf: bool,
    ) -> AsyncTask<Work<SessionState, Session>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let payload = json_object(&payload_json, "access_token_payload")?;
                let data = json_object(&data_json, "session_data_in_database")?;
                t.create_new_session_without_request_response(
                    &tenant_id,
                    &recipe_user_id,
                    payload,
                    data,
                    disable_anti_csrf,
                    now_ms(),
                )
            },
            session,
        )
    }

    /// Verifies an access token (and anti-CSRF token) outside a request without I/O; throws
    /// code `WOULD_BLOCK` when the answer needs the store or a key fetch (then call
    /// `getSessionWithoutRequestResponse`).
    #[napi]
    pub fn get_session_without_request_response_without_io(
        &self,
        env: Env,
        access_token: String,
        anti_csrf_token: Option<String>,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
    ) -> napi::Result<Option<Session>> {
        let options = VerifyOptions { session_required, anti_csrf_check, check_database, ..VerifyOptions::default() };
        let t = &self.inner;
        run(&env, || {
            let csrf = anti_csrf_token.as_deref();
            t.get_session_without_request_response_without_io(&access_token, csrf, &options, now_ms())
        })
        .map(|s| s.map(session))
    }

    /// Verifies an access token (and anti-CSRF token) outside a request.
    #[napi(ts_return_type = "Promise<Session | null>")]
    pub fn get_session_without_request_response(
        &self,
        access_token: String,
        anti_csrf_token: Option<String>,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
    ) -> AsyncTask<Work<Option<SessionState>, Option<Session>>> {
        let options = VerifyOptions { session_required, anti_csrf_check, check_database, ..VerifyOptions::default() };
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let csrf = anti_csrf_token.as_deref();
                t.get_session_without_request_response(&access_token, csrf, &options, now_ms())
            },
            |s| s.map(session),
        )
    }

    /// Refreshes the session of a request and says what to write on the response.
    #[napi(ts_return_type = "Promise<SessionResult>")]
    pub fn refresh_session(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
    ) -> AsyncTask<Work<(SessionState, ResponseMutations), SessionResult>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || t.refresh_session_in_request(&request(method, path, headers, transfer)?, now_ms()),
            session_result,
        )
    }

    /// Refreshes a session from its refresh token outside a request.
    #[napi(ts_return_type = "Promise<Session>")]
    pub fn refresh_session_without_request_response(
        &self,
        refresh_token: String,
        disable_anti_csrf: bool,
        anti_csrf_token: Option<String>,
    ) -> AsyncTask<Work<SessionState, Session>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let csrf = anti_csrf_token.as_deref();
                t.refresh_session_without_request_response(&refresh_token, disable_anti_csrf, csrf, now_ms())
            },
            session,
        )
    }

    /// Serves the core's own endpoints (refresh, sign-out, JWKS); null when the request is
    /// not for one of them.
    #[napi(ts_return_type = "Promise<Mutations | null>")]
    pub fn handle_api_request(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
    ) -> AsyncTask<Work<Option<ResponseMutations>, Option<Mutations>>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || Ok(t.handle_api_request(&request(method, path, headers, transfer)?, now_ms())),
            |m| m.map(mutations),
        )
    }

    /// `handleApiRequest` for apps with their own error handlers: an endpoint's error whose
    /// code is in `errorCodes` rejects the Promise (as a `TesseraError`, for the app's handler
    /// to answer) instead of being answered with the protocol's response; any other error is
    /// answered as `handleApiRequest` answers it.
    #[napi(ts_return_type = "Promise<Mutations | null>")]
    pub fn try_handle_api_request(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        #[napi(ts_arg_type = "\"any\" | \"cookie\" | \"header\" | null")] transfer: Option<String>,
        error_codes: Vec<String>,
    ) -> AsyncTask<Work<Option<ResponseMutations>, Option<Mutations>>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let req = request(method, path, headers, transfer)?;
                match t.try_handle_api_request(&req, now_ms()) {
                    Some(Err(e)) if !error_codes.iter().any(|c| c == e.code()) => Ok(Some(t.error_response(&req, &e))),
                    outcome => outcome.transpose(),
                }
            },
            |m| m.map(mutations),
        )
    }

    /// Merges `updateJson` into the access token payload of a session in a request; returns
    /// the updated session (the given one is unchanged) and what to write on the response.
    #[napi(ts_return_type = "Promise<SessionResult>")]
    pub fn merge_into_access_token_payload_in_session(
        &self,
        session: &Session,
        update_json: String,
    ) -> AsyncTask<Work<(SessionState, ResponseMutations), SessionResult>> {
        let t = Arc::clone(&self.inner);
        let mut state = session.state.clone();
        spawn(
            move || {
                let update = json_object(&update_json, "access_token_payload_update")?;
                let m = t.merge_into_access_token_payload_in_session(&mut state, &update, now_ms())?;
                Ok((state, m))
            },
            session_result,
        )
    }

    /// The custom payload the merge of `updateJson` into `session`'s access token payload makes,
    /// as JSON text: the session's own claims (the user data of a v2 token) shallow-merged
    /// with the update, whose protected props are ignored and whose nulls delete keys. What a
    /// session's merge hands an app's replacement of `regenerateAccessToken`. No I/O.
    #[napi]
    pub fn merged_custom_payload(&self, env: Env, session: &Session, update_json: String) -> napi::Result<String> {
        run(&env, || {
            let update = json_object(&update_json, "access_token_payload_update")?;
            let payload = tessera_core::authority::merged_custom_payload(&session.state.token, &update);
            serde_json::to_string(&payload).map_err(|e| Error::internal(e.to_string()))
        })
    }

    /// Makes `accessToken` (a new token of the same session, such as an app's
    /// `regenerateAccessToken` returned) the session's token; returns the updated session (the
    /// given one is unchanged) and what to write on the response, as
    /// `mergeIntoAccessTokenPayloadInSession` does. Rejects with the token's verification
    /// errors, `INVALID_INPUT` when it is another session's.
    #[napi(ts_return_type = "Promise<SessionResult>")]
    pub fn adopt_access_token(
        &self,
        session: &Session,
        access_token: String,
    ) -> AsyncTask<Work<(SessionState, ResponseMutations), SessionResult>> {
        let t = Arc::clone(&self.inner);
        let mut state = session.state.clone();
        spawn(
            move || {
                let m = t.adopt_access_token(&mut state, &access_token, now_ms())?;
                Ok((state, m))
            },
            session_result,
        )
    }

    /// Revokes one session; whether it existed.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn revoke_session(&self, session_handle: String) -> AsyncTask<Work<bool, bool>> {
        let t = Arc::clone(&self.inner);
        spawn(move || Ok(!t.authority()?.revoke_sessions(&[session_handle])?.is_empty()), same)
    }

    /// Revokes sessions; the handles of those that existed.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn revoke_multiple_sessions(&self, session_handles: Vec<String>) -> AsyncTask<Work<Vec<String>, Vec<String>>> {
        let t = Arc::clone(&self.inner);
        spawn(move || t.authority()?.revoke_sessions(&session_handles), same)
    }

    /// Revokes every session of a user (in one tenant, or all when `tenantId` is null).
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn revoke_all_sessions_for_user(
        &self,
        user_id: String,
        tenant_id: Option<String>,
    ) -> AsyncTask<Work<Vec<String>, Vec<String>>> {
        let t = Arc::clone(&self.inner);
        spawn(move || t.authority()?.revoke_all_sessions_for_user(&user_id, tenant_id.as_deref(), now_ms()), same)
    }

    /// The handles of a user's live sessions (in one tenant, or all when `tenantId` is null).
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn get_all_session_handles_for_user(
        &self,
        user_id: String,
        tenant_id: Option<String>,
    ) -> AsyncTask<Work<Vec<String>, Vec<String>>> {
        let t = Arc::clone(&self.inner);
        spawn(move || t.authority()?.session_handles_for_user(&user_id, tenant_id.as_deref(), now_ms()), same)
    }

    /// A session's stored information as JSON text (`session`, `sessionDataInDatabase`,
    /// `customClaimsInAccessTokenPayload`, `expiryMs`, `timeCreatedMs`); null if unknown.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn get_session_information(&self, session_handle: String) -> AsyncTask<Work<Option<String>, Option<String>>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let info = t.authority()?.session_information(&session_handle, now_ms())?;
                info.map(|i| serde_json::to_string(&i).map_err(|e| Error::internal(e.to_string()))).transpose()
            },
            same,
        )
    }

    /// Replaces a session's data in the database; whether the session exists.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn update_session_data_in_database(
        &self,
        session_handle: String,
        data_json: String,
    ) -> AsyncTask<Work<bool, bool>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let data = json_object(&data_json, "new_session_data")?;
                t.authority()?.update_session_data(&session_handle, &data, now_ms())
            },
            same,
        )
    }

    /// Merges `updateJson` into a stored session's access token payload (used from the next
    /// refresh on); whether the session exists.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn merge_into_access_token_payload(
        &self,
        session_handle: String,
        update_json: String,
    ) -> AsyncTask<Work<bool, bool>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let update = json_object(&update_json, "access_token_payload_update")?;
                t.authority()?.merge_into_access_token_payload(&session_handle, &update, now_ms())
            },
            same,
        )
    }

    /// `regenerateAccessToken`: `payloadJson` becomes the session's access token payload and,
    /// unless `accessToken` has expired, a new token with the same expiry carries it. Resolves
    /// to the core's answer as JSON text (`{"session": {"handle", "userId", "recipeUserId",
    /// "tenantId", "userDataInJWT"}, "accessToken"?: {"token", "expiry", "createdTime"}}`), or
    /// null when the session no longer exists. Rejects with `UNAUTHORISED` for a token that
    /// is not an access token, `TRY_REFRESH_TOKEN` for a bad signature, `INVALID_INPUT` for
    /// protected props in the payload, `NOT_SUPPORTED` without a store.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn regenerate_access_token(
        &self,
        access_token: String,
        payload_json: String,
    ) -> AsyncTask<Work<Option<String>, Option<String>>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let payload = json_object(&payload_json, "new_access_token_payload")?;
                let answer = t.regenerate_access_token(&access_token, payload, now_ms())?;
                Ok(answer.map(|a| a.to_string()))
            },
            same,
        )
    }

    /// The public JWKS document of the engine's keys, as JSON text.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn jwks_json(&self) -> AsyncTask<Work<String, String>> {
        let t = Arc::clone(&self.inner);
        spawn(move || t.jwks(now_ms()).map(|(doc, _)| doc.to_string()), same)
    }

    /// The JWKS document served at `{apiBasePath}/jwt/jwks.json`, with its max-age.
    #[napi(ts_return_type = "Promise<JwksDocument>")]
    pub fn jwks(&self) -> AsyncTask<Work<(serde_json::Value, u64), JwksDocument>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || t.jwks(now_ms()),
            |(doc, max_age)| JwksDocument { json: doc.to_string(), max_age_seconds: max_age as f64 },
        )
    }

    /// `createJWT`: `payloadJson` signed by the session authority's static key (its current
    /// dynamic key when `useStaticSigningKey` is false), valid for `validitySeconds` (null: the
    /// core's 100 years), with `iss` (unless the payload has one), `iat` and `exp`. Rejects
    /// with `NOT_SUPPORTED` when the keys are a remote core's.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn create_jwt(
        &self,
        payload_json: String,
        validity_seconds: Option<f64>,
        use_static_signing_key: bool,
    ) -> AsyncTask<Work<String, String>> {
        let t = Arc::clone(&self.inner);
        spawn(
            move || {
                let payload = json_object(&payload_json, "payload")?;
                let validity = validity_seconds.map(seconds).transpose()?;
                t.create_jwt(&payload, validity, use_static_signing_key, now_ms())
            },
            same,
        )
    }

    /// The OpenID discovery document served at `{apiBasePath}/.well-known/openid-configuration`,
    /// as JSON text (no I/O).
    #[napi]
    pub fn openid_discovery_configuration(&self, env: Env) -> napi::Result<String> {
        let t = &self.inner;
        run(&env, || Ok(t.openid_discovery_configuration().to_string()))
    }
}

/// A JWKS document and how long it may be cached.
#[napi(object, object_from_js = false)]
pub struct JwksDocument {
    /// The document, as JSON text.
    pub json: String,
    /// Its max-age, in seconds (what the endpoint's `Cache-Control` says).
    pub max_age_seconds: f64,
}

/// A JS number of seconds as the core takes it: JS numbers are doubles, and a fraction, a
/// negative or a value past 2^53 would otherwise be truncated into some other validity.
fn seconds(value: f64) -> CoreResult<u64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE {
        Ok(value as u64)
    } else {
        Err(Error::input(format!("validitySeconds must be a non-negative integer, got {value}")))
    }
}

/// The value of cookie `name` in a request's `Cookie` headers, decoded as the core reads its own
/// cookies (for `getTokenTransferMethod` functions, which may read any cookie).
#[napi]
pub fn cookie_value(cookie_headers: Vec<String>, name: String) -> Option<String> {
    tessera_core::http::get_cookie(&cookie_headers.join("; "), &name)
}

/// Whether a built-in claim validator (its JSON, see `tessera_core::claims`) needs the claim's
/// value fetched again before validating `payloadJson`.
#[napi]
pub fn claim_should_refetch(
    env: Env,
    validator_json: String,
    payload_json: String,
    now_ms: Option<f64>,
) -> napi::Result<bool> {
    run(&env, || {
        let validator = Validator::from_json(&validator_json)?;
        Ok(validator.should_refetch(&json_object(&payload_json, "payload")?, clock(now_ms)?))
    })
}

/// Null when `payloadJson` passes a built-in claim validator, else the reason as JSON text.
#[napi]
pub fn claim_validate(
    env: Env,
    validator_json: String,
    payload_json: String,
    now_ms: Option<f64>,
) -> napi::Result<Option<String>> {
    run(&env, || {
        let validator = Validator::from_json(&validator_json)?;
        let reason = validator.validate(&json_object(&payload_json, "payload")?, clock(now_ms)?);
        Ok(reason.map(|r| r.to_string()))
    })
}

/// A claim's entry in the access token payload for a value (JSON text):
/// `{"v": value, "t": now}`, as JSON text.
#[napi]
pub fn claim_entry(env: Env, value_json: String, now_ms: Option<f64>) -> napi::Result<String> {
    run(&env, || {
        let value: serde_json::Value =
            serde_json::from_str(&value_json).map_err(|e| Error::input(format!("claim value: {e}")))?;
        Ok(claims::entry(value, clock(now_ms)?).to_string())
    })
}

/// Test-only: panics inside the binding's guard, so the test suite can show that a panic
/// reaches JavaScript as an `INTERNAL` error. Not part of the public API.
#[napi(js_name = "_panicForTests")]
pub fn panic_for_tests(env: Env, message: String) -> napi::Result<()> {
    run(&env, || -> CoreResult<()> { panic!("{message}") })
}

/// Test-only: as `_panicForTests`, on the thread pool (the panic is inside an async task).
#[napi(js_name = "_panicForTestsAsync")]
pub fn panic_for_tests_async(message: String) -> AsyncTask<Work<(), ()>> {
    spawn(move || -> CoreResult<()> { panic!("{message}") }, same)
}

/// Every core error code.
#[napi]
pub fn all_error_kinds() -> Vec<&'static str> {
    tessera_core::all_error_kinds().iter().map(|k| k.code()).collect()
}

/// Adds `value` to a comma-separated header list unless present.
#[napi]
pub fn append_to_header_list(existing: Option<String>, value: String) -> String {
    core_append(existing.as_deref(), &value)
}

/// The core's header-name lists as fixed-size arrays, which napi can export as constants;
/// a change of length in the core fails the build here.
const fn header_names<const N: usize>(names: &[&'static str]) -> [&'static str; N] {
    assert!(names.len() == N, "the core changed a header list: update its length here");
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = names[i];
        i += 1;
    }
    out
}

/// The request headers the protocol reads.
#[napi]
pub const REQUEST_HEADERS: [&str; 5] = header_names(tessera_core::protocol::REQUEST_HEADERS);

/// The headers a CORS preflight must allow for the protocol.
#[napi]
pub const CORS_ALLOWED_HEADERS: [&str; 5] = header_names(tessera_core::protocol::CORS_ALLOWED_HEADERS);
