//! The worked examples of the reference contract, each evaluated through the whole pipeline
//! (contract text → checked contract → plan → evaluator → scorecard).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slagrade::engine::eval::Evaluator;
use slagrade::engine::scorecard::{IndicatorCard, Scorecard};
use slagrade::event::{read_jsonl, Limits, LineOutcome};

mod common;
use common::reference_plan;

/// `(id, local time 2026-MM-DDTHH:MM:SS, kind, subject, product, attrs)`
type Ev<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn lines(evs: &[Ev]) -> String {
    evs.iter()
        .map(|(id, at, kind, subject, product, attrs)| {
            format!(
                r#"{{"id":"{id}","at":"{at}+08:00","kind":"{kind}","subject":"{subject}","product":"{product}","attrs":{{{attrs}}}}}"#
            ) + "\n"
        })
        .collect()
}

fn evaluate(evs: &[Ev], as_of: Option<&str>) -> Scorecard {
    let plan = reference_plan();
    let mut ev = Evaluator::new(&plan);
    let text = lines(evs);
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
    let c = &plan.contract();
    let p = slagrade::time::period::parse(c.period(), c.timezone(), "2026-10").unwrap();
    let as_of = as_of.map(|t| slagrade::event::parse_instant(t).unwrap());
    ev.scorecard(&p, as_of).unwrap()
}

fn ind<'a>(card: &'a Scorecard, id: &str) -> &'a IndicatorCard {
    card.assessments[0]
        .indicators
        .iter()
        .find(|i| i.id == id)
        .unwrap()
}

/// (met, breached, pending)
fn clocks(card: &Scorecard, id: &str) -> (u64, u64, u64) {
    let c = ind(card, id).clocks.unwrap();
    (c.met, c.breached, c.pending)
}

const OA: &str = "app.business_support.oa";
const NET: &str = "network.internet";

#[test]
fn make_up_saturday_counts() {
    // 10 min Fri + 7 h on the make-up Saturday Oct 10 + 15 min Mon ≫ 30 min
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-09T17:20:00",
                "ticket.opened",
                "T1",
                OA,
                r#""priority":"P2""#,
            ),
            (
                "e2",
                "2026-10-12T09:15:00",
                "ticket.acknowledged",
                "T1",
                OA,
                "",
            ),
        ],
        None,
    );
    assert_eq!(clocks(&card, "response_timeliness"), (0, 1, 0));
}

#[test]
fn weekend_does_not_count() {
    // 10 min Fri Oct 30 + 15 min Mon Nov 2 = 25 min ≤ 30 min
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-30T17:20:00",
                "ticket.opened",
                "T1",
                OA,
                r#""priority":"P2""#,
            ),
            (
                "e2",
                "2026-11-02T09:15:00",
                "ticket.acknowledged",
                "T1",
                OA,
                "",
            ),
            (
                "e3",
                "2026-10-30T17:20:00",
                "ticket.opened",
                "T2",
                OA,
                r#""priority":"P2""#,
            ),
            (
                "e4",
                "2026-11-02T09:20:01",
                "ticket.acknowledged",
                "T2",
                OA,
                "",
            ),
        ],
        None,
    );
    // T2: 10 min + 20 min 1 s = 30 min 1 s > 30 min
    assert_eq!(clocks(&card, "response_timeliness"), (1, 1, 0));
    assert_eq!(
        ind(&card, "response_timeliness").value.unwrap().to_string(),
        "0.5000"
    );
}

#[test]
fn holiday_does_not_count() {
    // opened on the National Day holiday; counting starts Thu Oct 8 09:00: exactly 15 min
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-01T10:00:00",
                "ticket.opened",
                "T1",
                OA,
                r#""priority":"P1""#,
            ),
            (
                "e2",
                "2026-10-08T09:15:00",
                "ticket.acknowledged",
                "T1",
                OA,
                "",
            ),
            (
                "e3",
                "2026-10-01T10:00:00",
                "ticket.opened",
                "T2",
                OA,
                r#""priority":"P1""#,
            ),
            (
                "e4",
                "2026-10-08T09:15:01",
                "ticket.acknowledged",
                "T2",
                OA,
                "",
            ),
        ],
        None,
    );
    assert_eq!(clocks(&card, "response_timeliness"), (1, 1, 0));
}

#[test]
fn lunch_break_and_night() {
    // Sat Oct 10 (make-up day) 11:50 → 13:35: 10 min + 5 min; Mon 22:00 → 22:10: 0 s
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-10T11:50:00",
                "ticket.opened",
                "T1",
                OA,
                r#""priority":"P1""#,
            ),
            (
                "e2",
                "2026-10-10T13:35:00",
                "ticket.acknowledged",
                "T1",
                OA,
                "",
            ),
            (
                "e3",
                "2026-10-12T22:00:00",
                "ticket.opened",
                "T2",
                OA,
                r#""priority":"P1""#,
            ),
            (
                "e4",
                "2026-10-12T22:10:00",
                "ticket.acknowledged",
                "T2",
                OA,
                "",
            ),
        ],
        None,
    );
    assert_eq!(clocks(&card, "response_timeliness"), (2, 0, 0));
}

#[test]
fn repeated_pauses_are_ignored() {
    // 10:00–10:05 counts 5 min, paused until 10:30, 10:30–10:40 counts 10 min: 15 min = P1
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-12T10:00:00",
                "ticket.opened",
                "T1",
                NET,
                r#""priority":"P1""#,
            ),
            ("e2", "2026-10-12T10:05:00", "ticket.paused", "T1", NET, ""),
            ("e3", "2026-10-12T10:07:00", "ticket.paused", "T1", NET, ""),
            ("e4", "2026-10-12T10:30:00", "ticket.resumed", "T1", NET, ""),
            ("e5", "2026-10-12T10:31:00", "ticket.resumed", "T1", NET, ""),
            (
                "e6",
                "2026-10-12T10:40:00",
                "ticket.acknowledged",
                "T1",
                NET,
                "",
            ),
        ],
        None,
    );
    assert_eq!(clocks(&card, "response_timeliness"), (1, 0, 0));
}

fn reopen_events(last_resolve: Option<&'static str>) -> Vec<Ev<'static>> {
    let mut v = vec![
        (
            "e1",
            "2026-10-12T08:00:00",
            "ticket.opened",
            "T1",
            NET,
            r#""priority":"P1""#,
        ),
        (
            "e2",
            "2026-10-12T08:01:00",
            "ticket.acknowledged",
            "T1",
            NET,
            "",
        ),
        (
            "e3",
            "2026-10-12T10:00:00",
            "ticket.resolved",
            "T1",
            NET,
            "",
        ),
        ("e4", "2026-10-12T12:00:00", "ticket.closed", "T1", NET, ""),
        (
            "e5",
            "2026-10-13T08:00:00",
            "ticket.reopened",
            "T1",
            NET,
            "",
        ),
    ];
    if let Some(t) = last_resolve {
        v.push(("e6", t, "ticket.resolved", "T1", NET, ""));
    }
    v
}

#[test]
fn reopen_resumes_the_repair_clock() {
    // 08:00–10:00 + Oct 13 08:00–10:00 = 4 h = the P1 repair deadline
    let card = evaluate(&reopen_events(Some("2026-10-13T10:00:00")), None);
    assert_eq!(clocks(&card, "repair_timeliness"), (1, 0, 0));
    assert_eq!(ind(&card, "problem_resolution_rate").ratio, Some((1, 1)));
    let card = evaluate(&reopen_events(Some("2026-10-13T10:00:01")), None);
    assert_eq!(clocks(&card, "repair_timeliness"), (0, 1, 0));
}

#[test]
fn reopen_not_resolved_again() {
    let card = evaluate(&reopen_events(None), Some("2026-11-05T00:00:00+08:00"));
    assert_eq!(clocks(&card, "repair_timeliness"), (0, 1, 0));
    assert_eq!(ind(&card, "problem_resolution_rate").ratio, Some((0, 1)));
    // as of Oct 13 09:00: 2 h + 1 h = 3 h < 4 h, still running
    let card = evaluate(&reopen_events(None), Some("2026-10-13T09:00:00+08:00"));
    assert_eq!(clocks(&card, "repair_timeliness"), (0, 0, 1));
}

#[test]
fn plan_one_second_late_is_breached() {
    let card = evaluate(
        &[
            (
                "e1",
                "2026-10-01T09:00:00",
                "plan.scheduled",
                "PL1",
                "infra.servers",
                r#""due":"2026-10-20T17:30:00+08:00""#,
            ),
            (
                "e2",
                "2026-10-20T17:30:01",
                "plan.completed",
                "PL1",
                "infra.servers",
                "",
            ),
            (
                "e3",
                "2026-10-01T09:00:00",
                "plan.scheduled",
                "PL2",
                "infra.servers",
                r#""due":"2026-10-20T17:30:00+08:00""#,
            ),
            (
                "e4",
                "2026-10-20T17:30:00",
                "plan.completed",
                "PL2",
                "infra.servers",
                "",
            ),
        ],
        None,
    );
    assert_eq!(clocks(&card, "maintenance_on_time"), (1, 1, 0));
}

#[test]
fn alerts_use_the_always_calendar() {
    // Mon Oct 5 is a holiday and 03:00 is at night, but alerts count every second: 15 min
    let card = evaluate(
        &[
            ("e1", "2026-10-05T03:00:00", "alert.raised", "A1", OA, ""),
            ("e2", "2026-10-05T03:15:00", "alert.reported", "A1", OA, ""),
        ],
        None,
    );
    assert_eq!(clocks(&card, "anomaly_report_timeliness"), (1, 0, 0));
}
