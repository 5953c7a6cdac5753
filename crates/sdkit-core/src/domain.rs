//! The security-domain file: what `az keyvault security-domain download` writes.
//!
//! Accepted forms: the bare JSON the `az` CLI writes, and the `{"value": "<SD JSON>"}`
//! wrapper of the raw REST response. Parsing checks everything that can be checked without
//! keys, once, and yields a [`SecurityDomain`] whose fields are already valid: a quorum with
//! `2 <= M <= N`, unique thumbprints, unique tags, well-formed JWEs with the algorithms the
//! format uses. What is odd but harmless (unknown fields, a missing `version`, a JWE whose
//! `kid` differs from its tag) is kept as a [`Finding`] for `inspect` to report.

use crate::jwe::{self, CompactJwe, JweParseError};
use crate::shamir::{MAX_SHARES, Quorum};
use crate::strict_json;
use crate::thumbprint::Thumbprint;
use core::fmt;
use serde_json::{Map, Value};

/// The largest SD (or restore blob) file accepted. Real ones are about 20 KB; the limit
/// leaves room for user-made SDs with 8 MiB of secrets (`split`) while keeping a hostile
/// file's cost bounded: reading, parsing and decoding hold the text about four times over,
/// so `inspect` or `drill` of the largest file stays under 64 MiB of memory
/// (docs/SECURITY.md, "Bounded inputs").
pub const MAX_SD_BYTES: usize = 12 * 1024 * 1024;

/// The most data items an SD may hold. Azure writes 3; `split` users a handful. The bound
/// (with the JSON value budget, `strict_json::MAX_VALUES`) keeps a hostile file from
/// costing more than its own size in memory.
pub const MAX_ITEMS: usize = 1024;

/// The only `key_algorithm` the format defines.
pub const KEY_ALGORITHM: &str = "shamir_share";
/// The only `kdf` the format defines.
pub const KDF_NAME: &str = "sp108_kdf";
/// The format version Azure writes.
pub const FORMAT_VERSION: u64 = 2;

/// One protected payload: its tag (KDF label and file name) and its JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataItem {
    /// The label, e.g. `hsm_backup`. Untrusted: check [`is_safe_file_name`] before using it
    /// as a file name.
    pub tag: String,
    /// The `dir` + A256CBC-HS512 JWE.
    pub jwe: CompactJwe,
}

/// One holder's wrapped share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncShare {
    /// SHA-256 thumbprint of the holder's certificate.
    pub thumbprint: Thumbprint,
    /// The RSA-OAEP-256 JWE holding the share payload.
    pub jwe: CompactJwe,
}

/// Something odd but not fatal about a parsed SD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The file holds the REST response wrapper `{"value": "…"}`, not the bare SD `az` writes.
    Wrapped,
    /// A field the format does not define (path given). Kept out of any output we write.
    UnknownField(String),
    /// `version` is absent.
    VersionMissing,
    /// `version` is not 2.
    VersionUnexpected(u64),
    /// `EncData.kdf` is absent (the `az` CLI never reads it; Azure always writes it).
    KdfMissing,
    /// A data item's JWE `kid` differs from its `tag`.
    KidDiffersFromTag {
        /// Item index.
        index: usize,
    },
    /// A data item's tag is not usable as a file name, so `recover` will refuse it.
    TagNotSafeFileName {
        /// Item index.
        index: usize,
    },
    /// A JWE tag that is not 32 bytes: it cannot authenticate (the `az` CLI would skip the MAC).
    BadTagLength {
        /// JSON path of the JWE.
        path: String,
        /// Its tag length in bytes.
        len: usize,
    },
    /// M or N is outside what Azure Managed HSM accepts (N 3..=10, M 2..=10).
    OutsideManagedHsmLimits,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Wrapped => f.write_str("the file holds the REST wrapper {\"value\": …}; `az` writes the bare SD"),
            Finding::UnknownField(p) => write!(f, "unknown field {p} (ignored)"),
            Finding::VersionMissing => f.write_str("no \"version\" field (Azure writes 2)"),
            Finding::VersionUnexpected(v) => write!(f, "version is {v}, not {FORMAT_VERSION}"),
            Finding::KdfMissing => f.write_str("EncData.kdf is missing (Azure writes \"sp108_kdf\")"),
            Finding::KidDiffersFromTag { index } => {
                write!(f, "EncData.data[{index}]: the JWE kid differs from the tag")
            }
            Finding::TagNotSafeFileName { index } => write!(
                f,
                "EncData.data[{index}]: the tag is not a plain file name; `recover` will refuse to write it"
            ),
            Finding::BadTagLength { path, len } => {
                write!(f, "{path}: JWE tag is {len} bytes, not 32: it cannot authenticate")
            }
            Finding::OutsideManagedHsmLimits => {
                f.write_str("quorum is outside what Managed HSM creates (N 3..10, M 2..10); az restore-blob accepts it only when M is 2..10")
            }
        }
    }
}

/// Why bytes are not a usable security domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Larger than [`MAX_SD_BYTES`].
    TooLarge {
        /// Actual size.
        len: usize,
    },
    /// More than [`MAX_ITEMS`] data items.
    TooManyItems {
        /// How many.
        count: usize,
    },
    /// Not JSON (or JSON with a repeated key, nested too deeply, or with more values than
    /// any SD holds).
    NotJson {
        /// serde_json's description, with line and column.
        reason: String,
    },
    /// A required field is absent.
    Missing {
        /// Its JSON path.
        path: String,
    },
    /// A field has the wrong JSON type.
    WrongType {
        /// Its JSON path.
        path: String,
        /// What it should be.
        expected: &'static str,
    },
    /// `EncData.data` is empty: there is nothing to authenticate the master key against.
    NoDataItems,
    /// Fewer than 2 or more than 127 shares.
    ShareCount {
        /// Number of `enc_shares`.
        count: usize,
    },
    /// `key_algorithm` is not `shamir_share`.
    UnknownKeyAlgorithm {
        /// What the file says.
        found: String,
    },
    /// `kdf` is present and not `sp108_kdf`.
    UnknownKdf {
        /// What the file says.
        found: String,
    },
    /// `required` is not in `2..=N`.
    QuorumOutOfRange {
        /// The file's `required`, as written.
        required: String,
        /// N.
        shares: usize,
    },
    /// Two shares name the same certificate.
    DuplicateThumbprint {
        /// First index.
        first: usize,
        /// Second index.
        second: usize,
    },
    /// Two items share a tag.
    DuplicateTag {
        /// The tag.
        tag: String,
    },
    /// A thumbprint is not base64url of 32 bytes.
    BadThumbprint {
        /// Its JSON path.
        path: String,
    },
    /// A JWE is malformed.
    BadJwe {
        /// Its JSON path.
        path: String,
        /// What is wrong.
        error: JweParseError,
    },
    /// A JWE uses algorithms this position never uses.
    UnsupportedAlgorithm {
        /// Its JSON path.
        path: String,
        /// Header `alg`.
        alg: String,
        /// Header `enc`.
        enc: String,
    },
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainError::TooLarge { len } => write!(
                f,
                "{len} bytes is larger than any security domain ({MAX_SD_BYTES} bytes at most); is this the right file?"
            ),
            DomainError::TooManyItems { count } => write!(
                f,
                "EncData.data has {count} items; no security domain holds more than {MAX_ITEMS}"
            ),
            DomainError::NotJson { reason } => write!(f, "not valid JSON: {reason}"),
            DomainError::Missing { path } => write!(f, "required field {path} is missing"),
            DomainError::WrongType { path, expected } => write!(f, "{path} must be {expected}"),
            DomainError::NoDataItems => {
                f.write_str("EncData.data is empty: there is nothing protected in this file")
            }
            DomainError::ShareCount { count } => {
                write!(
                    f,
                    "SharedKeys.enc_shares has {count} shares; the format needs 2 to {MAX_SHARES}"
                )
            }
            DomainError::UnknownKeyAlgorithm { found } => {
                write!(
                    f,
                    "SharedKeys.key_algorithm is {found:?}; only \"{KEY_ALGORITHM}\" is defined"
                )
            }
            DomainError::UnknownKdf { found } => write!(
                f,
                "EncData.kdf is {found:?}; only \"{KDF_NAME}\" is defined"
            ),
            DomainError::QuorumOutOfRange { required, shares } => write!(
                f,
                "SharedKeys.required is {required} but must be between 2 and the number of shares ({shares})"
            ),
            DomainError::DuplicateThumbprint { first, second } => write!(
                f,
                "SharedKeys.enc_shares[{first}] and [{second}] have the same x5t_256: one certificate cannot hold two shares"
            ),
            DomainError::DuplicateTag { tag } => write!(f, "two data items have the tag {tag:?}"),
            DomainError::BadThumbprint { path } => {
                write!(
                    f,
                    "{path} is not a SHA-256 thumbprint (43 base64url characters)"
                )
            }
            DomainError::BadJwe { path, error } => write!(f, "{path}: {error}"),
            DomainError::UnsupportedAlgorithm { path, alg, enc } => {
                write!(
                    f,
                    "{path}: JWE uses alg={alg:?} enc={enc:?}, which security domains never use here"
                )
            }
        }
    }
}

impl std::error::Error for DomainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DomainError::BadJwe { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A parsed, validated security domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityDomain {
    items: Vec<DataItem>,
    shares: Vec<EncShare>,
    quorum: Quorum,
    version: Option<u64>,
    kdf_present: bool,
    findings: Vec<Finding>,
}

/// Whether an untrusted tag can be used as `<tag>.bin` in a directory without escaping it:
/// non-empty, at most 200 bytes, no path separators, not `.` or `..`, no control characters,
/// no leading `-` or `.` (hidden files and option look-alikes).
pub fn is_safe_file_name(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 200
        && !tag.starts_with('.')
        && !tag.starts_with('-')
        && tag
            .chars()
            .all(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '\0'))
}

pub(crate) struct Reader<'a> {
    pub(crate) findings: &'a mut Vec<Finding>,
}

impl Reader<'_> {
    pub(crate) fn object<'v>(
        &self,
        v: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, DomainError> {
        v.as_object().ok_or_else(|| DomainError::WrongType {
            path: path.to_owned(),
            expected: "an object",
        })
    }

    pub(crate) fn field<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'v Value, DomainError> {
        obj.get(name).ok_or_else(|| DomainError::Missing {
            path: join(path, name),
        })
    }

    pub(crate) fn string<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'v str, DomainError> {
        self.field(obj, path, name)?
            .as_str()
            .ok_or_else(|| DomainError::WrongType {
                path: join(path, name),
                expected: "a string",
            })
    }

    pub(crate) fn array<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'v Vec<Value>, DomainError> {
        self.field(obj, path, name)?
            .as_array()
            .ok_or_else(|| DomainError::WrongType {
                path: join(path, name),
                expected: "an array",
            })
    }

    pub(crate) fn unknown(&mut self, obj: &Map<String, Value>, path: &str, known: &[&str]) {
        for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            self.findings.push(Finding::UnknownField(join(path, key)));
        }
    }

    pub(crate) fn jwe(
        &mut self,
        text: &str,
        path: &str,
        alg: &str,
    ) -> Result<CompactJwe, DomainError> {
        let jwe = CompactJwe::parse(text).map_err(|error| DomainError::BadJwe {
            path: path.to_owned(),
            error,
        })?;
        let h = jwe.header();
        if h.alg != alg || h.enc != jwe::ENC_A256CBC_HS512 {
            return Err(DomainError::UnsupportedAlgorithm {
                path: path.to_owned(),
                alg: h.alg.clone(),
                enc: h.enc.clone(),
            });
        }
        if jwe.tag_len() != crate::aead::TAG_LEN {
            self.findings.push(Finding::BadTagLength {
                path: path.to_owned(),
                len: jwe.tag_len(),
            });
        }
        Ok(jwe)
    }
}

/// Parses JSON that is either the document itself or the REST wrapper `{"value": "<JSON>"}`
/// (noted as [`Finding::Wrapped`]). Shared by SD files and restore blobs.
pub(crate) fn parse_maybe_wrapped(
    bytes: &[u8],
    findings: &mut Vec<Finding>,
) -> Result<Value, DomainError> {
    let outer = strict_json::parse(bytes).map_err(|e| DomainError::NotJson {
        reason: e.to_string(),
    })?;
    let Some(obj) = outer.as_object() else {
        return Ok(outer);
    };
    match obj.get("value") {
        Some(inner) if !obj.contains_key("EncData") => {
            let text = inner.as_str().ok_or(DomainError::WrongType {
                path: "value".into(),
                expected: "a string holding the JSON document",
            })?;
            findings.push(Finding::Wrapped);
            Reader { findings }.unknown(obj, "", &["value"]);
            strict_json::parse(text.as_bytes()).map_err(|e| DomainError::NotJson {
                reason: format!("inside \"value\": {e}"),
            })
        }
        _ => Ok(outer),
    }
}

/// Reads `EncData` (items and `kdf`) from a top-level object: shared by the SD file and the
/// restore blob, which carry it identically.
pub(crate) fn read_enc_data(
    r: &mut Reader<'_>,
    top: &Map<String, Value>,
) -> Result<(Vec<DataItem>, bool), DomainError> {
    let enc = r.object(r.field(top, "", "EncData")?, "EncData")?;
    r.unknown(enc, "EncData", &["data", "kdf"]);
    let kdf_present = match enc.get("kdf") {
        None => {
            r.findings.push(Finding::KdfMissing);
            false
        }
        Some(Value::String(s)) if s == KDF_NAME => true,
        Some(Value::String(s)) => return Err(DomainError::UnknownKdf { found: s.clone() }),
        Some(_) => {
            return Err(DomainError::WrongType {
                path: "EncData.kdf".into(),
                expected: "a string",
            });
        }
    };
    let data = r.array(enc, "EncData", "data")?;
    if data.is_empty() {
        return Err(DomainError::NoDataItems);
    }
    if data.len() > MAX_ITEMS {
        return Err(DomainError::TooManyItems { count: data.len() });
    }
    let mut items: Vec<DataItem> = Vec::with_capacity(data.len());
    // A set, not a scan of `items`: the check stays linear whatever the bounds become.
    let mut tags = std::collections::HashSet::with_capacity(data.len());
    for (i, v) in data.iter().enumerate() {
        let path = format!("EncData.data[{i}]");
        let obj = r.object(v, &path)?;
        r.unknown(obj, &path, &["compact_jwe", "tag"]);
        let tag_text = r.string(obj, &path, "tag")?;
        let tag = tag_text.to_owned();
        let jwe = r.jwe(
            r.string(obj, &path, "compact_jwe")?,
            &join(&path, "compact_jwe"),
            jwe::ALG_DIR,
        )?;
        if !tags.insert(tag_text) {
            return Err(DomainError::DuplicateTag { tag });
        }
        if jwe.header().kid.as_deref() != Some(tag.as_str()) {
            r.findings.push(Finding::KidDiffersFromTag { index: i });
        }
        if !is_safe_file_name(&tag) {
            r.findings.push(Finding::TagNotSafeFileName { index: i });
        }
        items.push(DataItem { tag, jwe });
    }
    Ok((items, kdf_present))
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

impl SecurityDomain {
    /// Parses and validates an SD file's bytes.
    ///
    /// # Errors
    /// [`DomainError`] for anything that cannot be a usable security domain.
    pub fn parse(bytes: &[u8]) -> Result<SecurityDomain, DomainError> {
        if bytes.len() > MAX_SD_BYTES {
            return Err(DomainError::TooLarge { len: bytes.len() });
        }
        let mut findings = Vec::new();
        let root = parse_maybe_wrapped(bytes, &mut findings)?;
        let mut r = Reader {
            findings: &mut findings,
        };
        let top = r.object(&root, "the file")?;
        r.unknown(top, "", &["EncData", "SharedKeys", "version"]);

        let (items, kdf_present) = read_enc_data(&mut r, top)?;

        // SharedKeys
        let sk = r.object(r.field(top, "", "SharedKeys")?, "SharedKeys")?;
        r.unknown(
            sk,
            "SharedKeys",
            &["enc_shares", "key_algorithm", "required"],
        );
        let alg = r.string(sk, "SharedKeys", "key_algorithm")?;
        if alg != KEY_ALGORITHM {
            return Err(DomainError::UnknownKeyAlgorithm {
                found: alg.to_owned(),
            });
        }
        let list = r.array(sk, "SharedKeys", "enc_shares")?;
        if list.len() < 2 || list.len() > usize::from(MAX_SHARES) {
            return Err(DomainError::ShareCount { count: list.len() });
        }
        let mut shares: Vec<EncShare> = Vec::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            let path = format!("SharedKeys.enc_shares[{i}]");
            let obj = r.object(v, &path)?;
            r.unknown(obj, &path, &["enc_key", "x5t_256"]);
            let tp_path = join(&path, "x5t_256");
            let thumbprint = Thumbprint::parse(r.string(obj, &path, "x5t_256")?)
                .map_err(|_| DomainError::BadThumbprint { path: tp_path })?;
            if let Some(first) = shares.iter().position(|s| s.thumbprint == thumbprint) {
                return Err(DomainError::DuplicateThumbprint { first, second: i });
            }
            let jwe = r.jwe(
                r.string(obj, &path, "enc_key")?,
                &join(&path, "enc_key"),
                jwe::ALG_RSA_OAEP_256,
            )?;
            shares.push(EncShare { thumbprint, jwe });
        }
        let required_value = r.field(sk, "SharedKeys", "required")?;
        let required = required_value
            .as_u64()
            .ok_or_else(|| match required_value {
                Value::Number(n) => DomainError::QuorumOutOfRange {
                    required: n.to_string(),
                    shares: list.len(),
                },
                _ => DomainError::WrongType {
                    path: "SharedKeys.required".into(),
                    expected: "an integer",
                },
            })?;
        let quorum = usize::try_from(required)
            .ok()
            .and_then(|m| Quorum::new(m, shares.len()).ok())
            .ok_or(DomainError::QuorumOutOfRange {
                required: required.to_string(),
                shares: shares.len(),
            })?;
        if !quorum.within_managed_hsm_limits() {
            r.findings.push(Finding::OutsideManagedHsmLimits);
        }

        let version = match top.get("version") {
            None => {
                r.findings.push(Finding::VersionMissing);
                None
            }
            Some(v) => {
                let n = v.as_u64().ok_or(DomainError::WrongType {
                    path: "version".into(),
                    expected: "an integer",
                })?;
                if n != FORMAT_VERSION {
                    r.findings.push(Finding::VersionUnexpected(n));
                }
                Some(n)
            }
        };
        Ok(SecurityDomain {
            items,
            shares,
            quorum,
            version,
            kdf_present,
            findings,
        })
    }

    /// Builds a new SD (for `split` and tests). Always version 2 with `kdf`.
    ///
    /// # Errors
    /// The same structural rules as [`SecurityDomain::parse`]: at least one item, unique
    /// tags, unique thumbprints, and exactly `quorum.total()` shares.
    pub fn from_parts(
        items: Vec<DataItem>,
        shares: Vec<EncShare>,
        quorum: Quorum,
    ) -> Result<SecurityDomain, DomainError> {
        if items.is_empty() {
            return Err(DomainError::NoDataItems);
        }
        if shares.len() != quorum.total() {
            return Err(DomainError::ShareCount {
                count: shares.len(),
            });
        }
        for (i, it) in items.iter().enumerate() {
            if items[..i].iter().any(|o| o.tag == it.tag) {
                return Err(DomainError::DuplicateTag {
                    tag: it.tag.clone(),
                });
            }
        }
        for (i, s) in shares.iter().enumerate() {
            if let Some(first) = shares[..i]
                .iter()
                .position(|o| o.thumbprint == s.thumbprint)
            {
                return Err(DomainError::DuplicateThumbprint { first, second: i });
            }
        }
        Ok(SecurityDomain {
            items,
            shares,
            quorum,
            version: Some(FORMAT_VERSION),
            kdf_present: true,
            findings: Vec::new(),
        })
    }

    /// This SD with `other`'s `version` and `kdf` fields (present or not, as they were), so a
    /// re-encrypted file keeps the layout of the one it replaces.
    pub(crate) fn with_layout_of(mut self, other: &SecurityDomain) -> SecurityDomain {
        self.version = other.version;
        self.kdf_present = other.kdf_present;
        self
    }

    /// The data items, in file order.
    pub fn items(&self) -> &[DataItem] {
        &self.items
    }

    /// The wrapped shares, in file order (share i has x = i + 1 for Azure-made SDs).
    pub fn shares(&self) -> &[EncShare] {
        &self.shares
    }

    /// M of N.
    pub fn quorum(&self) -> Quorum {
        self.quorum
    }

    /// The `version` field, if present.
    pub fn version(&self) -> Option<u64> {
        self.version
    }

    /// What was odd but not fatal.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The index of the share wrapped to the certificate with this thumbprint.
    pub fn share_for(&self, thumbprint: &Thumbprint) -> Option<usize> {
        self.shares.iter().position(|s| &s.thumbprint == thumbprint)
    }

    /// Serializes exactly as Azure does: compact JSON, keys in the HSM's order, no trailing
    /// newline. Unknown fields are not written. A real SD re-serializes to its own bytes.
    pub fn to_json(&self) -> String {
        let mut enc_data = Map::new();
        enc_data.insert(
            "data".into(),
            Value::Array(
                self.items
                    .iter()
                    .map(|it| {
                        let mut m = Map::new();
                        m.insert("compact_jwe".into(), Value::String(it.jwe.as_compact()));
                        m.insert("tag".into(), Value::String(it.tag.clone()));
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        if self.kdf_present {
            enc_data.insert("kdf".into(), Value::String(KDF_NAME.into()));
        }
        let mut shared = Map::new();
        shared.insert(
            "enc_shares".into(),
            Value::Array(
                self.shares
                    .iter()
                    .map(|s| {
                        let mut m = Map::new();
                        m.insert("enc_key".into(), Value::String(s.jwe.as_compact()));
                        m.insert("x5t_256".into(), Value::String(s.thumbprint.to_base64url()));
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        shared.insert("key_algorithm".into(), Value::String(KEY_ALGORITHM.into()));
        shared.insert("required".into(), Value::from(self.quorum.required()));
        let mut top = Map::new();
        top.insert("EncData".into(), Value::Object(enc_data));
        top.insert("SharedKeys".into(), Value::Object(shared));
        if let Some(v) = self.version {
            top.insert("version".into(), Value::from(v));
        }
        Value::Object(top).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_file_names() {
        for ok in ["hsm_backup", "a.b", "secret-1", "ümlaut"] {
            assert!(is_safe_file_name(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", ".hidden", "-rf", "a\nb", "c:x", "a\0b",
        ] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
        assert!(!is_safe_file_name(&"a".repeat(201)));
    }
}
