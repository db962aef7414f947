//! The front door: load a contract, compile it once, open events, take scorecards.
//!
//! Everything here is orchestration over the layers below; the command line and the Python
//! package call it instead of repeating it.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::contract::check::{Checked, LoadError};
use crate::engine::eval::{EvalError, Evaluator, Findings, IgnoredEvent, Plan};
use crate::engine::scorecard::{EventCounts, Scorecard};
use crate::engine::selection::{self, SelectError, Selection};
use crate::event::{Event, Limits, Rejection};
use crate::input::spill::Spilled;
use crate::time::period::{Period, PeriodSpec};

/// Loads and checks a contract; the warnings come with it.
///
/// ```
/// let src = std::fs::read_to_string("examples/egov-2026.sla").unwrap();
/// let checked = slagrade::load(&src).unwrap();
/// assert!(checked.warnings.is_empty());
/// assert_eq!(checked.contract.name(), "egov-2026");
/// ```
pub fn load(src: &str) -> Result<Checked, LoadError> {
    crate::contract::check::load(src)
}

impl Checked {
    /// Compiles the checked contract into its plan, once; share the `Arc` across threads and
    /// evaluators.
    pub fn compile(self) -> Arc<Plan> {
        Arc::new(Plan::compile(self.contract))
    }
}

/// Why a front-door call failed. Bad events are not errors: they are rejected and counted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// the contract does not parse or check
    #[error(transparent)]
    Contract(#[from] LoadError),
    /// an events file cannot be read
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// the file
        path: PathBuf,
        /// what the system said
        message: String,
    },
    /// events cannot be read from a reader
    #[error("cannot read the events: {0}")]
    ReadStream(String),
    /// an events file cannot be spread over partitions on disk
    #[error("cannot evaluate {} through partitions in {}: {message}", path.display(), dir.display())]
    Spill {
        /// the events file
        path: PathBuf,
        /// where the partitions were to go
        dir: PathBuf,
        /// what the system said
        message: String,
    },
    /// the period request does not fit the contract (not a period, outside the term, ...)
    #[error("{0}")]
    Period(String),
    /// no period was given and no event was accepted to choose one from; the text sums up
    /// the rejections
    #[error("no accepted events to choose a period from: {0}")]
    NoEvents(String),
    /// evaluation failed (see [`EvalError`])
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// How much memory opening a file may take: a file that would need more is evaluated
/// through partitions on disk, with the same results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Memory {
    /// always read into memory
    #[default]
    Unbounded,
    /// half the memory the system reports available (unbounded where it does not say)
    HalfAvailable,
    /// at most this many bytes
    Bytes(u64),
}

impl Memory {
    /// The budget in bytes, `None` when unbounded.
    fn bytes(self) -> Option<u64> {
        match self {
            Memory::Unbounded => None,
            Memory::Bytes(n) => Some(n),
            Memory::HalfAvailable => half_available(),
        }
    }
}

/// Half the memory the system reports available (`None` where it does not say).
fn half_available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024 / 2)
}

/// How events are opened.
#[derive(Debug, Clone)]
pub struct Options {
    /// threads that read and score (the results never depend on it)
    pub threads: usize,
    /// memory to stay within
    pub memory: Memory,
    /// where partitions go when a file is evaluated through disk (default: the system's
    /// temporary directory)
    pub spill_dir: Option<PathBuf>,
    /// limits that keep hostile lines bounded
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory: Memory::Unbounded,
            spill_dir: None,
            limits: Limits::default(),
        }
    }
}

/// Events accepted for a contract, in memory or spread over partitions on disk; every
/// question gives the same answer either way.
///
/// ```
/// use slagrade::{Events, Options, PeriodSpec};
/// let src = std::fs::read_to_string("examples/egov-2026.sla").unwrap();
/// let plan = slagrade::load(&src).unwrap().compile();
/// let events = Events::open(&plan, "examples/events-2026-10.jsonl", &Options::default()).unwrap();
/// let periods = events.select(&PeriodSpec::parse("2026-10"), None).unwrap().periods;
/// let card = &events.scorecards(&periods, None).unwrap()[0];
/// assert_eq!(card.period, "2026-10");
/// assert_eq!(card.events.accepted, 5003);
/// ```
pub struct Events {
    held: Held,
}

enum Held {
    /// shared, so that a binding can take scorecards from a live evaluator without a copy
    Memory(Arc<Evaluator>),
    Disk(Spilled),
}

impl Events {
    /// Reads a JSON Lines file, through partitions on disk when it needs more memory than
    /// `options.memory` allows.
    pub fn open(
        plan: &Arc<Plan>,
        path: impl AsRef<Path>,
        options: &Options,
    ) -> Result<Events, Error> {
        let path = path.as_ref();
        let read_error = |e: std::io::Error| Error::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let threads = options.threads.max(1);
        let parts = match options.memory.bytes() {
            None => 1,
            Some(budget) => {
                let len = std::fs::metadata(path).map_err(read_error)?.len();
                crate::input::spill::partitions_for(len, budget, threads)
            }
        };
        if parts <= 1 {
            let ev = crate::input::ingest::read_file(plan, path, options.limits, threads)
                .map_err(read_error)?;
            return Ok(Events::from(ev));
        }
        let dir = options.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
        let spilled = Spilled::read_file(plan, path, options.limits, parts, threads, &dir)
            .map_err(|e| Error::Spill {
                path: path.to_path_buf(),
                dir: dir.clone(),
                message: e.to_string(),
            })?;
        Ok(Events {
            held: Held::Disk(spilled),
        })
    }

    /// Reads JSON Lines from a reader into memory.
    pub fn from_reader(
        plan: &Arc<Plan>,
        reader: impl BufRead,
        options: &Options,
    ) -> Result<Events, Error> {
        let mut ev = Evaluator::new(plan);
        ev.set_threads(options.threads.max(1));
        crate::input::ingest::read_sequential(plan, reader, options.limits, &mut ev)
            .map_err(|e| Error::ReadStream(e.to_string()))?;
        Ok(Events::from(ev))
    }

    /// Events already validated (for example built by a service), in memory.
    pub fn from_events(plan: &Arc<Plan>, events: impl IntoIterator<Item = Event>) -> Events {
        let mut ev = Evaluator::new(plan);
        for e in events {
            ev.push(e);
        }
        Events::from(ev)
    }

    /// The plan the events were read for.
    pub fn plan(&self) -> &Arc<Plan> {
        match &self.held {
            Held::Memory(ev) => ev.plan(),
            Held::Disk(s) => s.plan(),
        }
    }

    /// How many partitions on disk hold the events (`None`: they are in memory).
    pub fn partitions(&self) -> Option<usize> {
        match &self.held {
            Held::Memory(_) => None,
            Held::Disk(s) => Some(s.partitions()),
        }
    }

    /// Accepted, duplicate and rejected counts.
    pub fn counts(&self) -> EventCounts {
        match &self.held {
            Held::Memory(ev) => ev.counts(),
            Held::Disk(s) => s.counts(),
        }
    }

    /// Every rejected line or event, in input order.
    pub fn rejected(&self) -> &[Rejection] {
        match &self.held {
            Held::Memory(ev) => ev.rejected(),
            Held::Disk(s) => s.rejected(),
        }
    }

    /// The latest accepted event's instant (Unix seconds).
    pub fn latest(&self) -> Option<i64> {
        match &self.held {
            Held::Memory(ev) => ev.latest(),
            Held::Disk(s) => s.latest(),
        }
    }

    /// The periods a request scores, as of `as_of` (default: the latest accepted event):
    /// see [`selection::select`]. A narrowed request comes with a warning.
    pub fn select(&self, spec: &PeriodSpec, as_of: Option<i64>) -> Result<Selection, Error> {
        let sel = selection::resolve(
            self.plan().contract(),
            spec,
            as_of.or(self.latest()),
            || match &self.held {
                Held::Memory(ev) => Ok(ev.anchor_periods(as_of)),
                Held::Disk(s) => s.anchor_periods(as_of).map_err(|e| e.to_string()),
            },
        );
        sel.map_err(|e| match e {
            SelectError::NoEvents => {
                Error::NoEvents(crate::event::rejection_summary(self.rejected()))
            }
            SelectError::Period(e) => Error::Period(e),
        })
    }

    /// The scorecards of `periods` as of `as_of` (default: the latest accepted event).
    pub fn scorecards(
        &self,
        periods: &[Period],
        as_of: Option<i64>,
    ) -> Result<Vec<Scorecard>, Error> {
        Ok(match &self.held {
            Held::Memory(ev) => periods
                .iter()
                .map(|p| ev.scorecard(p, as_of))
                .collect::<Result<Vec<_>, _>>()?,
            Held::Disk(s) => s.scorecards(periods, as_of)?,
        })
    }

    /// One period's scorecard with what counted against each indicator (with `all`: every
    /// item measured).
    pub fn explain(
        &self,
        period: &Period,
        as_of: Option<i64>,
        all: bool,
    ) -> Result<(Scorecard, Findings), Error> {
        Ok(match &self.held {
            Held::Memory(ev) => ev.explain(period, as_of, all)?,
            Held::Disk(s) => s.explain(period, as_of, all)?,
        })
    }

    /// The accepted events of a period that count nowhere (before their subject's anchor, or
    /// of a subject with no anchor).
    pub fn ignored(&self, period: &Period, as_of: Option<i64>) -> Result<Vec<IgnoredEvent>, Error> {
        Ok(match &self.held {
            Held::Memory(ev) => ev.ignored(period, as_of),
            Held::Disk(s) => s.ignored(period, as_of)?,
        })
    }

    /// The evaluator, when the events are in memory: for at-risk lists, checkpoints and
    /// merges, which partitions on disk do not offer.
    pub fn evaluator(&self) -> Option<&Evaluator> {
        match &self.held {
            Held::Memory(ev) => Some(ev),
            Held::Disk(_) => None,
        }
    }
}

impl From<Evaluator> for Events {
    fn from(ev: Evaluator) -> Events {
        Events::from(Arc::new(ev))
    }
}

impl From<Arc<Evaluator>> for Events {
    fn from(ev: Arc<Evaluator>) -> Events {
        Events {
            held: Held::Memory(ev),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Arc<Plan> {
        load(include_str!("../examples/egov-2026.sla"))
            .unwrap()
            .compile()
    }

    const MONTH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/events-2026-10.jsonl");

    fn json_of(e: &Events) -> Vec<serde_json::Value> {
        let ps = e
            .select(&PeriodSpec::parse("2026-10"), None)
            .unwrap()
            .periods;
        e.scorecards(&ps, None)
            .unwrap()
            .iter()
            .map(Scorecard::to_json)
            .collect()
    }

    /// A file, a reader of the same bytes, the file through partitions on disk, and the
    /// accepted events pushed one by one all give the same scorecard.
    #[test]
    fn every_way_in_gives_the_same_scorecard() {
        let plan = plan();
        let file = Events::open(&plan, MONTH, &Options::default()).unwrap();
        let want = json_of(&file);
        assert_eq!(file.counts().accepted, 5003);
        assert_eq!(file.partitions(), None);
        let bytes = std::fs::read(MONTH).unwrap();
        let reader = Events::from_reader(&plan, &bytes[..], &Options::default()).unwrap();
        assert_eq!(json_of(&reader), want);
        assert_eq!(reader.rejected(), file.rejected());
        let spilled = Options {
            memory: Memory::Bytes(200_000),
            ..Options::default()
        };
        let disk = Events::open(&plan, MONTH, &spilled).unwrap();
        assert!(disk.partitions().is_some_and(|n| n > 1));
        assert_eq!(json_of(&disk), want);
        // validated events: the rejected lines are not there, so compare the assessments
        let v = crate::event::Validator::new(plan.contract());
        let events = bytes
            .split(|b| *b == b'\n')
            .filter_map(|l| v.line(l).ok().flatten());
        let pushed = Events::from_events(&plan, events);
        assert_eq!(pushed.counts().accepted + pushed.counts().duplicates, 5005);
        assert_eq!(json_of(&pushed)[0]["assessments"], want[0]["assessments"]);
    }

    /// Nothing accepted and no period asked for: an error that sums up the rejections.
    #[test]
    fn no_events_is_an_error_naming_the_rejections() {
        let e = Events::from_reader(&plan(), &b"not json\n"[..], &Options::default()).unwrap();
        let err = e.select(&PeriodSpec::Default, None).unwrap_err();
        assert!(matches!(err, Error::NoEvents(_)), "{err}");
        assert!(err.to_string().contains("1 event"), "{err}");
        let err = e
            .select(&PeriodSpec::parse("2027-03"), Some(0))
            .unwrap_err();
        assert!(matches!(err, Error::Period(_)), "{err}");
    }
}
