//! The JSON Lines reader: a stream read line by line (or in blocks on several threads), each
//! line accepted or rejected with its number, its reason and its text, never dropped.

use std::io::BufRead;

use crate::contract::Contract;
use crate::event::{Event, EventRef, Limits, Reason, Rejection, Validator};

/// One outcome of reading a line.
#[derive(Debug)]
pub enum LineOutcome {
    /// the line is a valid event
    Accepted(Event),
    /// the line is refused, with its number, reason and text
    Rejected(Rejection),
}

/// Streams a JSON Lines input: calls `f` for every non-blank line, in order, with its outcome.
/// Memory stays bounded by the longest line accepted (see [`Limits`]).
pub fn read_jsonl<R: BufRead>(
    contract: &Contract,
    input: R,
    limits: Limits,
    mut f: impl FnMut(LineOutcome),
) -> std::io::Result<u64> {
    read_jsonl_with(contract, input, limits, |o| match o {
        LineRef::Accepted(e) => f(LineOutcome::Accepted(e.to_event())),
        LineRef::Rejected(r) => f(LineOutcome::Rejected(r)),
    })
}

/// One outcome of reading a line, the accepted event borrowed.
#[derive(Debug)]
pub enum LineRef<'a> {
    /// the line is a valid event, borrowed for the call that receives it
    Accepted(EventRef<'a>),
    /// the line is refused, with its number, reason and text
    Rejected(Rejection),
}

/// [`read_jsonl`] handing accepted events over borrowed: no allocation per line in the
/// common case.
pub fn read_jsonl_with<R: BufRead>(
    contract: &Contract,
    input: R,
    limits: Limits,
    mut f: impl FnMut(LineRef<'_>),
) -> std::io::Result<u64> {
    read_lines(contract, input, limits, |o, _| f(o)).map(|end| end.lines)
}

/// Where the input stands after a line: bytes read through its end, and lines read
/// (blank ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Through {
    pub bytes: u64,
    pub lines: u64,
}

/// [`read_jsonl_with`] telling `f` where each line ends, and returning where the input
/// ended. A whole line is read in place from the reader's buffer and consumed after `f` has
/// seen it, so a reader cannot count its way to a line's end: this says where it is.
pub(crate) fn read_lines<R: BufRead>(
    contract: &Contract,
    mut input: R,
    limits: Limits,
    mut f: impl FnMut(LineRef<'_>, Through),
) -> std::io::Result<Through> {
    let mut bytes = 0u64;
    let validator = Validator::new(contract);
    let mut buf = Vec::with_capacity(4096);
    let mut values = Vec::new();
    let mut line_no = 0u64;
    let max = limits.max_line_bytes;
    // one line's outcome: its bytes (the first `max` of a longer line), its whole length,
    // and whether it is over the limit (the newline itself does not count against it)
    let mut one = |line: &[u8], len: usize, truncated: bool, at: Through| {
        let line_no = at.lines;
        if truncated {
            let text = String::from_utf8_lossy(line.get(..max).unwrap_or(line));
            f(
                LineRef::Rejected(Rejection {
                    line: Some(line_no),
                    reason: Reason::LineTooLong { max, len },
                    text: text.into_owned() + "…",
                }),
                at,
            );
            return;
        }
        if let Err(reason) = validator.line_with(line, &mut values, |e| f(LineRef::Accepted(e), at))
        {
            let text = String::from_utf8_lossy(line);
            f(
                LineRef::Rejected(Rejection {
                    line: Some(line_no),
                    reason,
                    text: text.trim_end_matches(['\n', '\r']).to_string(),
                }),
                at,
            )
        }
    };
    loop {
        // a whole line in the reader's buffer is read where it is, not copied
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(end) = memchr::memchr(b'\n', available) {
            let line = available.get(..=end).unwrap_or_default();
            line_no += 1;
            bytes += line.len() as u64;
            let at = Through {
                bytes,
                lines: line_no,
            };
            one(line, line.len(), line.len() - 1 > max, at);
            input.consume(end + 1);
            continue;
        }
        // no whole line in the buffer: a line longer than it, or the last one without a
        // newline; it is read into `buf` (up to the limit)
        buf.clear();
        let n = read_line_bounded(&mut input, &mut buf, max)?;
        if n.bytes == 0 {
            break;
        }
        line_no += 1;
        bytes += n.bytes as u64;
        let at = Through {
            bytes,
            lines: line_no,
        };
        one(&buf, n.bytes, n.truncated, at);
    }
    Ok(Through {
        bytes,
        lines: line_no,
    })
}

struct LineRead {
    bytes: usize,
    truncated: bool,
}

/// Reads one line into `buf`, keeping at most `max` bytes (the rest of a long line is
/// consumed and counted, not stored).
fn read_line_bounded<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    let mut total = 0usize;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(LineRead {
                bytes: total,
                truncated: total > max,
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (available.get(..=i).unwrap_or(available), true),
            None => (available, false),
        };
        let len = chunk.len();
        if buf.len() < max {
            let room = max - buf.len();
            buf.extend_from_slice(chunk.get(..room.min(len)).unwrap_or(chunk));
        }
        total += len;
        input.consume(len);
        if done {
            // the newline itself does not count against the limit
            return Ok(LineRead {
                bytes: total,
                truncated: total - 1 > max,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::generated;

    /// Lines are read in place from the reader's buffer when whole there, and copied when
    /// they cross its end: the outcomes (texts and reasons of rejections included) do not
    /// depend on where the buffer ends, for lines just under, at and over the limit.
    #[test]
    fn outcomes_do_not_depend_on_the_reader_buffer() {
        let src = include_str!("../../examples/egov-2026.sla");
        let contract = crate::contract::check::load(src).unwrap().contract;
        let limits = super::Limits {
            max_line_bytes: 300,
        };
        let mut input = generated(60, 20_000).into_bytes();
        // 298 to 302 bytes before the line end, and far over
        for n in [289, 290, 291, 292, 293, 500] {
            for end in [&b"\n"[..], b"\r\n"] {
                input.extend_from_slice(br#"{"id":""#);
                input.extend(std::iter::repeat_n(b'y', n));
                input.extend_from_slice(b"\"}");
                input.extend_from_slice(end);
            }
        }
        input.extend_from_slice(b"\n \n");
        input.extend(generated(20, 0).into_bytes());
        input.extend_from_slice(br#"{"id":"last, no newline"}"#);
        let read = |capacity: usize| {
            let mut out = Vec::new();
            let reader = std::io::BufReader::with_capacity(capacity, &input[..]);
            let end = super::read_lines(&contract, reader, limits, |o, at| {
                out.push(match o {
                    super::LineRef::Accepted(e) => format!("ok {} {} {at:?}", e.id, e.at),
                    super::LineRef::Rejected(r) => {
                        format!("no {:?} {} {:?} {at:?}", r.line, r.reason, r.text)
                    }
                })
            })
            .unwrap();
            (out, end)
        };
        let whole = read(1 << 20);
        assert!(
            whole
                .0
                .iter()
                .filter(|o| o.contains("longer than 300"))
                .count()
                >= 4
        );
        assert!(whole.0.iter().any(|o| o.contains("last, no newline")));
        // where each line ends, counted independently
        let mut ends = input
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == b'\n')
            .map(|(i, _)| i as u64 + 1);
        let first = whole.0.first().unwrap();
        let first_end = ends.next().unwrap();
        assert!(first.ends_with(&format!("Through {{ bytes: {first_end}, lines: 1 }}")));
        let lines = input.iter().filter(|c| **c == b'\n').count() as u64 + 1;
        let bytes = input.len() as u64;
        assert_eq!(whole.1, super::Through { bytes, lines });
        for capacity in [1, 2, 7, 64, 299, 301, 302, 4096] {
            assert_eq!(read(capacity), whole, "buffer of {capacity} bytes");
        }
    }
}
