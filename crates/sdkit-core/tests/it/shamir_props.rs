//! Properties of GF(257) Shamir sharing and the share codec, checked with proptest, plus a
//! statistical check of the coefficient rule with the real OS generator.
//!
//! Every runner counts the cases it ran and asserts the count, so none can pass vacuously.

use core::cell::Cell;
use core::convert::Infallible;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rand_core::{TryCryptoRng, TryRng};
use sdkit_core::shamir::{self, CombineError, Quorum, Share, ShareError, ShareSet};
use sdkit_core::share::{self, ShareDecodeError};
use zeroize::Zeroizing;

/// SplitMix64: a tiny deterministic generator so that every split is reproducible from the
/// proptest-chosen seed. (Test only: it is not cryptographically secure.) Also drives the
/// reshare property test (`reshare.rs`).
pub(crate) struct SplitMix64(pub(crate) u64);

impl TryRng for SplitMix64 {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for SplitMix64 {}

impl SplitMix64 {
    fn below(&mut self, n: usize) -> usize {
        (self.try_next_u64().unwrap_or(0) % n as u64) as usize
    }

    /// Fisher–Yates shuffle of `0..n`.
    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// (secret, M, N, seed) with 1..64-byte secrets and 2 <= M <= N <= `max_n`.
fn quorum_case(max_n: usize) -> impl Strategy<Value = (Vec<u8>, usize, usize, u64)> {
    (2..=max_n)
        .prop_flat_map(|n| (2..=n, Just(n)))
        .prop_flat_map(|(m, n)| {
            (
                proptest::collection::vec(any::<u8>(), 1..64),
                Just(m),
                Just(n),
                any::<u64>(),
            )
        })
}

fn pick(shares: &[Share], idx: &[usize]) -> Vec<Share> {
    idx.iter().map(|&i| shares[i].clone()).collect()
}

/// All the split/combine properties for one case (panics on the first that fails).
fn check_split(secret: &[u8], m: usize, n: usize, seed: u64) {
    let mut rng = SplitMix64(seed);
    let quorum = Quorum::new(m, n).unwrap();
    let shares = shamir::split(secret, quorum, &mut rng).unwrap();

    // Shape: N shares, x = 1..=N, one value per byte, every value in the field.
    assert_eq!(shares.len(), n);
    for (i, s) in shares.iter().enumerate() {
        assert_eq!(usize::from(s.x()), i + 1);
        assert_eq!(s.len(), secret.len());
        assert!(s.values().iter().all(|&y| y <= 256), "value above 256");
        // The codec round-trips every share, y = 256 included.
        let bytes = share::encode(s);
        assert_eq!(bytes.len(), 2 * secret.len());
        let back = share::decode(&bytes).unwrap();
        assert_eq!(back.x(), s.x());
        assert_eq!(back.values(), s.values());
    }

    // Any M shares, in random order, recover the secret.
    let order = rng.permutation(n);
    let subset = ShareSet::new(pick(&shares, &order[..m])).unwrap();
    assert_eq!(&subset.combine(m).unwrap()[..], secret);

    // All N shares (in random order) lie on one polynomial.
    let all = ShareSet::new(pick(&shares, &order)).unwrap();
    assert!(all.off_polynomial(m).is_empty());
    assert_eq!(&all.combine(m).unwrap()[..], secret);

    // M-1 shares are not a quorum.
    let short = ShareSet::new(pick(&shares, &order[..m - 1])).unwrap();
    assert_eq!(
        short.combine(m).unwrap_err(),
        CombineError::NotEnoughShares {
            have: m - 1,
            need: m
        }
    );
    // Treating M-1 shares as a quorum interpolates the wrong polynomial. The result equals
    // the secret only if every leading coefficient is zero: probability 257^-len.
    if m > 2 && secret.len() >= 8 {
        match short.combine(m - 1) {
            Ok(wrong) => assert_ne!(&wrong[..], secret, "M-1 shares recovered the secret"),
            Err(e) => assert_eq!(e, CombineError::NotAByte),
        }
    }

    // Corrupting one value of one share beyond the first M names exactly that share.
    if n > m {
        let victim_pos = m + rng.below(n - m);
        let byte = rng.below(secret.len());
        let delta = 1 + rng.below(256) as u16; // 1..=256: always changes the value mod 257
        let mut tampered = pick(&shares, &order);
        let victim = &tampered[victim_pos];
        let mut ys = Zeroizing::new(victim.values().to_vec());
        ys[byte] = (ys[byte] + delta) % 257;
        let x = victim.x();
        tampered[victim_pos] = Share::new(usize::from(x), ys).unwrap();
        let set = ShareSet::new(tampered).unwrap();
        assert_eq!(set.off_polynomial(m), vec![x]);
        // The basis is untouched, so the secret still comes out.
        assert_eq!(&set.combine(m).unwrap()[..], secret);
    }
}

#[test]
fn split_combine_properties_small_quorums() {
    const CASES: u32 = 512;
    let ran = Cell::new(0u32);
    runner(CASES)
        .run(&quorum_case(20), |(secret, m, n, seed)| {
            check_split(&secret, m, n, seed);
            ran.set(ran.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(ran.get(), CASES);
}

#[test]
fn split_combine_properties_up_to_127_shares() {
    const CASES: u32 = 48;
    let ran = Cell::new(0u32);
    runner(CASES)
        .run(&quorum_case(127), |(secret, m, n, seed)| {
            check_split(&secret, m, n, seed);
            ran.set(ran.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(ran.get(), CASES);
}

#[test]
fn extreme_quorums_127() {
    // The boundaries the random runs may miss: 2 of 127 and 127 of 127.
    let mut ran = 0;
    for (m, seed) in [(2usize, 1u64), (127, 2), (126, 3)] {
        check_split(
            &[0x00, 0xFF, 0x80, 0x01, 0x7F, 0xFE, 0x55, 0xAA, 0x12],
            m,
            127,
            seed,
        );
        ran += 1;
    }
    assert_eq!(ran, 3);
}

fn encode_words(words: &[u16]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn share_codec_round_trip_and_rejections() {
    const CASES: u32 = 512;
    let ran = Cell::new(0u32);
    let strategy = (
        1usize..=127,
        proptest::collection::vec(0u16..=256, 1..64),
        any::<u64>(),
    );
    runner(CASES)
        .run(&strategy, |(x, ys, seed)| {
            let mut rng = SplitMix64(seed);
            let share = Share::new(x, Zeroizing::new(ys.clone())).unwrap();
            let bytes = share::encode(&share);
            let words: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            // Layout: (x << 9) | y, little-endian.
            for (w, &y) in words.iter().zip(&ys) {
                assert_eq!(*w, ((x as u16) << 9) | y);
            }
            let back = share::decode(&bytes).unwrap();
            assert_eq!(usize::from(back.x()), x);
            assert_eq!(back.values(), &ys[..]);

            // A y above 256 in any word is refused, naming the first such word.
            let k = rng.below(words.len());
            let mut bad = words.clone();
            bad[k] = ((x as u16) << 9) | (257 + rng.below(255) as u16);
            assert_eq!(
                share::decode(&encode_words(&bad)).unwrap_err(),
                ShareDecodeError::ValueOutOfField { word: k }
            );

            // A word with another x is refused as mixed.
            if words.len() >= 2 {
                let k = 1 + rng.below(words.len() - 1);
                let other_x = 1 + (x + rng.below(126)) % 127; // 1..=127, never x
                assert_ne!(other_x, x);
                let mut mixed = words.clone();
                mixed[k] = ((other_x as u16) << 9) | ys[k];
                assert_eq!(
                    share::decode(&encode_words(&mixed)).unwrap_err(),
                    ShareDecodeError::MixedX {
                        first: x as u8,
                        word: k
                    }
                );
            }
            ran.set(ran.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(ran.get(), CASES);
}

#[test]
fn share_boundaries_x127_y256() {
    let share = Share::new(127, Zeroizing::new(vec![256, 0, 255, 256, 1])).unwrap();
    let bytes = share::encode(&share);
    assert_eq!(
        &bytes[..],
        &encode_words(&[
            (127 << 9) | 256,
            127 << 9,
            (127 << 9) | 255,
            (127 << 9) | 256,
            (127 << 9) | 1
        ])[..]
    );
    let back = share::decode(&bytes).unwrap();
    assert_eq!(back.x(), 127);
    assert_eq!(back.values(), &[256, 0, 255, 256, 1]);

    assert_eq!(
        Share::new(1, Zeroizing::new(vec![257])).unwrap_err(),
        ShareError::ValueOutOfField
    );
    assert_eq!(
        Share::new(0, Zeroizing::new(vec![1])).unwrap_err(),
        ShareError::BadX { x: 0 }
    );
    assert_eq!(
        Share::new(128, Zeroizing::new(vec![1])).unwrap_err(),
        ShareError::BadX { x: 128 }
    );
    assert_eq!(
        Share::new(1, Zeroizing::new(vec![])).unwrap_err(),
        ShareError::Empty
    );
    // x = 0 in every word, and y = 511.
    assert_eq!(
        share::decode(&encode_words(&[5, 6])).unwrap_err(),
        ShareDecodeError::ZeroX
    );
    assert_eq!(
        share::decode(&encode_words(&[(3 << 9) | 1, (3 << 9) | 511])).unwrap_err(),
        ShareDecodeError::ValueOutOfField { word: 1 }
    );
}

/// For M = 2, share 1 of secret byte s is s + a1 mod 257 with a1 uniform over all 257 field
/// values. Over 20 000 splits every value must appear (each is expected ~78 times; the chance
/// that any one is absent is about 257·e^-78 ≈ 10^-31), and the chi-square statistic (256
/// degrees of freedom, mean 256, sd 22.6) must lie in 100..450, a band whose tails are each
/// below 10^-12. A rule that excluded zero, or drew bytes, would leave a value absent.
#[test]
fn coefficient_rule_covers_whole_field() {
    const SPLITS: usize = 20_000;
    const SECRET: u8 = 0x5A;
    let quorum = Quorum::new(2, 2).unwrap();
    let mut counts = [0usize; 257];
    let mut rng = sdkit_core::SysRng;
    for _ in 0..SPLITS {
        let shares = shamir::split(&[SECRET], quorum, &mut rng).unwrap();
        let y = shares[0].values()[0];
        counts[usize::from(y)] += 1;
        // Sanity: the pair still recovers the byte.
        assert_eq!(
            ShareSet::new(shares).unwrap().combine(2).unwrap()[0],
            SECRET
        );
    }
    assert_eq!(counts.iter().sum::<usize>(), SPLITS);
    let absent: Vec<usize> = (0..257).filter(|&v| counts[v] == 0).collect();
    assert!(absent.is_empty(), "share values never produced: {absent:?}");
    let expected = SPLITS as f64 / 257.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(
        (100.0..450.0).contains(&chi2),
        "chi-square {chi2:.1} far outside what 256 degrees of freedom allow"
    );
}
