//! Reading an events file into an evaluator, on several threads.
//!
//! The file is cut at line starts into blocks of about a megabyte. Threads take the next
//! block no thread has taken and parse it into owned batches; one thread pushes the blocks
//! into the evaluator in file order, parsing a block itself whenever the next one to push is
//! not ready. The evaluator sees exactly the pushes of one sequential read, with rejected
//! lines renumbered to their line in the whole file, so the result equals that of
//! [`crate::event::read_jsonl`] into one evaluator, byte for byte, and nothing is merged.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use std::sync::{Mutex, PoisonError};

use crate::contract::AttrId;
use crate::engine::eval::{Evaluator, Plan};
use crate::event::{read_jsonl_with, AttrValue, EventRef, Limits, LineRef, Rejection};
use crate::parallel::{in_order, BlockSource};

/// Below this size a file is read on one thread: starting threads would cost more.
const MIN_SPLIT_BYTES: u64 = 4 << 20;

/// Reads a JSON Lines file into a fresh evaluator using up to `threads` threads; the
/// evaluator scores on as many (see [`Evaluator::set_threads`]).
pub fn read_file(
    plan: &Arc<Plan>,
    path: &Path,
    limits: Limits,
    threads: usize,
) -> std::io::Result<Evaluator> {
    read_file_split(plan, path, limits, threads, MIN_SPLIT_BYTES)
}

/// Reads JSON Lines from `reader` into `ev` on this thread, in batches.
pub fn read_sequential(
    plan: &Arc<Plan>,
    reader: impl BufRead,
    limits: Limits,
    ev: &mut Evaluator,
) -> std::io::Result<()> {
    let mut batch = Batch::default();
    let lines = read_jsonl_with(plan.contract(), reader, limits, |o| {
        batch.take(plan, o);
        if batch.rows.len() >= BATCH {
            batch.push_into(ev);
        }
    })?;
    batch.push_into(ev);
    ev.add_positions(lines);
    Ok(())
}

fn read_file_split(
    plan: &Arc<Plan>,
    path: &Path,
    limits: Limits,
    threads: usize,
    min_split: u64,
) -> std::io::Result<Evaluator> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    let len = meta.len();
    let threads = threads.max(1);
    let mut ev = Evaluator::new(plan);
    // exported events run about 170 bytes a line; a low estimate only saves less
    ev.reserve(usize::try_from(len / 256).unwrap_or(0));
    if threads == 1 || !meta.is_file() || len < min_split {
        read_sequential(
            plan,
            BufReader::with_capacity(1 << 16, file),
            limits,
            &mut ev,
        )?;
    } else {
        let blocks = (len / BLOCK_BYTES).clamp(threads as u64 * 4, 1 << 12) as usize;
        let ranges = ranges(path, len, blocks)?;
        read_blocks(plan, path, limits, &ranges, threads, &mut ev)?;
    }
    ev.set_threads(threads);
    Ok(ev)
}

/// Bytes of a file that one thread reads at a time when a file is read on several.
const BLOCK_BYTES: u64 = 1 << 20;

/// Blocks read ahead of the one being pushed, at most (bounds the memory of parsed lines).
const BLOCKS_AHEAD: usize = 8;

/// The lines of one block, parsed: batches of owned events and rejections (numbered from
/// the block's first line), and how many lines it has.
struct Parsed {
    batches: Vec<Batch>,
    lines: u64,
}

/// Reads and parses a byte range of whole lines.
fn parse_block(
    plan: &Plan,
    file: &mut File,
    (a, b): (u64, u64),
    limits: Limits,
    spare: &impl Fn() -> Batch,
) -> std::io::Result<Parsed> {
    file.seek(SeekFrom::Start(a))?;
    let reader = BufReader::with_capacity(1 << 16, Read::by_ref(file).take(b - a));
    let mut batches = Vec::new();
    let mut batch = spare();
    let lines = read_jsonl_with(plan.contract(), reader, limits, |o| {
        batch.take(plan, o);
        if batch.rows.len() >= BATCH {
            batches.push(std::mem::replace(&mut batch, spare()));
        }
    })?;
    batches.push(batch);
    Ok(Parsed { batches, lines })
}

/// The blocks of a file, each a byte range of whole lines, parsed on any thread.
struct FileBlocks<'a> {
    plan: &'a Plan,
    path: &'a Path,
    ranges: &'a [(u64, u64)],
    limits: Limits,
    /// batches pushed go back for the next blocks, their room kept
    spares: Mutex<Vec<Batch>>,
}

impl FileBlocks<'_> {
    fn spare(&self) -> Batch {
        let mut s = self.spares.lock().unwrap_or_else(PoisonError::into_inner);
        s.pop().unwrap_or_default()
    }
}

impl BlockSource for FileBlocks<'_> {
    type Block = std::io::Result<Parsed>;
    type Worker = File;
    fn blocks(&self) -> usize {
        self.ranges.len()
    }
    fn worker(&self) -> std::io::Result<File> {
        File::open(self.path)
    }
    fn make(&self, file: &mut File, k: usize, _: Option<Self::Block>) -> Self::Block {
        let range = self.ranges.get(k).copied().unwrap_or((0, 0));
        parse_block(self.plan, file, range, self.limits, &|| self.spare())
    }
}

/// Reads the blocks `ranges` of a file into `ev` in file order, on `threads` threads (see
/// [`in_order`]). The evaluator sees exactly the pushes of one sequential read (rejected
/// lines are renumbered to their line in the file), so the result is that of a sequential
/// read, byte for byte, and nothing is merged.
fn read_blocks(
    plan: &Plan,
    path: &Path,
    limits: Limits,
    ranges: &[(u64, u64)],
    threads: usize,
    ev: &mut Evaluator,
) -> std::io::Result<()> {
    let src = FileBlocks {
        plan,
        path,
        ranges,
        limits,
        spares: Mutex::new(Vec::new()),
    };
    let mut lines_before = 0u64;
    in_order(&src, threads, BLOCKS_AHEAD, |_, parsed| {
        let parsed = parsed?;
        for mut batch in parsed.batches {
            for r in batch.rows.iter_mut().filter_map(|r| r.as_mut().err()) {
                crate::event::renumber(std::slice::from_mut(r), lines_before);
            }
            batch.push_into(ev);
            src.spares
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(batch);
        }
        lines_before += parsed.lines;
        Ok(None)
    })?;
    ev.add_positions(lines_before);
    Ok(())
}

/// Lines read before their events are pushed together (see [`Evaluator::push_outcomes`]).
pub(crate) const BATCH: usize = 256;

/// The outcomes of consecutive lines, owned, so that they can be pushed as one batch: the
/// evaluator then fetches the memory of coming events ahead of their push.
#[derive(Default)]
pub(crate) struct Batch {
    /// ids and subjects, one after the other
    names: String,
    /// the attribute values the plan keeps (the others are left missing)
    values: Vec<AttrValue>,
    pub(crate) rows: Vec<Result<Row, Rejection>>,
}

/// An accepted event of a [`Batch`]: offsets into its names and values.
pub(crate) struct Row {
    id: (usize, usize),
    subject: (usize, usize),
    at: i64,
    kind: Option<crate::contract::KindId>,
    product: crate::contract::ProductId,
    attrs: (usize, usize),
}

impl Batch {
    /// Copies an event in; only the attribute values the plan keeps are cloned.
    pub(crate) fn add(&mut self, plan: &Plan, e: EventRef<'_>) {
        let mut text = |s: &str| {
            let start = self.names.len();
            self.names.push_str(s);
            (start, self.names.len())
        };
        let (id, subject) = (text(e.id), text(e.subject));
        let start = self.values.len();
        for (a, v) in e.attrs.iter().enumerate() {
            let kept = AttrId::new(a).is_some_and(|a| plan.keeps(e.kind, a));
            self.values
                .push(if kept { v.clone() } else { AttrValue::Missing });
        }
        self.rows.push(Ok(Row {
            id,
            subject,
            at: e.at,
            kind: e.kind,
            product: e.product,
            attrs: (start, self.values.len()),
        }));
    }

    /// Adds a line's outcome: an accepted event or a rejection.
    pub(crate) fn take(&mut self, plan: &Plan, o: LineRef<'_>) {
        match o {
            LineRef::Accepted(e) => self.add(plan, e),
            LineRef::Rejected(r) => self.rows.push(Err(r)),
        }
    }

    /// Pushes the batch into `ev`, in order, and empties it.
    pub(crate) fn push_into(&mut self, ev: &mut Evaluator) {
        let Batch {
            names,
            values,
            rows,
        } = self;
        let (names, values) = (&*names, &*values);
        ev.push_outcomes(rows.drain(..).map(|r| {
            r.map(|x| EventRef {
                id: names.get(x.id.0..x.id.1).unwrap_or(""),
                at: x.at,
                kind: x.kind,
                subject: names.get(x.subject.0..x.subject.1).unwrap_or(""),
                product: x.product,
                attrs: values.get(x.attrs.0..x.attrs.1).unwrap_or(&[]),
            })
        }));
        self.names.clear();
        self.values.clear();
    }
}

/// A range of the file, buffered.
pub(crate) type RangeReader = BufReader<std::io::Take<File>>;

/// Runs `f(index, reader, bytes)` on each of up to `threads` ranges of whole lines of the
/// file, on threads of their own, and returns the results in file order. A file smaller than
/// `min_split`, or one that is not a regular file (a pipe), is one range read as it comes.
pub(crate) fn in_ranges<T: Send>(
    path: &Path,
    threads: usize,
    min_split: u64,
    f: impl Fn(usize, RangeReader, u64) -> std::io::Result<T> + Sync,
) -> std::io::Result<Vec<T>> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    let len = meta.len();
    let threads = threads.max(1);
    if threads == 1 || !meta.is_file() || len < min_split {
        let bytes = if meta.is_file() { len } else { 0 };
        let reader = BufReader::with_capacity(1 << 16, file.take(u64::MAX));
        return Ok(vec![f(0, reader, bytes)?]);
    }
    let ranges = ranges(path, len, threads)?;
    let f = &f;
    crate::parallel::map(ranges.len(), ranges.len(), |i| {
        let (a, b) = ranges.get(i).copied().unwrap_or((0, 0));
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(a))?;
        f(
            i,
            BufReader::with_capacity(1 << 16, file.take(b - a)),
            b - a,
        )
    })
    .into_iter()
    .collect()
}

/// The file cut into up to `n` ranges of whole lines (see [`cuts`]).
fn ranges(path: &Path, len: u64, n: usize) -> std::io::Result<Vec<(u64, u64)>> {
    let bounds = cuts(path, len, n)?;
    Ok(bounds
        .iter()
        .copied()
        .zip(bounds.iter().copied().skip(1))
        .collect())
}

/// Byte offsets cutting the file into `n` ranges of whole lines: `[0, c1, ..., len]`.
fn cuts(path: &Path, len: u64, n: usize) -> std::io::Result<Vec<u64>> {
    let mut out = vec![0u64];
    // a handle of its own: a cloned one would share (and move) the caller's file offset
    let mut r = BufReader::new(File::open(path)?);
    let mut skipped = Vec::new();
    for k in 1..n as u64 {
        let nominal = len / n as u64 * k;
        let last = out.last().copied().unwrap_or(0);
        if nominal <= last {
            continue;
        }
        // the cut goes after the first newline at or after `nominal - 1`, i.e. at a line start
        r.seek(SeekFrom::Start(nominal - 1))?;
        skipped.clear();
        let n = r.read_until(b'\n', &mut skipped)? as u64;
        let cut = (nominal - 1 + n).min(len);
        if cut > last && cut < len {
            out.push(cut);
        }
    }
    out.push(len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{read_jsonl, LineOutcome};

    #[test]
    fn cuts_fall_at_line_starts() {
        let dir = std::env::temp_dir().join(format!("slagrade-cuts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x");
        let text = "aaaa\nbb\n\ncccccccccc\nd\ne";
        std::fs::write(&p, text).unwrap();
        for n in 1..12 {
            let c = cuts(&p, text.len() as u64, n).unwrap();
            assert_eq!(c.first(), Some(&0));
            assert_eq!(c.last(), Some(&(text.len() as u64)));
            for w in c.windows(2) {
                assert!(w[0] < w[1], "{c:?}");
            }
            for x in &c[1..c.len() - 1] {
                assert_eq!(text.as_bytes()[*x as usize - 1], b'\n', "{n}: {c:?}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Reading a file on several threads gives the outcomes of a sequential read, in the
    /// same order, including over-long lines (over the limit, over a whole block, and at the
    /// very end without a newline).
    #[test]
    fn long_lines_across_blocks_read_as_sequentially() {
        let src = include_str!("../../examples/egov-2026.sla");
        let plan = Arc::new(Plan::compile(
            crate::contract::check::load(src).unwrap().contract,
        ));
        let cfg = slagrade_gen::GenConfig {
            events: 40_000,
            malformed_ppm: 5_000,
            ..Default::default()
        };
        let mut data = Vec::new();
        slagrade_gen::generate(&cfg, &mut data).unwrap();
        let limits = Limits {
            max_line_bytes: 3_000,
        };
        let long = |n: usize| {
            let mut v = br#"{"id":""#.to_vec();
            v.extend(std::iter::repeat_n(b'x', n));
            v.extend_from_slice(b"\"}\n");
            v
        };
        let mut input = long(5_000);
        input.extend_from_slice(&data[..data.len() / 2]);
        input.extend(long(3_500_000));
        input.extend_from_slice(b"\n\n");
        input.extend_from_slice(&data[data.len() / 2..]);
        input.extend(long(2_000_000));
        input.pop();
        let dir = std::env::temp_dir().join(format!("slagrade-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("long.jsonl");
        std::fs::write(&p, &input).unwrap();
        let mut want = Vec::new();
        let lines = read_jsonl(plan.contract(), &input[..], limits, |o| {
            if let LineOutcome::Rejected(r) = o {
                want.push((r.line, r.reason, r.text.len()));
            }
        })
        .unwrap();
        assert_eq!(
            want.iter()
                .filter(|w| matches!(w.1, crate::event::Reason::LineTooLong { .. }))
                .count(),
            3
        );
        for threads in [1, 2, 3] {
            let ev = read_file_split(&plan, &p, limits, threads, 0).unwrap();
            let got: Vec<_> = ev
                .rejected()
                .iter()
                .map(|r| (r.line, r.reason.clone(), r.text.len()))
                .collect();
            assert_eq!(got, want, "{threads} threads");
            assert_eq!(ev.positions(), lines, "{threads} threads");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file that cannot be cut (one long line) is read whole, from its start.
    #[test]
    fn an_uncuttable_file_is_read_from_its_start() {
        let src = include_str!("../../examples/egov-2026.sla");
        let plan = Arc::new(Plan::compile(
            crate::contract::check::load(src).unwrap().contract,
        ));
        let dir = std::env::temp_dir().join(format!("slagrade-uncut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x.jsonl");
        let line = r#"{"id":"e1","at":"2026-10-09T17:20:00+08:00","kind":"ticket.opened","subject":"T-1","product":"app.business_support.oa","attrs":{"priority":"P2"}}"#;
        std::fs::write(&p, line).unwrap();
        for threads in [1, 2, 4] {
            let ev = read_file_split(&plan, &p, Limits::default(), threads, 0).unwrap();
            assert_eq!(ev.counts().accepted, 1, "{threads} threads");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Any number of threads gives exactly the sequential read: counts, rejected lines with
    /// their numbers, and every scorecard with its explanations, with repeated ids of
    /// different content on both sides of the cuts.
    #[test]
    fn split_reading_is_sequential_reading() {
        let src = include_str!("../../examples/egov-2026.sla");
        let plan = Arc::new(Plan::compile(
            crate::contract::check::load(src).unwrap().contract,
        ));
        let cfg = slagrade_gen::GenConfig {
            seed: 11,
            events: 6000,
            from: (2026, 9),
            to: (2026, 11),
            out_of_order_permille: 100,
            duplicates_ppm: 20_000,
            malformed_ppm: 5_000,
        };
        let mut buf = Vec::new();
        slagrade_gen::generate(&cfg, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // the same ids again with other instants, spread over the file, and blank lines
        let mut out = String::new();
        for (i, l) in lines.iter().enumerate() {
            out.push_str(l);
            out.push('\n');
            if i % 97 == 0 {
                out.push('\n');
            }
            if i % 89 == 50 {
                let j = (i * 7919) % lines.len();
                out.push_str(&lines[j].replace("T0", "T1"));
                out.push('\n');
            }
        }
        let dir = std::env::temp_dir().join(format!("slagrade-split-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("events.jsonl");
        std::fs::write(&p, &out).unwrap();

        let mut one = Evaluator::new(&plan);
        let lines = read_jsonl(
            plan.contract(),
            out.as_bytes(),
            Limits::default(),
            |o| match o {
                LineOutcome::Accepted(e) => {
                    one.push(e);
                }
                LineOutcome::Rejected(r) => one.reject(r),
            },
        )
        .unwrap();
        // the reader counts the file's lines, as positions for what is merged after it
        one.add_positions(lines);
        assert_eq!(one.positions(), out.lines().count() as u64);
        let periods = one.anchor_periods(None);
        assert!(periods.len() >= 3);
        assert!(one.counts().duplicates > 100 && one.counts().rejected > 10);
        for threads in [1, 2, 3, 7] {
            let many = read_file_split(&plan, &p, Limits::default(), threads, 0).unwrap();
            // the same pushes in the same order: the very same state, byte for byte
            assert_eq!(many.checkpoint(), one.checkpoint(), "{threads} threads");
            assert_eq!(many.counts(), one.counts(), "{threads} threads");
            assert_eq!(many.rejected(), one.rejected(), "{threads} threads");
            assert_eq!(many.anchor_periods(None), periods);
            for (period, _) in &periods {
                assert_eq!(
                    many.explain(period, None, false).unwrap(),
                    one.explain(period, None, false).unwrap(),
                    "{threads} threads, {}",
                    period.key
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
