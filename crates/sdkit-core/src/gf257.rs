//! Arithmetic in the prime field GF(257), the field Azure's Shamir shares live in.
//!
//! Elements are `0..=256`, so a share value needs 9 bits (a byte cannot hold 256, which real
//! shares do contain). Every operation here runs the same instructions whatever the operand
//! values: reduction is a Barrett multiply-shift followed by a masked conditional subtract,
//! and inversion is a fixed square-and-multiply chain for x^255 (= x^(p-2)). There are no
//! tables indexed by secret values and no branches on them, so share values and secret bytes
//! do not leak through timing or cache access patterns.

use core::ops::{Add, Mul, Sub};

/// The field modulus.
pub const P: u16 = 257;

/// An element of GF(257), always reduced to `0..=256`.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Fe(u16);

// Vectors of field elements hold share values; let `Zeroizing` wipe them.
impl zeroize::DefaultIsZeroes for Fe {}

impl core::fmt::Debug for Fe {
    // Field elements are mostly secret share values: do not print them.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Fe(..)")
    }
}

/// Subtracts `P` from `v` when `v >= P`, without branching. Requires `v < 2 * P`.
#[inline]
fn reduce_once(v: u32) -> u32 {
    let t = v.wrapping_sub(u32::from(P));
    // All ones when t went negative (v < P), zero otherwise.
    let keep_v = 0u32.wrapping_sub(t >> 31);
    (v & keep_v) | (t & !keep_v)
}

/// Reduces any `v < 2^17` (which covers every product of two reduced elements) modulo `P`.
#[inline]
fn reduce(v: u32) -> u16 {
    // Barrett: m = floor(2^25 / 257). For v < 2^17 the quotient estimate is off by at most one,
    // so one masked subtract finishes the job.
    const M: u64 = (1u64 << 25) / P as u64;
    let q = ((u64::from(v) * M) >> 25) as u32;
    let r = v - q * u32::from(P);
    reduce_once(r) as u16
}

impl Fe {
    /// Zero.
    pub const ZERO: Fe = Fe(0);
    /// One.
    pub const ONE: Fe = Fe(1);

    /// The element `v mod 257` (any `u16` is accepted; share decoding rejects `y > 256` before
    /// it gets here, so this reduction never changes an honest value).
    #[inline]
    pub fn new(v: u16) -> Fe {
        Fe(reduce(u32::from(v)))
    }

    /// Builds an element from a value the caller has already checked is at most 256.
    /// Returns `None` otherwise. The check is on public structure, not on secrets.
    pub fn from_canonical(v: u16) -> Option<Fe> {
        (v < P).then_some(Fe(v))
    }

    /// The canonical representative in `0..=256`.
    #[inline]
    pub fn value(self) -> u16 {
        self.0
    }

    /// Multiplicative inverse; the inverse of zero is defined as zero (callers never invert a
    /// value that can be zero: Lagrange denominators are differences of distinct x).
    pub fn invert(self) -> Fe {
        // 255 = 0b1111_1111: x^255 = x^(2^8 - 1) via a fixed chain of squarings and multiplies.
        let mut acc = self;
        for _ in 0..7 {
            acc = acc * acc * self;
        }
        acc
    }

    /// Constant-time equality (returns a `subtle::Choice`).
    pub fn ct_eq(self, other: Fe) -> subtle::Choice {
        subtle::ConstantTimeEq::ct_eq(&self.0, &other.0)
    }
}

impl Add for Fe {
    type Output = Fe;
    #[inline]
    fn add(self, rhs: Fe) -> Fe {
        Fe(reduce_once(u32::from(self.0) + u32::from(rhs.0)) as u16)
    }
}

impl Sub for Fe {
    type Output = Fe;
    #[inline]
    fn sub(self, rhs: Fe) -> Fe {
        Fe(reduce_once(u32::from(self.0) + u32::from(P) - u32::from(rhs.0)) as u16)
    }
}

impl Mul for Fe {
    type Output = Fe;
    #[inline]
    fn mul(self, rhs: Fe) -> Fe {
        Fe(reduce(u32::from(self.0) * u32::from(rhs.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhaustive_against_naive() {
        for a in 0..P {
            for b in 0..P {
                let (fa, fb) = (Fe(a), Fe(b));
                let (a32, b32, p) = (u32::from(a), u32::from(b), u32::from(P));
                assert_eq!(u32::from((fa + fb).value()), (a32 + b32) % p);
                assert_eq!(u32::from((fa - fb).value()), (a32 + p - b32) % p);
                assert_eq!(u32::from((fa * fb).value()), (a32 * b32) % p);
            }
        }
    }

    #[test]
    fn inverse_of_every_nonzero_element() {
        assert_eq!(Fe::ZERO.invert(), Fe::ZERO);
        for a in 1..P {
            assert_eq!(Fe(a) * Fe(a).invert(), Fe::ONE, "a = {a}");
        }
    }

    #[test]
    fn reduce_covers_whole_u16_range() {
        for v in 0..=u16::MAX {
            assert_eq!(Fe::new(v).value(), v % P);
        }
        assert_eq!(Fe::from_canonical(256).map(Fe::value), Some(256));
        assert!(Fe::from_canonical(257).is_none());
    }
}
