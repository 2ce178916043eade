//! The small directory beside entitlement management: Graph's `/users` and `/groups` in both
//! versions, group membership through `$ref`, the OData query options on them, and paging.

use std::collections::BTreeSet;

use accessd_testkit::{Resp, TestApp};
use serde_json::{Value, json};

const BASE: &str = "http://graph.test:8080";

fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn ids(r: &Resp) -> Vec<String> {
    r.values()
        .iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn id_set(r: &Resp) -> BTreeSet<String> {
    ids(r).into_iter().collect()
}

fn message(r: &Resp) -> &str {
    r.body["error"]["message"].as_str().unwrap_or_default()
}

/// Asserts a 404 naming `id` and returns the code.
fn assert_not_found(r: &Resp, id: &str) {
    assert_eq!(r.status, 404, "{}", r.text);
    let code = r.error_code();
    assert!(code.contains("ResourceNotFound"), "code {code}: {}", r.text);
    assert!(
        message(r).contains(id),
        "the message does not name {id}: {}",
        r.text
    );
}

fn member_ref(id: &str) -> Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

async fn users_count(app: &TestApp, version: &str) -> u64 {
    let r = TestApp::expect(
        app.get_eventual(&format!("/{version}/users/$count")).await,
        200,
    );
    r.text
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {}", r.text))
}

/// The create / get / list / patch / delete round of a user in one version.
async fn user_round(version: &str) {
    let app = TestApp::spawn().await;
    let body = json!({
        "accountEnabled": true,
        "displayName": "Adele Vance",
        "mailNickname": "AdeleV",
        "userPrincipalName": "AdeleV@contoso.test",
        "jobTitle": "Retail Manager",
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d"}
    });
    let r = app.post(&format!("/{version}/users"), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.id();
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE}/{version}/users/{id}").as_str())
    );
    assert_eq!(
        r.body["@odata.context"],
        json!(format!("{BASE}/{version}/$metadata#users/$entity"))
    );
    assert_eq!(r.body["displayName"], json!("Adele Vance"));
    assert_eq!(r.body["userPrincipalName"], json!("AdeleV@contoso.test"));
    assert_eq!(r.body["mailNickname"], json!("AdeleV"));
    assert_eq!(r.body["jobTitle"], json!("Retail Manager"));
    assert_eq!(r.body["accountEnabled"], json!(true));
    assert!(
        r.body.get("passwordProfile").is_none(),
        "the password is never returned: {}",
        r.text
    );
    assert!(
        !r.text.contains("xWwvJ"),
        "the password is never returned: {}",
        r.text
    );

    let got = TestApp::expect(app.get(&format!("/{version}/users/{id}")).await, 200);
    assert_eq!(got.body["id"], json!(id));
    assert_eq!(got.body["displayName"], json!("Adele Vance"));
    assert_eq!(
        got.body["@odata.context"],
        json!(format!("{BASE}/{version}/$metadata#users/$entity"))
    );

    let list = TestApp::expect(app.get(&format!("/{version}/users")).await, 200);
    assert_eq!(ids(&list), vec![id.clone()]);
    assert_eq!(
        list.body["@odata.context"],
        json!(format!("{BASE}/{version}/$metadata#users"))
    );

    let r = app
        .patch(
            &format!("/{version}/users/{id}"),
            json!({"jobTitle": "Director", "department": "Sales"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.text, "");
    let got = TestApp::expect(app.get(&format!("/{version}/users/{id}")).await, 200);
    assert_eq!(got.body["jobTitle"], json!("Director"));
    assert_eq!(got.body["department"], json!("Sales"));
    assert_eq!(
        got.body["displayName"],
        json!("Adele Vance"),
        "PATCH leaves the rest"
    );

    let r = app.delete(&format!("/{version}/users/{id}")).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.text, "");
    assert_not_found(&app.get(&format!("/{version}/users/{id}")).await, &id);
    assert_not_found(&app.delete(&format!("/{version}/users/{id}")).await, &id);
    assert_eq!(users_count(&app, version).await, 0);
}

#[tokio::test]
async fn a_user_is_created_read_listed_changed_and_deleted_in_v1() {
    user_round("v1.0").await;
}

#[tokio::test]
async fn a_user_is_created_read_listed_changed_and_deleted_in_beta() {
    user_round("beta").await;
}

async fn group_round(version: &str) {
    let app = TestApp::spawn().await;
    let body = json!({
        "description": "Self help community for library",
        "displayName": "Library Assist",
        "groupTypes": ["Unified"],
        "mailEnabled": true,
        "mailNickname": "library",
        "securityEnabled": false
    });
    let r = app.post(&format!("/{version}/groups"), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.id();
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE}/{version}/groups/{id}").as_str())
    );
    assert_eq!(
        r.body["@odata.context"],
        json!(format!("{BASE}/{version}/$metadata#groups/$entity"))
    );
    assert_eq!(r.body["displayName"], json!("Library Assist"));
    assert_eq!(r.body["groupTypes"], json!(["Unified"]));
    assert_eq!(r.body["mailEnabled"], json!(true));
    assert_eq!(r.body["securityEnabled"], json!(false));

    let got = TestApp::expect(app.get(&format!("/{version}/groups/{id}")).await, 200);
    assert_eq!(
        got.body["description"],
        json!("Self help community for library")
    );
    let list = TestApp::expect(app.get(&format!("/{version}/groups")).await, 200);
    assert_eq!(ids(&list), vec![id.clone()]);

    let r = app
        .patch(
            &format!("/{version}/groups/{id}"),
            json!({"description": "Changed"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let got = TestApp::expect(app.get(&format!("/{version}/groups/{id}")).await, 200);
    assert_eq!(got.body["description"], json!("Changed"));
    assert_eq!(got.body["displayName"], json!("Library Assist"));

    let r = app.delete(&format!("/{version}/groups/{id}")).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_not_found(&app.get(&format!("/{version}/groups/{id}")).await, &id);
    let list = TestApp::expect(app.get(&format!("/{version}/groups")).await, 200);
    assert_eq!(ids(&list), Vec::<String>::new());
}

#[tokio::test]
async fn a_group_is_created_read_listed_changed_and_deleted_in_v1() {
    group_round("v1.0").await;
}

#[tokio::test]
async fn a_group_is_created_read_listed_changed_and_deleted_in_beta() {
    group_round("beta").await;
}

#[tokio::test]
async fn both_versions_see_the_same_directory() {
    let app = TestApp::spawn().await;
    let u = app.user("Ann").await;
    let g = app.group("Sales").await;
    let r = TestApp::expect(app.get(&format!("/beta/users/{u}")).await, 200);
    assert_eq!(r.body["displayName"], json!("Ann"));
    let r = TestApp::expect(app.get(&format!("/beta/groups/{g}")).await, 200);
    assert_eq!(r.body["displayName"], json!("Sales"));
}

#[tokio::test]
async fn a_duplicate_user_principal_name_is_refused() {
    let app = TestApp::spawn().await;
    let first = app.user("Ann").await;
    let r = app
        .post(
            "/v1.0/users",
            json!({"displayName": "Another Ann", "userPrincipalName": "ann@contoso.test"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "Request_BadRequest");
    assert!(message(&r).contains("userPrincipalName"), "{}", r.text);
    assert_eq!(users_count(&app, "v1.0").await, 1);
    // The comparison ignores case, as the directory does.
    let r = app
        .post(
            "/v1.0/users",
            json!({"displayName": "ANN", "userPrincipalName": "ANN@Contoso.Test"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "Request_BadRequest");
    assert_eq!(users_count(&app, "v1.0").await, 1);

    // Renaming another user onto the name is refused too.
    let bob = app.user("Bob").await;
    let r = app
        .patch(
            &format!("/v1.0/users/{bob}"),
            json!({"userPrincipalName": "ann@contoso.test"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "Request_BadRequest");
    let got = TestApp::expect(app.get(&format!("/v1.0/users/{bob}")).await, 200);
    assert_eq!(got.body["userPrincipalName"], json!("bob@contoso.test"));
    // A user may keep its own name.
    let r = app
        .patch(
            &format!("/v1.0/users/{first}"),
            json!({"userPrincipalName": "ann@contoso.test"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
}

#[tokio::test]
async fn a_user_without_a_display_name_is_refused() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/v1.0/users",
            json!({"userPrincipalName": "nameless@contoso.test"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "Request_BadRequest");
    assert!(message(&r).contains("displayName"), "{}", r.text);
    assert_eq!(users_count(&app, "v1.0").await, 0);

    let r = app
        .post("/v1.0/groups", json!({"mailNickname": "nameless"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    r.error_code();
    assert!(message(&r).contains("displayName"), "{}", r.text);
}

#[tokio::test]
async fn an_unknown_user_property_is_refused() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/v1.0/users", json!({"displayName": "X", "userPrincipalName": "x@contoso.test", "favouriteColour": "red"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    r.error_code();
    assert_eq!(r.body["error"]["target"], json!("favouriteColour"));
    assert_eq!(users_count(&app, "v1.0").await, 0);
}

#[tokio::test]
async fn group_members_are_added_listed_and_removed_by_reference() {
    let app = TestApp::spawn().await;
    let g = app.group("Sales").await;
    let u = app.user("Ann").await;
    let members = format!("/v1.0/groups/{g}/members");

    let r = app.post(&format!("{members}/$ref"), member_ref(&u)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.text, "");

    let list = TestApp::expect(app.get(&members).await, 200);
    assert_eq!(ids(&list), vec![u.clone()]);
    assert_eq!(
        list.values()[0]["@odata.type"],
        json!("#microsoft.graph.user")
    );
    assert_eq!(list.values()[0]["displayName"], json!("Ann"));

    // Adding again is refused; the list is unchanged.
    let r = app.post(&format!("{members}/$ref"), member_ref(&u)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "Request_BadRequest");
    let list = TestApp::expect(app.get(&members).await, 200);
    assert_eq!(ids(&list), vec![u.clone()]);

    // A reference to nothing is a 404 naming the id.
    let missing = random_id();
    let r = app
        .post(&format!("{members}/$ref"), member_ref(&missing))
        .await;
    assert_not_found(&r, &missing);

    let r = app.delete(&format!("{members}/{u}/$ref")).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let list = TestApp::expect(app.get(&members).await, 200);
    assert_eq!(ids(&list), Vec::<String>::new());
    let r = app.delete(&format!("{members}/{u}/$ref")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    r.error_code();

    // The user itself is untouched.
    TestApp::expect(app.get(&format!("/v1.0/users/{u}")).await, 200);
}

#[tokio::test]
async fn a_member_reference_must_be_well_formed() {
    let app = TestApp::spawn().await;
    let g = app.group("Sales").await;
    let u = app.user("Ann").await;
    let path = format!("/v1.0/groups/{g}/members/$ref");
    let r = app.post(&path, json!({"id": u})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    r.error_code();
    assert_eq!(r.body["error"]["target"], json!("@odata.id"));
    let mut extra = member_ref(&u);
    extra["colour"] = json!("red");
    let r = app.post(&path, extra).await;
    assert_eq!(r.status, 400, "{}", r.text);
    r.error_code();
    assert_eq!(r.body["error"]["target"], json!("colour"));
    let list = TestApp::expect(app.get(&format!("/v1.0/groups/{g}/members")).await, 200);
    assert_eq!(ids(&list), Vec::<String>::new());
    // The `users('{id}')` form of the URL names the user as well.
    let r = app
        .post(
            &path,
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users('{u}')")}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let list = TestApp::expect(app.get(&format!("/v1.0/groups/{g}/members")).await, 200);
    assert_eq!(ids(&list), vec![u]);
}

#[tokio::test]
async fn a_group_can_contain_a_group_and_members_are_counted() {
    let app = TestApp::spawn().await;
    let outer = app.group("Outer").await;
    let inner = app.group("Inner").await;
    let ann = app.user("Ann").await;
    let bob = app.user("Bob").await;
    for m in [&inner, &ann, &bob] {
        let r = app
            .post(&format!("/v1.0/groups/{outer}/members/$ref"), member_ref(m))
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let list = TestApp::expect(app.get(&format!("/v1.0/groups/{outer}/members")).await, 200);
    assert_eq!(
        id_set(&list),
        BTreeSet::from([inner.clone(), ann.clone(), bob.clone()])
    );
    let inner_json = list
        .values()
        .into_iter()
        .find(|v| v["id"] == json!(inner))
        .expect("inner listed");
    assert_eq!(inner_json["@odata.type"], json!("#microsoft.graph.group"));
    assert_eq!(inner_json["displayName"], json!("Inner"));

    let r = TestApp::expect(
        app.get_eventual(&format!("/v1.0/groups/{outer}/members/$count"))
            .await,
        200,
    );
    assert_eq!(r.text, "3");
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let r = TestApp::expect(
        app.get_eventual(&format!("/v1.0/groups/{inner}/members/$count"))
            .await,
        200,
    );
    assert_eq!(r.text, "0");

    // The inner group's memberOf names the outer one.
    let r = TestApp::expect(
        app.get(&format!("/v1.0/groups/{inner}/memberOf")).await,
        200,
    );
    assert_eq!(ids(&r), vec![outer.clone()]);

    // A group cannot contain itself.
    let r = app
        .post(
            &format!("/v1.0/groups/{outer}/members/$ref"),
            member_ref(&outer),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    r.error_code();
}

#[tokio::test]
async fn member_of_lists_a_users_groups() {
    let app = TestApp::spawn().await;
    let sales = app.group("Sales").await;
    let admins = app.group("Admins").await;
    let _other = app.group("Other").await;
    let ann = app.user("Ann").await;
    let bob = app.user("Bob").await;
    for g in [&sales, &admins] {
        let r = app
            .post(&format!("/v1.0/groups/{g}/members/$ref"), member_ref(&ann))
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let r = TestApp::expect(app.get(&format!("/v1.0/users/{ann}/memberOf")).await, 200);
    assert_eq!(id_set(&r), BTreeSet::from([sales.clone(), admins.clone()]));
    for v in r.values() {
        assert_eq!(v["@odata.type"], json!("#microsoft.graph.group"), "{v}");
    }
    let r = TestApp::expect(app.get(&format!("/v1.0/users/{bob}/memberOf")).await, 200);
    assert_eq!(ids(&r), Vec::<String>::new());

    // Deleting a group drops the membership.
    TestApp::expect(app.delete(&format!("/v1.0/groups/{admins}")).await, 204);
    let r = TestApp::expect(app.get(&format!("/v1.0/users/{ann}/memberOf")).await, 200);
    assert_eq!(ids(&r), vec![sales.clone()]);
    // Deleting a user drops it from its groups.
    TestApp::expect(app.delete(&format!("/v1.0/users/{ann}")).await, 204);
    let r = TestApp::expect(app.get(&format!("/v1.0/groups/{sales}/members")).await, 200);
    assert_eq!(ids(&r), Vec::<String>::new());
}

#[tokio::test]
async fn users_are_filtered_by_display_name() {
    let app = TestApp::spawn().await;
    let alice = app.user("Alice").await;
    let adam = app.user("Adam").await;
    let bob = app.user("Bob").await;
    let _x = app.user("x").await;

    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=displayName%20eq%20'Bob'")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![bob.clone()]);
    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=displayName%20eq%20'Nobody'")
            .await,
        200,
    );
    assert_eq!(ids(&r), Vec::<String>::new());

    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=startswith(displayName,'A')")
            .await,
        200,
    );
    assert_eq!(id_set(&r), BTreeSet::from([alice.clone(), adam.clone()]));
    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=startswith(displayName,'Ad')")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![adam.clone()]);

    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=userPrincipalName%20eq%20'alice@contoso.test'")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![alice]);
}

#[tokio::test]
async fn select_returns_only_the_named_properties() {
    let app = TestApp::spawn().await;
    let ann = app.user("Ann").await;
    let allowed: BTreeSet<&str> = BTreeSet::from(["id", "displayName", "@odata.type"]);
    let r = TestApp::expect(app.get("/v1.0/users?$select=id,displayName").await, 200);
    assert_eq!(r.values().len(), 1);
    let item = &r.values()[0];
    let keys: BTreeSet<&str> = item
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert!(keys.is_subset(&allowed), "unexpected properties: {keys:?}");
    assert_eq!(item["id"], json!(ann));
    assert_eq!(item["displayName"], json!("Ann"));

    let r = TestApp::expect(
        app.get(&format!("/v1.0/users/{ann}?$select=displayName"))
            .await,
        200,
    );
    let keys: BTreeSet<&str> = r
        .body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "@odata.context")
        .collect();
    assert!(keys.is_subset(&allowed), "unexpected properties: {keys:?}");
    assert_eq!(r.body["displayName"], json!("Ann"));
    assert!(r.body.get("userPrincipalName").is_none(), "{}", r.text);
}

#[tokio::test]
async fn a_deleted_group_is_kept_for_thirty_days_and_can_be_restored() {
    let app = TestApp::spawn().await;
    let g = app.group("Sales").await;
    let ann = app.user("Ann").await;
    TestApp::expect(
        app.post(
            &format!("/v1.0/groups/{g}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{ann}")}),
        )
        .await,
        204,
    );
    // Entra lets a group be deleted even while it is a catalog's resource.
    let c = app.catalog("C").await;
    let r = app
        .post(
            "/v1.0/identityGovernance/entitlementManagement/resourceRequests",
            json!({"requestType": "adminAdd", "resource": {"originId": g, "originSystem": "AadGroup"}, "catalog": {"id": c}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    TestApp::expect(app.delete(&format!("/v1.0/groups/{g}")).await, 204);
    let gone = app.get(&format!("/v1.0/groups/{g}")).await;
    assert_eq!(gone.status, 404);
    let d = TestApp::expect(
        app.get(&format!("/v1.0/directory/deletedItems/{g}")).await,
        200,
    );
    assert_eq!(d.body["displayName"], json!("Sales"));
    assert_eq!(d.body["deletedDateTime"], json!("2030-01-01T08:00:00Z"));
    let groups = TestApp::expect(
        app.get("/v1.0/directory/deletedItems/microsoft.graph.group")
            .await,
        200,
    );
    assert_eq!(groups.values().len(), 1);
    // Restored, with its members.
    let r = app
        .post(
            &format!("/v1.0/directory/deletedItems/{g}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], json!(g));
    assert_eq!(app.members(&g).await, vec![ann.clone()]);
    let nothing = app.get(&format!("/v1.0/directory/deletedItems/{g}")).await;
    assert_eq!(nothing.status, 404);
    // Deleted again and left alone: after 30 days it is gone for good.
    TestApp::expect(app.delete(&format!("/v1.0/groups/{g}")).await, 204);
    app.advance("P29D").await;
    TestApp::expect(
        app.get(&format!("/v1.0/directory/deletedItems/{g}")).await,
        200,
    );
    app.advance("P1D").await;
    let purged = app.get(&format!("/v1.0/directory/deletedItems/{g}")).await;
    assert_eq!(purged.status, 404, "{}", purged.text);
    let memberships = TestApp::expect(app.get(&format!("/v1.0/users/{ann}/memberOf")).await, 200);
    assert!(memberships.values().is_empty());
    // A plain user can do none of it.
    let free = app.group("Free").await;
    TestApp::expect(app.delete(&format!("/v1.0/groups/{free}")).await, 204);
    let token = app.token_for(&ann);
    let r = app
        .call_as(
            &token,
            "POST",
            &format!("/v1.0/directory/deletedItems/{free}/restore"),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    TestApp::expect(
        app.delete(&format!("/v1.0/directory/deletedItems/{free}"))
            .await,
        204,
    );
}

#[tokio::test]
async fn next_links_walk_every_user_exactly_once() {
    let app = TestApp::spawn().await;
    let mut created = BTreeSet::new();
    for i in 0..7 {
        created.insert(app.user(&format!("User {i}")).await);
    }
    let r = TestApp::expect(app.get("/v1.0/users?$top=3").await, 200);
    assert_eq!(r.values().len(), 3);
    let mut seen: Vec<String> = ids(&r);
    let mut next = r.body["@odata.nextLink"].as_str().map(str::to_string);
    let mut pages = 1;
    let first = next
        .clone()
        .expect("a first page of 3 out of 7 has a nextLink");
    assert!(first.starts_with(&format!("{BASE}/v1.0/users?")), "{first}");
    while let Some(link) = next {
        let path = link
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("not absolute on the host: {link}"));
        let r = TestApp::expect(app.get(path).await, 200);
        pages += 1;
        assert!(r.values().len() <= 3, "{}", r.text);
        assert!(
            !r.values().is_empty(),
            "an empty page behind a nextLink: {}",
            r.text
        );
        seen.extend(ids(&r));
        next = r.body["@odata.nextLink"].as_str().map(str::to_string);
        assert!(pages <= 3, "more pages than 7 users need");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), created);
}

#[tokio::test]
async fn count_true_gives_the_total() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        app.user(&format!("User {i}")).await;
    }
    let r = TestApp::expect(
        app.get_eventual("/v1.0/users?$count=true&$top=2").await,
        200,
    );
    assert_eq!(r.body["@odata.count"], json!(5));
    assert_eq!(r.values().len(), 2);
    let r = TestApp::expect(
        app.get_eventual("/v1.0/users?$count=true&$filter=startswith(displayName,'User')")
            .await,
        200,
    );
    assert_eq!(r.body["@odata.count"], json!(5));
    let r = TestApp::expect(
        app.get_eventual("/v1.0/users?$count=true&$filter=displayName%20eq%20'User%203'")
            .await,
        200,
    );
    assert_eq!(r.body["@odata.count"], json!(1));
    assert_eq!(r.values().len(), 1);
    let r = TestApp::expect(app.get("/v1.0/users").await, 200);
    assert!(r.body.get("@odata.count").is_none(), "{}", r.text);
    assert_eq!(users_count(&app, "v1.0").await, 5);
}

/// Follows `@odata.nextLink`s from `path`, returning every page.
/// Follows the next links from `path`, sending `ConsistencyLevel: eventual` as a directory
/// client that counts does.
async fn walk(app: &TestApp, path: &str, max_pages: usize) -> Vec<Resp> {
    let mut pages = vec![TestApp::expect(app.get_eventual(path).await, 200)];
    while let Some(link) = pages
        .last()
        .and_then(|r| r.body["@odata.nextLink"].as_str())
        .map(str::to_string)
    {
        let rel = link
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("not absolute on the host: {link}"));
        pages.push(TestApp::expect(app.get_eventual(rel).await, 200));
        assert!(pages.len() <= max_pages, "more than {max_pages} pages");
    }
    pages
}

#[tokio::test]
async fn next_links_keep_the_order_and_the_selection() {
    let app = TestApp::spawn().await;
    let names = [
        "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Claude",
    ];
    for n in names {
        app.user(n).await;
    }
    let pages = walk(
        &app,
        "/v1.0/users?$orderby=displayName&$top=3&$select=displayName",
        3,
    )
    .await;
    assert_eq!(
        pages.iter().map(|p| p.values().len()).collect::<Vec<_>>(),
        vec![3, 3, 1]
    );
    let got: Vec<Value> = pages
        .iter()
        .flat_map(|p| p.values())
        .map(|v| v["displayName"].clone())
        .collect();
    let mut want: Vec<&str> = names.to_vec();
    want.sort();
    assert_eq!(got, want.iter().map(|n| json!(n)).collect::<Vec<_>>());
    for p in &pages {
        for v in p.values() {
            assert!(
                v.get("userPrincipalName").is_none(),
                "$select lost on a later page: {v}"
            );
        }
    }
    let link = pages[0].body["@odata.nextLink"]
        .as_str()
        .unwrap_or_default();
    assert!(
        link.contains("$orderby=displayName") && link.contains("$select=displayName"),
        "{link}"
    );

    let pages = walk(&app, "/v1.0/users?$orderby=displayName%20desc&$top=2", 4).await;
    let got: Vec<Value> = pages
        .iter()
        .flat_map(|p| p.values())
        .map(|v| v["displayName"].clone())
        .collect();
    want.reverse();
    assert_eq!(got, want.iter().map(|n| json!(n)).collect::<Vec<_>>());
}

#[tokio::test]
async fn group_members_of_both_kinds_page_and_count_together() {
    let app = TestApp::spawn().await;
    let g = app.group("All").await;
    let mut all = BTreeSet::new();
    for i in 0..4 {
        all.insert(app.user(&format!("Member {i}")).await);
    }
    for i in 0..3 {
        all.insert(app.group(&format!("Nested {i}")).await);
    }
    for m in &all {
        let r = app
            .post(&format!("/v1.0/groups/{g}/members/$ref"), member_ref(m))
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let pages = walk(
        &app,
        &format!("/v1.0/groups/{g}/members?$top=2&$count=true"),
        4,
    )
    .await;
    assert_eq!(pages.len(), 4);
    let mut seen = Vec::new();
    for p in &pages {
        assert_eq!(p.body["@odata.count"], json!(7), "{}", p.text);
        seen.extend(ids(p));
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);
}

#[tokio::test]
async fn membership_of_a_missing_group_is_404() {
    let app = TestApp::spawn().await;
    let u = app.user("Ann").await;
    let missing = random_id();
    assert_not_found(
        &app.post(
            &format!("/v1.0/groups/{missing}/members/$ref"),
            member_ref(&u),
        )
        .await,
        &missing,
    );
    assert_not_found(
        &app.delete(&format!("/v1.0/groups/{missing}/members/{u}/$ref"))
            .await,
        &missing,
    );
    assert_not_found(
        &app.get(&format!("/v1.0/groups/{missing}/members")).await,
        &missing,
    );
    let r = TestApp::expect(app.get(&format!("/v1.0/users/{u}/memberOf")).await, 200);
    assert_eq!(ids(&r), Vec::<String>::new());
}

#[tokio::test]
async fn directory_filters_ignore_case() {
    let app = TestApp::spawn().await;
    let alice = app.user("Alice").await;
    app.user("Bob").await;
    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=startswith(displayName,'a')")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![alice.clone()]);
    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=displayName%20eq%20'ALICE'")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![alice.clone()]);
    let r = TestApp::expect(
        app.get("/v1.0/users?$filter=userPrincipalName%20eq%20'Alice@Contoso.TEST'")
            .await,
        200,
    );
    assert_eq!(ids(&r), vec![alice]);
}

#[tokio::test]
async fn required_names_cannot_be_null_or_blank() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"displayName": null, "userPrincipalName": "a@contoso.test"}),
        json!({"displayName": "  ", "userPrincipalName": "a@contoso.test"}),
        json!({"displayName": "A", "userPrincipalName": ""}),
        json!({"displayName": "A"}),
    ] {
        let r = app.post("/v1.0/users", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.error_code(), "Request_BadRequest");
    }
    for body in [
        json!({"displayName": null}),
        json!({"displayName": ""}),
        json!({}),
    ] {
        let r = app.post("/v1.0/groups", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.body["error"]["target"], json!("displayName"));
    }
    let u = app.user("Keeps Name").await;
    for body in [
        json!({"displayName": null}),
        json!({"displayName": ""}),
        json!({"userPrincipalName": null}),
    ] {
        let r = app.patch(&format!("/v1.0/users/{u}"), body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
    }
    let got = app.get(&format!("/v1.0/users/{u}")).await;
    assert_eq!(got.body["displayName"], json!("Keeps Name"));
    let g = app.group("Keeps Group").await;
    let r = app
        .patch(&format!("/v1.0/groups/{g}"), json!({"displayName": ""}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn delete_through_a_reference_leaves_the_object() {
    let app = TestApp::spawn().await;
    let g = app.group("Refs").await;
    let u = app.user("Member").await;
    let r = app
        .post(
            &format!("/v1.0/groups/{g}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{u}")}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app.delete(&format!("/v1.0/groups/{g}/members/{u}")).await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.error_code(), "MethodNotAllowed");
    assert_eq!(
        app.get(&format!("/v1.0/users/{u}")).await.status,
        200,
        "the user is still there"
    );
    assert_eq!(
        app.get(&format!("/v1.0/groups/{g}/members"))
            .await
            .values()
            .len(),
        1,
        "and still a member"
    );
    let (_, package, policy) = app.package_with_policy().await;
    let em = "/v1.0/identityGovernance/entitlementManagement";
    let r = app
        .delete(&format!("{em}/assignmentPolicies/{policy}/accessPackage"))
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(
        app.get(&format!("{em}/accessPackages/{package}"))
            .await
            .status,
        200
    );
    // Through a containment navigation the object itself is deleted.
    let r = app
        .delete(&format!(
            "{em}/accessPackages/{package}/assignmentPolicies/{policy}"
        ))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        app.get(&format!("{em}/assignmentPolicies/{policy}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn missing_directory_objects_use_the_directory_code() {
    let app = TestApp::spawn().await;
    let missing = "99999999-9999-9999-9999-999999999999";
    for path in [
        format!("/v1.0/users/{missing}"),
        format!("/v1.0/groups/{missing}"),
        format!("/beta/users/{missing}"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.error_code(), "Request_ResourceNotFound", "{path}");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(missing)
        );
    }
}

#[tokio::test]
async fn casts_narrow_member_collections() {
    let app = TestApp::spawn().await;
    let g = app.group("Mixed").await;
    let inner = app.group("Inner").await;
    let u = app.user("Person").await;
    for id in [&u, &inner] {
        let r = app
            .post(&format!("/v1.0/groups/{g}/members/$ref"), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")}))
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let users = TestApp::expect(
        app.get(&format!("/v1.0/groups/{g}/members/microsoft.graph.user"))
            .await,
        200,
    );
    assert_eq!(users.values().len(), 1);
    assert_eq!(users.values()[0]["id"], json!(u));
    let groups = TestApp::expect(
        app.get(&format!("/v1.0/groups/{g}/members/microsoft.graph.group"))
            .await,
        200,
    );
    assert_eq!(groups.values()[0]["id"], json!(inner));
    let n = TestApp::expect(
        app.get_eventual(&format!(
            "/v1.0/groups/{g}/members/microsoft.graph.user/$count"
        ))
        .await,
        200,
    );
    assert_eq!(n.text, "1");
    let r = app
        .get(&format!(
            "/v1.0/groups/{g}/members/microsoft.graph.accessPackage"
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn a_users_manager_is_set_and_removed_through_its_reference() {
    let app = TestApp::spawn().await;
    let boss = app.user("Boss").await;
    let ann = app.user("Ann").await;
    let put = app
        .put(
            &format!("/v1.0/users/{ann}/manager/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{boss}")}),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text);
    let m = TestApp::expect(app.get(&format!("/v1.0/users/{ann}/manager")).await, 200);
    assert_eq!(m.body["id"], json!(boss));
    let r = TestApp::expect(
        app.get(&format!("/v1.0/users/{ann}/manager/$ref")).await,
        200,
    );
    assert!(
        r.body["@odata.id"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/users/{boss}")),
        "{}",
        r.text
    );
    // Errors: no such user, oneself, a caller without the right.
    let none = app
        .put(
            &format!("/v1.0/users/{ann}/manager/$ref"),
            json!({"@odata.id": "https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000009"}),
        )
        .await;
    assert_eq!(none.status, 404, "{}", none.text);
    let me = app
        .put(
            &format!("/v1.0/users/{ann}/manager/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{ann}")}),
        )
        .await;
    assert_eq!(me.status, 400, "{}", me.text);
    let token = app.token_for(&ann);
    let r = app
        .call_as(
            &token,
            "DELETE",
            &format!("/v1.0/users/{ann}/manager/$ref"),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.error_code(), "Authorization_RequestDenied");
    TestApp::expect(
        app.delete(&format!("/v1.0/users/{ann}/manager/$ref")).await,
        204,
    );
    let gone = app.get(&format!("/v1.0/users/{ann}/manager")).await;
    assert_eq!(gone.status, 404, "{}", gone.text);
}
