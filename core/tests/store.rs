//! The SQLite store: the shared behaviour suite on a file and in memory, plus what only a file
//! store has (persistence, several handles, several processes, schema versions).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tessera_core::error::ErrorKind;
use tessera_core::store::suite::{self, counter, increment, sample_key, sample_session};
use tessera_core::store::{KeyKind, SessionUpdate, SqliteStore, Store};

#[test]
fn suite_on_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = std::cell::Cell::new(0);
    suite::run_all(&|| {
        n.set(n.get() + 1);
        let path = dir.path().join(format!("suite-{}.db", n.get()));
        Box::new(SqliteStore::open(path).expect("open"))
    });
}

#[test]
fn suite_in_memory() {
    suite::run_all(&|| Box::new(SqliteStore::open_in_memory().expect("open_in_memory")));
}

#[test]
fn in_memory_stores_are_separate() {
    let a = SqliteStore::open_in_memory().expect("open_in_memory");
    let b = SqliteStore::open_in_memory().expect("open_in_memory");
    assert_eq!(a.path(), None);
    a.insert_session(&sample_session("h", "u", "u", "public", 1, 2)).expect("insert");
    assert_eq!(b.get_session("h").expect("get"), None);
}

#[test]
fn open_creates_missing_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/c/sessions.db");
    let store = SqliteStore::open(&path).expect("open");
    assert_eq!(store.path(), Some(path.as_path()));
    assert!(path.is_file());
}

#[test]
fn reopening_keeps_the_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.db");
    let row = sample_session("h", "u", "r", "public", 1, 2_000);
    let key = sample_key("s-1", KeyKind::Static, 5);
    {
        let store = SqliteStore::open(&path).expect("open");
        store.insert_session(&row).expect("insert");
        store.get_or_add_static_key(&key).expect("static key");
        store.get_or_add_secret("mac", b"secret").expect("secret");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.get_session("h").expect("get"), Some(row));
    assert_eq!(store.signing_keys().expect("keys"), vec![key]);
    assert_eq!(store.get_or_add_secret("mac", b"other").expect("secret"), b"secret");
}

#[test]
fn two_handles_on_one_file_see_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.db");
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    let row = sample_session("h", "u", "u", "public", 1, 2_000);
    a.insert_session(&row).expect("insert");
    assert_eq!(b.get_session("h").expect("get"), Some(row.clone()));
    increment(&b, "h");
    let seen = a.get_session("h").expect("get").expect("row");
    assert_eq!(counter(&seen), 1);
    assert_eq!(b.get_or_add_secret("s", b"from b").expect("secret"), b"from b");
    assert_eq!(a.get_or_add_secret("s", b"from a").expect("secret"), b"from b");
    assert!(a.add_dynamic_key_unless_newer(&sample_key("d-1", KeyKind::Dynamic, 1), 1).expect("add"));
    assert!(!b.add_dynamic_key_unless_newer(&sample_key("d-2", KeyKind::Dynamic, 1), 1).expect("add"));
    assert_eq!(b.update_session("h", &mut |_| SessionUpdate::Delete).expect("delete").map(|r| counter(&r)), Some(1));
    assert_eq!(a.get_session("h").expect("get"), None);
}

/// Set in the child processes of [`several_processes_lose_no_increment`]: the database path.
const CHILD_ENV: &str = "TESSERA_STORE_CHILD";
/// The directory where children say they are ready and wait for the go signal.
const GATE_ENV: &str = "TESSERA_STORE_GATE";
const CHILD_INDEX_ENV: &str = "TESSERA_STORE_CHILD_INDEX";
const PROCESS_INCREMENTS: usize = 30;
const CHILDREN: usize = 3;

fn wait_for(path: &Path, children: &mut [Child]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        for child in children.iter_mut() {
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("a child exited early with {status}");
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting for {}", path.display());
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn several_processes_lose_no_increment() {
    if let Ok(db) = std::env::var(CHILD_ENV) {
        let gate = PathBuf::from(std::env::var(GATE_ENV).expect("gate env"));
        let index = std::env::var(CHILD_INDEX_ENV).expect("index env");
        let store = SqliteStore::open(&db).expect("child open");
        std::fs::write(gate.join(format!("ready-{index}")), b"").expect("ready file");
        wait_for(&gate.join("go"), &mut []);
        for _ in 0..PROCESS_INCREMENTS {
            increment(&store, "counter");
        }
        return;
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shared.db");
    let gate = dir.path().join("gate");
    std::fs::create_dir(&gate).expect("gate dir");
    let store = SqliteStore::open(&db).expect("open");
    store.insert_session(&sample_session("counter", "u", "u", "public", 1, u64::from(u32::MAX))).expect("insert");

    let exe = std::env::current_exe().expect("current_exe");
    let mut children: Vec<Child> = (0..CHILDREN)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", "several_processes_lose_no_increment", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, &db)
                .env(GATE_ENV, &gate)
                .env(CHILD_INDEX_ENV, i.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    // Start everyone together so that the processes really contend for the write lock.
    for i in 0..CHILDREN {
        wait_for(&gate.join(format!("ready-{i}")), &mut children);
    }
    std::fs::write(gate.join("go"), b"").expect("go file");
    for _ in 0..PROCESS_INCREMENTS {
        increment(&store, "counter");
    }
    for child in children {
        let out = child.wait_with_output().expect("wait child");
        assert!(
            out.status.success(),
            "child failed with {}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let row = store.get_session("counter").expect("get").expect("row");
    assert_eq!(counter(&row), ((CHILDREN + 1) * PROCESS_INCREMENTS) as u64);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.db");
    {
        let store = SqliteStore::open(&path).expect("open");
        store.insert_session(&sample_session("h", "u", "u", "public", 1, 2)).expect("insert");
    }
    {
        let conn = rusqlite::Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", 99).expect("bump version");
    }
    let err = SqliteStore::open(&path).expect_err("a newer schema was accepted");
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.message().contains("99"), "{err}");
    assert!(err.message().contains("newer"), "{err}");

    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("user_version");
    assert_eq!(version, 99);
    let sessions: i64 = conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).expect("count");
    assert_eq!(sessions, 1);
}

#[test]
fn a_file_that_is_not_a_database_is_a_storage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.db");
    std::fs::write(&path, vec![b'x'; 4096]).expect("write junk");
    let err = SqliteStore::open(&path).expect_err("junk accepted");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}

#[test]
fn corrupt_cells_are_storage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.db");
    let store = SqliteStore::open(&path).expect("open");
    for h in ["bad-json", "not-object", "negative"] {
        store.insert_session(&sample_session(h, "u", "u", "public", 1, 2)).expect("insert");
    }
    store.get_or_add_static_key(&sample_key("s-1", KeyKind::Static, 1)).expect("static key");
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute_batch(
        "UPDATE sessions SET session_data = '{not json' WHERE handle = 'bad-json';
         UPDATE sessions SET access_token_payload = '[1, 2]' WHERE handle = 'not-object';
         UPDATE sessions SET created_at_ms = -5 WHERE handle = 'negative';",
    )
    .expect("corrupt");
    for h in ["bad-json", "not-object", "negative"] {
        let err = store.get_session(h).expect_err("corrupt row read");
        assert_eq!(err.kind(), ErrorKind::Storage, "{h}: {err}");
        let err = store.update_session(h, &mut |_| SessionUpdate::Delete).expect_err("corrupt row updated");
        assert_eq!(err.kind(), ErrorKind::Storage, "{h}: {err}");
    }
    // The failed updates changed nothing.
    let left: i64 = conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).expect("count");
    assert_eq!(left, 3);

    // Checking the constraint off lets a foreign kind in, as another tool might.
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE signing_keys SET kind = 'weird';",
    )
    .expect("corrupt key");
    let err = store.signing_keys().expect_err("unknown kind read");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}

#[test]
fn timestamps_beyond_i64_are_input_errors() {
    let store = SqliteStore::open_in_memory().expect("open_in_memory");
    let mut row = sample_session("h", "u", "u", "public", 1, 2);
    row.expires_at_ms = u64::MAX;
    let err = store.insert_session(&row).expect_err("u64::MAX stored");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(store.get_session("h").expect("get"), None);

    let key = sample_key("d-big", KeyKind::Dynamic, u64::MAX);
    let err = store.add_dynamic_key_unless_newer(&key, 0).expect_err("u64::MAX stored");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(store.signing_keys().expect("keys").is_empty());
}

#[test]
fn replace_must_keep_the_handle() {
    let store = SqliteStore::open_in_memory().expect("open_in_memory");
    let row = sample_session("h", "u", "u", "public", 1, 2);
    store.insert_session(&row).expect("insert");
    let other = sample_session("other", "u", "u", "public", 1, 2);
    let err = store.update_session("h", &mut |_| SessionUpdate::Replace(other.clone())).expect_err("handle changed");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(store.get_session("h").expect("get"), Some(row));
    assert_eq!(store.get_session("other").expect("get"), None);
}

#[test]
fn replace_on_a_missing_row_inserts_it() {
    let store = SqliteStore::open_in_memory().expect("open_in_memory");
    let row = sample_session("h", "u", "u", "public", 1, 2);
    let seen = store.update_session("h", &mut |_| SessionUpdate::Replace(row.clone())).expect("update");
    assert_eq!(seen, None);
    assert_eq!(store.get_session("h").expect("get"), Some(row));
}

#[test]
fn a_panicking_decide_leaves_the_store_usable() {
    let dir = tempfile::tempdir().expect("tempdir");
    for store in [
        SqliteStore::open(dir.path().join("x.db")).expect("open"),
        SqliteStore::open_in_memory().expect("open_in_memory"),
    ] {
        let row = sample_session("h", "u", "u", "public", 1, 2);
        store.insert_session(&row).expect("insert");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = store.update_session("h", &mut |_| panic!("decide blew up"));
        }));
        assert!(caught.is_err());
        increment(&store, "h");
        let seen = store.get_session("h").expect("get").expect("row");
        assert_eq!(counter(&seen), 1);
    }
}
