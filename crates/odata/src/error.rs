//! Errors: the public [`ParseError`] / [`ParseErrorKind`] handed to callers, and
//! the internal error type `PErr` that the winnow parsers carry (it records
//! where in the input the error happened, as a distance from the end, until the
//! top-level driver turns it into a character position).

use std::fmt;

use winnow::error::{AddContext, ErrMode, FromExternalError, ParserError};
use winnow::stream::Stream;

/// What kind of problem a [`ParseError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text does not follow the grammar (unbalanced parentheses,
    /// unterminated string, trailing garbage, missing operand, ...).
    Syntax,
    /// A function name that is not a known OData function.
    UnknownFunction,
    /// A known function called with the wrong number of arguments.
    WrongArity,
    /// Nesting deeper than [`Limits::max_depth`](crate::Limits::max_depth) or
    /// [`Limits::max_expand_depth`](crate::Limits::max_expand_depth).
    TooDeep,
    /// A value longer than [`Limits::max_len`](crate::Limits::max_len).
    TooLong,
    /// A syntactically recognisable value that is not acceptable: `$top=-1`,
    /// `$count=maybe`, an out-of-range integer, `2024-13-01`, invalid UTF-8...
    InvalidValue,
    /// The same system query option given twice.
    DuplicateOption,
    /// A `$name` that is not a supported system query option.
    UnknownOption,
}

/// A parse failure, with enough detail to tell a Graph user what is wrong.
///
/// `Display` renders it as one sentence, e.g.
/// `Invalid $filter: syntax error at position 15: expected an expression after 'eq'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The query option concerned, e.g. `$filter`, `$top` (lower case for
    /// known options, as written for unknown ones).
    pub option: String,
    /// What is wrong, as a sentence fragment without the option name.
    pub message: String,
    /// 0-based character offset within the (percent-decoded) option value, when
    /// the problem is at a specific place.
    pub position: Option<usize>,
    /// The category of the problem.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// Builds an error without a position.
    pub fn new(
        kind: ParseErrorKind,
        option: impl Into<String>,
        message: impl Into<String>,
    ) -> ParseError {
        ParseError {
            option: option.into(),
            message: message.into(),
            position: None,
            kind,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(
                f,
                "Invalid {}: syntax error at position {}: {}",
                self.option, p, self.message
            ),
            None => write!(f, "Invalid {}: {}", self.option, self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// The error type carried inside the winnow parsers.
///
/// `remaining` is the number of bytes left in the input at the error, which the
/// driver turns into a character position once it knows the whole text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PErr {
    pub remaining: usize,
    pub kind: ParseErrorKind,
    /// A complete message, when the parser knew exactly what went wrong.
    pub message: Option<String>,
    /// Otherwise: what would have been acceptable here.
    pub expected: Vec<&'static str>,
}

/// Result type of all internal parsers.
pub(crate) type PResult<O> = Result<O, ErrMode<PErr>>;

impl PErr {
    pub fn new(remaining: usize, kind: ParseErrorKind, message: impl Into<String>) -> PErr {
        PErr {
            remaining,
            kind,
            message: Some(message.into()),
            expected: Vec::new(),
        }
    }
}

impl<I: Stream> ParserError<I> for PErr {
    type Inner = Self;

    fn from_input(input: &I) -> Self {
        PErr {
            remaining: input.eof_offset(),
            kind: ParseErrorKind::Syntax,
            message: None,
            expected: Vec::new(),
        }
    }

    // Never panic, whatever winnow thinks of a parser (the default panics in
    // debug builds).
    fn assert(input: &I, _message: &'static str) -> Self
    where
        I: fmt::Debug,
    {
        Self::from_input(input)
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got furthest; merge expectations on a tie.
        match self.remaining.cmp(&other.remaining) {
            std::cmp::Ordering::Less => self,
            std::cmp::Ordering::Greater => other,
            std::cmp::Ordering::Equal => {
                if self.message.is_some() {
                    self
                } else if other.message.is_some() {
                    other
                } else {
                    let mut merged = self;
                    for e in other.expected {
                        if !merged.expected.contains(&e) {
                            merged.expected.push(e);
                        }
                    }
                    merged
                }
            }
        }
    }

    fn into_inner(self) -> Result<Self::Inner, Self> {
        Ok(self)
    }
}

impl<I: Stream> AddContext<I, &'static str> for PErr {
    fn add_context(
        mut self,
        _input: &I,
        _token_start: &<I as Stream>::Checkpoint,
        context: &'static str,
    ) -> Self {
        if self.message.is_none() && !self.expected.contains(&context) {
            self.expected.push(context);
        }
        self
    }
}

impl<I: Stream, E: fmt::Display> FromExternalError<I, E> for PErr {
    fn from_external_error(input: &I, e: E) -> Self {
        PErr {
            remaining: input.eof_offset(),
            kind: ParseErrorKind::InvalidValue,
            message: Some(e.to_string()),
            expected: Vec::new(),
        }
    }
}
