//! The evaluator's storage: names interned to dense integers, events kept as 24-byte records.
//!
//! Ids and subject names are written once into an arena and found through a hash table of
//! indices (the string is compared only when the hash matches, i.e. for a real duplicate or
//! a known subject). An accepted event keeps its instant, interned id, kind, product and the
//! offset of the attribute values the contract actually reads; every other attribute is
//! dropped when the event is stored.

use hashbrown::{DefaultHashBuilder, HashTable};
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

use crate::clock::Timed;
use crate::contract::KindId;

/// Names (ids or subjects) interned to dense `u32` indices.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(from = "NameList", into = "NameList")]
pub(crate) struct Names {
    text: String,
    /// end offset in `text` of each name
    ends: Vec<u32>,
    /// per name: its index (low 32 bits) and the high 32 bits of its hash, so that the
    /// table grows without reading the names again
    table: HashTable<u64>,
    // seeded per process: fast, and not open to hash flooding by crafted names
    hasher: DefaultHashBuilder,
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
        let mut n = Names {
            text: l.text,
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        };
        // re-interning checks the offsets: a damaged list gives fewer names, never a panic
        let (text, ends) = (std::mem::take(&mut n.text), l.ends);
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

impl Names {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.table.reserve(n, |&x| spread(x));
        self.ends.reserve(n);
    }

    /// The name with this index ("" for an index out of range).
    pub(crate) fn get(&self, i: u32) -> &str {
        name_at(&self.text, &self.ends, i)
    }

    /// The hash the table is keyed by (see [`spread`]).
    pub(crate) fn hash(&self, s: &str) -> u64 {
        spread(self.hasher.hash_one(s) & 0xffff_ffff_0000_0000)
    }

    #[cfg(test)]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        self.find_hashed(self.hash(s), s)
    }

    pub(crate) fn find_hashed(&self, hash: u64, s: &str) -> Option<u32> {
        let (text, ends) = (&self.text, &self.ends);
        let high = hash & 0xffff_ffff_0000_0000;
        self.table
            .find(hash, |&x| {
                x & 0xffff_ffff_0000_0000 == high && name_at(text, ends, x as u32) == s
            })
            .map(|&x| x as u32)
    }

    /// The index of `s`, adding it if new; `None` when the arena is full (4 GiB of names or
    /// 2^32 names), which the caller reports.
    pub(crate) fn intern(&mut self, s: &str) -> Option<u32> {
        let h = self.hash(s);
        self.intern_hashed(h, s)
    }

    pub(crate) fn intern_hashed(&mut self, hash: u64, s: &str) -> Option<u32> {
        if let Some(i) = self.find_hashed(hash, s) {
            return Some(i);
        }
        self.add_hashed(hash, s)
    }

    /// The index of `s` if known, else a place to add it with one more probe saved: for the
    /// common case of a new id, one hash-table probe in all.
    pub(crate) fn lookup(&mut self, hash: u64, s: &str) -> Result<u32, Vacant<'_>> {
        let high = hash & 0xffff_ffff_0000_0000;
        let (text, ends) = (&self.text, &self.ends);
        match self.table.entry(
            hash,
            |&x| x & 0xffff_ffff_0000_0000 == high && name_at(text, ends, x as u32) == s,
            |&x| spread(x),
        ) {
            hashbrown::hash_table::Entry::Occupied(o) => Ok(*o.get() as u32),
            hashbrown::hash_table::Entry::Vacant(v) => Err(Vacant {
                entry: v,
                text: &mut self.text,
                ends: &mut self.ends,
                high,
            }),
        }
    }

    /// Adds a name known to be absent.
    pub(crate) fn add_hashed(&mut self, hash: u64, s: &str) -> Option<u32> {
        let end = u32::try_from(self.text.len().checked_add(s.len())?).ok()?;
        let index = u32::try_from(self.ends.len()).ok()?;
        self.text.push_str(s);
        self.ends.push(end);
        let entry = (hash & 0xffff_ffff_0000_0000) | u64::from(index);
        self.table.insert_unique(hash, entry, |&x| spread(x));
        Some(index)
    }
}

/// A table hash from the high 32 bits of a name's hash (the low 32 bits of `x` are ignored):
/// the same bits feed the bucket index (low bits) and the tag (top bits).
fn spread(x: u64) -> u64 {
    let h = x >> 32;
    (h << 32) | h
}

/// Where a name not yet known goes (see [`Names::lookup`]); dropping it adds nothing.
pub(crate) struct Vacant<'a> {
    entry: hashbrown::hash_table::VacantEntry<'a, u64>,
    text: &'a mut String,
    ends: &'a mut Vec<u32>,
    high: u64,
}

impl Vacant<'_> {
    /// Adds the name; `None` when the arena is full.
    pub(crate) fn insert(self, s: &str) -> Option<u32> {
        let end = u32::try_from(self.text.len().checked_add(s.len())?).ok()?;
        let index = u32::try_from(self.ends.len()).ok()?;
        self.text.push_str(s);
        self.ends.push(end);
        self.entry.insert(self.high | u64::from(index));
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
