//! `sdkit inspect`: everything that can be learned from an SD file without keys.

use super::load_sd;
use crate::cli::InspectArgs;
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::keys::{LoadedCert, load_cert};
use crate::render::{Output, date, validity_status, words};
use sdkit_core::domain::Finding;
use serde_json::{Value, json};
use std::fmt::Write;

/// Findings that mean the file will not open as it is (the rest are notes).
fn is_problem(f: &Finding) -> bool {
    matches!(
        f,
        Finding::BadTagLength { .. } | Finding::TagNotSafeFileName { .. }
    )
}

fn cert_json(c: &LoadedCert) -> Value {
    json!({
        "file": c.path.display().to_string(),
        "subject": c.cert.subject(),
        "not_before": date(c.cert.not_before()),
        "not_after": date(c.cert.not_after()),
        "validity": validity_status(c.cert.not_before(), c.cert.not_after()),
        "key_bits": c.cert.key_bits(),
        "sha256_fingerprint": c.cert.thumbprint().to_hex_fingerprint(),
        "fingerprint_words": words(c.thumbprint.as_bytes()),
    })
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs, out: Output) -> Result<Exit, CliError> {
    let loaded = load_sd(&args.sd)?;
    let certs = args
        .certs
        .iter()
        .map(|p| load_cert(p))
        .collect::<Result<Vec<_>, _>>()?;
    let sd = &loaded.sd;
    let q = sd.quorum();
    let mut text = String::new();
    let _ = writeln!(text, "Security domain {}", args.sd.display());
    let _ = writeln!(
        text,
        "  size {} bytes, SHA-256 {}",
        loaded.size,
        loaded.sha256()
    );
    let _ = writeln!(text, "  read aloud: {}", words(&loaded.digest));
    let _ = writeln!(
        text,
        "  format version {}, quorum {} of {} shares, {} data item(s)",
        sd.version().map_or("(none)".to_owned(), |v| v.to_string()),
        q.required(),
        q.total(),
        sd.items().len()
    );

    let _ = writeln!(text, "Shares:");
    let mut shares_json = Vec::new();
    let mut used = vec![false; certs.len()];
    // Shares that belong to none of the certificates given: when certificates are given they
    // are the team, and a share outside it is somebody else's way into the HSM.
    let mut rogue: Vec<usize> = Vec::new();
    for (i, s) in sd.shares().iter().enumerate() {
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
        let matched = certs.iter().position(|c| c.thumbprint == s.thumbprint);
        if let Some(ci) = matched {
            used[ci] = true;
            let c = &certs[ci];
            let _ = writeln!(
                text,
                "      certificate {}: {}, valid {} to {} ({}), RSA-{}",
                c.path.display(),
                c.cert.subject(),
                date(c.cert.not_before()),
                date(c.cert.not_after()),
                validity_status(c.cert.not_before(), c.cert.not_after()),
                c.cert.key_bits().unwrap_or(0)
            );
            let _ = writeln!(
                text,
                "      SHA-256 fingerprint {} (read aloud: {})",
                c.cert.thumbprint().to_hex_fingerprint(),
                words(c.thumbprint.as_bytes())
            );
        } else if !certs.is_empty() {
            rogue.push(i);
            let _ = writeln!(
                text,
                "      ROGUE: no given certificate matches this share (see findings)"
            );
        }
        shares_json.push(json!({
            "share": i + 1,
            "x5t_256": s.thumbprint.to_base64url(),
            "header": h.json,
            "wrapped_key_bytes": s.jwe.encrypted_key().len(),
            "ciphertext_bytes": s.jwe.ciphertext_len(),
            "tag_bytes": s.jwe.tag_len(),
            "matched_certificate": matched.map(|ci| cert_json(&certs[ci])),
        }));
    }

    let _ = writeln!(text, "Data items:");
    let mut items_json = Vec::new();
    for it in sd.items() {
        let h = it.jwe.header();
        let _ = writeln!(
            text,
            "  {:<28} {} + {}, {} bytes ciphertext, tag {} bytes",
            it.tag,
            h.alg,
            h.enc,
            it.jwe.ciphertext_len(),
            it.jwe.tag_len()
        );
        items_json.push(json!({
            "tag": it.tag,
            "header": h.json,
            "ciphertext_bytes": it.jwe.ciphertext_len(),
            "tag_bytes": it.jwe.tag_len(),
        }));
    }

    let unmatched: Vec<&LoadedCert> = certs
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c)
        .collect();
    let mut problems: Vec<String> = sd
        .findings()
        .iter()
        .filter(|f| is_problem(f))
        .map(ToString::to_string)
        .collect();
    for &i in &rogue {
        problems.push(format!(
            "share {} (x5t_256 {}) belongs to none of the {} certificates given: whoever holds that key, together with {} custodian(s), opens this HSM's security domain",
            i + 1,
            sd.shares()[i].thumbprint,
            certs.len(),
            q.required().saturating_sub(1)
        ));
    }
    for c in &unmatched {
        problems.push(format!(
            "certificate {} ({}) holds no share of this security domain",
            c.path.display(),
            c.thumbprint
        ));
    }
    let notes: Vec<String> = sd
        .findings()
        .iter()
        .filter(|f| !is_problem(f))
        .map(ToString::to_string)
        .collect();
    if !notes.is_empty() || !problems.is_empty() {
        let _ = writeln!(text, "Findings:");
        for p in &problems {
            let _ = writeln!(text, "  problem: {p}");
        }
        for n in &notes {
            let _ = writeln!(text, "  note: {n}");
        }
    }
    // Hygiene: the quorum itself, and every certificate given (matched or not).
    let mut warnings = hygiene::Warnings::default();
    warnings.extend(hygiene::quorum(q).into_iter().filter(|w| {
        w.code != "outside_managed_hsm_limits"
            || !sd.findings().contains(&Finding::OutsideManagedHsmLimits)
    }));
    for c in &certs {
        warnings.extend(hygiene::certificate(c));
    }
    warnings.print();

    let report = json!({
        "command": "inspect",
        "file": args.sd.display().to_string(),
        "sha256": loaded.sha256(),
        "sha256_words": words(&loaded.digest),
        "size": loaded.size,
        "warnings": warnings.json(),
        "version": sd.version(),
        "required": q.required(),
        "shares_total": q.total(),
        "within_managed_hsm_limits": q.within_managed_hsm_limits(),
        "shares": shares_json,
        "items": items_json,
        "findings": problems.iter().map(|p| json!({ "severity": "problem", "message": p }))
            .chain(notes.iter().map(|n| json!({ "severity": "note", "message": n })))
            .collect::<Vec<_>>(),
        "rogue_shares": rogue.iter().map(|&i| json!({ "share": i + 1, "x5t_256": sd.shares()[i].thumbprint.to_base64url() })).collect::<Vec<_>>(),
        "unmatched_certificates": unmatched.iter().map(|c| json!({ "file": c.path.display().to_string(), "x5t_256": c.thumbprint.to_base64url() })).collect::<Vec<_>>(),
        "ok": problems.is_empty(),
    });
    if !problems.is_empty() {
        let mut message = format!(
            "{}: {} problem(s) found:",
            args.sd.display(),
            problems.len()
        );
        for p in &problems {
            message.push_str("\n  ");
            message.push_str(p);
        }
        let hint = if rogue.is_empty() {
            "download the security domain again; if the problem stays, the file was not made by Azure as-is"
        } else {
            "find out whose key the extra share is wrapped to; if nobody on the team knows, treat the security domain as exposed: download a new one with the team's certificates only"
        };
        return Err(CliError::new(Exit::CheckFailed, message)
            .hint(hint)
            .with_report(report, text));
    }
    let _ = writeln!(text, "OK: structure is sound");
    out.emit(&report, &text);
    Ok(Exit::Ok)
}
