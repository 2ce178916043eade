//! Who is calling: the principal a validated token describes. Authorization rules (scopes, app
//! roles, catalog roles) are applied in `accessd-engine`; this is only the data.

/// A user (delegated token), an application (app-only token), or accessd itself (seeding, the
/// lifecycle worker), which authorization always allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    App,
    System,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// `oid`: the user's or the service principal's object id.
    pub object_id: String,
    /// `tid`
    pub tenant_id: String,
    /// `appid`/`azp`: the client application, when the token says.
    pub app_id: Option<String>,
    /// `scp`: delegated permissions.
    pub scopes: Vec<String>,
    /// `roles`: application permissions (or the user's app roles).
    pub roles: Vec<String>,
    /// `wids`: built-in directory roles held by a user.
    pub directory_roles: Vec<String>,
    /// A display form for `createdBy`/`modifiedBy` (`upn`, `preferred_username` or `name`).
    pub display: Option<String>,
}

impl Principal {
    /// What `createdBy`/`modifiedBy` show for this caller.
    pub fn actor(&self) -> String {
        self.display
            .clone()
            .unwrap_or_else(|| self.object_id.clone())
    }

    pub fn is_system(&self) -> bool {
        self.kind == PrincipalKind::System
    }

    pub fn is_app(&self) -> bool {
        self.kind == PrincipalKind::App
    }

    /// A principal for work the server does on its own (seeding, the lifecycle worker).
    pub fn system(tenant_id: &str) -> Principal {
        Principal {
            kind: PrincipalKind::System,
            object_id: "00000000-0000-0000-0000-000000000000".into(),
            tenant_id: tenant_id.into(),
            app_id: None,
            scopes: vec![],
            roles: vec![],
            directory_roles: vec![],
            display: Some("accessd".into()),
        }
    }
}
