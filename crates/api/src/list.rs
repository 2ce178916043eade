//! Reading collections and entities the way Graph answers them: OData query options translated
//! to the domain query tree (`list/translate.rs`, with the per-kind property tables and Graph's
//! allow-lists of `list/props.rs`), keyset paging with opaque `$skiptoken`s and absolute
//! `@odata.nextLink`s, `$count`, `$search` (`list/search.rs`), `$select`, and `$expand` with the
//! options nested in it, on every navigation property of the model.
//!
//! `docs/queries.md` is the user-facing account of what is accepted and why.

mod fast;
mod props;
mod search;
mod translate;

use accessd_domain::query::{Expr, OrderKey, Query, Value};
use accessd_domain::store::Tx;
use accessd_odata::{ExpandItem, Limits, QueryOptions, SelectItem};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::Engine as _;
use serde_json::{Map, Value as Json};

use crate::error::ApiError;
use crate::middleware::RequestCtx;
use crate::path::{Coll, EKind, Ent, Nav, Scope, navigate};
use crate::{Config, Dialect};

use translate::Translator;
pub use translate::bad_query;

/// Nested `$expand` levels accepted (`a($expand=b($expand=c))` is three).
pub const MAX_EXPAND_DEPTH: usize = 3;

/// Turns a parse error into Graph's answer: `InvalidFilter` for `$filter`, `BadRequest` for
/// the other options.
pub fn parse_error(e: accessd_odata::ParseError) -> ApiError {
    let code = if e.option == "$filter" {
        "InvalidFilter"
    } else {
        "BadRequest"
    };
    ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
}

/// The parsed query options of a request.
pub fn options(raw_query: Option<&str>) -> Result<QueryOptions, ApiError> {
    let limits = Limits {
        max_expand_depth: MAX_EXPAND_DEPTH,
        ..Limits::default()
    };
    let opts = match raw_query {
        Some(q) if !q.is_empty() => {
            QueryOptions::parse_query_string(q, &limits).map_err(parse_error)?
        }
        _ => QueryOptions::default(),
    };
    if opts.levels.is_some() {
        return Err(bad_query(
            "The query option $levels is not supported by Microsoft Graph.",
        ));
    }
    if opts.deltatoken.is_some() {
        return Err(bad_query(
            "The query option $deltatoken is not supported on this resource.",
        ));
    }
    Ok(opts)
}

/// Translates `$filter` for a kind.
pub fn filter(
    d: Dialect,
    kind: EKind,
    cfg: &Config,
    rules: Rules,
    f: &accessd_odata::Expr,
) -> Result<Expr, ApiError> {
    Translator::new(d, kind, cfg.permissive_queries)
        .advanced(rules.advanced)
        .filter(f)
}

/// What one request may use beyond the allow-lists. Graph's rules for collections of directory
/// objects (users, groups, a group's members), from its page on advanced queries: `$search` and
/// `$count` need the `ConsistencyLevel: eventual` header (without it `/$count` is a 400 and
/// `$count=true` is ignored); `ne`, `not`, `endsWith` and `$filter` with `$orderby` also need
/// `$count=true` (or the `/$count` segment). Other collections, and every collection under
/// `--permissive-queries`, have neither rule. And beta's `Search()` allows `$search` on its
/// collection.
#[derive(Clone, Copy)]
pub struct Rules {
    /// `$search` and `$count` may be used on the directory.
    pub eventual: bool,
    /// The directory's advanced filters may be used.
    pub advanced: bool,
    /// `$search` is allowed whatever the kind.
    pub search_anywhere: bool,
}

impl Rules {
    /// No rule beyond the allow-lists (inside `$expand`).
    pub const FREE: Rules = Rules {
        eventual: true,
        advanced: true,
        search_anywhere: false,
    };

    /// The rules of a collection read; `counting` for the `/$count` segment.
    pub fn of(
        kind: EKind,
        cfg: &Config,
        ctx: &RequestCtx,
        opts: &QueryOptions,
        counting: bool,
    ) -> Rules {
        if !kind.is_directory() || cfg.permissive_queries {
            return Rules::FREE;
        }
        Rules {
            eventual: ctx.eventual,
            advanced: ctx.eventual && (counting || opts.count == Some(true)),
            search_anywhere: false,
        }
    }

    fn check(self, opts: &QueryOptions) -> Result<(), ApiError> {
        if opts.search.is_some() && !self.eventual {
            return Err(unsupported_query(
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        if opts.filter.is_some() && opts.orderby.is_some() && !self.advanced {
            return Err(unsupported_query(
                "Sorting not supported for current query.",
            ));
        }
        Ok(())
    }
}

fn unsupported_query(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

fn order(
    d: Dialect,
    kind: EKind,
    cfg: &Config,
    items: &[accessd_odata::OrderItem],
) -> Result<Vec<OrderKey>, ApiError> {
    if kind == EKind::DirectoryObject {
        return Err(bad_query(
            "Sorting is not supported on collections of directory objects of several types.",
        ));
    }
    Translator::new(d, kind, cfg.permissive_queries).order(items)
}

// ---- paging ----------------------------------------------------------------------------------

fn encode_token(values: &[Value]) -> String {
    let arr: Vec<Json> = values
        .iter()
        .map(|v| match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => Json::from(*f),
            Value::Text(s) => Json::String(s.clone()),
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Json::Array(arr).to_string())
}

fn decode_token(token: &str) -> Result<Vec<Value>, ApiError> {
    let bad = || {
        let shown: String = token.chars().take(64).collect();
        bad_query(format!(
            "The $skiptoken '{shown}' is not valid for this query."
        ))
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let Json::Array(items) = serde_json::from_slice::<Json>(&bytes).map_err(|_| bad())? else {
        return Err(bad());
    };
    items
        .into_iter()
        .map(|j| match j {
            Json::Null => Ok(Value::Null),
            Json::Bool(b) => Ok(Value::Bool(b)),
            Json::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_f64().map(Value::Float))
                .ok_or_else(bad),
            Json::String(s) => Ok(Value::Text(s)),
            _ => Err(bad()),
        })
        .collect()
}

/// The query string with `$skiptoken`/`$skip` replaced by a new skiptoken (everything else,
/// `$filter`, `$select`, `$expand`, `$top`, `$count`..., kept as the client sent it: the SDKs
/// follow the link verbatim).
fn next_query(raw: Option<&str>, token: &str) -> String {
    let mut parts: Vec<&str> = raw
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            !name.eq_ignore_ascii_case("$skiptoken") && !name.eq_ignore_ascii_case("$skip")
        })
        .collect();
    let tok = format!("$skiptoken={token}");
    parts.push(&tok);
    parts.join("&")
}

/// Everything needed to answer a collection read.
pub struct ListRequest<'a> {
    pub d: Dialect,
    pub cfg: &'a Config,
    pub ctx: &'a RequestCtx,
    pub path: &'a str,
    pub raw_query: Option<&'a str>,
    pub opts: &'a QueryOptions,
    pub coll: &'a Coll,
    /// An extra condition (from a function such as filterByCurrentUser).
    pub extra: Option<Expr>,
    /// `$search` is allowed whatever the kind (beta's `Search()` functions).
    pub searchable: bool,
}

/// The stored kinds a collection of `kind` reads.
fn stored_kinds(kind: EKind) -> Result<Vec<EKind>, ApiError> {
    match kind {
        EKind::DirectoryObject => Ok(vec![EKind::User, EKind::Group]),
        k if k.store_kind().is_some() => Ok(vec![k]),
        k => Err(ApiError::internal(format!(
            "{k:?} is not stored on its own"
        ))),
    }
}

/// The condition of a collection read: its scope, an extra condition, `$filter`, `$search`.
fn condition(
    d: Dialect,
    cfg: &Config,
    rules: Rules,
    kind: EKind,
    scope: &Scope,
    extra: Option<&Expr>,
    opts: &QueryOptions,
) -> Result<Expr, ApiError> {
    rules.check(opts)?;
    let mut parts = vec![scope.to_expr()];
    if let Some(e) = extra {
        parts.push(e.clone());
    }
    if let Some(f) = &opts.filter {
        parts.push(filter(d, kind, cfg, rules, f)?);
    }
    if let Some(s) = &opts.search {
        parts.push(search::search(
            d,
            kind,
            cfg.permissive_queries || rules.search_anywhere,
            s,
        )?);
    }
    Ok(Expr::and(parts))
}

/// `/$count` of a collection: the number of its members that pass `$filter` and `$search`.
pub async fn count(
    tx: &mut dyn Tx,
    d: Dialect,
    cfg: &Config,
    ctx: &RequestCtx,
    coll: &Coll,
    extra: Option<&Expr>,
    opts: &QueryOptions,
) -> Result<u64, ApiError> {
    let rules = Rules::of(coll.kind, cfg, ctx, opts, true);
    if !rules.eventual {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "$count is not currently supported.",
        ));
    }
    if let Scope::Embedded(items) = &coll.scope {
        if opts.filter.is_some() || opts.search.is_some() {
            return Err(bad_query(
                "$filter and $search are not supported on this collection.",
            ));
        }
        return Ok(items.len() as u64);
    }
    let cond = condition(d, cfg, rules, coll.kind, &coll.scope, extra, opts)?;
    let mut n = 0;
    for k in stored_kinds(coll.kind)? {
        let sk = k
            .store_kind()
            .ok_or_else(|| ApiError::internal("unstored kind counted"))?;
        n += tx.count(sk, Some(&cond)).await?;
    }
    Ok(n)
}

/// One page of a collection, before rendering.
struct Fetched {
    count: Option<u64>,
    items: Vec<Item>,
    next_link: Option<String>,
}

/// A member of a page: an entity already at hand (embedded collections), or a stored row
/// decoded only when it is rendered.
enum Item {
    Ent(Box<Ent>),
    Row(EKind, accessd_domain::Row),
}

impl Item {
    fn ent(&self) -> Result<std::borrow::Cow<'_, Ent>, ApiError> {
        match self {
            Item::Ent(e) => Ok(std::borrow::Cow::Borrowed(&**e)),
            Item::Row(k, row) => Ent::decode(*k, row).map(std::borrow::Cow::Owned),
        }
    }
}

/// Reads one page of a collection: the entities, `@odata.count` when asked, the next link.
async fn fetch(tx: &mut dyn Tx, r: &ListRequest<'_>) -> Result<Fetched, ApiError> {
    let kind = r.coll.kind;
    let opts = r.opts;
    let mut count = None;
    let limit = opts.top.unwrap_or(r.cfg.default_page_size);
    if limit > r.cfg.max_page_size {
        return Err(bad_query(format!(
            "Invalid page size specified: the value of $top ({limit}) must be between 0 and {}.",
            r.cfg.max_page_size
        )));
    }
    let (ents, next) = if let Scope::Embedded(items) = &r.coll.scope {
        if opts.filter.is_some() || opts.orderby.is_some() || opts.search.is_some() {
            return Err(bad_query(
                "$filter, $orderby and $search are not supported on this collection.",
            ));
        }
        if opts.skiptoken.is_some() {
            return Err(bad_query("This collection has no further pages."));
        }
        if opts.count == Some(true) {
            count = Some(items.len() as u64);
        }
        let skip = opts.skip.unwrap_or(0).min(usize::MAX as u64) as usize;
        let ents: Vec<Item> = items
            .iter()
            .skip(skip)
            .take(limit as usize)
            .map(|e| Item::Ent(Box::new(e.clone())))
            .collect();
        (ents, None)
    } else {
        let rules = Rules {
            search_anywhere: r.searchable,
            ..Rules::of(kind, r.cfg, r.ctx, opts, false)
        };
        let cond = condition(
            r.d,
            r.cfg,
            rules,
            kind,
            &r.coll.scope,
            r.extra.as_ref(),
            opts,
        )?;
        let order_keys = match &opts.orderby {
            Some(items) => order(r.d, kind, r.cfg, items)?,
            None => vec![],
        };
        let after = opts.skiptoken.as_deref().map(decode_token).transpose()?;
        if let Some(a) = &after
            && a.len() != order_keys.len() + 1
        {
            return Err(bad_query("The $skiptoken does not belong to this query."));
        }
        let kinds = stored_kinds(kind)?;
        // Without `ConsistencyLevel: eventual` the directory ignores `$count=true`.
        if opts.count == Some(true) && rules.eventual {
            let mut n = 0;
            for k in &kinds {
                let sk = k
                    .store_kind()
                    .ok_or_else(|| ApiError::internal("unstored kind counted"))?;
                n += tx.count(sk, Some(&cond)).await?;
            }
            count = Some(n);
        }
        if limit == 0 {
            (Vec::new(), None)
        } else {
            let query = Query {
                filter: Some(cond),
                order: order_keys,
                after: after.clone(),
                limit: Some(limit + 1),
                offset: if after.is_some() { None } else { opts.skip },
            };
            if kinds.len() > 1 && opts.skip.is_some_and(|s| s > 0) {
                return Err(bad_query(
                    "$skip is not supported on collections of directory objects of several types.",
                ));
            }
            let mut rows = Vec::new();
            for k in &kinds {
                let sk = k
                    .store_kind()
                    .ok_or_else(|| ApiError::internal("unstored kind listed"))?;
                for row in tx.query(sk, &query).await? {
                    rows.push((*k, row));
                }
            }
            if kinds.len() > 1 {
                rows.sort_by(|a, b| a.1.id.cmp(&b.1.id));
            }
            let more = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            let next = if more {
                rows.last().map(|(_, last)| {
                    let mut cursor = last.keys.clone();
                    cursor.push(Value::Text(last.id.clone()));
                    encode_token(&cursor)
                })
            } else {
                None
            };
            let ents = rows.into_iter().map(|(k, row)| Item::Row(k, row)).collect();
            (ents, next)
        }
    };
    let next_link = next.map(|token| {
        format!(
            "{}{}?{}",
            r.ctx.base,
            r.path,
            next_query(r.raw_query, &token)
        )
    });
    Ok(Fetched {
        count,
        items: ents,
        next_link,
    })
}

/// Reads one page of a collection and renders it (with `$select`/`$expand` applied).
pub async fn page(tx: &mut dyn Tx, r: &ListRequest<'_>) -> Result<Map<String, Json>, ApiError> {
    let f = fetch(tx, r).await?;
    let mut out = Map::new();
    if let Some(n) = f.count {
        out.insert("@odata.count".into(), Json::from(n));
    }
    let mut values = Vec::with_capacity(f.items.len());
    for it in &f.items {
        let e = it.ent()?;
        values.push(Json::Object(shape(tx, r.d, r.cfg, &e, r.opts, 0).await?));
    }
    out.insert("value".into(), Json::Array(values));
    if let Some(link) = f.next_link {
        out.insert("@odata.nextLink".into(), Json::String(link));
    }
    Ok(out)
}

/// Reads one page of a collection and answers it: `@odata.context`, `@odata.count`, `value`,
/// `@odata.nextLink`, written straight to the body (assignments without `$select`/`$expand`
/// by `list/fast.rs`).
pub async fn page_response(
    tx: &mut dyn Tx,
    r: &ListRequest<'_>,
    context: &str,
) -> Result<axum::response::Response, ApiError> {
    let f = fetch(tx, r).await?;
    let plain = r.opts.select.is_none() && r.opts.expand.is_none();
    let mut body: Vec<u8> = Vec::with_capacity(256 + f.items.len() * 640);
    let json_err = |e: serde_json::Error| ApiError::internal(format!("writing JSON: {e}"));
    body.extend_from_slice(b"{\"@odata.context\":");
    serde_json::to_writer(&mut body, context).map_err(json_err)?;
    if let Some(n) = f.count {
        body.extend_from_slice(format!(",\"@odata.count\":{n}").as_bytes());
    }
    body.extend_from_slice(b",\"value\":[");
    for (i, it) in f.items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if plain
            && let Item::Row(EKind::Assignment, row) = it
            && fast::stored_assignment(r.d, &row.data, &mut body).map_err(json_err)?
        {
            continue;
        }
        let e = it.ent()?;
        match &*e {
            Ent::Assignment(a) if plain => fast::assignment(r.d, a, &mut body).map_err(json_err)?,
            _ => {
                let m = shape(tx, r.d, r.cfg, &e, r.opts, 0).await?;
                serde_json::to_writer(&mut body, &m).map_err(json_err)?;
            }
        }
    }
    body.push(b']');
    if let Some(link) = &f.next_link {
        body.extend_from_slice(b",\"@odata.nextLink\":");
        serde_json::to_writer(&mut body, link).map_err(json_err)?;
    }
    body.push(b'}');
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(crate::response::JSON_CONTENT_TYPE),
    );
    Ok(res)
}

// ---- $select and $expand ---------------------------------------------------------------------

/// Renders an entity with `$select` and `$expand` applied.
pub fn shape<'a>(
    tx: &'a mut dyn Tx,
    d: Dialect,
    cfg: &'a Config,
    ent: &'a Ent,
    opts: &'a QueryOptions,
    depth: usize,
) -> futures::future::BoxFuture<'a, Result<Map<String, Json>, ApiError>> {
    Box::pin(async move {
        let mut m = ent.render(d);
        if let Some(sel) = &opts.select {
            apply_select(d, ent.kind(), &mut m, sel)?;
        }
        if let Some(items) = &opts.expand {
            for item in items {
                expand(tx, d, cfg, ent, item, &mut m, depth).await?;
            }
        }
        Ok(m)
    })
}

/// The model's type of an entity kind.
fn model_type(d: Dialect, kind: EKind) -> Option<&'static crate::edm::TypeDef> {
    crate::edm::find_type(d, kind.type_name())
}

/// A property of the model type by name, without regard to case (as Graph matches them).
fn model_prop(d: Dialect, kind: EKind, name: &str) -> Option<&'static crate::edm::Prop> {
    let t = model_type(d, kind)?;
    crate::edm::all_props(d, t)
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

fn apply_select(
    d: Dialect,
    kind: EKind,
    m: &mut Map<String, Json>,
    sel: &[SelectItem],
) -> Result<(), ApiError> {
    if sel.iter().any(|s| matches!(s, SelectItem::Star)) {
        return Ok(());
    }
    // Kept whole, or only some members of a complex value.
    let mut keep: Vec<(String, Option<Vec<String>>)> =
        vec![("@odata.type".into(), None), ("id".into(), None)];
    for s in sel {
        let SelectItem::Path(p) = s else { continue };
        let first = p.first().cloned().unwrap_or_default();
        let canonical = if m.contains_key(&first) {
            Some(first.clone())
        } else {
            model_prop(d, kind, &first)
                .map(|x| x.name.to_string())
                .or_else(|| m.keys().find(|k| k.eq_ignore_ascii_case(&first)).cloned())
        };
        let Some(name) = canonical else {
            return Err(bad_query(format!(
                "Could not find a property named '{first}' on type '{}'.",
                props::type_name(kind)
            )));
        };
        let sub = p.get(1).cloned();
        match keep.iter_mut().find(|(k, _)| *k == name) {
            Some((_, subs)) => match (subs.as_mut(), sub) {
                (Some(v), Some(s)) => v.push(s),
                _ => *subs = None,
            },
            None => keep.push((name, sub.map(|s| vec![s]))),
        }
    }
    m.retain(|k, _| keep.iter().any(|(x, _)| x == k));
    for (name, subs) in keep {
        if let (Some(subs), Some(Json::Object(inner))) = (subs, m.get_mut(&name)) {
            inner.retain(|k, _| {
                k.starts_with("@odata.") || subs.iter().any(|s| s.eq_ignore_ascii_case(k))
            });
        }
    }
    Ok(())
}

/// The navigation properties of an entity's model type, for `$expand=*`.
fn nav_names(d: Dialect, kind: EKind) -> Vec<&'static str> {
    match model_type(d, kind) {
        Some(t) => crate::edm::all_props(d, t)
            .into_iter()
            .filter(|p| p.nav)
            .map(|p| p.name)
            .collect(),
        None => vec![],
    }
}

async fn expand(
    tx: &mut dyn Tx,
    d: Dialect,
    cfg: &Config,
    ent: &Ent,
    item: &ExpandItem,
    m: &mut Map<String, Json>,
    depth: usize,
) -> Result<(), ApiError> {
    let kind = ent.kind();
    if depth >= MAX_EXPAND_DEPTH {
        return Err(bad_query(format!(
            "$expand is nested too deeply: at most {MAX_EXPAND_DEPTH} levels are supported."
        )));
    }
    if item.is_ref {
        return Err(bad_query("$expand with /$ref is not supported by accessd."));
    }
    let first = item.path.first().cloned().unwrap_or_default();
    if item.path.len() > 1 {
        return Err(bad_query(format!(
            "The $expand path '{}' is not supported; expand one navigation property at a time and nest $expand for the next.",
            item.path.join("/")
        )));
    }
    if first == "*" {
        if !item.options.is_empty() {
            return Err(bad_query("$expand=* takes no options."));
        }
        let plain = ExpandItem {
            path: vec![],
            is_ref: false,
            options: QueryOptions::default(),
        };
        for name in nav_names(d, kind) {
            if !m.contains_key(name) {
                expand_one(tx, d, cfg, ent, name, &plain, m, depth).await?;
            }
        }
        return Ok(());
    }
    let p = model_prop(d, kind, &first).ok_or_else(|| {
        bad_query(format!(
            "Could not find a navigation property named '{first}' on type '{}'.",
            props::type_name(kind)
        ))
    })?;
    if !p.nav {
        return Err(bad_query(format!(
            "Property '{}' on type '{}' is not a navigation property. Only navigation properties can be expanded.",
            p.name,
            props::type_name(kind)
        )));
    }
    expand_one(tx, d, cfg, ent, p.name, item, m, depth).await
}

#[allow(clippy::too_many_arguments)]
async fn expand_one(
    tx: &mut dyn Tx,
    d: Dialect,
    cfg: &Config,
    ent: &Ent,
    name: &'static str,
    item: &ExpandItem,
    m: &mut Map<String, Json>,
    depth: usize,
) -> Result<(), ApiError> {
    let o = &item.options;
    if o.levels.is_some() {
        return Err(bad_query(
            "The query option $levels is not supported by Microsoft Graph.",
        ));
    }
    if o.skiptoken.is_some() || o.deltatoken.is_some() {
        return Err(bad_query(
            "$skiptoken and $deltatoken are not supported inside $expand.",
        ));
    }
    let collection = model_prop(d, ent.kind(), name).is_some_and(|p| p.collection);
    match navigate(d, ent, name) {
        Some(Nav::One(kind, id)) => {
            if o.filter.is_some()
                || o.orderby.is_some()
                || o.top.is_some()
                || o.skip.is_some()
                || o.count.is_some()
                || o.search.is_some()
            {
                return Err(bad_query(format!(
                    "'{name}' is a single entity: only $select and $expand apply to it in $expand."
                )));
            }
            let v = match id {
                Some(id) => match crate::path::load(tx, kind, &id).await? {
                    Some(e) => Json::Object(shape(tx, d, cfg, &e, o, depth + 1).await?),
                    None => Json::Null,
                },
                None => Json::Null,
            };
            m.insert(name.to_string(), v);
        }
        Some(Nav::Many(kind, scope)) => {
            let (items, count) = expand_many(tx, d, cfg, kind, &scope, o).await?;
            if let Some(n) = count {
                m.insert(format!("{name}@odata.count"), Json::from(n));
            }
            let mut arr = Vec::with_capacity(items.len());
            for e in &items {
                arr.push(Json::Object(shape(tx, d, cfg, e, o, depth + 1).await?));
            }
            m.insert(name.to_string(), Json::Array(arr));
        }
        // In the model, not kept by accessd (connected organizations, custom extensions,
        // resource environments, upload sessions): nothing to show.
        None => {
            if collection {
                if o.count == Some(true) {
                    m.insert(format!("{name}@odata.count"), Json::from(0));
                }
                m.insert(name.to_string(), Json::Array(vec![]));
            } else {
                m.insert(name.to_string(), Json::Null);
            }
        }
    }
    Ok(())
}

/// The members of an expanded collection (`$filter`, `$orderby`, `$skip`, `$top` and `$count`
/// inside the parentheses apply; no paging: at most `max_page_size` members).
async fn expand_many(
    tx: &mut dyn Tx,
    d: Dialect,
    cfg: &Config,
    kind: EKind,
    scope: &Scope,
    o: &QueryOptions,
) -> Result<(Vec<Ent>, Option<u64>), ApiError> {
    let top = o.top.unwrap_or(cfg.max_page_size);
    if top > cfg.max_page_size {
        return Err(bad_query(format!(
            "Invalid page size specified: the value of $top ({top}) must be between 0 and {}.",
            cfg.max_page_size
        )));
    }
    if let Scope::Embedded(items) = scope {
        if o.filter.is_some() || o.orderby.is_some() || o.search.is_some() {
            return Err(bad_query(
                "$filter, $orderby and $search are not supported on this collection.",
            ));
        }
        let count = (o.count == Some(true)).then_some(items.len() as u64);
        let skip = o.skip.unwrap_or(0).min(usize::MAX as u64) as usize;
        return Ok((
            items
                .iter()
                .skip(skip)
                .take(top as usize)
                .cloned()
                .collect(),
            count,
        ));
    }
    let cond = condition(d, cfg, Rules::FREE, kind, scope, None, o)?;
    let order_keys = match &o.orderby {
        Some(items) => order(d, kind, cfg, items)?,
        None => vec![],
    };
    let kinds = stored_kinds(kind)?;
    let mut count = None;
    if o.count == Some(true) {
        let mut n = 0;
        for k in &kinds {
            let sk = k
                .store_kind()
                .ok_or_else(|| ApiError::internal("unstored kind counted"))?;
            n += tx.count(sk, Some(&cond)).await?;
        }
        count = Some(n);
    }
    if kinds.len() > 1 && o.skip.is_some_and(|s| s > 0) {
        return Err(bad_query(
            "$skip is not supported on collections of directory objects of several types.",
        ));
    }
    let q = Query {
        filter: Some(cond),
        order: order_keys,
        after: None,
        limit: Some(top),
        offset: o.skip,
    };
    let mut rows = Vec::new();
    for k in &kinds {
        let sk = k
            .store_kind()
            .ok_or_else(|| ApiError::internal("unstored kind expanded"))?;
        for row in tx.query(sk, &q).await? {
            rows.push((*k, row));
        }
    }
    if kinds.len() > 1 {
        rows.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        rows.truncate(top as usize);
    }
    let ents = rows
        .iter()
        .map(|(k, row)| Ent::decode(*k, row))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((ents, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_100_kb_filter_is_a_400_not_a_crash() {
        let f = format!("$filter=displayName%20eq%20'{}'", "a".repeat(100 * 1024));
        let e = options(Some(&f)).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "InvalidFilter");
        let deep = format!("$filter={}true{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(options(Some(&deep)).unwrap_err().status, 400);
    }

    #[test]
    fn next_links_keep_the_options_and_replace_the_position() {
        assert_eq!(
            next_query(
                Some("$filter=a%20eq%201&$skip=5&%24skiptoken=old&$top=2"),
                "T"
            ),
            "$filter=a%20eq%201&$top=2&$skiptoken=T"
        );
        assert_eq!(next_query(None, "T"), "$skiptoken=T");
    }

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        let v = vec![
            Value::Null,
            Value::Int(3),
            Value::Text("x'y".into()),
            Value::Bool(true),
        ];
        let t = encode_token(&v);
        assert_eq!(
            decode_token(&t).unwrap(),
            vec![
                Value::Null,
                Value::Int(3),
                Value::Text("x'y".into()),
                Value::Bool(true)
            ]
        );
        for bad in ["", "!!", "e30", "WzEsW11d"] {
            assert_eq!(decode_token(bad).unwrap_err().status, 400, "{bad}");
        }
    }
}
