//! Assignment requests. Admin requests and requests that need no approval are carried out at
//! once, in the transaction that records them; a request that needs approval waits in
//! `pendingApproval` (approvals and the lifecycle worker come with the lifecycle engine).

use accessd_domain::store::{Tx, TxExt};
use accessd_domain::{
    Assignment, AssignmentRequest, AssignmentState, Policy, Principal, RequestState, RequestType,
    Schedule, Timestamp, new_id,
};
use serde_json::Value;

use crate::assignments::{check_chain, default_status, existing_active};
use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result, actor, delivery};

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

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestDraft {
    pub request_type: Option<RequestType>,
    pub access_package_id: Option<String>,
    pub policy_id: Option<String>,
    /// A subject id or a directory object id.
    pub target_id: Option<String>,
    pub assignment_id: Option<String>,
    pub schedule: Option<Schedule>,
    pub justification: Option<String>,
    pub answers: Vec<Value>,
    pub is_validation_only: bool,
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

/// The schedule a new assignment gets: what was asked for, completed by the policy.
fn schedule_for(asked: Option<&Schedule>, policy: &Policy, now: Timestamp) -> Schedule {
    let mut s = asked.cloned().unwrap_or_default();
    if s.start_date_time.is_none() {
        s.start_date_time = Some(now);
    }
    if s.expiration.is_none() {
        s.expiration = Some(policy.expiration.clone());
    }
    s
}

impl Engine {
    /// Submits a request and, where no approval is needed, carries it out.
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
        match kind {
            RequestType::AdminAdd | RequestType::UserAdd => {
                let target = if kind == RequestType::UserAdd {
                    p.object_id.clone()
                } else {
                    required(&d.target_id, "targetId")?.to_string()
                };
                let policy = required(&d.policy_id, "assignmentPolicyId")?.to_string();
                let package = required(&d.access_package_id, "accessPackageId")?.to_string();
                let chain = check_chain(&mut *tx, None, &package, &policy, &target).await?;
                if is_admin_type(kind) {
                    let obj = Obj::in_catalog(&package, &chain.catalog.id);
                    self.authorize_in(&mut *tx, p, Op::Create, Res::AdminRequest, &obj)
                        .await?;
                }
                if kind == RequestType::UserAdd
                    && !crate::eligibility::is_allowed_requestor(
                        &mut *tx,
                        &chain.policy,
                        &p.object_id,
                    )
                    .await?
                {
                    return Err(Error::refused(
                        "RequestorNotAllowed",
                        "The caller is not an allowed requestor of this access package through this policy.",
                    ));
                }
                if let Some(a) =
                    existing_active(&mut *tx, &package, Some(&policy), &chain.subject.id).await?
                {
                    return Err(Error::refused(
                        "ExistingAssignment",
                        format!(
                            "The target already has assignment '{}' for this access package through this policy.",
                            a.id
                        ),
                    ));
                }
                req.catalog_id = Some(chain.catalog.id.clone());
                req.target_id = Some(chain.subject.id.clone());
                req.target_object_id = chain.subject.object_id.clone();
                let needs_approval =
                    kind == RequestType::UserAdd
                        && chain.policy.approval.as_ref().is_some_and(|a| {
                            a.is_approval_required_for_add && !a.stages.is_empty()
                        });
                if d.is_validation_only {
                    return Ok(req);
                }
                if needs_approval {
                    req.state = RequestState::PendingApproval;
                    req.status = "PendingApproval".into();
                } else {
                    let schedule = schedule_for(d.schedule.as_ref(), &chain.policy, now);
                    let a = Assignment {
                        id: new_id(),
                        catalog_id: chain.catalog.id,
                        access_package_id: chain.package.id,
                        policy_id: chain.policy.id,
                        target_id: chain.subject.id.clone(),
                        target_object_id: chain.subject.object_id.clone(),
                        state: AssignmentState::Delivered,
                        status: default_status(AssignmentState::Delivered),
                        is_extended: false,
                        expired_date_time: None,
                        schedule: schedule.clone(),
                        custom_extension_callout_instances: vec![],
                        created_date_time: now,
                        modified_date_time: now,
                    };
                    tx.create(&a).await?;
                    delivery::deliver(&mut *tx, &a, now).await?;
                    req.schedule = schedule;
                    req.assignment_id = Some(a.id);
                    req.state = RequestState::Delivered;
                    req.status = "Delivered".into();
                    req.completed_date_time = Some(now);
                }
            }
            RequestType::AdminRemove | RequestType::UserRemove | RequestType::ApproverRemove => {
                let id = required(&d.assignment_id, "assignment.id")?.to_string();
                let mut a = load_assignment(&mut *tx, &id).await?;
                if is_admin_type(kind) {
                    let obj = Obj::in_catalog(&id, &a.catalog_id);
                    self.authorize_in(&mut *tx, p, Op::Create, Res::AdminRequest, &obj)
                        .await?;
                }
                if kind == RequestType::UserRemove
                    && a.target_object_id.as_deref() != Some(p.object_id.as_str())
                {
                    return Err(Error::refused(
                        "RequestorNotAllowed",
                        "Only the target of an assignment can remove it with userRemove.",
                    ));
                }
                if a.state == AssignmentState::Expired {
                    return Err(Error::refused(
                        "AssignmentAlreadyRemoved",
                        format!("The assignment '{id}' has already expired or been removed."),
                    ));
                }
                fill_from(&mut req, &a);
                if d.is_validation_only {
                    return Ok(req);
                }
                delivery::undeliver(&mut *tx, &a, None).await?;
                a.state = AssignmentState::Expired;
                a.status = default_status(AssignmentState::Expired);
                a.expired_date_time = Some(now);
                a.modified_date_time = now;
                tx.save(&a).await?;
                req.state = RequestState::Delivered;
                req.status = "Delivered".into();
                req.completed_date_time = Some(now);
            }
            RequestType::AdminUpdate
            | RequestType::AdminExtend
            | RequestType::UserUpdate
            | RequestType::UserExtend => {
                let id = required(&d.assignment_id, "assignment.id")?.to_string();
                let mut a = load_assignment(&mut *tx, &id).await?;
                if is_admin_type(kind) {
                    let obj = Obj::in_catalog(&id, &a.catalog_id);
                    self.authorize_in(&mut *tx, p, Op::Create, Res::AdminRequest, &obj)
                        .await?;
                }
                let user = matches!(kind, RequestType::UserUpdate | RequestType::UserExtend);
                if user {
                    if a.target_object_id.as_deref() != Some(p.object_id.as_str()) {
                        return Err(Error::refused(
                            "RequestorNotAllowed",
                            "Only the target of an assignment can extend it.",
                        ));
                    }
                    let policy = tx.load::<Policy>(&a.policy_id).await?;
                    if !policy.is_some_and(|p| p.requestor.enable_targets_to_self_update_access) {
                        return Err(Error::refused(
                            "RequestorNotAllowed",
                            "The policy does not allow targets to extend their assignments.",
                        ));
                    }
                }
                fill_from(&mut req, &a);
                if d.is_validation_only {
                    return Ok(req);
                }
                if let Some(s) = &d.schedule {
                    a.schedule = s.clone();
                }
                a.is_extended = true;
                a.modified_date_time = now;
                tx.save(&a).await?;
                req.schedule = a.schedule.clone();
                req.state = RequestState::Delivered;
                req.status = "Delivered".into();
                req.completed_date_time = Some(now);
            }
            other => {
                return Err(Error::invalid(
                    "requestType",
                    format!("The request type '{other}' cannot be submitted by a caller."),
                ));
            }
        }
        tx.create(&req).await?;
        tx.commit().await?;
        Ok(req)
    }

    /// `cancel`: only a request that has not been carried out yet can be canceled.
    pub async fn cancel_request(&self, p: &Principal, id: &str) -> Result<AssignmentRequest> {
        let mut tx = self.begin().await?;
        let mut req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        let obj = request_obj(&req);
        self.check_in(&mut *tx, p, Op::Cancel, Res::Request, &obj)
            .await?
            .own(crate::authz::own::request(&req, &p.object_id))?;
        if !matches!(
            req.state,
            RequestState::Submitted | RequestState::PendingApproval | RequestState::Scheduled
        ) {
            return Err(Error::refused(
                "RequestNotCancelable",
                format!(
                    "The request '{id}' is {} and can no longer be canceled.",
                    req.state
                ),
            ));
        }
        req.state = RequestState::Canceled;
        req.status = "Canceled".into();
        req.completed_date_time = Some(self.now());
        tx.save(&req).await?;
        tx.commit().await?;
        Ok(req)
    }

    /// `reprocess` of a request: only one that failed (fully or partly), within 14 days of
    /// completing, is delivered again.
    pub async fn reprocess_request(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = self.now();
        let req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        self.authorize_in(&mut *tx, p, Op::Reprocess, Res::Request, &request_obj(&req))
            .await?;
        let recent = req
            .completed_date_time
            .is_none_or(|c| c.add(accessd_domain::Duration::days(14)) >= now);
        if !matches!(
            req.state,
            RequestState::DeliveryFailed | RequestState::PartiallyDelivered
        ) || !recent
        {
            return Err(Error::refused(
                "RequestNotReprocessable",
                format!(
                    "Only requests that failed delivery in the last 14 days can be reprocessed; '{id}' is {}.",
                    req.state
                ),
            ));
        }
        if let Some(aid) = &req.assignment_id
            && let Some(a) = tx.load::<Assignment>(aid).await?
        {
            delivery::deliver(&mut *tx, &a, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `reprocess` of an assignment: what a delivered assignment grants is granted again.
    pub async fn reprocess_assignment(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let a = tx
            .load::<Assignment>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment", id))?;
        let obj = Obj::in_catalog(id, &a.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Reprocess, Res::Assignment, &obj)
            .await?;
        if a.state == AssignmentState::Delivered {
            delivery::deliver(&mut *tx, &a, self.now()).await?;
        }
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
        if matches!(
            req.state,
            RequestState::Submitted | RequestState::PendingApproval | RequestState::Delivering
        ) {
            return Err(Error::refused(
                "RequestNotDeletable",
                format!(
                    "The request '{id}' is still {}; cancel it first.",
                    req.state
                ),
            ));
        }
        tx.delete(accessd_domain::Kind::AssignmentRequest, id)
            .await?;
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
