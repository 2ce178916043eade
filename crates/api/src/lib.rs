//! accessd-api
