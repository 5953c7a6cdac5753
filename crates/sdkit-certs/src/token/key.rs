//! A custodian's RSA private key that stays on its token.
//!
//! Shares are wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256, empty label). The token is asked
//! for exactly that first (`CKM_RSA_PKCS_OAEP`); many refuse those parameters (SoftHSM
//! implements OAEP with SHA-1 only, YubiKey PIV does nothing but raw RSA), and then every
//! later decryption is the bare RSA operation on the token (`CKM_RSA_X_509`) with the OAEP
//! padding undone on the host by `sdkit_core::oaep_decode`, in constant time. Either way every
//! failure is the one opaque [`DecryptError`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use sdkit_core::aead::DecryptError;
use zeroize::Zeroizing;

use super::error::{TokenError, from_cryptoki};
use super::module::{TokenInfo, TokenModule};
use super::uri::Pkcs11Uri;
use crate::limits::{MAX_RSA_BITS, MIN_RSA_BITS};
use crate::rsa_numbers::{modulus_bits, strip_zeros};

/// Not yet known whether the token does OAEP-SHA-256 itself.
const MODE_UNKNOWN: u8 = 0;
/// The token decrypts OAEP-SHA-256 itself.
const MODE_OAEP: u8 = 1;
/// The token does raw RSA; sdkit decodes OAEP.
const MODE_RAW: u8 = 2;

/// An RSA private key on a PKCS#11 token, logged in and ready to decrypt.
///
/// The session is behind a mutex: a PKCS#11 session runs one operation at a time, and drills
/// unwrap shares on several threads.
pub struct TokenKey {
    session: Mutex<Session>,
    handle: ObjectHandle,
    modulus: Vec<u8>,
    public_exponent: Vec<u8>,
    token: TokenInfo,
    label: Option<String>,
    id: Vec<u8>,
    certificate: Option<crate::Certificate>,
    mode: AtomicU8,
}

impl TokenModule {
    /// Logs in to the URI's token with `pin` (none for tokens that need no login or have a PIN
    /// pad) and finds the one RSA private key its object/id names, with the certificate of
    /// the same CKA_ID when the token holds one.
    ///
    /// # Errors
    /// See [`TokenError`]: PIN refused or locked, no or several matching keys, not RSA, or a
    /// key size sdkit does not accept.
    pub fn open_key(
        &self,
        token: &TokenInfo,
        uri: &Pkcs11Uri,
        pin: Option<&[u8]>,
    ) -> Result<TokenKey, TokenError> {
        let session = self.session(token, pin, false)?;
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        if let Some(id) = &uri.id {
            template.push(Attribute::Id(id.clone()));
        }
        if let Some(label) = &uri.object {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        let found = session
            .find_objects(&template)
            .map_err(|e| from_cryptoki(&e))?;
        let handle = match found.as_slice() {
            [] => return Err(TokenError::NoKey),
            [one] => *one,
            many => return Err(TokenError::AmbiguousKey { count: many.len() }),
        };
        let attrs = session
            .get_attributes(
                handle,
                &[
                    AttributeType::KeyType,
                    AttributeType::Modulus,
                    AttributeType::PublicExponent,
                    AttributeType::Label,
                    AttributeType::Id,
                ],
            )
            .map_err(|e| from_cryptoki(&e))?;
        let (mut rsa, mut modulus, mut public_exponent, mut label, mut id) =
            (false, Vec::new(), Vec::new(), None, Vec::new());
        for a in attrs {
            match a {
                Attribute::KeyType(t) => rsa = t == KeyType::RSA,
                Attribute::Modulus(n) => modulus = strip_zeros(&n).to_vec(),
                Attribute::PublicExponent(e) => public_exponent = strip_zeros(&e).to_vec(),
                Attribute::Label(l) => label = String::from_utf8(l).ok(),
                Attribute::Id(i) => id = i,
                _ => {}
            }
        }
        if !rsa || modulus.is_empty() || public_exponent.is_empty() {
            return Err(TokenError::NotRsa);
        }
        let bits = modulus_bits(&modulus);
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(TokenError::KeySize { bits });
        }
        let certificate = certificate_with_id(&session, &id, &modulus, &public_exponent);
        Ok(TokenKey {
            session: Mutex::new(session),
            handle,
            modulus,
            public_exponent,
            token: token.clone(),
            label,
            id,
            certificate,
            mode: AtomicU8::new(MODE_UNKNOWN),
        })
    }
}

/// The certificate object with the key's CKA_ID, when there is exactly one sdkit can read and
/// it is this key's (a certificate that is not is ignored: matching then falls back to trial
/// decryption, as for a key file without its certificate).
pub(crate) fn certificate_with_id(
    session: &Session,
    id: &[u8],
    modulus: &[u8],
    public_exponent: &[u8],
) -> Option<crate::Certificate> {
    if id.is_empty() {
        return None;
    }
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::Id(id.to_vec()),
        ])
        .ok()?;
    found.into_iter().find_map(|h| {
        let attrs = session.get_attributes(h, &[AttributeType::Value]).ok()?;
        let der = attrs.into_iter().find_map(|a| match a {
            Attribute::Value(v) => Some(v),
            _ => None,
        })?;
        let cert = crate::Certificate::from_der(&der).ok()?;
        cert.matches_public_numbers(modulus, public_exponent)
            .then_some(cert)
    })
}

impl TokenKey {
    /// The token it is on.
    pub fn token(&self) -> &TokenInfo {
        &self.token
    }

    /// Its CKA_LABEL, when it is text.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// Its CKA_ID.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The token's certificate for this key (same CKA_ID, same public key), if it holds one.
    pub fn certificate(&self) -> Option<&crate::Certificate> {
        self.certificate.as_ref()
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        modulus_bits(&self.modulus)
    }

    /// The modulus n, big-endian, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The public exponent e, big-endian, without leading zeros.
    pub fn public_exponent(&self) -> &[u8] {
        &self.public_exponent
    }

    /// Whether the token decrypts OAEP-SHA-256 itself (`Some(true)`), sdkit decodes the
    /// padding on the host (`Some(false)`), or no decryption has told yet (`None`).
    pub fn oaep_on_token(&self) -> Option<bool> {
        match self.mode.load(Ordering::Relaxed) {
            MODE_OAEP => Some(true),
            MODE_RAW => Some(false),
            _ => None,
        }
    }

    fn decrypt(
        &self,
        mechanism: &Mechanism<'_>,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // A poisoned lock means another thread panicked mid-operation; the session itself is
        // still a session, and the operation it was in has ended with the panic's C call.
        let session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        session
            .decrypt(mechanism, self.handle, ciphertext)
            .map(Zeroizing::new)
    }

    fn decrypt_raw(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        let k = self.modulus.len();
        let raw = self
            .decrypt(&Mechanism::RsaX509, ciphertext)
            .map_err(|_| DecryptError)?;
        // Tokens return the integer m as k octets, or (some) without its leading zero octets:
        // restore I2OSP(m, k) before decoding. Every encoded message starts with a zero.
        if raw.len() > k {
            return Err(DecryptError);
        }
        let mut em = Zeroizing::new(vec![0u8; k]);
        em[k - raw.len()..].copy_from_slice(&raw);
        sdkit_core::oaep_decode::decode_eme_oaep_sha256(&em)
    }
}

/// Whether a token's refusal means "not these OAEP parameters" (then raw RSA is used), as
/// opposed to a decryption that failed.
fn refuses_oaep_sha256(e: &Error) -> bool {
    matches!(
        e,
        Error::Pkcs11(
            RvError::MechanismInvalid
                | RvError::MechanismParamInvalid
                | RvError::ArgumentsBad
                | RvError::FunctionNotSupported
                | RvError::KeyFunctionNotPermitted
                | RvError::KeyTypeInconsistent,
            _
        ) | Error::NotSupported
    )
}

impl sdkit_core::OaepDecryptKey for TokenKey {
    fn modulus_len(&self) -> usize {
        self.modulus.len()
    }

    fn decrypt_oaep_sha256(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        if ciphertext.len() != self.modulus.len() {
            return Err(DecryptError);
        }
        if self.mode.load(Ordering::Relaxed) == MODE_RAW {
            return self.decrypt_raw(ciphertext);
        }
        let params = PkcsOaepParams::new(
            MechanismType::SHA256,
            PkcsMgfType::MGF1_SHA256,
            PkcsOaepSource::empty(),
        );
        match self.decrypt(&Mechanism::RsaPkcsOaep(params), ciphertext) {
            Ok(m) => {
                self.mode.store(MODE_OAEP, Ordering::Relaxed);
                Ok(m)
            }
            Err(e)
                if self.mode.load(Ordering::Relaxed) == MODE_UNKNOWN && refuses_oaep_sha256(&e) =>
            {
                self.mode.store(MODE_RAW, Ordering::Relaxed);
                self.decrypt_raw(ciphertext)
            }
            Err(_) => Err(DecryptError),
        }
    }
}

/// Names the token and key, never anything secret.
impl core::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenKey")
            .field("token", &self.token.describe())
            .field("label", &self.label)
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}
