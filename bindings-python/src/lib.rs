//! `tessera._native`: the Python binding of tessera-core. It converts arguments, calls the
//! core with the GIL released (except for an event loop's verification of a token the core has
//! verified before, which takes less than releasing the GIL does), maps errors through
//! `tessera.exceptions._from_native`, and converts results back. The public API is the
//! `tessera` Python package.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use serde_json::Value;
use tessera_core::claims::{self, Validator};
use tessera_core::config::{TokenTransfer, TransferMethodSetting};
use tessera_core::convert::json_object;
use tessera_core::engine::now_ms;
use tessera_core::http::{
    append_to_header_list as core_append, HeaderMutation, HttpRequest, ResponseMutations, PATH_REWRITING_CHARS,
};
use tessera_core::protocol::{ApiEndpoint, SessionState, VerifyOptions, CORS_ALLOWED_HEADERS, REQUEST_HEADERS};
use tessera_core::{Error, ErrorKind, Tessera};

/// A request's headers as `(name, value)` pairs, either `str` pairs (what an adapter read from
/// its framework) or `bytes` pairs (an ASGI scope's raw headers, passed as they are so a
/// FastAPI request does not decode each header in Python first). Byte pairs are decoded as
/// Latin-1, as the ASGI spec and Starlette do, and only the names the core reads are kept.
struct Headers(Vec<(String, String)>);

impl<'py> FromPyObject<'py> for Headers {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        let mut out = Vec::new();
        // ASGI servers hand a list: walking it by index spares a Python iterator per request.
        if let Ok(list) = ob.downcast::<PyList>() {
            for item in list.iter() {
                push_header(&mut out, &item)?;
            }
        } else {
            for item in ob.try_iter()? {
                push_header(&mut out, &item?)?;
            }
        }
        Ok(Headers(out))
    }
}

/// Adds one `(name, value)` pair to `out`, when the core reads that name (byte pairs) or
/// always (`str` pairs).
fn push_header(out: &mut Vec<(String, String)>, item: &Bound<'_, PyAny>) -> PyResult<()> {
    // ASGI allows any two-item iterable per header; servers send tuples or lists.
    let (name, value) = match (item.downcast::<PyTuple>(), item.downcast::<PyList>()) {
        (Ok(t), _) if t.len() == 2 => (t.get_item(0)?, t.get_item(1)?),
        (_, Ok(l)) if l.len() == 2 => (l.get_item(0)?, l.get_item(1)?),
        _ => return Err(PyTypeError::new_err("a header must be a (name, value) pair")),
    };
    if let Ok(raw) = name.downcast::<PyBytes>() {
        let raw = raw.as_bytes();
        if REQUEST_HEADERS.iter().any(|wanted| raw.eq_ignore_ascii_case(wanted.as_bytes())) {
            out.push((latin1(raw), latin1(value.downcast::<PyBytes>()?.as_bytes())));
        }
    } else {
        out.push((name.extract()?, value.extract()?));
    }
    Ok(())
}

/// `bytes.decode("latin-1")`: every byte is the code point of the same value.
fn latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(ascii) if bytes.is_ascii() => ascii.to_owned(),
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}
type HeaderOp = (&'static str, String, Option<String>);
type Mutations = (Option<u16>, Option<String>, Vec<HeaderOp>, Vec<(String, String)>);

/// Raises `err` as the `tessera.exceptions` class of its kind.
fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    let payload = err.payload().map(Value::to_string);
    let built = py
        .import("tessera.exceptions")
        .and_then(|m| m.getattr("_from_native"))
        .and_then(|f| f.call1((err.code(), err.message(), payload, err.clear_tokens())));
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyRuntimeError::new_err(format!("{}: {}", err.code(), err.message())),
    }
}

/// Runs core work without the GIL; a panic becomes an `INTERNAL` error, never a
/// `BaseException` in Python.
fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    py.allow_threads(|| unpanicked(work)).map_err(|e| to_py_err(py, &e))
}

/// `work`'s outcome, with a panic as an `INTERNAL` error.
fn unpanicked<T>(work: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(Error::from_panic(&*panic)))
}

fn request(method: &str, path: &str, headers: Headers) -> HttpRequest {
    HttpRequest::new(method, path, headers.0)
}

/// A request with the transfer setting the application chose for it (its
/// `get_token_transfer_method` function), if any.
fn request_with(
    py: Python<'_>,
    method: &str,
    path: &str,
    headers: Headers,
    token_transfer_method: Option<&str>,
) -> PyResult<HttpRequest> {
    let setting = token_transfer_method.map(TransferMethodSetting::parse).transpose().map_err(|e| to_py_err(py, &e))?;
    Ok(request(method, path, headers).with_token_transfer_method(setting))
}

fn mutations(m: ResponseMutations) -> Mutations {
    let headers = m
        .headers
        .into_iter()
        .map(|h| match h {
            HeaderMutation::Set { name, value } => ("set", name, Some(value)),
            HeaderMutation::Remove { name } => ("remove", name, None),
            HeaderMutation::AppendToList { name, value } => ("append", name, Some(value)),
        })
        .collect();
    let cookies = m.cookies.into_iter().map(|c| (c.name, c.header)).collect();
    (m.status, m.body.map(|b| b.to_string()), headers, cookies)
}

fn some_mutations(m: ResponseMutations) -> Option<Mutations> {
    let empty = m.status.is_none() && m.body.is_none() && m.headers.is_empty() && m.cookies.is_empty();
    (!empty).then(|| mutations(m))
}

/// `session_request_input`'s answer: access token, anti-CSRF token, whether to check it,
/// transport.
type SessionInput = (Option<String>, Option<String>, bool, Option<&'static str>);

/// A session in a request: the state behind a `SessionContainer`.
#[pyclass(frozen, module = "tessera._native")]
struct Session {
    state: SessionState,
}

#[pymethods]
impl Session {
    #[getter]
    fn access_token(&self) -> &str {
        self.state.access_token()
    }
    #[getter]
    fn user_id(&self) -> &str {
        &self.state.token.user_id
    }
    #[getter]
    fn recipe_user_id(&self) -> &str {
        &self.state.token.recipe_user_id
    }
    #[getter]
    fn tenant_id(&self) -> &str {
        &self.state.token.tenant_id
    }
    #[getter]
    fn handle(&self) -> &str {
        &self.state.token.session_handle
    }
    #[getter]
    fn payload_json(&self) -> String {
        Value::Object(self.state.token.payload.clone()).to_string()
    }
    #[getter]
    fn access_token_expiry_ms(&self) -> u64 {
        self.state.token.expiry_ms
    }
    #[getter]
    fn access_token_created_ms(&self) -> u64 {
        self.state.token.time_created_ms
    }
    #[getter]
    fn front_token(&self) -> String {
        self.state.front_token()
    }
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.state.refresh_token.as_deref()
    }
    #[getter]
    fn refresh_token_expiry_ms(&self) -> Option<u64> {
        self.state.refresh_token_expiry_ms
    }
    #[getter]
    fn anti_csrf_token(&self) -> Option<&str> {
        self.state.anti_csrf_token.as_deref()
    }
    #[getter]
    fn access_token_updated(&self) -> bool {
        self.state.access_token_updated
    }
    #[getter]
    fn transfer(&self) -> &'static str {
        self.state.transfer.as_str()
    }

    /// The same session on another transport (`"cookie"` or `"header"`): a session an
    /// application's `get_session` or `refresh_session` returned takes the request's.
    fn with_transfer(&self, py: Python<'_>, transfer: &str) -> PyResult<Session> {
        let transfer = TokenTransfer::parse(transfer).map_err(|e| to_py_err(py, &e))?;
        Ok(Session { state: SessionState { transfer, ..self.state.clone() } })
    }
}

fn session(state: SessionState) -> Session {
    Session { state }
}

/// One configured engine, shared by every thread of the process.
#[pyclass(frozen, module = "tessera._native")]
struct Engine {
    inner: Arc<Tessera>,
}

#[pymethods]
impl Engine {
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Engine> {
        let config_json = config_json.to_owned();
        let inner = run(py, move || Tessera::from_json(&config_json))?;
        Ok(Engine { inner: Arc::new(inner) })
    }

    /// A verification-only engine that trusts exactly the keys of a JWKS document.
    #[staticmethod]
    fn with_jwks(py: Python<'_>, config_json: &str, jwks_json: &str) -> PyResult<Engine> {
        let inner = run(py, || {
            let config = tessera_core::config::Config::from_json(config_json)?;
            let keys = tessera_core::keys::KeySet::from_jwks_json(jwks_json.as_bytes())?;
            Ok(Tessera::with_key_set(config, keys))
        })?;
        Ok(Engine { inner: Arc::new(inner) })
    }

    #[pyo3(signature = (method, path, headers, session_required=true, anti_csrf_check=None, check_database=false, allow_io=true, now_ms=None, token_transfer_method=None, api_rules=true))]
    #[allow(clippy::too_many_arguments)]
    fn verify_session(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
        allow_io: bool,
        now_ms: Option<u64>,
        token_transfer_method: Option<&str>,
        api_rules: bool,
    ) -> PyResult<(Option<Session>, Option<Mutations>)> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let options = VerifyOptions { session_required, anti_csrf_check, check_database, api_rules };
        let now = now_ms.unwrap_or_else(tessera_core::engine::now_ms);
        let t = &self.inner;
        let (state, m) = if allow_io {
            run(py, || t.verify_session(&req, &options, now))?
        } else {
            // A token the cache knows takes less than giving up the GIL and taking it back
            // (measured under a served load: the lock's code and data were a tenth of the
            // call's cache misses), so that is answered with the GIL held; a signature check
            // runs without it.
            match unpanicked(|| t.verify_session_from_cache(&req, &options, now)) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    run(py, || t.verify_session_without_io(&req, &options, now))?
                }
                other => other.map_err(|e| to_py_err(py, &e))?,
            }
        };
        Ok((state.map(session), some_mutations(m)))
    }

    /// Parses and verifies an access token alone (no transfer, anti-CSRF or key-kind
    /// checks); returns the verified token as JSON.
    #[pyo3(signature = (access_token, now_ms=None))]
    fn verify_access_token(&self, py: Python<'_>, access_token: &str, now_ms: Option<u64>) -> PyResult<String> {
        let now = now_ms.unwrap_or_else(tessera_core::engine::now_ms);
        let t = &self.inner;
        run(py, || {
            let token = t.verify_access_token(access_token, now)?;
            serde_json::to_string(&*token).map_err(|e| Error::internal(e.to_string()))
        })
    }

    #[pyo3(signature = (method, path, headers, tenant_id, recipe_user_id, access_token_payload_json, session_data_json, *, token_transfer_method=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_new_session(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        tenant_id: &str,
        recipe_user_id: &str,
        access_token_payload_json: &str,
        session_data_json: &str,
        token_transfer_method: Option<&str>,
    ) -> PyResult<(Session, Mutations)> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let t = &self.inner;
        let (state, m) = run(py, || {
            let payload = json_object(access_token_payload_json, "access_token_payload")?;
            let data = json_object(session_data_json, "session_data_in_database")?;
            t.create_new_session_in_request(&req, tenant_id, recipe_user_id, payload, data, now_ms())
        })?;
        Ok((session(state), mutations(m)))
    }

    fn create_new_session_without_request_response(
        &self,
        py: Python<'_>,
        tenant_id: &str,
        recipe_user_id: &str,
        access_token_payload_json: &str,
        session_data_json: &str,
        disable_anti_csrf: bool,
    ) -> PyResult<Session> {
        let t = &self.inner;
        run(py, || {
            let payload = json_object(access_token_payload_json, "access_token_payload")?;
            let data = json_object(session_data_json, "session_data_in_database")?;
            t.create_new_session_without_request_response(
                tenant_id,
                recipe_user_id,
                payload,
                data,
                disable_anti_csrf,
                now_ms(),
            )
        })
        .map(session)
    }

    #[pyo3(signature = (access_token, anti_csrf_token, session_required, anti_csrf_check, check_database, allow_io=true))]
    #[allow(clippy::too_many_arguments)]
    fn get_session_without_request_response(
        &self,
        py: Python<'_>,
        access_token: &str,
        anti_csrf_token: Option<&str>,
        session_required: bool,
        anti_csrf_check: Option<bool>,
        check_database: bool,
        allow_io: bool,
    ) -> PyResult<Option<Session>> {
        let options = VerifyOptions { session_required, anti_csrf_check, check_database, ..VerifyOptions::default() };
        let t = &self.inner;
        run(py, || {
            if allow_io {
                t.get_session_without_request_response(access_token, anti_csrf_token, &options, now_ms())
            } else {
                t.get_session_without_request_response_without_io(access_token, anti_csrf_token, &options, now_ms())
            }
        })
        .map(|s| s.map(session))
    }

    #[pyo3(signature = (method, path, headers, *, token_transfer_method=None))]
    fn refresh_session(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        token_transfer_method: Option<&str>,
    ) -> PyResult<(Session, Mutations)> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let t = &self.inner;
        let (state, m) = run(py, || t.refresh_session_in_request(&req, now_ms()))?;
        Ok((session(state), mutations(m)))
    }

    fn refresh_session_without_request_response(
        &self,
        py: Python<'_>,
        refresh_token: &str,
        disable_anti_csrf: bool,
        anti_csrf_token: Option<&str>,
    ) -> PyResult<Session> {
        let t = &self.inner;
        run(py, || {
            t.refresh_session_without_request_response(refresh_token, disable_anti_csrf, anti_csrf_token, now_ms())
        })
        .map(session)
    }

    #[pyo3(signature = (method, path, headers, *, token_transfer_method=None, raise_errors=false))]
    fn handle_api_request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        token_transfer_method: Option<&str>,
        raise_errors: bool,
    ) -> PyResult<Option<Mutations>> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let t = &self.inner;
        if raise_errors {
            return run(py, || t.try_handle_api_request(&req, now_ms()).transpose()).map(|m| m.map(mutations));
        }
        run(py, || Ok(t.handle_api_request(&req, now_ms()))).map(|m| m.map(mutations))
    }

    /// The prefix of every path `is_api_request` accepts that has none of
    /// `PATH_REWRITING_CHARS`: adapters check it first and skip the native call for most
    /// requests.
    #[getter]
    fn api_path_prefix(&self) -> &str {
        self.inner.api_path_prefix()
    }

    /// Whether the request is for an endpoint `handle_api_request` serves (no I/O).
    fn is_api_request(&self, method: &str, path: &str) -> bool {
        self.inner.is_api_path(method, path)
    }

    /// Which endpoint `handle_api_request` would serve: `"refresh"`, `"signout"`, `"jwks"`.
    fn api_endpoint(&self, method: &str, path: &str) -> Option<&'static str> {
        self.inner.api_endpoint(method, path).map(ApiEndpoint::as_str)
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (method, path, headers, code, message, payload_json, clear_tokens, prelude_only=false))]
    fn error_response(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        code: &str,
        message: &str,
        payload_json: Option<&str>,
        clear_tokens: bool,
        prelude_only: bool,
    ) -> PyResult<Mutations> {
        let req = request(method, path, headers);
        let kind = ErrorKind::from_code(code).unwrap_or(ErrorKind::Internal);
        let mut err = Error::new(kind, message).with_clear_tokens(clear_tokens);
        if let Some(p) = payload_json.and_then(|p| serde_json::from_str(p).ok()) {
            err = err.with_payload(p);
        }
        let t = &self.inner;
        if prelude_only {
            return run(py, || Ok(t.error_prelude(&req, &err))).map(mutations);
        }
        run(py, || Ok(t.error_response(&req, &err))).map(mutations)
    }

    /// What a request hands to an application's `get_session`: `(access_token,
    /// anti_csrf_token, anti_csrf_check, transfer)`.
    #[pyo3(signature = (method, path, headers, anti_csrf_check=None, token_transfer_method=None))]
    fn session_request_input(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        anti_csrf_check: Option<bool>,
        token_transfer_method: Option<&str>,
    ) -> PyResult<SessionInput> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let t = &self.inner;
        let input = run(py, || t.session_request_input(&req, anti_csrf_check))?;
        Ok((
            input.access_token,
            input.anti_csrf_token,
            input.anti_csrf_check,
            input.transfer.map(TokenTransfer::as_str),
        ))
    }

    /// What a refresh request hands to an application's `refresh_session`: `(refresh_token,
    /// anti_csrf_token, disable_anti_csrf, transfer)`.
    #[pyo3(signature = (method, path, headers, token_transfer_method=None))]
    fn refresh_request_input(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        token_transfer_method: Option<&str>,
    ) -> PyResult<(String, Option<String>, bool, &'static str)> {
        let req = request_with(py, method, path, headers, token_transfer_method)?;
        let t = &self.inner;
        let input = run(py, || t.refresh_request_input(&req))?;
        Ok((input.refresh_token, input.anti_csrf_token, input.disable_anti_csrf, input.transfer.as_str()))
    }

    /// The answer to a refresh request once `session` was refreshed on the request's
    /// transport (see `Session.with_transfer`).
    fn refreshed_session_response(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: Headers,
        session: &Session,
    ) -> PyResult<Mutations> {
        let req = request(method, path, headers);
        let t = &self.inner;
        run(py, || Ok(t.refreshed_session_response(&req, &session.state, now_ms()))).map(mutations)
    }

    /// Clears the session's tokens from its transport, without revoking it (an
    /// application's `revoke_session` did or did not).
    fn clear_session_tokens(&self, py: Python<'_>, session: &Session) -> PyResult<Mutations> {
        let t = &self.inner;
        run(py, || {
            let mut m = ResponseMutations::default();
            t.clear_transport(session.state.transfer, &mut m);
            Ok(m)
        })
        .map(mutations)
    }

    fn attach_tokens(&self, py: Python<'_>, session: &Session) -> PyResult<Mutations> {
        let t = &self.inner;
        run(py, || {
            let mut m = ResponseMutations::default();
            t.attach_tokens(&session.state, &mut m, now_ms());
            Ok(m)
        })
        .map(mutations)
    }

    fn merge_into_access_token_payload_in_session(
        &self,
        py: Python<'_>,
        session: &Session,
        update_json: &str,
    ) -> PyResult<(Session, Mutations)> {
        let t = &self.inner;
        let (state, m) = run(py, || {
            let update = json_object(update_json, "access_token_payload_update")?;
            let mut state = session.state.clone();
            let m = t.merge_into_access_token_payload_in_session(&mut state, &update, now_ms())?;
            Ok((state, m))
        })?;
        Ok((self::session(state), mutations(m)))
    }

    fn revoke_session_in_request(&self, py: Python<'_>, session: &Session) -> PyResult<Mutations> {
        let t = &self.inner;
        run(py, || t.revoke_session_in_request(&session.state)).map(mutations)
    }

    fn revoke_session(&self, py: Python<'_>, session_handle: &str) -> PyResult<bool> {
        let t = &self.inner;
        run(py, || Ok(!t.authority()?.revoke_sessions(&[session_handle.to_owned()])?.is_empty()))
    }

    fn revoke_multiple_sessions(&self, py: Python<'_>, session_handles: Vec<String>) -> PyResult<Vec<String>> {
        let t = &self.inner;
        run(py, || t.authority()?.revoke_sessions(&session_handles))
    }

    fn revoke_all_sessions_for_user(
        &self,
        py: Python<'_>,
        user_id: &str,
        tenant_id: Option<&str>,
    ) -> PyResult<Vec<String>> {
        let t = &self.inner;
        run(py, || t.authority()?.revoke_all_sessions_for_user(user_id, tenant_id, now_ms()))
    }

    fn get_all_session_handles_for_user(
        &self,
        py: Python<'_>,
        user_id: &str,
        tenant_id: Option<&str>,
    ) -> PyResult<Vec<String>> {
        let t = &self.inner;
        run(py, || t.authority()?.session_handles_for_user(user_id, tenant_id, now_ms()))
    }

    fn get_session_information(&self, py: Python<'_>, session_handle: &str) -> PyResult<Option<String>> {
        let t = &self.inner;
        run(py, || {
            let info = t.authority()?.session_information(session_handle, now_ms())?;
            info.map(|i| serde_json::to_string(&i).map_err(|e| Error::internal(e.to_string()))).transpose()
        })
    }

    fn update_session_data_in_database(&self, py: Python<'_>, session_handle: &str, data_json: &str) -> PyResult<bool> {
        let t = &self.inner;
        run(py, || {
            let data = json_object(data_json, "new_session_data")?;
            t.authority()?.update_session_data(session_handle, &data, now_ms())
        })
    }

    fn merge_into_access_token_payload(
        &self,
        py: Python<'_>,
        session_handle: &str,
        update_json: &str,
    ) -> PyResult<bool> {
        let t = &self.inner;
        run(py, || {
            let update = json_object(update_json, "access_token_payload_update")?;
            t.authority()?.merge_into_access_token_payload(session_handle, &update, now_ms())
        })
    }

    /// The custom payload `session`'s merge of `update_json` makes (JSON): what a session's
    /// merge hands an app's replacement of `regenerate_access_token`.
    fn merged_custom_payload(&self, py: Python<'_>, session: &Session, update_json: &str) -> PyResult<String> {
        run(py, || {
            let update = json_object(update_json, "access_token_payload_update")?;
            Ok(Value::Object(tessera_core::authority::merged_custom_payload(&session.state.token, &update)).to_string())
        })
    }

    /// The session with `access_token` (of the same session) as its token, and the changes
    /// that write it to the response.
    fn adopt_access_token(
        &self,
        py: Python<'_>,
        session: &Session,
        access_token: &str,
    ) -> PyResult<(Session, Mutations)> {
        let t = &self.inner;
        let (state, m) = run(py, || {
            let mut state = session.state.clone();
            let m = t.adopt_access_token(&mut state, access_token, now_ms())?;
            Ok((state, m))
        })?;
        Ok((self::session(state), mutations(m)))
    }

    /// `regenerateAccessToken`: the core's answer as JSON, `None` when the session is gone.
    fn regenerate_access_token(
        &self,
        py: Python<'_>,
        access_token: &str,
        payload_json: &str,
    ) -> PyResult<Option<String>> {
        let t = &self.inner;
        run(py, || {
            let payload = json_object(payload_json, "new_access_token_payload")?;
            Ok(t.regenerate_access_token(access_token, payload, now_ms())?.map(|answer| answer.to_string()))
        })
    }

    /// The JWKS document as JSON, and how long it may be cached (seconds).
    fn jwks(&self, py: Python<'_>) -> PyResult<(String, u64)> {
        let t = &self.inner;
        run(py, || t.jwks(now_ms()).map(|(doc, max_age)| (doc.to_string(), max_age)))
    }

    /// `createJWT`: a JWT of `payload_json` signed by the session authority.
    #[pyo3(signature = (payload_json, validity_seconds=None, use_static_signing_key=true))]
    fn create_jwt(
        &self,
        py: Python<'_>,
        payload_json: &str,
        validity_seconds: Option<u64>,
        use_static_signing_key: bool,
    ) -> PyResult<String> {
        let t = &self.inner;
        run(py, || {
            let payload = json_object(payload_json, "payload")?;
            t.create_jwt(&payload, validity_seconds, use_static_signing_key, now_ms())
        })
    }

    /// The OpenID discovery document as JSON.
    fn openid_discovery_configuration(&self) -> String {
        self.inner.openid_discovery_configuration().to_string()
    }
}

/// Every core error code.
#[pyfunction]
fn all_error_kinds() -> Vec<&'static str> {
    tessera_core::all_error_kinds().iter().map(|k| k.code()).collect()
}

/// Adds `value` to a comma-separated header list unless present.
#[pyfunction]
#[pyo3(signature = (existing, value))]
fn append_to_header_list(existing: Option<&str>, value: &str) -> String {
    core_append(existing, value)
}

/// The value of cookie `name` in a request's `Cookie` headers, decoded as the core reads its own
/// cookies (for `get_token_transfer_method` functions, which may read any cookie).
#[pyfunction]
fn cookie_value(cookie_headers: Vec<String>, name: &str) -> Option<String> {
    tessera_core::http::get_cookie(&cookie_headers.join("; "), name)
}

/// Whether a built-in claim validator (its JSON, see `tessera_core::claims`) needs the claim's
/// value fetched again before validating `payload_json`.
#[pyfunction]
#[pyo3(signature = (validator_json, payload_json, now_ms=None))]
fn claim_should_refetch(
    py: Python<'_>,
    validator_json: &str,
    payload_json: &str,
    now_ms: Option<u64>,
) -> PyResult<bool> {
    run(py, || {
        let validator = Validator::from_json(validator_json)?;
        Ok(validator.should_refetch(
            &json_object(payload_json, "payload")?,
            now_ms.unwrap_or_else(tessera_core::engine::now_ms),
        ))
    })
}

/// `None` when `payload_json` passes a built-in claim validator, else the reason as JSON.
#[pyfunction]
#[pyo3(signature = (validator_json, payload_json, now_ms=None))]
fn claim_validate(
    py: Python<'_>,
    validator_json: &str,
    payload_json: &str,
    now_ms: Option<u64>,
) -> PyResult<Option<String>> {
    run(py, || {
        let validator = Validator::from_json(validator_json)?;
        let reason = validator
            .validate(&json_object(payload_json, "payload")?, now_ms.unwrap_or_else(tessera_core::engine::now_ms));
        Ok(reason.map(|r| r.to_string()))
    })
}

/// A claim's entry in the access token payload for a value (JSON): `{"v": value, "t": now}`.
#[pyfunction]
#[pyo3(signature = (value_json, now_ms=None))]
fn claim_entry(py: Python<'_>, value_json: &str, now_ms: Option<u64>) -> PyResult<String> {
    run(py, || {
        let value: Value = serde_json::from_str(value_json).map_err(|e| Error::input(format!("claim value: {e}")))?;
        Ok(claims::entry(value, now_ms.unwrap_or_else(tessera_core::engine::now_ms)).to_string())
    })
}

/// Test-only: panics inside the binding's guard, so the test suite can show that a panic
/// reaches Python as `InternalError`. Not part of the public API.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: &str) -> PyResult<()> {
    run(py, || -> Result<(), Error> { panic!("{message}") })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Engine>()?;
    m.add_class::<Session>()?;
    m.add_function(wrap_pyfunction!(all_error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(append_to_header_list, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(cookie_value, m)?)?;
    m.add_function(wrap_pyfunction!(claim_should_refetch, m)?)?;
    m.add_function(wrap_pyfunction!(claim_validate, m)?)?;
    m.add_function(wrap_pyfunction!(claim_entry, m)?)?;
    m.add("REQUEST_HEADERS", PyTuple::new(py, REQUEST_HEADERS)?)?;
    m.add("CORS_ALLOWED_HEADERS", PyTuple::new(py, CORS_ALLOWED_HEADERS)?)?;
    m.add("PATH_REWRITING_CHARS", PATH_REWRITING_CHARS)?;
    Ok(())
}
