//! A vendor's PKCS#11 module, loaded and started, and the tokens it shows.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use super::error::{TokenError, from_cryptoki};
use super::uri::Pkcs11Uri;

/// A loaded and initialised PKCS#11 module.
///
/// Loading a module runs the vendor's code in this process: it is as trusted as the path the
/// user gave.
pub struct TokenModule {
    ctx: Pkcs11,
    path: PathBuf,
}

/// What a slot's token says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The slot it is in (PKCS#11 slot id, for display).
    pub slot_id: u64,
    pub(crate) slot: Slot,
    /// `CKA_LABEL` of the token (trimmed).
    pub label: String,
    /// Manufacturer ID.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Whether a PIN must be given before private keys can be used.
    pub login_required: bool,
    /// Whether the PIN is entered on the device itself (a PIN pad): then sdkit asks for none.
    pub protected_authentication_path: bool,
    /// Whether the user PIN is locked.
    pub pin_locked: bool,
}

impl TokenInfo {
    /// How messages name the token: its label and serial.
    pub fn describe(&self) -> String {
        format!("token \"{}\" (serial {})", self.label, self.serial)
    }

    fn matches(&self, uri: &Pkcs11Uri) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&uri.token, &self.label)
            && eq(&uri.manufacturer, &self.manufacturer)
            && eq(&uri.model, &self.model)
            && eq(&uri.serial, &self.serial)
    }
}

impl TokenModule {
    /// Loads the module at `path` and initialises it (OS locking: drills call it from several
    /// threads). A module already initialised in this process is used as it is.
    ///
    /// # Errors
    /// [`TokenError::ModuleLoad`] when the file is not a loadable PKCS#11 library,
    /// [`TokenError::ModuleInit`] when it refuses to start.
    pub fn load(path: &Path) -> Result<Self, TokenError> {
        let load_error = |why: String| TokenError::ModuleLoad {
            path: path.to_owned(),
            why,
        };
        if !path.is_file() {
            return Err(load_error("no such file".to_owned()));
        }
        let ctx = Pkcs11::new(path).map_err(|e| match e {
            Error::LibraryLoading(l) => load_error(l.to_string()),
            Error::MissingSymbol(s) => load_error(format!("it has no {s}")),
            other => load_error(other.to_string()),
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => {
                let why = match e {
                    Error::Pkcs11(rv, _) => format!("C_Initialize returned {rv:?}"),
                    other => other.to_string(),
                };
                return Err(TokenError::ModuleInit {
                    path: path.to_owned(),
                    why,
                });
            }
        }
        Ok(TokenModule {
            ctx,
            path: path.to_owned(),
        })
    }

    /// The module's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every initialised token present, in slot order.
    ///
    /// # Errors
    /// [`TokenError::Device`] when the module cannot list its slots.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, TokenError> {
        let slots = self
            .ctx
            .get_slots_with_token()
            .map_err(|e| from_cryptoki(&e))?;
        let mut out = Vec::new();
        for slot in slots {
            let Ok(info) = self.ctx.get_token_info(slot) else {
                continue;
            };
            if !info.token_initialized() {
                continue;
            }
            out.push(TokenInfo {
                slot_id: slot.id(),
                slot,
                label: info.label().trim_end().to_owned(),
                manufacturer: info.manufacturer_id().trim_end().to_owned(),
                model: info.model().trim_end().to_owned(),
                serial: info.serial_number().trim_end().to_owned(),
                login_required: info.login_required(),
                protected_authentication_path: info.protected_authentication_path(),
                pin_locked: info.user_pin_locked(),
            });
        }
        Ok(out)
    }

    /// The one token the URI's token attributes select.
    ///
    /// # Errors
    /// [`TokenError::NoToken`] or [`TokenError::AmbiguousToken`].
    pub fn find_token(&self, uri: &Pkcs11Uri) -> Result<TokenInfo, TokenError> {
        let tokens = self.tokens()?;
        let mut matching: Vec<TokenInfo> =
            tokens.iter().filter(|t| t.matches(uri)).cloned().collect();
        match matching.len() {
            1 => Ok(matching.remove(0)),
            0 => Err(TokenError::NoToken {
                present: tokens.iter().map(TokenInfo::describe).collect(),
            }),
            _ => Err(TokenError::AmbiguousToken {
                matching: matching.iter().map(TokenInfo::describe).collect(),
            }),
        }
    }

    /// A session on `token`, logged in as the user with `pin` when one is given (a session
    /// of this process already logged in to the token counts as logged in).
    pub(crate) fn session(
        &self,
        token: &TokenInfo,
        pin: Option<&[u8]>,
        read_write: bool,
    ) -> Result<Session, TokenError> {
        if token.pin_locked {
            return Err(TokenError::PinLocked);
        }
        let session = if read_write {
            self.ctx.open_rw_session(token.slot)
        } else {
            self.ctx.open_ro_session(token.slot)
        }
        .map_err(|e| from_cryptoki(&e))?;
        if let Some(pin) = pin {
            let text = std::str::from_utf8(pin).map_err(|_| TokenError::PinIncorrect)?;
            let pin = AuthPin::from(text);
            match session.login(UserType::User, Some(&pin)) {
                Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(e) => return Err(from_cryptoki(&e)),
            }
        } else if token.protected_authentication_path && token.login_required {
            match session.login(UserType::User, None) {
                Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(e) => return Err(from_cryptoki(&e)),
            }
        }
        Ok(session)
    }

    /// The objects on `token` (logged in with `pin` when given: private keys are usually
    /// visible only then), grouped by CKA_ID, for `sdkit tokens`.
    ///
    /// # Errors
    /// A login or listing failure.
    pub fn objects(
        &self,
        token: &TokenInfo,
        pin: Option<&[u8]>,
    ) -> Result<Vec<TokenObject>, TokenError> {
        let session = self.session(token, pin, false)?;
        let mut out = Vec::new();
        for (class, kind) in [
            (ObjectClass::PRIVATE_KEY, ObjectKind::PrivateKey),
            (ObjectClass::PUBLIC_KEY, ObjectKind::PublicKey),
            (ObjectClass::CERTIFICATE, ObjectKind::Certificate),
        ] {
            let handles = session
                .find_objects(&[Attribute::Class(class)])
                .map_err(|e| from_cryptoki(&e))?;
            for h in handles {
                out.push(describe_object(&session, h, kind));
            }
        }
        Ok(out)
    }
}

/// What kind of object a [`TokenObject`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A private key.
    PrivateKey,
    /// A public key.
    PublicKey,
    /// A certificate.
    Certificate,
}

/// An object on a token, as `sdkit tokens` lists it.
#[derive(Clone, Debug)]
pub struct TokenObject {
    /// Private key, public key or certificate.
    pub kind: ObjectKind,
    /// CKA_LABEL, when it is text.
    pub label: Option<String>,
    /// CKA_ID.
    pub id: Vec<u8>,
    /// For keys: whether it is RSA; for certificates: whether the certificate's key is.
    pub rsa: bool,
    /// Modulus size, when known (RSA keys, certificates sdkit can read).
    pub bits: Option<usize>,
    /// For certificates: the certificate, when sdkit can read it.
    pub certificate: Option<crate::Certificate>,
}

fn describe_object(session: &Session, h: ObjectHandle, kind: ObjectKind) -> TokenObject {
    let attrs = session
        .get_attributes(
            h,
            &[
                AttributeType::Label,
                AttributeType::Id,
                AttributeType::KeyType,
                AttributeType::Modulus,
                AttributeType::Value,
            ],
        )
        .unwrap_or_default();
    let mut obj = TokenObject {
        kind,
        label: None,
        id: Vec::new(),
        rsa: false,
        bits: None,
        certificate: None,
    };
    for a in attrs {
        match a {
            Attribute::Label(l) => obj.label = String::from_utf8(l).ok(),
            Attribute::Id(id) => obj.id = id,
            Attribute::KeyType(t) => obj.rsa = t == KeyType::RSA,
            Attribute::Modulus(n) => {
                obj.bits = Some(crate::rsa_numbers::modulus_bits(
                    crate::rsa_numbers::strip_zeros(&n),
                ));
            }
            Attribute::Value(v) if kind == ObjectKind::Certificate => {
                if let Ok(c) = crate::Certificate::from_der(&v) {
                    obj.bits = c.key_bits();
                    obj.rsa = obj.bits.is_some();
                    obj.certificate = Some(c);
                }
            }
            _ => {}
        }
    }
    obj
}
