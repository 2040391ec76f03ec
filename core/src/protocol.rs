//! The SuperTokens session request protocol, framework neutral: verify a request's session,
//! create and refresh sessions in a request, sign out, serve the JWKS, and turn errors into
//! the protocol's answers. Each function returns the response mutations to apply.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::authority::IssuedTokens;
use crate::b64;
use crate::config::{
    AntiCsrf, TokenTransfer, TransferMethodSetting, JWKS_SUFFIX, OPENID_CONFIGURATION_SUFFIX, REFRESH_SUFFIX,
    SIGNOUT_SUFFIX,
};
use crate::engine::{Tessera, TokenCandidate, Work};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{
    cookie_name_is, cookie_value, count_cookie, encode_component, get_cookie, http_date, HttpRequest,
    ResponseMutations, SetCookie,
};
use crate::token::{VerifiedToken, PROTECTED_PROPS};

/// Access-token cookie.
pub const ACCESS_TOKEN_COOKIE: &str = "sAccessToken";
/// Refresh-token cookie.
pub const REFRESH_TOKEN_COOKIE: &str = "sRefreshToken";
/// Legacy id-refresh cookie of pre-v3 SDKs: only read and cleared.
pub const LEGACY_ID_REFRESH_COOKIE: &str = "sIdRefreshToken";
/// Response header carrying the access token (header mode, or exposed in cookie mode).
pub const ACCESS_TOKEN_HEADER: &str = "st-access-token";
/// Response header carrying the refresh token (header mode).
pub const REFRESH_TOKEN_HEADER: &str = "st-refresh-token";
/// Response header carrying the front token.
pub const FRONT_TOKEN_HEADER: &str = "front-token";
/// Request and response header carrying the anti-CSRF token.
pub const ANTI_CSRF_HEADER: &str = "anti-csrf";
/// Request header with the frontend's preferred transport.
pub const AUTH_MODE_HEADER: &str = "st-auth-mode";
/// Access cookies live a year; the JWT's own `exp` is what counts.
const ACCESS_COOKIE_LIFETIME_MS: u64 = 31_536_000_000;

/// The request headers the core reads (lowercase). Adapters may pass only these.
pub const REQUEST_HEADERS: &[&str] = &["cookie", "authorization", ANTI_CSRF_HEADER, "rid", AUTH_MODE_HEADER];

/// The request headers a CORS setup must allow for the frontend SDKs.
pub const CORS_ALLOWED_HEADERS: &[&str] = &["rid", "fdi-version", "anti-csrf", "authorization", "st-auth-mode"];

/// `verifySession` options (JSON: `{sessionRequired, antiCsrfCheck, checkDatabase}`, all optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyOptions {
    /// `false`: a request without a session passes with no session (default `true`).
    pub session_required: bool,
    /// Force the anti-CSRF check on or off; default: on unless the method is GET.
    pub anti_csrf_check: Option<bool>,
    /// Also check the session in the store (revocation, payload updates).
    pub check_database: bool,
    /// `true` (the default): the rules of the SDKs' `verifySession` API, which guards a
    /// route: an OPTIONS or TRACE request has no session, and a POST to the refresh path is
    /// refreshed. `false`: those of `getSession` on a request, which verifies what the
    /// request carries whatever its method and path.
    pub api_rules: bool,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions { session_required: true, anti_csrf_check: None, check_database: false, api_rules: true }
    }
}

/// A request's session input, as the SDKs' `getSessionFromRequest` passes it to the
/// recipe's `getSession` (see [`Tessera::session_request_input`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRequestInput {
    /// The access token the request carries, if one parses as an access token.
    pub access_token: Option<String>,
    /// The `anti-csrf` request header.
    pub anti_csrf_token: Option<String>,
    /// Whether the anti-CSRF token must be checked (`doAntiCsrfCheck`).
    pub anti_csrf_check: bool,
    /// The transport the access token came on.
    pub transfer: Option<TokenTransfer>,
}

/// [`SessionRequestInput`] borrowed from the request, with the parsed token.
struct SessionRequestRead<'r> {
    chosen: Option<(TokenTransfer, &'r str, TokenCandidate<'r>)>,
    anti_csrf_header: Option<&'r str>,
    anti_csrf_check: bool,
}

/// A refresh request's input, as the SDKs' `refreshSessionInRequest` passes it to the
/// recipe's `refreshSession` (see [`Tessera::refresh_request_input`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRequestInput {
    /// The refresh token the request carries.
    pub refresh_token: String,
    /// The `anti-csrf` request header.
    pub anti_csrf_token: Option<String>,
    /// `disableAntiCsrf`: header transport, or the custom-header check already passed.
    pub disable_anti_csrf: bool,
    /// The transport the refresh token came on (new tokens go out on it).
    pub transfer: TokenTransfer,
}

/// A session in a request: what a `SessionContainer` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionState {
    /// The current access token and what it says (shared with the verified-token cache).
    pub token: Arc<VerifiedToken>,
    /// The refresh token, after create or refresh only.
    pub refresh_token: Option<String>,
    /// The refresh token's (session's) expiry, ms, when `refresh_token` is set.
    pub refresh_token_expiry_ms: Option<u64>,
    /// The anti-CSRF token: new after create/refresh, else as sent by the request.
    pub anti_csrf_token: Option<String>,
    /// Whether the access token (and front token) changed in this request.
    pub access_token_updated: bool,
    /// The transport the session's tokens travel on in this request.
    pub transfer: TokenTransfer,
}

impl SessionState {
    fn from_issued(issued: IssuedTokens, transfer: TokenTransfer) -> SessionState {
        SessionState {
            token: Arc::new(verified_from_issued(&issued)),
            refresh_token: issued.refresh_token,
            refresh_token_expiry_ms: Some(issued.refresh_token_expiry_ms),
            anti_csrf_token: issued.anti_csrf_token,
            access_token_updated: true,
            transfer,
        }
    }

    fn from_verified(token: Arc<VerifiedToken>, anti_csrf: Option<String>, transfer: TokenTransfer) -> SessionState {
        SessionState {
            token,
            refresh_token: None,
            refresh_token_expiry_ms: None,
            anti_csrf_token: anti_csrf,
            access_token_updated: false,
            transfer,
        }
    }

    fn replace_token(&mut self, issued: IssuedTokens) {
        self.token = Arc::new(verified_from_issued(&issued));
        if issued.refresh_token.is_some() {
            self.refresh_token = issued.refresh_token;
            self.refresh_token_expiry_ms = Some(issued.refresh_token_expiry_ms);
        }
        if issued.anti_csrf_token.is_some() {
            self.anti_csrf_token = issued.anti_csrf_token;
        }
        self.access_token_updated = true;
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        &self.token.raw
    }

    /// The payload as users see it (the whole JWT payload for v3+, `userData` for v2).
    pub fn access_token_payload(&self) -> &Map<String, Value> {
        &self.token.payload
    }

    /// The front token for the current access token. Built on demand: most verified
    /// requests never send one.
    pub fn front_token(&self) -> String {
        front_token(&self.token.user_id, self.token.expiry_ms, &self.token.payload)
    }

    /// The session as JSON for bindings: the token's fields (camelCase) plus
    /// `frontToken`, `refreshToken`, `refreshTokenExpiryMs`, `antiCsrfToken`,
    /// `accessTokenUpdated` and `transfer`.
    pub fn to_json(&self) -> Value {
        json!({
            "token": &*self.token,
            "frontToken": self.front_token(),
            "refreshToken": self.refresh_token,
            "refreshTokenExpiryMs": self.refresh_token_expiry_ms,
            "antiCsrfToken": self.anti_csrf_token,
            "accessTokenUpdated": self.access_token_updated,
            "transfer": self.transfer,
        })
    }
}

fn verified_from_issued(issued: &IssuedTokens) -> VerifiedToken {
    let p = &issued.access_token_payload;
    let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
    VerifiedToken {
        raw: issued.access_token.clone(),
        version: crate::authority::ACCESS_TOKEN_VERSION,
        kid: None,
        user_id: issued.session.user_id.clone(),
        recipe_user_id: issued.session.recipe_user_id.clone(),
        tenant_id: issued.session.tenant_id.clone(),
        session_handle: issued.session.handle.clone(),
        refresh_token_hash1: s("refreshTokenHash1").unwrap_or_default(),
        parent_refresh_token_hash1: None,
        anti_csrf_token: s("antiCsrfToken"),
        expiry_ms: issued.access_token_expiry_ms,
        time_created_ms: issued.access_token_created_ms,
        payload: issued.access_token_payload.clone(),
    }
}

/// The front token: standard base64 of `{"uid":…,"ate":…,"up":…}`.
pub fn front_token(user_id: &str, access_token_expiry_ms: u64, payload: &Map<String, Value>) -> String {
    let json = format!(
        "{{\"uid\":{},\"ate\":{},\"up\":{}}}",
        Value::String(user_id.to_owned()),
        access_token_expiry_ms,
        Value::Object(payload.clone())
    );
    b64::encode_standard(json.as_bytes())
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.header("authorization")?;
    let t = v.strip_prefix("Bearer ")?.trim();
    (!t.is_empty()).then_some(t)
}

/// An endpoint the core serves (see [`Tessera::api_endpoint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiEndpoint {
    /// `POST {apiBasePath}/session/refresh`.
    Refresh,
    /// `POST {apiBasePath}/signout`.
    SignOut,
    /// `GET {apiBasePath}/jwt/jwks.json`.
    Jwks,
    /// `GET {apiBasePath}/.well-known/openid-configuration`.
    OpenIdConfiguration,
}

impl ApiEndpoint {
    /// The endpoint's name as bindings pass it: `refresh`, `signout`, `jwks`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiEndpoint::Refresh => "refresh",
            ApiEndpoint::SignOut => "signout",
            ApiEndpoint::Jwks => "jwks",
            ApiEndpoint::OpenIdConfiguration => "openid-configuration",
        }
    }
}

impl Tessera {
    /// The transfer setting for `req`: its own when the application decided per request.
    fn transfer_setting(&self, req: &HttpRequest) -> TransferMethodSetting {
        req.token_transfer_method.unwrap_or(self.config().session.token_transfer_method)
    }

    fn allows(&self, req: &HttpRequest, t: TokenTransfer) -> bool {
        match self.transfer_setting(req) {
            TransferMethodSetting::Any => true,
            TransferMethodSetting::Cookie => t == TokenTransfer::Cookie,
            TransferMethodSetting::Header => t == TokenTransfer::Header,
        }
    }

    /// The transport new tokens go out on when a session is created in `req` (§3.3).
    pub fn output_transfer(&self, req: &HttpRequest) -> TokenTransfer {
        match self.transfer_setting(req) {
            TransferMethodSetting::Cookie => TokenTransfer::Cookie,
            TransferMethodSetting::Header => TokenTransfer::Header,
            TransferMethodSetting::Any => {
                if req.header(AUTH_MODE_HEADER).is_some_and(|m| m.trim().eq_ignore_ascii_case("cookie")) {
                    TokenTransfer::Cookie
                } else {
                    TokenTransfer::Header
                }
            }
        }
    }

    /// `verifySession` / `getSession` on a request (§5.2), as [`VerifyOptions::api_rules`]
    /// says. `Ok((None, _))` is "no session" with `session_required: false`, or, with the
    /// API's rules, an OPTIONS/TRACE request.
    ///
    /// # Errors
    /// The session errors of §6 (answer them with [`Tessera::error_response`]); `STORAGE`
    /// or `NOT_SUPPORTED` with `check_database`.
    pub fn verify_session(
        &self,
        req: &HttpRequest,
        options: &VerifyOptions,
        now_ms: u64,
    ) -> Result<(Option<SessionState>, ResponseMutations)> {
        self.verify_session_with(req, options, now_ms, Work::Any)
    }

    /// [`Tessera::verify_session`] for an event loop: answers whenever that needs no disk
    /// or network I/O (the usual case: a known key, no `check_database`), and otherwise
    /// fails with `WOULD_BLOCK` so the caller can run [`Tessera::verify_session`] off the
    /// loop.
    ///
    /// # Errors
    /// As [`Tessera::verify_session`], plus `WOULD_BLOCK`.
    pub fn verify_session_without_io(
        &self,
        req: &HttpRequest,
        options: &VerifyOptions,
        now_ms: u64,
    ) -> Result<(Option<SessionState>, ResponseMutations)> {
        self.verify_session_with(req, options, now_ms, Work::NoIo)
    }

    /// [`Tessera::verify_session_without_io`] that does not check a signature either: it
    /// answers when the request's token is in the verified-token cache (or when no token
    /// needs verifying), and otherwise fails with `WOULD_BLOCK`. For a binding that would
    /// rather not give up its interpreter's lock for the microsecond a cached token takes,
    /// and does for a signature check.
    ///
    /// # Errors
    /// As [`Tessera::verify_session_without_io`].
    pub fn verify_session_from_cache(
        &self,
        req: &HttpRequest,
        options: &VerifyOptions,
        now_ms: u64,
    ) -> Result<(Option<SessionState>, ResponseMutations)> {
        self.verify_session_with(req, options, now_ms, Work::Cached)
    }

    fn verify_session_with(
        &self,
        req: &HttpRequest,
        options: &VerifyOptions,
        now_ms: u64,
        work: Work,
    ) -> Result<(Option<SessionState>, ResponseMutations)> {
        if options.api_rules && (req.is_method("options") || req.is_method("trace")) {
            return Ok((None, ResponseMutations::default()));
        }
        if options.api_rules && req.is_method("post") && req.bare_path() == self.config().refresh_path() {
            if work != Work::Any {
                return Err(crate::engine::would_block());
            }
            let (s, m) = self.refresh_session_in_request(req, now_ms)?;
            return Ok((Some(s), m));
        }
        self.with_session_request(req, options.anti_csrf_check, |read| {
            let Some((transfer, raw, candidate)) = read.chosen else {
                if !options.session_required {
                    return Ok((None, ResponseMutations::default()));
                }
                return Err(Error::unauthorised_keep_tokens(
                    "Session does not exist. Are you sending the session tokens in the request with the appropriate token transfer method?",
                ));
            };
            let state = self.get_session_from_token(
                raw,
                candidate,
                read.anti_csrf_header,
                read.anti_csrf_check,
                options.check_database,
                transfer,
                now_ms,
                work,
            )?;
            let mut m = ResponseMutations::default();
            if state.access_token_updated {
                self.attach_tokens(&state, &mut m, now_ms);
            }
            Ok((Some(state), m))
        })
    }

    /// What `getSession` on a request hands to the recipe's `getSession` function: the
    /// access token the request carries (on the transport the configuration allows), the
    /// anti-CSRF header, and whether the anti-CSRF check applies, decided as the SDKs'
    /// `getSessionFromRequest` does. Bindings call it when an application replaced
    /// `getSession`, then answer with [`Tessera::attach_tokens`] on what that returns.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` for a legacy session cookie, several access-token cookies, or a
    /// missing `rid` header with `VIA_CUSTOM_HEADER` anti-CSRF.
    pub fn session_request_input(
        &self,
        req: &HttpRequest,
        anti_csrf_check: Option<bool>,
    ) -> Result<SessionRequestInput> {
        self.with_session_request(req, anti_csrf_check, |read| {
            let (transfer, access_token) = match read.chosen {
                Some((t, raw, _)) => (Some(t), Some(raw.to_owned())),
                None => (None, None),
            };
            Ok(SessionRequestInput {
                access_token,
                anti_csrf_token: read.anti_csrf_header.map(str::to_owned),
                anti_csrf_check: read.anti_csrf_check,
                transfer,
            })
        })
    }

    /// Reads the request's session input and hands it, borrowed, to `then` (the chosen
    /// token borrows the request, so it cannot be returned). The SDKs' order: the legacy
    /// cookie, the header token if it parses, else the cookie (only one allowed), then the
    /// anti-CSRF decision.
    fn with_session_request<T>(
        &self,
        req: &HttpRequest,
        anti_csrf_check: Option<bool>,
        then: impl FnOnce(SessionRequestRead<'_>) -> Result<T>,
    ) -> Result<T> {
        // One pass over the cookies of every protected request: the legacy cookie, the first
        // access token cookie, and how many there are (names decoded).
        let mut access_cookie = None;
        let mut access_cookies = 0;
        for (name, value) in req.cookie_pairs() {
            if name == LEGACY_ID_REFRESH_COOKIE {
                return Err(Error::try_refresh("using legacy session, please call the refresh API"));
            }
            if cookie_name_is(name, ACCESS_TOKEN_COOKIE) {
                access_cookies += 1;
                if access_cookie.is_none() && name == ACCESS_TOKEN_COOKIE {
                    access_cookie = Some(value);
                }
            }
        }
        // A value that is not an access token counts as absent (§3.3); the cookie is only
        // looked at when the header does not win.
        let header_raw = if self.allows(req, TokenTransfer::Header) { bearer(req) } else { None };
        let header = header_raw.and_then(|raw| Some((raw, self.examine_access_token(raw).ok()?)));
        let cookie_raw = match (&header, self.allows(req, TokenTransfer::Cookie)) {
            (None, true) => access_cookie.map(cookie_value),
            _ => None,
        };
        let cookie = cookie_raw.as_deref().and_then(|raw| Some((raw, self.examine_access_token(raw).ok()?)));
        let chosen = if let Some((raw, candidate)) = header {
            Some((TokenTransfer::Header, raw, candidate))
        } else if let Some((raw, candidate)) = cookie {
            if access_cookies > 1 {
                return Err(Error::try_refresh("Multiple access tokens present in the request cookies."));
            }
            Some((TokenTransfer::Cookie, raw, candidate))
        } else {
            None
        };
        let mut do_anti_csrf = anti_csrf_check.unwrap_or(!req.is_method("get"));
        if chosen.as_ref().is_none_or(|(t, _, _)| *t == TokenTransfer::Header) {
            do_anti_csrf = false;
        }
        if do_anti_csrf && self.config().session.anti_csrf == AntiCsrf::ViaCustomHeader {
            if req.header("rid").is_none() {
                return Err(Error::try_refresh(
                    "anti-csrf check failed. Please pass 'rid: \"session\"' header in the request, or disable anti-csrf protection for this API",
                ));
            }
            do_anti_csrf = false;
        }
        then(SessionRequestRead {
            chosen,
            anti_csrf_header: req.header(ANTI_CSRF_HEADER),
            anti_csrf_check: do_anti_csrf,
        })
    }

    /// `getSessionWithoutRequestResponse`: verifies an access token given directly.
    /// `anti_csrf_check` defaults to true here, as in the SDKs.
    ///
    /// # Errors
    /// As [`Tessera::verify_session`]; a string that is not an access token is
    /// `UNAUTHORISED` unless `session_required` is false (then `Ok(None)`).
    pub fn get_session_without_request_response(
        &self,
        access_token: &str,
        anti_csrf_token: Option<&str>,
        options: &VerifyOptions,
        now_ms: u64,
    ) -> Result<Option<SessionState>> {
        self.get_session_without_request_response_with(access_token, anti_csrf_token, options, now_ms, Work::Any)
    }

    /// [`Tessera::get_session_without_request_response`] for an event loop: answers whenever
    /// that needs no disk or network I/O, else fails with `WOULD_BLOCK` (see
    /// [`Tessera::verify_session_without_io`]).
    ///
    /// # Errors
    /// As [`Tessera::get_session_without_request_response`], plus `WOULD_BLOCK`.
    pub fn get_session_without_request_response_without_io(
        &self,
        access_token: &str,
        anti_csrf_token: Option<&str>,
        options: &VerifyOptions,
        now_ms: u64,
    ) -> Result<Option<SessionState>> {
        self.get_session_without_request_response_with(access_token, anti_csrf_token, options, now_ms, Work::NoIo)
    }

    fn get_session_without_request_response_with(
        &self,
        access_token: &str,
        anti_csrf_token: Option<&str>,
        options: &VerifyOptions,
        now_ms: u64,
        work: Work,
    ) -> Result<Option<SessionState>> {
        let Ok(candidate) = self.examine_access_token(access_token) else {
            if !options.session_required {
                return Ok(None);
            }
            return Err(Error::unauthorised_keep_tokens("Token parsing failed"));
        };
        let do_anti_csrf = options.anti_csrf_check.unwrap_or(true);
        if do_anti_csrf && self.config().session.anti_csrf == AntiCsrf::ViaCustomHeader {
            // The custom header lives in a request this call does not have.
            return Err(Error::config(
                "Since the anti-csrf mode is VIA_CUSTOM_HEADER getSession can't check the CSRF token. Please either use VIA_TOKEN or set antiCsrfCheck to false",
            ));
        }
        self.get_session_from_token(
            access_token,
            candidate,
            anti_csrf_token,
            do_anti_csrf,
            options.check_database,
            TokenTransfer::Header,
            now_ms,
            work,
        )
        .map(Some)
    }

    #[allow(clippy::too_many_arguments)]
    fn get_session_from_token(
        &self,
        raw: &str,
        candidate: TokenCandidate<'_>,
        anti_csrf_header: Option<&str>,
        do_anti_csrf: bool,
        check_database: bool,
        transfer: TokenTransfer,
        now_ms: u64,
        work: Work,
    ) -> Result<SessionState> {
        let s = &self.config().session;
        let via_token = s.anti_csrf == AntiCsrf::ViaToken;
        let token = self.verify_candidate_with(raw, candidate, now_ms, work)?;
        if via_token && do_anti_csrf && token.anti_csrf_token.is_none() {
            return Err(Error::try_refresh("Access token does not contain the anti-csrf token"));
        }
        if token.version >= 3 && token.uses_dynamic_key() != s.use_dynamic_access_token_signing_key {
            return Err(Error::try_refresh(
                "The access token doesn't match the useDynamicAccessTokenSigningKey setting",
            ));
        }
        if via_token && do_anti_csrf {
            match anti_csrf_header {
                None => {
                    return Err(Error::try_refresh(
                        "Provided antiCsrfToken is undefined. If you do not want anti-csrf check for this API, please set doAntiCsrfCheck to false for this API",
                    ))
                }
                Some(h) if Some(h) != token.anti_csrf_token.as_deref() => {
                    return Err(Error::try_refresh("anti-csrf check failed"))
                }
                Some(_) => {}
            }
        }
        let mut state = SessionState::from_verified(Arc::clone(&token), anti_csrf_header.map(str::to_owned), transfer);
        // Tokens minted by a CDI <= 5.4 refresh carry a parent hash; only a store can
        // promote them, so with an embedded store they go through it like checkDatabase.
        let needs_store = check_database || (token.parent_refresh_token_hash1.is_some() && self.authority().is_ok());
        if needs_store {
            if work != Work::Any {
                return Err(crate::engine::would_block());
            }
            if let Some(issued) = self.authority()?.check_database(&token, now_ms)? {
                state.replace_token(issued);
            }
        }
        Ok(state)
    }

    /// `createNewSession` in a request (§8.1): protected props in `payload` are dropped, as
    /// the SDKs do.
    ///
    /// # Errors
    /// `INVALID_INPUT`, `STORAGE`, `NOT_SUPPORTED` (remote connection).
    pub fn create_new_session_in_request(
        &self,
        req: &HttpRequest,
        tenant_id: &str,
        recipe_user_id: &str,
        payload: Map<String, Value>,
        session_data: Map<String, Value>,
        now_ms: u64,
    ) -> Result<(SessionState, ResponseMutations)> {
        let transfer = self.output_transfer(req);
        if transfer == TokenTransfer::Cookie {
            if let Some(problem) = &self.config().session.cookie_misconfiguration {
                return Err(Error::config(problem.clone()));
            }
        }
        let enable_anti_csrf =
            transfer == TokenTransfer::Cookie && self.config().session.anti_csrf == AntiCsrf::ViaToken;
        let issued =
            self.create_session_tokens(tenant_id, recipe_user_id, payload, session_data, enable_anti_csrf, now_ms)?;
        let state = SessionState::from_issued(issued, transfer);
        let mut m = ResponseMutations::default();
        // Any value in the other transport is cleared, token or not, as the SDKs do.
        let other = match transfer {
            TokenTransfer::Cookie if bearer(req).is_some() => Some(TokenTransfer::Header),
            TokenTransfer::Header if get_cookie(&req.cookie_header(), ACCESS_TOKEN_COOKIE).is_some() => {
                Some(TokenTransfer::Cookie)
            }
            _ => None,
        };
        if let Some(other) = other {
            self.clear_transport(other, &mut m);
        }
        self.attach_tokens(&state, &mut m, now_ms);
        Ok((state, m))
    }

    /// `createNewSessionWithoutRequestResponse`.
    ///
    /// # Errors
    /// As [`Tessera::create_new_session_in_request`].
    pub fn create_new_session_without_request_response(
        &self,
        tenant_id: &str,
        recipe_user_id: &str,
        payload: Map<String, Value>,
        session_data: Map<String, Value>,
        disable_anti_csrf: bool,
        now_ms: u64,
    ) -> Result<SessionState> {
        let enable = !disable_anti_csrf && self.config().session.anti_csrf == AntiCsrf::ViaToken;
        let issued = self.create_session_tokens(tenant_id, recipe_user_id, payload, session_data, enable, now_ms)?;
        Ok(SessionState::from_issued(issued, TokenTransfer::Header))
    }

    fn create_session_tokens(
        &self,
        tenant_id: &str,
        recipe_user_id: &str,
        mut payload: Map<String, Value>,
        session_data: Map<String, Value>,
        enable_anti_csrf: bool,
        now_ms: u64,
    ) -> Result<IssuedTokens> {
        for p in PROTECTED_PROPS {
            payload.remove(*p);
        }
        self.authority()?.create(
            tenant_id,
            recipe_user_id,
            payload,
            session_data,
            enable_anti_csrf,
            self.config().session.use_dynamic_access_token_signing_key,
            now_ms,
        )
    }

    /// `refreshSession` in a request: what `POST {apiBasePath}/session/refresh` does (§8.2).
    /// The endpoint answers 200 `{}` with these mutations.
    ///
    /// # Errors
    /// `UNAUTHORISED`, `TOKEN_THEFT_DETECTED`, `CLEAR_DUPLICATE_SESSION_COOKIES`,
    /// `INVALID_CONFIG` (duplicate cookies without `olderCookieDomain`), `STORAGE`.
    pub fn refresh_session_in_request(
        &self,
        req: &HttpRequest,
        now_ms: u64,
    ) -> Result<(SessionState, ResponseMutations)> {
        let input = self.refresh_request_input(req)?;
        let mut state = self.refresh_session_without_request_response(
            &input.refresh_token,
            input.disable_anti_csrf,
            input.anti_csrf_token.as_deref(),
            now_ms,
        )?;
        state.transfer = input.transfer;
        let m = self.refreshed_session_response(req, &state, now_ms);
        Ok((state, m))
    }

    /// What a refresh request hands to the recipe's `refreshSession` function: the refresh
    /// token on the transport the configuration allows (header first), the anti-CSRF header,
    /// and `disableAntiCsrf`, decided as the SDKs' `refreshSessionInRequest` does. Bindings
    /// call it when an application replaced `refreshSession`, then answer with
    /// [`Tessera::refreshed_session_response`].
    ///
    /// # Errors
    /// `UNAUTHORISED` (no refresh token; a missing `rid` with `VIA_CUSTOM_HEADER`),
    /// `CLEAR_DUPLICATE_SESSION_COOKIES`, `INVALID_CONFIG` (duplicate cookies without
    /// `olderCookieDomain`).
    pub fn refresh_request_input(&self, req: &HttpRequest) -> Result<RefreshRequestInput> {
        let s = &self.config().session;
        let cookies = req.cookie_header();
        if self.transfer_setting(req) != TransferMethodSetting::Header && has_duplicate_session_cookies(&cookies) {
            return Err(if s.older_cookie_domain.is_none() {
                Error::config(
                    "The request contains multiple session cookies. This may happen if you've changed the 'cookieDomain' value in your configuration. To clear tokens from the previous domain, set 'olderCookieDomain' in your configuration.",
                )
            } else {
                Error::new(
                    ErrorKind::ClearDuplicateSessionCookies,
                    "The request contains multiple session cookies. We are clearing the cookie from olderCookieDomain. Session will be refreshed in the next refresh call.",
                )
            });
        }
        let chosen = if let (true, Some(t)) = (self.allows(req, TokenTransfer::Header), bearer(req)) {
            Some((TokenTransfer::Header, t.to_owned()))
        } else if let (true, Some(t)) = (
            self.allows(req, TokenTransfer::Cookie),
            get_cookie(&cookies, REFRESH_TOKEN_COOKIE).filter(|v| !v.is_empty()),
        ) {
            Some((TokenTransfer::Cookie, t))
        } else {
            None
        };
        let Some((transfer, refresh_token)) = chosen else {
            let has_access_cookie =
                self.allows(req, TokenTransfer::Cookie) && get_cookie(&cookies, ACCESS_TOKEN_COOKIE).is_some();
            return Err(Error::unauthorised(if has_access_cookie {
                "Refresh token not found but access token is present. Clearing all tokens."
            } else {
                "Refresh token not found. Are you sending the refresh token in the request?"
            }));
        };
        let mut disable_anti_csrf = transfer == TokenTransfer::Header;
        if s.anti_csrf == AntiCsrf::ViaCustomHeader && !disable_anti_csrf {
            if req.header("rid").is_none() {
                return Err(Error::unauthorised(
                    "anti-csrf check failed. Please pass 'rid: \"session\"' header in the request.",
                ));
            }
            disable_anti_csrf = true;
        }
        Ok(RefreshRequestInput {
            refresh_token,
            anti_csrf_token: req.header(ANTI_CSRF_HEADER).map(str::to_owned),
            disable_anti_csrf,
            transfer,
        })
    }

    /// The answer to a refresh request once `state` was refreshed: its tokens on its
    /// transport, the other transport cleared if the request carried a token there, and the
    /// legacy cookie cleared.
    pub fn refreshed_session_response(
        &self,
        req: &HttpRequest,
        state: &SessionState,
        now_ms: u64,
    ) -> ResponseMutations {
        let cookies = req.cookie_header();
        let mut m = ResponseMutations::default();
        let other_had_token = match state.transfer {
            TokenTransfer::Header => get_cookie(&cookies, REFRESH_TOKEN_COOKIE)
                .is_some_and(|v| !v.is_empty())
                .then_some(TokenTransfer::Cookie),
            TokenTransfer::Cookie => bearer(req).is_some().then_some(TokenTransfer::Header),
        };
        if let Some(other) = other_had_token {
            self.clear_transport(other, &mut m);
        }
        self.attach_tokens(state, &mut m, now_ms);
        if get_cookie(&cookies, LEGACY_ID_REFRESH_COOKIE).is_some() {
            self.clear_legacy_cookie(&mut m);
        }
        m
    }

    /// `refreshSessionWithoutRequestResponse`.
    ///
    /// # Errors
    /// As [`crate::authority::Authority::refresh`].
    pub fn refresh_session_without_request_response(
        &self,
        refresh_token: &str,
        disable_anti_csrf: bool,
        anti_csrf_token: Option<&str>,
        now_ms: u64,
    ) -> Result<SessionState> {
        let s = &self.config().session;
        let enable = !disable_anti_csrf && s.anti_csrf == AntiCsrf::ViaToken;
        let issued = self.authority()?.refresh(
            refresh_token,
            anti_csrf_token,
            enable,
            s.use_dynamic_access_token_signing_key,
            now_ms,
        )?;
        Ok(SessionState::from_issued(issued, TokenTransfer::Header))
    }

    /// `session.mergeIntoAccessTokenPayload(update)`: stores the merged payload and, if the
    /// access token is still valid, replaces it with one of the same expiry. The mutations
    /// write the new token to the session's transport.
    ///
    /// # Errors
    /// `UNAUTHORISED` if the session is gone; `STORAGE`; `NOT_SUPPORTED`.
    pub fn merge_into_access_token_payload_in_session(
        &self,
        state: &mut SessionState,
        update: &Map<String, Value>,
        now_ms: u64,
    ) -> Result<ResponseMutations> {
        let mut m = ResponseMutations::default();
        match self.authority()?.regenerate(&state.token, update, now_ms)? {
            Some(issued) => {
                state.replace_token(issued);
                // Only the access token changed: the SDKs write it and the front token, not
                // the anti-CSRF token the client already holds.
                self.attach_access_token(state, &mut m, now_ms);
            }
            None => {
                // Expired token: the store has the new payload; the local copy follows it.
                let token = Arc::make_mut(&mut state.token);
                let base = std::mem::take(&mut token.payload);
                token.payload = crate::authority::merge_payload(base, update);
            }
        }
        Ok(m)
    }

    /// `regenerateAccessToken(accessToken, newAccessTokenPayload)`, as the SuperTokens core's
    /// `/recipe/session/regenerate` answers it: `payload` becomes the session's custom payload
    /// and, unless `access_token` has expired, a new access token with the same expiry carries
    /// it. The answer is the core's JSON: `{"session": {"handle", "userId", "recipeUserId",
    /// "tenantId", "userDataInJWT"}, "accessToken": {"token", "expiry", "createdTime"}}`
    /// (`accessToken` absent for an expired token); `None` when the session no longer exists.
    /// Unlike the core, the token's signature is checked.
    ///
    /// # Errors
    /// `UNAUTHORISED` when `access_token` is not an access token; `TRY_REFRESH_TOKEN` when its
    /// signature does not verify; `INVALID_INPUT` for protected props in `payload`;
    /// `STORAGE`; `NOT_SUPPORTED` without a store.
    pub fn regenerate_access_token(
        &self,
        access_token: &str,
        payload: Map<String, Value>,
        now_ms: u64,
    ) -> Result<Option<Value>> {
        let token = self.verify_access_token_signature(access_token, now_ms)?;
        let issued = match self.authority()?.replace_payload(&token, payload.clone(), now_ms) {
            Err(e) if e.kind() == ErrorKind::Unauthorised => return Ok(None),
            other => other?,
        };
        let mut answer = json!({
            "session": {
                "handle": token.session_handle,
                "userId": token.user_id,
                "recipeUserId": token.recipe_user_id,
                "tenantId": token.tenant_id,
                "userDataInJWT": payload,
            },
        });
        if let Some(issued) = issued {
            answer["accessToken"] = json!({
                "token": issued.access_token,
                "expiry": issued.access_token_expiry_ms,
                "createdTime": issued.access_token_created_ms,
            });
        }
        Ok(Some(answer))
    }

    /// Makes `access_token` (a new token of the same session, such as an app's
    /// `regenerateAccessToken` returned) the session's token in this request, written to its
    /// transport as `mergeIntoAccessTokenPayload` writes one.
    ///
    /// # Errors
    /// The token's verification errors; `INVALID_INPUT` when it is another session's.
    pub fn adopt_access_token(
        &self,
        state: &mut SessionState,
        access_token: &str,
        now_ms: u64,
    ) -> Result<ResponseMutations> {
        let token = self.verify_access_token(access_token, now_ms)?;
        if token.session_handle != state.token.session_handle {
            return Err(Error::input("the new access token belongs to another session"));
        }
        state.token = token;
        state.access_token_updated = true;
        let mut m = ResponseMutations::default();
        self.attach_access_token(state, &mut m, now_ms);
        Ok(m)
    }

    /// `session.revokeSession()` in a request: revokes and clears the session's transport.
    ///
    /// # Errors
    /// `STORAGE`; `NOT_SUPPORTED`.
    pub fn revoke_session_in_request(&self, state: &SessionState) -> Result<ResponseMutations> {
        self.authority()?.revoke_sessions(std::slice::from_ref(&state.token.session_handle))?;
        let mut m = ResponseMutations::default();
        self.clear_transport(state.transfer, &mut m);
        Ok(m)
    }

    /// Writes the session's tokens to its transport (`attachToRequestResponse` with
    /// `accessTokenUpdated`): front token, access token (and `st-access-token` when exposed),
    /// refresh token, anti-CSRF token.
    pub fn attach_tokens(&self, state: &SessionState, m: &mut ResponseMutations, now_ms: u64) {
        self.attach_access_token(state, m, now_ms);
        if let Some(rt) = &state.refresh_token {
            let expiry = state.refresh_token_expiry_ms.unwrap_or(now_ms);
            match state.transfer {
                TokenTransfer::Cookie => {
                    m.set_cookie(self.cookie(REFRESH_TOKEN_COOKIE, rt, &self.config().refresh_cookie_path(), expiry))
                }
                TokenTransfer::Header => {
                    m.set_header(REFRESH_TOKEN_HEADER, rt);
                    m.expose_header(REFRESH_TOKEN_HEADER);
                }
            }
        }
        if let Some(a) = &state.anti_csrf_token {
            m.set_header(ANTI_CSRF_HEADER, a);
            m.expose_header(ANTI_CSRF_HEADER);
        }
    }

    /// The front token and the access token (and `st-access-token` when exposed), as the
    /// SDKs write a regenerated access token (`accessTokenMutator`).
    fn attach_access_token(&self, state: &SessionState, m: &mut ResponseMutations, now_ms: u64) {
        let s = &self.config().session;
        m.set_header(FRONT_TOKEN_HEADER, &state.front_token());
        m.expose_header(FRONT_TOKEN_HEADER);
        match state.transfer {
            TokenTransfer::Cookie => {
                m.set_cookie(self.cookie(
                    ACCESS_TOKEN_COOKIE,
                    &state.token.raw,
                    &s.access_token_path,
                    now_ms.saturating_add(ACCESS_COOKIE_LIFETIME_MS),
                ));
                if s.expose_access_token_to_frontend_in_cookie_based_auth {
                    m.set_header(ACCESS_TOKEN_HEADER, &state.token.raw);
                    m.expose_header(ACCESS_TOKEN_HEADER);
                }
            }
            TokenTransfer::Header => {
                m.set_header(ACCESS_TOKEN_HEADER, &state.token.raw);
                m.expose_header(ACCESS_TOKEN_HEADER);
            }
        }
    }

    /// Clears one transport's tokens (`clearSession`): empty expired cookies or empty
    /// headers, no `anti-csrf`, `front-token: remove`.
    pub fn clear_transport(&self, transfer: TokenTransfer, m: &mut ResponseMutations) {
        let s = &self.config().session;
        match transfer {
            TokenTransfer::Cookie => {
                m.set_cookie(self.cookie(ACCESS_TOKEN_COOKIE, "", &s.access_token_path, 0));
                m.set_cookie(self.cookie(REFRESH_TOKEN_COOKIE, "", &self.config().refresh_cookie_path(), 0));
            }
            TokenTransfer::Header => {
                m.set_header(ACCESS_TOKEN_HEADER, "");
                m.expose_header(ACCESS_TOKEN_HEADER);
                m.set_header(REFRESH_TOKEN_HEADER, "");
                m.expose_header(REFRESH_TOKEN_HEADER);
            }
        }
        m.remove_header(ANTI_CSRF_HEADER);
        m.set_header(FRONT_TOKEN_HEADER, "remove");
        m.expose_header(FRONT_TOKEN_HEADER);
    }

    fn clear_legacy_cookie(&self, m: &mut ResponseMutations) {
        // Old SDKs set it on the access-token path; a cookie is only removed on its own path.
        m.set_cookie(self.cookie(LEGACY_ID_REFRESH_COOKIE, "", &self.config().session.access_token_path, 0));
    }

    /// A `Set-Cookie` with the protocol's attributes (§3.5).
    fn cookie(&self, name: &str, value: &str, path: &str, expires_ms: u64) -> SetCookie {
        self.cookie_with_domain(name, value, path, expires_ms, self.config().session.cookie_domain.as_deref())
    }

    fn cookie_with_domain(
        &self,
        name: &str,
        value: &str,
        path: &str,
        expires_ms: u64,
        domain: Option<&str>,
    ) -> SetCookie {
        let s = &self.config().session;
        let mut h = format!("{name}={}", encode_component(value));
        if let Some(d) = domain.filter(|d| !d.is_empty()) {
            h.push_str("; Domain=");
            h.push_str(d);
        }
        h.push_str("; Path=");
        h.push_str(path);
        h.push_str("; Expires=");
        h.push_str(&http_date(expires_ms));
        h.push_str("; HttpOnly");
        if s.cookie_secure {
            h.push_str("; Secure");
        }
        h.push_str("; SameSite=");
        h.push_str(s.cookie_same_site.as_str());
        SetCookie { name: name.to_owned(), header: h }
    }

    /// The protocol's answer to an error (§6): status, body and token clearing. A
    /// `TOKEN_THEFT_DETECTED` also revokes the session. Errors that are not session errors
    /// answer 500 with a body that reveals nothing.
    ///
    /// This is [`Tessera::error_prelude`] followed by the SDKs' default error handler.
    pub fn error_response(&self, req: &HttpRequest, err: &Error) -> ResponseMutations {
        let s = &self.config().session;
        let mut m = self.error_prelude(req, err);
        let (status, body) = match err.kind() {
            ErrorKind::Unauthorised => (s.session_expired_status_code, json!({"message": "unauthorised"})),
            ErrorKind::TryRefreshToken => (s.session_expired_status_code, json!({"message": "try refresh token"})),
            ErrorKind::TokenTheftDetected => {
                if let (Ok(a), Some(h)) =
                    (self.authority(), err.payload().and_then(|p| p.get("sessionHandle")).and_then(Value::as_str))
                {
                    let _ = a.revoke_sessions(&[h.to_owned()]);
                }
                (s.session_expired_status_code, json!({"message": "token theft detected"}))
            }
            ErrorKind::InvalidClaims => (
                s.invalid_claim_status_code,
                json!({"message": "invalid claim", "claimValidationErrors": err.payload().cloned().unwrap_or(json!([]))}),
            ),
            ErrorKind::ClearDuplicateSessionCookies => (200, json!({"message": err.message()})),
            _ => (500, json!({"message": "Internal Server Error"})),
        };
        m.status = Some(status);
        m.body = Some(body);
        m
    }

    /// What the SDKs write to the response before an error reaches the app's error handler
    /// (`errorHandlers.onUnauthorised` and the others): token clearing for `UNAUTHORISED` with
    /// `clearTokens` and for `TOKEN_THEFT_DETECTED`, and the expiry of the `olderCookieDomain`
    /// cookies for `CLEAR_DUPLICATE_SESSION_COOKIES`. No status and no body: those are the
    /// handler's to choose. (A session whose refresh token was reused is revoked by the
    /// authority when it detects the theft, whatever answers the error.)
    pub fn error_prelude(&self, req: &HttpRequest, err: &Error) -> ResponseMutations {
        let s = &self.config().session;
        let mut m = ResponseMutations::default();
        if err.kind() == ErrorKind::ClearDuplicateSessionCookies {
            let cookies = req.cookie_header();
            let domain = s.older_cookie_domain.as_deref();
            if count_cookie(&cookies, ACCESS_TOKEN_COOKIE) > 1 {
                m.set_cookie(self.cookie_with_domain(ACCESS_TOKEN_COOKIE, "", &s.access_token_path, 0, domain));
            }
            if count_cookie(&cookies, REFRESH_TOKEN_COOKIE) > 1 {
                m.set_cookie(self.cookie_with_domain(
                    REFRESH_TOKEN_COOKIE,
                    "",
                    &self.config().refresh_cookie_path(),
                    0,
                    domain,
                ));
            }
        }
        if err.kind().is_session_error() && err.clear_tokens() {
            self.clear_transport(TokenTransfer::Cookie, &mut m);
            self.clear_transport(TokenTransfer::Header, &mut m);
            if get_cookie(&req.cookie_header(), LEGACY_ID_REFRESH_COOKIE).is_some() {
                self.clear_legacy_cookie(&mut m);
            }
        }
        m
    }

    /// Whether `req` is for one of the endpoints [`Tessera::handle_api_request`] serves, so
    /// that adapters can leave every other request alone without calling it.
    pub fn is_api_request(&self, req: &HttpRequest) -> bool {
        self.is_api_path(&req.method, &req.path)
    }

    /// [`Tessera::is_api_request`] on a method and a path alone.
    pub fn is_api_path(&self, method: &str, path: &str) -> bool {
        self.api_endpoint(method, path).is_some()
    }

    /// The prefix every path [`Tessera::api_endpoint`] accepts starts with, unless the path
    /// has one of [`crate::http::PATH_REWRITING_CHARS`]: `{apiBasePath}` as the app sees it.
    /// A binding whose every native call costs more than a string comparison checks
    /// `path.starts_with(prefix) || path.contains(any of those chars)` first and asks the
    /// core only then, with the same answers.
    pub fn api_path_prefix(&self) -> &str {
        &self.config().api_base_path
    }

    /// Which endpoint of [`Tessera::handle_api_request`] a method and path are for, if any;
    /// bindings whose app replaced an endpoint's API function (`override.apis`) serve that
    /// endpoint themselves. Every request of an app asks this, so it allocates nothing: the
    /// path is matched against `{apiBasePath}` and the endpoint's suffix rather than against
    /// paths built for the call.
    pub fn api_endpoint(&self, method: &str, path: &str) -> Option<ApiEndpoint> {
        let path = crate::http::bare_path(path);
        let rest = path.strip_prefix(self.config().api_base_path.as_str())?;
        if method.eq_ignore_ascii_case("post") {
            match rest {
                REFRESH_SUFFIX => Some(ApiEndpoint::Refresh),
                SIGNOUT_SUFFIX => Some(ApiEndpoint::SignOut),
                _ => None,
            }
        } else if method.eq_ignore_ascii_case("get") {
            match rest {
                JWKS_SUFFIX => Some(ApiEndpoint::Jwks),
                OPENID_CONFIGURATION_SUFFIX => Some(ApiEndpoint::OpenIdConfiguration),
                _ => None,
            }
        } else {
            None
        }
    }

    /// Serves the endpoints the frontend calls, if `req` is for one: `POST
    /// {apiBasePath}/session/refresh`, `POST {apiBasePath}/signout`, `GET
    /// {apiBasePath}/jwt/jwks.json` and `GET {apiBasePath}/.well-known/openid-configuration`
    /// (the SDKs give every app the OpenID recipe). `None` means the request is not for Tessera. The answer
    /// (errors included) is complete: status, body, headers and cookies.
    pub fn handle_api_request(&self, req: &HttpRequest, now_ms: u64) -> Option<ResponseMutations> {
        self.try_handle_api_request(req, now_ms).map(|outcome| outcome.unwrap_or_else(|e| self.error_response(req, &e)))
    }

    /// [`Tessera::handle_api_request`] with an endpoint's error returned rather than answered,
    /// for apps with their own error handlers (answer it with [`Tessera::error_prelude`] and
    /// the handler, or with [`Tessera::error_response`]).
    pub fn try_handle_api_request(&self, req: &HttpRequest, now_ms: u64) -> Option<Result<ResponseMutations>> {
        let outcome = match self.api_endpoint(&req.method, &req.path)? {
            ApiEndpoint::Refresh => self.refresh_session_in_request(req, now_ms).map(|(_, mut m)| {
                m.status = Some(200);
                m.body = Some(json!({}));
                m
            }),
            ApiEndpoint::SignOut => self.sign_out(req, now_ms),
            ApiEndpoint::Jwks => self.jwks(now_ms).map(|(doc, max_age)| {
                let mut m = ResponseMutations { status: Some(200), body: Some(doc), ..Default::default() };
                m.set_header("Cache-Control", &format!("max-age={max_age}, must-revalidate"));
                m.set_header("Access-Control-Allow-Origin", "*");
                m
            }),
            ApiEndpoint::OpenIdConfiguration => {
                let mut m = ResponseMutations {
                    status: Some(200),
                    body: Some(self.openid_discovery_configuration()),
                    ..Default::default()
                };
                m.set_header("Access-Control-Allow-Origin", "*");
                Ok(m)
            }
        };
        Some(outcome)
    }

    fn sign_out(&self, req: &HttpRequest, now_ms: u64) -> Result<ResponseMutations> {
        // The sign-out API gets the session as `getSession` does.
        let options = VerifyOptions { api_rules: false, ..VerifyOptions::default() };
        let (state, mut m) = self.verify_session(req, &options, now_ms)?;
        if let Some(state) = state {
            m.extend(self.revoke_session_in_request(&state)?);
        }
        m.status = Some(200);
        m.body = Some(json!({"status": "OK"}));
        Ok(m)
    }
}

fn has_duplicate_session_cookies(cookies: &str) -> bool {
    count_cookie(cookies, ACCESS_TOKEN_COOKIE) > 1 || count_cookie(cookies, REFRESH_TOKEN_COOKIE) > 1
}

/// Shared by bindings that return a session's tokens to users.
pub fn tokens_of(state: &SessionState) -> Value {
    json!({
        "accessToken": state.token.raw,
        "accessAndFrontTokenUpdated": state.access_token_updated,
        "refreshToken": state.refresh_token,
        "frontToken": state.front_token(),
        "antiCsrfToken": state.anti_csrf_token,
    })
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Tessera>();
    check::<Arc<Tessera>>();
}
