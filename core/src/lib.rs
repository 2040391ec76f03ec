//! tessera-core: the session engine behind every Tessera binding.

pub mod b64;
pub mod error;
pub mod keys;
