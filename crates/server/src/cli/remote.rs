//! What the commands that talk to a running accessd share: its URL, an administrator's token,
//! the certificate authority to trust, and how an answer is read.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use serde_json::Value;

#[derive(Debug, Clone, ClapArgs)]
pub struct Remote {
    /// The server, as `serve` printed it.
    #[arg(
        long,
        env = "ACCESSD_URL",
        default_value = "http://127.0.0.1:5599",
        global = true
    )]
    pub url: String,
    /// An administrator's token (the one `serve` printed).
    #[arg(long, env = "ACCESSD_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// A certificate authority to trust (the `ca.pem` that `serve --tls` printed).
    #[arg(long, global = true)]
    pub cacert: Option<PathBuf>,
}

impl Remote {
    /// An HTTP client for the server and the token to send.
    pub fn client(&self) -> anyhow::Result<(reqwest::Client, String)> {
        let token = self
            .token
            .clone()
            .ok_or_else(|| anyhow::anyhow!("give --token or set ACCESSD_TOKEN"))?;
        let mut client = reqwest::Client::builder();
        if let Some(ca) = &self.cacert {
            let pem = std::fs::read(ca)?;
            client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok((client.build()?, token))
    }

    /// `{url}{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url.trim_end_matches('/'))
    }
}

/// Sends `req` with `token`; the JSON answer, or the server's error message.
pub async fn send(req: reqwest::RequestBuilder, token: &str) -> anyhow::Result<Value> {
    let res = req.bearer_auth(token).send().await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("no message");
        anyhow::bail!("{status}: {message}");
    }
    Ok(body)
}
