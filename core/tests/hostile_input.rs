//! Hostile input: arbitrary requests (methods, paths, header names and values, cookies,
//! bearer tokens, `st-auth-mode`, `anti-csrf`, `rid`), arbitrary tokens and arbitrary JWKS
//! documents. Nothing may panic; every answer is a protocol answer (401/403 for session
//! errors with the default status codes, 200, or 500) whose body reveals nothing about the
//! implementation; and no forged token ever yields a session.
//!
//! Each case starts from a real session (made on the same engine) and sometimes splices its
//! real tokens, or forgeries built from them, into the request so that the deeper paths
//! (signature checks, anti-CSRF, refresh rotation, theft detection, sign-out) are reached.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};
use tessera_core::b64;
use tessera_core::config::Config;
use tessera_core::engine::now_ms;
use tessera_core::http::{HttpRequest, ResponseMutations};
use tessera_core::keys::KeySet;
use tessera_core::protocol::VerifyOptions;
use tessera_core::{token, ErrorKind, Tessera};

const USER: &str = "user-1";

// ---------------------------------------------------------------------------------------
// Engines, built once per configuration.

fn config_json(session: Value) -> String {
    json!({
        "appInfo": {"appName": "hostile", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
        "connectionURI": "sqlite::memory:",
        "session": session,
    })
    .to_string()
}

/// An engine and how to mint real sessions for it.
struct World {
    engine: Tessera,
    /// The engine that mints sessions whose tokens `engine` accepts (itself, or the embedded
    /// engine whose keys a fixed-key-set engine trusts).
    minter: Option<&'static Tessera>,
    anti_csrf: bool,
}

impl World {
    fn embedded(session: Value, anti_csrf: bool) -> World {
        let engine = Tessera::from_json(&config_json(session)).unwrap();
        // Make the signing key up front, outside every timed case.
        engine
            .create_new_session_without_request_response("public", USER, Map::new(), Map::new(), true, now_ms())
            .unwrap();
        World { engine, minter: None, anti_csrf }
    }

    fn minter(&self) -> &Tessera {
        self.minter.unwrap_or(&self.engine)
    }

    /// A fresh real session, valid for an hour.
    fn session(&self) -> Real {
        let s = self
            .minter()
            .create_new_session_without_request_response(
                "public",
                USER,
                obj(json!({"role": "admin"})),
                Map::new(),
                !self.anti_csrf,
                now_ms(),
            )
            .unwrap();
        Real {
            access: s.token.raw.clone(),
            refresh: s.refresh_token.clone().unwrap(),
            anti_csrf: s.anti_csrf_token.clone().unwrap_or_else(|| "no-anti-csrf".into()),
        }
    }
}

/// Default configuration: any transport, anti-CSRF off (same-site domains).
static DEFAULT: LazyLock<World> = LazyLock::new(|| World::embedded(json!({}), false));
/// Anti-CSRF via token, cookie domains with an older domain to clear.
static VIA_TOKEN: LazyLock<World> = LazyLock::new(|| {
    World::embedded(
        json!({"antiCsrf": "VIA_TOKEN", "cookieDomain": ".example.com", "olderCookieDomain": ".api.example.com"}),
        true,
    )
});
/// Anti-CSRF via the `rid` header, cookies only, a small verified-token cache.
static CUSTOM_HEADER: LazyLock<World> = LazyLock::new(|| {
    World::embedded(
        json!({"antiCsrf": "VIA_CUSTOM_HEADER", "tokenTransferMethod": "cookie", "verifiedTokenCacheSize": 4}),
        false,
    )
});
/// Verification only: the default engine's keys as a fixed key set, header transport, no cache.
static FIXED: LazyLock<World> = LazyLock::new(|| {
    let minter = &DEFAULT.engine;
    let jwks = serde_json::to_vec(&minter.jwks(now_ms()).unwrap().0).unwrap();
    let config =
        Config::from_json(&config_json(json!({"tokenTransferMethod": "header", "verifiedTokenCacheSize": 0}))).unwrap();
    World {
        engine: Tessera::with_key_set(config, KeySet::from_jwks_json(&jwks).unwrap()),
        minter: Some(minter),
        anti_csrf: false,
    }
});

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// A real session's tokens.
struct Real {
    access: String,
    refresh: String,
    anti_csrf: String,
}

// ---------------------------------------------------------------------------------------
// Hostile values, resolved against a real session when a case runs.

/// A JSON override of one member: `None` removes it.
type Override = Option<(String, Option<Value>)>;

#[derive(Debug, Clone)]
enum Sig {
    Real,
    Empty,
    Bytes(Vec<u8>),
    Text(String),
}

/// An access token rebuilt from the real one with one header member and one payload member
/// changed, re-encoded (base64url, or padded standard base64), with some signature.
#[derive(Debug, Clone)]
struct Forged {
    legacy_header: bool,
    header: Override,
    payload: Override,
    padded: bool,
    sig: Sig,
}

#[derive(Debug, Clone)]
enum Val {
    Lit(String),
    Access,
    Refresh,
    AntiCsrf,
    /// The real access token with the char at `idx % len` replaced.
    AccessFlip(usize, char),
    /// The real access token cut to `idx % len` bytes (at a char boundary) plus a suffix.
    AccessCut(usize, String),
    Forged(Box<Forged>),
    /// `n` copies of a char.
    Long(char, usize),
}

#[derive(Debug, Clone, Copy)]
enum Wrap {
    Plain,
    Percent,
    Quoted,
    Spaced,
}

#[derive(Debug, Clone)]
struct Hv(Val, Wrap);

impl Hv {
    fn resolve(&self, real: &Real) -> String {
        let v = self.0.resolve(real);
        match self.1 {
            Wrap::Plain => v,
            Wrap::Percent => tessera_core::http::encode_component(&v),
            Wrap::Quoted => format!("\"{v}\""),
            Wrap::Spaced => format!("  {v} "),
        }
    }
}

impl Val {
    fn resolve(&self, real: &Real) -> String {
        match self {
            Val::Lit(s) => s.clone(),
            Val::Access => real.access.clone(),
            Val::Refresh => real.refresh.clone(),
            Val::AntiCsrf => real.anti_csrf.clone(),
            Val::AccessFlip(idx, c) => {
                let mut chars: Vec<char> = real.access.chars().collect();
                let i = idx % chars.len();
                chars[i] = *c;
                chars.into_iter().collect()
            }
            Val::AccessCut(idx, suffix) => {
                let mut i = idx % (real.access.len() + 1);
                while !real.access.is_char_boundary(i) {
                    i -= 1;
                }
                format!("{}{suffix}", &real.access[..i])
            }
            Val::Forged(f) => f.resolve(&real.access),
            Val::Long(c, n) => std::iter::repeat_n(*c, *n).collect(),
        }
    }
}

fn apply(map: &mut Map<String, Value>, o: &Override) {
    match o {
        Some((k, Some(v))) => {
            map.insert(k.clone(), v.clone());
        }
        Some((k, None)) => {
            map.remove(k);
        }
        None => {}
    }
}

impl Forged {
    fn resolve(&self, real_access: &str) -> String {
        let mut parts = real_access.split('.');
        let (h, p, s) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let decode = |seg: &str| obj(serde_json::from_slice(&b64::decode_lenient(seg.as_bytes()).unwrap()).unwrap());
        let encode = |bytes: &[u8]| {
            if self.padded {
                b64::encode_standard(bytes)
            } else {
                b64::encode_url(bytes)
            }
        };
        let header = if self.legacy_header {
            token::V2_HEADER.to_owned()
        } else {
            let mut m = decode(h);
            apply(&mut m, &self.header);
            encode(Value::Object(m).to_string().as_bytes())
        };
        let mut payload = decode(p);
        apply(&mut payload, &self.payload);
        let payload = encode(Value::Object(payload).to_string().as_bytes());
        let sig = match &self.sig {
            Sig::Real => s.to_owned(),
            Sig::Empty => String::new(),
            Sig::Bytes(b) => encode(b),
            Sig::Text(t) => t.clone(),
        };
        format!("{header}.{payload}.{sig}")
    }
}

fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        select(vec![1e308, -1e308, 1e-300, 0.5, -0.0, 9_007_199_254_740_993.0, 4_102_444_800.0, 1.7e12])
            .prop_map(|f| json!(f)),
        select(vec![
            "5",
            "4",
            "3",
            "2",
            " 4x",
            "-1",
            "+6",
            "99999999999999999999",
            "",
            "RS256",
            "none",
            "HS256",
            "JWT",
            "d-1"
        ])
        .prop_map(|s| json!(s)),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("[a-z]{0,6}", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

fn override_of(names: &'static [&'static str]) -> impl Strategy<Value = Override> {
    let name = prop_oneof![4 => select(names).prop_map(str::to_owned), 1 => ".{0,8}"];
    proptest::option::weighted(0.8, (name, proptest::option::weighted(0.85, json_value())))
}

fn forged() -> BoxedStrategy<Forged> {
    let header_names: &'static [&'static str] = &["kid", "typ", "version", "alg", "crit", "jku", "b64"];
    let payload_names: &'static [&'static str] = &[
        "exp",
        "iat",
        "nbf",
        "sub",
        "rsub",
        "tId",
        "stt",
        "sessionHandle",
        "refreshTokenHash1",
        "parentRefreshTokenHash1",
        "antiCsrfToken",
        "userId",
        "userData",
        "expiryTime",
        "timeCreated",
    ];
    let sig = prop_oneof![
        3 => Just(Sig::Real),
        1 => Just(Sig::Empty),
        1 => vec(any::<u8>(), 0..300).prop_map(Sig::Bytes),
        1 => "[A-Za-z0-9+/=_.-]{0,400}".prop_map(Sig::Text),
    ];
    (proptest::bool::weighted(0.1), override_of(header_names), override_of(payload_names), any::<bool>(), sig)
        .prop_map(|(legacy_header, header, payload, padded, sig)| Forged {
            legacy_header,
            header,
            payload,
            padded,
            sig,
        })
        .boxed()
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Arbitrary text: unicode, lossy non-UTF-8 bytes, cookie syntax, base64-looking JWTs.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        ".{0,40}",
        vec(any::<u8>(), 0..80).prop_map(lossy),
        "[;=%\" a-zA-Z0-9._~+/,-]{0,80}",
        "[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}",
        "[A-Za-z0-9+/=]{0,60}\\.[A-Za-z0-9+/=]{0,60}\\.[A-Za-z0-9+/=]{0,60}\\.[A-Za-z0-9+/=]{0,10}",
        "eyJ[A-Za-z0-9_-]{0,80}\\.eyJ[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,80}",
        "(%[0-9A-Fa-f]{0,2}){0,20}",
        "[.;= ]{0,12}",
    ]
    .boxed()
}

fn val() -> BoxedStrategy<Val> {
    prop_oneof![
        6 => text().prop_map(Val::Lit),
        3 => Just(Val::Access),
        2 => Just(Val::Refresh),
        1 => Just(Val::AntiCsrf),
        2 => (any::<usize>(), any::<char>()).prop_map(|(i, c)| Val::AccessFlip(i, c)),
        1 => (any::<usize>(), text()).prop_map(|(i, s)| Val::AccessCut(i, s)),
        3 => forged().prop_map(|f| Val::Forged(Box::new(f))),
        1 => (any::<char>(), prop_oneof![0usize..2_000, 65_530usize..65_540, Just(100_000usize)])
            .prop_map(|(c, n)| Val::Long(c, n)),
    ]
    .boxed()
}

fn hv() -> BoxedStrategy<Hv> {
    let wrap =
        prop_oneof![6 => Just(Wrap::Plain), 1 => Just(Wrap::Percent), 1 => Just(Wrap::Quoted), 1 => Just(Wrap::Spaced)];
    (val(), wrap).prop_map(|(v, w)| Hv(v, w)).boxed()
}

/// One `Cookie` header: pairs joined with odd separators.
#[derive(Debug, Clone)]
struct CookieHeader(Vec<(String, Option<Hv>, &'static str)>);

impl CookieHeader {
    fn resolve(&self, real: &Real) -> String {
        let mut out = String::new();
        for (name, value, sep) in &self.0 {
            out.push_str(name);
            if let Some(v) = value {
                out.push('=');
                out.push_str(&v.resolve(real));
            }
            out.push_str(sep);
        }
        out
    }
}

fn cookie_header() -> BoxedStrategy<CookieHeader> {
    let names = select(vec![
        "sAccessToken",
        "sRefreshToken",
        "sIdRefreshToken",
        "s%41ccessToken",
        "s%52efreshToken",
        " sAccessToken ",
        "\"sAccessToken\"",
        "SACCESSTOKEN",
        "_ga",
        "",
    ])
    .prop_map(str::to_owned);
    let name = prop_oneof![5 => names, 1 => text()];
    let sep = select(vec!["; ", ";", ";;", " ; ", "=", "; ;", "", ",", ";="]);
    vec((name, proptest::option::weighted(0.9, hv()), sep), 0..6).prop_map(CookieHeader).boxed()
}

/// A hostile request, resolved against a real session.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    cookies: Vec<CookieHeader>,
    authorization: Option<(&'static str, Hv)>,
    auth_mode: Option<Hv>,
    anti_csrf: Option<Hv>,
    rid: Option<Hv>,
    /// Other headers; also names like `Cookie` or `AUTHORIZATION` in odd case.
    extra: Vec<(String, Hv)>,
    /// Put the extra headers before the protocol ones (first occurrence wins).
    extra_first: bool,
}

impl Req {
    fn resolve(&self, real: &Real) -> HttpRequest {
        let mut headers = vec![
            ("host".to_owned(), "api.example.com".to_owned()),
            ("user-agent".to_owned(), "proptest/1".to_owned()),
            ("accept".to_owned(), "*/*".to_owned()),
        ];
        let mut protocol = Vec::new();
        for c in &self.cookies {
            protocol.push(("cookie".to_owned(), c.resolve(real)));
        }
        if let Some((prefix, v)) = &self.authorization {
            protocol.push(("authorization".to_owned(), format!("{prefix}{}", v.resolve(real))));
        }
        for (name, v) in [("st-auth-mode", &self.auth_mode), ("anti-csrf", &self.anti_csrf), ("rid", &self.rid)] {
            if let Some(v) = v {
                protocol.push((name.to_owned(), v.resolve(real)));
            }
        }
        let extra: Vec<(String, String)> = self.extra.iter().map(|(n, v)| (n.clone(), v.resolve(real))).collect();
        if self.extra_first {
            headers.extend(extra);
            headers.extend(protocol);
        } else {
            headers.extend(protocol);
            headers.extend(extra);
        }
        HttpRequest::new(self.method.clone(), self.path.clone(), headers)
    }
}

fn method() -> BoxedStrategy<String> {
    let known =
        select(vec!["GET", "POST", "get", "post", "PoSt", "OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "HEAD", ""]);
    prop_oneof![6 => known.prop_map(str::to_owned), 1 => text()].boxed()
}

fn path() -> BoxedStrategy<String> {
    let known = select(vec![
        "/auth/session/refresh",
        "/auth/session/refresh/",
        "/auth/session/refresh?x=1&y=%00",
        "/auth/session/refresh#frag",
        "/auth/session/refresh//",
        "/AUTH/SESSION/REFRESH",
        "/auth/signout",
        "/auth/signout/?",
        "/auth/jwt/jwks.json",
        "/auth/jwt/jwks.json?v=2",
        "/api/user",
        "/",
        "",
        "//",
        "?",
        "#",
    ]);
    prop_oneof![6 => known.prop_map(str::to_owned), 1 => text()].boxed()
}

fn header_name() -> BoxedStrategy<String> {
    let known = select(vec![
        "Cookie",
        "COOKIE",
        "Authorization",
        "AUTHORIZATION",
        "St-Auth-Mode",
        "ANTI-CSRF",
        "RID",
        "front-token",
        "st-access-token",
        "st-refresh-token",
        "x-forwarded-for",
        "",
    ]);
    prop_oneof![3 => known.prop_map(str::to_owned), 1 => text()].boxed()
}

fn request() -> BoxedStrategy<Req> {
    let prefix =
        select(vec!["Bearer ", "Bearer ", "Bearer ", "bearer ", "Bearer", "Bearer  ", "Basic ", "", " Bearer "]);
    let mode = prop_oneof![
        3 => select(vec!["cookie", "header", "COOKIE", " cookie ", ""]).prop_map(|s| Hv(Val::Lit(s.to_owned()), Wrap::Plain)),
        1 => hv(),
    ];
    let rid = prop_oneof![
        3 => select(vec!["session", "anti-csrf", "emailpassword", ""]).prop_map(|s| Hv(Val::Lit(s.to_owned()), Wrap::Plain)),
        1 => hv(),
    ];
    (
        method(),
        path(),
        vec(cookie_header(), 0..3),
        proptest::option::weighted(0.6, (prefix, hv())),
        proptest::option::of(mode),
        proptest::option::of(hv()),
        proptest::option::of(rid),
        vec((header_name(), hv()), 0..4),
        any::<bool>(),
    )
        .prop_map(|(method, path, cookies, authorization, auth_mode, anti_csrf, rid, extra, extra_first)| Req {
            method,
            path,
            cookies,
            authorization,
            auth_mode,
            anti_csrf,
            rid,
            extra,
            extra_first,
        })
        .boxed()
}

/// Access-token-like values: mostly the real token, else forgeries and corruptions of it.
fn access_like() -> BoxedStrategy<Hv> {
    prop_oneof![
        6 => Just(Hv(Val::Access, Wrap::Plain)),
        1 => Just(Hv(Val::Access, Wrap::Percent)),
        1 => Just(Hv(Val::Access, Wrap::Quoted)),
        3 => forged().prop_map(|f| Hv(Val::Forged(Box::new(f)), Wrap::Plain)),
        1 => (any::<usize>(), any::<char>()).prop_map(|(i, c)| Hv(Val::AccessFlip(i, c), Wrap::Plain)),
        1 => (any::<usize>(), text()).prop_map(|(i, s)| Hv(Val::AccessCut(i, s), Wrap::Plain)),
        1 => hv(),
    ]
    .boxed()
}

fn refresh_like() -> BoxedStrategy<Hv> {
    prop_oneof![6 => Just(Hv(Val::Refresh, Wrap::Plain)), 1 => Just(Hv(Val::Refresh, Wrap::Percent)), 2 => hv()].boxed()
}

/// A request close to what a real frontend sends, with the real session's tokens (some
/// forged or corrupted) and a little hostile noise, so that the deep paths run often.
fn near_valid_request() -> BoxedStrategy<Req> {
    let lit = |s: &str| Hv(Val::Lit(s.to_owned()), Wrap::Plain);
    let cookie = (access_like(), proptest::option::weighted(0.7, refresh_like()), any::<bool>()).prop_map(
        move |(access, refresh, analytics_first)| {
            let mut pairs = vec![("sAccessToken".to_owned(), Some(access), "; ")];
            if let Some(r) = refresh {
                pairs.push(("sRefreshToken".to_owned(), Some(r), "; "));
            }
            let analytics = ("_ga".to_owned(), Some(lit("GA1.2.3.4")), "; ");
            if analytics_first {
                pairs.insert(0, analytics);
            } else {
                pairs.push(analytics);
            }
            CookieHeader(pairs)
        },
    );
    let bearer = prop_oneof![3 => access_like(), 2 => refresh_like()];
    let anti_csrf = prop_oneof![4 => Just(Hv(Val::AntiCsrf, Wrap::Plain)), 1 => hv()];
    let method = select(vec!["GET", "POST", "PUT", "DELETE", "post"]).prop_map(str::to_owned);
    let path =
        select(vec!["/auth/session/refresh", "/auth/signout", "/auth/jwt/jwks.json", "/api/user", "/api/user?x=1"])
            .prop_map(str::to_owned);
    (
        method,
        path,
        proptest::option::weighted(0.6, cookie),
        proptest::option::weighted(0.5, bearer.prop_map(|v| ("Bearer ", v))),
        proptest::option::of(
            select(vec!["cookie", "header"]).prop_map(move |s| Hv(Val::Lit(s.to_owned()), Wrap::Plain)),
        ),
        proptest::option::weighted(0.6, anti_csrf),
        proptest::option::weighted(0.6, Just(lit("session"))),
        vec((header_name(), hv()), 0..2),
        any::<bool>(),
    )
        .prop_map(|(method, path, cookie, authorization, auth_mode, anti_csrf, rid, extra, extra_first)| Req {
            method,
            path,
            cookies: cookie.into_iter().collect(),
            authorization,
            auth_mode,
            anti_csrf,
            rid,
            extra,
            extra_first,
        })
        .boxed()
}

fn any_request() -> BoxedStrategy<Req> {
    prop_oneof![request(), near_valid_request()].boxed()
}

fn verify_options() -> impl Strategy<Value = VerifyOptions> {
    (any::<bool>(), proptest::option::of(any::<bool>()), proptest::bool::weighted(0.3), any::<bool>()).prop_map(
        |(session_required, anti_csrf_check, check_database, api_rules)| VerifyOptions {
            session_required,
            anti_csrf_check,
            check_database,
            api_rules,
        },
    )
}

/// When the case runs: now (tokens valid), after expiry, or absurd clocks.
#[derive(Debug, Clone, Copy)]
enum When {
    Now,
    Expired,
    Zero,
    End,
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![12 => Just(When::Now), 2 => Just(When::Expired), 1 => Just(When::Zero), 1 => Just(When::End)]
}

impl When {
    fn at(self) -> u64 {
        match self {
            When::Now => now_ms(),
            When::Expired => now_ms() + 2 * 3_600_000,
            When::Zero => 0,
            When::End => u64::MAX,
        }
    }
}

// ---------------------------------------------------------------------------------------
// What every answer must look like.

fn leaks(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    ["sqlite", "panicked", "stack", "/work/", "/home/", "/tmp/", "/usr/", ".rs", "src/", "\\src\\", "rusqlite"]
        .into_iter()
        .find(|w| lower.contains(w))
}

fn check_answer(m: &ResponseMutations, what: &str) {
    let status = m.status.unwrap_or_else(|| panic!("{what}: no status"));
    assert!(matches!(status, 200 | 401 | 403 | 500), "{what}: status {status}");
    let body = m.body.as_ref().unwrap_or_else(|| panic!("{what}: no body"));
    let is_jwks = status == 200 && body.get("keys").is_some_and(Value::is_array);
    if !is_jwks {
        let text = body.to_string();
        assert!(leaks(&text).is_none(), "{what}: body leaks {:?}: {text}", leaks(&text));
    }
}

fn check_error(t: &Tessera, req: &HttpRequest, e: &tessera_core::Error, what: &str) {
    let m = t.error_response(req, e);
    check_answer(&m, what);
    let status = m.status.unwrap_or_default();
    if e.kind().is_session_error() {
        assert!(matches!(status, 200 | 401 | 403), "{what}: session error {:?} answered {status}", e.kind());
    } else {
        assert_eq!(status, 500, "{what}: {:?} answered {status}", e.kind());
    }
}

/// A session that came out of a hostile request belongs to a real user: forged tokens never
/// verify.
fn check_session(s: &tessera_core::protocol::SessionState, what: &str) {
    assert_eq!(s.token.user_id, USER, "{what}: a forged token was accepted: {:?}", s.token.payload);
    assert_eq!(s.token.payload.get("role"), Some(&json!("admin")), "{what}: payload was changed");
}

fn run_request_case(world: &World, req: &Req, options: &VerifyOptions, when: When) {
    let t = &world.engine;
    let real = world.session();
    let http = req.resolve(&real);
    let now = when.at();
    match t.verify_session(&http, options, now) {
        Ok((Some(s), _)) => check_session(&s, "verify_session"),
        Ok((None, _)) => {}
        Err(e) => check_error(t, &http, &e, "verify_session"),
    }
    // The same request as one of the endpoints Tessera serves itself.
    for path in [None, Some("/auth/session/refresh"), Some("/auth/signout"), Some("/auth/jwt/jwks.json")] {
        let mut http = http.clone();
        if let Some(p) = path {
            http.path = p.to_owned();
            http.method = if p.ends_with("jwks.json") { "GET" } else { "POST" }.to_owned();
        }
        if let Some(m) = t.handle_api_request(&http, now) {
            check_answer(&m, "handle_api_request");
        }
    }
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES=N runs a longer search.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn hostile_requests_default_config(req in any_request(), options in verify_options(), when in when()) {
        run_request_case(&DEFAULT, &req, &options, when);
    }

    #[test]
    fn hostile_requests_anti_csrf_via_token(req in any_request(), options in verify_options(), when in when()) {
        run_request_case(&VIA_TOKEN, &req, &options, when);
    }

    #[test]
    fn hostile_requests_custom_header_cookie_only(req in any_request(), options in verify_options(), when in when()) {
        run_request_case(&CUSTOM_HEADER, &req, &options, when);
    }

    #[test]
    fn hostile_requests_fixed_key_set(req in any_request(), options in verify_options(), when in when()) {
        run_request_case(&FIXED, &req, &options, when);
    }

    #[test]
    fn hostile_tokens(v in val(), bytes in vec(any::<u8>(), 0..200), when in when()) {
        let world = &*DEFAULT;
        let real = world.session();
        let keys = KeySet::from_jwks_json(&serde_json::to_vec(&world.engine.jwks(now_ms()).unwrap().0).unwrap()).unwrap();
        for raw in [v.resolve(&real), lossy(bytes)] {
            let parsed = token::parse(&raw).map(|p| p.version);
            if let Err(e) = &parsed {
                prop_assert_eq!(e.kind(), ErrorKind::Unauthorised);
            }
            match token::verify(&raw, &keys, when.at()) {
                Ok(t) => {
                    prop_assert_eq!(&t.user_id, USER);
                    prop_assert_eq!(t.payload.get("role"), Some(&json!("admin")));
                }
                Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Unauthorised | ErrorKind::TryRefreshToken)),
            }
            if let Ok(t) = world.engine.verify_access_token(&raw, when.at()) {
                prop_assert_eq!(&t.user_id, USER);
            }
        }
    }

    #[test]
    fn hostile_jwks(doc in jwks_doc(), bytes in vec(any::<u8>(), 0..300), text in ".{0,200}") {
        for input in [doc.into_bytes(), bytes, text.into_bytes()] {
            if let Ok(set) = KeySet::from_jwks_json(&input) {
                // Whatever was accepted serialises and verifies (nothing, here) without panicking.
                let again = serde_json::to_vec(&set.to_jwks_json()).unwrap();
                prop_assert_eq!(KeySet::from_jwks_json(&again).unwrap().keys().len(), set.keys().len());
                for k in set.keys() {
                    prop_assert!(!k.verify_rs256(b"message", &[0u8; 256]));
                }
            }
        }
    }
}

/// JSON-ish JWKS documents: real keys with members changed, odd moduli and exponents.
fn jwks_doc() -> BoxedStrategy<String> {
    let real = || {
        let doc = DEFAULT.engine.jwks(now_ms()).unwrap().0;
        doc["keys"][0].as_object().unwrap().clone()
    };
    let b64_member = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        select(vec!["AA", "AAAA", "AQAB", "AAAAAQAB", "_w", "AQ==", "%%%", "AQAB.", "////"])
            .prop_map(|s| Some(s.to_owned())),
        vec(any::<u8>(), 0..1100).prop_map(|b| Some(b64::encode_url(&b))),
        (0usize..1100).prop_map(|n| Some(b64::encode_url(&vec![0u8; n]))),
        text().prop_map(Some),
    ];
    let jwk = (
        proptest::option::weighted(0.3, (b64_member.clone(), b64_member)),
        override_of(&["kty", "alg", "use", "kid", "n", "e", "key_ops"]),
        override_of(&["kty", "alg", "use", "kid"]),
    )
        .prop_map(move |(ne, o1, o2)| {
            let mut m = real();
            if let Some((n, e)) = ne {
                for (k, v) in [("n", n), ("e", e)] {
                    match v {
                        Some(v) => m.insert(k.to_owned(), Value::String(v)),
                        None => m.remove(k),
                    };
                }
            }
            apply(&mut m, &o1);
            apply(&mut m, &o2);
            Value::Object(m)
        });
    let keys = vec(prop_oneof![4 => jwk, 1 => json_value()], 0..4);
    (keys, 0..4u8, json_value())
        .prop_map(|(keys, shape, other)| match shape {
            0 => json!({"keys": keys, "other": other}).to_string(),
            1 => json!({"keys": other}).to_string(),
            2 => Value::Array(keys).to_string(),
            _ => json!({"keys": keys}).to_string(),
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Huge headers: answered promptly, and as supertokens-node answers them (the differential test,
// tests/differential, compares the two): an unrelated huge cookie hides nothing, and a huge
// garbage token is no token.

#[test]
fn megabyte_headers_are_answered_promptly() {
    const MIB: usize = 1 << 20;
    let t = &DEFAULT.engine;
    let real = DEFAULT.session();
    let big: String = "a.b=c;%".repeat(MIB / 7 + 1);
    let huge_token = format!("{}.{}.{}", "A".repeat(MIB / 2), "B".repeat(MIB / 2), "C".repeat(MIB / 4));
    let base = || {
        vec![
            ("host".to_owned(), "api.example.com".to_owned()),
            ("user-agent".to_owned(), "megabyte/1".to_owned()),
            ("accept".to_owned(), "*/*".to_owned()),
        ]
    };
    let with = |extra: Vec<(&str, String)>| {
        let mut h = base();
        h.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        h
    };
    let options = VerifyOptions::default();
    let cases: Vec<(&str, HttpRequest, bool)> = vec![
        (
            "1 MiB unrelated header beside a real access-token cookie",
            HttpRequest::new(
                "GET",
                "/api/user",
                with(vec![("x-padding", big.clone()), ("cookie", format!("sAccessToken={}", real.access))]),
            ),
            true,
        ),
        ("1 MiB Cookie header", HttpRequest::new("GET", "/api/user", with(vec![("cookie", big.clone())])), false),
        (
            "1 MiB access-token cookie",
            HttpRequest::new("GET", "/api/user", with(vec![("cookie", format!("sAccessToken={huge_token}"))])),
            false,
        ),
        (
            "1 MiB bearer token",
            HttpRequest::new("GET", "/api/user", with(vec![("authorization", format!("Bearer {huge_token}"))])),
            false,
        ),
        (
            "1 MiB anti-csrf, st-auth-mode and rid",
            HttpRequest::new(
                "POST",
                "/api/user",
                with(vec![("anti-csrf", big.clone()), ("st-auth-mode", big.clone()), ("rid", big.clone())]),
            ),
            false,
        ),
        ("1 MiB path", HttpRequest::new("GET", format!("/{big}"), base()), false),
        (
            "1 MiB refresh cookie on the refresh endpoint",
            HttpRequest::new("POST", "/auth/session/refresh", with(vec![("cookie", format!("sRefreshToken={big}"))])),
            false,
        ),
        (
            "1 MiB bearer refresh token on the refresh endpoint",
            HttpRequest::new(
                "POST",
                "/auth/session/refresh",
                with(vec![("authorization", format!("Bearer {huge_token}"))]),
            ),
            false,
        ),
    ];
    for (what, req, expect_session) in cases {
        let started = Instant::now();
        match t.verify_session(&req, &options, now_ms()) {
            Ok((Some(s), _)) => {
                assert!(expect_session, "{what}: unexpected session");
                check_session(&s, what);
            }
            Ok((None, _)) => panic!("{what}: no session and no error with session_required"),
            Err(e) => {
                assert!(!expect_session, "{what}: {e:?}");
                assert_eq!(e.kind(), ErrorKind::Unauthorised, "{what}: {e:?}");
                let m = t.error_response(&req, &e);
                assert_eq!(m.status, Some(401), "{what}");
                check_answer(&m, what);
            }
        }
        let mut endpoint = req.clone();
        endpoint.method = "POST".into();
        endpoint.path = "/auth/session/refresh".into();
        let m = t.handle_api_request(&endpoint, now_ms()).unwrap();
        check_answer(&m, what);
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(5), "{what}: took {elapsed:?}");
    }
}

/// Tokens supertokens-node still reads as tokens: its base64 decoding (Buffer.from) skips
/// characters outside the alphabet and stops at `=`, so a token with a space, a stray quote or
/// padding parses and then fails its signature: try refresh (the frontend refreshes), never
/// unauthorised (the frontend signs out). Found by the differential test.
#[test]
fn near_tokens_ask_for_a_refresh_as_the_reference_sdk_does() {
    let t = &DEFAULT.engine;
    let access = DEFAULT.session().access;
    let parts: Vec<&str> = access.split('.').collect();
    let (h, p, sig) = (parts[0], parts[1], parts[2]);
    let cases = [
        ("padded segments", format!("{h}==.{p}=.{sig}=")),
        ("a space in the payload", format!("{h}.{} {}.{sig}", &p[..10], &p[10..])),
        ("an opening quote", format!("\"{access}")),
        ("a non-string kid", {
            let header = r#"{"alg":"RS256","typ":"JWT","version":"5","kid":12}"#;
            format!("{}.{p}.{sig}", tessera_core::b64::encode_url(header.as_bytes()))
        }),
        ("100 KB of signature", format!("{access}{}", "A".repeat(100_000))),
    ];
    for (what, token) in cases {
        for header in [("cookie", format!("sAccessToken={token}")), ("authorization", format!("Bearer {token}"))] {
            let req = HttpRequest::new("GET", "/api", vec![(header.0.to_owned(), header.1.clone())]);
            let err = t.verify_session(&req, &VerifyOptions::default(), now_ms()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TryRefreshToken, "{what} in {}: {err:?}", header.0);
        }
    }
    // A 100 KB cookie beside the session's does not hide it.
    let cookie = format!("big={}; sAccessToken={access}", "x".repeat(100_000));
    let req = HttpRequest::new("GET", "/api", vec![("cookie".to_owned(), cookie)]);
    assert!(t.verify_session(&req, &VerifyOptions::default(), now_ms()).unwrap().0.is_some());
}

// ---------------------------------------------------------------------------------------
// Regressions found by the properties above.

/// An RSA JWK whose modulus is empty (or all zero bytes) is skipped like any unusable key;
/// computing its bit length must not underflow.
#[test]
fn jwks_with_an_empty_modulus_is_skipped() {
    for n in ["", "AA", "AAAA"] {
        let doc = json!({"keys": [{"kty": "RSA", "n": n, "e": "AQAB"}]}).to_string();
        let set = KeySet::from_jwks_json(doc.as_bytes()).unwrap();
        assert!(set.is_empty(), "n = {n:?}");
    }
}
