//! Result objects handed to Python: contract introspection, scorecards, findings, diffs.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset, TimeDelta};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;
use slagrade::engine::eval::Finding as CoreFinding;
use slagrade::engine::scorecard::{AssessmentCard, IndicatorCard, Scorecard as CoreScorecard};
use slagrade::time::period::Period;

use crate::convert::{self, instant, json_to_py, seconds};
use crate::errors::{guard, unknown_name, value_error};

/// Fields of a value class as a dict (its pickled state) and back, by field name.
macro_rules! state {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $t {
            fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                $( d.set_item(stringify!($f), self.$f.clone())?; )*
                Ok(d)
            }

            fn from_state(d: &Bound<'_, PyDict>) -> PyResult<Self> {
                Ok($t {
                    $( $f: d
                        .get_item(stringify!($f))?
                        .ok_or_else(|| value_error(concat!(
                            stringify!($t), " state: missing `", stringify!($f), "`"
                        )))?
                        .extract()?, )*
                })
            }
        }
    };
}

/// `(cls._restore, (state,))`: how a value class pickles.
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyDict>,));

fn reduced<'py, T: pyo3::PyClass>(
    slf: &Bound<'py, T>,
    state: Bound<'py, PyDict>,
) -> PyResult<Reduced<'py>> {
    Ok((slf.as_any().get_type().getattr("_restore")?, (state,)))
}

/// A party of the contract.
#[pyclass(module = "slagrade._slagrade", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Party {
    /// the party's id in the contract
    pub id: String,
    /// `client`, `prime`, `sub` or `third`
    pub role: String,
    /// its title, as written
    pub title: Option<String>,
    /// fee per assessment period, in the contract currency
    pub fee: Option<Decimal>,
    /// coverage patterns as written
    pub covers: Vec<String>,
    /// ids of the products the patterns match
    pub covered: Vec<String>,
}

state!(Party {
    id,
    role,
    title,
    fee,
    covers,
    covered
});

#[pymethods]
impl Party {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!("Party(id={:?}, role={:?})", self.id, self.role)
    }
}

/// A product of the service catalog.
#[pyclass(module = "slagrade._slagrade", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Product {
    /// the product's id (`category.subcategory.name`)
    pub id: String,
    /// Chinese title
    pub title_zh: Option<String>,
    /// English title
    pub title_en: Option<String>,
    /// id of its category
    pub category: String,
    /// its subcategory, if any
    pub subcategory: Option<String>,
    /// name of the calendar its clocks run on
    pub calendar: String,
}

state!(Product {
    id,
    title_zh,
    title_en,
    category,
    subcategory,
    calendar
});

#[pymethods]
impl Product {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!("Product(id={:?})", self.id)
    }
}

/// An indicator as declared (assessments may override its terms).
#[pyclass(module = "slagrade._slagrade", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Indicator {
    /// the indicator's id
    pub id: String,
    /// Chinese title
    pub title_zh: Option<String>,
    /// English title
    pub title_en: Option<String>,
    /// `system`, `process` or `role`
    pub level: String,
    /// `fraction`, `ms`, `s`, `count` or `number`
    pub unit: String,
    /// its weight in the party score
    pub weight: Decimal,
    /// `report only`: scored and shown, but left out of every roll-up (weight 0)
    pub report_only: bool,
    /// the target as written, e.g. `>= 95%`
    pub target: String,
}

state!(Indicator {
    id,
    title_zh,
    title_en,
    level,
    unit,
    weight,
    report_only,
    target
});

#[pymethods]
impl Indicator {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!("Indicator(id={:?}, level={:?})", self.id, self.level)
    }
}

/// An event that was not accepted, with the reason.
#[pyclass(module = "slagrade._slagrade", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Rejection {
    /// 1-based position in the input fed so far, in the order it was fed: the line of a
    /// file, the item or row of a batch, each batch and merged evaluator numbered after the
    /// ones before
    pub line: Option<u64>,
    /// why the event was not accepted
    pub reason: String,
    /// the line, item or row as received (JSON text)
    pub text: String,
}

state!(Rejection { line, reason, text });

#[pymethods]
impl Rejection {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!(
            "Rejection(line={}, reason={:?})",
            self.line.map_or("None".into(), |l| l.to_string()),
            self.reason
        )
    }
}

impl From<&slagrade::event::Rejection> for Rejection {
    fn from(r: &slagrade::event::Rejection) -> Self {
        Rejection {
            line: r.line,
            reason: r.reason.to_string(),
            text: r.text.clone(),
        }
    }
}

/// One indicator in one assessment.
#[pyclass(module = "slagrade._slagrade", frozen, get_all)]
#[derive(Clone)]
pub struct IndicatorResult {
    /// the indicator's id
    pub id: String,
    /// Chinese title
    pub title_zh: Option<String>,
    /// English title
    pub title_en: Option<String>,
    /// `system`, `process` or `role`
    pub level: String,
    /// its weight in this assessment
    pub weight: Decimal,
    /// `report only`: scored and shown, but left out of every roll-up (weight 0)
    pub report_only: bool,
    /// rounded value; `None` when not applicable
    pub value: Option<Decimal>,
    /// the indicator's score; `None` when not applicable
    pub score: Option<Decimal>,
    /// the target as written, e.g. `>= 95%`
    pub target: String,
    /// whether the value meets the target; `None` when not applicable
    pub target_met: Option<bool>,
    /// clocks that met their deadline (clock indicators)
    pub met: Option<u64>,
    /// clocks that breached it (clock indicators)
    pub breached: Option<u64>,
    /// clocks still running (clock indicators)
    pub pending: Option<u64>,
    /// the ratio's numerator (ratios and coverage)
    pub numerator: Option<u64>,
    /// the ratio's denominator (ratios and coverage)
    pub denominator: Option<u64>,
    /// how many events or subjects the value was computed over
    pub samples: u64,
}

state!(IndicatorResult {
    id,
    title_zh,
    title_en,
    level,
    weight,
    report_only,
    value,
    score,
    target,
    target_met,
    met,
    breached,
    pending,
    numerator,
    denominator,
    samples,
});

#[pymethods]
impl IndicatorResult {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        let s = |d: Option<Decimal>| d.map_or("None".into(), |d| d.to_string());
        format!(
            "IndicatorResult(id={:?}, value={}, score={})",
            self.id,
            s(self.value),
            s(self.score)
        )
    }
}

impl From<&IndicatorCard> for IndicatorResult {
    fn from(i: &IndicatorCard) -> Self {
        IndicatorResult {
            id: i.id.clone(),
            title_zh: i.title_zh.clone(),
            title_en: i.title_en.clone(),
            level: i.level.as_str().into(),
            weight: i.weight,
            report_only: i.report_only,
            value: i.value,
            score: i.score,
            target: i.target.clone(),
            target_met: i.target_met,
            met: i.clocks.map(|c| c.met),
            breached: i.clocks.map(|c| c.breached),
            pending: i.clocks.map(|c| c.pending),
            numerator: i.ratio.map(|r| r.0),
            denominator: i.ratio.map(|r| r.1),
            samples: i.samples,
        }
    }
}

/// One assessor's assessment of one party.
#[pyclass(module = "slagrade._slagrade", frozen)]
#[derive(Clone)]
pub struct Assessment {
    /// the assessing party's id
    #[pyo3(get)]
    pub assessor: String,
    /// the assessed party's id
    #[pyo3(get)]
    pub assessee: String,
    /// the assessed party's title
    #[pyo3(get)]
    pub assessee_title: Option<String>,
    /// party score; `None` when no indicator applies, or with no evidence
    #[pyo3(get)]
    pub score: Option<Decimal>,
    levels: Vec<(String, Option<Decimal>)>,
    /// the assessee's fee for the period, in the contract currency
    #[pyo3(get)]
    pub fee: Option<Decimal>,
    /// the share of the fee the party score earns (by the payment bands)
    #[pyo3(get)]
    pub share: Option<Decimal>,
    /// the fee due for the period: the fee times the share (the whole fee when no indicator
    /// applies); `None` with no evidence
    #[pyo3(get)]
    pub fee_due: Option<Decimal>,
    /// deductions passed on from the prime's own assessment (back-to-back payment)
    #[pyo3(get)]
    pub passed_through: Option<Decimal>,
    /// one result per indicator of the assessment, in contract order
    #[pyo3(get)]
    pub indicators: Vec<IndicatorResult>,
    /// the items the indicators measured in the period (clocks, denominators, counted
    /// events, samples); 0: not assessed, see `no_evidence`
    #[pyo3(get)]
    pub evidence: u64,
}

state!(Assessment {
    assessor,
    assessee,
    assessee_title,
    score,
    levels,
    fee,
    share,
    fee_due,
    passed_through,
    evidence,
    indicators,
});

#[pymethods]
impl Assessment {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    /// True when the indicators measured nothing in the period: not assessed, so there is
    /// no score, no level scores, no share and no fee due (see `docs/scorecard.md`).
    #[getter]
    fn no_evidence(&self) -> bool {
        self.evidence == 0
    }

    /// Score per level (`system`, `process`, `role`).
    #[getter]
    fn levels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.levels {
            d.set_item(k, *v)?;
        }
        Ok(d)
    }

    /// The indicator with this id; `UnknownNameError` (a `KeyError`) names the close one
    /// and lists them.
    fn indicator(&self, py: Python<'_>, id: &str) -> PyResult<IndicatorResult> {
        self.indicators
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = self.indicators.iter().map(|i| i.id.as_str()).collect();
                unknown_name(
                    py,
                    "indicator",
                    id,
                    &known,
                    &format!(
                        "the assessment of `{}` lists no indicator `{id}`",
                        self.assessee
                    ),
                    "indicators",
                )
            })
    }

    fn __repr__(&self) -> String {
        format!(
            "Assessment(assessor={:?}, assessee={:?}, score={})",
            self.assessor,
            self.assessee,
            self.score.map_or("None".into(), |d| d.to_string())
        )
    }
}

impl From<&AssessmentCard> for Assessment {
    fn from(a: &AssessmentCard) -> Self {
        Assessment {
            assessor: a.assessor.clone(),
            assessee: a.assessee.clone(),
            assessee_title: a.assessee_title.clone(),
            score: a.score,
            levels: a
                .levels
                .iter()
                .map(|(l, s)| (l.as_str().to_string(), *s))
                .collect(),
            fee: a.fee,
            share: a.share,
            fee_due: a.fee_due,
            passed_through: a.passed_through,
            indicators: a.indicators.iter().map(IndicatorResult::from).collect(),
            evidence: a.evidence,
        }
    }
}

/// An event that moved a clock or makes up a finding.
#[pyclass(module = "slagrade._slagrade", frozen, get_all)]
#[derive(Clone)]
pub struct FindingEvent {
    /// the event's id
    pub id: String,
    /// its kind, e.g. `ticket.opened`
    pub kind: String,
    /// its instant, in the contract time zone's offset
    pub at: Option<DateTime<FixedOffset>>,
    /// `start`, `stop`, `pause`, `resume`, `restart`, `reset`, or `None`
    pub step: Option<String>,
}

state!(FindingEvent { id, kind, at, step });

#[pymethods]
impl FindingEvent {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!("FindingEvent(id={:?}, kind={:?})", self.id, self.kind)
    }
}

/// A subject or event that counted against an indicator.
#[pyclass(module = "slagrade._slagrade", frozen, get_all)]
#[derive(Clone)]
pub struct Finding {
    /// the subject (ticket, plan, probe ...) or event id
    pub subject: String,
    /// its product
    pub product: String,
    /// how it counted: `breached`, `pending`, `not counted in the numerator`, `counted`, ...
    pub status: String,
    /// counted time, for clocks
    pub elapsed: Option<TimeDelta>,
    /// allowed time, for duration deadlines
    pub allowed: Option<TimeDelta>,
    /// due instant, for absolute deadlines
    pub due: Option<DateTime<FixedOffset>>,
    /// the calendar whose working time `elapsed` and `allowed` count, for clocks
    pub calendar: Option<String>,
    /// the events that make it up, in time order
    pub events: Vec<FindingEvent>,
}

state!(Finding {
    subject,
    product,
    status,
    elapsed,
    allowed,
    due,
    calendar,
    events
});

#[pymethods]
impl Finding {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(subject={:?}, product={:?}, status={:?})",
            self.subject, self.product, self.status
        )
    }
}

fn parse_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

impl From<&CoreFinding> for Finding {
    fn from(f: &CoreFinding) -> Self {
        Finding {
            subject: f.subject.clone(),
            product: f.product.clone(),
            status: f.status.as_str().to_string(),
            elapsed: f.elapsed.and_then(seconds),
            allowed: f.allowed.and_then(seconds),
            due: f.due.and_then(|d| instant(d.tz(), d.unix())),
            calendar: f.calendar.clone(),
            events: f
                .events
                .iter()
                .map(|e| FindingEvent {
                    id: e.id.clone(),
                    kind: e.kind.clone(),
                    at: instant(e.at.tz(), e.at.unix()),
                    step: e.step.map(|s| format!("{s:?}").to_lowercase()),
                })
                .collect(),
        }
    }
}

/// A running clock that breaches within the horizon.
#[pyclass(module = "slagrade._slagrade", frozen, get_all)]
#[derive(Clone)]
pub struct AtRisk {
    /// the clock indicator's id
    pub indicator: String,
    /// the subject whose clock runs
    pub subject: String,
    /// its product
    pub product: String,
    /// the instant it breaches
    pub deadline: Option<DateTime<FixedOffset>>,
    /// time counted so far
    pub elapsed: Option<TimeDelta>,
    /// time allowed, for duration deadlines
    pub allowed: Option<TimeDelta>,
}

state!(AtRisk {
    indicator,
    subject,
    product,
    deadline,
    elapsed,
    allowed
});

#[pymethods]
impl AtRisk {
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduced(slf, slf.get().state(slf.py())?)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_state(state)
    }

    fn __repr__(&self) -> String {
        format!(
            "AtRisk(indicator={:?}, subject={:?})",
            self.indicator, self.subject
        )
    }
}

impl AtRisk {
    pub fn new(tz: chrono_tz::Tz, r: &slagrade::engine::eval::AtRisk) -> Self {
        AtRisk {
            indicator: r.indicator.clone(),
            subject: r.subject.clone(),
            product: r.product.clone(),
            deadline: instant(tz, r.deadline),
            elapsed: seconds(r.elapsed),
            allowed: r.allowed.and_then(seconds),
        }
    }
}

type Findings = Vec<Vec<Vec<CoreFinding>>>;

/// An assessee's title and its indicators' Chinese and English titles (pickled).
type TitlesOf = (Option<String>, Vec<(Option<String>, Option<String>)>);

/// What a scorecard was computed from.
enum Source {
    /// the events (shared, immutable; in memory or partitions on disk, which stay until
    /// the last scorecard made from them is gone), for explanations
    Events(Arc<slagrade::Events>),
    /// its dict form (`Scorecard.from_dict`, or unpickled): no events to explain; the time
    /// zone when known (from the contract, or the pickled scorecard), and the rejections
    Rebuilt {
        tz: Option<chrono_tz::Tz>,
        rejected: Vec<slagrade::event::Rejection>,
    },
}

/// Why a rebuilt scorecard cannot explain.
const NO_EVENTS: &str = "this scorecard was rebuilt from its dict form (Scorecard.from_dict, \
    or unpickled) and keeps no events to explain: explain it where it was evaluated, or send \
    the Evaluator (it pickles with its events)";

/// The scores of one period, for every assessment of the contract.
#[pyclass(module = "slagrade._slagrade", frozen)]
pub struct Scorecard {
    card: CoreScorecard,
    src: Source,
    period: Period,
    as_of: Option<i64>,
    /// what counted against each indicator, and everything measured (`all`), read once
    findings: [OnceLock<Findings>; 2],
}

impl Scorecard {
    pub fn new(
        card: CoreScorecard,
        events: Arc<slagrade::Events>,
        period: Period,
        as_of: Option<i64>,
    ) -> Self {
        Scorecard {
            card,
            src: Source::Events(events),
            period,
            as_of,
            findings: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// A scorecard rebuilt from its dict form; `tz` when the contract's time zone is known
    /// (its period bounds and titles are then filled in).
    pub fn rebuilt(
        card: CoreScorecard,
        tz: Option<chrono_tz::Tz>,
        rejected: Vec<slagrade::event::Rejection>,
    ) -> Self {
        let period = Period {
            start: card.period_start,
            end: card.period_end,
            key: card.period.clone(),
        };
        let as_of = Some(card.as_of);
        Scorecard {
            card,
            src: Source::Rebuilt { tz, rejected },
            period,
            as_of,
            findings: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// The contract's time zone, unless rebuilt from a dict without the contract.
    fn tz(&self) -> Option<chrono_tz::Tz> {
        match &self.src {
            Source::Events(ev) => Some(ev.plan().contract().timezone()),
            Source::Rebuilt { tz, .. } => *tz,
        }
    }

    fn rejections(&self) -> &[slagrade::event::Rejection] {
        match &self.src {
            Source::Events(ev) => ev.rejected(),
            Source::Rebuilt { rejected, .. } => rejected,
        }
    }

    fn findings(&self, py: Python<'_>, all: bool) -> PyResult<&Findings> {
        let [against, everything] = &self.findings;
        let cell = if all { everything } else { against };
        if let Some(f) = cell.get() {
            return Ok(f);
        }
        let (period, as_of) = (&self.period, self.as_of);
        let explained = match &self.src {
            Source::Events(ev) => py.detach(|| ev.explain(period, as_of, all)),
            Source::Rebuilt { .. } => return Err(value_error(NO_EVENTS)),
        }
        .map_err(|e| value_error(e.to_string()))?;
        Ok(cell.get_or_init(|| explained.1))
    }

    /// The assessees in report order, each once.
    fn assessees(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.card.assessments {
            if !out.contains(&a.assessee.as_str()) {
                out.push(&a.assessee);
            }
        }
        out
    }

    /// `UnknownNameError` unless some assessment is of `assessee`.
    fn known_assessee(&self, py: Python<'_>, assessee: &str) -> PyResult<()> {
        let known = self.assessees();
        if known.contains(&assessee) {
            return Ok(());
        }
        Err(unknown_name(
            py,
            "assessee",
            assessee,
            &known,
            &format!("no assessment of `{assessee}`"),
            "assessees",
        ))
    }

    /// Index of the assessment of `assessee` that lists `indicator` (the first one when
    /// `assessee` is `None`), and the indicator's index in it.
    fn locate(
        &self,
        py: Python<'_>,
        indicator: &str,
        assessee: Option<&str>,
    ) -> PyResult<(usize, usize)> {
        if let Some(p) = assessee {
            self.known_assessee(py, p)?;
        }
        let mut known: Vec<&str> = Vec::new();
        for (ai, a) in self.card.assessments.iter().enumerate() {
            if assessee.is_some_and(|x| x != a.assessee) {
                continue;
            }
            if let Some(ii) = a.indicators.iter().position(|i| i.id == indicator) {
                return Ok((ai, ii));
            }
            for i in &a.indicators {
                if !known.contains(&i.id.as_str()) {
                    known.push(&i.id);
                }
            }
        }
        let lead = match assessee {
            Some(p) => format!("no assessment of `{p}` lists indicator `{indicator}`"),
            None => format!("no indicator `{indicator}`"),
        };
        Err(unknown_name(
            py,
            "indicator",
            indicator,
            &known,
            &lead,
            "indicators",
        ))
    }
}

const COLUMNS: [&str; 19] = [
    "period",
    "assessor",
    "assessee",
    "party_score",
    "fee_due",
    "indicator",
    "title_zh",
    "title_en",
    "level",
    "weight",
    "value",
    "score",
    "target",
    "target_met",
    "met",
    "breached",
    "pending",
    "numerator",
    "denominator",
];

#[pymethods]
impl Scorecard {
    /// The contract's name.
    #[getter]
    fn contract(&self) -> &str {
        &self.card.contract
    }
    /// The period key, e.g. `2026-10`.
    #[getter]
    fn period(&self) -> &str {
        &self.card.period
    }
    /// The period's first instant (`None` for a scorecard rebuilt from its dict form without
    /// the contract).
    #[getter]
    fn period_start(&self) -> Option<DateTime<FixedOffset>> {
        self.tz().and_then(|tz| instant(tz, self.card.period_start))
    }
    /// The instant just after the period (`None` as for `period_start`).
    #[getter]
    fn period_end(&self) -> Option<DateTime<FixedOffset>> {
        self.tz().and_then(|tz| instant(tz, self.card.period_end))
    }
    /// The evaluation instant.
    #[getter]
    fn as_of(&self) -> Option<DateTime<FixedOffset>> {
        match self.tz() {
            Some(tz) => instant(tz, self.card.as_of),
            None => parse_rfc3339(&self.card.as_of_text),
        }
    }
    /// The contract currency, e.g. `CNY`.
    #[getter]
    fn currency(&self) -> &str {
        &self.card.currency
    }
    /// Counts over the whole input: `accepted`, `duplicates`, `rejected`.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counts_dict(py, self.card.events)
    }
    /// Every rejected event of the input, with its reason and position.
    #[getter]
    fn rejected(&self) -> Vec<Rejection> {
        self.rejections().iter().map(Rejection::from).collect()
    }
    /// This period's accepted events that count nowhere: `before_anchor` (ordered before
    /// their subject's anchor) and `without_anchor` (of subjects with no anchor).
    #[getter]
    fn ignored<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("before_anchor", self.card.ignored.before_anchor)?;
        d.set_item("without_anchor", self.card.ignored.without_anchor)?;
        Ok(d)
    }
    /// The events counted in `ignored`, as dicts (`subject`, `product`, `reason`
    /// `before_anchor` or `no_anchor`, and the `event`'s `id`, `kind` and `at`), by subject.
    /// A scorecard read back from a dict holds no events: `ValueError`.
    fn ignored_events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (period, as_of) = (&self.period, self.as_of);
        let list = match &self.src {
            Source::Events(ev) => py
                .detach(|| ev.ignored(period, as_of))
                .map_err(|e| value_error(e.to_string()))?,
            Source::Rebuilt { .. } => return Err(value_error(NO_EVENTS)),
        };
        let v = serde_json::to_value(&list).map_err(|e| value_error(e.to_string()))?;
        json_to_py(py, &v)
    }
    /// Every assessment of the contract, in report order.
    #[getter]
    fn assessments(&self) -> Vec<Assessment> {
        self.card.assessments.iter().map(Assessment::from).collect()
    }

    /// The assessment of `assessee` (by `assessor`, when several assess it). An unknown
    /// name raises `UnknownNameError` (a `KeyError`) naming the close one and the names.
    #[pyo3(signature = (assessee, assessor=None))]
    fn assessment(
        &self,
        py: Python<'_>,
        assessee: &str,
        assessor: Option<&str>,
    ) -> PyResult<Assessment> {
        self.known_assessee(py, assessee)?;
        let of: Vec<&AssessmentCard> = self
            .card
            .assessments
            .iter()
            .filter(|a| a.assessee == assessee)
            .collect();
        match (
            of.iter().find(|a| assessor.is_none_or(|x| x == a.assessor)),
            assessor,
        ) {
            (Some(a), _) => Ok(Assessment::from(*a)),
            (None, x) => {
                let x = x.unwrap_or_default();
                let known: Vec<&str> = of.iter().map(|a| a.assessor.as_str()).collect();
                Err(unknown_name(
                    py,
                    "assessor",
                    x,
                    &known,
                    &format!("no assessment of `{assessee}` by `{x}`"),
                    &format!("assessors of `{assessee}`"),
                ))
            }
        }
    }

    /// The scorecard of a dict form: `to_dict()`'s, or the JSON that `to_json()` and
    /// `slagrade eval --format json` give, read back. Every number and count comes back
    /// exactly (decimals with their scale). The form holds no titles and no period bounds:
    /// with `contract` (the one it was evaluated under) they are filled in, else they are
    /// `None`. It holds no events either: `explain` raises `ValueError`. A dict that is not
    /// such a form raises `ValueError` naming where.
    #[staticmethod]
    #[pyo3(signature = (d, contract=None))]
    fn from_dict(
        py: Python<'_>,
        d: &Bound<'_, PyAny>,
        contract: Option<PyRef<'_, crate::Contract>>,
    ) -> PyResult<Scorecard> {
        guard(|| {
            if d.cast::<PyDict>().is_err() {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "Scorecard.from_dict takes the dict that to_dict gives, not {}",
                    convert::type_name(d)
                )));
            }
            let t = convert::Types::new(py)?;
            let v = convert::to_json(&t, d, 0).map_err(value_error)?;
            let bad = |e: String| value_error(format!("not the dict form of a scorecard: {e}"));
            let mut card = crate::rebuild::scorecard(&v).map_err(bad)?;
            let tz = match contract {
                None => None,
                Some(c) => {
                    let c = &c.plan.contract();
                    crate::rebuild::fill_from_contract(&mut card, c).map_err(value_error)?;
                    Some(c.timezone())
                }
            };
            Ok(Scorecard::rebuilt(card, tz, Vec::new()))
        })
    }

    /// Pickles through the dict form, with what it leaves out (titles, period bounds, the
    /// time zone, the rejected events); an unpickled scorecard keeps no events to explain.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let (me, py) = (slf.get(), slf.py());
        let d = PyDict::new(py);
        d.set_item("card", me.card.to_json().to_string())?;
        d.set_item("timezone", me.tz().map(|t| t.name().to_string()))?;
        d.set_item("period_start", me.card.period_start)?;
        d.set_item("period_end", me.card.period_end)?;
        let titles: Vec<TitlesOf> = me
            .card
            .assessments
            .iter()
            .map(|a| {
                let t = a.indicators.iter();
                let t = t.map(|i| (i.title_zh.clone(), i.title_en.clone()));
                (a.assessee_title.clone(), t.collect())
            })
            .collect();
        d.set_item("titles", titles)?;
        let rejected: Vec<(Option<u64>, String, &str)> = me
            .rejections()
            .iter()
            .map(|r| (r.line, r.reason.to_string(), r.text.as_str()))
            .collect();
        d.set_item("rejected", rejected)?;
        reduced(slf, d)
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyDict>) -> PyResult<Scorecard> {
        guard(|| {
            let get = |k: &str| {
                state
                    .get_item(k)?
                    .ok_or_else(|| value_error(format!("Scorecard state: missing `{k}`")))
            };
            let text: String = get("card")?.extract()?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| value_error(e.to_string()))?;
            let mut card = crate::rebuild::scorecard(&v).map_err(value_error)?;
            let tz: Option<String> = get("timezone")?.extract()?;
            let tz = tz
                .map(|n| n.parse::<chrono_tz::Tz>())
                .transpose()
                .map_err(|e| value_error(e.to_string()))?;
            card.period_start = get("period_start")?.extract()?;
            card.period_end = get("period_end")?.extract()?;
            let titles: Vec<TitlesOf> = get("titles")?.extract()?;
            if titles.len() != card.assessments.len() {
                return Err(value_error("Scorecard state: titles do not match"));
            }
            for (a, (title, inds)) in card.assessments.iter_mut().zip(titles) {
                if inds.len() != a.indicators.len() {
                    return Err(value_error("Scorecard state: titles do not match"));
                }
                a.assessee_title = title;
                for (i, (zh, en)) in a.indicators.iter_mut().zip(inds) {
                    i.title_zh = zh;
                    i.title_en = en;
                }
            }
            let rejected: Vec<(Option<u64>, String, String)> = get("rejected")?.extract()?;
            let rejected = rejected
                .into_iter()
                .map(|(line, reason, text)| slagrade::event::Rejection {
                    line,
                    reason: slagrade::event::Reason::Other(reason),
                    text,
                })
                .collect();
            Ok(Scorecard::rebuilt(card, tz, rejected))
        })
    }

    /// The JSON form as Python objects (decimals as strings, like `slagrade eval --format json`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| json_to_py(py, &self.card.to_json()))
    }

    /// The JSON text (`indent` spaces per level, or compact).
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        guard(|| {
            let v = self.card.to_json();
            match indent {
                None => serde_json::to_string(&v),
                Some(n) => {
                    let pad = " ".repeat(n.min(16));
                    let fmt = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
                    let mut out = Vec::new();
                    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
                    serde::Serialize::serialize(&v, &mut ser)
                        .map(|_| String::from_utf8_lossy(&out).into_owned())
                }
            }
            .map_err(|e| value_error(e.to_string()))
        })
    }

    /// CSV, one row per assessment × indicator.
    #[pyo3(signature = (header=true))]
    fn to_csv(&self, header: bool) -> String {
        let mut out = String::new();
        self.card.to_csv(&mut out, header);
        out
    }

    /// A readable table with Chinese and English indicator names.
    fn to_table(&self) -> String {
        self.card.to_table()
    }

    /// Columns of the row-per-(assessment × indicator) table, as lists.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let lists: Vec<Bound<'py, PyList>> = COLUMNS.iter().map(|_| PyList::empty(py)).collect();
        for a in &self.card.assessments {
            for i in &a.indicators {
                let r = IndicatorResult::from(i);
                let row: [Bound<'py, PyAny>; 19] = [
                    self.card.period.clone().into_pyobject(py)?.into_any(),
                    a.assessor.clone().into_pyobject(py)?.into_any(),
                    a.assessee.clone().into_pyobject(py)?.into_any(),
                    a.score.into_pyobject(py)?.into_any(),
                    a.fee_due.into_pyobject(py)?.into_any(),
                    r.id.into_pyobject(py)?.into_any(),
                    r.title_zh.into_pyobject(py)?.into_any(),
                    r.title_en.into_pyobject(py)?.into_any(),
                    r.level.into_pyobject(py)?.into_any(),
                    r.weight.into_pyobject(py)?.into_any(),
                    r.value.into_pyobject(py)?.into_any(),
                    r.score.into_pyobject(py)?.into_any(),
                    r.target.into_pyobject(py)?.into_any(),
                    r.target_met.into_pyobject(py)?.into_any(),
                    r.met.into_pyobject(py)?.into_any(),
                    r.breached.into_pyobject(py)?.into_any(),
                    r.pending.into_pyobject(py)?.into_any(),
                    r.numerator.into_pyobject(py)?.into_any(),
                    r.denominator.into_pyobject(py)?.into_any(),
                ];
                for (l, v) in lists.iter().zip(row) {
                    l.append(v)?;
                }
            }
        }
        for (name, l) in COLUMNS.iter().zip(lists) {
            d.set_item(name, l)?;
        }
        Ok(d)
    }

    /// A pandas DataFrame, one row per assessment × indicator (decimals as `Decimal`).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = self.columns(py)?;
        py.import("pandas")?.getattr("DataFrame")?.call1((cols,))
    }

    /// What counted against `indicator` in the assessment of `assessee` (default: the first
    /// assessment listing it): breached and pending clocks, subjects and events left out of
    /// the numerator, counted incidents; with `all`, every item measured (met clocks with
    /// their counted time, subjects counted in the numerator, covered inventory). A
    /// scorecard evaluated through partitions on disk
    /// (`max_memory`) is explained from the partitions, with the same findings. An unknown
    /// indicator or assessee raises `UnknownNameError` (a `KeyError`); a scorecard rebuilt
    /// from its dict form (`from_dict`, or unpickled) raises `ValueError`: it keeps no events.
    #[pyo3(signature = (indicator, assessee=None, all=false))]
    fn explain(
        &self,
        py: Python<'_>,
        indicator: &str,
        assessee: Option<&str>,
        all: bool,
    ) -> PyResult<Vec<Finding>> {
        guard(|| {
            let (ai, ii) = self.locate(py, indicator, assessee)?;
            let f = self.findings(py, all)?;
            Ok(f.get(ai)
                .and_then(|a| a.get(ii))
                .map(|v| v.iter().map(Finding::from).collect())
                .unwrap_or_default())
        })
    }

    /// The same as `explain`, as readable text (and the same errors).
    #[pyo3(signature = (indicator, assessee=None, all=false))]
    fn explain_text(
        &self,
        py: Python<'_>,
        indicator: &str,
        assessee: Option<&str>,
        all: bool,
    ) -> PyResult<String> {
        guard(|| {
            let (ai, ii) = self.locate(py, indicator, assessee)?;
            let f = self.findings(py, all)?;
            let findings = f.get(ai).and_then(|a| a.get(ii));
            let a = self.card.assessments.get(ai);
            let ic = a.and_then(|a| a.indicators.get(ii));
            match (a, ic) {
                (Some(a), Some(ic)) => Ok(slagrade::engine::explain::render(
                    &self.card,
                    a,
                    ic,
                    findings.map(Vec::as_slice).unwrap_or_default(),
                )),
                _ => Err(value_error("indicator not found")),
            }
        })
    }

    fn __str__(&self) -> String {
        self.card.to_table()
    }

    fn __repr__(&self) -> String {
        format!(
            "Scorecard(contract={:?}, period={:?}, as_of={:?}, assessments={})",
            self.card.contract,
            self.card.period,
            self.card.as_of_text,
            self.card.assessments.len()
        )
    }
}

pub fn counts_dict(
    py: Python<'_>,
    c: slagrade::engine::scorecard::EventCounts,
) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("accepted", c.accepted)?;
    d.set_item("duplicates", c.duplicates)?;
    d.set_item("rejected", c.rejected)?;
    Ok(d)
}

/// The same events scored under two versions of a contract.
#[pyclass(module = "slagrade._slagrade", frozen)]
pub struct Diff {
    pub inner: slagrade::engine::diff::Diff,
}

#[pymethods]
impl Diff {
    /// The period key compared.
    #[getter]
    fn period(&self) -> &str {
        &self.inner.period
    }

    /// Per assessment: old and new score and fee due, and per indicator old and new value
    /// and score with the subjects whose status changed (`(subject, old, new)`).
    #[getter]
    fn assessments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for a in &self.inner.assessments {
            let d = PyDict::new(py);
            d.set_item("assessor", &a.assessor)?;
            d.set_item("assessee", &a.assessee)?;
            d.set_item("old_score", a.old_score)?;
            d.set_item("new_score", a.new_score)?;
            d.set_item("old_fee_due", a.old_fee_due)?;
            d.set_item("new_fee_due", a.new_fee_due)?;
            let inds = PyList::empty(py);
            for i in &a.indicators {
                let x = PyDict::new(py);
                x.set_item("id", &i.id)?;
                x.set_item("old_value", i.old_value)?;
                x.set_item("new_value", i.new_value)?;
                x.set_item("old_score", i.old_score)?;
                x.set_item("new_score", i.new_score)?;
                x.set_item("changed", i.changed.clone())?;
                inds.append(x)?;
            }
            d.set_item("indicators", inds)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// The JSON form as Python objects (decimals as strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json())
    }

    /// The JSON text (decimals as strings).
    fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// Only what changed, as readable text.
    fn to_table(&self) -> String {
        self.inner.to_table()
    }

    fn __str__(&self) -> String {
        self.inner.to_table()
    }

    fn __repr__(&self) -> String {
        format!("Diff(period={:?})", self.inner.period)
    }
}
