//! Data-driven tests of `$select`, `$orderby`, `$expand` (nested options,
//! `$ref`, `*`), `$search`, and their errors. Successful results are shown in
//! their canonical text (which is checked to parse back to the same value) or
//! in `Debug` form where the structure matters.

mod common;

use accessd_odata::{Limits, parse_expand, parse_orderby, parse_search, parse_select};
use common::err;
use expect_test::{Expect, expect};

fn select(input: &str, expect: Expect) {
    let out = match parse_select(input, &Limits::default()) {
        Ok(v) => format!("{v:?}"),
        Err(e) => err(&e),
    };
    expect.assert_eq(&out);
}

fn orderby(input: &str, expect: Expect) {
    let out = match parse_orderby(input, &Limits::default()) {
        Ok(v) => v
            .iter()
            .map(|o| {
                format!(
                    "{}:{}",
                    o.path.join("/"),
                    if o.descending { "desc" } else { "asc" }
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(e) => err(&e),
    };
    expect.assert_eq(&out);
}

fn expand_with(input: &str, limits: &Limits) -> String {
    match parse_expand(input, limits) {
        Ok(v) => {
            let text = v
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let again = parse_expand(&text, limits).expect("canonical $expand parses");
            assert_eq!(again, v, "canonical text {text:?} parses differently");
            text
        }
        Err(e) => err(&e),
    }
}

fn expand(input: &str, expect: Expect) {
    expect.assert_eq(&expand_with(input, &Limits::default()));
}

fn search(input: &str, expect: Expect) {
    let out = match parse_search(input, &Limits::default()) {
        Ok(v) => {
            let again =
                parse_search(&v.to_string(), &Limits::default()).expect("canonical $search parses");
            assert_eq!(again, v);
            format!("{v:?}")
        }
        Err(e) => err(&e),
    };
    expect.assert_eq(&out);
}

#[test]
fn select_forms() {
    select(
        "id,displayName",
        expect![[r#"[Path(["id"]), Path(["displayName"])]"#]],
    );
    select("*", expect!["[Star]"]);
    select(
        "id, displayName ,  description",
        expect![[r#"[Path(["id"]), Path(["displayName"]), Path(["description"])]"#]],
    );
    select(
        "target/objectId",
        expect![[r#"[Path(["target", "objectId"])]"#]],
    );
    select(
        "microsoft.graph.user/mail",
        expect![[r#"[Path(["microsoft.graph.user", "mail"])]"#]],
    );
    select("id,*", expect![[r#"[Path(["id"]), Star]"#]]);
    select("ID", expect![[r#"[Path(["ID"])]"#]]);
}

#[test]
fn select_errors() {
    select(
        "",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 0: expected a property name or '*', found the end of the input"
        ],
    );
    select(
        "id,",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 3: expected a property name or '*', found the end of the input"
        ],
    );
    select(
        "id,,name",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 3: expected a property name or '*', found ','"
        ],
    );
    select(
        ",id",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 0: expected a property name or '*', found ','"
        ],
    );
    select(
        "id name",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 3: expected ',' or the end of the input, found 'name'"
        ],
    );
    select(
        "id/",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 3: expected a property name after '/', found the end of the input"
        ],
    );
    select(
        "a($select=b)",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 1: options in parentheses are not supported in $select"
        ],
    );
    select(
        "id;name",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 2: expected ',' or the end of the input, found ';'"
        ],
    );
    select(
        "'id'",
        expect![
            "ERR Syntax: Invalid $select: syntax error at position 0: expected a property name or '*', found the string 'id'"
        ],
    );
}

#[test]
fn orderby_forms() {
    orderby("displayName", expect!["displayName:asc"]);
    orderby(
        "displayName desc,createdDateTime",
        expect!["displayName:desc createdDateTime:asc"],
    );
    orderby(
        "displayName asc, createdDateTime DESC",
        expect!["displayName:asc createdDateTime:desc"],
    );
    orderby("a ASC,b Desc", expect!["a:asc b:desc"]);
    orderby(
        "target/displayName desc",
        expect!["target/displayName:desc"],
    );
    orderby("members/$count desc", expect!["members/$count:desc"]);
    orderby("  a  desc  ,  b  ", expect!["a:desc b:asc"]);
    orderby("descending", expect!["descending:asc"]);
}

#[test]
fn orderby_errors() {
    orderby(
        "",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 0: expected a property name, found the end of the input"
        ],
    );
    orderby(
        "a,",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 2: expected a property name, found the end of the input"
        ],
    );
    orderby(
        "a desc desc",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 7: expected ',', 'asc', 'desc' or the end of the input, found 'desc'"
        ],
    );
    orderby(
        "a up",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 2: expected ',', 'asc', 'desc' or the end of the input, found 'up'"
        ],
    );
    orderby(
        "tolower(a)",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 0: $orderby accepts property paths only; 'tolower(' is not supported"
        ],
    );
    orderby(
        "a/$ref",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 2: '$ref' is not supported here"
        ],
    );
    orderby(
        "adesc,",
        expect![
            "ERR Syntax: Invalid $orderby: syntax error at position 6: expected a property name, found the end of the input"
        ],
    );
}

#[test]
fn expand_forms() {
    expand("target", expect!["target"]);
    expand("target,accessPackage", expect!["target,accessPackage"]);
    expand("*", expect!["*"]);
    expand("*/$ref", expect!["*/$ref"]);
    expand("members/$ref", expect!["members/$ref"]);
    expand("members/$REF", expect!["members/$ref"]);
    expand(
        "accessPackage($select=id,displayName;$expand=catalog)",
        expect!["accessPackage($select=id,displayName;$expand=catalog)"],
    );
    expand(
        "accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)",
        expect![
            "accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)"
        ],
    );
    expand(
        "target,accessPackage($select=id,displayName;$expand=catalog)",
        expect!["target,accessPackage($select=id,displayName;$expand=catalog)"],
    );
    expand(
        "a($filter=state eq 'delivered';$orderby=displayName desc;$top=5;$skip=2;$count=true)",
        expect![
            "a($filter=state eq 'delivered';$orderby=displayName desc;$top=5;$skip=2;$count=true)"
        ],
    );
    expand(
        "a($search=\"hello\";$levels=max)",
        expect![[r#"a($search="hello";$levels=max)"#]],
    );
    expand("a($levels=2)", expect!["a($levels=2)"]);
    expand(
        "a($filter=name eq 'x;y)';$select=id)",
        expect!["a($filter=name eq 'x;y)';$select=id)"],
    );
    expand(
        "a($filter=contains(name,'a') and (b eq 1 or c eq 2))",
        expect!["a($filter=contains(name, 'a') and (b eq 1 or c eq 2))"],
    );
    expand(
        "a( $select = id ; $top = 1 )",
        expect!["a($select=id;$top=1)"],
    );
    expand("a($select=id;)", expect!["a($select=id)"]);
    expand("a($SELECT=id)", expect!["a($select=id)"]);
    expand("a/b/c", expect!["a/b/c"]);
    expand(
        "members/$ref($filter=id eq 1;$top=1)",
        expect!["members/$ref($filter=id eq 1;$top=1)"],
    );
    expand(
        "a($expand=b($expand=c))",
        expect!["a($expand=b($expand=c))"],
    );
    expand(" a , b ", expect!["a,b"]);
}

#[test]
fn expand_errors() {
    expand(
        "",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 0: expected a navigation property name or '*', found the end of the input"
        ],
    );
    expand(
        "a,",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: expected a navigation property name or '*', found the end of the input"
        ],
    );
    expand(
        "a(",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: expected a query option such as $select or $filter, found the end of the input"
        ],
    );
    expand(
        "a()",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: empty parentheses: expected a query option such as $select inside '(...)'"
        ],
    );
    expand(
        "a($select=id",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 12: expected ')' to close the '(' at position 1, found the end of the input"
        ],
    );
    expand(
        "a($select=id))",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 13: unbalanced parentheses: ')' has no matching '('"
        ],
    );
    expand(
        "a(select=id)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: expected a query option such as $select or $filter, found 'select'"
        ],
    );
    expand(
        "a($format=json)",
        expect![
            "ERR UnknownOption: Invalid $expand: syntax error at position 2: '$format' is not allowed inside $expand (allowed: $select, $expand, $filter, $orderby, $top, $skip, $count, $search, $levels)"
        ],
    );
    expand(
        "a($skiptoken=x)",
        expect![
            "ERR UnknownOption: Invalid $expand: syntax error at position 2: '$skiptoken' is not allowed inside $expand (allowed: $select, $expand, $filter, $orderby, $top, $skip, $count, $search, $levels)"
        ],
    );
    expand(
        "a($select=id;$select=name)",
        expect![
            "ERR DuplicateOption: Invalid $expand: syntax error at position 13: '$select' is given more than once for the same $expand item"
        ],
    );
    expand(
        "a($top=-1)",
        expect![
            "ERR InvalidValue: Invalid $expand: syntax error at position 7: invalid value for $top: expected a non-negative integer, found '-1'"
        ],
    );
    expand(
        "a($top=abc)",
        expect![
            "ERR InvalidValue: Invalid $expand: syntax error at position 7: invalid value for $top: expected a non-negative integer, found 'abc'"
        ],
    );
    expand(
        "a($count=yes)",
        expect![
            "ERR InvalidValue: Invalid $expand: syntax error at position 9: invalid value for $count: expected 'true' or 'false', found 'yes'"
        ],
    );
    expand(
        "a($levels=0)",
        expect![
            "ERR InvalidValue: Invalid $expand: syntax error at position 10: invalid value for $levels: expected a positive integer or 'max', found '0'"
        ],
    );
    expand(
        "a($filter=)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 10: expected a filter expression after '$filter=', found ')'"
        ],
    );
    expand(
        "a($filter=x eq 1 foo)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 17: expected an operator (such as 'eq', 'and' or 'or'), ';' or ')', found 'foo'"
        ],
    );
    expand(
        "a($select)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 9: expected '=' after '$select', found ')'"
        ],
    );
    expand(
        "a/$count",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: '$count' is not supported here"
        ],
    );
    expand(
        "a/$ref/b",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 6: expected ',', '(' or the end of the input, found '/'"
        ],
    );
    expand(
        "a/$ref($select=id)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 0: $select, $expand and $levels cannot be used with /$ref"
        ],
    );
    expand(
        "a($filter=name eq 'x)",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 18: unterminated string literal: the string starting at position 18 has no closing quote (write a quote inside a string as '')"
        ],
    );
    expand(
        "a($expand=b($expand=c($expand=d)))",
        expect![
            "ERR TooDeep: Invalid $expand: syntax error at position 30: $expand is nested too deeply (at most 3 levels of $expand are allowed)"
        ],
    );
    expand(
        "a b",
        expect![
            "ERR Syntax: Invalid $expand: syntax error at position 2: expected ',', '(' or the end of the input, found 'b'"
        ],
    );
}

#[test]
fn expand_depth_limits() {
    let one = Limits {
        max_expand_depth: 1,
        ..Limits::default()
    };
    expect!["a,b($select=id)"].assert_eq(&expand_with("a,b($select=id)", &one));
    expect!["ERR TooDeep: Invalid $expand: syntax error at position 10: $expand is nested too deeply (at most 1 level of $expand is allowed)"].assert_eq(&expand_with("a($expand=b)", &one));
    let zero = Limits {
        max_expand_depth: 0,
        ..Limits::default()
    };
    expect!["ERR TooDeep: Invalid $expand: syntax error at position 0: $expand is nested too deeply (at most 0 levels of $expand are allowed)"].assert_eq(&expand_with("a", &zero));
    let shallow = Limits {
        max_depth: 3,
        max_expand_depth: 10,
        ..Limits::default()
    };
    expect!["a($filter=x)"].assert_eq(&expand_with("a($filter=((x)))", &shallow));
}

#[test]
fn search_forms() {
    search(
        "\"displayName:team\"",
        expect![[r#"Phrase("displayName:team")"#]],
    );
    search("\"hello world\"", expect![[r#"Phrase("hello world")"#]]);
    search("hello", expect![[r#"Term("hello")"#]]);
    search(
        "hello world",
        expect![[r#"And(Term("hello"), Term("world"))"#]],
    );
    search("a AND b", expect![[r#"And(Term("a"), Term("b"))"#]]);
    search("a OR b", expect![[r#"Or(Term("a"), Term("b"))"#]]);
    search("NOT a", expect![[r#"Not(Term("a"))"#]]);
    search(
        "a OR b AND c",
        expect![[r#"Or(Term("a"), And(Term("b"), Term("c")))"#]],
    );
    search(
        "a b OR c",
        expect![[r#"Or(And(Term("a"), Term("b")), Term("c"))"#]],
    );
    search(
        "NOT a AND b",
        expect![[r#"And(Not(Term("a")), Term("b"))"#]],
    );
    search(
        "(a OR b) AND NOT c",
        expect![[r#"And(Or(Term("a"), Term("b")), Not(Term("c")))"#]],
    );
    search(
        "\"displayName:team\" OR \"mail:team\"",
        expect![[r#"Or(Phrase("displayName:team"), Phrase("mail:team"))"#]],
    );
    search(
        "\"say \\\"hi\\\" \\\\ bye\"",
        expect![[r#"Phrase("say \"hi\" \\ bye")"#]],
    );
    search(
        "and or not",
        expect![[r#"And(And(Term("and"), Term("or")), Term("not"))"#]],
    );
    search(
        "ANDROID ORACLE NOTE",
        expect![[r#"And(And(Term("ANDROID"), Term("ORACLE")), Term("NOTE"))"#]],
    );
    search("café;latte", expect![[r#"Term("café;latte")"#]]);
    search("  a  ", expect![[r#"Term("a")"#]]);
}

#[test]
fn search_errors() {
    search(
        "",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 0: expected a search term or a quoted phrase, found the end of the input"
        ],
    );
    search(
        "\"unterminated",
        expect![[
            r#"ERR Syntax: Invalid $search: syntax error at position 0: unterminated phrase: the '"' at position 0 has no closing '"'"#
        ]],
    );
    search(
        "\"a\" \"b",
        expect![[
            r#"ERR Syntax: Invalid $search: syntax error at position 4: unterminated phrase: the '"' at position 4 has no closing '"'"#
        ]],
    );
    search(
        "\"\"",
        expect![[
            r#"ERR InvalidValue: Invalid $search: syntax error at position 0: the search phrase "" is empty"#
        ]],
    );
    search(
        "a AND",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 5: expected a search term or a quoted phrase after 'AND', found the end of the input"
        ],
    );
    search(
        "a OR",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 4: expected a search term or a quoted phrase after 'OR', found the end of the input"
        ],
    );
    search(
        "NOT",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 3: expected a search term or a quoted phrase after 'NOT', found the end of the input"
        ],
    );
    search(
        "AND a",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 0: 'AND' must stand between two search terms"
        ],
    );
    search(
        "(a OR b",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 7: expected ')' to close the '(' at position 0, found the end of the input"
        ],
    );
    search(
        "a)",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 1: unbalanced parentheses: ')' has no matching '('"
        ],
    );
    search(
        "()",
        expect![
            "ERR Syntax: Invalid $search: syntax error at position 1: expected a search term or a quoted phrase after '(', found ')'"
        ],
    );
}
