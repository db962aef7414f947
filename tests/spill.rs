//! Evaluating a file through partitions on disk gives exactly what one evaluator holding the
//! whole file gives: counts, rejected lines, anchor periods, default period, scorecards and
//! explanations (findings in the same order),
//! with repeated ids of different content (other instants, other subjects) across the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slagrade::engine::eval::Evaluator;
use slagrade::event::Limits;
use slagrade::input::spill::Spilled;

mod common;
use common::{generated, reference_plan, tmpdir};

/// A generated stream plus repeated ids moved to other subjects and instants, blank lines
/// and a kind the contract does not declare.
fn stream(seed: u64) -> String {
    let cfg = slagrade_gen::GenConfig {
        seed,
        events: 30_000,
        from: (2026, 8),
        to: (2026, 11),
        out_of_order_permille: 100,
        duplicates_ppm: 20_000,
        malformed_ppm: 5_000,
    };
    let text = String::from_utf8(generated(&cfg)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        out.push('\n');
        if i % 61 == 7 {
            // an earlier line's id under another subject, later
            let j = (i * 7919) % lines.len();
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(lines[j]) {
                if v.is_object() {
                    v["subject"] = serde_json::json!(format!("MOVED-{i}"));
                    out.push_str(&v.to_string());
                    out.push('\n');
                }
            }
        }
        if i % 97 == 0 {
            out.push_str("\n{\"id\":\"x-");
            out.push_str(&i.to_string());
            out.push_str("\",\"at\":\"2026-09-01T00:00:00Z\",\"kind\":\"other.kind\",\"subject\":\"S\",\"product\":\"app.business_support.oa\"}\n");
        }
    }
    out
}

#[test]
fn spilled_evaluation_is_in_memory_evaluation() {
    let plan = reference_plan();
    let dir = tmpdir("spill-test");
    for seed in [3u64, 4] {
        let path = dir.join(format!("events-{seed}.jsonl"));
        std::fs::write(&path, stream(seed)).unwrap();
        let one: Evaluator =
            slagrade::input::ingest::read_file(&plan, &path, Limits::default(), 1).unwrap();
        assert!(one.counts().duplicates > 100, "{:?}", one.counts());
        assert!(one.counts().rejected > 10);
        let periods: Vec<_> = one
            .anchor_periods(None)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert!(periods.len() >= 4);
        let mid = periods[2].start + 86_400 * 3;
        for (parts, threads) in [(1, 1), (2, 1), (5, 1), (1, 2), (5, 2), (4, 3)] {
            let s =
                Spilled::read_file(&plan, &path, Limits::default(), parts, threads, &dir).unwrap();
            assert_eq!(
                s.counts(),
                one.counts(),
                "{parts} partitions, {threads} threads"
            );
            assert_eq!(s.rejected(), one.rejected());
            assert_eq!(s.latest(), one.latest());
            for as_of in [None, Some(mid)] {
                assert_eq!(s.anchor_periods(as_of).unwrap(), one.anchor_periods(as_of));
                assert_eq!(s.default_period(as_of).unwrap(), one.default_period(as_of));
                for p in &periods {
                    assert_eq!(
                        s.explain(p, as_of, false).unwrap(),
                        one.explain(p, as_of, false).unwrap(),
                        "explanations: seed {seed}, {parts} partitions, {threads} threads, {} as of {as_of:?}",
                        p.key
                    );
                }
                let cards = s.scorecards(&periods, as_of).unwrap();
                for (p, card) in periods.iter().zip(&cards) {
                    assert_eq!(
                        card,
                        &one.scorecard(p, as_of).unwrap(),
                        "seed {seed}, {parts} partitions, {threads} threads, {} as of {as_of:?}",
                        p.key
                    );
                }
            }
        }
    }
    // the partitions are removed with the value
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("slagrade-spill-")
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files with nothing to evaluate: empty, blank lines only, every line rejected, only kinds
/// the contract does not declare. Counts and rejections as in memory, no scorecard period.
#[test]
fn files_with_nothing_to_evaluate() {
    let plan = reference_plan();
    let dir = tmpdir("spill-empty");
    let cases = [
        "",
        "\n\n  \n",
        "not json\n{\"id\":\"a\"}\n[1,2]\n",
        "{\"id\":\"x\",\"at\":\"2026-10-01T00:00:00Z\",\"kind\":\"other\",\"subject\":\"S\",\"product\":\"app.business_support.oa\"}\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = dir.join(format!("case-{i}.jsonl"));
        std::fs::write(&path, text).unwrap();
        let one = slagrade::input::ingest::read_file(&plan, &path, Limits::default(), 1).unwrap();
        for parts in [1, 3] {
            let s = Spilled::read_file(&plan, &path, Limits::default(), parts, 2, &dir).unwrap();
            assert_eq!(s.counts(), one.counts(), "case {i}");
            assert_eq!(s.rejected(), one.rejected(), "case {i}");
            assert_eq!(s.latest(), one.latest(), "case {i}");
            assert_eq!(
                s.anchor_periods(None).unwrap(),
                one.anchor_periods(None),
                "case {i}"
            );
            assert_eq!(
                s.default_period(None).unwrap(),
                one.default_period(None),
                "case {i}"
            );
            if let Some(p) = one.default_period(None) {
                assert_eq!(
                    s.scorecards(std::slice::from_ref(&p), None).unwrap(),
                    vec![one.scorecard(&p, None).unwrap()]
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
