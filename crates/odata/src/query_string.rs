//! Splitting and decoding a raw URL query string into system query options,
//! and dispatching each value to its parser.
//!
//! Rules: split on `&` (before decoding, so an encoded `%26` stays inside its
//! value); split each pair at the first `=`; turn `+` into a space, then
//! percent-decode as UTF-8 (so `%2B` is a literal plus). Names are matched
//! case-insensitively and must start with `$`; other parameters (such as
//! `api-version`) are ignored. A system option given twice, or an unknown
//! `$name`, is an error.

use percent_encoding::percent_decode_str;

use crate::ast::QueryOptions;
use crate::error::{ParseError, ParseErrorKind};
use crate::lex::check_len;
use crate::options::{boolean, levels, non_negative};
use crate::{Limits, parse_expand, parse_filter, parse_orderby, parse_search, parse_select};

/// The system query options this crate knows, lower case.
pub const KNOWN_OPTIONS: &[&str] = &[
    "$filter",
    "$select",
    "$expand",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$search",
    "$skiptoken",
    "$deltatoken",
    "$levels",
    "$format",
];

/// Decodes one name or value: `+` is a space, then percent-decoding as UTF-8.
pub(crate) fn decode(raw: &str) -> Result<String, ()> {
    let plus_as_space = raw.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ())
}

pub(crate) fn parse(raw: &str, limits: &Limits) -> Result<QueryOptions, ParseError> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    let mut opts = QueryOptions::default();
    let mut seen: Vec<&'static str> = Vec::new();
    for pair in raw.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        // Cheap check so that a huge name or value is rejected before decoding.
        if raw_name.len() > limits.max_len.saturating_mul(3) {
            return Err(ParseError::new(
                ParseErrorKind::TooLong,
                "query string",
                format!(
                    "a parameter name is too long (the maximum is {} bytes)",
                    limits.max_len
                ),
            ));
        }
        let name = decode(raw_name).map_err(|()| {
            ParseError::new(
                ParseErrorKind::InvalidValue,
                "query string",
                "a parameter name is not valid UTF-8 after percent-decoding",
            )
        })?;
        if !name.starts_with('$') {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let Some(&option) = KNOWN_OPTIONS.iter().find(|&&k| k == lower) else {
            return Err(ParseError::new(
                ParseErrorKind::UnknownOption,
                name.clone(),
                format!(
                    "'{name}' is not a supported system query option (supported: {})",
                    KNOWN_OPTIONS.join(", ")
                ),
            ));
        };
        if seen.contains(&option) {
            return Err(ParseError::new(
                ParseErrorKind::DuplicateOption,
                option,
                format!("the query option '{option}' is specified more than once"),
            ));
        }
        seen.push(option);
        if raw_value.len() > limits.max_len.saturating_mul(3) {
            return Err(ParseError::new(
                ParseErrorKind::TooLong,
                option,
                format!(
                    "the value is too long ({} bytes before decoding; the maximum is {} bytes)",
                    raw_value.len(),
                    limits.max_len
                ),
            ));
        }
        let value = decode(raw_value).map_err(|()| {
            ParseError::new(
                ParseErrorKind::InvalidValue,
                option,
                "the value is not valid UTF-8 after percent-decoding",
            )
        })?;
        check_len(option, &value, limits)?;
        apply(&mut opts, option, &value, limits)?;
    }
    Ok(opts)
}

fn scalar<T>(option: &str, value: &str, f: fn(&str) -> Result<T, String>) -> Result<T, ParseError> {
    f(value).map_err(|m| ParseError::new(ParseErrorKind::InvalidValue, option, m))
}

fn opaque(option: &str, value: &str) -> Result<String, ParseError> {
    if value.is_empty() {
        return Err(ParseError::new(
            ParseErrorKind::InvalidValue,
            option,
            "the value must not be empty",
        ));
    }
    Ok(value.to_owned())
}

fn apply(
    opts: &mut QueryOptions,
    option: &'static str,
    value: &str,
    limits: &Limits,
) -> Result<(), ParseError> {
    match option {
        "$filter" => opts.filter = Some(parse_filter(value, limits)?),
        "$select" => opts.select = Some(parse_select(value, limits)?),
        "$expand" => opts.expand = Some(parse_expand(value, limits)?),
        "$orderby" => opts.orderby = Some(parse_orderby(value, limits)?),
        "$search" => opts.search = Some(parse_search(value, limits)?),
        "$top" => opts.top = Some(scalar(option, value, non_negative)?),
        "$skip" => opts.skip = Some(scalar(option, value, non_negative)?),
        "$count" => opts.count = Some(scalar(option, value, boolean)?),
        "$levels" => opts.levels = Some(scalar(option, value, levels)?),
        "$skiptoken" => opts.skiptoken = Some(opaque(option, value)?),
        "$deltatoken" => opts.deltatoken = Some(opaque(option, value)?),
        // `$format` is accepted and ignored: responses are always JSON.
        _ => {}
    }
    Ok(())
}
