//! Assignment policies: who may be assigned an access package, who must approve, how long the
//! assignment lasts, and how it is reviewed.
//!
//! The model is v1.0's (the newer one) plus what beta needs to read back exactly what it wrote:
//! `is_backup` on subject sets, the approval mode as written, the reviewer type as written.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::*;
use crate::named_enum;
use crate::time::{Duration, Timestamp};

use super::em::{Audit, ExpirationPattern, Schedule};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub access_package_id: String,
    pub catalog_id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub audit: Audit,
    /// v1.0 `allowedTargetScope`; beta `requestorSettings.scopeType`.
    pub target_scope: TargetScope,
    /// v1.0 `specificAllowedTargets`; beta `requestorSettings.allowedRequestors`.
    pub specific_allowed_targets: Vec<SubjectSet>,
    /// v1.0 `expiration`; beta `durationInDays` and `expirationDateTime`.
    pub expiration: ExpirationPattern,
    pub requestor: RequestorSettings,
    pub approval: Option<ApprovalSettings>,
    pub review: Option<ReviewSettings>,
    pub automatic_request: Option<AutomaticRequestSettings>,
    pub notification: Option<NotificationSettings>,
    pub questions: Vec<Question>,
    pub custom_extension_stage_settings: Vec<CustomExtensionStageSetting>,
    /// beta `verifiableCredentialSettings`, validated JSON.
    pub verifiable_credential_settings: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RequestorSettings {
    /// beta `requestorSettings.acceptRequests`.
    pub enable_targets_to_self_add_access: bool,
    /// beta `canExtend`.
    pub enable_targets_to_self_update_access: bool,
    pub enable_targets_to_self_remove_access: bool,
    pub allow_custom_assignment_schedule: bool,
    pub enable_on_behalf_requestors_to_add_access: bool,
    pub enable_on_behalf_requestors_to_update_access: bool,
    pub enable_on_behalf_requestors_to_remove_access: bool,
    pub on_behalf_requestors: Vec<SubjectSet>,
}

/// A set of people, as a policy names them (v1.0 `subjectSet`, beta `userSet`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectSet {
    pub kind: SubjectSetKind,
    /// `userId`, `groupId`, `connectedOrganizationId`, `servicePrincipalId` (v1.0) or `id` (beta).
    pub id: Option<String>,
    pub description: Option<String>,
    pub manager_level: Option<i32>,
    pub membership_rule: Option<String>,
    /// beta `isBackup`; in v1.0 a backup approver sits in `fallbackPrimaryApprovers`.
    pub is_backup: bool,
}

named_enum! {
    pub enum SubjectSetKind {
        SingleUser = "singleUser",
        GroupMembers = "groupMembers",
        ConnectedOrganizationMembers = "connectedOrganizationMembers",
        RequestorManager = "requestorManager",
        TargetManager = "targetManager",
        InternalSponsors = "internalSponsors",
        ExternalSponsors = "externalSponsors",
        AttributeRuleMembers = "attributeRuleMembers",
        TargetApplicationOwners = "targetApplicationOwners",
        SingleServicePrincipal = "singleServicePrincipal",
        TargetUserSponsors = "targetUserSponsors",
        TargetAgentIdentitySponsorsOrOwners = "targetAgentIdentitySponsorsOrOwners",
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApprovalSettings {
    /// beta `isApprovalRequired`.
    pub is_approval_required_for_add: bool,
    /// beta `isApprovalRequiredForExtension`.
    pub is_approval_required_for_update: bool,
    pub is_requestor_justification_required: bool,
    /// beta `approvalMode` as last written through beta; `None` means "derive from the stages".
    pub mode: Option<ApprovalMode>,
    pub stages: Vec<ApprovalStage>,
}

impl ApprovalSettings {
    /// beta's `approvalMode`: as written, or what the stages imply.
    pub fn effective_mode(&self) -> ApprovalMode {
        if let Some(m) = self.mode {
            return m;
        }
        match (self.is_approval_required_for_add, self.stages.len()) {
            (false, _) | (_, 0) => ApprovalMode::NoApproval,
            (true, 1) => ApprovalMode::SingleStage,
            _ => ApprovalMode::Serial,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApprovalStage {
    /// beta `approvalStageTimeOutInDays`.
    pub duration_before_automatic_denial: Option<Duration>,
    pub is_approver_justification_required: bool,
    pub is_escalation_enabled: bool,
    /// beta `escalationTimeInMinutes`.
    pub duration_before_escalation: Option<Duration>,
    /// Primary approvers; those with `is_backup` are v1.0's `fallbackPrimaryApprovers`.
    pub primary_approvers: Vec<SubjectSet>,
    /// Escalation approvers; those with `is_backup` are v1.0's `fallbackEscalationApprovers`.
    pub escalation_approvers: Vec<SubjectSet>,
    pub approver_information_visibility: Option<ApproverInformationVisibility>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReviewSettings {
    pub is_enabled: bool,
    /// beta `accessReviewTimeoutBehavior`.
    pub expiration_behavior: Option<ReviewExpirationBehavior>,
    /// beta `isAccessRecommendationEnabled`.
    pub is_recommendation_enabled: bool,
    /// beta `isApprovalJustificationRequired`.
    pub is_reviewer_justification_required: bool,
    /// beta `reviewerType` = `Self`.
    pub is_self_review: bool,
    /// beta `reviewers`.
    pub primary_reviewers: Vec<SubjectSet>,
    pub fallback_reviewers: Vec<SubjectSet>,
    /// beta `reviewerType` as last written through beta; `None` means "derive".
    pub reviewer_type: Option<ReviewerType>,
    /// v1.0 `schedule`; beta `startDateTime`, `durationInDays` (the expiration's duration) and
    /// `recurrenceType` (the recurrence pattern) are read from it.
    pub schedule: Schedule,
    pub is_agentic_experience_enabled: Option<bool>,
}

impl ReviewSettings {
    pub fn effective_reviewer_type(&self) -> ReviewerType {
        if let Some(t) = self.reviewer_type {
            return t;
        }
        if self.is_self_review {
            ReviewerType::SelfReview
        } else if self.primary_reviewers.len() == 1
            && self.primary_reviewers[0].kind == SubjectSetKind::RequestorManager
        {
            ReviewerType::Manager
        } else {
            ReviewerType::Reviewers
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AutomaticRequestSettings {
    pub request_access_for_allowed_targets: bool,
    pub remove_access_when_target_leaves_allowed_targets: bool,
    pub grace_period_before_access_removal: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub is_assignment_notification_disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub is_required: bool,
    pub is_answer_editable: bool,
    pub sequence: Option<i32>,
    /// v1.0 `text`; beta `text.defaultText`.
    pub text: Option<String>,
    /// v1.0 `localizations`; beta `text.localizedTexts`.
    pub localizations: Vec<LocalizedText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QuestionKind {
    TextInput {
        is_single_line_question: bool,
        regex_pattern: Option<String>,
    },
    MultipleChoice {
        allows_multiple_selection: bool,
        choices: Vec<AnswerChoice>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerChoice {
    pub actual_value: Option<String>,
    pub text: Option<String>,
    pub localizations: Vec<LocalizedText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalizedText {
    pub language_code: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomExtensionStageSetting {
    pub id: String,
    pub stage: CustomExtensionStage,
    pub custom_extension_id: Option<String>,
    /// The derived type the caller named for the extension, e.g.
    /// `microsoft.graph.accessPackageAssignmentRequestWorkflowExtension`.
    pub custom_extension_type: Option<String>,
}

impl Policy {
    /// When an assignment made under this policy at `start` expires.
    pub fn assignment_end(&self, start: Timestamp) -> Option<Timestamp> {
        self.expiration.end_from(start)
    }
}
