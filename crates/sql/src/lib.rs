//! SQL text for the row primitives of `accessd_domain::store`, for both backends.
//!
//! Every value travels as a bound parameter ([`Sql::binds`]); identifiers come only from the
//! static tables of `accessd_domain::store::Kind`, never from a request. The one exception is
//! `LIMIT`/`OFFSET`, written as integer literals: SQLite plans a statement for its bound limit
//! and so prepares a cached statement again on every run when the limit is a parameter
//! (measured: most of the cost of a small read). They are numbers the API parsed, not text.
//! The backends execute what this crate renders; they add connection handling, binding and
//! error mapping.
//!
//! Semantics that hold in both dialects: a comparison with null is false (`ne` is null-safe:
//! `x ne 'a'` holds when x is null), so `not`, `all` and `ne` never let an unknown through;
//! a null sorts before every value; `contains`/`startswith`/`endswith` ignore case (like
//! Graph's directory), as do equality comparisons on the index columns declared
//! `COLLATE NOCASE` (names, mail addresses).

use accessd_domain::query::{CmpOp, Expr, Func, OrderKey, Query, Value, ValueType};
use accessd_domain::store::{ColumnType, Kind, Link};

/// Lists of more strings than this are bound as one JSON array (see `Expr::In`).
const LONG_IN_LIST: usize = 64;

/// Which SQL dialect to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// SQL text and the values for its placeholders, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sql {
    pub text: String,
    pub binds: Vec<Value>,
}

/// The type of each extra column a query returns after `id, version, data` (its sort keys).
pub type KeyTypes = Vec<ValueType>;

#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The query tree uses a construct in a place this renderer does not support.
    #[error("unsupported query: {0}")]
    Unsupported(String),
}

struct Builder {
    dialect: Dialect,
    text: String,
    binds: Vec<Value>,
    /// Depth of table aliases in use (t0, t1, ...).
    alias: usize,
    /// Lambda element aliases in use (je0, je1, ...), innermost last.
    elems: Vec<String>,
}

impl Builder {
    fn new(dialect: Dialect) -> Builder {
        Builder {
            dialect,
            text: String::new(),
            binds: Vec::new(),
            alias: 0,
            elems: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, v: Value) -> &mut Self {
        self.binds.push(v);
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                let n = self.binds.len();
                self.text.push_str(&format!("${n}"));
            }
        }
        self
    }

    fn finish(self) -> Sql {
        Sql {
            text: self.text,
            binds: self.binds,
        }
    }

    fn t(&self) -> String {
        format!("t{}", self.alias)
    }

    fn false_(&mut self) {
        self.push(match self.dialect {
            Dialect::Sqlite => "0",
            Dialect::Postgres => "FALSE",
        });
    }

    fn true_(&mut self) {
        self.push(match self.dialect {
            Dialect::Sqlite => "1",
            Dialect::Postgres => "TRUE",
        });
    }

    /// A JSON member of `base` (an SQL expression holding JSON) at `path`, typed.
    fn json_member(&mut self, base: &str, path: &[String], ty: ValueType) {
        match self.dialect {
            Dialect::Sqlite => {
                if path.is_empty() {
                    self.push(base);
                    return;
                }
                self.push("json_extract(").push(base).push(", ");
                let p = sqlite_path(path);
                self.bind(Value::Text(p));
                self.push(")");
            }
            Dialect::Postgres => {
                self.push("(");
                if path.is_empty() {
                    self.push("(").push(base).push(" #>> '{}')");
                } else {
                    self.push("jsonb_extract_path_text(").push(base);
                    for seg in path {
                        self.push(", ");
                        self.bind(Value::Text(seg.clone()));
                    }
                    self.push(")");
                }
                self.push(match ty {
                    ValueType::Text => ")",
                    ValueType::Bool => ")::boolean",
                    ValueType::Int => ")::bigint",
                    ValueType::Float => ")::double precision",
                });
            }
        }
    }

    fn doc_base(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("{}.data", self.t()),
            Dialect::Postgres => format!("{}.data::jsonb", self.t()),
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), SqlError> {
        match e {
            Expr::True => self.true_(),
            Expr::False => self.false_(),
            Expr::Column(c) => {
                let t = self.t();
                self.push(&t).push(".").push(c);
            }
            Expr::Doc(path, ty) => {
                let base = self.doc_base();
                self.json_member(&base, path, *ty);
            }
            Expr::Elem(path, ty) => {
                let je = self.elems.last().cloned().ok_or_else(|| {
                    SqlError::Unsupported("lambda variable outside a lambda".into())
                })?;
                let base = format!("{je}.value");
                if path.is_empty() {
                    match self.dialect {
                        Dialect::Sqlite => {
                            self.push(&base);
                        }
                        Dialect::Postgres => {
                            self.json_member(&base, path, *ty);
                        }
                    }
                } else {
                    self.json_member(&base, path, *ty);
                }
            }
            Expr::Lit(v) => {
                self.bind(v.clone());
            }
            Expr::Cmp(a, op, b) => self.cmp(a, *op, b)?,
            Expr::And(parts) | Expr::Or(parts) => {
                if parts.is_empty() {
                    if matches!(e, Expr::And(_)) {
                        self.true_()
                    } else {
                        self.false_()
                    }
                    return Ok(());
                }
                let sep = if matches!(e, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        self.push(sep);
                    }
                    self.expr(p)?;
                }
                self.push(")");
            }
            Expr::Not(inner) => {
                self.push("(NOT ");
                self.definitely(inner)?;
                self.push(")");
            }
            Expr::In(a, values) => {
                if values.is_empty() {
                    self.false_();
                    return Ok(());
                }
                // A long list of strings is one parameter, a JSON array unpacked by the
                // database: no limit on the number of bound parameters (SQLite's 32,766,
                // PostgreSQL's 65,535) and one statement text whatever the length, so the
                // prepared-statement cache keeps it.
                if values.len() > LONG_IN_LIST
                    && let Some(texts) = values
                        .iter()
                        .map(|v| match v {
                            Value::Text(t) => Some(t.as_str()),
                            _ => None,
                        })
                        .collect::<Option<Vec<&str>>>()
                {
                    let json = serde_json::to_string(&texts)
                        .map_err(|e| SqlError::Unsupported(e.to_string()))?;
                    self.push("(");
                    self.expr(a)?;
                    self.push(match self.dialect {
                        Dialect::Sqlite => " IN (SELECT value FROM json_each(",
                        Dialect::Postgres => " IN (SELECT jsonb_array_elements_text(CAST(",
                    });
                    self.bind(Value::Text(json));
                    self.push(match self.dialect {
                        Dialect::Sqlite => ")))",
                        Dialect::Postgres => " AS jsonb))))",
                    });
                    return Ok(());
                }
                self.push("(");
                self.expr(a)?;
                self.push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.bind(v.clone());
                }
                self.push("))");
            }
            Expr::Call(f, args) => self.call(*f, args)?,
            Expr::Related { key, kind, filter } => {
                self.push("(");
                self.expr(key)?;
                self.alias += 1;
                let inner = self.t();
                self.push(&format!(
                    " IN (SELECT {inner}.id FROM {} {inner} WHERE ",
                    kind.table()
                ));
                self.expr(filter)?;
                self.push("))");
                self.alias -= 1;
            }
            Expr::Linked {
                link,
                reverse,
                kind,
                filter,
                all,
            } => {
                let outer = self.t();
                self.alias += 1;
                let inner = self.t();
                let (mine, theirs) = if *reverse {
                    ("to_id", "from_id")
                } else {
                    ("from_id", "to_id")
                };
                // `t0.id [NOT] IN (ids linked to a matching entity)`: the outer row is found by its
                // primary key and the links by their (rel, side) index; no scan of the outer table.
                self.push(&format!("({outer}.id "));
                self.push(if *all { "NOT IN (" } else { "IN (" });
                self.push(&format!(
                    "SELECT l{a}.{mine} FROM links l{a} JOIN {table} {inner} ON {inner}.id = l{a}.{theirs} WHERE l{a}.rel = ",
                    a = self.alias,
                    table = kind.table()
                ));
                self.bind(Value::Text(link.as_str().to_string()));
                self.push(" AND ");
                if *all {
                    self.push("NOT ");
                    self.definitely(filter)?;
                } else {
                    self.expr(filter)?;
                }
                self.push("))");
                self.alias -= 1;
            }
            Expr::Referencing {
                kind,
                column,
                filter,
                all,
            } => {
                let outer = self.t();
                self.alias += 1;
                let inner = self.t();
                // `t0.id [NOT] IN (the referencing rows' column)`: one lookup by the referencing
                // table's (column, id) index per outer row, or one pass over it.
                self.push(&format!("({outer}.id "));
                self.push(if *all { "NOT IN (" } else { "IN (" });
                self.push(&format!(
                    "SELECT {inner}.{column} FROM {} {inner} WHERE {inner}.{column} IS NOT NULL AND ",
                    kind.table()
                ));
                if *all {
                    self.push("NOT ");
                    self.definitely(filter)?;
                } else {
                    self.expr(filter)?;
                }
                self.push("))");
                self.alias -= 1;
            }
            Expr::AnyDoc { path, filter, all } => {
                let je = format!("je{}", self.elems.len());
                self.push(if *all {
                    "(NOT EXISTS (SELECT 1 FROM "
                } else {
                    "(EXISTS (SELECT 1 FROM "
                });
                match self.dialect {
                    Dialect::Sqlite => {
                        let t = self.t();
                        self.push(&format!("json_each({t}.data, "));
                        self.bind(Value::Text(sqlite_path(path)));
                        self.push(&format!(") {je} WHERE "));
                    }
                    Dialect::Postgres => {
                        let base = self.doc_base();
                        self.push(&format!("jsonb_array_elements(COALESCE({base} #> "));
                        self.bind(Value::Text(format!("{{{}}}", path.join(","))));
                        self.push(&format!("::text[], '[]'::jsonb)) AS {je}(value) WHERE "));
                    }
                }
                self.elems.push(je);
                if *all {
                    self.push("NOT ");
                    self.definitely(filter)?;
                } else {
                    self.expr(filter)?;
                }
                self.elems.pop();
                self.push("))");
            }
        }
        Ok(())
    }

    /// A condition that is true or false, never unknown: `COALESCE(cond, FALSE)`, so that
    /// `NOT` of a comparison with a null is true, as in OData.
    fn definitely(&mut self, e: &Expr) -> Result<(), SqlError> {
        self.push("COALESCE(");
        self.expr(e)?;
        self.push(", ");
        self.false_();
        self.push(")");
        Ok(())
    }

    fn cmp(&mut self, a: &Expr, op: CmpOp, b: &Expr) -> Result<(), SqlError> {
        let null_side = |e: &Expr| matches!(e, Expr::Lit(Value::Null));
        if null_side(b) || null_side(a) {
            let other = if null_side(b) { a } else { b };
            self.push("(");
            self.expr(other)?;
            match op {
                CmpOp::Eq => self.push(" IS NULL)"),
                CmpOp::Ne => self.push(" IS NOT NULL)"),
                _ => {
                    // Ordering against null is never true in OData.
                    self.push(" IS NULL AND ");
                    self.false_();
                    self.push(")")
                }
            };
            return Ok(());
        }
        self.push("(");
        self.expr(a)?;
        let sym = match op {
            CmpOp::Eq => " = ",
            CmpOp::Ne => match self.dialect {
                Dialect::Sqlite => " IS NOT ",
                Dialect::Postgres => " IS DISTINCT FROM ",
            },
            CmpOp::Gt => " > ",
            CmpOp::Ge => " >= ",
            CmpOp::Lt => " < ",
            CmpOp::Le => " <= ",
        };
        self.push(sym);
        self.expr(b)?;
        self.push(")");
        Ok(())
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> Result<(), SqlError> {
        let arity = |n: usize| -> Result<(), SqlError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(SqlError::Unsupported(format!("{f:?} takes {n} arguments")))
            }
        };
        let like = match self.dialect {
            Dialect::Sqlite => " LIKE ",
            Dialect::Postgres => " ILIKE ",
        };
        match f {
            Func::Contains | Func::StartsWith | Func::EndsWith => {
                arity(2)?;
                let Expr::Lit(Value::Text(needle)) = &args[1] else {
                    return Err(SqlError::Unsupported(format!(
                        "{f:?} needs a string literal"
                    )));
                };
                let esc = escape_like(needle);
                let pattern = match f {
                    Func::Contains => format!("%{esc}%"),
                    Func::StartsWith => format!("{esc}%"),
                    _ => format!("%{esc}"),
                };
                self.push("(");
                self.expr(&args[0])?;
                self.push(like);
                self.bind(Value::Text(pattern));
                self.push(" ESCAPE '\\')");
            }
            Func::ToLower | Func::ToUpper | Func::Length | Func::Trim => {
                arity(1)?;
                self.push(match f {
                    Func::ToLower => "lower(",
                    Func::ToUpper => "upper(",
                    Func::Length => "length(",
                    _ => "trim(",
                });
                self.expr(&args[0])?;
                self.push(")");
            }
            Func::Concat => {
                arity(2)?;
                self.push("(");
                self.expr(&args[0])?;
                self.push(" || ");
                self.expr(&args[1])?;
                self.push(")");
            }
            Func::IndexOf => {
                arity(2)?;
                self.push(match self.dialect {
                    Dialect::Sqlite => "(instr(",
                    Dialect::Postgres => "(strpos(",
                });
                self.expr(&args[0])?;
                self.push(", ");
                self.expr(&args[1])?;
                self.push(") - 1)");
            }
            Func::Substring => {
                if !(2..=3).contains(&args.len()) {
                    return Err(SqlError::Unsupported(
                        "Substring takes 2 or 3 arguments".into(),
                    ));
                }
                // OData counts from 0, SQL from 1.
                self.push("substr(");
                self.expr(&args[0])?;
                self.push(", (");
                self.expr(&args[1])?;
                self.push(") + 1");
                if let Some(len) = args.get(2) {
                    self.push(", ");
                    self.expr(len)?;
                }
                self.push(")");
            }
            Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute | Func::Second => {
                arity(1)?;
                // The stored form is fixed-width: `2024-01-31T08:00:00.0000000Z`.
                let (from, len) = match f {
                    Func::Year => (1, 4),
                    Func::Month => (6, 2),
                    Func::Day => (9, 2),
                    Func::Hour => (12, 2),
                    Func::Minute => (15, 2),
                    _ => (18, 2),
                };
                self.push("CAST(substr(");
                self.expr(&args[0])?;
                self.push(&format!(", {from}, {len}) AS "));
                self.push(match self.dialect {
                    Dialect::Sqlite => "INTEGER)",
                    Dialect::Postgres => "bigint)",
                });
            }
            Func::Date => {
                arity(1)?;
                self.push("substr(");
                self.expr(&args[0])?;
                self.push(", 1, 10)");
            }
        }
        Ok(())
    }

    /// A sort key: the expression itself (a null sorts first; see [`select`]).
    fn sort_key(&mut self, kind: Kind, k: &OrderKey) -> Result<ValueType, SqlError> {
        let ty = match &k.expr {
            Expr::Column(c) => column_type(kind, c),
            e => expr_type(e),
        };
        self.expr(&k.expr)?;
        Ok(ty)
    }

    /// `ORDER BY` direction of a key, nulls first when ascending and last when descending
    /// (SQLite's own order; PostgreSQL is told).
    fn direction(&mut self, descending: bool) {
        self.push(match (descending, self.dialect) {
            (false, Dialect::Sqlite) => " ASC",
            (true, Dialect::Sqlite) => " DESC",
            (false, Dialect::Postgres) => " ASC NULLS FIRST",
            (true, Dialect::Postgres) => " DESC NULLS LAST",
        });
    }

    /// Rows strictly after the cursor in the order `(keys.., id)`, where a null is smaller than
    /// any value: nested as `k1 > c1 OR (k1 = c1 AND (k2 > c2 OR (...)))`, each key in its own
    /// direction, each null cursor value handled exactly.
    fn after(&mut self, kind: Kind, order: &[OrderKey], cursor: &[Value]) -> Result<(), SqlError> {
        let Some((k, rest)) = order.split_first() else {
            self.push("t0.id > ");
            self.bind(cursor.last().cloned().unwrap_or(Value::Null));
            return Ok(());
        };
        let c = cursor.first().cloned().unwrap_or(Value::Null);
        let null = c == Value::Null;
        self.push("(");
        // Strictly after on this key.
        match (k.descending, null) {
            // Ascending, after null: any value.
            (false, true) => {
                self.push("(");
                self.sort_key(kind, k)?;
                self.push(" IS NOT NULL)");
            }
            (false, false) => {
                self.push("(");
                self.sort_key(kind, k)?;
                self.push(" > ");
                self.bind(c.clone());
                self.push(")");
            }
            // Descending, after null: nothing (nulls come last).
            (true, true) => self.false_(),
            (true, false) => {
                self.push("(");
                self.sort_key(kind, k)?;
                self.push(" < ");
                self.bind(c.clone());
                self.push(" OR ");
                self.sort_key(kind, k)?;
                self.push(" IS NULL)");
            }
        }
        self.push(" OR (");
        self.sort_key(kind, k)?;
        if null {
            self.push(" IS NULL");
        } else {
            self.push(" = ");
            self.bind(c);
        }
        self.push(" AND ");
        self.after(kind, rest, &cursor[1..])?;
        self.push("))");
        Ok(())
    }
}

fn sqlite_path(path: &[String]) -> String {
    let mut p = String::from("$");
    for seg in path {
        p.push_str(".\"");
        p.push_str(&seg.replace('"', "\\\""));
        p.push('"');
    }
    p
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The type an expression yields, as far as sort keys need to know.
fn expr_type(e: &Expr) -> ValueType {
    match e {
        Expr::Doc(_, t) | Expr::Elem(_, t) => *t,
        Expr::Lit(Value::Bool(_)) => ValueType::Bool,
        Expr::Lit(Value::Int(_)) => ValueType::Int,
        Expr::Lit(Value::Float(_)) => ValueType::Float,
        Expr::Call(f, _) => f.result_type(),
        Expr::Column(_) => ValueType::Text,
        _ => ValueType::Text,
    }
}

fn column_type(kind: Kind, name: &str) -> ValueType {
    kind.columns()
        .iter()
        .find(|c| c.name == name)
        .map_or(ValueType::Text, |c| match c.ty {
            ColumnType::Text => ValueType::Text,
            ColumnType::Bool => ValueType::Bool,
            ColumnType::Int => ValueType::Int,
        })
}

/// `SELECT id, version, data FROM <kind> WHERE id = ?`
pub fn get(d: Dialect, kind: Kind) -> Sql {
    let mut b = Builder::new(d);
    b.push(&format!(
        "SELECT t0.id, t0.version, t0.data FROM {} t0 WHERE t0.id = ",
        kind.table()
    ));
    b.bind(Value::Null);
    let mut s = b.finish();
    s.binds.clear();
    s
}

/// `SELECT ... WHERE id IN (...)` for `n` ids (binds left to the caller, in order).
pub fn get_many(d: Dialect, kind: Kind, n: usize) -> Sql {
    let mut b = Builder::new(d);
    b.push(&format!(
        "SELECT t0.id, t0.version, t0.data FROM {} t0 WHERE t0.id IN (",
        kind.table()
    ));
    for i in 0..n {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Value::Null);
    }
    b.push(") ORDER BY t0.id");
    let mut s = b.finish();
    s.binds.clear();
    s
}

/// A query over one kind: the rows' `id, version, data`, then one column per sort key (the
/// key's value, null included: a cursor is made of these and the last id).
pub fn select(d: Dialect, kind: Kind, q: &Query) -> Result<(Sql, KeyTypes), SqlError> {
    let mut b = Builder::new(d);
    b.push("SELECT t0.id, t0.version, t0.data");
    let mut types = Vec::new();
    for k in &q.order {
        b.push(", ");
        types.push(b.sort_key(kind, k)?);
    }
    b.push(&format!(" FROM {} t0 WHERE ", kind.table()));
    match &q.filter {
        Some(f) => b.expr(f)?,
        None => b.true_(),
    }
    if let Some(after) = &q.after {
        if after.len() != q.order.len() + 1 {
            return Err(SqlError::Unsupported(
                "cursor does not match the sort keys".into(),
            ));
        }
        // A redundant bound on the first key lets an index on it start at the cursor.
        if let (Some(k), Some(c)) = (q.order.first(), after.first())
            && !k.descending
            && *c != Value::Null
        {
            b.push(" AND ");
            b.sort_key(kind, k)?;
            b.push(" >= ");
            b.bind(c.clone());
        }
        b.push(" AND ");
        b.after(kind, &q.order, after)?;
    }
    b.push(" ORDER BY ");
    for k in &q.order {
        b.sort_key(kind, k)?;
        b.direction(k.descending);
        b.push(", ");
    }
    b.push("t0.id ASC");
    if let Some(limit) = q.limit {
        b.push(&format!(" LIMIT {}", limit.min(i64::MAX as u64)));
    } else if q.offset.is_some() && d == Dialect::Sqlite {
        b.push(" LIMIT -1");
    }
    if let Some(offset) = q.offset {
        b.push(&format!(" OFFSET {}", offset.min(i64::MAX as u64)));
    }
    Ok((b.finish(), types))
}

/// `SELECT COUNT(*) ...`
pub fn count(d: Dialect, kind: Kind, filter: Option<&Expr>) -> Result<Sql, SqlError> {
    let mut b = Builder::new(d);
    b.push(&format!("SELECT COUNT(*) FROM {} t0 WHERE ", kind.table()));
    match filter {
        Some(f) => b.expr(f)?,
        None => b.true_(),
    }
    Ok(b.finish())
}

/// `INSERT` of a new row at version 1: binds are id, the index columns, data.
pub fn insert(d: Dialect, kind: Kind) -> String {
    let cols = kind.columns();
    let mut b = Builder::new(d);
    b.push(&format!("INSERT INTO {} (id, version", kind.table()));
    for c in cols {
        b.push(", ").push(c.name);
    }
    b.push(", data) VALUES (");
    b.bind(Value::Null);
    b.push(", 1");
    for _ in cols {
        b.push(", ");
        b.bind(Value::Null);
    }
    b.push(", ");
    b.bind(Value::Null);
    b.push(")");
    b.text
}

/// `UPDATE` of a row, bumping its version: binds are the index columns, data, id, and with
/// `checked` the expected version. Returns the new version.
pub fn update(d: Dialect, kind: Kind, checked: bool) -> String {
    update_columns(d, kind, &vec![true; kind.columns().len()], checked)
}

/// `UPDATE` that writes only the index columns marked in `changed` (in [`Kind::columns`]
/// order), so that indexes over unchanged columns are not rewritten; binds are those columns'
/// values, then `data`, `id` and (checked) the expected version.
pub fn update_columns(d: Dialect, kind: Kind, changed: &[bool], checked: bool) -> String {
    let mut b = Builder::new(d);
    b.push(&format!(
        "UPDATE {} SET version = version + 1",
        kind.table()
    ));
    for (c, _) in kind.columns().iter().zip(changed).filter(|(_, x)| **x) {
        b.push(", ").push(c.name).push(" = ");
        b.bind(Value::Null);
    }
    b.push(", data = ");
    b.bind(Value::Null);
    b.push(" WHERE id = ");
    b.bind(Value::Null);
    if checked {
        b.push(" AND version = ");
        b.bind(Value::Null);
    }
    b.push(" RETURNING version");
    b.text
}

/// The index columns of one row, in [`Kind::columns`] order (bind: the id).
pub fn index_values(d: Dialect, kind: Kind) -> String {
    let mut b = Builder::new(d);
    let cols: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    b.push(&format!(
        "SELECT {} FROM {} WHERE id = ",
        if cols.is_empty() {
            "id".to_string()
        } else {
            cols.join(", ")
        },
        kind.table()
    ));
    b.bind(Value::Null);
    b.text
}

/// `DELETE ... WHERE id = ?`
pub fn delete(d: Dialect, kind: Kind) -> String {
    let mut b = Builder::new(d);
    b.push(&format!("DELETE FROM {} WHERE id = ", kind.table()));
    b.bind(Value::Null);
    b.text
}

/// The link statements; binds are (rel, from, to) unless said otherwise.
pub mod links {
    use super::*;

    fn with(d: Dialect, head: &str, n: usize, tail: &str) -> String {
        let mut b = Builder::new(d);
        let parts: Vec<&str> = head.split('?').collect();
        for (i, p) in parts.iter().enumerate() {
            b.push(p);
            if i + 1 < parts.len() {
                b.bind(Value::Null);
            }
        }
        debug_assert_eq!(parts.len() - 1, n);
        b.push(tail);
        b.text
    }

    pub fn insert(d: Dialect) -> String {
        match d {
            Dialect::Sqlite => with(
                d,
                "INSERT OR IGNORE INTO links (rel, from_id, to_id) VALUES (?, ?, ?)",
                3,
                "",
            ),
            Dialect::Postgres => with(
                d,
                "INSERT INTO links (rel, from_id, to_id) VALUES (?, ?, ?)",
                3,
                " ON CONFLICT DO NOTHING",
            ),
        }
    }
    pub fn delete(d: Dialect) -> String {
        with(
            d,
            "DELETE FROM links WHERE rel = ? AND from_id = ? AND to_id = ?",
            3,
            "",
        )
    }
    /// binds: rel, from
    pub fn targets(d: Dialect) -> String {
        with(
            d,
            "SELECT to_id FROM links WHERE rel = ? AND from_id = ?",
            2,
            " ORDER BY to_id",
        )
    }
    /// binds: rel, to
    pub fn sources(d: Dialect) -> String {
        with(
            d,
            "SELECT from_id FROM links WHERE rel = ? AND to_id = ?",
            2,
            " ORDER BY from_id",
        )
    }
    /// A page of a relation's pairs in (from, to) order. binds: rel, then (with `after`) the
    /// last pair's from and to.
    pub fn page(d: Dialect, after: bool, limit: u64) -> String {
        let (head, n) = if after {
            (
                "SELECT from_id, to_id FROM links WHERE rel = ? AND (from_id > ? OR (from_id = ? AND to_id > ?))",
                4,
            )
        } else {
            ("SELECT from_id, to_id FROM links WHERE rel = ?", 1)
        };
        with(
            d,
            head,
            n,
            &format!(
                " ORDER BY from_id, to_id LIMIT {}",
                limit.min(i64::MAX as u64)
            ),
        )
    }
    /// binds: rel, id, id
    pub fn delete_all(d: Dialect) -> String {
        with(
            d,
            "DELETE FROM links WHERE rel = ? AND (from_id = ? OR to_id = ?)",
            3,
            "",
        )
    }
}

/// Statements on the key-value `meta` table.
pub mod meta {
    use super::*;

    pub fn get(d: Dialect) -> String {
        match d {
            Dialect::Sqlite => "SELECT value FROM meta WHERE key = ?".into(),
            Dialect::Postgres => "SELECT value FROM meta WHERE key = $1".into(),
        }
    }
    pub fn all(_: Dialect) -> String {
        "SELECT key, value FROM meta ORDER BY key".into()
    }
    pub fn put(d: Dialect) -> String {
        match d {
            Dialect::Sqlite => {
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value".into()
            }
            Dialect::Postgres => {
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value".into()
            }
        }
    }
}

/// What sqlx's bookkeeping says of a migration, as both stores read it: `true` when it must
/// be applied, `false` when it was, an error when it was changed since or failed earlier.
/// `applied` is the row of `_sqlx_migrations` (success, checksum), if there is one.
pub fn migration_needed(
    version: i64,
    applied: Option<(bool, &[u8])>,
    checksum: &[u8],
) -> Result<bool, accessd_domain::store::StoreError> {
    use accessd_domain::store::StoreError;
    match applied {
        None => Ok(true),
        Some((true, sum)) if sum == checksum => Ok(false),
        Some((true, _)) => Err(StoreError::Other(format!(
            "migration {version} was changed after it was applied"
        ))),
        Some((false, _)) => Err(StoreError::Other(format!(
            "migration {version} failed earlier; the database needs repair"
        ))),
    }
}

/// The storage names of the links (used by stores' schema tests).
pub fn link_names() -> Vec<&'static str> {
    Link::ALL.iter().map(|l| l.as_str()).collect()
}

#[cfg(test)]
mod tests;
