//! accessd's own routes under `/_accessd/` (not Graph; `docs/emulator.md`): the engine's clock.
//! They need a token like Graph's routes, and an administrator's (the authorization table's
//! `Res::Emulator` row).

use accessd_domain::{Duration, Principal, Timestamp};
use accessd_engine::authz::{Obj, Op, Res};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::{AppState, body, response};

async fn caller(
    s: &AppState,
    headers: &axum::http::HeaderMap,
) -> ApiResult<std::sync::Arc<Principal>> {
    let token = crate::handlers::bearer(headers)?;
    s.tokens.validate(token, s.wall_clock.now()).await
}

fn clock_body(s: &AppState) -> Value {
    let c = s.engine.clock();
    json!({"now": s.engine.now().to_wire(), "mode": c.mode()})
}

/// `GET /_accessd/clock`, `POST /_accessd/clock {"advance": "P30D"}` or `{"to": "..."}`.
pub async fn clock(State(s): State<AppState>, req: Request) -> Response {
    clock_inner(s, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn clock_inner(s: AppState, req: Request) -> ApiResult<Response> {
    let (parts, stream) = req.into_parts();
    let p = caller(&s, &parts.headers).await?;
    let op = if parts.method == Method::GET {
        Op::Get
    } else {
        Op::Update
    };
    s.engine
        .authorize(&p, op, Res::Emulator, &Obj::new("clock"))
        .await?;
    // Another instance on the same database may have moved a virtual clock.
    s.engine.synced_now().await?;
    match parts.method {
        Method::GET => Ok(response::json(StatusCode::OK, &clock_body(&s))),
        Method::POST => {
            let bytes = body::read(&parts.headers, stream).await?;
            let b = body::object(&parts.headers, &bytes, false)?;
            let now = s.engine.now();
            let to = match (b.get("advance"), b.get("to")) {
                (Some(Value::String(d)), None) => {
                    let d = Duration::parse(d).map_err(|_| {
                        ApiError::bad_property(
                            "advance",
                            format!("'{d}' is not an ISO 8601 duration such as 'P30D' or 'PT2H'."),
                        )
                    })?;
                    if d.whole_minutes() < 0 {
                        return Err(ApiError::bad_property(
                            "advance",
                            "The clock never moves backwards.",
                        ));
                    }
                    now.add(d)
                }
                (None, Some(Value::String(t))) => Timestamp::parse(t).map_err(|_| {
                    ApiError::bad_property(
                        "to",
                        format!("'{t}' is not a date and time such as '2027-01-01T00:00:00Z'."),
                    )
                })?,
                _ => {
                    return Err(ApiError::bad_request(
                        "Give either {\"advance\": \"<ISO 8601 duration>\"} or {\"to\": \"<date and time>\"}.",
                    ));
                }
            };
            s.engine.advance_clock(to).await?;
            Ok(response::json(StatusCode::OK, &clock_body(&s)))
        }
        ref m => Err(ApiError::method_not_allowed(m.as_str(), "/_accessd/clock")),
    }
}

fn snapshot_out(i: &accessd_domain::SnapshotInfo) -> Value {
    let created = Timestamp::parse(&i.created).map_or_else(|_| i.created.clone(), |t| t.to_wire());
    json!({"name": i.name, "createdDateTime": created, "objects": i.objects})
}

/// `POST /_accessd/reset` (`{"to": "empty"}`, the default, or `{"to": "seed"}`).
pub async fn reset(State(s): State<AppState>, req: Request) -> Response {
    reset_inner(s, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn reset_inner(s: AppState, req: Request) -> ApiResult<Response> {
    let (parts, stream) = req.into_parts();
    let p = caller(&s, &parts.headers).await?;
    if parts.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            parts.method.as_str(),
            "/_accessd/reset",
        ));
    }
    let bytes = body::read(&parts.headers, stream).await?;
    let to_seed = if bytes.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        let b = body::object(&parts.headers, &bytes, false)?;
        match b.get("to").and_then(Value::as_str) {
            None | Some("empty") => false,
            Some("seed") => true,
            Some(other) => {
                return Err(ApiError::bad_property(
                    "to",
                    format!("'{other}' is not 'empty' or 'seed'."),
                ));
            }
        }
    };
    let objects = s.engine.reset(&p, to_seed).await?;
    Ok(response::json(
        StatusCode::OK,
        &json!({"to": if to_seed { "seed" } else { "empty" }, "objects": objects}),
    ))
}

/// `POST /_accessd/seed`: loads a seed document (docs/emulator.md) into the tenant, all or
/// nothing.
pub async fn seed(State(s): State<AppState>, req: Request) -> Response {
    seed_inner(s, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn seed_inner(s: AppState, req: Request) -> ApiResult<Response> {
    let (parts, stream) = req.into_parts();
    let p = caller(&s, &parts.headers).await?;
    if parts.method == Method::GET {
        // The tenant as a seed document (`accessd export --format seed`).
        s.engine
            .authorize(
                &p,
                accessd_engine::authz::Op::List,
                accessd_engine::authz::Res::Emulator,
                &accessd_engine::authz::Obj::new("seed"),
            )
            .await?;
        let mut tx = s.store.read().await?;
        let doc = crate::seed::export(&mut *tx).await?;
        return Ok(response::json(StatusCode::OK, &doc));
    }
    if parts.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            parts.method.as_str(),
            "/_accessd/seed",
        ));
    }
    // Only administrators load seeds; checked before the body is read.
    s.engine
        .authorize(
            &p,
            accessd_engine::authz::Op::Update,
            accessd_engine::authz::Res::Emulator,
            &accessd_engine::authz::Obj::new("seed"),
        )
        .await?;
    let bytes = body::read(&parts.headers, stream).await?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "The seed is not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let loaded = crate::seed::apply(&s.engine, &p, &doc).await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::to_value(&loaded).unwrap_or_default(),
    ))
}

/// `GET /_accessd/seed.schema.json`: the JSON Schema of seed files.
pub async fn seed_schema() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/schema+json")],
        crate::seed::SCHEMA,
    )
        .into_response()
}

/// `GET /_accessd/snapshots`, `POST /_accessd/snapshots {"name": "..."}`.
pub async fn snapshots(State(s): State<AppState>, req: Request) -> Response {
    snapshots_inner(s, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn snapshots_inner(s: AppState, req: Request) -> ApiResult<Response> {
    let (parts, stream) = req.into_parts();
    let p = caller(&s, &parts.headers).await?;
    match parts.method {
        Method::GET => {
            let list = s.engine.snapshots(&p).await?;
            let value: Vec<Value> = list.iter().map(snapshot_out).collect();
            Ok(response::json(StatusCode::OK, &json!({"value": value})))
        }
        Method::POST => {
            let bytes = body::read(&parts.headers, stream).await?;
            let b = body::object(&parts.headers, &bytes, false)?;
            let Some(name) = b.get("name").and_then(Value::as_str) else {
                return Err(ApiError::bad_property(
                    "name",
                    "The property 'name' (a string) is required.",
                ));
            };
            let info = s.engine.create_snapshot(&p, name).await?;
            Ok(response::json(StatusCode::CREATED, &snapshot_out(&info)))
        }
        ref m => Err(ApiError::method_not_allowed(
            m.as_str(),
            "/_accessd/snapshots",
        )),
    }
}

/// `DELETE /_accessd/snapshots/{name}`, `POST /_accessd/snapshots/{name}/restore`.
pub async fn snapshot(
    State(s): State<AppState>,
    axum::extract::Path(rest): axum::extract::Path<String>,
    req: Request,
) -> Response {
    snapshot_inner(s, rest, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn snapshot_inner(s: AppState, rest: String, req: Request) -> ApiResult<Response> {
    let p = caller(&s, req.headers()).await?;
    let (name, action) = match rest.split_once('/') {
        Some((n, a)) => (n.to_string(), Some(a.to_string())),
        None => (rest.clone(), None),
    };
    match (req.method().clone(), action.as_deref()) {
        (Method::DELETE, None) => {
            s.engine.delete_snapshot(&p, &name).await?;
            Ok(response::no_content())
        }
        (Method::POST, Some("restore")) => {
            let info = s.engine.restore_snapshot(&p, &name).await?;
            Ok(response::json(StatusCode::OK, &snapshot_out(&info)))
        }
        (m, _) => Err(ApiError::method_not_allowed(
            m.as_str(),
            &format!("/_accessd/snapshots/{rest}"),
        )),
    }
}

/// `GET /_accessd/requests`: the last calls, newest first. `top` (default 100), and filters
/// `method`, `status` and `path` (calls whose path and query contain it).
pub async fn requests(
    State(s): State<AppState>,
    axum::Extension(log): axum::Extension<std::sync::Arc<crate::requestlog::RequestLog>>,
    req: Request,
) -> Response {
    requests_inner(s, log, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn requests_inner(
    s: AppState,
    log: std::sync::Arc<crate::requestlog::RequestLog>,
    req: Request,
) -> ApiResult<Response> {
    let p = caller(&s, req.headers()).await?;
    s.engine
        .authorize(&p, Op::List, Res::Emulator, &Obj::new("requests"))
        .await?;
    let mut top = 100usize;
    let (mut method, mut status, mut path) = (None, None, None);
    for (k, v) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "top" | "$top" => {
                top = v
                    .parse()
                    .map_err(|_| ApiError::bad_property("top", format!("'{v}' is not a number.")))?
            }
            "method" => method = Some(v.to_ascii_uppercase()),
            "status" => {
                status = Some(v.parse::<u16>().map_err(|_| {
                    ApiError::bad_property("status", format!("'{v}' is not a status code."))
                })?)
            }
            "path" => path = Some(v.into_owned()),
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unknown query parameter '{other}': use top, method, status or path."
                )));
            }
        }
    }
    let entries = log.newest(top, |e| {
        method.as_ref().is_none_or(|m| &e.method == m)
            && status.is_none_or(|st| e.status == st)
            && path
                .as_ref()
                .is_none_or(|pth| e.path.contains(pth.as_str()))
    });
    let value: Vec<Value> = entries.iter().map(|e| e.json()).collect();
    Ok(response::json(StatusCode::OK, &json!({"value": value})))
}

/// `GET /_accessd/faults` (what is in force), `PUT` (replace: throttle, latency,
/// replicationLagMs, rules, seed), `DELETE` (none).
pub async fn faults(
    State(s): State<AppState>,
    axum::Extension(faults): axum::Extension<std::sync::Arc<crate::faults::Faults>>,
    req: Request,
) -> Response {
    faults_inner(s, faults, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn faults_inner(
    s: AppState,
    faults: std::sync::Arc<crate::faults::Faults>,
    req: Request,
) -> ApiResult<Response> {
    let (parts, stream) = req.into_parts();
    let p = caller(&s, &parts.headers).await?;
    let op = if parts.method == Method::GET {
        Op::Get
    } else {
        Op::Update
    };
    s.engine
        .authorize(&p, op, Res::Emulator, &Obj::new("faults"))
        .await?;
    let out = |f: &crate::faults::FaultSet| serde_json::to_value(f).unwrap_or(Value::Null);
    match parts.method {
        Method::GET => Ok(response::json(StatusCode::OK, &out(&faults.get()))),
        Method::PUT => {
            let bytes = body::read(&parts.headers, stream).await?;
            let b = body::object(&parts.headers, &bytes, false)?;
            let set: crate::faults::FaultSet = serde_json::from_value(Value::Object(b))
                .map_err(|e| ApiError::bad_request(format!("Not a fault set: {e}.")))?;
            set.check()?;
            faults.set(set.clone());
            tracing::info!(faults = %out(&set), "faults changed");
            Ok(response::json(StatusCode::OK, &out(&set)))
        }
        Method::DELETE => {
            faults.set(crate::faults::FaultSet::default());
            Ok(response::no_content())
        }
        ref m => Err(ApiError::method_not_allowed(m.as_str(), "/_accessd/faults")),
    }
}

/// `GET /_accessd/outbox` (newest first; `top`, `kind`, `template`, `to`), `DELETE` (empty it).
pub async fn outbox(State(s): State<AppState>, req: Request) -> Response {
    outbox_inner(s, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn outbox_inner(s: AppState, req: Request) -> ApiResult<Response> {
    let p = caller(&s, req.headers()).await?;
    match req.method().clone() {
        Method::GET => {
            let (mut top, mut kind, mut template, mut to) = (100u64, None, None, None);
            for (k, v) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
                match k.as_ref() {
                    "top" | "$top" => {
                        top = v.parse().map_err(|_| {
                            ApiError::bad_property("top", format!("'{v}' is not a number."))
                        })?
                    }
                    "kind" => kind = Some(v.into_owned()),
                    "template" => template = Some(v.into_owned()),
                    "to" => to = Some(v.to_ascii_lowercase()),
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "Unknown query parameter '{other}': use top, kind, template or to."
                        )));
                    }
                }
            }
            let list = s
                .engine
                .outbox(&p, kind.as_deref(), template.as_deref(), top.min(10_000))
                .await?;
            let value: Vec<Value> = list
                .iter()
                .filter(|m| {
                    to.as_ref().is_none_or(|t| {
                        m.to.iter()
                            .chain(&m.addresses)
                            .any(|x| x.to_ascii_lowercase() == *t)
                    })
                })
                .map(|m| {
                    json!({
                        "id": m.id, "kind": m.kind, "template": m.template, "to": m.to,
                        "addresses": m.addresses, "subject": m.subject,
                        "accessPackageId": m.access_package_id, "requestId": m.request_id,
                        "assignmentId": m.assignment_id, "payload": m.payload, "answer": m.answer,
                        "createdDateTime": m.created_date_time.to_wire(),
                    })
                })
                .collect();
            Ok(response::json(StatusCode::OK, &json!({"value": value})))
        }
        Method::DELETE => {
            s.engine.clear_outbox(&p).await?;
            Ok(response::no_content())
        }
        m => Err(ApiError::method_not_allowed(m.as_str(), "/_accessd/outbox")),
    }
}
