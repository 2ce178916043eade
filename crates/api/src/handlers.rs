//! The HTTP entry points: one handler per dialect takes every Graph path, resolves it
//! (`path`), and dispatches on (method, what the path names, kind).

use accessd_domain::query::{CmpOp, Expr, Query, Value};
use accessd_domain::store::{Link, TxExt};
use accessd_domain::*;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Map, Value as Json, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::edm::validate::{self, Extras, NO_EXTRAS};
use crate::error::{ApiError, ApiResult};
use crate::list::{self, ListRequest};
use crate::middleware::{self, RequestCtx};
use crate::path::{self, Coll, EKind, Ent, Target};
use crate::preconditions;
use crate::response::{self, context_url, with_context};
use crate::wire::{self, In};
use crate::{AppState, Dialect, body, guard};

pub fn router(state: AppState) -> Router {
    let https = state.config.https;
    let wall = state.wall_clock.clone();
    let log = std::sync::Arc::new(crate::requestlog::RequestLog::default());
    let log_for_layer = log.clone();
    let faults = std::sync::Arc::new(crate::faults::Faults::new(state.config.faults.clone()));
    let faults_for_layer = faults.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi/v1.0.json", get(openapi_v1))
        .route("/openapi/beta.json", get(openapi_beta))
        .route("/_accessd/clock", any(crate::emulator::clock))
        .route("/_accessd/reset", any(crate::emulator::reset))
        .route("/_accessd/seed", any(crate::emulator::seed))
        .route(
            "/_accessd/seed.schema.json",
            axum::routing::get(crate::emulator::seed_schema),
        )
        .route("/_accessd/requests", get(crate::emulator::requests))
        .route("/_accessd/faults", any(crate::emulator::faults))
        .route("/_accessd/outbox", any(crate::emulator::outbox))
        .route("/_accessd/snapshots", any(crate::emulator::snapshots))
        .route(
            "/_accessd/snapshots/{*rest}",
            any(crate::emulator::snapshot),
        )
        // The built-in identity provider (crate::idp).
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(crate::idp::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(crate::idp::jwks))
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(crate::idp::token),
        )
        .route(
            "/common/discovery/instance",
            get(crate::idp::instance_discovery),
        )
        .route("/common/userrealm/{username}", get(crate::idp::user_realm))
        .route("/metadata/endpoints", get(crate::idp::cloud_metadata))
        .route("/v1.0", any(graph_v1))
        .route("/v1.0/", any(graph_v1))
        .route("/v1.0/{*rest}", any(graph_v1))
        .route("/beta", any(graph_beta))
        .route("/beta/", any(graph_beta))
        .route("/beta/{*rest}", any(graph_beta))
        // Microsoft's own beta example for POST accessPackageAssignments is addressed to
        // `/localtest/...`; it is served as beta.
        .route("/localtest/{*rest}", any(graph_beta))
        .fallback(unknown_route)
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::Extension(log))
        .layer(axum::Extension(faults))
        .layer(axum::middleware::from_fn(move |req, next| {
            let layers = middleware::Layers {
                log: log_for_layer.clone(),
                faults: faults_for_layer.clone(),
            };
            middleware::context(https, wall.clone(), layers, req, next)
        }))
        .with_state(state)
}

async fn healthz(State(s): State<AppState>) -> Response {
    match s.store.read().await {
        Ok(mut tx) => match tx.meta_get("tenant_id").await {
            Ok(_) => response::json(
                StatusCode::OK,
                &json!({"status": "ok", "store": s.store.backend()}),
            ),
            Err(e) => ApiError::from(e).into_response(),
        },
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn openapi_v1(req: Request) -> Response {
    openapi(Dialect::V1, &req)
}

async fn openapi_beta(req: Request) -> Response {
    openapi(Dialect::Beta, &req)
}

/// The OpenAPI document, with the server URL the client used.
fn openapi(d: Dialect, req: &Request) -> Response {
    let base = req
        .extensions()
        .get::<RequestCtx>()
        .map_or_else(|| "http://localhost:5599".to_string(), |c| c.base.clone());
    response::json(StatusCode::OK, &crate::edm::openapi::document(d, &base))
}

async fn unknown_route(req: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "BadRequest",
        format!(
            "Invalid version or path '{}': accessd serves /v1.0 and /beta.",
            req.uri().path()
        ),
    )
    .into_response()
}

async fn graph_v1(State(s): State<AppState>, req: Request) -> Response {
    graph(s, Dialect::V1, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn graph_beta(State(s): State<AppState>, req: Request) -> Response {
    graph(s, Dialect::Beta, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// What every operation gets to work with.
struct Call {
    s: AppState,
    d: Dialect,
    ctx: RequestCtx,
    caller: std::sync::Arc<Principal>,
    method: Method,
    path: String,
    raw_query: Option<String>,
    headers: HeaderMap,
    /// The condition that keeps lists to what the caller may see (from `guard`).
    scope: Option<Expr>,
}

impl Call {
    fn opts(&self) -> ApiResult<accessd_odata::QueryOptions> {
        list::options(self.raw_query.as_deref())
    }

    /// A read of `coll` with this request's options, path and query string, kept to what the
    /// caller may see (`self.scope`).
    fn list_request<'a>(
        &'a self,
        opts: &'a accessd_odata::QueryOptions,
        coll: &'a Coll,
        extra: Option<Expr>,
    ) -> ListRequest<'a> {
        let extra = match (extra, self.scope.clone()) {
            (Some(a), Some(b)) => Some(Expr::and(vec![a, b])),
            (a, b) => a.or(b),
        };
        ListRequest {
            d: self.d,
            cfg: &self.s.config,
            ctx: &self.ctx,
            path: &self.path,
            raw_query: self.raw_query.as_deref(),
            opts,
            coll,
            extra,
            searchable: false,
        }
    }

    fn context(&self, c: &str) -> String {
        context_url(&self.ctx, self.d, c)
    }

    fn entity_url(&self, kind: EKind, id: &str) -> String {
        match kind.canonical_set(self.d) {
            Some(set) => format!("{}/{}/{set}/{id}", self.ctx.base, self.d.segment()),
            None => format!("{}{}/{id}", self.ctx.base, self.path),
        }
    }

    /// A 201 with the created entity, its context and its `Location`.
    fn created(&self, kind: EKind, id: &str, body: Map<String, Json>) -> Response {
        let set = kind.canonical_set(self.d).unwrap_or(kind.type_name());
        let v = with_context(self.context(&format!("{set}/$entity")), body);
        response::created(&v, &self.entity_url(kind, id))
    }

    fn ok_entity(&self, context: &str, body: Map<String, Json>) -> Response {
        response::json(StatusCode::OK, &with_context(self.context(context), body))
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let Some(h) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthenticated("Access token is empty."));
    };
    let h = h
        .to_str()
        .map_err(|_| ApiError::unauthenticated("The Authorization header is not valid text."))?;
    let (scheme, token) = h.trim().split_once(' ').unwrap_or((h, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthenticated(
            "The Authorization header must use the Bearer scheme.",
        ));
    }
    Ok(token.trim())
}

/// A Graph request's answer (an error as its response): what `$batch` runs each inner request
/// through.
/// (Boxed: a batch's inner request comes back through the same route.)
pub(crate) fn graph_response(
    s: AppState,
    d: Dialect,
    req: Request,
) -> futures::future::BoxFuture<'static, Response> {
    Box::pin(async move {
        graph(s, d, req)
            .await
            .unwrap_or_else(IntoResponse::into_response)
    })
}

async fn graph(s: AppState, d: Dialect, req: Request) -> ApiResult<Response> {
    let (parts, body_stream) = req.into_parts();
    let ctx = parts
        .extensions
        .get::<RequestCtx>()
        .cloned()
        .ok_or_else(|| ApiError::internal("no request context"))?;
    // `$metadata` is public, as on Graph.
    if parts.method == Method::GET
        && parts
            .uri
            .path()
            .trim_end_matches('/')
            .ends_with("/$metadata")
    {
        let depth = parts.uri.path().trim_matches('/').split('/').count();
        if depth == 2 {
            return Ok(crate::edm::metadata::response(d));
        }
    }
    let caller = s
        .tokens
        .validate(bearer(&parts.headers)?, s.wall_clock.now())
        .await?;
    let path = parts.uri.path().to_string();
    // Everything after the version segment.
    let rest = path
        .trim_start_matches('/')
        .split_once('/')
        .map_or("", |(_, r)| r);
    let segs = path::segments(rest)?;
    let call = Call {
        s: s.clone(),
        d,
        ctx,
        caller,
        method: parts.method.clone(),
        path: path.clone(),
        raw_query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        scope: None,
    };
    let bytes = match parts.method {
        Method::POST | Method::PATCH | Method::PUT => {
            body::read(&parts.headers, body_stream).await?
        }
        _ => Vec::new(),
    };
    let seen = crate::requestlog::Seen {
        caller: Some(describe(&call.caller)),
        body: crate::requestlog::excerpt(&bytes),
    };
    // Some answers depend on who reads them (an approval stage's `assignedToMe`).
    let viewer = call.caller.object_id.clone();
    let mut res = wire::approvals::VIEWER
        .scope(viewer, route(call, segs, bytes))
        .await
        .unwrap_or_else(IntoResponse::into_response);
    res.extensions_mut().insert(seen);
    Ok(res)
}

/// How the request log names a caller.
fn describe(p: &Principal) -> String {
    let kind = match p.kind {
        PrincipalKind::User => "user",
        PrincipalKind::App => "app",
        PrincipalKind::System => "accessd",
    };
    match (&p.display, &p.app_id) {
        (Some(d), _) => format!("{kind} {} ({d})", p.object_id),
        (None, Some(a)) => format!("{kind} {} (client {a})", p.object_id),
        (None, None) => format!("{kind} {}", p.object_id),
    }
}

/// Resolves the path, authorizes what it reads, and dispatches on the method.
async fn route(mut call: Call, segs: Vec<String>, bytes: Vec<u8>) -> ApiResult<Response> {
    if segs.first().map(String::as_str) == Some("me") {
        return me(&call, &segs[1..]).await;
    }
    if segs.len() == 1 && segs[0] == "$batch" {
        if call.method != Method::POST {
            return Err(ApiError::method_not_allowed(call.method.as_str(), "$batch"));
        }
        if call.headers.contains_key("x-accessd-in-batch") {
            return Err(ApiError::bad_request("A batch cannot hold another batch."));
        }
        let b = body::object(&call.headers, &bytes, false)?;
        return crate::batch::run(&call.s, call.d, &call.ctx, &call.headers, &b).await;
    }
    if segs.first().is_some_and(|f| crate::apps::serves(f)) {
        let c = crate::apps::AppsCall {
            s: &call.s,
            d: call.d,
            ctx: &call.ctx,
            caller: &call.caller,
            method: &call.method,
            headers: &call.headers,
            raw_query: call.raw_query.as_deref(),
        };
        return crate::apps::route(c, &segs, &bytes).await;
    }
    if let Some((set, rest)) = crate::unconfigured::matches(call.d, &segs) {
        return crate::unconfigured::route(
            &call.s,
            call.d,
            &call.ctx,
            &call.caller,
            &call.method,
            set,
            rest,
        )
        .await;
    }
    if let Some(rest) = crate::suggestions::matches(&segs) {
        return crate::suggestions::route(
            &call.s,
            call.d,
            &call.ctx,
            &call.caller,
            &call.method,
            rest,
        )
        .await;
    }
    if crate::settings::matches(&segs) {
        return crate::settings::route(
            &call.s,
            call.d,
            &call.ctx,
            &call.caller,
            &call.method,
            &call.headers,
            &bytes,
        )
        .await;
    }
    if let Some((catalog, ext)) = crate::extensions::matches(call.d, &segs) {
        let c = crate::extensions::ExtCall {
            s: &call.s,
            d: call.d,
            ctx: &call.ctx,
            caller: &call.caller,
            method: &call.method,
            headers: &call.headers,
        };
        return crate::extensions::route(c, &catalog, ext.as_deref(), &bytes).await;
    }
    let s = call.s.clone();
    let d = call.d;
    let mut tx = s.store.read().await?;
    let target = path::resolve(&mut *tx, d, &segs).await?;
    call.scope = guard::authorize(&s.engine, &call.caller, &mut *tx, &call.method, &target).await?;
    match call.method.clone() {
        Method::GET => read(&call, &mut *tx, target).await,
        m => {
            // Writes open their own transaction; let the read connection go first.
            drop(tx);
            match m {
                Method::POST => post(&call, target, &bytes).await,
                Method::PATCH => patch(&call, target, &bytes).await,
                Method::PUT => put(&call, target, &bytes).await,
                Method::DELETE => delete(&call, target).await,
                other => Err(ApiError::method_not_allowed(
                    other.as_str(),
                    "this resource",
                )),
            }
        }
    }
}

async fn me(call: &Call, rest: &[String]) -> ApiResult<Response> {
    if call.method != Method::GET || !rest.is_empty() {
        return Err(ApiError::method_not_allowed(call.method.as_str(), "/me"));
    }
    let mut tx = call.s.store.read().await?;
    guard::me(&call.s.engine, &call.caller, &mut *tx).await?;
    let u = tx
        .load::<User>(&call.caller.object_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user", &call.caller.object_id))?;
    let opts = call.opts()?;
    let m = list::shape(&mut *tx, call.d, &call.s.config, &Ent::User(u), &opts, 0).await?;
    Ok(call.ok_entity("users/$entity", m))
}

// ---- reads -----------------------------------------------------------------------------------

async fn read(call: &Call, tx: &mut dyn accessd_domain::Tx, target: Target) -> ApiResult<Response> {
    let opts = call.opts()?;
    match target {
        Target::Collection(coll) => {
            let r = call.list_request(&opts, &coll, None);
            list::page_response(tx, &r, &call.context(&coll.context)).await
        }
        Target::Entity { ent, context, .. } => {
            if opts.filter.is_some()
                || opts.orderby.is_some()
                || opts.top.is_some()
                || opts.skip.is_some()
            {
                return Err(ApiError::bad_request(
                    "$filter, $orderby, $top and $skip apply to collections, not to a single entity.",
                ));
            }
            let m = list::shape(tx, call.d, &call.s.config, &ent, &opts, 0).await?;
            Ok(match ent.etag() {
                // Directory objects carry no `@odata.etag` on Graph; their tag is in the header.
                Some(tag) if matches!(ent, Ent::User(_) | Ent::Group(_)) => {
                    preconditions::with_header(call.ok_entity(&context, m), &tag)
                }
                Some(tag) => preconditions::with_header(
                    call.ok_entity(&context, preconditions::annotate(m, &tag)),
                    &tag,
                ),
                None => call.ok_entity(&context, m),
            })
        }
        Target::Null { kind } => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The {} this navigation leads to does not exist.",
                kind.noun()
            ),
        )),
        Target::Count(coll) => {
            let n = list::count(
                tx,
                call.d,
                &call.s.config,
                &call.ctx,
                &coll,
                call.scope.as_ref(),
                &opts,
            )
            .await?;
            Ok(response::text_count(n))
        }
        Target::CollectionRef(coll) => {
            let r = call.list_request(&opts, &coll, None);
            let mut page = list::page(tx, &r).await?;
            if let Some(Json::Array(items)) = page.get_mut("value") {
                for it in items.iter_mut() {
                    let id = it
                        .get("id")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let kind = match it.get("@odata.type").and_then(Json::as_str) {
                        Some("#microsoft.graph.group") => EKind::Group,
                        Some("#microsoft.graph.user") => EKind::User,
                        _ => coll.kind,
                    };
                    *it = json!({"@odata.id": call.entity_url(kind, &id)});
                }
            }
            Ok(response::json(
                StatusCode::OK,
                &with_context(call.context("Collection($ref)"), page),
            ))
        }
        Target::Function { coll, name, args } => {
            let extra = function_filter(call, tx, &coll, &name, &args).await?;
            let mut r = call.list_request(&opts, &coll, Some(extra));
            r.searchable = name == "Search";
            let context = call.context(&format!(
                "Collection(microsoft.graph.{})",
                coll.kind.type_name()
            ));
            list::page_response(tx, &r, &context).await
        }
        Target::Metadata => Ok(crate::edm::metadata::response(call.d)),
        Target::SingleRef {
            to: Some(id), kind, ..
        } => Ok(response::json(
            StatusCode::OK,
            &json!({
                "@odata.context": call.context("$ref"),
                "@odata.id": call.entity_url(kind, &id),
            }),
        )),
        Target::SingleRef { kind, .. } => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("The {} reference does not exist.", kind.noun()),
        )),
        Target::EntityRef { .. } | Target::Action { .. } => {
            Err(ApiError::method_not_allowed("GET", "this resource"))
        }
    }
}

/// `id in (...)`.
fn ids_in(ids: Vec<String>) -> Expr {
    Expr::In(
        Box::new(Expr::Column("id")),
        ids.into_iter().map(Value::Text).collect(),
    )
}

/// The ids of the users whose manager is `me`.
async fn reports_of(tx: &mut dyn accessd_domain::Tx, me: &str) -> ApiResult<Vec<Value>> {
    Ok(tx
        .find::<User>(&Query::filtered(Expr::Cmp(
            Box::new(Expr::Doc(
                vec!["manager_id".into()],
                accessd_domain::ValueType::Text,
            )),
            CmpOp::Eq,
            Box::new(Expr::Lit(Value::Text(me.to_string()))),
        )))
        .await?
        .into_iter()
        .map(|u| Value::Text(u.id))
        .collect())
}

fn arg<'a>(args: &'a [(String, String)], name: &str) -> Option<&'a str> {
    args.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn option_error(name: &str, value: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_property(
        name,
        format!(
            "Invalid value '{value}' for parameter '{name}'. The allowed values are: {}.",
            allowed.join(", ")
        ),
    )
}

/// The condition a bound function adds to its collection.
async fn function_filter(
    call: &Call,
    tx: &mut dyn accessd_domain::Tx,
    coll: &Coll,
    name: &str,
    args: &[(String, String)],
) -> ApiResult<Expr> {
    let me = call.caller.object_id.clone();
    let not_yet = |what: &str| {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by accessd yet."),
        )
    };
    if matches!(name, "My" | "Search") && !args.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{name}() takes no parameters."
        )));
    }
    match (coll.kind, name) {
        (EKind::Assignment, "My") if call.d == Dialect::Beta => {
            Ok(Expr::col_eq("target_object_id", me.as_str()))
        }
        (EKind::Request, "My") if call.d == Dialect::Beta => {
            Ok(Expr::col_eq("target_object_id", me.as_str()))
        }
        // A subject made for a user has the user's object id as its id (docs/decisions.md).
        (EKind::AssignmentResourceRole, "My") if call.d == Dialect::Beta => {
            Ok(Expr::col_eq("subject_id", me.as_str()))
        }
        // beta's undocumented `Search()`: the collection, where `$search` is allowed (terms
        // match a word of `displayName`, or `"property:value"`).
        (EKind::AccessPackage | EKind::Catalog, "Search") if call.d == Dialect::Beta => {
            Ok(Expr::True)
        }
        (EKind::Assignment, "filterByCurrentUser") => {
            let on = arg(args, "on")
                .ok_or_else(|| ApiError::bad_property("on", "The parameter 'on' is required."))?;
            const ALLOWED: &[&str] = &[
                "target",
                "createdBy",
                "targetManager",
                "targetAgentIdentitySponsorOrOwner",
            ];
            match on {
                "target" => Ok(Expr::col_eq("target_object_id", me.as_str())),
                "createdBy" => {
                    let q = Query::filtered(Expr::col_eq("requestor_object_id", me.as_str()));
                    let ids: Vec<Value> = tx
                        .find::<AssignmentRequest>(&q)
                        .await?
                        .into_iter()
                        .filter_map(|r| r.assignment_id.map(Value::Text))
                        .collect();
                    Ok(Expr::In(Box::new(Expr::Column("id")), ids))
                }
                "targetManager" => Ok(Expr::In(
                    Box::new(Expr::Column("target_object_id")),
                    reports_of(tx, &me).await?,
                )),
                "targetAgentIdentitySponsorOrOwner" => Err(not_yet(
                    "filterByCurrentUser(on='targetAgentIdentitySponsorOrOwner')",
                )),
                other => Err(option_error("on", other, ALLOWED)),
            }
        }
        (EKind::Request, "filterByCurrentUser") => {
            let on = arg(args, "on")
                .ok_or_else(|| ApiError::bad_property("on", "The parameter 'on' is required."))?;
            const ALLOWED: &[&str] = &[
                "target",
                "createdBy",
                "approver",
                "targetOrRequestor",
                "targetManager",
                "requestForOthers",
                "targetAgentIdentitySponsorOrOwner",
            ];
            match on {
                "target" => Ok(Expr::col_eq("target_object_id", me.as_str())),
                "createdBy" => Ok(Expr::col_eq("requestor_object_id", me.as_str())),
                "targetOrRequestor" => Ok(Expr::Or(vec![
                    Expr::col_eq("target_object_id", me.as_str()),
                    Expr::col_eq("requestor_object_id", me.as_str()),
                ])),
                "requestForOthers" => Ok(Expr::and(vec![
                    Expr::col_eq("requestor_object_id", me.as_str()),
                    Expr::Cmp(
                        Box::new(Expr::Column("target_object_id")),
                        CmpOp::Ne,
                        Box::new(Expr::Lit(Value::Text(me.clone()))),
                    ),
                ])),
                // The requests whose approval waits for the caller now.
                "approver" => Ok(ids_in(tx.linked_to(Link::Approver, &me).await?)),
                "targetManager" => Ok(Expr::In(
                    Box::new(Expr::Column("target_object_id")),
                    reports_of(tx, &me).await?,
                )),
                "targetAgentIdentitySponsorOrOwner" => Err(not_yet(
                    "filterByCurrentUser(on='targetAgentIdentitySponsorOrOwner') on assignment requests",
                )),
                other => Err(option_error("on", other, ALLOWED)),
            }
        }
        (EKind::Approval, "filterByCurrentUser") => {
            let on = arg(args, "on")
                .ok_or_else(|| ApiError::bad_property("on", "The parameter 'on' is required."))?;
            let column = match on {
                // Those waiting for the caller's decision now.
                "approver" => return Ok(ids_in(tx.linked_to(Link::Approver, &me).await?)),
                "target" => "target_object_id",
                "createdBy" => "requestor_object_id",
                other => {
                    return Err(option_error(
                        "on",
                        other,
                        &["target", "createdBy", "approver"],
                    ));
                }
            };
            let q = Query::filtered(Expr::col_eq(column, me.as_str()));
            let ids = tx
                .find::<AssignmentRequest>(&q)
                .await?
                .into_iter()
                .map(|r| r.id)
                .collect();
            Ok(ids_in(ids))
        }
        (EKind::AccessPackage, "filterByCurrentUser") => {
            let on = arg(args, "on")
                .ok_or_else(|| ApiError::bad_property("on", "The parameter 'on' is required."))?;
            if on != "allowedRequestor" {
                return Err(option_error("on", on, &["allowedRequestor"]));
            }
            let ids = accessd_engine::allowed_packages(tx, &me).await?;
            Ok(Expr::In(
                Box::new(Expr::Column("id")),
                ids.into_iter().map(Value::Text).collect(),
            ))
        }
        // The assignments to one package whose target also holds (not expired) an assignment to
        // another, incompatible one. Both ids: that pair (the SDKs send them without the comma;
        // `parse_args` reads both). beta's `accessPackageId` alone: the package and each of its
        // incompatible packages. No parameters: every package and its incompatible packages.
        (EKind::Assignment, "additionalAccess") => {
            let package = arg(args, "accessPackageId");
            let other = arg(args, "incompatibleAccessPackageId");
            let pairs: Vec<(String, String)> = match (package, other) {
                (Some(p), Some(o)) => {
                    if p == o {
                        return Err(ApiError::bad_property(
                            "incompatibleAccessPackageId",
                            "The two access package ids must be distinct.",
                        ));
                    }
                    vec![(p.to_string(), o.to_string())]
                }
                (Some(p), None) if call.d == Dialect::Beta => tx
                    .linked(Link::IncompatiblePackage, p)
                    .await?
                    .into_iter()
                    .map(|o| (p.to_string(), o))
                    .collect(),
                (None, None) => {
                    let declaring = Query::filtered(Expr::Linked {
                        link: Link::IncompatiblePackage,
                        reverse: false,
                        kind: accessd_domain::Kind::AccessPackage,
                        filter: Box::new(Expr::True),
                        all: false,
                    });
                    let mut pairs = Vec::new();
                    for ap in tx.find::<AccessPackage>(&declaring).await? {
                        for o in tx.linked(Link::IncompatiblePackage, &ap.id).await? {
                            pairs.push((ap.id.clone(), o));
                        }
                    }
                    pairs
                }
                (None, Some(_)) | (Some(_), None) => {
                    let missing = if package.is_none() {
                        "accessPackageId"
                    } else {
                        "incompatibleAccessPackageId"
                    };
                    return Err(ApiError::bad_property(
                        missing,
                        format!("The parameter '{missing}' is required with the other one."),
                    ));
                }
            };
            let not_expired = || {
                Expr::Cmp(
                    Box::new(Expr::Column("state")),
                    CmpOp::Ne,
                    Box::new(Expr::Lit(Value::Text(
                        AssignmentState::Expired.as_str().to_string(),
                    ))),
                )
            };
            let mut any = Vec::with_capacity(pairs.len());
            for (package, other) in pairs {
                let q = Query::filtered(Expr::and(vec![
                    Expr::col_eq("access_package_id", other.as_str()),
                    not_expired(),
                ]));
                let targets: Vec<Value> = tx
                    .find::<Assignment>(&q)
                    .await?
                    .into_iter()
                    .filter(|a| a.state != AssignmentState::Expired)
                    .filter_map(|a| a.target_object_id.map(Value::Text))
                    .collect();
                any.push(Expr::and(vec![
                    Expr::col_eq("access_package_id", package.as_str()),
                    not_expired(),
                    Expr::In(Box::new(Expr::Column("target_object_id")), targets),
                ]));
            }
            Ok(if any.is_empty() {
                Expr::False
            } else {
                Expr::Or(any)
            })
        }
        _ => Err(ApiError::no_route(name)),
    }
}

// ---- writes ----------------------------------------------------------------------------------

fn parse_body(
    call: &Call,
    bytes: &[u8],
    type_name: &str,
    extras: &Extras,
) -> ApiResult<Map<String, Json>> {
    let obj = body::object(&call.headers, bytes, false)?;
    validate::check(call.d, type_name, &Json::Object(obj.clone()), extras)?;
    Ok(obj)
}

fn no_create(kind: EKind) -> ApiError {
    ApiError::method_not_allowed("POST", &format!("the {} collection", kind.noun()))
}

async fn post(call: &Call, target: Target, bytes: &[u8]) -> ApiResult<Response> {
    let s = &call.s;
    let p = &call.caller;
    let d = call.d;
    let now = s.engine.now();
    match target {
        Target::Collection(coll) => {
            let parent = coll.parent.as_ref().map(|(e, _)| e.clone());
            match coll.kind {
                EKind::ConnectedOrganization if coll.parent.is_none() => {
                    let b = parse_body(call, bytes, "connectedOrganization", &NO_EXTRAS)?;
                    let mut org = accessd_engine::partners::new_connected_organization(now);
                    wire::partners::org_in(d, In(&b), &mut org, true)?;
                    let org = s.engine.create_connected_organization(p, org).await?;
                    Ok(call.created(
                        EKind::ConnectedOrganization,
                        &org.id,
                        wire::partners::org_out(d, &org),
                    ))
                }
                EKind::Catalog if coll.parent.is_none() => {
                    let b = parse_body(call, bytes, "accessPackageCatalog", &NO_EXTRAS)?;
                    let mut c = wire::catalog::blank_catalog(now);
                    wire::catalog::catalog_in(d, In(&b), &mut c);
                    let c = s.engine.create_catalog(p, c).await?;
                    Ok(call.created(EKind::Catalog, &c.id, wire::catalog::catalog_out(d, &c)))
                }
                EKind::AccessPackage => {
                    let b = parse_body(call, bytes, "accessPackage", &NO_EXTRAS)?;
                    let mut ap = wire::catalog::blank_package(now);
                    if let Some(Ent::Catalog(c)) = &parent {
                        ap.catalog_id = c.id.clone();
                    }
                    wire::catalog::package_in(d, In(&b), &mut ap);
                    let ap = s.engine.create_access_package(p, ap).await?;
                    Ok(call.created(
                        EKind::AccessPackage,
                        &ap.id,
                        wire::catalog::package_out(d, &ap),
                    ))
                }
                EKind::Policy => {
                    let extras = if d == Dialect::V1 {
                        &wire::policy::V1_LEGACY
                    } else {
                        &wire::policy::BETA_EXTRAS
                    };
                    let b = parse_body(call, bytes, "accessPackageAssignmentPolicy", extras)?;
                    let mut pol = wire::policy::blank(now);
                    if let Some(Ent::AccessPackage(ap)) = &parent {
                        pol.access_package_id = ap.id.clone();
                    }
                    let mut echo = wire::policy::Echo::default();
                    wire::policy::policy_in(d, In(&b), &mut pol, &mut echo)?;
                    let pol = s.engine.create_policy(p, pol).await?;
                    Ok(call.created(
                        EKind::Policy,
                        &pol.id,
                        wire::policy::policy_out(d, &pol, &echo),
                    ))
                }
                EKind::EmRoleAssignment | EKind::DirectoryRoleAssignment => {
                    let b = parse_body(call, bytes, "unifiedRoleAssignment", &NO_EXTRAS)?;
                    let provider = coll
                        .kind
                        .role_provider()
                        .ok_or_else(|| ApiError::internal("role kind without a provider"))?;
                    let draft = wire::roles::assignment_in(In(&b));
                    let ra = s.engine.create_role_assignment(p, provider, draft).await?;
                    Ok(call.created(coll.kind, &ra.id, wire::roles::assignment_out(d, &ra)))
                }
                EKind::Request if coll.parent.is_none() => {
                    let extras = if d == Dialect::V1 {
                        &wire::work::V1_REQUEST_EXTRAS
                    } else {
                        &NO_EXTRAS
                    };
                    let b = parse_body(call, bytes, "accessPackageAssignmentRequest", extras)?;
                    let draft = wire::work::request_in(d, In(&b));
                    let req = s.engine.submit_request(p, draft).await?;
                    Ok(call.created(EKind::Request, &req.id, wire::work::request_out(d, &req)))
                }
                EKind::Assignment if coll.parent.is_none() => create_assignment(call, bytes).await,
                EKind::ResourceRequest if coll.parent.is_none() => {
                    let b = parse_body(call, bytes, "accessPackageResourceRequest", &NO_EXTRAS)?;
                    let draft = wire::resources::resource_request_in(d, In(&b));
                    let (req, _) = s.engine.submit_resource_request(p, draft).await?;
                    Ok(call.created(
                        EKind::ResourceRequest,
                        &req.id,
                        wire::resources::resource_request_out(d, &req),
                    ))
                }
                EKind::ResourceRoleScope => {
                    let b = parse_body(call, bytes, "accessPackageResourceRoleScope", &NO_EXTRAS)?;
                    let package = match &parent {
                        Some(Ent::AccessPackage(ap)) => ap.id.clone(),
                        _ => In(&b).ref_id("accessPackage").ok_or_else(|| {
                            ApiError::bad_property(
                                "accessPackage",
                                "The access package is required (accessPackage.id).",
                            )
                        })?,
                    };
                    let draft = wire::resources::role_scope_in(d, In(&b), &package);
                    let rs = s.engine.add_role_scope(p, draft).await?;
                    Ok(call.created(
                        EKind::ResourceRoleScope,
                        &rs.id,
                        wire::resources::role_scope_out(d, &rs),
                    ))
                }
                EKind::User if coll.parent.is_none() => {
                    let b = parse_body(call, bytes, "user", &NO_EXTRAS)?;
                    let mut u = wire::directory::blank_user(now);
                    if let Some(Some(id)) = In(&b).str("id") {
                        u.id = id;
                    }
                    wire::directory::user_in(In(&b), &mut u);
                    let pw = wire::directory::password_in(In(&b));
                    let u = s.engine.create_user(p, u, pw.as_deref()).await?;
                    Ok(call.created(EKind::User, &u.id, wire::directory::user_out(&u)))
                }
                EKind::Group if coll.parent.is_none() => {
                    let b = parse_body(call, bytes, "group", &NO_EXTRAS)?;
                    let mut g = wire::directory::blank_group(now);
                    if let Some(Some(id)) = In(&b).str("id") {
                        g.id = id;
                    }
                    wire::directory::group_in(In(&b), &mut g);
                    let g = s.engine.create_group(p, g).await?;
                    Ok(call.created(EKind::Group, &g.id, wire::directory::group_out(&g)))
                }
                k => Err(no_create(k)),
            }
        }
        Target::CollectionRef(coll) => add_ref(call, coll, bytes).await,
        Target::Action { ent, name } => action(call, ent, &name, bytes).await,
        _ => Err(ApiError::method_not_allowed("POST", "this resource")),
    }
}

async fn create_assignment(call: &Call, bytes: &[u8]) -> ApiResult<Response> {
    let d = call.d;
    let extras = if d == Dialect::V1 {
        &wire::work::V1_ASSIGNMENT_EXTRAS
    } else {
        &NO_EXTRAS
    };
    let b = parse_body(call, bytes, "accessPackageAssignment", extras)?;
    let draft = wire::work::assignment_in(d, In(&b));
    let (a, _) = call.s.engine.create_assignment(&call.caller, draft).await?;
    Ok(call.created(EKind::Assignment, &a.id, wire::work::assignment_out(d, &a)))
}

/// The id at the end of an `@odata.id` URL (`.../directoryObjects/{id}`, `.../users('{id}')`).
fn id_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let id = match last.find('(') {
        Some(i) if last.ends_with(')') => last[i + 1..last.len() - 1].trim_matches('\''),
        _ => last,
    };
    let id = percent_encoding::percent_decode_str(id)
        .decode_utf8()
        .ok()?
        .to_string();
    (!id.is_empty()).then_some(id)
}

fn odata_id(call: &Call, bytes: &[u8]) -> ApiResult<String> {
    let b = body::object(&call.headers, bytes, false)?;
    let url = b.get("@odata.id").and_then(Json::as_str).ok_or_else(|| {
        ApiError::bad_property(
            "@odata.id",
            "A reference must be given as {\"@odata.id\": \"<url of the object>\"}.",
        )
    })?;
    if let Some(k) = b.keys().find(|k| k.as_str() != "@odata.id") {
        return Err(ApiError::bad_property(
            k,
            format!("The property '{k}' is not allowed in a reference body."),
        ));
    }
    id_from_url(url).ok_or_else(|| {
        ApiError::bad_property("@odata.id", format!("'{url}' does not name an object."))
    })
}

/// Which sponsors a connected organization's navigation names.
fn sponsors(nav: &str) -> accessd_engine::partners::Sponsors {
    if nav == "internalSponsors" {
        accessd_engine::partners::Sponsors::Internal
    } else {
        accessd_engine::partners::Sponsors::External
    }
}

async fn add_ref(call: &Call, coll: Coll, bytes: &[u8]) -> ApiResult<Response> {
    let p = &call.caller;
    let e = &call.s.engine;
    match (&coll.parent, coll.kind) {
        (Some((Ent::Group(g), nav)), _) if nav == "members" || nav == "owners" => {
            let id = odata_id(call, bytes)?;
            if nav == "members" {
                e.add_group_member(p, &g.id, &id).await?;
            } else {
                e.add_group_owner(p, &g.id, &id).await?;
            }
            Ok(response::no_content())
        }
        (Some((Ent::ConnectedOrganization(org), nav)), _) => {
            let id = odata_id(call, bytes)?;
            e.add_sponsor(p, &org.id, sponsors(nav), &id).await?;
            Ok(response::no_content())
        }
        (Some((Ent::AccessPackage(ap), nav)), _)
            if nav == "incompatibleAccessPackages" || nav == "incompatibleGroups" =>
        {
            let id = odata_id(call, bytes)?;
            let link = if nav == "incompatibleGroups" {
                Link::IncompatibleGroup
            } else {
                Link::IncompatiblePackage
            };
            e.add_incompatible(p, &ap.id, link, &id).await?;
            Ok(response::no_content())
        }
        // The beta seed: POST .../accessPackageAssignments/$ref with either a reference to an
        // existing assignment or the body of a new one.
        (None, EKind::Assignment) if call.d == Dialect::Beta => {
            let b = body::object(&call.headers, bytes, false)?;
            if b.contains_key("@odata.id") {
                let id = odata_id(call, bytes)?;
                let mut tx = call.s.store.read().await?;
                if tx.load::<Assignment>(&id).await?.is_none() {
                    return Err(ApiError::not_found("assignment", &id));
                }
                return Ok(response::no_content());
            }
            create_assignment(call, bytes).await
        }
        _ => Err(ApiError::method_not_allowed(
            "POST",
            "this collection's references",
        )),
    }
}

async fn action(call: &Call, ent: Ent, name: &str, bytes: &[u8]) -> ApiResult<Response> {
    let e = &call.s.engine;
    let p = &call.caller;
    let d = call.d;
    match (ent, name) {
        (Ent::Request(r), "cancel") => {
            let r = e.cancel_request(p, &r.id).await?;
            Ok(if d == Dialect::Beta {
                response::json(
                    StatusCode::OK,
                    &Json::Object(wire::work::request_out(d, &r)),
                )
            } else {
                response::no_content()
            })
        }
        (Ent::Request(r), "reprocess") => {
            e.reprocess_request(p, &r.id).await?;
            Ok(StatusCode::ACCEPTED.into_response())
        }
        (Ent::Resource(r), "refresh") => {
            e.refresh_resource(p, &r.id).await?;
            Ok(StatusCode::OK.into_response())
        }
        (Ent::Assignment(a), "reprocess") => {
            e.reprocess_assignment(p, &a.id).await?;
            Ok(StatusCode::ACCEPTED.into_response())
        }
        (Ent::Request(r), "resume") => {
            let b = body::object(&call.headers, bytes, true)?;
            e.resume_request(p, &r.id, wire::work::resume_in(In(&b))?)
                .await?;
            Ok(response::no_content())
        }
        (Ent::AccessPackage(ap), "getApplicablePolicyRequirements") => {
            let mut tx = call.s.store.read().await?;
            let reqs = accessd_engine::applicable_policies(&mut *tx, &ap.id, &p.object_id).await?;
            let value: Vec<Json> = reqs
                .iter()
                .map(|pol| wire::policy::requirements_out(d, pol))
                .collect();
            Ok(response::json(
                StatusCode::OK,
                &with_context(
                    call.context(
                        "Collection(microsoft.graph.accessPackageAssignmentRequestRequirements)",
                    ),
                    Map::from_iter([("value".to_string(), Json::Array(value))]),
                ),
            ))
        }
        (Ent::DeletedItem(x), "restore") => {
            let g = e.restore_deleted_item(p, &x.id).await?;
            Ok(call.ok_entity("groups/$entity", wire::directory::group_out(&g)))
        }
        (ent, name) => Err(ApiError::no_route(&format!("{}/{name}", ent.kind().noun()))),
    }
}

async fn patch(call: &Call, target: Target, bytes: &[u8]) -> ApiResult<Response> {
    let Target::Entity {
        ent,
        context,
        within,
    } = target
    else {
        return Err(ApiError::method_not_allowed("PATCH", "this resource"));
    };
    let im = preconditions::if_match(&call.headers)?;
    preconditions::check(im.as_deref(), &ent)?;
    let im = im.as_deref();
    let s = &call.s;
    let p = &call.caller;
    let d = call.d;
    match ent {
        Ent::ConnectedOrganization(org) => {
            let b = parse_body(call, bytes, "connectedOrganization", &NO_EXTRAS)?;
            let mut err = None;
            let org = s
                .engine
                .update_connected_organization(p, &org.id, |x| {
                    accessd_engine::Error::check_if_match(im, &*x)?;
                    if let Err(e) = wire::partners::org_in(d, In(&b), x, false) {
                        err = Some(e);
                    }
                    Ok(())
                })
                .await;
            if let Some(e) = err {
                return Err(e);
            }
            let org = org?;
            // As Microsoft's pages show it: v1.0 answers 202 with the organization, beta 204.
            Ok(match d {
                Dialect::V1 => response::json(
                    StatusCode::ACCEPTED,
                    &with_context(call.context(&context), wire::partners::org_out(d, &org)),
                ),
                Dialect::Beta => response::no_content(),
            })
        }
        Ent::Catalog(c) => {
            let b = parse_body(call, bytes, "accessPackageCatalog", &NO_EXTRAS)?;
            s.engine
                .update_catalog(p, &c.id, |c| {
                    accessd_engine::Error::check_if_match(im, &*c)?;
                    wire::catalog::catalog_in(d, In(&b), c);
                    Ok(())
                })
                .await?;
            // 204, as Microsoft's pages show for both dialects.
            Ok(response::no_content())
        }
        Ent::AccessPackage(ap) => {
            let b = parse_body(call, bytes, "accessPackage", &NO_EXTRAS)?;
            s.engine
                .update_access_package(p, &ap.id, |x| {
                    accessd_engine::Error::check_if_match(im, &*x)?;
                    wire::catalog::package_in(d, In(&b), x);
                    Ok(())
                })
                .await?;
            Ok(response::no_content())
        }
        Ent::Policy(pol) if d == Dialect::Beta => {
            let b = parse_body(
                call,
                bytes,
                "accessPackageAssignmentPolicy",
                &wire::policy::BETA_EXTRAS,
            )?;
            let mut echo = wire::policy::Echo::default();
            let mut err = None;
            let pol = s
                .engine
                .update_policy(p, &pol.id, |x| {
                    accessd_engine::Error::check_if_match(im, &*x)?;
                    if let Err(e) = wire::policy::policy_in(d, In(&b), x, &mut echo) {
                        err = Some(e);
                    }
                    Ok(())
                })
                .await;
            if let Some(e) = err {
                return Err(e);
            }
            let pol = pol?;
            Ok(call.ok_entity(&context, wire::policy::policy_out(d, &pol, &echo)))
        }
        Ent::Policy(_) => Err(ApiError::method_not_allowed(
            "PATCH",
            "an assignment policy in v1.0; replace it with PUT",
        )),
        Ent::Assignment(a) => {
            let extras = if d == Dialect::V1 {
                &wire::work::V1_ASSIGNMENT_EXTRAS
            } else {
                &NO_EXTRAS
            };
            let b = parse_body(call, bytes, "accessPackageAssignment", extras)?;
            let draft = wire::work::assignment_in(d, In(&b));
            let a = s.engine.update_assignment(p, &a.id, draft).await?;
            Ok(call.ok_entity(&context, wire::work::assignment_out(d, &a)))
        }
        Ent::ApprovalStage(stage) | Ent::ApprovalStep(stage) => {
            let Some(Coll {
                parent: Some((Ent::Approval(ap), _)),
                ..
            }) = within
            else {
                return Err(ApiError::method_not_allowed(
                    "PATCH",
                    "an approval stage outside its approval",
                ));
            };
            let ty = if d == Dialect::V1 {
                "approvalStage"
            } else {
                "approvalStep"
            };
            let b = parse_body(call, bytes, ty, &NO_EXTRAS)?;
            let decision = wire::approvals::decision_in(In(&b))?;
            s.engine
                .decide_approval(p, &ap.id, &stage.id, decision)
                .await?;
            Ok(response::no_content())
        }
        Ent::User(u) => {
            let b = parse_body(call, bytes, "user", &NO_EXTRAS)?;
            let pw = wire::directory::password_in(In(&b));
            s.engine
                .update_user(
                    p,
                    &u.id,
                    |x| {
                        accessd_engine::Error::check_if_match(im, &*x)?;
                        wire::directory::user_in(In(&b), x);
                        Ok(())
                    },
                    pw.as_deref(),
                )
                .await?;
            Ok(response::no_content())
        }
        Ent::Group(g) => {
            let b = parse_body(call, bytes, "group", &NO_EXTRAS)?;
            s.engine
                .update_group(p, &g.id, |x| {
                    accessd_engine::Error::check_if_match(im, &*x)?;
                    wire::directory::group_in(In(&b), x);
                    Ok(())
                })
                .await?;
            Ok(response::no_content())
        }
        other => Err(ApiError::method_not_allowed(
            "PATCH",
            &format!("a {}", other.kind().noun()),
        )),
    }
}

async fn put(call: &Call, target: Target, bytes: &[u8]) -> ApiResult<Response> {
    if let Target::SingleRef { ent, nav, .. } = &target {
        return match (ent, nav.as_str()) {
            (Ent::User(u), "manager") => {
                let id = odata_id(call, bytes)?;
                call.s
                    .engine
                    .set_manager(&call.caller, &u.id, Some(&id))
                    .await?;
                Ok(response::no_content())
            }
            _ => Err(ApiError::method_not_allowed("PUT", "this reference")),
        };
    }
    let Target::Entity {
        ent: Ent::Policy(pol),
        context,
        ..
    } = target
    else {
        return Err(ApiError::method_not_allowed(
            "PUT",
            "this resource; only assignment policies are replaced with PUT",
        ));
    };
    let im = preconditions::if_match(&call.headers)?;
    preconditions::check(im.as_deref(), &Ent::Policy(pol.clone()))?;
    let im = im.as_deref();
    let d = call.d;
    let extras = if d == Dialect::V1 {
        &wire::policy::V1_LEGACY
    } else {
        &wire::policy::BETA_EXTRAS
    };
    let b = parse_body(call, bytes, "accessPackageAssignmentPolicy", extras)?;
    let mut echo = wire::policy::Echo::default();
    let mut err = None;
    let now = call.s.engine.now();
    let pol = call
        .s
        .engine
        .update_policy(&call.caller, &pol.id, |x| {
            accessd_engine::Error::check_if_match(im, &*x)?;
            // A replacement: everything not sent returns to its default.
            let mut fresh = wire::policy::blank(now);
            if let Err(e) = wire::policy::policy_in(d, In(&b), &mut fresh, &mut echo) {
                err = Some(e);
            }
            *x = fresh;
            Ok(())
        })
        .await;
    if let Some(e) = err {
        return Err(e);
    }
    let pol = pol?;
    Ok(call.ok_entity(&context, wire::policy::policy_out(d, &pol, &echo)))
}

async fn delete(call: &Call, target: Target) -> ApiResult<Response> {
    let e = &call.s.engine;
    let p = &call.caller;
    match target {
        Target::Entity { ent, within, .. } => {
            preconditions::check(preconditions::if_match(&call.headers)?.as_deref(), &ent)?;
            // Through a reference (group/members/{id}, assignment/accessPackage) only the
            // reference can be removed, with $ref; the object itself stays.
            match &within {
                Some(c) if c.holds_members(call.d) => {}
                Some(_) => {
                    return Err(ApiError::method_not_allowed(
                        "DELETE",
                        "an object reached through a reference; remove the reference with DELETE .../$ref",
                    ));
                }
                None => {
                    return Err(ApiError::method_not_allowed(
                        "DELETE",
                        "a single-valued navigation property",
                    ));
                }
            }
            // A connected organization's sponsors are contained in beta: deleting one there
            // removes the sponsorship, never the user or group.
            if let Some(Coll {
                parent: Some((Ent::ConnectedOrganization(org), nav)),
                ..
            }) = &within
            {
                e.remove_sponsor(p, &org.id, sponsors(nav), ent.id())
                    .await?;
                return Ok(response::no_content());
            }
            match ent {
                Ent::Catalog(c) => e.delete_catalog(p, &c.id).await?,
                Ent::ConnectedOrganization(o) => e.delete_connected_organization(p, &o.id).await?,
                Ent::AccessPackage(a) => e.delete_access_package(p, &a.id).await?,
                Ent::Policy(x) => e.delete_policy(p, &x.id).await?,
                Ent::Assignment(a) => e.delete_assignment(p, &a.id).await?,
                Ent::Request(r) => e.delete_request(p, &r.id).await?,
                Ent::User(u) => e.delete_user(p, &u.id).await?,
                Ent::Group(g) => e.delete_group(p, &g.id).await?,
                Ent::RoleAssignment(r) => e.delete_role_assignment(p, r.provider, &r.id).await?,
                Ent::DeletedItem(x) => e.purge_deleted_item(p, &x.id).await?,
                Ent::ResourceRoleScope(rs) => {
                    e.remove_role_scope(p, &rs.access_package_id, &rs.id)
                        .await?
                }
                other => {
                    return Err(ApiError::method_not_allowed(
                        "DELETE",
                        &format!("a {}", other.kind().noun()),
                    ));
                }
            }
            Ok(response::no_content())
        }
        Target::SingleRef {
            ent: Ent::User(u),
            nav,
            ..
        } if nav == "manager" => {
            e.set_manager(p, &u.id, None).await?;
            Ok(response::no_content())
        }
        Target::EntityRef { ent, within } => {
            match (&within.parent, ent) {
                (Some((Ent::Group(g), nav)), m) if nav == "members" => {
                    e.remove_group_member(p, &g.id, m.id()).await?
                }
                (Some((Ent::Group(g), nav)), m) if nav == "owners" => {
                    e.remove_group_owner(p, &g.id, m.id()).await?
                }
                (Some((Ent::ConnectedOrganization(org), nav)), o) => {
                    e.remove_sponsor(p, &org.id, sponsors(nav), o.id()).await?
                }
                (Some((Ent::AccessPackage(ap), nav)), o) if nav == "incompatibleAccessPackages" => {
                    e.remove_incompatible(p, &ap.id, Link::IncompatiblePackage, o.id())
                        .await?
                }
                (Some((Ent::AccessPackage(ap), nav)), o) if nav == "incompatibleGroups" => {
                    e.remove_incompatible(p, &ap.id, Link::IncompatibleGroup, o.id())
                        .await?
                }
                _ => return Err(ApiError::method_not_allowed("DELETE", "this reference")),
            }
            Ok(response::no_content())
        }
        _ => Err(ApiError::method_not_allowed("DELETE", "this resource")),
    }
}
