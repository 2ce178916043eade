//! What accessd serves, as data: the entity sets under `entitlementManagement`, the navigation
//! properties it follows and the methods each kind takes, per dialect. Path resolution uses the
//! sets; `$metadata` and the OpenAPI document are rendered from all three; tests keep them in
//! step with `path::navigate` and the handlers.

use crate::Dialect;
use crate::path::EKind;

/// Entity sets under `identityGovernance/entitlementManagement`.
pub fn em_sets(d: Dialect) -> &'static [(&'static str, EKind)] {
    match d {
        Dialect::V1 => &[
            ("accessPackageAssignmentApprovals", EKind::Approval),
            ("accessPackages", EKind::AccessPackage),
            ("assignmentPolicies", EKind::Policy),
            ("assignmentRequests", EKind::Request),
            ("assignments", EKind::Assignment),
            ("availableAccessPackages", EKind::AvailablePackage),
            ("catalogs", EKind::Catalog),
            ("connectedOrganizations", EKind::ConnectedOrganization),
            ("resourceRequests", EKind::ResourceRequest),
            ("resourceRoleScopes", EKind::ResourceRoleScope),
            ("resources", EKind::Resource),
            ("subjects", EKind::Subject),
        ],
        Dialect::Beta => &[
            ("accessPackageAssignmentApprovals", EKind::Approval),
            ("accessPackageAssignmentPolicies", EKind::Policy),
            ("accessPackageAssignmentRequests", EKind::Request),
            (
                "accessPackageAssignmentResourceRoles",
                EKind::AssignmentResourceRole,
            ),
            ("accessPackageAssignments", EKind::Assignment),
            ("accessPackageCatalogs", EKind::Catalog),
            ("accessPackageResourceRequests", EKind::ResourceRequest),
            ("accessPackageResourceRoleScopes", EKind::ResourceRoleScope),
            ("accessPackageResources", EKind::Resource),
            ("accessPackages", EKind::AccessPackage),
            ("assignmentRequests", EKind::Request),
            ("availableAccessPackages", EKind::AvailablePackage),
            ("connectedOrganizations", EKind::ConnectedOrganization),
            ("subjects", EKind::Subject),
        ],
    }
}

pub fn em_set(d: Dialect, name: &str) -> Option<EKind> {
    em_sets(d).iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// The navigation properties `path::navigate` follows, per dialect and kind.
pub fn navs(d: Dialect, kind: EKind) -> &'static [&'static str] {
    use Dialect::*;
    use EKind as K;
    match (d, kind) {
        (V1, K::Catalog) => &[
            "accessPackages",
            "resources",
            "resourceRoles",
            "resourceScopes",
        ],
        (Beta, K::Catalog) => &[
            "accessPackages",
            "accessPackageResources",
            "accessPackageResourceRoles",
            "accessPackageResourceScopes",
        ],
        (V1, K::AccessPackage) => &[
            "catalog",
            "assignmentPolicies",
            "resourceRoleScopes",
            "incompatibleAccessPackages",
            "accessPackagesIncompatibleWith",
            "incompatibleGroups",
        ],
        (Beta, K::AccessPackage) => &[
            "accessPackageCatalog",
            "accessPackageAssignmentPolicies",
            "accessPackageResourceRoleScopes",
            "incompatibleAccessPackages",
            "accessPackagesIncompatibleWith",
            "incompatibleGroups",
        ],
        (V1, K::Policy) => &[
            "accessPackage",
            "catalog",
            "questions",
            "customExtensionStageSettings",
        ],
        (Beta, K::Policy) => &[
            "accessPackage",
            "accessPackageCatalog",
            "customExtensionStageSettings",
        ],
        (V1, K::Request) => &["accessPackage", "assignment", "requestor"],
        (Beta, K::Request) => &["accessPackage", "accessPackageAssignment", "requestor"],
        (V1, K::Assignment) => &["accessPackage", "assignmentPolicy", "target"],
        (Beta, K::Assignment) => &[
            "accessPackage",
            "accessPackageAssignmentPolicy",
            "target",
            "accessPackageAssignmentRequests",
            "accessPackageAssignmentResourceRoles",
        ],
        (Beta, K::AssignmentResourceRole) => &[
            "accessPackageAssignments",
            "accessPackageResourceRole",
            "accessPackageResourceScope",
            "accessPackageSubject",
        ],
        (V1, K::ResourceRoleScope) => &["role", "scope"],
        (Beta, K::ResourceRoleScope) => {
            &["accessPackageResourceRole", "accessPackageResourceScope"]
        }
        (V1, K::ResourceRole | K::ResourceScope) => &["resource"],
        (Beta, K::ResourceRole | K::ResourceScope) => &["accessPackageResource"],
        (V1, K::Resource) => &["roles", "scopes"],
        (Beta, K::Resource) => &["accessPackageResourceRoles", "accessPackageResourceScopes"],
        (V1, K::ResourceRequest) => &["catalog", "resource"],
        (Beta, K::ResourceRequest) => &["accessPackageResource", "requestor"],
        (_, K::Group) => &["members", "owners", "memberOf"],
        (_, K::EmRoleAssignment | K::DirectoryRoleAssignment) => &["roleDefinition", "principal"],
        (V1, K::Approval) => &["stages"],
        (Beta, K::Approval) => &["steps"],
        (_, K::User) => &["memberOf", "manager"],
        (_, K::ConnectedOrganization) => &["externalSponsors", "internalSponsors"],
        (_, K::Subject) => &["connectedOrganization"],
        (_, K::AvailablePackage) => &["resourceRoleScopes"],
        _ => &[],
    }
}

/// The methods a kind takes at its canonical paths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ops {
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

pub fn ops(d: Dialect, kind: EKind) -> Ops {
    use EKind as K;
    let o = |create, patch, put, delete| Ops {
        create,
        patch,
        put,
        delete,
    };
    match kind {
        K::Catalog | K::AccessPackage | K::User | K::Group | K::ConnectedOrganization => {
            o(true, true, false, true)
        }
        K::Policy => o(true, d == Dialect::Beta, true, true),
        K::Assignment => o(true, true, false, true),
        K::Request => o(true, false, false, true),
        K::ResourceRequest => o(true, false, false, false),
        K::ResourceRoleScope => o(true, false, false, true),
        K::EmRoleAssignment | K::DirectoryRoleAssignment => o(true, false, false, true),
        K::ApprovalStage | K::ApprovalStep => o(false, true, false, false),
        _ => Ops::default(),
    }
}

/// The kinds with a top-level collection in a dialect, with their collection paths.
pub fn collections(d: Dialect) -> Vec<(String, EKind)> {
    let mut out: Vec<(String, EKind)> = em_sets(d)
        .iter()
        .map(|(n, k)| (format!("/identityGovernance/entitlementManagement/{n}"), *k))
        .collect();
    out.push(("/users".into(), EKind::User));
    out.push(("/groups".into(), EKind::Group));
    out.push(("/auditLogs/directoryAudits".into(), EKind::AuditEvent));
    for (provider, definitions, assignments) in [
        (
            "entitlementManagement",
            EKind::EmRoleDefinition,
            EKind::EmRoleAssignment,
        ),
        (
            "directory",
            EKind::DirectoryRoleDefinition,
            EKind::DirectoryRoleAssignment,
        ),
    ] {
        out.push((
            format!("/roleManagement/{provider}/roleDefinitions"),
            definitions,
        ));
        out.push((
            format!("/roleManagement/{provider}/roleAssignments"),
            assignments,
        ));
    }
    out
}
