//! Property test over the whole `$filter` and `$search` grammars: random
//! syntax trees are printed as canonical OData text, and parsing that text
//! must give back exactly the same tree. This checks the parser (every
//! literal kind, operator, function, lambda and `in`) and the printer against
//! each other.

use accessd_odata::functions::FUNCTIONS;
use accessd_odata::{
    BinaryOp, Expr, LambdaKind, Limits, Literal, SearchExpr, parse_filter, parse_search,
};
use chrono::{FixedOffset, NaiveDate, NaiveTime, TimeZone};
use proptest::prelude::*;

fn segment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "displayName",
        "target",
        "objectId",
        "x1",
        "_y",
        "Ünïcode",
        "microsoft.graph.user",
        "notes",
        "android",
        "P1Dx",
    ])
    .prop_map(str::to_owned)
}

fn path() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(segment(), 1..4)
}

fn duration() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::option::of(0u32..400),
        prop::option::of(0u32..24),
        prop::option::of(0u32..60),
        prop::option::of((0u32..60, prop::option::of(1u32..1000))),
    )
        .prop_filter("needs a component", |(_, d, h, m, s)| {
            d.is_some() || h.is_some() || m.is_some() || s.is_some()
        })
        .prop_map(|(neg, d, h, m, s)| {
            let mut out = String::new();
            if neg {
                out.push('-');
            }
            out.push('P');
            if let Some(d) = d {
                out.push_str(&format!("{d}D"));
            }
            if h.is_some() || m.is_some() || s.is_some() {
                out.push('T');
                if let Some(h) = h {
                    out.push_str(&format!("{h}H"));
                }
                if let Some(m) = m {
                    out.push_str(&format!("{m}M"));
                }
                if let Some((s, frac)) = s {
                    match frac {
                        Some(f) => out.push_str(&format!("{s}.{f}S")),
                        None => out.push_str(&format!("{s}S")),
                    }
                }
            }
            out
        })
}

fn literal() -> impl Strategy<Value = Literal> {
    let date = (0i32..=9999, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let time = (0u32..24, 0u32..60, 0u32..60, 0u32..1_000_000_000)
        .prop_map(|(h, m, s, n)| NaiveTime::from_hms_nano_opt(h, m, s, n).unwrap());
    let datetime = (
        1i32..=9998,
        1u32..=12,
        1u32..=28,
        time.clone(),
        -14 * 60i32..=14 * 60,
    )
        .prop_map(|(y, mo, d, t, off)| {
            let offset = FixedOffset::east_opt(off * 60).unwrap();
            let naive = NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_time(t);
            offset.from_local_datetime(&naive).single().unwrap()
        });
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(Literal::Decimal),
        any::<String>().prop_map(Literal::String),
        any::<u128>().prop_map(|n| Literal::Guid(uuid::Uuid::from_u128(n))),
        datetime.prop_map(Literal::DateTimeOffset),
        date.prop_map(Literal::Date),
        time.prop_map(Literal::TimeOfDay),
        duration().prop_map(Literal::Duration),
        ("[a-z]{1,8}", ".{1,10}").prop_map(|(t, member)| Literal::Enum {
            type_name: format!("microsoft.graph.{t}"),
            member,
        }),
    ]
}

const OPS: &[BinaryOp] = &[
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Has,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
];

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(Expr::Literal),
        path().prop_map(Expr::Path)
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (prop::sample::select(OPS), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                Expr::Binary {
                    op,
                    left: Box::new(l),
                    right: Box::new(r),
                }
            }),
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            inner.clone().prop_map(|e| Expr::Negate(Box::new(e))),
            (inner.clone(), prop::collection::vec(inner.clone(), 1..4)).prop_map(|(e, list)| {
                Expr::In {
                    expr: Box::new(e),
                    list,
                }
            }),
            (
                prop::sample::select(FUNCTIONS),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(spec, mut args)| {
                    while args.len() < spec.min_args {
                        args.push(Expr::Literal(Literal::Int(1)));
                    }
                    args.truncate(spec.max_args);
                    Expr::Call {
                        name: spec.name.to_owned(),
                        args,
                    }
                }),
            (
                path(),
                any::<bool>(),
                prop::sample::select(vec!["x", "y", "item"]),
                inner
            )
                .prop_map(|(collection, all, var, pred)| Expr::Lambda {
                    collection,
                    kind: if all {
                        LambdaKind::All
                    } else {
                        LambdaKind::Any
                    },
                    variable: Some(var.to_owned()),
                    predicate: Some(Box::new(pred)),
                }),
            path().prop_map(|collection| Expr::Lambda {
                collection,
                kind: LambdaKind::Any,
                variable: None,
                predicate: None,
            }),
        ]
    })
}

fn search() -> impl Strategy<Value = SearchExpr> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9:.@_-]{1,10}"
            .prop_filter("not an operator", |w| !matches!(
                w.as_str(),
                "AND" | "OR" | "NOT"
            ))
            .prop_map(SearchExpr::Term),
        ".{1,12}".prop_map(SearchExpr::Phrase),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| SearchExpr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| SearchExpr::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| SearchExpr::Not(Box::new(a))),
        ]
    })
}

/// Case count: `PROPTEST_CASES` when set (for long local runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1000), ..ProptestConfig::default() })]

    #[test]
    fn filter_text_round_trips(e in expr()) {
        let limits = Limits { max_depth: 64, max_len: 1 << 20, ..Limits::default() };
        let text = e.to_string();
        prop_assert_eq!(parse_filter(&text, &limits), Ok(e), "text: {}", text);
    }

    #[test]
    fn search_text_round_trips(e in search()) {
        let limits = Limits { max_depth: 64, ..Limits::default() };
        let text = e.to_string();
        prop_assert_eq!(parse_search(&text, &limits), Ok(e), "text: {}", text);
    }
}
