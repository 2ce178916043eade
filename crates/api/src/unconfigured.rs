//! Entity sets of entitlement management that mean nothing in accessd's tenant: resource
//! environments (accessd hosts no SharePoint Online geography or custom data provider),
//! control configurations, and beta's external origin resource connectors. They answer as the
//! real service does for a tenant that has not set the features up: an empty collection, 404
//! for any id, and writes refused with 405 (docs/decisions.md).

use accessd_domain::Principal;
use accessd_engine::authz::{Obj, Op, Res};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::response::{self, context_url};
use crate::{AppState, Dialect};

/// The sets, per dialect.
pub fn sets(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::V1 => &["controlConfigurations", "resourceEnvironments"],
        Dialect::Beta => &[
            "accessPackageResourceEnvironments",
            "controlConfigurations",
            "externalOriginResourceConnectors",
        ],
    }
}

/// `(set, rest)` when the path names one of [`sets`].
pub fn matches(d: Dialect, segs: &[String]) -> Option<(&'static str, &[String])> {
    match segs {
        [a, b, c, rest @ ..] if a == "identityGovernance" && b == "entitlementManagement" => {
            sets(d)
                .iter()
                .find(|s| **s == c.as_str())
                .map(|s| (*s, rest))
        }
        _ => None,
    }
}

pub async fn route(
    s: &AppState,
    d: Dialect,
    ctx: &RequestCtx,
    caller: &Principal,
    method: &Method,
    set: &str,
    rest: &[String],
) -> ApiResult<Response> {
    // Reading needs an entitlement-management read permission, like the other sets.
    s.engine
        .authorize(caller, Op::Mine, Res::AccessPackage, &Obj::default())
        .await?;
    if *method != Method::GET {
        return Err(ApiError::method_not_allowed(
            method.as_str(),
            &format!("{set} (not set up in this tenant)"),
        ));
    }
    match rest {
        [] => Ok(response::json(
            StatusCode::OK,
            &json!({
                "@odata.context": context_url(ctx, d, &format!("identityGovernance/entitlementManagement/{set}")),
                "value": Value::Array(vec![]),
            }),
        )),
        [id, ..] => Err(ApiError::not_found(
            match set {
                "controlConfigurations" => "control configuration",
                "externalOriginResourceConnectors" => "external origin resource connector",
                _ => "resource environment",
            },
            id,
        )),
    }
}
