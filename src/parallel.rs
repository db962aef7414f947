//! Work on several threads whose results never depend on how many there are: blocks made on
//! any thread and used strictly in order ([`in_order`] over a [`BlockSource`]), a map over
//! numbered items ([`map`]) and two jobs side by side ([`join`]).
//!
//! Files read in blocks, rows of a DataFrame validated in blocks and Arrow chunks all take
//! the same path, so that the ordering and the handling of a stopped thread are written once.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// Runs `a` on this thread and `b` on another, side by side. A panic of `b` goes on here,
/// where it would have happened had `b` run here.
pub fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|sc| {
        let h = sc.spawn(b);
        let a = a();
        (a, h.join().unwrap_or_else(|p| resume_unwind(p)))
    })
}

/// `f(0)`, ..., `f(n - 1)` on up to `threads` threads, each taking the next item no thread
/// has taken; the results in item order. A panic of `f` goes on on this thread.
pub fn map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= n {
                return done;
            }
            done.push((k, f(k)));
        }
    };
    let mut all = std::thread::scope(|sc| {
        let rest: Vec<_> = (1..threads).map(|_| sc.spawn(work)).collect();
        let mut all = work();
        for h in rest {
            all.extend(h.join().unwrap_or_else(|p| resume_unwind(p)));
        }
        all
    });
    all.sort_by_key(|(k, _)| *k);
    all.into_iter().map(|(_, x)| x).collect()
}

/// Work cut into numbered blocks that any thread can make and one thread uses in order: the
/// byte ranges of a file parsed into events, the rows of a table validated, Arrow chunks.
pub trait BlockSource: Sync {
    /// What a block becomes (parsed lines, validated rows).
    type Block: Send;
    /// What a thread needs to make blocks (an open file).
    type Worker;
    /// How many blocks there are.
    fn blocks(&self) -> usize;
    /// A worker for one thread. A helper thread that cannot have one makes no block; the
    /// thread using the blocks then makes them all, and fails if it cannot have one.
    fn worker(&self) -> std::io::Result<Self::Worker>;
    /// Makes block `k`, reusing the room of `spare` (a block used earlier) when given.
    fn make(&self, worker: &mut Self::Worker, k: usize, spare: Option<Self::Block>) -> Self::Block;
}

/// The state of one block between its making and its use.
enum Slot<B> {
    Empty,
    Ready(B),
    /// the thread making it stopped
    Failed,
}

/// What the threads share: each block until it is used, how many were used, and used blocks
/// kept for their room.
struct Shared<B> {
    slots: Vec<Slot<B>>,
    used: usize,
    stop: bool,
    spares: Vec<B>,
}

/// Makes every block of `src` on up to `threads` threads and hands them to `consume`
/// strictly in block order, on this thread. Other threads make blocks ahead, at most `ahead`
/// beyond the one used next (bounding memory); while the next block is not ready, this
/// thread makes the next block no thread has taken. `consume` may give the block back for
/// its room. The calls to `consume` are exactly those of making the blocks one after the
/// other here, so the outcome never depends on `threads`. The first error of `consume` (or
/// of this thread's worker) stops the work and is returned; a helper thread that stopped
/// fails its block with an error.
pub fn in_order<S: BlockSource>(
    src: &S,
    threads: usize,
    ahead: usize,
    mut consume: impl FnMut(usize, S::Block) -> std::io::Result<Option<S::Block>>,
) -> std::io::Result<()> {
    let n = src.blocks();
    if threads <= 1 || n <= 1 {
        let mut w = src.worker()?;
        let mut spare = None;
        for k in 0..n {
            let block = src.make(&mut w, k, spare.take());
            spare = consume(k, block)?;
        }
        return Ok(());
    }
    let ahead = ahead.max(1);
    let next = AtomicUsize::new(0);
    let shared = Mutex::new(Shared {
        slots: (0..n).map(|_| Slot::Empty).collect(),
        used: 0,
        stop: false,
        spares: Vec::new(),
    });
    let changed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    let take = || {
        let k = next.fetch_add(1, Ordering::Relaxed);
        (k < n).then_some(k)
    };
    let put = |k: usize, s: Slot<S::Block>| {
        if let Some(slot) = lock().slots.get_mut(k) {
            *slot = s;
        }
        changed.notify_all();
    };
    let spare = || lock().spares.pop();
    let helper = || {
        let Ok(mut w) = src.worker() else {
            return;
        };
        while let Some(k) = take() {
            {
                let mut g = lock();
                while !g.stop && k >= g.used + ahead {
                    g = changed.wait(g).unwrap_or_else(PoisonError::into_inner);
                }
                if g.stop {
                    return;
                }
            }
            // a block taken is always put back, even by a panicking make, or the using
            // thread would wait for it forever
            let made = catch_unwind(AssertUnwindSafe(|| src.make(&mut w, k, spare())));
            put(k, made.map_or(Slot::Failed, Slot::Ready));
        }
    };
    let run = || -> std::io::Result<()> {
        let mut w = src.worker()?;
        for k in 0..n {
            let block = loop {
                let ready = {
                    let mut g = lock();
                    match g.slots.get_mut(k) {
                        Some(Slot::Failed) => {
                            return Err(std::io::Error::other(
                                "a worker thread stopped unexpectedly",
                            ))
                        }
                        Some(s @ Slot::Ready(_)) => std::mem::replace(s, Slot::Empty),
                        _ => Slot::Empty,
                    }
                };
                if let Slot::Ready(b) = ready {
                    break b;
                }
                match take() {
                    Some(j) => {
                        let b = src.make(&mut w, j, spare());
                        if j == k {
                            break b;
                        }
                        put(j, Slot::Ready(b));
                    }
                    None => {
                        // block `k` is being made by another thread
                        let mut g = lock();
                        while matches!(g.slots.get(k), Some(Slot::Empty)) {
                            g = changed.wait(g).unwrap_or_else(PoisonError::into_inner);
                        }
                    }
                }
            };
            let back = consume(k, block)?;
            {
                let mut g = lock();
                g.used = k + 1;
                if let Some(b) = back {
                    g.spares.push(b);
                }
            }
            changed.notify_all();
        }
        Ok(())
    };
    std::thread::scope(|sc| {
        let helpers: Vec<_> = (1..threads).map(|_| sc.spawn(helper)).collect();
        let done = catch_unwind(AssertUnwindSafe(run));
        lock().stop = true;
        changed.notify_all();
        // a helper's failure is its block's, which the run above reports in order
        for h in helpers {
            let _ = h.join();
        }
        done.unwrap_or_else(|p| resume_unwind(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of squares, some slower than others, so that threads overtake each other.
    struct Squares(usize);

    impl BlockSource for Squares {
        type Block = Vec<u64>;
        type Worker = ();
        fn blocks(&self) -> usize {
            self.0
        }
        fn worker(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn make(&self, _: &mut (), k: usize, spare: Option<Vec<u64>>) -> Vec<u64> {
            if k % 7 == 3 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let mut v = spare.unwrap_or_default();
            v.clear();
            v.extend((0..100u64).map(|i| (k as u64 * 100 + i).pow(2)));
            v
        }
    }

    #[test]
    fn blocks_come_in_order_whatever_the_threads() {
        let mut want = Vec::new();
        in_order(&Squares(50), 1, 4, |k, b| {
            want.push((k, b.clone()));
            Ok(Some(b))
        })
        .unwrap();
        assert_eq!(want.len(), 50);
        for threads in [2, 3, 8] {
            for ahead in [1, 2, 16] {
                let mut got = Vec::new();
                in_order(&Squares(50), threads, ahead, |k, b| {
                    got.push((k, b.clone()));
                    Ok(Some(b))
                })
                .unwrap();
                assert_eq!(got, want, "{threads} threads, {ahead} ahead");
            }
        }
    }

    #[test]
    fn an_error_of_consume_stops_the_work() {
        for threads in [1, 3] {
            let mut seen = 0;
            let r = in_order(&Squares(40), threads, 4, |k, _| {
                seen += 1;
                if k == 5 {
                    return Err(std::io::Error::other("stop at 5"));
                }
                Ok(None)
            });
            assert_eq!(r.unwrap_err().to_string(), "stop at 5");
            assert_eq!(seen, 6);
        }
    }

    #[test]
    fn map_keeps_item_order() {
        for threads in [1, 2, 5] {
            assert_eq!(
                map(20, threads, |k| k * 3),
                (0..20).map(|k| k * 3).collect::<Vec<_>>()
            );
        }
        assert!(map(0, 4, |k| k).is_empty());
        assert_eq!(join(|| 1, || 2), (1, 2));
    }
}
