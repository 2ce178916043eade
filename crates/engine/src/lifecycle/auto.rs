//! Automatic assignment policies (`automaticRequestSettings.requestAccessForAllowedTargets`):
//! every user in the policy's target scope (for example an attribute rule such as
//! `user.department -eq "Sales"`) gets an assignment, made by the service (`systemAdd`); a user
//! who leaves the scope loses it after `gracePeriodBeforeAccessRemoval` when
//! `removeAccessWhenTargetLeavesAllowedTargets` (`systemRemove`). The policy is brought in line
//! when it is written and whenever a user is created or changed.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Tx, TxExt};
use accessd_domain::*;

use super::due::{schedule, unschedule};
use super::grant;
use super::{AssignmentEvent, RequestEvent, impossible, request_to};
use crate::audit::{self, Change};
use crate::{Engine, Error, Result};

/// Whether the policy assigns automatically.
pub fn is_automatic(p: &Policy) -> bool {
    p.automatic_request
        .as_ref()
        .is_some_and(|a| a.request_access_for_allowed_targets)
}

/// The checks an automatic policy must pass when it is written: its rules parse, and it is the
/// only automatic policy of its access package.
pub(crate) async fn check(tx: &mut dyn Tx, p: &Policy) -> Result<()> {
    for s in &p.specific_allowed_targets {
        if s.kind == SubjectSetKind::AttributeRuleMembers {
            crate::rules::parse(s.membership_rule.as_deref().unwrap_or(""))?;
        }
    }
    if !is_automatic(p) {
        return Ok(());
    }
    let siblings = tx
        .find::<Policy>(&Query::filtered(Expr::col_eq(
            "access_package_id",
            p.access_package_id.as_str(),
        )))
        .await?;
    if siblings.iter().any(|o| o.id != p.id && is_automatic(o)) {
        return Err(Error::refused(
            "AutomaticPolicyExists",
            "An access package can have at most one automatic assignment policy.",
        ));
    }
    Ok(())
}

/// The not-expired assignment of `user` through `policy`.
async fn assignment_of(tx: &mut dyn Tx, policy: &Policy, user: &str) -> Result<Option<Assignment>> {
    let q = Query::filtered(Expr::col_eq("target_object_id", user));
    Ok(tx
        .find::<Assignment>(&q)
        .await?
        .into_iter()
        .find(|a| a.policy_id == policy.id && a.state != AssignmentState::Expired))
}

impl Engine {
    /// Brings an automatic policy's assignments in line with its scope, for every user or for
    /// one.
    pub(crate) async fn reconcile_auto(
        &self,
        tx: &mut dyn Tx,
        policy: &Policy,
        only: Option<&User>,
    ) -> Result<()> {
        if !is_automatic(policy) {
            return Ok(());
        }
        let users = match only {
            Some(u) => vec![u.clone()],
            None => tx.find::<User>(&Query::default()).await?,
        };
        for u in &users {
            let inside = crate::eligibility::in_scope(tx, policy, &u.id).await?;
            let held = assignment_of(tx, policy, &u.id).await?;
            match (inside, held) {
                (true, None) => self.auto_add(tx, policy, u).await?,
                (true, Some(a)) => unschedule(tx, &a.id, &[WorkKind::AutoRemoval]).await?,
                (false, Some(a)) => {
                    let settings = policy.automatic_request.clone().unwrap_or_default();
                    if settings.remove_access_when_target_leaves_allowed_targets {
                        let grace = settings
                            .grace_period_before_access_removal
                            .unwrap_or(Duration::minutes(0));
                        let at = self.now().add(grace);
                        schedule(tx, WorkKind::AutoRemoval, &a.id, at, None).await?;
                    }
                }
                (false, None) => {}
            }
        }
        Ok(())
    }

    /// The service's own request for a user who entered the scope.
    async fn auto_add(&self, tx: &mut dyn Tx, policy: &Policy, u: &User) -> Result<()> {
        let Some(package) = tx.load::<AccessPackage>(&policy.access_package_id).await? else {
            return Ok(());
        };
        // Separation of duties holds for the service too: such a user is left out.
        if crate::requests::incompatible(tx, &package.id, Some(&u.id))
            .await
            .is_err()
        {
            return Ok(());
        }
        let subject = crate::subjects::resolve_or_create(tx, &u.id, "targetId").await?;
        let now = self.now();
        let mut req = AssignmentRequest {
            id: new_id(),
            request_type: RequestType::SystemAdd,
            state: RequestState::Submitted,
            status: "Accepted".into(),
            created_date_time: now,
            completed_date_time: None,
            expiration_date_time: None,
            schedule: Schedule::default(),
            justification: None,
            answers: vec![],
            catalog_id: Some(package.catalog_id.clone()),
            access_package_id: Some(package.id.clone()),
            policy_id: Some(policy.id.clone()),
            assignment_id: None,
            requestor_id: None,
            requestor_object_id: None,
            target_id: Some(subject.id.clone()),
            target_object_id: subject.object_id.clone(),
            is_validation_only: false,
            created_by: Some("accessd".into()),
            custom_extension_callout_instances: vec![],
        };
        tx.create(&req).await?;
        let by = Change::system();
        audit::request_changed(tx, &by, &req, &req, now).await?;
        self.grant(tx, &mut req, policy, &by).await?;
        tx.save(&req).await?;
        Ok(())
    }

    /// Due work: a target left an automatic policy's scope and the grace period is over.
    pub(crate) async fn auto_remove(&self, tx: &mut dyn Tx, assignment_id: &str) -> Result<()> {
        let Some(mut a) = tx.load::<Assignment>(assignment_id).await? else {
            return Ok(());
        };
        let Some(policy) = tx.load::<Policy>(&a.policy_id).await? else {
            return Ok(());
        };
        let Some(user) = a.target_object_id.clone() else {
            return Ok(());
        };
        if a.state == AssignmentState::Expired
            || !is_automatic(&policy)
            || crate::eligibility::in_scope(tx, &policy, &user).await?
        {
            return Ok(());
        }
        let now = self.now();
        let mut req = AssignmentRequest {
            id: new_id(),
            request_type: RequestType::SystemRemove,
            state: RequestState::Submitted,
            status: "Accepted".into(),
            created_date_time: now,
            completed_date_time: None,
            expiration_date_time: None,
            schedule: a.schedule.clone(),
            justification: None,
            answers: vec![],
            catalog_id: Some(a.catalog_id.clone()),
            access_package_id: Some(a.access_package_id.clone()),
            policy_id: Some(a.policy_id.clone()),
            assignment_id: Some(a.id.clone()),
            requestor_id: None,
            requestor_object_id: None,
            target_id: Some(a.target_id.clone()),
            target_object_id: a.target_object_id.clone(),
            is_validation_only: false,
            created_by: Some("accessd".into()),
            custom_extension_callout_instances: vec![],
        };
        let by = Change::system();
        let before_req = req.clone();
        request_to(&mut req, RequestEvent::Deliver, impossible("delivered"))?;
        let was = a.clone();
        grant::remove(tx, &mut a, AssignmentEvent::Remove, now).await?;
        request_to(&mut req, RequestEvent::Delivered, impossible("delivered"))?;
        req.completed_date_time = Some(now);
        tx.create(&req).await?;
        audit::request_changed(tx, &by, &before_req, &before_req, now).await?;
        audit::assignment_removed(tx, &by, &was, &a, now).await?;
        Ok(())
    }

    /// After a user was created or changed: every automatic policy looks at them again.
    pub(crate) async fn reconcile_user(&self, tx: &mut dyn Tx, u: &User) -> Result<()> {
        for id in automatic_policies(tx).await? {
            if let Some(p) = tx.load::<Policy>(&id).await? {
                self.reconcile_auto(tx, &p, Some(u)).await?;
            }
        }
        Ok(())
    }
}

/// The automatic policies, kept as a list (in the store's meta) so that a user's write, which
/// must look at each of them, pays one lookup when there are none.
const AUTOMATIC_POLICIES: &str = "automatic_policies";

async fn automatic_policies(tx: &mut dyn Tx) -> Result<Vec<String>> {
    Ok(tx
        .meta_get(AUTOMATIC_POLICIES)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Records whether `policy` (being written, or gone when `None`) is automatic.
pub(crate) async fn remember(tx: &mut dyn Tx, id: &str, policy: Option<&Policy>) -> Result<()> {
    let mut ids = automatic_policies(tx).await?;
    let was = ids.iter().any(|x| x == id);
    let is = policy.is_some_and(is_automatic);
    if was == is {
        return Ok(());
    }
    ids.retain(|x| x != id);
    if is {
        ids.push(id.to_string());
    }
    let text =
        serde_json::to_string(&ids).map_err(|e| Error::Store(StoreError::Other(e.to_string())))?;
    tx.meta_put(AUTOMATIC_POLICIES, &text).await?;
    Ok(())
}

impl Engine {
    /// The policy's automatic assignments, brought in line after it was written.
    pub(crate) async fn policy_written(&self, tx: &mut dyn Tx, policy: &Policy) -> Result<()> {
        remember(tx, &policy.id, Some(policy)).await?;
        self.reconcile_auto(tx, policy, None).await
    }
}
