//! Bare literals of `$filter` that start with a digit, a minus sign or a hex
//! letter: GUIDs, date-times, dates, times of day, integers, decimals and
//! durations, plus the validation of duration text.
//!
//! Order matters and is the answer to the GUID / number / identifier ambiguity:
//! a GUID is tried first (so `5e9d9c6a-...` is not the number `5e9` followed by
//! junk, and `abcdef01-...` is not a property path), then date-times and dates,
//! then times of day, then numbers, then durations. Every literal must end at a
//! boundary (not followed by a letter, digit, `_`, `.`, `:`, `-` or `'`), so
//! `1abc` is an error rather than `1` followed by `abc`.

use chrono::{FixedOffset, NaiveDate, NaiveTime};
use winnow::Parser;
use winnow::combinator::{alt, opt};
use winnow::error::ErrMode;
use winnow::stream::Stream;
use winnow::token::{one_of, take_while};

use crate::ast::Literal;
use crate::error::{PResult, ParseErrorKind};
use crate::lex::{Input, backtrack, cut_at, is_ident_char, peek_char};

/// Characters that would make a literal run on (so the literal is malformed).
fn is_literal_continuation(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '-' | '\'')
}

/// True when the next character cannot continue a literal.
fn at_boundary(i: &Input<'_>) -> bool {
    !peek_char(i).is_some_and(is_literal_continuation)
}

/// The literal-looking run at the start of `s`, for error messages.
pub(crate) fn token_at(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(idx, c)| !(is_literal_continuation(c) || (c == '+' && idx > 0)))
        .map_or(s.len(), |(idx, _)| idx);
    let token = &s[..end];
    // Keep messages short.
    match token.char_indices().nth(60) {
        Some((cut, _)) => &token[..cut],
        None => token,
    }
}

fn digits<'i>(n: usize) -> impl Parser<Input<'i>, &'i str, ErrMode<crate::error::PErr>> {
    take_while(n, |c: char| c.is_ascii_digit())
}

fn digit1<'i>(i: &mut Input<'i>) -> PResult<&'i str> {
    take_while(1.., |c: char| c.is_ascii_digit()).parse_next(i)
}

fn hex<'i>(n: usize) -> impl Parser<Input<'i>, &'i str, ErrMode<crate::error::PErr>> {
    take_while(n, |c: char| c.is_ascii_hexdigit())
}

/// A bare GUID `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex, any case).
pub(crate) fn guid(i: &mut Input<'_>) -> PResult<uuid::Uuid> {
    let cp = i.checkpoint();
    let text = (hex(8), '-', hex(4), '-', hex(4), '-', hex(4), '-', hex(12))
        .take()
        .parse_next(i)?;
    if !at_boundary(i) {
        i.reset(&cp);
        return Err(backtrack(i));
    }
    match uuid::Uuid::parse_str(text) {
        Ok(u) => Ok(u),
        Err(_) => {
            i.reset(&cp);
            Err(backtrack(i))
        }
    }
}

/// `HH:MM[:SS[.fffffffff]]` → (hour, minute, second, nanoseconds).
fn time_parts(i: &mut Input<'_>) -> PResult<(u32, u32, u32, u32)> {
    let (h, _, m) = (digits(2), ':', digits(2)).parse_next(i)?;
    let sec = opt((
        ':',
        digits(2),
        opt(('.', take_while(1..=12, |c: char| c.is_ascii_digit()))),
    ))
    .parse_next(i)?;
    let (s, nanos) = match sec {
        None => (0, 0),
        Some((_, s, frac)) => (s.parse().unwrap_or(99), frac.map_or(0, |(_, f)| nanos(f))),
    };
    Ok((h.parse().unwrap_or(99), m.parse().unwrap_or(99), s, nanos))
}

/// Fractional-second digits to nanoseconds (digits past the ninth are dropped).
fn nanos(frac: &str) -> u32 {
    let mut n: u32 = 0;
    for (idx, b) in frac.bytes().take(9).enumerate() {
        n += u32::from(b - b'0') * 10u32.pow(8 - idx as u32);
    }
    n
}

/// A bare date `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:MM[:SS[.f]](Z|±HH:MM)`.
fn date_or_datetime(i: &mut Input<'_>) -> PResult<Literal> {
    let start_rem = i.eof_offset();
    let start_input = i.input;
    let (y, _, mo, _, d) = (digits(4), '-', digits(2), '-', digits(2)).parse_next(i)?;
    let invalid = |what: &str| {
        cut_at(
            start_rem,
            ParseErrorKind::InvalidValue,
            format!("'{}' is not a valid {what}", token_at(start_input)),
        )
    };
    let date = NaiveDate::from_ymd_opt(
        y.parse().unwrap_or(0),
        mo.parse().unwrap_or(0),
        d.parse().unwrap_or(0),
    );
    if !matches!(peek_char(i), Some('T' | 't')) {
        if !at_boundary(i) {
            return Err(invalid("literal"));
        }
        return date.map(Literal::Date).ok_or_else(|| invalid("date"));
    }
    let _ = winnow::token::any::<_, ErrMode<crate::error::PErr>>.parse_next(i)?;
    let Ok((h, m, s, n)) = time_parts(i) else {
        return Err(invalid("date-time"));
    };
    let offset_secs: i32 = match peek_char(i) {
        Some('Z' | 'z') => {
            let _ = winnow::token::any::<_, ErrMode<crate::error::PErr>>.parse_next(i)?;
            0
        }
        Some(sign @ ('+' | '-')) => {
            let r = (one_of(['+', '-']), digits(2), ':', digits(2)).parse_next(i);
            let Ok((_, oh, _, om)) = r else {
                return Err(invalid("date-time"));
            };
            let secs =
                oh.parse::<i32>().unwrap_or(99) * 3600 + om.parse::<i32>().unwrap_or(99) * 60;
            if sign == '-' { -secs } else { secs }
        }
        _ => {
            let written = &start_input[..start_input.len() - i.input.len()];
            return Err(cut_at(
                start_rem,
                ParseErrorKind::InvalidValue,
                format!(
                    "the date-time '{written}' has no time zone: add 'Z' or an offset such as \
                     +02:00 (in a URL, write '+' as %2B)"
                ),
            ));
        }
    };
    if !at_boundary(i) {
        return Err(invalid("literal"));
    }
    let time = NaiveTime::from_hms_nano_opt(h, m, s, n);
    let offset = if offset_secs.abs() <= 14 * 3600 {
        FixedOffset::east_opt(offset_secs)
    } else {
        None
    };
    match (date, time, offset) {
        (Some(date), Some(time), Some(offset)) => date
            .and_time(time)
            .and_local_timezone(offset)
            .single()
            .map(Literal::DateTimeOffset)
            .ok_or_else(|| invalid("date-time")),
        _ => Err(invalid("date-time")),
    }
}

/// A bare time of day `HH:MM[:SS[.f]]`.
fn time_of_day(i: &mut Input<'_>) -> PResult<Literal> {
    let start_rem = i.eof_offset();
    let start_input = i.input;
    let (h, m, s, n) = time_parts(i)?;
    if !at_boundary(i) {
        return Err(backtrack(i));
    }
    NaiveTime::from_hms_nano_opt(h, m, s, n)
        .map(Literal::TimeOfDay)
        .ok_or_else(|| {
            cut_at(
                start_rem,
                ParseErrorKind::InvalidValue,
                format!("'{}' is not a valid time of day", token_at(start_input)),
            )
        })
}

/// An integer (`i64`) or decimal (`1.5`, `1e3`, `-2.5E-3`).
fn number(i: &mut Input<'_>) -> PResult<Literal> {
    let start_rem = i.eof_offset();
    let (text, (_, _, frac, exp)) = (
        opt('-'),
        digit1,
        opt(('.', digit1)),
        opt((one_of(['e', 'E']), opt(one_of(['+', '-'])), digit1)),
    )
        .with_taken()
        .map(|(parts, text)| (text, parts))
        .parse_next(i)?;
    if !at_boundary(i) {
        return Err(backtrack(i));
    }
    if frac.is_some() || exp.is_some() {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Literal::Decimal(v)),
            _ => Err(cut_at(
                start_rem,
                ParseErrorKind::InvalidValue,
                format!("the number '{text}' is out of range"),
            )),
        }
    } else {
        text.parse::<i64>().map(Literal::Int).map_err(|_| {
            cut_at(
                start_rem,
                ParseErrorKind::InvalidValue,
                format!(
                    "the integer '{text}' is out of range (integers must be between {} and {})",
                    i64::MIN,
                    i64::MAX
                ),
            )
        })
    }
}

/// Length of the OData duration (`[-]P[nD][T[nH][nM][n[.n]S]]`, at least one
/// component) at the start of `s`, if there is one.
pub(crate) fn duration_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut p = 0;
    if b.first() == Some(&b'-') {
        p += 1;
    }
    if b.get(p) != Some(&b'P') {
        return None;
    }
    p += 1;
    let digits_at = |p: usize| {
        b[p.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut any = false;
    let n = digits_at(p);
    if n > 0 && b.get(p + n) == Some(&b'D') {
        p += n + 1;
        any = true;
    }
    if b.get(p) == Some(&b'T') {
        p += 1;
        let mut any_time = false;
        for unit in [b'H', b'M'] {
            let n = digits_at(p);
            if n > 0 && b.get(p + n) == Some(&unit) {
                p += n + 1;
                any_time = true;
            }
        }
        let n = digits_at(p);
        if n > 0 {
            let mut q = p + n;
            if b.get(q) == Some(&b'.') {
                let f = digits_at(q + 1);
                if f > 0 {
                    q += 1 + f;
                }
            }
            if b.get(q) == Some(&b'S') {
                p = q + 1;
                any_time = true;
            }
        }
        if !any_time {
            return None;
        }
        any = true;
    }
    any.then_some(p)
}

/// Length of a bare duration at the start of `s`: a duration that is not the
/// start of a longer name or literal.
pub(crate) fn bare_duration_len(s: &str) -> Option<usize> {
    let n = duration_len(s)?;
    let after = s[n..].chars().next();
    if after.is_some_and(|c| is_ident_char(c) || matches!(c, '.' | '/' | '(' | '\'' | ':' | '-')) {
        return None;
    }
    Some(n)
}

/// True when `s` is exactly one valid duration.
pub(crate) fn is_duration(s: &str) -> bool {
    duration_len(s) == Some(s.len())
}

/// A bare duration such as `P1D`, `PT0S`, `-P1DT2H`, only when it is not the
/// start of a longer name (so `P1Dx` and `principalName` stay paths).
pub(crate) fn bare_duration(i: &mut Input<'_>) -> PResult<Literal> {
    let Some(n) = bare_duration_len(i.input) else {
        return Err(backtrack(i));
    };
    let text = i.next_slice(n);
    Ok(Literal::Duration(text.to_owned()))
}

/// A literal starting with a digit or `-`: GUID, date-time, date, time of day,
/// number or negative duration. Anything else literal-looking is an error
/// naming the offending text.
pub(crate) fn numeric_literal(i: &mut Input<'_>) -> PResult<Literal> {
    let start_rem = i.eof_offset();
    let token = token_at(i.input);
    let r = alt((
        guid.map(Literal::Guid),
        date_or_datetime,
        time_of_day,
        number,
        bare_duration,
    ))
    .parse_next(i);
    match r {
        Err(ErrMode::Backtrack(_)) => Err(cut_at(
            start_rem,
            ParseErrorKind::Syntax,
            format!("'{token}' is not a valid literal"),
        )),
        other => other,
    }
}
