//! Building successful responses the way Graph sends them: the OData JSON content type,
//! absolute `@odata.context`, `Location` on creates, text/plain for `$count`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::Dialect;
use crate::middleware::RequestCtx;

pub const JSON_CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub fn json(status: StatusCode, v: &Value) -> Response {
    let mut res = (status, v.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    res
}

pub fn created(v: &Value, location: &str) -> Response {
    let mut res = json(StatusCode::CREATED, v);
    if let Ok(l) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, l);
    }
    res
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn text_count(n: u64) -> Response {
    let mut res = (StatusCode::OK, n.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    res
}

/// `{base}/{version}/$metadata#{context}`
pub fn context_url(ctx: &RequestCtx, d: Dialect, context: &str) -> String {
    format!("{}/{}/$metadata#{}", ctx.base, d.segment(), context)
}

/// Puts `@odata.context` first in an object.
pub fn with_context(url: String, obj: Map<String, Value>) -> Value {
    let mut out = Map::with_capacity(obj.len() + 1);
    out.insert("@odata.context".into(), Value::String(url));
    for (k, v) in obj {
        if k != "@odata.context" {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}
