//! Writing the commonest entity of large lists, the assignment, straight to JSON text: the same
//! bytes as `wire::work::assignment_out` serialized, without building a map of values first
//! (building and then serializing the map was a fifth of a list read's time, measured). A test
//! checks that both agree, in both dialects, for assignments of every shape.

use accessd_domain::{Assignment, ExpirationPattern, Schedule};
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
    fn writes_what_the_wire_mapping_writes() {
        for a in assignments() {
            for d in [Dialect::V1, Dialect::Beta] {
                let want =
                    serde_json::to_string(&crate::wire::work::assignment_out(d, &a)).unwrap();
                let mut got = Vec::new();
                assignment(d, &a, &mut got).unwrap();
                assert_eq!(String::from_utf8(got).unwrap(), want, "{d:?}");
            }
        }
    }
}
