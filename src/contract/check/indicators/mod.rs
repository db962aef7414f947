//! Indicators: level, weight, clock, value, target, scoring.
//!
//! Here each indicator's statements are taken once each and put together; `values` checks the
//! value called, `clocks` the clock and its deadline, `scoring` the target and the scoring.

use rust_decimal::Decimal;

use crate::contract::check::{util, Ctx};
use crate::contract::{Indicator, IndicatorId, Level, Terms};
use crate::language::ast::{self, IndicatorStmt};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

mod clocks;
mod points;
mod scoring;
mod values;

pub(crate) use points::{points_under_weighted, weighted_under_points};
pub(crate) use scoring::{high_share_deduction, scoring_span};
use values::FUNCTIONS;

/// The statements of one indicator, at most one of each.
#[derive(Default)]
struct Stmts<'a> {
    level: Option<&'a ast::Ident>,
    weight: Option<&'a ast::Quantity>,
    report_only: Option<&'a ast::Span>,
    clock: Option<&'a ast::ClockDecl>,
    value: Option<&'a ast::ValueExpr>,
    target: Option<&'a ast::Target>,
    score: Option<&'a ast::Scoring>,
    filter: Option<&'a ast::Cond>,
    points: Vec<&'a ast::PointsRule>,
}

pub(crate) fn cond_span(c: &ast::Cond) -> ast::Span {
    match c {
        ast::Cond::Cmp { span, .. }
        | ast::Cond::In { span, .. }
        | ast::Cond::Not(_, span)
        | ast::Cond::And(_, span)
        | ast::Cond::Or(_, span) => *span,
        ast::Cond::Flag(i) => i.span,
    }
}

fn twice(what: &str, span: ast::Span) -> Diagnostic {
    Diagnostic::error(Code::E0174, format!("`{what}` is given twice"), span)
        .with_label("second statement")
        .with_help(format!("keep one `{what}`"))
}

impl Ctx {
    pub(crate) fn indicators_pass(&mut self, inds: &[&ast::IndicatorDecl]) {
        let mut kept: Vec<&ast::IndicatorDecl> = Vec::new();
        for i in inds {
            if self.indicator_names.contains_key(&i.id.name) {
                self.push(
                    Diagnostic::error(
                        Code::E0170,
                        format!("indicator `{}` is declared twice", i.id.name),
                        i.id.span,
                    )
                    .with_label("second declaration")
                    .with_help("indicator ids must be unique; rename or remove one"),
                );
                continue;
            }
            let Some(id) = IndicatorId::new(self.indicator_order.len()) else {
                self.push(crate::contract::check::too_many(i.id.span));
                continue;
            };
            self.indicator_names.insert(i.id.name.clone(), id);
            self.indicator_order.push(i.id.name.clone());
            kept.push(i);
        }
        for i in kept {
            let ind = self.indicator(i);
            self.indicators.push(ind);
        }
    }

    fn indicator(&mut self, d: &ast::IndicatorDecl) -> Option<Indicator> {
        let errors = self.error_count();
        let mut st = Stmts::default();
        for s in &d.stmts {
            match s {
                IndicatorStmt::Level(i) => set_once(self, &mut st.level, i, "level", i.span),
                IndicatorStmt::Weight(q) => set_once(self, &mut st.weight, q, "weight", q.span),
                IndicatorStmt::ReportOnly(sp) => {
                    set_once(self, &mut st.report_only, sp, "report only", *sp)
                }
                IndicatorStmt::Clock(c) => set_once(self, &mut st.clock, c, "clock", c.span),
                IndicatorStmt::Value(v) => set_once(self, &mut st.value, v, "value", v.span),
                IndicatorStmt::Target(t) => set_once(self, &mut st.target, t, "target", t.span),
                IndicatorStmt::Score(s) => {
                    set_once(self, &mut st.score, s, "score", scoring_span(s))
                }
                IndicatorStmt::Filter(c) => {
                    set_once(self, &mut st.filter, c, "filter", cond_span(c))
                }
                IndicatorStmt::Points(r) => st.points.push(r),
            }
        }
        let points = self.points_roll_up();
        let id = &d.id.name;
        let missing = |what: &str, help: &str| {
            Diagnostic::error(
                Code::E0173,
                format!("indicator `{id}` has no `{what}`"),
                d.id.span,
            )
            .with_label(format!("missing `{what}`"))
            .with_help(help.to_string())
        };
        let level = match st.level {
            None => {
                self.push(missing(
                    "level",
                    "add `level system`, `level process` or `level role`",
                ));
                None
            }
            Some(l) => match l.name.as_str() {
                "system" => Some(Level::System),
                "process" => Some(Level::Process),
                "role" => Some(Level::Role),
                _ => {
                    let diag = Diagnostic::error(
                        Code::E0171,
                        format!("unknown level `{}`", l.name),
                        l.span,
                    )
                    .with_label("not a level");
                    self.push(util::with_suggestion(
                        diag,
                        &l.name,
                        ["system", "process", "role"],
                        "levels are `system`, `process` and `role`",
                    ));
                    None
                }
            },
        };
        let weight = match (st.weight, st.report_only) {
            // a points roll-up has no weights: E0222 below
            (_, None) if points => Some(Decimal::ZERO),
            (None, None) => {
                self.push(missing(
                    "weight",
                    "add e.g. `weight 10` (weights should sum to 100), or `report only` to show the indicator without counting it in the scores",
                ));
                None
            }
            (Some(q), None) => self.weight(q),
            // a report-only indicator weighs nothing in any roll-up
            (None, Some(_)) => Some(Decimal::ZERO),
            (Some(_), Some(r)) => {
                self.push(report_with_weight(*r));
                None
            }
        };
        if points {
            if let Some(w) = st.weight {
                self.push(points::weighted_under_points("weight", w.span));
            }
            if let Some(sc) = st.score {
                self.push(points::weighted_under_points("score", scoring_span(sc)));
            }
            if st.points.is_empty() && st.report_only.is_none() {
                self.push(missing(
                    "points rule",
                    "add e.g. `deduct 1 per breached clock, cap 10`, or `report only` to show the indicator without counting it",
                ));
            }
        } else {
            for r in &st.points {
                self.push(points::points_under_weighted(r.span));
            }
        }
        self.weights.push(weight);
        let measure = match st.value {
            None => {
                self.push(missing(
                    "value",
                    "add e.g. `value rate(met)` or `value count(KIND)`",
                ));
                None
            }
            Some(v) => self.measure(v, st.clock, st.filter),
        };
        if let (Some(c), Some(v)) = (st.clock, st.value) {
            if FUNCTIONS.contains(&v.func.name.as_str()) && v.func.name != "rate" {
                self.push(
                    Diagnostic::error(
                        Code::E0176,
                        format!(
                            "indicator `{id}` has a clock but its value `{}(..)` does not use it",
                            v.func.name
                        ),
                        c.subject.span,
                    )
                    .with_label("unused clock")
                    .with_help("write `value rate(met)` to score the clock, or remove the clock"),
                );
            }
        }
        let unit = measure.as_ref().map(|(_, u)| *u);
        self.indicator_units.push(unit);
        let target = match (st.target, unit) {
            (None, _) if points => None,
            (None, _) => {
                self.push(missing("target", "add e.g. `target >= 95%`"));
                None
            }
            (Some(t), Some(u)) => self.target(t, u, id),
            (Some(_), None) => None,
        };
        let scoring = match (st.score, unit) {
            (_, _) if points => None,
            (None, _) => {
                self.push(missing(
                    "score",
                    "add e.g. `score linear 80% -> 0, 95% -> 100`",
                ));
                None
            }
            (Some(s), Some(u)) => self.scoring(s, u, id),
            (Some(_), None) => None,
        };
        if let (Some(s), Some(t), Some((m, u)), Some(_), Some(_)) =
            (st.score, st.target, &measure, &target, &scoring)
        {
            self.share_deduction(s, *u, t.op, m, id);
        }
        let rules = match (&measure, points) {
            (Some((m, u)), true) if st.target.is_none() || target.is_some() => {
                self.points_rules(&st.points, m, *u, target.as_ref(), id)
            }
            _ => Some(Vec::new()),
        };
        if self.error_count() > errors {
            return None;
        }
        let (measure, unit) = measure?;
        Some(Indicator {
            id: id.clone(),
            title_zh: d.title_zh.as_ref().map(|s| s.value.clone()),
            title_en: d.title_en.as_ref().map(|s| s.value.clone()),
            level: level?,
            measure,
            unit,
            terms: Terms {
                target,
                scoring,
                points: rules?,
                weight: weight?,
                report_only: st.report_only.is_some(),
            },
        })
    }

    pub(crate) fn weight(&mut self, q: &ast::Quantity) -> Option<Decimal> {
        if q.unit.is_none() && q.number > Decimal::ZERO {
            return Some(q.number);
        }
        self.push(
            Diagnostic::error(
                Code::E0172,
                format!(
                    "a weight must be a positive number, found `{}`",
                    util::quantity_text(q)
                ),
                q.span,
            )
            .with_label("not a positive number")
            .with_help("write e.g. `weight 10`; to show an indicator without counting it in the scores, write `report only` instead of a weight"),
        );
        None
    }

    /// W0103 when the declared weights (all valid) do not sum to 100.
    pub(crate) fn weights_warning(&mut self) {
        // a points roll-up has no weights
        if self.weights.is_empty() || self.points_roll_up() {
            return;
        }
        let all: Option<Vec<Decimal>> = self.weights.iter().copied().collect();
        let Some(all) = all else { return };
        let sum: Decimal = all.iter().copied().sum();
        if sum != Decimal::ONE_HUNDRED {
            self.push(
                Diagnostic::warning(
                    Code::W0103,
                    format!("indicator weights sum to {}, not 100", sum.normalize()),
                    self.name_span,
                )
                .with_label("weights do not sum to 100")
                .with_help("scores are weighted averages, so this works, but weights that sum to 100 read as percentages"),
            );
        }
    }
}

/// E0195: `report only` and a `weight` on one indicator or override.
pub(crate) fn report_with_weight(report: ast::Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0195,
        "`report only` and `weight` exclude each other",
        report,
    )
    .with_label("report only, but weighed too")
    .with_help("a report-only indicator has no weight: keep `weight N` to count it in the scores, or `report only` to show it without counting it")
}

fn set_once<'a, T>(cx: &mut Ctx, slot: &mut Option<&'a T>, v: &'a T, what: &str, span: ast::Span) {
    if slot.is_some() {
        cx.push(twice(what, span));
    } else {
        *slot = Some(v);
    }
}
