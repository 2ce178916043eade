//! The Entity Data Model accessd serves, per dialect: type names, properties with their types
//! and nullability, enum members, bound operations. The entitlement-management part is generated
//! from Microsoft's CSDL (`generated.rs`, see `tools/gen-edm.py`); the directory part (users,
//! groups) is written here. Used to validate request bodies, to type query options and to
//! render `$metadata`.

mod generated;
pub mod metadata;
pub mod openapi;
pub mod validate;

use crate::Dialect;

#[derive(Debug)]
pub struct Schema {
    pub types: &'static [TypeDef],
    pub enums: &'static [EnumDef],
    pub operations: &'static [OpDef],
}

#[derive(Debug)]
pub struct TypeDef {
    pub name: &'static str,
    pub entity: bool,
    pub base: Option<&'static str>,
    pub is_abstract: bool,
    pub open: bool,
    pub props: &'static [Prop],
}

#[derive(Debug, Clone, Copy)]
pub struct Prop {
    pub name: &'static str,
    /// `Edm.String`, or a schema type name without namespace (`expirationPattern`).
    pub ty: &'static str,
    pub collection: bool,
    pub nullable: bool,
    pub nav: bool,
    pub contains: bool,
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: &'static str,
    pub flags: bool,
    pub members: &'static [&'static str],
}

#[derive(Debug)]
pub struct OpDef {
    pub action: bool,
    pub name: &'static str,
    pub params: &'static [(&'static str, &'static str)],
    pub returns: Option<&'static str>,
}

const fn p(name: &'static str, ty: &'static str) -> Prop {
    Prop {
        name,
        ty,
        collection: false,
        nullable: true,
        nav: false,
        contains: false,
    }
}
const fn pc(name: &'static str, ty: &'static str) -> Prop {
    Prop {
        name,
        ty,
        collection: true,
        nullable: true,
        nav: false,
        contains: false,
    }
}
const fn nav(name: &'static str, ty: &'static str) -> Prop {
    Prop {
        name,
        ty,
        collection: true,
        nullable: true,
        nav: true,
        contains: false,
    }
}

/// The directory types accessd serves (a subset of Graph's `user` and `group`).
static DIRECTORY: &[TypeDef] = &[
    TypeDef {
        name: "directoryObject",
        entity: true,
        base: Some("entity"),
        is_abstract: false,
        open: false,
        props: &[p("deletedDateTime", "Edm.DateTimeOffset")],
    },
    TypeDef {
        name: "user",
        entity: true,
        base: Some("directoryObject"),
        is_abstract: false,
        open: false,
        props: &[
            p("accountEnabled", "Edm.Boolean"),
            p("createdDateTime", "Edm.DateTimeOffset"),
            p("department", "Edm.String"),
            p("displayName", "Edm.String"),
            p("employeeId", "Edm.String"),
            p("givenName", "Edm.String"),
            p("jobTitle", "Edm.String"),
            p("mail", "Edm.String"),
            p("mailNickname", "Edm.String"),
            p("passwordProfile", "passwordProfile"),
            p("surname", "Edm.String"),
            p("userPrincipalName", "Edm.String"),
            p("userType", "Edm.String"),
            Prop {
                name: "manager",
                ty: "directoryObject",
                collection: false,
                nullable: true,
                nav: true,
                contains: false,
            },
            nav("memberOf", "directoryObject"),
        ],
    },
    TypeDef {
        name: "passwordProfile",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[
            p("forceChangePasswordNextSignIn", "Edm.Boolean"),
            p("forceChangePasswordNextSignInWithMfa", "Edm.Boolean"),
            p("password", "Edm.String"),
        ],
    },
    TypeDef {
        name: "group",
        entity: true,
        base: Some("directoryObject"),
        is_abstract: false,
        open: false,
        props: &[
            p("createdDateTime", "Edm.DateTimeOffset"),
            p("description", "Edm.String"),
            p("displayName", "Edm.String"),
            pc("groupTypes", "Edm.String"),
            p("mail", "Edm.String"),
            p("mailEnabled", "Edm.Boolean"),
            p("mailNickname", "Edm.String"),
            p("securityEnabled", "Edm.Boolean"),
            p("visibility", "Edm.String"),
            nav("members", "directoryObject"),
            nav("owners", "directoryObject"),
            nav("memberOf", "directoryObject"),
        ],
    },
];

/// The audit log's types (`/auditLogs/directoryAudits`), a subset of Graph's.
pub(crate) static AUDIT: &[TypeDef] = &[
    TypeDef {
        name: "auditLogRoot",
        entity: true,
        base: None,
        is_abstract: false,
        open: false,
        props: &[Prop {
            name: "directoryAudits",
            ty: "directoryAudit",
            collection: true,
            nullable: true,
            nav: true,
            contains: true,
        }],
    },
    TypeDef {
        name: "directoryAudit",
        entity: true,
        base: Some("entity"),
        is_abstract: false,
        open: false,
        props: &[
            p("activityDateTime", "Edm.DateTimeOffset"),
            p("activityDisplayName", "Edm.String"),
            pc("additionalDetails", "keyValue"),
            p("category", "Edm.String"),
            p("correlationId", "Edm.String"),
            p("initiatedBy", "auditActivityInitiator"),
            p("loggedByService", "Edm.String"),
            p("operationType", "Edm.String"),
            p("result", "Edm.String"),
            p("resultReason", "Edm.String"),
            pc("targetResources", "targetResource"),
        ],
    },
    TypeDef {
        name: "auditActivityInitiator",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[p("app", "appIdentity"), p("user", "userIdentity")],
    },
    TypeDef {
        name: "appIdentity",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[
            p("appId", "Edm.String"),
            p("displayName", "Edm.String"),
            p("servicePrincipalId", "Edm.String"),
            p("servicePrincipalName", "Edm.String"),
        ],
    },
    TypeDef {
        name: "userIdentity",
        entity: false,
        base: Some("identity"),
        is_abstract: false,
        open: false,
        props: &[
            p("ipAddress", "Edm.String"),
            p("userPrincipalName", "Edm.String"),
        ],
    },
    TypeDef {
        name: "targetResource",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[
            p("displayName", "Edm.String"),
            p("groupType", "Edm.String"),
            p("id", "Edm.String"),
            pc("modifiedProperties", "modifiedProperty"),
            p("type", "Edm.String"),
            p("userPrincipalName", "Edm.String"),
        ],
    },
    TypeDef {
        name: "modifiedProperty",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[
            p("displayName", "Edm.String"),
            p("newValue", "Edm.String"),
            p("oldValue", "Edm.String"),
        ],
    },
    TypeDef {
        name: "keyValue",
        entity: false,
        base: None,
        is_abstract: false,
        open: false,
        props: &[p("key", "Edm.String"), p("value", "Edm.String")],
    },
];

pub fn schema(d: Dialect) -> &'static Schema {
    match d {
        Dialect::V1 => &generated::V1,
        Dialect::Beta => &generated::BETA,
    }
}

/// Finds a type by name (without namespace; a leading `#` and `microsoft.graph.` are dropped).
pub fn find_type(d: Dialect, name: &str) -> Option<&'static TypeDef> {
    let n = short_name(name);
    schema(d)
        .types
        .iter()
        .find(|t| t.name == n)
        .or_else(|| DIRECTORY.iter().find(|t| t.name == n))
        .or_else(|| AUDIT.iter().find(|t| t.name == n))
}

pub fn find_enum(d: Dialect, name: &str) -> Option<&'static EnumDef> {
    let n = short_name(name);
    schema(d).enums.iter().find(|e| e.name == n)
}

/// `#microsoft.graph.singleUser` -> `singleUser`.
pub fn short_name(name: &str) -> &str {
    let n = name.strip_prefix('#').unwrap_or(name);
    n.strip_prefix("microsoft.graph.")
        .or_else(|| n.strip_prefix("graph."))
        .unwrap_or(n)
}

/// Every property of `t`, its own and inherited, base types first.
pub fn all_props(d: Dialect, t: &'static TypeDef) -> Vec<&'static Prop> {
    let mut chain = vec![t];
    let mut cur = t;
    while let Some(b) = cur.base {
        match find_type(d, b) {
            Some(bt) => {
                chain.push(bt);
                cur = bt;
            }
            None => break,
        }
    }
    let mut out = Vec::new();
    if t.entity {
        out.push(&ID_PROP);
    }
    for t in chain.iter().rev() {
        out.extend(t.props.iter());
    }
    out
}

static ID_PROP: Prop = Prop {
    name: "id",
    ty: "Edm.String",
    collection: false,
    nullable: false,
    nav: false,
    contains: false,
};

pub fn find_prop(d: Dialect, t: &'static TypeDef, name: &str) -> Option<&'static Prop> {
    all_props(d, t).into_iter().find(|p| p.name == name)
}

/// Whether `sub` is `sup` or derives from it.
pub fn is_subtype(d: Dialect, sub: &'static TypeDef, sup: &'static TypeDef) -> bool {
    let mut cur = Some(sub);
    while let Some(t) = cur {
        if std::ptr::eq(t, sup) || t.name == sup.name {
            return true;
        }
        cur = t.base.and_then(|b| find_type(d, b));
    }
    false
}

/// The concrete types that derive from `t` (including `t` itself when it is not abstract).
pub fn concrete_subtypes(d: Dialect, t: &'static TypeDef) -> Vec<&'static TypeDef> {
    schema(d)
        .types
        .iter()
        .chain(DIRECTORY.iter())
        .chain(AUDIT.iter())
        .filter(|c| !c.is_abstract && is_subtype(d, c, t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_knows_both_dialects() {
        let a = find_type(Dialect::Beta, "#microsoft.graph.accessPackageAssignment").unwrap();
        assert!(find_prop(Dialect::Beta, a, "targetId").is_some());
        assert!(find_prop(Dialect::Beta, a, "id").is_some());
        let a1 = find_type(Dialect::V1, "accessPackageAssignment").unwrap();
        assert!(find_prop(Dialect::V1, a1, "targetId").is_none());
        assert!(find_prop(Dialect::V1, a1, "state").is_some());
        let single = find_type(Dialect::V1, "singleUser").unwrap();
        let set = find_type(Dialect::V1, "subjectSet").unwrap();
        assert!(is_subtype(Dialect::V1, single, set));
        assert!(find_prop(Dialect::V1, single, "userId").is_some());
        let single_b = find_type(Dialect::Beta, "singleUser").unwrap();
        assert!(
            find_prop(Dialect::Beta, single_b, "isBackup").is_some(),
            "inherited from userSet"
        );
        assert!(
            find_enum(Dialect::V1, "allowedTargetScope")
                .unwrap()
                .members
                .contains(&"allDirectoryUsers")
        );
        assert!(find_type(Dialect::Beta, "user").is_some());
    }
}
