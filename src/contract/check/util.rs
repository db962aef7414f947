//! Small helpers shared by the checker passes: suggestions, units, patterns.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::contract::{PayBand, PayShare, Payment, PeriodKind, ProductId, Table, Unit};
use crate::language::ast::{Quantity, UnitLit};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Levenshtein distance over characters, case-insensitive.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The closest candidate within a distance of a third of the name's length (at least 1);
/// none when two candidates are equally close.
pub fn suggest<'a, I>(name: &str, cands: I) -> Option<String>
where
    I: IntoIterator,
    I::Item: AsRef<str> + 'a,
{
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    // (distance, candidate, tied with another candidate at that distance)
    let mut best: Option<(usize, String, bool)> = None;
    for c in cands {
        let c = c.as_ref();
        if c == name {
            continue;
        }
        let d = edit_distance(name, c);
        if d > limit {
            continue;
        }
        match &mut best {
            Some((bd, bc, tie)) if d == *bd => *tie |= *bc != c,
            Some((bd, _, _)) if d > *bd => {}
            _ => best = Some((d, c.to_string(), false)),
        }
    }
    // Two equally close candidates: no guess is better than a wrong one.
    best.filter(|(_, _, tie)| !tie).map(|(_, c, _)| c)
}

/// Adds "did you mean `X`?" when a close candidate exists, else `fallback` (if not empty).
pub(crate) fn with_suggestion<I>(d: Diagnostic, name: &str, cands: I, fallback: &str) -> Diagnostic
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    match suggest(name, cands) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None if fallback.is_empty() => d,
        None => d.with_help(fallback.to_string()),
    }
}

/// A list for a message: "`a`, `b`, `c`".
pub(crate) fn list<I>(items: I) -> String
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn period_kind(name: &str) -> Option<PeriodKind> {
    match name {
        "month" => Some(PeriodKind::Month),
        "quarter" => Some(PeriodKind::Quarter),
        "year" => Some(PeriodKind::Year),
        _ => None,
    }
}

pub(crate) fn period_name(p: PeriodKind) -> &'static str {
    match p {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Year => "year",
    }
}

pub(crate) fn unit_symbol(u: UnitLit) -> &'static str {
    match u {
        UnitLit::Percent => "%",
        UnitLit::Millis => "ms",
        UnitLit::Seconds => "s",
        UnitLit::Minutes => "m",
        UnitLit::Hours => "h",
        UnitLit::Days => "d",
    }
}

/// The quantity as written: `95%`, `2000ms`, `0.95`.
pub(crate) fn quantity_text(q: &Quantity) -> String {
    match q.unit {
        Some(u) => format!("{}{}", q.number, unit_symbol(u)),
        None => q.number.to_string(),
    }
}

/// The unit in words, for messages.
pub(crate) fn unit_words(u: Unit) -> &'static str {
    match u {
        Unit::Fraction => "a share",
        Unit::Millis => "milliseconds",
        Unit::Seconds => "seconds",
        Unit::Count => "a count",
        Unit::Number => "a plain number",
    }
}

/// What a literal in that unit looks like, for messages.
pub(crate) fn unit_example(u: Unit) -> &'static str {
    match u {
        Unit::Fraction => "a share such as `95%`",
        Unit::Millis => "milliseconds such as `50ms`",
        Unit::Seconds => "seconds such as `30s`",
        Unit::Count => "a plain count such as `0`",
        Unit::Number => "a plain number such as `10`",
    }
}

/// Converts a written quantity to the base unit of `unit`; `None` on a unit mismatch.
pub(crate) fn convert(q: &Quantity, unit: Unit) -> Option<Decimal> {
    let n = q.number;
    match (unit, q.unit) {
        (Unit::Fraction, Some(UnitLit::Percent)) => Some(n / Decimal::ONE_HUNDRED),
        (Unit::Fraction, None) if n >= Decimal::ZERO && n <= Decimal::ONE => Some(n),
        (Unit::Millis, Some(UnitLit::Millis) | None) => Some(n),
        (Unit::Seconds, Some(UnitLit::Seconds) | None) => Some(n),
        (Unit::Count | Unit::Number, None) => Some(n),
        _ => None,
    }
}

/// The diagnostic for a failed [`convert`]: `what` says what the quantity is for.
pub(crate) fn unit_mismatch(q: &Quantity, unit: Unit, what: &str) -> Diagnostic {
    let help = match unit {
        Unit::Fraction if q.unit.is_none() => format!(
            "a share is a percentage such as `{}%`, or a fraction from 0 to 1",
            q.number
        ),
        Unit::Fraction => {
            "write a percentage such as `95%` (or a fraction from 0 to 1)".to_string()
        }
        Unit::Millis => {
            "write milliseconds such as `50ms`, or a plain number of milliseconds".to_string()
        }
        Unit::Seconds => "write seconds such as `30s`, or a plain number of seconds".to_string(),
        Unit::Count | Unit::Number => "write a plain number, without a unit".to_string(),
    };
    Diagnostic::error(
        Code::E0184,
        format!(
            "unit mismatch: {what} expects {}, found `{}`",
            unit_example(unit),
            quantity_text(q)
        ),
        q.span,
    )
    .with_label(format!("expected {}", unit_words(unit)))
    .with_help(help)
}

/// A duration literal in whole seconds (`15m` → 900); `Err(reason)` otherwise.
pub(crate) fn duration_secs(q: &Quantity) -> Result<i64, &'static str> {
    let mult = match q.unit {
        Some(UnitLit::Seconds) => Decimal::ONE,
        Some(UnitLit::Minutes) => Decimal::from(60),
        Some(UnitLit::Hours) => Decimal::from(3600),
        Some(UnitLit::Days) => Decimal::from(86400),
        Some(UnitLit::Millis) => Decimal::new(1, 3),
        Some(UnitLit::Percent) | None => {
            return Err("a duration needs a unit: `s`, `m`, `h` or `d` (e.g. `15m`)")
        }
    };
    let secs = q
        .number
        .checked_mul(mult)
        .ok_or("the duration is too large")?;
    if !secs.fract().is_zero() {
        return Err("a duration must be a whole number of seconds");
    }
    if secs <= Decimal::ZERO {
        return Err("a duration must be positive");
    }
    secs.to_i64().ok_or("the duration is too large")
}

/// A score: a plain number within 0 ..= 100.
pub(crate) fn score_value(q: &Quantity) -> Option<Decimal> {
    if q.unit.is_none() && q.number >= Decimal::ZERO && q.number <= Decimal::ONE_HUNDRED {
        Some(q.number)
    } else {
        None
    }
}

pub(crate) fn score_error(q: &Quantity) -> Diagnostic {
    Diagnostic::error(
        Code::E0188,
        format!(
            "a score is a plain number from 0 to 100, found `{}`",
            quantity_text(q)
        ),
        q.span,
    )
    .with_label("invalid score")
    .with_help("scores run from 0 (worst) to 100 (best), without a unit")
}

/// Products matched by a pattern: `a.*` matches ids starting with `a.`, an exact id itself.
pub(crate) fn match_pattern(
    ids: &Table<ProductId, String>,
    parts: &[String],
    wildcard: bool,
) -> Vec<ProductId> {
    let text = parts.join(".");
    ids.iter_enumerated()
        .filter(|(_, id)| {
            if wildcard {
                text.is_empty() || id.starts_with(&format!("{text}."))
            } else {
                **id == text
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// Payment when the contract has no `payment` block: always 100%.
pub(crate) fn default_payment() -> Payment {
    Payment {
        bands: vec![PayBand {
            lower: None,
            upper: None,
            share: PayShare::Fixed(Decimal::ONE),
        }],
        min_share: None,
        back_to_back: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("ofice", "office"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            suggest("ofice", ["office", "always"]),
            Some("office".into())
        );
        assert_eq!(suggest("zzz", ["office", "always"]), None);
        assert_eq!(suggest("P9", ["P1", "P2"]), None);
    }

    #[test]
    fn fnv() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
