//! Custodian-roster hygiene: things that are not failures today but put a recovery at risk.
//! Each is a warning with its reason; none changes an exit code. Every command that touches
//! a key, a certificate or a quorum draws its warnings from here, so the same thing is
//! flagged the same way wherever it is seen, and printed once, on stderr.

use crate::keys::{LoadedCert, LoadedKey};
use crate::render::ShowPath;
use sdkit_core::Quorum;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// Certificates expiring within this window are flagged.
pub const EXPIRY_WARNING_DAYS: u64 = 90;
/// Keys below this size are flagged (NIST SP 800-57: 3072-bit RSA for 128-bit security).
pub const RECOMMENDED_BITS: usize = 3072;
/// The exchange key size a Managed HSM's `init-recovery` hands out.
pub const HSM_EXCHANGE_BITS: usize = 4096;

/// One warning.
#[derive(Debug, PartialEq, Eq)]
pub struct Warning {
    /// Stable identifier for scripts.
    pub code: &'static str,
    /// What and why.
    pub message: String,
}

impl Warning {
    fn new(code: &'static str, message: String) -> Warning {
        Warning { code, message }
    }

    /// As JSON.
    pub fn json(&self) -> Value {
        json!({ "code": self.code, "message": self.message })
    }
}

/// A list of warnings, each once.
#[derive(Default)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    /// Adds what is not there yet.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Warning>) {
        for w in more {
            if !self.0.contains(&w) {
                self.0.push(w);
            }
        }
    }

    /// As a JSON array.
    pub fn json(&self) -> Value {
        Value::Array(self.0.iter().map(Warning::json).collect())
    }

    /// Prints each on stderr (also under `--quiet` and `--json`: a warning is for the
    /// person running the command, and stdout stays one report).
    pub fn print(&self) {
        for w in &self.0 {
            eprint!(
                "{}",
                crate::render::wrap(&format!("warning: {}\n", w.message))
            );
        }
    }
}

/// Validity and key size of a custodian certificate.
pub fn certificate(c: &LoadedCert) -> Vec<Warning> {
    let mut w = validity(c);
    if let Some(bits) = c.cert.key_bits().filter(|b| *b < RECOMMENDED_BITS) {
        w.push(Warning::new(
            "key_size_small",
            format!("{} holds an RSA-{bits} key; {RECOMMENDED_BITS} bits or more is recommended for keys that protect an HSM for years", c.path.shown()),
        ));
    }
    w
}

/// Whether a certificate is valid today (Azure does not check it at restore, but an expired
/// custodian certificate is a rotation overdue).
fn validity(c: &LoadedCert) -> Vec<Warning> {
    let mut w = Vec::new();
    let name = c.path.shown();
    let now = SystemTime::now();
    if now > c.cert.not_after() {
        w.push(Warning::new(
            "certificate_expired",
            format!("{name} has expired: Azure still accepts it for restore, but replace it at the next security-domain rotation"),
        ));
    } else if c.cert.not_after() < now + Duration::from_secs(EXPIRY_WARNING_DAYS * 86_400) {
        w.push(Warning::new(
            "certificate_expiring",
            format!(
                "{name} expires within {EXPIRY_WARNING_DAYS} days: plan a rotation before it lapses"
            ),
        ));
    }
    if now < c.cert.not_before() {
        w.push(Warning::new(
            "certificate_not_yet_valid",
            format!("{name} is not valid yet: check the laptop's clock"),
        ));
    }
    w
}

/// Size and storage of a custodian's private key, and the certificate beside it (which
/// `az`'s restore-blob needs there).
pub fn key(k: &LoadedKey) -> Vec<Warning> {
    let mut w = Vec::new();
    let name = k.path.shown();
    if k.key.bits() < RECOMMENDED_BITS {
        w.push(Warning::new(
            "key_size_small",
            format!(
                "{name} is RSA-{}; {RECOMMENDED_BITS} bits or more is recommended",
                k.key.bits()
            ),
        ));
    }
    if !k.key.was_encrypted() {
        w.push(Warning::new(
            "key_unencrypted",
            format!("{name} is stored unencrypted: anyone who copies the file holds the share; re-encrypt it (e.g. `openssl pkcs8 -topk8 -v2 aes-256-cbc`)"),
        ));
    }
    if let Some(p) = &k.cert_problem {
        w.push(Warning::new(p.code(), p.describe(&k.path)));
    }
    if let Some(c) = &k.cert {
        w.extend(validity(c));
    }
    w
}

/// Every key's warnings.
pub fn keys(ks: &[LoadedKey]) -> Warnings {
    let mut w = Warnings::default();
    for k in ks {
        w.extend(key(k));
    }
    w
}

/// An exchange certificate that does not look like a Managed HSM's.
pub fn exchange(path: &std::path::Path, bits: usize) -> Vec<Warning> {
    if bits == HSM_EXCHANGE_BITS {
        return Vec::new();
    }
    vec![Warning::new(
        "exchange_key_not_hsm_like",
        format!(
            "{} holds an RSA-{bits} key; a Managed HSM's exchange key (from `az keyvault security-domain init-recovery`) is RSA-{HSM_EXCHANGE_BITS}: check that this is the new HSM's exchange certificate",
            path.shown()
        ),
    )]
}

/// Risks in the quorum itself.
pub fn quorum(q: Quorum) -> Vec<Warning> {
    let mut w = Vec::new();
    if q.required() == q.total() {
        w.push(Warning::new(
            "no_spare_custodian",
            format!(
                "quorum {} of {}: every custodian is needed, so losing a single key loses the security domain",
                q.required(),
                q.total()
            ),
        ));
    }
    if !q.within_managed_hsm_limits() {
        w.push(Warning::new(
            "outside_managed_hsm_limits",
            format!(
                "quorum {} of {} is outside what Managed HSM creates (N 3..10, M 2..10); az restore-blob accepts it only when M is 2..10",
                q.required(),
                q.total()
            ),
        ));
    }
    w
}

/// Fields of an SD that the format does not define: a file sdkit writes from it (`reshare`)
/// does not carry them over, which the user should know before the old file is destroyed.
pub fn fields_not_carried_over(
    path: &std::path::Path,
    sd: &sdkit_core::SecurityDomain,
) -> Vec<Warning> {
    let dropped: Vec<&str> = sd
        .findings()
        .iter()
        .filter_map(|f| match f {
            sdkit_core::domain::Finding::UnknownField(field) => Some(field.as_str()),
            _ => None,
        })
        .collect();
    if dropped.is_empty() {
        return Vec::new();
    }
    vec![Warning::new(
        "fields_not_carried_over",
        format!(
            "{} has fields the format does not define, which the new file does not carry over: {}",
            path.shown(),
            dropped.join(", ")
        ),
    )]
}
