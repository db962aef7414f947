//! The points-2026 fixture corpus (`tests/fixtures/points/`): every event stream scored by
//! `examples/points-2026.sla` gives exactly the scorecard the independent points oracle
//! (`tests/oracle/points_oracle.py`, written from POINTS-CONTRACT.md alone) computed for it,
//! on every key the contract requires.
//!
//! The runs whose rules change with the amendment of 2026-11-01 (P5) are left out until
//! amendments are part of the language: the `amendment` case and every period from November
//! on (except `termination`, whose November has no event the amendment reads).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::Value;
use slagrade::engine::eval::Evaluator;
use slagrade::event::{read_jsonl_with, Limits, LineRef};

fn amended(name: &str, period: &str) -> bool {
    name == "amendment" || (period >= "2026-11" && name != "termination")
}

#[test]
fn the_contract_agrees_with_the_oracle_on_every_fixture() {
    let root = common::root();
    let src = std::fs::read_to_string(root.join("examples/points-2026.sla")).unwrap();
    let plan = slagrade::load(&src).unwrap().compile();
    let c = plan.contract();
    let dir = root.join("tests/fixtures/points");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut compared = 0;
    for f in &files {
        let file = f.file_name().unwrap().to_str().unwrap();
        let name = file.split('.').next().unwrap();
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let period = expected["period"].as_str().unwrap();
        if amended(name, period) {
            continue;
        }
        let events = std::fs::read(dir.join(format!("{name}.jsonl"))).unwrap();
        let mut ev = Evaluator::new(&plan);
        read_jsonl_with(c, events.as_slice(), Limits::default(), |o| match o {
            LineRef::Accepted(e) => {
                ev.push_ref(e);
            }
            LineRef::Rejected(r) => ev.reject(r),
        })
        .unwrap();
        let p = slagrade::time::period::parse(c.period(), c.timezone(), period).unwrap();
        let as_of = slagrade::event::parse_instant(expected["as_of"].as_str().unwrap()).unwrap();
        let got = ev.scorecard(&p, Some(as_of)).unwrap().to_json();
        assert_eq!(got["events"], expected["events"], "{file}: events");
        assert_eq!(got["as_of"], expected["as_of"], "{file}: as_of");
        let (ga, ea) = (
            got["assessments"].as_array().unwrap(),
            expected["assessments"].as_array().unwrap(),
        );
        assert_eq!(ga.len(), ea.len(), "{file}");
        for (g, e) in ga.iter().zip(ea) {
            let who = format!("{file}: {} → {}", e["assessor"], e["assessee"]);
            for k in [
                "assessor", "assessee", "score", "fee_due", "levels", "flags",
            ] {
                assert_eq!(g[k], e[k], "{who}: {k}");
            }
            let gi = g["indicators"].as_array().unwrap();
            let ei = e["indicators"].as_array().unwrap();
            let ids: Vec<&Value> = gi.iter().map(|i| &i["id"]).collect();
            let want: Vec<&Value> = ei.iter().map(|i| &i["id"]).collect();
            assert_eq!(ids, want, "{who}: indicators in order");
            for (gi, ei) in gi.iter().zip(ei) {
                for (k, v) in ei.as_object().unwrap() {
                    assert_eq!(&gi[k], v, "{who}: {} {k}", ei["id"]);
                }
            }
        }
        compared += 1;
    }
    // every case but the amended ones: a corpus that shrinks must not pass unnoticed
    assert!(compared >= 18, "only {compared} runs compared");
}
