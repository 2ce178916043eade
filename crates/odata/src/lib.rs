//! accessd-odata
