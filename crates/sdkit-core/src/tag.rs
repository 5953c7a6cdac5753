//! The tag of a new item (`sdkit split`): the name the SD gives a secret, the KDF label its
//! key is derived with, and the file name recovery writes it to (`<tag>.bin`).
//!
//! Tags read from an SD someone else wrote are only reported on ([`crate::domain`] findings);
//! a tag this crate writes must be usable everywhere, so it is checked once, here, when it
//! is made, and a [`Tag`] is proof of that.

use crate::domain::is_safe_file_name;
use core::fmt;
use core::str::FromStr;

/// A tag for a new item: a non-empty ASCII plain file name of at most 200 bytes (see
/// [`is_safe_file_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag(String);

impl Tag {
    /// Checks `text` as a tag for a new item.
    ///
    /// # Errors
    /// [`TagError::NotAFileName`] unless recovery could write `<tag>.bin` without leaving its
    /// directory; [`TagError::NotAscii`] for any non-ASCII character, since the `az` CLI
    /// decodes JWE headers as ASCII and cannot open such an SD.
    pub fn new(text: &str) -> Result<Tag, TagError> {
        if !is_safe_file_name(text) {
            return Err(TagError::NotAFileName {
                tag: text.to_owned(),
            });
        }
        if !text.is_ascii() {
            return Err(TagError::NotAscii {
                tag: text.to_owned(),
            });
        }
        Ok(Tag(text.to_owned()))
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Same as [`Tag::new`].
impl FromStr for Tag {
    type Err = TagError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tag::new(s)
    }
}

/// Why a string cannot be the tag of a new item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    /// Empty, longer than 200 bytes, or not a plain file name (a path separator, `:`, a
    /// control character, or a leading `.` or `-`).
    NotAFileName {
        /// The text given.
        tag: String,
    },
    /// A non-ASCII character: the `az` CLI cannot read an SD with such a tag.
    NotAscii {
        /// The text given.
        tag: String,
    },
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagError::NotAFileName { tag } => write!(
                f,
                "tag {tag:?} must be a non-empty plain file name of at most 200 bytes (no '/', '\\', ':', leading '.' or '-', or control characters)"
            ),
            TagError::NotAscii { tag } => write!(
                f,
                "tag {tag:?} must be ASCII: the az CLI cannot read a security domain with non-ASCII tags"
            ),
        }
    }
}

impl std::error::Error for TagError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_names_are_tags() {
        for good in ["db-root", "a", "with space", "x.y", &"t".repeat(200)] {
            let tag = Tag::new(good).unwrap();
            assert_eq!(tag.as_str(), good);
            assert_eq!(tag.to_string(), good);
            assert_eq!(good.parse::<Tag>().unwrap(), tag);
        }
    }

    #[test]
    fn refuses_what_recovery_or_az_could_not_use() {
        for bad in [
            "",
            "../x",
            "a/b",
            "a\\b",
            "c:d",
            ".hidden",
            "-dash",
            "a\nb",
            &"t".repeat(201),
        ] {
            assert_eq!(
                Tag::new(bad),
                Err(TagError::NotAFileName { tag: bad.into() }),
                "{bad:?}"
            );
        }
        let err = Tag::new("clé").unwrap_err();
        assert_eq!(err, TagError::NotAscii { tag: "clé".into() });
        assert!(err.to_string().contains("ASCII"), "{err}");
        let shown = Tag::new("a/b").unwrap_err().to_string();
        assert!(
            shown.contains(r"'\'") && !shown.contains(r"'\\'"),
            "{shown}"
        );
    }
}
