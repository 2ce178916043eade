//! Authorization: who may do what, decided in one place for the API and every other caller of
//! the engine. A decision takes a [`Rule`] (from the table in [`rules`], keyed by operation and
//! resource), the caller's [`Grants`] (the token's permissions and roles plus the role
//! assignments kept in the store) and what is known of the object (its catalog, and the caller's
//! own relation to it), and answers allow, 403, or 404 when the caller may not even know that the
//! object exists. `docs/authorization.md` is the same table in prose.
//!
//! Two layers, as Entra has them: the token's permission (`scp` for delegated tokens, `roles`
//! for app-only ones) and, on top, a role: a directory role (template ids in `wids`, or assigned
//! in accessd's directory) or an entitlement-management role, tenant-wide or scoped to one
//! catalog. An application may hold a role instead of the permission. Requestors and approvers
//! hold no role: their rights come from their relation to the object (their own request, an
//! approval assigned to them), which the engine works out only when the role does not suffice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use accessd_domain::query::{Expr, Value};
use accessd_domain::store::{Link, Tx, TxExt};
use accessd_domain::{Principal, PrincipalKind, RoleAssignment, RoleProvider};

use crate::{Engine, Error, Result};

pub mod roles;
mod rules;

pub use rules::{Op, Res, Rule, Way, rule};

/// Permissions, as bits: what the token's `scp` or `roles` grant.
pub mod perms {
    pub const EM_READ: u32 = 1;
    pub const EM_WRITE: u32 = 1 << 1;
    /// `EntitlementMgmt-SubjectAccess.ReadWrite`: a user's own requests.
    pub const EM_SUBJECT: u32 = 1 << 2;
    /// `User.Read`: the signed-in user's own profile.
    pub const USER_SELF: u32 = 1 << 3;
    pub const USER_READ: u32 = 1 << 4;
    pub const USER_WRITE: u32 = 1 << 5;
    pub const GROUP_READ: u32 = 1 << 6;
    pub const GROUP_WRITE: u32 = 1 << 7;
    pub const GROUP_MEMBER_WRITE: u32 = 1 << 8;
    pub const APP_READ: u32 = 1 << 9;
    pub const APP_WRITE: u32 = 1 << 10;
    pub const ROLE_READ: u32 = 1 << 11;
    pub const ROLE_WRITE: u32 = 1 << 12;
    pub const AUDIT_READ: u32 = 1 << 13;
    pub const ALL: u32 = u32::MAX;

    /// The bits a Graph permission name grants (names compare without case, as Entra's do).
    pub fn of(name: &str) -> u32 {
        const TABLE: &[(&str, u32)] = &[
            ("EntitlementManagement.Read.All", EM_READ),
            (
                "EntitlementManagement.ReadWrite.All",
                EM_READ | EM_WRITE | EM_SUBJECT,
            ),
            ("EntitlementMgmt-SubjectAccess.ReadWrite", EM_SUBJECT),
            ("User.Read", USER_SELF),
            ("User.ReadBasic.All", USER_SELF | USER_READ),
            ("User.Read.All", USER_SELF | USER_READ),
            ("User.ReadWrite.All", USER_SELF | USER_READ | USER_WRITE),
            ("Group.Read.All", GROUP_READ),
            ("GroupMember.Read.All", GROUP_READ),
            (
                "Group.ReadWrite.All",
                GROUP_READ | GROUP_WRITE | GROUP_MEMBER_WRITE,
            ),
            ("GroupMember.ReadWrite.All", GROUP_READ | GROUP_MEMBER_WRITE),
            (
                "Directory.Read.All",
                USER_SELF | USER_READ | GROUP_READ | APP_READ | ROLE_READ,
            ),
            (
                "Directory.ReadWrite.All",
                USER_SELF
                    | USER_READ
                    | USER_WRITE
                    | GROUP_READ
                    | GROUP_WRITE
                    | GROUP_MEMBER_WRITE
                    | APP_READ
                    | APP_WRITE
                    | ROLE_READ,
            ),
            (
                "Directory.AccessAsUser.All",
                USER_SELF
                    | USER_READ
                    | USER_WRITE
                    | GROUP_READ
                    | GROUP_WRITE
                    | GROUP_MEMBER_WRITE
                    | APP_READ
                    | APP_WRITE
                    | ROLE_READ,
            ),
            ("Application.Read.All", APP_READ),
            ("Application.ReadWrite.All", APP_READ | APP_WRITE),
            ("RoleManagement.Read.Directory", ROLE_READ),
            ("RoleManagement.Read.All", ROLE_READ),
            ("RoleManagement.ReadWrite.Directory", ROLE_READ | ROLE_WRITE),
            ("AuditLog.Read.All", AUDIT_READ),
        ];
        TABLE
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(0, |(_, b)| *b)
    }
}

/// Entitlement-management capabilities, as bits: what a role lets its holder do, over one
/// catalog or the whole tenant.
pub mod caps {
    /// See the catalog's objects: packages, policies, resources, requests, assignments.
    pub const READ: u32 = 1;
    /// Assign and remove access directly; handle others' requests (cancel, reprocess).
    pub const ASSIGN: u32 = 1 << 1;
    /// Create and change access packages, their policies and resource roles.
    pub const PACKAGES: u32 = 1 << 2;
    /// Change and delete the catalog, its resources and its role assignments.
    pub const OWNER: u32 = 1 << 3;
    /// Create catalogs.
    pub const CREATE_CATALOG: u32 = 1 << 4;
    /// What only an administrator may do (auto-assignment policies, tenant-wide roles).
    pub const ADMIN: u32 = 1 << 5;
    pub const ALL: u32 = READ | ASSIGN | PACKAGES | OWNER | CREATE_CATALOG | ADMIN;
}

/// The role assignments the store holds for a principal (and the groups it is a direct member
/// of), as authorization needs them.
#[derive(Debug, Clone, Default)]
pub struct StoredRoles {
    /// Directory role template ids.
    pub directory: Vec<String>,
    /// EM capabilities held tenant-wide.
    pub tenant_caps: u32,
    /// EM capabilities per catalog.
    pub catalogs: HashMap<String, u32>,
}

/// What a caller holds: the token's permissions and roles combined with the store's role
/// assignments.
#[derive(Debug, Clone)]
pub struct Grants {
    pub kind: PrincipalKind,
    pub object_id: String,
    /// Permission bits ([`perms`]).
    pub perms: u32,
    /// Directory role template ids.
    pub directory_roles: Vec<String>,
    /// EM capabilities over every catalog ([`caps`]).
    pub tenant_caps: u32,
    /// EM capabilities per catalog.
    pub catalog_caps: HashMap<String, u32>,
}

impl Grants {
    /// Combines a validated token with the roles the store holds for it.
    pub fn new(p: &Principal, stored: &StoredRoles) -> Grants {
        if p.is_system() {
            return Grants {
                kind: p.kind,
                object_id: p.object_id.clone(),
                perms: perms::ALL,
                directory_roles: vec![],
                tenant_caps: caps::ALL,
                catalog_caps: HashMap::new(),
            };
        }
        // Delegated tokens carry permissions in `scp`; app-only tokens in `roles` (a user's
        // `roles` are app roles of the calling application, not Graph permissions).
        let names = if p.is_app() { &p.roles } else { &p.scopes };
        let mut bits = names.iter().fold(0, |b, n| b | perms::of(n));
        let mut directory_roles: Vec<String> = p
            .directory_roles
            .iter()
            .chain(stored.directory.iter())
            .map(|r| r.to_ascii_lowercase())
            .collect();
        directory_roles.sort();
        directory_roles.dedup();
        let mut tenant_caps = stored.tenant_caps;
        for r in &directory_roles {
            if let Some(d) = roles::directory_role(r) {
                tenant_caps |= d.em_caps;
            }
        }
        if p.is_app() {
            // The application permission stands in for a role ...
            if bits & perms::EM_WRITE != 0 {
                tenant_caps |= caps::ALL;
            } else if bits & perms::EM_READ != 0 {
                tenant_caps |= caps::READ;
            }
            // ... and a role held by the service principal stands in for the permission.
            let held = stored
                .catalogs
                .values()
                .fold(stored.tenant_caps, |a, c| a | c);
            if held & caps::READ != 0 || held != 0 {
                bits |= perms::EM_READ;
            }
            if held & !caps::READ != 0 {
                bits |= perms::EM_WRITE;
            }
        }
        Grants {
            kind: p.kind,
            object_id: p.object_id.clone(),
            perms: bits,
            directory_roles,
            tenant_caps,
            catalog_caps: stored.catalogs.clone(),
        }
    }

    pub fn is_system(&self) -> bool {
        self.kind == PrincipalKind::System
    }

    pub fn is_app(&self) -> bool {
        self.kind == PrincipalKind::App
    }

    /// The EM capabilities held over `catalog` (tenant-wide ones included).
    pub fn caps_on(&self, catalog: Option<&str>) -> u32 {
        self.tenant_caps
            | catalog
                .and_then(|c| self.catalog_caps.get(c))
                .copied()
                .unwrap_or(0)
    }

    pub fn has_directory_role(&self, any_of: &[&str]) -> bool {
        any_of.iter().any(|r| {
            self.directory_roles
                .iter()
                .any(|h| h.eq_ignore_ascii_case(r))
        })
    }

    /// The catalogs over which `cap` is held, or `None` when it is held tenant-wide.
    pub fn catalogs_with(&self, cap: u32) -> Option<Vec<String>> {
        if self.tenant_caps & cap == cap {
            return None;
        }
        let mut v: Vec<String> = self
            .catalog_caps
            .iter()
            .filter(|(_, c)| **c & cap == cap)
            .map(|(k, _)| k.clone())
            .collect();
        v.sort();
        Some(v)
    }
}

/// What authorization knows of the object an operation touches.
#[derive(Debug, Clone, Default)]
pub struct Obj {
    /// The catalog it lives in, for entitlement-management objects.
    pub catalog_id: Option<String>,
    /// The id named in a 404 when the caller may not see it.
    pub id: String,
}

impl Obj {
    pub fn new(id: impl Into<String>) -> Obj {
        Obj {
            catalog_id: None,
            id: id.into(),
        }
    }
    pub fn in_catalog(id: impl Into<String>, catalog: impl Into<String>) -> Obj {
        Obj {
            catalog_id: Some(catalog.into()),
            id: id.into(),
        }
    }
}

/// The outcome of the table alone.
#[derive(Debug)]
pub enum Verdict {
    Allow,
    /// Allowed only if the caller has its own relation to the object (the requestor's way).
    IfOwn,
    Deny(Error),
}

/// Graph's entitlement-management refusal (status 403, code `UnAuthorized`).
pub fn forbidden(reason: &str) -> Error {
    Error::Forbidden {
        code: "UnAuthorized",
        message: format!("User is not authorized to perform the operation. Reason: {reason}"),
    }
}

/// Graph's directory refusal (status 403).
pub fn directory_forbidden() -> Error {
    Error::Forbidden {
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.".into(),
    }
}

/// Decides `rule` for `g` over `obj`, without looking at the caller's own relation to it.
pub fn decide(g: &Grants, op: Op, res: Res, rule: &Rule, obj: &Obj) -> Verdict {
    if g.is_system() {
        return Verdict::Allow;
    }
    let refuse = |reason: &str| {
        if res.is_directory() {
            directory_forbidden()
        } else {
            forbidden(reason)
        }
    };
    if rule.delegated_only && g.is_app() {
        return Verdict::Deny(refuse(
            "This operation is only supported with delegated (user) tokens; app-only tokens are not supported.",
        ));
    }
    let admin_perm = rule.admin.as_ref().is_some_and(|a| g.perms & a.perm != 0);
    if let Some(a) = &rule.admin
        && admin_perm
        && way_holds(g, &a.need, obj)
    {
        return Verdict::Allow;
    }
    let own_perm = rule.own.is_some_and(|p| g.perms & p != 0);
    if own_perm {
        return Verdict::IfOwn;
    }
    Verdict::Deny(denial(g, op, res, rule, obj, admin_perm))
}

/// Why a caller that the table did not allow is refused: 403 when it may know the object exists,
/// 404 (as for an id that names nothing) when it may not.
pub fn denial(g: &Grants, op: Op, res: Res, rule: &Rule, obj: &Obj, admin_perm: bool) -> Error {
    let refuse = |reason: &str| {
        if res.is_directory() {
            directory_forbidden()
        } else {
            forbidden(reason)
        }
    };
    let any_perm = admin_perm || rule.own.is_some_and(|p| g.perms & p != 0);
    if !any_perm {
        return refuse(
            "The caller is not authorized: the token lacks the permission this operation requires.",
        );
    }
    if res.is_catalog_scoped()
        && obj.catalog_id.is_some()
        && g.caps_on(obj.catalog_id.as_deref()) & caps::READ == 0
    {
        // Creating something in a catalog the caller cannot see: the catalog is what is hidden.
        let res = if op == Op::Create { Res::Catalog } else { res };
        return hidden(res, &obj.id);
    }
    refuse("The caller is not authorized: it holds no role that allows this operation.")
}

/// A refusal for a caller who may read the object through its own relation (a requestor's
/// access package, an approver's request): not hidden (404) but refused (403).
pub fn seen(e: Error, readable: bool) -> Error {
    match e {
        Error::NotFound { .. } if readable => {
            forbidden("The caller is not authorized: it holds no role that allows this operation.")
        }
        other => other,
    }
}

/// The 404 for an object the caller may not know of: the same as for an id that names nothing.
pub fn hidden(res: Res, id: &str) -> Error {
    Error::not_found(res.noun(), id)
}

fn way_holds(g: &Grants, need: &rules::Need, obj: &Obj) -> bool {
    use rules::Need;
    match need {
        Need::Nothing => true,
        Need::InCatalog(c) => g.caps_on(obj.catalog_id.as_deref()) & c == *c,
        Need::Tenant(c) => g.tenant_caps & c == *c,
        Need::Directory(roles) => g.is_app() || g.has_directory_role(roles),
    }
}

/// What [`Engine::check`] answers when it does not refuse.
#[derive(Debug)]
pub enum Check {
    Allowed,
    /// Allowed if the caller has its own relation to the object; else this error.
    IfOwn(Error),
}

impl Check {
    /// Whether the check passes, given whether the caller has its own relation to the object.
    pub fn own(self, own: bool) -> Result<()> {
        match self {
            Check::Allowed => Ok(()),
            Check::IfOwn(_) if own => Ok(()),
            Check::IfOwn(e) => Err(e),
        }
    }

    /// Whether the caller's own relation still needs to be worked out.
    pub fn needs_own(&self) -> bool {
        matches!(self, Check::IfOwn(_))
    }
}

/// The table's answer for grants already resolved.
pub fn check_grants(g: &Grants, op: Op, res: Res, obj: &Obj) -> Result<Check> {
    let r = rule(op, res);
    match decide(g, op, res, &r, obj) {
        Verdict::Allow => Ok(Check::Allowed),
        Verdict::Deny(e) => Err(e),
        Verdict::IfOwn => {
            let admin_perm = r.admin.as_ref().is_some_and(|a| g.perms & a.perm != 0);
            Ok(Check::IfOwn(denial(g, op, res, &r, obj, admin_perm)))
        }
    }
}

/// Which members of a collection a caller may list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListScope {
    All,
    /// Those in these catalogs.
    Catalogs(Vec<String>),
}

/// Caches what the store holds for each principal. Every committed write through the engine
/// starts a new epoch, so an entry never outlives a change of roles or group memberships.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    epoch: AtomicU64,
    /// With several instances on one database (PostgreSQL), the epoch every instance's writes
    /// move, kept in the meta: the value last seen and when it was read.
    shared: Option<Mutex<(Option<std::time::Instant>, Option<String>)>>,
    /// What the store holds, per principal.
    map: Mutex<HashMap<String, (u64, Arc<StoredRoles>)>>,
    /// The grants computed for a token's identity (object, kind, scopes, roles, wids), so
    /// that a request with a token already seen in this epoch pays a lookup only.
    grants: Mutex<HashMap<u64, CachedGrants>>,
}

#[derive(Debug)]
struct CachedGrants {
    epoch: u64,
    kind: PrincipalKind,
    object_id: String,
    scopes: Vec<String>,
    roles: Vec<String>,
    wids: Vec<String>,
    grants: Arc<Grants>,
}

impl CachedGrants {
    fn is_for(&self, p: &Principal) -> bool {
        self.kind == p.kind
            && self.object_id == p.object_id
            && self.scopes == p.scopes
            && self.roles == p.roles
            && self.wids == p.directory_roles
    }
}

/// The cache key of a principal: where it lives. The API keeps one principal per validated
/// token (shared), so every request with that token finds the same entry; an entry is only
/// used after [`CachedGrants::is_for`] compared what it was made for.
fn fingerprint(p: &Principal) -> u64 {
    std::ptr::from_ref(p) as usize as u64
}

const CACHE_LIMIT: usize = 8192;

/// Where the shared epoch is kept.
pub(crate) const SHARED_EPOCH: &str = "authz_epoch";
/// How stale another instance's change of roles or memberships may be seen here at most.
const SHARED_EPOCH_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

impl Cache {
    /// A cache that also follows the writes of other instances on the same database.
    pub(crate) fn shared() -> Cache {
        Cache {
            shared: Some(Mutex::new((None, None))),
            ..Cache::default()
        }
    }

    pub(crate) fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    pub(crate) fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether the shared epoch is due to be read again.
    fn shared_due(&self) -> bool {
        let Some(m) = &self.shared else {
            return false;
        };
        m.lock()
            .map(|g| g.0.is_none_or(|t| t.elapsed() >= SHARED_EPOCH_CHECK))
            .unwrap_or(true)
    }

    /// Takes note of the shared epoch (a fresh id each write) as read now; a change since the
    /// last reading (another instance wrote) starts a new local epoch.
    pub(crate) fn saw_shared(&self, value: Option<String>) {
        let Some(m) = &self.shared else {
            return;
        };
        if let Ok(mut g) = m.lock() {
            let changed = g.0.is_some() && g.1 != value;
            *g = (Some(std::time::Instant::now()), value);
            if changed {
                self.invalidate();
            }
        }
    }

    /// After this instance's own write moved the shared epoch (its local epoch moves anyway).
    pub(crate) fn wrote_shared(&self, value: String) {
        if let Some(m) = &self.shared
            && let Ok(mut g) = m.lock()
        {
            g.1 = Some(value);
        }
    }
    fn get(&self, oid: &str) -> Option<Arc<StoredRoles>> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let m = self.map.lock().ok()?;
        m.get(oid)
            .filter(|(e, _)| *e == epoch)
            .map(|(_, r)| r.clone())
    }
    fn put(&self, oid: &str, epoch: u64, roles: Arc<StoredRoles>) {
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(oid.to_string(), (epoch, roles));
        }
    }
    fn grants_of(&self, p: &Principal, key: u64) -> Option<Arc<Grants>> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let m = self.grants.lock().ok()?;
        m.get(&key)
            .filter(|c| c.epoch == epoch && c.is_for(p))
            .map(|c| c.grants.clone())
    }
    fn put_grants(&self, p: &Principal, key: u64, epoch: u64, grants: Arc<Grants>) {
        if let Ok(mut m) = self.grants.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(
                key,
                CachedGrants {
                    epoch,
                    kind: p.kind,
                    object_id: p.object_id.clone(),
                    scopes: p.scopes.clone(),
                    roles: p.roles.clone(),
                    wids: p.directory_roles.clone(),
                    grants,
                },
            );
        }
    }
}

/// Reads the role assignments that apply to `oid`: its own and those of the groups it is a
/// direct member of.
pub async fn stored_roles(tx: &mut dyn Tx, oid: &str) -> Result<StoredRoles> {
    let mut principals = vec![Value::Text(oid.to_string())];
    for g in tx.linked_to(Link::GroupMember, oid).await? {
        principals.push(Value::Text(g));
    }
    let q = accessd_domain::Query::filtered(Expr::In(
        Box::new(Expr::Column("principal_id")),
        principals,
    ));
    let mut out = StoredRoles::default();
    for ra in tx.find::<RoleAssignment>(&q).await? {
        match ra.provider {
            RoleProvider::Directory => out.directory.push(ra.role_definition_id.clone()),
            RoleProvider::EntitlementManagement => {
                let Some(def) = roles::em_role(&ra.role_definition_id) else {
                    continue;
                };
                match ra.catalog_id() {
                    Some(c) if def.catalog_scoped => {
                        *out.catalogs.entry(c.to_string()).or_default() |= def.caps;
                    }
                    None if !def.catalog_scoped => out.tenant_caps |= def.caps,
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

impl Engine {
    /// The caller's grants (cached per principal until the next write), read through a
    /// transaction of its own.
    pub async fn grants(&self, p: &Principal) -> Result<Arc<Grants>> {
        if !self.authz.shared_due()
            && let Some(g) = self.cached_grants(p)
        {
            return Ok(g);
        }
        // One read transaction for both: the shared epoch, then (on a miss) the roles.
        let mut tx = self.store.read().await?;
        self.grants_in(&mut *tx, p).await
    }

    fn cached_grants(&self, p: &Principal) -> Option<Arc<Grants>> {
        if p.is_system() {
            return Some(Arc::new(Grants::new(p, &StoredRoles::default())));
        }
        self.authz.grants_of(p, fingerprint(p))
    }

    /// The caller's grants, read (on a cache miss) through `tx`: a use case that already holds
    /// the write transaction must not open another one.
    pub async fn grants_in(&self, tx: &mut dyn Tx, p: &Principal) -> Result<Arc<Grants>> {
        if self.authz.shared_due() {
            self.authz.saw_shared(tx.meta_get(SHARED_EPOCH).await?);
        }
        if let Some(g) = self.cached_grants(p) {
            return Ok(g);
        }
        let epoch = self.authz.epoch.load(Ordering::SeqCst);
        let stored = match self.authz.get(&p.object_id) {
            Some(s) => s,
            None => {
                let s = Arc::new(stored_roles(tx, &p.object_id).await?);
                self.authz.put(&p.object_id, epoch, s.clone());
                s
            }
        };
        let g = Arc::new(Grants::new(p, &stored));
        self.authz.put_grants(p, fingerprint(p), epoch, g.clone());
        Ok(g)
    }

    /// Decides an operation for a caller. [`Check::IfOwn`] means the roles do not suffice but
    /// the requestor's way is open: the caller must then tell, with [`Check::own`], whether
    /// it has its own relation to the object (worked out only when needed).
    pub async fn check(&self, p: &Principal, op: Op, res: Res, obj: &Obj) -> Result<Check> {
        let g = self.grants(p).await?;
        check_grants(&g, op, res, obj)
    }

    /// [`Engine::check`] inside a transaction the caller holds.
    pub async fn check_in(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        op: Op,
        res: Res,
        obj: &Obj,
    ) -> Result<Check> {
        let g = self.grants_in(tx, p).await?;
        check_grants(&g, op, res, obj)
    }

    /// [`Engine::check`] for operations where the caller has no own relation to offer.
    pub async fn authorize(&self, p: &Principal, op: Op, res: Res, obj: &Obj) -> Result<()> {
        self.check(p, op, res, obj).await?.own(false)
    }

    /// [`Engine::check_in`] for operations where the caller has no own relation to offer.
    pub async fn authorize_in(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        op: Op,
        res: Res,
        obj: &Obj,
    ) -> Result<()> {
        self.check_in(tx, p, op, res, obj).await?.own(false)
    }

    /// Which members of `res` the caller may list, or why it may not list them at all.
    pub async fn list_scope(&self, p: &Principal, res: Res) -> Result<ListScope> {
        let g = self.grants(p).await?;
        list_scope(&g, Op::List, res)
    }
}

/// Which members of `res` grants may see through `op` (a list, or a function over the list).
pub fn list_scope(g: &Grants, op: Op, res: Res) -> Result<ListScope> {
    {
        let r = rule(op, res);
        let obj = Obj::default();
        match decide(g, op, res, &r, &obj) {
            Verdict::Allow => Ok(ListScope::All),
            Verdict::IfOwn if res.is_directory() => Err(directory_forbidden()),
            Verdict::IfOwn => Err(forbidden(
                "The caller is not authorized: listing needs a role; use filterByCurrentUser for your own items.",
            )),
            Verdict::Deny(e) => {
                let Some(a) = &r.admin else { return Err(e) };
                let rules::Need::InCatalog(c) = a.need else {
                    return Err(e);
                };
                if g.perms & a.perm == 0 {
                    return Err(e);
                }
                match g.catalogs_with(c) {
                    None => Ok(ListScope::All),
                    Some(v) if !v.is_empty() => Ok(ListScope::Catalogs(v)),
                    Some(_) => Err(forbidden(
                        "The caller is not authorized: it holds no role that allows this operation.",
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The caller's own relations to objects: the requestor's way of the table.
pub mod own {
    use accessd_domain::query::{Expr, Query};
    use accessd_domain::store::{Link, Tx, TxExt};
    use accessd_domain::{Assignment, AssignmentRequest};

    use crate::Result;

    /// A request the caller made or that is for the caller.
    pub fn request(r: &AssignmentRequest, me: &str) -> bool {
        r.target_object_id.as_deref() == Some(me) || r.requestor_object_id.as_deref() == Some(me)
    }

    /// An assignment of the caller's.
    pub fn assignment(a: &Assignment, me: &str) -> bool {
        a.target_object_id.as_deref() == Some(me)
    }

    /// An access package the caller may request, or holds.
    pub async fn package(tx: &mut dyn Tx, package_id: &str, me: &str) -> Result<bool> {
        if !crate::eligibility::applicable_policies(tx, package_id, me)
            .await?
            .is_empty()
        {
            return Ok(true);
        }
        let q = Query {
            limit: Some(1),
            ..Query::filtered(Expr::and(vec![
                Expr::col_eq("access_package_id", package_id),
                Expr::col_eq("target_object_id", me),
            ]))
        };
        Ok(!tx.find::<Assignment>(&q).await?.is_empty())
    }

    /// An approval the caller is or was asked to decide, or of the caller's own request.
    pub fn approval(a: &accessd_domain::Approval, me: &str) -> bool {
        a.stages.iter().any(|s| s.assigned_to(me))
            || a.target_object_id.as_deref() == Some(me)
            || a.requestor_object_id.as_deref() == Some(me)
    }

    /// A group the caller owns.
    pub async fn group(tx: &mut dyn Tx, group_id: &str, me: &str) -> Result<bool> {
        Ok(tx
            .linked(Link::GroupOwner, group_id)
            .await?
            .iter()
            .any(|o| o == me))
    }
}
