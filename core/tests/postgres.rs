//! The PostgreSQL store: the shared behaviour suite, several engines (as several app servers
//! would be) on one database, and what happens when the database goes away and comes back.
//!
//! The server comes from `scripts/pg.sh run`, which `make test` wraps around the Rust tests
//! and which sets `TESSERA_TEST_POSTGRES_URI`. Run alone (`cargo test`) without it, these
//! tests say so and pass, unless `TESSERA_TEST_POSTGRES_REQUIRED=1`, as under `make test`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;

use serde_json::{json, Map, Value};
use tessera_core::authority::hash2;
use tessera_core::http::HttpRequest;
use tessera_core::protocol::VerifyOptions;
use tessera_core::store::suite::{self, sample_session};
use tessera_core::store::{KeyKind, PostgresStore, Store};
use tessera_core::{ErrorKind, Tessera};

const T0: u64 = 1_700_000_000_000;
const HOUR_MS: u64 = 3_600_000;

/// The test server's URI, or `None` (after saying why) when this run has none.
fn server_uri() -> Option<String> {
    match std::env::var("TESSERA_TEST_POSTGRES_URI") {
        Ok(uri) if !uri.is_empty() => Some(uri),
        _ => {
            assert!(
                std::env::var("TESSERA_TEST_POSTGRES_REQUIRED").as_deref() != Ok("1"),
                "TESSERA_TEST_POSTGRES_REQUIRED=1 but TESSERA_TEST_POSTGRES_URI is not set"
            );
            eprintln!("skipped: no PostgreSQL for this run (use `scripts/pg.sh run cargo test`)");
            None
        }
    }
}

/// A URI for a new, empty schema on the server of `base`: every test (and every behaviour of
/// the suite) gets its own tables while sharing one server.
fn fresh_schema(base: &str) -> String {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = postgres::Client::connect(base, postgres::NoTls).expect("connect to the test server");
    admin.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

fn engine(uri: &str, session: Value) -> Tessera {
    let cfg = json!({
        "appInfo": {"appName": "t", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
        "connectionURI": uri,
        "session": session,
    });
    Tessera::from_json(&cfg.to_string()).expect("engine on PostgreSQL")
}

fn create(t: &Tessera, user: &str, now: u64) -> (String, String, String) {
    let s = t
        .create_new_session_without_request_response("public", user, Map::new(), Map::new(), false, now)
        .expect("create");
    (s.token.session_handle.clone(), s.token.raw.clone(), s.refresh_token.clone().expect("refresh token"))
}

fn store_of(t: &Tessera) -> Arc<dyn Store> {
    Arc::clone(t.authority().expect("authority").store())
}

#[test]
fn suite_on_postgres() {
    let Some(base) = server_uri() else { return };
    suite::run_all(&|| Box::new(PostgresStore::open(&fresh_schema(&base)).expect("open")));
}

#[test]
fn servers_starting_together_create_the_schema_once() {
    let Some(base) = server_uri() else { return };
    let uri = fresh_schema(&base);
    let start = Barrier::new(6);
    let stores: Vec<PostgresStore> = thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    PostgresStore::open(&uri).expect("open")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("opener panicked")).collect()
    });
    stores[0].insert_session(&sample_session("h", "u", "u", "public", 1, 2)).expect("insert");
    assert!(stores[5].get_session("h").expect("get").is_some());
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(base) = server_uri() else { return };
    let uri = fresh_schema(&base);
    drop(PostgresStore::open(&uri).expect("open"));
    let mut admin = postgres::Client::connect(&uri, postgres::NoTls).expect("connect");
    admin.batch_execute("UPDATE tessera_schema_version SET version = 99").expect("bump");
    let err = PostgresStore::open(&uri).expect_err("a newer schema was accepted");
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.message().contains("99"), "{err}");
}

#[test]
fn pool_size_bounds_connections_and_everyone_gets_one() {
    let Some(base) = server_uri() else { return };
    let app = format!("pool_{}", uuid::Uuid::new_v4().simple());
    let uri = format!("{}&pool_size=2&application_name={app}", fresh_schema(&base));
    let store = PostgresStore::open(&uri).expect("open");
    assert_eq!(store.settings().pool_size(), 2);
    store.insert_session(&sample_session("counter", "u", "u", "public", 1, u64::from(u32::MAX))).expect("insert");
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..10 {
                    suite::increment(&store, "counter");
                }
            });
        }
    });
    let row = store.get_session("counter").expect("get").expect("row");
    assert_eq!(suite::counter(&row), 80);
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
    let open: i64 = admin
        .query_one("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", &[&app])
        .expect("count")
        .get(0);
    assert!((1..=2).contains(&open), "{open} connections open with pool_size=2");
}

#[test]
fn a_session_made_on_one_server_is_refreshed_and_revoked_on_another() {
    let Some(base) = server_uri() else { return };
    let uri = fresh_schema(&base);
    let a = engine(&uri, json!({}));
    let b = engine(&uri, json!({}));
    let (handle, access, rt0) = create(&a, "user-1", T0);
    let opts = VerifyOptions::default();
    assert!(b.get_session_without_request_response(&access, None, &opts, T0 + 1).expect("verify on b").is_some());
    let s1 = b.refresh_session_without_request_response(&rt0, false, None, T0 + 1_000).expect("refresh on b");
    let rt1 = s1.refresh_token.clone().expect("rt1");
    let s2 = a.refresh_session_without_request_response(&rt1, false, None, T0 + 2_000).expect("refresh on a");
    assert_eq!(s2.token.session_handle, handle);
    // rt0 is past the grace window now: reuse is theft, seen by whichever server gets it.
    let err = b.refresh_session_without_request_response(&rt0, false, None, T0 + 60_000).expect_err("theft");
    assert_eq!(err.kind(), ErrorKind::TokenTheftDetected);
    assert!(store_of(&a).get_session(&handle).expect("get").is_none());
}

#[test]
fn concurrent_refresh_on_two_servers_leaves_one_lineage() {
    let Some(base) = server_uri() else { return };
    let uri = fresh_schema(&base);
    let a = engine(&uri, json!({}));
    let b = engine(&uri, json!({}));
    let store = store_of(&a);
    for round in 0..20u64 {
        let now = T0 + round * 10_000;
        let (handle, _, rt0) = create(&a, "racer", now);
        let start = Barrier::new(2);
        let run = |engine: &Tessera| {
            start.wait();
            engine.refresh_session_without_request_response(&rt0, false, None, now + 1)
        };
        let (ra, rb) = thread::scope(|s| {
            let ha = s.spawn(|| run(&a));
            let hb = s.spawn(|| run(&b));
            (ha.join().expect("a panicked"), hb.join().expect("b panicked"))
        });
        // The documented outcome: one refresh rotates, the other arrives within the grace
        // window with the now-previous token and rotates the same lineage again. Both
        // succeed; only the later one's refresh token is live.
        let rta = ra.expect("refresh on a").refresh_token.expect("rt a");
        let rtb = rb.expect("refresh on b").refresh_token.expect("rt b");
        let row = store.get_session(&handle).expect("get").expect("session");
        assert_eq!(row.prev_refresh_token_hash2.as_deref(), Some(hash2(&rt0).as_str()), "round {round}");
        let live: Vec<&String> = [&rta, &rtb].into_iter().filter(|rt| hash2(rt) == row.refresh_token_hash2).collect();
        assert_eq!(live.len(), 1, "round {round}: {} live refresh tokens", live.len());
        // The live one keeps working on either server.
        b.refresh_session_without_request_response(live[0], false, None, now + 2).expect("live token refreshes");
    }
}

#[test]
fn key_rotation_happens_once_and_every_server_sees_it() {
    let Some(base) = server_uri() else { return };
    let uri = fresh_schema(&base);
    let session = json!({"accessTokenDynamicSigningKeyUpdateInterval": 1.0});
    let servers: Vec<Tessera> = (0..4).map(|_| engine(&uri, session.clone())).collect();
    // Made before any key exists and idle through the rotation: it must still learn the keys.
    let late = engine(&uri, session.clone());
    let store = store_of(&servers[0]);
    let dynamic_keys =
        || store.signing_keys().expect("keys").into_iter().filter(|k| k.kind == KeyKind::Dynamic).count();

    let create_everywhere = |now: u64| -> Vec<String> {
        let start = Barrier::new(servers.len());
        thread::scope(|s| {
            let hs: Vec<_> = servers
                .iter()
                .map(|t| {
                    let start = &start;
                    s.spawn(move || {
                        start.wait();
                        create(t, "u", now).1
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("creator panicked")).collect()
        })
    };
    let first = create_everywhere(T0);
    assert_eq!(dynamic_keys(), 1, "the first key was made more than once");
    let t1 = T0 + HOUR_MS + 1;
    create_everywhere(t1);
    assert_eq!(dynamic_keys(), 2, "one rotation made a number of keys other than one");
    // Past the overlap every server signs with the new key and every server verifies it.
    let t2 = t1 + 61_000;
    let after = create_everywhere(t2);
    let kid = |raw: &str| tessera_core::token::parse(raw).expect("parse").kid.expect("kid");
    let new_kid = kid(&after[0]);
    assert_ne!(kid(&first[0]), new_kid);
    for raw in &after {
        assert_eq!(kid(raw), new_kid);
        for t in servers.iter().chain([&late]) {
            t.verify_access_token(raw, t2 + 1).expect("a token from another server verifies");
        }
    }
    for raw in &first {
        late.verify_access_token(raw, T0 + 1).expect("the old key still verifies");
    }
}

/// A server of our own, since this test stops it: `scripts/pg.sh start DIR` / `stop DIR`.
struct OwnServer {
    dir: tempfile::TempDir,
    script: PathBuf,
}

impl OwnServer {
    fn start(&self) -> String {
        let out = Command::new("bash").arg(&self.script).arg("start").arg(self.dir.path()).output().expect("pg.sh");
        assert!(out.status.success(), "pg.sh start failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
    }

    fn stop(&self) {
        let out = Command::new("bash").arg(&self.script).arg("stop").arg(self.dir.path()).output().expect("pg.sh");
        assert!(out.status.success(), "pg.sh stop failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(&self.script).arg("stop").arg(self.dir.path()).output();
    }
}

#[test]
fn database_down_then_back() {
    if server_uri().is_none() {
        return;
    }
    let server = OwnServer {
        dir: tempfile::Builder::new().prefix("tessera-pg-outage").tempdir().expect("tempdir"),
        script: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg.sh"),
    };
    let uri = format!("{}?connect_timeout=2&statement_timeout=3000", server.start());
    let t = engine(&uri, json!({}));
    let (_, access, rt0) = create(&t, "u", T0);
    let opts = VerifyOptions::default();
    let bearer = |token: &str| vec![("authorization".to_owned(), format!("Bearer {token}"))];

    server.stop();
    // Verification of a token whose key is cached needs no database.
    let req = HttpRequest::new("GET", "/api", bearer(&access));
    assert!(t.verify_session(&req, &opts, T0 + 1).expect("verify with the database down").0.is_some());
    // Create and refresh fail with STORAGE, which the protocol answers with a bare 500.
    let err = t
        .create_new_session_without_request_response("public", "u", Map::new(), Map::new(), false, T0 + 2)
        .expect_err("create with the database down");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let answer = t.error_response(&req, &err);
    assert_eq!(answer.status, Some(500));
    assert_eq!(answer.body, Some(json!({"message": "Internal Server Error"})));
    let err = t.refresh_session_without_request_response(&rt0, false, None, T0 + 3).expect_err("refresh while down");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let refresh = HttpRequest::new("POST", "/auth/session/refresh", bearer(&rt0));
    let answer = t.handle_api_request(&refresh, T0 + 4).expect("the refresh endpoint answers");
    assert_eq!(answer.status, Some(500));
    assert_eq!(answer.body, Some(json!({"message": "Internal Server Error"})));
    let text = serde_json::to_string(&answer.body).expect("json");
    assert!(!text.contains("PostgreSQL") && !text.contains("connect"), "{text}");

    // Back up on the same port: the same engine resumes, no restart of the process.
    assert_eq!(server.start(), uri.split('?').next().expect("base"));
    let s1 = t.refresh_session_without_request_response(&rt0, false, None, T0 + 5).expect("refresh after restart");
    let (_, access2, _) = create(&t, "u", T0 + 6);
    assert!(t
        .verify_session(&HttpRequest::new("GET", "/api", bearer(&access2)), &opts, T0 + 7)
        .expect("ok")
        .0
        .is_some());
    let s2 = t
        .refresh_session_without_request_response(&s1.refresh_token.expect("rt1"), false, None, T0 + 8)
        .expect("refresh again");

    // A restart between two calls, with the pool full of connections to the old server:
    // the next call must not notice.
    server.stop();
    server.start();
    t.refresh_session_without_request_response(&s2.refresh_token.expect("rt2"), false, None, T0 + 9)
        .expect("refresh right after a restart");
    create(&t, "u", T0 + 10);
}

#[test]
fn an_unreachable_database_fails_init_with_storage() {
    if server_uri().is_none() {
        return;
    }
    // Port 9 (discard) has no PostgreSQL: refused at once.
    let cfg = json!({
        "appInfo": {"appName": "t", "apiDomain": "https://api.example.com"},
        "connectionURI": "postgresql://nobody:hunter2@127.0.0.1:9/x?connect_timeout=2",
    });
    let err = Tessera::from_json(&cfg.to_string()).expect_err("connected to nothing");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(!err.message().contains("hunter2"), "{err}");
}
