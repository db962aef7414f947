//! Scorecards: a period's accumulated measures scored, weighted and turned into each
//! assessment's score and fee due.

use crate::engine::eval::{EvalError, Evaluator};
use crate::engine::findings::{unkey, Findings};
use crate::engine::measure::{measure_value, Acc, Partial};
use crate::engine::plan::Plan;
use crate::engine::scorecard::{AssessmentCard, EventCounts, IndicatorCard, Scorecard};
use crate::engine::{payment, points, score};
use crate::time::period::Period;

impl Evaluator {
    /// The scorecard of one period as of `as_of` (default: the latest accepted `at`).
    pub fn scorecard(&self, period: &Period, as_of: Option<i64>) -> Result<Scorecard, EvalError> {
        Ok(self.evaluate(period, as_of, false, false)?.0)
    }

    pub(super) fn evaluate(
        &self,
        period: &Period,
        as_of: Option<i64>,
        explain: bool,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        let as_of = as_of.or(self.state.max_at).unwrap_or(period.end);
        let (mut card, findings) = self.evaluate_unflagged(period, as_of, explain, all)?;
        let back = self.plan.lookback();
        if back > 0 {
            let previous = self
                .plan
                .previous_periods(period, back)
                .iter()
                .map(|p| Ok(self.evaluate_unflagged(p, as_of, false, false)?.0))
                .collect::<Result<Vec<_>, EvalError>>()?;
            self.plan.set_flags(&mut card, &previous);
        } else {
            self.plan.set_flags(&mut card, &[]);
        }
        Ok((card, findings))
    }

    /// [`Evaluator::evaluate`] without period flags (which read other periods).
    fn evaluate_unflagged(
        &self,
        period: &Period,
        as_of: i64,
        explain: bool,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
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
}

impl Plan {
    /// The scorecard of a period from the sum of its partials. A contract whose period flags
    /// read earlier periods (`in 2 consecutive periods`) is refused: one period's partials
    /// cannot set them (score through `Events`, which reads the periods before).
    pub fn scorecard_of(
        &self,
        counts: EventCounts,
        period: &Period,
        as_of: i64,
        partial: &Partial,
    ) -> Result<Scorecard, EvalError> {
        if self.lookback() > 0 {
            return Err(EvalError::Internal(
                "this contract's flags read the periods before: a scorecard cannot be made from one period's partials".into(),
            ));
        }
        let mut card = self.build_card(counts, period, as_of, partial)?;
        self.set_flags(&mut card, &[]);
        Ok(card)
    }

    /// [`Plan::scorecard_of`] without period flags (set by the caller from other periods).
    pub(crate) fn scorecard_unflagged(
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
        let c = self.contract();
        let acc = partial.acc.as_slice();
        let internal = |what: &str| EvalError::Internal(what.to_string());
        // an empty partial (nothing accumulated) measures nothing; any other has one row per
        // assessment, each with one cell per indicator
        let shaped = acc.is_empty()
            || (acc.len() == c.assessments.len()
                && acc.iter().all(|v| v.len() == c.indicators.len()));
        if !shaped {
            return Err(internal("a partial of another contract's shape"));
        }
        let points_rollup = matches!(c.rollup, crate::contract::Rollup::Points { .. });
        let mut assessments = Vec::with_capacity(c.assessments.len());
        for (ai, a) in c.assessments.iter().enumerate() {
            let row = acc.get(ai).map(Vec::as_slice);
            // nothing measured in scope: nothing was assessed, so nothing was earned (an
            // incident count of 0 for want of data is no evidence of good service)
            let in_scope = self
                .in_scope
                .get(ai)
                .map_or(0, |v| v.iter().filter(|s| **s).count() as u64);
            // every product in scope is evidence for availability: up time is measured too
            let intervals = c
                .indicators
                .iter()
                .filter(|i| {
                    matches!(
                        i.measure,
                        crate::contract::Measure::Availability { .. }
                            | crate::contract::Measure::Downtime { .. }
                    )
                })
                .count() as u64;
            let evidence: u64 =
                row.map_or(0, |v| v.iter().map(Acc::items).sum::<u64>()) + intervals * in_scope;
            let assessed = evidence > 0;
            let mut cards = Vec::with_capacity(c.indicators.len());
            for (ii, ind) in c.indicators.iter_enumerated() {
                let x = match row {
                    Some(v) => v
                        .get(ii.index())
                        .cloned()
                        .ok_or_else(|| internal("an indicator without its measure"))?,
                    None => Acc::default(),
                };
                let terms = a
                    .terms
                    .get(ii)
                    .ok_or_else(|| internal("an assessment without an indicator's terms"))?;
                let late = if points_rollup {
                    x.late.clone()
                } else {
                    Vec::new()
                };
                let extent = crate::engine::measure::Extent {
                    products: in_scope,
                    seconds: period.end.saturating_sub(period.start),
                };
                let (raw, clocks, ratio, samples) = measure_value(&ind.measure, x, extent);
                let value = raw.map(|v| score::round(v, c.round_value));
                let target = terms.target.as_ref();
                let s = match (&terms.scoring, target, value) {
                    (Some(sc), Some(t), Some(v)) => {
                        Some(score::round(score::score(sc, t, v), c.round_score))
                    }
                    _ => None,
                };
                let points = if points_rollup {
                    Some(
                        points::indicator_points(
                            &terms.points,
                            target,
                            value,
                            clocks,
                            &late,
                            c.round_score,
                        )
                        .ok_or_else(|| internal("points out of range"))?,
                    )
                } else {
                    None
                };
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
                    points,
                    target: target.map(|t| t.text(ind.unit)).unwrap_or_default(),
                    target_met: value.and_then(|v| target.map(|t| score::target_met(t, v))),
                    clocks,
                    waivable: !c.waivers.is_empty(),
                    ratio,
                    samples,
                });
            }
            let scored = |lvl: Option<crate::contract::Level>| {
                let counted = cards
                    .iter()
                    .filter(|i| !i.report_only && lvl.is_none_or(|l| i.level == l));
                if points_rollup {
                    // a level with no indicator has no score; otherwise start ± its points
                    let mut counted = counted.peekable();
                    counted.peek()?;
                    return points::points_score(
                        c.rollup,
                        counted.filter_map(|i| i.points),
                        c.round_score,
                    );
                }
                score::weighted_mean(counted.filter_map(|i| i.score.map(|s| (i.weight, s))))
                    .map(|s| score::round(s, c.round_score))
            };
            let party_score = scored(None).filter(|_| assessed);
            let levels = crate::contract::Level::ALL
                .iter()
                .map(|l| (*l, scored(Some(*l)).filter(|_| assessed)))
                .collect();
            let assessee = c
                .party(a.assessee)
                .ok_or_else(|| internal("an assessee that is no party"))?;
            let assessor = c
                .party(a.assessor)
                .ok_or_else(|| internal("an assessor that is no party"))?;
            let fee = assessee.fee;
            let share = party_score.map(|s| payment::payment_share(&c.payment, s));
            let fee_due = payment::fee_due(fee, share, assessed);
            assessments.push(AssessmentCard {
                assessor: assessor.id.clone(),
                assessee: assessee.id.clone(),
                assessee_title: assessee.title.clone(),
                score: party_score,
                levels,
                fee: fee.map(|f| score::round(f, 2)),
                share,
                fee_due,
                passed_through: None,
                rollup: if points_rollup { "points" } else { "weighted" },
                flags: Vec::new(),
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
}

pub use crate::time::instant::format_instant;
