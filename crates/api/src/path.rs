//! Resolving a Graph URL path against accessd's model. Each segment is checked as it is walked:
//! a key must name an entity that exists *and* belongs to the collection the path reached
//! (`/accessPackages/{A}/assignmentPolicies/{P}` is 404 when P is not A's), a navigation must
//! exist on the entity's type in that dialect.

use accessd_domain::query::Expr;
use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::*;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value as Json};

use crate::Dialect;
use crate::error::ApiError;
use crate::wire;
use accessd_engine::authz::roles::RoleDefinition;

/// What a collection or entity is, as the API sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EKind {
    Catalog,
    AccessPackage,
    Policy,
    Request,
    Assignment,
    Subject,
    Resource,
    ResourceRole,
    ResourceScope,
    ResourceRoleScope,
    AssignmentResourceRole,
    ResourceRequest,
    User,
    Group,
    /// A user or a group (group members, `directoryObjects`).
    DirectoryObject,
    Question,
    StageSetting,
    EmRoleDefinition,
    EmRoleAssignment,
    DirectoryRoleDefinition,
    DirectoryRoleAssignment,
    Approval,
    /// v1.0's `approvalStage` entity.
    ApprovalStage,
    /// beta's `approvalStep` entity (the same thing).
    ApprovalStep,
    /// `directoryAudit`: a record of the audit log.
    AuditEvent,
    /// A partner organization (`connectedOrganizations`).
    ConnectedOrganization,
    /// An access package as end users browse it (`availableAccessPackages`): the packages the
    /// caller may request.
    AvailablePackage,
    /// A deleted directory object (`/directory/deletedItems`).
    DeletedItem,
}

impl EKind {
    /// Users, groups and collections of both: Graph's directory objects, whose queries follow
    /// the directory's rules (docs/queries.md).
    pub fn is_directory(self) -> bool {
        matches!(self, EKind::User | EKind::Group | EKind::DirectoryObject)
    }

    pub fn store_kind(self) -> Option<Kind> {
        Some(match self {
            EKind::Catalog => Kind::Catalog,
            EKind::AccessPackage => Kind::AccessPackage,
            EKind::Policy => Kind::Policy,
            EKind::Request => Kind::AssignmentRequest,
            EKind::Assignment => Kind::Assignment,
            EKind::Subject => Kind::Subject,
            EKind::Resource => Kind::Resource,
            EKind::ResourceRole => Kind::ResourceRole,
            EKind::ResourceScope => Kind::ResourceScope,
            EKind::ResourceRoleScope => Kind::ResourceRoleScope,
            EKind::AssignmentResourceRole => Kind::AssignmentResourceRole,
            EKind::ResourceRequest => Kind::ResourceRequest,
            EKind::User => Kind::User,
            EKind::Group => Kind::Group,
            EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => Kind::RoleAssignment,
            EKind::Approval => Kind::Approval,
            EKind::AuditEvent => Kind::AuditEvent,
            EKind::DeletedItem => Kind::DeletedItem,
            EKind::ConnectedOrganization => Kind::ConnectedOrganization,
            EKind::AvailablePackage => Kind::AccessPackage,
            EKind::ApprovalStage | EKind::ApprovalStep => return None,
            EKind::DirectoryObject
            | EKind::Question
            | EKind::StageSetting
            | EKind::EmRoleDefinition
            | EKind::DirectoryRoleDefinition => return None,
        })
    }

    /// The model type name.
    pub fn type_name(self) -> &'static str {
        match self {
            EKind::Catalog => "accessPackageCatalog",
            EKind::AccessPackage => "accessPackage",
            EKind::Policy => "accessPackageAssignmentPolicy",
            EKind::Request => "accessPackageAssignmentRequest",
            EKind::Assignment => "accessPackageAssignment",
            EKind::Subject => "accessPackageSubject",
            EKind::Resource => "accessPackageResource",
            EKind::ResourceRole => "accessPackageResourceRole",
            EKind::ResourceScope => "accessPackageResourceScope",
            EKind::ResourceRoleScope => "accessPackageResourceRoleScope",
            EKind::AssignmentResourceRole => "accessPackageAssignmentResourceRole",
            EKind::ResourceRequest => "accessPackageResourceRequest",
            EKind::User => "user",
            EKind::Group => "group",
            EKind::DirectoryObject => "directoryObject",
            EKind::Question => "accessPackageQuestion",
            EKind::StageSetting => "customExtensionStageSetting",
            EKind::EmRoleDefinition | EKind::DirectoryRoleDefinition => "unifiedRoleDefinition",
            EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => "unifiedRoleAssignment",
            EKind::Approval => "approval",
            EKind::ApprovalStage => "approvalStage",
            EKind::ApprovalStep => "approvalStep",
            EKind::AuditEvent => "directoryAudit",
            EKind::DeletedItem => "directoryObject",
            EKind::ConnectedOrganization => "connectedOrganization",
            EKind::AvailablePackage => "availableAccessPackage",
        }
    }

    /// The role-management provider of a role kind.
    pub fn role_provider(self) -> Option<RoleProvider> {
        match self {
            EKind::EmRoleDefinition | EKind::EmRoleAssignment => {
                Some(RoleProvider::EntitlementManagement)
            }
            EKind::DirectoryRoleDefinition | EKind::DirectoryRoleAssignment => {
                Some(RoleProvider::Directory)
            }
            _ => None,
        }
    }

    /// How messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            EKind::Catalog => "catalog",
            EKind::AccessPackage => "access package",
            EKind::Policy => "assignment policy",
            EKind::Request => "assignment request",
            EKind::Assignment => "assignment",
            EKind::Subject => "subject",
            EKind::Resource => "resource",
            EKind::ResourceRole => "resource role",
            EKind::ResourceScope => "resource scope",
            EKind::ResourceRoleScope => "resource role scope",
            EKind::AssignmentResourceRole => "assignment resource role",
            EKind::ResourceRequest => "resource request",
            EKind::User => "user",
            EKind::Group => "group",
            EKind::DirectoryObject => "directory object",
            EKind::Question => "question",
            EKind::StageSetting => "custom extension stage setting",
            EKind::EmRoleDefinition | EKind::DirectoryRoleDefinition => "role definition",
            EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => "role assignment",
            EKind::Approval => "approval",
            EKind::ApprovalStage => "approval stage",
            EKind::ApprovalStep => "approval step",
            EKind::AuditEvent => "audit record",
            EKind::DeletedItem => "deleted item",
            EKind::ConnectedOrganization => "connected organization",
            EKind::AvailablePackage => "available access package",
        }
    }

    /// The canonical collection path of this kind in a dialect, if it has one.
    pub fn canonical_set(self, d: Dialect) -> Option<&'static str> {
        use Dialect::*;
        Some(match (self, d) {
            (EKind::Catalog, V1) => "identityGovernance/entitlementManagement/catalogs",
            (EKind::Catalog, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageCatalogs"
            }
            (EKind::AccessPackage, _) => "identityGovernance/entitlementManagement/accessPackages",
            (EKind::Policy, V1) => "identityGovernance/entitlementManagement/assignmentPolicies",
            (EKind::Policy, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageAssignmentPolicies"
            }
            (EKind::Request, V1) => "identityGovernance/entitlementManagement/assignmentRequests",
            (EKind::Request, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageAssignmentRequests"
            }
            (EKind::Assignment, V1) => "identityGovernance/entitlementManagement/assignments",
            (EKind::Assignment, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageAssignments"
            }
            (EKind::Subject, _) => "identityGovernance/entitlementManagement/subjects",
            (EKind::ConnectedOrganization, _) => {
                "identityGovernance/entitlementManagement/connectedOrganizations"
            }
            (EKind::AvailablePackage, _) => {
                "identityGovernance/entitlementManagement/availableAccessPackages"
            }
            (EKind::Resource, V1) => "identityGovernance/entitlementManagement/resources",
            (EKind::Resource, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageResources"
            }
            (EKind::ResourceRoleScope, V1) => {
                "identityGovernance/entitlementManagement/resourceRoleScopes"
            }
            (EKind::ResourceRoleScope, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageResourceRoleScopes"
            }
            (EKind::AssignmentResourceRole, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageAssignmentResourceRoles"
            }
            (EKind::ResourceRequest, V1) => {
                "identityGovernance/entitlementManagement/resourceRequests"
            }
            (EKind::ResourceRequest, Beta) => {
                "identityGovernance/entitlementManagement/accessPackageResourceRequests"
            }
            (EKind::User, _) => "users",
            (EKind::Group, _) => "groups",
            (EKind::DirectoryObject, _) => "directoryObjects",
            (EKind::AuditEvent, _) => "auditLogs/directoryAudits",
            (EKind::DeletedItem, _) => "directory/deletedItems",
            (EKind::Approval, _) => {
                "identityGovernance/entitlementManagement/accessPackageAssignmentApprovals"
            }
            (EKind::EmRoleDefinition, _) => "roleManagement/entitlementManagement/roleDefinitions",
            (EKind::EmRoleAssignment, _) => "roleManagement/entitlementManagement/roleAssignments",
            (EKind::DirectoryRoleDefinition, _) => "roleManagement/directory/roleDefinitions",
            (EKind::DirectoryRoleAssignment, _) => "roleManagement/directory/roleAssignments",
            _ => return None,
        })
    }
}

/// A loaded entity.
#[derive(Debug, Clone)]
pub enum Ent {
    Catalog(Catalog),
    AccessPackage(AccessPackage),
    Policy(Policy),
    Request(AssignmentRequest),
    Assignment(Assignment),
    Subject(Subject),
    Resource(Resource),
    ResourceRole(ResourceRole),
    ResourceScope(ResourceScope),
    ResourceRoleScope(ResourceRoleScope),
    AssignmentResourceRole(AssignmentResourceRole),
    ResourceRequest(ResourceRequest),
    User(User),
    Group(Group),
    Question(Question),
    StageSetting(CustomExtensionStageSetting),
    RoleDefinition(RoleProvider, RoleDefinition),
    RoleAssignment(RoleAssignment),
    Approval(Approval),
    ApprovalStage(StageState),
    ApprovalStep(StageState),
    AuditEvent(AuditEvent),
    DeletedItem(DeletedItem),
    ConnectedOrganization(ConnectedOrganization),
    AvailablePackage(AccessPackage),
}

impl Ent {
    pub fn kind(&self) -> EKind {
        match self {
            Ent::Catalog(_) => EKind::Catalog,
            Ent::AccessPackage(_) => EKind::AccessPackage,
            Ent::Policy(_) => EKind::Policy,
            Ent::Request(_) => EKind::Request,
            Ent::Assignment(_) => EKind::Assignment,
            Ent::Subject(_) => EKind::Subject,
            Ent::Resource(_) => EKind::Resource,
            Ent::ResourceRole(_) => EKind::ResourceRole,
            Ent::ResourceScope(_) => EKind::ResourceScope,
            Ent::ResourceRoleScope(_) => EKind::ResourceRoleScope,
            Ent::AssignmentResourceRole(_) => EKind::AssignmentResourceRole,
            Ent::ResourceRequest(_) => EKind::ResourceRequest,
            Ent::User(_) => EKind::User,
            Ent::Group(_) => EKind::Group,
            Ent::Question(_) => EKind::Question,
            Ent::StageSetting(_) => EKind::StageSetting,
            Ent::RoleDefinition(RoleProvider::EntitlementManagement, _) => EKind::EmRoleDefinition,
            Ent::RoleDefinition(RoleProvider::Directory, _) => EKind::DirectoryRoleDefinition,
            Ent::RoleAssignment(r) => match r.provider {
                RoleProvider::EntitlementManagement => EKind::EmRoleAssignment,
                RoleProvider::Directory => EKind::DirectoryRoleAssignment,
            },
            Ent::Approval(_) => EKind::Approval,
            Ent::ApprovalStage(_) => EKind::ApprovalStage,
            Ent::ApprovalStep(_) => EKind::ApprovalStep,
            Ent::AuditEvent(_) => EKind::AuditEvent,
            Ent::DeletedItem(_) => EKind::DeletedItem,
            Ent::ConnectedOrganization(_) => EKind::ConnectedOrganization,
            Ent::AvailablePackage(_) => EKind::AvailablePackage,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Ent::Catalog(x) => &x.id,
            Ent::AccessPackage(x) => &x.id,
            Ent::Policy(x) => &x.id,
            Ent::Request(x) => &x.id,
            Ent::Assignment(x) => &x.id,
            Ent::Subject(x) => &x.id,
            Ent::Resource(x) => &x.id,
            Ent::ResourceRole(x) => &x.id,
            Ent::ResourceScope(x) => &x.id,
            Ent::ResourceRoleScope(x) => &x.id,
            Ent::AssignmentResourceRole(x) => &x.id,
            Ent::ResourceRequest(x) => &x.id,
            Ent::User(x) => &x.id,
            Ent::Group(x) => &x.id,
            Ent::Question(x) => &x.id,
            Ent::StageSetting(x) => &x.id,
            Ent::RoleDefinition(_, x) => x.id,
            Ent::RoleAssignment(x) => &x.id,
            Ent::Approval(x) => &x.id,
            Ent::ApprovalStage(x) | Ent::ApprovalStep(x) => &x.id,
            Ent::AuditEvent(x) => &x.id,
            Ent::DeletedItem(x) => &x.id,
            Ent::ConnectedOrganization(x) => &x.id,
            Ent::AvailablePackage(x) => &x.id,
        }
    }

    /// The entity's tag (`accessd_domain::etag`), from what is stored of it; `None` for what
    /// is computed, not stored (role definitions, questions, stages, available packages).
    pub fn etag(&self) -> Option<String> {
        use accessd_domain::etag::of;
        Some(match self {
            Ent::Catalog(x) => of(x),
            Ent::AccessPackage(x) => of(x),
            Ent::Policy(x) => of(x),
            Ent::Request(x) => of(x),
            Ent::Assignment(x) => of(x),
            Ent::Subject(x) => of(x),
            Ent::Resource(x) => of(x),
            Ent::ResourceRole(x) => of(x),
            Ent::ResourceScope(x) => of(x),
            Ent::ResourceRoleScope(x) => of(x),
            Ent::AssignmentResourceRole(x) => of(x),
            Ent::ResourceRequest(x) => of(x),
            Ent::User(x) => of(x),
            Ent::Group(x) => of(x),
            Ent::RoleAssignment(x) => of(x),
            Ent::Approval(x) => of(x),
            Ent::AuditEvent(x) => of(x),
            Ent::DeletedItem(x) => of(x),
            Ent::ConnectedOrganization(x) => of(x),
            Ent::Question(_)
            | Ent::StageSetting(_)
            | Ent::RoleDefinition(..)
            | Ent::ApprovalStage(_)
            | Ent::ApprovalStep(_)
            | Ent::AvailablePackage(_) => return None,
        })
    }

    /// The entity in a dialect's JSON.
    pub fn render(&self, d: Dialect) -> Map<String, Json> {
        match self {
            Ent::Catalog(x) => wire::catalog::catalog_out(d, x),
            Ent::AccessPackage(x) => wire::catalog::package_out(d, x),
            Ent::Policy(x) => wire::policy::policy_out(d, x, &wire::policy::Echo::default()),
            Ent::Request(x) => wire::work::request_out(d, x),
            Ent::Assignment(x) => wire::work::assignment_out(d, x),
            Ent::Subject(x) => wire::work::subject_out(d, x),
            Ent::Resource(x) => wire::resources::resource_out(d, x),
            Ent::ResourceRole(x) => wire::resources::role_out(d, x),
            Ent::ResourceScope(x) => wire::resources::scope_out(d, x),
            Ent::ResourceRoleScope(x) => wire::resources::role_scope_out(d, x),
            Ent::AssignmentResourceRole(x) => wire::resources::assignment_resource_role_out(x),
            Ent::ResourceRequest(x) => wire::resources::resource_request_out(d, x),
            Ent::User(x) => wire::directory::user_out(x),
            Ent::Group(x) => wire::directory::group_out(x),
            Ent::Question(q) => match wire::policy::question_out(d, q) {
                Json::Object(m) => m,
                _ => Map::new(),
            },
            Ent::RoleDefinition(_, r) => wire::roles::definition_out(r),
            Ent::RoleAssignment(r) => wire::roles::assignment_out(d, r),
            Ent::Approval(a) => wire::approvals::approval_out(a),
            Ent::ApprovalStage(s) | Ent::ApprovalStep(s) => wire::approvals::stage_out(d, s, None),
            Ent::AuditEvent(e) => wire::audit::event_out(e),
            Ent::DeletedItem(x) => wire::directory::deleted_out(x),
            Ent::ConnectedOrganization(x) => wire::partners::org_out(d, x),
            Ent::AvailablePackage(x) => wire::catalog::available_out(x),
            Ent::StageSetting(s) => {
                let mut m = match wire::policy::stage_setting_out(s) {
                    Json::Object(m) => m,
                    _ => Map::new(),
                };
                m.insert(
                    "@odata.type".into(),
                    Json::String("#microsoft.graph.customExtensionStageSetting".into()),
                );
                m
            }
        }
    }

    /// Decodes a stored row of `kind`.
    pub fn decode(kind: EKind, row: &accessd_domain::Row) -> Result<Ent, ApiError> {
        use accessd_domain::store::decode;
        Ok(match kind {
            EKind::Catalog => Ent::Catalog(decode(row)?),
            EKind::AccessPackage => Ent::AccessPackage(decode(row)?),
            EKind::Policy => Ent::Policy(decode(row)?),
            EKind::Request => Ent::Request(decode(row)?),
            EKind::Assignment => Ent::Assignment(decode(row)?),
            EKind::Subject => Ent::Subject(decode(row)?),
            EKind::Resource => Ent::Resource(decode(row)?),
            EKind::ResourceRole => Ent::ResourceRole(decode(row)?),
            EKind::ResourceScope => Ent::ResourceScope(decode(row)?),
            EKind::ResourceRoleScope => Ent::ResourceRoleScope(decode(row)?),
            EKind::AssignmentResourceRole => Ent::AssignmentResourceRole(decode(row)?),
            EKind::ResourceRequest => Ent::ResourceRequest(decode(row)?),
            EKind::User => Ent::User(decode(row)?),
            EKind::Group => Ent::Group(decode(row)?),
            EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => {
                Ent::RoleAssignment(decode(row)?)
            }
            EKind::Approval => Ent::Approval(decode(row)?),
            EKind::AuditEvent => Ent::AuditEvent(decode(row)?),
            EKind::DeletedItem => Ent::DeletedItem(decode(row)?),
            EKind::ConnectedOrganization => Ent::ConnectedOrganization(decode(row)?),
            EKind::AvailablePackage => Ent::AvailablePackage(decode(row)?),
            other => {
                return Err(ApiError::internal(format!(
                    "{other:?} is not stored on its own"
                )));
            }
        })
    }
}

/// Loads an entity of `kind` by id.
pub async fn load(tx: &mut dyn Tx, kind: EKind, id: &str) -> Result<Option<Ent>, ApiError> {
    if kind == EKind::DirectoryObject {
        if let Some(u) = tx.load::<User>(id).await? {
            return Ok(Some(Ent::User(u)));
        }
        return Ok(tx.load::<Group>(id).await?.map(Ent::Group));
    }
    if let (Some(provider), None) = (kind.role_provider(), kind.store_kind()) {
        return Ok(accessd_engine::authz::roles::definitions(provider)
            .into_iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
            .map(|r| Ent::RoleDefinition(provider, r)));
    }
    let Some(k) = kind.store_kind() else {
        return Ok(None);
    };
    match tx.get(k, id).await? {
        // A role assignment is only found through its own provider.
        Some(row) => Ent::decode(kind, &row)
            .map(Some)
            .map(|e| e.filter(|e| e.kind() == kind)),
        None => Ok(None),
    }
}

/// Which members of a kind a collection holds.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    /// Rows whose column equals the value.
    Eq(&'static str, String),
    /// Rows linked from `from` (a `from_kind` entity) through `link`.
    LinkedFrom {
        link: Link,
        from: String,
        from_kind: Kind,
    },
    /// Rows that link to `to` (a `to_kind` entity) through `link`.
    LinkingTo {
        link: Link,
        to: String,
        to_kind: Kind,
    },
    /// Items held inside another entity's document (policy questions, stage settings).
    Embedded(Vec<Ent>),
}

impl Scope {
    /// The filter that selects the scope's rows.
    pub fn to_expr(&self) -> Expr {
        match self {
            Scope::All | Scope::Embedded(_) => Expr::True,
            Scope::Eq(c, v) => Expr::col_eq(c, v.as_str()),
            Scope::LinkedFrom {
                link,
                from,
                from_kind,
            } => Expr::Linked {
                link: *link,
                reverse: true,
                kind: *from_kind,
                filter: Box::new(Expr::col_eq("id", from.as_str())),
                all: false,
            },
            Scope::LinkingTo { link, to, to_kind } => Expr::Linked {
                link: *link,
                reverse: false,
                kind: *to_kind,
                filter: Box::new(Expr::col_eq("id", to.as_str())),
                all: false,
            },
        }
    }

    /// Whether the entity belongs to the scope.
    pub async fn contains(&self, tx: &mut dyn Tx, ent: &Ent) -> Result<bool, ApiError> {
        Ok(match self {
            Scope::All => true,
            Scope::Eq(col, v) => column_value(ent, col).as_deref() == Some(v.as_str()),
            Scope::LinkedFrom { link, from, .. } => {
                tx.linked(*link, from).await?.iter().any(|x| x == ent.id())
            }
            Scope::LinkingTo { link, to, .. } => {
                tx.linked_to(*link, to).await?.iter().any(|x| x == ent.id())
            }
            Scope::Embedded(items) => items.iter().any(|x| x.id() == ent.id()),
        })
    }
}

/// The value of an index column of an entity, for scope checks.
fn column_value(ent: &Ent, col: &str) -> Option<String> {
    match (ent, col) {
        (Ent::AccessPackage(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::Policy(x), "access_package_id") => Some(x.access_package_id.clone()),
        (Ent::Policy(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::Assignment(x), "access_package_id") => Some(x.access_package_id.clone()),
        (Ent::Assignment(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::Assignment(x), "policy_id") => Some(x.policy_id.clone()),
        (Ent::Assignment(x), "target_object_id") => x.target_object_id.clone(),
        (Ent::Request(x), "assignment_id") => x.assignment_id.clone(),
        (Ent::Request(x), "access_package_id") => x.access_package_id.clone(),
        (Ent::Resource(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::ResourceRole(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::ResourceRole(x), "resource_id") => Some(x.resource_id.clone()),
        (Ent::ResourceScope(x), "catalog_id") => Some(x.catalog_id.clone()),
        (Ent::ResourceScope(x), "resource_id") => Some(x.resource_id.clone()),
        (Ent::ResourceRoleScope(x), "access_package_id") => Some(x.access_package_id.clone()),
        (Ent::RoleAssignment(x), "provider") => Some(x.provider.as_str().to_string()),
        (Ent::AuditEvent(x), "category") => Some(x.category.clone()),
        (Ent::DeletedItem(x), "kind") => Some(x.kind.as_str().to_string()),
        _ => None,
    }
}

/// Where a navigation leads.
pub enum Nav {
    One(EKind, Option<String>),
    Many(EKind, Scope),
}

/// The navigation properties accessd follows, per dialect and type.
pub fn navigate(d: Dialect, ent: &Ent, name: &str) -> Option<Nav> {
    use Dialect::*;
    use EKind as K;
    let v1 = d == V1;
    Some(match ent {
        Ent::Catalog(c) => match name {
            "accessPackages" => Nav::Many(K::AccessPackage, Scope::Eq("catalog_id", c.id.clone())),
            "resources" if v1 => Nav::Many(K::Resource, Scope::Eq("catalog_id", c.id.clone())),
            "resourceRoles" if v1 => {
                Nav::Many(K::ResourceRole, Scope::Eq("catalog_id", c.id.clone()))
            }
            "resourceScopes" if v1 => {
                Nav::Many(K::ResourceScope, Scope::Eq("catalog_id", c.id.clone()))
            }
            "accessPackageResources" if !v1 => {
                Nav::Many(K::Resource, Scope::Eq("catalog_id", c.id.clone()))
            }
            "accessPackageResourceRoles" if !v1 => {
                Nav::Many(K::ResourceRole, Scope::Eq("catalog_id", c.id.clone()))
            }
            "accessPackageResourceScopes" if !v1 => {
                Nav::Many(K::ResourceScope, Scope::Eq("catalog_id", c.id.clone()))
            }
            _ => return None,
        },
        Ent::AccessPackage(a) => match name {
            "catalog" if v1 => Nav::One(K::Catalog, Some(a.catalog_id.clone())),
            "accessPackageCatalog" if !v1 => Nav::One(K::Catalog, Some(a.catalog_id.clone())),
            "assignmentPolicies" if v1 => {
                Nav::Many(K::Policy, Scope::Eq("access_package_id", a.id.clone()))
            }
            "accessPackageAssignmentPolicies" if !v1 => {
                Nav::Many(K::Policy, Scope::Eq("access_package_id", a.id.clone()))
            }
            "resourceRoleScopes" if v1 => Nav::Many(
                K::ResourceRoleScope,
                Scope::Eq("access_package_id", a.id.clone()),
            ),
            "accessPackageResourceRoleScopes" if !v1 => Nav::Many(
                K::ResourceRoleScope,
                Scope::Eq("access_package_id", a.id.clone()),
            ),
            "incompatibleAccessPackages" => Nav::Many(
                K::AccessPackage,
                Scope::LinkedFrom {
                    link: Link::IncompatiblePackage,
                    from: a.id.clone(),
                    from_kind: Kind::AccessPackage,
                },
            ),
            "accessPackagesIncompatibleWith" => Nav::Many(
                K::AccessPackage,
                Scope::LinkingTo {
                    link: Link::IncompatiblePackage,
                    to: a.id.clone(),
                    to_kind: Kind::AccessPackage,
                },
            ),
            "incompatibleGroups" => Nav::Many(
                K::Group,
                Scope::LinkedFrom {
                    link: Link::IncompatibleGroup,
                    from: a.id.clone(),
                    from_kind: Kind::AccessPackage,
                },
            ),
            _ => return None,
        },
        Ent::Policy(p) => match name {
            "accessPackage" => Nav::One(K::AccessPackage, Some(p.access_package_id.clone())),
            "catalog" if v1 => Nav::One(K::Catalog, Some(p.catalog_id.clone())),
            "accessPackageCatalog" if !v1 => Nav::One(K::Catalog, Some(p.catalog_id.clone())),
            "questions" if v1 => Nav::Many(
                K::Question,
                Scope::Embedded(
                    p.questions
                        .iter()
                        .map(|q| Ent::Question(q.clone()))
                        .collect(),
                ),
            ),
            "customExtensionStageSettings" => Nav::Many(
                K::StageSetting,
                Scope::Embedded(
                    p.custom_extension_stage_settings
                        .iter()
                        .map(|s| Ent::StageSetting(s.clone()))
                        .collect(),
                ),
            ),
            _ => return None,
        },
        Ent::Request(r) => match name {
            "accessPackage" => Nav::One(K::AccessPackage, r.access_package_id.clone()),
            "assignment" if v1 => Nav::One(K::Assignment, r.assignment_id.clone()),
            "accessPackageAssignment" if !v1 => Nav::One(K::Assignment, r.assignment_id.clone()),
            "requestor" => Nav::One(K::Subject, r.requestor_id.clone()),
            _ => return None,
        },
        Ent::Assignment(a) => match name {
            "accessPackage" => Nav::One(K::AccessPackage, Some(a.access_package_id.clone())),
            "assignmentPolicy" if v1 => Nav::One(K::Policy, Some(a.policy_id.clone())),
            "accessPackageAssignmentPolicy" if !v1 => {
                Nav::One(K::Policy, Some(a.policy_id.clone()))
            }
            "target" => Nav::One(K::Subject, Some(a.target_id.clone())),
            "accessPackageAssignmentRequests" if !v1 => {
                Nav::Many(K::Request, Scope::Eq("assignment_id", a.id.clone()))
            }
            "accessPackageAssignmentResourceRoles" if !v1 => Nav::Many(
                K::AssignmentResourceRole,
                Scope::LinkingTo {
                    link: Link::DeliveredBy,
                    to: a.id.clone(),
                    to_kind: Kind::Assignment,
                },
            ),
            _ => return None,
        },
        Ent::AssignmentResourceRole(r) if !v1 => match name {
            "accessPackageAssignments" => Nav::Many(
                K::Assignment,
                Scope::LinkedFrom {
                    link: Link::DeliveredBy,
                    from: r.id.clone(),
                    from_kind: Kind::AssignmentResourceRole,
                },
            ),
            "accessPackageResourceRole" => Nav::One(K::ResourceRole, Some(r.role_id.clone())),
            "accessPackageResourceScope" => Nav::One(K::ResourceScope, Some(r.scope_id.clone())),
            "accessPackageSubject" => Nav::One(K::Subject, Some(r.subject_id.clone())),
            _ => return None,
        },
        Ent::ResourceRoleScope(r) => match name {
            "role" if v1 => Nav::One(K::ResourceRole, Some(r.role_id.clone())),
            "scope" if v1 => Nav::One(K::ResourceScope, Some(r.scope_id.clone())),
            "accessPackageResourceRole" if !v1 => {
                Nav::One(K::ResourceRole, Some(r.role_id.clone()))
            }
            "accessPackageResourceScope" if !v1 => {
                Nav::One(K::ResourceScope, Some(r.scope_id.clone()))
            }
            _ => return None,
        },
        Ent::ResourceRole(r) => match name {
            "resource" if v1 => Nav::One(K::Resource, Some(r.resource_id.clone())),
            "accessPackageResource" if !v1 => Nav::One(K::Resource, Some(r.resource_id.clone())),
            _ => return None,
        },
        Ent::ResourceScope(s) => match name {
            "resource" if v1 => Nav::One(K::Resource, Some(s.resource_id.clone())),
            "accessPackageResource" if !v1 => Nav::One(K::Resource, Some(s.resource_id.clone())),
            _ => return None,
        },
        Ent::Resource(r) => match name {
            "roles" if v1 => Nav::Many(K::ResourceRole, Scope::Eq("resource_id", r.id.clone())),
            "scopes" if v1 => Nav::Many(K::ResourceScope, Scope::Eq("resource_id", r.id.clone())),
            "accessPackageResourceRoles" if !v1 => {
                Nav::Many(K::ResourceRole, Scope::Eq("resource_id", r.id.clone()))
            }
            "accessPackageResourceScopes" if !v1 => {
                Nav::Many(K::ResourceScope, Scope::Eq("resource_id", r.id.clone()))
            }
            _ => return None,
        },
        Ent::ResourceRequest(r) => match name {
            "catalog" if v1 => Nav::One(K::Catalog, Some(r.catalog_id.clone())),
            "resource" if v1 => Nav::One(K::Resource, r.resource_id.clone()),
            "accessPackageResource" if !v1 => Nav::One(K::Resource, r.resource_id.clone()),
            "requestor" if !v1 => Nav::One(K::Subject, r.requestor_id.clone()),
            _ => return None,
        },
        Ent::Group(g) => match name {
            "members" => Nav::Many(
                K::DirectoryObject,
                Scope::LinkedFrom {
                    link: Link::GroupMember,
                    from: g.id.clone(),
                    from_kind: Kind::Group,
                },
            ),
            "owners" => Nav::Many(
                K::DirectoryObject,
                Scope::LinkedFrom {
                    link: Link::GroupOwner,
                    from: g.id.clone(),
                    from_kind: Kind::Group,
                },
            ),
            "memberOf" => Nav::Many(
                K::Group,
                Scope::LinkingTo {
                    link: Link::GroupMember,
                    to: g.id.clone(),
                    to_kind: Kind::Group,
                },
            ),
            _ => return None,
        },
        Ent::Approval(a) => match name {
            "stages" if v1 => Nav::Many(
                K::ApprovalStage,
                Scope::Embedded(a.stages.iter().cloned().map(Ent::ApprovalStage).collect()),
            ),
            "steps" if !v1 => Nav::Many(
                K::ApprovalStep,
                Scope::Embedded(a.stages.iter().cloned().map(Ent::ApprovalStep).collect()),
            ),
            _ => return None,
        },
        Ent::RoleAssignment(r) => match name {
            "roleDefinition" => Nav::One(
                match r.provider {
                    RoleProvider::EntitlementManagement => K::EmRoleDefinition,
                    RoleProvider::Directory => K::DirectoryRoleDefinition,
                },
                Some(r.role_definition_id.clone()),
            ),
            "principal" => Nav::One(K::DirectoryObject, Some(r.principal_id.clone())),
            _ => return None,
        },
        Ent::AvailablePackage(a) => match name {
            "resourceRoleScopes" => Nav::Many(
                K::ResourceRoleScope,
                Scope::Eq("access_package_id", a.id.clone()),
            ),
            _ => return None,
        },
        Ent::Subject(x) => match name {
            "connectedOrganization" => Nav::One(
                K::ConnectedOrganization,
                x.connected_organization_id.clone(),
            ),
            _ => return None,
        },
        Ent::ConnectedOrganization(o) => match name {
            "internalSponsors" | "externalSponsors" => Nav::Many(
                K::DirectoryObject,
                Scope::LinkedFrom {
                    link: if name == "internalSponsors" {
                        Link::InternalSponsor
                    } else {
                        Link::ExternalSponsor
                    },
                    from: o.id.clone(),
                    from_kind: Kind::ConnectedOrganization,
                },
            ),
            _ => return None,
        },
        Ent::User(u) => match name {
            "memberOf" => Nav::Many(
                K::Group,
                Scope::LinkingTo {
                    link: Link::GroupMember,
                    to: u.id.clone(),
                    to_kind: Kind::User,
                },
            ),
            "manager" => Nav::One(K::User, u.manager_id.clone()),
            _ => return None,
        },
        _ => return None,
    })
}

fn em_set(d: Dialect, name: &str) -> Option<EKind> {
    crate::served::em_set(d, name)
}

/// A collection reached by a path.
#[derive(Debug, Clone)]
pub struct Coll {
    pub kind: EKind,
    pub scope: Scope,
    /// The entity the collection hangs off, with the navigation name.
    pub parent: Option<(Ent, String)>,
    /// The path as `@odata.context` names it.
    pub context: String,
}

impl Coll {
    /// Whether the collection holds its members (an entity set, or a containment navigation
    /// such as `accessPackage/assignmentPolicies`) rather than referring to them
    /// (`group/members`, `catalog/accessPackages`). Only held members can be deleted through it.
    pub fn holds_members(&self, d: Dialect) -> bool {
        match &self.parent {
            None => true,
            Some((parent, nav)) => crate::edm::find_type(d, parent.kind().type_name())
                .and_then(|t| crate::edm::find_prop(d, t, nav))
                .is_some_and(|p| p.contains),
        }
    }
}

/// What a whole path names.
pub enum Target {
    Collection(Coll),
    Entity {
        ent: Ent,
        within: Option<Coll>,
        context: String,
    },
    /// A single-valued navigation that is empty (`assignment/target` of nothing).
    Null {
        kind: EKind,
    },
    Count(Coll),
    CollectionRef(Coll),
    EntityRef {
        ent: Ent,
        within: Coll,
    },
    Function {
        coll: Coll,
        name: String,
        args: Vec<(String, String)>,
    },
    Action {
        ent: Ent,
        name: String,
    },
    /// The reference of a single-valued navigation (`users/{id}/manager/$ref`).
    SingleRef {
        ent: Ent,
        nav: String,
        kind: EKind,
        to: Option<String>,
    },
    Metadata,
}

/// Splits a raw path (still percent-encoded) into decoded segments. Parentheses keys
/// (`assignments('id')`) become a segment of their own.
pub fn segments(raw: &str) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for seg in raw.split('/').filter(|s| !s.is_empty()) {
        let dec = percent_decode_str(seg)
            .decode_utf8()
            .map_err(|_| {
                ApiError::bad_request(format!("The path segment '{seg}' is not valid UTF-8."))
            })?
            .to_string();
        out.push(dec);
    }
    Ok(out)
}

/// `name(args)` when a segment is a function call or a parenthesised key.
fn split_call(seg: &str) -> Option<(&str, &str)> {
    let open = seg.find('(')?;
    if !seg.ends_with(')') || open == 0 {
        return None;
    }
    Some((&seg[..open], &seg[open + 1..seg.len() - 1]))
}

/// Parses `a='x',b='y'` (also without the comma, as the Python SDK sends it; see
/// `../shared/sdk-wire.md` 5.5) into pairs; a bare `'x'` or `x` is a key.
pub fn parse_args(s: &str) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let bad = || ApiError::bad_request(format!("The parameters '({s})' are malformed."));
    while i < b.len() {
        while i < b.len() && (b[i] == b',' || b[i] == b' ') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let name_start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b'\'' {
            i += 1;
        }
        let name = s[name_start..i].trim().to_string();
        if i < b.len() && b[i] == b'=' {
            i += 1;
        } else if !name.is_empty() && i >= b.len() {
            // A bare key: `(abc)`.
            out.push((String::new(), name));
            break;
        }
        let value = if i < b.len() && b[i] == b'\'' {
            i += 1;
            let mut v = String::new();
            loop {
                if i >= b.len() {
                    return Err(bad());
                }
                if b[i] == b'\'' {
                    if i + 1 < b.len() && b[i + 1] == b'\'' {
                        v.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                let ch = s[i..].chars().next().ok_or_else(bad)?;
                v.push(ch);
                i += ch.len_utf8();
            }
            v
        } else {
            let start = i;
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            s[start..i].trim().to_string()
        };
        out.push((name, value));
    }
    Ok(out)
}

const ACTIONS: &[(EKind, &str)] = &[
    (EKind::Request, "cancel"),
    (EKind::Request, "reprocess"),
    (EKind::Request, "resume"),
    (EKind::Assignment, "reprocess"),
    (EKind::AccessPackage, "getApplicablePolicyRequirements"),
    (EKind::DeletedItem, "restore"),
    (EKind::Resource, "refresh"),
];

/// Resolves the segments after the version.
pub async fn resolve(tx: &mut dyn Tx, d: Dialect, segs: &[String]) -> Result<Target, ApiError> {
    let seg_err = |s: &str| ApiError::no_route(s);
    let i;
    let first = segs.first().ok_or_else(|| seg_err(""))?;
    if first == "$metadata" && segs.len() == 1 {
        return Ok(Target::Metadata);
    }
    let mut coll: Coll = match first.as_str() {
        "identityGovernance" => {
            let second = segs.get(1).ok_or_else(|| seg_err("identityGovernance"))?;
            match second.as_str() {
                "entitlementManagement" => {
                    let third = segs
                        .get(2)
                        .ok_or_else(|| seg_err("entitlementManagement"))?;
                    let (name, key) = match split_call(third) {
                        Some((n, k)) => (n, Some(k)),
                        None => (third.as_str(), None),
                    };
                    let kind = em_set(d, name).ok_or_else(|| seg_err(third))?;
                    i = 3;
                    let c = Coll {
                        kind,
                        scope: Scope::All,
                        parent: None,
                        context: format!("identityGovernance/entitlementManagement/{name}"),
                    };
                    if let Some(k) = key {
                        return resolve_from_key(tx, d, c, k, &segs[i..]).await;
                    }
                    c
                }
                "catalogs" => {
                    i = 2;
                    Coll {
                        kind: EKind::Catalog,
                        scope: Scope::All,
                        parent: None,
                        context: "identityGovernance/catalogs".into(),
                    }
                }
                other => return Err(seg_err(other)),
            }
        }
        "roleManagement" => {
            let provider = match segs.get(1).map(String::as_str) {
                Some("entitlementManagement") => RoleProvider::EntitlementManagement,
                Some("directory") => RoleProvider::Directory,
                Some(other) => return Err(seg_err(other)),
                None => return Err(seg_err("roleManagement")),
            };
            let third = segs.get(2).ok_or_else(|| seg_err(&segs[1]))?;
            let (name, key) = match split_call(third) {
                Some((n, k)) => (n, Some(k)),
                None => (third.as_str(), None),
            };
            let c = role_collection(provider, name).ok_or_else(|| seg_err(third))?;
            i = 3;
            if let Some(k) = key {
                return resolve_from_key(tx, d, c, k, &segs[i..]).await;
            }
            c
        }
        "directory" => {
            match segs.get(1).map(String::as_str) {
                Some("deletedItems") => {}
                Some(other) => return Err(seg_err(other)),
                None => return Err(seg_err("directory")),
            }
            i = 2;
            Coll {
                kind: EKind::DeletedItem,
                scope: Scope::All,
                parent: None,
                context: "directory/deletedItems".into(),
            }
        }
        "auditLogs" => {
            match segs.get(1).map(String::as_str) {
                Some("directoryAudits") => {}
                Some(other) => return Err(seg_err(other)),
                None => return Err(seg_err("auditLogs")),
            }
            i = 2;
            Coll {
                kind: EKind::AuditEvent,
                scope: Scope::Eq("category", accessd_engine::audit::CATEGORY.into()),
                parent: None,
                context: "auditLogs/directoryAudits".into(),
            }
        }
        "users" | "groups" | "directoryObjects" => {
            i = 1;
            let kind = match first.as_str() {
                "users" => EKind::User,
                "groups" => EKind::Group,
                _ => EKind::DirectoryObject,
            };
            Coll {
                kind,
                scope: Scope::All,
                parent: None,
                context: first.clone(),
            }
        }
        other => {
            // The seeds' root-level beta paths: /beta/accessPackageAssignments/{id}, ...
            let (name, key) = match split_call(other) {
                Some((n, k)) => (n, Some(k)),
                None => (other, None),
            };
            match (d, em_set(d, name)) {
                (Dialect::Beta, Some(kind)) => {
                    i = 1;
                    let c = Coll {
                        kind,
                        scope: Scope::All,
                        parent: None,
                        context: format!("identityGovernance/entitlementManagement/{name}"),
                    };
                    if let Some(k) = key {
                        return resolve_from_key(tx, d, c, k, &segs[i..]).await;
                    }
                    c
                }
                _ => return Err(seg_err(other)),
            }
        }
    };
    walk_collection(tx, d, &mut coll, &segs[i..]).await
}

/// `roleManagement/{provider}/roleDefinitions` and `.../roleAssignments`.
fn role_collection(provider: RoleProvider, name: &str) -> Option<Coll> {
    let (definitions, assignments) = match provider {
        RoleProvider::EntitlementManagement => (EKind::EmRoleDefinition, EKind::EmRoleAssignment),
        RoleProvider::Directory => (
            EKind::DirectoryRoleDefinition,
            EKind::DirectoryRoleAssignment,
        ),
    };
    let (kind, scope) = match name {
        "roleDefinitions" => (
            definitions,
            Scope::Embedded(
                accessd_engine::authz::roles::definitions(provider)
                    .into_iter()
                    .map(|r| Ent::RoleDefinition(provider, r))
                    .collect(),
            ),
        ),
        "roleAssignments" => (
            assignments,
            Scope::Eq("provider", provider.as_str().to_string()),
        ),
        _ => return None,
    };
    Some(Coll {
        kind,
        scope,
        parent: None,
        context: format!("roleManagement/{}/{name}", provider.as_str()),
    })
}

async fn resolve_from_key(
    tx: &mut dyn Tx,
    d: Dialect,
    coll: Coll,
    key: &str,
    rest: &[String],
) -> Result<Target, ApiError> {
    let args = parse_args(key)?;
    let id = match args.as_slice() {
        [(n, v)] if n.is_empty() || n == "id" => v.clone(),
        // The CSDL's alternate keys: a subject's objectId, a catalog's or a package's uniqueName.
        [(n, v)] if alternate_column(coll.kind, n).is_some() => {
            let column = alternate_column(coll.kind, n).unwrap_or_default();
            match alternate_lookup(tx, coll.kind, column, v).await? {
                Some(id) => id,
                None => return Err(key_not_found(coll.kind, v)),
            }
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "The key '({key})' is not supported; use the id."
            )));
        }
    };
    let ent = key_lookup(tx, &coll, &id).await?;
    walk_entity(tx, d, ent, Some(coll), rest).await
}

/// The index column behind an alternate key of a kind.
fn alternate_column(kind: EKind, name: &str) -> Option<&'static str> {
    match (kind, name) {
        (EKind::Subject, "objectId") => Some("object_id"),
        (EKind::Catalog | EKind::AccessPackage, "uniqueName") => Some("unique_name"),
        _ => None,
    }
}

/// The id of the entity whose `column` is `value` (a user with no subject yet has none: 404, as
/// for a user entitlement management has never seen).
async fn alternate_lookup(
    tx: &mut dyn Tx,
    kind: EKind,
    column: &'static str,
    value: &str,
) -> Result<Option<String>, ApiError> {
    let Some(k) = kind.store_kind() else {
        return Ok(None);
    };
    let q = accessd_domain::Query::filtered(Expr::col_eq(column, value));
    if let Some(row) = tx.query(k, &q).await?.into_iter().next() {
        return Ok(Some(row.id));
    }
    Ok(None)
}

/// The 404 for a key, in the code Graph's directory or entitlement management uses.
pub fn key_not_found(kind: EKind, id: &str) -> ApiError {
    match kind {
        EKind::User | EKind::Group | EKind::DirectoryObject => ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        ),
        k => ApiError::not_found(k.noun(), id),
    }
}

async fn key_lookup(tx: &mut dyn Tx, coll: &Coll, id: &str) -> Result<Ent, ApiError> {
    let not_found = || key_not_found(coll.kind, id);
    let ent = match &coll.scope {
        Scope::Embedded(items) => items.iter().find(|x| x.id() == id).cloned(),
        _ => load(tx, coll.kind, id).await?,
    }
    .ok_or_else(not_found)?;
    if !coll.scope.contains(tx, &ent).await? {
        return Err(not_found());
    }
    Ok(ent)
}

fn walk_collection<'a>(
    tx: &'a mut dyn Tx,
    d: Dialect,
    coll: &'a mut Coll,
    rest: &'a [String],
) -> futures::future::BoxFuture<'a, Result<Target, ApiError>> {
    Box::pin(async move {
        let Some(seg) = rest.first() else {
            return Ok(Target::Collection(coll.clone()));
        };
        match seg.as_str() {
            "$count" if rest.len() == 1 => return Ok(Target::Count(coll.clone())),
            "$ref" if rest.len() == 1 => return Ok(Target::CollectionRef(coll.clone())),
            _ => {}
        }
        if let Some((name, args)) = split_call(seg)
            && matches!(
                name,
                "filterByCurrentUser" | "additionalAccess" | "My" | "Search"
            )
        {
            if rest.len() > 1 {
                return Err(ApiError::no_route(&rest[1]));
            }
            return Ok(Target::Function {
                coll: coll.clone(),
                name: name.to_string(),
                args: parse_args(args)?,
            });
        }
        // An OData cast narrows a collection of directory objects: members/microsoft.graph.user.
        if let Some(t) = seg.strip_prefix("microsoft.graph.") {
            let mut c = coll.clone();
            let narrowed = match (coll.kind, t) {
                (EKind::DirectoryObject | EKind::User, "user") => EKind::User,
                (EKind::DirectoryObject | EKind::Group, "group") => EKind::Group,
                // `directory/deletedItems/microsoft.graph.group`: the deleted groups.
                (EKind::DeletedItem, "group") => {
                    c.scope = Scope::Eq("kind", "group".into());
                    EKind::DeletedItem
                }
                _ => return Err(ApiError::no_route(seg)),
            };
            c.kind = narrowed;
            c.context = format!("{}/{seg}", c.context);
            return walk_collection(tx, d, &mut c, &rest[1..]).await;
        }
        let ent = key_lookup(tx, coll, seg).await?;
        walk_entity(tx, d, ent, Some(coll.clone()), &rest[1..]).await
    })
}

fn walk_entity<'a>(
    tx: &'a mut dyn Tx,
    d: Dialect,
    ent: Ent,
    within: Option<Coll>,
    rest: &'a [String],
) -> futures::future::BoxFuture<'a, Result<Target, ApiError>> {
    Box::pin(async move {
        let context = match &within {
            Some(c) => format!("{}/$entity", c.context),
            None => format!("{}/$entity", ent.kind().type_name()),
        };
        let Some(seg) = rest.first() else {
            return Ok(Target::Entity {
                ent,
                within,
                context,
            });
        };
        if seg == "$ref" && rest.len() == 1 {
            let within = within.ok_or_else(|| ApiError::no_route("$ref"))?;
            return Ok(Target::EntityRef { ent, within });
        }
        if ACTIONS.iter().any(|(k, n)| *k == ent.kind() && n == seg) {
            if rest.len() > 1 {
                return Err(ApiError::no_route(&rest[1]));
            }
            return Ok(Target::Action {
                ent,
                name: seg.clone(),
            });
        }
        let base_ctx = match &within {
            Some(c) => format!("{}('{}')", c.context, ent.id()),
            None => ent.kind().type_name().to_string(),
        };
        match navigate(d, &ent, seg) {
            // `users/{id}/manager/$ref`: the reference itself (set with PUT, removed with
            // DELETE).
            Some(Nav::One(kind, id)) if rest.len() == 2 && rest[1] == "$ref" => {
                Ok(Target::SingleRef {
                    ent,
                    nav: seg.clone(),
                    kind,
                    to: id,
                })
            }
            Some(Nav::One(kind, id)) => {
                let Some(id) = id else {
                    if rest.len() > 1 {
                        return Err(ApiError::not_found(kind.noun(), "(none)"));
                    }
                    return Ok(Target::Null { kind });
                };
                let next = load(tx, kind, &id)
                    .await?
                    .ok_or_else(|| ApiError::not_found(kind.noun(), &id))?;
                let ctx = format!("{base_ctx}/{seg}");
                if rest.len() == 1 {
                    return Ok(Target::Entity {
                        ent: next,
                        within: None,
                        context: format!("{ctx}/$entity"),
                    });
                }
                // Keep walking from the single entity; its own navigations apply.
                let mut t = walk_entity(tx, d, next, None, &rest[1..]).await?;
                if let Target::Entity {
                    context,
                    within: None,
                    ..
                } = &mut t
                {
                    *context = format!("{ctx}/{}/$entity", rest[1..].join("/"));
                }
                Ok(t)
            }
            Some(Nav::Many(kind, scope)) => {
                let mut coll = Coll {
                    kind,
                    scope,
                    parent: Some((ent, seg.clone())),
                    context: format!("{base_ctx}/{seg}"),
                };
                walk_collection(tx, d, &mut coll, &rest[1..]).await
            }
            None => Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "Resource not found for the segment '{seg}': the type 'microsoft.graph.{}' has no navigation or action by that name in {}.",
                    ent.kind().type_name(),
                    d.segment()
                ),
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arguments_with_and_without_commas() {
        assert_eq!(
            parse_args("on='target'").unwrap(),
            vec![("on".to_string(), "target".to_string())]
        );
        let want = vec![
            ("accessPackageId".to_string(), "A".to_string()),
            ("incompatibleAccessPackageId".to_string(), "B".to_string()),
        ];
        assert_eq!(
            parse_args("accessPackageId='A',incompatibleAccessPackageId='B'").unwrap(),
            want
        );
        assert_eq!(
            parse_args("accessPackageId='A'incompatibleAccessPackageId='B'").unwrap(),
            want
        );
        assert_eq!(
            parse_args("'it''s'").unwrap(),
            vec![(String::new(), "it's".to_string())]
        );
        assert_eq!(parse_args("").unwrap(), vec![]);
        assert!(parse_args("on='open").is_err());
    }

    #[test]
    fn segments_are_decoded_one_by_one() {
        assert_eq!(
            segments("/a%20b%2Fc/x").unwrap(),
            vec!["a b/c".to_string(), "x".to_string()]
        );
    }
}

#[cfg(test)]
mod served_tests {
    use super::*;
    use crate::served;

    fn now() -> Timestamp {
        Timestamp::parse("2030-01-01T00:00:00Z").unwrap()
    }

    /// One entity of each kind that has navigations.
    fn samples() -> Vec<Ent> {
        let mut policy = crate::wire::policy::blank(now());
        policy.id = "p".into();
        let assignment = Assignment {
            id: "a".into(),
            catalog_id: "c".into(),
            access_package_id: "ap".into(),
            policy_id: "p".into(),
            target_id: "s".into(),
            target_object_id: None,
            state: AssignmentState::Delivered,
            status: "Delivered".into(),
            is_extended: false,
            expired_date_time: None,
            schedule: Schedule::default(),
            custom_extension_callout_instances: vec![],
            created_date_time: now(),
            modified_date_time: now(),
        };
        let request = AssignmentRequest {
            id: "r".into(),
            request_type: RequestType::AdminAdd,
            state: RequestState::Delivered,
            status: "Delivered".into(),
            created_date_time: now(),
            completed_date_time: None,
            expiration_date_time: None,
            schedule: Schedule::default(),
            justification: None,
            answers: vec![],
            catalog_id: None,
            access_package_id: None,
            policy_id: None,
            assignment_id: None,
            requestor_id: None,
            requestor_object_id: None,
            target_id: None,
            target_object_id: None,
            is_validation_only: false,
            created_by: None,
            custom_extension_callout_instances: vec![],
        };
        let resource = Resource {
            id: "res".into(),
            catalog_id: "c".into(),
            display_name: None,
            description: None,
            origin_id: "g".into(),
            origin_system: "AadGroup".into(),
            resource_type: None,
            url: None,
            attributes: vec![],
            is_pending_onboarding: false,
            added_by: None,
            created_date_time: now(),
            modified_date_time: now(),
        };
        let role = ResourceRole {
            id: "role".into(),
            catalog_id: "c".into(),
            resource_id: "res".into(),
            display_name: None,
            description: None,
            origin_id: "Member_g".into(),
            origin_system: "AadGroup".into(),
        };
        let scope = ResourceScope {
            id: "scope".into(),
            catalog_id: "c".into(),
            resource_id: "res".into(),
            display_name: None,
            description: None,
            origin_id: "g".into(),
            origin_system: "AadGroup".into(),
            is_root_scope: true,
            url: None,
        };
        let rs = ResourceRoleScope {
            id: "rs".into(),
            access_package_id: "ap".into(),
            role_id: "role".into(),
            scope_id: "scope".into(),
            created_date_time: now(),
            modified_date_time: now(),
            created_by: None,
            modified_by: None,
        };
        let arr = AssignmentResourceRole {
            id: "arr".into(),
            role_id: "role".into(),
            scope_id: "scope".into(),
            subject_id: "s".into(),
            origin_id: None,
            origin_system: None,
            status: "Fulfilled".into(),
            created_date_time: now(),
        };
        let rr = ResourceRequest {
            id: "rr".into(),
            catalog_id: "c".into(),
            resource_id: Some("res".into()),
            request_type: RequestType::AdminAdd,
            state: RequestState::Delivered,
            status: None,
            justification: None,
            is_validation_only: false,
            execute_immediately: true,
            expiration_date_time: None,
            requestor_id: Some("s".into()),
            created_date_time: now(),
        };
        vec![
            Ent::Catalog(crate::wire::catalog::blank_catalog(now())),
            Ent::AccessPackage(crate::wire::catalog::blank_package(now())),
            Ent::Policy(policy),
            Ent::Request(request),
            Ent::Assignment(assignment),
            Ent::Resource(resource),
            Ent::ResourceRole(role),
            Ent::ResourceScope(scope),
            Ent::ResourceRoleScope(rs),
            Ent::AssignmentResourceRole(arr),
            Ent::ResourceRequest(rr),
            Ent::User(crate::wire::directory::blank_user(now())),
            Ent::Group(crate::wire::directory::blank_group(now())),
        ]
    }

    #[test]
    fn navigate_follows_exactly_the_served_navigations() {
        for d in [Dialect::V1, Dialect::Beta] {
            for ent in samples() {
                let kind = ent.kind();
                let served = served::navs(d, kind);
                for nav in served {
                    assert!(
                        navigate(d, &ent, nav).is_some(),
                        "{d:?} {kind:?} serves {nav} but navigate does not follow it"
                    );
                }
                // Every navigation property the model declares: followed iff listed.
                if let Some(t) = crate::edm::find_type(d, kind.type_name()) {
                    for p in crate::edm::all_props(d, t).into_iter().filter(|p| p.nav) {
                        assert_eq!(
                            navigate(d, &ent, p.name).is_some(),
                            served.contains(&p.name),
                            "{d:?} {kind:?}.{}",
                            p.name
                        );
                    }
                }
                for nav in served {
                    let t = crate::edm::find_type(d, kind.type_name()).unwrap();
                    assert!(
                        crate::edm::find_prop(d, t, nav).is_some_and(|p| p.nav),
                        "{d:?} {kind:?}.{nav} is not a navigation property of the model"
                    );
                }
            }
        }
    }
}
