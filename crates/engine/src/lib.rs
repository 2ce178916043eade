//! accessd's use cases. Every write the API offers is one method here, run in one store
//! transaction: load, check the invariants, change, save, commit. Nothing here knows HTTP or
//! SQL; time comes from the [`Clock`] the engine was built with.
//!
//! Reads go straight to the store (they need no invariants); the API composes them.

use std::sync::Arc;

use accessd_domain::store::{Store, StoreError, Tx};
use accessd_domain::{Clock, Principal, Timestamp};

pub mod apps;
mod assignments;
pub mod audit;
pub mod authz;
mod catalogs;
mod delivery;
mod directory;
mod eligibility;
mod epoch;
pub mod extensions;
pub mod lifecycle;
mod outbox;
pub mod partners;
mod policies;
mod requests;
mod resources;
mod roles;
mod rules;
pub mod settings;
pub mod snapshots;
mod subjects;
pub mod suggestions;

pub use apps::{AppDraft, SignInError};
pub use assignments::AssignmentDraft;
pub use eligibility::{allowed_packages, applicable_policies, in_sets, is_allowed_requestor};
pub use lifecycle::approvals::Decision;
pub use lifecycle::due::Outcome;
pub use requests::RequestDraft;
pub use resources::{ResourceDraft, RoleScopeDraft};
pub use roles::RoleAssignmentDraft;

/// What went wrong, in the domain's words. The API maps each to a Graph error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An entity named in the URL or the body does not exist.
    #[error("{message}")]
    NotFound {
        entity: &'static str,
        id: String,
        message: String,
    },
    /// The request cannot be carried out as asked (400). `code` is Graph's error code,
    /// `target` the property at fault, if one is.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        target: Option<String>,
        message: String,
    },
    /// Someone else changed or took the thing first (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The caller may not do this (403). `code` is Graph's: `UnAuthorized` for entitlement
    /// management, `Authorization_RequestDenied` for the directory.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The object changed since the caller read it: its tag no longer matches `If-Match`
    /// (412).
    #[error("{message}")]
    PreconditionFailed { message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Checks an `If-Match` header against the entity as it is now (inside the transaction
    /// that changes it, so that no other writer can come between).
    pub fn check_if_match<T: serde::Serialize>(if_match: Option<&str>, current: &T) -> Result<()> {
        match if_match {
            None => Ok(()),
            Some(expected) => Error::check_tag(expected, &accessd_domain::etag::of(current)),
        }
    }

    /// Checks an `If-Match` header against an entity's tag.
    pub fn check_tag(if_match: &str, current: &str) -> Result<()> {
        if accessd_domain::etag::matches(if_match, current) {
            Ok(())
        } else {
            Err(Error::PreconditionFailed {
                message: "The object was changed since it was read (If-Match does not match its current ETag); read it again and retry.".into(),
            })
        }
    }

    pub fn not_found(entity: &'static str, id: &str) -> Error {
        Error::NotFound {
            entity,
            id: id.to_string(),
            message: format!("The {entity} '{id}' was not found."),
        }
    }

    /// A referenced entity named by a body property does not exist.
    pub fn ref_not_found(entity: &'static str, property: &str, id: &str) -> Error {
        Error::NotFound {
            entity,
            id: id.to_string(),
            message: format!("The {entity} '{id}' given in '{property}' was not found."),
        }
    }

    pub fn invalid(target: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            code: "BadRequest",
            target: Some(target.into()),
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            code,
            target: None,
            message: message.into(),
        }
    }
}

/// The use cases, over one store and one clock.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    authz: Arc<authz::Cache>,
    /// One runner of due work at a time (in this process).
    runner: Arc<tokio::sync::Mutex<()>>,
    /// One move of a virtual clock at a time.
    mover: Arc<tokio::sync::Mutex<()>>,
    /// How custom extensions are called (the server's HTTP client); none: callouts fail.
    callouts: Option<Arc<dyn extensions::CalloutSender>>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Engine {
        // SQLite has one process; on PostgreSQL other instances may write too.
        let authz = if store.backend() == "postgres" {
            Arc::new(authz::Cache::shared())
        } else {
            Arc::default()
        };
        Engine {
            store,
            clock,
            authz,
            runner: Arc::default(),
            mover: Arc::default(),
            callouts: None,
        }
    }

    /// The same engine, calling custom extensions through `sender`.
    pub fn with_callouts(mut self, sender: Arc<dyn extensions::CalloutSender>) -> Engine {
        self.callouts = Some(sender);
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A write transaction. Its commit ends the authorization cache's epoch, so that roles
    /// and group memberships it changed are seen by the next request.
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let mut inner = self.store.write().await?;
        if self.clock.mode() == "virtual" {
            self.follow_shared_clock(&mut *inner).await?;
        }
        Ok(Box::new(epoch::EpochTx {
            inner,
            cache: self.authz.clone(),
        }))
    }

    /// A virtual clock shared by the instances on one database: where any of them last moved
    /// it (kept in the meta by `advance_clock`) is where this one stands too, before it
    /// writes. Never backwards.
    async fn follow_shared_clock(&self, tx: &mut dyn Tx) -> Result<()> {
        let saved = tx
            .meta_get(lifecycle::due::VIRTUAL_NOW)
            .await?
            .and_then(|t| Timestamp::parse(&t).ok());
        if let Some(t) = saved {
            self.clock.move_to(t);
        }
        Ok(())
    }

    /// The clock's now, a virtual clock first brought up to where another instance on the same
    /// database moved it.
    pub async fn synced_now(&self) -> Result<Timestamp> {
        if self.clock.mode() == "virtual" {
            let mut tx = self.store.read().await?;
            self.follow_shared_clock(&mut *tx).await?;
        }
        Ok(self.now())
    }
}

/// Who a write is recorded as (`createdBy`/`modifiedBy`): the caller's user principal name
/// when the directory knows the caller, else what the token said.
async fn actor(tx: &mut dyn Tx, p: &Principal) -> Result<String> {
    use accessd_domain::store::TxExt;
    if p.display.is_none()
        && let Some(u) = tx.load::<accessd_domain::User>(&p.object_id).await?
        && let Some(upn) = u.user_principal_name
    {
        return Ok(upn);
    }
    Ok(p.actor())
}

#[cfg(test)]
mod tests;
