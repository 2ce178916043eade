//! Direct writes of assignments: the administrator's shortcut of the beta paths
//! (`POST .../accessPackageAssignments`, `PATCH .../accessPackageAssignments/{id}`), validated
//! like a request would be. Each direct create also records the admin request behind it.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{
    ASSIGNMENT_STATUSES, AccessPackage, Assignment, AssignmentRequest, AssignmentState, Catalog,
    Policy, Principal, RequestState, RequestType, Schedule, Subject, Timestamp, new_id,
};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result, actor, delivery, subjects};

/// What a direct write may set. `None` leaves a property as it is (or at its default on create).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentDraft {
    pub catalog_id: Option<String>,
    pub access_package_id: Option<String>,
    pub policy_id: Option<String>,
    /// A subject id or the directory object id of a user.
    pub target_id: Option<String>,
    pub state: Option<AssignmentState>,
    pub status: Option<String>,
    pub is_extended: Option<bool>,
    /// `Some(None)` clears it.
    pub expired_date_time: Option<Option<Timestamp>>,
    pub schedule: Option<Schedule>,
}

/// The checked chain catalog -> package -> policy -> target.
pub(crate) struct Chain {
    pub catalog: Catalog,
    pub package: AccessPackage,
    pub policy: Policy,
    pub subject: Subject,
}

pub(crate) async fn check_chain(
    tx: &mut dyn Tx,
    catalog_id: Option<&str>,
    package_id: &str,
    policy_id: &str,
    target_id: &str,
) -> Result<Chain> {
    let package = tx
        .load::<AccessPackage>(package_id)
        .await?
        .ok_or_else(|| Error::ref_not_found("access package", "accessPackageId", package_id))?;
    let policy = tx
        .load::<Policy>(policy_id)
        .await?
        .ok_or_else(|| Error::ref_not_found("policy", "assignmentPolicyId", policy_id))?;
    if policy.access_package_id != package.id {
        return Err(Error::invalid(
            "assignmentPolicyId",
            format!(
                "The policy '{policy_id}' does not belong to the access package '{package_id}'."
            ),
        ));
    }
    if let Some(c) = catalog_id {
        if !tx.exists(Kind::Catalog, c).await? {
            return Err(Error::ref_not_found("catalog", "catalogId", c));
        }
        if c != package.catalog_id {
            return Err(Error::invalid(
                "catalogId",
                format!("The access package '{package_id}' is not in the catalog '{c}'."),
            ));
        }
    }
    let catalog = tx
        .load::<Catalog>(&package.catalog_id)
        .await?
        .ok_or_else(|| Error::ref_not_found("catalog", "catalogId", &package.catalog_id))?;
    let subject = subjects::resolve_or_create(tx, target_id, "targetId").await?;
    Ok(Chain {
        catalog,
        package,
        policy,
        subject,
    })
}

fn check_status(status: &str) -> Result<String> {
    ASSIGNMENT_STATUSES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(status))
        .map(|s| s.to_string())
        .ok_or_else(|| {
            Error::invalid(
                "assignmentStatus",
                format!(
                    "'{status}' is not a valid value for 'assignmentStatus'. Allowed values: {}.",
                    ASSIGNMENT_STATUSES.join(", ")
                ),
            )
        })
}

/// The status that goes with a state when none was given.
pub(crate) fn default_status(state: AssignmentState) -> String {
    state.pascal()
}

/// Whether an assignment that is not expired already gives `subject` the package through
/// `policy`.
pub(crate) async fn existing_active(
    tx: &mut dyn Tx,
    package_id: &str,
    policy_id: Option<&str>,
    subject_id: &str,
) -> Result<Option<Assignment>> {
    // By the target alone (few rows, index-backed), the rest checked here: a condition on the
    // package too could lead SQLite to walk all of the package's assignments.
    let q = Query::filtered(Expr::col_eq("target_id", subject_id));
    Ok(tx.find::<Assignment>(&q).await?.into_iter().find(|a| {
        a.state != AssignmentState::Expired
            && a.access_package_id == package_id
            && policy_id.is_none_or(|p| a.policy_id == p)
    }))
}

impl Engine {
    /// Creates an assignment directly, with the admin request that records it, and delivers
    /// it when its state is `delivered`.
    pub async fn create_assignment(
        &self,
        p: &Principal,
        d: AssignmentDraft,
    ) -> Result<(Assignment, AssignmentRequest)> {
        let package_id = d.access_package_id.clone().ok_or_else(|| {
            Error::invalid(
                "accessPackageId",
                "The property 'accessPackageId' is required.",
            )
        })?;
        let policy_id = d.policy_id.clone().ok_or_else(|| {
            Error::invalid(
                "assignmentPolicyId",
                "The property 'assignmentPolicyId' is required.",
            )
        })?;
        let target_id = d
            .target_id
            .clone()
            .ok_or_else(|| Error::invalid("targetId", "The property 'targetId' is required."))?;
        let status = d.status.as_deref().map(check_status).transpose()?;
        let mut tx = self.begin().await?;
        let now = self.now();
        let chain = check_chain(
            &mut *tx,
            d.catalog_id.as_deref(),
            &package_id,
            &policy_id,
            &target_id,
        )
        .await?;
        let obj = Obj::in_catalog(&package_id, &chain.catalog.id);
        self.authorize_in(&mut *tx, p, Op::Create, Res::Assignment, &obj)
            .await?;
        if let Some(a) =
            existing_active(&mut *tx, &package_id, Some(&policy_id), &chain.subject.id).await?
        {
            return Err(Error::refused(
                "ExistingAssignment",
                format!(
                    "The target already has assignment '{}' for this access package through this policy.",
                    a.id
                ),
            ));
        }
        let state = d.state.unwrap_or(AssignmentState::Delivered);
        let mut schedule = d.schedule.clone().unwrap_or_default();
        if schedule.start_date_time.is_none() {
            schedule.start_date_time = Some(now);
        }
        if schedule.expiration.is_none() {
            schedule.expiration = Some(chain.policy.expiration.clone());
        }
        let a = Assignment {
            id: new_id(),
            catalog_id: chain.catalog.id.clone(),
            access_package_id: chain.package.id.clone(),
            policy_id: chain.policy.id.clone(),
            target_id: chain.subject.id.clone(),
            target_object_id: chain.subject.object_id.clone(),
            state,
            status: status.unwrap_or_else(|| default_status(state)),
            is_extended: d.is_extended.unwrap_or(false),
            expired_date_time: d.expired_date_time.flatten(),
            schedule: schedule.clone(),
            custom_extension_callout_instances: vec![],
            created_date_time: now,
            modified_date_time: now,
        };
        let by = actor(&mut *tx, p).await?;
        let requestor = subjects::for_principal(&mut *tx, p).await?;
        let request = AssignmentRequest {
            id: new_id(),
            request_type: RequestType::AdminAdd,
            state: RequestState::Delivered,
            status: "Delivered".into(),
            created_date_time: now,
            completed_date_time: Some(now),
            expiration_date_time: None,
            schedule,
            justification: None,
            answers: vec![],
            catalog_id: Some(a.catalog_id.clone()),
            access_package_id: Some(a.access_package_id.clone()),
            policy_id: Some(a.policy_id.clone()),
            assignment_id: Some(a.id.clone()),
            requestor_id: Some(requestor.id.clone()),
            requestor_object_id: requestor.object_id.clone(),
            target_id: Some(a.target_id.clone()),
            target_object_id: a.target_object_id.clone(),
            is_validation_only: false,
            created_by: Some(by),
            custom_extension_callout_instances: vec![],
        };
        tx.create(&a).await?;
        tx.create(&request).await?;
        if a.state == AssignmentState::Delivered {
            delivery::deliver(&mut *tx, &a, now).await?;
        }
        crate::lifecycle::grant::schedule_expiry(&mut *tx, &a, now).await?;
        let by = crate::audit::Change::of(&mut *tx, p).await?;
        crate::audit::request_changed(&mut *tx, &by, &request, &request, now).await?;
        crate::audit::assignment_added(&mut *tx, &by, &a, now).await?;
        tx.commit().await?;
        Ok((a, request))
    }

    /// Changes an assignment directly. Ids must still agree with each other; delivery follows
    /// the new state and target.
    pub async fn update_assignment(
        &self,
        p: &Principal,
        id: &str,
        d: AssignmentDraft,
    ) -> Result<Assignment> {
        let status = d.status.as_deref().map(check_status).transpose()?;
        let mut tx = self.begin().await?;
        let now = self.now();
        let old = tx
            .load::<Assignment>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::Assignment,
            &Obj::in_catalog(id, &old.catalog_id),
        )
        .await?;
        let package_id = d
            .access_package_id
            .clone()
            .unwrap_or_else(|| old.access_package_id.clone());
        let policy_id = d.policy_id.clone().unwrap_or_else(|| old.policy_id.clone());
        let target_id = d.target_id.clone().unwrap_or_else(|| old.target_id.clone());
        let chain = check_chain(
            &mut *tx,
            d.catalog_id.as_deref(),
            &package_id,
            &policy_id,
            &target_id,
        )
        .await?;
        if chain.catalog.id != old.catalog_id {
            let obj = Obj::in_catalog(id, &chain.catalog.id);
            self.authorize_in(&mut *tx, p, Op::Update, Res::Assignment, &obj)
                .await?;
        }
        let mut a = old.clone();
        a.catalog_id = chain.catalog.id;
        a.access_package_id = chain.package.id;
        a.policy_id = chain.policy.id;
        a.target_id = chain.subject.id.clone();
        a.target_object_id = chain.subject.object_id.clone();
        if let Some(s) = d.state {
            a.state = s;
        }
        match status {
            Some(s) => a.status = s,
            None if d.state.is_some() && d.state != Some(old.state) => {
                a.status = default_status(a.state)
            }
            None => {}
        }
        if let Some(x) = d.is_extended {
            a.is_extended = x;
        }
        if let Some(e) = d.expired_date_time {
            a.expired_date_time = e;
        }
        if let Some(s) = d.schedule {
            a.schedule = s;
        }
        a.modified_date_time = now;
        let moved = a.access_package_id != old.access_package_id || a.target_id != old.target_id;
        if old.state == AssignmentState::Delivered
            && (a.state != AssignmentState::Delivered || moved)
        {
            delivery::undeliver(&mut *tx, &old, None).await?;
        }
        tx.save(&a).await?;
        if a.state == AssignmentState::Delivered
            && (old.state != AssignmentState::Delivered || moved)
        {
            delivery::deliver(&mut *tx, &a, now).await?;
        }
        crate::lifecycle::grant::schedule_expiry(&mut *tx, &a, now).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Removes an assignment and what it delivered. Its requests stay, for the record.
    pub async fn delete_assignment(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let a = tx
            .load::<Assignment>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Delete,
            Res::Assignment,
            &Obj::in_catalog(id, &a.catalog_id),
        )
        .await?;
        delivery::undeliver(&mut *tx, &a, None).await?;
        crate::lifecycle::due::unschedule(&mut *tx, id, &[]).await?;
        tx.delete(Kind::Assignment, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
