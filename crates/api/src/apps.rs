//! `/applications` and `/servicePrincipals`: registering the clients of the built-in token
//! endpoint through Graph, as scripts and Terraform do against Entra. Application, its
//! `addPassword`/`removePassword`, service principals, and application permissions granted as
//! `appRoleAssignments` (the principal's side) or `appRoleAssignedTo` (Microsoft Graph's
//! side). Lists take `$filter` equality on `id`, `appId` and `displayName` (joined with
//! `and`), `$top` and `$select`. docs/authentication.md lists what is served.

use std::sync::Arc;

use accessd_domain::query::{Expr as QExpr, Query};
use accessd_domain::store::TxExt;
use accessd_domain::{
    AppRoleGrant, Application, PasswordCredentialInfo, Principal, ServicePrincipal, Timestamp,
};
use accessd_engine::AppDraft;
use accessd_engine::apps::{GRAPH_APP_ID, GRAPH_APP_ROLES};
use accessd_engine::authz::{Obj, Op, Res};
use accessd_odata::ast::{BinaryOp, Expr, Literal};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::response::{self, context_url, with_context};
use crate::{AppState, Dialect, body};

/// What a request to these collections carries.
pub struct AppsCall<'a> {
    pub s: &'a AppState,
    pub d: Dialect,
    pub ctx: &'a RequestCtx,
    pub caller: &'a Arc<Principal>,
    pub method: &'a Method,
    pub headers: &'a axum::http::HeaderMap,
    pub raw_query: Option<&'a str>,
}

/// Whether the first segment of a path is one of these collections.
pub fn serves(first: &str) -> bool {
    let name = first.split('(').next().unwrap_or(first);
    name == "applications" || name == "servicePrincipals"
}

/// `applications(appId='x')`: the alternate key.
fn alternate_key(seg: &str) -> Option<(&str, String)> {
    let (name, rest) = seg.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let (k, v) = inner.split_once('=')?;
    if !k.trim().eq_ignore_ascii_case("appId") {
        return None;
    }
    let v = v.trim().trim_matches('\'').replace("''", "'");
    Some((name, v))
}

fn ts(t: &Timestamp) -> Value {
    Value::String(t.to_wire())
}

fn password_out(c: &PasswordCredentialInfo, secret: Option<&str>) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": c.display_name,
        "endDateTime": c.end_date_time.as_ref().map(ts),
        "hint": c.hint,
        "keyId": c.key_id,
        "secretText": secret,
        "startDateTime": ts(&c.start_date_time),
    })
}

fn application_out(a: &Application) -> Map<String, Value> {
    let v = json!({
        "id": a.id,
        "deletedDateTime": null,
        "appId": a.app_id,
        "createdDateTime": ts(&a.created_date_time),
        "description": null,
        "displayName": a.display_name,
        "identifierUris": [],
        "isFallbackPublicClient": a.is_fallback_public_client,
        "signInAudience": a.sign_in_audience,
        "tags": [],
        "keyCredentials": [],
        "passwordCredentials": a.password_credentials.iter().map(|c| password_out(c, None)).collect::<Vec<_>>(),
        "requiredResourceAccess": [],
        "publicClient": {"redirectUris": []},
        "web": {"redirectUris": [], "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn app_roles_out(sp: &ServicePrincipal) -> Vec<Value> {
    if sp.app_id != GRAPH_APP_ID {
        return vec![];
    }
    GRAPH_APP_ROLES
        .iter()
        .map(|r| {
            json!({
                "allowedMemberTypes": ["Application"],
                "description": r.display_name,
                "displayName": r.display_name,
                "id": r.id,
                "isEnabled": true,
                "origin": "Application",
                "value": r.value,
            })
        })
        .collect()
}

fn service_principal_out(sp: &ServicePrincipal) -> Map<String, Value> {
    let v = json!({
        "id": sp.id,
        "deletedDateTime": null,
        "accountEnabled": sp.account_enabled,
        "appDisplayName": sp.display_name,
        "appId": sp.app_id,
        "appRoleAssignmentRequired": false,
        "displayName": sp.display_name,
        "servicePrincipalNames": [sp.app_id],
        "servicePrincipalType": sp.service_principal_type,
        "signInAudience": "AzureADMyOrg",
        "tags": [],
        "appRoles": app_roles_out(sp),
        "oauth2PermissionScopes": [],
        "keyCredentials": [],
        "passwordCredentials": [],
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn grant_out(
    sp: &ServicePrincipal,
    graph: &ServicePrincipal,
    g: &AppRoleGrant,
) -> Map<String, Value> {
    let v = json!({
        "id": g.id,
        "deletedDateTime": null,
        "appRoleId": g.app_role_id,
        "createdDateTime": ts(&g.created_date_time),
        "principalDisplayName": sp.display_name,
        "principalId": sp.id,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": graph.display_name,
        "resourceId": graph.id,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A list's `$filter`: equalities on a few string properties, joined with `and`.
fn equalities(e: &Expr, out: &mut Vec<(String, String)>) -> ApiResult<()> {
    let unsupported = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Unsupported query: accessd filters applications and service principals by equality on id, appId and displayName only.",
        )
    };
    match e {
        Expr::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            equalities(left, out)?;
            equalities(right, out)
        }
        Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
        } => {
            let (Expr::Path(p), Expr::Literal(lit)) = (&**left, &**right) else {
                return Err(unsupported());
            };
            let [prop] = p.as_slice() else {
                return Err(unsupported());
            };
            let value = match lit {
                Literal::String(s) => s.clone(),
                Literal::Guid(g) => g.to_string(),
                _ => return Err(unsupported()),
            };
            if !["id", "appId", "displayName"].contains(&prop.as_str()) {
                return Err(unsupported());
            }
            out.push((prop.clone(), value));
            Ok(())
        }
        _ => Err(unsupported()),
    }
}

fn matches(m: &Map<String, Value>, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(k, v)| {
        m.get(k)
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(v))
    })
}

impl AppsCall<'_> {
    fn context(&self, c: &str) -> String {
        context_url(self.ctx, self.d, c)
    }

    fn url(&self, set: &str, id: &str) -> String {
        format!("{}/{}/{set}/{id}", self.ctx.base, self.d.segment())
    }

    async fn read_auth(&self, op: Op, res: Res, id: &str) -> ApiResult<()> {
        let obj = if id.is_empty() {
            Obj::default()
        } else {
            Obj::new(id)
        };
        Ok(self.s.engine.authorize(self.caller, op, res, &obj).await?)
    }

    fn page(&self, context: &str, items: Vec<Map<String, Value>>) -> ApiResult<Response> {
        let opts = crate::list::options(self.raw_query)?;
        if opts.orderby.is_some() || opts.expand.is_some() || opts.skip.is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Unsupported query: $orderby, $expand and $skip are not served on this collection.",
            ));
        }
        let mut filters = vec![];
        if let Some(f) = &opts.filter {
            equalities(f, &mut filters)?;
        }
        let top = opts.top.unwrap_or(100).min(999) as usize;
        let value: Vec<Value> = items
            .into_iter()
            .filter(|m| matches(m, &filters))
            .take(top)
            .map(|m| Value::Object(select(m, &opts)))
            .collect();
        Ok(response::json(
            StatusCode::OK,
            &json!({"@odata.context": self.context(context), "value": value}),
        ))
    }

    fn entity(&self, context: &str, m: Map<String, Value>) -> ApiResult<Response> {
        let opts = crate::list::options(self.raw_query)?;
        Ok(response::json(
            StatusCode::OK,
            &with_context(self.context(context), select(m, &opts)),
        ))
    }

    fn body(&self, bytes: &[u8]) -> ApiResult<Map<String, Value>> {
        body::object(self.headers, bytes, false)
    }
}

/// `$select`: the named top-level properties (and `id`).
fn select(m: Map<String, Value>, opts: &accessd_odata::QueryOptions) -> Map<String, Value> {
    use accessd_odata::ast::SelectItem;
    let Some(items) = &opts.select else {
        return m;
    };
    if items.iter().any(|i| matches!(i, SelectItem::Star)) {
        return m;
    }
    let names: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            SelectItem::Path(p) => p.first().map(String::as_str),
            SelectItem::Star => None,
        })
        .collect();
    m.into_iter()
        .filter(|(k, _)| k == "id" || names.iter().any(|n| n.eq_ignore_ascii_case(k)))
        .collect()
}

fn str_prop(b: &Map<String, Value>, k: &str) -> ApiResult<Option<String>> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_property(
            k,
            format!("Invalid value for property '{k}': expected a string."),
        )),
    }
}

fn draft_in(b: &Map<String, Value>) -> ApiResult<AppDraft> {
    let is_public = match b.get("isFallbackPublicClient") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(v)) => Some(*v),
        Some(_) => {
            return Err(ApiError::bad_property(
                "isFallbackPublicClient",
                "Invalid value for property 'isFallbackPublicClient': expected a boolean.",
            ));
        }
    };
    Ok(AppDraft {
        display_name: str_prop(b, "displayName")?,
        sign_in_audience: str_prop(b, "signInAudience")?,
        is_fallback_public_client: is_public,
        delegated_scopes: None,
    })
}

async fn load_app(call: &AppsCall<'_>, seg: &str, key: &str) -> ApiResult<Application> {
    let mut tx = call.s.store.read().await?;
    let found = match alternate_key(seg) {
        Some(_) => tx
            .find::<Application>(&Query::filtered(QExpr::col_eq("app_id", key)))
            .await?
            .into_iter()
            .next(),
        None => tx.load::<Application>(key).await?,
    };
    found.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
        )
    })
}

async fn load_sp(call: &AppsCall<'_>, by_app_id: bool, key: &str) -> ApiResult<ServicePrincipal> {
    let mut tx = call.s.store.read().await?;
    let found = if by_app_id {
        tx.find::<ServicePrincipal>(&Query::filtered(QExpr::col_eq("app_id", key)))
            .await?
            .into_iter()
            .next()
    } else {
        tx.load::<ServicePrincipal>(key).await?
    };
    found.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
        )
    })
}

async fn graph_sp(call: &AppsCall<'_>) -> ApiResult<ServicePrincipal> {
    load_sp(call, true, GRAPH_APP_ID).await
}

fn not_allowed(m: &Method, what: &str) -> ApiError {
    ApiError::method_not_allowed(m.as_str(), what)
}

/// Serves a path whose first segment [`serves`] said yes to.
pub async fn route(call: AppsCall<'_>, segs: &[String], bytes: &[u8]) -> ApiResult<Response> {
    let first = segs[0].as_str();
    let (name, key) = match alternate_key(first) {
        Some((n, k)) => (n.to_string(), Some(k)),
        None => (first.to_string(), segs.get(1).cloned()),
    };
    // With an alternate key the rest starts at 1, else at 2.
    let rest: &[String] = match (alternate_key(first), segs.len()) {
        (Some(_), _) => &segs[1..],
        (None, n) if n >= 2 => &segs[2..],
        _ => &[],
    };
    // Authorized before anything is looked up, so that a caller who may not read these
    // learns nothing of what exists.
    let res = if name == "applications" {
        Res::Application
    } else {
        Res::ServicePrincipal
    };
    let op = match (call.method.clone(), key.is_some(), rest.is_empty()) {
        (Method::GET, false, _) => Op::List,
        (Method::GET, true, _) => Op::Get,
        (Method::POST, false, _) => Op::Create,
        (Method::POST, true, _) if res == Res::Application => Op::Secret,
        (Method::DELETE, true, true) => Op::Delete,
        _ => Op::Update,
    };
    call.read_auth(op, res, "").await?;
    if name == "applications" {
        applications(&call, first, key.as_deref(), rest, bytes).await
    } else {
        service_principals(
            &call,
            alternate_key(first).is_some(),
            key.as_deref(),
            rest,
            bytes,
        )
        .await
    }
}

async fn applications(
    call: &AppsCall<'_>,
    first: &str,
    key: Option<&str>,
    rest: &[String],
    bytes: &[u8],
) -> ApiResult<Response> {
    let e = &call.s.engine;
    let p = call.caller.as_ref();
    let m = call.method;
    let Some(key) = key else {
        return match *m {
            Method::GET => {
                call.read_auth(Op::List, Res::Application, "").await?;
                let mut tx = call.s.store.read().await?;
                let apps = tx.find::<Application>(&Query::default()).await?;
                call.page("applications", apps.iter().map(application_out).collect())
            }
            Method::POST => {
                let b = call.body(bytes)?;
                let app = e.create_application(p, draft_in(&b)?).await?;
                let v = with_context(call.context("applications/$entity"), application_out(&app));
                Ok(response::created(&v, &call.url("applications", &app.id)))
            }
            _ => Err(not_allowed(m, "the applications collection")),
        };
    };
    match (m.clone(), rest.first().map(String::as_str)) {
        (Method::GET, None) => {
            let app = load_app(call, first, key).await?;
            call.read_auth(Op::Get, Res::Application, &app.id).await?;
            call.entity("applications/$entity", application_out(&app))
        }
        (Method::PATCH, None) => {
            let app = load_app(call, first, key).await?;
            let b = call.body(bytes)?;
            e.update_application(p, &app.id, draft_in(&b)?).await?;
            Ok(response::no_content())
        }
        (Method::DELETE, None) => {
            let app = load_app(call, first, key).await?;
            e.delete_application(p, &app.id).await?;
            Ok(response::no_content())
        }
        (Method::POST, Some(action)) if rest.len() == 1 => {
            let action = action.trim_start_matches("microsoft.graph.");
            let app = load_app(call, first, key).await?;
            let b = call.body(bytes)?;
            match action {
                "addPassword" => {
                    let pc = b
                        .get("passwordCredential")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    let name = str_prop(&pc, "displayName")?;
                    let end = match str_prop(&pc, "endDateTime")? {
                        None => None,
                        Some(t) => Some(Timestamp::parse(&t).map_err(|_| {
                            ApiError::bad_property(
                                "passwordCredential.endDateTime",
                                format!("Invalid value for property 'endDateTime': '{t}' is not a date and time."),
                            )
                        })?),
                    };
                    let (info, secret) = e.add_password(p, &app.id, name, end).await?;
                    let out = match password_out(&info, Some(&secret)) {
                        Value::Object(m) => m,
                        _ => Map::new(),
                    };
                    Ok(response::json(
                        StatusCode::OK,
                        &with_context(call.context("microsoft.graph.passwordCredential"), out),
                    ))
                }
                "removePassword" => {
                    let Some(key_id) = str_prop(&b, "keyId")? else {
                        return Err(ApiError::bad_property(
                            "keyId",
                            "The property 'keyId' is required.",
                        ));
                    };
                    e.remove_password(p, &app.id, &key_id).await?;
                    Ok(response::no_content())
                }
                other => Err(ApiError::no_route(&format!("applications/{key}/{other}"))),
            }
        }
        (m, Some(_)) => Err(ApiError::no_route(&format!(
            "{} applications/{key}/{}",
            m.as_str(),
            rest.join("/")
        ))),
        (m, None) => Err(not_allowed(&m, "an application")),
    }
}

async fn service_principals(
    call: &AppsCall<'_>,
    by_app_id: bool,
    key: Option<&str>,
    rest: &[String],
    bytes: &[u8],
) -> ApiResult<Response> {
    let e = &call.s.engine;
    let p = call.caller.as_ref();
    let m = call.method;
    let Some(key) = key else {
        return match *m {
            Method::GET => {
                call.read_auth(Op::List, Res::ServicePrincipal, "").await?;
                let mut tx = call.s.store.read().await?;
                let sps = tx.find::<ServicePrincipal>(&Query::default()).await?;
                call.page(
                    "servicePrincipals",
                    sps.iter().map(service_principal_out).collect(),
                )
            }
            Method::POST => {
                let b = call.body(bytes)?;
                let Some(app_id) = str_prop(&b, "appId")? else {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "Request_BadRequest",
                        "The appId property is required to create a service principal.",
                    )
                    .with_target("appId"));
                };
                let sp = e.create_service_principal(p, &app_id).await?;
                let v = with_context(
                    call.context("servicePrincipals/$entity"),
                    service_principal_out(&sp),
                );
                Ok(response::created(
                    &v,
                    &call.url("servicePrincipals", &sp.id),
                ))
            }
            _ => Err(not_allowed(m, "the servicePrincipals collection")),
        };
    };
    let sp = load_sp(call, by_app_id, key).await?;
    match (m.clone(), rest.first().map(String::as_str), rest.get(1)) {
        (Method::GET, None, _) => {
            call.read_auth(Op::Get, Res::ServicePrincipal, &sp.id)
                .await?;
            call.entity("servicePrincipals/$entity", service_principal_out(&sp))
        }
        (Method::DELETE, None, _) => {
            e.delete_service_principal(p, &sp.id).await?;
            Ok(response::no_content())
        }
        (method, Some(nav @ ("appRoleAssignments" | "appRoleAssignedTo")), grant) => {
            let assigned_to = nav == "appRoleAssignedTo";
            let graph = graph_sp(call).await?;
            let context = format!("servicePrincipals('{}')/{nav}", sp.id);
            match (method, grant) {
                (Method::GET, None) => {
                    call.read_auth(Op::Get, Res::ServicePrincipal, &sp.id)
                        .await?;
                    let holders = if assigned_to {
                        if sp.id != graph.id {
                            vec![]
                        } else {
                            let mut tx = call.s.store.read().await?;
                            tx.find::<ServicePrincipal>(&Query::default()).await?
                        }
                    } else {
                        vec![sp.clone()]
                    };
                    let items = holders
                        .iter()
                        .flat_map(|h| h.app_roles.iter().map(|g| grant_out(h, &graph, g)))
                        .collect();
                    call.page(&context, items)
                }
                (Method::POST, None) => {
                    let b = call.body(bytes)?;
                    let principal = str_prop(&b, "principalId")?.unwrap_or_default();
                    let resource = str_prop(&b, "resourceId")?.unwrap_or_default();
                    let role = str_prop(&b, "appRoleId")?.unwrap_or_default();
                    let (holder, resource) = if assigned_to {
                        (principal, sp.id.clone())
                    } else {
                        if !principal.eq_ignore_ascii_case(&sp.id) {
                            return Err(ApiError::new(
                                StatusCode::BAD_REQUEST,
                                "Request_BadRequest",
                                "The principalId must be the service principal the request is addressed to.",
                            )
                            .with_target("principalId"));
                        }
                        (sp.id.clone(), resource)
                    };
                    let g = e.grant_app_role(p, &holder, &resource, &role).await?;
                    let holder_sp = load_sp(call, false, &holder).await?;
                    let v = with_context(
                        call.context(&format!("{context}/$entity")),
                        grant_out(&holder_sp, &graph, &g),
                    );
                    Ok(response::created(
                        &v,
                        &format!("{}/{nav}/{}", call.url("servicePrincipals", &sp.id), g.id),
                    ))
                }
                (Method::GET, Some(gid)) => {
                    call.read_auth(Op::Get, Res::ServicePrincipal, &sp.id)
                        .await?;
                    let found = find_grant(call, &sp, &graph, assigned_to, gid).await?;
                    call.entity(
                        &format!("{context}/$entity"),
                        grant_out(&found.0, &graph, &found.1),
                    )
                }
                (Method::DELETE, Some(gid)) => {
                    let (holder, g) = find_grant(call, &sp, &graph, assigned_to, gid).await?;
                    e.revoke_app_role(p, &holder.id, &g.id).await?;
                    Ok(response::no_content())
                }
                (m, _) => Err(not_allowed(&m, "an app role assignment")),
            }
        }
        (m, Some(_), _) => Err(ApiError::no_route(&format!(
            "{} servicePrincipals/{key}/{}",
            m.as_str(),
            rest.join("/")
        ))),
        (m, None, _) => Err(not_allowed(&m, "a service principal")),
    }
}

async fn find_grant(
    call: &AppsCall<'_>,
    sp: &ServicePrincipal,
    graph: &ServicePrincipal,
    assigned_to: bool,
    gid: &str,
) -> ApiResult<(ServicePrincipal, AppRoleGrant)> {
    let holders = if assigned_to && sp.id == graph.id {
        let mut tx = call.s.store.read().await?;
        tx.find::<ServicePrincipal>(&Query::default()).await?
    } else if assigned_to {
        vec![]
    } else {
        vec![sp.clone()]
    };
    holders
        .into_iter()
        .find_map(|h| {
            let g = h.app_roles.iter().find(|g| g.id == gid).cloned()?;
            Some((h, g))
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                format!("Resource '{gid}' does not exist or one of its queried reference-property objects are not present."),
            )
        })
}
