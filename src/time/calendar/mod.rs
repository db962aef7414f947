//! Business calendars: which instants count as working time.
//!
//! ```
//! use slagrade::time::calendar::{Calendar, CalendarSpec, HolidayRule};
//!
//! let office = vec![(9 * 3600, 12 * 3600), (13 * 3600 + 1800, 17 * 3600 + 1800)];
//! let spec = CalendarSpec {
//!     tz: chrono_tz::Asia::Shanghai,
//!     always: false,
//!     weekly: [
//!         office.clone(), office.clone(), office.clone(), office.clone(), office,
//!         vec![], vec![],
//!     ],
//!     makeup_hours: None,
//!     tables: vec!["cn-statutory".to_string()],
//!     extra: HolidayRule::default(),
//!     years: (2026, 2026),
//! };
//! let cal = Calendar::build(&spec)?;
//! // Fri 2026-10-30 17:20 → Mon 2026-11-02 09:15 in UTC+8: 10 min Friday + 15 min Monday.
//! let opened = 1_793_352_000; // 2026-10-30T09:20:00Z
//! let acked = 1_793_582_100; // 2026-11-02T01:15:00Z
//! assert_eq!(cal.working_between(opened, acked)?, 25 * 60);
//! // A 30-minute deadline falls at Mon 09:20 (01:20Z).
//! assert_eq!(cal.add_working(opened, 30 * 60)?, acked + 5 * 60);
//! # Ok::<(), slagrade::time::calendar::CalendarError>(())
//! ```
//!
//! # Model
//!
//! A calendar is built once from a [`CalendarSpec`] into an immutable [`Calendar`]: a sorted
//! list of disjoint working intervals in UTC seconds plus the cumulative working seconds before
//! each one. Every query is one or two binary searches (O(log n)), narrowed by a per-day
//! index to the few intervals of one day; `add_working` gallops forward from the start
//! instant's interval, so near deadlines cost a few steps. Nothing steps through time.
//!
//! For each local date in the spec's years the day's schedule is chosen as follows:
//!
//! 1. a date listed in `extra.workdays` is a make-up working day, even if a table or
//!    `extra.holidays` also lists it as a holiday (an explicit make-up line is the most
//!    specific statement a contract can make about a date);
//! 2. otherwise a holiday from any table or from `extra.holidays` has no working time;
//! 3. otherwise a make-up day from a table uses the make-up schedule;
//! 4. otherwise the weekday's schedule applies.
//!
//! Make-up days use `makeup_hours`, or the Monday schedule when it is `None`. Years inside
//! `years` that a table does not cover simply get weekly hours; [`missing_table_years`] lets
//! a checker warn about them.
//!
//! # Range
//!
//! A calendar covers `[first, last]` where `first` is local midnight of January 1 of
//! `years.0` and `last` is local midnight of January 1 of `years.1 + 1` (see
//! [`Calendar::range`]). Interval bounds must lie in `[first, last]` and single instants in
//! `[first, last)`; anything else is [`CalendarError::OutOfRange`], never a guess. The 24×7
//! calendar ([`Calendar::always`]) has no range.
//!
//! # Daylight saving time
//!
//! Schedules are local wall-clock times; each day's intervals are mapped to UTC like this:
//!
//! * a local time that does not exist (in a gap, clocks jump forward) maps to the instant the
//!   gap ends;
//! * a local time that occurs twice (in an overlap, clocks fall back) maps to the *earlier*
//!   instant when it starts an interval and to the *later* instant when it ends one, so no
//!   working time is lost (so `01:00–02:30` on Berlin's fall-back day is 2 h 30 min: it also
//!   covers the first pass through 02:00–02:30);
//! * an interval whose mapped end is at or before its mapped start is empty;
//! * mapped intervals that touch or overlap are merged, so no second counts twice.
//!
//! So in Europe/Berlin a 24-hour schedule gives 23 hours on the spring-forward Sunday and 25
//! on the fall-back Sunday, and `01:00–04:00` gives 2 and 4 hours. Away from interval ends
//! inside a repeated hour, an instant is working time exactly when the wall clock shows a
//! working time of its date; the property tests check this against a per-minute model.
//!
//! # Pauses
//!
//! The `_excluding` variants take pause intervals `[s, e)` in UTC seconds, in any order and
//! possibly overlapping; they are merged, and their overlap with working time does not count.

mod build;
mod holidays;

use std::sync::Arc;

/// Working-time interval of a day, seconds since local midnight, `[start, end)`; `end` may be
/// 86400 (midnight at the end of the day).
pub type DayInterval = (u32, u32);

/// Explicit holidays and make-up working days written in a contract.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HolidayRule {
    /// Inclusive date ranges with no working time.
    pub holidays: Vec<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Make-up working days (调休); these win over any holiday, see the module docs.
    pub workdays: Vec<chrono::NaiveDate>,
}

/// Everything needed to build a [`Calendar`].
#[derive(Debug, Clone)]
pub struct CalendarSpec {
    /// Time zone the schedule's wall-clock times are in.
    pub tz: chrono_tz::Tz,
    /// true = 24x7 (no range limit, every instant is working time; holidays ignored)
    pub always: bool,
    /// weekly schedule, index 0 = Monday .. 6 = Sunday; several intervals per day allowed
    pub weekly: [Vec<DayInterval>; 7],
    /// schedule used on make-up working days (调休); None = the Monday schedule
    pub makeup_hours: Option<Vec<DayInterval>>,
    /// names of built-in holiday tables to apply, e.g. "cn-statutory"
    pub tables: Vec<String>,
    /// explicit extra holidays / make-up days from the contract
    pub extra: HolidayRule,
    /// years to precompute, inclusive
    pub years: (i32, i32),
}

/// Why a calendar cannot be built or cannot answer a query.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CalendarError {
    /// A holiday table name that is not built in.
    #[error("unknown holiday table `{name}`; built-in tables are: {known}")]
    UnknownTable {
        /// The name asked for.
        name: String,
        /// Comma-separated built-in names, for the hint.
        known: String,
    },
    /// A table does not cover a year (only from [`check_years`]).
    #[error(
        "holiday table `{table}` has no data for {year}; list that year's holidays and make-up \
         days explicitly, or limit the contract to covered years"
    )]
    NoTableForYear {
        /// Table name.
        table: String,
        /// The uncovered year.
        year: i32,
    },
    /// A working interval that ends at or before its start.
    #[error(
        "working interval {}-{} on {day} ends at or before its start; write start-end with \
         start < end (use 24:00 for midnight at the end of the day)",
        hms(.start), hms(.end)
    )]
    InvertedInterval {
        /// Weekday name or "make-up days".
        day: String,
        /// Start, seconds since local midnight.
        start: u32,
        /// End, seconds since local midnight.
        end: u32,
    },
    /// A working interval that ends after 24:00.
    #[error(
        "working interval {}-{} on {day} ends after 24:00; split it at midnight and put the \
         rest on the next day",
        hms(.start), hms(.end)
    )]
    IntervalBeyondDay {
        /// Weekday name or "make-up days".
        day: String,
        /// Start, seconds since local midnight.
        start: u32,
        /// End, seconds since local midnight.
        end: u32,
    },
    /// Two working intervals of one day overlap.
    #[error(
        "working intervals {}-{} and {}-{} on {day} overlap; merge them into one",
        hms(&.first.0), hms(&.first.1), hms(&.second.0), hms(&.second.1)
    )]
    OverlappingIntervals {
        /// Weekday name or "make-up days".
        day: String,
        /// The earlier interval.
        first: DayInterval,
        /// The interval that starts before `first` ends.
        second: DayInterval,
    },
    /// An explicit holiday range whose last day is before its first.
    #[error("holiday range {from}..{to} ends before it starts")]
    InvertedHolidayRange {
        /// First day.
        from: chrono::NaiveDate,
        /// Last day.
        to: chrono::NaiveDate,
    },
    /// Unusable `years`.
    #[error(
        "invalid calendar years {from}..={to}: need from <= to, both within 1..=9998, and at \
         most {MAX_YEARS} years"
    )]
    InvalidYears {
        /// First year.
        from: i32,
        /// Last year.
        to: i32,
    },
    /// An instant outside the precomputed years.
    #[error(
        "instant {instant} ({}) is outside the calendar's range {} .. {}; widen the \
         calendar's years to include it",
        iso(.instant), iso(.first), iso(.last)
    )]
    OutOfRange {
        /// The instant asked about (Unix seconds).
        instant: i64,
        /// First instant covered.
        first: i64,
        /// End of the range (exclusive for single instants, allowed as an interval end).
        last: i64,
    },
    /// Not enough working time left before the end of the range.
    #[error(
        "{working} s of working time from {} ({from}) do not fit before the calendar's end {}; \
         widen the calendar's years",
        iso(.from), iso(.last)
    )]
    Exhausted {
        /// Start instant.
        from: i64,
        /// Working seconds asked for.
        working: i64,
        /// End of the range.
        last: i64,
    },
    /// A negative working duration.
    #[error("working duration {duration} s is negative")]
    NegativeDuration {
        /// The duration asked for.
        duration: i64,
    },
    /// Arithmetic beyond the `i64` instant range.
    #[error("instant {instant} plus {duration} s overflows the instant range")]
    Overflow {
        /// Start instant.
        instant: i64,
        /// Seconds added.
        duration: i64,
    },
    /// Broken internal invariant.
    #[error("internal calendar error: {0}; this is a bug, please report it")]
    Internal(String),
}

/// Longest span of years one calendar may precompute.
pub const MAX_YEARS: i32 = 200;

/// `09:00`, `09:00:30`, `24:00`.
fn hms(secs: &u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// RFC 3339 UTC rendering of an instant, for messages.
fn iso(t: &i64) -> String {
    chrono::DateTime::from_timestamp(*t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| format!("{t} s"))
}

/// A compiled business calendar: immutable, `Send + Sync`, and cheap to clone (shared data).
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

/// Precomputed form. Parallel arrays (struct of arrays) keep the searches over `starts` and
/// `cum` dense in cache.
struct Inner {
    always: bool,
    first: i64,
    last: i64,
    /// Interval starts, ascending; intervals are disjoint and never touch.
    starts: Vec<i64>,
    /// Interval ends (exclusive).
    ends: Vec<i64>,
    /// Working seconds before interval `i`; `cum[0] == 0`.
    cum: Vec<i64>,
    /// Working seconds in the whole range.
    total: i64,
    /// `day_index[k]` = number of intervals starting at or before `first + k * 86400`, so a
    /// lookup only searches the few intervals of one 24-hour bucket.
    day_index: Vec<usize>,
}

/// Bucket width of [`Inner::day_index`].
const BUCKET: i64 = 86_400;

impl std::fmt::Debug for Calendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The interval arrays are long; show a summary.
        let mut d = f.debug_struct("Calendar");
        d.field("always", &self.inner.always);
        if !self.inner.always {
            d.field("range", &(self.inner.first, self.inner.last))
                .field("intervals", &self.inner.starts.len())
                .field("working_seconds", &self.inner.total);
        }
        d.finish()
    }
}

impl Calendar {
    /// Compiles a spec; see the module docs for the rules.
    pub fn build(spec: &CalendarSpec) -> Result<Calendar, CalendarError> {
        build::build(spec)
    }

    /// The 24×7 calendar: every instant is working time, no range limit.
    pub fn always() -> Calendar {
        Calendar {
            inner: Arc::new(Inner {
                always: true,
                first: i64::MIN,
                last: i64::MAX,
                starts: Vec::new(),
                ends: Vec::new(),
                cum: Vec::new(),
                total: 0,
                day_index: Vec::new(),
            }),
        }
    }

    /// From sorted, disjoint, non-touching UTC intervals clipped to `[first, last]`.
    fn from_intervals(first: i64, last: i64, intervals: &[(i64, i64)]) -> Calendar {
        let mut starts = Vec::with_capacity(intervals.len());
        let mut ends = Vec::with_capacity(intervals.len());
        let mut cum = Vec::with_capacity(intervals.len());
        let mut total = 0i64;
        for &(s, e) in intervals {
            starts.push(s);
            ends.push(e);
            cum.push(total);
            total += e - s;
        }
        // One entry per bucket plus one past `last`, so bucket k always has an upper bound k+1.
        let buckets = (last - first) / BUCKET + 2;
        let day_index = (0..buckets)
            .map(|k| starts.partition_point(|&s| s <= first + k * BUCKET))
            .collect();
        Calendar {
            inner: Arc::new(Inner {
                always: false,
                first,
                last,
                starts,
                ends,
                cum,
                total,
                day_index,
            }),
        }
    }

    /// Whether this is a 24×7 calendar.
    pub fn is_always(&self) -> bool {
        self.inner.always
    }

    /// `(first, last)`: `first` is the first instant covered, `last` the end of the range
    /// (local midnight after the last year), usable as an interval end but not as a single
    /// instant. `None` for 24×7.
    pub fn range(&self) -> Option<(i64, i64)> {
        if self.inner.always {
            None
        } else {
            Some((self.inner.first, self.inner.last))
        }
    }

    /// The working intervals `[start, end)` in UTC seconds, ascending (empty for 24×7).
    pub fn intervals(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.inner
            .starts
            .iter()
            .copied()
            .zip(self.inner.ends.iter().copied())
    }

    /// Total working seconds in the range (0 for 24×7, which has no range).
    pub fn total_working(&self) -> i64 {
        self.inner.total
    }

    /// Rejects `t` outside `[first, last]`.
    #[inline]
    fn check_bound(&self, t: i64) -> Result<(), CalendarError> {
        let i = &self.inner;
        if t < i.first || t > i.last {
            Err(self.out_of_range(t))
        } else {
            Ok(())
        }
    }

    /// Rejects `t` outside `[first, last)`.
    #[inline]
    fn check_instant(&self, t: i64) -> Result<(), CalendarError> {
        let i = &self.inner;
        if t < i.first || t >= i.last {
            Err(self.out_of_range(t))
        } else {
            Ok(())
        }
    }

    #[cold]
    fn out_of_range(&self, t: i64) -> CalendarError {
        CalendarError::OutOfRange {
            instant: t,
            first: self.inner.first,
            last: self.inner.last,
        }
    }

    #[cold]
    fn bug(what: &str) -> CalendarError {
        CalendarError::Internal(what.to_string())
    }

    /// Number of intervals starting at or before `t`, for `t` in `[first, last]`.
    #[inline]
    fn starts_at_or_before(&self, t: i64) -> usize {
        let i = &self.inner;
        let k = usize::try_from((t - i.first) / BUCKET).unwrap_or(usize::MAX);
        match (
            i.day_index.get(k),
            k.checked_add(1).and_then(|k1| i.day_index.get(k1)),
        ) {
            // Intervals before `lo` start at or before the bucket start <= t; those from `hi`
            // on start after the next bucket start > t.
            (Some(&lo), Some(&hi)) => {
                lo + i
                    .starts
                    .get(lo..hi)
                    .map_or(0, |b| b.partition_point(|&s| s <= t))
            }
            _ => i.starts.partition_point(|&s| s <= t),
        }
    }

    /// Index of the last interval starting at or before `t`, if any.
    #[inline]
    fn last_start_at_or_before(&self, t: i64) -> Option<usize> {
        self.starts_at_or_before(t).checked_sub(1)
    }

    /// Working seconds in `[first, t)`, for `t` in range.
    #[inline]
    fn cum_at(&self, t: i64) -> Result<i64, CalendarError> {
        let Some(j) = self.last_start_at_or_before(t) else {
            return Ok(0);
        };
        let i = &self.inner;
        match (i.starts.get(j), i.ends.get(j), i.cum.get(j)) {
            (Some(&s), Some(&e), Some(&c)) => Ok(c + (t.min(e) - s)),
            _ => Err(Self::bug("interval arrays differ in length")),
        }
    }

    /// Working seconds in `[a, b)`; 0 if `b <= a`.
    ///
    /// Errors with [`CalendarError::OutOfRange`] if `a` or `b` is outside the range.
    #[inline]
    pub fn working_between(&self, a: i64, b: i64) -> Result<i64, CalendarError> {
        if b <= a {
            return Ok(0);
        }
        if self.inner.always {
            return b.checked_sub(a).ok_or(CalendarError::Overflow {
                instant: a,
                duration: b,
            });
        }
        self.check_bound(a)?;
        self.check_bound(b)?;
        Ok(self.cum_at(b)? - self.cum_at(a)?)
    }

    /// Earliest `t >= a` with `working_between(a, t) == d`; `a` itself when `d == 0`.
    ///
    /// The result is therefore always inside working time or at the end of a working interval,
    /// never at the start of the next one.
    #[inline]
    pub fn add_working(&self, a: i64, d: i64) -> Result<i64, CalendarError> {
        if d < 0 {
            return Err(CalendarError::NegativeDuration { duration: d });
        }
        if self.inner.always {
            return a.checked_add(d).ok_or(CalendarError::Overflow {
                instant: a,
                duration: d,
            });
        }
        self.check_bound(a)?;
        if d == 0 {
            return Ok(a);
        }
        let i = &self.inner;
        let exhausted = || CalendarError::Exhausted {
            from: a,
            working: d,
            last: i.last,
        };
        let from = self.last_start_at_or_before(a).unwrap_or(0);
        let target = self.cum_at(a)?.checked_add(d).ok_or_else(exhausted)?;
        if target > i.total {
            return Err(exhausted());
        }
        // The interval in which the cumulative count reaches `target` is the last one that
        // starts with fewer than `target` seconds before it. cum[from] <= cum_at(a) < target,
        // so gallop forward from `from`: deadlines are usually near, which keeps this short.
        let tail = i.cum.get(from..).unwrap_or_default();
        let mut bound = 1usize;
        while tail.get(bound).is_some_and(|&c| c < target) {
            bound = bound.saturating_mul(2);
        }
        // Invariant: tail[bound / 2] < target, and tail[bound] >= target or is past the end.
        let lo = bound / 2;
        let hi = bound.min(tail.len());
        let below = lo
            + tail
                .get(lo..hi)
                .map_or(0, |w| w.partition_point(|&c| c < target));
        let j = (from + below)
            .checked_sub(1)
            .ok_or_else(|| Self::bug("no interval before a positive target"))?;
        match (i.starts.get(j), i.cum.get(j)) {
            (Some(&s), Some(&c)) => Ok(s + (target - c)),
            _ => Err(Self::bug("interval arrays differ in length")),
        }
    }

    /// Whether `t` is working time (`t` must be in `[first, last)`).
    #[inline]
    pub fn is_working(&self, t: i64) -> Result<bool, CalendarError> {
        if self.inner.always {
            return Ok(true);
        }
        self.check_instant(t)?;
        Ok(self
            .last_start_at_or_before(t)
            .and_then(|j| self.inner.ends.get(j))
            .is_some_and(|&e| t < e))
    }

    /// `t` if it is working time, else the start of the next working interval.
    ///
    /// Errors with [`CalendarError::Exhausted`] if no working time follows `t` in the range.
    pub fn next_working(&self, t: i64) -> Result<i64, CalendarError> {
        if self.is_working(t)? {
            return Ok(t);
        }
        let i = &self.inner;
        let next = self.starts_at_or_before(t);
        i.starts.get(next).copied().ok_or(CalendarError::Exhausted {
            from: t,
            working: 0,
            last: i.last,
        })
    }

    /// Like [`working_between`](Self::working_between), with pause intervals `[s, e)` (UTC
    /// seconds, any order, may overlap) subtracted. O(p log p + p log n).
    pub fn working_between_excluding(
        &self,
        a: i64,
        b: i64,
        pauses: &[(i64, i64)],
    ) -> Result<i64, CalendarError> {
        let total = self.working_between(a, b)?;
        if total == 0 || pauses.is_empty() {
            return Ok(total);
        }
        let mut paused = 0i64;
        for (s, e) in merge_pauses(pauses, a, b) {
            paused += self.working_between(s, e)?;
        }
        Ok(total - paused)
    }

    /// Earliest `t >= a` with `working_between_excluding(a, t, pauses) == d`; `a` when
    /// `d == 0`.
    pub fn add_working_excluding(
        &self,
        a: i64,
        d: i64,
        pauses: &[(i64, i64)],
    ) -> Result<i64, CalendarError> {
        if pauses.is_empty() || d <= 0 {
            return self.add_working(a, d);
        }
        let i = &self.inner;
        let exhausted = CalendarError::Exhausted {
            from: a,
            working: d,
            last: i.last,
        };
        // Reported relative to the caller's start, not an intermediate one.
        let relabel = |err: CalendarError| match err {
            CalendarError::Exhausted { .. } => exhausted.clone(),
            other => other,
        };
        let mut cur = a;
        let mut rem = d;
        for (s, e) in merge_pauses(pauses, a, i64::MAX) {
            let t = self.add_working(cur, rem).map_err(relabel)?;
            if t <= s {
                return Ok(t);
            }
            // s < t, so s is inside the range too.
            rem -= self.working_between(cur, s)?;
            cur = e;
            if !i.always && cur > i.last {
                return Err(exhausted);
            }
        }
        self.add_working(cur, rem).map_err(relabel)
    }
}

/// Pauses clipped to `[a, b)`, sorted, with overlapping or touching ones merged.
fn merge_pauses(pauses: &[(i64, i64)], a: i64, b: i64) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = pauses
        .iter()
        .map(|&(s, e)| (s.max(a), e.min(b)))
        .filter(|&(s, e)| s < e)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Built-in table names (e.g. `["cn-statutory"]`) and the years each covers, inclusive.
pub fn builtin_tables() -> &'static [(&'static str, i32, i32)] {
    holidays::SUMMARY
}

/// Years in `[from, to]` that the named tables do not cover, as `(table, year)` pairs in
/// table then year order (for the checker's warning or error).
pub fn missing_table_years(
    tables: &[String],
    from: i32,
    to: i32,
) -> Result<Vec<(String, i32)>, CalendarError> {
    let mut out = Vec::new();
    for name in tables {
        let table = holidays::find(name).ok_or_else(|| unknown_table(name))?;
        for year in from..=to {
            if table.year(year).is_none() {
                out.push((name.clone(), year));
            }
        }
    }
    Ok(out)
}

/// Errors with [`CalendarError::NoTableForYear`] for the first year in `[from, to]` a named
/// table does not cover (for contracts that require full coverage).
pub fn check_years(tables: &[String], from: i32, to: i32) -> Result<(), CalendarError> {
    match missing_table_years(tables, from, to)?.into_iter().next() {
        Some((table, year)) => Err(CalendarError::NoTableForYear { table, year }),
        None => Ok(()),
    }
}

fn unknown_table(name: &str) -> CalendarError {
    CalendarError::UnknownTable {
        name: name.to_string(),
        known: holidays::TABLES
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", "),
    }
}
