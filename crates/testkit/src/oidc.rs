//! A pretend external OpenID Connect issuer for tests: signing keys (RSA from the committed
//! test-only fixtures in `crates/testkit/fixtures/`, P-256 generated), the JWKS document that
//! publishes them, and signed tokens.

pub use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

/// Graph's application id, an audience Entra puts in Graph tokens.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// TEST-ONLY RSA private keys (PKCS#1 PEM). They protect nothing.
const RSA_KEYS: [&str; 2] = [
    include_str!("../fixtures/test-only-rsa-key-1.pem"),
    include_str!("../fixtures/test-only-rsa-key-2.pem"),
];

/// A signing key of the pretend issuer.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    encoding: EncodingKey,
}

impl TestKey {
    /// The `n`th (0 or 1) committed RSA fixture key, for `alg` (RS256, RS384 or RS512).
    pub fn rsa(n: usize, kid: &str, alg: Algorithm) -> TestKey {
        TestKey {
            kid: kid.into(),
            alg,
            encoding: EncodingKey::from_rsa_pem(RSA_KEYS[n].as_bytes()).expect("fixture key"),
        }
    }

    /// A fresh P-256 key for ES256.
    pub fn ec(kid: &str) -> TestKey {
        let kp = rcgen::KeyPair::generate().expect("P-256 key");
        TestKey {
            kid: kid.into(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_pem(kp.serialize_pem().as_bytes()).expect("EC key"),
        }
    }

    /// The same key material under another `kid`.
    pub fn renamed(&self, kid: &str) -> TestKey {
        TestKey {
            kid: kid.into(),
            ..self.clone()
        }
    }

    /// The public key as a JWK (`kid`, `use: sig`, `alg`).
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, self.alg).expect("jwk");
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk
    }

    /// Signs `claims` with this key; the header names the key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signed token")
    }

    /// Signs `claims` with this key but names another `kid` in the header.
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        self.renamed(kid).sign(claims)
    }
}

/// The JWKS document (`{"keys": [...]}`) publishing `keys`.
pub fn jwks(keys: &[&TestKey]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| serde_json::to_value(k.jwk()).expect("jwk json"))
        .collect();
    json!({ "keys": keys }).to_string()
}

/// The registered claims of a token of `issuer` for `aud`, valid for an hour from `now`
/// (seconds since the epoch); add the rest with [`with`].
pub fn base_claims(issuer: &str, aud: &str, now: i64) -> Value {
    json!({
        "iss": issuer,
        "aud": aud,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    })
}

/// `claims` with the members of `more` added (or replaced; a null removes).
pub fn with(mut claims: Value, more: Value) -> Value {
    if let (Some(c), Some(m)) = (claims.as_object_mut(), more.as_object()) {
        for (k, v) in m {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
    }
    claims
}
