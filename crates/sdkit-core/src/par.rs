//! The one parallel loop sdkit needs: map a slice on every core.
//!
//! RSA work (unwrapping shares, checking and decrypting custodians' keys) dominates every
//! drill, and each key's work is independent, so it is spread over the machine's cores.
//! Scoped standard threads are enough for that; a thread-pool crate would add a dependency
//! for a loop this small.

use core::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().map(f).collect()`, run on every core. Workers take the next item when they
/// finish one, so uneven costs balance; the calling thread is one of the workers. Results
/// come back in input order. If a worker thread panics, its items are redone on the calling
/// thread, so a panic surfaces there (or not at all) instead of losing results.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let n = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(n) else { break };
            mine.push((n, f(item)));
        }
        mine
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().unwrap_or_default());
        }
        done
    });
    done.sort_by_key(|(n, _)| *n);
    let mut got = done.into_iter().peekable();
    items
        .iter()
        .enumerate()
        .map(|(n, item)| match got.next_if(|(m, _)| *m == n) {
            Some((_, r)) => r,
            None => f(item),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
