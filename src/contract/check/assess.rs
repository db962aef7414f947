//! Assessments (who scores whom, on what) and payment rules.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{util, Ctx, Res};
use crate::contract::{
    Assessment, IndicatorId, PartyId, PayBand, PayShare, Payment, ProductId, Role, Scope, Table,
    Terms,
};
use crate::language::ast::{self, CmpOp, ScopeLit, ScoreRange, Share};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

impl Ctx {
    pub(crate) fn assess_pass(&mut self, decls: &[&ast::AssessDecl]) {
        let mut pairs: HashSet<(PartyId, PartyId)> = HashSet::new();
        for d in decls {
            let assessor = self.party_ref(&d.assessor);
            // Overrides are checked once per declaration, then applied to each assessee.
            let overrides = self.overrides(&d.overrides);
            for who in &d.assessees {
                let assessee = self.party_ref(who);
                let (Res::Ok(assessor), Res::Ok(assessee)) = (assessor, assessee) else {
                    self.assessments.push(None);
                    continue;
                };
                if assessor == assessee {
                    self.push(
                        Diagnostic::error(
                            Code::E0200,
                            format!("party `{}` cannot assess itself", who.name),
                            who.span,
                        )
                        .with_label("assessee is the assessor")
                        .with_help(
                            "the client assesses the prime, the prime assesses its subcontractors",
                        ),
                    );
                    self.assessments.push(None);
                    continue;
                }
                if !pairs.insert((assessor, assessee)) {
                    self.push(
                        Diagnostic::error(
                            Code::E0203,
                            format!("`{}` already assesses `{}`", d.assessor.name, who.name),
                            who.span,
                        )
                        .with_label("duplicate assessment")
                        .with_help("merge the two `assess` statements"),
                    );
                    self.assessments.push(None);
                    continue;
                }
                let scope = self.scope(d.scope.as_ref(), assessee, who);
                let terms = self.assessment_terms(&overrides);
                self.assessments
                    .push(match (scope, terms, overrides.is_some()) {
                        (Some(scope), Some(terms), true) => Some(Assessment {
                            assessor,
                            assessee,
                            scope,
                            terms,
                        }),
                        _ => None,
                    });
            }
        }
    }

    fn scope(
        &mut self,
        s: Option<&ScopeLit>,
        assessee: PartyId,
        who: &ast::Ident,
    ) -> Option<Scope> {
        let party = self.parties.get(assessee).and_then(Option::as_ref)?;
        let role = party.role;
        let covered = party.covered.clone();
        let covered_scope = |cx: &mut Ctx, span: ast::Span| {
            if covered.is_empty() {
                cx.push(
                    Diagnostic::error(
                        Code::E0201,
                        format!("`{}` is assessed on the products it covers, but it covers none", who.name),
                        span,
                    )
                    .with_label("covers no product")
                    .with_help(format!(
                        "add `{{ covers PATTERN }}` to party `{}`, or write `scope all` or `scope PATTERN`",
                        who.name
                    )),
                );
                None
            } else {
                Some(Scope::Products(covered.clone()))
            }
        };
        match s {
            Some(ScopeLit::All(_)) => Some(Scope::All),
            Some(ScopeLit::Covered(span)) => covered_scope(self, *span),
            Some(ScopeLit::Products(pats, _)) => {
                let mut ids: Vec<ProductId> = Vec::new();
                let mut ok = true;
                for p in pats {
                    match self.product_pattern(p) {
                        Some(v) => ids.extend(v),
                        None => ok = false,
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                ok.then_some(Scope::Products(ids))
            }
            None => match role {
                Role::Sub | Role::Third => covered_scope(self, who.span),
                Role::Prime | Role::Client => Some(Scope::All),
            },
        }
    }

    /// Checked overrides of one `assess`: per indicator index, the replaced terms.
    /// `None` when any override failed (reported).
    fn overrides(&mut self, ovs: &[ast::OverrideDecl]) -> Option<Vec<(IndicatorId, Override)>> {
        let mut out: Vec<(IndicatorId, Override)> = Vec::new();
        let mut ok = true;
        let mut seen: HashSet<IndicatorId> = HashSet::new();
        for o in ovs {
            let Some(&idx) = self.indicator_names.get(&o.indicator.name) else {
                let d = Diagnostic::error(
                    Code::E0192,
                    format!("unknown indicator `{}`", o.indicator.name),
                    o.indicator.span,
                )
                .with_label("no indicator of this name");
                self.push(util::with_suggestion(
                    d,
                    &o.indicator.name,
                    &self.indicator_order,
                    &format!("indicators: {}", util::list(&self.indicator_order)),
                ));
                ok = false;
                continue;
            };
            if !seen.insert(idx) {
                self.push(
                    Diagnostic::error(
                        Code::E0202,
                        format!("indicator `{}` is overridden twice", o.indicator.name),
                        o.indicator.span,
                    )
                    .with_label("second override")
                    .with_help("put all changes to one indicator in one `override` block"),
                );
                ok = false;
                continue;
            }
            let unit = self.indicator_units.get(idx).copied().flatten();
            let Some(unit) = unit else {
                // The indicator's own value failed and was reported.
                ok = false;
                continue;
            };
            let id = o.indicator.name.clone();
            let target = o.target.as_ref().map(|t| self.target(t, unit, &id));
            let scoring = o.score.as_ref().map(|s| self.scoring(s, unit, &id));
            let weight = o.weight.as_ref().map(|w| self.weight(w));
            if let (Some(_), Some(r)) = (&o.weight, o.report_only) {
                self.push(super::indicators::report_with_weight(r));
                ok = false;
                continue;
            }
            if matches!(target, Some(None))
                || matches!(scoring, Some(None))
                || matches!(weight, Some(None))
            {
                ok = false;
                continue;
            }
            let declared = self.indicators.get(idx).cloned().flatten();
            let before = self.error_count();
            let points = if self.points_roll_up() {
                if let Some(w) = &o.weight {
                    self.push(super::indicators::weighted_under_points("weight", w.span));
                }
                if let Some(sc) = &o.score {
                    self.push(super::indicators::weighted_under_points(
                        "score",
                        super::indicators::scoring_span(sc),
                    ));
                }
                match (&declared, o.points.is_empty()) {
                    (Some(ind), false) => {
                        let t = target.clone().flatten().or(ind.terms.target.clone());
                        let rules: Vec<&ast::PointsRule> = o.points.iter().collect();
                        self.points_rules(&rules, &ind.measure, unit, t.as_ref(), &id)
                    }
                    _ => None,
                }
            } else {
                for r in &o.points {
                    self.push(super::indicators::points_under_weighted(r.span));
                }
                None
            };
            if self.error_count() > before {
                ok = false;
                continue;
            }
            // A deduction on a share, with the target and scoring in force here.
            if let (Some(ind), false) = (declared, self.points_roll_up()) {
                let before = self.error_count();
                let declared_op = ind.terms.target.as_ref().map_or(CmpOp::Ge, |t| t.op);
                let op = o.target.as_ref().map_or(declared_op, |t| t.op);
                match (&o.score, &o.target, &ind.terms.scoring) {
                    (Some(s), _, _) => self.share_deduction(s, unit, op, &ind.measure, &id),
                    (None, Some(t), Some(crate::contract::Scoring::Deduct { .. }))
                        if unit == crate::contract::Unit::Fraction
                            && matches!(t.op, CmpOp::Ge | CmpOp::Gt) =>
                    {
                        self.push(super::indicators::high_share_deduction(
                            &ind.measure,
                            &id,
                            t.span,
                        ));
                    }
                    _ => {}
                }
                if self.error_count() > before {
                    ok = false;
                    continue;
                }
            }
            out.push((
                idx,
                Override {
                    target: target.flatten(),
                    scoring: scoring.flatten(),
                    weight: weight.flatten(),
                    report_only: o.report_only.is_some(),
                    points,
                },
            ));
        }
        ok.then_some(out)
    }

    fn assessment_terms(
        &self,
        ovs: &Option<Vec<(IndicatorId, Override)>>,
    ) -> Option<Table<IndicatorId, Terms>> {
        let ovs = ovs.as_ref()?;
        let mut terms = Vec::new();
        for (i, ind) in self.indicators.iter_enumerated() {
            let mut t = ind.as_ref()?.terms.clone();
            if let Some((_, o)) = ovs.iter().find(|(idx, _)| *idx == i) {
                if let Some(x) = &o.target {
                    t.target = Some(x.clone());
                }
                if let Some(x) = &o.scoring {
                    t.scoring = Some(x.clone());
                }
                if let Some(x) = &o.points {
                    t.points = x.clone();
                }
                if let Some(x) = o.weight {
                    t.weight = x;
                    t.report_only = false;
                }
                if o.report_only {
                    t.weight = Decimal::ZERO;
                    t.report_only = true;
                }
            }
            terms.push(t);
        }
        Some(Table::from_vec(terms))
    }

    pub(crate) fn payment_pass(&mut self, decls: &[&ast::PaymentDecl]) {
        // A second block was reported as E0102 by the header pass.
        let Some(p) = decls.first() else { return };
        let errors = self.error_count();
        let mut bands: Vec<(PayBand, ast::Span)> = Vec::new();
        for r in &p.rules {
            if let Some(b) = self.pay_rule(r) {
                bands.push((b, r.span));
            }
        }
        if self.error_count() == errors {
            self.pay_coverage(&bands, p.span);
        }
        let min_share = match &p.cap {
            None => None,
            Some(q) => match util::convert(q, crate::contract::Unit::Fraction) {
                Some(v) if v > Decimal::ZERO && v <= Decimal::ONE => Some(Decimal::ONE - v),
                _ => {
                    self.push(
                        Diagnostic::error(
                            Code::E0214,
                            format!(
                                "`cap deduction` is a percentage above 0% and at most 100%, found `{}`",
                                util::quantity_text(q)
                            ),
                            q.span,
                        )
                        .with_label("invalid cap")
                        .with_help("write e.g. `cap deduction 30%` (the share paid never falls below 70%)"),
                    );
                    None
                }
            },
        };
        if self.error_count() > errors {
            return;
        }
        self.payment = Some(Payment {
            bands: bands.into_iter().map(|(b, _)| b).collect(),
            min_share,
            back_to_back: p.back_to_back,
        });
    }

    fn share(&mut self, q: &ast::Quantity) -> Option<Decimal> {
        match util::convert(q, crate::contract::Unit::Fraction) {
            Some(v) if v >= Decimal::ZERO && v <= Decimal::ONE => Some(v),
            _ => {
                self.push(
                    Diagnostic::error(
                        Code::E0212,
                        format!(
                            "a payment share is a percentage from 0% to 100%, found `{}`",
                            util::quantity_text(q)
                        ),
                        q.span,
                    )
                    .with_label("invalid share")
                    .with_help("write e.g. `pays 100%` or `pays 70% .. 100%`"),
                );
                None
            }
        }
    }

    fn bound(&mut self, q: &ast::Quantity) -> Option<Decimal> {
        if q.unit.is_none() && q.number >= Decimal::ZERO && q.number <= Decimal::ONE_HUNDRED {
            return Some(q.number);
        }
        self.push(
            Diagnostic::error(
                Code::E0213,
                format!(
                    "a score bound is a plain number from 0 to 100, found `{}`",
                    util::quantity_text(q)
                ),
                q.span,
            )
            .with_label("invalid bound")
            .with_help("party scores run from 0 to 100: write e.g. `score >= 90`"),
        );
        None
    }

    fn pay_rule(&mut self, r: &ast::PayRule) -> Option<PayBand> {
        let (lower, upper) = match &r.range {
            ScoreRange::Cmp(CmpOp::Ge, q) => (Some(self.bound(q)?), None),
            ScoreRange::Cmp(CmpOp::Lt, q) => (None, Some(self.bound(q)?)),
            ScoreRange::Cmp(op, q) => {
                self.push(
                    Diagnostic::error(
                        Code::E0213,
                        format!("payment bands use `score >= X`, `score < X` or `score A .. B`, not `score {}`", op.as_str()),
                        ast::Span::new(r.span.start, q.span.end),
                    )
                    .with_label("unsupported comparison")
                    .with_help("bands include their lower bound and exclude their upper bound"),
                );
                return None;
            }
            ScoreRange::Between(a, b) => {
                let (lo, hi) = (self.bound(a), self.bound(b));
                let (lo, hi) = (lo?, hi?);
                if lo >= hi {
                    self.push(
                        Diagnostic::error(
                            Code::E0213,
                            format!("payment band `score {lo} .. {hi}` is empty"),
                            ast::Span::new(a.span.start, b.span.end),
                        )
                        .with_label("lower bound not below upper bound")
                        .with_help(format!("write `score {hi} .. {lo}`")),
                    );
                    return None;
                }
                (Some(lo), Some(hi))
            }
        };
        let share = match &r.share {
            Share::Fixed(q) => PayShare::Fixed(self.share(q)?),
            Share::Linear(a, b) => {
                let (from, to) = (self.share(a), self.share(b));
                let (from, to) = (from?, to?);
                if lower.is_none() || upper.is_none() {
                    self.push(
                        Diagnostic::error(
                            Code::E0213,
                            "a linear share needs a band with both bounds",
                            r.span,
                        )
                        .with_label("open-ended band")
                        .with_help("write the band as `score A .. B pays P% .. Q%`"),
                    );
                    return None;
                }
                PayShare::Linear { from, to }
            }
        };
        Some(PayBand {
            lower,
            upper,
            share,
        })
    }

    /// Every score in [0, 100] must fall in exactly one band.
    fn pay_coverage(&mut self, bands: &[(PayBand, ast::Span)], block: ast::Span) {
        if bands.is_empty() {
            self.push(
                Diagnostic::error(Code::E0210, "the payment block has no bands", block)
                    .with_label("no `score .. pays ..` line")
                    .with_help("add e.g. `score >= 0 pays 100%`, or remove the block (everything is then paid in full)"),
            );
            return;
        }
        let mut v: Vec<&(PayBand, ast::Span)> = bands.iter().collect();
        // None lower = minus infinity.
        v.sort_by(|(a, sa), (b, sb)| match (a.lower, b.lower) {
            (None, None) => sa.start.cmp(&sb.start),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(&y).then(sa.start.cmp(&sb.start)),
        });
        let fmt = |d: Decimal| d.normalize().to_string();
        if let Some((first, span)) = v.first() {
            if let Some(lo) = first.lower {
                if lo > Decimal::ZERO {
                    self.push(
                        Diagnostic::error(
                            Code::E0210,
                            format!("no payment band covers scores from 0 to below {}", fmt(lo)),
                            *span,
                        )
                        .with_label("lowest band starts here")
                        .with_help(format!("add `score < {} pays P%`", fmt(lo))),
                    );
                }
            }
        }
        for w in v.windows(2) {
            let [(a, sa), (b, sb)] = w else { continue };
            let later = if sb.start >= sa.start { *sb } else { *sa };
            match (a.upper, b.lower) {
                (None, _) | (_, None) => {
                    self.push(
                        Diagnostic::error(
                            Code::E0211,
                            "payment bands overlap".to_string(),
                            later,
                        )
                        .with_label("overlaps another band")
                        .with_help("each score must fall in exactly one band; bands include their lower bound and exclude their upper bound"),
                    );
                }
                (Some(hi), Some(lo)) if lo < hi => {
                    self.push(
                        Diagnostic::error(
                            Code::E0211,
                            format!(
                                "payment bands overlap on scores from {} to below {}",
                                fmt(lo),
                                fmt(hi)
                            ),
                            later,
                        )
                        .with_label("overlaps another band")
                        .with_help("each score must fall in exactly one band; bands include their lower bound and exclude their upper bound"),
                    );
                }
                (Some(hi), Some(lo)) if lo > hi => {
                    self.push(
                        Diagnostic::error(
                            Code::E0210,
                            format!(
                                "no payment band covers scores from {} to below {}",
                                fmt(hi),
                                fmt(lo)
                            ),
                            *sb,
                        )
                        .with_label(format!(
                            "scores {} .. {} fall between bands",
                            fmt(hi),
                            fmt(lo)
                        ))
                        .with_help(format!(
                            "extend a band or add `score {} .. {} pays P%`",
                            fmt(hi),
                            fmt(lo)
                        )),
                    );
                }
                _ => {}
            }
        }
        // The band with the highest upper bound must include 100.
        let top = v
            .iter()
            .map(|(b, _)| b.upper)
            .try_fold(Decimal::MIN, |acc, u| u.map(|u| acc.max(u)));
        if let Some(hi) = top {
            if hi <= Decimal::ONE_HUNDRED {
                let span = v.last().map_or(block, |(_, s)| *s);
                self.push(
                    Diagnostic::error(
                        Code::E0210,
                        format!("no payment band covers scores from {} to 100", fmt(hi)),
                        span,
                    )
                    .with_label("highest band ends here")
                    .with_help(format!("add `score >= {} pays P%`", fmt(hi))),
                );
            }
        }
    }
}

/// One checked override.
pub(crate) struct Override {
    target: Option<crate::contract::Target>,
    scoring: Option<crate::contract::Scoring>,
    weight: Option<Decimal>,
    report_only: bool,
    /// replaces every points rule of the indicator
    points: Option<Vec<crate::contract::PointsRule>>,
}
