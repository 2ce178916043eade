//! accessd-engine
