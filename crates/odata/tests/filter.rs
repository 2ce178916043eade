//! Data-driven tests of `$filter` parsing: operators and precedence, literals,
//! functions, `in`, lambdas, paths, ambiguities and errors. One line per case;
//! successful cases are also round-tripped through the canonical text.

mod common;

use accessd_odata::Limits;
use common::{filter, filter_with};
use expect_test::{Expect, expect};

fn c(input: &str, expect: Expect) {
    expect.assert_eq(&filter(input));
}

#[test]
fn comparison_operators() {
    c(
        "displayName eq 'x'",
        expect![[r#"(eq displayName String("x"))"#]],
    );
    c("a ne 1", expect!["(ne a Int(1))"]);
    c("a gt 1", expect!["(gt a Int(1))"]);
    c("a ge 1", expect!["(ge a Int(1))"]);
    c("a lt 1", expect!["(lt a Int(1))"]);
    c("a le 1", expect!["(le a Int(1))"]);
    c(
        "a has microsoft.graph.color'red'",
        expect![[r#"(has a Enum { type_name: "microsoft.graph.color", member: "red" })"#]],
    );
    c("a eq null", expect!["(eq a Null)"]);
}

#[test]
fn logical_and_arithmetic_operators() {
    c(
        "a eq 1 and b eq 2",
        expect!["(and (eq a Int(1)) (eq b Int(2)))"],
    );
    c(
        "a eq 1 or b eq 2",
        expect!["(or (eq a Int(1)) (eq b Int(2)))"],
    );
    c("not a", expect!["(not a)"]);
    c("a add 1 eq 2", expect!["(eq (add a Int(1)) Int(2))"]);
    c("a sub 1 eq 2", expect!["(eq (sub a Int(1)) Int(2))"]);
    c("a mul 2 eq 4", expect!["(eq (mul a Int(2)) Int(4))"]);
    c("a div 2 eq 4", expect!["(eq (div a Int(2)) Int(4))"]);
    c("a mod 2 eq 0", expect!["(eq (mod a Int(2)) Int(0))"]);
    c("-a eq 1", expect!["(eq (- a) Int(1))"]);
    c("- a eq 1", expect!["(eq (- a) Int(1))"]);
    c("-(a) eq 1", expect!["(eq (- a) Int(1))"]);
    c("- 5 eq a", expect!["(eq (- Int(5)) a)"]);
}

#[test]
fn precedence() {
    c(
        "a eq 1 or b eq 2 and c eq 3",
        expect!["(or (eq a Int(1)) (and (eq b Int(2)) (eq c Int(3))))"],
    );
    c(
        "a eq 1 and b eq 2 or c eq 3",
        expect!["(or (and (eq a Int(1)) (eq b Int(2))) (eq c Int(3)))"],
    );
    c(
        "(a eq 1 or b eq 2) and c eq 3",
        expect!["(and (or (eq a Int(1)) (eq b Int(2))) (eq c Int(3)))"],
    );
    c("a add b mul c eq d", expect!["(eq (add a (mul b c)) d)"]);
    c("a mul b add c eq d", expect!["(eq (add (mul a b) c) d)"]);
    c(
        "a sub b sub c eq 0",
        expect!["(eq (sub (sub a b) c) Int(0))"],
    );
    c(
        "a sub (b sub c) eq 0",
        expect!["(eq (sub a (sub b c)) Int(0))"],
    );
    c(
        "a div b mod c mul d eq 0",
        expect!["(eq (mul (mod (div a b) c) d) Int(0))"],
    );
    c("a or b or c", expect!["(or (or a b) c)"]);
    c("a and b and c", expect!["(and (and a b) c)"]);
    c("a or b and c or d", expect!["(or (or a (and b c)) d)"]);
    c(
        "a eq 1 or b add 2 mul 3 gt 4 and c",
        expect!["(or (eq a Int(1)) (and (gt (add b (mul Int(2) Int(3))) Int(4)) c))"],
    );
    c("not a eq b", expect!["(eq (not a) b)"]);
    c("not (a eq b)", expect!["(not (eq a b))"]);
    c("not not a", expect!["(not (not a))"]);
    c("-a mul b", expect!["(mul (- a) b)"]);
    c("a eq b eq c", expect!["(eq (eq a b) c)"]);
    c(
        "a in (1, 2) and b",
        expect!["(and (in a [Int(1) Int(2)]) b)"],
    );
    c(
        "a add 1 in (2, 3)",
        expect!["(in (add a Int(1)) [Int(2) Int(3)])"],
    );
    c("a has b eq true", expect!["(eq (has a b) Bool(true))"]);
}

#[test]
fn case_insensitive_operators() {
    c(
        "a EQ 1 AND b Ne 2",
        expect!["(and (eq a Int(1)) (ne b Int(2)))"],
    );
    c("a eq 1 Or NOT b", expect!["(or (eq a Int(1)) (not b))"]);
    c("a IN ('x')", expect![[r#"(in a [String("x")])"#]]);
    c(
        "a Add 1 MUL 2 gt 3",
        expect!["(gt (add a (mul Int(1) Int(2))) Int(3))"],
    );
    c(
        "a eq TRUE or b eq False or c eq NULL",
        expect!["(or (or (eq a Bool(true)) (eq b Bool(false))) (eq c Null))"],
    );
}

#[test]
fn whitespace_tolerance() {
    c("  a   eq    'x'  ", expect![[r#"(eq a String("x"))"#]]);
    c("a\teq\t1", expect!["(eq a Int(1))"]);
    c("( a eq 1 )", expect!["(eq a Int(1))"]);
    c(
        "startswith( a , 'b' )",
        expect![[r#"startswith(a String("b"))"#]],
    );
    c(
        "a in ( 'x' , 'y' )",
        expect![[r#"(in a [String("x") String("y")])"#]],
    );
    c("a in('x')", expect![[r#"(in a [String("x")])"#]]);
    c(
        "tags/any( t : t eq 'x' )",
        expect![[r#"(any tags t: (eq t String("x")))"#]],
    );
    c("not(a)", expect!["(not a)"]);
    c("a eq'x'", expect![[r#"(eq a String("x"))"#]]);
}

#[test]
fn literals() {
    c("a eq null", expect!["(eq a Null)"]);
    c("a eq true", expect!["(eq a Bool(true))"]);
    c("a eq false", expect!["(eq a Bool(false))"]);
    c("a eq 42", expect!["(eq a Int(42))"]);
    c("a eq -42", expect!["(eq a Int(-42))"]);
    c("a eq 0", expect!["(eq a Int(0))"]);
    c(
        "a eq 9223372036854775807",
        expect!["(eq a Int(9223372036854775807))"],
    );
    c(
        "a eq -9223372036854775808",
        expect!["(eq a Int(-9223372036854775808))"],
    );
    c("a eq 1.5", expect!["(eq a Decimal(1.5))"]);
    c("a eq -0.25", expect!["(eq a Decimal(-0.25))"]);
    c("a eq 1e3", expect!["(eq a Decimal(1000.0))"]);
    c("a eq 2.5E-3", expect!["(eq a Decimal(0.0025))"]);
    c("a eq 1e+2", expect!["(eq a Decimal(100.0))"]);
    c(
        "a eq 'hello world'",
        expect![[r#"(eq a String("hello world"))"#]],
    );
    c("a eq ''", expect![[r#"(eq a String(""))"#]]);
    c("a eq 'O''Brien'", expect![[r#"(eq a String("O'Brien"))"#]]);
    c("a eq ''''", expect![[r#"(eq a String("'"))"#]]);
    c(
        "a eq 'it''s ''quoted'''",
        expect![[r#"(eq a String("it's 'quoted'"))"#]],
    );
    c(
        "a eq 'unicode ünïcødé 日本'",
        expect![[r#"(eq a String("unicode ünïcødé 日本"))"#]],
    );
    c(
        "a eq 'and or eq ( ) , ;'",
        expect![[r#"(eq a String("and or eq ( ) , ;"))"#]],
    );
    c(
        "a eq microsoft.graph.accessPackageAssignmentState'delivered'",
        expect![[
            r#"(eq a Enum { type_name: "microsoft.graph.accessPackageAssignmentState", member: "delivered" })"#
        ]],
    );
    c(
        "a has microsoft.graph.flags'a,b'",
        expect![[r#"(has a Enum { type_name: "microsoft.graph.flags", member: "a,b" })"#]],
    );
    c(
        "a eq duration'P1DT2H'",
        expect![[r#"(eq a Duration("P1DT2H"))"#]],
    );
    c(
        "a eq DURATION'PT0S'",
        expect![[r#"(eq a Duration("PT0S"))"#]],
    );
    c(
        "a eq duration'-P1D'",
        expect![[r#"(eq a Duration("-P1D"))"#]],
    );
    c(
        "a eq duration'PT1.5S'",
        expect![[r#"(eq a Duration("PT1.5S"))"#]],
    );
}

#[test]
fn date_and_time_literals() {
    c(
        "createdDateTime ge 2024-01-01T00:00:00Z",
        expect!["(ge createdDateTime DateTimeOffset(2024-01-01T00:00:00+00:00))"],
    );
    c(
        "a ge 2024-01-01T00:00Z",
        expect!["(ge a DateTimeOffset(2024-01-01T00:00:00+00:00))"],
    );
    c(
        "a ge 2024-01-01T10:20:30.1234567Z",
        expect!["(ge a DateTimeOffset(2024-01-01T10:20:30.123456700+00:00))"],
    );
    c(
        "a ge 2024-01-01T10:20:30.123456789012Z",
        expect!["(ge a DateTimeOffset(2024-01-01T10:20:30.123456789+00:00))"],
    );
    c(
        "a ge 2024-01-01T10:20:30+02:00",
        expect!["(ge a DateTimeOffset(2024-01-01T10:20:30+02:00))"],
    );
    c(
        "a ge 2024-01-01T10:20:30-05:30",
        expect!["(ge a DateTimeOffset(2024-01-01T10:20:30-05:30))"],
    );
    c(
        "a ge 2024-01-01t10:20:30z",
        expect!["(ge a DateTimeOffset(2024-01-01T10:20:30+00:00))"],
    );
    c("a eq 2024-02-29", expect!["(eq a Date(2024-02-29))"]);
    c("a eq 13:45", expect!["(eq a TimeOfDay(13:45:00))"]);
    c("a eq 13:45:30", expect!["(eq a TimeOfDay(13:45:30))"]);
    c("a eq 13:45:30.5", expect!["(eq a TimeOfDay(13:45:30.500))"]);
}

#[test]
fn durations_and_p_names() {
    c("a eq P1D", expect![[r#"(eq a Duration("P1D"))"#]]);
    c("a eq PT0S", expect![[r#"(eq a Duration("PT0S"))"#]]);
    c(
        "a eq P1DT2H30M10.5S",
        expect![[r#"(eq a Duration("P1DT2H30M10.5S"))"#]],
    );
    c("a eq -P1D", expect![[r#"(eq a Duration("-P1D"))"#]]);
    c(
        "principalName eq 'x'",
        expect![[r#"(eq principalName String("x"))"#]],
    );
    c("P eq 1", expect!["(eq P Int(1))"]);
    c("PT eq 1", expect!["(eq PT Int(1))"]);
    c("P1Dx eq 1", expect!["(eq P1Dx Int(1))"]);
    c("P1M eq 1", expect!["(eq P1M Int(1))"]);
    c("PT1H/x eq 1", expect!["(eq PT1H/x Int(1))"]);
    c("-principal eq 1", expect!["(eq (- principal) Int(1))"]);
}

#[test]
fn guid_number_identifier_ambiguity() {
    c(
        "id eq 5e9d9c6a-1111-2222-3333-444455556666",
        expect!["(eq id Guid(5e9d9c6a-1111-2222-3333-444455556666))"],
    );
    c(
        "id eq 12345678-1234-1234-1234-123456789012",
        expect!["(eq id Guid(12345678-1234-1234-1234-123456789012))"],
    );
    c(
        "id eq abcdef01-2345-6789-abcd-ef0123456789",
        expect!["(eq id Guid(abcdef01-2345-6789-abcd-ef0123456789))"],
    );
    c(
        "id eq ABCDEF01-2345-6789-ABCD-EF0123456789",
        expect!["(eq id Guid(abcdef01-2345-6789-abcd-ef0123456789))"],
    );
    c(
        "id eq '5e9d9c6a-1111-2222-3333-444455556666'",
        expect![[r#"(eq id String("5e9d9c6a-1111-2222-3333-444455556666"))"#]],
    );
    c("id eq 5e9", expect!["(eq id Decimal(5000000000.0))"]);
    c("id eq abcdef01", expect!["(eq id abcdef01)"]);
    c("id eq deadbeef/x", expect!["(eq id deadbeef/x)"]);
    c(
        "id eq 5e9d9c6a-1111-2222-3333-44445555666",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 6: '5e9d9c6a-1111-2222-3333-44445555666' is not a valid literal"
        ],
    );
    c(
        "id eq 5e9d9c6a-1111-2222-3333-4444555566667",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 6: '5e9d9c6a-1111-2222-3333-4444555566667' is not a valid literal"
        ],
    );
    c(
        "id eq 5e9d9c6a",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 6: '5e9d9c6a' is not a valid literal"
        ],
    );
    c("id eq 2024", expect!["(eq id Int(2024))"]);
    c("id eq 20240101", expect!["(eq id Int(20240101))"]);
}

#[test]
fn paths() {
    c(
        "target/objectId eq 'x'",
        expect![[r#"(eq target/objectId String("x"))"#]],
    );
    c("a/b/c/d eq 1", expect!["(eq a/b/c/d Int(1))"]);
    c(
        "DisplayName eq 'X'",
        expect![[r#"(eq DisplayName String("X"))"#]],
    );
    c("_private eq 1", expect!["(eq _private Int(1))"]);
    c(
        "microsoft.graph.user/displayName eq 'x'",
        expect![[r#"(eq microsoft.graph.user/displayName String("x"))"#]],
    );
    c("members/$count eq 0", expect!["(eq members/$count Int(0))"]);
    c("$it/id eq 1", expect!["(eq $it/id Int(1))"]);
    c("notes eq 1", expect!["(eq notes Int(1))"]);
    c("android eq 1", expect!["(eq android Int(1))"]);
    c("nullable eq true", expect!["(eq nullable Bool(true))"]);
    c("trueValue eq 1", expect!["(eq trueValue Int(1))"]);
    c("a", expect!["a"]);
}

#[test]
fn in_operator() {
    c(
        "state in ('delivered','expired')",
        expect![[r#"(in state [String("delivered") String("expired")])"#]],
    );
    c(
        "state in ('delivered')",
        expect![[r#"(in state [String("delivered")])"#]],
    );
    c(
        "id in (5e9d9c6a-1111-2222-3333-444455556666, 1, null)",
        expect!["(in id [Guid(5e9d9c6a-1111-2222-3333-444455556666) Int(1) Null])"],
    );
    c(
        "tolower(a) in ('x', concat('a','b'))",
        expect![[r#"(in tolower(a) [String("x") concat(String("a") String("b"))])"#]],
    );
    c(
        "a in ()",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: the list after 'in' is empty"
        ],
    );
    c(
        "a in 'x'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: expected a parenthesized list after 'in', e.g. state in ('delivered','expired'), found the string 'x'"
        ],
    );
    c(
        "a in ('x'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 9: expected ',' or ')' to close the 'in' list opened at position 5, found the end of the input"
        ],
    );
    c(
        "a in ('x' 'y')",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 10: expected ',' or ')' to close the 'in' list opened at position 5, found the string 'y'"
        ],
    );
}

#[test]
fn functions() {
    c(
        "contains(displayName,'team')",
        expect![[r#"contains(displayName String("team"))"#]],
    );
    c(
        "startswith(displayName,'a')",
        expect![[r#"startswith(displayName String("a"))"#]],
    );
    c(
        "startsWith(displayName,'a')",
        expect![[r#"startswith(displayName String("a"))"#]],
    );
    c(
        "endswith(mail,'@contoso.com')",
        expect![[r#"endswith(mail String("@contoso.com"))"#]],
    );
    c("length(a) eq 3", expect!["(eq length(a) Int(3))"]);
    c(
        "indexof(a,'x') eq 0",
        expect![[r#"(eq indexof(a String("x")) Int(0))"#]],
    );
    c(
        "substring(a,1) eq 'x'",
        expect![[r#"(eq substring(a Int(1)) String("x"))"#]],
    );
    c(
        "substring(a,1,2) eq 'x'",
        expect![[r#"(eq substring(a Int(1) Int(2)) String("x"))"#]],
    );
    c(
        "tolower(a) eq 'x'",
        expect![[r#"(eq tolower(a) String("x"))"#]],
    );
    c(
        "toupper(a) eq 'X'",
        expect![[r#"(eq toupper(a) String("X"))"#]],
    );
    c("trim(a) eq 'x'", expect![[r#"(eq trim(a) String("x"))"#]]);
    c(
        "concat(a,'x') eq 'yx'",
        expect![[r#"(eq concat(a String("x")) String("yx"))"#]],
    );
    c(
        "matchespattern(a,'^x.*$')",
        expect![[r#"matchespattern(a String("^x.*$"))"#]],
    );
    c("hassubset(a,b)", expect!["hassubset(a b)"]);
    c("hassubsequence(a,b)", expect!["hassubsequence(a b)"]);
    c(
        "year(d) eq 2024 and month(d) eq 1 and day(d) eq 2",
        expect!["(and (and (eq year(d) Int(2024)) (eq month(d) Int(1))) (eq day(d) Int(2)))"],
    );
    c(
        "hour(d) eq 1 and minute(d) eq 2 and second(d) eq 3",
        expect!["(and (and (eq hour(d) Int(1)) (eq minute(d) Int(2))) (eq second(d) Int(3)))"],
    );
    c(
        "fractionalseconds(d) lt 0.5 and totalseconds(t) gt 1",
        expect!["(and (lt fractionalseconds(d) Decimal(0.5)) (gt totalseconds(t) Int(1)))"],
    );
    c(
        "date(d) eq 2024-01-01 and time(d) lt 12:00",
        expect!["(and (eq date(d) Date(2024-01-01)) (lt time(d) TimeOfDay(12:00:00)))"],
    );
    c(
        "totaloffsetminutes(d) eq 60",
        expect!["(eq totaloffsetminutes(d) Int(60))"],
    );
    c(
        "d lt now() and d gt mindatetime() and d lt maxdatetime()",
        expect!["(and (and (lt d now()) (gt d mindatetime())) (lt d maxdatetime()))"],
    );
    c(
        "round(a) eq 1 and floor(a) eq 1 and ceiling(a) eq 2",
        expect!["(and (and (eq round(a) Int(1)) (eq floor(a) Int(1))) (eq ceiling(a) Int(2)))"],
    );
    c(
        "cast(a, Edm.String) eq '1'",
        expect![[r#"(eq cast(a Edm.String) String("1"))"#]],
    );
    c(
        "cast(Edm.Int32) eq 1",
        expect!["(eq cast(Edm.Int32) Int(1))"],
    );
    c(
        "isof(microsoft.graph.user)",
        expect!["isof(microsoft.graph.user)"],
    );
    c(
        "isof(a, microsoft.graph.user)",
        expect!["isof(a microsoft.graph.user)"],
    );
    c(
        "TOLOWER(a) eq 'x'",
        expect![[r#"(eq tolower(a) String("x"))"#]],
    );
    c(
        "contains(tolower(concat(a, b)), 'x')",
        expect![[r#"contains(tolower(concat(a b)) String("x"))"#]],
    );
}

#[test]
fn lambdas() {
    c(
        "tags/any(t: t eq 'x')",
        expect![[r#"(any tags t: (eq t String("x")))"#]],
    );
    c(
        "tags/all(t: t ne 'x')",
        expect![[r#"(all tags t: (ne t String("x")))"#]],
    );
    c("members/any()", expect!["(any members)"]);
    c("members/any( )", expect!["(any members)"]);
    c(
        "assignments/any(a: a/target/objectId eq 'x' and a/state eq 'delivered')",
        expect![[
            r#"(any assignments a: (and (eq a/target/objectId String("x")) (eq a/state String("delivered"))))"#
        ]],
    );
    c(
        "groups/any(g: g/members/any(m: m/id eq g/ownerId))",
        expect!["(any groups g: (any g/members m: (eq m/id g/ownerId)))"],
    );
    c(
        "a/any(x: x/b/all(y: y/c/any()))",
        expect!["(any a x: (all x/b y: (any y/c)))"],
    );
    c("a/ANY(x:x eq 1)", expect!["(any a x: (eq x Int(1)))"]);
    c(
        "not tags/any(t: t eq 'x')",
        expect![[r#"(not (any tags t: (eq t String("x"))))"#]],
    );
    c(
        "groupTypes/any(c:c eq 'Unified') and tags/any()",
        expect![[r#"(and (any groupTypes c: (eq c String("Unified"))) (any tags))"#]],
    );
    c(
        "x/any(d:d/val gt 1) or y eq 2",
        expect!["(or (any x d: (gt d/val Int(1))) (eq y Int(2)))"],
    );
}

#[test]
fn errors() {
    c(
        "",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 0: expected a filter expression"
        ],
    );
    c(
        "   ",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 3: expected a filter expression"
        ],
    );
    c(
        "displayName eq",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 14: expected an expression after 'eq'"
        ],
    );
    c(
        "displayName eq ",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 15: expected an expression after 'eq'"
        ],
    );
    c(
        "a eq 1 and",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 10: expected an expression after 'and'"
        ],
    );
    c(
        "a eq 1 and or b",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 11: expected an expression after 'and', found 'or'"
        ],
    );
    c(
        "(a eq 1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 7: expected ')' to close the '(' at position 0, found the end of the input"
        ],
    );
    c(
        "((a eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 9: expected ')' to close the '(' at position 0, found the end of the input"
        ],
    );
    c(
        "a eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 6: unbalanced parentheses: ')' has no matching '('"
        ],
    );
    c(
        "()",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 1: expected an expression after '(', found ')'"
        ],
    );
    c(
        "foo(a) eq 1",
        expect![
            "ERR UnknownFunction: Invalid $filter: syntax error at position 0: unknown function 'foo'"
        ],
    );
    c(
        "microsoft.graph.foo(a)",
        expect![
            "ERR UnknownFunction: Invalid $filter: syntax error at position 0: unknown function 'microsoft.graph.foo'"
        ],
    );
    c(
        "contains(a)",
        expect![
            "ERR WrongArity: Invalid $filter: syntax error at position 0: function 'contains' takes 2 arguments but 1 was given"
        ],
    );
    c(
        "contains(a,'b','c')",
        expect![
            "ERR WrongArity: Invalid $filter: syntax error at position 0: function 'contains' takes 2 arguments but 3 were given"
        ],
    );
    c(
        "now(1) eq 1",
        expect![
            "ERR WrongArity: Invalid $filter: syntax error at position 0: function 'now' takes 0 arguments but 1 was given"
        ],
    );
    c(
        "substring(a)",
        expect![
            "ERR WrongArity: Invalid $filter: syntax error at position 0: function 'substring' takes 2 or 3 arguments but 1 was given"
        ],
    );
    c(
        "contains(a,)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 11: expected an argument after ',', found ')'"
        ],
    );
    c(
        "contains(a 'b')",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 11: expected ',' or ')' to close the call to 'contains' opened at position 8, found the string 'b'"
        ],
    );
    c(
        "contains(a,'b'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 14: expected ',' or ')' to close the call to 'contains' opened at position 8, found the end of the input"
        ],
    );
    c(
        "a eq 'unterminated",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: unterminated string literal: the string starting at position 5 has no closing quote (write a quote inside a string as '')"
        ],
    );
    c(
        "a eq 'x' and b eq 'y",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 18: unterminated string literal: the string starting at position 18 has no closing quote (write a quote inside a string as '')"
        ],
    );
    c(
        "a eq 'x' foo",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 9: expected an operator (such as 'eq', 'and' or 'or') or the end of the expression, found 'foo'"
        ],
    );
    c(
        "a eqq 'x'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: expected an operator (such as 'eq', 'and' or 'or') or the end of the expression, found 'eqq'"
        ],
    );
    c(
        "a eq 1 2",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 7: expected an operator (such as 'eq', 'and' or 'or') or the end of the expression, found '2'"
        ],
    );
    c(
        "a eq 1abc",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: '1abc' is not a valid literal"
        ],
    );
    c(
        "a eq 1.",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: '1.' is not a valid literal"
        ],
    );
    c(
        "a eq 1.2.3",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: '1.2.3' is not a valid literal"
        ],
    );
    c(
        "a eq 9223372036854775808",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: the integer '9223372036854775808' is out of range (integers must be between -9223372036854775808 and 9223372036854775807)"
        ],
    );
    c(
        "a eq -9223372036854775809",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: the integer '-9223372036854775809' is out of range (integers must be between -9223372036854775808 and 9223372036854775807)"
        ],
    );
    c(
        "a eq 1e400",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: the number '1e400' is out of range"
        ],
    );
    c(
        "a eq 2024-13-01",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '2024-13-01' is not a valid date"
        ],
    );
    c(
        "a eq 2023-02-29",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '2023-02-29' is not a valid date"
        ],
    );
    c(
        "a eq 2024-01-01T25:00:00Z",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '2024-01-01T25:00:00Z' is not a valid date-time"
        ],
    );
    c(
        "a eq 2024-01-01T00:00:00",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: the date-time '2024-01-01T00:00:00' has no time zone: add 'Z' or an offset such as +02:00 (in a URL, write '+' as %2B)"
        ],
    );
    c(
        "a eq 2024-01-01T00:00:00 02:00",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: the date-time '2024-01-01T00:00:00' has no time zone: add 'Z' or an offset such as +02:00 (in a URL, write '+' as %2B)"
        ],
    );
    c(
        "a eq 2024-01-01T00:00:00+25:00",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '2024-01-01T00:00:00+25:00' is not a valid date-time"
        ],
    );
    c(
        "a eq 2024-01-01Tx",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '2024-01-01Tx' is not a valid date-time"
        ],
    );
    c(
        "a eq 24:00",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 5: '24:00' is not a valid time of day"
        ],
    );
    c(
        "a eq duration'P1M'",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 13: 'P1M' is not a valid duration (use days, hours, minutes and seconds, e.g. duration'P1DT2H30M')"
        ],
    );
    c(
        "a eq duration'xyz'",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 13: 'xyz' is not a valid duration (use days, hours, minutes and seconds, e.g. duration'P1DT2H30M')"
        ],
    );
    c(
        "a eq guid'5e9d9c6a-1111-2222-3333-444455556666'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: 'guid' cannot be followed by a quoted string (write GUIDs without quotes, e.g. 5e9d9c6a-1111-2222-3333-444455556666)"
        ],
    );
    c(
        "a eq x'00'",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: 'x' cannot be followed by a quoted string (enum values need a qualified type name, e.g. namespace.enumType'member')"
        ],
    );
    c(
        "a eq ns.enum''",
        expect![
            "ERR InvalidValue: Invalid $filter: syntax error at position 12: the enum value of type 'ns.enum' is empty"
        ],
    );
    c(
        "a eq @p1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: parameter aliases such as '@p1' are not supported; write the value inline"
        ],
    );
    c(
        "a eq $root/x",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: '$root' is not supported in an expression"
        ],
    );
    c(
        "a/ eq 1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: expected a property name after '/', found whitespace"
        ],
    );
    c(
        "a/$value eq 1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: '$value' is not supported in a path"
        ],
    );
    c(
        "a/b(1) eq 1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 2: 'b(' is not supported: only any() and all() may follow a path (functions take the path as an argument, e.g. startswith(a/b,'x'))"
        ],
    );
    c(
        "any(x: x eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 0: 'any' must follow a collection path, e.g. members/any(m: m/id eq '...')"
        ],
    );
    c(
        "tags/all()",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 10: all() needs a predicate, e.g. members/all(m: m/id ne '...')"
        ],
    );
    c(
        "tags/any(t t eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 11: expected ':' after the range variable 't', found 't'"
        ],
    );
    c(
        "tags/any(t:)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 11: expected a predicate after 't:', found ')'"
        ],
    );
    c(
        "tags/any(t: t eq 1",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 18: expected ')' to close 'any(' opened at position 8, found the end of the input"
        ],
    );
    c(
        "tags/any(1: t eq 1)",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 9: expected a range variable name after 'any(', e.g. members/any(m: m/id eq '...'), found '1:'"
        ],
    );
    c(
        "a eq #",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 5: expected an expression after 'eq', found '#'"
        ],
    );
    c(
        "not",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 3: expected an expression after 'not'"
        ],
    );
    c(
        "-",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 1: expected an expression after '-'"
        ],
    );
    c(
        "a eq 1 and (b eq 2 or c eq 3",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 28: expected ')' to close the '(' at position 11, found the end of the input"
        ],
    );
}

#[test]
fn error_positions_count_characters() {
    c(
        "'日本' eq 'x' foo",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 12: expected an operator (such as 'eq', 'and' or 'or') or the end of the expression, found 'foo'"
        ],
    );
    c(
        "a eq 'ü' and",
        expect![
            "ERR Syntax: Invalid $filter: syntax error at position 12: expected an expression after 'and'"
        ],
    );
}

#[test]
fn depth_limit() {
    let limits = Limits::default();
    let ok = format!("{}a{}", "(".repeat(32), ")".repeat(32));
    assert_eq!(filter_with(&ok, &limits), "a");
    let deep = format!("{}a{}", "(".repeat(33), ")".repeat(33));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 33: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 32)"].assert_eq(&filter_with(&deep, &limits));
    let nots = format!("{}a", "not ".repeat(100));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 131: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 32)"].assert_eq(&filter_with(&nots, &limits));
    let negs = format!("{}a", "-".repeat(100));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 33: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 32)"].assert_eq(&filter_with(&negs, &limits));
    let calls = format!("{}a{}", "tolower(".repeat(40), ")".repeat(40));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 264: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 32)"].assert_eq(&filter_with(&calls, &limits));
    let lambdas = format!("{}x eq 1{}", "a/any(x: ".repeat(40), ")".repeat(40));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 294: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 32)"].assert_eq(&filter_with(&lambdas, &limits));
    let small = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    expect!["a"].assert_eq(&filter_with("((a))", &small));
    expect!["ERR TooDeep: Invalid $filter: syntax error at position 3: the expression is nested too deeply (the maximum nesting of parentheses, function calls, lambdas and unary operators is 2)"].assert_eq(&filter_with("(((a)))", &small));
}

#[test]
fn long_flat_expressions_are_iterative() {
    // 2,000 `or` terms: no recursion per term, so no depth error.
    let s = vec!["a eq 1"; 2000].join(" or ");
    let limits = Limits {
        max_len: 1 << 20,
        ..Limits::default()
    };
    assert!(accessd_odata::parse_filter(&s, &limits).is_ok());
}

#[test]
fn deep_nesting_does_not_overflow_a_small_stack() {
    // 10,000 nested constructs on a 512 KiB stack (a quarter of a test
    // thread's) must give an error, not a stack overflow.
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let limits = Limits {
                max_len: 1 << 20,
                ..Limits::default()
            };
            let mut out = Vec::new();
            for s in [
                format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000)),
                "(".repeat(10_000),
                "not ".repeat(10_000),
                "-".repeat(10_000),
                "f(".repeat(10_000),
                "tolower(".repeat(10_000),
                "a/any(x:".repeat(10_000),
                "a in (".repeat(10_000),
            ] {
                let e = accessd_odata::parse_filter(&s, &limits).unwrap_err();
                out.push(format!("{:?}", e.kind));
            }
            out.join(" ")
        })
        .unwrap();
    expect!["TooDeep TooDeep TooDeep TooDeep UnknownFunction TooDeep TooDeep TooDeep"]
        .assert_eq(&handle.join().unwrap());
}

#[test]
fn length_limit() {
    let big = format!("a eq '{}'", "x".repeat(100_000));
    let start = std::time::Instant::now();
    expect![
        "ERR TooLong: Invalid $filter: the value is too long (100007 bytes; the maximum is 16384)"
    ]
    .assert_eq(&filter(&big));
    assert!(start.elapsed() < std::time::Duration::from_millis(100));
    let limits = Limits {
        max_len: 10,
        ..Limits::default()
    };
    expect!["ERR TooLong: Invalid $filter: the value is too long (12 bytes; the maximum is 10)"]
        .assert_eq(&filter_with("a eq 'abcde'", &limits));
    assert_eq!(filter_with("a eq 'abc'", &limits), "(eq a String(\"abc\"))");
}
