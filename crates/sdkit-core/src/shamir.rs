//! Shamir secret sharing over GF(257), byte by byte, the way Azure Managed HSM does it.
//!
//! Each secret byte `s` gets its own random polynomial `f(t) = s + a1·t + … + a(M-1)·t^(M-1)`
//! over GF(257); holder `x` receives `f(x)`, a value in `0..=256`.
//!
//! **Coefficient rule.** Every coefficient `a1 … a(M-1)` is drawn uniformly from the whole
//! field `0..=256`, zero included, by rejection sampling 9-bit random values. Uniform
//! coefficients make any M−1 shares independent of the secret (perfect secrecy); excluding
//! zero from the leading coefficient, as some libraries do, would bias the shares.
//!
//! Types are checked once, at construction ("parse, don't validate"): a [`Quorum`] always has
//! `2 <= M <= N <= 127`, and a [`ShareSet`] always has distinct non-zero x and equal lengths,
//! so [`ShareSet::combine`] cannot divide by zero or read past a share.

use crate::gf257::Fe;
use core::fmt;
use zeroize::Zeroizing;

/// The largest number of holders: x is a 7-bit field in the share encoding.
pub const MAX_SHARES: u8 = 127;

/// A validated M-of-N threshold: `2 <= required (M) <= total (N) <= 127`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    required: u8,
    total: u8,
}

/// Why a quorum was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumError {
    /// M below 2: a single share would be the secret itself.
    RequiredTooSmall {
        /// The M that was asked for.
        required: usize,
    },
    /// M above N: the secret could never be recovered.
    RequiredExceedsTotal {
        /// The M that was asked for.
        required: usize,
        /// The N that was asked for.
        total: usize,
    },
    /// N above 127, which the 7-bit x field cannot number.
    TooManyShares {
        /// The N that was asked for.
        total: usize,
    },
}

impl fmt::Display for QuorumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumError::RequiredTooSmall { required } => {
                write!(
                    f,
                    "quorum {required} is too small: at least 2 shares must be required"
                )
            }
            QuorumError::RequiredExceedsTotal { required, total } => write!(
                f,
                "quorum {required} is more than the {total} share{}: the secret could never be recovered",
                if *total == 1 { "" } else { "s" }
            ),
            QuorumError::TooManyShares { total } => {
                write!(
                    f,
                    "{total} shares is more than the format's limit of {MAX_SHARES}"
                )
            }
        }
    }
}

impl std::error::Error for QuorumError {}

impl Quorum {
    /// Validates `required` (M) of `total` (N).
    ///
    /// # Errors
    /// [`QuorumError`] unless `2 <= M <= N <= 127`.
    pub fn new(required: usize, total: usize) -> Result<Quorum, QuorumError> {
        if total > usize::from(MAX_SHARES) {
            return Err(QuorumError::TooManyShares { total });
        }
        if required < 2 {
            return Err(QuorumError::RequiredTooSmall { required });
        }
        if required > total {
            return Err(QuorumError::RequiredExceedsTotal { required, total });
        }
        // Both fit in u8: total <= 127 and required <= total.
        Ok(Quorum {
            required: required as u8,
            total: total as u8,
        })
    }

    /// M: how many shares recover the secret.
    pub fn required(self) -> usize {
        usize::from(self.required)
    }

    /// N: how many shares exist.
    pub fn total(self) -> usize {
        usize::from(self.total)
    }

    /// Whether Azure Managed HSM itself would accept this quorum (N in 3..=10, M in 2..=10).
    pub fn within_managed_hsm_limits(self) -> bool {
        (3..=10).contains(&self.total) && (2..=10).contains(&self.required)
    }
}

/// One holder's share: its x coordinate and one field value per secret byte.
#[derive(Clone)]
pub struct Share {
    x: u8,
    ys: Zeroizing<Vec<u16>>,
}

/// Why a share could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// x must be 1..=127 (x = 0 would be the secret itself).
    BadX {
        /// The offending x.
        x: usize,
    },
    /// A value above 256 cannot be an element of GF(257).
    ValueOutOfField,
    /// A share must cover at least one secret byte.
    Empty,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::BadX { x } => write!(f, "share x = {x} is outside 1..=127"),
            ShareError::ValueOutOfField => f.write_str("share holds a value above 256"),
            ShareError::Empty => f.write_str("share is empty"),
        }
    }
}

impl std::error::Error for ShareError {}

impl Share {
    /// Builds a share from its x coordinate and values.
    ///
    /// # Errors
    /// [`ShareError`] for x outside 1..=127, a value above 256, or no values.
    pub fn new(x: usize, ys: Zeroizing<Vec<u16>>) -> Result<Share, ShareError> {
        if x == 0 || x > usize::from(MAX_SHARES) {
            return Err(ShareError::BadX { x });
        }
        if ys.is_empty() {
            return Err(ShareError::Empty);
        }
        // Range check over every value without an early exit, so timing reveals only validity.
        let bad = ys.iter().fold(0u16, |acc, &y| acc | u16::from(y > 256));
        if bad != 0 {
            return Err(ShareError::ValueOutOfField);
        }
        Ok(Share { x: x as u8, ys })
    }

    /// The x coordinate (public: it numbers the holder).
    pub fn x(&self) -> u8 {
        self.x
    }

    /// How many secret bytes this share covers.
    pub fn len(&self) -> usize {
        self.ys.len()
    }

    /// Always false: a [`Share`] is never empty.
    pub fn is_empty(&self) -> bool {
        self.ys.is_empty()
    }

    /// The share values, each in `0..=256`. Secret.
    pub fn values(&self) -> &[u16] {
        &self.ys
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Share {{ x: {}, values: [REDACTED; {}] }}",
            self.x,
            self.ys.len()
        )
    }
}

/// Shares that can be combined: at least one, distinct x, equal lengths.
#[derive(Debug, Clone)]
pub struct ShareSet {
    shares: Vec<Share>,
}

/// Why shares cannot be combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareSetError {
    /// No shares at all.
    Empty,
    /// Two shares carry the same x: the same holder's share given twice.
    DuplicateX {
        /// The repeated x.
        x: u8,
    },
    /// Shares of different lengths cannot belong to one secret.
    LengthMismatch {
        /// Length of the first share.
        expected: usize,
        /// The x of the share that differs.
        x: u8,
        /// Its length.
        found: usize,
    },
}

impl fmt::Display for ShareSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareSetError::Empty => f.write_str("no shares were given"),
            ShareSetError::DuplicateX { x } => {
                write!(
                    f,
                    "two shares have x = {x}: the same holder's share was given twice"
                )
            }
            ShareSetError::LengthMismatch { expected, x, found } => write!(
                f,
                "share x = {x} covers {found} bytes but the others cover {expected}: they cannot belong to one secret"
            ),
        }
    }
}

impl std::error::Error for ShareSetError {}

/// Why combining failed even though the shares were well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CombineError {
    /// Fewer shares than the quorum needs.
    NotEnoughShares {
        /// Shares available.
        have: usize,
        /// Shares required.
        need: usize,
    },
    /// Interpolation gave 256 for some byte. Honest shares of a byte secret never do; the
    /// shares are corrupt or do not belong together.
    NotAByte,
}

impl fmt::Display for CombineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CombineError::NotEnoughShares { have, need } => {
                write!(f, "{have} shares available but {need} are required")
            }
            CombineError::NotAByte => f.write_str(
                "the shares do not interpolate to a byte string: at least one is corrupt or belongs to another secret",
            ),
        }
    }
}

impl std::error::Error for CombineError {}

impl ShareSet {
    /// Validates shares for combination.
    ///
    /// # Errors
    /// [`ShareSetError`] for an empty list, a repeated x, or unequal lengths.
    pub fn new(shares: Vec<Share>) -> Result<ShareSet, ShareSetError> {
        let first = shares.first().ok_or(ShareSetError::Empty)?;
        let expected = first.len();
        for (i, s) in shares.iter().enumerate() {
            if s.len() != expected {
                return Err(ShareSetError::LengthMismatch {
                    expected,
                    x: s.x,
                    found: s.len(),
                });
            }
            if shares[..i].iter().any(|o| o.x == s.x) {
                return Err(ShareSetError::DuplicateX { x: s.x });
            }
        }
        Ok(ShareSet { shares })
    }

    /// The shares, in the order given.
    pub fn shares(&self) -> &[Share] {
        &self.shares
    }

    /// Number of shares.
    pub fn len(&self) -> usize {
        self.shares.len()
    }

    /// Always false: a [`ShareSet`] is never empty.
    pub fn is_empty(&self) -> bool {
        self.shares.is_empty()
    }

    /// Secret length in bytes.
    pub fn secret_len(&self) -> usize {
        self.shares[0].len()
    }

    /// Recovers the secret from the first `required` shares (Lagrange interpolation at 0).
    ///
    /// # Errors
    /// [`CombineError::NotEnoughShares`] when fewer than `required` (or fewer than 2) shares are
    /// present; [`CombineError::NotAByte`] when the result cannot be a byte string.
    pub fn combine(&self, required: usize) -> Result<Zeroizing<Vec<u8>>, CombineError> {
        let need = required.max(2);
        if self.shares.len() < need {
            return Err(CombineError::NotEnoughShares {
                have: self.shares.len(),
                need,
            });
        }
        let basis = &self.shares[..need];
        let values = interpolate(basis, Fe::ZERO);
        // Any 256 means corrupt shares; fold without early exit, then decide once.
        let overflow = values.iter().fold(0u16, |acc, v| acc | (v.value() >> 8));
        if overflow != 0 {
            return Err(CombineError::NotAByte);
        }
        Ok(Zeroizing::new(
            values.iter().map(|v| v.value() as u8).collect(),
        ))
    }

    /// The x of every share after the first `required` that does not lie on the polynomial
    /// those first shares fix. An empty result proves that every `required`-subset of this
    /// set recovers the same secret, at a cost of N·M field operations per byte instead of
    /// one interpolation per subset.
    pub fn off_polynomial(&self, required: usize) -> Vec<u8> {
        self.consistency(required).off_polynomial
    }

    /// Whether fewer shares than declared recombine the secret: true when this set has at
    /// least `required` shares and every one lies on the polynomial through the first
    /// `required - 1` (of degree `required - 2`), so any `required - 1` of them give the
    /// secret. The shares of an honest `M`-of-`N` split do so with probability `257^-len`;
    /// a file that declares a higher quorum than its shares carry is lying about its custody.
    pub fn recombines_below(&self, required: usize) -> bool {
        self.consistency(required).recombines_below
    }

    /// Both checks above from one pass over the shares, as recovery needs them.
    ///
    /// The second costs no pass of its own: the shares all lie on a polynomial of degree
    /// below `required - 1` exactly when they all lie on the one through the first
    /// `required` (the first check) and that polynomial's `x^(required-1)` coefficient is
    /// zero in every byte. That coefficient is `sum_i y_i / prod_{j != i} (x_i - x_j)`, the
    /// barycentric weights the first check computes anyway.
    pub fn consistency(&self, required: usize) -> Consistency {
        let need = required.max(2).clamp(1, self.shares.len());
        let (basis, rest) = self.shares.split_at(need);
        let through_basis = Interpolator::new(basis);
        let off_polynomial: Vec<u8> = rest
            .iter()
            .filter(|share| !through_basis.passes_through(share))
            .map(|s| s.x)
            .collect();
        let recombines_below = required >= 2
            && self.shares.len() >= required
            && off_polynomial.is_empty()
            && through_basis.top_coefficient_is_zero();
        Consistency {
            off_polynomial,
            recombines_below,
        }
    }
}

/// What the shares of a set say about the polynomial behind them ([`ShareSet::consistency`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistency {
    /// The x of every share after the first `required` that is off the polynomial those
    /// fix (see [`ShareSet::off_polynomial`]).
    pub off_polynomial: Vec<u8>,
    /// `required - 1` of the shares already recombine the secret (see
    /// [`ShareSet::recombines_below`]).
    pub recombines_below: bool,
}

/// Evaluates the polynomials through a basis of shares at any point, in barycentric form:
/// the Lagrange denominators `prod_{j != i} (x_i - x_j)` do not depend on the point, so they
/// are inverted once here, and a point's numerators come from prefix and suffix products.
/// A point then costs O(M) for its coefficients instead of O(M²) and M inversions, which is
/// what checking N - M shares against an M-share basis repeats (M = 64 of N = 127: about
/// 4x faster; criterion `shamir/off_polynomial`). Only the public x coordinates go into
/// the weights; the share values meet them in [`Interpolator::evaluate`].
struct Interpolator<'a> {
    basis: &'a [Share],
    xs: Vec<Fe>,
    /// `1 / prod_{j != i} (x_i - x_j)` for each basis point.
    weights: Vec<Fe>,
}

impl<'a> Interpolator<'a> {
    /// `basis` has distinct x (guaranteed by [`ShareSet`]), so no denominator is zero.
    fn new(basis: &'a [Share]) -> Self {
        let xs: Vec<Fe> = basis.iter().map(|s| Fe::new(u16::from(s.x))).collect();
        let weights = xs
            .iter()
            .enumerate()
            .map(|(i, &xi)| {
                xs.iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .fold(Fe::ONE, |den, (_, &xj)| den * (xi - xj))
                    .invert()
            })
            .collect();
        Interpolator { basis, xs, weights }
    }

    /// The Lagrange coefficients for evaluating at `at`:
    /// `weight_i * prod_{j != i} (at - x_j)`.
    fn coefficients(&self, at: Fe) -> Vec<Fe> {
        let m = self.xs.len();
        // prefix[i] = prod_{j < i} (at - x_j); the suffix product runs down alongside.
        let mut coefficients = vec![Fe::ONE; m];
        for i in 1..m {
            coefficients[i] = coefficients[i - 1] * (at - self.xs[i - 1]);
        }
        let mut suffix = Fe::ONE;
        for i in (0..m).rev() {
            coefficients[i] = coefficients[i] * suffix * self.weights[i];
            suffix = suffix * (at - self.xs[i]);
        }
        coefficients
    }

    /// For every byte position, the polynomial through the basis evaluated at `at`.
    fn evaluate(&self, at: Fe) -> Zeroizing<Vec<Fe>> {
        let len = self.basis.first().map_or(0, Share::len);
        let mut out = Zeroizing::new(vec![Fe::ZERO; len]);
        for (share, &c) in self.basis.iter().zip(self.coefficients(at).iter()) {
            for (acc, &y) in out.iter_mut().zip(share.ys.iter()) {
                *acc = *acc + c * Fe::new(y);
            }
        }
        out
    }

    /// Whether `share` lies on the polynomials through the basis, in every byte position.
    /// Decided once, after every byte is compared.
    fn passes_through(&self, share: &Share) -> bool {
        let expected = self.evaluate(Fe::new(u16::from(share.x)));
        let mut equal = subtle::Choice::from(1u8);
        for (e, &y) in expected.iter().zip(share.ys.iter()) {
            equal &= e.ct_eq(Fe::new(y));
        }
        bool::from(equal)
    }

    /// Whether the polynomials through the basis all have degree below `basis.len() - 1`:
    /// their top coefficient, `sum_i weight_i * y_i`, is zero in every byte position.
    /// Decided once, after every byte is computed.
    fn top_coefficient_is_zero(&self) -> bool {
        let len = self.basis.first().map_or(0, Share::len);
        let mut top = Zeroizing::new(vec![Fe::ZERO; len]);
        for (share, &w) in self.basis.iter().zip(self.weights.iter()) {
            for (acc, &y) in top.iter_mut().zip(share.ys.iter()) {
                *acc = *acc + w * Fe::new(y);
            }
        }
        let mut zero = subtle::Choice::from(1u8);
        for &c in top.iter() {
            zero &= c.ct_eq(Fe::ZERO);
        }
        bool::from(zero)
    }
}

/// Evaluates, for every byte position, the polynomial through `basis` at `at`.
/// `basis` has distinct x (guaranteed by [`ShareSet`]) and equal lengths.
fn interpolate(basis: &[Share], at: Fe) -> Zeroizing<Vec<Fe>> {
    Interpolator::new(basis).evaluate(at)
}

/// Draws a field element uniformly from all 257 values by rejection sampling 9-bit values.
/// The loop count depends only on fresh randomness, never on the secret.
fn random_element<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Fe, R::Error> {
    loop {
        let mut b = [0u8; 2];
        rng.try_fill_bytes(&mut b)?;
        let v = u16::from_le_bytes(b) & 0x1FF;
        if let Some(fe) = Fe::from_canonical(v) {
            b.fill(0);
            return Ok(fe);
        }
    }
}

/// Why a split failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// There is nothing to split.
    EmptySecret,
    /// The operating system's random generator failed.
    RandomFailed,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::EmptySecret => f.write_str("the secret to split is empty"),
            SplitError::RandomFailed => f.write_str("the random number generator failed"),
        }
    }
}

impl std::error::Error for SplitError {}

/// Splits `secret` into `quorum.total()` shares with x = 1..=N, any `quorum.required()` of
/// which recover it. The coefficient rule is in the module docs.
///
/// # Errors
/// [`SplitError`] for an empty secret or a failing random generator.
pub fn split<R: rand_core::TryCryptoRng + ?Sized>(
    secret: &[u8],
    quorum: Quorum,
    rng: &mut R,
) -> Result<Vec<Share>, SplitError> {
    if secret.is_empty() {
        return Err(SplitError::EmptySecret);
    }
    let n = quorum.total();
    let degree = quorum.required() - 1;
    let mut values: Vec<Zeroizing<Vec<u16>>> = (0..n)
        .map(|_| Zeroizing::new(Vec::with_capacity(secret.len())))
        .collect();
    let mut coeffs = Zeroizing::new(vec![Fe::ZERO; degree]);
    for &byte in secret {
        for c in coeffs.iter_mut() {
            *c = random_element(rng).map_err(|_| SplitError::RandomFailed)?;
        }
        for (i, out) in values.iter_mut().enumerate() {
            let x = Fe::new((i + 1) as u16);
            // Horner: ((a_d·x + a_(d-1))·x + …)·x + s
            let mut acc = Fe::ZERO;
            for &c in coeffs.iter().rev() {
                acc = (acc + c) * x;
            }
            acc = acc + Fe::new(u16::from(byte));
            out.push(acc.value());
        }
    }
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, ys)| Share {
            x: (i + 1) as u8,
            ys,
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_lower_than_declared_is_detected() {
        let secret = [7u8; 32];
        for (m, n) in [(2usize, 3usize), (3, 5), (5, 10), (9, 10)] {
            let shares = split(&secret, Quorum::new(m, n).unwrap(), &mut crate::SysRng).unwrap();
            let set = ShareSet::new(shares).unwrap();
            // Honest: the declared quorum is the real one, and the real one is not lower.
            assert!(!set.recombines_below(m), "{m} of {n}");
            // Declared one higher than the shares carry: detected, with at least that many.
            assert!(
                set.recombines_below(m + 1),
                "{m} of {n} declared as {}",
                m + 1
            );
            // Too few shares to tell: never claimed.
            let few = ShareSet::new(set.shares()[..m].to_vec()).unwrap();
            assert!(!few.recombines_below(m + 1));
        }
    }

    /// `recombines_below` by its definition: every share on the polynomial through the first
    /// `required - 1`, checked by interpolating at each share's x.
    fn recombines_below_by_definition(set: &ShareSet, required: usize) -> bool {
        if required < 2 || set.len() < required {
            return false;
        }
        let (basis, rest) = set.shares().split_at(required - 1);
        rest.iter().all(|share| {
            let at = interpolate(basis, Fe::new(u16::from(share.x)));
            at.iter().zip(share.ys.iter()).all(|(e, &y)| e.value() == y)
        })
    }

    /// `off_polynomial` by its definition: the shares after the first `required` (at least
    /// 2, at most all) that interpolation through those first ones misses.
    fn off_polynomial_by_definition(set: &ShareSet, required: usize) -> Vec<u8> {
        let need = required.max(2).min(set.len());
        let (basis, rest) = set.shares().split_at(need);
        rest.iter()
            .filter(|share| {
                let at = interpolate(basis, Fe::new(u16::from(share.x)));
                at.iter().zip(share.ys.iter()).any(|(e, &y)| e.value() != y)
            })
            .map(|s| s.x)
            .collect()
    }

    #[test]
    fn one_pass_consistency_agrees_with_the_definitions() {
        let mut checked = 0;
        for (m, n) in [(2usize, 2usize), (2, 3), (3, 5), (4, 4), (5, 9)] {
            let secret = [0x5au8, 0, 255, 7];
            let shares = split(&secret, Quorum::new(m, n).unwrap(), &mut crate::SysRng).unwrap();
            // Honest, then with one share's byte moved off the polynomial (first or last).
            for corrupt in [None, Some(0), Some(n - 1)] {
                let mut shares = shares.clone();
                if let Some(i) = corrupt {
                    let ys = &mut shares[i].ys;
                    ys[1] = (ys[1] + 1) % 257;
                }
                let set = ShareSet::new(shares).unwrap();
                for required in 1..=n + 1 {
                    let c = set.consistency(required);
                    assert_eq!(
                        c.recombines_below,
                        recombines_below_by_definition(&set, required),
                        "{m} of {n}, corrupt {corrupt:?}, declared {required}"
                    );
                    assert_eq!(
                        c.off_polynomial,
                        off_polynomial_by_definition(&set, required)
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 3 * (3 + 4 + 6 + 5 + 10));
    }

    /// The Lagrange coefficients straight from the definition.
    fn naive_coefficients(xs: &[Fe], at: Fe) -> Vec<Fe> {
        (0..xs.len())
            .map(|i| {
                let (mut num, mut den) = (Fe::ONE, Fe::ONE);
                for j in (0..xs.len()).filter(|&j| j != i) {
                    num = num * (at - xs[j]);
                    den = den * (xs[i] - xs[j]);
                }
                num * den.invert()
            })
            .collect()
    }

    #[test]
    fn barycentric_coefficients_match_the_definition_at_every_point() {
        let bases: [&[usize]; 5] = [
            &[1, 2],
            &[3, 1, 2],
            &[127, 5, 64, 2, 100],
            &[10, 20, 30, 40, 50, 60, 70, 80, 90, 126],
            &[1],
        ];
        let mut checked = 0;
        for xs in bases {
            let basis: Vec<Share> = xs
                .iter()
                .map(|&x| Share::new(x, Zeroizing::new(vec![0u16; 4])).unwrap())
                .collect();
            let interpolator = Interpolator::new(&basis);
            let fxs: Vec<Fe> = xs.iter().map(|&x| Fe::new(x as u16)).collect();
            // Every field element, the basis points and 0 (the secret) among them.
            for at in 0..257u16 {
                let got: Vec<u16> = interpolator
                    .coefficients(Fe::new(at))
                    .iter()
                    .map(|c| c.value())
                    .collect();
                let want: Vec<u16> = naive_coefficients(&fxs, Fe::new(at))
                    .iter()
                    .map(|c| c.value())
                    .collect();
                assert_eq!(got, want, "basis {xs:?} at {at}");
                checked += 1;
            }
        }
        assert_eq!(checked, 5 * 257);
    }
}
