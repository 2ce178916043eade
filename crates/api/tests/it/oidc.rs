//! Tokens of an external OpenID Connect issuer (docs/authentication.md): signed with keys from a
//! JWKS file, checked for issuer, audience, lifetime and signature, refused with Graph's 401
//! otherwise; Entra's v1 and v2 claims read into the caller. accessd's own tokens keep working.

use std::path::PathBuf;
use std::sync::Arc;

use accessd_api::auth::{ExternalIssuer, KeySource, Verifier};
use accessd_domain::{Clock, Duration, PrincipalKind, Timestamp};
use accessd_testkit::oidc::{GRAPH_APP_ID, TestKey, base_claims, jwks, with};
use accessd_testkit::{Resp, TestApp};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
/// The Entra tenant of the pretend issuer (not accessd's own tenant).
const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const USER_OID: &str = "5d8f7a2c-1c3e-4b8a-9f0e-2a6b7c8d9e01";

fn v2_issuer() -> String {
    format!("https://login.microsoftonline.com/{TID}/v2.0")
}

fn v1_issuer() -> String {
    format!("https://sts.windows.net/{TID}/")
}

/// A fresh directory for this test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accessd-oidc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A JWKS file publishing `keys`.
fn jwks_file(name: &str, keys: &[&TestKey]) -> PathBuf {
    let path = temp_dir(name).join("jwks.json");
    std::fs::write(&path, jwks(keys)).expect("jwks file");
    path
}

fn issuer(iss: &str, audiences: &[&str], file: PathBuf) -> Arc<ExternalIssuer> {
    Arc::new(ExternalIssuer::new(
        iss,
        audiences.iter().map(|a| a.to_string()).collect(),
        KeySource::File(file),
    ))
}

fn secs(t: Timestamp) -> i64 {
    t.as_utc().timestamp()
}

/// A v2 delegated token as Entra issues it for an administrator (`scp`, `wids`, `azp`,
/// `preferred_username`; no `idtyp`).
fn v2_admin_claims(aud: &str, now: i64) -> Value {
    with(
        base_claims(&v2_issuer(), aud, now),
        json!({
            "ver": "2.0",
            "oid": USER_OID,
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "tid": TID,
            "azp": "1950a258-227b-4e31-a9cf-717495945fc2",
            "scp": "EntitlementManagement.ReadWrite.All User.Read",
            "wids": [GLOBAL_ADMINISTRATOR, "b79fbf4d-3ef9-4689-8143-76b194e85509"],
            "name": "Megan Bowen",
            "preferred_username": "meganb@contoso.example",
        }),
    )
}

async fn get(app: &TestApp, token: &str) -> Resp {
    app.raw("GET", &format!("{EM}/catalogs"), Some(token), &[], vec![])
        .await
}

/// Asserts Graph's 401 and returns the message, which must not echo the token.
fn refused(r: &Resp, token: &str) -> String {
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.error_code(), "InvalidAuthenticationToken", "{}", r.text);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|c| c.starts_with("Bearer")),
        "{:?}",
        r.headers
    );
    let parts: Vec<&str> = token.split('.').collect();
    for p in parts.iter().filter(|p| p.len() > 8) {
        assert!(
            !r.text.contains(p),
            "the answer echoes the token: {}",
            r.text
        );
    }
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_rs256_token_of_the_configured_issuer_reads_and_writes() {
    let key = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let file = jwks_file("rs256", &[&key]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &[], file)).await;
    let now = secs(app.clock.now());
    let token = key.sign(&v2_admin_claims("https://graph.microsoft.com", now));
    TestApp::expect(get(&app, &token).await, 200);
    // The cached verification answers the same.
    TestApp::expect(get(&app, &token).await, 200);
    // Graph's other audience forms are accepted by default too.
    for aud in ["https://graph.microsoft.com/", GRAPH_APP_ID] {
        let t = key.sign(&v2_admin_claims(aud, now));
        TestApp::expect(get(&app, &t).await, 200);
    }
    // A write names the external caller.
    let r = app
        .raw(
            "POST",
            "/beta/identityGovernance/entitlementManagement/accessPackageCatalogs",
            Some(&token),
            &[("content-type", "application/json")],
            json!({"displayName": "External"}).to_string().into_bytes(),
        )
        .await;
    let r = TestApp::expect(r, 201);
    assert_eq!(r.body["createdBy"], "meganb@contoso.example", "{}", r.text);
    // accessd's own tokens keep working beside the issuer.
    TestApp::expect(app.get(&format!("{EM}/catalogs")).await, 200);
}

#[tokio::test]
async fn tokens_that_fail_a_check_are_refused_with_what_failed() {
    let key = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let other = TestKey::rsa(1, "rsa-2", Algorithm::RS256);
    let file = jwks_file("refusals", &[&key]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &["api://accessd"], file)).await;
    let now = secs(app.clock.now());
    let good = v2_admin_claims("api://accessd", now);
    TestApp::expect(get(&app, &key.sign(&good)).await, 200);

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrong audience (Graph's, not the configured one)",
            key.sign(&with(good.clone(), json!({"aud": "https://graph.microsoft.com"}))),
            "invalid audience",
        ),
        (
            "no audience",
            key.sign(&with(good.clone(), json!({"aud": null}))),
            "'aud'",
        ),
        (
            "wrong issuer",
            key.sign(&with(
                good.clone(),
                json!({"iss": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0"}),
            )),
            "invalid issuer",
        ),
        (
            "the issuer without its /v2.0",
            key.sign(&with(
                good.clone(),
                json!({"iss": format!("https://login.microsoftonline.com/{TID}")}),
            )),
            "invalid issuer",
        ),
        (
            "expired beyond the 5 minutes of skew",
            key.sign(&with(
                good.clone(),
                json!({"iat": now - 7200, "nbf": now - 7200, "exp": now - 301}),
            )),
            "expired",
        ),
        (
            "not yet valid beyond the skew",
            key.sign(&with(good.clone(), json!({"nbf": now + 301}))),
            "not yet valid",
        ),
        (
            "no exp",
            key.sign(&with(good.clone(), json!({"exp": null}))),
            "'exp'",
        ),
        (
            "signed by another key under the known kid",
            other.sign_as("rsa-1", &good),
            "invalid signature",
        ),
        (
            "signed by a key the set does not hold",
            other.sign(&good),
            "unknown signing key",
        ),
        (
            "no object id",
            key.sign(&with(good.clone(), json!({"oid": null, "sub": null}))),
            "oid",
        ),
    ];
    for (what, token, expected) in cases {
        let message = refused(&get(&app, &token).await, &token);
        assert!(
            message.contains(expected),
            "{what}: {message:?} lacks {expected:?}"
        );
    }

    // Inside the skew is fine.
    let t = key.sign(&with(good.clone(), json!({"exp": now - 200})));
    TestApp::expect(get(&app, &t).await, 200);

    // A tampered payload breaks the signature.
    let token = key.sign(&good);
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let forged = with(
        good.clone(),
        json!({"oid": "00000000-0000-0000-0000-0000000000ad"}),
    );
    parts[1] = base64_url(&serde_json::to_vec(&forged).unwrap());
    let tampered = parts.join(".");
    let message = refused(&get(&app, &tampered).await, &tampered);
    assert!(message.contains("invalid signature"), "{message}");

    // A verified token expires later all the same (the cache keeps no lifetime).
    TestApp::expect(get(&app, &token).await, 200);
    app.clock.advance(Duration::minutes(70));
    let message = refused(&get(&app, &token).await, &token);
    assert!(message.contains("expired"), "{message}");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn symmetric_and_unsigned_tokens_are_refused() {
    let key = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let file = jwks_file("symmetric", &[&key]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &[], file)).await;
    let now = secs(app.clock.now());
    let claims = v2_admin_claims(GRAPH_APP_ID, now);
    // HS256 keyed with the public key's JWK text: the classic confusion; and a plain secret.
    let public = serde_json::to_string(&key.jwk()).unwrap();
    for secret in [public.as_bytes(), b"secret".as_slice()] {
        let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let token = jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap();
        let message = refused(&get(&app, &token).await, &token);
        assert!(message.contains("HS256"), "{message}");
    }
    // alg none.
    let header = base64_url(br#"{"alg":"none","typ":"JWT","kid":"rsa-1"}"#);
    let payload = base64_url(claims.to_string().as_bytes());
    let token = format!("{header}.{payload}.");
    refused(&get(&app, &token).await, &token);
}

#[tokio::test]
async fn es256_rs384_and_rs512_keys_of_the_set_work() {
    let rsa = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let ec = TestKey::ec("ec-1");
    let rs512 = TestKey::rsa(1, "rsa-512", Algorithm::RS512);
    let file = jwks_file("es256", &[&rsa, &ec, &rs512]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &[], file)).await;
    let now = secs(app.clock.now());
    let claims = v2_admin_claims(GRAPH_APP_ID, now);
    TestApp::expect(get(&app, &ec.sign(&claims)).await, 200);
    TestApp::expect(get(&app, &rs512.sign(&claims)).await, 200);
    // A key whose JWK says RS512 does not verify RS256 tokens; one without `alg` takes any RSA.
    let wrong = TestKey::rsa(1, "rsa-512", Algorithm::RS256).sign(&claims);
    let message = refused(&get(&app, &wrong).await, &wrong);
    assert!(message.contains("invalid signature"), "{message}");
    // The EC key's kid on an RSA signature.
    let cross = TestKey::rsa(0, "ec-1", Algorithm::RS256).sign(&claims);
    let message = refused(&get(&app, &cross).await, &cross);
    assert!(message.contains("invalid signature"), "{message}");
}

#[tokio::test]
async fn entra_v1_claims_map_to_the_caller() {
    let key = TestKey::rsa(0, "nOo3ZDrODXEK1jKWhXslHR_KXEg", Algorithm::RS256);
    let file = jwks_file("v1", &[&key]);
    let iss = issuer(&v1_issuer(), &[], file);
    let at = Timestamp::parse("2030-01-01T08:00:00Z").unwrap();
    iss.load(at).await.unwrap();
    let now = secs(at);

    // App-only (client credentials): `roles`, `appid`, no `scp`, no `idtyp`.
    let app_claims = with(
        base_claims(&v1_issuer(), GRAPH_APP_ID, now),
        json!({
            "ver": "1.0",
            "aio": "E2ZgYJhw",
            "app_displayname": "HR sync",
            "appid": "6731de76-14a6-49ae-97bc-6eba6914391e",
            "appidacr": "1",
            "idp": format!("https://sts.windows.net/{TID}/"),
            "oid": "a8e2c1f0-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
            "sub": "a8e2c1f0-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
            "tid": TID,
            "roles": ["EntitlementManagement.ReadWrite.All", "User.Read.All"],
            "uti": "abc",
        }),
    );
    let p = iss.validate(&key.sign(&app_claims), at).await.unwrap();
    assert_eq!(p.kind, PrincipalKind::App);
    assert_eq!(p.object_id, "a8e2c1f0-3b4d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_eq!(p.tenant_id, TID);
    assert_eq!(
        p.app_id.as_deref(),
        Some("6731de76-14a6-49ae-97bc-6eba6914391e")
    );
    assert_eq!(
        p.roles,
        vec!["EntitlementManagement.ReadWrite.All", "User.Read.All"]
    );
    assert!(p.scopes.is_empty());
    assert_eq!(p.display, None);

    // Delegated: `scp`, `wids`, `unique_name` (a guest has no `upn`), `name`.
    let user_claims = with(
        base_claims(&v1_issuer(), "https://graph.microsoft.com", now),
        json!({
            "ver": "1.0",
            "appid": "1950a258-227b-4e31-a9cf-717495945fc2",
            "oid": USER_OID,
            "tid": TID,
            "scp": "EntitlementManagement.Read.All  User.Read",
            "wids": [GLOBAL_ADMINISTRATOR],
            "name": "Guest Person",
            "unique_name": "live.com#guest@example.org",
            "family_name": "Person",
        }),
    );
    let p = iss.validate(&key.sign(&user_claims), at).await.unwrap();
    assert_eq!(p.kind, PrincipalKind::User);
    assert_eq!(p.object_id, USER_OID);
    assert_eq!(
        p.scopes,
        vec!["EntitlementManagement.Read.All", "User.Read"]
    );
    assert_eq!(p.directory_roles, vec![GLOBAL_ADMINISTRATOR]);
    assert_eq!(p.display.as_deref(), Some("live.com#guest@example.org"));
    assert_eq!(
        p.app_id.as_deref(),
        Some("1950a258-227b-4e31-a9cf-717495945fc2")
    );
    // `upn` wins over `unique_name`.
    let upn = with(
        user_claims.clone(),
        json!({"upn": "member@contoso.example"}),
    );
    let p = iss.validate(&key.sign(&upn), at).await.unwrap();
    assert_eq!(p.display.as_deref(), Some("member@contoso.example"));

    // `idtyp`, when present, decides.
    let typed = with(app_claims.clone(), json!({"idtyp": "user", "scp": null}));
    assert_eq!(
        iss.validate(&key.sign(&typed), at).await.unwrap().kind,
        PrincipalKind::User
    );
    let typed = with(user_claims.clone(), json!({"idtyp": "app"}));
    assert_eq!(
        iss.validate(&key.sign(&typed), at).await.unwrap().kind,
        PrincipalKind::App
    );

    // A v2 token is not from the v1 issuer.
    let v2 = key.sign(&v2_admin_claims(GRAPH_APP_ID, now));
    let e = iss.validate(&v2, at).await.unwrap_err();
    assert_eq!(e.status.as_u16(), 401);
    assert!(e.message.contains("invalid issuer"), "{}", e.message);
}

#[tokio::test]
async fn entra_v2_claims_map_to_the_caller() {
    let key = TestKey::rsa(0, "k", Algorithm::RS256);
    let iss = issuer(&v2_issuer(), &[], jwks_file("v2", &[&key]));
    let at = Timestamp::parse("2030-01-01T08:00:00Z").unwrap();
    iss.load(at).await.unwrap();
    let p = iss
        .validate(&key.sign(&v2_admin_claims(GRAPH_APP_ID, secs(at))), at)
        .await
        .unwrap();
    assert_eq!(p.kind, PrincipalKind::User);
    assert_eq!(p.object_id, USER_OID);
    assert_eq!(p.tenant_id, TID);
    assert_eq!(
        p.app_id.as_deref(),
        Some("1950a258-227b-4e31-a9cf-717495945fc2")
    );
    assert_eq!(
        p.scopes,
        vec!["EntitlementManagement.ReadWrite.All", "User.Read"]
    );
    assert_eq!(p.directory_roles[0], GLOBAL_ADMINISTRATOR);
    assert_eq!(p.display.as_deref(), Some("meganb@contoso.example"));
    // Only `name`: it is the display.
    let named = with(
        v2_admin_claims(GRAPH_APP_ID, secs(at)),
        json!({"preferred_username": null}),
    );
    let p = iss.validate(&key.sign(&named), at).await.unwrap();
    assert_eq!(p.display.as_deref(), Some("Megan Bowen"));
    // Another provider's array of scopes, and `sub` when there is no `oid`.
    let other = with(
        v2_admin_claims(GRAPH_APP_ID, secs(at)),
        json!({"oid": null, "sub": "user-7", "scp": ["a", "b"]}),
    );
    let p = iss.validate(&key.sign(&other), at).await.unwrap();
    assert_eq!((p.object_id.as_str(), p.scopes.len()), ("user-7", 2));
}

#[tokio::test]
async fn a_replaced_key_file_is_read_again_for_an_unknown_kid_at_most_every_30_seconds() {
    let old = TestKey::rsa(0, "old", Algorithm::RS256);
    let new = TestKey::rsa(1, "new", Algorithm::RS256);
    let file = jwks_file("rotation", &[&old]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &[], file.clone())).await;
    let now = secs(app.clock.now());
    let old_token = old.sign(&v2_admin_claims(GRAPH_APP_ID, now));
    TestApp::expect(get(&app, &old_token).await, 200);
    // The issuer rotates: the file now holds only the new key.
    std::fs::write(&file, jwks(&[&new])).unwrap();
    let token = new.sign(&v2_admin_claims(GRAPH_APP_ID, now));
    // The keys were loaded at start, moments ago: no reload yet.
    let message = refused(&get(&app, &token).await, &token);
    assert!(message.contains("unknown signing key"), "{message}");
    app.clock.advance(Duration::minutes(1));
    TestApp::expect(get(&app, &token).await, 200);
    // The old key is gone from the set: a token not yet seen is refused; one verified earlier
    // stays accepted until it expires (the verified-token cache).
    let fresh_old = old.sign(&with(
        v2_admin_claims(GRAPH_APP_ID, now),
        json!({"uti": "another"}),
    ));
    let message = refused(&get(&app, &fresh_old).await, &fresh_old);
    assert!(message.contains("unknown signing key"), "{message}");
    TestApp::expect(get(&app, &old_token).await, 200);
}

#[tokio::test]
async fn accessd_own_tokens_and_the_external_issuers_are_told_apart() {
    let key = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let file = jwks_file("both", &[&key]);
    let app = TestApp::spawn_with_issuer(issuer(&v2_issuer(), &[], file)).await;
    // accessd's own admin token and a user token.
    TestApp::expect(app.get(&format!("{EM}/catalogs")).await, 200);
    // A plain user's token is accepted: authorization, not validation, refuses the list.
    let own = app.token_for("22222222-2222-2222-2222-222222222222");
    let r = get(&app, &own).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "UnAuthorized"),
        "{}",
        r.text
    );
    // accessd's own checks still apply to its tokens: another tenant's accessd is refused.
    let elsewhere = TestApp::spawn().await;
    let message = refused(
        &get(&app, &elsewhere.admin_token).await,
        &elsewhere.admin_token,
    );
    assert!(message.contains("invalid issuer"), "{message}");
    // The external issuer's token does not need accessd's tenant.
    let now = secs(app.clock.now());
    assert_ne!(app.keys.tenant_id, TID);
    TestApp::expect(
        get(&app, &key.sign(&v2_admin_claims(GRAPH_APP_ID, now))).await,
        200,
    );
    // Malformed tokens get the same answers as without an issuer.
    for bad in ["", "abc", "a.b.c"] {
        let r = app
            .raw("GET", &format!("{EM}/catalogs"), Some(bad), &[], vec![])
            .await;
        assert_eq!(r.status, 401, "{bad:?}: {}", r.text);
    }
}

#[tokio::test]
async fn an_issuer_equal_to_accessd_own_is_told_apart_by_the_key() {
    // Configured with accessd's own issuer string (same tenant id form): its own key's tokens
    // still go to the dev key, the others to the external key set.
    let probe = TestApp::spawn().await;
    let own_issuer = probe.keys.issuer.clone();
    let key = TestKey::rsa(0, "rsa-1", Algorithm::RS256);
    let file = jwks_file("same-issuer", &[&key]);
    let ext = issuer(&own_issuer, &[], file);
    ext.load(probe.clock.now()).await.unwrap();
    let v = Verifier::new(probe.keys.clone(), Some(ext));
    let now = probe.clock.now();
    let p = v.validate(&probe.admin_token, now).await.unwrap();
    assert_eq!(p.object_id, accessd_testkit::ADMIN);
    let ext_token = key.sign(&with(
        v2_admin_claims(GRAPH_APP_ID, secs(now)),
        json!({"iss": own_issuer}),
    ));
    let p = v.validate(&ext_token, now).await.unwrap();
    assert_eq!(p.object_id, USER_OID);
}

#[tokio::test]
async fn a_key_file_without_usable_keys_is_an_error() {
    let dir = temp_dir("unusable");
    let path = dir.join("jwks.json");
    std::fs::write(
        &path,
        json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "RSA", "use": "enc", "kid": "enc", "n": "AQAB", "e": "AQAB"}
        ]})
        .to_string(),
    )
    .unwrap();
    let iss = issuer(&v2_issuer(), &[], path.clone());
    let at = Timestamp::parse("2030-01-01T08:00:00Z").unwrap();
    let e = iss.load(at).await.unwrap_err();
    assert!(e.contains("no RSA"), "{e}");
    std::fs::write(&path, "not json").unwrap();
    assert!(iss.load(at).await.is_err());
    let missing = issuer(&v2_issuer(), &[], dir.join("missing.json"));
    assert!(missing.load(at).await.is_err());
}
