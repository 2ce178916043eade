//! Graph's error envelope. Every failure a handler returns is an [`ApiError`]; the
//! [`crate::middleware`] layer renders it as
//! `{"error":{"code","message","target"?,"details"?,"innerError":{"date","request-id","client-request-id"}}}`
//! with the request's ids, and turns the few errors that layers produce on their own (body too
//! large, panics, unknown routes) into the same shape.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// One entry of `error.details`.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub code: String,
    pub message: String,
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    /// What few errors carry (boxed to keep `Result`s small).
    pub extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extra {
    pub details: Vec<Detail>,
    /// Sent with 401s: `WWW-Authenticate: Bearer ...`.
    pub authenticate: Option<String>,
    /// For 5xx: what went wrong, for the log only (the body says "internal error").
    pub internal: Option<String>,
    /// Send `details` even when empty (`"details": []`, as entitlement management's
    /// `InvalidFilter` answers do).
    pub empty_details: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            target: None,
            extra: None,
        }
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The log-only detail of a 5xx.
    pub fn internal_detail(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.internal.as_deref())
    }

    pub fn with_internal(mut self, detail: impl Into<String>) -> ApiError {
        self.extra_mut().internal = Some(detail.into());
        self
    }

    /// Sends `"details": []` when there are none.
    pub fn with_empty_details(mut self) -> ApiError {
        self.extra_mut().empty_details = true;
        self
    }

    pub fn with_target(mut self, target: impl Into<String>) -> ApiError {
        self.target = Some(target.into());
        self
    }

    /// 400 `BadRequest` about one property.
    pub fn bad_property(target: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message).with_target(target)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 404 for an entitlement-management entity.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("The {what} '{id}' was not found."),
        )
    }

    /// 404 for a path that names nothing accessd serves.
    pub fn no_route(path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "BadRequest",
            format!("Resource not found for the segment '{path}'."),
        )
    }

    pub fn method_not_allowed(method: &str, what: &str) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method '{method}' is not allowed on {what}."),
        )
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        e.extra_mut().authenticate =
            Some("Bearer realm=\"accessd\", error=\"invalid_token\"".into());
        e
    }

    pub fn internal(context: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "An internal error occurred.",
        );
        e.extra_mut().internal = Some(context.into());
        e
    }

    pub fn unavailable(context: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceNotAvailable",
            "The service is temporarily unavailable.",
        );
        e.extra_mut().internal = Some(context.into());
        e
    }

    /// The JSON body, given the request's ids and the time.
    pub fn body(&self, request_id: &str, client_request_id: &str, date: &str) -> Value {
        let mut err = Map::new();
        err.insert("code".into(), json!(self.code));
        err.insert("message".into(), json!(self.message));
        if let Some(t) = &self.target {
            err.insert("target".into(), json!(t));
        }
        let details = self
            .extra
            .as_ref()
            .map(|x| x.details.as_slice())
            .unwrap_or_default();
        let always = self.extra.as_ref().is_some_and(|x| x.empty_details);
        if !details.is_empty() || always {
            let details: Vec<Value> = details
                .iter()
                .map(|d| {
                    let mut m = Map::new();
                    m.insert("code".into(), json!(d.code));
                    m.insert("message".into(), json!(d.message));
                    if let Some(t) = &d.target {
                        m.insert("target".into(), json!(t));
                    }
                    Value::Object(m)
                })
                .collect();
            err.insert("details".into(), Value::Array(details));
        }
        err.insert(
            "innerError".into(),
            json!({"date": date, "request-id": request_id, "client-request-id": client_request_id}),
        );
        json!({ "error": err })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// The response carries the error in its extensions with an empty body; the envelope
/// middleware writes the body (it knows the request ids).
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        if let Some(a) = self.extra.as_ref().and_then(|x| x.authenticate.as_deref())
            && let Ok(v) = HeaderValue::from_str(a)
        {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        res.extensions_mut().insert(self);
        res
    }
}

impl From<accessd_engine::Error> for ApiError {
    fn from(e: accessd_engine::Error) -> ApiError {
        use accessd_engine::Error as E;
        match e {
            E::NotFound { message, .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
            }
            E::Invalid {
                code,
                target,
                message,
            } => {
                let mut err = ApiError::new(StatusCode::BAD_REQUEST, code, message);
                err.target = target;
                err
            }
            E::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            E::Forbidden { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            E::PreconditionFailed { message } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                message,
            ),
            E::Store(s) => s.into(),
        }
    }
}

/// A storage column's property name (`display_name` -> `displayName`).
fn wire_name(column: &str) -> String {
    let mut out = String::with_capacity(column.len());
    let mut upper = false;
    for ch in column.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

impl From<accessd_domain::StoreError> for ApiError {
    fn from(e: accessd_domain::StoreError) -> ApiError {
        use accessd_domain::StoreError as S;
        match e {
            S::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                "The resource was not found.",
            ),
            S::Conflict(m) => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "Conflict",
                    "The resource was changed concurrently; retry.",
                );
                err.extra_mut().internal = Some(m);
                err
            }
            S::Unavailable(m) => ApiError::unavailable(m),
            S::TooLong(column) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "The value of '{}' is longer than {} bytes.",
                    wire_name(column),
                    accessd_domain::store::MAX_INDEXED_TEXT
                ),
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}
