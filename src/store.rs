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

use crate::clock::Timed;
use crate::contract::KindId;

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
    // seeded per process: fast, and not open to hash flooding by crafted names
    hasher: DefaultHashBuilder,
}

/// An unused slot: never a real entry, since index `u32::MAX` is never given out.
const EMPTY: u64 = u64::MAX;

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
    pub(crate) fn lookup(&mut self, hash: u64, s: &str) -> Result<u32, Vacant<'_>> {
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

    /// Looks up every name of `other` in order, hashing and prefetching a few names ahead so
    /// that the probes' cache misses overlap; `f` gets each name's index in `other`, the name
    /// and its lookup here. Stops at the first `None` from `f`.
    pub(crate) fn lookup_all(
        &mut self,
        other: &Names,
        mut f: impl FnMut(u32, &str, Result<u32, Vacant<'_>>) -> Option<()>,
    ) -> Option<()> {
        const AHEAD: u32 = 16;
        let n = u32::try_from(other.len()).ok()?;
        let mut hashes = [0u64; AHEAD as usize];
        for i in 0..n.saturating_add(AHEAD) {
            let slot = (i % AHEAD) as usize;
            let due = hashes.get(slot).copied().unwrap_or(0);
            if i < n {
                let h = self.hash(other.get(i));
                self.prefetch(h);
                *hashes.get_mut(slot)? = h;
            }
            if let Some(j) = i.checked_sub(AHEAD) {
                let name = other.get(j);
                f(j, name, self.lookup(due, name))?;
            }
        }
        Some(())
    }

    /// Grows the table (doubling) until `n` names fit at most 5/8 full.
    fn grow_for(&mut self, n: usize) {
        let need = |cap: usize| n.saturating_mul(8) > cap.saturating_mul(5);
        if !need(self.slots.len()) {
            return;
        }
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
    pub(crate) fn insert(self, s: &str) -> Option<u32> {
        let n = self.names;
        let end = u32::try_from(n.text.len().checked_add(s.len())?).ok()?;
        let index = u32::try_from(n.ends.len())
            .ok()
            .filter(|&i| i != u32::MAX)?;
        let slot = n.slots.get_mut(self.slot)?;
        *slot = (self.tag << 32) | u64::from(index);
        n.text.push_str(s);
        n.ends.push(end);
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
    fn damaged_name_lists_do_not_panic() {
        let back: Names = serde_json::from_str(r#"{"text":"abc","ends":[2,9,1]}"#).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back.get(0), "ab");
    }

    #[test]
    fn slim_events_are_24_bytes() {
        assert_eq!(std::mem::size_of::<Slim>(), 24);
    }
}
