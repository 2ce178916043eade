//! What the lifecycle engine keeps besides requests and assignments: the approval of a request
//! with its stages, the durable table of work that falls due at a time (expiry, escalation,
//! automatic denial, a future start, notifications), and the audit record of every change.

use serde::{Deserialize, Serialize};

use crate::named_enum;
use crate::time::Timestamp;

/// The approval of an assignment request (`approval`; its id is the request's id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub id: String,
    pub catalog_id: String,
    pub policy_id: String,
    /// Who the request is for and who made it: never asked to approve it.
    pub target_object_id: Option<String>,
    pub requestor_object_id: Option<String>,
    pub stages: Vec<StageState>,
    /// Whether a decision is still awaited.
    pub pending: bool,
    pub created_date_time: Timestamp,
}

impl Approval {
    /// The stage awaiting a decision.
    pub fn current(&self) -> Option<&StageState> {
        self.stages
            .iter()
            .find(|s| s.status == StageStatus::InProgress)
    }
    pub fn current_mut(&mut self) -> Option<&mut StageState> {
        self.stages
            .iter_mut()
            .find(|s| s.status == StageStatus::InProgress)
    }
}

named_enum! {
    /// An approval stage's `status` (beta's documented values; v1.0 shows the same strings).
    pub enum StageStatus {
        NotStarted = "NotStarted", InProgress = "InProgress", Completed = "Completed",
        Expired = "Expired", Canceled = "Canceled",
    }
}

named_enum! {
    /// `reviewResult` as stored (the decision sent is `Approve`/`Deny`).
    pub enum ReviewResult { NotReviewed = "NotReviewed", Approved = "Approved", Denied = "Denied" }
}

/// One stage of an approval (v1.0 `approvalStage`, beta `approvalStep`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageState {
    pub id: String,
    /// The stage's position in the policy (0-based).
    pub index: usize,
    pub status: StageStatus,
    pub review_result: ReviewResult,
    pub justification: Option<String>,
    /// The approver who decided: object id and display name.
    pub reviewed_by: Option<(String, Option<String>)>,
    pub reviewed_date_time: Option<Timestamp>,
    /// Who may decide: the primary approvers as resolved when the stage started (or the
    /// fallback approvers when those resolved to nobody).
    pub approvers: Vec<String>,
    /// Added when the stage escalates.
    pub escalation_approvers: Vec<String>,
    pub escalated: bool,
    pub is_approver_justification_required: bool,
    pub started_date_time: Option<Timestamp>,
    /// When the stage is denied automatically if nobody decides.
    pub deny_at: Option<Timestamp>,
    /// When it is forwarded to the escalation approvers.
    pub escalate_at: Option<Timestamp>,
}

impl StageState {
    /// Whether `user` may decide this stage now.
    pub fn may_decide(&self, user: &str) -> bool {
        self.status == StageStatus::InProgress
            && (self.approvers.iter().any(|a| a == user)
                || (self.escalated && self.escalation_approvers.iter().any(|a| a == user)))
    }
    /// Whether `user` is or was one of this stage's approvers.
    pub fn assigned_to(&self, user: &str) -> bool {
        self.approvers.iter().any(|a| a == user)
            || (self.escalated && self.escalation_approvers.iter().any(|a| a == user))
    }
}

named_enum! {
    /// What falls due.
    pub enum WorkKind {
        /// A scheduled request whose start has come: deliver it.
        RequestStart = "requestStart",
        /// An assignment's end: remove it.
        AssignmentExpiry = "assignmentExpiry",
        /// Notifications before an assignment's end (14 days, 1 day).
        ExpiryNotice14 = "expiryNotice14",
        ExpiryNotice1 = "expiryNotice1",
        /// An approval stage nobody decided: forward it to the escalation approvers.
        ApprovalEscalation = "approvalEscalation",
        /// An approval stage nobody decided in time: deny the request.
        ApprovalTimeout = "approvalTimeout",
        /// A target that left an automatic policy's scope, after the grace period.
        AutoRemoval = "autoRemoval",
        /// A deleted directory object's 30 days are over: it goes for good.
        DeletedItemPurge = "deletedItemPurge",
        /// A blocked external user's time is over: delete them (the tenant's settings).
        ExternalUserDeletion = "externalUserDeletion",
        /// A call to a custom extension's endpoint (`detail` holds the callout).
        Callout = "callout",
        /// A request waiting for a custom extension's callback that did not come in time.
        CalloutTimeout = "calloutTimeout",
    }
}

/// An item of due work. Its id is made of its kind, subject and time, so scheduling the same
/// work twice keeps one item; every handler re-checks the state it acts on, so doing an item
/// twice (a crash between doing and deleting it) changes nothing the second time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueWork {
    pub id: String,
    pub kind: WorkKind,
    /// The request, assignment or approval it is about.
    pub subject_id: String,
    pub due: Timestamp,
    /// Extra detail (the stage for approval work).
    pub detail: Option<String>,
    pub attempts: u32,
}

impl DueWork {
    pub fn new(
        kind: WorkKind,
        subject_id: &str,
        due: Timestamp,
        detail: Option<String>,
    ) -> DueWork {
        DueWork {
            id: format!(
                "{}:{subject_id}:{}:{}",
                kind.as_str(),
                detail.as_deref().unwrap_or(""),
                due.to_storage()
            ),
            kind,
            subject_id: subject_id.to_string(),
            due,
            detail,
            attempts: 0,
        }
    }
}

/// Who did something, as the audit log shows it (`initiatedBy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Initiator {
    User {
        id: String,
        display_name: Option<String>,
        user_principal_name: Option<String>,
    },
    App {
        service_principal_id: String,
        app_id: Option<String>,
        display_name: Option<String>,
    },
    /// The service itself (expiry, escalation, timeouts).
    System,
}

/// A property's change (`modifiedProperty`), values as JSON text as Graph shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifiedProperty {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What a change touched (`targetResource`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResource {
    pub id: String,
    pub display_name: Option<String>,
    /// `AccessPackageAssignmentRequest`, `AccessPackageAssignment`, `Approval`, `User`, ...
    pub kind: String,
    pub modified_properties: Vec<ModifiedProperty>,
}

/// One audit record (`directoryAudit`, category `EntitlementManagement`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub category: String,
    pub activity_display_name: String,
    pub activity_date_time: Timestamp,
    /// `Add`, `Update`, `Delete`, `Assign`, `Unassign`.
    pub operation_type: String,
    pub initiated_by: Initiator,
    pub target_resources: Vec<TargetResource>,
    /// `success` or `failure`.
    pub result: String,
    pub result_reason: Option<String>,
    /// Groups the records one use case wrote.
    pub correlation_id: String,
    pub additional_details: Vec<(String, String)>,
}
