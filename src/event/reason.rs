//! Why an event was rejected, as a value: each variant names what went wrong and carries what
//! its message needs. The message ([`std::fmt::Display`]) is the text a rejection shows in
//! every output (the `--rejected` file, summaries, the Python binding), unchanged from the
//! time reasons were plain text.

use std::fmt;

use rust_decimal::Decimal;

use super::InstantError;

/// The message of [`Reason::StorageFull`], also the error of a merge that would overflow.
pub(crate) const STORAGE_FULL: &str =
    "evaluator storage full: more than 4 GiB of ids, subject names or attribute values";

/// Why a line or an event was rejected.
///
/// Two reasons are equal when their messages are: a reason read back as text (from a
/// checkpoint, or a pickled scorecard) is a [`Reason::Other`], equal to the reason it was
/// written from. Serialized, a reason is its message.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub enum Reason {
    /// The line is not valid UTF-8: `not UTF-8 (invalid byte at offset 30)`.
    NotUtf8 {
        /// where the first invalid byte is, counted from the line's start
        offset: usize,
    },
    /// The line does not parse as JSON: `not JSON: expected value at line 1 column 1`
    /// (the parser's own words).
    NotJson(String),
    /// The event is JSON, but not an object: `not a JSON object (found an array)`.
    NotObject {
        /// the JSON type found ("an array", "a number", ...)
        found: &'static str,
    },
    /// A required field is absent: ``missing `id` ``.
    Missing(&'static str),
    /// A field that must not be empty is: ``empty `subject` ``.
    Empty(&'static str),
    /// A field has the wrong type: `` `kind` must be a string, found a number ``.
    WrongType {
        /// the field (`at`, `id`, `kind`, `subject`, `product`, `attrs`)
        field: &'static str,
        /// what it must be ("a string", "an object", ...)
        expected: &'static str,
        /// the JSON type found
        found: &'static str,
    },
    /// `at` is a string but not a valid instant: `` `at`: `...` is not RFC 3339 ... ``.
    At(InstantError),
    /// The product is not declared by the contract: ``unknown product `x` ``.
    UnknownProduct(String),
    /// A required attribute has a value it cannot have:
    /// `` `ticket.opened` attribute `priority` must be one of P1, P2, found "P9" ``.
    Attribute {
        /// the event's kind
        kind: Box<str>,
        /// the attribute
        name: Box<str>,
        /// what is wrong with its value (boxed: a rejection stays small)
        problem: Box<AttrProblem>,
    },
    /// A required attribute is absent or null:
    /// `` `ticket.opened` needs attribute `priority` (one of P1, P2) ``.
    MissingAttribute {
        /// the event's kind
        kind: Box<str>,
        /// the attribute
        name: Box<str>,
        /// what its value must be ("a JSON number", "one of P1, P2", ...)
        expected: Box<str>,
    },
    /// The line is over the reader's limit and was not parsed:
    /// `line longer than 1048576 bytes (2000000 bytes)`.
    LineTooLong {
        /// the limit, in bytes
        max: usize,
        /// the line's length, in bytes (without its newline)
        len: usize,
    },
    /// The evaluator already tracks as many subjects as it may, and the event is a new one's.
    TooManySubjects {
        /// the evaluator's limit
        max: usize,
    },
    /// The evaluator's storage of ids, subject names or attribute values is full.
    StorageFull,
    /// A reason given as text: read back from a checkpoint or a saved scorecard, or built by
    /// a binding for what only it can find wrong (a value it cannot convert).
    Other(String),
}

/// What is wrong with the value of a required attribute ([`Reason::Attribute`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrProblem {
    /// the value is of the wrong type, or not one of the enum's values:
    /// `must be a JSON number, found "12"`
    WrongValue {
        /// what the value must be ("a JSON number", "one of P1, P2", ...)
        expected: String,
        /// the value found, as JSON (cut after 40 characters)
        found: String,
    },
    /// a number beyond the bound of 10^18 in magnitude: `is out of range (1e19; ...)`
    OutOfRange(String),
    /// a number that is not a JSON integer literal (a fraction or an exponent, even `5.0` or
    /// `5e0`) for an `integer` attribute: ``must be an integer, found `4.5` ``
    NotInteger {
        /// the number as written (cut after 40 characters)
        found: String,
    },
    /// a number outside the attribute's declared range: ``must be from 1 to 5, found `6` ``
    OutsideRange {
        /// the least value allowed, in the attribute's unit
        min: Decimal,
        /// the greatest value allowed, in the attribute's unit
        max: Decimal,
        /// the number as written (cut after 40 characters)
        found: String,
    },
    /// a string that is not a valid instant: `is not a valid time: ...`
    InvalidTime(InstantError),
}

impl fmt::Display for AttrProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrProblem::WrongValue { expected, found } => {
                write!(f, "must be {expected}, found {found}")
            }
            AttrProblem::OutOfRange(text) => write!(
                f,
                "is out of range ({text}; numbers are at most 10^18 in magnitude)"
            ),
            AttrProblem::InvalidTime(e) => write!(f, "is not a valid time: {e}"),
            AttrProblem::NotInteger { found } => write!(f, "must be an integer, found `{found}`"),
            AttrProblem::OutsideRange { min, max, found } => write!(
                f,
                "must be from {} to {}, found `{found}`",
                min.normalize(),
                max.normalize()
            ),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotUtf8 { offset } => {
                write!(f, "not UTF-8 (invalid byte at offset {offset})")
            }
            Reason::NotJson(e) => write!(f, "not JSON: {e}"),
            Reason::NotObject { found } => write!(f, "not a JSON object (found {found})"),
            Reason::Missing(field) => write!(f, "missing `{field}`"),
            Reason::Empty(field) => write!(f, "empty `{field}`"),
            Reason::WrongType {
                field,
                expected,
                found,
            } => write!(f, "`{field}` must be {expected}, found {found}"),
            Reason::At(e) => write!(f, "`at`: {e}"),
            Reason::UnknownProduct(p) => write!(f, "unknown product `{p}`"),
            Reason::Attribute {
                kind,
                name,
                problem,
            } => write!(f, "`{kind}` attribute `{name}` {problem}"),
            Reason::MissingAttribute {
                kind,
                name,
                expected,
            } => write!(f, "`{kind}` needs attribute `{name}` ({expected})"),
            Reason::LineTooLong { max, len } => {
                write!(f, "line longer than {max} bytes ({len} bytes)")
            }
            Reason::TooManySubjects { max } => write!(
                f,
                "too many subjects: the evaluator tracks at most {max} (see Evaluator::set_max_subjects)"
            ),
            Reason::StorageFull => f.write_str(STORAGE_FULL),
            Reason::Other(text) => f.write_str(text),
        }
    }
}

/// Reasons are equal when their messages are (see [`Reason`]).
impl PartialEq for Reason {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Reason::Other(a), Reason::Other(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for Reason {}

impl From<String> for Reason {
    /// A reason given as text: [`Reason::Other`].
    fn from(text: String) -> Self {
        Reason::Other(text)
    }
}

impl serde::Serialize for Reason {
    /// The message, as a string.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Reason {
    /// A message read back: [`Reason::Other`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Reason::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::{AttrProblem, Decimal, Reason};

    #[test]
    fn messages_and_round_trip() {
        let cases = [
            (
                Reason::NotUtf8 { offset: 30 },
                "not UTF-8 (invalid byte at offset 30)",
            ),
            (Reason::Missing("at"), "missing `at`"),
            (Reason::Empty("id"), "empty `id`"),
            (
                Reason::WrongType {
                    field: "kind",
                    expected: "a string",
                    found: "a number",
                },
                "`kind` must be a string, found a number",
            ),
            (
                Reason::Attribute {
                    kind: "k".into(),
                    name: "n".into(),
                    problem: Box::new(AttrProblem::OutOfRange("1e19".into())),
                },
                "`k` attribute `n` is out of range (1e19; numbers are at most 10^18 in magnitude)",
            ),
            (
                Reason::Attribute {
                    kind: "survey.rated".into(),
                    name: "rating".into(),
                    problem: Box::new(AttrProblem::NotInteger {
                        found: "4.5".into(),
                    }),
                },
                "`survey.rated` attribute `rating` must be an integer, found `4.5`",
            ),
            (
                Reason::Attribute {
                    kind: "survey.rated".into(),
                    name: "rating".into(),
                    problem: Box::new(AttrProblem::OutsideRange {
                        min: Decimal::ONE,
                        max: Decimal::new(500, 2),
                        found: "6".into(),
                    }),
                },
                "`survey.rated` attribute `rating` must be from 1 to 5, found `6`",
            ),
            (
                Reason::LineTooLong { max: 100, len: 150 },
                "line longer than 100 bytes (150 bytes)",
            ),
        ];
        for (r, text) in cases {
            assert_eq!(r.to_string(), text);
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            let back: Reason = serde_json::from_str(&json).unwrap();
            assert!(matches!(back, Reason::Other(_)));
            assert_eq!(back, r);
        }
        assert_ne!(Reason::Missing("at"), Reason::Missing("id"));
        // a rejection (line, reason, text) stays small
        assert!(std::mem::size_of::<Reason>() <= 56);
    }
}
