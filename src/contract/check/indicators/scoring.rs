//! Targets and scorings (linear, bands, deduct, zero tolerance) in the unit of the value, and
//! the deductions on a share that would take points for what went well.

use rust_decimal::Decimal;

use crate::contract::check::{util, Ctx};
use crate::contract::{Measure, Scoring, Target, Unit};
use crate::language::ast::{self, CmpOp};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

pub(crate) fn scoring_span(s: &ast::Scoring) -> ast::Span {
    match s {
        ast::Scoring::Linear { span, .. }
        | ast::Scoring::Bands { span, .. }
        | ast::Scoring::Deduct { span, .. }
        | ast::Scoring::ZeroTolerance(span) => *span,
    }
}

impl Ctx {
    pub(crate) fn target(&mut self, t: &ast::Target, unit: Unit, id: &str) -> Option<Target> {
        match util::convert(&t.value, unit) {
            Some(value) => Some(Target { op: t.op, value }),
            None => {
                self.push(util::unit_mismatch(
                    &t.value,
                    unit,
                    &format!("the target of `{id}`"),
                ));
                None
            }
        }
    }

    pub(crate) fn scoring(&mut self, s: &ast::Scoring, unit: Unit, id: &str) -> Option<Scoring> {
        match s {
            ast::Scoring::ZeroTolerance(_) => Some(Scoring::ZeroTolerance),
            ast::Scoring::Linear { points, span } => {
                let [(qx0, qy0), (qx1, qy1)] = points.as_slice() else {
                    self.push(
                        Diagnostic::error(
                            Code::E0187,
                            format!(
                                "linear scoring needs exactly two points, found {}",
                                points.len()
                            ),
                            *span,
                        )
                        .with_label("expected two points")
                        .with_help("write `score linear FLOOR -> 0, TARGET -> 100`"),
                    );
                    return None;
                };
                let what = format!("a point of the linear score of `{id}`");
                let x0 = self.convert_or_report(qx0, unit, &what);
                let x1 = self.convert_or_report(qx1, unit, &what);
                let y0 = self.score_or_report(qy0);
                let y1 = self.score_or_report(qy1);
                let (x0, y0, x1, y1) = (x0?, y0?, x1?, y1?);
                if x0 == x1 {
                    self.push(
                        Diagnostic::error(
                            Code::E0187,
                            format!(
                                "linear scoring needs two different values, but both points are at `{}`",
                                util::quantity_text(qx1)
                            ),
                            qx1.span,
                        )
                        .with_label("same value as the other point")
                        .with_help("the floor (score 0) and the target (score 100) must differ; for all-or-nothing use `score zero-tolerance`"),
                    );
                    return None;
                }
                Some(Scoring::Linear { x0, y0, x1, y1 })
            }
            ast::Scoring::Bands {
                bands, otherwise, ..
            } => {
                let what = format!("a band threshold of `{id}`");
                let mut out = Vec::new();
                let mut ok = true;
                for (op, q, score) in bands {
                    let x = self.convert_or_report(q, unit, &what);
                    let y = self.score_or_report(score);
                    match (x, y) {
                        (Some(x), Some(y)) => out.push((*op, x, y)),
                        _ => ok = false,
                    }
                }
                let otherwise = match otherwise {
                    Some(q) => self.score_or_report(q),
                    None => Some(Decimal::ZERO),
                };
                if !ok {
                    return None;
                }
                Some(Scoring::Bands {
                    bands: out,
                    otherwise: otherwise?,
                })
            }
            ast::Scoring::Deduct {
                points, per, cap, ..
            } => {
                let mut ok = true;
                let p = if points.unit.is_none() && points.number > Decimal::ZERO {
                    Some(points.number)
                } else {
                    self.push(
                        Diagnostic::error(
                            Code::E0189,
                            format!(
                                "deducted points must be a positive plain number, found `{}`",
                                util::quantity_text(points)
                            ),
                            points.span,
                        )
                        .with_label("invalid points")
                        .with_help("write e.g. `score deduct 25 per 1`"),
                    );
                    None
                };
                let per_v = self.convert_or_report(per, unit, &format!("the `per` of `{id}`"));
                if let Some(v) = per_v {
                    if v <= Decimal::ZERO {
                        ok = false;
                        self.push(
                            Diagnostic::error(
                                Code::E0189,
                                format!(
                                    "`per` must be positive, found `{}`",
                                    util::quantity_text(per)
                                ),
                                per.span,
                            )
                            .with_label("not positive")
                            .with_help("write e.g. `per 1`"),
                        );
                    }
                }
                let cap_v = match cap {
                    None => Some(None),
                    Some(c) => match util::score_value(c) {
                        Some(v) => Some(Some(v)),
                        None => {
                            self.push(
                                Diagnostic::error(
                                    Code::E0189,
                                    format!(
                                        "a deduction cap is a plain number of points from 0 to 100, found `{}`",
                                        util::quantity_text(c)
                                    ),
                                    c.span,
                                )
                                .with_label("invalid cap")
                                .with_help("write e.g. `cap 100`"),
                            );
                            None
                        }
                    },
                };
                if !ok {
                    return None;
                }
                Some(Scoring::Deduct {
                    points: p?,
                    per: per_v?,
                    cap: cap_v?,
                })
            }
        }
    }

    /// E0193: `score deduct` on a share. A deduction grows with the value, so on a share the
    /// target wants high (`rate(met)`: clocks met) it takes points for what went well; on a
    /// share that should stay low, a plain `per 1` is per 100% (the whole range).
    pub(crate) fn share_deduction(
        &mut self,
        s: &ast::Scoring,
        unit: Unit,
        op: CmpOp,
        measure: &Measure,
        id: &str,
    ) {
        let ast::Scoring::Deduct {
            points, per, span, ..
        } = s
        else {
            return;
        };
        if unit != Unit::Fraction {
            return;
        }
        if matches!(op, CmpOp::Ge | CmpOp::Gt) {
            self.push(high_share_deduction(measure, id, *span));
            return;
        }
        // A plain `per 1` reads as "per occurrence", but on a share it is per 100%.
        if per.unit.is_none() && per.number == Decimal::ONE {
            let most = util::quantity_text(points);
            self.push(
                Diagnostic::error(
                    Code::E0193,
                    format!(
                        "on a share, `per 1` means per 100%, the whole range of the value: at most {most} points can ever be deducted"
                    ),
                    per.span,
                )
                .with_label("per 100%")
                .with_help("write `per 1%` to deduct per percentage point; to deduct per failure, deduct from a count such as `value count(KIND where ...)`"),
            );
        }
    }

    pub(super) fn convert_or_report(
        &mut self,
        q: &ast::Quantity,
        unit: Unit,
        what: &str,
    ) -> Option<Decimal> {
        let v = util::convert(q, unit);
        if v.is_none() {
            self.push(util::unit_mismatch(q, unit, what));
        }
        v
    }

    fn score_or_report(&mut self, q: &ast::Quantity) -> Option<Decimal> {
        let v = util::score_value(q);
        if v.is_none() {
            self.push(util::score_error(q));
        }
        v
    }
}

/// E0193 for a deduction on a share the target wants high; `span` is the deduction, or the
/// target of an override that turned the share's target around.
pub(crate) fn high_share_deduction(measure: &Measure, id: &str, span: ast::Span) -> Diagnostic {
    let what = match measure {
        Measure::ClockRate(_) => "the share of clocks met",
        Measure::Coverage { .. } => "the share of the inventory covered",
        _ => "a share",
    };
    Diagnostic::error(
        Code::E0193,
        format!(
            "`score deduct` on `{id}` takes points for every unit of {what}, which the target wants high: the better the service, the lower the score"
        ),
        span,
    )
    .with_label("deducts for what went well")
    .with_help(
        "score a share with `score linear` or `score bands` (`score linear 90% -> 0, 100% -> 100` takes 10 points per percentage point below 100%); `deduct` is meant for counts such as `value count(security.incident)`; deducting per breached clock is not supported yet",
    )
}
