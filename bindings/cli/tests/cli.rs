//! The command line: exit codes, the golden scorecard of the bundled example, rejected-line
//! output, explanations, diff, multi-period runs; and the live API's `at_risk`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{ok_json as json, reference_plan, reference_src, root, slagrade, tmpdir};

const CONTRACT: &str = "examples/egov-2026.sla";
const EVENTS: &str = "examples/events-2026-10.jsonl";

#[test]
fn bundled_scorecard_is_the_committed_one() {
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--format", "json"]);
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/scorecard-2026-10.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json(&out), golden);
}

#[test]
fn rejected_lines_are_written_with_line_number_reason_and_text() {
    let dir = tmpdir("cli");
    let rejected = dir.join("rejected.jsonl");
    let out = slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--format",
        "json",
        "--rejected",
        rejected.to_str().unwrap(),
    ]);
    let card = json(&out);
    let lines: Vec<Value> = std::fs::read_to_string(&rejected)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len() as u64,
        card["events"]["rejected"].as_u64().unwrap()
    );
    assert!(!lines.is_empty());
    let source: Vec<String> = std::fs::read_to_string(root().join(EVENTS))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    for r in &lines {
        let n = r["line"].as_u64().unwrap() as usize;
        // the text is the line verbatim
        assert_eq!(r["text"].as_str().unwrap(), source[n - 1]);
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
    // accepted + duplicates + rejected = non-blank lines
    let e = &card["events"];
    let total = e["accepted"].as_u64().unwrap()
        + e["duplicates"].as_u64().unwrap()
        + e["rejected"].as_u64().unwrap();
    assert_eq!(
        total as usize,
        source.iter().filter(|l| !l.trim().is_empty()).count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_codes() {
    assert_eq!(slagrade(&["check", CONTRACT]).status.code(), Some(0));
    let dir = tmpdir("exit");
    let broken = dir.join("broken.sla");
    std::fs::write(
        &broken,
        "contract \"x\" {\n  timezone \"Mars/Olympus\"\n}\n",
    )
    .unwrap();
    let b = broken.to_str().unwrap();
    let out = slagrade(&["check", b]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mars/Olympus"));
    let out = slagrade(&["check", b, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let diags: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(diags
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"].as_str().unwrap().starts_with('E')
            || d["code"].as_str().unwrap().starts_with('W')));
    assert_eq!(slagrade(&["eval", b, EVENTS]).status.code(), Some(1));
    let missing = slagrade(&["eval", CONTRACT, "no/such/file.jsonl"]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/file.jsonl"));
    let bad_period = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2026-13"]);
    assert_ne!(bad_period.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_contract_without_assessments_warns_on_check_and_eval() {
    let src = reference_src();
    let (start, end) = (
        src.find("  assess ").unwrap(),
        src.find("  payment {").unwrap(),
    );
    let dir = tmpdir("noassess");
    let path = dir.join("no-assess.sla");
    std::fs::write(&path, format!("{}{}", &src[..start], &src[end..])).unwrap();
    let p = path.to_str().unwrap();
    let out = slagrade(&["check", p]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("W0104") && err.contains("no `assess`"),
        "{err}"
    );
    let out = slagrade(&["eval", p, EVENTS]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("W0104"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_lists_breaches_with_their_events() {
    let out = slagrade(&[
        "explain",
        CONTRACT,
        EVENTS,
        "--indicator",
        "response_timeliness",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let items = v.as_array().unwrap();
    // one entry per assessment
    assert_eq!(items.len(), 4);
    let card = json(&slagrade(&["eval", CONTRACT, EVENTS, "--format", "json"]));
    for (item, a) in items.iter().zip(card["assessments"].as_array().unwrap()) {
        let ind = &a["indicators"][4];
        assert_eq!(ind["id"], "response_timeliness");
        let findings = item["findings"].as_array().unwrap();
        let breached = findings
            .iter()
            .filter(|f| f["status"] == "breached")
            .count() as u64;
        let pending = findings.iter().filter(|f| f["status"] == "pending").count() as u64;
        assert_eq!(breached, ind["breached"].as_u64().unwrap());
        assert_eq!(pending, ind["pending"].as_u64().unwrap());
        for f in findings {
            // a breach shows more counted time than allowed, and the events that moved it
            if f["status"] == "breached" {
                assert!(f["elapsed"].as_i64().unwrap() > f["allowed"].as_i64().unwrap());
            }
            assert_eq!(f["events"][0]["kind"], "ticket.opened");
        }
    }
    let unknown = slagrade(&["explain", CONTRACT, EVENTS, "--indicator", "nope"]);
    assert_ne!(unknown.status.code(), Some(0));
}

#[test]
fn diff_of_a_contract_with_itself_is_empty_and_a_tighter_deadline_breaches_more() {
    let same = slagrade(&["diff", CONTRACT, CONTRACT, EVENTS]);
    assert!(String::from_utf8_lossy(&same.stdout).contains("no differences"));
    let dir = tmpdir("diff");
    let strict = dir.join("strict.sla");
    let src = reference_src();
    std::fs::write(&strict, src.replace("P2 => 30m", "P2 => 20m")).unwrap();
    let v = json(&slagrade(&[
        "diff",
        CONTRACT,
        strict.to_str().unwrap(),
        EVENTS,
        "--format",
        "json",
    ]));
    let top = &v[0]["assessments"][0];
    let ind = top["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "response_timeliness")
        .unwrap();
    let changed = ind["changed"].as_array().unwrap();
    assert!(!changed.is_empty());
    // every changed subject went from fine to breached, never the other way
    assert!(changed
        .iter()
        .all(|c| c["old"].is_null() && c["new"] == "breached"));
    // and the count of newly breached subjects is the change in the breach count
    let old = json(&slagrade(&["eval", CONTRACT, EVENTS, "--format", "json"]));
    let new = json(&slagrade(&[
        "eval",
        strict.to_str().unwrap(),
        EVENTS,
        "--format",
        "json",
    ]));
    let b = |v: &Value| {
        v["assessments"][0]["indicators"][4]["breached"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(b(&new) - b(&old), changed.len() as u64);
    assert_eq!(
        ind["new_value"],
        new["assessments"][0]["indicators"][4]["value"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn several_periods_give_one_scorecard_each() {
    let v = json(&slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--period",
        "2026-09..2026-11",
        "--format",
        "json",
    ]));
    let periods: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026-09", "2026-10", "2026-11"]);
    let single = json(&slagrade(&[
        "eval", CONTRACT, EVENTS, "--period", "2026-10", "--format", "json",
    ]));
    assert_eq!(v[1], single);
    let all = json(&slagrade(&[
        "eval", CONTRACT, EVENTS, "--period", "all", "--format", "json",
    ]));
    assert!(all.as_array().unwrap().iter().any(|c| c == &single));
}

#[test]
fn at_risk_lists_running_clocks_about_to_breach() {
    let plan = reference_plan();
    let mut ev = slagrade::engine::eval::Evaluator::new(&plan);
    let v = slagrade::event::Validator::new(plan.contract());
    let line = r#"{"id":"1","at":"2026-10-12T10:00:00+08:00","kind":"ticket.opened","subject":"T1","product":"network.internet","attrs":{"priority":"P1"}}"#;
    ev.push(v.line(line.as_bytes()).unwrap().unwrap());
    let t = |s: &str| slagrade::event::parse_instant(s).unwrap();
    let now = t("2026-10-12T10:10:00+08:00");
    // P1: response due at 10:15 (15 min), repair at 14:00 (4 h), on the 24×7 calendar
    let risks = ev.at_risk(now, 10 * 60).unwrap();
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0].indicator, "response_timeliness");
    assert_eq!(risks[0].deadline, t("2026-10-12T10:15:00+08:00"));
    assert_eq!(risks[0].elapsed, 600);
    let risks = ev.at_risk(now, 4 * 3600).unwrap();
    assert_eq!(risks.len(), 2);
    assert_eq!(risks[1].indicator, "repair_timeliness");
    assert_eq!(risks[1].deadline, t("2026-10-12T14:00:00+08:00"));
    assert!(ev.at_risk(now, 60).unwrap().is_empty());
    // an office-calendar ticket opened Friday 17:20: 10 min counted Friday, 20 left on Monday
    let line = r#"{"id":"2","at":"2026-10-30T17:20:00+08:00","kind":"ticket.opened","subject":"T2","product":"app.business_support.oa","attrs":{"priority":"P2"}}"#;
    ev.push(v.line(line.as_bytes()).unwrap().unwrap());
    let now = t("2026-10-31T12:00:00+08:00");
    let risks = ev.at_risk(now, 3 * 86_400).unwrap();
    let r = risks
        .iter()
        .find(|r| r.subject == "T2" && r.indicator == "response_timeliness")
        .unwrap();
    assert_eq!(r.deadline, t("2026-11-02T09:20:00+08:00"));
}

/// A memory budget below what the file needs sends it through partitions on disk: the same
/// output, rejected lines included, for one period and for all of them.
#[test]
fn a_small_memory_budget_gives_the_same_output() {
    let dir = tmpdir("cli-budget");
    let (r1, r2) = (dir.join("r1.jsonl"), dir.join("r2.jsonl"));
    for period in [None, Some("all")] {
        let mut plain = vec!["eval", CONTRACT, EVENTS, "--format", "json", "--rejected"];
        plain.push(r1.to_str().unwrap());
        let mut spilled = vec!["eval", CONTRACT, EVENTS, "--format", "json", "--rejected"];
        spilled.extend([r2.to_str().unwrap(), "--max-memory", "64K"]);
        spilled.extend(["--spill-dir", dir.to_str().unwrap()]);
        if let Some(p) = period {
            plain.extend(["--period", p]);
            spilled.extend(["--period", p]);
        }
        let (a, b) = (slagrade(&plain), slagrade(&spilled));
        assert_eq!(json(&a), json(&b));
        assert!(String::from_utf8_lossy(&b.stderr).contains("partitions"));
        let (ra, rb) = (std::fs::read(&r1).unwrap(), std::fs::read(&r2).unwrap());
        assert!(!ra.is_empty());
        assert_eq!(ra, rb);
    }
    // explanations through partitions: the same findings, in the same order
    for format in ["json", "table"] {
        let base = [
            "explain",
            CONTRACT,
            EVENTS,
            "--indicator",
            "repair_timeliness",
            "--format",
            format,
        ];
        let plain = slagrade(&base);
        let mut args = base.to_vec();
        args.extend(["--max-memory", "64K", "--spill-dir", dir.to_str().unwrap()]);
        let spilled = slagrade(&args);
        assert!(plain.status.success() && spilled.status.success());
        assert!(plain.stdout.len() > 1000);
        assert_eq!(plain.stdout, spilled.stdout, "{format}");
    }
    // nothing is left behind in the spill directory
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("slagrade-spill-")
        })
        .collect();
    assert!(left.is_empty());
    // a spill directory that cannot be made is named in the error
    let nowhere = dir.join("a-file");
    std::fs::write(&nowhere, "").unwrap();
    let blocked = slagrade(&[
        "eval",
        CONTRACT,
        EVENTS,
        "--max-memory",
        "64K",
        "--spill-dir",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(blocked.status.code(), Some(2));
    let err = String::from_utf8_lossy(&blocked.stderr);
    assert!(
        err.contains("through partitions in") && err.contains("a-file"),
        "{err}"
    );
    std::fs::remove_file(&nowhere).unwrap();
    let bad = slagrade(&["eval", CONTRACT, EVENTS, "--max-memory", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a size"));
    std::fs::remove_dir_all(&dir).unwrap();
}
