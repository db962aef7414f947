//! The evaluator: events in, scorecards out.
//!
//! [`Plan::compile`] turns a checked [`Contract`] into dispatch tables (which kinds are tracked
//! per subject, which are counted per event, which assessments see which product). An
//! [`Evaluator`] keeps the accepted events per subject, sorted by (`at`, `id`), so that arrival
//! order, batching and partitioning never change a result; [`Evaluator::scorecard`] replays
//! them for one period as of one instant.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::TimeZone;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::clock::{self, ClockRun, Limit, Outcome, Step};
use crate::contract::{
    AttrType, ClockCalendar, ClockDef, Cond, Contract, Counted, Deadline, EventSel, KindId,
    Literal, Measure, ProductId, Scope, SubjectId, Unit,
};
use crate::event::{AttrValue, Event, EventRecord, Rejection, Validator};
use crate::period::{self, Period};
use crate::score;
use crate::scorecard::{AssessmentCard, ClockCounts, EventCounts, IndicatorCard, Scorecard};

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
    /// per assessment, per product: is the product in the assessment's scope
    in_scope: Vec<Vec<bool>>,
    /// per clock indicator: deadline seconds by enum index of the anchor attribute
    enum_deadlines: Vec<Option<Vec<Option<i64>>>>,
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
        let mut enum_deadlines = Vec::new();
        for ind in &contract.indicators {
            let mut table = None;
            match &ind.measure {
                Measure::ClockRate(c) => {
                    for m in c
                        .start
                        .iter()
                        .chain(&c.stop)
                        .chain(&c.pause)
                        .chain(&c.resume)
                        .chain(&c.restart)
                        .chain(&c.reset)
                    {
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
        Plan {
            contract,
            tracked,
            per_event,
            hit_kinds,
            in_scope,
            enum_deadlines,
        }
    }

    fn is(v: &[bool], k: Option<KindId>) -> bool {
        k.and_then(|k| v.get(k)).copied().unwrap_or(false)
    }

    fn calendar(&self, c: &ClockDef, product: ProductId) -> Option<&Calendar> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.products.get(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendars.get(id).map(|c| c.calendar.as_ref())
    }

    /// Evaluates a condition on an event (and, for subjects, its flags).
    fn cond(&self, c: &Cond, e: &Event, flags: &[bool]) -> bool {
        match c {
            Cond::Cmp { attr, op, value } => {
                let Some(v) = e.attrs.get(*attr) else {
                    return false;
                };
                match (v, value) {
                    (AttrValue::Number(a), Literal::Number(b)) => score::holds(*a, *op, *b),
                    (AttrValue::Bool(a), Literal::Bool(b)) => eq_op(*op, a == b),
                    (AttrValue::Text(a), Literal::Text(b)) => eq_op(*op, a == b),
                    (AttrValue::Enum(i), Literal::Text(b)) => {
                        eq_op(*op, self.enum_name(e, *attr, *i) == Some(b.as_str()))
                    }
                    // a missing attribute satisfies only `!=`
                    (AttrValue::Missing, _) => *op == crate::contract::CmpOp::Ne,
                    _ => false,
                }
            }
            Cond::In { attr, values } => {
                let Some(v) = e.attrs.get(*attr) else {
                    return false;
                };
                values.iter().any(|l| match (v, l) {
                    (AttrValue::Text(a), Literal::Text(b)) => a == b,
                    (AttrValue::Enum(i), Literal::Text(b)) => {
                        self.enum_name(e, *attr, *i) == Some(b.as_str())
                    }
                    (AttrValue::Number(a), Literal::Number(b)) => a == b,
                    (AttrValue::Bool(a), Literal::Bool(b)) => a == b,
                    _ => false,
                })
            }
            Cond::Product(ps) => ps.binary_search(&e.product).is_ok(),
            Cond::Flag(f) => flags.get(*f).copied().unwrap_or(false),
            Cond::BoolAttr(a) => matches!(e.attrs.get(*a), Some(AttrValue::Bool(true))),
            Cond::Not(c) => !self.cond(c, e, flags),
            Cond::And(cs) => cs.iter().all(|c| self.cond(c, e, flags)),
            Cond::Or(cs) => cs.iter().any(|c| self.cond(c, e, flags)),
        }
    }

    fn enum_name(&self, e: &Event, attr: usize, i: u16) -> Option<&str> {
        let k = self.contract.kinds.get(e.kind?)?;
        match &k.attrs.get(attr)?.ty {
            AttrType::Enum(vs) => vs.get(usize::from(i)).map(String::as_str),
            _ => None,
        }
    }

    fn sel(&self, s: &EventSel, e: &Event) -> bool {
        e.kind == Some(s.kind) && s.filter.as_ref().is_none_or(|c| self.cond(c, e, &[]))
    }
}

fn eq_op(op: crate::contract::CmpOp, equal: bool) -> bool {
    match op {
        crate::contract::CmpOp::Eq => equal,
        crate::contract::CmpOp::Ne => !equal,
        _ => false,
    }
}

/// Accepted events of one subject, sorted by (`at`, `id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Log {
    events: Vec<Event>,
}

impl Log {
    /// Inserts keeping the order; events mostly arrive in order, so this is O(1) amortised.
    fn insert(&mut self, e: Event) {
        let mut i = self.events.len();
        while i > 0 {
            match self.events.get(i - 1) {
                Some(prev) if (prev.at, prev.id.as_bytes()) > (e.at, e.id.as_bytes()) => i -= 1,
                _ => break,
            }
        }
        self.events.insert(i, e);
    }
}

/// The evaluator's state: what `checkpoint` saves and `merge` combines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    // hashbrown's default hasher is seeded per process: fast, and not open to hash
    // flooding by crafted ids
    seen: hashbrown::HashSet<Arc<str>>,
    logs: hashbrown::HashMap<String, Log>,
    /// per-event measures only need each event on its own
    singles: Vec<Event>,
    max_at: Option<i64>,
    counts: EventCounts,
    rejected: Vec<Rejection>,
}

/// A streaming evaluator over one compiled contract.
#[derive(Debug, Clone)]
pub struct Evaluator {
    plan: Arc<Plan>,
    state: State,
    /// events that would track more subjects than this are rejected (bounded memory)
    max_subjects: usize,
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

const CHECKPOINT_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: u32,
    contract_hash: u64,
    state: State,
}

impl Evaluator {
    pub fn new(plan: &Arc<Plan>) -> Evaluator {
        Evaluator {
            plan: Arc::clone(plan),
            state: State::default(),
            max_subjects: DEFAULT_MAX_SUBJECTS,
        }
    }

    /// Makes room for about `events` more events (a hint: saves rehashing on big inputs).
    pub fn reserve(&mut self, events: usize) {
        self.state.seen.reserve(events);
    }

    /// Bounds the number of tracked subjects; an event that would add one more is rejected
    /// with a reason (never dropped silently).
    pub fn set_max_subjects(&mut self, n: usize) {
        self.max_subjects = n;
    }

    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Counts of accepted, duplicate and rejected events so far.
    pub fn counts(&self) -> EventCounts {
        self.state.counts
    }

    /// Rejected events with their reasons.
    pub fn rejected(&self) -> &[Rejection] {
        &self.state.rejected
    }

    /// Adds an event that has already been validated.
    pub fn push(&mut self, e: Event) -> Pushed {
        if self.state.seen.contains(&*e.id) {
            self.state.counts.duplicates += 1;
            return Pushed::Duplicate;
        }
        if self.state.logs.len() >= self.max_subjects
            && Plan::is(&self.plan.tracked, e.kind)
            && !self.state.logs.contains_key(e.subject.as_str())
        {
            let reason = format!(
                "too many subjects: the evaluator tracks at most {} (see Evaluator::set_max_subjects)",
                self.max_subjects
            );
            self.reject(Rejection {
                line: None,
                reason: reason.clone(),
                text: e.id.to_string(),
            });
            return Pushed::Rejected(reason);
        }
        self.state.seen.insert(e.id.clone());
        self.state.counts.accepted += 1;
        self.store(e);
        Pushed::Accepted
    }

    /// Keeps an accepted, new event where the measures that use its kind will find it.
    fn store(&mut self, mut e: Event) {
        self.state.max_at = Some(self.state.max_at.map_or(e.at, |m| m.max(e.at)));
        let tracked = Plan::is(&self.plan.tracked, e.kind);
        let single = Plan::is(&self.plan.per_event, e.kind);
        if single {
            if tracked {
                self.state.singles.push(e.clone());
            } else {
                self.state.singles.push(e);
                return;
            }
        }
        if tracked {
            // the log's key holds the subject's name: events in a log keep none of their own
            let name = std::mem::take(&mut e.subject);
            match self.state.logs.get_mut(name.as_str()) {
                Some(log) => log.insert(e),
                None => {
                    self.state.logs.insert(name, Log { events: vec![e] });
                }
            }
        }
    }

    /// Adds an event to the log of a subject known by name (for merging logs).
    fn track(&mut self, name: &str, e: Event) {
        match self.state.logs.get_mut(name) {
            Some(log) => log.insert(e),
            None => {
                self.state
                    .logs
                    .insert(name.to_string(), Log { events: vec![e] });
            }
        }
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
        EventCounts {
            accepted: self.state.counts.accepted - before.accepted,
            duplicates: self.state.counts.duplicates - before.duplicates,
            rejected: self.state.counts.rejected - before.rejected,
        }
    }

    /// The default evaluation instant: the latest `at` among accepted events.
    pub fn latest(&self) -> Option<i64> {
        self.state.max_at
    }

    /// Combines an evaluator of the same contract fed other events. Over a partition of the
    /// events this gives exactly the evaluator fed everything.
    pub fn merge(&mut self, other: Evaluator) -> Result<(), EvalError> {
        if self.plan.contract.source_hash != other.plan.contract.source_hash {
            return Err(EvalError::ContractMismatch);
        }
        let o = other.state;
        // an id accepted on both sides is one event: accepted once, the other a duplicate
        let mut overlap = HashSet::new();
        for id in o.seen {
            if self.state.seen.contains(&id) {
                overlap.insert(id);
            } else {
                self.state.seen.insert(id);
                self.state.counts.accepted += 1;
            }
        }
        self.state.counts.duplicates += o.counts.duplicates + overlap.len() as u64;
        self.state.counts.rejected += o.counts.rejected;
        self.state.rejected.extend(o.rejected);
        for (name, log) in o.logs {
            for e in log.events {
                if overlap.contains(&e.id) {
                    continue;
                }
                if Plan::is(&self.plan.per_event, e.kind) {
                    // counted one by one too: its copy there needs the subject's name
                    let mut single = e.clone();
                    single.subject = name.clone();
                    self.state.singles.push(single);
                }
                self.track(&name, e);
            }
        }
        for e in o.singles {
            // tracked singles were stored with their subject's log above
            if !overlap.contains(&e.id) && !Plan::is(&self.plan.tracked, e.kind) {
                self.store(e);
            }
        }
        if let Some(m) = o.max_at {
            self.state.max_at = Some(self.state.max_at.map_or(m, |x| x.max(m)));
        }
        Ok(())
    }

    /// Saves the state (versioned JSON, with the contract's hash).
    pub fn checkpoint(&self) -> Vec<u8> {
        let c = Checkpoint {
            format: CHECKPOINT_FORMAT,
            contract_hash: self.plan.contract.source_hash,
            state: self.state.clone(),
        };
        serde_json::to_vec(&c).unwrap_or_default()
    }

    /// Restores a checkpoint made under the same contract.
    pub fn restore(plan: &Arc<Plan>, bytes: &[u8]) -> Result<Evaluator, EvalError> {
        let c: Checkpoint = serde_json::from_slice(bytes)
            .map_err(|e| EvalError::Checkpoint(format!("unreadable checkpoint: {e}")))?;
        if c.format != CHECKPOINT_FORMAT {
            return Err(EvalError::Checkpoint(format!(
                "checkpoint format {} is not supported (expected {CHECKPOINT_FORMAT})",
                c.format
            )));
        }
        if c.contract_hash != plan.contract.source_hash {
            return Err(EvalError::Checkpoint(
                "the checkpoint was made under a different contract".into(),
            ));
        }
        Ok(Evaluator {
            plan: Arc::clone(plan),
            state: c.state,
            max_subjects: DEFAULT_MAX_SUBJECTS,
        })
    }

    /// Every period holding at least one anchor (subjects by their anchor, per-event
    /// measures by each event), in time order, with the number of anchors.
    pub fn anchor_periods(&self) -> Vec<(Period, u64)> {
        self.anchor_periods_as_of(None)
    }

    /// [`Evaluator::anchor_periods`] counting only events at or before `as_of` (default: the
    /// latest accepted event).
    pub fn anchor_periods_as_of(&self, as_of: Option<i64>) -> Vec<(Period, u64)> {
        let c = &self.plan.contract;
        let Some(as_of) = as_of.or(self.state.max_at) else {
            return Vec::new();
        };
        let mut counts: HashMap<Period, u64> = HashMap::new();
        // events come mostly in time order: the last period found usually holds the next one
        let mut last: Option<Period> = None;
        let mut add = |t: i64| {
            let hit = last.as_ref().is_some_and(|p| p.start <= t && t < p.end);
            if !hit {
                last = period::period_of(c.period, c.timezone, t);
            }
            if let Some(p) = &last {
                match counts.get_mut(p) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(p.clone(), 1);
                    }
                }
            }
        };
        for log in self.state.logs.values() {
            for s in &c.subjects {
                if let Some((_, t)) = anchor_of(&self.plan, s, &log.events, as_of) {
                    add(t);
                }
            }
        }
        for log in self.state.logs.values() {
            for e in &log.events {
                if e.at <= as_of
                    && Plan::is(&self.plan.hit_kinds, e.kind)
                    && !Plan::is(&self.plan.per_event, e.kind)
                {
                    add(e.at);
                }
            }
        }
        for e in &self.state.singles {
            if e.at <= as_of {
                add(e.at);
            }
        }
        let mut v: Vec<(Period, u64)> = counts.into_iter().collect();
        v.sort();
        v
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
        Ok(self.evaluate(period, as_of, false)?.0)
    }

    /// The scorecard plus, per assessment and indicator, what counted against it.
    pub fn explain(
        &self,
        period: &Period,
        as_of: Option<i64>,
    ) -> Result<(Scorecard, Findings), EvalError> {
        self.evaluate(period, as_of, true)
    }

    /// Running clocks that will breach within `horizon` seconds after `now`.
    pub fn at_risk(&self, now: i64, horizon: i64) -> Result<Vec<AtRisk>, EvalError> {
        let c = &self.plan.contract;
        let mut out = Vec::new();
        for (subject, log) in &self.state.logs {
            for (ii, ind) in c.indicators.iter().enumerate() {
                let Measure::ClockRate(def) = &ind.measure else {
                    continue;
                };
                let Some(s) = c.subjects.get(def.subject) else {
                    continue;
                };
                let Some((ai, _)) = anchor_of(&self.plan, s, &log.events, now) else {
                    continue;
                };
                let Some(anchor) = log.events.get(ai) else {
                    continue;
                };
                let flags = flags_of(&self.plan, def.subject, &log.events, ai, now);
                if def
                    .filter
                    .as_ref()
                    .is_some_and(|f| !self.plan.cond(f, anchor, &flags))
                {
                    continue;
                }
                let Some(cal) = self.plan.calendar(def, anchor.product) else {
                    continue;
                };
                let limit = self.limit(ii, def, anchor);
                let run = clock::run(
                    def,
                    limit,
                    &log.events,
                    ai,
                    now,
                    cal,
                    |cd, e| self.plan.cond(cd, e, &[]),
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
                    if d <= now + horizon {
                        out.push(AtRisk {
                            indicator: ind.id.clone(),
                            subject: subject.clone(),
                            product: c
                                .products
                                .get(anchor.product)
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

    fn limit(&self, indicator: usize, def: &ClockDef, anchor: &Event) -> Limit {
        match &def.deadline {
            Deadline::Fixed(s) => Limit::Allowed(*s),
            Deadline::ByAttr { attr, table } => {
                let table_by_enum = self
                    .plan
                    .enum_deadlines
                    .get(indicator)
                    .and_then(|t| t.as_ref());
                match (anchor.attrs.get(*attr), table_by_enum) {
                    (Some(AttrValue::Enum(i)), Some(t)) => t
                        .get(usize::from(*i))
                        .copied()
                        .flatten()
                        .map_or(Limit::Unknown, Limit::Allowed),
                    (Some(AttrValue::Text(v)), _) => table
                        .iter()
                        .find(|(k, _)| k == v)
                        .map_or(Limit::Unknown, |(_, s)| Limit::Allowed(*s)),
                    _ => Limit::Unknown,
                }
            }
            Deadline::At(attr) => match anchor.attrs.get(*attr) {
                Some(AttrValue::Time(t)) => Limit::Due(*t),
                _ => Limit::Unknown,
            },
        }
    }

    fn evaluate(
        &self,
        period: &Period,
        as_of: Option<i64>,
        explain: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        let plan = &*self.plan;
        let c = &plan.contract;
        let as_of = as_of.or(self.state.max_at).unwrap_or(period.end);
        let n_a = c.assessments.len();
        let n_i = c.indicators.len();
        let mut acc = vec![vec![Acc::default(); n_i]; n_a];
        let mut findings: Findings = if explain {
            vec![vec![Vec::new(); n_i]; n_a]
        } else {
            Vec::new()
        };
        let in_period = |t: i64| t >= period.start && t < period.end;

        // subjects, sorted by name so explanations are deterministic
        let mut names: Vec<&String> = self.state.logs.keys().collect();
        names.sort();
        for name in names {
            let Some(log) = self.state.logs.get(name) else {
                continue;
            };
            let evs = &log.events;
            // subject-type measures
            for (si, s) in c.subjects.iter().enumerate() {
                let Some((ai, anchor_t)) = anchor_of(plan, s, evs, as_of) else {
                    continue;
                };
                if !in_period(anchor_t) {
                    continue;
                }
                let Some(anchor) = evs.get(ai) else {
                    continue;
                };
                let flags = flags_of(plan, si, evs, ai, as_of);
                for (ii, ind) in c.indicators.iter().enumerate() {
                    match &ind.measure {
                        Measure::ClockRate(def)
                            if def.subject == si
                                && def
                                    .filter
                                    .as_ref()
                                    .is_none_or(|f| plan.cond(f, anchor, &flags)) =>
                        {
                            let Some(cal) = plan.calendar(def, anchor.product) else {
                                continue;
                            };
                            let run = clock::run(
                                def,
                                self.limit(ii, def, anchor),
                                evs,
                                ai,
                                as_of,
                                cal,
                                |cd, e| plan.cond(cd, e, &[]),
                                explain,
                            )?;
                            for a in 0..n_a {
                                if !scoped(plan, a, anchor.product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    match run.outcome {
                                        Outcome::Met => x.met += 1,
                                        Outcome::Breached => {
                                            x.breached += 1;
                                            x.against(anchor.product);
                                        }
                                        Outcome::Pending => x.pending += 1,
                                    }
                                }
                                if explain && run.outcome != Outcome::Met {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        clock_finding(c, name, evs, &run),
                                    );
                                }
                            }
                        }
                        Measure::Ratio { num, den } => {
                            let d = subject_counts(plan, den, si, anchor, &flags);
                            let n = subject_counts(plan, num, si, anchor, &flags);
                            if !(d || n) {
                                continue;
                            }
                            for a in 0..n_a {
                                if !scoped(plan, a, anchor.product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    x.den += u64::from(d);
                                    x.num += u64::from(n && d);
                                    if d && !n {
                                        x.against(anchor.product);
                                    }
                                }
                                if explain && d && !n {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        subject_finding(
                                            c,
                                            name,
                                            anchor,
                                            "not counted in the numerator",
                                        ),
                                    );
                                }
                            }
                        }
                        Measure::Count(counted)
                            if subject_counts(plan, counted, si, anchor, &flags) =>
                        {
                            for a in 0..n_a {
                                if !scoped(plan, a, anchor.product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                    x.count += 1;
                                    x.against(anchor.product);
                                }
                                if explain {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        subject_finding(c, name, anchor, "counted"),
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
                            .find(|e| e.at <= as_of && in_period(e.at) && plan.sel(sel, e));
                        if let Some(e) = hit {
                            for a in 0..n_a {
                                if scoped(plan, a, e.product) {
                                    if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                        x.count += 1;
                                        x.against(e.product);
                                    }
                                }
                            }
                        }
                    }
                    Measure::Coverage { hits, inventory } => {
                        let inv = evs
                            .iter()
                            .find(|e| e.at <= as_of && e.at < period.end && plan.sel(inventory, e));
                        let Some(inv) = inv else {
                            continue;
                        };
                        let hit = evs
                            .iter()
                            .find(|e| e.at <= as_of && in_period(e.at) && plan.sel(hits, e));
                        for a in 0..n_a {
                            if !scoped(plan, a, inv.product) {
                                continue;
                            }
                            let h = hit.is_some();
                            if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) {
                                x.den += 1;
                                x.num += u64::from(h);
                                if !h {
                                    x.against(inv.product);
                                }
                            }
                            if explain && !h {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    subject_finding(
                                        c,
                                        name,
                                        inv,
                                        "in the inventory, not covered in the period",
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
        let mut singles: Vec<&Event> = self
            .state
            .singles
            .iter()
            .filter(|e| e.at <= as_of && in_period(e.at))
            .collect();
        singles.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        for e in singles {
            for (ii, ind) in c.indicators.iter().enumerate() {
                let (sel_ok, num_ok, val): (bool, bool, Option<Decimal>) = match &ind.measure {
                    Measure::Ratio { num, den } => {
                        let d = event_counts(plan, den, e);
                        (d, d && event_counts(plan, num, e), None)
                    }
                    Measure::Count(Counted::Events(sel)) => (plan.sel(sel, e), false, None),
                    Measure::Mean { sel, attr }
                    | Measure::Sum { sel, attr }
                    | Measure::Percentile { sel, attr, .. } => {
                        let v = match e.attrs.get(*attr) {
                            Some(AttrValue::Number(n)) => Some(*n),
                            _ => None,
                        };
                        (plan.sel(sel, e) && v.is_some(), false, v)
                    }
                    _ => continue,
                };
                if !sel_ok {
                    continue;
                }
                for a in 0..n_a {
                    if !scoped(plan, a, e.product) {
                        continue;
                    }
                    let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii)) else {
                        continue;
                    };
                    match &ind.measure {
                        Measure::Ratio { .. } => {
                            x.den += 1;
                            x.num += u64::from(num_ok);
                            if !num_ok {
                                x.against(e.product);
                            }
                            if explain && !num_ok {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    event_finding(c, e, "not counted in the numerator"),
                                );
                            }
                        }
                        Measure::Count(_) => {
                            x.count += 1;
                            x.against(e.product);
                            if explain {
                                push_finding(&mut findings, a, ii, event_finding(c, e, "counted"));
                            }
                        }
                        Measure::Percentile { .. } => {
                            x.count += 1;
                            x.against(e.product);
                            if let Some(v) = val {
                                x.values.push(v);
                            }
                        }
                        _ => {
                            x.count += 1;
                            x.against(e.product);
                            x.sum += val.unwrap_or_default();
                        }
                    }
                }
            }
        }

        let card = self.build_card(period, as_of, &acc)?;
        Ok((card, findings))
    }

    fn build_card(
        &self,
        period: &Period,
        as_of: i64,
        acc: &[Vec<Acc>],
    ) -> Result<Scorecard, EvalError> {
        let c = &self.plan.contract;
        let mut assessments = Vec::with_capacity(c.assessments.len());
        for (ai, a) in c.assessments.iter().enumerate() {
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
                    weight: terms.weight,
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
                        .filter(|i| lvl.is_none_or(|l| i.level == l))
                        .filter_map(|i| i.score.map(|s| (i.weight, s))),
                )
                .map(|s| score::round(s, c.round_score))
            };
            let party_score = scored(None);
            let levels = crate::contract::Level::ALL
                .iter()
                .map(|l| (*l, scored(Some(*l))))
                .collect();
            let assessee = c.parties.get(a.assessee);
            let fee = assessee.and_then(|p| p.fee);
            let share = party_score.map(|s| score::payment_share(&c.payment, s));
            let fee_due = match (fee, share) {
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
            events: self.state.counts,
            assessments,
        })
    }
}

impl Evaluator {
    /// Back-to-back payment: the prime passes on to each subcontractor the part of its own
    /// deduction (in the client's assessment of the prime) that the subcontractor's products
    /// caused. Each indicator's lost points, weight × (100 − score) / Σ weights, are split by
    /// the share of the items that counted against it (breached clocks, subjects or events
    /// missing from a numerator, counted incidents; every sample for means) whose product
    /// falls in the subcontractor's assessment scope.
    fn pass_through(&self, acc: &[Vec<Acc>], cards: &mut [AssessmentCard]) {
        let c = &self.plan.contract;
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
            .filter(|i| i.score.is_some())
            .map(|i| i.weight)
            .sum();
        // lost points and who caused them, per indicator
        let lost: Vec<(Decimal, &Acc)> = top_card
            .indicators
            .iter()
            .zip(acc.get(top).map(Vec::as_slice).unwrap_or(&[]))
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
                    .filter(|(p, _)| scoped(&self.plan, ai, **p))
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
            if let Some(card) = cards.get_mut(ai) {
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
    fn against(&mut self, p: ProductId) {
        *self.against.entry(p).or_default() += 1;
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
            v.sort();
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

fn scoped(plan: &Plan, assessment: usize, product: ProductId) -> bool {
    plan.in_scope
        .get(assessment)
        .and_then(|v| v.get(product))
        .copied()
        .unwrap_or(false)
}

/// The anchor of a subject type in a log: index of the first anchor event at or before
/// `as_of`, and the anchor instant (its `at`, or its `anchor_at` time attribute).
fn anchor_of(
    plan: &Plan,
    s: &crate::contract::Subject,
    evs: &[Event],
    as_of: i64,
) -> Option<(usize, i64)> {
    let (i, e) = evs
        .iter()
        .enumerate()
        .take_while(|(_, e)| e.at <= as_of)
        .find(|(_, e)| e.kind == Some(s.anchor))?;
    let _ = plan;
    let t = match s.anchor_at {
        None => e.at,
        Some(a) => match e.attrs.get(a) {
            Some(AttrValue::Time(t)) => *t,
            _ => return None,
        },
    };
    Some((i, t))
}

/// Flags of a subject as of `as_of`: the last set or clear after the anchor wins.
fn flags_of(plan: &Plan, si: SubjectId, evs: &[Event], anchor: usize, as_of: i64) -> Vec<bool> {
    let Some(s) = plan.contract.subjects.get(si) else {
        return Vec::new();
    };
    s.flags
        .iter()
        .map(|f| {
            let mut on = false;
            for e in evs.iter().skip(anchor).take_while(|e| e.at <= as_of) {
                if clock::matches(&f.set, e, |c, e| plan.cond(c, e, &[])) {
                    on = true;
                } else if clock::matches(&f.clear, e, |c, e| plan.cond(c, e, &[])) {
                    on = false;
                }
            }
            on
        })
        .collect()
}

fn subject_counts(plan: &Plan, c: &Counted, si: SubjectId, anchor: &Event, flags: &[bool]) -> bool {
    match c {
        Counted::Subjects { subject, filter } => {
            *subject == si && filter.as_ref().is_none_or(|f| plan.cond(f, anchor, flags))
        }
        Counted::Events(_) => false,
    }
}

fn event_counts(plan: &Plan, c: &Counted, e: &Event) -> bool {
    match c {
        Counted::Events(sel) => plan.sel(sel, e),
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

fn push_finding(f: &mut Findings, a: usize, i: usize, x: Finding) {
    if let Some(v) = f.get_mut(a).and_then(|v| v.get_mut(i)) {
        v.push(x);
    }
}

fn kind_name(c: &Contract, e: &Event) -> String {
    e.kind
        .and_then(|k| c.kinds.get(k))
        .map(|k| k.name.clone())
        .unwrap_or_default()
}

fn clock_finding(c: &Contract, subject: &str, evs: &[Event], run: &ClockRun) -> Finding {
    let product = run
        .steps
        .first()
        .and_then(|(i, _)| evs.get(*i))
        .and_then(|e| c.products.get(e.product))
        .map(|p| p.id.clone())
        .unwrap_or_default();
    Finding {
        subject: subject.to_string(),
        product,
        status: match run.outcome {
            Outcome::Met => "met",
            Outcome::Breached => "breached",
            Outcome::Pending => "pending",
        }
        .into(),
        elapsed: run.due.is_none().then_some(run.elapsed),
        allowed: run.allowed,
        due: run.due.map(|d| format_instant(c.timezone, d)),
        events: run
            .steps
            .iter()
            .filter_map(|(i, s)| {
                evs.get(*i).map(|e| FindingEvent {
                    id: e.id.to_string(),
                    kind: kind_name(c, e),
                    at: format_instant(c.timezone, e.at),
                    step: Some(*s),
                })
            })
            .collect(),
    }
}

fn subject_finding(c: &Contract, subject: &str, anchor: &Event, status: &str) -> Finding {
    Finding {
        subject: subject.to_string(),
        product: c
            .products
            .get(anchor.product)
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        status: status.into(),
        elapsed: None,
        allowed: None,
        due: None,
        events: vec![FindingEvent {
            id: anchor.id.to_string(),
            kind: kind_name(c, anchor),
            at: format_instant(c.timezone, anchor.at),
            step: None,
        }],
    }
}

fn event_finding(c: &Contract, e: &Event, status: &str) -> Finding {
    subject_finding(c, &e.subject, e, status)
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
