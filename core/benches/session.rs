//! Criterion benchmarks of the hot paths: raw v5 token verification, the engine's verify
//! with and without the verified-token cache, the full `verify_session` request path, and
//! the embedded authority's create and refresh on a SQLite file and, when
//! `TESSERA_TEST_POSTGRES_URI` is set, on PostgreSQL, one at a time and from 8 threads.
//!
//! `scripts/bench.sh` runs these and compares the medians with OpenSSL's RSA-2048 verify.

use std::hint::black_box;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{self, ParsedPublicKey};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};
use tessera_core::engine::now_ms;
use tessera_core::http::HttpRequest;
use tessera_core::keys::KeySet;
use tessera_core::protocol::VerifyOptions;
use tessera_core::{token, Tessera};

fn engine(connection: &str, session: Value) -> Tessera {
    let cfg = json!({
        "appInfo": {"appName": "bench", "apiDomain": "https://api.example.com", "websiteDomain": "https://example.com"},
        "connectionURI": connection,
        "session": session,
    });
    Tessera::from_json(&cfg.to_string()).unwrap()
}

fn payload() -> Map<String, Value> {
    match json!({"role": "admin", "org": "acme", "plan": "pro"}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// A fresh session on `t`; the access token is valid for an hour from now.
fn session(t: &Tessera) -> (String, String) {
    let s = t
        .create_new_session_without_request_response("public", "user-1", payload(), Map::new(), true, now_ms())
        .unwrap();
    (s.token.raw.clone(), s.refresh_token.clone().unwrap())
}

/// A browser-like request carrying the access token in a cookie.
fn cookie_request(access_token: &str) -> HttpRequest {
    HttpRequest::new(
        "GET",
        "/api/user/profile?include=settings",
        vec![
            ("host".into(), "api.example.com".into()),
            (
                "user-agent".into(),
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
                    .into(),
            ),
            ("accept".into(), "application/json, text/plain, */*".into()),
            ("accept-language".into(), "en-GB,en;q=0.9".into()),
            ("origin".into(), "https://example.com".into()),
            (
                "cookie".into(),
                format!("_ga=GA1.2.1234567890.1700000000; theme=dark; sAccessToken={access_token}; consent=yes"),
            ),
        ],
    )
}

/// An app-like request carrying the access token as a bearer token.
fn header_request(access_token: &str) -> HttpRequest {
    HttpRequest::new(
        "GET",
        "/api/user/profile",
        vec![
            ("host".into(), "api.example.com".into()),
            ("user-agent".into(), "okhttp/4.12.0".into()),
            ("accept".into(), "application/json".into()),
            ("authorization".into(), format!("Bearer {access_token}")),
            ("st-auth-mode".into(), "header".into()),
        ],
    )
}

fn verify_benches(c: &mut Criterion) {
    let cached = engine("sqlite::memory:", json!({}));
    let uncached = engine("sqlite::memory:", json!({"verifiedTokenCacheSize": 0}));
    let (cached_token, _) = session(&cached);
    let (uncached_token, _) = session(&uncached);
    let jwks = serde_json::to_vec(&uncached.jwks(now_ms()).unwrap().0).unwrap();
    let key_set = KeySet::from_jwks_json(&jwks).unwrap();
    let now = now_ms();

    // Sanity: every path below succeeds before it is measured.
    token::verify(&uncached_token, &key_set, now).unwrap();
    assert_eq!(uncached.verify_access_token(&uncached_token, now).unwrap().version, 5);
    cached.verify_access_token(&cached_token, now).unwrap();
    let options = VerifyOptions::default();
    for (t, req) in [
        (&cached, cookie_request(&cached_token)),
        (&cached, header_request(&cached_token)),
        (&uncached, cookie_request(&uncached_token)),
    ] {
        assert!(t.verify_session(&req, &options, now).unwrap().0.is_some());
    }

    let mut g = c.benchmark_group("token");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function("verify_v5", |b| b.iter(|| token::verify(black_box(&uncached_token), &key_set, now).unwrap()));
    // Diagnostics: the two halves of verify_v5, to tell the RSA cost from the rest.
    g.bench_function("parse_v5", |b| b.iter(|| token::parse(black_box(&uncached_token)).unwrap().version));
    let (signing_input, signature) = uncached_token.rsplit_once('.').unwrap();
    let signature = tessera_core::b64::decode_lenient(signature.as_bytes()).unwrap();
    let kid = token::parse(&uncached_token).unwrap().kid.unwrap();
    let key = key_set.get(&kid).unwrap();
    assert!(key.verify_rs256(signing_input.as_bytes(), &signature));
    g.bench_function("rs256_verify", |b| {
        b.iter(|| key.verify_rs256(black_box(signing_input.as_bytes()), black_box(&signature)))
    });
    // The same check through aws-lc alone: what rs256_verify costs where the IFMA path is
    // not taken (another CPU, another key shape).
    let jwk = key.to_jwk();
    let component = |name: &str| tessera_core::b64::decode_lenient(jwk[name].as_str().unwrap().as_bytes()).unwrap();
    let der = PublicKeyComponents { n: component("n"), e: component("e") }.as_der().unwrap();
    let aws_lc = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der.as_ref()).unwrap();
    assert!(aws_lc.verify_sig(signing_input.as_bytes(), &signature).is_ok());
    g.bench_function("rs256_verify_aws_lc", |b| {
        b.iter(|| aws_lc.verify_sig(black_box(signing_input.as_bytes()), black_box(&signature)).is_ok())
    });
    g.finish();

    let mut g = c.benchmark_group("engine");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function("verify_uncached", |b| {
        b.iter(|| uncached.verify_access_token(black_box(&uncached_token), now).unwrap())
    });
    g.bench_function("verify_cached", |b| {
        b.iter(|| cached.verify_access_token(black_box(&cached_token), now).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("request");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let req = cookie_request(&cached_token);
    g.bench_function("verify_session_cookie", |b| {
        b.iter(|| cached.verify_session(black_box(&req), &options, now).unwrap())
    });
    let req = header_request(&cached_token);
    g.bench_function("verify_session_header", |b| {
        b.iter(|| cached.verify_session(black_box(&req), &options, now).unwrap())
    });
    let req = cookie_request(&uncached_token);
    g.bench_function("verify_session_uncached", |b| {
        b.iter(|| uncached.verify_session(black_box(&req), &options, now).unwrap())
    });
    g.finish();
}

/// Threads of the concurrent create and refresh benchmarks: below the PostgreSQL store's
/// default pool size (10), so that no thread waits for a connection.
const THREADS: u64 = 8;

fn authority_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.sqlite3");
    bench_authority(c, "authority", &format!("sqlite:{}", db.display()));
    // `scripts/bench.sh` runs the benchmarks under `scripts/pg.sh`, which provides a server.
    match std::env::var("TESSERA_TEST_POSTGRES_URI") {
        Ok(uri) if !uri.is_empty() => bench_authority(c, "authority_postgres", &uri),
        _ => eprintln!("no TESSERA_TEST_POSTGRES_URI: PostgreSQL benchmarks skipped"),
    }
    drop(dir);
}

/// Create and refresh, one at a time and from [`THREADS`] threads at once (there the time
/// reported is wall time divided by operations, so its inverse is the throughput).
fn bench_authority(c: &mut Criterion, group: &str, connection: &str) {
    let t = engine(connection, json!({}));
    // The first create makes the signing key; keep that out of the measurements.
    let (_, mut refresh_token) = session(&t);
    let chains: Vec<Mutex<String>> = (0..THREADS).map(|_| Mutex::new(session(&t).1)).collect();

    let mut g = c.benchmark_group(group);
    g.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.bench_function("create", |b| {
        b.iter(|| {
            t.create_new_session_without_request_response("public", "user-1", payload(), Map::new(), true, now_ms())
                .unwrap()
        })
    });
    // Each iteration presents the newest refresh token, so each one is a real rotation
    // (never the grace-window replay of the previous token).
    g.bench_function("refresh", |b| {
        b.iter(|| {
            let s =
                t.refresh_session_without_request_response(black_box(&refresh_token), true, None, now_ms()).unwrap();
            let next = s.refresh_token.unwrap();
            assert_ne!(next, refresh_token);
            refresh_token = next;
        })
    });
    g.bench_function("create_8_threads", |b| {
        b.iter_custom(|iters| {
            on_threads(iters, |_| {
                t.create_new_session_without_request_response(
                    "public",
                    "user-1",
                    payload(),
                    Map::new(),
                    true,
                    now_ms(),
                )
                .unwrap();
            })
        })
    });
    // One session per thread, so that threads contend for the store, not for one row.
    g.bench_function("refresh_8_threads", |b| {
        b.iter_custom(|iters| {
            on_threads(iters, |thread| {
                let mut rt = chains[thread].lock().unwrap();
                let s = t.refresh_session_without_request_response(&rt, true, None, now_ms()).unwrap();
                *rt = s.refresh_token.unwrap();
            })
        })
    });
    g.finish();
}

/// Runs `op` about `iters` times spread over [`THREADS`] threads; the wall time per operation.
fn on_threads(iters: u64, op: impl Fn(usize) + Sync) -> Duration {
    let each = iters.div_ceil(THREADS);
    let start = Instant::now();
    thread::scope(|s| {
        for thread in 0..THREADS as usize {
            let op = &op;
            s.spawn(move || (0..each).for_each(|_| op(thread)));
        }
    });
    start.elapsed().mul_f64(iters as f64 / (each * THREADS) as f64)
}

criterion_group!(benches, verify_benches, authority_benches);
criterion_main!(benches);
