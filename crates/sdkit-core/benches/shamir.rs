//! GF(257) Shamir: `ShareSet::combine` (Lagrange interpolation at 0 from the first M
//! shares) and `ShareSet::off_polynomial` (every share after the first M checked against
//! the polynomial they fix), for a 32-byte secret (the master key) and M-of-N from 2-of-3
//! to 64-of-127 (the format's limit).
//!
//! `cargo bench -p sdkit-core --bench shamir`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sdkit_core::shamir::{self, Quorum, ShareSet};
use std::hint::black_box;
use std::time::Duration;

const SECRET_LEN: usize = 32;

/// (M, N) pairs: every M in {2,3,5,10,64} with every N in {3,10,127} that allows it.
fn cases() -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for n in [3usize, 10, 127] {
        for m in [2usize, 3, 5, 10, 64] {
            if m <= n {
                out.push((m, n));
            }
        }
    }
    out
}

fn share_set(m: usize, n: usize) -> ShareSet {
    let secret = [0xA5u8; SECRET_LEN];
    let quorum = Quorum::new(m, n).unwrap();
    let shares = shamir::split(&secret, quorum, &mut sdkit_core::SysRng).unwrap();
    ShareSet::new(shares).unwrap()
}

fn bench_shamir(c: &mut Criterion) {
    let mut g = c.benchmark_group("shamir");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800));
    for (m, n) in cases() {
        let set = share_set(m, n);
        let id = format!("M{m}_N{n}");
        g.bench_with_input(BenchmarkId::new("combine", &id), &set, |b, set| {
            b.iter(|| black_box(set).combine(m).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("off_polynomial", &id), &set, |b, set| {
            b.iter(|| {
                let off = black_box(set).off_polynomial(m);
                assert!(off.is_empty());
                off
            });
        });
    }
    // ShareSet::new checks distinct x pairwise (O(N^2)); recover::combine calls it once per
    // subset tried, so it is on the drill path too.
    for n in [3usize, 127] {
        let shares = share_set(2, n).shares().to_vec();
        g.bench_with_input(
            BenchmarkId::new("shareset_new", format!("N{n}")),
            &shares,
            |b, shares| b.iter(|| ShareSet::new(black_box(shares.clone())).unwrap()),
        );
    }
    // split is what `sdkit split` does once per SD; shown for scale.
    for (m, n) in [(2usize, 3usize), (64, 127)] {
        let quorum = Quorum::new(m, n).unwrap();
        g.bench_function(BenchmarkId::new("split", format!("M{m}_N{n}")), |b| {
            b.iter(|| {
                shamir::split(
                    black_box(&[0x5Au8; SECRET_LEN]),
                    quorum,
                    &mut sdkit_core::SysRng,
                )
                .unwrap()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_shamir);
criterion_main!(benches);
