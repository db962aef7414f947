//! The plan: a checked contract compiled into dispatch tables (which kinds are tracked per
//! subject, which are counted per event, which attributes are kept, which assessments see
//! which product).

use crate::contract::{
    AttrId, AttrType, ClockCalendar, ClockDef, Cond, Contract, Counted, Deadline, EventSel, KindId,
    Measure, ProductId, Scope, SubjectId,
};
use crate::time::calendar::Calendar;

/// A contract compiled for evaluation. Immutable; share it behind an `Arc`.
#[derive(Debug)]
pub struct Plan {
    /// The checked contract it was compiled from.
    pub contract: Contract,
    /// per kind: events of this kind are kept in their subject's log
    pub(in crate::engine) tracked: Vec<bool>,
    /// per kind: events of this kind are counted one by one (per-event measures)
    pub(in crate::engine) per_event: Vec<bool>,
    /// per kind: the kind marks subjects for distinct counts or coverage (its events anchor
    /// in their own period)
    pub(in crate::engine) hit_kinds: Vec<bool>,
    /// per kind: the declared attributes some measure reads, in declaration order; the
    /// others are dropped when an event is stored
    pub(in crate::engine) kept: Vec<Vec<AttrId>>,
    /// per kind: the subject definitions (of the first 64) that events of this kind anchor
    pub(in crate::engine) anchored: Vec<u64>,
    /// per kind: the subject definitions (of the first 64) that read events of this kind
    /// (anchor, flags, clocks): an event no definition anchored counts nowhere
    pub(in crate::engine) read_by: Vec<u64>,
    /// per kind, per declared attribute: its place among the kept ones
    pub(in crate::engine) slots: Vec<Vec<Option<u32>>>,
    /// per assessment, per product: is the product in the assessment's scope
    pub(in crate::engine) in_scope: Vec<Vec<bool>>,
    /// per clock indicator: deadline seconds by enum index of the anchor attribute
    pub(in crate::engine) enum_deadlines: Vec<Option<Vec<Option<i64>>>>,
}

/// Marks the attributes a condition reads, on the kind it applies to.
fn need_cond(c: &Cond, kind: KindId, need: &mut [Vec<bool>]) {
    let mut mark = |a: AttrId| {
        if let Some(x) = need.get_mut(kind).and_then(|v| v.get_mut(a)) {
            *x = true;
        }
    };
    match c {
        Cond::Cmp { attr, .. } | Cond::In { attr, .. } | Cond::BoolAttr(attr) => mark(*attr),
        Cond::Product(_) | Cond::Flag(_) => {}
        Cond::Not(c) => need_cond(c, kind, need),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| need_cond(c, kind, need)),
    }
}

/// The attributes (per kind) that some measure, condition, deadline or anchor reads.
fn needed_attrs(c: &Contract) -> Vec<Vec<bool>> {
    let mut need: Vec<Vec<bool>> = c.kinds.iter().map(|k| vec![false; k.attrs.len()]).collect();
    let mark = |need: &mut Vec<Vec<bool>>, k: KindId, a: AttrId| {
        if let Some(x) = need.get_mut(k).and_then(|v| v.get_mut(a)) {
            *x = true;
        }
    };
    let anchor = |s: SubjectId| c.subjects.get(s).map(|s| s.anchor);
    let sel = |need: &mut Vec<Vec<bool>>, s: &EventSel| {
        if let Some(f) = &s.filter {
            need_cond(f, s.kind, need);
        }
    };
    for s in &c.subjects {
        if let Some(a) = s.anchor_at {
            mark(&mut need, s.anchor, a);
        }
        for f in &s.flags {
            for m in f.set.iter().chain(&f.clear) {
                if let Some(cd) = &m.cond {
                    need_cond(cd, m.kind, &mut need);
                }
            }
        }
    }
    for ind in &c.indicators {
        match &ind.measure {
            Measure::ClockRate(d) => {
                for m in d.matches() {
                    if let Some(cd) = &m.cond {
                        need_cond(cd, m.kind, &mut need);
                    }
                }
                if let Some(k) = anchor(d.subject) {
                    if let Some(f) = &d.filter {
                        need_cond(f, k, &mut need);
                    }
                    match &d.deadline {
                        Deadline::ByAttr { attr, .. } | Deadline::At(attr) => {
                            mark(&mut need, k, *attr)
                        }
                        Deadline::Fixed(_) => {}
                    }
                }
            }
            Measure::Ratio { num, den } => {
                for x in [num, den] {
                    match x {
                        Counted::Events(s) => sel(&mut need, s),
                        Counted::Subjects { subject, filter } => {
                            if let (Some(k), Some(f)) = (anchor(*subject), filter) {
                                need_cond(f, k, &mut need);
                            }
                        }
                    }
                }
            }
            Measure::Count(Counted::Events(s)) | Measure::Distinct(s) => sel(&mut need, s),
            Measure::Count(Counted::Subjects { subject, filter }) => {
                if let (Some(k), Some(f)) = (anchor(*subject), filter) {
                    need_cond(f, k, &mut need);
                }
            }
            Measure::Coverage { hits, inventory } => {
                sel(&mut need, hits);
                sel(&mut need, inventory);
            }
            Measure::Mean { sel: s, attr }
            | Measure::Sum { sel: s, attr }
            | Measure::Percentile { sel: s, attr, .. } => {
                sel(&mut need, s);
                mark(&mut need, s.kind, *attr);
            }
        }
    }
    need
}

impl Plan {
    /// Compiles a checked contract: which kinds each measure reads, which attributes are
    /// kept, which products each assessment sees.
    pub fn compile(contract: Contract) -> Plan {
        let n_kinds = contract.kinds.len();
        let mut tracked = vec![false; n_kinds];
        let mut per_event = vec![false; n_kinds];
        let mut hit_kinds = vec![false; n_kinds];
        let mark = |v: &mut Vec<bool>, k: KindId| {
            if let Some(x) = v.get_mut(k) {
                *x = true;
            }
        };
        for s in &contract.subjects {
            mark(&mut tracked, s.anchor);
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    mark(&mut tracked, m.kind);
                }
            }
        }
        let mut anchored = vec![0u64; n_kinds];
        for (d, s) in contract.subjects.iter().enumerate().take(64) {
            if let Some(m) = anchored.get_mut(s.anchor) {
                *m |= 1 << d;
            }
        }
        let mut read_by = anchored.clone();
        let mut read = |k: KindId, d: usize| {
            if let (Some(m), true) = (read_by.get_mut(k), d < 64) {
                *m |= 1 << d;
            }
        };
        for (d, s) in contract.subjects.iter().enumerate() {
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    read(m.kind, d);
                }
            }
        }
        for ind in &contract.indicators {
            if let Measure::ClockRate(c) = &ind.measure {
                for m in c.matches() {
                    read(m.kind, c.subject);
                }
            }
        }
        let mut enum_deadlines = Vec::new();
        for ind in &contract.indicators {
            let mut table = None;
            match &ind.measure {
                Measure::ClockRate(c) => {
                    for m in c.matches() {
                        mark(&mut tracked, m.kind);
                    }
                    if let Deadline::ByAttr { attr, table: t } = &c.deadline {
                        let anchor = contract.subjects.get(c.subject).map(|s| s.anchor);
                        let ty = anchor
                            .and_then(|k| contract.kinds.get(k))
                            .and_then(|k| k.attrs.get(*attr))
                            .map(|a| &a.ty);
                        if let Some(AttrType::Enum(values)) = ty {
                            table = Some(
                                values
                                    .iter()
                                    .map(|v| t.iter().find(|(k, _)| k == v).map(|(_, s)| *s))
                                    .collect(),
                            );
                        }
                    }
                }
                Measure::Ratio { num, den } => {
                    for c in [num, den] {
                        if let Counted::Events(sel) = c {
                            mark(&mut per_event, sel.kind);
                        }
                    }
                }
                Measure::Count(Counted::Events(sel))
                | Measure::Mean { sel, .. }
                | Measure::Sum { sel, .. }
                | Measure::Percentile { sel, .. } => mark(&mut per_event, sel.kind),
                Measure::Count(Counted::Subjects { .. }) => {}
                Measure::Distinct(sel) => {
                    mark(&mut tracked, sel.kind);
                    mark(&mut hit_kinds, sel.kind);
                }
                Measure::Coverage { hits, inventory } => {
                    mark(&mut tracked, hits.kind);
                    mark(&mut hit_kinds, hits.kind);
                    mark(&mut tracked, inventory.kind);
                }
            }
            enum_deadlines.push(table);
        }
        let in_scope = contract
            .assessments
            .iter()
            .map(|a| {
                let mut v = vec![false; contract.products.len()];
                match &a.scope {
                    Scope::All => v.iter_mut().for_each(|x| *x = true),
                    Scope::Products(ps) => {
                        for p in ps {
                            if let Some(x) = v.get_mut(*p) {
                                *x = true;
                            }
                        }
                    }
                }
                v
            })
            .collect();
        let need = needed_attrs(&contract);
        let kept: Vec<Vec<AttrId>> = need
            .iter()
            .map(|v| (0..v.len()).filter(|a| v.get(*a) == Some(&true)).collect())
            .collect();
        let slots = need
            .iter()
            .zip(&kept)
            .map(|(v, k)| {
                (0..v.len())
                    .map(|a| {
                        k.iter()
                            .position(|x| *x == a)
                            .and_then(|p| u32::try_from(p).ok())
                    })
                    .collect()
            })
            .collect();
        Plan {
            contract,
            tracked,
            per_event,
            hit_kinds,
            anchored,
            read_by,
            kept,
            slots,
            in_scope,
            enum_deadlines,
        }
    }

    /// Do events of this kind need the other events of their subject (clocks, flags,
    /// anchors, distinct counts, coverage)? Others are counted one by one.
    pub(crate) fn by_subject(&self, k: Option<KindId>) -> bool {
        Plan::is(&self.tracked, k)
    }

    /// Is attribute `attr` of events of this kind read by some measure (and so stored)?
    pub(crate) fn keeps(&self, k: Option<KindId>, attr: usize) -> bool {
        k.and_then(|k| self.slots.get(k))
            .and_then(|s| s.get(attr))
            .is_some_and(Option::is_some)
    }

    pub(super) fn is(v: &[bool], k: Option<KindId>) -> bool {
        k.and_then(|k| v.get(k)).copied().unwrap_or(false)
    }

    /// The name of the calendar a clock counts on for a product.
    pub(super) fn calendar_name(&self, c: &ClockDef, product: ProductId) -> Option<String> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.products.get(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendars.get(id).map(|c| c.name.clone())
    }

    pub(super) fn calendar(&self, c: &ClockDef, product: ProductId) -> Option<&Calendar> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.products.get(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendars.get(id).map(|c| c.calendar.as_ref())
    }
}
