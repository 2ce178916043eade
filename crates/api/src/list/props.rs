//! What each entity can be queried on, per dialect: the Graph name of every scalar property and
//! where accessd keeps it (an index column or a path in the stored document), its type, and what
//! the real service lets a client do with it (`$filter` operators, `$orderby`); the
//! single-valued navigation properties a `$filter` path may go through; the collections a lambda
//! (`any`/`all`) may range over.
//!
//! The "Graph allows" columns are the allow-lists of `docs/queries.md`: what Microsoft's pages
//! document for each entity (plus a few uses seen working against the live service), nothing
//! else. `--permissive-queries` lifts them: then every property listed here filters with every
//! operator its type supports and sorts.

use accessd_domain::store::Link;
use accessd_domain::*;

use crate::Dialect;
use crate::path::EKind;

/// Operations on a property, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ops(pub u16);

impl Ops {
    pub const NONE: Ops = Ops(0);
    /// `eq` (also `eq null`).
    pub const EQ: u16 = 1;
    /// `ne` (also `ne null`).
    pub const NE: u16 = 2;
    /// `gt`, `ge`, `lt`, `le`.
    pub const ORDER: u16 = 4;
    pub const IN: u16 = 8;
    pub const CONTAINS: u16 = 16;
    pub const STARTS: u16 = 32;
    pub const ENDS: u16 = 64;
    /// `tolower`/`toupper` around the property.
    pub const CASE: u16 = 128;
    /// Under `not`.
    pub const NOT: u16 = 256;
    /// `any` over a collection.
    pub const ANY: u16 = 512;
    /// `all` over a collection.
    pub const ALL: u16 = 1024;
    /// The other functions (`length`, `indexof`, `substring`, `trim`, `concat`, `year`, ...).
    pub const FUNCS: u16 = 2048;
    pub const EVERYTHING: Ops = Ops(u16::MAX);

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit == bit
    }
}

/// Graph documents `eq`.
const EQ: Ops = Ops(Ops::EQ);
/// `eq` and `in` (ids).
const ID: Ops = Ops(Ops::EQ | Ops::IN);
/// `eq` and `contains`, with `tolower`/`toupper` (display names of catalogs and packages).
const TEXT: Ops = Ops(Ops::EQ | Ops::CONTAINS | Ops::CASE);
/// Every comparison (request `createdDateTime`: "Supports `$filter`").
const CMP: Ops = Ops(Ops::EQ | Ops::NE | Ops::ORDER);
/// Directory strings (users, groups): Graph's directory operators for these properties.
const DIR: Ops = Ops(Ops::EQ | Ops::NE | Ops::NOT | Ops::IN | Ops::STARTS | Ops::ORDER);
/// Directory strings that also take `endsWith` (`mail`, `userPrincipalName`).
const DIR_END: Ops = Ops(DIR.0 | Ops::ENDS);
/// Directory booleans and enumerations.
const DIR_EQ: Ops = Ops(Ops::EQ | Ops::NE | Ops::NOT | Ops::IN);
const NO: Ops = Ops::NONE;

/// Enumerations: the stored values an accepted spelling stands for, and the spellings to list
/// in errors.
pub type EnumParse = fn(Dialect, &str) -> Option<Vec<&'static str>>;

/// How a property's values are typed and normalized.
#[derive(Clone, Copy)]
pub enum PType {
    Text,
    /// An id: compared lower-cased.
    Guid,
    Bool,
    DateTime,
    /// ISO 8601, normalized (`P1D` = `PT24H`); compared for equality only.
    Duration,
    Enum(EnumParse, &'static str),
}

impl PType {
    pub fn edm(self) -> &'static str {
        match self {
            PType::Text | PType::Enum(..) => "Edm.String",
            PType::Guid => "Edm.String",
            PType::Bool => "Edm.Boolean",
            PType::DateTime => "Edm.DateTimeOffset",
            PType::Duration => "Edm.Duration",
        }
    }
    pub fn value_type(self) -> ValueType {
        match self {
            PType::Bool => ValueType::Bool,
            _ => ValueType::Text,
        }
    }
}

/// In which dialect a name exists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Only {
    Both,
    V1,
    Beta,
}

impl Only {
    fn fits(self, d: Dialect) -> bool {
        match self {
            Only::Both => true,
            Only::V1 => d == Dialect::V1,
            Only::Beta => d == Dialect::Beta,
        }
    }
}

/// Where an id of a related entity is kept.
#[derive(Clone, Copy)]
pub enum Key {
    Col(&'static str),
    Doc(&'static [&'static str]),
}

impl Key {
    pub fn expr(self) -> Expr {
        match self {
            Key::Col(c) => Expr::Column(c),
            Key::Doc(p) => Expr::Doc(p.iter().map(|s| s.to_string()).collect(), ValueType::Text),
        }
    }
}

/// Where a property is kept.
#[derive(Clone, Copy)]
pub enum At {
    Col(&'static str),
    Doc(&'static [&'static str]),
    /// A property of a related entity: the key that names it, its kind, the property's name
    /// there (for a documented path such as `accessPackageSubject/objectId`).
    Via(Key, EKind, &'static str),
}

pub struct Entry {
    pub name: &'static str,
    pub only: Only,
    pub at: At,
    pub ty: PType,
    /// What Graph allows in `$filter`.
    pub ops: Ops,
    /// Whether Graph allows `$orderby` on it.
    pub order: bool,
}

const fn e(name: &'static str, only: Only, at: At, ty: PType, ops: Ops, order: bool) -> Entry {
    Entry {
        name,
        only,
        at,
        ty,
        ops,
        order,
    }
}

use At::{Col, Doc};
use Only::{Beta, Both, V1};
use PType::*;

fn one(v: Option<&'static str>) -> Option<Vec<&'static str>> {
    v.map(|s| vec![s])
}
fn en_assignment_state(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(AssignmentState::parse_ignore_case(s).map(AssignmentState::as_str))
}
fn en_request_state(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(RequestState::parse_ignore_case(s).map(RequestState::as_str))
}
fn en_request_type(d: Dialect, s: &str) -> Option<Vec<&'static str>> {
    let t = RequestType::parse_ignore_case(s)?;
    // v1.0 shows beta's `UserExtend`/`AdminExtend` as `userUpdate`/`adminUpdate`.
    Some(match (d, t) {
        (Dialect::V1, RequestType::UserUpdate) => vec!["userUpdate", "userExtend"],
        (Dialect::V1, RequestType::AdminUpdate) => vec!["adminUpdate", "adminExtend"],
        _ => vec![t.as_str()],
    })
}
fn en_catalog_state(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(CatalogState::parse_ignore_case(s).map(CatalogState::as_str))
}
fn en_org_state(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(ConnectedOrganizationState::parse_ignore_case(s).map(ConnectedOrganizationState::as_str))
}
fn en_catalog_type(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(CatalogType::parse_ignore_case(s).map(CatalogType::as_str))
}
fn en_subject_type(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(SubjectType::parse_ignore_case(s).map(SubjectType::as_str))
}
fn en_lifecycle(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(SubjectLifecycle::parse_ignore_case(s).map(SubjectLifecycle::as_str))
}
fn en_expiration(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(ExpirationType::parse_ignore_case(s).map(ExpirationType::as_str))
}
fn en_target_scope(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(TargetScope::parse_ignore_case(s).map(TargetScope::as_str))
}
fn en_privilege(_: Dialect, s: &str) -> Option<Vec<&'static str>> {
    one(PrivilegeLevel::parse_ignore_case(s).map(PrivilegeLevel::as_str))
}

const ASSIGNMENT_STATE: PType = Enum(
    en_assignment_state,
    "delivering, partiallyDelivered, delivered, expired, deliveryFailed",
);
const REQUEST_STATE: PType = Enum(
    en_request_state,
    "submitted, pendingApproval, delivering, delivered, deliveryFailed, denied, scheduled, canceled, partiallyDelivered",
);
const REQUEST_TYPE: PType = Enum(
    en_request_type,
    "notSpecified, userAdd, userUpdate, userRemove, adminAdd, adminUpdate, adminRemove, systemAdd, systemUpdate, systemRemove, onBehalfAdd, approverRemove",
);
const CATALOG_STATE: PType = Enum(en_catalog_state, "unpublished, published");
const CATALOG_TYPE: PType = Enum(
    en_catalog_type,
    "userManaged, serviceDefault, serviceManaged",
);
const SUBJECT_TYPE: PType = Enum(en_subject_type, "notSpecified, user, servicePrincipal");
const LIFECYCLE: PType = Enum(en_lifecycle, "notDefined, notGoverned, governed");
const EXPIRATION: PType = Enum(
    en_expiration,
    "notSpecified, noExpiration, afterDateTime, afterDuration",
);
const TARGET_SCOPE: PType = Enum(
    en_target_scope,
    "notSpecified, specificDirectoryUsers, specificConnectedOrganizationUsers, specificDirectoryServicePrincipals, allMemberUsers, allDirectoryUsers, allDirectoryServicePrincipals, allConfiguredConnectedOrganizationUsers, allExternalUsers, allDirectoryAgentIdentities",
);
const PRIVILEGE: PType = Enum(en_privilege, "standard, privileged");

/// The schedule of an assignment or request (`schedule/...`), as document paths.
macro_rules! schedule {
    ($start:expr) => {
        [
            e("schedule/startDateTime", Both, $start, DateTime, NO, false),
            e(
                "schedule/expiration/endDateTime",
                Both,
                Doc(&["schedule", "expiration", "end_date_time"]),
                DateTime,
                NO,
                false,
            ),
            e(
                "schedule/expiration/duration",
                Both,
                Doc(&["schedule", "expiration", "duration"]),
                Duration,
                NO,
                false,
            ),
            e(
                "schedule/expiration/type",
                Both,
                Doc(&["schedule", "expiration", "kind"]),
                EXPIRATION,
                NO,
                false,
            ),
        ]
    };
}

const ASSIGNMENT_SCHEDULE: [Entry; 4] = schedule!(Col("start_date_time"));
const REQUEST_SCHEDULE: [Entry; 4] = schedule!(Doc(&["schedule", "start_date_time"]));

static ASSIGNMENT: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("state", V1, Col("state"), ASSIGNMENT_STATE, EQ, false),
    e(
        "assignmentState",
        Beta,
        Col("state"),
        ASSIGNMENT_STATE,
        EQ,
        false,
    ),
    e("status", V1, Col("status"), Text, NO, false),
    e("assignmentStatus", Beta, Col("status"), Text, NO, false),
    e(
        "expiredDateTime",
        Both,
        Col("expired_date_time"),
        DateTime,
        NO,
        false,
    ),
    e("isExtended", Beta, Col("is_extended"), Bool, NO, false),
    e("catalogId", Beta, Col("catalog_id"), Guid, NO, false),
    e(
        "accessPackageId",
        Beta,
        Col("access_package_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "assignmentPolicyId",
        Beta,
        Col("policy_id"),
        Guid,
        NO,
        false,
    ),
    e("targetId", Beta, Col("target_id"), Guid, NO, false),
    // Documented paths, kept in index columns.
    e(
        "accessPackage/id",
        Both,
        Col("access_package_id"),
        Guid,
        EQ,
        false,
    ),
    e("assignmentPolicy/id", V1, Col("policy_id"), Guid, EQ, false),
    e(
        "accessPackageAssignmentPolicy/id",
        Beta,
        Col("policy_id"),
        Guid,
        EQ,
        false,
    ),
    e(
        "target/objectId",
        Both,
        Col("target_object_id"),
        Guid,
        EQ,
        false,
    ),
    e("target/id", Both, Col("target_id"), Guid, NO, false),
];

static REQUEST: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e(
        "requestType",
        Both,
        Col("request_type"),
        REQUEST_TYPE,
        NO,
        false,
    ),
    e("state", V1, Col("state"), REQUEST_STATE, EQ, false),
    e("requestState", Beta, Col("state"), REQUEST_STATE, EQ, false),
    e("status", V1, Col("status"), Text, NO, false),
    e("requestStatus", Beta, Col("status"), Text, NO, false),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        CMP,
        false,
    ),
    e(
        "completedDateTime",
        V1,
        Col("completed_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "completedDate",
        Beta,
        Col("completed_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "expirationDateTime",
        Beta,
        Doc(&["expiration_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e(
        "isValidationOnly",
        Beta,
        Doc(&["is_validation_only"]),
        Bool,
        NO,
        false,
    ),
    e(
        "justification",
        Both,
        Doc(&["justification"]),
        Text,
        NO,
        false,
    ),
    e(
        "accessPackage/id",
        Both,
        Col("access_package_id"),
        Guid,
        EQ,
        false,
    ),
    e("assignment/id", V1, Col("assignment_id"), Guid, NO, false),
    e(
        "accessPackageAssignment/id",
        Beta,
        Col("assignment_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "requestor/objectId",
        Both,
        Col("requestor_object_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "requestor/id",
        Both,
        Doc(&["requestor_id"]),
        Guid,
        NO,
        false,
    ),
];

static CATALOG: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, TEXT, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e(
        "catalogType",
        Both,
        Col("catalog_type"),
        CATALOG_TYPE,
        NO,
        false,
    ),
    e("state", V1, Col("state"), CATALOG_STATE, NO, false),
    e(
        "catalogStatus",
        Beta,
        Col("state"),
        CATALOG_STATE,
        NO,
        false,
    ),
    e(
        "isExternallyVisible",
        Both,
        Col("is_externally_visible"),
        Bool,
        NO,
        false,
    ),
    e("uniqueName", Beta, Col("unique_name"), Text, NO, false),
    e(
        "privilegeLevel",
        Beta,
        Doc(&["privilege_level"]),
        PRIVILEGE,
        NO,
        false,
    ),
    e(
        "createdBy",
        Beta,
        Doc(&["audit", "created_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "modifiedBy",
        Beta,
        Doc(&["audit", "modified_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        Both,
        Col("modified_date_time"),
        DateTime,
        NO,
        false,
    ),
];

const ORG_STATE: PType = Enum(en_org_state, "configured, proposed");

static CONNECTED_ORG: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, EQ, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e("state", Both, Col("state"), ORG_STATE, NO, false),
    e("createdBy", Beta, Doc(&["created_by"]), Text, NO, false),
    e("modifiedBy", Beta, Doc(&["modified_by"]), Text, NO, false),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        Both,
        Doc(&["modified_date_time"]),
        DateTime,
        NO,
        false,
    ),
];

static AVAILABLE_PACKAGE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, TEXT, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
];

static ACCESS_PACKAGE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, TEXT, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e("isHidden", Both, Col("is_hidden"), Bool, NO, false),
    e("catalogId", Beta, Col("catalog_id"), Guid, NO, false),
    e(
        "isRoleScopesVisible",
        Beta,
        Doc(&["is_role_scopes_visible"]),
        Bool,
        NO,
        false,
    ),
    e("uniqueName", Beta, Col("unique_name"), Text, NO, false),
    e(
        "createdBy",
        Beta,
        Doc(&["audit", "created_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "modifiedBy",
        Beta,
        Doc(&["audit", "modified_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        Both,
        Col("modified_date_time"),
        DateTime,
        NO,
        false,
    ),
    // Seen working against the live service (scripts that list a catalog's packages).
    e("catalog/id", V1, Col("catalog_id"), Guid, EQ, false),
    e(
        "accessPackageCatalog/id",
        Beta,
        Col("catalog_id"),
        Guid,
        NO,
        false,
    ),
];

static POLICY: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, EQ, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e(
        "allowedTargetScope",
        V1,
        Doc(&["target_scope"]),
        TARGET_SCOPE,
        NO,
        false,
    ),
    e(
        "accessPackageId",
        Beta,
        Col("access_package_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        Both,
        Col("modified_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "createdBy",
        Beta,
        Doc(&["audit", "created_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "modifiedBy",
        Beta,
        Doc(&["audit", "modified_by"]),
        Text,
        NO,
        false,
    ),
    e(
        "expiration/type",
        V1,
        Doc(&["expiration", "kind"]),
        EXPIRATION,
        NO,
        false,
    ),
    e(
        "expiration/duration",
        V1,
        Doc(&["expiration", "duration"]),
        Duration,
        NO,
        false,
    ),
    e(
        "expiration/endDateTime",
        V1,
        Doc(&["expiration", "end_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e(
        "expirationDateTime",
        Beta,
        Doc(&["expiration", "end_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e(
        "accessPackage/id",
        Both,
        Col("access_package_id"),
        Guid,
        NO,
        false,
    ),
    // Seen working against the live service.
    e("catalog/id", V1, Col("catalog_id"), Guid, EQ, false),
    e(
        "accessPackageCatalog/id",
        Beta,
        Col("catalog_id"),
        Guid,
        NO,
        false,
    ),
];

static SUBJECT: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("objectId", Both, Col("object_id"), Guid, NO, false),
    e("displayName", Both, Col("display_name"), Text, NO, false),
    e("email", Both, Col("email"), Text, NO, false),
    e(
        "principalName",
        Both,
        Col("principal_name"),
        Text,
        NO,
        false,
    ),
    e(
        "subjectType",
        V1,
        Doc(&["subject_type"]),
        SUBJECT_TYPE,
        NO,
        false,
    ),
    e(
        "type",
        Beta,
        Doc(&["subject_type"]),
        SUBJECT_TYPE,
        NO,
        false,
    ),
    e(
        "subjectLifecycle",
        Both,
        Doc(&["subject_lifecycle"]),
        LIFECYCLE,
        NO,
        false,
    ),
    e(
        "onPremisesSecurityIdentifier",
        Both,
        Doc(&["on_premises_security_identifier"]),
        Text,
        NO,
        false,
    ),
    e(
        "connectedOrganizationId",
        Beta,
        Doc(&["connected_organization_id"]),
        Guid,
        NO,
        false,
    ),
    e("altSecId", Beta, Doc(&["alt_sec_id"]), Text, NO, false),
];

static RESOURCE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, NO, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e("originId", Both, Col("origin_id"), Text, EQ, false),
    e("originSystem", Both, Col("origin_system"), Text, NO, false),
    e(
        "createdDateTime",
        V1,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        V1,
        Doc(&["modified_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e(
        "resourceType",
        Beta,
        Doc(&["resource_type"]),
        Text,
        NO,
        false,
    ),
    e("url", Beta, Doc(&["url"]), Text, NO, false),
    e(
        "isPendingOnboarding",
        Beta,
        Doc(&["is_pending_onboarding"]),
        Bool,
        NO,
        false,
    ),
    e("addedBy", Beta, Doc(&["added_by"]), Text, NO, false),
    e(
        "addedOn",
        Beta,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
];

static RESOURCE_ROLE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, NO, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e("originId", Both, Col("origin_id"), Text, NO, false),
    // `(originSystem eq 'AadGroup' and resource/id eq '...')`: Microsoft's documented way to
    // find a resource's roles.
    e(
        "originSystem",
        Both,
        Doc(&["origin_system"]),
        Text,
        EQ,
        false,
    ),
    e("resource/id", V1, Col("resource_id"), Guid, EQ, false),
    e(
        "accessPackageResource/id",
        Beta,
        Col("resource_id"),
        Guid,
        EQ,
        false,
    ),
    // Seen working against the live beta service.
    e(
        "accessPackageResource/originSystem",
        Beta,
        At::Via(Key::Col("resource_id"), EKind::Resource, "originSystem"),
        Text,
        EQ,
        false,
    ),
    e(
        "accessPackageResource/originId",
        Beta,
        At::Via(Key::Col("resource_id"), EKind::Resource, "originId"),
        Text,
        EQ,
        false,
    ),
];

static RESOURCE_SCOPE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, NO, false),
    e("description", Both, Doc(&["description"]), Text, NO, false),
    e("originId", Both, Col("origin_id"), Text, NO, false),
    e(
        "originSystem",
        Both,
        Doc(&["origin_system"]),
        Text,
        NO,
        false,
    ),
    e(
        "isRootScope",
        Both,
        Doc(&["is_root_scope"]),
        Bool,
        NO,
        false,
    ),
    e("url", Beta, Doc(&["url"]), Text, NO, false),
    e("resource/id", V1, Col("resource_id"), Guid, NO, false),
    e(
        "accessPackageResource/id",
        Beta,
        Col("resource_id"),
        Guid,
        NO,
        false,
    ),
];

static ROLE_SCOPE: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e(
        "modifiedDateTime",
        Beta,
        Doc(&["modified_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e("createdBy", Beta, Doc(&["created_by"]), Text, NO, false),
    e("modifiedBy", Beta, Doc(&["modified_by"]), Text, NO, false),
    e("role/id", V1, Col("role_id"), Guid, NO, false),
    e("scope/id", V1, Col("scope_id"), Guid, NO, false),
    e(
        "accessPackageResourceRole/id",
        Beta,
        Col("role_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "accessPackageResourceScope/id",
        Beta,
        Col("scope_id"),
        Guid,
        NO,
        false,
    ),
];

static ASSIGNMENT_RESOURCE_ROLE: &[Entry] = &[
    e("id", Beta, Col("id"), Guid, ID, true),
    e("originId", Beta, Doc(&["origin_id"]), Text, NO, false),
    e(
        "originSystem",
        Beta,
        Doc(&["origin_system"]),
        Text,
        NO,
        false,
    ),
    e("status", Beta, Col("status"), Text, NO, false),
    e(
        "accessPackageResourceRole/id",
        Beta,
        Col("role_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "accessPackageResourceScope/id",
        Beta,
        Col("scope_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "accessPackageSubject/id",
        Beta,
        Col("subject_id"),
        Guid,
        NO,
        false,
    ),
    // Documented: "?$expand=accessPackageSubject&$filter=accessPackageSubject/objectId eq '...'".
    e(
        "accessPackageSubject/objectId",
        Beta,
        At::Via(Key::Col("subject_id"), EKind::Subject, "objectId"),
        Guid,
        EQ,
        false,
    ),
];

static RESOURCE_REQUEST: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e(
        "requestType",
        Both,
        Doc(&["request_type"]),
        REQUEST_TYPE,
        NO,
        false,
    ),
    e("state", V1, Col("state"), REQUEST_STATE, NO, false),
    e("requestState", Beta, Col("state"), REQUEST_STATE, EQ, false),
    e("requestStatus", Beta, Doc(&["status"]), Text, NO, false),
    e(
        "justification",
        Beta,
        Doc(&["justification"]),
        Text,
        NO,
        false,
    ),
    e(
        "isValidationOnly",
        Beta,
        Doc(&["is_validation_only"]),
        Bool,
        NO,
        false,
    ),
    e(
        "executeImmediately",
        Beta,
        Doc(&["execute_immediately"]),
        Bool,
        NO,
        false,
    ),
    e(
        "expirationDateTime",
        Beta,
        Doc(&["expiration_date_time"]),
        DateTime,
        NO,
        false,
    ),
    e(
        "createdDateTime",
        V1,
        Col("created_date_time"),
        DateTime,
        NO,
        false,
    ),
    e("catalogId", Beta, Col("catalog_id"), Guid, NO, false),
    // Documented: "$filter=catalog/id eq '...'".
    e("catalog/id", V1, Col("catalog_id"), Guid, EQ, false),
    e("resource/id", V1, Col("resource_id"), Guid, NO, false),
    e(
        "accessPackageResource/id",
        Beta,
        Col("resource_id"),
        Guid,
        NO,
        false,
    ),
    e(
        "accessPackageResource/originId",
        Beta,
        At::Via(Key::Col("resource_id"), EKind::Resource, "originId"),
        Text,
        EQ,
        false,
    ),
];

static USER: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, DIR, true),
    e(
        "userPrincipalName",
        Both,
        Col("user_principal_name"),
        Text,
        DIR_END,
        true,
    ),
    e("mail", Both, Col("mail"), Text, DIR_END, false),
    e(
        "mailNickname",
        Both,
        Doc(&["mail_nickname"]),
        Text,
        DIR,
        false,
    ),
    e("givenName", Both, Doc(&["given_name"]), Text, DIR, false),
    e("surname", Both, Doc(&["surname"]), Text, DIR, false),
    e("jobTitle", Both, Doc(&["job_title"]), Text, DIR, false),
    e("department", Both, Doc(&["department"]), Text, DIR, false),
    e("employeeId", Both, Doc(&["employee_id"]), Text, DIR, false),
    e("userType", Both, Doc(&["user_type"]), Text, DIR_EQ, false),
    e(
        "accountEnabled",
        Both,
        Doc(&["account_enabled"]),
        Bool,
        DIR_EQ,
        false,
    ),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        CMP,
        false,
    ),
    e("manager/id", Both, Doc(&["manager_id"]), Guid, NO, false),
];

static GROUP: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, DIR, true),
    e("mail", Both, Col("mail"), Text, DIR_END, false),
    e(
        "mailNickname",
        Both,
        Doc(&["mail_nickname"]),
        Text,
        DIR,
        false,
    ),
    e("description", Both, Doc(&["description"]), Text, DIR, false),
    e(
        "mailEnabled",
        Both,
        Doc(&["mail_enabled"]),
        Bool,
        DIR_EQ,
        false,
    ),
    e(
        "securityEnabled",
        Both,
        Doc(&["security_enabled"]),
        Bool,
        DIR_EQ,
        false,
    ),
    e(
        "visibility",
        Both,
        Doc(&["visibility"]),
        Text,
        DIR_EQ,
        false,
    ),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        CMP,
        false,
    ),
];

/// The audit log (`directoryAudit`): Graph documents `$filter` on `activityDateTime`,
/// `category`, `activityDisplayName`, `correlationId`, `result`, `initiatedBy/user/id`,
/// `initiatedBy/app/appId` and `targetResources/any(...)`, and `$orderby` on
/// `activityDateTime`.
static AUDIT: &[Entry] = &[
    e("id", Both, Col("id"), Text, EQ, false),
    e(
        "activityDateTime",
        Both,
        Col("activity_date_time"),
        DateTime,
        CMP,
        true,
    ),
    e("category", Both, Col("category"), Text, EQ, false),
    e(
        "activityDisplayName",
        Both,
        Col("activity_display_name"),
        Text,
        Ops(Ops::EQ | Ops::STARTS),
        false,
    ),
    e(
        "correlationId",
        Both,
        Col("correlation_id"),
        Guid,
        EQ,
        false,
    ),
    e("result", Both, Doc(&["result"]), Text, EQ, false),
    e(
        "operationType",
        Both,
        Doc(&["operation_type"]),
        Text,
        EQ,
        false,
    ),
    e(
        "initiatedBy/user/id",
        Both,
        Doc(&["initiated_by", "User", "id"]),
        Guid,
        EQ,
        false,
    ),
    e(
        "initiatedBy/user/userPrincipalName",
        Both,
        Doc(&["initiated_by", "User", "user_principal_name"]),
        Text,
        Ops(Ops::EQ | Ops::STARTS),
        false,
    ),
    e(
        "initiatedBy/app/appId",
        Both,
        Doc(&["initiated_by", "App", "app_id"]),
        Guid,
        EQ,
        false,
    ),
];

/// Deleted items: their id.
static DELETED_ITEM: &[Entry] = &[e("id", Both, Col("id"), Guid, ID, true)];

/// Approvals: only their id is a property.
static APPROVAL: &[Entry] = &[e("id", Both, Col("id"), Guid, ID, true)];

/// Role assignments of either provider: Graph documents `$filter` on `principalId`,
/// `roleDefinitionId` and `appScopeId` (`eq`; `in` for the ids).
static ROLE_ASSIGNMENT: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("principalId", Both, Col("principal_id"), Guid, ID, false),
    e(
        "roleDefinitionId",
        Both,
        Col("role_definition_id"),
        Guid,
        ID,
        false,
    ),
    e("appScopeId", Both, Col("app_scope_id"), Text, EQ, false),
    e(
        "directoryScopeId",
        Both,
        Col("directory_scope_id"),
        Text,
        EQ,
        false,
    ),
];

/// The properties a directory object (user or group) shares, filtered in both tables.
static DIRECTORY_OBJECT: &[Entry] = &[
    e("id", Both, Col("id"), Guid, ID, true),
    e("displayName", Both, Col("display_name"), Text, DIR, true),
    e("mail", Both, Col("mail"), Text, DIR, false),
    e(
        "createdDateTime",
        Both,
        Col("created_date_time"),
        DateTime,
        CMP,
        false,
    ),
];

fn table(kind: EKind) -> &'static [Entry] {
    match kind {
        EKind::Assignment => ASSIGNMENT,
        EKind::Request => REQUEST,
        EKind::Catalog => CATALOG,
        EKind::AccessPackage => ACCESS_PACKAGE,
        EKind::Policy => POLICY,
        EKind::Subject => SUBJECT,
        EKind::Resource => RESOURCE,
        EKind::ResourceRole => RESOURCE_ROLE,
        EKind::ResourceScope => RESOURCE_SCOPE,
        EKind::ResourceRoleScope => ROLE_SCOPE,
        EKind::AssignmentResourceRole => ASSIGNMENT_RESOURCE_ROLE,
        EKind::ResourceRequest => RESOURCE_REQUEST,
        EKind::User => USER,
        EKind::Group => GROUP,
        EKind::DirectoryObject => DIRECTORY_OBJECT,
        EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => ROLE_ASSIGNMENT,
        EKind::Approval => APPROVAL,
        EKind::AuditEvent => AUDIT,
        EKind::Question
        | EKind::StageSetting
        | EKind::EmRoleDefinition
        | EKind::DirectoryRoleDefinition
        | EKind::ApprovalStage
        | EKind::ApprovalStep => &[],
        EKind::DeletedItem => DELETED_ITEM,
        EKind::ConnectedOrganization => CONNECTED_ORG,
        EKind::AvailablePackage => AVAILABLE_PACKAGE,
    }
}

/// Additional entries that only exist to be combined (the schedule of assignments and
/// requests).
fn extra(kind: EKind) -> &'static [Entry] {
    match kind {
        EKind::Assignment => &ASSIGNMENT_SCHEDULE,
        EKind::Request => &REQUEST_SCHEDULE,
        _ => &[],
    }
}

/// The entry for `name` (segments joined with `/`, compared without regard to case, as Graph
/// does) on `kind` in `d`.
pub fn entry(d: Dialect, kind: EKind, name: &str) -> Option<&'static Entry> {
    table(kind)
        .iter()
        .chain(extra(kind).iter())
        .find(|x| x.only.fits(d) && x.name.eq_ignore_ascii_case(name))
}

/// A single-valued navigation property a `$filter` path may go through.
pub struct NavOne {
    pub name: &'static str,
    pub only: Only,
    pub key: Key,
    pub kind: EKind,
}

const fn n1(name: &'static str, only: Only, key: Key, kind: EKind) -> NavOne {
    NavOne {
        name,
        only,
        key,
        kind,
    }
}

static NAV_ONE: &[(EKind, NavOne)] = &[
    (
        EKind::Assignment,
        n1(
            "accessPackage",
            Both,
            Key::Col("access_package_id"),
            EKind::AccessPackage,
        ),
    ),
    (
        EKind::Assignment,
        n1("assignmentPolicy", V1, Key::Col("policy_id"), EKind::Policy),
    ),
    (
        EKind::Assignment,
        n1(
            "accessPackageAssignmentPolicy",
            Beta,
            Key::Col("policy_id"),
            EKind::Policy,
        ),
    ),
    (
        EKind::Assignment,
        n1("target", Both, Key::Col("target_id"), EKind::Subject),
    ),
    (
        EKind::Request,
        n1(
            "accessPackage",
            Both,
            Key::Col("access_package_id"),
            EKind::AccessPackage,
        ),
    ),
    (
        EKind::Request,
        n1(
            "assignment",
            V1,
            Key::Col("assignment_id"),
            EKind::Assignment,
        ),
    ),
    (
        EKind::Request,
        n1(
            "accessPackageAssignment",
            Beta,
            Key::Col("assignment_id"),
            EKind::Assignment,
        ),
    ),
    (
        EKind::Request,
        n1(
            "requestor",
            Both,
            Key::Doc(&["requestor_id"]),
            EKind::Subject,
        ),
    ),
    (
        EKind::AccessPackage,
        n1("catalog", V1, Key::Col("catalog_id"), EKind::Catalog),
    ),
    (
        EKind::AccessPackage,
        n1(
            "accessPackageCatalog",
            Beta,
            Key::Col("catalog_id"),
            EKind::Catalog,
        ),
    ),
    (
        EKind::Policy,
        n1(
            "accessPackage",
            Both,
            Key::Col("access_package_id"),
            EKind::AccessPackage,
        ),
    ),
    (
        EKind::Policy,
        n1("catalog", V1, Key::Col("catalog_id"), EKind::Catalog),
    ),
    (
        EKind::Policy,
        n1(
            "accessPackageCatalog",
            Beta,
            Key::Col("catalog_id"),
            EKind::Catalog,
        ),
    ),
    (
        EKind::ResourceRole,
        n1("resource", V1, Key::Col("resource_id"), EKind::Resource),
    ),
    (
        EKind::ResourceRole,
        n1(
            "accessPackageResource",
            Beta,
            Key::Col("resource_id"),
            EKind::Resource,
        ),
    ),
    (
        EKind::ResourceScope,
        n1("resource", V1, Key::Col("resource_id"), EKind::Resource),
    ),
    (
        EKind::ResourceScope,
        n1(
            "accessPackageResource",
            Beta,
            Key::Col("resource_id"),
            EKind::Resource,
        ),
    ),
    (
        EKind::ResourceRoleScope,
        n1("role", V1, Key::Col("role_id"), EKind::ResourceRole),
    ),
    (
        EKind::ResourceRoleScope,
        n1("scope", V1, Key::Col("scope_id"), EKind::ResourceScope),
    ),
    (
        EKind::ResourceRoleScope,
        n1(
            "accessPackageResourceRole",
            Beta,
            Key::Col("role_id"),
            EKind::ResourceRole,
        ),
    ),
    (
        EKind::ResourceRoleScope,
        n1(
            "accessPackageResourceScope",
            Beta,
            Key::Col("scope_id"),
            EKind::ResourceScope,
        ),
    ),
    (
        EKind::AssignmentResourceRole,
        n1(
            "accessPackageResourceRole",
            Beta,
            Key::Col("role_id"),
            EKind::ResourceRole,
        ),
    ),
    (
        EKind::AssignmentResourceRole,
        n1(
            "accessPackageResourceScope",
            Beta,
            Key::Col("scope_id"),
            EKind::ResourceScope,
        ),
    ),
    (
        EKind::AssignmentResourceRole,
        n1(
            "accessPackageSubject",
            Beta,
            Key::Col("subject_id"),
            EKind::Subject,
        ),
    ),
    (
        EKind::ResourceRequest,
        n1("catalog", V1, Key::Col("catalog_id"), EKind::Catalog),
    ),
    (
        EKind::ResourceRequest,
        n1("resource", V1, Key::Col("resource_id"), EKind::Resource),
    ),
    (
        EKind::ResourceRequest,
        n1(
            "accessPackageResource",
            Beta,
            Key::Col("resource_id"),
            EKind::Resource,
        ),
    ),
    (
        EKind::ResourceRequest,
        n1(
            "requestor",
            Beta,
            Key::Doc(&["requestor_id"]),
            EKind::Subject,
        ),
    ),
    (
        EKind::User,
        n1("manager", Both, Key::Doc(&["manager_id"]), EKind::User),
    ),
];

pub fn nav_one(d: Dialect, kind: EKind, name: &str) -> Option<&'static NavOne> {
    NAV_ONE
        .iter()
        .find(|(k, n)| *k == kind && n.only.fits(d) && n.name.eq_ignore_ascii_case(name))
        .map(|(_, n)| n)
}

/// How a collection is reached from an entity.
#[derive(Clone, Copy)]
pub enum Via {
    /// Entities whose column holds this entity's id.
    Referencing(&'static str),
    /// Entities linked from this one (or, reversed, linking to it).
    Linked(Link, bool),
    /// A JSON array in this entity's document, of primitives of this type.
    DocPrimitive(&'static [&'static str], PType),
    /// A JSON array in this entity's document, of objects with these properties.
    DocObjects(&'static [&'static str], &'static [ElemProp]),
}

/// A property of the objects of a [`Via::DocObjects`] array: its Graph name, where it is in
/// the element, its type and what Graph allows on it.
pub struct ElemProp {
    pub name: &'static str,
    pub path: &'static [&'static str],
    pub ty: PType,
    pub ops: Ops,
}

pub struct NavMany {
    pub name: &'static str,
    pub only: Only,
    /// The kind of the elements (for entity collections).
    pub kind: EKind,
    pub via: Via,
    /// What Graph allows (`any`/`all`, and for primitive elements the comparison operators).
    pub ops: Ops,
}

const fn nm(name: &'static str, only: Only, kind: EKind, via: Via, ops: Ops) -> NavMany {
    NavMany {
        name,
        only,
        kind,
        via,
        ops,
    }
}

const GROUP_TYPES: Ops = Ops(Ops::ANY | Ops::EQ);

/// The properties of an audit record's `targetResources` that `$filter` reaches.
static TARGET_RESOURCE: &[ElemProp] = &[
    ElemProp {
        name: "id",
        path: &["id"],
        ty: Guid,
        ops: EQ,
    },
    ElemProp {
        name: "displayName",
        path: &["display_name"],
        ty: Text,
        ops: Ops(Ops::EQ | Ops::STARTS),
    },
    ElemProp {
        name: "type",
        path: &["kind"],
        ty: Text,
        ops: EQ,
    },
];

static NAV_MANY: &[(EKind, NavMany)] = &[
    (
        EKind::AccessPackage,
        nm(
            "assignmentPolicies",
            V1,
            EKind::Policy,
            Via::Referencing("access_package_id"),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "accessPackageAssignmentPolicies",
            Beta,
            EKind::Policy,
            Via::Referencing("access_package_id"),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "resourceRoleScopes",
            V1,
            EKind::ResourceRoleScope,
            Via::Referencing("access_package_id"),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "accessPackageResourceRoleScopes",
            Beta,
            EKind::ResourceRoleScope,
            Via::Referencing("access_package_id"),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "incompatibleAccessPackages",
            Both,
            EKind::AccessPackage,
            Via::Linked(Link::IncompatiblePackage, false),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "accessPackagesIncompatibleWith",
            Both,
            EKind::AccessPackage,
            Via::Linked(Link::IncompatiblePackage, true),
            NO,
        ),
    ),
    (
        EKind::AccessPackage,
        nm(
            "incompatibleGroups",
            Both,
            EKind::Group,
            Via::Linked(Link::IncompatibleGroup, false),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "accessPackages",
            Both,
            EKind::AccessPackage,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "resources",
            V1,
            EKind::Resource,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "accessPackageResources",
            Beta,
            EKind::Resource,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "resourceRoles",
            V1,
            EKind::ResourceRole,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "accessPackageResourceRoles",
            Beta,
            EKind::ResourceRole,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "resourceScopes",
            V1,
            EKind::ResourceScope,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Catalog,
        nm(
            "accessPackageResourceScopes",
            Beta,
            EKind::ResourceScope,
            Via::Referencing("catalog_id"),
            NO,
        ),
    ),
    (
        EKind::Resource,
        nm(
            "roles",
            V1,
            EKind::ResourceRole,
            Via::Referencing("resource_id"),
            NO,
        ),
    ),
    (
        EKind::Resource,
        nm(
            "accessPackageResourceRoles",
            Beta,
            EKind::ResourceRole,
            Via::Referencing("resource_id"),
            NO,
        ),
    ),
    (
        EKind::Resource,
        nm(
            "scopes",
            V1,
            EKind::ResourceScope,
            Via::Referencing("resource_id"),
            NO,
        ),
    ),
    (
        EKind::Resource,
        nm(
            "accessPackageResourceScopes",
            Beta,
            EKind::ResourceScope,
            Via::Referencing("resource_id"),
            NO,
        ),
    ),
    (
        EKind::Assignment,
        nm(
            "accessPackageAssignmentRequests",
            Beta,
            EKind::Request,
            Via::Referencing("assignment_id"),
            NO,
        ),
    ),
    (
        EKind::Assignment,
        nm(
            "accessPackageAssignmentResourceRoles",
            Beta,
            EKind::AssignmentResourceRole,
            Via::Linked(Link::DeliveredBy, true),
            NO,
        ),
    ),
    (
        EKind::AssignmentResourceRole,
        nm(
            "accessPackageAssignments",
            Beta,
            EKind::Assignment,
            Via::Linked(Link::DeliveredBy, false),
            NO,
        ),
    ),
    (
        EKind::User,
        nm(
            "memberOf",
            Both,
            EKind::Group,
            Via::Linked(Link::GroupMember, true),
            NO,
        ),
    ),
    (
        EKind::Group,
        nm(
            "memberOf",
            Both,
            EKind::Group,
            Via::Linked(Link::GroupMember, true),
            NO,
        ),
    ),
    // `targetResources/any(t: t/id eq '...')`: the audit log's documented filter.
    (
        EKind::AuditEvent,
        nm(
            "targetResources",
            Both,
            EKind::AuditEvent,
            Via::DocObjects(&["target_resources"], TARGET_RESOURCE),
            Ops(Ops::ANY),
        ),
    ),
    // `groupTypes/any(c:c eq 'Unified')`: Graph's own example.
    (
        EKind::Group,
        nm(
            "groupTypes",
            Both,
            EKind::Group,
            Via::DocPrimitive(&["group_types"], Text),
            GROUP_TYPES,
        ),
    ),
];

pub fn nav_many(d: Dialect, kind: EKind, name: &str) -> Option<&'static NavMany> {
    NAV_MANY
        .iter()
        .find(|(k, n)| *k == kind && n.only.fits(d) && n.name.eq_ignore_ascii_case(name))
        .map(|(_, n)| n)
}

/// The type name Graph uses in messages.
pub fn type_name(kind: EKind) -> String {
    format!("microsoft.graph.{}", kind.type_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table entry names a property the CSDL of its dialect has (or a documented path),
    /// and every column it names is an index column of its kind.
    #[test]
    fn entries_match_the_model_and_the_schema() {
        let mut missing = Vec::new();
        for kind in [
            EKind::Assignment,
            EKind::Request,
            EKind::Catalog,
            EKind::AccessPackage,
            EKind::Policy,
            EKind::Subject,
            EKind::Resource,
            EKind::ResourceRole,
            EKind::ResourceScope,
            EKind::ResourceRoleScope,
            EKind::AssignmentResourceRole,
            EKind::ResourceRequest,
            EKind::User,
            EKind::Group,
        ] {
            let sk = kind.store_kind().unwrap();
            for x in table(kind).iter().chain(extra(kind)) {
                if let At::Col(c) = x.at {
                    assert!(
                        c == "id" || sk.columns().iter().any(|k| k.name == c),
                        "{kind:?}.{} -> {c} is not a column",
                        x.name
                    );
                }
                for d in [Dialect::V1, Dialect::Beta] {
                    if !x.only.fits(d) {
                        continue;
                    }
                    let first = x.name.split('/').next().unwrap();
                    let Some(t) = crate::edm::find_type(d, kind.type_name()) else {
                        missing.push(format!("{d:?} {kind:?}"));
                        continue;
                    };
                    if crate::edm::find_prop(d, t, first).is_none() {
                        missing.push(format!("{d:?} {kind:?}.{first}"));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the model: {missing:?}");
    }
}
