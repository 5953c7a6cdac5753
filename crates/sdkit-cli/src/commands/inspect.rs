//! `sdkit inspect`: everything that can be learned from an SD file without keys. Core judges
//! the file against the certificates given ([`InspectReport`]); this file renders it.

use super::{LoadedSd, load_sd};
use crate::cli::InspectArgs;
use crate::error::{CliError, Exit};
use crate::hygiene::{self, Warnings};
use crate::keys::{LoadedCert, load_cert};
use crate::render::ShowPath;
use crate::render::{Output, Report, date, validity_status, words};
use sdkit_core::domain::Finding;
use sdkit_core::inspect::{InspectFinding, InspectReport};
use sdkit_core::severity::Severity;
use serde_json::{Value, json};
use std::fmt::Write;

fn cert_json(c: &LoadedCert) -> Value {
    json!({
        "file": c.path.shown().to_string(),
        "subject": c.cert.subject(),
        "not_before": date(c.cert.not_before()),
        "not_after": date(c.cert.not_after()),
        "validity": validity_status(c.cert.not_before(), c.cert.not_after()),
        "key_bits": c.cert.key_bits(),
        "sha256_fingerprint": c.thumbprint().to_hex_fingerprint(),
        "fingerprint_words": words(c.thumbprint().as_bytes()),
    })
}

/// How a severity is named in text and JSON (docs/JSON.md: `problem` or `note`).
fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Problem => "problem",
        Severity::Note => "note",
    }
}

/// What `inspect` found.
struct InspectView<'a> {
    args: &'a InspectArgs,
    loaded: &'a LoadedSd,
    certs: &'a [LoadedCert],
    report: InspectReport,
    warnings: Warnings,
}

impl InspectView<'_> {
    /// The sentence for a finding.
    fn message(&self, f: &InspectFinding) -> String {
        let sd = &self.loaded.sd;
        match f {
            InspectFinding::File(f) => f.to_string(),
            InspectFinding::RogueShare { share } => format!(
                "share {} (x5t_256 {}) belongs to none of the {} certificates given: whoever holds that key, together with {} custodian(s), opens this HSM's security domain",
                share + 1,
                sd.shares()[*share].thumbprint,
                self.certs.len(),
                sd.quorum().required().saturating_sub(1)
            ),
            InspectFinding::CertificateWithoutShare { certificate } => {
                let c = &self.certs[*certificate];
                format!(
                    "certificate {} ({}) holds no share of this security domain",
                    c.path.shown(),
                    c.thumbprint()
                )
            }
        }
    }

    fn error(&self) -> Option<CliError> {
        let problems: Vec<String> = self.report.problems().map(|f| self.message(f)).collect();
        if problems.is_empty() {
            return None;
        }
        let mut message = format!(
            "{}: {} problem(s) found:",
            self.args.sd.shown(),
            problems.len()
        );
        for p in &problems {
            message.push_str("\n  ");
            message.push_str(p);
        }
        let hint = if self.report.has_rogue_shares() {
            "find out whose key the extra share is wrapped to; if nobody on the team knows, treat the security domain as exposed: download a new one with the team's certificates only"
        } else {
            "download the security domain again; if the problem stays, the file was not made by Azure as-is"
        };
        Some(
            CliError::new(Exit::CheckFailed, message)
                .hint(hint)
                .with(self),
        )
    }
}

impl Report for InspectView<'_> {
    fn text(&self) -> String {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let q = sd.quorum();
        let mut text = String::new();
        let _ = writeln!(text, "Security domain {}", self.args.sd.shown());
        let _ = writeln!(
            text,
            "  size {} bytes, SHA-256 {}",
            loaded.size, loaded.digest
        );
        let _ = writeln!(text, "  read aloud: {}", words(loaded.digest.as_bytes()));
        let _ = writeln!(
            text,
            "  format version {}, quorum {} of {} shares, {} data item(s)",
            sd.version().map_or("(none)".to_owned(), |v| v.to_string()),
            q.required(),
            q.total(),
            sd.items().len()
        );
        let _ = writeln!(text, "Shares:");
        for (i, (s, cert)) in sd
            .shares()
            .iter()
            .zip(&self.report.share_certificate)
            .enumerate()
        {
            let h = s.jwe.header();
            let _ = writeln!(
                text,
                "  [{}] x5t_256 {}  {} + {}, wrapped key {} bytes, kid {:?}",
                i + 1,
                s.thumbprint,
                h.alg,
                h.enc,
                s.jwe.encrypted_key().len(),
                h.kid.as_deref().unwrap_or("")
            );
            if let Some(c) = cert.and_then(|c| self.certs.get(c)) {
                let _ = writeln!(
                    text,
                    "      certificate {}: {}, valid {} to {} ({}), RSA-{}",
                    c.path.shown(),
                    crate::render::shown(&c.cert.subject()),
                    date(c.cert.not_before()),
                    date(c.cert.not_after()),
                    validity_status(c.cert.not_before(), c.cert.not_after()),
                    c.cert.key_bits().unwrap_or(0)
                );
                let _ = writeln!(
                    text,
                    "      SHA-256 fingerprint {} (read aloud: {})",
                    c.thumbprint().to_hex_fingerprint(),
                    words(c.thumbprint().as_bytes())
                );
            } else if !self.certs.is_empty() {
                let _ = writeln!(
                    text,
                    "      ROGUE: no given certificate matches this share (see findings)"
                );
            }
        }
        let _ = writeln!(text, "Data items:");
        for it in sd.items() {
            let h = it.jwe.header();
            let _ = writeln!(
                text,
                "  {:<28} {} + {}, {} bytes ciphertext, tag {} bytes",
                crate::render::shown(&it.tag),
                h.alg,
                h.enc,
                it.jwe.ciphertext_len(),
                it.jwe.tag_len()
            );
        }
        if !self.report.findings.is_empty() {
            let _ = writeln!(text, "Findings:");
            for f in &self.report.findings {
                let _ = writeln!(
                    text,
                    "  {}: {}",
                    severity_name(f.severity()),
                    self.message(f)
                );
            }
        }
        if self.report.problems().next().is_none() {
            let _ = writeln!(text, "OK: structure is sound");
        }
        text
    }

    fn json(&self) -> Value {
        let (loaded, sd) = (self.loaded, &self.loaded.sd);
        let q = sd.quorum();
        let shares: Vec<Value> = sd
            .shares()
            .iter()
            .zip(&self.report.share_certificate)
            .enumerate()
            .map(|(i, (s, cert))| {
                json!({
                    "share": i + 1,
                    "x5t_256": s.thumbprint.to_base64url(),
                    "header": s.jwe.header().json,
                    "wrapped_key_bytes": s.jwe.encrypted_key().len(),
                    "ciphertext_bytes": s.jwe.ciphertext_len(),
                    "tag_bytes": s.jwe.tag_len(),
                    "matched_certificate": cert.and_then(|c| self.certs.get(c)).map(cert_json),
                })
            })
            .collect();
        let items: Vec<Value> = sd
            .items()
            .iter()
            .map(|it| {
                json!({
                    "tag": it.tag,
                    "header": it.jwe.header().json,
                    "ciphertext_bytes": it.jwe.ciphertext_len(),
                    "tag_bytes": it.jwe.tag_len(),
                })
            })
            .collect();
        let findings: Vec<Value> = self
            .report
            .findings
            .iter()
            .map(|f| {
                json!({
                    "severity": severity_name(f.severity()),
                    "message": self.message(f),
                })
            })
            .collect();
        let rogue: Vec<Value> = self
            .report
            .findings
            .iter()
            .filter_map(|f| match f {
                InspectFinding::RogueShare { share } => Some(json!({
                    "share": share + 1,
                    "x5t_256": sd.shares()[*share].thumbprint.to_base64url(),
                })),
                _ => None,
            })
            .collect();
        let unmatched: Vec<Value> = self
            .report
            .findings
            .iter()
            .filter_map(|f| match f {
                InspectFinding::CertificateWithoutShare { certificate } => {
                    let c = &self.certs[*certificate];
                    Some(json!({
                        "file": c.path.shown().to_string(),
                        "x5t_256": c.thumbprint().to_base64url(),
                    }))
                }
                _ => None,
            })
            .collect();
        json!({
            "command": "inspect",
            "file": self.args.sd.shown().to_string(),
            "sha256": loaded.digest,
            "sha256_words": words(loaded.digest.as_bytes()),
            "size": loaded.size,
            "warnings": self.warnings.json(),
            "version": sd.version(),
            "required": q.required(),
            "shares_total": q.total(),
            "within_managed_hsm_limits": q.within_managed_hsm_limits(),
            "shares": shares,
            "items": items,
            "findings": findings,
            "rogue_shares": rogue,
            "unmatched_certificates": unmatched,
        })
    }
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs, out: Output) -> Result<Exit, CliError> {
    let loaded = load_sd(&args.sd)?;
    let certs = args
        .certs
        .iter()
        .map(|p| load_cert(p))
        .collect::<Result<Vec<_>, _>>()?;
    let team: Vec<_> = certs.iter().map(|c| c.thumbprint()).collect();
    let report = InspectReport::new(&loaded.sd, &team);
    // Hygiene: the quorum itself (unless a finding already says it is outside Managed HSM's
    // limits), and every certificate given, matched or not.
    let mut warnings = Warnings::default();
    warnings.extend(hygiene::quorum(loaded.sd.quorum()).into_iter().filter(|w| {
        w.code != "outside_managed_hsm_limits"
            || !loaded
                .sd
                .findings()
                .contains(&Finding::OutsideManagedHsmLimits)
    }));
    for c in &certs {
        warnings.extend(hygiene::certificate(c));
    }
    warnings.print();
    let view = InspectView {
        args,
        loaded: &loaded,
        certs: &certs,
        report,
        warnings,
    };
    if let Some(e) = view.error() {
        return Err(e);
    }
    out.report(&view);
    Ok(Exit::Ok)
}
