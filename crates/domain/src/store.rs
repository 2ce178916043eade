//! The storage boundary. A backend implements [`Store`] (open a transaction) and [`Tx`] (a few
//! generic primitives over rows of each [`Kind`]); everything else (validation, invariants,
//! lifecycle) is written once in `accessd-engine` on top of these primitives.
//!
//! A row is an entity's JSON document plus the index columns that [`Kind::columns`] declares,
//! so lookups by id and by relationship are index-backed. A write transaction is one unit of
//! work: nothing is visible to others until [`Tx::commit`], and dropping a transaction without
//! committing rolls it back.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::query::{Expr, Query, Value};

/// The entity kinds a store keeps, one table each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Group,
    Catalog,
    AccessPackage,
    Policy,
    AssignmentRequest,
    Assignment,
    Subject,
    Resource,
    ResourceRole,
    ResourceScope,
    ResourceRoleScope,
    AssignmentResourceRole,
    ResourceRequest,
    RoleAssignment,
    Application,
    ServicePrincipal,
    Credential,
    Approval,
    DueWork,
    AuditEvent,
    DeletedItem,
    CustomExtension,
    OutboxMessage,
    ConnectedOrganization,
}

/// The type of an index column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Bool,
    Int,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
}

macro_rules! cols {
    ($($c:expr),* $(,)?) => {{
        const C: &[Column] = &[$($c),*];
        C
    }};
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        ty: ColumnType::Text,
    }
}
const fn boolean(name: &'static str) -> Column {
    Column {
        name,
        ty: ColumnType::Bool,
    }
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::User,
        Kind::Group,
        Kind::Catalog,
        Kind::AccessPackage,
        Kind::Policy,
        Kind::AssignmentRequest,
        Kind::Assignment,
        Kind::Subject,
        Kind::Resource,
        Kind::ResourceRole,
        Kind::ResourceScope,
        Kind::ResourceRoleScope,
        Kind::AssignmentResourceRole,
        Kind::ResourceRequest,
        Kind::RoleAssignment,
        Kind::Application,
        Kind::ServicePrincipal,
        Kind::Credential,
        Kind::Approval,
        Kind::DueWork,
        Kind::AuditEvent,
        Kind::DeletedItem,
        Kind::CustomExtension,
        Kind::OutboxMessage,
        Kind::ConnectedOrganization,
    ];

    /// The table that holds this kind.
    pub fn table(self) -> &'static str {
        match self {
            Kind::User => "users",
            Kind::Group => "groups",
            Kind::Catalog => "catalogs",
            Kind::AccessPackage => "access_packages",
            Kind::Policy => "policies",
            Kind::AssignmentRequest => "assignment_requests",
            Kind::Assignment => "assignments",
            Kind::Subject => "subjects",
            Kind::Resource => "resources",
            Kind::ResourceRole => "resource_roles",
            Kind::ResourceScope => "resource_scopes",
            Kind::ResourceRoleScope => "resource_role_scopes",
            Kind::AssignmentResourceRole => "assignment_resource_roles",
            Kind::ResourceRequest => "resource_requests",
            Kind::RoleAssignment => "role_assignments",
            Kind::Application => "applications",
            Kind::ServicePrincipal => "service_principals",
            Kind::Credential => "credentials",
            Kind::Approval => "approvals",
            Kind::DueWork => "due_work",
            Kind::AuditEvent => "audit_events",
            Kind::DeletedItem => "deleted_items",
            Kind::CustomExtension => "custom_extensions",
            Kind::OutboxMessage => "outbox",
            Kind::ConnectedOrganization => "connected_organizations",
        }
    }

    /// The index columns besides `id`, in the order [`Entity::index`] fills them. Each backend's
    /// migrations create exactly these (a test checks it).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::User => cols![
                text("display_name"),
                text("user_principal_name"),
                text("mail"),
                text("created_date_time"),
            ],
            Kind::Group => cols![
                text("display_name"),
                text("mail"),
                text("created_date_time")
            ],
            Kind::Catalog => cols![
                text("display_name"),
                text("state"),
                text("catalog_type"),
                boolean("is_externally_visible"),
                text("unique_name"),
                text("created_date_time"),
                text("modified_date_time"),
            ],
            Kind::AccessPackage => cols![
                text("catalog_id"),
                text("display_name"),
                boolean("is_hidden"),
                text("unique_name"),
                text("created_date_time"),
                text("modified_date_time"),
            ],
            Kind::Policy => cols![
                text("access_package_id"),
                text("catalog_id"),
                text("display_name"),
                text("created_date_time"),
                text("modified_date_time"),
            ],
            Kind::AssignmentRequest => cols![
                text("access_package_id"),
                text("catalog_id"),
                text("policy_id"),
                text("assignment_id"),
                text("requestor_object_id"),
                text("target_object_id"),
                text("request_type"),
                text("state"),
                text("status"),
                text("created_date_time"),
                text("completed_date_time"),
            ],
            Kind::Assignment => cols![
                text("catalog_id"),
                text("access_package_id"),
                text("policy_id"),
                text("target_id"),
                text("target_object_id"),
                text("state"),
                text("status"),
                boolean("is_extended"),
                text("expired_date_time"),
                text("start_date_time"),
                text("created_date_time"),
            ],
            Kind::Subject => cols![
                text("object_id"),
                text("display_name"),
                text("email"),
                text("principal_name")
            ],
            Kind::Resource => cols![
                text("catalog_id"),
                text("origin_id"),
                text("origin_system"),
                text("display_name"),
                text("created_date_time"),
            ],
            Kind::ResourceRole => cols![
                text("catalog_id"),
                text("resource_id"),
                text("origin_id"),
                text("display_name"),
            ],
            Kind::ResourceScope => cols![
                text("catalog_id"),
                text("resource_id"),
                text("origin_id"),
                text("display_name"),
            ],
            Kind::ResourceRoleScope => cols![
                text("access_package_id"),
                text("role_id"),
                text("scope_id"),
                text("created_date_time"),
            ],
            Kind::AssignmentResourceRole => cols![
                text("role_id"),
                text("scope_id"),
                text("subject_id"),
                text("status"),
            ],
            Kind::ResourceRequest => cols![
                text("catalog_id"),
                text("resource_id"),
                text("state"),
                text("created_date_time"),
            ],
            Kind::RoleAssignment => cols![
                text("provider"),
                text("principal_id"),
                text("role_definition_id"),
                text("directory_scope_id"),
                text("app_scope_id"),
                text("catalog_id"),
                text("created_date_time"),
            ],
            Kind::Application => cols![
                text("app_id"),
                text("display_name"),
                text("created_date_time"),
            ],
            Kind::ServicePrincipal => cols![
                text("app_id"),
                text("display_name"),
                text("created_date_time"),
            ],
            Kind::Credential => cols![text("owner_id"), text("kind")],
            Kind::Approval => cols![
                text("catalog_id"),
                text("policy_id"),
                boolean("pending"),
                text("created_date_time"),
            ],
            Kind::DueWork => cols![text("due"), text("kind"), text("subject_id")],
            Kind::AuditEvent => cols![
                text("activity_date_time"),
                text("category"),
                text("activity_display_name"),
                text("correlation_id"),
            ],
            Kind::DeletedItem => cols![text("kind"), text("deleted_date_time")],
            Kind::CustomExtension => cols![
                text("catalog_id"),
                text("display_name"),
                text("created_date_time"),
            ],
            Kind::OutboxMessage => {
                cols![text("created_date_time"), text("kind"), text("template"),]
            }
            Kind::ConnectedOrganization => cols![
                text("display_name"),
                text("state"),
                text("created_date_time"),
            ],
        }
    }
}

/// Many-to-many relationships, kept as (from, to) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// group -> member (user, group or service principal)
    GroupMember,
    /// group -> owner
    GroupOwner,
    /// access package -> access package it is incompatible with
    IncompatiblePackage,
    /// access package -> group whose members it is incompatible with
    IncompatibleGroup,
    /// assignment resource role -> assignment that delivered it
    DeliveredBy,
    /// approval -> user who may decide its current stage now
    Approver,
    /// connected organization -> user or group of this tenant who sponsors it
    InternalSponsor,
    /// connected organization -> user or group from outside who sponsors it
    ExternalSponsor,
}

impl Link {
    pub const ALL: &'static [Link] = &[
        Link::GroupMember,
        Link::GroupOwner,
        Link::IncompatiblePackage,
        Link::IncompatibleGroup,
        Link::DeliveredBy,
        Link::Approver,
        Link::InternalSponsor,
        Link::ExternalSponsor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Link::GroupMember => "group_member",
            Link::GroupOwner => "group_owner",
            Link::IncompatiblePackage => "incompatible_package",
            Link::IncompatibleGroup => "incompatible_group",
            Link::DeliveredBy => "delivered_by",
            Link::Approver => "approver",
            Link::InternalSponsor => "internal_sponsor",
            Link::ExternalSponsor => "external_sponsor",
        }
    }
}

/// One stored row: the entity's document, its version (bumped on each update, the basis of
/// ETags), and the values of the query's sort keys (for keyset cursors).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub version: i64,
    pub data: String,
    pub keys: Vec<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key or an expected version did not hold.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend is busy or gone; the caller may retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("corrupt row in {table}/{id}: {message}")]
    Corrupt {
        table: &'static str,
        id: String,
        message: String,
    },
    /// A value of an index column is longer than [`MAX_INDEXED_TEXT`] (the column's name).
    #[error("the value of {0} is longer than {MAX_INDEXED_TEXT} bytes")]
    TooLong(&'static str),
    #[error("{0}")]
    Other(String),
}

/// The longest text an index column holds, in bytes: what every backend can index (a
/// PostgreSQL B-tree entry holds at most about 2,700 bytes; SQLite has no such bound, and keeps
/// this one so that both stores accept the same writes).
pub const MAX_INDEXED_TEXT: usize = 2000;

/// Refuses index values that are too long for every backend to index; stores call it on
/// each insert and update.
pub fn check_index(kind: Kind, index: &[Value]) -> StoreResult<()> {
    for (c, v) in kind.columns().iter().zip(index) {
        if let Value::Text(s) = v
            && s.len() > MAX_INDEXED_TEXT
        {
            return Err(StoreError::TooLong(c.name));
        }
    }
    Ok(())
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A transaction: read-only from [`Store::read`], read-write from [`Store::write`].
#[async_trait]
pub trait Tx: Send {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>>;
    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>>;
    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>>;
    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64>;
    /// Fails with [`StoreError::Conflict`] if the id exists.
    async fn insert(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
    ) -> StoreResult<()>;
    /// Replaces the row; with `expected_version`, only if the row is still at that version.
    /// Returns the new version.
    async fn update(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<i64>;
    /// Returns whether a row was deleted.
    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool>;
    /// Returns whether the pair was new.
    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool>;
    /// Returns whether the pair existed.
    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool>;
    /// The `to` ids linked from `from`, in id order.
    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>>;
    /// The `from` ids linking to `to`, in id order.
    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>>;
    /// Removes every pair that has `id` on either side.
    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64>;
    /// Every pair of `link` in (from, to) order, from just after `after`, at most `limit`
    /// (a whole tenant's copy reads them in pages).
    async fn links_page(
        &mut self,
        link: Link,
        after: Option<(&str, &str)>,
        limit: u64,
    ) -> StoreResult<Vec<(String, String)>>;
    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()>;
    /// Every meta entry, in key order.
    async fn meta_all(&mut self) -> StoreResult<Vec<(String, String)>>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    // ---- snapshots of the tenant (the emulator's reset and restore) ------------------------
    // The tenant is every kind's table and the links; the meta (signing key, tenant id, the
    // virtual clock) is not part of it. Each runs in this (write) transaction.

    /// Copies the tenant as snapshot `name` (which must be new); returns how many objects it
    /// holds.
    async fn snapshot_save(&mut self, name: &str, created: &str) -> StoreResult<u64> {
        let _ = (name, created);
        Err(StoreError::Other("this store keeps no snapshots".into()))
    }
    /// Replaces the tenant with snapshot `name`; `None` when there is no such snapshot.
    async fn snapshot_restore(&mut self, name: &str) -> StoreResult<Option<SnapshotInfo>> {
        let _ = name;
        Err(StoreError::Other("this store keeps no snapshots".into()))
    }
    async fn snapshot_list(&mut self) -> StoreResult<Vec<SnapshotInfo>> {
        Err(StoreError::Other("this store keeps no snapshots".into()))
    }
    /// Returns whether there was such a snapshot.
    async fn snapshot_delete(&mut self, name: &str) -> StoreResult<bool> {
        let _ = name;
        Err(StoreError::Other("this store keeps no snapshots".into()))
    }
    /// Empties the tenant.
    async fn clear_tenant(&mut self) -> StoreResult<()> {
        Err(StoreError::Other("this store cannot be reset".into()))
    }
}

/// A snapshot of the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub name: String,
    /// When it was taken (storage form of a `Timestamp`).
    pub created: String,
    /// Rows of every kind it holds.
    pub objects: u64,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// A read transaction (sees committed data; never blocks writers).
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// A write transaction. Writers are serialized; what it writes is durable once `commit`
    /// returns.
    async fn write(&self) -> StoreResult<Box<dyn Tx>>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Waits for connections in use and closes them (graceful shutdown).
    async fn close(&self) {}
    /// Refreshes the query planner's statistics after a bulk load (`accessd import`).
    async fn analyze(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// An entity that a store can keep.
pub trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: Kind;
    fn id(&self) -> &str;
    /// The index column values, in [`Kind::columns`] order.
    fn index(&self) -> Vec<Value>;
}

/// Typed access on top of the row primitives.
#[async_trait]
pub trait TxExt: Tx {
    async fn load<T: Entity>(&mut self, id: &str) -> StoreResult<Option<T>> {
        match self.get(T::KIND, id).await? {
            Some(row) => decode::<T>(&row).map(Some),
            None => Ok(None),
        }
    }
    async fn load_many<T: Entity>(&mut self, ids: &[String]) -> StoreResult<Vec<T>> {
        let rows = self.get_many(T::KIND, ids).await?;
        rows.iter().map(decode::<T>).collect()
    }
    async fn find<T: Entity>(&mut self, query: &Query) -> StoreResult<Vec<T>> {
        let rows = self.query(T::KIND, query).await?;
        rows.iter().map(decode::<T>).collect()
    }
    async fn create<T: Entity>(&mut self, e: &T) -> StoreResult<()> {
        let data = encode(e)?;
        self.insert(T::KIND, e.id(), &e.index(), &data).await
    }
    async fn save<T: Entity>(&mut self, e: &T) -> StoreResult<i64> {
        let data = encode(e)?;
        self.update(T::KIND, e.id(), &e.index(), &data, None).await
    }
    async fn exists(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        Ok(self.get(kind, id).await?.is_some())
    }
}

impl<T: Tx + ?Sized> TxExt for T {}

pub use crate::entities::index_of;

pub fn decode<T: Entity>(row: &Row) -> StoreResult<T> {
    serde_json::from_str(&row.data).map_err(|e| StoreError::Corrupt {
        table: T::KIND.table(),
        id: row.id.clone(),
        message: e.to_string(),
    })
}

pub fn encode<T: Entity>(e: &T) -> StoreResult<String> {
    serde_json::to_string(e)
        .map_err(|err| StoreError::Other(format!("encode {}: {err}", T::KIND.table())))
}
