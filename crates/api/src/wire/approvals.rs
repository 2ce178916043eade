//! Approvals of assignment requests: v1.0's `approval` with `stages` (`approvalStage`), beta's
//! with `steps` (`approvalStep`); the same data. `assignedToMe` depends on who asks, so the
//! handlers fill it in for the caller.

use accessd_domain::{Approval, ReviewResult, StageState};
use accessd_engine::Decision;
use serde_json::{Map, Value, json};

use super::{In, Out};
use crate::Dialect;
use crate::error::ApiError;

tokio::task_local! {
    /// The object id of the caller a response is rendered for.
    pub static VIEWER: String;
}

pub fn approval_out(a: &Approval) -> Map<String, Value> {
    Out::typed("approval").put("id", a.id.clone()).done()
}

pub fn stage_out(d: Dialect, s: &StageState, me: Option<&str>) -> Map<String, Value> {
    let ty = match d {
        Dialect::V1 => "approvalStage",
        Dialect::Beta => "approvalStep",
    };
    let reviewed_by = match &s.reviewed_by {
        Some((id, name)) => json!({"id": id, "displayName": name}),
        None => Value::Null,
    };
    Out::typed(ty)
        .put("id", s.id.clone())
        .put("displayName", Value::Null)
        .put("status", s.status.as_str())
        .put(
            "assignedToMe",
            match me {
                Some(m) => s.assigned_to(m),
                None => VIEWER.try_with(|v| s.assigned_to(v)).unwrap_or(false),
            },
        )
        .put("reviewedBy", reviewed_by)
        .ts("reviewedDateTime", s.reviewed_date_time.as_ref())
        .put(
            "reviewResult",
            match s.review_result {
                ReviewResult::NotReviewed => "NotReviewed",
                ReviewResult::Approved => "Approved",
                ReviewResult::Denied => "Denied",
            },
        )
        .opt("justification", s.justification.clone())
        .done()
}

/// `{"reviewResult": "Approve"|"Deny", "justification": ...}`.
pub fn decision_in(o: In<'_>) -> Result<Decision, ApiError> {
    let result = o.str("reviewResult").flatten().ok_or_else(|| {
        ApiError::bad_property(
            "reviewResult",
            "The property 'reviewResult' is required: 'Approve' or 'Deny'.",
        )
    })?;
    let approve = if result.eq_ignore_ascii_case("Approve")
        || result.eq_ignore_ascii_case("Approved")
    {
        true
    } else if result.eq_ignore_ascii_case("Deny") || result.eq_ignore_ascii_case("Denied") {
        false
    } else {
        return Err(ApiError::bad_property(
            "reviewResult",
            format!(
                "'{result}' is not a valid value for 'reviewResult'. Allowed values: Approve, Deny."
            ),
        ));
    };
    Ok(Decision {
        approve,
        justification: o.str("justification").flatten(),
    })
}
