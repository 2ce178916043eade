//! accessd-testkit
