//! JSON batching (`POST /v1.0/$batch`, `/beta/$batch`) as Graph does it: up to 20 requests with
//! ids, relative URLs, optional headers and bodies, and `dependsOn`. Each inner request goes
//! through the same handler as a request of its own (its own authorization, its own answer);
//! one that depends on a failed request answers 424. A batch that breaks the rules (more than
//! 20 requests, an id twice, a dependency on nothing or in a cycle) is refused whole, with
//! Graph's 400.

use std::collections::{HashMap, HashSet};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::{AppState, Dialect};

/// Graph's limit.
pub const MAX_REQUESTS: usize = 20;

struct Inner {
    id: String,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn parse(body: &Map<String, Value>) -> ApiResult<Vec<Inner>> {
    let Some(Value::Array(items)) = body.get("requests") else {
        return Err(bad("The batch body must have a 'requests' array."));
    };
    if items.is_empty() {
        return Err(bad("The batch has no requests."));
    }
    if items.len() > MAX_REQUESTS {
        return Err(bad(format!(
            "Too many requests in the batch: {} (the limit is {MAX_REQUESTS}).",
            items.len()
        )));
    }
    let mut out = vec![];
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let o = item
            .as_object()
            .ok_or_else(|| bad(format!("requests[{i}] is not an object.")))?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let id = text("id").ok_or_else(|| bad(format!("requests[{i}] has no 'id'.")))?;
        if !seen.insert(id.clone()) {
            return Err(bad(format!(
                "The request id '{id}' is used more than once in the batch."
            )));
        }
        let method = text("method")
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| bad(format!("requests[{i}] has no valid 'method'.")))?;
        let url = text("url").ok_or_else(|| bad(format!("requests[{i}] has no 'url'.")))?;
        let headers = match o.get("headers") {
            None | Some(Value::Null) => vec![],
            Some(Value::Object(h)) => h
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect(),
            Some(_) => return Err(bad(format!("requests[{i}].headers is not an object."))),
        };
        // `depends_on` is how Microsoft's Python SDK spells it.
        let depends_on = match o.get("dependsOn").or_else(|| o.get("depends_on")) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(_) => return Err(bad(format!("requests[{i}].dependsOn is not an array."))),
        };
        out.push(Inner {
            id,
            method,
            url,
            headers,
            body: o.get("body").cloned().filter(|b| !b.is_null()),
            depends_on,
        });
    }
    Ok(out)
}

/// The order to run them in: every request after what it depends on.
fn order(items: &[Inner]) -> ApiResult<Vec<usize>> {
    let index: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    for r in items {
        for d in &r.depends_on {
            if !index.contains_key(d.as_str()) {
                return Err(bad(format!(
                    "The request '{}' depends on '{d}', which is not in the batch.",
                    r.id
                )));
            }
        }
    }
    let mut done = vec![false; items.len()];
    let mut out = vec![];
    while out.len() < items.len() {
        let before = out.len();
        for (i, r) in items.iter().enumerate() {
            if !done[i] && r.depends_on.iter().all(|d| done[index[d.as_str()]]) {
                done[i] = true;
                out.push(i);
            }
        }
        if out.len() == before {
            return Err(bad("The batch's dependsOn form a cycle."));
        }
    }
    Ok(out)
}

/// Answers a batch: `outer` is the batch request's own headers (its token is every inner
/// request's, unless one names its own).
pub async fn run(
    s: &AppState,
    d: Dialect,
    ctx: &RequestCtx,
    outer: &HeaderMap,
    body: &Map<String, Value>,
) -> ApiResult<Response> {
    let items = parse(body)?;
    let run_order = order(&items)?;
    let mut status_of: HashMap<String, u16> = HashMap::new();
    let mut responses = vec![];
    for i in run_order {
        let r = &items[i];
        let failed_dep = r
            .depends_on
            .iter()
            .find(|dep| status_of.get(dep.as_str()).is_some_and(|st| *st >= 400));
        let answer = if let Some(dep) = failed_dep {
            let err = ApiError::new(
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                format!("The request it depends on ('{dep}') failed."),
            );
            let date = crate::middleware::error_date(s.wall_clock.as_ref());
            json!({"id": r.id, "status": 424, "headers": {"Content-Type": "application/json"},
                   "body": err.body(&ctx.request_id, &ctx.client_request_id, &date)})
        } else {
            one(s, d, ctx, outer, r).await
        };
        status_of.insert(
            r.id.clone(),
            answer["status"].as_u64().unwrap_or(500) as u16,
        );
        responses.push(answer);
    }
    Ok(crate::response::json(
        StatusCode::OK,
        &json!({"responses": responses}),
    ))
}

/// One inner request, through the dialect's handler.
/// A header name as Graph writes it in a batch answer (`Content-Type`, `Location`,
/// `OData-Version`): Microsoft's JavaScript client looks `Content-Type` up by that spelling.
fn title_case(name: &str) -> String {
    if name.eq_ignore_ascii_case("odata-version") {
        return "OData-Version".into();
    }
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// An inner URL as a path under the dialect: relative (`/users`, `users`), or absolute with the
/// version segment (as some SDKs write it).
fn inner_path(d: Dialect, url: &str) -> String {
    let mut rest = url;
    if let Some((_, after)) = url.split_once("://") {
        rest = after.find('/').map_or("", |i| &after[i..]);
    }
    let rest = rest.trim_start_matches('/');
    let rest = rest
        .strip_prefix(d.segment())
        .filter(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
        .unwrap_or(rest);
    format!("/{}/{}", d.segment(), rest.trim_start_matches('/'))
}

async fn one(s: &AppState, d: Dialect, ctx: &RequestCtx, outer: &HeaderMap, r: &Inner) -> Value {
    let path = inner_path(d, &r.url);
    let mut b = Request::builder().method(r.method.clone()).uri(&path);
    if let Some(auth) = outer.get(header::AUTHORIZATION) {
        b = b.header(header::AUTHORIZATION, auth.clone());
    }
    b = b.header("x-accessd-in-batch", "1");
    let mut has_type = false;
    for (k, v) in &r.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
            has_type |= k == header::CONTENT_TYPE;
            b = b.header(k, v);
        }
    }
    let bytes = match &r.body {
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(v) => v.to_string().into_bytes(),
        None => vec![],
    };
    if !bytes.is_empty() && !has_type {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let mut inner_ctx = ctx.clone();
    inner_ctx.request_id = uuid::Uuid::new_v4().to_string();
    let req = match b.body(Body::from(bytes)) {
        Ok(mut req) => {
            req.extensions_mut().insert(inner_ctx.clone());
            req
        }
        Err(e) => {
            return json!({"id": r.id, "status": 400, "body": {"error": {"code": "BadRequest", "message": format!("The request's url or headers are not valid: {e}.")}}});
        }
    };
    let res = crate::handlers::graph_response(s.clone(), d, req).await;
    let res = crate::middleware::with_error_body(
        res,
        &inner_ctx.request_id,
        &inner_ctx.client_request_id,
        s.wall_clock.as_ref(),
    );
    let status = res.status().as_u16();
    let mut headers = Map::new();
    for (k, v) in res.headers() {
        if k == header::CONTENT_LENGTH {
            continue;
        }
        if let Ok(v) = v.to_str() {
            headers.insert(title_case(k.as_str()), Value::String(v.to_string()));
        }
    }
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        None
    } else {
        Some(
            serde_json::from_slice::<Value>(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        )
    };
    let mut out = json!({"id": r.id, "status": status, "headers": headers});
    if let Some(b) = body {
        out["body"] = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_urls() {
        let d = Dialect::V1;
        assert_eq!(inner_path(d, "/users?$top=1"), "/v1.0/users?$top=1");
        assert_eq!(inner_path(d, "users"), "/v1.0/users");
        assert_eq!(
            inner_path(d, "https://127.0.0.1:5599/v1.0/users/1"),
            "/v1.0/users/1"
        );
        assert_eq!(inner_path(d, "/v1.0/me"), "/v1.0/me");
        assert_eq!(inner_path(Dialect::Beta, "/beta"), "/beta/");
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("odata-version"), "OData-Version");
    }
}
