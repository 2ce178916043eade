//! The layers every request passes: request ids, Graph's error envelope, panics caught as 500s.

use std::sync::Arc;

use accessd_domain::Clock;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::response::JSON_CONTENT_TYPE;

/// Per-request facts handlers need: ids for the error envelope and the base URL for links.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub request_id: String,
    pub client_request_id: String,
    /// `http://host:port`, from the request's own `Host` (so links stay on the name the client
    /// used, as the SDK's token handler requires).
    pub base: String,
    /// The request carried `ConsistencyLevel: eventual`, which Graph's directory wants for
    /// `$search`, `$count` and its advanced filters (docs/queries.md).
    pub eventual: bool,
}

fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Assigns request ids, echoes `client-request-id`, and writes Graph's error body for any error
/// response (an [`ApiError`] in the response's extensions, or a bare error status from a layer).
/// What the middleware keeps across requests: the request log and the faults in force.
#[derive(Clone)]
pub struct Layers {
    pub log: Arc<crate::requestlog::RequestLog>,
    pub faults: Arc<crate::faults::Faults>,
}

/// Whether a path is one of Graph's (where injected faults apply).
fn is_graph_path(path: &str) -> bool {
    ["/v1.0", "/beta", "/localtest"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub async fn context(
    https: bool,
    wall: Arc<dyn Clock>,
    layers: Layers,
    mut req: Request,
    next: Next,
) -> Response {
    let log = layers.log;
    let started = std::time::Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id =
        header_str(req.headers(), "client-request-id").unwrap_or_else(|| request_id.clone());
    // HTTP/2 carries the host in `:authority` (the URI), not in a `Host` header.
    let host = header_str(req.headers(), "host")
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    let scheme = match header_str(req.headers(), "x-forwarded-proto") {
        Some(p) if p == "https" || p == "http" => p,
        _ => if https { "https" } else { "http" }.to_string(),
    };
    let ctx = RequestCtx {
        request_id: request_id.clone(),
        client_request_id: client_request_id.clone(),
        base: format!("{scheme}://{host}"),
        eventual: header_str(req.headers(), "consistencylevel")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual")),
    };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_string());
    req.extensions_mut().insert(ctx);
    let mut res = if layers.faults.is_active() && is_graph_path(&path) {
        let who = header_str(req.headers(), "authorization").unwrap_or_default();
        match layers.faults.before(&method, &path, &who) {
            crate::faults::Verdict::Answer(r) => r,
            crate::faults::Verdict::Serve(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                let r = next.run(req).await;
                layers.faults.after(&method, &r);
                r
            }
        }
    } else {
        next.run(req).await
    };
    let seen = res
        .extensions_mut()
        .remove::<crate::requestlog::Seen>()
        .unwrap_or_default();
    if res.status().is_server_error()
        && let Some(err) = res.extensions().get::<ApiError>()
    {
        tracing::error!(%method, %path, request_id = %request_id, detail = err.internal_detail().unwrap_or(""), "{err}");
    }
    let mut res = with_error_body(res, &request_id, &client_request_id, wall.as_ref());
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&client_request_id) {
        h.insert("client-request-id", v);
    }
    if !path.starts_with("/_accessd/requests") && path != "/healthz" {
        log.push(crate::requestlog::Entry {
            time: wall.now().to_wire(),
            method: method.to_string(),
            path: path_and_query,
            status: res.status().as_u16(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            request_id,
            client_request_id,
            seen,
        });
    }
    res
}

/// The `date` of an error body: the wall clock, to the second.
pub fn error_date(wall: &dyn Clock) -> String {
    wall.now().as_utc().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// An error response with Graph's body: from the [`ApiError`] in its extensions, or for a bare
/// error status from a layer. Other responses pass unchanged.
pub fn with_error_body(
    mut res: Response,
    request_id: &str,
    client_request_id: &str,
    wall: &dyn Clock,
) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let err = match res.extensions_mut().remove::<ApiError>() {
        Some(e) => e,
        None if is_empty_or_plain(&res) => default_error(status),
        None => return res,
    };
    let body = err.body(request_id, client_request_id, &error_date(wall));
    let mut fresh = (err.status, Body::from(body.to_string())).into_response();
    for (k, v) in res.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            fresh.headers_mut().append(k.clone(), v.clone());
        }
    }
    fresh.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    fresh
}

fn is_empty_or_plain(res: &Response) -> bool {
    !res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

fn default_error(status: StatusCode) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "RequestEntityTooLarge",
            format!(
                "The request body is larger than the limit of {} bytes.",
                crate::body::MAX_BODY
            ),
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "MethodNotAllowed",
            "The HTTP method is not allowed on this resource.",
        ),
        StatusCode::NOT_FOUND => {
            ApiError::new(status, "BadRequest", "Resource not found for the segment.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "UnsupportedMediaType",
            "The request's content type is not supported; send application/json.",
        ),
        s if s.is_server_error() => ApiError::internal(format!("layer answered {s}")),
        s => ApiError::new(
            s,
            "BadRequest",
            s.canonical_reason().unwrap_or("Bad request"),
        ),
    }
}

/// Turns a panic in a handler into a 500 with Graph's body, never a dropped connection.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "panic".to_string()
    };
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}
