//! Reading collections: OData query options translated to the domain query tree, per-kind
//! property tables (which Graph names exist, what they map to, which the real service lets
//! you filter and sort on), keyset paging with opaque `$skiptoken`s, `$count`, `$select`,
//! `$expand`.

use accessd_domain::query::{CmpOp, Expr, Func, OrderKey, Query, Value, ValueType};
use accessd_domain::store::Tx;
use accessd_domain::*;
use accessd_odata::{BinaryOp, ExpandItem, Limits, Literal, QueryOptions, SelectItem};
use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{Map, Value as Json};

use crate::error::ApiError;
use crate::middleware::RequestCtx;
use crate::path::{Coll, EKind, Ent, Nav, Scope, navigate};
use crate::{Config, Dialect};

/// How a property's values are typed and normalized.
#[derive(Clone, Copy)]
pub enum PType {
    Text,
    /// An id: compared lower-cased.
    Guid,
    Bool,
    DateTime,
    /// An enum stored under its v1.0 name; the function maps any accepted spelling to it.
    Enum(fn(&str) -> Option<&'static str>, &'static [&'static str]),
}

/// What the real service lets a client do with a property in `$filter`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Caps {
    /// Not filterable on Graph (accessd filters it only with `--permissive-queries`).
    None,
    /// `eq` (and `ne`, `in`, `not`).
    Eq,
    /// `eq` and the string functions.
    EqText,
    /// Every comparison.
    All,
}

pub struct PropDef {
    pub expr: Expr,
    pub ty: PType,
    pub filter: Caps,
    pub orderby: bool,
}

fn col(c: &'static str, ty: PType, filter: Caps, orderby: bool) -> Option<PropDef> {
    Some(PropDef {
        expr: Expr::Column(c),
        ty,
        filter,
        orderby,
    })
}

fn doc(path: &[&str], ty: PType, filter: Caps) -> Option<PropDef> {
    let vt = match ty {
        PType::Bool => ValueType::Bool,
        _ => ValueType::Text,
    };
    Some(PropDef {
        expr: Expr::Doc(path.iter().map(|s| s.to_string()).collect(), vt),
        ty,
        filter,
        orderby: true,
    })
}

fn e_assignment_state(s: &str) -> Option<&'static str> {
    AssignmentState::parse_ignore_case(s).map(AssignmentState::as_str)
}
fn e_request_state(s: &str) -> Option<&'static str> {
    RequestState::parse_ignore_case(s).map(RequestState::as_str)
}
fn e_request_type(s: &str) -> Option<&'static str> {
    RequestType::parse_ignore_case(s).map(RequestType::as_str)
}
fn e_catalog_state(s: &str) -> Option<&'static str> {
    CatalogState::parse_ignore_case(s).map(CatalogState::as_str)
}
fn e_catalog_type(s: &str) -> Option<&'static str> {
    CatalogType::parse_ignore_case(s).map(CatalogType::as_str)
}

const ASSIGNMENT_STATES: &[&str] = &[
    "delivering",
    "partiallyDelivered",
    "delivered",
    "expired",
    "deliveryFailed",
];
const REQUEST_STATES: &[&str] = &[
    "submitted",
    "pendingApproval",
    "delivering",
    "delivered",
    "deliveryFailed",
    "denied",
    "scheduled",
    "canceled",
    "partiallyDelivered",
];

/// The properties a kind can be queried on, by Graph name (`a/b` for paths), per dialect.
pub fn prop(d: Dialect, kind: EKind, name: &str) -> Option<PropDef> {
    use Caps::*;
    use PType::*;
    let v1 = d == Dialect::V1;
    match (kind, name) {
        (_, "id") => col("id", Guid, Eq, true),
        (EKind::Assignment, "state") if v1 => col(
            "state",
            Enum(e_assignment_state, ASSIGNMENT_STATES),
            Eq,
            true,
        ),
        (EKind::Assignment, "assignmentState") if !v1 => col(
            "state",
            Enum(e_assignment_state, ASSIGNMENT_STATES),
            Eq,
            true,
        ),
        (EKind::Assignment, "status") if v1 => col("status", Text, None, true),
        (EKind::Assignment, "assignmentStatus") if !v1 => col("status", Text, None, true),
        (EKind::Assignment, "accessPackage/id") => col("access_package_id", Guid, Eq, false),
        (EKind::Assignment, "assignmentPolicy/id") if v1 => col("policy_id", Guid, Eq, false),
        (EKind::Assignment, "accessPackageAssignmentPolicy/id") if !v1 => {
            col("policy_id", Guid, Eq, false)
        }
        (EKind::Assignment, "target/objectId" | "target/objectid") => {
            col("target_object_id", Guid, Eq, false)
        }
        (EKind::Assignment, "target/id") => col("target_id", Guid, None, false),
        (EKind::Assignment, "catalogId") if !v1 => col("catalog_id", Guid, None, false),
        (EKind::Assignment, "accessPackageId") if !v1 => {
            col("access_package_id", Guid, None, false)
        }
        (EKind::Assignment, "assignmentPolicyId") if !v1 => col("policy_id", Guid, None, false),
        (EKind::Assignment, "targetId") if !v1 => col("target_id", Guid, None, false),
        (EKind::Assignment, "isExtended") if !v1 => col("is_extended", Bool, None, true),
        (EKind::Assignment, "expiredDateTime") => col("expired_date_time", DateTime, None, true),
        (EKind::Assignment, "schedule/startDateTime") => {
            col("start_date_time", DateTime, None, true)
        }
        (EKind::Request, "state") if v1 => {
            col("state", Enum(e_request_state, REQUEST_STATES), Eq, true)
        }
        (EKind::Request, "requestState") if !v1 => {
            col("state", Enum(e_request_state, REQUEST_STATES), Eq, true)
        }
        (EKind::Request, "status") if v1 => col("status", Text, None, true),
        (EKind::Request, "requestStatus") if !v1 => col("status", Text, Eq, true),
        (EKind::Request, "requestType") => col("request_type", Enum(e_request_type, &[]), Eq, true),
        (EKind::Request, "createdDateTime") => col("created_date_time", DateTime, All, true),
        (EKind::Request, "completedDateTime") if v1 => {
            col("completed_date_time", DateTime, None, true)
        }
        (EKind::Request, "completedDate") if !v1 => {
            col("completed_date_time", DateTime, None, true)
        }
        (EKind::Request, "accessPackage/id") => col("access_package_id", Guid, Eq, false),
        (EKind::Request, "assignment/id") if v1 => col("assignment_id", Guid, Eq, false),
        (EKind::Request, "accessPackageAssignment/id") if !v1 => {
            col("assignment_id", Guid, Eq, false)
        }
        (EKind::Request, "requestor/objectId") => col("requestor_object_id", Guid, Eq, false),
        (EKind::Catalog, "displayName") => col("display_name", Text, EqText, true),
        (EKind::Catalog, "state") if v1 => col("state", Enum(e_catalog_state, &[]), Eq, true),
        (EKind::Catalog, "catalogStatus") if !v1 => {
            col("state", Enum(e_catalog_state, &[]), Eq, true)
        }
        (EKind::Catalog, "catalogType") => col("catalog_type", Enum(e_catalog_type, &[]), Eq, true),
        (EKind::Catalog, "isExternallyVisible") => col("is_externally_visible", Bool, Eq, true),
        (EKind::Catalog, "uniqueName") if !v1 => col("unique_name", Text, Eq, true),
        (EKind::Catalog | EKind::AccessPackage | EKind::Policy, "createdDateTime") => {
            col("created_date_time", DateTime, None, true)
        }
        (EKind::Catalog | EKind::AccessPackage | EKind::Policy, "modifiedDateTime") => {
            col("modified_date_time", DateTime, None, true)
        }
        (EKind::AccessPackage, "displayName") => col("display_name", Text, EqText, true),
        (EKind::AccessPackage, "isHidden") => col("is_hidden", Bool, Eq, true),
        (EKind::AccessPackage, "catalog/id") if v1 => col("catalog_id", Guid, Eq, false),
        (EKind::AccessPackage, "catalogId" | "accessPackageCatalog/id") if !v1 => {
            col("catalog_id", Guid, Eq, false)
        }
        (EKind::AccessPackage, "uniqueName") if !v1 => col("unique_name", Text, Eq, true),
        (EKind::AccessPackage, "description") => doc(&["description"], Text, None),
        (EKind::Policy, "displayName") => col("display_name", Text, Eq, true),
        (EKind::Policy, "accessPackage/id") => col("access_package_id", Guid, Eq, false),
        (EKind::Policy, "accessPackageId") if !v1 => col("access_package_id", Guid, Eq, false),
        (EKind::Policy, "catalog/id") if v1 => col("catalog_id", Guid, Eq, false),
        (EKind::Policy, "accessPackageCatalog/id") if !v1 => col("catalog_id", Guid, Eq, false),
        (EKind::Policy, "description") => doc(&["description"], Text, None),
        (EKind::Subject, "objectId") => col("object_id", Guid, Eq, false),
        (EKind::Subject, "displayName") => col("display_name", Text, EqText, true),
        (EKind::Subject, "email") => col("email", Text, Eq, true),
        (EKind::Subject, "principalName") => col("principal_name", Text, Eq, true),
        (EKind::Resource, "originId") => col("origin_id", Text, Eq, false),
        (EKind::Resource, "originSystem") => col("origin_system", Text, Eq, false),
        (EKind::Resource, "displayName") => col("display_name", Text, EqText, true),
        (EKind::ResourceRole | EKind::ResourceScope, "originId") => {
            col("origin_id", Text, Eq, false)
        }
        (EKind::ResourceRole | EKind::ResourceScope, "displayName") => {
            col("display_name", Text, EqText, true)
        }
        (EKind::ResourceRole | EKind::ResourceScope, "resource/id") if v1 => {
            col("resource_id", Guid, Eq, false)
        }
        (EKind::ResourceRole | EKind::ResourceScope, "accessPackageResource/id") if !v1 => {
            col("resource_id", Guid, Eq, false)
        }
        (EKind::ResourceRole | EKind::ResourceScope, "originSystem") => {
            doc(&["origin_system"], Text, Eq)
        }
        (EKind::ResourceRoleScope, "role/id") if v1 => col("role_id", Guid, Eq, false),
        (EKind::ResourceRoleScope, "scope/id") if v1 => col("scope_id", Guid, Eq, false),
        (EKind::ResourceRoleScope, "accessPackageResourceRole/id") if !v1 => {
            col("role_id", Guid, Eq, false)
        }
        (EKind::ResourceRoleScope, "accessPackageResourceScope/id") if !v1 => {
            col("scope_id", Guid, Eq, false)
        }
        (EKind::AssignmentResourceRole, "status") => col("status", Text, Eq, true),
        (EKind::AssignmentResourceRole, "accessPackageSubject/id") => {
            col("subject_id", Guid, Eq, false)
        }
        (EKind::AssignmentResourceRole, "accessPackageResourceRole/id") => {
            col("role_id", Guid, Eq, false)
        }
        (EKind::ResourceRequest, "requestState") if !v1 => {
            col("state", Enum(e_request_state, REQUEST_STATES), Eq, true)
        }
        (EKind::ResourceRequest, "state") if v1 => {
            col("state", Enum(e_request_state, REQUEST_STATES), Eq, true)
        }
        (EKind::User, "displayName") => col("display_name", Text, All, true),
        (EKind::User, "userPrincipalName") => col("user_principal_name", Text, All, true),
        (EKind::User, "mail") => col("mail", Text, All, true),
        (EKind::User, "givenName") => doc(&["given_name"], Text, All),
        (EKind::User, "surname") => doc(&["surname"], Text, All),
        (EKind::User, "userType") => doc(&["user_type"], Text, Eq),
        (EKind::User, "accountEnabled") => doc(&["account_enabled"], Bool, Eq),
        (EKind::User, "department") => doc(&["department"], Text, All),
        (EKind::User, "jobTitle") => doc(&["job_title"], Text, All),
        (EKind::Group, "displayName") => col("display_name", Text, All, true),
        (EKind::Group, "mail") => col("mail", Text, All, true),
        (EKind::Group, "securityEnabled") => doc(&["security_enabled"], Bool, Eq),
        (EKind::Group, "mailEnabled") => doc(&["mail_enabled"], Bool, Eq),
        _ => Option::None,
    }
}

fn invalid_filter(message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidFilter",
        format!("OData query is invalid: {message}"),
    )
}

fn bad_query(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Turns a parse error into Graph's answer.
pub fn parse_error(e: accessd_odata::ParseError) -> ApiError {
    let code = if e.option == "$filter" {
        "InvalidFilter"
    } else {
        "BadRequest"
    };
    ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
}

struct Translator<'a> {
    d: Dialect,
    kind: EKind,
    permissive: bool,
    _cfg: &'a Config,
}

impl Translator<'_> {
    fn type_name(&self) -> String {
        format!("microsoft.graph.{}", self.kind.type_name())
    }

    fn property(&self, path: &[String], need: Caps, op: &str) -> Result<PropDef, ApiError> {
        let name = path.join("/");
        let p = prop(self.d, self.kind, &name).ok_or_else(|| {
            bad_query(format!(
                "Could not find a property named '{name}' on type '{}' that can be used in a query.",
                self.type_name()
            ))
        })?;
        if !self.permissive && p.filter < need {
            return Err(invalid_filter(format!(
                "Filter '{name} {op}' is not supported on '{}'. (Start accessd with --permissive-queries to allow it.)",
                self.type_name()
            )));
        }
        Ok(p)
    }

    fn literal(&self, p: &PropDef, name: &str, lit: &Literal) -> Result<Value, ApiError> {
        let mismatch = |what: &str| {
            bad_query(format!(
                "A binary operator with incompatible types was detected: the property '{name}' cannot be compared with {what}."
            ))
        };
        Ok(match (p.ty, lit) {
            (_, Literal::Null) => Value::Null,
            (PType::Text, Literal::String(s)) => Value::Text(s.clone()),
            (PType::Text | PType::Guid, Literal::Guid(g)) => Value::Text(g.to_string()),
            (PType::Guid, Literal::String(s)) => Value::Text(s.to_ascii_lowercase()),
            (PType::Bool, Literal::Bool(b)) => Value::Bool(*b),
            (PType::DateTime, Literal::DateTimeOffset(t)) => {
                Value::Text(Timestamp::from_utc(t.with_timezone(&chrono::Utc)).to_storage())
            }
            (PType::DateTime, Literal::Date(dt)) => Value::Text(
                Timestamp::from_utc(dt.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
                    .to_storage(),
            ),
            (PType::DateTime, Literal::String(s)) => match Timestamp::parse(s) {
                Ok(t) => Value::Text(t.to_storage()),
                Err(_) => return Err(mismatch("a string that is not a date and time")),
            },
            (PType::Enum(f, members), Literal::String(s) | Literal::Enum { member: s, .. }) => {
                match f(s) {
                    Some(v) => Value::Text(v.to_string()),
                    Option::None => {
                        return Err(bad_query(format!(
                            "The value '{s}' is not valid for the property '{name}'.{}",
                            if members.is_empty() {
                                String::new()
                            } else {
                                format!(" The allowed values are: {}.", members.join(", "))
                            }
                        )));
                    }
                }
            }
            (_, Literal::Bool(_)) => return Err(mismatch("a boolean")),
            (_, Literal::Int(_) | Literal::Decimal(_)) => return Err(mismatch("a number")),
            (_, Literal::String(_)) => return Err(mismatch("a string")),
            (_, other) => return Err(mismatch(&format!("{other:?}"))),
        })
    }

    fn expr(&self, e: &accessd_odata::Expr) -> Result<Expr, ApiError> {
        use accessd_odata::Expr as O;
        match e {
            O::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => Ok(Expr::And(vec![self.expr(left)?, self.expr(right)?])),
            O::Binary {
                op: BinaryOp::Or,
                left,
                right,
            } => Ok(Expr::Or(vec![self.expr(left)?, self.expr(right)?])),
            O::Not(inner) => Ok(Expr::Not(Box::new(self.expr(inner)?))),
            O::Binary { op, left, right } => {
                let (cmp, name) = match op {
                    BinaryOp::Eq => (CmpOp::Eq, "eq"),
                    BinaryOp::Ne => (CmpOp::Ne, "ne"),
                    BinaryOp::Gt => (CmpOp::Gt, "gt"),
                    BinaryOp::Ge => (CmpOp::Ge, "ge"),
                    BinaryOp::Lt => (CmpOp::Lt, "lt"),
                    BinaryOp::Le => (CmpOp::Le, "le"),
                    other => {
                        return Err(invalid_filter(format!(
                            "The operator '{}' is not supported here.",
                            other.keyword()
                        )));
                    }
                };
                let need = if matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
                    Caps::Eq
                } else {
                    Caps::All
                };
                let (field, lit, cmp) =
                    match (left.as_ref(), right.as_ref()) {
                        (f, O::Literal(l)) => (f, l, cmp),
                        (O::Literal(l), f) => (f, l, flip(cmp)),
                        _ => return Err(invalid_filter(
                            "a comparison needs a property on one side and a value on the other."
                                .into(),
                        )),
                    };
                let (lhs, p, pname) = self.operand(field, need, name)?;
                let v = self.literal(&p, &pname, lit)?;
                Ok(Expr::Cmp(Box::new(lhs), cmp, Box::new(Expr::Lit(v))))
            }
            O::In { expr, list } => {
                let (lhs, p, pname) = self.operand(expr, Caps::Eq, "in")?;
                let mut vals = Vec::with_capacity(list.len());
                for item in list {
                    let O::Literal(l) = item else {
                        return Err(invalid_filter(
                            "the list of 'in' must hold values only.".into(),
                        ));
                    };
                    vals.push(self.literal(&p, &pname, l)?);
                }
                Ok(Expr::In(Box::new(lhs), vals))
            }
            O::Call { name, args }
                if matches!(name.as_str(), "contains" | "startswith" | "endswith") =>
            {
                let f = match name.as_str() {
                    "contains" => Func::Contains,
                    "startswith" => Func::StartsWith,
                    _ => Func::EndsWith,
                };
                let [field, O::Literal(Literal::String(s))] = args.as_slice() else {
                    return Err(invalid_filter(format!(
                        "{name}() takes a property and a string value."
                    )));
                };
                let (lhs, p, pname) = self.operand(field, Caps::EqText, name)?;
                if !matches!(p.ty, PType::Text | PType::Guid) {
                    return Err(bad_query(format!(
                        "{name}() cannot be applied to the non-string property '{pname}'."
                    )));
                }
                Ok(Expr::Call(f, vec![lhs, Expr::Lit(Value::Text(s.clone()))]))
            }
            O::Literal(Literal::Bool(true)) => Ok(Expr::True),
            O::Literal(Literal::Bool(false)) => Ok(Expr::False),
            O::Path(p) => {
                let (lhs, prop, pname) = self.operand(e, Caps::Eq, "eq")?;
                if !matches!(prop.ty, PType::Bool) {
                    return Err(bad_query(format!(
                        "The property '{pname}' is not a boolean and cannot stand alone in $filter."
                    )));
                }
                let _ = p;
                Ok(Expr::Cmp(
                    Box::new(lhs),
                    CmpOp::Eq,
                    Box::new(Expr::Lit(Value::Bool(true))),
                ))
            }
            O::Call { name, .. } => Err(invalid_filter(format!(
                "The function '{name}' is not supported in this $filter."
            ))),
            O::Lambda { collection, .. } => Err(invalid_filter(format!(
                "Lambda operators on '{}' are not supported on '{}'.",
                collection.join("/"),
                self.type_name()
            ))),
            other => Err(invalid_filter(format!(
                "The expression '{other:?}' is not a condition."
            ))),
        }
    }

    /// A property, possibly wrapped in tolower()/toupper().
    fn operand(
        &self,
        e: &accessd_odata::Expr,
        need: Caps,
        op: &str,
    ) -> Result<(Expr, PropDef, String), ApiError> {
        use accessd_odata::Expr as O;
        match e {
            O::Path(path) => {
                let p = self.property(path, need, op)?;
                Ok((p.expr.clone(), p, path.join("/")))
            }
            O::Call { name, args }
                if matches!(name.as_str(), "tolower" | "toupper") && args.len() == 1 =>
            {
                let (inner, p, pname) = self.operand(&args[0], need.max(Caps::EqText), op)?;
                let f = if name == "tolower" {
                    Func::ToLower
                } else {
                    Func::ToUpper
                };
                Ok((Expr::Call(f, vec![inner]), p, pname))
            }
            other => Err(invalid_filter(format!("'{other:?}' is not a property."))),
        }
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        o => o,
    }
}

/// The parsed query options of a request.
pub fn options(raw_query: Option<&str>) -> Result<QueryOptions, ApiError> {
    match raw_query {
        Some(q) if !q.is_empty() => {
            QueryOptions::parse_query_string(q, &Limits::default()).map_err(parse_error)
        }
        _ => Ok(QueryOptions::default()),
    }
}

/// Translates `$filter` for a kind.
pub fn filter(
    d: Dialect,
    kind: EKind,
    cfg: &Config,
    f: &accessd_odata::Expr,
) -> Result<Expr, ApiError> {
    Translator {
        d,
        kind,
        permissive: cfg.permissive_queries,
        _cfg: cfg,
    }
    .expr(f)
}

fn order(
    d: Dialect,
    kind: EKind,
    cfg: &Config,
    items: &[accessd_odata::OrderItem],
) -> Result<Vec<OrderKey>, ApiError> {
    let mut out = Vec::new();
    for it in items {
        let name = it.path.join("/");
        let p = prop(d, kind, &name).ok_or_else(|| {
            bad_query(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.{}'.",
                kind.type_name()
            ))
        })?;
        if !p.orderby && !cfg.permissive_queries {
            return Err(bad_query(format!(
                "Sorting by '{name}' is not supported on 'microsoft.graph.{}'.",
                kind.type_name()
            )));
        }
        if name == "id" {
            if it.descending {
                return Err(bad_query(
                    "Sorting by 'id' descending is not supported.".into(),
                ));
            }
            continue;
        }
        out.push(OrderKey {
            expr: p.expr,
            descending: it.descending,
        });
    }
    Ok(out)
}

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
        bad_query(format!(
            "The $skiptoken '{token}' is not valid for this query."
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

/// The query string with `$skiptoken`/`$skip` replaced by a new skiptoken.
fn next_query(raw: Option<&str>, token: &str) -> String {
    let mut parts: Vec<String> = raw
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            let name = percent_encoding::percent_decode_str(name)
                .decode_utf8_lossy()
                .to_ascii_lowercase();
            name != "$skiptoken" && name != "$skip"
        })
        .map(str::to_string)
        .collect();
    parts.push(format!("$skiptoken={token}"));
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
}

/// Reads one page of a collection and renders it (with `$select`/`$expand` applied).
pub async fn page(tx: &mut dyn Tx, r: &ListRequest<'_>) -> Result<Map<String, Json>, ApiError> {
    let kind = r.coll.kind;
    let opts = r.opts;
    if opts.search.is_some() {
        return Err(bad_query(format!(
            "$search is not supported on 'microsoft.graph.{}'.",
            kind.type_name()
        )));
    }
    let mut out = Map::new();
    let limit = opts.top.unwrap_or(r.cfg.default_page_size);
    if limit > r.cfg.max_page_size {
        return Err(bad_query(format!(
            "The value of $top ({limit}) exceeds the maximum of {}.",
            r.cfg.max_page_size
        )));
    }
    let (ents, next) = if let Scope::Embedded(items) = &r.coll.scope {
        let skip = opts.skip.unwrap_or(0) as usize;
        if opts.filter.is_some() || opts.orderby.is_some() {
            return Err(bad_query(
                "$filter and $orderby are not supported on this collection.".into(),
            ));
        }
        if opts.count == Some(true) {
            out.insert("@odata.count".into(), Json::from(items.len()));
        }
        (
            items
                .iter()
                .skip(skip)
                .take(limit as usize)
                .cloned()
                .collect::<Vec<_>>(),
            None,
        )
    } else {
        let mut parts = vec![r.coll.scope.to_expr()];
        if let Some(e) = &r.extra {
            parts.push(e.clone());
        }
        let filter_kind = if kind == EKind::DirectoryObject {
            EKind::User
        } else {
            kind
        };
        if let Some(f) = &opts.filter {
            parts.push(filter(r.d, filter_kind, r.cfg, f)?);
        }
        let filter_expr = Expr::and(parts);
        let order_keys = match &opts.orderby {
            Some(items) => order(r.d, filter_kind, r.cfg, items)?,
            None => vec![],
        };
        let after = opts.skiptoken.as_deref().map(decode_token).transpose()?;
        if let Some(a) = &after
            && a.len() != order_keys.len() + 1
        {
            return Err(bad_query(
                "The $skiptoken does not belong to this query.".into(),
            ));
        }
        let query = Query {
            filter: Some(filter_expr.clone()),
            order: order_keys.clone(),
            after: after.clone(),
            limit: Some(limit + 1),
            offset: if after.is_some() { None } else { opts.skip },
        };
        let kinds: Vec<EKind> = if kind == EKind::DirectoryObject {
            vec![EKind::User, EKind::Group]
        } else {
            vec![kind]
        };
        let mut rows = Vec::new();
        let mut count = 0u64;
        for k in &kinds {
            let sk = k
                .store_kind()
                .ok_or_else(|| ApiError::internal("unstored kind listed"))?;
            for row in tx.query(sk, &query).await? {
                rows.push((*k, row));
            }
            if opts.count == Some(true) {
                count += tx.count(sk, Some(&filter_expr)).await?;
            }
        }
        if kinds.len() > 1 {
            rows.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        }
        if opts.count == Some(true) {
            out.insert("@odata.count".into(), Json::from(count));
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
        let ents = rows
            .iter()
            .map(|(k, row)| Ent::decode(*k, row))
            .collect::<Result<Vec<_>, _>>()?;
        (ents, next)
    };
    let mut values = Vec::with_capacity(ents.len());
    for e in &ents {
        values.push(Json::Object(shape(tx, r.d, r.cfg, e, opts, 0).await?));
    }
    out.insert("value".into(), Json::Array(values));
    if let Some(token) = next {
        out.insert(
            "@odata.nextLink".into(),
            Json::String(format!(
                "{}{}?{}",
                r.ctx.base,
                r.path,
                next_query(r.raw_query, &token)
            )),
        );
    }
    Ok(out)
}

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

fn apply_select(
    d: Dialect,
    kind: EKind,
    m: &mut Map<String, Json>,
    sel: &[SelectItem],
) -> Result<(), ApiError> {
    if sel.iter().any(|s| matches!(s, SelectItem::Star)) {
        return Ok(());
    }
    let t = crate::edm::find_type(d, kind.type_name());
    let mut keep: Vec<String> = vec!["@odata.type".into(), "id".into()];
    for s in sel {
        if let SelectItem::Path(p) = s {
            let name = p.first().cloned().unwrap_or_default();
            let known = m.contains_key(&name)
                || t.is_some_and(|t| crate::edm::find_prop(d, t, &name).is_some());
            if !known {
                return Err(bad_query(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.{}'.",
                    kind.type_name()
                )));
            }
            keep.push(name);
        }
    }
    m.retain(|k, _| keep.iter().any(|x| x == k));
    Ok(())
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
    let name = item.path.first().cloned().unwrap_or_default();
    if name == "*" {
        return Ok(());
    }
    if depth >= 3 {
        return Err(bad_query("$expand is nested too deeply.".into()));
    }
    let nav = navigate(d, ent, &name).ok_or_else(|| {
        bad_query(format!(
            "Could not find a navigation property named '{name}' on type 'microsoft.graph.{}'.",
            ent.kind().type_name()
        ))
    })?;
    match nav {
        Nav::One(kind, id) => {
            let v = match id {
                Some(id) => match crate::path::load(tx, kind, &id).await? {
                    Some(e) => Json::Object(shape(tx, d, cfg, &e, &item.options, depth + 1).await?),
                    None => Json::Null,
                },
                None => Json::Null,
            };
            m.insert(name, v);
        }
        Nav::Many(kind, scope) => {
            let items: Vec<Ent> = match &scope {
                Scope::Embedded(items) => items.clone(),
                _ => {
                    let mut parts = vec![scope.to_expr()];
                    if let Some(f) = &item.options.filter {
                        parts.push(filter(d, kind, cfg, f)?);
                    }
                    let q = Query {
                        filter: Some(Expr::and(parts)),
                        limit: Some(item.options.top.unwrap_or(cfg.max_page_size)),
                        ..Query::default()
                    };
                    let kinds = if kind == EKind::DirectoryObject {
                        vec![EKind::User, EKind::Group]
                    } else {
                        vec![kind]
                    };
                    let mut out = Vec::new();
                    for k in kinds {
                        let sk = k
                            .store_kind()
                            .ok_or_else(|| ApiError::internal("unstored kind expanded"))?;
                        for row in tx.query(sk, &q).await? {
                            out.push(Ent::decode(k, &row)?);
                        }
                    }
                    out
                }
            };
            let mut arr = Vec::with_capacity(items.len());
            for e in &items {
                arr.push(Json::Object(
                    shape(tx, d, cfg, e, &item.options, depth + 1).await?,
                ));
            }
            m.insert(name, Json::Array(arr));
        }
    }
    Ok(())
}
