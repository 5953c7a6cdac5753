//! The quarterly review, judged: for each share, its custodian's certificate, when a drill
//! last proved the custodian's key, and who holds it now; for the SD, the quorum and what
//! losing keys would cost. Every finding has a [`Level`] and a place in one ranking, decided
//! here so the text, JSON and printed page agree. No private key is involved.
//!
//! **Which proofs count.** A ledger entry proves that the key of certificate `x5t_256`
//! opened a good share (authentic, on the polynomial) of the SD file whose SHA-256 it names.
//! For "is this custodian's key still there and working" a drill of any SD file counts: the
//! same certificate means the same key, and that key unwraps this file's share the same way.
//! It does not prove this file's share, nor that this file restores, so a key proven only on
//! another file is a note, and an SD with no passed drill of its own is a warning.
//!
//! The clock is an input ([`ReviewInput::now`]): the judgement of the same files as of the
//! same day is the same on every machine, and tests need no fake clock.

use crate::custody::{Custody, Holding, Item};
use crate::digest::Sha256Digest;
use crate::domain::SecurityDomain;
use crate::inspect::{InspectFinding, InspectReport};
use crate::severity::Severity;
use crate::thumbprint::Thumbprint;
use crate::utc;
use std::cmp::Reverse;
use std::time::SystemTime;

/// Certificates expiring within this many days are noted.
pub const EXPIRING_DAYS: u64 = 90;
/// Keys below this size are noted (NIST SP 800-57: 3072-bit RSA for 128-bit security).
pub const RECOMMENDED_BITS: usize = 3072;
/// The default for "not proven recently": a quarter.
pub const DEFAULT_MAX_AGE_DAYS: u64 = 90;

/// How much a review finding matters, lowest first (`--fail-on` compares against it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth knowing; nothing to do before the next review.
    Note,
    /// Custody is drifting: act before the next review.
    Warning,
    /// The HSM's recovery is at risk now, or the file is not what it should be.
    Error,
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Level {
        match s {
            Severity::Problem => Level::Error,
            Severity::Note => Level::Note,
        }
    }
}

/// What the review needs to know about a certificate given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Its SHA-256 thumbprint.
    pub thumbprint: Thumbprint,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// RSA modulus size, if RSA.
    pub key_bits: Option<usize>,
}

/// One share a ledger recorded as opened and good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// When the drill (or the custodian's `check --record`) ran.
    pub time: SystemTime,
    /// The SD file drilled.
    pub sd_sha256: Sha256Digest,
    /// The certificate the share was wrapped to.
    pub x5t_256: Thumbprint,
    /// Whether a custodian's own `check --record` proved it (else a drill did).
    pub by_check: bool,
}

/// A drill the ledger recorded, for "has this file ever passed one".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillSeen {
    /// When.
    pub time: SystemTime,
    /// The SD file drilled.
    pub sd_sha256: Sha256Digest,
    /// Whether it passed.
    pub passed: bool,
}

/// What the ledger holds, as the review reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFacts {
    /// Every drill.
    pub drills: Vec<DrillSeen>,
    /// Every good share of every drill.
    pub proofs: Vec<Proof>,
}

/// Everything a review judges.
pub struct ReviewInput<'a> {
    /// The SD.
    pub sd: &'a SecurityDomain,
    /// Its file's SHA-256.
    pub sd_sha256: Sha256Digest,
    /// The certificates given, in order (none: custodians are known only by thumbprint).
    pub certificates: &'a [CertificateFacts],
    /// The ledger's drills, if a ledger was given.
    pub ledger: Option<&'a LedgerFacts>,
    /// Who holds what, if a register was given.
    pub custody: Option<&'a Custody>,
    /// Older proofs than this are "not recent".
    pub max_age_days: u64,
    /// As of when.
    pub now: SystemTime,
}

/// The newest proof of a share's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastProof {
    /// When.
    pub time: SystemTime,
    /// Whole days before the review.
    pub days_ago: u64,
    /// The SD file it was drilled on.
    pub sd_sha256: Sha256Digest,
    /// Whether a custodian's own `check --record` proved it (else a drill did).
    pub by_check: bool,
}

/// One share, reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareReview {
    /// Position of the certificate given that the share is wrapped to.
    pub certificate: Option<usize>,
    /// The newest proof of its key on any SD file (`None` also without a ledger).
    pub last_proof: Option<LastProof>,
    /// The newest proof on this very file.
    pub last_proof_this_sd: Option<SystemTime>,
    /// Who holds its key now (`None` without a register).
    pub holders: Option<Vec<Holding>>,
    /// How many copies of its key the register records as destroyed.
    pub destroyed: usize,
}

/// One thing the review found. Shares and certificates are positions in the SD's
/// `enc_shares` and in the certificates given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewFinding {
    /// More keys are gone (destroyed, none held) than the quorum can spare: this file can no
    /// longer be opened.
    QuorumLost {
        /// Keys still held or not known to be gone.
        keys_left: usize,
    },
    /// The register records every copy of this share's key destroyed.
    KeyGone {
        /// The share.
        share: usize,
    },
    /// What `inspect` finds (the file's own findings, shares outside the team, certificates
    /// without a share).
    Inspect(InspectFinding),
    /// No ledger was given: nothing shows any key still works.
    NoLedger,
    /// The ledger has no drill that opened this share's key.
    NeverProven {
        /// The share.
        share: usize,
    },
    /// The newest proof of this share's key is older than the maximum age.
    NotProvenRecently {
        /// The share.
        share: usize,
        /// Its age in days.
        days: u64,
    },
    /// The ledger has no passed drill of this SD file.
    SdNeverDrilled,
    /// M = N: losing any one key loses the security domain.
    NoSpareCustodian,
    /// The register names nobody holding this share's key.
    NoHolder {
        /// The share.
        share: usize,
    },
    /// The custodian's certificate has expired (Azure still uses it; a policy matter).
    CertificateExpired {
        /// The share.
        share: usize,
    },
    /// This share's key was last proven on another SD file only.
    ProvenOnOtherSdOnly {
        /// The share.
        share: usize,
    },
    /// The custodian's certificate expires soon.
    CertificateExpiring {
        /// The share.
        share: usize,
        /// Days left.
        days: u64,
    },
    /// The custodian's certificate is not valid yet (a clock, or a certificate from the
    /// future).
    CertificateNotYetValid {
        /// The share.
        share: usize,
    },
    /// The custodian's key is smaller than recommended.
    KeySmall {
        /// The share.
        share: usize,
        /// Its size.
        bits: usize,
    },
    /// No certificates were given: custodians are known only by thumbprint.
    NoCertificates,
    /// No register was given: who holds each key is not known to this review.
    NoRegister,
    /// The register records no held copy of this SD file.
    SdCopyNotRecorded,
    /// The register lists held copies of other SD files (older security domains of this HSM
    /// still open it with their old keys).
    OtherSdCopiesHeld {
        /// How many copies.
        copies: usize,
    },
    /// The register lists held keys that hold no share of this SD (former custodians').
    OtherKeysHeld {
        /// How many keys.
        keys: usize,
    },
}

impl ReviewFinding {
    /// How much it matters.
    pub fn level(&self) -> Level {
        use ReviewFinding as F;
        match self {
            F::QuorumLost { .. } | F::KeyGone { .. } => Level::Error,
            F::Inspect(f) => f.severity().into(),
            F::NoLedger
            | F::NeverProven { .. }
            | F::NotProvenRecently { .. }
            | F::SdNeverDrilled
            | F::NoSpareCustodian
            | F::NoHolder { .. }
            | F::CertificateExpired { .. } => Level::Warning,
            F::ProvenOnOtherSdOnly { .. }
            | F::CertificateExpiring { .. }
            | F::CertificateNotYetValid { .. }
            | F::KeySmall { .. }
            | F::NoCertificates
            | F::NoRegister
            | F::SdCopyNotRecorded
            | F::OtherSdCopiesHeld { .. }
            | F::OtherKeysHeld { .. } => Level::Note,
        }
    }

    /// A stable name for scripts (docs/JSON.md).
    pub fn code(&self) -> &'static str {
        use ReviewFinding as F;
        match self {
            F::QuorumLost { .. } => "quorum_lost",
            F::KeyGone { .. } => "key_gone",
            F::Inspect(InspectFinding::File(_)) => "file",
            F::Inspect(InspectFinding::RogueShare { .. }) => "rogue_share",
            F::Inspect(InspectFinding::CertificateWithoutShare { .. }) => {
                "certificate_without_share"
            }
            F::NoLedger => "no_ledger",
            F::NeverProven { .. } => "never_proven",
            F::NotProvenRecently { .. } => "not_proven_recently",
            F::SdNeverDrilled => "sd_never_drilled",
            F::NoSpareCustodian => "no_spare_custodian",
            F::NoHolder { .. } => "no_holder",
            F::CertificateExpired { .. } => "certificate_expired",
            F::ProvenOnOtherSdOnly { .. } => "proven_on_other_sd_only",
            F::CertificateExpiring { .. } => "certificate_expiring",
            F::CertificateNotYetValid { .. } => "certificate_not_yet_valid",
            F::KeySmall { .. } => "key_size_small",
            F::NoCertificates => "no_certificates",
            F::NoRegister => "no_register",
            F::SdCopyNotRecorded => "sd_copy_not_recorded",
            F::OtherSdCopiesHeld { .. } => "other_sd_copies_held",
            F::OtherKeysHeld { .. } => "other_keys_held",
        }
    }

    /// The share it is about, if one.
    pub fn share(&self) -> Option<usize> {
        use ReviewFinding as F;
        match self {
            F::KeyGone { share }
            | F::NeverProven { share }
            | F::NotProvenRecently { share, .. }
            | F::NoHolder { share }
            | F::CertificateExpired { share }
            | F::ProvenOnOtherSdOnly { share }
            | F::CertificateExpiring { share, .. }
            | F::CertificateNotYetValid { share }
            | F::KeySmall { share, .. }
            | F::Inspect(InspectFinding::RogueShare { share }) => Some(*share),
            _ => None,
        }
    }
}

/// An SD reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewReport {
    /// One per share, in `enc_shares` order.
    pub shares: Vec<ShareReview>,
    /// Most serious first: by level, then in the order of [`ReviewFinding`]'s variants
    /// (risk to the recovery before evidence before paperwork), then by share.
    pub findings: Vec<ReviewFinding>,
    /// How many keys can be lost with the file still openable (N - M).
    pub can_lose: usize,
    /// Passed drills of this file in the ledger (`None` without a ledger).
    pub passed_drills_of_this_sd: Option<usize>,
    /// Held copies of this SD file (`None` without a register).
    pub sd_copies: Option<Vec<Holding>>,
}

impl ReviewReport {
    /// Reviews `input`.
    pub fn new(input: &ReviewInput<'_>) -> ReviewReport {
        let sd = input.sd;
        let q = sd.quorum();
        let team: Vec<Thumbprint> = input.certificates.iter().map(|c| c.thumbprint).collect();
        let inspect = InspectReport::new(sd, &team);
        let mut findings: Vec<ReviewFinding> = Vec::new();
        let mut shares = Vec::with_capacity(sd.shares().len());
        for (i, s) in sd.shares().iter().enumerate() {
            let proofs = input
                .ledger
                .map(|l| l.proofs.iter().filter(|p| p.x5t_256 == s.thumbprint))
                .into_iter()
                .flatten();
            let (mut newest, mut newest_here): (Option<&Proof>, Option<SystemTime>) = (None, None);
            for p in proofs {
                if newest.is_none_or(|n| p.time > n.time) {
                    newest = Some(p);
                }
                if p.sd_sha256 == input.sd_sha256 && newest_here.is_none_or(|t| p.time > t) {
                    newest_here = Some(p.time);
                }
            }
            let state = input
                .custody
                .and_then(|c| c.state(&Item::Key(s.thumbprint)));
            shares.push(ShareReview {
                certificate: inspect.share_certificate[i],
                last_proof: newest.map(|p| LastProof {
                    time: p.time,
                    days_ago: utc::days_between(p.time, input.now),
                    sd_sha256: p.sd_sha256,
                    by_check: p.by_check,
                }),
                last_proof_this_sd: newest_here,
                holders: input
                    .custody
                    .map(|_| state.map(|s| s.held.clone()).unwrap_or_default()),
                destroyed: state.map_or(0, |s| s.destroyed.len()),
            });
        }

        // The recovery itself.
        let gone: Vec<usize> = shares
            .iter()
            .enumerate()
            .filter(|(_, s)| s.destroyed > 0 && s.holders.as_ref().is_some_and(Vec::is_empty))
            .map(|(i, _)| i)
            .collect();
        let can_lose = q.total() - q.required();
        if gone.len() > can_lose {
            findings.push(ReviewFinding::QuorumLost {
                keys_left: q.total() - gone.len(),
            });
        }
        findings.extend(gone.iter().map(|&share| ReviewFinding::KeyGone { share }));
        findings.extend(inspect.findings.iter().cloned().map(ReviewFinding::Inspect));

        // Evidence that the keys still work.
        let passed_drills_of_this_sd = input.ledger.map(|l| {
            l.drills
                .iter()
                .filter(|d| d.passed && d.sd_sha256 == input.sd_sha256)
                .count()
        });
        match input.ledger {
            None => findings.push(ReviewFinding::NoLedger),
            Some(_) => {
                for (share, s) in shares.iter().enumerate() {
                    match &s.last_proof {
                        None => findings.push(ReviewFinding::NeverProven { share }),
                        Some(p) if p.days_ago > input.max_age_days => {
                            findings.push(ReviewFinding::NotProvenRecently {
                                share,
                                days: p.days_ago,
                            });
                        }
                        Some(_) => {}
                    }
                }
                if passed_drills_of_this_sd == Some(0) {
                    findings.push(ReviewFinding::SdNeverDrilled);
                }
            }
        }
        if q.required() == q.total() {
            findings.push(ReviewFinding::NoSpareCustodian);
        }
        if input.custody.is_some() {
            findings.extend(
                shares
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        s.destroyed == 0 && s.holders.as_ref().is_some_and(Vec::is_empty)
                    })
                    .map(|(share, _)| ReviewFinding::NoHolder { share }),
            );
        }

        // The custodians' certificates (policy: Azure checks none of this at restore).
        for (share, s) in shares.iter().enumerate() {
            let Some(c) = s.certificate.and_then(|c| input.certificates.get(c)) else {
                continue;
            };
            if input.now > c.not_after {
                findings.push(ReviewFinding::CertificateExpired { share });
            } else if c.not_after < input.now + utc::days(EXPIRING_DAYS) {
                findings.push(ReviewFinding::CertificateExpiring {
                    share,
                    days: utc::days_between(input.now, c.not_after),
                });
            }
            if input.now < c.not_before {
                findings.push(ReviewFinding::CertificateNotYetValid { share });
            }
            if let Some(bits) = c.key_bits.filter(|b| *b < RECOMMENDED_BITS) {
                findings.push(ReviewFinding::KeySmall { share, bits });
            }
        }
        for (share, s) in shares.iter().enumerate() {
            if s.last_proof.is_some() && s.last_proof_this_sd.is_none() {
                findings.push(ReviewFinding::ProvenOnOtherSdOnly { share });
            }
        }
        if input.certificates.is_empty() {
            findings.push(ReviewFinding::NoCertificates);
        }

        // The register's other items.
        let sd_copies = input.custody.map(|c| {
            c.state(&Item::SdCopy(input.sd_sha256))
                .map(|s| s.held.clone())
                .unwrap_or_default()
        });
        match input.custody {
            None => findings.push(ReviewFinding::NoRegister),
            Some(c) => {
                if sd_copies.as_ref().is_some_and(Vec::is_empty) {
                    findings.push(ReviewFinding::SdCopyNotRecorded);
                }
                let others = |key: bool| -> usize {
                    c.items
                        .iter()
                        .filter(|st| match st.item {
                            Item::SdCopy(d) => !key && d != input.sd_sha256,
                            Item::Key(t) => key && !sd.shares().iter().any(|s| s.thumbprint == t),
                        })
                        .map(|st| st.held.len())
                        .sum()
                };
                let (copies, keys) = (others(false), others(true));
                if copies > 0 {
                    findings.push(ReviewFinding::OtherSdCopiesHeld { copies });
                }
                if keys > 0 {
                    findings.push(ReviewFinding::OtherKeysHeld { keys });
                }
            }
        }

        // Stable: pushed in variant order within each level; then by level, then share.
        findings.sort_by_key(|f| Reverse(f.level()));
        ReviewReport {
            shares,
            findings,
            can_lose,
            passed_drills_of_this_sd,
            sd_copies,
        }
    }

    /// The most serious level found, if anything was found.
    pub fn highest(&self) -> Option<Level> {
        self.findings.iter().map(ReviewFinding::level).max()
    }

    /// The findings at or above `level`.
    pub fn at_or_above(&self, level: Level) -> impl Iterator<Item = &ReviewFinding> + '_ {
        self.findings.iter().filter(move |f| f.level() >= level)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::custody::{Entry, Event};
    use base64ct::Encoding;

    const SD: &[u8] = include_bytes!("../../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json");

    fn cert(pem: &str) -> Thumbprint {
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        Thumbprint::of_certificate_der(&base64ct::Base64::decode_vec(&b64).unwrap())
    }

    fn team() -> Vec<CertificateFacts> {
        [
            include_str!("../../../test-vectors/azure-sd/sd1.cer"),
            include_str!("../../../test-vectors/azure-sd/sd2.cer"),
            include_str!("../../../test-vectors/azure-sd/sd3.cer"),
        ]
        .iter()
        .map(|pem| CertificateFacts {
            thumbprint: cert(pem),
            not_before: utc::parse("2023-01-01").unwrap(),
            not_after: utc::parse("2030-01-01").unwrap(),
            key_bits: Some(3072),
        })
        .collect()
    }

    fn day(d: &str) -> SystemTime {
        utc::parse(d).unwrap()
    }

    fn drill(sd: &SecurityDomain, sha: Sha256Digest, when: &str, shares: &[usize]) -> LedgerFacts {
        LedgerFacts {
            drills: vec![DrillSeen {
                time: day(when),
                sd_sha256: sha,
                passed: true,
            }],
            proofs: shares
                .iter()
                .map(|&i| Proof {
                    time: day(when),
                    sd_sha256: sha,
                    x5t_256: sd.shares()[i].thumbprint,
                    by_check: false,
                })
                .collect(),
        }
    }

    fn codes(r: &ReviewReport) -> Vec<(&'static str, Option<usize>)> {
        r.findings.iter().map(|f| (f.code(), f.share())).collect()
    }

    #[test]
    fn a_stale_key_and_an_expired_certificate_are_ranked_warnings() {
        let sd = SecurityDomain::parse(SD).unwrap();
        let sha = Sha256Digest::of(SD);
        let mut certs = team();
        certs[0].not_after = day("2026-10-01");
        let mut ledger = drill(&sd, sha, "2026-08-07", &[0, 1, 2]);
        let recent = drill(&sd, sha, "2026-11-25", &[0, 1]);
        ledger.drills.extend(recent.drills);
        ledger.proofs.extend(recent.proofs);
        let r = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &certs,
            ledger: Some(&ledger),
            custody: None,
            max_age_days: 90,
            now: day("2026-12-05"),
        });
        assert_eq!(
            codes(&r),
            vec![
                ("not_proven_recently", Some(2)),
                ("certificate_expired", Some(0)),
                ("no_register", None),
            ]
        );
        assert_eq!(
            r.findings[0],
            ReviewFinding::NotProvenRecently {
                share: 2,
                days: 120
            }
        );
        assert_eq!(r.highest(), Some(Level::Warning));
        assert_eq!(r.at_or_above(Level::Error).count(), 0);
        assert_eq!(r.at_or_above(Level::Note).count(), 3);
        assert_eq!(r.can_lose, 1);
        assert_eq!(r.passed_drills_of_this_sd, Some(2));
        assert_eq!(r.shares[0].last_proof.as_ref().unwrap().days_ago, 10);
        // The same files four months earlier: nothing stale, the certificate only expiring.
        let earlier = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &certs,
            ledger: Some(&ledger),
            custody: None,
            max_age_days: 90,
            now: day("2026-08-08"),
        });
        assert_eq!(
            codes(&earlier),
            vec![("certificate_expiring", Some(0)), ("no_register", None)]
        );
    }

    #[test]
    fn proofs_on_another_file_count_for_the_key_but_not_for_the_file() {
        let sd = SecurityDomain::parse(SD).unwrap();
        let sha = Sha256Digest::of(SD);
        let other = Sha256Digest::of(b"an older SD wrapped to the same certificates");
        let ledger = drill(&sd, other, "2026-12-01", &[0, 1, 2]);
        let r = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &[],
            ledger: Some(&ledger),
            custody: None,
            max_age_days: 90,
            now: day("2026-12-05"),
        });
        assert_eq!(
            codes(&r),
            vec![
                ("sd_never_drilled", None),
                ("proven_on_other_sd_only", Some(0)),
                ("proven_on_other_sd_only", Some(1)),
                ("proven_on_other_sd_only", Some(2)),
                ("no_certificates", None),
                ("no_register", None),
            ]
        );
        // Without a ledger, one warning rather than one per share.
        let none = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &[],
            ledger: None,
            custody: None,
            max_age_days: 90,
            now: day("2026-12-05"),
        });
        assert_eq!(codes(&none)[0], ("no_ledger", None));
        assert!(none.shares.iter().all(|s| s.last_proof.is_none()));
    }

    #[test]
    fn the_register_says_who_holds_what_and_what_is_gone() {
        let sd = SecurityDomain::parse(SD).unwrap();
        let sha = Sha256Digest::of(SD);
        let key = |i: usize| Item::Key(sd.shares()[i].thumbprint);
        let e = |item, event| Entry {
            time: "2026-01-01T00:00:00Z".into(),
            when: None,
            item,
            label: None,
            event,
            note: None,
        };
        let rec = |who: &str| Event::Record {
            holder: who.into(),
            medium: "card".into(),
            location: "safe".into(),
            witness: None,
        };
        let destroy = |who: &str| Event::Destroy {
            holder: who.into(),
            witness: "W".into(),
            method: None,
        };
        let custody = Custody::replay(&[
            e(key(0), rec("Alice")),
            e(key(1), rec("Bob")),
            e(key(2), rec("Carol")),
            e(key(1), destroy("Bob")),
            e(key(2), destroy("Carol")),
            e(Item::SdCopy(sha), rec("Alice")),
            e(Item::SdCopy(Sha256Digest::of(b"old")), rec("Bob")),
            e(Item::Key(Thumbprint::from_bytes([9; 32])), rec("Eve")),
        ])
        .unwrap();
        let ledger = drill(&sd, sha, "2026-12-01", &[0, 1, 2]);
        let r = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &team(),
            ledger: Some(&ledger),
            custody: Some(&custody),
            max_age_days: 90,
            now: day("2026-12-05"),
        });
        assert_eq!(
            codes(&r),
            vec![
                ("quorum_lost", None),
                ("key_gone", Some(1)),
                ("key_gone", Some(2)),
                ("other_sd_copies_held", None),
                ("other_keys_held", None),
            ]
        );
        assert_eq!(r.shares[0].holders.as_ref().unwrap()[0].holder, "Alice");
        assert_eq!(r.sd_copies.as_ref().unwrap().len(), 1);
        assert_eq!(r.highest(), Some(Level::Error));
        // Nobody recorded for a key: a warning.
        let partial = Custody::replay(&[e(key(0), rec("Alice")), e(key(1), rec("Bob"))]).unwrap();
        let r = ReviewReport::new(&ReviewInput {
            sd: &sd,
            sd_sha256: sha,
            certificates: &team(),
            ledger: Some(&ledger),
            custody: Some(&partial),
            max_age_days: 90,
            now: day("2026-12-05"),
        });
        assert!(codes(&r).contains(&("no_holder", Some(2))));
        assert!(codes(&r).contains(&("sd_copy_not_recorded", None)));
    }
}
