//! Assessment periods (month, quarter, year) in the contract's time zone, as `[start, end)`.

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;

use crate::contract::{Contract, PeriodKind};

/// One assessment period. `key` is `2026-10`, `2026-Q4` or `2026`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Unix seconds, inclusive
    pub start: i64,
    /// Unix seconds, exclusive
    pub end: i64,
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
fn local_midnight(tz: Tz, date: NaiveDate) -> Option<i64> {
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

/// Parses a period key (`2026-10`, `2026-Q4`, `2026`) for the contract's period kind.
pub fn parse(kind: PeriodKind, tz: Tz, key: &str) -> Result<Period, String> {
    let hint = match kind {
        PeriodKind::Month => "a month such as 2026-10",
        PeriodKind::Quarter => "a quarter such as 2026-Q4",
        PeriodKind::Year => "a year such as 2026",
    };
    let bad = || format!("`{key}` is not a period of this contract: expected {hint}");
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
pub fn parse_range(kind: PeriodKind, tz: Tz, spec: &str) -> Result<Vec<Period>, String> {
    let (a, b) = match spec.split_once("..") {
        Some((a, b)) => (parse(kind, tz, a.trim())?, parse(kind, tz, b.trim())?),
        None => {
            let p = parse(kind, tz, spec.trim())?;
            (p.clone(), p)
        }
    };
    if b.start < a.start {
        return Err(format!("period range `{spec}` ends before it starts"));
    }
    between(kind, tz, a, &b).ok_or_else(|| {
        format!("period range `{spec}` holds more than {MAX_PERIODS} periods: give a shorter range")
    })
}

/// The most periods one request scores.
const MAX_PERIODS: usize = 10_000;

/// The periods from `a` to `b` inclusive; `None` past [`MAX_PERIODS`].
fn between(kind: PeriodKind, tz: Tz, a: Period, b: &Period) -> Option<Vec<Period>> {
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

/// The contract's term as Unix seconds `[start, end)`: local midnight of its first day to
/// local midnight after its last.
pub fn term_bounds(c: &Contract) -> Option<(i64, i64)> {
    let (first, last) = c.term;
    Some((
        local_midnight(c.timezone, first)?,
        local_midnight(c.timezone, last.succ_opt()?)?,
    ))
}

/// The term as the contract states it: `2026-01-01 .. 2026-12-31`.
pub fn term_text(c: &Contract) -> String {
    format!("{} .. {}", c.term.0, c.term.1)
}

/// Does the period overlap the contract's term?
pub fn in_term(c: &Contract, p: &Period) -> bool {
    term_bounds(c).is_some_and(|(s, e)| p.start < e && p.end > s)
}

/// The periods a request scores, with a warning when the request was narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub periods: Vec<Period>,
    /// set when a range was clipped to the term, or periods with events outside the term
    /// were left out
    pub warning: Option<String>,
}

/// The periods to score for `spec`: a key (`2026-10`), a range (`2026-01..2026-12`), `all`
/// (every period holding an anchor, from `anchored`) or none (the period of the term holding
/// most anchors; ties: the earliest; with no anchors, the period `fallback` gives, usually
/// that of the latest event). Only periods overlapping the contract's term are scored: a
/// period outside it is an error naming the term, and a range or `all` is clipped to it with
/// a warning. `no_events` is the error to give when there is nothing to choose a default from.
pub fn select(
    c: &Contract,
    spec: Option<&str>,
    anchored: impl FnOnce() -> Result<Vec<(Period, u64)>, String>,
    fallback: impl FnOnce() -> Option<Period>,
    no_events: impl FnOnce() -> String,
) -> Result<Selection, String> {
    let (kind, tz) = (c.period, c.timezone);
    let term = term_text(c);
    let outside = |key: &str| {
        format!(
            "period {key} is outside the contract's term {term}: choose a period from that term"
        )
    };
    match spec.map(str::trim) {
        Some("all") => {
            let all = anchored()?;
            let (inside, out): (Vec<_>, Vec<_>) = all.into_iter().partition(|(p, _)| in_term(c, p));
            let warning = (!out.is_empty()).then(|| {
                let n: u64 = out.iter().map(|(_, n)| n).sum();
                let keys: Vec<&str> = out.iter().map(|(p, _)| p.key.as_str()).collect();
                format!(
                    "{n} anchors lie in periods outside the contract's term {term} and are not scored: {}",
                    keys.join(", ")
                )
            });
            Ok(Selection {
                periods: inside.into_iter().map(|(p, _)| p).collect(),
                warning,
            })
        }
        Some(s) if s.contains("..") => {
            let (a, b) = s.split_once("..").unwrap_or((s, s));
            let (a, b) = (parse(kind, tz, a.trim())?, parse(kind, tz, b.trim())?);
            if b.start < a.start {
                return Err(format!("period range `{s}` ends before it starts"));
            }
            let (ts, te) = term_bounds(c).ok_or_else(|| outside(s))?;
            let first = period_of(kind, tz, ts).ok_or_else(|| outside(s))?;
            let last = period_of(kind, tz, te - 1).ok_or_else(|| outside(s))?;
            if b.start < first.start || a.start > last.start {
                return Err(format!(
                    "period range `{s}` lies outside the contract's term {term}: choose periods from {} to {}",
                    first.key, last.key
                ));
            }
            let a2 = if a.start < first.start {
                first
            } else {
                a.clone()
            };
            let b2 = if b.start > last.start {
                last
            } else {
                b.clone()
            };
            let warning = (a2 != a || b2 != b).then(|| {
                format!(
                    "period range `{s}` clipped to the contract's term {term}: scoring {}..{}",
                    a2.key, b2.key
                )
            });
            let periods = between(kind, tz, a2, &b2).ok_or_else(|| {
                format!("period range `{s}` holds more than {MAX_PERIODS} periods: give a shorter range")
            })?;
            Ok(Selection { periods, warning })
        }
        Some(s) => {
            let p = parse(kind, tz, s)?;
            if !in_term(c, &p) {
                return Err(outside(&p.key));
            }
            Ok(Selection {
                periods: vec![p],
                warning: None,
            })
        }
        None => {
            let all = anchored()?;
            let mut best: Option<(Period, u64)> = None;
            for (p, n) in all.iter().filter(|(p, _)| in_term(c, p)) {
                if best.as_ref().is_none_or(|(_, m)| *n > *m) {
                    best = Some((p.clone(), *n));
                }
            }
            if let Some((p, _)) = best {
                return Ok(Selection {
                    periods: vec![p],
                    warning: None,
                });
            }
            if !all.is_empty() {
                return Err(format!(
                    "every period with events lies outside the contract's term {term}: pass a period from that term"
                ));
            }
            let p = fallback().ok_or_else(no_events)?;
            if !in_term(c, &p) {
                return Err(format!(
                    "the latest accepted event falls in period {}, outside the contract's term {term}: pass a period from that term",
                    p.key
                ));
            }
            Ok(Selection {
                periods: vec![p],
                warning: None,
            })
        }
    }
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
