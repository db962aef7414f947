//! Waivers: a subject excused for an indicator by an event of a `waive on` kind, at or
//! before `as_of` and ordered after the subject's anchor. A waived clock is neither met,
//! breached nor pending: it is out of the value and costs no points, and it is counted apart
//! (`waived`), its reason and approver kept for explanations.

use crate::contract::IndicatorId;
use crate::engine::eval::Evaluator;
use crate::engine::store::{Slim, Val};

impl Evaluator {
    /// The index in `log` of the first event waiving `indicator` for this subject, if any.
    pub(super) fn waiver_of(
        &self,
        indicator: IndicatorId,
        log: &[Slim],
        anchor: usize,
        as_of: i64,
    ) -> Option<usize> {
        let c = self.plan.contract();
        if c.waivers().is_empty() {
            return None;
        }
        let view = self.view();
        log.iter()
            .enumerate()
            .skip(anchor.saturating_add(1))
            .take_while(|(_, e)| e.at <= as_of)
            .find(|(_, e)| {
                let Some(w) = self
                    .plan
                    .waiver_of
                    .get(e.kind)
                    .copied()
                    .flatten()
                    .and_then(|w| c.waivers().get(w))
                else {
                    return false;
                };
                match view.attr(e, w.indicator) {
                    Some(Val::Enum(v)) => {
                        w.targets.get(usize::from(v)).copied().flatten() == Some(indicator)
                    }
                    _ => false,
                }
            })
            .map(|(i, _)| i)
    }

    /// The reason and approver of the waiver event `e` (empty when not given).
    pub(super) fn waiver_note(&self, e: &Slim) -> (String, String) {
        let c = self.plan.contract();
        let view = self.view();
        let w = self
            .plan
            .waiver_of
            .get(e.kind)
            .copied()
            .flatten()
            .and_then(|w| c.waivers().get(w));
        let text = |a: Option<crate::contract::AttrId>| match a.and_then(|a| view.attr(e, a)) {
            Some(Val::Text(t)) => t.to_string(),
            _ => String::new(),
        };
        match w {
            Some(w) => (text(w.reason), text(w.approver)),
            None => (String::new(), String::new()),
        }
    }
}
