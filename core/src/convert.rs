//! Conversions every language binding needs, written once here rather than per binding.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Parses a JSON object passed in by a binding (a payload, session data, an update); `null`
/// reads as an empty object.
///
/// # Errors
/// `INVALID_INPUT` naming `what` when the text is not a JSON object.
pub fn json_object(json: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        _ => Err(Error::input(format!("{what} must be a JSON object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_and_null_only() {
        assert_eq!(json_object(r#"{"a":1}"#, "x").unwrap().len(), 1);
        assert!(json_object("null", "x").unwrap().is_empty());
        for bad in ["[]", "1", "\"s\"", "{", ""] {
            let e = json_object(bad, "payload").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(e.message().contains("payload"));
        }
    }
}
