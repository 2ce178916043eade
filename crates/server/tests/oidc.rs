//! An external OpenID Connect issuer over real HTTP: a pretend identity provider on 127.0.0.1
//! serves its discovery document and key set; accessd fetches them with its HTTP fetcher, reloads
//! them when a token names a new key (at most every 30 s: the provider counts the requests), and
//! the real server accepts the provider's tokens beside its own (`serve --oidc-issuer`, with the
//! keys from the provider or from `--jwks-file`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use accessd_api::auth::{ExternalIssuer, KeySource};
use accessd_domain::{PrincipalKind, Timestamp};
use accessd_server::oidc::{HttpFetcher, OidcOptions};
use accessd_server::server::{Options, Server};
use accessd_testkit::oidc::{Algorithm, GRAPH_APP_ID, TestKey, base_claims, jwks, with};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use clap::Parser;
use serde_json::{Value, json};

const TID: &str = "0b5a1f3c-9d7e-4c2b-8a6f-1e2d3c4b5a69";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The pretend identity provider: Entra's layout (`/{tid}/v2.0/.well-known/...`,
/// `/{tid}/discovery/v2.0/keys`), with counters.
struct Idp {
    addr: SocketAddr,
    jwks: Mutex<String>,
    /// What the discovery document says the issuer is (normally the issuer itself).
    claimed_issuer: Mutex<Option<String>>,
    discovery_hits: AtomicUsize,
    jwks_hits: AtomicUsize,
}

impl Idp {
    fn issuer(&self) -> String {
        format!("http://{}/{TID}/v2.0", self.addr)
    }
    fn set_keys(&self, keys: &[&TestKey]) {
        *self.jwks.lock().unwrap() = jwks(keys);
    }
    fn jwks_hits(&self) -> usize {
        self.jwks_hits.load(Ordering::SeqCst)
    }
}

async fn discovery(State(idp): State<Arc<Idp>>) -> axum::Json<Value> {
    idp.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let issuer = idp
        .claimed_issuer
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| idp.issuer());
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("http://{}/{TID}/discovery/v2.0/keys", idp.addr),
        "token_endpoint": format!("http://{}/{TID}/oauth2/v2.0/token", idp.addr),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn keys(State(idp): State<Arc<Idp>>) -> ([(&'static str, &'static str); 1], String) {
    idp.jwks_hits.fetch_add(1, Ordering::SeqCst);
    (
        [("content-type", "application/json")],
        idp.jwks.lock().unwrap().clone(),
    )
}

async fn start_idp(keys_now: &[&TestKey]) -> Arc<Idp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = Arc::new(Idp {
        addr: listener.local_addr().unwrap(),
        jwks: Mutex::new(jwks(keys_now)),
        claimed_issuer: Mutex::new(None),
        discovery_hits: AtomicUsize::new(0),
        jwks_hits: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route(
            &format!("/{TID}/v2.0/.well-known/openid-configuration"),
            get(discovery),
        )
        .route(&format!("/{TID}/discovery/v2.0/keys"), get(keys))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    idp
}

/// `s` seconds (under an hour) after 2030-01-01T08:00:00Z.
fn at(s: i64) -> Timestamp {
    Timestamp::parse(&format!("2030-01-01T08:{:02}:{:02}Z", s / 60, s % 60)).unwrap()
}

/// A delegated v2 token for an administrator, valid for an hour from `now`.
fn admin_claims(issuer: &str, aud: &str, now: i64) -> Value {
    with(
        base_claims(issuer, aud, now),
        json!({
            "ver": "2.0",
            "oid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "tid": TID,
            "azp": "1950a258-227b-4e31-a9cf-717495945fc2",
            "scp": "EntitlementManagement.ReadWrite.All",
            "wids": [GLOBAL_ADMINISTRATOR],
            "preferred_username": "admin@contoso.example",
        }),
    )
}

fn discovered(idp: &Idp) -> ExternalIssuer {
    ExternalIssuer::new(
        idp.issuer(),
        vec![],
        KeySource::Discovery(Arc::new(HttpFetcher::new().unwrap())),
    )
}

#[tokio::test]
async fn keys_come_from_the_discovery_document_and_are_reloaded_for_a_new_kid_at_most_every_30_s() {
    let k1 = TestKey::rsa(0, "k1", Algorithm::RS256);
    let k2 = TestKey::rsa(1, "k2", Algorithm::RS256);
    let idp = start_idp(&[&k1]).await;
    let iss = discovered(&idp);
    assert_eq!(iss.load(at(0)).await.unwrap(), 1);
    assert_eq!(idp.discovery_hits.load(Ordering::SeqCst), 1);
    assert_eq!(idp.jwks_hits(), 1);
    let now = at(0).as_utc().timestamp();
    let t1 = k1.sign(&admin_claims(&idp.issuer(), GRAPH_APP_ID, now));
    let p = iss.validate(&t1, at(1)).await.unwrap();
    assert_eq!(p.kind, PrincipalKind::User);
    assert_eq!(p.tenant_id, TID);
    assert_eq!(idp.jwks_hits(), 1, "a known key needs no fetch");

    // The provider rotates in k2. A token signed by it a second after the load is refused
    // (reloading so soon is not allowed) ...
    idp.set_keys(&[&k1, &k2]);
    let t2 = k2.sign(&admin_claims(&idp.issuer(), GRAPH_APP_ID, now));
    let e = iss.validate(&t2, at(1)).await.unwrap_err();
    assert!(e.message.contains("unknown signing key"), "{}", e.message);
    assert_eq!(idp.jwks_hits(), 1);
    // ... and accepted after 30 s: one fetch of the key set (its address was kept).
    iss.validate(&t2, at(31)).await.unwrap();
    assert_eq!(idp.jwks_hits(), 2);
    assert_eq!(idp.discovery_hits.load(Ordering::SeqCst), 1);
    // Both keys work now.
    iss.validate(&t1, at(32)).await.unwrap();

    // A flood of tokens naming unknown keys: at most one fetch per 30 s.
    for i in 0..40 {
        let bad = k2.sign_as(
            &format!("bogus-{i}"),
            &admin_claims(&idp.issuer(), GRAPH_APP_ID, now),
        );
        let e = iss.validate(&bad, at(40 + i / 2)).await.unwrap_err();
        assert!(e.message.contains("unknown signing key"), "{}", e.message);
    }
    // at(40)..at(59): 40 - 31 >= 30 is false until at(61); no fetch yet.
    assert_eq!(idp.jwks_hits(), 2);
    // Concurrent ones after the interval: exactly one fetch between them.
    let iss = Arc::new(iss);
    let mut tasks = Vec::new();
    for i in 0..10 {
        let iss = iss.clone();
        let bad = k2.sign_as(
            &format!("concurrent-{i}"),
            &admin_claims(&idp.issuer(), GRAPH_APP_ID, now),
        );
        tasks.push(tokio::spawn(
            async move { iss.validate(&bad, at(70)).await },
        ));
    }
    for t in tasks {
        assert!(t.await.unwrap().is_err());
    }
    assert_eq!(idp.jwks_hits(), 3);
    // Tokens of another issuer never make it fetch.
    let foreign = k2.sign_as(
        "unknown",
        &admin_claims("https://issuer.example/", GRAPH_APP_ID, now),
    );
    let e = iss.validate(&foreign, at(200)).await.unwrap_err();
    assert!(e.message.contains("invalid issuer"), "{}", e.message);
    assert_eq!(idp.jwks_hits(), 3);
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_not_used() {
    let k1 = TestKey::rsa(0, "k1", Algorithm::RS256);
    let idp = start_idp(&[&k1]).await;
    *idp.claimed_issuer.lock().unwrap() = Some("https://evil.example/".into());
    let iss = discovered(&idp);
    let e = iss.load(at(0)).await.unwrap_err();
    assert!(e.contains("names the issuer"), "{e}");
    assert_eq!(idp.jwks_hits(), 0);
    // An unreachable issuer is an error too (nothing listens on port 9 of loopback).
    let gone = ExternalIssuer::new(
        "http://127.0.0.1:9/nobody/v2.0",
        vec![],
        KeySource::Discovery(Arc::new(HttpFetcher::new().unwrap())),
    );
    assert!(gone.load(at(0)).await.is_err());
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("accessd-oidc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start_server(oidc: OidcOptions) -> Server {
    Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: "sqlite::memory:".into(),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: Some(oidc),
        clock: Default::default(),
    })
    .await
    .unwrap()
}

async fn get_catalogs(server: &Server, token: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(format!(
            "{}/v1.0/identityGovernance/entitlementManagement/catalogs",
            server.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The server's wall clock, in seconds.
fn system_now() -> i64 {
    use accessd_domain::Clock;
    accessd_domain::SystemClock.now().as_utc().timestamp()
}

#[tokio::test]
async fn the_server_accepts_an_external_issuers_tokens_with_keys_from_a_jwks_file() {
    let key = TestKey::rsa(0, "file-key", Algorithm::RS256);
    let ec = TestKey::ec("file-ec");
    let dir = temp_dir("jwks-file");
    let file = dir.join("jwks.json");
    std::fs::write(&file, jwks(&[&key, &ec])).unwrap();
    let issuer = format!("https://login.microsoftonline.com/{TID}/v2.0");
    let server = start_server(OidcOptions {
        issuer: issuer.clone(),
        audiences: vec!["api://accessd-test".into()],
        jwks_file: Some(file),
    })
    .await;
    let now = system_now();
    for k in [&key, &ec] {
        let token = k.sign(&admin_claims(&issuer, "api://accessd-test", now));
        let (status, body) = get_catalogs(&server, &token).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["value"].is_array(), "{body}");
    }
    // Graph's audience is not configured here.
    let token = key.sign(&admin_claims(&issuer, "https://graph.microsoft.com", now));
    let (status, body) = get_catalogs(&server, &token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid audience"),
        "{body}"
    );
    // accessd's own tokens still work.
    let own = server.admin_token(600).unwrap();
    assert_eq!(get_catalogs(&server, &own).await.0, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_server_fetches_the_issuers_keys_itself() {
    let key = TestKey::rsa(1, "fetched", Algorithm::RS256);
    let idp = start_idp(&[&key]).await;
    let server = start_server(OidcOptions {
        issuer: idp.issuer(),
        audiences: vec![],
        jwks_file: None,
    })
    .await;
    assert_eq!(idp.jwks_hits(), 1, "keys are loaded at start");
    let token = key.sign(&admin_claims(&idp.issuer(), GRAPH_APP_ID, system_now()));
    let (status, body) = get_catalogs(&server, &token).await;
    assert_eq!(status, 200, "{body}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_server_starts_while_the_issuer_is_away_but_not_with_a_bad_key_file() {
    let server = start_server(OidcOptions {
        issuer: "http://127.0.0.1:9/away/v2.0".into(),
        audiences: vec![],
        jwks_file: None,
    })
    .await;
    let key = TestKey::rsa(0, "k", Algorithm::RS256);
    let token = key.sign(&admin_claims(
        "http://127.0.0.1:9/away/v2.0",
        GRAPH_APP_ID,
        system_now(),
    ));
    let (status, body) = get_catalogs(&server, &token).await;
    assert_eq!(status, 401, "{body}");
    server.shutdown().await.unwrap();

    let dir = temp_dir("bad-file");
    let file = dir.join("jwks.json");
    std::fs::write(&file, "{}").unwrap();
    let started = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: "sqlite::memory:".into(),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: Some(OidcOptions {
            issuer: "https://issuer.example/".into(),
            audiences: vec![],
            jwks_file: Some(file),
        }),
        clock: Default::default(),
    })
    .await;
    let Err(e) = started else {
        panic!("started with an unusable key file")
    };
    assert!(format!("{e:#}").contains("--jwks-file"), "{e:#}");
}

#[test]
fn serve_takes_an_issuer_repeated_audiences_and_a_key_file() {
    use accessd_server::cli::{Cli, Command};
    let cli = Cli::try_parse_from([
        "accessd",
        "serve",
        "--oidc-issuer",
        "https://sts.windows.net/t/",
        "--audience",
        "api://a",
        "--audience",
        "b,c",
        "--jwks-file",
        "/tmp/keys.json",
    ])
    .unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("not serve")
    };
    assert_eq!(a.oidc_issuer.as_deref(), Some("https://sts.windows.net/t/"));
    assert_eq!(a.audiences, vec!["api://a", "b", "c"]);
    assert_eq!(
        a.jwks_file.as_deref(),
        Some(std::path::Path::new("/tmp/keys.json"))
    );
    // An audience or a key file without an issuer means nothing: refused.
    assert!(Cli::try_parse_from(["accessd", "serve", "--audience", "x"]).is_err());
    assert!(Cli::try_parse_from(["accessd", "serve", "--jwks-file", "k.json"]).is_err());
}
