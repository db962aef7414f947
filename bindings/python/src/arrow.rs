//! Arrow arrays handed over through the Arrow PyCapsule Interface (`__arrow_c_array__`):
//! the producer (pyarrow, polars, …) exports each chunk through the C Data Interface, and
//! arrow-rs's FFI module imports it without a copy. The core validates the arrays and reads
//! them in place, without the interpreter lock (see `slagrade::input::columns::arrow`).
//!
//! `slagrade._input` describes an Arrow column as `("arrow", chunks)`: the arrays, in row
//! order, already cast to a layout the core reads.

use std::ffi::CStr;

use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{make_array, ArrayRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList, PyTuple};
use slagrade::input::columns::arrow::Column;

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// One array, imported through its capsules. `Err` is a message for an `EventError`.
fn import(array: &Bound<'_, PyAny>) -> PyResult<Result<ArrayRef, String>> {
    let pair = array.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>()?;
    let schema = pair.get_item(0)?;
    let data = pair.get_item(1)?;
    let (schema, data) = (schema.cast::<PyCapsule>()?, data.cast::<PyCapsule>()?);
    // the names are checked as the pointers are taken: they are the only mark of the type
    let (Ok(schema), Ok(data)) = (
        schema.pointer_checked(Some(SCHEMA)),
        data.pointer_checked(Some(ARRAY)),
    ) else {
        return Ok(Err(
            "not an Arrow array: `__arrow_c_array__` gave capsules of other names".into(),
        ));
    };
    let (schema, data) = (
        schema.cast::<FFI_ArrowSchema>().as_ptr(),
        data.cast::<FFI_ArrowArray>().as_ptr(),
    );
    // SAFETY: both capsules are named as the PyCapsule Interface specifies, so they hold an
    // `ArrowSchema` and an `ArrowArray` of the C Data Interface. The array is moved out of
    // its capsule (which is left released, so that its destructor does nothing), and the
    // schema is only borrowed while the capsule is alive.
    let imported = unsafe {
        let data = FFI_ArrowArray::from_raw(data);
        from_ffi(data, &*schema)
    };
    Ok(imported
        .map(make_array)
        .map_err(|e| format!("cannot import Arrow array: {e}")))
}

/// Reads `("arrow", chunks)`. `Err` is a message for an `EventError`.
pub fn column(desc: &Bound<'_, PyTuple>) -> PyResult<Result<Column, String>> {
    let listed = desc.get_item(1)?;
    let listed = listed.cast::<PyList>()?;
    let mut chunks = Vec::with_capacity(listed.len());
    for c in listed.iter() {
        match import(&c)? {
            Ok(a) => chunks.push(a),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Column::new(chunks).map_err(|e| e.to_string()))
}
