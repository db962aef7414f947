//! Event input: a JSON Lines path, an iterable of dicts, or columns taken from a DataFrame or
//! an Arrow table.
//!
//! Columns come either as Arrow buffers, read in place (see [`crate::arrow`]), or as Python
//! lists whose values are converted while the interpreter lock is held (the path for columns
//! of other types, and for DataFrames when pyarrow is not installed). Validation and
//! evaluation run with the lock released; for large column-wise inputs the rows are
//! validated on two threads, one of them also adding the events to the evaluator in order.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use slagrade::contract::Contract;
use slagrade::contract::{KindId, ProductId};
use slagrade::engine::eval::Evaluator;
use slagrade::engine::scorecard::EventCounts;
use slagrade::event::{
    read_jsonl_with, AttrValue, EventRef, Limits, LineRef, Reason, Rejection, Scalar, Validator,
};
use slagrade::parallel::{in_order, BlockSource};

use crate::arrow;
use crate::convert::{self, Types};
use crate::dicts;
use crate::errors;

/// The instant of one row of a column given as a Python list.
pub enum At {
    Secs(i64),
    Value(Value),
    Bad(String),
}

/// A converted batch of events.
pub enum Batch {
    Path(PathBuf),
    /// per item: the converted value, or why it could not be converted and its text
    Records(Vec<Result<Value, (String, String)>>),
    Columns(Box<Columns>),
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
        "columns" => {
            let mut cols = Columns::from_py(&t, payload.cast::<PyDict>()?)?;
            py.detach(|| cols.check())
                .map_err(|e| errors::event_error(py, e))?;
            Ok(Batch::Columns(Box::new(cols)))
        }
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

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ------------------------------------------------------------------------------- columns

/// One column of a column-wise input.
enum Column {
    /// not given: every value is missing
    Absent,
    /// converted from a Python list; `Err` is why a value could not be converted
    List(Vec<Result<Value, String>>),
    /// the `at` column converted from a Python list
    At(Vec<At>),
    /// Arrow buffers, read in place
    Arrow(arrow::Column),
}

/// One value of a column. Null, NaN and infinite floats are all `Null` (a missing value).
enum Cell<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Unix seconds of a timezone-aware time
    Secs(i64),
    Json(&'a Value),
    /// a value that could not be converted, and why
    Bad(&'a str),
}

impl Cell<'_> {
    fn json_type(&self) -> &'static str {
        match self {
            Cell::Null | Cell::Bad(_) => "null",
            Cell::Str(_) => "a string",
            Cell::Int(_) | Cell::Float(_) | Cell::Secs(_) => "a number",
            Cell::Bool(_) => "a boolean",
            Cell::Json(v) => json_type(v),
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Cell::Null | Cell::Bad(_))
    }
}

impl<'a> Cell<'a> {
    /// The value for the validator; `None` for no value (null, or not convertible).
    fn scalar(self) -> Option<Scalar<'a>> {
        Some(match self {
            Cell::Null | Cell::Bad(_) => return None,
            Cell::Str(s) => Scalar::Str(s),
            Cell::Int(i) | Cell::Secs(i) => Scalar::Int(i),
            Cell::Float(x) => Scalar::Float(x),
            Cell::Bool(b) => Scalar::Bool(b),
            Cell::Json(v) => Scalar::Json(Cow::Borrowed(v)),
        })
    }

    /// The value as JSON, as the Python conversion gives it for the same value.
    fn into_value(self) -> Cow<'a, Value> {
        self.scalar()
            .map_or(Cow::Owned(Value::Null), Scalar::into_json)
    }
}

impl Column {
    fn len(&self) -> Option<usize> {
        match self {
            Column::Absent => None,
            Column::List(v) => Some(v.len()),
            Column::At(v) => Some(v.len()),
            Column::Arrow(c) => Some(c.len()),
        }
    }

    fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Absent => Cell::Null,
            Column::List(v) => match v.get(row) {
                None | Some(Ok(Value::Null)) => Cell::Null,
                Some(Ok(Value::String(s))) => Cell::Str(Cow::Borrowed(s)),
                Some(Ok(j)) => Cell::Json(j),
                Some(Err(e)) => Cell::Bad(e),
            },
            Column::At(v) => match v.get(row) {
                None | Some(At::Value(Value::Null)) => Cell::Null,
                Some(At::Secs(s)) => Cell::Secs(*s),
                Some(At::Value(Value::String(s))) => Cell::Str(Cow::Borrowed(s)),
                Some(At::Value(j)) => Cell::Json(j),
                Some(At::Bad(e)) => Cell::Bad(e),
            },
            Column::Arrow(c) => match c.cell(row) {
                arrow::Cell::Null => Cell::Null,
                arrow::Cell::Str(s) => Cell::Str(s),
                arrow::Cell::Int(i) => Cell::Int(i),
                arrow::Cell::Float(x) => Cell::Float(x),
                arrow::Cell::Bool(b) => Cell::Bool(b),
                arrow::Cell::Secs(s) => Cell::Secs(s),
            },
        }
    }

    /// Whether some value could not be converted (Python lists only).
    fn any_bad(&self) -> bool {
        matches!(self, Column::List(v) if v.iter().any(Result::is_err))
    }

    /// Why the value at `row` could not be converted (Python lists only).
    fn error(&self, row: usize) -> Option<&str> {
        match self {
            Column::List(v) => v
                .get(row)
                .and_then(|x| x.as_ref().err())
                .map(String::as_str),
            _ => None,
        }
    }
}

/// Named columns (attribute columns, or the fields of an `attrs` struct column), in order.
struct Named {
    cols: Vec<(String, Column)>,
    /// by name, for many columns (a few are searched in order)
    index: Option<HashMap<String, usize>>,
}

impl Named {
    /// The position of the first column of `name`.
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.cols.iter().position(|(n, _)| n == name),
        }
    }

    fn column(&self, k: usize) -> Option<&Column> {
        self.cols.get(k).map(|(_, c)| c)
    }
}

/// Where a declared attribute can be found in a batch, by position: a field of the `attrs`
/// struct, a key of the `attrs` dicts, an attribute column `attrs.name` (as
/// `pandas.json_normalize` names it) or `name` (see [`Columns::attr`]).
#[derive(Clone, Copy, Default)]
struct Source {
    field: Option<usize>,
    key: Option<usize>,
    flat: Option<usize>,
    extra: Option<usize>,
}

/// The sources of every declared attribute of every kind, by kind and declaration order:
/// found once per batch, so that no row looks an attribute up by name (an `attrs` column of
/// JSON objects still does: each row is a map of its own).
struct Sources(Vec<Vec<Source>>);

impl Sources {
    fn get(&self, kind: KindId, k: usize) -> Source {
        self.0
            .get(kind.index())
            .and_then(|a| a.get(k))
            .copied()
            .unwrap_or_default()
    }
}

/// The `attrs` column.
enum Attrs {
    /// an Arrow column: JSON text or nulls (any other type rejects its rows), or no column
    Values(Column),
    /// a struct column, read field by field
    Fields(Named),
    /// Python values (dicts, mostly), converted
    Dicts(dicts::Dicts),
}

/// The attributes of one row.
enum RowAttrs<'a> {
    None,
    Map(Cow<'a, Map<String, Value>>),
    /// in the fields of a struct column
    Fields,
    /// the entries of a dict
    Entries(&'a [(usize, dicts::Slot)]),
}

/// A column-wise batch: DataFrame or Arrow table columns.
pub struct Columns {
    n: usize,
    id: Column,
    at: Column,
    kind: Column,
    subject: Column,
    product: Column,
    party: Column,
    attrs: Attrs,
    /// the other columns, flat attributes, in column order
    extra: Named,
    /// some value of a field or attribute column could not be converted (most inputs have
    /// none, and their rows need not be searched for one)
    any_bad: bool,
}

fn str_cell<'c>(c: Cell<'c>, key: &'static str) -> Result<Cow<'c, str>, Reason> {
    match c {
        Cell::Null => Err(Reason::Missing(key)),
        Cell::Str(s) if s.is_empty() => Err(Reason::Empty(key)),
        Cell::Str(s) => Ok(s),
        other => Err(Reason::WrongType {
            field: key,
            expected: "a string",
            found: other.json_type(),
        }),
    }
}

/// Reads one column description. `desc`: a Python list of values (converted here), or a
/// tuple from `slagrade._input`: `("list", values)` or `("arrow", kind, per_second, chunks,
/// keep)`. `at`: the column is `at` (datetimes become instants); `at_epoch`: its list values
/// are Unix seconds.
fn column(
    t: &Types<'_>,
    name: &str,
    desc: Option<Bound<'_, PyAny>>,
    n: usize,
    at: bool,
    at_epoch: bool,
) -> PyResult<Column> {
    let py = t.datetime.py();
    let Some(desc) = desc.filter(|d| !d.is_none()) else {
        return Ok(Column::Absent);
    };
    let col = if let Ok(list) = desc.cast::<PyList>() {
        list_column(t, list, at, at_epoch)
    } else {
        let tuple = desc.cast::<PyTuple>()?;
        let tag: String = tuple.get_item(0)?.extract()?;
        match tag.as_str() {
            "list" => list_column(t, tuple.get_item(1)?.cast::<PyList>()?, at, false),
            "arrow" => arrow::Column::from_py(tuple)?
                .map(Column::Arrow)
                .map_err(|e| errors::event_error(py, format!("column `{name}`: {e}")))?,
            other => {
                return Err(errors::event_error(
                    py,
                    format!("column `{name}`: unknown column description `{other}`"),
                ))
            }
        }
    };
    match col.len() {
        Some(len) if len != n => Err(errors::event_error(
            py,
            format!("column `{name}` has {len} values, expected {n}"),
        )),
        _ => Ok(col),
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
        return Column::List(list.iter().map(|v| convert::to_json(t, &v, 1)).collect());
    }
    Column::At(
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

fn named_columns(t: &Types<'_>, d: Option<Bound<'_, PyAny>>, n: usize) -> PyResult<Named> {
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
            let col = column(t, &name, Some(desc), n, false, false)?;
            cols.push((name, col));
        }
    }
    // the first column of a name is used (names are unique after `_input` checks them)
    let index = (cols.len() > 32).then(|| {
        let mut index = HashMap::new();
        for (k, (name, _)) in cols.iter().enumerate() {
            index.entry(name.clone()).or_insert(k);
        }
        index
    });
    Ok(Named { cols, index })
}

impl Columns {
    /// Reads `{"n", "at_epoch", "columns": {name: desc}, "extra": {name: desc}}` (see
    /// [`column`]); the `attrs` description may also be `("struct", [(field, desc), ...])`.
    fn from_py(t: &Types<'_>, spec: &Bound<'_, PyDict>) -> PyResult<Columns> {
        let py = spec.py();
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
            column(t, name, cols.get_item(name)?, n, at, at_epoch)
        };
        let attrs = match cols.get_item("attrs")? {
            Some(d)
                if d.cast::<PyTuple>().is_ok_and(|tu| {
                    tu.get_item(0)
                        .and_then(|x| x.extract::<String>())
                        .is_ok_and(|x| x == "struct")
                }) =>
            {
                Attrs::Fields(named_columns(
                    t,
                    Some(d.cast::<PyTuple>()?.get_item(1)?),
                    n,
                )?)
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
                if list.len() != n {
                    return Err(errors::event_error(
                        py,
                        format!("column `attrs` has {} values, expected {n}", list.len()),
                    ));
                }
                Attrs::Dicts(dicts::Dicts::from_list(t, &list, &missing))
            }
            d => Attrs::Values(column(t, "attrs", d, n, false, false)?),
        };
        let extra = named_columns(t, spec.get_item("extra")?, n)?;
        let mut cols = Columns {
            n,
            id: get("id", false)?,
            at: get("at", true)?,
            kind: get("kind", false)?,
            subject: get("subject", false)?,
            product: get("product", false)?,
            party: get("party", false)?,
            attrs,
            extra,
            any_bad: true,
        };
        cols.any_bad = [&cols.id, &cols.kind, &cols.subject, &cols.product]
            .into_iter()
            .chain(cols.extra.cols.iter().map(|(_, c)| c))
            .any(Column::any_bad);
        Ok(cols)
    }

    pub fn len(&self) -> usize {
        self.n
    }

    /// The Arrow columns, each with its name, in column order.
    fn arrow_columns(&mut self) -> Vec<(&str, &mut arrow::Column)> {
        let mut out = Vec::new();
        for (name, c) in [
            ("id", &mut self.id),
            ("at", &mut self.at),
            ("kind", &mut self.kind),
            ("subject", &mut self.subject),
            ("product", &mut self.product),
            ("party", &mut self.party),
        ] {
            if let Column::Arrow(a) = c {
                out.push((name, a));
            }
        }
        let named: Vec<&mut (String, Column)> = match &mut self.attrs {
            Attrs::Values(Column::Arrow(a)) => {
                out.push(("attrs", a));
                Vec::new()
            }
            Attrs::Fields(f) => f.cols.iter_mut().collect(),
            _ => Vec::new(),
        };
        for (name, c) in named.into_iter().chain(self.extra.cols.iter_mut()) {
            if let Column::Arrow(a) = c {
                out.push((name.as_str(), a));
            }
        }
        out
    }

    /// Checks the buffers of every Arrow column, on two threads for large inputs; `Err` is
    /// the message for the first malformed column in column order.
    fn check(&mut self) -> Result<(), String> {
        let mut cols = self.arrow_columns();
        let total: usize = cols.iter().map(|(_, c)| c.weight()).sum();
        // the first error in column order
        let first_error = |part: &mut [(&str, &mut arrow::Column)]| {
            part.iter_mut()
                .find_map(|(name, c)| c.check().err().map(|e| format!("column `{name}`: {e}")))
        };
        if total < 1 << 20 {
            return first_error(&mut cols).map_or(Ok(()), Err);
        }
        // two parts of about the same size
        let mut acc = 0usize;
        let split = cols
            .iter()
            .position(|(_, c)| {
                acc = acc.saturating_add(c.weight());
                acc >= total / 2
            })
            .map_or(cols.len(), |k| k + 1);
        let (a, b) = cols.split_at_mut(split);
        let (ea, eb) = slagrade::parallel::join(|| first_error(a), || first_error(b));
        ea.or(eb).map_or(Ok(()), Err)
    }

    /// The first value of the row that could not be converted (a field, then `attrs`, then
    /// the attribute columns in order), as the reason for rejecting the row.
    fn conversion_error(&self, i: usize) -> Result<RowAttrs<'_>, Reason> {
        if !self.any_bad {
            return self.row_attrs(i);
        }
        for (name, c) in [
            ("id", &self.id),
            ("kind", &self.kind),
            ("subject", &self.subject),
            ("product", &self.product),
        ] {
            if let Some(e) = c.error(i) {
                return Err(Reason::Other(format!("`{name}`: {e}")));
            }
        }
        let attrs = self.row_attrs(i)?;
        for (name, c) in &self.extra.cols {
            if let Some(e) = c.error(i) {
                return Err(Reason::Other(format!("attribute `{name}`: {e}")));
            }
        }
        Ok(attrs)
    }

    fn row_attrs(&self, i: usize) -> Result<RowAttrs<'_>, Reason> {
        let c = match &self.attrs {
            Attrs::Fields(..) => return Ok(RowAttrs::Fields),
            Attrs::Dicts(d) => match d.row(i) {
                dicts::Attrs::Entries(e) => return Ok(RowAttrs::Entries(e)),
                dicts::Attrs::Bad(e) => Cell::Bad(e),
                dicts::Attrs::Value(Value::Null) => Cell::Null,
                dicts::Attrs::Value(Value::String(s)) => Cell::Str(Cow::Borrowed(s)),
                dicts::Attrs::Value(v) => Cell::Json(v),
            },
            Attrs::Values(c) => c.cell(i),
        };
        let j: Cow<'_, Value> = match c {
            Cell::Null => return Ok(RowAttrs::None),
            Cell::Bad(e) => return Err(Reason::Other(format!("`attrs`: {e}"))),
            Cell::Str(s) => Cow::Owned(
                serde_json::from_str::<Value>(&s)
                    .map_err(|e| Reason::Other(format!("`attrs` is not JSON: {e}")))?,
            ),
            other => other.into_value(),
        };
        match j {
            Cow::Owned(Value::Object(m)) => Ok(RowAttrs::Map(Cow::Owned(m))),
            Cow::Borrowed(Value::Object(m)) => Ok(RowAttrs::Map(Cow::Borrowed(m))),
            Cow::Owned(Value::Null) | Cow::Borrowed(Value::Null) => Ok(RowAttrs::None),
            other => Err(Reason::WrongType {
                field: "attrs",
                expected: "an object",
                found: json_type(&other),
            }),
        }
    }

    /// Where each declared attribute is found in this batch.
    fn sources(&self, contract: &Contract) -> Sources {
        Sources(
            contract
                .kinds()
                .iter()
                .map(|k| {
                    k.attrs
                        .iter()
                        .map(|a| Source {
                            field: match &self.attrs {
                                Attrs::Fields(f) => f.position(&a.name),
                                _ => None,
                            },
                            key: match &self.attrs {
                                Attrs::Dicts(d) => d.number(&a.name),
                                _ => None,
                            },
                            flat: self.extra.position(&format!("attrs.{}", a.name)),
                            extra: self.extra.position(&a.name),
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The value of attribute `name`, found at `src`, in row `i`: an `attrs` entry (even
    /// `null`) wins over a column `attrs.name`, which wins over a column `name`; a null
    /// column value is no value.
    fn attr<'a>(
        &'a self,
        i: usize,
        attrs: &'a RowAttrs<'_>,
        name: &str,
        src: Source,
    ) -> Option<Scalar<'a>> {
        match attrs {
            RowAttrs::Map(m) => {
                if let Some(v) = m.get(name) {
                    return Some(Scalar::Json(Cow::Borrowed(v)));
                }
            }
            RowAttrs::Fields => {
                if let (Attrs::Fields(fields), Some(k)) = (&self.attrs, src.field) {
                    if let Some(v) = fields.column(k).and_then(|c| c.cell(i).scalar()) {
                        return Some(v);
                    }
                }
            }
            RowAttrs::Entries(e) => {
                if let (Attrs::Dicts(d), Some(n)) = (&self.attrs, src.key) {
                    if let Some(v) = d.find(e, n) {
                        return Some(v.scalar());
                    }
                }
            }
            RowAttrs::None => {}
        }
        if let Some(v) = src
            .flat
            .and_then(|k| self.extra.column(k))
            .and_then(|c| c.cell(i).scalar())
        {
            return Some(v);
        }
        self.extra.column(src.extra?)?.cell(i).scalar()
    }

    /// Validates row `i` (0-based): the same checks, in the same order, as for the row given
    /// as a dict. The attribute values of an accepted row are appended to `values`.
    fn validate<'b>(
        &'b self,
        v: &Validator<'_>,
        sources: &Sources,
        i: usize,
        values: &mut Vec<AttrValue>,
    ) -> Result<Valid<'b>, Reason> {
        let attrs = self.conversion_error(i)?;
        let id = str_cell(self.id.cell(i), "id")?;
        let kind = self.kind.cell(i);
        let kind = str_cell(kind, "kind")?;
        let subject = str_cell(self.subject.cell(i), "subject")?;
        let at = match self.at.cell(i) {
            Cell::Secs(s) => s,
            Cell::Bad(e) => return Err(Reason::Other(e.to_string())),
            Cell::Null => return Err(Reason::Missing("at")),
            Cell::Str(s) => slagrade::event::parse_instant(&s).map_err(Reason::At)?,
            other => {
                return Err(Reason::WrongType {
                    field: "at",
                    expected: "a string or a timezone-aware timestamp",
                    found: other.json_type(),
                })
            }
        };
        let product = self.product.cell(i);
        let product = match &product {
            Cell::Null => None,
            Cell::Str(p) => Some(p.as_ref()),
            other => {
                return Err(Reason::WrongType {
                    field: "product",
                    expected: "a string",
                    found: other.json_type(),
                })
            }
        };
        let first = values.len();
        let (kind, product) = v.scalars_into(
            &kind,
            (&id, &subject),
            product,
            |k, j, name| self.attr(i, &attrs, name, sources.get(k, j)),
            values,
        )?;
        Ok(Valid {
            id,
            subject,
            at,
            kind,
            product,
            attrs: (first, values.len()),
        })
    }

    /// The row as JSON text, for a rejection.
    fn text(&self, i: usize, tz: chrono_tz::Tz) -> String {
        let mut m = Map::new();
        m.insert("id".into(), self.id.cell(i).into_value().into_owned());
        m.insert(
            "at".into(),
            match self.at.cell(i) {
                Cell::Secs(s) => Value::String(slagrade::engine::eval::format_instant(tz, s)),
                other => other.into_value().into_owned(),
            },
        );
        m.insert("kind".into(), self.kind.cell(i).into_value().into_owned());
        m.insert(
            "subject".into(),
            self.subject.cell(i).into_value().into_owned(),
        );
        m.insert(
            "product".into(),
            self.product.cell(i).into_value().into_owned(),
        );
        let party = self.party.cell(i);
        if !party.is_null() {
            m.insert("party".into(), party.into_value().into_owned());
        }
        if let Ok(attrs) = self.conversion_error(i) {
            let mut a = match attrs {
                RowAttrs::Map(x) => x.into_owned(),
                RowAttrs::None => Map::new(),
                RowAttrs::Entries(e) => {
                    let mut a = Map::new();
                    if let Attrs::Dicts(d) = &self.attrs {
                        for (n, slot) in e {
                            a.insert(
                                d.name(*n).to_string(),
                                d.slot(*slot).into_value().into_owned(),
                            );
                        }
                    }
                    a
                }
                RowAttrs::Fields => {
                    let mut a = Map::new();
                    if let Attrs::Fields(fields) = &self.attrs {
                        for (name, c) in &fields.cols {
                            let c = c.cell(i);
                            if !c.is_null() {
                                a.insert(name.clone(), c.into_value().into_owned());
                            }
                        }
                    }
                    a
                }
            };
            // the attribute columns by attribute name, `attrs.x` before `x` (as they are read)
            for flattened in [true, false] {
                for (name, c) in &self.extra.cols {
                    let key = name.strip_prefix("attrs.");
                    if key.is_some() != flattened {
                        continue;
                    }
                    let c = c.cell(i);
                    if !c.is_null() {
                        a.entry(key.unwrap_or(name).to_string())
                            .or_insert_with(|| c.into_value().into_owned());
                    }
                }
            }
            m.insert("attrs".into(), Value::Object(a));
        }
        Value::Object(m).to_string()
    }
}

/// An accepted row, its names borrowed from the batch; its attribute values are
/// `values[attrs.0..attrs.1]` of its block.
struct Valid<'b> {
    id: Cow<'b, str>,
    subject: Cow<'b, str>,
    at: i64,
    kind: Option<KindId>,
    product: ProductId,
    attrs: (usize, usize),
}

/// The outcomes of consecutive rows, from row `start` on.
#[derive(Default)]
struct Block<'b> {
    start: usize,
    rows: Vec<Result<Valid<'b>, Reason>>,
    values: Vec<AttrValue>,
}

impl<'b> Block<'b> {
    fn fill(
        &mut self,
        cols: &'b Columns,
        v: &Validator<'_>,
        sources: &Sources,
        start: usize,
        end: usize,
    ) {
        self.start = start;
        self.rows.clear();
        self.values.clear();
        for i in start..end {
            let r = cols.validate(v, sources, i, &mut self.values);
            self.rows.push(r);
        }
    }

    /// The outcomes in row order: an accepted event borrowed, or its rejection (numbered
    /// after `base` positions fed before).
    fn outcomes<'s>(
        &'s self,
        cols: &'s Columns,
        tz: chrono_tz::Tz,
        base: u64,
    ) -> impl Iterator<Item = Result<EventRef<'s>, Rejection>> + 's {
        let values = &self.values;
        self.rows.iter().enumerate().map(move |(k, r)| {
            let row = self.start + k;
            match r {
                Ok(x) => Ok(EventRef {
                    id: &x.id,
                    at: x.at,
                    kind: x.kind,
                    subject: &x.subject,
                    product: x.product,
                    attrs: values.get(x.attrs.0..x.attrs.1).unwrap_or(&[]),
                }),
                Err(reason) => Err(Rejection {
                    line: Some(base + row as u64 + 1),
                    reason: reason.clone(),
                    text: cols.text(row, tz),
                }),
            }
        })
    }
}

/// Rows validated per block.
const BLOCK: usize = 4096;

/// Validated blocks the thread adding them may hold ahead of the one it adds next.
const AHEAD: usize = 8;

/// The rows of a table, validated a block at a time on any thread.
struct Rows<'b, 'v> {
    cols: &'b Columns,
    v: &'v Validator<'v>,
    sources: Sources,
}

impl<'b> BlockSource for Rows<'b, '_> {
    type Block = Block<'b>;
    type Worker = ();
    fn blocks(&self) -> usize {
        self.cols.len().div_ceil(BLOCK)
    }
    fn worker(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn make(&self, _: &mut (), k: usize, spare: Option<Block<'b>>) -> Block<'b> {
        let n = self.cols.len();
        let (start, end) = (k * BLOCK, ((k + 1) * BLOCK).min(n));
        let mut block = spare.unwrap_or_default();
        block.fill(self.cols, self.v, &self.sources, start, end);
        block
    }
}

/// Validates every row and hands the blocks of outcomes, in row order, to `f`. Large inputs
/// are validated on two threads (see [`in_order`]: validating a row costs more than adding
/// it, so the thread calling `f` validates too whenever the block it needs is not ready).
/// Accepted events are handed over borrowed, with no allocation per event.
fn validate_rows(cols: &Columns, v: &Validator<'_>, mut f: impl FnMut(&Block<'_>)) {
    let rows = Rows {
        cols,
        v,
        sources: cols.sources(v.contract()),
    };
    let threads = if cols.len() < 4 * BLOCK { 1 } else { 2 };
    // `f` never fails and blocks are made in memory: nothing here returns an error
    let _ = in_order(&rows, threads, AHEAD, |_, block| {
        f(&block);
        Ok(Some(block))
    });
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
        Batch::Columns(cols) => {
            let v = Validator::new(plan.contract());
            let tz = plan.contract().timezone();
            ev.reserve(cols.len());
            validate_rows(cols, &v, |block| {
                ev.push_outcomes(block.outcomes(cols, tz, base));
            });
            ev.add_positions(cols.len() as u64);
        }
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
