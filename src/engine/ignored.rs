//! Ignored events: accepted events that count nowhere (ordered before their subject's anchor,
//! or of a subject with no anchor), counted in scorecards and listed on request.

use serde::Serialize;

use crate::engine::anchor::anchors_of;
use crate::engine::eval::Evaluator;
use crate::engine::findings::{Finder, FindingEvent};
use crate::engine::measure::View;
use crate::engine::scorecard::Ignored;
use crate::engine::store::Slim;
use crate::time::period::Period;

impl Evaluator {
    /// The accepted events of a period that count nowhere, as of `as_of` (default: the
    /// latest accepted event): events of a subject ordered before its anchor (listed in the
    /// period of the anchor), and events of subjects with no anchor (in the period of their
    /// own `at`). By subject name, then in (`at`, `id`) order.
    pub fn ignored(&self, period: &Period, as_of: Option<i64>) -> Vec<IgnoredEvent> {
        let as_of = as_of.or(self.state.max_at).unwrap_or(period.end);
        let view = self.view();
        let names = &self.state.subjects;
        let finder = Finder {
            c: self.plan.contract(),
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
pub(super) fn ignored_in(
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
    // never `None`: a stored event's kind is one of the plan's (push keeps no other, restore
    // refuses a checkpoint holding another)
    let read_by = |e: &Slim| plan.readers.get(e.kind).map(|r| r.read_by);
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
            let Some(m) = read_by(e) else { continue };
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
        let Some(m) = read_by(e) else { continue };
        let mut m = m & anchored;
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
    /// The event's subject.
    pub subject: String,
    /// The event's product id.
    pub product: String,
    /// Why it counts nowhere.
    pub reason: IgnoredReason,
    /// The event: its `id`, kind and `at` (no step).
    pub event: FindingEvent,
}
