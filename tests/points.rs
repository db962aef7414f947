//! Points roll-ups (`rollup points start 100, floor 0, ceiling 100`) and the points rules that
//! need no new measure: per breached clock, per started step below a target, per counted
//! event, with caps and overrides. Every expected number is worked out by hand in the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{json, Value};
use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl_with, Limits, LineRef};

fn src() -> String {
    std::fs::read_to_string(common::root().join("tests/data/points-basic.sla")).unwrap()
}

fn plan() -> Arc<Plan> {
    slagrade::load(&src()).unwrap().compile()
}

thread_local! {
    /// The contract text `card_at` evaluates (the bundled test contract unless a test sets
    /// another).
    static SRC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The October 2026 scorecard (as of 2026-11-05 00:00 +08:00) of `events` as JSON.
fn card(events: &[Value]) -> Value {
    card_at(events, "2026-11-05T00:00:00+08:00")
}

/// The October 2026 scorecard of `events` as of `as_of`, as JSON.
fn card_at(events: &[Value], as_of: &str) -> Value {
    card_of("2026-10", events, as_of)
}

/// The scorecard of `period` of `events` as of `as_of`, as JSON.
fn card_of(period: &str, events: &[Value], as_of: &str) -> Value {
    let plan = match SRC.with(|s| s.borrow().clone()) {
        Some(text) => slagrade::load(&text).unwrap().compile(),
        None => plan(),
    };
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    let mut ev = Evaluator::new(&plan);
    read_jsonl_with(
        plan.contract(),
        text.as_bytes(),
        Limits::default(),
        |o| match o {
            LineRef::Accepted(e) => {
                ev.push_ref(e);
            }
            LineRef::Rejected(r) => panic!("rejected: {} {}", r.reason, r.text),
        },
    )
    .unwrap();
    let c = plan.contract();
    let p = slagrade::time::period::parse(c.period(), c.timezone(), period).unwrap();
    let as_of = slagrade::event::parse_instant(as_of).unwrap();
    ev.scorecard(&p, Some(as_of)).unwrap().to_json()
}

fn assessment<'a>(card: &'a Value, assessee: &str) -> &'a Value {
    card["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["assessee"] == assessee)
        .unwrap()
}

fn indicator<'a>(a: &'a Value, id: &str) -> &'a Value {
    a["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

fn ev(id: &str, at: &str, kind: &str, subject: &str, product: &str, attrs: Value) -> Value {
    json!({"id": id, "at": at, "kind": kind, "subject": subject, "product": product, "attrs": attrs})
}

/// `n` office P1 tickets (`app.business_support.oa`, appco's), opened Monday 2026-10-12 at
/// 09:00 and acknowledged at 09:20: 20 minutes > 15, each response breached; resolved at
/// 10:00.
fn breached_office_tickets(n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for k in 0..n {
        let t = format!("T{k}");
        let p = "app.business_support.oa";
        out.push(ev(
            &format!("o{k}"),
            "2026-10-12T09:00:00+08:00",
            "ticket.opened",
            &t,
            p,
            json!({"priority": "P1"}),
        ));
        out.push(ev(
            &format!("a{k}"),
            "2026-10-12T09:20:00+08:00",
            "ticket.acknowledged",
            &t,
            p,
            json!({}),
        ));
        out.push(ev(
            &format!("r{k}"),
            "2026-10-12T10:00:00+08:00",
            "ticket.resolved",
            &t,
            p,
            json!({}),
        ));
    }
    out
}

#[test]
fn breached_clocks_cost_a_point_each_up_to_the_cap_and_the_override_costs_two() {
    // 3 breached: bureau→prime −1 × 3 = −3.00 → score 97.00; appco's override −2 × 3 = −6.00
    // → 94.00. Every other indicator: resolution 3/3 = 1.0000 ≥ 95% → 0; no alert, plan,
    // incident, notice or commendation → 0.
    let c = card(&breached_office_tickets(3));
    let prime = assessment(&c, "prime");
    let r = indicator(prime, "response_timeliness");
    assert_eq!(
        (r["value"].as_str(), r["points"].as_str()),
        (Some("0.0000"), Some("-3.00"))
    );
    assert_eq!(
        (r["met"].as_u64(), r["breached"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(prime["score"], "97.00");
    assert_eq!(prime["levels"]["process"], "97.00");
    assert_eq!(prime["levels"]["system"], "100.00");
    assert_eq!(prime["levels"]["role"], "100.00");
    // 97.00 ≥ 90 pays the whole fee
    assert_eq!(prime["fee_due"], "1200000.00");
    let appco = assessment(&c, "appco");
    assert_eq!(indicator(appco, "response_timeliness")["points"], "-6.00");
    assert_eq!(appco["score"], "94.00");
    // 12 breached: −12 → cap −10.00 for the prime; 2 × 12 = 24 → cap −10.00 for appco
    let c = card(&breached_office_tickets(12));
    assert_eq!(
        indicator(assessment(&c, "prime"), "response_timeliness")["points"],
        "-10.00"
    );
    assert_eq!(
        indicator(assessment(&c, "appco"), "response_timeliness")["points"],
        "-10.00"
    );
    assert_eq!(assessment(&c, "prime")["score"], "90.00");
}

#[test]
fn each_started_percent_below_the_target_costs_a_point() {
    // 20 tickets on an always product (infra.servers, the prime's only), P4, acknowledged in
    // time, `resolved` of which are resolved.
    let tickets = |resolved: usize| {
        let mut out = Vec::new();
        for k in 0..20 {
            let t = format!("T{k}");
            let p = "infra.servers";
            out.push(ev(
                &format!("o{k}"),
                "2026-10-12T09:00:00+08:00",
                "ticket.opened",
                &t,
                p,
                json!({"priority": "P4"}),
            ));
            out.push(ev(
                &format!("a{k}"),
                "2026-10-12T09:05:00+08:00",
                "ticket.acknowledged",
                &t,
                p,
                json!({}),
            ));
            if k < resolved {
                out.push(ev(
                    &format!("r{k}"),
                    "2026-10-12T10:00:00+08:00",
                    "ticket.resolved",
                    &t,
                    p,
                    json!({}),
                ));
            }
        }
        out
    };
    for (resolved, value, points, score) in [
        // 18/20 = 0.9000: (0.95 − 0.90) / 0.01 = 5 steps → −5.00
        (18, "0.9000", "-5.00", "95.00"),
        // 16/20 = 0.8000: 15 steps → −15, capped at −10.00
        (16, "0.8000", "-10.00", "90.00"),
        // 19/20 = 0.9500 meets the target: 0.00
        (19, "0.9500", "0.00", "100.00"),
    ] {
        // as of 12:00 the open P4 tickets are within their 72 h repair deadline (pending)
        let c = card_at(&tickets(resolved), "2026-10-12T12:00:00+08:00");
        let prime = assessment(&c, "prime");
        let i = indicator(prime, "problem_resolution_rate");
        assert_eq!(
            (i["value"].as_str(), i["points"].as_str()),
            (Some(value), Some(points)),
            "{resolved}"
        );
        assert_eq!(prime["score"], score, "{resolved}");
    }
}

#[test]
fn counted_events_cost_or_earn_points_each_and_the_score_stays_within_floor_and_ceiling() {
    let events = |kind: &str, n: usize| -> Vec<Value> {
        (0..n)
            .map(|k| {
                ev(
                    &format!("{kind}{k}"),
                    "2026-10-14T10:00:00+08:00",
                    kind,
                    &format!("S{k}"),
                    "security.mgmt",
                    json!({}),
                )
            })
            .collect()
    };
    // 3 incidents: −5 × 3 = −15.00 (secco covers security.mgmt: −15.00 there too)
    let c = card(&events("security.incident", 3));
    assert_eq!(
        indicator(assessment(&c, "prime"), "security_incidents")["points"],
        "-15.00"
    );
    assert_eq!(assessment(&c, "prime")["levels"]["system"], "85.00");
    assert_eq!(
        indicator(assessment(&c, "secco"), "security_incidents")["points"],
        "-15.00"
    );
    // 5 incidents: −25 → cap −20.00; secco 80.00 pays 90% of 150000.00 = 135000.00
    let c = card(&events("security.incident", 5));
    let secco = assessment(&c, "secco");
    assert_eq!(indicator(secco, "security_incidents")["points"], "-20.00");
    assert_eq!(secco["score"], "80.00");
    assert_eq!(secco["fee_due"], "135000.00");
    // 21 notices: −105, no cap → floor 0.00, which pays nothing
    let c = card(&events("notice.issued", 21));
    let prime = assessment(&c, "prime");
    assert_eq!(indicator(prime, "notices")["points"], "-105.00");
    assert_eq!(prime["score"], "0.00");
    assert_eq!(prime["fee_due"], "0.00");
    // 3 commendations and 3 incidents: +6 → cap +5.00, −15.00 → 90.00; role 105 → 100.00
    let mut both = events("commendation.received", 3);
    both.extend(events("security.incident", 3));
    let c = card(&both);
    let prime = assessment(&c, "prime");
    assert_eq!(indicator(prime, "commendations")["points"], "5.00");
    assert_eq!(prime["score"], "90.00");
    assert_eq!(prime["levels"]["role"], "100.00");
    // 12 breached office tickets (−10) and 5 incidents (−20): 70.00 pays 0.9 − 2 × 10 / 100
    // = 0.7 of 1200000.00 = 840000.00
    let mut worse = breached_office_tickets(12);
    worse.extend(events("security.incident", 5));
    let prime = assessment(&card(&worse), "prime").clone();
    assert_eq!(prime["score"], "70.00");
    assert_eq!(prime["fee_due"], "840000.00");
}

#[test]
fn a_points_card_has_points_flags_and_no_weights() {
    let c = card(&breached_office_tickets(1));
    let prime = assessment(&c, "prime");
    assert_eq!(prime["rollup"], "points");
    assert_eq!(prime["flags"], json!([]));
    for i in prime["indicators"].as_array().unwrap() {
        assert!(i.get("weight").is_none() && i.get("score").is_none(), "{i}");
        let p = i["points"].as_str().unwrap();
        assert!(p.ends_with(".00") || p.len() > 3, "{p}");
        assert_ne!(p, "-0.00");
    }
    // not applicable (no alert): value null, points 0.00
    let a = indicator(prime, "anomaly_report_timeliness");
    assert_eq!(
        (a["value"].clone(), a["points"].clone()),
        (Value::Null, json!("0.00"))
    );
}

/// One ticket opened at `opened` with priority P1 on `product`, then `more` events
/// `(id, at, kind)`.
fn ticket(name: &str, product: &str, opened: &str, more: &[(&str, &str)]) -> Vec<Value> {
    let mut out = vec![ev(
        &format!("{name}-o"),
        opened,
        "ticket.opened",
        name,
        product,
        json!({"priority": "P1"}),
    )];
    for (k, (at, kind)) in more.iter().enumerate() {
        out.push(ev(
            &format!("{name}-{k}"),
            at,
            kind,
            name,
            product,
            json!({}),
        ));
    }
    out
}

fn repair(events: &[Value], as_of: &str) -> String {
    let c = card_at(events, as_of);
    indicator(assessment(&c, "prime"), "repair_timeliness")["points"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn every_started_hour_late_costs_half_a_point_at_most_three_a_ticket_and_fifteen_in_all() {
    let as_of = "2026-10-20T00:00:00+08:00";
    let always = "infra.servers";
    // P1 repair deadline 4 h on the always calendar, opened 08:00: resolved 13:00:01 is
    // 3601 s late, 2 started hours → −1.00; 13:00:00 is 3600 s, 1 hour → −0.50; 12:00:00
    // is within the deadline → 0.00
    for (resolved, points) in [
        ("13:00:01", "-1.00"),
        ("13:00:00", "-0.50"),
        ("12:00:00", "0.00"),
    ] {
        let t = ticket(
            "A",
            always,
            "2026-10-12T08:00:00+08:00",
            &[(&format!("2026-10-12T{resolved}+08:00"), "ticket.resolved")],
        );
        assert_eq!(repair(&t, as_of), points, "{resolved}");
    }
    // never resolved, as of Oct 14 08:00: 48 h counted, 44 h late → 22 points, capped at 3
    let t = ticket("A", always, "2026-10-12T08:00:00+08:00", &[]);
    assert_eq!(repair(&t, "2026-10-14T08:00:00+08:00"), "-3.00");
    // office (09:00–12:00, 13:30–17:30 on weekdays): opened Mon Oct 12 09:00, resolved Tue
    // Oct 13 10:30: 3 h + 4 h + 1.5 h = 8.5 h counted, 4.5 h late → 5 started hours → −2.50
    let t = ticket(
        "A",
        "app.business_support.oa",
        "2026-10-12T09:00:00+08:00",
        &[("2026-10-13T10:30:00+08:00", "ticket.resolved")],
    );
    assert_eq!(repair(&t, as_of), "-2.50");
    // a pause from 09:00 to 10:00 does not count: 08:00–13:30 less 1 h = 4.5 h → 0.5 h late
    let t = ticket(
        "A",
        always,
        "2026-10-12T08:00:00+08:00",
        &[
            ("2026-10-12T09:00:00+08:00", "ticket.paused"),
            ("2026-10-12T10:00:00+08:00", "ticket.resumed"),
            ("2026-10-12T13:30:00+08:00", "ticket.resolved"),
        ],
    );
    assert_eq!(repair(&t, as_of), "-0.50");
    // six tickets each more than 6 h late: 6 × −3 = −18 → −15.00
    let mut six = Vec::new();
    for k in 0..6 {
        six.extend(ticket(
            &format!("T{k}"),
            always,
            "2026-10-12T08:00:00+08:00",
            &[("2026-10-12T18:00:01+08:00", "ticket.resolved")],
        ));
    }
    assert_eq!(repair(&six, as_of), "-15.00");
}

/// The response clock of one office ticket (`app.business_support.oa`, Monday 2026-10-12),
/// from `(id, time, kind, priority)` rows, as of `as_of`: (met, breached, pending).
fn response(rows: &[(&str, &str, &str, Option<&str>)], as_of: &str) -> (u64, u64, u64) {
    let events: Vec<Value> = rows
        .iter()
        .map(|(id, t, kind, p)| {
            let attrs = p.map_or(json!({}), |p| json!({"priority": p}));
            ev(
                id,
                &format!("2026-10-12T{t}+08:00"),
                kind,
                "T",
                "app.business_support.oa",
                attrs,
            )
        })
        .collect();
    let c = card_at(&events, &format!("2026-10-12T{as_of}+08:00"));
    let r = indicator(assessment(&c, "prime"), "response_timeliness");
    (
        r["met"].as_u64().unwrap(),
        r["breached"].as_u64().unwrap(),
        r["pending"].as_u64().unwrap(),
    )
}

const MET: (u64, u64, u64) = (1, 0, 0);
const BREACHED: (u64, u64, u64) = (0, 1, 0);
const PENDING: (u64, u64, u64) = (0, 0, 1);

#[test]
fn a_deadline_follows_the_priority_in_force_at_the_stop() {
    let (o, a, r) = (
        "ticket.opened",
        "ticket.acknowledged",
        "ticket.reprioritized",
    );
    // raised P3 → P1 at 10:00, acknowledged 10:05: 65 min > 15 min
    assert_eq!(
        response(
            &[
                ("e1", "09:00:00", o, Some("P3")),
                ("e2", "10:00:00", r, Some("P1")),
                ("e3", "10:05:00", a, None)
            ],
            "18:00:00"
        ),
        BREACHED
    );
    // lowered P1 → P3 at 09:20, acknowledged 09:40: 40 min ≤ 2 h
    assert_eq!(
        response(
            &[
                ("e1", "09:00:00", o, Some("P1")),
                ("e2", "09:20:00", r, Some("P3")),
                ("e3", "09:40:00", a, None)
            ],
            "18:00:00"
        ),
        MET
    );
    // still running: the priority at `as_of` decides; 10 min ≤ 15 min is pending, 15 min 1 s
    // is breached
    let running = [
        ("e1", "09:00:00", o, Some("P3")),
        ("e2", "09:05:00", r, Some("P1")),
    ];
    assert_eq!(response(&running, "09:10:00"), PENDING);
    assert_eq!(response(&running, "09:15:01"), BREACHED);
    // a change in the stop's second counts whatever its id; one a second later does not
    let stop = |t: &'static str| {
        [
            ("e1", "09:00:00", o, Some("P3")),
            ("e2", "10:00:00", a, None),
            ("e3", t, r, Some("P1")),
        ]
    };
    assert_eq!(response(&stop("10:00:00"), "18:00:00"), BREACHED);
    assert_eq!(response(&stop("10:00:01"), "18:00:00"), MET);
    // a change in the anchor's second counts only when ordered after the anchor (by id)
    let anchor = |id: &'static str| {
        [
            ("e1", "09:00:00", o, Some("P3")),
            (id, "09:00:00", r, Some("P1")),
            ("e5", "09:30:00", a, None),
        ]
    };
    assert_eq!(response(&anchor("e0"), "18:00:00"), MET);
    assert_eq!(response(&anchor("e9"), "18:00:00"), BREACHED);
}

#[test]
fn with_restart_a_changed_priority_starts_the_clock_over() {
    let restart = src().replacen(
        "deadline by priority follow ticket.reprioritized { P1 => 15m",
        "deadline by priority follow ticket.reprioritized restart { P1 => 15m",
        1,
    );
    SRC.with(|s| *s.borrow_mut() = Some(restart));
    let (o, a, r) = (
        "ticket.opened",
        "ticket.acknowledged",
        "ticket.reprioritized",
    );
    // P3 → P1 at 10:00 restarts the clock: acknowledged 10:05 is 5 min ≤ 15 min
    let got = response(
        &[
            ("e1", "09:00:00", o, Some("P3")),
            ("e2", "10:00:00", r, Some("P1")),
            ("e3", "10:05:00", a, None),
        ],
        "18:00:00",
    );
    // P3 → P3 changes nothing: acknowledged 11:30 is 2 h 30 min > 2 h
    let same = response(
        &[
            ("e1", "09:00:00", o, Some("P3")),
            ("e2", "09:50:00", r, Some("P3")),
            ("e3", "11:30:00", a, None),
        ],
        "18:00:00",
    );
    SRC.with(|s| *s.borrow_mut() = None);
    assert_eq!(got, MET);
    assert_eq!(same, BREACHED);
}

fn waiver(id: &str, at: &str, indicator: &str) -> Value {
    ev(
        id,
        &format!("2026-10-12T{at}+08:00"),
        "waiver.granted",
        "T",
        "app.business_support.oa",
        json!({"indicator": indicator, "reason": "甲方停电", "approved_by": "运维管理委员会"}),
    )
}

/// A P1 office ticket opened at 09:00 and acknowledged at 09:20 (breached), resolved at 10:00.
fn breached_ticket() -> Vec<Value> {
    let p = "app.business_support.oa";
    vec![
        ev(
            "e1",
            "2026-10-12T09:00:00+08:00",
            "ticket.opened",
            "T",
            p,
            json!({"priority": "P1"}),
        ),
        ev(
            "e2",
            "2026-10-12T09:20:00+08:00",
            "ticket.acknowledged",
            "T",
            p,
            json!({}),
        ),
        ev(
            "e3",
            "2026-10-12T10:00:00+08:00",
            "ticket.resolved",
            "T",
            p,
            json!({}),
        ),
    ]
}

#[test]
fn a_waived_clock_is_out_of_the_value_and_costs_no_points() {
    let clocks = |events: &[Value], id: &str| {
        let c = card(events);
        let i = indicator(assessment(&c, "prime"), id).clone();
        (
            i["met"].as_u64().unwrap(),
            i["breached"].as_u64().unwrap(),
            i["waived"].as_u64().unwrap(),
            i["points"].as_str().unwrap().to_string(),
            i["value"].clone(),
        )
    };
    assert_eq!(
        clocks(&breached_ticket(), "response_timeliness"),
        (0, 1, 0, "-1.00".into(), json!("0.0000"))
    );
    // waived after the anchor: neither met nor breached, no value, no points
    let mut w = breached_ticket();
    w.push(waiver("w1", "11:00:00", "response_timeliness"));
    assert_eq!(
        clocks(&w, "response_timeliness"),
        (0, 0, 1, "0.00".into(), Value::Null)
    );
    // the repair clock of the same ticket is not waived (met: 1 h of 4 h)
    assert_eq!(
        clocks(&w, "repair_timeliness"),
        (1, 0, 0, "0.00".into(), json!("1.0000"))
    );
    // the same waiver in appco's assessment (the ticket is on appco's product): −2 is gone
    let c = card(&w);
    assert_eq!(
        indicator(assessment(&c, "appco"), "response_timeliness")["waived"],
        1
    );
    assert_eq!(assessment(&c, "appco")["score"], "100.00");
    // ordered before the anchor (same second, smaller id), or after `as_of`: no effect
    let mut before = breached_ticket();
    before.push(waiver("e0", "09:00:00", "response_timeliness"));
    assert_eq!(clocks(&before, "response_timeliness").2, 0);
    let mut late = breached_ticket();
    late.push(waiver("w1", "11:00:00", "response_timeliness"));
    let c = card_at(&late, "2026-10-12T10:30:00+08:00");
    assert_eq!(
        indicator(assessment(&c, "prime"), "response_timeliness")["waived"],
        0
    );
    // a waiver of another indicator leaves this one breached
    let mut other = breached_ticket();
    other.push(waiver("w1", "11:00:00", "anomaly_report_timeliness"));
    assert_eq!(
        clocks(&other, "response_timeliness"),
        (0, 1, 0, "-1.00".into(), json!("0.0000"))
    );
}

#[test]
fn explain_shows_the_waiver_with_its_reason_and_approver() {
    let mut w = breached_ticket();
    w.push(waiver("w1", "11:00:00", "response_timeliness"));
    let plan = plan();
    let text: String = w.iter().map(|e| format!("{e}\n")).collect();
    let mut ev = Evaluator::new(&plan);
    read_jsonl_with(plan.contract(), text.as_bytes(), Limits::default(), |o| {
        if let LineRef::Accepted(e) = o {
            ev.push_ref(e);
        }
    })
    .unwrap();
    let c = plan.contract();
    let p = slagrade::time::period::parse(c.period(), c.timezone(), "2026-10").unwrap();
    let (_, findings) = ev.explain(&p, None, false).unwrap();
    let f = &findings[0][0][0];
    assert_eq!(f.status.as_str(), "waived");
    let note = f.waiver.as_ref().unwrap();
    assert_eq!(
        (
            note.id.as_str(),
            note.reason.as_str(),
            note.approver.as_str()
        ),
        ("w1", "甲方停电", "运维管理委员会")
    );
    let ids: Vec<&str> = f.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1", "w1"]);
}

fn outage(id: &str, product: &str, from: &str, to: Option<&str>, severity: &str) -> Vec<Value> {
    let mut out = vec![ev(
        &format!("{id}-s"),
        from,
        "outage.started",
        id,
        product,
        json!({"severity": severity}),
    )];
    if let Some(t) = to {
        out.push(ev(
            &format!("{id}-e"),
            t,
            "outage.ended",
            id,
            product,
            json!({}),
        ));
    }
    out
}

fn window(id: &str, product: &str, at: &str, start: &str, end: &str) -> Value {
    ev(
        id,
        at,
        "maintenance.scheduled",
        id,
        product,
        json!({"start": start, "end": end}),
    )
}

/// `(value, points)` of `id` in `assessee`'s card of `period`.
fn value_points(period: &str, events: &[Value], assessee: &str, id: &str) -> (Value, String) {
    let c = card_of(period, events, "2026-12-01T00:00:00+08:00");
    let i = indicator(assessment(&c, assessee), id);
    (
        i["value"].clone(),
        i["points"].as_str().unwrap().to_string(),
    )
}

#[test]
fn availability_merges_outages_clips_them_to_the_period_and_excludes_announced_windows() {
    let servers = "infra.servers";
    // across the month end: 22:00–02:00 is 7200 s in October and 7200 s in November
    let across = outage(
        "O1",
        servers,
        "2026-10-31T22:00:00+08:00",
        Some("2026-11-01T02:00:00+08:00"),
        "minor",
    );
    assert_eq!(
        value_points("2026-10", &across, "prime", "downtime").0,
        "7200.0000"
    );
    assert_eq!(
        value_points("2026-11", &across, "prime", "downtime").0,
        "7200.0000"
    );
    // a window 23:00–01:00 announced 59 h ahead removes an hour from each month
    let mut announced = across.clone();
    announced.push(window(
        "W1",
        servers,
        "2026-10-29T12:00:00+08:00",
        "2026-10-31T23:00:00+08:00",
        "2026-11-01T01:00:00+08:00",
    ));
    assert_eq!(
        value_points("2026-10", &announced, "prime", "downtime").0,
        "3600.0000"
    );
    assert_eq!(
        value_points("2026-11", &announced, "prime", "downtime").0,
        "3600.0000"
    );
    // announced only 11 h ahead: it excludes nothing
    let mut late = across.clone();
    late.push(window(
        "W1",
        servers,
        "2026-10-31T12:00:00+08:00",
        "2026-10-31T23:00:00+08:00",
        "2026-11-01T01:00:00+08:00",
    ));
    assert_eq!(
        value_points("2026-10", &late, "prime", "downtime").0,
        "7200.0000"
    );
    // a window of another product excludes nothing either
    let mut other = across.clone();
    other.push(window(
        "W1",
        "infra.storage",
        "2026-10-29T12:00:00+08:00",
        "2026-10-31T23:00:00+08:00",
        "2026-11-01T01:00:00+08:00",
    ));
    assert_eq!(
        value_points("2026-10", &other, "prime", "downtime").0,
        "7200.0000"
    );
    // overlapping outages of one product count once: 10:00–11:00 ∪ 10:30–12:00 = 7200 s
    let mut overlap = outage(
        "O1",
        "network.internet",
        "2026-10-12T10:00:00+08:00",
        Some("2026-10-12T11:00:00+08:00"),
        "minor",
    );
    overlap.extend(outage(
        "O2",
        "network.internet",
        "2026-10-12T10:30:00+08:00",
        Some("2026-10-12T12:00:00+08:00"),
        "minor",
    ));
    assert_eq!(
        value_points("2026-10", &overlap, "netco", "downtime").0,
        "7200.0000"
    );
    // netco has 2 products: 1 − 7200 / (2 × 2 678 400) = 0.998655… → 0.9987, 0.3 of a step
    // below 99.9% → −2.00; the prime's 13 products: 1 − 7200 / 34 819 200 → 0.9998 → 0.00
    assert_eq!(
        value_points("2026-10", &overlap, "netco", "availability"),
        (json!("0.9987"), "-2.00".into())
    );
    assert_eq!(
        value_points("2026-10", &overlap, "prime", "availability"),
        (json!("0.9998"), "0.00".into())
    );
    // an outage still open at `as_of` is down until `as_of`
    let open = outage("O1", servers, "2026-10-12T10:00:00+08:00", None, "major");
    let c = card_at(&open, "2026-10-12T12:00:00+08:00");
    assert_eq!(
        indicator(assessment(&c, "prime"), "downtime")["value"],
        "7200.0000"
    );
    // nothing happened: availability 1.0000, and the assessment is assessed (full fee)
    let quiet = vec![ev(
        "x",
        "2026-10-12T10:00:00+08:00",
        "commendation.received",
        "C",
        servers,
        json!({}),
    )];
    let c = card_of("2026-10", &quiet, "2026-11-05T00:00:00+08:00");
    let netco = assessment(&c, "netco");
    assert_eq!(indicator(netco, "availability")["value"], "1.0000");
    assert_eq!(
        (netco["score"].as_str(), netco["fee_due"].as_str()),
        (Some("100.00"), Some("200000.00"))
    );
}

#[test]
fn major_outages_count_in_the_period_of_their_start_and_mttr_averages_closed_ones() {
    let net = "network.internet";
    let mut e = outage(
        "O1",
        net,
        "2026-10-12T10:00:00+08:00",
        Some("2026-10-12T11:00:00+08:00"),
        "major",
    );
    e.extend(outage(
        "O2",
        net,
        "2026-10-13T10:00:00+08:00",
        Some("2026-10-13T13:00:00+08:00"),
        "minor",
    ));
    e.extend(outage(
        "O3",
        net,
        "2026-10-31T23:00:00+08:00",
        None,
        "major",
    ));
    // O1 and O3 are major: −5 × 2 = −10.00 (O3's downtime runs into November, its count
    // stays in October); mttr of the closed ones: (3600 + 10800) / 2 = 7200 s
    assert_eq!(
        value_points("2026-10", &e, "netco", "major_outages"),
        (json!("2.0000"), "-10.00".into())
    );
    assert_eq!(
        value_points("2026-11", &e, "netco", "major_outages").0,
        "0.0000"
    );
    assert_eq!(
        value_points("2026-10", &e, "netco", "outage_mttr").0,
        "7200.0000"
    );
}

#[test]
fn a_flag_needs_its_condition_in_each_of_the_consecutive_periods() {
    let notices = |month: &str, n: usize| -> Vec<Value> {
        (0..n)
            .map(|k| {
                ev(
                    &format!("{month}-{k}"),
                    &format!("2026-{month}-14T10:00:00+08:00"),
                    "notice.issued",
                    &format!("N{month}{k}"),
                    "infra.servers",
                    json!({}),
                )
            })
            .collect()
    };
    let flags = |events: &[Value], period: &str| {
        let c = card_of(period, events, "2026-11-05T00:00:00+08:00");
        assessment(&c, "prime")["flags"].clone()
    };
    // 21 notices: −105 → 0.00 in September and in October: October is the second month
    // below 60; September's month before (August, nothing happened) scored 100.00
    let mut both = notices("09", 21);
    both.extend(notices("10", 21));
    assert_eq!(flags(&both, "2026-10"), json!(["termination_right"]));
    assert_eq!(flags(&both, "2026-09"), json!([]));
    // only October below 60: no flag
    assert_eq!(flags(&notices("10", 21), "2026-10"), json!([]));
    // a one-period flag on a level: 12 breached office tickets cost 10 process points
    assert_eq!(
        flags(&breached_office_tickets(12), "2026-10"),
        json!(["process_alarm"])
    );
    assert_eq!(flags(&breached_office_tickets(3), "2026-10"), json!([]));
}

/// The codes of the diagnostics of `src` (errors and warnings).
fn codes(src: &str) -> Vec<String> {
    match slagrade::load(src) {
        Ok(c) => c.warnings.iter().map(|d| d.code.to_string()).collect(),
        Err(e) => e.iter().map(|d| d.code.to_string()).collect(),
    }
}

#[test]
fn the_checker_refuses_points_rules_that_do_not_fit() {
    let base = src();
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1)
    };
    assert_eq!(codes(&base), Vec::<String>::new());
    // a points rule in a weighted contract
    let weighted = common::reference_src().replacen(
        "    score linear 90% -> 0, 98% -> 100\n",
        "    score linear 90% -> 0, 98% -> 100\n    deduct 1 per breached clock\n",
        1,
    );
    assert!(
        codes(&weighted).contains(&"E0221".to_string()),
        "{:?}",
        codes(&weighted)
    );
    // a weight or a score under a points roll-up
    let c = with("    deduct 5 each\n", "    deduct 5 each\n    weight 10\n");
    assert_eq!(codes(&c), ["E0222"]);
    // `each` on a share; `per breached clock` without a clock
    let c = with(
        "    deduct 1 per started 1% below target, cap 10",
        "    deduct 1 each",
    );
    assert_eq!(codes(&c), ["E0223"]);
    let c = with(
        "    deduct 5 each, cap 20",
        "    deduct 5 per breached clock",
    );
    assert_eq!(codes(&c), ["E0223"]);
    // steps below a target that is missing
    let c = with("    target >= 95%\n", "");
    assert_eq!(codes(&c), ["E0224"]);
    // floor above the ceiling
    let c = with(
        "rollup points start 100, floor 0, ceiling 100",
        "rollup points start 100, floor 50, ceiling 40",
    );
    assert_eq!(codes(&c), ["E0220"]);
    // a unit on points, two caps
    let c = with("    deduct 5 each\n", "    deduct 5% each\n");
    assert_eq!(codes(&c), ["E0225"]);
    let c = with(
        "    deduct 5 each, cap 20",
        "    deduct 5 each, cap 20, cap 10",
    );
    assert_eq!(codes(&c), ["E0225"]);
    // an indicator of a points roll-up with no points rule
    let c = with("    deduct 5 each\n", "");
    assert_eq!(codes(&c), ["E0173"]);
    // a cap that can never bind
    let c = with(
        "    deduct 5 each\n",
        "    deduct by value { < 4 => 6, else => 0 }, cap 10\n",
    );
    assert_eq!(codes(&c), ["W0105"]);
}
