//! Waivers: `waive on KIND { indicator from A  reason from R  approver from P }`. The kind's
//! enum attribute `A` names indicators; `R` and `P` are text kept for explanations.

use crate::contract::check::{util, Ctx};
use crate::contract::{AttrType, IndicatorId, Measure, WaiverDef};
use crate::language::ast;
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

impl Ctx {
    /// `flag NAME when score OP N in K consecutive periods`.
    pub(crate) fn period_flag(&mut self, f: &ast::PeriodFlagDecl) {
        let bad = |cx: &mut Ctx, msg: String, span: ast::Span| {
            cx.push(
                Diagnostic::error(Code::E0260, msg, span)
                    .with_label("invalid flag")
                    .with_help("write e.g. `flag termination_right when score < 60 in 2 consecutive periods`"),
            );
        };
        if self.period_flags.iter().any(|x| x.name == f.name.name) {
            self.push(
                Diagnostic::error(
                    Code::E0261,
                    format!("flag `{}` is declared twice", f.name.name),
                    f.name.span,
                )
                .with_label("second declaration")
                .with_help("rename or remove one"),
            );
            return;
        }
        let level = match &f.level {
            None => None,
            Some(l) => match crate::contract::Level::ALL
                .iter()
                .find(|x| x.as_str() == l.name)
            {
                Some(x) => Some(*x),
                None => {
                    bad(self, format!("unknown level `{}`", l.name), l.span);
                    return;
                }
            },
        };
        let b = &f.bound;
        if b.unit.is_some() || b.number > rust_decimal::Decimal::ONE_HUNDRED {
            bad(
                self,
                format!(
                    "a flag compares a score, a plain number from 0 to 100, not `{}`",
                    util::quantity_text(b)
                ),
                b.span,
            );
            return;
        }
        let periods = match &f.run {
            None => 1,
            Some(q) => match u32::try_from(q.number)
                .ok()
                .filter(|n| q.unit.is_none() && q.number.fract().is_zero() && (1..=12).contains(n))
            {
                Some(n) => n,
                None => {
                    bad(
                        self,
                        format!(
                            "a run of periods is a whole number from 1 to 12, not `{}`",
                            util::quantity_text(q)
                        ),
                        q.span,
                    );
                    return;
                }
            },
        };
        self.period_flags.push(crate::contract::PeriodFlag {
            name: f.name.name.clone(),
            level,
            op: f.op,
            bound: b.number,
            periods,
        });
    }

    pub(crate) fn waivers_pass(&mut self, decls: &[&ast::WaiveDecl]) {
        for d in decls {
            if let Some(w) = self.waiver(d) {
                self.waivers.push(w);
            }
        }
    }

    fn waiver(&mut self, d: &ast::WaiveDecl) -> Option<WaiverDef> {
        let kind = self.kind_ref(&d.kind)?;
        let Some(ind) = &d.indicator else {
            self.push(
                Diagnostic::error(
                    Code::E0245,
                    format!(
                        "`waive on {}` does not say which indicator it waives",
                        d.kind.text()
                    ),
                    d.kind.span,
                )
                .with_label("no `indicator from`")
                .with_help(
                    "add `indicator from ATTR`, an enum attribute whose values are indicator ids",
                ),
            );
            return None;
        };
        let attr = self.attr_ref(kind, ind)?;
        let values = match self.attr_def(kind, attr).map(|a| a.ty.clone()) {
            Some(AttrType::Enum(v)) => v,
            _ => {
                let words = self.type_words(kind, attr);
                self.push(
                    Diagnostic::error(
                        Code::E0246,
                        format!("`indicator from {}` needs an enum of indicator ids, but `{}` is {words}", ind.name, ind.name),
                        ind.span,
                    )
                    .with_label("not an enum of indicators")
                    .with_help("declare it e.g. as `indicator: response_timeliness | repair_timeliness`"),
                );
                return None;
            }
        };
        let mut targets = Vec::with_capacity(values.len());
        let mut ok = true;
        for v in &values {
            match self.indicator_names.get(v).copied() {
                Some(i) => {
                    let clock = self
                        .indicators
                        .get(i)
                        .and_then(Option::as_ref)
                        .is_some_and(|x| matches!(x.measure, Measure::ClockRate(_)));
                    if !clock {
                        self.push(
                            Diagnostic::warning(
                                Code::W0106,
                                format!("a waiver of `{v}` changes nothing: the indicator has no clock"),
                                ind.span,
                            )
                            .with_label(format!("`{v}` cannot be waived"))
                            .with_help("waivers excuse a subject's clock; remove the value, or give the indicator a clock"),
                        );
                    }
                    targets.push(clock.then_some(i));
                }
                None => {
                    ok = false;
                    let d = Diagnostic::error(
                        Code::E0246,
                        format!("`{v}`, a value of `{}`, is not an indicator", ind.name),
                        ind.span,
                    )
                    .with_label("not an indicator id");
                    let names: Vec<String> = self.indicator_order.clone();
                    self.push(util::with_suggestion(
                        d,
                        v,
                        names.iter().map(String::as_str),
                        "the values must be indicator ids",
                    ));
                }
            }
        }
        let text =
            |cx: &mut Ctx, a: &Option<ast::Ident>| -> Option<Option<crate::contract::AttrId>> {
                let Some(a) = a else { return Some(None) };
                let id = cx.attr_ref(kind, a)?;
                if cx.attr_def(kind, id).map(|x| &x.ty) == Some(&AttrType::Text) {
                    return Some(Some(id));
                }
                let words = cx.type_words(kind, id);
                cx.push(
                    Diagnostic::error(
                        Code::E0247,
                        format!(
                            "a waiver's reason and approver are text, but `{}` is {words}",
                            a.name
                        ),
                        a.span,
                    )
                    .with_label("not text")
                    .with_help(format!("declare it as `{}: text`", a.name)),
                );
                None
            };
        let reason = text(self, &d.reason);
        let approver = text(self, &d.approver);
        let _: Option<IndicatorId> = None;
        if !ok {
            return None;
        }
        Some(WaiverDef {
            kind,
            indicator: attr,
            targets,
            reason: reason?,
            approver: approver?,
        })
    }
}
