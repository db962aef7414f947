//! Python bindings of slagrade. This crate converts values and maps errors; every rule of
//! the contract language and of evaluation lives in the Rust core.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use slagrade::contract::{Contract as CoreContract, PartyId};
use slagrade::engine::eval::{Evaluator as CoreEvaluator, Plan, Pushed};
use slagrade::event::{Reason, Rejection as CoreRejection, Validator};
use slagrade::language::ast::Span;
use slagrade::language::diagnostic::Diagnostic;
use slagrade::{Events, Memory, Options, Period, PeriodSpec};

mod arrow;
mod convert;
mod dicts;
mod errors;
mod ingest;
mod rebuild;
mod results;

use convert::{instant, instant_arg, Types};
use errors::{contract_error, event_error, guard, value_error};
use results::{
    Assessment, AtRisk, Diff, Finding, FindingEvent, Indicator, IndicatorResult, Party, Product,
    Rejection, Scorecard,
};

/// Decodes contract source given as `str` or UTF-8 `bytes`.
fn source_text(py: Python<'_>, text: &Bound<'_, PyAny>, file_name: &str) -> PyResult<String> {
    if let Ok(s) = text.cast::<PyString>() {
        return Ok(s.to_string_lossy().into_owned());
    }
    if let Ok(b) = text.cast::<PyBytes>() {
        let bytes = b.as_bytes();
        return match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                let at = lossy
                    .char_indices()
                    .find(|(_, c)| *c == char::REPLACEMENT_CHARACTER)
                    .map_or(0, |(i, _)| i);
                let d = Diagnostic::error(
                    slagrade::language::syntax::E_SYNTAX,
                    format!(
                        "the contract is not UTF-8 text (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                    Span {
                        start: at,
                        end: at + char::REPLACEMENT_CHARACTER.len_utf8(),
                    },
                )
                .with_help("save the contract as UTF-8");
                Err(contract_error(py, &[d], &lossy, file_name))
            }
        };
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "contract text must be str or bytes, not {}",
        convert::type_name(text)
    )))
}

/// The `threads` argument: how many threads read a JSON Lines file; `None` is every core the
/// system reports.
fn threads_arg(threads: Option<i64>) -> PyResult<usize> {
    match threads {
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        Some(n) if n >= 1 => usize::try_from(n)
            .map_err(|_| value_error(format!("threads must be at least 1, got {n}"))),
        Some(n) => Err(value_error(format!("threads must be at least 1, got {n}"))),
    }
}

/// A checked contract, ready to evaluate events.
#[pyclass(module = "slagrade._slagrade", frozen)]
pub(crate) struct Contract {
    pub(crate) plan: Arc<Plan>,
    source: String,
    file_name: String,
    warnings: Vec<Diagnostic>,
}

impl Contract {
    fn load(py: Python<'_>, src: String, file_name: String) -> PyResult<Contract> {
        let loaded = py.detach(|| slagrade::load(&src));
        match loaded {
            Ok(checked) => Ok(Contract {
                warnings: checked.warnings.clone(),
                plan: checked.compile(),
                source: src,
                file_name,
            }),
            Err(diags) => Err(contract_error(py, &diags, &src, &file_name)),
        }
    }

    fn core(&self) -> &CoreContract {
        self.plan.contract()
    }
}

#[pymethods]
impl Contract {
    /// Parses and checks contract text; raises `ContractError` with every diagnostic.
    #[staticmethod]
    #[pyo3(signature = (text, file_name="<contract>"))]
    fn parse(py: Python<'_>, text: &Bound<'_, PyAny>, file_name: &str) -> PyResult<Contract> {
        guard(|| {
            let src = source_text(py, text, file_name)?;
            Contract::load(py, src, file_name.to_string())
        })
    }

    /// Reads, parses and checks a `.sla` file. A file that cannot be read raises the
    /// `OSError` subclass of its cause (`FileNotFoundError`, ...) with its `filename`.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Contract> {
        guard(|| {
            let path: std::path::PathBuf = path.extract()?;
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| errors::os_error(py, &e, &name))?;
            let src = source_text(py, &PyBytes::new(py, &bytes).into_any(), &name)?;
            Contract::load(py, src, name)
        })
    }

    /// Diagnostics of the contract: its warnings (a contract with errors does not load).
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        errors::diagnostics(py, &self.warnings, &self.source)
    }

    /// The contract's name, as in `contract "egov-2026" { ... }`.
    #[getter]
    fn name(&self) -> &str {
        self.core().name()
    }
    /// Its IANA time zone, e.g. `Asia/Shanghai`.
    #[getter]
    fn timezone(&self) -> String {
        self.core().timezone().name().to_string()
    }
    /// Its currency, e.g. `CNY`.
    #[getter]
    fn currency(&self) -> &str {
        self.core().currency()
    }
    /// `month`, `quarter` or `year`.
    #[getter]
    fn period_kind(&self) -> &'static str {
        match self.core().period() {
            slagrade::contract::PeriodKind::Month => "month",
            slagrade::contract::PeriodKind::Quarter => "quarter",
            slagrade::contract::PeriodKind::Year => "year",
        }
    }
    /// The contract text.
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }
    /// The file it was read from, or the name given to `parse`.
    #[getter]
    fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The parties, in declaration order.
    #[getter]
    fn parties(&self) -> Vec<Party> {
        let c = self.core();
        c.parties()
            .iter()
            .map(|p| Party {
                id: p.id.clone(),
                role: p.role.as_str().into(),
                title: p.title.clone(),
                fee: p.fee,
                covers: p.covers.clone(),
                covered: p
                    .covered
                    .iter()
                    .filter_map(|i| c.products().get(*i).map(|x| x.id.clone()))
                    .collect(),
            })
            .collect()
    }

    /// The products of the service catalog, in declaration order.
    #[getter]
    fn products(&self) -> Vec<Product> {
        let c = self.core();
        c.products()
            .iter()
            .map(|p| Product {
                id: p.id.clone(),
                title_zh: p.title_zh.clone(),
                title_en: p.title_en.clone(),
                category: c
                    .categories()
                    .get(p.category)
                    .map(|x| x.id.clone())
                    .unwrap_or_default(),
                subcategory: p.subcategory.clone(),
                calendar: c
                    .calendars()
                    .get(p.calendar)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The indicators as declared, in declaration order.
    #[getter]
    fn indicators(&self) -> Vec<Indicator> {
        self.core()
            .indicators()
            .iter()
            .map(|i| Indicator {
                id: i.id.clone(),
                title_zh: i.title_zh.clone(),
                title_en: i.title_en.clone(),
                level: i.level.as_str().into(),
                unit: i.unit.name().into(),
                weight: i.terms.weight,
                report_only: i.terms.report_only,
                target: i
                    .terms
                    .target
                    .as_ref()
                    .map(|t| t.text(i.unit))
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// `(assessor, assessee)` pairs in report order.
    #[getter]
    fn assessments(&self) -> Vec<(String, String)> {
        let c = self.core();
        let name = |i: PartyId| c.party(i).map(|p| p.id.clone()).unwrap_or_default();
        c.assessments()
            .iter()
            .map(|a| (name(a.assessor), name(a.assessee)))
            .collect()
    }

    /// Scores `events` (a JSON Lines path, an iterable of dicts, a pandas or polars DataFrame
    /// or a pyarrow Table). `period`: a key (`2026-10`), a range (`2026-01..2026-03`) or
    /// `all`; a range or `all` gives a list. `as_of`: an aware datetime or RFC 3339 text.
    /// `threads`: how many threads read a JSON Lines file and score (default: every core);
    /// the result is the same whatever the number. `max_memory` (bytes, or text such as
    /// `512M` or `8G`; a JSON Lines path only): memory to stay within; a file that would need
    /// more is evaluated through partitions on disk, in `spill_dir` (default: the system's
    /// temporary directory), with the same scorecards and explanations (the partitions stay
    /// until the last scorecard made from them is gone).
    #[pyo3(signature = (
        events, period=None, as_of=None, *, threads=None, max_memory=None, spill_dir=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        py: Python<'_>,
        events: &Bound<'_, PyAny>,
        period: Option<&str>,
        as_of: Option<&Bound<'_, PyAny>>,
        threads: Option<i64>,
        max_memory: Option<&Bound<'_, PyAny>>,
        spill_dir: Option<PathBuf>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let threads = threads_arg(threads)?;
            let budget = max_memory.map(memory_arg).transpose()?;
            if budget.is_none() && spill_dir.is_some() {
                return Err(value_error("spill_dir is used with max_memory only"));
            }
            let t = Types::new(py)?;
            let as_of = as_of.map(|v| instant_arg(&t, v, "as_of")).transpose()?;
            let batch = ingest::prepare(py, events)?;
            let plan = &self.plan;
            if let Some(budget) = budget {
                let ingest::Batch::Path(path) = &batch else {
                    return Err(value_error(
                        "max_memory applies to events read from a JSON Lines file: pass a path",
                    ));
                };
                ingest::check_file(path).map_err(|e| event_error(py, e))?;
                let opts = Options {
                    threads,
                    memory: Memory::Bytes(budget),
                    spill_dir,
                    ..Options::default()
                };
                let opened = py.detach(|| Events::open(plan, path, &opts)).map_err(|e| {
                    let e = match e {
                        slagrade::Error::Read { message, .. }
                        | slagrade::Error::Spill { message, .. } => message,
                        e => e.to_string(),
                    };
                    event_error(
                        py,
                        format!("cannot read events file {}: {e}", path.display()),
                    )
                })?;
                return scorecards(py, Arc::new(opened), period, as_of);
            }
            let fed = py.detach(|| {
                let mut ev = CoreEvaluator::new(plan);
                ingest::feed(&mut ev, &batch, threads)?;
                ev.set_threads(threads);
                Ok::<_, String>(ev)
            });
            let ev = fed.map_err(|e| event_error(py, e))?;
            scorecards(py, Arc::new(Events::from(ev)), period, as_of)
        })
    }

    /// A streaming evaluator of this contract (it scores on every core).
    fn evaluator(slf: &Bound<'_, Self>) -> Evaluator {
        Evaluator::of(CoreEvaluator::new(&slf.get().plan), slf.clone().unbind())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        let me = slf.get();
        Ok((
            slf.get_type().getattr("parse")?,
            (me.source.clone(), me.file_name.clone()),
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "Contract(name={:?}, file={:?})",
            self.core().name(),
            self.file_name
        )
    }
}

/// Resolves the period argument: `None` (the period with the most anchors), a key, a range
/// `A..B` or `all` (every period holding an anchor), within the contract's term (see
/// [`Events::select`]); a narrowed request warns (`UserWarning`). The flag is true for a list.
fn periods(
    py: Python<'_>,
    events: &Events,
    period: Option<&str>,
    as_of: Option<i64>,
) -> PyResult<(Vec<Period>, bool)> {
    let spec = PeriodSpec::from_option(period);
    let many = matches!(spec, PeriodSpec::All | PeriodSpec::Range(_));
    let sel = py
        .detach(|| events.select(&spec, as_of))
        .map_err(|e| match e {
            e @ slagrade::Error::NoEvents(_) => value_error(format!(
                "{e} (pass `period`, or read `rejected` for every reason)"
            )),
            e => value_error(e.to_string()),
        })?;
    if let Some(w) = sel.warning {
        let text = std::ffi::CString::new(w).map_err(|e| value_error(e.to_string()))?;
        PyErr::warn(
            py,
            &py.get_type::<pyo3::exceptions::PyUserWarning>(),
            &text,
            1,
        )?;
    }
    Ok((sel.periods, many))
}

/// The `max_memory` argument in bytes: an int, or text as the command line's `--max-memory`
/// takes it (`512M`, `8G`, `1024`; K, M, G and T are powers of 1024, `B` or `iB` may follow).
fn memory_arg(v: &Bound<'_, PyAny>) -> PyResult<u64> {
    let bad = || {
        value_error(format!(
            "max_memory: `{}` is not a size (e.g. 512M, 8G, or a number of bytes)",
            v.str().map_or_else(|_| "?".into(), |s| s.to_string())
        ))
    };
    if let Ok(s) = v.cast::<PyString>() {
        return slagrade::input::spill::parse_size(&s.to_string_lossy()).ok_or_else(bad);
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(bad());
    }
    if let Ok(n) = v.extract::<i128>() {
        return u64::try_from(n).ok().filter(|n| *n > 0).ok_or_else(bad);
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "max_memory must be an int (bytes) or text such as \"512M\", not {}",
        convert::type_name(v)
    )))
}

/// The scorecards of `period` (see [`periods`]): a list for a range or `all`, else the one
/// scorecard. Each keeps the events, for explanations (partitions on disk stay until the
/// last scorecard made from them is gone).
fn scorecards(
    py: Python<'_>,
    events: Arc<Events>,
    period: Option<&str>,
    as_of: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let (ps, many) = periods(py, &events, period, as_of)?;
    let cards = py
        .detach(|| events.scorecards(&ps, as_of))
        .map_err(|e| value_error(e.to_string()))?;
    let mut objs = Vec::with_capacity(cards.len());
    for (p, c) in ps.into_iter().zip(cards) {
        objs.push(Bound::new(py, Scorecard::new(c, Arc::clone(&events), p, as_of))?.into_any());
    }
    if many {
        Ok(PyList::new(py, objs)?.into_any().unbind())
    } else {
        objs.into_iter()
            .next()
            .map(Bound::unbind)
            .ok_or_else(|| value_error("no period"))
    }
}

/// A streaming evaluator: push events as they come, read scores at any time. It pickles
/// as its checkpoint and its contract.
#[pyclass(module = "slagrade._slagrade")]
struct Evaluator {
    /// shared with the scorecards read from it; copied on the next push only if one is alive
    ev: Arc<CoreEvaluator>,
    /// the contract it evaluates (to pickle it: the checkpoint is restored under it)
    contract: Py<Contract>,
}

impl Evaluator {
    /// Wraps an evaluator, letting it score on every core (the numbers do not depend on it).
    fn of(mut ev: CoreEvaluator, contract: Py<Contract>) -> Evaluator {
        ev.set_threads(threads_arg(None).unwrap_or(1));
        Evaluator {
            ev: Arc::new(ev),
            contract,
        }
    }
}

#[pymethods]
impl Evaluator {
    /// Validates and adds one event (a dict); returns `accepted`, `duplicate` or `rejected`
    /// (the reason is in `rejected`).
    fn push(&mut self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        guard(|| {
            let t = Types::new(py)?;
            let ev = Arc::make_mut(&mut self.ev);
            let plan = Arc::clone(ev.plan());
            // one position of the input, after those fed before
            let line = Some(ev.positions() + 1);
            let pushed = match convert::to_json(&t, event, 0) {
                Ok(v) => match Validator::new(plan.contract()).value(&v) {
                    Ok(e) => ev.push(e),
                    Err(reason) => {
                        ev.reject(CoreRejection {
                            line,
                            reason: reason.clone(),
                            text: v.to_string(),
                        });
                        Pushed::Rejected(reason)
                    }
                },
                Err(text) => {
                    let reason = Reason::Other(text);
                    ev.reject(CoreRejection {
                        line,
                        reason: reason.clone(),
                        text: convert::shown(event),
                    });
                    Pushed::Rejected(reason)
                }
            };
            ev.add_positions(1);
            Ok(match pushed {
                Pushed::Accepted => "accepted",
                Pushed::Duplicate => "duplicate",
                Pushed::Rejected(_) => "rejected",
            })
        })
    }

    /// Adds a batch (any input `Contract.evaluate` takes); returns the batch's counts.
    /// `threads`: how many threads read a JSON Lines file (default: every core); its events
    /// come after those already added, whatever the number.
    #[pyo3(signature = (events, *, threads=None))]
    fn push_many<'py>(
        &mut self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        guard(|| {
            let threads = threads_arg(threads)?;
            let batch = ingest::prepare(py, events)?;
            let ev = Arc::make_mut(&mut self.ev);
            let counts = py
                .detach(|| ingest::feed(ev, &batch, threads))
                .map_err(|e| event_error(py, e))?;
            results::counts_dict(py, counts)
        })
    }

    /// The scorecard(s) of `period` as of `as_of` (see `Contract.evaluate`).
    #[pyo3(signature = (period=None, as_of=None))]
    fn scorecard(
        &self,
        py: Python<'_>,
        period: Option<&str>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let t = Types::new(py)?;
            let as_of = as_of.map(|v| instant_arg(&t, v, "as_of")).transpose()?;
            let events = Events::from(Arc::clone(&self.ev));
            scorecards(py, Arc::new(events), period, as_of)
        })
    }

    /// Running clocks that breach within `horizon` (timedelta or seconds) after `now`.
    fn at_risk(
        &self,
        py: Python<'_>,
        now: &Bound<'_, PyAny>,
        horizon: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<AtRisk>> {
        guard(|| {
            let t = Types::new(py)?;
            let now = instant_arg(&t, now, "now")?;
            let horizon = convert::duration_arg(horizon, "horizon")?;
            let ev = &self.ev;
            let found = py
                .detach(|| ev.at_risk(now, horizon))
                .map_err(|e| value_error(e.to_string()))?;
            let tz = ev.plan().contract().timezone();
            Ok(found.iter().map(|r| AtRisk::new(tz, r)).collect())
        })
    }

    /// The evaluator's state as bytes (versioned, tied to the contract text).
    fn checkpoint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let ev = &self.ev;
            let bytes = py.detach(|| ev.checkpoint());
            Ok(PyBytes::new(py, &bytes))
        })
    }

    /// An evaluator restored from `checkpoint()` bytes made under the same contract.
    #[staticmethod]
    fn restore(py: Python<'_>, contract: &Bound<'_, Contract>, data: &[u8]) -> PyResult<Evaluator> {
        guard(|| {
            let plan = &contract.get().plan;
            let ev = py
                .detach(|| CoreEvaluator::restore(plan, data))
                .map_err(|e| value_error(e.to_string()))?;
            Ok(Evaluator::of(ev, contract.clone().unbind()))
        })
    }

    /// Pickles as `Evaluator.restore(contract, checkpoint())`: the restored evaluator has the
    /// same events, rejections and positions.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Py<Contract>, Bound<'py, PyBytes>))> {
        let py = slf.py();
        let me = slf.try_borrow()?;
        let ev = &me.ev;
        let bytes = py.detach(|| ev.checkpoint());
        Ok((
            slf.get_type().getattr("restore")?,
            (me.contract.clone_ref(py), PyBytes::new(py, &bytes)),
        ))
    }

    /// Adds the events of another evaluator of the same contract (duplicates counted once).
    /// Its input counts as coming after this one's: its rejections are numbered on from
    /// this evaluator's positions, so that evaluators of consecutive parts of an input,
    /// merged in order, number them as one pass over the whole does.
    fn merge(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        guard(|| {
            let o = other.try_borrow()?.ev.as_ref().clone();
            let mut me = slf.try_borrow_mut()?;
            let ev = Arc::make_mut(&mut me.ev);
            slf.py()
                .detach(|| ev.merge(o))
                .map_err(|e| value_error(e.to_string()))
        })
    }

    /// Counts so far: `accepted`, `duplicates`, `rejected`.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        results::counts_dict(py, self.ev.counts())
    }

    /// Every rejected event so far, with its reason and position.
    #[getter]
    fn rejected(&self) -> Vec<Rejection> {
        self.ev.rejected().iter().map(Rejection::from).collect()
    }

    /// The latest `at` among accepted events (the default `as_of`).
    #[getter]
    fn latest(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let tz = self.ev.plan().contract().timezone();
        self.ev.latest().and_then(|t| instant(tz, t))
    }

    /// Keys of the periods holding at least one anchor, in time order.
    fn periods(&self) -> Vec<String> {
        self.ev
            .anchor_periods(None)
            .into_iter()
            .map(|(p, _)| p.key)
            .collect()
    }

    fn __repr__(&self) -> String {
        let c = self.ev.counts();
        format!(
            "Evaluator(accepted={}, duplicates={}, rejected={})",
            c.accepted, c.duplicates, c.rejected
        )
    }
}

/// Scores the same events under two contract versions and lists what changed. `threads`: as
/// for `Contract.evaluate`.
#[pyfunction]
#[pyo3(signature = (old, new, events, period=None, as_of=None, *, threads=None))]
fn diff(
    py: Python<'_>,
    old: &Contract,
    new: &Contract,
    events: &Bound<'_, PyAny>,
    period: Option<&str>,
    as_of: Option<&Bound<'_, PyAny>>,
    threads: Option<i64>,
) -> PyResult<Diff> {
    guard(|| {
        let threads = threads_arg(threads)?;
        let t = Types::new(py)?;
        let as_of = as_of.map(|v| instant_arg(&t, v, "as_of")).transpose()?;
        let batch = ingest::prepare(py, events)?;
        let (po, pn) = (&old.plan, &new.plan);
        let fed = py.detach(|| {
            let mut eo = CoreEvaluator::new(po);
            let mut en = CoreEvaluator::new(pn);
            ingest::feed(&mut eo, &batch, threads)?;
            ingest::feed(&mut en, &batch, threads)?;
            eo.set_threads(threads);
            en.set_threads(threads);
            Ok::<_, String>((eo, en))
        });
        let (eo, en) = fed.map_err(|e| event_error(py, e))?;
        let (eo, en) = (Events::from(eo), Events::from(en));
        let (ps, many) = periods(py, &en, period, as_of)?;
        if many {
            return Err(value_error("diff compares one period: give a period key"));
        }
        let p = ps
            .into_iter()
            .next()
            .ok_or_else(|| value_error("no period"))?;
        let d = py
            .detach(|| {
                let a = eo.explain(&p, as_of, false)?;
                let b = en.explain(&p, as_of, false)?;
                Ok::<_, slagrade::Error>(slagrade::engine::diff::diff(&a, &b))
            })
            .map_err(|e| value_error(e.to_string()))?;
        Ok(Diff { inner: d })
    })
}

/// Every diagnostic of contract text (errors and warnings), without raising.
#[pyfunction]
#[pyo3(signature = (text, file_name="<contract>"))]
fn check<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    file_name: &str,
) -> PyResult<Bound<'py, PyList>> {
    guard(|| {
        let src = match source_text(py, text, file_name) {
            Ok(s) => s,
            Err(e) => {
                let v = e.value(py);
                if let Ok(d) = v.getattr("diagnostics") {
                    return Ok(d.cast_into::<PyList>()?);
                }
                return Err(e);
            }
        };
        let diags = match py.detach(|| slagrade::load(&src)) {
            Ok(c) => c.warnings,
            Err(d) => d.into_diagnostics(),
        };
        errors::diagnostics(py, &diags, &src)
    })
}

#[pymodule]
fn _slagrade(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Contract>()?;
    m.add_class::<Evaluator>()?;
    m.add_class::<Scorecard>()?;
    m.add_class::<Assessment>()?;
    m.add_class::<IndicatorResult>()?;
    m.add_class::<Finding>()?;
    m.add_class::<FindingEvent>()?;
    m.add_class::<Rejection>()?;
    m.add_class::<AtRisk>()?;
    m.add_class::<Party>()?;
    m.add_class::<Product>()?;
    m.add_class::<Indicator>()?;
    m.add_class::<Diff>()?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    Ok(())
}
