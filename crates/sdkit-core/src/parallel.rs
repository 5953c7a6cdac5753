//! The parallel loops sdkit uses: a slice mapped on the machine's cores, results in input
//! order, and two jobs side by side.
//!
//! The RSA work of a drill (each key unwrapping its share) is independent per key and is
//! most of the time a drill takes when keys are not encrypted, so it is spread over the
//! cores; sdkit-certs parses key files and certificates, and the CLI generates keys, with
//! the same loop. Both run on rayon's pool (docs/DESIGN.md, "Parallelism"): its threads
//! start once and are woken for each loop, where a thread started per loop waited up to
//! 5 ms on the benchmark VM before it got a core of its own.

use rayon::prelude::*;

/// `items.iter().map(f).collect()`, on the machine's cores.
///
/// Results come back in input order. Idle threads take work from busy ones, so uneven
/// costs balance, and so does a core that is busy with something else (the CLI parses the
/// SD while the keys parse). A panic in `f` propagates to the caller, as it would in the
/// sequential loop.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    items.par_iter().map(&f).collect()
}

/// Runs `a` and `b`, side by side when a core is free, and returns both results; a panic in
/// either propagates to the caller.
pub fn both<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

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
