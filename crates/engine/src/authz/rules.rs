//! The authorization table: for each operation on each kind of resource, the administrator's
//! way (a permission plus a role requirement) and the requestor's way (a permission plus the
//! caller's own relation to the object). `docs/authorization.md` is this table in prose; the
//! matrix test (`crates/api/tests/it/authz_matrix.rs`) checks it route by route.

use super::caps::{ADMIN, ASSIGN, CREATE_CATALOG, OWNER, PACKAGES, READ};
use super::perms::*;
use super::roles::{APP_WRITERS, AUDIT_READERS, GROUP_WRITERS, ROLE_WRITERS, USER_WRITERS};

/// What is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    List,
    Get,
    Create,
    Update,
    Delete,
    /// The caller's own items: `filterByCurrentUser`, beta's `My()`.
    Mine,
    /// `additionalAccess`.
    AdditionalAccess,
    /// `getApplicablePolicyRequirements`.
    Requirements,
    Cancel,
    Reprocess,
    Resume,
    /// Approve or deny an approval stage.
    Decide,
    /// Add or remove a relationship: group members and owners, a user's manager, a package's
    /// incompatibilities.
    Relate,
    /// `addPassword`, `removePassword`.
    Secret,
}

/// What it is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Res {
    Catalog,
    AccessPackage,
    Policy,
    /// A policy with automatic assignment (`automaticRequestSettings`): administrators only.
    AutoPolicy,
    /// A request of a requestor's type (`userAdd`, `userUpdate`, `userRemove`, ...).
    Request,
    /// A request of an administrator's type (`adminAdd`, `adminUpdate`, `adminRemove`).
    AdminRequest,
    Assignment,
    Subject,
    /// A catalog's resources, their roles and scopes.
    CatalogResource,
    ResourceRoleScope,
    AssignmentResourceRole,
    ResourceRequest,
    Approval,
    /// A catalog's custom extensions (`customWorkflowExtensions`).
    CustomExtension,
    /// The tenant's entitlement-management settings.
    Settings,
    /// Connected organizations and their sponsors.
    ConnectedOrganization,
    EmRoleDefinition,
    EmRoleAssignment,
    DirectoryRoleDefinition,
    DirectoryRoleAssignment,
    User,
    Group,
    Application,
    ServicePrincipal,
    Audit,
    /// accessd's own `/_accessd/...` routes (clock, reset): not Graph.
    Emulator,
}

impl Res {
    /// The directory's objects, refused with the directory's error code.
    pub fn is_directory(self) -> bool {
        matches!(
            self,
            Res::User
                | Res::Group
                | Res::Application
                | Res::ServicePrincipal
                | Res::DirectoryRoleDefinition
                | Res::DirectoryRoleAssignment
                | Res::Audit
        )
    }

    /// Objects that live in a catalog, hidden (404) from callers who cannot read that catalog.
    pub fn is_catalog_scoped(self) -> bool {
        matches!(
            self,
            Res::Catalog
                | Res::AccessPackage
                | Res::Policy
                | Res::AutoPolicy
                | Res::Request
                | Res::AdminRequest
                | Res::Assignment
                | Res::CatalogResource
                | Res::ResourceRoleScope
                | Res::AssignmentResourceRole
                | Res::ResourceRequest
                | Res::Approval
                | Res::CustomExtension
                | Res::EmRoleAssignment
        )
    }

    /// How a 404 names it (the API's nouns).
    pub fn noun(self) -> &'static str {
        match self {
            Res::Catalog => "catalog",
            Res::AccessPackage => "access package",
            Res::Policy | Res::AutoPolicy => "assignment policy",
            Res::Request | Res::AdminRequest => "assignment request",
            Res::Assignment => "assignment",
            Res::Subject => "subject",
            Res::CatalogResource => "resource",
            Res::ResourceRoleScope => "resource role scope",
            Res::AssignmentResourceRole => "assignment resource role",
            Res::ResourceRequest => "resource request",
            Res::Approval => "approval",
            Res::CustomExtension => "custom extension",
            Res::Settings => "settings",
            Res::ConnectedOrganization => "connected organization",
            Res::EmRoleDefinition | Res::DirectoryRoleDefinition => "role definition",
            Res::EmRoleAssignment | Res::DirectoryRoleAssignment => "role assignment",
            Res::User => "user",
            Res::Group => "group",
            Res::Application => "application",
            Res::ServicePrincipal => "service principal",
            Res::Audit => "audit record",
            Res::Emulator => "emulator setting",
        }
    }
}

/// What the administrator's way needs besides the permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The permission is enough.
    Nothing,
    /// These capabilities over the object's catalog (tenant-wide holders qualify).
    InCatalog(u32),
    /// These capabilities over the whole tenant.
    Tenant(u32),
    /// (Delegated callers) one of these directory roles; an application's permission suffices.
    Directory(&'static [&'static str]),
}

/// The administrator's way: a permission (any of the bits) and a role requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Way {
    pub perm: u32,
    pub need: Need,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// App-only tokens are refused.
    pub delegated_only: bool,
    pub admin: Option<Way>,
    /// The requestor's way: any of these permission bits, and the caller's own relation to the
    /// object (its own request or assignment, an approval assigned to it, its own user, a
    /// group it owns, an access package it may request).
    pub own: Option<u32>,
}

const fn admin(perm: u32, need: Need) -> Rule {
    Rule {
        delegated_only: false,
        admin: Some(Way { perm, need }),
        own: None,
    }
}

const fn admin_or_own(perm: u32, need: Need, own: u32) -> Rule {
    Rule {
        delegated_only: false,
        admin: Some(Way { perm, need }),
        own: Some(own),
    }
}

const fn delegated(rule: Rule) -> Rule {
    Rule {
        delegated_only: true,
        ..rule
    }
}

const fn own_only(own: u32) -> Rule {
    Rule {
        delegated_only: false,
        admin: None,
        own: Some(own),
    }
}

const NOBODY: Rule = Rule {
    delegated_only: false,
    admin: None,
    own: None,
};

const EM_ANY_READ: u32 = EM_READ | EM_SUBJECT;

/// The table.
pub fn rule(op: Op, res: Res) -> Rule {
    use Need::*;
    use Op::*;
    use Res::*;
    match (op, res) {
        // ---- catalogs and what they hold ------------------------------------------------
        (List | Get, Catalog) => admin(EM_READ, InCatalog(READ)),
        (Create, Catalog) => admin(EM_WRITE, Tenant(CREATE_CATALOG)),
        (Update | Delete, Catalog) => admin(EM_WRITE, InCatalog(OWNER)),
        (List | Get, CatalogResource | ResourceRequest) => admin(EM_READ, InCatalog(READ)),
        (Create, ResourceRequest) => admin(EM_WRITE, InCatalog(OWNER)),
        (Update, CatalogResource) => admin(EM_WRITE, InCatalog(PACKAGES)),
        (List | Get, CustomExtension) => admin(EM_READ, InCatalog(READ)),
        (Get, Settings) => admin(EM_READ, Tenant(READ)),
        (Update, Settings) => admin(EM_WRITE, Tenant(ADMIN)),
        (List | Get, ConnectedOrganization) => admin(EM_READ, Tenant(READ)),
        (Create | Update | Delete | Relate, ConnectedOrganization) => {
            admin(EM_WRITE, Tenant(ADMIN))
        }
        (Create | Update | Delete, CustomExtension) => admin(EM_WRITE, InCatalog(OWNER)),

        // ---- access packages, policies, resource roles -------------------------------------
        (List, AccessPackage) => admin(EM_READ, InCatalog(READ)),
        (Get, AccessPackage) => admin_or_own(EM_READ, InCatalog(READ), EM_ANY_READ),
        (Create | Update | Delete | Relate, AccessPackage) => admin(EM_WRITE, InCatalog(PACKAGES)),
        (Requirements, AccessPackage) => delegated(admin(EM_ANY_READ, Nothing)),
        (Mine, AccessPackage) => admin(EM_READ, Nothing),
        (List | Get, Policy) => admin(EM_READ, InCatalog(READ)),
        (Create | Update | Delete, Policy) => admin(EM_WRITE, InCatalog(PACKAGES)),
        (Create | Update | Delete, AutoPolicy) => admin(EM_WRITE, Tenant(ADMIN)),
        (List | Get, ResourceRoleScope) => admin(EM_READ, InCatalog(READ)),
        (Create | Delete, ResourceRoleScope) => admin(EM_WRITE, InCatalog(PACKAGES)),

        // ---- requests, assignments, approvals ----------------------------------------------
        (List, Request) => admin(EM_READ, InCatalog(READ)),
        (Get, Request) => admin_or_own(EM_READ, InCatalog(READ), EM_ANY_READ),
        (Create, Request) => delegated(admin(EM_SUBJECT, Nothing)),
        (Create, AdminRequest) => admin(EM_WRITE, InCatalog(ASSIGN)),
        (Cancel, Request) => admin_or_own(EM_WRITE, InCatalog(ASSIGN), EM_SUBJECT),
        (Reprocess | Resume | Delete, Request) => admin(EM_WRITE, InCatalog(ASSIGN)),
        (Mine, Request) => delegated(admin(EM_ANY_READ, Nothing)),
        (List, Assignment) => admin(EM_READ, InCatalog(READ)),
        (Get, Assignment) => admin_or_own(EM_READ, InCatalog(READ), EM_ANY_READ),
        (Create | Update | Delete | Reprocess, Assignment) => admin(EM_WRITE, InCatalog(ASSIGN)),
        (Mine, Assignment) => delegated(admin(EM_READ, Nothing)),
        (AdditionalAccess, Assignment) => delegated(admin(EM_READ, InCatalog(READ))),
        (List | Get, AssignmentResourceRole) => admin(EM_READ, InCatalog(READ)),
        (Mine, AssignmentResourceRole) => delegated(admin(EM_ANY_READ, Nothing)),
        (List | Get, Subject) => admin_or_own(EM_READ, Tenant(READ), EM_ANY_READ),
        (List, Approval) => admin(EM_READ, InCatalog(READ)),
        (Get, Approval) => admin_or_own(EM_READ, InCatalog(READ), EM_ANY_READ | EM_WRITE),
        (Mine, Approval) => delegated(admin(EM_WRITE, Nothing)),
        (Decide, Approval) => delegated(own_only(EM_WRITE)),

        // ---- entitlement management's roles ------------------------------------------------
        (List | Get, EmRoleDefinition) => admin(EM_READ, Nothing),
        (List | Get, EmRoleAssignment) => admin(EM_READ, InCatalog(READ)),
        (Create | Delete, EmRoleAssignment) => admin(EM_WRITE, InCatalog(OWNER)),

        // ---- the directory -------------------------------------------------------------------
        (List | Get, User) => admin_or_own(USER_READ, Nothing, USER_SELF),
        (Create | Update | Delete | Relate, User) => admin(USER_WRITE, Directory(USER_WRITERS)),
        (List | Get, Group) => admin(GROUP_READ, Nothing),
        (Create, Group) => admin(GROUP_WRITE, Directory(GROUP_WRITERS)),
        (Update | Delete, Group) => {
            admin_or_own(GROUP_WRITE, Directory(GROUP_WRITERS), GROUP_WRITE)
        }
        (Relate, Group) => admin_or_own(
            GROUP_MEMBER_WRITE,
            Directory(GROUP_WRITERS),
            GROUP_MEMBER_WRITE,
        ),
        (List | Get, Application | ServicePrincipal) => admin(APP_READ, Nothing),
        (Create | Update | Delete | Secret, Application | ServicePrincipal) => {
            admin(APP_WRITE, Directory(APP_WRITERS))
        }
        (List | Get, DirectoryRoleDefinition | DirectoryRoleAssignment) => {
            admin(ROLE_READ, Nothing)
        }
        (Create | Delete, DirectoryRoleAssignment) => admin(ROLE_WRITE, Directory(ROLE_WRITERS)),
        (List | Get, Audit) => admin(AUDIT_READ, Directory(AUDIT_READERS)),

        // ---- accessd's own routes ------------------------------------------------------------
        (_, Emulator) => admin(EM_WRITE, Tenant(ADMIN)),

        _ => NOBODY,
    }
}
