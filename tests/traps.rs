//! Places where the tool used to do something other than what its user meant, without a
//! word: periods outside the term, evaluation on no evidence, rejections hidden behind "no
//! accepted events", ignored events, misread numbers.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn slagrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slagrade"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

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
    let dir = std::env::temp_dir().join(format!("slagrade-traps-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
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
            err.contains(&format!("period {p} is outside the contract's term 2026-01-01 .. 2026-12-31")),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2030-01..2031-12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lies outside the contract's term"), "{}", stderr(&out));
    // a malformed key keeps its own message
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2026-13"]);
    assert!(stderr(&out).contains("is not a period of this contract"));
}

#[test]
fn a_long_range_is_clipped_to_the_term_with_a_warning() {
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2026-01..3000-12", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: period range `2026-01..3000-12` clipped to the contract's term 2026-01-01 .. 2026-12-31: scoring 2026-01..2026-12"
        ),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    let mut periods: Vec<&str> = text.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    periods.dedup();
    let want: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
    assert_eq!(periods, want);
    // clipped at the start too; a range inside the term gives no warning
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2025-11..2026-02", "--format", "csv"]);
    assert!(stderr(&out).contains("scoring 2026-01..2026-02"), "{}", stderr(&out));
    let out = slagrade(&["eval", CONTRACT, EVENTS, "--period", "2026-09..2026-11", "--format", "csv"]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn every_event_rejected_shows_the_first_reasons_and_their_count() {
    let f = temp_file(
        "rejected.jsonl",
        "{\"id\":\"x\"}\nnope\n{\"id\":\"a\",\"kind\":\"ticket.opened\",\"subject\":\"T\",\"at\":\"2026-10-01T00:00:00\"}\n[1]\n\n",
    );
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no accepted events to choose a period from: 4 events were rejected"), "{err}");
    assert!(err.contains("line 1: missing `kind`"), "{err}");
    assert!(err.contains("line 2: not JSON"), "{err}");
    assert!(err.contains("line 3: "), "{err}");
    assert!(err.contains("and 1 more"), "{err}");
    let out = slagrade(&["eval", CONTRACT, f.to_str().unwrap(), "--period", "all"]);
    assert!(stderr(&out).contains("4 events were rejected"), "{}", stderr(&out));
}
