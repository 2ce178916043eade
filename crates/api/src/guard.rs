//! Authorization of what a path reads. The decision is the engine's (`accessd_engine::authz`,
//! one table for every caller); this module only says what a resolved path names in the
//! table's terms (operation, resource, the object's catalog, the caller's own relation to it),
//! and turns a list's scope into a condition on the collection. Writes are authorized by the
//! engine's use cases themselves, so the API and any other caller of the engine share them.

use accessd_domain::query::{Expr, Query, Value};
use accessd_domain::store::{Tx, TxExt};
use accessd_domain::*;
use accessd_engine::Engine;
use accessd_engine::authz::{self, Grants, ListScope, Obj, Op, Res};
use axum::http::Method;

use crate::error::{ApiError, ApiResult};
use crate::path::{self, Coll, EKind, Ent, Target};

/// The resource a kind of the API is in the table.
pub fn res_of(kind: EKind) -> Res {
    match kind {
        EKind::Catalog => Res::Catalog,
        EKind::AccessPackage => Res::AccessPackage,
        EKind::Policy | EKind::Question | EKind::StageSetting => Res::Policy,
        EKind::Request => Res::Request,
        EKind::Assignment => Res::Assignment,
        EKind::Subject => Res::Subject,
        EKind::Resource | EKind::ResourceRole | EKind::ResourceScope => Res::CatalogResource,
        EKind::ResourceRoleScope => Res::ResourceRoleScope,
        EKind::AssignmentResourceRole => Res::AssignmentResourceRole,
        EKind::ResourceRequest => Res::ResourceRequest,
        EKind::User => Res::User,
        EKind::Group | EKind::DirectoryObject => Res::Group,
        EKind::EmRoleDefinition => Res::EmRoleDefinition,
        EKind::EmRoleAssignment => Res::EmRoleAssignment,
        EKind::DirectoryRoleDefinition => Res::DirectoryRoleDefinition,
        EKind::DirectoryRoleAssignment => Res::DirectoryRoleAssignment,
        EKind::Approval | EKind::ApprovalStage | EKind::ApprovalStep => Res::Approval,
        EKind::AuditEvent => Res::Audit,
        EKind::DeletedItem => Res::Group,
        EKind::ConnectedOrganization => Res::ConnectedOrganization,
        EKind::AvailablePackage => Res::AccessPackage,
    }
}

/// The table's view of a loaded entity.
async fn obj_of(tx: &mut dyn Tx, ent: &Ent) -> ApiResult<Obj> {
    let id = ent.id().to_string();
    let catalog = match ent {
        Ent::Catalog(c) => Some(c.id.clone()),
        Ent::AccessPackage(a) | Ent::AvailablePackage(a) => Some(a.catalog_id.clone()),
        Ent::Policy(p) => Some(p.catalog_id.clone()),
        Ent::Request(r) => r.catalog_id.clone(),
        Ent::Assignment(a) => Some(a.catalog_id.clone()),
        Ent::Resource(r) => Some(r.catalog_id.clone()),
        Ent::ResourceRole(r) => Some(r.catalog_id.clone()),
        Ent::ResourceScope(r) => Some(r.catalog_id.clone()),
        Ent::ResourceRequest(r) => Some(r.catalog_id.clone()),
        Ent::ResourceRoleScope(rs) => tx
            .load::<AccessPackage>(&rs.access_package_id)
            .await?
            .map(|a| a.catalog_id),
        Ent::AssignmentResourceRole(arr) => tx
            .load::<ResourceRole>(&arr.role_id)
            .await?
            .map(|r| r.catalog_id),
        Ent::RoleAssignment(r) => r.catalog_id().map(str::to_string),
        Ent::Approval(a) => Some(a.catalog_id.clone()),
        Ent::ApprovalStage(_)
        | Ent::ApprovalStep(_)
        | Ent::AuditEvent(_)
        | Ent::DeletedItem(_)
        | Ent::ConnectedOrganization(_) => None,
        Ent::Subject(_)
        | Ent::User(_)
        | Ent::Group(_)
        | Ent::Question(_)
        | Ent::StageSetting(_)
        | Ent::RoleDefinition(..) => None,
    };
    Ok(Obj {
        catalog_id: catalog,
        id,
    })
}

/// Whether the caller has its own relation to the entity (the requestor's way).
async fn owns(tx: &mut dyn Tx, me: &str, ent: &Ent) -> ApiResult<bool> {
    Ok(match ent {
        // A request is its requestor's and target's, and its approvers' while they are asked.
        Ent::Request(r) => {
            authz::own::request(r, me)
                || tx
                    .load::<Approval>(&r.id)
                    .await?
                    .is_some_and(|a| a.stages.iter().any(|s| s.assigned_to(me)))
        }
        Ent::Assignment(a) => authz::own::assignment(a, me),
        Ent::AccessPackage(a) => authz::own::package(tx, &a.id, me).await?,
        Ent::Subject(s) => s.object_id.as_deref() == Some(me) || s.id == me,
        Ent::User(u) => u.id == me,
        Ent::Group(g) => authz::own::group(tx, &g.id, me).await?,
        Ent::Approval(a) => authz::own::approval(a, me),
        _ => false,
    })
}

/// A 404 in the words the path resolver would have used for an id that names nothing.
fn as_path_error(e: accessd_engine::Error, kind: EKind, id: &str) -> ApiError {
    match e {
        accessd_engine::Error::NotFound { .. } => path::key_not_found(kind, id),
        other => other.into(),
    }
}

/// Checks that the caller may read `ent` (reached as `kind`).
async fn readable(
    g: &Grants,
    tx: &mut dyn Tx,
    p: &Principal,
    ent: &Ent,
    parent: Option<&Ent>,
) -> ApiResult<()> {
    let kind = ent.kind();
    // Items held inside another entity (a policy's questions and stage settings, an
    // approval's stages) are read as that entity is.
    let (ent, kind) = match (ent, parent) {
        (
            Ent::Question(_) | Ent::StageSetting(_) | Ent::ApprovalStage(_) | Ent::ApprovalStep(_),
            Some(p),
        ) => (p, p.kind()),
        // A connected organization's sponsors are read as the organization is, an available
        // package's role scopes as the package.
        (_, Some(p @ (Ent::ConnectedOrganization(_) | Ent::AvailablePackage(_)))) => (p, p.kind()),
        _ => (ent, kind),
    };
    if let Ent::AvailablePackage(a) = ent {
        return available(g, tx, p, a).await;
    }
    let obj = obj_of(tx, ent).await?;
    let check = authz::check_grants(g, Op::Get, res_of(kind), &obj)
        .map_err(|err| as_path_error(err, kind, ent.id()))?;
    let own = check.needs_own() && owns(tx, &p.object_id, ent).await?;
    check
        .own(own)
        .map_err(|err| as_path_error(err, kind, ent.id()))
}

/// `availableAccessPackages`: what the signed-in user may request (an application sees every
/// package that is not hidden). Needs an entitlement-management read permission, no role.
async fn available_scope(g: &Grants, tx: &mut dyn Tx, p: &Principal) -> ApiResult<Expr> {
    authz::check_grants(g, Op::Mine, Res::AccessPackage, &Obj::default())?.own(true)?;
    let visible = Expr::col_eq("is_hidden", false);
    if p.kind != PrincipalKind::User {
        // An application: the packages it may read that are not hidden.
        let scope = authz::list_scope(g, Op::List, Res::AccessPackage)?;
        return Ok(match scope_expr(tx, EKind::AccessPackage, scope).await? {
            Some(readable) => Expr::And(vec![visible, readable]),
            None => visible,
        });
    }
    let ids = accessd_engine::allowed_packages(tx, &p.object_id).await?;
    Ok(Expr::And(vec![
        visible,
        Expr::In(
            Box::new(Expr::Column("id")),
            ids.into_iter().map(Value::Text).collect(),
        ),
    ]))
}

/// One available package: 404 unless the caller may request it.
async fn available(g: &Grants, tx: &mut dyn Tx, p: &Principal, a: &AccessPackage) -> ApiResult<()> {
    authz::check_grants(g, Op::Mine, Res::AccessPackage, &Obj::default())?.own(true)?;
    let may = !a.is_hidden
        && if p.kind == PrincipalKind::User {
            accessd_engine::allowed_packages(tx, &p.object_id)
                .await?
                .contains(&a.id)
        } else {
            let obj = Obj::in_catalog(&a.id, &a.catalog_id);
            authz::check_grants(g, Op::Get, Res::AccessPackage, &obj).is_ok_and(|c| !c.needs_own())
        };
    if may {
        Ok(())
    } else {
        Err(path::key_not_found(EKind::AvailablePackage, &a.id))
    }
}

/// The condition that keeps a list to what the caller may see.
async fn scope_expr(tx: &mut dyn Tx, kind: EKind, scope: ListScope) -> ApiResult<Option<Expr>> {
    let ListScope::Catalogs(catalogs) = scope else {
        return Ok(None);
    };
    let list = |ids: Vec<String>| ids.into_iter().map(Value::Text).collect::<Vec<_>>();
    let in_catalogs =
        |col: &'static str| Expr::In(Box::new(Expr::Column(col)), list(catalogs.clone()));
    Ok(Some(match kind {
        EKind::Catalog => in_catalogs("id"),
        EKind::AccessPackage
        | EKind::Policy
        | EKind::Request
        | EKind::Assignment
        | EKind::Resource
        | EKind::ResourceRole
        | EKind::ResourceScope
        | EKind::ResourceRequest
        | EKind::EmRoleAssignment
        | EKind::Approval => in_catalogs("catalog_id"),
        EKind::ResourceRoleScope => {
            let packages = ids_in_catalogs::<AccessPackage>(tx, &catalogs, |a| a.id).await?;
            Expr::In(Box::new(Expr::Column("access_package_id")), list(packages))
        }
        EKind::AssignmentResourceRole => {
            let roles = ids_in_catalogs::<ResourceRole>(tx, &catalogs, |r| r.id).await?;
            Expr::In(Box::new(Expr::Column("role_id")), list(roles))
        }
        _ => return Ok(None),
    }))
}

async fn ids_in_catalogs<T: Entity>(
    tx: &mut dyn Tx,
    catalogs: &[String],
    id: impl Fn(T) -> String,
) -> ApiResult<Vec<String>> {
    let q = Query::filtered(Expr::In(
        Box::new(Expr::Column("catalog_id")),
        catalogs.iter().cloned().map(Value::Text).collect(),
    ));
    Ok(tx.find::<T>(&q).await?.into_iter().map(id).collect())
}

/// Authorizes a list of `coll` through `op`; returns the condition that keeps it to what the
/// caller may see.
async fn list(
    g: &Grants,
    tx: &mut dyn Tx,
    p: &Principal,
    coll: &Coll,
    op: Op,
) -> ApiResult<Option<Expr>> {
    if let Some((parent, _)) = &coll.parent {
        readable(g, tx, p, parent, None).await?;
    }
    // Items held inside a readable entity need nothing more.
    if matches!(
        coll.kind,
        EKind::Question | EKind::StageSetting | EKind::ApprovalStage | EKind::ApprovalStep
    ) || matches!(
        coll.parent,
        Some((Ent::ConnectedOrganization(_) | Ent::AvailablePackage(_), _))
    ) {
        return Ok(None);
    }
    if coll.kind == EKind::AvailablePackage {
        return available_scope(g, tx, p).await.map(Some);
    }
    let res = res_of(coll.kind);
    let scope = authz::list_scope(g, op, res)?;
    scope_expr(tx, coll.kind, scope).await
}

/// Authorizes what the request reads; returns the condition a list must add, if any. Targets
/// that write are authorized by the engine's use cases and pass here unchanged.
pub async fn authorize(
    e: &Engine,
    p: &Principal,
    tx: &mut dyn Tx,
    method: &Method,
    target: &Target,
) -> ApiResult<Option<Expr>> {
    let reads = *method == Method::GET;
    let g = e.grants_in(tx, p).await?;
    match target {
        Target::Collection(coll) | Target::Count(coll) | Target::CollectionRef(coll) if reads => {
            list(&g, tx, p, coll, Op::List).await
        }
        Target::Entity { ent, within, .. } if reads => {
            let parent = within
                .as_ref()
                .and_then(|c| c.parent.as_ref().map(|(p, _)| p));
            if let Some(parent) = parent {
                readable(&g, tx, p, parent, None).await?;
            }
            readable(&g, tx, p, ent, parent).await?;
            Ok(None)
        }
        Target::Function { coll, name, .. } if reads => {
            let op = match name.as_str() {
                "filterByCurrentUser" | "My" => Op::Mine,
                "additionalAccess" => Op::AdditionalAccess,
                _ => Op::List,
            };
            if op == Op::Mine {
                if let Some((parent, _)) = &coll.parent {
                    readable(&g, tx, p, parent, None).await?;
                }
                authz::check_grants(&g, op, res_of(coll.kind), &Obj::default())?.own(true)?;
                return Ok(None);
            }
            list(&g, tx, p, coll, op).await
        }
        Target::SingleRef { ent, .. } if reads => {
            readable(&g, tx, p, ent, None).await?;
            Ok(None)
        }
        Target::Action { ent, name } if name == "getApplicablePolicyRequirements" => {
            authz::check_grants(
                &g,
                Op::Requirements,
                res_of(ent.kind()),
                &Obj::new(ent.id()),
            )?
            .own(true)?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `/me`: the signed-in user; an app-only token has none.
pub async fn me(e: &Engine, p: &Principal, tx: &mut dyn Tx) -> ApiResult<()> {
    if p.kind != PrincipalKind::User {
        return Err(ApiError::bad_request(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    let g = e.grants_in(tx, p).await?;
    authz::check_grants(&g, Op::Get, Res::User, &Obj::new(&p.object_id))?.own(true)?;
    Ok(())
}
