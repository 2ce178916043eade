//! The parser input type and the small lexical building blocks shared by every
//! grammar: whitespace, identifiers, case-insensitive keywords, single-quoted
//! strings, error construction and the nesting-depth guard.
//!
//! All parsers run over [`Input`], a winnow [`Stateful`] `&str` whose state
//! remembers the whole text (to turn error offsets into positions), the
//! [`Limits`] and the current nesting depths.

use winnow::Parser;
use winnow::ascii::Caseless;
use winnow::error::{ErrMode, ParserError};
use winnow::stream::{Stateful, Stream};
use winnow::token::{literal, take_while};

use crate::Limits;
use crate::error::{PErr, PResult, ParseError, ParseErrorKind};

/// Parser state threaded through [`Input`].
#[derive(Debug, Clone)]
pub(crate) struct State<'i> {
    /// The complete text being parsed.
    pub full: &'i str,
    /// The limits in force.
    pub limits: Limits,
    /// Current nesting of parentheses, calls, lambdas, unary operators, lists.
    pub depth: usize,
    /// Current nesting of `$expand` values (1 while parsing a top-level `$expand`).
    pub expand_depth: usize,
}

/// The input of every internal parser.
pub(crate) type Input<'i> = Stateful<&'i str, State<'i>>;

/// Creates the input for parsing `s` from its start.
pub(crate) fn new_input<'i>(s: &'i str, limits: &Limits) -> Input<'i> {
    Stateful {
        input: s,
        state: State {
            full: s,
            limits: *limits,
            depth: 0,
            expand_depth: 0,
        },
    }
}

/// Character position (0-based) of a point `remaining` bytes before the end of `full`.
pub(crate) fn char_pos(full: &str, remaining: usize) -> usize {
    let consumed = full.len().saturating_sub(remaining);
    let mut end = consumed.min(full.len());
    while !full.is_char_boundary(end) {
        end -= 1;
    }
    full[..end].chars().count()
}

/// An unrecoverable error at a point `remaining` bytes before the end.
pub(crate) fn cut_at(
    remaining: usize,
    kind: ParseErrorKind,
    msg: impl Into<String>,
) -> ErrMode<PErr> {
    ErrMode::Cut(PErr::new(remaining, kind, msg))
}

/// An unrecoverable syntax error at the current point.
pub(crate) fn syntax(i: &Input<'_>, msg: impl Into<String>) -> ErrMode<PErr> {
    cut_at(i.eof_offset(), ParseErrorKind::Syntax, msg)
}

/// A recoverable "nothing here" error at the current point.
pub(crate) fn backtrack(i: &Input<'_>) -> ErrMode<PErr> {
    ErrMode::Backtrack(PErr::from_input(i))
}

/// Runs `f` one nesting level deeper, failing with [`ParseErrorKind::TooDeep`]
/// once [`Limits::max_depth`] is exceeded. The depth is restored on every path.
pub(crate) fn nested<'i, O>(
    i: &mut Input<'i>,
    f: impl FnOnce(&mut Input<'i>) -> PResult<O>,
) -> PResult<O> {
    if i.state.depth >= i.state.limits.max_depth {
        return Err(cut_at(
            i.eof_offset(),
            ParseErrorKind::TooDeep,
            format!(
                "the expression is nested too deeply (the maximum nesting of parentheses, \
                 function calls, lambdas and unary operators is {})",
                i.state.limits.max_depth
            ),
        ));
    }
    i.state.depth += 1;
    let r = f(i);
    i.state.depth -= 1;
    r
}

/// Whitespace accepted between tokens (space, tab, CR, LF).
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Skips optional whitespace; returns how many bytes were skipped.
pub(crate) fn ws0(i: &mut Input<'_>) -> PResult<usize> {
    take_while(0.., is_ws).map(|s: &str| s.len()).parse_next(i)
}

/// Characters that may continue an identifier.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters that may start an identifier.
pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// The next character, if any.
pub(crate) fn peek_char(i: &Input<'_>) -> Option<char> {
    i.input.chars().next()
}

/// The character after the next one, if any.
pub(crate) fn peek_second(i: &Input<'_>) -> Option<char> {
    i.input.chars().nth(1)
}

/// Consumes `c` if it is next.
pub(crate) fn eat(i: &mut Input<'_>, mut c: char) -> bool {
    let r: PResult<char> = c.parse_next(i);
    r.is_ok()
}

/// Consumes the case-insensitive keyword `kw` if it is next and is not just
/// the start of a longer identifier.
pub(crate) fn keyword(i: &mut Input<'_>, kw: &'static str) -> bool {
    let cp = i.checkpoint();
    let r: PResult<&str> = literal(Caseless(kw)).parse_next(i);
    if r.is_ok() && !peek_char(i).is_some_and(is_ident_char) {
        true
    } else {
        i.reset(&cp);
        false
    }
}

/// Consumes the case-sensitive word `kw` if it is next and is followed by
/// something other than an identifier character.
pub(crate) fn exact_keyword(
    i: &mut Input<'_>,
    kw: &'static str,
    boundary: fn(char) -> bool,
) -> bool {
    let cp = i.checkpoint();
    let r: PResult<&str> = literal(kw).parse_next(i);
    if r.is_ok() && peek_char(i).is_none_or(boundary) {
        true
    } else {
        i.reset(&cp);
        false
    }
}

/// An OData identifier: a letter or `_`, then letters, digits or `_`.
pub(crate) fn identifier<'i>(i: &mut Input<'i>) -> PResult<&'i str> {
    (
        take_while(1, is_ident_start),
        take_while(0.., is_ident_char),
    )
        .take()
        .parse_next(i)
}

/// A possibly namespace-qualified name: identifiers joined by single dots
/// (`displayName`, `microsoft.graph.user`).
pub(crate) fn qualified_name<'i>(i: &mut Input<'i>) -> PResult<&'i str> {
    let start_input = i.input;
    identifier(i)?;
    loop {
        let cp = i.checkpoint();
        if eat(i, '.') && identifier(i).is_ok() {
            continue;
        }
        i.reset(&cp);
        break;
    }
    let len = start_input.len() - i.input.len();
    Ok(&start_input[..len])
}

/// A single-quoted string starting at the current point (which must be `'`),
/// with `''` unescaped to `'`. An unterminated string is a cut error pointing
/// at the opening quote.
pub(crate) fn quoted_string(i: &mut Input<'_>) -> PResult<String> {
    let open_rem = i.eof_offset();
    if !eat(i, '\'') {
        return Err(backtrack(i));
    }
    let mut out = String::new();
    loop {
        let chunk: &str = take_while(0.., |c| c != '\'').parse_next(i)?;
        out.push_str(chunk);
        if !eat(i, '\'') {
            let open_pos = crate::lex::char_pos(i.state.full, open_rem);
            return Err(cut_at(
                open_rem,
                ParseErrorKind::Syntax,
                format!(
                    "unterminated string literal: the string starting at position {open_pos} \
                     has no closing quote (write a quote inside a string as '')"
                ),
            ));
        }
        if eat(i, '\'') {
            out.push('\'');
        } else {
            return Ok(out);
        }
    }
}

/// Describes what comes next, for "found ..." parts of messages.
pub(crate) fn describe_next(i: &Input<'_>) -> String {
    describe_text(i.input)
}

/// Describes the start of `rest`: `the end of the input` or `'token'`.
pub(crate) fn describe_text(rest: &str) -> String {
    let Some(first) = rest.chars().next() else {
        return "the end of the input".to_owned();
    };
    if first == '\'' {
        let body: String = rest[1..]
            .chars()
            .take_while(|&c| c != '\'')
            .take(40)
            .collect();
        return format!("the string '{body}'");
    }
    let token: String = if is_ident_char(first) || matches!(first, '$' | '-' | '@') {
        rest.chars()
            .take_while(|&c| is_ident_char(c) || matches!(c, '$' | '-' | '.' | ':' | '+' | '@'))
            .take(40)
            .collect()
    } else if is_ws(first) {
        return "whitespace".to_owned();
    } else {
        first.to_string()
    };
    format!("'{token}'")
}

/// The error for unexpected text where `expected` should have come. A `)`
/// outside any nesting is reported as unbalanced parentheses.
pub(crate) fn unexpected(i: &Input<'_>, expected: &str) -> ErrMode<PErr> {
    if peek_char(i) == Some(')') && i.state.depth == 0 {
        return syntax(i, "unbalanced parentheses: ')' has no matching '('");
    }
    syntax(
        i,
        format!("expected {expected}, found {}", describe_next(i)),
    )
}

/// Runs a complete parse of `s` for `option`, converting internal errors into
/// a [`ParseError`] with a character position. Enforces [`Limits::max_len`].
pub(crate) fn run<O>(
    option: &str,
    s: &str,
    limits: &Limits,
    mut p: impl FnMut(&mut Input<'_>) -> PResult<O>,
) -> Result<O, ParseError> {
    check_len(option, s, limits)?;
    let mut input = new_input(s, limits);
    match p(&mut input) {
        Ok(o) => Ok(o),
        Err(e) => Err(to_parse_error(option, s, e)),
    }
}

/// Fails with [`ParseErrorKind::TooLong`] when `s` is longer than allowed.
pub(crate) fn check_len(option: &str, s: &str, limits: &Limits) -> Result<(), ParseError> {
    if s.len() > limits.max_len {
        return Err(ParseError::new(
            ParseErrorKind::TooLong,
            option,
            format!(
                "the value is too long ({} bytes; the maximum is {})",
                s.len(),
                limits.max_len
            ),
        ));
    }
    Ok(())
}

/// Converts an internal error into the public one.
pub(crate) fn to_parse_error(option: &str, full: &str, e: ErrMode<PErr>) -> ParseError {
    let e = match e {
        ErrMode::Backtrack(e) | ErrMode::Cut(e) => e,
        ErrMode::Incomplete(_) => PErr {
            remaining: 0,
            kind: ParseErrorKind::Syntax,
            message: None,
            expected: Vec::new(),
        },
    };
    let remaining = e.remaining.min(full.len());
    let rest = &full[full.len() - remaining..];
    let message = match e.message {
        Some(m) => m,
        None if e.expected.is_empty() => {
            if rest.is_empty() {
                "unexpected end of the input".to_owned()
            } else {
                format!("unexpected {}", describe_text(rest))
            }
        }
        None => format!(
            "expected {}, found {}",
            e.expected.join(" or "),
            describe_text(rest)
        ),
    };
    ParseError {
        option: option.to_owned(),
        message,
        position: Some(char_pos(full, remaining)),
        kind: e.kind,
    }
}
