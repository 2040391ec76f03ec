#![warn(missing_docs)]
//! tessera-core: the session engine behind every Tessera binding.
//!
//! It speaks the SuperTokens session protocol: it verifies SuperTokens access tokens (v2 to
//! v5, RS256 only), runs an embedded session authority (create, refresh with rotation and
//! theft detection, revoke) on a [`store::Store`], and implements the framework-neutral
//! request protocol ([`protocol`]) that framework adapters translate to and from.
//!
//! ```no_run
//! use tessera_core::{engine::{now_ms, Tessera}, http::HttpRequest, protocol::VerifyOptions};
//!
//! let tessera = Tessera::from_json(r#"{"appInfo":{"appName":"demo","apiDomain":"http://localhost:3001"},
//!     "connectionURI":"sqlite::memory:"}"#)?;
//! let req = HttpRequest::new("GET", "/getJWT", vec![("authorization".into(), "Bearer ...".into())]);
//! match tessera.verify_session(&req, &VerifyOptions::default(), now_ms()) {
//!     Ok((Some(session), _mutations)) => println!("user {}", session.token.user_id),
//!     Ok((None, _)) => println!("no session"),
//!     Err(e) => {
//!         let answer = tessera.error_response(&req, &e);
//!         println!("{} {:?}", answer.status.unwrap_or(500), answer.body);
//!     }
//! }
//! # Ok::<(), tessera_core::error::Error>(())
//! ```

pub mod authority;
pub mod b64;
pub mod claims;
pub mod config;
pub mod convert;
pub mod embedded_keys;
pub mod engine;
pub mod error;
pub mod http;

pub mod jwks_remote;
pub mod jwt;
pub mod keys;
pub mod protocol;
mod rsa_ifma;
pub mod store;
pub mod token;

pub use engine::Tessera;
pub use error::{all_error_kinds, Error, ErrorKind, Result};

/// The README's Rust snippets, run as doctests so that what it shows keeps working.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
