//! The live evaluator under faults: a `follow` process killed mid-way (SIGKILL) resumes from
//! its last checkpoint and ends with exactly the uninterrupted scorecard; damaged checkpoints
//! and checkpoints of another contract are refused with a clear error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Limits, LineOutcome};
use slagrade::input::live::{self, FollowOptions, LiveError, Position};

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{generated_file, ok_json, reference_plan, reference_src, root, slagrade, tmpdir};

const CONTRACT: &str = "examples/egov-2026.sla";

fn generate(path: &Path, seed: u64, events: u64) {
    let cfg = slagrade_gen::GenConfig {
        seed,
        events,
        from: (2026, 9),
        to: (2026, 11),
        ..Default::default()
    };
    generated_file(&cfg, path);
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The evaluator fed the whole file in one go, as `eval` does.
fn one_shot(plan: &Arc<Plan>, events: &Path) -> Evaluator {
    let mut ev = Evaluator::new(plan);
    let f = std::io::BufReader::new(std::fs::File::open(events).unwrap());
    read_jsonl(plan.contract(), f, Limits::default(), |o| match o {
        LineOutcome::Accepted(e) => {
            ev.push(e);
        }
        LineOutcome::Rejected(r) => ev.reject(r),
    })
    .unwrap();
    ev
}

#[test]
fn sigkill_mid_way_then_resume_gives_the_uninterrupted_scorecard() {
    let dir = tmpdir("live-kill");
    let events = dir.join("events.jsonl");
    let ck = dir.join("follow.ckpt");
    generate(&events, 11, 300_000);
    let len = std::fs::metadata(&events).unwrap().len();

    let expected = ok_json(&slagrade(&[
        "eval",
        CONTRACT,
        s(&events),
        "--format",
        "json",
    ]));

    let mut child = Command::new(common::bin())
        .args([
            "follow",
            CONTRACT,
            s(&events),
            "--checkpoint",
            s(&ck),
            "--every",
            "10000",
            "--format",
            "json",
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ck.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no checkpoint written within 60 s"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("follow ended before its first checkpoint: {status}");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "follow was expected to be killed mid-way, it ended with {status}"
        );
    }

    // the checkpoint left behind is whole and part-way through the input
    let frame = live::decode(&std::fs::read(&ck).unwrap()).unwrap();
    assert!(frame.position.offset > 0 && frame.position.offset < len);
    assert!(frame.position.lines > 0);

    let resumed = ok_json(&slagrade(&[
        "follow",
        CONTRACT,
        s(&events),
        "--checkpoint",
        s(&ck),
        "--every",
        "100000",
        "--format",
        "json",
    ]));
    assert_eq!(resumed, expected);

    // the final checkpoint covers the whole file: a third run reads nothing new
    let frame = live::decode(&std::fs::read(&ck).unwrap()).unwrap();
    assert_eq!(frame.position.offset, len);
    let again = ok_json(&slagrade(&[
        "follow",
        CONTRACT,
        s(&events),
        "--checkpoint",
        s(&ck),
        "--format",
        "json",
    ]));
    assert_eq!(again, expected);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A growing file read in pieces, a checkpoint after every line: the same evaluator (counts,
/// rejected lines with their original line numbers, scorecard) as one pass over the whole.
#[test]
fn resuming_after_every_append_is_lossless() {
    let dir = tmpdir("live-append");
    let full = dir.join("full.jsonl");
    generate(&full, 5, 3000);
    let mut text = std::fs::read(&full).unwrap();
    // blank lines and a rejected line, so line numbers are checked across resumes
    text.extend_from_slice(b"\n  \n{\"id\":\"bad\"}\n");
    std::fs::write(&full, &text).unwrap();
    let plan = reference_plan();
    let expected = one_shot(&plan, &full);

    let growing = dir.join("growing.jsonl");
    let ck = dir.join("growing.ckpt");
    let mut f = std::fs::File::create(&growing).unwrap();
    let mut last = None;
    // cut points fall mid-line too: the unterminated tail is read but not checkpointed
    let cuts = [
        0,
        1,
        777,
        50_000,
        123_457,
        text.len() / 2,
        text.len() - 3,
        text.len(),
    ];
    let mut written = 0;
    for &cut in &cuts {
        f.write_all(&text[written..cut]).unwrap();
        f.flush().unwrap();
        written = cut;
        let opts = FollowOptions {
            every: 50,
            ..Default::default()
        };
        let done = live::follow(&plan, &growing, &ck, opts).unwrap();
        assert!(done.position.offset <= cut as u64);
        last = Some(done.evaluator);
    }
    let got = last.unwrap();
    assert_eq!(got.counts(), expected.counts());
    assert_eq!(got.rejected(), expected.rejected());
    let p = expected.default_period(None).unwrap();
    assert_eq!(
        got.scorecard(&p, None).unwrap(),
        expected.scorecard(&p, None).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Makes a valid checkpoint of a small file and returns (events, checkpoint).
fn small_checkpoint(dir: &Path) -> (PathBuf, PathBuf) {
    let events = dir.join("events.jsonl");
    let ck = dir.join("events.ckpt");
    generate(&events, 2, 500);
    let out = slagrade(&[
        "follow",
        CONTRACT,
        s(&events),
        "--checkpoint",
        s(&ck),
        "--format",
        "json",
    ]);
    ok_json(&out);
    (events, ck)
}

fn refused(events: &Path, ck: &Path, contract: &str) -> String {
    let out = slagrade(&["follow", contract, s(events), "--checkpoint", s(ck)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a refusal, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn corrupted_checkpoint_is_refused() {
    let dir = tmpdir("live-corrupt");
    let (events, ck) = small_checkpoint(&dir);
    let good = std::fs::read(&ck).unwrap();
    // one byte of the payload, one of the header (the offset), one bit of the checksum
    for (i, mask) in [(good.len() / 2, 0x01u8), (20, 0x40), (45, 0x80)] {
        let mut bad = good.clone();
        bad[i] ^= mask;
        std::fs::write(&ck, &bad).unwrap();
        let err = refused(&events, &ck, CONTRACT);
        assert!(err.contains("checksum mismatch"), "byte {i}: {err}");
        assert!(err.contains(s(&ck)), "{err}");
    }
    // wrong magic and unsupported format version
    let mut bad = good.clone();
    bad[0] = b'X';
    std::fs::write(&ck, &bad).unwrap();
    assert!(refused(&events, &ck, CONTRACT).contains("not a slagrade checkpoint"));
    let mut bad = good.clone();
    bad[8] = 9;
    std::fs::write(&ck, &bad).unwrap();
    assert!(refused(&events, &ck, CONTRACT).contains("format version 9 is not supported"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_checkpoint_is_refused() {
    let dir = tmpdir("live-torn");
    let (events, ck) = small_checkpoint(&dir);
    let good = std::fs::read(&ck).unwrap();
    for cut in [0, 5, 30, live::HEADER_LEN, good.len() / 2, good.len() - 1] {
        std::fs::write(&ck, &good[..cut]).unwrap();
        let err = refused(&events, &ck, CONTRACT);
        assert!(
            err.contains("truncated") || err.contains("empty file"),
            "cut at {cut}: {err}"
        );
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"garbage");
    std::fs::write(&ck, &longer).unwrap();
    assert!(refused(&events, &ck, CONTRACT).contains("unexpected bytes after the payload"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_of_another_contract_is_refused() {
    let dir = tmpdir("live-other");
    let (events, ck) = small_checkpoint(&dir);
    let src = reference_src();
    let other = dir.join("strict.sla");
    std::fs::write(&other, src.replace("P2 => 30m", "P2 => 20m")).unwrap();
    let err = refused(&events, &ck, s(&other));
    assert!(err.contains("different contract"), "{err}");

    // the library says the same, with both hashes
    let src2 = std::fs::read_to_string(&other).unwrap();
    let plan2 = Arc::new(Plan::compile(
        slagrade::contract::check::load(&src2).unwrap().contract,
    ));
    match live::read_checkpoint(&ck, &plan2) {
        Err(LiveError::ContractMismatch {
            found, expected, ..
        }) => assert_ne!(found, expected),
        other => panic!("expected a contract mismatch, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_beyond_a_truncated_input_is_refused() {
    let dir = tmpdir("live-shrunk");
    let (events, ck) = small_checkpoint(&dir);
    let text = std::fs::read(&events).unwrap();
    std::fs::write(&events, &text[..text.len() / 2]).unwrap();
    let err = refused(&events, &ck, CONTRACT);
    assert!(err.contains("truncated or replaced"), "{err}");
    // an offset that is not at the end of a line
    let plan = reference_plan();
    let ev = Evaluator::new(&plan);
    std::fs::write(&events, &text).unwrap();
    live::write_checkpoint(
        &ck,
        &ev,
        Position {
            offset: 7,
            lines: 0,
        },
    )
    .unwrap();
    let err = refused(&events, &ck, CONTRACT);
    assert!(err.contains("not the end of a line"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_write_leaves_no_temporary_file() {
    let dir = tmpdir("live-atomic");
    let (_, ck) = small_checkpoint(&dir);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert!(live::decode(&std::fs::read(&ck).unwrap()).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}
