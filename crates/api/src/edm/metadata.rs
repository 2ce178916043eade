//! `GET /{version}/$metadata`: the CSDL of what accessd serves, rendered from the same model
//! tables that validate bodies, pruned to what the routes reach: the entity sets of
//! `served::em_sets`, the navigation properties of `served::navs`, the types those reach
//! (with their base and derived types), the enums they use, and the bound operations accessd
//! implements.

use std::collections::BTreeSet;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AUDIT, DIRECTORY, OpDef, Prop, TypeDef, find_enum, find_type, schema};
use crate::Dialect;
use crate::path::EKind;
use crate::served;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn qualified(ty: &str) -> String {
    if ty.starts_with("Edm.") {
        ty.to_string()
    } else {
        format!("microsoft.graph.{ty}")
    }
}

/// The entity kinds with a model type, by type name.
const KINDS: &[EKind] = &[
    EKind::Catalog,
    EKind::AccessPackage,
    EKind::Policy,
    EKind::Request,
    EKind::Assignment,
    EKind::Subject,
    EKind::Resource,
    EKind::ResourceRole,
    EKind::ResourceScope,
    EKind::ResourceRoleScope,
    EKind::AssignmentResourceRole,
    EKind::ResourceRequest,
    EKind::User,
    EKind::Group,
    EKind::Question,
    EKind::StageSetting,
    EKind::EmRoleDefinition,
    EKind::EmRoleAssignment,
    EKind::Approval,
    EKind::ApprovalStage,
    EKind::ApprovalStep,
    EKind::AuditEvent,
    EKind::ConnectedOrganization,
    EKind::AvailablePackage,
];

fn kind_of(name: &str) -> Option<EKind> {
    KINDS.iter().copied().find(|k| k.type_name() == name)
}

/// The operations accessd implements.
fn op_served(d: Dialect, op: &OpDef) -> bool {
    let Some((_, bound)) = op.params.first() else {
        return false;
    };
    served_operation(d, bound, op.name)
}

fn served_operation(d: Dialect, bound: &str, name: &str) -> bool {
    matches!(
        (bound, name),
        ("Collection(accessPackage)", "filterByCurrentUser")
            | ("Collection(approval)", "filterByCurrentUser")
            | (
                "Collection(accessPackageAssignment)",
                "filterByCurrentUser" | "additionalAccess"
            )
            | (
                "Collection(accessPackageAssignmentRequest)",
                "filterByCurrentUser"
            )
            | (
                "accessPackageAssignmentRequest",
                "cancel" | "reprocess" | "resume"
            )
            | ("accessPackageAssignment", "reprocess")
            | ("accessPackageResource", "refresh")
            | ("accessPackage", "getApplicablePolicyRequirements")
    ) || (d == Dialect::Beta
        && matches!(
            (bound, name),
            (
                "Collection(accessPackageAssignment)"
                    | "Collection(accessPackageAssignmentRequest)"
                    | "Collection(accessPackageAssignmentResourceRole)",
                "My"
            ) | (
                "Collection(accessPackage)" | "Collection(accessPackageCatalog)",
                "Search"
            )
        ))
}

/// The model as served: types (in name order) with their properties, and enums.
pub struct Served {
    pub types: Vec<(&'static TypeDef, Vec<&'static Prop>)>,
    pub enums: BTreeSet<&'static str>,
}

fn all_types(d: Dialect) -> impl Iterator<Item = &'static TypeDef> {
    schema(d)
        .types
        .iter()
        .chain(DIRECTORY.iter())
        .chain(AUDIT.iter())
}

/// The properties of `t` (its own) that accessd serves.
fn served_props(d: Dialect, t: &'static TypeDef) -> Vec<&'static Prop> {
    t.props
        .iter()
        .filter(|p| {
            // Types outside the rendered namespace (e.g. `customDataProvidedResourcePayloads.data`)
            // are left out with the property that needs them.
            if !p.ty.starts_with("Edm.")
                && find_type(d, p.ty).is_none()
                && find_enum(d, p.ty).is_none()
            {
                return false;
            }
            if !p.nav {
                return true;
            }
            match t.name {
                "entitlementManagement" => served::em_set(d, p.name).is_some(),
                "identityGovernance" => matches!(p.name, "entitlementManagement" | "catalogs"),
                "roleManagement" => matches!(p.name, "entitlementManagement" | "directory"),
                "rbacApplication" => matches!(p.name, "roleAssignments" | "roleDefinitions"),
                "auditLogRoot" => p.name == "directoryAudits",
                name => kind_of(name).is_some_and(|k| served::navs(d, k).contains(&p.name)),
            }
        })
        .collect()
}

pub fn served(d: Dialect) -> Served {
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    let mut enums: BTreeSet<&'static str> = BTreeSet::new();
    let mut todo: Vec<&'static str> = vec![
        "identityGovernance",
        "entitlementManagement",
        "roleManagement",
        "auditLogRoot",
        "user",
        "group",
        "directoryObject",
    ];
    // What served operations return.
    for op in schema(d).operations {
        if let Some(r) = op.returns
            && op_served(d, op)
            && let Some(t) = find_type(d, r.trim_start_matches("Collection(").trim_end_matches(')'))
        {
            todo.push(t.name);
        }
    }
    while let Some(name) = todo.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(t) = find_type(d, name) else {
            continue;
        };
        if let Some(b) = t.base {
            todo.push(b);
        }
        // Derived types can stand where the type is expected.
        for sub in all_types(d) {
            if sub.base == Some(t.name) && !seen.contains(sub.name) {
                todo.push(sub.name);
            }
        }
        for p in served_props(d, t) {
            if p.ty.starts_with("Edm.") {
                continue;
            }
            if find_enum(d, p.ty).is_some() {
                enums.insert(p.ty);
            } else if let Some(target) = find_type(d, p.ty) {
                todo.push(target.name);
            }
        }
    }
    let mut types: Vec<(&'static TypeDef, Vec<&'static Prop>)> = all_types(d)
        .filter(|t| seen.contains(t.name))
        .map(|t| (t, served_props(d, t)))
        .collect();
    types.sort_by_key(|(t, _)| t.name);
    types.dedup_by_key(|(t, _)| t.name);
    for op in schema(d).operations {
        if op_served(d, op) {
            for (_, ty) in op.params {
                let inner = ty.trim_start_matches("Collection(").trim_end_matches(')');
                if let Some(e) = find_enum(d, inner) {
                    enums.insert(e.name);
                }
            }
        }
    }
    Served { types, enums }
}

fn type_ref(p: &Prop) -> String {
    let base = qualified(p.ty);
    if p.collection {
        format!("Collection({base})")
    } else {
        base
    }
}

fn op_type(ty: &str) -> String {
    match ty.strip_prefix("Collection(") {
        Some(inner) => format!("Collection({})", qualified(inner.trim_end_matches(')'))),
        None => qualified(ty),
    }
}

/// The CSDL document for a dialect.
pub fn document(d: Dialect) -> String {
    let s = served(d);
    let mut x = String::with_capacity(128 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
    );
    x.push_str("  <edmx:DataServices>\n");
    x.push_str("    <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n");
    for name in &s.enums {
        let Some(e) = find_enum(d, name) else {
            continue;
        };
        let flags = if e.flags { " IsFlags=\"true\"" } else { "" };
        x.push_str(&format!(
            "      <EnumType Name=\"{}\"{flags}>\n",
            esc(e.name)
        ));
        for (i, m) in e.members.iter().enumerate() {
            let v = if e.flags {
                if i == 0 { 0 } else { 1u64 << (i - 1) }
            } else {
                i as u64
            };
            x.push_str(&format!(
                "        <Member Name=\"{}\" Value=\"{v}\" />\n",
                esc(m)
            ));
        }
        x.push_str("      </EnumType>\n");
    }
    for (t, props) in &s.types {
        let tag = if t.entity {
            "EntityType"
        } else {
            "ComplexType"
        };
        let mut attrs = format!("Name=\"{}\"", esc(t.name));
        if let Some(b) = t.base {
            attrs.push_str(&format!(" BaseType=\"graph.{}\"", esc(b)));
        }
        if t.is_abstract {
            attrs.push_str(" Abstract=\"true\"");
        }
        if t.open {
            attrs.push_str(" OpenType=\"true\"");
        }
        x.push_str(&format!("      <{tag} {attrs}>\n"));
        if t.name == "entity" {
            x.push_str("        <Key><PropertyRef Name=\"id\" /></Key>\n");
            x.push_str("        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\" />\n");
        }
        for p in props {
            let el = if p.nav {
                "NavigationProperty"
            } else {
                "Property"
            };
            let mut a = format!(
                "Name=\"{}\" Type=\"{}\"",
                esc(p.name),
                esc(&type_ref(p)).replace("microsoft.graph.", "graph.")
            );
            if !p.nullable {
                a.push_str(" Nullable=\"false\"");
            }
            if p.contains {
                a.push_str(" ContainsTarget=\"true\"");
            }
            x.push_str(&format!("        <{el} {a} />\n"));
        }
        x.push_str(&format!("      </{tag}>\n"));
    }
    for op in schema(d).operations {
        if !op_served(d, op) {
            continue;
        }
        let tag = if op.action { "Action" } else { "Function" };
        x.push_str(&format!(
            "      <{tag} Name=\"{}\" IsBound=\"true\">\n",
            esc(op.name)
        ));
        for (n, ty) in op.params {
            x.push_str(&format!(
                "        <Parameter Name=\"{}\" Type=\"{}\" />\n",
                esc(n),
                esc(&op_type(ty))
            ));
        }
        if let Some(r) = op.returns {
            x.push_str(&format!(
                "        <ReturnType Type=\"{}\" />\n",
                esc(&op_type(r))
            ));
        }
        x.push_str(&format!("      </{tag}>\n"));
    }
    x.push_str("      <EntityContainer Name=\"GraphService\">\n");
    x.push_str("        <Singleton Name=\"identityGovernance\" Type=\"microsoft.graph.identityGovernance\" />\n");
    x.push_str(
        "        <Singleton Name=\"roleManagement\" Type=\"microsoft.graph.roleManagement\" />\n",
    );
    x.push_str("        <EntitySet Name=\"users\" EntityType=\"microsoft.graph.user\" />\n");
    x.push_str("        <EntitySet Name=\"groups\" EntityType=\"microsoft.graph.group\" />\n");
    x.push_str("        <EntitySet Name=\"directoryObjects\" EntityType=\"microsoft.graph.directoryObject\" />\n");
    x.push_str("      </EntityContainer>\n");
    x.push_str("    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n");
    x
}

pub fn response(d: Dialect) -> Response {
    let mut res = (StatusCode::OK, document(d)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml;charset=utf-8"),
    );
    res
}
