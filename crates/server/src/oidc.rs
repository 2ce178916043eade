//! An external OpenID Connect issuer (`serve --oidc-issuer`): the HTTP fetcher of its discovery
//! document and keys, and the wiring of [`ExternalIssuer`]. The rules are in
//! `accessd_api::auth::oidc` and docs/authentication.md.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use accessd_api::auth::{ExternalIssuer, JwksFetcher, KeySource};
use accessd_domain::Timestamp;

/// The largest discovery document or key set accepted.
const MAX_BODY: usize = 1024 * 1024;

/// `--oidc-issuer`, `--audience`, `--jwks-file`.
#[derive(Debug, Clone)]
pub struct OidcOptions {
    /// Compared exactly with the tokens' `iss`.
    pub issuer: String,
    /// The `aud` values accepted; Graph's when empty.
    pub audiences: Vec<String>,
    /// The signing keys (a JWKS document) on disk, instead of the issuer's discovery document.
    pub jwks_file: Option<PathBuf>,
}

/// GETs discovery documents and key sets over HTTP(S) (reqwest on rustls, the platform's trust
/// store); bounded in time (10 s) and size (1 MiB).
pub struct HttpFetcher {
    client: reqwest::Client,
}

impl HttpFetcher {
    pub fn new() -> anyhow::Result<HttpFetcher> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("accessd/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(HttpFetcher { client })
    }
}

#[async_trait::async_trait]
impl JwksFetcher for HttpFetcher {
    async fn fetch(&self, url: &str) -> Result<String, String> {
        let mut res = self
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !res.status().is_success() {
            return Err(format!("answered {}", res.status()));
        }
        if res.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(format!("the document is larger than {MAX_BODY} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| e.without_url().to_string())? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(format!("the document is larger than {MAX_BODY} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| "the document is not UTF-8".to_string())
    }
}

/// The issuer `o` describes, with its keys loaded. A key file that cannot be read is an error;
/// an issuer that cannot be reached is not (its keys are fetched again when a token needs them,
/// at most every 30 s), so that accessd starts while the identity provider is away.
pub async fn issuer(o: &OidcOptions, now: Timestamp) -> anyhow::Result<Arc<ExternalIssuer>> {
    let source = match &o.jwks_file {
        Some(p) => KeySource::File(p.clone()),
        None => KeySource::Discovery(Arc::new(HttpFetcher::new()?)),
    };
    let offline = o.jwks_file.is_some();
    let issuer = Arc::new(ExternalIssuer::new(
        o.issuer.clone(),
        o.audiences.clone(),
        source,
    ));
    match issuer.load(now).await {
        Ok(_) => {}
        Err(e) if offline => anyhow::bail!("--jwks-file: {e}"),
        Err(e) => {
            tracing::warn!(issuer = %o.issuer, error = %e, "cannot load the issuer's signing keys yet; its tokens are refused until they load")
        }
    }
    tracing::info!(issuer = %o.issuer, audiences = ?issuer.audiences(), "accepting the tokens of an external issuer");
    Ok(issuer)
}
