//! `identityGovernance/entitlementManagement/accessPackageSuggestions` in both dialects: the
//! list, `filterByCurrentUser(on='relatedPeopleAssignments'|'assignmentHistory')` (a flags
//! enum: several values comma-separated), one suggestion by its id (the package's), and its
//! `accessPackage` (an `availableAccessPackage`). Computed by the engine for the signed-in user
//! (`accessd_engine::suggestions`); read-only.

use accessd_domain::Principal;
use accessd_engine::suggestions::{Reasons, Suggestion};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::response::{self, context_url, with_context};
use crate::{AppState, Dialect};

const SET: &str = "identityGovernance/entitlementManagement/accessPackageSuggestions";

/// The path after the collection, when the path names this collection.
pub fn matches(segs: &[String]) -> Option<&[String]> {
    match segs {
        [a, b, c, rest @ ..]
            if a == "identityGovernance"
                && b == "entitlementManagement"
                && c == "accessPackageSuggestions"
                && rest.len() <= 2 =>
        {
            Some(rest)
        }
        _ => None,
    }
}

fn suggestion_out(s: &Suggestion) -> Map<String, Value> {
    let mut reasons = Vec::new();
    if !s.related_people.is_empty() {
        reasons.push(json!({
            "@odata.type": "#microsoft.graph.accessPackageSuggestionRelatedPeopleBased",
            "relatedPeopleAssignmentCount": s.related_people.len(),
            "relatedPeople": s.related_people.iter()
                .map(|p| json!({"id": p.id, "displayName": p.display_name}))
                .collect::<Vec<_>>(),
        }));
    }
    if let Some((count, last)) = &s.past {
        reasons.push(json!({
            "@odata.type": "#microsoft.graph.accessPackageSuggestionSelfAssignmentHistoryBased",
            "pastAssignmentCount": count,
            "lastAssignmentDateTime": last.to_wire(),
        }));
    }
    let mut m = Map::new();
    m.insert(
        "@odata.type".into(),
        "#microsoft.graph.accessPackageSuggestion".into(),
    );
    m.insert("id".into(), s.package.id.clone().into());
    m.insert("reasons".into(), Value::Array(reasons));
    m
}

/// `on='relatedPeopleAssignments,assignmentHistory'`.
fn reasons_of(seg: &str) -> ApiResult<Reasons> {
    let args = seg
        .strip_prefix("filterByCurrentUser(")
        .and_then(|a| a.strip_suffix(')'))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "'{seg}' is not a function of access package suggestions."
            ))
        })?;
    let args = crate::path::parse_args(args)?;
    let on = args
        .iter()
        .find(|(k, _)| k == "on" || k.is_empty())
        .map(|(_, v)| v.as_str())
        .unwrap_or("relatedPeopleAssignments,assignmentHistory");
    let mut r = Reasons {
        related_people: false,
        history: false,
    };
    for v in on.split(',').map(str::trim) {
        match v {
            "relatedPeopleAssignments" => r.related_people = true,
            "assignmentHistory" => r.history = true,
            "none" => {}
            other => {
                return Err(ApiError::bad_property(
                    "on",
                    format!(
                        "'{other}' is not an accessPackageSuggestionFilterByCurrentUserOptions value (relatedPeopleAssignments, assignmentHistory)."
                    ),
                ));
            }
        }
    }
    Ok(r)
}

pub async fn route(
    s: &AppState,
    d: Dialect,
    ctx: &RequestCtx,
    caller: &Principal,
    method: &Method,
    rest: &[String],
) -> ApiResult<Response> {
    if *method != Method::GET {
        return Err(ApiError::method_not_allowed(
            method.as_str(),
            "access package suggestions (they are computed, read-only)",
        ));
    }
    let (reasons, one) = match rest {
        [] => (Reasons::ALL, None),
        [f] if f.starts_with("filterByCurrentUser(") => (reasons_of(f)?, None),
        [id] => (Reasons::ALL, Some((id.as_str(), false))),
        [id, nav] if nav == "accessPackage" => (Reasons::ALL, Some((id.as_str(), true))),
        _ => {
            return Err(ApiError::no_route(
                rest.last().map(String::as_str).unwrap_or_default(),
            ));
        }
    };
    let list = s.engine.suggestions(caller, reasons).await?;
    let Some((id, package)) = one else {
        let mut out = Map::new();
        out.insert("@odata.context".into(), context_url(ctx, d, SET).into());
        out.insert(
            "value".into(),
            Value::Array(
                list.iter()
                    .map(|x| Value::Object(suggestion_out(x)))
                    .collect(),
            ),
        );
        return Ok(response::json(StatusCode::OK, &Value::Object(out)));
    };
    let Some(found) = list.iter().find(|x| x.package.id.eq_ignore_ascii_case(id)) else {
        return Err(ApiError::not_found("access package suggestion", id));
    };
    Ok(if package {
        response::json(
            StatusCode::OK,
            &with_context(
                context_url(ctx, d, &format!("{SET}('{id}')/accessPackage/$entity")),
                crate::wire::catalog::available_out(&found.package),
            ),
        )
    } else {
        response::json(
            StatusCode::OK,
            &with_context(
                context_url(ctx, d, &format!("{SET}/$entity")),
                suggestion_out(found),
            ),
        )
    })
}
