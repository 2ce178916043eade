//! The `$filter` expression grammar: operators and their precedence, paths,
//! function calls, lambdas, `in` lists and the literals that start with a
//! letter or a quote (numeric-looking literals live in [`crate::literal`]).
//!
//! Precedence (loosest first), per the OData ABNF: `or`, `and`, comparison
//! (`eq ne gt ge lt le has in`), additive (`add sub`), multiplicative
//! (`mul div mod`), unary (`not`, `-`), then primaries (grouping, member access,
//! lambdas, calls, literals). Binary operators are left-associative and matched
//! case-insensitively (`EQ`, `And`). Recursion only happens through
//! [`nested`], which enforces [`Limits::max_depth`](crate::Limits::max_depth).

use winnow::Parser;
use winnow::ascii::Caseless;
use winnow::combinator::opt;
use winnow::error::ErrMode;
use winnow::stream::Stream;
use winnow::token::literal;

use crate::ast::{BinaryOp, Expr, LambdaKind, Literal};
use crate::error::{PResult, ParseErrorKind};
use crate::functions::{describe_arity, lookup};
use crate::lex::{
    Input, backtrack, cut_at, describe_next, eat, identifier, is_ident_char, keyword, nested,
    peek_char, peek_second, qualified_name, quoted_string, syntax, unexpected, ws0,
};
use crate::literal::{bare_duration, bare_duration_len, guid, is_duration, numeric_literal};

/// A complete `$filter` value: the expression and then the end of the input.
pub(crate) fn filter_complete(i: &mut Input<'_>) -> PResult<Expr> {
    ws0(i)?;
    let e = expr_required(i, "a filter expression", None)?;
    ws0(i)?;
    if !i.input.is_empty() {
        return Err(unexpected(
            i,
            "an operator (such as 'eq', 'and' or 'or') or the end of the expression",
        ));
    }
    Ok(e)
}

/// Any expression (the `or` level).
pub(crate) fn expr(i: &mut Input<'_>) -> PResult<Expr> {
    binary(i, 0)
}

/// An expression that must be present: a backtrack (nothing recognisable) is
/// turned into "expected {what} [after {after}]".
pub(crate) fn expr_required(i: &mut Input<'_>, what: &str, after: Option<&str>) -> PResult<Expr> {
    required(i, expr, what, after)
}

fn required<'i>(
    i: &mut Input<'i>,
    mut p: impl FnMut(&mut Input<'i>) -> PResult<Expr>,
    what: &str,
    after: Option<&str>,
) -> PResult<Expr> {
    match p(i) {
        Err(ErrMode::Backtrack(_)) => {
            let found = if i.input.is_empty() {
                String::new()
            } else {
                format!(", found {}", describe_next(i))
            };
            let msg = match after {
                Some(a) => format!("expected {what} after {a}{found}"),
                None => format!("expected {what}{found}"),
            };
            Err(syntax(i, msg))
        }
        other => other,
    }
}

/// Binary operator keywords (`in` is handled separately).
const OPERATORS: &[(&str, BinaryOp)] = &[
    ("or", BinaryOp::Or),
    ("and", BinaryOp::And),
    ("eq", BinaryOp::Eq),
    ("ne", BinaryOp::Ne),
    ("gt", BinaryOp::Gt),
    ("ge", BinaryOp::Ge),
    ("lt", BinaryOp::Lt),
    ("le", BinaryOp::Le),
    ("has", BinaryOp::Has),
    ("add", BinaryOp::Add),
    ("sub", BinaryOp::Sub),
    ("mul", BinaryOp::Mul),
    ("div", BinaryOp::Div),
    ("mod", BinaryOp::Mod),
];

/// Precedence of `in` (the comparison level).
const IN_PRECEDENCE: u8 = 3;

/// The operator following the operand, if any: `Some(None)` is `in`.
fn operator(i: &mut Input<'_>) -> Option<Option<(&'static str, BinaryOp)>> {
    if keyword(i, "in") {
        return Some(None);
    }
    OPERATORS
        .iter()
        .find(|(kw, _)| keyword(i, kw))
        .map(|&(kw, op)| Some((kw, op)))
}

/// Precedence climbing: parses operators binding at least as tightly as
/// `min_prec`. Operators of equal precedence are handled by the loop
/// (left-associative); recursion only goes to a strictly tighter level, so its
/// depth per nesting level is bounded by the number of precedence levels.
fn binary(i: &mut Input<'_>, min_prec: u8) -> PResult<Expr> {
    let mut left = unary(i)?;
    loop {
        let cp = i.checkpoint();
        ws0(i)?;
        let op_rem = i.eof_offset();
        let Some(op) = operator(i) else {
            i.reset(&cp);
            return Ok(left);
        };
        let prec = op.map_or(IN_PRECEDENCE, |(_, op)| op.precedence());
        if prec < min_prec {
            i.reset(&cp);
            return Ok(left);
        }
        ws0(i)?;
        left = match op {
            None => Expr::In {
                expr: Box::new(left),
                list: in_list(i, op_rem)?,
            },
            Some((kw, op)) => {
                let right = required(
                    i,
                    |i| binary(i, prec + 1),
                    "an expression",
                    Some(&format!("'{kw}'")),
                )?;
                Expr::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
        };
    }
}

/// `( expr, expr, ... )` after `in`.
fn in_list(i: &mut Input<'_>, op_rem: usize) -> PResult<Vec<Expr>> {
    if !eat(i, '(') {
        return Err(cut_at(
            op_rem,
            ParseErrorKind::Syntax,
            format!(
                "expected a parenthesized list after 'in', e.g. state in ('delivered','expired'), \
                 found {}",
                describe_next(i)
            ),
        ));
    }
    let open_rem = i.eof_offset() + 1;
    nested(i, |i| {
        ws0(i)?;
        if eat(i, ')') {
            return Err(cut_at(
                op_rem,
                ParseErrorKind::Syntax,
                "the list after 'in' is empty",
            ));
        }
        let mut list = Vec::new();
        loop {
            list.push(expr_required(
                i,
                "a value",
                Some("'(' or ',' in the 'in' list"),
            )?);
            ws0(i)?;
            if eat(i, ',') {
                ws0(i)?;
                continue;
            }
            if eat(i, ')') {
                return Ok(list);
            }
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            return Err(unexpected(
                i,
                &format!("',' or ')' to close the 'in' list opened at position {open_pos}"),
            ));
        }
    })
}

/// `not x`, `-x`, or a primary.
fn unary(i: &mut Input<'_>) -> PResult<Expr> {
    if keyword(i, "not") {
        return nested(i, |i| {
            ws0(i)?;
            let e = required(i, unary, "an expression", Some("'not'"))?;
            Ok(Expr::Not(Box::new(e)))
        });
    }
    if peek_char(i) == Some('-') {
        let second = peek_second(i);
        let literal_follows = second.is_some_and(|c| c.is_ascii_digit())
            || (second == Some('P') && bare_duration_len(i.input).is_some());
        if !literal_follows {
            let _ = eat(i, '-');
            return nested(i, |i| {
                ws0(i)?;
                let e = required(i, unary, "an expression", Some("'-'"))?;
                Ok(Expr::Negate(Box::new(e)))
            });
        }
    }
    primary(i)
}

/// Grouping, literals, paths, calls and lambdas.
fn primary(i: &mut Input<'_>) -> PResult<Expr> {
    match peek_char(i) {
        None => Err(backtrack(i)),
        Some('(') => group(i),
        Some('\'') => Ok(Expr::Literal(Literal::String(quoted_string(i)?))),
        Some('@') => Err(syntax(
            i,
            format!(
                "parameter aliases such as {} are not supported; write the value inline",
                describe_next(i)
            ),
        )),
        Some(c) if c.is_ascii_digit() || c == '-' => Ok(Expr::Literal(numeric_literal(i)?)),
        Some('$') => dollar_path(i),
        Some(c) if c.is_alphabetic() || c == '_' => word_primary(i),
        Some(_) => Err(backtrack(i)),
    }
}

/// `( expr )`.
fn group(i: &mut Input<'_>) -> PResult<Expr> {
    let open_rem = i.eof_offset();
    let _ = eat(i, '(');
    nested(i, |i| {
        ws0(i)?;
        let e = expr_required(i, "an expression", Some("'('"))?;
        ws0(i)?;
        if eat(i, ')') {
            Ok(e)
        } else {
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            Err(unexpected(
                i,
                &format!("')' to close the '(' at position {open_pos}"),
            ))
        }
    })
}

/// A path starting with `$it` or `$this`.
fn dollar_path(i: &mut Input<'_>) -> PResult<Expr> {
    let start_rem = i.eof_offset();
    let _ = eat(i, '$');
    let name = identifier(i).unwrap_or("");
    let segment = match name.to_ascii_lowercase().as_str() {
        "it" => "$it",
        "this" => "$this",
        _ => {
            return Err(cut_at(
                start_rem,
                ParseErrorKind::Syntax,
                format!("'${name}' is not supported in an expression"),
            ));
        }
    };
    path_rest(i, vec![segment.to_owned()])
}

fn literal_keyword(i: &mut Input<'_>, kw: &'static str) -> bool {
    let cp = i.checkpoint();
    if keyword(i, kw) && !matches!(peek_char(i), Some('/' | '.' | '(' | '\'')) {
        true
    } else {
        i.reset(&cp);
        false
    }
}

/// Everything that starts with a letter or `_`: GUIDs starting with a-f,
/// bare durations, `true`/`false`/`null`, `duration'...'`, enum literals,
/// function calls, lambdas and property paths.
fn word_primary(i: &mut Input<'_>) -> PResult<Expr> {
    if peek_char(i).is_some_and(|c| c.is_ascii_hexdigit())
        && let Some(g) = opt(guid).parse_next(i)?
    {
        return Ok(Expr::Literal(Literal::Guid(g)));
    }
    if peek_char(i) == Some('P')
        && let Some(d) = opt(bare_duration).parse_next(i)?
    {
        return Ok(Expr::Literal(d));
    }
    if literal_keyword(i, "true") {
        return Ok(Expr::Literal(Literal::Bool(true)));
    }
    if literal_keyword(i, "false") {
        return Ok(Expr::Literal(Literal::Bool(false)));
    }
    if literal_keyword(i, "null") {
        return Ok(Expr::Literal(Literal::Null));
    }
    let start_rem = i.eof_offset();
    let cp = i.checkpoint();
    let name = qualified_name(i)?;
    // A logical or comparison keyword where an operand should be (`a and or b`)
    // is a missing operand, not a property named `or`.
    if RESERVED_IN_OPERAND
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
        && peek_char(i).is_some_and(crate::lex::is_ws)
    {
        i.reset(&cp);
        return Err(backtrack(i));
    }
    match peek_char(i) {
        Some('\'') => prefixed_literal(i, name, start_rem),
        Some('(') => call(i, name, start_rem),
        _ => path_rest(i, vec![name.to_owned()]),
    }
}

/// Operator words that cannot start an operand when followed by whitespace.
const RESERVED_IN_OPERAND: &[&str] = &["and", "or", "eq", "ne", "gt", "ge", "lt", "le"];

/// `name'...'`: `duration'P1D'`, or an enum `microsoft.graph.x'member'`.
fn prefixed_literal(i: &mut Input<'_>, name: &str, start_rem: usize) -> PResult<Expr> {
    let text_rem = i.eof_offset();
    let text = quoted_string(i)?;
    if name.eq_ignore_ascii_case("duration") {
        if is_duration(&text) {
            return Ok(Expr::Literal(Literal::Duration(text)));
        }
        return Err(cut_at(
            text_rem,
            ParseErrorKind::InvalidValue,
            format!(
                "'{text}' is not a valid duration (use days, hours, minutes and seconds, \
                 e.g. duration'P1DT2H30M')"
            ),
        ));
    }
    if name.contains('.') {
        if text.is_empty() {
            return Err(cut_at(
                text_rem,
                ParseErrorKind::InvalidValue,
                format!("the enum value of type '{name}' is empty"),
            ));
        }
        return Ok(Expr::Literal(Literal::Enum {
            type_name: name.to_owned(),
            member: text,
        }));
    }
    let hint = match name.to_ascii_lowercase().as_str() {
        "guid" => " (write GUIDs without quotes, e.g. 5e9d9c6a-1111-2222-3333-444455556666)",
        "datetime" | "datetimeoffset" => {
            " (write date-times without quotes, e.g. 2024-01-01T00:00:00Z)"
        }
        _ => " (enum values need a qualified type name, e.g. namespace.enumType'member')",
    };
    Err(cut_at(
        start_rem,
        ParseErrorKind::Syntax,
        format!("'{name}' cannot be followed by a quoted string{hint}"),
    ))
}

/// `name(args...)`: a built-in function call.
fn call(i: &mut Input<'_>, name: &str, start_rem: usize) -> PResult<Expr> {
    let lower = name.to_ascii_lowercase();
    let Some(spec) = lookup(&lower) else {
        if lower == "any" || lower == "all" {
            return Err(cut_at(
                start_rem,
                ParseErrorKind::Syntax,
                format!(
                    "'{name}' must follow a collection path, e.g. members/{lower}(m: m/id eq '...')"
                ),
            ));
        }
        return Err(cut_at(
            start_rem,
            ParseErrorKind::UnknownFunction,
            format!("unknown function '{name}'"),
        ));
    };
    let open_rem = i.eof_offset();
    let _ = eat(i, '(');
    let args = nested(i, |i| {
        let mut args = Vec::new();
        ws0(i)?;
        if eat(i, ')') {
            return Ok(args);
        }
        loop {
            let after = if args.is_empty() {
                format!("'{name}('")
            } else {
                "','".to_owned()
            };
            args.push(expr_required(i, "an argument", Some(&after))?);
            ws0(i)?;
            if eat(i, ',') {
                ws0(i)?;
                continue;
            }
            if eat(i, ')') {
                return Ok(args);
            }
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            return Err(unexpected(
                i,
                &format!("',' or ')' to close the call to '{name}' opened at position {open_pos}"),
            ));
        }
    })?;
    if args.len() < spec.min_args || args.len() > spec.max_args {
        return Err(cut_at(
            start_rem,
            ParseErrorKind::WrongArity,
            format!(
                "function '{name}' takes {} but {} {} given",
                describe_arity(spec),
                args.len(),
                if args.len() == 1 { "was" } else { "were" }
            ),
        ));
    }
    Ok(Expr::Call { name: lower, args })
}

/// The `/segment...` continuation of a path whose first segment is in `segs`;
/// ends in a lambda when a segment is `any(` or `all(`.
fn path_rest(i: &mut Input<'_>, mut segs: Vec<String>) -> PResult<Expr> {
    while peek_char(i) == Some('/') {
        let _ = eat(i, '/');
        let seg_rem = i.eof_offset();
        if peek_char(i) == Some('$') {
            let r: PResult<&str> = literal(Caseless("$count")).parse_next(i);
            if r.is_ok() && !peek_char(i).is_some_and(is_ident_char) {
                segs.push("$count".to_owned());
                continue;
            }
            return Err(cut_at(
                seg_rem,
                ParseErrorKind::Syntax,
                format!("{} is not supported in a path", describe_next(i)),
            ));
        }
        let Ok(seg) = qualified_name(i) else {
            return Err(unexpected(i, "a property name after '/'"));
        };
        if peek_char(i) == Some('(') {
            let kind = if seg.eq_ignore_ascii_case("any") {
                LambdaKind::Any
            } else if seg.eq_ignore_ascii_case("all") {
                LambdaKind::All
            } else {
                return Err(cut_at(
                    seg_rem,
                    ParseErrorKind::Syntax,
                    format!(
                        "'{seg}(' is not supported: only any() and all() may follow a path \
                         (functions take the path as an argument, e.g. startswith(a/b,'x'))"
                    ),
                ));
            };
            return lambda(i, segs, kind, seg);
        }
        segs.push(seg.to_owned());
    }
    Ok(Expr::Path(segs))
}

/// `any(x: predicate)`, `all(x: predicate)` or `any()`, after the path.
fn lambda(i: &mut Input<'_>, collection: Vec<String>, kind: LambdaKind, kw: &str) -> PResult<Expr> {
    let open_rem = i.eof_offset();
    let _ = eat(i, '(');
    nested(i, |i| {
        ws0(i)?;
        if eat(i, ')') {
            if kind == LambdaKind::All {
                return Err(syntax(
                    i,
                    format!("{kw}() needs a predicate, e.g. members/{kw}(m: m/id ne '...')"),
                ));
            }
            return Ok(Expr::Lambda {
                collection,
                kind,
                variable: None,
                predicate: None,
            });
        }
        let Ok(var) = identifier(i) else {
            return Err(unexpected(
                i,
                &format!(
                    "a range variable name after '{kw}(', e.g. members/{kw}(m: m/id eq '...')"
                ),
            ));
        };
        ws0(i)?;
        if !eat(i, ':') {
            return Err(unexpected(
                i,
                &format!("':' after the range variable '{var}'"),
            ));
        }
        ws0(i)?;
        let predicate = expr_required(i, "a predicate", Some(&format!("'{var}:'")))?;
        ws0(i)?;
        if !eat(i, ')') {
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            return Err(unexpected(
                i,
                &format!("')' to close '{kw}(' opened at position {open_pos}"),
            ));
        }
        Ok(Expr::Lambda {
            collection,
            kind,
            variable: Some(var.to_owned()),
            predicate: Some(Box::new(predicate)),
        })
    })
}
