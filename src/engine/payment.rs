//! Payment: the share of a party's fee that its score earns under the contract's bands, and
//! the fee due. (The back-to-back pass-through to subcontractors is in `chain`.)

use rust_decimal::Decimal;

use crate::contract::{PayShare, Payment};
use crate::engine::score::round;

/// The share of the fee paid for a (rounded) party score.
pub fn payment_share(payment: &Payment, score: Decimal) -> Decimal {
    let share = payment
        .bands
        .iter()
        .find(|b| b.lower.is_none_or(|l| score >= l) && b.upper.is_none_or(|u| score < u))
        .map(|b| match &b.share {
            PayShare::Fixed(s) => *s,
            PayShare::Linear { from, to } => match (b.lower, b.upper) {
                (Some(l), Some(u)) if u > l => *from + (score - l) * (*to - *from) / (u - l),
                _ => *from,
            },
        })
        .unwrap_or(Decimal::ONE);
    match payment.min_share {
        Some(m) => share.max(m),
        None => share,
    }
}

/// The fee due, in the currency's cents: the fee times the share its score earns; the whole
/// fee when the score gives no share; nothing without a fee, or for an assessment that
/// measured nothing (not assessed, so not paid as if perfect).
pub fn fee_due(fee: Option<Decimal>, share: Option<Decimal>, assessed: bool) -> Option<Decimal> {
    match (fee, share) {
        _ if !assessed => None,
        (Some(f), Some(s)) => Some(round(f * s, 2)),
        (Some(f), None) => Some(round(f, 2)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn reference_payment() {
        use crate::contract::PayBand;
        let p = Payment {
            bands: vec![
                PayBand {
                    lower: Some(d("90")),
                    upper: None,
                    share: PayShare::Fixed(d("1")),
                },
                PayBand {
                    lower: Some(d("60")),
                    upper: Some(d("90")),
                    share: PayShare::Linear {
                        from: d("0.7"),
                        to: d("1"),
                    },
                },
                PayBand {
                    lower: None,
                    upper: Some(d("60")),
                    share: PayShare::Fixed(d("0.5")),
                },
            ],
            min_share: None,
            back_to_back: false,
        };
        // 1 - (90 - 61.23) / 100 = 0.7123
        assert_eq!(payment_share(&p, d("61.23")), d("0.7123"));
        assert_eq!(payment_share(&p, d("90")), d("1"));
        assert_eq!(payment_share(&p, d("89.99")), d("0.9999"));
        assert_eq!(payment_share(&p, d("59.99")), d("0.5"));
        assert_eq!(payment_share(&p, d("60")), d("0.7"));
    }

    #[test]
    fn fee_due_needs_evidence_and_a_fee() {
        assert_eq!(
            fee_due(Some(d("1000")), Some(d("0.7123")), true),
            Some(d("712.30"))
        );
        assert_eq!(fee_due(Some(d("1000")), None, true), Some(d("1000.00")));
        assert_eq!(fee_due(Some(d("1000")), Some(d("1")), false), None);
        assert_eq!(fee_due(None, Some(d("1")), true), None);
    }
}
