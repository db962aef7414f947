//! Places where the tool used to do something other than what its user meant, without a
//! word: periods outside the term, evaluation on no evidence, rejections hidden behind "no
//! accepted events", ignored events, misread numbers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Output;

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{slagrade, tmpdir};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const CONTRACT: &str = "examples/egov-2026.sla";
const EVENTS: &str = "examples/events-2026-10.jsonl";

/// A file in a fresh temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let p = tmpdir(&format!("traps-{name}")).join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_period_outside_the_term_is_an_error_naming_the_term() {
    for p in ["2016-02", "2027-01", "0000-01", "1999-01"] {
        let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", p]);
        assert_eq!(out.status.code(), Some(2), "{p}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "period {p} is outside the contract's term 2026-01-01 .. 2026-12-31"
            )),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2030-01..2031-12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("lies outside the contract's term"),
        "{}",
        stderr(&out)
    );
    // a malformed key keeps its own message
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2026-13"]);
    assert!(stderr(&out).contains("is not a period of this contract"));
}

#[test]
fn a_long_range_is_clipped_to_the_term_with_a_warning() {
    let out = slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--period",
        "2026-01..3000-12",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: period range `2026-01..3000-12` clipped to the contract's term 2026-01-01 .. 2026-12-31: scoring 2026-01..2026-12"
        ),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    let mut periods: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    periods.dedup();
    let want: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
    assert_eq!(periods, want);
    // clipped at the start too; a range inside the term gives no warning
    let out = slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--period",
        "2025-11..2026-02",
        "--format",
        "csv",
    ]);
    assert!(
        stderr(&out).contains("scoring 2026-01..2026-02"),
        "{}",
        stderr(&out)
    );
    let out = slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--period",
        "2026-09..2026-11",
        "--format",
        "csv",
    ]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn every_event_rejected_shows_the_first_reasons_and_their_count() {
    let f = temp_file(
        "rejected.jsonl",
        "{\"id\":\"x\"}\nnope\n{\"id\":\"a\",\"kind\":\"ticket.opened\",\"subject\":\"T\",\"at\":\"2026-10-01T00:00:00\"}\n[1]\n\n",
    );
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no accepted events to choose a period from: 4 events were rejected"),
        "{err}"
    );
    assert!(err.contains("line 1: missing `kind`"), "{err}");
    assert!(err.contains("line 2: not JSON"), "{err}");
    assert!(err.contains("line 3: "), "{err}");
    assert!(err.contains("and 1 more"), "{err}");
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap(), "--period", "all"]);
    assert!(
        stderr(&out).contains("4 events were rejected"),
        "{}",
        stderr(&out)
    );
}

/// Four events: T1 acknowledged an hour before it was opened (the acknowledgement counts
/// nowhere), T2 resolved but never opened (no anchor), both on appco's product in June;
/// T3 on netco's product in July, never opened.
const FEW: &str = r#"{"id":"e1","kind":"ticket.acknowledged","subject":"T1","at":"2026-06-03T09:00:00+08:00","product":"app.business_support.oa"}
{"id":"e2","kind":"ticket.opened","subject":"T1","at":"2026-06-03T10:00:00+08:00","product":"app.business_support.oa","attrs":{"priority":"P2"}}
{"id":"e3","kind":"ticket.resolved","subject":"T2","at":"2026-06-04T10:00:00+08:00","product":"app.business_support.oa"}
{"id":"e4","kind":"ticket.resolved","subject":"T3","at":"2026-07-04T10:00:00+08:00","product":"network.internet"}
"#;

fn eval_json(
    events: &std::path::Path,
    period: &str,
    extra: &[&str],
) -> (serde_json::Value, String) {
    let mut args = vec![
        "eval",
        CONTRACT,
        events.to_str().unwrap(),
        "--period",
        period,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = slagrade(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
}

#[test]
fn an_assessment_with_no_evidence_reports_no_score_and_no_fee() {
    let f = temp_file("few.jsonl", FEW);
    let (card, err) = eval_json(&f, "2026-06", &[]);
    let a = card["assessments"].as_array().unwrap();
    let by = |who: &str| a.iter().find(|x| x["assessee"] == who).unwrap();
    // June: only T1 (appco's product) is measured: by the response and repair clocks and
    // in the denominators of hazard discovery and problem resolution (4 items); the
    // acknowledgement before its opening and T2's resolve count nowhere
    for (who, evidence) in [("prime", 4), ("appco", 4), ("netco", 0), ("secco", 0)] {
        assert_eq!(by(who)["evidence"], evidence, "{who}");
        assert_eq!(by(who)["no_evidence"], evidence == 0, "{who}");
    }
    for who in ["netco", "secco"] {
        let x = by(who);
        assert!(
            x["score"].is_null() && x["fee_due"].is_null() && x["share"].is_null(),
            "{x}"
        );
        assert!(x["passed_through"].is_null());
        assert!(x["levels"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v.is_null()));
        // the fee is still stated, so a reader sees what was not paid
        assert!(x["fee"].is_string());
    }
    // T1 (P2) is still open at as_of (Jul 4), so its response (30 min) and repair (8 h)
    // clocks are breached: 0 of 1 on each, scoring 0; opened without a source and not
    // resolved, it also scores 0 on hazard discovery (weight 5) and problem resolution (10);
    // the incident count is 0, scoring 100 (weight 5); the rest is not applicable:
    // (5·0 + 10·0 + 15·0 + 15·0 + 5·100) / 50 = 10.00, below 60: share 0.5 of 1 200 000
    assert_eq!(by("prime")["score"], "10.00");
    assert_eq!(by("prime")["fee_due"], "600000.00");
    assert!(
        err.contains("warning: 2026-06: no evidence for prime → netco, prime → secco"),
        "{err}"
    );
    // July: T3 alone, never opened: nothing counts, so nobody is assessed, not even netco
    let (card, err) = eval_json(&f, "2026-07", &[]);
    for x in card["assessments"].as_array().unwrap() {
        assert_eq!(x["no_evidence"], true, "{x}");
        assert!(x["score"].is_null() && x["fee_due"].is_null(), "{x}");
    }
    assert!(
        err.contains("no evidence for bureau → prime, prime → netco"),
        "{err}"
    );
    // the table says so in words
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap(), "--period", "2026-07"]);
    assert!(
        stdout(&out).contains("prime → netco 网络分包方   not assessed: no evidence"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn events_that_count_nowhere_are_counted_and_listed() {
    let f = temp_file("few2.jsonl", FEW);
    let list = f.with_extension("ignored.jsonl");
    let (card, _) = eval_json(
        &f,
        "2026-06..2026-07",
        &["--ignored", list.to_str().unwrap()],
    );
    let cards = card.as_array().unwrap();
    assert_eq!(
        cards[0]["ignored"],
        serde_json::json!({"before_anchor": 1, "without_anchor": 1})
    );
    assert_eq!(
        cards[1]["ignored"],
        serde_json::json!({"before_anchor": 0, "without_anchor": 1})
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&list)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["period"].as_str().unwrap().to_string(),
                l["event"]["id"].as_str().unwrap().to_string(),
                l["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("2026-06", "e1", "before_anchor"),
        ("2026-06", "e3", "no_anchor"),
        ("2026-07", "e4", "no_anchor"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    // the table names them
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap(), "--period", "2026-06"]);
    assert!(
        stdout(&out).contains(
            "ignored in 2026-06: 1 before their subject's anchor, 1 of subjects with no anchor"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_event_after_its_anchor_is_not_ignored_and_the_bundled_month_ignores_none() {
    let (card, _) = eval_json(std::path::Path::new(EVENTS), "2026-10", &[]);
    assert_eq!(
        card["ignored"],
        serde_json::json!({"before_anchor": 0, "without_anchor": 0})
    );
    // with its opening moved an hour earlier, T1's acknowledgement counts
    let f = temp_file(
        "few3.jsonl",
        &FEW.replace("2026-06-03T10:00:00", "2026-06-03T08:00:00"),
    );
    let (card, _) = eval_json(&f, "2026-06", &[]);
    assert_eq!(
        card["ignored"],
        serde_json::json!({"before_anchor": 0, "without_anchor": 1})
    );
    let a = &card["assessments"][3];
    assert_eq!(a["assessee"], "appco");
    assert_eq!(a["evidence"], 4);
    // the acknowledgement now stops the response clock: met within 30 min? 08:00 is before
    // office hours, so 0 s counted by 09:00: met
    assert_eq!(a["indicators"][4]["met"], 1);
}

#[test]
fn an_unknown_assessee_or_indicator_gets_the_close_name_and_the_list() {
    let out = slagrade(&[
        "explain",
        CONTRACT,
        EVENTS,
        "--indicator",
        "response_timeliness",
        "--assessee",
        "netcoo",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: no assessee `netcoo`; did you mean `netco`? the contract has: prime, netco, secco, appco\n"
    );
    assert!(stdout(&out).is_empty());
    let out = slagrade(&[
        "explain",
        CONTRACT,
        EVENTS,
        "--indicator",
        "response_timelines",
    ]);
    assert!(
        stderr(&out).starts_with(
            "error: no indicator `response_timelines`; did you mean `response_timeliness`?"
        ),
        "{}",
        stderr(&out)
    );
}
