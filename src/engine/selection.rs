//! Which periods a request scores: a [`PeriodSpec`] resolved against a contract's period
//! kind and term, and against the periods that hold anchors.

use crate::contract::Contract;
use crate::time::period::{between, parse, period_of, Period, PeriodSpec, MAX_PERIODS};

/// The periods a request scores, with a warning when the request was narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The periods to score, in time order.
    pub periods: Vec<Period>,
    /// set when a range was clipped to the term, or periods with events outside the term
    /// were left out
    pub warning: Option<String>,
}

/// Why a request selects nothing to score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// the request does not fit the contract (not a period, outside the term, ...)
    Period(String),
    /// no period was given and there is no accepted event to choose one from
    NoEvents,
}

impl From<String> for SelectError {
    fn from(e: String) -> Self {
        SelectError::Period(e)
    }
}

impl From<crate::time::period::PeriodError> for SelectError {
    fn from(e: crate::time::period::PeriodError) -> Self {
        SelectError::Period(e.to_string())
    }
}

/// The periods to score for `spec`, from whatever holds the events: `latest` is the
/// evaluation instant or the latest accepted event, `anchored` gives the periods holding
/// anchors (see [`select`]).
pub fn resolve(
    c: &Contract,
    spec: &PeriodSpec,
    latest: Option<i64>,
    anchored: impl FnOnce() -> Result<Vec<(Period, u64)>, String>,
) -> Result<Selection, SelectError> {
    if *spec == PeriodSpec::Default && latest.is_none() {
        // nothing to evaluate, as with `all` and no anchors
        return Err(SelectError::NoEvents);
    }
    select(c, spec, anchored, || {
        latest.and_then(|t| period_of(c.period, c.timezone, t))
    })
}

/// The periods to score for `spec`: a key (`2026-10`), a range (`2026-01..2026-12`), `all`
/// (every period holding an anchor, from `anchored`) or none (the period of the term holding
/// most anchors; ties: the earliest; with no anchors, the period `fallback` gives, usually
/// that of the latest event). Only periods overlapping the contract's term are scored: a
/// period outside it is an error naming the term, and a range or `all` is clipped to it with
/// a warning.
fn select(
    c: &Contract,
    spec: &PeriodSpec,
    anchored: impl FnOnce() -> Result<Vec<(Period, u64)>, String>,
    fallback: impl FnOnce() -> Option<Period>,
) -> Result<Selection, SelectError> {
    let (kind, tz) = (c.period, c.timezone);
    let term = c.term_text();
    let outside = |key: &str| {
        format!(
            "period {key} is outside the contract's term {term}: choose a period from that term"
        )
    };
    match spec {
        PeriodSpec::All => {
            let all = anchored()?;
            let (inside, out): (Vec<_>, Vec<_>) = all.into_iter().partition(|(p, _)| c.in_term(p));
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
        PeriodSpec::Range(s) => {
            let s = s.as_str();
            let (a, b) = s.split_once("..").unwrap_or((s, s));
            let (a, b) = (parse(kind, tz, a.trim())?, parse(kind, tz, b.trim())?);
            if b.start < a.start {
                return Err(SelectError::Period(format!(
                    "period range `{s}` ends before it starts"
                )));
            }
            let (ts, te) = c.term_bounds().ok_or_else(|| outside(s))?;
            let first = period_of(kind, tz, ts).ok_or_else(|| outside(s))?;
            let last = period_of(kind, tz, te - 1).ok_or_else(|| outside(s))?;
            if b.start < first.start || a.start > last.start {
                return Err(SelectError::Period(format!(
                    "period range `{s}` lies outside the contract's term {term}: choose periods from {} to {}",
                    first.key, last.key
                )));
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
        PeriodSpec::One(s) => {
            let p = parse(kind, tz, s)?;
            if !c.in_term(&p) {
                return Err(outside(&p.key).into());
            }
            Ok(Selection {
                periods: vec![p],
                warning: None,
            })
        }
        PeriodSpec::Default => {
            let all = anchored()?;
            let mut best: Option<(Period, u64)> = None;
            for (p, n) in all.iter().filter(|(p, _)| c.in_term(p)) {
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
                return Err(SelectError::Period(format!(
                    "every period with events lies outside the contract's term {term}: pass a period from that term"
                )));
            }
            let p = fallback().ok_or(SelectError::NoEvents)?;
            if !c.in_term(&p) {
                return Err(SelectError::Period(format!(
                    "the latest accepted event falls in period {}, outside the contract's term {term}: pass a period from that term",
                    p.key
                )));
            }
            Ok(Selection {
                periods: vec![p],
                warning: None,
            })
        }
    }
}
