//! Scoring: rounding, scoring functions, weighted roll-up and payment share. All exact.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::contract::{CmpOp, Scoring, Target};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Rounds half away from zero to `places`, keeping trailing zeros (`1` → `1.0000`).
pub fn round(d: Decimal, places: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r
}

/// Does `value op bound` hold?
pub fn holds(value: Decimal, op: CmpOp, bound: Decimal) -> bool {
    match op {
        CmpOp::Eq => value == bound,
        CmpOp::Ne => value != bound,
        CmpOp::Lt => value < bound,
        CmpOp::Le => value <= bound,
        CmpOp::Gt => value > bound,
        CmpOp::Ge => value >= bound,
    }
}

/// Is the target met by this (rounded) value?
pub fn target_met(target: &Target, value: Decimal) -> bool {
    holds(value, target.op, target.value)
}

fn clamp(d: Decimal) -> Decimal {
    d.max(Decimal::ZERO).min(HUNDRED)
}

/// The unrounded score of a (rounded) value. Multiplication comes before division so that
/// every score with a terminating decimal expansion is exact.
pub fn score(scoring: &Scoring, target: &Target, value: Decimal) -> Decimal {
    match scoring {
        Scoring::Linear { x0, y0, x1, y1 } => {
            let dx = *x1 - *x0;
            if dx.is_zero() {
                // rejected by the checker; kept total for safety
                return if value >= *x1 { *y1 } else { *y0 };
            }
            match value
                .checked_sub(*x0)
                .and_then(|v| v.checked_mul(*y1 - *y0))
                .and_then(|p| p.checked_div(dx))
                .and_then(|p| y0.checked_add(p))
            {
                Some(s) => clamp(s),
                // only for absurd values: far past x1 scores like x1, far before x0 like x0
                None => clamp(if (value > *x0) == (*x1 > *x0) {
                    *y1
                } else {
                    *y0
                }),
            }
        }
        Scoring::Bands { bands, otherwise } => bands
            .iter()
            .find(|(op, bound, _)| holds(value, *op, *bound))
            .map(|(_, _, s)| *s)
            .unwrap_or(*otherwise),
        Scoring::Deduct { points, per, cap } => {
            let mut d = points
                .checked_mul(value)
                .and_then(|p| p.checked_div(*per))
                .unwrap_or(HUNDRED);
            if let Some(cap) = cap {
                d = d.min(*cap);
            }
            clamp(HUNDRED - d.min(HUNDRED).max(-HUNDRED))
        }
        Scoring::ZeroTolerance => {
            if target_met(target, value) {
                HUNDRED
            } else {
                Decimal::ZERO
            }
        }
    }
}

/// Σ weight × score / Σ weight over the scored items; `None` when nothing is scored.
pub fn weighted_mean(items: impl IntoIterator<Item = (Decimal, Decimal)>) -> Option<Decimal> {
    let mut num = Decimal::ZERO;
    let mut den = Decimal::ZERO;
    for (w, s) in items {
        num += w * s;
        den += w;
    }
    (!den.is_zero()).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::d;

    mod rust_decimal_macros_free {
        pub fn d(s: &str) -> rust_decimal::Decimal {
            s.parse().unwrap()
        }
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(round(d("0.95125"), 4).to_string(), "0.9513");
        assert_eq!(round(d("-0.95125"), 4).to_string(), "-0.9513");
        assert_eq!(round(d("1"), 4).to_string(), "1.0000");
        assert_eq!(round(d("93.245"), 2).to_string(), "93.25");
    }

    #[test]
    fn linear_clamps_and_is_exact() {
        let t = Target {
            op: CmpOp::Ge,
            value: d("0.95"),
        };
        let lin = Scoring::Linear {
            x0: d("0.80"),
            y0: d("0"),
            x1: d("0.95"),
            y1: d("100"),
        };
        // (0.9 - 0.8) * 100 / 0.15 = 66.666…
        assert_eq!(round(score(&lin, &t, d("0.9")), 2).to_string(), "66.67");
        assert_eq!(score(&lin, &t, d("0.99")), d("100"));
        assert_eq!(score(&lin, &t, d("0.5")), d("0"));
        // descending: 50 -> 100, 200 -> 0; at 80: 100 + 30 * -100 / 150 = 80
        let down = Scoring::Linear {
            x0: d("50"),
            y0: d("100"),
            x1: d("200"),
            y1: d("0"),
        };
        assert_eq!(score(&down, &t, d("80")), d("80"));
        assert_eq!(score(&down, &t, d("20")), d("100"));
    }

    #[test]
    fn deduct_and_bands() {
        let t = Target {
            op: CmpOp::Le,
            value: d("0"),
        };
        let ded = Scoring::Deduct {
            points: d("25"),
            per: d("1"),
            cap: Some(d("100")),
        };
        assert_eq!(score(&ded, &t, d("0")), d("100"));
        assert_eq!(score(&ded, &t, d("3")), d("25"));
        assert_eq!(score(&ded, &t, d("5")), d("0"));
        let bands = Scoring::Bands {
            bands: vec![
                (CmpOp::Ge, d("1"), d("100")),
                (CmpOp::Ge, d("0.9"), d("60")),
            ],
            otherwise: d("0"),
        };
        assert_eq!(score(&bands, &t, d("1.0000")), d("100"));
        assert_eq!(score(&bands, &t, d("0.9")), d("60"));
        assert_eq!(score(&bands, &t, d("0.8999")), d("0"));
        assert_eq!(score(&Scoring::ZeroTolerance, &t, d("1")), d("0"));
    }
}
