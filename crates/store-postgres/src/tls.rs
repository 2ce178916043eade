//! TLS to PostgreSQL, as libpq's `sslmode` describes it (rustls with the ring provider):
//!
//! - `disable`: plain TCP;
//! - `prefer` (the default, as in libpq): TLS when the server offers it, without checking its
//!   certificate; plain otherwise;
//! - `require`: TLS or nothing, without checking the certificate, unless `sslrootcert` names a
//!   certificate authority, which is then checked (as libpq does when a root file is given);
//! - `verify-ca`, `verify-full`: TLS, the server's certificate checked against `sslrootcert`,
//!   or the system's roots, and its name against the host's (both modes check the name).
//!
//! tokio-postgres knows `disable`, `prefer` and `require` and no `sslrootcert`, so both are
//! taken out of the URL here and the connector is made to match.

use std::sync::Arc;

use accessd_domain::store::{StoreError, StoreResult};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How to connect, from the URL.
pub(crate) struct Tls {
    /// `None`: plain TCP only.
    pub connector: Option<MakeRustlsConnect>,
}

/// Splits `sslmode` and `sslrootcert` off a URL: the URL tokio-postgres reads, and the
/// connector.
pub(crate) fn from_url(url: &str) -> StoreResult<(String, Tls)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut mode = "prefer".to_string();
    let mut root = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "sslmode" => mode = v.to_string(),
            "sslrootcert" => root = Some(percent_decode(v)),
            _ => kept.push(pair),
        }
    }
    let (pass_mode, verify) = match mode.as_str() {
        "disable" => ("disable", None),
        "prefer" | "allow" => ("prefer", Some(root.is_some())),
        "require" => ("require", Some(root.is_some())),
        "verify-ca" | "verify-full" => ("require", Some(true)),
        other => {
            return Err(StoreError::Other(format!(
                "sslmode={other}: use disable, prefer, require, verify-ca or verify-full"
            )));
        }
    };
    kept.push(match pass_mode {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let url = format!("{base}?{}", kept.join("&"));
    let connector = match verify {
        None => None,
        Some(check) => Some(MakeRustlsConnect::new(client_config(
            check,
            root.as_deref(),
        )?)),
    };
    Ok((url, Tls { connector }))
}

fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(check: bool, root: Option<&str>) -> StoreResult<ClientConfig> {
    let tls_err = |e: rustls::Error| StoreError::Other(format!("TLS: {e}"));
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_err)?;
    if !check {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider())))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    match root {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| StoreError::Other(format!("sslrootcert {path}: {e}")))?;
            for c in certs {
                let c = c.map_err(|e| StoreError::Other(format!("sslrootcert {path}: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| StoreError::Other(format!("sslrootcert {path}: {e}")))?;
            }
        }
        None => {
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(c);
            }
        }
    }
    if roots.is_empty() {
        return Err(StoreError::Other(
            "TLS: no certificate authority to check the server against (give sslrootcert)".into(),
        ));
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// `prefer`/`require` without a root: the connection is encrypted and the handshake's
/// signatures are checked, the certificate's chain and name are not (libpq's behaviour).
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
