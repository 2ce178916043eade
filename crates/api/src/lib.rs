//! accessd's HTTP face: Microsoft Graph's entitlement-management URLs under `/v1.0` and
//! `/beta`, the small directory beside them, tokens, OData conventions and Graph's errors.
//!
//! Architecture invariant: this is the only crate that knows the wire format. The two JSON
//! dialects are projections of the one domain model (`wire`), paths are resolved against the
//! model (`path`), writes go through `accessd_engine`, reads straight to the store.

use std::sync::Arc;

use accessd_domain::{Clock, Store};
use accessd_engine::Engine;
use axum::Router;

mod apps;
pub mod auth;
mod batch;
mod body;
pub mod edm;
mod emulator;
pub mod error;
mod extensions;
pub mod faults;
mod guard;
mod handlers;
mod idp;
mod list;
pub mod middleware;
mod path;
mod preconditions;
pub mod requestlog;
mod response;
pub mod seed;
mod served;
mod settings;
mod suggestions;
mod unconfigured;
mod wire;

pub use error::{ApiError, ApiResult};

/// The two wire dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    V1,
    Beta,
}

impl Dialect {
    pub fn segment(self) -> &'static str {
        match self {
            Dialect::V1 => "v1.0",
            Dialect::Beta => "beta",
        }
    }
}

/// Settings the API reads.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accept every `$filter`/`$orderby`/`$expand` the model allows, not only what Graph allows.
    pub permissive_queries: bool,
    /// Answer with `https://` links (nextLink, Location, @odata.context).
    pub https: bool,
    /// Page size when the caller gives no `$top`.
    pub default_page_size: u64,
    /// The largest `$top` accepted.
    pub max_page_size: u64,
    /// Faults in force from the start (`serve --faults`); changed at run time through
    /// `/_accessd/faults`.
    pub faults: faults::FaultSet,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            permissive_queries: false,
            https: false,
            default_page_size: 100,
            max_page_size: 999,
            faults: faults::FaultSet::default(),
        }
    }
}

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    /// Bearer-token validation: accessd's own key and an external OpenID Connect issuer, if any.
    pub tokens: Arc<auth::Verifier>,
    pub config: Arc<Config>,
    /// Wall-clock time for token lifetimes (the engine's clock may be moved by the emulator).
    pub wall_clock: Arc<dyn Clock>,
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    handlers::router(state)
}
