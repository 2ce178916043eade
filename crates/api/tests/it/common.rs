//! Shared assertions.

use serde_json::Value;

/// Keys whose values the server owns: ids, server timestamps, audit names.
fn server_owned(key: &str) -> bool {
    matches!(
        key,
        "id" | "createdDateTime"
            | "modifiedDateTime"
            | "createdBy"
            | "modifiedBy"
            | "addedOn"
            | "addedBy"
    )
}

fn is_timestamp_key(key: &str) -> bool {
    key.ends_with("DateTime")
}

fn same_instant(a: &str, b: &str) -> bool {
    match (
        accessd_domain::Timestamp::parse(a),
        accessd_domain::Timestamp::parse(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Asserts that every property of `expected` is in `actual` with the same value, except
/// server-owned ones; timestamps compare as instants; `@odata.type` compares with or without
/// `#`, and may be absent in `actual` on complex values that are not derived types (Graph only
/// annotates derived types).
pub fn assert_subset(expected: &Value, actual: &Value) {
    check(expected, actual, "$");
}

fn check(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let here = format!("{path}.{k}");
                if server_owned(k) {
                    continue;
                }
                if k == "@odata.type" {
                    let et = ev.as_str().unwrap_or_default().trim_start_matches('#');
                    match a.get(k).and_then(Value::as_str) {
                        Some(at) => assert_eq!(at.trim_start_matches('#'), et, "{here}"),
                        None => assert!(
                            DERIVED_TYPES.iter().all(|d| !et.ends_with(d)),
                            "{here}: derived type {et} must be annotated"
                        ),
                    }
                    continue;
                }
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{here} is missing in {actual}"));
                if is_timestamp_key(k) {
                    match (ev.as_str(), av.as_str()) {
                        (Some(x), Some(y)) => assert!(same_instant(x, y), "{here}: {x} != {y}"),
                        _ => assert_eq!(ev, av, "{here}"),
                    }
                    continue;
                }
                check(ev, av, &here);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: {expected} vs {actual}");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                check(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

const DERIVED_TYPES: &[&str] = &[
    "singleUser",
    "groupMembers",
    "requestorManager",
    "connectedOrganizationMembers",
    "internalSponsors",
    "externalSponsors",
    "accessPackageTextInputQuestion",
    "accessPackageMultipleChoiceQuestion",
    "accessPackageAssignmentRequestWorkflowExtension",
];

/// Replaces every occurrence of each placeholder string in a JSON value.
pub fn fill(v: &Value, pairs: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => {
            for (from, to) in pairs {
                if s == from {
                    return Value::String((*to).to_string());
                }
            }
            v.clone()
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| fill(x, pairs)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), fill(x, pairs))).collect())
        }
        other => other.clone(),
    }
}
