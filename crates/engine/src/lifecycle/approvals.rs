//! Approvals: a request that its policy wants approved waits for one approver of each stage in
//! turn. A stage's approvers are resolved when it starts (single users, group members, the
//! requestor's manager at a level, the sponsors of the target's connected organization; the
//! fallback approvers when those are nobody); never the
//! requestor or the target themselves. A stage nobody decides is forwarded to its escalation
//! approvers after `durationBeforeEscalation` (when enabled) and denied after
//! `durationBeforeAutomaticDenial`.

use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::*;

use super::due::{schedule, unschedule};
use super::{RequestEvent, impossible, request_to};
use crate::audit::{self, Change};
use crate::authz::{Obj, Op, Res};
use crate::partners::{Sponsors, sponsors_of};
use crate::{Engine, Error, Result};

/// How long a stage waits before it is denied when the policy does not say.
const DEFAULT_TIMEOUT_DAYS: i64 = 14;

/// An approver's decision (`reviewResult` `Approve` or `Deny`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approve: bool,
    pub justification: Option<String>,
}

/// The users a policy's subject sets name for a request for `target` made by `requestor`.
pub async fn resolve(
    tx: &mut dyn Tx,
    sets: &[&SubjectSet],
    target: Option<&str>,
    requestor: Option<&str>,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in sets {
        match (s.kind, s.id.as_deref()) {
            (SubjectSetKind::SingleUser, Some(id)) => out.push(id.to_string()),
            (SubjectSetKind::GroupMembers, Some(g)) => {
                for m in tx.linked(Link::GroupMember, g).await? {
                    if tx.exists(Kind::User, &m).await? {
                        out.push(m);
                    }
                }
            }
            (SubjectSetKind::RequestorManager | SubjectSetKind::TargetManager, _) => {
                let who = if s.kind == SubjectSetKind::RequestorManager {
                    requestor.or(target)
                } else {
                    target
                };
                let mut cur = who.map(str::to_string);
                for _ in 0..s.manager_level.unwrap_or(1).clamp(1, 2) {
                    cur = match cur {
                        Some(u) => tx.load::<User>(&u).await?.and_then(|u| u.manager_id),
                        None => None,
                    };
                }
                if let Some(m) = cur {
                    out.push(m);
                }
            }
            (SubjectSetKind::InternalSponsors | SubjectSetKind::ExternalSponsors, _) => {
                let which = if s.kind == SubjectSetKind::InternalSponsors {
                    Sponsors::Internal
                } else {
                    Sponsors::External
                };
                if let Some(t) = target {
                    out.extend(sponsors_of(tx, t, which).await?);
                }
            }
            // A user's own sponsors (`targetUserSponsors`) are not modelled: they resolve to
            // nobody, and the fallback approvers take over.
            _ => {}
        }
    }
    out.retain(|u| Some(u.as_str()) != target && Some(u.as_str()) != requestor);
    out.sort();
    out.dedup();
    Ok(out)
}

/// The approval settings' stage `index` of a policy.
fn stage_policy(policy: &Policy, index: usize) -> Option<&ApprovalStage> {
    policy.approval.as_ref().and_then(|a| a.stages.get(index))
}

/// Resolves a set of approvers, or its fallback when it names nobody.
async fn with_fallback(tx: &mut dyn Tx, sets: &[SubjectSet], ap: &Approval) -> Result<Vec<String>> {
    let (main, backup): (Vec<&SubjectSet>, Vec<&SubjectSet>) =
        sets.iter().partition(|s| !s.is_backup);
    let target = ap.target_object_id.as_deref();
    let requestor = ap.requestor_object_id.as_deref();
    let found = resolve(tx, &main, target, requestor).await?;
    if !found.is_empty() {
        return Ok(found);
    }
    resolve(tx, &backup, target, requestor).await
}

impl Engine {
    /// Starts the approval of a request: its first stage waits for a decision.
    pub(crate) async fn start_approval(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        policy: &Policy,
        by: &Change,
    ) -> Result<()> {
        let now = self.now();
        let stages = policy
            .approval
            .as_ref()
            .map(|a| a.stages.clone())
            .unwrap_or_default();
        let mut ap = Approval {
            id: req.id.clone(),
            catalog_id: req.catalog_id.clone().unwrap_or_default(),
            policy_id: policy.id.clone(),
            target_object_id: req.target_object_id.clone(),
            requestor_object_id: req.requestor_object_id.clone(),
            stages: stages
                .iter()
                .enumerate()
                .map(|(index, st)| StageState {
                    id: new_id(),
                    index,
                    status: StageStatus::NotStarted,
                    review_result: ReviewResult::NotReviewed,
                    justification: None,
                    reviewed_by: None,
                    reviewed_date_time: None,
                    approvers: vec![],
                    escalation_approvers: vec![],
                    escalated: false,
                    is_approver_justification_required: st.is_approver_justification_required,
                    started_date_time: None,
                    deny_at: None,
                    escalate_at: None,
                })
                .collect(),
            pending: true,
            created_date_time: now,
        };
        self.start_stage(tx, &mut ap, 0, policy).await?;
        tx.create(&ap).await?;
        let before = req.clone();
        request_to(
            req,
            RequestEvent::AwaitApproval,
            impossible("sent for approval"),
        )?;
        audit::request_changed(tx, by, &before, req, now).await?;
        Ok(())
    }

    async fn start_stage(
        &self,
        tx: &mut dyn Tx,
        ap: &mut Approval,
        index: usize,
        policy: &Policy,
    ) -> Result<()> {
        let now = self.now();
        let st = stage_policy(policy, index).cloned().unwrap_or_default();
        let approvers = with_fallback(tx, &st.primary_approvers, ap).await?;
        let deny_at = now.add(
            st.duration_before_automatic_denial
                .filter(|d| d.whole_minutes() > 0)
                .unwrap_or(Duration::days(DEFAULT_TIMEOUT_DAYS)),
        );
        let escalate_at = st
            .is_escalation_enabled
            .then_some(st.duration_before_escalation)
            .flatten()
            .map(|d| now.add(d))
            .filter(|t| *t < deny_at);
        let id = ap.id.clone();
        let stage = ap
            .stages
            .get_mut(index)
            .ok_or_else(|| Error::refused("InvalidApproval", "The approval has no such stage."))?;
        stage.status = StageStatus::InProgress;
        stage.approvers = approvers.clone();
        stage.started_date_time = Some(now);
        stage.deny_at = Some(deny_at);
        stage.escalate_at = escalate_at;
        let stage_id = stage.id.clone();
        schedule(
            tx,
            WorkKind::ApprovalTimeout,
            &id,
            deny_at,
            Some(stage_id.clone()),
        )
        .await?;
        if let Some(at) = escalate_at {
            schedule(tx, WorkKind::ApprovalEscalation, &id, at, Some(stage_id)).await?;
        }
        for a in &approvers {
            tx.link(Link::Approver, &id, a).await?;
        }
        let package = Some(policy.access_package_id.as_str());
        crate::outbox::email(
            tx,
            "ApprovalRequired",
            crate::outbox::To::Users(&approvers),
            package,
            Some(&id),
            None,
            |n| format!("Action required: approve or deny a request for access to {n}"),
            now,
        )
        .await?;
        Ok(())
    }

    /// Ends whatever of an approval still waits: its open stage gets `status`, nobody is asked
    /// any more, its due work goes.
    pub(crate) async fn close_approval(
        &self,
        tx: &mut dyn Tx,
        ap: &mut Approval,
        status: StageStatus,
    ) -> Result<()> {
        for s in &mut ap.stages {
            if s.status == StageStatus::InProgress {
                s.status = status;
            }
        }
        ap.pending = false;
        tx.unlink_all(Link::Approver, &ap.id).await?;
        // `unlink_all` also matches the id as a `to`; approvals are only ever `from`.
        unschedule(
            tx,
            &ap.id,
            &[WorkKind::ApprovalEscalation, WorkKind::ApprovalTimeout],
        )
        .await?;
        tx.save(ap).await?;
        Ok(())
    }

    /// `PATCH .../accessPackageAssignmentApprovals/{id}/stages/{id}`: an approver approves or
    /// denies the stage waiting for them.
    pub async fn decide_approval(
        &self,
        p: &Principal,
        approval_id: &str,
        stage_id: &str,
        d: Decision,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = self.now();
        let mut ap = tx
            .load::<Approval>(approval_id)
            .await?
            .ok_or_else(|| Error::not_found("approval", approval_id))?;
        let stage = ap
            .stages
            .iter()
            .find(|s| s.id == stage_id)
            .cloned()
            .ok_or_else(|| Error::not_found("approval stage", stage_id))?;
        let me = p.object_id.clone();
        let obj = Obj::in_catalog(approval_id, &ap.catalog_id);
        let check = self
            .check_in(&mut *tx, p, Op::Decide, Res::Approval, &obj)
            .await?;
        if stage.status != StageStatus::InProgress {
            // Someone decided first (or it timed out): 409 for those who were asked.
            check.own(stage.assigned_to(&me) || p.is_system())?;
            return Err(Error::Conflict {
                code: "ApprovalStageAlreadyDecided",
                message: format!(
                    "The approval stage '{stage_id}' is no longer waiting for a decision ({}, {}).",
                    stage.status, stage.review_result
                ),
            });
        }
        check.own(stage.may_decide(&me) || p.is_system())?;
        let justification = d.justification.clone().filter(|j| !j.trim().is_empty());
        if stage.is_approver_justification_required && justification.is_none() {
            return Err(Error::invalid(
                "justification",
                "This approval stage requires the approver's justification.",
            ));
        }
        let mut req = tx
            .load::<AssignmentRequest>(approval_id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", approval_id))?;
        let policy = tx
            .load::<Policy>(&ap.policy_id)
            .await?
            .ok_or_else(|| Error::not_found("assignment policy", &ap.policy_id))?;
        let by = Change::of(&mut *tx, p).await?;
        let who = by.display_name();
        {
            let s = ap
                .current_mut()
                .ok_or_else(|| Error::not_found("approval stage", stage_id))?;
            s.status = StageStatus::Completed;
            s.review_result = if d.approve {
                ReviewResult::Approved
            } else {
                ReviewResult::Denied
            };
            s.justification = justification;
            s.reviewed_by = Some((me.clone(), who));
            s.reviewed_date_time = Some(now);
        }
        tx.unlink_all(Link::Approver, &ap.id).await?;
        unschedule(
            &mut *tx,
            &ap.id,
            &[WorkKind::ApprovalEscalation, WorkKind::ApprovalTimeout],
        )
        .await?;
        audit::approval_decided(&mut *tx, &by, &ap, stage.index, d.approve, now).await?;
        let next = stage.index + 1;
        if d.approve && next < ap.stages.len() {
            self.start_stage(&mut *tx, &mut ap, next, &policy).await?;
            tx.save(&ap).await?;
        } else {
            ap.pending = false;
            tx.save(&ap).await?;
            if d.approve {
                // A custom extension waited for at this stage holds the grant until `resume`.
                let stage = CustomExtensionStage::AssignmentRequestApproved;
                if !self
                    .call_out(&mut *tx, stage, &mut req, None, &policy)
                    .await?
                {
                    self.grant(&mut *tx, &mut req, &policy, &by).await?;
                }
            } else {
                let before = req.clone();
                request_to(&mut req, RequestEvent::Deny, impossible("denied"))?;
                req.completed_date_time = Some(now);
                audit::request_changed(&mut *tx, &by, &before, &req, now).await?;
            }
            tx.save(&req).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Due work: a stage nobody decided goes to its escalation approvers too.
    pub(crate) async fn escalate(
        &self,
        tx: &mut dyn Tx,
        approval_id: &str,
        stage_id: Option<&str>,
    ) -> Result<()> {
        let Some(mut ap) = tx.load::<Approval>(approval_id).await? else {
            return Ok(());
        };
        let Some(policy) = tx.load::<Policy>(&ap.policy_id).await? else {
            return Ok(());
        };
        let Some(cur) = ap.current().cloned() else {
            return Ok(());
        };
        if cur.escalated || stage_id.is_some_and(|s| s != cur.id) {
            return Ok(());
        }
        let sets = stage_policy(&policy, cur.index)
            .map(|s| s.escalation_approvers.clone())
            .unwrap_or_default();
        let extra = with_fallback(tx, &sets, &ap).await?;
        if let Some(s) = ap.current_mut() {
            s.escalated = true;
            s.escalation_approvers = extra.clone();
        }
        for a in &extra {
            tx.link(Link::Approver, &ap.id, a).await?;
        }
        tx.save(&ap).await?;
        if let Some(mut req) = tx.load::<AssignmentRequest>(approval_id).await?
            && req.state == RequestState::PendingApproval
        {
            let before = req.clone();
            request_to(&mut req, RequestEvent::Escalate, impossible("escalated"))?;
            tx.save(&req).await?;
            audit::request_changed(tx, &Change::system(), &before, &req, self.now()).await?;
        }
        Ok(())
    }

    /// Due work: nobody decided the stage in time; the request is denied.
    pub(crate) async fn time_out(
        &self,
        tx: &mut dyn Tx,
        approval_id: &str,
        stage_id: Option<&str>,
    ) -> Result<()> {
        let Some(mut ap) = tx.load::<Approval>(approval_id).await? else {
            return Ok(());
        };
        let Some(cur) = ap.current().cloned() else {
            return Ok(());
        };
        if stage_id.is_some_and(|s| s != cur.id) {
            return Ok(());
        }
        self.close_approval(tx, &mut ap, StageStatus::Expired)
            .await?;
        if let Some(mut req) = tx.load::<AssignmentRequest>(approval_id).await?
            && req.state == RequestState::PendingApproval
        {
            let before = req.clone();
            request_to(&mut req, RequestEvent::TimeOut, impossible("timed out"))?;
            req.completed_date_time = Some(self.now());
            tx.save(&req).await?;
            audit::request_changed(tx, &Change::system(), &before, &req, self.now()).await?;
        }
        Ok(())
    }
}
