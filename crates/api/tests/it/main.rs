//! Integration tests of the HTTP API: the whole router on a fresh in-memory store per test.

mod auth;
mod authz_matrix;
mod batch;
mod beta_functions;
mod common;
mod dialects;
mod directory;
mod errors;
mod extensions;
mod faults;
mod idp;
mod lifecycle;
mod metadata;
mod oidc;
mod partners;
mod queries;
mod queries_bad;
mod queries_directory;
mod queries_expand;
mod queries_paging;
mod requestlog;
mod roles;
mod sdk_regressions;
mod seeds;
mod settings;
mod snapshots;
