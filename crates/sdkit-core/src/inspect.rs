//! What an SD file shows without keys, judged: the file's own findings, and, when the
//! team's certificates are given, the shares outside the team and the certificates that hold
//! no share.
//!
//! When certificates are given they are the team. A share wrapped to none of them is
//! somebody else's way into the HSM: with `M - 1` custodians, whoever holds that key opens
//! the security domain. So it is a problem, as is a team member without a share.

use crate::domain::{Finding, SecurityDomain};
use crate::severity::Severity;
use crate::thumbprint::Thumbprint;

/// One thing `inspect` found. Shares and certificates are positions in the SD's
/// `enc_shares` and in the certificates given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectFinding {
    /// Something about the file itself.
    File(Finding),
    /// A share wrapped to none of the certificates given.
    RogueShare {
        /// Position of the share.
        share: usize,
    },
    /// A certificate given that holds no share of this SD.
    CertificateWithoutShare {
        /// Position of the certificate.
        certificate: usize,
    },
}

impl InspectFinding {
    /// Whether the finding fails the inspection.
    pub fn severity(&self) -> Severity {
        match self {
            InspectFinding::File(f) => f.severity(),
            InspectFinding::RogueShare { .. } | InspectFinding::CertificateWithoutShare { .. } => {
                Severity::Problem
            }
        }
    }
}

impl Finding {
    /// Whether the finding means the file will not open as it is (a problem) or is only
    /// worth knowing (a note).
    pub fn severity(&self) -> Severity {
        match self {
            Finding::BadTagLength { .. } | Finding::TagNotSafeFileName { .. } => Severity::Problem,
            _ => Severity::Note,
        }
    }
}

/// An SD judged against the team's certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectReport {
    /// For each share, the position of the certificate given that it is wrapped to.
    pub share_certificate: Vec<Option<usize>>,
    /// Problems first, then notes; each group in the order: the file's own findings, rogue
    /// shares, certificates without a share.
    pub findings: Vec<InspectFinding>,
}

impl InspectReport {
    /// Judges `sd` against `team`, the thumbprints of the certificates given (none: only the
    /// file's own findings).
    pub fn new(sd: &SecurityDomain, team: &[Thumbprint]) -> Self {
        let share_certificate: Vec<Option<usize>> = sd
            .shares()
            .iter()
            .map(|s| team.iter().position(|t| *t == s.thumbprint))
            .collect();
        let mut findings: Vec<InspectFinding> = sd
            .findings()
            .iter()
            .cloned()
            .map(InspectFinding::File)
            .collect();
        if !team.is_empty() {
            findings.extend(
                share_certificate
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_none())
                    .map(|(share, _)| InspectFinding::RogueShare { share }),
            );
        }
        findings.extend(
            (0..team.len())
                .filter(|c| !share_certificate.contains(&Some(*c)))
                .map(|certificate| InspectFinding::CertificateWithoutShare { certificate }),
        );
        // Stable: problems first, each group in the order above.
        findings.sort_by_key(|f| f.severity() != Severity::Problem);
        InspectReport {
            share_certificate,
            findings,
        }
    }

    /// The findings that fail the inspection.
    pub fn problems(&self) -> impl Iterator<Item = &InspectFinding> + '_ {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Problem)
    }

    /// Whether a share is wrapped to none of the certificates given.
    pub fn has_rogue_shares(&self) -> bool {
        self.findings
            .iter()
            .any(|f| matches!(f, InspectFinding::RogueShare { .. }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64ct::Encoding;

    fn sd() -> SecurityDomain {
        SecurityDomain::parse(include_bytes!(
            "../../../test-vectors/azure-sd/sd-2023-11-07_15e0e830.json"
        ))
        .unwrap()
    }

    fn cert(pem: &str) -> Thumbprint {
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64ct::Base64::decode_vec(&b64).unwrap();
        Thumbprint::of_certificate_der(&der)
    }

    #[test]
    fn the_whole_team_matches_every_share() {
        let sd = sd();
        let team = [
            cert(include_str!("../../../test-vectors/azure-sd/sd1.cer")),
            cert(include_str!("../../../test-vectors/azure-sd/sd2.cer")),
            cert(include_str!("../../../test-vectors/azure-sd/sd3.cer")),
        ];
        let r = InspectReport::new(&sd, &team);
        assert_eq!(r.share_certificate, vec![Some(0), Some(1), Some(2)]);
        assert_eq!(r.problems().count(), 0);
        // Without certificates, nothing is judged against a team.
        let alone = InspectReport::new(&sd, &[]);
        assert_eq!(alone.share_certificate, vec![None, None, None]);
        assert_eq!(alone.problems().count(), 0);
    }

    #[test]
    fn shares_outside_the_team_and_certificates_without_a_share_are_problems() {
        let sd = sd();
        let stranger = Thumbprint::of_certificate_der(b"somebody else's certificate");
        let team = [
            cert(include_str!("../../../test-vectors/azure-sd/sd2.cer")),
            stranger,
        ];
        let r = InspectReport::new(&sd, &team);
        assert_eq!(r.share_certificate, vec![None, Some(0), None]);
        assert!(r.has_rogue_shares());
        assert_eq!(
            r.problems().collect::<Vec<_>>(),
            vec![
                &InspectFinding::RogueShare { share: 0 },
                &InspectFinding::RogueShare { share: 2 },
                &InspectFinding::CertificateWithoutShare { certificate: 1 },
            ]
        );
    }
}
