//! Configuration: what bindings pass in (camelCase JSON, the SuperTokens option names) and
//! the normalised form the engine uses. A wrong option fails here, naming the option.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::store::PostgresSettings;

/// Where the default embedded SQLite file lives, relative to the working directory, when no
/// connection URI is given. `TESSERA_SQLITE_PATH` overrides it.
pub const DEFAULT_SQLITE_PATH: &str = ".tessera/sessions.sqlite3";

/// The refresh endpoint's path below `{apiBasePath}`.
pub const REFRESH_SUFFIX: &str = "/session/refresh";
/// The sign-out endpoint's path below `{apiBasePath}`.
pub const SIGNOUT_SUFFIX: &str = "/signout";
/// The JWKS endpoint's path below `{apiBasePath}`.
pub const JWKS_SUFFIX: &str = "/jwt/jwks.json";
/// The OpenID discovery document's path below `{apiBasePath}`.
pub const OPENID_CONFIGURATION_SUFFIX: &str = "/.well-known/openid-configuration";

/// The configuration as users write it (supertokens-node's names, camelCase).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigInput {
    /// `appInfo`.
    pub app_info: AppInfoInput,
    /// `supertokens.connectionURI`: absent for the embedded SQLite default, `sqlite:PATH`,
    /// `postgresql://...` for a PostgreSQL database shared by several servers, or `http(s)://`
    /// SuperTokens core hosts separated by `;`.
    #[serde(default, rename = "connectionURI")]
    pub connection_uri: Option<String>,
    /// `supertokens.apiKey` (sent to nothing yet: JWKS fetches carry no key).
    #[serde(default)]
    pub api_key: Option<String>,
    /// The session recipe's options.
    #[serde(default)]
    pub session: SessionInput,
}

/// `appInfo`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppInfoInput {
    /// `appName`.
    #[serde(default)]
    pub app_name: String,
    /// `apiDomain`, e.g. `https://api.example.com` or `localhost:3001`.
    #[serde(default)]
    pub api_domain: String,
    /// `websiteDomain`.
    #[serde(default)]
    pub website_domain: Option<String>,
    /// `apiBasePath`, default `/auth`.
    #[serde(default)]
    pub api_base_path: Option<String>,
    /// `apiGatewayPath`, e.g. `/dev`: the prefix a gateway (an AWS API Gateway stage) strips
    /// from paths before the app sees them; default none.
    #[serde(default)]
    pub api_gateway_path: Option<String>,
    /// `websiteBasePath`, default `/auth` (kept for completeness; sessions do not use it).
    #[serde(default)]
    pub website_base_path: Option<String>,
}

/// The session recipe's options (`Session.init({...})`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionInput {
    /// `cookieSecure`: default true when apiDomain is https.
    pub cookie_secure: Option<bool>,
    /// `cookieSameSite`: `strict`, `lax` or `none`; default `none` across sites, else `lax`.
    pub cookie_same_site: Option<String>,
    /// `cookieDomain`: the Domain attribute of session cookies; default host-only.
    pub cookie_domain: Option<String>,
    /// `olderCookieDomain`: where to expire duplicate cookies from (`""`: host-only).
    pub older_cookie_domain: Option<String>,
    /// `sessionExpiredStatusCode`, default 401.
    pub session_expired_status_code: Option<u16>,
    /// `invalidClaimStatusCode`, default 403; must differ from the session-expired code.
    pub invalid_claim_status_code: Option<u16>,
    /// `antiCsrf`: `VIA_TOKEN`, `VIA_CUSTOM_HEADER` or `NONE`; default by SameSite.
    pub anti_csrf: Option<String>,
    /// `exposeAccessTokenToFrontendInCookieBasedAuth`, default false.
    pub expose_access_token_to_frontend_in_cookie_based_auth: Option<bool>,
    /// `useDynamicAccessTokenSigningKey`, default true.
    pub use_dynamic_access_token_signing_key: Option<bool>,
    /// `accessTokenPath`: the access cookie's Path, default `/`.
    pub access_token_path: Option<String>,
    /// `jwksRefreshIntervalSec`: remote JWKS cache lifetime, default 14400.
    pub jwks_refresh_interval_sec: Option<u64>,
    /// `getTokenTransferMethod` as a constant: `any`, `cookie` or `header`.
    pub token_transfer_method: Option<String>,
    /// Access-token validity in seconds (the core's `access_token_validity`), default 3600.
    pub access_token_validity: Option<u64>,
    /// Refresh-token validity in minutes (the core's `refresh_token_validity`), default 144000.
    pub refresh_token_validity: Option<u64>,
    /// Hours between dynamic signing keys, default 168.
    pub access_token_dynamic_signing_key_update_interval: Option<f64>,
    /// Grace window for the previous refresh token, seconds, default 30.
    pub refresh_token_rotation_grace_period: Option<u64>,
    /// How many verified tokens to remember; 0 turns the cache off. Default 10000.
    pub verified_token_cache_size: Option<usize>,
}

/// SameSite cookie attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None` (needs `Secure`).
    None,
}

impl SameSite {
    /// The attribute value as written in `Set-Cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// The anti-CSRF mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AntiCsrf {
    /// The access token carries a token the client echoes in the `anti-csrf` header.
    ViaToken,
    /// The client must send a custom header (`rid`).
    ViaCustomHeader,
    /// No check.
    None,
}

/// Which transports tokens may use (`getTokenTransferMethod`). As JSON: `"any"`, `"cookie"`
/// or `"header"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferMethodSetting {
    /// Either transport; create picks by `st-auth-mode`.
    Any,
    /// Cookies only.
    Cookie,
    /// Headers only.
    Header,
}

impl TransferMethodSetting {
    /// `any`, `cookie` or `header`, as `getTokenTransferMethod` returns them.
    ///
    /// # Errors
    /// `INVALID_INPUT` for any other string.
    pub fn parse(name: &str) -> Result<TransferMethodSetting> {
        match name {
            "any" => Ok(TransferMethodSetting::Any),
            "cookie" => Ok(TransferMethodSetting::Cookie),
            "header" => Ok(TransferMethodSetting::Header),
            other => Err(Error::input(format!(
                "tokenTransferMethod must be \"any\", \"cookie\" or \"header\", not {other:?}"
            ))),
        }
    }
}

/// A concrete transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenTransfer {
    /// `sAccessToken`/`sRefreshToken` cookies.
    Cookie,
    /// `Authorization: Bearer` in, `st-access-token`/`st-refresh-token` out.
    Header,
}

impl TokenTransfer {
    /// `cookie` or `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTransfer::Cookie => "cookie",
            TokenTransfer::Header => "header",
        }
    }

    /// The transport named by [`TokenTransfer::as_str`].
    ///
    /// # Errors
    /// `INVALID_INPUT` for any other name.
    pub fn parse(name: &str) -> Result<TokenTransfer> {
        match name {
            "cookie" => Ok(TokenTransfer::Cookie),
            "header" => Ok(TokenTransfer::Header),
            other => Err(Error::input(format!("a token transfer is \"cookie\" or \"header\", not {other:?}"))),
        }
    }
}

/// Where sessions and keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// The embedded authority on a SQLite file.
    Sqlite(PathBuf),
    /// The embedded authority on a private in-memory SQLite database.
    SqliteMemory,
    /// The embedded authority on a PostgreSQL database.
    Postgres(PostgresUri),
    /// Verification only, with keys from these SuperTokens core hosts' JWKS.
    Remote(Vec<String>),
}

/// A `postgresql://` connection URI, checked when the configuration is read. Its `Debug` form
/// hides the password, since engines and configs get printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUri(String);

impl PostgresUri {
    /// Checks `uri` (see [`PostgresSettings`] for the parameters Tessera reads).
    ///
    /// # Errors
    /// `INVALID_CONFIG` naming what is wrong.
    pub fn parse(uri: &str) -> Result<PostgresUri> {
        PostgresSettings::parse(uri)?;
        Ok(PostgresUri(uri.to_owned()))
    }

    /// The URI as given, password included: for connecting, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PostgresUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match PostgresSettings::parse(&self.0) {
            Ok(settings) => settings.fmt(f),
            Err(_) => f.write_str("PostgresUri(<invalid>)"),
        }
    }
}

/// A normalised origin: scheme, host and optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// Lowercase host name or IP.
    pub host: String,
    /// `scheme://host[:port]`.
    pub origin: String,
}

/// The normalised configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `appInfo.appName`.
    pub app_name: String,
    /// `appInfo.apiDomain`, normalised.
    pub api_domain: Origin,
    /// `appInfo.websiteDomain`, normalised.
    pub website_domain: Option<Origin>,
    /// `appInfo.apiBasePath`, as the app's router sees it (no gateway prefix). Normalised:
    /// leading `/`, no trailing `/`; empty for the root.
    pub api_base_path: String,
    /// `appInfo.apiGatewayPath`, normalised as `api_base_path`; empty without a gateway.
    pub api_gateway_path: String,
    /// Where sessions and keys come from.
    pub connection: Connection,
    /// The session options.
    pub session: SessionConfig,
}

/// Normalised session options.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Whether cookies carry `Secure`.
    pub cookie_secure: bool,
    /// The SameSite attribute of session cookies.
    pub cookie_same_site: SameSite,
    /// The Domain attribute, normalised; `None` for host-only cookies.
    pub cookie_domain: Option<String>,
    /// Where duplicate cookies are expired from on refresh.
    pub older_cookie_domain: Option<String>,
    /// Status of UNAUTHORISED, TRY_REFRESH_TOKEN and TOKEN_THEFT_DETECTED answers.
    pub session_expired_status_code: u16,
    /// Status of INVALID_CLAIMS answers.
    pub invalid_claim_status_code: u16,
    /// The anti-CSRF mode.
    pub anti_csrf: AntiCsrf,
    /// Also send `st-access-token` in cookie mode.
    pub expose_access_token_to_frontend_in_cookie_based_auth: bool,
    /// Sign with rotating (`d-`) keys rather than the static (`s-`) key.
    pub use_dynamic_access_token_signing_key: bool,
    /// Path of the access-token cookie.
    pub access_token_path: String,
    /// Remote JWKS cache lifetime, seconds.
    pub jwks_refresh_interval_sec: u64,
    /// Which transports tokens may use.
    pub token_transfer_method: TransferMethodSetting,
    /// Access-token lifetime, ms.
    pub access_token_validity_ms: u64,
    /// Refresh-token (session) lifetime, ms.
    pub refresh_token_validity_ms: u64,
    /// A new dynamic signing key every this many ms.
    pub signing_key_update_interval_ms: u64,
    /// How long the previous refresh token is accepted again, ms.
    pub refresh_token_grace_ms: u64,
    /// Capacity of the verified-token cache; 0 turns it off.
    pub verified_token_cache_size: usize,
    /// Why sessions cannot be created in cookie mode with these settings, if they cannot.
    pub cookie_misconfiguration: Option<String>,
}

impl Config {
    /// Parses and normalises a JSON configuration.
    ///
    /// # Errors
    /// `INVALID_CONFIG` naming the option that is wrong or unknown.
    pub fn from_json(json: &str) -> Result<Config> {
        // The path names the option even when only its type is wrong.
        let mut de = serde_json::Deserializer::from_str(json);
        let input: ConfigInput = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                Error::config(format!("invalid configuration: {inner}"))
            } else {
                Error::config(format!("invalid configuration option {path}: {inner}"))
            }
        })?;
        Config::from_input(input)
    }

    /// Normalises a parsed configuration.
    ///
    /// # Errors
    /// `INVALID_CONFIG` naming the option that is wrong.
    pub fn from_input(input: ConfigInput) -> Result<Config> {
        let ConfigInput { app_info, connection_uri, api_key: _, session: s } = input;
        if app_info.api_domain.trim().is_empty() {
            return Err(Error::config("appInfo.apiDomain is required"));
        }
        let api_domain = normalise_origin(&app_info.api_domain, "appInfo.apiDomain")?;
        let website_domain = match &app_info.website_domain {
            Some(w) if !w.trim().is_empty() => Some(normalise_origin(w, "appInfo.websiteDomain")?),
            _ => None,
        };
        let api_base_path =
            normalise_path(app_info.api_base_path.as_deref().unwrap_or("/auth"), "appInfo.apiBasePath")?;
        let api_gateway_path =
            normalise_path(app_info.api_gateway_path.as_deref().unwrap_or(""), "appInfo.apiGatewayPath")?;
        let connection = parse_connection(connection_uri.as_deref())?;

        let cookie_secure = s.cookie_secure.unwrap_or(api_domain.scheme == "https");
        let cookie_same_site = match s.cookie_same_site.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("strict") => SameSite::Strict,
            Some("lax") => SameSite::Lax,
            Some("none") => SameSite::None,
            Some(other) => {
                return Err(Error::config(format!(
                    "cookieSameSite must be one of \"strict\", \"lax\" or \"none\", not {other:?}"
                )))
            }
            None => default_same_site(&api_domain, website_domain.as_ref()),
        };
        // As in the SDKs this only fails sessions created in cookie mode, so a header-only
        // API with these settings still works.
        let both_local = is_local(&api_domain.host) && website_domain.as_ref().is_none_or(|w| is_local(&w.host));
        let cookie_misconfiguration = (cookie_same_site == SameSite::None && !cookie_secure && !both_local).then(|| {
            "Since your API and website domain are different, for sessions to work, please use https on your apiDomain and don't set cookieSecure to false (cookieSameSite \"none\" needs Secure cookies)".to_owned()
        });
        let cookie_domain = match &s.cookie_domain {
            Some(d) => Some(normalise_session_scope(d, "cookieDomain")?),
            None => None,
        };
        let older_cookie_domain = match &s.older_cookie_domain {
            Some(d) if d.is_empty() => Some(String::new()),
            Some(d) => Some(normalise_session_scope(d, "olderCookieDomain")?),
            None => None,
        };
        let session_expired_status_code = s.session_expired_status_code.unwrap_or(401);
        let invalid_claim_status_code = s.invalid_claim_status_code.unwrap_or(403);
        for (name, code) in [
            ("sessionExpiredStatusCode", session_expired_status_code),
            ("invalidClaimStatusCode", invalid_claim_status_code),
        ] {
            if !(400..=599).contains(&code) {
                return Err(Error::config(format!("{name} must be an HTTP error status (400-599), not {code}")));
            }
        }
        if session_expired_status_code == invalid_claim_status_code {
            return Err(Error::config("sessionExpiredStatusCode and invalidClaimStatusCode cannot be the same"));
        }
        let anti_csrf = match s.anti_csrf.as_deref() {
            Some("VIA_TOKEN") => AntiCsrf::ViaToken,
            Some("VIA_CUSTOM_HEADER") => AntiCsrf::ViaCustomHeader,
            Some("NONE") => AntiCsrf::None,
            Some(other) => {
                return Err(Error::config(format!(
                    "antiCsrf must be one of \"VIA_TOKEN\", \"VIA_CUSTOM_HEADER\" or \"NONE\", not {other:?}"
                )))
            }
            None if cookie_same_site == SameSite::None => AntiCsrf::ViaCustomHeader,
            None => AntiCsrf::None,
        };
        let token_transfer_method = match s.token_transfer_method.as_deref() {
            None => TransferMethodSetting::Any,
            Some(name) => TransferMethodSetting::parse(name).map_err(|e| Error::config(e.message()))?,
        };
        let access_token_path = normalise_path(s.access_token_path.as_deref().unwrap_or("/"), "accessTokenPath")?;
        let access_token_path = if access_token_path.is_empty() { "/".to_owned() } else { access_token_path };
        let access_token_validity_s = s.access_token_validity.unwrap_or(3600);
        if access_token_validity_s == 0 || access_token_validity_s > 10 * 365 * 86_400 {
            return Err(Error::config("accessTokenValidity must be between 1 second and 10 years"));
        }
        let refresh_token_validity_min = s.refresh_token_validity.unwrap_or(144_000);
        if refresh_token_validity_min == 0 || refresh_token_validity_min > 100 * 365 * 1440 {
            return Err(Error::config("refreshTokenValidity must be between 1 minute and 100 years"));
        }
        let refresh_token_validity_ms = refresh_token_validity_min * 60_000;
        let access_token_validity_ms = access_token_validity_s * 1000;
        if access_token_validity_ms > refresh_token_validity_ms {
            return Err(Error::config("accessTokenValidity must not be longer than refreshTokenValidity"));
        }
        let interval_h = s.access_token_dynamic_signing_key_update_interval.unwrap_or(168.0);
        if !interval_h.is_finite() || interval_h <= 0.0 || interval_h > 24.0 * 365.0 * 10.0 {
            return Err(Error::config("accessTokenDynamicSigningKeyUpdateInterval must be a positive number of hours"));
        }
        let jwks_refresh_interval_sec = s.jwks_refresh_interval_sec.unwrap_or(4 * 3600);
        if jwks_refresh_interval_sec == 0 {
            return Err(Error::config("jwksRefreshIntervalSec must be at least 1"));
        }
        Ok(Config {
            app_name: app_info.app_name,
            api_domain,
            website_domain,
            api_base_path,
            api_gateway_path,
            connection,
            session: SessionConfig {
                cookie_secure,
                cookie_same_site,
                cookie_domain,
                older_cookie_domain,
                session_expired_status_code,
                invalid_claim_status_code,
                anti_csrf,
                expose_access_token_to_frontend_in_cookie_based_auth: s
                    .expose_access_token_to_frontend_in_cookie_based_auth
                    .unwrap_or(false),
                use_dynamic_access_token_signing_key: s.use_dynamic_access_token_signing_key.unwrap_or(true),
                access_token_path,
                jwks_refresh_interval_sec,
                token_transfer_method,
                access_token_validity_ms,
                refresh_token_validity_ms,
                signing_key_update_interval_ms: (interval_h * 3_600_000.0) as u64,
                refresh_token_grace_ms: s.refresh_token_rotation_grace_period.unwrap_or(30) * 1000,
                verified_token_cache_size: s.verified_token_cache_size.unwrap_or(10_000),
                cookie_misconfiguration,
            },
        })
    }

    /// The API's base path as browsers see it: apiGatewayPath + apiBasePath (the SDKs'
    /// normalised `apiBasePath`).
    pub fn public_base_path(&self) -> String {
        format!("{}{}", self.api_gateway_path, self.api_base_path)
    }

    /// The issuer written into new access tokens: apiDomain + apiGatewayPath + apiBasePath.
    pub fn issuer(&self) -> String {
        format!("{}{}", self.api_domain.origin, self.public_base_path())
    }

    /// `{apiBasePath}/session/refresh` as the app sees it: the refresh endpoint's route.
    pub fn refresh_path(&self) -> String {
        format!("{}{}", self.api_base_path, REFRESH_SUFFIX)
    }

    /// The refresh cookie's path: the refresh endpoint as browsers call it, through the
    /// gateway if there is one.
    pub fn refresh_cookie_path(&self) -> String {
        format!("{}{}", self.public_base_path(), REFRESH_SUFFIX)
    }

    /// `{apiBasePath}/signout`.
    pub fn signout_path(&self) -> String {
        format!("{}{}", self.api_base_path, SIGNOUT_SUFFIX)
    }

    /// `{apiBasePath}/jwt/jwks.json`.
    pub fn jwks_path(&self) -> String {
        format!("{}{}", self.api_base_path, JWKS_SUFFIX)
    }

    /// The session options as this engine applies them, defaults filled in and values
    /// normalised, under the SDKs' camelCase names: what supertokens-golang's
    /// `TypeNormalisedInput` (and supertokens-node's and -python's normalised config) hold, so
    /// that a binding exposing it reads it here instead of repeating the defaults.
    /// `cookieSameSite` and `antiCsrf` are written as those SDKs write them (`"lax"`,
    /// `"VIA_TOKEN"`); `refreshTokenPath` is the refresh endpoint as browsers call it.
    pub fn normalised_session_options(&self) -> serde_json::Value {
        let s = &self.session;
        serde_json::json!({
            "refreshTokenPath": self.refresh_cookie_path(),
            "accessTokenPath": s.access_token_path,
            "cookieDomain": s.cookie_domain,
            "olderCookieDomain": s.older_cookie_domain,
            "cookieSameSite": s.cookie_same_site.as_str().to_ascii_lowercase(),
            "cookieSecure": s.cookie_secure,
            "sessionExpiredStatusCode": s.session_expired_status_code,
            "invalidClaimStatusCode": s.invalid_claim_status_code,
            "antiCsrf": match s.anti_csrf {
                AntiCsrf::ViaToken => "VIA_TOKEN",
                AntiCsrf::ViaCustomHeader => "VIA_CUSTOM_HEADER",
                AntiCsrf::None => "NONE",
            },
            "exposeAccessTokenToFrontendInCookieBasedAuth": s.expose_access_token_to_frontend_in_cookie_based_auth,
            "useDynamicAccessTokenSigningKey": s.use_dynamic_access_token_signing_key,
            "jwksRefreshIntervalSec": s.jwks_refresh_interval_sec,
            "tokenTransferMethod": s.token_transfer_method,
        })
    }
}

fn parse_connection(uri: Option<&str>) -> Result<Connection> {
    let Some(uri) = uri.map(str::trim).filter(|u| !u.is_empty()) else {
        let path = std::env::var_os("TESSERA_SQLITE_PATH")
            .filter(|p| !p.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_SQLITE_PATH), PathBuf::from);
        return Ok(Connection::Sqlite(path));
    };
    if let Some(path) = uri.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        return match path {
            "" => Err(Error::config("connectionURI \"sqlite:\" needs a path, e.g. sqlite:/var/lib/app/sessions.db")),
            ":memory:" => Ok(Connection::SqliteMemory),
            p => Ok(Connection::Sqlite(PathBuf::from(p))),
        };
    }
    if uri == ":memory:" {
        return Ok(Connection::SqliteMemory);
    }
    if uri.starts_with("postgres://") || uri.starts_with("postgresql://") {
        return PostgresUri::parse(uri).map(Connection::Postgres);
    }
    let mut hosts = Vec::new();
    for part in uri.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        let rest = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://")).ok_or_else(|| {
            Error::config(format!("connectionURI {part:?} must start with http://, https://, sqlite: or postgresql://"))
        })?;
        if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) {
            return Err(Error::config(format!("connectionURI {part:?} has no host")));
        }
        hosts.push(part.trim_end_matches('/').to_owned());
    }
    if hosts.is_empty() {
        return Err(Error::config("connectionURI has no host"));
    }
    Ok(Connection::Remote(hosts))
}

/// Splits `input` into (scheme, host, port) leniently, as URL parsers do for these options.
fn split_url(input: &str) -> Option<(Option<String>, String, Option<u16>)> {
    let s = input.trim();
    let (scheme, rest) = match s.find("://") {
        Some(i) => (Some(s.get(..i)?.to_ascii_lowercase()), s.get(i + 3..)?),
        None => (None, s),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']')?;
        let host = format!("[{}]", v6.get(..end)?);
        let port = v6.get(end + 1..)?.strip_prefix(':');
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    let port = match port {
        Some("") | None => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    let host = host.to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':'));
    valid.then_some((scheme, host, port))
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

fn is_local(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || is_ip(host)
}

fn normalise_origin(input: &str, option: &str) -> Result<Origin> {
    let (scheme, host, port) =
        split_url(input).ok_or_else(|| Error::config(format!("{option} {input:?} is not a valid domain")))?;
    let scheme = match scheme.as_deref() {
        Some("http") => "http".to_owned(),
        Some("https") => "https".to_owned(),
        Some(other) => return Err(Error::config(format!("{option} has an unsupported scheme {other:?}"))),
        None if is_local(&host) => "http".to_owned(),
        None => "https".to_owned(),
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let origin = match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    };
    Ok(Origin { scheme, host, origin })
}

fn normalise_path(input: &str, option: &str) -> Result<String> {
    let p = input.trim();
    if p.contains(['?', '#', ' ']) || p.contains("://") {
        return Err(Error::config(format!("{option} {input:?} must be a path like /auth")));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    Ok(if trimmed.starts_with('/') { trimmed.to_owned() } else { format!("/{trimmed}") })
}

/// supertokens-node's `normaliseSessionScopeOrThrowError`: lowercase host, leading dot kept
/// unless the host is localhost or an IP.
///
/// # Errors
/// `INVALID_CONFIG` naming `option` when the value is not a host.
pub fn normalise_session_scope(input: &str, option: &str) -> Result<String> {
    let trimmed = input.trim().to_ascii_lowercase();
    let had_dot = trimmed.starts_with('.');
    let no_dot = trimmed.strip_prefix('.').unwrap_or(&trimmed);
    let (_, host, _) = split_url(no_dot)
        .filter(|(scheme, _, _)| scheme.as_deref().is_none_or(|s| s == "http" || s == "https"))
        .ok_or_else(|| Error::config(format!("{option} {input:?} is not a valid domain")))?;
    if host == "localhost" || is_ip(&host) || !had_dot {
        Ok(host)
    } else {
        Ok(format!(".{host}"))
    }
}

/// The registrable part of a host, approximated by its last two labels (IPs and single-label
/// hosts are compared whole).
fn top_level_domain(host: &str) -> &str {
    if is_ip(host) {
        return host;
    }
    let mut dots = host.rmatch_indices('.');
    dots.next();
    match dots.next() {
        Some((i, _)) => host.get(i + 1..).unwrap_or(host),
        None => host,
    }
}

fn default_same_site(api: &Origin, website: Option<&Origin>) -> SameSite {
    match website {
        Some(w) if top_level_domain(&w.host) != top_level_domain(&api.host) || w.scheme != api.scheme => SameSite::None,
        _ => SameSite::Lax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> Result<Config> {
        Config::from_json(json)
    }

    #[test]
    fn normalised_session_options_are_what_the_engine_applies() {
        let c = cfg(r#"{"appInfo":{"appName":"a","apiDomain":"https://api.example.com","websiteDomain":"https://example.org","apiGatewayPath":"/dev"},"session":{"cookieDomain":"Example.com","tokenTransferMethod":"header"}}"#).unwrap();
        assert_eq!(
            c.normalised_session_options(),
            serde_json::json!({
                "refreshTokenPath": "/dev/auth/session/refresh",
                "accessTokenPath": "/",
                "cookieDomain": "example.com",
                "olderCookieDomain": null,
                "cookieSameSite": "none",
                "cookieSecure": true,
                "sessionExpiredStatusCode": 401,
                "invalidClaimStatusCode": 403,
                "antiCsrf": "VIA_CUSTOM_HEADER",
                "exposeAccessTokenToFrontendInCookieBasedAuth": false,
                "useDynamicAccessTokenSigningKey": true,
                "jwksRefreshIntervalSec": 14400,
                "tokenTransferMethod": "header",
            })
        );
    }

    #[test]
    fn defaults() {
        let c = cfg(r#"{"appInfo":{"appName":"a","apiDomain":"https://api.example.com","websiteDomain":"https://example.com"}}"#).unwrap();
        assert_eq!(c.api_base_path, "/auth");
        assert_eq!(c.refresh_path(), "/auth/session/refresh");
        assert_eq!(c.issuer(), "https://api.example.com/auth");
        assert!(c.session.cookie_secure);
        assert_eq!(c.session.cookie_same_site, SameSite::Lax);
        assert_eq!(c.session.anti_csrf, AntiCsrf::None);
        assert_eq!(c.session.session_expired_status_code, 401);
        assert_eq!(c.session.invalid_claim_status_code, 403);
        assert_eq!(c.session.access_token_validity_ms, 3_600_000);
        assert_eq!(c.session.refresh_token_validity_ms, 100 * 86_400_000);
        assert_eq!(c.session.signing_key_update_interval_ms, 168 * 3_600_000);
        assert_eq!(c.session.access_token_path, "/");
        assert!(matches!(c.connection, Connection::Sqlite(_)));
    }

    #[test]
    fn cross_site_defaults_to_none_and_custom_header() {
        let c = cfg(r#"{"appInfo":{"apiDomain":"https://api.a.com","websiteDomain":"https://b.com"}}"#).unwrap();
        assert_eq!(c.session.cookie_same_site, SameSite::None);
        assert_eq!(c.session.anti_csrf, AntiCsrf::ViaCustomHeader);
        let c = cfg(r#"{"appInfo":{"apiDomain":"http://api.a.com","websiteDomain":"https://b.com"}}"#).unwrap();
        assert!(c.session.cookie_misconfiguration.as_deref().is_some_and(|m| m.contains("cookieSecure")));
        let local =
            cfg(r#"{"appInfo":{"apiDomain":"localhost:3001","websiteDomain":"http://127.0.0.1:3000"}}"#).unwrap();
        assert_eq!(local.api_domain.origin, "http://localhost:3001");
    }

    #[test]
    fn wrong_options_are_named() {
        for (json, needle) in [
            (
                r#"{"appInfo":{"apiDomain":"x.com"},"session":{"sessionExpiredStatusCode":403}}"#,
                "sessionExpiredStatusCode",
            ),
            (r#"{"appInfo":{"apiDomain":"x.com"},"session":{"antiCsrf":"X"}}"#, "antiCsrf"),
            (r#"{"appInfo":{"apiDomain":"x.com"},"session":{"cookieSameSite":"loose"}}"#, "cookieSameSite"),
            (r#"{"appInfo":{"apiDomain":"x.com"},"session":{"bogus":1}}"#, "bogus"),
            (r#"{"appInfo":{"apiDomain":"x.com"},"session":{"cookieSecure":"yes"}}"#, "session.cookieSecure"),
            (r#"{"appInfo":{"apiDomain":""}}"#, "apiDomain"),
            (r#"{"appInfo":{"apiDomain":"x.com"},"connectionURI":"ftp://x"}"#, "connectionURI"),
            (r#"{"appInfo":{"apiDomain":"x.com"},"session":{"cookieDomain":""}}"#, "cookieDomain"),
        ] {
            let e = cfg(json).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidConfig);
            assert!(e.message().contains(needle), "{needle}: {e}");
        }
    }

    #[test]
    fn connection_uris() {
        assert_eq!(parse_connection(Some("sqlite::memory:")).unwrap(), Connection::SqliteMemory);
        assert_eq!(parse_connection(Some("sqlite:/tmp/x.db")).unwrap(), Connection::Sqlite("/tmp/x.db".into()));
        assert_eq!(
            parse_connection(Some("http://a:3567; https://b/base/")).unwrap(),
            Connection::Remote(vec!["http://a:3567".into(), "https://b/base".into()])
        );
        assert!(parse_connection(Some("http://")).is_err());
        for uri in ["postgresql://app:secret@db.internal:5433/sessions?pool_size=4", "postgres://localhost/x"] {
            let Connection::Postgres(pg) = parse_connection(Some(uri)).unwrap() else { panic!("{uri}") };
            assert_eq!(pg.expose(), uri);
            assert!(!format!("{pg:?}").contains("secret"), "{pg:?}");
        }
        for (uri, needle) in [
            ("postgresql://h/db?pool_size=0", "pool_size"),
            ("postgresql://h/db?pool_size=many", "pool_size"),
            ("postgresql://h/db?statement_timeout=-1", "statement_timeout"),
            ("postgresql://h/db?bogus=1", "bogus"),
            ("postgresql://h/db?sslmode=require", "sslmode"),
        ] {
            let e = parse_connection(Some(uri)).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidConfig, "{uri}");
            assert!(e.message().contains(needle), "{uri}: {e}");
        }
    }

    #[test]
    fn session_scope() {
        let n = |s| normalise_session_scope(s, "cookieDomain").unwrap();
        assert_eq!(n(" .Example.com "), ".example.com");
        assert_eq!(n("example.com"), "example.com");
        assert_eq!(n("https://sub.example.com/x"), "sub.example.com");
        assert_eq!(n(".localhost"), "localhost");
        assert_eq!(n(".127.0.0.1"), "127.0.0.1");
        assert_eq!(n("http://a.b.example.com:3000"), "a.b.example.com");
        assert!(normalise_session_scope("", "cookieDomain").is_err());
    }
}
