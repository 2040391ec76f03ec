//! `make demo`: a session's life through the request protocol, on the embedded SQLite store.
//!
//! Creates a session as a sign-in route would, verifies it the way `verifySession` does, and
//! prints what a framework adapter would send: the access token, the front token and every
//! response header and cookie.

use serde_json::{json, Map, Value};
use tessera_core::engine::now_ms;
use tessera_core::http::{HeaderMutation, HttpRequest, ResponseMutations};
use tessera_core::protocol::VerifyOptions;
use tessera_core::{b64, Tessera};

fn print_response(title: &str, m: &ResponseMutations) {
    println!("\n== {title}");
    if let Some(status) = m.status {
        println!("status: {status}");
    }
    if let Some(body) = &m.body {
        println!("body:   {body}");
    }
    for h in &m.headers {
        match h {
            HeaderMutation::Set { name, value } => println!("header: {name}: {}", shorten(value)),
            HeaderMutation::Remove { name } => println!("header: (remove) {name}"),
            HeaderMutation::AppendToList { name, value } => println!("header: {name}: (append) {value}"),
        }
    }
    for c in &m.cookies {
        println!("set-cookie: {}", shorten(&c.header));
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((cut, _)) if s.len() > 100 => format!("{}…({} bytes)", &s[..cut], s.len()),
        _ => s.to_owned(),
    }
}

fn main() -> Result<(), tessera_core::Error> {
    let store = std::env::var("TESSERA_DEMO_DB").unwrap_or_else(|_| "target/demo/sessions.sqlite3".to_owned());
    let config = json!({
        "appInfo": {"appName": "Tessera demo", "apiDomain": "http://localhost:3001", "websiteDomain": "http://localhost:3000"},
        "connectionURI": format!("sqlite:{store}"),
        "session": {"exposeAccessTokenToFrontendInCookieBasedAuth": true},
    });
    let tessera = Tessera::from_json(&config.to_string())?;
    println!("Tessera demo: embedded SQLite store at {store}");

    // A sign-in route: the official frontend sends st-auth-mode: cookie.
    let sign_in = HttpRequest::new("POST", "/signin", vec![("st-auth-mode".into(), "cookie".into())]);
    let mut payload = Map::new();
    payload.insert("role".into(), json!("demo"));
    let (session, created) =
        tessera.create_new_session_in_request(&sign_in, "public", "demo-user", payload, Map::new(), now_ms())?;
    print_response("createNewSession (cookie mode, access token exposed)", &created);
    println!("\naccess token: {}", session.token.raw);
    let front: Value = b64::decode_lenient(session.front_token().as_bytes())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    println!("front token: {}\nfront token decoded: {front}", session.front_token());

    // A protected route: the browser sends the cookie back.
    let cookie = format!("sAccessToken={}", session.token.raw);
    let get_jwt = HttpRequest::new("GET", "/getJWT", vec![("cookie".into(), cookie)]);
    match tessera.verify_session(&get_jwt, &VerifyOptions::default(), now_ms()) {
        Ok((Some(s), m)) => {
            println!("\n== verifySession on GET /getJWT");
            println!(
                "user id: {}, session handle: {}, tenant: {}",
                s.token.user_id, s.token.session_handle, s.token.tenant_id
            );
            println!("getAccessToken() equals the token created: {}", s.access_token() == session.token.raw);
            println!("response mutations: {} headers, {} cookies", m.headers.len(), m.cookies.len());
        }
        Ok((None, _)) => println!("no session"),
        Err(e) => print_response(&format!("verifySession failed: {e}"), &tessera.error_response(&get_jwt, &e)),
    }

    // The frontend's refresh call.
    let refresh = HttpRequest::new(
        "POST",
        "/auth/session/refresh",
        vec![
            ("cookie".into(), format!("sRefreshToken={}", session.refresh_token.clone().unwrap_or_default())),
            ("rid".into(), "session".into()),
        ],
    );
    if let Some(m) = tessera.handle_api_request(&refresh, now_ms()) {
        print_response("POST /auth/session/refresh", &m);
    }

    // A forged token gets the protocol's answer, not a crash.
    let forged = HttpRequest::new("GET", "/getJWT", vec![("authorization".into(), "Bearer a.b.c".into())]);
    let answer = match tessera.verify_session(&forged, &VerifyOptions::default(), now_ms()) {
        Err(e) => tessera.error_response(&forged, &e),
        Ok(_) => ResponseMutations::default(),
    };
    print_response("GET /getJWT with a forged bearer token", &answer);
    Ok(())
}
