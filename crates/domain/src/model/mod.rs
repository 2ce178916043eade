//! The entities of entitlement management and of the small directory beside it.
//!
//! One model serves both wire dialects (v1.0 and beta): where the two disagree, the model holds
//! the union, and `accessd-api` projects it each way (see `docs/dialects.md`). Names follow Graph's
//! entity names so that the code and Microsoft's docs point at each other. The serde derives give
//! the stores a JSON form to keep; that form is not the wire format.

mod directory;
mod em;
mod identity;
mod lifecycle;
mod policy;
mod resources;

pub use directory::*;
pub use em::*;
pub use identity::*;
pub use lifecycle::*;
pub use policy::*;
pub use resources::*;

/// A fresh identifier in Graph's form: a lower-case hyphenated GUID.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `s` is a GUID (any case, hyphenated).
pub fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// Who did something, as the `createdBy`/`modifiedBy` properties show it.
pub type Actor = String;
