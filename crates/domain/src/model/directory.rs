//! Users, groups and service principals: the part of the directory that entitlement management
//! reads (targets, approvers, requestors) and writes (group memberships it delivers).

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub mail_nickname: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub employee_id: Option<String>,
    pub manager_id: Option<String>,
    pub created_date_time: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub mail: Option<String>,
    pub mail_enabled: Option<bool>,
    pub mail_nickname: Option<String>,
    pub security_enabled: Option<bool>,
    pub group_types: Vec<String>,
    pub visibility: Option<String>,
    pub created_date_time: Timestamp,
}

/// What a directory object is, when a relationship can hold several kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryObjectKind {
    User,
    Group,
    ServicePrincipal,
}

impl DirectoryObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryObjectKind::User => "user",
            DirectoryObjectKind::Group => "group",
            DirectoryObjectKind::ServicePrincipal => "service_principal",
        }
    }
    pub fn parse(s: &str) -> Option<DirectoryObjectKind> {
        match s {
            "user" => Some(DirectoryObjectKind::User),
            "group" => Some(DirectoryObjectKind::Group),
            "service_principal" => Some(DirectoryObjectKind::ServicePrincipal),
            _ => None,
        }
    }
}

/// A directory object deleted but still restorable (`/directory/deletedItems`): Entra keeps
/// deleted groups for 30 days. Its memberships stay recorded, so a restore brings them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedItem {
    pub id: String,
    pub kind: DirectoryObjectKind,
    /// The object as it was stored.
    pub object: serde_json::Value,
    pub deleted_date_time: Timestamp,
}
