//! The evaluator's hot path does not allocate per event: pushing events of known subjects
//! costs no allocation beyond the amortised growth of its tables and subjects' logs (a few per
//! subject), and reading a file adds almost none per line. Counted with a counting global
//! allocator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use slagrade::engine::eval::Evaluator;
use slagrade::event::{read_jsonl, read_jsonl_with, Event, Limits, LineOutcome, LineRef};

mod common;
use common::{generated, reference_plan};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

fn stream() -> Vec<u8> {
    let cfg = slagrade_gen::GenConfig {
        seed: 9,
        events: 60_000,
        from: (2026, 9),
        to: (2026, 10),
        ..Default::default()
    };
    generated(&cfg)
}

// one test only: the counter is global to the process
#[test]
fn no_allocation_per_event() {
    let plan = reference_plan();
    let bytes = stream();
    let mut evs: Vec<Event> = Vec::new();
    read_jsonl(plan.contract(), bytes.as_slice(), Limits::default(), |o| {
        if let LineOutcome::Accepted(e) = o {
            evs.push(e)
        }
    })
    .unwrap();
    let n = evs.len() as u64;
    assert!(n > 50_000);

    // first pass: subjects and tables come into being
    let mut ev = Evaluator::new(&plan);
    let before = allocs();
    for e in &evs {
        ev.push_ref(e.as_ref());
    }
    let first = allocs() - before;
    // a second evaluator given room up front: per-subject logs and the attribute pool only
    let mut ev2 = Evaluator::new(&plan);
    ev2.reserve(evs.len());
    let before = allocs();
    for e in &evs {
        ev2.push_ref(e.as_ref());
    }
    let reserved = allocs() - before;
    // the same events again: all duplicates, nothing may allocate
    let dups = ev2.counts().duplicates;
    let before = allocs();
    for e in &evs {
        ev2.push_ref(e.as_ref());
    }
    let again = allocs() - before;
    assert_eq!(again, 0, "duplicates allocated");
    assert_eq!(ev2.counts().duplicates, dups + n);
    // every allocation is the log arena, the attribute pool or a table growing: none per
    // subject, and none per text attribute (a ticket's `source`, one event in fourteen here)
    assert!(
        first * 50 < n && reserved * 50 < n,
        "{first} and {reserved} allocations for {n} events"
    );

    // reading a file: far below one allocation per line
    let mut ev3 = Evaluator::new(&plan);
    let before = allocs();
    read_jsonl_with(
        plan.contract(),
        bytes.as_slice(),
        Limits::default(),
        |o| match o {
            LineRef::Accepted(e) => {
                ev3.push_ref(e);
            }
            LineRef::Rejected(r) => ev3.reject(r),
        },
    )
    .unwrap();
    let read = allocs() - before;
    println!("{n} events: push {first}, push after reserve {reserved}, file {read} allocations");
    // beyond what the evaluator makes (per subject), reading makes almost none: the rare
    // string with escapes, rejected lines, the evaluator's own growth
    assert!(
        read < first + n / 10,
        "{read} allocations reading {n} events ({first} pushing them)"
    );
}
