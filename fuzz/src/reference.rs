//! A plain reference evaluator of the reference contract, written from
//! `docs/reference-contract.md` alone: per-subject event lists sorted by (`at`, `id`), business
//! time by intersecting each local day with its working intervals, no interning, no indexes.
//! [`differential`] scores a small stream with it and with the engine and asserts agreement.

use std::collections::{BTreeMap, HashSet};

use arbitrary::Arbitrary;
use rust_decimal::{Decimal, RoundingStrategy};
use slagrade::engine::eval::Evaluator;
use slagrade::event::{read_jsonl, Limits, LineOutcome};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Asia/Shanghai is UTC+08:00 all year (no daylight saving since 1991).
const OFFSET: i64 = 8 * HOUR;

/// Unix seconds of a wall time in Asia/Shanghai.
pub fn local(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    days_from_civil(y, mo, d) * DAY + h * HOUR + mi * 60 + s - OFFSET
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// 2026 statutory holidays and make-up working days (State Council notice).
fn holiday_2026(m: i64, d: i64) -> bool {
    matches!(
        (m, d),
        (1, 1..=3)
            | (2, 15..=23)
            | (4, 4..=6)
            | (5, 1..=5)
            | (6, 19..=21)
            | (9, 25..=27)
            | (10, 1..=7)
    )
}

fn makeup_2026(m: i64, d: i64) -> bool {
    matches!(
        (m, d),
        (1, 4) | (2, 14) | (2, 28) | (5, 9) | (9, 20) | (10, 10)
    )
}

/// Is local day `day` (days since 1970-01-01 in Asia/Shanghai) an office working day?
fn office_day(day: i64) -> bool {
    let (y, m, d) = civil_from_days(day);
    let weekday = (day + 3).rem_euclid(7); // 0 = Monday; 1970-01-01 was a Thursday
    assert_eq!(y, 2026, "the reference calendar knows 2026 only");
    if holiday_2026(m, d) {
        return false;
    }
    weekday < 5 || makeup_2026(m, d)
}

/// Working seconds of the `office` calendar in `[a, b)`.
fn office_between(a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let mut total = 0;
    let first = (a + OFFSET).div_euclid(DAY);
    let last = (b + OFFSET).div_euclid(DAY);
    for day in first..=last {
        if !office_day(day) {
            continue;
        }
        let midnight = day * DAY - OFFSET;
        for (s, e) in [(9 * HOUR, 12 * HOUR), (13 * HOUR + 1800, 17 * HOUR + 1800)] {
            let lo = (midnight + s).max(a);
            let hi = (midnight + e).min(b);
            total += (hi - lo).max(0);
        }
    }
    total
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cal {
    Office,
    Always,
}

fn between(cal: Cal, a: i64, b: i64) -> i64 {
    match cal {
        Cal::Always => (b - a).max(0),
        Cal::Office => office_between(a, b),
    }
}

pub const PRODUCTS: [&str; 13] = [
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

fn calendar_of(product: &str) -> Cal {
    if product.starts_with("app.") || product.starts_with("content.") {
        Cal::Office
    } else {
        Cal::Always
    }
}

/// The four assessments in report order, with the product prefixes in scope (`None`: all).
const ASSESSMENTS: [(&str, &str, Option<&[&str]>); 4] = [
    ("bureau", "prime", None),
    ("prime", "netco", Some(&["network."])),
    ("prime", "secco", Some(&["security.", "app.security_ops."])),
    (
        "prime",
        "appco",
        Some(&[
            "app.business_support.",
            "app.system_assurance.",
            "app.app_support.",
            "app.endpoint.",
        ]),
    ),
];

fn in_scope(assessment: usize, product: &str) -> bool {
    match ASSESSMENTS[assessment].2 {
        None => true,
        Some(prefixes) => prefixes.iter().any(|p| product.starts_with(p)),
    }
}

const FEES: [Option<&str>; 4] = [
    Some("1200000.00"),
    Some("200000.00"),
    Some("150000.00"),
    Some("300000.00"),
];

/// Instants the fuzzer picks from (Asia/Shanghai wall times around October 2026): holiday,
/// make-up day, lunch, evening and month boundaries, and the worked examples.
fn instants() -> Vec<i64> {
    let l = local;
    vec![
        l(2026, 9, 30, 17, 29, 59),
        l(2026, 9, 30, 23, 59, 59),
        l(2026, 10, 1, 0, 0, 0),
        l(2026, 10, 1, 10, 0, 0),
        l(2026, 10, 5, 3, 0, 0),
        l(2026, 10, 7, 23, 59, 59),
        l(2026, 10, 8, 9, 0, 0),
        l(2026, 10, 8, 9, 15, 0),
        l(2026, 10, 8, 9, 15, 1),
        l(2026, 10, 9, 11, 59, 59),
        l(2026, 10, 9, 13, 30, 0),
        l(2026, 10, 9, 17, 20, 0),
        l(2026, 10, 9, 17, 30, 0),
        l(2026, 10, 10, 8, 59, 59),
        l(2026, 10, 10, 9, 0, 0),
        l(2026, 10, 10, 11, 50, 0),
        l(2026, 10, 10, 12, 0, 0),
        l(2026, 10, 10, 13, 35, 0),
        l(2026, 10, 10, 17, 30, 0),
        l(2026, 10, 11, 10, 0, 0),
        l(2026, 10, 12, 8, 0, 0),
        l(2026, 10, 12, 9, 15, 0),
        l(2026, 10, 12, 10, 0, 0),
        l(2026, 10, 12, 12, 0, 0),
        l(2026, 10, 12, 22, 0, 0),
        l(2026, 10, 13, 8, 0, 0),
        l(2026, 10, 13, 10, 0, 1),
        l(2026, 10, 20, 17, 30, 0),
        l(2026, 10, 20, 17, 30, 1),
        l(2026, 10, 30, 17, 20, 0),
        l(2026, 10, 31, 23, 59, 59),
        l(2026, 11, 1, 0, 0, 0),
        l(2026, 11, 2, 9, 15, 0),
        l(2026, 11, 2, 9, 20, 1),
        l(2026, 11, 5, 12, 0, 0),
    ]
}

const DELTAS: [i64; 16] = [
    0, 0, 0, 1, 59, 60, 300, 899, 900, 901, 1799, 1800, 1801, 7200, 14_401, 86_400,
];

/// RFC 3339 text of an instant in one of a few offsets (`+08:00`, `Z`, `-05:00`, `+05:45`).
pub fn rfc3339(t: i64, zone: u8) -> String {
    let (off, name) = match zone % 8 {
        0..=4 => (OFFSET, "+08:00".to_string()),
        5 => (0, "Z".to_string()),
        6 => (-5 * HOUR, "-05:00".to_string()),
        _ => (5 * HOUR + 45 * 60, "+05:45".to_string()),
    };
    let w = t + off;
    let (y, m, d) = civil_from_days(w.div_euclid(DAY));
    let s = w.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{name}",
        s / HOUR,
        s % HOUR / 60,
        s % 60
    )
}

/// Subject families: which kinds a subject of the family receives.
const TICKET_KINDS: [&str; 8] = [
    "ticket.opened",
    "ticket.acknowledged",
    "ticket.paused",
    "ticket.resumed",
    "ticket.resolved",
    "ticket.closed",
    "ticket.reopened",
    "ticket.commented",
];

/// One generated event, before serialization.
#[derive(Arbitrary, Debug, Clone)]
pub struct Ev {
    /// which subject (and family): see [`Stream::events`]
    pub subject: u8,
    pub kind: u8,
    pub time: u8,
    pub delta: u8,
    pub zone: u8,
    /// priority, source, ok, latency, due, product of per-event kinds
    pub a: u8,
    pub b: u8,
    /// emit an exact copy of an earlier line instead
    pub dup: bool,
}

/// A small stream for the reference contract.
#[derive(Arbitrary, Debug, Clone)]
pub struct Stream {
    /// product of each subject
    pub products: [u8; 16],
    /// `None`: the default `as_of` (latest accepted event); else an instant index
    pub as_of: Option<(u8, u8)>,
    /// 0: 2026-09, 1: 2026-10, 2: 2026-11
    pub period: u8,
    pub events: Vec<Ev>,
}

/// An event as the reference sees it (fields already typed).
#[derive(Debug, Clone)]
struct E {
    id: String,
    at: i64,
    kind: String,
    subject: String,
    product: String,
    priority: Option<&'static str>,
    source: Option<String>,
    due: Option<i64>,
    ok: Option<bool>,
    latency: Option<Decimal>,
}

/// A generated line: its text, and the event when the contract accepts it.
struct Line {
    text: String,
    event: Option<E>,
}

fn build_lines(s: &Stream) -> Vec<Line> {
    let inst = instants();
    let mut lines: Vec<Line> = Vec::new();
    for (i, g) in s.events.iter().take(40).enumerate() {
        if g.dup && !lines.is_empty() {
            let j = usize::from(g.a) % lines.len();
            let copy = Line {
                text: lines[j].text.clone(),
                event: lines[j].event.clone(),
            };
            lines.push(copy);
            continue;
        }
        let at =
            inst[usize::from(g.time) % inst.len()] + DELTAS[usize::from(g.delta) % DELTAS.len()];
        let fam = g.subject % 6;
        let idx = (g.subject / 6) % 3;
        let product_of = |n: usize| PRODUCTS[usize::from(s.products[n % 16]) % PRODUCTS.len()];
        let (subject, kind, product) = match fam {
            0 => (
                format!("T-{idx}"),
                TICKET_KINDS[usize::from(g.kind) % TICKET_KINDS.len()],
                product_of(usize::from(idx)),
            ),
            1 => (
                format!("A-{idx}"),
                ["alert.raised", "alert.reported"][usize::from(g.kind) % 2],
                product_of(3 + usize::from(idx)),
            ),
            2 => (
                format!("P-{idx}"),
                ["plan.scheduled", "plan.completed"][usize::from(g.kind) % 2],
                product_of(6 + usize::from(idx)),
            ),
            3 => (
                format!("R-{idx}"),
                ["security.report_due", "security.report_submitted"][usize::from(g.kind) % 2],
                product_of(9 + usize::from(idx % 2)),
            ),
            4 => (
                format!("S-{idx}"),
                ["asset.registered", "scan.completed"][usize::from(g.kind) % 2],
                product_of(11 + usize::from(idx)),
            ),
            _ => (
                format!("X-{i}"),
                ["search.request", "net.probe", "security.incident"][usize::from(g.kind) % 3],
                PRODUCTS[usize::from(g.b) % PRODUCTS.len()],
            ),
        };
        let id = format!("e-{i:03}");
        let mut e = E {
            id: id.clone(),
            at,
            kind: kind.to_string(),
            subject: subject.clone(),
            product: product.to_string(),
            priority: None,
            source: None,
            due: None,
            ok: None,
            latency: None,
        };
        let mut attrs = serde_json::Map::new();
        let mut valid = true;
        match kind {
            "ticket.opened" => {
                match g.a % 9 {
                    8 => valid = false, // no priority: rejected
                    k => {
                        let p = ["P1", "P2", "P3", "P4"][usize::from(k % 4)];
                        e.priority = Some(p);
                        attrs.insert("priority".into(), p.into());
                    }
                }
                match g.b % 6 {
                    0 | 1 => {}
                    2 => {
                        attrs.insert("source".into(), "monitoring".into());
                        e.source = Some("monitoring".into());
                    }
                    3 => {
                        attrs.insert("source".into(), "inspection".into());
                        e.source = Some("inspection".into());
                    }
                    4 => {
                        attrs.insert("source".into(), "user".into());
                        e.source = Some("user".into());
                    }
                    // an optional attribute of the wrong type is treated as absent
                    _ => {
                        attrs.insert("source".into(), 5.into());
                    }
                }
            }
            "plan.scheduled" | "security.report_due" => {
                let due = inst[usize::from(g.a) % inst.len()] + DELTAS[usize::from(g.b) % 4];
                e.due = Some(due);
                attrs.insert("due".into(), rfc3339(due, g.zone.rotate_left(3)).into());
            }
            "search.request" => {
                let lat = ["0", "1999", "2000", "2000.5", "2001", "35000"][usize::from(g.a) % 6];
                e.latency = Some(lat.parse().unwrap());
                attrs.insert("latency_ms".into(), serde_json::from_str(lat).unwrap());
                match g.b % 5 {
                    4 => {
                        valid = false; // `ok` as a string: rejected
                        attrs.insert("ok".into(), "true".into());
                    }
                    k => {
                        e.ok = Some(k != 0);
                        attrs.insert("ok".into(), (k != 0).into());
                    }
                }
            }
            "net.probe" => {
                let lat = ["0", "12.5", "49.99", "50", "200", "1000"][usize::from(g.a) % 6];
                e.latency = Some(lat.parse().unwrap());
                attrs.insert("latency_ms".into(), serde_json::from_str(lat).unwrap());
            }
            _ => {}
        }
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), id.into());
        obj.insert("at".into(), rfc3339(at, g.zone).into());
        obj.insert("kind".into(), kind.into());
        obj.insert("subject".into(), subject.into());
        obj.insert("product".into(), product.into());
        if !attrs.is_empty() || g.zone % 2 == 0 {
            obj.insert("attrs".into(), attrs.into());
        }
        lines.push(Line {
            text: serde_json::Value::Object(obj).to_string(),
            event: valid.then_some(e),
        });
    }
    lines
}

/// One indicator's outcome in one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ind {
    pub value: Option<Decimal>,
    pub score: Option<Decimal>,
    /// met, breached, pending (clock and deadline indicators)
    pub clocks: Option<(u64, u64, u64)>,
}

/// One assessment's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    pub assessor: String,
    pub assessee: String,
    pub score: Option<Decimal>,
    pub fee_due: Option<Decimal>,
    pub indicators: Vec<Ind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Met,
    Breached,
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Running,
    Paused,
    Stopped,
}

/// A business-time clock over a ticket's events after its anchor.
fn ticket_clock(
    evs: &[&E],
    anchor: usize,
    as_of: i64,
    stops: &[&str],
    restart: bool,
    deadline: i64,
    cal: Cal,
) -> Outcome {
    let mut st = St::Running;
    let mut since = evs[anchor].at;
    let mut elapsed = 0i64;
    for e in &evs[anchor + 1..] {
        if e.at > as_of {
            break;
        }
        let k = e.kind.as_str();
        if stops.contains(&k) {
            match st {
                St::Running => {
                    elapsed += between(cal, since, e.at);
                    st = St::Stopped;
                }
                St::Paused => st = St::Stopped,
                St::Stopped => {}
            }
        } else if k == "ticket.paused" {
            if st == St::Running {
                elapsed += between(cal, since, e.at);
                st = St::Paused;
            }
        } else if k == "ticket.resumed" {
            if st == St::Paused {
                since = e.at;
                st = St::Running;
            }
        } else if k == "ticket.reopened" && restart && st == St::Stopped {
            since = e.at;
            st = St::Running;
        }
    }
    if st == St::Running {
        elapsed += between(cal, since, as_of);
    }
    if elapsed > deadline {
        Outcome::Breached
    } else if st == St::Stopped {
        Outcome::Met
    } else {
        Outcome::Pending
    }
}

fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Linear score through (x0, 0) and (x1, 100), clamped to [0, 100].
fn linear(v: Decimal, x0: &str, x1: &str) -> Decimal {
    let (x0, x1) = (dec(x0), dec(x1));
    let s = (v - x0) * Decimal::ONE_HUNDRED / (x1 - x0);
    s.max(Decimal::ZERO).min(Decimal::ONE_HUNDRED)
}

#[derive(Default, Clone)]
struct Tally {
    met: u64,
    breached: u64,
    pending: u64,
    num: u64,
    den: u64,
    count: u64,
    sum: Decimal,
}

impl Tally {
    fn clock(&mut self, o: Outcome) {
        match o {
            Outcome::Met => self.met += 1,
            Outcome::Breached => self.breached += 1,
            Outcome::Pending => self.pending += 1,
        }
    }
}

/// Scores accepted, distinct events (duplicates already removed) for one period.
fn score(events: &[E], start: i64, end: i64, as_of: i64) -> Vec<Card> {
    let in_period = |t: i64| t >= start && t < end;
    let mut t: Vec<Vec<Tally>> = vec![vec![Tally::default(); 12]; 4];
    let mut add = |product: &str, i: usize, f: &dyn Fn(&mut Tally)| {
        for (a, row) in t.iter_mut().enumerate() {
            if in_scope(a, product) {
                f(&mut row[i]);
            }
        }
    };
    // per subject, sorted by (at, id), events after as_of ignored
    let mut subjects: BTreeMap<&str, Vec<&E>> = BTreeMap::new();
    for e in events {
        if e.at <= as_of {
            subjects.entry(e.subject.as_str()).or_default().push(e);
        }
    }
    for evs in subjects.values_mut() {
        evs.sort_by(|a, b| (a.at, a.id.as_bytes()).cmp(&(b.at, b.id.as_bytes())));
    }
    for evs in subjects.values() {
        // tickets
        if let Some(ai) = evs.iter().position(|e| e.kind == "ticket.opened") {
            let anchor = evs[ai];
            if in_period(anchor.at) {
                let p = anchor.product.as_str();
                let cal = calendar_of(p);
                let pr = anchor.priority.unwrap();
                let idx = ["P1", "P2", "P3", "P4"]
                    .iter()
                    .position(|x| *x == pr)
                    .unwrap();
                let response = ticket_clock(
                    evs,
                    ai,
                    as_of,
                    &["ticket.acknowledged", "ticket.resolved"],
                    false,
                    [15 * 60, 30 * 60, 2 * HOUR, 4 * HOUR][idx],
                    cal,
                );
                let repair = ticket_clock(
                    evs,
                    ai,
                    as_of,
                    &["ticket.resolved"],
                    true,
                    [4 * HOUR, 8 * HOUR, 24 * HOUR, 72 * HOUR][idx],
                    cal,
                );
                add(p, 4, &|x| x.clock(response));
                add(p, 5, &|x| x.clock(repair));
                let proactive =
                    matches!(anchor.source.as_deref(), Some("monitoring" | "inspection"));
                add(p, 2, &|x| {
                    x.den += 1;
                    x.num += u64::from(proactive);
                });
                let last = evs[ai..]
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.kind.as_str(),
                            "ticket.resolved" | "ticket.closed" | "ticket.reopened"
                        )
                    })
                    .last();
                let resolved = last.is_some_and(|e| e.kind != "ticket.reopened");
                add(p, 3, &|x| {
                    x.den += 1;
                    x.num += u64::from(resolved);
                });
            }
        }
        // alerts: always calendar, 15 minutes, first report stops
        if let Some(ai) = evs.iter().position(|e| e.kind == "alert.raised") {
            let anchor = evs[ai];
            if in_period(anchor.at) {
                let stop = evs[ai + 1..].iter().find(|e| e.kind == "alert.reported");
                let o = match stop {
                    Some(s) if s.at - anchor.at <= 900 => Outcome::Met,
                    Some(_) => Outcome::Breached,
                    None if as_of - anchor.at > 900 => Outcome::Breached,
                    None => Outcome::Pending,
                };
                add(&anchor.product, 0, &|x| x.clock(o));
            }
        }
        // plans and security reports: anchored at `due`, met when completed by then
        for (ind, anchor_kind, done_kind) in [
            (1, "plan.scheduled", "plan.completed"),
            (10, "security.report_due", "security.report_submitted"),
        ] {
            if let Some(ai) = evs.iter().position(|e| e.kind == anchor_kind) {
                let anchor = evs[ai];
                let due = anchor.due.unwrap();
                if in_period(due) {
                    let done = evs[ai + 1..].iter().find(|e| e.kind == done_kind);
                    let o = match done {
                        Some(d) if d.at <= due => Outcome::Met,
                        Some(_) => Outcome::Breached,
                        None if as_of > due => Outcome::Breached,
                        None => Outcome::Pending,
                    };
                    add(&anchor.product, ind, &|x| x.clock(o));
                }
            }
        }
        // coverage: inventory registered before the period's end, scanned in the period
        if let Some(inv) = evs
            .iter()
            .find(|e| e.kind == "asset.registered" && e.at < end)
        {
            let hit = evs
                .iter()
                .any(|e| e.kind == "scan.completed" && in_period(e.at));
            add(&inv.product, 9, &|x| {
                x.den += 1;
                x.num += u64::from(hit);
            });
        }
    }
    // per-event indicators
    for e in events {
        if e.at > as_of || !in_period(e.at) {
            continue;
        }
        match e.kind.as_str() {
            "search.request" => {
                let ok = e.ok == Some(true);
                let fast = e.latency.unwrap() <= dec("2000");
                add(&e.product, 6, &|x| {
                    x.den += 1;
                    x.num += u64::from(ok);
                });
                add(&e.product, 7, &|x| {
                    x.den += 1;
                    x.num += u64::from(fast);
                });
            }
            "net.probe" => {
                let l = e.latency.unwrap();
                add(&e.product, 8, &|x| {
                    x.count += 1;
                    x.sum += l;
                });
            }
            "security.incident" => add(&e.product, 11, &|x| x.count += 1),
            _ => {}
        }
    }

    let weights = [10, 10, 5, 10, 15, 15, 5, 5, 10, 5, 5, 5];
    let levels = [2, 1, 0, 1, 1, 1, 0, 0, 0, 0, 2, 0]; // 0 system, 1 process, 2 role
    let _ = levels;
    let mut cards = Vec::new();
    for (a, row) in t.iter().enumerate() {
        let mut inds = Vec::new();
        for (i, x) in row.iter().enumerate() {
            let frac = |n: u64, d: u64| (d > 0).then(|| Decimal::from(n) / Decimal::from(d));
            let raw = match i {
                0 | 1 | 4 | 5 | 10 => frac(x.met, x.met + x.breached),
                2 | 3 | 6 | 7 | 9 => frac(x.num, x.den),
                8 => (x.count > 0).then(|| x.sum / Decimal::from(x.count)),
                _ => Some(Decimal::from(x.count)),
            };
            let value = raw.map(|v| round(v, 4));
            let score = value.map(|v| {
                let s = match i {
                    0 => linear(v, "0.90", "0.98"),
                    1 | 3 | 9 => linear(v, "0.80", "0.95"),
                    2 => linear(v, "0.30", "0.60"),
                    4 if a == 0 => linear(v, "0.80", "0.95"),
                    4 => linear(v, "0.85", "0.97"),
                    5 => linear(v, "0.70", "0.90"),
                    6 => linear(v, "0.95", "0.99"),
                    7 => linear(v, "0.85", "0.95"),
                    8 => linear(v, "200", "50"),
                    10 if v >= Decimal::ONE => Decimal::ONE_HUNDRED,
                    10 if v >= dec("0.90") => dec("60"),
                    10 => Decimal::ZERO,
                    _ => (Decimal::ONE_HUNDRED - Decimal::from(25) * v).max(Decimal::ZERO),
                };
                round(s, 2)
            });
            let clocks = matches!(i, 0 | 1 | 4 | 5 | 10).then_some((x.met, x.breached, x.pending));
            inds.push(Ind {
                value,
                score,
                clocks,
            });
        }
        let (mut ws, mut wsum) = (Decimal::ZERO, Decimal::ZERO);
        for (i, ind) in inds.iter().enumerate() {
            if let Some(s) = ind.score {
                ws += Decimal::from(weights[i]) * s;
                wsum += Decimal::from(weights[i]);
            }
        }
        // nothing measured (no clock, denominator, count or sample): not assessed, so no
        // score and no fee due (docs/scorecard.md)
        let evidence: u64 = row
            .iter()
            .map(|x| x.met + x.breached + x.pending + x.den + x.count)
            .sum();
        let score = (!wsum.is_zero() && evidence > 0).then(|| round(ws / wsum, 2));
        let fee = FEES[a].map(dec).filter(|_| evidence > 0);
        let fee_due = fee.map(|f| match score {
            None => round(f, 2),
            Some(s) => {
                let share = if s >= dec("90") {
                    Decimal::ONE
                } else if s >= dec("60") {
                    Decimal::ONE - (dec("90") - s) / Decimal::ONE_HUNDRED
                } else {
                    dec("0.5")
                };
                round(f * share, 2)
            }
        });
        cards.push(Card {
            assessor: ASSESSMENTS[a].0.into(),
            assessee: ASSESSMENTS[a].1.into(),
            score,
            fee_due,
            indicators: inds,
        });
    }
    cards
}

/// Scores the stream with the engine and with the reference, and asserts they agree.
pub fn differential(s: &Stream) {
    if s.events.is_empty() {
        return;
    }
    let lines = build_lines(s);
    let text: String = lines.iter().map(|l| l.text.clone() + "\n").collect();

    // the reference: validation first, then duplicates among accepted events only
    let mut seen = HashSet::new();
    let (mut accepted, mut duplicates, mut rejected) = (0u64, 0u64, 0u64);
    let mut events = Vec::new();
    for l in &lines {
        match &l.event {
            None => rejected += 1,
            Some(e) if !seen.insert(e.id.clone()) => duplicates += 1,
            Some(e) => {
                accepted += 1;
                events.push(e.clone());
            }
        }
    }

    // the engine, fed the same text
    let plan = crate::plan();
    let mut ev = Evaluator::new(plan);
    read_jsonl(
        &plan.contract,
        text.as_bytes(),
        Limits::default(),
        |o| match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => ev.reject(r),
        },
    )
    .unwrap();
    let c = ev.counts();
    assert_eq!(
        (c.accepted, c.duplicates, c.rejected),
        (accepted, duplicates, rejected),
        "event counts\n{text}"
    );
    if events.is_empty() {
        return;
    }
    let inst = instants();
    let as_of = match s.as_of {
        None => events.iter().map(|e| e.at).max().unwrap(),
        Some((i, d)) => inst[usize::from(i) % inst.len()] + DELTAS[usize::from(d) % DELTAS.len()],
    };
    let month = 9 + i64::from(s.period % 3);
    let (start, end) = (
        local(2026, month, 1, 0, 0, 0),
        local(2026, month + 1, 1, 0, 0, 0),
    );
    let key = format!("2026-{month:02}");
    let c = &plan.contract;
    let period = slagrade::time::period::parse(c.period, c.timezone, &key).unwrap();
    assert_eq!((period.start, period.end), (start, end));
    let engine = ev
        .scorecard(&period, s.as_of.map(|_| as_of))
        .unwrap_or_else(|e| panic!("engine error {e}\n{text}"));
    assert_eq!(engine.as_of, as_of);
    let expected = score(&events, start, end, as_of);
    assert_eq!(engine.assessments.len(), expected.len());
    for (got, want) in engine.assessments.iter().zip(&expected) {
        assert_eq!(
            (&got.assessor, &got.assessee),
            (&want.assessor, &want.assessee)
        );
        for (gi, wi) in got.indicators.iter().zip(&want.indicators) {
            let clocks = gi.clocks.map(|c| (c.met, c.breached, c.pending));
            assert_eq!(
                (clocks, gi.value, gi.score),
                (wi.clocks, wi.value, wi.score),
                "{} → {} {} (period {key}, as_of {})\n{text}",
                got.assessor,
                got.assessee,
                gi.id,
                rfc3339(as_of, 0)
            );
        }
        assert_eq!(
            (got.score, got.fee_due),
            (want.score, want.fee_due),
            "{} → {} party score and fee\n{text}",
            got.assessor,
            got.assessee
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_worked_examples() {
        // make-up Saturday counts: Fri Oct 9 17:20 → Mon Oct 12 09:15
        assert_eq!(
            office_between(local(2026, 10, 9, 17, 20, 0), local(2026, 10, 12, 9, 15, 0)),
            10 * 60 + 7 * HOUR + 15 * 60
        );
        // weekend does not count
        assert_eq!(
            office_between(local(2026, 10, 30, 17, 20, 0), local(2026, 11, 2, 9, 15, 0)),
            25 * 60
        );
        // lunch break
        assert_eq!(
            office_between(
                local(2026, 10, 10, 11, 50, 0),
                local(2026, 10, 10, 13, 35, 0)
            ),
            15 * 60
        );
        // holiday
        assert_eq!(
            office_between(local(2026, 10, 1, 10, 0, 0), local(2026, 10, 8, 9, 15, 0)),
            15 * 60
        );
        assert_eq!(
            rfc3339(local(2026, 10, 9, 9, 12, 0), 0),
            "2026-10-09T09:12:00+08:00"
        );
        assert_eq!(
            rfc3339(local(2026, 10, 9, 9, 12, 0), 5),
            "2026-10-09T01:12:00Z"
        );
    }
}
