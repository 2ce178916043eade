//! A catalog's custom extensions: v1.0 `catalogs/{id}/customWorkflowExtensions` and beta
//! `accessPackageCatalogs/{id}/customWorkflowExtensions` (list, create, get, update, delete).
//! The types are the two concrete `customCalloutExtension`s of entitlement management; bodies
//! are checked against the model like every other write. The callouts themselves are the
//! engine's (`accessd_engine::extensions`).

use std::sync::Arc;

use accessd_domain::query::{Expr as QExpr, Query};
use accessd_domain::store::TxExt;
use accessd_domain::{
    ASSIGNMENT_WORKFLOW_EXTENSION, Catalog, CustomExtension, Principal, REQUEST_WORKFLOW_EXTENSION,
};
use accessd_engine::authz::{Obj, Op, Res};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::edm::validate::{self, NO_EXTRAS};
use crate::error::{ApiError, ApiResult};
use crate::middleware::RequestCtx;
use crate::response::{self, context_url, with_context};
use crate::{AppState, Dialect, body};

pub struct ExtCall<'a> {
    pub s: &'a AppState,
    pub d: Dialect,
    pub ctx: &'a RequestCtx,
    pub caller: &'a Arc<Principal>,
    pub method: &'a Method,
    pub headers: &'a axum::http::HeaderMap,
}

const NAV: &str = "customWorkflowExtensions";

/// `(catalog id, extension id)` when the path names these collections.
pub fn matches(d: Dialect, segs: &[String]) -> Option<(String, Option<String>)> {
    let catalogs = match d {
        Dialect::V1 => "catalogs",
        Dialect::Beta => "accessPackageCatalogs",
    };
    match segs {
        [ig, em, c, cid, nav, rest @ ..]
            if ig == "identityGovernance"
                && em == "entitlementManagement"
                && c == catalogs
                && nav == NAV
                && rest.len() <= 1 =>
        {
            Some((cid.clone(), rest.first().cloned()))
        }
        _ => None,
    }
}

fn ext_out(e: &CustomExtension) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "@odata.type".into(),
        format!("#microsoft.graph.{}", e.odata_type).into(),
    );
    m.insert("id".into(), e.id.clone().into());
    m.insert("displayName".into(), e.display_name.clone().into());
    m.insert("description".into(), e.description.clone().into());
    for (k, v) in [
        ("endpointConfiguration", &e.endpoint_configuration),
        (
            "authenticationConfiguration",
            &e.authentication_configuration,
        ),
        ("clientConfiguration", &e.client_configuration),
        ("callbackConfiguration", &e.callback_configuration),
    ] {
        m.insert(k.into(), v.clone().unwrap_or(Value::Null));
    }
    m.insert(
        "createdDateTime".into(),
        e.created_date_time.to_wire().into(),
    );
    m.insert(
        "lastModifiedDateTime".into(),
        e.last_modified_date_time.to_wire().into(),
    );
    m.insert("createdBy".into(), e.created_by.clone().into());
    m.insert("lastModifiedBy".into(), e.last_modified_by.clone().into());
    m
}

/// Applies a validated body's properties.
fn ext_in(b: &Map<String, Value>, e: &mut CustomExtension) {
    let s = |k: &str| b.get(k).map(|v| v.as_str().map(str::to_string));
    if let Some(v) = s("displayName") {
        e.display_name = v;
    }
    if let Some(v) = s("description") {
        e.description = v;
    }
    for (k, slot) in [
        ("endpointConfiguration", &mut e.endpoint_configuration),
        (
            "authenticationConfiguration",
            &mut e.authentication_configuration,
        ),
        ("clientConfiguration", &mut e.client_configuration),
        ("callbackConfiguration", &mut e.callback_configuration),
    ] {
        if let Some(v) = b.get(k) {
            *slot = (!v.is_null()).then(|| v.clone());
        }
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("custom extension", id)
}

impl ExtCall<'_> {
    fn context(&self, cid: &str, entity: bool) -> String {
        let set = match self.d {
            Dialect::V1 => "catalogs",
            Dialect::Beta => "accessPackageCatalogs",
        };
        let c = format!("identityGovernance/entitlementManagement/{set}('{cid}')/{NAV}");
        context_url(
            self.ctx,
            self.d,
            &if entity { format!("{c}/$entity") } else { c },
        )
    }

    async fn read_auth(&self, op: Op, id: &str, catalog: &str) -> ApiResult<()> {
        let obj = Obj::in_catalog(id, catalog);
        Ok(self
            .s
            .engine
            .authorize(self.caller, op, Res::CustomExtension, &obj)
            .await?)
    }
}

/// Serves a path [`matches`] recognized.
pub async fn route(
    call: ExtCall<'_>,
    catalog: &str,
    ext_id: Option<&str>,
    bytes: &[u8],
) -> ApiResult<Response> {
    let e = &call.s.engine;
    let p = call.caller.as_ref();
    let m = call.method.clone();
    // Authorized before anything is looked up (a catalog the caller may not read is not
    // there for them).
    let op = match (&m, ext_id) {
        (&Method::GET, None) => Op::List,
        (&Method::GET, Some(_)) => Op::Get,
        (&Method::POST, None) => Op::Create,
        (&Method::DELETE, Some(_)) => Op::Delete,
        _ => Op::Update,
    };
    call.read_auth(op, ext_id.unwrap_or_default(), catalog)
        .await?;
    let found = {
        let mut tx = call.s.store.read().await?;
        tx.load::<Catalog>(catalog).await?
    };
    if found.is_none() {
        return Err(ApiError::not_found("catalog", catalog));
    }
    let Some(id) = ext_id else {
        return match m {
            Method::GET => {
                let mut tx = call.s.store.read().await?;
                let list = tx
                    .find::<CustomExtension>(&Query::filtered(QExpr::col_eq("catalog_id", catalog)))
                    .await?;
                let value: Vec<Value> = list.iter().map(|x| Value::Object(ext_out(x))).collect();
                let mut out = Map::new();
                out.insert("@odata.context".into(), call.context(catalog, false).into());
                out.insert("value".into(), Value::Array(value));
                Ok(response::json(StatusCode::OK, &Value::Object(out)))
            }
            Method::POST => {
                let b = body::object(call.headers, bytes, false)?;
                validate::check(
                    call.d,
                    "customCalloutExtension",
                    &Value::Object(b.clone()),
                    &NO_EXTRAS,
                )?;
                let ty = b
                    .get("@odata.type")
                    .and_then(Value::as_str)
                    .map(crate::edm::short_name)
                    .unwrap_or_default();
                if ty != REQUEST_WORKFLOW_EXTENSION && ty != ASSIGNMENT_WORKFLOW_EXTENSION {
                    return Err(ApiError::bad_property(
                        "@odata.type",
                        format!(
                            "A catalog's custom extension is a '#microsoft.graph.{REQUEST_WORKFLOW_EXTENSION}' or a '#microsoft.graph.{ASSIGNMENT_WORKFLOW_EXTENSION}', not '{ty}'."
                        ),
                    ));
                }
                let now = e.now();
                let mut x = CustomExtension {
                    id: String::new(),
                    catalog_id: catalog.to_string(),
                    odata_type: ty.to_string(),
                    display_name: None,
                    description: None,
                    endpoint_configuration: None,
                    authentication_configuration: None,
                    client_configuration: None,
                    callback_configuration: None,
                    created_date_time: now,
                    last_modified_date_time: now,
                    created_by: None,
                    last_modified_by: None,
                };
                ext_in(&b, &mut x);
                let x = e.create_custom_extension(p, x).await?;
                let location = format!(
                    "{}/{}/identityGovernance/entitlementManagement/{}/{catalog}/{NAV}/{}",
                    call.ctx.base,
                    call.d.segment(),
                    match call.d {
                        Dialect::V1 => "catalogs",
                        Dialect::Beta => "accessPackageCatalogs",
                    },
                    x.id
                );
                let v = with_context(call.context(catalog, true), ext_out(&x));
                Ok(response::created(&v, &location))
            }
            other => Err(ApiError::method_not_allowed(
                other.as_str(),
                "a catalog's custom extensions",
            )),
        };
    };
    let x = {
        let mut tx = call.s.store.read().await?;
        tx.load::<CustomExtension>(id).await?
    }
    .filter(|x| x.catalog_id == catalog)
    .ok_or_else(|| not_found(id))?;
    match m {
        Method::GET => Ok(response::json(
            StatusCode::OK,
            &with_context(call.context(catalog, true), ext_out(&x)),
        )),
        Method::PATCH | Method::PUT => {
            let b = body::object(call.headers, bytes, false)?;
            let mut typed = b.clone();
            typed
                .entry("@odata.type".to_string())
                .or_insert_with(|| format!("#microsoft.graph.{}", x.odata_type).into());
            validate::check(
                call.d,
                "customCalloutExtension",
                &Value::Object(typed),
                &NO_EXTRAS,
            )?;
            if let Some(t) = b.get("@odata.type").and_then(Value::as_str)
                && crate::edm::short_name(t) != x.odata_type
            {
                return Err(ApiError::bad_property(
                    "@odata.type",
                    "The type of a custom extension cannot be changed.",
                ));
            }
            let updated = e
                .update_custom_extension(p, id, |cur| {
                    ext_in(&b, cur);
                    Ok(())
                })
                .await?;
            if m == Method::PUT {
                return Ok(response::no_content());
            }
            Ok(response::json(
                StatusCode::OK,
                &with_context(call.context(catalog, true), ext_out(&updated)),
            ))
        }
        Method::DELETE => {
            e.delete_custom_extension(p, id).await?;
            Ok(response::no_content())
        }
        other => Err(ApiError::method_not_allowed(
            other.as_str(),
            "a custom extension",
        )),
    }
}
