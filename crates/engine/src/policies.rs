//! Assignment policies.

use accessd_domain::store::{Kind, TxExt};
use accessd_domain::{Policy, Principal, model::Audit, new_id};

use crate::authz::{Obj, Op, Res};
use crate::catalogs::active_assignments;
use crate::{Engine, Error, Result, actor};

/// Policies that assign automatically are an administrator's; the rest are the access package
/// manager's.
fn res_of(p: &Policy) -> Res {
    if p.automatic_request
        .as_ref()
        .is_some_and(|a| a.request_access_for_allowed_targets)
    {
        Res::AutoPolicy
    } else {
        Res::Policy
    }
}

fn require_name(p: &Policy) -> Result<()> {
    match p.display_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => Ok(()),
        _ => Err(Error::invalid(
            "displayName",
            "The property 'displayName' is required and cannot be empty.",
        )),
    }
}

/// Gives questions and stage settings that came without an id a fresh one.
fn fill_ids(p: &mut Policy) {
    for q in &mut p.questions {
        if q.id.is_empty() {
            q.id = new_id();
        }
    }
    for s in &mut p.custom_extension_stage_settings {
        if s.id.is_empty() {
            s.id = new_id();
        }
    }
}

impl Engine {
    pub async fn create_policy(&self, p: &Principal, mut policy: Policy) -> Result<Policy> {
        require_name(&policy)?;
        if policy.access_package_id.is_empty() {
            return Err(Error::invalid(
                "accessPackage",
                "The policy's access package is required (accessPackage.id or accessPackageId).",
            ));
        }
        let mut tx = self.begin().await?;
        let ap = Engine::package_of(&mut *tx, &policy).await?;
        let obj = Obj::in_catalog(&ap.catalog_id, &ap.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Create, res_of(&policy), &obj)
            .await?;
        policy.id = new_id();
        policy.catalog_id = ap.catalog_id;
        policy.audit = Audit::new(self.now(), Some(actor(&mut *tx, p).await?));
        fill_ids(&mut policy);
        crate::lifecycle::auto::check(&mut *tx, &policy).await?;
        tx.create(&policy).await?;
        self.policy_written(&mut *tx, &policy).await?;
        tx.commit().await?;
        Ok(policy)
    }

    /// Applies `change` (a full replacement for PUT, a merge for PATCH). The access package a
    /// policy belongs to cannot change.
    pub async fn update_policy<F>(&self, p: &Principal, id: &str, change: F) -> Result<Policy>
    where
        F: FnOnce(&mut Policy) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        let mut policy = tx
            .load::<Policy>(id)
            .await?
            .ok_or_else(|| Error::not_found("policy", id))?;
        let obj = Obj::in_catalog(id, &policy.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Update, res_of(&policy), &obj)
            .await?;
        let (audit, package, catalog) = (
            policy.audit.clone(),
            policy.access_package_id.clone(),
            policy.catalog_id.clone(),
        );
        change(&mut policy)?;
        require_name(&policy)?;
        if policy.access_package_id.is_empty() {
            policy.access_package_id = package.clone();
        }
        if policy.access_package_id != package {
            if !tx
                .exists(Kind::AccessPackage, &policy.access_package_id)
                .await?
            {
                return Err(Error::ref_not_found(
                    "access package",
                    "accessPackageId",
                    &policy.access_package_id,
                ));
            }
            return Err(Error::invalid(
                "accessPackageId",
                "The access package of an existing policy cannot be changed.",
            ));
        }
        policy.id = id.to_string();
        policy.catalog_id = catalog;
        // Turning automatic assignment on is an administrator's change too.
        self.authorize_in(&mut *tx, p, Op::Update, res_of(&policy), &obj)
            .await?;
        policy.audit = audit;
        policy
            .audit
            .touch(self.now(), Some(actor(&mut *tx, p).await?));
        fill_ids(&mut policy);
        crate::lifecycle::auto::check(&mut *tx, &policy).await?;
        tx.save(&policy).await?;
        self.policy_written(&mut *tx, &policy).await?;
        tx.commit().await?;
        Ok(policy)
    }

    /// Refused while assignments made through the policy have not expired.
    pub async fn delete_policy(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let policy = tx
            .load::<Policy>(id)
            .await?
            .ok_or_else(|| Error::not_found("policy", id))?;
        let obj = Obj::in_catalog(id, &policy.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Delete, res_of(&policy), &obj)
            .await?;
        let n = tx
            .count(Kind::Assignment, Some(&active_assignments("policy_id", id)))
            .await?;
        if n > 0 {
            return Err(Error::refused(
                "InvalidDeletePolicyHasAssignments",
                format!(
                    "The policy '{id}' cannot be deleted because {n} assignment(s) were made through it; remove them first."
                ),
            ));
        }
        tx.delete(Kind::Policy, id).await?;
        crate::lifecycle::auto::remember(&mut *tx, id, None).await?;
        tx.commit().await?;
        Ok(())
    }
}
