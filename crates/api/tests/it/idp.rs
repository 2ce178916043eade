//! The built-in identity provider: discovery, keys, the token endpoint's two grants and their
//! errors, and registering its clients through `/applications` and `/servicePrincipals`.

use accessd_domain::Clock;
use accessd_engine::apps::GRAPH_APP_ID;
use accessd_testkit::TestApp;
use base64::Engine as _;
use serde_json::{Value, json};

const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";
const EM_READ_ROLE: &str = "c74fd47d-ed3c-45c3-9a9e-b8676de685d2";
const CATALOGS: &str = "/v1.0/identityGovernance/entitlementManagement/catalogs";
/// Microsoft Graph PowerShell's client id: a public client in every tenant.
const GRAPH_POWERSHELL: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
const IGA: &str = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e";

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&raw).expect("claims")
}

fn token_path(app: &TestApp) -> String {
    format!("/{}/oauth2/v2.0/token", app.keys.tenant_id)
}

/// An application registered through Graph, with a service principal holding `roles` (app
/// role ids) and one client secret. Returns (object id, client id, service principal, secret).
async fn registered_app(app: &TestApp, roles: &[&str]) -> (String, String, String, String) {
    let a = TestApp::expect(
        app.post("/v1.0/applications", json!({"displayName": "Automation"}))
            .await,
        201,
    );
    let (object_id, client_id) = (a.id(), a.body["appId"].as_str().unwrap().to_string());
    let pw = TestApp::expect(
        app.post(
            &format!("/v1.0/applications/{object_id}/addPassword"),
            json!({"passwordCredential": {"displayName": "ci"}}),
        )
        .await,
        200,
    );
    let secret = pw.body["secretText"].as_str().unwrap().to_string();
    let sp = TestApp::expect(
        app.post("/v1.0/servicePrincipals", json!({"appId": client_id}))
            .await,
        201,
    )
    .id();
    let graph = TestApp::expect(
        app.get(&format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')"))
            .await,
        200,
    );
    let graph_id = graph.id();
    for r in roles {
        TestApp::expect(
            app.post(
                &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"),
                json!({"principalId": sp, "resourceId": graph_id, "appRoleId": r}),
            )
            .await,
            201,
        );
    }
    (object_id, client_id, sp, secret)
}

async fn client_credentials(app: &TestApp, client_id: &str, secret: &str) -> accessd_testkit::Resp {
    app.post_form(
        &token_path(app),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", GRAPH_DEFAULT),
        ],
    )
    .await
}

async fn password_grant(
    app: &TestApp,
    client_id: &str,
    user: &str,
    pw: &str,
) -> accessd_testkit::Resp {
    app.post_form(
        &token_path(app),
        &[
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", user),
            ("password", pw),
            (
                "scope",
                &format!("{GRAPH_DEFAULT} openid profile offline_access"),
            ),
        ],
    )
    .await
}

fn aadsts(r: &accessd_testkit::Resp) -> (u16, String, u64) {
    (
        r.status,
        r.body["error"].as_str().unwrap_or_default().to_string(),
        r.body["error_codes"][0].as_u64().unwrap_or_default(),
    )
}

#[tokio::test]
async fn discovery_names_the_endpoints_on_the_callers_host_and_the_keys_verify_its_tokens() {
    let app = TestApp::spawn().await;
    let tid = app.keys.tenant_id.clone();
    let r = TestApp::expect(
        app.raw(
            "GET",
            &format!("/{tid}/v2.0/.well-known/openid-configuration"),
            None,
            &[],
            vec![],
        )
        .await,
        200,
    );
    assert_eq!(
        r.body["token_endpoint"],
        format!("http://graph.test:8080/{tid}/oauth2/v2.0/token")
    );
    assert_eq!(r.body["issuer"], app.keys.issuer);
    let jwks_uri = r.body["jwks_uri"].as_str().unwrap();
    let path = jwks_uri.trim_start_matches("http://graph.test:8080");
    let keys = TestApp::expect(app.raw("GET", path, None, &[], vec![]).await, 200);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(keys.body["keys"][0].clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_audience(&["https://graph.microsoft.com"]);
    v.validate_exp = false;
    let data = jsonwebtoken::decode::<Value>(&app.admin_token, &key, &v).unwrap();
    assert_eq!(data.claims["tid"], tid.as_str());
    // `common` and `organizations` stand for the tenant; another tenant is not found.
    for t in ["common", "organizations"] {
        let r = app
            .raw(
                "GET",
                &format!("/{t}/v2.0/.well-known/openid-configuration"),
                None,
                &[],
                vec![],
            )
            .await;
        assert_eq!(r.status, 200, "{t}");
    }
    let r = app
        .raw(
            "GET",
            "/11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration",
            None,
            &[],
            vec![],
        )
        .await;
    assert_eq!(aadsts(&r), (400, "invalid_request".into(), 90002));
}

#[tokio::test]
async fn an_app_registered_through_graph_gets_an_app_only_token_with_its_permissions() {
    let app = TestApp::spawn().await;
    let (object_id, client_id, sp, secret) = registered_app(&app, &[EM_READ_ROLE]).await;
    assert_eq!(secret.len(), 40);
    // The secret is shown once; afterwards only its hint.
    let a = TestApp::expect(
        app.get(&format!("/v1.0/applications/{object_id}")).await,
        200,
    );
    let creds = &a.body["passwordCredentials"];
    assert_eq!(creds[0]["hint"], secret[..3].to_string());
    assert_eq!(creds[0]["secretText"], Value::Null);
    assert!(!a.text.contains(&secret));
    let by_app_id = app
        .get(&format!("/v1.0/applications(appId='{client_id}')"))
        .await;
    assert_eq!(by_app_id.id(), object_id);

    let r = TestApp::expect(client_credentials(&app, &client_id, &secret).await, 200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 3599);
    assert_eq!(r.header("cache-control"), Some("no-store, no-cache"));
    let token = r.body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["oid"], sp.as_str());
    assert_eq!(c["appid"], client_id.as_str());
    assert_eq!(c["roles"], json!(["EntitlementManagement.Read.All"]));
    assert!(c.get("scp").is_none());
    // What the permission allows, and no more.
    assert_eq!(app.call_as(token, "GET", CATALOGS, None).await.status, 200);
    let w = app
        .call_as(token, "POST", CATALOGS, Some(json!({"displayName": "C"})))
        .await;
    assert_eq!(w.status, 403, "{}", w.text);
    // The grant is listed from both sides.
    let mine = app
        .get(&format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"))
        .await;
    assert_eq!(mine.values().len(), 1);
    assert_eq!(mine.values()[0]["appRoleId"], EM_READ_ROLE);
    assert_eq!(mine.values()[0]["resourceDisplayName"], "Microsoft Graph");
    let graph = app
        .get(&format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')"))
        .await;
    let to = app
        .get(&format!(
            "/v1.0/servicePrincipals/{}/appRoleAssignedTo",
            graph.id()
        ))
        .await;
    assert_eq!(to.values().len(), 1);
    assert_eq!(to.values()[0]["principalId"], sp.as_str());
}

#[tokio::test]
async fn client_credential_errors_are_the_identity_platforms() {
    let app = TestApp::spawn().await;
    let (object_id, client_id, _, secret) = registered_app(&app, &[]).await;
    let path = token_path(&app);
    let r = client_credentials(&app, &client_id, "not-the-secret").await;
    assert_eq!(aadsts(&r), (401, "invalid_client".into(), 7000215));
    let desc = r.body["error_description"].as_str().unwrap();
    assert!(desc.starts_with("AADSTS7000215: "), "{desc}");
    assert!(desc.contains("Trace ID: "), "{desc}");
    assert!(!r.text.contains(&secret));
    let r = client_credentials(&app, "11111111-1111-1111-1111-111111111111", &secret).await;
    assert_eq!(aadsts(&r), (400, "unauthorized_client".into(), 700016));
    let r = app.post_form(&path, &[("client_id", &client_id)]).await;
    assert_eq!(aadsts(&r), (400, "invalid_request".into(), 900144));
    assert!(
        r.body["error_description"]
            .as_str()
            .unwrap()
            .contains("'grant_type'")
    );
    let r = app
        .post_form(
            &path,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
            ],
        )
        .await;
    assert_eq!(aadsts(&r), (400, "unsupported_grant_type".into(), 70003));
    for (scope, code) in [
        ("https://graph.microsoft.com/User.Read", 1002012),
        ("api://someone-else/.default", 500011),
    ] {
        let r = app
            .post_form(
                &path,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("client_secret", &secret),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "{scope}");
        assert_eq!(r.body["error_codes"][0], code, "{scope}");
    }
    // A JSON body is not a form.
    let r = app
        .raw(
            "POST",
            &path,
            None,
            &[],
            json!({"grant_type": "client_credentials"})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(r.status, 400);
    // HTTP Basic authentication of the client works as well as the form.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let r = app
        .raw(
            "POST",
            &path,
            None,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &format!("Basic {basic}")),
            ],
            format!(
                "grant_type=client_credentials&scope={}",
                accessd_testkit::percent(GRAPH_DEFAULT)
            )
            .into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A removed secret no longer signs in; an expired one says so.
    let key_id = app
        .get(&format!("/v1.0/applications/{object_id}"))
        .await
        .body["passwordCredentials"][0]["keyId"]
        .as_str()
        .unwrap()
        .to_string();
    TestApp::expect(
        app.post(
            &format!("/v1.0/applications/{object_id}/removePassword"),
            json!({"keyId": key_id}),
        )
        .await,
        204,
    );
    let r = client_credentials(&app, &client_id, &secret).await;
    assert_eq!(aadsts(&r).2, 7000215);
    let end = app
        .clock
        .now()
        .add(accessd_domain::Duration::days(1))
        .to_wire();
    let short = app
        .post(
            &format!("/v1.0/applications/{object_id}/addPassword"),
            json!({"passwordCredential": {"endDateTime": end}}),
        )
        .await;
    let short = short.body["secretText"].as_str().unwrap().to_string();
    assert_eq!(
        client_credentials(&app, &client_id, &short).await.status,
        200
    );
    app.clock.advance(accessd_domain::Duration::days(2));
    let r = client_credentials(&app, &client_id, &short).await;
    assert_eq!(aadsts(&r), (401, "invalid_client".into(), 7000222));
    // Deleting the application takes its service principal with it.
    TestApp::expect(
        app.delete(&format!("/v1.0/applications/{object_id}")).await,
        204,
    );
    let r = client_credentials(&app, &client_id, &short).await;
    assert_eq!(aadsts(&r).2, 700016);
    let sps = app
        .get(&format!(
            "/v1.0/servicePrincipals?$filter=appId%20eq%20'{client_id}'"
        ))
        .await;
    assert_eq!(sps.values().len(), 0);
}

#[tokio::test]
async fn a_user_with_a_password_signs_in_and_gets_a_delegated_token_with_its_roles() {
    let app = TestApp::spawn().await;
    let weak = app
        .post(
            "/v1.0/users",
            json!({"displayName": "Weak", "userPrincipalName": "weak@contoso.test",
                   "passwordProfile": {"password": "password"}}),
        )
        .await;
    assert_eq!(weak.status, 400, "{}", weak.text);
    assert_eq!(weak.error_code(), "Request_BadRequest");
    // Nothing was written.
    let none = app
        .get("/v1.0/users?$filter=userPrincipalName%20eq%20'weak@contoso.test'")
        .await;
    assert_eq!(none.values().len(), 0);
    let u = TestApp::expect(
        app.post(
            "/v1.0/users",
            json!({"displayName": "Riley Requestor", "userPrincipalName": "riley@contoso.test",
                   "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePasswordNextSignIn": false}}),
        )
        .await,
        201,
    );
    let riley = u.id();
    assert!(!u.text.contains("Str0ng"));
    let r = TestApp::expect(
        password_grant(
            &app,
            GRAPH_POWERSHELL,
            "riley@contoso.test",
            "Str0ng!Passw0rd",
        )
        .await,
        200,
    );
    let token = r.body["access_token"].as_str().unwrap().to_string();
    let c = claims(&token);
    assert_eq!(c["idtyp"], "user");
    assert_eq!(c["oid"], riley.as_str());
    assert_eq!(c["azp"], GRAPH_POWERSHELL);
    assert!(
        c["scp"]
            .as_str()
            .unwrap()
            .contains("EntitlementManagement.ReadWrite.All")
    );
    assert!(c.get("wids").is_none());
    let id = claims(r.body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], GRAPH_POWERSHELL);
    assert_eq!(id["preferred_username"], "riley@contoso.test");
    let info = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(r.body["client_info"].as_str().unwrap())
        .unwrap();
    let info: Value = serde_json::from_slice(&info).unwrap();
    assert_eq!(info["uid"], riley.as_str());
    // An ordinary user: themself, yes; the catalogs, no.
    let me = app.call_as(&token, "GET", "/v1.0/me", None).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["id"], riley.as_str());
    assert_eq!(app.call_as(&token, "GET", CATALOGS, None).await.status, 403);
    // With Identity Governance Administrator, the next token carries the role and the catalogs
    // open.
    app.grant_directory_role(&riley, IGA).await;
    let r = password_grant(
        &app,
        GRAPH_POWERSHELL,
        "riley@contoso.test",
        "Str0ng!Passw0rd",
    )
    .await;
    let token = r.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims(&token)["wids"], json!([IGA]));
    assert_eq!(app.call_as(&token, "GET", CATALOGS, None).await.status, 200);
    // An explicit scope is what the token carries.
    let r = app
        .post_form(
            &token_path(&app),
            &[
                ("grant_type", "password"),
                ("client_id", GRAPH_POWERSHELL),
                ("username", "riley@contoso.test"),
                ("password", "Str0ng!Passw0rd"),
                (
                    "scope",
                    "https://graph.microsoft.com/EntitlementManagement.Read.All openid",
                ),
            ],
        )
        .await;
    let c = claims(r.body["access_token"].as_str().unwrap());
    assert_eq!(c["scp"], "EntitlementManagement.Read.All");
    assert_eq!(
        r.body["scope"],
        "https://graph.microsoft.com/EntitlementManagement.Read.All openid profile"
    );
}

#[tokio::test]
async fn password_sign_in_errors_and_password_changes() {
    let app = TestApp::spawn().await;
    let u = TestApp::expect(
        app.post(
            "/v1.0/users",
            json!({"displayName": "Sam", "userPrincipalName": "sam@contoso.test",
                   "passwordProfile": {"password": "First!Pass1"}}),
        )
        .await,
        201,
    )
    .id();
    let bad = password_grant(&app, GRAPH_POWERSHELL, "sam@contoso.test", "wrong").await;
    assert_eq!(aadsts(&bad), (400, "invalid_grant".into(), 50126));
    // An unknown user gets the same answer as a wrong password.
    let nobody = password_grant(&app, GRAPH_POWERSHELL, "nobody@contoso.test", "x").await;
    assert_eq!(aadsts(&nobody), aadsts(&bad));
    // A user without a password cannot sign in.
    let plain = app.user("Nopass").await;
    let r = password_grant(&app, GRAPH_POWERSHELL, &plain, "Anything1!").await;
    assert_eq!(aadsts(&r).2, 50126);
    // A confidential application needs its secret; a public client does not.
    let (object_id, client_id, _, secret) = registered_app(&app, &[]).await;
    let r = password_grant(&app, &client_id, "sam@contoso.test", "First!Pass1").await;
    assert_eq!(aadsts(&r), (401, "invalid_client".into(), 7000218));
    let with_secret = app
        .post_form(
            &token_path(&app),
            &[
                ("grant_type", "password"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("username", "sam@contoso.test"),
                ("password", "First!Pass1"),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await;
    assert_eq!(with_secret.status, 200, "{}", with_secret.text);
    TestApp::expect(
        app.patch(
            &format!("/v1.0/applications/{object_id}"),
            json!({"isFallbackPublicClient": true}),
        )
        .await,
        204,
    );
    let r = password_grant(&app, &client_id, "sam@contoso.test", "First!Pass1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = password_grant(
        &app,
        "11111111-1111-1111-1111-111111111111",
        "sam@contoso.test",
        "First!Pass1",
    )
    .await;
    assert_eq!(aadsts(&r).2, 700016);
    // A new password replaces the old one.
    TestApp::expect(
        app.patch(
            &format!("/v1.0/users/{u}"),
            json!({"passwordProfile": {"password": "Second!Pass2"}}),
        )
        .await,
        204,
    );
    let old = password_grant(&app, GRAPH_POWERSHELL, "sam@contoso.test", "First!Pass1").await;
    assert_eq!(aadsts(&old).2, 50126);
    let new = password_grant(&app, GRAPH_POWERSHELL, "sam@contoso.test", "Second!Pass2").await;
    assert_eq!(new.status, 200);
    // A disabled account is refused, with its own code.
    TestApp::expect(
        app.patch(
            &format!("/v1.0/users/{u}"),
            json!({"accountEnabled": false}),
        )
        .await,
        204,
    );
    let r = password_grant(&app, GRAPH_POWERSHELL, "sam@contoso.test", "Second!Pass2").await;
    assert_eq!(aadsts(&r), (400, "invalid_grant".into(), 50057));
}

#[tokio::test]
async fn secrets_are_stored_only_as_argon2_hashes() {
    use accessd_domain::store::Kind;
    let app = TestApp::spawn().await;
    let (object_id, _, _, secret) = registered_app(&app, &[]).await;
    let u = TestApp::expect(
        app.post(
            "/v1.0/users",
            json!({"displayName": "Pat", "userPrincipalName": "pat@contoso.test",
                   "passwordProfile": {"password": "Pat!Secret9"}}),
        )
        .await,
        201,
    )
    .id();
    let key_id = app
        .get(&format!("/v1.0/applications/{object_id}"))
        .await
        .body["passwordCredentials"][0]["keyId"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tx = app.store.read().await.unwrap();
    for (id, clear) in [
        (key_id.as_str(), secret.as_str()),
        (u.as_str(), "Pat!Secret9"),
    ] {
        let row = tx.get(Kind::Credential, id).await.unwrap().expect("stored");
        assert!(row.data.contains("$argon2id$"), "{id}");
        assert!(!row.data.contains(clear), "{id}");
    }
    let app_row = tx
        .get(Kind::Application, &object_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!app_row.data.contains(&secret));
}

#[tokio::test]
async fn registering_needs_application_permissions_and_is_checked_before_lookups() {
    let app = TestApp::spawn().await;
    let user = app.user("Nora").await;
    let t = app.token_for(&user);
    for (m, p, b) in [
        ("GET", "/v1.0/applications".to_string(), None),
        (
            "POST",
            "/v1.0/applications".into(),
            Some(json!({"displayName": "x"})),
        ),
        (
            "GET",
            "/v1.0/applications/00000000-0000-0000-0000-00000000dead".into(),
            None,
        ),
        (
            "POST",
            "/v1.0/servicePrincipals".into(),
            Some(json!({"appId": "x"})),
        ),
    ] {
        let r = app.call_as(&t, m, &p, b).await;
        assert_eq!(r.status, 403, "{m} {p}: {}", r.text);
        assert_eq!(r.error_code(), "Authorization_RequestDenied", "{m} {p}");
    }
    // An administrator gets Graph's answers: a missing name, an unknown application, a
    // service principal for an application that does not exist, an unknown permission.
    let r = app.post("/v1.0/applications", json!({})).await;
    assert_eq!(r.status, 400);
    let r = app
        .get("/v1.0/applications/00000000-0000-0000-0000-00000000dead")
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "Request_ResourceNotFound")
    );
    let r = app
        .post(
            "/v1.0/servicePrincipals",
            json!({"appId": "00000000-0000-0000-0000-00000000dead"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let (_, client_id, sp, _) = registered_app(&app, &[]).await;
    let again = app
        .post("/v1.0/servicePrincipals", json!({"appId": client_id}))
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    let graph = app
        .get(&format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')"))
        .await;
    assert!(
        graph.body["appRoles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["value"] == "EntitlementManagement.ReadWrite.All")
    );
    let r = app
        .post(
            &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"),
            json!({"principalId": sp, "resourceId": graph.id(), "appRoleId": "00000000-0000-0000-0000-000000000001"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app
        .get("/v1.0/servicePrincipals?$filter=startswith(displayName,'A')")
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn cloud_metadata_names_accessd_as_graph_and_login_and_its_address_is_a_graph_resource() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(
        app.raw(
            "GET",
            "/metadata/endpoints?api-version=2022-09-01",
            None,
            &[],
            vec![],
        )
        .await,
        200,
    );
    assert_eq!(r.body["name"], "accessd");
    assert_eq!(
        r.body["microsoftGraphResourceId"],
        "http://graph.test:8080/"
    );
    assert_eq!(
        r.body["authentication"]["loginEndpoint"],
        "http://graph.test:8080/"
    );
    assert!(
        r.body["resourceManager"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let old = app
        .raw(
            "GET",
            "/metadata/endpoints?api-version=2019-05-01",
            None,
            &[],
            vec![],
        )
        .await;
    assert_eq!(old.body[0]["name"], "accessd");
    // A client that took Graph's address from there asks for a token for it.
    let (_, client_id, _, secret) = registered_app(&app, &[EM_READ_ROLE]).await;
    let r = app
        .post_form(
            &token_path(&app),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("scope", "http://graph.test:8080/.default"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["aud"], "https://graph.microsoft.com");
    assert_eq!(app.call_as(token, "GET", CATALOGS, None).await.status, 200);
}
