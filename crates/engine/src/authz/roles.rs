//! The built-in roles authorization knows: entitlement management's catalog roles (the
//! `/roleManagement/entitlementManagement/roleDefinitions`, with Microsoft's ids) and the few
//! directory roles that entitlement management and the directory consult (their template ids,
//! the values of a token's `wids`).

use super::caps;

/// A built-in role definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleDef {
    pub id: &'static str,
    /// `displayName` as Graph returns it.
    pub display_name: &'static str,
    pub description: &'static str,
    /// `rolePermissions[0].allowedResourceActions`.
    pub allowed_resource_actions: &'static [&'static str],
    /// Whether the role holds for one catalog (`/AccessPackageCatalog/{id}`) rather than the
    /// tenant (`/`).
    pub catalog_scoped: bool,
    /// What it lets its holder do in entitlement management (see [`caps`]).
    pub caps: u32,
}

pub const CATALOG_CREATOR: &str = "ba92d953-d8e0-4e39-a797-0cbedb0a89e8";
pub const CATALOG_OWNER: &str = "ae79f266-94d4-4dab-b730-feca7e132178";
pub const CATALOG_READER: &str = "44272f93-9762-48e8-af59-1b5351b1d6b3";
pub const ACCESS_PACKAGE_MANAGER: &str = "7f480852-ebdc-47d4-87de-0d8498384a83";
pub const ACCESS_PACKAGE_ASSIGNMENT_MANAGER: &str = "e2182095-804a-4656-ae11-64734e9b7ae5";

/// Entitlement management's role definitions, in the order Graph lists them.
pub const EM_ROLES: &[RoleDef] = &[
    RoleDef {
        id: CATALOG_OWNER,
        display_name: "Catalog owner",
        description: "Catalog owner",
        allowed_resource_actions: &["microsoft.entitlementManagement/allEntities/allTasks"],
        catalog_scoped: true,
        caps: caps::READ | caps::ASSIGN | caps::PACKAGES | caps::OWNER,
    },
    RoleDef {
        id: CATALOG_READER,
        display_name: "Catalog reader",
        description: "Catalog reader",
        allowed_resource_actions: &["microsoft.entitlementManagement/allEntities/Read"],
        catalog_scoped: true,
        caps: caps::READ,
    },
    RoleDef {
        id: ACCESS_PACKAGE_MANAGER,
        display_name: "AccessPackages manager",
        description: "AccessPackages manager",
        allowed_resource_actions: &[
            "microsoft.entitlementManagement/AccessPackageCatalog/AccessPackage/allTasks",
            "microsoft.entitlementManagement/AccessPackageCatalog/allEntities/Read",
        ],
        catalog_scoped: true,
        caps: caps::READ | caps::ASSIGN | caps::PACKAGES,
    },
    RoleDef {
        id: CATALOG_CREATOR,
        display_name: "Catalog creator",
        description: "Catalog creator",
        allowed_resource_actions: &["microsoft.entitlementManagement/AccessPackageCatalog/Create"],
        catalog_scoped: false,
        caps: caps::CREATE_CATALOG,
    },
    RoleDef {
        id: ACCESS_PACKAGE_ASSIGNMENT_MANAGER,
        display_name: "AccessPackage assignment manager",
        description: "AccessPackage assignment manager",
        allowed_resource_actions: &[
            "microsoft.entitlementManagement/AccessPackageCatalog/AccessPackage/GrantRequests/allTasks",
            "microsoft.entitlementManagement/AccessPackageCatalog/AccessPackage/Grants/allTasks",
            "microsoft.entitlementManagement/AccessPackageCatalog/allEntities/Read",
        ],
        catalog_scoped: true,
        caps: caps::READ | caps::ASSIGN,
    },
];

pub fn em_role(id: &str) -> Option<&'static RoleDef> {
    EM_ROLES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

// Directory role template ids (Microsoft Entra built-in roles).
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const IDENTITY_GOVERNANCE_ADMINISTRATOR: &str = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
pub const COMPLIANCE_ADMINISTRATOR: &str = "17315797-102d-40b4-93e0-432062caca18";
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const GROUPS_ADMINISTRATOR: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";

/// A directory role accessd knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryRoleDef {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    /// What it lets its holder do in entitlement management.
    pub em_caps: u32,
    /// The resource actions accessd grants for it (a subset of the real role's).
    pub actions: &'static [&'static str],
}

pub const DIRECTORY_ROLES: &[DirectoryRoleDef] = &[
    DirectoryRoleDef {
        id: GLOBAL_ADMINISTRATOR,
        display_name: "Global Administrator",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        em_caps: caps::ALL,
        actions: &[
            "microsoft.directory/users/allProperties/allTasks",
            "microsoft.directory/groups/allProperties/allTasks",
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/entitlementManagement/allProperties/allTasks",
        ],
    },
    DirectoryRoleDef {
        id: IDENTITY_GOVERNANCE_ADMINISTRATOR,
        display_name: "Identity Governance Administrator",
        description: "Manage access using Microsoft Entra ID for identity governance scenarios.",
        em_caps: caps::ALL,
        actions: &[
            "microsoft.directory/entitlementManagement/allProperties/allTasks",
            "microsoft.directory/auditLogs/allProperties/read",
        ],
    },
    DirectoryRoleDef {
        id: GLOBAL_READER,
        display_name: "Global Reader",
        description: "Can read everything that a Global Administrator can, but not update anything.",
        em_caps: caps::READ,
        actions: &[
            "microsoft.directory/users/allProperties/read",
            "microsoft.directory/groups/allProperties/read",
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/entitlementManagement/allProperties/read",
        ],
    },
    DirectoryRoleDef {
        id: SECURITY_READER,
        display_name: "Security Reader",
        description: "Can read security information and reports in Microsoft Entra ID and Office 365.",
        em_caps: caps::READ,
        actions: &[
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/entitlementManagement/allProperties/read",
        ],
    },
    DirectoryRoleDef {
        id: SECURITY_ADMINISTRATOR,
        display_name: "Security Administrator",
        description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        em_caps: caps::READ,
        actions: &[
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/entitlementManagement/allProperties/read",
        ],
    },
    DirectoryRoleDef {
        id: COMPLIANCE_ADMINISTRATOR,
        display_name: "Compliance Administrator",
        description: "Can read and manage compliance configuration and reports in Microsoft Entra ID and Microsoft 365.",
        em_caps: caps::READ,
        actions: &["microsoft.directory/entitlementManagement/allProperties/read"],
    },
    DirectoryRoleDef {
        id: PRIVILEGED_ROLE_ADMINISTRATOR,
        display_name: "Privileged Role Administrator",
        description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        em_caps: 0,
        actions: &["microsoft.directory/roleAssignments/allProperties/allTasks"],
    },
    DirectoryRoleDef {
        id: USER_ADMINISTRATOR,
        display_name: "User Administrator",
        description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        em_caps: 0,
        actions: &[
            "microsoft.directory/users/allProperties/allTasks",
            "microsoft.directory/groups/allProperties/allTasks",
        ],
    },
    DirectoryRoleDef {
        id: GROUPS_ADMINISTRATOR,
        display_name: "Groups Administrator",
        description: "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
        em_caps: 0,
        actions: &["microsoft.directory/groups/allProperties/allTasks"],
    },
    DirectoryRoleDef {
        id: APPLICATION_ADMINISTRATOR,
        display_name: "Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps.",
        em_caps: 0,
        actions: &[
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
        ],
    },
    DirectoryRoleDef {
        id: CLOUD_APPLICATION_ADMINISTRATOR,
        display_name: "Cloud Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        em_caps: 0,
        actions: &[
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
        ],
    },
    DirectoryRoleDef {
        id: REPORTS_READER,
        display_name: "Reports Reader",
        description: "Can read sign-in and audit reports.",
        em_caps: 0,
        actions: &["microsoft.directory/auditLogs/allProperties/read"],
    },
];

pub fn directory_role(id: &str) -> Option<&'static DirectoryRoleDef> {
    DIRECTORY_ROLES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Directory roles that may write users.
pub const USER_WRITERS: &[&str] = &[GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR];
/// Directory roles that may write any group and its members.
pub const GROUP_WRITERS: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GROUPS_ADMINISTRATOR,
    USER_ADMINISTRATOR,
];
/// Directory roles that may register applications and manage service principals.
pub const APP_WRITERS: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
];
/// Directory roles that may assign directory roles.
pub const ROLE_WRITERS: &[&str] = &[GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR];
/// Directory roles that may read the audit log.
pub const AUDIT_READERS: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
    REPORTS_READER,
    IDENTITY_GOVERNANCE_ADMINISTRATOR,
];

/// A role definition as `/roleManagement/{provider}/roleDefinitions` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub allowed_resource_actions: &'static [&'static str],
}

/// The role definitions of a provider, in Graph's order.
pub fn definitions(provider: accessd_domain::RoleProvider) -> Vec<RoleDefinition> {
    match provider {
        accessd_domain::RoleProvider::EntitlementManagement => EM_ROLES
            .iter()
            .map(|r| RoleDefinition {
                id: r.id,
                display_name: r.display_name,
                description: r.description,
                allowed_resource_actions: r.allowed_resource_actions,
            })
            .collect(),
        accessd_domain::RoleProvider::Directory => DIRECTORY_ROLES
            .iter()
            .map(|r| RoleDefinition {
                id: r.id,
                display_name: r.display_name,
                description: r.description,
                allowed_resource_actions: r.actions,
            })
            .collect(),
    }
}
