//! The keys' part of a quorum command's report (`drill`, `check`, `recover`,
//! `restore-blob`): one line of text and one JSON object per key, rendered from the same
//! [`HolderResult`] values.

use crate::keys::LoadedKey;
use crate::render::ShowPath;
use sdkit_core::SecurityDomain;
use sdkit_core::digest::Sha256Digest;
use sdkit_core::drill::HolderResult;
use sdkit_core::recover::{CertificateMatch, HolderStatus};
use serde_json::{Value, json};
use std::path::Path;

/// Each key given and what it did.
pub struct Holders<'a> {
    /// The SD the keys were tried on (its shares' thumbprints name the shares).
    pub sd: &'a SecurityDomain,
    /// The keys, in the order given.
    pub keys: &'a [LoadedKey],
    /// What each did, in the same order.
    pub results: Vec<HolderResult>,
}

impl Holders<'_> {
    /// One indented line per key.
    pub fn text(&self) -> String {
        self.keys
            .iter()
            .zip(&self.results)
            .map(|(k, r)| format!("  {}: {}\n", k.path.shown(), self.describe(r)))
            .collect()
    }

    /// One object per key (docs/JSON.md, "drill").
    pub fn json(&self) -> Vec<Value> {
        self.keys
            .iter()
            .zip(&self.results)
            .map(|(k, r)| self.key_json(k, r))
            .collect()
    }

    /// `path: what went wrong`, for each key that gave no usable share.
    pub fn problems(&self) -> Vec<String> {
        self.keys
            .iter()
            .zip(&self.results)
            .filter(|(_, r)| !r.ok())
            .map(|(k, r)| format!("{}: {}", k.path.shown(), self.describe(r)))
            .collect()
    }

    /// How many keys gave no usable share.
    pub fn skipped(&self) -> usize {
        self.results.iter().filter(|r| !r.ok()).count()
    }

    fn path_of(&self, holder: usize) -> String {
        self.keys
            .get(holder)
            .map(|k| k.path.shown().to_string())
            .unwrap_or_default()
    }

    fn describe(&self, r: &HolderResult) -> String {
        let cert_note = match r.certificate {
            CertificateMatch::NotGiven => "",
            CertificateMatch::Matched => " (matched by its certificate)",
            CertificateMatch::NotInDomain => " (its certificate is not one of this SD's)",
            CertificateMatch::KeyDidNotOpenItsShare => {
                " (its certificate names a share the key did not open)"
            }
        };
        let shares = self.sd.shares();
        match &r.status {
            HolderStatus::Opened { share_index, x } => format!(
                "opens share {} (x = {x}, x5t_256 {}){cert_note}",
                share_index + 1,
                shares[*share_index].thumbprint
            ),
            HolderStatus::Malformed { share_index, error } => format!(
                "share {} decrypts but is malformed: {error}",
                share_index + 1
            ),
            HolderStatus::Duplicate {
                share_index,
                first_holder,
            } => format!(
                "opens share {}, which {} already opened: the same key was given twice",
                share_index + 1,
                self.path_of(*first_holder)
            ),
            HolderStatus::NoShare => format!(
                "opens no share of this security domain: it is not one of its custodians' keys{cert_note}"
            ),
        }
    }

    fn key_json(&self, key: &LoadedKey, r: &HolderResult) -> Value {
        let shares = self.sd.shares();
        let mut obj = json!({
            "key": key.path.shown().to_string(),
            "status": match r.status {
                HolderStatus::Opened { .. } => "opened",
                HolderStatus::Malformed { .. } => "malformed",
                HolderStatus::Duplicate { .. } => "duplicate",
                HolderStatus::NoShare => "no_share",
            },
            "certificate": key.cert.as_ref().map(|c| c.path.shown().to_string()),
            "certificate_match": match r.certificate {
                CertificateMatch::NotGiven => "not_given",
                CertificateMatch::Matched => "matched",
                CertificateMatch::NotInDomain => "not_in_domain",
                CertificateMatch::KeyDidNotOpenItsShare => "key_did_not_open_its_share",
            },
            "key_bits": key.key.bits(),
            "key_encrypted": key.key.was_encrypted(),
            "certificate_problem": key.cert_problem.as_ref().map(|c| c.code()),
        });
        let extra = match &r.status {
            HolderStatus::Opened { share_index, x } => json!({
                "share": share_index + 1,
                "x": x,
                "x5t_256": shares[*share_index].thumbprint.to_base64url(),
                "secret_bytes": r.secret_bytes,
            }),
            HolderStatus::Malformed { share_index, error } => json!({
                "share": share_index + 1,
                "x5t_256": shares[*share_index].thumbprint.to_base64url(),
                "error": error.to_string(),
            }),
            HolderStatus::Duplicate {
                share_index,
                first_holder,
            } => json!({
                "share": share_index + 1,
                "same_as": self.keys.get(*first_holder).map(|k| k.path.shown().to_string()),
            }),
            HolderStatus::NoShare => json!({}),
        };
        if let (Some(o), Value::Object(e)) = (obj.as_object_mut(), extra) {
            o.extend(e);
        }
        obj
    }
}

/// The report's first lines: the SD, its quorum and hash, then `Keys:`.
pub fn heading(sd_path: &Path, sd: &SecurityDomain, sha256: &Sha256Digest) -> String {
    format!(
        "Security domain {} (quorum {} of {}, SHA-256 {sha256})\nKeys:\n",
        sd_path.shown(),
        sd.quorum().required(),
        sd.quorum().total(),
    )
}
