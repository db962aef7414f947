//! An `attrs` column given as Python values (a pandas object column of dicts, or any column
//! read through a list), converted with the interpreter lock held into the core's compact
//! table of entries ([`Entries`]). No map and no string key is allocated per row; values are
//! exactly those `convert::to_json` gives.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::Value;
use slagrade::input::columns::{Entries, Slot};

use crate::convert::{self, Types};

/// Attribute numbers by key; a key object seen before is found by hash and identity or
/// equality, without reading its text again.
struct Keys<'py> {
    seen: Vec<(isize, Bound<'py, PyString>, usize)>,
}

impl<'py> Keys<'py> {
    fn number(&mut self, key: &Bound<'py, PyString>, e: &mut Entries) -> usize {
        let hash = key.hash().ok();
        if let Some(h) = hash {
            for (kh, k, n) in &self.seen {
                if *kh == h && (k.is(key) || PyAnyMethods::eq(k.as_any(), key).unwrap_or(false)) {
                    return *n;
                }
            }
        }
        let n = e.intern(&key.to_string_lossy());
        if let Some(h) = hash {
            self.seen.push((h, key.clone(), n));
        }
        n
    }
}

/// Converts the values of `list` (depths as for an `attrs` value: the dict at 1); the
/// objects in `missing` (such as pandas' `NA` and `NaT`) are null values.
pub fn from_list(t: &Types<'_>, list: &Bound<'_, PyList>, missing: &[Bound<'_, PyAny>]) -> Entries {
    let mut e = Entries::with_capacity(list.len());
    let mut keys = Keys { seen: Vec::new() };
    for v in list.iter() {
        match v.cast::<PyDict>() {
            Ok(dict) => {
                let start = e.begin_map();
                let outcome = entries(t, dict, &mut keys, &mut e);
                e.end_map(start, outcome);
            }
            Err(_) if missing.iter().any(|m| m.is(&v)) => e.other(Ok(Value::Null)),
            Err(_) => e.other(convert::to_json(t, &v, 1)),
        }
    }
    e
}

/// The entries of one dict; `Err` is the first value (in the dict's order) that cannot be
/// converted, as `convert::to_json` says it.
fn entries<'py>(
    t: &Types<'_>,
    dict: &Bound<'py, PyDict>,
    keys: &mut Keys<'py>,
    e: &mut Entries,
) -> Result<(), String> {
    for (k, x) in dict.iter() {
        let Ok(k) = k.cast::<PyString>() else {
            return Err(format!(
                "keys must be strings, found a key of type `{}`",
                convert::type_name(&k)
            ));
        };
        let n = keys.number(k, e);
        let slot = value(t, &x, e)?;
        e.entry(n, slot);
    }
    Ok(())
}

fn value(t: &Types<'_>, x: &Bound<'_, PyAny>, e: &mut Entries) -> Result<Slot, String> {
    // the common types first, in the order `convert::to_json` tests them
    if x.is_none() {
        return Ok(Slot::NULL);
    }
    if let Ok(b) = x.cast::<PyBool>() {
        return Ok(Slot::bool(b.is_true()));
    }
    if let Ok(i) = x.cast::<PyInt>() {
        if let Ok(i) = i.extract::<i64>() {
            return Ok(Slot::int(i));
        }
    } else if let Ok(f) = x.cast::<PyFloat>() {
        return Ok(Slot::float(f.value()));
    } else if let Ok(s) = x.cast::<PyString>() {
        return Ok(match s.encode_utf8() {
            Ok(b) => e.str(&String::from_utf8_lossy(b.as_bytes())),
            Err(_) => e.str(&s.to_string_lossy()),
        });
    }
    let v = convert::to_json(t, x, 2)?;
    Ok(e.json(v))
}
