//! Findings: what counted against each indicator (or every item measured), with the events
//! behind it, as text: the explanation of a scorecard.

use serde::Serialize;

use crate::contract::{Contract, IndicatorId};
use crate::engine::clock::{ClockRun, Outcome, Step};
use crate::engine::eval::{EvalError, Evaluator};
use crate::engine::measure::Partial;
use crate::engine::scorecard::Scorecard;
use crate::engine::store::{Names, Slim};
use crate::time::instant::Instant;
use crate::time::period::Period;

impl Evaluator {
    /// The scorecard plus, per assessment and indicator, what counted against it; with
    /// `all`, every item measured, not only those that counted against an indicator: met clocks with their counted time, subjects and events
    /// counted in a numerator, covered inventory (samples of means, sums and percentiles
    /// are not listed).
    pub fn explain(
        &self,
        period: &Period,
        as_of: Option<i64>,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        self.evaluate(period, as_of, true, all)
    }

    /// [`Evaluator::partials`] of one period with its findings, in place (for explaining
    /// through partitions).
    pub(crate) fn explain_part(
        &self,
        period: &Period,
        as_of: i64,
        all: bool,
    ) -> Result<(Partial, Keyed), EvalError> {
        self.accumulate(period, as_of, true, all, self.all())
    }
}

/// What counted against each indicator: per assessment, per indicator, the findings.
pub type Findings = Vec<Vec<Vec<Finding>>>;

/// Something that counted against an indicator in one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The subject's id (for a single event, the event's `subject`).
    pub subject: String,
    /// The product's id: of the subject's anchor, of the event that started the clock, or
    /// of the single event.
    pub product: String,
    /// where it stands: met, breached, pending, (not) counted in the numerator, ...
    pub status: Status,
    /// counted seconds, for clocks with a duration deadline
    pub elapsed: Option<i64>,
    /// allowed seconds, for duration deadlines
    pub allowed: Option<i64>,
    /// due instant, for absolute deadlines
    pub due: Option<Instant>,
    /// the calendar whose working time `elapsed` and `allowed` count, for clocks with a
    /// duration deadline
    pub calendar: Option<String>,
    /// the events that moved the clock or make up the finding: (id, kind, at, step)
    pub events: Vec<FindingEvent>,
    /// for a waived clock: the waiver's reason and approver
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

/// Why a clock was waived, and by whom: kept so that a dispute can see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNote {
    /// The waiver event's `id`.
    pub id: String,
    /// The reason it gives (empty when the contract reads none).
    pub reason: String,
    /// Who approved it (empty when the contract reads none).
    pub approver: String,
}

/// Where a finding stands; shown (and serialized) as the words of explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// a clock that stopped within its deadline
    Met,
    /// a clock past its deadline
    Breached,
    /// a clock still running within its deadline
    Pending,
    /// a subject or event counted in a ratio's numerator
    InNumerator,
    /// a subject or event of a ratio's denominator missing from its numerator
    NotInNumerator,
    /// a subject or event counted (a count of incidents)
    Counted,
    /// an inventory item covered in the period
    Covered,
    /// an inventory item not covered in the period
    NotCovered,
    /// a clock excused by a waiver: out of the value and of every points rule
    Waived,
}

impl Status {
    /// The words explanations show: `met`, `not counted in the numerator`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Breached => "breached",
            Status::Pending => "pending",
            Status::InNumerator => "counted in the numerator",
            Status::NotInNumerator => "not counted in the numerator",
            Status::Counted => "counted",
            Status::Covered => "in the inventory, covered in the period",
            Status::NotCovered => "in the inventory, not covered in the period",
            Status::Waived => "waived",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An event behind a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvent {
    /// The event's `id`.
    pub id: String,
    /// Its kind's name.
    pub kind: String,
    /// Its `at`, shown in the contract's time zone.
    pub at: Instant,
    /// What it did to the clock; `None` for events that are not clock steps.
    pub step: Option<Step>,
}

/// Where a finding stands in its list: subjects' findings first, by subject name, then
/// single events', by (`at`, `id`): the order of an in-memory explanation, which findings
/// from several partitions are sorted back into.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Subject(String),
    Event(i64, String),
}

/// Findings with their place (see [`Key`]).
pub(crate) type Keyed = Vec<Vec<Vec<(Key, Finding)>>>;

pub(super) fn push_finding(f: &mut Keyed, a: usize, i: IndicatorId, key: &Key, x: Finding) {
    if let Some(v) = f.get_mut(a).and_then(|v| v.get_mut(i.index())) {
        v.push((key.clone(), x));
    }
}

/// Drops the places of findings already in order.
pub(crate) fn unkey(f: Keyed) -> Findings {
    f.into_iter()
        .map(|a| {
            a.into_iter()
                .map(|i| i.into_iter().map(|(_, x)| x).collect())
                .collect()
        })
        .collect()
}

/// Builds findings: turns interned names and stored events back into text.
pub(super) struct Finder<'a> {
    pub(in crate::engine) c: &'a Contract,
    pub(in crate::engine) names: &'a Names,
    pub(in crate::engine) ids: &'a Names,
}

impl Finder<'_> {
    fn kind_name(&self, e: &Slim) -> String {
        self.c
            .kinds
            .get(e.kind)
            .map(|k| k.name.clone())
            .unwrap_or_default()
    }

    pub(super) fn product(&self, e: &Slim) -> String {
        self.c
            .products
            .get(e.product)
            .map(|p| p.id.clone())
            .unwrap_or_default()
    }

    pub(super) fn event(&self, e: &Slim, step: Option<Step>) -> FindingEvent {
        FindingEvent {
            id: self.ids.get(e.id).to_string(),
            kind: self.kind_name(e),
            at: Instant::new(e.at, self.c.timezone),
            step,
        }
    }

    pub(super) fn clock(
        &self,
        subject: u32,
        evs: &[Slim],
        run: &ClockRun,
        calendar: Option<String>,
    ) -> Finding {
        Finding {
            subject: self.names.get(subject).to_string(),
            product: run
                .steps
                .first()
                .and_then(|(i, _)| evs.get(*i))
                .map(|e| self.product(e))
                .unwrap_or_default(),
            status: match run.outcome {
                Outcome::Met => Status::Met,
                Outcome::Breached => Status::Breached,
                Outcome::Pending => Status::Pending,
            },
            elapsed: run.due.is_none().then_some(run.elapsed),
            allowed: run.allowed,
            due: run.due.map(|d| Instant::new(d, self.c.timezone)),
            calendar: run.due.is_none().then_some(calendar).flatten(),
            events: run
                .steps
                .iter()
                .filter_map(|(i, s)| evs.get(*i).map(|e| self.event(e, Some(*s))))
                .collect(),
            waiver: None,
        }
    }

    /// A clock waived by `log[waiver]`, with the waiver's `(reason, approver)`.
    pub(super) fn waived(
        &self,
        subject: u32,
        evs: &[Slim],
        anchor: usize,
        waiver: usize,
        note: Option<(String, String)>,
    ) -> Finding {
        let mut f = match evs.get(anchor) {
            Some(a) => self.subject(subject, a, Status::Waived),
            None => Finding {
                subject: self.names.get(subject).to_string(),
                product: String::new(),
                status: Status::Waived,
                elapsed: None,
                allowed: None,
                due: None,
                calendar: None,
                events: Vec::new(),
                waiver: None,
            },
        };
        f.events = [anchor, waiver]
            .iter()
            .filter_map(|i| evs.get(*i).map(|e| self.event(e, None)))
            .collect();
        let (reason, approver) = note.unwrap_or_default();
        f.waiver = Some(WaiverNote {
            id: evs
                .get(waiver)
                .map(|e| self.ids.get(e.id).to_string())
                .unwrap_or_default(),
            reason,
            approver,
        });
        f
    }

    pub(super) fn subject(&self, subject: u32, anchor: &Slim, status: Status) -> Finding {
        Finding {
            subject: self.names.get(subject).to_string(),
            product: self.product(anchor),
            status,
            elapsed: None,
            allowed: None,
            due: None,
            calendar: None,
            events: vec![self.event(anchor, None)],
            waiver: None,
        }
    }
}
