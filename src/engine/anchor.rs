//! Anchors: where each subject's measured history starts, and the periods holding anchors
//! (from which the default period is chosen).

use crate::engine::eval::{Evaluator, Slice, LOGS_AHEAD};
use crate::engine::measure::View;
use crate::engine::plan::Plan;
use crate::engine::store::{Slim, Val};
use crate::time::period::{self, Period};

impl Evaluator {
    /// Every period holding at least one anchor (subjects by their anchor, per-event
    /// measures by each event), in time order, with the number of anchors, counting only
    /// events at or before `as_of` (default: the latest accepted event).
    pub fn anchor_periods(&self, as_of: Option<i64>) -> Vec<(Period, u64)> {
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
        let c = self.plan.contract();
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
                let k = Some(e.kind);
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

    /// The period holding the most anchors (ties: the earliest) as of an evaluation instant
    /// (default: the latest accepted event; only events at or before it count); with no
    /// anchors, the period of that instant; `None` without events.
    pub fn default_period(&self, as_of: Option<i64>) -> Option<Period> {
        let c = self.plan.contract();
        let mut best: Option<(Period, u64)> = None;
        for (p, n) in self.anchor_periods(as_of) {
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

/// Every subject definition's anchor in `evs` (see [`anchor_of`]), into `out` by
/// definition: one pass over the log instead of one per definition (a log without the
/// anchor kind of a definition, such as a probe target's, was read through each time).
///
/// Returns the definitions that read the events up to `as_of` (see `Plan::read_by`), or
/// all bits where the pass stopped early, so that [`ignored_in`] need not read the log
/// again when every such definition has an anchor.
///
/// [`ignored_in`]: crate::engine::ignored::ignored_in
pub(super) fn anchors_of(
    view: View<'_>,
    evs: &[Slim],
    as_of: i64,
    out: &mut Vec<Option<(usize, i64)>>,
) -> u64 {
    let defs = &view.plan.contract().subjects;
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
        // never skips: a stored event's kind is one of the plan's (push keeps no other,
        // restore refuses a checkpoint holding another)
        let Some(r) = view.plan.readers.get(e.kind) else {
            continue;
        };
        read |= r.read_by;
        let mut m = r.anchored & open;
        while m != 0 {
            let d = m.trailing_zeros() as usize;
            m &= m - 1;
            open &= !(1 << d);
            if let (Some(slot), Some(s)) = (out.get_mut(d), defs.as_slice().get(d)) {
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
pub(super) fn anchor_of(
    view: View<'_>,
    s: &crate::contract::Subject,
    evs: &[Slim],
    as_of: i64,
) -> Option<(usize, i64)> {
    let (i, e) = evs
        .iter()
        .enumerate()
        .take_while(|(_, e)| e.at <= as_of)
        .find(|(_, e)| e.kind == s.anchor)?;
    Some((i, anchor_time(view, s, e)?))
}
