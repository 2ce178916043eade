//! `$filter` and `$orderby`: from the OData syntax tree to the domain's query tree, checking
//! names, types and (unless queries are permissive) what Graph allows.
//!
//! Errors follow Graph: a name the model does not have, or a value of the wrong type, is the
//! OData layer's `400 BadRequest`; a filter the model has but the service does not support is
//! entitlement management's `400 InvalidFilter` with `OData query is invalid: Filter '<name>
//! <Operator> <value> is not supported.` (the body seen from the real service, quirks included).

use accessd_domain::query::{CmpOp, Expr, Func, OrderKey, Value};
use accessd_domain::{Duration, Timestamp};
use accessd_odata::{BinaryOp, Expr as O, LambdaKind, Literal, OrderItem};
use axum::http::StatusCode;

use super::props::{self, At, Entry, Key, NavMany, Ops, PType, Via};
use crate::Dialect;
use crate::error::ApiError;
use crate::path::EKind;

pub fn bad_query(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

pub fn invalid_filter(message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidFilter",
        format!("OData query is invalid: {}", message.into()),
    )
}

fn not_supported(what: String) -> ApiError {
    invalid_filter(format!(
        "Filter '{what} is not supported. . (accessd answers as Microsoft Graph does; start it with --permissive-queries to allow this filter.)"
    ))
    .with_empty_details()
}

fn unknown_property(name: &str, kind: EKind) -> ApiError {
    bad_query(format!(
        "Could not find a property named '{name}' on type '{}'.",
        props::type_name(kind)
    ))
}

/// How the real service names an operator in its refusals.
fn op_word(op: &str) -> &'static str {
    match op {
        "eq" => "Equals",
        "ne" => "NotEquals",
        "gt" => "GreaterThan",
        "ge" => "GreaterThanOrEqual",
        "lt" => "LessThan",
        "le" => "LessThanOrEqual",
        "in" => "In",
        "contains" => "Contains",
        "startswith" => "StartsWith",
        "endswith" => "EndsWith",
        "any" => "Any",
        "all" => "All",
        "not" => "Not",
        _ => "Function",
    }
}

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Null => "null".into(),
        Literal::Bool(b) => b.to_string(),
        Literal::Int(i) => i.to_string(),
        Literal::Decimal(f) => f.to_string(),
        Literal::String(s) => s.clone(),
        Literal::Guid(g) => g.to_string(),
        Literal::DateTimeOffset(t) => t.to_rfc3339(),
        Literal::Date(d) => d.to_string(),
        Literal::TimeOfDay(t) => t.to_string(),
        Literal::Duration(d) => d.clone(),
        Literal::Enum { member, .. } => member.clone(),
    }
}

fn literal_edm(l: &Literal) -> &'static str {
    match l {
        Literal::Null => "null",
        Literal::Bool(_) => "Edm.Boolean",
        Literal::Int(_) => "Edm.Int64",
        Literal::Decimal(_) => "Edm.Decimal",
        Literal::String(_) => "Edm.String",
        Literal::Guid(_) => "Edm.Guid",
        Literal::DateTimeOffset(_) => "Edm.DateTimeOffset",
        Literal::Date(_) => "Edm.Date",
        Literal::TimeOfDay(_) => "Edm.TimeOfDay",
        Literal::Duration(_) => "Edm.Duration",
        Literal::Enum { .. } => "an enumeration member",
    }
}

/// What an operand of a comparison is typed as.
#[derive(Clone, Copy)]
enum OType {
    Prop(PType),
    Int,
    Text,
    /// `date(...)`: compared with a date.
    Date,
}

/// A value-producing side of a comparison: a property, possibly inside functions.
struct Operand {
    expr: Expr,
    ty: OType,
    /// The property's Graph name, for messages.
    name: String,
    /// What Graph allows on the property (or everything, when permissive).
    ops: Ops,
    /// Related-entity hops to wrap the finished condition in (innermost last).
    wrap: Hops,
    /// A function other than `tolower`/`toupper` was applied.
    funcs: bool,
    cased: bool,
}

/// Single-valued navigations a path goes through: the key that names the next entity, and its
/// kind.
type Hops = Vec<(Key, EKind)>;

/// A lambda variable in scope.
struct Var {
    name: String,
    target: VarTarget,
}

enum VarTarget {
    /// An entity of this kind (rows of its table, in the innermost alias).
    Entity(EKind),
    /// A primitive JSON array element.
    Primitive(PType, Ops, String),
    /// A JSON object array element with these properties.
    Object(&'static [props::ElemProp], String),
}

pub struct Translator {
    pub d: Dialect,
    pub kind: EKind,
    pub permissive: bool,
    /// The directory's advanced operators (`ne`, `not`, `endsWith`) may be used: the request
    /// carried `ConsistencyLevel: eventual` and `$count=true` (see `list::Rules`).
    advanced: bool,
    vars: Vec<Var>,
}

const MAX_DEPTH: usize = 64;

impl Translator {
    pub fn new(d: Dialect, kind: EKind, permissive: bool) -> Translator {
        Translator {
            d,
            kind,
            permissive,
            advanced: true,
            vars: Vec::new(),
        }
    }

    pub fn advanced(mut self, advanced: bool) -> Translator {
        self.advanced = advanced;
        self
    }

    /// Inside a lambda, a path must start with a range variable (accessd cannot reach the
    /// outer entity from inside one).
    fn outer_path_in_lambda(&self, path: &[String]) -> Result<(), ApiError> {
        let first = path.first().map(String::as_str).unwrap_or_default();
        if !self.vars.is_empty() && !self.vars.iter().any(|v| v.name == first) {
            return Err(bad_query(format!(
                "Inside any() or all(), start the path '{}' with the range variable; properties of the entity outside the lambda are not supported there.",
                path.join("/")
            )));
        }
        Ok(())
    }

    /// `$filter` as a condition.
    pub fn filter(&mut self, e: &O) -> Result<Expr, ApiError> {
        self.cond(e, false, 0)
    }

    fn cond(&mut self, e: &O, negated: bool, depth: usize) -> Result<Expr, ApiError> {
        if depth > MAX_DEPTH {
            return Err(invalid_filter("the filter is nested too deeply."));
        }
        match e {
            O::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => Ok(Expr::And(vec![
                self.cond(left, negated, depth + 1)?,
                self.cond(right, negated, depth + 1)?,
            ])),
            O::Binary {
                op: BinaryOp::Or,
                left,
                right,
            } => Ok(Expr::Or(vec![
                self.cond(left, negated, depth + 1)?,
                self.cond(right, negated, depth + 1)?,
            ])),
            O::Not(inner) => Ok(Expr::Not(Box::new(self.cond(inner, true, depth + 1)?))),
            O::Binary { op, left, right } => self.comparison(*op, left, right, negated),
            O::In { expr, list } => self.in_list(expr, list, negated),
            O::Call { name, args } => self.bool_call(name, args, negated),
            O::Lambda {
                collection,
                kind,
                variable,
                predicate,
            } => self.lambda(
                collection,
                *kind,
                variable.as_deref(),
                predicate.as_deref(),
                negated,
                depth,
            ),
            O::Literal(Literal::Bool(true)) => Ok(Expr::True),
            O::Literal(Literal::Bool(false)) => Ok(Expr::False),
            O::Path(_) => {
                let o = self.operand(e, 0)?;
                if !matches!(o.ty, OType::Prop(PType::Bool)) {
                    return Err(bad_query(format!(
                        "The property '{}' is not a Boolean and cannot stand alone as a condition in $filter.",
                        o.name
                    )));
                }
                self.check(&o, Ops::EQ, "eq", "true", negated)?;
                let c = Expr::Cmp(
                    Box::new(o.expr.clone()),
                    CmpOp::Eq,
                    Box::new(Expr::Lit(Value::Bool(true))),
                );
                Ok(wrap(o.wrap, c))
            }
            O::Literal(l) => Err(bad_query(format!(
                "The $filter expression must be a condition, not the value '{}'.",
                literal_text(l)
            ))),
            O::Negate(_) => Err(bad_query(
                "The $filter expression must be a condition, not a number.",
            )),
        }
    }

    /// Refuses what Graph does not allow on the property (unless permissive).
    fn check(
        &self,
        o: &Operand,
        bit: u16,
        op: &str,
        value: &str,
        negated: bool,
    ) -> Result<(), ApiError> {
        if self.permissive {
            return Ok(());
        }
        let mut ok = o.ops.has(bit);
        if negated && !o.ops.has(Ops::NOT) {
            ok = false;
        }
        if o.cased && !o.ops.has(Ops::CASE) {
            ok = false;
        }
        if o.funcs && !o.ops.has(Ops::FUNCS) {
            ok = false;
        }
        if ok {
            let advanced_op = if negated {
                Some("not")
            } else if bit == Ops::NE {
                Some("ne")
            } else if bit == Ops::ENDS {
                Some("endsWith")
            } else {
                None
            };
            match advanced_op {
                Some(word) if !self.advanced => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    format!(
                        "Operator '{word}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
                    ),
                )),
                _ => Ok(()),
            }
        } else {
            let shown = if value.is_empty() {
                String::new()
            } else {
                format!(" {value}")
            };
            let neg = if negated { "Not " } else { "" };
            Err(not_supported(format!(
                "{neg}{} {}{shown}",
                o.name,
                op_word(op)
            )))
        }
    }

    fn comparison(
        &mut self,
        op: BinaryOp,
        left: &O,
        right: &O,
        negated: bool,
    ) -> Result<Expr, ApiError> {
        let (cmp, word, bit) = match op {
            BinaryOp::Eq => (CmpOp::Eq, "eq", Ops::EQ),
            BinaryOp::Ne => (CmpOp::Ne, "ne", Ops::NE),
            BinaryOp::Gt => (CmpOp::Gt, "gt", Ops::ORDER),
            BinaryOp::Ge => (CmpOp::Ge, "ge", Ops::ORDER),
            BinaryOp::Lt => (CmpOp::Lt, "lt", Ops::ORDER),
            BinaryOp::Le => (CmpOp::Le, "le", Ops::ORDER),
            other => {
                return Err(invalid_filter(format!(
                    "The operator '{}' is not supported in $filter.",
                    other.keyword()
                )));
            }
        };
        let (side, lit, cmp) = match (left, right) {
            (f, O::Literal(l)) => (f, l, cmp),
            (O::Literal(l), f) => (f, l, flip(cmp)),
            (_, O::Negate(_)) | (O::Negate(_), _) => {
                return Err(bad_query(
                    "A negated expression can only be a number literal.",
                ));
            }
            _ => {
                return Err(invalid_filter(
                    "A comparison needs a property on one side and a value on the other.",
                ));
            }
        };
        let o = self.operand(side, 0)?;
        let v = self.value(&o, lit, cmp)?;
        self.check(&o, bit, word, &literal_text(lit), negated)?;
        let c = match v {
            Lit::One(v) => Expr::Cmp(Box::new(o.expr), cmp, Box::new(Expr::Lit(v))),
            // An enumeration spelling that stands for several stored values.
            Lit::Many(vs) => {
                let inn = Expr::In(Box::new(o.expr), vs);
                match cmp {
                    CmpOp::Eq => inn,
                    _ => Expr::Not(Box::new(inn)),
                }
            }
        };
        Ok(wrap(o.wrap, c))
    }

    fn in_list(&mut self, e: &O, list: &[O], negated: bool) -> Result<Expr, ApiError> {
        let o = self.operand(e, 0)?;
        let mut vals = Vec::with_capacity(list.len());
        let mut shown = Vec::new();
        for item in list {
            let O::Literal(l) = item else {
                return Err(bad_query("The list of 'in' must hold values only."));
            };
            shown.push(literal_text(l));
            match self.value(&o, l, CmpOp::Eq)? {
                Lit::One(v) => vals.push(v),
                Lit::Many(vs) => vals.extend(vs),
            }
        }
        self.check(
            &o,
            Ops::IN,
            "in",
            &format!("({})", shown.join(", ")),
            negated,
        )?;
        Ok(wrap(o.wrap, Expr::In(Box::new(o.expr), vals)))
    }

    fn bool_call(&mut self, name: &str, args: &[O], negated: bool) -> Result<Expr, ApiError> {
        let (f, bit) = match name {
            "contains" => (Func::Contains, Ops::CONTAINS),
            "startswith" => (Func::StartsWith, Ops::STARTS),
            "endswith" => (Func::EndsWith, Ops::ENDS),
            other => {
                return Err(invalid_filter(format!(
                    "The function '{other}' does not give a condition; compare its result with a value."
                )));
            }
        };
        let [field, needle] = args else {
            return Err(bad_query(format!("{name}() takes two arguments.")));
        };
        let o = self.operand(field, 0)?;
        if !matches!(o.ty, OType::Text | OType::Prop(PType::Text | PType::Guid)) {
            return Err(bad_query(format!(
                "{name}() applies to strings; '{}' is not one.",
                o.name
            )));
        }
        let s = match needle {
            O::Literal(Literal::String(s)) => s.clone(),
            O::Literal(l) => {
                return Err(bad_query(format!(
                    "The second argument of {name}() must be a string, not {}.",
                    literal_edm(l)
                )));
            }
            _ => {
                return Err(invalid_filter(format!(
                    "The second argument of {name}() must be a string value."
                )));
            }
        };
        self.check(&o, bit, name, &s, negated)?;
        Ok(wrap(
            o.wrap,
            Expr::Call(f, vec![o.expr, Expr::Lit(Value::Text(s))]),
        ))
    }

    fn lambda(
        &mut self,
        collection: &[String],
        kind: LambdaKind,
        variable: Option<&str>,
        predicate: Option<&O>,
        negated: bool,
        depth: usize,
    ) -> Result<Expr, ApiError> {
        let (word, bit) = match kind {
            LambdaKind::Any => ("any", Ops::ANY),
            LambdaKind::All => ("all", Ops::ALL),
        };
        let all = kind == LambdaKind::All;
        // Hops through single-valued navigations before the collection.
        let (hops, base, coll_name) = self.collection_path(collection)?;
        let nav = props::nav_many(self.d, base, coll_name).ok_or_else(|| {
            if props::entry(self.d, base, coll_name).is_some() {
                bad_query(format!(
                    "The property '{coll_name}' is not a collection; any() and all() apply to collections."
                ))
            } else {
                unknown_property(coll_name, base)
            }
        })?;
        let name = collection.join("/");
        if !self.permissive
            && (!nav.ops.has(bit) || !hops.is_empty() || (negated && !nav.ops.has(Ops::NOT)))
        {
            return Err(not_supported(format!("{name} {}", op_word(word))));
        }
        let inner = match (variable, predicate) {
            (Some(var), Some(pred)) => {
                if self.vars.iter().any(|v| v.name == var) {
                    return Err(bad_query(format!(
                        "The range variable '{var}' is already in use."
                    )));
                }
                self.vars.push(Var {
                    name: var.to_string(),
                    target: match nav.via {
                        Via::DocPrimitive(_, ty) => {
                            VarTarget::Primitive(ty, nav.ops, format!("{name}/{var}"))
                        }
                        Via::DocObjects(_, elem) => VarTarget::Object(elem, name.clone()),
                        _ => VarTarget::Entity(nav.kind),
                    },
                });
                let r = self.cond(pred, false, depth + 1);
                self.vars.pop();
                r?
            }
            // `any()`: the collection is not empty.
            _ => Expr::True,
        };
        Ok(wrap(hops, collection_expr(nav, inner, all)))
    }

    /// Splits `a/b/coll` into the single-valued hops `a/b`, the kind they lead to, and `coll`.
    fn collection_path<'p>(&self, path: &'p [String]) -> Result<(Hops, EKind, &'p str), ApiError> {
        self.outer_path_in_lambda(path)?;
        let mut kind = self.kind;
        let mut segs = path;
        if let Some(first) = segs.first()
            && let Some(v) = self.vars.iter().rev().find(|v| &v.name == first)
        {
            match v.target {
                VarTarget::Entity(k) => kind = k,
                VarTarget::Primitive(..) | VarTarget::Object(..) => {
                    return Err(bad_query(format!(
                        "The elements of '{first}' are not entities; they hold no collections."
                    )));
                }
            }
            segs = &segs[1..];
        }
        let Some((last, hops)) = segs.split_last() else {
            return Err(bad_query("any() and all() need a collection."));
        };
        let mut wrap = Vec::new();
        for h in hops {
            let n = props::nav_one(self.d, kind, h).ok_or_else(|| unknown_property(h, kind))?;
            wrap.push((n.key, n.kind));
            kind = n.kind;
        }
        Ok((wrap, kind, last.as_str()))
    }

    /// A property path (or lambda variable), possibly inside functions.
    fn operand(&mut self, e: &O, depth: usize) -> Result<Operand, ApiError> {
        if depth > 8 {
            return Err(bad_query("Functions are nested too deeply."));
        }
        match e {
            O::Path(path) => self.property(path),
            O::Call { name, args } => {
                let first = args.first().ok_or_else(|| {
                    bad_query(format!("{name}() needs a property as its first argument."))
                })?;
                let mut o = self.operand(first, depth + 1)?;
                let text = matches!(
                    o.ty,
                    OType::Text | OType::Prop(PType::Text | PType::Guid | PType::Enum(..))
                );
                let time = matches!(o.ty, OType::Prop(PType::DateTime));
                let needs = |ok: bool, what: &str| {
                    if ok {
                        Ok(())
                    } else {
                        Err(bad_query(format!(
                            "{name}() applies to {what}; '{}' is not one.",
                            o.name
                        )))
                    }
                };
                let lit_int = |a: &O| match a {
                    O::Literal(Literal::Int(i)) => Ok(Expr::Lit(Value::Int(*i))),
                    _ => Err(bad_query(format!("{name}() takes whole numbers here."))),
                };
                let lit_str = |a: &O| match a {
                    O::Literal(Literal::String(s)) => Ok(Expr::Lit(Value::Text(s.clone()))),
                    _ => Err(bad_query(format!("{name}() takes a string value here."))),
                };
                let (f, extra, ty) = match name.as_str() {
                    "tolower" | "toupper" => {
                        needs(text, "strings")?;
                        o.cased = true;
                        let f = if name == "tolower" {
                            Func::ToLower
                        } else {
                            Func::ToUpper
                        };
                        (f, vec![], OType::Text)
                    }
                    "trim" => {
                        needs(text, "strings")?;
                        o.funcs = true;
                        (Func::Trim, vec![], OType::Text)
                    }
                    "length" => {
                        needs(text, "strings")?;
                        o.funcs = true;
                        (Func::Length, vec![], OType::Int)
                    }
                    "indexof" => {
                        needs(text, "strings")?;
                        o.funcs = true;
                        (Func::IndexOf, vec![lit_str(&args[1])?], OType::Int)
                    }
                    "concat" => {
                        needs(text, "strings")?;
                        o.funcs = true;
                        (Func::Concat, vec![lit_str(&args[1])?], OType::Text)
                    }
                    "substring" => {
                        needs(text, "strings")?;
                        o.funcs = true;
                        let mut x = vec![lit_int(&args[1])?];
                        if let Some(a) = args.get(2) {
                            x.push(lit_int(a)?);
                        }
                        (Func::Substring, x, OType::Text)
                    }
                    "year" | "month" | "day" | "hour" | "minute" | "second" => {
                        needs(time, "dates and times")?;
                        o.funcs = true;
                        let f = match name.as_str() {
                            "year" => Func::Year,
                            "month" => Func::Month,
                            "day" => Func::Day,
                            "hour" => Func::Hour,
                            "minute" => Func::Minute,
                            _ => Func::Second,
                        };
                        (f, vec![], OType::Int)
                    }
                    "date" => {
                        needs(time, "dates and times")?;
                        o.funcs = true;
                        (Func::Date, vec![], OType::Date)
                    }
                    other => {
                        return Err(invalid_filter(format!(
                            "The function '{other}' is not supported in $filter."
                        )));
                    }
                };
                let mut call_args = vec![o.expr];
                call_args.extend(extra);
                o.expr = Expr::Call(f, call_args);
                o.ty = ty;
                Ok(o)
            }
            O::Literal(_) => Err(invalid_filter(
                "A comparison needs a property on one side and a value on the other.",
            )),
            O::Binary { op, .. } => Err(invalid_filter(format!(
                "The operator '{}' is not supported in $filter.",
                op.keyword()
            ))),
            _ => Err(bad_query(
                "Only properties and functions of properties can be compared in $filter.",
            )),
        }
    }

    /// Resolves a property path: a lambda variable, a documented path, or (when permissive, or
    /// documented) a path through single-valued navigation properties.
    fn property(&mut self, path: &[String]) -> Result<Operand, ApiError> {
        self.outer_path_in_lambda(path)?;
        let mut kind = self.kind;
        let mut segs: &[String] = path;
        if let Some(first) = path.first() {
            if first == "$it" || first == "$this" {
                return Err(bad_query(format!("'{first}' is not supported in $filter.")));
            }
            if let Some(v) = self.vars.iter().rev().find(|v| &v.name == first) {
                match &v.target {
                    VarTarget::Primitive(ty, ops, name) => {
                        if path.len() > 1 {
                            return Err(bad_query(format!(
                                "The elements of '{name}' have no properties."
                            )));
                        }
                        return Ok(Operand {
                            expr: Expr::Elem(vec![], ty.value_type()),
                            ty: OType::Prop(*ty),
                            name: name.clone(),
                            ops: *ops,
                            wrap: vec![],
                            funcs: false,
                            cased: false,
                        });
                    }
                    VarTarget::Object(elem, name) => {
                        let prop = path.get(1..).map(|r| r.join("/")).unwrap_or_default();
                        let Some(x) = elem.iter().find(|x| x.name.eq_ignore_ascii_case(&prop))
                        else {
                            return Err(bad_query(format!(
                                "The elements of '{name}' have no property '{prop}'."
                            )));
                        };
                        return Ok(Operand {
                            expr: Expr::Elem(
                                x.path.iter().map(|s| s.to_string()).collect(),
                                x.ty.value_type(),
                            ),
                            ty: OType::Prop(x.ty),
                            name: format!("{name}/{prop}"),
                            ops: if self.permissive {
                                Ops::EVERYTHING
                            } else {
                                x.ops
                            },
                            wrap: vec![],
                            funcs: false,
                            cased: false,
                        });
                    }
                    VarTarget::Entity(k) => {
                        kind = *k;
                        segs = &path[1..];
                        if segs.is_empty() {
                            return Err(bad_query(format!(
                                "The range variable '{first}' stands for an entity; compare one of its properties."
                            )));
                        }
                    }
                }
            }
        }
        let mut wrap: Hops = Vec::new();
        let mut hops = 0;
        loop {
            let joined = segs.join("/");
            if let Some(x) = props::entry(self.d, kind, &joined) {
                let mut o = self.entry_operand(x, kind)?;
                if hops > 0 {
                    // Reached through navigations Graph does not document as a path.
                    o.ops = if self.permissive {
                        Ops::EVERYTHING
                    } else {
                        Ops::NONE
                    };
                    o.name = path.join("/");
                }
                let mut w = wrap;
                w.append(&mut o.wrap);
                o.wrap = w;
                return Ok(o);
            }
            if segs.len() < 2 {
                break;
            }
            let Some(n) = props::nav_one(self.d, kind, &segs[0]) else {
                break;
            };
            wrap.push((n.key, n.kind));
            kind = n.kind;
            segs = &segs[1..];
            hops += 1;
        }
        let first = segs.first().map(String::as_str).unwrap_or_default();
        if props::nav_many(self.d, kind, first).is_some() {
            return Err(bad_query(format!(
                "The property '{first}' is a collection; use any() or all() to filter on it."
            )));
        }
        Err(unknown_property(&path.join("/"), kind))
    }

    fn entry_operand(&self, x: &'static Entry, kind: EKind) -> Result<Operand, ApiError> {
        let ops = if self.permissive {
            Ops::EVERYTHING
        } else {
            x.ops
        };
        match x.at {
            At::Col(c) => Ok(Operand {
                expr: Expr::Column(c),
                ty: OType::Prop(x.ty),
                name: x.name.to_string(),
                ops,
                wrap: vec![],
                funcs: false,
                cased: false,
            }),
            At::Doc(p) => Ok(Operand {
                expr: Expr::Doc(p.iter().map(|s| s.to_string()).collect(), x.ty.value_type()),
                ty: OType::Prop(x.ty),
                name: x.name.to_string(),
                ops,
                wrap: vec![],
                funcs: false,
                cased: false,
            }),
            At::Via(key, target, name) => {
                let inner = props::entry(self.d, target, name).ok_or_else(|| {
                    ApiError::internal(format!("{kind:?}.{} leads nowhere", x.name))
                })?;
                let mut o = self.entry_operand(inner, target)?;
                o.wrap.insert(0, (key, target));
                o.name = x.name.to_string();
                o.ops = ops;
                Ok(o)
            }
        }
    }

    /// The literal as a stored value of the operand's type.
    fn value(&self, o: &Operand, lit: &Literal, cmp: CmpOp) -> Result<Lit, ApiError> {
        let mismatch = || {
            let ty = match o.ty {
                OType::Prop(t) => t.edm(),
                OType::Int => "Edm.Int32",
                OType::Text => "Edm.String",
                OType::Date => "Edm.Date",
            };
            bad_query(format!(
                "A binary operator with incompatible types was detected. Found operand types '{ty}' and '{}' for '{}'.",
                literal_edm(lit),
                o.name
            ))
        };
        if let Literal::Null = lit {
            return Ok(Lit::One(Value::Null));
        }
        let ordered = !matches!(cmp, CmpOp::Eq | CmpOp::Ne);
        Ok(Lit::One(match (o.ty, lit) {
            (OType::Int, Literal::Int(i)) => Value::Int(*i),
            (OType::Text, Literal::String(s)) => Value::Text(s.clone()),
            (OType::Date, Literal::Date(d)) => Value::Text(d.to_string()),
            (OType::Date, Literal::String(s)) => {
                match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) => Value::Text(d.to_string()),
                    Err(_) => return Err(mismatch()),
                }
            }
            (OType::Prop(t), l) => match (t, l) {
                (PType::Text, Literal::String(s)) => Value::Text(s.clone()),
                (PType::Text, Literal::Guid(g)) => Value::Text(g.to_string()),
                (PType::Guid, Literal::String(s)) => Value::Text(s.to_ascii_lowercase()),
                (PType::Guid, Literal::Guid(g)) => Value::Text(g.to_string()),
                (PType::Bool, Literal::Bool(b)) => Value::Bool(*b),
                (PType::DateTime, Literal::DateTimeOffset(t)) => {
                    Value::Text(Timestamp::from_utc(t.with_timezone(&chrono::Utc)).to_storage())
                }
                (PType::DateTime, Literal::Date(d)) => Value::Text(
                    Timestamp::from_utc(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
                        .to_storage(),
                ),
                (PType::DateTime, Literal::String(s)) => match Timestamp::parse(s) {
                    Ok(t) => Value::Text(t.to_storage()),
                    Err(_) => return Err(mismatch()),
                },
                (PType::Duration, Literal::Duration(s) | Literal::String(s)) => {
                    if ordered {
                        return Err(bad_query(format!(
                            "The duration '{}' can only be compared with eq and ne.",
                            o.name
                        )));
                    }
                    match Duration::parse(s) {
                        Ok(d) => Value::Text(d.to_iso()),
                        Err(_) => return Err(mismatch()),
                    }
                }
                (
                    PType::Enum(parse, members),
                    Literal::String(s) | Literal::Enum { member: s, .. },
                ) => {
                    if ordered {
                        return Err(bad_query(format!(
                            "The enumeration '{}' can only be compared with eq and ne.",
                            o.name
                        )));
                    }
                    match parse(self.d, s) {
                        Some(mut vs) if vs.len() == 1 => Value::Text(vs.remove(0).to_string()),
                        Some(vs) => {
                            return Ok(Lit::Many(
                                vs.into_iter().map(|v| Value::Text(v.to_string())).collect(),
                            ));
                        }
                        None => {
                            return Err(bad_query(format!(
                                "The value '{s}' is not valid for '{}'. The allowed values are: {members}.",
                                o.name
                            )));
                        }
                    }
                }
                _ => return Err(mismatch()),
            },
            _ => return Err(mismatch()),
        }))
    }

    /// `$orderby` as sort keys (`id` ascending always breaks ties).
    pub fn order(&mut self, items: &[OrderItem]) -> Result<Vec<OrderKey>, ApiError> {
        let mut out = Vec::new();
        for it in items {
            let name = it.path.join("/");
            let o = self.property(&it.path)?;
            if !o.wrap.is_empty() {
                return Err(bad_query(format!(
                    "Sorting by '{name}', a property of a related entity, is not supported."
                )));
            }
            let allowed =
                self.permissive || props::entry(self.d, self.kind, &name).is_some_and(|x| x.order);
            if !allowed {
                return Err(bad_query(format!(
                    "The query specified in the URI is not valid. Order by '{name}' is not allowed. (accessd answers as Microsoft Graph does; start it with --permissive-queries to allow it.)"
                )));
            }
            if matches!(o.ty, OType::Prop(PType::Duration)) {
                return Err(bad_query(format!(
                    "Sorting by the duration '{name}' is not supported."
                )));
            }
            if o.expr == Expr::Column("id") && !it.descending {
                // The tie-breaker already.
                continue;
            }
            out.push(OrderKey {
                expr: o.expr,
                descending: it.descending,
            });
        }
        Ok(out)
    }
}

enum Lit {
    One(Value),
    Many(Vec<Value>),
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

/// Wraps a condition on a related entity in the hops that lead to it (outermost first).
fn wrap(hops: Hops, mut c: Expr) -> Expr {
    for (key, kind) in hops.into_iter().rev() {
        let Some(k) = kind.store_kind() else {
            continue;
        };
        c = Expr::Related {
            key: Box::new(key.expr()),
            kind: k,
            filter: Box::new(c),
        };
    }
    c
}

fn collection_expr(nav: &NavMany, inner: Expr, all: bool) -> Expr {
    match nav.via {
        Via::Referencing(column) => match nav.kind.store_kind() {
            Some(kind) => Expr::Referencing {
                kind,
                column,
                filter: Box::new(inner),
                all,
            },
            None => Expr::False,
        },
        Via::Linked(link, reverse) => match nav.kind.store_kind() {
            Some(kind) => Expr::Linked {
                link,
                reverse,
                kind,
                filter: Box::new(inner),
                all,
            },
            None => Expr::False,
        },
        Via::DocPrimitive(path, _) | Via::DocObjects(path, _) => Expr::AnyDoc {
            path: path.iter().map(|s| s.to_string()).collect(),
            filter: Box::new(inner),
            all,
        },
    }
}
