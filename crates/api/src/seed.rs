//! Declarative seed files: a tenant written as data (JSON), its objects referring to each other
//! by name, loaded through the engine's use cases as an administrator would create them
//! (`serve --seed FILE`, `POST /_accessd/seed`, `accessd seed FILE`). The whole file is checked
//! first (every name must resolve); should a write still fail, the tenant is put back as it was
//! before the file, through a snapshot. docs/emulator.md describes the format; its JSON Schema is
//! `seed.schema.json` (served at `/_accessd/seed.schema.json`).

use std::collections::BTreeMap;

use accessd_domain::*;
use accessd_engine::{Engine, RequestDraft, ResourceDraft, RoleScopeDraft};
use serde_json::{Map, Value};

use crate::Dialect;
use crate::edm::validate;
use crate::error::ApiError;
use crate::wire::{self, In};

/// The JSON Schema of the format.
pub const SCHEMA: &str = include_str!("seed.schema.json");

/// The snapshot a seed is applied over, so that a failure puts the tenant back.
const BEFORE: &str = "accessd-before-seed";

/// What a seed made, by kind.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Loaded {
    pub users: usize,
    pub groups: usize,
    pub catalogs: usize,
    pub access_packages: usize,
    pub policies: usize,
    pub connected_organizations: usize,
    pub assignments: usize,
}

fn bad(at: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_property(at, format!("{at}: {message}"))
}

fn items<'a>(
    doc: &'a Map<String, Value>,
    key: &str,
) -> Result<Vec<&'a Map<String, Value>>, ApiError> {
    match doc.get(key) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_object()
                    .ok_or_else(|| bad(&format!("{key}[{i}]"), "an object is expected"))
            })
            .collect(),
        Some(_) => Err(bad(key, "a list is expected")),
    }
}

fn text(o: &Map<String, Value>, k: &str) -> Option<String> {
    o.get(k).and_then(Value::as_str).map(str::to_string)
}

fn names(o: &Map<String, Value>, k: &str, at: &str) -> Result<Vec<String>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(&format!("{at}.{k}"), "names are strings"))
            })
            .collect(),
        Some(_) => Err(bad(&format!("{at}.{k}"), "a list of names is expected")),
    }
}

/// The names of one kind, in file order, checked unique.
fn declare(list: &[&Map<String, Value>], kind: &str) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for (i, o) in list.iter().enumerate() {
        let at = format!("{kind}[{i}]");
        let n = text(o, "name").ok_or_else(|| bad(&at, "'name' is required"))?;
        if out.contains(&n) {
            return Err(bad(&at, format!("the name '{n}' is used twice")));
        }
        out.push(n);
    }
    Ok(out)
}

fn known(list: &[String], name: &str, what: &str, at: &str) -> Result<(), ApiError> {
    if list.iter().any(|n| n == name) {
        Ok(())
    } else {
        Err(bad(at, format!("no {what} is named '{name}'")))
    }
}

/// Rewrites the references of a policy body (`userId`, `groupId`, `id`,
/// `connectedOrganizationId`) through `map`: names to ids when loading, ids to names when
/// exporting. Values `map` does not hold stay as they are.
fn rewrite_refs(v: &mut Value, ids: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if matches!(
                    k.as_str(),
                    "userId" | "groupId" | "id" | "connectedOrganizationId"
                ) && let Some(id) = x.as_str().and_then(|n| ids.get(n))
                {
                    *x = Value::String(id.clone());
                } else {
                    rewrite_refs(x, ids);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, ids)),
        _ => {}
    }
}

/// Checks a whole seed document without writing anything.
pub fn check(doc: &Value) -> Result<(), ApiError> {
    let doc = doc
        .as_object()
        .ok_or_else(|| bad("$", "a seed file is an object"))?;
    for k in doc.keys() {
        if !matches!(
            k.as_str(),
            "$schema"
                | "users"
                | "groups"
                | "connectedOrganizations"
                | "catalogs"
                | "accessPackages"
                | "assignments"
        ) {
            return Err(bad(k, "not a section of a seed file"));
        }
    }
    let users = declare(&items(doc, "users")?, "users")?;
    let groups = declare(&items(doc, "groups")?, "groups")?;
    let orgs = declare(
        &items(doc, "connectedOrganizations")?,
        "connectedOrganizations",
    )?;
    let catalogs = declare(&items(doc, "catalogs")?, "catalogs")?;
    let packages = declare(&items(doc, "accessPackages")?, "accessPackages")?;
    let people: Vec<String> = users.iter().chain(&groups).cloned().collect();
    for (i, u) in items(doc, "users")?.iter().enumerate() {
        if let Some(m) = text(u, "manager") {
            known(&users, &m, "user", &format!("users[{i}].manager"))?;
        }
    }
    for (i, g) in items(doc, "groups")?.iter().enumerate() {
        let at = format!("groups[{i}]");
        for k in ["members", "owners"] {
            for n in names(g, k, &at)? {
                known(&people, &n, "user or group", &format!("{at}.{k}"))?;
            }
        }
    }
    for (i, o) in items(doc, "connectedOrganizations")?.iter().enumerate() {
        let at = format!("connectedOrganizations[{i}]");
        if text(o, "domain").is_none() {
            return Err(bad(&at, "'domain' is required"));
        }
        for k in ["internalSponsors", "externalSponsors"] {
            for n in names(o, k, &at)? {
                known(&people, &n, "user or group", &format!("{at}.{k}"))?;
            }
        }
    }
    for (i, c) in items(doc, "catalogs")?.iter().enumerate() {
        let at = format!("catalogs[{i}]");
        for n in names(c, "resources", &at)? {
            known(&groups, &n, "group", &format!("{at}.resources"))?;
        }
    }
    // Names stand for ids of the right shape while policy bodies are validated.
    let placeholders: BTreeMap<String, String> = people
        .iter()
        .chain(&orgs)
        .map(|n| {
            (
                n.clone(),
                "00000000-0000-0000-0000-000000000000".to_string(),
            )
        })
        .collect();
    let mut policies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, p) in items(doc, "accessPackages")?.iter().enumerate() {
        let at = format!("accessPackages[{i}]");
        let c = text(p, "catalog").ok_or_else(|| bad(&at, "'catalog' is required"))?;
        known(&catalogs, &c, "catalog", &format!("{at}.catalog"))?;
        let held = items(doc, "catalogs")?
            .into_iter()
            .find(|x| text(x, "name").as_deref() == Some(c.as_str()))
            .map(|x| names(x, "resources", &at))
            .transpose()?
            .unwrap_or_default();
        for n in names(p, "groups", &at)? {
            if !held.contains(&n) {
                return Err(bad(
                    &format!("{at}.groups"),
                    format!("the group '{n}' is not a resource of the catalog '{c}'"),
                ));
            }
        }
        for n in names(p, "incompatibleWith", &at)? {
            known(
                &packages,
                &n,
                "access package",
                &format!("{at}.incompatibleWith"),
            )?;
        }
        let pnames = check_policies(p, &at, &placeholders)?;
        policies.insert(text(p, "name").unwrap_or_default(), pnames);
    }
    check_assignments(doc, &users, &packages, &policies)
}

/// A package's policies: names unique, each a valid body once names stand for ids.
fn check_policies(
    p: &Map<String, Value>,
    at: &str,
    placeholders: &BTreeMap<String, String>,
) -> Result<Vec<String>, ApiError> {
    let list = items(p, "policies")?;
    let pnames = declare(&list, &format!("{at}.policies"))?;
    for (j, pol) in list.iter().enumerate() {
        let pat = format!("{at}.policies[{j}]");
        let d = dialect(pol, &pat)?;
        let mut body = policy_body(pol);
        rewrite_refs(&mut body, placeholders);
        let extras = match d {
            Dialect::V1 => &wire::policy::V1_LEGACY,
            Dialect::Beta => &wire::policy::BETA_EXTRAS,
        };
        validate::check(d, "accessPackageAssignmentPolicy", &body, extras)
            .map_err(|e| bad(&pat, &e.message))?;
    }
    Ok(pnames)
}

fn check_assignments(
    doc: &Map<String, Value>,
    users: &[String],
    packages: &[String],
    policies: &BTreeMap<String, Vec<String>>,
) -> Result<(), ApiError> {
    for (i, a) in items(doc, "assignments")?.iter().enumerate() {
        let at = format!("assignments[{i}]");
        let u = text(a, "user").ok_or_else(|| bad(&at, "'user' is required"))?;
        known(users, &u, "user", &format!("{at}.user"))?;
        let p = text(a, "accessPackage").ok_or_else(|| bad(&at, "'accessPackage' is required"))?;
        known(
            packages,
            &p,
            "access package",
            &format!("{at}.accessPackage"),
        )?;
        let pol = text(a, "policy").ok_or_else(|| bad(&at, "'policy' is required"))?;
        known(
            policies.get(&p).map(Vec::as_slice).unwrap_or_default(),
            &pol,
            &format!("policy of '{p}'"),
            &format!("{at}.policy"),
        )?;
    }
    Ok(())
}

fn dialect(pol: &Map<String, Value>, at: &str) -> Result<Dialect, ApiError> {
    match pol.get("dialect").and_then(Value::as_str) {
        None | Some("v1.0") => Ok(Dialect::V1),
        Some("beta") => Ok(Dialect::Beta),
        Some(other) => Err(bad(
            at,
            format!("'dialect' is 'v1.0' or 'beta', not '{other}'"),
        )),
    }
}

/// A policy entry without the seed's own keys: the body Graph would take.
fn policy_body(pol: &Map<String, Value>) -> Value {
    let mut b = pol.clone();
    b.remove("name");
    b.remove("dialect");
    if !b.contains_key("displayName") {
        b.insert(
            "displayName".into(),
            pol.get("name").cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(b)
}

fn engine_err(at: &str, e: accessd_engine::Error) -> ApiError {
    let inner: ApiError = e.into();
    bad(at, &inner.message)
}

/// Checks and loads a seed document as `p`; a failure leaves the tenant as it was.
pub async fn apply(engine: &Engine, p: &Principal, doc: &Value) -> Result<Loaded, ApiError> {
    check(doc)?;
    let _ = engine.delete_snapshot(p, BEFORE).await;
    engine.create_snapshot(p, BEFORE).await?;
    let out = load(engine, p, doc).await;
    if out.is_err() {
        engine.restore_snapshot(p, BEFORE).await?;
    }
    let _ = engine.delete_snapshot(p, BEFORE).await;
    out
}

/// What loading has made so far: the ids of the file's names.
struct Loader<'a> {
    e: &'a Engine,
    p: &'a Principal,
    now: Timestamp,
    n: Loaded,
    /// Users, groups and connected organizations.
    ids: BTreeMap<String, String>,
    catalogs: BTreeMap<String, String>,
    packages: BTreeMap<String, String>,
    /// (package name, policy name) -> policy id.
    policies: BTreeMap<(String, String), String>,
}

async fn load(e: &Engine, p: &Principal, doc: &Value) -> Result<Loaded, ApiError> {
    let doc = doc.as_object().cloned().unwrap_or_default();
    let mut l = Loader {
        e,
        p,
        now: e.now(),
        n: Loaded::default(),
        ids: BTreeMap::new(),
        catalogs: BTreeMap::new(),
        packages: BTreeMap::new(),
        policies: BTreeMap::new(),
    };
    l.users(&doc).await?;
    l.groups(&doc).await?;
    l.organizations(&doc).await?;
    l.catalogs(&doc).await?;
    l.packages(&doc).await?;
    l.assignments(&doc).await?;
    Ok(l.n)
}

impl Loader<'_> {
    async fn users(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        let users = items(doc, "users")?;
        for (i, u) in users.iter().enumerate() {
            let at = format!("users[{i}]");
            let name = text(u, "name").unwrap_or_default();
            let upn =
                text(u, "userPrincipalName").unwrap_or_else(|| format!("{name}@contoso.test"));
            let user = User {
                id: String::new(),
                display_name: text(u, "displayName").or(Some(name.clone())),
                user_principal_name: Some(upn.clone()),
                mail: text(u, "mail").or(Some(upn.clone())),
                mail_nickname: upn.split('@').next().map(str::to_string),
                given_name: text(u, "givenName"),
                surname: text(u, "surname"),
                job_title: text(u, "jobTitle"),
                department: text(u, "department"),
                user_type: text(u, "userType").or(Some("Member".into())),
                account_enabled: Some(true),
                employee_id: text(u, "employeeId"),
                manager_id: None,
                created_date_time: self.now,
            };
            let made = self
                .e
                .create_user(self.p, user, text(u, "password").as_deref())
                .await
                .map_err(|x| engine_err(&at, x))?;
            self.ids.insert(name, made.id);
            self.n.users += 1;
        }
        for (i, u) in users.iter().enumerate() {
            if let (Some(m), Some(me)) = (text(u, "manager"), text(u, "name")) {
                self.e
                    .set_manager(self.p, &self.ids[&me], Some(&self.ids[&m]))
                    .await
                    .map_err(|x| engine_err(&format!("users[{i}].manager"), x))?;
            }
        }
        Ok(())
    }

    async fn groups(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        let groups = items(doc, "groups")?;
        for (i, g) in groups.iter().enumerate() {
            let name = text(g, "name").unwrap_or_default();
            let group = Group {
                id: String::new(),
                display_name: text(g, "displayName").or(Some(name.clone())),
                description: text(g, "description"),
                mail: None,
                mail_enabled: Some(false),
                mail_nickname: Some(name.to_lowercase().replace(' ', "")),
                security_enabled: Some(true),
                group_types: vec![],
                visibility: None,
                created_date_time: self.now,
            };
            let made = self
                .e
                .create_group(self.p, group)
                .await
                .map_err(|x| engine_err(&format!("groups[{i}]"), x))?;
            self.ids.insert(name, made.id);
            self.n.groups += 1;
        }
        for (i, g) in groups.iter().enumerate() {
            let at = format!("groups[{i}]");
            let gid = self.ids[&text(g, "name").unwrap_or_default()].clone();
            for m in names(g, "members", &at)? {
                self.e
                    .add_group_member(self.p, &gid, &self.ids[&m])
                    .await
                    .map_err(|x| engine_err(&format!("{at}.members"), x))?;
            }
            for o in names(g, "owners", &at)? {
                self.e
                    .add_group_owner(self.p, &gid, &self.ids[&o])
                    .await
                    .map_err(|x| engine_err(&format!("{at}.owners"), x))?;
            }
        }
        Ok(())
    }

    async fn organizations(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        for (i, o) in items(doc, "connectedOrganizations")?.iter().enumerate() {
            let at = format!("connectedOrganizations[{i}]");
            let name = text(o, "name").unwrap_or_default();
            let domain = text(o, "domain").unwrap_or_default();
            let mut org = accessd_engine::partners::new_connected_organization(self.now);
            org.display_name = text(o, "displayName").or(Some(name.clone()));
            org.description = text(o, "description");
            org.identity_sources = vec![IdentitySource::DomainIdentitySource {
                domain_name: Some(domain.clone()),
                display_name: Some(domain),
            }];
            if let Some(s) = text(o, "state") {
                org.state = ConnectedOrganizationState::parse_ignore_case(&s)
                    .ok_or_else(|| bad(&format!("{at}.state"), "'configured' or 'proposed'"))?;
            }
            let made = self
                .e
                .create_connected_organization(self.p, org)
                .await
                .map_err(|x| engine_err(&at, x))?;
            for (k, which) in [
                (
                    "internalSponsors",
                    accessd_engine::partners::Sponsors::Internal,
                ),
                (
                    "externalSponsors",
                    accessd_engine::partners::Sponsors::External,
                ),
            ] {
                for s in names(o, k, &at)? {
                    self.e
                        .add_sponsor(self.p, &made.id, which, &self.ids[&s])
                        .await
                        .map_err(|x| engine_err(&format!("{at}.{k}"), x))?;
                }
            }
            self.ids.insert(name, made.id);
            self.n.connected_organizations += 1;
        }
        Ok(())
    }

    async fn catalogs(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        for (i, c) in items(doc, "catalogs")?.iter().enumerate() {
            let at = format!("catalogs[{i}]");
            let name = text(c, "name").unwrap_or_default();
            let mut cat = wire::catalog::blank_catalog(self.now);
            cat.display_name = text(c, "displayName").or(Some(name.clone()));
            cat.description = text(c, "description");
            let cat = self
                .e
                .create_catalog(self.p, cat)
                .await
                .map_err(|x| engine_err(&at, x))?;
            for g in names(c, "resources", &at)? {
                self.e
                    .submit_resource_request(
                        self.p,
                        ResourceDraft {
                            request_type: Some(RequestType::AdminAdd),
                            catalog_id: Some(cat.id.clone()),
                            origin_id: Some(self.ids[&g].clone()),
                            origin_system: Some("AadGroup".into()),
                            ..ResourceDraft::default()
                        },
                    )
                    .await
                    .map_err(|x| engine_err(&format!("{at}.resources"), x))?;
            }
            self.catalogs.insert(name, cat.id);
            self.n.catalogs += 1;
        }
        Ok(())
    }

    async fn packages(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        let packages = items(doc, "accessPackages")?;
        for (i, pk) in packages.iter().enumerate() {
            let at = format!("accessPackages[{i}]");
            let name = text(pk, "name").unwrap_or_default();
            let mut ap = wire::catalog::blank_package(self.now);
            ap.catalog_id = self.catalogs[&text(pk, "catalog").unwrap_or_default()].clone();
            ap.display_name = text(pk, "displayName").or(Some(name.clone()));
            ap.description = text(pk, "description");
            ap.is_hidden = pk.get("isHidden").and_then(Value::as_bool).unwrap_or(false);
            let ap = self
                .e
                .create_access_package(self.p, ap)
                .await
                .map_err(|x| engine_err(&at, x))?;
            for g in names(pk, "groups", &at)? {
                let gid = &self.ids[&g];
                self.e
                    .add_role_scope(
                        self.p,
                        RoleScopeDraft {
                            access_package_id: ap.id.clone(),
                            role_origin_id: Some(format!("Member_{gid}")),
                            resource_origin_id: Some(gid.clone()),
                            ..RoleScopeDraft::default()
                        },
                    )
                    .await
                    .map_err(|x| engine_err(&format!("{at}.groups"), x))?;
            }
            for (j, pol) in items(pk, "policies")?.iter().enumerate() {
                let pat = format!("{at}.policies[{j}]");
                let d = dialect(pol, &pat)?;
                let mut body = policy_body(pol);
                rewrite_refs(&mut body, &self.ids);
                let mut policy = wire::policy::blank(self.now);
                policy.access_package_id = ap.id.clone();
                let mut echo = wire::policy::Echo::default();
                let o = body.as_object().cloned().unwrap_or_default();
                wire::policy::policy_in(d, In(&o), &mut policy, &mut echo)
                    .map_err(|x| bad(&pat, &x.message))?;
                let made = self
                    .e
                    .create_policy(self.p, policy)
                    .await
                    .map_err(|x| engine_err(&pat, x))?;
                self.policies.insert(
                    (name.clone(), text(pol, "name").unwrap_or_default()),
                    made.id,
                );
                self.n.policies += 1;
            }
            self.packages.insert(name, ap.id);
            self.n.access_packages += 1;
        }
        for (i, pk) in packages.iter().enumerate() {
            let at = format!("accessPackages[{i}]");
            let me = &self.packages[&text(pk, "name").unwrap_or_default()];
            for other in names(pk, "incompatibleWith", &at)? {
                self.e
                    .add_incompatible(
                        self.p,
                        me,
                        store::Link::IncompatiblePackage,
                        &self.packages[&other],
                    )
                    .await
                    .map_err(|x| engine_err(&format!("{at}.incompatibleWith"), x))?;
            }
        }
        Ok(())
    }

    async fn assignments(&mut self, doc: &Map<String, Value>) -> Result<(), ApiError> {
        for (i, a) in items(doc, "assignments")?.iter().enumerate() {
            let at = format!("assignments[{i}]");
            let package = text(a, "accessPackage").unwrap_or_default();
            let policy =
                self.policies[&(package.clone(), text(a, "policy").unwrap_or_default())].clone();
            self.e
                .submit_request(
                    self.p,
                    RequestDraft {
                        request_type: Some(RequestType::AdminAdd),
                        access_package_id: Some(self.packages[&package].clone()),
                        policy_id: Some(policy),
                        target_id: Some(self.ids[&text(a, "user").unwrap_or_default()].clone()),
                        justification: text(a, "justification").or(Some("Seed file".into())),
                        ..RequestDraft::default()
                    },
                )
                .await
                .map_err(|x| engine_err(&at, x))?;
            self.n.assignments += 1;
        }
        Ok(())
    }
}

/// Unique, readable names for ids: a preferred name, with `-2`, `-3`... when it is taken.
#[derive(Default)]
struct Namer {
    by_id: BTreeMap<String, String>,
    taken: std::collections::BTreeSet<String>,
}

impl Namer {
    fn name(&mut self, id: &str, preferred: Option<&str>) -> String {
        let base: String = preferred
            .unwrap_or(id)
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .trim_matches('-')
            .to_string();
        let base = if base.is_empty() {
            id.to_string()
        } else {
            base
        };
        let mut n = base.clone();
        let mut k = 2;
        while self.taken.contains(&n) {
            n = format!("{base}-{k}");
            k += 1;
        }
        self.taken.insert(n.clone());
        self.by_id.insert(id.to_string(), n.clone());
        n
    }
}

/// A list in name order (the store's order is the ids', which say nothing).
fn by_name(mut list: Vec<Value>, key: &str) -> Value {
    list.sort_by(|a, b| {
        let k = |v: &Value| {
            v.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        k(a).cmp(&k(b))
    });
    Value::Array(list)
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<String>) {
    if let Some(v) = v {
        m.insert(k.into(), Value::String(v));
    }
}

/// The names of ids, sorted (ids with no name are left out).
fn named(ids: Vec<String>, people: &Namer) -> Value {
    let mut names: Vec<String> = ids
        .iter()
        .filter_map(|x| people.by_id.get(x).cloned())
        .collect();
    names.sort();
    Value::Array(names.into_iter().map(Value::String).collect())
}

/// The tenant as a seed document (`accessd export --format seed`, `GET /_accessd/seed`): what
/// the format can say. Passwords, applications, pending requests and owner roles are left out.
pub async fn export(tx: &mut dyn Tx) -> Result<Value, ApiError> {
    let all = Query::default();
    let mut people = Namer::default();
    let users = tx.find::<User>(&all).await?;
    let groups = tx.find::<Group>(&all).await?;
    for u in &users {
        let upn = u
            .user_principal_name
            .as_deref()
            .and_then(|x| x.split('@').next());
        people.name(&u.id, upn.or(u.display_name.as_deref()));
    }
    for g in &groups {
        people.name(&g.id, g.display_name.as_deref());
    }
    let orgs = tx.find::<ConnectedOrganization>(&all).await?;
    for o in &orgs {
        people.name(&o.id, o.display_name.as_deref());
    }
    let mut doc = Map::new();
    doc.insert("users".into(), users_out(&users, &people));
    doc.insert("groups".into(), groups_out(tx, &groups, &people).await?);
    doc.insert(
        "connectedOrganizations".into(),
        orgs_out(tx, &orgs, &people).await?,
    );
    export_catalogs(tx, &mut doc, &people).await?;
    Ok(Value::Object(doc))
}

fn users_out(users: &[User], people: &Namer) -> Value {
    let mut list = Vec::new();
    for u in users {
        let mut m = Map::new();
        put(&mut m, "name", people.by_id.get(&u.id).cloned());
        put(&mut m, "displayName", u.display_name.clone());
        put(&mut m, "userPrincipalName", u.user_principal_name.clone());
        put(&mut m, "mail", u.mail.clone());
        put(&mut m, "givenName", u.given_name.clone());
        put(&mut m, "surname", u.surname.clone());
        put(&mut m, "jobTitle", u.job_title.clone());
        put(&mut m, "department", u.department.clone());
        put(&mut m, "employeeId", u.employee_id.clone());
        put(&mut m, "userType", u.user_type.clone());
        put(
            &mut m,
            "manager",
            u.manager_id
                .as_ref()
                .and_then(|x| people.by_id.get(x).cloned()),
        );
        list.push(Value::Object(m));
    }
    by_name(list, "name")
}

async fn groups_out(tx: &mut dyn Tx, groups: &[Group], people: &Namer) -> Result<Value, ApiError> {
    let mut list = Vec::new();
    for g in groups {
        let mut m = Map::new();
        put(&mut m, "name", people.by_id.get(&g.id).cloned());
        put(&mut m, "displayName", g.display_name.clone());
        put(&mut m, "description", g.description.clone());
        m.insert(
            "members".into(),
            named(tx.linked(store::Link::GroupMember, &g.id).await?, people),
        );
        m.insert(
            "owners".into(),
            named(tx.linked(store::Link::GroupOwner, &g.id).await?, people),
        );
        list.push(Value::Object(m));
    }
    Ok(by_name(list, "name"))
}

async fn orgs_out(
    tx: &mut dyn Tx,
    orgs: &[ConnectedOrganization],
    people: &Namer,
) -> Result<Value, ApiError> {
    let mut list = Vec::new();
    for o in orgs {
        let Some(domain) = o.identity_sources.iter().find_map(|s| match s {
            IdentitySource::DomainIdentitySource { domain_name, .. }
            | IdentitySource::ExternalDomainFederation { domain_name, .. } => domain_name.clone(),
            _ => None,
        }) else {
            continue;
        };
        let mut m = Map::new();
        put(&mut m, "name", people.by_id.get(&o.id).cloned());
        put(&mut m, "displayName", o.display_name.clone());
        put(&mut m, "description", o.description.clone());
        put(&mut m, "domain", Some(domain));
        put(&mut m, "state", Some(o.state.as_str().to_string()));
        m.insert(
            "internalSponsors".into(),
            named(
                tx.linked(store::Link::InternalSponsor, &o.id).await?,
                people,
            ),
        );
        m.insert(
            "externalSponsors".into(),
            named(
                tx.linked(store::Link::ExternalSponsor, &o.id).await?,
                people,
            ),
        );
        list.push(Value::Object(m));
    }
    Ok(by_name(list, "name"))
}

/// Catalogs, their packages with roles and policies, and the assignments.
async fn export_catalogs(
    tx: &mut dyn Tx,
    doc: &mut Map<String, Value>,
    people: &Namer,
) -> Result<(), ApiError> {
    let all = Query::default();
    let mut names = Namer::default();
    let mut catalogs = Vec::new();
    let mut group_of_role: BTreeMap<String, String> = BTreeMap::new();
    for c in tx.find::<Catalog>(&all).await? {
        let cname = names.name(&c.id, c.display_name.as_deref());
        let by_catalog = Query::filtered(Expr::col_eq("catalog_id", c.id.as_str()));
        let mut resources = Vec::new();
        for r in tx.find::<Resource>(&by_catalog).await? {
            if r.origin_system == "AadGroup"
                && let Some(n) = people.by_id.get(&r.origin_id)
            {
                resources.push(n.clone());
            }
        }
        resources.sort();
        for role in tx.find::<ResourceRole>(&by_catalog).await? {
            if role.origin_id.starts_with("Member_")
                && let Some(r) = tx.load::<Resource>(&role.resource_id).await?
                && let Some(n) = people.by_id.get(&r.origin_id)
            {
                group_of_role.insert(role.id.clone(), n.clone());
            }
        }
        let mut m = Map::new();
        put(&mut m, "name", Some(cname));
        put(&mut m, "displayName", c.display_name.clone());
        put(&mut m, "description", c.description.clone());
        m.insert(
            "resources".into(),
            Value::Array(resources.into_iter().map(Value::String).collect()),
        );
        catalogs.push(Value::Object(m));
    }
    doc.insert("catalogs".into(), by_name(catalogs, "name"));
    export_packages(tx, doc, people, &names, &group_of_role).await
}

/// The access packages (roles, incompatibilities, policies) and the assignments.
async fn export_packages(
    tx: &mut dyn Tx,
    doc: &mut Map<String, Value>,
    people: &Namer,
    names: &Namer,
    group_of_role: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let all = Query::default();
    let mut packages = Vec::new();
    let mut assignments = Vec::new();
    let mut pnames = Namer::default();
    let aps = tx.find::<AccessPackage>(&all).await?;
    for ap in &aps {
        pnames.name(&ap.id, ap.display_name.as_deref());
    }
    for ap in &aps {
        let by_package = Query::filtered(Expr::col_eq("access_package_id", ap.id.as_str()));
        let mut groups = Vec::new();
        for rs in tx.find::<ResourceRoleScope>(&by_package).await? {
            if let Some(n) = group_of_role.get(&rs.role_id) {
                groups.push(n.clone());
            }
        }
        groups.sort();
        let mut policy_names = Namer::default();
        let mut policies = Vec::new();
        for pol in tx.find::<Policy>(&by_package).await? {
            let mut body = Value::Object(wire::policy::policy_out(
                Dialect::V1,
                &pol,
                &wire::policy::Echo::default(),
            ));
            if let Some(b) = body.as_object_mut() {
                // Server-owned, or naming what a seed cannot hold (custom extensions).
                for k in [
                    "@odata.type",
                    "id",
                    "createdDateTime",
                    "modifiedDateTime",
                    "accessPackage",
                    "catalog",
                    "customExtensionStageSettings",
                ] {
                    b.remove(k);
                }
            }
            rewrite_refs(&mut body, &people.by_id);
            if let Some(b) = body.as_object_mut() {
                let n = policy_names.name(&pol.id, pol.display_name.as_deref());
                b.insert("name".into(), Value::String(n));
            }
            policies.push(body);
        }
        for a in tx.find::<Assignment>(&by_package).await? {
            if a.state == AssignmentState::Expired {
                continue;
            }
            let (Some(user), Some(policy)) = (
                a.target_object_id
                    .as_ref()
                    .and_then(|x| people.by_id.get(x)),
                policy_names.by_id.get(&a.policy_id),
            ) else {
                continue;
            };
            let mut m = Map::new();
            put(&mut m, "user", Some(user.clone()));
            put(&mut m, "accessPackage", pnames.by_id.get(&ap.id).cloned());
            put(&mut m, "policy", Some(policy.clone()));
            assignments.push(Value::Object(m));
        }
        let mut m = Map::new();
        put(&mut m, "name", pnames.by_id.get(&ap.id).cloned());
        put(&mut m, "displayName", ap.display_name.clone());
        put(&mut m, "description", ap.description.clone());
        m.insert("isHidden".into(), Value::Bool(ap.is_hidden));
        put(&mut m, "catalog", names.by_id.get(&ap.catalog_id).cloned());
        m.insert(
            "groups".into(),
            Value::Array(groups.into_iter().map(Value::String).collect()),
        );
        let mut incompatible: Vec<String> = tx
            .linked(store::Link::IncompatiblePackage, &ap.id)
            .await?
            .iter()
            .filter_map(|x| pnames.by_id.get(x).cloned())
            .collect();
        incompatible.sort();
        m.insert(
            "incompatibleWith".into(),
            Value::Array(incompatible.into_iter().map(Value::String).collect()),
        );
        m.insert("policies".into(), by_name(policies, "name"));
        packages.push(Value::Object(m));
    }
    doc.insert("accessPackages".into(), by_name(packages, "name"));
    assignments.sort_by_key(|a| a.to_string());
    doc.insert("assignments".into(), Value::Array(assignments));
    Ok(())
}
