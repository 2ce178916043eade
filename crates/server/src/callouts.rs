//! The HTTP client custom extensions are called with: POSTs the callout's JSON to the
//! extension's endpoint (reqwest on rustls), bounded by the extension's own timeout.

use std::time::Duration;

use accessd_engine::extensions::CalloutSender;
use serde_json::Value;

pub struct HttpCallouts {
    client: reqwest::Client,
}

impl HttpCallouts {
    pub fn new() -> anyhow::Result<HttpCallouts> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("accessd/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(HttpCallouts { client })
    }
}

#[async_trait::async_trait]
impl CalloutSender for HttpCallouts {
    async fn send(&self, url: &str, body: &Value, timeout_ms: u64) -> Result<u16, String> {
        let res = self
            .client
            .post(url)
            .timeout(Duration::from_millis(timeout_ms))
            .json(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(res.status().as_u16())
    }
}
