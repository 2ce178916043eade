//! accessPackageCatalog and accessPackage in both dialects.

use accessd_domain::*;
use serde_json::{Map, Value};

use super::{In, Out, set, set_nn};
use crate::Dialect;

pub fn blank_catalog(now: Timestamp) -> Catalog {
    Catalog {
        id: String::new(),
        display_name: None,
        description: None,
        catalog_type: CatalogType::UserManaged,
        state: CatalogState::Published,
        is_externally_visible: false,
        unique_name: None,
        privilege_level: PrivilegeLevel::Standard,
        audit: model::Audit::new(now, None),
    }
}

pub fn catalog_in(d: Dialect, o: In<'_>, c: &mut Catalog) {
    set(&mut c.display_name, o.str("displayName"));
    set(&mut c.description, o.str("description"));
    set_nn(&mut c.is_externally_visible, o.bool("isExternallyVisible"));
    if let Some(Some(t)) = o.str("catalogType")
        && let Some(t) = CatalogType::parse_ignore_case(&t)
    {
        c.catalog_type = t;
    }
    let state_key = if d == Dialect::V1 {
        "state"
    } else {
        "catalogStatus"
    };
    if let Some(Some(s)) = o.str(state_key)
        && let Some(s) = CatalogState::parse_ignore_case(&s)
    {
        c.state = s;
    }
    if d == Dialect::Beta {
        set(&mut c.unique_name, o.str("uniqueName"));
        if let Some(Some(p)) = o.str("privilegeLevel")
            && let Some(p) = PrivilegeLevel::parse_ignore_case(&p)
        {
            c.privilege_level = p;
        }
    }
}

pub fn catalog_out(d: Dialect, c: &Catalog) -> Map<String, Value> {
    let a = &c.audit;
    match d {
        Dialect::V1 => Out::typed("accessPackageCatalog")
            .put("id", c.id.clone())
            .opt("displayName", c.display_name.clone())
            .opt("description", c.description.clone())
            .put("catalogType", c.catalog_type.as_str())
            .put("state", c.state.as_str())
            .put("isExternallyVisible", c.is_externally_visible)
            .ts("createdDateTime", Some(&a.created_date_time))
            .ts("modifiedDateTime", Some(&a.modified_date_time))
            .done(),
        Dialect::Beta => Out::typed("accessPackageCatalog")
            .put("id", c.id.clone())
            .opt("displayName", c.display_name.clone())
            .opt("description", c.description.clone())
            .put("catalogType", c.catalog_type.pascal())
            .put("catalogStatus", c.state.pascal())
            .put("isExternallyVisible", c.is_externally_visible)
            .opt("uniqueName", c.unique_name.clone())
            .put("privilegeLevel", c.privilege_level.as_str())
            .opt("createdBy", a.created_by.clone())
            .ts("createdDateTime", Some(&a.created_date_time))
            .opt("modifiedBy", a.modified_by.clone())
            .ts("modifiedDateTime", Some(&a.modified_date_time))
            .done(),
    }
}

pub fn blank_package(now: Timestamp) -> AccessPackage {
    AccessPackage {
        id: String::new(),
        catalog_id: String::new(),
        display_name: None,
        description: None,
        is_hidden: false,
        is_role_scopes_visible: false,
        unique_name: None,
        audit: model::Audit::new(now, None),
    }
}

pub fn package_in(d: Dialect, o: In<'_>, p: &mut AccessPackage) {
    set(&mut p.display_name, o.str("displayName"));
    set(&mut p.description, o.str("description"));
    set_nn(&mut p.is_hidden, o.bool("isHidden"));
    let nav = if d == Dialect::V1 {
        "catalog"
    } else {
        "accessPackageCatalog"
    };
    if let Some(id) = o.ref_id(nav) {
        p.catalog_id = id;
    }
    if d == Dialect::Beta {
        if let Some(Some(c)) = o.str("catalogId") {
            p.catalog_id = c;
        }
        set_nn(&mut p.is_role_scopes_visible, o.bool("isRoleScopesVisible"));
        set(&mut p.unique_name, o.str("uniqueName"));
    }
}

pub fn package_out(d: Dialect, p: &AccessPackage) -> Map<String, Value> {
    let a = &p.audit;
    match d {
        Dialect::V1 => Out::typed("accessPackage")
            .put("id", p.id.clone())
            .opt("displayName", p.display_name.clone())
            .opt("description", p.description.clone())
            .put("isHidden", p.is_hidden)
            .ts("createdDateTime", Some(&a.created_date_time))
            .ts("modifiedDateTime", Some(&a.modified_date_time))
            .done(),
        Dialect::Beta => Out::typed("accessPackage")
            .put("id", p.id.clone())
            .put("catalogId", p.catalog_id.clone())
            .opt("displayName", p.display_name.clone())
            .opt("description", p.description.clone())
            .put("isHidden", p.is_hidden)
            .put("isRoleScopesVisible", p.is_role_scopes_visible)
            .opt("uniqueName", p.unique_name.clone())
            .opt("createdBy", a.created_by.clone())
            .ts("createdDateTime", Some(&a.created_date_time))
            .opt("modifiedBy", a.modified_by.clone())
            .ts("modifiedDateTime", Some(&a.modified_date_time))
            .done(),
    }
}

/// An access package as end users browse it (`availableAccessPackage`).
pub fn available_out(p: &AccessPackage) -> Map<String, Value> {
    Out::typed("availableAccessPackage")
        .put("id", p.id.clone())
        .opt("displayName", p.display_name.clone())
        .opt("description", p.description.clone())
        .done()
}
