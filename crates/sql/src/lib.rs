//! accessd-sql
