//! Assignments, assignment requests and subjects in both dialects.

use accessd_domain::*;
use accessd_engine::{AssignmentDraft, RequestDraft};
use serde_json::{Map, Value};

use super::policy::{schedule_in, schedule_out};
use super::{In, Out};
use crate::Dialect;
use crate::edm::validate::Extras;

/// v1.0's assignment type has no id properties; the SDK sends them as additional data
/// (`../shared/sdk-wire.md` 5.4), so a v1.0 direct write accepts them.
pub const V1_ASSIGNMENT_EXTRAS: Extras = Extras {
    props: &[
        ("accessPackageAssignment", "targetId", "Edm.String"),
        (
            "accessPackageAssignment",
            "assignmentPolicyId",
            "Edm.String",
        ),
        ("accessPackageAssignment", "accessPackageId", "Edm.String"),
        ("accessPackageAssignment", "catalogId", "Edm.String"),
    ],
};

/// The documentation's own v1.0 examples send `accessPackageAssignment` instead of
/// `assignment`; the service takes both.
pub const V1_REQUEST_EXTRAS: Extras = Extras {
    props: &[(
        "accessPackageAssignmentRequest",
        "accessPackageAssignment",
        "*",
    )],
};

fn v1_request_type(t: RequestType) -> &'static str {
    match t {
        RequestType::UserExtend => "userUpdate",
        RequestType::AdminExtend => "adminUpdate",
        other => other.as_str(),
    }
}

pub fn assignment_in(d: Dialect, o: In<'_>) -> AssignmentDraft {
    let mut a = AssignmentDraft {
        catalog_id: o.str("catalogId").flatten(),
        access_package_id: o.str("accessPackageId").flatten(),
        policy_id: o.str("assignmentPolicyId").flatten(),
        target_id: o.str("targetId").flatten(),
        state: None,
        status: None,
        is_extended: o.bool("isExtended").flatten(),
        expired_date_time: o.ts("expiredDateTime"),
        schedule: o
            .obj("schedule")
            .map(|s| s.map(schedule_in).unwrap_or_default()),
    };
    let (state_key, status_key, policy_nav) = match d {
        Dialect::V1 => ("state", "status", "assignmentPolicy"),
        Dialect::Beta => (
            "assignmentState",
            "assignmentStatus",
            "accessPackageAssignmentPolicy",
        ),
    };
    a.state = o
        .str(state_key)
        .flatten()
        .and_then(|s| AssignmentState::parse_ignore_case(&s));
    a.status = o.str(status_key).flatten();
    if let Some(id) = o.ref_id("accessPackage") {
        a.access_package_id = Some(id);
    }
    if let Some(id) = o.ref_id(policy_nav) {
        a.policy_id = Some(id);
    }
    if let Some(Some(t)) = o.obj("target")
        && let Some(id) = t
            .str("objectId")
            .flatten()
            .or_else(|| t.str("id").flatten())
    {
        a.target_id = Some(id);
    }
    a
}

pub fn assignment_out(d: Dialect, a: &Assignment) -> Map<String, Value> {
    let callouts = Value::Array(a.custom_extension_callout_instances.clone());
    match d {
        Dialect::V1 => Out::typed("accessPackageAssignment")
            .put("id", a.id.clone())
            .put("state", a.state.as_str())
            .put("status", a.status.clone())
            .ts("expiredDateTime", a.expired_date_time.as_ref())
            .put("schedule", schedule_out(&a.schedule))
            .put("customExtensionCalloutInstances", callouts)
            .done(),
        Dialect::Beta => Out::typed("accessPackageAssignment")
            .put("id", a.id.clone())
            .put("catalogId", a.catalog_id.clone())
            .put("accessPackageId", a.access_package_id.clone())
            .put("assignmentPolicyId", a.policy_id.clone())
            .put("targetId", a.target_id.clone())
            .put("assignmentStatus", a.status.clone())
            .put("assignmentState", a.state.pascal())
            .put("isExtended", a.is_extended)
            .ts("expiredDateTime", a.expired_date_time.as_ref())
            .put("schedule", schedule_out(&a.schedule))
            .put("customExtensionCalloutInstances", callouts)
            .done(),
    }
}

pub fn request_in(d: Dialect, o: In<'_>) -> RequestDraft {
    let request_type = o
        .str("requestType")
        .flatten()
        .and_then(|t| RequestType::parse_ignore_case(&t));
    let inner = match d {
        Dialect::V1 => o
            .obj("assignment")
            .flatten()
            .or_else(|| o.obj("accessPackageAssignment").flatten()),
        Dialect::Beta => o.obj("accessPackageAssignment").flatten(),
    };
    let mut r = RequestDraft {
        request_type,
        justification: o.str("justification").flatten(),
        schedule: o.obj("schedule").flatten().map(schedule_in),
        answers: match o.raw("answers") {
            Some(Value::Array(a)) => a.clone(),
            _ => vec![],
        },
        is_validation_only: o.bool("isValidationOnly").flatten().unwrap_or(false),
        ..RequestDraft::default()
    };
    if let Some(a) = inner {
        r.assignment_id = a.str("id").flatten();
        r.access_package_id = a
            .str("accessPackageId")
            .flatten()
            .or_else(|| a.ref_id("accessPackage"));
        r.policy_id = a
            .str("assignmentPolicyId")
            .flatten()
            .or_else(|| a.ref_id("assignmentPolicy"))
            .or_else(|| a.ref_id("accessPackageAssignmentPolicy"));
        r.target_id = a.str("targetId").flatten();
        if let Some(Some(t)) = a.obj("target")
            && r.target_id.is_none()
        {
            r.target_id = t
                .str("objectId")
                .flatten()
                .or_else(|| t.str("id").flatten());
            if r.target_id.is_none() {
                r.target_email = t.str("email").flatten();
            }
        }
        if r.schedule.is_none() {
            r.schedule = a.obj("schedule").flatten().map(schedule_in);
        }
    }
    if r.access_package_id.is_none() {
        r.access_package_id = o.ref_id("accessPackage");
    }
    r
}

pub fn request_out(d: Dialect, r: &AssignmentRequest) -> Map<String, Value> {
    let answers = Value::Array(r.answers.clone());
    let callouts = Value::Array(r.custom_extension_callout_instances.clone());
    match d {
        Dialect::V1 => Out::typed("accessPackageAssignmentRequest")
            .put("id", r.id.clone())
            .put("requestType", v1_request_type(r.request_type))
            .put("state", r.state.as_str())
            .put("status", r.status.clone())
            .ts("createdDateTime", Some(&r.created_date_time))
            .ts("completedDateTime", r.completed_date_time.as_ref())
            .opt("justification", r.justification.clone())
            .put("schedule", schedule_out(&r.schedule))
            .put("answers", answers)
            .put("customExtensionCalloutInstances", callouts)
            .done(),
        Dialect::Beta => Out::typed("accessPackageAssignmentRequest")
            .put("id", r.id.clone())
            .put("requestType", r.request_type.pascal())
            .put("requestState", r.state.pascal())
            .put("requestStatus", r.status.clone())
            .ts("createdDateTime", Some(&r.created_date_time))
            .ts("completedDate", r.completed_date_time.as_ref())
            .ts("expirationDateTime", r.expiration_date_time.as_ref())
            .put("isValidationOnly", r.is_validation_only)
            .opt("justification", r.justification.clone())
            .put("schedule", schedule_out(&r.schedule))
            .put("answers", answers)
            .put("customExtensionCalloutInstances", callouts)
            .done(),
    }
}

pub fn subject_out(d: Dialect, s: &Subject) -> Map<String, Value> {
    let o = Out::typed("accessPackageSubject")
        .put("id", s.id.clone())
        .opt("objectId", s.object_id.clone())
        .opt("displayName", s.display_name.clone())
        .opt("email", s.email.clone())
        .opt("principalName", s.principal_name.clone())
        .opt(
            "onPremisesSecurityIdentifier",
            s.on_premises_security_identifier.clone(),
        )
        .put("subjectLifecycle", s.subject_lifecycle.as_str());
    match d {
        Dialect::V1 => o.put("subjectType", s.subject_type.as_str()).done(),
        Dialect::Beta => o
            .put("type", s.subject_type.pascal())
            .opt(
                "connectedOrganizationId",
                s.connected_organization_id.clone(),
            )
            .opt("altSecId", s.alt_sec_id.clone())
            .ts(
                "cleanupScheduledDateTime",
                s.cleanup_scheduled_date_time.as_ref(),
            )
            .done(),
    }
}

/// The body of `resume`: `source`, `type` and the callback `data`.
pub fn resume_in(o: In<'_>) -> Result<accessd_engine::extensions::Resume, crate::ApiError> {
    let data = o.obj("data").flatten();
    let text = |k: &str| data.and_then(|d| d.str(k).flatten());
    // `data.stage` names the stage; `type` ends with it too, and is only read when it does.
    let stage = match text("stage") {
        Some(n) => Some(CustomExtensionStage::parse_ignore_case(&n).ok_or_else(|| {
            crate::ApiError::bad_property(
                "data.stage",
                format!("'{n}' is not a stage of a custom extension (accessPackageCustomExtensionStage)."),
            )
        })?),
        None => o
            .str("type")
            .flatten()
            .and_then(|t| t.rsplit('.').next().and_then(CustomExtensionStage::parse_ignore_case)),
    };
    Ok(accessd_engine::extensions::Resume {
        stage,
        instance_id: text("customExtensionStageInstanceId"),
        detail: text("customExtensionStageInstanceDetail"),
        state: text("state"),
    })
}
