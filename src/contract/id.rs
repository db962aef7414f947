//! Typed indices into the tables of a checked contract, and [`Table`], a vector indexed by
//! one of them: an index of one table does not compile as an index of another.
//!
//! Only the crate mints ids (the checker, as it builds a contract, and the engine, for tables
//! it sizes to one); a user reads them from a contract or an event and hands them back.

use std::marker::PhantomData;

/// An index type of a [`Table`]: a position that only the crate mints (the trait is sealed).
pub trait Idx: Copy + sealed::Mint {
    /// The position in its table.
    fn index(self) -> usize;
}

mod sealed {
    /// Minting an id: a trait outside code cannot name, so it cannot call it either.
    pub trait Mint: Sized {
        /// The id at a position; `None` past `u32::MAX`.
        fn from_index(i: usize) -> Option<Self>;
    }
}
use sealed::Mint;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(u32);

        impl $name {
            /// The position in its table.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// An id no table holds, for storage slots no item fills.
            #[allow(dead_code)]
            pub(crate) const HOLE: Self = Self(u32::MAX);

            /// The id at a position; `None` from `u32::MAX` on (no contract comes near).
            #[inline]
            pub(crate) fn new(i: usize) -> Option<Self> {
                u32::try_from(i).ok().filter(|i| *i != u32::MAX).map(Self)
            }
        }

        impl Idx for $name {
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl Mint for $name {
            #[inline]
            fn from_index(i: usize) -> Option<Self> {
                Self::new(i)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// Index into [`Contract::calendars`](super::Contract::calendars).
    CalendarId;
    /// Index into [`Contract::parties`](super::Contract::parties).
    PartyId;
    /// Index into [`Contract::categories`](super::Contract::categories).
    CategoryId;
    /// Index into [`Contract::products`](super::Contract::products).
    ProductId;
    /// Index into [`Contract::kinds`](super::Contract::kinds).
    KindId;
    /// Index into [`Contract::subjects`](super::Contract::subjects).
    SubjectId;
    /// Index into [`Contract::indicators`](super::Contract::indicators).
    IndicatorId;
    /// Index into the attribute list of one event kind ([`EventKind::attrs`](super::EventKind::attrs)).
    AttrId;
    /// Index into the flag list of one subject ([`Subject::flags`](super::Subject::flags)).
    FlagId;
}

/// Deserializes an id the crate wrote itself (checkpoints, partitions): not public, so that
/// only the crate mints ids; whoever reads one checks it against the contract.
pub(crate) mod raw {
    use super::Mint;

    /// `#[serde(deserialize_with = "crate::contract::id::raw::de")]`
    pub(crate) fn de<'de, D: serde::Deserializer<'de>, I: Mint>(d: D) -> Result<I, D::Error> {
        let i: u32 = serde::Deserialize::deserialize(d)?;
        I::from_index(i as usize).ok_or_else(|| serde::de::Error::custom("index out of range"))
    }
}

/// A vector indexed by one id type: `Table<KindId, T>` holds one `T` per event kind, and only
/// a [`KindId`] reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Table<I, T> {
    items: Vec<T>,
    of: PhantomData<fn(I)>,
}

impl<I, T> Table<I, T> {
    /// An empty table.
    pub const fn new() -> Self {
        Table {
            items: Vec::new(),
            of: PhantomData,
        }
    }
}

impl<I: Idx, T> Table<I, T> {
    /// A table of these items, the first at index 0.
    pub(crate) fn from_vec(items: Vec<T>) -> Self {
        Table {
            items,
            of: PhantomData,
        }
    }

    /// The item of an id; `None` for an id of another table of the same kind (another
    /// contract's).
    #[inline]
    pub fn get(&self, i: I) -> Option<&T> {
        self.items.get(i.index())
    }

    /// The item of an id, to change it.
    #[inline]
    pub(crate) fn get_mut(&mut self, i: I) -> Option<&mut T> {
        self.items.get_mut(i.index())
    }

    /// Appends an item; its id, `None` (and nothing appended) past `u32::MAX` items.
    pub(crate) fn push(&mut self, x: T) -> Option<I> {
        let id = I::from_index(self.items.len())?;
        self.items.push(x);
        Some(id)
    }

    /// The id the next item pushed gets; `None` past `u32::MAX` items.
    pub(crate) fn next_id(&self) -> Option<I> {
        I::from_index(self.items.len())
    }

    /// The id of the first item that satisfies `f`.
    pub fn position(&self, f: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(f).and_then(I::from_index)
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// No items?
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items in order, each with its id.
    pub fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        // every position of a table fits an id: tables are built from contracts, far below u32
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((I::from_index(i)?, x)))
    }

    /// The ids of the table, in order.
    pub fn ids(&self) -> impl Iterator<Item = I> {
        (0..self.items.len()).filter_map(I::from_index)
    }

    /// The items as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I, T: std::fmt::Debug> std::fmt::Debug for Table<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.items.fmt(f)
    }
}

impl<I, T> Default for Table<I, T> {
    fn default() -> Self {
        Table::new()
    }
}

impl<'a, I: Idx, T> IntoIterator for &'a Table<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Idx, T> IntoIterator for Table<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<I: Idx, T> FromIterator<T> for Table<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(it: It) -> Self {
        Table::from_vec(it.into_iter().collect())
    }
}
