//! Calendars: weekly hours, 24×7, holiday tables, explicit holidays and make-up days.

use std::sync::Arc;

use chrono::{Datelike, Weekday};

use super::{util, Ctx, Res};
use crate::contract::{CalendarDef, CalendarId};
use crate::language::ast::{self, CalendarStmt, DaySel};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;
use crate::time::calendar::{self, Calendar, CalendarSpec, DayInterval, HolidayRule};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_WORDS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Where the intervals of one day came from, for overlap messages.
type Spanned = (DayInterval, ast::Span);

/// Two overlapping intervals and the days they overlap on.
struct Overlap {
    first: DayInterval,
    second: DayInterval,
    span: ast::Span,
    days: Vec<&'static str>,
}

/// In a clock, `calendar business` is the calendar of the subject's product.
pub(crate) const RESERVED_CALENDAR: &str = "business";

impl Ctx {
    pub(crate) fn calendars_pass(&mut self, cals: &[&ast::CalendarDecl]) {
        for c in cals {
            let name = &c.name.name;
            if self.calendar_names.contains_key(name) {
                self.push(
                    Diagnostic::error(
                        Code::E0110,
                        format!("calendar `{name}` is declared twice"),
                        c.name.span,
                    )
                    .with_label("second declaration")
                    .with_help("rename or remove one of the two calendars"),
                );
                continue;
            }
            if name == RESERVED_CALENDAR {
                // Still declared below, so that what refers to it is not reported again.
                self.push(
                    Diagnostic::error(
                        Code::E0122,
                        format!("`{RESERVED_CALENDAR}` is a reserved calendar name"),
                        c.name.span,
                    )
                    .with_label("reserved name")
                    .with_help(format!(
                        "in a clock, `calendar {RESERVED_CALENDAR}` means the calendar of each subject's product, so a calendar of this name could never be chosen there; rename it, e.g. `calendar {RESERVED_CALENDAR}_hours`"
                    )),
                );
            }
            let Some(idx) = self.calendars.next_id() else {
                self.push(super::too_many(c.name.span));
                continue;
            };
            self.calendar_names.insert(name.clone(), idx);
            self.calendar_order.push(name.clone());
            let def = self.calendar(c);
            self.calendars.push(def);
        }
    }

    fn calendar(&mut self, c: &ast::CalendarDecl) -> Option<CalendarDef> {
        let errors_before = self.error_count();
        let mut weekly: [Vec<Spanned>; 7] = Default::default();
        let mut makeup: Option<Vec<Spanned>> = None;
        let mut always: Option<ast::Span> = None;
        let mut first_hours: Option<ast::Span> = None;
        let mut tables: Vec<(String, ast::Span)> = Vec::new();
        let mut extra = HolidayRule::default();
        for stmt in &c.stmts {
            match stmt {
                CalendarStmt::Hours {
                    days,
                    intervals,
                    span,
                } => {
                    first_hours.get_or_insert(*span);
                    let ivs = self.intervals(intervals);
                    match days {
                        DaySel::Makeup(_) => makeup.get_or_insert_with(Vec::new).extend(ivs),
                        _ => {
                            for d in self.day_selection(days) {
                                if let Some(v) = weekly.get_mut(d) {
                                    v.extend(ivs.iter().copied());
                                }
                            }
                        }
                    }
                }
                CalendarStmt::Always { span } => {
                    always.get_or_insert(*span);
                }
                CalendarStmt::Holidays { table, span } => {
                    let known = calendar::builtin_tables();
                    if known.iter().any(|(n, _, _)| *n == table.name) {
                        if !tables.iter().any(|(n, _)| *n == table.name) {
                            tables.push((table.name.clone(), *span));
                        }
                    } else {
                        let names: Vec<&str> = known.iter().map(|(n, _, _)| *n).collect();
                        let d = Diagnostic::error(
                            Code::E0116,
                            format!("unknown holiday table `{}`", table.name),
                            table.span,
                        )
                        .with_label("not a built-in holiday table");
                        let d = match util::suggest(&table.name, &names) {
                            Some(s) => d.with_help(format!(
                                "did you mean `{s}`? built-in tables: {}",
                                util::list(&names)
                            )),
                            None => d.with_help(format!("built-in tables: {}", util::list(&names))),
                        };
                        self.push(d);
                    }
                }
                CalendarStmt::Holiday { from, to, span } => {
                    let to_date = to.as_ref().map_or(from.date, |t| t.date);
                    if to_date < from.date {
                        self.push(
                            Diagnostic::error(
                                Code::E0118,
                                format!(
                                    "holiday range {} .. {} ends before it starts",
                                    from.date, to_date
                                ),
                                *span,
                            )
                            .with_label("inverted range")
                            .with_help(format!("write `holiday {} .. {}`", to_date, from.date)),
                        );
                    } else {
                        extra.holidays.push((from.date, to_date));
                    }
                }
                CalendarStmt::Workday { date, span } => {
                    let wd = date.date.weekday();
                    if !matches!(wd, Weekday::Sat | Weekday::Sun) {
                        let word = DAY_WORDS
                            .get(wd.num_days_from_monday() as usize)
                            .copied()
                            .unwrap_or("a weekday");
                        self.push(
                            Diagnostic::warning(
                                Code::W0100,
                                format!(
                                    "make-up working day {} is a {word}, which is a working day anyway",
                                    date.date
                                ),
                                *span,
                            )
                            .with_label("not a Saturday or Sunday")
                            .with_help("make-up days (调休) are weekend days worked in exchange for a holiday; check the date"),
                        );
                    }
                    extra.workdays.push(date.date);
                }
            }
        }
        if let Some(span) = always {
            if first_hours.is_some() {
                self.push(
                    Diagnostic::error(
                        Code::E0115,
                        format!(
                            "calendar `{}` has `hours 24x7` and other hours",
                            c.name.name
                        ),
                        span,
                    )
                    .with_label("24x7 already covers every hour")
                    .with_help("remove either `hours 24x7` or the other `hours` lines"),
                );
            }
        } else if first_hours.is_none() {
            self.push(
                Diagnostic::error(
                    Code::E0120,
                    format!("calendar `{}` has no working hours", c.name.name),
                    c.name.span,
                )
                .with_label("no `hours` line")
                .with_help("add `hours mon..fri 09:00-17:00` or `hours 24x7`"),
            );
        }
        let mut found: Vec<Overlap> = Vec::new();
        for (i, day) in weekly.iter().enumerate() {
            let word = DAY_WORDS.get(i).copied().unwrap_or("day");
            Self::overlaps(day, word, &mut found);
        }
        if let Some(m) = &makeup {
            Self::overlaps(m, "make-up days", &mut found);
        }
        self.report_overlaps(found);
        // Term years a referenced table does not cover.
        if let Some((from, to)) = self.term {
            let names: Vec<String> = tables.iter().map(|(n, _)| n.clone()).collect();
            if let Ok(missing) = calendar::missing_table_years(&names, from.year(), to.year()) {
                for (table, year) in missing {
                    let span = tables
                        .iter()
                        .find(|(n, _)| *n == table)
                        .map_or(c.name.span, |(_, s)| *s);
                    let covered = calendar::builtin_tables()
                        .iter()
                        .find(|(n, _, _)| *n == table)
                        .map(|(_, a, b)| format!("{a} to {b}"))
                        .unwrap_or_default();
                    self.push(
                        Diagnostic::error(
                            Code::E0117,
                            format!("holiday table `{table}` has no data for {year}"),
                            span,
                        )
                        .with_label(format!("covers {covered} only"))
                        .with_help(format!(
                            "list {year}'s holidays and make-up days with `holiday` and `workday` lines instead, or limit the term to covered years"
                        )),
                    );
                }
            }
        }
        if self.error_count() > errors_before {
            return None;
        }
        let strip = |v: &Vec<Spanned>| v.iter().map(|(iv, _)| *iv).collect::<Vec<_>>();
        let built = if always.is_some() {
            Calendar::always()
        } else {
            let (Some(tz), Some(years)) = (self.tz, self.calendar_years()) else {
                // Reported already (timezone or term); nothing to build.
                return None;
            };
            let spec = CalendarSpec {
                tz,
                always: false,
                weekly: weekly.each_ref().map(strip),
                makeup_hours: makeup.as_ref().map(strip),
                tables: tables.into_iter().map(|(n, _)| n).collect(),
                extra,
                years,
            };
            match Calendar::build(&spec) {
                Ok(cal) => cal,
                Err(e) => {
                    self.push(
                        Diagnostic::error(
                            Code::E0121,
                            format!("calendar `{}` cannot be built: {e}", c.name.name),
                            c.name.span,
                        )
                        .with_label("invalid calendar"),
                    );
                    return None;
                }
            }
        };
        Some(CalendarDef {
            name: c.name.name.clone(),
            title: c.title.as_ref().map(|t| t.value.clone()),
            calendar: Arc::new(built),
        })
    }

    pub(crate) fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    fn day_index(&mut self, day: &ast::Ident) -> Option<usize> {
        match DAYS.iter().position(|d| *d == day.name) {
            Some(i) => Some(i),
            None => {
                let d = Diagnostic::error(
                    Code::E0111,
                    format!("unknown weekday `{}`", day.name),
                    day.span,
                )
                .with_label("not a weekday");
                self.push(util::with_suggestion(
                    d,
                    &day.name,
                    DAYS,
                    "weekdays are written `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`",
                ));
                None
            }
        }
    }

    fn day_selection(&mut self, days: &DaySel) -> Vec<usize> {
        match days {
            DaySel::Range(a, b) => {
                let (ia, ib) = (self.day_index(a), self.day_index(b));
                let (Some(ia), Some(ib)) = (ia, ib) else {
                    return Vec::new();
                };
                if ia > ib {
                    self.push(
                        Diagnostic::error(
                            Code::E0112,
                            format!(
                                "weekday range `{}..{}` wraps around the week",
                                a.name, b.name
                            ),
                            ast::Span::new(a.span.start, b.span.end),
                        )
                        .with_label("runs backwards")
                        .with_help(format!(
                            "split it: `{}` on one line and `{}` on another",
                            if ia == 6 {
                                "sun".to_string()
                            } else {
                                format!("{}..sun", a.name)
                            },
                            if ib == 0 {
                                "mon".to_string()
                            } else {
                                format!("mon..{}", b.name)
                            },
                        )),
                    );
                    return Vec::new();
                }
                (ia..=ib).collect()
            }
            DaySel::List(list) => list.iter().filter_map(|d| self.day_index(d)).collect(),
            DaySel::Makeup(_) => Vec::new(),
        }
    }

    /// Valid intervals of one `hours` line (invalid ones are reported and dropped).
    fn intervals(&mut self, intervals: &[(ast::TimeLit, ast::TimeLit)]) -> Vec<Spanned> {
        let mut out = Vec::new();
        for (s, e) in intervals {
            let span = ast::Span::new(s.span.start, e.span.end);
            if e.seconds > 86_400 || s.seconds >= 86_400 {
                self.push(
                    Diagnostic::error(
                        Code::E0113,
                        format!(
                            "working interval {}-{} ends after 24:00",
                            hm(s.seconds),
                            hm(e.seconds)
                        ),
                        span,
                    )
                    .with_label("beyond midnight")
                    .with_help("split it at midnight and put the rest on the next day's line"),
                );
            } else if s.seconds >= e.seconds {
                let (what, label) = if s.seconds == e.seconds {
                    ("is empty", "empty interval")
                } else {
                    ("ends before it starts", "inverted interval")
                };
                self.push(
                    Diagnostic::error(
                        Code::E0113,
                        format!("working interval {}-{} {what}", hm(s.seconds), hm(e.seconds)),
                        span,
                    )
                    .with_label(label)
                    .with_help(if s.seconds == e.seconds {
                        "remove it, or give it an end after its start".to_string()
                    } else {
                        format!(
                            "write start-end with start < end, e.g. `{}-{}`; use 24:00 for midnight at the end of the day",
                            hm(e.seconds),
                            hm(s.seconds)
                        )
                    }),
                );
            } else {
                out.push(((s.seconds, e.seconds), span));
            }
        }
        out
    }

    /// Overlapping intervals of one day, keyed by the offending interval (the one written
    /// later in the file); `found` collects the days each one overlaps on.
    fn overlaps(day: &[Spanned], word: &'static str, found: &mut Vec<Overlap>) {
        let mut v: Vec<Spanned> = day.to_vec();
        v.sort_by_key(|((s, e), sp)| (*s, *e, sp.start));
        for w in v.windows(2) {
            let [(a, sa), (b, sb)] = w else { continue };
            if b.0 < a.1 {
                let (first, second, span) = if sb.start >= sa.start {
                    (*a, *b, *sb)
                } else {
                    (*b, *a, *sa)
                };
                match found.iter_mut().find(|o| o.span.start == span.start) {
                    Some(o) => {
                        if !o.days.contains(&word) {
                            o.days.push(word);
                        }
                    }
                    None => found.push(Overlap {
                        first,
                        second,
                        span,
                        days: vec![word],
                    }),
                }
            }
        }
    }

    /// Reports each overlapping interval once, naming every day it overlaps on.
    fn report_overlaps(&mut self, found: Vec<Overlap>) {
        for o in found {
            self.push(
                Diagnostic::error(
                    Code::E0114,
                    format!(
                        "working intervals {}-{} and {}-{} overlap on {}",
                        hm(o.first.0),
                        hm(o.first.1),
                        hm(o.second.0),
                        hm(o.second.1),
                        o.days.join(", ")
                    ),
                    o.span,
                )
                .with_label("overlaps another interval of the same day")
                .with_help("merge the two intervals into one, or make them disjoint"),
            );
        }
    }

    /// Resolves a calendar reference (category, product, clock); reports an unknown name.
    pub(crate) fn calendar_ref(&mut self, name: &ast::Ident) -> Res<CalendarId> {
        match self.calendar_names.get(&name.name) {
            Some(&i) => {
                if self.calendars.get(i).is_some_and(Option::is_some) {
                    Res::Ok(i)
                } else {
                    Res::Bad
                }
            }
            None => {
                let d = Diagnostic::error(
                    Code::E0119,
                    format!("unknown calendar `{}`", name.name),
                    name.span,
                )
                .with_label("no calendar of this name");
                let fallback = if self.calendar_order.is_empty() {
                    "declare it with `calendar NAME { hours ... }`".to_string()
                } else {
                    format!("declared calendars: {}", util::list(&self.calendar_order))
                };
                let d = util::with_suggestion(d, &name.name, &self.calendar_order, &fallback);
                self.push(d);
                Res::Bad
            }
        }
    }
}

fn hm(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}
