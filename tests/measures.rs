//! Every measure kind, scoring function and roll-up rule of the language, each on a small
//! self-contained contract written here, with a few events and hand-computed expectations.
//!
//! Common frame (see `contract`): time zone UTC; calendar `always` (24×7) and calendar
//! `office` (Mon–Fri 09:00–12:00 and 13:30–17:30, holiday Wed 2026-03-04); products `a.x`,
//! `a.y` (calendar `always`) and `o.d` (calendar `office`); client `c` assesses prime `v`.
//! March 2026: Sun Mar 1, Mon Mar 2, Tue Mar 3, Wed Mar 4 (holiday), Thu Mar 5, Fri Mar 6,
//! Sat Mar 7, Sun Mar 8, Mon Mar 9.
//!
//! Values are rounded to 4 places and scores (computed from the rounded value) to 2 places,
//! half away from zero.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use serde_json::Value;
use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Limits, LineOutcome};

const ASSESS_ALL: &str = "assess v by c { scope all }";

/// The common frame around `decls` (events, subjects, indicators, assessments, payment).
fn contract(decls: &str) -> String {
    format!(
        r#"contract "measures" {{
  timezone "UTC"
  currency CNY
  term 2026-01-01 .. 2026-12-31
  period month
  calendar always "24x7" {{
    hours 24x7
  }}
  calendar office "office hours" {{
    hours mon..fri 09:00-12:00, 13:30-17:30
    holiday 2026-03-04
  }}
  party c client "Client"
  party v prime "Vendor" fee 1000.00 CNY / month
  party s sub "Sub" fee 500.00 CNY / month {{
    covers o.*
  }}
  category a "A" calendar always {{
    product x "X"
    product y "Y"
  }}
  category o "O" calendar office {{
    product d "D"
  }}
{decls}
}}
"#
    )
}

/// One event line. `at` is RFC 3339; `attrs` is the inside of the attrs object.
fn ev(id: &str, at: &str, kind: &str, subject: &str, product: &str, attrs: &str) -> String {
    format!(
        r#"{{"id":"{id}","at":"{at}","kind":"{kind}","subject":"{subject}","product":"{product}","attrs":{{{attrs}}}}}"#
    )
}

struct Run {
    card: Value,
    rejected: u64,
}

/// Checks the contract (printing the diagnostics when it does not check), feeds the lines
/// and returns the scorecard JSON of `period` as of `as_of`.
fn run(decls: &str, lines: &[String], period: &str, as_of: &str) -> Run {
    let src = contract(decls);
    let checked = match slagrade::contract::check::load(&src) {
        Ok(c) => c,
        Err(d) => panic!(
            "{}",
            slagrade::language::diagnostic::render(&d, &src, "measures.sla", false)
        ),
    };
    let plan = Arc::new(Plan::compile(checked.contract));
    let mut ev = Evaluator::new(&plan);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let mut rejected = 0;
    read_jsonl(
        plan.contract(),
        text.as_bytes(),
        Limits::default(),
        |o| match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => {
                rejected += 1;
                ev.reject(r);
            }
        },
    )
    .unwrap();
    let c = &plan.contract();
    let p = slagrade::time::period::parse(c.period(), c.timezone(), period).unwrap();
    let t = slagrade::event::parse_instant(as_of).unwrap();
    Run {
        card: ev.scorecard(&p, Some(t)).unwrap().to_json(),
        rejected,
    }
}

impl Run {
    fn assessment(&self, a: usize) -> &Value {
        &self.card["assessments"][a]
    }

    fn ind(&self, a: usize, id: &str) -> &Value {
        self.assessment(a)["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("no indicator {id}"))
    }

    /// (value, score) as strings; `None` for null.
    fn vs(&self, a: usize, id: &str) -> (Option<&str>, Option<&str>) {
        let i = self.ind(a, id);
        (i["value"].as_str(), i["score"].as_str())
    }

    /// (met, breached, pending)
    fn clocks(&self, a: usize, id: &str) -> (u64, u64, u64) {
        let i = self.ind(a, id);
        (
            i["met"].as_u64().unwrap(),
            i["breached"].as_u64().unwrap(),
            i["pending"].as_u64().unwrap(),
        )
    }

    fn s(&self, a: usize, key: &str) -> Option<&str> {
        self.assessment(a)[key].as_str()
    }

    fn level(&self, a: usize, level: &str) -> Option<&str> {
        self.assessment(a)["levels"][level].as_str()
    }
}

/// A clock indicator on subject `job` scored `linear 0% -> 0, 100% -> 100` (score = value × 100).
fn clock_indicator(id: &str, clock: &str) -> String {
    format!(
        r#"  indicator {id} "{id}" {{
    level process
    weight 1
    clock job {{
      {clock}
    }}
    value rate(met)
    target >= 90%
    score linear 0% -> 0, 100% -> 100
  }}"#
    )
}

// ---------------------------------------------------------------------------------- clocks

#[test]
fn clock_with_start_on_other_than_the_anchor() {
    let decls = format!(
        "  event job.created\n  event job.assigned\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n  {ASSESS_ALL}",
        clock_indicator(
            "handling",
            "start on job.assigned  stop on job.done  deadline 1h  calendar always"
        )
    );
    let x = "a.x";
    let lines = vec![
        // J1: counted from the assignment 10:00 to 10:59: 59m ≤ 1h → met
        // (from the anchor 08:00 it would be 2h59)
        ev("j1c", "2026-03-02T08:00:00Z", "job.created", "J1", x, ""),
        ev("j1a", "2026-03-02T10:00:00Z", "job.assigned", "J1", x, ""),
        ev("j1d", "2026-03-02T10:59:00Z", "job.done", "J1", x, ""),
        // J2: 09:00 → 10:01 = 61m > 1h → breached
        ev("j2c", "2026-03-02T08:00:00Z", "job.created", "J2", x, ""),
        ev("j2a", "2026-03-02T09:00:00Z", "job.assigned", "J2", x, ""),
        ev("j2d", "2026-03-02T10:01:00Z", "job.done", "J2", x, ""),
        // J3: never assigned: the clock never starts, `job.done` stops nothing → pending
        ev("j3c", "2026-03-02T08:00:00Z", "job.created", "J3", x, ""),
        ev("j3d", "2026-03-02T08:30:00Z", "job.done", "J3", x, ""),
        // J4: an assignment before the anchor is ignored; the clock starts at 08:40:
        // 08:40 → 09:30 = 50m → met (from 07:00 it would be 2h30)
        ev("j4a0", "2026-03-02T07:00:00Z", "job.assigned", "J4", x, ""),
        ev("j4c", "2026-03-02T07:30:00Z", "job.created", "J4", x, ""),
        ev("j4a", "2026-03-02T08:40:00Z", "job.assigned", "J4", x, ""),
        ev("j4d", "2026-03-02T09:30:00Z", "job.done", "J4", x, ""),
        // J5: anchored Mar 31, assigned 23:30, running at as_of Apr 1 00:10: 40m → pending
        ev("j5c", "2026-03-31T23:00:00Z", "job.created", "J5", x, ""),
        ev("j5a", "2026-03-31T23:30:00Z", "job.assigned", "J5", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-04-01T00:10:00Z");
    // met J1 J4, breached J2, pending J3 J5
    assert_eq!(r.clocks(0, "handling"), (2, 1, 2));
    // 2/3 = 0.66666… → 0.6667 → score 66.67
    assert_eq!(r.vs(0, "handling"), (Some("0.6667"), Some("66.67")));
}

#[test]
fn clock_reset_starts_over_from_zero() {
    let decls = format!(
        "  event job.created\n  event job.bumped\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n  {ASSESS_ALL}",
        clock_indicator(
            "reset_rate",
            "stop on job.done  reset on job.bumped  deadline 1h  calendar always"
        )
    );
    let x = "a.x";
    let lines = vec![
        // J1: reset 10:50, done 11:40 → 50m → met (1h40 without the reset)
        ev("j1c", "2026-03-02T10:00:00Z", "job.created", "J1", x, ""),
        ev("j1b", "2026-03-02T10:50:00Z", "job.bumped", "J1", x, ""),
        ev("j1d", "2026-03-02T11:40:00Z", "job.done", "J1", x, ""),
        // J2: reset 10:20, done 11:30 → 70m → breached
        ev("j2c", "2026-03-02T10:00:00Z", "job.created", "J2", x, ""),
        ev("j2b", "2026-03-02T10:20:00Z", "job.bumped", "J2", x, ""),
        ev("j2d", "2026-03-02T11:30:00Z", "job.done", "J2", x, ""),
        // J3: resets 10:10 and 10:40, done 11:35 → 55m from the last reset → met
        ev("j3c", "2026-03-02T10:00:00Z", "job.created", "J3", x, ""),
        ev("j3b1", "2026-03-02T10:10:00Z", "job.bumped", "J3", x, ""),
        ev("j3b2", "2026-03-02T10:40:00Z", "job.bumped", "J3", x, ""),
        ev("j3d", "2026-03-02T11:35:00Z", "job.done", "J3", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-03-31T00:00:00Z");
    assert_eq!(r.clocks(0, "reset_rate"), (2, 1, 0));
    // 2/3 → 0.6667 → 66.67
    assert_eq!(r.vs(0, "reset_rate"), (Some("0.6667"), Some("66.67")));
}

#[test]
fn clock_restart_keeps_the_time_already_counted() {
    let decls = format!(
        "  event job.created\n  event job.reopened\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n  {ASSESS_ALL}",
        clock_indicator(
            "restart_rate",
            "stop on job.done  restart on job.reopened  deadline 1h  calendar always"
        )
    );
    let x = "a.x";
    let lines = vec![
        // J1: 10:00 → 10:30 (30m), reopened 12:00 → 12:20 (20m): 50m → met
        // (the 1h30 between done and reopen does not count)
        ev("j1c", "2026-03-02T10:00:00Z", "job.created", "J1", x, ""),
        ev("j1d", "2026-03-02T10:30:00Z", "job.done", "J1", x, ""),
        ev("j1r", "2026-03-02T12:00:00Z", "job.reopened", "J1", x, ""),
        ev("j1d2", "2026-03-02T12:20:00Z", "job.done", "J1", x, ""),
        // J2: 40m + 25m = 65m → breached (a reset would have given 25m, met)
        ev("j2c", "2026-03-02T10:00:00Z", "job.created", "J2", x, ""),
        ev("j2d", "2026-03-02T10:40:00Z", "job.done", "J2", x, ""),
        ev("j2r", "2026-03-02T11:00:00Z", "job.reopened", "J2", x, ""),
        ev("j2d2", "2026-03-02T11:25:00Z", "job.done", "J2", x, ""),
        // J3: 30m, reopened 12:30, running at as_of 13:00: 30m + 30m = 60m, exactly the
        // deadline and not stopped → pending
        ev("j3c", "2026-03-02T10:00:00Z", "job.created", "J3", x, ""),
        ev("j3d", "2026-03-02T10:30:00Z", "job.done", "J3", x, ""),
        ev("j3r", "2026-03-02T12:30:00Z", "job.reopened", "J3", x, ""),
        // J4: a reopen while running changes nothing: 10:00 → 10:50 = 50m → met
        ev("j4c", "2026-03-02T10:00:00Z", "job.created", "J4", x, ""),
        ev("j4r", "2026-03-02T10:10:00Z", "job.reopened", "J4", x, ""),
        ev("j4d", "2026-03-02T10:50:00Z", "job.done", "J4", x, ""),
        // J5: a second stop without a reopen is ignored: 20m → met
        ev("j5c", "2026-03-02T10:00:00Z", "job.created", "J5", x, ""),
        ev("j5d", "2026-03-02T10:20:00Z", "job.done", "J5", x, ""),
        ev("j5d2", "2026-03-02T11:45:00Z", "job.done", "J5", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-03-02T13:00:00Z");
    // met J1 J4 J5, breached J2, pending J3
    assert_eq!(r.clocks(0, "restart_rate"), (3, 1, 1));
    // 3/4 = 0.75 → 75.00
    assert_eq!(r.vs(0, "restart_rate"), (Some("0.7500"), Some("75.00")));
}

#[test]
fn clock_pause_and_resume() {
    let decls = format!(
        "  event job.created\n  event job.hold\n  event job.go\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n  {ASSESS_ALL}",
        clock_indicator(
            "pause_rate",
            "stop on job.done  pause on job.hold  resume on job.go  deadline 1h  calendar always"
        )
    );
    let x = "a.x";
    let lines = vec![
        // J1: 20m, paused 10:20–11:00, 30m → 50m → met
        ev("j1c", "2026-03-02T10:00:00Z", "job.created", "J1", x, ""),
        ev("j1h", "2026-03-02T10:20:00Z", "job.hold", "J1", x, ""),
        ev("j1g", "2026-03-02T11:00:00Z", "job.go", "J1", x, ""),
        ev("j1d", "2026-03-02T11:30:00Z", "job.done", "J1", x, ""),
        // J2: hold 10:20, hold again 10:30 (ignored), go 10:40, go again 10:50 (ignored),
        // done 11:30 → 20m + 50m = 70m → breached (restarting at 10:50 would give 60m, met)
        ev("j2c", "2026-03-02T10:00:00Z", "job.created", "J2", x, ""),
        ev("j2h", "2026-03-02T10:20:00Z", "job.hold", "J2", x, ""),
        ev("j2h2", "2026-03-02T10:30:00Z", "job.hold", "J2", x, ""),
        ev("j2g", "2026-03-02T10:40:00Z", "job.go", "J2", x, ""),
        ev("j2g2", "2026-03-02T10:50:00Z", "job.go", "J2", x, ""),
        ev("j2d", "2026-03-02T11:30:00Z", "job.done", "J2", x, ""),
        // J3: a resume while running is ignored; hold 10:30, done 10:45 while paused keeps
        // the 30m counted before the pause → met
        ev("j3c", "2026-03-02T10:00:00Z", "job.created", "J3", x, ""),
        ev("j3g", "2026-03-02T10:10:00Z", "job.go", "J3", x, ""),
        ev("j3h", "2026-03-02T10:30:00Z", "job.hold", "J3", x, ""),
        ev("j3d", "2026-03-02T10:45:00Z", "job.done", "J3", x, ""),
        // J4: paused at 65m and still paused at as_of: already past 1h → breached
        ev("j4c", "2026-03-02T10:00:00Z", "job.created", "J4", x, ""),
        ev("j4h", "2026-03-02T11:05:00Z", "job.hold", "J4", x, ""),
        // J5: paused at 30m at as_of → pending
        ev("j5c", "2026-03-02T12:00:00Z", "job.created", "J5", x, ""),
        ev("j5h", "2026-03-02T12:30:00Z", "job.hold", "J5", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-03-02T13:00:00Z");
    // met J1 J3, breached J2 J4, pending J5
    assert_eq!(r.clocks(0, "pause_rate"), (2, 2, 1));
    // 2/4 = 0.5 → 50.00
    assert_eq!(r.vs(0, "pause_rate"), (Some("0.5000"), Some("50.00")));
}

#[test]
fn fixed_deadline_on_the_business_calendar_with_a_lunch_break() {
    let decls = format!(
        "  event job.created\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n  {ASSESS_ALL}",
        clock_indicator("office_rate", "stop on job.done  deadline 2h  calendar business")
    );
    let (d, x) = ("o.d", "a.x");
    let lines = vec![
        // J1 office: Mon 11:00–12:00 (1h) + 13:30–14:30 (1h) = 2h exactly → met
        ev("j1c", "2026-03-02T11:00:00Z", "job.created", "J1", d, ""),
        ev("j1d", "2026-03-02T14:30:00Z", "job.done", "J1", d, ""),
        // J2 office: one second more, 2h 1s → breached
        ev("j2c", "2026-03-02T11:00:00Z", "job.created", "J2", d, ""),
        ev("j2d", "2026-03-02T14:30:01Z", "job.done", "J2", d, ""),
        // J3 office: Tue 17:00–17:30 (30m), Wed Mar 4 holiday (0), Thu 09:00–09:31 (31m)
        // = 61m → met
        ev("j3c", "2026-03-03T17:00:00Z", "job.created", "J3", d, ""),
        ev("j3d", "2026-03-05T09:31:00Z", "job.done", "J3", d, ""),
        // J4 office: Sat and Sun count nothing, Mon Mar 9 09:00–11:01 = 2h01 → breached
        ev("j4c", "2026-03-07T10:00:00Z", "job.created", "J4", d, ""),
        ev("j4d", "2026-03-09T11:01:00Z", "job.done", "J4", d, ""),
        // J5 on an `always` product: 11:00 → 13:30 = 2h30 → breached
        ev("j5c", "2026-03-02T11:00:00Z", "job.created", "J5", x, ""),
        ev("j5d", "2026-03-02T13:30:00Z", "job.done", "J5", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-03-31T00:00:00Z");
    // met J1 J3, breached J2 J4 J5
    assert_eq!(r.clocks(0, "office_rate"), (2, 3, 0));
    // 2/5 = 0.4 → 40.00
    assert_eq!(r.vs(0, "office_rate"), (Some("0.4000"), Some("40.00")));
}

#[test]
fn deadline_by_an_enum_and_by_a_text_attribute() {
    let decls = format!(
        "  event job.created {{ sev: low | high, cls?: text }}\n  event job.done\n  subject job {{ anchor job.created }}\n{}\n{}\n  {ASSESS_ALL}",
        clock_indicator(
            "by_sev",
            "stop on job.done  deadline by sev { low => 4h, high => 15m }  calendar always"
        ),
        clock_indicator(
            "by_cls",
            "stop on job.done  deadline by cls { fast => 30m, slow => 2h }  calendar always"
        )
    );
    let x = "a.x";
    let lines = vec![
        // J1 high/fast, 20m: by_sev 20m > 15m breached; by_cls 20m ≤ 30m met
        ev(
            "j1c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J1",
            x,
            r#""sev":"high","cls":"fast""#,
        ),
        ev("j1d", "2026-03-02T10:20:00Z", "job.done", "J1", x, ""),
        // J2 low/slow, 2h01: by_sev ≤ 4h met; by_cls > 2h breached
        ev(
            "j2c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J2",
            x,
            r#""sev":"low","cls":"slow""#,
        ),
        ev("j2d", "2026-03-02T12:01:00Z", "job.done", "J2", x, ""),
        // J3 low/fast, 45m: by_sev met; by_cls 45m > 30m breached
        ev(
            "j3c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J3",
            x,
            r#""sev":"low","cls":"fast""#,
        ),
        ev("j3d", "2026-03-02T10:45:00Z", "job.done", "J3", x, ""),
        // J4 high/slow, exactly 15m: by_sev met; by_cls met
        ev(
            "j4c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J4",
            x,
            r#""sev":"high","cls":"slow""#,
        ),
        ev("j4d", "2026-03-02T10:15:00Z", "job.done", "J4", x, ""),
        // J9: `medium` is not a value of the enum → rejected; its `job.done` counts nowhere
        ev(
            "j9c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J9",
            x,
            r#""sev":"medium""#,
        ),
        ev("j9d", "2026-03-02T10:05:00Z", "job.done", "J9", x, ""),
    ];
    let r = run(&decls, &lines, "2026-03", "2026-03-31T00:00:00Z");
    assert_eq!(r.rejected, 1);
    // by_sev: met J2 J3 J4, breached J1 → 3/4 = 0.75 → 75.00
    assert_eq!(r.clocks(0, "by_sev"), (3, 1, 0));
    assert_eq!(r.vs(0, "by_sev"), (Some("0.7500"), Some("75.00")));
    // by_cls: met J1 J4, breached J2 J3 → 2/4 = 0.5 → 50.00
    assert_eq!(r.clocks(0, "by_cls"), (2, 2, 0));
    assert_eq!(r.vs(0, "by_cls"), (Some("0.5000"), Some("50.00")));
}

#[test]
fn deadline_at_a_time_attribute() {
    let decls = r#"  event task.set { due: time }
  event task.done
  subject task { anchor task.set at due }
  indicator on_time "on time" {
    level process
    weight 1
    clock task {
      stop on task.done
      deadline at due
    }
    value rate(met)
    target >= 90%
    score linear 0% -> 0, 100% -> 100
  }
  assess v by c { scope all }"#;
    let x = "a.x";
    let due = |t: &str| format!(r#""due":"{t}""#);
    let lines = vec![
        // K1: set in February, due in March (its period is the due's): done exactly at due → met
        ev(
            "k1s",
            "2026-02-20T09:00:00Z",
            "task.set",
            "K1",
            x,
            &due("2026-03-10T12:00:00Z"),
        ),
        ev("k1d", "2026-03-10T12:00:00Z", "task.done", "K1", x, ""),
        // K2: done one second late → breached
        ev(
            "k2s",
            "2026-03-01T09:00:00Z",
            "task.set",
            "K2",
            x,
            &due("2026-03-15T12:00:00Z"),
        ),
        ev("k2d", "2026-03-15T12:00:01Z", "task.done", "K2", x, ""),
        // K3: not done, due Mar 20 < as_of Mar 25 → breached
        ev(
            "k3s",
            "2026-03-01T09:00:00Z",
            "task.set",
            "K3",
            x,
            &due("2026-03-20T12:00:00Z"),
        ),
        // K4: not done, due Mar 30 > as_of → pending
        ev(
            "k4s",
            "2026-03-01T09:00:00Z",
            "task.set",
            "K4",
            x,
            &due("2026-03-30T12:00:00Z"),
        ),
        // K5: due in April → not in the March scorecard at all
        ev(
            "k5s",
            "2026-03-01T09:00:00Z",
            "task.set",
            "K5",
            x,
            &due("2026-04-02T12:00:00Z"),
        ),
        // K6: done at 19:00+08:00 = 11:00Z, before the due 12:00Z (wall time) → met
        ev(
            "k6s",
            "2026-03-01T09:00:00Z",
            "task.set",
            "K6",
            x,
            &due("2026-03-12T12:00:00Z"),
        ),
        ev("k6d", "2026-03-12T19:00:00+08:00", "task.done", "K6", x, ""),
        // K7: due Mar 6 00:00; a later `task.set` moving the due to Mar 8 is ignored; done
        // Mar 7 → breached
        ev(
            "k7s",
            "2026-03-05T09:00:00Z",
            "task.set",
            "K7",
            x,
            &due("2026-03-06T00:00:00Z"),
        ),
        ev(
            "k7s2",
            "2026-03-05T10:00:00Z",
            "task.set",
            "K7",
            x,
            &due("2026-03-08T00:00:00Z"),
        ),
        ev("k7d", "2026-03-07T09:00:00Z", "task.done", "K7", x, ""),
    ];
    let r = run(decls, &lines, "2026-03", "2026-03-25T00:00:00Z");
    // met K1 K6, breached K2 K3 K7, pending K4
    assert_eq!(r.clocks(0, "on_time"), (2, 3, 1));
    // 2/5 = 0.4 → 40.00
    assert_eq!(r.vs(0, "on_time"), (Some("0.4000"), Some("40.00")));
}

#[test]
fn indicator_filter_on_a_clock_leaves_other_subjects_out() {
    let decls = r#"  event job.created
  event job.done
  subject job { anchor job.created }
  indicator fx "fx" {
    level process
    weight 1
    filter product in [a.x]
    clock job {
      stop on job.done
      deadline 1h
      calendar always
    }
    value rate(met)
    target >= 90%
    score linear 0% -> 0, 100% -> 100
  }
  assess v by c { scope all }"#;
    let lines = vec![
        // J1 a.x: 30m → met
        ev(
            "j1c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J1",
            "a.x",
            "",
        ),
        ev("j1d", "2026-03-02T10:30:00Z", "job.done", "J1", "a.x", ""),
        // J2 a.y (filtered out): 2h, would be breached
        ev(
            "j2c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J2",
            "a.y",
            "",
        ),
        ev("j2d", "2026-03-02T12:00:00Z", "job.done", "J2", "a.y", ""),
        // J3 a.y (filtered out), never done
        ev(
            "j3c",
            "2026-03-02T10:00:00Z",
            "job.created",
            "J3",
            "a.y",
            "",
        ),
    ];
    let r = run(decls, &lines, "2026-03", "2026-03-31T00:00:00Z");
    // value: 1/1 → 100 either way
    assert_eq!(r.vs(0, "fx"), (Some("1.0000"), Some("100.00")));
    // J2 and J3 are outside the indicator: neither breached nor pending
    assert_eq!(r.clocks(0, "fx"), (1, 0, 0));
}

#[test]
fn indicator_filter_on_a_clock_reads_the_subjects_flags() {
    // The waiver model of a committee: a waived job's clock is left out of the rate.
    let decls = r#"  event job.created
  event job.done
  event job.waived
  event job.unwaived
  subject job {
    anchor job.created
    flag waived set on job.waived clear on job.unwaived
  }
  indicator fw "fw" {
    level process
    weight 1
    filter not waived
    clock job {
      stop on job.done
      deadline 1h
      calendar always
    }
    value rate(met)
    target >= 90%
    score linear 0% -> 0, 100% -> 100
  }
  assess v by c { scope all }"#;
    let x = "a.x";
    let lines = vec![
        // J1: 30m → met
        ev("j1c", "2026-03-02T10:00:00Z", "job.created", "J1", x, ""),
        ev("j1d", "2026-03-02T10:30:00Z", "job.done", "J1", x, ""),
        // J2: 2h → breached, but waived → left out
        ev("j2c", "2026-03-02T10:00:00Z", "job.created", "J2", x, ""),
        ev("j2d", "2026-03-02T12:00:00Z", "job.done", "J2", x, ""),
        ev("j2w", "2026-03-03T09:00:00Z", "job.waived", "J2", x, ""),
        // J3: 3h → breached; waived, then the waiver withdrawn → counts
        ev("j3c", "2026-03-02T10:00:00Z", "job.created", "J3", x, ""),
        ev("j3d", "2026-03-02T13:00:00Z", "job.done", "J3", x, ""),
        ev("j3w", "2026-03-03T09:00:00Z", "job.waived", "J3", x, ""),
        ev("j3u", "2026-03-04T09:00:00Z", "job.unwaived", "J3", x, ""),
        // J4: 20m → met
        ev("j4c", "2026-03-05T10:00:00Z", "job.created", "J4", x, ""),
        ev("j4d", "2026-03-05T10:20:00Z", "job.done", "J4", x, ""),
        // J5: 2h → breached; waived only after as_of → counts
        ev("j5c", "2026-03-05T10:00:00Z", "job.created", "J5", x, ""),
        ev("j5d", "2026-03-05T12:00:00Z", "job.done", "J5", x, ""),
        ev("j5w", "2026-04-02T09:00:00Z", "job.waived", "J5", x, ""),
    ];
    let r = run(decls, &lines, "2026-03", "2026-04-01T00:00:00Z");
    // counted: J1 met, J3 breached, J4 met, J5 breached (J2 waived) → 2 / 4 = 0.5 → 50
    assert_eq!(r.clocks(0, "fw"), (2, 2, 0));
    assert_eq!(r.vs(0, "fw"), (Some("0.5000"), Some("50.00")));
    // as of Mar 3 12:00: J2 and J3 are waived, J4 and J5 not yet created → J1 alone, met
    let r = run(decls, &lines, "2026-03", "2026-03-03T12:00:00Z");
    assert_eq!(r.clocks(0, "fw"), (1, 0, 0));
    assert_eq!(r.vs(0, "fw"), (Some("1.0000"), Some("100.00")));
}

// ---------------------------------------------------------------------------------- ratios

#[test]
fn ratio_of_subjects_with_a_flag_and_conditions() {
    let decls = r#"  event case.opened { src?: text }
  event case.fixed
  event case.undone
  subject case {
    anchor case.opened
    flag fixed set on case.fixed clear on case.undone
  }
  indicator fix_rate "fix rate" {
    level process
    weight 1
    value ratio(count(case where fixed), count(case))
    target >= 80%
    score linear 20% -> 0, 80% -> 100
  }
  indicator open_share "open share" {
    level process
    weight 1
    value ratio(count(case where src in [phone, web] and not fixed), count(case))
    target <= 20%
    score linear 20% -> 100, 60% -> 0
  }
  assess v by c { scope all }"#;
    let x = "a.x";
    let lines = vec![
        // C1 phone: fixed → fixed
        ev(
            "c1o",
            "2026-03-02T10:00:00Z",
            "case.opened",
            "C1",
            x,
            r#""src":"phone""#,
        ),
        ev("c1f", "2026-03-03T10:00:00Z", "case.fixed", "C1", x, ""),
        // C2 web: fixed then undone → not fixed
        ev(
            "c2o",
            "2026-03-02T10:00:00Z",
            "case.opened",
            "C2",
            x,
            r#""src":"web""#,
        ),
        ev("c2f", "2026-03-03T10:00:00Z", "case.fixed", "C2", x, ""),
        ev("c2u", "2026-03-04T10:00:00Z", "case.undone", "C2", x, ""),
        // C3 mail: fixed, undone, fixed → fixed
        ev(
            "c3o",
            "2026-03-02T10:00:00Z",
            "case.opened",
            "C3",
            x,
            r#""src":"mail""#,
        ),
        ev("c3f", "2026-03-03T10:00:00Z", "case.fixed", "C3", x, ""),
        ev("c3u", "2026-03-04T10:00:00Z", "case.undone", "C3", x, ""),
        ev("c3f2", "2026-03-05T10:00:00Z", "case.fixed", "C3", x, ""),
        // C5 phone: `fixed` before the anchor is ignored → not fixed
        ev("c5f", "2026-03-02T09:00:00Z", "case.fixed", "C5", x, ""),
        ev(
            "c5o",
            "2026-03-02T10:00:00Z",
            "case.opened",
            "C5",
            x,
            r#""src":"phone""#,
        ),
        // C6: opened in February → not in March
        ev(
            "c6o",
            "2026-02-27T10:00:00Z",
            "case.opened",
            "C6",
            x,
            r#""src":"web""#,
        ),
        ev("c6f", "2026-03-02T10:00:00Z", "case.fixed", "C6", x, ""),
        // C7 (no src): fixed only after as_of → not fixed
        ev("c7o", "2026-03-02T10:00:00Z", "case.opened", "C7", x, ""),
        ev("c7f", "2026-04-02T10:00:00Z", "case.fixed", "C7", x, ""),
    ];
    let r = run(decls, &lines, "2026-03", "2026-04-01T00:00:00Z");
    // March cases: C1 C2 C3 C5 C7 = 5; fixed at as_of: C1 C3 = 2 → 0.4
    // → (0.4 − 0.2) × 100 / 0.6 = 33.333… → 33.33
    assert_eq!(r.vs(0, "fix_rate"), (Some("0.4000"), Some("33.33")));
    // src in [phone, web] and not fixed: C2 (web), C5 (phone) = 2 → 0.4
    // (C1 is fixed, C3 is mail, C7 has no src) → 100 + (0.4 − 0.2) × (−100) / 0.4 = 50
    assert_eq!(r.vs(0, "open_share"), (Some("0.4000"), Some("50.00")));
    let i = r.ind(0, "fix_rate");
    assert_eq!(
        (i["numerator"].as_u64(), i["denominator"].as_u64()),
        (Some(2), Some(5))
    );
}

#[test]
fn ratio_and_count_of_events_with_conditions_and_a_filter() {
    let decls = r#"  event probe.sample { ms: number ms, ok: bool }
  indicator slow_share "slow share" {
    level system
    weight 1
    value ratio(count(probe.sample where ms >= 100ms), count(probe.sample))
    target <= 10%
    score linear 10% -> 100, 50% -> 0
  }
  indicator good_count "good count" {
    level system
    weight 1
    filter product in [a.*] or (product == o.d and not ok)
    value count(probe.sample where ok == true or ms < 50ms)
    target >= 3
    score linear 0 -> 0, 4 -> 100
  }
  assess v by c { scope all }"#;
    let s = |ms: &str, ok: bool| format!(r#""ms":{ms},"ok":{ok}"#);
    let lines = vec![
        ev(
            "s1",
            "2026-03-02T10:00:00Z",
            "probe.sample",
            "s1",
            "a.x",
            &s("20", true),
        ),
        ev(
            "s2",
            "2026-03-03T10:00:00Z",
            "probe.sample",
            "s2",
            "a.x",
            &s("100", true),
        ),
        ev(
            "s3",
            "2026-03-04T10:00:00Z",
            "probe.sample",
            "s3",
            "a.y",
            &s("150", false),
        ),
        ev(
            "s4",
            "2026-03-05T10:00:00Z",
            "probe.sample",
            "s4",
            "o.d",
            &s("40", false),
        ),
        ev(
            "s5",
            "2026-03-06T10:00:00Z",
            "probe.sample",
            "s5",
            "o.d",
            &s("90", true),
        ),
        ev(
            "s6",
            "2026-03-07T10:00:00Z",
            "probe.sample",
            "s6",
            "a.y",
            &s("99.9", false),
        ),
        // outside March: Feb 28 23:59:59 and Apr 1 00:00:00 (the period end is exclusive)
        ev(
            "s7",
            "2026-02-28T23:59:59Z",
            "probe.sample",
            "s7",
            "a.x",
            &s("500", true),
        ),
        ev(
            "s8",
            "2026-04-01T00:00:00Z",
            "probe.sample",
            "s8",
            "a.x",
            &s("500", true),
        ),
        // rejected: `ok` is not a JSON boolean
        ev(
            "s9",
            "2026-03-08T10:00:00Z",
            "probe.sample",
            "s9",
            "a.x",
            r#""ms":10,"ok":1"#,
        ),
    ];
    let r = run(decls, &lines, "2026-03", "2026-04-01T00:00:00Z");
    assert_eq!(r.rejected, 1);
    // s1..s6 = 6; ms >= 100: s2 (100), s3 (150) = 2 → 2/6 = 0.3333
    // → 100 + (0.3333 − 0.10) × (−100) / 0.40 = 100 − 58.325 = 41.675 → 41.68 (half away)
    assert_eq!(r.vs(0, "slow_share"), (Some("0.3333"), Some("41.68")));
    // filter keeps s1 s2 s3 s6 (a.*) and s4 (o.d, not ok), drops s5 (o.d, ok);
    // of those, ok or ms < 50: s1, s2, s4 = 3 → 3 × 100 / 4 = 75
    assert_eq!(r.vs(0, "good_count"), (Some("3.0000"), Some("75.00")));
}

// ---------------------------------------------------------------------------------- distinct, coverage

#[test]
fn distinct_subjects_and_coverage() {
    let decls = r#"  event visit.made
  event asset.added
  event scan.done
  indicator visited "visited" {
    level system
    weight 1
    value distinct(visit.made where product in [a.x, o.d])
    target >= 2
    score linear 0 -> 0, 4 -> 100
  }
  indicator scanned "scanned" {
    level system
    weight 1
    value coverage(scan.done, inventory asset.added)
    target >= 90%
    score linear 40% -> 0, 100% -> 100
  }
  assess v by c { scope all }"#;
    let lines = vec![
        // V1 twice in March (counted once), V2 o.d, V6 on the last second of March;
        // V3 only in February, V4 on a.y (excluded), V5 on Apr 1 00:00:00 (April)
        ev("v1a", "2026-03-03T10:00:00Z", "visit.made", "V1", "a.x", ""),
        ev("v1b", "2026-03-20T10:00:00Z", "visit.made", "V1", "a.x", ""),
        ev("v2", "2026-03-10T10:00:00Z", "visit.made", "V2", "o.d", ""),
        ev("v3", "2026-02-27T10:00:00Z", "visit.made", "V3", "a.x", ""),
        ev("v4", "2026-03-05T10:00:00Z", "visit.made", "V4", "a.y", ""),
        ev("v5", "2026-04-01T00:00:00Z", "visit.made", "V5", "a.x", ""),
        ev("v6", "2026-03-31T23:59:59Z", "visit.made", "V6", "a.x", ""),
        // inventory (added before Apr 1): A1, A2, A3, A5; A4 added Apr 2 is not in it
        ev("a1", "2026-01-05T10:00:00Z", "asset.added", "A1", "a.x", ""),
        ev("a1s", "2026-03-03T10:00:00Z", "scan.done", "A1", "a.x", ""),
        ev("a2", "2026-03-10T10:00:00Z", "asset.added", "A2", "a.y", ""),
        ev("a2s", "2026-03-11T10:00:00Z", "scan.done", "A2", "a.y", ""),
        ev("a2s2", "2026-03-12T10:00:00Z", "scan.done", "A2", "a.y", ""),
        ev("a3", "2026-02-01T10:00:00Z", "asset.added", "A3", "a.x", ""),
        ev("a3s", "2026-02-20T10:00:00Z", "scan.done", "A3", "a.x", ""),
        ev("a4", "2026-04-02T10:00:00Z", "asset.added", "A4", "a.y", ""),
        ev("a4s", "2026-03-30T10:00:00Z", "scan.done", "A4", "a.y", ""),
        ev("a5", "2026-03-31T23:59:59Z", "asset.added", "A5", "o.d", ""),
        // a scan of something never added counts nowhere
        ev("a6s", "2026-03-15T10:00:00Z", "scan.done", "A6", "a.x", ""),
    ];
    let r = run(decls, &lines, "2026-03", "2026-04-03T00:00:00Z");
    // V1, V2, V6 = 3 → 3 × 100 / 4 = 75
    assert_eq!(r.vs(0, "visited"), (Some("3.0000"), Some("75.00")));
    // inventory A1 A2 A3 A5 = 4; scanned in March: A1, A2 = 2 → 0.5
    // → (0.5 − 0.4) × 100 / 0.6 = 16.666… → 16.67
    assert_eq!(r.vs(0, "scanned"), (Some("0.5000"), Some("16.67")));
    let i = r.ind(0, "scanned");
    assert_eq!(
        (i["numerator"].as_u64(), i["denominator"].as_u64()),
        (Some(2), Some(4))
    );
}

// ---------------------------------------------------------------------------------- mean, sum, percentile

/// Ten durations in March on a.x: 30 45 60 75 90 105 120 150 200 400 (sorted), one in April,
/// one rejected (a string is not a number).
fn durations() -> Vec<String> {
    let mut v: Vec<String> = [400, 30, 150, 60, 105, 45, 200, 75, 120, 90]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            ev(
                &format!("d{i}"),
                &format!("2026-03-{:02}T10:00:00Z", i + 2),
                "job.timed",
                &format!("D{i}"),
                "a.x",
                &format!(r#""secs":{s}"#),
            )
        })
        .collect();
    v.push(ev(
        "d-apr",
        "2026-04-01T10:00:00Z",
        "job.timed",
        "DA",
        "a.x",
        r#""secs":1000"#,
    ));
    v.push(ev(
        "d-bad",
        "2026-03-20T10:00:00Z",
        "job.timed",
        "DB",
        "a.x",
        r#""secs":"50""#,
    ));
    v
}

#[test]
fn mean_and_sum() {
    let decls = r#"  event job.timed { secs: number s }
  indicator avg "avg" {
    level system
    weight 1
    value mean(job.timed.secs)
    target <= 60s
    score linear 60s -> 100, 180s -> 0
  }
  indicator total "total" {
    level system
    weight 1
    value sum(job.timed.secs)
    target <= 1000s
    score deduct 1 per 100s
  }
  assess v by c { scope all }"#;
    let r = run(decls, &durations(), "2026-03", "2026-04-02T00:00:00Z");
    assert_eq!(r.rejected, 1);
    // sum = 30+45+60+75+90+105+120+150+200+400 = 1275; mean = 127.5
    // → 100 + (127.5 − 60) × (−100) / 120 = 100 − 56.25 = 43.75
    assert_eq!(r.vs(0, "avg"), (Some("127.5000"), Some("43.75")));
    // deduct 1 per 100 s: 1275 / 100 = 12.75 points → 87.25
    assert_eq!(r.vs(0, "total"), (Some("1275.0000"), Some("87.25")));
}

#[test]
fn percentile_nearest_rank() {
    let decls = r#"  event job.timed { secs: number s }
  indicator p90 "p90" {
    level system
    weight 1
    value percentile(90, job.timed.secs)
    target <= 120s
    score linear 120s -> 100, 300s -> 0
  }
  indicator p50 "p50" {
    level system
    weight 1
    value percentile(50, job.timed.secs where product == a.x)
    target <= 60s
    score bands { <= 60s => 100, <= 100s => 70, else => 10 }
  }
  indicator p95 "p95" {
    level system
    weight 1
    value percentile(95.0, job.timed.secs)
    target <= 120s
    score linear 120s -> 100, 300s -> 0
  }
  indicator p1 "p1" {
    level system
    weight 1
    value percentile(1, job.timed.secs)
    target <= 120s
    score linear 120s -> 100, 300s -> 0
  }
  assess v by c { scope all }"#;
    let r = run(decls, &durations(), "2026-03", "2026-04-02T00:00:00Z");
    // n = 10; p90: rank ceil(0.9 × 10) = 9 → 9th smallest = 200
    // → 100 + (200 − 120) × (−100) / 180 = 100 − 44.444… = 55.555… → 55.56
    assert_eq!(r.vs(0, "p90"), (Some("200.0000"), Some("55.56")));
    // p50: rank ceil(0.5 × 10) = 5 → 5th smallest = 90 → band `<= 100s` → 70
    assert_eq!(r.vs(0, "p50"), (Some("90.0000"), Some("70.00")));
    // p95 (written with a decimal point): rank ceil(0.95 × 10) = ceil(9.5) = 10 → 400,
    // past 300 → score clamped to 0
    assert_eq!(r.vs(0, "p95"), (Some("400.0000"), Some("0.00")));
    // p1: rank ceil(0.01 × 10) = ceil(0.1) = 1 → the smallest, 30 → clamped to 100
    assert_eq!(r.vs(0, "p1"), (Some("30.0000"), Some("100.00")));
}

// ---------------------------------------------------------------------------------- scoring

const SCORING: &str = r#"  event obs.val { v: number }
  event obs.hit
  indicator up "up" {
    level system
    weight 1
    value mean(obs.val.v)
    target >= 80
    score linear 60 -> 0, 80 -> 100
  }
  indicator down "down" {
    level system
    weight 1
    value sum(obs.val.v)
    target <= 100
    score linear 100 -> 100, 300 -> 0
  }
  indicator banded "banded" {
    level system
    weight 1
    value count(obs.val)
    target >= 3
    score bands { >= 4 => 100, >= 2 => 60, else => 10 }
  }
  indicator deducted "deducted" {
    level system
    weight 1
    value count(obs.hit)
    target <= 0
    score deduct 15 per 2 cap 40
  }
  indicator zero "zero" {
    level system
    weight 1
    value count(obs.hit where product == o.d)
    target <= 0
    score zero-tolerance
  }
  assess v by c { scope all }"#;

fn scoring_events() -> Vec<String> {
    let val =
        |id: &str, at: &str, v: &str| ev(id, at, "obs.val", id, "a.x", &format!(r#""v":{v}"#));
    let hit = |id: &str, at: &str, p: &str| ev(id, at, "obs.hit", id, p, "");
    vec![
        // January: values 50, 40; no hit
        val("j1", "2026-01-10T10:00:00Z", "50"),
        val("j2", "2026-01-11T10:00:00Z", "40"),
        // February: values 90, 100, 110, 120; 7 hits, one of them on o.d
        val("f1", "2026-02-10T10:00:00Z", "90"),
        val("f2", "2026-02-11T10:00:00Z", "100"),
        val("f3", "2026-02-12T10:00:00Z", "110"),
        val("f4", "2026-02-13T10:00:00Z", "120"),
        hit("fh1", "2026-02-01T10:00:00Z", "a.x"),
        hit("fh2", "2026-02-02T10:00:00Z", "a.x"),
        hit("fh3", "2026-02-03T10:00:00Z", "a.y"),
        hit("fh4", "2026-02-04T10:00:00Z", "a.y"),
        hit("fh5", "2026-02-05T10:00:00Z", "a.x"),
        hit("fh6", "2026-02-06T10:00:00Z", "a.y"),
        hit("fh7", "2026-02-09T10:00:00Z", "o.d"),
        // March: values 70, 73; one hit on a.x
        val("m1", "2026-03-10T10:00:00Z", "70"),
        val("m2", "2026-03-11T10:00:00Z", "73"),
        hit("mh1", "2026-03-12T10:00:00Z", "a.x"),
        // April: one value 200; 3 hits, none on o.d
        val("a1", "2026-04-10T10:00:00Z", "200"),
        hit("ah1", "2026-04-11T10:00:00Z", "a.x"),
        hit("ah2", "2026-04-12T10:00:00Z", "a.y"),
        hit("ah3", "2026-04-13T10:00:00Z", "a.y"),
    ]
}

#[test]
fn scoring_functions_clamp_bands_deduct_zero_tolerance() {
    let lines = scoring_events();
    let as_of = "2026-05-01T00:00:00Z";

    let jan = run(SCORING, &lines, "2026-01", as_of);
    // mean (50 + 40) / 2 = 45 < 60 → linear below the floor, clamped to 0
    assert_eq!(jan.vs(0, "up"), (Some("45.0000"), Some("0.00")));
    // sum 90: 100 + (90 − 100) × (−100) / 200 = 105 → clamped to 100
    assert_eq!(jan.vs(0, "down"), (Some("90.0000"), Some("100.00")));
    // count 2 → band `>= 2` → 60
    assert_eq!(jan.vs(0, "banded"), (Some("2.0000"), Some("60.00")));
    // no hit: nothing deducted → 100
    assert_eq!(jan.vs(0, "deducted"), (Some("0.0000"), Some("100.00")));
    // 0 ≤ 0: target met → 100
    assert_eq!(jan.vs(0, "zero"), (Some("0.0000"), Some("100.00")));
    // (0 + 100 + 60 + 100 + 100) / 5 = 72
    assert_eq!(jan.s(0, "score"), Some("72.00"));

    let feb = run(SCORING, &lines, "2026-02", as_of);
    // mean (90 + 100 + 110 + 120) / 4 = 105: (105 − 60) × 100 / 20 = 225 → clamped to 100
    assert_eq!(feb.vs(0, "up"), (Some("105.0000"), Some("100.00")));
    // sum 420: 100 + 320 × (−100) / 200 = −60 → clamped to 0
    assert_eq!(feb.vs(0, "down"), (Some("420.0000"), Some("0.00")));
    // count 4 → band `>= 4` → 100
    assert_eq!(feb.vs(0, "banded"), (Some("4.0000"), Some("100.00")));
    // 7 hits: 15 × 7 / 2 = 52.5 points, capped at 40 → 60
    assert_eq!(feb.vs(0, "deducted"), (Some("7.0000"), Some("60.00")));
    // one hit on o.d: target `<= 0` missed → 0
    assert_eq!(feb.vs(0, "zero"), (Some("1.0000"), Some("0.00")));
    // (100 + 0 + 100 + 60 + 0) / 5 = 52
    assert_eq!(feb.s(0, "score"), Some("52.00"));

    let mar = run(SCORING, &lines, "2026-03", as_of);
    // mean 71.5: (71.5 − 60) × 100 / 20 = 57.5
    assert_eq!(mar.vs(0, "up"), (Some("71.5000"), Some("57.50")));
    // sum 143: 100 − 43 × 100 / 200 = 78.5
    assert_eq!(mar.vs(0, "down"), (Some("143.0000"), Some("78.50")));
    assert_eq!(mar.vs(0, "banded"), (Some("2.0000"), Some("60.00")));
    // 1 hit: 15 × 1 / 2 = 7.5 → 92.5
    assert_eq!(mar.vs(0, "deducted"), (Some("1.0000"), Some("92.50")));
    assert_eq!(mar.vs(0, "zero"), (Some("0.0000"), Some("100.00")));
    // (57.5 + 78.5 + 60 + 92.5 + 100) / 5 = 388.5 / 5 = 77.7
    assert_eq!(mar.s(0, "score"), Some("77.70"));

    let apr = run(SCORING, &lines, "2026-04", as_of);
    // mean 200 → clamped 100; sum 200 → 100 − 100 × 100 / 200 = 50
    assert_eq!(apr.vs(0, "up"), (Some("200.0000"), Some("100.00")));
    assert_eq!(apr.vs(0, "down"), (Some("200.0000"), Some("50.00")));
    // count 1: no band holds → `else` → 10
    assert_eq!(apr.vs(0, "banded"), (Some("1.0000"), Some("10.00")));
    // 3 hits: 22.5 → 77.5
    assert_eq!(apr.vs(0, "deducted"), (Some("3.0000"), Some("77.50")));
    assert_eq!(apr.vs(0, "zero"), (Some("0.0000"), Some("100.00")));
    // (100 + 50 + 10 + 77.5 + 100) / 5 = 337.5 / 5 = 67.5
    assert_eq!(apr.s(0, "score"), Some("67.50"));
    // no payment block: paid in full
    assert_eq!(apr.s(0, "fee_due"), Some("1000.00"));
}

// ---------------------------------------------------------------------------------- roll-up

#[test]
fn rollup_levels_scope_override_and_payment() {
    let decls = r#"  event obs.val { v: number }
  event obs.hit
  indicator up "up" {
    level system
    weight 20
    value mean(obs.val.v where product == a.x)
    target >= 80
    score linear 60 -> 0, 80 -> 100
  }
  indicator down "down" {
    level system
    weight 10
    value mean(obs.val.v where product in [a.y])
    target <= 10
    score linear 10 -> 100, 30 -> 0
  }
  indicator banded "banded" {
    level process
    weight 30
    value sum(obs.val.v)
    target >= 10
    score bands { >= 100 => 100, >= 50 => 60, else => 20 }
  }
  indicator deducted "deducted" {
    level process
    weight 20
    value count(obs.hit)
    target <= 0
    score deduct 15 per 2 cap 40
  }
  indicator zero "zero" {
    level role
    weight 10
    value count(obs.hit where product == o.d)
    target <= 0
    score zero-tolerance
  }
  indicator missing "missing" {
    level role
    weight 10
    value mean(obs.val.v where product == o.d)
    target >= 1
    score linear 0 -> 0, 1 -> 100
  }
  assess v by c {
    scope all
  }
  assess s by v {
    scope a.y, o.*
    override banded {
      weight 5
    }
  }
  payment {
    score >= 90 pays 100%
    score 50 .. 90 pays 60% .. 100%
    score < 50 pays 40%
    cap deduction 30%
  }"#;
    let val = |id: &str, p: &str, v: &str| {
        ev(
            id,
            "2026-03-10T10:00:00Z",
            "obs.val",
            id,
            p,
            &format!(r#""v":{v}"#),
        )
    };
    let hit = |id: &str, p: &str| ev(id, "2026-03-11T10:00:00Z", "obs.hit", id, p, "");
    let lines = vec![
        val("x1", "a.x", "50"),
        val("x2", "a.x", "90"),
        val("y1", "a.y", "5"),
        val("y2", "a.y", "45"),
        hit("h1", "a.x"),
        hit("h2", "a.y"),
        hit("h3", "o.d"),
    ];
    let r = run(decls, &lines, "2026-03", "2026-04-01T00:00:00Z");

    // c → v, scope all
    // up: mean(50, 90) = 70 → (70 − 60) × 100 / 20 = 50
    assert_eq!(r.vs(0, "up"), (Some("70.0000"), Some("50.00")));
    // down: mean(5, 45) = 25 → 100 + 15 × (−100) / 20 = 25
    assert_eq!(r.vs(0, "down"), (Some("25.0000"), Some("25.00")));
    // banded: 50 + 90 + 5 + 45 = 190 → 100
    assert_eq!(r.vs(0, "banded"), (Some("190.0000"), Some("100.00")));
    // deducted: 3 hits → 22.5 → 77.5
    assert_eq!(r.vs(0, "deducted"), (Some("3.0000"), Some("77.50")));
    // zero: 1 hit on o.d → 0
    assert_eq!(r.vs(0, "zero"), (Some("1.0000"), Some("0.00")));
    // missing: no value on o.d → not applicable, its weight leaves the roll-up
    assert_eq!(r.vs(0, "missing"), (None, None));
    // system (20 × 50 + 10 × 25) / 30 = 1250 / 30 = 41.666… → 41.67
    assert_eq!(r.level(0, "system"), Some("41.67"));
    // process (30 × 100 + 20 × 77.5) / 50 = 4550 / 50 = 91
    assert_eq!(r.level(0, "process"), Some("91.00"));
    // role: zero 0 (missing left out) → 0
    assert_eq!(r.level(0, "role"), Some("0.00"));
    // party (1000 + 250 + 3000 + 1550 + 0) / 90 = 5800 / 90 = 64.444… → 64.44
    // (had `missing` counted as 0 with weight 10: 58.00)
    assert_eq!(r.s(0, "score"), Some("64.44"));
    // 50 ≤ 64.44 < 90: 60% + (64.44 − 50) × 40% / 40 = 0.6 + 0.1444 = 0.7444 (above the
    // 0.70 floor of `cap deduction 30%`) → 1000 × 0.7444 = 744.40
    assert_eq!(r.s(0, "fee_due"), Some("744.40"));

    // v → s, scope a.y, o.d; banded weight 5
    // up: no a.x event in scope → not applicable
    assert_eq!(r.vs(1, "up"), (None, None));
    assert_eq!(r.vs(1, "down"), (Some("25.0000"), Some("25.00")));
    // banded: 5 + 45 = 50 → band `>= 50` → 60, weight overridden to 5
    assert_eq!(r.vs(1, "banded"), (Some("50.0000"), Some("60.00")));
    assert_eq!(r.ind(1, "banded")["weight"], "5");
    assert_eq!(r.ind(0, "banded")["weight"], "30");
    // deducted: h2 (a.y), h3 (o.d) = 2 → 15 → 85
    assert_eq!(r.vs(1, "deducted"), (Some("2.0000"), Some("85.00")));
    assert_eq!(r.vs(1, "zero"), (Some("1.0000"), Some("0.00")));
    assert_eq!(r.vs(1, "missing"), (None, None));
    // system: down only → 25
    assert_eq!(r.level(1, "system"), Some("25.00"));
    // process (5 × 60 + 20 × 85) / 25 = 2000 / 25 = 80
    assert_eq!(r.level(1, "process"), Some("80.00"));
    assert_eq!(r.level(1, "role"), Some("0.00"));
    // party (10 × 25 + 5 × 60 + 20 × 85 + 10 × 0) / 45 = 2250 / 45 = 50
    // (with the declared weight 30: 3750 / 70 = 53.57)
    assert_eq!(r.s(1, "score"), Some("50.00"));
    // 50 is in `50 .. 90` (lower bound inclusive) → 60%, raised to the floor 70% by
    // `cap deduction 30%` → 500 × 0.7 = 350.00
    assert_eq!(r.s(1, "fee_due"), Some("350.00"));
}

#[test]
fn report_only_indicators_are_scored_but_left_out_of_every_rollup() {
    let down = r#"  indicator down "down" {
    level system
    report only
    value mean(obs.val.v where product in [a.y])
    target <= 10
    score linear 10 -> 100, 30 -> 0
  }
"#;
    let decls = |down: &str, override_down: &str| {
        format!(
            r#"  event obs.val {{ v: number }}
  event obs.hit
  indicator up "up" {{
    level system
    weight 20
    value mean(obs.val.v where product == a.x)
    target >= 80
    score linear 60 -> 0, 80 -> 100
  }}
{down}  indicator deducted "deducted" {{
    level process
    weight 20
    value count(obs.hit)
    target <= 0
    score deduct 15 per 2 cap 40
  }}
  assess v by c {{
    scope all
  }}
  assess s by v {{
    scope a.y, o.*
{override_down}    override deducted {{
      report only
    }}
  }}"#
        )
    };
    let val = |id: &str, p: &str, v: &str| {
        ev(
            id,
            "2026-03-10T10:00:00Z",
            "obs.val",
            id,
            p,
            &format!(r#""v":{v}"#),
        )
    };
    let hit = |id: &str, p: &str| ev(id, "2026-03-11T10:00:00Z", "obs.hit", id, p, "");
    let lines = vec![
        val("x1", "a.x", "50"),
        val("x2", "a.x", "90"),
        val("y1", "a.y", "5"),
        val("y2", "a.y", "45"),
        hit("h1", "a.x"),
        hit("h2", "a.y"),
        hit("h3", "o.d"),
    ];
    let with = decls(down, "    override down {\n      weight 10\n    }\n");
    let r = run(&with, &lines, "2026-03", "2026-04-01T00:00:00Z");

    // c → v: down is report only
    // up: mean(50, 90) = 70 → (70 − 60) × 100 / 20 = 50
    assert_eq!(r.vs(0, "up"), (Some("70.0000"), Some("50.00")));
    // down is still measured and scored: mean(5, 45) = 25 → 100 − 15 × 100 / 20 = 25
    assert_eq!(r.vs(0, "down"), (Some("25.0000"), Some("25.00")));
    assert_eq!(r.ind(0, "down")["report_only"], true);
    assert_eq!(r.ind(0, "down")["weight"], "0");
    assert!(r.ind(0, "up").get("report_only").is_none());
    // deducted: 3 hits → 15 × 3 / 2 = 22.5 → 77.5
    assert_eq!(r.vs(0, "deducted"), (Some("3.0000"), Some("77.50")));
    // system: up alone → 50 (with down weighted 10 it would be (1000 + 250) / 30 = 41.67)
    assert_eq!(r.level(0, "system"), Some("50.00"));
    assert_eq!(r.level(0, "process"), Some("77.50"));
    // party: (20 × 50 + 20 × 77.5) / 40 = 2550 / 40 = 63.75
    assert_eq!(r.s(0, "score"), Some("63.75"));

    // v → s: the override weighs down 10 and makes deducted report only
    assert_eq!(r.vs(1, "up"), (None, None));
    assert_eq!(r.vs(1, "down"), (Some("25.0000"), Some("25.00")));
    assert_eq!(r.ind(1, "down")["weight"], "10");
    assert!(r.ind(1, "down").get("report_only").is_none());
    // deducted: h2 (a.y), h3 (o.d) → 15 → 85, shown but not counted
    assert_eq!(r.vs(1, "deducted"), (Some("2.0000"), Some("85.00")));
    assert_eq!(r.ind(1, "deducted")["report_only"], true);
    // process: nothing scored; party: down alone → 25
    assert_eq!(r.level(1, "process"), None);
    assert_eq!(r.s(1, "score"), Some("25.00"));

    // c → v is exactly the assessment of the same contract without down
    let without = run(&decls("", ""), &lines, "2026-03", "2026-04-01T00:00:00Z");
    for key in ["score", "fee_due"] {
        assert_eq!(r.s(0, key), without.s(0, key), "{key}");
    }
    assert_eq!(r.assessment(0)["levels"], without.assessment(0)["levels"]);
}
