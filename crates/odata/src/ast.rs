//! The typed syntax tree produced by the parsers: [`QueryOptions`] and everything
//! it contains ([`Expr`], [`Literal`], [`OrderItem`], [`SelectItem`],
//! [`ExpandItem`], [`Levels`], [`SearchExpr`]).
//!
//! The tree is purely syntactic: property names are kept exactly as written
//! (case preserved) and are not checked against any model. Consumers resolve
//! them and decide what is supported.

/// All system query options of one request (or of one `$expand` item).
///
/// Every field is `None` when the option was not given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOptions {
    /// `$filter`.
    pub filter: Option<Expr>,
    /// `$select` (`*` or a list of property paths).
    pub select: Option<Vec<SelectItem>>,
    /// `$expand`.
    pub expand: Option<Vec<ExpandItem>>,
    /// `$orderby`.
    pub orderby: Option<Vec<OrderItem>>,
    /// `$top`.
    pub top: Option<u64>,
    /// `$skip`.
    pub skip: Option<u64>,
    /// `$count`.
    pub count: Option<bool>,
    /// `$search`.
    pub search: Option<SearchExpr>,
    /// `$skiptoken`: opaque, passed through as decoded text.
    pub skiptoken: Option<String>,
    /// `$deltatoken`: opaque, passed through as decoded text.
    pub deltatoken: Option<String>,
    /// `$levels`: only meaningful inside `$expand`; accepted at the top level
    /// too so that the consumer can give its own error.
    pub levels: Option<Levels>,
}

impl QueryOptions {
    /// True when no option at all is set.
    pub fn is_empty(&self) -> bool {
        *self == QueryOptions::default()
    }
}

/// A `$filter` expression (also used for function arguments, lambda predicates
/// and the items of an `in` list).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal value.
    Literal(Literal),
    /// Member access `a/b/c`, segments as written (case preserved). A lambda
    /// variable is just the first segment (`x/id`). Type-cast segments keep their
    /// dots (`microsoft.graph.user`); `$count`, `$it` and `$this` appear as such.
    Path(Vec<String>),
    /// A binary operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `not expr`.
    Not(Box<Expr>),
    /// `-expr` (a minus written directly before a number is folded into the
    /// literal instead: `-5` is `Literal(Int(-5))`).
    Negate(Box<Expr>),
    /// `expr in (a, b, ...)`.
    In {
        /// The tested expression.
        expr: Box<Expr>,
        /// The list (never empty).
        list: Vec<Expr>,
    },
    /// A built-in function call; `name` is lower-cased and has been checked
    /// against the known functions and their arity.
    Call {
        /// Lower-cased function name, e.g. `startswith`.
        name: String,
        /// Arguments in order.
        args: Vec<Expr>,
    },
    /// `collection/any(x: predicate)`, `collection/all(x: predicate)` or
    /// `collection/any()`.
    Lambda {
        /// The collection path (segments before `/any`).
        collection: Vec<String>,
        /// `any` or `all`.
        kind: LambdaKind,
        /// The range variable (`None` only for `any()`).
        variable: Option<String>,
        /// The predicate (`None` only for `any()`).
        predicate: Option<Box<Expr>>,
    },
}

/// Binary operators of `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `and`
    And,
    /// `or`
    Or,
    /// `has`
    Has,
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

impl BinaryOp {
    /// The operator keyword as OData writes it (lower case).
    pub fn keyword(self) -> &'static str {
        match self {
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Has => "has",
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Mod => "mod",
        }
    }

    /// Binding power: higher binds tighter (`or` = 1 ... `mul` = 5).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Has => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 5,
        }
    }
}

/// The two lambda operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LambdaKind {
    /// `any`
    Any,
    /// `all`
    All,
}

/// Literal values of `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A number with a fraction or an exponent (`1.5`, `1e3`).
    Decimal(f64),
    /// A single-quoted string, `''` already unescaped.
    String(String),
    /// A bare GUID `5e9d9c6a-1111-2222-3333-444455556666`.
    Guid(uuid::Uuid),
    /// A bare date-time with offset `2024-01-01T00:00:00Z`.
    DateTimeOffset(chrono::DateTime<chrono::FixedOffset>),
    /// A bare date `2024-01-01`.
    Date(chrono::NaiveDate),
    /// A bare time of day `13:45:00`.
    TimeOfDay(chrono::NaiveTime),
    /// A duration, ISO 8601 text as written and validated (`P1DT2H`), from
    /// `duration'P1DT2H'` or bare `P1DT2H`.
    Duration(String),
    /// An enum member `microsoft.graph.someEnum'member'`.
    Enum {
        /// Qualified type name as written.
        type_name: String,
        /// Member text as written (may be a comma-separated flags list).
        member: String,
    },
}

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderItem {
    /// Property path, segments as written.
    pub path: Vec<String>,
    /// `desc` was given (`asc` is the default).
    pub descending: bool,
}

/// One `$select` item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectItem {
    /// `*`
    Star,
    /// A property path, segments as written.
    Path(Vec<String>),
}

/// One `$expand` item.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpandItem {
    /// Navigation path, segments as written, or `["*"]`.
    pub path: Vec<String>,
    /// The item ended in `/$ref`.
    pub is_ref: bool,
    /// Nested options written in parentheses (`$select`, `$expand`, `$filter`,
    /// `$orderby`, `$top`, `$skip`, `$count`, `$search`, `$levels`); empty when
    /// none were given.
    pub options: QueryOptions,
}

/// The value of `$levels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Levels {
    /// `max`
    Max,
    /// A positive number of levels.
    N(u64),
}

/// A `$search` expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchExpr {
    /// A bare word.
    Term(String),
    /// A double-quoted phrase, escapes removed. Graph's property-scoped form
    /// `"displayName:team"` is a phrase too; the consumer interprets the colon.
    Phrase(String),
    /// `a AND b`, or two terms next to each other.
    And(Box<SearchExpr>, Box<SearchExpr>),
    /// `a OR b`.
    Or(Box<SearchExpr>, Box<SearchExpr>),
    /// `NOT a`.
    Not(Box<SearchExpr>),
}
