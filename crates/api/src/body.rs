//! Reading request bodies: the size limit (413), JSON syntax errors (400), and the top-level
//! shape, all as Graph errors.

use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::http::{HeaderMap, StatusCode, header};
use futures::StreamExt;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The largest request body accepted: 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

pub async fn read(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body is larger than the limit of {MAX_BODY} bytes."),
        )
    };
    let mut stream = body.into_data_stream();
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<u64>().ok())
        && len > MAX_BODY as u64
    {
        if len <= DRAIN_LIMIT as u64 {
            drain(&mut stream).await;
        }
        return Err(too_large());
    }
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| too_large())?;
        if out.len() + chunk.len() > MAX_BODY {
            drain(&mut stream).await;
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// How much of an oversized body is read and thrown away before the 413 goes out, and for how
/// long. A client still sending its body when the answer arrives sees a reset connection
/// (HTTP/1.1) or stream (HTTP/2) instead of the 413: httpx, which the Python SDKs use, does.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(5);

async fn drain(stream: &mut BodyDataStream) {
    let mut seen = 0usize;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len();
            if seen > DRAIN_LIMIT {
                break;
            }
        }
    })
    .await;
}

/// Parses a JSON object body. An empty body is `{}` only when `allow_empty`.
pub fn object(
    headers: &HeaderMap,
    bytes: &[u8],
    allow_empty: bool,
) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if allow_empty {
            return Ok(Map::new());
        }
        return Err(ApiError::bad_request(
            "The request body is empty; a JSON object is required.",
        ));
    }
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let ct = ct.to_ascii_lowercase();
        if !(ct.starts_with("application/json")
            || ct.contains("+json")
            || ct.starts_with("text/plain"))
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                format!("The content type '{ct}' is not supported; send application/json."),
            ));
        }
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "The request body is not valid JSON: {} at line {} column {}.",
            match e.classify() {
                serde_json::error::Category::Eof => "unexpected end of input".to_string(),
                _ => e
                    .to_string()
                    .split(" at line")
                    .next()
                    .unwrap_or("syntax error")
                    .to_string(),
            },
            e.line(),
            e.column()
        ))
    })?;
    match v {
        Value::Object(m) => Ok(m),
        other => Err(ApiError::bad_request(format!(
            "The request body must be a JSON object, not {}.",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
    }
}
