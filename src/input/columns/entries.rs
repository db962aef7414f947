//! An `attrs` column of maps (a DataFrame column of dicts, say), kept as one compact table:
//! per row, its entries (attribute number and value), strings in one shared buffer. No map
//! and no string key is allocated per row.

use std::borrow::Cow;

use serde_json::Value;

use crate::event::Scalar;

/// One value of an entry, as [`Entries`] stores it.
#[derive(Debug, Clone, Copy)]
pub struct Slot(Kept);

#[derive(Debug, Clone, Copy)]
enum Kept {
    Null,
    /// `text[start..end]`
    Str(usize, usize),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `values[k]`: any other value, as JSON
    Json(usize),
}

impl Slot {
    /// A null value.
    pub const NULL: Slot = Slot(Kept::Null);
    /// An integer.
    pub fn int(i: i64) -> Slot {
        Slot(Kept::Int(i))
    }
    /// A float (NaN and infinities are missing values when read).
    pub fn float(x: f64) -> Slot {
        Slot(Kept::Float(x))
    }
    /// A boolean.
    pub fn bool(b: bool) -> Slot {
        Slot(Kept::Bool(b))
    }
}

enum Row {
    /// `entries[start..end]`
    Map(usize, usize),
    /// not a map: `values[k]` (`null`, JSON text, or anything else), or why it could not be
    /// converted
    Other(Result<usize, String>),
}

/// An `attrs` column of maps, filled row by row by a binding.
#[derive(Default)]
pub struct Entries {
    /// attribute names, by number
    names: Vec<String>,
    rows: Vec<Row>,
    entries: Vec<(usize, Slot)>,
    text: String,
    values: Vec<Value>,
}

/// What a row of the column holds.
pub(super) enum RowEntries<'a> {
    /// a map: its entries, in the map's order
    Map(&'a [(usize, Slot)]),
    /// another value
    Value(&'a Value),
    /// a value that could not be converted, and why
    Bad(&'a str),
}

impl Entries {
    /// An empty column with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> Entries {
        Entries {
            rows: Vec::with_capacity(rows),
            entries: Vec::with_capacity(rows.saturating_mul(2)),
            ..Entries::default()
        }
    }

    /// The number of the key `name`, given it when new.
    pub fn intern(&mut self, name: &str) -> usize {
        match self.names.iter().position(|x| x == name) {
            Some(n) => n,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        }
    }

    /// A string value, kept in the shared buffer.
    pub fn str(&mut self, s: &str) -> Slot {
        let start = self.text.len();
        self.text.push_str(s);
        Slot(Kept::Str(start, self.text.len()))
    }

    /// Any other value.
    pub fn json(&mut self, v: Value) -> Slot {
        self.values.push(v);
        Slot(Kept::Json(self.values.len() - 1))
    }

    /// Adds an entry to the map being built (see [`Entries::end_map`]).
    pub fn entry(&mut self, key: usize, value: Slot) {
        self.entries.push((key, value));
    }

    /// Where the next map's entries start: give it to [`Entries::end_map`].
    pub fn begin_map(&mut self) -> usize {
        self.entries.len()
    }

    /// Ends the row of the map whose entries were added since `start`; `Err` drops them, and
    /// the row is a value that could not be converted, with that reason.
    pub fn end_map(&mut self, start: usize, outcome: Result<(), String>) {
        let row = match outcome {
            Ok(()) => Row::Map(start, self.entries.len()),
            Err(e) => {
                self.entries.truncate(start);
                Row::Other(Err(e))
            }
        };
        self.rows.push(row);
    }

    /// A row that is not a map: a value (`null` for none, or a string of JSON), or why it
    /// could not be converted.
    pub fn other(&mut self, v: Result<Value, String>) {
        let row = Row::Other(v.map(|x| {
            self.values.push(x);
            self.values.len() - 1
        }));
        self.rows.push(row);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(super) fn row(&self, i: usize) -> RowEntries<'_> {
        match self.rows.get(i) {
            Some(Row::Map(a, b)) => RowEntries::Map(self.entries.get(*a..*b).unwrap_or(&[])),
            Some(Row::Other(Ok(k))) => self
                .values
                .get(*k)
                .map_or(RowEntries::Value(&Value::Null), RowEntries::Value),
            Some(Row::Other(Err(e))) => RowEntries::Bad(e),
            None => RowEntries::Value(&Value::Null),
        }
    }

    pub(super) fn name(&self, n: usize) -> &str {
        self.names.get(n).map_or("", String::as_str)
    }

    /// The value of an entry: a string borrowed from the shared buffer, or a JSON value.
    pub(super) fn slot(&self, s: Slot) -> Scalar<'_> {
        match s.0 {
            Kept::Null => Scalar::Null,
            Kept::Str(a, b) => Scalar::Str(Cow::Borrowed(self.text.get(a..b).unwrap_or(""))),
            Kept::Int(i) => Scalar::Int(i),
            Kept::Float(x) => Scalar::Float(x),
            Kept::Bool(b) => Scalar::Bool(b),
            Kept::Json(k) => self
                .values
                .get(k)
                .map_or(Scalar::Null, |v| Scalar::Json(Cow::Borrowed(v))),
        }
    }

    /// The number of the key `name`, if some map has it.
    pub(super) fn number(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|x| x == name)
    }

    /// The value of key number `n` in a row's entries (the last entry of that key, as in a
    /// map).
    pub(super) fn find<'a>(&'a self, entries: &'a [(usize, Slot)], n: usize) -> Option<Scalar<'a>> {
        entries
            .iter()
            .rev()
            .find(|(k, _)| *k == n)
            .map(|(_, s)| self.slot(*s))
    }
}
