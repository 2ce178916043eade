//! `identityGovernance/entitlementManagement/settings` (GET, PATCH) in both dialects: v1.0's
//! `durationUntilExternalUserDeletedAfterBlocked` and `externalUserLifecycleAction`
//! (`blockSignInAndDelete`), beta's `daysUntilExternalUserDeletedAfterBlocked` and
//! `BlockSignInAndDelete`; one model behind both.

use accessd_domain::{Duration, Principal};
use accessd_engine::settings::{EmSettings, ExternalUserAction};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::edm::validate::{self, NO_EXTRAS};
use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::response::{self, context_url, with_context};
use crate::{AppState, Dialect, body};

/// The one settings object's id, as the service shows it.
const ID: &str = "entitlementManagementSettings";

pub fn matches(segs: &[String]) -> bool {
    matches!(segs, [a, b, c] if a == "identityGovernance" && b == "entitlementManagement" && c == "settings")
}

fn out(d: Dialect, s: &EmSettings) -> Map<String, Value> {
    let v = match d {
        Dialect::V1 => json!({
            "id": ID,
            "durationUntilExternalUserDeletedAfterBlocked":
                Duration::days(i64::from(s.days_until_external_user_deleted_after_blocked)).to_iso(),
            "externalUserLifecycleAction": s.external_user_lifecycle_action.v1(),
        }),
        Dialect::Beta => json!({
            "id": ID,
            "daysUntilExternalUserDeletedAfterBlocked": s.days_until_external_user_deleted_after_blocked,
            "externalUserLifecycleAction": s.external_user_lifecycle_action.beta(),
        }),
    };
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn route(
    s: &AppState,
    d: Dialect,
    ctx: &RequestCtx,
    caller: &Principal,
    method: &Method,
    headers: &HeaderMap,
    bytes: &[u8],
) -> ApiResult<Response> {
    let context = context_url(
        ctx,
        d,
        "identityGovernance/entitlementManagement/settings/$entity",
    );
    match *method {
        Method::GET => {
            let st = s.engine.settings(caller).await?;
            Ok(response::json(
                StatusCode::OK,
                &with_context(context, out(d, &st)),
            ))
        }
        Method::PATCH => {
            let b = body::object(headers, bytes, false)?;
            validate::check(
                d,
                "entitlementManagementSettings",
                &Value::Object(b.clone()),
                &NO_EXTRAS,
            )?;
            let action = match b.get("externalUserLifecycleAction").and_then(Value::as_str) {
                None => None,
                Some(a) => Some(ExternalUserAction::parse(a).ok_or_else(|| {
                    ApiError::bad_property(
                        "externalUserLifecycleAction",
                        format!("'{a}' is not one of None, BlockSignIn, BlockSignInAndDelete."),
                    )
                })?),
            };
            let days = match d {
                Dialect::V1 => b
                    .get("durationUntilExternalUserDeletedAfterBlocked")
                    .and_then(Value::as_str)
                    .map(|t| {
                        Duration::parse(t)
                            .ok()
                            .filter(|x| {
                                x.whole_minutes() >= 0 && x.whole_minutes() % (24 * 60) == 0
                            })
                            .map(|x| x.whole_days())
                            .ok_or_else(|| {
                                ApiError::bad_property(
                                    "durationUntilExternalUserDeletedAfterBlocked",
                                    format!(
                                        "'{t}' is not a whole number of days (for example 'P30D')."
                                    ),
                                )
                            })
                    })
                    .transpose()?,
                Dialect::Beta => b
                    .get("daysUntilExternalUserDeletedAfterBlocked")
                    .and_then(Value::as_i64),
            };
            let days = match days {
                Some(n) if n < 0 => {
                    return Err(ApiError::bad_property(
                        "daysUntilExternalUserDeletedAfterBlocked",
                        "The number of days cannot be negative.",
                    ));
                }
                Some(n) => Some(u32::try_from(n).unwrap_or(u32::MAX)),
                None => None,
            };
            s.engine
                .update_settings(caller, |st| {
                    if let Some(a) = action {
                        st.external_user_lifecycle_action = a;
                    }
                    if let Some(n) = days {
                        st.days_until_external_user_deleted_after_blocked = n;
                    }
                    Ok(())
                })
                .await?;
            Ok(response::no_content())
        }
        ref m => Err(ApiError::method_not_allowed(m.as_str(), "the settings")),
    }
}
