//! `sdkit split`: a new SD file for the user's own secrets, in Azure's format.

use crate::cli::{ItemInput, SplitArgs};
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::io::{self, OutFile, refuse_existing, write_all_atomic};
use crate::keys::load_cert;
use crate::render::ShowPath;
use crate::render::{Output, Report};
use sdkit_core::assemble::{BuildError, Recipient, build_security_domain};
use sdkit_core::digest::Sha256Digest;
use sdkit_core::tag::Tag;
use sdkit_core::{Quorum, SysRng, Thumbprint};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Largest total of secrets in one SD: base64url inflates by 4/3 and the SD reader refuses
/// files above 12 MiB (`sdkit_core::domain::MAX_SD_BYTES`).
const MAX_TOTAL_SECRET_BYTES: u64 = 8 * 1024 * 1024;

/// Runs `split`.
pub fn run(args: &SplitArgs, out: Output) -> Result<Exit, CliError> {
    let inputs: Vec<&Path> = args
        .inputs
        .iter()
        .map(|i| i.file.as_path())
        .chain(args.certs.iter().map(PathBuf::as_path))
        .collect();
    io::refuse_input_as_output(&args.out, &inputs, "security domain")?;
    refuse_existing([args.out.as_path()], args.force)?;
    io::probe_output_file(&args.out, "security domain")?;
    let n = args.certs.len();
    // The one check of M and N: sdkit-core's. Only the option names are added here.
    let quorum = Quorum::new(args.quorum, n).map_err(|e| {
        CliError::usage(format!(
            "--quorum {} with {n} certificate{}: {e}",
            args.quorum,
            if n == 1 { "" } else { "s" }
        ))
        .hint("a split needs 2 to 127 certificates (Managed HSM uses 3 to 10) and a quorum of 2 up to their number")
    })?;
    let mut recipients = Vec::with_capacity(n);
    let mut warnings = hygiene::Warnings::default();
    for path in &args.certs {
        let c = load_cert(path)?;
        warnings.extend(hygiene::certificate(&c));
        let key = c
            .cert
            .rsa_public_key()
            .map_err(|e| CliError::input(path, e))?;
        recipients.push(Recipient {
            key,
            thumbprint: c.thumbprint(),
        });
    }
    let mut secrets: Vec<Zeroizing<Vec<u8>>> = Vec::with_capacity(args.inputs.len());
    let mut total = 0u64;
    for ItemInput { file, .. } in &args.inputs {
        let bytes = io::read_secret(file, MAX_TOTAL_SECRET_BYTES, "secret")?;
        total += bytes.len() as u64;
        if total > MAX_TOTAL_SECRET_BYTES {
            return Err(CliError::input(
                file,
                format!("the secrets add up to more than {MAX_TOTAL_SECRET_BYTES} bytes"),
            ));
        }
        secrets.push(bytes);
    }
    let items: Vec<(&Tag, &[u8])> = args
        .inputs
        .iter()
        .zip(&secrets)
        .map(|(i, s)| (&i.tag, s.as_slice()))
        .collect();
    let sd =
        build_security_domain(&items, &recipients, quorum, &mut SysRng).map_err(|e| match e {
            BuildError::DuplicateRecipient { first, second } => CliError::usage(format!(
                "{} and {} are the same certificate or hold the same key: each custodian must have their own",
                args.certs[first].shown(),
                args.certs[second].shown()
            )),
            BuildError::RecipientKeyTooSmall { index, .. } => {
                CliError::input(&args.certs[index], e)
            }
            BuildError::Encrypt => CliError::new(Exit::Crypto, e.to_string()),
            other => CliError::usage(other.to_string()),
        })?;
    let text_sd = sd.to_json();
    write_all_atomic(
        &[OutFile {
            path: args.out.clone(),
            bytes: text_sd.as_bytes(),
            secret: false,
        }],
        args.force,
    )?;
    warnings.extend(hygiene::quorum(sd.quorum()));
    warnings.print();
    out.report(&SplitView {
        args,
        quorum: sd.quorum(),
        out_sha256: Sha256Digest::of(text_sd.as_bytes()),
        thumbprints: recipients.iter().map(|r| r.thumbprint).collect(),
        warnings,
    });
    Ok(Exit::Ok)
}

/// What `split` wrote.
struct SplitView<'a> {
    args: &'a SplitArgs,
    quorum: Quorum,
    out_sha256: Sha256Digest,
    /// Each certificate's thumbprint, in the order given (share i+1 is wrapped to the i-th).
    thumbprints: Vec<Thumbprint>,
    warnings: hygiene::Warnings,
}

impl Report for SplitView<'_> {
    fn text(&self) -> String {
        let mut text = new_sd_text(
            &self.args.out,
            self.quorum,
            &self.out_sha256,
            &self.args.certs,
            &self.thumbprints,
        );
        for ItemInput { tag, file } in &self.args.inputs {
            let _ = writeln!(text, "  item {tag} <- {}", file.shown());
        }
        text
    }

    fn json(&self) -> Value {
        let q = self.quorum;
        json!({
            "command": "split",
            "out": self.args.out.shown().to_string(),
            "out_sha256": self.out_sha256,
            "warnings": self.warnings.json(),
            "required": q.required(),
            "shares_total": q.total(),
            "within_managed_hsm_limits": q.within_managed_hsm_limits(),
            "certificates": certificates_json(&self.args.certs, &self.thumbprints),
            "items": self.args.inputs.iter().map(|i| i.tag.as_str()).collect::<Vec<_>>(),
        })
    }
}

/// The lines naming a new SD file and which certificate each share went to (`split`,
/// `reshare`).
pub(super) fn new_sd_text(
    out: &Path,
    quorum: Quorum,
    sha256: &Sha256Digest,
    certs: &[PathBuf],
    thumbprints: &[Thumbprint],
) -> String {
    let mut text = format!(
        "Wrote {} ({} of {}, SHA-256 {sha256})\n",
        out.shown(),
        quorum.required(),
        quorum.total()
    );
    for (i, (c, t)) in certs.iter().zip(thumbprints).enumerate() {
        let _ = writeln!(
            text,
            "  share {} (x = {}) -> {} ({t})",
            i + 1,
            i + 1,
            c.shown()
        );
    }
    text
}

/// Each certificate a new SD's shares went to, in share order (docs/JSON.md).
pub(super) fn certificates_json(certs: &[PathBuf], thumbprints: &[Thumbprint]) -> Vec<Value> {
    certs
        .iter()
        .zip(thumbprints)
        .map(|(c, t)| json!({ "file": c.shown().to_string(), "x5t_256": t.to_base64url() }))
        .collect()
}
