//! The live evaluator: follow a JSON Lines file with crash-safe checkpoints.
//!
//! [`follow`] evaluates an events file from the position recorded in a checkpoint file (or
//! from the start), writes a checkpoint every N lines, and returns the evaluator. A process
//! killed at any instant (SIGKILL, power loss) resumes from its last checkpoint and ends with
//! exactly the evaluator an uninterrupted run gives.
//!
//! A checkpoint file is written atomically (a temporary file in the same directory, fsync,
//! rename, fsync of the directory) and framed so that any damage is detected:
//!
//! | bytes | field |
//! |---|---|
//! | 0..8 | magic `SLAGCKPT` |
//! | 8..12 | format version (u32, little endian), currently 2 |
//! | 12..20 | the contract's [fingerprint] (FNV-1a 64 of its canonical form) |
//! | 20..28 | byte offset of the input consumed (always the end of a line) |
//! | 28..36 | lines consumed (blank lines included) |
//! | 36..44 | payload length |
//! | 44..48 | CRC-32 (IEEE) of bytes 8..44 followed by the payload |
//! | 48.. | payload: [`Evaluator::checkpoint`] |
//!
//! Reading verifies every field and refuses a torn, truncated, extended or corrupted file, a
//! file of another format version and a file made under another contract.
//!
//! [fingerprint]: crate::contract::Contract::fingerprint

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::eval::{EvalError, Evaluator, Plan};
use crate::event::{read_lines, Limits, LineRef};

/// First bytes of every checkpoint file.
pub const MAGIC: [u8; 8] = *b"SLAGCKPT";
/// Version of the checkpoint file framing.
/// 2: the contract hash is its fingerprint (of the canonical form), no longer of the text
pub const FORMAT_VERSION: u32 = 2;
/// Length of the fixed header before the payload.
pub const HEADER_LEN: usize = 48;
/// Default number of lines between two checkpoints.
pub const DEFAULT_EVERY: u64 = 10_000;

/// Why a checkpoint or a resumed run was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// reading or writing a file failed
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// a checkpoint file fails verification (see [`decode`])
    #[error("checkpoint {path}: {reason}")]
    Corrupt {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong with it.
        reason: FrameError,
    },
    /// a checkpoint file made under another contract (or another version of it)
    #[error("checkpoint {path}: made under a different contract (contract hash {found:016x}, this contract {expected:016x})")]
    ContractMismatch {
        /// The checkpoint file.
        path: PathBuf,
        /// The contract fingerprint the file records.
        found: u64,
        /// This contract's fingerprint.
        expected: u64,
    },
    /// a verified checkpoint file whose payload the evaluator cannot restore
    #[error("checkpoint {path}: {source}")]
    Restore {
        /// The checkpoint file.
        path: PathBuf,
        /// Why the payload was refused.
        source: EvalError,
    },
    /// the events file does not continue where the checkpoint left it (truncated, replaced
    /// or changed)
    #[error("{path}: {reason}")]
    Input {
        /// The events file.
        path: PathBuf,
        /// What does not match, in words.
        reason: String,
    },
}

/// How far into the input a checkpoint is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// bytes of the input consumed; always just after a newline
    pub offset: u64,
    /// lines consumed (blank lines included), so that line numbers continue after a resume
    pub lines: u64,
}

/// A decoded, verified checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The fingerprint of the contract the state was made under.
    pub contract_hash: u64,
    /// How far into the input the state goes.
    pub position: Position,
    /// the evaluator's state ([`Evaluator::checkpoint`])
    pub payload: Vec<u8>,
}

// a const fn cannot use `get_mut`; `i < 256` holds by the loop condition
#[allow(clippy::indexing_slicing)]
const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC_TABLE: [u32; 256] = crc_table();

/// CRC-32 (IEEE 802.3, as in zlib and PNG), continued from `crc` (start with 0).
pub fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in bytes {
        let i = usize::from((c as u8) ^ b);
        c = CRC_TABLE.get(i).copied().unwrap_or(0) ^ (c >> 8);
    }
    !c
}

/// CRC-32 (IEEE) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32_update(0, bytes)
}

/// Frames an evaluator's state as a checkpoint file's bytes.
pub fn encode(ev: &Evaluator, position: Position) -> Vec<u8> {
    encode_frame(
        ev.plan().contract().fingerprint(),
        position,
        &ev.checkpoint(),
    )
}

/// Frames a payload (see the module documentation for the layout).
pub fn encode_frame(contract_hash: u64, position: Position, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&contract_hash.to_le_bytes());
    out.extend_from_slice(&position.offset.to_le_bytes());
    out.extend_from_slice(&position.lines.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let crc = crc32_update(crc32(out.get(8..).unwrap_or(&[])), payload);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)?.try_into().ok().map(u32::from_le_bytes)
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8)?.try_into().ok().map(u64::from_le_bytes)
}

/// Why a checkpoint file's bytes fail verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// no bytes at all
    #[error("empty file (torn write?)")]
    Empty,
    /// fewer bytes than the header (the count found)
    #[error("truncated: {0} bytes, shorter than the {HEADER_LEN}-byte header")]
    ShortHeader(usize),
    /// not a checkpoint file
    #[error("not a slagrade checkpoint (bad magic bytes)")]
    BadMagic,
    /// a format this build does not read (the version found)
    #[error("format version {0} is not supported (this slagrade reads version {FORMAT_VERSION})")]
    Version(u32),
    /// fewer payload bytes than the header announces
    #[error("truncated: payload of {found} bytes, the header announces {announced} (torn write?)")]
    ShortPayload {
        /// Payload bytes found.
        found: usize,
        /// Payload bytes the header announces.
        announced: u64,
    },
    /// more bytes than the header announces
    #[error("{extra} unexpected bytes after the payload of {announced} bytes")]
    TrailingBytes {
        /// Bytes past the announced payload.
        extra: u64,
        /// Payload bytes the header announces.
        announced: u64,
    },
    /// the checksum does not match the bytes
    #[error(
        "checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is corrupted"
    )]
    Checksum {
        /// The CRC-32 the header records.
        stored: u32,
        /// The CRC-32 of the bytes read.
        computed: u32,
    },
}

/// Verifies and decodes a checkpoint file's bytes.
pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
    if bytes.is_empty() {
        return Err(FrameError::Empty);
    }
    if bytes.get(..8) != Some(&MAGIC[..]) {
        if bytes.len() < 8 && MAGIC.starts_with(bytes) {
            return Err(FrameError::ShortHeader(bytes.len()));
        }
        return Err(FrameError::BadMagic);
    }
    let (Some(version), Some(hash), Some(offset), Some(lines), Some(len), Some(crc)) = (
        le_u32(bytes, 8),
        le_u64(bytes, 12),
        le_u64(bytes, 20),
        le_u64(bytes, 28),
        le_u64(bytes, 36),
        le_u32(bytes, 44),
    ) else {
        return Err(FrameError::ShortHeader(bytes.len()));
    };
    if version != FORMAT_VERSION {
        return Err(FrameError::Version(version));
    }
    let payload = bytes.get(HEADER_LEN..).unwrap_or(&[]);
    if payload.len() as u64 != len {
        return Err(if (payload.len() as u64) < len {
            FrameError::ShortPayload {
                found: payload.len(),
                announced: len,
            }
        } else {
            FrameError::TrailingBytes {
                extra: payload.len() as u64 - len,
                announced: len,
            }
        });
    }
    let actual = crc32_update(crc32(bytes.get(8..44).unwrap_or(&[])), payload);
    if actual != crc {
        return Err(FrameError::Checksum {
            stored: crc,
            computed: actual,
        });
    }
    Ok(Frame {
        contract_hash: hash,
        position: Position { offset, lines },
        payload: payload.to_vec(),
    })
}

/// Writes a checkpoint atomically: a temporary file in the same directory, fsync, rename over
/// `path`, fsync of the directory. A crash at any point leaves either the old file or the new
/// one, never a mix.
pub fn write_checkpoint(path: &Path, ev: &Evaluator, position: Position) -> Result<(), LiveError> {
    write_atomic(path, &encode(ev, position))
}

/// Writes `bytes` to `path` atomically (see [`write_checkpoint`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LiveError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| LiveError::Io { path: p, source }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    let tmp = dir.join(name);
    {
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))?;
    // make the rename itself durable; not every platform can open a directory
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads and verifies a checkpoint file and restores its evaluator under `plan`.
/// Refuses a damaged file and a file made under another contract.
pub fn read_checkpoint(path: &Path, plan: &Arc<Plan>) -> Result<(Evaluator, Position), LiveError> {
    let bytes = std::fs::read(path).map_err(|source| LiveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let frame = decode(&bytes).map_err(|reason| LiveError::Corrupt {
        path: path.to_path_buf(),
        reason,
    })?;
    if frame.contract_hash != plan.contract().fingerprint() {
        return Err(LiveError::ContractMismatch {
            path: path.to_path_buf(),
            found: frame.contract_hash,
            expected: plan.contract().fingerprint(),
        });
    }
    let ev = Evaluator::restore(plan, &frame.payload).map_err(|source| LiveError::Restore {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((ev, frame.position))
}

/// Options of [`follow`].
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// lines (non-blank) between two checkpoints; 0 = only at the end
    pub every: u64,
    /// Bounds on the input's lines.
    pub limits: Limits,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            every: DEFAULT_EVERY,
            limits: Limits::default(),
        }
    }
}

/// What [`follow`] did.
#[derive(Debug)]
pub struct Followed {
    /// The evaluator after the whole file, a last line without its newline included.
    pub evaluator: Evaluator,
    /// where the run started (`None`: from the start, no checkpoint file existed)
    pub resumed_from: Option<Position>,
    /// the position of the last checkpoint written (the last complete line)
    pub position: Position,
    /// Checkpoint files written by this run, the one at the end included.
    pub checkpoints_written: u64,
}

/// A reader that can be stopped: it fails once `stop` is set.
struct Stoppable<R> {
    inner: R,
    stop: Rc<Cell<bool>>,
}

impl<R: Read> Read for Stoppable<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.get() {
            return Err(std::io::Error::other("stopped"));
        }
        self.inner.read(out)
    }
}

/// Offset just after the last newline of `file` at or after `from` (or `from` when none).
fn last_line_end(file: &mut File, from: u64, len: u64) -> std::io::Result<u64> {
    let mut end = len;
    let mut chunk = vec![0u8; 1 << 16];
    while end > from {
        let start = end.saturating_sub(chunk.len() as u64).max(from);
        let n = (end - start) as usize;
        let part = chunk.get_mut(..n).unwrap_or(&mut []);
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|&c| c == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(from)
}

/// Feeds the lines of `file` from its current position (at most `len` bytes) to `ev`;
/// rejected lines are numbered after `base_lines`. Calls `at_line(ev, consumed, newlines)`
/// after every non-blank line; it returns an error to stop.
fn feed(
    ev: &mut Evaluator,
    file: &mut File,
    len: u64,
    base_lines: u64,
    limits: Limits,
    mut at_line: impl FnMut(&Evaluator, u64, u64) -> Result<(), LiveError>,
) -> Result<(u64, u64), LiveError> {
    let stop = Rc::new(Cell::new(false));
    let reader = std::io::BufReader::with_capacity(
        1 << 16,
        Stoppable {
            inner: Read::by_ref(file).take(len),
            stop: Rc::clone(&stop),
        },
    );
    let plan = Arc::clone(ev.plan());
    let mut failed: Option<LiveError> = None;
    let read = read_lines(plan.contract(), reader, limits, |o, at| {
        if failed.is_some() {
            return;
        }
        match o {
            LineRef::Accepted(e) => {
                ev.push_ref(e);
            }
            LineRef::Rejected(mut r) => {
                r.line = r.line.map(|l| l + base_lines);
                ev.reject(r);
            }
        }
        if let Err(e) = at_line(ev, at.bytes, at.lines) {
            failed = Some(e);
            stop.set(true);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let end = read.map_err(|source| LiveError::Io {
        path: PathBuf::new(),
        source,
    })?;
    Ok((end.bytes, end.lines))
}

/// Evaluates the JSON Lines file `events` from the position recorded in the checkpoint file
/// (from the start when the file does not exist), writing a checkpoint every
/// `opts.every` non-blank lines and once at the end.
///
/// The checkpoint always ends at a complete line: a last line without its newline (a writer
/// may still be appending it) is evaluated into the returned evaluator but left out of the
/// checkpoint, so a later run reads it again once complete.
pub fn follow(
    plan: &Arc<Plan>,
    events: &Path,
    checkpoint: &Path,
    opts: FollowOptions,
) -> Result<Followed, LiveError> {
    let input_err = |source: std::io::Error| LiveError::Io {
        path: events.to_path_buf(),
        source,
    };
    let (mut ev, start) = match checkpoint.try_exists() {
        Ok(true) => {
            let (ev, p) = read_checkpoint(checkpoint, plan)?;
            (ev, Some(p))
        }
        Ok(false) => (Evaluator::new(plan), None),
        Err(source) => {
            return Err(LiveError::Io {
                path: checkpoint.to_path_buf(),
                source,
            })
        }
    };
    let from = start.unwrap_or_default();
    let mut file = File::open(events).map_err(input_err)?;
    let len = file.metadata().map_err(input_err)?.len();
    if from.offset > len {
        return Err(LiveError::Input {
            path: events.to_path_buf(),
            reason: format!(
                "the checkpoint {} has consumed {} bytes but the file has only {len}: it was truncated or replaced",
                checkpoint.display(),
                from.offset
            ),
        });
    }
    if from.offset > 0 {
        let mut b = [0u8; 1];
        file.seek(SeekFrom::Start(from.offset - 1))
            .map_err(input_err)?;
        file.read_exact(&mut b).map_err(input_err)?;
        if b != [b'\n'] {
            return Err(LiveError::Input {
                path: events.to_path_buf(),
                reason: format!(
                    "byte {} is not the end of a line as the checkpoint {} records: the file was changed",
                    from.offset,
                    checkpoint.display()
                ),
            });
        }
    }
    let complete = last_line_end(&mut file, from.offset, len).map_err(input_err)?;
    file.seek(SeekFrom::Start(from.offset)).map_err(input_err)?;

    let mut written = 0u64;
    let mut since = 0u64;
    let every = opts.every;
    let (consumed, newlines) = feed(
        &mut ev,
        &mut file,
        complete - from.offset,
        from.lines,
        opts.limits,
        |ev, consumed, newlines| {
            since += 1;
            if every > 0 && since >= every {
                since = 0;
                written += 1;
                write_checkpoint(
                    checkpoint,
                    ev,
                    Position {
                        offset: from.offset + consumed,
                        lines: from.lines + newlines,
                    },
                )?;
            }
            Ok(())
        },
    )
    .map_err(|e| match e {
        LiveError::Io { path, source } if path.as_os_str().is_empty() => input_err(source),
        e => e,
    })?;
    let position = Position {
        offset: from.offset + consumed,
        lines: from.lines + newlines,
    };
    write_checkpoint(checkpoint, &ev, position)?;
    written += 1;
    if complete < len {
        feed(
            &mut ev,
            &mut file,
            len - complete,
            position.lines,
            opts.limits,
            |_, _, _| Ok(()),
        )
        .map_err(|e| match e {
            LiveError::Io { path, source } if path.as_os_str().is_empty() => input_err(source),
            e => e,
        })?;
    }
    Ok(Followed {
        evaluator: ev,
        resumed_from: start,
        position,
        checkpoints_written: written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_update(crc32(b"12345"), b"6789"), crc32(b"123456789"));
    }

    #[test]
    fn frame_round_trip_and_damage() {
        let p = Position {
            offset: 1234,
            lines: 56,
        };
        let bytes = encode_frame(7, p, b"{\"x\":1}");
        let f = decode(&bytes).unwrap();
        assert_eq!((f.contract_hash, f.position), (7, p));
        assert_eq!(f.payload, b"{\"x\":1}");
        for cut in 0..bytes.len() {
            let e = decode(&bytes[..cut]).unwrap_err().to_string();
            assert!(e.contains("truncated") || e.contains("empty"), "{cut}: {e}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert!(decode(&b).is_err(), "flip at {i}");
        }
        let mut longer = bytes.clone();
        longer.push(b'\n');
        assert!(decode(&longer)
            .unwrap_err()
            .to_string()
            .contains("unexpected bytes"));
    }
}
