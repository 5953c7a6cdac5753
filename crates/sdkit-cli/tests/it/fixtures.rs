//! The test vectors, read from one place: paths into the repository's own `test-vectors/`
//! directory (the CLI is given paths, never bytes), and the expected values that
//! `test-vectors/azure-sd/README.md` records for the real SDs.

use std::path::{Path, PathBuf};

/// The repository's `test-vectors` directory.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// A file under `test-vectors/`.
pub fn tv(rel: &str) -> PathBuf {
    Path::new(VECTORS).join(rel)
}

/// A custodian key in `azure-sd/` (n = 1..=3). Its sibling `.cer` is present there.
pub fn key(n: usize) -> PathBuf {
    tv(&format!("azure-sd/sd{n}.pem"))
}

/// A custodian certificate in `azure-sd/` (n = 1..=3).
pub fn cert(n: usize) -> PathBuf {
    tv(&format!("azure-sd/sd{n}.cer"))
}

/// An RSA-2048 key that is nobody's custodian key.
pub fn oracle_key() -> PathBuf {
    tv("azure-sd/cli-oracle/oracle-exchange-key.pem")
}

/// Its certificate (holds no share).
pub fn oracle_cert() -> PathBuf {
    tv("azure-sd/cli-oracle/oracle-exchange.pem")
}

/// An scrypt-encrypted fixture where the build reads scrypt; in a `fips` build, which refuses
/// scrypt (tests/it/fips.rs checks how), another encrypted encoding of the same key.
pub fn scrypt_or_fips_fixture() -> PathBuf {
    fixture(if cfg!(feature = "fips") {
        "sd1.pbkdf2-sha1-aes128.pem"
    } else {
        "sd1.scrypt-aes256.pem"
    })
}

/// A fixture in `test-vectors/keys/`. Panics with a clear message when it is missing.
pub fn fixture(name: &str) -> PathBuf {
    let p = tv(&format!("keys/{name}"));
    assert!(
        p.is_file(),
        "missing fixture {} (test-vectors/keys/ is maintained separately)",
        p.display()
    );
    p
}

/// The passphrase of the encrypted fixtures in `test-vectors/keys/`.
pub const FIXTURE_PASSPHRASE: &str = "correct horse";

/// One real SD and what it must give.
pub struct SdCase {
    /// File name under `azure-sd/`.
    pub file: &'static str,
    /// Master key, hex (must never be printed).
    pub master_hex: &'static str,
    /// (tag, plaintext length, first 16 hex digits of SHA-256 of the plaintext), in order.
    pub items: [(&'static str, usize, &'static str); 3],
}

impl SdCase {
    /// Path of the SD file.
    pub fn path(&self) -> PathBuf {
        tv(&format!("azure-sd/{}", self.file))
    }
}

pub const SD2020: SdCase = SdCase {
    file: "sd-2020-09-15_df516d79.json",
    master_hex: "976bf29e712f1144c4bc65193dd52c15bf708a0c717421837e3fa964e78e7be7",
    items: [
        ("hsm_backup", 8148, "ee3198b862520ed1"),
        ("base_enclave_backup", 869, "0286399088a164ba"),
        ("partition_enclave_backup", 2925, "8a6121a6bfe4f8e9"),
    ],
};

pub const SD2023: SdCase = SdCase {
    file: "sd-2023-11-07_15e0e830.json",
    master_hex: "ac57c2ec05b73881b9e3a9f806122dacf276fc3479b8247aba6cf75d6b7a0163",
    items: [
        ("hsm_backup", 8532, "09d796b3924b73bf"),
        ("base_enclave_backup", 968, "57d6d2754ab561ff"),
        ("partition_enclave_backup", 3105, "a5ccbe18d22cca88"),
    ],
};

pub const BOTH: [&SdCase; 2] = [&SD2020, &SD2023];

/// Every quorum of the three custodians.
pub const QUORUMS: [&[usize]; 4] = [&[1, 2], &[1, 3], &[2, 3], &[1, 2, 3]];
