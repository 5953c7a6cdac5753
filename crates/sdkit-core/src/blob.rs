//! The restore blob: what `az keyvault security-domain upload` sends to a new HSM.
//!
//! It holds the SD's items re-encrypted under a **fresh** master key, and that key wrapped to
//! the new HSM's exchange ("transfer") certificate with RSA-OAEP-256. The custodians' shares
//! never leave the offline machine. [`RestoreBlob::seal`] builds one (the offline half of
//! recovery), [`RestoreBlob::open`] plays the HSM in a drill: it unwraps the key with the
//! exchange private key and authenticates every item.
//!
//! Serialization follows the `az` CLI exactly: Python's default `json.dumps` style (`", "`
//! and `": "` separators, ASCII-only strings), keys `EncData` (`data`, `kdf`) then
//! `WrappedKey` (`enc_key`, `x5t_256`), no trailing newline. Keys and IVs are random, so
//! compatibility means the same structure and encodings, not the same bytes.

use crate::domain::{self, DataItem, DomainError, Finding, KDF_NAME, Reader};
use crate::jwe::{self, CompactJwe};
use crate::kdf::derive_item_key;
use crate::oaep_key::OaepDecryptKey;
use crate::pyjson;
use crate::recover::RecoveredItem;
use crate::secret::{MASTER_KEY_LEN, MasterKey};
use crate::thumbprint::Thumbprint;
use core::fmt;
use rsa::PublicKey;
use rsa::traits::PublicKeyParts;

/// The smallest exchange key accepted (Managed HSM's own are RSA-4096; `az` requires 2048).
pub const MIN_EXCHANGE_KEY_BITS: usize = 2048;

/// The `kid` the `az` CLI writes in the wrapped-key JWE header.
pub const WRAPPED_KEY_KID: &str = "not used";

/// A parsed or freshly sealed restore blob. Holds only ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreBlob {
    items: Vec<DataItem>,
    wrapped_key: CompactJwe,
    exchange_thumbprint: Thumbprint,
    findings: Vec<Finding>,
}

/// Why a restore blob could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The exchange key is shorter than [`MIN_EXCHANGE_KEY_BITS`].
    ExchangeKeyTooSmall {
        /// Its size in bits.
        bits: usize,
    },
    /// There are no items to carry.
    NoItems,
    /// The random generator or an RSA operation failed.
    Encrypt,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::ExchangeKeyTooSmall { bits } => write!(
                f,
                "the exchange key is RSA-{bits}; at least {MIN_EXCHANGE_KEY_BITS} bits are required (Managed HSM uses 4096)"
            ),
            SealError::NoItems => f.write_str("there are no items to put in the restore blob"),
            SealError::Encrypt => {
                f.write_str("encryption failed: the random generator or the RSA operation failed")
            }
        }
    }
}

impl std::error::Error for SealError {}

/// Why a restore blob could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The exchange private key does not unwrap the blob's key: the blob was made for another
    /// exchange key, or it was altered (deliberately one opaque case).
    WrongKeyOrAltered,
    /// The unwrapped key is not a 32-byte master key.
    BadMasterKeyLength {
        /// Its length.
        len: usize,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::WrongKeyOrAltered => f.write_str(
                "the exchange private key does not open this blob: it was made for another exchange key, or altered",
            ),
            OpenError::BadMasterKeyLength { len } => {
                write!(f, "the wrapped key is {len} bytes, not a {MASTER_KEY_LEN}-byte master key")
            }
        }
    }
}

impl std::error::Error for OpenError {}

impl RestoreBlob {
    /// Re-encrypts `items` (tag, plaintext) under a fresh master key wrapped to the exchange
    /// key, exactly as `az keyvault security-domain restore-blob` does.
    ///
    /// # Errors
    /// [`SealError`] for a small exchange key, no items, or a failing RNG.
    pub fn seal<'a, R: rand_core::TryCryptoRng + ?Sized>(
        items: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        exchange_key: &PublicKey,
        exchange_thumbprint: Thumbprint,
        rng: &mut R,
    ) -> Result<RestoreBlob, SealError> {
        let bits = exchange_key.size() * 8;
        if bits < MIN_EXCHANGE_KEY_BITS {
            return Err(SealError::ExchangeKeyTooSmall { bits });
        }
        let master = MasterKey::random(rng).map_err(|_| SealError::Encrypt)?;
        let mut sealed = Vec::new();
        for (tag, plaintext) in items {
            let jwe = CompactJwe::encrypt_dir(&derive_item_key(&master, tag), tag, plaintext, rng)
                .map_err(|_| SealError::Encrypt)?;
            sealed.push(DataItem {
                tag: tag.to_owned(),
                jwe,
            });
        }
        if sealed.is_empty() {
            return Err(SealError::NoItems);
        }
        let wrapped_key =
            CompactJwe::encrypt_rsa_oaep_256(exchange_key, WRAPPED_KEY_KID, master.expose(), rng)
                .map_err(|_| SealError::Encrypt)?;
        Ok(RestoreBlob {
            items: sealed,
            wrapped_key,
            exchange_thumbprint,
            findings: Vec::new(),
        })
    }

    /// Seals the items of a successful recovery.
    ///
    /// # Errors
    /// As [`RestoreBlob::seal`]; items that did not authenticate are refused as [`SealError::NoItems`]
    /// only when none did (callers check authenticity first).
    pub fn seal_recovered<R: rand_core::TryCryptoRng + ?Sized>(
        items: &[RecoveredItem],
        exchange_key: &PublicKey,
        exchange_thumbprint: Thumbprint,
        rng: &mut R,
    ) -> Result<RestoreBlob, SealError> {
        let pairs = items.iter().filter_map(|i| {
            i.plaintext
                .as_ref()
                .ok()
                .map(|p| (i.tag.as_str(), p.expose()))
        });
        Self::seal(pairs, exchange_key, exchange_thumbprint, rng)
    }

    /// Parses a restore blob: the bare file `restore-blob` writes, or the `{"value": …}`
    /// body `upload` sends.
    ///
    /// # Errors
    /// [`DomainError`] naming the field at fault.
    pub fn parse(bytes: &[u8]) -> Result<RestoreBlob, DomainError> {
        if bytes.len() > domain::MAX_SD_BYTES {
            return Err(DomainError::TooLarge { len: bytes.len() });
        }
        let mut findings = Vec::new();
        let root = domain::parse_maybe_wrapped(bytes, &mut findings)?;
        let mut r = Reader {
            findings: &mut findings,
        };
        let top = r.object(&root, "the file")?;
        r.unknown(top, "", &["EncData", "WrappedKey"]);
        let (items, _kdf_present) = domain::read_enc_data(&mut r, top)?;
        let wk = r.object(r.field(top, "", "WrappedKey")?, "WrappedKey")?;
        r.unknown(wk, "WrappedKey", &["enc_key", "x5t_256"]);
        let exchange_thumbprint = Thumbprint::parse(r.string(wk, "WrappedKey", "x5t_256")?)
            .map_err(|_| DomainError::BadThumbprint {
                path: "WrappedKey.x5t_256".into(),
            })?;
        let wrapped_key = r.jwe(
            r.string(wk, "WrappedKey", "enc_key")?,
            "WrappedKey.enc_key",
            jwe::ALG_RSA_OAEP_256,
        )?;
        Ok(RestoreBlob {
            items,
            wrapped_key,
            exchange_thumbprint,
            findings,
        })
    }

    /// The items, re-encrypted under the blob's master key.
    pub fn items(&self) -> &[DataItem] {
        &self.items
    }

    /// Thumbprint of the exchange certificate the blob is for.
    pub fn exchange_thumbprint(&self) -> Thumbprint {
        self.exchange_thumbprint
    }

    /// The wrapped master key JWE.
    pub fn wrapped_key(&self) -> &CompactJwe {
        &self.wrapped_key
    }

    /// What was odd but not fatal when parsing.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Unwraps the master key with the exchange private key and decrypts every item (each
    /// item's result is reported separately).
    ///
    /// # Errors
    /// [`OpenError`] when the key does not unwrap the master key.
    pub fn open(
        &self,
        exchange_private_key: &dyn OaepDecryptKey,
    ) -> Result<Vec<RecoveredItem>, OpenError> {
        let raw = self
            .wrapped_key
            .decrypt_rsa_oaep_256(exchange_private_key)
            .map_err(|_| OpenError::WrongKeyOrAltered)?;
        let master = MasterKey::from_slice(raw.expose())
            .ok_or(OpenError::BadMasterKeyLength { len: raw.len() })?;
        Ok(self
            .items
            .iter()
            .map(|it| RecoveredItem {
                tag: it.tag.clone(),
                plaintext: it.jwe.decrypt_dir(&derive_item_key(&master, &it.tag)),
            })
            .collect())
    }

    /// The blob as `az keyvault security-domain restore-blob` writes it.
    pub fn to_json(&self) -> String {
        let data: Vec<String> = self
            .items
            .iter()
            .map(|it| {
                format!(
                    "{{\"compact_jwe\": {}, \"tag\": {}}}",
                    pyjson::string(&it.jwe.as_compact()),
                    pyjson::string(&it.tag)
                )
            })
            .collect();
        format!(
            "{{\"EncData\": {{\"data\": [{}], \"kdf\": {}}}, \"WrappedKey\": {{\"enc_key\": {}, \"x5t_256\": {}}}}}",
            data.join(", "),
            pyjson::string(KDF_NAME),
            pyjson::string(&self.wrapped_key.as_compact()),
            pyjson::string(&self.exchange_thumbprint.to_base64url())
        )
    }
}
