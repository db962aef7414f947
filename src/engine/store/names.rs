//! Names (ids or subjects) interned to dense integers: an arena of text and an open-addressing
//! table of indices, kept in a checkpoint as the list of names.

use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

use super::prefetch;

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
}
