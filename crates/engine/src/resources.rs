//! Resources in catalogs (added through resource requests) and the resource role scopes that
//! access packages grant.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{
    AccessPackage, Assignment, AssignmentState, Group, Principal, RequestState, RequestType,
    Resource, ResourceRequest, ResourceRole, ResourceRoleScope, ResourceScope, Subject, new_id,
};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result, actor, delivery};

/// A resource request: add a resource to a catalog (`adminAdd`) or take it out (`adminRemove`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceDraft {
    pub request_type: Option<RequestType>,
    pub catalog_id: Option<String>,
    pub resource_id: Option<String>,
    pub origin_id: Option<String>,
    pub origin_system: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub resource_type: Option<String>,
    pub url: Option<String>,
    pub justification: Option<String>,
    pub is_validation_only: bool,
}

/// A role in a scope of a resource of the package's catalog, named by id or by origin id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleScopeDraft {
    pub access_package_id: String,
    pub role_id: Option<String>,
    pub role_origin_id: Option<String>,
    pub resource_id: Option<String>,
    pub resource_origin_id: Option<String>,
    pub scope_id: Option<String>,
    pub scope_origin_id: Option<String>,
}

fn roles_for(origin_system: &str, origin_id: &str) -> Vec<(String, String)> {
    if origin_system.eq_ignore_ascii_case("AadGroup") {
        vec![
            (format!("Member_{origin_id}"), "Member".into()),
            (format!("Owner_{origin_id}"), "Owner".into()),
        ]
    } else if origin_system.eq_ignore_ascii_case("SharePointOnline") {
        vec![
            (format!("{origin_id}_Members"), "Members".into()),
            (format!("{origin_id}_Owners"), "Owners".into()),
            (format!("{origin_id}_Visitors"), "Visitors".into()),
        ]
    } else {
        vec![(
            format!("DefaultAccess_{origin_id}"),
            "Default Access".into(),
        )]
    }
}

async fn by_origin<T: accessd_domain::Entity>(
    tx: &mut dyn Tx,
    catalog_id: &str,
    origin_id: &str,
) -> Result<Option<T>> {
    let q = Query {
        limit: Some(1),
        ..Query::filtered(Expr::and(vec![
            Expr::col_eq("catalog_id", catalog_id),
            Expr::col_eq("origin_id", origin_id),
        ]))
    };
    Ok(tx.find::<T>(&q).await?.into_iter().next())
}

impl Engine {
    pub async fn submit_resource_request(
        &self,
        p: &Principal,
        d: ResourceDraft,
    ) -> Result<(ResourceRequest, Option<Resource>)> {
        let kind = d.request_type.ok_or_else(|| {
            Error::invalid("requestType", "The property 'requestType' is required.")
        })?;
        let catalog_id = d.catalog_id.clone().ok_or_else(|| {
            Error::invalid(
                "catalog",
                "The property 'catalog' (or catalogId) is required.",
            )
        })?;
        let mut tx = self.begin().await?;
        let now = self.now();
        if !tx.exists(Kind::Catalog, &catalog_id).await? {
            return Err(Error::ref_not_found("catalog", "catalogId", &catalog_id));
        }
        let obj = crate::authz::Obj::in_catalog(&catalog_id, &catalog_id);
        self.authorize_in(
            &mut *tx,
            p,
            crate::authz::Op::Create,
            crate::authz::Res::ResourceRequest,
            &obj,
        )
        .await?;
        let by = actor(&mut *tx, p).await?;
        let requestor = crate::subjects::for_principal(&mut *tx, p).await?;
        let mut req = ResourceRequest {
            id: new_id(),
            catalog_id: catalog_id.clone(),
            resource_id: None,
            request_type: kind,
            state: RequestState::Delivered,
            status: Some("Fulfilled".into()),
            justification: d.justification.clone(),
            is_validation_only: d.is_validation_only,
            execute_immediately: true,
            expiration_date_time: None,
            requestor_id: Some(requestor.id),
            created_date_time: now,
        };
        let resource = match kind {
            RequestType::AdminAdd => {
                let origin_id = d.origin_id.clone().ok_or_else(|| {
                    Error::invalid(
                        "resource.originId",
                        "The property 'resource.originId' is required.",
                    )
                })?;
                let origin_system = d.origin_system.clone().unwrap_or_else(|| "AadGroup".into());
                let mut name = d.display_name.clone();
                if origin_system.eq_ignore_ascii_case("AadGroup") {
                    let g = tx.load::<Group>(&origin_id).await?.ok_or_else(|| {
                        Error::ref_not_found("group", "resource.originId", &origin_id)
                    })?;
                    name = name.or(g.display_name);
                }
                if by_origin::<Resource>(&mut *tx, &catalog_id, &origin_id)
                    .await?
                    .is_some()
                {
                    return Err(Error::refused(
                        "ResourceAlreadyOnboarded",
                        format!(
                            "The resource '{origin_id}' is already in the catalog '{catalog_id}'."
                        ),
                    ));
                }
                let r = Resource {
                    id: new_id(),
                    catalog_id: catalog_id.clone(),
                    display_name: name,
                    description: d.description.clone(),
                    origin_id: origin_id.clone(),
                    origin_system: origin_system.clone(),
                    resource_type: d.resource_type.clone().or_else(|| {
                        origin_system
                            .eq_ignore_ascii_case("AadGroup")
                            .then(|| "Security Group".to_string())
                    }),
                    url: d.url.clone(),
                    attributes: vec![],
                    is_pending_onboarding: false,
                    added_by: Some(by),
                    created_date_time: now,
                    modified_date_time: now,
                };
                req.resource_id = Some(r.id.clone());
                if d.is_validation_only {
                    return Ok((req, Some(r)));
                }
                tx.create(&r).await?;
                for (role_origin, role_name) in roles_for(&origin_system, &origin_id) {
                    tx.create(&ResourceRole {
                        id: new_id(),
                        catalog_id: catalog_id.clone(),
                        resource_id: r.id.clone(),
                        display_name: Some(role_name),
                        description: None,
                        origin_id: role_origin,
                        origin_system: origin_system.clone(),
                    })
                    .await?;
                }
                tx.create(&ResourceScope {
                    id: new_id(),
                    catalog_id: catalog_id.clone(),
                    resource_id: r.id.clone(),
                    display_name: Some("Root".into()),
                    description: Some("Root Scope".into()),
                    origin_id: origin_id.clone(),
                    origin_system: origin_system.clone(),
                    is_root_scope: true,
                    url: d.url.clone(),
                })
                .await?;
                Some(r)
            }
            RequestType::AdminRemove => {
                let r = match (&d.resource_id, &d.origin_id) {
                    (Some(id), _) => tx.load::<Resource>(id).await?,
                    (None, Some(origin)) => {
                        by_origin::<Resource>(&mut *tx, &catalog_id, origin).await?
                    }
                    _ => {
                        return Err(Error::invalid(
                            "resource.id",
                            "The resource to remove must be named by id or originId.",
                        ));
                    }
                }
                .filter(|r| r.catalog_id == catalog_id)
                .ok_or_else(|| {
                    Error::ref_not_found(
                        "resource",
                        "resource.id",
                        d.resource_id
                            .as_deref()
                            .or(d.origin_id.as_deref())
                            .unwrap_or(""),
                    )
                })?;
                req.resource_id = Some(r.id.clone());
                let roles = tx
                    .find::<ResourceRole>(&Query::filtered(Expr::col_eq(
                        "resource_id",
                        r.id.as_str(),
                    )))
                    .await?;
                for role in &roles {
                    let used = tx
                        .count(
                            Kind::ResourceRoleScope,
                            Some(&Expr::col_eq("role_id", role.id.as_str())),
                        )
                        .await?;
                    if used > 0 {
                        return Err(Error::refused(
                            "InvalidDeleteResourceHasEntitlements",
                            format!(
                                "The resource: {} can not be deleted because access packages still grant its roles.",
                                r.display_name.as_deref().unwrap_or(&r.origin_id)
                            ),
                        ));
                    }
                }
                if d.is_validation_only {
                    return Ok((req, Some(r)));
                }
                for role in roles {
                    tx.delete(Kind::ResourceRole, &role.id).await?;
                }
                for scope in tx
                    .find::<ResourceScope>(&Query::filtered(Expr::col_eq(
                        "resource_id",
                        r.id.as_str(),
                    )))
                    .await?
                {
                    tx.delete(Kind::ResourceScope, &scope.id).await?;
                }
                tx.delete(Kind::Resource, &r.id).await?;
                Some(r)
            }
            other => {
                return Err(Error::invalid(
                    "requestType",
                    format!("The request type '{other}' is not supported for resource requests."),
                ));
            }
        };
        tx.create(&req).await?;
        tx.commit().await?;
        Ok((req, resource))
    }

    /// Adds a resource role scope to an access package and grants it to the package's
    /// delivered assignments.
    pub async fn add_role_scope(
        &self,
        p: &Principal,
        d: RoleScopeDraft,
    ) -> Result<ResourceRoleScope> {
        let mut tx = self.begin().await?;
        let now = self.now();
        let ap = tx
            .load::<AccessPackage>(&d.access_package_id)
            .await?
            .ok_or_else(|| Error::not_found("access package", &d.access_package_id))?;
        let obj = crate::authz::Obj::in_catalog(&ap.id, &ap.catalog_id);
        self.authorize_in(
            &mut *tx,
            p,
            crate::authz::Op::Create,
            crate::authz::Res::ResourceRoleScope,
            &obj,
        )
        .await?;
        // The resource, when named.
        let resource = match (&d.resource_id, &d.resource_origin_id) {
            (Some(id), _) => Some(
                tx.load::<Resource>(id)
                    .await?
                    .filter(|r| r.catalog_id == ap.catalog_id)
                    .ok_or_else(|| Error::ref_not_found("resource", "role.resource.id", id))?,
            ),
            (None, Some(origin)) => Some(
                by_origin::<Resource>(&mut *tx, &ap.catalog_id, origin)
                    .await?
                    .ok_or_else(|| {
                        Error::ref_not_found("resource", "role.resource.originId", origin)
                    })?,
            ),
            _ => None,
        };
        let role = match (&d.role_id, &d.role_origin_id) {
            (Some(id), _) => tx
                .load::<ResourceRole>(id)
                .await?
                .filter(|r| r.catalog_id == ap.catalog_id),
            (None, Some(origin)) => {
                let mut parts = vec![
                    Expr::col_eq("catalog_id", ap.catalog_id.as_str()),
                    Expr::col_eq("origin_id", origin.as_str()),
                ];
                if let Some(r) = &resource {
                    parts.push(Expr::col_eq("resource_id", r.id.as_str()));
                }
                tx.find::<ResourceRole>(&Query::filtered(Expr::and(parts)))
                    .await?
                    .into_iter()
                    .next()
            }
            _ => {
                return Err(Error::invalid(
                    "role",
                    "The role must be named by id or by originId.",
                ));
            }
        }
        .ok_or_else(|| {
            Error::ref_not_found(
                "resource role",
                "role",
                d.role_id
                    .as_deref()
                    .or(d.role_origin_id.as_deref())
                    .unwrap_or(""),
            )
        })?;
        let scope = match (&d.scope_id, &d.scope_origin_id) {
            (Some(id), _) => tx
                .load::<ResourceScope>(id)
                .await?
                .filter(|s| s.resource_id == role.resource_id),
            (None, Some(origin)) => tx
                .find::<ResourceScope>(&Query::filtered(Expr::and(vec![
                    Expr::col_eq("resource_id", role.resource_id.as_str()),
                    Expr::col_eq("origin_id", origin.as_str()),
                ])))
                .await?
                .into_iter()
                .next(),
            _ => tx
                .find::<ResourceScope>(&Query::filtered(Expr::col_eq(
                    "resource_id",
                    role.resource_id.as_str(),
                )))
                .await?
                .into_iter()
                .find(|s| s.is_root_scope),
        }
        .ok_or_else(|| {
            Error::ref_not_found(
                "resource scope",
                "scope",
                d.scope_id
                    .as_deref()
                    .or(d.scope_origin_id.as_deref())
                    .unwrap_or(""),
            )
        })?;
        let dup = tx
            .count(
                Kind::ResourceRoleScope,
                Some(&Expr::and(vec![
                    Expr::col_eq("access_package_id", ap.id.as_str()),
                    Expr::col_eq("role_id", role.id.as_str()),
                    Expr::col_eq("scope_id", scope.id.as_str()),
                ])),
            )
            .await?;
        if dup > 0 {
            return Err(Error::refused(
                "ResourceRoleScopeAlreadyExists",
                "The access package already grants this role in this scope.",
            ));
        }
        let by = actor(&mut *tx, p).await?;
        let rs = ResourceRoleScope {
            id: new_id(),
            access_package_id: ap.id.clone(),
            role_id: role.id,
            scope_id: scope.id,
            created_date_time: now,
            modified_date_time: now,
            created_by: Some(by.clone()),
            modified_by: Some(by),
        };
        tx.create(&rs).await?;
        let delivered = tx
            .find::<Assignment>(&Query::filtered(Expr::and(vec![
                Expr::col_eq("access_package_id", ap.id.as_str()),
                Expr::col_eq("state", AssignmentState::Delivered.as_str()),
            ])))
            .await?;
        for a in &delivered {
            if let Some(subject) = tx.load::<Subject>(&a.target_id).await? {
                delivery::deliver_role_scope(&mut *tx, a, &subject, &rs, now).await?;
            }
        }
        tx.commit().await?;
        Ok(rs)
    }

    /// Removes a resource role scope from its package and withdraws it from the assignments.
    pub async fn remove_role_scope(&self, p: &Principal, package_id: &str, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let ap = tx
            .load::<AccessPackage>(package_id)
            .await?
            .ok_or_else(|| Error::not_found("access package", package_id))?;
        let obj = crate::authz::Obj::in_catalog(id, &ap.catalog_id);
        self.authorize_in(
            &mut *tx,
            p,
            crate::authz::Op::Delete,
            crate::authz::Res::ResourceRoleScope,
            &obj,
        )
        .await?;
        let rs = tx
            .load::<ResourceRoleScope>(id)
            .await?
            .filter(|r| r.access_package_id == package_id)
            .ok_or_else(|| Error::not_found("resource role scope", id))?;
        let assignments = tx
            .find::<Assignment>(&Query::filtered(Expr::col_eq(
                "access_package_id",
                package_id,
            )))
            .await?;
        for a in &assignments {
            delivery::undeliver(&mut *tx, a, Some(&rs)).await?;
        }
        tx.delete(Kind::ResourceRoleScope, id).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Engine {
    /// `refresh` on a catalog's resource: its display name and description read again from the
    /// object it stands for (a group, an application's service principal). A resource whose
    /// object is gone keeps what it had.
    pub async fn refresh_resource(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut r = tx
            .load::<Resource>(id)
            .await?
            .ok_or_else(|| Error::not_found("resource", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::CatalogResource,
            &Obj::in_catalog(id, r.catalog_id.clone()),
        )
        .await?;
        let (name, description) = match r.origin_system.as_str() {
            "AadGroup" => match tx.load::<Group>(&r.origin_id).await? {
                Some(g) => (g.display_name, g.description),
                None => return Ok(()),
            },
            "AadApplication" => {
                match tx
                    .load::<accessd_domain::ServicePrincipal>(&r.origin_id)
                    .await?
                {
                    Some(sp) => (sp.display_name, r.description.clone()),
                    None => return Ok(()),
                }
            }
            _ => return Ok(()),
        };
        if (&name, &description) != (&r.display_name, &r.description) {
            r.display_name = name;
            r.description = description;
            r.modified_date_time = self.now();
            tx.save(&r).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
