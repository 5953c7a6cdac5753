//! `sdkit keygen --pkcs11 URI`: the custodians' key pairs made on a token, which signs their
//! certificates and keeps them; only the certificates are written to disk.

use crate::cli::KeygenArgs;
use crate::error::{CliError, Exit};
use crate::render::Output;

/// Makes the keys on the token named by `uri`, then writes `<prefix><i>.cer`.
#[cfg(feature = "pkcs11")]
pub fn run(args: &KeygenArgs, uri: &str, out: Output) -> Result<Exit, CliError> {
    use super::keygen::{KeygenView, NewHolder};
    use crate::cli::KeyArgs;
    use crate::io::{OutFile, ensure_dir, probe_output_dir, refuse_existing, write_all_atomic};
    use crate::token_keys::{TokenSessions, module_path, token_error};
    use sdkit_certs::CertificateParams;
    use sdkit_certs::token::{ObjectType, Pkcs11Uri, TokenKeySpec};
    use std::path::PathBuf;

    let parsed = Pkcs11Uri::parse_token(uri).map_err(|e| {
        CliError::usage(format!("--pkcs11 {uri}: {e}"))
            .hint("name the token, e.g. --pkcs11 'pkcs11:token=Custodian%201' (`sdkit tokens` lists them)")
    })?;
    if parsed.object.is_some() {
        return Err(CliError::usage(format!(
            "--pkcs11 {uri}: object= is not taken: keys are labelled <prefix><i> (--prefix)"
        )));
    }
    let first_id = match parsed.id.as_deref() {
        None => 1,
        Some([b]) if usize::from(*b) + args.holders <= 256 => *b,
        Some(_) => {
            return Err(CliError::usage(format!(
                "--pkcs11 {uri}: id= must be one byte (%01..%FF) leaving room for {} holders; the ids count up from it",
                args.holders
            )));
        }
    };
    let certs: Vec<PathBuf> = (1..=args.holders)
        .map(|i| args.out_dir.join(format!("{}{i}.cer", args.prefix)))
        .collect();
    refuse_existing(certs.iter().map(PathBuf::as_path), args.force)?;
    probe_output_dir(&args.out_dir, "certificates")?;

    let key_args = KeyArgs {
        passphrase_files: Vec::new(),
        pkcs11_module: args.pkcs11_module.clone(),
        pin_file: args.pin_file.clone(),
    };
    let module = module_path(parsed.module_path.as_deref(), args.pkcs11_module.as_deref())?;
    let mut sessions = TokenSessions::new(&key_args);
    let token = sessions
        .module(&module)?
        .find_token(&parsed)
        .map_err(|e| token_error(&format!("--pkcs11 {uri}"), None, &e))?;
    let pin = sessions.pin(&module, &token, parsed.pin_source.as_deref())?;

    let labels: Vec<String> = (1..=args.holders)
        .map(|i| format!("{}{i}", args.prefix))
        .collect();
    let ids: Vec<[u8; 1]> = (0..args.holders)
        .map(|i| [first_id.wrapping_add(u8::try_from(i).unwrap_or(u8::MAX))])
        .collect();
    let params: Vec<CertificateParams> = (1..=args.holders)
        .map(|i| CertificateParams {
            subject: super::keygen::subject_for(args, i),
            validity_days: args.days,
        })
        .collect();
    let specs: Vec<TokenKeySpec<'_>> = labels
        .iter()
        .zip(&ids)
        .zip(&params)
        .map(|((label, id), certificate)| TokenKeySpec {
            label,
            id,
            bits: args.bits,
            certificate,
        })
        .collect();
    if args.bits < crate::hygiene::RECOMMENDED_BITS {
        crate::render::eprint_wrapped(&format!(
            "warning: --bits {}: {} bits or more is recommended for keys that protect an HSM for years (NIST SP 800-57); tokens that only do RSA-2048 (older YubiKeys) are the reason to accept it",
            args.bits,
            crate::hygiene::RECOMMENDED_BITS
        ));
    }
    let made = sessions
        .module(&module)?
        .generate_keys(&token, pin.as_ref().map(|p| p.as_slice()), &specs)
        .map_err(|e| token_error(&format!("--pkcs11 {uri}"), Some(&token), &e))?;

    let pems: Vec<String> = made.iter().map(sdkit_certs::certificate_pem).collect();
    ensure_dir(&args.out_dir)?;
    let files: Vec<OutFile<'_>> = certs
        .iter()
        .zip(&pems)
        .map(|(path, pem)| OutFile {
            path: path.clone(),
            bytes: pem.as_bytes(),
            secret: false,
        })
        .collect();
    write_all_atomic(&files, args.force).map_err(|e| {
        let hint = "the keys and certificates are on the token: `sdkit tokens --login` lists them; export a certificate with `pkcs11-tool --read-object --type cert --id ID`";
        CliError { hint: Some(hint.to_owned()), ..e }
    })?;

    let holders = certs
        .iter()
        .zip(made)
        .zip(&ids)
        .map(|((certificate, cert), id)| NewHolder {
            key: PathBuf::from(
                Pkcs11Uri {
                    token: Some(token.label.clone()),
                    id: Some(id.to_vec()),
                    object_type: Some(ObjectType::Private),
                    ..Pkcs11Uri::default()
                }
                .to_string(),
            ),
            certificate: certificate.clone(),
            cert,
            encrypted: false,
            on_token: true,
        })
        .collect();
    out.report(&KeygenView {
        bits: args.bits,
        holders,
    });
    Ok(Exit::Ok)
}

/// Without token support, `--pkcs11` is refused.
#[cfg(not(feature = "pkcs11"))]
pub fn run(_args: &KeygenArgs, uri: &str, _out: Output) -> Result<Exit, CliError> {
    Err(CliError::new(
        Exit::Usage,
        format!("--pkcs11 {uri}: this sdkit was built without PKCS#11 token support"),
    ))
}
