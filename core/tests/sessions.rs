//! The embedded authority through the engine: rotation, grace window, theft detection,
//! revocation, checkDatabase, payload merges, key rotation across handles, concurrency.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tessera_core::authority::hash2;
use tessera_core::http::HttpRequest;
use tessera_core::protocol::VerifyOptions;
use tessera_core::{ErrorKind, Tessera};

const T0: u64 = 1_700_000_000_000;

fn engine(extra_session: Value, connection: &str) -> Tessera {
    let cfg = json!({
        "appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
        "connectionURI": connection,
        "session": extra_session,
    });
    Tessera::from_json(&cfg.to_string()).unwrap()
}

fn mem(extra: Value) -> Tessera {
    engine(extra, "sqlite::memory:")
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn cookie_req(method: &str, path: &str, cookies: &str, extra: &[(&str, &str)]) -> HttpRequest {
    let mut headers = vec![("cookie".to_owned(), cookies.to_owned())];
    headers.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    HttpRequest::new(method, path, headers)
}

#[test]
fn create_verify_refresh_and_theft() {
    let t = mem(json!({}));
    let s0 = t
        .create_new_session_without_request_response(
            "public",
            "user-1",
            obj(json!({"role": "admin"})),
            Map::new(),
            false,
            T0,
        )
        .unwrap();
    assert_eq!(s0.token.user_id, "user-1");
    assert_eq!(s0.token.payload["role"], "admin");
    assert_eq!(s0.token.payload["iss"], "https://api.example.com/auth");
    assert_eq!(s0.token.payload["tId"], "public");
    assert_eq!(s0.token.payload["rsub"], "user-1");
    assert!(s0.token.payload["parentRefreshTokenHash1"].is_null());
    assert_eq!(s0.token.expiry_ms, T0 + 3_600_000);
    let rt0 = s0.refresh_token.clone().unwrap();

    let v = t
        .get_session_without_request_response(&s0.token.raw, None, &VerifyOptions::default(), T0 + 1)
        .unwrap()
        .unwrap();
    assert_eq!(v.token.session_handle, s0.token.session_handle);
    assert_eq!(v.token.kid.as_deref().map(|k| k.starts_with("d-")), Some(true));

    let s1 = t.refresh_session_without_request_response(&rt0, false, None, T0 + 1000).unwrap();
    let rt1 = s1.refresh_token.clone().unwrap();
    assert_ne!(rt0, rt1);
    assert_eq!(s1.token.session_handle, s0.token.session_handle);
    assert!(s1.token.payload["parentRefreshTokenHash1"].is_null());
    assert_eq!(s1.token.payload["role"], "admin");

    // The previous token again, within the grace window: accepted, rotates again.
    let s1b = t.refresh_session_without_request_response(&rt0, false, None, T0 + 20_000).unwrap();
    let rt1b = s1b.refresh_token.clone().unwrap();
    // The newest token works.
    let s2 = t.refresh_session_without_request_response(&rt1b, false, None, T0 + 25_000).unwrap();
    // The first token, now two rotations old: theft, and the session is revoked.
    let err = t.refresh_session_without_request_response(&rt0, false, None, T0 + 26_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTheftDetected);
    let p = err.payload().unwrap();
    assert_eq!(p["userId"], "user-1");
    assert_eq!(p["recipeUserId"], "user-1");
    assert_eq!(p["sessionHandle"], s0.token.session_handle.as_str());
    let err = t
        .refresh_session_without_request_response(s2.refresh_token.as_deref().unwrap(), false, None, T0 + 27_000)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    // Stateless verification still accepts the unexpired access token; checkDatabase does not.
    let opts = VerifyOptions { check_database: true, ..VerifyOptions::default() };
    let err = t.get_session_without_request_response(&s2.token.raw, None, &opts, T0 + 28_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    assert!(t
        .get_session_without_request_response(&s2.token.raw, None, &VerifyOptions::default(), T0 + 28_000)
        .unwrap()
        .is_some());
}

#[test]
fn previous_token_after_grace_is_theft() {
    let t = mem(json!({}));
    let s0 = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let rt0 = s0.refresh_token.unwrap();
    t.refresh_session_without_request_response(&rt0, false, None, T0 + 1).unwrap();
    let err = t.refresh_session_without_request_response(&rt0, false, None, T0 + 1 + 30_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTheftDetected);
}

#[test]
fn garbage_and_forged_refresh_tokens_are_unauthorised_not_theft() {
    let t = mem(json!({}));
    let s0 = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let rt0 = s0.refresh_token.unwrap();
    // Every other last character, including those that differ only in bits base64 ignores.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let forged: Vec<String> =
        alphabet.chars().filter(|c| !rt0.ends_with(*c)).map(|c| format!("{}{c}", &rt0[..rt0.len() - 1])).collect();
    let garbage = ["", "asdf", "a.b.c.d.e", "T1.....", "\u{0}\u{ffff}"];
    for bad in garbage.iter().copied().chain(forged.iter().map(String::as_str)) {
        let err = t.refresh_session_without_request_response(bad, false, None, T0 + 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorised, "{bad:?}");
    }
    // The session survived all of that.
    t.refresh_session_without_request_response(&rt0, false, None, T0 + 2).unwrap();
}

#[test]
fn expired_session_cannot_refresh() {
    let t = mem(json!({"refreshTokenValidity": 1, "accessTokenValidity": 10}));
    let s0 = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let err = t
        .refresh_session_without_request_response(s0.refresh_token.as_deref().unwrap(), false, None, T0 + 60_000)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
}

#[test]
fn revoke_handles_information_and_data() {
    let t = mem(json!({}));
    let a = t.authority().unwrap();
    let mk = |tenant: &str, user: &str| {
        t.create_new_session_without_request_response(tenant, user, Map::new(), obj(json!({"n": 1})), false, T0)
            .unwrap()
    };
    let s1 = mk("public", "alice");
    let s2 = mk("public", "alice");
    let s3 = mk("tenant-b", "alice");
    let s4 = mk("public", "bob");
    assert!(s3.token.session_handle.ends_with("_tenant-b"));
    assert_eq!(s3.token.tenant_id, "tenant-b");

    let mut all = a.session_handles_for_user("alice", None, T0).unwrap();
    all.sort();
    let mut expected =
        vec![s1.token.session_handle.clone(), s2.token.session_handle.clone(), s3.token.session_handle.clone()];
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(
        a.session_handles_for_user("alice", Some("tenant-b"), T0).unwrap(),
        vec![s3.token.session_handle.clone()]
    );

    let info = a.session_information(&s1.token.session_handle, T0).unwrap().unwrap();
    assert_eq!(info.session.user_id, "alice");
    assert_eq!(info.session_data_in_database, obj(json!({"n": 1})));
    assert_eq!(info.time_created_ms, T0);
    assert_eq!(info.expiry_ms, T0 + 100 * 86_400_000);
    assert_eq!(info.custom_claims_in_access_token_payload["iss"], "https://api.example.com/auth");

    assert!(a.update_session_data(&s1.token.session_handle, &obj(json!({"n": 2})), T0).unwrap());
    assert_eq!(
        a.session_information(&s1.token.session_handle, T0).unwrap().unwrap().session_data_in_database,
        obj(json!({"n": 2}))
    );
    assert!(!a.update_session_data("nope", &Map::new(), T0).unwrap());

    let revoked = a.revoke_all_sessions_for_user("alice", Some("public"), T0).unwrap();
    assert_eq!(revoked.len(), 2);
    assert!(a.session_information(&s1.token.session_handle, T0).unwrap().is_none());
    assert!(a.session_information(&s3.token.session_handle, T0).unwrap().is_some());
    assert_eq!(
        a.revoke_sessions(&[s4.token.session_handle.clone(), "missing".into()]).unwrap(),
        vec![s4.token.session_handle.clone()]
    );
    assert!(a.session_handles_for_user("bob", None, T0).unwrap().is_empty());
}

#[test]
fn protected_props_rejected_by_authority_dropped_by_sdk_api() {
    let t = mem(json!({}));
    let err = t
        .authority()
        .unwrap()
        .create("public", "u", obj(json!({"sub": "evil", "exp": 1})), Map::new(), false, true, T0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("sub") && err.message().contains("exp"), "{err}");
    let s = t
        .create_new_session_without_request_response(
            "public",
            "u",
            obj(json!({"sub": "evil", "ok": 1})),
            Map::new(),
            false,
            T0,
        )
        .unwrap();
    assert_eq!(s.token.payload["sub"], "u");
    assert_eq!(s.token.payload["ok"], 1);
    for bad_tenant in ["", "a_b", "x y"] {
        let err = t
            .create_new_session_without_request_response(bad_tenant, "u", Map::new(), Map::new(), false, T0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
}

#[test]
fn merge_keeps_expiry_and_null_deletes() {
    let t = mem(json!({}));
    let req = cookie_req("POST", "/x", "", &[("st-auth-mode", "cookie")]);
    let (mut s, _) =
        t.create_new_session_in_request(&req, "public", "u", obj(json!({"a": 1, "b": 2})), Map::new(), T0).unwrap();
    let old = s.token.raw.clone();
    let m = t
        .merge_into_access_token_payload_in_session(&mut s, &obj(json!({"a": null, "c": 3, "sub": "x"})), T0 + 5_000)
        .unwrap();
    assert_ne!(s.token.raw, old);
    assert_eq!(s.token.expiry_ms, T0 + 3_600_000);
    assert!(!s.token.payload.contains_key("a"));
    assert_eq!(s.token.payload["b"], 2);
    assert_eq!(s.token.payload["c"], 3);
    assert_eq!(s.token.payload["sub"], "u");
    let cookie = m.cookies.iter().find(|c| c.name == "sAccessToken").unwrap();
    assert!(cookie.header.starts_with(&format!("sAccessToken={}", s.token.raw)));
    assert_eq!(m.header("front-token").as_deref(), Some(s.front_token().as_str()));
    let verified = t
        .get_session_without_request_response(&s.token.raw, None, &VerifyOptions::default(), T0 + 6_000)
        .unwrap()
        .unwrap();
    assert_eq!(verified.token.payload["c"], 3);
    let info = t.authority().unwrap().session_information(&s.token.session_handle, T0).unwrap().unwrap();
    assert_eq!(info.custom_claims_in_access_token_payload.get("a"), None);
    assert_eq!(info.custom_claims_in_access_token_payload["c"], 3);
}

#[test]
fn check_database_mints_a_token_after_a_merge_by_handle() {
    let t = mem(json!({}));
    let s = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    assert!(t
        .authority()
        .unwrap()
        .merge_into_access_token_payload(&s.token.session_handle, &obj(json!({"role": "x"})), T0)
        .unwrap());
    let req = HttpRequest::new("GET", "/x", vec![("authorization".into(), format!("Bearer {}", s.token.raw))]);
    let (plain, m) = t.verify_session(&req, &VerifyOptions::default(), T0 + 1000).unwrap();
    assert!(!plain.unwrap().access_token_updated);
    assert!(m.headers.is_empty());
    let opts = VerifyOptions { check_database: true, ..VerifyOptions::default() };
    let (updated, m) = t.verify_session(&req, &opts, T0 + 1000).unwrap();
    let updated = updated.unwrap();
    assert!(updated.access_token_updated);
    assert_eq!(updated.token.payload["role"], "x");
    assert_eq!(m.header("st-access-token").as_deref(), Some(updated.token.raw.as_str()));
    assert!(m.header("front-token").is_some());
}

#[test]
fn static_key_sessions_and_switching() {
    let file = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:{}", file.path().join("s.db").display());
    let static_engine = engine(json!({"useDynamicAccessTokenSigningKey": false}), &uri);
    let s = static_engine
        .create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0)
        .unwrap();
    let v = static_engine
        .get_session_without_request_response(&s.token.raw, None, &VerifyOptions::default(), T0)
        .unwrap()
        .unwrap();
    assert!(v.token.kid.as_deref().unwrap().starts_with("s-"));
    let dynamic_engine = engine(json!({}), &uri);
    let err = dynamic_engine
        .get_session_without_request_response(&s.token.raw, None, &VerifyOptions::default(), T0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TryRefreshToken);
    let r = dynamic_engine
        .refresh_session_without_request_response(s.refresh_token.as_deref().unwrap(), false, None, T0)
        .unwrap();
    let v = dynamic_engine
        .get_session_without_request_response(&r.token.raw, None, &VerifyOptions::default(), T0)
        .unwrap()
        .unwrap();
    assert!(v.token.kid.as_deref().unwrap().starts_with("d-"));
}

#[test]
fn key_rotation_is_seen_by_a_second_handle_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:{}", dir.path().join("keys.db").display());
    // A new key every 0.01 h = 36 s.
    let cfg = json!({"accessTokenDynamicSigningKeyUpdateInterval": 0.01, "accessTokenValidity": 10});
    let a = engine(cfg.clone(), &uri);
    let b = engine(cfg, &uri);
    let s1 = a.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let kid1 = b
        .get_session_without_request_response(&s1.token.raw, None, &VerifyOptions::default(), T0 + 1)
        .unwrap()
        .unwrap()
        .token
        .kid
        .clone();
    // Past the interval a new key is made, but the old one signs until the new one is past
    // the 60 s overlap.
    let s2 = a
        .create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0 + 40_000)
        .unwrap();
    let kid2 = b
        .get_session_without_request_response(&s2.token.raw, None, &VerifyOptions::default(), T0 + 40_001)
        .unwrap()
        .unwrap()
        .token
        .kid
        .clone();
    assert_eq!(kid1, kid2);
    let s3 = a
        .create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0 + 101_000)
        .unwrap();
    let v3 = b
        .get_session_without_request_response(&s3.token.raw, None, &VerifyOptions::default(), T0 + 101_001)
        .unwrap()
        .unwrap();
    assert_ne!(v3.token.kid, kid1, "a rotated key signs after the overlap");
    // b made no key of its own: the JWKS both serve is the same.
    let (ja, _) = a.jwks(T0 + 101_002).unwrap();
    let (jb, _) = b.jwks(T0 + 101_002).unwrap();
    assert_eq!(ja, jb);
    // The first key is past interval + 2 x validity (56 s) and has left the key set; the
    // static key (createJWT's default) is always there.
    let kids: Vec<&str> = ja["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    let (dynamic, fixed): (Vec<&str>, Vec<&str>) = kids.iter().partition(|k| k.starts_with("d-"));
    assert_eq!(dynamic, vec![v3.token.kid.as_deref().unwrap()]);
    assert_eq!(fixed.len(), 1, "{kids:?}");
    assert!(fixed[0].starts_with("s-"));
}

#[test]
fn one_session_refreshed_from_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:{}", dir.path().join("race.db").display());
    let t = Arc::new(engine(json!({}), &uri));
    let s0 = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let rt0 = s0.refresh_token.unwrap();
    let results: Vec<_> = (0..8)
        .map(|i| {
            let t = Arc::clone(&t);
            let rt0 = rt0.clone();
            std::thread::spawn(move || t.refresh_session_without_request_response(&rt0, false, None, T0 + 100 + i))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    // Documented outcome: every concurrent refresh with the same token succeeds (the grace
    // window), the session keeps exactly one current refresh token, which is one of those
    // handed out, and the session is not revoked.
    let new_rts: Vec<String> = results.into_iter().map(|r| r.unwrap().refresh_token.unwrap()).collect();
    let row = t.authority().unwrap().store().get_session(&s0.token.session_handle).unwrap().unwrap();
    let current: Vec<&String> = new_rts.iter().filter(|rt| hash2(rt) == row.refresh_token_hash2).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(row.prev_refresh_token_hash2.as_deref(), Some(hash2(&rt0).as_str()));
    t.refresh_session_without_request_response(current[0], false, None, T0 + 1000).unwrap();
}

#[test]
fn anti_csrf_via_token_on_refresh() {
    let t = mem(json!({"antiCsrf": "VIA_TOKEN"}));
    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, m) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let anti_csrf = s.anti_csrf_token.clone().unwrap();
    assert_eq!(m.header("anti-csrf").as_deref(), Some(anti_csrf.as_str()));
    assert_eq!(m.header("access-control-expose-headers").as_deref(), Some("front-token, anti-csrf"));
    let rt = s.refresh_token.clone().unwrap();
    let refresh = |csrf: Option<&str>| {
        let mut extra = vec![("rid", "session")];
        if let Some(c) = csrf {
            extra.push(("anti-csrf", c));
        }
        let req = cookie_req("POST", "/auth/session/refresh", &format!("sRefreshToken={rt}"), &extra);
        t.handle_api_request(&req, T0 + 10).unwrap()
    };
    assert_eq!(refresh(None).status, Some(401));
    assert_eq!(refresh(Some("wrong")).status, Some(401));
    let ok = refresh(Some(&anti_csrf));
    assert_eq!(ok.status, Some(200));
    assert_eq!(ok.body, Some(json!({})));
    assert!(ok.header("anti-csrf").is_some_and(|a| a != anti_csrf));
}

#[test]
fn signout_and_jwks_endpoints() {
    let t = mem(json!({}));
    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, _) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let jwks = t.handle_api_request(&HttpRequest::new("GET", "/auth/jwt/jwks.json", vec![]), T0).unwrap();
    assert_eq!(jwks.status, Some(200));
    assert_eq!(jwks.header("access-control-allow-origin").as_deref(), Some("*"));
    let cc = jwks.header("cache-control").unwrap();
    assert!(cc.starts_with("max-age=") && cc.ends_with(", must-revalidate"), "{cc}");
    let keys = jwks.body.unwrap()["keys"].as_array().unwrap().clone();
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["use"], "sig");
    assert!(keys[0]["kid"].as_str().unwrap().starts_with("d-"));

    let out = cookie_req("POST", "/auth/signout", &format!("sAccessToken={}", s.token.raw), &[("rid", "session")]);
    let m = t.handle_api_request(&out, T0 + 1).unwrap();
    assert_eq!(m.status, Some(200));
    assert_eq!(m.body, Some(json!({"status": "OK"})));
    assert_eq!(m.header("front-token").as_deref(), Some("remove"));
    let cleared = m.cookies.iter().find(|c| c.name == "sAccessToken").unwrap();
    assert!(cleared.header.starts_with("sAccessToken=;"), "{}", cleared.header);
    assert!(cleared.header.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
    assert!(t.authority().unwrap().session_information(&s.token.session_handle, T0).unwrap().is_none());
    // Signed out without a session: 401 unauthorised.
    let m = t.handle_api_request(&cookie_req("POST", "/auth/signout", "", &[]), T0 + 2).unwrap();
    assert_eq!(m.status, Some(401));
    assert_eq!(m.body, Some(json!({"message": "unauthorised"})));
    // Not our path.
    assert!(t.handle_api_request(&HttpRequest::new("GET", "/auth/other", vec![]), T0).is_none());
}

#[test]
fn cookie_attributes() {
    let t = engine(json!({"cookieDomain": ".Example.com", "cookieSameSite": "strict"}), "sqlite::memory:");
    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, m) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let access = &m.cookies.iter().find(|c| c.name == "sAccessToken").unwrap().header;
    assert_eq!(
        access,
        &format!(
            "sAccessToken={}; Domain=.example.com; Path=/; Expires=Wed, 13 Nov 2024 22:13:20 GMT; HttpOnly; Secure; SameSite=Strict",
            s.token.raw
        )
    );
    let refresh = &m.cookies.iter().find(|c| c.name == "sRefreshToken").unwrap().header;
    assert!(refresh.contains("; Path=/auth/session/refresh;"), "{refresh}");
    assert!(refresh.contains("Expires=Thu, 22 Feb 2024 22:13:20 GMT"), "{refresh}");
    assert!(m.header("st-access-token").is_none());
}

#[test]
fn insecure_cross_site_cookies_fail_only_in_cookie_mode() {
    let cfg = json!({
        "appInfo": {"appName": "t", "apiDomain": "http://api.a.com", "websiteDomain": "https://b.com"},
        "connectionURI": "sqlite::memory:",
    });
    let t = Tessera::from_json(&cfg.to_string()).unwrap();
    let header_mode = HttpRequest::new("POST", "/login", vec![]);
    assert!(t.create_new_session_in_request(&header_mode, "public", "u", Map::new(), Map::new(), T0).is_ok());
    let cookie_mode = HttpRequest::new("POST", "/login", vec![("st-auth-mode".into(), "cookie".into())]);
    let err = t.create_new_session_in_request(&cookie_mode, "public", "u", Map::new(), Map::new(), T0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.message().contains("cookieSecure"), "{err}");
    let answer = t.error_response(&cookie_mode, &err);
    assert_eq!(answer.status, Some(500));
    assert_eq!(answer.body, Some(json!({"message": "Internal Server Error"})));
}

#[test]
fn create_clears_any_value_in_the_other_transport() {
    let t = mem(json!({}));
    // A non-Tessera bearer value (say an API key) is cleared too, as the SDKs do.
    let req = HttpRequest::new(
        "POST",
        "/login",
        vec![("st-auth-mode".into(), "cookie".into()), ("authorization".into(), "Bearer some-api-key".into())],
    );
    let (_, m) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    assert_eq!(m.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(m.header("st-access-token").as_deref(), Some(""));
    assert!(m.cookies.iter().any(|c| c.name == "sAccessToken" && !c.header.starts_with("sAccessToken=;")));
    let req = HttpRequest::new("POST", "/login", vec![("cookie".into(), "sAccessToken=garbage".into())]);
    let (s, m) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let cleared = m.cookies.iter().find(|c| c.name == "sAccessToken").unwrap();
    assert!(cleared.header.starts_with("sAccessToken=;"), "{}", cleared.header);
    assert_eq!(m.header("st-access-token").as_deref(), Some(s.access_token()));
    assert_ne!(m.header("front-token").as_deref(), Some("remove"));
}

#[test]
fn remote_jwks_failure_is_try_refresh_and_create_is_not_supported() {
    let issuer = mem(json!({}));
    let s =
        issuer.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    // Nothing listens on port 9 (discard) here: the fetch fails fast.
    let remote = engine(json!({}), "http://127.0.0.1:9;http://127.0.0.1:9/base");
    let req = HttpRequest::new("GET", "/x", vec![("authorization".into(), format!("Bearer {}", s.token.raw))]);
    let err = remote.verify_session(&req, &VerifyOptions::default(), T0 + 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TryRefreshToken);
    let answer = remote.error_response(&req, &err);
    assert_eq!(answer.status, Some(401));
    assert_eq!(answer.body, Some(json!({"message": "try refresh token"})));
    let err = remote
        .create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotSupported);
    let refresh = HttpRequest::new("POST", "/auth/session/refresh", vec![("authorization".into(), "Bearer x".into())]);
    assert_eq!(remote.handle_api_request(&refresh, T0).unwrap().status, Some(500));
}

#[test]
fn event_loop_verification_never_does_io() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:{}", dir.path().join("io.db").display());
    let a = engine(json!({}), &uri);
    let b = engine(json!({}), &uri);
    let s = a.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let req = HttpRequest::new("GET", "/x", vec![("authorization".into(), format!("Bearer {}", s.token.raw))]);
    let opts = VerifyOptions::default();
    // a knows its key: answered without I/O.
    assert!(a.verify_session_without_io(&req, &opts, T0 + 1).unwrap().0.is_some());
    // b has not loaded a's key yet: that needs the store.
    let err = b.verify_session_without_io(&req, &opts, T0 + 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    assert!(b.verify_session(&req, &opts, T0 + 1).unwrap().0.is_some());
    assert!(b.verify_session_without_io(&req, &opts, T0 + 2).unwrap().0.is_some());
    // checkDatabase and the refresh path always need the store.
    let check = VerifyOptions { check_database: true, ..opts };
    assert_eq!(a.verify_session_without_io(&req, &check, T0 + 3).unwrap_err().kind(), ErrorKind::WouldBlock);
    let refresh = HttpRequest::new("POST", "/auth/session/refresh", vec![]);
    assert_eq!(a.verify_session_without_io(&refresh, &opts, T0 + 3).unwrap_err().kind(), ErrorKind::WouldBlock);
    // Session errors that need no I/O are answered as usual.
    let none = HttpRequest::new("GET", "/x", vec![]);
    assert_eq!(a.verify_session_without_io(&none, &opts, T0).unwrap_err().kind(), ErrorKind::Unauthorised);
    // A remote JWKS that was never fetched: WOULD_BLOCK, not a fetch on the caller's thread.
    let remote = engine(json!({}), "http://127.0.0.1:9");
    assert_eq!(remote.verify_session_without_io(&req, &opts, T0 + 1).unwrap_err().kind(), ErrorKind::WouldBlock);
}

#[test]
fn cache_only_verification_answers_known_tokens_and_defers_signature_checks() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:{}", dir.path().join("cached.db").display());
    let a = engine(json!({}), &uri);
    let b = engine(json!({}), &uri);
    let bearer = |raw: &str| HttpRequest::new("GET", "/x", vec![("authorization".into(), format!("Bearer {raw}"))]);
    let opts = VerifyOptions::default();
    let first =
        a.create_new_session_without_request_response("public", "u1", Map::new(), Map::new(), false, T0).unwrap();
    // b loads the signing key with the first token.
    assert!(b.verify_session(&bearer(&first.token.raw), &opts, T0 + 1).unwrap().0.is_some());
    // A token b has not verified yet needs a signature check: deferred, though the key is known.
    let s = a.create_new_session_without_request_response("public", "u2", Map::new(), Map::new(), false, T0).unwrap();
    let req = bearer(&s.token.raw);
    assert_eq!(b.verify_session_from_cache(&req, &opts, T0 + 1).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert!(b.verify_session_without_io(&req, &opts, T0 + 1).unwrap().0.is_some());
    // Once verified, the cache answers, with the same session.
    let (state, m) = b.verify_session_from_cache(&req, &opts, T0 + 2).unwrap();
    assert_eq!(state.unwrap().token.user_id, "u2");
    assert!(m.headers.is_empty() && m.cookies.is_empty());
    // A cached token past its expiry is checked again, where that may run: TRY_REFRESH_TOKEN there.
    let expired = s.token.expiry_ms + 1;
    assert_eq!(b.verify_session_from_cache(&req, &opts, expired).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(b.verify_session_without_io(&req, &opts, expired).unwrap_err().kind(), ErrorKind::TryRefreshToken);
    // Answers that need no signature come straight away.
    let none = HttpRequest::new("GET", "/x", vec![]);
    assert_eq!(b.verify_session_from_cache(&none, &opts, T0).unwrap_err().kind(), ErrorKind::Unauthorised);
    let optional = VerifyOptions { session_required: false, ..opts };
    assert!(b.verify_session_from_cache(&none, &optional, T0).unwrap().0.is_none());
    assert_eq!(
        b.verify_session_from_cache(&bearer("not.a.token"), &opts, T0).unwrap_err().kind(),
        ErrorKind::Unauthorised
    );
    let preflight = HttpRequest::new("OPTIONS", "/x", vec![]);
    assert!(b.verify_session_from_cache(&preflight, &opts, T0).unwrap().0.is_none());
    // checkDatabase and the refresh path still go where the store is.
    let check = VerifyOptions { check_database: true, ..opts };
    assert_eq!(b.verify_session_from_cache(&req, &check, T0 + 3).unwrap_err().kind(), ErrorKind::WouldBlock);
}

#[test]
fn a_per_request_transfer_method_overrides_the_configured_one() {
    use tessera_core::config::TokenTransfer;
    use tessera_core::config::TransferMethodSetting::{Cookie, Header};
    let t = mem(json!({"antiCsrf": "NONE"}));
    let now = tessera_core::engine::now_ms();
    // Configured "any": a request asking for headers would get headers; the application's
    // per-request answer says cookies.
    let create = HttpRequest::new("POST", "/login", vec![("st-auth-mode".into(), "header".into())]);
    let (state, m) = t.create_new_session_in_request(&create, "public", "u", Map::new(), Map::new(), now).unwrap();
    assert_eq!(state.transfer, TokenTransfer::Header);
    assert!(m.cookies.is_empty());
    let (state, m) = t
        .create_new_session_in_request(
            &create.with_token_transfer_method(Some(Cookie)),
            "public",
            "u",
            Map::new(),
            Map::new(),
            now,
        )
        .unwrap();
    assert_eq!(state.transfer, TokenTransfer::Cookie);
    assert!(m.cookies.iter().any(|c| c.name == "sAccessToken"), "{m:?}");

    // The cookie-borne token is not looked at when this request may only use headers.
    let cookie = format!("sAccessToken={}", state.access_token());
    let verify = cookie_req("GET", "/getJWT", &cookie, &[]);
    assert!(t.verify_session(&verify, &VerifyOptions::default(), now).unwrap().0.is_some());
    let err = t
        .verify_session(&verify.clone().with_token_transfer_method(Some(Header)), &VerifyOptions::default(), now)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);

    // The JSON shape the bindings send carries it too.
    let req: HttpRequest =
        serde_json::from_value(json!({"method": "GET", "path": "/", "headers": [], "tokenTransferMethod": "header"}))
            .unwrap();
    assert_eq!(req.token_transfer_method, Some(Header));
    assert!(serde_json::from_value::<HttpRequest>(
        json!({"method": "GET", "path": "/", "headers": [], "tokenTransferMethod": "both"})
    )
    .is_err());
}

#[test]
fn get_session_without_io_answers_inline_or_says_it_would_block() {
    let t = mem(json!({}));
    let now = tessera_core::engine::now_ms();
    let s = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), true, now).unwrap();
    let plain = VerifyOptions { anti_csrf_check: Some(false), ..VerifyOptions::default() };
    let got = t.get_session_without_request_response_without_io(&s.token.raw, None, &plain, now).unwrap().unwrap();
    assert_eq!(got.token.user_id, "u");
    // Garbage is answered inline too, exactly as with I/O allowed.
    let err = t.get_session_without_request_response_without_io("garbage", None, &plain, now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    // checkDatabase needs the store.
    let checked = VerifyOptions { check_database: true, ..plain };
    let err = t.get_session_without_request_response_without_io(&s.token.raw, None, &checked, now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    assert!(t.get_session_without_request_response(&s.token.raw, None, &checked, now).unwrap().is_some());
}

#[test]
fn api_requests_are_the_three_endpoints_below_the_api_base_path() {
    let default = mem(json!({}));
    let custom = {
        let cfg = json!({
            "appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com",
                        "apiBasePath": "/api/v1/auth/"},
            "connectionURI": "sqlite::memory:",
        });
        Tessera::from_json(&cfg.to_string()).unwrap()
    };
    let cases: &[(&Tessera, &str, &str, bool)] = &[
        (&default, "POST", "/auth/session/refresh", true),
        (&default, "post", "/auth/session/refresh/", true),
        (&default, "POST", "/auth/session/refresh?x=1#f", true),
        (&default, "POST", "/auth/signout", true),
        (&default, "GET", "/auth/jwt/jwks.json", true),
        (&default, "GET", "/auth/session/refresh", false),
        (&default, "POST", "/auth/jwt/jwks.json", false),
        (&default, "PUT", "/auth/signout", false),
        (&default, "POST", "/auth/session/refresh2", false),
        (&default, "POST", "/authsession/refresh", false),
        (&default, "POST", "/auth//session/refresh", false),
        (&default, "POST", "/Auth/session/refresh", false),
        (&default, "POST", "/other/auth/session/refresh", false),
        (&default, "GET", "/", false),
        (&default, "GET", "", false),
        (&custom, "POST", "/api/v1/auth/session/refresh", true),
        (&custom, "GET", "/api/v1/auth/jwt/jwks.json", true),
        (&custom, "POST", "/auth/session/refresh", false),
    ];
    for (t, method, path, want) in cases {
        assert_eq!(t.is_api_path(method, path), *want, "{method} {path}");
        assert_eq!(t.is_api_request(&HttpRequest::new(*method, *path, vec![])), *want, "{method} {path}");
        // What the endpoints answer agrees with the check.
        let answered = t.handle_api_request(&HttpRequest::new(*method, *path, vec![]), T0).is_some();
        assert_eq!(answered, *want, "{method} {path} answered");
    }
}

#[test]
fn endpoint_errors_for_app_error_handlers() {
    let t = mem(json!({}));
    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, _) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let rt0 = s.refresh_token.clone().unwrap();
    let refresh =
        |rt: &str| cookie_req("POST", "/auth/session/refresh", &format!("sRefreshToken={rt}"), &[("rid", "session")]);
    let ok = t.try_handle_api_request(&refresh(&rt0), T0 + 1).unwrap().unwrap();
    assert_eq!(ok.status, Some(200));
    // The old token after the grace window: the error itself, not an answer.
    let reuse = refresh(&rt0);
    let err = t.try_handle_api_request(&reuse, T0 + 60_000).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTheftDetected);
    // Before an app's handler: tokens cleared, no status or body of its own.
    let prelude = t.error_prelude(&reuse, &err);
    assert_eq!((prelude.status, prelude.body.clone()), (None, None));
    assert_eq!(prelude.header("front-token").as_deref(), Some("remove"));
    assert!(prelude.cookies.iter().any(|c| c.name == "sRefreshToken" && c.header.starts_with("sRefreshToken=;")));
    // The default answer is the prelude plus the default handler's status and body.
    let full = t.error_response(&reuse, &err);
    assert_eq!(full.status, Some(401));
    assert_eq!(full.body, Some(json!({"message": "token theft detected"})));
    assert_eq!(full.cookies, prelude.cookies);
    assert_eq!(t.handle_api_request(&reuse, T0 + 60_001).unwrap().status, Some(401));
    // A refresh without a refresh token clears every transport (§6); try refresh token clears nothing.
    let no_token = cookie_req("POST", "/auth/session/refresh", "", &[("rid", "session")]);
    let err = t.try_handle_api_request(&no_token, T0).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    assert!(!t.error_prelude(&no_token, &err).cookies.is_empty());
    let expired = cookie_req("GET", "/x", &format!("sAccessToken={}", s.token.raw), &[]);
    let err = t.verify_session(&expired, &VerifyOptions::default(), T0 + 7_200_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TryRefreshToken);
    let prelude = t.error_prelude(&expired, &err);
    assert!(prelude.cookies.is_empty() && prelude.headers.is_empty());
    assert!(t.try_handle_api_request(&HttpRequest::new("GET", "/other", vec![]), T0).is_none());
}

#[test]
fn a_merge_writes_the_access_token_and_front_token_only() {
    let t = mem(json!({"antiCsrf": "VIA_TOKEN"}));
    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (created, _) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let anti_csrf = created.anti_csrf_token.clone().unwrap();
    let call = cookie_req(
        "POST",
        "/merge",
        &format!("sAccessToken={}", created.token.raw),
        &[("anti-csrf", anti_csrf.as_str()), ("rid", "anti-csrf")],
    );
    let (state, _) = t.verify_session(&call, &VerifyOptions::default(), T0 + 1).unwrap();
    let mut state = state.unwrap();
    let m = t.merge_into_access_token_payload_in_session(&mut state, &obj(json!({"role": "admin"})), T0 + 2).unwrap();
    assert!(m.header("front-token").is_some());
    assert_eq!(m.cookies.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["sAccessToken"]);
    // The client keeps its anti-CSRF token: supertokens-node does not send it again.
    assert_eq!(m.header("anti-csrf"), None);
    assert_eq!(m.header("access-control-expose-headers").as_deref(), Some("front-token"));
}

/// The verify path reads every `Cookie` header in one pass: what it finds must be what the
/// joined header says (HTTP/2 clients send one header per cookie).
#[test]
fn cookies_spread_over_several_headers_read_as_one() {
    let t = mem(json!({}));
    let s = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0).unwrap();
    let token = s.token.raw.clone();
    let verify = |cookies: &[&str]| {
        let headers = cookies.iter().map(|c| ("Cookie".to_owned(), (*c).to_owned())).collect();
        t.verify_session(&HttpRequest::new("GET", "/x", headers), &VerifyOptions::default(), T0 + 1)
    };
    let (found, _) = verify(&["_ga=1; theme=dark", &format!("sAccessToken={token}"), "consent=yes"]).unwrap();
    assert_eq!(found.unwrap().token.user_id, "u");
    // Quoted, and percent-encoded characters that decode to themselves.
    let (found, _) = verify(&[&format!("sAccessToken=\"{token}\"")]).unwrap();
    assert_eq!(found.unwrap().token.raw, token);

    let dup = verify(&[&format!("sAccessToken={token}"), "s%41ccessToken=other"]).unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::TryRefreshToken);
    assert_eq!(dup.message(), "Multiple access tokens present in the request cookies.");

    // The legacy cookie wins wherever it is, even after a valid token.
    let legacy = verify(&[&format!("sAccessToken={token}"), "a=b; sIdRefreshToken=old"]).unwrap_err();
    assert_eq!(legacy.kind(), ErrorKind::TryRefreshToken);
    assert_eq!(legacy.message(), "using legacy session, please call the refresh API");

    // A pair without `=` is skipped, not read as a name.
    let (found, _) = verify(&[&format!("sAccessToken; sAccessToken={token}")]).unwrap();
    assert!(found.is_some());
}

#[test]
fn api_endpoints_are_named_by_method_and_path() {
    use tessera_core::protocol::ApiEndpoint;
    let t = mem(json!({}));
    let cases = [
        ("POST", "/auth/session/refresh", Some(ApiEndpoint::Refresh)),
        ("post", "/auth/session/refresh/?x=1", Some(ApiEndpoint::Refresh)),
        ("POST", "/auth/signout", Some(ApiEndpoint::SignOut)),
        ("POST", "/auth/x/../signout", Some(ApiEndpoint::SignOut)),
        ("GET", "/auth/jwt/jwks.json", Some(ApiEndpoint::Jwks)),
        ("GET", "/auth/session/refresh", None),
        ("PUT", "/auth/signout", None),
        ("POST", "/auth/jwt/jwks.json", None),
        ("POST", "/auth/signout2", None),
        ("POST", "/other/signout", None),
    ];
    for (method, path, want) in cases {
        assert_eq!(t.api_endpoint(method, path), want, "{method} {path}");
        assert_eq!(t.is_api_path(method, path), want.is_some(), "{method} {path}");
    }
    assert_eq!(ApiEndpoint::SignOut.as_str(), "signout");
}

/// Bindings skip the native `api_endpoint` for a path that neither starts with
/// `api_path_prefix` nor has one of `PATH_REWRITING_CHARS`: no API path may be such a path,
/// however it hides its segments.
#[test]
fn every_api_path_starts_with_the_prefix_or_has_a_rewriting_char() {
    use tessera_core::http::PATH_REWRITING_CHARS;
    let with_base = |base: &str| {
        let cfg = json!({
            "appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "apiBasePath": base},
            "connectionURI": "sqlite::memory:",
        });
        Tessera::from_json(&cfg.to_string()).unwrap()
    };
    let segments =
        ["auth", "session", "refresh", "signout", "api", "..", ".", "%2E%2e", "", "x\\auth", "refresh\t", "a?b"];
    let n = segments.len();
    for base in ["/auth", "/api/auth", "/"] {
        let t = with_base(base);
        let prefix = t.api_path_prefix();
        let (mut api_paths, mut rewritten) = (0, 0);
        // Every path of one to four of these segments, with and without a leading `/`.
        for len in 1..=4u32 {
            for mut i in 0..n.pow(len) {
                let mut parts = Vec::new();
                for _ in 0..len {
                    parts.push(segments[i % n]);
                    i /= n;
                }
                let joined = parts.join("/");
                for p in [format!("/{joined}"), joined.clone(), format!("/{joined}/")] {
                    if t.is_api_path("POST", &p) {
                        api_paths += 1;
                        let has_rewriting_char = p.contains(|c| PATH_REWRITING_CHARS.contains(c));
                        rewritten += usize::from(!p.starts_with(prefix));
                        assert!(
                            p.starts_with(prefix) || has_rewriting_char,
                            "POST {p:?} is an API path under {prefix:?}"
                        );
                    }
                }
            }
        }
        assert!(
            api_paths > 10 && (rewritten > 0 || prefix.is_empty()),
            "{base}: {api_paths} API paths, {rewritten} rewritten"
        );
    }
}

#[test]
fn session_request_input_is_what_get_session_on_a_request_passes_on() {
    use tessera_core::config::TokenTransfer;
    let t = mem(json!({"antiCsrf": "VIA_TOKEN"}));
    let login = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, _) = t.create_new_session_in_request(&login, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let token = s.access_token().to_owned();
    let csrf = s.anti_csrf_token.clone().unwrap();

    // A cookie-borne token on a POST: the anti-CSRF check applies, with the header as sent.
    let post = cookie_req("POST", "/x", &format!("sAccessToken={token}"), &[("anti-csrf", &csrf)]);
    let input = t.session_request_input(&post, None).unwrap();
    assert_eq!(input.access_token.as_deref(), Some(token.as_str()));
    assert_eq!(input.anti_csrf_token.as_deref(), Some(csrf.as_str()));
    assert!(input.anti_csrf_check);
    assert_eq!(input.transfer, Some(TokenTransfer::Cookie));
    // Not on a GET unless asked for, and never for a header-borne token.
    assert!(
        !t.session_request_input(&cookie_req("GET", "/x", &format!("sAccessToken={token}"), &[]), None)
            .unwrap()
            .anti_csrf_check
    );
    let bearer = format!("Bearer {token}");
    let header = cookie_req("POST", "/x", "sAccessToken=garbage", &[("authorization", &bearer)]);
    let input = t.session_request_input(&header, Some(true)).unwrap();
    assert_eq!((input.transfer, input.anti_csrf_check), (Some(TokenTransfer::Header), false));
    // Garbage is no token; a legacy cookie or two access cookies are the SDKs' errors.
    let none = t.session_request_input(&cookie_req("POST", "/x", "sAccessToken=garbage", &[]), None).unwrap();
    assert_eq!((none.access_token, none.transfer, none.anti_csrf_check), (None, None, false));
    let legacy = cookie_req("GET", "/x", "sIdRefreshToken=x", &[]);
    assert_eq!(t.session_request_input(&legacy, None).unwrap_err().kind(), ErrorKind::TryRefreshToken);
    let two = cookie_req("GET", "/x", &format!("sAccessToken={token}; sAccessToken={token}"), &[]);
    assert_eq!(t.session_request_input(&two, None).unwrap_err().kind(), ErrorKind::TryRefreshToken);
}

#[test]
fn a_refresh_through_its_parts_answers_as_the_endpoint_does() {
    use tessera_core::config::TokenTransfer;
    let t = mem(json!({"antiCsrf": "VIA_TOKEN"}));
    let login = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, _) = t.create_new_session_in_request(&login, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let rt = s.refresh_token.clone().unwrap();
    let csrf = s.anti_csrf_token.clone().unwrap();
    let req = cookie_req(
        "POST",
        "/auth/session/refresh",
        &format!("sRefreshToken={rt}; sIdRefreshToken=old"),
        &[("anti-csrf", &csrf)],
    );
    let input = t.refresh_request_input(&req).unwrap();
    assert_eq!(input.refresh_token, rt);
    assert_eq!(input.anti_csrf_token.as_deref(), Some(csrf.as_str()));
    assert!(!input.disable_anti_csrf);
    assert_eq!(input.transfer, TokenTransfer::Cookie);
    let mut state = t
        .refresh_session_without_request_response(&input.refresh_token, input.disable_anti_csrf, Some(&csrf), T0 + 10)
        .unwrap();
    state.transfer = input.transfer;
    let m = t.refreshed_session_response(&req, &state, T0 + 10);
    let names: Vec<&str> = m.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sAccessToken", "sRefreshToken", "sIdRefreshToken"], "{m:?}");
    assert!(m.header("front-token").is_some());
    assert_eq!(m.header("anti-csrf").as_deref(), state.anti_csrf_token.as_deref());

    // No refresh token: the endpoint's own errors.
    let err = t.refresh_request_input(&cookie_req("POST", "/auth/session/refresh", "sAccessToken=x", &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    assert!(err.to_string().contains("access token is present"), "{err}");
}

#[test]
fn create_jwt_tokens_verify_and_carry_the_issuer_and_validity() {
    let t = mem(json!({}));
    let s = t.create_new_session_without_request_response("public", "u", Map::new(), Map::new(), true, T0).unwrap();
    // A session's own claims, re-signed by createJWT with the dynamic key, verify as a session.
    let mut payload = s.token.payload.clone();
    payload.remove("exp");
    payload.remove("iat");
    let jwt = t.create_jwt(&payload, Some(1234), false, T0 + 1000).unwrap();
    let header: Value =
        serde_json::from_slice(&tessera_core::b64::decode_lenient(jwt.split('.').next().unwrap().as_bytes()).unwrap())
            .unwrap();
    assert_eq!(header["typ"], "JWT");
    assert!(header.get("version").is_none(), "{header}");
    let opts = VerifyOptions { anti_csrf_check: Some(false), ..VerifyOptions::default() };
    let verified = t.get_session_without_request_response(&jwt, None, &opts, T0 + 2000).unwrap().unwrap();
    let p = &verified.token.payload;
    assert_eq!(p["exp"].as_u64().unwrap() - p["iat"].as_u64().unwrap(), 1234);
    assert_eq!(p["iat"].as_u64().unwrap(), (T0 + 1000) / 1000);
    assert_eq!(p["iss"], "https://api.example.com/auth");
    assert_eq!(verified.token.session_handle, s.token.session_handle);

    // The static key by default, and the payload's own iss wins; the JWKS verifies it.
    payload.insert("iss".into(), json!("me"));
    let jwt = t.create_jwt(&payload, None, true, T0).unwrap();
    let token = t.verify_access_token(&jwt, T0).unwrap();
    assert_eq!(token.payload["iss"], "me");
    assert_eq!(token.payload["exp"].as_u64().unwrap(), T0 / 1000 + 3_153_600_000);
    // ... but it is not a session of a dynamic-key app, as in the SDKs.
    let err = t.get_session_without_request_response(&jwt, None, &opts, T0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TryRefreshToken);
    assert_eq!(t.create_jwt(&Map::new(), Some(u64::MAX), true, T0).unwrap_err().kind(), ErrorKind::InvalidInput);

    // Served at {apiBasePath}/.well-known/openid-configuration, as the SDKs' OpenID recipe does.
    let req = HttpRequest::new("GET", "/auth/.well-known/openid-configuration?x=1", vec![]);
    let served = t.handle_api_request(&req, T0).unwrap();
    assert_eq!(served.status, Some(200));
    assert_eq!(served.body.as_ref(), Some(&t.openid_discovery_configuration()));
    assert_eq!(served.header("access-control-allow-origin").as_deref(), Some("*"));
    assert!(t.api_endpoint("POST", "/auth/.well-known/openid-configuration").is_none());
    let doc = t.openid_discovery_configuration();
    assert_eq!(doc["issuer"], "https://api.example.com/auth");
    assert_eq!(doc["jwks_uri"], "https://api.example.com/auth/jwt/jwks.json");
    assert_eq!(doc["token_endpoint"], "https://api.example.com/auth/oauth/token");
}

#[test]
fn an_api_gateway_path_is_in_what_browsers_see_but_not_in_the_apps_routes() {
    // As in the SDKs: the gateway strips its prefix (an AWS stage) before the app sees the
    // request, so routes match without it, while the refresh cookie's path, the issuer and the
    // discovery document name the URLs browsers and verifiers call, with it.
    let cfg = json!({
        "appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com",
                    "apiGatewayPath": "dev/", "apiBasePath": "/auth"},
        "connectionURI": "sqlite::memory:",
    });
    let t = Tessera::from_json(&cfg.to_string()).unwrap();
    assert_eq!(t.config().api_gateway_path, "/dev");
    assert!(t.is_api_path("POST", "/auth/session/refresh"));
    assert!(t.is_api_path("GET", "/auth/jwt/jwks.json"));
    assert!(!t.is_api_path("POST", "/dev/auth/session/refresh"));

    let req = cookie_req("POST", "/login", "", &[("st-auth-mode", "cookie")]);
    let (s, m) = t.create_new_session_in_request(&req, "public", "u", Map::new(), Map::new(), T0).unwrap();
    let refresh = &m.cookies.iter().find(|c| c.name == "sRefreshToken").unwrap().header;
    assert!(refresh.contains("; Path=/dev/auth/session/refresh;"), "{refresh}");
    let access = &m.cookies.iter().find(|c| c.name == "sAccessToken").unwrap().header;
    assert!(access.contains("; Path=/;"), "{access}");
    assert_eq!(s.token.payload["iss"], "https://api.example.com/dev/auth");
    let doc = t.openid_discovery_configuration();
    assert_eq!(doc["issuer"], "https://api.example.com/dev/auth");
    assert_eq!(doc["jwks_uri"], "https://api.example.com/dev/auth/jwt/jwks.json");

    // The refresh endpoint answers on the route the app sees and sets the gateway's path again.
    let rt = s.refresh_token.clone().unwrap();
    let refresh_req =
        cookie_req("POST", "/auth/session/refresh", &format!("sRefreshToken={rt}"), &[("rid", "session")]);
    let answer = t.handle_api_request(&refresh_req, T0 + 1000).unwrap();
    assert_eq!(answer.status, Some(200), "{answer:?}");
    let rotated = &answer.cookies.iter().find(|c| c.name == "sRefreshToken").unwrap().header;
    assert!(rotated.contains("; Path=/dev/auth/session/refresh;"), "{rotated}");

    let bad = json!({"appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "apiGatewayPath": "/dev?x"}});
    let err = Tessera::from_json(&bad.to_string()).err().unwrap();
    assert!(err.message().contains("appInfo.apiGatewayPath"), "{}", err.message());
}

#[test]
fn an_empty_user_id_makes_a_session_as_the_supertokens_core_does() {
    let t = mem(json!({}));
    let s = t.create_new_session_without_request_response("public", "", Map::new(), Map::new(), true, T0).unwrap();
    assert_eq!(s.token.user_id, "");
    assert_eq!(s.token.payload["sub"], "");
    let opts = VerifyOptions { anti_csrf_check: Some(false), ..VerifyOptions::default() };
    let got = t.get_session_without_request_response(&s.token.raw, None, &opts, T0 + 1).unwrap().unwrap();
    assert_eq!(got.token.session_handle, s.token.session_handle);
}

#[test]
fn regenerate_access_token_replaces_the_payload_and_keeps_the_expiry() {
    let t = mem(json!({}));
    let s = t
        .create_new_session_without_request_response("public", "u", obj(json!({"a": 1, "b": 2})), Map::new(), true, T0)
        .unwrap();
    let answer = t.regenerate_access_token(&s.token.raw, obj(json!({"c": 3})), T0 + 5000).unwrap().unwrap();
    assert_eq!(answer["session"]["handle"], s.token.session_handle.as_str());
    assert_eq!(answer["session"]["userId"], "u");
    assert_eq!(answer["session"]["recipeUserId"], "u");
    assert_eq!(answer["session"]["tenantId"], "public");
    assert_eq!(answer["session"]["userDataInJWT"], json!({"c": 3}));
    let new_token = answer["accessToken"]["token"].as_str().unwrap();
    assert_eq!(answer["accessToken"]["expiry"].as_u64(), Some(s.token.expiry_ms));
    assert_eq!(answer["accessToken"]["createdTime"].as_u64(), Some(T0 + 5000));
    let opts = VerifyOptions { anti_csrf_check: Some(false), ..VerifyOptions::default() };
    let got = t.get_session_without_request_response(new_token, None, &opts, T0 + 6000).unwrap().unwrap();
    assert_eq!(got.token.payload["c"], 3);
    assert!(got.token.payload.get("a").is_none(), "replaced, not merged: {:?}", got.token.payload);
    assert_eq!(
        t.authority()
            .unwrap()
            .session_information(&s.token.session_handle, T0)
            .unwrap()
            .unwrap()
            .custom_claims_in_access_token_payload,
        obj(json!({"c": 3}))
    );

    // The new token can become a session's in a request; another session's cannot.
    let mut state = t.get_session_without_request_response(&s.token.raw, None, &opts, T0 + 5000).unwrap().unwrap();
    let m = t.adopt_access_token(&mut state, new_token, T0 + 5000).unwrap();
    assert!(state.access_token_updated && state.access_token() == new_token);
    assert!(m.header("front-token").is_some(), "{m:?}");
    let other = t.create_new_session_without_request_response("public", "v", Map::new(), Map::new(), true, T0).unwrap();
    let err = t.adopt_access_token(&mut state, &other.token.raw, T0 + 5000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    // An expired token still stores the payload, without a new token.
    let expired_at = s.token.expiry_ms + 1;
    let answer = t.regenerate_access_token(&s.token.raw, obj(json!({"d": 4})), expired_at).unwrap().unwrap();
    assert!(answer.get("accessToken").is_none(), "{answer}");
    assert_eq!(answer["session"]["userDataInJWT"], json!({"d": 4}));

    // Protected props are refused; a forged or garbage token is not a way in.
    let err = t.regenerate_access_token(&s.token.raw, obj(json!({"sub": "x"})), T0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let mut parts: Vec<String> = s.token.raw.split('.').map(str::to_owned).collect();
    let flipped = if parts[2].as_bytes()[10] == b'A' { "B" } else { "A" };
    parts[2].replace_range(10..11, flipped);
    let err = t.regenerate_access_token(&parts.join("."), Map::new(), T0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TryRefreshToken);
    assert_eq!(t.regenerate_access_token("garbage", Map::new(), T0).unwrap_err().kind(), ErrorKind::Unauthorised);

    // A revoked session: None, as the SDKs answer the core's UNAUTHORISED.
    t.authority().unwrap().revoke_sessions(std::slice::from_ref(&s.token.session_handle)).unwrap();
    assert!(t.regenerate_access_token(&s.token.raw, Map::new(), T0 + 1).unwrap().is_none());
}

#[test]
fn the_payload_a_merge_hands_regenerate_is_the_custom_claims_merged() {
    let t = mem(json!({}));
    let s = t
        .create_new_session_without_request_response("public", "u", obj(json!({"a": 1, "b": 2})), Map::new(), true, T0)
        .unwrap();
    let update = obj(json!({"b": null, "c": 3, "sub": "someone-else", "exp": 1}));
    let merged = tessera_core::authority::merged_custom_payload(&s.token, &update);
    // Protected props are neither kept from the token nor taken from the update; null deletes.
    assert_eq!(Value::Object(merged), json!({"a": 1, "c": 3, "iss": "https://api.example.com/auth"}));
}

/// `getSession` on a request verifies what an OPTIONS request or a POST to the refresh path
/// carries; the `verifySession` API's rules give the first no session and refresh the second.
#[test]
fn get_session_rules_verify_preflight_and_refresh_path_requests() {
    let t = mem(json!({}));
    let req = HttpRequest::new("POST", "/login", vec![("st-auth-mode".to_owned(), "header".to_owned())]);
    let (s, _) = t.create_new_session_in_request(&req, "public", "user-1", Map::new(), Map::new(), T0).unwrap();
    let access = format!("Bearer {}", s.token.raw);
    let refresh = format!("Bearer {}", s.refresh_token.clone().unwrap());
    let get_session = VerifyOptions { api_rules: false, ..VerifyOptions::default() };
    let api = VerifyOptions::default();
    let with = |method: &str, path: &str, auth: &str| {
        HttpRequest::new(method, path, vec![("authorization".to_owned(), auth.to_owned())])
    };

    // OPTIONS without a session: the API gives none, getSession answers unauthorised.
    let bare = HttpRequest::new("OPTIONS", "/x", vec![]);
    assert!(t.verify_session(&bare, &api, T0).unwrap().0.is_none());
    assert_eq!(t.verify_session(&bare, &get_session, T0).unwrap_err().kind(), ErrorKind::Unauthorised);
    // OPTIONS with a token: getSession verifies it.
    let (found, _) = t.verify_session(&with("OPTIONS", "/x", &access), &get_session, T0).unwrap();
    assert_eq!(found.unwrap().token.session_handle, s.token.session_handle);

    // POST to the refresh path: getSession verifies the access token, the API refreshes.
    let (found, m) = t.verify_session(&with("POST", "/auth/session/refresh", &access), &get_session, T0).unwrap();
    assert_eq!(found.unwrap().token.raw, s.token.raw);
    assert_eq!(m, Default::default());
    let err = t.verify_session(&with("POST", "/auth/session/refresh", &refresh), &get_session, T0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorised);
    let (refreshed, _) = t.verify_session(&with("POST", "/auth/session/refresh", &refresh), &api, T0).unwrap();
    assert_ne!(refreshed.unwrap().refresh_token, s.refresh_token);
}
