//! The evaluator: events in, scorecards out.
//!
//! [`Plan::compile`] turns a checked [`Contract`] into dispatch tables (which kinds are tracked
//! per subject, which are counted per event, which attributes each kind must keep, which
//! assessments see which product). An [`Evaluator`] interns ids and subjects to dense
//! integers and keeps each subject's accepted events as 24-byte records sorted by (`at`,
//! `id`), so that arrival order, batching and partitioning never change a result;
//! [`Evaluator::scorecard`] replays them for one period as of one instant.
//!
//! [`Contract`]: crate::contract::Contract

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::measure::View;
use crate::engine::scorecard::EventCounts;
use crate::engine::store::{Logs, Names, Pool, Single, Slim};
use crate::event::{Reason, Rejection};
use crate::time::calendar::CalendarError;

pub use crate::engine::at_risk::AtRisk;
pub(crate) use crate::engine::findings::{unkey, Keyed};
pub use crate::engine::findings::{Finding, FindingEvent, Findings, Status};
pub use crate::engine::ignored::{IgnoredEvent, IgnoredReason};
pub use crate::engine::measure::Partial;
pub use crate::engine::plan::Plan;
pub use crate::engine::rollup::format_instant;

/// Errors of evaluation (never of a single bad event: those are rejected, not errors).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalError {
    /// a period that cannot be evaluated, with the reason
    #[error("{0}")]
    Period(String),
    /// a clock counted working time outside the years its calendar was built for
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    /// a checkpoint that cannot be restored (unreadable, of another format or another
    /// contract), or a merge that does not fit the evaluator's storage
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// [`Evaluator::merge`] of evaluators of different contracts
    #[error("cannot merge evaluators of different contracts")]
    ContractMismatch,
    /// reading back events spilled to disk failed
    #[error("spilled events: {0}")]
    Spill(String),
    /// a broken internal invariant (an index that does not fit its table)
    #[error("internal evaluation error: {0}; this is a bug, please report it")]
    Internal(String),
}

impl From<std::io::Error> for EvalError {
    fn from(e: std::io::Error) -> Self {
        EvalError::Spill(e.to_string())
    }
}

/// The evaluator's state: what `checkpoint` saves and `merge` combines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct State {
    /// every accepted id (exact duplicate detection)
    pub(in crate::engine) ids: Names,
    pub(in crate::engine) subjects: Names,
    /// per subject: its tracked events, sorted by (`at`, `id`)
    pub(in crate::engine) logs: Logs,
    /// subjects with at least one tracked event
    pub(in crate::engine) tracked: usize,
    /// per-event measures only need each event on its own
    pub(in crate::engine) singles: Vec<Single>,
    /// the kept attribute values of stored events
    pub(in crate::engine) pool: Pool,
    pub(in crate::engine) max_at: Option<i64>,
    pub(in crate::engine) counts: EventCounts,
    pub(in crate::engine) rejected: Vec<Rejection>,
    /// positions (lines, items, rows) of the input so far, in the order it was fed: a
    /// merged evaluator's rejections are numbered after them (checkpoints without it: 0)
    #[serde(default)]
    pub(in crate::engine) positions: u64,
}

impl State {
    /// Inserts into a subject's log once [`Logs::make_room`] has succeeded; events mostly
    /// arrive in order, so this is O(1) amortised.
    #[inline]
    pub(super) fn insert_made_room(&mut self, subject: u32, e: Slim) {
        if insert_in(&self.ids, &mut self.logs, subject, e) {
            self.tracked += 1;
        }
    }

    pub(super) fn log(&self, subject: u32) -> &[Slim] {
        self.logs.get(subject)
    }

    fn has_log(&self, subject: u32) -> bool {
        self.logs.has(subject)
    }
}

/// Inserts `e` into a subject's log (room made) in (`at`, `id`) order; whether the log was
/// empty.
#[inline]
pub(super) fn insert_in(ids: &Names, logs: &mut Logs, subject: u32, e: Slim) -> bool {
    logs.insert(subject, e, |prev| {
        prev.at > e.at
            || (prev.at == e.at && ids.get(prev.id).as_bytes() > ids.get(e.id).as_bytes())
    })
}

/// Subjects ahead of the one being scored whose logs are fetched from memory.
pub(super) const LOGS_AHEAD: usize = 8;

/// Slices of the subjects per scoring thread: later subjects carry more work (long probe
/// histories), so that many small slices even the threads out.
const SLICES_PER_THREAD: usize = 16;

/// Subjects plus per-event records from which scoring is spread over threads.
const PARALLEL_SCORE: usize = if cfg!(test) { 64 } else { 1 << 15 };

/// A share of an evaluator's events for scoring: subject numbers and per-event records.
#[derive(Clone)]
pub(super) struct Slice {
    pub(in crate::engine) subjects: std::ops::Range<u32>,
    pub(in crate::engine) singles: std::ops::Range<usize>,
}

/// A streaming evaluator over one compiled contract.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub(in crate::engine) plan: Arc<Plan>,
    pub(in crate::engine) state: State,
    /// events that would track more subjects than this are rejected (bounded memory)
    pub(in crate::engine) max_subjects: usize,
    /// threads that scoring may use (see [`Evaluator::set_threads`])
    pub(in crate::engine) threads: usize,
}

/// Default bound on tracked subjects: far above a province's year of tickets.
pub const DEFAULT_MAX_SUBJECTS: usize = 50_000_000;

/// What happened to one pushed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// kept, and counted in `accepted`
    Accepted,
    /// its `id` was already accepted: dropped, and counted in `duplicates`
    Duplicate,
    /// refused, with the reason (counted, and kept among the rejections)
    Rejected(Reason),
}

pub(super) const FULL: &str = crate::event::STORAGE_FULL;

impl Evaluator {
    /// An empty evaluator of `plan`, scoring on the calling thread, tracking at most
    /// [`DEFAULT_MAX_SUBJECTS`] subjects.
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

    /// The compiled contract it evaluates.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Runs `f` on consecutive slices of the subjects and of the per-event records on up to
    /// [`Evaluator::set_threads`] threads, and returns the results in order; one slice
    /// covering everything when there are few subjects. There are a few slices per thread,
    /// each thread taking the next as it frees up: subjects differ in work.
    pub(super) fn in_slices<T: Send>(&self, f: impl Fn(Slice) -> T + Sync) -> Vec<T> {
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
        crate::parallel::map(n, threads, |k| f(slice(k)))
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

    /// The default evaluation instant: the latest `at` among accepted events.
    pub fn latest(&self) -> Option<i64> {
        self.state.max_at
    }

    pub(super) fn view(&self) -> View<'_> {
        View {
            plan: &self.plan,
            pool: &self.state.pool,
        }
    }

    /// The subjects of `range` that have a log; by name when `by_name` (for listings, so
    /// that they are deterministic: the accumulated numbers do not depend on the order).
    pub(super) fn with_logs(&self, range: std::ops::Range<u32>, by_name: bool) -> Vec<u32> {
        let mut order: Vec<u32> = range.filter(|s| self.state.has_log(*s)).collect();
        if by_name {
            let names = &self.state.subjects;
            order.sort_by(|a, b| names.get(*a).cmp(names.get(*b)));
        }
        order
    }

    /// The slice of all the events.
    pub(super) fn all(&self) -> Slice {
        Slice {
            subjects: 0..self.state.logs.subjects() as u32,
            singles: 0..self.state.singles.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::anchor::{anchor_of, anchors_of};
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
        read_jsonl(plan.contract(), lines, Limits::default(), |o| match o {
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
            let one = ev.anchor_periods(as_of);
            let cards = |ev: &Evaluator| -> Vec<serde_json::Value> {
                one.iter()
                    .map(|(p, _)| ev.scorecard(p, as_of).unwrap().to_json())
                    .collect()
            };
            let before = cards(&ev);
            let default = ev.default_period(as_of);
            ev.set_threads(threads);
            prop_assert!(ev.state.logs.subjects() + ev.state.singles.len() < PARALLEL_SCORE
                || ev.in_slices(|s| s.subjects.len()).len() == threads * SLICES_PER_THREAD);
            prop_assert_eq!(ev.anchor_periods(as_of), one.clone());
            prop_assert_eq!(ev.default_period(as_of), default);
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
        let defs = &plan.contract().subjects;
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
}
