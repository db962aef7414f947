//! Event input: a JSON Lines path, an iterable of dicts, or columns taken from a DataFrame or
//! an Arrow table. Python values are converted while the GIL is held; validation and
//! evaluation run on the converted batch with the GIL released.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use slagrade::eval::Evaluator;
use slagrade::event::{read_jsonl, Limits, LineOutcome, Rejection, Validator};
use slagrade::scorecard::EventCounts;

use crate::convert::{self, Types};
use crate::errors;

/// The instant of one row of a column-wise input.
pub enum At {
    Secs(i64),
    Value(Value),
    Bad(String),
}

/// One row of a column-wise input, converted.
pub struct Row {
    id: Value,
    at: At,
    kind: Value,
    subject: Value,
    product: Value,
    party: Value,
    attrs: Result<Map<String, Value>, String>,
}

/// A converted batch of events.
pub enum Batch {
    Path(PathBuf),
    /// per item: the converted value, or why it could not be converted and its text
    Records(Vec<Result<Value, (String, String)>>),
    Rows(Vec<Row>),
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
        "columns" => columns(&t, payload.cast::<PyDict>()?),
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

fn column<'py>(cols: &Bound<'py, PyDict>, name: &str) -> PyResult<Option<Bound<'py, PyList>>> {
    match cols.get_item(name)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => Ok(Some(v.cast_into::<PyList>()?)),
    }
}

fn values(t: &Types<'_>, list: Option<&Bound<'_, PyList>>, n: usize) -> Vec<Result<Value, String>> {
    match list {
        None => (0..n).map(|_| Ok(Value::Null)).collect(),
        Some(l) => l.iter().map(|v| convert::to_json(t, &v, 1)).collect(),
    }
}

/// Builds rows from column lists: `{"n", "at_epoch", "columns": {name: list}, "extra": {name: list}}`.
fn columns(t: &Types<'_>, spec: &Bound<'_, PyDict>) -> PyResult<Batch> {
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
    let get = |name: &str| -> PyResult<Option<Bound<'_, PyList>>> {
        let c = column(&cols, name)?;
        if let Some(l) = &c {
            if l.len() != n {
                return Err(errors::event_error(
                    py,
                    format!("column `{name}` has {} values, expected {n}", l.len()),
                ));
            }
        }
        Ok(c)
    };
    let (id, kind, subject, product, party) = (
        get("id")?,
        get("kind")?,
        get("subject")?,
        get("product")?,
        get("party")?,
    );
    let at = get("at")?;
    let attrs_col = get("attrs")?;
    let scalar = |v: Vec<Result<Value, String>>| -> Vec<Value> {
        v.into_iter().map(|x| x.unwrap_or(Value::Null)).collect()
    };
    let ids = values(t, id.as_ref(), n);
    let kinds = values(t, kind.as_ref(), n);
    let subjects = values(t, subject.as_ref(), n);
    let products = values(t, product.as_ref(), n);
    let parties = scalar(values(t, party.as_ref(), n));
    // a field that cannot be converted rejects its row with the reason
    let mut bad: Vec<Option<String>> = vec![None; n];
    let mut field = |v: Vec<Result<Value, String>>, name: &str| -> Vec<Value> {
        v.into_iter()
            .enumerate()
            .map(|(i, x)| match x {
                Ok(v) => v,
                Err(e) => {
                    if let Some(b) = bad.get_mut(i) {
                        b.get_or_insert_with(|| format!("`{name}`: {e}"));
                    }
                    Value::Null
                }
            })
            .collect()
    };
    let ids = field(ids, "id");
    let kinds = field(kinds, "kind");
    let subjects = field(subjects, "subject");
    let products = field(products, "product");
    let ats: Vec<At> = match &at {
        None => (0..n).map(|_| At::Value(Value::Null)).collect(),
        Some(l) => l
            .iter()
            .map(|v| {
                if v.is_none() {
                    At::Value(Value::Null)
                } else if at_epoch {
                    match v.extract::<i64>() {
                        Ok(s) => At::Secs(s),
                        Err(_) => At::Bad("`at` is not a time".into()),
                    }
                } else if v.cast::<PyString>().is_ok() {
                    At::Value(Value::String(
                        v.cast::<PyString>()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    ))
                } else if v.is_instance(&t.datetime).unwrap_or(false) {
                    match convert::aware_seconds(&v) {
                        Ok(s) => At::Secs(s),
                        Err(e) => At::Bad(format!("`at`: {e}")),
                    }
                } else {
                    match convert::to_json(t, &v, 1) {
                        Ok(Value::Null) => At::Value(Value::Null),
                        Ok(x) => At::Value(x),
                        Err(e) => At::Bad(format!("`at`: {e}")),
                    }
                }
            })
            .collect(),
    };
    let mut attrs: Vec<Result<Map<String, Value>, String>> = match &attrs_col {
        None => (0..n).map(|_| Ok(Map::new())).collect(),
        Some(l) => l
            .iter()
            .map(|v| {
                if v.is_none() {
                    return Ok(Map::new());
                }
                let j = if let Ok(s) = v.cast::<PyString>() {
                    serde_json::from_str::<Value>(&s.to_string_lossy())
                        .map_err(|e| format!("`attrs` is not JSON: {e}"))?
                } else {
                    convert::to_json(t, &v, 1).map_err(|e| format!("`attrs`: {e}"))?
                };
                match j {
                    Value::Object(m) => Ok(m),
                    Value::Null => Ok(Map::new()),
                    other => Err(format!(
                        "`attrs` must be an object, found {}",
                        json_type(&other)
                    )),
                }
            })
            .collect(),
    };
    // other columns are attributes; a missing value (None, NaN) is a missing attribute
    if let Some(extra) = spec.get_item("extra")? {
        let extra = extra.cast_into::<PyDict>()?;
        for (name, list) in extra.iter() {
            let name: String = name.extract()?;
            let list = list.cast_into::<PyList>()?;
            if list.len() != n {
                return Err(errors::event_error(
                    py,
                    format!("column `{name}` has {} values, expected {n}", list.len()),
                ));
            }
            for (i, v) in list.iter().enumerate() {
                let Some(Ok(m)) = attrs.get_mut(i) else {
                    continue;
                };
                match convert::to_json(t, &v, 1) {
                    Ok(Value::Null) => {}
                    Ok(x) => {
                        // an explicit `attrs` entry wins over a column of the same name
                        m.entry(name.clone()).or_insert(x);
                    }
                    Err(e) => {
                        if let Some(slot) = attrs.get_mut(i) {
                            *slot = Err(format!("attribute `{name}`: {e}"));
                        }
                    }
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(n);
    let mut it = ids
        .into_iter()
        .zip(ats)
        .zip(kinds)
        .zip(subjects)
        .zip(products)
        .zip(parties)
        .zip(attrs.drain(..))
        .zip(bad);
    for (((((((id, at), kind), subject), product), party), attrs), bad) in it.by_ref() {
        let attrs = match bad {
            Some(reason) => Err(reason),
            None => attrs,
        };
        rows.push(Row {
            id,
            at,
            kind,
            subject,
            product,
            party,
            attrs,
        });
    }
    Ok(Batch::Rows(rows))
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

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    match v {
        Value::Null => Err(format!("missing `{key}`")),
        Value::String(s) if s.is_empty() => Err(format!("empty `{key}`")),
        Value::String(s) => Ok(s),
        other => Err(format!(
            "`{key}` must be a string, found {}",
            json_type(other)
        )),
    }
}

impl Row {
    fn text(&self, tz: chrono_tz::Tz) -> String {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone());
        m.insert(
            "at".into(),
            match &self.at {
                At::Secs(s) => Value::String(slagrade::eval::format_instant(tz, *s)),
                At::Value(v) => v.clone(),
                At::Bad(_) => Value::Null,
            },
        );
        m.insert("kind".into(), self.kind.clone());
        m.insert("subject".into(), self.subject.clone());
        m.insert("product".into(), self.product.clone());
        if !self.party.is_null() {
            m.insert("party".into(), self.party.clone());
        }
        if let Ok(a) = &self.attrs {
            m.insert("attrs".into(), Value::Object(a.clone()));
        }
        Value::Object(m).to_string()
    }

    fn validate(&self, v: &Validator<'_>) -> Result<slagrade::event::Event, String> {
        let attrs = self.attrs.as_ref().map_err(Clone::clone)?;
        let id = str_field(&self.id, "id")?;
        let kind = str_field(&self.kind, "kind")?;
        let subject = str_field(&self.subject, "subject")?;
        let at = match &self.at {
            At::Secs(s) => *s,
            At::Bad(e) => return Err(e.clone()),
            At::Value(Value::Null) => return Err("missing `at`".into()),
            At::Value(Value::String(s)) => {
                slagrade::event::parse_instant(s).map_err(|e| format!("`at`: {e}"))?
            }
            At::Value(other) => {
                return Err(format!(
                    "`at` must be a string or a timezone-aware timestamp, found {}",
                    json_type(other)
                ))
            }
        };
        let product = match &self.product {
            Value::Null => None,
            Value::String(p) => Some(p.as_str()),
            other => {
                return Err(format!(
                    "`product` must be a string, found {}",
                    json_type(other)
                ))
            }
        };
        v.parts(id, at, kind, subject, product, attrs)
    }
}

/// Feeds a batch into an evaluator (run with the GIL released). Positions (`line`) are
/// 1-based: the line of the file, or the item or row of the input. `Err` is an I/O error.
pub fn feed(ev: &mut Evaluator, batch: &Batch) -> Result<EventCounts, String> {
    let before = ev.counts();
    let plan = Arc::clone(ev.plan());
    match batch {
        Batch::Path(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| format!("cannot read events file {}: {e}", path.display()))?;
            if !meta.is_file() {
                return Err(format!(
                    "cannot read events file {}: not a file",
                    path.display()
                ));
            }
            let file = std::fs::File::open(path)
                .map_err(|e| format!("cannot read events file {}: {e}", path.display()))?;
            let reader = std::io::BufReader::with_capacity(1 << 16, file);
            read_jsonl(&plan.contract, reader, Limits::default(), |o| match o {
                LineOutcome::Accepted(e) => {
                    ev.push(e);
                }
                LineOutcome::Rejected(r) => ev.reject(r),
            })
            .map_err(|e| format!("cannot read events file {}: {e}", path.display()))?;
        }
        Batch::Records(items) => {
            let v = Validator::new(&plan.contract);
            for (i, item) in items.iter().enumerate() {
                let line = Some(i as u64 + 1);
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
                        reason: reason.clone(),
                        text: text.clone(),
                    }),
                }
            }
        }
        Batch::Rows(rows) => {
            let v = Validator::new(&plan.contract);
            let tz = plan.contract.timezone;
            for (i, row) in rows.iter().enumerate() {
                match row.validate(&v) {
                    Ok(e) => {
                        ev.push(e);
                    }
                    Err(reason) => ev.reject(Rejection {
                        line: Some(i as u64 + 1),
                        reason,
                        text: row.text(tz),
                    }),
                }
            }
        }
    }
    let after = ev.counts();
    Ok(EventCounts {
        accepted: after.accepted - before.accepted,
        duplicates: after.duplicates - before.duplicates,
        rejected: after.rejected - before.rejected,
    })
}
