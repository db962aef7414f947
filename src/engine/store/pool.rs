//! The attribute values kept of stored events, each text once as an interned name; a
//! checkpoint keeps the values as they were given.

use serde::{Deserialize, Serialize};

use crate::event::AttrValue;

use super::Names;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
