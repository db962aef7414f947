//! Events: the canonical record, strict validation against the contract, and a streaming
//! JSON Lines reader that never drops a line silently.
//!
//! A line is either accepted (validated into a compact [`Event`]) or rejected with a
//! [`Rejection`] that keeps the line number, the reason and the text. Duplicates are decided
//! later, among accepted events only.

mod instant;
mod jsonl;
mod reason;
mod scan;
mod validate;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contract::{KindId, ProductId};

pub use instant::{parse_instant, InstantError};
pub(crate) use jsonl::read_lines;
pub use jsonl::{read_jsonl, read_jsonl_with, LineOutcome, LineRef};
pub(crate) use reason::STORAGE_FULL;
pub use reason::{AttrProblem, Reason};
pub use validate::{Scalar, Validator};

/// Limits that keep hostile input bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// longer lines are rejected without being parsed
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 1 << 20,
        }
    }
}

/// The value of a declared attribute, in the attribute's base unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrValue {
    /// absent or `null` (also an optional attribute given with the wrong type)
    #[default]
    Missing,
    /// a `text` value
    Text(String),
    /// index into the enum's values
    Enum(u16),
    /// a `bool` value
    Bool(bool),
    /// a `number` value, exact, at most [`MAX_NUMBER`] in magnitude
    Number(Decimal),
    /// Unix seconds
    Time(i64),
}

/// An accepted event, validated against the contract: only the validator makes one, so its
/// kind, product and attributes always fit the contract it was validated for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// shared, not copied, by the evaluator's duplicate set
    pub(crate) id: std::sync::Arc<str>,
    /// Unix seconds (fractional seconds truncated)
    pub(crate) at: i64,
    /// `None`: a kind the contract does not declare (accepted and ignored)
    pub(crate) kind: Option<KindId>,
    /// The subject's id (`T-1`): the events sharing it make up one subject's lifecycle.
    pub(crate) subject: String,
    /// The product the event is about.
    pub(crate) product: ProductId,
    /// one value per declared attribute of the kind, in declaration order
    pub(crate) attrs: Vec<AttrValue>,
}

impl Event {
    /// The event's id (unique per event; a repeated id is a duplicate).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its instant, Unix seconds.
    pub fn at(&self) -> i64 {
        self.at
    }

    /// Its kind, an index into the contract's kinds; `None` for a kind the contract does
    /// not declare.
    pub fn kind(&self) -> Option<KindId> {
        self.kind
    }

    /// Its subject's id.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Its product, an index into the contract's catalog.
    pub fn product(&self) -> ProductId {
        self.product
    }

    /// One value per declared attribute of its kind, in declaration order.
    pub fn attrs(&self) -> &[AttrValue] {
        &self.attrs
    }
}

impl Event {
    /// A borrowed view of the event.
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            id: &self.id,
            at: self.at,
            kind: self.kind,
            subject: &self.subject,
            product: self.product,
            attrs: &self.attrs,
        }
    }
}

/// An accepted event, borrowed: what the evaluator reads of it. Reading a file hands these
/// over without allocating per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The event's `id`.
    pub id: &'a str,
    /// Unix seconds (fractional seconds truncated).
    pub at: i64,
    /// `None`: a kind the contract does not declare.
    pub kind: Option<KindId>,
    /// The subject's id.
    pub subject: &'a str,
    /// The product the event is about.
    pub product: ProductId,
    /// One value per declared attribute of the kind, in declaration order.
    pub attrs: &'a [AttrValue],
}

impl EventRef<'_> {
    /// An owned copy.
    pub fn to_event(&self) -> Event {
        Event {
            id: std::sync::Arc::from(self.id),
            at: self.at,
            kind: self.kind,
            subject: self.subject.to_string(),
            product: self.product,
            attrs: self.attrs.to_vec(),
        }
    }
}

/// Why an event was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// 1-based line number in the input, when read from a file
    pub line: Option<u64>,
    /// What is wrong: [`Reason::UnknownProduct`], shown as "unknown product `x`" (and
    /// serialized as that text).
    pub reason: Reason,
    /// the line or record as received (lossy UTF-8)
    pub text: String,
}

/// Why nothing was accepted: how many events were rejected, with the first few reasons (the
/// text of an error that would otherwise only say "no accepted events").
pub fn rejection_summary(rejected: &[Rejection]) -> String {
    const SHOWN: usize = 3;
    if rejected.is_empty() {
        return "the input holds no events".into();
    }
    let mut out = format!(
        "{} event{} rejected; the first reason{}: ",
        rejected.len(),
        if rejected.len() == 1 {
            " was"
        } else {
            "s were"
        },
        if rejected.len() == 1 { "" } else { "s" },
    );
    let firsts: Vec<String> = rejected
        .iter()
        .take(SHOWN)
        .map(|r| match r.line {
            Some(l) => format!("line {l}: {}", r.reason),
            None => r.reason.to_string(),
        })
        .collect();
    out.push_str(&firsts.join("; "));
    if rejected.len() > SHOWN {
        out.push_str(&format!("; and {} more", rejected.len() - SHOWN));
    }
    out
}

/// Adds `lines` to the line number of every rejection: for rejections of a part read from
/// the middle of a file, numbered from that part's start.
pub(crate) fn renumber(rejected: &mut [Rejection], lines: u64) {
    for r in rejected {
        if let Some(l) = &mut r.line {
            *l += lines;
        }
    }
}

/// An event as handed in by a caller (Rust service, Python), before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// The event's unique id; an event with an id already accepted is a duplicate.
    pub id: String,
    /// RFC 3339 with seconds and an offset
    pub at: String,
    /// The kind's name; a kind the contract does not declare is accepted and counts nowhere.
    pub kind: String,
    /// The subject's id.
    pub subject: String,
    /// The product's id; an event without one, or with one not in the catalog, is rejected.
    pub product: Option<String>,
    /// Informational: neither validated nor used in scoring.
    pub party: Option<String>,
    /// Attribute values by name, as JSON.
    pub attrs: serde_json::Map<String, serde_json::Value>,
}

/// Attribute numbers are at most this in magnitude: sums of up to 7.9 × 10^10 of them stay
/// within the decimal range, so means and sums are exact and never overflow.
pub const MAX_NUMBER: Decimal = Decimal::from_parts(0xa764_0000, 0x0de0_b6b3, 0, false, 0);

#[cfg(test)]
mod tests {
    /// A generated stream with this share of malformed lines (per million), as text.
    pub(super) fn generated(events: u64, malformed_ppm: u32) -> String {
        let cfg = slagrade_gen::GenConfig {
            events,
            malformed_ppm,
            ..Default::default()
        };
        let mut buf = Vec::new();
        slagrade_gen::generate(&cfg, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }
}
