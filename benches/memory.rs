//! Memory per open subject: resident memory before and after an evaluator takes N open
//! tickets (one `ticket.opened` each), divided by N. `cargo bench --bench memory`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use slagrade::engine::eval::{Evaluator, Plan};

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    let src = include_str!("../examples/egov-2026.sla");
    let plan = Arc::new(Plan::compile(
        slagrade::contract::check::load(src).unwrap().contract,
    ));
    let v = slagrade::event::Validator::new(plan.contract());
    let n: u64 = std::env::var("SLAGRADE_BENCH_SUBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let before = resident_bytes();
    let mut ev = Evaluator::new(&plan);
    for i in 0..n {
        // each line is made, read and handed over in turn: what stays is the evaluator's
        let line = format!(
            r#"{{"id":"e-{i:09}","at":"2026-10-{:02}T{:02}:{:02}:00+08:00","kind":"ticket.opened","subject":"T-{i:09}","product":"app.business_support.oa","attrs":{{"priority":"P{}","source":"user"}}}}"#,
            1 + i % 28,
            i % 24,
            i % 60,
            1 + i % 4
        );
        ev.push(v.line(line.as_bytes()).unwrap().unwrap());
    }
    let after = resident_bytes();
    let p = ev.default_period(None).unwrap();
    let card = ev.scorecard(&p, None).unwrap();
    println!(
        "{n} open subjects: {} bytes of evaluator state per subject (resident memory, {} events pending)",
        (after.saturating_sub(before)) / n,
        card.assessments[0].indicators[4].clocks.map_or(0, |c| c.pending)
    );
}
