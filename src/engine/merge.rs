//! Merging evaluators of one contract fed different events: over a partition of the events,
//! the merged evaluator is exactly the one fed everything.

use crate::engine::eval::{insert_in, EvalError, Evaluator, State, FULL};
use crate::engine::store::{Single, Slim};

/// Names to re-intern from which a merge fills its id and subject tables on two threads
/// (low in unit tests, so that the split-reading tests take the threaded branch).
const PARALLEL_MERGE: usize = if cfg!(test) { 64 } else { 1 << 16 };

impl Evaluator {
    /// Combines an evaluator of the same contract fed other events. Over a partition of the
    /// events this gives exactly the evaluator fed everything; an id accepted on both sides
    /// is one event, `self`'s (the earlier, when evaluators are merged in input order).
    /// Other's input counts as coming after this one's: its rejections are numbered after
    /// [`Evaluator::positions`], so that evaluators of consecutive parts of an input, merged
    /// in order, number them as one pass over the whole.
    pub fn merge(&mut self, other: Evaluator) -> Result<(), EvalError> {
        if self.plan.contract().fingerprint() != other.plan.contract().fingerprint() {
            return Err(EvalError::ContractMismatch);
        }
        let mut o = other.state;
        let st = &mut self.state;
        // other's id index → self's, or None for an id already accepted here; other's
        // subject index → self's. The lookups only read this side's tables, so that on a
        // large merge they run on two threads; the names not found are then appended without
        // entering the tables, which the next push does (a command that only scores never
        // pays for it).
        st.ids.catch_up();
        st.subjects.catch_up();
        let (n_ids, n_subjects) = (o.ids.len() as u32, o.subjects.len() as u32);
        let (found_ids, found_subjects) = {
            let (mine_ids, mine_subjects, theirs) = (&st.ids, &st.subjects, &o);
            if (n_ids + n_subjects) as usize >= PARALLEL_MERGE {
                // the ids split so that both threads have about as many lookups
                let half = (n_ids + n_subjects) / 2;
                let cut = half.min(n_ids);
                let (mut ids, (rest, subjects)) = crate::parallel::join(
                    || mine_ids.find_all(&theirs.ids, 0..cut),
                    move || {
                        (
                            mine_ids.find_all(&theirs.ids, cut..n_ids),
                            mine_subjects.find_all(&theirs.subjects, 0..n_subjects),
                        )
                    },
                );
                ids.extend(rest);
                (ids, subjects)
            } else {
                (
                    mine_ids.find_all(&theirs.ids, 0..n_ids),
                    mine_subjects.find_all(&theirs.subjects, 0..n_subjects),
                )
            }
        };
        if found_ids.len() != n_ids as usize || found_subjects.len() != n_subjects as usize {
            return Err(EvalError::Checkpoint(
                "merge: a name lookup came back incomplete (this is a bug, please report it)"
                    .into(),
            ));
        }
        let full = || EvalError::Checkpoint(FULL.into());
        let overlap = found_ids.iter().filter(|f| f.is_some()).count() as u64;
        let large = (n_ids + n_subjects) as usize >= PARALLEL_MERGE;
        // the two tables take their new names side by side
        let (ids, subjects) = {
            let (mine_ids, mine_subjects) = (&mut st.ids, &mut st.subjects);
            let (theirs_ids, theirs_subjects) = (&o.ids, &o.subjects);
            let (found_ids, found_subjects) = (&found_ids, &found_subjects);
            let mut subjects =
                move || mine_subjects.append_missing(theirs_subjects, found_subjects);
            if large {
                crate::parallel::join(|| mine_ids.append_missing(theirs_ids, found_ids), subjects)
            } else {
                (mine_ids.append_missing(theirs_ids, found_ids), subjects())
            }
        };
        // each of other's ids' index here (for those `found_ids` says are new here)
        let ids = ids.ok_or_else(full)?;
        let subjects = subjects.ok_or_else(full)?;
        st.counts.accepted += u64::from(n_ids) - overlap;
        st.counts.duplicates += o.counts.duplicates + overlap;
        st.counts.rejected += o.counts.rejected;
        // other's input comes after ours: its positions are numbered on from ours, as in
        // one pass over both inputs
        crate::event::renumber(&mut o.rejected, st.positions);
        st.positions = st.positions.saturating_add(o.positions);
        st.rejected.append(&mut o.rejected);
        // other's attribute values go after ours, as they are; its logs and singles are
        // moved, not copied, with their ids and attribute offsets rewritten in place
        let base = u32::try_from(st.pool.len())
            .ok()
            .filter(|b| u32::try_from(*b as usize + o.pool.len()).is_ok())
            .ok_or_else(|| EvalError::Checkpoint(FULL.into()))?;
        // (appended below, on a large merge by the thread that rewrites half the logs)
        let (st_pool, o_pool) = (&mut st.pool, std::mem::take(&mut o.pool));
        // `false` for an event whose id was already accepted here (dropped)
        let rehome = |e: &mut Slim| match (found_ids.get(e.id as usize), ids.get(e.id as usize)) {
            (Some(None), Some(id)) => {
                e.id = *id;
                e.attrs = e.attrs.saturating_add(base);
                true
            }
            _ => false,
        };
        let mut singles = std::mem::take(&mut o.singles);
        // `false` when a single names a subject the other side does not have
        let rehome_singles = |singles: &mut Vec<Single>| {
            let mut known = true;
            singles.retain_mut(|x| {
                if !rehome(&mut x.ev) {
                    return false;
                }
                match subjects.get(x.subject as usize) {
                    Some(s) => x.subject = *s,
                    None => known = false,
                }
                true
            });
            known
        };
        // the logs' events are rewritten in place, arena slot by slot (a hole's content does
        // not matter); an event whose id was accepted here is marked, then dropped
        const DROPPED: u32 = u32::MAX;
        let rehome_slots = |slots: &mut [Slim]| {
            for e in slots {
                if !rehome(e) {
                    e.id = DROPPED;
                }
            }
        };
        // the rewriting touches every event: on a large merge, half the arena and the
        // attribute values on another thread, the other half and the singles here
        let (known, pooled) = if large {
            let slots = o.logs.slots_mut();
            let (first, second) = slots.split_at_mut(slots.len() / 2);
            crate::parallel::join(
                || {
                    rehome_slots(first);
                    rehome_singles(&mut singles)
                },
                || {
                    rehome_slots(second);
                    st_pool.append(o_pool)
                },
            )
        } else {
            rehome_slots(o.logs.slots_mut());
            (rehome_singles(&mut singles), st_pool.append(o_pool))
        };
        if !known || pooled.is_none() {
            return Err(EvalError::Checkpoint(FULL.into()));
        }
        if overlap > 0 {
            o.logs.retain(|e| e.id != DROPPED);
        }
        let subject = |s: u32| -> Result<u32, EvalError> {
            subjects
                .get(s as usize)
                .copied()
                .ok_or_else(|| EvalError::Checkpoint(FULL.into()))
        };
        // other's arena goes after ours in one copy; a log of a subject new here is then
        // only a head, and the events of a subject both sides have are inserted one by one
        // (on a large merge, while another thread appends the singles)
        let State {
            ids: st_ids,
            logs: st_logs,
            tracked,
            singles: st_singles,
            ..
        } = st;
        let theirs = o.logs;
        let logs = move || -> Result<(), EvalError> {
            let blocks = st_logs.absorb(theirs).ok_or_else(full)?;
            for (s, (start, len)) in blocks.into_iter().enumerate() {
                if len == 0 {
                    continue;
                }
                let to = subject(s as u32)?;
                if st_logs.has(to) {
                    for e in st_logs.block_events(start, len) {
                        st_logs.make_room(to).ok_or_else(full)?;
                        insert_in(st_ids, st_logs, to, e);
                    }
                    st_logs.discard(start, len);
                } else {
                    st_logs.adopt(to, start, len);
                    *tracked += 1;
                }
            }
            Ok(())
        };
        if large {
            crate::parallel::join(logs, || st_singles.append(&mut singles)).0?;
        } else {
            logs()?;
            st_singles.append(&mut singles);
        }
        let st = &mut self.state;
        if let Some(m) = o.max_at {
            st.max_at = Some(st.max_at.map_or(m, |x| x.max(m)));
        }
        Ok(())
    }
}
