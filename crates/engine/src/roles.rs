//! Role assignments of both role-management providers: `/roleManagement/directory` (directory
//! roles by template id, tenant-wide) and `/roleManagement/entitlementManagement` (catalog roles
//! scoped to one catalog, and Catalog creator for the tenant).

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{
    CATALOG_SCOPE_PREFIX, Principal, RoleAssignment, RoleProvider, Timestamp, new_id,
};

use crate::authz::{Obj, Op, Res, roles};
use crate::{Engine, Error, Result};

/// What a caller asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleAssignmentDraft {
    pub role_definition_id: Option<String>,
    pub principal_id: Option<String>,
    pub directory_scope_id: Option<String>,
    pub app_scope_id: Option<String>,
}

fn res_of(provider: RoleProvider) -> Res {
    match provider {
        RoleProvider::Directory => Res::DirectoryRoleAssignment,
        RoleProvider::EntitlementManagement => Res::EmRoleAssignment,
    }
}

fn bad(provider: RoleProvider, target: &str, message: String) -> Error {
    Error::Invalid {
        code: match provider {
            RoleProvider::Directory => "Request_BadRequest",
            RoleProvider::EntitlementManagement => "BadRequest",
        },
        target: Some(target.into()),
        message,
    }
}

/// Whether a principal (user, group or service principal) with this id exists.
async fn principal_exists(tx: &mut dyn Tx, id: &str) -> Result<bool> {
    for k in [Kind::User, Kind::Group, Kind::ServicePrincipal] {
        if tx.exists(k, id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The catalog-owner assignment the creator of a catalog receives.
pub(crate) async fn make_owner(
    tx: &mut dyn Tx,
    p: &Principal,
    catalog_id: &str,
    now: Timestamp,
) -> Result<()> {
    if p.is_system() {
        return Ok(());
    }
    let ra = RoleAssignment {
        id: new_id(),
        provider: RoleProvider::EntitlementManagement,
        role_definition_id: roles::CATALOG_OWNER.into(),
        principal_id: p.object_id.clone(),
        directory_scope_id: Some("/".into()),
        app_scope_id: Some(format!("{CATALOG_SCOPE_PREFIX}{catalog_id}")),
        created_date_time: now,
    };
    tx.create(&ra).await?;
    Ok(())
}

/// Removes every role assignment scoped to a catalog (the catalog is going).
pub(crate) async fn remove_catalog_roles(tx: &mut dyn Tx, catalog_id: &str) -> Result<()> {
    let q = Query::filtered(Expr::col_eq("catalog_id", catalog_id));
    for r in tx.query(Kind::RoleAssignment, &q).await? {
        tx.delete(Kind::RoleAssignment, &r.id).await?;
    }
    Ok(())
}

/// Removes every role assignment held by a principal (it is leaving the directory).
pub(crate) async fn remove_principal_roles(tx: &mut dyn Tx, principal_id: &str) -> Result<()> {
    let q = Query::filtered(Expr::col_eq("principal_id", principal_id));
    for r in tx.query(Kind::RoleAssignment, &q).await? {
        tx.delete(Kind::RoleAssignment, &r.id).await?;
    }
    Ok(())
}

impl Engine {
    /// `POST /roleManagement/{provider}/roleAssignments`.
    pub async fn create_role_assignment(
        &self,
        p: &Principal,
        provider: RoleProvider,
        d: RoleAssignmentDraft,
    ) -> Result<RoleAssignment> {
        let role = d
            .role_definition_id
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                bad(
                    provider,
                    "roleDefinitionId",
                    "The property 'roleDefinitionId' is required.".into(),
                )
            })?;
        let principal = d
            .principal_id
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                bad(
                    provider,
                    "principalId",
                    "The property 'principalId' is required.".into(),
                )
            })?;
        let (role, directory_scope, app_scope) = match provider {
            RoleProvider::Directory => {
                let def = roles::directory_role(&role).ok_or_else(|| {
                    bad(
                        provider,
                        "roleDefinitionId",
                        format!(
                            "The role definition '{role}' is not a directory role accessd knows."
                        ),
                    )
                })?;
                let scope = d.directory_scope_id.clone().unwrap_or_else(|| "/".into());
                if scope != "/" || d.app_scope_id.as_deref().is_some_and(|s| !s.is_empty()) {
                    return Err(bad(
                        provider,
                        "directoryScopeId",
                        "Only the tenant scope ('/') is supported for directory role assignments."
                            .into(),
                    ));
                }
                (def.id.to_string(), Some(scope), None)
            }
            RoleProvider::EntitlementManagement => {
                let def = roles::em_role(&role).ok_or_else(|| {
                    bad(
                        provider,
                        "roleDefinitionId",
                        format!(
                            "The role definition '{role}' does not exist in entitlement management."
                        ),
                    )
                })?;
                let app = d.app_scope_id.clone().unwrap_or_default();
                let ok = if def.catalog_scoped {
                    app.strip_prefix(CATALOG_SCOPE_PREFIX)
                        .is_some_and(|c| !c.is_empty())
                } else {
                    app == "/"
                };
                if !ok {
                    let want = if def.catalog_scoped {
                        "'/AccessPackageCatalog/{catalogId}'"
                    } else {
                        "'/'"
                    };
                    return Err(bad(
                        provider,
                        "appScopeId",
                        format!(
                            "The role '{}' is assigned with appScopeId {want}.",
                            def.display_name
                        ),
                    ));
                }
                (def.id.to_string(), Some("/".to_string()), Some(app))
            }
        };
        let mut tx = self.begin().await?;
        let ra = RoleAssignment {
            id: new_id(),
            provider,
            role_definition_id: role,
            principal_id: principal.clone(),
            directory_scope_id: directory_scope,
            app_scope_id: app_scope,
            created_date_time: self.now(),
        };
        if let Some(c) = ra.catalog_id()
            && !tx.exists(Kind::Catalog, c).await?
        {
            return Err(Error::ref_not_found("catalog", "appScopeId", c));
        }
        let obj = Obj {
            catalog_id: ra.catalog_id().map(str::to_string),
            id: ra.catalog_id().unwrap_or_default().to_string(),
        };
        self.authorize_in(&mut *tx, p, Op::Create, res_of(provider), &obj)
            .await?;
        if !principal_exists(&mut *tx, &principal).await? {
            return Err(Error::ref_not_found(
                "directory object",
                "principalId",
                &principal,
            ));
        }
        let same = Query::filtered(Expr::and(vec![
            Expr::col_eq("provider", provider.as_str()),
            Expr::col_eq("principal_id", principal.as_str()),
            Expr::col_eq("role_definition_id", ra.role_definition_id.as_str()),
        ]));
        let duplicate = tx.find::<RoleAssignment>(&same).await?.iter().any(|x| {
            x.app_scope_id == ra.app_scope_id && x.directory_scope_id == ra.directory_scope_id
        });
        if duplicate {
            return Err(match provider {
                RoleProvider::Directory => bad(
                    provider,
                    "roleDefinitionId",
                    "A conflicting object with one or more of the specified property values is present in the directory.".into(),
                ),
                RoleProvider::EntitlementManagement => Error::Conflict {
                    code: "RoleAssignmentExists",
                    message: "The principal already holds this role over this scope.".into(),
                },
            });
        }
        tx.create(&ra).await?;
        tx.commit().await?;
        Ok(ra)
    }

    /// `DELETE /roleManagement/{provider}/roleAssignments/{id}`.
    pub async fn delete_role_assignment(
        &self,
        p: &Principal,
        provider: RoleProvider,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let ra = tx
            .load::<RoleAssignment>(id)
            .await?
            .filter(|r| r.provider == provider)
            .ok_or_else(|| Error::not_found("role assignment", id))?;
        let obj = Obj {
            catalog_id: ra.catalog_id().map(str::to_string),
            id: id.to_string(),
        };
        self.authorize_in(&mut *tx, p, Op::Delete, res_of(provider), &obj)
            .await?;
        tx.delete(Kind::RoleAssignment, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
