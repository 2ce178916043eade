//! Role management (`/roleManagement/{directory,entitlementManagement}`): role definitions and
//! role assignments, the same shape in both dialects (beta adds `resourceScope`).

use accessd_domain::{RoleAssignment, RoleProvider};
use accessd_engine::RoleAssignmentDraft;
use accessd_engine::authz::roles::RoleDefinition;
use serde_json::{Map, Value, json};

use super::{In, Out};
use crate::Dialect;

pub fn definition_out(r: &RoleDefinition) -> Map<String, Value> {
    Out::default()
        .put("id", r.id)
        .put("description", r.description)
        .put("displayName", r.display_name)
        .put("isBuiltIn", true)
        .put("isEnabled", true)
        .put("templateId", r.id)
        .put("version", "1.0")
        .put(
            "rolePermissions",
            json!([{"allowedResourceActions": r.allowed_resource_actions, "condition": null}]),
        )
        .done()
}

pub fn assignment_out(d: Dialect, r: &RoleAssignment) -> Map<String, Value> {
    let o = Out::default()
        .put("id", r.id.clone())
        .put("principalId", r.principal_id.clone())
        .put("roleDefinitionId", r.role_definition_id.clone())
        .opt("directoryScopeId", r.directory_scope_id.clone())
        .opt("appScopeId", r.app_scope_id.clone())
        .put("condition", Value::Null);
    match d {
        Dialect::V1 => o.done(),
        Dialect::Beta => o
            .opt(
                "resourceScope",
                match r.provider {
                    RoleProvider::Directory => r.directory_scope_id.clone(),
                    RoleProvider::EntitlementManagement => r.app_scope_id.clone(),
                },
            )
            .done(),
    }
}

pub fn assignment_in(o: In<'_>) -> RoleAssignmentDraft {
    RoleAssignmentDraft {
        role_definition_id: o.str("roleDefinitionId").flatten(),
        principal_id: o.str("principalId").flatten(),
        directory_scope_id: o.str("directoryScopeId").flatten(),
        app_scope_id: o.str("appScopeId").flatten(),
    }
}
