//! Data-driven tests of `QueryOptions::parse_query_string`: splitting on `&`,
//! percent-decoding (`+`, `%20`, `%2B`, `%27`, encoded and literal commas),
//! option-name rules, scalar options and every query-string level error.
//! Successful results are shown in canonical decoded form, and
//! `to_query_string` is checked to parse back to equal options.

mod common;

use accessd_odata::{Limits, QueryOptions};
use common::err;
use expect_test::{Expect, expect};

fn qs_with(raw: &str, limits: &Limits) -> String {
    match QueryOptions::parse_query_string(raw, limits) {
        Ok(q) => {
            let encoded = q.to_query_string();
            let again = QueryOptions::parse_query_string(&encoded, limits)
                .unwrap_or_else(|e| panic!("{encoded:?} does not parse: {e}"));
            assert_eq!(again, q, "{encoded:?} parses differently");
            if q.is_empty() {
                "(none)".to_owned()
            } else {
                q.to_string()
            }
        }
        Err(e) => err(&e),
    }
}

fn qs(raw: &str, expect: Expect) {
    expect.assert_eq(&qs_with(raw, &Limits::default()));
}

#[test]
fn splitting_and_decoding() {
    qs(
        "$filter=target/objectid+eq+'x'",
        expect!["$filter=target/objectid eq 'x'"],
    );
    qs(
        "$filter=displayName%20eq%20'a%2Bb'",
        expect!["$filter=displayName eq 'a+b'"],
    );
    qs(
        "$filter=displayName eq 'a+b'",
        expect!["$filter=displayName eq 'a b'"],
    );
    qs(
        "$filter=displayName%20eq%20%27O%27%27Brien%27",
        expect!["$filter=displayName eq 'O''Brien'"],
    );
    qs(
        "$filter=a%20eq%20'x%26y'&$top=1",
        expect!["$filter=a eq 'x&y'&$top=1"],
    );
    qs("$filter=a eq 'x=y'", expect!["$filter=a eq 'x=y'"]);
    qs("$select=id,displayName", expect!["$select=id,displayName"]);
    qs(
        "$select=id%2CdisplayName",
        expect!["$select=id,displayName"],
    );
    qs(
        "$expand=accessPackage($select=id,displayName;$expand=catalog)",
        expect!["$expand=accessPackage($select=id,displayName;$expand=catalog)"],
    );
    qs(
        "$expand=accessPackage%28%24select%3Did%2CdisplayName%3B%24expand%3Dcatalog%29",
        expect!["$expand=accessPackage($select=id,displayName;$expand=catalog)"],
    );
    qs("%24filter=a%20eq%201", expect!["$filter=a eq 1"]);
    qs("?$top=5", expect!["$top=5"]);
    qs("$top=5&&$skip=1&", expect!["$top=5&$skip=1"]);
    qs("", expect!["(none)"]);
    qs("api-version=1.0&foo=bar&=x&$top=2", expect!["$top=2"]);
    qs(
        "$filter=createdDateTime ge 2024-01-01T00:00:00%2B02:00",
        expect!["$filter=createdDateTime ge 2024-01-01T00:00:00+02:00"],
    );
    qs(
        "$filter=tags/any(t:t eq 'ü')",
        expect!["$filter=tags/any(t: t eq 'ü')"],
    );
    qs(
        "$filter=tags/any(t:t%20eq%20'%C3%BC')",
        expect!["$filter=tags/any(t: t eq 'ü')"],
    );
}

#[test]
fn option_names() {
    qs(
        "$FILTER=a eq 1&$Top=3&$SELECT=id",
        expect!["$filter=a eq 1&$select=id&$top=3"],
    );
    qs(
        "$orderby=displayName desc,createdDateTime&$count=true",
        expect!["$orderby=displayName desc,createdDateTime&$count=true"],
    );
    qs(
        "$search=%22displayName:team%22",
        expect![[r#"$search="displayName:team""#]],
    );
    qs(
        "$search=\"hello world\"",
        expect![[r#"$search="hello world""#]],
    );
    qs(
        "$skiptoken=abc%3D%3D&$deltatoken=d1",
        expect!["$skiptoken=abc==&$deltatoken=d1"],
    );
    qs("$format=json&$top=1", expect!["$top=1"]);
    qs("$levels=max", expect!["$levels=max"]);
    qs("$count=TRUE", expect!["$count=true"]);
    qs("$count=False", expect!["$count=false"]);
    qs("$top=0&$skip=0", expect!["$top=0&$skip=0"]);
    qs(
        "$top=18446744073709551615",
        expect!["$top=18446744073709551615"],
    );
}

#[test]
fn errors() {
    qs(
        "$top=-1",
        expect!["ERR InvalidValue: Invalid $top: expected a non-negative integer, found '-1'"],
    );
    qs(
        "$top=abc",
        expect!["ERR InvalidValue: Invalid $top: expected a non-negative integer, found 'abc'"],
    );
    qs(
        "$top=",
        expect![
            "ERR InvalidValue: Invalid $top: expected a non-negative integer, found an empty value"
        ],
    );
    qs(
        "$top",
        expect![
            "ERR InvalidValue: Invalid $top: expected a non-negative integer, found an empty value"
        ],
    );
    qs(
        "$top=1.5",
        expect!["ERR InvalidValue: Invalid $top: expected a non-negative integer, found '1.5'"],
    );
    qs(
        "$top=+5",
        expect!["ERR InvalidValue: Invalid $top: expected a non-negative integer, found ' 5'"],
    );
    qs(
        "$top=18446744073709551616",
        expect![
            "ERR InvalidValue: Invalid $top: '18446744073709551616' is too large (the maximum is 18446744073709551615)"
        ],
    );
    qs(
        "$skip=-5",
        expect!["ERR InvalidValue: Invalid $skip: expected a non-negative integer, found '-5'"],
    );
    qs(
        "$count=yes",
        expect!["ERR InvalidValue: Invalid $count: expected 'true' or 'false', found 'yes'"],
    );
    qs(
        "$count=",
        expect![
            "ERR InvalidValue: Invalid $count: expected 'true' or 'false', found an empty value"
        ],
    );
    qs(
        "$levels=0",
        expect![
            "ERR InvalidValue: Invalid $levels: expected a positive integer or 'max', found '0'"
        ],
    );
    qs(
        "$top=1&$top=2",
        expect![
            "ERR DuplicateOption: Invalid $top: the query option '$top' is specified more than once"
        ],
    );
    qs(
        "$top=1&$TOP=2",
        expect![
            "ERR DuplicateOption: Invalid $top: the query option '$top' is specified more than once"
        ],
    );
    qs(
        "$filter=a eq 1&$filter=b eq 2",
        expect![
            "ERR DuplicateOption: Invalid $filter: the query option '$filter' is specified more than once"
        ],
    );
    qs(
        "$foo=1",
        expect![
            "ERR UnknownOption: Invalid $foo: '$foo' is not a supported system query option (supported: $filter, $select, $expand, $orderby, $top, $skip, $count, $search, $skiptoken, $deltatoken, $levels, $format)"
        ],
    );
    qs(
        "$apply=groupby((a))",
        expect![
            "ERR UnknownOption: Invalid $apply: '$apply' is not a supported system query option (supported: $filter, $select, $expand, $orderby, $top, $skip, $count, $search, $skiptoken, $deltatoken, $levels, $format)"
        ],
    );
    qs(
        "$filter=",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 0: expected a filter expression"
        ],
    );
    qs(
        "$select=",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 0: expected a property name or '*', found the end of the input"
        ],
    );
    qs(
        "$expand=",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 0: expected a navigation property name or '*', found the end of the input"
        ],
    );
    qs(
        "$orderby=",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 0: expected a property name, found the end of the input"
        ],
    );
    qs(
        "$search=",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 0: expected a search term or a quoted phrase, found the end of the input"
        ],
    );
    qs(
        "$skiptoken=",
        expect!["ERR InvalidValue: Invalid $skiptoken: the value must not be empty"],
    );
    qs(
        "$filter=a eq '%FF'",
        expect![
            "ERR InvalidValue: Invalid $filter: the value is not valid UTF-8 after percent-decoding"
        ],
    );
    qs(
        "%FF=1",
        expect![
            "ERR InvalidValue: Invalid query string: a parameter name is not valid UTF-8 after percent-decoding"
        ],
    );
    qs(
        "$filter=a eq 'x",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: unterminated string literal: the string starting at position 5 has no closing quote (write a quote inside a string as '')"
        ],
    );
    qs(
        "$filter=a eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 6: unbalanced parentheses: ')' has no matching '('"
        ],
    );
    qs(
        "$filter=foo(a)",
        expect![
            "ERR UnknownFunction: Invalid $filter: syntax error at position 0: unknown function 'foo'"
        ],
    );
    qs(
        "$filter=createdDateTime ge 2024-01-01T00:00:00+02:00",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 19: the date-time '2024-01-01T00:00:00' has no time zone: add 'Z' or an offset such as +02:00 (in a URL, write '+' as %2B)"
        ],
    );
    qs(
        "$search=\"unterminated",
        expect![[
            r#"ERR Syntax: Invalid $search: syntax error at position 0: unterminated phrase: the '"' at position 0 has no closing '"'"#
        ]],
    );
    qs(
        "$expand=a($top=-1)",
        expect![
            "ERR InvalidValue: Invalid $expand: syntax error at position 7: invalid value for $top: expected a non-negative integer, found '-1'"
        ],
    );
    qs(
        "$top=1&$foo=2&$top=3",
        expect![
            "ERR UnknownOption: Invalid $foo: '$foo' is not a supported system query option (supported: $filter, $select, $expand, $orderby, $top, $skip, $count, $search, $skiptoken, $deltatoken, $levels, $format)"
        ],
    );
}

#[test]
fn length_limits() {
    let raw = format!("$filter=a eq '{}'", "x".repeat(100_000));
    let start = std::time::Instant::now();
    expect!["ERR TooLong: Invalid $filter: the value is too long (100007 bytes before decoding; the maximum is 16384 bytes)"].assert_eq(&qs_with(&raw, &Limits::default()));
    assert!(start.elapsed() < std::time::Duration::from_millis(100));
    let encoded = format!("$filter=a eq '{}'", "%41".repeat(20_000));
    expect!["ERR TooLong: Invalid $filter: the value is too long (60007 bytes before decoding; the maximum is 16384 bytes)"].assert_eq(&qs_with(&encoded, &Limits::default()));
    let small = Limits {
        max_len: 8,
        ..Limits::default()
    };
    expect!["$select=id,name"].assert_eq(&qs_with("$select=id,name", &small));
    expect!["$select=id,name"].assert_eq(&qs_with("$select=id%2Cname", &small));
    expect!["ERR TooLong: Invalid $select: the value is too long (9 bytes; the maximum is 8)"]
        .assert_eq(&qs_with("$select=id%2Cnamexy", &small));
    // Parameters that are not system options are not limited (they are ignored).
    let other = format!("x={}&$top=1", "y".repeat(100_000));
    expect!["$top=1"].assert_eq(&qs_with(&other, &Limits::default()));
}

#[test]
fn maximum_length_inputs_parse_quickly() {
    // Inputs at the length limit, built to hit every construct that records a
    // position, must parse in linear time (generous bound for debug builds).
    let limits = Limits::default();
    let n = limits.max_len;
    let cases = [
        "(a) or ".repeat(n / 7 - 1) + "(a)",
        "'x' eq 'y' or ".repeat(n / 14 - 1) + "'x' eq 'y'",
        "f(a) or ".repeat(n / 8 - 1) + "f(a)",
        "t/any(x:x) or ".repeat(n / 14 - 1) + "t/any(x:x)",
        "a in (1) or ".repeat(n / 12 - 1) + "a in (1)",
        "é".repeat(n / 2 - 1),
        "(".repeat(n),
    ];
    for s in cases {
        let start = std::time::Instant::now();
        let _ = accessd_odata::parse_filter(&s, &limits);
        let _ = accessd_odata::parse_search(&s, &limits);
        let _ = accessd_odata::parse_expand(&s, &limits);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(1),
            "{:?}... took {:?}",
            &s[..20],
            start.elapsed()
        );
    }
}

#[test]
fn graph_documentation_style_requests() {
    qs(
        "$expand=target,accessPackage&$filter=accessPackage/id+eq+'a914b616-e04e-476b-aa37-91038f0b165b'",
        expect![
            "$filter=accessPackage/id eq 'a914b616-e04e-476b-aa37-91038f0b165b'&$expand=target,accessPackage"
        ],
    );
    qs(
        "$filter=target/objectId%20eq%20'5e9d9c6a-1111-2222-3333-444455556666'%20and%20state%20eq%20'Delivered'",
        expect![
            "$filter=target/objectId eq '5e9d9c6a-1111-2222-3333-444455556666' and state eq 'Delivered'"
        ],
    );
    qs(
        "$filter=displayName%20eq%20'Marketing'&$expand=resourceRoleScopes($expand=role,scope)",
        expect![
            "$filter=displayName eq 'Marketing'&$expand=resourceRoleScopes($expand=role,scope)"
        ],
    );
    qs(
        "$filter=startswith(displayName,'a')&$count=true&$top=1&$orderby=displayName",
        expect!["$filter=startswith(displayName, 'a')&$orderby=displayName&$top=1&$count=true"],
    );
    qs(
        "$select=id,displayName&$expand=accessPackagesIncompatibleWith($select=id)",
        expect!["$select=id,displayName&$expand=accessPackagesIncompatibleWith($select=id)"],
    );
    qs(
        "$filter=createdDateTime+ge+2019-01-01T00:00:00.000Z",
        expect!["$filter=createdDateTime ge 2019-01-01T00:00:00Z"],
    );
    qs(
        "$filter=customExtensionStageSettings/any(c:+c/stage+eq+'assignmentRequestCreated')",
        expect![
            "$filter=customExtensionStageSettings/any(c: c/stage eq 'assignmentRequestCreated')"
        ],
    );
    qs(
        "$search=%22displayName:Teams%22%20OR%20%22description:Teams%22&$count=true",
        expect![[r#"$count=true&$search="displayName:Teams" OR "description:Teams""#]],
    );
    qs(
        "$filter=NOT%20groupTypes/any(c:c+eq+'Unified')&$count=true",
        expect!["$filter=not groupTypes/any(c: c eq 'Unified')&$count=true"],
    );
    qs(
        "$filter=state%20in%20('delivered','expired')&$skiptoken=X%274453707402000100000017%27",
        expect!["$filter=state in ('delivered', 'expired')&$skiptoken=X'4453707402000100000017'"],
    );
}
