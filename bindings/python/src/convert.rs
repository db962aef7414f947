//! Conversions between Python values and the core's JSON values, instants and durations.

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;

/// Deeper Python values are rejected rather than converted (bounded stack use).
pub const MAX_DEPTH: usize = 32;

/// Python types looked up once per call.
pub struct Types<'py> {
    pub decimal: Bound<'py, PyAny>,
    pub datetime: Bound<'py, PyAny>,
    pub date: Bound<'py, PyAny>,
}

impl<'py> Types<'py> {
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        let dt = py.import("datetime")?;
        Ok(Types {
            decimal: py.import("decimal")?.getattr("Decimal")?,
            datetime: dt.getattr("datetime")?,
            date: dt.getattr("date")?,
        })
    }
}

pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

fn number(text: &str) -> Result<Value, String> {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .map_err(|_| format!("`{text}` is not a number"))
}

/// Converts a Python value to JSON. `Err` is a reason for rejecting the event that holds it.
/// `None`, NaN and infinities become `null` (a missing value).
pub fn to_json(t: &Types<'_>, v: &Bound<'_, PyAny>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("value nested deeper than {MAX_DEPTH} levels"));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = v.cast::<PyInt>() {
        if let Ok(x) = i.extract::<i64>() {
            return Ok(Value::from(x));
        }
        let text = i.str().map_err(|e| e.to_string())?;
        return number(&text.to_string_lossy());
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        return Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_string_lossy().into_owned()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut m = serde_json::Map::new();
        for (k, x) in d.iter() {
            let Ok(k) = k.cast::<PyString>() else {
                return Err(format!(
                    "keys must be strings, found a key of type `{}`",
                    type_name(&k)
                ));
            };
            m.insert(k.to_string_lossy().into_owned(), to_json(t, &x, depth + 1)?);
        }
        return Ok(Value::Object(m));
    }
    if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() {
        let mut out = Vec::new();
        let it = v.try_iter().map_err(|e| e.to_string())?;
        for x in it {
            let x = x.map_err(|e| e.to_string())?;
            out.push(to_json(t, &x, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_instance(&t.decimal).unwrap_or(false) {
        let finite = v
            .call_method0("is_finite")
            .and_then(|x| x.is_truthy())
            .unwrap_or(false);
        if !finite {
            return Ok(Value::Null);
        }
        let text = v.str().map_err(|e| e.to_string())?;
        return number(&text.to_string_lossy());
    }
    if v.is_instance(&t.datetime).unwrap_or(false) || v.is_instance(&t.date).unwrap_or(false) {
        // an aware datetime gives RFC 3339 with offset; a naive one lacks the offset, which
        // validation names where a time is required (the same words for every input)
        let text = v
            .call_method0("isoformat")
            .map_err(|e| format!("unreadable date or time: {e}"))?;
        return Ok(Value::String(
            text.str()
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .into_owned(),
        ));
    }
    // numpy and similar scalars
    if depth < MAX_DEPTH
        && v.hasattr("item").unwrap_or(false)
        && v.hasattr("dtype").unwrap_or(false)
    {
        if let Ok(x) = v.call_method0("item") {
            return to_json(t, &x, depth + 1);
        }
    }
    Err(format!("unsupported value of type `{}`", type_name(v)))
}

/// Converts JSON to Python (numbers to `int` when integral, else `float`).
pub fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// An instant as an aware datetime with the contract time zone's offset at that instant.
pub fn instant(tz: chrono_tz::Tz, t: i64) -> Option<DateTime<FixedOffset>> {
    tz.timestamp_opt(t, 0).single().map(|d| d.fixed_offset())
}

pub fn seconds(s: i64) -> Option<TimeDelta> {
    TimeDelta::try_seconds(s)
}

/// The ISO text of a naive datetime (one without a UTC offset), as a dict's value gives it;
/// `None` for an aware one or one that cannot say.
pub fn naive_text(v: &Bound<'_, PyAny>) -> Option<String> {
    if !v.call_method0("utcoffset").ok()?.is_none() {
        return None;
    }
    let text = v.call_method0("isoformat").ok()?;
    Some(text.str().ok()?.to_string_lossy().into_owned())
}

/// Unix seconds of an aware datetime (fractional seconds truncated); `Err` for a naive one.
pub fn aware_seconds(v: &Bound<'_, PyAny>) -> Result<i64, String> {
    let off = v
        .call_method0("utcoffset")
        .map_err(|e| format!("unreadable datetime: {e}"))?;
    if off.is_none() {
        return Err(format!(
            "naive datetime `{}` has no time zone: give a timezone-aware datetime",
            v.str()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
    }
    let ts: f64 = v
        .call_method0("timestamp")
        .and_then(|x| x.extract())
        .map_err(|e| format!("unreadable datetime: {e}"))?;
    if !ts.is_finite() || ts.abs() > 1e15 {
        return Err("datetime out of range".into());
    }
    Ok(ts.floor() as i64)
}

/// An instant argument: an aware `datetime` or an RFC 3339 string.
pub fn instant_arg(t: &Types<'_>, v: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if let Ok(s) = v.cast::<PyString>() {
        return slagrade::event::parse_instant(&s.to_string_lossy())
            .map_err(|e| PyValueError::new_err(format!("`{what}`: {e}")));
    }
    if v.is_instance(&t.datetime)? {
        return aware_seconds(v).map_err(|e| PyValueError::new_err(format!("`{what}`: {e}")));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "`{what}` must be a timezone-aware datetime or an RFC 3339 string, not {}",
        type_name(v)
    )))
}

/// A duration argument: a `timedelta` or a number of seconds.
pub fn duration_arg(v: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    let secs: f64 = if v.hasattr("total_seconds")? {
        v.call_method0("total_seconds")?.extract()?
    } else if v.cast::<PyInt>().is_ok() || v.cast::<PyFloat>().is_ok() {
        v.extract()?
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "`{what}` must be a timedelta or a number of seconds, not {}",
            type_name(v)
        )));
    };
    if !secs.is_finite() || !(0.0..=1e12).contains(&secs) {
        return Err(PyValueError::new_err(format!(
            "`{what}` must be a finite, non-negative duration"
        )));
    }
    Ok(secs.floor() as i64)
}

/// A short text of a Python value for a rejection.
pub fn shown(v: &Bound<'_, PyAny>) -> String {
    let s = v
        .repr()
        .map(|r| r.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("<{}>", type_name(v)));
    if s.chars().count() > 200 {
        s.chars().take(200).collect::<String>() + "…"
    } else {
        s
    }
}
