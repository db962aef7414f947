//! Points: what each points rule gives for an indicator's (rounded) value and clock counts,
//! and the party and level scores of a points roll-up. All exact.
//!
//! A rule's points are a magnitude computed from the rounded value (or the counts), capped,
//! then signed by the rule (`deduct` negative, `bonus` positive). An indicator's points are the
//! sum of its rules' points rounded to the score's places; a not-applicable value gives 0.
//! "Per started step" counts a step begun: `ceil((target − value) / step)`.

use rust_decimal::Decimal;

use crate::contract::{Basis, PointsRule, Rollup, Target};
use crate::engine::score;
use crate::engine::scorecard::ClockCounts;

/// The signed, unrounded points of one rule. `None` only for an overflow of absurd values.
fn rule_points(
    rule: &PointsRule,
    target: Option<&Target>,
    value: Option<Decimal>,
    clocks: Option<ClockCounts>,
    late: &[i64],
) -> Option<Decimal> {
    let Some(v) = value else {
        return Some(Decimal::ZERO);
    };
    let steps = |gap: Decimal, step: Decimal| -> Option<Decimal> {
        if gap <= Decimal::ZERO {
            return Some(Decimal::ZERO);
        }
        Some(gap.checked_div(step)?.ceil())
    };
    let magnitude = match &rule.basis {
        Basis::Clocks { points, breached } => {
            let c = clocks.unwrap_or_default();
            let n = if *breached { c.breached } else { c.met };
            points.checked_mul(Decimal::from(n))?
        }
        Basis::Late { points, step } => {
            // each breached clock: its started steps late, capped per subject, then summed
            let mut sum = Decimal::ZERO;
            for &l in late {
                let steps = Decimal::from(l.max(0))
                    .checked_div(Decimal::from(*step))?
                    .ceil();
                let p = points.checked_mul(steps)?;
                sum = sum.checked_add(rule.cap_per_subject.map_or(p, |c| p.min(c)))?;
            }
            sum
        }
        Basis::Below { points, step } => {
            let t = target.map_or(v, |t| t.value);
            points.checked_mul(steps(t.checked_sub(v)?, *step)?)?
        }
        Basis::Above { points, step } => {
            let t = target.map_or(v, |t| t.value);
            points.checked_mul(steps(v.checked_sub(t)?, *step)?)?
        }
        Basis::Each { points } => points.checked_mul(v)?,
        Basis::Bands { bands, otherwise } => bands
            .iter()
            .find(|(op, at, _)| score::holds(v, *op, *at))
            .map_or(*otherwise, |(_, _, p)| *p),
    };
    let capped = rule.cap.map_or(magnitude, |c| magnitude.min(c));
    Some(if rule.bonus { capped } else { -capped })
}

/// An indicator's points: its rules' points summed, rounded to `places`, never `-0`.
/// `None` only when the arithmetic overflows (absurd values).
/// `late`: the seconds each breached clock is late (for `per started D late`).
pub fn indicator_points(
    rules: &[PointsRule],
    target: Option<&Target>,
    value: Option<Decimal>,
    clocks: Option<ClockCounts>,
    late: &[i64],
    places: u32,
) -> Option<Decimal> {
    let mut sum = Decimal::ZERO;
    for r in rules {
        sum = sum.checked_add(rule_points(r, target, value, clocks, late)?)?;
    }
    Some(signless(score::round(sum, places)))
}

/// A zero without a sign (`0.00`, never `-0.00`).
pub fn signless(d: Decimal) -> Decimal {
    let mut d = d;
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

/// The score of a points roll-up: `start` plus the points, kept within the floor and the
/// ceiling, rounded to `places`. `None` under a weighted roll-up, or on overflow.
pub fn points_score(
    rollup: Rollup,
    points: impl IntoIterator<Item = Decimal>,
    places: u32,
) -> Option<Decimal> {
    let Rollup::Points {
        start,
        floor,
        ceiling,
    } = rollup
    else {
        return None;
    };
    let mut s = start;
    for p in points {
        s = s.checked_add(p)?;
    }
    if let Some(f) = floor {
        s = s.max(f);
    }
    if let Some(c) = ceiling {
        s = s.min(c);
    }
    Some(signless(score::round(s, places)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contract::CmpOp;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn rule(bonus: bool, basis: Basis, cap: Option<Decimal>) -> PointsRule {
        PointsRule {
            bonus,
            basis,
            cap,
            cap_per_subject: None,
        }
    }

    fn pts(r: &PointsRule, target: Option<&Target>, v: Option<Decimal>) -> String {
        indicator_points(std::slice::from_ref(r), target, v, None, &[], 2)
            .unwrap()
            .to_string()
    }

    #[test]
    fn steps_below_target_count_each_started_step_on_the_rounded_value() {
        let t = Target {
            op: CmpOp::Ge,
            value: d("0.95"),
        };
        let r = rule(
            false,
            Basis::Below {
                points: d("1"),
                step: d("0.01"),
            },
            Some(d("10")),
        );
        // (0.95 − 0.9349) / 0.01 = 1.51 → 2 started steps
        assert_eq!(pts(&r, Some(&t), Some(d("0.9349"))), "-2.00");
        assert_eq!(pts(&r, Some(&t), Some(d("0.9400"))), "-1.00");
        assert_eq!(pts(&r, Some(&t), Some(d("0.9500"))), "0.00");
        assert_eq!(pts(&r, Some(&t), Some(d("0.9501"))), "0.00");
        // 0.95 − 0.80 = 15 steps, capped at 10
        assert_eq!(pts(&r, Some(&t), Some(d("0.8000"))), "-10.00");
        assert_eq!(pts(&r, Some(&t), None), "0.00");
        let t = Target {
            op: CmpOp::Ge,
            value: d("0.999"),
        };
        let r = rule(
            false,
            Basis::Below {
                points: d("2"),
                step: d("0.001"),
            },
            Some(d("20")),
        );
        assert_eq!(pts(&r, Some(&t), Some(d("0.9987"))), "-2.00");
        assert_eq!(pts(&r, Some(&t), Some(d("0.9980"))), "-2.00");
        assert_eq!(pts(&r, Some(&t), Some(d("0.9979"))), "-4.00");
        // 20 steps → −40, capped at 20
        assert_eq!(pts(&r, Some(&t), Some(d("0.9790"))), "-20.00");
    }

    #[test]
    fn steps_above_target() {
        let t = Target {
            op: CmpOp::Le,
            value: d("50"),
        };
        let r = rule(
            false,
            Basis::Above {
                points: d("1"),
                step: d("10"),
            },
            Some(d("5")),
        );
        assert_eq!(pts(&r, Some(&t), Some(d("50"))), "0.00");
        assert_eq!(pts(&r, Some(&t), Some(d("50.5"))), "-1.00");
        assert_eq!(pts(&r, Some(&t), Some(d("70"))), "-2.00");
        assert_eq!(pts(&r, Some(&t), Some(d("500"))), "-5.00");
    }

    #[test]
    fn bands_and_counts() {
        let bands = Basis::Bands {
            bands: vec![(CmpOp::Lt, d("4"), d("6")), (CmpOp::Lt, d("4.5"), d("3"))],
            otherwise: d("0"),
        };
        let r = rule(false, bands, None);
        for (v, want) in [
            (d("3.5000"), "-6.00"),
            (d("4.0000"), "-3.00"),
            (d("4.2500"), "-3.00"),
            (d("4.4999"), "-3.00"),
            (d("4.5000"), "0.00"),
        ] {
            assert_eq!(pts(&r, None, Some(v)), want, "{v}");
        }
        let bonus = rule(true, Basis::Each { points: d("2") }, Some(d("5")));
        for (v, want) in [
            (d("0"), "0.00"),
            (d("2"), "4.00"),
            (d("3"), "5.00"),
            (d("4"), "5.00"),
        ] {
            assert_eq!(pts(&bonus, None, Some(v)), want, "{v}");
        }
        let each = rule(false, Basis::Each { points: d("5") }, None);
        // never `-0.00`
        assert_eq!(pts(&each, None, Some(d("0.0000"))), "0.00");
        assert_eq!(pts(&each, None, Some(d("3.0000"))), "-15.00");
    }

    #[test]
    fn clocks_breached_and_met() {
        let r = rule(
            false,
            Basis::Clocks {
                points: d("2"),
                breached: true,
            },
            Some(d("10")),
        );
        let c = |met, breached| {
            Some(ClockCounts {
                met,
                breached,
                pending: 4,
                waived: 0,
            })
        };
        let p = |c| {
            indicator_points(std::slice::from_ref(&r), None, Some(d("0.5")), c, &[], 2)
                .unwrap()
                .to_string()
        };
        assert_eq!(p(c(3, 3)), "-6.00");
        assert_eq!(p(c(0, 12)), "-10.00");
        let met = rule(
            true,
            Basis::Clocks {
                points: d("0.5"),
                breached: false,
            },
            None,
        );
        assert_eq!(
            indicator_points(&[met], None, Some(d("1")), c(7, 0), &[], 2)
                .unwrap()
                .to_string(),
            "3.50"
        );
    }

    #[test]
    fn lateness_counts_started_steps_per_clock_capped_per_subject_then_in_all() {
        let mut r = rule(
            false,
            Basis::Late {
                points: d("0.5"),
                step: 3600,
            },
            Some(d("15")),
        );
        r.cap_per_subject = Some(d("3"));
        let p = |late: &[i64]| {
            indicator_points(
                std::slice::from_ref(&r),
                None,
                Some(d("0.5")),
                None,
                late,
                2,
            )
            .unwrap()
            .to_string()
        };
        // 3601 s late: 2 started hours → −1.00; 3600 s: exactly 1 → −0.50
        assert_eq!(p(&[3601]), "-1.00");
        assert_eq!(p(&[3600]), "-0.50");
        // 44 h late: 22 points, capped at 3 for the ticket
        assert_eq!(p(&[44 * 3600]), "-3.00");
        // six tickets each at the ticket cap: −18 → −15.00
        assert_eq!(p(&[6 * 3600 + 1; 6]), "-15.00");
        assert_eq!(p(&[]), "0.00");
    }

    #[test]
    fn points_roll_up_keeps_the_floor_and_the_ceiling() {
        let up = Rollup::Points {
            start: d("100"),
            floor: Some(d("0")),
            ceiling: Some(d("100")),
        };
        let points = [-1, -3, 0, 0, -2, -2, -5, 0, -3, 0, 5].map(Decimal::from);
        let half = [d("-0.5")];
        let s = points_score(up, points.iter().copied().chain(half), 2).unwrap();
        assert_eq!(s.to_string(), "88.50");
        assert_eq!(
            points_score(up, [d("-105")], 2).unwrap().to_string(),
            "0.00"
        );
        assert_eq!(points_score(up, [d("5")], 2).unwrap().to_string(), "100.00");
        assert_eq!(points_score(Rollup::Weighted, [d("5")], 2), None);
        let open = Rollup::Points {
            start: d("100"),
            floor: None,
            ceiling: None,
        };
        assert_eq!(
            points_score(open, [d("5")], 2).unwrap().to_string(),
            "105.00"
        );
    }
}
