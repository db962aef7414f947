//! Columns read in place from Arrow arrays (feature `arrow`), with no value copied until a
//! row needs it.
//!
//! The layouts read are strings (32- and 64-bit offsets), 64-bit integers and floats,
//! booleans, nulls and timezone-aware timestamps; a caller casts anything else first (the
//! Python package does, with pyarrow) or gives the values another way. Every chunk is
//! validated in full (offsets in order and in bounds, text valid UTF-8) before any value is
//! read: an array that breaks the Arrow format is refused, never guessed at.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, BooleanArray, LargeStringArray, StringArray};
use arrow_schema::{DataType, TimeUnit};

use super::Cell;

/// Why arrays cannot make a column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ArrowTypeError {
    /// A type the core does not read (cast it first).
    #[error(
        "Arrow type {0} is not read: give strings, 64-bit integers or floats, booleans, nulls \
         or a timezone-aware timestamp"
    )]
    NotRead(DataType),
    /// Chunks of two types in one column.
    #[error("chunks of different types ({0}, {1})")]
    Mixed(DataType, DataType),
}

/// One chunk, by layout.
enum Chunk {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Int64(arrow_array::Int64Array),
    Float64(arrow_array::Float64Array),
    Bool(BooleanArray),
    /// every value null
    Null(usize),
    /// timestamp values, this many per second
    Timestamp(arrow_array::Int64Array, i64),
}

impl Chunk {
    fn new(a: &ArrayRef) -> Result<Chunk, ArrowTypeError> {
        Ok(match a.data_type() {
            DataType::Utf8 => Chunk::Utf8(a.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Chunk::LargeUtf8(a.as_string::<i64>().clone()),
            DataType::Int64 => Chunk::Int64(a.as_primitive::<Int64Type>().clone()),
            DataType::Float64 => Chunk::Float64(a.as_primitive::<Float64Type>().clone()),
            DataType::Boolean => Chunk::Bool(a.as_boolean().clone()),
            DataType::Null => Chunk::Null(a.len()),
            DataType::Timestamp(unit, Some(_)) => {
                let (values, per_second) = match unit {
                    TimeUnit::Second => (
                        a.as_primitive::<TimestampSecondType>().reinterpret_cast(),
                        1,
                    ),
                    TimeUnit::Millisecond => (
                        a.as_primitive::<TimestampMillisecondType>()
                            .reinterpret_cast(),
                        1_000,
                    ),
                    TimeUnit::Microsecond => (
                        a.as_primitive::<TimestampMicrosecondType>()
                            .reinterpret_cast(),
                        1_000_000,
                    ),
                    TimeUnit::Nanosecond => (
                        a.as_primitive::<TimestampNanosecondType>()
                            .reinterpret_cast(),
                        1_000_000_000,
                    ),
                };
                Chunk::Timestamp(values, per_second)
            }
            other => return Err(ArrowTypeError::NotRead(other.clone())),
        })
    }

    fn len(&self) -> usize {
        match self {
            Chunk::Utf8(a) => a.len(),
            Chunk::LargeUtf8(a) => a.len(),
            Chunk::Int64(a) | Chunk::Timestamp(a, _) => a.len(),
            Chunk::Float64(a) => a.len(),
            Chunk::Bool(a) => a.len(),
            Chunk::Null(n) => *n,
        }
    }

    fn array(&self) -> Option<&dyn Array> {
        Some(match self {
            Chunk::Utf8(a) => a,
            Chunk::LargeUtf8(a) => a,
            Chunk::Int64(a) | Chunk::Timestamp(a, _) => a,
            Chunk::Float64(a) => a,
            Chunk::Bool(a) => a,
            Chunk::Null(_) => return None,
        })
    }

    /// The value at `i`, which is below `len()` (checked by the caller: the arrays' own
    /// accessors assert it). Each layout is matched first, so that the null test and the
    /// read are direct calls on the concrete array.
    #[inline]
    fn cell(&self, i: usize) -> Cell<'_> {
        match self {
            Chunk::Utf8(a) if !a.is_null(i) => Cell::Str(Cow::Borrowed(a.value(i))),
            Chunk::LargeUtf8(a) if !a.is_null(i) => Cell::Str(Cow::Borrowed(a.value(i))),
            Chunk::Int64(a) if !a.is_null(i) => Cell::Int(a.value(i)),
            Chunk::Float64(a) if !a.is_null(i) => {
                let x = a.value(i);
                // NaN and infinities are missing values, as on every other path
                if x.is_finite() {
                    Cell::Float(x)
                } else {
                    Cell::Null
                }
            }
            Chunk::Bool(a) if !a.is_null(i) => Cell::Bool(a.value(i)),
            Chunk::Timestamp(a, per_second) if !a.is_null(i) => {
                let v = a.value(i);
                // the usual units as constants, so that the division is a multiplication
                Cell::Secs(match per_second {
                    1 => v,
                    1_000 => v.div_euclid(1_000),
                    1_000_000 => v.div_euclid(1_000_000),
                    1_000_000_000 => v.div_euclid(1_000_000_000),
                    p => v.div_euclid((*p).max(1)),
                })
            }
            _ => Cell::Null,
        }
    }
}

/// Checks the offsets and text of one string array (see [`Column::check`]).
fn check_text<O: Copy + Into<i64>>(offsets: &[O], data: &[u8]) -> Result<(), String> {
    // one pass without branches per offset: in order and none negative
    let mut prev = 0i64;
    let mut ordered = true;
    for &o in offsets {
        let o: i64 = o.into();
        ordered &= o >= prev;
        prev = o;
    }
    let first = offsets.first().map_or(0, |&o| o.into());
    if !ordered {
        return Err("decreasing or negative string offsets".into());
    }
    let (first, last) = (first as usize, prev as usize);
    let Some(text) = data.get(first..last) else {
        return Err(format!(
            "string offsets past the {} bytes of data",
            data.len()
        ));
    };
    if simdutf8::basic::from_utf8(text).is_err() {
        return Err("text that is not UTF-8".into());
    }
    // in ASCII text every offset is on a character boundary; otherwise a UTF-8
    // continuation byte is no place to start or end a string
    let on_boundaries = text.is_ascii()
        || offsets.iter().all(|&o| {
            let o: i64 = o.into();
            data.get(o as usize)
                .is_none_or(|&b| !(0x80..0xC0).contains(&b))
        });
    if !on_boundaries {
        return Err("a string offset inside a UTF-8 character".into());
    }
    Ok(())
}

/// One Arrow column: its chunks, in row order.
pub struct Column {
    chunks: Vec<Chunk>,
    /// the first row of each chunk
    starts: Vec<usize>,
    /// the chunk of the row read last: rows are mostly read in order, so the next row is
    /// mostly in it (a hint only; any value gives the same cells)
    last: AtomicUsize,
    len: usize,
}

impl Column {
    /// A column of these chunks, in row order. `Err` names an Arrow type that is not read, or
    /// chunks of different types.
    pub fn new(chunks: Vec<ArrayRef>) -> Result<Column, ArrowTypeError> {
        for w in chunks.windows(2) {
            if let [a, b] = w {
                if a.data_type() != b.data_type() {
                    return Err(ArrowTypeError::Mixed(
                        a.data_type().clone(),
                        b.data_type().clone(),
                    ));
                }
            }
        }
        let mut out = Vec::with_capacity(chunks.len());
        let mut starts = Vec::with_capacity(chunks.len());
        let mut len = 0usize;
        for a in chunks.iter().filter(|a| !a.is_empty()) {
            starts.push(len);
            len = len.saturating_add(a.len());
            out.push(Chunk::new(a)?);
        }
        Ok(Column {
            chunks: out,
            starts,
            last: AtomicUsize::new(0),
            len,
        })
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Validates every chunk in full before any value is read: string offsets in order and
    /// within the data, and the text valid UTF-8 with every offset on a character boundary
    /// (the other layouts have nothing that can be wrong: their buffer sizes follow from the
    /// length). One branch-free pass over the offsets and one SIMD UTF-8 check of the whole
    /// text, several times faster than checking string by string (as arrow-rs's
    /// `validate_full` does), which shows in column-wise throughput.
    pub(super) fn check(&self) -> Result<(), String> {
        for c in &self.chunks {
            let checked = match c {
                Chunk::Utf8(a) => check_text(a.value_offsets(), a.values()),
                Chunk::LargeUtf8(a) => check_text(a.value_offsets(), a.values()),
                _ => Ok(()),
            };
            checked.map_err(|e| format!("malformed Arrow array: {e}"))?;
        }
        Ok(())
    }

    /// About how much checking the column takes: the bytes of its buffers.
    pub(super) fn weight(&self) -> usize {
        self.chunks
            .iter()
            .filter_map(Chunk::array)
            .map(|a| a.get_buffer_memory_size())
            .sum()
    }

    /// The value at `row` (`Null` past the end).
    pub(super) fn cell(&self, row: usize) -> Cell<'_> {
        let within = |k: usize| match (self.chunks.get(k), self.starts.get(k)) {
            (Some(c), Some(&s)) if row >= s && row - s < c.len() => Some((c, s)),
            _ => None,
        };
        let last = self.last.load(Ordering::Relaxed);
        let found = within(last).or_else(|| {
            let k = self.starts.partition_point(|&s| s <= row).saturating_sub(1);
            let found = within(k);
            if found.is_some() {
                self.last.store(k, Ordering::Relaxed);
            }
            found
        });
        match found {
            Some((c, s)) => c.cell(row - s),
            None => Cell::Null,
        }
    }
}
