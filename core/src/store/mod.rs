//! Where sessions and signing keys live.
//!
//! The session authority decides; a [`Store`] only keeps rows and applies decisions
//! atomically. Every method is synchronous and may block on disk or network, so callers on
//! an event loop run them off it. The shape (row types, one atomic read-decide-write
//! primitive for sessions, conditional inserts for keys) serves SQLite ([`SqliteStore`]) and
//! PostgreSQL ([`PostgresStore`]) alike.

use serde_json::{Map, Value};

use crate::error::Result;

mod columns;
pub mod postgres;
pub mod sqlite;

pub use self::postgres::{PostgresSettings, PostgresStore};
pub use sqlite::SqliteStore;

/// One session as stored. Refresh tokens are never stored, only `sha256hex(sha256hex(token))`.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// The session handle (primary key).
    pub handle: String,
    /// The primary user id (`sub`).
    pub user_id: String,
    /// The recipe user id (`rsub`).
    pub recipe_user_id: String,
    /// The tenant the session belongs to.
    pub tenant_id: String,
    /// `userDataInDatabase`: never sent to the client.
    pub session_data: Map<String, Value>,
    /// The custom (non-protected) part of the access-token payload.
    pub access_token_payload: Map<String, Value>,
    /// Hash of the current refresh token (`sha256hex(sha256hex(rt))`).
    pub refresh_token_hash2: String,
    /// Hash of the refresh token that was current before the last rotation.
    pub prev_refresh_token_hash2: Option<String>,
    /// When the last rotation happened (ms since the epoch).
    pub rotated_at_ms: Option<u64>,
    /// When the session was created (ms).
    pub created_at_ms: u64,
    /// When the session (its refresh token) expires (ms).
    pub expires_at_ms: u64,
    /// Whether access tokens of this session are signed with the static key.
    pub use_static_key: bool,
}

/// What the authority decided to do with a session read inside [`Store::update_session`].
// Lives for one call; boxing the row would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SessionUpdate {
    /// Leave the row as it is.
    Keep,
    /// Replace the row with this one (same handle).
    Replace(SessionRow),
    /// Delete the session.
    Delete,
}

/// The kind of a signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Rotated on an interval; kid `d-<createdAtMs>`.
    Dynamic,
    /// Made once on demand, never rotated; kid `s-<uuid>`.
    Static,
}

/// A signing key as stored: the private key in PKCS#8 DER.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    /// The key id.
    pub kid: String,
    /// Dynamic or static.
    pub kind: KeyKind,
    /// The RSA private key, PKCS#8 DER.
    pub private_pkcs8_der: Vec<u8>,
    /// When it was created (ms).
    pub created_at_ms: u64,
}

/// Persistence for sessions and signing keys. Implementations are shared by many threads and,
/// for file and server stores, by several processes.
pub trait Store: Send + Sync {
    /// Inserts a new session.
    ///
    /// # Errors
    /// `STORAGE` on any failure, including a duplicate handle.
    fn insert_session(&self, row: &SessionRow) -> Result<()>;

    /// Reads a session by handle, expired or not (the caller judges expiry).
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn get_session(&self, handle: &str) -> Result<Option<SessionRow>>;

    /// Reads the session `handle` and applies `decide`'s verdict in one transaction, so that
    /// concurrent callers (threads or processes) see each other's writes in order. `decide` is
    /// called with `None` when there is no such session, and may be called more than once if
    /// the implementation retries a transaction. Returns the row `decide` saw.
    ///
    /// # Errors
    /// `STORAGE` on failure; the update is then not applied.
    fn update_session(
        &self,
        handle: &str,
        decide: &mut dyn FnMut(Option<&SessionRow>) -> SessionUpdate,
    ) -> Result<Option<SessionRow>>;

    /// Deletes sessions by handle and returns the handles that existed.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn delete_sessions(&self, handles: &[String]) -> Result<Vec<String>>;

    /// The handles of the sessions of `user_id` (matched against the user id and the recipe
    /// user id), in one tenant or in all when `tenant_id` is `None`, unexpired at `now_ms`.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn session_handles_for_user(&self, user_id: &str, tenant_id: Option<&str>, now_ms: u64) -> Result<Vec<String>>;

    /// Deletes sessions whose expiry is at or before `now_ms`; returns how many.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn delete_expired_sessions(&self, now_ms: u64) -> Result<u64>;

    /// Every stored signing key, oldest first.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn signing_keys(&self) -> Result<Vec<StoredKey>>;

    /// Inserts a dynamic key unless a dynamic key created at or after `unless_newer_than_ms`
    /// already exists, atomically, so that many processes rotating at once add exactly one.
    /// Returns whether the key was inserted.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn add_dynamic_key_unless_newer(&self, key: &StoredKey, unless_newer_than_ms: u64) -> Result<bool>;

    /// Inserts `key` as the static key unless one exists; returns the static key in force.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn get_or_add_static_key(&self, key: &StoredKey) -> Result<StoredKey>;

    /// Deletes dynamic keys created before `created_before_ms`; returns how many.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn delete_dynamic_keys_before(&self, created_before_ms: u64) -> Result<u64>;

    /// A named secret (for example the refresh-token MAC key): returns the stored value, or
    /// stores `candidate` and returns it if there is none, atomically.
    ///
    /// # Errors
    /// `STORAGE` on failure.
    fn get_or_add_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>>;
}

#[doc(hidden)]
pub mod suite;
