//! Custodian-roster hygiene: things that are not failures today but put a recovery at risk.
//! Each is a warning with its reason; none changes an exit code.

use crate::keys::{LoadedCert, LoadedKey};
use sdkit_core::Quorum;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// Certificates expiring within this window are flagged.
pub const EXPIRY_WARNING_DAYS: u64 = 90;
/// Keys below this size are flagged (NIST SP 800-57: 3072-bit RSA for 128-bit security).
pub const RECOMMENDED_BITS: usize = 3072;

/// One warning.
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

/// Expiry and key size of a custodian certificate.
pub fn certificate(c: &LoadedCert) -> Vec<Warning> {
    let mut w = Vec::new();
    let name = c.path.display();
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
    if let Some(bits) = c.cert.key_bits().filter(|b| *b < RECOMMENDED_BITS) {
        w.push(Warning::new(
            "key_size_small",
            format!("{name} holds an RSA-{bits} key; {RECOMMENDED_BITS} bits or more is recommended for keys that protect an HSM for years"),
        ));
    }
    w
}

/// Size and storage of a custodian's private key (and its certificate, when beside it).
pub fn key(k: &LoadedKey) -> Vec<Warning> {
    let mut w = Vec::new();
    let name = k.path.display();
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
    if let Some(c) = &k.cert {
        w.extend(
            certificate(c)
                .into_iter()
                .filter(|x| x.code != "key_size_small"),
        );
    }
    w
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

/// Appends warnings to the human report.
pub fn write_text(text: &mut String, warnings: &[Warning]) {
    if !warnings.is_empty() {
        text.push_str("Warnings:\n");
        for w in warnings {
            text.push_str(&format!("  warning: {}\n", w.message));
        }
    }
}
