//! The `$search` grammar: words, double-quoted phrases (Graph's usual form,
//! `"displayName:team"`), `NOT`, `AND` (explicit or implied by juxtaposition),
//! `OR` and parentheses. Precedence: `NOT` > `AND` > `OR`. The operators are
//! upper case, as in the OData ABNF; a lower-case `and` is just a word.
//!
//! Inside `$expand=nav(...)`, a word also stops at `;`.

use winnow::Parser;
use winnow::error::ErrMode;
use winnow::stream::Stream;
use winnow::token::{take_till, take_while};

use crate::ast::SearchExpr;
use crate::error::{PResult, ParseErrorKind};
use crate::lex::{
    Input, backtrack, cut_at, describe_next, eat, exact_keyword, is_ws, nested, peek_char, syntax,
    unexpected, ws0,
};

/// A complete `$search` value.
pub(crate) fn search_complete(i: &mut Input<'_>) -> PResult<SearchExpr> {
    ws0(i)?;
    let e = search_expr(i)?;
    ws0(i)?;
    if !i.input.is_empty() {
        return Err(unexpected(
            i,
            "'AND', 'OR', another search term or the end of the input",
        ));
    }
    Ok(e)
}

/// A search expression that must be present.
pub(crate) fn search_expr(i: &mut Input<'_>) -> PResult<SearchExpr> {
    required(i, or_expr, None)
}

fn required<'i>(
    i: &mut Input<'i>,
    mut p: impl FnMut(&mut Input<'i>) -> PResult<SearchExpr>,
    after: Option<&str>,
) -> PResult<SearchExpr> {
    match p(i) {
        Err(ErrMode::Backtrack(_)) => {
            let after = after.map(|a| format!(" after {a}")).unwrap_or_default();
            let found = if i.input.is_empty() {
                "the end of the input".to_owned()
            } else {
                describe_next(i)
            };
            Err(syntax(
                i,
                format!("expected a search term or a quoted phrase{after}, found {found}"),
            ))
        }
        other => other,
    }
}

/// Ends a search operator keyword.
fn keyword_boundary(c: char) -> bool {
    is_ws(c) || matches!(c, '(' | ')' | '"')
}

/// True at a point where a search expression must stop.
fn at_terminator(i: &Input<'_>) -> bool {
    match peek_char(i) {
        None | Some(')') => true,
        Some(';') => i.state.expand_depth > 0,
        _ => false,
    }
}

fn or_expr(i: &mut Input<'_>) -> PResult<SearchExpr> {
    let mut left = and_expr(i)?;
    loop {
        let cp = i.checkpoint();
        if ws0(i)? > 0 && exact_keyword(i, "OR", keyword_boundary) {
            ws0(i)?;
            let right = required(i, and_expr, Some("'OR'"))?;
            left = SearchExpr::Or(Box::new(left), Box::new(right));
            continue;
        }
        i.reset(&cp);
        return Ok(left);
    }
}

fn and_expr(i: &mut Input<'_>) -> PResult<SearchExpr> {
    let mut left = not_expr(i)?;
    loop {
        let cp = i.checkpoint();
        if ws0(i)? == 0 || at_terminator(i) {
            i.reset(&cp);
            return Ok(left);
        }
        // `OR` belongs to the level above.
        let before_or = i.checkpoint();
        if exact_keyword(i, "OR", keyword_boundary) {
            i.reset(&before_or);
            i.reset(&cp);
            return Ok(left);
        }
        let explicit = exact_keyword(i, "AND", keyword_boundary);
        if explicit {
            ws0(i)?;
        }
        let right = if explicit {
            required(i, not_expr, Some("'AND'"))?
        } else {
            match not_expr(i) {
                Ok(r) => r,
                Err(ErrMode::Backtrack(_)) => {
                    i.reset(&cp);
                    return Ok(left);
                }
                Err(e) => return Err(e),
            }
        };
        left = SearchExpr::And(Box::new(left), Box::new(right));
    }
}

fn not_expr(i: &mut Input<'_>) -> PResult<SearchExpr> {
    if exact_keyword(i, "NOT", keyword_boundary) {
        return nested(i, |i| {
            ws0(i)?;
            let e = required(i, not_expr, Some("'NOT'"))?;
            Ok(SearchExpr::Not(Box::new(e)))
        });
    }
    primary(i)
}

fn primary(i: &mut Input<'_>) -> PResult<SearchExpr> {
    if at_terminator(i) {
        return Err(backtrack(i));
    }
    match peek_char(i) {
        Some('(') => {
            let open_rem = i.eof_offset();
            let _ = eat(i, '(');
            nested(i, |i| {
                ws0(i)?;
                let e = required(i, or_expr, Some("'('"))?;
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
        Some('"') => phrase(i),
        _ => word(i),
    }
}

/// A double-quoted phrase; `\"` and `\\` are escapes.
fn phrase(i: &mut Input<'_>) -> PResult<SearchExpr> {
    let open_rem = i.eof_offset();
    let _ = eat(i, '"');
    let mut out = String::new();
    loop {
        let chunk: &str = take_till(0.., ['"', '\\']).parse_next(i)?;
        out.push_str(chunk);
        if eat(i, '"') {
            break;
        }
        if eat(i, '\\') {
            match peek_char(i) {
                Some(c @ ('"' | '\\')) => {
                    let _ = eat(i, c);
                    out.push(c);
                }
                _ => out.push('\\'),
            }
            continue;
        }
        let open_pos = crate::lex::char_pos(i.state.full, open_rem);
        return Err(cut_at(
            open_rem,
            ParseErrorKind::Syntax,
            format!("unterminated phrase: the '\"' at position {open_pos} has no closing '\"'"),
        ));
    }
    if out.is_empty() {
        return Err(cut_at(
            open_rem,
            ParseErrorKind::InvalidValue,
            "the search phrase \"\" is empty",
        ));
    }
    Ok(SearchExpr::Phrase(out))
}

/// A bare word: anything up to whitespace, a parenthesis or a quote.
fn word(i: &mut Input<'_>) -> PResult<SearchExpr> {
    let start_rem = i.eof_offset();
    let nested_expand = i.state.expand_depth > 0;
    let w: &str = take_while(1.., |c: char| {
        !(is_ws(c) || matches!(c, '(' | ')' | '"') || (nested_expand && c == ';'))
    })
    .parse_next(i)?;
    if w == "AND" || w == "OR" {
        return Err(cut_at(
            start_rem,
            ParseErrorKind::Syntax,
            format!("'{w}' must stand between two search terms"),
        ));
    }
    Ok(SearchExpr::Term(w.to_owned()))
}
