//! Indicators: level, weight, clocks with their deadlines, the value called, its target and
//! its scoring; targets and scorings are shared with assessments' overrides.

use crate::language::ast::{self, Span};
use crate::language::diagnostic::Diagnostic;

use super::conditions::cond;
use super::events::event_list;
use super::literals::{cmp_op, ident, path, quantity, string};
use super::points::points_rule;
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, E_SYNTAX, P};

pub(super) fn indicator(mut k: Kids, span: Span) -> Res<ast::IndicatorDecl> {
    let id = ident(k.next(Rule::ident)?);
    let title_zh = k.opt(Rule::string).map(string).transpose()?;
    let title_en = k.opt(Rule::string).map(string).transpose()?;
    let stmts = k
        .map(|s| {
            let sspan = span_of(&s);
            let mut sk = Kids::of(&s);
            Ok(match s.as_rule() {
                Rule::level_stmt => ast::IndicatorStmt::Level(ident(sk.next(Rule::ident)?)),
                Rule::weight_stmt => {
                    ast::IndicatorStmt::Weight(quantity(sk.next(Rule::quantity)?)?)
                }
                Rule::report_stmt => ast::IndicatorStmt::ReportOnly(sspan),
                Rule::clock_decl => ast::IndicatorStmt::Clock(clock(sk, sspan)?),
                Rule::value_stmt => ast::IndicatorStmt::Value(call(&sk.next(Rule::call)?)?),
                Rule::target_stmt => ast::IndicatorStmt::Target(target(&s)?),
                Rule::score_stmt => ast::IndicatorStmt::Score(scoring(&s)?),
                Rule::filter_stmt => ast::IndicatorStmt::Filter(cond(sk.next(Rule::cond)?)?),
                Rule::points_stmt => ast::IndicatorStmt::Points(points_rule(&s)?),
                _ => return Err(internal(sspan)),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::IndicatorDecl {
        id,
        title_zh,
        title_en,
        stmts,
        span,
    })
}

fn clock(mut k: Kids, span: Span) -> Res<ast::ClockDecl> {
    let subject = ident(k.next(Rule::ident)?);
    let stmts = k
        .map(|s| {
            let sspan = span_of(&s);
            Ok(match s.as_rule() {
                Rule::start_stmt => ast::ClockStmt::Start(event_list(&s)?, sspan),
                Rule::stop_stmt => ast::ClockStmt::Stop(event_list(&s)?, sspan),
                Rule::pause_stmt => ast::ClockStmt::Pause(event_list(&s)?, sspan),
                Rule::resume_stmt => ast::ClockStmt::Resume(event_list(&s)?, sspan),
                Rule::restart_stmt => ast::ClockStmt::Restart(event_list(&s)?, sspan),
                Rule::reset_stmt => ast::ClockStmt::Reset(event_list(&s)?, sspan),
                Rule::clock_calendar => {
                    ast::ClockStmt::Calendar(ident(Kids::of(&s).next(Rule::ident)?))
                }
                Rule::deadline_stmt => {
                    let d = Kids::of(&s).any()?;
                    ast::ClockStmt::Deadline(match d.as_rule() {
                        Rule::duration => ast::Deadline::Fixed(quantity(d)?, sspan),
                        Rule::deadline_at => {
                            ast::Deadline::At(ident(Kids::of(&d).next(Rule::ident)?), sspan)
                        }
                        Rule::deadline_by => {
                            let mut dk = Kids::of(&d);
                            let attr = ident(dk.next(Rule::ident)?);
                            let follow = match dk.opt(Rule::deadline_follow) {
                                Some(f) => {
                                    let mut fk = Kids::of(&f);
                                    Some(ast::Follow {
                                        kind: path(fk.next(Rule::path)?),
                                        restart: fk.opt(Rule::follow_restart).is_some(),
                                        span: span_of(&f),
                                    })
                                }
                                None => None,
                            };
                            let table = dk
                                .map(|e| {
                                    let mut ek = Kids::of(&e);
                                    Ok((
                                        ident(ek.next(Rule::ident)?),
                                        quantity(ek.next(Rule::duration)?)?,
                                    ))
                                })
                                .collect::<Res<Vec<_>>>()?;
                            ast::Deadline::ByAttr {
                                attr,
                                table,
                                follow,
                                span: sspan,
                            }
                        }
                        _ => return Err(internal(sspan)),
                    })
                }
                _ => return Err(internal(sspan)),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::ClockDecl {
        subject,
        stmts,
        span,
    })
}

fn call(p: &P) -> Res<ast::ValueExpr> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let func = ident(k.next(Rule::ident)?);
    let args = k
        .map(|a| {
            Ok(match a.as_rule() {
                Rule::call => ast::Arg::Call(call(&a)?),
                Rule::quantity => ast::Arg::Number(quantity(a)?),
                Rule::selection => ast::Arg::Select(selection(&a)?),
                Rule::inventory_arg => {
                    ast::Arg::Inventory(selection(&Kids::of(&a).next(Rule::selection)?)?)
                }
                Rule::excluding_arg => {
                    ast::Arg::Excluding(selection(&Kids::of(&a).next(Rule::selection)?)?)
                }
                _ => return Err(internal(span_of(&a))),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::ValueExpr { func, args, span })
}

fn selection(p: &P) -> Res<ast::Selection> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let path = path(k.next(Rule::path)?);
    let filter = k.opt(Rule::cond).map(cond).transpose()?;
    Ok(ast::Selection { path, filter, span })
}

pub(super) fn target(p: &P) -> Res<ast::Target> {
    let mut k = Kids::of(p);
    Ok(ast::Target {
        op: cmp_op(k.next(Rule::cmp_op)?)?,
        value: quantity(k.next(Rule::quantity)?)?,
        span: span_of(p),
    })
}

pub(super) fn scoring(p: &P) -> Res<ast::Scoring> {
    let span = span_of(p);
    let s = Kids::of(p).any()?;
    let mut k = Kids::of(&s);
    Ok(match s.as_rule() {
        Rule::score_linear => ast::Scoring::Linear {
            points: k
                .map(|pt| {
                    let mut pk = Kids::of(&pt);
                    Ok((
                        quantity(pk.next(Rule::quantity)?)?,
                        quantity(pk.next(Rule::quantity)?)?,
                    ))
                })
                .collect::<Res<Vec<_>>>()?,
            span,
        },
        Rule::score_bands => {
            let mut bands = Vec::new();
            let mut otherwise: Option<ast::Quantity> = None;
            for b in k {
                let bspan = span_of(&b);
                if otherwise.is_some() {
                    return Err(
                        Diagnostic::error(E_SYNTAX, "`else` must be the last band", bspan)
                            .with_label("band after `else`")
                            .with_help("move `else => ...` to the end of the bands"),
                    );
                }
                let mut bk = Kids::of(&b);
                match b.as_rule() {
                    Rule::band => bands.push((
                        cmp_op(bk.next(Rule::cmp_op)?)?,
                        quantity(bk.next(Rule::quantity)?)?,
                        quantity(bk.next(Rule::quantity)?)?,
                    )),
                    Rule::band_else => otherwise = Some(quantity(bk.next(Rule::quantity)?)?),
                    _ => return Err(internal(bspan)),
                }
            }
            ast::Scoring::Bands {
                bands,
                otherwise,
                span,
            }
        }
        Rule::score_deduct => ast::Scoring::Deduct {
            points: quantity(k.next(Rule::quantity)?)?,
            per: quantity(k.next(Rule::quantity)?)?,
            cap: k.opt(Rule::quantity).map(quantity).transpose()?,
            span,
        },
        Rule::score_zero => ast::Scoring::ZeroTolerance(span),
        _ => return Err(internal(span)),
    })
}
