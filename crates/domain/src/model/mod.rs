//! The entities of entitlement management and of the small directory beside it.
//!
//! One model serves both wire dialects (v1.0 and beta): where the two disagree, the model holds
//! the union, and `accessd-api` projects it each way (see `docs/dialects.md`). Names follow Graph's
//! entity names so that the code and Microsoft's docs point at each other. The serde derives give
//! the stores a JSON form to keep; that form is not the wire format.

mod directory;
mod em;
mod extensions;
mod identity;
mod lifecycle;
mod partners;
mod policy;
mod resources;

pub use directory::*;
pub use em::*;
pub use extensions::*;
pub use identity::*;
pub use lifecycle::*;
pub use partners::*;
pub use policy::*;
pub use resources::*;

/// A fresh identifier in Graph's form: a lower-case hyphenated GUID.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A fresh identifier that sorts by time, for records read in the order they were written
/// (the audit log): `t` in nanoseconds, then a sequence number of this process (records of the
/// same instant keep their order), then random bits; in a GUID's form.
pub fn new_time_ordered_id(t: crate::time::Timestamp) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQUENCE: AtomicU32 = AtomicU32::new(0);
    let utc = t.as_utc();
    let nanos = (utc.timestamp().max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(utc.timestamp_subsec_nanos()));
    let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let random = uuid::Uuid::new_v4();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&nanos.to_be_bytes());
    bytes[8..12].copy_from_slice(&seq.to_be_bytes());
    bytes[12..].copy_from_slice(&random.as_bytes()[12..]);
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Whether `s` is a GUID (any case, hyphenated).
pub fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// Who did something, as the `createdBy`/`modifiedBy` properties show it.
pub type Actor = String;
