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

/// Index into [`Contract::calendars`].
pub type CalendarId = usize;
/// Index into [`Contract::parties`].
pub type PartyId = usize;
/// Index into [`Contract::products`].
pub type ProductId = usize;
/// Index into [`Contract::kinds`].
pub type KindId = usize;
/// Index into [`Contract::subjects`].
pub type SubjectId = usize;
/// Index into [`Contract::indicators`].
pub type IndicatorId = usize;
/// Index into the attribute list of one event kind ([`EventKind::attrs`]).
pub type AttrId = usize;
/// Index into the flag list of one subject ([`Subject::flags`]).
pub type FlagId = usize;

pub use crate::time::period::PeriodKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    System,
    Process,
    Role,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::System, Level::Process, Level::Role];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::System => "system",
            Level::Process => "process",
            Level::Role => "role",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Client,
    Prime,
    Sub,
    Third,
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub name: String,
    pub timezone: chrono_tz::Tz,
    pub currency: String,
    /// inclusive term of the contract
    pub term: (NaiveDate, NaiveDate),
    pub period: PeriodKind,
    /// decimal places of reported indicator values
    pub round_value: u32,
    /// decimal places of scores
    pub round_score: u32,
    pub calendars: Vec<CalendarDef>,
    pub parties: Vec<Party>,
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    pub kinds: Vec<EventKind>,
    pub subjects: Vec<Subject>,
    pub indicators: Vec<Indicator>,
    /// in the order reports list them
    pub assessments: Vec<Assessment>,
    pub payment: Payment,
    /// FNV-1a 64 of the canonical form, set by the checker (see [`Contract::fingerprint`])
    pub(crate) fingerprint: u64,
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

#[derive(Debug, Clone)]
pub struct CalendarDef {
    pub name: String,
    pub title: Option<String>,
    pub calendar: Arc<Calendar>,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub role: Role,
    pub title: Option<String>,
    /// fee per assessment period, in the contract currency
    pub fee: Option<Decimal>,
    /// coverage patterns as written, for reports
    pub covers: Vec<String>,
    /// products matched by the patterns, sorted
    pub covered: Vec<ProductId>,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Product {
    /// full dotted id: `app.om_mgmt.desk`
    pub id: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub category: usize,
    pub subcategory: Option<String>,
    pub calendar: CalendarId,
}

/// A declared event kind and the attributes it must (or may) carry.
#[derive(Debug, Clone)]
pub struct EventKind {
    pub name: String,
    pub attrs: Vec<AttrDef>,
}

#[derive(Debug, Clone)]
pub struct AttrDef {
    pub name: String,
    pub ty: AttrType,
    /// a required attribute missing or mistyped rejects the event
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrType {
    Text,
    Bool,
    /// a JSON number, in the given unit
    Number(Unit),
    /// an RFC 3339 instant
    Time,
    /// a string, exactly one of these values
    Enum(Vec<String>),
}

/// Units of values and attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// a share: `95%` is `0.95`
    Fraction,
    Millis,
    /// a duration in seconds
    Seconds,
    Count,
    /// a plain number
    Number,
}

/// A tracked item (ticket, alert, plan) whose lifecycle events share a `subject`.
#[derive(Debug, Clone)]
pub struct Subject {
    pub name: String,
    /// the first event of this kind (in `at`, `id` order) anchors the subject
    pub anchor: KindId,
    /// the period is given by this time attribute of the anchor event instead of its `at`
    pub anchor_at: Option<AttrId>,
    pub flags: Vec<FlagDef>,
}

/// A yes/no state of a subject: set and cleared by events; the last one before `as_of` wins.
#[derive(Debug, Clone)]
pub struct FlagDef {
    pub name: String,
    pub set: Vec<EventMatch>,
    pub clear: Vec<EventMatch>,
}

/// An event kind plus an optional condition on that event's attributes.
#[derive(Debug, Clone)]
pub struct EventMatch {
    pub kind: KindId,
    pub cond: Option<Cond>,
}

/// A condition, resolved. Attribute indices refer to the kind the condition is applied to.
#[derive(Debug, Clone)]
pub enum Cond {
    Cmp {
        attr: AttrId,
        op: CmpOp,
        value: Literal,
    },
    In {
        attr: AttrId,
        values: Vec<Literal>,
    },
    /// the event's product is one of these
    Product(Vec<ProductId>),
    /// a flag of the subject (only in subject selections)
    Flag(FlagId),
    /// a boolean attribute is true
    BoolAttr(AttrId),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

pub use crate::language::ast::CmpOp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Text(String),
    Bool(bool),
    /// in the attribute's base unit
    Number(Decimal),
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub level: Level,
    pub measure: Measure,
    /// unit of the value
    pub unit: Unit,
    /// the terms as declared (assessments may override them)
    pub terms: Terms,
}

/// What an assessment scores an indicator against; overrides replace these per assessment.
#[derive(Debug, Clone)]
pub struct Terms {
    pub target: Target,
    pub scoring: Scoring,
    /// weight in the roll-ups; zero when `report_only`
    pub weight: Decimal,
    /// `report only`: scored and shown, but left out of every roll-up (party and level
    /// scores, back-to-back deductions)
    pub report_only: bool,
}

#[derive(Debug, Clone)]
pub enum Measure {
    /// met / (met + breached) over the clocks of subjects anchored in the period
    ClockRate(ClockDef),
    /// numerator count / denominator count
    Ratio {
        num: Counted,
        den: Counted,
    },
    Count(Counted),
    /// distinct subjects with a matching event in the period
    Distinct(EventSel),
    /// distinct subjects with a matching event in the period that are in the inventory,
    /// over the inventory (distinct subjects with an `inventory` event before the period end)
    Coverage {
        hits: EventSel,
        inventory: EventSel,
    },
    Mean {
        sel: EventSel,
        attr: AttrId,
    },
    Sum {
        sel: EventSel,
        attr: AttrId,
    },
    /// nearest-rank percentile, `p` in (0, 100]
    Percentile {
        p: Decimal,
        sel: EventSel,
        attr: AttrId,
    },
}

/// What a count counts.
#[derive(Debug, Clone)]
pub enum Counted {
    /// subjects anchored in the period, filtered on the anchor event and the subject's flags
    Subjects {
        subject: SubjectId,
        filter: Option<Cond>,
    },
    /// events in the period (each anchored at its own `at`)
    Events(EventSel),
}

/// Events of one kind with an optional condition.
#[derive(Debug, Clone)]
pub struct EventSel {
    pub kind: KindId,
    pub filter: Option<Cond>,
}

#[derive(Debug, Clone)]
pub struct ClockDef {
    pub subject: SubjectId,
    /// the indicator's filter, on the anchor event: subjects failing it are not counted
    pub filter: Option<Cond>,
    /// empty: the clock starts at the subject's anchor
    pub start: Vec<EventMatch>,
    pub stop: Vec<EventMatch>,
    pub pause: Vec<EventMatch>,
    pub resume: Vec<EventMatch>,
    pub restart: Vec<EventMatch>,
    pub reset: Vec<EventMatch>,
    pub deadline: Deadline,
    pub calendar: ClockCalendar,
}

impl ClockDef {
    /// Every event match that moves the clock: start, stop, pause, resume, restart, reset.
    pub fn matches(&self) -> impl Iterator<Item = &EventMatch> {
        self.start
            .iter()
            .chain(&self.stop)
            .chain(&self.pause)
            .chain(&self.resume)
            .chain(&self.restart)
            .chain(&self.reset)
    }
}

#[derive(Debug, Clone)]
pub enum Deadline {
    /// seconds of counted time
    Fixed(i64),
    /// seconds by the value of an enum/text attribute of the anchor event
    ByAttr {
        attr: AttrId,
        table: Vec<(String, i64)>,
    },
    /// an absolute instant from a time attribute of the anchor event, compared in wall time
    At(AttrId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockCalendar {
    /// the calendar of the subject's product
    Business,
    Named(CalendarId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub op: CmpOp,
    /// in the indicator's base unit
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scoring {
    /// through two points (value, score); clamped to [0, 100]
    Linear {
        x0: Decimal,
        y0: Decimal,
        x1: Decimal,
        y1: Decimal,
    },
    /// first band whose comparison holds gives the score, else `otherwise`
    Bands {
        bands: Vec<(CmpOp, Decimal, Decimal)>,
        otherwise: Decimal,
    },
    /// 100 − points × value / per, never below 100 − cap (and never below 0)
    Deduct {
        points: Decimal,
        per: Decimal,
        cap: Option<Decimal>,
    },
    /// 100 when the target holds, else 0
    ZeroTolerance,
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub assessor: PartyId,
    pub assessee: PartyId,
    pub scope: Scope,
    /// per indicator (same order as [`Contract::indicators`]), with overrides applied
    pub terms: Vec<Terms>,
}

#[derive(Debug, Clone)]
pub enum Scope {
    All,
    /// these products, sorted
    Products(Vec<ProductId>),
}

#[derive(Debug, Clone, Default)]
pub struct Payment {
    /// first band that holds for the party score gives the share
    pub bands: Vec<PayBand>,
    /// the share never falls below this
    pub min_share: Option<Decimal>,
    pub back_to_back: bool,
}

#[derive(Debug, Clone)]
pub struct PayBand {
    /// inclusive lower bound
    pub lower: Option<Decimal>,
    /// exclusive upper bound
    pub upper: Option<Decimal>,
    pub share: PayShare,
}

#[derive(Debug, Clone)]
pub enum PayShare {
    Fixed(Decimal),
    /// linear from `from` at the band's lower bound to `to` at its upper bound
    Linear {
        from: Decimal,
        to: Decimal,
    },
}
