//! The plan: a checked contract compiled into dispatch tables (which kinds are tracked per
//! subject, which are counted per event, which attributes are kept, which assessments see
//! which product).

use crate::contract::{
    AttrId, AttrType, ClockCalendar, ClockDef, Cond, Contract, Counted, Deadline, EventSel,
    IndicatorId, KindId, Measure, ProductId, Scope, SubjectId, Table,
};
use crate::time::calendar::Calendar;

/// A contract compiled for evaluation. Immutable; share it behind an `Arc`.
#[derive(Debug)]
pub struct Plan {
    /// the checked contract it was compiled from (every table below is sized to it)
    contract: Contract,
    /// per kind: events of this kind are kept in their subject's log
    pub(in crate::engine) tracked: Table<KindId, bool>,
    /// per kind: events of this kind are counted one by one (per-event measures)
    pub(in crate::engine) per_event: Table<KindId, bool>,
    /// per kind: the kind marks subjects for distinct counts or coverage (its events anchor
    /// in their own period)
    pub(in crate::engine) hit_kinds: Table<KindId, bool>,
    /// per kind: the declared attributes some measure reads, in declaration order; the
    /// others are dropped when an event is stored
    pub(in crate::engine) kept: Table<KindId, Vec<AttrId>>,
    /// per kind: the subject definitions (of the first 64) that anchor on it and that read
    /// it (see [`Readers`])
    pub(in crate::engine) readers: Table<KindId, Readers>,
    /// per kind, per declared attribute: its place among the kept ones
    pub(in crate::engine) slots: Table<KindId, Table<AttrId, Option<u32>>>,
    /// per assessment, per product: is the product in the assessment's scope
    pub(in crate::engine) in_scope: Vec<Table<ProductId, bool>>,
    /// per indicator (`Some` for a clock with `deadline by` an enum): deadline seconds by
    /// enum index of the anchor attribute
    pub(in crate::engine) enum_deadlines: Table<IndicatorId, Option<Vec<Option<i64>>>>,
    /// per kind: the waiver declaration (index into `Contract::waivers`) its events grant
    pub(in crate::engine) waiver_of: Table<KindId, Option<usize>>,
}

/// The subject definitions (bits, of the first 64) that events of one kind concern.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::engine) struct Readers {
    /// the definitions whose anchor is this kind
    pub(in crate::engine) anchored: u64,
    /// the definitions that read events of this kind (anchor, flags, clocks): an event no
    /// anchored definition reads counts nowhere
    pub(in crate::engine) read_by: u64,
}

/// Marks the attributes a condition reads, on the kind it applies to.
fn need_cond(c: &Cond, kind: KindId, need: &mut Table<KindId, Table<AttrId, bool>>) {
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
fn needed_attrs(c: &Contract) -> Table<KindId, Table<AttrId, bool>> {
    let mut need: Table<KindId, Table<AttrId, bool>> = c
        .kinds()
        .iter()
        .map(|k| Table::from_vec(vec![false; k.attrs.len()]))
        .collect();
    let mark = |need: &mut Table<KindId, Table<AttrId, bool>>, k: KindId, a: AttrId| {
        if let Some(x) = need.get_mut(k).and_then(|v| v.get_mut(a)) {
            *x = true;
        }
    };
    let anchor = |s: SubjectId| c.subject(s).map(|s| s.anchor);
    let sel = |need: &mut Table<KindId, Table<AttrId, bool>>, s: &EventSel| {
        if let Some(f) = &s.filter {
            need_cond(f, s.kind, need);
        }
    };
    for s in c.subjects() {
        if let Some(a) = s.anchor_at {
            mark(&mut need, s.anchor, a);
        }
        match &s.lasts {
            Some(crate::contract::Lasts::Attrs { from, until }) => {
                mark(&mut need, s.anchor, *from);
                mark(&mut need, s.anchor, *until);
            }
            Some(crate::contract::Lasts::Until(ms)) => {
                for m in ms {
                    if let Some(cd) = &m.cond {
                        need_cond(cd, m.kind, &mut need);
                    }
                }
            }
            None => {}
        }
        for f in &s.flags {
            for m in f.set.iter().chain(&f.clear) {
                if let Some(cd) = &m.cond {
                    need_cond(cd, m.kind, &mut need);
                }
            }
        }
    }
    for w in c.waivers() {
        for a in [Some(w.indicator), w.reason, w.approver]
            .into_iter()
            .flatten()
        {
            mark(&mut need, w.kind, a);
        }
    }
    for ind in c.indicators() {
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
                    if let Some(f) = &d.follow {
                        mark(&mut need, f.on.kind, f.attr);
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
            Measure::Mttr { subject, filter } => {
                if let (Some(k), Some(f)) = (anchor(*subject), filter) {
                    need_cond(f, k, &mut need);
                }
            }
            Measure::Availability { .. } | Measure::Downtime { .. } => {}
        }
    }
    need
}

impl Plan {
    /// Compiles a checked contract: which kinds each measure reads, which attributes are
    /// kept, which products each assessment sees.
    pub fn compile(contract: Contract) -> Plan {
        let n_kinds = contract.kinds().len();
        let mut tracked: Table<KindId, bool> = Table::from_vec(vec![false; n_kinds]);
        let mut per_event: Table<KindId, bool> = Table::from_vec(vec![false; n_kinds]);
        let mut hit_kinds: Table<KindId, bool> = Table::from_vec(vec![false; n_kinds]);
        // the contract's own ids: every lookup below finds its item
        let mark = |v: &mut Table<KindId, bool>, k: KindId| {
            if let Some(x) = v.get_mut(k) {
                *x = true;
            }
        };
        for s in contract.subjects() {
            mark(&mut tracked, s.anchor);
            if let Some(crate::contract::Lasts::Until(ms)) = &s.lasts {
                for m in ms {
                    mark(&mut tracked, m.kind);
                }
            }
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    mark(&mut tracked, m.kind);
                }
            }
        }
        let mut readers: Table<KindId, Readers> =
            Table::from_vec(vec![Readers::default(); n_kinds]);
        for (d, s) in contract.subjects().iter().enumerate().take(64) {
            if let Some(r) = readers.get_mut(s.anchor) {
                r.anchored |= 1 << d;
                r.read_by |= 1 << d;
            }
        }
        let mut read = |k: KindId, d: usize| {
            if let (Some(r), true) = (readers.get_mut(k), d < 64) {
                r.read_by |= 1 << d;
            }
        };
        for (d, s) in contract.subjects().iter().enumerate() {
            for f in &s.flags {
                for m in f.set.iter().chain(&f.clear) {
                    read(m.kind, d);
                }
            }
            if let Some(crate::contract::Lasts::Until(ms)) = &s.lasts {
                for m in ms {
                    read(m.kind, d);
                }
            }
        }
        for ind in contract.indicators() {
            if let Measure::ClockRate(c) = &ind.measure {
                for m in c.matches() {
                    read(m.kind, c.subject.index());
                }
                // waivers are read on every subject with a clock
                for w in contract.waivers() {
                    read(w.kind, c.subject.index());
                }
            }
        }
        let mut waiver_of: Table<KindId, Option<usize>> = Table::from_vec(vec![None; n_kinds]);
        for (i, w) in contract.waivers().iter().enumerate() {
            mark(&mut tracked, w.kind);
            if let Some(x) = waiver_of.get_mut(w.kind) {
                x.get_or_insert(i);
            }
        }
        let mut enum_deadlines = Vec::new();
        for ind in contract.indicators() {
            let mut table = None;
            match &ind.measure {
                Measure::ClockRate(c) => {
                    for m in c.matches() {
                        mark(&mut tracked, m.kind);
                    }
                    if let Deadline::ByAttr { attr, table: t } = &c.deadline {
                        let anchor = contract.subject(c.subject).map(|s| s.anchor);
                        let ty = anchor
                            .and_then(|k| contract.kind(k))
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
                Measure::Count(Counted::Subjects { .. })
                | Measure::Availability { .. }
                | Measure::Downtime { .. }
                | Measure::Mttr { .. } => {}
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
            .assessments()
            .iter()
            .map(|a| {
                let mut v: Table<ProductId, bool> =
                    Table::from_vec(vec![false; contract.products().len()]);
                match &a.scope {
                    Scope::All => v = Table::from_vec(vec![true; contract.products().len()]),
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
        let kept: Table<KindId, Vec<AttrId>> = need
            .iter()
            .map(|v| {
                v.iter_enumerated()
                    .filter(|(_, n)| **n)
                    .map(|(a, _)| a)
                    .collect()
            })
            .collect();
        let slots = need
            .iter()
            .zip(&kept)
            .map(|(v, k)| {
                v.ids()
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
            kept,
            readers,
            slots,
            in_scope,
            enum_deadlines: Table::from_vec(enum_deadlines),
            waiver_of,
        }
    }

    /// The checked contract the plan was compiled from.
    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    /// Do events of this kind need the other events of their subject (clocks, flags,
    /// anchors, distinct counts, coverage)? Others are counted one by one. `false` for no
    /// kind and for a kind of another contract (which no measure here reads).
    pub(crate) fn by_subject(&self, k: Option<KindId>) -> bool {
        Plan::is(&self.tracked, k)
    }

    /// Is attribute `attr` of events of this kind read by some measure (and so stored)?
    pub(crate) fn keeps(&self, k: Option<KindId>, attr: AttrId) -> bool {
        k.and_then(|k| self.slots.get(k))
            .and_then(|s| s.get(attr))
            .is_some_and(Option::is_some)
    }

    /// Is the flag set for this kind? `false` for no kind, and for a kind of another
    /// contract (no measure of this one reads it).
    pub(super) fn is(v: &Table<KindId, bool>, k: Option<KindId>) -> bool {
        k.and_then(|k| v.get(k)).is_some_and(|x| *x)
    }

    /// The name of the calendar a clock counts on for a product.
    pub(super) fn calendar_name(&self, c: &ClockDef, product: ProductId) -> Option<String> {
        self.calendar_def(c, product).map(|c| c.name.clone())
    }

    pub(super) fn calendar(&self, c: &ClockDef, product: ProductId) -> Option<&Calendar> {
        self.calendar_def(c, product).map(|c| c.calendar.as_ref())
    }

    fn calendar_def(
        &self,
        c: &ClockDef,
        product: ProductId,
    ) -> Option<&crate::contract::CalendarDef> {
        let id = match c.calendar {
            ClockCalendar::Business => self.contract.product(product)?.calendar,
            ClockCalendar::Named(id) => id,
        };
        self.contract.calendar(id)
    }
}
