//! PKCS#12 files (`.pfx`/`.p12`): a custodian's private key together with its certificate,
//! as Key Vault, Terraform, Windows and `openssl pkcs12 -export` write them.
//!
//! The file is read in two passes over its structure. The first needs no password: it
//! checks the MAC and every encryption scheme in the clear parts, so a file sdkit cannot
//! read (40-bit RC2, PBMAC1, a cost beyond the limits) is refused before anybody types a
//! password. Then the MAC decides the password (an export without one opens with no
//! prompt), and the parts are decrypted and searched for exactly one private key and the
//! certificates. The certificate whose public key is the key's travels with the
//! [`PrivateKey`], so the key is matched to its share by thumbprint.

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Tag, TagNumber, Tagged};
use pkcs8::PrivateKeyInfoRef;
use pkcs12::cms::content_info::ContentInfo;
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::{AuthenticatedSafe, CertBag, Pfx, SafeBag};
use zeroize::Zeroizing;

use crate::key::{KeyFormat, from_pkcs8};
use crate::pkcs12_error::Pkcs12Error;
use crate::pkcs12_pbe::{self as pbe, MacCheck, Password, Pbe, malformed};
use crate::{Certificate, KeyLoadError, PrivateKey};

/// Most password-encrypted parts (encrypted SafeContents and shrouded keys) read from one
/// file. An export has two (the certificates, the key); each costs a key derivation of up
/// to [`MAX_PBKDF2_ITERATIONS`](crate::encrypted::MAX_PBKDF2_ITERATIONS) iterations (three
/// for 3DES: key and IV apart), paid before a wrong password shows, so this bounds what a
/// hostile file costs to a few seconds.
pub(crate) const MAX_ENCRYPTED_PARTS: usize = 4;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// Whether `bytes` begin like a PKCS#12 file: `SEQUENCE { INTEGER 3, SEQUENCE ...`. Only the
/// first bytes are looked at, so a truncated or damaged file is still recognised (and
/// reported as a damaged PKCS#12 file, not as "not a key"). No other input of this crate
/// starts so: a PKCS#8 or PKCS#1 key starts with version 0, a certificate with a SEQUENCE.
/// BER's indefinite length (`30 80`) is recognised too, to be refused by name.
pub(crate) fn looks_like_pfx(bytes: &[u8]) -> bool {
    let header_len = match bytes.get(1) {
        Some(l) if *l <= 0x80 => 2,
        Some(0x81) => 3,
        Some(0x82) => 4,
        Some(0x83) => 5,
        _ => return false,
    };
    bytes.first() == Some(&0x30)
        && bytes.get(header_len..header_len + 4) == Some(&[0x02, 0x01, 0x03, 0x30])
}

/// Loads the one RSA private key of a PKCS#12 file, with its certificate when the file
/// holds it. A file exported without a password opens whatever `passphrase` is (as an
/// unencrypted PEM key ignores one); otherwise `None` gives
/// [`KeyLoadError::PassphraseRequired`], after every check that needs no password.
pub(crate) fn load_pfx(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyLoadError> {
    let file = Parsed::read(der)?;
    let given = passphrase.map(Password::new);
    let password = match (file.mac(), given) {
        (Some(mac), Some(given)) if mac.verifies(&given) => given,
        (Some(mac), given) => Password::empty_candidates()
            .into_iter()
            .find(|p| mac.verifies(p))
            .ok_or(match given {
                Some(_) => KeyLoadError::WrongPassphrase,
                None => KeyLoadError::PassphraseRequired,
            })?,
        // Without a MAC, a wrong password shows only when decryption or parsing fails.
        (None, Some(given)) => given,
        (None, None) => return Err(KeyLoadError::PassphraseRequired),
    };
    let bags = file.open(&password)?;
    let mut keys = bags.keys;
    let key_der = match (keys.pop(), keys.len()) {
        (Some(k), 0) => k,
        (Some(_), others) => {
            return Err(Pkcs12Error::SeveralPrivateKeys { count: others + 1 }.into());
        }
        (None, _) => {
            return Err(Pkcs12Error::NoPrivateKey {
                certificates: bags.certificates.len(),
            }
            .into());
        }
    };
    // Without a MAC a wrong password can survive the padding check; then this is not PKCS#8.
    let info = PrivateKeyInfoRef::from_der(&key_der).map_err(|_| KeyLoadError::WrongPassphrase)?;
    let key = from_pkcs8(info, KeyFormat::Pkcs12)?;
    let certificate = bags
        .certificates
        .into_iter()
        .find(|c| c.matches_private_key(&key));
    Ok(key.with_pkcs12_origin(!password.is_empty(), certificate))
}

/// A PKCS#12 file after the password-free pass. A key stored without encryption (a plain
/// key bag, `-keypbe NONE`) sits in the clear parts: they are wiped on drop.
struct Parsed {
    /// The authenticated bytes and the MAC over them.
    auth_safe: Zeroizing<Vec<u8>>,
    mac: Option<pkcs12::MacData>,
    parts: Vec<Part>,
}

/// One ContentInfo of the AuthenticatedSafe.
enum Part {
    /// A SafeContents in the clear (typically the shrouded key), its bags read.
    Clear(Vec<SafeBag>),
    /// A password-encrypted SafeContents (typically the certificates).
    Encrypted { pbe: Pbe, ciphertext: Vec<u8> },
}

/// The bags that matter, decrypted.
struct Bags {
    /// PKCS#8 PrivateKeyInfo DER of each key.
    keys: Vec<Zeroizing<Vec<u8>>>,
    certificates: Vec<Certificate>,
    /// Password decryptions run so far, against [`MAX_ENCRYPTED_PARTS`]: shrouded keys
    /// inside encrypted parts are seen only now.
    decryptions: usize,
}

impl Bags {
    /// Counts one more decryption, refusing past the limit before its key derivation runs.
    fn one_more_decryption(&mut self) -> Result<(), Pkcs12Error> {
        self.decryptions += 1;
        if self.decryptions > MAX_ENCRYPTED_PARTS {
            return Err(Pkcs12Error::TooManyEncryptedParts {
                count: self.decryptions,
            });
        }
        Ok(())
    }
}

impl Parsed {
    /// Structure, MAC algorithm and every visible encryption scheme, with no password.
    fn read(der: &[u8]) -> Result<Self, Pkcs12Error> {
        if der.get(1) == Some(&0x80) {
            return Err(Pkcs12Error::UnsupportedScheme {
                scheme: "BER indefinite-length encoding (as some Windows and Java tools write)"
                    .into(),
            });
        }
        let pfx = Pfx::from_der(der).map_err(|e| malformed(format!("{e}")))?;
        if pfx.auth_safe.content_type == ID_SIGNED_DATA {
            return Err(Pkcs12Error::UnsupportedScheme {
                scheme: "public-key integrity mode (a signed PFX)".into(),
            });
        }
        let auth_safe = data_content(&pfx.auth_safe)?;
        let infos = AuthenticatedSafe::from_der(&auth_safe)
            .map_err(|e| malformed(format!("AuthenticatedSafe: {e}")))?;
        let mut parts = Vec::with_capacity(infos.len());
        let mut encrypted = 0;
        for info in &infos {
            let part = if info.content_type == ID_ENCRYPTED_DATA {
                let data: EncryptedData = info
                    .content
                    .decode_as()
                    .map_err(|e| malformed(format!("EncryptedData: {e}")))?;
                let eci = data.enc_content_info;
                let ciphertext = eci
                    .encrypted_content
                    .map(|c| c.into_bytes().into_vec())
                    .unwrap_or_default();
                Part::Encrypted {
                    pbe: pbe::classify(&eci.content_enc_alg)?,
                    ciphertext,
                }
            } else {
                let bags = safe_contents(&data_content(info)?)?;
                for bag in &bags {
                    if bag.bag_id == SHROUDED_KEY_BAG {
                        shrouded_key(bag)?;
                        encrypted += 1;
                    }
                }
                Part::Clear(bags)
            };
            encrypted += usize::from(matches!(part, Part::Encrypted { .. }));
            parts.push(part);
        }
        if encrypted > MAX_ENCRYPTED_PARTS {
            return Err(Pkcs12Error::TooManyEncryptedParts { count: encrypted });
        }
        let file = Self {
            auth_safe: Zeroizing::new(auth_safe),
            mac: pfx.mac_data,
            parts,
        };
        if let Some(mac) = file.mac() {
            mac.check_supported()?;
        }
        Ok(file)
    }

    fn mac(&self) -> Option<MacCheck<'_>> {
        self.mac.as_ref().map(|mac| MacCheck {
            mac,
            content: &self.auth_safe,
        })
    }

    /// Decrypts every part and collects keys and X.509 certificates; other bags (CRLs,
    /// secrets, nested SafeContents, attributes) are ignored.
    fn open(&self, password: &Password) -> Result<Bags, KeyLoadError> {
        let mut out = Bags {
            keys: Vec::new(),
            certificates: Vec::new(),
            decryptions: 0,
        };
        for part in &self.parts {
            match part {
                Part::Clear(bags) => collect(bags, password, &mut out)?,
                Part::Encrypted { pbe, ciphertext } => {
                    out.one_more_decryption()?;
                    let plain = pbe::decrypt(pbe, password, ciphertext)?
                        .ok_or(KeyLoadError::WrongPassphrase)?;
                    // Bags of a decrypted part are parsed from the wiped buffer; a shrouded
                    // key inside is decrypted in turn, a plain key copied to a wiped buffer.
                    let bags = safe_contents(&plain).map_err(|e| match self.mac {
                        Some(_) => KeyLoadError::from(e),
                        None => KeyLoadError::WrongPassphrase,
                    })?;
                    let collected = collect(&bags, password, &mut out);
                    wipe(bags);
                    collected?;
                }
            }
        }
        Ok(out)
    }
}

/// Adds the keys and certificates among `bags` to `out`.
fn collect(bags: &[SafeBag], password: &Password, out: &mut Bags) -> Result<(), KeyLoadError> {
    for bag in bags {
        if bag.bag_id == KEY_BAG {
            out.keys
                .push(Zeroizing::new(explicit_0(&bag.bag_value)?.to_vec()));
        } else if bag.bag_id == SHROUDED_KEY_BAG {
            let (pbe, ciphertext) = shrouded_key(bag)?;
            out.one_more_decryption()?;
            let plain =
                pbe::decrypt(&pbe, password, ciphertext)?.ok_or(KeyLoadError::WrongPassphrase)?;
            out.keys.push(plain);
        } else if bag.bag_id == CERT_BAG {
            let cert_bag = CertBag::from_der(explicit_0(&bag.bag_value)?)
                .map_err(|e| malformed(format!("CertBag: {e}")))?;
            if cert_bag.cert_id == X509_CERTIFICATE {
                let cert = Certificate::from_der(cert_bag.cert_value.as_bytes())
                    .map_err(|e| malformed(format!("certificate bag: {e}")))?;
                out.certificates.push(cert);
            }
        }
    }
    Ok(())
}

/// A shrouded key bag's encryption scheme (checked) and ciphertext.
fn shrouded_key(bag: &SafeBag) -> Result<(Pbe, &[u8]), Pkcs12Error> {
    // Not `pkcs8::EncryptedPrivateKeyInfo`: it decodes only the schemes `pkcs5` knows.
    let inner = explicit_0(&bag.bag_value)?;
    let (alg, ciphertext) = der::asn1::AnyRef::from_der(inner)
        .and_then(|any| {
            any.sequence(|r| {
                let alg: spki::AlgorithmIdentifierOwned = der::Reader::decode(r)?;
                let data: &der::asn1::OctetStringRef = der::Reader::decode(r)?;
                Ok((alg, data.as_bytes()))
            })
        })
        .map_err(|e| malformed(format!("shrouded key bag: {e}")))?;
    Ok((pbe::classify(&alg)?, ciphertext))
}

/// The value inside a bag's `[0] EXPLICIT` wrapper (the `pkcs12` crate keeps the wrapper).
fn explicit_0(wrapped: &[u8]) -> Result<&[u8], Pkcs12Error> {
    let any = der::asn1::AnyRef::from_der(wrapped).map_err(|e| malformed(format!("bag: {e}")))?;
    let expected = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(0),
    };
    if any.tag() != expected {
        return Err(malformed("a bag value without its [0] tag"));
    }
    Ok(any.value())
}

/// The OCTET STRING content of an `id-data` ContentInfo.
fn data_content(info: &ContentInfo) -> Result<Vec<u8>, Pkcs12Error> {
    if info.content_type != ID_DATA {
        return Err(Pkcs12Error::UnsupportedScheme {
            scheme: format!("a content of type {}", info.content_type),
        });
    }
    let octets: OctetString = info
        .content
        .decode_as()
        .map_err(|e| malformed(format!("data content: {e}")))?;
    Ok(octets.into_bytes().into_vec())
}

fn safe_contents(der: &[u8]) -> Result<Vec<SafeBag>, Pkcs12Error> {
    Vec::<SafeBag>::from_der(der).map_err(|e| malformed(format!("SafeContents: {e}")))
}

/// Zeroes the bag values of a SafeContents (a plain key bag holds a key).
fn wipe(mut bags: Vec<SafeBag>) {
    use zeroize::Zeroize;
    for bag in &mut bags {
        bag.bag_value.zeroize();
    }
}

impl Drop for Parsed {
    fn drop(&mut self) {
        for part in self.parts.drain(..) {
            if let Part::Clear(bags) = part {
                wipe(bags);
            }
        }
    }
}

impl From<Pkcs12Error> for KeyLoadError {
    fn from(e: Pkcs12Error) -> Self {
        KeyLoadError::Pkcs12(e)
    }
}
