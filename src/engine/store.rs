//! The evaluator's storage: names interned to dense integers, events kept as 24-byte records.
//!
//! Ids and subject names are written once into an arena and found through a hash table of
//! indices (the string is compared only when the hash matches, i.e. for a real duplicate or
//! a known subject). An accepted event keeps its instant, interned id, kind, product and the
//! offset of the attribute values the contract actually reads; every other attribute is
//! dropped when the event is stored.

use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

use crate::contract::KindId;
use crate::engine::clock::Timed;
use crate::event::AttrValue;

/// Names (ids or subjects) interned to dense `u32` indices.
///
/// The table is open addressing with linear probing over `u64` slots, each the high 32 bits
/// of the name's hash (its tag) and its index, so that it grows without reading names again,
/// a probe compares bytes only when the 32-bit tag matches, and a caller that knows the
/// coming names can prefetch their slots ([`Names::prefetch`]).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(from = "NameList", into = "NameList")]
pub(crate) struct Names {
    text: String,
    /// end offset in `text` of each name
    ends: Vec<u32>,
    /// a power of two of slots (or none), at most 5/8 full
    slots: Vec<u64>,
    /// names from this one on were appended without entering the table ([`Names::append`]);
    /// the next lookup enters them first
    indexed: usize,
    // seeded per process: fast, and not open to hash flooding by crafted names
    hasher: DefaultHashBuilder,
}

/// Names hashed ahead of their probe in the bulk loops, so that slot misses overlap.
const LOOKAHEAD: u32 = 16;

/// An unused slot: never a real entry, since index `u32::MAX` is never given out. (Not 0:
/// a zeroed table would come from the allocator unwritten, and a probe reading a page of it
/// before an insert writes there costs a second page fault, which on a process with other
/// threads also interrupts every other core to flush its TLB.)
const EMPTY: u64 = u64::MAX;

fn entry(tag: u64, index: u64) -> u64 {
    (tag << 32) | index
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Names({})", self.ends.len())
    }
}

/// What a checkpoint keeps of [`Names`]: the table is rebuilt on reading.
#[derive(Clone, Serialize, Deserialize)]
struct NameList {
    text: String,
    ends: Vec<u32>,
}

impl From<NameList> for Names {
    fn from(l: NameList) -> Names {
        let mut n = Names::default();
        // re-interning checks the offsets: a damaged list gives fewer names, never a panic
        n.reserve(l.ends.len());
        let (text, ends) = (l.text, l.ends);
        let mut start = 0usize;
        for end in ends {
            let Some(s) = text.get(start..end as usize) else {
                break;
            };
            n.intern(s);
            start = end as usize;
        }
        n
    }
}

impl From<Names> for NameList {
    fn from(n: Names) -> NameList {
        NameList {
            text: n.text,
            ends: n.ends,
        }
    }
}

/// Tells the processor a cache line will soon be read (a hint only: no effect on results).
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

fn tag_of(hash: u64) -> u64 {
    hash >> 32
}

impl Names {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Makes room for `n` more names without growing the table.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.grow_for(self.len().saturating_add(n));
        self.ends.reserve(n);
    }

    /// The name with this index ("" for an index out of range).
    pub(crate) fn get(&self, i: u32) -> &str {
        name_at(&self.text, &self.ends, i)
    }

    /// The hash the table is keyed by (only its high 32 bits are used).
    pub(crate) fn hash(&self, s: &str) -> u64 {
        self.hasher.hash_one(s)
    }

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// Prefetches the slot where a probe for `hash` starts.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            let p = tag_of(hash) as usize & self.mask();
            prefetch(self.slots.as_ptr().wrapping_add(p));
        }
    }

    /// The first name whose tag matches `hash` (without comparing bytes): what a lookup
    /// will most likely find, so that its bytes can be prefetched.
    #[inline]
    pub(crate) fn candidate(&self, hash: u64) -> Option<u32> {
        let tag = tag_of(hash);
        let mask = self.mask();
        let mut p = tag as usize & mask;
        // a few slots at most: the table is never more than 5/8 full
        for _ in 0..8 {
            let e = *self.slots.get(p)?;
            if e == EMPTY {
                return None;
            }
            if e >> 32 == tag {
                return Some(e as u32);
            }
            p = (p + 1) & mask;
        }
        None
    }

    /// Prefetches the bytes of name `i`.
    #[inline]
    pub(crate) fn prefetch_name(&self, i: u32) {
        let start = match (i as usize).checked_sub(1) {
            Some(p) => self.ends.get(p).map_or(0, |e| *e as usize),
            None => 0,
        };
        prefetch(self.text.as_ptr().wrapping_add(start));
    }

    /// Prefetches where the end offsets of name `i` are.
    #[inline]
    pub(crate) fn prefetch_end(&self, i: u32) {
        prefetch(
            self.ends
                .as_ptr()
                .wrapping_add((i as usize).saturating_sub(1)),
        );
    }

    /// Probes for `s`: its index, or the empty slot where it would go.
    #[inline]
    fn probe(&self, hash: u64, s: &str) -> Result<u32, usize> {
        let tag = tag_of(hash);
        let mask = self.mask();
        let mut p = tag as usize & mask;
        // ends at an empty slot: the table is never full
        while let Some(&e) = self.slots.get(p) {
            if e == EMPTY {
                return Err(p);
            }
            if e >> 32 == tag && name_at(&self.text, &self.ends, e as u32) == s {
                return Ok(e as u32);
            }
            p = (p + 1) & mask;
        }
        Err(usize::MAX)
    }

    #[cfg(test)]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        self.probe(self.hash(s), s).ok()
    }

    /// The index of `s`, adding it if new; `None` when the arena is full (4 GiB of names or
    /// 2^32 - 1 names), which the caller reports.
    pub(crate) fn intern(&mut self, s: &str) -> Option<u32> {
        let h = self.hash(s);
        self.intern_hashed(h, s)
    }

    pub(crate) fn intern_hashed(&mut self, hash: u64, s: &str) -> Option<u32> {
        match self.lookup(hash, s) {
            Ok(i) => Some(i),
            Err(v) => v.insert(s),
        }
    }

    /// The index of `s` if known, else a place to add it with no second probe: for the
    /// common case of a new id, one probe in all.
    #[inline]
    pub(crate) fn lookup(&mut self, hash: u64, s: &str) -> Result<u32, Vacant<'_>> {
        self.catch_up();
        // grown first, so that the empty slot found stays the right one
        self.grow_for(self.len().saturating_add(1));
        match self.probe(hash, s) {
            Ok(i) => Ok(i),
            Err(slot) => Err(Vacant {
                names: self,
                slot,
                tag: tag_of(hash),
            }),
        }
    }

    /// Enters in the table the names appended without it (see [`Names::append`]), with
    /// the slots prefetched a few names ahead.
    #[inline]
    pub(crate) fn catch_up(&mut self) {
        // checked on every lookup: the work itself stays out of line
        if self.indexed < self.len() {
            self.enter_appended();
        }
    }

    #[cold]
    #[inline(never)]
    fn enter_appended(&mut self) {
        let (from, to) = (self.indexed, self.len());
        self.grow_for(to);
        const AHEAD: usize = LOOKAHEAD as usize;
        let mut hashes = [0u64; AHEAD];
        for i in from..to.saturating_add(AHEAD) {
            let due = hashes.get(i % AHEAD).copied().unwrap_or(0);
            if i < to {
                let h = self.hash(self.get(i as u32));
                self.prefetch(h);
                if let Some(x) = hashes.get_mut(i % AHEAD) {
                    *x = h;
                }
            }
            if let Some(j) = i.checked_sub(AHEAD).filter(|j| *j >= from) {
                // names are unique: the first empty slot of the probe is this one's
                let tag = tag_of(due);
                let mask = self.mask();
                let mut p = tag as usize & mask;
                while let Some(slot) = self.slots.get_mut(p) {
                    if *slot == EMPTY {
                        *slot = entry(tag, j as u64);
                        break;
                    }
                    p = (p + 1) & mask;
                }
            }
        }
        self.indexed = to;
    }

    /// For each name of `other` in `range`, its index here if known (read only: the table
    /// must have every name, see [`Names::catch_up`]); slots are prefetched a few names ahead.
    pub(crate) fn find_all(&self, other: &Names, range: std::ops::Range<u32>) -> Vec<Option<u32>> {
        const AHEAD: u32 = LOOKAHEAD;
        let mut out = Vec::with_capacity(range.len());
        let mut hashes = [0u64; AHEAD as usize];
        let (from, to) = (range.start, range.end.min(other.len() as u32));
        for i in from..to.saturating_add(AHEAD) {
            let slot = (i % AHEAD) as usize;
            let due = hashes.get(slot).copied().unwrap_or(0);
            if i < to {
                let h = self.hash(other.get(i));
                self.prefetch(h);
                if let Some(x) = hashes.get_mut(slot) {
                    *x = h;
                }
            }
            if let Some(j) = i.checked_sub(AHEAD).filter(|j| *j >= from) {
                out.push(self.probe(due, other.get(j)).ok());
            }
        }
        out
    }

    /// Appends the names of `other` that `found` (from [`Names::find_all`] over all of
    /// `other`) says are absent here, without entering them in the table (the next lookup
    /// does), and returns each name's index here. Runs of absent names are copied at once.
    /// `None` when the arena would be full.
    pub(crate) fn append_missing(
        &mut self,
        other: &Names,
        found: &[Option<u32>],
    ) -> Option<Vec<u32>> {
        let mut out = Vec::with_capacity(found.len());
        self.text.reserve(other.text.len());
        self.ends.reserve(found.len());
        let mut j = 0usize;
        while j < found.len() {
            if let Some(Some(i)) = found.get(j) {
                out.push(*i);
                j += 1;
                continue;
            }
            let run = found.get(j..)?.iter().take_while(|f| f.is_none()).count();
            let k = j + run;
            let start = match j.checked_sub(1) {
                Some(p) => *other.ends.get(p)? as usize,
                None => 0,
            };
            let end = *other.ends.get(k - 1)? as usize;
            let here = self.text.len();
            u32::try_from(here.checked_add(end - start)?).ok()?;
            u32::try_from(self.ends.len() + run)
                .ok()
                .filter(|&n| n != u32::MAX)?;
            self.text.push_str(other.text.get(start..end)?);
            let first = self.ends.len() as u32;
            // fits: the whole text was checked above
            let shift = |e: &u32| (*e as usize - start + here) as u32;
            self.ends.extend(other.ends.get(j..k)?.iter().map(shift));
            out.extend(first..first + run as u32);
            j = k;
        }
        Some(out)
    }

    /// Grows the table (doubling) until `n` names fit at most 5/8 full.
    #[inline]
    fn grow_for(&mut self, n: usize) {
        if n.saturating_mul(8) > self.slots.len().saturating_mul(5) {
            self.grow_to(n);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, n: usize) {
        let need = |cap: usize| n.saturating_mul(8) > cap.saturating_mul(5);
        let mut cap = self.slots.len().max(16);
        while need(cap) {
            let Some(c) = cap.checked_mul(2) else {
                return;
            };
            cap = c;
        }
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; cap]);
        let mask = cap - 1;
        for e in old.into_iter().filter(|&e| e != EMPTY) {
            let mut p = (e >> 32) as usize & mask;
            while let Some(slot) = self.slots.get_mut(p) {
                if *slot == EMPTY {
                    *slot = e;
                    break;
                }
                p = (p + 1) & mask;
            }
        }
    }
}

/// Where a name not yet known goes (see [`Names::lookup`]); dropping it adds nothing.
pub(crate) struct Vacant<'a> {
    names: &'a mut Names,
    slot: usize,
    tag: u64,
}

impl Vacant<'_> {
    /// Adds the name; `None` when the arena is full.
    #[inline]
    pub(crate) fn insert(self, s: &str) -> Option<u32> {
        let n = self.names;
        let end = u32::try_from(n.text.len().checked_add(s.len())?).ok()?;
        let index = u32::try_from(n.ends.len())
            .ok()
            .filter(|&i| i != u32::MAX)?;
        let slot = n.slots.get_mut(self.slot)?;
        *slot = entry(self.tag, u64::from(index));
        n.text.push_str(s);
        n.ends.push(end);
        // a vacant slot comes from a lookup, which entered every name before
        n.indexed = n.ends.len();
        Some(index)
    }
}

fn name_at<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let end = ends.get(i).map_or(0, |e| *e as usize);
    let start = match i.checked_sub(1) {
        Some(p) => ends.get(p).map_or(0, |e| *e as usize),
        None => 0,
    };
    text.get(start..end).unwrap_or("")
}

/// An accepted event as the evaluator keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Slim {
    pub at: i64,
    /// index into the evaluator's ids
    pub id: u32,
    pub kind: u32,
    pub product: u32,
    /// offset of the kind's kept attribute values in the attribute pool
    pub attrs: u32,
}

impl Timed for Slim {
    fn at(&self) -> i64 {
        self.at
    }
    fn kind(&self) -> Option<KindId> {
        Some(self.kind as usize)
    }
}

/// An event counted one by one (per-event measures), with its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Single {
    pub ev: Slim,
    pub subject: u32,
}

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
    kind: 0,
    product: 0,
    attrs: 0,
};

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

/// The kept attribute values of stored events, a text as the number of its interned name:
/// texts repeat (a ticket's `source`), so keeping one is a lookup, not a `String` copied per
/// event.
#[derive(Clone, Default, Debug)]
pub(crate) struct Pool {
    values: Vec<Kept>,
    texts: Names,
}

/// A kept value (see [`Pool`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kept {
    Missing,
    Text(u32),
    Enum(u16),
    Bool(bool),
    Number(rust_decimal::Decimal),
    Time(i64),
}

/// A kept value as read: a text borrowed from the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Val<'a> {
    Missing,
    Text(&'a str),
    Enum(u16),
    Bool(bool),
    Number(rust_decimal::Decimal),
    Time(i64),
}

impl Pool {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Keeps `v`; `None` when the texts are full (4 GiB), and nothing is kept then.
    #[inline]
    pub(crate) fn push(&mut self, v: &AttrValue) -> Option<()> {
        let k = match v {
            AttrValue::Missing => Kept::Missing,
            AttrValue::Text(s) => Kept::Text(self.texts.intern(s)?),
            AttrValue::Enum(i) => Kept::Enum(*i),
            AttrValue::Bool(b) => Kept::Bool(*b),
            AttrValue::Number(n) => Kept::Number(*n),
            AttrValue::Time(t) => Kept::Time(*t),
        };
        self.values.push(k);
        Some(())
    }

    /// Forgets the values from `len` on (an event refused half-way).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<Val<'_>> {
        Some(match *self.values.get(i)? {
            Kept::Missing => Val::Missing,
            Kept::Text(t) => Val::Text(self.texts.get(t)),
            Kept::Enum(i) => Val::Enum(i),
            Kept::Bool(b) => Val::Bool(b),
            Kept::Number(n) => Val::Number(n),
            Kept::Time(t) => Val::Time(t),
        })
    }

    /// Appends `other`'s values, its texts interned here; `None` when the texts are full.
    pub(crate) fn append(&mut self, other: Pool) -> Option<()> {
        let texts: Vec<u32> = (0..other.texts.len() as u32)
            .map(|t| self.texts.intern(other.texts.get(t)))
            .collect::<Option<_>>()?;
        self.values.reserve(other.values.len());
        for v in other.values {
            self.values.push(match v {
                Kept::Text(t) => Kept::Text(*texts.get(t as usize)?),
                v => v,
            });
        }
        Some(())
    }
}

// a checkpoint keeps the values as they were given, texts written out
impl Serialize for Pool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..self.values.len()).map(|i| match self.get(i) {
            Some(Val::Text(t)) => AttrValue::Text(t.to_string()),
            Some(Val::Enum(i)) => AttrValue::Enum(i),
            Some(Val::Bool(b)) => AttrValue::Bool(b),
            Some(Val::Number(n)) => AttrValue::Number(n),
            Some(Val::Time(t)) => AttrValue::Time(t),
            Some(Val::Missing) | None => AttrValue::Missing,
        }))
    }
}

impl<'de> Deserialize<'de> for Pool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pool, D::Error> {
        let values = Vec::<AttrValue>::deserialize(d)?;
        let mut pool = Pool::default();
        pool.values.reserve(values.len());
        for v in &values {
            pool.push(v)
                .ok_or_else(|| serde::de::Error::custom("more than 4 GiB of attribute texts"))?;
        }
        Ok(pool)
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

    #[test]
    fn names_intern_find_and_survive_a_round_trip() {
        let mut n = Names::default();
        let a = n.intern("T-1").unwrap();
        let b = n.intern("").unwrap();
        let c = n.intern("工单-2").unwrap();
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(n.intern("T-1"), Some(0));
        assert_eq!(n.get(2), "工单-2");
        assert_eq!(n.get(1), "");
        assert_eq!(n.get(9), "");
        assert_eq!(n.find("T-2"), None);
        let json = serde_json::to_string(&n).unwrap();
        let back: Names = serde_json::from_str(&json).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.find("工单-2"), Some(2));
        assert_eq!(back.find(""), Some(1));
    }

    #[test]
    fn many_names_grow_the_table_and_stay_found() {
        let mut n = Names::default();
        n.reserve(1000);
        for i in 0..100_000u32 {
            assert_eq!(n.intern(&format!("T-{i}")), Some(i));
        }
        for i in (0..100_000u32).step_by(7) {
            assert_eq!(n.find(&format!("T-{i}")), Some(i));
            assert_eq!(n.get(i), format!("T-{i}"));
        }
        assert_eq!(n.find("T-100000"), None);
        assert_eq!(n.find(""), None);
        // never more than 5/8 full, so a probe always ends
        assert!(n.slots.len() * 5 >= n.len() * 8);
        // interning again adds nothing
        assert_eq!(n.intern("T-99999"), Some(99_999));
        assert_eq!(n.len(), 100_000);
    }

    #[test]
    fn a_vacant_slot_dropped_adds_nothing_and_candidates_are_hints() {
        let mut n = Names::default();
        let h = n.hash("a");
        assert!(n.lookup(h, "a").is_err());
        assert_eq!(n.len(), 0);
        assert_eq!(n.candidate(h), None);
        let a = n.intern("a").unwrap();
        assert_eq!(n.candidate(h), Some(a));
        // hints on any index or hash are harmless
        n.prefetch(h);
        n.prefetch_end(u32::MAX);
        n.prefetch_name(7);
        assert_eq!(n.lookup(h, "a").ok(), Some(a));
    }

    #[test]
    fn appended_names_are_found_once_the_table_catches_up() {
        let mut a = Names::default();
        let mut b = Names::default();
        for i in 0..50u32 {
            a.intern(&format!("x-{i}"));
        }
        for i in 25..300u32 {
            b.intern(&format!("x-{i}"));
            if i % 50 == 0 {
                // a name known to `a` in the middle: the absent names come in several runs
                b.intern(&format!("x-{}", i / 50));
            }
        }
        let found = a.find_all(&b, 0..b.len() as u32);
        assert_eq!(found.len(), b.len());
        for (j, f) in found.iter().enumerate() {
            let name = b.get(j as u32);
            let i: u32 = name[2..].parse().unwrap();
            assert_eq!(*f, (i < 50).then_some(i), "{name}");
        }
        let here = a.append_missing(&b, &found).unwrap();
        for (j, i) in here.iter().enumerate() {
            assert_eq!(a.get(*i), b.get(j as u32));
        }
        assert_eq!(a.len(), 300);
        // a lookup enters the appended names first: every name is known, none twice
        let h = a.hash("x-299");
        assert!(a.indexed < a.len());
        assert!(a.lookup(h, "x-299").is_ok());
        assert_eq!(a.indexed, a.len());
        for i in 0..300u32 {
            assert_eq!(a.find(&format!("x-{i}")), Some(i));
        }
        assert_eq!(a.intern("x-300"), Some(300));
        assert!(a.slots.len() * 5 >= a.len() * 8);
    }

    #[test]
    fn damaged_name_lists_do_not_panic() {
        let back: Names = serde_json::from_str(r#"{"text":"abc","ends":[2,9,1]}"#).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back.get(0), "ab");
    }

    fn slim(at: i64, id: u32) -> Slim {
        Slim {
            at,
            id,
            kind: 0,
            product: 0,
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

    #[test]
    fn a_pool_keeps_values_as_given_and_texts_once() {
        use rust_decimal::Decimal;
        let given = |tag: &str| {
            vec![
                AttrValue::Text(format!("user{tag}")),
                AttrValue::Missing,
                AttrValue::Enum(3),
                AttrValue::Text("monitoring".into()),
                AttrValue::Number(Decimal::new(-1250, 2)),
                AttrValue::Bool(true),
                AttrValue::Time(1_790_000_000),
                AttrValue::Text(format!("user{tag}")),
            ]
        };
        let mut a = Pool::default();
        for v in &given("") {
            a.push(v).unwrap();
        }
        // one text kept once however often it comes
        assert_eq!(a.texts.len(), 2);
        assert_eq!(a.get(0), Some(Val::Text("user")));
        assert_eq!(a.get(4), Some(Val::Number(Decimal::new(-1250, 2))));
        assert_eq!(a.get(8), None);
        // a checkpoint writes the values as a list of the values given, and reads them back
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, serde_json::to_string(&given("")).unwrap());
        let back: Pool = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // another pool's texts are found or added here, its values keep their order
        let mut b = Pool::default();
        for v in &given("-b") {
            b.push(v).unwrap();
        }
        a.append(b).unwrap();
        assert_eq!(a.texts.len(), 3);
        let mut both = given("");
        both.extend(given("-b"));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&both).unwrap()
        );
        assert_eq!(a.get(8), Some(Val::Text("user-b")));
        assert_eq!(a.get(11), Some(Val::Text("monitoring")));
        a.truncate(8);
        assert_eq!(a.len(), 8);
    }

    #[test]
    fn slim_events_are_24_bytes() {
        assert_eq!(std::mem::size_of::<Slim>(), 24);
    }
}
