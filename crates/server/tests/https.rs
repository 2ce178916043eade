//! `serve --tls`: the real server over HTTPS (HTTP/1.1 and HTTP/2), trusted through the
//! certificate authority it generates, and with the operator's own certificate files.

use std::sync::Arc;

use accessd_server::server::{Options, Server};
use accessd_server::tls::{TlsSource, dir_for_database};
use serde_json::{Value, json};
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("accessd-https-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start(url: &str, tls: TlsSource) -> Server {
    Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url.to_string(),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: Some(tls),
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap()
}

/// A minimal HTTPS client: trusts only one authority, offers the given ALPN protocols, and
/// speaks whichever HTTP version the server picked.
struct Client {
    tls: tokio_rustls::TlsConnector,
}

struct Answer {
    version: hyper::Version,
    status: u16,
    headers: hyper::HeaderMap,
    json: Value,
}

fn client(ca: &std::path::Path, alpn: &[&[u8]]) -> Client {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Client {
        tls: tokio_rustls::TlsConnector::from(Arc::new(cfg)),
    }
}

impl Client {
    async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> std::io::Result<Answer> {
        use http_body_util::{BodyExt, Full};
        use hyper::body::Bytes;
        use hyper_util::rt::{TokioExecutor, TokioIo};
        let uri: hyper::Uri = url.parse().unwrap();
        let host = uri.host().unwrap().trim_matches(['[', ']']).to_string();
        let port = uri.port_u16().unwrap();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let name = rustls::pki_types::ServerName::try_from(host.clone()).unwrap();
        let tls = self.tls.connect(name, tcp).await?;
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        let mut req = hyper::Request::builder().method(method);
        req = if h2 {
            req.uri(uri.clone())
        } else {
            req.uri(uri.path_and_query().unwrap().as_str())
                .header("host", uri.authority().unwrap().as_str())
        };
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let bytes = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Bytes::from(b.to_string())
            }
            None => Bytes::new(),
        };
        let req = req.body(Full::new(bytes)).unwrap();
        let io = TokioIo::new(tls);
        let res = if h2 {
            let (mut send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .map_err(std::io::Error::other)?;
            tokio::spawn(conn);
            send.send_request(req).await
        } else {
            let (mut send, conn) = hyper::client::conn::http1::handshake(io)
                .await
                .map_err(std::io::Error::other)?;
            tokio::spawn(conn);
            send.send_request(req).await
        }
        .map_err(std::io::Error::other)?;
        let version = res.version();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok(Answer {
            version,
            status,
            headers,
            json,
        })
    }
}

async fn create_users(c: &Client, base: &str, token: &str, n: usize) {
    for i in 0..n {
        let res = c
            .send(
                "POST",
                &format!("{base}/v1.0/users"),
                Some(token),
                Some(json!({"displayName": format!("U{i}"), "userPrincipalName": format!("u{i}@example.com")})),
            )
            .await
            .unwrap();
        assert_eq!(res.status, 201);
        let loc = res.headers["location"].to_str().unwrap().to_string();
        assert!(loc.starts_with(&format!("{base}/")), "{loc}");
    }
}

#[tokio::test]
async fn serves_https_with_a_generated_certificate_over_http1_and_http2() {
    let dir = temp_dir("generated");
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    let tls_dir = dir_for_database(&url);
    assert_eq!(tls_dir, dir.join("accessd-tls"));
    let server = start(
        &url,
        TlsSource::Generated {
            dir: tls_dir.clone(),
        },
    )
    .await;
    assert_eq!(server.scheme(), "https");
    let material = server.tls().unwrap().clone();
    let ca = material.ca.clone().unwrap();
    assert_eq!(ca, tls_dir.join("ca.pem"));
    assert!(material.created);
    let token = server.admin_token(600).unwrap();
    let base = server.base_url();
    assert!(base.starts_with("https://127.0.0.1:"));

    let h1 = client(&ca, &[b"http/1.1"]);
    create_users(&h1, &base, &token, 3).await;
    let h2 = client(&ca, &[b"h2", b"http/1.1"]);
    for (c, version) in [
        (&h1, hyper::Version::HTTP_11),
        (&h2, hyper::Version::HTTP_2),
    ] {
        let res = c
            .send(
                "GET",
                &format!("{base}/v1.0/users?$top=2"),
                Some(&token),
                None,
            )
            .await
            .unwrap();
        assert_eq!(res.version, version);
        assert_eq!(res.status, 200);
        let page = res.json;
        assert_eq!(page["value"].as_array().unwrap().len(), 2);
        // Links are absolute, on https and on the authority the client used (HTTP/2 has no
        // Host header, only :authority).
        let next = page["@odata.nextLink"].as_str().unwrap();
        assert!(next.starts_with(&format!("{base}/v1.0/users?")), "{next}");
        assert!(
            page["@odata.context"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{base}/v1.0/$metadata"))
        );
        let res = c.send("GET", next, Some(&token), None).await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.json["value"].as_array().unwrap().len(), 1);
    }

    // A body over the limit gets its 413 over both protocols (accessd reads it first; an early
    // answer reaches a client that is still sending as a reset stream or connection).
    let big = json!({"displayName": "big", "description": "x".repeat(1024 * 1024 + 1)});
    for c in [&h1, &h2] {
        let res = c
            .send(
                "POST",
                &format!("{base}/v1.0/identityGovernance/entitlementManagement/catalogs"),
                Some(&token),
                Some(big.clone()),
            )
            .await
            .unwrap();
        assert_eq!(res.status, 413);
        assert_eq!(res.json["error"]["code"], "RequestEntityTooLarge");
    }

    // Plain HTTP to the TLS port gets no answer it could mistake for Graph.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/v1.0/users", server.addr()))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    // A client that does not trust the authority is refused.
    let other = temp_dir("other-ca");
    let other_material = accessd_server::tls::prepare(&TlsSource::Generated {
        dir: other.join("accessd-tls"),
    })
    .unwrap();
    let stranger = client(other_material.ca.as_ref().unwrap(), &[b"http/1.1"]);
    assert!(
        stranger
            .send("GET", &format!("{base}/healthz"), None, None)
            .await
            .is_err()
    );
    server.shutdown().await.unwrap();

    // A restart keeps the authority: the same client still trusts the server.
    let server = start(&url, TlsSource::Generated { dir: tls_dir }).await;
    assert!(!server.tls().unwrap().created);
    let res = h1
        .send("GET", &format!("{}/healthz", server.base_url()), None, None)
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

#[tokio::test]
async fn serves_https_with_the_operators_certificate_files() {
    let dir = temp_dir("files");
    let generated = accessd_server::tls::prepare(&TlsSource::Generated {
        dir: dir.join("mine"),
    })
    .unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    let server = start(
        &url,
        TlsSource::Files {
            cert: generated.cert.clone(),
            key: generated.key.clone(),
        },
    )
    .await;
    assert!(server.tls().unwrap().ca.is_none());
    // Nothing is generated beside the database when the operator brings the files.
    assert!(!dir.join("accessd-tls").exists());
    let c = client(generated.ca.as_ref().unwrap(), &[b"http/1.1"]);
    let token = server.admin_token(600).unwrap();
    let res = c
        .send(
            "GET",
            &format!(
                "https://localhost:{}/beta/identityGovernance/entitlementManagement/accessPackageCatalogs",
                server.addr().port()
            ),
            Some(&token),
            None,
        )
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    let page = res.json;
    assert!(
        page["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://localhost:{}/beta/", server.addr().port()))
    );
    server.shutdown().await.unwrap();

    // A key that does not match the certificate is refused at start.
    let other = accessd_server::tls::prepare(&TlsSource::Generated {
        dir: dir.join("other"),
    })
    .unwrap();
    let bad = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url.clone(),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: Some(TlsSource::Files {
            cert: generated.cert.clone(),
            key: other.key.clone(),
        }),
        oidc: None,
        clock: Default::default(),
    })
    .await;
    assert!(bad.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
