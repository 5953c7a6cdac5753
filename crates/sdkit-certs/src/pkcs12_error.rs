//! Why a PKCS#12 file (`.pfx`/`.p12`) could not give a key, carried by
//! [`KeyLoadError::Pkcs12`](crate::KeyLoadError::Pkcs12).
//!
//! A wrong password is not here: it is [`KeyLoadError::WrongPassphrase`](crate::KeyLoadError),
//! as for any encrypted key, so that callers ask again the same way. Messages name structure
//! (OIDs, counts) only, never bytes of the file.

use core::fmt;

/// The re-export that turns a legacy PKCS#12 file into one sdkit reads. The private key stays
/// encrypted on disk in between (OpenSSL writes `tmp.pem` as an AES-256 PKCS#8 key); piping
/// `-nodes` output instead fails, as OpenSSL 3 `pkcs12 -export` reads standard input once
/// for the key and again for the certificate.
pub const PKCS12_REEXPORT_COMMAND: &str = "openssl pkcs12 -legacy -in OLD.pfx -out tmp.pem && \
     openssl pkcs12 -export -in tmp.pem -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 \
     -out NEW.pfx && rm tmp.pem";

/// What is wrong with a PKCS#12 file, other than its password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pkcs12Error {
    /// A part is encrypted with a legacy PKCS#12 cipher (RC2 or RC4, 40 or 128 bits, or
    /// two-key 3DES): what `openssl pkcs12 -export -legacy` and old Windows exports write for
    /// the certificates. 40-bit ciphers protect nothing today, so the file is refused before
    /// any password is asked, with the command that re-exports it.
    LegacyEncryption {
        /// The cipher's name and OID.
        scheme: String,
    },
    /// A part is protected with a scheme sdkit does not implement (an unknown cipher or MAC,
    /// PBMAC1, a public-key-signed file), or with a key-derivation cost above the limit a
    /// hostile file could abuse.
    UnsupportedScheme {
        /// Non-secret description of the scheme.
        scheme: String,
    },
    /// The file holds certificates but no private key (`openssl pkcs12 -export -nokeys`, or
    /// a Key Vault download of the certificate instead of the secret).
    NoPrivateKey {
        /// How many certificates it holds.
        certificates: usize,
    },
    /// The file holds more than one private key, so it does not say which custodian's key
    /// is meant.
    SeveralPrivateKeys {
        /// How many.
        count: usize,
    },
    /// More separately encrypted parts than a custodian's export has: each costs a key
    /// derivation, so a hostile file could make many.
    TooManyEncryptedParts {
        /// How many were found when the limit was passed (the file may have more).
        count: usize,
    },
    /// The file starts like a PKCS#12 file but is truncated or damaged.
    Malformed(String),
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LegacyEncryption { scheme } => write!(
                f,
                "this PKCS#12 file is encrypted with {scheme}, a legacy cipher sdkit refuses \
                 (40-bit RC2/RC4 protects nothing today); re-export it with AES: \
                 {PKCS12_REEXPORT_COMMAND} (with OpenSSL 1.1, leave out -legacy)"
            ),
            Self::UnsupportedScheme { scheme } => write!(
                f,
                "this PKCS#12 file uses {scheme}, which is not supported; re-export it: \
                 {PKCS12_REEXPORT_COMMAND}"
            ),
            Self::NoPrivateKey { certificates } => write!(
                f,
                "this PKCS#12 file holds no private key (only {certificates} certificate(s)); \
                 export the certificate together with its private key"
            ),
            Self::SeveralPrivateKeys { count } => write!(
                f,
                "this PKCS#12 file holds {count} private keys; export only the custodian's own \
                 key and certificate"
            ),
            Self::TooManyEncryptedParts { count } => write!(
                f,
                "this PKCS#12 file has {count} or more separately encrypted parts (at most {} are \
                 accepted); re-export the custodian's key and certificate alone",
                crate::pkcs12::MAX_ENCRYPTED_PARTS
            ),
            Self::Malformed(reason) => {
                write!(f, "the PKCS#12 file is truncated or damaged: {reason}")
            }
        }
    }
}

impl std::error::Error for Pkcs12Error {}
