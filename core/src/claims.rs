//! Session claims (protocol §5.4): values an application keeps in the access token payload,
//! each under its key as `{"v": value, "t": fetched_at_ms}`, and the checks of the SDKs'
//! built-in validators (`PrimitiveClaim.validators.hasValue`, `BooleanClaim.validators.isTrue`,
//! `PrimitiveArrayClaim.validators.includes`, ...), with the reasons each reference SDK gives.
//!
//! A claim's value is fetched by application code, and an application may write validators of
//! its own, so the bindings run the validation loop (refetch, merge, validate); the meaning of
//! the built-in validators lives here once, for every language. Bindings pass a validator as
//! JSON: `{"key": "st-role", "check": {"kind": "includes", "value": "admin"},
//! "maxAgeInSeconds": 300, "wording": "python"}`.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};

/// A claim's entry in the payload: the value and when it was fetched.
pub fn entry(value: Value, now_ms: u64) -> Value {
    json!({"v": value, "t": now_ms})
}

/// The claim's value in `payload` (`payload[key].v`), if it has one. `null` is a value, as in
/// supertokens-node (only a missing `v` is "no value").
pub fn value<'a>(payload: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    payload.get(key)?.as_object()?.get("v")
}

/// When the claim's value was fetched (`payload[key].t`, ms), if that is a number.
fn fetched_at(payload: &Map<String, Value>, key: &str) -> Option<f64> {
    payload.get(key)?.as_object()?.get("t")?.as_f64()
}

/// What a built-in validator checks of the claim's value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Check {
    /// The value equals `value` (`hasValue`, `isTrue`, `isFalse`).
    HasValue {
        /// The expected value.
        value: Value,
    },
    /// The array value contains `value`.
    Includes {
        /// The item.
        value: Value,
    },
    /// The array value does not contain `value`.
    Excludes {
        /// The item.
        value: Value,
    },
    /// The array value contains every one of `values`.
    IncludesAll {
        /// The items.
        values: Vec<Value>,
    },
    /// The array value contains at least one of `values`.
    IncludesAny {
        /// The items.
        values: Vec<Value>,
    },
    /// The array value contains none of `values`.
    ExcludesAll {
        /// The items.
        values: Vec<Value>,
    },
}

/// Whose words a failed check's reason uses: the reference SDKs word a missing value
/// differently, and each binding answers as its own reference does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Wording {
    /// supertokens-node: the found value is left out.
    #[default]
    Node,
    /// supertokens-python: `"actualValue": null`.
    Python,
    /// supertokens-golang: `"actualValue": null`, and every array check but `excludesAll`
    /// names its expectation `expectedToInclude`.
    Go,
}

/// A built-in claim validator.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Validator {
    /// The claim's key in the payload.
    pub key: String,
    /// What the value must be.
    pub check: Check,
    /// How old the value may be; older values are refetched, and fail when still older.
    #[serde(default)]
    pub max_age_in_seconds: Option<f64>,
    /// Whose words the reasons use (default supertokens-node's).
    #[serde(default)]
    pub wording: Wording,
}

impl Validator {
    /// Parses a validator's JSON.
    ///
    /// # Errors
    /// `INVALID_INPUT` naming what is wrong.
    pub fn from_json(json: &str) -> Result<Validator> {
        serde_json::from_str(json).map_err(|e| Error::input(format!("claim validator: {e}")))
    }

    /// Whether the claim's value must be fetched again before validating: it has none, or
    /// it is older than `max_age_in_seconds`.
    pub fn should_refetch(&self, payload: &Map<String, Value>, now_ms: u64) -> bool {
        if value(payload, &self.key).is_none() {
            return true;
        }
        match (self.max_age_in_seconds, fetched_at(payload, &self.key)) {
            (Some(max_age), Some(t)) => t < now_ms as f64 - max_age * 1000.0,
            _ => false,
        }
    }

    /// `None` when `payload` passes; else the reason it fails, in [`Validator::wording`].
    pub fn validate(&self, payload: &Map<String, Value>, now_ms: u64) -> Option<Value> {
        let (expected_name, expected) = self.expected();
        let Some(actual) = value(payload, &self.key) else {
            return Some(self.missing_value_reason(expected_name, expected));
        };
        if let (Some(max_age), Some(t)) = (self.max_age_in_seconds, fetched_at(payload, &self.key)) {
            let age = (now_ms as f64 - t) / 1000.0;
            if age > max_age {
                return Some(json!({"message": "expired", "ageInSeconds": age, "maxAgeInSeconds": max_age}));
            }
        }
        if self.holds(actual) {
            return None;
        }
        let mut reason = Map::new();
        reason.insert("message".into(), "wrong value".into());
        reason.insert(expected_name.into(), expected);
        reason.insert("actualValue".into(), actual.clone());
        Some(Value::Object(reason))
    }

    /// The reason for a claim with no value: where the reference SDKs' words differ.
    fn missing_value_reason(&self, expected_name: &'static str, expected: Value) -> Value {
        let array_check = !matches!(self.check, Check::HasValue { .. } | Check::ExcludesAll { .. });
        let name = match self.wording {
            // supertokens-node names includesAny's expectation "expectedToNotInclude" here
            // (and only here); the frontend SDKs show whatever comes.
            Wording::Node if matches!(self.check, Check::IncludesAny { .. }) => "expectedToNotInclude",
            Wording::Go if array_check => "expectedToInclude",
            _ => expected_name,
        };
        let mut reason = Map::new();
        reason.insert("message".into(), "value does not exist".into());
        reason.insert(name.into(), expected);
        if self.wording != Wording::Node {
            reason.insert("actualValue".into(), Value::Null);
        }
        Value::Object(reason)
    }

    /// The reason's name and value for what was expected.
    fn expected(&self) -> (&'static str, Value) {
        match &self.check {
            Check::HasValue { value } => ("expectedValue", value.clone()),
            Check::Includes { value } => ("expectedToInclude", value.clone()),
            Check::Excludes { value } => ("expectedToNotInclude", value.clone()),
            Check::IncludesAll { values } => ("expectedToInclude", Value::Array(values.clone())),
            Check::IncludesAny { values } => ("expectedToIncludeAtLeastOneOf", Value::Array(values.clone())),
            Check::ExcludesAll { values } => ("expectedToNotInclude", Value::Array(values.clone())),
        }
    }

    fn holds(&self, actual: &Value) -> bool {
        let items: &[Value] = actual.as_array().map(Vec::as_slice).unwrap_or_default();
        let has = |v: &Value| items.iter().any(|item| same(item, v));
        match &self.check {
            Check::HasValue { value } => same(actual, value),
            // A value that is not an array includes nothing (the SDKs would throw).
            Check::Includes { value } => actual.is_array() && has(value),
            Check::Excludes { value } => actual.is_array() && !has(value),
            Check::IncludesAll { values } => actual.is_array() && values.iter().all(has),
            Check::IncludesAny { values } => values.iter().any(has),
            Check::ExcludesAll { values } => actual.is_array() && !values.iter().any(has),
        }
    }
}

/// Equality of JSON values as JavaScript's `===` sees primitives: `1` and `1.0` are the same
/// number. Objects and arrays are never the same (they are compared by reference there).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(_), _) | (Value::Array(_), _) => false,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn payload(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn validator(v: Value) -> Validator {
        Validator::from_json(&v.to_string()).unwrap()
    }

    #[test]
    fn has_value_checks_presence_age_and_value() {
        let v = validator(json!({"key": "2fa", "check": {"kind": "hasValue", "value": true}, "maxAgeInSeconds": 60}));
        assert!(v.should_refetch(&payload(json!({})), NOW));
        assert_eq!(
            v.validate(&payload(json!({})), NOW),
            Some(json!({"message": "value does not exist", "expectedValue": true}))
        );
        let fresh = payload(json!({"2fa": {"v": true, "t": NOW - 1000}}));
        assert!(!v.should_refetch(&fresh, NOW));
        assert_eq!(v.validate(&fresh, NOW), None);
        let old = payload(json!({"2fa": {"v": true, "t": NOW - 90_000}}));
        assert!(v.should_refetch(&old, NOW));
        assert_eq!(
            v.validate(&old, NOW),
            Some(json!({"message": "expired", "ageInSeconds": 90.0, "maxAgeInSeconds": 60.0}))
        );
        let wrong = payload(json!({"2fa": {"v": false, "t": NOW}}));
        assert_eq!(
            v.validate(&wrong, NOW),
            Some(json!({"message": "wrong value", "expectedValue": true, "actualValue": false}))
        );
        // null is a value; 1 and 1.0 are the same number.
        let n = validator(json!({"key": "n", "check": {"kind": "hasValue", "value": 1}}));
        assert_eq!(n.validate(&payload(json!({"n": {"v": 1.0, "t": NOW}})), NOW), None);
        assert!(!n.should_refetch(&payload(json!({"n": {"v": null, "t": NOW}})), NOW));
    }

    #[test]
    fn array_checks_word_their_reasons_as_supertokens_node() {
        let roles = payload(json!({"st-role": {"v": ["admin", "user"], "t": NOW}}));
        let check = |c: Value| validator(json!({"key": "st-role", "check": c})).validate(&roles, NOW);
        assert_eq!(check(json!({"kind": "includes", "value": "admin"})), None);
        assert_eq!(
            check(json!({"kind": "includes", "value": "owner"})),
            Some(json!({"message": "wrong value", "expectedToInclude": "owner", "actualValue": ["admin", "user"]}))
        );
        assert_eq!(
            check(json!({"kind": "excludes", "value": "admin"})),
            Some(json!({"message": "wrong value", "expectedToNotInclude": "admin", "actualValue": ["admin", "user"]}))
        );
        assert_eq!(check(json!({"kind": "includesAll", "values": ["admin", "user"]})), None);
        assert!(check(json!({"kind": "includesAll", "values": ["admin", "owner"]})).is_some());
        assert_eq!(check(json!({"kind": "includesAny", "values": ["owner", "user"]})), None);
        assert_eq!(
            check(json!({"kind": "includesAny", "values": ["owner"]})),
            Some(
                json!({"message": "wrong value", "expectedToIncludeAtLeastOneOf": ["owner"], "actualValue": ["admin", "user"]})
            )
        );
        assert_eq!(check(json!({"kind": "excludesAll", "values": ["owner", "guest"]})), None);
        assert!(check(json!({"kind": "excludesAll", "values": ["owner", "user"]})).is_some());
        let missing = validator(json!({"key": "x", "check": {"kind": "includesAny", "values": [1]}}));
        assert_eq!(
            missing.validate(&roles, NOW),
            Some(json!({"message": "value does not exist", "expectedToNotInclude": [1]}))
        );
    }

    #[test]
    fn a_missing_value_is_worded_as_each_reference_sdk_words_it() {
        let reason = |wording: &str, check: Value| {
            validator(json!({"key": "k", "check": check, "wording": wording})).validate(&Map::new(), NOW)
        };
        let any = json!({"kind": "includesAny", "values": [1]});
        let excludes = json!({"kind": "excludes", "value": 1});
        let none = json!({"kind": "excludesAll", "values": [1]});
        let has = json!({"kind": "hasValue", "value": true});
        assert_eq!(
            reason("node", any.clone()),
            Some(json!({"message": "value does not exist", "expectedToNotInclude": [1]}))
        );
        assert_eq!(
            reason("python", any.clone()),
            Some(json!({"message": "value does not exist", "expectedToIncludeAtLeastOneOf": [1], "actualValue": null}))
        );
        assert_eq!(
            reason("go", any),
            Some(json!({"message": "value does not exist", "expectedToInclude": [1], "actualValue": null}))
        );
        assert_eq!(
            reason("go", excludes.clone()),
            Some(json!({"message": "value does not exist", "expectedToInclude": 1, "actualValue": null}))
        );
        assert_eq!(
            reason("python", excludes),
            Some(json!({"message": "value does not exist", "expectedToNotInclude": 1, "actualValue": null}))
        );
        assert_eq!(
            reason("go", none),
            Some(json!({"message": "value does not exist", "expectedToNotInclude": [1], "actualValue": null}))
        );
        assert_eq!(
            reason("go", has),
            Some(json!({"message": "value does not exist", "expectedValue": true, "actualValue": null}))
        );
        assert!(Validator::from_json(r#"{"key":"k","check":{"kind":"hasValue","value":1},"wording":"java"}"#).is_err());
    }

    #[test]
    fn garbage_payloads_and_validators_fail_cleanly() {
        let v = validator(json!({"key": "k", "check": {"kind": "includes", "value": 1}, "maxAgeInSeconds": 5}));
        for p in [json!({"k": 3}), json!({"k": {"t": NOW}}), json!({"k": {"v": "str", "t": "soon"}})] {
            let p = payload(p);
            assert!(v.validate(&p, NOW).is_some(), "{p:?}");
        }
        assert!(!v.should_refetch(&payload(json!({"k": {"v": [1], "t": "soon"}})), NOW));
        for bad in [
            r#"{}"#,
            r#"{"key":"k","check":{"kind":"nope"}}"#,
            r#"{"key":1,"check":{"kind":"hasValue","value":1}}"#,
            "[",
        ] {
            let e = Validator::from_json(bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput, "{bad}");
        }
    }
}
