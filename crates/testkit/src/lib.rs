//! The test harness. [`TestApp::spawn`] builds the real router on a fresh store (see
//! [`test_store`]: in-memory SQLite, or a new PostgreSQL database) with a [`ManualClock`], and
//! calls it in process (no sockets), so every test gets its own tenant. Data is created
//! through the API, as a client would.

use std::sync::Arc;

use accessd_api::auth::{ADMIN_SCOPES, ExternalIssuer, Keys, TokenRequest, Verifier};
use accessd_api::{AppState, Config};
use accessd_domain::{Clock, ManualClock, PrincipalKind, Store, Timestamp};
use accessd_engine::Engine;
use accessd_store_postgres::testing::TestDatabase;
use accessd_store_sqlite::SqliteStore;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub mod oidc;

/// The object id the admin token speaks for.
pub const ADMIN: &str = "00000000-0000-0000-0000-0000000000ad";

/// Custom extension callouts, as an endpoint would receive them: every call is recorded, and
/// answered 202 (or 500 when the URL contains `fail`).
#[derive(Default)]
pub struct RecordedCallouts {
    pub calls: std::sync::Mutex<Vec<(String, Value)>>,
}

#[async_trait::async_trait]
impl accessd_engine::extensions::CalloutSender for RecordedCallouts {
    async fn send(&self, url: &str, body: &Value, _timeout_ms: u64) -> Result<u16, String> {
        if let Ok(mut c) = self.calls.lock() {
            c.push((url.to_string(), body.clone()));
        }
        Ok(if url.contains("fail") { 500 } else { 202 })
    }
}

pub struct TestApp {
    /// What custom extensions were sent.
    pub callouts: Arc<RecordedCallouts>,
    pub router: Router,
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub clock: Arc<ManualClock>,
    pub admin_token: String,
    /// The PostgreSQL database the test runs on (dropped with the app).
    _database: Option<TestDatabase>,
}

/// `ACCESSD_TEST_STORE`: which store [`TestApp`]s run on, `sqlite` (the default) or `postgres`
/// (then `ACCESSD_TEST_POSTGRES` must name a server).
pub const STORE_ENV: &str = "ACCESSD_TEST_STORE";

/// A fresh, empty, migrated store for one test: an in-memory SQLite database, or with
/// `ACCESSD_TEST_STORE=postgres` a database of its own on the PostgreSQL server that
/// `ACCESSD_TEST_POSTGRES` names (dropped with the returned guard).
pub async fn test_store() -> (Arc<dyn Store>, Option<TestDatabase>) {
    match std::env::var(STORE_ENV).as_deref() {
        Ok("postgres") => {
            let server = accessd_store_postgres::testing::server_url().unwrap_or_else(|| {
                panic!(
                    "{STORE_ENV}=postgres needs {} to name a PostgreSQL server",
                    accessd_store_postgres::testing::ENV
                )
            });
            let (store, db) = TestDatabase::open(&server)
                .await
                .expect("a fresh PostgreSQL database");
            (Arc::new(store), Some(db))
        }
        Ok("sqlite") | Ok("") | Err(_) => (
            Arc::new(
                SqliteStore::open("sqlite::memory:")
                    .await
                    .expect("in-memory store"),
            ),
            None,
        ),
        Ok(other) => panic!("{STORE_ENV}={other}: use sqlite or postgres"),
    }
}

/// An answer: status, headers, and the body as JSON (or as a JSON string when it is not JSON).
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// The body's `value` array (collections).
    pub fn values(&self) -> Vec<Value> {
        self.body["value"].as_array().cloned().unwrap_or_default()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts Graph's error envelope and returns `error.code`.
    pub fn error_code(&self) -> String {
        let e = &self.body["error"];
        assert!(
            e.is_object(),
            "not a Graph error ({}): {}",
            self.status,
            self.text
        );
        assert!(
            e["message"].is_string(),
            "error without message: {}",
            self.text
        );
        let inner = &e["innerError"];
        for k in ["date", "request-id", "client-request-id"] {
            assert!(inner[k].is_string(), "innerError lacks {k}: {}", self.text);
        }
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "error without a JSON content type"
        );
        e["code"].as_str().unwrap_or_default().to_string()
    }
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.text))
            .to_string()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Config::default()).await
    }

    pub async fn spawn_with(config: Config) -> TestApp {
        TestApp::spawn_full(config, None).await
    }

    /// A test app that accepts the tokens of `issuer` too (its keys loaded at the clock's time).
    pub async fn spawn_with_issuer(issuer: Arc<ExternalIssuer>) -> TestApp {
        TestApp::spawn_full(Config::default(), Some(issuer)).await
    }

    async fn spawn_full(config: Config, issuer: Option<Arc<ExternalIssuer>>) -> TestApp {
        let (store, database) = test_store().await;
        let clock = Arc::new(ManualClock::new(
            Timestamp::parse("2030-01-01T08:00:00Z").expect("time"),
        ));
        let keys = Arc::new(Keys::load_or_create(store.as_ref()).await.expect("keys"));
        let callouts = Arc::new(RecordedCallouts::default());
        let engine = Engine::new(store.clone(), clock.clone()).with_callouts(callouts.clone());
        engine
            .ensure_graph_service_principal()
            .await
            .expect("Microsoft Graph's service principal");
        if let Some(i) = &issuer {
            i.load(clock.now()).await.expect("the issuer's keys");
        }
        let state = AppState {
            engine: engine.clone(),
            store: store.clone(),
            tokens: Arc::new(Verifier::new(keys.clone(), issuer)),
            config: Arc::new(config),
            wall_clock: clock.clone(),
        };
        let router = accessd_api::app(state);
        let admin_token = keys
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: ADMIN.into(),
                    scopes: ADMIN_SCOPES.iter().map(|s| s.to_string()).collect(),
                    roles: vec![],
                    wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.to_string()],
                    display: Some("admin@accessd.test".into()),
                    lifetime_seconds: 3600 * 24 * 365,
                    client_id: None,
                    name: None,
                },
                clock.now(),
            )
            .expect("token");
        TestApp {
            callouts,
            router,
            engine,
            store,
            keys,
            clock,
            admin_token,
            _database: database,
        }
    }

    /// A delegated token for `user`, with the scopes an ordinary user of an entitlement-
    /// management app consents to (`EntitlementManagement.ReadWrite.All`, `User.Read.All`,
    /// `Group.Read.All`) and no directory role: what the user may do is what its roles and
    /// its own relations allow.
    pub fn token_for(&self, user: &str) -> String {
        self.keys
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: user.into(),
                    scopes: vec![
                        "EntitlementManagement.ReadWrite.All".into(),
                        "User.Read.All".into(),
                        "Group.Read.All".into(),
                    ],
                    lifetime_seconds: 3600 * 24 * 365,
                    ..TokenRequest::default()
                },
                self.clock.now(),
            )
            .expect("token")
    }

    /// Sends a raw request. `token: None` sends no Authorization header.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(path);
        b = b.header("host", "graph.test:8080");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if !body.is_empty()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body)).expect("request");
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(text.clone()));
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// POSTs a form (`application/x-www-form-urlencoded`) without a token, as a client of the
    /// built-in token endpoint does.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.raw(
            "POST",
            path,
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
            body.into_bytes(),
        )
        .await
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let token = self.admin_token.clone();
        self.raw(method, path, Some(&token), &[], bytes).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
    /// GET with `ConsistencyLevel: eventual`, which Graph's directory wants for `$count`,
    /// `$search` and its advanced filters.
    pub async fn get_eventual(&self, path: &str) -> Resp {
        let token = self.admin_token.clone();
        self.raw(
            "GET",
            path,
            Some(&token),
            &[("ConsistencyLevel", "eventual")],
            vec![],
        )
        .await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call("PATCH", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None).await
    }

    /// Asserts a status, showing the body when it differs.
    pub fn expect(r: Resp, status: u16) -> Resp {
        assert_eq!(r.status, status, "unexpected answer: {}", r.text);
        r
    }

    // ---- builders (through the API) ----------------------------------------------------------

    pub async fn user(&self, name: &str) -> String {
        let upn = format!("{}@contoso.test", name.to_lowercase().replace(' ', "."));
        let r = self
            .post(
                "/v1.0/users",
                json!({"displayName": name, "userPrincipalName": upn, "mail": upn}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    pub async fn group(&self, name: &str) -> String {
        let r = self
            .post(
                "/v1.0/groups",
                json!({"displayName": name, "securityEnabled": true, "mailEnabled": false}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    pub async fn catalog(&self, name: &str) -> String {
        let r = self
            .post(
                "/v1.0/identityGovernance/entitlementManagement/catalogs",
                json!({"displayName": name}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    pub async fn package(&self, catalog: &str, name: &str) -> String {
        let r = self
            .post(
                "/v1.0/identityGovernance/entitlementManagement/accessPackages",
                json!({"displayName": name, "catalog": {"id": catalog}}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    /// A direct-assignment policy (administrators assign; no expiry).
    pub async fn policy(&self, package: &str) -> String {
        let r = self
            .post(
                "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies",
                json!({
                    "displayName": "Direct", "description": "direct",
                    "allowedTargetScope": "notSpecified",
                    "expiration": {"type": "noExpiration"},
                    "accessPackage": {"id": package}
                }),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    /// A catalog, an access package and a direct policy: (catalog, package, policy).
    pub async fn package_with_policy(&self) -> (String, String, String) {
        let c = self.catalog("Catalog").await;
        let p = self.package(&c, "Package").await;
        let pol = self.policy(&p).await;
        (c, p, pol)
    }

    /// An assignment made with an admin request; returns the assignment id.
    pub async fn assign(&self, package: &str, policy: &str, target: &str) -> String {
        let r = self
            .post(
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
                json!({"requestType": "adminAdd", "assignment": {"targetId": target, "assignmentPolicyId": policy, "accessPackageId": package}}),
            )
            .await;
        let r = TestApp::expect(r, 201);
        let req = r.id();
        let a = self
            .get(&format!(
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{req}/assignment"
            ))
            .await;
        TestApp::expect(a, 200).id()
    }

    /// Gives `principal` an entitlement-management role: a catalog role over `catalog`, or
    /// (with `None`) a tenant-wide one such as Catalog creator. Returns the assignment id.
    pub async fn grant(&self, principal: &str, role: &str, catalog: Option<&str>) -> String {
        let scope = catalog.map_or("/".to_string(), |c| format!("/AccessPackageCatalog/{c}"));
        let r = self
            .post(
                "/v1.0/roleManagement/entitlementManagement/roleAssignments",
                json!({"principalId": principal, "roleDefinitionId": role, "appScopeId": scope}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }

    /// Gives `principal` a directory role (by template id). Returns the assignment id.
    pub async fn grant_directory_role(&self, principal: &str, role: &str) -> String {
        let r = self
            .post(
                "/v1.0/roleManagement/directory/roleAssignments",
                json!({"principalId": principal, "roleDefinitionId": role, "directoryScopeId": "/"}),
            )
            .await;
        TestApp::expect(r, 201).id()
    }
}

impl TestApp {
    /// Sends a request as the holder of `token`.
    pub async fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.raw(method, path, Some(token), &[], bytes).await
    }

    /// A user with a manager (or none).
    pub async fn user_with_manager(&self, name: &str, manager: Option<&str>) -> String {
        let id = self.user(name).await;
        if let Some(m) = manager {
            let r = self
                .put(
                    &format!("/v1.0/users/{id}/manager/$ref"),
                    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{m}")}),
                )
                .await;
            if r.status >= 300 {
                // Until `manager/$ref` is served, set it through the engine.
                self.engine
                    .update_user(
                        &accessd_domain::Principal::system("t"),
                        &id,
                        |u| {
                            u.manager_id = Some(m.to_string());
                            Ok(())
                        },
                        None,
                    )
                    .await
                    .expect("manager");
            }
        }
        id
    }

    /// Adds `group` to `catalog` as a resource and makes an access package whose one resource
    /// role is the group's membership. Returns the package id.
    pub async fn group_package(&self, catalog: &str, group: &str, name: &str) -> String {
        let em = "/v1.0/identityGovernance/entitlementManagement";
        let existing = self
            .get(&format!("{em}/catalogs/{catalog}/resources"))
            .await
            .values()
            .into_iter()
            .find(|r| r["originId"] == json!(group));
        let resource = match existing {
            Some(r) => r["id"].as_str().expect("id").to_string(),
            None => {
                let r = self
                    .post(
                        &format!("{em}/resourceRequests"),
                        json!({"requestType": "adminAdd", "resource": {"originId": group, "originSystem": "AadGroup"}, "catalog": {"id": catalog}}),
                    )
                    .await;
                TestApp::expect(r, 201);
                self.get(&format!("{em}/catalogs/{catalog}/resources"))
                    .await
                    .values()
                    .into_iter()
                    .find(|r| r["originId"] == json!(group))
                    .expect("the resource")["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            }
        };
        let package = self.package(catalog, name).await;
        let r = self
            .post(
                &format!("{em}/accessPackages/{package}/resourceRoleScopes"),
                json!({
                    "role": {"originId": format!("Member_{group}"), "originSystem": "AadGroup", "resource": {"id": resource}},
                    "scope": {"originId": group, "originSystem": "AadGroup"}
                }),
            )
            .await;
        TestApp::expect(r, 201);
        package
    }

    /// The ids of a group's members.
    pub async fn members(&self, group: &str) -> Vec<String> {
        let r = TestApp::expect(
            self.get(&format!("/v1.0/groups/{group}/members")).await,
            200,
        );
        let mut v: Vec<String> = r
            .values()
            .iter()
            .filter_map(|m| m["id"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v
    }

    /// Moves the clock forward through `/_accessd/clock` (what falls due is carried out).
    pub async fn advance(&self, duration: &str) -> Resp {
        let r = self
            .post("/_accessd/clock", json!({"advance": duration}))
            .await;
        TestApp::expect(r, 200)
    }
}

/// Entitlement management's role definition ids.
pub mod roles {
    pub const CATALOG_CREATOR: &str = "ba92d953-d8e0-4e39-a797-0cbedb0a89e8";
    pub const CATALOG_OWNER: &str = "ae79f266-94d4-4dab-b730-feca7e132178";
    pub const CATALOG_READER: &str = "44272f93-9762-48e8-af59-1b5351b1d6b3";
    pub const ACCESS_PACKAGE_MANAGER: &str = "7f480852-ebdc-47d4-87de-0d8498384a83";
    pub const ACCESS_PACKAGE_ASSIGNMENT_MANAGER: &str = "e2182095-804a-4656-ae11-64734e9b7ae5";
    /// Directory role template ids.
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const IDENTITY_GOVERNANCE_ADMINISTRATOR: &str = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e";
    pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
}

/// Percent-encodes everything but unreserved characters (a form value or a URL segment).
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
