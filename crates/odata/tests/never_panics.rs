//! Property tests: no parse function panics on any input (arbitrary strings,
//! and strings assembled from OData-looking fragments that reach deep into
//! the grammar), error positions stay inside the input, and whatever parses
//! prints to canonical text that parses back to the same tree.

use accessd_odata::{
    Limits, QueryOptions, parse_expand, parse_filter, parse_orderby, parse_search, parse_select,
};
use proptest::prelude::*;

/// Pieces of real-looking OData, including the troublesome ones.
const FRAGMENTS: &[&str] = &[
    " ",
    " ",
    " ",
    "(",
    ")",
    "'",
    "''",
    "\"",
    ",",
    ";",
    "/",
    ":",
    "-",
    "+",
    "&",
    "=",
    "$",
    "@",
    "*",
    "%",
    "%2",
    "%27",
    "%20",
    "%2B",
    "%FF",
    "%C3%BC",
    "#",
    "\\",
    "\u{0}",
    "é",
    "日本",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "and",
    "or",
    "not",
    "has",
    "in",
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "EQ",
    "And",
    "NOT",
    "AND",
    "OR",
    "a",
    "b",
    "x",
    "id",
    "displayName",
    "target/objectId",
    "P",
    "PT",
    "P1D",
    "PT1H30M",
    "-P1D",
    "principalName",
    "true",
    "false",
    "null",
    "0",
    "1",
    "-1",
    "42",
    "1.5",
    "1e3",
    "1e400",
    "9223372036854775808",
    "2024-01-01",
    "T00:00:00Z",
    "2024-01-01T10:20:30.1234567+02:00",
    "13:45",
    "24:00",
    "5e9d9c6a-1111-2222-3333-444455556666",
    "abcdef01-2345-6789-abcd-ef0123456789",
    "5e9d9c6a",
    "duration'",
    "duration'P1D'",
    "microsoft.graph.x'",
    "microsoft.graph.state'a'",
    "guid'",
    "startswith(",
    "contains(",
    "tolower(",
    "substring(",
    "now()",
    "foo(",
    "cast(",
    "any(",
    "all(",
    "/any(",
    "/all(",
    "x:",
    "x: x eq 1",
    "/$count",
    "$it",
    "$ref",
    "/$ref",
    "$select=",
    "$expand=",
    "$filter=",
    "$orderby=",
    "$top=",
    "$skip=",
    "$count=",
    "$search=",
    "$levels=",
    "$skiptoken=",
    "$foo=",
    "max",
    "asc",
    "desc",
    "'x'",
    "'it''s'",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

fn anything() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), fragments(), "[ -~]{0,80}"]
}

/// Canonical text can be slightly longer than the input (", " between
/// arguments), so round trips reparse with a generous length limit.
fn relaxed(limits: &Limits) -> Limits {
    Limits {
        max_len: 1 << 30,
        ..*limits
    }
}

fn check_position(s: &str, pos: Option<usize>) {
    if let Some(p) = pos {
        assert!(p <= s.chars().count(), "position {p} outside {s:?}");
    }
}

/// Case count: `PROPTEST_CASES` when set (for long local runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(2000), ..ProptestConfig::default() })]

    #[test]
    fn no_parser_panics(s in anything()) {
        let limits = Limits::default();
        match parse_filter(&s, &limits) {
            Ok(e) => {
                let text = e.to_string();
                prop_assert_eq!(parse_filter(&text, &limits), Ok(e), "canonical text {:?}", text);
            }
            Err(e) => check_position(&s, e.position),
        }
        match parse_search(&s, &limits) {
            Ok(e) => prop_assert_eq!(parse_search(&e.to_string(), &limits), Ok(e)),
            Err(e) => check_position(&s, e.position),
        }
        match parse_expand(&s, &limits) {
            Ok(items) => {
                let text = items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
                prop_assert_eq!(parse_expand(&text, &limits), Ok(items), "canonical text {:?}", text);
            }
            Err(e) => check_position(&s, e.position),
        }
        if let Err(e) = parse_select(&s, &limits) {
            check_position(&s, e.position);
        }
        if let Err(e) = parse_orderby(&s, &limits) {
            check_position(&s, e.position);
        }
        if let Ok(q) = QueryOptions::parse_query_string(&s, &limits) {
            let encoded = q.to_query_string();
            prop_assert_eq!(
                QueryOptions::parse_query_string(&encoded, &relaxed(&limits)),
                Ok(q.clone()),
                "encoded {:?}",
                encoded
            );
        }
    }

    #[test]
    fn query_strings_from_fragments(s in fragments(), t in fragments()) {
        let limits = Limits { max_depth: 8, max_expand_depth: 2, max_len: 256 };
        for raw in [format!("$filter={s}&$expand={t}"), format!("$expand={s}"), format!("$search={s}&$orderby={t}"), format!("{s}&{t}")] {
            if let Ok(q) = QueryOptions::parse_query_string(&raw, &limits) {
                let encoded = q.to_query_string();
                prop_assert_eq!(
                    QueryOptions::parse_query_string(&encoded, &relaxed(&limits)),
                    Ok(q.clone()),
                    "encoded {:?}",
                    encoded
                );
            }
        }
    }

    #[test]
    fn small_limits_never_panic(s in fragments(), depth in 0usize..4, expand in 0usize..3, len in 0usize..64) {
        let limits = Limits { max_depth: depth, max_expand_depth: expand, max_len: len };
        let _ = parse_filter(&s, &limits);
        let _ = parse_expand(&s, &limits);
        let _ = parse_search(&s, &limits);
        let _ = parse_select(&s, &limits);
        let _ = parse_orderby(&s, &limits);
        let _ = QueryOptions::parse_query_string(&s, &limits);
    }
}
