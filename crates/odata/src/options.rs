//! `$select`, `$orderby` and `$expand` (with the options nested in an expand
//! item's parentheses), and the scalar options `$top`, `$skip`, `$count` and
//! `$levels`.
//!
//! The list grammars stop at the first character they cannot use, so the same
//! parsers serve a whole top-level value (followed by the end of the input) and
//! a nested value inside `$expand=nav(...)` (followed by `;` or `)`).

use winnow::Parser;
use winnow::ascii::Caseless;
use winnow::error::ErrMode;
use winnow::stream::Stream;
use winnow::token::{literal, take_till};

use crate::ast::{ExpandItem, Levels, OrderItem, QueryOptions, SelectItem};
use crate::error::{PResult, ParseErrorKind};
use crate::filter::expr_required;
use crate::lex::{
    Input, cut_at, describe_next, eat, identifier, is_ident_char, keyword, nested, peek_char,
    qualified_name, syntax, unexpected, ws0,
};
use crate::search::search_expr;

/// A property path `a/b/c` (segments may be qualified names). With
/// `allow_count`, a `$count` segment is accepted; with `stop_at_ref`, the path
/// ends before `/$ref`. Backtracks when there is no name at all.
fn property_path(i: &mut Input<'_>, allow_count: bool, stop_at_ref: bool) -> PResult<Vec<String>> {
    let first = qualified_name(i)?;
    let mut segs = vec![first.to_owned()];
    while peek_char(i) == Some('/') {
        let cp = i.checkpoint();
        let _ = eat(i, '/');
        if peek_char(i) == Some('$') {
            let seg_rem = i.eof_offset();
            if stop_at_ref && dollar_word(i, "$ref") {
                i.reset(&cp);
                break;
            }
            if allow_count && dollar_word(i, "$count") {
                segs.push("$count".to_owned());
                continue;
            }
            return Err(cut_at(
                seg_rem,
                ParseErrorKind::Syntax,
                format!("{} is not supported here", describe_next(i)),
            ));
        }
        let Ok(seg) = qualified_name(i) else {
            return Err(unexpected(i, "a property name after '/'"));
        };
        segs.push(seg.to_owned());
    }
    Ok(segs)
}

/// Consumes `$word` (case-insensitive) when it is a whole word.
fn dollar_word(i: &mut Input<'_>, word: &'static str) -> bool {
    let cp = i.checkpoint();
    let r: PResult<&str> = literal(Caseless(word)).parse_next(i);
    if r.is_ok() && !peek_char(i).is_some_and(is_ident_char) {
        true
    } else {
        i.reset(&cp);
        false
    }
}

/// `*` or `path, path, ...`.
pub(crate) fn select_list(i: &mut Input<'_>) -> PResult<Vec<SelectItem>> {
    let mut items = Vec::new();
    loop {
        ws0(i)?;
        if eat(i, '*') {
            items.push(SelectItem::Star);
        } else {
            match property_path(i, false, false) {
                Ok(p) => items.push(SelectItem::Path(p)),
                Err(ErrMode::Backtrack(_)) => {
                    return Err(unexpected(i, "a property name or '*'"));
                }
                Err(e) => return Err(e),
            }
            if peek_char(i) == Some('(') {
                return Err(syntax(
                    i,
                    "options in parentheses are not supported in $select",
                ));
            }
        }
        ws0(i)?;
        if !eat(i, ',') {
            return Ok(items);
        }
    }
}

/// `path [asc|desc], ...`.
pub(crate) fn orderby_list(i: &mut Input<'_>) -> PResult<Vec<OrderItem>> {
    let mut items = Vec::new();
    loop {
        ws0(i)?;
        let start_rem = i.eof_offset();
        let path = match property_path(i, true, false) {
            Ok(p) => p,
            Err(ErrMode::Backtrack(_)) => return Err(unexpected(i, "a property name")),
            Err(e) => return Err(e),
        };
        if peek_char(i) == Some('(') {
            return Err(cut_at(
                start_rem,
                ParseErrorKind::Syntax,
                format!(
                    "$orderby accepts property paths only; '{}(' is not supported",
                    path.join("/")
                ),
            ));
        }
        let cp = i.checkpoint();
        let mut descending = false;
        if ws0(i)? > 0 {
            if keyword(i, "desc") {
                descending = true;
            } else if !keyword(i, "asc") {
                i.reset(&cp);
            }
        }
        items.push(OrderItem { path, descending });
        ws0(i)?;
        if !eat(i, ',') {
            return Ok(items);
        }
    }
}

/// A `$expand` value, one expand level deeper; enforces
/// [`Limits::max_expand_depth`](crate::Limits::max_expand_depth).
pub(crate) fn expand_value(i: &mut Input<'_>) -> PResult<Vec<ExpandItem>> {
    let max = i.state.limits.max_expand_depth;
    if i.state.expand_depth >= max {
        return Err(cut_at(
            i.eof_offset(),
            ParseErrorKind::TooDeep,
            format!(
                "$expand is nested too deeply (at most {max} {} of $expand {} allowed)",
                if max == 1 { "level" } else { "levels" },
                if max == 1 { "is" } else { "are" }
            ),
        ));
    }
    i.state.expand_depth += 1;
    let r = nested(i, expand_list);
    i.state.expand_depth -= 1;
    r
}

fn expand_list(i: &mut Input<'_>) -> PResult<Vec<ExpandItem>> {
    let mut items = Vec::new();
    loop {
        ws0(i)?;
        let item_rem = i.eof_offset();
        let path = if eat(i, '*') {
            vec!["*".to_owned()]
        } else {
            match property_path(i, false, true) {
                Ok(p) => p,
                Err(ErrMode::Backtrack(_)) => {
                    return Err(unexpected(i, "a navigation property name or '*'"));
                }
                Err(e) => return Err(e),
            }
        };
        let mut is_ref = false;
        if peek_char(i) == Some('/') {
            let cp = i.checkpoint();
            let _ = eat(i, '/');
            if dollar_word(i, "$ref") {
                is_ref = true;
            } else {
                i.reset(&cp);
                let _ = eat(i, '/');
                return Err(syntax(
                    i,
                    format!(
                        "{} is not supported here; only /$ref may end an $expand path",
                        describe_next(i)
                    ),
                ));
            }
        }
        let options = if peek_char(i) == Some('(') {
            expand_options(i)?
        } else {
            QueryOptions::default()
        };
        if is_ref
            && (options.select.is_some() || options.expand.is_some() || options.levels.is_some())
        {
            return Err(cut_at(
                item_rem,
                ParseErrorKind::Syntax,
                "$select, $expand and $levels cannot be used with /$ref",
            ));
        }
        items.push(ExpandItem {
            path,
            is_ref,
            options,
        });
        ws0(i)?;
        if !eat(i, ',') {
            return Ok(items);
        }
    }
}

/// Whether the nested option `lower` (e.g. `$select`) is already set.
fn is_set(o: &QueryOptions, lower: &str) -> bool {
    match lower {
        "$select" => o.select.is_some(),
        "$expand" => o.expand.is_some(),
        "$filter" => o.filter.is_some(),
        "$orderby" => o.orderby.is_some(),
        "$top" => o.top.is_some(),
        "$skip" => o.skip.is_some(),
        "$count" => o.count.is_some(),
        "$search" => o.search.is_some(),
        "$levels" => o.levels.is_some(),
        _ => false,
    }
}

/// Options allowed inside `$expand=nav(...)`.
pub(crate) const NESTED_OPTIONS: &str =
    "$select, $expand, $filter, $orderby, $top, $skip, $count, $search, $levels";

/// `( $option=value ; ... )` after an expand path.
fn expand_options(i: &mut Input<'_>) -> PResult<QueryOptions> {
    let open_rem = i.eof_offset();
    let _ = eat(i, '(');
    let mut opts = QueryOptions::default();
    loop {
        ws0(i)?;
        let name_rem = i.eof_offset();
        if peek_char(i) == Some(')') && opts.is_empty() {
            return Err(syntax(
                i,
                "empty parentheses: expected a query option such as $select inside '(...)'",
            ));
        }
        if !eat(i, '$') {
            return Err(unexpected(i, "a query option such as $select or $filter"));
        }
        let name = format!("${}", identifier(i).unwrap_or(""));
        let lower = name.to_ascii_lowercase();
        if !NESTED_OPTIONS.split(", ").any(|n| n == lower) {
            return Err(cut_at(
                name_rem,
                ParseErrorKind::UnknownOption,
                format!("'{name}' is not allowed inside $expand (allowed: {NESTED_OPTIONS})"),
            ));
        }
        if is_set(&opts, &lower) {
            return Err(cut_at(
                name_rem,
                ParseErrorKind::DuplicateOption,
                format!("'{lower}' is given more than once for the same $expand item"),
            ));
        }
        ws0(i)?;
        if !eat(i, '=') {
            return Err(unexpected(i, &format!("'=' after '{name}'")));
        }
        ws0(i)?;
        let mut after_value = "';' or ')'";
        match lower.as_str() {
            "$select" => opts.select = Some(select_list(i)?),
            "$expand" => opts.expand = Some(expand_value(i)?),
            "$filter" => {
                opts.filter = Some(expr_required(i, "a filter expression", Some("'$filter='"))?);
                after_value = "an operator (such as 'eq', 'and' or 'or'), ';' or ')'";
            }
            "$orderby" => opts.orderby = Some(orderby_list(i)?),
            "$search" => opts.search = Some(search_expr(i)?),
            _ => {
                let value_rem = i.eof_offset();
                let raw: &str = take_till(0.., [';', ')']).parse_next(i)?;
                let raw = raw.trim_end_matches(crate::lex::is_ws);
                let bad = |msg: String| {
                    cut_at(
                        value_rem,
                        ParseErrorKind::InvalidValue,
                        format!("invalid value for {lower}: {msg}"),
                    )
                };
                match lower.as_str() {
                    "$top" => opts.top = Some(non_negative(raw).map_err(bad)?),
                    "$skip" => opts.skip = Some(non_negative(raw).map_err(bad)?),
                    "$count" => opts.count = Some(boolean(raw).map_err(bad)?),
                    _ => opts.levels = Some(levels(raw).map_err(bad)?),
                }
            }
        }
        ws0(i)?;
        if eat(i, ';') {
            ws0(i)?;
            if eat(i, ')') {
                return Ok(opts);
            }
            continue;
        }
        if eat(i, ')') {
            return Ok(opts);
        }
        if i.input.is_empty() {
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            return Err(syntax(
                i,
                format!(
                    "expected ')' to close the '(' at position {open_pos}, found the end of the input"
                ),
            ));
        }
        return Err(unexpected(i, after_value));
    }
}

/// Quotes a user value for a message, shortened if long.
pub(crate) fn quote_value(v: &str) -> String {
    if v.is_empty() {
        return "an empty value".to_owned();
    }
    let short: String = v.chars().take(40).collect();
    if short.len() < v.len() {
        format!("'{short}...'")
    } else {
        format!("'{short}'")
    }
}

/// `$top` / `$skip`: a non-negative integer.
pub(crate) fn non_negative(v: &str) -> Result<u64, String> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a non-negative integer, found {}",
            quote_value(v)
        ));
    }
    v.parse::<u64>().map_err(|_| {
        format!(
            "{} is too large (the maximum is {})",
            quote_value(v),
            u64::MAX
        )
    })
}

/// `$count`: `true` or `false`, any case.
pub(crate) fn boolean(v: &str) -> Result<bool, String> {
    if v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(format!(
            "expected 'true' or 'false', found {}",
            quote_value(v)
        ))
    }
}

/// `$levels`: `max` (any case) or a positive integer.
pub(crate) fn levels(v: &str) -> Result<Levels, String> {
    if v.eq_ignore_ascii_case("max") {
        return Ok(Levels::Max);
    }
    match non_negative(v) {
        Ok(0) | Err(_) => Err(format!(
            "expected a positive integer or 'max', found {}",
            quote_value(v)
        )),
        Ok(n) => Ok(Levels::N(n)),
    }
}
