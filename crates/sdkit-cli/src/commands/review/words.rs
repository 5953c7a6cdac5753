//! Each review finding in words, with what to do about it.

use super::*;

impl ReviewView<'_> {
    /// What the finding says, and what to do about it.
    pub fn words_for(&self, f: &ReviewFinding) -> (String, String) {
        let sd = &self.loaded.sd;
        let q = sd.quorum();
        let (m, n) = (q.required(), q.total());
        let drill = format!(
            "have the custodian check their key, `sdkit check {} --key KEY --record {}`, or run a drill with this key among the keys: `sdkit drill {} --key ... --ledger {}`",
            self.sd(),
            self.ledger_name(),
            self.sd(),
            self.ledger_name()
        );
        match f {
            ReviewFinding::QuorumLost { keys_left } => (
                format!("only {keys_left} of the {n} keys are left, fewer than the quorum of {m}: this security domain can no longer be opened"),
                "if the HSM still runs, download a new security domain to new custodians' certificates now (`az keyvault security-domain download`), and keep the HSM running until that is done".to_owned(),
            ),
            ReviewFinding::KeyGone { share } => (
                format!("{}: the register records every copy of this key destroyed: the share is lost", self.custodian(*share)),
                match (self.report.can_lose + 1).checked_sub(self.gone()) {
                    Some(left) if left > 0 => format!("rotate custodians while a quorum is left (`sdkit reshare`, docs/CEREMONY.md \"Rotating custodians\"): {left} more lost key(s) lose the HSM"),
                    _ => "no quorum is left in this file: see the finding above".to_owned(),
                },
            ),
            ReviewFinding::Inspect(InspectFinding::File(f)) => (
                f.to_string(),
                "download the security domain again; if this stays, the file was not made by Azure as-is".to_owned(),
            ),
            ReviewFinding::Inspect(InspectFinding::RogueShare { share }) => (
                format!(
                    "share {} (x5t_256 {}) belongs to none of the {} certificates given: whoever holds that key, together with {} custodian(s), opens this HSM's security domain",
                    share + 1,
                    sd.shares()[*share].thumbprint,
                    self.certs.len(),
                    m.saturating_sub(1)
                ),
                "find out whose key it is; if nobody on the team knows, treat the security domain as exposed: download a new one to the team's certificates only".to_owned(),
            ),
            ReviewFinding::Inspect(InspectFinding::CertificateWithoutShare { certificate }) => {
                let c = &self.certs[*certificate];
                (
                    format!("certificate {} ({}) holds no share of this security domain", c.path.shown(), crate::render::shown(&c.cert.subject())),
                    "check that it is a current custodian's certificate; a former custodian's belongs to an older security domain".to_owned(),
                )
            }
            ReviewFinding::NoLedger => (
                "no ledger given: nothing shows that any custodian's key still opens its share".to_owned(),
                format!("record drills with `sdkit drill {} --key ... --ledger FILE` and review with --ledger FILE", self.sd()),
            ),
            ReviewFinding::NeverProven { share } => (
                format!("{}: no drill or check in the ledger opened this key's share", self.custodian(*share)),
                drill,
            ),
            ReviewFinding::NotProvenRecently { share, days } => {
                let when = self.report.shares[*share]
                    .last_proof
                    .as_ref()
                    .map_or(String::new(), |p| format!(" ({})", date(p.time)));
                (
                    format!(
                        "{}: last proven {days} days ago{when}, more than the {} days allowed",
                        self.custodian(*share),
                        self.args.max_age
                    ),
                    drill,
                )
            }
            ReviewFinding::SdNeverDrilled => (
                format!(
                    "no passed drill of this SD file (SHA-256 {}) is in the ledger: it is not proven to restore",
                    &self.loaded.digest.to_hex()[..16]
                ),
                format!("run `sdkit drill {} --key ... --ledger {}` with a quorum of keys", self.sd(), self.ledger_name()),
            ),
            ReviewFinding::NoSpareCustodian => (
                format!("quorum {m} of {n}: every custodian is needed, so losing any one key loses the HSM"),
                "rotate to more custodians than the quorum (`sdkit reshare ... --quorum M` with more certificates than M)".to_owned(),
            ),
            ReviewFinding::NoHolder { share } => (
                format!("{}: the register names nobody holding this key", self.custodian(*share)),
                format!(
                    "record who holds it: `sdkit custody record --register {} {} --holder NAME --medium TEXT --location TEXT`",
                    self.register_name(),
                    self.cert_of(*share).map_or_else(
                        || format!("--x5t-256={}", sd.shares()[*share].thumbprint),
                        |c| format!("--cert {}", c.path.shown())
                    )
                ),
            ),
            ReviewFinding::CertificateExpired { share } => (
                format!(
                    "{}: the certificate expired on {} (Azure does not check this at restore: a policy matter)",
                    self.custodian(*share),
                    self.cert_of(*share).map_or(String::new(), |c| date(c.cert.not_after()))
                ),
                "rotate to new certificates at the next ceremony (`sdkit keygen`, then `sdkit reshare`); until then the key still restores".to_owned(),
            ),
            ReviewFinding::ProvenOnOtherSdOnly { share } => {
                let other = self.report.shares[*share]
                    .last_proof
                    .as_ref()
                    .map_or(String::new(), |p| p.sd_sha256.to_hex()[..16].to_owned());
                (
                    format!("{}: the key was last proven on another SD file (SHA-256 {other}), never on this one: it still holds the key, but this file's share is unproven", self.custodian(*share)),
                    format!("include this key in a drill of {}", self.sd()),
                )
            }
            ReviewFinding::CertificateExpiring { share, days } => (
                format!(
                    "{}: the certificate expires in {days} days ({})",
                    self.custodian(*share),
                    self.cert_of(*share).map_or(String::new(), |c| date(c.cert.not_after()))
                ),
                "plan a rotation (`sdkit keygen`, `sdkit reshare`); Azure does not check validity at restore".to_owned(),
            ),
            ReviewFinding::CertificateNotYetValid { share } => (
                format!("{}: the certificate is not valid yet", self.custodian(*share)),
                "check this computer's clock, and where the certificate came from".to_owned(),
            ),
            ReviewFinding::KeySmall { share, bits } => (
                format!("{}: RSA-{bits}; {RECOMMENDED_BITS} bits or more is recommended for keys that protect an HSM for years", self.custodian(*share)),
                format!("generate {RECOMMENDED_BITS}-bit keys or larger at the next rotation (`sdkit keygen --bits {RECOMMENDED_BITS}`)"),
            ),
            ReviewFinding::NoCertificates => (
                "no certificates given: custodians are known only by thumbprint, and their certificates are not reviewed".to_owned(),
                "give each custodian's certificate with --cert".to_owned(),
            ),
            ReviewFinding::NoRegister => (
                "no custody register given: who holds each key is not reviewed".to_owned(),
                "keep one with `sdkit custody record ...` and review with --register FILE".to_owned(),
            ),
            ReviewFinding::SdCopyNotRecorded => (
                "the register records no held copy of this SD file".to_owned(),
                format!(
                    "record where its copies are: `sdkit custody record --register {} --sd {} --holder NAME --medium TEXT --location TEXT`",
                    self.register_name(),
                    self.sd()
                ),
            ),
            ReviewFinding::OtherSdCopiesHeld { copies } => (
                format!("the register lists {copies} held copy(ies) of other SD files: an older security domain of this HSM still opens it with its old keys"),
                format!("after a rotation, destroy the old copies and record it: `sdkit custody destroy --register {} --sd-sha256 HEX --holder NAME --witness NAME`", self.register_name()),
            ),
            ReviewFinding::OtherKeysHeld { keys } => (
                format!("the register lists {keys} held key(s) that hold no share of this SD (former custodians'?): they still open older copies"),
                format!("once no older copy is needed, destroy them and record it: `sdkit custody destroy --register {} --x5t-256 THUMBPRINT --holder NAME --witness NAME`", self.register_name()),
            ),
        }
    }
}
