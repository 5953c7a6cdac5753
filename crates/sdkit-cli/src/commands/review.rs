//! `sdkit review`: the quarterly review. Core judges ([`ReviewReport`], as of now); this file
//! reads the files, says each finding in words with what to do, and fails the run (exit 1,
//! findings still printed) when one is at or above `--fail-on`.

mod page;
mod report;
mod words;

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
