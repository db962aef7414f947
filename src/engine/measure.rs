//! Measures: each subject's log and each per-event record of a period replayed into counts
//! per assessment and indicator (a [`Partial`]), and those counts turned into values.

use rust_decimal::Decimal;

use crate::contract::{
    AttrId, AttrType, Cond, Counted, EventSel, FlagId, Literal, Measure, ProductId, SubjectId,
    Table,
};
use crate::engine::anchor::anchors_of;
use crate::engine::clock::{self, Outcome};
use crate::engine::eval::{EvalError, Evaluator, Slice, LOGS_AHEAD};
use crate::engine::findings::{push_finding, Finder, Key, Keyed, Status};
use crate::engine::ignored::ignored_in;
use crate::engine::plan::Plan;
use crate::engine::score;
use crate::engine::scorecard::{ClockCounts, Ignored};
use crate::engine::store::{Pool, Single, Slim, Val};
use crate::time::period::Period;

/// The flags of a condition on an event (not a subject): none.
pub(super) const NO_FLAGS: &Table<FlagId, bool> = &Table::new();

/// Stored events read through the plan: attribute slots, conditions, selections.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    pub(in crate::engine) plan: &'a Plan,
    pub(in crate::engine) pool: &'a Pool,
}

impl<'a> View<'a> {
    pub(super) fn attr(&self, e: &Slim, a: AttrId) -> Option<Val<'a>> {
        let slot = (*self.plan.slots.get(e.kind)?.get(a)?)?;
        self.pool
            .get((e.attrs as usize).checked_add(slot as usize)?)
    }

    /// Evaluates a condition on an event (and, for subjects, its flags).
    pub(super) fn cond(&self, c: &Cond, e: &Slim, flags: &Table<FlagId, bool>) -> bool {
        match c {
            Cond::Cmp { attr, op, value } => {
                let Some(v) = self.attr(e, *attr) else {
                    return false;
                };
                match (v, value) {
                    (Val::Number(a), Literal::Number(b)) => score::holds(a, *op, *b),
                    (Val::Bool(a), Literal::Bool(b)) => eq_op(*op, a == *b),
                    (Val::Text(a), Literal::Text(b)) => eq_op(*op, a == b.as_str()),
                    (Val::Enum(i), Literal::Text(b)) => {
                        eq_op(*op, self.enum_name(e, *attr, i) == Some(b.as_str()))
                    }
                    // a missing attribute satisfies only `!=`
                    (Val::Missing, _) => *op == crate::contract::CmpOp::Ne,
                    _ => false,
                }
            }
            Cond::In { attr, values } => {
                let Some(v) = self.attr(e, *attr) else {
                    return false;
                };
                values.iter().any(|l| match (v, l) {
                    (Val::Text(a), Literal::Text(b)) => a == b.as_str(),
                    (Val::Enum(i), Literal::Text(b)) => {
                        self.enum_name(e, *attr, i) == Some(b.as_str())
                    }
                    (Val::Number(a), Literal::Number(b)) => a == *b,
                    (Val::Bool(a), Literal::Bool(b)) => a == *b,
                    _ => false,
                })
            }
            Cond::Product(ps) => ps.binary_search(&e.product).is_ok(),
            // `flags` are those of the condition's subject (the checker allows a flag only in
            // a subject's condition, and event conditions get none)
            Cond::Flag(f) => flags.get(*f).is_some_and(|on| *on),
            Cond::BoolAttr(a) => matches!(self.attr(e, *a), Some(Val::Bool(true))),
            Cond::Not(c) => !self.cond(c, e, flags),
            Cond::And(cs) => cs.iter().all(|c| self.cond(c, e, flags)),
            Cond::Or(cs) => cs.iter().any(|c| self.cond(c, e, flags)),
        }
    }

    fn enum_name(&self, e: &Slim, attr: AttrId, i: u16) -> Option<&'a str> {
        let k = self.plan.contract().kind(e.kind)?;
        match &k.attrs.get(attr)?.ty {
            AttrType::Enum(vs) => vs.get(usize::from(i)).map(String::as_str),
            _ => None,
        }
    }

    fn sel(&self, s: &EventSel, e: &Slim) -> bool {
        e.kind == s.kind && s.filter.as_ref().is_none_or(|c| self.cond(c, e, NO_FLAGS))
    }

    fn number(&self, e: &Slim, a: AttrId) -> Option<Decimal> {
        match self.attr(e, a) {
            Some(Val::Number(n)) => Some(n),
            _ => None,
        }
    }
}

fn eq_op(op: crate::contract::CmpOp, equal: bool) -> bool {
    match op {
        crate::contract::CmpOp::Eq => equal,
        crate::contract::CmpOp::Ne => !equal,
        _ => false,
    }
}

impl Evaluator {
    /// What this evaluator's events add to each period's scorecard, as of `as_of`. Over
    /// evaluators holding disjoint sets of subjects (and of ids), the sums of their partials
    /// give exactly the scorecards of one evaluator holding everything.
    pub fn partials(&self, periods: &[Period], as_of: i64) -> Result<Vec<Partial>, EvalError> {
        periods
            .iter()
            .map(|p| Ok(self.accumulate(p, as_of, false, false, self.all())?.0))
            .collect()
    }

    pub(super) fn accumulate(
        &self,
        period: &Period,
        as_of: i64,
        explain: bool,
        all: bool,
        sl: Slice,
    ) -> Result<(Partial, Keyed), EvalError> {
        // `all`: findings for every item measured, not only those against the indicator
        let all = explain && all;
        let plan = &*self.plan;
        let view = self.view();
        let c = plan.contract();
        let n_a = c.assessments.len();
        let n_i = c.indicators.len();
        let mut acc = vec![vec![Acc::default(); n_i]; n_a];
        let mut ignored = Ignored::default();
        let mut findings: Keyed = if explain {
            vec![vec![Vec::new(); n_i]; n_a]
        } else {
            Vec::new()
        };
        let in_period = |t: i64| t >= period.start && t < period.end;
        let points_rollup = matches!(c.rollup, crate::contract::Rollup::Points { .. });
        let intervals = c.indicators.iter().any(|i| {
            matches!(
                i.measure,
                Measure::Availability { .. } | Measure::Downtime { .. } | Measure::Mttr { .. }
            )
        });
        let names = &self.state.subjects;
        let ids = &self.state.ids;
        let finder = Finder { c, names, ids };

        // subjects; sorted by name for explanations, so that they are deterministic (the
        // accumulated numbers do not depend on the order)
        let order = self.with_logs(sl.subjects, explain);
        let mut found = Vec::new();
        for (n, &subject) in order.iter().enumerate() {
            // logs lie anywhere in the arena: the one a few subjects on is fetched now
            if let Some(&ahead) = order.get(n + LOGS_AHEAD) {
                self.state.logs.prefetch_log(ahead);
            }
            let evs = self.state.log(subject);
            let read = anchors_of(view, evs, as_of, &mut found);
            ignored_in(
                view,
                evs,
                &found,
                read,
                period,
                as_of,
                &mut ignored,
                |_, _| {},
            );
            let key = Key::Subject(if explain {
                names.get(subject).to_string()
            } else {
                String::new()
            });
            // subject-type measures
            for si in c.subjects.ids() {
                let Some((ai, anchor_t)) = found.get(si.index()).copied().flatten() else {
                    continue;
                };
                // spans cross periods: read whatever the period of the anchor
                if intervals {
                    self.spans_of(si, evs, ai, anchor_t, period, as_of, &mut acc);
                }
                if !in_period(anchor_t) {
                    continue;
                }
                let Some(anchor) = evs.get(ai) else {
                    continue;
                };
                let product = anchor.product;
                let flags = flags_of(view, si, evs, ai, as_of);
                for (ii, ind) in c.indicators.iter_enumerated() {
                    match &ind.measure {
                        Measure::ClockRate(def)
                            if def.subject == si
                                && def
                                    .filter
                                    .as_ref()
                                    .is_none_or(|f| view.cond(f, anchor, &flags)) =>
                        {
                            let Some(cal) = plan.calendar(def, product) else {
                                continue;
                            };
                            if let Some(w) = self.waiver_of(ii, evs, ai, as_of) {
                                for a in 0..n_a {
                                    if !scoped(plan, a, product) {
                                        continue;
                                    }
                                    if let Some(x) =
                                        acc.get_mut(a).and_then(|v| v.get_mut(ii.index()))
                                    {
                                        x.waived += 1;
                                    }
                                    if explain {
                                        let note = evs.get(w).map(|e| self.waiver_note(e));
                                        push_finding(
                                            &mut findings,
                                            a,
                                            ii,
                                            &key,
                                            finder.waived(subject, evs, ai, w, note),
                                        );
                                    }
                                }
                                continue;
                            }
                            let (run, _) = self.clock_of(ii, def, evs, ai, as_of, cal, explain)?;
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii.index()))
                                {
                                    match run.outcome {
                                        Outcome::Met => x.met += 1,
                                        Outcome::Breached => {
                                            x.breached += 1;
                                            x.against(product);
                                            if points_rollup {
                                                x.late.push(run.late(as_of));
                                            }
                                        }
                                        Outcome::Pending => x.pending += 1,
                                    }
                                }
                                if explain && (all || run.outcome != Outcome::Met) {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.clock(
                                            subject,
                                            evs,
                                            &run,
                                            plan.calendar_name(def, product),
                                        ),
                                    );
                                }
                            }
                        }
                        Measure::Ratio { num, den } => {
                            let d = subject_counts(view, den, si, anchor, &flags);
                            let n = subject_counts(view, num, si, anchor, &flags);
                            if !(d || n) {
                                continue;
                            }
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii.index()))
                                {
                                    x.den += u64::from(d);
                                    x.num += u64::from(n && d);
                                    if d && !n {
                                        x.against(product);
                                    }
                                }
                                if explain && d && (all || !n) {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.subject(
                                            subject,
                                            anchor,
                                            if n {
                                                Status::InNumerator
                                            } else {
                                                Status::NotInNumerator
                                            },
                                        ),
                                    );
                                }
                            }
                        }
                        Measure::Count(counted)
                            if subject_counts(view, counted, si, anchor, &flags) =>
                        {
                            for a in 0..n_a {
                                if !scoped(plan, a, product) {
                                    continue;
                                }
                                if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii.index()))
                                {
                                    x.count += 1;
                                    x.against(product);
                                }
                                if explain {
                                    push_finding(
                                        &mut findings,
                                        a,
                                        ii,
                                        &key,
                                        finder.subject(subject, anchor, Status::Counted),
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            // distinct and coverage measures
            for (ii, ind) in c.indicators.iter_enumerated() {
                match &ind.measure {
                    Measure::Distinct(sel) => {
                        let hit = evs
                            .iter()
                            .find(|e| e.at <= as_of && in_period(e.at) && view.sel(sel, e));
                        if let Some(e) = hit {
                            let product = e.product;
                            for a in 0..n_a {
                                if scoped(plan, a, product) {
                                    if let Some(x) =
                                        acc.get_mut(a).and_then(|v| v.get_mut(ii.index()))
                                    {
                                        x.count += 1;
                                        x.against(product);
                                    }
                                }
                            }
                        }
                    }
                    Measure::Coverage { hits, inventory } => {
                        let inv = evs
                            .iter()
                            .find(|e| e.at <= as_of && e.at < period.end && view.sel(inventory, e));
                        let Some(inv) = inv else {
                            continue;
                        };
                        let product = inv.product;
                        let hit = evs
                            .iter()
                            .find(|e| e.at <= as_of && in_period(e.at) && view.sel(hits, e));
                        for a in 0..n_a {
                            if !scoped(plan, a, product) {
                                continue;
                            }
                            let h = hit.is_some();
                            if let Some(x) = acc.get_mut(a).and_then(|v| v.get_mut(ii.index())) {
                                x.den += 1;
                                x.num += u64::from(h);
                                if !h {
                                    x.against(product);
                                }
                            }
                            if explain && (all || !h) {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(
                                        subject,
                                        inv,
                                        if h {
                                            Status::Covered
                                        } else {
                                            Status::NotCovered
                                        },
                                    ),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }

        // per-event measures
        let mut singles: Vec<&Single> = self
            .state
            .singles
            .get(sl.singles)
            .unwrap_or(&[])
            .iter()
            .filter(|x| x.ev.at <= as_of && in_period(x.ev.at))
            .collect();

        if explain {
            singles.sort_by(|a, b| (a.ev.at, ids.get(a.ev.id)).cmp(&(b.ev.at, ids.get(b.ev.id))));
        }
        for x in singles {
            let e = &x.ev;
            let key = Key::Event(
                e.at,
                if explain {
                    ids.get(e.id).to_string()
                } else {
                    String::new()
                },
            );
            let product = e.product;
            for (ii, ind) in c.indicators.iter_enumerated() {
                let (sel_ok, num_ok, val): (bool, bool, Option<Decimal>) = match &ind.measure {
                    Measure::Ratio { num, den } => {
                        let d = event_counts(view, den, e);
                        (d, d && event_counts(view, num, e), None)
                    }
                    Measure::Count(Counted::Events(sel)) => (view.sel(sel, e), false, None),
                    Measure::Mean { sel, attr }
                    | Measure::Sum { sel, attr }
                    | Measure::Percentile { sel, attr, .. } => {
                        let v = view.number(e, *attr);
                        (view.sel(sel, e) && v.is_some(), false, v)
                    }
                    _ => continue,
                };
                if !sel_ok {
                    continue;
                }
                for a in 0..n_a {
                    if !scoped(plan, a, product) {
                        continue;
                    }
                    let Some(acc) = acc.get_mut(a).and_then(|v| v.get_mut(ii.index())) else {
                        continue;
                    };
                    match &ind.measure {
                        Measure::Ratio { .. } => {
                            acc.den += 1;
                            acc.num += u64::from(num_ok);
                            if !num_ok {
                                acc.against(product);
                            }
                            if explain && (all || !num_ok) {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(
                                        x.subject,
                                        e,
                                        if num_ok {
                                            Status::InNumerator
                                        } else {
                                            Status::NotInNumerator
                                        },
                                    ),
                                );
                            }
                        }
                        Measure::Count(_) => {
                            acc.count += 1;
                            acc.against(product);
                            if explain {
                                push_finding(
                                    &mut findings,
                                    a,
                                    ii,
                                    &key,
                                    finder.subject(x.subject, e, Status::Counted),
                                );
                            }
                        }
                        Measure::Percentile { .. } => {
                            acc.count += 1;
                            acc.against(product);
                            if let Some(v) = val {
                                acc.values.push(v);
                            }
                        }
                        _ => {
                            acc.count += 1;
                            acc.against(product);
                            // attribute numbers are bounded (event::MAX_NUMBER): this never
                            // saturates short of 7.9 × 10^10 samples
                            acc.sum = acc.sum.saturating_add(val.unwrap_or_default());
                        }
                    }
                }
            }
        }

        Ok((Partial { acc, ignored }, findings))
    }
}

/// One evaluator's share of one period's scorecard (see [`Evaluator::partials`]).
#[derive(Debug, Clone, Default)]
pub struct Partial {
    pub(in crate::engine) acc: Vec<Vec<Acc>>,
    pub(in crate::engine) ignored: Ignored,
}

impl Partial {
    /// Adds a share to a running sum (`None`: nothing added yet).
    pub(crate) fn add_to(sum: &mut Option<Partial>, part: Partial) {
        match sum {
            Some(s) => s.add(part),
            None => *sum = Some(part),
        }
    }

    /// Adds another share of the same period.
    pub fn add(&mut self, other: Partial) {
        for (mine, theirs) in self.acc.iter_mut().zip(other.acc) {
            for (x, y) in mine.iter_mut().zip(theirs) {
                x.add(y);
            }
        }
        self.ignored.before_anchor += other.ignored.before_anchor;
        self.ignored.without_anchor += other.ignored.without_anchor;
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    met: u64,
    breached: u64,
    pending: u64,
    num: u64,
    den: u64,
    count: u64,
    sum: Decimal,
    values: Vec<Decimal>,
    /// clocks waived
    waived: u64,
    /// spans of down time, clipped to the period and `as_of` (interval measures)
    pub(in crate::engine) spans: Vec<crate::engine::interval::Span>,
    /// spans excluded from them (announced windows), clipped to the period
    pub(in crate::engine) excluded: Vec<crate::engine::interval::Span>,
    /// seconds late of each breached clock (points roll-ups only, for `per started D late`)
    pub(in crate::engine) late: Vec<i64>,
    /// items that counted against the indicator, by product (for back-to-back payment);
    /// for means, sums and percentiles every sample
    pub(in crate::engine) against: std::collections::BTreeMap<ProductId, u64>,
}

impl Acc {
    /// One sample of a mean (`mttr`).
    pub(super) fn add_sample(&mut self, v: Decimal) {
        self.sum = self.sum.saturating_add(v);
        self.count += 1;
    }

    /// The items measured: clocks (pending ones too), denominators, counted events and
    /// subjects, samples.
    pub(super) fn items(&self) -> u64 {
        self.met + self.breached + self.pending + self.waived + self.den + self.count
    }

    fn against(&mut self, p: ProductId) {
        *self.against.entry(p).or_default() += 1;
    }

    fn add(&mut self, o: Acc) {
        self.met += o.met;
        self.waived += o.waived;
        self.breached += o.breached;
        self.pending += o.pending;
        self.num += o.num;
        self.den += o.den;
        self.count += o.count;
        self.sum = self.sum.saturating_add(o.sum);
        self.values.extend(o.values);
        self.late.extend(o.late);
        self.spans.extend(o.spans);
        self.excluded.extend(o.excluded);
        for (p, n) in o.against {
            *self.against.entry(p).or_default() += n;
        }
    }
}

/// The unrounded value (None = not applicable), clock counts, ratio and sample count.
type Measured = (
    Option<Decimal>,
    Option<ClockCounts>,
    Option<(u64, u64)>,
    u64,
);

/// What an interval measure needs besides its spans: the products in scope and the length
/// of the period in seconds.
#[derive(Clone, Copy, Default)]
pub(super) struct Extent {
    pub(super) products: u64,
    pub(super) seconds: i64,
}

pub(super) fn measure_value(m: &Measure, x: Acc, extent: Extent) -> Measured {
    let frac = |n: u64, d: u64| (d > 0).then(|| Decimal::from(n) / Decimal::from(d));
    match m {
        Measure::Availability { .. } | Measure::Downtime { .. } => {
            let down = crate::engine::interval::downtime(&x.spans, &x.excluded);
            let value = if matches!(m, Measure::Downtime { .. }) {
                Some(Decimal::from(down))
            } else {
                // 1 − down / (products × seconds): always applicable with a product in scope
                let whole = i128::from(extent.products).saturating_mul(i128::from(extent.seconds));
                (whole > 0).then(|| {
                    Decimal::ONE
                        - Decimal::from_i128_with_scale(i128::from(down), 0)
                            .checked_div(Decimal::from_i128_with_scale(whole, 0))
                            .unwrap_or(Decimal::ONE)
                })
            };
            (value, None, None, extent.products)
        }
        Measure::Mttr { .. } => (
            (x.count > 0).then(|| x.sum / Decimal::from(x.count)),
            None,
            None,
            x.count,
        ),
        Measure::ClockRate(_) => (
            frac(x.met, x.met + x.breached),
            Some(ClockCounts {
                met: x.met,
                breached: x.breached,
                pending: x.pending,
                waived: x.waived,
            }),
            None,
            x.met + x.breached,
        ),
        Measure::Ratio { .. } | Measure::Coverage { .. } => {
            (frac(x.num, x.den), None, Some((x.num, x.den)), x.den)
        }
        Measure::Count(_) | Measure::Distinct(_) => {
            (Some(Decimal::from(x.count)), None, None, x.count)
        }
        Measure::Mean { .. } => (
            (x.count > 0).then(|| x.sum / Decimal::from(x.count)),
            None,
            None,
            x.count,
        ),
        Measure::Sum { .. } => ((x.count > 0).then_some(x.sum), None, None, x.count),
        Measure::Percentile { p, .. } => {
            let mut v = x.values;
            // equal numbers written with different scales (1.5, 1.50) in one order whatever
            // the order the samples were added in
            v.sort_by(|a, b| a.cmp(b).then(a.scale().cmp(&b.scale())));
            let n = v.len();
            let value = (n > 0)
                .then(|| {
                    // nearest rank: ceil(p / 100 × n)
                    let rank = (*p * Decimal::from(n) / Decimal::ONE_HUNDRED).ceil();
                    let rank = usize::try_from(rank.mantissa()).ok().map(|r| r.clamp(1, n));
                    rank.and_then(|r| v.get(r - 1).copied())
                })
                .flatten();
            (value, None, None, n as u64)
        }
    }
}

/// Does the assessment see the product? The caller's assessment and the stored event's
/// product are the plan's own (restore checks a checkpoint's), so every lookup finds its item.
pub(super) fn scoped(plan: &Plan, assessment: usize, product: ProductId) -> bool {
    plan.in_scope
        .get(assessment)
        .and_then(|v| v.get(product))
        .is_some_and(|seen| *seen)
}

/// Flags of a subject as of `as_of`: the last set or clear after the anchor wins.
pub(super) fn flags_of(
    view: View<'_>,
    si: SubjectId,
    evs: &[Slim],
    anchor: usize,
    as_of: i64,
) -> Table<FlagId, bool> {
    let Some(s) = view.plan.contract().subject(si) else {
        return Table::new();
    };
    s.flags
        .iter()
        .map(|f| {
            let mut on = false;
            for e in evs.iter().skip(anchor).take_while(|e| e.at <= as_of) {
                if clock::matches(&f.set, e, |c, e| view.cond(c, e, NO_FLAGS)) {
                    on = true;
                } else if clock::matches(&f.clear, e, |c, e| view.cond(c, e, NO_FLAGS)) {
                    on = false;
                }
            }
            on
        })
        .collect()
}

fn subject_counts(
    view: View<'_>,
    c: &Counted,
    si: SubjectId,
    anchor: &Slim,
    flags: &Table<FlagId, bool>,
) -> bool {
    match c {
        Counted::Subjects { subject, filter } => {
            *subject == si && filter.as_ref().is_none_or(|f| view.cond(f, anchor, flags))
        }
        Counted::Events(_) => false,
    }
}

fn event_counts(view: View<'_>, c: &Counted, e: &Slim) -> bool {
    match c {
        Counted::Events(sel) => view.sel(sel, e),
        Counted::Subjects { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentile_does_not_depend_on_the_order_of_equal_samples() {
        let m = Measure::Percentile {
            p: Decimal::from(50),
            sel: EventSel {
                kind: crate::contract::KindId::new(0).unwrap(),
                filter: None,
            },
            attr: AttrId::new(0).unwrap(),
        };
        let (a, b) = (Decimal::new(15, 1), Decimal::new(150, 2));
        let value = |values: Vec<Decimal>| {
            let x = Acc {
                values,
                ..Acc::default()
            };
            measure_value(&m, x, Extent::default())
                .0
                .map(|v| v.to_string())
        };
        assert_eq!(value(vec![a, b]), value(vec![b, a]));
        assert_eq!(value(vec![a, b]).as_deref(), Some("1.5"));
    }
}
