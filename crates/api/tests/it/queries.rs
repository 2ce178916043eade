//! `$filter` as Graph answers it: every operator, function and literal form (with
//! `--permissive-queries`), and each entity's documented filters, allowed and refused, in both
//! dialects (Graph's defaults). The shared tenant (`World`) serves the other `queries_*` files.

use accessd_api::Config;
use accessd_domain::Duration;
use accessd_testkit::{Resp, TestApp};
use serde_json::{Value, json};

pub const V1: &str = "/v1.0/identityGovernance/entitlementManagement";
pub const BETA: &str = "/beta/identityGovernance/entitlementManagement";

/// A tenant with something to find for every filter below.
///
/// - users Ada, Bob, Cy, Dee (departments: Ada and Bob `Eng`, the others none); groups
///   Analysts (a security group, a resource of Research) and Unified Team (`groupTypes`
///   `Unified`);
/// - catalogs Research, Sales and `O'Brien & Co`; packages Analytics (the Analysts membership
///   as its resource role scope; incompatible with Deals) and Reporting in Research, Deals in
///   Sales; a `Direct` policy on each, and a `Monthly` one (30 days) on Deals;
/// - assignments a1 Ada/Analytics, a2 Bob/Analytics (then removed: expired), a3 Ada/Reporting,
///   a4 Cy/Deals, made a day apart.
pub struct World {
    pub app: TestApp,
    pub ada: String,
    pub bob: String,
    pub cy: String,
    pub dee: String,
    pub analysts: String,
    pub unified: String,
    pub research: String,
    pub sales: String,
    pub obrien: String,
    pub resource: String,
    pub analytics: String,
    pub reporting: String,
    pub deals: String,
    pub pol_a: String,
    pub pol_r: String,
    pub pol_d: String,
    pub monthly: String,
    pub a1: String,
    pub a2: String,
    pub a3: String,
    pub a4: String,
}

pub fn permissive() -> Config {
    Config {
        permissive_queries: true,
        ..Config::default()
    }
}

/// Percent-encodes what a URI cannot carry as is (spaces, double quotes).
pub fn enc(path: &str) -> String {
    path.replace(' ', "%20")
        .replace('"', "%22")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

pub async fn ok(app: &TestApp, path: &str) -> Resp {
    let r = app.get(&enc(path)).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text);
    r
}

/// The ids of a page, sorted.
pub fn ids(r: &Resp) -> Vec<String> {
    let mut v: Vec<String> = r
        .values()
        .iter()
        .map(|x| x["id"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

pub fn sorted(v: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// A GET with `ConsistencyLevel: eventual` (directory `$count`/`$search`) that must succeed.
pub async fn ok_eventual(app: &TestApp, path: &str) -> Resp {
    let r = app.get_eventual(&enc(path)).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text);
    r
}

/// Asserts a 400 with Graph's error body and `code`, whose message names `named`.
pub async fn refused(app: &TestApp, path: &str, code: &str, named: &str) -> Resp {
    let r = app.get(&enc(path)).await;
    assert_eq!(r.status, 400, "GET {path}: {}", r.text);
    assert_eq!(r.error_code(), code, "GET {path}: {}", r.text);
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(named),
        "GET {path}: the message should name '{named}': {msg}"
    );
    r
}

async fn created(app: &TestApp, path: &str, body: Value) -> String {
    TestApp::expect(app.post(path, body).await, 201).id()
}

pub async fn world(config: Config) -> World {
    let app = TestApp::spawn_with(config).await;
    let day = || Duration::days(1);
    let ada = app.user("Ada Lovelace").await;
    let bob = app.user("Bob Builder").await;
    let cy = app.user("Cy Young").await;
    let dee = app.user("Dee Dee").await;
    for u in [&ada, &bob] {
        let r = app
            .patch(
                &format!("/v1.0/users/{u}"),
                json!({"department": "Eng", "accountEnabled": true}),
            )
            .await;
        assert!(r.status < 300, "{}", r.text);
    }
    for u in [&cy, &dee] {
        let r = app
            .patch(
                &format!("/v1.0/users/{u}"),
                json!({"accountEnabled": false}),
            )
            .await;
        assert!(r.status < 300, "{}", r.text);
    }
    let analysts = app.group("Analysts").await;
    let unified = created(
        &app,
        "/v1.0/groups",
        json!({"displayName": "Unified Team", "mailEnabled": true, "securityEnabled": false, "groupTypes": ["Unified"], "mailNickname": "unified"}),
    )
    .await;
    let research = app.catalog("Research").await;
    let sales = app.catalog("Sales").await;
    let obrien = app.catalog("O'Brien & Co").await;
    TestApp::expect(
        app.post(
            &format!("{V1}/resourceRequests"),
            json!({"requestType": "adminAdd", "resource": {"originId": analysts, "originSystem": "AadGroup"}, "catalog": {"id": research}}),
        )
        .await,
        201,
    );
    let resource = ok(&app, &format!("{V1}/catalogs/{research}/resources"))
        .await
        .values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let analytics = app.package(&research, "Analytics").await;
    let reporting = app.package(&research, "Reporting").await;
    let deals = app.package(&sales, "Deals").await;
    TestApp::expect(
        app.post(
            &format!("{V1}/accessPackages/{analytics}/resourceRoleScopes"),
            json!({
                "role": {"originId": format!("Member_{analysts}"), "originSystem": "AadGroup", "resource": {"id": resource}},
                "scope": {"originId": analysts, "originSystem": "AadGroup"}
            }),
        )
        .await,
        201,
    );
    let pol_a = app.policy(&analytics).await;
    let pol_r = app.policy(&reporting).await;
    let pol_d = app.policy(&deals).await;
    let monthly = created(
        &app,
        &format!("{V1}/assignmentPolicies"),
        json!({
            "displayName": "Monthly", "description": "thirty days",
            "allowedTargetScope": "notSpecified",
            "expiration": {"type": "afterDuration", "duration": "P30D"},
            "accessPackage": {"id": deals}
        }),
    )
    .await;
    TestApp::expect(
        app.post(
            &format!("{V1}/accessPackages/{analytics}/incompatibleAccessPackages/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/accessPackages/{deals}")}),
        )
        .await,
        204,
    );
    app.clock.advance(day());
    let a1 = app.assign(&analytics, &pol_a, &ada).await;
    app.clock.advance(day());
    let a2 = app.assign(&analytics, &pol_a, &bob).await;
    app.clock.advance(day());
    let a3 = app.assign(&reporting, &pol_r, &ada).await;
    app.clock.advance(day());
    let a4 = app.assign(&deals, &pol_d, &cy).await;
    app.clock.advance(day());
    TestApp::expect(
        app.post(
            &format!("{V1}/assignmentRequests"),
            json!({"requestType": "adminRemove", "assignment": {"id": a2}}),
        )
        .await,
        201,
    );
    World {
        app,
        ada,
        bob,
        cy,
        dee,
        analysts,
        unified,
        research,
        sales,
        obrien,
        resource,
        analytics,
        reporting,
        deals,
        pol_a,
        pol_r,
        pol_d,
        monthly,
        a1,
        a2,
        a3,
        a4,
    }
}

/// Runs `(path, expected ids)` cases.
async fn expect_ids(app: &TestApp, cases: &[(String, Vec<String>)]) {
    for (path, want) in cases {
        let r = ok(app, path).await;
        assert_eq!(&ids(&r), want, "GET {path}");
    }
}

// ---- Graph's defaults: the documented filters work, the rest are refused -----------------------

#[tokio::test]
async fn documented_filters_work_in_both_dialects() {
    let w = world(Config::default()).await;
    let app = &w.app;
    let delivered = sorted(&[&w.a1, &w.a3, &w.a4]);
    let cases = vec![
        // v1.0 accessPackageAssignment: state, accessPackage/id, assignmentPolicy/id,
        // target/objectId (eq), as the list page documents them; combined with `and`.
        (
            format!("{V1}/assignments?$filter=state eq 'delivered'"),
            delivered.clone(),
        ),
        (
            format!("{V1}/assignments?$filter=state eq 'Delivered'"),
            delivered.clone(),
        ),
        (
            format!("{V1}/assignments?$filter=state eq 'expired'"),
            vec![w.a2.clone()],
        ),
        (
            format!(
                "{V1}/assignments?$filter=accessPackage/id eq '{}'",
                w.analytics
            ),
            sorted(&[&w.a1, &w.a2]),
        ),
        (
            format!(
                "{V1}/assignments?$filter=assignmentPolicy/id eq '{}'",
                w.pol_d
            ),
            vec![w.a4.clone()],
        ),
        (
            format!(
                "{V1}/assignments?$filter=assignmentPolicy/id eq '{}'",
                w.pol_r
            ),
            vec![w.a3.clone()],
        ),
        (
            format!(
                "{V1}/assignments?$expand=target&$filter=target/objectid+eq+'{}'",
                w.ada
            ),
            sorted(&[&w.a1, &w.a3]),
        ),
        (
            format!(
                "{V1}/assignments?$filter=accessPackage/id eq '{}' and target/objectId eq '{}'",
                w.analytics, w.ada
            ),
            vec![w.a1.clone()],
        ),
        (
            format!("{V1}/assignments?$filter=id eq '{}'", w.a4),
            vec![w.a4.clone()],
        ),
        // beta: assignmentState, accessPackageAssignmentPolicy/id.
        (
            format!("{BETA}/accessPackageAssignments?$filter=assignmentState eq 'Delivered'"),
            delivered.clone(),
        ),
        (
            format!(
                "{BETA}/accessPackageAssignments?$filter=accessPackageAssignmentPolicy/id eq '{}'",
                w.pol_a
            ),
            sorted(&[&w.a1, &w.a2]),
        ),
        (
            format!(
                "{BETA}/accessPackageAssignments?$filter=accessPackage/id eq '{}' and target/objectId eq '{}'",
                w.deals, w.cy
            ),
            vec![w.a4.clone()],
        ),
        // Catalogs and access packages: displayName eq and contains, tolower as the docs show.
        (
            format!("{V1}/catalogs?$filter=displayName eq 'Research'"),
            vec![w.research.clone()],
        ),
        (
            format!("{V1}/catalogs?$filter=contains(tolower(displayName),'sea')"),
            vec![w.research.clone()],
        ),
        (
            format!("{BETA}/accessPackageCatalogs?$filter=contains(displayName,'ale')"),
            vec![w.sales.clone()],
        ),
        (
            format!("{V1}/catalogs?$filter=displayName eq 'O''Brien %26 Co'"),
            vec![w.obrien.clone()],
        ),
        (
            format!("{V1}/accessPackages?$filter=contains(tolower(displayName),'ana')"),
            vec![w.analytics.clone()],
        ),
        (
            format!("{BETA}/accessPackages?$filter=displayName eq 'Deals'"),
            vec![w.deals.clone()],
        ),
        (
            format!("{V1}/accessPackages?$filter=catalog/id eq '{}'", w.research),
            sorted(&[&w.analytics, &w.reporting]),
        ),
        // Policies: displayName eq; catalog/id.
        (
            format!("{V1}/assignmentPolicies?$filter=displayName eq 'Monthly'"),
            vec![w.monthly.clone()],
        ),
        (
            format!("{BETA}/accessPackageAssignmentPolicies?$filter=displayName eq 'Monthly'"),
            vec![w.monthly.clone()],
        ),
        (
            format!(
                "{V1}/assignmentPolicies?$filter=catalog/id eq '{}'",
                w.sales
            ),
            sorted(&[&w.pol_d, &w.monthly]),
        ),
        // Resources, roles, assignment resource roles, resource requests.
        (
            format!(
                "{V1}/catalogs/{}/resources?$filter=originId eq '{}'",
                w.research, w.analysts
            ),
            vec![w.resource.clone()],
        ),
        (
            format!(
                "{V1}/catalogs/{}/resources?$expand=roles,scopes&$filter=id eq '{}'",
                w.research, w.resource
            ),
            vec![w.resource.clone()],
        ),
    ];
    expect_ids(app, &cases).await;
    // Roles of a resource: `(originSystem eq 'AadGroup' and resource/id eq '...')`.
    let roles = ok(
        app,
        &format!(
            "{V1}/catalogs/{}/resourceRoles?$filter=(originSystem eq 'AadGroup' and resource/id eq '{}')&$expand=resource",
            w.research, w.resource
        ),
    )
    .await;
    // A group resource has two roles, Member and Owner.
    assert_eq!(roles.values().len(), 2, "{}", roles.text);
    for r in roles.values() {
        assert_eq!(r["resource"]["id"], json!(w.resource));
    }
    let roles = ok(
        app,
        &format!(
            "{BETA}/accessPackageCatalogs/{}/accessPackageResourceRoles?$filter=accessPackageResource/originSystem eq 'AadGroup' and accessPackageResource/originId eq '{}'",
            w.research, w.analysts
        ),
    )
    .await;
    assert_eq!(roles.values().len(), 2, "{}", roles.text);
    let delivered_roles = ok(
        app,
        &format!(
            "{BETA}/accessPackageAssignmentResourceRoles?$expand=accessPackageSubject&$filter=accessPackageSubject/objectId eq '{}'",
            w.ada
        ),
    )
    .await;
    assert_eq!(
        delivered_roles.values().len(),
        1,
        "{}",
        delivered_roles.text
    );
    assert_eq!(
        delivered_roles.values()[0]["accessPackageSubject"]["objectId"],
        json!(w.ada)
    );
    let none = ok(
        app,
        &format!(
            "{BETA}/accessPackageAssignmentResourceRoles?$filter=accessPackageSubject/objectId eq '{}'",
            w.dee
        ),
    )
    .await;
    assert!(none.values().is_empty());
    let rr = ok(
        app,
        &format!(
            "{V1}/resourceRequests?$filter=catalog/id eq '{}'",
            w.research
        ),
    )
    .await;
    assert_eq!(rr.values().len(), 1);
    // Requests: state, accessPackage/id, createdDateTime with every comparison.
    let reqs = ok(
        app,
        &format!(
            "{V1}/assignmentRequests?$filter=accessPackage/id eq '{}'",
            w.analytics
        ),
    )
    .await;
    assert_eq!(
        reqs.values().len(),
        3,
        "two adds and a removal: {}",
        reqs.text
    );
    let late = ok(
        app,
        &format!("{V1}/assignmentRequests?$filter=createdDateTime ge 2030-01-04T08:00:00Z"),
    )
    .await;
    assert_eq!(
        late.values().len(),
        3,
        "a3, a4 and the removal: {}",
        late.text
    );
    let early = ok(
        app,
        &format!("{BETA}/accessPackageAssignmentRequests?$filter=createdDateTime lt 2030-01-03T00:00:00Z and requestState eq 'Delivered'"),
    )
    .await;
    assert_eq!(early.values().len(), 1, "{}", early.text);
    // Directory: Graph's own example for groups.
    let unified = ok(app, "/v1.0/groups?$filter=groupTypes/any(c:c eq 'Unified')").await;
    assert_eq!(ids(&unified), vec![w.unified.clone()]);
}

#[tokio::test]
async fn undocumented_filters_are_refused_as_graph_does() {
    let w = world(Config::default()).await;
    let app = &w.app;
    // The real service's answer to this very filter (em-behaviour.md A5).
    let r = refused(
        app,
        &format!(
            "{BETA}/accessPackageAssignments?$filter=catalogId eq '{}'",
            w.research
        ),
        "InvalidFilter",
        "catalogId",
    )
    .await;
    assert_eq!(r.body["error"]["details"], json!([]), "{}", r.text);
    let msg = r.body["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with(&format!(
            "OData query is invalid: Filter 'catalogId Equals {} is not supported.",
            w.research
        )),
        "{msg}"
    );
    for (path, named) in [
        // Documented with eq only.
        (
            format!("{V1}/assignments?$filter=state ne 'delivered'"),
            "state",
        ),
        (
            format!("{V1}/assignments?$filter=state in ('delivered')"),
            "state",
        ),
        (
            format!("{V1}/assignments?$filter=not (state eq 'delivered')"),
            "state",
        ),
        (
            format!("{BETA}/accessPackageAssignments?$filter=assignmentStatus eq 'Delivered'"),
            "assignmentStatus",
        ),
        (
            format!(
                "{BETA}/accessPackageAssignments?$filter=targetId eq '{}'",
                w.ada
            ),
            "targetId",
        ),
        (
            format!("{BETA}/accessPackageAssignments?$filter=isExtended eq false"),
            "isExtended",
        ),
        (
            format!("{V1}/assignments?$filter=expiredDateTime eq null"),
            "expiredDateTime",
        ),
        (
            format!("{V1}/assignments?$filter=accessPackage/displayName eq 'Deals'"),
            "accessPackage/displayName",
        ),
        (
            format!("{V1}/assignments?$filter=target/displayName eq 'Ada'"),
            "target/displayName",
        ),
        (
            format!("{V1}/catalogs?$filter=startswith(displayName,'Re')"),
            "displayName",
        ),
        (
            format!("{V1}/catalogs?$filter=endswith(displayName,'ch')"),
            "displayName",
        ),
        (
            format!("{V1}/catalogs?$filter=length(displayName) eq 8"),
            "displayName",
        ),
        (
            format!("{V1}/catalogs?$filter=state eq 'published'"),
            "state",
        ),
        (
            format!("{V1}/catalogs?$filter=isExternallyVisible eq false"),
            "isExternallyVisible",
        ),
        (
            format!("{V1}/accessPackages?$filter=isHidden eq false"),
            "isHidden",
        ),
        (
            format!(
                "{BETA}/accessPackages?$filter=catalogId eq '{}'",
                w.research
            ),
            "catalogId",
        ),
        (
            format!("{V1}/assignmentPolicies?$filter=contains(displayName,'Dir')"),
            "displayName",
        ),
        (
            format!("{V1}/assignmentRequests?$filter=requestType eq 'adminAdd'"),
            "requestType",
        ),
        (
            format!(
                "{V1}/accessPackages?$filter=assignmentPolicies/any(p:p/displayName eq 'Monthly')"
            ),
            "assignmentPolicies",
        ),
        (
            format!(
                "{V1}/catalogs/{}/resources?$filter=displayName eq 'x'",
                w.research
            ),
            "displayName",
        ),
        (
            "/v1.0/users?$filter=endswith(displayName,'Young')".to_string(),
            "displayName",
        ),
        (
            "/v1.0/users?$filter=contains(displayName,'Young')".to_string(),
            "displayName",
        ),
    ] {
        refused(app, &path, "InvalidFilter", named).await;
    }
    // Sorting: nothing in entitlement management documents $orderby.
    for (path, named) in [
        (format!("{V1}/catalogs?$orderby=displayName"), "displayName"),
        (
            format!("{V1}/assignments?$orderby=schedule/startDateTime desc"),
            "schedule/startDateTime",
        ),
        (
            format!("{BETA}/accessPackages?$orderby=createdDateTime"),
            "createdDateTime",
        ),
    ] {
        refused(app, &path, "BadRequest", named).await;
    }
    // ... but the directory documents it.
    ok(app, "/v1.0/users?$orderby=displayName").await;
}

// ---- every operator, function and literal (permissive) -------------------------------------------

#[tokio::test]
async fn every_operator_function_and_literal() {
    let w = world(permissive()).await;
    let app = &w.app;
    let u = "/v1.0/users?$filter=";
    let all4 = sorted(&[&w.ada, &w.bob, &w.cy, &w.dee]);
    let cases = vec![
        (
            format!("{u}displayName eq 'Ada Lovelace'"),
            vec![w.ada.clone()],
        ),
        (
            format!("{u}displayName ne 'Ada Lovelace'"),
            sorted(&[&w.bob, &w.cy, &w.dee]),
        ),
        (
            format!("{u}displayName gt 'Bob Builder'"),
            sorted(&[&w.cy, &w.dee]),
        ),
        (
            format!("{u}displayName ge 'Bob Builder'"),
            sorted(&[&w.bob, &w.cy, &w.dee]),
        ),
        (
            format!("{u}displayName lt 'Bob Builder'"),
            vec![w.ada.clone()],
        ),
        (
            format!("{u}displayName le 'Bob Builder'"),
            sorted(&[&w.ada, &w.bob]),
        ),
        (
            format!("{u}displayName in ('Ada Lovelace', 'Cy Young', 'Nobody')"),
            sorted(&[&w.ada, &w.cy]),
        ),
        (
            format!("{u}displayName eq 'Ada Lovelace' or displayName eq 'Dee Dee'"),
            sorted(&[&w.ada, &w.dee]),
        ),
        (
            format!("{u}startswith(displayName,'A') and department eq 'Eng'"),
            vec![w.ada.clone()],
        ),
        (
            format!("{u}not startswith(displayName,'A')"),
            sorted(&[&w.bob, &w.cy, &w.dee]),
        ),
        (
            format!(
                "{u}(department eq 'Eng' or displayName eq 'Cy Young') and not (displayName eq 'Bob Builder')"
            ),
            sorted(&[&w.ada, &w.cy]),
        ),
        (
            format!("{u}endswith(displayName,'young')"),
            vec![w.cy.clone()],
        ),
        (
            format!("{u}contains(displayName,'ee D')"),
            vec![w.dee.clone()],
        ),
        (
            format!("{u}tolower(displayName) eq 'dee dee'"),
            vec![w.dee.clone()],
        ),
        (
            format!("{u}toupper(displayName) eq 'DEE DEE'"),
            vec![w.dee.clone()],
        ),
        (format!("{u}length(displayName) eq 7"), vec![w.dee.clone()]),
        (format!("{u}length(displayName) gt 11"), vec![w.ada.clone()]),
        (
            format!("{u}indexof(displayName,'Builder') eq 4"),
            vec![w.bob.clone()],
        ),
        (
            format!("{u}substring(displayName,4) eq 'Lovelace'"),
            vec![w.ada.clone()],
        ),
        (
            format!("{u}substring(displayName,0,2) eq 'Cy'"),
            vec![w.cy.clone()],
        ),
        (
            format!("{u}concat(displayName,'!') eq 'Cy Young!'"),
            vec![w.cy.clone()],
        ),
        (
            format!("{u}trim(displayName) eq 'Dee Dee'"),
            vec![w.dee.clone()],
        ),
        // Dates and times: the users were all made at 2030-01-01T08:00:00Z.
        (format!("{u}year(createdDateTime) eq 2030"), all4.clone()),
        (
            format!("{u}month(createdDateTime) eq 1 and day(createdDateTime) eq 1"),
            all4.clone(),
        ),
        (
            format!(
                "{u}hour(createdDateTime) eq 8 and minute(createdDateTime) eq 0 and second(createdDateTime) eq 0"
            ),
            all4.clone(),
        ),
        (
            format!("{u}date(createdDateTime) eq 2030-01-01"),
            all4.clone(),
        ),
        (
            format!("{u}createdDateTime ge 2030-01-01T08:00:00Z"),
            all4.clone(),
        ),
        (
            format!("{u}createdDateTime gt 2030-01-01T09:00:00%2B02:00"),
            all4.clone(),
        ),
        (format!("{u}createdDateTime lt 2030-01-01"), vec![]),
        // GUIDs bare and quoted; booleans; null.
        (format!("{u}id eq {}", w.bob), vec![w.bob.clone()]),
        (
            format!("{u}id eq '{}'", w.bob.to_uppercase()),
            vec![w.bob.clone()],
        ),
        (
            format!("{u}accountEnabled eq true"),
            sorted(&[&w.ada, &w.bob]),
        ),
        (format!("{u}accountEnabled"), sorted(&[&w.ada, &w.bob])),
        (format!("{u}department eq null"), sorted(&[&w.cy, &w.dee])),
        (format!("{u}department ne null"), sorted(&[&w.ada, &w.bob])),
        // `ne` and `not` are true for a missing value.
        (format!("{u}department ne 'Eng'"), sorted(&[&w.cy, &w.dee])),
        (
            format!("{u}not (department eq 'Eng')"),
            sorted(&[&w.cy, &w.dee]),
        ),
        (format!("{u}true"), all4.clone()),
        (format!("{u}false"), vec![]),
    ];
    expect_ids(app, &cases).await;
    let a = format!("{V1}/assignments?$filter=");
    let cases = vec![
        // Enumeration members, written as OData enum literals too.
        (
            format!("{a}state eq microsoft.graph.accessPackageAssignmentState'expired'"),
            vec![w.a2.clone()],
        ),
        (format!("{a}state ne 'delivered'"), vec![w.a2.clone()]),
        (
            format!("{a}state in ('expired', 'deliveryFailed')"),
            vec![w.a2.clone()],
        ),
        // Navigation paths, one and two hops.
        (
            format!("{a}accessPackage/displayName eq 'Deals'"),
            vec![w.a4.clone()],
        ),
        (
            format!("{a}accessPackage/catalog/displayName eq 'Research'"),
            sorted(&[&w.a1, &w.a2, &w.a3]),
        ),
        (
            format!("{a}target/displayName eq 'Ada Lovelace'"),
            sorted(&[&w.a1, &w.a3]),
        ),
        (
            format!("{a}assignmentPolicy/accessPackage/displayName eq 'Reporting'"),
            vec![w.a3.clone()],
        ),
        // Timestamps: a1 started on the 2nd, a2 on the 3rd, ...
        (
            format!("{a}schedule/startDateTime ge 2030-01-03T08:00:00Z"),
            sorted(&[&w.a2, &w.a3, &w.a4]),
        ),
        (format!("{a}expiredDateTime ne null"), vec![w.a2.clone()]),
        (
            format!("{a}schedule/expiration/type eq 'noExpiration'"),
            sorted(&[&w.a1, &w.a2, &w.a3, &w.a4]),
        ),
    ];
    expect_ids(app, &cases).await;
    // Durations: literal, quoted, and another spelling of the same length.
    for f in ["duration'P30D'", "'P30D'", "P29DT24H", "duration'PT720H'"] {
        let r = ok(
            app,
            &format!("{V1}/assignmentPolicies?$filter=expiration/duration eq {f}"),
        )
        .await;
        assert_eq!(ids(&r), vec![w.monthly.clone()], "{f}");
    }
    // Lambdas over navigation collections, links and primitive arrays; any() without a
    // predicate; nested lambdas.
    let p = format!("{V1}/accessPackages?$filter=");
    let cases = vec![
        (
            format!("{p}assignmentPolicies/any(x: x/displayName eq 'Monthly')"),
            vec![w.deals.clone()],
        ),
        (
            format!("{p}assignmentPolicies/all(x: x/displayName eq 'Direct')"),
            sorted(&[&w.analytics, &w.reporting]),
        ),
        (
            format!("{p}resourceRoleScopes/any()"),
            vec![w.analytics.clone()],
        ),
        (
            format!("{p}not resourceRoleScopes/any()"),
            sorted(&[&w.reporting, &w.deals]),
        ),
        (
            format!("{p}incompatibleAccessPackages/any(x: x/displayName eq 'Deals')"),
            vec![w.analytics.clone()],
        ),
        (
            format!("{p}accessPackagesIncompatibleWith/any()"),
            vec![w.deals.clone()],
        ),
        (
            format!("{p}incompatibleAccessPackages/all(x: startswith(x/displayName, 'D'))"),
            sorted(&[&w.analytics, &w.reporting, &w.deals]),
        ),
        (
            format!(
                "{p}catalog/displayName eq 'Sales' and assignmentPolicies/any(x: x/expiration/duration eq duration'P30D')"
            ),
            vec![w.deals.clone()],
        ),
    ];
    expect_ids(app, &cases).await;
    let c = ok(
        app,
        &format!("{V1}/catalogs?$filter=accessPackages/any(p: p/assignmentPolicies/any(q: q/displayName eq 'Monthly'))"),
    )
    .await;
    assert_eq!(ids(&c), vec![w.sales.clone()]);
    let g = ok(
        app,
        "/v1.0/groups?$filter=groupTypes/all(t: t eq 'Unified')",
    )
    .await;
    assert_eq!(
        ids(&g),
        sorted(&[&w.analysts, &w.unified]),
        "all() of nothing is true"
    );
    let g = ok(app, "/v1.0/groups?$filter=groupTypes/any()").await;
    assert_eq!(ids(&g), vec![w.unified.clone()]);
    // beta names.
    let b = ok(
        app,
        &format!("{BETA}/accessPackages?$filter=accessPackageAssignmentPolicies/any(x: x/accessPackageId eq '{}')", w.deals),
    )
    .await;
    assert_eq!(ids(&b), vec![w.deals.clone()]);
    let b = ok(
        app,
        &format!(
            "{BETA}/accessPackageAssignments?$filter=catalogId eq '{}' and isExtended eq false",
            w.sales
        ),
    )
    .await;
    assert_eq!(ids(&b), vec![w.a4.clone()]);
}

#[tokio::test]
async fn permissive_mode_still_checks_names_and_types() {
    let w = world(permissive()).await;
    let app = &w.app;
    for (path, code, named) in [
        (
            format!("{V1}/assignments?$filter=colour eq 'x'"),
            "BadRequest",
            "colour",
        ),
        (
            format!("{V1}/assignments?$filter=accessPackage/colour eq 'x'"),
            "BadRequest",
            "colour",
        ),
        (
            format!("{BETA}/accessPackageAssignments?$filter=isExtended eq 'yes'"),
            "BadRequest",
            "isExtended",
        ),
        (
            format!("{V1}/assignments?$filter=state eq 'sleeping'"),
            "BadRequest",
            "sleeping",
        ),
        (
            format!("{V1}/assignments?$filter=state gt 'delivered'"),
            "BadRequest",
            "state",
        ),
        (
            format!("{V1}/assignments?$filter=expiredDateTime eq 'yesterday'"),
            "BadRequest",
            "expiredDateTime",
        ),
        (
            format!("{V1}/accessPackages?$filter=assignmentPolicies eq 'x'"),
            "BadRequest",
            "assignmentPolicies",
        ),
        (
            format!("{V1}/accessPackages?$filter=displayName/any(x: x eq 'a')"),
            "BadRequest",
            "displayName",
        ),
        (
            format!("{V1}/accessPackages?$filter=assignmentPolicies/any(x: displayName eq 'a')"),
            "BadRequest",
            "displayName",
        ),
        (
            "/v1.0/users?$filter=length(accountEnabled) eq 1".to_string(),
            "BadRequest",
            "accountEnabled",
        ),
        (
            "/v1.0/users?$filter=year(displayName) eq 1".to_string(),
            "BadRequest",
            "displayName",
        ),
        (
            "/v1.0/users?$filter=displayName eq displayName".to_string(),
            "InvalidFilter",
            "comparison",
        ),
        (
            "/v1.0/users?$filter=displayName add 1 eq 2".to_string(),
            "InvalidFilter",
            "add",
        ),
        (
            "/v1.0/users?$filter=displayName".to_string(),
            "BadRequest",
            "displayName",
        ),
        ("/v1.0/users?$filter='x'".to_string(), "BadRequest", "x"),
    ] {
        refused(app, &path, code, named).await;
    }
}
