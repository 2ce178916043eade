//! Catalogs, access packages, assignments, assignment requests and subjects.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::*;
use crate::time::{Duration, Timestamp};

use super::Actor;

/// Who and when, for the entities that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    pub created_date_time: Timestamp,
    pub modified_date_time: Timestamp,
    pub created_by: Option<Actor>,
    pub modified_by: Option<Actor>,
}

impl Audit {
    pub fn new(now: Timestamp, by: Option<Actor>) -> Audit {
        Audit {
            created_date_time: now,
            modified_date_time: now,
            created_by: by.clone(),
            modified_by: by,
        }
    }
    pub fn touch(&mut self, now: Timestamp, by: Option<Actor>) {
        self.modified_date_time = now;
        self.modified_by = by;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub catalog_type: CatalogType,
    pub state: CatalogState,
    pub is_externally_visible: bool,
    pub unique_name: Option<String>,
    pub privilege_level: PrivilegeLevel,
    pub audit: Audit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessPackage {
    pub id: String,
    pub catalog_id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub is_hidden: bool,
    pub is_role_scopes_visible: bool,
    pub unique_name: Option<String>,
    pub audit: Audit,
}

/// When an assignment or request starts, ends and recurs (v1.0 `entitlementManagementSchedule`,
/// beta `requestSchedule`: the same members).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Schedule {
    pub start_date_time: Option<Timestamp>,
    pub expiration: Option<ExpirationPattern>,
    /// `patternedRecurrence`, identical in both dialects and not interpreted yet; kept as
    /// validated JSON.
    pub recurrence: Option<Value>,
}

impl Schedule {
    pub fn is_empty(&self) -> bool {
        self.start_date_time.is_none() && self.expiration.is_none() && self.recurrence.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExpirationPattern {
    pub kind: Option<ExpirationType>,
    pub duration: Option<Duration>,
    pub end_date_time: Option<Timestamp>,
}

impl ExpirationPattern {
    /// When something that starts at `start` ends under this pattern, if it ends.
    pub fn end_from(&self, start: Timestamp) -> Option<Timestamp> {
        match self.kind {
            Some(ExpirationType::AfterDateTime) => self.end_date_time,
            Some(ExpirationType::AfterDuration) => self.duration.map(|d| start.add(d)),
            Some(ExpirationType::NoExpiration) => None,
            _ => self
                .end_date_time
                .or_else(|| self.duration.map(|d| start.add(d))),
        }
    }
}

/// The statuses an assignment's `status`/`assignmentStatus` string may hold.
pub const ASSIGNMENT_STATUSES: &[&str] = &[
    "Delivering",
    "Delivered",
    "PartiallyDelivered",
    "DeliveryFailed",
    "Expired",
    "NearExpiry1DayNotificationTriggered",
    "NearExpiry14DaysNotificationTriggered",
    "ExpiredNotificationTriggered",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub catalog_id: String,
    pub access_package_id: String,
    pub policy_id: String,
    /// The id of the target's `accessPackageSubject` (beta `targetId`).
    pub target_id: String,
    /// The target's directory object id (`target/objectId`), copied here so that the commonest
    /// query ("this user's assignments") needs no join.
    pub target_object_id: Option<String>,
    pub state: AssignmentState,
    pub status: String,
    pub is_extended: bool,
    pub expired_date_time: Option<Timestamp>,
    pub schedule: Schedule,
    pub custom_extension_callout_instances: Vec<Value>,
    pub created_date_time: Timestamp,
    pub modified_date_time: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentRequest {
    pub id: String,
    pub request_type: RequestType,
    pub state: RequestState,
    pub status: String,
    pub created_date_time: Timestamp,
    pub completed_date_time: Option<Timestamp>,
    pub expiration_date_time: Option<Timestamp>,
    pub schedule: Schedule,
    pub justification: Option<String>,
    /// `accessPackageAnswer` values, validated JSON.
    pub answers: Vec<Value>,
    pub catalog_id: Option<String>,
    pub access_package_id: Option<String>,
    pub policy_id: Option<String>,
    pub assignment_id: Option<String>,
    /// Subject id and directory object id of who asked.
    pub requestor_id: Option<String>,
    pub requestor_object_id: Option<String>,
    /// Subject id and directory object id of who the request is for.
    pub target_id: Option<String>,
    pub target_object_id: Option<String>,
    pub is_validation_only: bool,
    pub created_by: Option<Actor>,
    pub custom_extension_callout_instances: Vec<Value>,
}

/// A person or service principal known to entitlement management (`accessPackageSubject`).
/// For directory objects accessd uses the object id as the subject id too, so beta's `targetId`
/// and v1.0's `target/objectId` agree (see `docs/decisions.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub id: String,
    pub object_id: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub principal_name: Option<String>,
    pub subject_type: SubjectType,
    pub subject_lifecycle: SubjectLifecycle,
    pub connected_organization_id: Option<String>,
    pub on_premises_security_identifier: Option<String>,
    pub alt_sec_id: Option<String>,
    pub cleanup_scheduled_date_time: Option<Timestamp>,
}
