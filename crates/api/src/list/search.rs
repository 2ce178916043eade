//! `$search`. Graph documents it for directory objects (`$search="displayName:team"`, tokenized:
//! a word of the property starts with the term) and for none of the entitlement-management
//! entities, which answer 400 (beta has its own `Search()` function instead). accessd does the
//! same; `--permissive-queries` also lets the EM entities be searched, on `displayName` when a
//! term names no property.

use accessd_domain::query::{Expr, Func, Value};
use accessd_odata::SearchExpr;

use super::props::{self, At, PType};
use super::translate::bad_query;
use crate::Dialect;
use crate::error::ApiError;
use crate::path::EKind;

pub fn search(d: Dialect, kind: EKind, permissive: bool, s: &SearchExpr) -> Result<Expr, ApiError> {
    if !kind.is_directory() && !permissive {
        return Err(bad_query(format!(
            "Query option 'Search' is not allowed: Microsoft Graph supports no $search on '{}'. (accessd answers as Graph does; start it with --permissive-queries to allow it.)",
            props::type_name(kind)
        )));
    }
    expr(d, kind, s, 0)
}

fn expr(d: Dialect, kind: EKind, s: &SearchExpr, depth: usize) -> Result<Expr, ApiError> {
    if depth > 32 {
        return Err(bad_query("$search is nested too deeply."));
    }
    Ok(match s {
        SearchExpr::And(a, b) => Expr::And(vec![
            expr(d, kind, a, depth + 1)?,
            expr(d, kind, b, depth + 1)?,
        ]),
        SearchExpr::Or(a, b) => Expr::Or(vec![
            expr(d, kind, a, depth + 1)?,
            expr(d, kind, b, depth + 1)?,
        ]),
        SearchExpr::Not(a) => Expr::Not(Box::new(expr(d, kind, a, depth + 1)?)),
        SearchExpr::Term(t) | SearchExpr::Phrase(t) => term(d, kind, t)?,
    })
}

fn term(d: Dialect, kind: EKind, t: &str) -> Result<Expr, ApiError> {
    let (prop, value) = match t.split_once(':') {
        Some((p, v)) => (p.trim(), v.trim()),
        None if !kind.is_directory() => ("displayName", t.trim()),
        None => {
            return Err(bad_query(format!(
                "Invalid $search '{t}': search directory objects as \"property:value\", e.g. \"displayName:team\"."
            )));
        }
    };
    let x = props::entry(d, kind, prop)
        .filter(|x| matches!(x.ty, PType::Text) && !matches!(x.at, At::Via(..)))
        .ok_or_else(|| {
            bad_query(format!(
                "The property '{prop}' of '{}' cannot be searched.",
                props::type_name(kind)
            ))
        })?;
    let target = match x.at {
        At::Col(c) => Expr::Column(c),
        At::Doc(p) => Expr::Doc(
            p.iter().map(|s| s.to_string()).collect(),
            accessd_domain::ValueType::Text,
        ),
        At::Via(..) => return Err(bad_query("unsupported search property")),
    };
    if value.is_empty() {
        return Ok(Expr::True);
    }
    // Tokenized: the value or a word of it starts with the term.
    Ok(Expr::Or(vec![
        Expr::Call(
            Func::StartsWith,
            vec![target.clone(), Expr::Lit(Value::Text(value.to_string()))],
        ),
        Expr::Call(
            Func::Contains,
            vec![target, Expr::Lit(Value::Text(format!(" {value}")))],
        ),
    ]))
}
