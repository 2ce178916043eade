//! Connected organizations (`entitlementManagement/connectedOrganizations`): the partners whose
//! users may request access packages, and their internal and external sponsors (users or groups
//! who may approve those users' requests, the `internalSponsors`/`externalSponsors` approvers of
//! a policy). Administrators only (Identity Governance Administrator, or an application with
//! `EntitlementManagement.ReadWrite.All`).
//!
//! The rules the real service documents, and the ones accessd chose where it is silent
//! (docs/decisions.md): a new organization names exactly one identity source; no two
//! organizations share a domain or a tenant; `state` defaults to `configured`; an organization a
//! policy names (`connectedOrganizationMembers`) cannot be deleted.

use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::{
    ConnectedOrganization, ConnectedOrganizationState, IdentitySource, Policy, Principal, Query,
    Subject, SubjectSet, SubjectSetKind, User, new_id,
};

use crate::authz::{Obj, Op, Res};
use crate::directory::object_kind;
use crate::{Engine, Error, Result, actor};

const NOUN: &str = "connected organization";

/// Which sponsors: of this tenant, or from outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sponsors {
    Internal,
    External,
}

impl Sponsors {
    pub fn link(self) -> Link {
        match self {
            Sponsors::Internal => Link::InternalSponsor,
            Sponsors::External => Link::ExternalSponsor,
        }
    }

    fn property(self) -> &'static str {
        match self {
            Sponsors::Internal => "internalSponsors",
            Sponsors::External => "externalSponsors",
        }
    }
}

/// The identity sources must be at most one per partner, and no other organization may have
/// one of them.
async fn check_sources(
    tx: &mut dyn Tx,
    org: &ConnectedOrganization,
    on_create: bool,
) -> Result<()> {
    if on_create && org.identity_sources.len() != 1 {
        return Err(Error::invalid(
            "identitySources",
            format!(
                "A new connected organization names exactly one identity source; {} were given.",
                org.identity_sources.len()
            ),
        ));
    }
    let all = tx.find::<ConnectedOrganization>(&Query::default()).await?;
    for s in &org.identity_sources {
        let Some(key) = s.key() else {
            return Err(Error::invalid(
                "identitySources",
                format!(
                    "An identity source of type '{}' needs its {}.",
                    s.type_name(),
                    match s {
                        IdentitySource::AzureActiveDirectoryTenant { .. }
                        | IdentitySource::CrossCloudAzureActiveDirectoryTenant { .. } => "tenantId",
                        _ => "domainName",
                    }
                ),
            ));
        };
        if let Some(other) = all.iter().find(|o| {
            o.id != org.id
                && o.identity_sources
                    .iter()
                    .any(|x| x.key().as_deref() == Some(key.as_str()))
        }) {
            return Err(Error::Conflict {
                code: "ConnectedOrganizationAlreadyExists",
                message: format!(
                    "The connected organization '{}' already has this identity source ({}).",
                    other.id,
                    key.split_once(':').map(|(_, v)| v).unwrap_or(&key)
                ),
            });
        }
    }
    Ok(())
}

/// The addresses a user is known by outside the tenant: its mail, and the address a guest's
/// user principal name carries (`pat_partner.example#EXT#@contoso.example` is
/// `pat@partner.example`).
fn addresses(u: &User) -> Vec<String> {
    let mut out: Vec<String> = u.mail.iter().cloned().collect();
    if let Some(upn) = &u.user_principal_name {
        match upn.split_once("#EXT#") {
            Some((local, _)) => {
                if let Some((name, domain)) = local.rsplit_once('_') {
                    out.push(format!("{name}@{domain}"));
                }
            }
            None => out.push(upn.clone()),
        }
    }
    out
}

pub(crate) fn is_guest(u: &User) -> bool {
    u.user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
}

/// The connected organization a user comes from: the one its subject records, else (for a
/// guest) the one whose domain one of its addresses is in.
pub(crate) async fn organization_of(
    tx: &mut dyn Tx,
    user_id: &str,
) -> Result<Option<ConnectedOrganization>> {
    if let Some(org) = tx
        .load::<Subject>(user_id)
        .await?
        .and_then(|s| s.connected_organization_id)
        && let Some(org) = tx.load::<ConnectedOrganization>(&org).await?
    {
        return Ok(Some(org));
    }
    let Some(user) = tx.load::<User>(user_id).await?.filter(is_guest) else {
        return Ok(None);
    };
    let addresses = addresses(&user);
    if addresses.is_empty() {
        return Ok(None);
    }
    Ok(tx
        .find::<ConnectedOrganization>(&Query::default())
        .await?
        .into_iter()
        .find(|o| addresses.iter().any(|a| o.has_address(a))))
}

/// The users who sponsor the connected organization `target` comes from (groups stand for
/// their user members); nobody when `target` is from no connected organization.
pub(crate) async fn sponsors_of(
    tx: &mut dyn Tx,
    target: &str,
    which: Sponsors,
) -> Result<Vec<String>> {
    let Some(org) = organization_of(tx, target).await? else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for id in tx.linked(which.link(), &org.id).await? {
        if tx.exists(Kind::User, &id).await? {
            out.push(id);
        } else {
            for m in tx.linked(Link::GroupMember, &id).await? {
                if tx.exists(Kind::User, &m).await? {
                    out.push(m);
                }
            }
        }
    }
    Ok(out)
}

fn names(set: &SubjectSet, org: &str) -> bool {
    set.kind == SubjectSetKind::ConnectedOrganizationMembers && set.id.as_deref() == Some(org)
}

impl Engine {
    async fn org_access(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        op: Op,
        id: &str,
    ) -> Result<ConnectedOrganization> {
        self.authorize_in(tx, p, op, Res::ConnectedOrganization, &Obj::new(id))
            .await?;
        tx.load::<ConnectedOrganization>(id)
            .await?
            .ok_or_else(|| Error::not_found(NOUN, id))
    }

    pub async fn create_connected_organization(
        &self,
        p: &Principal,
        mut org: ConnectedOrganization,
    ) -> Result<ConnectedOrganization> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Create,
            Res::ConnectedOrganization,
            &Obj::new(""),
        )
        .await?;
        org.id = new_id();
        check_sources(&mut *tx, &org, true).await?;
        let now = self.now();
        let by = actor(&mut *tx, p).await?;
        org.created_date_time = now;
        org.modified_date_time = now;
        org.created_by = Some(by.clone());
        org.modified_by = Some(by);
        tx.create(&org).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn update_connected_organization<F>(
        &self,
        p: &Principal,
        id: &str,
        change: F,
    ) -> Result<ConnectedOrganization>
    where
        F: FnOnce(&mut ConnectedOrganization) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        let mut org = self.org_access(&mut *tx, p, Op::Update, id).await?;
        let keep = org.clone();
        change(&mut org)?;
        org.id = keep.id;
        org.created_date_time = keep.created_date_time;
        org.created_by = keep.created_by;
        if org.identity_sources != keep.identity_sources {
            check_sources(&mut *tx, &org, false).await?;
        }
        org.modified_date_time = self.now();
        org.modified_by = Some(actor(&mut *tx, p).await?);
        tx.save(&org).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Deletes an organization no policy names; its sponsor links go with it.
    pub async fn delete_connected_organization(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.org_access(&mut *tx, p, Op::Delete, id).await?;
        for pol in tx.find::<Policy>(&Query::default()).await? {
            if pol.specific_allowed_targets.iter().any(|s| names(s, id))
                || pol
                    .requestor
                    .on_behalf_requestors
                    .iter()
                    .any(|s| names(s, id))
            {
                return Err(Error::refused(
                    "ConnectedOrganizationInUse",
                    format!(
                        "The connected organization '{id}' is named by the assignment policy '{}'; remove it from the policy first.",
                        pol.id
                    ),
                ));
            }
        }
        tx.unlink_all(Link::InternalSponsor, id).await?;
        tx.unlink_all(Link::ExternalSponsor, id).await?;
        tx.delete(Kind::ConnectedOrganization, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST .../connectedOrganizations/{id}/internalSponsors/$ref` (or `externalSponsors`):
    /// a user or a group of the directory.
    pub async fn add_sponsor(
        &self,
        p: &Principal,
        org_id: &str,
        which: Sponsors,
        sponsor: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.org_access(&mut *tx, p, Op::Relate, org_id).await?;
        if object_kind(&mut *tx, sponsor).await?.is_none() {
            return Err(Error::ref_not_found(
                "directory object",
                "@odata.id",
                sponsor,
            ));
        }
        if !tx.link(which.link(), org_id, sponsor).await? {
            return Err(Error::invalid(
                "@odata.id",
                format!(
                    "One or more added object references already exist for the following modified properties: '{}'.",
                    which.property()
                ),
            ));
        }
        self.bump_org(&mut *tx, p, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_sponsor(
        &self,
        p: &Principal,
        org_id: &str,
        which: Sponsors,
        sponsor: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.org_access(&mut *tx, p, Op::Relate, org_id).await?;
        if !tx.unlink(which.link(), org_id, sponsor).await? {
            return Err(Error::not_found("reference", sponsor));
        }
        self.bump_org(&mut *tx, p, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A change of sponsors is a change of the organization.
    async fn bump_org(&self, tx: &mut dyn Tx, p: &Principal, id: &str) -> Result<()> {
        if let Some(mut org) = tx.load::<ConnectedOrganization>(id).await? {
            org.modified_date_time = self.now();
            org.modified_by = Some(actor(tx, p).await?);
            tx.save(&org).await?;
        }
        Ok(())
    }
}

/// A new organization's defaults, before the caller's properties are applied (the times are
/// set when it is created).
pub fn new_connected_organization(now: accessd_domain::Timestamp) -> ConnectedOrganization {
    ConnectedOrganization {
        id: String::new(),
        display_name: None,
        description: None,
        identity_sources: vec![],
        state: ConnectedOrganizationState::Configured,
        created_date_time: now,
        modified_date_time: now,
        created_by: None,
        modified_by: None,
    }
}
