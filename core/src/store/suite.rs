//! The behaviour every [`Store`] must have, as a suite that each implementation's tests run.
//!
//! This is test support code: the checks panic (with `assert!`) on the first failure. Each
//! behaviour expects a fresh, empty store; [`run_all`] makes one per behaviour.

use std::sync::Barrier;
use std::thread;

use serde_json::{json, Map, Value};

use super::{KeyKind, SessionRow, SessionUpdate, Store, StoredKey};
use crate::error::ErrorKind;

/// A behaviour of the suite: a name for failure reports and the check itself.
pub type Behaviour = (&'static str, fn(&dyn Store));

/// Every behaviour of the suite, in the order [`run_all`] runs them.
pub const BEHAVIOURS: &[Behaviour] = &[
    ("session_round_trip", session_round_trip),
    ("duplicate_handle_is_refused", duplicate_handle_is_refused),
    ("missing_session_is_none", missing_session_is_none),
    ("update_keep", update_keep),
    ("update_replace", update_replace),
    ("update_delete", update_delete),
    ("update_missing_row", update_missing_row),
    ("delete_sessions_reports_existing", delete_sessions_reports_existing),
    ("handles_for_user", handles_for_user),
    ("delete_expired_sessions", delete_expired_sessions),
    ("signing_keys_oldest_first", signing_keys_oldest_first),
    ("dynamic_key_unless_newer", dynamic_key_unless_newer),
    ("delete_dynamic_keys_before", delete_dynamic_keys_before),
    ("static_key_first_wins", static_key_first_wins),
    ("secret_first_wins", secret_first_wins),
    ("concurrent_updates_lose_nothing", concurrent_updates_lose_nothing),
    ("concurrent_dynamic_key_race", concurrent_dynamic_key_race),
];

/// Runs every behaviour, each on a new store from `make_store`.
///
/// # Panics
/// On the first behaviour the store does not have; the behaviour's name is printed to stderr
/// before it runs.
pub fn run_all(make_store: &dyn Fn() -> Box<dyn Store>) {
    for (name, behaviour) in BEHAVIOURS {
        eprintln!("store suite: {name}");
        let store = make_store();
        behaviour(store.as_ref());
    }
}

/// A session with every field set to something recognisable.
pub fn sample_session(
    handle: &str,
    user_id: &str,
    recipe_user_id: &str,
    tenant_id: &str,
    created_at_ms: u64,
    expires_at_ms: u64,
) -> SessionRow {
    SessionRow {
        handle: handle.to_owned(),
        user_id: user_id.to_owned(),
        recipe_user_id: recipe_user_id.to_owned(),
        tenant_id: tenant_id.to_owned(),
        session_data: object(json!({ "count": 0 })),
        access_token_payload: object(json!({ "role": "user" })),
        refresh_token_hash2: format!("hash2-of-{handle}"),
        prev_refresh_token_hash2: None,
        rotated_at_ms: None,
        created_at_ms,
        expires_at_ms,
        use_static_key: false,
    }
}

/// A key of `kind` with a short recognisable body (stores do not parse keys).
pub fn sample_key(kid: &str, kind: KeyKind, created_at_ms: u64) -> StoredKey {
    StoredKey { kid: kid.to_owned(), kind, private_pkcs8_der: format!("der-of-{kid}").into_bytes(), created_at_ms }
}

/// The `count` kept in a session's data by the counter behaviours (0 when absent).
pub fn counter(row: &SessionRow) -> u64 {
    row.session_data.get("count").and_then(Value::as_u64).unwrap_or(0)
}

/// Adds one to the `count` in session `handle`'s data through [`Store::update_session`].
///
/// # Panics
/// If the update fails or the session does not exist.
pub fn increment(store: &dyn Store, handle: &str) {
    let seen = store
        .update_session(handle, &mut |row| match row {
            Some(row) => {
                let mut next = row.clone();
                next.session_data.insert("count".to_owned(), json!(counter(row) + 1));
                SessionUpdate::Replace(next)
            }
            None => SessionUpdate::Keep,
        })
        .expect("update_session");
    assert!(seen.is_some(), "session {handle} vanished while counting");
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Every field survives an insert and a read, in both a full and a sparse row.
pub fn session_round_trip(store: &dyn Store) {
    let full = SessionRow {
        handle: "h-full".into(),
        user_id: "user-1".into(),
        recipe_user_id: "recipe-1".into(),
        tenant_id: "tenant-1".into(),
        session_data: object(json!({
            "n": 1, "f": 1.5, "s": "snow ☃", "b": true, "z": null,
            "list": [1, "two", {"three": 3}], "nested": {"a": {"b": []}}
        })),
        access_token_payload: object(json!({ "role": "admin", "perms": ["read", "write"] })),
        refresh_token_hash2: "a".repeat(64),
        prev_refresh_token_hash2: Some("b".repeat(64)),
        rotated_at_ms: Some(1_700_000_000_123),
        created_at_ms: 1_700_000_000_000,
        // The largest value every store can keep (SQL integers are signed 64-bit).
        expires_at_ms: i64::MAX as u64,
        use_static_key: true,
    };
    let sparse = SessionRow {
        handle: "h-sparse".into(),
        user_id: "user-2".into(),
        recipe_user_id: "user-2".into(),
        tenant_id: "public".into(),
        session_data: Map::new(),
        access_token_payload: Map::new(),
        refresh_token_hash2: "c".repeat(64),
        prev_refresh_token_hash2: None,
        rotated_at_ms: None,
        created_at_ms: 0,
        expires_at_ms: 1,
        use_static_key: false,
    };
    for row in [&full, &sparse] {
        store.insert_session(row).expect("insert_session");
    }
    for row in [&full, &sparse] {
        let got = store.get_session(&row.handle).expect("get_session");
        assert_eq!(got.as_ref(), Some(row), "round trip of {}", row.handle);
    }
}

/// Inserting a second session with an existing handle fails with `STORAGE` and keeps the first.
pub fn duplicate_handle_is_refused(store: &dyn Store) {
    let first = sample_session("h", "u1", "u1", "public", 1, 1_000);
    store.insert_session(&first).expect("insert_session");
    let second = sample_session("h", "u2", "u2", "public", 2, 2_000);
    let err = store.insert_session(&second).expect_err("duplicate handle accepted");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(store.get_session("h").expect("get_session"), Some(first));
}

/// Reading a handle that was never stored gives `None`.
pub fn missing_session_is_none(store: &dyn Store) {
    assert_eq!(store.get_session("nope").expect("get_session"), None);
    store.insert_session(&sample_session("h", "u", "u", "public", 1, 2)).expect("insert_session");
    assert_eq!(store.get_session("nope").expect("get_session"), None);
}

/// `Keep` leaves the row alone and returns the row that was read.
pub fn update_keep(store: &dyn Store) {
    let row = sample_session("h", "u", "u", "public", 1, 1_000);
    store.insert_session(&row).expect("insert_session");
    let mut calls = 0;
    let seen = store
        .update_session("h", &mut |r| {
            calls += 1;
            assert_eq!(r, Some(&row));
            SessionUpdate::Keep
        })
        .expect("update_session");
    assert!(calls >= 1, "decide was never called");
    assert_eq!(seen.as_ref(), Some(&row));
    assert_eq!(store.get_session("h").expect("get_session"), Some(row));
}

/// `Replace` writes the new row and returns the old one.
pub fn update_replace(store: &dyn Store) {
    let old = sample_session("h", "u", "u", "public", 1, 1_000);
    store.insert_session(&old).expect("insert_session");
    let mut new = old.clone();
    new.prev_refresh_token_hash2 = Some(old.refresh_token_hash2.clone());
    new.refresh_token_hash2 = "rotated".into();
    new.rotated_at_ms = Some(500);
    new.expires_at_ms = 5_000;
    new.session_data.insert("count".into(), json!(7));
    new.access_token_payload.insert("extra".into(), json!({"x": [1]}));
    new.use_static_key = true;
    let replacement = new.clone();
    let seen = store.update_session("h", &mut |_| SessionUpdate::Replace(replacement.clone())).expect("update_session");
    assert_eq!(seen, Some(old));
    assert_eq!(store.get_session("h").expect("get_session"), Some(new));
}

/// `Delete` removes the row and returns it.
pub fn update_delete(store: &dyn Store) {
    let row = sample_session("h", "u", "u", "public", 1, 1_000);
    let other = sample_session("h2", "u", "u", "public", 1, 1_000);
    store.insert_session(&row).expect("insert_session");
    store.insert_session(&other).expect("insert_session");
    let seen = store.update_session("h", &mut |_| SessionUpdate::Delete).expect("update_session");
    assert_eq!(seen, Some(row));
    assert_eq!(store.get_session("h").expect("get_session"), None);
    assert_eq!(store.get_session("h2").expect("get_session"), Some(other));
}

/// With no such row, `decide` sees `None`; `Keep` or `Delete` then change nothing.
pub fn update_missing_row(store: &dyn Store) {
    for verdict in [SessionUpdate::Keep, SessionUpdate::Delete] {
        let mut saw = Vec::new();
        let seen = store
            .update_session("ghost", &mut |r| {
                saw.push(r.cloned());
                verdict.clone()
            })
            .expect("update_session");
        assert_eq!(seen, None);
        assert!(!saw.is_empty(), "decide was never called");
        assert!(saw.iter().all(Option::is_none), "decide saw a row: {saw:?}");
        assert_eq!(store.get_session("ghost").expect("get_session"), None);
    }
}

/// `delete_sessions` deletes the listed sessions and reports only those that existed.
pub fn delete_sessions_reports_existing(store: &dyn Store) {
    for h in ["a", "b", "c"] {
        store.insert_session(&sample_session(h, "u", "u", "public", 1, 1_000)).expect("insert_session");
    }
    assert!(store.delete_sessions(&[]).expect("delete_sessions").is_empty());
    let mut deleted = store.delete_sessions(&["a".into(), "missing".into(), "c".into()]).expect("delete_sessions");
    deleted.sort();
    assert_eq!(deleted, vec!["a".to_owned(), "c".to_owned()]);
    assert_eq!(store.get_session("a").expect("get_session"), None);
    assert!(store.get_session("b").expect("get_session").is_some());
    assert_eq!(store.get_session("c").expect("get_session"), None);
    let again = store.delete_sessions(&["a".into()]).expect("delete_sessions");
    assert!(again.is_empty(), "deleted twice: {again:?}");
}

/// Sessions are found by user id or recipe user id, per tenant or in all, unexpired only,
/// oldest first with ties broken by handle.
pub fn handles_for_user(store: &dyn Store) {
    let now = 10_000;
    let rows = [
        // handle, user, recipe user, tenant, created, expires
        ("s-late", "alice", "alice", "public", 300, now + 1),
        ("s-b", "alice", "alice-email", "t2", 100, now + 5_000),
        ("s-a", "alice", "alice", "public", 100, now + 5_000),
        // Linked account: the primary user is someone else, the recipe user is alice.
        ("s-linked", "primary", "alice", "public", 200, now + 5_000),
        ("s-expired", "alice", "alice", "public", 50, now - 1),
        ("s-expiring-now", "alice", "alice", "public", 60, now),
        ("s-bob", "bob", "bob", "public", 10, now + 5_000),
    ];
    for (h, u, r, t, c, e) in rows {
        store.insert_session(&sample_session(h, u, r, t, c, e)).expect("insert_session");
    }
    let find = |user: &str, tenant: Option<&str>| {
        store.session_handles_for_user(user, tenant, now).expect("session_handles_for_user")
    };
    assert_eq!(find("alice", None), ["s-a", "s-b", "s-linked", "s-late"]);
    assert_eq!(find("alice", Some("public")), ["s-a", "s-linked", "s-late"]);
    assert_eq!(find("alice", Some("t2")), ["s-b"]);
    assert_eq!(find("alice", Some("t3")), Vec::<String>::new());
    assert_eq!(find("alice-email", None), ["s-b"]);
    assert_eq!(find("primary", None), ["s-linked"]);
    assert_eq!(find("bob", Some("public")), ["s-bob"]);
    assert_eq!(find("carol", None), Vec::<String>::new());
}

/// Sessions expiring at or before the given time are deleted and counted.
pub fn delete_expired_sessions(store: &dyn Store) {
    for (h, e) in [("e100", 100), ("e200", 200), ("e300", 300)] {
        store.insert_session(&sample_session(h, "u", "u", "public", 1, e)).expect("insert_session");
    }
    assert_eq!(store.delete_expired_sessions(50).expect("delete_expired"), 0);
    assert_eq!(store.delete_expired_sessions(200).expect("delete_expired"), 2);
    assert_eq!(store.get_session("e100").expect("get_session"), None);
    assert_eq!(store.get_session("e200").expect("get_session"), None);
    assert!(store.get_session("e300").expect("get_session").is_some());
    assert_eq!(store.delete_expired_sessions(200).expect("delete_expired"), 0);
}

/// `signing_keys` lists every key, dynamic and static, oldest first, whatever the insert order.
pub fn signing_keys_oldest_first(store: &dyn Store) {
    assert!(store.signing_keys().expect("signing_keys").is_empty());
    let d3000 = sample_key("d-3000", KeyKind::Dynamic, 3_000);
    let d1000 = sample_key("d-1000", KeyKind::Dynamic, 1_000);
    let s2000 = sample_key("s-2000", KeyKind::Static, 2_000);
    assert!(store.add_dynamic_key_unless_newer(&d3000, 3_000).expect("add_dynamic_key_unless_newer"));
    // A threshold above every existing key lets an older key in.
    assert!(store.add_dynamic_key_unless_newer(&d1000, 4_000).expect("add_dynamic_key_unless_newer"));
    assert_eq!(store.get_or_add_static_key(&s2000).expect("get_or_add_static_key"), s2000);
    assert_eq!(store.signing_keys().expect("signing_keys"), vec![d1000, s2000, d3000]);
}

/// A dynamic key is added unless one created at or after the threshold exists.
pub fn dynamic_key_unless_newer(store: &dyn Store) {
    let k1 = sample_key("d-1000", KeyKind::Dynamic, 1_000);
    assert!(store.add_dynamic_key_unless_newer(&k1, 1_000).expect("add"));
    let k1b = sample_key("d-1000-b", KeyKind::Dynamic, 1_000);
    assert!(
        !store.add_dynamic_key_unless_newer(&k1b, 1_000).expect("add"),
        "a key created exactly at the threshold must block"
    );
    let k2 = sample_key("d-900", KeyKind::Dynamic, 900);
    assert!(!store.add_dynamic_key_unless_newer(&k2, 900).expect("add"));
    // A static key never blocks dynamic rotation.
    let s = sample_key("s-5000", KeyKind::Static, 5_000);
    store.get_or_add_static_key(&s).expect("get_or_add_static_key");
    let k3 = sample_key("d-2000", KeyKind::Dynamic, 2_000);
    assert!(store.add_dynamic_key_unless_newer(&k3, 1_001).expect("add"));
    let kids: Vec<String> = store.signing_keys().expect("signing_keys").into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, ["d-1000", "d-2000", "s-5000"]);
}

/// Only dynamic keys older than the cut-off are deleted.
pub fn delete_dynamic_keys_before(store: &dyn Store) {
    let s = sample_key("s-500", KeyKind::Static, 500);
    store.get_or_add_static_key(&s).expect("get_or_add_static_key");
    for (kid, created) in [("d-1000", 1_000), ("d-2000", 2_000), ("d-3000", 3_000)] {
        let k = sample_key(kid, KeyKind::Dynamic, created);
        assert!(store.add_dynamic_key_unless_newer(&k, created).expect("add"));
    }
    assert_eq!(store.delete_dynamic_keys_before(2_000).expect("delete"), 1);
    let kids: Vec<String> = store.signing_keys().expect("signing_keys").into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, ["s-500", "d-2000", "d-3000"]);
    assert_eq!(store.delete_dynamic_keys_before(2_000).expect("delete"), 0);
}

/// The first static key stays in force; later candidates are not stored.
pub fn static_key_first_wins(store: &dyn Store) {
    let first = sample_key("s-first", KeyKind::Static, 1_000);
    let second = sample_key("s-second", KeyKind::Static, 500);
    assert_eq!(store.get_or_add_static_key(&first).expect("static"), first);
    assert_eq!(store.get_or_add_static_key(&second).expect("static"), first);
    assert_eq!(store.signing_keys().expect("signing_keys"), vec![first]);
}

/// The first value stored under a secret's name stays; names are independent.
pub fn secret_first_wins(store: &dyn Store) {
    assert_eq!(store.get_or_add_secret("a", b"one").expect("secret"), b"one");
    assert_eq!(store.get_or_add_secret("a", b"two").expect("secret"), b"one");
    assert_eq!(store.get_or_add_secret("b", b"two").expect("secret"), b"two");
    let binary: Vec<u8> = (0..=255).collect();
    assert_eq!(store.get_or_add_secret("bin", &binary).expect("secret"), binary);
    assert_eq!(store.get_or_add_secret("bin", b"x").expect("secret"), binary);
}

/// 8 threads each doing 50 read-increment-write updates of one session lose no increment.
pub fn concurrent_updates_lose_nothing(store: &dyn Store) {
    const THREADS: usize = 8;
    const EACH: usize = 50;
    store
        .insert_session(&sample_session("counter", "u", "u", "public", 1, u64::from(u32::MAX)))
        .expect("insert_session");
    let start = Barrier::new(THREADS);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                start.wait();
                for _ in 0..EACH {
                    increment(store, "counter");
                }
            });
        }
    });
    let row = store.get_session("counter").expect("get_session").expect("counter session");
    assert_eq!(counter(&row), (THREADS * EACH) as u64);
}

/// 8 threads adding a dynamic key with the same threshold at once add exactly one.
pub fn concurrent_dynamic_key_race(store: &dyn Store) {
    const THREADS: u64 = 8;
    let threshold = 10_000;
    let start = Barrier::new(THREADS as usize);
    let added: u64 = thread::scope(|s| {
        let racers: Vec<_> = (0..THREADS)
            .map(|i| {
                let start = &start;
                s.spawn(move || {
                    let key = sample_key(&format!("d-race-{i}"), KeyKind::Dynamic, threshold + i);
                    start.wait();
                    store.add_dynamic_key_unless_newer(&key, threshold).expect("add_dynamic_key_unless_newer")
                })
            })
            .collect();
        racers.into_iter().map(|r| u64::from(r.join().expect("racer panicked"))).sum()
    });
    assert_eq!(added, 1, "{added} racers added a key");
    assert_eq!(store.signing_keys().expect("signing_keys").len(), 1);
}
