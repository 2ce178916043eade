//! Delivery: what an assignment grants. For each resource role scope of the access package the
//! target gets an accessPackageAssignmentResourceRole (linked to the assignments that granted
//! it), and for groups the membership or ownership itself.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::{
    Assignment, AssignmentResourceRole, Resource, ResourceRole, ResourceRoleScope, Subject,
    Timestamp, new_id,
};

use crate::Result;

/// The directory link a role of a group resource stands for.
fn group_link(resource: &Resource, role: &ResourceRole) -> Option<Link> {
    if !resource.origin_system.eq_ignore_ascii_case("AadGroup") {
        return None;
    }
    let prefix = role.origin_id.split('_').next().unwrap_or_default();
    if prefix.eq_ignore_ascii_case("Owner") {
        Some(Link::GroupOwner)
    } else {
        Some(Link::GroupMember)
    }
}

/// Applies (or withdraws) what a role means in the directory: membership or ownership of a
/// group. Returns `false` when it cannot be applied (the group is gone from the directory).
async fn apply_directory(
    tx: &mut dyn Tx,
    rs_role: &str,
    subject: &Subject,
    add: bool,
) -> Result<bool> {
    let Some(role) = tx.load::<ResourceRole>(rs_role).await? else {
        return Ok(!add);
    };
    let Some(resource) = tx.load::<Resource>(&role.resource_id).await? else {
        return Ok(!add);
    };
    let (Some(link), Some(member)) = (group_link(&resource, &role), subject.object_id.as_deref())
    else {
        return Ok(true);
    };
    if add {
        if !tx.exists(Kind::Group, &resource.origin_id).await? {
            return Ok(false);
        }
        tx.link(link, &resource.origin_id, member).await?;
    } else {
        tx.unlink(link, &resource.origin_id, member).await?;
    }
    Ok(true)
}

/// How a delivery went: roles granted, and roles that could not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    pub granted: usize,
    pub failed: usize,
}

/// Grants one role scope to the assignment's target; `false` when it could not be granted.
pub(crate) async fn deliver_role_scope(
    tx: &mut dyn Tx,
    a: &Assignment,
    subject: &Subject,
    rs: &ResourceRoleScope,
    now: Timestamp,
) -> Result<bool> {
    if !apply_directory(tx, &rs.role_id, subject, true).await? {
        return Ok(false);
    }
    // By the subject alone (few rows, index-backed); the role and scope are checked here.
    let q = Query::filtered(Expr::col_eq("subject_id", subject.id.as_str()));
    let existing = tx.find::<AssignmentResourceRole>(&q).await?;
    let arr = match existing
        .into_iter()
        .find(|r| r.role_id == rs.role_id && r.scope_id == rs.scope_id)
    {
        Some(arr) => arr,
        None => {
            let role = tx.load::<ResourceRole>(&rs.role_id).await?;
            let arr = AssignmentResourceRole {
                id: new_id(),
                role_id: rs.role_id.clone(),
                scope_id: rs.scope_id.clone(),
                subject_id: subject.id.clone(),
                origin_id: role.as_ref().map(|r| r.origin_id.clone()),
                origin_system: role.as_ref().map(|r| r.origin_system.clone()),
                status: "Fulfilled".into(),
                created_date_time: now,
            };
            tx.create(&arr).await?;
            arr
        }
    };
    tx.link(Link::DeliveredBy, &arr.id, &a.id).await?;
    Ok(true)
}

/// Grants everything the access package holds to the assignment's target.
pub(crate) async fn deliver(tx: &mut dyn Tx, a: &Assignment, now: Timestamp) -> Result<Delivery> {
    let mut out = Delivery::default();
    let Some(mut subject) = tx.load::<Subject>(&a.target_id).await? else {
        return Ok(out);
    };
    crate::lifecycle::external::admit(tx, &mut subject, now).await?;
    let scopes = tx
        .find::<ResourceRoleScope>(&Query::filtered(Expr::col_eq(
            "access_package_id",
            a.access_package_id.as_str(),
        )))
        .await?;
    for rs in &scopes {
        if deliver_role_scope(tx, a, &subject, rs, now).await? {
            out.granted += 1;
        } else {
            out.failed += 1;
        }
    }
    Ok(out)
}

/// Withdraws what this assignment granted, keeping what another assignment still grants.
pub(crate) async fn undeliver(
    tx: &mut dyn Tx,
    a: &Assignment,
    only_role_scope: Option<&ResourceRoleScope>,
) -> Result<()> {
    let arr_ids = tx.linked_to(Link::DeliveredBy, &a.id).await?;
    for arr_id in arr_ids {
        let Some(arr) = tx.load::<AssignmentResourceRole>(&arr_id).await? else {
            continue;
        };
        if let Some(rs) = only_role_scope
            && (arr.role_id != rs.role_id || arr.scope_id != rs.scope_id)
        {
            continue;
        }
        tx.unlink(Link::DeliveredBy, &arr_id, &a.id).await?;
        if tx.linked(Link::DeliveredBy, &arr_id).await?.is_empty() {
            if let Some(subject) = tx.load::<Subject>(&arr.subject_id).await? {
                apply_directory(tx, &arr.role_id, &subject, false).await?;
            }
            tx.delete(Kind::AssignmentResourceRole, &arr_id).await?;
        }
    }
    Ok(())
}
