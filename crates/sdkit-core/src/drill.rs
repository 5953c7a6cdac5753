//! What a restore drill proved, judged: each finding with its severity, and the verdict.
//!
//! The judgement lives here, beside the cryptography that produced the facts, so every
//! caller (the CLI's text and JSON, a future GUI, the ceremony record) reports the same
//! verdict for the same drill. The report holds no secret: shares and plaintexts stay in
//! [`QuorumOutcome`]; here are only their positions, x coordinates, sizes and errors.

use crate::content::ContentDigest;
use crate::domain::SecurityDomain;
use crate::jwe::JweDecryptError;
use crate::recover::{
    CertificateMatch, ExhaustiveReport, HolderOpening, HolderStatus, QuorumOutcome, RecoverError,
    RecoveredItem, TooManySubsets, every_subset,
};
pub use crate::severity::Severity;
use crate::tag::Tag;

/// One thing a drill found. Holders, shares and items are positions in the keys given, in
/// the SD's `enc_shares` and in its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillFinding {
    /// The key did not open a usable share (see its [`HolderStatus`]).
    HolderFailed {
        /// Position of the key.
        holder: usize,
    },
    /// An opened share does not lie on the polynomial the others fix: corrupt or foreign.
    OffPolynomial {
        /// Its x coordinate.
        x: u8,
        /// The key that opened it.
        holder: Option<usize>,
    },
    /// An item did not authenticate under the recovered master key.
    ItemNotAuthentic {
        /// Position of the item.
        item: usize,
    },
    /// The exhaustive check found an `M`-subset that recombines to another key.
    SubsetDisagrees {
        /// The x coordinates of the subset.
        x: Vec<u8>,
    },
    /// No key of this drill opened the share: its custodian's key is untested.
    ShareNotTested {
        /// Position of the share.
        share: usize,
    },
    /// The key opened a share whose `x5t_256` is not its certificate's thumbprint. `az`
    /// finds a custodian's share by that thumbprint, so on the day it would not find this
    /// one: the key's certificate was re-issued, or the file's labels were swapped.
    ShareLabelledForAnotherCertificate {
        /// Position of the key.
        holder: usize,
        /// Position of the share it opened.
        share: usize,
    },
    /// Fewer shares than the file declares recombine the master key: every opened share lies
    /// on a polynomial of lower degree, so `required - 1` custodians could restore the HSM.
    ThresholdLowerThanDeclared {
        /// The quorum the file declares.
        declared: usize,
    },
    /// An item's tag is one `recover` refuses to write or `az` cannot read (see
    /// [`crate::tag::Tag::new`]); a restore of this file would fail or write elsewhere.
    TagNotRestorable {
        /// Position of the item.
        item: usize,
    },
}

impl DrillFinding {
    /// Whether the finding fails the drill.
    pub fn severity(&self) -> Severity {
        match self {
            DrillFinding::ShareNotTested { .. } => Severity::Note,
            _ => Severity::Problem,
        }
    }
}

/// How a drill ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every key opened its share, every quorum agrees, every item authenticated.
    Passed,
    /// A master key authenticated every item, but a key or a share failed a check.
    ChecksFailed,
    /// A master key was recovered, but an item did not authenticate.
    ItemsFailed,
    /// No master key could be recovered (see [`DrillReport::recovery`]).
    NoMasterKey,
}

/// One key's part in the drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderResult {
    /// What the key did.
    pub status: HolderStatus,
    /// How its certificate related to the SD.
    pub certificate: CertificateMatch,
    /// The opened share's secret length in bytes, when it opened one.
    pub secret_bytes: Option<usize>,
}

impl From<&HolderOpening> for HolderResult {
    fn from(o: &HolderOpening) -> Self {
        HolderResult {
            status: o.status.clone(),
            certificate: o.certificate,
            secret_bytes: o.share().map(|s| s.len()),
        }
    }
}

impl HolderResult {
    /// Whether the key opened a usable share of its own.
    pub fn ok(&self) -> bool {
        matches!(self.status, HolderStatus::Opened { .. })
    }
}

/// One item after recovery: its size and content digest when authentic, else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// The item's tag (from the file: untrusted text).
    pub tag: String,
    /// What the authentic plaintext is like, or the authentication failure.
    pub content: Result<ItemContent, JweDecryptError>,
}

/// What can be said about an authentic item's plaintext without showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemContent {
    /// Its length in bytes.
    pub len: usize,
    /// Its content digest, to compare with another SD's (after `reshare`).
    pub digest: ContentDigest,
}

impl From<&RecoveredItem> for ItemResult {
    fn from(it: &RecoveredItem) -> Self {
        ItemResult {
            tag: it.tag.clone(),
            content: it
                .plaintext
                .as_ref()
                .map(|p| ItemContent {
                    len: p.len(),
                    digest: ContentDigest::of(&it.tag, p.expose()),
                })
                .map_err(Clone::clone),
        }
    }
}

/// What the recombination gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recombined {
    /// x of the shares the master key was interpolated from.
    pub basis: Vec<u8>,
    /// x of opened shares off the polynomial.
    pub off_polynomial: Vec<u8>,
    /// Every item, in SD order.
    pub items: Vec<ItemResult>,
}

/// Everything a drill proved, and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillReport {
    /// Shares needed (M).
    pub required: usize,
    /// Shares in the SD (N).
    pub total: usize,
    /// Each key's result, in the order given.
    pub holders: Vec<HolderResult>,
    /// The recombination, or why there was none.
    pub recovery: Result<Recombined, RecoverError>,
    /// The exhaustive check, when asked for and a master key was recovered.
    pub exhaustive: Option<ExhaustiveReport>,
    /// What was found, problems and notes, in the order: holders, shares labelled for another
    /// certificate, a threshold lower than declared, shares off the polynomial, items, tags,
    /// disagreeing subsets, untested shares.
    pub findings: Vec<DrillFinding>,
    /// How it ended.
    pub verdict: Verdict,
}

impl DrillReport {
    /// Judges what `outcome` (the keys' run on `sd`) proved; with `exhaustive`, every
    /// `M`-subset of the opened shares is recombined one by one as well.
    ///
    /// # Errors
    /// [`TooManySubsets`] when `exhaustive` would recombine too many subsets.
    pub fn new(
        sd: &SecurityDomain,
        outcome: &QuorumOutcome,
        exhaustive: bool,
    ) -> Result<Self, TooManySubsets> {
        let holders: Vec<HolderResult> = outcome.openings.iter().map(HolderResult::from).collect();
        let mut findings: Vec<DrillFinding> = holders
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.ok())
            .map(|(holder, _)| DrillFinding::HolderFailed { holder })
            .collect();
        findings.extend(
            outcome
                .openings
                .iter()
                .enumerate()
                .filter_map(|(holder, o)| match (&o.status, o.certificate) {
                    (
                        HolderStatus::Opened { share_index, .. },
                        CertificateMatch::NotInDomain | CertificateMatch::KeyDidNotOpenItsShare,
                    ) => Some(DrillFinding::ShareLabelledForAnotherCertificate {
                        holder,
                        share: *share_index,
                    }),
                    _ => None,
                }),
        );
        let mut exhaustive_report = None;
        let recovery = match &outcome.recovery {
            Err(e) => Err(e.clone()),
            Ok(rec) => {
                if rec.recombines_below {
                    findings.push(DrillFinding::ThresholdLowerThanDeclared {
                        declared: sd.quorum().required(),
                    });
                }
                for &x in &rec.off_polynomial {
                    let holder = outcome
                        .openings
                        .iter()
                        .position(|o| o.share().is_some_and(|s| s.x() == x));
                    findings.push(DrillFinding::OffPolynomial { x, holder });
                }
                let items: Vec<ItemResult> = rec.items.iter().map(ItemResult::from).collect();
                findings.extend(
                    items
                        .iter()
                        .enumerate()
                        .filter(|(_, it)| it.content.is_err())
                        .map(|(item, _)| DrillFinding::ItemNotAuthentic { item }),
                );
                findings.extend(
                    sd.items()
                        .iter()
                        .enumerate()
                        .filter(|(_, it)| Tag::new(&it.tag).is_err())
                        .map(|(item, _)| DrillFinding::TagNotRestorable { item }),
                );
                if exhaustive {
                    let report = every_subset(sd, &outcome.openings, rec)?;
                    findings.extend(
                        report
                            .disagreeing
                            .iter()
                            .map(|x| DrillFinding::SubsetDisagrees { x: x.clone() }),
                    );
                    exhaustive_report = Some(report);
                }
                Ok(Recombined {
                    basis: rec.basis.clone(),
                    off_polynomial: rec.off_polynomial.clone(),
                    items,
                })
            }
        };
        findings.extend(
            untested_shares(outcome, sd.shares().len())
                .map(|share| DrillFinding::ShareNotTested { share }),
        );
        let problems = findings.iter().any(|f| f.severity() == Severity::Problem);
        let verdict = match &recovery {
            Err(_) => Verdict::NoMasterKey,
            Ok(r) if r.items.iter().any(|i| i.content.is_err()) => Verdict::ItemsFailed,
            Ok(_) if problems => Verdict::ChecksFailed,
            Ok(_) => Verdict::Passed,
        };
        Ok(DrillReport {
            required: sd.quorum().required(),
            total: sd.quorum().total(),
            holders,
            recovery,
            exhaustive: exhaustive_report,
            findings,
            verdict,
        })
    }

    /// How many keys opened a usable share.
    pub fn opened(&self) -> usize {
        self.holders.iter().filter(|h| h.ok()).count()
    }

    /// Whether every opened share lies on one polynomial (so every quorum of them agrees).
    pub fn every_quorum_agrees(&self) -> bool {
        self.recovery
            .as_ref()
            .is_ok_and(|r| r.off_polynomial.is_empty())
    }

    /// The shares no key of this drill reached, in file order.
    pub fn untested_shares(&self) -> impl Iterator<Item = usize> + '_ {
        self.findings.iter().filter_map(|f| match f {
            DrillFinding::ShareNotTested { share } => Some(*share),
            _ => None,
        })
    }

    /// The findings that fail the drill.
    pub fn problems(&self) -> impl Iterator<Item = &DrillFinding> + '_ {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Problem)
    }
}

/// Shares that no key opened, found malformed or found twice.
fn untested_shares(outcome: &QuorumOutcome, shares: usize) -> impl Iterator<Item = usize> + '_ {
    (0..shares).filter(move |i| {
        !outcome
            .openings
            .iter()
            .any(|o| o.status.share_index() == Some(*i))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::Thumbprint;
    use crate::recover::HolderKey;
    use rsa::pkcs8::DecodePrivateKey;

    fn sd() -> SecurityDomain {
        SecurityDomain::parse(include_bytes!(
            "../../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json"
        ))
        .unwrap()
    }

    fn keys() -> Vec<rsa::PrivateKey> {
        [
            include_str!("../../../test-vectors/azure-sd/sd1.pem"),
            include_str!("../../../test-vectors/azure-sd/sd2.pem"),
            include_str!("../../../test-vectors/azure-sd/sd3.pem"),
        ]
        .iter()
        .map(|p| rsa::PrivateKey::from_pkcs8_pem(p).unwrap())
        .collect()
    }

    fn drill(sd: &SecurityDomain, keys: &[&rsa::PrivateKey], exhaustive: bool) -> DrillReport {
        let hk: Vec<HolderKey<'_>> = keys
            .iter()
            .map(|&k| HolderKey {
                key: k,
                certificate: None,
            })
            .collect();
        DrillReport::new(sd, &crate::recover::run(sd, &hk), exhaustive).unwrap()
    }

    #[test]
    fn every_key_of_the_real_sd_passes_with_nothing_untested() {
        let (sd, keys) = (sd(), keys());
        let r = drill(&sd, &[&keys[0], &keys[1], &keys[2]], true);
        assert_eq!(r.verdict, Verdict::Passed);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(r.opened(), 3);
        assert!(r.every_quorum_agrees());
        assert_eq!(r.exhaustive.as_ref().map(|e| e.subsets), Some(3));
        let rec = r.recovery.as_ref().unwrap();
        assert_eq!(rec.basis, vec![1, 2]);
        assert!(rec.items.iter().all(|i| i.content.is_ok()));
    }

    #[test]
    fn an_untested_share_is_a_note_and_a_repeated_key_a_problem() {
        let (sd, keys) = (sd(), keys());
        let r = drill(&sd, &[&keys[0], &keys[2]], false);
        assert_eq!(r.verdict, Verdict::Passed);
        assert_eq!(r.findings, vec![DrillFinding::ShareNotTested { share: 1 }]);
        assert_eq!(r.findings[0].severity(), Severity::Note);
        assert_eq!(r.untested_shares().collect::<Vec<_>>(), vec![1]);

        let r = drill(&sd, &[&keys[0], &keys[1], &keys[0]], false);
        assert_eq!(r.verdict, Verdict::ChecksFailed);
        assert_eq!(
            r.problems().collect::<Vec<_>>(),
            vec![&DrillFinding::HolderFailed { holder: 2 }]
        );
        assert!(matches!(
            r.holders[2].status,
            HolderStatus::Duplicate {
                share_index: 0,
                first_holder: 0
            }
        ));
    }

    #[test]
    fn a_share_labelled_for_another_certificate_fails_the_drill() {
        let (sd, keys) = (sd(), keys());
        let labels: Vec<Thumbprint> = sd.shares().iter().map(|s| s.thumbprint).collect();
        // sd1's key, given with sd2's certificate (its share is labelled for sd1): az would
        // look for the share of sd2's certificate and fail. And a certificate not in the SD.
        for (certificate, expected) in [
            (labels[1], CertificateMatch::KeyDidNotOpenItsShare),
            (
                Thumbprint::from_bytes([9; 32]),
                CertificateMatch::NotInDomain,
            ),
        ] {
            let hk = [
                HolderKey {
                    key: &keys[0],
                    certificate: Some(certificate),
                },
                HolderKey {
                    key: &keys[2],
                    certificate: Some(labels[2]),
                },
            ];
            let r = DrillReport::new(&sd, &crate::recover::run(&sd, &hk), false).unwrap();
            assert_eq!(r.holders[0].certificate, expected);
            assert_eq!(r.verdict, Verdict::ChecksFailed);
            assert_eq!(
                r.problems().collect::<Vec<_>>(),
                vec![&DrillFinding::ShareLabelledForAnotherCertificate {
                    holder: 0,
                    share: 0
                }]
            );
        }
    }

    /// An SD for sd1..sd3 built by this crate, 2-of-3, with `tags`.
    fn own_sd(tags: &[&str]) -> SecurityDomain {
        use crate::assemble::{Recipient, assemble};
        let recipients: Vec<Recipient> = keys()
            .iter()
            .enumerate()
            .map(|(i, k)| Recipient {
                key: k.to_public_key(),
                thumbprint: Thumbprint::from_bytes([i as u8 + 1; 32]),
            })
            .collect();
        let items: Vec<(&str, &[u8])> = tags.iter().map(|t| (*t, &b"secret"[..])).collect();
        let quorum = crate::Quorum::new(2, 3).unwrap();
        assemble(&items, &recipients, quorum, &mut crate::SysRng)
            .unwrap()
            .sd
    }

    #[test]
    fn a_threshold_lower_than_declared_fails_the_drill() {
        let (honest, keys) = (own_sd(&["a"]), keys());
        let all = [&keys[0], &keys[1], &keys[2]];
        assert_eq!(drill(&honest, &all, false).verdict, Verdict::Passed);
        // The same shares, declared 3-of-3: any 2 still recombine.
        let json = honest.to_json().replace("\"required\":2", "\"required\":3");
        let lying = SecurityDomain::parse(json.as_bytes()).unwrap();
        assert_eq!(lying.quorum().required(), 3);
        let r = drill(&lying, &all, false);
        assert_eq!(r.verdict, Verdict::ChecksFailed);
        assert_eq!(
            r.problems().collect::<Vec<_>>(),
            vec![&DrillFinding::ThresholdLowerThanDeclared { declared: 3 }]
        );
        // The real SD's shares carry its quorum.
        let real = drill(&sd(), &all, false);
        assert!(
            !real
                .findings
                .iter()
                .any(|f| matches!(f, DrillFinding::ThresholdLowerThanDeclared { .. }))
        );
    }

    #[test]
    fn a_tag_no_restore_could_use_fails_the_drill() {
        let keys = keys();
        for bad in ["ümlaut", ".hidden", "a:b"] {
            let sd = own_sd(&["fine", bad]);
            let r = drill(&sd, &[&keys[0], &keys[1], &keys[2]], false);
            assert_eq!(r.verdict, Verdict::ChecksFailed, "{bad}");
            assert_eq!(
                r.problems().collect::<Vec<_>>(),
                vec![&DrillFinding::TagNotRestorable { item: 1 }],
                "{bad}"
            );
        }
    }

    #[test]
    fn too_few_shares_is_no_master_key() {
        let (sd, keys) = (sd(), keys());
        let r = drill(&sd, &[&keys[1], &keys[1]], false);
        assert_eq!(r.verdict, Verdict::NoMasterKey);
        assert_eq!(
            r.recovery,
            Err(RecoverError::NotEnoughShares { have: 1, need: 2 })
        );
        assert!(!r.every_quorum_agrees());
    }
}
