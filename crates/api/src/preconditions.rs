//! Optimistic concurrency as OData does it: a single entity is answered with its tag
//! (`@odata.etag` in the body, `ETag` in the headers), and a change (`PATCH`, `PUT`, `DELETE`)
//! that sends `If-Match` goes ahead only if the entity still has that tag, else 412
//! `PreconditionFailed`. The tag is `accessd_domain::etag` of the stored entity.
//!
//! Two checks: one here, before the use case, against the entity the path resolved (every
//! change); and, for the changes made through an `update_*` use case, one inside its write
//! transaction (`accessd_engine::Error::check_if_match`), where no other writer on any instance
//! can come between the check and the write.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde_json::{Map, Value as Json};

use crate::error::{ApiError, ApiResult};
use crate::path::Ent;

/// The `If-Match` header, if sent.
pub(crate) fn if_match(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim().to_string()))
            .map_err(|_| ApiError::bad_request("The If-Match header is not valid text.")),
    }
}

/// Refuses the change when `If-Match` names another state of `ent` than the one resolved.
pub(crate) fn check(if_match: Option<&str>, ent: &Ent) -> ApiResult<()> {
    let (Some(expected), Some(current)) = (if_match, ent.etag()) else {
        return Ok(());
    };
    Ok(accessd_engine::Error::check_tag(expected, &current)?)
}

/// The entity's JSON with its tag first (`@odata.etag`; `@odata.context` goes before it).
pub(crate) fn annotate(body: Map<String, Json>, tag: &str) -> Map<String, Json> {
    let mut out = Map::with_capacity(body.len() + 1);
    out.insert("@odata.etag".into(), Json::String(tag.to_string()));
    out.extend(body);
    out
}

/// Sets the `ETag` header of an answer.
pub(crate) fn with_header(mut r: Response, tag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}
