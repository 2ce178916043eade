//! The audit log: every change of state of a request, an approval and an assignment (and the
//! role assignments of entitlement management) is recorded in the transaction that makes it, as
//! Entra's audit log shows it (`directoryAudit`, category `EntitlementManagement`, the activity
//! names of Microsoft's audit-activity reference), readable at `/auditLogs/directoryAudits`.

use accessd_domain::store::{Tx, TxExt};
use accessd_domain::*;

use crate::Result;

pub const CATEGORY: &str = "EntitlementManagement";

/// Who a change is recorded as, and the correlation id that groups the records of one use
/// case.
#[derive(Debug, Clone)]
pub struct Change {
    pub initiator: Initiator,
    pub correlation_id: String,
}

impl Change {
    /// The caller of a use case, as the directory knows it.
    pub async fn of(tx: &mut dyn Tx, p: &Principal) -> Result<Change> {
        let initiator = match p.kind {
            PrincipalKind::System => Initiator::System,
            PrincipalKind::App => Initiator::App {
                service_principal_id: p.object_id.clone(),
                app_id: p.app_id.clone(),
                display_name: p.display.clone(),
            },
            PrincipalKind::User => {
                let u = tx.load::<User>(&p.object_id).await?;
                Initiator::User {
                    id: p.object_id.clone(),
                    display_name: u.as_ref().and_then(|u| u.display_name.clone()),
                    user_principal_name: u
                        .and_then(|u| u.user_principal_name)
                        .or_else(|| p.display.clone()),
                }
            }
        };
        Ok(Change {
            initiator,
            correlation_id: new_id(),
        })
    }

    /// The service itself (expiry, escalation, timeouts).
    pub fn system() -> Change {
        Change {
            initiator: Initiator::System,
            correlation_id: new_id(),
        }
    }

    /// A name to show for the initiator (an approver's `reviewedBy`).
    pub fn display_name(&self) -> Option<String> {
        match &self.initiator {
            Initiator::User {
                display_name,
                user_principal_name,
                ..
            } => display_name.clone().or_else(|| user_principal_name.clone()),
            Initiator::App { display_name, .. } => display_name.clone(),
            Initiator::System => None,
        }
    }
}

fn prop(name: &str, old: Option<String>, new: Option<String>) -> Option<ModifiedProperty> {
    (old != new).then(|| ModifiedProperty {
        display_name: name.to_string(),
        old_value: old.map(|v| format!("\"{v}\"")),
        new_value: new.map(|v| format!("\"{v}\"")),
    })
}

/// Writes one record about `targets`.
pub async fn record(
    tx: &mut dyn Tx,
    by: &Change,
    activity: &str,
    operation: &str,
    targets: Vec<TargetResource>,
    now: Timestamp,
    result_reason: Option<String>,
) -> Result<()> {
    let e = AuditEvent {
        id: new_time_ordered_id(now),
        category: CATEGORY.into(),
        activity_display_name: activity.into(),
        activity_date_time: now,
        operation_type: operation.into(),
        initiated_by: by.initiator.clone(),
        target_resources: targets,
        result: "success".into(),
        result_reason,
        correlation_id: by.correlation_id.clone(),
        additional_details: vec![],
    };
    tx.create(&e).await?;
    Ok(())
}

/// The activity a request's change is recorded as.
fn request_activity(
    before: &AssignmentRequest,
    after: &AssignmentRequest,
) -> (&'static str, &'static str) {
    use RequestState as S;
    let created =
        before.id == after.id && before.state == after.state && before.status == after.status;
    match (before.state, after.state) {
        _ if created => match after.request_type {
            RequestType::UserAdd => (
                "User requests access package assignment",
                "CreateEntitlementGrantUserAddRequest",
            ),
            RequestType::UserUpdate | RequestType::UserExtend => (
                "User requests to extend access package assignment",
                "CreateEntitlementGrantUserUpdateRequest",
            ),
            RequestType::UserRemove => (
                "User requests to remove access package assignment",
                "CreateEntitlementGrantUserRemoveRequest",
            ),
            RequestType::AdminAdd => (
                "Administrator directly assigns user to access package",
                "CreateEntitlementGrantAdminAddRequest",
            ),
            RequestType::AdminRemove => (
                "Administrator directly removes user access package assignment",
                "CreateEntitlementGrantAdminRemoveRequest",
            ),
            RequestType::AdminUpdate | RequestType::AdminExtend => (
                "Extend access package assignment",
                "CreateEntitlementGrantAdminUpdateRequest",
            ),
            RequestType::SystemRemove => (
                "Entitlement Management removes access package assignment request for user",
                "CreateEntitlementGrantSystemRemoveRequest",
            ),
            RequestType::SystemAdd => (
                "Entitlement Management creates access package assignment request for user",
                "CreateEntitlementGrantSystemAddRequest",
            ),
            _ => (
                "Update access package assignment request",
                "UpdateEntitlementGrantRequest",
            ),
        },
        (S::Submitted, S::Delivering | S::Scheduled) => (
            "Auto approve access package assignment request",
            "AutoApproveEntitlementGrantRequest",
        ),
        (S::PendingApproval, S::Delivering | S::Scheduled) => (
            "Ready to fulfill access package assignment request",
            "ReadyToFulfillEntitlementGrantRequest",
        ),
        (_, S::Scheduled) => (
            "Schedule a future access package assignment",
            "ScheduleEntitlementGrantRequest",
        ),
        (_, S::Delivered) => (
            "Fulfill access package assignment request",
            "FulfillEntitlementGrantRequest",
        ),
        (_, S::PartiallyDelivered) => (
            "Partially fulfill access package assignment request",
            "PartiallyFulfillEntitlementGrantRequest",
        ),
        (_, S::DeliveryFailed) => (
            "Failed access package assignment request",
            "FailEntitlementGrantRequest",
        ),
        (_, S::Denied) => (
            "Deny access package assignment request",
            "DenyEntitlementGrantRequest",
        ),
        (_, S::Canceled) => (
            "Cancel access package assignment request",
            "CancelEntitlementGrantRequest",
        ),
        _ => (
            "Update access package assignment request",
            "UpdateEntitlementGrantRequest",
        ),
    }
}

fn request_target(r: &AssignmentRequest, props: Vec<ModifiedProperty>) -> TargetResource {
    TargetResource {
        id: r.id.clone(),
        display_name: None,
        kind: "AccessPackageAssignmentRequest".into(),
        modified_properties: props,
    }
}

fn related(r: &AssignmentRequest) -> Vec<TargetResource> {
    let mut out = vec![];
    if let Some(p) = &r.access_package_id {
        out.push(TargetResource {
            id: p.clone(),
            display_name: None,
            kind: "AccessPackage".into(),
            modified_properties: vec![],
        });
    }
    if let Some(t) = &r.target_object_id {
        out.push(TargetResource {
            id: t.clone(),
            display_name: None,
            kind: "User".into(),
            modified_properties: vec![],
        });
    }
    out
}

/// A request was created (`before == after`) or changed state.
pub async fn request_changed(
    tx: &mut dyn Tx,
    by: &Change,
    before: &AssignmentRequest,
    after: &AssignmentRequest,
    now: Timestamp,
) -> Result<()> {
    let (activity, op) = request_activity(before, after);
    let props: Vec<ModifiedProperty> = [
        prop(
            "RequestState",
            Some(before.state.as_str().to_string()).filter(|_| before.state != after.state),
            Some(after.state.as_str().to_string()).filter(|_| before.state != after.state),
        ),
        prop(
            "RequestStatus",
            Some(before.status.clone()).filter(|_| before.status != after.status),
            Some(after.status.clone()).filter(|_| before.status != after.status),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut targets = vec![request_target(after, props)];
    targets.extend(related(after));
    let reason = (after.status == "Expired").then(|| "The approval timed out.".to_string());
    record(tx, by, activity, op, targets, now, reason).await?;
    crate::outbox::request_changed(tx, before, after, now).await
}

fn assignment_target(a: &Assignment, props: Vec<ModifiedProperty>) -> TargetResource {
    TargetResource {
        id: a.id.clone(),
        display_name: None,
        kind: "AccessPackageAssignment".into(),
        modified_properties: props,
    }
}

/// An assignment was made (and delivered, fully or not).
pub async fn assignment_added(
    tx: &mut dyn Tx,
    by: &Change,
    a: &Assignment,
    now: Timestamp,
) -> Result<()> {
    let props = [
        prop("AssignmentState", None, Some(a.state.as_str().into())),
        prop("AssignmentStatus", None, Some(a.status.clone())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let activity = match a.state {
        AssignmentState::Delivered => "Fulfill access package resource assignment",
        _ => "Partially fulfill access package assignment request",
    };
    let targets = vec![
        assignment_target(a, props),
        TargetResource {
            id: a.access_package_id.clone(),
            display_name: None,
            kind: "AccessPackage".into(),
            modified_properties: vec![],
        },
    ];
    record(
        tx,
        by,
        activity,
        "CreateEntitlementGrant",
        targets,
        now,
        None,
    )
    .await
}

/// An assignment was taken away (expiry or removal).
pub async fn assignment_removed(
    tx: &mut dyn Tx,
    by: &Change,
    before: &Assignment,
    after: &Assignment,
    now: Timestamp,
) -> Result<()> {
    let props = [
        prop(
            "AssignmentState",
            Some(before.state.as_str().into()),
            Some(after.state.as_str().into()),
        ),
        prop(
            "AssignmentStatus",
            Some(before.status.clone()),
            Some(after.status.clone()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let targets = vec![
        assignment_target(after, props),
        TargetResource {
            id: after.access_package_id.clone(),
            display_name: None,
            kind: "AccessPackage".into(),
            modified_properties: vec![],
        },
    ];
    record(
        tx,
        by,
        "Remove access package resource assignment",
        "RemoveEntitlementGrant",
        targets,
        now,
        None,
    )
    .await
}

/// An assignment's end came: the service removed it (one record for the `systemRemove`
/// request and the assignment it took away).
pub async fn expired(
    tx: &mut dyn Tx,
    req: &AssignmentRequest,
    before: &Assignment,
    after: &Assignment,
    now: Timestamp,
) -> Result<()> {
    let props = [
        prop(
            "AssignmentState",
            Some(before.state.as_str().into()),
            Some(after.state.as_str().into()),
        ),
        prop(
            "AssignmentStatus",
            Some(before.status.clone()),
            Some(after.status.clone()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut targets = vec![request_target(req, vec![]), assignment_target(after, props)];
    targets.extend(related(req));
    record(
        tx,
        &Change::system(),
        "Entitlement Management removes access package assignment request for user",
        "CreateEntitlementGrantSystemRemoveRequest",
        targets,
        now,
        None,
    )
    .await
}

/// An approver decided a stage.
pub async fn approval_decided(
    tx: &mut dyn Tx,
    by: &Change,
    ap: &Approval,
    stage: usize,
    approve: bool,
    now: Timestamp,
) -> Result<()> {
    let last = stage + 1 == ap.stages.len();
    let (activity, op) = match (approve, last) {
        (true, true) => (
            "Approve access package assignment request",
            "ApproveEntitlementGrantRequest",
        ),
        (true, false) => (
            "Approval stage completed for access package assignment request",
            "CompleteApprovalStage",
        ),
        (false, _) => (
            "Deny access package assignment request",
            "DenyEntitlementGrantRequest",
        ),
    };
    let targets = vec![TargetResource {
        id: ap.id.clone(),
        display_name: Some(format!("Stage {}", stage + 1)),
        kind: "Approval".into(),
        modified_properties: prop(
            "ReviewResult",
            Some("NotReviewed".into()),
            Some(if approve { "Approved" } else { "Denied" }.into()),
        )
        .into_iter()
        .collect(),
    }];
    record(tx, by, activity, op, targets, now, None).await
}
