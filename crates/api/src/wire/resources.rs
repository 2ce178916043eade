//! The resource side in both dialects: resources, their roles and scopes, the role scopes an
//! access package grants, delivered resource roles (beta) and resource requests.

use accessd_domain::*;
use accessd_engine::{ResourceDraft, RoleScopeDraft};
use serde_json::{Map, Value};

use super::{In, Out};
use crate::Dialect;

fn nav<'a>(d: Dialect, v1: &'a str, beta: &'a str) -> &'a str {
    if d == Dialect::V1 { v1 } else { beta }
}

pub fn resource_out(d: Dialect, r: &Resource) -> Map<String, Value> {
    let o = Out::typed("accessPackageResource")
        .put("id", r.id.clone())
        .opt("displayName", r.display_name.clone())
        .opt("description", r.description.clone())
        .put("originId", r.origin_id.clone())
        .put("originSystem", r.origin_system.clone())
        .put("attributes", Value::Array(r.attributes.clone()));
    match d {
        Dialect::V1 => o
            .ts("createdDateTime", Some(&r.created_date_time))
            .ts("modifiedDateTime", Some(&r.modified_date_time))
            .done(),
        Dialect::Beta => o
            .opt("resourceType", r.resource_type.clone())
            .opt("url", r.url.clone())
            .put("isPendingOnboarding", r.is_pending_onboarding)
            .opt("addedBy", r.added_by.clone())
            .ts("addedOn", Some(&r.created_date_time))
            .done(),
    }
}

pub fn role_out(_d: Dialect, r: &ResourceRole) -> Map<String, Value> {
    Out::typed("accessPackageResourceRole")
        .put("id", r.id.clone())
        .opt("displayName", r.display_name.clone())
        .opt("description", r.description.clone())
        .put("originId", r.origin_id.clone())
        .put("originSystem", r.origin_system.clone())
        .done()
}

pub fn scope_out(d: Dialect, s: &ResourceScope) -> Map<String, Value> {
    let o = Out::typed("accessPackageResourceScope")
        .put("id", s.id.clone())
        .opt("displayName", s.display_name.clone())
        .opt("description", s.description.clone())
        .put("originId", s.origin_id.clone())
        .put("originSystem", s.origin_system.clone())
        .put("isRootScope", s.is_root_scope);
    match d {
        Dialect::V1 => o.done(),
        Dialect::Beta => o.opt("url", s.url.clone()).done(),
    }
}

pub fn role_scope_out(d: Dialect, r: &ResourceRoleScope) -> Map<String, Value> {
    let o = Out::typed("accessPackageResourceRoleScope")
        .put("id", r.id.clone())
        .ts("createdDateTime", Some(&r.created_date_time));
    match d {
        Dialect::V1 => o.done(),
        Dialect::Beta => o
            .opt("createdBy", r.created_by.clone())
            .opt("modifiedBy", r.modified_by.clone())
            .ts("modifiedDateTime", Some(&r.modified_date_time))
            .done(),
    }
}

pub fn role_scope_in(d: Dialect, o: In<'_>, access_package_id: &str) -> RoleScopeDraft {
    let role = o.obj(nav(d, "role", "accessPackageResourceRole")).flatten();
    let scope = o
        .obj(nav(d, "scope", "accessPackageResourceScope"))
        .flatten();
    let resource = role.and_then(|r| r.obj(nav(d, "resource", "accessPackageResource")).flatten());
    RoleScopeDraft {
        access_package_id: access_package_id.to_string(),
        role_id: role.and_then(|r| r.str("id").flatten()),
        role_origin_id: role.and_then(|r| r.str("originId").flatten()),
        resource_id: resource.and_then(|r| r.str("id").flatten()),
        resource_origin_id: resource.and_then(|r| r.str("originId").flatten()),
        scope_id: scope.and_then(|s| s.str("id").flatten()),
        scope_origin_id: scope.and_then(|s| s.str("originId").flatten()),
    }
}

pub fn assignment_resource_role_out(r: &AssignmentResourceRole) -> Map<String, Value> {
    Out::typed("accessPackageAssignmentResourceRole")
        .put("id", r.id.clone())
        .opt("originId", r.origin_id.clone())
        .opt("originSystem", r.origin_system.clone())
        .put("status", r.status.clone())
        .done()
}

pub fn resource_request_in(d: Dialect, o: In<'_>) -> ResourceDraft {
    let resource = o.obj(nav(d, "resource", "accessPackageResource")).flatten();
    let catalog = match d {
        Dialect::V1 => o.ref_id("catalog"),
        Dialect::Beta => o
            .str("catalogId")
            .flatten()
            .or_else(|| o.ref_id("accessPackageCatalog")),
    };
    ResourceDraft {
        request_type: o
            .str("requestType")
            .flatten()
            .and_then(|t| RequestType::parse_ignore_case(&t)),
        catalog_id: catalog,
        resource_id: resource.and_then(|r| r.str("id").flatten()),
        origin_id: resource.and_then(|r| r.str("originId").flatten()),
        origin_system: resource.and_then(|r| r.str("originSystem").flatten()),
        display_name: resource.and_then(|r| r.str("displayName").flatten()),
        description: resource.and_then(|r| r.str("description").flatten()),
        resource_type: resource.and_then(|r| r.str("resourceType").flatten()),
        url: resource.and_then(|r| r.str("url").flatten()),
        justification: o.str("justification").flatten(),
        is_validation_only: o.bool("isValidationOnly").flatten().unwrap_or(false),
    }
}

pub fn resource_request_out(d: Dialect, r: &ResourceRequest) -> Map<String, Value> {
    match d {
        Dialect::V1 => Out::typed("accessPackageResourceRequest")
            .put("id", r.id.clone())
            .put("requestType", r.request_type.as_str())
            .put("state", r.state.as_str())
            .ts("createdDateTime", Some(&r.created_date_time))
            .done(),
        Dialect::Beta => Out::typed("accessPackageResourceRequest")
            .put("id", r.id.clone())
            .put("catalogId", r.catalog_id.clone())
            .put("requestType", r.request_type.pascal())
            .put("requestState", r.state.pascal())
            .opt("requestStatus", r.status.clone())
            .opt("justification", r.justification.clone())
            .put("isValidationOnly", r.is_validation_only)
            .put("executeImmediately", r.execute_immediately)
            .ts("expirationDateTime", r.expiration_date_time.as_ref())
            .done(),
    }
}
