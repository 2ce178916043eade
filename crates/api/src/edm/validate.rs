//! Checks a JSON body against a type of the model before any mapping reads it: unknown
//! properties on closed types, wrong JSON types, values outside an enum (or outside the value
//! set a beta string property documents), nulls where the schema forbids them, and
//! `@odata.type` naming a type that does not derive from the declared one. Each failure is a
//! 400 that names the property path.

use serde_json::{Map, Value};

use super::{EnumDef, TypeDef, all_props, find_enum, find_type, is_subtype};
use crate::Dialect;
use crate::error::ApiError;

/// What else a body may carry besides the type's own properties: extra names accepted for
/// compatibility (with the type they must have), keyed by the owning type.
pub struct Extras {
    pub props: &'static [(&'static str, &'static str, &'static str)],
}

pub const NO_EXTRAS: Extras = Extras { props: &[] };

/// Abstract complex types that Microsoft's own examples name in `@odata.type` and the service
/// accepts as such (a custom extension's `callbackConfiguration` is written as
/// `microsoft.graph.customExtensionCallbackConfiguration` in every documented request).
const NAMED_ABSTRACT_ACCEPTED: &[&str] = &["customExtensionCallbackConfiguration"];

/// Validates `value` as an instance of `type_name`.
pub fn check(d: Dialect, type_name: &str, value: &Value, extras: &Extras) -> Result<(), ApiError> {
    let t = find_type(d, type_name)
        .ok_or_else(|| ApiError::internal(format!("unknown model type {type_name}")))?;
    check_object(d, t, value, "", extras)
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(path: &str, expected: &str, got: &Value) -> ApiError {
    ApiError::bad_property(
        path,
        format!(
            "Invalid value for property '{path}': expected {expected}, got {}.",
            json_kind(got)
        ),
    )
}

fn check_object(
    d: Dialect,
    declared: &'static TypeDef,
    value: &Value,
    path: &str,
    extras: &Extras,
) -> Result<(), ApiError> {
    let Value::Object(obj) = value else {
        let what = if path.is_empty() {
            "The request body".to_string()
        } else {
            format!("Property '{path}'")
        };
        return Err(ApiError::bad_property(
            if path.is_empty() { declared.name } else { path },
            format!(
                "{what} must be a JSON object ({}), not {}.",
                declared.name,
                json_kind(value)
            ),
        ));
    };
    let t = effective_type(d, declared, obj, path)?;
    let props = all_props(d, t);
    for (key, v) in obj {
        if key.starts_with('@') || key.contains("@odata.") {
            continue;
        }
        let here = join(path, key);
        if let Some(p) = props.iter().find(|p| p.name == key) {
            if p.nav {
                // A reference to another entity (`"accessPackage": {"id": ...}`); only its shape
                // is checked here, the mapping resolves it.
                match v {
                    Value::Null | Value::Object(_) | Value::Array(_) => {}
                    other => return Err(wrong_type(&here, "an object", other)),
                }
                continue;
            }
            check_value(
                d,
                t,
                p.name,
                p.ty,
                p.collection,
                p.nullable,
                v,
                &here,
                extras,
            )?;
        } else if let Some((_, _, ty)) = extras
            .props
            .iter()
            .find(|(owner, name, _)| *owner == t.name && *name == key)
        {
            check_value(d, t, key, ty, false, true, v, &here, extras)?;
        } else if !t.open {
            return Err(ApiError::bad_property(
                &here,
                format!(
                    "The property '{key}' does not exist on type 'microsoft.graph.{}'. Make sure to only use property names that are defined by the type.",
                    t.name
                ),
            ));
        }
    }
    Ok(())
}

fn effective_type(
    d: Dialect,
    declared: &'static TypeDef,
    obj: &Map<String, Value>,
    path: &str,
) -> Result<&'static TypeDef, ApiError> {
    let here = join(path, "@odata.type");
    match obj.get("@odata.type") {
        Some(Value::String(name)) => {
            let t = find_type(d, name).ok_or_else(|| {
                ApiError::bad_property(
                    &here,
                    format!("The type '{name}' given in '@odata.type' is not known."),
                )
            })?;
            if !is_subtype(d, t, declared) {
                return Err(ApiError::bad_property(
                    &here,
                    format!(
                        "The type '{name}' is not compatible with the expected type 'microsoft.graph.{}'.",
                        declared.name
                    ),
                ));
            }
            if t.is_abstract && !NAMED_ABSTRACT_ACCEPTED.contains(&t.name) {
                return Err(ApiError::bad_property(
                    &here,
                    format!("The type '{name}' is abstract and cannot be instantiated."),
                ));
            }
            Ok(t)
        }
        Some(other) => Err(wrong_type(&here, "a string", other)),
        None if declared.is_abstract => Err(ApiError::bad_property(
            if path.is_empty() { "@odata.type" } else { path },
            format!(
                "'{}' is of the abstract type 'microsoft.graph.{}'; name its concrete type with '@odata.type' (for example '#microsoft.graph.{}').",
                if path.is_empty() { "the body" } else { path },
                declared.name,
                super::concrete_subtypes(d, declared)
                    .first()
                    .map_or("...", |c| c.name)
            ),
        )),
        None => Ok(declared),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_value(
    d: Dialect,
    owner: &'static TypeDef,
    name: &str,
    ty: &str,
    collection: bool,
    nullable: bool,
    v: &Value,
    path: &str,
    extras: &Extras,
) -> Result<(), ApiError> {
    if v.is_null() {
        if nullable || collection {
            return Ok(());
        }
        return Err(ApiError::bad_property(
            path,
            format!("The property '{path}' cannot be null."),
        ));
    }
    if collection {
        let Value::Array(items) = v else {
            return Err(wrong_type(path, "an array", v));
        };
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            if item.is_null() {
                return Err(ApiError::bad_property(
                    &p,
                    format!("The collection '{path}' cannot contain null."),
                ));
            }
            check_single(d, owner, name, ty, item, &p, extras)?;
        }
        return Ok(());
    }
    check_single(d, owner, name, ty, v, path, extras)
}

fn check_single(
    d: Dialect,
    owner: &'static TypeDef,
    name: &str,
    ty: &str,
    v: &Value,
    path: &str,
    extras: &Extras,
) -> Result<(), ApiError> {
    match ty {
        "Edm.String" => {
            let Value::String(s) = v else {
                return Err(wrong_type(path, "a string", v));
            };
            if let Some(allowed) = string_values(d, owner.name, name)
                && !allowed.iter().any(|a| a.eq_ignore_ascii_case(s))
            {
                return Err(not_a_member(path, s, allowed.iter().copied()));
            }
            Ok(())
        }
        "Edm.Boolean" => v
            .is_boolean()
            .then_some(())
            .ok_or_else(|| wrong_type(path, "a boolean (true or false)", v)),
        "Edm.Int32" | "Edm.Int64" | "Edm.Int16" | "Edm.Byte" => {
            let ok = match v.as_i64() {
                Some(n) if ty == "Edm.Int32" => i32::try_from(n).is_ok(),
                Some(_) => true,
                None => false,
            };
            ok.then_some(())
                .ok_or_else(|| wrong_type(path, &format!("an integer ({ty})"), v))
        }
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => v
            .is_number()
            .then_some(())
            .ok_or_else(|| wrong_type(path, "a number", v)),
        "Edm.DateTimeOffset" => {
            let Value::String(s) = v else {
                return Err(wrong_type(path, "a date and time string", v));
            };
            accessd_domain::Timestamp::parse(s).map(|_| ()).map_err(|_| {
                ApiError::bad_property(
                    path,
                    format!("Invalid value for property '{path}': '{s}' is not a valid date and time (ISO 8601, e.g. 2030-01-01T08:00:00Z)."),
                )
            })
        }
        "Edm.Date" => {
            let Value::String(s) = v else {
                return Err(wrong_type(path, "a date string", v));
            };
            accessd_domain::Timestamp::parse_date(s).map(|_| ()).map_err(|_| {
                ApiError::bad_property(path, format!("Invalid value for property '{path}': '{s}' is not a valid date (YYYY-MM-DD)."))
            })
        }
        "Edm.Duration" => {
            let Value::String(s) = v else {
                return Err(wrong_type(path, "a duration string", v));
            };
            accessd_domain::Duration::parse(s).map(|_| ()).map_err(|_| {
                ApiError::bad_property(
                    path,
                    format!("Invalid value for property '{path}': '{s}' is not a valid duration (ISO 8601, e.g. P2D or PT12H)."),
                )
            })
        }
        "Edm.Guid" => {
            let Value::String(s) = v else {
                return Err(wrong_type(path, "a GUID string", v));
            };
            uuid::Uuid::parse_str(s).map(|_| ()).map_err(|_| {
                ApiError::bad_property(
                    path,
                    format!("Invalid value for property '{path}': '{s}' is not a GUID."),
                )
            })
        }
        "Edm.Binary" | "Edm.Stream" | "Edm.TimeOfDay" => v
            .is_string()
            .then_some(())
            .ok_or_else(|| wrong_type(path, "a string", v)),
        other => {
            if let Some(e) = find_enum(d, other) {
                return check_enum(e, v, path);
            }
            match find_type(d, other) {
                Some(t) => check_object(d, t, v, path, extras),
                None => Ok(()),
            }
        }
    }
}

fn check_enum(e: &EnumDef, v: &Value, path: &str) -> Result<(), ApiError> {
    let Value::String(s) = v else {
        return Err(wrong_type(
            path,
            &format!("a string (a member of {})", e.name),
            v,
        ));
    };
    let parts: Vec<&str> = if e.flags {
        s.split(',').map(str::trim).collect()
    } else {
        vec![s.as_str()]
    };
    for part in parts {
        if !e.members.iter().any(|m| m.eq_ignore_ascii_case(part))
            || part.eq_ignore_ascii_case("unknownFutureValue")
        {
            return Err(not_a_member(
                path,
                part,
                e.members
                    .iter()
                    .copied()
                    .filter(|m| *m != "unknownFutureValue"),
            ));
        }
    }
    Ok(())
}

fn not_a_member<'a>(path: &str, got: &str, allowed: impl Iterator<Item = &'a str>) -> ApiError {
    let list: Vec<&str> = allowed.collect();
    ApiError::bad_property(
        path,
        format!(
            "Invalid value '{got}' for property '{path}'. The allowed values are: {}.",
            list.join(", ")
        ),
    )
}

/// The documented value sets of beta's string-typed "enum" properties (and of v1.0's `status`
/// strings), by owning type and property.
pub fn string_values(d: Dialect, owner: &str, prop: &str) -> Option<&'static [&'static str]> {
    use accessd_domain::ASSIGNMENT_STATUSES;
    const ASSIGNMENT_STATES: &[&str] = &[
        "Delivering",
        "PartiallyDelivered",
        "Delivered",
        "Expired",
        "DeliveryFailed",
    ];
    const SCOPE_TYPES: &[&str] = &[
        "NoSubjects",
        "SpecificDirectorySubjects",
        "SpecificConnectedOrganizationSubjects",
        "AllConfiguredConnectedOrganizationSubjects",
        "AllExistingConnectedOrganizationSubjects",
        "AllExistingDirectoryMemberUsers",
        "AllExistingDirectorySubjects",
        "AllExternalSubjects",
    ];
    const APPROVAL_MODES: &[&str] = &["SingleStage", "Serial", "Parallel", "NoApproval"];
    const RECURRENCE: &[&str] = &["weekly", "monthly", "quarterly", "halfyearly", "annual"];
    const REVIEWER_TYPES: &[&str] = &["Self", "Reviewers", "Manager"];
    const CATALOG_TYPES: &[&str] = &["UserManaged", "ServiceDefault", "ServiceManaged"];
    const CATALOG_STATUS: &[&str] = &["Published", "Unpublished"];
    const REQUEST_TYPES: &[&str] = &[
        "NotSpecified",
        "UserAdd",
        "UserUpdate",
        "UserExtend",
        "UserRemove",
        "AdminAdd",
        "AdminUpdate",
        "AdminExtend",
        "AdminRemove",
        "SystemAdd",
        "SystemUpdate",
        "SystemRemove",
        "OnBehalfAdd",
        "ApproverRemove",
    ];
    const REQUEST_STATES: &[&str] = &[
        "Submitted",
        "PendingApproval",
        "Delivering",
        "Delivered",
        "DeliveryFailed",
        "Denied",
        "Scheduled",
        "Canceled",
        "PartiallyDelivered",
    ];
    match (d, owner, prop) {
        (Dialect::Beta, "accessPackageAssignment", "assignmentState") => Some(ASSIGNMENT_STATES),
        (_, "accessPackageAssignment", "assignmentStatus" | "status") => Some(ASSIGNMENT_STATUSES),
        (Dialect::Beta, "requestorSettings", "scopeType") => Some(SCOPE_TYPES),
        (Dialect::Beta, "approvalSettings", "approvalMode") => Some(APPROVAL_MODES),
        (Dialect::Beta, "assignmentReviewSettings", "recurrenceType") => Some(RECURRENCE),
        (Dialect::Beta, "assignmentReviewSettings", "reviewerType") => Some(REVIEWER_TYPES),
        (Dialect::Beta, "accessPackageCatalog", "catalogType") => Some(CATALOG_TYPES),
        (Dialect::Beta, "accessPackageCatalog", "catalogStatus") => Some(CATALOG_STATUS),
        (
            Dialect::Beta,
            "accessPackageAssignmentRequest" | "accessPackageResourceRequest",
            "requestType",
        ) => Some(REQUEST_TYPES),
        (
            Dialect::Beta,
            "accessPackageAssignmentRequest" | "accessPackageResourceRequest",
            "requestState",
        ) => Some(REQUEST_STATES),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(d: Dialect, t: &str, v: Value) -> ApiError {
        check(d, t, &v, &NO_EXTRAS).unwrap_err()
    }

    #[test]
    fn accepts_the_seed_shapes() {
        let v = json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignmentPolicy",
            "requestorSettings": {"@odata.type": "microsoft.graph.requestorSettings", "scopeType": "AllExistingDirectorySubjects",
                "acceptRequests": true, "allowedRequestors": [{"@odata.type": "microsoft.graph.singleUser", "isBackup": true, "id": "x"}]},
            "durationInDays": 14, "expirationDateTime": "2016-12-31T23:57:47.0232285+00:00"
        });
        check(
            Dialect::Beta,
            "accessPackageAssignmentPolicy",
            &v,
            &NO_EXTRAS,
        )
        .unwrap();
        let v = json!({"expiration": {"type": "afterDuration", "duration": "365 days, 0:00:00"},
            "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g"}]});
        check(Dialect::V1, "accessPackageAssignmentPolicy", &v, &NO_EXTRAS).unwrap();
    }

    #[test]
    fn names_the_property_at_fault() {
        let e = err(
            Dialect::Beta,
            "accessPackageAssignmentPolicy",
            json!({"requestorSettings": {"scopeType": "Scope Type value"}}),
        );
        assert_eq!(e.target.as_deref(), Some("requestorSettings.scopeType"));
        assert!(
            e.message.contains("SpecificDirectorySubjects"),
            "{}",
            e.message
        );
        let e = err(
            Dialect::V1,
            "accessPackageAssignmentPolicy",
            json!({"allowedTargetScope": "everyone"}),
        );
        assert!(
            e.message.contains("allDirectoryUsers") && !e.message.contains("unknownFutureValue"),
            "{}",
            e.message
        );
        let e = err(
            Dialect::V1,
            "accessPackageCatalog",
            json!({"isExternallyVisible": "yes"}),
        );
        assert_eq!(e.target.as_deref(), Some("isExternallyVisible"));
        let e = err(
            Dialect::V1,
            "accessPackageCatalog",
            json!({"colour": "red"}),
        );
        assert_eq!(e.target.as_deref(), Some("colour"));
        let e = err(
            Dialect::V1,
            "accessPackageAssignmentPolicy",
            json!({"specificAllowedTargets": [{"userId": "x"}]}),
        );
        assert_eq!(e.target.as_deref(), Some("specificAllowedTargets[0]"));
        let e = err(
            Dialect::V1,
            "accessPackageAssignmentPolicy",
            json!({"specificAllowedTargets": [{"@odata.type": "#microsoft.graph.accessPackage"}]}),
        );
        assert_eq!(
            e.target.as_deref(),
            Some("specificAllowedTargets[0].@odata.type")
        );
        let e = err(
            Dialect::V1,
            "accessPackageAssignmentPolicy",
            json!({"expiration": {"duration": "two days"}}),
        );
        assert_eq!(e.target.as_deref(), Some("expiration.duration"));
        let e = err(
            Dialect::Beta,
            "accessPackageAssignmentPolicy",
            json!({"durationInDays": 3000000000i64}),
        );
        assert_eq!(e.target.as_deref(), Some("durationInDays"));
        let e = err(
            Dialect::V1,
            "accessPackageAssignmentPolicy",
            json!({"notificationSettings": {"isAssignmentNotificationDisabled": null}}),
        );
        assert_eq!(
            e.target.as_deref(),
            Some("notificationSettings.isAssignmentNotificationDisabled")
        );
        let e = err(Dialect::V1, "accessPackageCatalog", json!([1]));
        assert!(e.message.contains("JSON object"));
    }
}
