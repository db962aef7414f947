//! The chain roll-up: under back-to-back payment, the part of the prime's deduction that each
//! subcontractor's products caused, passed on to that subcontractor.

use rust_decimal::Decimal;

use crate::contract::PartyId;
use crate::engine::measure::{scoped, Acc};
use crate::engine::plan::Plan;
use crate::engine::score;
use crate::engine::scorecard::AssessmentCard;

impl Plan {
    /// Back-to-back payment: the prime passes on to each subcontractor the part of its own
    /// deduction (in the client's assessment of the prime) that the subcontractor's products
    /// caused. Each indicator's lost points, weight × (100 − score) / Σ weights, are split by
    /// the share of the items that counted against it (breached clocks, subjects or events
    /// missing from a numerator, counted incidents; every sample for means) whose product
    /// falls in the subcontractor's assessment scope.
    pub(super) fn pass_through(&self, acc: &[Vec<Acc>], cards: &mut [AssessmentCard]) {
        let c = self.contract();
        let role = |p: PartyId| c.party(p).map(|p| p.role);
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
