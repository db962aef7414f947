//! Error mapping: contract diagnostics to `ContractError`, unreadable input to `EventError`,
//! and a guard that turns any Rust panic into a Python `RuntimeError`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use slagrade::language::diagnostic::{self, Diagnostic};

use crate::convert::json_to_py;

fn make<'py>(
    py: Python<'py>,
    class: &str,
    args: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
) -> PyErr {
    let made = py
        .import("slagrade._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| args(&c));
    match made {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// An `EventError` (unreadable event input).
pub fn event_error(py: Python<'_>, message: String) -> PyErr {
    make(py, "EventError", |c| c.call1((message,)))
}

/// Diagnostics as `slagrade.Diagnostic` objects.
pub fn diagnostics<'py>(
    py: Python<'py>,
    diags: &[Diagnostic],
    src: &str,
) -> PyResult<Bound<'py, PyList>> {
    let class = py.import("slagrade._errors")?.getattr("Diagnostic")?;
    let list = PyList::empty(py);
    if let serde_json::Value::Array(items) = diagnostic::to_json(diags, src) {
        for item in &items {
            let kwargs = json_to_py(py, item)?.cast_into::<PyDict>()?;
            list.append(class.call((), Some(&kwargs))?)?;
        }
    }
    Ok(list)
}

/// A `ContractError` whose text is the rendered diagnostics.
pub fn contract_error(py: Python<'_>, diags: &[Diagnostic], src: &str, file_name: &str) -> PyErr {
    let text = diagnostic::render(diags, src, file_name, false);
    let list = match diagnostics(py, diags, src) {
        Ok(l) => l,
        Err(e) => return e,
    };
    make(py, "ContractError", |c| {
        c.call1((text.trim_end().to_string(), list))
    })
}

/// Runs `f`, turning a panic into a `RuntimeError` so that none reaches Python.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            Err(PyRuntimeError::new_err(format!(
                "slagrade internal error (please report it): {msg}"
            )))
        }
    }
}

/// An `UnknownNameError` (a `KeyError`): `lead`, then "did you mean `x`?" when a name of
/// `known` is close (the checker's suggestion), then `label: ` and the names.
pub fn unknown_name(
    py: Python<'_>,
    what: &str,
    name: &str,
    known: &[&str],
    lead: &str,
    label: &str,
) -> PyErr {
    let suggestion = slagrade::contract::check::suggest(name, known);
    let names = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = match &suggestion {
        Some(s) => format!("{lead}: did you mean `{s}`? {label}: {names}"),
        None => format!("{lead}: {label}: {names}"),
    };
    let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    make(py, "UnknownNameError", |c| {
        c.call1((message, what, name, suggestion, known))
    })
}

/// The `OSError` of a file that cannot be read, naming it: Python picks the subclass from
/// the error number (`FileNotFoundError`, `PermissionError`, `IsADirectoryError`, ...).
pub fn os_error(py: Python<'_>, e: &std::io::Error, path: &str) -> PyErr {
    match e.raw_os_error() {
        Some(code) => {
            let text = py
                .import("os")
                .and_then(|os| os.call_method1("strerror", (code,)))
                .and_then(|t| t.extract::<String>())
                .unwrap_or_else(|_| e.to_string());
            PyOSError::new_err((code, text, path.to_string()))
        }
        None => PyOSError::new_err(format!("cannot read {path}: {e}")),
    }
}

pub fn value_error(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}
