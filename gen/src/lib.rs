//! Deterministic, streaming generator of realistic event streams for the
//! reference contract (`egov-2026`).
//!
//! The generator writes canonical JSON Lines (see `docs` / DOMAIN.md):
//!
//! ```text
//! {"id":"e-000001","at":"2026-10-09T09:12:00+08:00","kind":"ticket.opened","subject":"T-1001",
//!  "product":"app.business_support.oa","party":"appco","attrs":{"priority":"P2","source":"user"}}
//! ```
//!
//! Design:
//! - a small inline SplitMix64 PRNG keeps the output byte-stable across dependency upgrades;
//!   the content stream and the noise stream (out-of-order, duplicates, malformed lines) use
//!   separate generators;
//! - subjects are created by arrival processes (thinned Poisson processes whose intensity
//!   follows office hours, weekends, statutory holidays and make-up days); each new subject
//!   pushes its future events into a min-heap, and the earliest pending event is emitted next;
//! - volume of stateful subjects (tickets, alerts, plans, assets) is capped per month, the rest
//!   of the requested volume goes to stateless per-event kinds (`search.request`, `net.probe`),
//!   so memory does not grow with the requested number of events;
//! - out-of-order lines are held in a small bounded buffer and released a random number of lines
//!   later; duplicates are exact copies of a recently written line re-emitted a few lines later;
//!   malformed lines are drawn from a fixed list of realistic faults.
//!
//! All arithmetic is integer (milliseconds, per mille, parts per million).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io::{self, Write};

/// Generator configuration.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Seed of the pseudo-random generator; same config gives byte-identical output.
    pub seed: u64,
    /// approximate number of lines to write
    pub events: u64,
    /// first and last month generated, e.g. (2026, 10) ..= (2026, 10)
    pub from: (i32, u32),
    /// last month generated (inclusive)
    pub to: (i32, u32),
    /// share (0..=1000 per mille) of lines written out of time order (displaced by a random amount)
    pub out_of_order_permille: u32,
    /// duplicates per million lines (default 1000 = 0.1 %)
    pub duplicates_ppm: u32,
    /// malformed lines per million (default ~200)
    pub malformed_ppm: u32,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 1,
            events: 5000,
            from: (2026, 10),
            to: (2026, 10),
            out_of_order_permille: 20,
            duplicates_ppm: 1000,
            malformed_ppm: 200,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    /// all lines written (valid, duplicates and malformed)
    pub lines: u64,
    /// lines that are exact copies of an earlier line
    pub duplicates: u64,
    /// lines that the reference contract rejects
    pub malformed: u64,
}

/// Write a generated event stream to `out`. The writer is not buffered here; wrap it in a
/// `BufWriter` for files or pipes.
pub fn generate<W: Write>(cfg: &GenConfig, out: W) -> io::Result<GenStats> {
    let mut g = Gen::new(cfg, out)?;
    g.run()?;
    g.finish()
}

// ---------------------------------------------------------------------------------------------
// PRNG

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when n == 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (lo when hi < lo).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + self.below(span) as i64
    }

    fn permille(&mut self, pm: u32) -> bool {
        self.below(1000) < u64::from(pm)
    }

    fn ppm(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    fn pick<T: Copy>(&mut self, table: &[(u32, T)], fallback: T) -> T {
        let total: u64 = table.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (w, v) in table {
            let w = u64::from(*w);
            if r < w {
                return *v;
            }
            r -= w;
        }
        fallback
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Time (Asia/Shanghai, fixed +08:00) and the office calendar

const SEC: i64 = 1000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const TZ: i64 = 8 * HOUR;

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// UTC milliseconds of local midnight starting the given month.
fn month_start(y: i64, m: u32) -> i64 {
    days_from_civil(y, m, 1) * DAY - TZ
}

fn next_month(y: i64, m: u32) -> (i64, u32) {
    if m >= 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

/// Statutory holidays 2026 (month, first day, last day).
const HOLIDAYS_2026: [(u32, u32, u32); 7] = [
    (1, 1, 3),
    (2, 15, 23),
    (4, 4, 6),
    (5, 1, 5),
    (6, 19, 21),
    (9, 25, 27),
    (10, 1, 7),
];
/// Make-up working days 2026.
const MAKEUP_2026: [(u32, u32); 6] = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

#[derive(Debug, Clone, Copy)]
struct Local {
    /// local day number since 1970-01-01
    day: i64,
    /// milliseconds since local midnight
    tod: i64,
}

fn local(ms: i64) -> Local {
    let l = ms + TZ;
    Local {
        day: l.div_euclid(DAY),
        tod: l.rem_euclid(DAY),
    }
}

fn is_workday(day: i64) -> bool {
    let (y, m, d) = civil_from_days(day);
    if y == 2026 {
        if MAKEUP_2026.iter().any(|&(mm, dd)| mm == m && dd == d) {
            return true;
        }
        if HOLIDAYS_2026
            .iter()
            .any(|&(mm, a, b)| mm == m && d >= a && d <= b)
        {
            return false;
        }
    }
    // Monday = 0
    (day + 3).rem_euclid(7) < 5
}

const OFFICE: [(i64, i64); 2] = [
    (9 * HOUR, 12 * HOUR),
    (13 * HOUR + 30 * MIN, 17 * HOUR + 30 * MIN),
];

fn in_office(ms: i64) -> bool {
    let l = local(ms);
    is_workday(l.day) && OFFICE.iter().any(|&(a, b)| l.tod >= a && l.tod < b)
}

/// `ms` plus `add` milliseconds of business time (office calendar) or of wall time.
fn add_business(ms: i64, add: i64, office: bool) -> i64 {
    if !office {
        return ms + add;
    }
    let mut cur = ms;
    let mut left = add;
    for _ in 0..1000 {
        let l = local(cur);
        let day_start = cur - l.tod;
        if is_workday(l.day) {
            for &(a, b) in OFFICE.iter() {
                let (s0, e0) = (day_start + a, day_start + b);
                if e0 > cur {
                    let s = s0.max(cur);
                    let avail = e0 - s;
                    if left <= avail {
                        return s + left;
                    }
                    left -= avail;
                    cur = e0;
                }
            }
        }
        cur = day_start + DAY;
    }
    ms + add
}

/// Intensity profiles (per mille of the peak rate).
#[derive(Debug, Clone, Copy)]
enum Profile {
    OfficeTickets,
    AlwaysTickets,
    Alerts,
    Plans,
    Searches,
    NewAssets,
}

fn weight(p: Profile, ms: i64) -> u32 {
    let l = local(ms);
    let work = is_workday(l.day);
    let h = l.tod / HOUR;
    let office = work && OFFICE.iter().any(|&(a, b)| l.tod >= a && l.tod < b);
    let daytime = (8..20).contains(&h);
    match p {
        Profile::OfficeTickets => {
            if office {
                1000
            } else if work && daytime {
                220
            } else if daytime {
                60
            } else {
                18
            }
        }
        Profile::AlwaysTickets => {
            if office {
                1000
            } else if daytime {
                420
            } else {
                160
            }
        }
        Profile::Alerts => {
            if daytime {
                1000
            } else {
                550
            }
        }
        Profile::Plans => {
            if office {
                1000
            } else if daytime {
                15
            } else {
                0
            }
        }
        Profile::Searches => {
            if (8..23).contains(&h) {
                if work {
                    1000
                } else {
                    550
                }
            } else {
                120
            }
        }
        Profile::NewAssets => {
            if office {
                1000
            } else {
                0
            }
        }
    }
}

/// Sum of weight × duration (ms, per mille applied) over [start, end), in 30-minute slots.
fn weighted_ms(p: Profile, start: i64, end: i64) -> i64 {
    let slot = 30 * MIN;
    let mut t = start;
    let mut sum: i64 = 0;
    while t < end {
        sum += i64::from(weight(p, t)) * slot / 1000;
        t += slot;
    }
    sum
}

// ---------------------------------------------------------------------------------------------
// Catalog

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

const P_SERVERS: u8 = 0;
const P_STORAGE: u8 = 1;
const P_DC: u8 = 2;
const P_DESK: u8 = 3;
const P_OA: u8 = 4;
const P_DB: u8 = 5;
const P_PORTAL: u8 = 6;
const P_WAF: u8 = 7;
const P_DESKTOP: u8 = 8;
const P_CONTENT: u8 = 9;
const P_WAN: u8 = 10;
const P_INET: u8 = 11;
const P_SEC: u8 = 12;

fn product_name(p: u8) -> &'static str {
    PRODUCTS
        .get(usize::from(p))
        .copied()
        .unwrap_or("infra.servers")
}

fn party(p: u8) -> &'static str {
    match p {
        P_WAN | P_INET => "netco",
        P_SEC | P_WAF => "secco",
        P_OA | P_DB | P_PORTAL | P_DESKTOP => "appco",
        _ => "prime",
    }
}

fn office_product(p: u8) -> bool {
    (P_DESK..=P_CONTENT).contains(&p)
}

const TICKET_OFFICE_PRODUCTS: [(u32, u8); 7] = [
    (25, P_DESK),
    (20, P_OA),
    (8, P_DB),
    (15, P_PORTAL),
    (4, P_WAF),
    (22, P_DESKTOP),
    (6, P_CONTENT),
];
const TICKET_ALWAYS_PRODUCTS: [(u32, u8); 6] = [
    (30, P_SERVERS),
    (10, P_STORAGE),
    (8, P_DC),
    (22, P_WAN),
    (18, P_INET),
    (12, P_SEC),
];
const ALERT_PRODUCTS: [(u32, u8); 10] = [
    (20, P_SERVERS),
    (8, P_STORAGE),
    (6, P_DC),
    (10, P_DB),
    (10, P_PORTAL),
    (6, P_WAF),
    (4, P_CONTENT),
    (14, P_WAN),
    (12, P_INET),
    (10, P_SEC),
];
const PLAN_PRODUCTS: [(u32, u8); 10] = [
    (20, P_SERVERS),
    (12, P_STORAGE),
    (12, P_DC),
    (8, P_DESK),
    (12, P_DB),
    (8, P_DESKTOP),
    (10, P_WAN),
    (8, P_INET),
    (5, P_SEC),
    (5, P_WAF),
];
const ASSET_PRODUCTS: [(u32, u8); 8] = [
    (35, P_SERVERS),
    (10, P_STORAGE),
    (8, P_DC),
    (12, P_WAN),
    (6, P_INET),
    (20, P_DESKTOP),
    (5, P_SEC),
    (4, P_WAF),
];

fn asset_class(p: u8, salt: u64) -> &'static str {
    match p {
        P_SERVERS => {
            if salt % 3 == 0 {
                "vm_host"
            } else {
                "server"
            }
        }
        P_STORAGE => "storage_array",
        P_DC => {
            if salt % 2 == 0 {
                "ups"
            } else {
                "precision_ac"
            }
        }
        P_WAN => "router",
        P_INET => "firewall",
        P_DESKTOP => "pc",
        P_SEC => "ids",
        _ => "waf_appliance",
    }
}

const PROBE_TARGETS: [(&str, u8); 8] = [
    ("PR-WAN-01", P_WAN),
    ("PR-WAN-02", P_WAN),
    ("PR-WAN-03", P_WAN),
    ("PR-WAN-04", P_WAN),
    ("PR-INET-01", P_INET),
    ("PR-INET-02", P_INET),
    ("PR-INET-03", P_INET),
    ("PR-INET-04", P_INET),
];

// ---------------------------------------------------------------------------------------------
// Events

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    TicketOpened,
    TicketAcknowledged,
    TicketPaused,
    TicketResumed,
    TicketResolved,
    TicketClosed,
    TicketReopened,
    TicketCommented,
    AlertRaised,
    AlertReported,
    AlertCleared,
    PlanScheduled,
    PlanCompleted,
    ReportDue,
    ReportSubmitted,
    AssetRegistered,
    ScanCompleted,
    Incident,
    Search,
    Probe,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::TicketOpened => "ticket.opened",
            Kind::TicketAcknowledged => "ticket.acknowledged",
            Kind::TicketPaused => "ticket.paused",
            Kind::TicketResumed => "ticket.resumed",
            Kind::TicketResolved => "ticket.resolved",
            Kind::TicketClosed => "ticket.closed",
            Kind::TicketReopened => "ticket.reopened",
            Kind::TicketCommented => "ticket.commented",
            Kind::AlertRaised => "alert.raised",
            Kind::AlertReported => "alert.reported",
            Kind::AlertCleared => "alert.cleared",
            Kind::PlanScheduled => "plan.scheduled",
            Kind::PlanCompleted => "plan.completed",
            Kind::ReportDue => "security.report_due",
            Kind::ReportSubmitted => "security.report_submitted",
            Kind::AssetRegistered => "asset.registered",
            Kind::ScanCompleted => "scan.completed",
            Kind::Incident => "security.incident",
            Kind::Search => "search.request",
            Kind::Probe => "net.probe",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Kind::TicketOpened
            | Kind::TicketAcknowledged
            | Kind::TicketPaused
            | Kind::TicketResumed
            | Kind::TicketResolved
            | Kind::TicketClosed
            | Kind::TicketReopened
            | Kind::TicketCommented => "T-",
            Kind::AlertRaised | Kind::AlertReported | Kind::AlertCleared => "A-",
            Kind::PlanScheduled | Kind::PlanCompleted => "PL-",
            Kind::ReportDue | Kind::ReportSubmitted => "SR-",
            Kind::AssetRegistered | Kind::ScanCompleted => "AS-",
            Kind::Incident => "SI-",
            Kind::Search => "Q-",
            Kind::Probe => "",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Attrs {
    None,
    Opened {
        prio: u8,
        source: Option<&'static str>,
    },
    One(&'static str, &'static str),
    Two(&'static str, &'static str, &'static str, &'static str),
    Due {
        due: i64,
        key: &'static str,
        val: &'static str,
    },
    Alert {
        severity: &'static str,
        metric: &'static str,
    },
    Scan {
        high: u32,
        medium: u32,
    },
    Search {
        ok: bool,
        latency: u32,
    },
    Probe {
        tenths: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    kind: Kind,
    subject: u64,
    product: u8,
    attrs: Attrs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proc {
    TicketOffice,
    TicketAlways,
    Alert,
    Plan,
    Search,
    Probe,
    RegInitial,
    RegNew,
    Scan,
    Month,
}

#[derive(Debug, Clone, Copy)]
enum Payload {
    Spawn(Proc),
    Line(Pending),
}

#[derive(Debug, Clone, Copy)]
struct Item {
    at: i64,
    seq: u64,
    payload: Payload,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    // reversed: BinaryHeap is a max-heap, we want the earliest (at, seq) first
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A thinned arrival process.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    profile: Profile,
    /// mean gap between candidates at peak intensity (ms); 0 = disabled
    mean_gap: i64,
}

// ---------------------------------------------------------------------------------------------
// Volume plan

/// Expected lines per subject, ×1000 (measured on large runs; see tests).
const TICKET_LINES_PM: u64 = 4440;
const ALERT_LINES_PM: u64 = 2360;
const PLAN_LINES_PM: u64 = 1950;

const MAX_TICKETS_PER_MONTH: u64 = 40_000;
const MAX_ALERTS_PER_MONTH: u64 = 60_000;
const MAX_PLANS_PER_MONTH: u64 = 8_000;
const MAX_ASSETS: u64 = 50_000;

#[derive(Debug, Clone, Default)]
struct Plan {
    tickets_office: u64,
    tickets_always: u64,
    alerts: u64,
    plans: u64,
    assets0: u64,
    weekly_reports: bool,
    searches: u64,
    probes: u64,
}

fn volume_plan(events: u64, months: u64) -> Plan {
    let months = months.max(1);
    let per_month = events / months;
    let tickets_pm = (per_month * 320 / TICKET_LINES_PM).min(MAX_TICKETS_PER_MONTH);
    let alerts_pm = (per_month * 120 / ALERT_LINES_PM).min(MAX_ALERTS_PER_MONTH);
    let plans_pm = (per_month * 50 / PLAN_LINES_PM).min(MAX_PLANS_PER_MONTH);
    let assets0 = (events.saturating_mul(80) / (1000 + 975 * months)).clamp(5, MAX_ASSETS);
    let weekly_reports = per_month >= 3000;
    let tickets = tickets_pm * months;
    let tickets_office = tickets * 70 / 100;
    let tickets_always = tickets - tickets_office;
    let alerts = alerts_pm * months;
    let plans = plans_pm * months;
    let report_lines_pm: u64 = if weekly_reports { 21 } else { 4 };
    let fixed = tickets * TICKET_LINES_PM / 1000
        + alerts * ALERT_LINES_PM / 1000
        + plans * PLAN_LINES_PM / 1000
        + assets0
        + assets0 * months / 100
        + assets0 * 975 * months / 1000
        + (report_lines_pm + 1) * months;
    let rest = events.saturating_sub(fixed);
    let searches = rest * 40 / 100;
    let probes = rest - searches;
    Plan {
        tickets_office,
        tickets_always,
        alerts,
        plans,
        assets0,
        weekly_reports,
        searches,
        probes,
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

const HOLD_CAP: usize = 256;
const DUP_CAP: usize = 64;

struct Gen<W: Write> {
    out: W,
    rng: Rng,
    noise: Rng,
    seed: u64,
    heap: BinaryHeap<Item>,
    seq: u64,
    start: i64,
    end: i64,
    plan: Plan,
    // arrival processes
    ticket_office: Arrival,
    ticket_always: Arrival,
    alert: Arrival,
    plan_arrival: Arrival,
    search: Arrival,
    reg_new: Arrival,
    probe_gap: i64,
    reg_initial_gap: i64,
    // counters
    next_id: u64,
    next_ticket: u64,
    next_alert: u64,
    next_plan: u64,
    next_report: u64,
    next_incident: u64,
    next_search: u64,
    next_probe_target: u64,
    assets: u64,
    scan_idx: u64,
    scan_gap: i64,
    month: (i64, u32),
    // output noise
    cfg_ooo: u32,
    cfg_dup: u32,
    cfg_bad: u32,
    held: Vec<(u64, String)>,
    dups: Vec<(u64, String)>,
    next_release: u64,
    buf: String,
    stats: GenStats,
}

fn arrival(profile: Profile, count: u64, start: i64, end: i64) -> Arrival {
    if count == 0 {
        return Arrival {
            profile,
            mean_gap: 0,
        };
    }
    let ws = weighted_ms(profile, start, end);
    let gap = ws / i64::try_from(count).unwrap_or(i64::MAX);
    Arrival {
        profile,
        mean_gap: gap.max(1),
    }
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.to_owned())
}

impl<W: Write> Gen<W> {
    fn new(cfg: &GenConfig, out: W) -> io::Result<Self> {
        let (fy, fm) = (i64::from(cfg.from.0), cfg.from.1);
        let (ty, tm) = (i64::from(cfg.to.0), cfg.to.1);
        if !(1..=12).contains(&fm) || !(1..=12).contains(&tm) {
            return Err(invalid("month must be in 1..=12"));
        }
        if (ty, tm) < (fy, fm) {
            return Err(invalid("`to` is before `from`"));
        }
        let months = ((ty - fy) * 12 + i64::from(tm) - i64::from(fm) + 1) as u64;
        let start = month_start(fy, fm);
        let (ey, em) = next_month(ty, tm);
        let end = month_start(ey, em);
        let plan = volume_plan(cfg.events, months);
        let span = end - start;
        let probe_gap = if plan.probes == 0 {
            0
        } else {
            (span / i64::try_from(plan.probes).unwrap_or(i64::MAX)).max(1)
        };
        let reg_initial_gap = 90 * DAY / i64::try_from(plan.assets0.max(1)).unwrap_or(1);
        let new_assets = plan.assets0 * months / 100;
        let mut rng = Rng::new(cfg.seed);
        // decorrelate the noise stream from the content stream
        let noise = Rng::new(mix(cfg.seed ^ 0x05EE_D0F0_015E));
        let _ = rng.next_u64();
        let mut g = Gen {
            out,
            rng,
            noise,
            seed: cfg.seed,
            heap: BinaryHeap::new(),
            seq: 0,
            start,
            end,
            ticket_office: arrival(Profile::OfficeTickets, plan.tickets_office, start, end),
            ticket_always: arrival(Profile::AlwaysTickets, plan.tickets_always, start, end),
            alert: arrival(Profile::Alerts, plan.alerts, start, end),
            plan_arrival: arrival(Profile::Plans, plan.plans, start, end),
            search: arrival(Profile::Searches, plan.searches, start, end),
            reg_new: arrival(Profile::NewAssets, new_assets, start, end),
            plan,
            probe_gap,
            reg_initial_gap,
            next_id: 1,
            next_ticket: 1001,
            next_alert: 1,
            next_plan: 1,
            next_report: 1,
            next_incident: 1,
            next_search: 1,
            next_probe_target: 0,
            assets: 0,
            scan_idx: 0,
            scan_gap: DAY,
            month: (fy, fm),
            cfg_ooo: cfg.out_of_order_permille.min(1000),
            cfg_dup: cfg.duplicates_ppm.min(1_000_000),
            cfg_bad: cfg.malformed_ppm.min(1_000_000),
            held: Vec::new(),
            dups: Vec::new(),
            next_release: u64::MAX,
            buf: String::with_capacity(256),
            stats: GenStats::default(),
        };
        g.schedule_initial();
        Ok(g)
    }

    fn push(&mut self, at: i64, payload: Payload) {
        self.seq += 1;
        self.heap.push(Item {
            at,
            seq: self.seq,
            payload,
        });
    }

    fn push_line(&mut self, at: i64, kind: Kind, subject: u64, product: u8, attrs: Attrs) {
        self.push(
            at,
            Payload::Line(Pending {
                kind,
                subject,
                product,
                attrs,
            }),
        );
    }

    /// Next arrival after `t`, or None past the end. The gap is drawn in "full intensity"
    /// time (uniform 0.2..1.8 × the mean, or 0..1 × the mean for the first arrival) and
    /// mapped to wall time through the intensity profile, half-hour slot by slot. This keeps
    /// the daily and weekly shape while keeping the total count close to the plan.
    fn next_arrival(&mut self, a: Arrival, t: i64, first: bool) -> Option<i64> {
        if a.mean_gap <= 0 {
            return None;
        }
        let g = a.mean_gap;
        let mut left = if first {
            self.rng.range(0, g)
        } else {
            self.rng.range(g / 5, g * 9 / 5).max(1)
        };
        let slot = 30 * MIN;
        let mut t = t;
        while t < self.end {
            let w = i64::from(weight(a.profile, t));
            let slot_end = (t.div_euclid(slot) + 1) * slot;
            if w > 0 {
                let avail = (slot_end - t) * w / 1000;
                if left <= avail {
                    let at = t + left * 1000 / w;
                    return (at < self.end).then_some(at);
                }
                left -= avail;
            }
            t = slot_end;
        }
        None
    }

    fn schedule_arrival(&mut self, p: Proc, t: i64) {
        let a = match p {
            Proc::TicketOffice => self.ticket_office,
            Proc::TicketAlways => self.ticket_always,
            Proc::Alert => self.alert,
            Proc::Plan => self.plan_arrival,
            Proc::Search => self.search,
            Proc::RegNew => self.reg_new,
            _ => return,
        };
        if let Some(at) = self.next_arrival(a, t, t == self.start) {
            self.push(at, Payload::Spawn(p));
        }
    }

    fn schedule_initial(&mut self) {
        let s = self.start;
        for p in [
            Proc::TicketOffice,
            Proc::TicketAlways,
            Proc::Alert,
            Proc::Plan,
            Proc::Search,
            Proc::RegNew,
        ] {
            self.schedule_arrival(p, s);
        }
        if self.probe_gap > 0 {
            let first = s + self.rng.range(0, self.probe_gap);
            self.push(first, Payload::Spawn(Proc::Probe));
        }
        if self.plan.assets0 > 0 {
            let first = s - 90 * DAY + self.rng.range(0, self.reg_initial_gap);
            self.push(first, Payload::Spawn(Proc::RegInitial));
        }
        self.push(s, Payload::Spawn(Proc::Month));
    }

    fn run(&mut self) -> io::Result<()> {
        while let Some(item) = self.heap.pop() {
            match item.payload {
                Payload::Spawn(p) => self.spawn(p, item.at),
                Payload::Line(ev) => self.write_event(item.at, ev)?,
            }
        }
        Ok(())
    }

    fn spawn(&mut self, p: Proc, t: i64) {
        match p {
            Proc::TicketOffice => {
                let prod = self.rng.pick(&TICKET_OFFICE_PRODUCTS, P_DESK);
                self.ticket(t, prod);
                self.schedule_arrival(p, t);
            }
            Proc::TicketAlways => {
                let prod = self.rng.pick(&TICKET_ALWAYS_PRODUCTS, P_SERVERS);
                self.ticket(t, prod);
                self.schedule_arrival(p, t);
            }
            Proc::Alert => {
                self.alert(t);
                self.schedule_arrival(p, t);
            }
            Proc::Plan => {
                self.maintenance_plan(t);
                self.schedule_arrival(p, t);
            }
            Proc::Search => {
                self.search_request(t);
                self.schedule_arrival(p, t);
            }
            Proc::RegNew => {
                self.register_asset(t);
                self.schedule_arrival(p, t);
            }
            Proc::Probe => {
                self.probe(t);
                let g = self.probe_gap;
                let next = t + self.rng.range(g / 2, g + g / 2).max(1);
                if next < self.end {
                    self.push(next, Payload::Spawn(Proc::Probe));
                }
            }
            Proc::RegInitial => {
                self.register_asset(t);
                if self.assets < self.plan.assets0 {
                    let g = self.reg_initial_gap;
                    let next = t + self.rng.range(g / 2, g + g / 2).max(1);
                    self.push(next, Payload::Spawn(Proc::RegInitial));
                }
            }
            Proc::Scan => {
                if self.scan_idx < self.assets {
                    let idx = self.scan_idx;
                    if self.rng.permille(965) {
                        let prod = self.asset_product(idx);
                        let high = if self.rng.permille(150) {
                            self.rng.range(1, 4) as u32
                        } else {
                            0
                        };
                        let medium = self.rng.range(0, 12) as u32;
                        self.push_line(
                            t,
                            Kind::ScanCompleted,
                            idx + 1,
                            prod,
                            Attrs::Scan { high, medium },
                        );
                    }
                    self.scan_idx += 1;
                    if self.scan_idx < self.assets {
                        let g = self.scan_gap;
                        let next = t + self.rng.range(g / 2, g + g / 2).max(1);
                        self.push(next, Payload::Spawn(Proc::Scan));
                    }
                }
            }
            Proc::Month => self.month_start(t),
        }
    }

    fn asset_product(&self, idx: u64) -> u8 {
        let mut r = Rng::new(mix(self.seed ^ 0xA55E_7000_0000_0000 ^ idx));
        r.pick(&ASSET_PRODUCTS, P_SERVERS)
    }

    fn register_asset(&mut self, t: i64) {
        let idx = self.assets;
        self.assets += 1;
        let prod = self.asset_product(idx);
        let class = asset_class(prod, mix(idx ^ self.seed));
        let owner = if self.rng.permille(500) {
            "bureau"
        } else {
            "district"
        };
        self.push_line(
            t,
            Kind::AssetRegistered,
            idx + 1,
            prod,
            Attrs::Two("class", class, "owner", owner),
        );
    }

    fn month_start(&mut self, t: i64) {
        let (y, m) = self.month;
        let (ny, nm) = next_month(y, m);
        let mend = month_start(ny, nm);
        // vulnerability scan sweep over the inventory, days 2..24 of the month
        if self.assets > 0 {
            self.scan_idx = 0;
            self.scan_gap = (22 * DAY / i64::try_from(self.assets).unwrap_or(1)).max(1);
            let first = t + DAY + self.rng.range(0, 8 * HOUR);
            self.push(first, Payload::Spawn(Proc::Scan));
        }
        // security reports: monthly (due on the 10th), weekly (due Wednesday 12:00)
        for prod in [P_SEC, P_WAF] {
            let issued = t + 9 * HOUR + self.rng.range(0, 30 * MIN);
            let due = t + 9 * DAY + 17 * HOUR + 30 * MIN;
            self.security_report(issued, due, prod, "monthly");
        }
        if self.plan.weekly_reports {
            let mut day = local(t).day;
            let last = local(mend - 1).day;
            while day <= last {
                if (day + 3).rem_euclid(7) == 0 {
                    let monday = day * DAY - TZ;
                    for prod in [P_SEC, P_WAF] {
                        let issued = monday + 9 * HOUR + self.rng.range(0, 20 * MIN);
                        let due = monday + 2 * DAY + 12 * HOUR;
                        self.security_report(issued, due, prod, "weekly");
                    }
                }
                day += 1;
            }
        }
        // security incidents: rare
        let n = self
            .rng
            .pick(&[(300, 0u32), (400, 1), (200, 2), (100, 3)], 0);
        let mut times: Vec<i64> = (0..n).map(|_| self.rng.range(t, mend - 1)).collect();
        times.sort_unstable();
        for at in times {
            let prod = if self.rng.permille(600) { P_SEC } else { P_WAF };
            let cat = self.rng.pick(
                &[
                    (30, "malware"),
                    (25, "web_defacement_attempt"),
                    (20, "ddos"),
                    (15, "account_compromise"),
                    (10, "data_leak"),
                ],
                "malware",
            );
            let sev = self
                .rng
                .pick(&[(60, "major"), (30, "minor"), (10, "critical")], "major");
            let subj = self.next_incident;
            self.next_incident += 1;
            self.push_line(
                at,
                Kind::Incident,
                subj,
                prod,
                Attrs::Two("category", cat, "severity", sev),
            );
        }
        self.month = (ny, nm);
        if mend < self.end {
            self.push(mend, Payload::Spawn(Proc::Month));
        }
    }

    fn security_report(&mut self, issued: i64, due: i64, prod: u8, kind: &'static str) {
        let subj = self.next_report;
        self.next_report += 1;
        self.push_line(
            issued,
            Kind::ReportDue,
            subj,
            prod,
            Attrs::Due {
                due,
                key: "report",
                val: kind,
            },
        );
        let r = self.rng.below(1000);
        let done = if r < 880 {
            let lo = (issued + 30 * MIN).min(due - MIN);
            Some(self.rng.range(lo.max(due - 3 * DAY), due - MIN))
        } else if r < 905 {
            Some(due)
        } else if r < 925 {
            Some(due + SEC)
        } else if r < 980 {
            Some(due + self.rng.range(HOUR, 3 * DAY))
        } else {
            None
        };
        if let Some(at) = done {
            self.push_line(at, Kind::ReportSubmitted, subj, prod, Attrs::None);
        }
    }

    fn ticket(&mut self, t: i64, prod: u8) {
        let subj = self.next_ticket;
        self.next_ticket += 1;
        let office = office_product(prod);
        let prio: u8 = self.rng.pick(&[(50, 1), (200, 2), (450, 3), (300, 4)], 3);
        let source = if self.rng.permille(30) {
            None
        } else if office {
            self.rng.pick(
                &[
                    (560, Some("user")),
                    (290, Some("monitoring")),
                    (150, Some("inspection")),
                ],
                Some("user"),
            )
        } else {
            self.rng.pick(
                &[
                    (360, Some("user")),
                    (490, Some("monitoring")),
                    (150, Some("inspection")),
                ],
                Some("user"),
            )
        };
        self.push_line(
            t,
            Kind::TicketOpened,
            subj,
            prod,
            Attrs::Opened { prio, source },
        );

        let (ack_d, res_d) = match prio {
            1 => (15 * MIN, 4 * HOUR),
            2 => (30 * MIN, 8 * HOUR),
            3 => (2 * HOUR, 24 * HOUR),
            _ => (4 * HOUR, 72 * HOUR),
        };
        // acknowledgement (business-time offset `a`)
        let r = self.rng.below(1000);
        let a = if r < 915 {
            Some(self.rng.range(ack_d / 20, ack_d - SEC) / SEC * SEC)
        } else if r < 920 {
            Some(ack_d)
        } else if r < 925 {
            Some(ack_d + SEC)
        } else if r < 980 {
            Some(self.rng.range(ack_d + SEC, ack_d * 4) / SEC * SEC)
        } else {
            None
        };
        let on_call = office && !in_office(t) && self.rng.permille(250);
        let ack_at = a.map(|a| {
            if on_call {
                t + self.rng.range(MIN, 15 * MIN) / SEC * SEC
            } else {
                add_business(t, a, office)
            }
        });
        let a0 = a.unwrap_or(0);
        // resolution (business-time offset `w`, pauses excluded)
        let r = self.rng.below(1000);
        let w = if r < 860 {
            let lo = (a0 + 5 * MIN).max(res_d / 10).min(res_d);
            Some(self.rng.range(lo, res_d) / SEC * SEC)
        } else if r < 870 {
            Some(res_d)
        } else if r < 940 {
            Some(self.rng.range(res_d + SEC, res_d * 3) / SEC * SEC)
        } else {
            None
        };
        // waiting for the client
        let mut resolved_at = None;
        let pause_share = if w.is_some() { 150 } else { 300 };
        if self.rng.permille(pause_share) {
            let work = w.unwrap_or(res_d * 2);
            let q = self.rng.range(a0 + MIN, (work - MIN).max(a0 + MIN)) / SEC * SEC;
            let pause_at = add_business(t, q, office).max(ack_at.unwrap_or(t) + SEC);
            let gap = self.rng.range(10 * MIN, 2 * DAY) / SEC * SEC;
            let resume_at = pause_at + gap;
            self.push_line(
                pause_at,
                Kind::TicketPaused,
                subj,
                prod,
                Attrs::One("reason", "awaiting_client"),
            );
            let resumed = w.is_some() || self.rng.permille(500);
            if resumed {
                self.push_line(resume_at, Kind::TicketResumed, subj, prod, Attrs::None);
            }
            if self.rng.permille(200) {
                if self.rng.permille(500) {
                    let again = (pause_at + self.rng.range(MIN, 10 * MIN)).min(resume_at - SEC);
                    self.push_line(
                        again.max(pause_at),
                        Kind::TicketPaused,
                        subj,
                        prod,
                        Attrs::One("reason", "awaiting_client"),
                    );
                } else if resumed {
                    let again = resume_at + self.rng.range(MIN, 30 * MIN);
                    self.push_line(again, Kind::TicketResumed, subj, prod, Attrs::None);
                }
            }
            if let Some(w) = w {
                resolved_at = Some(add_business(resume_at, w - q, office));
            }
        } else if let Some(w) = w {
            resolved_at = Some(add_business(t, w, office));
        }
        let mut ack_at = ack_at;
        if let (Some(ack), Some(res)) = (ack_at, resolved_at) {
            if ack >= res {
                // resolved on the spot: the resolve stops the response clock
                ack_at = None;
            }
        }
        if let Some(ack) = ack_at {
            self.push_line(
                ack,
                Kind::TicketAcknowledged,
                subj,
                prod,
                Attrs::One("by", if office { "desk" } else { "noc" }),
            );
        }
        // comments (unknown kind, ignored by the contract)
        if self.rng.permille(250) {
            let until = resolved_at.unwrap_or(t + 2 * DAY);
            for _ in 0..self.rng.range(1, 2) {
                let at = self.rng.range(t + MIN, until.max(t + MIN));
                self.push_line(at, Kind::TicketCommented, subj, prod, Attrs::None);
            }
        }
        let Some(res) = resolved_at else {
            return;
        };
        let resolution = self.rng.pick(
            &[(70, "fixed"), (20, "workaround"), (10, "no_fault_found")],
            "fixed",
        );
        self.push_line(
            res,
            Kind::TicketResolved,
            subj,
            prod,
            Attrs::One("resolution", resolution),
        );
        if self.rng.permille(30) {
            // reopened by the client
            let reopen = res + self.rng.range(HOUR, 2 * DAY) / SEC * SEC;
            if self.rng.permille(500) {
                let close = self.rng.range(res + 10 * MIN, reopen - MIN);
                self.push_line(close, Kind::TicketClosed, subj, prod, Attrs::None);
            }
            self.push_line(
                reopen,
                Kind::TicketReopened,
                subj,
                prod,
                Attrs::One("reason", "recurred"),
            );
            if self.rng.permille(700) {
                let w2 = self.rng.range(10 * MIN, res_d * 2 / 3) / SEC * SEC;
                let res2 = add_business(reopen, w2, office);
                self.push_line(
                    res2,
                    Kind::TicketResolved,
                    subj,
                    prod,
                    Attrs::One("resolution", "fixed"),
                );
                if self.rng.permille(600) {
                    let close = res2 + self.rng.range(HOUR, 3 * DAY);
                    self.push_line(close, Kind::TicketClosed, subj, prod, Attrs::None);
                }
            }
        } else if self.rng.permille(800) {
            let close = res + self.rng.range(HOUR, 3 * DAY);
            self.push_line(close, Kind::TicketClosed, subj, prod, Attrs::None);
        }
    }

    fn alert(&mut self, t: i64) {
        let subj = self.next_alert;
        self.next_alert += 1;
        let prod = self.rng.pick(&ALERT_PRODUCTS, P_SERVERS);
        let severity = self.rng.pick(
            &[
                (10, "critical"),
                (30, "major"),
                (45, "minor"),
                (15, "warning"),
            ],
            "minor",
        );
        let metric = match prod {
            P_SERVERS => self.rng.pick(
                &[(40, "cpu"), (30, "memory"), (20, "disk"), (10, "host_down")],
                "cpu",
            ),
            P_STORAGE => self
                .rng
                .pick(&[(60, "capacity"), (40, "io_latency")], "capacity"),
            P_DC => self.rng.pick(
                &[(40, "temperature"), (30, "humidity"), (30, "ups_battery")],
                "temperature",
            ),
            P_DB => self.rng.pick(
                &[
                    (40, "slow_query"),
                    (30, "connections"),
                    (30, "replication_lag"),
                ],
                "slow_query",
            ),
            P_PORTAL | P_CONTENT => self
                .rng
                .pick(&[(60, "http_5xx"), (40, "response_time")], "http_5xx"),
            P_WAF | P_SEC => self.rng.pick(
                &[(60, "attack_detected"), (40, "rule_update_failed")],
                "attack_detected",
            ),
            _ => self.rng.pick(
                &[(50, "link_down"), (30, "packet_loss"), (20, "bandwidth")],
                "link_down",
            ),
        };
        self.push_line(
            t,
            Kind::AlertRaised,
            subj,
            prod,
            Attrs::Alert { severity, metric },
        );
        let r = self.rng.below(1000);
        let rep = if r < 945 {
            Some(self.rng.range(30 * SEC, 15 * MIN - SEC) / SEC * SEC)
        } else if r < 955 {
            Some(15 * MIN)
        } else if r < 960 {
            Some(15 * MIN + SEC)
        } else if r < 985 {
            Some(self.rng.range(15 * MIN + SEC, 2 * HOUR) / SEC * SEC)
        } else {
            None
        };
        if let Some(d) = rep {
            let channel = if self.rng.permille(700) {
                "phone"
            } else {
                "im"
            };
            self.push_line(
                t + d,
                Kind::AlertReported,
                subj,
                prod,
                Attrs::One("channel", channel),
            );
        }
        if self.rng.permille(400) {
            let at = t + self.rng.range(5 * MIN, 6 * HOUR);
            self.push_line(at, Kind::AlertCleared, subj, prod, Attrs::None);
        }
    }

    fn maintenance_plan(&mut self, t: i64) {
        let subj = self.next_plan;
        self.next_plan += 1;
        let prod = self.rng.pick(&PLAN_PRODUCTS, P_SERVERS);
        let task = match prod {
            P_SERVERS => self.rng.pick(
                &[(40, "patching"), (30, "backup_check"), (30, "inspection")],
                "patching",
            ),
            P_STORAGE => self.rng.pick(
                &[(50, "capacity_review"), (50, "firmware_update")],
                "capacity_review",
            ),
            P_DC => self
                .rng
                .pick(&[(50, "ups_test"), (50, "inspection")], "ups_test"),
            P_DB => self.rng.pick(
                &[(50, "backup_restore_drill"), (50, "index_maintenance")],
                "backup_restore_drill",
            ),
            P_WAN | P_INET => self.rng.pick(
                &[(50, "config_backup"), (50, "line_inspection")],
                "config_backup",
            ),
            P_SEC | P_WAF => self
                .rng
                .pick(&[(50, "rule_review"), (50, "log_review")], "rule_review"),
            P_DESKTOP => "antivirus_update",
            _ => "duty_roster_review",
        };
        let due_day = local(t).day + self.rng.range(1, 14);
        let due = due_day * DAY - TZ + 17 * HOUR + 30 * MIN;
        self.push_line(
            t,
            Kind::PlanScheduled,
            subj,
            prod,
            Attrs::Due {
                due,
                key: "task",
                val: task,
            },
        );
        let r = self.rng.below(1000);
        let done = if r < 865 {
            let lo = (t + HOUR).max(due - 5 * DAY).min(due - MIN);
            Some(self.rng.range(lo, due - MIN) / SEC * SEC)
        } else if r < 880 {
            Some(due)
        } else if r < 895 {
            Some(due + SEC)
        } else if r < 965 {
            Some(due + self.rng.range(2 * SEC, 5 * DAY) / SEC * SEC)
        } else {
            None
        };
        if let Some(at) = done {
            self.push_line(at, Kind::PlanCompleted, subj, prod, Attrs::None);
        }
    }

    fn search_request(&mut self, t: i64) {
        let subj = self.next_search;
        self.next_search += 1;
        let ok = self.rng.below(1000) < 990;
        let r = self.rng.below(1000);
        let latency = if r < 700 {
            self.rng.range(40, 600)
        } else if r < 965 {
            self.rng.range(600, 2000)
        } else {
            self.rng.range(2001, 9000)
        } as u32;
        self.push_line(
            t,
            Kind::Search,
            subj,
            P_CONTENT,
            Attrs::Search { ok, latency },
        );
    }

    fn probe(&mut self, t: i64) {
        let target = self.next_probe_target % PROBE_TARGETS.len() as u64;
        self.next_probe_target += 1;
        let prod = PROBE_TARGETS
            .get(target as usize)
            .map(|x| x.1)
            .unwrap_or(P_WAN);
        let base = if prod == P_WAN {
            self.rng.range(180, 430)
        } else {
            self.rng.range(350, 750)
        };
        let tenths = if self.rng.permille(8) {
            self.rng.range(1500, 9000)
        } else {
            base
        } as u32;
        self.push_line(t, Kind::Probe, target, prod, Attrs::Probe { tenths });
    }

    // -------------------------------------------------------------------------------------
    // Output

    fn write_event(&mut self, at: i64, ev: Pending) -> io::Result<()> {
        let id = self.next_id;
        self.next_id += 1;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        format_event(&mut buf, id, at, &ev);
        let r = self.emit(&buf, at);
        self.buf = buf;
        r
    }

    fn emit(&mut self, line: &str, at: i64) -> io::Result<()> {
        if self.cfg_ooo > 0 && self.noise.permille(self.cfg_ooo) && self.held.len() < HOLD_CAP {
            let release = self.stats.lines + self.noise.range(1, 100) as u64;
            self.held.push((release, line.to_owned()));
            self.next_release = self.next_release.min(release);
        } else {
            self.write_line(line, false)?;
        }
        if self.cfg_bad > 0 && self.noise.ppm(self.cfg_bad) {
            let bad = self.malformed(at);
            self.write_raw(&bad)?;
            self.stats.malformed += 1;
        }
        self.release(false)
    }

    fn write_raw(&mut self, line: &str) -> io::Result<()> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.stats.lines += 1;
        Ok(())
    }

    fn write_line(&mut self, line: &str, is_dup: bool) -> io::Result<()> {
        self.write_raw(line)?;
        if is_dup {
            self.stats.duplicates += 1;
        } else if self.cfg_dup > 0 && self.noise.ppm(self.cfg_dup) {
            if self.dups.len() < DUP_CAP {
                let release = self.stats.lines + self.noise.range(1, 50) as u64;
                self.dups.push((release, line.to_owned()));
                self.next_release = self.next_release.min(release);
            } else {
                self.write_raw(line)?;
                self.stats.duplicates += 1;
            }
        }
        Ok(())
    }

    /// Write held lines and pending duplicates whose time has come (all of them if `all`).
    fn release(&mut self, all: bool) -> io::Result<()> {
        while all || self.stats.lines >= self.next_release {
            // earliest release first, held lines before duplicates on ties
            let h = self
                .held
                .iter()
                .enumerate()
                .min_by_key(|(_, (r, _))| *r)
                .map(|(i, (r, _))| (i, *r));
            let d = self
                .dups
                .iter()
                .enumerate()
                .min_by_key(|(_, (r, _))| *r)
                .map(|(i, (r, _))| (i, *r));
            let take_held = match (h, d) {
                (Some((_, rh)), Some((_, rd))) => rh <= rd,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => {
                    self.next_release = u64::MAX;
                    break;
                }
            };
            let due = if take_held {
                h.map(|x| x.1)
            } else {
                d.map(|x| x.1)
            }
            .unwrap_or(u64::MAX);
            if !all && due > self.stats.lines {
                self.next_release = due;
                break;
            }
            if take_held {
                if let Some((i, _)) = h {
                    let (_, line) = self.held.swap_remove(i);
                    self.write_line(&line, false)?;
                }
            } else if let Some((i, _)) = d {
                let (_, line) = self.dups.swap_remove(i);
                self.write_line(&line, true)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<GenStats> {
        self.release(true)?;
        self.out.flush()?;
        Ok(self.stats)
    }

    /// A line the reference contract rejects, drawn from a fixed list of realistic faults.
    fn malformed(&mut self, at: i64) -> String {
        let id = self.next_id;
        self.next_id += 1;
        let mut s = String::with_capacity(200);
        let mut id_s = String::new();
        push_id(&mut id_s, id);
        let mut ts = String::new();
        push_time(&mut ts, at);
        let date = ts.get(..10).unwrap_or("2026-10-01").to_owned();
        let hms = ts.get(11..19).unwrap_or("09:00:00").to_owned();
        let fault = self.noise.below(14);
        let t = self.next_ticket;
        let ticket = |s: &mut String, at_s: &str, attrs: &str| {
            s.push_str(&format!(
                "{{\"id\":\"{id_s}\",\"at\":\"{at_s}\",\"kind\":\"ticket.opened\",\"subject\":\"T-{t}\",\"product\":\"app.om_mgmt.desk\",\"party\":\"prime\",\"attrs\":{attrs}}}"
            ));
        };
        match fault {
            0 => {
                // truncated JSON (writer killed mid-line)
                let mut full = String::new();
                ticket(&mut full, &ts, "{\"priority\":\"P3\",\"source\":\"user\"}");
                let cut = full.len() * (3 + self.noise.below(6) as usize) / 10;
                s.push_str(full.get(..cut).unwrap_or("{\"id\":"));
            }
            1 => ticket(
                &mut s,
                &format!("{date}T{hms}"),
                "{\"priority\":\"P3\",\"source\":\"user\"}",
            ),
            2 => ticket(
                &mut s,
                &format!("{date}T{hms}+0800"),
                "{\"priority\":\"P4\",\"source\":\"inspection\"}",
            ),
            3 => ticket(
                &mut s,
                &format!("{date}T24:00:00+08:00"),
                "{\"priority\":\"P3\",\"source\":\"user\"}",
            ),
            4 => s.push_str(&format!(
                "{{\"at\":\"{ts}\",\"kind\":\"alert.raised\",\"subject\":\"A-{}\",\"product\":\"infra.servers\",\"party\":\"prime\",\"attrs\":{{\"severity\":\"minor\",\"metric\":\"disk\"}}}}",
                self.next_alert
            )),
            5 => s.push_str(&format!(
                "{{\"id\":\"{id_s}\",\"at\":\"{ts}\",\"kind\":\"ticket.opened\",\"subject\":\"T-{t}\",\"product\":\"app.business_support.erp\",\"party\":\"appco\",\"attrs\":{{\"priority\":\"P3\",\"source\":\"user\"}}}}"
            )),
            6 => ticket(&mut s, &ts, "{\"priority\":\"P5\",\"source\":\"user\"}"),
            7 => ticket(&mut s, &ts, "{\"source\":\"user\"}"),
            8 => s.push_str(&format!(
                "{{\"id\":\"{id_s}\",\"at\":\"{ts}\",\"kind\":\"net.probe\",\"subject\":\"PR-WAN-02\",\"product\":\"network.egov_wan\",\"party\":\"netco\",\"attrs\":{{\"latency_ms\":\"35\"}}}}"
            )),
            9 => s.push_str(&format!(
                "{{\"id\":\"{id_s}\",\"at\":\"{ts}\",\"kind\":\"search.request\",\"subject\":\"Q-{}\",\"product\":\"content.portal_info\",\"party\":\"prime\",\"attrs\":{{\"ok\":\"true\",\"latency_ms\":420}}}}",
                self.next_search
            )),
            10 => ticket(&mut s, &ts, "\"priority=P2;source=user\""),
            11 => s.push_str("[1,2]"),
            12 => ticket(
                &mut s,
                &format!("{date}T23:59:60+08:00"),
                "{\"priority\":\"P2\",\"source\":\"monitoring\"}",
            ),
            _ => s.push_str(&format!(
                "{{\"id\":\"{id_s}\",\"at\":\"{ts}\",\"kind\":\"ticket.acknowledged\",\"subject\":\"\",\"product\":\"app.om_mgmt.desk\",\"party\":\"prime\",\"attrs\":{{}}}}"
            )),
        }
        if matches!(fault, 0..=3 | 5..=7 | 10 | 12) {
            self.next_ticket += 1;
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting (all strings come from fixed ASCII tables: no JSON escaping is needed)

fn push_num(buf: &mut String, n: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut v = n;
    loop {
        i -= 1;
        if let Some(slot) = tmp.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    let digits = tmp.len() - i;
    for _ in digits..width {
        buf.push('0');
    }
    for &b in tmp.get(i..).unwrap_or(&[]) {
        buf.push(char::from(b));
    }
}

fn push_id(buf: &mut String, id: u64) {
    buf.push_str("e-");
    push_num(buf, id, 6);
}

fn push_time(buf: &mut String, ms: i64) {
    let l = local(ms);
    let (y, m, d) = civil_from_days(l.day);
    let s = l.tod / SEC;
    push_num(buf, y.max(0) as u64, 4);
    buf.push('-');
    push_num(buf, u64::from(m), 2);
    buf.push('-');
    push_num(buf, u64::from(d), 2);
    buf.push('T');
    push_num(buf, (s / 3600) as u64, 2);
    buf.push(':');
    push_num(buf, (s / 60 % 60) as u64, 2);
    buf.push(':');
    push_num(buf, (s % 60) as u64, 2);
    buf.push_str("+08:00");
}

fn push_kv(buf: &mut String, first: &mut bool, key: &str) {
    if !*first {
        buf.push(',');
    }
    *first = false;
    buf.push('"');
    buf.push_str(key);
    buf.push_str("\":");
}

fn push_str_kv(buf: &mut String, first: &mut bool, key: &str, val: &str) {
    push_kv(buf, first, key);
    buf.push('"');
    buf.push_str(val);
    buf.push('"');
}

fn format_attrs(buf: &mut String, a: &Attrs) {
    buf.push('{');
    let mut first = true;
    match *a {
        Attrs::None => {}
        Attrs::Opened { prio, source } => {
            push_kv(buf, &mut first, "priority");
            buf.push_str("\"P");
            push_num(buf, u64::from(prio), 1);
            buf.push('"');
            if let Some(src) = source {
                push_str_kv(buf, &mut first, "source", src);
            }
        }
        Attrs::One(k, v) => push_str_kv(buf, &mut first, k, v),
        Attrs::Two(k1, v1, k2, v2) => {
            push_str_kv(buf, &mut first, k1, v1);
            push_str_kv(buf, &mut first, k2, v2);
        }
        Attrs::Due { due, key, val } => {
            push_kv(buf, &mut first, "due");
            buf.push('"');
            push_time(buf, due);
            buf.push('"');
            push_str_kv(buf, &mut first, key, val);
        }
        Attrs::Alert { severity, metric } => {
            push_str_kv(buf, &mut first, "severity", severity);
            push_str_kv(buf, &mut first, "metric", metric);
        }
        Attrs::Scan { high, medium } => {
            push_kv(buf, &mut first, "high");
            push_num(buf, u64::from(high), 1);
            push_kv(buf, &mut first, "medium");
            push_num(buf, u64::from(medium), 1);
        }
        Attrs::Search { ok, latency } => {
            push_kv(buf, &mut first, "ok");
            buf.push_str(if ok { "true" } else { "false" });
            push_kv(buf, &mut first, "latency_ms");
            push_num(buf, u64::from(latency), 1);
        }
        Attrs::Probe { tenths } => {
            push_kv(buf, &mut first, "latency_ms");
            push_num(buf, u64::from(tenths / 10), 1);
            if tenths % 10 != 0 {
                buf.push('.');
                push_num(buf, u64::from(tenths % 10), 1);
            }
        }
    }
    buf.push('}');
}

fn format_event(buf: &mut String, id: u64, at: i64, ev: &Pending) {
    buf.push_str("{\"id\":\"");
    push_id(buf, id);
    buf.push_str("\",\"at\":\"");
    push_time(buf, at);
    buf.push_str("\",\"kind\":\"");
    buf.push_str(ev.kind.name());
    buf.push_str("\",\"subject\":\"");
    if ev.kind == Kind::Probe {
        let name = PROBE_TARGETS
            .get(ev.subject as usize)
            .map(|x| x.0)
            .unwrap_or("PR-WAN-01");
        buf.push_str(name);
    } else {
        buf.push_str(ev.kind.prefix());
        let width = if ev.kind.prefix() == "AS-" { 5 } else { 1 };
        push_num(buf, ev.subject, width);
    }
    buf.push_str("\",\"product\":\"");
    buf.push_str(product_name(ev.product));
    buf.push_str("\",\"party\":\"");
    buf.push_str(party(ev.product));
    buf.push_str("\",\"attrs\":");
    format_attrs(buf, &ev.attrs);
    buf.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        for d in [-1000i64, 0, 20_000, 20_727, 60_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(
            civil_from_days(days_from_civil(2026, 10, 10)),
            (2026, 10, 10)
        );
    }

    #[test]
    fn business_time() {
        // Fri Oct 9 2026 17:20 + 30 min business -> Sat Oct 10 (make-up day) 09:20
        let t = days_from_civil(2026, 10, 9) * DAY - TZ + 17 * HOUR + 20 * MIN;
        let r = add_business(t, 30 * MIN, true);
        let mut s = String::new();
        push_time(&mut s, r);
        assert_eq!(s, "2026-10-10T09:20:00+08:00");
        // Thu Oct 1 (holiday) 10:00 + 15 min -> Thu Oct 8 09:15
        let t = days_from_civil(2026, 10, 1) * DAY - TZ + 10 * HOUR;
        let mut s = String::new();
        push_time(&mut s, add_business(t, 15 * MIN, true));
        assert_eq!(s, "2026-10-08T09:15:00+08:00");
    }
}
