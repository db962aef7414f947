//! Fuzz harnesses of slagrade, as plain functions so that the corpus can also be replayed by
//! ordinary tests (`cargo test` in this crate).

use std::sync::{Arc, OnceLock};

use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Limits, LineOutcome};

pub mod reference;

/// The reference contract, as bundled.
pub const REFERENCE_CONTRACT: &str = include_str!("../../examples/egov-2026.sla");

/// The reference contract, compiled once per process.
pub fn plan() -> &'static Arc<Plan> {
    static PLAN: OnceLock<Arc<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| {
        let checked =
            slagrade::contract::check::load(REFERENCE_CONTRACT).expect("the reference contract checks");
        Arc::new(Plan::compile(checked.contract))
    })
}

/// Contract text → parse, check, format. Never a panic; when the text checks, the formatted
/// text parses to the same tree, checks too, and formats to itself.
pub fn contract_round_trip(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = slagrade::language::syntax::parse(src);
    let loaded = slagrade::contract::check::load(src);
    let formatted = slagrade::language::format::format(src);
    if parsed.is_err() {
        assert!(loaded.is_err(), "load accepted a file that does not parse");
    }
    if loaded.is_ok() {
        let tree = parsed.expect("a contract that checks parses");
        let text = formatted.expect("a contract that checks can be formatted");
        let again = match slagrade::language::syntax::parse(&text) {
            Ok(t) => t,
            Err(d) => panic!("the formatted contract does not parse: {d:?}\n{text}"),
        };
        assert!(again == tree, "format changed the meaning:\n{text}");
        assert!(
            slagrade::contract::check::load(&text).is_ok(),
            "the formatted contract does not check:\n{text}"
        );
        let twice = slagrade::language::format::format(&text).expect("formatted text formats");
        assert_eq!(twice, text, "format is not idempotent");
    }
}

/// Line limit used by the events harness: small, so that the limit path is exercised.
pub const FUZZ_LINE_LIMIT: usize = 512;

/// Is this line (without its newline) counted? Blank lines are not.
pub fn counted_line(line: &[u8], max: usize) -> bool {
    if line.len() > max {
        return true;
    }
    match std::str::from_utf8(line) {
        Err(_) => true,
        Ok(s) => !s
            .trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
            .is_empty(),
    }
}

/// Non-blank lines of a JSON Lines input under a line limit.
pub fn non_blank_lines(data: &[u8], max: usize) -> u64 {
    let mut parts: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") || data.is_empty() {
        parts.pop();
    }
    parts.iter().filter(|l| counted_line(l, max)).count() as u64
}

/// Bytes as a JSON Lines file → reader → evaluator → scorecard. Every non-blank line is
/// accepted or rejected with a reason, and the counts add up.
pub fn events_accounting(data: &[u8]) {
    let plan = plan();
    let limits = Limits {
        max_line_bytes: FUZZ_LINE_LIMIT,
    };
    let expected = non_blank_lines(data, FUZZ_LINE_LIMIT);
    let mut ev = Evaluator::new(plan);
    let mut seen = 0u64;
    let mut last_line = 0u64;
    let total = read_jsonl(&plan.contract, data, limits, |o| {
        seen += 1;
        match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => {
                assert!(
                    !r.reason.to_string().is_empty(),
                    "a rejection without a reason"
                );
                let line = r.line.expect("a rejected line has its number");
                assert!(line > last_line, "line numbers go forward");
                last_line = line;
                ev.reject(r);
            }
        }
    })
    .expect("reading from memory cannot fail");
    assert_eq!(
        seen, expected,
        "every non-blank line is accepted or rejected"
    );
    assert!(last_line <= total);
    let c = ev.counts();
    assert_eq!(
        c.accepted + c.duplicates + c.rejected,
        expected,
        "accepted + duplicates + rejected = non-blank lines"
    );
    assert_eq!(ev.rejected().len() as u64, c.rejected);
    if let Some(p) = ev.default_period(None) {
        // a calendar error for times far outside the built-in tables is an error, not a panic
        if let Ok(card) = ev.scorecard(&p, None) {
            assert_eq!(card.events, c);
        }
    }
    // a checkpoint restores to the same counts
    let restored = Evaluator::restore(plan, &ev.checkpoint()).expect("own checkpoint restores");
    assert_eq!(restored.counts(), c);
}
