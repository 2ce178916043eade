//! Assignment requests: submission (checked against the policy the way the real service
//! checks it), cancel, reprocess and delete. What happens next (approval, a future start,
//! delivery, expiry) is the lifecycle's (`crate::lifecycle`).

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Link, Tx, TxExt};
use accessd_domain::*;
use serde_json::Value;

use crate::assignments::{check_chain, existing_active};
use crate::audit::{self, Change};
use crate::authz::{Obj, Op, Res};
use crate::lifecycle::grant::{self, schedule_expiry};
use crate::lifecycle::{AssignmentEvent, RequestEvent, assignment_to, impossible, request_to};
use crate::{Engine, Error, Result, actor};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestDraft {
    pub request_type: Option<RequestType>,
    pub access_package_id: Option<String>,
    pub policy_id: Option<String>,
    /// A subject id or a directory object id.
    pub target_id: Option<String>,
    /// A target known only by e-mail (`target.email`): someone from outside, invited as a
    /// guest when the assignment is delivered.
    pub target_email: Option<String>,
    pub assignment_id: Option<String>,
    pub schedule: Option<Schedule>,
    pub justification: Option<String>,
    pub answers: Vec<Value>,
    pub is_validation_only: bool,
}

/// Requests an administrator makes (for someone else), as opposed to a requestor's own.
fn is_admin_type(t: RequestType) -> bool {
    matches!(
        t,
        RequestType::AdminAdd
            | RequestType::AdminUpdate
            | RequestType::AdminRemove
            | RequestType::AdminExtend
    )
}

/// Requests that change an existing assignment's schedule.
pub(crate) fn is_update_type(t: RequestType) -> bool {
    matches!(
        t,
        RequestType::AdminUpdate
            | RequestType::AdminExtend
            | RequestType::UserUpdate
            | RequestType::UserExtend
    )
}

fn required<'a>(v: &'a Option<String>, property: &str) -> Result<&'a str> {
    v.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
        Error::invalid(
            property,
            format!("The property '{property}' is required for this request type."),
        )
    })
}

async fn load_assignment(tx: &mut dyn Tx, id: &str) -> Result<Assignment> {
    tx.load::<Assignment>(id)
        .await?
        .ok_or_else(|| Error::ref_not_found("assignment", "assignment.id", id))
}

fn refused(code: &'static str, message: impl Into<String>) -> Error {
    Error::refused(code, message)
}

/// Separation of duties: a target who holds an access package this one declares incompatible,
/// or is a member of an incompatible group, may not get it (not by request, not by an
/// administrator).
pub(crate) async fn incompatible(
    tx: &mut dyn Tx,
    package: &str,
    target: Option<&str>,
) -> Result<()> {
    let Some(target) = target else {
        return Ok(());
    };
    for other in tx.linked(Link::IncompatiblePackage, package).await? {
        if let Some(a) = existing_active_for(tx, &other, target).await? {
            return Err(refused(
                "IncompatibleAccessPackage",
                format!(
                    "The target already holds access package '{other}' (assignment '{}'), which this access package is incompatible with.",
                    a.id
                ),
            ));
        }
    }
    for g in tx.linked(Link::IncompatibleGroup, package).await? {
        if tx
            .linked(Link::GroupMember, &g)
            .await?
            .iter()
            .any(|m| m == target)
        {
            return Err(refused(
                "IncompatibleGroup",
                format!(
                    "The target is a member of group '{g}', which this access package is incompatible with."
                ),
            ));
        }
    }
    Ok(())
}

/// A not-expired assignment of `package` to the directory object `target`, through any policy.
async fn existing_active_for(
    tx: &mut dyn Tx,
    package: &str,
    target: &str,
) -> Result<Option<Assignment>> {
    let q = Query {
        limit: Some(1),
        ..Query::filtered(Expr::and(vec![
            crate::catalogs::active_assignments("access_package_id", package),
            Expr::col_eq("target_object_id", target),
        ]))
    };
    Ok(tx.find::<Assignment>(&q).await?.into_iter().next())
}

/// A request for the same target and package that is still open.
async fn open_request(
    tx: &mut dyn Tx,
    package: &str,
    target: &Subject,
) -> Result<Option<AssignmentRequest>> {
    // The target's requests (index-backed by its object id), else the package's.
    let q = match target.object_id.as_deref() {
        Some(oid) => Query::filtered(Expr::and(vec![
            Expr::col_eq("target_object_id", oid),
            Expr::col_eq("access_package_id", package),
        ])),
        None => Query::filtered(Expr::col_eq("access_package_id", package)),
    };
    Ok(tx
        .find::<AssignmentRequest>(&q)
        .await?
        .into_iter()
        .find(|r| {
            r.target_id.as_deref() == Some(target.id.as_str())
                && crate::lifecycle::is_open(r.state)
                && !is_update_type(r.request_type)
        }))
}

/// What the policy asks of a requestor: a justification, answers to the required questions,
/// and a schedule only where the policy lets requestors choose one, within its limits.
fn check_requestor_input(policy: &Policy, d: &RequestDraft, now: Timestamp) -> Result<()> {
    let wants_justification = policy
        .approval
        .as_ref()
        .is_some_and(|a| a.is_requestor_justification_required);
    if wants_justification
        && d.justification
            .as_deref()
            .is_none_or(|j| j.trim().is_empty())
    {
        return Err(Error::Invalid {
            code: "JustificationRequired",
            target: Some("justification".into()),
            message: "The policy requires a justification for this request.".into(),
        });
    }
    for q in policy.questions.iter().filter(|q| q.is_required) {
        let answered = d.answers.iter().any(|a| {
            a.pointer("/answeredQuestion/id").and_then(Value::as_str) == Some(q.id.as_str())
                && a.get("value")
                    .or_else(|| a.get("displayValue"))
                    .is_some_and(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
        });
        if !answered {
            return Err(Error::Invalid {
                code: "AnswerRequired",
                target: Some("answers".into()),
                message: format!(
                    "The question '{}' ({}) requires an answer.",
                    q.text.as_deref().unwrap_or(""),
                    q.id
                ),
            });
        }
    }
    if let Some(s) = &d.schedule
        && !s.is_empty()
    {
        if !policy.requestor.allow_custom_assignment_schedule {
            return Err(Error::Invalid {
                code: "CustomScheduleNotAllowed",
                target: Some("schedule".into()),
                message: "The policy does not let requestors choose a schedule.".into(),
            });
        }
        check_within_policy(policy, s, now)?;
    }
    Ok(())
}

/// A requested schedule must end no later than the policy allows.
fn check_within_policy(policy: &Policy, s: &Schedule, now: Timestamp) -> Result<()> {
    let start = s.start_date_time.unwrap_or(now);
    let limit = policy.expiration.end_from(start);
    let asked = s.expiration.as_ref().and_then(|e| e.end_from(start));
    let too_long = match (limit, asked, s.expiration.as_ref().and_then(|e| e.kind)) {
        (Some(_), _, Some(ExpirationType::NoExpiration)) => true,
        (Some(l), Some(a), _) => a > l,
        _ => false,
    };
    if too_long {
        return Err(Error::Invalid {
            code: "ScheduleExceedsPolicy",
            target: Some("schedule.expiration".into()),
            message: "The requested schedule ends later than the policy allows.".into(),
        });
    }
    Ok(())
}

impl Engine {
    /// Submits a request. It is checked against its policy, recorded, and carried on as far
    /// as it can go now: waiting for approval, scheduled for its start, or delivered.
    pub async fn submit_request(
        &self,
        p: &Principal,
        d: RequestDraft,
    ) -> Result<AssignmentRequest> {
        let kind = d.request_type.ok_or_else(|| {
            Error::invalid("requestType", "The property 'requestType' is required.")
        })?;
        let mut tx = self.begin().await?;
        let now = self.now();
        if !is_admin_type(kind) {
            self.authorize_in(&mut *tx, p, Op::Create, Res::Request, &Obj::default())
                .await?;
        }
        let by = actor(&mut *tx, p).await?;
        let requestor = crate::subjects::for_principal(&mut *tx, p).await?;
        let mut req = AssignmentRequest {
            id: new_id(),
            request_type: kind,
            state: RequestState::Submitted,
            status: "Accepted".into(),
            created_date_time: now,
            completed_date_time: None,
            expiration_date_time: None,
            schedule: d.schedule.clone().unwrap_or_default(),
            justification: d.justification.clone(),
            answers: d.answers.clone(),
            catalog_id: None,
            access_package_id: d.access_package_id.clone(),
            policy_id: d.policy_id.clone(),
            assignment_id: None,
            requestor_id: Some(requestor.id.clone()),
            requestor_object_id: requestor.object_id.clone(),
            target_id: None,
            target_object_id: None,
            is_validation_only: d.is_validation_only,
            created_by: Some(by),
            custom_extension_callout_instances: vec![],
        };
        let change = Change::of(&mut *tx, p).await?;
        let policy = match kind {
            RequestType::AdminAdd | RequestType::UserAdd => {
                self.check_add(&mut *tx, p, &mut req, &d).await?
            }
            RequestType::AdminRemove | RequestType::UserRemove | RequestType::ApproverRemove => {
                self.check_remove(&mut *tx, p, &mut req, &d).await?
            }
            RequestType::AdminUpdate
            | RequestType::AdminExtend
            | RequestType::UserUpdate
            | RequestType::UserExtend => self.check_update(&mut *tx, p, &mut req, &d).await?,
            other => {
                return Err(Error::invalid(
                    "requestType",
                    format!("The request type '{other}' cannot be submitted by a caller."),
                ));
            }
        };
        if d.is_validation_only {
            return Ok(req);
        }
        tx.create(&req).await?;
        audit::request_changed(&mut *tx, &change, &req, &req, now).await?;
        let stage = CustomExtensionStage::AssignmentRequestCreated;
        if !self
            .call_out(&mut *tx, stage, &mut req, None, &policy)
            .await?
        {
            self.carry_on(&mut *tx, &mut req, &policy, &change).await?;
        }
        tx.save(&req).await?;
        tx.commit().await?;
        Ok(req)
    }

    /// Takes a recorded request as far as it goes now.
    pub(crate) async fn carry_on(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        policy: &Policy,
        by: &Change,
    ) -> Result<()> {
        let approval = policy.approval.as_ref().filter(|a| !a.stages.is_empty());
        let needs_approval = match req.request_type {
            RequestType::UserAdd => approval.is_some_and(|a| a.is_approval_required_for_add),
            RequestType::UserUpdate | RequestType::UserExtend => {
                approval.is_some_and(|a| a.is_approval_required_for_update)
            }
            _ => false,
        };
        match req.request_type {
            _ if needs_approval => self.start_approval(tx, req, policy, by).await,
            RequestType::AdminAdd | RequestType::UserAdd => self.grant(tx, req, policy, by).await,
            t if is_update_type(t) => self.apply_update(tx, req, policy, by).await,
            _ => self.apply_remove(tx, req, by).await,
        }
    }

    /// The one policy of `package` through which `target` may ask for it.
    async fn only_policy(&self, tx: &mut dyn Tx, package: &str, target: &str) -> Result<String> {
        let mut policies = crate::eligibility::applicable_policies(tx, package, target).await?;
        match policies.len() {
            1 => Ok(policies.remove(0).id),
            0 => Err(refused(
                "RequestorNotAllowed",
                "The caller is not an allowed requestor of this access package through any of its policies.",
            )),
            n => Err(Error::invalid(
                "assignmentPolicyId",
                format!(
                    "{n} policies of this access package let the caller ask for it; name one in 'assignmentPolicyId'."
                ),
            )),
        }
    }

    async fn check_add(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        req: &mut AssignmentRequest,
        d: &RequestDraft,
    ) -> Result<Policy> {
        let user = req.request_type == RequestType::UserAdd;
        let target = if user {
            p.object_id.clone()
        } else if let (None, Some(email)) = (&d.target_id, &d.target_email) {
            crate::subjects::for_email(tx, email).await?.id
        } else {
            required(&d.target_id, "targetId")?.to_string()
        };
        let package = required(&d.access_package_id, "accessPackageId")?.to_string();
        let policy = match (&d.policy_id, user) {
            (Some(policy), _) => policy.clone(),
            // A requestor may leave the policy out: the one that lets them ask is used.
            (None, true) => self.only_policy(tx, &package, &target).await?,
            (None, false) => required(&d.policy_id, "assignmentPolicyId")?.to_string(),
        };
        let chain = check_chain(tx, None, &package, &policy, &target).await?;
        if !user {
            let obj = Obj::in_catalog(&package, &chain.catalog.id);
            self.authorize_in(tx, p, Op::Create, Res::AdminRequest, &obj)
                .await?;
        }
        if user
            && !crate::eligibility::is_allowed_requestor(tx, &chain.policy, &p.object_id).await?
        {
            return Err(refused(
                "RequestorNotAllowed",
                "The caller is not an allowed requestor of this access package through this policy.",
            ));
        }
        // One assignment per target, package and policy (as direct assignments have it).
        let existing = existing_active(tx, &package, Some(&policy), &chain.subject.id).await?;
        if let Some(a) = existing {
            return Err(refused(
                "ExistingAssignment",
                format!(
                    "The target already has assignment '{}' for this access package; extend it or remove it instead.",
                    a.id
                ),
            ));
        }
        if let Some(r) = open_request(tx, &package, &chain.subject).await? {
            return Err(refused(
                "ExistingOpenRequest",
                format!(
                    "The target already has request '{}' for this access package, still {}.",
                    r.id, r.state
                ),
            ));
        }
        incompatible(tx, &package, chain.subject.object_id.as_deref()).await?;
        if user {
            check_requestor_input(&chain.policy, d, self.now())?;
        }
        req.catalog_id = Some(chain.catalog.id.clone());
        req.target_id = Some(chain.subject.id.clone());
        req.target_object_id = chain.subject.object_id.clone();
        Ok(chain.policy)
    }

    async fn check_remove(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        req: &mut AssignmentRequest,
        d: &RequestDraft,
    ) -> Result<Policy> {
        let id = required(&d.assignment_id, "assignment.id")?.to_string();
        let a = load_assignment(tx, &id).await?;
        let policy = self.policy_of(tx, &a).await?;
        if is_admin_type(req.request_type) {
            let obj = Obj::in_catalog(&id, &a.catalog_id);
            self.authorize_in(tx, p, Op::Create, Res::AdminRequest, &obj)
                .await?;
        } else if a.target_object_id.as_deref() != Some(p.object_id.as_str()) {
            return Err(refused(
                "RequestorNotAllowed",
                "Only the target of an assignment can remove it with userRemove.",
            ));
        } else if req.request_type == RequestType::UserRemove
            && !policy.requestor.enable_targets_to_self_remove_access
        {
            return Err(refused(
                "RequestorNotAllowed",
                "The policy does not let targets remove their own assignments.",
            ));
        }
        if a.state == AssignmentState::Expired {
            return Err(refused(
                "AssignmentAlreadyRemoved",
                format!("The assignment '{id}' has already expired or been removed."),
            ));
        }
        fill_from(req, &a);
        Ok(policy)
    }

    async fn check_update(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        req: &mut AssignmentRequest,
        d: &RequestDraft,
    ) -> Result<Policy> {
        let id = required(&d.assignment_id, "assignment.id")?.to_string();
        let a = load_assignment(tx, &id).await?;
        let policy = self.policy_of(tx, &a).await?;
        if is_admin_type(req.request_type) {
            let obj = Obj::in_catalog(&id, &a.catalog_id);
            self.authorize_in(tx, p, Op::Create, Res::AdminRequest, &obj)
                .await?;
        } else {
            if a.target_object_id.as_deref() != Some(p.object_id.as_str()) {
                return Err(refused(
                    "RequestorNotAllowed",
                    "Only the target of an assignment can extend it.",
                ));
            }
            if !policy.requestor.enable_targets_to_self_update_access {
                return Err(refused(
                    "RequestorNotAllowed",
                    "The policy does not allow targets to extend their assignments.",
                ));
            }
            // A requestor must still be in the policy's scope to extend.
            if !crate::eligibility::in_scope(tx, &policy, &p.object_id).await? {
                return Err(refused(
                    "RequestorNotAllowed",
                    "The caller is no longer in the scope of the assignment's policy.",
                ));
            }
            check_requestor_input(&policy, d, self.now())?;
        }
        if a.state == AssignmentState::Expired {
            return Err(refused(
                "AssignmentAlreadyRemoved",
                format!("The assignment '{id}' has already expired or been removed."),
            ));
        }
        fill_from(req, &a);
        Ok(policy)
    }

    async fn policy_of(&self, tx: &mut dyn Tx, a: &Assignment) -> Result<Policy> {
        tx.load::<Policy>(&a.policy_id).await?.ok_or_else(|| {
            Error::ref_not_found("assignment policy", "assignmentPolicyId", &a.policy_id)
        })
    }

    /// An update or extension (approved, or needing no approval): the assignment gets the
    /// requested schedule, or the policy's expiration counted from now.
    pub(crate) async fn apply_update(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        policy: &Policy,
        by: &Change,
    ) -> Result<()> {
        let now = self.now();
        let before = req.clone();
        request_to(req, RequestEvent::Deliver, impossible("delivered"))?;
        let id = req.assignment_id.clone().unwrap_or_default();
        let mut a = load_assignment(tx, &id).await?;
        a.schedule = if req.schedule.is_empty() {
            Schedule {
                start_date_time: a.schedule.start_date_time.or(Some(now)),
                expiration: policy
                    .expiration
                    .end_from(now)
                    .map(|end| ExpirationPattern {
                        kind: Some(ExpirationType::AfterDateTime),
                        duration: None,
                        end_date_time: Some(end),
                    })
                    .or_else(|| Some(policy.expiration.clone())),
                recurrence: a.schedule.recurrence.clone(),
            }
        } else {
            let mut s = req.schedule.clone();
            if s.start_date_time.is_none() {
                s.start_date_time = a.schedule.start_date_time;
            }
            s
        };
        a.is_extended = true;
        a.modified_date_time = now;
        if a.status.starts_with("NearExpiry") {
            a.status = a.state.pascal();
        }
        tx.save(&a).await?;
        schedule_expiry(tx, &a, now).await?;
        req.schedule = a.schedule.clone();
        request_to(req, RequestEvent::Delivered, impossible("delivered"))?;
        req.completed_date_time = Some(now);
        audit::request_changed(tx, by, &before, req, now).await?;
        Ok(())
    }

    /// A removal: the assignment goes, with what it delivered.
    async fn apply_remove(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        by: &Change,
    ) -> Result<()> {
        let now = self.now();
        let before = req.clone();
        request_to(req, RequestEvent::Deliver, impossible("delivered"))?;
        let id = req.assignment_id.clone().unwrap_or_default();
        let mut a = load_assignment(tx, &id).await?;
        let was = a.clone();
        grant::remove(tx, &mut a, AssignmentEvent::Remove, now).await?;
        audit::assignment_removed(tx, by, &was, &a, now).await?;
        request_to(req, RequestEvent::Delivered, impossible("delivered"))?;
        req.completed_date_time = Some(now);
        audit::request_changed(tx, by, &before, req, now).await?;
        if let Some(policy) = tx.load::<Policy>(&a.policy_id).await? {
            let stage = CustomExtensionStage::AssignmentRequestRemoved;
            self.call_out(tx, stage, req, Some(&a), &policy).await?;
            tx.save(&a).await?;
        }
        Ok(())
    }

    /// `cancel`: a request not carried out yet (submitted, waiting for approval, scheduled) is
    /// canceled; its approval stops asking.
    pub async fn cancel_request(&self, p: &Principal, id: &str) -> Result<AssignmentRequest> {
        let mut tx = self.begin().await?;
        let mut req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        let obj = request_obj(&req);
        let checked = self
            .check_in(&mut *tx, p, Op::Cancel, Res::Request, &obj)
            .await?
            .own(crate::authz::own::request(&req, &p.object_id));
        if let Err(e) = checked {
            // Its approvers may read it, so they are refused rather than told it does not exist.
            let approver = tx
                .load::<Approval>(id)
                .await?
                .is_some_and(|a| a.stages.iter().any(|s| s.assigned_to(&p.object_id)));
            return Err(crate::authz::seen(e, approver));
        }
        let before = req.clone();
        request_to(&mut req, RequestEvent::Cancel, |s| {
            refused(
                "RequestNotCancelable",
                format!("The request '{id}' is {s} and can no longer be canceled."),
            )
        })?;
        let now = self.now();
        req.completed_date_time = Some(now);
        if let Some(mut ap) = tx.load::<Approval>(id).await? {
            self.close_approval(&mut *tx, &mut ap, StageStatus::Canceled)
                .await?;
        }
        crate::lifecycle::due::unschedule(&mut *tx, id, &[]).await?;
        // A scheduled request's assignment, made but not delivered yet, goes with it.
        if before.state == RequestState::Scheduled
            && let Some(aid) = req.assignment_id.clone()
            && let Some(mut a) = tx.load::<Assignment>(&aid).await?
        {
            grant::remove(&mut *tx, &mut a, AssignmentEvent::Remove, now).await?;
        }
        tx.save(&req).await?;
        let by = Change::of(&mut *tx, p).await?;
        audit::request_changed(&mut *tx, &by, &before, &req, now).await?;
        tx.commit().await?;
        Ok(req)
    }

    /// `reprocess` of a request: only one that failed (fully or partly), within 14 days of
    /// completing, is delivered again.
    pub async fn reprocess_request(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = self.now();
        let mut req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        self.authorize_in(&mut *tx, p, Op::Reprocess, Res::Request, &request_obj(&req))
            .await?;
        let recent = req
            .completed_date_time
            .is_none_or(|c| c.add(Duration::days(14)) >= now);
        let reprocessable = matches!(
            req.state,
            RequestState::DeliveryFailed | RequestState::PartiallyDelivered
        );
        if !reprocessable || !recent {
            return Err(refused(
                "RequestNotReprocessable",
                format!(
                    "Only requests that failed delivery in the last 14 days can be reprocessed; '{id}' is {}.",
                    req.state
                ),
            ));
        }
        let before = req.clone();
        request_to(&mut req, RequestEvent::Reprocess, impossible("reprocessed"))?;
        if let Some(aid) = req.assignment_id.clone()
            && let Some(mut a) = tx.load::<Assignment>(&aid).await?
        {
            self.redeliver(&mut *tx, &mut a).await?;
            let event = match a.state {
                AssignmentState::DeliveryFailed => RequestEvent::DeliveryFailed,
                AssignmentState::PartiallyDelivered => RequestEvent::PartiallyDelivered,
                _ => RequestEvent::Delivered,
            };
            request_to(&mut req, event, impossible("delivered"))?;
        } else {
            request_to(
                &mut req,
                RequestEvent::DeliveryFailed,
                impossible("delivered"),
            )?;
        }
        req.completed_date_time = Some(now);
        tx.save(&req).await?;
        let by = Change::of(&mut *tx, p).await?;
        audit::request_changed(&mut *tx, &by, &before, &req, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Delivers again what an assignment should grant (a role removed by hand comes back).
    async fn redeliver(&self, tx: &mut dyn Tx, a: &mut Assignment) -> Result<()> {
        let now = self.now();
        if !assignment_to(a, AssignmentEvent::Reprocess) {
            return Ok(());
        }
        grant::deliver(tx, a, now).await?;
        tx.save(a).await?;
        Ok(())
    }

    /// `reprocess` of an assignment: what it should grant is granted again.
    pub async fn reprocess_assignment(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut a = tx
            .load::<Assignment>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment", id))?;
        let obj = Obj::in_catalog(id, &a.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Reprocess, Res::Assignment, &obj)
            .await?;
        self.redeliver(&mut *tx, &mut a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a request record (Graph allows deleting requests that are finished).
    pub async fn delete_request(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        self.authorize_in(&mut *tx, p, Op::Delete, Res::Request, &request_obj(&req))
            .await?;
        if crate::lifecycle::is_open(req.state) {
            return Err(refused(
                "RequestNotDeletable",
                format!(
                    "The request '{id}' is still {}; cancel it first.",
                    req.state
                ),
            ));
        }
        tx.delete(Kind::AssignmentRequest, id).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn fill_from(req: &mut AssignmentRequest, a: &Assignment) {
    req.catalog_id = Some(a.catalog_id.clone());
    req.access_package_id = Some(a.access_package_id.clone());
    req.policy_id = Some(a.policy_id.clone());
    req.assignment_id = Some(a.id.clone());
    req.target_id = Some(a.target_id.clone());
    req.target_object_id = a.target_object_id.clone();
}

/// The table's view of a request.
pub(crate) fn request_obj(r: &AssignmentRequest) -> Obj {
    Obj {
        catalog_id: r.catalog_id.clone(),
        id: r.id.clone(),
    }
}
