//! Period flags: `flag termination_right when score < 60 in 2 consecutive periods`, set on an
//! assessment when its score (or a level's) meets the condition in the period and in each of
//! the periods before it, every one scored from the same events and `as_of` (a period before
//! the term included). A period without evidence has no score, so it never counts.

use crate::engine::plan::Plan;
use crate::engine::score;
use crate::engine::scorecard::Scorecard;
use crate::time::period::{self, Period};

impl Plan {
    /// How many periods before a scored one its flags read.
    pub fn lookback(&self) -> u32 {
        self.contract()
            .period_flags()
            .iter()
            .map(|f| f.periods.saturating_sub(1))
            .max()
            .unwrap_or(0)
    }

    /// The `n` periods before `p`, nearest first.
    pub(crate) fn previous_periods(&self, p: &Period, n: u32) -> Vec<Period> {
        let c = self.contract();
        let mut out = Vec::new();
        let mut start = p.start;
        for _ in 0..n {
            match period::period_of(c.period(), c.timezone(), start.saturating_sub(1)) {
                Some(prev) => {
                    start = prev.start;
                    out.push(prev);
                }
                None => break,
            }
        }
        out
    }

    /// Sets the flags of `card` from the cards of the periods before it (`previous`, nearest
    /// first, as many as [`Plan::lookback`]).
    pub(crate) fn set_flags(&self, card: &mut Scorecard, previous: &[Scorecard]) {
        let flags = self.contract().period_flags();
        for (a, assessment) in card.assessments.iter_mut().enumerate() {
            let mut set = Vec::new();
            let holds = |x: &crate::engine::scorecard::AssessmentCard,
                         f: &crate::contract::PeriodFlag| {
                let s = match f.level {
                    None => x.score,
                    Some(l) => x
                        .levels
                        .iter()
                        .find(|(lv, _)| *lv == l)
                        .and_then(|(_, s)| *s),
                };
                s.is_some_and(|s| score::holds(s, f.op, f.bound))
            };
            for f in flags {
                let back = f.periods.saturating_sub(1) as usize;
                let before = previous
                    .iter()
                    .take(back)
                    .filter_map(|c| c.assessments.get(a))
                    .filter(|x| holds(x, f))
                    .count();
                if holds(assessment, f) && before == back {
                    set.push(f.name.clone());
                }
            }
            assessment.flags = set;
        }
    }
}
