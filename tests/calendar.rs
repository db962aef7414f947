//! Business-calendar tests: hand-computed cases from the reference contract, DST zones,
//! errors, and properties checked against a naive minute-by-minute reference.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use slagrade::time::calendar::{
    builtin_tables, check_years, missing_table_years, Calendar, CalendarError, CalendarSpec,
    DayInterval, HolidayRule,
};

const M: i64 = 60;
const H: i64 = 3600;
const DAY: i64 = 86_400;

/// Seconds since midnight for `h:m`.
fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

/// Local wall-clock time to UTC seconds; the earlier instant if ambiguous.
fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    tz.with_ymd_and_hms(y, mo, d, h, mi, s)
        .earliest()
        .unwrap()
        .timestamp()
}

/// Asia/Shanghai local time to UTC seconds.
fn sh(mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    at(chrono_tz::Asia::Shanghai, 2026, mo, d, h, mi, 0)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn office_hours() -> Vec<DayInterval> {
    vec![(hm(9, 0), hm(12, 0)), (hm(13, 30), hm(17, 30))]
}

fn week(weekdays: Vec<DayInterval>, weekend: Vec<DayInterval>) -> [Vec<DayInterval>; 7] {
    let w = weekdays;
    [
        w.clone(),
        w.clone(),
        w.clone(),
        w.clone(),
        w,
        weekend.clone(),
        weekend,
    ]
}

fn every_day(hours: Vec<DayInterval>) -> [Vec<DayInterval>; 7] {
    week(hours.clone(), hours)
}

fn spec(tz: Tz, weekly: [Vec<DayInterval>; 7], tables: &[&str], years: (i32, i32)) -> CalendarSpec {
    CalendarSpec {
        tz,
        always: false,
        weekly,
        makeup_hours: None,
        tables: tables.iter().map(|s| s.to_string()).collect(),
        extra: HolidayRule::default(),
        years,
    }
}

/// The reference contract's `office` calendar.
fn office(years: (i32, i32)) -> Calendar {
    Calendar::build(&spec(
        chrono_tz::Asia::Shanghai,
        week(office_hours(), vec![]),
        &["cn-statutory"],
        years,
    ))
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Reference-contract cases (Asia/Shanghai office calendar, 2026)
// ---------------------------------------------------------------------------------------------

#[test]
fn make_up_saturday_counts() {
    for cal in [office((2026, 2026)), office((2025, 2027))] {
        // Fri Oct 9 17:20-17:30 = 10 min; Sat Oct 10 (make-up) 3 h + 4 h = 7 h; Sun Oct 11 0;
        // Mon Oct 12 09:00-09:15 = 15 min. 600 + 25200 + 900 = 26700 s.
        assert_eq!(
            cal.working_between(sh(10, 9, 17, 20), sh(10, 12, 9, 15))
                .unwrap(),
            26_700
        );
        // 30 min from Fri 17:20: 10 min on Friday, 20 more from Sat 09:00.
        assert_eq!(
            cal.add_working(sh(10, 9, 17, 20), 30 * M).unwrap(),
            sh(10, 10, 9, 20)
        );
        // Exactly the 10 min left on Friday: ends at 17:30 itself, not at Saturday 09:00.
        assert_eq!(
            cal.add_working(sh(10, 9, 17, 20), 10 * M).unwrap(),
            sh(10, 9, 17, 30)
        );
        // 26700 s from Fri 17:20 reaches Mon 09:15 again.
        assert_eq!(
            cal.add_working(sh(10, 9, 17, 20), 26_700).unwrap(),
            sh(10, 12, 9, 15)
        );
    }
}

#[test]
fn weekend_does_not_count() {
    let cal = office((2026, 2026));
    // Fri Oct 30 17:20-17:30 = 10 min + Mon Nov 2 09:00-09:15 = 15 min = 1500 s.
    assert_eq!(
        cal.working_between(sh(10, 30, 17, 20), sh(11, 2, 9, 15))
            .unwrap(),
        1500
    );
    // Acknowledged at 09:20:01: 10 min + 20 min 1 s = 1801 s.
    assert_eq!(
        cal.working_between(sh(10, 30, 17, 20), sh(11, 2, 9, 20) + 1)
            .unwrap(),
        1801
    );
    // 30 min deadline: Mon 09:20:00.
    assert_eq!(
        cal.add_working(sh(10, 30, 17, 20), 30 * M).unwrap(),
        sh(11, 2, 9, 20)
    );
}

#[test]
fn national_day_holiday_does_not_count() {
    let cal = office((2026, 2026));
    // Oct 1-7 are holidays; Thu Oct 8 09:00-09:15 = 900 s.
    assert_eq!(
        cal.working_between(sh(10, 1, 10, 0), sh(10, 8, 9, 15))
            .unwrap(),
        900
    );
    assert_eq!(
        cal.working_between(sh(10, 1, 10, 0), sh(10, 8, 9, 15) + 1)
            .unwrap(),
        901
    );
    assert!(!cal.is_working(sh(10, 1, 10, 0)).unwrap());
    assert_eq!(cal.next_working(sh(10, 1, 10, 0)).unwrap(), sh(10, 8, 9, 0));
    // 15 min P1 deadline from the holiday: Oct 8 09:15.
    assert_eq!(
        cal.add_working(sh(10, 1, 10, 0), 15 * M).unwrap(),
        sh(10, 8, 9, 15)
    );
}

#[test]
fn lunch_break_on_make_up_day() {
    let cal = office((2026, 2026));
    // Sat Oct 10 (make-up): 11:50-12:00 = 10 min, 13:30-13:35 = 5 min; 900 s.
    assert_eq!(
        cal.working_between(sh(10, 10, 11, 50), sh(10, 10, 13, 35))
            .unwrap(),
        900
    );
    assert_eq!(
        cal.add_working(sh(10, 10, 11, 50), 15 * M).unwrap(),
        sh(10, 10, 13, 35)
    );
    assert!(!cal.is_working(sh(10, 10, 12, 30)).unwrap());
    assert_eq!(
        cal.next_working(sh(10, 10, 12, 30)).unwrap(),
        sh(10, 10, 13, 30)
    );
}

#[test]
fn night_and_midnight_crossings() {
    let cal = office((2026, 2026));
    // Mon Oct 12 22:00-22:10 is outside office hours.
    assert_eq!(
        cal.working_between(sh(10, 12, 22, 0), sh(10, 12, 22, 10))
            .unwrap(),
        0
    );
    assert_eq!(
        cal.next_working(sh(10, 12, 22, 0)).unwrap(),
        sh(10, 13, 9, 0)
    );
    // Mon 17:00 -> Tue 10:00: 30 min Monday + 1 h Tuesday = 5400 s.
    assert_eq!(
        cal.working_between(sh(10, 12, 17, 0), sh(10, 13, 10, 0))
            .unwrap(),
        5400
    );
    // From Mon 23:59 a 1 min deadline lands at Tue 09:01.
    assert_eq!(
        cal.add_working(sh(10, 12, 23, 59), M).unwrap(),
        sh(10, 13, 9, 1)
    );
    // A 24 h schedule: 23:00 -> 01:00 across midnight is 2 h; nothing lost at 24:00.
    let round = Calendar::build(&spec(
        chrono_tz::Asia::Shanghai,
        every_day(vec![(0, 86_400)]),
        &[],
        (2026, 2026),
    ))
    .unwrap();
    assert_eq!(
        round
            .working_between(sh(10, 12, 23, 0), sh(10, 13, 1, 0))
            .unwrap(),
        2 * H
    );
    // Days join into one interval: the whole year is one interval of 365 days.
    assert_eq!(round.intervals().count(), 1);
    assert_eq!(round.total_working(), 365 * DAY);
}

#[test]
fn spring_festival_2026() {
    let cal = office((2026, 2026));
    // Fri Feb 13 17:00-17:30 = 30 min; Sat Feb 14 make-up 7 h; Feb 15-23 holidays;
    // Tue Feb 24 09:00 = start. 1800 + 25200 = 27000 s.
    assert_eq!(
        cal.working_between(sh(2, 13, 17, 0), sh(2, 24, 9, 0))
            .unwrap(),
        27_000
    );
    // 7 h 30 min exactly ends Saturday 17:30; one second more is Tue Feb 24 09:00:01.
    assert_eq!(
        cal.add_working(sh(2, 13, 17, 0), 27_000).unwrap(),
        sh(2, 14, 17, 30)
    );
    assert_eq!(
        cal.add_working(sh(2, 13, 17, 0), 27_001).unwrap(),
        sh(2, 24, 9, 0) + 1
    );
    // P3 2 h from Sat Feb 14 17:00: 30 min Saturday + 90 min from Tue 09:00 = Tue 10:30.
    assert_eq!(
        cal.add_working(sh(2, 14, 17, 0), 2 * H).unwrap(),
        sh(2, 24, 10, 30)
    );
    // Sat Feb 28 is a make-up day too: 7 h.
    assert_eq!(
        cal.working_between(sh(2, 28, 0, 0), sh(3, 1, 0, 0))
            .unwrap(),
        7 * H
    );
}

#[test]
fn make_up_sundays_2026() {
    let cal = office((2026, 2026));
    // Jan 1-3 holidays, Sun Jan 4 make-up (7 h), Mon Jan 5 09:00 = start: 25200 s.
    assert_eq!(
        cal.working_between(sh(1, 1, 9, 0), sh(1, 5, 9, 0)).unwrap(),
        7 * H
    );
    assert!(cal.is_working(sh(1, 4, 10, 0)).unwrap());
    // Fri Sep 18 17:00 -> Mon Sep 21 09:30: 30 min + Sun Sep 20 make-up 7 h + 30 min = 8 h.
    assert_eq!(
        cal.working_between(sh(9, 18, 17, 0), sh(9, 21, 9, 30))
            .unwrap(),
        8 * H
    );
    // An ordinary Sunday (Sep 13) has nothing.
    assert_eq!(
        cal.working_between(sh(9, 13, 0, 0), sh(9, 14, 0, 0))
            .unwrap(),
        0
    );
}

/// Independent copy of the cn-statutory table (State Council notices).
type Table = (i32, Vec<((u32, u32), (u32, u32))>, Vec<(u32, u32)>);

fn cn_table() -> Vec<Table> {
    vec![
        (
            2024,
            vec![
                ((1, 1), (1, 1)),
                ((2, 10), (2, 17)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((6, 10), (6, 10)),
                ((9, 15), (9, 17)),
                ((10, 1), (10, 7)),
            ],
            vec![
                (2, 4),
                (2, 18),
                (4, 7),
                (4, 28),
                (5, 11),
                (9, 14),
                (9, 29),
                (10, 12),
            ],
        ),
        (
            2025,
            vec![
                ((1, 1), (1, 1)),
                ((1, 28), (2, 4)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((5, 31), (6, 2)),
                ((10, 1), (10, 8)),
            ],
            vec![(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
        ),
        (
            2026,
            vec![
                ((1, 1), (1, 3)),
                ((2, 15), (2, 23)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((6, 19), (6, 21)),
                ((9, 25), (9, 27)),
                ((10, 1), (10, 7)),
            ],
            vec![(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
        ),
    ]
}

fn cn_sets() -> (HashSet<NaiveDate>, HashSet<NaiveDate>) {
    let mut hol = HashSet::new();
    let mut work = HashSet::new();
    for (y, ranges, days) in cn_table() {
        for ((m1, d1), (m2, d2)) in ranges {
            let mut d = date(y, m1, d1);
            while d <= date(y, m2, d2) {
                hol.insert(d);
                d = d.succ_opt().unwrap();
            }
        }
        for (m, d) in days {
            work.insert(date(y, m, d));
        }
    }
    (hol, work)
}

fn day_working(cal: &Calendar, tz: Tz, d: NaiveDate) -> i64 {
    let a = at(tz, d.year(), d.month(), d.day(), 0, 0, 0);
    let n = d.succ_opt().unwrap();
    let b = at(tz, n.year(), n.month(), n.day(), 0, 0, 0);
    cal.working_between(a, b).unwrap()
}

#[test]
fn cn_statutory_table_2024_2026() {
    assert_eq!(builtin_tables(), &[("cn-statutory", 2024, 2026)]);
    let cal = office((2024, 2026));
    let tz = chrono_tz::Asia::Shanghai;
    let (hol, work) = cn_sets();
    for d in &work {
        // Make-up days are weekend days and get the (Monday) office hours.
        assert!(d.weekday().num_days_from_monday() >= 5, "{d}");
        assert_eq!(day_working(&cal, tz, *d), 7 * H, "{d}");
    }
    for d in &hol {
        assert_eq!(day_working(&cal, tz, *d), 0, "{d}");
    }
    // 2026: 261 weekdays - 19 weekday holidays + 6 make-up days = 248 days of 7 h.
    let y2026 = cal.working_between(sh(1, 1, 0, 0), at(tz, 2027, 1, 1, 0, 0, 0));
    assert_eq!(y2026.unwrap(), 248 * 7 * H);
}

#[test]
fn long_deadlines_round_trip() {
    // Far deadlines exercise the whole forward search, not just the neighbouring intervals.
    let cal = office((2024, 2026));
    let (first, last) = cal.range().unwrap();
    let total = cal.working_between(first, last).unwrap();
    assert_eq!(total, cal.total_working());
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let a = first + (x % (last - first) as u64) as i64;
        let room = cal.working_between(a, last).unwrap();
        let d = ((x >> 20) % (room as u64 + 2)) as i64;
        match cal.add_working(a, d) {
            Ok(t) => {
                assert_eq!(cal.working_between(a, t).unwrap(), d);
                if d > 0 {
                    assert_eq!(cal.working_between(a, t - 1).unwrap(), d - 1);
                }
            }
            Err(e) => {
                assert!(d > room, "{e}");
            }
        }
    }
}

#[test]
fn years_without_table_use_weekly_hours() {
    let cal = office((2025, 2027));
    let tz = chrono_tz::Asia::Shanghai;
    // Fri 2027-01-01 has no table data: an ordinary Friday, 7 h.
    assert_eq!(day_working(&cal, tz, date(2027, 1, 1)), 7 * H);
    assert_eq!(
        missing_table_years(&["cn-statutory".into()], 2025, 2027).unwrap(),
        vec![("cn-statutory".to_string(), 2027)]
    );
    assert_eq!(
        missing_table_years(&["cn-statutory".into()], 2024, 2026).unwrap(),
        vec![]
    );
    assert_eq!(
        check_years(&["cn-statutory".into()], 2023, 2026),
        Err(CalendarError::NoTableForYear {
            table: "cn-statutory".into(),
            year: 2023
        })
    );
    assert!(matches!(
        missing_table_years(&["nope".into()], 2025, 2027),
        Err(CalendarError::UnknownTable { .. })
    ));
}

#[test]
fn explicit_rules_and_precedence() {
    let tz = chrono_tz::Asia::Shanghai;
    let mut s = spec(
        tz,
        week(office_hours(), vec![]),
        &["cn-statutory"],
        (2026, 2026),
    );
    s.extra = HolidayRule {
        // Extra holiday on Mon Oct 12 and over the Oct 10 make-up day.
        holidays: vec![
            (date(2026, 10, 12), date(2026, 10, 12)),
            (date(2026, 10, 10), date(2026, 10, 10)),
        ],
        // Explicit make-up day on a table holiday: the explicit line wins.
        workdays: vec![date(2026, 10, 2), date(2026, 10, 18)],
    };
    s.makeup_hours = Some(vec![(hm(10, 0), hm(12, 0))]);
    let cal = Calendar::build(&s).unwrap();
    assert_eq!(day_working(&cal, tz, date(2026, 10, 12)), 0);
    // Table make-up day that is also an extra holiday: holiday wins (not listed in workdays).
    assert_eq!(day_working(&cal, tz, date(2026, 10, 10)), 0);
    // Explicit workdays use the make-up schedule, 10:00-12:00.
    assert_eq!(day_working(&cal, tz, date(2026, 10, 2)), 2 * H);
    assert_eq!(day_working(&cal, tz, date(2026, 10, 18)), 2 * H);
    // Table make-up days use it too.
    assert_eq!(day_working(&cal, tz, date(2026, 9, 20)), 2 * H);
}

// ---------------------------------------------------------------------------------------------
// Range and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn out_of_range_is_an_error() {
    let cal = office((2026, 2026));
    let first = sh(1, 1, 0, 0);
    let last = at(chrono_tz::Asia::Shanghai, 2027, 1, 1, 0, 0, 0);
    assert_eq!(cal.range(), Some((first, last)));
    let err = cal.working_between(first - 1, first + H).unwrap_err();
    assert_eq!(
        err,
        CalendarError::OutOfRange {
            instant: first - 1,
            first,
            last
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("2025-12-31T15:59:59Z") && msg.contains("widen"),
        "{msg}"
    );
    assert!(cal.working_between(first, last + 1).is_err());
    // The range end is a valid interval end but not an instant.
    assert_eq!(cal.working_between(first, last).unwrap(), 248 * 7 * H);
    assert!(matches!(
        cal.is_working(last),
        Err(CalendarError::OutOfRange { .. })
    ));
    assert!(cal.add_working(last + 5, 0).is_err());
    // Thu Dec 31 17:00: 30 min left in the range, 31 do not fit.
    assert_eq!(
        cal.add_working(sh(12, 31, 17, 0), 30 * M).unwrap(),
        sh(12, 31, 17, 30)
    );
    assert!(matches!(
        cal.add_working(sh(12, 31, 17, 0), 31 * M),
        Err(CalendarError::Exhausted { .. })
    ));
    assert!(matches!(
        cal.next_working(sh(12, 31, 18, 0)),
        Err(CalendarError::Exhausted { .. })
    ));
    assert!(matches!(
        cal.add_working(first, -1),
        Err(CalendarError::NegativeDuration { duration: -1 })
    ));
    // b <= a is simply zero.
    assert_eq!(cal.working_between(last + 99, first - 99).unwrap(), 0);
}

#[test]
fn calendar_is_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Calendar>();
}

#[test]
fn always_has_no_range() {
    let cal = Calendar::always();
    assert!(cal.is_always());
    assert_eq!(cal.range(), None);
    assert_eq!(cal.working_between(-5, 10).unwrap(), 15);
    assert_eq!(cal.add_working(1_000, 15 * M).unwrap(), 1_900);
    assert!(cal.is_working(i64::MIN).unwrap());
    assert_eq!(cal.next_working(7).unwrap(), 7);
    assert!(matches!(
        cal.add_working(i64::MAX, 1),
        Err(CalendarError::Overflow { .. })
    ));
    let mut s = spec(
        chrono_tz::UTC,
        week(vec![], vec![]),
        &["cn-statutory"],
        (2026, 2026),
    );
    s.always = true;
    let built = Calendar::build(&s).unwrap();
    assert!(built.is_always());
    // Holidays are ignored on 24x7: Oct 1 counts.
    assert_eq!(
        built
            .working_between(sh(10, 1, 0, 0), sh(10, 2, 0, 0))
            .unwrap(),
        DAY
    );
    // Reference contract: paused 10:05, paused 10:07, resumed 10:30, resumed 10:31, ack 10:40.
    // Pauses [10:05, 10:30) and [10:07, 10:31) merge to [10:05, 10:31): 5 + 9 = 14 min.
    // (The evaluator ignores the repeated events and passes [10:05, 10:30): 5 + 10 = 15 min.)
    let t0 = sh(10, 12, 10, 0);
    assert_eq!(
        cal.working_between_excluding(t0, t0 + 40 * M, &[(t0 + 5 * M, t0 + 30 * M)])
            .unwrap(),
        15 * M
    );
    assert_eq!(
        cal.working_between_excluding(
            t0,
            t0 + 40 * M,
            &[(t0 + 7 * M, t0 + 31 * M), (t0 + 5 * M, t0 + 30 * M)]
        )
        .unwrap(),
        14 * M
    );
}

#[test]
fn schedule_errors() {
    let tz = chrono_tz::Asia::Shanghai;
    let mut weekly = week(office_hours(), vec![]);
    weekly[1] = vec![(hm(17, 30), hm(13, 30))];
    let err = Calendar::build(&spec(tz, weekly, &[], (2026, 2026))).unwrap_err();
    assert_eq!(
        err,
        CalendarError::InvertedInterval {
            day: "Tuesday".into(),
            start: hm(17, 30),
            end: hm(13, 30)
        }
    );
    assert!(err.to_string().contains("17:30-13:30 on Tuesday"), "{err}");

    let mut weekly = week(office_hours(), vec![]);
    weekly[4] = vec![(hm(13, 30), hm(17, 30)), (hm(9, 0), hm(14, 0))];
    let err = Calendar::build(&spec(tz, weekly, &[], (2026, 2026))).unwrap_err();
    assert_eq!(
        err,
        CalendarError::OverlappingIntervals {
            day: "Friday".into(),
            first: (hm(9, 0), hm(14, 0)),
            second: (hm(13, 30), hm(17, 30))
        }
    );
    assert!(err.to_string().contains("merge"), "{err}");

    let mut weekly = week(office_hours(), vec![]);
    weekly[6] = vec![(hm(22, 0), 90_000)];
    assert!(matches!(
        Calendar::build(&spec(tz, weekly, &[], (2026, 2026))),
        Err(CalendarError::IntervalBeyondDay { .. })
    ));

    let mut s = spec(tz, week(office_hours(), vec![]), &[], (2026, 2026));
    s.makeup_hours = Some(vec![(hm(9, 0), hm(9, 0))]);
    assert!(matches!(
        Calendar::build(&s),
        Err(CalendarError::InvertedInterval { .. })
    ));

    let err = Calendar::build(&spec(
        tz,
        week(office_hours(), vec![]),
        &["cn-statutry"],
        (2026, 2026),
    ))
    .unwrap_err();
    assert!(matches!(err, CalendarError::UnknownTable { ref name, .. } if name == "cn-statutry"));
    assert!(
        err.to_string()
            .contains("built-in tables are: cn-statutory"),
        "{err}"
    );

    assert_eq!(
        Calendar::build(&spec(tz, week(office_hours(), vec![]), &[], (2027, 2026))).unwrap_err(),
        CalendarError::InvalidYears {
            from: 2027,
            to: 2026
        }
    );
    let mut s = spec(tz, week(office_hours(), vec![]), &[], (2026, 2026));
    s.extra.holidays = vec![(date(2026, 5, 2), date(2026, 5, 1))];
    assert!(matches!(
        Calendar::build(&s),
        Err(CalendarError::InvertedHolidayRange { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Daylight saving time
// ---------------------------------------------------------------------------------------------

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    at(chrono_tz::UTC, y, mo, d, h, mi, 0)
}

fn sunday_only(tz: Tz, hours: Vec<DayInterval>) -> Calendar {
    let mut weekly = week(vec![], vec![]);
    weekly[6] = hours;
    Calendar::build(&spec(tz, weekly, &[], (2026, 2026))).unwrap()
}

#[test]
fn berlin_dst() {
    let tz = chrono_tz::Europe::Berlin;
    let night = Calendar::build(&spec(
        tz,
        every_day(vec![(hm(1, 0), hm(4, 0))]),
        &[],
        (2026, 2026),
    ))
    .unwrap();
    // Sun Mar 29: 01:00 CET = 00:00Z; 04:00 CEST = 02:00Z (02:00-03:00 does not exist): 2 h.
    assert_eq!(
        night
            .working_between(utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0))
            .unwrap(),
        2 * H
    );
    assert!(night.is_working(utc(2026, 3, 29, 0, 0)).unwrap());
    assert!(!night.is_working(utc(2026, 3, 29, 2, 0)).unwrap());
    // Sun Oct 25: 01:00 CEST = Oct 24 23:00Z; 04:00 CET = 03:00Z (02:00-03:00 twice): 4 h.
    assert_eq!(
        night
            .working_between(utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0))
            .unwrap(),
        4 * H
    );
    assert_eq!(
        night.add_working(utc(2026, 10, 24, 23, 0), 4 * H).unwrap(),
        utc(2026, 10, 25, 3, 0)
    );
    // An ordinary day in summer: 01:00 CEST = 23:00Z .. 04:00 CEST = 02:00Z, 3 h.
    assert_eq!(
        night
            .working_between(utc(2026, 7, 4, 22, 0), utc(2026, 7, 5, 22, 0))
            .unwrap(),
        3 * H
    );

    let round =
        Calendar::build(&spec(tz, every_day(vec![(0, 86_400)]), &[], (2026, 2026))).unwrap();
    // Local day Mar 29 = [Mar 28 23:00Z, Mar 29 22:00Z) = 23 h; Oct 25 = [Oct 24 22:00Z,
    // Oct 25 23:00Z) = 25 h; the year is 365 days of 24 h since the two cancel out.
    assert_eq!(
        round
            .working_between(utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0))
            .unwrap(),
        23 * H
    );
    assert_eq!(
        round
            .working_between(utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0))
            .unwrap(),
        25 * H
    );
    assert_eq!(round.total_working(), 365 * DAY);
    // Range: 2026-01-01 00:00 CET = 2025-12-31 23:00Z .. 2027-01-01 00:00 CET.
    assert_eq!(
        round.range(),
        Some((utc(2025, 12, 31, 23, 0), utc(2026, 12, 31, 23, 0)))
    );
}

#[test]
fn berlin_dst_interval_edges() {
    let tz = chrono_tz::Europe::Berlin;
    let day = |cal: &Calendar, m: u32, d: u32| {
        cal.working_between(at(tz, 2026, m, d, 0, 0, 0), at(tz, 2026, m, d + 1, 0, 0, 0))
            .unwrap()
    };
    // Start in the gap maps to the gap's end: [02:30, 05:00) on Mar 29 = [01:00Z, 03:00Z), 2 h.
    let c = sunday_only(tz, vec![(hm(2, 30), hm(5, 0))]);
    assert_eq!(day(&c, 3, 29), 2 * H);
    // An interval entirely inside the gap is empty; an ordinary Sunday has its 45 min.
    let c = sunday_only(tz, vec![(hm(2, 0), hm(2, 45))]);
    assert_eq!(day(&c, 3, 29), 0);
    assert_eq!(day(&c, 3, 22), 45 * M);
    // Ambiguous start -> earlier instant: [02:30, 03:30) on Oct 25 = [00:30Z, 02:30Z), 2 h.
    let c = sunday_only(tz, vec![(hm(2, 30), hm(3, 30))]);
    assert_eq!(day(&c, 10, 25), 2 * H);
    // Ambiguous end -> later instant: [01:00, 02:30) = [Oct 24 23:00Z, 01:30Z), 2 h 30 min.
    let c = sunday_only(tz, vec![(hm(1, 0), hm(2, 30))]);
    assert_eq!(day(&c, 10, 25), 2 * H + 30 * M);
    // Both together overlap in UTC and are merged: [23:00Z, 03:00Z) = 4 h, not 5 h.
    let c = sunday_only(tz, vec![(hm(1, 0), hm(2, 30)), (hm(2, 30), hm(4, 0))]);
    assert_eq!(day(&c, 10, 25), 4 * H);
    assert_eq!(
        c.intervals()
            .filter(|&(s, _)| s >= utc(2026, 10, 24, 0, 0) && s < utc(2026, 10, 26, 0, 0))
            .collect::<Vec<_>>(),
        vec![(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 3, 0))]
    );
}

#[test]
fn new_york_dst() {
    let tz = chrono_tz::America::New_York;
    let night = Calendar::build(&spec(
        tz,
        every_day(vec![(hm(1, 0), hm(4, 0))]),
        &[],
        (2026, 2026),
    ))
    .unwrap();
    // Sun Mar 8: 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z: 2 h.
    assert_eq!(
        night
            .working_between(utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0))
            .unwrap(),
        2 * H
    );
    // Sun Nov 1: 01:00 is ambiguous, start -> 01:00 EDT = 05:00Z; 04:00 EST = 09:00Z: 4 h.
    assert_eq!(
        night
            .working_between(utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0))
            .unwrap(),
        4 * H
    );
    let round =
        Calendar::build(&spec(tz, every_day(vec![(0, 86_400)]), &[], (2026, 2026))).unwrap();
    // Mar 8 local day = [05:00Z, Mar 9 04:00Z) = 23 h; Nov 1 = [04:00Z, Nov 2 05:00Z) = 25 h.
    assert_eq!(
        round
            .working_between(utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0))
            .unwrap(),
        23 * H
    );
    assert_eq!(
        round
            .working_between(utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0))
            .unwrap(),
        25 * H
    );
    // Business hours follow the wall clock: Fri Mar 6 16:00 EST (21:00Z) -> Mon Mar 9 10:00
    // EDT (14:00Z) with 09:00-17:00 = 1 h Friday + 1 h Monday.
    let biz = Calendar::build(&spec(
        tz,
        week(vec![(hm(9, 0), hm(17, 0))], vec![]),
        &[],
        (2026, 2026),
    ))
    .unwrap();
    assert_eq!(
        biz.working_between(utc(2026, 3, 6, 21, 0), utc(2026, 3, 9, 14, 0))
            .unwrap(),
        2 * H
    );
    assert_eq!(
        biz.add_working(utc(2026, 3, 6, 21, 0), 2 * H).unwrap(),
        utc(2026, 3, 9, 14, 0)
    );
}

// ---------------------------------------------------------------------------------------------
// Properties against a naive reference
// ---------------------------------------------------------------------------------------------

/// Obviously-correct model: an instant works iff its local wall-clock time lies in the
/// schedule of its local date.
struct Naive {
    tz: Tz,
    weekly: [Vec<DayInterval>; 7],
    makeup: Vec<DayInterval>,
    holidays: HashSet<NaiveDate>,
    table_work: HashSet<NaiveDate>,
    explicit_work: HashSet<NaiveDate>,
    year: i32,
    pauses: Vec<(i64, i64)>,
}

impl Naive {
    fn working(&self, t: i64) -> bool {
        let local = Utc
            .timestamp_opt(t, 0)
            .unwrap()
            .with_timezone(&self.tz)
            .naive_local();
        let d = local.date();
        if d.year() != self.year {
            return false;
        }
        let hours = if self.explicit_work.contains(&d) {
            &self.makeup
        } else if self.holidays.contains(&d) {
            return false;
        } else if self.table_work.contains(&d) {
            &self.makeup
        } else {
            &self.weekly[d.weekday().num_days_from_monday() as usize]
        };
        let sec = local.time().num_seconds_from_midnight();
        hours.iter().any(|&(s, e)| s <= sec && sec < e)
    }

    fn counts(&self, t: i64) -> bool {
        self.working(t) && !self.pauses.iter().any(|&(s, e)| s <= t && t < e)
    }

    /// Seconds in [a, b) that count. Schedules, offsets and pauses are minute-aligned, so
    /// whether a second counts is constant within each UTC minute: count whole minutes and
    /// correct for the partial minutes at both ends.
    fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let (a0, b0) = (a.div_euclid(60) * 60, b.div_euclid(60) * 60);
        let mut n = 0;
        let mut m = a0;
        while m < b0 {
            if self.counts(m) {
                n += 60;
            }
            m += 60;
        }
        if self.counts(a0) {
            n -= a - a0;
        }
        if self.counts(b0) {
            n += b - b0;
        }
        n
    }
}

/// Random day schedule on quarter-hour points, none inside `skip` (quarter-hour indices).
///
/// Ends inside a zone's repeated (ambiguous) hour are skipped because there the documented
/// rule deliberately differs from the per-instant model (hand-computed tests cover it); ends
/// inside a gap agree with it and stay in.
fn day_strategy(skip: std::ops::Range<u32>) -> impl Strategy<Value = Vec<DayInterval>> {
    prop::collection::vec(
        (0u32..=96).prop_filter("ambiguous hour", move |q| !skip.contains(q)),
        0..=6,
    )
    .prop_map(|mut qs| {
        qs.sort_unstable();
        qs.dedup();
        qs.chunks_exact(2)
            .map(|p| (p[0] * 900, p[1] * 900))
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Case {
    tz: Tz,
    weekly: [Vec<DayInterval>; 7],
    makeup: Option<Vec<DayInterval>>,
    table: bool,
    extra_holidays: Vec<(u32, u32)>,
    extra_work: Vec<u32>,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    // Repeated local hour in 2026: Berlin 02:00-03:00 (Oct 25), New York 01:00-02:00 (Nov 1).
    prop_oneof![
        Just((chrono_tz::Asia::Shanghai, 0..0)),
        Just((chrono_tz::Europe::Berlin, 8..12)),
        Just((chrono_tz::America::New_York, 4..8))
    ]
    .prop_flat_map(|(tz, skip)| {
        (
            Just(tz),
            prop::array::uniform7(day_strategy(skip.clone())),
            prop::option::of(day_strategy(skip)),
            any::<bool>(),
            prop::collection::vec((0u32..365, 0u32..4), 0..4),
            prop::collection::vec(0u32..365, 0..4),
        )
    })
    .prop_map(
        |(tz, weekly, makeup, table, extra_holidays, extra_work)| Case {
            tz,
            weekly,
            makeup,
            table,
            extra_holidays,
            extra_work,
        },
    )
}

fn nth_day(n: u32) -> NaiveDate {
    date(2026, 1, 1) + chrono::Days::new(u64::from(n))
}

fn build_case(c: &Case) -> (Calendar, Naive) {
    let extra = HolidayRule {
        holidays: c
            .extra_holidays
            .iter()
            .map(|&(d, len)| (nth_day(d), nth_day(d) + chrono::Days::new(u64::from(len))))
            .collect(),
        workdays: c.extra_work.iter().map(|&d| nth_day(d)).collect(),
    };
    let s = CalendarSpec {
        tz: c.tz,
        always: false,
        weekly: c.weekly.clone(),
        makeup_hours: c.makeup.clone(),
        tables: if c.table {
            vec!["cn-statutory".into()]
        } else {
            vec![]
        },
        extra: extra.clone(),
        years: (2026, 2026),
    };
    let cal = Calendar::build(&s).unwrap();
    let (mut holidays, mut table_work) = if c.table {
        cn_sets()
    } else {
        (HashSet::new(), HashSet::new())
    };
    for (a, b) in extra.holidays {
        let mut d = a;
        while d <= b {
            holidays.insert(d);
            d = d.succ_opt().unwrap();
        }
    }
    table_work.retain(|d| d.year() == 2026);
    let naive = Naive {
        tz: c.tz,
        weekly: c.weekly.clone(),
        makeup: c.makeup.clone().unwrap_or_else(|| c.weekly[0].clone()),
        holidays,
        table_work,
        explicit_work: extra.workdays.into_iter().collect(),
        year: 2026,
        pauses: vec![],
    };
    (cal, naive)
}

const YEAR_MINUTES: i64 = 365 * 1440;
const SPAN_MINUTES: i64 = 4 * 1440;

/// Start minute in the year: uniform, or within two days before a 2026 DST change (day of
/// year 66 = Mar 8, 87 = Mar 29, 297 = Oct 25, 304 = Nov 1) so the changes get hit often.
fn start_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        0..YEAR_MINUTES - SPAN_MINUTES,
        (
            prop::sample::select(vec![66i64, 87, 297, 304]),
            0i64..2 * 1440
        )
            .prop_map(|(day, m)| (day - 2) * 1440 + m),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn agrees_with_naive_reference(
        c in case_strategy(),
        start in start_strategy(),
        len in 0..SPAN_MINUTES,
        mid in 0.0..1.0f64,
        sa in 0i64..60,
        sb in 0i64..60,
        d_frac in 0.0..1.5f64,
    ) {
        let (cal, naive) = build_case(&c);
        let (first, last) = cal.range().unwrap();
        let a = first + start * 60 + sa;
        let b = (first + (start + len) * 60 + sb).min(last);
        prop_assert_eq!(cal.working_between(a, b).unwrap(), naive.between(a, b));
        prop_assert_eq!(cal.is_working(a).unwrap(), naive.working(a));
        let nw = cal.next_working(a);
        if let Ok(t) = nw {
            prop_assert!(t >= a && naive.working(t));
            prop_assert_eq!(naive.between(a, t), 0);
        }

        // Additivity through an arbitrary middle point.
        let m = a + ((b - a) as f64 * mid) as i64;
        prop_assert_eq!(
            cal.working_between(a, b).unwrap(),
            cal.working_between(a, m).unwrap() + cal.working_between(m, b).unwrap()
        );

        // add_working inverts working_between and is the earliest such instant.
        let avail = cal.working_between(a, last).unwrap();
        let d = ((cal.working_between(a, b).unwrap() as f64) * d_frac) as i64;
        match cal.add_working(a, d) {
            Ok(t) => {
                prop_assert!(d <= avail);
                prop_assert!(t >= a);
                prop_assert_eq!(cal.working_between(a, t).unwrap(), d);
                prop_assert_eq!(naive.between(a, t), d);
                if d > 0 {
                    prop_assert_eq!(cal.working_between(a, t - 1).unwrap(), d - 1);
                } else {
                    prop_assert_eq!(t, a);
                }
                // Monotone in d and in a.
                if let Ok(t2) = cal.add_working(a, d + 1) {
                    prop_assert!(t2 > t);
                }
                // (the middle point lies before `a` when the generated `b` does: len 0, sb < sa)
                if let (true, Ok(t3)) = (m >= a, cal.add_working(m, d)) {
                    prop_assert!(t3 >= t);
                }
            }
            Err(e) => {
                prop_assert!(d > avail, "{}", e);
                prop_assert!(matches!(e, CalendarError::Exhausted { .. }), "{}", e);
            }
        }
    }

    #[test]
    fn excluding_agrees_with_naive_reference(
        c in case_strategy(),
        start in start_strategy(),
        len in 0..SPAN_MINUTES,
        raw_pauses in prop::collection::vec((-600i64..SPAN_MINUTES + 600, 0i64..2000), 0..5),
        sa in 0i64..60,
        d_frac in 0.0..1.5f64,
    ) {
        let (cal, mut naive) = build_case(&c);
        let (first, last) = cal.range().unwrap();
        let base = first + start * 60;
        let a = base + sa;
        let b = (base + len * 60).min(last);
        // Minute-aligned pauses, possibly overlapping, unsorted, reaching outside [a, b) and
        // even outside the range.
        let pauses: Vec<(i64, i64)> = raw_pauses
            .iter()
            .map(|&(s, l)| (base + s * 60, base + (s + l) * 60))
            .collect();
        naive.pauses = pauses.clone();
        let w = cal.working_between_excluding(a, b, &pauses).unwrap();
        prop_assert_eq!(w, naive.between(a, b));
        // With no pauses it is working_between.
        prop_assert_eq!(
            cal.working_between_excluding(a, b, &[]).unwrap(),
            cal.working_between(a, b).unwrap()
        );
        let d = ((w as f64) * d_frac) as i64;
        match cal.add_working_excluding(a, d, &pauses) {
            Ok(t) => {
                prop_assert!(t >= a);
                prop_assert_eq!(naive.between(a, t), d);
                if d > 0 {
                    prop_assert_eq!(naive.between(a, t - 1), d - 1);
                } else {
                    prop_assert_eq!(t, a);
                }
            }
            Err(e) => {
                prop_assert!(matches!(e, CalendarError::Exhausted { .. }), "{}", e);
                prop_assert!(naive.between(a, last) < d);
            }
        }
    }

    #[test]
    fn holidays_count_nothing_and_make_up_days_count_their_hours(
        c in case_strategy(),
        day in 0u32..365,
    ) {
        let (cal, naive) = build_case(&c);
        let d = nth_day(day);
        let tz = c.tz;
        let a = at(tz, d.year(), d.month(), d.day(), 0, 0, 0);
        let n = d.succ_opt().unwrap();
        let b = if n.year() == 2026 { at(tz, 2026, n.month(), n.day(), 0, 0, 0) } else { cal.range().unwrap().1 };
        let w = cal.working_between(a, b).unwrap();
        // A 24 h local day unless it is a DST change day.
        let regular = b - a == DAY;
        if naive.explicit_work.contains(&d) || (!naive.holidays.contains(&d) && naive.table_work.contains(&d)) {
            if regular {
                let hours: i64 = naive.makeup.iter().map(|&(s, e)| i64::from(e - s)).sum();
                prop_assert_eq!(w, hours);
            }
        } else if naive.holidays.contains(&d) {
            prop_assert_eq!(w, 0);
        }
    }

    #[test]
    fn dst_days_agree_with_naive_reference(
        (tz, hours) in prop_oneof![
            Just((chrono_tz::Europe::Berlin, 8..12)),
            Just((chrono_tz::America::New_York, 4..8))
        ]
        .prop_flat_map(|(tz, skip)| (Just(tz), day_strategy(skip))),
        day in prop::sample::select(vec![66u32, 87, 297, 304]),
        from_min in 0i64..1440,
        len in 0i64..2 * 1440,
        sa in 0i64..60,
        sb in 0i64..60,
        d_frac in 0.0..1.0f64,
    ) {
        // The same schedule every day, around a DST change, so gap ends get exercised.
        let c = Case {
            tz,
            weekly: every_day(hours),
            makeup: None,
            table: false,
            extra_holidays: vec![],
            extra_work: vec![],
        };
        let (cal, naive) = build_case(&c);
        let prev = nth_day(day - 1);
        let a = at(tz, 2026, prev.month(), prev.day(), 0, 0, 0) + from_min * 60 + sa;
        let b = a + len * 60 + sb;
        let w = cal.working_between(a, b).unwrap();
        prop_assert_eq!(w, naive.between(a, b));
        let d = (w as f64 * d_frac) as i64;
        let t = cal.add_working(a, d).unwrap();
        prop_assert_eq!(naive.between(a, t), d);
        if d > 0 {
            prop_assert_eq!(naive.between(a, t - 1), d - 1);
        }
    }
}
