//! `sdkit reshare`: the old quorum opens the SD exactly as `drill` does, core re-encrypts its
//! items under a fresh master key split to the new certificates and proves the new file, and
//! the file is written atomically next to the old one (never over it).

use super::holders::heading;
use super::parse_sd;
use super::quorum::{QuorumRun, recover_error, run_quorum_with};
use super::split::{certificates_json, new_sd_text};
use crate::cli::ReshareArgs;
use crate::error::{CliError, Exit};
use crate::hygiene::{self, Warnings};
use crate::io::{
    self, OutFile, probe_output_file, refuse_existing, refuse_input_as_output, write_all_atomic,
};
use crate::keys::load_cert;
use crate::render::ShowPath;
use crate::render::{Output, Report};
use sdkit_core::assemble::{BuildError, Recipient};
use sdkit_core::digest::Sha256Digest;
use sdkit_core::recover::HolderStatus;
use sdkit_core::reshare::{self, CustodyError, Limits, NewCustody, ReshareError, Reshared};
use sdkit_core::{SysRng, Thumbprint};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Runs `reshare`.
pub fn run(args: &ReshareArgs, out: Output) -> Result<Exit, CliError> {
    // Every refusal that needs no key comes before anybody is asked for a passphrase.
    let mut inputs: Vec<&Path> = vec![args.sd.as_path()];
    inputs.extend(args.keys_paths.iter().map(PathBuf::as_path));
    inputs.extend(args.certs.iter().map(PathBuf::as_path));
    inputs.extend(args.keys.passphrase_files.iter().map(PathBuf::as_path));
    refuse_input_as_output(&args.out, &inputs, "new security domain")?;
    refuse_existing([args.out.as_path()], args.force)?;
    probe_output_file(&args.out, "new security domain")?;
    let (custody, mut warnings) = new_custody(args)?;

    let check_version = |bytes: &[u8]| {
        let loaded = parse_sd(&args.sd, bytes)?;
        reshare::check_version(&loaded.sd).map_err(|e| {
            CliError::input(&args.sd, e).hint(
                "reshare only what `az keyvault security-domain download` or `sdkit split` wrote",
            )
        })?;
        Ok(loaded)
    };
    let run = run_quorum_with(check_version, &args.sd, &args.keys_paths, &args.keys)?;
    run.warnings.print();
    warnings.extend(hygiene::fields_not_carried_over(&args.sd, &run.loaded.sd));
    let rec = match &run.outcome.recovery {
        Ok(r) => r,
        Err(e) => {
            let problems = run.holders().problems();
            return Err(recover_error(&args.sd, e, &problems)
                .hint("reshare needs a quorum of the old custodians' keys; nothing was written"));
        }
    };
    super::require_authentic(
        &rec.items,
        &args.sd,
        "nothing was written",
        "the old file was altered or damaged: reshare a good copy (download it again if the HSM is live)",
    )?;
    let reshared =
        reshare::reshare(&run.loaded.sd, rec, &custody, &mut SysRng).map_err(|e| match e {
            ReshareError::UnknownVersion(_) => CliError::input(&args.sd, e),
            other => CliError::new(Exit::Crypto, format!("{}: {other}", args.sd.shown())),
        })?;
    write_all_atomic(
        &[OutFile {
            path: args.out.clone(),
            bytes: reshared.json.as_bytes(),
            secret: false,
        }],
        args.force,
    )?;
    warnings.extend(hygiene::quorum(custody.quorum()));
    warnings.print();
    let view = ReshareView {
        args,
        run: &run,
        new_sha256: Sha256Digest::of(reshared.json.as_bytes()),
        thumbprints: custody.recipients().iter().map(|r| r.thumbprint).collect(),
        reshared: &reshared,
        warnings,
    };
    io::record_details(view.transcript_details());
    out.report(&view);
    Ok(Exit::Ok)
}

/// Loads the new certificates and checks them with the quorum as a new custody.
fn new_custody(args: &ReshareArgs) -> Result<(NewCustody, Warnings), CliError> {
    let mut warnings = Warnings::default();
    let mut recipients = Vec::with_capacity(args.certs.len());
    for path in &args.certs {
        let c = load_cert(path)?;
        warnings.extend(hygiene::certificate(&c));
        let key = c.cert.rsa_public_key().map_err(|e| {
            CliError::input(path, e)
                .hint("each new custodian needs an RSA certificate (sdkit keygen makes them)")
        })?;
        recipients.push(Recipient {
            key,
            thumbprint: c.thumbprint(),
        });
    }
    let limits = if args.allow_outside_azure_limits {
        Limits::Format
    } else {
        Limits::Azure
    };
    let n = args.certs.len();
    let custody = NewCustody::new(recipients, args.quorum, limits).map_err(|e| match e {
        CustodyError::Quorum(q) => CliError::usage(format!(
            "--quorum {} with {n} certificate{}: {q}",
            args.quorum,
            if n == 1 { "" } else { "s" }
        ))
        .hint("Azure takes 3 to 10 certificates and a quorum of 2 up to their number (at most 10)"),
        CustodyError::OutsideAzureLimits { .. } => CliError::usage(format!(
            "--quorum {} with {n} certificate{}: {e}",
            args.quorum,
            if n == 1 { "" } else { "s" }
        ))
        .hint("give 3 to 10 --cert and a --quorum of 2 to 10; for a security domain that is not for Azure, add --allow-outside-azure-limits"),
        CustodyError::Recipient(BuildError::DuplicateRecipient { first, second }) => {
            CliError::usage(format!(
                "{} and {} are the same certificate or hold the same key: each new custodian must have their own",
                args.certs[first].shown(),
                args.certs[second].shown()
            ))
        }
        CustodyError::Recipient(BuildError::RecipientKeyTooSmall { index, bits }) => {
            CliError::input(
                &args.certs[index],
                format!("holds an RSA-{bits} key; Azure requires at least 2048 bits"),
            )
            .hint("make a new key and certificate for this custodian with `sdkit keygen`")
        }
        CustodyError::Recipient(other) => CliError::usage(other.to_string()),
    })?;
    Ok((custody, warnings))
}

/// What `reshare` did.
struct ReshareView<'a> {
    args: &'a ReshareArgs,
    run: &'a QuorumRun,
    new_sha256: Sha256Digest,
    /// Each new certificate's thumbprint, in share order.
    thumbprints: Vec<Thumbprint>,
    reshared: &'a Reshared,
    warnings: Warnings,
}

impl ReshareView<'_> {
    /// The old keys that opened a share: path and the thumbprint of the share's certificate.
    fn keys_used(&self) -> Vec<(String, Thumbprint)> {
        let sd = &self.run.loaded.sd;
        self.run
            .keys
            .iter()
            .zip(&self.run.outcome.openings)
            .filter_map(|(k, o)| match o.status {
                HolderStatus::Opened { share_index, .. } => Some((
                    k.path.shown().to_string(),
                    sd.shares()[share_index].thumbprint,
                )),
                _ => None,
            })
            .collect()
    }

    fn certificates_json(&self) -> Vec<Value> {
        certificates_json(&self.args.certs, &self.thumbprints)
    }

    /// What the transcript records beside the files' hashes (docs/JSON.md, "transcript").
    fn transcript_details(&self) -> Value {
        let old = self.run.loaded.sd.quorum();
        let new = self.reshared.sd.quorum();
        json!({
            "kind": "reshare",
            "old_sd": self.args.sd.shown().to_string(),
            "old_sd_sha256": self.run.loaded.digest,
            "old_required": old.required(),
            "old_shares_total": old.total(),
            "new_sd": self.args.out.shown().to_string(),
            "new_sd_sha256": self.new_sha256,
            "required": new.required(),
            "shares_total": new.total(),
            "keys_used": self.keys_used().iter().map(|(f, t)| json!({ "file": f, "x5t_256": t.to_base64url() })).collect::<Vec<_>>(),
            "new_certificates": self.certificates_json(),
        })
    }

    fn proof_text(&self) -> String {
        let p = &self.reshared.proof;
        let q = self.reshared.sd.quorum();
        let shares = if p.by_polynomial {
            format!(
                "every share lies on the polynomial through the first {} (too many subsets to recombine one by one), which gives the new master key",
                q.required()
            )
        } else {
            format!(
                "each of the {} subsets of {} of the new shares recombines to the new master key",
                p.subsets_recombined,
                q.required()
            )
        };
        format!(
            "Proven in memory: the file reads back byte for byte; {shares}; every item decrypts under it to its old plaintext; the master key is fresh, so old shares open nothing in it.\n"
        )
    }
}

impl Report for ReshareView<'_> {
    fn text(&self) -> String {
        let new = self.reshared.sd.quorum();
        let mut text = heading(&self.args.sd, &self.run.loaded.sd, &self.run.loaded.digest);
        text.push_str(&self.run.holders().text());
        text.push_str(&new_sd_text(
            &self.args.out,
            new,
            &self.new_sha256,
            &self.args.certs,
            &self.thumbprints,
        ));
        let _ = writeln!(text, "Items (same tags, order and contents; fresh keys):");
        for (tag, c) in &self.reshared.proof.items {
            let _ = writeln!(
                text,
                "  {:<28} {} bytes\n    content digest {}",
                crate::render::shown(tag),
                c.len,
                c.digest
            );
        }
        text.push_str(&self.proof_text());
        let _ = writeln!(
            text,
            "Next: each new custodian runs `sdkit check {} --key THEIR_KEY`; the new quorum runs `sdkit drill {} --key ... --same-contents-as OLD_DRILL.json` (the old quorum's `sdkit --json drill` report of the old file); then destroy every copy of {} (docs/CEREMONY.md, \"Rotating custodians\").",
            self.args.out.shown(),
            self.args.out.shown(),
            self.args.sd.shown()
        );
        text
    }

    fn json(&self) -> Value {
        let old = self.run.loaded.sd.quorum();
        let new = self.reshared.sd.quorum();
        let p = &self.reshared.proof;
        json!({
            "command": "reshare",
            "file": self.args.sd.shown().to_string(),
            "sha256": self.run.loaded.digest,
            "old_required": old.required(),
            "old_shares_total": old.total(),
            "holders": self.run.holders().json(),
            "out": self.args.out.shown().to_string(),
            "out_sha256": self.new_sha256,
            "required": new.required(),
            "shares_total": new.total(),
            "within_managed_hsm_limits": new.within_managed_hsm_limits(),
            "certificates": self.certificates_json(),
            "items": p.items.iter().map(|(tag, c)| json!({
                "tag": tag,
                "authentic": true,
                "bytes": c.len,
                "content_digest": c.digest,
            })).collect::<Vec<_>>(),
            "proof": {
                "subsets_recombined": p.subsets_recombined,
                "by_polynomial": p.by_polynomial,
                "items_identical": true,
                "file_round_trips": true,
                "master_key_fresh": true,
            },
            "warnings": self.warnings.json(),
        })
    }
}
