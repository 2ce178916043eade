//! The accessd binary's library: command-line commands, wiring (store, clock, keys, engine,
//! API), signals, and the demo tenant.
//!
//! Architecture invariant: this is the only crate that reads the environment, the filesystem
//! or the system clock.

pub mod callouts;
pub mod cli;
pub mod demo;
pub mod dump;
pub mod oidc;
pub mod server;
pub mod tls;
