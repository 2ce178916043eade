//! Tokens of an external OpenID Connect issuer (an Entra ID tenant, or any identity provider
//! that signs access tokens with published keys), accepted beside accessd's own ([`Keys`]).
//!
//! [`ExternalIssuer`] checks a token's signature against the issuer's JSON Web Key Set, its `iss`
//! exactly, its `aud` against the configured audiences and its lifetime against the wall clock
//! passed in, and reads Entra's v1 and v2 claims into a [`Principal`]. Keys come from a file
//! ([`KeySource::File`]) or from the issuer's discovery document through a [`JwksFetcher`]
//! ([`KeySource::Discovery`]); this crate fetches nothing itself (the binary implements the
//! fetcher over HTTP). A token naming an unknown `kid` makes the issuer reload its keys, at most
//! once per [`REFRESH_INTERVAL_SECONDS`], so a flood of bad tokens cannot hammer the issuer.
//!
//! [`Verifier`] is what the handlers call: accessd's own key, plus the external issuer if any,
//! picked by the token's `iss`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use accessd_domain::{Principal, PrincipalKind, Timestamp};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::{AUDIENCES, Keys, LEEWAY_SECONDS, VERIFIED_CACHE};
use crate::error::ApiError;

/// The signing algorithms accepted from an external issuer (asymmetric only: a shared secret
/// cannot be published in a key set).
pub const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// The shortest time between two loads of the issuer's keys.
pub const REFRESH_INTERVAL_SECONDS: i64 = 30;

/// Fetches a document over the network (the discovery document and the key set). Implemented by
/// the binary, so that no HTTP client is needed here; an implementation bounds the time and the
/// size of a fetch.
#[async_trait::async_trait]
pub trait JwksFetcher: Send + Sync {
    /// GETs `url` and returns the body of a successful answer.
    async fn fetch(&self, url: &str) -> Result<String, String>;
}

/// Where an issuer's signing keys come from.
pub enum KeySource {
    /// A JWKS document (`{"keys": [...]}`) on disk; read again on each refresh, so replacing the
    /// file rotates the keys.
    File(PathBuf),
    /// `{issuer}/.well-known/openid-configuration`, then its `jwks_uri`.
    Discovery(Arc<dyn JwksFetcher>),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => f.debug_tuple("File").field(p).finish(),
            KeySource::Discovery(_) => f.write_str("Discovery"),
        }
    }
}

/// One usable signing key of the set.
struct Key {
    kid: Option<String>,
    /// The algorithms this key may verify (its `alg` when the set says, else its type's).
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// The issuer's signing keys as last loaded.
#[derive(Default)]
struct KeySet {
    keys: Vec<Key>,
}

impl KeySet {
    /// Reads a JWKS document. Keys that cannot sign tokens accessd accepts (encryption keys,
    /// symmetric keys, other curves, unknown types) are left out; a document without any usable
    /// key is an error.
    fn parse(json: &str) -> Result<KeySet, String> {
        #[derive(Deserialize)]
        struct Doc {
            keys: Vec<serde_json::Value>,
        }
        let doc: Doc =
            serde_json::from_str(json).map_err(|e| format!("not a JWKS document: {e}"))?;
        let keys: Vec<Key> = doc
            .keys
            .into_iter()
            .filter_map(|v| serde_json::from_value::<Jwk>(v).ok())
            .filter_map(|jwk| Key::from_jwk(&jwk))
            .collect();
        if keys.is_empty() {
            return Err("the key set holds no RSA, P-256 or P-384 signing key".into());
        }
        Ok(KeySet { keys })
    }

    /// The key a token names; a token without `kid` may use the only key of a one-key set.
    fn find(&self, kid: Option<&str>) -> Option<&Key> {
        match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        }
    }
}

impl Key {
    fn from_jwk(jwk: &Jwk) -> Option<Key> {
        if let Some(u) = &jwk.common.public_key_use
            && *u != PublicKeyUse::Signature
        {
            return None;
        }
        let by_type: &[Algorithm] = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => &[Algorithm::RS256, Algorithm::RS384, Algorithm::RS512],
            AlgorithmParameters::EllipticCurve(p) => match p.curve {
                EllipticCurve::P256 => &[Algorithm::ES256],
                EllipticCurve::P384 => &[Algorithm::ES384],
                _ => return None,
            },
            _ => return None,
        };
        let algorithms = match jwk.common.key_algorithm {
            None => by_type.to_vec(),
            Some(a) => {
                let a = Algorithm::try_from(a).ok()?;
                if !by_type.contains(&a) {
                    return None;
                }
                vec![a]
            }
        };
        let key = DecodingKey::from_jwk(jwk).ok()?;
        Some(Key {
            kid: jwk.common.key_id.clone(),
            algorithms,
            key,
        })
    }
}

/// The claims read from an external token. Entra's v1 tokens name the client `appid` and the
/// user `unique_name`/`upn`; v2 tokens `azp` and `preferred_username`. `exp`, `iss` and `aud`
/// are required (and checked by [`jsonwebtoken`] or below).
#[derive(Debug, Clone, Deserialize)]
struct ExternalClaims {
    /// Required; optional here so that its absence is reported as such.
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    tid: Option<String>,
    /// Space-separated in Entra's tokens; some providers send an array.
    #[serde(default)]
    scp: Option<OneOrMany>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    wids: Vec<String>,
    #[serde(default)]
    idtyp: Option<String>,
    #[serde(default)]
    appid: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    upn: Option<String>,
    #[serde(default)]
    unique_name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl ExternalClaims {
    fn into_principal(self) -> Result<Principal, ApiError> {
        let object_id = self
            .oid
            .or(self.sub)
            .filter(|o| !o.is_empty())
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "Access token validation failure: the token names no object (oid or sub).",
                )
            })?;
        let scopes: Vec<String> = match self.scp.as_ref() {
            None => vec![],
            Some(OneOrMany::One(s)) => s.split_whitespace().map(str::to_string).collect(),
            Some(OneOrMany::Many(v)) => v.clone(),
        };
        // Entra's rule: `idtyp` when the token carries it, else app-only iff no `scp`.
        let app = match self.idtyp.as_deref() {
            Some(t) => t.eq_ignore_ascii_case("app"),
            None => self.scp.is_none(),
        };
        Ok(Principal {
            kind: if app {
                PrincipalKind::App
            } else {
                PrincipalKind::User
            },
            object_id,
            tenant_id: self.tid.unwrap_or_default(),
            app_id: self.appid.or(self.azp),
            scopes,
            roles: self.roles,
            directory_roles: self.wids,
            display: self
                .upn
                .or(self.unique_name)
                .or(self.preferred_username)
                .or(self.name),
        })
    }
}

/// A verified token: who it speaks for and when it is valid.
#[derive(Clone)]
struct Verified {
    principal: std::sync::Arc<Principal>,
    exp: i64,
    nbf: Option<i64>,
}

/// State of the key loads, behind an async lock so that one load runs at a time.
#[derive(Default)]
struct Refresh {
    /// When the last load was attempted (the wall clock's seconds), successful or not.
    last: Option<i64>,
    /// The discovery document's `jwks_uri`, once read.
    jwks_uri: Option<String>,
}

/// An external OpenID Connect issuer whose access tokens accessd accepts.
pub struct ExternalIssuer {
    issuer: String,
    audiences: Vec<String>,
    source: KeySource,
    keys: RwLock<Arc<KeySet>>,
    refresh: tokio::sync::Mutex<Refresh>,
    /// Tokens whose signature, issuer and audience were checked (lifetimes are checked each
    /// time); emptied when full.
    verified: Mutex<HashMap<String, Verified>>,
}

impl std::fmt::Debug for ExternalIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalIssuer")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Graph's 401 with `Access token validation failure: {what}.`
fn refused(what: &str) -> ApiError {
    ApiError::unauthenticated(format!("Access token validation failure: {what}."))
}

impl ExternalIssuer {
    /// An issuer (compared exactly with the tokens' `iss`) and the audiences its tokens must be
    /// for (Graph's, [`AUDIENCES`], when `audiences` is empty). No key is loaded yet: call
    /// [`ExternalIssuer::load`].
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>, source: KeySource) -> Self {
        let audiences = if audiences.is_empty() {
            AUDIENCES.iter().map(|a| a.to_string()).collect()
        } else {
            audiences
        };
        ExternalIssuer {
            issuer: issuer.into(),
            audiences,
            source,
            keys: RwLock::new(Arc::default()),
            refresh: tokio::sync::Mutex::new(Refresh::default()),
            verified: Mutex::default(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// The discovery document's URL: `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }

    /// Loads the keys now, whatever the time since the last load; returns how many usable keys
    /// the set holds. Counts as a load for the refresh interval.
    pub async fn load(&self, now: Timestamp) -> Result<usize, String> {
        let mut r = self.refresh.lock().await;
        self.load_locked(&mut r, now).await
    }

    async fn load_locked(&self, r: &mut Refresh, now: Timestamp) -> Result<usize, String> {
        r.last = Some(now.as_utc().timestamp());
        let set = match &self.source {
            KeySource::File(path) => {
                let text = tokio::fs::read_to_string(path)
                    .await
                    .map_err(|e| format!("reading {}: {e}", path.display()))?;
                KeySet::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            KeySource::Discovery(fetcher) => {
                // The key set's address is read once; a failing key set sends us back to the
                // discovery document (the issuer may have moved it).
                if let Some(uri) = r.jwks_uri.clone() {
                    match self.fetch_keys(fetcher.as_ref(), &uri).await {
                        Ok(set) => set,
                        Err(e) => {
                            tracing::warn!(issuer = %self.issuer, error = %e, "loading the signing keys failed; reading the discovery document again");
                            r.jwks_uri = None;
                            self.discover_and_fetch(fetcher.as_ref(), r).await?
                        }
                    }
                } else {
                    self.discover_and_fetch(fetcher.as_ref(), r).await?
                }
            }
        };
        let n = set.keys.len();
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
        tracing::info!(issuer = %self.issuer, keys = n, "loaded the issuer's signing keys");
        Ok(n)
    }

    async fn discover_and_fetch(
        &self,
        fetcher: &dyn JwksFetcher,
        r: &mut Refresh,
    ) -> Result<KeySet, String> {
        let url = self.discovery_url();
        let text = fetcher
            .fetch(&url)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let d: Discovery = serde_json::from_str(&text)
            .map_err(|e| format!("{url}: not an OpenID Connect discovery document: {e}"))?;
        // OpenID Connect Discovery 1.0, 4.3: the issuer must be identical to the one asked for.
        if d.issuer != self.issuer {
            return Err(format!(
                "{url} names the issuer '{}', not '{}'",
                d.issuer, self.issuer
            ));
        }
        if self.issuer.starts_with("https://") && !d.jwks_uri.starts_with("https://") {
            return Err(format!(
                "{url}: jwks_uri '{}' is not https; refusing it for an https issuer",
                d.jwks_uri
            ));
        }
        let set = self.fetch_keys(fetcher, &d.jwks_uri).await?;
        r.jwks_uri = Some(d.jwks_uri);
        Ok(set)
    }

    async fn fetch_keys(&self, fetcher: &dyn JwksFetcher, uri: &str) -> Result<KeySet, String> {
        let text = fetcher
            .fetch(uri)
            .await
            .map_err(|e| format!("{uri}: {e}"))?;
        KeySet::parse(&text).map_err(|e| format!("{uri}: {e}"))
    }

    fn current_keys(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .map(|k| k.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Reloads the keys because a token named a key not in `seen`, unless someone reloaded them
    /// meanwhile or the last load was less than [`REFRESH_INTERVAL_SECONDS`] ago.
    async fn refresh_after_unknown_kid(&self, seen: &Arc<KeySet>, now: Timestamp) {
        let mut r = self.refresh.lock().await;
        if !Arc::ptr_eq(seen, &self.current_keys()) {
            return;
        }
        let t = now.as_utc().timestamp();
        // A wall clock that went back does not block loads until it catches up.
        if let Some(last) = r.last
            && t >= last
            && t - last < REFRESH_INTERVAL_SECONDS
        {
            tracing::debug!(issuer = %self.issuer, "unknown signing key; keys were loaded moments ago");
            return;
        }
        if let Err(e) = self.load_locked(&mut r, now).await {
            tracing::warn!(issuer = %self.issuer, error = %e, "reloading the signing keys failed");
        }
    }

    /// Checks signature, issuer and audience (not the lifetime).
    async fn verify(&self, token: &str, now: Timestamp) -> Result<Verified, ApiError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| refused("the token is malformed"))?;
        // Before any key is looked up: another issuer's token must not make us reload keys.
        if unverified_issuer(token).as_deref() != Some(self.issuer.as_str()) {
            return Err(refused("invalid issuer"));
        }
        if !ALGORITHMS.contains(&header.alg) {
            return Err(refused(&format!(
                "invalid signature (the algorithm {:?} is not accepted)",
                header.alg
            )));
        }
        let kid = header.kid.as_deref();
        let mut keys = self.current_keys();
        if keys.find(kid).is_none() {
            self.refresh_after_unknown_kid(&keys, now).await;
            keys = self.current_keys();
        }
        let Some(key) = keys.find(kid) else {
            return Err(match kid {
                Some(_) => refused("unknown signing key (kid)"),
                None => refused("the token names no signing key (kid)"),
            });
        };
        if !key.algorithms.contains(&header.alg) {
            return Err(refused(
                "invalid signature (the key is not for the token's algorithm)",
            ));
        }
        let mut v = Validation::new(header.alg);
        v.set_audience(&self.audiences);
        v.set_issuer(&[self.issuer.as_str()]);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.required_spec_claims = ["exp", "iss", "aud"]
            .into_iter()
            .map(String::from)
            .collect::<HashSet<_>>();
        let data = jsonwebtoken::decode::<ExternalClaims>(token, &key.key, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature
                | K::InvalidEcdsaKey
                | K::InvalidRsaKey(_)
                | K::InvalidAlgorithm
                | K::InvalidKeyFormat => refused("invalid signature"),
                K::InvalidAudience => refused("invalid audience"),
                K::InvalidIssuer => refused("invalid issuer"),
                K::MissingRequiredClaim(c) => refused(&format!("the token has no '{c}' claim")),
                _ => refused("the token is malformed"),
            }
        })?;
        let c = data.claims;
        let exp = c
            .exp
            .ok_or_else(|| refused("the token has no 'exp' claim"))? as i64;
        let nbf = c.nbf.map(|n| n as i64);
        Ok(Verified {
            principal: std::sync::Arc::new(c.into_principal()?),
            exp,
            nbf,
        })
    }

    /// Checks a bearer token of this issuer and tells who it speaks for.
    pub async fn validate(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<std::sync::Arc<Principal>, ApiError> {
        let cached = self
            .verified
            .lock()
            .ok()
            .and_then(|m| m.get(token).cloned());
        let v = match cached {
            Some(v) => v,
            None => {
                let v = self.verify(token, now).await?;
                if let Ok(mut m) = self.verified.lock() {
                    if m.len() >= VERIFIED_CACHE {
                        m.clear();
                    }
                    m.insert(token.to_string(), v.clone());
                }
                v
            }
        };
        let t = now.as_utc().timestamp();
        if v.exp + LEEWAY_SECONDS < t || v.nbf.is_some_and(|n| n - LEEWAY_SECONDS > t) {
            return Err(ApiError::unauthenticated(
                "Access token has expired or is not yet valid.",
            ));
        }
        Ok(v.principal)
    }
}

/// The `iss` a token claims, before anything is verified (to route it and to refuse another
/// issuer's token early); `None` when the payload is unreadable or `iss` is not a string.
fn unverified_issuer(token: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Iss {
        #[serde(default)]
        iss: Option<serde_json::Value>,
    }
    jsonwebtoken::dangerous::insecure_decode_claims::<Iss>(token)
        .ok()
        .and_then(|c| c.iss)
        .and_then(|v| v.as_str().map(str::to_string))
}

/// Validates every Graph call's bearer token: accessd's own tokens ([`Keys`]) and, when one is
/// configured, an external issuer's ([`ExternalIssuer`]), picked by the token's `iss`.
#[derive(Debug)]
pub struct Verifier {
    keys: Arc<Keys>,
    external: Option<Arc<ExternalIssuer>>,
}

impl Verifier {
    pub fn new(keys: Arc<Keys>, external: Option<Arc<ExternalIssuer>>) -> Verifier {
        Verifier { keys, external }
    }

    /// accessd's own key.
    pub fn keys(&self) -> &Arc<Keys> {
        &self.keys
    }

    pub fn external(&self) -> Option<&Arc<ExternalIssuer>> {
        self.external.as_ref()
    }

    /// Checks a bearer token and tells who it speaks for.
    pub async fn validate(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<std::sync::Arc<Principal>, ApiError> {
        let Some(ext) = &self.external else {
            return self.keys.validate(token, now);
        };
        if token.is_empty() || token.split('.').count() != 3 {
            // The same answers as without an external issuer.
            return self.keys.validate(token, now);
        }
        // Which verifier: by `iss`; when the issuers are the same (or neither matches), by
        // whether the token names accessd's own key.
        let iss = unverified_issuer(token);
        let own_kid = || {
            jsonwebtoken::decode_header(token)
                .ok()
                .and_then(|h| h.kid)
                .is_some_and(|k| k == self.keys.kid)
        };
        let own = match (
            iss.as_deref() == Some(self.keys.issuer.as_str()),
            iss.as_deref() == Some(ext.issuer()),
        ) {
            (true, false) => true,
            (false, true) => false,
            _ => own_kid(),
        };
        if own {
            self.keys.validate(token, now)
        } else {
            ext.validate(token, now).await
        }
    }
}
