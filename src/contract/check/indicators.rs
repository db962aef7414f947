//! Indicators: level, weight, clock, value, target, scoring.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{util, Ctx, Res};
use crate::contract::{
    AttrType, ClockCalendar, ClockDef, Counted, Deadline, EventMatch, EventSel, Indicator, Level,
    Measure, Scoring, Target, Terms, Unit,
};
use crate::language::ast::{self, Arg, ClockStmt, CmpOp, IndicatorStmt};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

const FUNCTIONS: [&str; 8] = [
    "rate",
    "ratio",
    "count",
    "distinct",
    "coverage",
    "mean",
    "sum",
    "percentile",
];

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
}

pub(crate) fn scoring_span(s: &ast::Scoring) -> ast::Span {
    match s {
        ast::Scoring::Linear { span, .. }
        | ast::Scoring::Bands { span, .. }
        | ast::Scoring::Deduct { span, .. }
        | ast::Scoring::ZeroTolerance(span) => *span,
    }
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
            self.indicator_names
                .insert(i.id.name.clone(), self.indicator_order.len());
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
            }
        }
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
            (None, _) => {
                self.push(missing("target", "add e.g. `target >= 95%`"));
                None
            }
            (Some(t), Some(u)) => self.target(t, u, id),
            (Some(_), None) => None,
        };
        let scoring = match (st.score, unit) {
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
                target: target?,
                scoring: scoring?,
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

    fn convert_or_report(&mut self, q: &ast::Quantity, unit: Unit, what: &str) -> Option<Decimal> {
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

    fn wrong_args(&mut self, v: &ast::ValueExpr, usage: &str) {
        self.push(
            Diagnostic::error(
                Code::E0178,
                format!("wrong arguments to `{}`", v.func.name),
                v.span,
            )
            .with_label("unexpected arguments")
            .with_help(format!("write `{usage}`")),
        );
    }

    /// The measure and the unit of its value.
    fn measure(
        &mut self,
        v: &ast::ValueExpr,
        clock: Option<&ast::ClockDecl>,
        filter: Option<&ast::Cond>,
    ) -> Option<(Measure, Unit)> {
        let args = v.args.as_slice();
        match v.func.name.as_str() {
            "rate" => {
                let is_met = matches!(args, [Arg::Select(s)]
                    if s.path.parts == ["met"] && !s.path.wildcard && s.filter.is_none());
                if !is_met {
                    self.wrong_args(v, "rate(met)");
                    return None;
                }
                let Some(c) = clock else {
                    self.push(
                        Diagnostic::error(
                            Code::E0175,
                            "`rate(met)` needs a clock, but the indicator has none",
                            v.span,
                        )
                        .with_label("no clock to rate")
                        .with_help(
                            "add `clock SUBJECT { stop on KIND  deadline 15m }` to the indicator",
                        ),
                    );
                    return None;
                };
                let def = self.clock(c, filter)?;
                Some((Measure::ClockRate(def), Unit::Fraction))
            }
            "ratio" => {
                let [Arg::Call(a), Arg::Call(b)] = args else {
                    self.wrong_args(v, "ratio(count(..), count(..))");
                    return None;
                };
                if a.func.name != "count" || b.func.name != "count" {
                    self.wrong_args(v, "ratio(count(..), count(..))");
                    return None;
                }
                let num = self.count_arg(a, filter);
                let den = self.count_arg(b, filter);
                Some((
                    Measure::Ratio {
                        num: num?,
                        den: den?,
                    },
                    Unit::Fraction,
                ))
            }
            "count" => Some((Measure::Count(self.count_arg(v, filter)?), Unit::Count)),
            "distinct" => {
                let [Arg::Select(s)] = args else {
                    self.wrong_args(v, "distinct(KIND [where ..])");
                    return None;
                };
                Some((Measure::Distinct(self.event_sel(s, filter)?), Unit::Count))
            }
            "coverage" => {
                let [Arg::Select(h), Arg::Inventory(i)] = args else {
                    self.wrong_args(v, "coverage(KIND [where ..], inventory KIND)");
                    return None;
                };
                let hits = self.event_sel(h, filter);
                let inventory = self.event_sel(i, filter);
                Some((
                    Measure::Coverage {
                        hits: hits?,
                        inventory: inventory?,
                    },
                    Unit::Fraction,
                ))
            }
            "mean" | "sum" => {
                let [Arg::Select(s)] = args else {
                    self.wrong_args(v, &format!("{}(KIND.ATTR [where ..])", v.func.name));
                    return None;
                };
                let (sel, attr, unit) = self.number_sel(s, filter, &v.func.name)?;
                Some(if v.func.name == "mean" {
                    (Measure::Mean { sel, attr }, unit)
                } else {
                    (Measure::Sum { sel, attr }, unit)
                })
            }
            "percentile" => {
                let [Arg::Number(p), Arg::Select(s)] = args else {
                    self.wrong_args(v, "percentile(P, KIND.ATTR [where ..])");
                    return None;
                };
                let pv = match p.unit {
                    None | Some(ast::UnitLit::Percent)
                        if p.number > Decimal::ZERO && p.number <= Decimal::ONE_HUNDRED =>
                    {
                        Some(p.number)
                    }
                    _ => {
                        self.push(
                            Diagnostic::error(
                                Code::E0190,
                                format!(
                                    "a percentile is a number above 0 and at most 100, found `{}`",
                                    util::quantity_text(p)
                                ),
                                p.span,
                            )
                            .with_label("invalid percentile")
                            .with_help("write e.g. `percentile(95, net.probe.latency_ms)`"),
                        );
                        None
                    }
                };
                let r = self.number_sel(s, filter, "percentile");
                let (sel, attr, unit) = r?;
                Some((Measure::Percentile { p: pv?, sel, attr }, unit))
            }
            other => {
                let d = Diagnostic::error(
                    Code::E0177,
                    format!("unknown value function `{other}`"),
                    v.func.span,
                )
                .with_label("not a value function");
                self.push(util::with_suggestion(
                    d,
                    other,
                    FUNCTIONS,
                    &format!("value functions: {}", util::list(FUNCTIONS)),
                ));
                None
            }
        }
    }

    /// `count(SEL)`: a subject name (subjects anchored in the period) or an event kind.
    fn count_arg(&mut self, v: &ast::ValueExpr, filter: Option<&ast::Cond>) -> Option<Counted> {
        let [Arg::Select(s)] = v.args.as_slice() else {
            self.wrong_args(v, "count(SUBJECT [where ..]) or count(KIND [where ..])");
            return None;
        };
        if let [name] = s.path.parts.as_slice() {
            if !s.path.wildcard {
                if let Some(&subj) = self.subject_names.get(name) {
                    let anchor = self
                        .subjects
                        .get(subj)
                        .and_then(Option::as_ref)
                        .map(|x| x.anchor);
                    let anchor = anchor?; // the subject's own error was reported
                    return match self.opt_cond(s.filter.as_ref(), filter, anchor, Some(subj)) {
                        Res::Ok(filter) => Some(Counted::Subjects {
                            subject: subj,
                            filter,
                        }),
                        _ => None,
                    };
                }
            }
        }
        let text = s.path.text();
        if self.kind_names.contains_key(&text) {
            return self.event_sel(s, filter).map(Counted::Events);
        }
        let d = Diagnostic::error(
            Code::E0152,
            format!("unknown event kind or subject `{text}`"),
            s.path.span,
        )
        .with_label("neither a subject nor an event kind");
        let mut cands: Vec<String> = self.subject_order.clone();
        cands.extend(self.kinds.iter().map(|k| k.name.clone()));
        self.push(util::with_suggestion(
            d,
            &text,
            &cands,
            "count a declared subject (`count(ticket)`) or event kind (`count(security.incident)`)",
        ));
        None
    }

    fn event_sel(&mut self, s: &ast::Selection, filter: Option<&ast::Cond>) -> Option<EventSel> {
        let kind = self.kind_ref(&s.path)?;
        match self.opt_cond(s.filter.as_ref(), filter, kind, None) {
            Res::Ok(filter) => Some(EventSel { kind, filter }),
            _ => None,
        }
    }

    fn number_sel(
        &mut self,
        s: &ast::Selection,
        filter: Option<&ast::Cond>,
        func: &str,
    ) -> Option<(EventSel, usize, Unit)> {
        let (kind, attr) = self.attr_path(&s.path)?;
        let ty = self.attr_def(kind, attr).map(|d| d.ty.clone());
        let Some(AttrType::Number(unit)) = ty else {
            let words = self.type_words(kind, attr);
            self.push(
                Diagnostic::error(
                    Code::E0179,
                    format!(
                        "`{func}` needs a number attribute, but `{}` is {words}",
                        s.path.text()
                    ),
                    s.path.span,
                )
                .with_label("not a number")
                .with_help(
                    "declare the attribute as `number` (with `ms`, `s` or `%` if it has a unit)",
                ),
            );
            return None;
        };
        let unit = if unit == Unit::Count {
            Unit::Number
        } else {
            unit
        };
        match self.opt_cond(s.filter.as_ref(), filter, kind, None) {
            Res::Ok(filter) => Some((EventSel { kind, filter }, attr, unit)),
            _ => None,
        }
    }

    fn clock(&mut self, c: &ast::ClockDecl, filter: Option<&ast::Cond>) -> Option<ClockDef> {
        let errors = self.error_count();
        let subject = match self.subject_names.get(&c.subject.name) {
            Some(&s) => Some(s),
            None => {
                let d = Diagnostic::error(
                    Code::E0162,
                    format!("unknown subject `{}`", c.subject.name),
                    c.subject.span,
                )
                .with_label("not a declared subject");
                let fallback = if self.subject_order.is_empty() {
                    "declare it with `subject NAME { anchor KIND }`".to_string()
                } else {
                    format!("declared subjects: {}", util::list(&self.subject_order))
                };
                self.push(util::with_suggestion(
                    d,
                    &c.subject.name,
                    &self.subject_order,
                    &fallback,
                ));
                None
            }
        };
        let anchor = subject
            .and_then(|s| self.subjects.get(s))
            .and_then(Option::as_ref)
            .map(|s| s.anchor);
        let mut start: Option<Vec<EventMatch>> = None;
        let mut stop: Option<Vec<EventMatch>> = None;
        let mut pause: Option<Vec<EventMatch>> = None;
        let mut resume: Option<Vec<EventMatch>> = None;
        let mut restart: Option<Vec<EventMatch>> = None;
        let mut reset: Option<Vec<EventMatch>> = None;
        let mut deadline: Option<Option<Deadline>> = None;
        let mut calendar: Option<Res<ClockCalendar>> = None;
        for s in &c.stmts {
            let (slot, ms, span, what) = match s {
                ClockStmt::Start(ms, sp) => (&mut start, ms, sp, "start"),
                ClockStmt::Stop(ms, sp) => (&mut stop, ms, sp, "stop"),
                ClockStmt::Pause(ms, sp) => (&mut pause, ms, sp, "pause"),
                ClockStmt::Resume(ms, sp) => (&mut resume, ms, sp, "resume"),
                ClockStmt::Restart(ms, sp) => (&mut restart, ms, sp, "restart"),
                ClockStmt::Reset(ms, sp) => (&mut reset, ms, sp, "reset"),
                ClockStmt::Deadline(d) => {
                    if deadline.is_some() {
                        self.push(twice("deadline", deadline_span(d)));
                    } else {
                        deadline = Some(self.deadline(d, anchor));
                    }
                    continue;
                }
                ClockStmt::Calendar(name) => {
                    if calendar.is_some() {
                        self.push(twice("calendar", name.span));
                    } else if name.name == super::calendars::RESERVED_CALENDAR {
                        calendar = Some(Res::Ok(ClockCalendar::Business));
                    } else {
                        calendar = Some(match self.calendar_ref(name) {
                            Res::Ok(id) => Res::Ok(ClockCalendar::Named(id)),
                            _ => Res::Bad,
                        });
                    }
                    continue;
                }
            };
            if slot.is_some() {
                let d = twice(what, *span).with_help(format!(
                    "list every event of `{what}` in one line: `{what} on KIND1, KIND2`"
                ));
                self.diags.push(d);
                continue;
            }
            *slot = Some(self.event_matches(ms, None));
        }
        if stop.is_none() {
            self.push(
                Diagnostic::error(
                    Code::E0182,
                    format!("the clock on `{}` has no `stop`", c.subject.name),
                    c.subject.span,
                )
                .with_label("clock never stops")
                .with_help("add e.g. `stop on ticket.resolved`"),
            );
        }
        if deadline.is_none() {
            self.push(
                Diagnostic::error(
                    Code::E0182,
                    format!("the clock on `{}` has no `deadline`", c.subject.name),
                    c.subject.span,
                )
                .with_label("clock without a deadline")
                .with_help("add e.g. `deadline 15m`, `deadline by priority { P1 => 15m, .. }` or `deadline at due`"),
            );
        }
        // An indicator filter restricts which subjects count, judged on the anchor event and
        // the subject's flags.
        let mut clock_filter = None;
        if let (Some(f), Some(a)) = (filter, anchor) {
            if let Res::Ok(cond) = self.opt_cond(None, Some(f), a, subject) {
                clock_filter = cond;
            }
        }
        let start = start.unwrap_or_default();
        if self.error_count() > errors {
            return None;
        }
        let calendar = match calendar {
            None => ClockCalendar::Business,
            Some(Res::Ok(c)) => c,
            Some(_) => return None,
        };
        Some(ClockDef {
            subject: subject?,
            filter: clock_filter,
            start,
            stop: stop.unwrap_or_default(),
            pause: pause.unwrap_or_default(),
            resume: resume.unwrap_or_default(),
            restart: restart.unwrap_or_default(),
            reset: reset.unwrap_or_default(),
            deadline: deadline.flatten()?,
            calendar,
        })
    }

    /// A clock's deadline; `anchor` is the subject's anchor kind when it resolved (when it
    /// did not, checks that need the anchor's attributes are skipped: already reported).
    fn deadline(&mut self, d: &ast::Deadline, anchor: Option<usize>) -> Option<Deadline> {
        match d {
            ast::Deadline::Fixed(q, _) => self.duration(q).map(Deadline::Fixed),
            ast::Deadline::At(attr, _) => {
                let kind = anchor?;
                let a = self.attr_ref(kind, attr)?;
                if self.attr_def(kind, a).map(|x| &x.ty) == Some(&AttrType::Time) {
                    return Some(Deadline::At(a));
                }
                let words = self.type_words(kind, a);
                self.push(
                    Diagnostic::error(
                        Code::E0179,
                        format!(
                            "`deadline at {}` needs a time attribute, but `{}` is {words}",
                            attr.name, attr.name
                        ),
                        attr.span,
                    )
                    .with_label("not a time attribute")
                    .with_help(format!(
                        "declare it as `{}: time` on `{}`",
                        attr.name,
                        self.kind_name(kind)
                    )),
                );
                None
            }
            ast::Deadline::ByAttr { attr, table, span } => {
                // Durations are checked even when the attribute cannot be.
                let mut durations = Vec::new();
                let mut ok = true;
                for (_, q) in table {
                    match self.duration(q) {
                        Some(s) => durations.push(s),
                        None => ok = false,
                    }
                }
                let kind = anchor?;
                let a = self.attr_ref(kind, attr)?;
                let ty = self.attr_def(kind, a).map(|x| x.ty.clone());
                let values = match ty {
                    Some(AttrType::Enum(v)) => Some(v),
                    Some(AttrType::Text) => None,
                    _ => {
                        let words = self.type_words(kind, a);
                        self.push(
                            Diagnostic::error(
                                Code::E0179,
                                format!(
                                    "`deadline by {}` needs an enum or text attribute, but `{}` is {words}",
                                    attr.name, attr.name
                                ),
                                attr.span,
                            )
                            .with_label("not an enum or text attribute")
                            .with_help("declare it e.g. as `priority: P1 | P2 | P3 | P4`"),
                        );
                        return None;
                    }
                };
                let mut seen: HashSet<&str> = HashSet::new();
                let mut unknown: Vec<&ast::Ident> = Vec::new();
                for (key, _) in table {
                    if !seen.insert(key.name.as_str()) {
                        ok = false;
                        self.push(
                            Diagnostic::error(
                                Code::E0191,
                                format!("`{}` appears twice in the deadline table", key.name),
                                key.span,
                            )
                            .with_label("duplicate key")
                            .with_help("keep one deadline per value"),
                        );
                        continue;
                    }
                    if values.as_ref().is_some_and(|v| !v.contains(&key.name)) {
                        unknown.push(key);
                    }
                }
                if let Some(vals) = &values {
                    let missing: Vec<&String> =
                        vals.iter().filter(|v| !seen.contains(v.as_str())).collect();
                    let list = util::list(vals);
                    for key in &unknown {
                        ok = false;
                        // A misspelt key most likely means a value the table lacks.
                        let guess = util::suggest(&key.name, &missing)
                            .or_else(|| util::suggest(&key.name, vals));
                        let d = Diagnostic::error(
                            Code::E0181,
                            format!("`{}` is not a value of `{}`", key.name, attr.name),
                            key.span,
                        )
                        .with_label("not in the enum");
                        self.push(match guess {
                            Some(g) => d.with_help(format!("did you mean `{g}`? values: {list}")),
                            None => d.with_help(format!("values of `{}`: {list}", attr.name)),
                        });
                    }
                    // With misspelt keys, the missing values are already explained.
                    if !missing.is_empty() && unknown.is_empty() {
                        ok = false;
                        let mlist = util::list(&missing);
                        self.push(
                            Diagnostic::error(
                                Code::E0180,
                                format!(
                                    "the deadline table by `{}` has no deadline for {mlist}",
                                    attr.name
                                ),
                                *span,
                            )
                            .with_label(format!("missing {mlist}"))
                            .with_help(format!(
                                "add {} to the table",
                                missing
                                    .iter()
                                    .map(|m| format!("`{m} => DURATION`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        );
                    }
                }
                if !ok {
                    return None;
                }
                let table = table
                    .iter()
                    .zip(durations)
                    .map(|((k, _), s)| (k.name.clone(), s))
                    .collect();
                Some(Deadline::ByAttr { attr: a, table })
            }
        }
    }

    fn duration(&mut self, q: &ast::Quantity) -> Option<i64> {
        match util::duration_secs(q) {
            Ok(s) => Some(s),
            Err(why) => {
                self.push(
                    Diagnostic::error(
                        Code::E0183,
                        format!("invalid duration `{}`: {why}", util::quantity_text(q)),
                        q.span,
                    )
                    .with_label("invalid duration")
                    .with_help("write e.g. `90s`, `15m`, `4h` or `3d`"),
                );
                None
            }
        }
    }

    /// W0103 when the declared weights (all valid) do not sum to 100.
    pub(crate) fn weights_warning(&mut self) {
        if self.weights.is_empty() {
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

fn deadline_span(d: &ast::Deadline) -> ast::Span {
    match d {
        ast::Deadline::Fixed(_, s)
        | ast::Deadline::ByAttr { span: s, .. }
        | ast::Deadline::At(_, s) => *s,
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
