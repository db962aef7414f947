//! Assessment periods (month, quarter, year) in the contract's time zone, as `[start, end)`.

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;

/// One assessment period. `key` is `2026-10`, `2026-Q4` or `2026`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Unix seconds, inclusive
    pub start: i64,
    /// Unix seconds, exclusive
    pub end: i64,
    /// `2026-10` for a month, `2026-Q4` for a quarter, `2026` for a year.
    pub key: String,
}

/// The index of the period holding a local date: months since year 0, quarters, or years.
fn index_of(kind: PeriodKind, date: NaiveDate) -> i64 {
    let y = i64::from(date.year());
    let m = i64::from(date.month0());
    match kind {
        PeriodKind::Month => y * 12 + m,
        PeriodKind::Quarter => y * 4 + m / 3,
        PeriodKind::Year => y,
    }
}

fn first_day(kind: PeriodKind, index: i64) -> Option<NaiveDate> {
    let (y, m0) = match kind {
        PeriodKind::Month => (index.div_euclid(12), index.rem_euclid(12)),
        PeriodKind::Quarter => (index.div_euclid(4), index.rem_euclid(4) * 3),
        PeriodKind::Year => (index, 0),
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, u32::try_from(m0).ok()? + 1, 1)
}

/// Unix seconds of local midnight starting `date` (the first valid instant if midnight is
/// skipped by a daylight-saving change).
pub(crate) fn local_midnight(tz: Tz, date: NaiveDate) -> Option<i64> {
    let mut t = date.and_hms_opt(0, 0, 0)?;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return Some(dt.timestamp());
        }
        t += chrono::Duration::minutes(30);
    }
    None
}

fn build(kind: PeriodKind, tz: Tz, index: i64) -> Option<Period> {
    let first = first_day(kind, index)?;
    let next = first_day(kind, index + 1)?;
    let key = match kind {
        PeriodKind::Month => format!("{:04}-{:02}", first.year(), first.month()),
        PeriodKind::Quarter => format!("{:04}-Q{}", first.year(), first.month0() / 3 + 1),
        PeriodKind::Year => format!("{:04}", first.year()),
    };
    Some(Period {
        start: local_midnight(tz, first)?,
        end: local_midnight(tz, next)?,
        key,
    })
}

/// The period holding the instant `t` (Unix seconds).
pub fn period_of(kind: PeriodKind, tz: Tz, t: i64) -> Option<Period> {
    let dt = tz.timestamp_opt(t, 0).single()?;
    build(kind, tz, index_of(kind, dt.date_naive()))
}

/// The period after `p`.
pub fn next(kind: PeriodKind, tz: Tz, p: &Period) -> Option<Period> {
    period_of(kind, tz, p.end)
}

/// Why a period key or range does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// not a key of the contract's period kind
    #[error("`{key}` is not a period of this contract: expected {expected}")]
    NotAPeriod {
        /// The key as given.
        key: String,
        /// What a key of this kind looks like: `a month such as 2026-10`.
        expected: &'static str,
    },
    /// a range `A..B` with `B` before `A`
    #[error("period range `{0}` ends before it starts")]
    Reversed(String),
    /// a range of more periods than one request scores
    #[error("period range `{0}` holds more than {MAX_PERIODS} periods: give a shorter range")]
    TooLong(String),
}

/// Parses a period key (`2026-10`, `2026-Q4`, `2026`) for the contract's period kind.
pub fn parse(kind: PeriodKind, tz: Tz, key: &str) -> Result<Period, PeriodError> {
    let expected = match kind {
        PeriodKind::Month => "a month such as 2026-10",
        PeriodKind::Quarter => "a quarter such as 2026-Q4",
        PeriodKind::Year => "a year such as 2026",
    };
    let bad = || PeriodError::NotAPeriod {
        key: key.to_string(),
        expected,
    };
    let year = |s: &str| -> Option<i64> {
        (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let index = match kind {
        PeriodKind::Month => {
            let (y, m) = key.split_once('-').ok_or_else(bad)?;
            let m: i64 = (m.len() == 2)
                .then(|| m.parse().ok())
                .flatten()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(bad)?;
            year(y).ok_or_else(bad)? * 12 + m - 1
        }
        PeriodKind::Quarter => {
            let (y, q) = key.split_once("-Q").ok_or_else(bad)?;
            let q: i64 = q
                .parse()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(bad)?;
            year(y).ok_or_else(bad)? * 4 + q - 1
        }
        PeriodKind::Year => year(key).ok_or_else(bad)?,
    };
    build(kind, tz, index).ok_or_else(bad)
}

/// Parses `A..B` (inclusive) or a single key into the list of periods.
pub fn parse_range(kind: PeriodKind, tz: Tz, spec: &str) -> Result<Vec<Period>, PeriodError> {
    let (a, b) = match spec.split_once("..") {
        Some((a, b)) => (parse(kind, tz, a.trim())?, parse(kind, tz, b.trim())?),
        None => {
            let p = parse(kind, tz, spec.trim())?;
            (p.clone(), p)
        }
    };
    if b.start < a.start {
        return Err(PeriodError::Reversed(spec.to_string()));
    }
    between(kind, tz, a, &b).ok_or_else(|| PeriodError::TooLong(spec.to_string()))
}

/// The most periods one request scores.
pub(crate) const MAX_PERIODS: usize = 10_000;

/// The periods from `a` to `b` inclusive; `None` past [`MAX_PERIODS`].
pub(crate) fn between(kind: PeriodKind, tz: Tz, a: Period, b: &Period) -> Option<Vec<Period>> {
    let mut out = vec![a];
    while let Some(last) = out.last() {
        if last.start >= b.start {
            break;
        }
        if out.len() >= MAX_PERIODS {
            return None;
        }
        match next(kind, tz, last) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    Some(out)
}

/// What to score, as written on a command line or passed from Python: a period key
/// (`2026-10`), an inclusive range (`2026-01..2026-12`), `all` (every period holding an
/// anchor) or nothing (the default period). Keys are checked against the contract's period
/// kind and term when the request is resolved (`engine::selection::select`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PeriodSpec {
    /// the period of the term holding most anchors (see `engine::selection::select`)
    #[default]
    Default,
    /// every period holding an anchor, within the term
    All,
    /// one period key
    One(String),
    /// an inclusive range of keys, as written (`A..B`)
    Range(String),
}

impl PeriodSpec {
    /// Reads a request: `all`, `A..B`, or a key; surrounding spaces are ignored.
    pub fn parse(s: &str) -> PeriodSpec {
        match s.trim() {
            "all" => PeriodSpec::All,
            s if s.contains("..") => PeriodSpec::Range(s.to_string()),
            s => PeriodSpec::One(s.to_string()),
        }
    }

    /// `None` is the default period.
    pub fn from_option(s: Option<&str>) -> PeriodSpec {
        s.map_or(PeriodSpec::Default, PeriodSpec::parse)
    }
}

/// The kind of a contract's assessment periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PeriodKind {
    /// calendar months
    Month,
    /// calendar quarters, the first from January to March
    Quarter,
    /// calendar years
    Year,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_shanghai() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let p = parse(PeriodKind::Month, tz, "2026-10").unwrap();
        // 2026-10-01T00:00+08:00 = 2026-09-30T16:00Z; day 20727 since 1970 is 2026-10-01
        assert_eq!(p.start, 20_727 * 86_400 - 8 * 3600);
        assert_eq!(p.end - p.start, 31 * 86_400);
        assert_eq!(period_of(PeriodKind::Month, tz, p.end - 1).unwrap(), p);
        assert_eq!(
            period_of(PeriodKind::Month, tz, p.end).unwrap().key,
            "2026-11"
        );
        let q = parse(PeriodKind::Quarter, tz, "2026-Q4").unwrap();
        assert_eq!(q.start, p.start);
        assert_eq!(q.end - q.start, 92 * 86_400);
        assert_eq!(
            parse_range(PeriodKind::Month, tz, "2026-01..2026-12")
                .unwrap()
                .len(),
            12
        );
        assert!(parse(PeriodKind::Month, tz, "2026-13").is_err());
        assert!(parse(PeriodKind::Month, tz, "2026-Q1").is_err());
    }
}
