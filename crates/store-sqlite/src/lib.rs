//! accessd-store-sqlite
