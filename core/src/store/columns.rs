//! Session rows as SQL column values, shared by the SQLite and PostgreSQL stores: both keep
//! JSON maps as text and times as signed 64-bit integers.

use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use super::SessionRow;
use crate::error::{Error, Result};

/// A session row converted to column values, done before any statement so that an
/// unstorable row fails without touching the database.
pub(crate) struct SessionValues<'a> {
    pub row: &'a SessionRow,
    pub session_data: String,
    pub access_token_payload: String,
    pub rotated_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

impl<'a> SessionValues<'a> {
    pub fn new(row: &'a SessionRow) -> Result<SessionValues<'a>> {
        Ok(SessionValues {
            row,
            session_data: json_text(&row.session_data, "session_data")?,
            access_token_payload: json_text(&row.access_token_payload, "access_token_payload")?,
            rotated_at_ms: row.rotated_at_ms.map(|v| to_i64(v, "rotated_at_ms")).transpose()?,
            created_at_ms: to_i64(row.created_at_ms, "created_at_ms")?,
            expires_at_ms: to_i64(row.expires_at_ms, "expires_at_ms")?,
        })
    }
}

fn json_text(map: &Map<String, Value>, column: &str) -> Result<String> {
    serde_json::to_string(map).map_err(|e| Error::input(format!("cannot serialise {column} as JSON: {e}")))
}

/// A stored JSON column back as a map; anything else is a damaged store.
pub(crate) fn json_map(text: &str, column: &str, handle: &str) -> Result<Map<String, Value>> {
    serde_json::from_str(text)
        .map_err(|e| Error::storage(format!("session {handle}: the stored {column} is not a JSON object: {e}")))
}

/// Both databases' integers are signed 64-bit: a larger timestamp is refused rather than wrapped.
pub(crate) fn to_i64(v: u64, what: &str) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::input(format!("{what} = {v} is too large to store")))
}

/// A stored timestamp back; a negative one is a damaged store.
pub(crate) fn to_u64(v: i64, what: &str) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::storage(format!("the stored {what} = {v} is negative")))
}

/// Locks a mutex, taking over a poisoned one: the stores' bookkeeping behind mutexes (idle
/// connections, pool counts) is updated in single statements, so a holder that panicked left
/// it consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
