//! Tests of the event stream generator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;
use slagrade_gen::{generate, GenConfig, GenStats};

const PRODUCTS: [&str; 13] = [
    "infra.servers",
    "infra.storage",
    "infra.datacenter",
    "app.om_mgmt.desk",
    "app.business_support.oa",
    "app.system_assurance.db",
    "app.app_support.portal",
    "app.security_ops.waf",
    "app.endpoint.desktop",
    "content.portal_info",
    "network.egov_wan",
    "network.internet",
    "security.mgmt",
];

const KINDS: [&str; 20] = [
    "ticket.opened",
    "ticket.acknowledged",
    "ticket.paused",
    "ticket.resumed",
    "ticket.resolved",
    "ticket.closed",
    "ticket.reopened",
    "ticket.commented",
    "alert.raised",
    "alert.reported",
    "alert.cleared",
    "plan.scheduled",
    "plan.completed",
    "security.report_due",
    "security.report_submitted",
    "asset.registered",
    "scan.completed",
    "security.incident",
    "search.request",
    "net.probe",
];

fn run(cfg: &GenConfig) -> (Vec<u8>, GenStats) {
    let mut out = Vec::new();
    let stats = generate(cfg, &mut out).unwrap();
    (out, stats)
}

fn cfg(seed: u64, events: u64) -> GenConfig {
    GenConfig {
        seed,
        events,
        ..GenConfig::default()
    }
}

/// Strict RFC 3339 as the reference contract reads it: seconds and an offset required,
/// `+0800`, hour 24 and second 60 rejected.
fn strict_time(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(|c| c.is_ascii_digit());
    if !(digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return None;
    }
    let hour: u32 = s[11..13].parse().ok()?;
    let sec: u32 = s[17..19].parse().ok()?;
    if hour > 23 || sec > 59 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let ok_offset = rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().all(|c| c.is_ascii_digit())
            && rest[4..6].bytes().all(|c| c.is_ascii_digit()));
    if !ok_offset {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

/// The accepted event of a line, or None when the reference contract rejects it.
fn accept(line: &str) -> Option<serde_json::Map<String, Value>> {
    let v: Value = serde_json::from_str(line).ok()?;
    let o = v.as_object()?.clone();
    for k in ["id", "kind", "subject"] {
        if o.get(k)?.as_str()?.is_empty() {
            return None;
        }
    }
    strict_time(o.get("at")?.as_str()?)?;
    if !PRODUCTS.contains(&o.get("product")?.as_str()?) {
        return None;
    }
    let empty = serde_json::Map::new();
    let attrs = match o.get("attrs") {
        None => &empty,
        Some(a) => a.as_object()?,
    };
    match o["kind"].as_str()? {
        "ticket.opened" => {
            let p = attrs.get("priority")?.as_str()?;
            if !["P1", "P2", "P3", "P4"].contains(&p) {
                return None;
            }
        }
        "plan.scheduled" | "security.report_due" => {
            strict_time(attrs.get("due")?.as_str()?)?;
        }
        "search.request" => {
            attrs.get("ok")?.as_bool()?;
            attrs.get("latency_ms")?.as_f64()?;
        }
        "net.probe" => {
            attrs.get("latency_ms")?.as_f64()?;
        }
        _ => {}
    }
    Some(o)
}

const KEYS: [&str; 7] = ["id", "at", "kind", "subject", "product", "party", "attrs"];

fn expected_party(product: &str) -> &'static str {
    if product.starts_with("network.") {
        "netco"
    } else if product.starts_with("security.") || product.starts_with("app.security_ops.") {
        "secco"
    } else if product.starts_with("app.business_support.")
        || product.starts_with("app.system_assurance.")
        || product.starts_with("app.app_support.")
        || product.starts_with("app.endpoint.")
    {
        "appco"
    } else {
        "prime"
    }
}

struct Summary {
    lines: u64,
    rejected: u64,
    duplicates: u64,
    out_of_order: u64,
    kinds: BTreeMap<String, u64>,
    products: BTreeSet<String>,
    opened_per_day: BTreeMap<String, u64>,
    events: Vec<serde_json::Map<String, Value>>,
}

fn summarize(out: &[u8]) -> Summary {
    let text = std::str::from_utf8(out).unwrap();
    let mut s = Summary {
        lines: 0,
        rejected: 0,
        duplicates: 0,
        out_of_order: 0,
        kinds: BTreeMap::new(),
        products: BTreeSet::new(),
        opened_per_day: BTreeMap::new(),
        events: Vec::new(),
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut max_at = i64::MIN;
    for line in text.lines() {
        s.lines += 1;
        let Some(o) = accept(line) else {
            s.rejected += 1;
            continue;
        };
        // canonical key order
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        let mut sorted_pos: Vec<usize> = keys
            .iter()
            .map(|k| KEYS.iter().position(|x| x == k).unwrap())
            .collect();
        assert_eq!(sorted_pos.len(), 7, "{line}");
        sorted_pos.dedup();
        assert_eq!(sorted_pos.len(), 7);
        let id = o["id"].as_str().unwrap().to_owned();
        if let Some(prev) = seen.get(&id) {
            assert_eq!(prev, line, "a duplicate must be an exact copy");
            s.duplicates += 1;
            continue;
        }
        seen.insert(id.clone(), line.to_owned());
        let at = strict_time(o["at"].as_str().unwrap()).unwrap();
        assert!(o["at"].as_str().unwrap().ends_with("+08:00"));
        let ts = at.timestamp();
        if ts < max_at {
            s.out_of_order += 1;
        }
        max_at = max_at.max(ts);
        let product = o["product"].as_str().unwrap();
        assert_eq!(
            o["party"].as_str().unwrap(),
            expected_party(product),
            "{line}"
        );
        s.products.insert(product.to_owned());
        let kind = o["kind"].as_str().unwrap().to_owned();
        if kind == "ticket.opened" {
            *s.opened_per_day
                .entry(o["at"].as_str().unwrap()[..10].to_owned())
                .or_default() += 1;
        }
        *s.kinds.entry(kind).or_default() += 1;
        s.events.push(o);
    }
    s
}

#[test]
fn deterministic() {
    let c = cfg(7, 3000);
    let (a, sa) = run(&c);
    let (b, sb) = run(&c);
    assert_eq!(sa, sb);
    assert!(a == b, "same config must give byte-identical output");
    let (d, _) = run(&cfg(8, 3000));
    assert!(a != d, "different seeds must differ");
}

#[test]
fn line_count_within_ten_percent() {
    type Case = (u64, u64, (i32, u32), (i32, u32));
    let cases: [Case; 8] = [
        (1, 1000, (2026, 10), (2026, 10)),
        (2, 1000, (2026, 10), (2026, 10)),
        (3, 5000, (2026, 10), (2026, 10)),
        (4, 20_000, (2026, 10), (2026, 10)),
        (5, 200_000, (2026, 10), (2026, 10)),
        (6, 12_000, (2026, 1), (2026, 12)),
        (7, 50_000, (2025, 11), (2026, 2)),
        (8, 2000, (2026, 9), (2026, 11)),
    ];
    for (seed, events, from, to) in cases {
        let c = GenConfig {
            seed,
            events,
            from,
            to,
            ..GenConfig::default()
        };
        let (out, stats) = run(&c);
        let lines = out.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(lines, stats.lines);
        let lo = events * 9 / 10;
        let hi = events * 11 / 10;
        assert!(
            (lo..=hi).contains(&lines),
            "seed {seed} events {events} {from:?}..{to:?}: {lines} lines"
        );
    }
}

#[test]
fn lines_are_valid_and_counts_match_stats() {
    let c = GenConfig {
        seed: 11,
        events: 50_000,
        duplicates_ppm: 5000,
        malformed_ppm: 3000,
        ..GenConfig::default()
    };
    let (out, stats) = run(&c);
    let s = summarize(&out);
    assert_eq!(s.lines, stats.lines);
    assert_eq!(s.rejected, stats.malformed);
    assert_eq!(s.duplicates, stats.duplicates);
    assert!(stats.malformed > 50, "{stats:?}");
    assert!(stats.duplicates > 100, "{stats:?}");
    // ids unique among accepted non-duplicate events (checked in summarize), and every
    // malformed line really is rejected (rejected count equals the malformed count).
    let mut ids = HashSet::new();
    for e in &s.events {
        assert!(ids.insert(e["id"].as_str().unwrap().to_owned()));
    }
}

#[test]
fn default_noise_rates() {
    let (out, stats) = run(&cfg(3, 100_000));
    let s = summarize(&out);
    assert_eq!(s.rejected, stats.malformed);
    assert_eq!(s.duplicates, stats.duplicates);
    // 1000 ppm duplicates and 200 ppm malformed, loosely
    assert!((40..=200).contains(&stats.duplicates), "{stats:?}");
    assert!((3..=60).contains(&stats.malformed), "{stats:?}");
}

#[test]
fn out_of_order_share() {
    for permille in [0u32, 20, 100] {
        let c = GenConfig {
            seed: 5,
            events: 20_000,
            out_of_order_permille: permille,
            duplicates_ppm: 0,
            malformed_ppm: 0,
            ..GenConfig::default()
        };
        let (out, _) = run(&c);
        let s = summarize(&out);
        let share = s.out_of_order * 1000 / s.lines;
        if permille == 0 {
            assert_eq!(s.out_of_order, 0);
        } else {
            let p = u64::from(permille);
            assert!(
                share >= p * 6 / 10 && share <= p * 14 / 10 + 1,
                "configured {permille}‰, measured {share}‰"
            );
        }
    }
}

#[test]
fn all_products_and_kinds_in_a_20k_month() {
    let (out, _) = run(&cfg(1, 20_000));
    let s = summarize(&out);
    for p in PRODUCTS {
        assert!(s.products.contains(p), "product {p} missing");
    }
    for k in KINDS {
        assert!(s.kinds.contains_key(k), "kind {k} missing: {:?}", s.kinds);
    }
}

#[test]
fn holidays_and_make_up_day() {
    let (out, _) = run(&cfg(2, 20_000));
    let s = summarize(&out);
    let holiday: u64 = (1..=7)
        .map(|d| {
            s.opened_per_day
                .get(&format!("2026-10-{d:02}"))
                .copied()
                .unwrap_or(0)
        })
        .sum();
    let make_up = s.opened_per_day.get("2026-10-10").copied().unwrap_or(0);
    let sunday = s.opened_per_day.get("2026-10-11").copied().unwrap_or(0);
    let monday = s.opened_per_day.get("2026-10-12").copied().unwrap_or(0);
    assert!(holiday > 0, "tickets on holidays");
    assert!(make_up > 0, "tickets on the make-up day");
    // the make-up Saturday is a working day: much busier than the following Sunday
    assert!(make_up > sunday * 2, "make-up {make_up}, sunday {sunday}");
    assert!(monday > sunday * 2, "monday {monday}, sunday {sunday}");
    // office-calendar tickets outside office hours exist
    let night = s
        .events
        .iter()
        .filter(|e| e["kind"] == "ticket.opened" && e["product"] == "app.om_mgmt.desk")
        .filter(|e| {
            let h: u32 = e["at"].as_str().unwrap()[11..13].parse().unwrap();
            !(9..18).contains(&h)
        })
        .count();
    assert!(night > 0);
    // tickets straddling the month end: opened in October, events in November
    let oct_tickets: HashSet<&str> = s
        .events
        .iter()
        .filter(|e| e["kind"] == "ticket.opened")
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert!(s.events.iter().any(|e| {
        e["at"].as_str().unwrap().starts_with("2026-11")
            && oct_tickets.contains(e["subject"].as_str().unwrap())
    }));
}

#[test]
fn realistic_mix() {
    let (out, _) = run(&cfg(9, 100_000));
    let s = summarize(&out);
    let mut prio: BTreeMap<String, u64> = BTreeMap::new();
    let mut source: BTreeMap<String, u64> = BTreeMap::new();
    let (mut ok, mut searches, mut fast) = (0u64, 0u64, 0u64);
    let (mut probe_sum, mut probes) = (0f64, 0u64);
    let mut plan_due: HashMap<String, String> = HashMap::new();
    let (mut plan_at_due, mut plan_due_plus_1) = (0, 0);
    let mut assets_before = 0;
    for e in &s.events {
        let a = e["attrs"].as_object().unwrap();
        match e["kind"].as_str().unwrap() {
            "ticket.opened" => {
                *prio
                    .entry(a["priority"].as_str().unwrap().to_owned())
                    .or_default() += 1;
                let src = a.get("source").and_then(Value::as_str).unwrap_or("-");
                *source.entry(src.to_owned()).or_default() += 1;
            }
            "search.request" => {
                searches += 1;
                if a["ok"].as_bool().unwrap() {
                    ok += 1;
                }
                if a["latency_ms"].as_f64().unwrap() <= 2000.0 {
                    fast += 1;
                }
            }
            "net.probe" => {
                probes += 1;
                probe_sum += a["latency_ms"].as_f64().unwrap();
            }
            "plan.scheduled" => {
                plan_due.insert(
                    e["subject"].as_str().unwrap().to_owned(),
                    a["due"].as_str().unwrap().to_owned(),
                );
            }
            "plan.completed" => {
                let due = strict_time(&plan_due[e["subject"].as_str().unwrap()]).unwrap();
                let at = strict_time(e["at"].as_str().unwrap()).unwrap();
                let d = (at - due).num_seconds();
                if d == 0 {
                    plan_at_due += 1;
                } else if d == 1 {
                    plan_due_plus_1 += 1;
                }
            }
            "asset.registered" if e["at"].as_str().unwrap() < "2026-10" => {
                assets_before += 1;
            }
            _ => {}
        }
    }
    let tickets: u64 = prio.values().sum();
    let share = |n: u64| n * 1000 / tickets;
    assert!((30..=70).contains(&share(prio["P1"])), "{prio:?}");
    assert!((160..=240).contains(&share(prio["P2"])), "{prio:?}");
    assert!((400..=500).contains(&share(prio["P3"])), "{prio:?}");
    assert!((250..=350).contains(&share(prio["P4"])), "{prio:?}");
    assert!((420..=580).contains(&share(source["user"])), "{source:?}");
    assert!(
        (280..=420).contains(&share(source["monitoring"])),
        "{source:?}"
    );
    assert!(source["-"] > 0, "{source:?}");
    assert!(ok * 1000 / searches >= 980 && ok < searches);
    assert!(fast * 100 / searches >= 93 && fast < searches);
    let mean = probe_sum / probes as f64;
    assert!((30.0..=60.0).contains(&mean), "probe mean {mean}");
    assert!(plan_at_due > 0 && plan_due_plus_1 > 0);
    assert!(assets_before > 0);
    assert!(s.kinds["scan.completed"] * 10 >= assets_before * 9);
}

#[test]
fn invalid_months_are_rejected() {
    let mut out = Vec::new();
    let c = GenConfig {
        from: (2026, 11),
        to: (2026, 10),
        ..GenConfig::default()
    };
    assert!(generate(&c, &mut out).is_err());
    let c = GenConfig {
        from: (2026, 13),
        to: (2026, 13),
        ..GenConfig::default()
    };
    assert!(generate(&c, &mut out).is_err());
}

/// Throughput: `cargo test --release --test gen -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput() {
    let c = cfg(1, 1_000_000);
    let start = std::time::Instant::now();
    let sink = std::io::BufWriter::new(std::fs::File::create("/dev/null").unwrap());
    let stats = generate(&c, sink).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} lines in {:.3} s: {:.0} lines/s",
        stats.lines,
        secs,
        stats.lines as f64 / secs
    );
}
