//! Requests: arbitrary bytes split at NULs into method, path, `Cookie`, `Authorization`,
//! `anti-csrf`, `st-auth-mode`, `rid` and one more header (name, value), each decoded
//! lossily, through `verify_session` (several options), `handle_api_request` and
//! `error_response` of a verification-only engine (a fixed key set, no store).
//!
//! `@T` in any part is replaced by a real access token signed by the trusted key, so the
//! fuzzer reaches the paths after a successful signature check without forging RSA.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tessera_core::config::Config;
use tessera_core::engine::now_ms;
use tessera_core::http::{HttpRequest, ResponseMutations};
use tessera_core::keys::{KeySet, SigningKey};
use tessera_core::protocol::VerifyOptions;
use tessera_core::token;
use tessera_core::Tessera;

struct World {
    engine: Tessera,
    token: String,
    now: u64,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let now = now_ms();
    let key = SigningKey::generate("d-fuzz".to_owned(), now).expect("key generation");
    let config = Config::from_json(
        &json!({
            "appInfo": {"appName": "fuzz", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
            "connectionURI": "https://core.example.com",
            "session": {"antiCsrf": "VIA_TOKEN", "verifiedTokenCacheSize": 64},
        })
        .to_string(),
    )
    .expect("config");
    let engine = Tessera::with_key_set(config, KeySet::new(vec![key.public_key().clone()]));
    let payload: Map<String, Value> = match json!({
        "sub": "user-1", "rsub": "user-1", "tId": "public", "iat": now / 1000, "exp": now / 1000 + 365 * 86_400,
        "sessionHandle": "h-1", "refreshTokenHash1": "r1", "parentRefreshTokenHash1": null,
        "antiCsrfToken": "csrf-1", "iss": "https://api.example.com/auth", "role": "admin",
    }) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let token = token::sign_jwt(&key, 5, &payload).expect("signing");
    World { engine, token, now }
});

fn check(m: &ResponseMutations) {
    let status = m.status.expect("an answer has a status");
    assert!(matches!(status, 200 | 401 | 403 | 500), "status {status}");
    let body = m.body.as_ref().expect("an answer has a body").to_string().to_lowercase();
    if !(status == 200 && body.starts_with("{\"keys\"")) {
        for word in ["sqlite", "panicked", "stack", ".rs", "src/"] {
            assert!(!body.contains(word), "body leaks {word:?}: {body}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let world = &*WORLD;
    let t = &world.engine;
    let mut parts = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).replace("@T", &world.token));
    let mut next = || parts.next().unwrap_or_default();
    let method = next();
    let path = next();
    let mut headers =
        vec![("host".to_owned(), "api.example.com".to_owned()), ("user-agent".to_owned(), "libfuzzer".to_owned())];
    for name in ["cookie", "authorization", "anti-csrf", "st-auth-mode", "rid"] {
        let v = next();
        if !v.is_empty() {
            headers.push((name.to_owned(), v));
        }
    }
    let (name, value) = (next(), next());
    if !name.is_empty() {
        headers.push((name, value));
    }
    let req = HttpRequest::new(method, path, headers);
    let flags = data.last().copied().unwrap_or(0);
    let now = if flags & 0x80 != 0 { world.now + 2 * 365 * 86_400_000 } else { world.now };

    let options = [
        VerifyOptions::default(),
        VerifyOptions { session_required: false, anti_csrf_check: Some(flags & 1 != 0), check_database: false, api_rules: flags & 2 != 0 },
        VerifyOptions { session_required: true, anti_csrf_check: None, check_database: true, api_rules: true },
    ];
    for o in &options {
        match t.verify_session(&req, o, now) {
            Ok((Some(s), _)) => assert_eq!(s.token.user_id, "user-1"),
            Ok((None, _)) => {}
            Err(e) => {
                let m = t.error_response(&req, &e);
                check(&m);
                let status = m.status.unwrap_or_default();
                assert_eq!(e.kind().is_session_error(), status != 500, "{:?} answered {status}", e.kind());
            }
        }
    }
    if let Some(m) = t.handle_api_request(&req, now) {
        check(&m);
    }
});
