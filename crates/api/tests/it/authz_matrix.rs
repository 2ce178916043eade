//! The authorization matrix (`authz_matrix.txt`): every route in the table x every kind of
//! caller -> the status accessd answers. Each principal gets a fresh tenant; the rows are sent
//! in order and every mismatch is reported at once, as `route / principal: want, got`.

use accessd_api::auth::{Keys, TokenRequest};
use accessd_domain::store::TxExt;
use accessd_domain::{Clock, Duration, PrincipalKind, ServicePrincipal};
use accessd_testkit::{TestApp, roles};
use serde_json::json;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const PRINCIPALS: &[&str] = &[
    "none", "bad", "expired", "aud", "appR", "appRW", "appRole", "iga", "ownerX", "readerX",
    "apamX", "plain", "approver",
];
const SCOPES: &str = "EntitlementManagement.ReadWrite.All User.Read.All Group.Read.All";

struct Row {
    line: usize,
    method: String,
    path: String,
    body: Option<String>,
    want: Vec<u16>,
}

fn rows() -> Vec<Row> {
    let text = include_str!("authz_matrix.txt");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (left, right) = line.rsplit_once('|').expect("a '|' before the statuses");
        let left = left.trim();
        let (method, rest) = left.split_once(char::is_whitespace).expect("method path");
        let rest = rest.trim();
        let (path, body) = match rest.split_once(char::is_whitespace) {
            Some((p, b)) => (p.to_string(), Some(b.trim().to_string())),
            None => (rest.to_string(), None),
        };
        let want: Vec<u16> = right
            .split_whitespace()
            .map(|s| s.parse().expect("a status"))
            .collect();
        assert_eq!(
            want.len(),
            PRINCIPALS.len(),
            "line {}: one status per principal",
            i + 1
        );
        out.push(Row {
            line: i + 1,
            method: method.to_string(),
            path,
            body,
            want,
        });
    }
    out
}

/// The ids of the world, by placeholder.
struct World {
    app: TestApp,
    ids: Vec<(&'static str, String)>,
}

impl World {
    fn fill(&self, s: &str) -> String {
        let mut out = s
            .replace("{v1}", EM)
            .replace("{beta}", "/beta/identityGovernance/entitlementManagement");
        for (k, v) in &self.ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }
    fn id(&self, k: &str) -> String {
        self.ids
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k}"))
    }
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let x = app.catalog("X").await;
    let y = app.catalog("Y").await;
    let px = app.package(&x, "PX").await;
    let spare = app.package(&x, "Spare").await;
    let py = app.package(&y, "PY").await;
    let approver = app.user("Approver").await;
    let pol = app
        .post(
            &format!("{EM}/assignmentPolicies"),
            json!({
                "displayName": "Self-service", "description": "members ask",
                "allowedTargetScope": "allMemberUsers",
                "expiration": {"type": "noExpiration"},
                "requestorSettings": {"enableTargetsToSelfAddAccess": true, "enableTargetsToSelfUpdateAccess": false,
                    "enableTargetsToSelfRemoveAccess": true, "allowCustomAssignmentSchedule": false,
                    "enableOnBehalfRequestorsToAddAccess": false, "enableOnBehalfRequestorsToUpdateAccess": false,
                    "enableOnBehalfRequestorsToRemoveAccess": false, "onBehalfRequestors": []},
                "requestApprovalSettings": {"isApprovalRequiredForAdd": true, "isApprovalRequiredForUpdate": false,
                    "isRequestorJustificationRequired": false, "stages": [{
                        "durationBeforeAutomaticDenial": "P14D", "isApproverJustificationRequired": false,
                        "isEscalationEnabled": false, "durationBeforeEscalation": "PT0S",
                        "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver}],
                        "fallbackPrimaryApprovers": [], "escalationApprovers": [], "fallbackEscalationApprovers": []}]},
                "accessPackage": {"id": px}
            }),
        )
        .await;
    let pol = TestApp::expect(pol, 201).id();
    let direct = app.policy(&px).await;
    let requestor = app.user("Requestor").await;
    let req = app
        .call_as(
            &app.token_for(&requestor),
            "POST",
            &format!("{EM}/assignmentRequests"),
            Some(json!({"requestType": "userAdd", "assignment": {"accessPackageId": px, "assignmentPolicyId": pol}})),
        )
        .await;
    let req = TestApp::expect(req, 201).id();
    let stages = app
        .get(&format!(
            "{EM}/accessPackageAssignmentApprovals/{req}/stages"
        ))
        .await;
    let stage = TestApp::expect(stages, 200).values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let target = app.user("Target").await;
    let asg = app.assign(&px, &direct, &target).await;
    let t2 = app.user("Second target").await;
    World {
        app,
        ids: vec![
            ("X", x),
            ("Y", y),
            ("PX", px),
            ("SPARE", spare),
            ("PY", py),
            ("POL", pol),
            ("DIRECT", direct),
            ("REQ", req),
            ("STAGE", stage),
            ("ASG", asg),
            ("T2", t2),
            ("APPROVER", approver),
        ],
    }
}

fn mint(keys: &Keys, clock: &dyn Clock, r: TokenRequest) -> String {
    keys.mint(&r, clock.now()).unwrap()
}

fn user_token(w: &World, oid: &str, wids: &[&str]) -> String {
    mint(
        &w.app.keys,
        w.app.clock.as_ref(),
        TokenRequest {
            kind: Some(PrincipalKind::User),
            object_id: oid.into(),
            scopes: SCOPES.split(' ').map(str::to_string).collect(),
            wids: wids.iter().map(|s| s.to_string()).collect(),
            lifetime_seconds: 3600,
            ..Default::default()
        },
    )
}

fn app_token(w: &World, oid: &str, roles: &[&str]) -> String {
    mint(
        &w.app.keys,
        w.app.clock.as_ref(),
        TokenRequest {
            kind: Some(PrincipalKind::App),
            object_id: oid.into(),
            roles: roles.iter().map(|s| s.to_string()).collect(),
            lifetime_seconds: 3600,
            ..Default::default()
        },
    )
}

/// A token signed by accessd's own key, for another audience.
async fn wrong_audience(w: &World) -> String {
    let mut tx = w.app.store.read().await.unwrap();
    let pem = tx.meta_get("signing_key_pem").await.unwrap().unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
    let now = w.app.clock.now().as_utc().timestamp();
    let claims = json!({
        "aud": "api://someone-else", "iss": w.app.keys.issuer, "iat": now, "nbf": now,
        "exp": now + 3600, "oid": accessd_testkit::ADMIN, "sub": accessd_testkit::ADMIN,
        "tid": w.app.keys.tenant_id, "scp": SCOPES, "idtyp": "user",
        "wids": [roles::GLOBAL_ADMINISTRATOR]
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(w.app.keys.kid.clone());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// A service principal in the directory (for a role assignment to name).
async fn service_principal(w: &World, name: &str) -> String {
    let sp = ServicePrincipal {
        id: accessd_domain::new_id(),
        app_id: accessd_domain::new_id(),
        display_name: Some(name.into()),
        account_enabled: true,
        service_principal_type: "Application".into(),
        app_roles: vec![],
        created_date_time: w.app.clock.now(),
    };
    let mut tx = w.app.store.write().await.unwrap();
    tx.create(&sp).await.unwrap();
    tx.commit().await.unwrap();
    sp.id
}

/// The token (or none) a principal calls with, in its own world.
async fn principal(w: &World, who: &str) -> Option<String> {
    let x = w.id("X");
    Some(match who {
        "none" => return None,
        "bad" => {
            let other = TestApp::spawn().await;
            user_token(
                &World {
                    app: other,
                    ids: vec![],
                },
                accessd_testkit::ADMIN,
                &[roles::GLOBAL_ADMINISTRATOR],
            )
        }
        "expired" => w
            .app
            .keys
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: accessd_testkit::ADMIN.into(),
                    scopes: SCOPES.split(' ').map(str::to_string).collect(),
                    wids: vec![roles::GLOBAL_ADMINISTRATOR.into()],
                    lifetime_seconds: 60,
                    ..Default::default()
                },
                w.app.clock.now().add(Duration::days(-2)),
            )
            .unwrap(),
        "aud" => wrong_audience(w).await,
        "appR" => app_token(
            w,
            &accessd_domain::new_id(),
            &["EntitlementManagement.Read.All"],
        ),
        "appRW" => app_token(
            w,
            &accessd_domain::new_id(),
            &["EntitlementManagement.ReadWrite.All"],
        ),
        "appRole" => {
            let sp = service_principal(w, "Catalog automation").await;
            w.app.grant(&sp, roles::CATALOG_OWNER, Some(&x)).await;
            app_token(w, &sp, &[])
        }
        "iga" => {
            let u = w.app.user("Governance admin").await;
            user_token(w, &u, &[roles::IDENTITY_GOVERNANCE_ADMINISTRATOR])
        }
        "ownerX" | "readerX" | "apamX" => {
            let u = w.app.user(who).await;
            let role = match who {
                "ownerX" => roles::CATALOG_OWNER,
                "readerX" => roles::CATALOG_READER,
                _ => roles::ACCESS_PACKAGE_ASSIGNMENT_MANAGER,
            };
            w.app.grant(&u, role, Some(&x)).await;
            user_token(w, &u, &[])
        }
        "plain" => {
            let u = w.app.user("Plain").await;
            user_token(w, &u, &[])
        }
        "approver" => user_token(w, &w.id("APPROVER"), &[]),
        other => panic!("unknown principal {other}"),
    })
}

#[tokio::test]
async fn every_route_for_every_principal() {
    let rows = rows();
    assert!(rows.len() >= 30, "the matrix has {} rows", rows.len());
    let mut mismatches = Vec::new();
    for (col, who) in PRINCIPALS.iter().enumerate() {
        let w = world().await;
        let token = principal(&w, who).await;
        for row in &rows {
            let path = w.fill(&row.path);
            let body = row
                .body
                .as_ref()
                .map(|b| w.fill(b).into_bytes())
                .unwrap_or_default();
            let r = w
                .app
                .raw(&row.method, &path, token.as_deref(), &[], body)
                .await;
            let want = row.want[col];
            if r.status != want {
                mismatches.push(format!(
                    "line {} {} {} / {who}: want {want}, got {} {}",
                    row.line,
                    row.method,
                    row.path,
                    r.status,
                    r.text.chars().take(200).collect::<String>()
                ));
            }
            if r.status >= 400 {
                // Every refusal is Graph's envelope (and 401s carry the challenge).
                r.error_code();
                if r.status == 401 {
                    assert!(r.header("www-authenticate").is_some(), "{path}");
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
