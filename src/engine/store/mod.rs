//! The evaluator's storage: names interned to dense integers, events kept as 24-byte records.
//!
//! Ids and subject names are written once into an arena and found through a hash table of
//! indices (the string is compared only when the hash matches, i.e. for a real duplicate or
//! a known subject). An accepted event keeps its instant, interned id, kind, product and the
//! offset of the attribute values the contract actually reads; every other attribute is
//! dropped when the event is stored.
//!
//! `names` interns ids and subjects, `logs` keeps every subject's events in one arena, `pool`
//! keeps the attribute values the contract reads.

use serde::{Deserialize, Serialize};

use crate::contract::{KindId, ProductId};
use crate::engine::clock::Timed;

mod logs;
mod names;
mod pool;

pub(crate) use logs::Logs;
pub(crate) use names::Names;
pub(crate) use pool::{Pool, Val};

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

/// An accepted event as the evaluator keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Slim {
    pub at: i64,
    /// index into the evaluator's ids
    pub id: u32,
    /// a kind of the evaluator's contract: push stores only those, restore checks them
    #[serde(deserialize_with = "crate::contract::id::raw::de")]
    pub kind: KindId,
    /// the product of the validated event (restore checks it against the contract)
    #[serde(deserialize_with = "crate::contract::id::raw::de")]
    pub product: ProductId,
    /// offset of the kind's kept attribute values in the attribute pool
    pub attrs: u32,
}

impl Timed for Slim {
    fn at(&self) -> i64 {
        self.at
    }
    fn kind(&self) -> Option<KindId> {
        Some(self.kind)
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
    fn slim_events_are_24_bytes() {
        assert_eq!(std::mem::size_of::<Slim>(), 24);
    }
}
