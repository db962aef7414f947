//! The value of an indicator: `rate(met)` over its clock, `ratio`, `count`, `distinct`,
//! `coverage`, `mean`, `sum` and `percentile`, each with its arguments and its unit.

use rust_decimal::Decimal;

use crate::contract::check::{util, Ctx, Res};
use crate::contract::{AttrId, Counted, EventSel, Measure, Unit};
use crate::language::ast::{self, Arg};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

pub(super) const FUNCTIONS: [&str; 11] = [
    "rate",
    "availability",
    "downtime",
    "mttr",
    "ratio",
    "count",
    "distinct",
    "coverage",
    "mean",
    "sum",
    "percentile",
];

impl Ctx {
    /// The measure and the unit of its value.
    pub(super) fn measure(
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
            "availability" | "downtime" => {
                let [Arg::Select(first), rest @ ..] = args else {
                    self.wrong_args(
                        v,
                        &format!(
                            "{}(SUBJECT, excluding SUBJECT [where notice >= DURATION], ...)",
                            v.func.name
                        ),
                    );
                    return None;
                };
                let subject = self.span_subject(v, first, filter, false)?.0;
                let mut excluding = Vec::new();
                let mut ok = true;
                for a in rest {
                    let Arg::Excluding(sel) = a else {
                        self.wrong_args(
                            v,
                            &format!(
                                "{}(SUBJECT, excluding SUBJECT [where notice >= DURATION], ...)",
                                v.func.name
                            ),
                        );
                        return None;
                    };
                    match self.exclusion(sel) {
                        Some(x) => excluding.push(x),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if v.func.name == "availability" {
                    (Measure::Availability { subject, excluding }, Unit::Fraction)
                } else {
                    (Measure::Downtime { subject, excluding }, Unit::Seconds)
                })
            }
            "mttr" => {
                let [Arg::Select(first)] = args else {
                    self.wrong_args(v, "mttr(SUBJECT [where ..])");
                    return None;
                };
                let (subject, filter) = self.span_subject(v, first, filter, true)?;
                Some((Measure::Mttr { subject, filter }, Unit::Seconds))
            }
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

    /// The subject of an interval measure, which must have a `lasts` (E0230); its condition
    /// only where `with_filter`.
    fn span_subject(
        &mut self,
        v: &ast::ValueExpr,
        s: &ast::Selection,
        filter: Option<&ast::Cond>,
        with_filter: bool,
    ) -> Option<(crate::contract::SubjectId, Option<crate::contract::Cond>)> {
        let call = ast::ValueExpr {
            func: v.func.clone(),
            args: vec![Arg::Select(s.clone())],
            span: v.span,
        };
        let Counted::Subjects { subject, filter } = self.count_arg(&call, filter)? else {
            self.wrong_args(
                v,
                &format!("{}(SUBJECT ...), of a subject with `lasts`", v.func.name),
            );
            return None;
        };
        if filter.is_some() && !with_filter {
            self.wrong_args(
                v,
                &format!(
                    "{}(SUBJECT, ...) without a condition on SUBJECT",
                    v.func.name
                ),
            );
            return None;
        }
        let lasts = self
            .subjects
            .get(subject)
            .and_then(Option::as_ref)
            .map(|x| x.lasts.is_some());
        if lasts == Some(false) {
            self.push(
                Diagnostic::error(
                    Code::E0230,
                    format!(
                        "`{}({})` needs a subject that lasts, but `{}` has no `lasts`",
                        v.func.name,
                        s.path.text(),
                        s.path.text()
                    ),
                    s.path.span,
                )
                .with_label("no `lasts`")
                .with_help("add e.g. `lasts until outage.ended` to the subject"),
            );
            return None;
        }
        Some((subject, filter))
    }

    /// `excluding W [where notice OP DURATION]`.
    fn exclusion(&mut self, sel: &ast::Selection) -> Option<crate::contract::Exclusion> {
        let bad = |cx: &mut Ctx, msg: String| {
            cx.push(
                Diagnostic::error(Code::E0231, msg, sel.span)
                    .with_label("not an exclusion")
                    .with_help("write e.g. `excluding maintenance_window where notice >= 24h`, of a subject with `lasts from START until END`"),
            );
        };
        let name = sel.path.text();
        let Some(&subject) = self.subject_names.get(&name) else {
            bad(self, format!("`excluding {name}`: not a subject"));
            return None;
        };
        let attrs = self
            .subjects
            .get(subject)
            .and_then(Option::as_ref)
            .map(|x| matches!(x.lasts, Some(crate::contract::Lasts::Attrs { .. })));
        if attrs != Some(true) {
            if attrs.is_some() {
                bad(
                    self,
                    format!("`excluding {name}`: the subject has no `lasts from ... until ...`"),
                );
            }
            return None;
        }
        let notice = match &sel.filter {
            None => None,
            Some(ast::Cond::Cmp {
                attr, op, value, ..
            }) if attr.name == "notice" => match value {
                ast::Literal::Number(q) => match util::duration_secs(q) {
                    Ok(secs) => Some((*op, secs)),
                    Err(why) => {
                        bad(self, format!("`notice` is compared with a duration: {why}"));
                        return None;
                    }
                },
                _ => {
                    bad(
                        self,
                        "`notice` is compared with a duration such as `24h`".into(),
                    );
                    return None;
                }
            },
            Some(_) => {
                bad(
                    self,
                    format!("`excluding {name} where ...` takes only `notice OP DURATION`"),
                );
                return None;
            }
        };
        Some(crate::contract::Exclusion { subject, notice })
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
    ) -> Option<(EventSel, AttrId, Unit)> {
        let (kind, attr) = self.attr_path(&s.path)?;
        let unit = self.attr_def(kind, attr).and_then(|d| d.ty.number_unit());
        let Some(unit) = unit else {
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
}
