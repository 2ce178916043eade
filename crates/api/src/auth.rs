//! Tokens. accessd signs its own ES256 JWTs with a key kept in the store (so `accessd token`
//! and `accessd serve` on the same database agree) and validates every Graph call's bearer token:
//! signature, audience, issuer, lifetime. The claims follow the Microsoft identity platform's
//! access tokens: `oid`, `tid`, `scp` (space-separated) or `roles`, `idtyp`. Tokens of an
//! external OpenID Connect issuer (an Entra ID tenant) are checked by [`oidc`]; [`Verifier`]
//! holds both and is what the handlers call. docs/authentication.md describes the rules.

use std::collections::HashSet;

use accessd_domain::{Principal, PrincipalKind, Store, StoreError, Timestamp};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub mod oidc;

pub use oidc::{ExternalIssuer, JwksFetcher, KeySource, Verifier};

/// Audiences accepted: Graph's resource URI (with and without the trailing slash) and its app id.
pub const AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];

const META_KEY: &str = "signing_key_pem";
const META_TENANT: &str = "tenant_id";

/// The signing key, its public half and the tenant this database stands for.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub kid: String,
    pub tenant_id: String,
    pub issuer: String,
    pub public_pem: String,
    /// The public key as a JSON Web Key (what the built-in provider's JWKS lists).
    pub jwk: serde_json::Value,
    /// Claims of tokens whose signature, audience and issuer were already checked (ECDSA
    /// verification costs more than the rest of a typical read); lifetimes are checked each time.
    verified: std::sync::Mutex<std::collections::HashMap<String, Verified>>,
}

/// A token whose signature, audience, issuer, tenant and object were checked: its lifetime
/// and the caller it speaks for.
#[derive(Debug, Clone)]
struct Verified {
    exp: i64,
    nbf: i64,
    principal: std::sync::Arc<Principal>,
}

/// How many verified tokens [`Keys`] remembers (the cache is emptied when it is full).
const VERIFIED_CACHE: usize = 4096;

/// The clock skew allowed on `exp` and `nbf`.
pub const LEEWAY_SECONDS: i64 = 300;

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("kid", &self.kid)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Claims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub oid: String,
    pub sub: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idtyp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<String>,
}

/// What `accessd token` asks for.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub kind: Option<PrincipalKind>,
    pub object_id: String,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    /// Directory role template ids (`wids`).
    pub wids: Vec<String>,
    pub display: Option<String>,
    pub lifetime_seconds: i64,
    /// The client application's id (`appid`/`azp`); for app-only tokens it defaults to the
    /// object id.
    pub client_id: Option<String>,
    /// The user's display name (`name`).
    pub name: Option<String>,
}

impl Keys {
    /// Loads the key and tenant from the store, creating them on first use.
    pub async fn load_or_create(store: &dyn Store) -> Result<Keys, StoreError> {
        let mut r = store.read().await?;
        let (pem, tid) = (r.meta_get(META_KEY).await?, r.meta_get(META_TENANT).await?);
        drop(r);
        let (pem, tid) = match (pem, tid) {
            (Some(p), Some(t)) => (p, t),
            _ => {
                let mut w = store.write().await?;
                // Someone else may have created them meanwhile.
                let pem = match w.meta_get(META_KEY).await? {
                    Some(p) => p,
                    None => {
                        let kp = rcgen::KeyPair::generate()
                            .map_err(|e| StoreError::Other(format!("key generation: {e}")))?;
                        let p = kp.serialize_pem();
                        w.meta_put(META_KEY, &p).await?;
                        p
                    }
                };
                let tid = match w.meta_get(META_TENANT).await? {
                    Some(t) => t,
                    None => {
                        let t = uuid::Uuid::new_v4().to_string();
                        w.meta_put(META_TENANT, &t).await?;
                        t
                    }
                };
                w.commit().await?;
                (pem, tid)
            }
        };
        Keys::from_pem(&pem, &tid).map_err(StoreError::Other)
    }

    pub fn from_pem(private_pem: &str, tenant_id: &str) -> Result<Keys, String> {
        let kp = rcgen::KeyPair::from_pem(private_pem)
            .map_err(|e| format!("stored signing key is unreadable: {e}"))?;
        let public_pem = kp.public_key_pem();
        let encoding = EncodingKey::from_ec_pem(private_pem.as_bytes())
            .map_err(|e| format!("signing key: {e}"))?;
        let decoding = DecodingKey::from_ec_pem(public_pem.as_bytes())
            .map_err(|e| format!("public key: {e}"))?;
        let jwk = {
            use base64::Engine as _;
            let raw = kp.public_key_raw();
            // An uncompressed P-256 point: 0x04, then x and y, 32 bytes each.
            if raw.len() != 65 || raw[0] != 4 {
                return Err("stored signing key is not a P-256 key".into());
            }
            let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
            serde_json::json!({"kty": "EC", "crv": "P-256", "x": b64(&raw[1..33]), "y": b64(&raw[33..])})
        };
        let digest = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            public_pem.hash(&mut h);
            h.finish()
        };
        let kid = format!("{digest:016x}");
        let mut jwk = jwk;
        jwk["use"] = "sig".into();
        jwk["alg"] = "ES256".into();
        jwk["kid"] = kid.clone().into();
        Ok(Keys {
            encoding,
            decoding,
            jwk,
            kid,
            tenant_id: tenant_id.to_string(),
            issuer: format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
            public_pem,
            verified: Default::default(),
        })
    }

    /// Signs a token for `req`, valid from `now` for `req.lifetime_seconds`.
    pub fn mint(&self, req: &TokenRequest, now: Timestamp) -> Result<String, String> {
        let iat = now.as_utc().timestamp();
        let kind = req.kind.unwrap_or(PrincipalKind::User);
        let claims = Claims {
            aud: AUDIENCES[0].to_string(),
            iss: self.issuer.clone(),
            iat,
            nbf: iat,
            exp: iat + req.lifetime_seconds.max(1),
            oid: req.object_id.clone(),
            sub: req.object_id.clone(),
            tid: self.tenant_id.clone(),
            scp: (kind == PrincipalKind::User && !req.scopes.is_empty())
                .then(|| req.scopes.join(" ")),
            roles: req.roles.clone(),
            wids: req.wids.clone(),
            idtyp: Some(
                if kind == PrincipalKind::User {
                    "user"
                } else {
                    "app"
                }
                .into(),
            ),
            appid: req
                .client_id
                .clone()
                .or_else(|| (kind == PrincipalKind::App).then(|| req.object_id.clone())),
            azp: req.client_id.clone(),
            upn: None,
            preferred_username: req.display.clone(),
            name: req.name.clone(),
            ver: Some("2.0".into()),
        };
        self.sign(&claims)
    }

    /// Signs any claims with the key (ES256, this key's `kid`).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Checks a token's signature, audience and issuer; returns its claims.
    fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut v = Validation::new(Algorithm::ES256);
        v.set_audience(AUDIENCES);
        v.set_issuer(&[self.issuer.as_str()]);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.required_spec_claims = HashSet::new();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature | K::InvalidEcdsaKey | K::InvalidAlgorithm => {
                    ApiError::unauthenticated("Access token validation failure: invalid signature.")
                }
                K::InvalidAudience => {
                    ApiError::unauthenticated("Access token validation failure: invalid audience.")
                }
                K::InvalidIssuer => {
                    ApiError::unauthenticated("Access token validation failure: invalid issuer.")
                }
                _ => ApiError::unauthenticated(
                    "Access token validation failure: the token is malformed.",
                ),
            }
        })?;
        Ok(data.claims)
    }

    /// Checks a bearer token and tells who it speaks for.
    pub fn validate(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<std::sync::Arc<Principal>, ApiError> {
        if token.is_empty() {
            return Err(ApiError::unauthenticated("Access token is empty."));
        }
        if token.split('.').count() != 3 {
            return Err(ApiError::unauthenticated(
                "IDX14100: JWT is not well formed, there are no dots (.).",
            ));
        }
        let cached = self
            .verified
            .lock()
            .ok()
            .and_then(|m| m.get(token).cloned());
        let v = match cached {
            Some(v) => v,
            None => {
                let v = self.check(self.verify(token)?)?;
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
        if v.exp + LEEWAY_SECONDS < t || v.nbf - LEEWAY_SECONDS > t {
            return Err(ApiError::unauthenticated(
                "Access token has expired or is not yet valid.",
            ));
        }
        Ok(v.principal)
    }

    /// What a verified token's claims say: refused when they name no object or another
    /// tenant.
    fn check(&self, c: Claims) -> Result<Verified, ApiError> {
        if c.oid.is_empty() {
            return Err(ApiError::unauthenticated(
                "Access token validation failure: the token names no object (oid).",
            ));
        }
        if c.tid != self.tenant_id {
            return Err(ApiError::unauthenticated(
                "Access token validation failure: the token is for another tenant.",
            ));
        }
        let app = match c.idtyp.as_deref() {
            Some(t) => t.eq_ignore_ascii_case("app"),
            None => c.scp.is_none(),
        };
        Ok(Verified {
            exp: c.exp,
            nbf: c.nbf,
            principal: std::sync::Arc::new(Principal {
                kind: if app {
                    PrincipalKind::App
                } else {
                    PrincipalKind::User
                },
                object_id: c.oid,
                tenant_id: c.tid,
                app_id: c.appid.or(c.azp),
                scopes: c
                    .scp
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                roles: c.roles,
                directory_roles: c.wids,
                display: c.upn.or(c.preferred_username).or(c.name),
            }),
        })
    }
}

/// Global Administrator's role template id: the built-in administrator's token carries it in
/// `wids`, as Entra's tokens carry the directory roles of their user.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The scopes an administrator's token carries by default.
pub const ADMIN_SCOPES: &[&str] = &[
    "EntitlementManagement.ReadWrite.All",
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Application.ReadWrite.All",
    "RoleManagement.ReadWrite.Directory",
    "AuditLog.Read.All",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        let kp = rcgen::KeyPair::generate().unwrap();
        Keys::from_pem(&kp.serialize_pem(), "tid-1").unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse("2030-01-01T00:00:00Z").unwrap()
    }

    #[test]
    fn minted_tokens_validate_and_carry_the_claims() {
        let k = keys();
        let t = k
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: "u1".into(),
                    scopes: vec!["A".into(), "B".into()],
                    lifetime_seconds: 3600,
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        let p = k.validate(&t, now()).unwrap();
        assert_eq!(p.object_id, "u1");
        assert_eq!(p.kind, PrincipalKind::User);
        assert_eq!(p.scopes, vec!["A", "B"]);
        let app = k
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::App),
                    object_id: "a1".into(),
                    roles: vec!["R".into()],
                    lifetime_seconds: 60,
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        let p = k.validate(&app, now()).unwrap();
        assert_eq!(
            (p.kind, p.roles.clone()),
            (PrincipalKind::App, vec!["R".to_string()])
        );
    }

    #[test]
    fn bad_tokens_are_refused() {
        let k = keys();
        let req = TokenRequest {
            object_id: "u1".into(),
            lifetime_seconds: 60,
            ..Default::default()
        };
        let t = k.mint(&req, now()).unwrap();
        let later = Timestamp::parse("2030-01-01T02:00:00Z").unwrap();
        assert!(
            k.validate(&t, later)
                .unwrap_err()
                .message
                .contains("expired")
        );
        let other = keys();
        let forged = other.mint(&req, now()).unwrap();
        assert_eq!(k.validate(&forged, now()).unwrap_err().status.as_u16(), 401);
        assert!(k.validate("abc", now()).is_err());
        assert!(k.validate("", now()).unwrap_err().message.contains("empty"));
        let mut tampered = t.clone();
        tampered.replace_range(t.len() - 4.., "AAAA");
        assert!(k.validate(&tampered, now()).is_err());
    }
}
