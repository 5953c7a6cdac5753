//! The content digest of a data item: what lets custodians who hold different keys agree
//! that two security domains protect the same contents, without either side revealing them.
//!
//! After `reshare`, the old SD and the new one have nothing in common on disk: another master
//! key, other item keys, fresh IVs, other certificates. What they share is each item's tag and
//! plaintext. A drill of each prints one digest per item, so a drill of the old file (by the
//! old quorum) and a drill of the new file (by the new quorum) can be compared line by line.
//!
//! The digest is SHA-256 over a domain-separated, length-prefixed encoding:
//!
//! ```text
//! SHA-256( "sdkit content digest v1" || 0x00 || u64be(len(tag)) || tag || u64be(len(plaintext)) || plaintext )
//! ```
//!
//! The prefix keeps it from equalling any other SHA-256 sdkit prints (a file digest of the
//! plaintext, say); the lengths make (tag, plaintext) pairs unambiguous. It is safe to share
//! for the items an HSM writes, which are key material with hundreds of bits of entropy. For
//! a user's own low-entropy secret (a short password given to `split`), a digest lets anyone
//! holding it confirm a guess, as any unsalted hash does: docs/FORMAT.md says so.

use crate::digest::{DigestParseError, Sha256Digest};
use crate::provider::Sha256;
use core::fmt;
use std::collections::HashSet;

/// The domain-separation prefix (with its terminating zero byte).
const DOMAIN: &[u8] = b"sdkit content digest v1\0";

/// One item's content digest: lower-case hex, like every digest sdkit prints.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentDigest(Sha256Digest);

impl ContentDigest {
    /// The digest of the item tagged `tag` whose plaintext is `plaintext`.
    pub fn of(tag: &str, plaintext: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update(&(tag.len() as u64).to_be_bytes());
        h.update(tag.as_bytes());
        h.update(&(plaintext.len() as u64).to_be_bytes());
        h.update(plaintext);
        ContentDigest(Sha256Digest::from_bytes(h.finish()))
    }

    /// Parses 64 hex digits (a digest copied from another drill's output).
    ///
    /// # Errors
    /// [`DigestParseError`] when the text is not 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, DigestParseError> {
        Sha256Digest::from_hex(text).map(ContentDigest)
    }

    /// Lower-case hex, 64 digits.
    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }
}

impl fmt::Display for ContentDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ContentDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentDigest({})", self.0)
    }
}

/// As its lower-case hex string.
impl serde::Serialize for ContentDigest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The items of an earlier report, each tag with its content digest: what `drill
/// --same-contents-as` compares a drill's items with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentList(Vec<(String, ContentDigest)>);

/// Why a file is not a report with content digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentListError {
    /// Not JSON, or not a JSON object.
    NotJson,
    /// No `items` array, or an empty one.
    NoItems,
    /// Item `index` has no `tag` string.
    NoTag {
        /// 0-based position in `items`.
        index: usize,
    },
    /// The item has no `content_digest` (it did not authenticate in that run, or the report
    /// comes from an sdkit without digests) or it is not 64 hex digits.
    NoDigest {
        /// The item's tag.
        tag: String,
    },
    /// A tag appears twice.
    DuplicateTag {
        /// The tag.
        tag: String,
    },
}

impl fmt::Display for ContentListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentListError::NotJson => f.write_str("not a JSON report"),
            ContentListError::NoItems => f.write_str("the report lists no items"),
            ContentListError::NoTag { index } => write!(f, "item {} has no tag", index + 1),
            ContentListError::NoDigest { tag } => write!(
                f,
                "item {tag:?} has no content digest (it did not authenticate in that run)"
            ),
            ContentListError::DuplicateTag { tag } => write!(f, "item {tag:?} is listed twice"),
        }
    }
}

impl std::error::Error for ContentListError {}

/// How a list of items differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentDifference {
    /// Both have the item, with other contents.
    Differs {
        /// The tag.
        tag: String,
    },
    /// Expected, but not there.
    Missing {
        /// The tag.
        tag: String,
    },
    /// There, but not expected.
    Extra {
        /// The tag.
        tag: String,
    },
    /// Expected, but it did not authenticate, so its contents are unknown.
    NotAuthentic {
        /// The tag.
        tag: String,
    },
    /// The same items in another order (a restore replays them in file order).
    Reordered,
}

impl fmt::Display for ContentDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentDifference::Differs { tag } => {
                write!(f, "item {tag:?} has other contents")
            }
            ContentDifference::Missing { tag } => write!(f, "item {tag:?} is missing"),
            ContentDifference::Extra { tag } => {
                write!(f, "item {tag:?} is not in the earlier report")
            }
            ContentDifference::NotAuthentic { tag } => {
                write!(
                    f,
                    "item {tag:?} did not authenticate, so its contents are unknown"
                )
            }
            ContentDifference::Reordered => {
                f.write_str("the items are the same but in another order")
            }
        }
    }
}

impl ContentList {
    /// Reads the `items` of a JSON report (`sdkit drill --json`, `reshare --json`,
    /// `open-blob --json`): each needs `tag` and `content_digest`.
    ///
    /// # Errors
    /// [`ContentListError`] for anything else.
    pub fn from_report_json(bytes: &[u8]) -> Result<ContentList, ContentListError> {
        let report: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|_| ContentListError::NotJson)?;
        let items = report
            .as_object()
            .ok_or(ContentListError::NotJson)?
            .get("items")
            .and_then(serde_json::Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or(ContentListError::NoItems)?;
        let mut list: Vec<(String, ContentDigest)> = Vec::with_capacity(items.len());
        // A set, not a scan of `list`: a 16 MiB report holds some 160,000 items, and a scan
        // per item took half a minute.
        let mut tags: HashSet<&str> = HashSet::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let tag = item
                .get("tag")
                .and_then(serde_json::Value::as_str)
                .ok_or(ContentListError::NoTag { index })?;
            let digest = item
                .get("content_digest")
                .and_then(serde_json::Value::as_str)
                .and_then(|h| ContentDigest::from_hex(h).ok())
                .ok_or_else(|| ContentListError::NoDigest {
                    tag: tag.to_owned(),
                })?;
            if !tags.insert(tag) {
                return Err(ContentListError::DuplicateTag {
                    tag: tag.to_owned(),
                });
            }
            list.push((tag.to_owned(), digest));
        }
        Ok(ContentList(list))
    }

    /// The items, in the report's order.
    pub fn items(&self) -> &[(String, ContentDigest)] {
        &self.0
    }

    /// How `items` (each tag with its digest, `None` when it did not authenticate) differ
    /// from this list; empty when they hold the same contents in the same order.
    pub fn compare(&self, items: &[(&str, Option<ContentDigest>)]) -> Vec<ContentDifference> {
        let mut out = Vec::new();
        for (tag, want) in &self.0 {
            match items.iter().find(|(t, _)| t == tag) {
                None => out.push(ContentDifference::Missing { tag: tag.clone() }),
                Some((_, None)) => out.push(ContentDifference::NotAuthentic { tag: tag.clone() }),
                Some((_, Some(got))) if got != want => {
                    out.push(ContentDifference::Differs { tag: tag.clone() });
                }
                Some(_) => {}
            }
        }
        for (tag, _) in items {
            if !self.0.iter().any(|(t, _)| t == tag) {
                out.push(ContentDifference::Extra {
                    tag: (*tag).to_owned(),
                });
            }
        }
        let same_order =
            self.0.len() == items.len() && self.0.iter().zip(items).all(|((a, _), (b, _))| a == b);
        if out.is_empty() && !same_order {
            out.push(ContentDifference::Reordered);
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_encoding() {
        // Recomputed by hand from the encoding in the module doc (and docs/FORMAT.md).
        let mut encoded = b"sdkit content digest v1\0".to_vec();
        encoded.extend_from_slice(&3u64.to_be_bytes());
        encoded.extend_from_slice(b"tag");
        encoded.extend_from_slice(&5u64.to_be_bytes());
        encoded.extend_from_slice(b"hello");
        assert_eq!(
            ContentDigest::of("tag", b"hello").to_hex(),
            Sha256Digest::of(&encoded).to_hex()
        );
    }

    #[test]
    fn tag_and_plaintext_boundaries_are_unambiguous() {
        assert_ne!(ContentDigest::of("ab", b"c"), ContentDigest::of("a", b"bc"));
        assert_ne!(ContentDigest::of("a", b""), ContentDigest::of("", b"a"));
        assert_ne!(
            ContentDigest::of("t", b"x").to_hex(),
            Sha256Digest::of(b"x").to_hex()
        );
    }

    fn report(items: &[(&str, &[u8])]) -> Vec<u8> {
        let items: Vec<serde_json::Value> = items
            .iter()
            .map(|(t, p)| serde_json::json!({"tag": t, "content_digest": ContentDigest::of(t, p)}))
            .collect();
        serde_json::json!({"command": "drill", "items": items})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn compares_tag_by_tag() {
        let list = ContentList::from_report_json(&report(&[("a", b"1"), ("b", b"2")])).unwrap();
        let a = Some(ContentDigest::of("a", b"1"));
        let b = Some(ContentDigest::of("b", b"2"));
        assert!(list.compare(&[("a", a), ("b", b)]).is_empty());
        assert_eq!(
            list.compare(&[("b", b), ("a", a)]),
            vec![ContentDifference::Reordered]
        );
        assert_eq!(
            list.compare(&[("a", Some(ContentDigest::of("a", b"x"))), ("c", b)]),
            vec![
                ContentDifference::Differs { tag: "a".into() },
                ContentDifference::Missing { tag: "b".into() },
                ContentDifference::Extra { tag: "c".into() },
            ]
        );
        assert_eq!(
            list.compare(&[("a", None), ("b", b)]),
            vec![ContentDifference::NotAuthentic { tag: "a".into() }]
        );
    }

    #[test]
    fn refuses_reports_without_digests() {
        assert_eq!(
            ContentList::from_report_json(b"[1]").unwrap_err(),
            ContentListError::NotJson
        );
        assert_eq!(
            ContentList::from_report_json(b"{\"items\": []}").unwrap_err(),
            ContentListError::NoItems
        );
        assert_eq!(
            ContentList::from_report_json(b"{\"items\": [{\"tag\": \"a\", \"bytes\": 3}]}")
                .unwrap_err(),
            ContentListError::NoDigest { tag: "a".into() }
        );
        let twice = report(&[("a", b"1"), ("a", b"1")]);
        assert_eq!(
            ContentList::from_report_json(&twice).unwrap_err(),
            ContentListError::DuplicateTag { tag: "a".into() }
        );
    }

    #[test]
    fn hex_round_trip() {
        let d = ContentDigest::of("hsm_backup", &[7; 100]);
        assert_eq!(ContentDigest::from_hex(&d.to_hex()).unwrap(), d);
        assert!(ContentDigest::from_hex("xyz").is_err());
    }
}
