//! Clocks at risk: running clocks that will breach within a horizon, and the deadline each
//! clock is held to.

use serde::Serialize;

use crate::contract::Measure;
use crate::engine::anchor::anchor_of;
use crate::engine::clock::{self, Limit, Outcome};
use crate::engine::eval::{EvalError, Evaluator};
use crate::engine::measure::flags_of;

/// A running clock close to its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRisk {
    /// The clock indicator's id.
    pub indicator: String,
    /// The subject's id.
    pub subject: String,
    /// The product of the subject's anchor event.
    pub product: String,
    /// the instant it breaches (Unix seconds)
    pub deadline: i64,
    /// Counted seconds as of `now`.
    pub elapsed: i64,
    /// Allowed seconds, for duration deadlines; `None` for `deadline at`.
    pub allowed: Option<i64>,
}

impl Evaluator {
    /// Running clocks that will breach within `horizon` seconds after `now`.
    pub fn at_risk(&self, now: i64, horizon: i64) -> Result<Vec<AtRisk>, EvalError> {
        let c = self.plan.contract();
        let view = self.view();
        let mut out = Vec::new();
        for (subject, log) in self.state.logs.iter().enumerate() {
            if log.is_empty() {
                continue;
            }
            for (ii, ind) in c.indicators.iter_enumerated() {
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
                let Some(cal) = self.plan.calendar(def, anchor.product) else {
                    continue;
                };
                // a waived clock is not held to any deadline
                if self.waiver_of(ii, log, ai, now).is_some() {
                    continue;
                }
                let (run, limit) = self.clock_of(ii, def, log, ai, now, cal, false)?;
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
}
