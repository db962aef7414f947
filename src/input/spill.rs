//! Evaluating event files larger than memory, exactly.
//!
//! The file is read once and its valid events are written to `n` temporary files by a hash of
//! their id, in file order. Each of those is then read alone: the first occurrence of every
//! id is kept (a repeated id always lands in the same file, after its first occurrence, so
//! this is the single-pass rule exactly), and the kept events are written to `n` files by a
//! hash of their subject (events that are only counted one by one, by their id). Each
//! subject file then fills an evaluator of its own, which gives its partial of every period
//! asked for; a subject's tracked events never span two files, so the sums of the partials
//! are the scorecards of one evaluator fed the whole file. Memory holds one
//! partition at a time: about `1/n` of what reading the file into one evaluator takes.

use std::fs::File;
use std::hash::BuildHasher;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::contract::{KindId, ProductId};
use crate::engine::eval::{
    unkey, EvalError, Evaluator, Findings, IgnoredEvent, Keyed, Partial, Plan,
};
use crate::engine::scorecard::{EventCounts, Scorecard};
use crate::event::{read_jsonl_with, AttrValue, EventRef, Limits, LineRef, Rejection};
use crate::input::ingest::{Batch, BATCH};
use crate::time::period::{self, Period};

/// Events of a file spread over partitions on disk (see the module documentation).
pub struct Spilled {
    plan: Arc<Plan>,
    dir: PathBuf,
    /// per subject partition: its files
    parts: Vec<Vec<PathBuf>>,
    threads: usize,
    counts: EventCounts,
    rejected: Vec<Rejection>,
    max_at: Option<i64>,
}

impl Drop for Spilled {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads a memory size: `512M`, `8G`, `1024` (bytes); K, M, G and T are powers of 1024 and
/// may be followed by `B` or `iB`. `None` for anything else, and for zero.
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let unit = unit.trim().to_ascii_uppercase();
    let shift = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|n| *n > 0)
}

/// How many partitions a JSON Lines file of `len` bytes needs to stay within `budget` bytes
/// when read on `threads` threads (1: read it into memory). An evaluator holds about 0.6
/// bytes per byte of JSON Lines; a partition is read, deduplicated and evaluated with some
/// more, so one byte per byte is planned, each thread holding one partition at a time. At
/// most 512 partitions (files open at once): past that a partition takes more than the budget.
pub fn partitions_for(len: u64, budget: u64, threads: usize) -> usize {
    let per_thread = (budget / threads.max(1) as u64).max(1);
    usize::try_from(len.div_ceil(per_thread))
        .unwrap_or(usize::MAX)
        .clamp(1, 512)
}

/// A fixed hash (the partition of an id or subject must not depend on the process): the
/// contract's FNV-1a 64, its high bits folded in (FNV's low bits are weak for short keys).
fn bucket(s: &str, n: usize) -> usize {
    let h = crate::contract::check::util::fnv1a64(s.as_bytes());
    ((h ^ (h >> 29)) % n.max(1) as u64) as usize
}

impl Spilled {
    /// Reads a JSON Lines file into `partitions` partitions under a new directory in `tmp`,
    /// with up to `threads` threads (each pass holds up to `threads` partitions in memory).
    pub fn read_file(
        plan: &Arc<Plan>,
        path: &Path,
        limits: Limits,
        partitions: usize,
        threads: usize,
        tmp: &Path,
    ) -> std::io::Result<Spilled> {
        let n = partitions.max(1);
        let threads = threads.max(1);
        let dir = tmp.join(format!(
            "slagrade-spill-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dir)?;
        let mut out = Spilled {
            plan: Arc::clone(plan),
            parts: Vec::new(),
            dir,
            threads,
            counts: EventCounts::default(),
            rejected: Vec::new(),
            max_at: None,
        };
        let dir = out.dir.clone();
        let create = |name: String| -> std::io::Result<BufWriter<File>> {
            Ok(BufWriter::with_capacity(
                1 << 16,
                File::create(dir.join(name))?,
            ))
        };

        // pass 1: valid events by id; range `r` of the file writes `ids-{k}-{r}`
        let ranges = crate::input::ingest::in_ranges(path, threads, 4 << 20, |r, input, _| {
            let mut writers = (0..n)
                .map(|k| create(format!("ids-{k}-{r}")))
                .collect::<std::io::Result<Vec<_>>>()?;
            let mut rejected = Vec::new();
            let mut buf = Vec::new();
            let mut err = None;
            let lines = read_jsonl_with(plan.contract(), input, limits, |o| match o {
                LineRef::Accepted(e) => {
                    buf.clear();
                    encode(&e, &mut buf);
                    if let Some(w) = writers.get_mut(bucket(e.id, n)) {
                        if let Err(x) = w.write_all(&buf) {
                            err.get_or_insert(x);
                        }
                    }
                }
                LineRef::Rejected(r) => rejected.push(r),
            })?;
            if let Some(e) = err {
                return Err(e);
            }
            for w in &mut writers {
                w.flush()?;
            }
            Ok((rejected, lines))
        })?;
        let n_ranges = ranges.len();
        let mut lines_before = 0u64;
        for (mut rejected, lines) in ranges {
            crate::event::renumber(&mut rejected, lines_before);
            lines_before += lines;
            out.counts.rejected += rejected.len() as u64;
            out.rejected.extend(rejected);
        }

        // pass 2: the first occurrence of each id (its ranges read in file order), by
        // subject; worker `u` writes `subjects-{j}-{u}`
        let results = crate::parallel::map(
            threads.max(1),
            threads,
            |u| -> std::io::Result<(u64, u64, Option<i64>)> {
                let mut writers = (0..n)
                    .map(|j| create(format!("subjects-{j}-{u}")))
                    .collect::<std::io::Result<Vec<_>>>()?;
                let hasher = hashbrown::DefaultHashBuilder::default();
                let (mut accepted, mut duplicates, mut max_at) = (0u64, 0u64, None::<i64>);
                for k in (u..n).step_by(threads) {
                    let mut seen: hashbrown::HashTable<(u64, Box<str>)> =
                        hashbrown::HashTable::new();
                    for r in 0..n_ranges {
                        let p = dir.join(format!("ids-{k}-{r}"));
                        let mut input = BufReader::with_capacity(1 << 16, File::open(&p)?);
                        let mut rec = Vec::new();
                        let mut x = Record::default();
                        while read_record(&mut input, &mut rec)? {
                            decode(&rec, &mut x)?;
                            let id = x.id.as_str();
                            let h = hasher.hash_one(id);
                            if seen.find(h, |(y, s)| *y == h && &**s == id).is_some() {
                                duplicates += 1;
                                continue;
                            }
                            seen.insert_unique(h, (h, id.into()), |(y, _)| *y);
                            accepted += 1;
                            max_at = Some(max_at.map_or(x.at, |m| m.max(x.at)));
                            if x.kind.is_none() {
                                // a kind the contract does not declare: counted, nothing to evaluate
                                continue;
                            }
                            // events counted one by one need no other event of their subject:
                            // spread by id, so that a subject with a vast history (a probe
                            // target, say) does not make one partition grow with the file
                            let key = if plan.by_subject(x.kind) {
                                &x.subject
                            } else {
                                &x.id
                            };
                            if let Some(w) = writers.get_mut(bucket(key, n)) {
                                w.write_all(&(rec.len() as u32).to_le_bytes())?;
                                w.write_all(&rec)?;
                            }
                        }
                        drop(input);
                        std::fs::remove_file(&p)?;
                    }
                }
                for w in &mut writers {
                    w.flush()?;
                }
                Ok((accepted, duplicates, max_at))
            },
        );
        for r in results {
            let (a, d, m) = r?;
            out.counts.accepted += a;
            out.counts.duplicates += d;
            if let Some(m) = m {
                out.max_at = Some(out.max_at.map_or(m, |x| x.max(m)));
            }
        }
        out.parts = (0..n)
            .map(|j| {
                (0..threads)
                    .map(|u| dir.join(format!("subjects-{j}-{u}")))
                    .collect()
            })
            .collect();
        Ok(out)
    }

    /// How many partitions hold the events.
    pub fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// The compiled contract the events were read under.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Accepted, duplicate and rejected events of the whole file.
    pub fn counts(&self) -> EventCounts {
        self.counts
    }

    /// Every rejected line of the file, with its line number and reason.
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// The latest `at` among accepted events.
    pub fn latest(&self) -> Option<i64> {
        self.max_at
    }

    /// Fills an evaluator with one subject partition.
    fn load(&self, files: &[PathBuf]) -> Result<Evaluator, EvalError> {
        let mut ev = Evaluator::new(&self.plan);
        let mut rec = Vec::new();
        let mut x = Record::default();
        // pushed in batches, as a file is read (see `ingest::Batch`)
        let mut batch = Batch::default();
        for part in files {
            let io = |e: std::io::Error| EvalError::Spill(format!("{}: {e}", part.display()));
            let mut r = BufReader::with_capacity(1 << 16, File::open(part).map_err(io)?);
            while read_record(&mut r, &mut rec).map_err(io)? {
                decode(&rec, &mut x).map_err(io)?;
                batch.add(
                    &self.plan,
                    EventRef {
                        id: &x.id,
                        at: x.at,
                        kind: x.kind,
                        subject: &x.subject,
                        product: x.product,
                        attrs: &x.attrs,
                    },
                );
                if batch.rows.len() >= BATCH {
                    batch.push_into(&mut ev);
                }
            }
        }
        batch.push_into(&mut ev);
        Ok(ev)
    }

    /// Runs `f` on the evaluator of every subject partition, `threads` partitions at a time,
    /// and returns the results in partition order.
    fn each_part<T: Send>(
        &self,
        f: impl Fn(&Evaluator) -> Result<T, EvalError> + Sync,
    ) -> Result<Vec<T>, EvalError> {
        let n = self.parts.len();
        let t = self.threads;
        let per_worker =
            crate::parallel::map(t.max(1), t, |u| -> Result<Vec<(usize, T)>, EvalError> {
                let mut out = Vec::new();
                for j in (u..n).step_by(t) {
                    let files = self.parts.get(j).map_or(&[][..], Vec::as_slice);
                    out.push((j, f(&self.load(files)?)?));
                }
                Ok(out)
            });
        let mut all = Vec::with_capacity(n);
        for w in per_worker {
            all.extend(w?);
        }
        all.sort_by_key(|(j, _)| *j);
        Ok(all.into_iter().map(|(_, x)| x).collect())
    }

    /// [`Evaluator::anchor_periods`] over all partitions.
    pub fn anchor_periods(&self, as_of: Option<i64>) -> Result<Vec<(Period, u64)>, EvalError> {
        let as_of = as_of.or(self.max_at);
        let mut all: std::collections::BTreeMap<Period, u64> = Default::default();
        for part in self.each_part(|ev| Ok(ev.anchor_periods(as_of)))? {
            for (period, n) in part {
                *all.entry(period).or_default() += n;
            }
        }
        Ok(all.into_iter().collect())
    }

    /// [`Evaluator::default_period`] over all partitions.
    pub fn default_period(&self, as_of: Option<i64>) -> Result<Option<Period>, EvalError> {
        let c = self.plan.contract();
        let mut best: Option<(Period, u64)> = None;
        for (p, n) in self.anchor_periods(as_of)? {
            if best.as_ref().is_none_or(|(_, m)| n > *m) {
                best = Some((p, n));
            }
        }
        Ok(best.map(|(p, _)| p).or_else(|| {
            as_of
                .or(self.max_at)
                .and_then(|t| period::period_of(c.period, c.timezone, t))
        }))
    }

    /// The scorecards of these periods as of `as_of` (default: the latest accepted `at`),
    /// one partition in memory at a time.
    pub fn scorecards(
        &self,
        periods: &[Period],
        as_of: Option<i64>,
    ) -> Result<Vec<Scorecard>, EvalError> {
        let mut cards = self.scorecards_unflagged(periods, as_of)?;
        self.flag(&mut cards)?;
        Ok(cards)
    }

    /// Sets the period flags of `cards`, scoring the periods before each that they read.
    fn flag(&self, cards: &mut [Scorecard]) -> Result<(), EvalError> {
        let back = self.plan.lookback();
        for card in cards.iter_mut() {
            let previous = if back > 0 {
                let period = Period {
                    key: card.period.clone(),
                    start: card.period_start,
                    end: card.period_end,
                };
                let prevs = self.plan.previous_periods(&period, back);
                self.scorecards_unflagged(&prevs, Some(card.as_of))?
            } else {
                Vec::new()
            };
            self.plan.set_flags(card, &previous);
        }
        Ok(())
    }

    fn scorecards_unflagged(
        &self,
        periods: &[Period],
        as_of: Option<i64>,
    ) -> Result<Vec<Scorecard>, EvalError> {
        let mut sums: Vec<Option<Partial>> = vec![None; periods.len()];
        let mut at: Vec<i64> = Vec::with_capacity(periods.len());
        for p in periods {
            at.push(as_of.or(self.max_at).unwrap_or(p.end));
        }
        let parts = self.each_part(|ev| {
            periods
                .iter()
                .zip(&at)
                .map(|(p, t)| ev.partials(std::slice::from_ref(p), *t))
                .collect::<Result<Vec<_>, _>>()
        })?;
        for part in parts {
            for (xs, sum) in part.into_iter().zip(sums.iter_mut()) {
                for x in xs {
                    Partial::add_to(sum, x);
                }
            }
        }
        // there is always at least one partition, so every period has a sum
        periods
            .iter()
            .zip(at)
            .zip(sums)
            .map(|((p, t), sum)| {
                let sum = sum.ok_or_else(|| EvalError::Spill("no partition".into()))?;
                self.plan.scorecard_unflagged(self.counts, p, t, &sum)
            })
            .collect()
    }
}

impl Spilled {
    /// [`Evaluator::explain`] over every partition: the scorecard of one period plus, per
    /// assessment and indicator, what counted against it, in the order one evaluator gives.
    pub fn explain(
        &self,
        period: &Period,
        as_of: Option<i64>,
        all: bool,
    ) -> Result<(Scorecard, Findings), EvalError> {
        let at = as_of.or(self.max_at).unwrap_or(period.end);
        let parts = self.each_part(|ev| ev.explain_part(period, at, all))?;
        let mut sum: Option<Partial> = None;
        let mut all: Option<Keyed> = None;
        for (partial, keyed) in parts {
            Partial::add_to(&mut sum, partial);
            match &mut all {
                None => all = Some(keyed),
                Some(all) => {
                    for (mine, theirs) in all.iter_mut().zip(keyed) {
                        for (x, y) in mine.iter_mut().zip(theirs) {
                            x.extend(y);
                        }
                    }
                }
            }
        }
        let (sum, mut all) = match (sum, all) {
            (Some(s), Some(a)) => (s, a),
            _ => return Err(EvalError::Spill("no partition".into())),
        };
        for a in &mut all {
            for list in a {
                list.sort_by(|x, y| x.0.cmp(&y.0));
            }
        }
        let mut card = self
            .plan
            .scorecard_unflagged(self.counts, period, at, &sum)?;
        self.flag(std::slice::from_mut(&mut card))?;
        Ok((card, unkey(all)))
    }

    /// [`Evaluator::ignored`] over every partition, in the order one evaluator gives.
    pub fn ignored(
        &self,
        period: &Period,
        as_of: Option<i64>,
    ) -> Result<Vec<IgnoredEvent>, EvalError> {
        let at = as_of.or(self.max_at).unwrap_or(period.end);
        let mut all: Vec<IgnoredEvent> = self
            .each_part(|ev| Ok(ev.ignored(period, Some(at))))?
            .into_iter()
            .flatten()
            .collect();
        // partitions hold disjoint subjects, each listed in its own order
        all.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(all)
    }
}

/// An event read back from a partition.
struct Record {
    id: String,
    at: i64,
    kind: Option<KindId>,
    subject: String,
    product: ProductId,
    attrs: Vec<AttrValue>,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            id: String::new(),
            at: 0,
            kind: None,
            subject: String::new(),
            // overwritten by `decode` before it is read
            product: ProductId::HOLE,
            attrs: Vec::new(),
        }
    }
}

/// Appends a length-prefixed record.
fn encode(e: &EventRef<'_>, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&e.at.to_le_bytes());
    out.extend_from_slice(&e.kind.map_or(u64::MAX, |k| k.index() as u64).to_le_bytes());
    out.extend_from_slice(&(e.product.index() as u64).to_le_bytes());
    text(out, e.id);
    text(out, e.subject);
    out.extend_from_slice(&(e.attrs.len() as u32).to_le_bytes());
    for a in e.attrs {
        match a {
            AttrValue::Missing => out.push(0),
            AttrValue::Text(s) => {
                out.push(1);
                text(out, s);
            }
            AttrValue::Enum(i) => {
                out.push(2);
                out.extend_from_slice(&i.to_le_bytes());
            }
            AttrValue::Bool(b) => {
                out.push(3);
                out.push(u8::from(*b));
            }
            AttrValue::Number(d) => {
                out.push(4);
                out.extend_from_slice(&d.serialize());
            }
            AttrValue::Time(t) => {
                out.push(5);
                out.extend_from_slice(&t.to_le_bytes());
            }
        }
    }
    let len = (out.len() - start - 4) as u32;
    if let Some(x) = out.get_mut(start..start + 4) {
        x.copy_from_slice(&len.to_le_bytes());
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Reads one length-prefixed record into `rec`; `false` at the end of the file.
fn read_record(r: &mut impl BufRead, rec: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    if r.fill_buf()?.is_empty() {
        return Ok(false);
    }
    r.read_exact(&mut len)?;
    rec.resize(u32::from_le_bytes(len) as usize, 0);
    r.read_exact(rec)?;
    Ok(true)
}

fn bad() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "damaged spill record")
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::io::Result<&'a [u8]> {
        let (a, b) = (
            self.0.get(..n).ok_or_else(bad)?,
            self.0.get(n..).ok_or_else(bad)?,
        );
        self.0 = b;
        Ok(a)
    }
    fn array<const N: usize>(&mut self) -> std::io::Result<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| bad())
    }
    fn u64(&mut self) -> std::io::Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> std::io::Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn text(&mut self, into: &mut String) -> std::io::Result<()> {
        let n = self.u32()? as usize;
        let s = std::str::from_utf8(self.take(n)?).map_err(|_| bad())?;
        into.clear();
        into.push_str(s);
        Ok(())
    }
}

fn decode(rec: &[u8], x: &mut Record) -> std::io::Result<()> {
    let mut c = Cursor(rec);
    x.at = i64::from_le_bytes(c.array()?);
    let kind = c.u64()?;
    // ids this process wrote from validated events (a record that does not fit one is bad)
    x.kind = match kind {
        u64::MAX => None,
        k => Some(
            usize::try_from(k)
                .ok()
                .and_then(KindId::new)
                .ok_or_else(bad)?,
        ),
    };
    x.product = usize::try_from(c.u64()?)
        .ok()
        .and_then(ProductId::new)
        .ok_or_else(bad)?;
    c.text(&mut x.id)?;
    c.text(&mut x.subject)?;
    let n = c.u32()?;
    x.attrs.clear();
    for _ in 0..n {
        let tag = c.take(1)?.first().copied().ok_or_else(bad)?;
        x.attrs.push(match tag {
            0 => AttrValue::Missing,
            1 => {
                let mut s = String::new();
                c.text(&mut s)?;
                AttrValue::Text(s)
            }
            2 => AttrValue::Enum(u16::from_le_bytes(c.array()?)),
            3 => AttrValue::Bool(c.take(1)?.first() == Some(&1)),
            4 => AttrValue::Number(Decimal::deserialize(c.array()?)),
            5 => AttrValue::Time(i64::from_le_bytes(c.array()?)),
            _ => return Err(bad()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size(" 8g "), Some(8 << 30));
        assert_eq!(parse_size("1KiB"), Some(1024));
        assert_eq!(parse_size("2TB"), Some(2 << 40));
        for bad in ["", "0", "lots", "1.5G", "-1", "9999999999999999999T", "G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn partitions() {
        assert_eq!(partitions_for(100, 1000, 1), 1);
        assert_eq!(partitions_for(1000, 1000, 1), 1);
        assert_eq!(partitions_for(1001, 1000, 1), 2);
        // two threads hold two partitions at a time
        assert_eq!(partitions_for(1000, 1000, 2), 2);
        assert_eq!(partitions_for(u64::MAX, 1, 1), 512);
        assert_eq!(partitions_for(10, 0, 0), 10);
    }
}
