//! The checked contract: every name resolved to an index, every number in its base unit.
//!
//! Produced by [`crate::contract::check`] from the syntax tree; consumed by the evaluator. Nothing here
//! needs a string lookup at evaluation time: names are kept for reports only.
//!
//! Base units: fractions for percents (`95%` → `0.95`), milliseconds for `number ms`
//! attributes, seconds for durations, plain numbers for counts, the contract currency for money.

pub mod check;

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::time::calendar::Calendar;

pub mod id;

pub use id::{
    AttrId, CalendarId, CategoryId, FlagId, Idx, IndicatorId, KindId, PartyId, ProductId,
    SubjectId, Table,
};

pub use crate::time::period::PeriodKind;

/// The assessment level of an indicator: a scorecard scores each level on its own, besides
/// the party score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// `level system`
    System,
    /// `level process`
    Process,
    /// `level role`
    Role,
}

impl Level {
    /// Every level, in the order scorecards list them.
    pub const ALL: [Level; 3] = [Level::System, Level::Process, Level::Role];
    /// The level as written in the contract and in scorecards: `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::System => "system",
            Level::Process => "process",
            Level::Role => "role",
        }
    }
}

/// A party's role in the contract chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `client`: the customer; it assesses and pays the prime
    Client,
    /// `prime`: the prime contractor, answerable to the client (for every product unless it
    /// has `covers`)
    Prime,
    /// `sub`: a subcontractor of the prime, for the products it covers
    Sub,
    /// `third`: a third party, assessed by default on the products it covers
    Third,
}

impl Role {
    /// The role as a contract writes it: `client`, `prime`, `sub`, `third`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Prime => "prime",
            Role::Sub => "sub",
            Role::Third => "third",
        }
    }
}

/// A checked contract: everything the evaluator needs, names resolved to indices. Only the
/// checker builds one, so every id in it points into its own tables.
#[derive(Debug, Clone)]
pub struct Contract {
    /// from `contract "..."`
    pub(crate) name: String,
    /// IANA time zone of the term, every calendar and every period
    pub(crate) timezone: chrono_tz::Tz,
    /// empty when the contract states none
    pub(crate) currency: String,
    /// inclusive
    pub(crate) term: (NaiveDate, NaiveDate),
    /// `month` unless `period` says otherwise
    pub(crate) period: PeriodKind,
    /// decimal places of reported indicator values
    pub(crate) round_value: u32,
    /// decimal places of scores
    pub(crate) round_score: u32,
    /// in source order
    pub(crate) calendars: Table<CalendarId, CalendarDef>,
    /// in source order
    pub(crate) parties: Table<PartyId, Party>,
    /// in source order
    pub(crate) categories: Table<CategoryId, Category>,
    /// in source order
    pub(crate) products: Table<ProductId, Product>,
    /// in source order
    pub(crate) kinds: Table<KindId, EventKind>,
    /// in source order
    pub(crate) subjects: Table<SubjectId, Subject>,
    /// in source order
    pub(crate) indicators: Table<IndicatorId, Indicator>,
    /// in the order reports list them
    pub(crate) assessments: Vec<Assessment>,
    /// without a `payment` block, one band that pays every fee in full
    pub(crate) payment: Payment,
    /// how indicator results make party and level scores (`Weighted` unless `rollup` says
    /// otherwise)
    pub(crate) rollup: Rollup,
    /// `waive on KIND { ... }` declarations, in source order
    pub(crate) waivers: Vec<WaiverDef>,
    /// `flag NAME when ...` declarations, in source order
    pub(crate) flags: Vec<PeriodFlag>,
    /// FNV-1a 64 of the canonical form, set by the checker (see [`Contract::fingerprint`])
    pub(crate) fingerprint: u64,
}

impl Contract {
    /// The contract's name, from `contract "..."`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// IANA time zone of the term, every calendar and every period.
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.timezone
    }

    /// Currency code of every fee (`CNY`); empty when the contract states none.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The term's first and last day (inclusive).
    pub fn term(&self) -> (NaiveDate, NaiveDate) {
        self.term
    }

    /// Length of an assessment period (`month` unless `period` says otherwise).
    pub fn period(&self) -> PeriodKind {
        self.period
    }

    /// Decimal places of reported indicator values.
    pub fn round_value(&self) -> u32 {
        self.round_value
    }

    /// Decimal places of scores.
    pub fn round_score(&self) -> u32 {
        self.round_score
    }

    /// Declared calendars, in source order.
    pub fn calendars(&self) -> &Table<CalendarId, CalendarDef> {
        &self.calendars
    }

    /// Declared parties, in source order.
    pub fn parties(&self) -> &Table<PartyId, Party> {
        &self.parties
    }

    /// Catalog categories, in source order ([`Product::category`]).
    pub fn categories(&self) -> &Table<CategoryId, Category> {
        &self.categories
    }

    /// Every product of the catalog, in source order.
    pub fn products(&self) -> &Table<ProductId, Product> {
        &self.products
    }

    /// Declared event kinds, in source order.
    pub fn kinds(&self) -> &Table<KindId, EventKind> {
        &self.kinds
    }

    /// Declared subjects, in source order.
    pub fn subjects(&self) -> &Table<SubjectId, Subject> {
        &self.subjects
    }

    /// Declared indicators, in source order.
    pub fn indicators(&self) -> &Table<IndicatorId, Indicator> {
        &self.indicators
    }

    /// Every assessment, in the order reports list them.
    pub fn assessments(&self) -> &[Assessment] {
        &self.assessments
    }

    /// How party scores become fees due; without a `payment` block, one band that pays
    /// every fee in full.
    pub fn payment(&self) -> &Payment {
        &self.payment
    }

    /// How indicator results make party and level scores.
    pub fn rollup(&self) -> Rollup {
        self.rollup
    }

    /// The kinds of events that waive a subject for an indicator.
    pub fn waivers(&self) -> &[WaiverDef] {
        &self.waivers
    }

    /// Flags set on an assessment from its scores over consecutive periods.
    pub fn period_flags(&self) -> &[PeriodFlag] {
        &self.flags
    }

    /// A calendar by id; `None` for an id of another contract.
    pub fn calendar(&self, id: CalendarId) -> Option<&CalendarDef> {
        self.calendars.get(id)
    }

    /// A party by id; `None` for an id of another contract.
    pub fn party(&self, id: PartyId) -> Option<&Party> {
        self.parties.get(id)
    }

    /// A category by id; `None` for an id of another contract.
    pub fn category(&self, id: CategoryId) -> Option<&Category> {
        self.categories.get(id)
    }

    /// A product by id; `None` for an id of another contract.
    pub fn product(&self, id: ProductId) -> Option<&Product> {
        self.products.get(id)
    }

    /// An event kind by id; `None` for an id of another contract.
    pub fn kind(&self, id: KindId) -> Option<&EventKind> {
        self.kinds.get(id)
    }

    /// A subject by id; `None` for an id of another contract.
    pub fn subject(&self, id: SubjectId) -> Option<&Subject> {
        self.subjects.get(id)
    }

    /// An indicator by id; `None` for an id of another contract.
    pub fn indicator(&self, id: IndicatorId) -> Option<&Indicator> {
        self.indicators.get(id)
    }
}

impl Contract {
    /// The contract's fingerprint: FNV-1a 64 of its canonical form, so that layout and
    /// comments do not change it. Every checked contract has one; merge and checkpoints refuse
    /// state made under another.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The term as Unix seconds `[start, end)`: local midnight of its first day to local
    /// midnight after its last.
    pub fn term_bounds(&self) -> Option<(i64, i64)> {
        let (first, last) = self.term;
        Some((
            crate::time::period::local_midnight(self.timezone, first)?,
            crate::time::period::local_midnight(self.timezone, last.succ_opt()?)?,
        ))
    }

    /// The term as the contract states it: `2026-01-01 .. 2026-12-31`.
    pub fn term_text(&self) -> String {
        format!("{} .. {}", self.term.0, self.term.1)
    }

    /// Does the period overlap the term?
    pub fn in_term(&self, p: &crate::time::period::Period) -> bool {
        self.term_bounds()
            .is_some_and(|(s, e)| p.start < e && p.end > s)
    }
}

/// A declared calendar, built.
#[derive(Debug, Clone)]
pub struct CalendarDef {
    /// The name clocks and the catalog refer to it by.
    pub name: String,
    /// Display title (`"办公时间"`).
    pub title: Option<String>,
    /// The working time, built for the term's years and one year on each side.
    pub calendar: Arc<Calendar>,
}

/// A party to the contract: what it covers, and the fee it is due.
#[derive(Debug, Clone)]
pub struct Party {
    /// The party's id (`netco`), as scorecards name it.
    pub id: String,
    /// Its place in the chain.
    pub role: Role,
    /// Display name (`"网络分包方"`).
    pub title: Option<String>,
    /// fee per assessment period, in the contract currency
    pub fee: Option<Decimal>,
    /// coverage patterns as written, for reports
    pub covers: Vec<String>,
    /// products matched by the patterns, sorted (every product for a prime without
    /// `covers`)
    pub covered: Vec<ProductId>,
}

/// A category of the service catalog.
#[derive(Debug, Clone)]
pub struct Category {
    /// The category's id (`app`), the first part of its products' ids.
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
}

/// A product of the service catalog: what events are about, and the calendar
/// `calendar business` counts in for them.
#[derive(Debug, Clone)]
pub struct Product {
    /// full dotted id: `app.om_mgmt.desk`
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Its category.
    pub category: CategoryId,
    /// The subcategory's own id (`om_mgmt`); `None` for a product directly in its category.
    pub subcategory: Option<String>,
    /// Its calendar: its own, else its subcategory's, else its category's.
    pub calendar: CalendarId,
}

/// A declared event kind and the attributes it must (or may) carry.
#[derive(Debug, Clone)]
pub struct EventKind {
    /// The kind's dotted name (`ticket.opened`), as events carry it in `kind`.
    pub name: String,
    /// Declared attributes, in declaration order; an event's values follow this order.
    pub attrs: Table<AttrId, AttrDef>,
}

/// A declared attribute of an event kind.
#[derive(Debug, Clone)]
pub struct AttrDef {
    /// The key in an event's `attrs`.
    pub name: String,
    /// What its value must be.
    pub ty: AttrType,
    /// a required attribute missing or mistyped rejects the event
    pub required: bool,
    /// `integer 1 .. 5`, `number ms 0 .. 60000ms`: the inclusive range of the values, in the
    /// attribute's unit (a share for `number %`); a value outside it is of the wrong value
    pub range: Option<(Decimal, Decimal)>,
}

/// The type of an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrType {
    /// a string
    Text,
    /// `true` or `false`
    Bool,
    /// a JSON number, in the given unit, read as is (so a `number %` attribute carries a
    /// share: `0.95` for 95%)
    Number(Unit),
    /// a JSON integer literal (`-?(0|[1-9][0-9]*)`: no fraction, no exponent, so `5.0` and
    /// `5e0` are not integers), stored and compared as a plain number
    Integer,
    /// an RFC 3339 instant
    Time,
    /// a string, exactly one of these values
    Enum(Vec<String>),
}

impl AttrType {
    /// The unit of a number attribute (`number UNIT`, or a plain number for `integer`);
    /// `None` for the other types.
    pub fn number_unit(&self) -> Option<Unit> {
        match self {
            AttrType::Number(u) => Some(*u),
            AttrType::Integer => Some(Unit::Number),
            _ => None,
        }
    }
}

/// Units of values and attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// a share: `95%` is `0.95`
    Fraction,
    /// milliseconds (`number ms`)
    Millis,
    /// a duration in seconds
    Seconds,
    /// a count of subjects or events
    Count,
    /// a plain number
    Number,
}

impl Unit {
    /// The unit's name: `fraction`, `ms`, `s`, `count`, `number` (scorecards call a fraction
    /// a `share`, see `engine::scorecard::unit_key`).
    pub fn name(self) -> &'static str {
        match self {
            Unit::Fraction => "fraction",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Count => "count",
            Unit::Number => "number",
        }
    }
}

/// A tracked item (ticket, alert, plan) whose lifecycle events share a `subject`.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The subject's name (`ticket`).
    pub name: String,
    /// the first event of this kind (in `at`, `id` order) anchors the subject
    pub anchor: KindId,
    /// the period is given by this time attribute of the anchor event instead of its `at`
    pub anchor_at: Option<AttrId>,
    /// Its flags, in declaration order.
    pub flags: Table<FlagId, FlagDef>,
    /// `lasts ...`: how long the subject lasts, for interval measures (availability).
    pub lasts: Option<Lasts>,
}

/// How long a subject lasts.
#[derive(Debug, Clone)]
pub enum Lasts {
    /// from the anchor's `at` to the first matching event ordered after it (at or before
    /// `as_of`), or to `as_of` while none came
    Until(Vec<EventMatch>),
    /// between two time attributes of the anchor event (`[from, until)`; empty when `until`
    /// is not after `from`)
    Attrs {
        /// The attribute where it starts.
        from: AttrId,
        /// The attribute where it ends.
        until: AttrId,
    },
}

/// Spans of a subject excluded from an interval measure: `excluding W [where notice OP D]`.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// The subject whose spans are excluded (one with `lasts from ... until ...`).
    pub subject: SubjectId,
    /// `where notice OP D`: only spans announced so long ahead (`from` − the anchor's `at`).
    pub notice: Option<(CmpOp, i64)>,
}

/// A yes/no state of a subject: set and cleared by events; the last one at or before `as_of`
/// wins.
#[derive(Debug, Clone)]
pub struct FlagDef {
    /// The flag's name, as conditions use it.
    pub name: String,
    /// Events that set the flag.
    pub set: Vec<EventMatch>,
    /// Events that clear it (an event matching both sets it).
    pub clear: Vec<EventMatch>,
}

/// An event kind plus an optional condition on that event's attributes.
#[derive(Debug, Clone)]
pub struct EventMatch {
    /// The kind matched.
    pub kind: KindId,
    /// The `where` condition, on the event's own attributes.
    pub cond: Option<Cond>,
}

/// A condition, resolved. Attribute indices refer to the kind the condition is applied to.
#[derive(Debug, Clone)]
pub enum Cond {
    /// `attr op value`; a missing attribute satisfies only `!=`
    Cmp {
        /// The attribute compared.
        attr: AttrId,
        /// The comparison; text, enum and bool attributes only take `==` and `!=`.
        op: CmpOp,
        /// What it is compared with.
        value: Literal,
    },
    /// `attr in [...]`: the attribute equals one of the values
    In {
        /// The attribute tested.
        attr: AttrId,
        /// The values it may equal.
        values: Vec<Literal>,
    },
    /// the event's product is one of these
    Product(Vec<ProductId>),
    /// a flag of the subject (only in subject selections)
    Flag(FlagId),
    /// a boolean attribute is true
    BoolAttr(AttrId),
    /// the condition does not hold
    Not(Box<Cond>),
    /// every condition holds
    And(Vec<Cond>),
    /// at least one condition holds
    Or(Vec<Cond>),
}

pub use crate::language::ast::CmpOp;

/// A value a condition compares an attribute with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// a text or enum value
    Text(String),
    /// `true` or `false`
    Bool(bool),
    /// in the attribute's base unit
    Number(Decimal),
}

/// A quality indicator: what is measured, at which level, and the terms it is scored on.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// The indicator's id, as scorecards and overrides name it.
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// The level whose score it counts in.
    pub level: Level,
    /// What is measured in each period.
    pub measure: Measure,
    /// unit of the value
    pub unit: Unit,
    /// the terms as declared (assessments may override them)
    pub terms: Terms,
}

/// What an assessment scores an indicator against; overrides replace these per assessment.
#[derive(Debug, Clone)]
pub struct Terms {
    /// What the value should meet: always there under a weighted roll-up; under a points
    /// roll-up only when the indicator states one.
    pub target: Option<Target>,
    /// How the value becomes a score from 0 to 100: there exactly under a weighted roll-up.
    pub scoring: Option<Scoring>,
    /// The points rules of a points roll-up, in source order (their points add up); empty
    /// under a weighted roll-up.
    pub points: Vec<PointsRule>,
    /// weight in the roll-ups; zero when `report_only`
    pub weight: Decimal,
    /// `report only`: scored and shown, but left out of every roll-up (party and level
    /// scores, back-to-back deductions)
    pub report_only: bool,
}

/// How indicator results make a party score (and each level's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollup {
    /// the weighted mean of the indicators' 0–100 scores (the default)
    Weighted,
    /// `start` plus the signed points of the indicators, kept within `floor ..= ceiling`
    Points {
        /// The points every assessee starts a period with.
        start: Decimal,
        /// The score never falls below it (`None`: no floor).
        floor: Option<Decimal>,
        /// The score never rises above it (`None`: no ceiling).
        ceiling: Option<Decimal>,
    },
}

/// `waive on KIND { indicator from A  reason from R  approver from P }`: an event of `kind`
/// excuses its subject for the indicator its attribute `indicator` names.
#[derive(Debug, Clone)]
pub struct WaiverDef {
    /// The kind that grants waivers.
    pub kind: KindId,
    /// Its enum attribute naming the indicator.
    pub indicator: AttrId,
    /// The indicator each value of that enum names, by value index (`None`: not an
    /// indicator with a clock, which such a waiver cannot change).
    pub targets: Vec<Option<IndicatorId>>,
    /// Its text attribute giving the reason.
    pub reason: Option<AttrId>,
    /// Its text attribute naming who approved the waiver.
    pub approver: Option<AttrId>,
}

/// `flag NAME when score OP N in K consecutive periods`: set on an assessment in a period
/// when the condition holds there and in each of the K − 1 periods before it, each scored from
/// the same events and `as_of`.
#[derive(Debug, Clone)]
pub struct PeriodFlag {
    /// The flag's name.
    pub name: String,
    /// A level's score instead of the party score.
    pub level: Option<Level>,
    /// The comparison.
    pub op: CmpOp,
    /// The bound.
    pub bound: Decimal,
    /// K, from 1 to 12.
    pub periods: u32,
}

/// One points rule: `deduct 1 per breached clock, cap 10`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsRule {
    /// `bonus` (points added) rather than `deduct` (points taken off).
    pub bonus: bool,
    /// What the points are for.
    pub basis: Basis,
    /// The rule gives at most this many points (a magnitude).
    pub cap: Option<Decimal>,
    /// Each subject (clock) gives at most this many points, before `cap` (`cap 3 per
    /// ticket`; only on `per started D late`).
    pub cap_per_subject: Option<Decimal>,
}

/// What a points rule gives points for; every amount is a magnitude, the sign is the rule's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// `points` per breached (or met) clock
    Clocks {
        /// Points per clock.
        points: Decimal,
        /// Breached clocks (true) or met ones.
        breached: bool,
    },
    /// `points` per started `step` seconds each breached clock is late: its counted time past
    /// the allowed time, or its stop (or `as_of`) past its due instant
    Late {
        /// Points per step.
        points: Decimal,
        /// The step, in seconds.
        step: i64,
    },
    /// `points` per started `step` the value is below the target
    Below {
        /// Points per step.
        points: Decimal,
        /// The step, in the value's base unit.
        step: Decimal,
    },
    /// `points` per started `step` the value is above the target
    Above {
        /// Points per step.
        points: Decimal,
        /// The step, in the value's base unit.
        step: Decimal,
    },
    /// `points` times the value (a count)
    Each {
        /// Points per counted item.
        points: Decimal,
    },
    /// the points of the first band whose `value op threshold` holds, else `otherwise`
    Bands {
        /// `(op, threshold in the value's base unit, points)`, in order.
        bands: Vec<(CmpOp, Decimal, Decimal)>,
        /// The points when no band holds.
        otherwise: Decimal,
    },
}

/// What an indicator measures in a period.
#[derive(Debug, Clone)]
pub enum Measure {
    /// `availability(S, excluding W ...)`: 1 − the downtime over the products in scope
    /// (each product's spans of S merged, clipped to the period and to `as_of`, less the
    /// excluded spans) / (products in scope × the period's seconds), in calendar time
    Availability {
        /// The subject whose spans are down time.
        subject: SubjectId,
        /// Spans that do not count.
        excluding: Vec<Exclusion>,
    },
    /// `downtime(S, excluding W ...)`: the seconds of down time, as for availability
    Downtime {
        /// The subject whose spans are down time.
        subject: SubjectId,
        /// Spans that do not count.
        excluding: Vec<Exclusion>,
    },
    /// `mttr(S)`: the mean length in seconds of the spans of S anchored in the period that
    /// ended at or before `as_of`
    Mttr {
        /// The subject whose spans are measured.
        subject: SubjectId,
        /// Only subjects whose anchor event meets this condition.
        filter: Option<Cond>,
    },
    /// met / (met + breached) over the clocks of subjects anchored in the period
    ClockRate(ClockDef),
    /// numerator count / denominator count
    Ratio {
        /// The numerator.
        num: Counted,
        /// The denominator.
        den: Counted,
    },
    /// a count of subjects or events in the period
    Count(Counted),
    /// distinct subjects with a matching event in the period
    Distinct(EventSel),
    /// distinct subjects with a matching event in the period that are in the inventory,
    /// over the inventory (distinct subjects with an `inventory` event before the period end)
    Coverage {
        /// The events that cover their subject in the period.
        hits: EventSel,
        /// The events that put their subject in the inventory.
        inventory: EventSel,
    },
    /// mean of a number attribute over the matching events of the period
    Mean {
        /// The events read.
        sel: EventSel,
        /// The number attribute of `sel.kind` averaged.
        attr: AttrId,
    },
    /// sum of a number attribute over the matching events of the period
    Sum {
        /// The events read.
        sel: EventSel,
        /// The number attribute of `sel.kind` summed.
        attr: AttrId,
    },
    /// nearest-rank percentile, `p` in (0, 100]
    Percentile {
        /// The percentile as written: `95` for the 95th.
        p: Decimal,
        /// The events read.
        sel: EventSel,
        /// The number attribute of `sel.kind` ranked.
        attr: AttrId,
    },
}

/// What a count counts.
#[derive(Debug, Clone)]
pub enum Counted {
    /// subjects anchored in the period, filtered on the anchor event and the subject's flags
    Subjects {
        /// The subject counted.
        subject: SubjectId,
        /// The `where` condition and the indicator's `filter`, combined.
        filter: Option<Cond>,
    },
    /// events in the period (each anchored at its own `at`)
    Events(EventSel),
}

/// Events of one kind with an optional condition.
#[derive(Debug, Clone)]
pub struct EventSel {
    /// The kind selected.
    pub kind: KindId,
    /// The `where` condition and the indicator's `filter`, combined; on each event's own
    /// attributes.
    pub filter: Option<Cond>,
}

/// A clock run on each subject of one declared subject (each ticket): when it starts, stops,
/// pauses and resumes, the deadline it is held to and the calendar it counts in.
#[derive(Debug, Clone)]
pub struct ClockDef {
    /// The subject whose lifecycle the clock follows.
    pub subject: SubjectId,
    /// the indicator's filter, on the anchor event: subjects failing it are not counted
    pub filter: Option<Cond>,
    /// empty: the clock starts at the subject's anchor
    pub start: Vec<EventMatch>,
    /// Events that stop a running or paused clock; the first one stops it.
    pub stop: Vec<EventMatch>,
    /// Events that pause a running clock.
    pub pause: Vec<EventMatch>,
    /// Events that set a paused clock running again.
    pub resume: Vec<EventMatch>,
    /// Events that run a stopped clock again, keeping its counted time.
    pub restart: Vec<EventMatch>,
    /// Events that set a started clock's counted time to zero and run it.
    pub reset: Vec<EventMatch>,
    /// How long it may count, or until when it must stop.
    pub deadline: Deadline,
    /// The calendar whose working time it counts.
    pub calendar: ClockCalendar,
    /// `deadline by ATTR follow KIND`: later events that change the value picking the
    /// deadline.
    pub follow: Option<Follow>,
}

/// `follow KIND [restart]` on a `deadline by ATTR`.
#[derive(Debug, Clone)]
pub struct Follow {
    /// The kind whose events change the value (without a condition).
    pub on: EventMatch,
    /// Its attribute of the deadline attribute's name and type.
    pub attr: AttrId,
    /// Each change of the value while the clock runs or is paused starts it over.
    pub restart: bool,
}

impl ClockDef {
    /// Every event match the clock reads: start, stop, pause, resume, restart, reset, and
    /// the followed kind.
    pub fn matches(&self) -> impl Iterator<Item = &EventMatch> {
        self.start
            .iter()
            .chain(&self.stop)
            .chain(&self.pause)
            .chain(&self.resume)
            .chain(&self.restart)
            .chain(&self.reset)
            .chain(self.follow.iter().map(|f| &f.on))
    }
}

/// The deadline of a clock.
#[derive(Debug, Clone)]
pub enum Deadline {
    /// seconds of counted time
    Fixed(i64),
    /// seconds by the value of an enum/text attribute of the anchor event
    ByAttr {
        /// The attribute of the anchor event that picks the deadline.
        attr: AttrId,
        /// `(value, seconds)` in source order; for an enum, one entry per value.
        table: Vec<(String, i64)>,
    },
    /// an absolute instant from a time attribute of the anchor event, compared in wall time
    At(AttrId),
}

/// The calendar a clock counts working time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockCalendar {
    /// the calendar of the subject's product
    Business,
    /// `calendar NAME`: one declared calendar
    Named(CalendarId),
}

/// An indicator's target: met when the rounded value passes `op value` (`>= 0.95`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The comparison.
    pub op: CmpOp,
    /// in the indicator's base unit
    pub value: Decimal,
}

impl Target {
    /// The target as a contract writes it, in the indicator's unit: `>= 95%`, `<= 50ms`.
    pub fn text(&self, unit: Unit) -> String {
        let v = match unit {
            Unit::Fraction => format!("{}%", (self.value * Decimal::ONE_HUNDRED).normalize()),
            Unit::Millis => format!("{}ms", self.value.normalize()),
            Unit::Seconds => format!("{}s", self.value.normalize()),
            _ => self.value.normalize().to_string(),
        };
        format!("{} {v}", self.op.as_str())
    }
}

/// How an indicator's value becomes a score from 0 to 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scoring {
    /// through two points (value, score); clamped to [0, 100]
    Linear {
        /// Value of the first point, in the indicator's base unit.
        x0: Decimal,
        /// Score of the first point.
        y0: Decimal,
        /// Value of the second point (never `x0`).
        x1: Decimal,
        /// Score of the second point.
        y1: Decimal,
    },
    /// first band whose comparison holds gives the score, else `otherwise`
    Bands {
        /// `(op, threshold, score)`, threshold in the indicator's base unit, in source order.
        bands: Vec<(CmpOp, Decimal, Decimal)>,
        /// The score when no band holds (0 without `else`).
        otherwise: Decimal,
    },
    /// 100 − points × value / per, never below 100 − cap (and never below 0)
    Deduct {
        /// Points taken off per `per` of the value; positive.
        points: Decimal,
        /// The value that costs `points`, in the indicator's base unit; positive.
        per: Decimal,
        /// At most this many points off, from 0 to 100.
        cap: Option<Decimal>,
    },
    /// 100 when the target holds, else 0
    ZeroTolerance,
}

/// One party scoring another: `assess A, B by C` gives one per assessee.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The party that assesses.
    pub assessor: PartyId,
    /// The party assessed, whose fee due the result decides.
    pub assessee: PartyId,
    /// The events the assessment sees.
    pub scope: Scope,
    /// per indicator, with overrides applied
    pub terms: Table<IndicatorId, Terms>,
}

/// The events an assessment sees, by product.
#[derive(Debug, Clone)]
pub enum Scope {
    /// every event
    All,
    /// these products, sorted
    Products(Vec<ProductId>),
}

/// How a party score becomes the share of the fee paid.
#[derive(Debug, Clone, Default)]
pub struct Payment {
    /// first band that holds for the party score gives the share
    pub bands: Vec<PayBand>,
    /// the share never falls below this (1 − `cap deduction`)
    pub min_share: Option<Decimal>,
    /// `back-to-back`: the prime passes its deductions on to the subcontractors whose
    /// products caused them
    pub back_to_back: bool,
}

/// One payment band: party scores in `[lower, upper)` are paid `share`.
#[derive(Debug, Clone)]
pub struct PayBand {
    /// inclusive lower bound
    pub lower: Option<Decimal>,
    /// exclusive upper bound
    pub upper: Option<Decimal>,
    /// What the band pays.
    pub share: PayShare,
}

/// What a payment band pays, as a share of the fee from 0 to 1.
#[derive(Debug, Clone)]
pub enum PayShare {
    /// the same share for every score in the band
    Fixed(Decimal),
    /// linear from `from` at the band's lower bound to `to` at its upper bound
    Linear {
        /// The share at the lower bound.
        from: Decimal,
        /// The share approached at the (excluded) upper bound.
        to: Decimal,
    },
}
