//! The query tree that crosses from the API to the stores. The API parses OData text and
//! resolves Graph property names to the columns and document paths below; a store turns the tree
//! into SQL with bound parameters. A store never sees OData text.

use crate::store::{Kind, Link};

/// A value in a query or an index column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map_or(Value::Null, Into::into)
    }
}

/// The type of a value inside the stored document, so that a store can compare it correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Bool,
    Int,
    Float,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// The functions of `$filter` a store evaluates. Strings: `Contains`, `StartsWith`, `EndsWith`
/// (boolean; the second argument a string literal), `ToLower`, `ToUpper`, `Trim`, `Length`,
/// `Concat`, `IndexOf` (0-based, -1 when absent), `Substring(s, start[, length])` (0-based).
/// Dates and times, on the stored fixed-width UTC text (`2024-01-31T08:00:00.0000000Z`):
/// `Year`, `Month`, `Day`, `Hour`, `Minute`, `Second` (integers) and `Date` (`2024-01-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Length,
    Trim,
    Concat,
    IndexOf,
    Substring,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Date,
}

impl Func {
    /// The type of the value the function yields.
    pub fn result_type(self) -> ValueType {
        match self {
            Func::Contains | Func::StartsWith | Func::EndsWith => ValueType::Bool,
            Func::Length
            | Func::IndexOf
            | Func::Year
            | Func::Month
            | Func::Day
            | Func::Hour
            | Func::Minute
            | Func::Second => ValueType::Int,
            _ => ValueType::Text,
        }
    }
}

/// A boolean or scalar expression over one entity kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    True,
    False,
    /// An index column of the kind being queried.
    Column(&'static str),
    /// A member of the stored document (a path of object keys), with its type.
    Doc(Vec<String>, ValueType),
    /// A member of the current lambda element (inside [`Expr::AnyDoc`]); an empty path is the
    /// element itself.
    Elem(Vec<String>, ValueType),
    Lit(Value),
    Cmp(Box<Expr>, CmpOp, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    In(Box<Expr>, Vec<Value>),
    Call(Func, Vec<Expr>),
    /// `key` (an expression over this entity, usually an index column) holds the id of a
    /// `kind` entity that satisfies `filter` (a single-valued relationship: `accessPackage/...`).
    Related {
        key: Box<Expr>,
        kind: Kind,
        filter: Box<Expr>,
    },
    /// Some (or, with `all`, every) entity of `kind` linked to this one through `link` satisfies
    /// `filter`. `reverse` follows the link from its `to` side.
    Linked {
        link: Link,
        reverse: bool,
        kind: Kind,
        filter: Box<Expr>,
        all: bool,
    },
    /// Some (or, with `all`, every) entity of `kind` whose `column` holds this entity's id
    /// satisfies `filter` (a one-to-many relationship seen from its "one" side, such as an
    /// access package's policies). `filter` is over `kind`.
    Referencing {
        kind: Kind,
        column: &'static str,
        filter: Box<Expr>,
        all: bool,
    },
    /// Some (or every) element of the document array at `path` satisfies `filter`.
    AnyDoc {
        path: Vec<String>,
        filter: Box<Expr>,
        all: bool,
    },
}

impl Expr {
    pub fn col_eq(column: &'static str, v: impl Into<Value>) -> Expr {
        Expr::Cmp(
            Box::new(Expr::Column(column)),
            CmpOp::Eq,
            Box::new(Expr::Lit(v.into())),
        )
    }
    pub fn and(parts: Vec<Expr>) -> Expr {
        let parts: Vec<Expr> = parts.into_iter().filter(|e| *e != Expr::True).collect();
        match parts.len() {
            0 => Expr::True,
            1 => parts.into_iter().next().unwrap_or(Expr::True),
            _ => Expr::And(parts),
        }
    }
}

/// One sort key. Ties are always broken by id, ascending. A null sorts before every value
/// (first in ascending order, last in descending order), in every store.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    pub expr: Expr,
    pub descending: bool,
}

/// What to read from one kind: which rows, in which order, from where, how many.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub filter: Option<Expr>,
    pub order: Vec<OrderKey>,
    /// Keyset cursor: the sort-key values (as [`crate::Row::keys`] returned them, nulls
    /// included) and then the id of the last row already seen.
    pub after: Option<Vec<Value>>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl Query {
    pub fn filtered(filter: Expr) -> Query {
        Query {
            filter: Some(filter),
            ..Query::default()
        }
    }
}
