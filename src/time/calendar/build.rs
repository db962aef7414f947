//! Compiling a [`CalendarSpec`] into a [`Calendar`].

use std::collections::HashSet;

use chrono::{Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

use super::holidays::{self, Ymd};
use super::{unknown_table, Calendar, CalendarError, CalendarSpec, DayInterval, MAX_YEARS};

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const DAY_SECONDS: u32 = 86_400;

/// Which end of an interval a local time is; decides how an ambiguous time maps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

pub(super) fn build(spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
    // Names are checked even for 24×7, so a typo never goes unnoticed.
    let tables = spec
        .tables
        .iter()
        .map(|n| holidays::find(n).ok_or_else(|| unknown_table(n)))
        .collect::<Result<Vec<_>, _>>()?;
    if spec.always {
        return Ok(Calendar::always());
    }

    let (from, to) = spec.years;
    if from > to || from < 1 || to > 9998 || to - from >= MAX_YEARS {
        return Err(CalendarError::InvalidYears { from, to });
    }
    let first_day = ymd((from, 1, 1))?;
    let last_day = ymd((to, 12, 31))?;
    let end_day = ymd((to + 1, 1, 1))?;

    let mut weekly: Vec<Vec<DayInterval>> = Vec::with_capacity(7);
    for (day, name) in spec.weekly.iter().zip(DAY_NAMES) {
        weekly.push(normalize(day, name)?);
    }
    let makeup = match &spec.makeup_hours {
        Some(h) => normalize(h, "make-up days")?,
        None => weekly.first().cloned().unwrap_or_default(),
    };

    let mut holiday_days: HashSet<NaiveDate> = HashSet::new();
    let mut table_workdays: HashSet<NaiveDate> = HashSet::new();
    for table in &tables {
        for year in from..=to {
            let Some(data) = table.year(year) else {
                continue;
            };
            for &(a, b) in data.holidays {
                add_range(&mut holiday_days, ymd(a)?, ymd(b)?, first_day, last_day);
            }
            for &w in data.workdays {
                table_workdays.insert(ymd(w)?);
            }
        }
    }
    for &(a, b) in &spec.extra.holidays {
        if b < a {
            return Err(CalendarError::InvertedHolidayRange { from: a, to: b });
        }
        add_range(&mut holiday_days, a, b, first_day, last_day);
    }
    let explicit_workdays: HashSet<NaiveDate> = spec.extra.workdays.iter().copied().collect();

    let tz = spec.tz;
    let first = to_utc(tz, first_day, 0, Edge::Start)?;
    let last = to_utc(tz, end_day, 0, Edge::Start)?;

    let mut raw: Vec<(i64, i64)> = Vec::new();
    for date in first_day.iter_days().take_while(|d| *d <= last_day) {
        // Precedence documented in the module docs.
        let hours: &[DayInterval] = if explicit_workdays.contains(&date) {
            &makeup
        } else if holiday_days.contains(&date) {
            &[]
        } else if table_workdays.contains(&date) {
            &makeup
        } else {
            let wd = date.weekday().num_days_from_monday() as usize;
            weekly.get(wd).map(Vec::as_slice).unwrap_or_default()
        };
        for &(s, e) in hours {
            let us = to_utc(tz, date, s, Edge::Start)?.max(first);
            let ue = to_utc(tz, date, e, Edge::End)?.min(last);
            if ue > us {
                raw.push((us, ue));
            }
        }
    }

    // DST can make neighbouring intervals touch or overlap in UTC; merge so nothing counts twice.
    raw.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(raw.len());
    for (s, e) in raw {
        match merged.last_mut() {
            Some(prev) if s <= prev.1 => prev.1 = prev.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(Calendar::from_intervals(first, last, &merged))
}

fn ymd((y, m, d): Ymd) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| CalendarError::Internal(format!("invalid date {y:04}-{m:02}-{d:02}")))
}

/// Inserts the days of `[a, b]` that fall in `[lo, hi]`.
fn add_range(
    set: &mut HashSet<NaiveDate>,
    a: NaiveDate,
    b: NaiveDate,
    lo: NaiveDate,
    hi: NaiveDate,
) {
    let (a, b) = (a.max(lo), b.min(hi));
    set.extend(a.iter_days().take_while(|d| *d <= b));
}

/// Validates one day's intervals and returns them sorted by start.
fn normalize(day: &[DayInterval], name: &str) -> Result<Vec<DayInterval>, CalendarError> {
    let mut v = day.to_vec();
    for &(start, end) in &v {
        if end > DAY_SECONDS {
            return Err(CalendarError::IntervalBeyondDay {
                day: name.to_string(),
                start,
                end,
            });
        }
        if end <= start {
            return Err(CalendarError::InvertedInterval {
                day: name.to_string(),
                start,
                end,
            });
        }
    }
    v.sort_unstable();
    for pair in v.windows(2) {
        if let [first, second] = *pair {
            if second.0 < first.1 {
                return Err(CalendarError::OverlappingIntervals {
                    day: name.to_string(),
                    first,
                    second,
                });
            }
        }
    }
    Ok(v)
}

/// Maps local `date` + `secs` (0..=86400) to UTC seconds by the module's DST rule.
fn to_utc(tz: Tz, date: NaiveDate, secs: u32, edge: Edge) -> Result<i64, CalendarError> {
    let naive = date
        .and_time(NaiveTime::MIN)
        .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
        .ok_or_else(|| CalendarError::Internal(format!("local time {date} + {secs} s")))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.timestamp()),
        LocalResult::Ambiguous(a, b) => {
            let (early, late) = (
                a.timestamp().min(b.timestamp()),
                a.timestamp().max(b.timestamp()),
            );
            Ok(if edge == Edge::Start { early } else { late })
        }
        LocalResult::None => gap_end(tz, naive),
    }
}

/// The instant a DST gap containing `naive` ends: the first instant whose local time is at or
/// after `naive`.
fn gap_end(tz: Tz, naive: NaiveDateTime) -> Result<i64, CalendarError> {
    // UTC offsets stay within ±26 h, so the answer lies in this window; local time only moves
    // forward across a gap, so the predicate is monotone there.
    const WINDOW: i64 = 26 * 3600;
    let guess = naive.and_utc().timestamp();
    let local_at_or_after = |u: i64| -> bool {
        chrono::DateTime::from_timestamp(u, 0)
            .map(|d| d.with_timezone(&tz).naive_local() >= naive)
            .unwrap_or(true)
    };
    let (mut lo, mut hi) = (guess - WINDOW, guess + WINDOW);
    if local_at_or_after(lo) || !local_at_or_after(hi) {
        return Err(CalendarError::Internal(format!(
            "cannot resolve local time {naive} in {tz}"
        )));
    }
    // Invariant: local(lo) < naive <= local(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_at_or_after(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}
