//! Three accessd processes on one PostgreSQL database, driven by 32 concurrent clients for a
//! bounded time: requestors ask for and give back an access package whose policy needs an
//! approval, approvers on every instance race to decide the same approvals, and policy writers
//! count in a policy's description with `If-Match`. One instance is killed with SIGKILL in the
//! middle; its clients move on to the others, as behind a load balancer. Afterwards: every
//! acknowledged write is there, no update was lost, each approval was decided once, and the
//! group's members are exactly the targets of the package's delivered assignments.
//!
//! Needs `ACCESSD_TEST_POSTGRES` (docs/postgres.md); without it the test says it skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use accessd_api::auth::{Keys, TokenRequest};
use accessd_domain::{Clock, PrincipalKind, SystemClock};
use accessd_store_postgres::PostgresStore;
use accessd_store_postgres::testing::{TestDatabase, server_url};
use serde_json::{Value, json};
use tokio::sync::Mutex;

mod common;

const EM: &str = "v1.0/identityGovernance/entitlementManagement";
/// How long the clients run.
const LOAD: Duration = Duration::from_secs(8);
const REQUESTORS: usize = 22;
const APPROVERS: usize = 5;
const POLICY_WRITERS: usize = 5;

/// The instances' base URLs; a dead one is skipped by the clients that find it dead.
struct Fleet {
    client: reqwest::Client,
    bases: Vec<String>,
    dead: Mutex<BTreeSet<usize>>,
}

impl Fleet {
    /// Sends through instance `i` (or the next live one when it is gone); `None` only if the
    /// answer was lost with the instance (the request may or may not have been carried out).
    async fn send(
        &self,
        i: usize,
        token: &str,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Option<(u16, Value, Option<String>)> {
        for k in 0..self.bases.len() {
            let n = (i + k) % self.bases.len();
            if self.dead.lock().await.contains(&n) {
                continue;
            }
            let mut rb = self
                .client
                .request(method.clone(), format!("{}{path}", self.bases[n]))
                .bearer_auth(token)
                .timeout(Duration::from_secs(20));
            for (h, v) in headers {
                rb = rb.header(*h, *v);
            }
            if let Some(b) = body {
                rb = rb.json(b);
            }
            match rb.send().await {
                Ok(res) => {
                    let status = res.status().as_u16();
                    let etag = res
                        .headers()
                        .get("etag")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let v = res.json::<Value>().await.unwrap_or(Value::Null);
                    return Some((status, v, etag));
                }
                Err(e) if e.is_connect() => {
                    self.dead.lock().await.insert(n);
                }
                // Sent, but the answer was lost: the caller cannot know what happened.
                Err(_) => return None,
            }
        }
        panic!("no instance is left");
    }
}

fn mint(keys: &Keys, user: &str) -> String {
    keys.mint(
        &TokenRequest {
            kind: Some(PrincipalKind::User),
            object_id: user.into(),
            scopes: vec!["EntitlementManagement.ReadWrite.All".into()],
            roles: vec![],
            wids: vec![],
            display: None,
            lifetime_seconds: 3600,
            client_id: None,
            name: None,
        },
        SystemClock.now(),
    )
    .expect("token")
}

fn admin(keys: &Keys) -> String {
    keys.mint(
        &TokenRequest {
            kind: Some(PrincipalKind::User),
            object_id: "00000000-0000-0000-0000-0000000000ad".into(),
            scopes: accessd_api::auth::ADMIN_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            roles: vec![],
            wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.to_string()],
            display: Some("admin@accessd.test".into()),
            lifetime_seconds: 3600,
            client_id: None,
            name: None,
        },
        SystemClock.now(),
    )
    .expect("token")
}

/// What the setup made.
struct World {
    group: String,
    package: String,
    policy: String,
    approver: String,
    users: Vec<String>,
}

async fn post(f: &Fleet, t: &str, path: &str, body: Value) -> Value {
    let (s, v, _) = f
        .send(0, t, reqwest::Method::POST, path, &[], Some(&body))
        .await
        .expect("an answer");
    assert!(s == 201 || s == 200, "POST {path}: {s} {v}");
    v
}

async fn setup(f: &Fleet, t: &str) -> World {
    let user = |n: String| json!({"displayName": n, "userPrincipalName": format!("{n}@contoso.test"), "mail": format!("{n}@contoso.test")});
    let approver = post(f, t, "v1.0/users", user("approver".into())).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut users = Vec::new();
    for i in 0..REQUESTORS {
        let v = post(f, t, "v1.0/users", user(format!("requestor{i}"))).await;
        users.push(v["id"].as_str().unwrap().to_string());
    }
    let group = post(
        f,
        t,
        "v1.0/groups",
        json!({"displayName": "Shared", "securityEnabled": true, "mailEnabled": false}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let catalog = post(
        f,
        t,
        &format!("{EM}/catalogs"),
        json!({"displayName": "Fleet"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        f,
        t,
        &format!("{EM}/resourceRequests"),
        json!({"requestType": "adminAdd", "resource": {"originId": group, "originSystem": "AadGroup"}, "catalog": {"id": catalog}}),
    )
    .await;
    let (_, resources, _) = f
        .send(
            0,
            t,
            reqwest::Method::GET,
            &format!("{EM}/catalogs/{catalog}/resources"),
            &[],
            None,
        )
        .await
        .unwrap();
    let resource = resources["value"][0]["id"].as_str().unwrap().to_string();
    let package = post(
        f,
        t,
        &format!("{EM}/accessPackages"),
        json!({"displayName": "Shared access", "catalog": {"id": catalog}}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        f,
        t,
        &format!("{EM}/accessPackages/{package}/resourceRoleScopes"),
        json!({
            "role": {"originId": format!("Member_{group}"), "originSystem": "AadGroup", "resource": {"id": resource}},
            "scope": {"originId": group, "originSystem": "AadGroup"}
        }),
    )
    .await;
    let policy = post(
        f,
        t,
        &format!("{EM}/assignmentPolicies"),
        json!({
            "displayName": "Ask and be approved", "description": "0",
            "allowedTargetScope": "allMemberUsers",
            "expiration": {"type": "afterDuration", "duration": "P30D"},
            "requestorSettings": {
                "enableTargetsToSelfAddAccess": true,
                "enableTargetsToSelfUpdateAccess": false,
                "enableTargetsToSelfRemoveAccess": true,
                "allowCustomAssignmentSchedule": false,
                "enableOnBehalfRequestorsToAddAccess": false,
                "enableOnBehalfRequestorsToUpdateAccess": false,
                "enableOnBehalfRequestorsToRemoveAccess": false,
                "onBehalfRequestors": []
            },
            "requestApprovalSettings": {
                "isApprovalRequiredForAdd": true,
                "isApprovalRequiredForUpdate": false,
                "isRequestorJustificationRequired": false,
                "stages": [{
                    "durationBeforeAutomaticDenial": "P14D",
                    "isApproverJustificationRequired": false,
                    "isEscalationEnabled": false,
                    "durationBeforeEscalation": "PT0S",
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver}],
                    "fallbackPrimaryApprovers": [],
                    "escalationApprovers": [],
                    "fallbackEscalationApprovers": []
                }]
            },
            "accessPackage": {"id": package}
        }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        group,
        package,
        policy,
        approver,
        users,
    }
}

/// What the clients saw acknowledged.
#[derive(Default)]
struct Acks {
    requests: Mutex<Vec<String>>,
    approvals: Mutex<BTreeMap<String, usize>>,
    policy_writes: AtomicUsize,
}

/// A requestor: ask, wait for the decision, and once delivered give the access back; again and
/// again until the time is up.
async fn requestor(
    f: Arc<Fleet>,
    w: Arc<World>,
    acks: Arc<Acks>,
    token: String,
    i: usize,
    until: Instant,
) {
    let me = &w.users[i];
    while Instant::now() < until {
        let body = json!({"requestType": "userAdd", "assignment": {"accessPackageId": w.package, "assignmentPolicyId": w.policy}});
        let path = format!("{EM}/assignmentRequests");
        let Some((s, v, _)) = f
            .send(i, &token, reqwest::Method::POST, &path, &[], Some(&body))
            .await
        else {
            continue;
        };
        if s != 201 {
            // Already has the access or an open request (after an answer lost with an
            // instance): give it back below, or wait.
            tokio::time::sleep(Duration::from_millis(50)).await;
        } else {
            let id = v["id"].as_str().unwrap().to_string();
            acks.requests.lock().await.push(id.clone());
            // Wait for the approvers (bounded).
            let waited = Instant::now();
            loop {
                let got = f
                    .send(
                        i + 1,
                        &token,
                        reqwest::Method::GET,
                        &format!("{path}/{id}"),
                        &[],
                        None,
                    )
                    .await;
                if let Some((200, r, _)) = got
                    && r["state"] != json!("pendingApproval")
                    && r["state"] != json!("submitted")
                {
                    break;
                }
                if waited.elapsed() > Duration::from_secs(30) {
                    panic!("request {id} was never decided");
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        }
        // Give back what was delivered.
        let mine = f
            .send(
                i + 2,
                &token,
                reqwest::Method::GET,
                &format!("{EM}/assignments/filterByCurrentUser(on='target')"),
                &[],
                None,
            )
            .await;
        let Some((200, mine, _)) = mine else { continue };
        let Some(assignment) = mine["value"].as_array().and_then(|v| {
            v.iter()
                .find(|a| a["state"] == json!("delivered") && a["targetId"] == json!(me))
                .or_else(|| v.iter().find(|a| a["state"] == json!("delivered")))
                .and_then(|a| a["id"].as_str().map(str::to_string))
        }) else {
            continue;
        };
        let remove = json!({"requestType": "userRemove", "assignment": {"id": assignment}});
        if let Some((201, v, _)) = f
            .send(i, &token, reqwest::Method::POST, &path, &[], Some(&remove))
            .await
        {
            acks.requests
                .lock()
                .await
                .push(v["id"].as_str().unwrap().to_string());
        }
    }
}

/// An approver's client: approve whatever waits for the approver, racing the other clients.
async fn approver(
    f: Arc<Fleet>,
    acks: Arc<Acks>,
    token: String,
    i: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let list = format!("{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')");
    while !stop.load(Ordering::Relaxed) {
        let Some((200, v, _)) = f
            .send(i, &token, reqwest::Method::GET, &list, &[], None)
            .await
        else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        for ap in v["value"].as_array().cloned().unwrap_or_default() {
            let id = ap["id"].as_str().unwrap().to_string();
            let stages = format!("{EM}/accessPackageAssignmentApprovals/{id}/stages");
            let Some((200, st, _)) = f
                .send(i, &token, reqwest::Method::GET, &stages, &[], None)
                .await
            else {
                continue;
            };
            let Some(stage) = st["value"]
                .as_array()
                .and_then(|s| s.iter().find(|s| s["status"] == json!("InProgress")))
            else {
                continue;
            };
            let path = format!("{stages}/{}", stage["id"].as_str().unwrap());
            let body = json!({"reviewResult": "Approve", "justification": "fine"});
            if let Some((204, ..)) = f
                .send(i, &token, reqwest::Method::PATCH, &path, &[], Some(&body))
                .await
            {
                *acks.approvals.lock().await.entry(id).or_default() += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A policy writer: read the count in the description with its tag, write count + 1 with
/// `If-Match`; a 412 means someone else wrote first, so read again.
async fn policy_writer(
    f: Arc<Fleet>,
    w: Arc<World>,
    acks: Arc<Acks>,
    token: String,
    i: usize,
    until: Instant,
) {
    let path = format!("{EM}/assignmentPolicies/{}", w.policy);
    while Instant::now() < until {
        let Some((200, mut pol, Some(tag))) = f
            .send(i, &token, reqwest::Method::GET, &path, &[], None)
            .await
        else {
            continue;
        };
        let n: usize = pol["description"].as_str().unwrap().parse().unwrap();
        let m = pol.as_object_mut().unwrap();
        for k in [
            "@odata.context",
            "@odata.etag",
            "id",
            "createdDateTime",
            "modifiedDateTime",
        ] {
            m.remove(k);
        }
        m.insert("description".into(), json!((n + 1).to_string()));
        m.insert("accessPackage".into(), json!({"id": w.package}));
        let got = f
            .send(
                i,
                &token,
                reqwest::Method::PUT,
                &path,
                &[("if-match", tag.as_str())],
                Some(&pol),
            )
            .await;
        match got {
            Some((200, ..)) => {
                acks.policy_writes.fetch_add(1, Ordering::Relaxed);
            }
            Some((412, ..)) => {}
            Some((s, v, _)) => panic!("PUT policy: {s} {v}"),
            // Lost with an instance: whether it was written cannot be told; stop counting.
            None => panic!("a policy write's answer was lost; the count cannot be checked"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_lose_nothing_under_concurrent_clients() {
    let Some(server) = server_url() else {
        common::skipped(
            "the several-instances test needs ACCESSD_TEST_POSTGRES (docs/postgres.md)",
        );
        return;
    };
    let db = TestDatabase::create(&server).await.unwrap();
    // Three at once: the signing key, the tenant and Graph's service principal are made once.
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || common::serve(&url, &[]))
        })
        .collect();
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for s in starting {
        let served = s.join().unwrap();
        bases.push(format!("{}/", served.base));
        children.push(served);
    }
    let store = PostgresStore::open(&db.url).await.unwrap();
    let keys = Keys::load_or_create(&store).await.unwrap();
    let fleet = Arc::new(Fleet {
        client: reqwest::Client::new(),
        bases,
        dead: Mutex::new(BTreeSet::new()),
    });
    let admin = admin(&keys);
    let world = Arc::new(setup(&fleet, &admin).await);
    let acks = Arc::new(Acks::default());

    let until = Instant::now() + LOAD;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut requestors = Vec::new();
    for i in 0..REQUESTORS {
        let t = mint(&keys, &world.users[i]);
        requestors.push(tokio::spawn(requestor(
            fleet.clone(),
            world.clone(),
            acks.clone(),
            t,
            i,
            until,
        )));
    }
    let mut others = Vec::new();
    for i in 0..APPROVERS {
        let t = mint(&keys, &world.approver);
        others.push(tokio::spawn(approver(
            fleet.clone(),
            acks.clone(),
            t,
            i,
            stop.clone(),
        )));
    }
    // The writers use the two instances that live (an answer lost with the third would leave
    // the count unknowable), alternating between them.
    for i in 0..POLICY_WRITERS {
        others.push(tokio::spawn(policy_writer(
            fleet.clone(),
            world.clone(),
            acks.clone(),
            admin.clone(),
            i % 2,
            until,
        )));
    }
    // Halfway, the third instance dies without a word.
    tokio::time::sleep(LOAD / 2).await;
    children[2].kill();
    for r in requestors {
        r.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for o in others {
        o.await.unwrap();
    }

    // Every acknowledged request is there, on either live instance.
    let requests = acks.requests.lock().await.clone();
    println!(
        "{} requests acknowledged, {} approvals decided, {} policy writes with If-Match",
        requests.len(),
        acks.approvals.lock().await.len(),
        acks.policy_writes.load(Ordering::Relaxed)
    );
    assert!(
        requests.len() > REQUESTORS,
        "the load ran: {} requests",
        requests.len()
    );
    for (k, id) in requests.iter().enumerate() {
        let (s, v, _) = fleet
            .send(
                k,
                &admin,
                reqwest::Method::GET,
                &format!("{EM}/assignmentRequests/{id}"),
                &[],
                None,
            )
            .await
            .unwrap();
        assert_eq!(s, 200, "request {id}: {v}");
    }
    // No policy write was lost.
    let (_, pol, _) = fleet
        .send(
            0,
            &admin,
            reqwest::Method::GET,
            &format!("{EM}/assignmentPolicies/{}", world.policy),
            &[],
            None,
        )
        .await
        .unwrap();
    let writes = acks.policy_writes.load(Ordering::Relaxed);
    assert!(writes > 0);
    assert_eq!(
        pol["description"],
        json!(writes.to_string()),
        "every If-Match write counted once"
    );
    // Each approval was decided once, whatever the number of approvers racing for it.
    let approvals = acks.approvals.lock().await.clone();
    assert!(!approvals.is_empty());
    for (id, n) in &approvals {
        assert_eq!(*n, 1, "approval {id} was approved {n} times");
    }
    // The group's members are exactly the targets of the delivered assignments, one each.
    let (_, list, _) = fleet
        .send(
            0,
            &admin,
            reqwest::Method::GET,
            &format!(
                "{EM}/assignments?$filter=accessPackage/id eq '{}'&$expand=target&$top=999",
                world.package
            ),
            &[],
            None,
        )
        .await
        .unwrap();
    let mut delivered: Vec<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == json!("delivered"))
        .map(|a| a["target"]["objectId"].as_str().unwrap().to_string())
        .collect();
    delivered.sort();
    let unique: BTreeSet<String> = delivered.iter().cloned().collect();
    assert_eq!(
        delivered.len(),
        unique.len(),
        "one delivered assignment per target"
    );
    let (_, members, _) = fleet
        .send(
            0,
            &admin,
            reqwest::Method::GET,
            &format!("v1.0/groups/{}/members", world.group),
            &[],
            None,
        )
        .await
        .unwrap();
    let members: BTreeSet<String> = members["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(members, unique, "members follow the assignments exactly");
    // Nothing that was due is left undone.
    let overdue = {
        use accessd_domain::{CmpOp, Expr, Kind, Store, Value as V};
        let now = SystemClock.now().to_storage();
        let due = Expr::Cmp(
            Box::new(Expr::Column("due")),
            CmpOp::Le,
            Box::new(Expr::Lit(V::Text(now))),
        );
        let mut r = store.read().await.unwrap();
        r.count(Kind::DueWork, Some(&due)).await.unwrap()
    };
    assert_eq!(overdue, 0, "due work left undone");
    for mut ch in children.into_iter().take(2) {
        ch.kill();
    }
    store.close();
    drop(world);
    drop(db);
}

/// A virtual clock moved through one instance is where the others stand too (it is kept in
/// the database, and every instance follows it before it answers the clock or writes).
#[tokio::test]
async fn a_virtual_clock_is_shared_by_the_instances() {
    let Some(server) = server_url() else {
        common::skipped("the shared virtual clock test needs ACCESSD_TEST_POSTGRES");
        return;
    };
    let db = TestDatabase::create(&server).await.unwrap();
    let mut a = common::serve(&db.url, &["--clock", "virtual"]);
    let mut b = common::serve(&db.url, &["--clock", "virtual"]);
    let (base_a, base_b) = (a.base.clone(), b.base.clone());
    let store = PostgresStore::open(&db.url).await.unwrap();
    let token = admin(&Keys::load_or_create(&store).await.unwrap());
    let c = reqwest::Client::new();
    let now = |base: String| {
        let (c, token) = (c.clone(), token.clone());
        async move {
            let v: Value = c
                .get(format!("{base}/_accessd/clock"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["now"].as_str().unwrap().to_string()
        }
    };
    let before = now(base_b.clone()).await;
    let moved: Value = c
        .post(format!("{base_a}/_accessd/clock"))
        .bearer_auth(&token)
        .json(&json!({"advance": "P30D"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let moved = moved["now"].as_str().unwrap().to_string();
    assert!(moved > before, "{moved} after {before}");
    assert_eq!(
        now(base_b.clone()).await,
        moved,
        "the other instance follows"
    );
    // And moving it from the other one goes on from there, never back.
    let again: Value = c
        .post(format!("{base_b}/_accessd/clock"))
        .bearer_auth(&token)
        .json(&json!({"advance": "P1D"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again["now"].as_str().unwrap() > moved.as_str());
    assert_eq!(now(base_a).await, again["now"].as_str().unwrap());
    a.kill();
    b.kill();
    store.close();
}

/// A role granted or revoked through one instance holds on the others within a second or so:
/// each instance caches what a caller may do, and follows the other instances' writes through
/// the database.
#[tokio::test]
async fn a_role_change_through_one_instance_reaches_the_others() {
    let Some(server) = server_url() else {
        common::skipped("the shared authorization cache test needs ACCESSD_TEST_POSTGRES");
        return;
    };
    let db = TestDatabase::create(&server).await.unwrap();
    let mut a = common::serve(&db.url, &[]);
    let mut b = common::serve(&db.url, &[]);
    let store = PostgresStore::open(&db.url).await.unwrap();
    let keys = Keys::load_or_create(&store).await.unwrap();
    let admin = admin(&keys);
    let c = reqwest::Client::new();
    let user: Value = c
        .post(format!("{}/v1.0/users", a.base))
        .bearer_auth(&admin)
        .json(&json!({"displayName": "Ida", "userPrincipalName": "ida@contoso.test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ida = user["id"].as_str().unwrap().to_string();
    let token = mint(&keys, &ida);
    let list = format!("{}/{EM}/assignments", b.base);
    let status = || {
        let (c, token, list) = (c.clone(), token.clone(), list.clone());
        async move {
            c.get(&list)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Ida has no role yet: instance B refuses, and caches that.
    assert_eq!(status().await, 403);
    // Identity Governance Administrator, granted through instance A.
    let r = c
        .post(format!(
            "{}/v1.0/roleManagement/directory/roleAssignments",
            a.base
        ))
        .bearer_auth(&admin)
        .json(&json!({
            "principalId": ida,
            "roleDefinitionId": "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
            "directoryScopeId": "/"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let grant: Value = r.json().await.unwrap();
    let until = |want: u16| async move {
        let started = Instant::now();
        loop {
            let s = status().await;
            if s == want {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "instance B still answers {s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    until(200).await;
    // Revoked through A: B refuses again.
    let r = c
        .delete(format!(
            "{}/v1.0/roleManagement/directory/roleAssignments/{}",
            a.base,
            grant["id"].as_str().unwrap()
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    until(403).await;
    a.kill();
    b.kill();
    store.close();
}

/// Several instances started at once with `--demo` on one empty database: all of them start,
/// and the demo tenant is there once.
#[tokio::test]
async fn instances_started_together_with_demo_seed_once() {
    let Some(server) = server_url() else {
        common::skipped("the demo-seeding test needs ACCESSD_TEST_POSTGRES");
        return;
    };
    let db = TestDatabase::create(&server).await.unwrap();
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || common::serve(&url, &["--demo"]))
        })
        .collect();
    let mut served: Vec<_> = starting.into_iter().map(|s| s.join().unwrap()).collect();
    let c = reqwest::Client::new();
    for s in &served {
        let v: Value = c
            .get(format!("{}/v1.0/users?$count=true", s.base))
            .bearer_auth(&s.token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = v["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u["displayName"].as_str())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "seeded twice: {names:?}");
        assert!(names.contains(&"Adele Admin"), "{names:?}");
    }
    for s in &mut served {
        s.kill();
    }
}
