//! Points roll-ups and points rules: `rollup points start 100, floor 0, ceiling 100` and
//! `deduct 1 per breached clock, cap 10` (in indicators and overrides).

use crate::language::ast::{self, Span};
use crate::language::diagnostic::Diagnostic;

use super::literals::{cmp_op, quantity};
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, E_SYNTAX, P};

pub(super) fn rollup(p: &P, span: Span) -> Res<ast::RollupDecl> {
    let r = Kids::of(p).any()?;
    Ok(match r.as_rule() {
        Rule::rollup_weighted => ast::RollupDecl::Weighted(span),
        Rule::rollup_points => {
            let mut k = Kids::of(&r);
            let start = quantity(k.next(Rule::quantity)?)?;
            let (mut floor, mut ceiling) = (None, None);
            for o in k {
                let ospan = span_of(&o);
                let slot = match o.as_rule() {
                    Rule::rollup_floor => &mut floor,
                    Rule::rollup_ceiling => &mut ceiling,
                    _ => return Err(internal(ospan)),
                };
                if slot.is_some() {
                    let what = o.as_str().split_whitespace().next().unwrap_or("");
                    return Err(Diagnostic::error(
                        E_SYNTAX,
                        format!("`{what}` is given twice"),
                        ospan,
                    )
                    .with_label("second one")
                    .with_help(format!("keep one `{what}`")));
                }
                *slot = Some(quantity(Kids::of(&o).next(Rule::quantity)?)?);
            }
            ast::RollupDecl::Points {
                start,
                floor,
                ceiling,
                span,
            }
        }
        _ => return Err(internal(span)),
    })
}

pub(super) fn points_rule(p: &P) -> Res<ast::PointsRule> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let sign = match k.next(Rule::points_sign)?.as_str() {
        "bonus" => ast::PointsSign::Bonus,
        _ => ast::PointsSign::Deduct,
    };
    let b = k.any()?;
    let basis = match b.as_rule() {
        Rule::points_bands => {
            let mut bands = Vec::new();
            let mut otherwise: Option<ast::Quantity> = None;
            for e in Kids::of(&b) {
                let espan = span_of(&e);
                if otherwise.is_some() {
                    return Err(
                        Diagnostic::error(E_SYNTAX, "`else` must be the last band", espan)
                            .with_label("band after `else`")
                            .with_help("move `else => ...` to the end of the bands"),
                    );
                }
                let mut ek = Kids::of(&e);
                match e.as_rule() {
                    Rule::band => bands.push((
                        cmp_op(ek.next(Rule::cmp_op)?)?,
                        quantity(ek.next(Rule::quantity)?)?,
                        quantity(ek.next(Rule::quantity)?)?,
                    )),
                    Rule::band_else => otherwise = Some(quantity(ek.next(Rule::quantity)?)?),
                    _ => return Err(internal(espan)),
                }
            }
            ast::PointsBasis::Bands { bands, otherwise }
        }
        Rule::points_rate => {
            let mut rk = Kids::of(&b);
            let points = quantity(rk.next(Rule::quantity)?)?;
            let basis = rk.any()?;
            let mut bk = Kids::of(&basis);
            match basis.as_rule() {
                Rule::basis_clock => ast::PointsBasis::Clocks {
                    points,
                    breached: bk.next(Rule::clock_outcome)?.as_str() == "breached",
                },
                Rule::basis_late => ast::PointsBasis::Late {
                    points,
                    step: quantity(bk.next(Rule::duration)?)?,
                },
                Rule::basis_below => ast::PointsBasis::Below {
                    points,
                    step: quantity(bk.next(Rule::quantity)?)?,
                },
                Rule::basis_above => ast::PointsBasis::Above {
                    points,
                    step: quantity(bk.next(Rule::quantity)?)?,
                },
                Rule::basis_each => ast::PointsBasis::Each { points },
                _ => return Err(internal(span_of(&basis))),
            }
        }
        _ => return Err(internal(span_of(&b))),
    };
    let caps = k
        .map(|c| {
            let mut ck = Kids::of(&c);
            Ok(ast::PointsCap {
                amount: quantity(ck.next(Rule::quantity)?)?,
                per: ck.opt(Rule::ident).map(super::literals::ident),
                span: span_of(&c),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::PointsRule {
        sign,
        basis,
        caps,
        span,
    })
}

pub(super) fn waive(p: &P, span: Span) -> Res<ast::WaiveDecl> {
    let mut k = Kids::of(p);
    let kind = super::literals::path(k.next(Rule::path)?);
    let mut d = ast::WaiveDecl {
        kind,
        indicator: None,
        reason: None,
        approver: None,
        span,
    };
    for s in k {
        let sspan = span_of(&s);
        let (slot, what) = match s.as_rule() {
            Rule::waive_indicator => (&mut d.indicator, "indicator from"),
            Rule::waive_reason => (&mut d.reason, "reason from"),
            Rule::waive_approver => (&mut d.approver, "approver from"),
            _ => return Err(internal(sspan)),
        };
        if slot.is_some() {
            return Err(
                Diagnostic::error(E_SYNTAX, format!("`{what}` is given twice"), sspan)
                    .with_label("second one")
                    .with_help(format!("keep one `{what} ATTR`")),
            );
        }
        *slot = Some(super::literals::ident(Kids::of(&s).next(Rule::ident)?));
    }
    Ok(d)
}

pub(super) fn period_flag(p: &P, span: Span) -> Res<ast::PeriodFlagDecl> {
    let mut k = Kids::of(p);
    let name = super::literals::ident(k.next(Rule::ident)?);
    let m = k.next(Rule::flag_measure)?;
    let level = Kids::of(&m).opt(Rule::ident).map(super::literals::ident);
    let op = cmp_op(k.next(Rule::cmp_op)?)?;
    let bound = quantity(k.next(Rule::quantity)?)?;
    let run = match k.opt(Rule::flag_run) {
        Some(r) => Some(quantity(Kids::of(&r).next(Rule::quantity)?)?),
        None => None,
    };
    Ok(ast::PeriodFlagDecl {
        name,
        level,
        op,
        bound,
        run,
        span,
    })
}
