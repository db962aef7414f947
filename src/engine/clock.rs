//! Clocks over a subject's lifecycle: start, stop, pause, resume, restart and reset, counted
//! in a calendar, judged against a deadline as of an evaluation instant.

use serde::Serialize;

use crate::contract::{ClockDef, EventMatch, KindId};
use crate::event::Event;
use crate::time::calendar::{Calendar, CalendarError};

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// no start event yet (the anchor starts a clock without `start on`)
    NotStarted,
    /// counting working time
    Running,
    /// not counting until a resume (or a reset)
    Paused,
    /// stopped; a restart or a reset runs it again
    Stopped,
}

/// The verdict on a clock as of the evaluation instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// stopped within the deadline
    Met,
    /// past the deadline, stopped or not
    Breached,
    /// not stopped and still within the deadline (or no deadline could be resolved)
    Pending,
}

/// What each event did to the clock (for explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// started counting
    Start,
    /// stopped
    Stop,
    /// paused
    Pause,
    /// resumed counting after a pause
    Resume,
    /// a stopped clock runs again, keeping its counted time
    Restart,
    /// counted time back to zero, and counting
    Reset,
}

/// A clock evaluated over one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRun {
    /// Where the clock stands at the evaluation instant.
    pub state: State,
    /// counted seconds as of the evaluation instant
    pub elapsed: i64,
    /// seconds allowed, for duration deadlines
    pub allowed: Option<i64>,
    /// the absolute due instant, for `deadline at`
    pub due: Option<i64>,
    /// when the clock stopped (last stop)
    pub stopped_at: Option<i64>,
    /// while running at the evaluation instant: the instant it started counting last
    pub running_since: Option<i64>,
    /// The verdict as of the evaluation instant.
    pub outcome: Outcome,
    /// indices (into the subject's log) of the events that moved the clock, with their step
    pub steps: Vec<(usize, Step)>,
}

impl ClockRun {
    /// How many seconds the clock is late as of `as_of`: its counted time past the allowed
    /// time, or its stop (or `as_of`, while not stopped) past its due instant; 0 when it is
    /// not late.
    pub fn late(&self, as_of: i64) -> i64 {
        let l = match (self.allowed, self.due) {
            (Some(a), _) => self.elapsed.saturating_sub(a),
            (None, Some(due)) => match (self.state, self.stopped_at) {
                (State::Stopped, Some(t)) => t.saturating_sub(due),
                _ => as_of.saturating_sub(due),
            },
            (None, None) => 0,
        };
        l.max(0)
    }
}

/// What a clock needs of an event: its instant and kind.
pub trait Timed {
    /// The event's instant, Unix seconds.
    fn at(&self) -> i64;
    /// The event's kind; `None` for a kind the contract does not declare.
    fn kind(&self) -> Option<KindId>;
}

impl Timed for Event {
    fn at(&self) -> i64 {
        self.at
    }
    fn kind(&self) -> Option<KindId> {
        self.kind
    }
}

/// Does the event match one of these kinds (and its condition)?
pub(crate) fn matches<E: Timed>(
    list: &[EventMatch],
    e: &E,
    cond: impl Fn(&crate::contract::Cond, &E) -> bool,
) -> bool {
    let kind = e.kind();
    list.iter()
        .any(|m| kind == Some(m.kind) && m.cond.as_ref().is_none_or(|c| cond(c, e)))
}

/// The deadline of one clock, resolved from its anchor event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// seconds of counted time
    Allowed(i64),
    /// an absolute instant, compared in wall time
    Due(i64),
    /// not resolvable (never judged)
    Unknown,
}

/// Runs the clock over `log[anchor..]` (sorted by `at`, `id`); events after `as_of` are
/// ignored.
#[allow(clippy::too_many_arguments)]
pub fn run<E: Timed>(
    def: &ClockDef,
    limit: Limit,
    log: &[E],
    anchor: usize,
    as_of: i64,
    calendar: &Calendar,
    cond: impl Fn(&crate::contract::Cond, &E) -> bool,
    record_steps: bool,
) -> Result<ClockRun, CalendarError> {
    run_restarting(
        def,
        limit,
        log,
        anchor,
        as_of,
        calendar,
        cond,
        |_| false,
        record_steps,
    )
}

/// [`run`], where `restarts(i)` says that `log[i]` starts a running or paused clock over (a
/// changed value of `deadline by ATTR follow KIND restart`), like a reset.
#[allow(clippy::too_many_arguments)]
pub fn run_restarting<E: Timed>(
    def: &ClockDef,
    limit: Limit,
    log: &[E],
    anchor: usize,
    as_of: i64,
    calendar: &Calendar,
    cond: impl Fn(&crate::contract::Cond, &E) -> bool,
    restarts: impl Fn(usize) -> bool,
    record_steps: bool,
) -> Result<ClockRun, CalendarError> {
    let mut state = State::NotStarted;
    let mut elapsed = 0i64;
    let mut since = 0i64;
    let mut stopped_at = None;
    let mut steps = Vec::new();
    let starts_at_anchor = def.start.is_empty();
    for (i, e) in log.iter().enumerate().skip(anchor) {
        if e.at() > as_of {
            break;
        }
        let step = match state {
            State::NotStarted => {
                if (starts_at_anchor && i == anchor)
                    || (!starts_at_anchor && matches(&def.start, e, &cond))
                {
                    since = e.at();
                    state = State::Running;
                    Some(Step::Start)
                } else {
                    None
                }
            }
            State::Running => {
                if matches(&def.stop, e, &cond) {
                    elapsed += calendar.working_between(since, e.at())?;
                    stopped_at = Some(e.at());
                    state = State::Stopped;
                    Some(Step::Stop)
                } else if matches(&def.pause, e, &cond) {
                    elapsed += calendar.working_between(since, e.at())?;
                    state = State::Paused;
                    Some(Step::Pause)
                } else if matches(&def.reset, e, &cond) || restarts(i) {
                    elapsed = 0;
                    since = e.at();
                    Some(Step::Reset)
                } else {
                    None
                }
            }
            State::Paused => {
                if matches(&def.stop, e, &cond) {
                    // a stop while paused keeps the time counted before the pause
                    stopped_at = Some(e.at());
                    state = State::Stopped;
                    Some(Step::Stop)
                } else if matches(&def.resume, e, &cond) {
                    since = e.at();
                    state = State::Running;
                    Some(Step::Resume)
                } else if matches(&def.reset, e, &cond) || restarts(i) {
                    elapsed = 0;
                    since = e.at();
                    state = State::Running;
                    Some(Step::Reset)
                } else {
                    None
                }
            }
            State::Stopped => {
                if matches(&def.restart, e, &cond) {
                    since = e.at();
                    stopped_at = None;
                    state = State::Running;
                    Some(Step::Restart)
                } else if matches(&def.reset, e, &cond) {
                    elapsed = 0;
                    since = e.at();
                    stopped_at = None;
                    state = State::Running;
                    Some(Step::Reset)
                } else {
                    None
                }
            }
        };
        if let (Some(step), true) = (step, record_steps) {
            steps.push((i, step));
        }
    }
    let running_since = (state == State::Running).then_some(since);
    if state == State::Running {
        elapsed += calendar.working_between(since, as_of)?;
    }
    let mut run = ClockRun {
        state,
        elapsed,
        allowed: None,
        due: None,
        stopped_at,
        running_since,
        outcome: Outcome::Pending,
        steps,
    };
    judge(&mut run, limit, as_of);
    Ok(run)
}

/// Sets the deadline of a run and its verdict as of `as_of`.
pub fn judge(run: &mut ClockRun, limit: Limit, as_of: i64) {
    let (allowed, due) = match limit {
        Limit::Allowed(s) => (Some(s), None),
        Limit::Due(t) => (None, Some(t)),
        Limit::Unknown => (None, None),
    };
    let (state, elapsed, stopped_at) = (run.state, run.elapsed, run.stopped_at);
    run.outcome = match (allowed, due) {
        (Some(allowed), _) => {
            if elapsed > allowed {
                Outcome::Breached
            } else if state == State::Stopped {
                Outcome::Met
            } else {
                Outcome::Pending
            }
        }
        (None, Some(due)) => match stopped_at {
            Some(t) if state == State::Stopped => {
                if t <= due {
                    Outcome::Met
                } else {
                    Outcome::Breached
                }
            }
            _ if as_of > due => Outcome::Breached,
            _ => Outcome::Pending,
        },
        // no deadline could be resolved (the validator rejects such anchors): never judged
        (None, None) => Outcome::Pending,
    };
    run.allowed = allowed;
    run.due = due;
}
