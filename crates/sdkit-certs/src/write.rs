//! Writing certificates and private keys in the encodings other tools read.
//!
//! Certificates are public and written as standard PEM (or DER), plus the
//! exact quirky layout `az keyvault security-domain init-recovery` uses, so
//! that a generated stand-in exchange certificate is indistinguishable from
//! a real one.
//!
//! Private keys are written as PKCS#8, unencrypted or PBES2-encrypted with
//! AES-256-CBC. Every buffer that holds key bytes or their base64 text is
//! zeroized on drop, and the PEM text is built in a buffer allocated at its
//! final size so that no reallocation leaves a stray copy behind.

use der::Decode;
use pkcs8::pkcs5::{pbes2, scrypt};
use pkcs8::{EncodePrivateKey, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use base64ct::{Base64, Encoding};

use crate::{Certificate, GenerateError, GeneratedKey};

/// Password-based key derivation for encrypted key files (PBES2, RFC 8018).
/// The cipher is always AES-256-CBC, the one every PKCS#8 reader supports.
///
/// The default is [`PbeKdf::Pbkdf2Sha256`], for reach. Both variants are
/// read by OpenSSL 1.1+/3.x (`openssl pkey -passin`) and by Python
/// `cryptography` (both checked by this crate's interop tests), but scrypt
/// inside PBES2 is an extension that other readers lack: OpenSSL 1.0.x,
/// and to our knowledge .NET, Java and BoringSSL, all of which read PBKDF2.
/// A recovery key may be needed years from now on whatever machine is at
/// hand, so the most widely readable choice wins over scrypt's memory
/// hardness. At [`PBKDF2_ITERATIONS`] a passphrase guess costs about 0.1 s
/// of CPU (scrypt at its OpenSSL-compatible cost: about 0.04 s, but also
/// 16 MiB of memory, which hinders GPU attackers); a long passphrase
/// matters far more than either choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PbeKdf {
    /// scrypt with N = 2^14, r = 8, p = 1 (16 MiB). OpenSSL refuses to read
    /// scrypt with N >= 2^15 (its default 32 MiB memory limit), so N cannot
    /// be raised without making the file unreadable there.
    Scrypt,
    /// PBKDF2-HMAC-SHA256, [`PBKDF2_ITERATIONS`] iterations, 16-byte salt.
    #[default]
    Pbkdf2Sha256,
}

/// PBKDF2-HMAC-SHA256 iteration count for [`PbeKdf::Pbkdf2Sha256`] (OWASP
/// Password Storage Cheat Sheet, 2023).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// scrypt log2(N) for [`PbeKdf::Scrypt`]; see the variant for why 14.
pub const SCRYPT_LOG_N: u8 = 14;

const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const SALT_LEN: usize = 16;
const AES_BLOCK: usize = 16;

/// Standard PEM line width (RFC 7468).
const PEM_WIDTH: usize = 64;
/// Line width of `az keyvault security-domain init-recovery` output.
const AZ_PEM_WIDTH: usize = 65;

/// The certificate as standard PEM: `CERTIFICATE` label, 64-character
/// lines, LF line endings, final newline.
pub fn certificate_pem(cert: &Certificate) -> String {
    take(pem("CERTIFICATE", cert.der(), PEM_WIDTH, FinalNewline::Yes))
}

/// The certificate exactly as `az keyvault security-domain init-recovery`
/// writes the exchange certificate: BEGIN line, base64 in 65-character
/// lines, END line, joined by LF with **no** final newline.
pub fn certificate_pem_az_style(cert: &Certificate) -> String {
    take(pem(
        "CERTIFICATE",
        cert.der(),
        AZ_PEM_WIDTH,
        FinalNewline::No,
    ))
}

/// The certificate's DER encoding (for `.cer` files that Windows and Azure
/// portal users expect to be binary).
pub fn certificate_der(cert: &Certificate) -> Vec<u8> {
    cert.der().to_vec()
}

/// The private key as unencrypted PKCS#8 PEM (`PRIVATE KEY`), the format
/// `openssl genpkey` writes and Azure's own samples use.
///
/// # Errors
/// [`GenerateError::KeyEncoding`] if the key cannot be encoded (the `rsa`
/// crate refuses keys with more than two primes); never for keys from
/// [`generate_rsa_key`](crate::generate_rsa_key).
pub fn private_key_pem_unencrypted(key: &GeneratedKey) -> Result<Zeroizing<String>, GenerateError> {
    let der = key
        .rsa()
        .to_pkcs8_der()
        .map_err(|e| GenerateError::KeyEncoding(e.to_string()))?;
    Ok(pem(
        "PRIVATE KEY",
        der.as_bytes(),
        PEM_WIDTH,
        FinalNewline::Yes,
    ))
}

/// The private key as encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`):
/// PBES2 with `kdf` (fresh random 16-byte salt) and AES-256-CBC (fresh
/// random IV).
///
/// # Errors
/// [`GenerateError::EmptyPassphrase`] for an empty passphrase,
/// [`GenerateError::Random`] if no salt or IV can be drawn,
/// [`GenerateError::KeyEncoding`] if encoding or encryption fails.
pub fn private_key_pem_encrypted(
    key: &GeneratedKey,
    passphrase: &[u8],
    kdf: PbeKdf,
) -> Result<Zeroizing<String>, GenerateError> {
    if passphrase.is_empty() {
        return Err(GenerateError::EmptyPassphrase);
    }
    let encoding = |e: &dyn core::fmt::Display| GenerateError::KeyEncoding(e.to_string());
    let plain = key.rsa().to_pkcs8_der().map_err(|e| encoding(&e))?;
    let info = PrivateKeyInfoRef::from_der(plain.as_bytes()).map_err(|e| encoding(&e))?;
    crate::provider::check_pbe_kdf_allowed(kdf)?;
    let encrypted = crate::provider::pbes2_encrypt(pbes2_params(kdf)?, passphrase, &info)
        .map_err(|e| encoding(&e))?;
    Ok(pem(
        "ENCRYPTED PRIVATE KEY",
        encrypted.as_bytes(),
        PEM_WIDTH,
        FinalNewline::Yes,
    ))
}

/// PBES2 parameters for `kdf` with a fresh salt and IV from the OS.
fn pbes2_params(kdf: PbeKdf) -> Result<pbes2::Parameters, GenerateError> {
    let mut salt = [0u8; SALT_LEN];
    let mut iv = [0u8; AES_BLOCK];
    let random = |e: sdkit_core::provider::RandomError| GenerateError::Random(e.to_string());
    sdkit_core::provider::random_bytes(&mut salt).map_err(random)?;
    sdkit_core::provider::random_bytes(&mut iv).map_err(random)?;
    let encoding = |e: &dyn core::fmt::Display| GenerateError::KeyEncoding(e.to_string());
    match kdf {
        PbeKdf::Pbkdf2Sha256 => {
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, iv)
                .map_err(|e| encoding(&e))
        }
        PbeKdf::Scrypt => {
            let cost =
                scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P).map_err(|e| encoding(&e))?;
            pbes2::Parameters::generate_scrypt_aes256cbc(cost, &salt, iv).map_err(|e| encoding(&e))
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FinalNewline {
    Yes,
    No,
}

/// PEM text for `der`: BEGIN line, base64 in `width`-character lines, END
/// line, LF line endings. Built in a zeroizing buffer of the exact final
/// size, since `der` may be a private key.
fn pem(label: &str, der: &[u8], width: usize, final_newline: FinalNewline) -> Zeroizing<String> {
    let b64 = Zeroizing::new(Base64::encode_string(der));
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let lines = b64.len().div_ceil(width);
    let capacity = begin.len() + end.len() + b64.len() + lines + 2;
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    out.push_str(&begin);
    out.push('\n');
    // Base64 is ASCII, so any byte offset is a character boundary.
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(width.min(rest.len()));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(&end);
    if final_newline == FinalNewline::Yes {
        out.push('\n');
    }
    out
}

/// Moves a public PEM string out of its zeroizing wrapper.
fn take(mut text: Zeroizing<String>) -> String {
    core::mem::take(&mut *text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn pem_layouts() {
        let der: Vec<u8> = (0u8..=99).collect(); // 136 base64 characters
        let std = pem("X", &der, 64, FinalNewline::Yes);
        let lines: Vec<&str> = std.split('\n').collect();
        assert_eq!(lines[0], "-----BEGIN X-----");
        assert_eq!(
            lines[1..4].iter().map(|l| l.len()).collect::<Vec<_>>(),
            [64, 64, 8]
        );
        assert_eq!(lines[4], "-----END X-----");
        assert_eq!(lines[5], "");
        assert_eq!(std.len(), std.capacity(), "allocated once, exactly");

        let az = pem("X", &der, 65, FinalNewline::No);
        assert!(az.ends_with("-----END X-----"));
        assert_eq!(
            az.lines().map(str::len).collect::<Vec<_>>(),
            [17, 65, 65, 6, 15]
        );

        // Exactly one full line: no empty line before END.
        let one = pem("X", &[0u8; 48], 64, FinalNewline::Yes);
        assert_eq!(one.lines().count(), 3);
        assert_eq!(
            pem("X", &[], 64, FinalNewline::Yes).as_str(),
            "-----BEGIN X-----\n-----END X-----\n"
        );
    }
}
