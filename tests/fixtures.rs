//! The shared fixture corpus (`tests/fixtures/`): every case of `cases/` evaluated by the
//! library, for the default period as of the instant of its expected file, compared with what
//! the reference oracle computed (`expected/NAME.json`, written by `tests/fixtures/expect.py`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use slagrade::engine::scorecard::{AssessmentCard, IndicatorCard, Scorecard};

mod common;
use common::{reference_plan, root};

fn fixtures() -> PathBuf {
    root().join("tests").join("fixtures")
}

/// Every case name in `cases/`, sorted.
fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A decimal of the expected file (a string or `null`).
fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))),
        other => panic!("expected a decimal string or null, got {other}"),
    }
}

/// The case's scorecard for the default period, or `None` when no period is selected.
fn evaluate(events: &Path, as_of: i64) -> Option<Scorecard> {
    let plan = reference_plan();
    let events = slagrade::Events::open(&plan, events, &slagrade::Options::default()).unwrap();
    let sel = events
        .select(&slagrade::PeriodSpec::Default, Some(as_of))
        .ok()?;
    let mut cards = events.scorecards(&sel.periods, Some(as_of)).unwrap();
    assert!(cards.len() <= 1, "the default selects one period");
    cards.pop()
}

fn same_decimal(diffs: &mut Vec<String>, what: String, got: Option<Decimal>, want: &Value) {
    let want = dec(want);
    // numeric equality: `1.0000` == `1`
    if got != want {
        diffs.push(format!("{what}: engine {got:?}, oracle {want:?}"));
    }
}

fn compare_indicator(diffs: &mut Vec<String>, at: &str, got: &IndicatorCard, want: &Value) {
    let at = format!("{at} {}", got.id);
    if want["id"] != got.id.as_str() {
        diffs.push(format!("{at}: oracle has {} here", want["id"]));
        return;
    }
    same_decimal(diffs, format!("{at} value"), got.value, &want["value"]);
    same_decimal(diffs, format!("{at} score"), got.score, &want["score"]);
    if want.get("met").is_some() {
        let want_clocks = (
            want["met"].as_u64(),
            want["breached"].as_u64(),
            want["pending"].as_u64(),
        );
        let got_clocks = got
            .clocks
            .map(|c| (Some(c.met), Some(c.breached), Some(c.pending)));
        if got_clocks != Some(want_clocks) {
            diffs.push(format!(
                "{at} (met, breached, pending): engine {got_clocks:?}, oracle {want_clocks:?}"
            ));
        }
    }
}

fn compare_assessment(diffs: &mut Vec<String>, case: &str, got: &AssessmentCard, want: &Value) {
    let at = format!("{case} {}->{}", got.assessor, got.assessee);
    if want["assessor"] != got.assessor.as_str() || want["assessee"] != got.assessee.as_str() {
        diffs.push(format!(
            "{at}: oracle has {}->{} here",
            want["assessor"], want["assessee"]
        ));
        return;
    }
    if want["no_evidence"].as_bool() != Some(got.no_evidence()) {
        diffs.push(format!(
            "{at} no_evidence: engine {}, oracle {}",
            got.no_evidence(),
            want["no_evidence"]
        ));
    }
    same_decimal(diffs, format!("{at} score"), got.score, &want["score"]);
    same_decimal(
        diffs,
        format!("{at} fee_due"),
        got.fee_due,
        &want["fee_due"],
    );
    for (level, score) in &got.levels {
        let key = level.as_str();
        same_decimal(
            diffs,
            format!("{at} level {key}"),
            *score,
            &want["levels"][key],
        );
    }
    let inds = want["indicators"].as_array().unwrap();
    if inds.len() != got.indicators.len() {
        diffs.push(format!(
            "{at}: engine {} indicators, oracle {}",
            got.indicators.len(),
            inds.len()
        ));
    }
    for (g, w) in got.indicators.iter().zip(inds) {
        compare_indicator(diffs, &at, g, w);
    }
}

/// The differences between the engine's result for `case` and its expected file.
fn compare_case(case: &str) -> Vec<String> {
    let dir = fixtures();
    let expected = dir.join("expected").join(format!("{case}.json"));
    let Ok(text) = std::fs::read_to_string(&expected) else {
        return vec![format!("{case}: no expected/{case}.json")];
    };
    let want: Value = serde_json::from_str(&text).unwrap();
    let as_of = slagrade::event::parse_instant(want["as_of"].as_str().unwrap()).unwrap();
    let card = evaluate(&dir.join("cases").join(format!("{case}.jsonl")), as_of);
    let mut diffs = Vec::new();
    let card = match (card, want["period"].as_str()) {
        (None, None) => return diffs,
        (None, Some(p)) => return vec![format!("{case}: engine selects no period, oracle {p}")],
        (Some(c), None) => {
            return vec![format!(
                "{case}: engine selects {}, oracle no period",
                c.period
            )]
        }
        (Some(c), Some(p)) => {
            if c.period != p {
                diffs.push(format!("{case} period: engine {}, oracle {p}", c.period));
            }
            c
        }
    };
    if card.as_of != as_of {
        diffs.push(format!("{case} as_of: engine {}", card.as_of_text));
    }
    let ev = &card.events;
    let got_events = (ev.accepted, ev.duplicates, ev.rejected);
    let e = &want["events"];
    let want_events = (
        e["accepted"].as_u64().unwrap(),
        e["duplicates"].as_u64().unwrap(),
        e["rejected"].as_u64().unwrap(),
    );
    if got_events != want_events {
        diffs.push(format!(
            "{case} events (accepted, duplicates, rejected): engine {got_events:?}, oracle {want_events:?}"
        ));
    }
    let assessments = want["assessments"].as_array().unwrap();
    if assessments.len() != card.assessments.len() {
        diffs.push(format!(
            "{case}: engine {} assessments, oracle {}",
            card.assessments.len(),
            assessments.len()
        ));
    }
    for (g, w) in card.assessments.iter().zip(assessments) {
        compare_assessment(&mut diffs, case, g, w);
    }
    diffs
}

#[test]
fn every_case_matches_the_oracle() {
    let names = cases();
    assert!(!names.is_empty(), "no case in tests/fixtures/cases");
    let diffs: Vec<String> = names.iter().flat_map(|n| compare_case(n)).collect();
    assert!(
        diffs.is_empty(),
        "{} difference(s) between the engine and the oracle:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn every_expected_file_has_a_case() {
    let names = cases();
    for e in std::fs::read_dir(fixtures().join("expected")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(names.contains(&stem), "{} has no case", p.display());
    }
}
