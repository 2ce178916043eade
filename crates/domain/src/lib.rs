//! accessd's domain: the entities of entitlement management and of the directory beside it,
//! time and durations, the query tree and the storage traits.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of HTTP, JSON wire shapes
//! or SQL. It never reads the clock; callers pass a [`time::Clock`].

pub mod auth;
pub mod entities;
pub mod enums;
pub mod etag;
pub mod model;
pub mod query;
pub mod store;
pub mod time;

pub use auth::{Principal, PrincipalKind};
pub use enums::*;
pub use model::*;
pub use query::{CmpOp, Expr, Func, OrderKey, Query, Value, ValueType};
pub use store::{Entity, Kind, Link, Row, SnapshotInfo, Store, StoreError, StoreResult, Tx, TxExt};
pub use time::{Clock, Duration, ManualClock, SystemClock, Timestamp};
