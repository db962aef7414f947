//! An `attrs` column given as Python values (a pandas object column of dicts, or any column
//! read through a list), converted with the interpreter lock held into one compact table:
//! per row, its entries (attribute number and value), strings in one shared buffer. No map
//! and no string key is allocated per row; values are exactly those `convert::to_json` gives.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::Value;
use slagrade::event::Scalar;

use crate::convert::{self, Types};

/// One attribute value of a dict.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    Null,
    /// `text[start..end]`
    Str(usize, usize),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `values[k]`: any other value, converted to JSON
    Json(usize),
}

enum Row {
    /// `entries[start..end]`
    Dict(usize, usize),
    /// not a dict: `values[k]` (`null`, JSON text, or anything else), or why it could not be
    /// converted
    Other(Result<usize, String>),
}

/// An `attrs` column of Python values.
pub struct Dicts {
    /// attribute names, by number
    names: Vec<String>,
    rows: Vec<Row>,
    entries: Vec<(usize, Slot)>,
    text: String,
    values: Vec<Value>,
}

/// What a row of the column holds.
pub enum Attrs<'a> {
    /// a dict: its entries, in the dict's order
    Entries(&'a [(usize, Slot)]),
    /// another value, converted
    Value(&'a Value),
    /// a value that could not be converted, and why
    Bad(&'a str),
}

/// Attribute numbers by key; a key object seen before is found by hash and identity or
/// equality, without reading its text again.
struct Keys<'py> {
    seen: Vec<(isize, Bound<'py, PyString>, usize)>,
}

impl<'py> Keys<'py> {
    fn number(&mut self, key: &Bound<'py, PyString>, names: &mut Vec<String>) -> usize {
        let hash = key.hash().ok();
        if let Some(h) = hash {
            for (kh, k, n) in &self.seen {
                if *kh == h && (k.is(key) || PyAnyMethods::eq(k.as_any(), key).unwrap_or(false)) {
                    return *n;
                }
            }
        }
        let text = key.to_string_lossy();
        let n = match names.iter().position(|x| *x == text) {
            Some(n) => n,
            None => {
                names.push(text.into_owned());
                names.len() - 1
            }
        };
        if let Some(h) = hash {
            self.seen.push((h, key.clone(), n));
        }
        n
    }
}

impl Dicts {
    /// Converts the values of `list` (depths as for an `attrs` value: the dict at 1); the
    /// objects in `missing` (such as pandas' `NA` and `NaT`) are null values.
    pub fn from_list(
        t: &Types<'_>,
        list: &Bound<'_, PyList>,
        missing: &[Bound<'_, PyAny>],
    ) -> Dicts {
        let mut d = Dicts {
            names: Vec::new(),
            rows: Vec::with_capacity(list.len()),
            entries: Vec::with_capacity(list.len() * 2),
            text: String::new(),
            values: Vec::new(),
        };
        let mut keys = Keys { seen: Vec::new() };
        for v in list.iter() {
            let row = match v.cast::<PyDict>() {
                Ok(dict) => {
                    let start = d.entries.len();
                    match d.dict(t, dict, &mut keys) {
                        Ok(()) => Row::Dict(start, d.entries.len()),
                        Err(e) => {
                            d.entries.truncate(start);
                            Row::Other(Err(e))
                        }
                    }
                }
                Err(_) if missing.iter().any(|m| m.is(&v)) => Row::Other(Ok(d.null())),
                Err(_) => Row::Other(convert::to_json(t, &v, 1).map(|x| {
                    d.values.push(x);
                    d.values.len() - 1
                })),
            };
            d.rows.push(row);
        }
        d
    }

    /// The index of a `null` in `values`.
    fn null(&mut self) -> usize {
        self.values.push(Value::Null);
        self.values.len() - 1
    }

    /// The entries of one dict; `Err` is the first value (in the dict's order) that cannot
    /// be converted, as `convert::to_json` says it.
    fn dict<'py>(
        &mut self,
        t: &Types<'_>,
        dict: &Bound<'py, PyDict>,
        keys: &mut Keys<'py>,
    ) -> Result<(), String> {
        for (k, x) in dict.iter() {
            let Ok(k) = k.cast::<PyString>() else {
                return Err(format!(
                    "keys must be strings, found a key of type `{}`",
                    convert::type_name(&k)
                ));
            };
            let n = keys.number(k, &mut self.names);
            let slot = self.value(t, &x)?;
            self.entries.push((n, slot));
        }
        Ok(())
    }

    fn value(&mut self, t: &Types<'_>, x: &Bound<'_, PyAny>) -> Result<Slot, String> {
        // the common types first, in the order `convert::to_json` tests them
        if x.is_none() {
            return Ok(Slot::Null);
        }
        if let Ok(b) = x.cast::<PyBool>() {
            return Ok(Slot::Bool(b.is_true()));
        }
        if let Ok(i) = x.cast::<PyInt>() {
            if let Ok(i) = i.extract::<i64>() {
                return Ok(Slot::Int(i));
            }
        } else if let Ok(f) = x.cast::<PyFloat>() {
            return Ok(Slot::Float(f.value()));
        } else if let Ok(s) = x.cast::<PyString>() {
            let start = self.text.len();
            match s.encode_utf8() {
                Ok(b) => self.text.push_str(&String::from_utf8_lossy(b.as_bytes())),
                Err(_) => self.text.push_str(&s.to_string_lossy()),
            }
            return Ok(Slot::Str(start, self.text.len()));
        }
        let v = convert::to_json(t, x, 2)?;
        self.values.push(v);
        Ok(Slot::Json(self.values.len() - 1))
    }

    pub fn row(&self, i: usize) -> Attrs<'_> {
        match self.rows.get(i) {
            Some(Row::Dict(a, b)) => Attrs::Entries(self.entries.get(*a..*b).unwrap_or(&[])),
            Some(Row::Other(Ok(k))) => self
                .values
                .get(*k)
                .map_or(Attrs::Value(&Value::Null), Attrs::Value),
            Some(Row::Other(Err(e))) => Attrs::Bad(e),
            None => Attrs::Value(&Value::Null),
        }
    }

    pub fn name(&self, n: usize) -> &str {
        self.names.get(n).map_or("", String::as_str)
    }

    /// The value of an entry: a string borrowed from the shared buffer, or a JSON value.
    pub fn slot(&self, s: Slot) -> SlotValue<'_> {
        match s {
            Slot::Null => SlotValue::Null,
            Slot::Str(a, b) => SlotValue::Str(self.text.get(a..b).unwrap_or("")),
            Slot::Int(i) => SlotValue::Int(i),
            Slot::Float(x) => SlotValue::Float(x),
            Slot::Bool(b) => SlotValue::Bool(b),
            Slot::Json(k) => self.values.get(k).map_or(SlotValue::Null, SlotValue::Json),
        }
    }

    /// The number of the key `name`, if some dict has it.
    pub fn number(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|x| x == name)
    }

    /// The value of key number `n` in a row's entries (the last entry of that key, as in a
    /// map).
    pub fn find<'a>(&'a self, entries: &'a [(usize, Slot)], n: usize) -> Option<SlotValue<'a>> {
        entries
            .iter()
            .rev()
            .find(|(k, _)| *k == n)
            .map(|(_, s)| self.slot(*s))
    }
}

/// A value of an entry.
pub enum SlotValue<'a> {
    Null,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Json(&'a Value),
}

impl<'a> SlotValue<'a> {
    pub fn scalar(self) -> Scalar<'a> {
        match self {
            SlotValue::Null => Scalar::Null,
            SlotValue::Str(s) => Scalar::Str(Cow::Borrowed(s)),
            SlotValue::Int(i) => Scalar::Int(i),
            SlotValue::Float(x) => Scalar::Float(x),
            SlotValue::Bool(b) => Scalar::Bool(b),
            SlotValue::Json(v) => Scalar::Json(Cow::Borrowed(v)),
        }
    }

    pub fn into_value(self) -> Cow<'a, Value> {
        self.scalar().into_json()
    }
}
