//! Assessments (who assesses whom, over which scope, with which overrides) and the payment
//! block (bands of score to share of fee, the deduction cap, back-to-back).

use crate::language::ast::{self, Span};

use super::indicators::{scoring, target};
use super::literals::{cmp_op, ident, path, quantity};
use super::tree::{duplicate, Kids};
use super::{internal, span_of, Res, Rule, P};

pub(super) fn assess(k: Kids, span: Span) -> Res<ast::AssessDecl> {
    let mut names = Vec::new();
    let mut scope = None;
    let mut overrides = Vec::new();
    for p in k {
        let pspan = span_of(&p);
        match p.as_rule() {
            Rule::ident => names.push(ident(p)),
            Rule::scope_all | Rule::scope_covered | Rule::scope_products => {
                if scope.is_some() {
                    return Err(duplicate("scope", pspan));
                }
                scope = Some(match p.as_rule() {
                    Rule::scope_all => ast::ScopeLit::All(pspan),
                    Rule::scope_covered => ast::ScopeLit::Covered(pspan),
                    _ => ast::ScopeLit::Products(Kids::of(&p).map(path).collect(), pspan),
                });
            }
            Rule::override_decl => overrides.push(override_decl(&p)?),
            _ => return Err(internal(pspan)),
        }
    }
    let assessor = names.pop().ok_or_else(|| internal(span))?;
    Ok(ast::AssessDecl {
        assessees: names,
        assessor,
        scope,
        overrides,
        span,
    })
}

fn override_decl(p: &P) -> Res<ast::OverrideDecl> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let indicator = ident(k.next(Rule::ident)?);
    let mut o = ast::OverrideDecl {
        indicator,
        target: None,
        score: None,
        weight: None,
        report_only: None,
        points: Vec::new(),
        span,
    };
    for s in k {
        let sspan = span_of(&s);
        match s.as_rule() {
            Rule::target_stmt if o.target.is_none() => o.target = Some(target(&s)?),
            Rule::score_stmt if o.score.is_none() => o.score = Some(scoring(&s)?),
            Rule::weight_stmt if o.weight.is_none() => {
                o.weight = Some(quantity(Kids::of(&s).next(Rule::quantity)?)?)
            }
            Rule::target_stmt => return Err(duplicate("target", sspan)),
            Rule::score_stmt => return Err(duplicate("score", sspan)),
            Rule::report_stmt if o.report_only.is_none() => o.report_only = Some(sspan),
            Rule::weight_stmt => return Err(duplicate("weight", sspan)),
            Rule::report_stmt => return Err(duplicate("report only", sspan)),
            Rule::points_stmt => o.points.push(super::points::points_rule(&s)?),
            _ => return Err(internal(sspan)),
        }
    }
    Ok(o)
}

pub(super) fn payment(k: Kids, span: Span) -> Res<ast::PaymentDecl> {
    let mut d = ast::PaymentDecl {
        rules: Vec::new(),
        cap: None,
        back_to_back: false,
        span,
    };
    for s in k {
        let sspan = span_of(&s);
        let mut sk = Kids::of(&s);
        match s.as_rule() {
            Rule::pay_rule => {
                let r = sk.any()?;
                let mut rk = Kids::of(&r);
                let range = match r.as_rule() {
                    Rule::range_cmp => ast::ScoreRange::Cmp(
                        cmp_op(rk.next(Rule::cmp_op)?)?,
                        quantity(rk.next(Rule::quantity)?)?,
                    ),
                    Rule::range_between => ast::ScoreRange::Between(
                        quantity(rk.next(Rule::quantity)?)?,
                        quantity(rk.next(Rule::quantity)?)?,
                    ),
                    _ => return Err(internal(span_of(&r))),
                };
                let sh = sk.any()?;
                let mut hk = Kids::of(&sh);
                let share = match sh.as_rule() {
                    Rule::share_fixed => ast::Share::Fixed(quantity(hk.next(Rule::quantity)?)?),
                    Rule::share_linear => ast::Share::Linear(
                        quantity(hk.next(Rule::quantity)?)?,
                        quantity(hk.next(Rule::quantity)?)?,
                    ),
                    _ => return Err(internal(span_of(&sh))),
                };
                d.rules.push(ast::PayRule {
                    range,
                    share,
                    span: sspan,
                });
            }
            Rule::pay_cap => {
                if d.cap.is_some() {
                    return Err(duplicate("cap deduction", sspan));
                }
                d.cap = Some(quantity(sk.next(Rule::quantity)?)?);
            }
            Rule::back_to_back => {
                if d.back_to_back {
                    return Err(duplicate("back-to-back", sspan));
                }
                d.back_to_back = true;
            }
            _ => return Err(internal(sspan)),
        }
    }
    Ok(d)
}
