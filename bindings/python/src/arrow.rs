//! Arrow columns read in place: the buffers of pyarrow arrays (validity bitmap, offsets,
//! values), by address, with no Python object per value and without the interpreter lock.
//!
//! `slagrade._input` describes each column as `("arrow", kind, per_second, chunks, keep)`:
//! `chunks` is a list of `(offset, length, buffers)` with every buffer an `(address, size)`
//! pair or `None`, and `keep` the pyarrow arrays that own the buffers (held here for as long
//! as the column lives). Every buffer is checked against the array's offset and length, and
//! every string offset against its data, before any value is read.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// The layouts read here; anything else stays on the Python conversion path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `string`: 32-bit offsets
    Utf8,
    /// `large_string`: 64-bit offsets
    LargeUtf8,
    Int64,
    Float64,
    Bool,
    /// every value null
    Null,
    /// timezone-aware timestamp: int64 values, this many per second
    Timestamp(i64),
}

/// A value of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// null, or a NaN or infinite float (a missing value, as on the Python path)
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Unix seconds of a timestamp (floored)
    Secs(i64),
}

/// Read-only memory of one Arrow buffer.
struct Bytes {
    ptr: *const u8,
    len: usize,
}

// SAFETY: `Bytes` only ever gives shared, read-only access to memory that the pyarrow arrays
// in `Column::_keep` own and keep alive; Arrow buffers are immutable once part of an array,
// so reading them from any thread while the arrays are alive is sound. (An array can wrap
// memory that Python code could still write, such as a NumPy array converted without a copy;
// writing it from another thread during an evaluation is a race in the caller, as for any
// reader that releases the interpreter lock. Every read here is bounds-checked regardless.)
unsafe impl Send for Bytes {}
// SAFETY: as for `Send`: no interior mutability, read-only access only.
unsafe impl Sync for Bytes {}

impl Bytes {
    fn slice(&self) -> &[u8] {
        if self.len == 0 || self.ptr.is_null() {
            return &[];
        }
        // SAFETY: `ptr` and `len` are the address and size pyarrow reports for a CPU buffer
        // (checked non-null above); the buffer outlives `self` because the array owning it is
        // held in the same `Column`, and it is never written while part of an array.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

struct Chunk {
    /// the array's offset into its buffers
    offset: usize,
    len: usize,
    validity: Option<Bytes>,
    /// string offsets (empty for other kinds)
    offsets: Bytes,
    /// string data, or the fixed-width values, or the bits of booleans
    values: Bytes,
    /// every string of the chunk is valid UTF-8 (checked once, in [`Chunk::check`])
    utf8: bool,
}

/// One Arrow column: its chunks, in row order.
pub struct Column {
    kind: Kind,
    chunks: Vec<Chunk>,
    /// the first row of each chunk
    starts: Vec<usize>,
    /// the chunk of the row read last: rows are mostly read in order, so the next row is
    /// mostly in it (a hint only; any value gives the same cells)
    last: AtomicUsize,
    len: usize,
    /// the pyarrow arrays owning the buffers
    _keep: Py<PyAny>,
}

fn word<const N: usize>(b: &[u8], i: usize) -> Option<[u8; N]> {
    b.get(i.checked_mul(N)?..i.checked_mul(N)?.checked_add(N)?)?
        .try_into()
        .ok()
}

fn bit(b: &[u8], i: usize) -> bool {
    b.get(i >> 3).is_some_and(|x| (x >> (i & 7)) & 1 == 1)
}

impl Chunk {
    /// Where string `i` starts and ends in the data: its two offsets, read with one bounds
    /// check. (Offsets of the chunk's rows are known not negative from `check`; any other
    /// offset read here is bounds-checked against the data like these.)
    fn span(&self, kind: Kind, i: usize) -> Option<(usize, usize)> {
        let b = self.offsets.slice();
        if kind == Kind::Utf8 {
            let at = i.checked_mul(4)?;
            match *b.get(at..at.checked_add(8)?)? {
                [a0, a1, a2, a3, b0, b1, b2, b3] => Some((
                    i32::from_ne_bytes([a0, a1, a2, a3]) as usize,
                    i32::from_ne_bytes([b0, b1, b2, b3]) as usize,
                )),
                _ => None,
            }
        } else {
            let at = i.checked_mul(8)?;
            let w = b.get(at..at.checked_add(16)?)?;
            let (x, y) = w.split_at_checked(8)?;
            Some((
                i64::from_ne_bytes(x.try_into().ok()?) as usize,
                i64::from_ne_bytes(y.try_into().ok()?) as usize,
            ))
        }
    }

    fn str_at(&self, kind: Kind, i: usize) -> Option<Cow<'_, str>> {
        let (a, b) = self.span(kind, i)?;
        let b = self.values.slice().get(a..b)?;
        // only rows of the chunk: their offsets are the ones `check` looked at
        if self.utf8 && i >= self.offset && i - self.offset < self.len {
            // SAFETY: `check` found the chunk's whole data range valid UTF-8 and every
            // offset of the range on a character boundary, so each string is valid UTF-8.
            return Some(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) }));
        }
        Some(match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(b),
        })
    }

    fn cell(&self, kind: Kind, row: usize) -> Cell<'_> {
        let i = self.offset + row;
        if let Some(v) = &self.validity {
            if !bit(v.slice(), i) {
                return Cell::Null;
            }
        }
        let values = self.values.slice();
        let cell = match kind {
            Kind::Utf8 | Kind::LargeUtf8 => self.str_at(kind, i).map(Cell::Str),
            Kind::Int64 => word::<8>(values, i).map(|w| Cell::Int(i64::from_ne_bytes(w))),
            Kind::Float64 => word::<8>(values, i).map(|w| {
                let x = f64::from_ne_bytes(w);
                if x.is_finite() {
                    Cell::Float(x)
                } else {
                    Cell::Null
                }
            }),
            Kind::Bool => Some(Cell::Bool(bit(values, i))),
            Kind::Null => None,
            Kind::Timestamp(per_sec) => word::<8>(values, i).map(|w| {
                let v = i64::from_ne_bytes(w);
                // the usual units as constants, so that the division is a multiplication
                Cell::Secs(match per_sec {
                    1 => v,
                    1_000 => v.div_euclid(1_000),
                    1_000_000 => v.div_euclid(1_000_000),
                    1_000_000_000 => v.div_euclid(1_000_000_000),
                    p => v.div_euclid(p.max(1)),
                })
            }),
        };
        // unreachable after the checks made when the column was read
        cell.unwrap_or(Cell::Null)
    }

    /// Checks every buffer against the offset and length, and string offsets against data;
    /// notes whether every string is valid UTF-8 (one check of the whole data range, so
    /// that reading a string does not check it again; a chunk with invalid text is read
    /// string by string, each replaced lossily, as before).
    fn check(&mut self, kind: Kind) -> Result<(), String> {
        let end = self
            .offset
            .checked_add(self.len)
            .ok_or("offset and length overflow")?;
        let bits = end.div_ceil(8);
        if let Some(v) = &self.validity {
            if v.len < bits {
                return Err(format!(
                    "validity bitmap of {} bytes for {end} values",
                    v.len
                ));
            }
        }
        let need = |what: &str, have: usize, need: Option<usize>| match need {
            Some(n) if have >= n => Ok(()),
            _ => Err(format!("{what} buffer of {have} bytes for {end} values")),
        };
        match kind {
            Kind::Utf8 | Kind::LargeUtf8 => {
                let w = if kind == Kind::Utf8 { 4 } else { 8 };
                need(
                    "offsets",
                    self.offsets.len,
                    end.checked_add(1).and_then(|n| n.checked_mul(w)),
                )?;
                // the offsets of rows `offset..=end`, in order, none negative
                let bytes = self
                    .offsets
                    .slice()
                    .get(self.offset * w..(end + 1) * w)
                    .unwrap_or(&[]);
                let data = self.values.slice();
                // one pass without branches per offset: in order and none negative
                let (first, last, ordered) =
                    ordered_offsets(bytes.chunks_exact(w).map(offset_word));
                if !ordered {
                    return Err("decreasing or negative string offsets".into());
                }
                let (first, last) = (first as usize, last as usize);
                if last > self.values.len {
                    return Err(format!(
                        "string offsets past the {} bytes of data",
                        self.values.len
                    ));
                }
                let text = data.get(first..last).unwrap_or(&[]);
                // in ASCII text every offset is on a character boundary; otherwise a UTF-8
                // continuation byte is no place to start or end a string
                self.utf8 = simdutf8::basic::from_utf8(text).is_ok()
                    && (text.is_ascii()
                        || bytes.chunks_exact(w).all(|o| {
                            let o = offset_word(o) as usize;
                            data.get(o).is_none_or(|&b| !(0x80..0xC0).contains(&b))
                        }));
                Ok(())
            }
            Kind::Int64 | Kind::Float64 | Kind::Timestamp(_) => {
                need("values", self.values.len, end.checked_mul(8))
            }
            Kind::Bool => need("values", self.values.len, Some(bits)),
            Kind::Null => Ok(()),
        }
    }
}

/// One string offset from its 4 or 8 bytes (-1 for any other width, which never occurs).
fn offset_word(o: &[u8]) -> i64 {
    match *o {
        [a, b, c, d] => i64::from(i32::from_ne_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => i64::from_ne_bytes([a, b, c, d, e, f, g, h]),
        _ => -1,
    }
}

/// The first and last of `offsets`, and whether they never decrease and none is negative
/// (`(0, 0, true)` for none).
fn ordered_offsets(offsets: impl Iterator<Item = i64>) -> (i64, i64, bool) {
    let mut first = None;
    let mut prev = 0i64;
    let mut ordered = true;
    for o in offsets {
        first.get_or_insert(o);
        // the first against 0: not negative; each later one against the one before
        ordered &= o >= prev;
        prev = o;
    }
    (first.unwrap_or(0), prev, ordered)
}

fn bytes(v: &Bound<'_, PyAny>) -> PyResult<Option<Bytes>> {
    if v.is_none() {
        return Ok(None);
    }
    let (address, size): (usize, usize) = v.extract()?;
    if address == 0 && size > 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "Arrow buffer with no address",
        ));
    }
    Ok(Some(Bytes {
        ptr: address as *const u8,
        len: size,
    }))
}

fn empty() -> Bytes {
    Bytes {
        ptr: std::ptr::null(),
        len: 0,
    }
}

impl Column {
    /// Reads a column description made by `slagrade._input` (see the module documentation).
    /// `Err` is a message for an `EventError`: an unknown kind or a malformed array.
    pub fn from_py(desc: &Bound<'_, PyTuple>) -> PyResult<Result<Column, String>> {
        let kind: String = desc.get_item(1)?.extract()?;
        let per_sec: i64 = desc.get_item(2)?.extract()?;
        let kind = match kind.as_str() {
            "utf8" => Kind::Utf8,
            "large_utf8" => Kind::LargeUtf8,
            "int64" => Kind::Int64,
            "float64" => Kind::Float64,
            "bool" => Kind::Bool,
            "null" => Kind::Null,
            "timestamp" if per_sec > 0 => Kind::Timestamp(per_sec),
            other => return Ok(Err(format!("unknown Arrow column kind `{other}`"))),
        };
        let listed = desc.get_item(3)?;
        let listed = listed.cast::<PyList>()?;
        let mut chunks = Vec::with_capacity(listed.len());
        let mut starts = Vec::with_capacity(listed.len());
        let mut len = 0usize;
        for c in listed.iter() {
            let (offset, n, bufs): (usize, usize, Bound<'_, PyList>) = c.extract()?;
            let buf = |i: usize| -> PyResult<Option<Bytes>> {
                match bufs.get_item(i) {
                    Ok(b) => bytes(&b),
                    Err(_) => Ok(None),
                }
            };
            let validity = buf(0)?;
            let (offsets, values) = match kind {
                Kind::Utf8 | Kind::LargeUtf8 => (buf(1)?, buf(2)?),
                Kind::Null => (None, None),
                _ => (None, buf(1)?),
            };
            let chunk = Chunk {
                offset,
                len: n,
                validity,
                offsets: offsets.unwrap_or_else(empty),
                values: values.unwrap_or_else(empty),
                utf8: false,
            };
            if n == 0 {
                continue;
            }
            starts.push(len);
            len += n;
            chunks.push(chunk);
        }
        Ok(Ok(Column {
            kind,
            chunks,
            starts,
            last: AtomicUsize::new(0),
            len,
            _keep: desc.get_item(4)?.unbind(),
        }))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Checks every chunk's buffers (see [`Chunk::check`]); no value of a column is read
    /// before. Needs no interpreter lock: it only reads the buffers.
    pub fn check(&mut self) -> Result<(), String> {
        let kind = self.kind;
        for c in &mut self.chunks {
            c.check(kind)
                .map_err(|e| format!("malformed Arrow array: {e}"))?;
        }
        Ok(())
    }

    /// About how much checking the column takes: the bytes of its buffers.
    pub fn weight(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.values.len.saturating_add(c.offsets.len))
            .sum()
    }

    /// The value at `row` (`Null` past the end).
    pub fn cell(&self, row: usize) -> Cell<'_> {
        let within = |k: usize| match (self.chunks.get(k), self.starts.get(k)) {
            (Some(c), Some(&s)) if row >= s && row - s < c.len => Some((c, s)),
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
            Some((c, s)) => c.cell(self.kind, row - s),
            None => Cell::Null,
        }
    }
}
