//! The evaluator: events in, scorecards out.
//!
//! [`Plan::compile`] turns a checked [`Contract`] into dispatch tables (which kinds are tracked
//! per subject, which are counted per event, which attributes each kind must keep, which
//! assessments see which product). An [`Evaluator`] interns ids and subjects to dense
//! integers and keeps each subject's accepted events as 24-byte records sorted by (`at`,
//! `id`), so that arrival order, batching and partitioning never change a result;
//! [`Evaluator::scorecard`] replays them for one period as of one instant.

use std::sync::Arc;

use chrono::TimeZone;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contract::{
    AttrId, AttrType, ClockCalendar, ClockDef, Cond, Contract, Counted, Deadline, EventSel, KindId,
    Literal, Measure, ProductId, Scope, SubjectId, Unit,
};
use crate::engine::clock::{self, ClockRun, Limit, Outcome, Step};
use crate::engine::score;
use crate::engine::scorecard::{
    AssessmentCard, ClockCounts, EventCounts, Ignored, IndicatorCard, Scorecard,
};
use crate::engine::store::{Logs, Names, Pool, Single, Slim, Val};
use crate::event::{AttrValue, Event, EventRecord, EventRef, Rejection, Validator};
use crate::time::calendar::{Calendar, CalendarError};
use crate::time::period::{self, Period};

/// Errors of evaluation (never of a single bad event: those are rejected, not errors).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalError {
    #[error("{0}")]
    Period(String),
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("cannot merge evaluators of different contracts")]
    ContractMismatch,
    /// reading back events spilled to disk failed
    #[error("spilled events: {0}")]
    Spill(String),
}

impl From<std::io::Error> for EvalError {
    fn from(e: std::io::Error) -> Self {
        EvalError::Spill(e.to_string())
    }
}

/// A contract compiled for evaluation. Immutable; share it behind an `Arc`.
#[derive(Debug)]
pub struct Plan {
    pub contract: Contract,
    /// per kind: events of this kind are kept in their subject's log
    tracked: Vec<bool>,
    /// per kind: events of this kind are counted one by one (per-event measures)
    per_event: Vec<bool>,
    /// per kind: the kind marks subjects for distinct counts or coverage (its events anchor
    /// in their own period)
    hit_kinds: Vec<bool>,
    /// per kind: the declared attributes some measure reads, in declaration order; the
    /// others are dropped when an event is stored
    kept: Vec<Vec<AttrId>>,
    /// per kind: the subject definitions (of the first 64) that events of this kind anchor
    anchored: Vec<u64>,
    /// per kind: the subject definitions (of the first 64) that read events of this kind
    /// (anchor, flags, clocks): an event no definition anchored counts nowhere
    read_by: Vec<u64>,
    /// per kind, per declared attribute: its place among the kept ones
    slots: Vec<Vec<Option<u32>>>,
    /// per assessment, per product: is the product in the assessment's scope
    in_scope: Vec<Vec<bool>>,
    /// per clock indicator: deadline seconds by enum index of the anchor attribute
    enum_deadlines: Vec<Option<Vec<Option<i64>>>>,
}

/// Marks the attributes a condition reads, on the kind it applies to.
fn need_cond(c: &Cond, kind: KindId, need: &mut [Vec<bool>]) {
    let mut mark = |a: AttrId| {
        if let Some(x) = need.get_mut(kind).and_then(|v| v.get_mut(a)) {
            *x = true;
        }
    };
    match c {
        Cond::Cmp { attr, .. } | Cond::In { attr, .. } | Cond::BoolAttr(attr) => mark(*attr),
        Cond::Product(_) | Cond::Flag(_) => {}
        Cond::Not(c) => need_cond(c, kind, need),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| need_cond(c, kind, need)),
    }
}

/// The attributes (per kind) that some measure, condition, deadline or anchor reads.
fn needed_attrs(c: &Contract) -> Vec<Vec<bool>> {
    let mut need: Vec<Vec<bool>> = c.kinds.iter().map(|k| vec![false; k.attrs.len()]).collect();
    let mark = |need: &mut Vec<Vec<bool>>, k: KindId, a: AttrId| {
        if let Some(x) = need.get_mut(k).and_then(|v| v.get_mut(a)) {
            *x = true;
        }
    };
    let anchor = |s: SubjectId| c.subjects.get(s).map(|s| s.anchor);
    let sel = |need: &mut Vec<Vec<bool>>, s: &EventSel| {
        if let Some(f) = &s.filter {
            need_cond(f, s.kind, need);
        }
    };
    for s in &c.subjects {
        if let Some(a) = s.anchor_at {
            mark(&mut need, s.anchor, a);
        }
        for f in &s.flags {
            for m in f.set.iter().chain(&f.clear) {
                if let Some(cd) = &m.cond {
                    need_cond(cd, m.kind, &mut need);
                }
            }
        }
    }
    for ind in &c.indicators {
        match &ind.measure {
            Measure::ClockRate(d) => {
                for m in d.matches() {
                    if let Some(cd) = &m.cond {
                        need_cond(cd, m.kind, &mut need);
                    }
                }
                if let Some(k) = anchor(d.subject) {
                    if let Some(f) = &d.filter {
                        need_cond(f, k, &mut need);
                    }
                    match &d.deadline {
                        Deadline::ByAttr { attr, .. } | Deadline::At(attr) => {
                            mark(&mut need, k, *attr)
                        }
                        Deadline::Fixed(_) => {}
                    }
                }
            }
            Measure::Ratio { num, den } => {
                for x in [num, den] {
                    match x {
                        Counted::Events(s) => sel(&mut need, s),
                        Counted::Subjects { subject, filter } => {
                            if let (Some(k), Some(f)) = (anchor(*subject), filter) {
                                need_cond(f, k, &mut need);
                            }
                        }
                    }
                }
            }
            Measure::Count(Counted::Events(s)) | Measure::Distinct(s) => sel(&mut need, s),
            Measure::Count(Counted::Subjects { subject, filter }) => {
                if let (Some(k), Some(f)) = (anchor(*subject), filter) {
                    need_cond(f, k, &mut need);
                }
            }
            Measure::Coverage { hits, inventory } => {
                sel(&mut need, hits);
                sel(&mut need, inventory);
            }
            Measure::Mean { sel: s, attr }
            | Measure::Sum { sel: s, attr }
            | Measure::Percentile { sel: s, attr, .. } => {
                sel(&mut need, s);
                mark(&mut need, s.kind, *attr);
            }
        }
    }
    need
}

impl Plan {
    pub fn compile(contract: Contract) -> Plan {
        let n_kinds = contract.kinds.len();
        let mut tracked = vec![false; n_kinds];
        let mut per_event = vec![false; n_kinds];
        let mut hit_kinds = vec![false; n_kinds];
        let mark = |v: &mut Vec<bool>, k: KindId| {
            if let Some(x) = v.get_mut(k) {
                *x = true;
            }
        };
        for s in &contract.subjects {
            mark(&mut tracked, s.anchor);
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    mark(&mut tracked, m.kind);
                }
            }
        }
        let mut anchored = vec![0u64; n_kinds];
        for (d, s) in contract.subjects.iter().enumerate().take(64) {
            if let Some(m) = anchored.get_mut(s.anchor) {
                *m |= 1 << d;
            }
        }
        let mut read_by = anchored.clone();
        let mut read = |k: KindId, d: usize| {
            if let (Some(m), true) = (read_by.get_mut(k), d < 64) {
                *m |= 1 << d;
            }
        };
        for (d, s) in contract.subjects.iter().enumerate() {
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    read(m.kind, d);
                }
            }
        }
        for ind in &contract.indicators {
            if let Measure::ClockRate(c) = &ind.measure {
                for m in c.matches() {
                    read(m.kind, c.subject);
                }
            }
        }
        let mut enum_deadlines = Vec::new();
        for ind in &contract.indicators {
            let mut table = None;
            match &ind.measure {
                Measure::ClockRate(c) => {
                    for m in c.matches() {
                        mark(&mut tracked, m.kind);
                    }
                    if let Deadline::ByAttr { attr, table: t } = &c.deadline {
                        let anchor = contract.subjects.get(c.subject).map(|s| s.anchor);
                        let ty = anchor
                            .and_then(|k| contract.kinds.get(k))
                            .and_then(|k| k.attrs.get(*attr))
                            .map(|a| &a.ty);
                        if let Some(AttrType::Enum(values)) = ty {
                            table = Some(
                                values
                                    .iter()
                                    .map(|v| t.iter().find(|(k, _)| k == v).map(|(_, s)| *s))
                                    .collect(),
                            );
                        }
                    }
                }
                Measure::Ratio { num, den } => {
                    for c in [num, den] {
                        if let Counted::Events(sel) = c {
                            mark(&mut per_event, sel.kind);
                        }
                    }
                }
                Measure::Count(Counted::Events(sel))
                | Measure::Mean { sel, .. }
                | Measure::Sum { sel, .. }
                | Measure::Percentile { sel, .. } => mark(&mut per_event, sel.kind),
                Measure::Count(Counted::Subjects { .. }) => {}
                Measure::Distinct(sel) => {
                    mark(&mut tracked, sel.kind);
                    mark(&mut hit_kinds, sel.kind);
                }
                Measure::Coverage { hits, inventory } => {
                    mark(&mut tracked, hits.kind);
                    mark(&mut hit_kinds, hits.kind);
                    mark(&mut tracked, inventory.kind);
                }
            }
            enum_deadlines.push(table);
        }
        let in_scope = contract
            .assessments
            .iter()
            .map(|a| {
                let mut v = vec![false; contract.products.len()];
                match &a.scope {
                    Scope::All => v.iter_mut().for_each(|x| *x = true),
                    Scope::Products(ps) => {
                        for p in ps {
                            if let Some(x) = v.get_mut(*p) {
                                *x = true;
                            }
                        }
                    }
                }
                v
            })
            .collect();
        let need = needed_attrs(&contract);
        let kept: Vec<Vec<AttrId>> = need
            .iter()
            .map(|v| (0..v.len()).filter(|a| v.get(*a) == Some(&true)).collect())
            .collect();
        let slots = need
            .iter()
            .zip(&kept)
            .map(|(v, k)| {
                (0..v.len())
                    .map(|a| {
                        k.iter()
                            .position(|x| *x == a)
                            .and_then(|p| u32::try_from(p).ok())
                    })
                    .collect()
            })
            .collect();
        Plan {
            contract,
            tracked,
            per_event,
            hit_kinds,
            anchored,
            read_by,
            kept,
            slots,
            in_scope,
            enum_deadlines,
        }
    }

    /// Do events of this kind need the other events of their subject (clocks, flags,
    /// anchors, distinct counts, coverage)? Others are counted one by one.
    pub(crate) fn by_subject(&self, k: Option<KindId>) -> bool {
        Plan::is(&self.tracked, k)
    }

    /// Is attribute `attr` of events of this kind read by some measure (and so stored)?
    pub(crate) fn keeps(&self, k: Option<KindId>, attr: usize) -> bool {
        k.and_then(|k| self.slots.get(k))
            .and_then(|s| s.get(attr))
            .is_some_and(Option::is_some)
    }

    fn is(v: &[bool], k: Option<KindId>) -> bool {
        k.and_then(|k| v.get(k)).copied().unwrap_or(false)
    }

    /// The name of the calendar a clock counts on for a product.
    fn calendar_name(&self, c: &ClockDef, product: ProductId) -> Option<String> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.products.get(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendars.get(id).map(|c| c.name.clone())
    }

    fn calendar(&self, c: &ClockDef, product: ProductId) -> Option<&Calendar> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.products.get(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendars.get(id).map(|c| c.calendar.as_ref())
    }
}

/// Stored events read through the plan: attribute slots, conditions, selections.
#[derive(Clone, Copy)]
struct View<'a> {
    plan: &'a Plan,
    pool: &'a Pool,
}

impl<'a> View<'a> {
    fn attr(&self, e: &Slim, a: AttrId) -> Option<Val<'a>> {
        let slot = (*self.plan.slots.get(e.kind as usize)?.get(a)?)?;
        self.pool
            .get((e.attrs as usize).checked_add(slot as usize)?)
    }

    /// Evaluates a condition on an event (and, for subjects, its flags).
    fn cond(&self, c: &Cond, e: &Slim, flags: &[bool]) -> bool {
        match c {
            Cond::Cmp { attr, op, value } => {
                let Some(v) = self.attr(e, *attr) else {
                    return false;
                };
                match (v, value) {
                    (Val::Number(a), Literal::Number(b)) => score::holds(a, *op, *b),
                    (Val::Bool(a), Literal::Bool(b)) => eq_op(*op, a == *b),
                    (Val::Text(a), Literal::Text(b)) => eq_op(*op, a == b.as_str()),
                    (Val::Enum(i), Literal::Text(b)) => {
                        eq_op(*op, self.enum_name(e, *attr, i) == Some(b.as_str()))
                    }
                    // a missing attribute satisfies only `!=`
                    (Val::Missing, _) => *op == crate::contract::CmpOp::Ne,
                    _ => false,
                }
            }
            Cond::In { attr, values } => {
                let Some(v) = self.attr(e, *attr) else {
                    return false;
                };
                values.iter().any(|l| match (v, l) {
                    (Val::Text(a), Literal::Text(b)) => a == b.as_str(),
                    (Val::Enum(i), Literal::Text(b)) => {
                        self.enum_name(e, *attr, i) == Some(b.as_str())
                    }
                    (Val::Number(a), Literal::Number(b)) => a == *b,
                    (Val::Bool(a), Literal::Bool(b)) => a == *b,
                    _ => false,
                })
            }
            Cond::Product(ps) => ps.binary_search(&(e.product as usize)).is_ok(),
            Cond::Flag(f) => flags.get(*f).copied().unwrap_or(false),
            Cond::BoolAttr(a) => matches!(self.attr(e, *a), Some(Val::Bool(true))),
            Cond::Not(c) => !self.cond(c, e, flags),
            Cond::And(cs) => cs.iter().all(|c| self.cond(c, e, flags)),
            Cond::Or(cs) => cs.iter().any(|c| self.cond(c, e, flags)),
        }
    }

    fn enum_name(&self, e: &Slim, attr: usize, i: u16) -> Option<&'a str> {
        let k = self.plan.contract.kinds.get(e.kind as usize)?;
        match &k.attrs.get(attr)?.ty {
            AttrType::Enum(vs) => vs.get(usize::from(i)).map(String::as_str),
            _ => None,
        }
    }

    fn sel(&self, s: &EventSel, e: &Slim) -> bool {
        e.kind as usize == s.kind && s.filter.as_ref().is_none_or(|c| self.cond(c, e, &[]))
    }

    fn number(&self, e: &Slim, a: AttrId) -> Option<Decimal> {
        match self.attr(e, a) {
            Some(Val::Number(n)) => Some(n),
            _ => None,
        }
    }
}

fn eq_op(op: crate::contract::CmpOp, equal: bool) -> bool {
    match op {
        crate::contract::CmpOp::Eq => equal,
        crate::contract::CmpOp::Ne => !equal,
        _ => false,
    }
}

/// The evaluator's state: what `checkpoint` saves and `merge` combines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    /// every accepted id (exact duplicate detection)
    ids: Names,
    subjects: Names,
    /// per subject: its tracked events, sorted by (`at`, `id`)
    logs: Logs,
    /// subjects with at least one tracked event
    tracked: usize,
    /// per-event measures only need each event on its own
    singles: Vec<Single>,
    /// the kept attribute values of stored events
    pool: Pool,
    max_at: Option<i64>,
    counts: EventCounts,
    rejected: Vec<Rejection>,
    /// positions (lines, items, rows) of the input so far, in the order it was fed: a
    /// merged evaluator's rejections are numbered after them (checkpoints without it: 0)
    #[serde(default)]
    positions: u64,
}

impl State {
    /// Inserts into a subject's log once [`Logs::make_room`] has succeeded; events mostly
    /// arrive in order, so this is O(1) amortised.
    #[inline]
    fn insert_made_room(&mut self, subject: u32, e: Slim) {
        if insert_in(&self.ids, &mut self.logs, subject, e) {
            self.tracked += 1;
        }
    }

    fn log(&self, subject: u32) -> &[Slim] {
        self.logs.get(subject)
    }

    fn has_log(&self, subject: u32) -> bool {
        self.logs.has(subject)
    }
}

/// Inserts `e` into a subject's log (room made) in (`at`, `id`) order; whether the log was
/// empty.
#[inline]
fn insert_in(ids: &Names, logs: &mut Logs, subject: u32, e: Slim) -> bool {
    logs.insert(subject, e, |prev| {
        prev.at > e.at
            || (prev.at == e.at && ids.get(prev.id).as_bytes() > ids.get(e.id).as_bytes())
    })
}

/// Stores the kept attribute values of an event; `None` when the pool is full.
fn keep_attrs(pool: &mut Pool, kept: &[AttrId], attrs: &[AttrValue]) -> Option<u32> {
    let at = u32::try_from(pool.len()).ok()?;
    if kept.is_empty() {
        return Some(at);
    }
    u32::try_from(pool.len() + kept.len()).ok()?;
    for a in kept {
        if pool
            .push(attrs.get(*a).unwrap_or(&AttrValue::Missing))
            .is_none()
        {
            pool.truncate(at as usize);
            return None;
        }
    }
    Some(at)
}

/// Items in flight in [`Evaluator::push_outcomes`]: how far ahead memory is fetched.
const AHEAD: usize = 16;

/// Names to re-intern from which a merge fills its id and subject tables on two threads
/// (low in unit tests, so that the split-reading tests take the threaded branch).
const PARALLEL_MERGE: usize = if cfg!(test) { 64 } else { 1 << 16 };

/// Subjects ahead of the one being scored whose logs are fetched from memory.
const LOGS_AHEAD: usize = 8;

/// Slices of the subjects per scoring thread: later subjects carry more work (long probe
/// histories), so that many small slices even the threads out.
const SLICES_PER_THREAD: usize = 16;

/// Subjects plus per-event records from which scoring is spread over threads.
const PARALLEL_SCORE: usize = if cfg!(test) { 64 } else { 1 << 15 };

/// A share of an evaluator's events for scoring: subject numbers and per-event records.
#[derive(Clone)]
struct Slice {
    subjects: std::ops::Range<u32>,
    singles: std::ops::Range<usize>,
}

/// An item of [`Evaluator::push_outcomes`] on its way in, with its hashes.
struct Ahead<'a> {
    item: Result<EventRef<'a>, Rejection>,
    id: u64,
    subject: u64,
    /// the subject's likely index, once its table slot has been read
    candidate: Option<u32>,
}

/// Why an event could not be kept.
enum Refused {
    TooMany,
    Full,
}

/// A streaming evaluator over one compiled contract.
#[derive(Debug, Clone)]
pub struct Evaluator {
    plan: Arc<Plan>,
    state: State,
    /// events that would track more subjects than this are rejected (bounded memory)
    max_subjects: usize,
    /// threads that scoring may use (see [`Evaluator::set_threads`])
    threads: usize,
}

/// Default bound on tracked subjects: far above a province's year of tickets.
pub const DEFAULT_MAX_SUBJECTS: usize = 50_000_000;

/// What happened to one pushed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    Accepted,
    Duplicate,
    Rejected(String),
}

const CHECKPOINT_FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: u32,
    contract_hash: u64,
    state: State,
}

/// Read first: a checkpoint of another format is refused before its state is read.
#[derive(Deserialize)]
struct CheckpointHeader {
    format: u32,
}

const FULL: &str =
    "evaluator storage full: more than 4 GiB of ids, subject names or attribute values";

impl Evaluator {
    pub fn new(plan: &Arc<Plan>) -> Evaluator {
        Evaluator {
            plan: Arc::clone(plan),
            state: State::default(),
            max_subjects: DEFAULT_MAX_SUBJECTS,
            threads: 1,
        }
    }

    /// Makes room for about `events` more events (a hint: saves rehashing on big inputs).
    pub fn reserve(&mut self, events: usize) {
        self.state.ids.reserve(events);
    }

    /// Bounds the number of tracked subjects; an event that would add one more is rejected
    /// with a reason (never dropped silently).
    pub fn set_max_subjects(&mut self, n: usize) {
        self.max_subjects = n;
    }

    /// Lets scoring (periods, scorecards) walk the subjects on up to `n` threads (1, the
    /// default: the calling thread only). The numbers do not depend on it.
    pub fn set_threads(&mut self, n: usize) {
        self.threads = n.max(1);
    }

    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Runs `f` on consecutive slices of the subjects and of the per-event records on up to
    /// [`Evaluator::set_threads`] threads, and returns the results in order; one slice
    /// covering everything when there are few subjects. There are a few slices per thread,
    /// each thread taking the next as it frees up: subjects differ in work.
    fn in_slices<T: Send>(&self, f: impl Fn(Slice) -> T + Sync) -> Vec<T> {
        let (subjects, singles) = (self.state.logs.subjects(), self.state.singles.len());
        let threads = if subjects + singles >= PARALLEL_SCORE {
            self.threads
        } else {
            1
        };
        let n = if threads == 1 {
            1
        } else {
            threads * SLICES_PER_THREAD
        };
        let slice = |k: usize| Slice {
            // u32: subject numbers are u32 (store::Names)
            subjects: (subjects * k / n) as u32..(subjects * (k + 1) / n) as u32,
            singles: singles * k / n..singles * (k + 1) / n,
        };
        if n == 1 {
            return vec![f(slice(0))];
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if k >= n {
                    return done;
                }
                done.push((k, f(slice(k))));
            }
        };
        let mut all = std::thread::scope(|sc| {
            let rest: Vec<_> = (1..threads).map(|_| sc.spawn(work)).collect();
            let mut all = work();
            for h in rest {
                all.extend(joined(h));
            }
            all
        });
        all.sort_by_key(|(k, _)| *k);
        all.into_iter().map(|(_, x)| x).collect()
    }

    /// Counts of accepted, duplicate and rejected events so far.
    pub fn counts(&self) -> EventCounts {
        self.state.counts
    }

    /// Rejected events with their reasons.
    pub fn rejected(&self) -> &[Rejection] {
        &self.state.rejected
    }

    /// How many positions (lines of a file, items or rows of a batch) the input fed so far
    /// holds: the next batch's positions come after them.
    pub fn positions(&self) -> u64 {
        self.state.positions
    }

    /// Counts `n` more positions of input, once a batch of them has been fed (its rejections
    /// numbered after [`Evaluator::positions`]).
    pub fn add_positions(&mut self, n: u64) {
        self.state.positions = self.state.positions.saturating_add(n);
    }

    /// Adds an event that has already been validated.
    pub fn push(&mut self, e: Event) -> Pushed {
        self.push_ref(e.as_ref())
    }

    /// Adds a validated event, borrowed (what reading a file does, without allocating).
    pub fn push_ref(&mut self, e: EventRef<'_>) -> Pushed {
        let id_hash = self.state.ids.hash(e.id);
        let subject_hash = self.state.subjects.hash(e.subject);
        self.push_ahead(e, id_hash, subject_hash)
    }

    /// The hot path: one probe of the id table (a new id is added where the probe ended),
    /// one of the subject table, then a push onto the subject's log.
    #[inline]
    fn try_push_hashed(
        &mut self,
        e: EventRef<'_>,
        id_hash: u64,
        subject_hash: u64,
    ) -> Result<Pushed, Refused> {
        let plan = &*self.plan;
        let st = &mut self.state;
        let vacant = match st.ids.lookup(id_hash, e.id) {
            Ok(_) => {
                st.counts.duplicates += 1;
                return Ok(Pushed::Duplicate);
            }
            Err(v) => v,
        };
        let tracked = Plan::is(&plan.tracked, e.kind);
        let single = Plan::is(&plan.per_event, e.kind);
        let mut subject = 0;
        if tracked || single {
            subject = match st.subjects.lookup(subject_hash, e.subject) {
                Ok(s) => s,
                Err(_) if tracked && st.tracked >= self.max_subjects => {
                    return Err(Refused::TooMany)
                }
                Err(v) => v.insert(e.subject).ok_or(Refused::Full)?,
            };
            if tracked {
                if !st.logs.has(subject) && st.tracked >= self.max_subjects {
                    return Err(Refused::TooMany);
                }
                // before anything is added, so that a full arena leaves no trace
                st.logs.make_room(subject).ok_or(Refused::Full)?;
            }
        }
        let kind = e.kind.filter(|_| tracked || single);
        let kept = kind
            .and_then(|k| plan.kept.get(k))
            .map_or(&[][..], Vec::as_slice);
        let attrs = keep_attrs(&mut st.pool, kept, e.attrs).ok_or(Refused::Full)?;
        let id = vacant.insert(e.id).ok_or(Refused::Full)?;
        st.counts.accepted += 1;
        st.max_at = Some(st.max_at.map_or(e.at, |m| m.max(e.at)));
        let Some(kind) = kind else {
            // a kind no measure reads: accepted and counted, nothing to keep
            return Ok(Pushed::Accepted);
        };
        let slim = Slim {
            at: e.at,
            id,
            kind: kind as u32,
            product: e.product as u32,
            attrs,
        };
        if single {
            st.singles.push(Single { ev: slim, subject });
        }
        if tracked {
            st.insert_made_room(subject, slim);
        }
        Ok(Pushed::Accepted)
    }

    /// Adds validated events in order: the same as calling [`Evaluator::push_ref`] on each,
    /// but faster on large inputs (see [`Evaluator::push_outcomes`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # let src = include_str!("../../examples/egov-2026.sla");
    /// let plan = Arc::new(slagrade::engine::eval::Plan::compile(slagrade::contract::check::load(src).unwrap().contract));
    /// let v = slagrade::event::Validator::new(&plan.contract);
    /// let line = br#"{"id":"e-1","at":"2026-10-09T10:00:00+08:00","kind":"ticket.opened","subject":"T-1","product":"app.business_support.oa","attrs":{"priority":"P2"}}"#;
    /// let events = vec![v.line(line).unwrap().unwrap(); 2];
    /// let mut ev = slagrade::engine::eval::Evaluator::new(&plan);
    /// let counts = ev.push_many(events.iter().map(|e| e.as_ref()));
    /// assert_eq!((counts.accepted, counts.duplicates), (1, 1));
    /// ```
    pub fn push_many<'a>(&mut self, events: impl IntoIterator<Item = EventRef<'a>>) -> EventCounts {
        self.push_outcomes(events.into_iter().map(Ok))
    }

    /// Adds validated events and records rejections, in order: exactly a sequence of
    /// [`Evaluator::push_ref`] and [`Evaluator::reject`] calls. The table slots, names and
    /// logs that the coming events will touch are fetched from memory a few events ahead,
    /// so that their cache misses overlap instead of following one another.
    pub fn push_outcomes<'a>(
        &mut self,
        items: impl IntoIterator<Item = Result<EventRef<'a>, Rejection>>,
    ) -> EventCounts {
        let before = self.state.counts;
        let mut items = items.into_iter();
        self.state.ids.reserve(items.size_hint().0);
        let mut ring: [Option<Ahead<'a>>; AHEAD] = std::array::from_fn(|_| None);
        let mut head = 0usize;
        let mut more = true;
        let mut in_flight = 0usize;
        while more || in_flight > 0 {
            // the oldest item, fetched AHEAD steps ago
            if let Some(a) = ring.get_mut(head).and_then(Option::take) {
                in_flight -= 1;
                match a.item {
                    Ok(e) => self.push_counted(e, a.id, a.subject),
                    Err(r) => self.reject(r),
                }
            }
            if more {
                match items.next() {
                    Some(item) => {
                        let st = &self.state;
                        let (id, subject) = match &item {
                            Ok(e) => (st.ids.hash(e.id), st.subjects.hash(e.subject)),
                            Err(_) => (0, 0),
                        };
                        if item.is_ok() {
                            st.ids.prefetch(id);
                            st.subjects.prefetch(subject);
                        }
                        if let Some(slot) = ring.get_mut(head) {
                            *slot = Some(Ahead {
                                item,
                                id,
                                subject,
                                candidate: None,
                            });
                            in_flight += 1;
                        }
                    }
                    None => more = false,
                }
            }
            // half-way: the subject's slot is in cache; fetch its name's offsets and log
            if let Some(Some(a)) = ring.get_mut((head + AHEAD / 2) % AHEAD) {
                if a.item.is_ok() {
                    let st = &self.state;
                    a.candidate = st.subjects.candidate(a.subject);
                    if let Some(s) = a.candidate {
                        st.subjects.prefetch_end(s);
                        st.logs.prefetch_head(s);
                    }
                }
            }
            // three quarters: fetch the name's bytes and the log's last event
            if let Some(Some(a)) = ring.get((head + AHEAD / 4) % AHEAD) {
                if let Some(s) = a.candidate {
                    let st = &self.state;
                    st.subjects.prefetch_name(s);
                    st.logs.prefetch_last(s);
                }
            }
            head = (head + 1) % AHEAD;
        }
        self.state.counts.since(before)
    }

    fn push_ahead(&mut self, e: EventRef<'_>, id_hash: u64, subject_hash: u64) -> Pushed {
        match self.try_push_hashed(e, id_hash, subject_hash) {
            Ok(p) => p,
            Err(reason) => self.refuse(reason, e.id),
        }
    }

    /// [`Evaluator::push_ahead`] for a batch, which only counts what happened.
    #[inline]
    fn push_counted(&mut self, e: EventRef<'_>, id_hash: u64, subject_hash: u64) {
        if let Err(reason) = self.try_push_hashed(e, id_hash, subject_hash) {
            self.refuse(reason, e.id);
        }
    }

    #[cold]
    fn refuse(&mut self, reason: Refused, id: &str) -> Pushed {
        let reason = match reason {
            Refused::TooMany => format!(
                "too many subjects: the evaluator tracks at most {} (see Evaluator::set_max_subjects)",
                self.max_subjects
            ),
            Refused::Full => FULL.to_string(),
        };
        self.reject(Rejection {
            line: None,
            reason: reason.clone(),
            text: id.to_string(),
        });
        Pushed::Rejected(reason)
    }

    /// Records a rejected event (counted, kept with its reason).
    pub fn reject(&mut self, r: Rejection) {
        self.state.counts.rejected += 1;
        self.state.rejected.push(r);
    }

    /// Validates and adds a caller's record.
    pub fn push_record(&mut self, r: &EventRecord) -> Pushed {
        let plan = Arc::clone(&self.plan);
        let v = Validator::new(&plan.contract);
        self.push_checked(&v, r)
    }

    fn push_checked(&mut self, v: &Validator<'_>, r: &EventRecord) -> Pushed {
        match v.record(r) {
            Ok(e) => self.push(e),
            Err(reason) => {
                self.reject(Rejection {
                    line: None,
                    reason: reason.clone(),
                    text: serde_json::to_string(r).unwrap_or_default(),
                });
                Pushed::Rejected(reason)
            }
        }
    }

    /// Validates and adds a batch of records.
    pub fn push_batch(&mut self, records: &[EventRecord]) -> EventCounts {
        let before = self.state.counts;
        let plan = Arc::clone(&self.plan);
        let v = Validator::new(&plan.contract);
        for r in records {
            self.push_checked(&v, r);
        }
        self.state.counts.since(before)
    }

    /// The default evaluation instant: the latest `at` among accepted events.
    pub fn latest(&self) -> Option<i64> {
        self.state.max_at
    }

    /// Combines an evaluator of the same contract fed other events. Over a partition of the
    /// events this gives exactly the evaluator fed everything; an id accepted on both sides
    /// is one event, `self`'s (the earlier, when evaluators are merged in input order).
    /// Other's input counts as coming after this one's: its rejections are numbered after
    /// [`Evaluator::positions`], so that evaluators of consecutive parts of an input, merged
    /// in order, number them as one pass over the whole.
    pub fn merge(&mut self, other: Evaluator) -> Result<(), EvalError> {
        if self.plan.contract.fingerprint() != other.plan.contract.fingerprint() {
            return Err(EvalError::ContractMismatch);
        }
        let mut o = other.state;
        let st = &mut self.state;
        // other's id index → self's, or None for an id already accepted here; other's
        // subject index → self's. The lookups only read this side's tables, so that on a
        // large merge they run on two threads; the names not found are then appended without
        // entering the tables, which the next push does (a command that only scores never
        // pays for it).
        st.ids.catch_up();
        st.subjects.catch_up();
        let (n_ids, n_subjects) = (o.ids.len() as u32, o.subjects.len() as u32);
        let (found_ids, found_subjects) = {
            let (mine_ids, mine_subjects, theirs) = (&st.ids, &st.subjects, &o);
            if (n_ids + n_subjects) as usize >= PARALLEL_MERGE {
                // the ids split so that both threads have about as many lookups
                let half = (n_ids + n_subjects) / 2;
                let cut = half.min(n_ids);
                std::thread::scope(|sc| {
                    let h = sc.spawn(move || {
                        (
                            mine_ids.find_all(&theirs.ids, cut..n_ids),
                            mine_subjects.find_all(&theirs.subjects, 0..n_subjects),
                        )
                    });
                    let mut ids = mine_ids.find_all(&theirs.ids, 0..cut);
                    let (rest, subjects) = h.join().unwrap_or_default();
                    ids.extend(rest);
                    (ids, subjects)
                })
            } else {
                (
                    mine_ids.find_all(&theirs.ids, 0..n_ids),
                    mine_subjects.find_all(&theirs.subjects, 0..n_subjects),
                )
            }
        };
        if found_ids.len() != n_ids as usize || found_subjects.len() != n_subjects as usize {
            return Err(EvalError::Checkpoint(
                "a merging thread stopped unexpectedly".into(),
            ));
        }
        let full = || EvalError::Checkpoint(FULL.into());
        let overlap = found_ids.iter().filter(|f| f.is_some()).count() as u64;
        let large = (n_ids + n_subjects) as usize >= PARALLEL_MERGE;
        // the two tables take their new names side by side
        let (ids, subjects) = {
            let (mine_ids, mine_subjects) = (&mut st.ids, &mut st.subjects);
            let (theirs_ids, theirs_subjects) = (&o.ids, &o.subjects);
            let (found_ids, found_subjects) = (&found_ids, &found_subjects);
            let mut subjects =
                move || mine_subjects.append_missing(theirs_subjects, found_subjects);
            if large {
                std::thread::scope(|sc| {
                    let h = sc.spawn(subjects);
                    let ids = mine_ids.append_missing(theirs_ids, found_ids);
                    (ids, joined(h))
                })
            } else {
                (mine_ids.append_missing(theirs_ids, found_ids), subjects())
            }
        };
        // each of other's ids' index here (for those `found_ids` says are new here)
        let ids = ids.ok_or_else(full)?;
        let subjects = subjects.ok_or_else(full)?;
        st.counts.accepted += u64::from(n_ids) - overlap;
        st.counts.duplicates += o.counts.duplicates + overlap;
        st.counts.rejected += o.counts.rejected;
        // other's input comes after ours: its positions are numbered on from ours, as in
        // one pass over both inputs
        crate::event::renumber(&mut o.rejected, st.positions);
        st.positions = st.positions.saturating_add(o.positions);
        st.rejected.append(&mut o.rejected);
        // other's attribute values go after ours, as they are; its logs and singles are
        // moved, not copied, with their ids and attribute offsets rewritten in place
        let base = u32::try_from(st.pool.len())
            .ok()
            .filter(|b| u32::try_from(*b as usize + o.pool.len()).is_ok())
            .ok_or_else(|| EvalError::Checkpoint(FULL.into()))?;
        // (appended below, on a large merge by the thread that rewrites half the logs)
        let (st_pool, o_pool) = (&mut st.pool, std::mem::take(&mut o.pool));
        // `false` for an event whose id was already accepted here (dropped)
        let rehome = |e: &mut Slim| match (found_ids.get(e.id as usize), ids.get(e.id as usize)) {
            (Some(None), Some(id)) => {
                e.id = *id;
                e.attrs = e.attrs.saturating_add(base);
                true
            }
            _ => false,
        };
        let mut singles = std::mem::take(&mut o.singles);
        // `false` when a single names a subject the other side does not have
        let rehome_singles = |singles: &mut Vec<Single>| {
            let mut known = true;
            singles.retain_mut(|x| {
                if !rehome(&mut x.ev) {
                    return false;
                }
                match subjects.get(x.subject as usize) {
                    Some(s) => x.subject = *s,
                    None => known = false,
                }
                true
            });
            known
        };
        // the logs' events are rewritten in place, arena slot by slot (a hole's content does
        // not matter); an event whose id was accepted here is marked, then dropped
        const DROPPED: u32 = u32::MAX;
        let rehome_slots = |slots: &mut [Slim]| {
            for e in slots {
                if !rehome(e) {
                    e.id = DROPPED;
                }
            }
        };
        // the rewriting touches every event: on a large merge, half the arena and the
        // attribute values on another thread, the other half and the singles here
        let (known, pooled) = if large {
            let slots = o.logs.slots_mut();
            let (first, second) = slots.split_at_mut(slots.len() / 2);
            std::thread::scope(|sc| {
                let h = sc.spawn(|| {
                    rehome_slots(second);
                    st_pool.append(o_pool)
                });
                rehome_slots(first);
                let known = rehome_singles(&mut singles);
                (known, joined(h))
            })
        } else {
            rehome_slots(o.logs.slots_mut());
            (rehome_singles(&mut singles), st_pool.append(o_pool))
        };
        if !known || pooled.is_none() {
            return Err(EvalError::Checkpoint(FULL.into()));
        }
        if overlap > 0 {
            o.logs.retain(|e| e.id != DROPPED);
        }
        let subject = |s: u32| -> Result<u32, EvalError> {
            subjects
                .get(s as usize)
                .copied()
                .ok_or_else(|| EvalError::Checkpoint(FULL.into()))
        };
        // other's arena goes after ours in one copy; a log of a subject new here is then
        // only a head, and the events of a subject both sides have are inserted one by one
        // (on a large merge, while another thread appends the singles)
        let State {
            ids: st_ids,
            logs: st_logs,
            tracked,
            singles: st_singles,
            ..
        } = st;
        let theirs = o.logs;
        let logs = move || -> Result<(), EvalError> {
            let blocks = st_logs.absorb(theirs).ok_or_else(full)?;
            for (s, (start, len)) in blocks.into_iter().enumerate() {
                if len == 0 {
                    continue;
                }
                let to = subject(s as u32)?;
                if st_logs.has(to) {
                    for e in st_logs.block_events(start, len) {
                        st_logs.make_room(to).ok_or_else(full)?;
                        insert_in(st_ids, st_logs, to, e);
                    }
                    st_logs.discard(start, len);
                } else {
                    st_logs.adopt(to, start, len);
                    *tracked += 1;
                }
            }
            Ok(())
        };
        if large {
            std::thread::scope(|sc| {
                let h = sc.spawn(|| st_singles.append(&mut singles));
                let done = logs();
                joined(h);
                done
            })?;
        } else {
            logs()?;
            st_singles.append(&mut singles);
        }
        let st = &mut self.state;
        if let Some(m) = o.max_at {
            st.max_at = Some(st.max_at.map_or(m, |x| x.max(m)));
        }
        Ok(())
    }

    /// Saves the state (versioned JSON, with the contract's hash).
    pub fn checkpoint(&self) -> Vec<u8> {
        let c = Checkpoint {
            format: CHECKPOINT_FORMAT,
            contract_hash: self.plan.contract.fingerprint(),
            state: self.state.clone(),
        };
        serde_json::to_vec(&c).unwrap_or_default()
    }

    /// Restores a checkpoint made under the same contract.
    pub fn restore(plan: &Arc<Plan>, bytes: &[u8]) -> Result<Evaluator, EvalError> {
        let unreadable =
            |e: serde_json::Error| EvalError::Checkpoint(format!("unreadable checkpoint: {e}"));
        let h: CheckpointHeader = serde_json::from_slice(bytes).map_err(unreadable)?;
        if h.format != CHECKPOINT_FORMAT {
            return Err(EvalError::Checkpoint(format!(
                "checkpoint format {} is not supported (expected {CHECKPOINT_FORMAT})",
                h.format
            )));
        }
        let c: Checkpoint = serde_json::from_slice(bytes).map_err(unreadable)?;
        if c.contract_hash != plan.contract.fingerprint() {
            return Err(EvalError::Checkpoint(
                "the checkpoint was made under a different contract".into(),
            ));
        }
        let mut state = c.state;
        state.tracked = state.logs.iter().filter(|l| !l.is_empty()).count();
        Ok(Evaluator {
            plan: Arc::clone(plan),
            state,
            max_subjects: DEFAULT_MAX_SUBJECTS,
            threads: 1,
        })
    }

    fn view(&self) -> View<'_> {
        View {
            plan: &self.plan,
            pool: &self.state.pool,
        }
    }

    /// Every period holding at least one anchor (subjects by their anchor, per-event
    /// measures by each event), in time order, with the number of anchors.
    pub fn anchor_periods(&self) -> Vec<(Period, u64)> {
        self.anchor_periods_as_of(None)
    }

    /// [`Evaluator::anchor_periods`] counting only events at or before `as_of` (default: the
    /// latest accepted event).
    pub fn anchor_periods_as_of(&self, as_of: Option<i64>) -> Vec<(Period, u64)> {
        let Some(as_of) = as_of.or(self.state.max_at) else {
            return Vec::new();
        };
        let mut parts = self.in_slices(|sl| self.anchors_in(sl, as_of)).into_iter();
        let mut out = parts.next().unwrap_or_default();
        for part in parts {
            for (p, n) in part {
                tally(&mut out, p.start, n, || Some(p));
            }
        }
        out
    }

    /// [`Evaluator::anchor_periods_as_of`] over one slice of the events.
    fn anchors_in(&self, sl: Slice, as_of: i64) -> Vec<(Period, u64)> {
        let c = &self.plan.contract;
        let view = self.view();
        let mut counts: Vec<(Period, u64)> = Vec::new();
        let mut found = Vec::new();
        // the period counted last: a subject's events mostly fall in one period
        let mut last = 0usize;
        let mut add = |t: i64| {
            if let Some((p, m)) = counts.get_mut(last) {
                if p.start <= t && t < p.end {
                    *m += 1;
                    return;
                }
            }
            last = tally(&mut counts, t, 1, || {
                period::period_of(c.period, c.timezone, t)
            });
        };
        let end = sl.subjects.end;
        for subject in sl.subjects {
            // logs lie anywhere in the arena: the one a few subjects on is fetched now
            if subject + (LOGS_AHEAD as u32) < end {
                self.state.logs.prefetch_log(subject + LOGS_AHEAD as u32);
            }
            let log = self.state.log(subject);
            anchors_of(view, log, as_of, &mut found);
            for (_, t) in found.iter().flatten() {
                add(*t);
            }
            for e in log {
                let k = Some(e.kind as usize);
                if e.at <= as_of
                    && Plan::is(&self.plan.hit_kinds, k)
                    && !Plan::is(&self.plan.per_event, k)
                {
                    add(e.at);
                }
            }
        }
        for x in self.state.singles.get(sl.singles).unwrap_or(&[]) {
            if x.ev.at <= as_of {
                add(x.ev.at);
            }
        }
        counts
    }

    /// The period holding the most anchors (ties: the earliest); with no anchors, the period
    /// of the latest event; `None` without events.
    pub fn default_period(&self) -> Option<Period> {
        self.default_period_as_of(None)
    }

    /// [`Evaluator::default_period`] as of an evaluation instant: only events at or before it
    /// count; with none, the period of `as_of` itself.
    pub fn default_period_as_of(&self, as_of: Option<i64>) -> Option<Period> {
        let c = &self.plan.contract;
        let mut best: Option<(Period, u64)> = None;
        for (p, n) in self.anchor_periods_as_of(as_of) {
            if best.as_ref().is_none_or(|(_, m)| n > *m) {
                best = Some((p, n));
            }
        }
        best.map(|(p, _)| p).or_else(|| {
            as_of
                .or(self.state.max_at)
                .and_then(|t| period::period_of(c.period, c.timezone, t))
        })
    }

    /// The scorecard of one period as of `as_of` (default: the latest accepted `at`).
    pub fn scorecard(&self, period: &Period, as_of: Option<i64>) -> Result<Scorecard, EvalError> {
        Ok(self.evaluate(period, as_of, false, false)?.0)
    }

    /// The scorecard plus, per assessment and indicator, what counted against it.
    pub fn explain(
        &self,
        period: &Period,
        as_of: Option<i64>,
    ) -> Result<(Scorecard, Findings), EvalError> {
        self.evaluate(period, as_of, true, false)
    }

    /// [`Evaluator::explain`], and with `all` every item measured, not only those that
    /// counted against an indicator: met clocks with their counted time, subjects and events
    /// counted in a numerator, covered inventory (samples of means, sums and percentiles
    /// are not listed).
    pub fn explain_with(
        &self,
        period: &Period,
        as_of: Option<i64>,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        self.evaluate(period, as_of, true, all)
    }

    /// Running clocks that will breach within `horizon` seconds after `now`.
    pub fn at_risk(&self, now: i64, horizon: i64) -> Result<Vec<AtRisk>, EvalError> {
        let c = &self.plan.contract;
        let view = self.view();
        let mut out = Vec::new();
        for (subject, log) in self.state.logs.iter().enumerate() {
            if log.is_empty() {
                continue;
            }
            for (ii, ind) in c.indicators.iter().enumerate() {
                let Measure::ClockRate(def) = &ind.measure else {
                    continue;
                };
                let Some(s) = c.subjects.get(def.subject) else {
                    continue;
                };
                let Some((ai, _)) = anchor_of(view, s, log, now) else {
                    continue;
                };
                let Some(anchor) = log.get(ai) else {
                    continue;
                };
                let flags = flags_of(view, def.subject, log, ai, now);
                if def
                    .filter
                    .as_ref()
                    .is_some_and(|f| !view.cond(f, anchor, &flags))
                {
                    continue;
                }
                let Some(cal) = self.plan.calendar(def, anchor.product as usize) else {
                    continue;
                };
                let limit = self.limit(ii, def, anchor);
                let run = clock::run(
                    def,
                    limit,
                    log,
                    ai,
                    now,
                    cal,
                    |cd, e| view.cond(cd, e, &[]),
                    false,
                )?;
                if run.outcome != Outcome::Pending || run.state == clock::State::Stopped {
                    continue;
                }
                let deadline = match limit {
                    Limit::Allowed(a) if run.state == clock::State::Running => {
                        Some(cal.add_working(now, a - run.elapsed)?)
                    }
                    Limit::Due(d) => Some(d),
                    _ => None,
                };
                if let Some(d) = deadline {
                    if d <= now.saturating_add(horizon) {
                        out.push(AtRisk {
                            indicator: ind.id.clone(),
                            subject: self.state.subjects.get(subject as u32).to_string(),
                            product: c
                                .products
                                .get(anchor.product as usize)
                                .map(|p| p.id.clone())
                                .unwrap_or_default(),
                            deadline: d,
                            elapsed: run.elapsed,
                            allowed: run.allowed,
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (a.deadline, &a.subject, &a.indicator).cmp(&(b.deadline, &b.subject, &b.indicator))
        });
        Ok(out)
    }

    fn limit(&self, indicator: usize, def: &ClockDef, anchor: &Slim) -> Limit {
        let view = self.view();
        match &def.deadline {
            Deadline::Fixed(s) => Limit::Allowed(*s),
            Deadline::ByAttr { attr, table } => {
                let table_by_enum = self
                    .plan
                    .enum_deadlines
                    .get(indicator)
                    .and_then(|t| t.as_ref());
                match (view.attr(anchor, *attr), table_by_enum) {
                    (Some(Val::Enum(i)), Some(t)) => t
                        .get(usize::from(i))
                        .copied()
                        .flatten()
                        .map_or(Limit::Unknown, Limit::Allowed),
                    (Some(Val::Text(v)), _) => table
                        .iter()
                        .find(|(k, _)| k == v)
                        .map_or(Limit::Unknown, |(_, s)| Limit::Allowed(*s)),
                    _ => Limit::Unknown,
                }
            }
            Deadline::At(attr) => match view.attr(anchor, *attr) {
                Some(Val::Time(t)) => Limit::Due(t),
                _ => Limit::Unknown,
            },
        }
    }

    fn evaluate(
        &self,
        period: &Period,
        as_of: Option<i64>,
        explain: bool,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        let as_of = as_of.or(self.state.max_at).unwrap_or(period.end);
        let (acc, findings) = if explain {
            self.accumulate(period, as_of, true, all, self.all())?
        } else {
            // explanations are sorted over all subjects, so only bare scoring is sliced
            let mut sum: Option<Partial> = None;
            for part in self.in_slices(|sl| self.accumulate(period, as_of, false, false, sl)) {
                Partial::add_to(&mut sum, part?.0);
            }
            (sum.unwrap_or_default(), Vec::new())
        };
        let card = self
            .plan
            .build_card(self.state.counts, period, as_of, &acc)?;
        Ok((card, unkey(findings)))
    }

    /// [`Evaluator::partials`] of one period with its findings, in place (for explaining
    /// through partitions).
    pub(crate) fn explain_part(
        &self,
        period: &Period,
        as_of: i64,
        all: bool,
    ) -> Result<(Partial, Keyed), EvalError> {
        self.accumulate(period, as_of, true, all, self.all())
    }

    /// What this evaluator's events add to each period's scorecard, as of `as_of`. Over
    /// evaluators holding disjoint sets of subjects (and of ids), the sums of their partials
    /// give exactly the scorecards of one evaluator holding everything.
    pub fn partials(&self, periods: &[Period], as_of: i64) -> Result<Vec<Partial>, EvalError> {
        periods
            .iter()
            .map(|p| Ok(self.accumulate(p, as_of, false, false, self.all())?.0))
            .collect()
    }

    /// The subjects of `range` that have a log; by name when `by_name` (for listings, so
    /// that they are deterministic: the accumulated numbers do not depend on the order).
    fn with_logs(&self, range: std::ops::Range<u32>, by_name: bool) -> Vec<u32> {
        let mut order: Vec<u32> = range.filter(|s| self.state.has_log(*s)).collect();
        if by_name {
            let names = &self.state.subjects;
            order.sort_by(|a, b| names.get(*a).cmp(names.get(*b)));
        }
        order
    }

    /// The slice of all the events.
    fn all(&self) -> Slice {
        Slice {
            subjects: 0..self.state.logs.subjects() as u32,
            singles: 0..self.state.singles.len(),
        }
    }

    fn accumulate(
        &self,
        period: &Period,
        as_of: i64,
        explain: bool,
        all: bool,
        sl: Slice,
    ) -> Result<(Partial, Keyed), EvalError> {
        // `all`: findings for every item measured, not only those against the indicator
        let all = explain && all;
        let plan = &*self.plan;
        let view = self.view();
        let c = &plan.contract;
        let n_a = c.assessments.len();
        let n_i = c.indicators.len();
        let mut acc = vec![vec![Acc::default(); n_i]; n_a];
        let mut ignored = Ignored::default();
        let mut findings: Keyed = if explain {
            vec![vec![Vec::new(); n_i]; n_a]
        } else {
            Vec::new()
        };
        let in_period = |t: i64| t >= period.start && t < period.end;
        let names = &self.state.subjects;
        let ids = &self.state.ids;
        let finder = Finder { c, names, ids };

        // subjects; sorted by name for explanations, so that they are deterministic (the
        // accumulated numbers do not depend on the order)
        let order = self.with_logs(sl.subjects, explain);
        let mut found = Vec::new();
        for (n, &subject) in order.iter().enumerate() {
            // logs lie anywhere in the arena: the one a few subjects on is fetched now
            if let Some(&ahead) = order.get(n + LOGS_AHEAD) {
                self.state.logs.prefetch_log(ahead);
            }
            let evs = self.state.log(subject);
            let read = anchors_of(view, evs, as_of, &mut found);
            ignored_in(
                view,
                evs,
                &found,
                read,
                period,
                as_of,
                &mut ignored,
                |_, _| {},
            );
            let key = Key::Subject(if explain {
                names.get(subject).to_string()
            } else {
                String::new()
            });
            // subject-type measures
            for si in 0..c.subjects.len() {
                let Some((ai, anchor_t)) = found.get(si).copied().flatten() else {
                    continue;
                };
                if !in_period(anchor_t) {
                    continue;
                }
                let Some(anchor) = evs.get(ai) else {
                    continue;
                };
                let product = anchor.product as usize;
                let flags = flags_of(view, si, evs, ai, as_of);
                for (ii, ind) in c.indicators.iter().enumerate() {
                    match &ind.measure {
                        Measure::ClockRate(def)
                            if def.subject == si
                                && def
                                    .filter
                                    .as_ref()
                                    .is_none_or(|f| view.cond(f, anchor, &flags)) =>
                        {
                            let Some(cal) = plan.calendar(def, product) else {
                                continue;
                            };
                            let run = clock::run(
                                def,
                                self.limit(ii, def, anchor),
                                evs,
                                ai,
                                as_of,
                                cal,
                                |cd, e| view.cond(cd, e, &[]),
                                explain,
                            )?;
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    match run.outcome {
                                        Outcome::Met => x.met += 1,
                                        Outcome::Breached => {
                                            x.breached += 1;
                                            x.against(product);
                                        }
                                        Outcome::Pending => x.pending += 1,
                                    }
                                }
                                if explain && (all || run.outcome != Outcome::Met) {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.clock(
                                            subject,
                                            evs,
                                            &run,
                                            plan.calendar_name(def, product),
                                        ),
                                    );
                                }
                            }
                        }
                        Measure::Ratio { num, den } => {
                            let d = subject_counts(view, den, si, anchor, &flags);
                            let n = subject_counts(view, num, si, anchor, &flags);
                            if !(d || n) {
                                continue;
                            }
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    x.den += u64::from(d);
                                    x.num += u64::from(n && d);
                                    if d && !n {
                                        x.against(product);
                                    }
                                }
                                if explain && d && (all || !n) {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.subject(
                                            subject,
                                            anchor,
                                            if n {
                                                "counted in the numerator"
                                            } else {
                                                "not counted in the numerator"
                                            },
                                        ),
                                    );
                                }
                            }
                        }
                        Measure::Count(counted)
                            if subject_counts(view, counted, si, anchor, &flags) =>
                        {
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    x.count += 1;
                                    x.against(product);
                                }
                                if explain {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.subject(subject, anchor, "counted"),
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            // distinct and coverage measures
            for (ii, ind) in c.indicators.iter().enumerate() {
                match &ind.measure {
                    Measure::Distinct(sel) => {
                        let hit = evs
                            .iter()
                            .find(|e| e.at <= as_of && in_period(e.at) && view.sel(sel, e));
                        if let Some(e) = hit {
                            let product = e.product as usize;
                            for a in 0..n_a {
                                if scoped(plan, a, product) {
                                    if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                        x.count += 1;
                                        x.against(product);
                                    }
                                }
                            }
                        }
                    }
                    Measure::Coverage { hits, inventory } => {
                        let inv = evs
                            .iter()
                            .find(|e| e.at <= as_of && e.at < period.end && view.sel(inventory, e));
                        let Some(inv) = inv else {
                            continue;
                        };
                        let product = inv.product as usize;
                        let hit = evs
                            .iter()
                            .find(|e| e.at <= as_of && in_period(e.at) && view.sel(hits, e));
                        for a in 0..n_a {
                            if !scoped(plan, a, product) {
                                continue;
                            }
                            let h = hit.is_some();
                            if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                x.den += 1;
                                x.num += u64::from(h);
                                if !h {
                                    x.against(product);
                                }
                            }
                            if explain && (all || !h) {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(
                                        subject,
                                        inv,
                                        if h {
                                            "in the inventory, covered in the period"
                                        } else {
                                            "in the inventory, not covered in the period"
                                        },
                                    ),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }

        // per-event measures
        let mut singles: Vec<&Single> = self
            .state
            .singles
            .get(sl.singles)
            .unwrap_or(&[])
            .iter()
            .filter(|x| x.ev.at <= as_of && in_period(x.ev.at))
            .collect();

        if explain {
            singles.sort_by(|a, b| (a.ev.at, ids.get(a.ev.id)).cmp(&(b.ev.at, ids.get(b.ev.id))));
        }
        for x in singles {
            let e = &x.ev;
            let key = Key::Event(
                e.at,
                if explain {
                    ids.get(e.id).to_string()
                } else {
                    String::new()
                },
            );
            let product = e.product as usize;
            for (ii, ind) in c.indicators.iter().enumerate() {
                let (sel_ok, num_ok, val): (bool, bool, Option<Decimal>) = match &ind.measure {
                    Measure::Ratio { num, den } => {
                        let d = event_counts(view, den, e);
                        (d, d && event_counts(view, num, e), None)
                    }
                    Measure::Count(Counted::Events(sel)) => (view.sel(sel, e), false, None),
                    Measure::Mean { sel, attr }
                    | Measure::Sum { sel, attr }
                    | Measure::Percentile { sel, attr, .. } => {
                        let v = view.number(e, *attr);
                        (view.sel(sel, e) && v.is_some(), false, v)
                    }
                    _ => continue,
                };
                if !sel_ok {
                    continue;
                }
                for a in 0..n_a {
                    if !scoped(plan, a, product) {
                        continue;
                    }
                    let Some(acc) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) else {
                        continue;
                    };
                    match &ind.measure {
                        Measure::Ratio { .. } => {
                            acc.den += 1;
                            acc.num += u64::from(num_ok);
                            if !num_ok {
                                acc.against(product);
                            }
                            if explain && (all || !num_ok) {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(
                                        x.subject,
                                        e,
                                        if num_ok {
                                            "counted in the numerator"
                                        } else {
                                            "not counted in the numerator"
                                        },
                                    ),
                                );
                            }
                        }
                        Measure::Count(_) => {
                            acc.count += 1;
                            acc.against(product);
                            if explain {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(x.subject, e, "counted"),
                                );
                            }
                        }
                        Measure::Percentile { .. } => {
                            acc.count += 1;
                            acc.against(product);
                            if let Some(v) = val {
                                acc.values.push(v);
                            }
                        }
                        _ => {
                            acc.count += 1;
                            acc.against(product);
                            // attribute numbers are bounded (event::MAX_NUMBER): this never
                            // saturates short of 7.9 × 10^10 samples
                            acc.sum = acc.sum.saturating_add(val.unwrap_or_default());
                        }
                    }
                }
            }
        }

        Ok((Partial { acc, ignored }, findings))
    }

    /// The accepted events of a period that count nowhere, as of `as_of` (default: the
    /// latest accepted event): events of a subject ordered before its anchor (listed in the
    /// period of the anchor), and events of subjects with no anchor (in the period of their
    /// own `at`). By subject name, then in (`at`, `id`) order.
    pub fn ignored(&self, period: &Period, as_of: Option<i64>) -> Vec<IgnoredEvent> {
        let as_of = as_of.or(self.state.max_at).unwrap_or(period.end);
        let view = self.view();
        let names = &self.state.subjects;
        let finder = Finder {
            c: &self.plan.contract,
            names,
            ids: &self.state.ids,
        };
        let order = self.with_logs(self.all().subjects, true);
        let mut out = Vec::new();
        let (mut found, mut counts) = (Vec::new(), Ignored::default());
        for subject in order {
            let evs = self.state.log(subject);
            let read = anchors_of(view, evs, as_of, &mut found);
            ignored_in(
                view,
                evs,
                &found,
                read,
                period,
                as_of,
                &mut counts,
                |e, why| {
                    out.push(IgnoredEvent {
                        subject: names.get(subject).to_string(),
                        product: finder.product(e),
                        reason: why,
                        event: finder.event(e, None),
                    })
                },
            );
        }
        out
    }
}

/// Counts the events of a subject's log that count nowhere in one period (see
/// [`Evaluator::ignored`]), each also handed to `each`. `read`: the definitions that read
/// the log's events (from [`anchors_of`]).
#[allow(clippy::too_many_arguments)]
fn ignored_in(
    view: View<'_>,
    evs: &[Slim],
    found: &[Option<(usize, i64)>],
    read: u64,
    period: &Period,
    as_of: i64,
    ignored: &mut Ignored,
    mut each: impl FnMut(&Slim, IgnoredReason),
) {
    let plan = view.plan;
    let read_by = |e: &Slim| plan.read_by.get(e.kind as usize).copied().unwrap_or(0);
    let mut anchored = 0u64;
    let mut last_anchor = 0usize;
    for (d, f) in found.iter().enumerate().take(64) {
        if let Some((i, _)) = f {
            anchored |= 1 << d;
            last_anchor = last_anchor.max(*i);
        }
    }
    // events no anchored definition reads: only where some reading definition has none
    if read & !anchored != 0 {
        // the log is sorted by `at`: the period's events are one run of it
        let lo = evs.partition_point(|e| e.at < period.start);
        let hi = evs.partition_point(|e| e.at < period.end && e.at <= as_of);
        for e in evs.get(lo..hi.max(lo)).unwrap_or(&[]) {
            let m = read_by(e);
            if m != 0 && m & anchored == 0 {
                ignored.without_anchor += 1;
                each(e, IgnoredReason::NoAnchor);
            }
        }
    }
    // events before the earliest anchor of the definitions that read them
    for (i, e) in evs.iter().enumerate().take(last_anchor) {
        if e.at > as_of {
            break;
        }
        let mut m = read_by(e) & anchored;
        let mut first: Option<(usize, i64)> = None;
        while m != 0 {
            let d = m.trailing_zeros() as usize;
            m &= m - 1;
            if let Some(Some(a)) = found.get(d) {
                if first.is_none_or(|f| a.0 < f.0) {
                    first = Some(*a);
                }
            }
        }
        let Some((_, t)) = first.filter(|(ai, _)| i < *ai) else {
            continue;
        };
        if t >= period.start && t < period.end {
            ignored.before_anchor += 1;
            each(e, IgnoredReason::BeforeAnchor);
        }
    }
}

/// Why an accepted event counts nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoredReason {
    /// ordered before its subject's anchor
    BeforeAnchor,
    /// its subject has no anchor
    NoAnchor,
}

/// An accepted event that counts nowhere, with its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredEvent {
    pub subject: String,
    pub product: String,
    pub reason: IgnoredReason,
    pub event: FindingEvent,
}

/// One evaluator's share of one period's scorecard (see [`Evaluator::partials`]).
#[derive(Debug, Clone, Default)]
pub struct Partial {
    acc: Vec<Vec<Acc>>,
    ignored: Ignored,
}

impl Partial {
    /// Adds a share to a running sum (`None`: nothing added yet).
    pub(crate) fn add_to(sum: &mut Option<Partial>, part: Partial) {
        match sum {
            Some(s) => s.add(part),
            None => *sum = Some(part),
        }
    }

    /// Adds another share of the same period.
    pub fn add(&mut self, other: Partial) {
        for (mine, theirs) in self.acc.iter_mut().zip(other.acc) {
            for (x, y) in mine.iter_mut().zip(theirs) {
                x.add(y);
            }
        }
        self.ignored.before_anchor += other.ignored.before_anchor;
        self.ignored.without_anchor += other.ignored.without_anchor;
    }
}

impl Plan {
    /// The scorecard of a period from the sum of its partials.
    pub fn scorecard_of(
        &self,
        counts: EventCounts,
        period: &Period,
        as_of: i64,
        partial: &Partial,
    ) -> Result<Scorecard, EvalError> {
        self.build_card(counts, period, as_of, partial)
    }

    fn build_card(
        &self,
        counts: EventCounts,
        period: &Period,
        as_of: i64,
        partial: &Partial,
    ) -> Result<Scorecard, EvalError> {
        let c = &self.contract;
        let acc = partial.acc.as_slice();
        let mut assessments = Vec::with_capacity(c.assessments.len());
        for (ai, a) in c.assessments.iter().enumerate() {
            // nothing measured in scope: nothing was assessed, so nothing was earned (an
            // incident count of 0 for want of data is no evidence of good service)
            let evidence: u64 = acc.get(ai).map_or(0, |v| v.iter().map(Acc::items).sum());
            let assessed = evidence > 0;
            let mut cards = Vec::with_capacity(c.indicators.len());
            for (ii, ind) in c.indicators.iter().enumerate() {
                let x = acc
                    .get(ai)
                    .and_then(|v| v.get(ii))
                    .cloned()
                    .unwrap_or_default();
                let terms = a.terms.get(ii).unwrap_or(&ind.terms);
                let (raw, clocks, ratio, samples) = measure_value(&ind.measure, x);
                let value = raw.map(|v| score::round(v, c.round_value));
                let s = value.map(|v| {
                    score::round(
                        score::score(&terms.scoring, &terms.target, v),
                        c.round_score,
                    )
                });
                cards.push(IndicatorCard {
                    id: ind.id.clone(),
                    title_zh: ind.title_zh.clone(),
                    title_en: ind.title_en.clone(),
                    level: ind.level,
                    unit: ind.unit,
                    weight: terms.weight,
                    report_only: terms.report_only,
                    value,
                    score: s,
                    target: target_text(&terms.target, ind.unit),
                    target_met: value.map(|v| score::target_met(&terms.target, v)),
                    clocks,
                    ratio,
                    samples,
                });
            }
            let scored = |lvl: Option<crate::contract::Level>| {
                score::weighted_mean(
                    cards
                        .iter()
                        .filter(|i| !i.report_only && lvl.is_none_or(|l| i.level == l))
                        .filter_map(|i| i.score.map(|s| (i.weight, s))),
                )
                .map(|s| score::round(s, c.round_score))
            };
            let party_score = scored(None).filter(|_| assessed);
            let levels = crate::contract::Level::ALL
                .iter()
                .map(|l| (*l, scored(Some(*l)).filter(|_| assessed)))
                .collect();
            let assessee = c.parties.get(a.assessee);
            let fee = assessee.and_then(|p| p.fee);
            let share = party_score.map(|s| score::payment_share(&c.payment, s));
            let fee_due = match (fee, share) {
                _ if !assessed => None,
                (Some(f), Some(s)) => Some(score::round(f * s, 2)),
                (Some(f), None) => Some(score::round(f, 2)),
                _ => None,
            };
            assessments.push(AssessmentCard {
                assessor: c
                    .parties
                    .get(a.assessor)
                    .map(|p| p.id.clone())
                    .unwrap_or_default(),
                assessee: assessee.map(|p| p.id.clone()).unwrap_or_default(),
                assessee_title: assessee.and_then(|p| p.title.clone()),
                score: party_score,
                levels,
                fee: fee.map(|f| score::round(f, 2)),
                share,
                fee_due,
                passed_through: None,
                evidence,
                indicators: cards,
            });
        }
        if c.payment.back_to_back {
            self.pass_through(acc, &mut assessments);
        }
        Ok(Scorecard {
            contract: c.name.clone(),
            period: period.key.clone(),
            period_start: period.start,
            period_end: period.end,
            as_of,
            as_of_text: format_instant(c.timezone, as_of),
            currency: c.currency.clone(),
            events: counts,
            ignored: partial.ignored,
            assessments,
        })
    }

    /// Back-to-back payment: the prime passes on to each subcontractor the part of its own
    /// deduction (in the client's assessment of the prime) that the subcontractor's products
    /// caused. Each indicator's lost points, weight × (100 − score) / Σ weights, are split by
    /// the share of the items that counted against it (breached clocks, subjects or events
    /// missing from a numerator, counted incidents; every sample for means) whose product
    /// falls in the subcontractor's assessment scope.
    fn pass_through(&self, acc: &[Vec<Acc>], cards: &mut [AssessmentCard]) {
        let c = &self.contract;
        let role = |p: usize| c.parties.get(p).map(|p| p.role);
        let Some(top) = c.assessments.iter().position(|a| {
            role(a.assessee) == Some(crate::contract::Role::Prime)
                && role(a.assessor) == Some(crate::contract::Role::Client)
        }) else {
            return;
        };
        let (Some(prime), Some(top_card)) = (c.assessments.get(top), cards.get(top)) else {
            return;
        };
        let deduction = match (top_card.fee, top_card.fee_due) {
            (Some(f), Some(d)) => f - d,
            _ => return,
        };
        let total_weight: Decimal = top_card
            .indicators
            .iter()
            .filter(|i| i.score.is_some() && !i.report_only)
            .map(|i| i.weight)
            .sum();
        // lost points and who caused them, per indicator (report-only ones lose none)
        let lost: Vec<(Decimal, &Acc)> = top_card
            .indicators
            .iter()
            .zip(acc.get(top).map(Vec::as_slice).unwrap_or(&[]))
            .filter(|(i, _)| !i.report_only)
            .filter_map(|(i, x)| {
                let s = i.score?;
                (!total_weight.is_zero())
                    .then(|| ((Decimal::ONE_HUNDRED - s) * i.weight / total_weight, x))
            })
            .collect();
        let total_lost: Decimal = lost.iter().map(|(l, _)| *l).sum();
        for (ai, a) in c.assessments.iter().enumerate() {
            if a.assessor != prime.assessee || ai == top {
                continue;
            }
            let mut points = Decimal::ZERO;
            for (l, x) in &lost {
                let all: u64 = x.against.values().sum();
                let mine: u64 = x
                    .against
                    .iter()
                    .filter(|(p, _)| scoped(self, ai, **p))
                    .map(|(_, n)| n)
                    .sum();
                if all > 0 {
                    points += *l * Decimal::from(mine) / Decimal::from(all);
                }
            }
            let passed = if total_lost.is_zero() || deduction.is_zero() {
                Decimal::ZERO
            } else {
                deduction * points / total_lost
            };
            if let Some(card) = cards.get_mut(ai).filter(|c| c.evidence > 0) {
                card.passed_through = Some(score::round(passed, 2));
            }
        }
    }
}

/// Formats Unix seconds as RFC 3339 in a time zone: `2026-11-03T17:20:00+08:00`.
pub fn format_instant(tz: chrono_tz::Tz, t: i64) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => t.to_string(),
    }
}

fn target_text(t: &crate::contract::Target, unit: Unit) -> String {
    let v = match unit {
        Unit::Fraction => format!("{}%", (t.value * Decimal::ONE_HUNDRED).normalize()),
        Unit::Millis => format!("{}ms", t.value.normalize()),
        Unit::Seconds => format!("{}s", t.value.normalize()),
        _ => t.value.normalize().to_string(),
    };
    format!("{} {v}", t.op.as_str())
}

#[derive(Debug, Clone, Default)]
struct Acc {
    met: u64,
    breached: u64,
    pending: u64,
    num: u64,
    den: u64,
    count: u64,
    sum: Decimal,
    values: Vec<Decimal>,
    /// items that counted against the indicator, by product (for back-to-back payment);
    /// for means, sums and percentiles every sample
    against: std::collections::BTreeMap<ProductId, u64>,
}

impl Acc {
    /// The items measured: clocks (pending ones too), denominators, counted events and
    /// subjects, samples.
    fn items(&self) -> u64 {
        self.met + self.breached + self.pending + self.den + self.count
    }

    fn against(&mut self, p: ProductId) {
        *self.against.entry(p).or_default() += 1;
    }

    fn add(&mut self, o: Acc) {
        self.met += o.met;
        self.breached += o.breached;
        self.pending += o.pending;
        self.num += o.num;
        self.den += o.den;
        self.count += o.count;
        self.sum = self.sum.saturating_add(o.sum);
        self.values.extend(o.values);
        for (p, n) in o.against {
            *self.against.entry(p).or_default() += n;
        }
    }
}

/// The unrounded value (None = not applicable), clock counts, ratio and sample count.
type Measured = (
    Option<Decimal>,
    Option<ClockCounts>,
    Option<(u64, u64)>,
    u64,
);

fn measure_value(m: &Measure, x: Acc) -> Measured {
    let frac = |n: u64, d: u64| (d > 0).then(|| Decimal::from(n) / Decimal::from(d));
    match m {
        Measure::ClockRate(_) => (
            frac(x.met, x.met + x.breached),
            Some(ClockCounts {
                met: x.met,
                breached: x.breached,
                pending: x.pending,
            }),
            None,
            x.met + x.breached,
        ),
        Measure::Ratio { .. } | Measure::Coverage { .. } => {
            (frac(x.num, x.den), None, Some((x.num, x.den)), x.den)
        }
        Measure::Count(_) | Measure::Distinct(_) => {
            (Some(Decimal::from(x.count)), None, None, x.count)
        }
        Measure::Mean { .. } => (
            (x.count > 0).then(|| x.sum / Decimal::from(x.count)),
            None,
            None,
            x.count,
        ),
        Measure::Sum { .. } => ((x.count > 0).then_some(x.sum), None, None, x.count),
        Measure::Percentile { p, .. } => {
            let mut v = x.values;
            // equal numbers written with different scales (1.5, 1.50) in one order whatever
            // the order the samples were added in
            v.sort_by(|a, b| a.cmp(b).then(a.scale().cmp(&b.scale())));
            let n = v.len();
            let value = (n > 0)
                .then(|| {
                    // nearest rank: ceil(p / 100 × n)
                    let rank = (*p * Decimal::from(n) / Decimal::ONE_HUNDRED).ceil();
                    let rank = usize::try_from(rank.mantissa()).ok().map(|r| r.clamp(1, n));
                    rank.and_then(|r| v.get(r - 1).copied())
                })
                .flatten();
            (value, None, None, n as u64)
        }
    }
}

/// Adds `n` to the period holding `t` in `counts` (periods by start, which tile time), or
/// inserts the period `make` gives: the periods seen are searched before one is computed
/// from the time zone, which costs a few hundred instructions. Returns where in `counts`
/// the period of `t` is (or would be), for the caller to try first next time.
fn tally(
    counts: &mut Vec<(Period, u64)>,
    t: i64,
    n: u64,
    make: impl FnOnce() -> Option<Period>,
) -> usize {
    let i = counts.partition_point(|(p, _)| p.end <= t);
    if let Some((p, m)) = counts.get_mut(i) {
        if p.start <= t {
            *m += n;
            return i;
        }
    }
    if let Some(p) = make() {
        counts.insert(i, (p, n));
    }
    i
}

/// The result of a scoped thread; its panic, if any, goes on on the joining thread (where
/// the work would have panicked done there).
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn scoped(plan: &Plan, assessment: usize, product: ProductId) -> bool {
    plan.in_scope
        .get(assessment)
        .and_then(|v| v.get(product))
        .copied()
        .unwrap_or(false)
}

/// Every subject definition's anchor in `evs` (see [`anchor_of`]), into `out` by
/// definition: one pass over the log instead of one per definition (a log without the
/// anchor kind of a definition, such as a probe target's, was read through each time).
///
/// Returns the definitions that read the events up to `as_of` (see `Plan::read_by`), or
/// all bits where the pass stopped early, so that [`ignored_in`] need not read the log
/// again when every such definition has an anchor.
fn anchors_of(
    view: View<'_>,
    evs: &[Slim],
    as_of: i64,
    out: &mut Vec<Option<(usize, i64)>>,
) -> u64 {
    let defs = &view.plan.contract.subjects;
    out.clear();
    if defs.len() > 64 {
        out.extend(defs.iter().map(|s| anchor_of(view, s, evs, as_of)));
        return u64::MAX;
    }
    out.resize(defs.len(), None);
    if defs.is_empty() {
        return 0;
    }
    // the definitions whose anchor kind has not come yet
    let mut open = u64::MAX >> (64 - defs.len());
    let mut read = 0u64;
    for (i, e) in evs.iter().enumerate() {
        if e.at > as_of {
            break;
        }
        if open == 0 {
            return u64::MAX;
        }
        let k = e.kind as usize;
        read |= view.plan.read_by.get(k).copied().unwrap_or(0);
        let mut m = view.plan.anchored.get(k).copied().unwrap_or(0) & open;
        while m != 0 {
            let d = m.trailing_zeros() as usize;
            m &= m - 1;
            open &= !(1 << d);
            if let (Some(slot), Some(s)) = (out.get_mut(d), defs.get(d)) {
                *slot = anchor_time(view, s, e).map(|t| (i, t));
            }
        }
    }
    read
}

/// The instant an anchor event stands for: its own, or the time attribute the definition
/// names (`None` when that is not a time).
fn anchor_time(view: View<'_>, s: &crate::contract::Subject, e: &Slim) -> Option<i64> {
    match s.anchor_at {
        None => Some(e.at),
        Some(a) => match view.attr(e, a) {
            Some(Val::Time(t)) => Some(t),
            _ => None,
        },
    }
}

/// The anchor of a subject type in a log: index of the first anchor event at or before
/// `as_of`, and the anchor instant (its `at`, or its `anchor_at` time attribute).
fn anchor_of(
    view: View<'_>,
    s: &crate::contract::Subject,
    evs: &[Slim],
    as_of: i64,
) -> Option<(usize, i64)> {
    let (i, e) = evs
        .iter()
        .enumerate()
        .take_while(|(_, e)| e.at <= as_of)
        .find(|(_, e)| e.kind as usize == s.anchor)?;
    Some((i, anchor_time(view, s, e)?))
}

/// Flags of a subject as of `as_of`: the last set or clear after the anchor wins.
fn flags_of(view: View<'_>, si: SubjectId, evs: &[Slim], anchor: usize, as_of: i64) -> Vec<bool> {
    let Some(s) = view.plan.contract.subjects.get(si) else {
        return Vec::new();
    };
    s.flags
        .iter()
        .map(|f| {
            let mut on = false;
            for e in evs.iter().skip(anchor).take_while(|e| e.at <= as_of) {
                if clock::matches(&f.set, e, |c, e| view.cond(c, e, &[])) {
                    on = true;
                } else if clock::matches(&f.clear, e, |c, e| view.cond(c, e, &[])) {
                    on = false;
                }
            }
            on
        })
        .collect()
}

fn subject_counts(
    view: View<'_>,
    c: &Counted,
    si: SubjectId,
    anchor: &Slim,
    flags: &[bool],
) -> bool {
    match c {
        Counted::Subjects { subject, filter } => {
            *subject == si && filter.as_ref().is_none_or(|f| view.cond(f, anchor, flags))
        }
        Counted::Events(_) => false,
    }
}

fn event_counts(view: View<'_>, c: &Counted, e: &Slim) -> bool {
    match c {
        Counted::Events(sel) => view.sel(sel, e),
        Counted::Subjects { .. } => false,
    }
}

/// What counted against each indicator: per assessment, per indicator, the findings.
pub type Findings = Vec<Vec<Vec<Finding>>>;

/// Something that counted against an indicator in one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub subject: String,
    pub product: String,
    /// `breached`, `pending`, `not counted in the numerator`, `counted`, ...
    pub status: String,
    /// counted seconds, for clocks
    pub elapsed: Option<i64>,
    /// allowed seconds, for duration deadlines
    pub allowed: Option<i64>,
    /// due instant (RFC 3339), for absolute deadlines
    pub due: Option<String>,
    /// the calendar whose working time `elapsed` and `allowed` count, for clocks
    pub calendar: Option<String>,
    /// the events that moved the clock or make up the finding: (id, kind, at, step)
    pub events: Vec<FindingEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvent {
    pub id: String,
    pub kind: String,
    pub at: String,
    pub step: Option<Step>,
}

/// Where a finding stands in its list: subjects' findings first, by subject name, then
/// single events', by (`at`, `id`): the order of an in-memory explanation, which findings
/// from several partitions are sorted back into.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Subject(String),
    Event(i64, String),
}

/// Findings with their place (see [`Key`]).
pub(crate) type Keyed = Vec<Vec<Vec<(Key, Finding)>>>;

fn push_finding(f: &mut Keyed, a: usize, i: usize, key: &Key, x: Finding) {
    if let Some(v) = f.get_mut(a).and_then(|v| v.get_mut(i)) {
        v.push((key.clone(), x));
    }
}

/// Drops the places of findings already in order.
pub(crate) fn unkey(f: Keyed) -> Findings {
    f.into_iter()
        .map(|a| {
            a.into_iter()
                .map(|i| i.into_iter().map(|(_, x)| x).collect())
                .collect()
        })
        .collect()
}

/// Builds findings: turns interned names and stored events back into text.
struct Finder<'a> {
    c: &'a Contract,
    names: &'a Names,
    ids: &'a Names,
}

impl Finder<'_> {
    fn kind_name(&self, e: &Slim) -> String {
        self.c
            .kinds
            .get(e.kind as usize)
            .map(|k| k.name.clone())
            .unwrap_or_default()
    }

    fn product(&self, e: &Slim) -> String {
        self.c
            .products
            .get(e.product as usize)
            .map(|p| p.id.clone())
            .unwrap_or_default()
    }

    fn event(&self, e: &Slim, step: Option<Step>) -> FindingEvent {
        FindingEvent {
            id: self.ids.get(e.id).to_string(),
            kind: self.kind_name(e),
            at: format_instant(self.c.timezone, e.at),
            step,
        }
    }

    fn clock(
        &self,
        subject: u32,
        evs: &[Slim],
        run: &ClockRun,
        calendar: Option<String>,
    ) -> Finding {
        Finding {
            subject: self.names.get(subject).to_string(),
            product: run
                .steps
                .first()
                .and_then(|(i, _)| evs.get(*i))
                .map(|e| self.product(e))
                .unwrap_or_default(),
            status: match run.outcome {
                Outcome::Met => "met",
                Outcome::Breached => "breached",
                Outcome::Pending => "pending",
            }
            .into(),
            elapsed: run.due.is_none().then_some(run.elapsed),
            allowed: run.allowed,
            due: run.due.map(|d| format_instant(self.c.timezone, d)),
            calendar: run.due.is_none().then_some(calendar).flatten(),
            events: run
                .steps
                .iter()
                .filter_map(|(i, s)| evs.get(*i).map(|e| self.event(e, Some(*s))))
                .collect(),
        }
    }

    fn subject(&self, subject: u32, anchor: &Slim, status: &str) -> Finding {
        Finding {
            subject: self.names.get(subject).to_string(),
            product: self.product(anchor),
            status: status.into(),
            elapsed: None,
            allowed: None,
            due: None,
            calendar: None,
            events: vec![self.event(anchor, None)],
        }
    }
}

/// A running clock close to its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRisk {
    pub indicator: String,
    pub subject: String,
    pub product: String,
    /// the instant it breaches (Unix seconds)
    pub deadline: i64,
    pub elapsed: i64,
    pub allowed: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{read_jsonl, Limits, LineOutcome};
    use proptest::prelude::*;

    fn plan() -> Arc<Plan> {
        let src = include_str!("../../examples/egov-2026.sla");
        Arc::new(Plan::compile(
            crate::contract::check::load(src)
                .map(|l| l.contract)
                .unwrap(),
        ))
    }

    /// An evaluator fed a generated stream (out of order, with duplicates and bad lines).
    /// A generated stream with events out of order, duplicates and malformed lines.
    fn stream(seed: u64, events: u64) -> Vec<u8> {
        let cfg = slagrade_gen::GenConfig {
            seed,
            events,
            out_of_order_permille: 100,
            duplicates_ppm: 5_000,
            malformed_ppm: 5_000,
            from: (2026, 1),
            to: (2026, 4),
        };
        let mut buf = Vec::new();
        slagrade_gen::generate(&cfg, &mut buf).unwrap();
        buf
    }

    /// An evaluator fed JSON Lines, rejected lines recorded.
    fn fed_lines(plan: &Arc<Plan>, lines: &[u8]) -> Evaluator {
        let mut ev = Evaluator::new(plan);
        read_jsonl(&plan.contract, lines, Limits::default(), |o| match o {
            LineOutcome::Accepted(e) => drop(ev.push(e)),
            LineOutcome::Rejected(r) => ev.reject(r),
        })
        .unwrap();
        ev
    }

    fn fed(plan: &Arc<Plan>, seed: u64, events: u64) -> Evaluator {
        fed_lines(plan, &stream(seed, events))
    }

    /// Evaluators of consecutive parts of a stream, merged in order, number their rejected
    /// lines as one pass over the whole stream does (each part's lines after those before).
    #[test]
    fn merged_parts_number_rejections_as_one_pass() {
        let plan = plan();
        let text = stream(11, 3000);
        let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
        let whole = fed_lines(&plan, &text);
        assert!(whole.rejected().len() >= 5);
        let mut parts = [0..700, 700..701, 701..lines.len()].map(|r| {
            let part: Vec<u8> = lines[r.clone()].concat();
            let mut ev = fed_lines(&plan, &part);
            ev.add_positions(r.len() as u64);
            ev
        });
        let [first, second, third] = &mut parts;
        let (second, third) = (
            std::mem::replace(second, Evaluator::new(&plan)),
            std::mem::replace(third, Evaluator::new(&plan)),
        );
        // a part read on its own numbers from 1
        assert!(third.rejected().iter().any(|r| r.line < Some(700)));
        first.merge(second).unwrap();
        let restored = Evaluator::restore(&plan, &first.checkpoint()).unwrap();
        let mut first = restored;
        first.merge(third).unwrap();
        assert_eq!(first.rejected(), whole.rejected());
        assert_eq!(first.positions(), lines.len() as u64);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Scoring on several threads walks slices of the subjects and of the per-event
        /// records and adds them up: the same periods and scorecards as one thread.
        #[test]
        fn scoring_on_threads_is_scoring_on_one(
            seed in 0u64..1000,
            events in 1u64..1500,
            threads in 2usize..5,
            as_of_back in prop_oneof![Just(None), (0i64..60 * 86_400).prop_map(Some)],
        ) {
            let plan = plan();
            let mut ev = fed(&plan, seed, events);
            let as_of = as_of_back.and_then(|b| ev.state.max_at.map(|m| m - b));
            let one = ev.anchor_periods_as_of(as_of);
            let cards = |ev: &Evaluator| -> Vec<serde_json::Value> {
                one.iter()
                    .map(|(p, _)| ev.scorecard(p, as_of).unwrap().to_json())
                    .collect()
            };
            let before = cards(&ev);
            let default = ev.default_period_as_of(as_of);
            ev.set_threads(threads);
            prop_assert!(ev.state.logs.subjects() + ev.state.singles.len() < PARALLEL_SCORE
                || ev.in_slices(|s| s.subjects.len()).len() == threads * SLICES_PER_THREAD);
            prop_assert_eq!(ev.anchor_periods_as_of(as_of), one.clone());
            prop_assert_eq!(ev.default_period_as_of(as_of), default);
            prop_assert_eq!(cards(&ev), before);
        }
    }

    /// One pass over a log finds each subject definition's anchor where one pass per
    /// definition does, at any evaluation instant.
    #[test]
    fn anchors_in_one_pass_are_the_anchors_one_by_one() {
        let plan = plan();
        // every line again under another id: each anchor comes twice in its log, at one instant
        let text = String::from_utf8(stream(5, 4000)).unwrap();
        let doubled: String = text
            .lines()
            .flat_map(|l| [l.to_string(), l.replace(r#""id":""#, r#""id":"again-"#)])
            .map(|l| l + "\n")
            .collect();
        let ev = fed_lines(&plan, doubled.as_bytes());
        let view = ev.view();
        let defs = &plan.contract.subjects;
        assert!(defs.len() >= 2);
        let (mut found, mut anchored) = (Vec::new(), 0);
        let latest = ev.latest().unwrap();
        for subject in 0..ev.state.logs.subjects() as u32 {
            let log = ev.state.log(subject);
            for as_of in [latest, latest - 20 * 86_400, latest - 90 * 86_400, i64::MIN] {
                anchors_of(view, log, as_of, &mut found);
                let one_by_one: Vec<_> = defs
                    .iter()
                    .map(|s| anchor_of(view, s, log, as_of))
                    .collect();
                assert_eq!(found, one_by_one, "subject {subject}, as of {as_of}");
                anchored += found.iter().flatten().count();
            }
        }
        assert!(anchored > 1000, "{anchored}");
    }

    #[test]
    fn slices_cover_every_subject_and_record_once() {
        let plan = plan();
        let mut ev = fed(&plan, 7, 3000);
        for threads in 1..6 {
            ev.set_threads(threads);
            let parts = ev.in_slices(|s| s);
            assert_eq!(
                parts.len(),
                if threads == 1 {
                    1
                } else {
                    threads * SLICES_PER_THREAD
                }
            );
            let (mut subjects, mut singles) = (0u32, 0usize);
            for s in parts {
                assert_eq!(s.subjects.start, subjects);
                assert_eq!(s.singles.start, singles);
                (subjects, singles) = (s.subjects.end, s.singles.end);
            }
            assert_eq!(subjects as usize, ev.state.logs.subjects());
            assert_eq!(singles, ev.state.singles.len());
        }
    }

    #[test]
    fn a_percentile_does_not_depend_on_the_order_of_equal_samples() {
        let m = Measure::Percentile {
            p: Decimal::from(50),
            sel: EventSel {
                kind: 0,
                filter: None,
            },
            attr: 0,
        };
        let (a, b) = (Decimal::new(15, 1), Decimal::new(150, 2));
        let value = |values: Vec<Decimal>| {
            let x = Acc {
                values,
                ..Acc::default()
            };
            measure_value(&m, x).0.map(|v| v.to_string())
        };
        assert_eq!(value(vec![a, b]), value(vec![b, a]));
        assert_eq!(value(vec![a, b]).as_deref(), Some("1.5"));
    }
}
