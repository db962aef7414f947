//! Event input: a JSON Lines path, an iterable of dicts, or columns taken from a DataFrame or
//! an Arrow table.
//!
//! Columns come either as Arrow arrays, imported through the Arrow C Data Interface (see
//! [`crate::arrow`]), or as Python lists whose values are converted while the interpreter
//! lock is held (the path for columns of other types, and for DataFrames when pyarrow is not
//! installed). The core's column-wise table (`slagrade::input::columns`) holds the rules:
//! it validates the rows and feeds the evaluator, with the lock released.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde_json::Value;
use slagrade::engine::eval::Evaluator;
use slagrade::engine::scorecard::EventCounts;
use slagrade::event::{read_jsonl_with, Limits, LineRef, Reason, Rejection, Validator};
use slagrade::input::columns::{At, Attrs, Column, Fields, Named, Table};

use crate::arrow;
use crate::convert::{self, Types};
use crate::dicts;
use crate::errors;

/// A converted batch of events.
pub enum Batch {
    Path(PathBuf),
    /// per item: the converted value, or why it could not be converted and its text
    Records(Vec<Result<Value, (String, String)>>),
    Columns(Box<Table>),
}

/// Converts any accepted input into a batch (GIL held). Unreadable input is an `EventError`.
pub fn prepare(py: Python<'_>, events: &Bound<'_, PyAny>) -> PyResult<Batch> {
    let helper = py.import("slagrade._input")?;
    let prepared = helper.call_method1("prepare", (events,))?;
    let tuple = prepared.cast::<PyTuple>()?;
    let kind: String = tuple.get_item(0)?.extract()?;
    let payload = tuple.get_item(1)?;
    let t = Types::new(py)?;
    match kind.as_str() {
        "path" => Ok(Batch::Path(PathBuf::from(payload.extract::<String>()?))),
        "records" => records(&t, &payload),
        "columns" => Ok(Batch::Columns(Box::new(table(
            py,
            &t,
            payload.cast::<PyDict>()?,
        )?))),
        other => Err(errors::event_error(
            py,
            format!("unknown input kind `{other}`"),
        )),
    }
}

fn records(t: &Types<'_>, it: &Bound<'_, PyAny>) -> PyResult<Batch> {
    let py = it.py();
    let iter = it.try_iter().map_err(|_| {
        errors::event_error(
            py,
            format!(
                "events must be a path, an iterable of dicts or a DataFrame, not {}",
                convert::type_name(it)
            ),
        )
    })?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        out.push(match convert::to_json(t, &item, 0) {
            Ok(v) => Ok(v),
            Err(reason) => Err((reason, convert::shown(&item))),
        });
    }
    Ok(Batch::Records(out))
}

// ------------------------------------------------------------------------------- columns

/// Reads one column description. `desc`: a Python list of values (converted here), or a
/// tuple from `slagrade._input`: `("list", values)` or `("arrow", chunks)`. `at`: the column
/// is `at` (datetimes become instants); `at_epoch`: its list values are Unix seconds.
fn column(
    t: &Types<'_>,
    name: &str,
    desc: Option<Bound<'_, PyAny>>,
    at: bool,
    at_epoch: bool,
) -> PyResult<Column> {
    let py = t.datetime.py();
    let Some(desc) = desc.filter(|d| !d.is_none()) else {
        return Ok(Column::Absent);
    };
    if let Ok(list) = desc.cast::<PyList>() {
        return Ok(list_column(t, list, at, at_epoch));
    }
    let tuple = desc.cast::<PyTuple>()?;
    let tag: String = tuple.get_item(0)?.extract()?;
    match tag.as_str() {
        "list" => Ok(list_column(
            t,
            tuple.get_item(1)?.cast::<PyList>()?,
            at,
            false,
        )),
        "arrow" => arrow::column(tuple)?
            .map(Column::Arrow)
            .map_err(|e| errors::event_error(py, format!("column `{name}`: {e}"))),
        other => Err(errors::event_error(
            py,
            format!("column `{name}`: unknown column description `{other}`"),
        )),
    }
}

/// `("list", values, ...)`
fn is_list_desc(d: &Bound<'_, PyAny>) -> bool {
    d.cast::<PyTuple>().is_ok_and(|tu| {
        tu.get_item(0)
            .and_then(|x| x.extract::<String>())
            .is_ok_and(|x| x == "list")
    })
}

fn list_column(t: &Types<'_>, list: &Bound<'_, PyList>, at: bool, at_epoch: bool) -> Column {
    if !at {
        return Column::Values(list.iter().map(|v| convert::to_json(t, &v, 1)).collect());
    }
    Column::Instants(
        list.iter()
            .map(|v| {
                if v.is_none() {
                    At::Value(Value::Null)
                } else if at_epoch {
                    match v.extract::<i64>() {
                        Ok(s) => At::Secs(s),
                        Err(_) => At::Bad("`at` is not a time".into()),
                    }
                } else if let Ok(s) = v.cast::<PyString>() {
                    At::Value(Value::String(s.to_string_lossy().into_owned()))
                } else if v.is_instance(&t.datetime).unwrap_or(false) {
                    // a naive datetime is its ISO text, as in a dict: the core says what it
                    // lacks, in the same words for every input, and the rejection shows it
                    match convert::naive_text(&v) {
                        Some(text) => At::Value(Value::String(text)),
                        None => match convert::aware_seconds(&v) {
                            Ok(s) => At::Secs(s),
                            Err(e) => At::Bad(format!("`at`: {e}")),
                        },
                    }
                } else {
                    match convert::to_json(t, &v, 1) {
                        Ok(x) => At::Value(x),
                        Err(e) => At::Bad(format!("`at`: {e}")),
                    }
                }
            })
            .collect(),
    )
}

fn named_columns(t: &Types<'_>, d: Option<Bound<'_, PyAny>>) -> PyResult<Named> {
    let mut cols = Vec::new();
    if let Some(d) = d.filter(|d| !d.is_none()) {
        let items: Vec<(String, Bound<'_, PyAny>)> = if let Ok(d) = d.cast::<PyDict>() {
            d.iter()
                .map(|(k, v)| k.extract().map(|k| (k, v)))
                .collect::<PyResult<_>>()?
        } else {
            d.extract()?
        };
        for (name, desc) in items {
            let col = column(t, &name, Some(desc), false, false)?;
            cols.push((name, col));
        }
    }
    Ok(Named::new(cols))
}

/// Reads `{"n", "at_epoch", "columns": {name: desc}, "extra": {name: desc}}` (see
/// [`column`]) into a table (GIL held; the table's lengths and arrays are checked by
/// [`Table::new`], with the lock released). The `attrs` description may also be
/// `("struct", [(field, desc), ...])` or `("list", values[, missing])`.
fn table(py: Python<'_>, t: &Types<'_>, spec: &Bound<'_, PyDict>) -> PyResult<Table> {
    let n: usize = spec
        .get_item("n")?
        .map(|v| v.extract())
        .transpose()?
        .unwrap_or(0);
    let at_epoch: bool = spec
        .get_item("at_epoch")?
        .map(|v| v.extract())
        .transpose()?
        .unwrap_or(false);
    let cols = match spec.get_item("columns")? {
        Some(c) => c.cast_into::<PyDict>()?,
        None => PyDict::new(py),
    };
    let get = |name: &str, at: bool| -> PyResult<Column> {
        column(t, name, cols.get_item(name)?, at, at_epoch)
    };
    let attrs = match cols.get_item("attrs")? {
        Some(d)
            if d.cast::<PyTuple>().is_ok_and(|tu| {
                tu.get_item(0)
                    .and_then(|x| x.extract::<String>())
                    .is_ok_and(|x| x == "struct")
            }) =>
        {
            Attrs::Fields(named_columns(t, Some(d.cast::<PyTuple>()?.get_item(1)?))?)
        }
        Some(d) if d.cast::<PyList>().is_ok() || is_list_desc(&d) => {
            // `("list", values[, missing])`: `missing` are more values that are null
            let (list, missing) = match d.cast_into::<PyList>() {
                Ok(l) => (l, Vec::new()),
                Err(e) => {
                    let tu = e.into_inner().cast_into::<PyTuple>()?;
                    let missing = match tu.get_item(2) {
                        Ok(m) => m.extract::<Vec<Bound<'_, PyAny>>>()?,
                        Err(_) => Vec::new(),
                    };
                    (tu.get_item(1)?.cast_into::<PyList>()?, missing)
                }
            };
            Attrs::Entries(dicts::from_list(t, &list, &missing))
        }
        d => Attrs::Values(column(t, "attrs", d, false, false)?),
    };
    let extra = named_columns(t, spec.get_item("extra")?)?;
    let fields = Fields {
        id: get("id", false)?,
        at: get("at", true)?,
        kind: get("kind", false)?,
        subject: get("subject", false)?,
        product: get("product", false)?,
        party: get("party", false)?,
    };
    py.detach(|| Table::new(n, fields, attrs, extra))
        .map_err(|e| errors::event_error(py, e.to_string()))
}

/// Feeds a batch into an evaluator (run with the GIL released). Positions (`line`) are
/// 1-based: the line of the file, or the item or row of the input, after the positions the
/// evaluator was fed before (see `Evaluator::positions`). A file is read on up to `threads`
/// threads (see [`read_path`]). `Err` is an I/O error.
pub fn feed(ev: &mut Evaluator, batch: &Batch, threads: usize) -> Result<EventCounts, String> {
    let before = ev.counts();
    let plan = Arc::clone(ev.plan());
    let base = ev.positions();
    match batch {
        Batch::Path(path) => read_path(ev, path, threads)?,
        Batch::Records(items) => {
            let v = Validator::new(plan.contract());
            for (i, item) in items.iter().enumerate() {
                let line = Some(base + i as u64 + 1);
                match item {
                    Ok(value) => match v.value(value) {
                        Ok(e) => {
                            ev.push(e);
                        }
                        Err(reason) => ev.reject(Rejection {
                            line,
                            reason,
                            text: value.to_string(),
                        }),
                    },
                    Err((reason, text)) => ev.reject(Rejection {
                        line,
                        reason: Reason::Other(reason.clone()),
                        text: text.clone(),
                    }),
                }
            }
            ev.add_positions(items.len() as u64);
        }
        Batch::Columns(table) => table.feed(ev),
    }
    Ok(ev.counts().since(before))
}

/// `Err` (the message for an `EventError`) unless `path` is a regular file.
pub fn check_file(path: &Path) -> Result<u64, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read events file {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "cannot read events file {}: not a file",
            path.display()
        ));
    }
    Ok(meta.len())
}

/// Reads a JSON Lines file into `ev`. The file is read by the core's reader on up to
/// `threads` threads, blocks of lines parsed on all of them and pushed in file order into
/// one evaluator: exactly the sequential read, rejected line numbers included (after the
/// positions fed before). Into an evaluator that already holds events, the file's evaluator
/// is merged after them (their events came first, so they win on a repeated id); on one
/// thread the lines are then added to it directly.
fn read_path(ev: &mut Evaluator, path: &Path, threads: usize) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot read events file {}: {e}", path.display());
    check_file(path)?;
    let plan = Arc::clone(ev.plan());
    let empty = ev.counts() == EventCounts::default() && ev.positions() == 0;
    if threads <= 1 && !empty {
        let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        let base = ev.positions();
        let lines = read_jsonl_with(plan.contract(), reader, Limits::default(), |o| match o {
            LineRef::Accepted(e) => {
                ev.push_ref(e);
            }
            LineRef::Rejected(mut r) => {
                r.line = r.line.map(|l| l + base);
                ev.reject(r)
            }
        })
        .map_err(|e| fail(&e))?;
        ev.add_positions(lines);
        return Ok(());
    }
    let read = slagrade::input::ingest::read_file(&plan, path, Limits::default(), threads)
        .map_err(|e| fail(&e))?;
    if empty {
        *ev = read;
    } else {
        ev.merge(read).map_err(|e| fail(&e))?;
    }
    Ok(())
}
