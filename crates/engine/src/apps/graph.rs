//! Microsoft's own identifiers accessd's identity provider knows: Microsoft Graph's application
//! id and application permissions (their ids in every tenant), the delegated permissions a
//! user's token carries by default, and the public clients Microsoft registers in every tenant.

/// Microsoft Graph's application id: the resource of every permission accessd checks.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// One of Microsoft Graph's application permissions (`appRole`): its id in every tenant, its
/// value (what `roles` carries) and what the consent screen calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphAppRole {
    pub id: &'static str,
    pub value: &'static str,
    pub display_name: &'static str,
}

const fn role(id: &'static str, value: &'static str, display_name: &'static str) -> GraphAppRole {
    GraphAppRole {
        id,
        value,
        display_name,
    }
}

/// The application permissions of Microsoft Graph that accessd's authorization knows.
pub const GRAPH_APP_ROLES: &[GraphAppRole] = &[
    role(
        "c74fd47d-ed3c-45c3-9a9e-b8676de685d2",
        "EntitlementManagement.Read.All",
        "Read all entitlement management resources",
    ),
    role(
        "9acd699f-1e81-4958-b001-93b1d2506e19",
        "EntitlementManagement.ReadWrite.All",
        "Read and write all entitlement management resources",
    ),
    role(
        "df021288-bdef-4463-88db-98f22de89214",
        "User.Read.All",
        "Read all users' full profiles",
    ),
    role(
        "741f803b-c850-494e-b5df-cde7c675a1ca",
        "User.ReadWrite.All",
        "Read and write all users' full profiles",
    ),
    role(
        "5b567255-7703-4780-807c-7be8301ae99b",
        "Group.Read.All",
        "Read all groups",
    ),
    role(
        "62a82d76-70ea-41e2-9197-370581804d09",
        "Group.ReadWrite.All",
        "Read and write all groups",
    ),
    role(
        "98830695-27a2-44f7-8c18-0c3ebc9698f6",
        "GroupMember.Read.All",
        "Read all group memberships",
    ),
    role(
        "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
        "Directory.Read.All",
        "Read directory data",
    ),
    role(
        "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
        "Directory.ReadWrite.All",
        "Read and write directory data",
    ),
    role(
        "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
        "Application.Read.All",
        "Read all applications",
    ),
    role(
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        "Application.ReadWrite.All",
        "Read and write all applications",
    ),
    role(
        "483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
        "RoleManagement.Read.Directory",
        "Read all directory RBAC settings",
    ),
    role(
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        "RoleManagement.ReadWrite.Directory",
        "Read and write all directory RBAC settings",
    ),
    role(
        "b0afded3-3588-46d8-8b3d-9842eff778da",
        "AuditLog.Read.All",
        "Read all audit log data",
    ),
];

/// A Graph application permission by id or by value (case-insensitive, as Entra compares).
pub fn graph_app_role(id_or_value: &str) -> Option<&'static GraphAppRole> {
    GRAPH_APP_ROLES.iter().find(|r| {
        r.id.eq_ignore_ascii_case(id_or_value) || r.value.eq_ignore_ascii_case(id_or_value)
    })
}

/// The delegated permissions a user's token carries when its client asks for `.default` and
/// declares none of its own: as if an administrator had consented to these for every client.
pub const DEFAULT_DELEGATED_SCOPES: &[&str] = &[
    "EntitlementManagement.ReadWrite.All",
    "EntitlementMgmt-SubjectAccess.ReadWrite",
    "User.Read",
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Application.ReadWrite.All",
    "RoleManagement.ReadWrite.Directory",
    "AuditLog.Read.All",
];

/// Public clients Microsoft registers in every tenant; a user may sign in through them with a
/// password without an application of their own (Microsoft Graph PowerShell, Azure CLI, Azure
/// PowerShell, Graph Explorer).
pub const FIRST_PARTY_PUBLIC_CLIENTS: &[(&str, &str)] = &[
    (
        "14d82eec-204b-4c2f-b7e8-296a70dab67e",
        "Microsoft Graph Command Line Tools",
    ),
    (
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "Microsoft Azure CLI",
    ),
    (
        "1950a258-227b-4e31-a9cf-717495945fc2",
        "Microsoft Azure PowerShell",
    ),
    ("de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph Explorer"),
];
