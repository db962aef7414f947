//! Every subject's log of events in one arena of blocks sized by powers of two, a block left
//! kept for the next log of its size; a checkpoint keeps the logs as a list of lists.

use serde::{Deserialize, Serialize};

use super::{prefetch, Slim};

/// Every subject's log of events in one arena, instead of a vector per subject (an
/// allocation, then a reallocation or two, for each of hundreds of thousands of subjects).
///
/// A log is a block of the arena with room for a power of two of events, at least its
/// length; a full log moves to a block twice the size, and the block it leaves is kept for
/// the next log of that size. A head is 8 bytes: the block's start and the log's length
/// (the room follows from the length: the next power of two).
#[derive(Clone, Default)]
pub(crate) struct Logs {
    arena: Vec<Slim>,
    /// per subject number
    heads: Vec<Head>,
    /// per size class `c` (room `2^c`), the starts of blocks that no log uses
    free: Vec<Vec<u32>>,
}

#[derive(Clone, Copy, Default)]
struct Head {
    start: u32,
    len: u32,
}

/// What fills arena slots that no event occupies yet.
const HOLE: Slim = Slim {
    at: 0,
    id: u32::MAX,
    kind: HOLE_KIND,
    product: HOLE_PRODUCT,
    attrs: 0,
};
// a hole is never read as an event (its id is `u32::MAX`); any ids do
const HOLE_KIND: crate::contract::KindId = crate::contract::KindId::HOLE;
const HOLE_PRODUCT: crate::contract::ProductId = crate::contract::ProductId::HOLE;

/// The size class of a block that holds `len` events: `2^class >= len`.
fn class_for(len: u32) -> u32 {
    len.max(1).next_power_of_two().trailing_zeros()
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Logs({} subjects, {} slots)",
            self.heads.len(),
            self.arena.len()
        )
    }
}

impl Logs {
    /// Subject numbers with a head (with or without events).
    pub(crate) fn subjects(&self) -> usize {
        self.heads.len()
    }

    /// Subject `s`'s events, in order.
    #[inline]
    pub(crate) fn get(&self, s: u32) -> &[Slim] {
        match self.heads.get(s as usize) {
            Some(h) => {
                let start = h.start as usize;
                self.arena.get(start..start + h.len as usize).unwrap_or(&[])
            }
            None => &[],
        }
    }

    pub(crate) fn has(&self, s: u32) -> bool {
        self.heads.get(s as usize).is_some_and(|h| h.len > 0)
    }

    /// Every subject's log, by subject number (empty ones included).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[Slim]> + '_ {
        (0..self.heads.len() as u32).map(|s| self.get(s))
    }

    /// Prefetches subject `s`'s head.
    #[inline]
    pub(crate) fn prefetch_head(&self, s: u32) {
        prefetch(self.heads.as_ptr().wrapping_add(s as usize));
    }

    /// Prefetches the start of subject `s`'s log (its head must be in cache to be useful).
    #[inline]
    pub(crate) fn prefetch_log(&self, s: u32) {
        if let Some(h) = self.heads.get(s as usize) {
            prefetch(self.arena.as_ptr().wrapping_add(h.start as usize));
        }
    }

    /// Prefetches the last event of subject `s`'s log (where an event in order goes).
    #[inline]
    pub(crate) fn prefetch_last(&self, s: u32) {
        if let Some(h) = self.heads.get(s as usize) {
            let last = (h.start as usize + h.len as usize).saturating_sub(1);
            prefetch(self.arena.as_ptr().wrapping_add(last));
        }
    }

    /// A free block of class `class`: a kept one, or new at the arena's end; `None` when
    /// the arena would pass 2^32 slots.
    fn block(&mut self, class: u32) -> Option<u32> {
        if let Some(start) = self.free.get_mut(class as usize).and_then(Vec::pop) {
            return Some(start);
        }
        let start = u32::try_from(self.arena.len()).ok()?;
        let end = u32::try_from(self.arena.len().checked_add(1usize << class)?).ok()?;
        self.arena.resize(end as usize, HOLE);
        Some(start)
    }

    fn release(&mut self, start: u32, class: u32) {
        let c = class as usize;
        if self.free.len() <= c {
            self.free.resize_with(c + 1, Vec::new);
        }
        if let Some(f) = self.free.get_mut(c) {
            f.push(start);
        }
    }

    /// Makes room for one more event in subject `s`'s log, so that [`Logs::insert`] cannot
    /// fail; `None` when the arena is full.
    #[inline]
    pub(crate) fn make_room(&mut self, s: u32) -> Option<()> {
        let i = s as usize;
        if self.heads.len() <= i {
            self.heads.resize(i + 1, Head::default());
        }
        let h = *self.heads.get(i)?;
        if h.len > 0 && !h.len.is_power_of_two() {
            return Some(());
        }
        self.grow(i, h)
    }

    #[cold]
    fn grow(&mut self, i: usize, h: Head) -> Option<()> {
        let class = class_for(h.len.checked_add(1)?);
        let start = self.block(class)?;
        if h.len > 0 {
            let from = h.start as usize;
            self.arena
                .copy_within(from..from + h.len as usize, start as usize);
            self.release(h.start, class_for(h.len));
        }
        if let Some(head) = self.heads.get_mut(i) {
            head.start = start;
        }
        Some(())
    }

    /// Inserts `e` into subject `s`'s log after every event for which `after(prev)` is
    /// false, searching from the end (events mostly come in order); room must have been
    /// made. Returns whether the log was empty.
    #[inline]
    pub(crate) fn insert(&mut self, s: u32, e: Slim, after: impl Fn(&Slim) -> bool) -> bool {
        let Some(h) = self.heads.get_mut(s as usize) else {
            return false;
        };
        let (start, len) = (h.start as usize, h.len as usize);
        let Some(block) = self.arena.get_mut(start..start + len + 1) else {
            return false;
        };
        h.len += 1;
        // the usual case: after the last event
        match len.checked_sub(1).and_then(|p| block.get(p)) {
            None => {}
            Some(last) if !after(last) => {}
            Some(_) => {
                let mut i = len - 1;
                while let Some(prev) = i.checked_sub(1).and_then(|p| block.get(p)) {
                    if !after(prev) {
                        break;
                    }
                    i -= 1;
                }
                block.copy_within(i..len, i + 1);
                if let Some(slot) = block.get_mut(i) {
                    *slot = e;
                }
                return false;
            }
        }
        if let Some(slot) = block.get_mut(len) {
            *slot = e;
        }
        len == 0
    }

    /// Gives subject `s`, which has no events, a whole log already in order; `None` when
    /// the arena is full.
    pub(crate) fn put(&mut self, s: u32, log: &[Slim]) -> Option<()> {
        let i = s as usize;
        if self.heads.len() <= i {
            self.heads.resize(i + 1, Head::default());
        }
        if log.is_empty() {
            return Some(());
        }
        let len = u32::try_from(log.len()).ok()?;
        let start = self.block(class_for(len))?;
        self.arena
            .get_mut(start as usize..start as usize + log.len())?
            .copy_from_slice(log);
        *self.heads.get_mut(i)? = Head { start, len };
        Some(())
    }

    /// Every slot of the arena, events and holes alike: for rewriting ids in place, where a
    /// hole's content does not matter.
    pub(crate) fn slots_mut(&mut self) -> &mut [Slim] {
        &mut self.arena
    }

    /// Keeps, in each log, the events for which `keep` holds.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Slim) -> bool) {
        for h in &mut self.heads {
            let start = h.start as usize;
            let Some(block) = self.arena.get_mut(start..start + h.len as usize) else {
                continue;
            };
            let mut n = 0usize;
            for j in 0..block.len() {
                if let Some(e) = block.get(j).copied().filter(|e| keep(e)) {
                    if let Some(slot) = block.get_mut(n) {
                        *slot = e;
                    }
                    n += 1;
                }
            }
            // a shorter log keeps its block, whose class may now be larger than its length says:
            // it is only ever reused as the smaller class
            h.len = n as u32;
        }
    }

    /// Takes `other`'s arena after this one's, with its kept blocks; returns each of
    /// `other`'s subjects' logs as (start here, length), for [`Logs::adopt`].
    pub(crate) fn absorb(&mut self, other: Logs) -> Option<Vec<(u32, u32)>> {
        let base = u32::try_from(self.arena.len()).ok()?;
        u32::try_from(self.arena.len().checked_add(other.arena.len())?).ok()?;
        self.arena.extend_from_slice(&other.arena);
        for (c, starts) in other.free.into_iter().enumerate() {
            for start in starts {
                self.release(start + base, c as u32);
            }
        }
        Some(
            other
                .heads
                .into_iter()
                .map(|h| (h.start + base, h.len))
                .collect(),
        )
    }

    /// Gives subject `s`, which has no events, the block at `start` (from
    /// [`Logs::absorb`]) as its log.
    pub(crate) fn adopt(&mut self, s: u32, start: u32, len: u32) {
        let i = s as usize;
        if self.heads.len() <= i {
            self.heads.resize(i + 1, Head::default());
        }
        if let Some(h) = self.heads.get_mut(i) {
            *h = Head { start, len };
        }
    }

    /// The events of an absorbed block (see [`Logs::absorb`]).
    pub(crate) fn block_events(&self, start: u32, len: u32) -> Vec<Slim> {
        let start = start as usize;
        self.arena
            .get(start..start + len as usize)
            .map_or_else(Vec::new, <[Slim]>::to_vec)
    }

    /// Keeps the block of an absorbed log whose events went elsewhere.
    pub(crate) fn discard(&mut self, start: u32, len: u32) {
        if len > 0 {
            self.release(start, class_for(len));
        }
    }
}

// a checkpoint keeps the logs as a list of lists, as a vector per subject did
impl Serialize for Logs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Logs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Logs, D::Error> {
        let lists = Vec::<Vec<Slim>>::deserialize(d)?;
        let mut logs = Logs::default();
        logs.heads.resize(lists.len(), Head::default());
        for (s, log) in lists.iter().enumerate() {
            let s = u32::try_from(s).map_err(serde::de::Error::custom)?;
            logs.put(s, log)
                .ok_or_else(|| serde::de::Error::custom("more than 2^32 events in logs"))?;
        }
        Ok(logs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slim(at: i64, id: u32) -> Slim {
        Slim {
            at,
            id,
            kind: crate::contract::KindId::new(0).unwrap(),
            product: crate::contract::ProductId::new(0).unwrap(),
            attrs: id,
        }
    }

    /// One step on the logs and on a vector per subject, the model.
    #[derive(Debug, Clone)]
    enum Step {
        Insert { subject: u32, at: i64 },
        Put { subject: u32, n: u32 },
        Drop { every: u32 },
        Absorb { subjects: Vec<(u32, u32)> },
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            8 => (0u32..12, 0i64..20).prop_map(|(subject, at)| Step::Insert { subject, at }),
            1 => (0u32..16, 0u32..9).prop_map(|(subject, n)| Step::Put { subject, n }),
            1 => (2u32..5).prop_map(|every| Step::Drop { every }),
            1 => proptest::collection::vec((0u32..16, 0u32..6), 0..6)
                .prop_map(|subjects| Step::Absorb { subjects }),
        ]
    }

    fn insert_model(log: &mut Vec<Slim>, e: Slim) {
        let i = log.iter().rposition(|p| p.at <= e.at).map_or(0, |p| p + 1);
        log.insert(i, e);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
        /// Whatever the steps, every log holds what a vector per subject would, in order; a
        /// checkpoint's list of lists reads back the same.
        #[test]
        fn logs_hold_what_a_vector_per_subject_holds(steps in proptest::collection::vec(step(), 1..80)) {
            let mut logs = Logs::default();
            let mut model: Vec<Vec<Slim>> = Vec::new();
            let mut next = 0u32;
            let mut fresh = || { next += 1; next };
            for st in steps {
                match st {
                    Step::Insert { subject, at } => {
                        let e = slim(at, fresh());
                        logs.make_room(subject).unwrap();
                        let first = logs.insert(subject, e, |p| p.at > e.at);
                        if model.len() <= subject as usize {
                            model.resize_with(subject as usize + 1, Vec::new);
                        }
                        proptest::prop_assert_eq!(first, model[subject as usize].is_empty());
                        insert_model(&mut model[subject as usize], e);
                    }
                    Step::Put { subject, n } => {
                        if logs.has(subject) {
                            continue;
                        }
                        let log: Vec<Slim> = (0..n).map(|i| slim(i64::from(i), fresh())).collect();
                        logs.put(subject, &log).unwrap();
                        if model.len() <= subject as usize {
                            model.resize_with(subject as usize + 1, Vec::new);
                        }
                        model[subject as usize] = log;
                    }
                    Step::Drop { every } => {
                        logs.retain(|e| e.id % every != 0);
                        for l in &mut model {
                            l.retain(|e| e.id % every != 0);
                        }
                    }
                    Step::Absorb { subjects } => {
                        // another side's logs: each goes to a subject without events here,
                        // or is inserted event by event into one that has some
                        let mut other = Logs::default();
                        let mut theirs: Vec<Vec<Slim>> = Vec::new();
                        for (k, (_, n)) in subjects.iter().enumerate() {
                            let log: Vec<Slim> = (0..*n).map(|i| slim(i64::from(i * 3), fresh())).collect();
                            for e in &log {
                                other.make_room(k as u32).unwrap();
                                other.insert(k as u32, *e, |p| p.at > e.at);
                            }
                            theirs.push(log);
                        }
                        let blocks = logs.absorb(other).unwrap();
                        // a head for each subject up to the last with events
                        let last = subjects.iter().rposition(|(_, n)| *n > 0).map_or(0, |k| k + 1);
                        proptest::prop_assert_eq!(blocks.len(), last);
                        for ((start, len), ((to, _), log)) in blocks.into_iter().zip(subjects.iter().zip(theirs)) {
                            if len == 0 {
                                continue;
                            }
                            if model.len() <= *to as usize {
                                model.resize_with(*to as usize + 1, Vec::new);
                            }
                            proptest::prop_assert_eq!(logs.block_events(start, len), log.clone());
                            if logs.has(*to) {
                                for e in logs.block_events(start, len) {
                                    logs.make_room(*to).unwrap();
                                    logs.insert(*to, e, |p| p.at > e.at);
                                    insert_model(&mut model[*to as usize], e);
                                }
                                logs.discard(start, len);
                            } else {
                                logs.adopt(*to, start, len);
                                model[*to as usize] = log;
                            }
                        }
                    }
                }
                for (s, l) in model.iter().enumerate() {
                    proptest::prop_assert_eq!(logs.get(s as u32), &l[..], "subject {}", s);
                }
            }
            let json = serde_json::to_string(&logs).unwrap();
            let back: Logs = serde_json::from_str(&json).unwrap();
            for (s, l) in model.iter().enumerate() {
                proptest::prop_assert_eq!(back.get(s as u32), &l[..]);
            }
            // the same text as a vector per subject gives
            let lists: Vec<Vec<Slim>> = logs.iter().map(<[Slim]>::to_vec).collect();
            proptest::prop_assert_eq!(json, serde_json::to_string(&lists).unwrap());
        }
    }

    #[test]
    fn a_block_left_is_reused_by_the_next_log_of_its_size() {
        let mut logs = Logs::default();
        for (s, at) in [(0, 1), (0, 2), (1, 3)] {
            logs.make_room(s).unwrap();
            logs.insert(s, slim(at, at as u32), |p| p.at > at);
        }
        // subject 0 moved from one slot to two; subject 1 took the slot it left
        assert_eq!(logs.arena.len(), 3);
        assert_eq!(logs.get(0), &[slim(1, 1), slim(2, 2)]);
        assert_eq!(logs.get(1), &[slim(3, 3)]);
        assert!(logs.get(7).is_empty() && !logs.has(7));
        // an event before the others goes first
        logs.make_room(0).unwrap();
        logs.insert(0, slim(0, 9), |p| p.at > 0);
        assert_eq!(logs.get(0), &[slim(0, 9), slim(1, 1), slim(2, 2)]);
        assert_eq!(logs.arena.len(), 7);
    }
}
