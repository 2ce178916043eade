//! `accessd serve`

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use crate::oidc::OidcOptions;
use crate::server::{Options, Server};
use crate::tls::TlsSource;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "ACCESSD_LISTEN", default_value = "127.0.0.1:5599")]
    pub listen: SocketAddr,
    /// Where the data lives: `sqlite://accessd.db` (created if missing), `sqlite::memory:`, or
    /// `postgres://user@host:port/database` (several instances may share one; docs/postgres.md).
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
    /// Load a small demo tenant when the store is empty.
    #[arg(long, env = "ACCESSD_DEMO")]
    pub demo: bool,
    /// Load this seed file (JSON; docs/emulator.md) when the store is empty.
    #[arg(long, env = "ACCESSD_SEED")]
    pub seed: Option<std::path::PathBuf>,
    /// Accept every query option the model allows, not only what Graph accepts.
    #[arg(long, env = "ACCESSD_PERMISSIVE_QUERIES")]
    pub permissive_queries: bool,
    /// Serve HTTPS. Without `--tls-cert`/`--tls-key`, accessd generates a local certificate
    /// authority and a certificate for localhost, 127.0.0.1 and ::1 on first use, keeps them in
    /// `accessd-tls/` beside the database file, and prints the authority's path to trust.
    #[arg(long, env = "ACCESSD_TLS")]
    pub tls: bool,
    /// The server's certificate chain (PEM) to serve HTTPS with; implies `--tls`.
    #[arg(long, env = "ACCESSD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of `--tls-cert`.
    #[arg(long, env = "ACCESSD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Accept the access tokens of this OpenID Connect issuer too, besides accessd's own: its
    /// `iss` exactly, e.g. `https://login.microsoftonline.com/{tenant-id}/v2.0` or
    /// `https://sts.windows.net/{tenant-id}/` for an Entra ID tenant. Its signing keys come
    /// from `{issuer}/.well-known/openid-configuration` unless `--jwks-file` is given.
    #[arg(long, env = "ACCESSD_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// An audience (`aud`) the issuer's tokens may carry; repeatable (comma-separated in the
    /// environment). Without it, Graph's: `https://graph.microsoft.com` (with or without the
    /// trailing slash) and `00000003-0000-0000-c000-000000000000`.
    #[arg(
        long = "audience",
        env = "ACCESSD_OIDC_AUDIENCE",
        value_name = "AUD",
        value_delimiter = ',',
        requires = "oidc_issuer"
    )]
    pub audiences: Vec<String>,
    /// The issuer's signing keys as a JWKS document on disk (offline; read again when a token
    /// names an unknown key), instead of fetching them from the issuer.
    #[arg(
        long,
        env = "ACCESSD_OIDC_JWKS_FILE",
        value_name = "PATH",
        requires = "oidc_issuer"
    )]
    pub jwks_file: Option<PathBuf>,
    /// The engine's clock: `real` (the default), or `virtual`, which moves only when told
    /// (`POST /_accessd/clock`, `accessd clock advance P30D`), so that expiry, escalation and
    /// timeouts can be watched in seconds.
    #[arg(long, env = "ACCESSD_CLOCK", value_enum, default_value = "real")]
    pub clock: crate::server::ClockMode,
    /// Lifetime of the admin token printed at start, in seconds.
    #[arg(long, default_value_t = 12 * 3600)]
    pub token_lifetime: i64,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    crate::server::init_tracing();
    let tls = match (a.tls_cert, a.tls_key) {
        (Some(cert), Some(key)) => Some(TlsSource::Files { cert, key }),
        _ if a.tls => Some(TlsSource::Generated {
            dir: crate::tls::dir_for_database(&a.database),
        }),
        _ => None,
    };
    let server = Server::start(Options {
        listen: a.listen,
        database: a.database,
        demo: a.demo,
        seed: a.seed,
        permissive_queries: a.permissive_queries,
        tls,
        oidc: a.oidc_issuer.map(|issuer| OidcOptions {
            issuer,
            audiences: a.audiences,
            jwks_file: a.jwks_file,
        }),
        clock: a.clock,
    })
    .await?;
    let token = server.admin_token(a.token_lifetime)?;
    let base = server.base_url();
    // The first four lines are read by scripts: the token is the fourth.
    println!("accessd is serving Microsoft Graph on {base}");
    println!("  v1.0: {base}/v1.0    beta: {base}/beta");
    println!("  admin token (valid {}s):", a.token_lifetime);
    println!("{token}");
    if a.demo {
        let requestor = server
            .user_token(crate::demo::BOB, "bob@contoso.test", a.token_lifetime)
            .await?;
        let approver = server
            .user_token(crate::demo::ALICE, "alice@contoso.test", a.token_lifetime)
            .await?;
        println!(
            "  requestor token (Bob; asks for \"Engineering tools\", his manager Alice approves):"
        );
        println!("{requestor}");
        println!("  approver token (Alice):");
        println!("{approver}");
        println!(
            "  or sign in: {base}/{}/oauth2/v2.0/token, grant_type=password, client_id {} (Microsoft Graph Command Line Tools), username bob@contoso.test (alice@, carol@, admin@), password {}",
            server.keys().tenant_id,
            accessd_engine::apps::FIRST_PARTY_PUBLIC_CLIENTS[0].0,
            crate::demo::DEMO_PASSWORD
        );
    }
    let ca = server.tls().and_then(|t| t.ca.clone());
    let cacert = match &ca {
        Some(p) => format!(" --cacert {}", p.display()),
        None => String::new(),
    };
    println!(
        "  try: curl{cacert} -H \"Authorization: Bearer $TOKEN\" {base}/v1.0/identityGovernance/entitlementManagement/accessPackages"
    );
    if let Some(t) = server.tls() {
        println!(
            "  TLS certificate: {} (key {})",
            t.cert.display(),
            t.key.display()
        );
    }
    if let Some(ca) = &ca {
        println!("  TLS certificate authority to trust: {}", ca.display());
        println!(
            "    (Python: SSL_CERT_FILE or httpx verify=; Node: NODE_EXTRA_CA_CERTS; curl: --cacert)"
        );
        match std::fs::read_to_string(ca) {
            Ok(pem) => print!("{pem}"),
            Err(e) => eprintln!("cannot read {}: {e}", ca.display()),
        }
    }
    server.wait_for_shutdown_signal().await
}
