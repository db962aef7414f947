//! Points roll-ups and points rules: `rollup points start 100, floor 0, ceiling 100`, and each
//! `deduct`/`bonus` rule checked against the value it reads (its unit, whether it has a clock
//! or a target, whether it is a count).

use rust_decimal::Decimal;

use crate::contract::check::{util, Ctx};
use crate::contract::{Basis, Measure, PointsRule, Rollup, Target, Unit};
use crate::language::ast::{self, CmpOp};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

/// A plain positive number (points, a cap), or `None` with E0225.
fn amount(cx: &mut Ctx, q: &ast::Quantity, what: &str) -> Option<Decimal> {
    if q.unit.is_none() && q.number > Decimal::ZERO {
        return Some(q.number);
    }
    cx.push(
        Diagnostic::error(
            Code::E0225,
            format!(
                "{what} must be a positive number of points, found `{}`",
                util::quantity_text(q)
            ),
            q.span,
        )
        .with_label("not a positive number")
        .with_help("points are plain numbers: write e.g. `deduct 1 per breached clock`; the rule's verb (`deduct` or `bonus`) gives the sign"),
    );
    None
}

/// A number of points for a band: zero or positive, without a unit.
fn band_points(cx: &mut Ctx, q: &ast::Quantity) -> Option<Decimal> {
    if q.unit.is_none() && q.number >= Decimal::ZERO {
        return Some(q.number);
    }
    cx.push(
        Diagnostic::error(
            Code::E0225,
            format!(
                "band points must be a plain number, found `{}`",
                util::quantity_text(q)
            ),
            q.span,
        )
        .with_label("not a number of points"),
    );
    None
}

impl Ctx {
    /// `rollup ...` (once: a second one is E0102 in the header).
    pub(crate) fn rollup_decl(&mut self, r: &ast::RollupDecl) {
        let ast::RollupDecl::Points {
            start,
            floor,
            ceiling,
            span,
        } = r
        else {
            self.rollup = Rollup::Weighted;
            return;
        };
        // a points roll-up even when its numbers are wrong (reported here), so that the
        // indicators are checked as points indicators, without a cascade of errors
        self.rollup = Rollup::Points {
            start: Decimal::ONE_HUNDRED,
            floor: None,
            ceiling: None,
        };
        let plain = |cx: &mut Ctx, q: &ast::Quantity, what: &str| {
            if q.unit.is_none() {
                return Some(q.number);
            }
            cx.push(
                Diagnostic::error(
                    Code::E0220,
                    format!(
                        "the {what} of a points roll-up is a plain number, found `{}`",
                        util::quantity_text(q)
                    ),
                    q.span,
                )
                .with_label("a number with a unit")
                .with_help("write e.g. `rollup points start 100, floor 0, ceiling 100`"),
            );
            None
        };
        let s = plain(self, start, "start");
        let f = floor.as_ref().map(|q| plain(self, q, "floor"));
        let c = ceiling.as_ref().map(|q| plain(self, q, "ceiling"));
        let (Some(s), Some(f), Some(c)) = (
            s,
            f.unwrap_or(Some(Decimal::MIN)),
            c.unwrap_or(Some(Decimal::MAX)),
        ) else {
            return;
        };
        if f > c || s < f || s > c {
            self.push(
                Diagnostic::error(
                    Code::E0220,
                    format!(
                        "a points roll-up that starts at {} must have floor ≤ start ≤ ceiling",
                        s.normalize()
                    ),
                    *span,
                )
                .with_label("floor, start and ceiling out of order")
                .with_help("write e.g. `rollup points start 100, floor 0, ceiling 100`"),
            );
            return;
        }
        self.rollup = Rollup::Points {
            start: s,
            floor: floor.as_ref().map(|_| f),
            ceiling: ceiling.as_ref().map(|_| c),
        };
    }

    pub(crate) fn points_roll_up(&self) -> bool {
        matches!(self.rollup, Rollup::Points { .. })
    }

    /// Checks points rules against the value (`measure`, `unit`) and the target they may read.
    /// `None` when any rule is wrong (each error reported).
    pub(crate) fn points_rules(
        &mut self,
        rules: &[&ast::PointsRule],
        measure: &Measure,
        unit: Unit,
        target: Option<&Target>,
        id: &str,
    ) -> Option<Vec<PointsRule>> {
        let mut out = Vec::with_capacity(rules.len());
        let mut ok = true;
        for r in rules {
            match self.points_rule(r, measure, unit, target, id) {
                Some(p) => out.push(p),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn points_rule(
        &mut self,
        r: &ast::PointsRule,
        measure: &Measure,
        unit: Unit,
        target: Option<&Target>,
        id: &str,
    ) -> Option<PointsRule> {
        let misfit = |cx: &mut Ctx, msg: String, help: &str| {
            cx.push(
                Diagnostic::error(Code::E0223, msg, r.span)
                    .with_label("does not fit the value")
                    .with_help(help.to_string()),
            );
        };
        let needs_target = |cx: &mut Ctx, ops: &[CmpOp], word: &str| -> bool {
            match target {
                None => {
                    cx.push(
                        Diagnostic::error(
                            Code::E0224,
                            format!("the points of `{id}` are per step {word} its target, but it has no `target`"),
                            r.span,
                        )
                        .with_label("reads a target")
                        .with_help("add e.g. `target >= 95%` to the indicator"),
                    );
                    false
                }
                Some(t) if !ops.contains(&t.op) => {
                    let want = if word == "below" {
                        "`>=` or `>`"
                    } else {
                        "`<=` or `<`"
                    };
                    misfit(
                        cx,
                        format!(
                            "`per started ... {word} target` on `{id}`, whose target is `{}`: steps {word} a target need a target with {want}",
                            t.op.as_str()
                        ),
                        if word == "below" {
                            "for a value that should stay low, write `per started S above target`"
                        } else {
                            "for a value that should stay high, write `per started S below target`"
                        },
                    );
                    false
                }
                Some(_) => true,
            }
        };
        let basis = match &r.basis {
            ast::PointsBasis::Clocks { points, breached } => {
                let p = amount(self, points, "the points of a rule");
                if !matches!(measure, Measure::ClockRate(_)) {
                    misfit(
                        self,
                        format!("`per {} clock` on `{id}`, which has no clock", if *breached { "breached" } else { "met" }),
                        "points per clock need `clock SUBJECT { ... }` and `value rate(met)`; for counts write `deduct P each`",
                    );
                    return None;
                }
                Basis::Clocks {
                    points: p?,
                    breached: *breached,
                }
            }
            ast::PointsBasis::Late { points, step } => {
                let p = amount(self, points, "the points of a rule");
                if !matches!(measure, Measure::ClockRate(_)) {
                    misfit(
                        self,
                        format!("`per started ... late` on `{id}`, which has no clock"),
                        "lateness is counted on clocks: give the indicator `clock SUBJECT { ... }` and `value rate(met)`",
                    );
                    return None;
                }
                let s = util::duration_secs(step).ok().filter(|s| *s > 0);
                let Some(s) = s else {
                    self.push(
                        Diagnostic::error(
                            Code::E0225,
                            format!("the step of lateness must be a positive whole number of seconds, found `{}`", util::quantity_text(step)),
                            step.span,
                        )
                        .with_label("not a positive duration")
                        .with_help("write e.g. `deduct 0.5 per started 1h late`"),
                    );
                    return None;
                };
                Basis::Late {
                    points: p?,
                    step: s,
                }
            }
            ast::PointsBasis::Each { points } => {
                let p = amount(self, points, "the points of a rule");
                if unit != Unit::Count {
                    misfit(
                        self,
                        format!("`each` on `{id}`, whose value is not a count"),
                        "`deduct P each` takes P points per counted item; for a share or a mean use `per started S below target` or `by value { ... }`",
                    );
                    return None;
                }
                Basis::Each { points: p? }
            }
            ast::PointsBasis::Below { points, step } | ast::PointsBasis::Above { points, step } => {
                let below = matches!(r.basis, ast::PointsBasis::Below { .. });
                let p = amount(self, points, "the points of a rule");
                let s = self.convert_or_report(
                    step,
                    unit,
                    &format!("the step of a points rule of `{id}`"),
                );
                let s = match s {
                    Some(s) if s > Decimal::ZERO => Some(s),
                    Some(_) => {
                        self.push(
                            Diagnostic::error(
                                Code::E0225,
                                format!(
                                    "the step of a points rule must be positive, found `{}`",
                                    util::quantity_text(step)
                                ),
                                step.span,
                            )
                            .with_label("not a positive step"),
                        );
                        None
                    }
                    None => None,
                };
                let fits = if below {
                    needs_target(self, &[CmpOp::Ge, CmpOp::Gt], "below")
                } else {
                    needs_target(self, &[CmpOp::Le, CmpOp::Lt], "above")
                };
                let (p, s) = (p?, s?);
                if !fits {
                    return None;
                }
                if below {
                    Basis::Below { points: p, step: s }
                } else {
                    Basis::Above { points: p, step: s }
                }
            }
            ast::PointsBasis::Bands { bands, otherwise } => {
                let mut out = Vec::with_capacity(bands.len());
                let mut ok = true;
                for (op, at, pts) in bands {
                    let x = self.convert_or_report(
                        at,
                        unit,
                        &format!("a band of the points of `{id}`"),
                    );
                    let p = band_points(self, pts);
                    match (x, p) {
                        (Some(x), Some(p)) => out.push((*op, x, p)),
                        _ => ok = false,
                    }
                }
                let o = match otherwise {
                    Some(q) => band_points(self, q),
                    None => Some(Decimal::ZERO),
                };
                if !ok {
                    return None;
                }
                Basis::Bands {
                    bands: out,
                    otherwise: o?,
                }
            }
        };
        let (mut cap, mut cap_per_subject) = (None, None);
        for c in &r.caps {
            let slot = if c.per.is_some() {
                &mut cap_per_subject
            } else {
                &mut cap
            };
            if slot.is_some() {
                self.push(
                    Diagnostic::error(
                        Code::E0225,
                        "a points rule has two caps of one kind",
                        c.span,
                    )
                    .with_label("second cap")
                    .with_help("keep one `cap N` (and at most one `cap N per SUBJECT`)"),
                );
                return None;
            }
            *slot = Some(amount(self, &c.amount, "a cap")?);
            if let Some(per) = &c.per {
                let subject = match measure {
                    Measure::ClockRate(def) => self.subject_order.get(def.subject.index()).cloned(),
                    _ => None,
                };
                let late = matches!(basis, Basis::Late { .. });
                if !late || subject.as_deref() != Some(per.name.as_str()) {
                    let help = match (&subject, late) {
                        (Some(s), true) => format!("the clock counts `{s}`s: write `cap N per {s}`"),
                        _ => "a cap per subject only fits `per started D late`, whose points add up clock by clock".to_string(),
                    };
                    self.push(
                        Diagnostic::error(
                            Code::E0226,
                            format!(
                                "`cap N per {}` on a rule that does not count `{}`s one by one",
                                per.name, per.name
                            ),
                            c.span,
                        )
                        .with_label("no points per subject here")
                        .with_help(help),
                    );
                    return None;
                }
            }
        }
        if let (Some(c), Basis::Bands { bands, otherwise }) = (cap, &basis) {
            let most = bands
                .iter()
                .map(|(_, _, p)| *p)
                .chain([*otherwise])
                .max()
                .unwrap_or_default();
            if c >= most {
                let span = r.caps.first().map_or(r.span, |q| q.span);
                let _ = cap_per_subject;
                self.push(
                    Diagnostic::warning(
                        Code::W0105,
                        format!(
                            "the cap {} can never bind: the bands give at most {} points",
                            c.normalize(),
                            most.normalize()
                        ),
                        span,
                    )
                    .with_label("never reached")
                    .with_help("remove the cap"),
                );
            }
        }
        if let (Some(c), Some(s)) = (cap, cap_per_subject) {
            if s >= c {
                let span = r
                    .caps
                    .iter()
                    .find(|x| x.per.is_some())
                    .map_or(r.span, |x| x.span);
                self.push(
                    Diagnostic::warning(
                        Code::W0105,
                        format!(
                            "the cap per subject {} can never bind: the rule's cap is {}",
                            s.normalize(),
                            c.normalize()
                        ),
                        span,
                    )
                    .with_label("never reached")
                    .with_help("remove it, or make it smaller than the rule's cap"),
                );
            }
        }
        Some(PointsRule {
            bonus: r.sign == ast::PointsSign::Bonus,
            basis,
            cap,
            cap_per_subject,
        })
    }
}

/// E0221: a points rule under a weighted roll-up.
pub(crate) fn points_under_weighted(span: ast::Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0221,
        "a points rule where scores roll up weighted: points cannot be added to 0–100 scores",
        span,
    )
    .with_label("points rule")
    .with_help("add `rollup points start 100, floor 0, ceiling 100` to the contract for a points method, or score the indicator with `score deduct N per M`")
}

/// E0222: `weight` or `score` under a points roll-up.
pub(crate) fn weighted_under_points(what: &str, span: ast::Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0222,
        format!("`{what}` on an indicator of a points roll-up"),
        span,
    )
    .with_label("scores are points here")
    .with_help("under `rollup points` an indicator gives points (`deduct ...`, `bonus ...`), not a weighted 0–100 score: remove it")
}
