//! Who may request what: a policy's targets (`allowedTargetScope` and `specificAllowedTargets`,
//! beta's `requestorSettings`) against the directory. Read-only; used by request validation,
//! `filterByCurrentUser(on='allowedRequestor')` and `getApplicablePolicyRequirements`.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Link, Tx, TxExt};
use accessd_domain::{
    ConnectedOrganizationState, Policy, SubjectSet, SubjectSetKind, TargetScope, User,
};

use crate::Result;

use crate::partners::{is_guest, organization_of};

/// Whether `object_id` is in one of the subject sets (single users, direct group members, users
/// that an attribute rule matches;
/// manager- and sponsor-based sets need a request's context and never match here).
pub async fn in_sets(tx: &mut dyn Tx, sets: &[SubjectSet], object_id: &str) -> Result<bool> {
    for s in sets {
        match (s.kind, s.id.as_deref()) {
            (SubjectSetKind::SingleUser | SubjectSetKind::SingleServicePrincipal, Some(id))
                if id == object_id =>
            {
                return Ok(true);
            }
            (SubjectSetKind::GroupMembers, Some(g))
                if tx
                    .linked(Link::GroupMember, g)
                    .await?
                    .iter()
                    .any(|m| m == object_id) =>
            {
                return Ok(true);
            }
            (SubjectSetKind::ConnectedOrganizationMembers, Some(org))
                if organization_of(tx, object_id)
                    .await?
                    .is_some_and(|o| o.id == org) =>
            {
                return Ok(true);
            }
            (SubjectSetKind::AttributeRuleMembers, _) => {
                let Some(rule) = s
                    .membership_rule
                    .as_deref()
                    .and_then(|r| crate::rules::parse(r).ok())
                else {
                    continue;
                };
                if let Some(u) = tx.load::<User>(object_id).await?
                    && crate::rules::matches(&rule, &u)
                {
                    return Ok(true);
                }
            }
            _ => {}
        }
    }
    Ok(false)
}

/// Whether the user `object_id` may request an assignment for themselves through `policy`.
pub async fn is_allowed_requestor(
    tx: &mut dyn Tx,
    policy: &Policy,
    object_id: &str,
) -> Result<bool> {
    if !policy.requestor.enable_targets_to_self_add_access {
        return Ok(false);
    }
    in_scope(tx, policy, object_id).await
}

/// Whether the user `object_id` is in the policy's target scope (who may be assigned).
pub async fn in_scope(tx: &mut dyn Tx, policy: &Policy, object_id: &str) -> Result<bool> {
    let Some(user) = tx.load::<User>(object_id).await? else {
        return Ok(false);
    };
    Ok(match policy.target_scope {
        TargetScope::NotSpecified => false,
        TargetScope::AllMemberUsers => !is_guest(&user),
        TargetScope::AllDirectoryUsers => true,
        TargetScope::AllExternalUsers => is_guest(&user),
        // Guests from a connected organization: a configured one, or (beta's
        // `AllExistingConnectedOrganizationSubjects`) one in either state.
        TargetScope::AllConfiguredConnectedOrganizationUsers
        | TargetScope::AllExistingConnectedOrganizationUsers => {
            let configured_only =
                policy.target_scope == TargetScope::AllConfiguredConnectedOrganizationUsers;
            is_guest(&user)
                && organization_of(tx, object_id).await?.is_some_and(|o| {
                    !configured_only || o.state == ConnectedOrganizationState::Configured
                })
        }
        TargetScope::SpecificDirectoryUsers | TargetScope::SpecificConnectedOrganizationUsers => {
            in_sets(tx, &policy.specific_allowed_targets, object_id).await?
        }
        TargetScope::SpecificDirectoryServicePrincipals
        | TargetScope::AllDirectoryServicePrincipals
        | TargetScope::AllDirectoryAgentIdentities => false,
    })
}

/// The ids of the access packages `object_id` may request.
pub async fn allowed_packages(tx: &mut dyn Tx, object_id: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for p in tx.find::<Policy>(&Query::default()).await? {
        if !out.contains(&p.access_package_id) && is_allowed_requestor(tx, &p, object_id).await? {
            out.push(p.access_package_id.clone());
        }
    }
    Ok(out)
}

/// The policies of `package_id` through which `object_id` may request it.
pub async fn applicable_policies(
    tx: &mut dyn Tx,
    package_id: &str,
    object_id: &str,
) -> Result<Vec<Policy>> {
    let mut out = Vec::new();
    for p in tx
        .find::<Policy>(&Query::filtered(Expr::col_eq(
            "access_package_id",
            package_id,
        )))
        .await?
    {
        if is_allowed_requestor(tx, &p, object_id).await? {
            out.push(p);
        }
    }
    Ok(out)
}
