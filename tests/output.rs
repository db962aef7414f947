//! The text and CSV forms of a scorecard and of an explanation, on a small contract written
//! here: counts print as whole numbers, durations in their unit, business time in hours.
//!
//! Frame: time zone UTC; calendar `office` (Mon–Fri 09:00–17:00, eight hours a day); one
//! product `a.x` on it; client `c` assesses prime `v`. March 2026: Mon Mar 2 … Mon Mar 9.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::engine::scorecard::Scorecard;
use slagrade::event::{read_jsonl, Limits, LineOutcome};

const CONTRACT: &str = r#"contract "output" {
  timezone "UTC"
  currency CNY
  term 2026-01-01 .. 2026-12-31
  period month
  calendar office "office hours" {
    hours mon..fri 09:00-17:00
  }
  party c client "Client"
  party v prime "Vendor" fee 1000.00 CNY / month
  category a "A" calendar office {
    product x "X"
  }
  event job.created
  event job.done
  event job.timed { secs: number s }
  event net.ping { rtt: number ms }
  event sec.incident
  subject job { anchor job.created }
  indicator fix "fix" {
    level process
    weight 1
    clock job {
      stop on job.done
      deadline 8h
      calendar office
    }
    value rate(met)
    target >= 90%
    score linear 0% -> 0, 100% -> 100
  }
  indicator avg "avg" {
    level system
    weight 1
    value mean(job.timed.secs)
    target <= 7200s
    score linear 7200s -> 100, 14400s -> 0
  }
  indicator ping "ping" {
    level system
    weight 1
    value mean(net.ping.rtt)
    target <= 50ms
    score linear 50ms -> 100, 100ms -> 0
  }
  indicator inc "inc" {
    level role
    weight 1
    value count(sec.incident)
    target <= 0
    score deduct 10 per 1
  }
  assess v by c { scope all }
}
"#;

fn ev(id: &str, at: &str, kind: &str, subject: &str, attrs: &str) -> String {
    format!(
        r#"{{"id":"{id}","at":"{at}","kind":"{kind}","subject":"{subject}","product":"a.x","attrs":{{{attrs}}}}}"#
    )
}

fn lines() -> Vec<String> {
    vec![
        // J1: Mon 09:00 → next Mon 10:03 on office hours: five days of 8h, then 1h 03m
        // = 41h 03m counted, 8h allowed → breached
        ev("j1c", "2026-03-02T09:00:00Z", "job.created", "J1", ""),
        ev("j1d", "2026-03-09T10:03:00Z", "job.done", "J1", ""),
        // J2: Tue 09:00 → 10:00 = 1h → met
        ev("j2c", "2026-03-03T09:00:00Z", "job.created", "J2", ""),
        ev("j2d", "2026-03-03T10:00:00Z", "job.done", "J2", ""),
        // mean of 5400 s and 5400 s = 5400 s (1h 30m), under 2h → 100
        ev(
            "t1",
            "2026-03-04T10:00:00Z",
            "job.timed",
            "T1",
            r#""secs":5400"#,
        ),
        ev(
            "t2",
            "2026-03-04T11:00:00Z",
            "job.timed",
            "T2",
            r#""secs":5400"#,
        ),
        // mean of 40 ms and 45.5 ms = 42.75 ms, under 50ms → 100
        ev(
            "p1",
            "2026-03-04T10:00:00Z",
            "net.ping",
            "P1",
            r#""rtt":40"#,
        ),
        ev(
            "p2",
            "2026-03-04T11:00:00Z",
            "net.ping",
            "P2",
            r#""rtt":45.5"#,
        ),
        // one incident: deduct 10 → 90
        ev("s1", "2026-03-05T10:00:00Z", "sec.incident", "S1", ""),
    ]
}

fn evaluator() -> Evaluator {
    let checked = match slagrade::contract::check::load(CONTRACT) {
        Ok(c) => c,
        Err(d) => panic!(
            "{}",
            slagrade::language::diagnostic::render(&d, CONTRACT, "output.sla", false)
        ),
    };
    let plan = Arc::new(Plan::compile(checked.contract));
    let mut ev = Evaluator::new(&plan);
    let text: String = lines().iter().map(|l| format!("{l}\n")).collect();
    read_jsonl(
        plan.contract(),
        text.as_bytes(),
        Limits::default(),
        |o| match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => panic!("rejected: {r:?}"),
        },
    )
    .unwrap();
    ev
}

fn march(ev: &Evaluator) -> slagrade::time::period::Period {
    let c = &ev.plan().contract();
    slagrade::time::period::parse(c.period(), c.timezone(), "2026-03").unwrap()
}

const AS_OF: &str = "2026-04-01T00:00:00Z";

fn card() -> Scorecard {
    let ev = evaluator();
    let t = slagrade::event::parse_instant(AS_OF).unwrap();
    ev.scorecard(&march(&ev), Some(t)).unwrap()
}

/// The cells of the table row of indicator `name`, split on blanks.
fn row(table: &str, name: &str) -> Vec<String> {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn table_prints_counts_as_whole_numbers_and_durations_in_their_unit() {
    let table = card().to_table();
    // indicator, weight, value, target (two cells), score, detail
    assert_eq!(
        row(&table, "inc"),
        ["inc", "1", "1", "<=", "0", "90.00", "n=1"]
    );
    assert_eq!(
        row(&table, "avg"),
        ["avg", "1", "5400s", "<=", "7200s", "100.00", "n=2"]
    );
    assert_eq!(
        row(&table, "ping"),
        ["ping", "1", "42.75ms", "<=", "50ms", "100.00", "n=2"]
    );
    // shares keep their places: 1 met of 2
    assert_eq!(
        row(&table, "fix"),
        ["fix", "1", "0.5000", ">=", "90%", "50.00", "met", "1", "breached", "1", "pending", "0"]
    );
}

#[test]
fn csv_prints_counts_as_whole_numbers_and_names_the_unit_of_each_value() {
    let mut csv = String::new();
    card().to_csv(&mut csv, true);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (value, unit) = (col("value"), col("unit"));
    let cells: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[col("indicator")], r[value], r[unit]))
        .collect();
    assert_eq!(
        cells,
        [
            ("fix", "0.5000", "share"),
            ("avg", "5400", "s"),
            ("ping", "42.75", "ms"),
            ("inc", "1", "count"),
        ]
    );
    // every row has as many cells as the header
    assert!(rows.iter().all(|r| r.len() == head.len()));
}

#[test]
fn json_keeps_its_documented_form() {
    let v = card().to_json();
    let inds = &v["assessments"][0]["indicators"];
    assert_eq!(inds[3]["value"], "1.0000");
    assert_eq!(inds[1]["value"], "5400.0000");
    assert_eq!(inds[2]["value"], "42.7500");
}

#[test]
fn explanation_prints_business_time_in_hours_not_days() {
    let ev = evaluator();
    let t = slagrade::event::parse_instant(AS_OF).unwrap();
    let (card, findings) = ev.explain(&march(&ev), Some(t), false).unwrap();
    let a = &card.assessments[0];
    let text = slagrade::engine::explain::render(&card, a, &a.indicators[0], &findings[0][0]);
    assert!(
        text.contains("  - J1 [a.x] breached: 41h 03m 00s counted, 8h 00m 00s allowed (working time on calendar `office`)\n"),
        "{text}"
    );
    // the value line names the unit too
    let text = slagrade::engine::explain::render(&card, a, &a.indicators[1], &findings[0][1]);
    assert!(
        text.contains("  value 5400s (target <= 7200s), score 100.00 of 100, weight 1\n"),
        "{text}"
    );
}

/// (subject, status, counted seconds, allowed seconds) of each finding
fn listed(f: &[slagrade::engine::eval::Finding]) -> Vec<(&str, &str, Option<i64>, Option<i64>)> {
    f.iter()
        .map(|f| (f.subject.as_str(), f.status.as_str(), f.elapsed, f.allowed))
        .collect()
}

#[test]
fn explaining_all_lists_met_subjects_with_their_counted_time() {
    let ev = evaluator();
    let t = slagrade::event::parse_instant(AS_OF).unwrap();
    let p = march(&ev);
    // by default only what counted against the indicator: the breach
    let (_, against) = ev.explain(&p, Some(t), false).unwrap();
    let breach = ("J1", "breached", Some(41 * 3600 + 180), Some(8 * 3600));
    assert_eq!(listed(&against[0][0]), [breach]);
    // with everything: J2 met after 1h of its 8h
    let (card, all) = ev.explain(&p, Some(t), true).unwrap();
    let met = ("J2", "met", Some(3600), Some(8 * 3600));
    assert_eq!(listed(&all[0][0]), [breach, met]);
    let a = &card.assessments[0];
    let text = slagrade::engine::explain::render(&card, a, &a.indicators[0], &all[0][0]);
    assert!(
        text.contains("  - J2 [a.x] met: 1h 00m 00s counted, 8h 00m 00s allowed (working time on calendar `office`)\n"),
        "{text}"
    );
    // the scorecard is the same either way
    assert_eq!(card, ev.explain(&p, Some(t), false).unwrap().0);
}

#[test]
fn explanation_csv_has_one_row_per_subject() {
    let ev = evaluator();
    let t = slagrade::event::parse_instant(AS_OF).unwrap();
    let (card, all) = ev.explain(&march(&ev), Some(t), true).unwrap();
    let a = &card.assessments[0];
    let mut csv = String::from(slagrade::engine::explain::CSV_HEADER);
    slagrade::engine::explain::csv_rows(&card, a, &a.indicators[0], &all[0][0], &mut csv);
    assert_eq!(
        csv,
        "period,assessor,assessee,indicator,subject,product,status,counted_seconds,allowed_seconds,due,calendar,events\n\
         2026-03,c,v,fix,J1,a.x,breached,147780,28800,,office,start 2026-03-02T09:00:00Z job.created j1c; stop 2026-03-09T10:03:00Z job.done j1d\n\
         2026-03,c,v,fix,J2,a.x,met,3600,28800,,office,start 2026-03-03T09:00:00Z job.created j2c; stop 2026-03-03T10:00:00Z job.done j2d\n"
    );
}

#[test]
fn diff_prints_values_in_their_unit() {
    let harsher = CONTRACT.replace("score deduct 10 per 1", "score deduct 20 per 1");
    let load = |src: &str| {
        let plan = Arc::new(Plan::compile(
            slagrade::contract::check::load(src).unwrap().contract,
        ));
        let mut ev = Evaluator::new(&plan);
        let text: String = lines().iter().map(|l| format!("{l}\n")).collect();
        read_jsonl(plan.contract(), text.as_bytes(), Limits::default(), |o| {
            if let LineOutcome::Accepted(e) = o {
                ev.push(e);
            }
        })
        .unwrap();
        ev
    };
    let (a, b) = (load(CONTRACT), load(&harsher));
    let t = slagrade::event::parse_instant(AS_OF).unwrap();
    let p = march(&a);
    let d = slagrade::engine::diff::diff(
        &a.explain(&p, Some(t), false).unwrap(),
        &b.explain(&p, Some(t), false).unwrap(),
    );
    // one incident: 100 − 10 → 100 − 20; the count itself is 1 either way
    assert!(
        d.to_table()
            .contains("  inc: value 1 → 1, score 90.00 → 80.00\n"),
        "{}",
        d.to_table()
    );
}
