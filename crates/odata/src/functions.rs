//! The built-in OData functions accepted in `$filter`, with their arity.
//!
//! Only names are checked here; argument types are the consumer's business.

/// A known function: lower-case name and the allowed argument counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionSpec {
    /// Lower-case name as it appears in [`Expr::Call`](crate::Expr::Call).
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments.
    pub max_args: usize,
}

const fn f(name: &'static str, min_args: usize, max_args: usize) -> FunctionSpec {
    FunctionSpec {
        name,
        min_args,
        max_args,
    }
}

/// Every function the parser accepts (OData 4.01 canonical functions, minus
/// geo functions, which would need geography literals).
pub const FUNCTIONS: &[FunctionSpec] = &[
    // String and collection functions.
    f("contains", 2, 2),
    f("startswith", 2, 2),
    f("endswith", 2, 2),
    f("length", 1, 1),
    f("indexof", 2, 2),
    f("substring", 2, 3),
    f("tolower", 1, 1),
    f("toupper", 1, 1),
    f("trim", 1, 1),
    f("concat", 2, 2),
    f("matchespattern", 2, 2),
    f("hassubset", 2, 2),
    f("hassubsequence", 2, 2),
    // Date and time functions.
    f("year", 1, 1),
    f("month", 1, 1),
    f("day", 1, 1),
    f("hour", 1, 1),
    f("minute", 1, 1),
    f("second", 1, 1),
    f("fractionalseconds", 1, 1),
    f("totalseconds", 1, 1),
    f("date", 1, 1),
    f("time", 1, 1),
    f("totaloffsetminutes", 1, 1),
    f("now", 0, 0),
    f("maxdatetime", 0, 0),
    f("mindatetime", 0, 0),
    // Arithmetic functions.
    f("round", 1, 1),
    f("floor", 1, 1),
    f("ceiling", 1, 1),
    // Type functions.
    f("cast", 1, 2),
    f("isof", 1, 2),
];

/// Looks up a function by its lower-case name.
pub fn lookup(lower_name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|s| s.name == lower_name)
}

/// Describes the accepted argument count, e.g. `2 arguments`, `2 or 3 arguments`.
pub(crate) fn describe_arity(spec: &FunctionSpec) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    if spec.min_args == spec.max_args {
        format!("{} {}", spec.min_args, plural(spec.min_args))
    } else if spec.max_args == spec.min_args + 1 {
        format!("{} or {} arguments", spec.min_args, spec.max_args)
    } else {
        format!("{} to {} arguments", spec.min_args, spec.max_args)
    }
}
