//! Evaluation benchmarks on generated streams for the reference contract: contract loading,
//! JSON Lines ingestion to a scorecard, the evaluator on pre-parsed events, and a scorecard
//! read from a live evaluator holding many open subjects.
//!
//! `cargo bench --bench eval`; sizes scale with `SLAGRADE_BENCH_EVENTS` (default 1 000 000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Event, Limits, LineOutcome};

const CONTRACT: &str = include_str!("../examples/egov-2026.sla");

fn plan() -> Arc<Plan> {
    Arc::new(Plan::compile(
        slagrade::contract::check::load(CONTRACT).unwrap().contract,
    ))
}

fn events() -> u64 {
    std::env::var("SLAGRADE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn stream(n: u64) -> Vec<u8> {
    let cfg = slagrade_gen::GenConfig {
        seed: 42,
        events: n,
        from: (2026, 1),
        to: (2026, 12),
        ..Default::default()
    };
    let mut buf = Vec::new();
    slagrade_gen::generate(&cfg, &mut buf).unwrap();
    buf
}

fn parsed(plan: &Plan, bytes: &[u8]) -> Vec<Event> {
    let mut out = Vec::new();
    read_jsonl(plan.contract(), bytes, Limits::default(), |o| {
        if let LineOutcome::Accepted(e) = o {
            out.push(e)
        }
    })
    .unwrap();
    out
}

fn bench(c: &mut Criterion) {
    let plan = plan();
    let n = events();
    let bytes = stream(n);
    let evs = parsed(&plan, &bytes);
    let period = slagrade::time::period::parse(
        plan.contract().period(),
        plan.contract().timezone(),
        "2026-06",
    )
    .unwrap();

    let mut g = c.benchmark_group("contract");
    g.bench_function("parse_check_compile", |b| {
        b.iter(|| Plan::compile(slagrade::contract::check::load(CONTRACT).unwrap().contract))
    });
    g.finish();

    let mut g = c.benchmark_group("eval");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("preparsed_push_and_scorecard", |b| {
        b.iter_batched(
            || evs.clone(),
            |evs| {
                let mut ev = Evaluator::new(&plan);
                for e in evs {
                    ev.push(e);
                }
                let card = ev.scorecard(&period, None).unwrap();
                (card, ev)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("preparsed_push_only", |b| {
        b.iter_batched(
            || evs.clone(),
            |evs| {
                let mut ev = Evaluator::new(&plan);
                for e in evs {
                    ev.push(e);
                }
                ev
            },
            BatchSize::PerIteration,
        )
    });
    // the evaluator's own work: events already parsed, handed over borrowed
    g.bench_function("preparsed_push_ref", |b| {
        b.iter_with_large_drop(|| {
            let mut ev = Evaluator::new(&plan);
            for e in &evs {
                ev.push_ref(e.as_ref());
            }
            ev
        })
    });
    // the same, as one batch: memory for coming events is fetched a few events ahead
    g.bench_function("preparsed_push_many", |b| {
        b.iter_with_large_drop(|| {
            let mut ev = Evaluator::new(&plan);
            ev.push_many(evs.iter().map(Event::as_ref));
            ev
        })
    });
    let mut live = Evaluator::new(&plan);
    for e in evs.iter().cloned() {
        live.push(e);
    }
    g.bench_function("scorecard_only", |b| {
        b.iter(|| live.scorecard(&period, None).unwrap())
    });
    // a service desk's live evaluator: a million tickets opened and still running
    let mut open = Evaluator::new(&plan);
    let v = slagrade::event::Validator::new(plan.contract());
    for i in 0..1_000_000u64 {
        let line = format!(
            r#"{{"id":"o-{i:09}","at":"2026-10-{:02}T{:02}:{:02}:00+08:00","kind":"ticket.opened","subject":"T-{i:09}","product":"app.business_support.oa","attrs":{{"priority":"P{}"}}}}"#,
            1 + i % 28,
            i % 24,
            i % 60,
            1 + i % 4
        );
        open.push(v.line(line.as_bytes()).unwrap().unwrap());
    }
    let october = open.default_period(None).unwrap();
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("scorecard_1m_open_subjects", |b| {
        b.iter(|| open.scorecard(&october, None).unwrap())
    });
    // the same on two threads (Evaluator::set_threads), as the Python Evaluator scores
    open.set_threads(2);
    g.bench_function("scorecard_1m_open_subjects_2_threads", |b| {
        b.iter(|| open.scorecard(&october, None).unwrap())
    });
    open.set_threads(1);
    g.throughput(Throughput::Elements(n));
    g.bench_function("jsonl_to_scorecard", |b| {
        b.iter(|| {
            let mut ev = Evaluator::new(&plan);
            read_jsonl(
                plan.contract(),
                bytes.as_slice(),
                Limits::default(),
                |o| match o {
                    LineOutcome::Accepted(e) => {
                        ev.push(e);
                    }
                    LineOutcome::Rejected(r) => ev.reject(r),
                },
            )
            .unwrap();
            (ev.scorecard(&period, None).unwrap(), ev)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
