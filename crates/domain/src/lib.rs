//! accessd-domain
