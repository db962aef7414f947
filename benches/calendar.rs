//! Throughput of the business-calendar queries on a 3-year office calendar.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use slagrade::time::calendar::{Calendar, CalendarSpec, HolidayRule};

/// Asia/Shanghai, Mon–Fri 09:00–12:00 and 13:30–17:30, cn-statutory, 2024–2026.
fn office() -> Calendar {
    let hours = vec![(9 * 3600, 12 * 3600), (13 * 3600 + 1800, 17 * 3600 + 1800)];
    let spec = CalendarSpec {
        tz: chrono_tz::Asia::Shanghai,
        always: false,
        weekly: [
            hours.clone(),
            hours.clone(),
            hours.clone(),
            hours.clone(),
            hours,
            vec![],
            vec![],
        ],
        makeup_hours: None,
        tables: vec!["cn-statutory".to_string()],
        extra: HolidayRule::default(),
        years: (2024, 2026),
    };
    Calendar::build(&spec).unwrap()
}

/// Tiny xorshift64 so the inputs are reproducible without an RNG dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

const N: usize = 4096;

fn bench(c: &mut Criterion) {
    let cal = office();
    let (first, last) = cal.range().unwrap();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Pairs a <= b up to 30 days apart, anywhere in the three years.
    let pairs: Vec<(i64, i64)> = (0..N)
        .map(|_| {
            let a = first + rng.below(last - first - 30 * 86_400);
            (a, a + rng.below(30 * 86_400))
        })
        .collect();
    // Starts and durations up to 5 working days (7 h each).
    let adds: Vec<(i64, i64)> = (0..N)
        .map(|_| {
            let a = first + rng.below(last - first - 60 * 86_400);
            (a, rng.below(5 * 7 * 3600))
        })
        .collect();

    let mut g = c.benchmark_group("calendar");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("working_between", |bch| {
        bch.iter(|| {
            let mut sum = 0i64;
            for &(a, b) in &pairs {
                sum += cal.working_between(black_box(a), black_box(b)).unwrap_or(0);
            }
            sum
        })
    });
    g.bench_function("add_working", |bch| {
        bch.iter(|| {
            let mut sum = 0i64;
            for &(a, d) in &adds {
                sum ^= cal.add_working(black_box(a), black_box(d)).unwrap_or(0);
            }
            sum
        })
    });
    g.finish();
    // Per-call throughput would be meaningless here; report time per build.
    c.bench_function("calendar/build_3_years", |bch| bch.iter(office));
}

criterion_group!(benches, bench);
criterion_main!(benches);
