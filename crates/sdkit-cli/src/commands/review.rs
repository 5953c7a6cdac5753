//! `sdkit review`: the quarterly review. Core judges ([`ReviewReport`], as of now); this file
//! reads the files, says each finding in words with what to do, and fails the run (exit 1,
//! findings still printed) when one is at or above `--fail-on`.

mod page;

use super::custody::{self, Register};
use super::ledger;
use super::{LoadedSd, load_sd};
use crate::chain_file::Log;
use crate::cli::{FailOn, ReviewArgs};
use crate::error::{CliError, Exit};
use crate::io;
use crate::keys::{LoadedCert, load_cert};
use crate::render::ShowPath;
use crate::render::{Output, Report, date, rfc3339, words};
use sdkit_core::custody::Holding;
use sdkit_core::inspect::InspectFinding;
use sdkit_core::review::{
    CertificateFacts, DrillSeen, LedgerFacts, Level, Proof, RECOMMENDED_BITS, ReviewFinding,
    ReviewInput, ReviewReport,
};
use sdkit_core::{Thumbprint, utc};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

impl From<FailOn> for Level {
    fn from(f: FailOn) -> Level {
        match f {
            FailOn::Note => Level::Note,
            FailOn::Warning => Level::Warning,
            FailOn::Error => Level::Error,
        }
    }
}

/// How a level is named in text and JSON (docs/JSON.md).
pub fn level_name(l: Level) -> &'static str {
    match l {
        Level::Note => "note",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

/// The ledger's drills and checks as the review reads them: every share a drill or a check
/// recorded as good
/// (`status: ok`), with the drill's time and SD hash. A record whose time cannot be read
/// fails the review: a date is what the review judges.
fn ledger_facts(path: &Path, log: &Log) -> Result<LedgerFacts, CliError> {
    let mut facts = LedgerFacts::default();
    for (i, r) in log.records.iter().enumerate() {
        let bad = |what: &str| {
            CliError::new(
                Exit::CheckFailed,
                format!("{}: record {} has no readable {what}", path.shown(), i + 1),
            )
        };
        let time = r
            .get("time")
            .and_then(Value::as_str)
            .and_then(utc::parse)
            .ok_or_else(|| bad("time"))?;
        let sd_sha256 = r
            .get("sd_sha256")
            .and_then(Value::as_str)
            .and_then(|s| sdkit_core::digest::Sha256Digest::from_hex(s).ok())
            .ok_or_else(|| bad("sd_sha256"))?;
        // A custodian's check proves their key (below) but is not a drill of the file.
        if !ledger::is_check(r) {
            facts.drills.push(DrillSeen {
                time,
                sd_sha256,
                passed: r.get("result").and_then(Value::as_str) == Some("passed"),
            });
        }
        let shares = r
            .get("shares")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for s in shares.filter(|s| s.get("status").and_then(Value::as_str) == Some("ok")) {
            let x5t_256 = s
                .get("x5t_256")
                .and_then(Value::as_str)
                .and_then(|t| Thumbprint::parse(t).ok())
                .ok_or_else(|| bad("x5t_256"))?;
            facts.proofs.push(Proof {
                time,
                sd_sha256,
                x5t_256,
                by_check: ledger::is_check(r),
            });
        }
    }
    Ok(facts)
}

/// A ledger or register given, and its head.
struct LogSeen {
    file: PathBuf,
    head: sdkit_core::digest::Sha256Digest,
    records: usize,
}

impl LogSeen {
    fn new(file: &Path, log: &Log) -> LogSeen {
        LogSeen {
            file: file.to_owned(),
            head: log.head,
            records: log.records.len(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "file": self.file.shown().to_string(),
            "records": self.records,
            "head": self.head,
            "head_words": words(self.head.as_bytes()),
        })
    }
}

/// What `review` found.
pub struct ReviewView<'a> {
    args: &'a ReviewArgs,
    loaded: &'a LoadedSd,
    certs: &'a [LoadedCert],
    ledger: Option<LogSeen>,
    register: Option<LogSeen>,
    now: SystemTime,
    /// The judgement.
    pub report: ReviewReport,
    /// The printed page, once written.
    html: Option<PathBuf>,
}

impl ReviewView<'_> {
    /// "share 2 (CN=SD Key 2, sd2.cer)", or by thumbprint when no certificate matched.
    fn custodian(&self, share: usize) -> String {
        let s = &self.report.shares[share];
        match s.certificate.and_then(|c| self.certs.get(c)) {
            Some(c) => format!(
                "share {} ({}, {})",
                share + 1,
                crate::render::shown(&c.cert.subject()),
                c.path.shown()
            ),
            None => format!(
                "share {} (x5t_256 {})",
                share + 1,
                self.loaded.sd.shares()[share].thumbprint
            ),
        }
    }

    fn cert_of(&self, share: usize) -> Option<&LoadedCert> {
        self.report.shares[share]
            .certificate
            .and_then(|c| self.certs.get(c))
    }

    fn sd(&self) -> String {
        self.args.sd.shown().to_string()
    }

    fn ledger_name(&self) -> String {
        self.args
            .ledger
            .as_ref()
            .map_or("LEDGER".to_owned(), |l| l.shown().to_string())
    }

    fn register_name(&self) -> String {
        self.args
            .register
            .as_ref()
            .map_or("REGISTER".to_owned(), |l| l.shown().to_string())
    }

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

    fn gone(&self) -> usize {
        self.report
            .findings
            .iter()
            .filter(|f| matches!(f, ReviewFinding::KeyGone { .. }))
            .count()
    }

    /// "any 2 of 3 custodians open it; losing 2 keys loses the HSM (1 can be lost)".
    pub fn quorum_words(&self) -> String {
        let q = self.loaded.sd.quorum();
        let (m, n) = (q.required(), q.total());
        let fatal = n - m + 1;
        if m == n {
            format!("all {n} custodians are needed to open it; losing 1 key loses the HSM")
        } else {
            format!(
                "any {m} of {n} custodians open it; losing {fatal} keys loses the HSM ({} can be lost)",
                n - m
            )
        }
    }

    fn limits_words(&self) -> String {
        let q = self.loaded.sd.quorum();
        format!(
            "Azure Managed HSM takes 3 to 10 certificates and a quorum of 2 to their number: {}",
            if q.within_managed_hsm_limits() {
                "within limits"
            } else {
                "OUTSIDE them (az restore-blob accepts a quorum of 2 to 10 only)"
            }
        )
    }

    fn failing(&self) -> Vec<&ReviewFinding> {
        self.report.at_or_above(self.args.fail_on.into()).collect()
    }

    fn error(&self) -> Option<CliError> {
        let failing = self.failing();
        let first = failing.first()?;
        let fail_on = level_name(self.args.fail_on.into());
        Some(
            CliError::new(
                Exit::CheckFailed,
                format!(
                    "review of {}: {} finding(s) at or above {fail_on}; the most serious: {}",
                    self.sd(),
                    failing.len(),
                    self.words_for(first).0
                ),
            )
            .hint(format!(
                "act on the findings above, most serious first; --fail-on error fails only on errors, --fail-on note on anything (now {fail_on})"
            ))
            .with(self),
        )
    }

    /// When share `i`'s key was last proven, in words.
    fn proven_words(&self, i: usize) -> String {
        match (&self.ledger, &self.report.shares[i].last_proof) {
            (None, _) => "not known (no ledger)".to_owned(),
            (Some(_), None) => "never, in this ledger".to_owned(),
            (Some(_), Some(p)) => format!(
                "{} ({} days ago), by a {} of {}",
                date(p.time),
                p.days_ago,
                if p.by_check { "check" } else { "drill" },
                if p.sd_sha256 == self.loaded.digest {
                    "this file".to_owned()
                } else {
                    format!("another SD file ({})", &p.sd_sha256.to_hex()[..16])
                }
            ),
        }
    }

    /// Who holds share `i`'s key, in words.
    fn held_words(&self, i: usize) -> String {
        let s = &self.report.shares[i];
        match &s.holders {
            None => "not known (no register)".to_owned(),
            Some(h) if h.is_empty() && s.destroyed > 0 => "nobody: every copy destroyed".to_owned(),
            Some(h) if h.is_empty() => "nobody recorded".to_owned(),
            Some(h) => h
                .iter()
                .map(Self::holding_words)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    fn holding_words(h: &Holding) -> String {
        format!(
            "{} ({}, {}) since {}",
            h.holder, h.medium, h.location, h.since
        )
    }
}

fn holding_json(h: &Holding) -> Value {
    json!({ "holder": h.holder, "medium": h.medium, "location": h.location, "since": h.since })
}

impl Report for ReviewView<'_> {
    fn text(&self) -> String {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Quarterly review of {} as of {}",
            self.sd(),
            date(self.now)
        );
        let _ = writeln!(t, "  SHA-256 {}", loaded.digest);
        let _ = writeln!(t, "  read aloud: {}", words(loaded.digest.as_bytes()));
        let _ = writeln!(t, "  quorum: {}", self.quorum_words());
        let _ = writeln!(t, "  {}", self.limits_words());
        match &self.ledger {
            Some(l) => {
                let _ = writeln!(
                    t,
                    "  ledger {}: {} record(s), {} passed drill(s) of this file; head {} ({})",
                    l.file.shown(),
                    l.records,
                    self.report.passed_drills_of_this_sd.unwrap_or(0),
                    &l.head.to_hex()[..16],
                    words(l.head.as_bytes())
                );
            }
            None => {
                let _ = writeln!(t, "  ledger: none given");
            }
        }
        match &self.register {
            Some(r) => {
                let _ = writeln!(
                    t,
                    "  register {}: {} entries; head {} ({})",
                    r.file.shown(),
                    r.records,
                    &r.head.to_hex()[..16],
                    words(r.head.as_bytes())
                );
            }
            None => {
                let _ = writeln!(t, "  register: none given");
            }
        }
        let _ = writeln!(t, "Custodians:");
        for i in 0..self.report.shares.len() {
            let share = &sd.shares()[i];
            match self.cert_of(i) {
                Some(c) => {
                    let _ = writeln!(
                        t,
                        "  [{}] {} ({}), RSA-{}",
                        i + 1,
                        crate::render::shown(&c.cert.subject()),
                        c.path.shown(),
                        c.cert.key_bits().unwrap_or(0)
                    );
                    let _ = writeln!(t, "      x5t_256 {}", share.thumbprint);
                    let _ = writeln!(
                        t,
                        "      fingerprint read aloud: {}",
                        words(share.thumbprint.as_bytes())
                    );
                    let _ = writeln!(
                        t,
                        "      certificate valid {} to {}: {}",
                        date(c.cert.not_before()),
                        date(c.cert.not_after()),
                        validity(c, self.now)
                    );
                }
                None => {
                    let _ = writeln!(
                        t,
                        "  [{}] x5t_256 {} (no certificate given)",
                        i + 1,
                        share.thumbprint
                    );
                    let _ = writeln!(
                        t,
                        "      fingerprint read aloud: {}",
                        words(share.thumbprint.as_bytes())
                    );
                }
            }
            let _ = writeln!(t, "      last proven: {}", self.proven_words(i));
            let _ = writeln!(t, "      held by: {}", self.held_words(i));
        }
        if let Some(copies) = &self.report.sd_copies {
            let _ = writeln!(t, "Copies of this SD file:");
            if copies.is_empty() {
                let _ = writeln!(t, "  none recorded");
            }
            for h in copies {
                let _ = writeln!(t, "  {}", Self::holding_words(h));
            }
        }
        if self.report.findings.is_empty() {
            let _ = writeln!(t, "Findings: none");
        } else {
            let _ = writeln!(t, "Findings, most serious first:");
            for (i, f) in self.report.findings.iter().enumerate() {
                let (what, todo) = self.words_for(f);
                let _ = writeln!(t, "  {}. {}: {what}", i + 1, level_name(f.level()));
                let _ = writeln!(t, "     to do: {todo}");
            }
        }
        if let Some(p) = &self.html {
            let _ = writeln!(t, "Wrote {} (the printable review).", p.shown());
        }
        if self.failing().is_empty() {
            let _ = writeln!(
                t,
                "OK: no finding at or above {}",
                level_name(self.args.fail_on.into())
            );
        }
        t
    }

    fn json(&self) -> Value {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let q = sd.quorum();
        let shares: Vec<Value> = self
            .report
            .shares
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let tp = sd.shares()[i].thumbprint;
                json!({
                    "share": i + 1,
                    "x5t_256": tp.to_base64url(),
                    "fingerprint_words": words(tp.as_bytes()),
                    "certificate": self.cert_of(i).map(|c| json!({
                        "file": c.path.shown().to_string(),
                        "subject": c.cert.subject(),
                        "not_before": date(c.cert.not_before()),
                        "not_after": date(c.cert.not_after()),
                        "validity": validity(c, self.now),
                        "key_bits": c.cert.key_bits(),
                        "sha256_fingerprint": c.thumbprint().to_hex_fingerprint(),
                    })),
                    "last_proven": s.last_proof.as_ref().map(|p| json!({
                        "time": rfc3339(p.time),
                        "days_ago": p.days_ago,
                        "this_sd": p.sd_sha256 == loaded.digest,
                        "sd_sha256": p.sd_sha256,
                        "by": if p.by_check { "check" } else { "drill" },
                    })),
                    "last_proven_this_sd": s.last_proof_this_sd.map(rfc3339),
                    "holders": s.holders.as_ref().map(|h| h.iter().map(holding_json).collect::<Vec<_>>()),
                    "destroyed_copies": s.destroyed,
                })
            })
            .collect();
        let findings: Vec<Value> = self
            .report
            .findings
            .iter()
            .map(|f| {
                let (message, action) = self.words_for(f);
                json!({
                    "level": level_name(f.level()),
                    "code": f.code(),
                    "share": f.share().map(|s| s + 1),
                    "message": message,
                    "action": action,
                })
            })
            .collect();
        json!({
            "command": "review",
            "file": self.sd(),
            "sha256": loaded.digest,
            "sha256_words": words(loaded.digest.as_bytes()),
            "size": loaded.size,
            "as_of": rfc3339(self.now),
            "max_age_days": self.args.max_age,
            "fail_on": level_name(self.args.fail_on.into()),
            "required": q.required(),
            "shares_total": q.total(),
            "can_lose": self.report.can_lose,
            "quorum_words": self.quorum_words(),
            "within_managed_hsm_limits": q.within_managed_hsm_limits(),
            "ledger": self.ledger.as_ref().map(|l| {
                let mut v = l.json();
                v["passed_drills_of_this_sd"] = json!(self.report.passed_drills_of_this_sd);
                v
            }),
            "register": self.register.as_ref().map(LogSeen::json),
            "shares": shares,
            "sd_copies": self.report.sd_copies.as_ref().map(|c| c.iter().map(holding_json).collect::<Vec<_>>()),
            "findings": findings,
            "highest": self.report.highest().map(level_name),
            "html": self.html.as_ref().map(|p| p.shown().to_string()),
        })
    }
}

/// "valid", "expired", "not yet valid" or "expires in N days", as of `now`.
fn validity(c: &LoadedCert, now: SystemTime) -> String {
    if now < c.cert.not_before() {
        "not yet valid".to_owned()
    } else if now > c.cert.not_after() {
        "EXPIRED (Azure does not check this at restore)".to_owned()
    } else {
        let days = utc::days_between(now, c.cert.not_after());
        if days <= sdkit_core::review::EXPIRING_DAYS {
            format!("expires in {days} days")
        } else {
            "valid".to_owned()
        }
    }
}

/// Reads everything a review needs and judges it as of now.
pub fn review<'a>(
    args: &'a ReviewArgs,
    loaded: &'a LoadedSd,
    certs: &'a [LoadedCert],
) -> Result<ReviewView<'a>, CliError> {
    let now = SystemTime::now();
    let ledger = args
        .ledger
        .as_deref()
        .map(|p| ledger::load(p).map(|log| (p, log)))
        .transpose()?;
    let facts = ledger
        .as_ref()
        .map(|(p, log)| ledger_facts(p, log))
        .transpose()?;
    let register: Option<(&Path, Register)> = args
        .register
        .as_deref()
        .map(|p| custody::load(p).map(|r| (p, r)))
        .transpose()?;
    let cert_facts: Vec<CertificateFacts> = certs
        .iter()
        .map(|c| CertificateFacts {
            thumbprint: c.thumbprint(),
            not_before: c.cert.not_before(),
            not_after: c.cert.not_after(),
            key_bits: c.cert.key_bits(),
        })
        .collect();
    let report = ReviewReport::new(&ReviewInput {
        sd: &loaded.sd,
        sd_sha256: loaded.digest,
        certificates: &cert_facts,
        ledger: facts.as_ref(),
        custody: register.as_ref().map(|(_, r)| &r.custody),
        max_age_days: args.max_age,
        now,
    });
    Ok(ReviewView {
        args,
        loaded,
        certs,
        ledger: ledger.as_ref().map(|(p, log)| LogSeen::new(p, log)),
        register: register.as_ref().map(|(p, r)| LogSeen::new(p, &r.log)),
        now,
        report,
        html: None,
    })
}

/// Runs `review`.
pub fn run(args: &ReviewArgs, out: Output) -> Result<Exit, CliError> {
    let loaded = load_sd(&args.sd)?;
    let certs = args
        .certs
        .iter()
        .map(|p| load_cert(p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(html) = &args.html {
        let mut inputs: Vec<&Path> = vec![&args.sd];
        inputs.extend(args.ledger.as_deref());
        inputs.extend(args.register.as_deref());
        inputs.extend(args.certs.iter().map(PathBuf::as_path));
        io::refuse_input_as_output(html, &inputs, "review page")?;
        io::refuse_existing([html.as_path()], args.force)?;
    }
    let mut view = review(args, &loaded, &certs)?;
    // The page is written whether or not the review fails: a failing review is the one to
    // print and act on.
    if let Some(html) = &args.html {
        let page = page::render(&view, args.paper)
            .map_err(|e| CliError::new(Exit::Input, format!("the review page: {e}")))?;
        io::write_all_atomic(
            &[io::OutFile {
                path: html.clone(),
                bytes: page.as_bytes(),
                secret: false,
            }],
            args.force,
        )?;
        view.html = Some(html.clone());
    }
    if let Some(e) = view.error() {
        return Err(e);
    }
    out.report(&view);
    Ok(Exit::Ok)
}
