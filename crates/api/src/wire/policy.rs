//! accessPackageAssignmentPolicy in both dialects (see `docs/dialects.md`, "Policies").

use accessd_domain::*;
use serde_json::{Value, json};

use super::{In, Out, check_as, set, set_nn};
use crate::Dialect;
use crate::error::ApiError;

/// Which legacy (beta-era) names a v1.0 body used, so the answer to that write can carry them
/// too (Microsoft's own v1.0 examples send and show them).
#[derive(Debug, Default, Clone)]
pub struct Echo {
    pub top: Vec<&'static str>,
    pub requestor: Vec<&'static str>,
}

/// The extra names a v1.0 policy body may carry (validated by hand against beta's types).
/// What beta accepts besides its CSDL, because Microsoft's beta examples send it: v1.0's
/// `expiration` pattern on a policy (it wins over `durationInDays`/`expirationDateTime`).
pub const BETA_EXTRAS: crate::edm::validate::Extras = crate::edm::validate::Extras {
    props: &[(
        "accessPackageAssignmentPolicy",
        "expiration",
        "expirationPattern",
    )],
};

pub const V1_LEGACY: crate::edm::validate::Extras = crate::edm::validate::Extras {
    props: &[
        (
            "accessPackageAssignmentPolicy",
            "accessPackageId",
            "Edm.String",
        ),
        ("accessPackageAssignmentPolicy", "canExtend", "Edm.Boolean"),
        (
            "accessPackageAssignmentPolicy",
            "durationInDays",
            "Edm.Int32",
        ),
        (
            "accessPackageAssignmentPolicy",
            "expirationDateTime",
            "Edm.DateTimeOffset",
        ),
        ("accessPackageAssignmentPolicy", "accessReviewSettings", "*"),
        ("accessPackageAssignmentPolicy", "createdBy", "Edm.String"),
        ("accessPackageAssignmentPolicy", "modifiedBy", "Edm.String"),
        (
            "accessPackageAssignmentRequestorSettings",
            "scopeType",
            "Edm.String",
        ),
        (
            "accessPackageAssignmentRequestorSettings",
            "acceptRequests",
            "Edm.Boolean",
        ),
        (
            "accessPackageAssignmentRequestorSettings",
            "allowedRequestors",
            "*",
        ),
    ],
};

/// A policy with nothing set, as a create or a PUT starts from.
pub fn blank(now: Timestamp) -> Policy {
    Policy {
        id: String::new(),
        access_package_id: String::new(),
        catalog_id: String::new(),
        display_name: None,
        description: None,
        audit: model::Audit::new(now, None),
        target_scope: TargetScope::NotSpecified,
        specific_allowed_targets: vec![],
        expiration: ExpirationPattern {
            kind: Some(ExpirationType::NoExpiration),
            duration: None,
            end_date_time: None,
        },
        requestor: RequestorSettings::default(),
        approval: None,
        review: None,
        automatic_request: None,
        notification: None,
        questions: vec![],
        custom_extension_stage_settings: vec![],
        verifiable_credential_settings: None,
    }
}

// ---- scope types -------------------------------------------------------------------------

pub fn scope_to_beta(s: TargetScope) -> &'static str {
    use TargetScope::*;
    match s {
        NotSpecified => "NoSubjects",
        SpecificDirectoryUsers | SpecificDirectoryServicePrincipals => "SpecificDirectorySubjects",
        SpecificConnectedOrganizationUsers => "SpecificConnectedOrganizationSubjects",
        AllConfiguredConnectedOrganizationUsers => "AllConfiguredConnectedOrganizationSubjects",
        AllExistingConnectedOrganizationUsers => "AllExistingConnectedOrganizationSubjects",
        AllMemberUsers => "AllExistingDirectoryMemberUsers",
        AllDirectoryUsers | AllDirectoryServicePrincipals | AllDirectoryAgentIdentities => {
            "AllExistingDirectorySubjects"
        }
        AllExternalUsers => "AllExternalSubjects",
    }
}

pub fn scope_from_beta(s: &str) -> Option<TargetScope> {
    use TargetScope::*;
    Some(match s.to_ascii_lowercase().as_str() {
        "nosubjects" => NotSpecified,
        "specificdirectorysubjects" => SpecificDirectoryUsers,
        "specificconnectedorganizationsubjects" => SpecificConnectedOrganizationUsers,
        "allconfiguredconnectedorganizationsubjects" => AllConfiguredConnectedOrganizationUsers,
        "allexistingconnectedorganizationsubjects" => AllExistingConnectedOrganizationUsers,
        "allexistingdirectorymemberusers" => AllMemberUsers,
        "allexistingdirectorysubjects" => AllDirectoryUsers,
        "allexternalsubjects" => AllExternalUsers,
        _ => return None,
    })
}

fn scope_to_v1(s: TargetScope) -> &'static str {
    match s {
        TargetScope::AllExistingConnectedOrganizationUsers => "allExternalUsers",
        other => other.as_str(),
    }
}

// ---- subject sets ------------------------------------------------------------------------

fn kind_of(t: Option<&str>) -> SubjectSetKind {
    t.and_then(SubjectSetKind::parse_ignore_case)
        .unwrap_or(SubjectSetKind::SingleUser)
}

pub fn subject_set_in(d: Dialect, o: In<'_>) -> SubjectSet {
    let kind = kind_of(o.odata_type());
    let id_key = match (d, kind) {
        (Dialect::Beta, _) => "id",
        (_, SubjectSetKind::SingleUser) => "userId",
        (_, SubjectSetKind::GroupMembers) => "groupId",
        (_, SubjectSetKind::ConnectedOrganizationMembers) => "connectedOrganizationId",
        (_, SubjectSetKind::SingleServicePrincipal) => "servicePrincipalId",
        _ => "id",
    };
    SubjectSet {
        kind,
        id: o.str(id_key).flatten(),
        description: o.str("description").flatten(),
        manager_level: o
            .i64("managerLevel")
            .flatten()
            .and_then(|n| i32::try_from(n).ok()),
        membership_rule: o.str("membershipRule").flatten(),
        is_backup: o.bool("isBackup").flatten().unwrap_or(false),
    }
}

pub fn subject_set_out(d: Dialect, s: &SubjectSet) -> Value {
    use SubjectSetKind::*;
    let type_name = match (d, s.kind) {
        (Dialect::Beta, TargetManager) => "requestorManager",
        (_, k) => k.as_str(),
    };
    let mut o = Out::typed(type_name);
    if d == Dialect::Beta {
        o = o.put("isBackup", s.is_backup);
    }
    o = match (d, s.kind) {
        (_, RequestorManager | TargetManager) => o.opt("managerLevel", s.manager_level),
        (_, AttributeRuleMembers) => o
            .opt("description", s.description.clone())
            .opt("membershipRule", s.membership_rule.clone()),
        (
            _,
            InternalSponsors
            | ExternalSponsors
            | TargetApplicationOwners
            | TargetUserSponsors
            | TargetAgentIdentitySponsorsOrOwners,
        ) => o,
        (Dialect::Beta, _) => o
            .opt("id", s.id.clone())
            .opt("description", s.description.clone()),
        (Dialect::V1, SingleUser) => o
            .opt("userId", s.id.clone())
            .opt("description", s.description.clone()),
        (Dialect::V1, GroupMembers) => o
            .opt("groupId", s.id.clone())
            .opt("description", s.description.clone()),
        (Dialect::V1, ConnectedOrganizationMembers) => o
            .opt("connectedOrganizationId", s.id.clone())
            .opt("description", s.description.clone()),
        (Dialect::V1, SingleServicePrincipal) => o
            .opt("servicePrincipalId", s.id.clone())
            .opt("description", s.description.clone()),
    };
    o.value()
}

fn sets_in(d: Dialect, items: Vec<In<'_>>, backup: bool) -> Vec<SubjectSet> {
    items
        .into_iter()
        .map(|o| {
            let mut s = subject_set_in(d, o);
            if d == Dialect::V1 {
                s.is_backup = backup;
            }
            s
        })
        .collect()
}

fn sets_out(d: Dialect, sets: &[SubjectSet], backup: Option<bool>) -> Value {
    Value::Array(
        sets.iter()
            .filter(|s| backup.is_none_or(|b| s.is_backup == b))
            .map(|s| subject_set_out(d, s))
            .collect(),
    )
}

// ---- expiration and schedules --------------------------------------------------------------

pub fn expiration_in(o: In<'_>) -> ExpirationPattern {
    ExpirationPattern {
        kind: o
            .str("type")
            .flatten()
            .and_then(|t| ExpirationType::parse_ignore_case(&t)),
        duration: o.dur("duration").flatten(),
        end_date_time: o.ts("endDateTime").flatten(),
    }
}

pub fn expiration_out(e: &ExpirationPattern) -> Value {
    Out::default()
        .ts("endDateTime", e.end_date_time.as_ref())
        .dur("duration", e.duration.as_ref())
        .opt("type", e.kind.map(ExpirationType::as_str))
        .value()
}

pub fn schedule_in(o: In<'_>) -> Schedule {
    Schedule {
        start_date_time: o.ts("startDateTime").flatten(),
        expiration: o.obj("expiration").flatten().map(expiration_in),
        recurrence: o.raw("recurrence").filter(|v| !v.is_null()).cloned(),
    }
}

pub fn schedule_out(s: &Schedule) -> Value {
    Out::default()
        .ts("startDateTime", s.start_date_time.as_ref())
        .put(
            "expiration",
            s.expiration.as_ref().map_or(Value::Null, expiration_out),
        )
        .put("recurrence", s.recurrence.clone().unwrap_or(Value::Null))
        .value()
}

/// beta's `durationInDays`/`expirationDateTime` as one expiration pattern.
fn beta_expiration(days: Option<i64>, end: Option<Timestamp>) -> ExpirationPattern {
    let duration = days.filter(|d| *d > 0).map(Duration::days);
    let kind = if end.is_some() {
        ExpirationType::AfterDateTime
    } else if duration.is_some() {
        ExpirationType::AfterDuration
    } else {
        ExpirationType::NoExpiration
    };
    ExpirationPattern {
        kind: Some(kind),
        duration,
        end_date_time: end,
    }
}

// ---- approval ------------------------------------------------------------------------------

fn stage_in(d: Dialect, o: In<'_>) -> ApprovalStage {
    let mut s = ApprovalStage {
        is_approver_justification_required: o
            .bool("isApproverJustificationRequired")
            .flatten()
            .unwrap_or(false),
        is_escalation_enabled: o.bool("isEscalationEnabled").flatten().unwrap_or(false),
        approver_information_visibility: o
            .str("approverInformationVisibility")
            .flatten()
            .and_then(|v| ApproverInformationVisibility::parse_ignore_case(&v)),
        ..ApprovalStage::default()
    };
    match d {
        Dialect::V1 => {
            s.duration_before_automatic_denial = o.dur("durationBeforeAutomaticDenial").flatten();
            s.duration_before_escalation = o.dur("durationBeforeEscalation").flatten();
            s.primary_approvers = sets_in(d, o.items("primaryApprovers"), false);
            s.primary_approvers
                .extend(sets_in(d, o.items("fallbackPrimaryApprovers"), true));
            s.escalation_approvers = sets_in(d, o.items("escalationApprovers"), false);
            s.escalation_approvers
                .extend(sets_in(d, o.items("fallbackEscalationApprovers"), true));
        }
        Dialect::Beta => {
            s.duration_before_automatic_denial = o
                .i64("approvalStageTimeOutInDays")
                .flatten()
                .map(Duration::days);
            s.duration_before_escalation = o
                .i64("escalationTimeInMinutes")
                .flatten()
                .map(Duration::minutes);
            s.primary_approvers = sets_in(d, o.items("primaryApprovers"), false);
            s.escalation_approvers = sets_in(d, o.items("escalationApprovers"), false);
        }
    }
    s
}

fn stage_out(d: Dialect, s: &ApprovalStage) -> Value {
    let vis = s
        .approver_information_visibility
        .unwrap_or(ApproverInformationVisibility::Default)
        .as_str();
    match d {
        Dialect::V1 => Out::default()
            .dur(
                "durationBeforeAutomaticDenial",
                s.duration_before_automatic_denial.as_ref(),
            )
            .put(
                "isApproverJustificationRequired",
                s.is_approver_justification_required,
            )
            .put("isEscalationEnabled", s.is_escalation_enabled)
            .dur(
                "durationBeforeEscalation",
                s.duration_before_escalation.as_ref(),
            )
            .put("approverInformationVisibility", vis)
            .put(
                "primaryApprovers",
                sets_out(d, &s.primary_approvers, Some(false)),
            )
            .put(
                "fallbackPrimaryApprovers",
                sets_out(d, &s.primary_approvers, Some(true)),
            )
            .put(
                "escalationApprovers",
                sets_out(d, &s.escalation_approvers, Some(false)),
            )
            .put(
                "fallbackEscalationApprovers",
                sets_out(d, &s.escalation_approvers, Some(true)),
            )
            .value(),
        Dialect::Beta => Out::default()
            .opt(
                "approvalStageTimeOutInDays",
                s.duration_before_automatic_denial.map(|x| x.whole_days()),
            )
            .put(
                "isApproverJustificationRequired",
                s.is_approver_justification_required,
            )
            .put("isEscalationEnabled", s.is_escalation_enabled)
            .opt(
                "escalationTimeInMinutes",
                s.duration_before_escalation.map(|x| x.whole_minutes()),
            )
            .put("approverInformationVisibility", vis)
            .put("primaryApprovers", sets_out(d, &s.primary_approvers, None))
            .put(
                "escalationApprovers",
                sets_out(d, &s.escalation_approvers, None),
            )
            .value(),
    }
}

fn approval_in(d: Dialect, o: In<'_>) -> ApprovalSettings {
    match d {
        Dialect::V1 => ApprovalSettings {
            is_approval_required_for_add: o
                .bool("isApprovalRequiredForAdd")
                .flatten()
                .unwrap_or(false),
            is_approval_required_for_update: o
                .bool("isApprovalRequiredForUpdate")
                .flatten()
                .unwrap_or(false),
            is_requestor_justification_required: o
                .bool("isRequestorJustificationRequired")
                .flatten()
                .unwrap_or(false),
            mode: None,
            stages: o
                .items("stages")
                .into_iter()
                .map(|s| stage_in(d, s))
                .collect(),
        },
        Dialect::Beta => ApprovalSettings {
            is_approval_required_for_add: o.bool("isApprovalRequired").flatten().unwrap_or(false),
            is_approval_required_for_update: o
                .bool("isApprovalRequiredForExtension")
                .flatten()
                .unwrap_or(false),
            is_requestor_justification_required: o
                .bool("isRequestorJustificationRequired")
                .flatten()
                .unwrap_or(false),
            mode: o
                .str("approvalMode")
                .flatten()
                .and_then(|m| ApprovalMode::parse_ignore_case(&m)),
            stages: o
                .items("approvalStages")
                .into_iter()
                .map(|s| stage_in(d, s))
                .collect(),
        },
    }
}

fn approval_out(d: Dialect, a: &ApprovalSettings) -> Value {
    match d {
        Dialect::V1 => Out::default()
            .put("isApprovalRequiredForAdd", a.is_approval_required_for_add)
            .put(
                "isApprovalRequiredForUpdate",
                a.is_approval_required_for_update,
            )
            .put(
                "isRequestorJustificationRequired",
                a.is_requestor_justification_required,
            )
            .put(
                "stages",
                Value::Array(a.stages.iter().map(|s| stage_out(d, s)).collect()),
            )
            .value(),
        Dialect::Beta => Out::default()
            .put("isApprovalRequired", a.is_approval_required_for_add)
            .put(
                "isApprovalRequiredForExtension",
                a.is_approval_required_for_update,
            )
            .put(
                "isRequestorJustificationRequired",
                a.is_requestor_justification_required,
            )
            .put("approvalMode", a.effective_mode().pascal())
            .put(
                "approvalStages",
                Value::Array(a.stages.iter().map(|s| stage_out(d, s)).collect()),
            )
            .value(),
    }
}

// ---- reviews -------------------------------------------------------------------------------

fn recurrence_of(r: ReviewRecurrence) -> Value {
    let (ty, interval) = match r {
        ReviewRecurrence::Weekly => ("weekly", 1),
        ReviewRecurrence::Monthly => ("absoluteMonthly", 1),
        ReviewRecurrence::Quarterly => ("absoluteMonthly", 3),
        ReviewRecurrence::HalfYearly => ("absoluteMonthly", 6),
        ReviewRecurrence::Annual => ("absoluteYearly", 1),
    };
    json!({"pattern": {"type": ty, "interval": interval}, "range": {"type": "noEnd"}})
}

fn recurrence_from(v: &Value) -> Option<ReviewRecurrence> {
    let p = v.get("pattern")?;
    let ty = p.get("type")?.as_str()?;
    let interval = p.get("interval").and_then(Value::as_i64).unwrap_or(1);
    Some(match (ty, interval) {
        ("weekly", _) => ReviewRecurrence::Weekly,
        ("absoluteMonthly" | "relativeMonthly", 1 | 2) => ReviewRecurrence::Monthly,
        ("absoluteMonthly" | "relativeMonthly", 3..=5) => ReviewRecurrence::Quarterly,
        ("absoluteMonthly" | "relativeMonthly", 6..=11) => ReviewRecurrence::HalfYearly,
        ("absoluteMonthly" | "relativeMonthly", _) | ("absoluteYearly" | "relativeYearly", _) => {
            ReviewRecurrence::Annual
        }
        _ => return None,
    })
}

fn review_in(d: Dialect, o: In<'_>) -> ReviewSettings {
    match d {
        Dialect::V1 => ReviewSettings {
            is_enabled: o.bool("isEnabled").flatten().unwrap_or(false),
            expiration_behavior: o
                .str("expirationBehavior")
                .flatten()
                .and_then(|v| ReviewExpirationBehavior::parse_ignore_case(&v)),
            is_recommendation_enabled: o.bool("isRecommendationEnabled").flatten().unwrap_or(false),
            is_reviewer_justification_required: o
                .bool("isReviewerJustificationRequired")
                .flatten()
                .unwrap_or(false),
            is_self_review: o.bool("isSelfReview").flatten().unwrap_or(false),
            primary_reviewers: sets_in(d, o.items("primaryReviewers"), false),
            fallback_reviewers: sets_in(d, o.items("fallbackReviewers"), true),
            reviewer_type: None,
            schedule: o
                .obj("schedule")
                .flatten()
                .map(schedule_in)
                .unwrap_or_default(),
            is_agentic_experience_enabled: None,
        },
        Dialect::Beta => {
            let reviewer_type = o.str("reviewerType").flatten().and_then(|t| {
                if t.eq_ignore_ascii_case("self") {
                    Some(ReviewerType::SelfReview)
                } else {
                    ReviewerType::parse_ignore_case(&t)
                }
            });
            let schedule = Schedule {
                start_date_time: o.ts("startDateTime").flatten(),
                expiration: o
                    .i64("durationInDays")
                    .flatten()
                    .map(|n| ExpirationPattern {
                        kind: Some(ExpirationType::AfterDuration),
                        duration: Some(Duration::days(n)),
                        end_date_time: None,
                    }),
                recurrence: o
                    .str("recurrenceType")
                    .flatten()
                    .and_then(|r| ReviewRecurrence::parse_ignore_case(&r))
                    .map(recurrence_of),
            };
            ReviewSettings {
                is_enabled: o.bool("isEnabled").flatten().unwrap_or(false),
                expiration_behavior: o
                    .str("accessReviewTimeoutBehavior")
                    .flatten()
                    .and_then(|v| ReviewExpirationBehavior::parse_ignore_case(&v)),
                is_recommendation_enabled: o
                    .bool("isAccessRecommendationEnabled")
                    .flatten()
                    .unwrap_or(false),
                is_reviewer_justification_required: o
                    .bool("isApprovalJustificationRequired")
                    .flatten()
                    .unwrap_or(false),
                is_self_review: reviewer_type == Some(ReviewerType::SelfReview),
                primary_reviewers: sets_in(d, o.items("reviewers"), false),
                fallback_reviewers: vec![],
                reviewer_type,
                schedule,
                is_agentic_experience_enabled: o.bool("isAgenticExperienceEnabled").flatten(),
            }
        }
    }
}

fn review_out(d: Dialect, r: &ReviewSettings) -> Value {
    match d {
        Dialect::V1 => Out::default()
            .opt(
                "expirationBehavior",
                r.expiration_behavior.map(ReviewExpirationBehavior::as_str),
            )
            .put(
                "fallbackReviewers",
                sets_out(d, &r.fallback_reviewers, None),
            )
            .put("isEnabled", r.is_enabled)
            .put("isRecommendationEnabled", r.is_recommendation_enabled)
            .put(
                "isReviewerJustificationRequired",
                r.is_reviewer_justification_required,
            )
            .put("isSelfReview", r.is_self_review)
            .put("primaryReviewers", sets_out(d, &r.primary_reviewers, None))
            .put("schedule", schedule_out(&r.schedule))
            .value(),
        Dialect::Beta => {
            let rt = match r.effective_reviewer_type() {
                ReviewerType::SelfReview => "Self",
                ReviewerType::Reviewers => "Reviewers",
                ReviewerType::Manager => "Manager",
            };
            let mut o = Out::default()
                .put("isEnabled", r.is_enabled)
                .opt(
                    "recurrenceType",
                    r.schedule
                        .recurrence
                        .as_ref()
                        .and_then(recurrence_from)
                        .map(ReviewRecurrence::as_str),
                )
                .put("reviewerType", rt)
                .ts("startDateTime", r.schedule.start_date_time.as_ref())
                .opt(
                    "durationInDays",
                    r.schedule
                        .expiration
                        .as_ref()
                        .and_then(|e| e.duration)
                        .map(|x| x.whole_days()),
                )
                .put("reviewers", sets_out(d, &r.primary_reviewers, None))
                .opt(
                    "accessReviewTimeoutBehavior",
                    r.expiration_behavior.map(ReviewExpirationBehavior::as_str),
                )
                .put("isAccessRecommendationEnabled", r.is_recommendation_enabled)
                .put(
                    "isApprovalJustificationRequired",
                    r.is_reviewer_justification_required,
                );
            if let Some(a) = r.is_agentic_experience_enabled {
                o = o.put("isAgenticExperienceEnabled", a);
            }
            o.value()
        }
    }
}

// ---- questions and stage settings ----------------------------------------------------------

fn localized_in(items: Vec<In<'_>>) -> Vec<LocalizedText> {
    items
        .into_iter()
        .map(|o| LocalizedText {
            language_code: o.str("languageCode").flatten(),
            text: o.str("text").flatten(),
        })
        .collect()
}

fn localized_out(l: &[LocalizedText]) -> Value {
    Value::Array(
        l.iter()
            .map(|t| json!({"languageCode": t.language_code, "text": t.text}))
            .collect(),
    )
}

fn question_in(d: Dialect, o: In<'_>) -> Question {
    let multiple = o
        .odata_type()
        .is_some_and(|t| t.eq_ignore_ascii_case("accessPackageMultipleChoiceQuestion"));
    let (text, localizations) = match d {
        Dialect::V1 => (
            o.str("text").flatten(),
            localized_in(o.items("localizations")),
        ),
        Dialect::Beta => match o.obj("text").flatten() {
            Some(t) => (
                t.str("defaultText").flatten(),
                localized_in(t.items("localizedTexts")),
            ),
            None => (None, vec![]),
        },
    };
    let kind = if multiple {
        QuestionKind::MultipleChoice {
            allows_multiple_selection: o
                .bool(if d == Dialect::V1 {
                    "isMultipleSelectionAllowed"
                } else {
                    "allowsMultipleSelection"
                })
                .flatten()
                .unwrap_or(false),
            choices: o
                .items("choices")
                .into_iter()
                .map(|c| match d {
                    Dialect::V1 => AnswerChoice {
                        actual_value: c.str("actualValue").flatten(),
                        text: c.str("text").flatten(),
                        localizations: localized_in(c.items("localizations")),
                    },
                    Dialect::Beta => {
                        let dv = c.obj("displayValue").flatten();
                        AnswerChoice {
                            actual_value: c.str("actualValue").flatten(),
                            text: dv.and_then(|x| x.str("defaultText").flatten()),
                            localizations: dv
                                .map(|x| localized_in(x.items("localizedTexts")))
                                .unwrap_or_default(),
                        }
                    }
                })
                .collect(),
        }
    } else {
        QuestionKind::TextInput {
            is_single_line_question: o.bool("isSingleLineQuestion").flatten().unwrap_or(false),
            regex_pattern: o.str("regexPattern").flatten(),
        }
    };
    Question {
        id: o.str("id").flatten().unwrap_or_default(),
        kind,
        is_required: o.bool("isRequired").flatten().unwrap_or(false),
        is_answer_editable: o.bool("isAnswerEditable").flatten().unwrap_or(false),
        sequence: o
            .i64("sequence")
            .flatten()
            .and_then(|n| i32::try_from(n).ok()),
        text,
        localizations,
    }
}

pub fn question_out(d: Dialect, q: &Question) -> Value {
    let type_name = match q.kind {
        QuestionKind::TextInput { .. } => "accessPackageTextInputQuestion",
        QuestionKind::MultipleChoice { .. } => "accessPackageMultipleChoiceQuestion",
    };
    let mut o = Out::typed(type_name)
        .put("id", q.id.clone())
        .put("isRequired", q.is_required)
        .put("isAnswerEditable", q.is_answer_editable)
        .opt("sequence", q.sequence);
    o = match d {
        Dialect::V1 => o
            .opt("text", q.text.clone())
            .put("localizations", localized_out(&q.localizations)),
        Dialect::Beta => o.put(
            "text",
            json!({"defaultText": q.text, "localizedTexts": localized_out(&q.localizations)}),
        ),
    };
    match &q.kind {
        QuestionKind::TextInput {
            is_single_line_question,
            regex_pattern,
        } => o
            .put("isSingleLineQuestion", *is_single_line_question)
            .opt("regexPattern", regex_pattern.clone())
            .value(),
        QuestionKind::MultipleChoice {
            allows_multiple_selection,
            choices,
        } => {
            let choices: Vec<Value> = choices
                .iter()
                .map(|c| match d {
                    Dialect::V1 => json!({"actualValue": c.actual_value, "text": c.text, "localizations": localized_out(&c.localizations)}),
                    Dialect::Beta => json!({"actualValue": c.actual_value, "displayValue": {"defaultText": c.text, "localizedTexts": localized_out(&c.localizations)}}),
                })
                .collect();
            o.put(
                if d == Dialect::V1 {
                    "isMultipleSelectionAllowed"
                } else {
                    "allowsMultipleSelection"
                },
                *allows_multiple_selection,
            )
            .put("choices", Value::Array(choices))
            .value()
        }
    }
}

fn stage_setting_in(o: In<'_>) -> CustomExtensionStageSetting {
    let ext = o.obj("customExtension").flatten();
    CustomExtensionStageSetting {
        id: o.str("id").flatten().unwrap_or_default(),
        stage: o
            .str("stage")
            .flatten()
            .and_then(|s| CustomExtensionStage::parse_ignore_case(&s))
            .unwrap_or(CustomExtensionStage::AssignmentRequestCreated),
        custom_extension_id: ext.and_then(|e| e.str("id").flatten()),
        custom_extension_type: ext.and_then(|e| e.odata_type()).map(str::to_string),
    }
}

pub fn stage_setting_out(s: &CustomExtensionStageSetting) -> Value {
    let mut ext = Out::default();
    if let Some(t) = &s.custom_extension_type {
        ext = ext.put("@odata.type", format!("#microsoft.graph.{t}"));
    }
    Out::default()
        .put("id", s.id.clone())
        .put("stage", s.stage.as_str())
        .put(
            "customExtension",
            ext.opt("id", s.custom_extension_id.clone()).value(),
        )
        .value()
}

// ---- the policy ----------------------------------------------------------------------------

fn beta_requestor_in(p: &mut Policy, r: In<'_>) {
    p.target_scope = r
        .str("scopeType")
        .flatten()
        .and_then(|s| scope_from_beta(&s))
        .unwrap_or(TargetScope::NotSpecified);
    p.requestor.enable_targets_to_self_add_access =
        r.bool("acceptRequests").flatten().unwrap_or(false);
    p.specific_allowed_targets = sets_in(Dialect::Beta, r.items("allowedRequestors"), false);
}

fn beta_requestor_out(p: &Policy) -> Value {
    Out::default()
        .put("scopeType", scope_to_beta(p.target_scope))
        .put(
            "acceptRequests",
            p.requestor.enable_targets_to_self_add_access,
        )
        .put(
            "allowedRequestors",
            sets_out(Dialect::Beta, &p.specific_allowed_targets, None),
        )
        .value()
}

/// Applies a validated body onto `p`.
pub fn policy_in(
    d: Dialect,
    body: In<'_>,
    p: &mut Policy,
    echo: &mut Echo,
) -> Result<(), ApiError> {
    set(&mut p.display_name, body.str("displayName"));
    set(&mut p.description, body.str("description"));
    if let Some(id) = body.ref_id("accessPackage") {
        p.access_package_id = id;
    }
    if let Some(Some(id)) = body.str("accessPackageId") {
        p.access_package_id = id;
        if d == Dialect::V1 {
            echo.top.push("accessPackageId");
        }
    }
    // beta names (in v1.0: legacy aliases, applied first so v1.0's own names win).
    if (d == Dialect::Beta || body.has("canExtend"))
        && let Some(Some(b)) = body.bool("canExtend")
    {
        p.requestor.enable_targets_to_self_update_access = b;
    }
    if body.has("durationInDays") || body.has("expirationDateTime") {
        let days = match body.i64("durationInDays") {
            Some(v) => v,
            None => p.expiration.duration.map(|x| x.whole_days()),
        };
        let end = match body.ts("expirationDateTime") {
            Some(v) => v,
            None => p.expiration.end_date_time,
        };
        p.expiration = beta_expiration(days, end);
    }
    if d == Dialect::Beta
        && let Some(e) = body.obj("expiration")
    {
        p.expiration = e.map(expiration_in).unwrap_or_default();
    }
    if let Some(v) = body.raw("accessReviewSettings") {
        if d == Dialect::V1 {
            if !v.is_null() {
                check_as(
                    Dialect::Beta,
                    "assignmentReviewSettings",
                    v,
                    "accessReviewSettings",
                )?;
            }
            echo.top.push("accessReviewSettings");
        }
        p.review = v.as_object().map(|o| review_in(Dialect::Beta, In(o)));
    }
    if d == Dialect::V1 {
        for k in ["canExtend", "durationInDays", "expirationDateTime"] {
            if body.has(k) {
                echo.top.push(k);
            }
        }
    }
    if let Some(r) = body.obj("requestorSettings") {
        match (d, r) {
            (Dialect::Beta, Some(r)) => beta_requestor_in(p, r),
            (Dialect::Beta, None) => {
                p.target_scope = TargetScope::NotSpecified;
                p.requestor.enable_targets_to_self_add_access = false;
                p.specific_allowed_targets.clear();
            }
            (Dialect::V1, Some(r)) => {
                // Legacy beta names inside v1.0's requestorSettings.
                if r.has("scopeType") {
                    let v = r.str("scopeType").flatten().unwrap_or_default();
                    p.target_scope = scope_from_beta(&v).ok_or_else(|| {
                        let allowed = crate::edm::validate::string_values(Dialect::Beta, "requestorSettings", "scopeType")
                            .unwrap_or_default()
                            .join(", ");
                        ApiError::bad_property(
                            "requestorSettings.scopeType",
                            format!("Invalid value '{v}' for property 'requestorSettings.scopeType'. The allowed values are: {allowed}."),
                        )
                    })?;
                    echo.requestor.push("scopeType");
                }
                if let Some(v) = r.bool("acceptRequests") {
                    p.requestor.enable_targets_to_self_add_access = v.unwrap_or(false);
                    echo.requestor.push("acceptRequests");
                }
                if let Some(v) = r.raw("allowedRequestors") {
                    if let Value::Array(items) = v {
                        for (i, item) in items.iter().enumerate() {
                            check_as(
                                Dialect::Beta,
                                "userSet",
                                item,
                                &format!("requestorSettings.allowedRequestors[{i}]"),
                            )?;
                        }
                    }
                    p.specific_allowed_targets =
                        sets_in(Dialect::Beta, r.items("allowedRequestors"), false);
                    echo.requestor.push("allowedRequestors");
                }
                let q = &mut p.requestor;
                set_nn(
                    &mut q.enable_targets_to_self_add_access,
                    r.bool("enableTargetsToSelfAddAccess"),
                );
                set_nn(
                    &mut q.enable_targets_to_self_update_access,
                    r.bool("enableTargetsToSelfUpdateAccess"),
                );
                set_nn(
                    &mut q.enable_targets_to_self_remove_access,
                    r.bool("enableTargetsToSelfRemoveAccess"),
                );
                set_nn(
                    &mut q.allow_custom_assignment_schedule,
                    r.bool("allowCustomAssignmentSchedule"),
                );
                set_nn(
                    &mut q.enable_on_behalf_requestors_to_add_access,
                    r.bool("enableOnBehalfRequestorsToAddAccess"),
                );
                set_nn(
                    &mut q.enable_on_behalf_requestors_to_update_access,
                    r.bool("enableOnBehalfRequestorsToUpdateAccess"),
                );
                set_nn(
                    &mut q.enable_on_behalf_requestors_to_remove_access,
                    r.bool("enableOnBehalfRequestorsToRemoveAccess"),
                );
                if r.has("onBehalfRequestors") {
                    q.on_behalf_requestors =
                        sets_in(Dialect::V1, r.items("onBehalfRequestors"), false);
                }
            }
            (Dialect::V1, None) => p.requestor = RequestorSettings::default(),
        }
    }
    if d == Dialect::V1 {
        if let Some(v) = body.str("allowedTargetScope") {
            p.target_scope = v
                .and_then(|s| TargetScope::parse_ignore_case(&s))
                .unwrap_or(TargetScope::NotSpecified);
        }
        if body.has("specificAllowedTargets") {
            p.specific_allowed_targets = sets_in(d, body.items("specificAllowedTargets"), false);
        }
        if let Some(e) = body.obj("expiration") {
            p.expiration = e.map(expiration_in).unwrap_or_default();
        }
        if let Some(r) = body.obj("reviewSettings") {
            p.review = r.map(|r| review_in(d, r));
        }
        if let Some(a) = body.obj("automaticRequestSettings") {
            p.automatic_request = a.map(|a| AutomaticRequestSettings {
                request_access_for_allowed_targets: a
                    .bool("requestAccessForAllowedTargets")
                    .flatten()
                    .unwrap_or(false),
                remove_access_when_target_leaves_allowed_targets: a
                    .bool("removeAccessWhenTargetLeavesAllowedTargets")
                    .flatten()
                    .unwrap_or(false),
                grace_period_before_access_removal: a
                    .dur("gracePeriodBeforeAccessRemoval")
                    .flatten(),
            });
        }
    }
    let notification_key = if d == Dialect::V1 {
        "notificationSettings"
    } else {
        "accessPackageNotificationSettings"
    };
    if let Some(n) = body.obj(notification_key) {
        p.notification = n.map(|n| NotificationSettings {
            is_assignment_notification_disabled: n
                .bool("isAssignmentNotificationDisabled")
                .flatten()
                .unwrap_or(false),
        });
    }
    if let Some(a) = body.obj("requestApprovalSettings") {
        p.approval = a.map(|a| approval_in(d, a));
    }
    if let Some(v) = body.raw("questions") {
        if let Value::Array(items) = v {
            for (i, item) in items.iter().enumerate() {
                check_as(d, "accessPackageQuestion", item, &format!("questions[{i}]"))?;
            }
        }
        p.questions = body
            .items("questions")
            .into_iter()
            .map(|q| question_in(d, q))
            .collect();
    }
    if let Some(v) = body.raw("customExtensionStageSettings") {
        if let Value::Array(items) = v {
            for (i, item) in items.iter().enumerate() {
                let mut item = item.clone();
                if let Some(o) = item.as_object_mut() {
                    o.remove("customExtension");
                }
                check_as(
                    d,
                    "customExtensionStageSetting",
                    &item,
                    &format!("customExtensionStageSettings[{i}]"),
                )?;
            }
        }
        p.custom_extension_stage_settings = body
            .items("customExtensionStageSettings")
            .into_iter()
            .map(stage_setting_in)
            .collect();
    }
    if d == Dialect::Beta
        && let Some(v) = body.raw("verifiableCredentialSettings")
    {
        p.verifiable_credential_settings = (!v.is_null()).then(|| v.clone());
    }
    Ok(())
}

pub fn policy_out(d: Dialect, p: &Policy, echo: &Echo) -> serde_json::Map<String, Value> {
    let a = &p.audit;
    let approval = p
        .approval
        .as_ref()
        .map_or(Value::Null, |x| approval_out(d, x));
    let questions = Value::Array(p.questions.iter().map(|q| question_out(d, q)).collect());
    let stage_settings = Value::Array(
        p.custom_extension_stage_settings
            .iter()
            .map(stage_setting_out)
            .collect(),
    );
    match d {
        Dialect::V1 => {
            let q = &p.requestor;
            let mut requestor = Out::default()
                .put(
                    "enableTargetsToSelfAddAccess",
                    q.enable_targets_to_self_add_access,
                )
                .put(
                    "enableTargetsToSelfUpdateAccess",
                    q.enable_targets_to_self_update_access,
                )
                .put(
                    "enableTargetsToSelfRemoveAccess",
                    q.enable_targets_to_self_remove_access,
                )
                .put(
                    "allowCustomAssignmentSchedule",
                    q.allow_custom_assignment_schedule,
                )
                .put(
                    "enableOnBehalfRequestorsToAddAccess",
                    q.enable_on_behalf_requestors_to_add_access,
                )
                .put(
                    "enableOnBehalfRequestorsToUpdateAccess",
                    q.enable_on_behalf_requestors_to_update_access,
                )
                .put(
                    "enableOnBehalfRequestorsToRemoveAccess",
                    q.enable_on_behalf_requestors_to_remove_access,
                )
                .put(
                    "onBehalfRequestors",
                    sets_out(d, &q.on_behalf_requestors, None),
                );
            if let Value::Object(legacy) = beta_requestor_out(p) {
                for k in &echo.requestor {
                    if let Some(v) = legacy.get(*k) {
                        requestor = requestor.put(k, v.clone());
                    }
                }
            }
            let mut o = Out::typed("accessPackageAssignmentPolicy")
                .put("id", p.id.clone())
                .opt("displayName", p.display_name.clone())
                .opt("description", p.description.clone())
                .put("allowedTargetScope", scope_to_v1(p.target_scope))
                .put("specificAllowedTargets", sets_out(d, &p.specific_allowed_targets, None))
                .put(
                    "automaticRequestSettings",
                    p.automatic_request.as_ref().map_or(Value::Null, |x| {
                        Out::default()
                            .put("requestAccessForAllowedTargets", x.request_access_for_allowed_targets)
                            .put("removeAccessWhenTargetLeavesAllowedTargets", x.remove_access_when_target_leaves_allowed_targets)
                            .dur("gracePeriodBeforeAccessRemoval", x.grace_period_before_access_removal.as_ref())
                            .value()
                    }),
                )
                .put("expiration", expiration_out(&p.expiration))
                .put("requestorSettings", requestor.value())
                .put("requestApprovalSettings", approval)
                .put("reviewSettings", p.review.as_ref().map_or(Value::Null, |r| review_out(d, r)))
                .put(
                    "notificationSettings",
                    p.notification.as_ref().map_or(Value::Null, |n| {
                        json!({"isAssignmentNotificationDisabled": n.is_assignment_notification_disabled})
                    }),
                )
                .ts("createdDateTime", Some(&a.created_date_time))
                .ts("modifiedDateTime", Some(&a.modified_date_time))
                .put("questions", questions)
                .put("customExtensionStageSettings", stage_settings);
            for k in &echo.top {
                o = match *k {
                    "accessPackageId" => o.put("accessPackageId", p.access_package_id.clone()),
                    "accessReviewSettings" => o.put(
                        "accessReviewSettings",
                        p.review
                            .as_ref()
                            .map_or(Value::Null, |r| review_out(Dialect::Beta, r)),
                    ),
                    "canExtend" => o.put(
                        "canExtend",
                        p.requestor.enable_targets_to_self_update_access,
                    ),
                    "durationInDays" => o.put(
                        "durationInDays",
                        p.expiration.duration.map_or(0, |x| x.whole_days()),
                    ),
                    "expirationDateTime" => {
                        o.ts("expirationDateTime", p.expiration.end_date_time.as_ref())
                    }
                    _ => o,
                };
            }
            o.done()
        }
        Dialect::Beta => {
            let mut o = Out::typed("accessPackageAssignmentPolicy")
                .put("id", p.id.clone())
                .put("accessPackageId", p.access_package_id.clone())
                .opt("displayName", p.display_name.clone())
                .opt("description", p.description.clone())
                .put(
                    "canExtend",
                    p.requestor.enable_targets_to_self_update_access,
                )
                .put(
                    "durationInDays",
                    p.expiration.duration.map_or(0, |x| x.whole_days()),
                )
                .ts("expirationDateTime", p.expiration.end_date_time.as_ref())
                .opt("createdBy", a.created_by.clone())
                .ts("createdDateTime", Some(&a.created_date_time))
                .opt("modifiedBy", a.modified_by.clone())
                .ts("modifiedDateTime", Some(&a.modified_date_time))
                .put("requestorSettings", beta_requestor_out(p))
                .put("requestApprovalSettings", approval)
                .put(
                    "accessReviewSettings",
                    p.review.as_ref().map_or(Value::Null, |r| review_out(d, r)),
                )
                .put("questions", questions)
                .put("customExtensionStageSettings", stage_settings);
            if let Some(n) = &p.notification {
                o = o.put("accessPackageNotificationSettings", json!({"isAssignmentNotificationDisabled": n.is_assignment_notification_disabled}));
            }
            if let Some(v) = &p.verifiable_credential_settings {
                o = o.put("verifiableCredentialSettings", v.clone());
            }
            o.done()
        }
    }
}

/// One `accessPackageAssignmentRequestRequirements` for a policy the caller may request through.
pub fn requirements_out(d: Dialect, p: &Policy) -> Value {
    let approval = p.approval.clone().unwrap_or_default();
    let questions = Value::Array(p.questions.iter().map(|q| question_out(d, q)).collect());
    let schedule = schedule_out(&Schedule {
        start_date_time: None,
        expiration: Some(p.expiration.clone()),
        recurrence: None,
    });
    let o = Out::default()
        .put("policyId", p.id.clone())
        .opt("policyDisplayName", p.display_name.clone())
        .opt("policyDescription", p.description.clone())
        .put(
            "isRequestorJustificationRequired",
            approval.is_requestor_justification_required,
        )
        .put("questions", questions)
        .put("schedule", schedule);
    match d {
        Dialect::V1 => o
            .put(
                "isApprovalRequiredForAdd",
                approval.is_approval_required_for_add,
            )
            .put(
                "isApprovalRequiredForUpdate",
                approval.is_approval_required_for_update,
            )
            .put(
                "allowCustomAssignmentSchedule",
                p.requestor.allow_custom_assignment_schedule,
            )
            .value(),
        Dialect::Beta => o
            .put("isApprovalRequired", approval.is_approval_required_for_add)
            .put(
                "isApprovalRequiredForExtension",
                approval.is_approval_required_for_update,
            )
            .put(
                "isCustomAssignmentScheduleAllowed",
                p.requestor.allow_custom_assignment_schedule,
            )
            .put("existingAnswers", Value::Array(vec![]))
            .value(),
    }
}
