//! Custodian keys on PKCS#11 tokens, as `--key pkcs11:...` gives them: which module to load,
//! the PIN (from the URI's pin-source, `--pin-file`, or a no-echo prompt once per token), and
//! what to tell the user when the module, token, PIN or key is not right.

use crate::cli::KeyArgs;
use crate::error::{CliError, Exit};
use crate::keys::{CertProblem, LoadedCert};
use crate::render::ShowPath;
use sdkit_certs::PrivateKey;
use sdkit_certs::token::{Pkcs11Uri, UriError, is_pkcs11_uri};
use sdkit_core::aead::DecryptError;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[cfg(feature = "pkcs11")]
use sdkit_certs::token::{TokenError, TokenInfo, TokenKey, TokenModule};

/// The environment variable naming the PKCS#11 module when neither the URI nor
/// `--pkcs11-module` does.
#[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
pub const MODULE_ENV: &str = "SDKIT_PKCS11_MODULE";

/// A custodian's private key: in a file (loaded into memory), or on a token (used there).
pub enum CustodianKey {
    /// Read from a key file.
    File(PrivateKey),
    /// On a PKCS#11 token (boxed: its session and certificate make it the larger variant).
    #[cfg(feature = "pkcs11")]
    Token(Box<TokenKey>),
}

impl CustodianKey {
    /// The certificate the key file itself holds (a PKCS#12 export), if any. A token key's
    /// certificate is a separate object on the token (`token_certificate`).
    pub fn own_certificate(&self) -> Option<&sdkit_certs::Certificate> {
        match self {
            CustodianKey::File(k) => k.certificate(),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(_) => None,
        }
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        match self {
            CustodianKey::File(k) => k.bits(),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(k) => k.bits(),
        }
    }

    /// Whether the key is protected at rest: a passphrase-encrypted file, or any token key
    /// (behind its PIN, and never leaving the token).
    pub fn was_encrypted(&self) -> bool {
        match self {
            CustodianKey::File(k) => k.was_encrypted(),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(_) => true,
        }
    }

    /// Whether `cert` is this key's certificate.
    pub fn matches_certificate(&self, cert: &sdkit_certs::Certificate) -> bool {
        match self {
            CustodianKey::File(k) => cert.matches_private_key(k),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(k) => cert.matches_public_numbers(k.modulus(), k.public_exponent()),
        }
    }
}

impl sdkit_core::OaepDecryptKey for CustodianKey {
    fn modulus_len(&self) -> usize {
        match self {
            CustodianKey::File(k) => k.modulus_len(),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(k) => k.modulus_len(),
        }
    }

    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        match self {
            CustodianKey::File(k) => k.decrypt_oaep_sha256(ciphertext),
            #[cfg(feature = "pkcs11")]
            CustodianKey::Token(k) => k.decrypt_oaep_sha256(ciphertext),
        }
    }
}

/// For a key on a token: the token's certificate for it, or why there is none (`None` for
/// key files, whose certificate is the file beside them).
pub fn token_certificate(key: &CustodianKey) -> Option<(Option<LoadedCert>, Option<CertProblem>)> {
    match key {
        CustodianKey::File(_) => None,
        #[cfg(feature = "pkcs11")]
        CustodianKey::Token(t) => Some(match t.certificate() {
            Some(c) => (
                Some(LoadedCert {
                    path: PathBuf::from(certificate_uri(t)),
                    cert: c.clone(),
                }),
                None,
            ),
            None => (None, Some(CertProblem::NotOnToken)),
        }),
    }
}

/// The URI of a token key's certificate object, to name it in reports.
#[cfg(feature = "pkcs11")]
pub fn certificate_uri(key: &TokenKey) -> String {
    Pkcs11Uri {
        token: Some(key.token().label.clone()),
        serial: Some(key.token().serial.clone()),
        id: Some(key.id().to_vec()),
        object_type: Some(sdkit_certs::token::ObjectType::Cert),
        ..Pkcs11Uri::default()
    }
    .to_string()
}

/// The `pkcs11:` URI a `--key` value is, if it is one (parsed, or why it cannot be).
pub fn token_uri(path: &Path) -> Option<Result<Pkcs11Uri, CliError>> {
    let text = path.to_str()?;
    is_pkcs11_uri(text).then(|| {
        Pkcs11Uri::parse(text).map_err(|e| {
            // A URI with a PIN in it is not repeated.
            let hint = match e {
                UriError::PinValue => "put the PIN in a file only you can read and give --pin-file FILE or pin-source=FILE; or leave both out to be asked",
                _ => "write the key's URI as `sdkit tokens` prints it, e.g. pkcs11:token=NAME;id=%01;type=private",
            };
            let shown = if e == UriError::PinValue { "pkcs11:..." } else { text };
            CliError::new(Exit::Input, format!("--key {shown}: {e}")).hint(hint)
        })
    })
}

/// The module to load for `uri`: its module-path, else `--pkcs11-module`, else the
/// environment.
#[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
pub fn module_path(uri_module: Option<&Path>, flag: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(p) = uri_module.or(flag) {
        return Ok(p.to_owned());
    }
    match std::env::var_os(MODULE_ENV) {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => Err(CliError::new(Exit::Input, "no PKCS#11 module is named for the token")
            .hint(format!("give the vendor's module with --pkcs11-module PATH, module-path=PATH in the URI, or {MODULE_ENV}=PATH (e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so for smart cards and YubiKeys, /usr/lib/softhsm/libsofthsm2.so for SoftHSM)"))),
    }
}

/// What to tell the user about a module, token or key failure: `what` names the key or
/// module, `token` the token when one was found.
#[cfg(feature = "pkcs11")]
pub fn token_error(what: &str, token: Option<&TokenInfo>, e: &TokenError) -> CliError {
    let on = token.map_or_else(String::new, |t| format!(" ({})", t.describe()));
    let hint = match e {
        TokenError::ModuleLoad { .. } => {
            "give the vendor's PKCS#11 module, a shared library such as opensc-pkcs11.so, ykcs11.so or libsofthsm2.so (--pkcs11-module, module-path= or SDKIT_PKCS11_MODULE)"
        }
        TokenError::ModuleInit { .. } => {
            "check the module's own configuration (for SoftHSM: SOFTHSM2_CONF and its tokendir)"
        }
        TokenError::NoToken { .. } => {
            "insert the token, or check that the module is the token vendor's and the URI's token= label; `sdkit tokens` lists what the module sees"
        }
        TokenError::AmbiguousToken { .. } => {
            "add token=LABEL or serial=SERIAL to the URI (`sdkit tokens` prints them)"
        }
        TokenError::PinIncorrect => {
            "tokens count wrong PINs and lock themselves: check the PIN (and the --pin-file's first line) before trying again"
        }
        TokenError::PinLocked => {
            "unblock the PIN with the token's PUK or SO PIN using the vendor's tool (e.g. `yubico-piv-tool -a unblock-pin`, `pkcs11-tool --init-pin --login --login-type so`)"
        }
        TokenError::PinUnusable => "set the token's user PIN with the vendor's tool first",
        TokenError::NoKey => {
            "`sdkit tokens --login` lists the token's private keys with the URI to give; check id= and object="
        }
        TokenError::AmbiguousKey { .. } => {
            "add id=%XX (or object=LABEL) to the URI so it names one key"
        }
        TokenError::NotRsa | TokenError::KeySize { .. } => {
            "security-domain custodians need RSA keys of 2048 to 8192 bits"
        }
        TokenError::IdInUse { .. } => {
            "keygen --pkcs11 does not replace keys: give another --prefix, or delete the old objects with the vendor's tool if they are truly unused"
        }
        TokenError::Certificate(_) => "check --subject and --days",
        TokenError::Unsupported(_) | TokenError::Device(_) => {
            "check the token is inserted and working (`pkcs11-tool --module MODULE --list-slots`)"
        }
    };
    let message = match e {
        // These name the module themselves.
        TokenError::ModuleLoad { .. } | TokenError::ModuleInit { .. } => e.to_string(),
        _ => format!("{what}{on}: {e}"),
    };
    CliError::new(Exit::Input, message).hint(hint)
}

/// Opens the keys on tokens for one command: each module loaded once, each token's PIN
/// asked for once.
#[cfg(feature = "pkcs11")]
pub struct TokenSessions<'a> {
    args: &'a KeyArgs,
    modules: Vec<TokenModule>,
    /// PINs by module path and token serial/label, wiped when the command ends.
    pins: Vec<(PathBuf, String, Zeroizing<Vec<u8>>)>,
}

#[cfg(feature = "pkcs11")]
impl<'a> TokenSessions<'a> {
    /// Nothing opened yet.
    pub fn new(args: &'a KeyArgs) -> Self {
        TokenSessions {
            args,
            modules: Vec::new(),
            pins: Vec::new(),
        }
    }

    /// The module at `path`, loaded on first use.
    pub fn module(&mut self, path: &Path) -> Result<&TokenModule, CliError> {
        let at = match self.modules.iter().position(|m| m.path() == path) {
            Some(i) => i,
            None => {
                refuse_in_static_build(path)?;
                let m = TokenModule::load(path)
                    .map_err(|e| token_error(&format!("module {}", path.shown()), None, &e))?;
                self.modules.push(m);
                self.modules.len() - 1
            }
        };
        Ok(&self.modules[at])
    }

    /// The PIN for `token`: the URI's pin-source, `--pin-file`, one typed earlier for the
    /// same token, or a prompt; none for tokens that need no login or have a PIN pad.
    pub fn pin(
        &mut self,
        module: &Path,
        token: &TokenInfo,
        pin_source: Option<&Path>,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, CliError> {
        if !token.login_required || token.protected_authentication_path {
            return Ok(None);
        }
        if let Some(file) = pin_source.or(self.args.pin_file.as_deref()) {
            return crate::keys::read_passphrase_file(file).map(Some);
        }
        let who = format!("{}:{}", token.serial, token.label);
        if let Some((_, _, pin)) = self
            .pins
            .iter()
            .find(|(m, w, _)| m.as_path() == module && *w == who)
        {
            return Ok(Some(pin.clone()));
        }
        let pin = prompt_pin(token)?;
        self.pins.push((module.to_owned(), who, pin.clone()));
        Ok(Some(pin))
    }

    /// Opens the key `uri` names (`shown` is how the user wrote it, for messages).
    pub fn open(&mut self, shown: &str, uri: &Pkcs11Uri) -> Result<TokenKey, CliError> {
        let path = module_path(
            uri.module_path.as_deref(),
            self.args.pkcs11_module.as_deref(),
        )
        .map_err(|e| CliError {
            message: format!("--key {shown}: {}", e.message),
            ..e
        })?;
        let token = self
            .module(&path)?
            .find_token(uri)
            .map_err(|e| token_error(&format!("--key {shown}"), None, &e))?;
        let pin = self.pin(&path, &token, uri.pin_source.as_deref())?;
        let module = self.module(&path)?;
        module
            .open_key(&token, uri, pin.as_ref().map(|p| p.as_slice()))
            .map_err(|e| token_error(&format!("--key {shown}"), Some(&token), &e))
    }
}

/// The environment variable that lets the static release binary load a module anyway.
#[cfg(feature = "pkcs11")]
pub const STATIC_OVERRIDE_ENV: &str = "SDKIT_PKCS11_IN_STATIC";

/// The statically linked release binary (`scripts/build-release.sh`, `crt-static`) refuses
/// to load a module unless told to: glibc's `dlopen` from a static program loads a second C
/// library beside the built-in one, which works only with some modules and only on the glibc
/// the binary was built with. Measured on Debian 12 (glibc 2.36, the build's own): SoftHSM 2
/// works (drill, keygen, tokens); OpenSC's `opensc-pkcs11.so` crashes the process (SIGSEGV)
/// before it lists a slot. A crash mid-ceremony is worse than this message.
#[cfg(feature = "pkcs11")]
fn refuse_in_static_build(path: &Path) -> Result<(), CliError> {
    if !cfg!(target_feature = "crt-static") || std::env::var_os(STATIC_OVERRIDE_ENV).is_some() {
        return Ok(());
    }
    Err(CliError::new(
        Exit::Input,
        format!(
            "{}: this sdkit is the statically linked release binary, which cannot load PKCS#11 modules reliably (SoftHSM works on the glibc it was built with; OpenSC's module crashes it)",
            path.shown()
        ),
    )
    .hint(format!(
        "use the dynamically linked build for keys on tokens (`cargo build --release`: target/release/sdkit), or set {STATIC_OVERRIDE_ENV}=1 to try this module anyway, only on the glibc version named in the binary's .build-info"
    )))
}

/// Asks for a token's PIN without echo, naming the token.
#[cfg(feature = "pkcs11")]
fn prompt_pin(token: &TokenInfo) -> Result<Zeroizing<Vec<u8>>, CliError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            Exit::Input,
            format!("{} needs its PIN and none was given", token.describe()),
        )
        .hint("give --pin-file FILE (its first line is the PIN) or pin-source=FILE in the URI, or run on a terminal to be asked"));
    }
    let p = rpassword::prompt_password(format!("PIN for {}: ", token.describe()))
        .map_err(|e| CliError::new(Exit::Input, format!("cannot read the PIN: {e}")))?;
    let p = Zeroizing::new(p.into_bytes());
    if p.is_empty() {
        return Err(CliError::new(
            Exit::Input,
            format!("no PIN typed for {}", token.describe()),
        ));
    }
    Ok(p)
}

/// Opens the token keys of a command, in the given order (`uris[i]` is `None` for key files).
#[cfg(feature = "pkcs11")]
pub fn open_token_keys(
    paths: &[PathBuf],
    uris: &[Option<Pkcs11Uri>],
    args: &KeyArgs,
) -> Result<Vec<Option<CustodianKey>>, CliError> {
    let mut sessions = TokenSessions::new(args);
    paths
        .iter()
        .zip(uris)
        .map(|(p, u)| {
            u.as_ref()
                .map(|u| {
                    sessions
                        .open(&p.display().to_string(), u)
                        .map(|k| CustodianKey::Token(Box::new(k)))
                })
                .transpose()
        })
        .collect()
}

/// Without token support, a `pkcs11:` key is refused with what to do.
#[cfg(not(feature = "pkcs11"))]
pub fn open_token_keys(
    paths: &[PathBuf],
    uris: &[Option<Pkcs11Uri>],
    _args: &KeyArgs,
) -> Result<Vec<Option<CustodianKey>>, CliError> {
    match paths.iter().zip(uris).find(|(_, u)| u.is_some()) {
        Some((p, _)) => Err(CliError::new(
            Exit::Usage,
            format!(
                "--key {}: this sdkit was built without PKCS#11 token support",
                p.shown()
            ),
        )
        .hint("use a build with the default features (cargo build --features pkcs11)")),
        None => Ok(paths.iter().map(|_| None).collect()),
    }
}
