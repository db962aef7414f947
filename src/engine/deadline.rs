//! The deadline a clock is held to: from its anchor (a fixed duration, a table by an
//! attribute, a due instant), or from the last event that changed that attribute
//! (`deadline by priority follow ticket.reprioritized`), judged at the clock's stop or at
//! `as_of`; with `restart`, each change starts the clock over.

use crate::contract::{ClockDef, Deadline, IndicatorId};
use crate::engine::clock::{self, ClockRun, Limit, State};
use crate::engine::eval::Evaluator;
use crate::engine::measure::NO_FLAGS;
use crate::engine::store::{Slim, Val};
use crate::time::calendar::{Calendar, CalendarError};

impl Evaluator {
    /// The clock of indicator `indicator` over `log[anchor..]` as of `as_of`, judged against
    /// the deadline in force, and that deadline.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn clock_of(
        &self,
        indicator: IndicatorId,
        def: &ClockDef,
        log: &[Slim],
        anchor: usize,
        as_of: i64,
        cal: &Calendar,
        record_steps: bool,
    ) -> Result<(ClockRun, Limit), CalendarError> {
        let view = self.view();
        let Some(first) = log.get(anchor) else {
            return Ok((
                clock::run(
                    def,
                    Limit::Unknown,
                    log,
                    anchor,
                    as_of,
                    cal,
                    |_, _| false,
                    false,
                )?,
                Limit::Unknown,
            ));
        };
        let limit = self.limit(indicator, def, first);
        let cond = |cd: &crate::contract::Cond, e: &Slim| view.cond(cd, e, NO_FLAGS);
        let Some(f) = &def.follow else {
            let run = clock::run(def, limit, log, anchor, as_of, cal, cond, record_steps)?;
            return Ok((run, limit));
        };
        let deadline_attr = match &def.deadline {
            Deadline::ByAttr { attr, .. } => *attr,
            _ => {
                return Ok((
                    clock::run(def, limit, log, anchor, as_of, cal, cond, record_steps)?,
                    limit,
                ))
            }
        };
        // the changes: events of the followed kind after the anchor (in (at, id) order)
        let changes = || {
            log.iter()
                .enumerate()
                .skip(anchor.saturating_add(1))
                .take_while(|(_, e)| e.at <= as_of)
                .filter(|(_, e)| e.kind == f.on.kind)
        };
        let mut restarts: Vec<usize> = Vec::new();
        if f.restart {
            // a change restarts the clock only when it changes the value in force
            let mut current = view.attr(first, deadline_attr);
            for (i, e) in changes() {
                let v = view.attr(e, f.attr);
                if v.is_some_and(|v| v != Val::Missing) && v != current {
                    restarts.push(i);
                    current = v;
                }
            }
        }
        let mut run = clock::run_restarting(
            def,
            limit,
            log,
            anchor,
            as_of,
            cal,
            cond,
            |i| restarts.binary_search(&i).is_ok(),
            record_steps,
        )?;
        // the value in force at the stop (whatever the ids in its second), or at `as_of`
        let t = match (run.state, run.stopped_at) {
            (State::Stopped, Some(t)) => t,
            _ => as_of,
        };
        let last = changes()
            .filter(|(_, e)| e.at <= t)
            .filter(|(_, e)| view.attr(e, f.attr).is_some_and(|v| v != Val::Missing))
            .last();
        if let Some((_, e)) = last {
            let followed = self.limit_by(indicator, def, view.attr(e, f.attr));
            clock::judge(&mut run, followed, as_of);
            return Ok((run, followed));
        }
        Ok((run, limit))
    }

    fn limit(&self, indicator: IndicatorId, def: &ClockDef, anchor: &Slim) -> Limit {
        let view = self.view();
        match &def.deadline {
            Deadline::Fixed(s) => Limit::Allowed(*s),
            Deadline::ByAttr { attr, table } => {
                let table_by_enum = self
                    .plan
                    .enum_deadlines
                    .get(indicator)
                    .and_then(|t| t.as_ref());
                match (view.attr(anchor, *attr), table_by_enum) {
                    (Some(Val::Enum(i)), Some(t)) => t
                        .get(usize::from(i))
                        .copied()
                        .flatten()
                        .map_or(Limit::Unknown, Limit::Allowed),
                    (Some(Val::Text(v)), _) => table
                        .iter()
                        .find(|(k, _)| k == v)
                        .map_or(Limit::Unknown, |(_, s)| Limit::Allowed(*s)),
                    _ => Limit::Unknown,
                }
            }
            Deadline::At(attr) => match view.attr(anchor, *attr) {
                Some(Val::Time(t)) => Limit::Due(t),
                _ => Limit::Unknown,
            },
        }
    }

    /// The deadline of a `deadline by ATTR` table for a value of ATTR.
    fn limit_by(&self, indicator: IndicatorId, def: &ClockDef, value: Option<Val<'_>>) -> Limit {
        let Deadline::ByAttr { table, .. } = &def.deadline else {
            return Limit::Unknown;
        };
        let table_by_enum = self
            .plan
            .enum_deadlines
            .get(indicator)
            .and_then(|t| t.as_ref());
        match (value, table_by_enum) {
            (Some(Val::Enum(i)), Some(t)) => t
                .get(usize::from(i))
                .copied()
                .flatten()
                .map_or(Limit::Unknown, Limit::Allowed),
            (Some(Val::Text(v)), _) => table
                .iter()
                .find(|(k, _)| k == v)
                .map_or(Limit::Unknown, |(_, s)| Limit::Allowed(*s)),
            _ => Limit::Unknown,
        }
    }
}
