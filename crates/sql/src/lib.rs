//! SQL text for the row primitives of `accessd_domain::store`, for both backends.
//!
//! Every value travels as a bound parameter ([`Sql::binds`]); identifiers come only from the
//! static tables of `accessd_domain::store::Kind`, never from a request. The backends execute
//! what this crate renders; they add connection handling, binding and error mapping.

use accessd_domain::query::{CmpOp, Expr, Func, OrderKey, Query, Value, ValueType};
use accessd_domain::store::{ColumnType, Kind, Link};

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
                self.expr(inner)?;
                self.push(")");
            }
            Expr::In(a, values) => {
                if values.is_empty() {
                    self.false_();
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
            Expr::Related {
                column,
                kind,
                filter,
            } => {
                let outer = self.t();
                self.alias += 1;
                let inner = self.t();
                self.push(&format!(
                    "({outer}.{column} IN (SELECT {inner}.id FROM {} {inner} WHERE ",
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
                    self.push("NOT (");
                    self.expr(filter)?;
                    self.push(")");
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
                    self.push("NOT (");
                    self.expr(filter)?;
                    self.push(")");
                } else {
                    self.expr(filter)?;
                }
                self.elems.pop();
                self.push("))");
            }
        }
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
        }
        Ok(())
    }

    /// A sort key as a null-free expression, so that keyset comparisons are total.
    fn sort_key(&mut self, kind: Kind, k: &OrderKey) -> Result<ValueType, SqlError> {
        let ty = match &k.expr {
            Expr::Column(c) => column_type(kind, c),
            e => expr_type(e),
        };
        self.push("COALESCE(");
        self.expr(&k.expr)?;
        self.push(match ty {
            ValueType::Text => ", '')",
            ValueType::Bool => match self.dialect {
                Dialect::Sqlite => ", -1)",
                Dialect::Postgres => ", FALSE)",
            },
            ValueType::Int => ", -9223372036854775808)",
            ValueType::Float => ", -1e308)",
        });
        Ok(ty)
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
        Expr::Call(Func::Length | Func::IndexOf, _) => ValueType::Int,
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

/// A query over one kind: the rows' `id, version, data`, then one column per sort key.
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
        b.push(" AND (");
        // (k1, .., kn, id) strictly after the cursor, each key in its own direction.
        let n = q.order.len();
        for i in 0..=n {
            if i > 0 {
                b.push(" OR ");
            }
            b.push("(");
            for (key, value) in q.order.iter().zip(after).take(i) {
                b.sort_key(kind, key)?;
                b.push(" = ");
                b.bind(value.clone());
                b.push(" AND ");
            }
            if i < n {
                let k = &q.order[i];
                b.sort_key(kind, k)?;
                b.push(if k.descending { " < " } else { " > " });
                b.bind(after[i].clone());
            } else {
                b.push("t0.id > ");
                b.bind(after[n].clone());
            }
            b.push(")");
        }
        b.push(")");
    }
    b.push(" ORDER BY ");
    for k in &q.order {
        b.sort_key(kind, k)?;
        b.push(if k.descending { " DESC, " } else { " ASC, " });
    }
    b.push("t0.id ASC");
    if let Some(limit) = q.limit {
        b.push(" LIMIT ");
        b.bind(Value::Int(limit.min(i64::MAX as u64) as i64));
    } else if q.offset.is_some() && d == Dialect::Sqlite {
        b.push(" LIMIT -1");
    }
    if let Some(offset) = q.offset {
        b.push(" OFFSET ");
        b.bind(Value::Int(offset.min(i64::MAX as u64) as i64));
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
    let mut b = Builder::new(d);
    b.push(&format!(
        "UPDATE {} SET version = version + 1",
        kind.table()
    ));
    for c in kind.columns() {
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

/// Whether the link enum and its storage name agree (used by stores' schema tests).
pub fn link_names() -> Vec<&'static str> {
    [
        Link::GroupMember,
        Link::GroupOwner,
        Link::IncompatiblePackage,
        Link::IncompatibleGroup,
        Link::DeliveredBy,
    ]
    .iter()
    .map(|l| l.as_str())
    .collect()
}

#[cfg(test)]
mod tests;
