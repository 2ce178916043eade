//! Writing the commonest entity of large lists, the assignment, straight to JSON text: the same
//! bytes as `wire::work::assignment_out` serialized, without building a map of values first
//! (building and then serializing the map was a fifth of a list read's time, measured). A test
//! checks that both agree, in both dialects, for assignments of every shape.

use accessd_domain::{Assignment, ExpirationPattern, Schedule};
use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::Dialect;

#[derive(Serialize)]
struct Expiration {
    #[serde(rename = "endDateTime")]
    end: Option<String>,
    duration: Option<String>,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
}

impl Expiration {
    fn of(e: &ExpirationPattern) -> Expiration {
        Expiration {
            end: e.end_date_time.as_ref().map(|t| t.to_wire()),
            duration: e.duration.as_ref().map(|d| d.to_iso()),
            kind: e.kind.map(|k| k.as_str()),
        }
    }
}

#[derive(Serialize)]
struct Sched<'a> {
    #[serde(rename = "startDateTime")]
    start: Option<String>,
    expiration: Option<Expiration>,
    recurrence: &'a Value,
}

const NULL: Value = Value::Null;

impl Sched<'_> {
    fn of(s: &Schedule) -> Sched<'_> {
        Sched {
            start: s.start_date_time.as_ref().map(|t| t.to_wire()),
            expiration: s.expiration.as_ref().map(Expiration::of),
            recurrence: s.recurrence.as_ref().unwrap_or(&NULL),
        }
    }
}

#[derive(Serialize)]
struct V1<'a> {
    #[serde(rename = "@odata.type")]
    t: &'static str,
    id: &'a str,
    state: &'static str,
    status: &'a str,
    #[serde(rename = "expiredDateTime")]
    expired: Option<String>,
    schedule: Sched<'a>,
    #[serde(rename = "customExtensionCalloutInstances")]
    callouts: &'a [Value],
}

#[derive(Serialize)]
struct Beta<'a> {
    #[serde(rename = "@odata.type")]
    t: &'static str,
    id: &'a str,
    #[serde(rename = "catalogId")]
    catalog: &'a str,
    #[serde(rename = "accessPackageId")]
    package: &'a str,
    #[serde(rename = "assignmentPolicyId")]
    policy: &'a str,
    #[serde(rename = "targetId")]
    target: &'a str,
    #[serde(rename = "assignmentStatus")]
    status: &'a str,
    #[serde(rename = "assignmentState")]
    state: String,
    #[serde(rename = "isExtended")]
    extended: bool,
    #[serde(rename = "expiredDateTime")]
    expired: Option<String>,
    schedule: Sched<'a>,
    #[serde(rename = "customExtensionCalloutInstances")]
    callouts: &'a [Value],
}

const TYPE: &str = "#microsoft.graph.accessPackageAssignment";

/// Appends the assignment as the dialect shows it.
pub fn assignment(d: Dialect, a: &Assignment, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let expired = a.expired_date_time.as_ref().map(|t| t.to_wire());
    match d {
        Dialect::V1 => serde_json::to_writer(
            out,
            &V1 {
                t: TYPE,
                id: &a.id,
                state: a.state.as_str(),
                status: &a.status,
                expired,
                schedule: Sched::of(&a.schedule),
                callouts: &a.custom_extension_callout_instances,
            },
        ),
        Dialect::Beta => serde_json::to_writer(
            out,
            &Beta {
                t: TYPE,
                id: &a.id,
                catalog: &a.catalog_id,
                package: &a.access_package_id,
                policy: &a.policy_id,
                target: &a.target_id,
                status: &a.status,
                state: a.state.pascal(),
                extended: a.is_extended,
                expired,
                schedule: Sched::of(&a.schedule),
                callouts: &a.custom_extension_callout_instances,
            },
        ),
    }
}

// ---- straight from the stored document -------------------------------------------------------

/// The stored form of an assignment (the domain's serde names), borrowed where it can be.
#[derive(serde::Deserialize)]
struct Stored<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    catalog_id: Cow<'a, str>,
    #[serde(borrow)]
    access_package_id: Cow<'a, str>,
    #[serde(borrow)]
    policy_id: Cow<'a, str>,
    #[serde(borrow)]
    target_id: Cow<'a, str>,
    #[serde(borrow)]
    state: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    is_extended: bool,
    #[serde(borrow)]
    expired_date_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    schedule: StoredSchedule<'a>,
    custom_extension_callout_instances: Vec<Value>,
}

#[derive(serde::Deserialize)]
struct StoredSchedule<'a> {
    #[serde(borrow)]
    start_date_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    expiration: Option<StoredExpiration<'a>>,
    recurrence: Option<Value>,
}

#[derive(serde::Deserialize)]
struct StoredExpiration<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    duration: Option<Cow<'a, str>>,
    #[serde(borrow)]
    end_date_time: Option<Cow<'a, str>>,
}

/// A stored timestamp as Graph shows it: the fixed-width stored form with its fraction's
/// trailing zeros dropped (`2030-01-02T08:00:00.5000000Z` -> `2030-01-02T08:00:00.5Z`); any
/// other form through the domain's parser.
fn wire_time(stored: &str) -> Option<String> {
    let b = stored.as_bytes();
    if b.len() == 28 && b[19] == b'.' && b[27] == b'Z' && stored.is_ascii() {
        let frac = stored[20..27].trim_end_matches('0');
        let mut s = String::with_capacity(28);
        s.push_str(&stored[..19]);
        if !frac.is_empty() {
            s.push('.');
            s.push_str(frac);
        }
        s.push('Z');
        return Some(s);
    }
    accessd_domain::Timestamp::parse(stored)
        .ok()
        .map(|t| t.to_wire())
}

#[derive(Serialize)]
struct ExpirationOut<'a> {
    #[serde(rename = "endDateTime")]
    end: Option<String>,
    duration: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<&'a str>,
}

#[derive(Serialize)]
struct SchedOut<'a> {
    #[serde(rename = "startDateTime")]
    start: Option<String>,
    expiration: Option<ExpirationOut<'a>>,
    recurrence: &'a Value,
}

impl<'a> SchedOut<'a> {
    fn of(s: &'a StoredSchedule<'a>) -> SchedOut<'a> {
        SchedOut {
            start: s.start_date_time.as_deref().and_then(wire_time),
            expiration: s.expiration.as_ref().map(|e| ExpirationOut {
                end: e.end_date_time.as_deref().and_then(wire_time),
                duration: e.duration.as_deref(),
                kind: e.kind.as_deref(),
            }),
            recurrence: s.recurrence.as_ref().unwrap_or(&NULL),
        }
    }
}

#[derive(Serialize)]
struct V1Stored<'a> {
    #[serde(rename = "@odata.type")]
    t: &'static str,
    id: &'a str,
    state: &'a str,
    status: &'a str,
    #[serde(rename = "expiredDateTime")]
    expired: Option<String>,
    schedule: SchedOut<'a>,
    #[serde(rename = "customExtensionCalloutInstances")]
    callouts: &'a [Value],
}

#[derive(Serialize)]
struct BetaStored<'a> {
    #[serde(rename = "@odata.type")]
    t: &'static str,
    id: &'a str,
    #[serde(rename = "catalogId")]
    catalog: &'a str,
    #[serde(rename = "accessPackageId")]
    package: &'a str,
    #[serde(rename = "assignmentPolicyId")]
    policy: &'a str,
    #[serde(rename = "targetId")]
    target: &'a str,
    #[serde(rename = "assignmentStatus")]
    status: &'a str,
    #[serde(rename = "assignmentState")]
    state: String,
    #[serde(rename = "isExtended")]
    extended: bool,
    #[serde(rename = "expiredDateTime")]
    expired: Option<String>,
    schedule: SchedOut<'a>,
    #[serde(rename = "customExtensionCalloutInstances")]
    callouts: &'a [Value],
}

/// `delivered` -> `Delivered` (beta's spelling of the stored v1.0 name).
fn pascal(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Appends an assignment as the dialect shows it, read straight from its stored document
/// (no domain value in between). `Ok(false)` when the document is not in the expected form;
/// the caller then decodes it the ordinary way.
pub fn stored_assignment(d: Dialect, data: &str, out: &mut Vec<u8>) -> serde_json::Result<bool> {
    let Ok(a) = serde_json::from_str::<Stored<'_>>(data) else {
        return Ok(false);
    };
    if accessd_domain::AssignmentState::parse(&a.state).is_none() {
        return Ok(false);
    }
    let expired = match a.expired_date_time.as_deref() {
        Some(t) => match wire_time(t) {
            Some(w) => Some(w),
            None => return Ok(false),
        },
        None => None,
    };
    let schedule = SchedOut::of(&a.schedule);
    match d {
        Dialect::V1 => serde_json::to_writer(
            out,
            &V1Stored {
                t: TYPE,
                id: &a.id,
                state: &a.state,
                status: &a.status,
                expired,
                schedule,
                callouts: &a.custom_extension_callout_instances,
            },
        )?,
        Dialect::Beta => serde_json::to_writer(
            out,
            &BetaStored {
                t: TYPE,
                id: &a.id,
                catalog: &a.catalog_id,
                package: &a.access_package_id,
                policy: &a.policy_id,
                target: &a.target_id,
                status: &a.status,
                state: pascal(&a.state),
                extended: a.is_extended,
                expired,
                schedule,
                callouts: &a.custom_extension_callout_instances,
            },
        )?,
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessd_domain::*;
    use serde_json::json;

    fn assignments() -> Vec<Assignment> {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let base = Assignment {
            id: "a'\"\\1".into(),
            catalog_id: "c".into(),
            access_package_id: "p".into(),
            policy_id: "q".into(),
            target_id: "t".into(),
            target_object_id: Some("t".into()),
            state: AssignmentState::Delivered,
            status: "Delivered".into(),
            is_extended: false,
            expired_date_time: None,
            schedule: Schedule::default(),
            custom_extension_callout_instances: vec![],
            created_date_time: t("2030-01-01T00:00:00Z"),
            modified_date_time: t("2030-01-01T00:00:00Z"),
        };
        let mut out = vec![base.clone()];
        let mut a = base.clone();
        a.state = AssignmentState::PartiallyDelivered;
        a.status = "NearExpiry1DayNotificationTriggered".into();
        a.is_extended = true;
        a.expired_date_time = Some(t("2031-02-03T04:05:06.1234567Z"));
        a.schedule = Schedule {
            start_date_time: Some(t("2030-01-01T08:00:00.5Z")),
            expiration: Some(ExpirationPattern {
                kind: Some(ExpirationType::AfterDuration),
                duration: Some(Duration::days(30)),
                end_date_time: Some(t("2030-06-01T00:00:00Z")),
            }),
            recurrence: Some(json!({"pattern": {"type": "weekly", "interval": 1}, "range": null})),
        };
        a.custom_extension_callout_instances =
            vec![json!({"id": "x", "status": "calloutSent", "detail": "é ☃"})];
        out.push(a);
        let mut a = base;
        a.schedule.expiration = Some(ExpirationPattern::default());
        out.push(a);
        out
    }

    #[test]
    fn unexpected_documents_are_left_to_the_ordinary_path() {
        let mut out = Vec::new();
        for doc in ["{}", "[]", "not json", r#"{"id":"x","state":"sleeping"}"#] {
            assert!(
                !stored_assignment(Dialect::V1, doc, &mut out).unwrap(),
                "{doc}"
            );
        }
    }

    #[test]
    fn writes_what_the_wire_mapping_writes() {
        for a in assignments() {
            for d in [Dialect::V1, Dialect::Beta] {
                let want =
                    serde_json::to_string(&crate::wire::work::assignment_out(d, &a)).unwrap();
                let mut got = Vec::new();
                assignment(d, &a, &mut got).unwrap();
                assert_eq!(String::from_utf8(got).unwrap(), want, "{d:?}");
                let stored = accessd_domain::store::encode(&a).unwrap();
                let mut got = Vec::new();
                assert!(stored_assignment(d, &stored, &mut got).unwrap(), "{stored}");
                assert_eq!(String::from_utf8(got).unwrap(), want, "{d:?} from {stored}");
            }
        }
    }
}
