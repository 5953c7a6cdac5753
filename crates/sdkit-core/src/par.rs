//! The parallel loops sdkit needs: map a slice on every core, in one or two stages.
//!
//! RSA work (unwrapping shares, checking and decrypting custodians' keys) dominates every
//! drill, and each key's work is independent, so it is spread over the machine's cores.
//! Scoped standard threads are enough for that; a thread-pool crate would add a dependency
//! for loops this small.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

/// How long a thread about to wait for another spins before it sleeps.
const SPIN_BEFORE_SLEEP: std::time::Duration = std::time::Duration::from_millis(3);

/// Spins until `done()` or [`SPIN_BEFORE_SLEEP`] has passed; the caller then sleeps (joins
/// or waits on a condition variable) if it must.
///
/// A thread that sleeps here is usually woken well under a millisecond later, when the
/// other core finishes its RSA operation. On a virtual machine the sleep halts the virtual
/// CPU, and waking it again costs far more than the wait: on the benchmark VM a 3-key drill
/// took 0.5-0.75 ms longer (5.6-5.8 against 5.0-5.1 ms, interleaved, 200 runs each) when
/// the calling thread slept in `join` instead of spinning until its helper had finished.
/// Thread pools such as rayon's spin before sleeping for the same reason. With one core the
/// spinning thread would only take time from the one it waits for, so it does not spin.
fn spin_until(done: impl Fn() -> bool) {
    if cores() <= 1 {
        return;
    }
    let deadline = std::time::Instant::now() + SPIN_BEFORE_SLEEP;
    while !done() && std::time::Instant::now() < deadline {
        std::hint::spin_loop();
    }
}

/// The cores this process may use, read once per process (the standard library reads
/// cgroup files for it, about 0.05-0.09 ms on the benchmark VM).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many threads to use for `jobs` independent jobs: one per core, at most one per job.
fn threads_for(jobs: usize) -> usize {
    cores().min(jobs)
}

/// Runs `work` on up to one thread per core and per job (at least two threads for two or
/// more jobs; the calling thread is one of them, after `caller_first`, which it runs while
/// the helpers start) and gathers what each returned. A helper thread that panicked
/// contributes nothing; callers redo what is missing.
///
/// Starting a thread takes 0.03-0.2 ms on the benchmark VM, and reading the core count
/// another 0.04-0.09 (the standard library reads cgroup files for it), against 0.25-0.45 ms
/// to load a key. So the calling thread starts one helper and goes straight to its own work;
/// that helper reads the core count and starts any others. When its own work is done, the
/// calling thread spins until the helpers are done too ([`spin_until`]) before joining them:
/// sleeping costs more than the wait on a virtual machine.
fn on_threads<R: Send>(
    jobs: usize,
    caller_first: impl FnOnce(),
    work: impl Fn() -> Vec<R> + Sync,
) -> Vec<R> {
    on_threads_counted(jobs, || threads_for(jobs), caller_first, work)
}

/// [`on_threads`] on `threads()` threads in all (called on the first helper; at least two).
fn on_threads_counted<R: Send>(
    jobs: usize,
    threads: impl FnOnce() -> usize + Send,
    caller_first: impl FnOnce(),
    work: impl Fn() -> Vec<R> + Sync,
) -> Vec<R> {
    /// The helpers the first helper started; joined on drop, so that neither a panic in the
    /// first helper nor one in theirs escapes the scope.
    struct Others<'scope>(Vec<std::thread::ScopedJoinHandle<'scope, ()>>);
    impl Drop for Others<'_> {
        fn drop(&mut self) {
            for h in self.0.drain(..) {
                let _ = h.join();
            }
        }
    }
    // What the helpers did, each adding its own when its work returns: a panicking helper
    // loses only its own results, even the first one, whose others keep theirs.
    let gathered: &Mutex<Vec<R>> = &Mutex::new(Vec::new());
    let work = &work;
    let helper = move || {
        let mine = work();
        gathered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(mine);
    };
    let helper = &helper;
    std::thread::scope(|scope| {
        let first_helper = (jobs >= 2).then(|| {
            scope.spawn(move || {
                let _others = Others((2..threads()).map(|_| scope.spawn(helper)).collect());
                helper();
            })
        });
        caller_first();
        let mut done = work();
        if let Some(h) = first_helper {
            // Until the first helper has returned (after joining the others, also when it
            // unwinds); joining right away would sleep until its thread exits, and on the
            // benchmark VM that sleep took 0.06 ms against 0.02 ms after spinning.
            spin_until(|| h.is_finished());
            let _ = h.join();
        }
        done.append(&mut gathered.lock().unwrap_or_else(|p| p.into_inner()));
        done
    })
}

/// `items.iter().map(f).collect()`, run on every core. Workers take the next item when they
/// finish one, so uneven costs balance; the calling thread is one of the workers. Results
/// come back in input order. If a worker thread panics, its items are redone on the calling
/// thread, so a panic surfaces there (or not at all) instead of losing results.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Vec<(usize, R)> = on_threads(
        items.len(),
        || (),
        || {
            let mut mine = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(n) else { break };
                mine.push((n, f(item)));
            }
            mine
        },
    );
    in_order(done, items.len())
        .into_iter()
        .zip(items)
        .map(|(r, item)| r.unwrap_or_else(|| f(item)))
        .collect()
}

/// The workers' `(index, result)` pairs in index order, one entry for each index `0..n`:
/// `None` where a panicking helper thread lost the result, for the caller to redo.
fn in_order<R>(mut done: Vec<(usize, R)>, n: usize) -> Vec<Option<R>> {
    done.sort_by_key(|(i, _)| *i);
    let mut got = done.into_iter().peekable();
    (0..n)
        .map(|i| got.next_if(|(j, _)| *j == i).map(|(_, r)| r))
        .collect()
}

/// Where one item's first stage stands, for a worker waiting to run its second stage.
struct Stage1Slot<A> {
    value: OnceLock<A>,
    /// Set when the first stage will not finish (it panicked on a helper thread).
    abandoned: AtomicBool,
}

impl<A> Stage1Slot<A> {
    fn new() -> Self {
        Stage1Slot {
            value: OnceLock::new(),
            abandoned: AtomicBool::new(false),
        }
    }

    /// Done, one way or the other: nothing more will happen to this slot.
    fn settled(&self) -> bool {
        self.value.get().is_some() || self.abandoned.load(Ordering::Acquire)
    }

    /// Runs `stage` into this slot and wakes the workers waiting on `signal`, also (with the
    /// slot abandoned) if `stage` unwinds.
    fn fill(&self, signal: &(Mutex<()>, Condvar), stage: impl FnOnce() -> A) {
        let guard = Stage1Guard { slot: self, signal };
        let _ = self.value.set(stage());
        drop(guard);
    }
}

/// Marks a slot abandoned if its first stage unwinds, and wakes waiting workers either way.
struct Stage1Guard<'a, A> {
    slot: &'a Stage1Slot<A>,
    signal: &'a (Mutex<()>, Condvar),
}

impl<A> Drop for Stage1Guard<'_, A> {
    fn drop(&mut self) {
        if self.slot.value.get().is_none() {
            self.slot.abandoned.store(true, Ordering::Release);
        }
        // Taking the lock orders this wake-up after a waiter's check; a poisoned lock still
        // works for that.
        let _lock = self.signal.0.lock();
        self.signal.1.notify_all();
    }
}

/// `items.iter().map(|t| { let a = first(t); let b = then(t, &a); (a, b) })`, on every core,
/// with every item's `first` scheduled before any item's `then`.
///
/// Loading a key and then using it are two jobs of different sizes; as two separate
/// [`map`]s, cores sit idle at the end of the first while the last keys load. Here the second
/// stages start as soon as their own first stage is done, so with 3 keys on 2 cores the
/// work ends about one key-load earlier. Results come back in input order; work lost to a
/// panicking helper thread is redone on the calling thread, as in [`map`].
pub fn map_then<T: Sync, A: Send + Sync, B: Send>(
    items: &[T],
    first: impl Fn(&T) -> A + Sync,
    then: impl Fn(&T, &A) -> B + Sync,
) -> Vec<(A, B)> {
    map_then_after(|| (), items, first, |(), t, a| then(t, a)).1
}

/// [`map_then`] with a `prelude` that the calling thread runs while the helper threads start
/// on first stages; every second stage waits for it and gets its result.
///
/// For work that the second stages need but the first do not, such as reading the SD whose
/// shares the loaded keys will open: it overlaps with loading the first keys, and the
/// helper threads are up and working by the time the calling thread joins them (starting a
/// thread takes 0.1-0.2 ms on the benchmark VM, a third of loading a key).
pub fn map_then_after<P: Send + Sync, T: Sync, A: Send + Sync, B: Send>(
    prelude: impl FnOnce() -> P,
    items: &[T],
    first: impl Fn(&T) -> A + Sync,
    then: impl Fn(&P, &T, &A) -> B + Sync,
) -> (P, Vec<(A, B)>) {
    let n = items.len();
    if n == 0 {
        return (prelude(), Vec::new());
    }
    let pre: Stage1Slot<P> = Stage1Slot::new();
    let slots: Vec<Stage1Slot<A>> = (0..n).map(|_| Stage1Slot::new()).collect();
    let signal = (Mutex::new(()), Condvar::new());
    let next = AtomicUsize::new(0);
    let run_prelude = || pre.fill(&signal, prelude);
    // Jobs 0..n are first stages, n..2n second stages, taken in that order.
    // The prelude is one more job, for the calling thread.
    let seconds: Vec<(usize, B)> = on_threads(n + 1, run_prelude, || {
        let mut mine = Vec::new();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            if let (Some(item), Some(slot)) = (items.get(job), slots.get(job)) {
                slot.fill(&signal, || first(item));
                continue;
            }
            let k = job - n;
            let (Some(item), Some(slot)) = (items.get(k), slots.get(k)) else {
                break;
            };
            // Its first stage was taken already (jobs go in order), and the prelude is
            // running or done; wait for both.
            spin_until(|| slot.settled() && pre.settled());
            let mut lock = signal.0.lock().unwrap_or_else(|p| p.into_inner());
            while !(slot.settled() && pre.settled()) {
                lock = signal.1.wait(lock).unwrap_or_else(|p| p.into_inner());
            }
            drop(lock);
            if let (Some(p), Some(a)) = (pre.value.get(), slot.value.get()) {
                mine.push((k, then(p, item, a)));
            }
        }
        mine
    });
    // Invariant: the calling thread ran the prelude to completion before working (had it
    // panicked, the panic would have left `on_threads` instead of returning here).
    #[allow(clippy::expect_used)]
    let p = pre
        .value
        .into_inner()
        .expect("prelude ran on the calling thread");
    let out = items
        .iter()
        .zip(slots)
        .zip(in_order(seconds, n))
        .map(|((item, slot), b)| {
            let a = slot.value.into_inner().unwrap_or_else(|| first(item));
            let b = b.unwrap_or_else(|| then(&p, item, &a));
            (a, b)
        })
        .collect();
    (p, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_helper_starts_the_others_and_gathers_them() {
        // Four threads whatever this machine has: the calling thread, the first helper and
        // the two it starts; each worker reports which thread it ran on.
        let ids = on_threads_counted(8, || 4, || (), || vec![std::thread::current().id()]);
        assert_eq!(ids.len(), 4);
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), 4);
        assert!(ids.contains(&std::thread::current().id()));
    }

    #[test]
    fn a_panicking_helper_loses_only_its_own_results() {
        // Whichever helper panics (the first, which started the others, or one it started),
        // the others' results still come back and the panic does not escape the scope.
        let caller = std::thread::current().id();
        for victim in 0..3 {
            let helpers = AtomicUsize::new(0);
            let got = on_threads_counted(
                8,
                || 4,
                || (),
                || {
                    if std::thread::current().id() != caller
                        && helpers.fetch_add(1, Ordering::SeqCst) == victim
                    {
                        panic!("helper failed");
                    }
                    vec![1u8]
                },
            );
            assert_eq!(got.len(), 3, "victim {victim}");
        }
    }

    #[test]
    fn results_in_input_order_whatever_the_cost() {
        let items: Vec<u64> = (0..50).collect();
        let out = map(&items, |&i| {
            // Uneven work, so workers finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((50 - i) * 20));
            i * i
        });
        assert_eq!(out, items.iter().map(|i| i * i).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |b| *b).is_empty());
        assert_eq!(map(&[7u8], |b| *b + 1), vec![8]);
    }

    #[test]
    fn map_then_pairs_each_item_with_its_own_first_stage() {
        for len in [0usize, 1, 2, 3, 7, 40] {
            let items: Vec<u64> = (0..len as u64).collect();
            let out = map_then(
                &items,
                |&i| {
                    // Uneven first stages, so second stages wait on some of them.
                    std::thread::sleep(std::time::Duration::from_micros((i % 5) * 300));
                    i * 10
                },
                |&i, &a| {
                    assert_eq!(a, i * 10, "then() got another item's first stage");
                    a + 1
                },
            );
            let want: Vec<(u64, u64)> = items.iter().map(|i| (i * 10, i * 10 + 1)).collect();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn map_then_runs_each_stage_once_per_item() {
        let firsts = AtomicUsize::new(0);
        let thens = AtomicUsize::new(0);
        let items: Vec<u8> = (0..25).collect();
        let out = map_then(
            &items,
            |_| firsts.fetch_add(1, Ordering::Relaxed),
            |_, _| thens.fetch_add(1, Ordering::Relaxed),
        );
        assert_eq!(out.len(), 25);
        assert_eq!(firsts.load(Ordering::Relaxed), 25);
        assert_eq!(thens.load(Ordering::Relaxed), 25);
    }

    #[test]
    fn map_then_after_hands_the_prelude_to_every_second_stage() {
        let items: Vec<u32> = (0..9).collect();
        let first_done_during_prelude = AtomicUsize::new(0);
        let prelude_over = AtomicBool::new(false);
        let (p, out) = map_then_after(
            || {
                std::thread::sleep(std::time::Duration::from_millis(30));
                prelude_over.store(true, Ordering::SeqCst);
                1000
            },
            &items,
            |&i| {
                if !prelude_over.load(Ordering::SeqCst) {
                    first_done_during_prelude.fetch_add(1, Ordering::SeqCst);
                }
                i
            },
            |&p, &i, &a| {
                assert!(
                    prelude_over.load(Ordering::SeqCst),
                    "then() ran before the prelude"
                );
                p + i + a
            },
        );
        assert_eq!(p, 1000);
        assert_eq!(out, (0..9).map(|i| (i, 1000 + 2 * i)).collect::<Vec<_>>());
        if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
            // With a second core the helpers load while the calling thread runs the prelude.
            assert!(first_done_during_prelude.load(Ordering::SeqCst) > 0);
        }
        let (p, out) = map_then_after(|| 7u8, &[] as &[u8], |b| *b, |_, _, _| ());
        assert_eq!((p, out.len()), (7, 0));
    }

    #[test]
    fn map_then_after_does_not_hang_when_the_prelude_panics() {
        let items: Vec<u32> = (0..6).collect();
        let r = std::panic::catch_unwind(|| {
            map_then_after(
                || -> u32 { panic!("prelude failed") },
                &items,
                |&i| i,
                |&p, _, &a| p + a,
            )
        });
        assert!(
            r.is_err(),
            "the prelude's panic surfaces on the calling thread"
        );
    }

    #[test]
    fn map_then_survives_a_panicking_first_stage_on_a_helper() {
        // Item 1's first stage panics the first time only, on whichever thread takes it; the
        // waiting second stage must not hang, and the calling thread redoes the item.
        let tripped = AtomicBool::new(false);
        let items: Vec<u32> = (0..6).collect();
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            map_then(
                &items,
                |&i| {
                    if i == 1 && !tripped.swap(true, Ordering::Relaxed) {
                        panic!("first stage failed once");
                    }
                    i
                },
                |_, &a| a * 2,
            )
        }));
        match out {
            // The panic hit a helper: everything was redone, results complete and in order.
            Ok(v) => assert_eq!(v, (0..6).map(|i| (i, i * 2)).collect::<Vec<_>>()),
            // The panic hit the calling thread itself: it surfaces there, nothing hangs.
            Err(_) => assert!(tripped.load(Ordering::Relaxed)),
        }
    }
}
