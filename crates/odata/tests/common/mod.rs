//! Shared helpers for the integration tests: a compact one-line rendering of
//! trees and errors, so that each expect-test case fits on one line.

#![allow(dead_code)]

use accessd_odata::{Expr, LambdaKind, Limits, ParseError, parse_filter};

/// `(op left right)` style rendering that makes the tree shape explicit.
pub fn sexpr(e: &Expr) -> String {
    match e {
        Expr::Literal(l) => format!("{l:?}"),
        Expr::Path(p) => p.join("/"),
        Expr::Binary { op, left, right } => {
            format!("({} {} {})", op.keyword(), sexpr(left), sexpr(right))
        }
        Expr::Not(x) => format!("(not {})", sexpr(x)),
        Expr::Negate(x) => format!("(- {})", sexpr(x)),
        Expr::In { expr, list } => format!(
            "(in {} [{}])",
            sexpr(expr),
            list.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        Expr::Call { name, args } => format!(
            "{name}({})",
            args.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        Expr::Lambda {
            collection,
            kind,
            variable,
            predicate,
        } => {
            let kw = match kind {
                LambdaKind::Any => "any",
                LambdaKind::All => "all",
            };
            match (variable, predicate) {
                (Some(v), Some(p)) => format!("({kw} {} {v}: {})", collection.join("/"), sexpr(p)),
                _ => format!("({kw} {})", collection.join("/")),
            }
        }
    }
}

pub fn err(e: &ParseError) -> String {
    format!("ERR {:?}: {e}", e.kind)
}

/// Parses a filter; on success also checks that the canonical text parses
/// back to the same tree.
pub fn filter(s: &str) -> String {
    filter_with(s, &Limits::default())
}

pub fn filter_with(s: &str, limits: &Limits) -> String {
    match parse_filter(s, limits) {
        Ok(e) => {
            let text = e.to_string();
            let again = parse_filter(&text, limits)
                .unwrap_or_else(|err| panic!("canonical text {text:?} does not parse: {err}"));
            assert_eq!(again, e, "canonical text {text:?} parses differently");
            sexpr(&e)
        }
        Err(e) => err(&e),
    }
}
