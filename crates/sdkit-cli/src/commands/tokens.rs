//! `sdkit tokens`: what a PKCS#11 module sees (tokens, their RSA keys and certificates),
//! with the URI to give `--key` for each key, so nobody has to write RFC 7512 by hand.
#![cfg_attr(not(feature = "pkcs11"), allow(dead_code))]

use crate::cli::TokensArgs;
use crate::error::{CliError, Exit};
use crate::render::{Output, Report, date};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// One key on a token: what the objects with one CKA_ID say together.
struct KeyEntry {
    id: Vec<u8>,
    label: Option<String>,
    /// Whether the private key object is there (`None`: not visible without logging in).
    private_key: Option<bool>,
    bits: Option<usize>,
    certificate: Option<sdkit_certs::Certificate>,
    uri: String,
}

struct TokenEntry {
    slot: u64,
    label: String,
    manufacturer: String,
    model: String,
    serial: String,
    login_required: bool,
    logged_in: bool,
    keys: Vec<KeyEntry>,
}

struct TokensView {
    module: String,
    tokens: Vec<TokenEntry>,
}

impl Report for TokensView {
    fn text(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "PKCS#11 module {}", self.module);
        if self.tokens.is_empty() {
            let _ = writeln!(t, "  no token present");
        }
        for tok in &self.tokens {
            let _ = writeln!(
                t,
                "Token \"{}\" (slot {}, {} {}, serial {}){}",
                tok.label,
                tok.slot,
                tok.manufacturer,
                tok.model,
                tok.serial,
                if tok.login_required && !tok.logged_in {
                    ": private keys are listed with --login"
                } else {
                    ""
                }
            );
            if tok.keys.is_empty() {
                let _ = writeln!(t, "  no RSA keys or certificates");
            }
            for k in &tok.keys {
                let _ = writeln!(
                    t,
                    "  id {} label {}: {}{}",
                    hex::encode(&k.id),
                    k.label.as_deref().unwrap_or("(none)"),
                    match k.private_key {
                        Some(true) => "private key",
                        Some(false) => "no private key",
                        None => "private key not visible without --login",
                    },
                    k.bits.map_or_else(String::new, |b| format!(", RSA-{b}"))
                );
                match &k.certificate {
                    Some(c) => {
                        let _ = writeln!(
                            t,
                            "    certificate {} (valid until {}), x5t#S256 {}",
                            crate::render::shown(&c.subject()),
                            date(c.not_after()),
                            c.thumbprint().to_base64url()
                        );
                    }
                    None => {
                        let _ = writeln!(t, "    no certificate with this id");
                    }
                }
                let _ = writeln!(t, "    --key '{}'", k.uri);
            }
        }
        t
    }

    fn json(&self) -> Value {
        json!({
            "command": "tokens",
            "module": self.module,
            "tokens": self.tokens.iter().map(|tok| json!({
                "slot": tok.slot,
                "label": tok.label,
                "manufacturer": tok.manufacturer,
                "model": tok.model,
                "serial": tok.serial,
                "login_required": tok.login_required,
                "logged_in": tok.logged_in,
                "keys": tok.keys.iter().map(|k| json!({
                    "id": hex::encode(&k.id),
                    "label": k.label,
                    "private_key": k.private_key,
                    "bits": k.bits,
                    "uri": k.uri,
                    "certificate": k.certificate.as_ref().map(|c| json!({
                        "subject": c.subject(),
                        "not_after": crate::render::rfc3339(c.not_after()),
                        "x5t_256": c.thumbprint().to_base64url(),
                    })),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Lists the module's tokens and their keys.
#[cfg(feature = "pkcs11")]
pub fn run(args: &TokensArgs, out: Output) -> Result<Exit, CliError> {
    use crate::cli::KeyArgs;
    use crate::render::ShowPath;
    use crate::token_keys::{TokenSessions, module_path, token_error};
    use sdkit_certs::token::{ObjectKind, ObjectType, Pkcs11Uri};

    let path = module_path(None, args.pkcs11_module.as_deref())?;
    let key_args = KeyArgs {
        passphrase_files: Vec::new(),
        pkcs11_module: Some(path.clone()),
        pin_file: args.pin_file.clone(),
    };
    let mut sessions = TokenSessions::new(&key_args);
    let tokens = sessions
        .module(&path)?
        .tokens()
        .map_err(|e| token_error("listing tokens", None, &e))?;
    let mut entries = Vec::new();
    for tok in &tokens {
        let login = args.login || args.pin_file.is_some();
        let pin = if login {
            sessions.pin(&path, tok, None)?
        } else {
            None
        };
        let logged_in = login && tok.login_required;
        let objects = sessions
            .module(&path)?
            .objects(tok, pin.as_ref().map(|p| p.as_slice()))
            .map_err(|e| token_error("listing objects", Some(tok), &e))?;
        // Several tokens with one label (two YubiKeys) need the serial in the URI.
        let same_label = tokens.iter().filter(|t| t.label == tok.label).count() > 1;
        let mut keys: Vec<KeyEntry> = Vec::new();
        for o in objects.iter().filter(|o| o.rsa) {
            let at = match keys.iter().position(|k| k.id == o.id) {
                Some(i) => i,
                None => {
                    let uri = Pkcs11Uri {
                        token: Some(tok.label.clone()),
                        serial: same_label.then(|| tok.serial.clone()),
                        id: Some(o.id.clone()),
                        object_type: Some(ObjectType::Private),
                        ..Pkcs11Uri::default()
                    };
                    keys.push(KeyEntry {
                        id: o.id.clone(),
                        label: None,
                        private_key: None,
                        bits: None,
                        certificate: None,
                        uri: uri.to_string(),
                    });
                    keys.len() - 1
                }
            };
            let k = &mut keys[at];
            k.label = k.label.take().or_else(|| o.label.clone());
            k.bits = k.bits.or(o.bits);
            match o.kind {
                ObjectKind::PrivateKey => k.private_key = Some(true),
                ObjectKind::Certificate => k.certificate = o.certificate.clone(),
                ObjectKind::PublicKey => {}
            }
        }
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        for k in &mut keys {
            if k.private_key.is_none() && (logged_in || !tok.login_required) {
                k.private_key = Some(false);
            }
        }
        entries.push(TokenEntry {
            slot: tok.slot_id,
            label: tok.label.clone(),
            manufacturer: tok.manufacturer.clone(),
            model: tok.model.clone(),
            serial: tok.serial.clone(),
            login_required: tok.login_required,
            logged_in,
            keys,
        });
    }
    out.report(&TokensView {
        module: path.shown().to_string(),
        tokens: entries,
    });
    Ok(Exit::Ok)
}

/// Without token support there is nothing to list.
#[cfg(not(feature = "pkcs11"))]
pub fn run(_args: &TokensArgs, _out: Output) -> Result<Exit, CliError> {
    Err(CliError::new(
        Exit::Usage,
        "this sdkit was built without PKCS#11 token support",
    )
    .hint("use a build with the default features"))
}
