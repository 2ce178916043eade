//! Applications, their service principals and the secrets that prove an identity to the
//! built-in token endpoint: client secrets of applications, passwords of users. Secrets are
//! kept only as argon2id hashes ([`Credential`]); the text of a client secret is shown once,
//! when it is made.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{
    AppRoleGrant, Application, Credential, CredentialKind, Duration, PasswordCredentialInfo,
    Principal, ServicePrincipal, Timestamp, User, new_id,
};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result};

mod graph;

pub use graph::*;

/// How long a client secret lasts when `endDateTime` is not given: two years, as Graph.
pub const DEFAULT_SECRET_DAYS: i64 = 730;

/// What a caller gives to create or change an application.
#[derive(Debug, Clone, Default)]
pub struct AppDraft {
    pub display_name: Option<String>,
    pub sign_in_audience: Option<String>,
    pub is_fallback_public_client: Option<bool>,
    pub delegated_scopes: Option<Vec<String>>,
}

/// Why a sign-in failed; the token endpoint turns each into the identity platform's error.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("no application with this client id")]
    UnknownClient,
    #[error("invalid client secret")]
    BadSecret,
    #[error("the client secret has expired")]
    ExpiredSecret,
    #[error("the client is not a public client and sent no secret")]
    NotPublicClient,
    #[error("invalid username or password")]
    BadCredentials,
    #[error("the account is disabled")]
    Disabled,
    #[error(transparent)]
    Engine(#[from] Error),
}

impl From<accessd_domain::StoreError> for SignInError {
    fn from(e: accessd_domain::StoreError) -> Self {
        SignInError::Engine(e.into())
    }
}

/// An argon2id hash (PHC string) of a secret.
pub fn hash_secret(secret: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Store(accessd_domain::StoreError::Other(format!("hashing: {e}"))))
}

/// Whether `secret` is the one `hash` was made from.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(secret.as_bytes(), &h)
            .is_ok()
    })
}

/// A new client secret in Entra's shape: 40 characters, the first three the hint, then `8Q~`.
/// The 37 random characters come from a 64-letter alphabet (six bits each, no bias).
pub fn generate_secret() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~_";
    let mut bytes = [0u8; 37];
    OsRng.fill_bytes(&mut bytes);
    let mut letters = bytes.iter().map(|b| ALPHABET[(*b & 63) as usize] as char);
    let mut out: String = letters.by_ref().take(3).collect();
    out.push_str("8Q~");
    out.extend(letters);
    out
}

/// Entra's password rules: 8 to 256 characters, three of lower case, upper case, digits and
/// symbols.
pub fn check_password_complexity(password: &str) -> Result<()> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if !(8..=256).contains(&n) || classes < 3 {
        return Err(Error::Invalid {
            code: "Request_BadRequest",
            target: Some("passwordProfile.password".into()),
            message: "The specified password does not comply with password complexity requirements. Please provide a different password.".into(),
        });
    }
    Ok(())
}

fn dir_invalid(target: &str, message: impl Into<String>) -> Error {
    Error::Invalid {
        code: "Request_BadRequest",
        target: Some(target.into()),
        message: message.into(),
    }
}

async fn app_by_app_id(tx: &mut dyn Tx, app_id: &str) -> Result<Option<Application>> {
    let q = Query::filtered(Expr::col_eq("app_id", app_id));
    Ok(tx.find::<Application>(&q).await?.into_iter().next())
}

async fn sp_by_app_id(tx: &mut dyn Tx, app_id: &str) -> Result<Option<ServicePrincipal>> {
    let q = Query::filtered(Expr::col_eq("app_id", app_id));
    Ok(tx.find::<ServicePrincipal>(&q).await?.into_iter().next())
}

async fn application(tx: &mut dyn Tx, id: &str) -> Result<Application> {
    tx.load::<Application>(id)
        .await?
        .ok_or_else(|| Error::not_found("application", id))
}

async fn service_principal(tx: &mut dyn Tx, id: &str) -> Result<ServicePrincipal> {
    tx.load::<ServicePrincipal>(id)
        .await?
        .ok_or_else(|| Error::not_found("service principal", id))
}

async fn credentials_of(tx: &mut dyn Tx, owner: &str) -> Result<Vec<Credential>> {
    let q = Query::filtered(Expr::col_eq("owner_id", owner));
    Ok(tx.find::<Credential>(&q).await?)
}

fn apply(app: &mut Application, d: AppDraft) {
    if let Some(v) = d.display_name {
        app.display_name = Some(v);
    }
    if let Some(v) = d.sign_in_audience {
        app.sign_in_audience = Some(v);
    }
    if let Some(v) = d.is_fallback_public_client {
        app.is_fallback_public_client = v;
    }
    if let Some(v) = d.delegated_scopes {
        app.delegated_scopes = v;
    }
}

fn required_name(app: &Application) -> Result<()> {
    match app.display_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => Ok(()),
        _ => Err(dir_invalid(
            "displayName",
            "Invalid value specified for property 'displayName' of resource 'Application'.",
        )),
    }
}

impl Engine {
    /// Registers an application (`POST /applications`): a new object id and client id.
    pub async fn create_application(&self, p: &Principal, draft: AppDraft) -> Result<Application> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Create, Res::Application, &Obj::default())
            .await?;
        let mut app = Application {
            id: new_id(),
            app_id: new_id(),
            display_name: None,
            sign_in_audience: Some("AzureADMyOrg".into()),
            password_credentials: vec![],
            is_fallback_public_client: false,
            delegated_scopes: vec![],
            created_date_time: self.now(),
        };
        apply(&mut app, draft);
        required_name(&app)?;
        tx.create(&app).await?;
        tx.commit().await?;
        Ok(app)
    }

    pub async fn update_application(
        &self,
        p: &Principal,
        id: &str,
        draft: AppDraft,
    ) -> Result<Application> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Update, Res::Application, &Obj::new(id))
            .await?;
        let mut app = application(&mut *tx, id).await?;
        apply(&mut app, draft);
        required_name(&app)?;
        tx.save(&app).await?;
        if let Some(mut sp) = sp_by_app_id(&mut *tx, &app.app_id).await?
            && sp.display_name != app.display_name
        {
            sp.display_name = app.display_name.clone();
            tx.save(&sp).await?;
        }
        tx.commit().await?;
        Ok(app)
    }

    /// Deletes an application with its service principal and its secrets, as Entra does.
    pub async fn delete_application(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Delete, Res::Application, &Obj::new(id))
            .await?;
        let app = application(&mut *tx, id).await?;
        if let Some(sp) = sp_by_app_id(&mut *tx, &app.app_id).await? {
            tx.delete(Kind::ServicePrincipal, &sp.id).await?;
            crate::roles::remove_principal_roles(&mut *tx, &sp.id).await?;
        }
        for c in credentials_of(&mut *tx, id).await? {
            tx.delete(Kind::Credential, &c.id).await?;
        }
        tx.delete(Kind::Application, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a client secret (`addPassword`); returns what Graph shows of it and, once, its
    /// text.
    pub async fn add_password(
        &self,
        p: &Principal,
        app_object_id: &str,
        display_name: Option<String>,
        end: Option<Timestamp>,
    ) -> Result<(PasswordCredentialInfo, String)> {
        let now = self.now();
        if let Some(e) = end
            && e <= now
        {
            return Err(dir_invalid(
                "passwordCredential.endDateTime",
                "Key credential end date is invalid.",
            ));
        }
        let secret = generate_secret();
        let hash = hash_secret(&secret)?;
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Secret,
            Res::Application,
            &Obj::new(app_object_id),
        )
        .await?;
        let mut app = application(&mut *tx, app_object_id).await?;
        let info = PasswordCredentialInfo {
            key_id: new_id(),
            display_name,
            hint: Some(secret.chars().take(3).collect()),
            start_date_time: now,
            end_date_time: Some(
                end.unwrap_or_else(|| now.add(Duration::days(DEFAULT_SECRET_DAYS))),
            ),
        };
        tx.create(&Credential {
            id: info.key_id.clone(),
            owner_id: app.id.clone(),
            kind: CredentialKind::ClientSecret,
            hash,
            end_date_time: info.end_date_time,
            created_date_time: now,
        })
        .await?;
        app.password_credentials.push(info.clone());
        tx.save(&app).await?;
        tx.commit().await?;
        Ok((info, secret))
    }

    /// Removes a client secret (`removePassword`).
    pub async fn remove_password(
        &self,
        p: &Principal,
        app_object_id: &str,
        key_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Secret,
            Res::Application,
            &Obj::new(app_object_id),
        )
        .await?;
        let mut app = application(&mut *tx, app_object_id).await?;
        let before = app.password_credentials.len();
        app.password_credentials
            .retain(|c| !c.key_id.eq_ignore_ascii_case(key_id));
        if app.password_credentials.len() == before {
            return Err(dir_invalid(
                "keyId",
                format!("No password credential with the key id '{key_id}' was found."),
            ));
        }
        tx.delete(Kind::Credential, key_id).await?;
        tx.save(&app).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates the service principal of a registered application (`POST /servicePrincipals`).
    pub async fn create_service_principal(
        &self,
        p: &Principal,
        app_id: &str,
    ) -> Result<ServicePrincipal> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Create,
            Res::ServicePrincipal,
            &Obj::default(),
        )
        .await?;
        let app = app_by_app_id(&mut *tx, app_id).await?.ok_or_else(|| {
            dir_invalid(
                "appId",
                format!("The appId '{app_id}' of the service principal does not reference a valid application object."),
            )
        })?;
        if sp_by_app_id(&mut *tx, app_id).await?.is_some() {
            return Err(Error::Conflict {
                code: "Request_MultipleObjectsWithSameKeyValue",
                message: "The service principal cannot be created, updated, or restored because the service principal name is already in use.".into(),
            });
        }
        let sp = ServicePrincipal {
            id: new_id(),
            app_id: app.app_id.clone(),
            display_name: app.display_name.clone(),
            account_enabled: true,
            service_principal_type: "Application".into(),
            app_roles: vec![],
            created_date_time: self.now(),
        };
        tx.create(&sp).await?;
        tx.commit().await?;
        Ok(sp)
    }

    pub async fn delete_service_principal(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Delete,
            Res::ServicePrincipal,
            &Obj::new(id),
        )
        .await?;
        let sp = service_principal(&mut *tx, id).await?;
        if sp.app_id == GRAPH_APP_ID {
            return Err(Error::Forbidden {
                code: "Authorization_RequestDenied",
                message: "Insufficient privileges to complete the operation.".into(),
            });
        }
        tx.delete(Kind::ServicePrincipal, id).await?;
        crate::roles::remove_principal_roles(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants a Graph application permission to a service principal (`appRoleAssignments`).
    pub async fn grant_app_role(
        &self,
        p: &Principal,
        sp_id: &str,
        resource_id: &str,
        app_role_id: &str,
    ) -> Result<AppRoleGrant> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::ServicePrincipal,
            &Obj::new(sp_id),
        )
        .await?;
        let mut sp = service_principal(&mut *tx, sp_id).await?;
        let graph = sp_by_app_id(&mut *tx, GRAPH_APP_ID).await?;
        if graph
            .as_ref()
            .is_none_or(|g| !g.id.eq_ignore_ascii_case(resource_id))
        {
            return Err(dir_invalid(
                "resourceId",
                format!(
                    "The resource '{resource_id}' is not Microsoft Graph's service principal; accessd grants only Microsoft Graph's application permissions."
                ),
            ));
        }
        let Some(r) = GRAPH_APP_ROLES
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(app_role_id))
        else {
            return Err(dir_invalid(
                "appRoleId",
                "Permission being assigned was not found on application",
            ));
        };
        if sp.app_roles.iter().any(|g| g.app_role_id == r.id) {
            return Err(dir_invalid(
                "appRoleId",
                "Permission being assigned already exists on the object",
            ));
        }
        let grant = AppRoleGrant {
            id: new_id(),
            app_role_id: r.id.into(),
            value: r.value.into(),
            created_date_time: self.now(),
        };
        sp.app_roles.push(grant.clone());
        tx.save(&sp).await?;
        tx.commit().await?;
        Ok(grant)
    }

    pub async fn revoke_app_role(&self, p: &Principal, sp_id: &str, grant_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::ServicePrincipal,
            &Obj::new(sp_id),
        )
        .await?;
        let mut sp = service_principal(&mut *tx, sp_id).await?;
        let before = sp.app_roles.len();
        sp.app_roles.retain(|g| g.id != grant_id);
        if sp.app_roles.len() == before {
            return Err(Error::not_found("app role assignment", grant_id));
        }
        tx.save(&sp).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Microsoft Graph's own service principal (the resource app roles are granted on),
    /// created on first start.
    pub async fn ensure_graph_service_principal(&self) -> Result<ServicePrincipal> {
        let mut tx = self.begin().await?;
        let sp = ensure_graph_sp_in(&mut *tx, self.now()).await?;
        tx.commit().await?;
        Ok(sp)
    }

    /// Sets a user's password (`passwordProfile`), kept as a hash.
    pub async fn set_password(&self, p: &Principal, user_id: &str, password: &str) -> Result<()> {
        check_password_complexity(password)?;
        let hash = hash_secret(password)?;
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Update, Res::User, &Obj::new(user_id))
            .await?;
        if tx.load::<User>(user_id).await?.is_none() {
            return Err(Error::not_found("user", user_id));
        }
        write_password(&mut *tx, user_id, hash, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs an application in with its client id and one of its secrets.
    pub async fn sign_in_app(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<(Application, ServicePrincipal), SignInError> {
        let mut tx = self.store.read().await?;
        let app = app_by_app_id(&mut *tx, client_id)
            .await?
            .ok_or(SignInError::UnknownClient)?;
        let sp = sp_by_app_id(&mut *tx, client_id)
            .await?
            .filter(|sp| sp.account_enabled)
            .ok_or(SignInError::UnknownClient)?;
        let creds = credentials_of(&mut *tx, &app.id).await?;
        drop(tx);
        let now = self.now();
        let matching = creds
            .iter()
            .filter(|c| c.kind == CredentialKind::ClientSecret)
            .find(|c| verify_secret(secret, &c.hash));
        match matching {
            None => Err(SignInError::BadSecret),
            Some(c) if c.end_date_time.is_some_and(|e| e <= now) => Err(SignInError::ExpiredSecret),
            Some(_) => Ok((app, sp)),
        }
    }

    /// The client a user signs in through with a password: a registered application (a public
    /// client, or a confidential one that proves itself with `secret`) or one of Microsoft's
    /// first-party public clients. Returns its display name and the delegated scopes it
    /// declares.
    pub async fn password_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Result<(Option<String>, Vec<String>), SignInError> {
        if let Some((_, name)) = FIRST_PARTY_PUBLIC_CLIENTS
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(client_id))
        {
            return Ok((Some((*name).to_string()), vec![]));
        }
        let app = {
            let mut tx = self.store.read().await?;
            app_by_app_id(&mut *tx, client_id)
                .await?
                .ok_or(SignInError::UnknownClient)?
        };
        match secret {
            Some(s) => {
                let (app, _) = self.sign_in_app(client_id, s).await?;
                Ok((app.display_name, app.delegated_scopes))
            }
            None if app.is_fallback_public_client => Ok((app.display_name, app.delegated_scopes)),
            None => Err(SignInError::NotPublicClient),
        }
    }

    /// Signs a user in with a user principal name (or object id) and password; returns the
    /// user and the directory roles it holds (the token's `wids`).
    pub async fn sign_in_user(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(User, Vec<String>), SignInError> {
        let mut tx = self.store.read().await?;
        let q = Query::filtered(Expr::col_eq("user_principal_name", username));
        let user = match tx.find::<User>(&q).await?.into_iter().next() {
            Some(u) => Some(u),
            None => tx.load::<User>(username).await?,
        };
        let Some(user) = user else {
            // The same work as a wrong password, so that timing does not tell who exists.
            verify_secret(password, DUMMY_HASH);
            return Err(SignInError::BadCredentials);
        };
        let cred = tx.load::<Credential>(&user.id).await?;
        let roles = crate::authz::stored_roles(&mut *tx, &user.id).await?;
        drop(tx);
        let ok = cred
            .filter(|c| c.kind == CredentialKind::Password)
            .is_some_and(|c| verify_secret(password, &c.hash));
        if !ok {
            return Err(SignInError::BadCredentials);
        }
        if user.account_enabled == Some(false) {
            return Err(SignInError::Disabled);
        }
        let mut wids = roles.directory;
        wids.sort();
        wids.dedup();
        Ok((user, wids))
    }
}

/// Microsoft Graph's service principal, made in `tx` if it is not there.
pub(crate) async fn ensure_graph_sp_in(
    tx: &mut dyn Tx,
    now: Timestamp,
) -> Result<ServicePrincipal> {
    if let Some(sp) = sp_by_app_id(tx, GRAPH_APP_ID).await? {
        return Ok(sp);
    }
    let sp = ServicePrincipal {
        id: new_id(),
        app_id: GRAPH_APP_ID.into(),
        display_name: Some("Microsoft Graph".into()),
        account_enabled: true,
        service_principal_type: "Application".into(),
        app_roles: vec![],
        created_date_time: now,
    };
    tx.create(&sp).await?;
    Ok(sp)
}

/// A hash of nothing anyone knows, verified against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9lZQ8Yd6T6oFhYl1x0C0W3w9Yy1l3m5c0x9h6ZKpQeE";

/// Writes (or replaces) a user's password hash in `tx`.
pub(crate) async fn write_password(
    tx: &mut dyn Tx,
    user_id: &str,
    hash: String,
    now: Timestamp,
) -> Result<()> {
    let c = Credential {
        id: user_id.to_string(),
        owner_id: user_id.to_string(),
        kind: CredentialKind::Password,
        hash,
        end_date_time: None,
        created_date_time: now,
    };
    if tx.load::<Credential>(user_id).await?.is_some() {
        tx.save(&c).await?;
    } else {
        tx.create(&c).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_and_verify() {
        let s = generate_secret();
        assert_eq!(s.len(), 40);
        assert_eq!(&s[3..6], "8Q~");
        let h = hash_secret(&s).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains(&s));
        assert!(verify_secret(&s, &h));
        assert!(!verify_secret("wrong", &h));
        assert!(!verify_secret(&s, "not a hash"));
        assert_ne!(generate_secret(), s);
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn password_rules() {
        assert!(check_password_complexity("xWwvJ]6NMw+bWH-d").is_ok());
        assert!(check_password_complexity("Passw0rd").is_ok());
        assert!(check_password_complexity("password").is_err());
        assert!(check_password_complexity("Pa1!").is_err());
        assert!(check_password_complexity("PASSWORD1").is_err());
    }

    #[test]
    fn graph_roles_are_known_to_authorization() {
        for r in GRAPH_APP_ROLES {
            assert_ne!(crate::authz::perms::of(r.value), 0, "{}", r.value);
            assert_eq!(graph_app_role(r.id), Some(r));
            assert_eq!(graph_app_role(&r.value.to_lowercase()), Some(r));
        }
    }
}
