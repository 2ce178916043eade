//! accessd-odata: a pure parser for the OData v4 system query options as
//! Microsoft Graph clients send them (`$filter`, `$select`, `$expand`,
//! `$orderby`, `$top`, `$skip`, `$count`, `$search`, `$skiptoken`,
//! `$deltatoken`, `$levels`; `$format` is accepted and ignored).
//!
//! It turns text into the typed syntax tree of [`ast`] and never looks at any
//! entity model: property names are kept as written, and the consumers resolve
//! them and translate the tree (to SQL, for instance). No input makes it panic
//! or recurse without bound; bad input gives a [`ParseError`] saying what is
//! wrong and where.
//!
//! ```
//! use accessd_odata::{Limits, QueryOptions};
//! let q = QueryOptions::parse_query_string(
//!     "$filter=state+eq+'delivered'&$top=5&$expand=accessPackage($select=id)",
//!     &Limits::default(),
//! )
//! .unwrap();
//! assert_eq!(q.top, Some(5));
//! assert_eq!(q.filter.unwrap().to_string(), "state eq 'delivered'");
//! ```

#![warn(missing_docs)]

pub mod ast;
mod display;
pub mod error;
mod filter;
pub mod functions;
mod lex;
mod literal;
mod options;
mod query_string;
mod search;

pub use ast::{
    BinaryOp, ExpandItem, Expr, LambdaKind, Levels, Literal, OrderItem, QueryOptions, SearchExpr,
    SelectItem,
};
pub use error::{ParseError, ParseErrorKind};
pub use query_string::KNOWN_OPTIONS;

use lex::{run, unexpected, ws0};

/// Resource limits applied while parsing. Exceeding one is an error, never a
/// crash or a long computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting of parentheses, function calls, lambdas, `in` lists,
    /// unary operators (`not`, `-`, `NOT`) and `$expand` levels, counted
    /// together along one path of the tree. Default 32. Each level costs about
    /// 2 KiB of stack in release builds (about 12 KiB in debug builds), so keep
    /// this in the low hundreds at most.
    pub max_depth: usize,
    /// Maximum nesting of `$expand` (a top-level `$expand=a` is level 1,
    /// `$expand=a($expand=b)` is level 2). Default 3; 0 forbids `$expand`.
    pub max_expand_depth: usize,
    /// Maximum length in bytes of one option value after percent-decoding.
    /// Default 16 KiB.
    pub max_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_expand_depth: 3,
            max_len: 16 * 1024,
        }
    }
}

impl QueryOptions {
    /// Parses a raw URL query string (the part after `?`, still
    /// percent-encoded; a leading `?` is tolerated).
    ///
    /// Parameters whose names do not start with `$` are ignored; system query
    /// option names are case-insensitive; a repeated or unknown `$option` is an
    /// error.
    pub fn parse_query_string(raw: &str, limits: &Limits) -> Result<QueryOptions, ParseError> {
        query_string::parse(raw, limits)
    }
}

/// Parses a (percent-decoded) `$filter` value.
pub fn parse_filter(s: &str, limits: &Limits) -> Result<Expr, ParseError> {
    run("$filter", s, limits, filter::filter_complete)
}

/// Parses a (percent-decoded) `$orderby` value.
pub fn parse_orderby(s: &str, limits: &Limits) -> Result<Vec<OrderItem>, ParseError> {
    run("$orderby", s, limits, |i| {
        let items = options::orderby_list(i)?;
        ws0(i)?;
        if !i.input.is_empty() {
            return Err(unexpected(i, "',', 'asc', 'desc' or the end of the input"));
        }
        Ok(items)
    })
}

/// Parses a (percent-decoded) `$select` value.
pub fn parse_select(s: &str, limits: &Limits) -> Result<Vec<SelectItem>, ParseError> {
    run("$select", s, limits, |i| {
        let items = options::select_list(i)?;
        ws0(i)?;
        if !i.input.is_empty() {
            return Err(unexpected(i, "',' or the end of the input"));
        }
        Ok(items)
    })
}

/// Parses a (percent-decoded) `$expand` value.
pub fn parse_expand(s: &str, limits: &Limits) -> Result<Vec<ExpandItem>, ParseError> {
    run("$expand", s, limits, |i| {
        let items = options::expand_value(i)?;
        ws0(i)?;
        if !i.input.is_empty() {
            return Err(unexpected(i, "',', '(' or the end of the input"));
        }
        Ok(items)
    })
}

/// Parses a (percent-decoded) `$search` value.
pub fn parse_search(s: &str, limits: &Limits) -> Result<SearchExpr, ParseError> {
    run("$search", s, limits, search::search_complete)
}
