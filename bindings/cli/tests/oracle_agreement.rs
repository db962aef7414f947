//! Differential test: `slagrade eval --format json` against the independent Python oracle
//! (tests/oracle/oracle.py, written from the reference contract's text alone) on generated
//! streams with out-of-order arrival, duplicates and malformed lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{generated_file, root, tmpdir};

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

fn generate(dir: &Path, cfg: &slagrade_gen::GenConfig) -> PathBuf {
    let path = dir.join(format!("events-{}-{}.jsonl", cfg.seed, cfg.events));
    generated_file(cfg, &path);
    path
}

fn run(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn engine(events: &Path, extra: &[&str]) -> Value {
    run(Command::new(common::bin())
        .arg("eval")
        .arg(root().join("examples/egov-2026.sla"))
        .arg(events)
        .args(["--format", "json"])
        .args(extra))
}

fn oracle(events: &Path, extra: &[&str]) -> Value {
    run(Command::new(python())
        .arg(root().join("tests/oracle/oracle.py"))
        .arg(events)
        .args(extra))
}

/// Collects every disagreement on the keys the reference contract defines.
fn compare(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                match x.get(k) {
                    Some(u) => compare(u, v, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing in slagrade")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} items vs {}", x.len(), y.len()));
            }
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                compare(u, v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {
            if a != b {
                out.push(format!("{path}: slagrade {a} vs oracle {b}"));
            }
        }
    }
}

fn agree(events: &Path, extra: &[&str]) {
    let a = engine(events, extra);
    let b = oracle(events, extra);
    let mut diffs = Vec::new();
    compare(&a, &b, "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "{} disagreements on {} {extra:?}:\n{}",
        diffs.len(),
        events.display(),
        diffs.join("\n")
    );
}

#[test]
fn bundled_example_agrees() {
    let events = root().join("examples/events-2026-10.jsonl");
    if events.exists() {
        agree(&events, &[]);
        agree(
            &events,
            &[
                "--period",
                "2026-10",
                "--as-of",
                "2026-10-20T12:00:00+08:00",
            ],
        );
    }
}

#[test]
fn generated_streams_agree() {
    let dir = tmpdir("oracle-gen");
    let cases = [
        (11u64, 3_000u64, (2026, 10), (2026, 10), 0u32),
        (12, 20_000, (2026, 10), (2026, 10), 50),
        (13, 60_000, (2026, 9), (2026, 11), 200),
        (14, 200_000, (2026, 1), (2026, 12), 20),
    ];
    for (seed, events, from, to, ooo) in cases {
        let cfg = slagrade_gen::GenConfig {
            seed,
            events,
            from,
            to,
            out_of_order_permille: ooo,
            duplicates_ppm: 1000,
            malformed_ppm: 500,
        };
        let path = generate(&dir, &cfg);
        agree(&path, &[]);
        let month = format!("{:04}-{:02}", to.0, to.1);
        agree(&path, &["--period", &month]);
        let mid = format!("{:04}-{:02}-15T13:37:11+08:00", to.0, to.1);
        agree(&path, &["--period", &month, "--as-of", &mid]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn adversarial_streams_agree() {
    // small random streams full of edge cases, generated and compared by the script
    let out = Command::new(python())
        .arg(root().join("tests/oracle/adversarial.py"))
        .arg(common::bin())
        .args(["--streams", "120", "--seed", "7"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
