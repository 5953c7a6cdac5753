//! `sdkit restore-blob` (the custodians' half of a real recovery) and `sdkit open-blob` (the
//! HSM's half, for drills with a throw-away exchange key).

use super::holders::heading;
use super::quorum::{QuorumRun, recover_error, run_quorum_with};
use super::{Written, parse_sd};
use crate::cli::{OpenBlobArgs, RestoreBlobArgs};
use crate::error::{CliError, Exit};
use crate::hygiene;
use crate::io::{self, MAX_KEY_BYTES, OutFile, refuse_existing, write_all_atomic};
use crate::keys::load_keys;
use crate::render::ShowPath;
use crate::render::{Output, Report, words};
use sdkit_core::blob::{MIN_EXCHANGE_KEY_BITS, RestoreBlob};
use sdkit_core::digest::Sha256Digest;
use sdkit_core::domain::{MAX_SD_BYTES, is_safe_file_name};
use sdkit_core::drill::ItemResult;
use sdkit_core::{SysRng, Thumbprint};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;

/// Reads the exchange certificate in any form the service or `az` hands out.
fn load_exchange_cert(path: &Path) -> Result<sdkit_certs::Certificate, CliError> {
    let bytes = io::read_bounded(path, MAX_KEY_BYTES, "exchange certificate")?;
    let is_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let cert = if is_json {
        sdkit_certs::load_certificate_from_jwk_json(&bytes)
    } else {
        sdkit_certs::load_certificate(&bytes)
    }
    .map_err(|e| {
        CliError::input(path, e).hint(
            "give the exchange certificate `az keyvault security-domain init-recovery` wrote (or the transfer-key JSON)",
        )
    })?;
    match cert.key_bits() {
        None => Err(CliError::input(
            path,
            "the exchange certificate's key is not RSA",
        )),
        Some(bits) if bits < MIN_EXCHANGE_KEY_BITS => Err(CliError::input(
            path,
            format!(
                "the exchange key is RSA-{bits}; at least {MIN_EXCHANGE_KEY_BITS} bits are required (Managed HSM uses 4096)"
            ),
        )),
        Some(_) => Ok(cert),
    }
}

/// Runs `restore-blob`.
pub fn run_restore(args: &RestoreBlobArgs, out: Output) -> Result<Exit, CliError> {
    refuse_existing([args.out.as_path()], args.force)?;
    io::probe_output_file(&args.out, "restore blob")?;
    let exchange = load_exchange_cert(&args.exchange_key)?;
    let public = exchange
        .rsa_public_key()
        .map_err(|e| CliError::input(&args.exchange_key, e))?;
    let tp = exchange.thumbprint();
    // A custodian's certificate is never an HSM's exchange key: a blob sealed to it would
    // hand the HSM's contents to that custodian. Refused before anybody types a passphrase.
    let load_and_check_exchange = |bytes: &[u8]| {
        let loaded = parse_sd(&args.sd, bytes)?;
        if let Some(i) = loaded.sd.shares().iter().position(|s| s.thumbprint == tp) {
            return Err(CliError::new(
                Exit::Input,
                format!(
                    "{} is the certificate of share {} of {}: a custodian's certificate, not a new HSM's exchange key; refusing to seal the HSM's contents to it",
                    args.exchange_key.shown(),
                    i + 1,
                    args.sd.shown()
                ),
            )
            .hint("give the exchange certificate `az keyvault security-domain init-recovery --hsm-name <HSM> --sd-exchange-key exchange.cer` wrote for the new HSM"));
        }
        Ok(loaded)
    };
    let mut run = run_quorum_with(
        load_and_check_exchange,
        &args.sd,
        &args.keys_paths,
        &args.keys,
    )?;
    run.warnings.extend(hygiene::exchange(
        &args.exchange_key,
        exchange.key_bits().unwrap_or(0),
    ));
    run.warnings.print();
    let mut view = RestoreView {
        args,
        run: &run,
        exchange: tp,
        sealed: None,
    };
    let rec = match &run.outcome.recovery {
        Ok(r) => r,
        Err(e) => {
            let problems = run.holders().problems();
            return Err(recover_error(&args.sd, e, &problems).with(&view));
        }
    };
    super::require_authentic(
        &rec.items,
        &args.sd,
        "no blob was written",
        "the file was altered or damaged: download the security domain again",
    )
    .map_err(|e| e.with(&view))?;
    let blob = RestoreBlob::seal_recovered(&rec.items, &public, tp, &mut SysRng)
        .map_err(|e| CliError::new(Exit::Crypto, format!("cannot build the restore blob: {e}")))?;
    let json_text = blob.to_json();
    write_all_atomic(
        &[OutFile {
            path: args.out.clone(),
            bytes: json_text.as_bytes(),
            secret: true,
        }],
        args.force,
    )?;
    let skipped = view.run.holders().skipped();
    if skipped > 0 {
        crate::render::eprint_wrapped(&format!(
            "warning: {skipped} key(s) did not give a usable share; the others reached the quorum"
        ));
    }
    view.sealed = Some(Sealed {
        sha256: Sha256Digest::of(json_text.as_bytes()),
        tags: blob.items().iter().map(|i| i.tag.clone()).collect(),
    });
    out.report(&view);
    Ok(Exit::Ok)
}

/// The blob `restore-blob` wrote.
struct Sealed {
    sha256: Sha256Digest,
    tags: Vec<String>,
}

/// What `restore-blob` did: the keys, and the blob (none when it failed).
struct RestoreView<'a> {
    args: &'a RestoreBlobArgs,
    run: &'a QuorumRun,
    exchange: Thumbprint,
    sealed: Option<Sealed>,
}

impl Report for RestoreView<'_> {
    fn text(&self) -> String {
        let holders = self.run.holders();
        let mut text = heading(&self.args.sd, &self.run.loaded.sd, &self.run.loaded.digest);
        text.push_str(&holders.text());
        let Some(sealed) = &self.sealed else {
            return text;
        };
        let _ = writeln!(
            text,
            "Restore blob written to {} ({} items, for exchange key {}).",
            self.args.out.shown(),
            sealed.tags.len(),
            self.exchange
        );
        let _ = writeln!(
            text,
            "  SHA-256 {} ({})",
            sealed.sha256,
            words(sealed.sha256.as_bytes())
        );
        if holders.skipped() > 0 {
            let _ = writeln!(
                text,
                "Note: {} key(s) were skipped (see above); the others reached the quorum.",
                holders.skipped()
            );
        }
        let _ = writeln!(
            text,
            "Upload it (online machine) with:\n  {}",
            upload_command(&self.args.out)
        );
        let _ = writeln!(
            text,
            "then wait for the restore with:\n  az keyvault security-domain wait --hsm-name <HSM>"
        );
        text
    }

    fn json(&self) -> Value {
        let mut report = json!({
            "command": "restore-blob",
            "file": self.args.sd.shown().to_string(),
            "sha256": self.run.loaded.digest,
            "holders": self.run.holders().json(),
            "exchange_x5t_256": self.exchange.to_base64url(),
            "warnings": self.run.warnings.json(),
        });
        if let (Some(sealed), Some(r)) = (&self.sealed, report.as_object_mut()) {
            r.insert("out".into(), json!(self.args.out.shown().to_string()));
            r.insert("out_sha256".into(), json!(sealed.sha256));
            r.insert("items".into(), json!(sealed.tags));
            r.insert(
                "upload_command".into(),
                json!(upload_command(&self.args.out)),
            );
        }
        report
    }
}

/// The `az` command that uploads a restore blob: in `az`, `--restore-blob` is a flag that
/// says the `--sd-file` is a restore blob (scripts/az-oracle.sh runs this through az's own
/// argument parser).
pub fn upload_command(blob: &Path) -> String {
    format!(
        "az keyvault security-domain upload --hsm-name <HSM> --sd-file {} --restore-blob",
        blob.shown()
    )
}

/// Runs `open-blob`.
pub fn run_open(args: &OpenBlobArgs, out: Output) -> Result<Exit, CliError> {
    if let Some(dir) = &args.out_dir {
        io::probe_output_dir(dir, "opened plaintexts")?;
    }
    let bytes = io::read_bounded(&args.blob, MAX_SD_BYTES as u64, "restore blob")?;
    let blob = RestoreBlob::parse(&bytes).map_err(|e| {
        CliError::input(&args.blob, format!("not a usable restore blob: {e}"))
            .hint("give the file `sdkit restore-blob` or `az keyvault security-domain restore-blob` wrote")
    })?;
    if let Some(bad) = blob.items().iter().find(|it| !is_safe_file_name(&it.tag)) {
        if args.out_dir.is_some() {
            return Err(CliError::input(
                &args.blob,
                format!(
                    "item tag {:?} is not a plain file name; refusing to write it",
                    bad.tag
                ),
            ));
        }
    }
    let keys = load_keys(std::slice::from_ref(&args.exchange_private_key), &args.keys)?;
    let key = &keys[0];
    // With the key's certificate at hand we can say plainly that the blob is for another key:
    // the `.cer` named like the key (as `az` expects), or the `exchange.cer` that
    // `sdkit exchange-key` writes beside `exchange-key.pem`.
    let beside = args
        .exchange_private_key
        .parent()
        .map(|d| d.join("exchange.cer"));
    let cert = key
        .cert
        .as_ref()
        .map(|c| (c.path.clone(), c.thumbprint()))
        .or_else(|| {
            let path = beside.filter(|p| p.is_file())?;
            let c = crate::keys::load_cert(&path).ok()?;
            key.key
                .matches_certificate(&c.cert)
                .then_some((path, c.thumbprint()))
        });
    if let Some((cert_path, tp)) = &cert {
        if *tp != blob.exchange_thumbprint() {
            return Err(CliError::new(
                Exit::Crypto,
                format!(
                    "{}: the blob was made for exchange key {}, but {} is {}",
                    args.blob.shown(),
                    blob.exchange_thumbprint(),
                    cert_path.shown(),
                    tp
                ),
            )
            .hint("use the exchange private key that belongs to the certificate given to restore-blob"));
        }
    }
    let items = blob.open(&key.key).map_err(|e| {
        CliError::new(Exit::Crypto, format!("{}: {e}", args.blob.shown())).hint(format!(
            "the blob names exchange certificate {}",
            blob.exchange_thumbprint()
        ))
    })?;
    let mut view = OpenView {
        blob_path: &args.blob,
        exchange: blob.exchange_thumbprint(),
        items: items.iter().map(ItemResult::from).collect(),
        written: Written::default(),
    };
    super::require_authentic(
        &items,
        &args.blob,
        "nothing was written",
        "the blob was altered or damaged",
    )
    .map_err(|e| e.with(&view))?;
    if let Some(dir) = &args.out_dir {
        view.written = super::write_plaintexts(dir, &items, args.force)?;
    }
    out.report(&view);
    Ok(Exit::Ok)
}

/// What `open-blob` found: each item, and the files written.
struct OpenView<'a> {
    blob_path: &'a Path,
    exchange: Thumbprint,
    items: Vec<ItemResult>,
    written: Written,
}

impl Report for OpenView<'_> {
    fn text(&self) -> String {
        let mut text = format!(
            "Restore blob {} (for exchange key {})\nItems:\n",
            self.blob_path.shown(),
            self.exchange
        );
        text.push_str(&super::items_text(&self.items));
        text.push_str(&self.written.text());
        if self.items.iter().all(|i| i.content.is_ok()) {
            text.push_str("OK: the blob opens and every item authenticated.\n");
        }
        text
    }

    fn json(&self) -> Value {
        json!({
            "command": "open-blob",
            "file": self.blob_path.shown().to_string(),
            "exchange_x5t_256": self.exchange.to_base64url(),
            "items": super::items_json(&self.items),
            "written": self.written.json(),
        })
    }
}
