//! Canonical OData text for the syntax tree (`Display` impls), and
//! [`QueryOptions::to_query_string`]. Parsing the text again gives back an
//! equal tree.

use std::fmt::{self, Display, Formatter, Write as _};

use chrono::SecondsFormat;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::ast::{
    ExpandItem, Expr, LambdaKind, Levels, Literal, OrderItem, QueryOptions, SearchExpr, SelectItem,
};

/// Binding power of an expression node (primaries bind tightest).
fn expr_prec(e: &Expr) -> u8 {
    match e {
        Expr::Binary { op, .. } => op.precedence(),
        Expr::In { .. } => 3,
        Expr::Not(_) | Expr::Negate(_) => 6,
        _ => 7,
    }
}

fn write_expr(f: &mut Formatter<'_>, e: &Expr, min_prec: u8) -> fmt::Result {
    let p = expr_prec(e);
    if p < min_prec {
        f.write_char('(')?;
        write_expr(f, e, 0)?;
        return f.write_char(')');
    }
    match e {
        Expr::Literal(l) => write!(f, "{l}"),
        Expr::Path(segs) => f.write_str(&segs.join("/")),
        Expr::Binary { op, left, right } => {
            write_expr(f, left, p)?;
            write!(f, " {} ", op.keyword())?;
            write_expr(f, right, p + 1)
        }
        Expr::Not(x) => {
            f.write_str("not ")?;
            write_expr(f, x, 6)
        }
        Expr::Negate(x) => {
            // A minus written right before a number would be read back as a
            // negative literal, so keep them apart.
            f.write_char('-')?;
            if matches!(**x, Expr::Literal(_)) {
                f.write_char(' ')?;
            }
            write_expr(f, x, 6)
        }
        Expr::In { expr, list } => {
            write_expr(f, expr, 3)?;
            f.write_str(" in (")?;
            write_list(f, list)?;
            f.write_char(')')
        }
        Expr::Call { name, args } => {
            write!(f, "{name}(")?;
            write_list(f, args)?;
            f.write_char(')')
        }
        Expr::Lambda {
            collection,
            kind,
            variable,
            predicate,
        } => {
            let kw = match kind {
                LambdaKind::Any => "any",
                LambdaKind::All => "all",
            };
            write!(f, "{}/{kw}(", collection.join("/"))?;
            if let (Some(v), Some(p)) = (variable, predicate) {
                write!(f, "{v}: ")?;
                write_expr(f, p, 0)?;
            }
            f.write_char(')')
        }
    }
}

fn write_list(f: &mut Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        write_expr(f, item, 0)?;
    }
    Ok(())
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

fn write_quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "'{}'", s.replace('\'', "''"))
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(n) => write!(f, "{n}"),
            // Debug keeps a fraction or exponent, so the text reads back as a decimal.
            Literal::Decimal(v) => write!(f, "{v:?}"),
            Literal::String(s) => write_quoted(f, s),
            Literal::Guid(g) => write!(f, "{g}"),
            Literal::DateTimeOffset(dt) => {
                f.write_str(&dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            Literal::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Literal::TimeOfDay(t) => write!(f, "{}", t.format("%H:%M:%S%.f")),
            Literal::Duration(d) => write!(f, "duration'{d}'"),
            Literal::Enum { type_name, member } => {
                f.write_str(type_name)?;
                write_quoted(f, member)
            }
        }
    }
}

fn search_prec(e: &SearchExpr) -> u8 {
    match e {
        SearchExpr::Or(..) => 1,
        SearchExpr::And(..) => 2,
        SearchExpr::Not(_) => 3,
        SearchExpr::Term(_) | SearchExpr::Phrase(_) => 4,
    }
}

fn write_search(f: &mut Formatter<'_>, e: &SearchExpr, min_prec: u8) -> fmt::Result {
    let p = search_prec(e);
    if p < min_prec {
        f.write_char('(')?;
        write_search(f, e, 0)?;
        return f.write_char(')');
    }
    match e {
        SearchExpr::Term(t) => f.write_str(t),
        SearchExpr::Phrase(s) => {
            write!(f, "\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        }
        SearchExpr::And(a, b) => {
            write_search(f, a, 2)?;
            f.write_str(" AND ")?;
            write_search(f, b, 3)
        }
        SearchExpr::Or(a, b) => {
            write_search(f, a, 1)?;
            f.write_str(" OR ")?;
            write_search(f, b, 2)
        }
        SearchExpr::Not(x) => {
            f.write_str("NOT ")?;
            write_search(f, x, 3)
        }
    }
}

impl Display for SearchExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_search(f, self, 0)
    }
}

impl Display for SelectItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SelectItem::Star => f.write_char('*'),
            SelectItem::Path(p) => f.write_str(&p.join("/")),
        }
    }
}

impl Display for OrderItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path.join("/"))?;
        if self.descending {
            f.write_str(" desc")?;
        }
        Ok(())
    }
}

impl Display for Levels {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Levels::Max => f.write_str("max"),
            Levels::N(n) => write!(f, "{n}"),
        }
    }
}

impl Display for ExpandItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path.join("/"))?;
        if self.is_ref {
            f.write_str("/$ref")?;
        }
        if !self.options.is_empty() {
            f.write_char('(')?;
            let mut first = true;
            for (name, value) in option_pairs(&self.options) {
                if !first {
                    f.write_char(';')?;
                }
                first = false;
                write!(f, "{name}={value}")?;
            }
            f.write_char(')')?;
        }
        Ok(())
    }
}

fn join<T: Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The set options as (name, canonical value) pairs, in a fixed order.
fn option_pairs(o: &QueryOptions) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(x) = &o.filter {
        out.push(("$filter", x.to_string()));
    }
    if let Some(x) = &o.select {
        out.push(("$select", join(x)));
    }
    if let Some(x) = &o.expand {
        out.push(("$expand", join(x)));
    }
    if let Some(x) = &o.orderby {
        out.push(("$orderby", join(x)));
    }
    if let Some(x) = o.top {
        out.push(("$top", x.to_string()));
    }
    if let Some(x) = o.skip {
        out.push(("$skip", x.to_string()));
    }
    if let Some(x) = o.count {
        out.push(("$count", x.to_string()));
    }
    if let Some(x) = &o.search {
        out.push(("$search", x.to_string()));
    }
    if let Some(x) = &o.skiptoken {
        out.push(("$skiptoken", x.clone()));
    }
    if let Some(x) = &o.deltatoken {
        out.push(("$deltatoken", x.clone()));
    }
    if let Some(x) = o.levels {
        out.push(("$levels", x.to_string()));
    }
    out
}

/// Characters percent-encoded in query-string values by
/// [`QueryOptions::to_query_string`].
const VALUE_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

impl QueryOptions {
    /// The options as a percent-encoded query string (without `?`), e.g.
    /// `$filter=id%20eq%20'x'&$top=5`. Parsing it again gives equal options,
    /// which makes it suitable for building `@odata.nextLink`.
    pub fn to_query_string(&self) -> String {
        option_pairs(self)
            .into_iter()
            .map(|(name, value)| format!("{name}={}", utf8_percent_encode(&value, VALUE_ENCODE)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Decoded form: `$filter=a eq 1&$top=5` (not percent-encoded).
impl Display for QueryOptions {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (n, (name, value)) in option_pairs(self).into_iter().enumerate() {
            if n > 0 {
                f.write_char('&')?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}
