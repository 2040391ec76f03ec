//! The one error type of the core, with stable codes every binding maps.

use std::fmt;

use serde_json::Value;

/// What went wrong, as a stable code shared by every language.
///
/// The first five reuse the SuperTokens session error names; the rest are diagnostic
/// kinds of our own. Codes never change once released; new kinds may be added.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No usable session: the client must sign in again (`UNAUTHORISED`).
    Unauthorised,
    /// The access token cannot be used as it is; the client should call the refresh endpoint.
    TryRefreshToken,
    /// A refresh token was reused outside the grace window; the session has been revoked.
    TokenTheftDetected,
    /// The session's claims failed validation.
    InvalidClaims,
    /// Duplicate session cookies were cleared from `olderCookieDomain`; refresh again.
    ClearDuplicateSessionCookies,
    /// The configuration is wrong; the message names the option.
    InvalidConfig,
    /// An argument given by the caller is not acceptable (for example a protected payload key).
    InvalidInput,
    /// The session store failed (disk, locking, connection).
    Storage,
    /// The operation needs the embedded session authority, which this connection does not have.
    NotSupported,
    /// A bug or a panic inside Tessera.
    Internal,
    /// A call made in non-blocking mode needs disk or network I/O: retry it off the event
    /// loop. Bindings handle it; users never see it.
    WouldBlock,
}

impl ErrorKind {
    /// The stable SCREAMING_SNAKE code of this kind.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Unauthorised => "UNAUTHORISED",
            ErrorKind::TryRefreshToken => "TRY_REFRESH_TOKEN",
            ErrorKind::TokenTheftDetected => "TOKEN_THEFT_DETECTED",
            ErrorKind::InvalidClaims => "INVALID_CLAIMS",
            ErrorKind::ClearDuplicateSessionCookies => "CLEAR_DUPLICATE_SESSION_COOKIES",
            ErrorKind::InvalidConfig => "INVALID_CONFIG",
            ErrorKind::InvalidInput => "INVALID_INPUT",
            ErrorKind::Storage => "STORAGE",
            ErrorKind::NotSupported => "NOT_SUPPORTED",
            ErrorKind::Internal => "INTERNAL",
            ErrorKind::WouldBlock => "WOULD_BLOCK",
        }
    }

    /// The kind whose code is `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        all_error_kinds().iter().copied().find(|k| k.code() == code)
    }

    /// Whether this kind is one of the session errors the protocol answers with 401/403/200
    /// (as opposed to a failure answered with a 500).
    pub const fn is_session_error(self) -> bool {
        matches!(
            self,
            ErrorKind::Unauthorised
                | ErrorKind::TryRefreshToken
                | ErrorKind::TokenTheftDetected
                | ErrorKind::InvalidClaims
                | ErrorKind::ClearDuplicateSessionCookies
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Every error kind, so that each binding can test that its mapping is complete.
pub const fn all_error_kinds() -> &'static [ErrorKind] {
    &[
        ErrorKind::Unauthorised,
        ErrorKind::TryRefreshToken,
        ErrorKind::TokenTheftDetected,
        ErrorKind::InvalidClaims,
        ErrorKind::ClearDuplicateSessionCookies,
        ErrorKind::InvalidConfig,
        ErrorKind::InvalidInput,
        ErrorKind::Storage,
        ErrorKind::NotSupported,
        ErrorKind::Internal,
        ErrorKind::WouldBlock,
    ]
}

/// An error from the core: a kind, a message for logs and error handlers, and for some kinds
/// a JSON payload (`TOKEN_THEFT_DETECTED`: `{userId, recipeUserId, sessionHandle}`;
/// `INVALID_CLAIMS`: the list of `{id, reason}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    payload: Option<Value>,
    clear_tokens: bool,
}

impl Error {
    /// A new error of `kind`. `UNAUTHORISED` clears the session's tokens unless told otherwise.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            payload: None,
            clear_tokens: matches!(kind, ErrorKind::Unauthorised | ErrorKind::TokenTheftDetected),
        }
    }

    /// `UNAUTHORISED` that clears tokens.
    pub fn unauthorised(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unauthorised, message)
    }

    /// `UNAUTHORISED` that leaves the client's tokens alone (no token was sent, or it could not
    /// be parsed).
    pub fn unauthorised_keep_tokens(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unauthorised, message).with_clear_tokens(false)
    }

    /// `TRY_REFRESH_TOKEN`.
    pub fn try_refresh(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::TryRefreshToken, message)
    }

    /// `INVALID_CONFIG`; the message should name the option.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidConfig, message)
    }

    /// `INVALID_INPUT`.
    pub fn input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// `STORAGE`.
    pub fn storage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Storage, message)
    }

    /// `INTERNAL`.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// `INTERNAL` for a panic a binding caught at its boundary (the payload `catch_unwind`
    /// gives), with the panic's message: a host language gets a typed error, never a crash.
    pub fn from_panic(panic: &(dyn std::any::Any + Send)) -> Error {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Error::internal(format!("panic in tessera-core: {what}"))
    }

    /// Attaches a JSON payload.
    pub fn with_payload(mut self, payload: Value) -> Error {
        self.payload = Some(payload);
        self
    }

    /// Sets whether answering this error clears the client's session tokens.
    pub fn with_clear_tokens(mut self, clear: bool) -> Error {
        self.clear_tokens = clear;
        self
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message, for logs and error handlers (never sent to clients).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON payload, if the kind carries one.
    pub fn payload(&self) -> Option<&Value> {
        self.payload.as_ref()
    }

    /// Whether answering this error clears the client's session tokens.
    pub fn clear_tokens(&self) -> bool {
        self.clear_tokens
    }

    /// The error as JSON for bindings: `{code, message, payload, clearTokens}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "code": self.code(),
            "message": self.message,
            "payload": self.payload,
            "clearTokens": self.clear_tokens,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::storage(format!("sqlite: {e}"))
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for k in all_error_kinds() {
            assert!(seen.insert(k.code()), "duplicate code {}", k.code());
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(ErrorKind::from_code("NOPE"), None);
    }

    #[test]
    fn a_caught_panic_is_internal_with_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let literal = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
        let formatted = std::panic::catch_unwind(|| panic!("boom {}", 2)).unwrap_err();
        let other = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        std::panic::set_hook(quiet);
        let e = Error::from_panic(&*literal);
        assert_eq!(e.kind(), ErrorKind::Internal);
        assert_eq!(e.message(), "panic in tessera-core: boom");
        assert_eq!(Error::from_panic(&*formatted).message(), "panic in tessera-core: boom 2");
        assert_eq!(Error::from_panic(&*other).message(), "panic in tessera-core: unknown panic");
    }

    #[test]
    fn unauthorised_clears_by_default_try_refresh_does_not() {
        assert!(Error::unauthorised("x").clear_tokens());
        assert!(!Error::unauthorised_keep_tokens("x").clear_tokens());
        assert!(!Error::try_refresh("x").clear_tokens());
    }
}
