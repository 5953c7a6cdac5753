//! One parallel loop: a slice mapped on the machine's cores, results in input order.
//!
//! The RSA work of a drill (each key unwrapping its share) is independent per key and is
//! most of the time a drill takes when keys are not encrypted, so it is spread over the
//! cores. Scoped standard threads do it in a few lines; a thread-pool crate would bring a
//! dependency, and its start-up, for loops of a handful of items (docs/DESIGN.md,
//! "Parallelism").

use core::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().map(f).collect()`, on up to one thread per core and per item.
///
/// Threads take the next item when they finish one, so uneven costs balance; the calling
/// thread is one of them. Results come back in input order. A panic in `f` propagates to
/// the caller once every thread has stopped, as it would in the sequential loop.
pub(crate) fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            mine.push((i, f(item)));
        }
        mine
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut done = worker();
        for h in helpers {
            match h.join() {
                Ok(theirs) => done.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order() {
        for len in [0usize, 1, 2, 3, 7, 50] {
            let items: Vec<usize> = (0..len).collect();
            // Uneven work, so threads finish out of order.
            let out = map_in_order(&items, |&i| (0..(len - i) * 1000).fold(i, |a, b| a ^ b) ^ i);
            let want: Vec<usize> = items
                .iter()
                .map(|&i| (0..(len - i) * 1000).fold(i, |a, b| a ^ b) ^ i)
                .collect();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn each_item_is_mapped_once() {
        let calls = AtomicUsize::new(0);
        let items: Vec<u8> = (0..40).collect();
        let out = map_in_order(&items, |&b| {
            calls.fetch_add(1, Ordering::Relaxed);
            u16::from(b) * 2
        });
        assert_eq!(out.len(), 40);
        assert_eq!(calls.load(Ordering::Relaxed), 40);
    }

    #[test]
    fn a_panic_in_the_mapped_function_reaches_the_caller() {
        let items: Vec<u8> = (0..8).collect();
        let r = std::panic::catch_unwind(|| {
            map_in_order(&items, |&b| {
                assert!(b != 5, "item 5 fails");
                b
            })
        });
        assert!(r.is_err());
    }
}
