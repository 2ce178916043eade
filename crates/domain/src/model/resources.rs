//! The resource side: what a catalog holds (resources with their roles and scopes), what an
//! access package grants (resource role scopes), and what an assignment delivered (beta's
//! accessPackageAssignmentResourceRole).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::{RequestState, RequestType};
use crate::time::Timestamp;

use super::Actor;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    pub catalog_id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub origin_id: String,
    /// `AadGroup`, `AadApplication`, `SharePointOnline`, ...
    pub origin_system: String,
    pub resource_type: Option<String>,
    pub url: Option<String>,
    pub attributes: Vec<Value>,
    pub is_pending_onboarding: bool,
    pub added_by: Option<Actor>,
    pub created_date_time: Timestamp,
    pub modified_date_time: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRole {
    pub id: String,
    pub catalog_id: String,
    pub resource_id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub origin_id: String,
    pub origin_system: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceScope {
    pub id: String,
    pub catalog_id: String,
    pub resource_id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub origin_id: String,
    pub origin_system: String,
    pub is_root_scope: bool,
    pub url: Option<String>,
}

/// A role in a scope of a resource, granted by an access package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRoleScope {
    pub id: String,
    pub access_package_id: String,
    pub role_id: String,
    pub scope_id: String,
    pub created_date_time: Timestamp,
    pub modified_date_time: Timestamp,
    pub created_by: Option<Actor>,
    pub modified_by: Option<Actor>,
}

/// A resource role delivered to a subject. Linked to the assignments that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentResourceRole {
    pub id: String,
    pub role_id: String,
    pub scope_id: String,
    pub subject_id: String,
    pub origin_id: Option<String>,
    pub origin_system: Option<String>,
    /// `Fulfilled`, `PendingFulfillment`, ...
    pub status: String,
    pub created_date_time: Timestamp,
}

/// A request to add a resource to a catalog (or remove it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRequest {
    pub id: String,
    pub catalog_id: String,
    pub resource_id: Option<String>,
    pub request_type: RequestType,
    pub state: RequestState,
    pub status: Option<String>,
    pub justification: Option<String>,
    pub is_validation_only: bool,
    pub execute_immediately: bool,
    pub expiration_date_time: Option<Timestamp>,
    pub requestor_id: Option<String>,
    pub created_date_time: Timestamp,
}
