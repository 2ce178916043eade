//! Who may act: role assignments (of the directory and of entitlement management), applications
//! and their service principals, and the secrets that prove an identity to the built-in token
//! endpoint.

use serde::{Deserialize, Serialize};

use crate::named_enum;
use crate::time::Timestamp;

named_enum! {
    /// Which role-management provider an assignment belongs to
    /// (`/roleManagement/directory` or `/roleManagement/entitlementManagement`).
    pub enum RoleProvider { Directory = "directory", EntitlementManagement = "entitlementManagement" }
}

/// The app scope of a role assignment that holds for one catalog.
pub const CATALOG_SCOPE_PREFIX: &str = "/AccessPackageCatalog/";

/// `unifiedRoleAssignment`: a principal (user, group or service principal) holds a role
/// definition over a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: String,
    pub provider: RoleProvider,
    pub role_definition_id: String,
    pub principal_id: String,
    /// `/` (tenant) for the directory provider and for tenant-wide EM roles.
    pub directory_scope_id: Option<String>,
    /// `/AccessPackageCatalog/{catalogId}` or `/` for the EM provider.
    pub app_scope_id: Option<String>,
    pub created_date_time: Timestamp,
}

impl RoleAssignment {
    /// The catalog the assignment is scoped to, for catalog-scoped EM roles.
    pub fn catalog_id(&self) -> Option<&str> {
        self.app_scope_id
            .as_deref()
            .and_then(|s| s.strip_prefix(CATALOG_SCOPE_PREFIX))
            .filter(|s| !s.is_empty())
    }
}

/// An application registration (`application`). Its secrets' public halves are listed here;
/// the hashes live in [`Credential`]s, never in this document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    /// The client id.
    pub app_id: String,
    pub display_name: Option<String>,
    pub sign_in_audience: Option<String>,
    pub password_credentials: Vec<PasswordCredentialInfo>,
    /// `isFallbackPublicClient`: a public client (no secret) may sign users in with a password.
    #[serde(default)]
    pub is_fallback_public_client: bool,
    /// The delegated permissions (Graph scope names) a signed-in user's token carries when the
    /// client asks for `.default` (`requiredResourceAccess` entries of type `Scope`, kept by
    /// name; admin consent is taken as given).
    #[serde(default)]
    pub delegated_scopes: Vec<String>,
    pub created_date_time: Timestamp,
}

/// What Graph shows of a client secret (`passwordCredential` without `secretText`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordCredentialInfo {
    pub key_id: String,
    pub display_name: Option<String>,
    /// The first three characters of the secret.
    pub hint: Option<String>,
    pub start_date_time: Timestamp,
    pub end_date_time: Option<Timestamp>,
}

/// The application's identity in this tenant (`servicePrincipal`). `app_roles` are the Graph
/// application permissions granted to it (`EntitlementManagement.ReadWrite.All`, ...): their
/// values are what an app-only token issued to it carries in `roles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: Option<String>,
    pub account_enabled: bool,
    pub service_principal_type: String,
    #[serde(default)]
    pub app_roles: Vec<AppRoleGrant>,
    pub created_date_time: Timestamp,
}

/// An application permission granted to a service principal (`appRoleAssignment`, resource
/// Microsoft Graph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRoleGrant {
    pub id: String,
    pub app_role_id: String,
    /// The permission's name (`EntitlementManagement.Read.All`).
    pub value: String,
    pub created_date_time: Timestamp,
}

named_enum! {
    pub enum CredentialKind { ClientSecret = "clientSecret", Password = "password" }
}

/// A secret that only needs checking, kept as a password hash (PHC string, argon2id). `Debug`
/// leaves the hash out.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    /// The key id (client secrets) or the owner's id (passwords: one per user).
    pub id: String,
    /// The application's object id, or the user's id.
    pub owner_id: String,
    pub kind: CredentialKind,
    pub hash: String,
    pub end_date_time: Option<Timestamp>,
    pub created_date_time: Timestamp,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("owner_id", &self.owner_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
