//! Lossless accounting: for any input, accepted + duplicates + rejected = non-blank lines,
//! through the library (`read_jsonl` + `Evaluator`) and through the CLI, whose `--rejected`
//! file lists every rejected line verbatim with its number and reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;
use slagrade::engine::eval::Evaluator;
use slagrade::event::{read_jsonl, Limits, LineOutcome};

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{reference_plan, root, tmpdir};

/// Valid, duplicate and malformed lines from the generator, split into lines.
fn generated() -> &'static Vec<Vec<u8>> {
    static LINES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    LINES.get_or_init(|| {
        let cfg = slagrade_gen::GenConfig {
            seed: 42,
            events: 400,
            malformed_ppm: 50_000,
            duplicates_ppm: 50_000,
            ..Default::default()
        };
        common::generated(&cfg)
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    })
}

/// Is the line (without its newline) counted, i.e. not blank?
fn counted(line: &[u8], max: usize) -> bool {
    line.len() > max
        || match std::str::from_utf8(line) {
            Err(_) => true,
            Ok(s) => !s
                .trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
                .is_empty(),
        }
}

/// One line of a hostile file.
#[derive(Debug, Clone)]
enum Piece {
    /// a generated line (valid, duplicate-prone or malformed)
    Gen(usize),
    /// an exact copy of an earlier piece
    Copy(usize),
    /// a generated line with one byte replaced
    Flip(usize, usize, u8),
    /// a generated line cut short
    Cut(usize, usize),
    /// arbitrary bytes (no newline)
    Bytes(Vec<u8>),
    /// whitespace only
    Blank(String),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        6 => any::<usize>().prop_map(Piece::Gen),
        2 => any::<usize>().prop_map(Piece::Copy),
        2 => (any::<usize>(), any::<usize>(), any::<u8>()).prop_map(|(a, b, c)| Piece::Flip(a, b, c)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Piece::Cut(a, b)),
        1 => proptest::collection::vec(any::<u8>(), 0..80)
            .prop_map(|v| Piece::Bytes(v.into_iter().filter(|&b| b != b'\n').collect())),
        1 => "[ \t\r]{0,4}".prop_map(Piece::Blank),
    ]
}

fn render(pieces: &[Piece], crlf: bool) -> Vec<Vec<u8>> {
    let g = generated();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for p in pieces {
        let line = match p {
            Piece::Gen(i) => g[i % g.len()].clone(),
            Piece::Copy(i) if !lines.is_empty() => lines[i % lines.len()].clone(),
            Piece::Copy(i) => g[i % g.len()].clone(),
            Piece::Flip(i, at, b) => {
                let mut l = g[i % g.len()].clone();
                let n = l.len();
                l[at % n] = if *b == b'\n' { b'?' } else { *b };
                l
            }
            Piece::Cut(i, at) => {
                let l = &g[i % g.len()];
                l[..at % l.len()].to_vec()
            }
            Piece::Bytes(v) => v.clone(),
            Piece::Blank(s) => s.as_bytes().to_vec(),
        };
        let mut line = line;
        if crlf && !line.is_empty() {
            line.push(b'\r');
        }
        lines.push(line);
    }
    lines
}

fn join(lines: &[Vec<u8>], final_newline: bool) -> Vec<u8> {
    let mut data = lines.join(&b'\n');
    if final_newline && !lines.is_empty() {
        data.push(b'\n');
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_non_blank_line_is_accepted_duplicate_or_rejected(
        pieces in proptest::collection::vec(piece(), 0..60),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        small_limit in any::<bool>(),
    ) {
        let lines = render(&pieces, crlf);
        let data = join(&lines, final_newline);
        let limits = Limits { max_line_bytes: if small_limit { 200 } else { 1 << 20 } };
        let expected = lines.iter().filter(|l| counted(l, limits.max_line_bytes)).count() as u64;

        let plan = reference_plan();
        let mut ev = Evaluator::new(&plan);
        let mut outcomes = 0u64;
        read_jsonl(plan.contract(), &data[..], limits, |o| {
            outcomes += 1;
            match o {
                LineOutcome::Accepted(e) => { ev.push(e); }
                LineOutcome::Rejected(r) => ev.reject(r),
            }
        }).unwrap();
        prop_assert_eq!(outcomes, expected);
        let c = ev.counts();
        prop_assert_eq!(c.accepted + c.duplicates + c.rejected, expected);
        // each rejection names its line, which is that line verbatim (or its cut prefix)
        for r in ev.rejected() {
            let n = r.line.unwrap() as usize;
            prop_assert!(!r.reason.to_string().is_empty());
            let original = &lines[n - 1];
            let text = String::from_utf8_lossy(original);
            if original.len() <= limits.max_line_bytes {
                prop_assert_eq!(r.text.as_str(), text.trim_end_matches('\r'));
            } else {
                let too_long = matches!(r.reason, slagrade::event::Reason::LineTooLong { .. });
                prop_assert!(too_long);
                prop_assert!(r.reason.to_string().starts_with("line longer than"));
            }
        }
        // checkpoint and restore keep the counts
        let back = Evaluator::restore(&plan, &ev.checkpoint()).unwrap();
        prop_assert_eq!(back.counts(), c);
    }
}

/// The same property through the CLI, over a few hostile files (a process per case is slow,
/// so fewer cases): the counts add up and `--rejected` lists each rejected line verbatim.
#[test]
fn cli_counts_add_up_and_rejected_lines_are_verbatim() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    });
    let strategy = (proptest::collection::vec(piece(), 1..80), any::<bool>());
    let contract = root().join("examples/egov-2026.sla");
    let dir = tmpdir("accounting");
    let events = dir.join("events.jsonl");
    let rejected = dir.join("rejected.jsonl");
    runner
        .run(&strategy, |(pieces, crlf)| {
            // at least one valid event, so that there is a scorecard to print
            let mut pieces = pieces;
            pieces.insert(0, Piece::Gen(0));
            let lines = render(&pieces, crlf);
            std::fs::write(&events, join(&lines, true)).unwrap();
            let expected = lines.iter().filter(|l| counted(l, 1 << 20)).count() as u64;
            let out = Command::new(common::bin())
                .args([
                    "eval",
                    contract.to_str().unwrap(),
                    events.to_str().unwrap(),
                    "--format",
                    "json",
                    "--rejected",
                    rejected.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            if !out.status.success() {
                // nothing accepted at all: the CLI says so, and still writes the rejections;
                // or a flipped digit made a valid event centuries away, which moves the
                // default evaluation instant past the contract's calendars: that is said too
                let err = String::from_utf8_lossy(&out.stderr);
                prop_assert!(
                    err.contains("no accepted events")
                        || err.contains("outside the calendar's range"),
                    "{}",
                    err
                );
                return Ok(());
            }
            let card: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let e = &card["events"];
            let (a, d, r) = (
                e["accepted"].as_u64().unwrap(),
                e["duplicates"].as_u64().unwrap(),
                e["rejected"].as_u64().unwrap(),
            );
            prop_assert_eq!(a + d + r, expected);
            let listed: Vec<serde_json::Value> = std::fs::read_to_string(&rejected)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            prop_assert_eq!(listed.len() as u64, r);
            let mut last = 0;
            for x in &listed {
                let n = x["line"].as_u64().unwrap() as usize;
                prop_assert!(n > last, "rejected lines in input order");
                last = n;
                prop_assert!(!x["reason"].as_str().unwrap().is_empty());
                let text = String::from_utf8_lossy(&lines[n - 1]);
                prop_assert_eq!(x["text"].as_str().unwrap(), text.trim_end_matches('\r'));
            }
            Ok(())
        })
        .unwrap();
}
