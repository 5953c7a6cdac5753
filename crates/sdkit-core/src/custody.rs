//! The custody register: who holds each custodian key and each copy of an SD file, on what
//! medium and where, and every hand-off and destruction, as entries of a hash-chained log
//! (the [`chain`](crate::chain) the drill ledger uses, under its own `type`).
//!
//! An entry names a key by its certificate's thumbprint and an SD copy by the file's SHA-256:
//! nothing in it opens anything. Its free-text fields (names, media, places) are refused when
//! they could carry key material (a PEM block, a long unbroken base64 run), so a register can
//! be printed, mailed and shown to an auditor.
//!
//! Replaying the entries in order gives who holds what now. An entry that does not follow
//! from the ones before it (a hand-off from someone who holds no copy, a destruction of a copy
//! nobody holds) makes the register inconsistent: it is refused when appended, and reported
//! by `custody verify` and `review`.

use crate::digest::Sha256Digest;
use crate::thumbprint::Thumbprint;
use core::fmt;
use serde_json::{Map, Value, json};

/// The `type` of register lines.
pub const KIND: &str = "sdkit-custody-register";

/// The longest free-text field: a name, a medium, a place, a note.
pub const MAX_TEXT: usize = 200;

/// What is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A custodian's private key, named by its certificate's SHA-256 thumbprint (the
    /// `x5t#S256` the SD names the share by).
    Key(Thumbprint),
    /// A copy of an SD file, named by the file's SHA-256.
    SdCopy(Sha256Digest),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Key(t) => write!(f, "key x5t_256 {t}"),
            Item::SdCopy(d) => write!(f, "SD copy SHA-256 {}", &d.to_hex()[..16]),
        }
    }
}

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Someone holds a copy (a key after `keygen`, an SD after download or reshare).
    Record {
        /// Who holds it.
        holder: String,
        /// On what (smart card, USB stick in a sealed bag, paper).
        medium: String,
        /// Where (safe, office, bank box).
        location: String,
        /// Who saw it, if anyone.
        witness: Option<String>,
    },
    /// A copy passed from one person to another.
    Handoff {
        /// Who held it.
        from: String,
        /// Who holds it now.
        to: String,
        /// Who saw it pass: a hand-off without one is only a claim.
        witness: String,
        /// The new medium, when it changed.
        medium: Option<String>,
        /// The new place, when it changed.
        location: Option<String>,
    },
    /// A holder's copy was destroyed (an old SD copy after a rotation, a retired key).
    Destroy {
        /// Whose copy.
        holder: String,
        /// Who saw it destroyed.
        witness: String,
        /// How (shredded, wiped and drilled).
        method: Option<String>,
    },
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Event::Record { .. } => "record",
            Event::Handoff { .. } => "handoff",
            Event::Destroy { .. } => "destroy",
        }
    }
}

/// One register entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When it was recorded (`YYYY-MM-DDTHH:MM:SSZ`).
    pub time: String,
    /// When it happened, when recorded later (same form).
    pub when: Option<String>,
    /// What it is about.
    pub item: Item,
    /// A readable name for the item: the certificate's subject, the SD file's name.
    pub label: Option<String>,
    /// What happened.
    pub event: Event,
    /// Anything else worth keeping (never a secret).
    pub note: Option<String>,
}

/// Why an entry is refused or a register does not hold together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustodyError {
    /// A field is missing, of the wrong type, or not a thumbprint or digest where one is due.
    Malformed {
        /// 1-based entry number.
        entry: usize,
        /// The field.
        field: &'static str,
    },
    /// A free-text field is empty, too long, has control characters, or could hold key
    /// material.
    BadText {
        /// The field.
        field: &'static str,
        /// Why.
        why: &'static str,
    },
    /// A hand-off or destruction names someone who holds no copy of the item then.
    NotHeld {
        /// 1-based entry number.
        entry: usize,
        /// Who was named.
        holder: String,
        /// The item.
        item: Item,
    },
}

impl fmt::Display for CustodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustodyError::Malformed { entry, field } => {
                write!(f, "entry {entry}: {field} is missing or malformed")
            }
            CustodyError::BadText { field, why } => write!(f, "{field}: {why}"),
            CustodyError::NotHeld {
                entry,
                holder,
                item,
            } => write!(
                f,
                "entry {entry}: {holder:?} holds no copy of {item} at that point of the register"
            ),
        }
    }
}

impl std::error::Error for CustodyError {}

/// Refuses text that is not a short, printable line, or that could carry a key: a PEM
/// armour line, or 40 or more base64 characters in a row mixing digits and both cases (no
/// name, medium or place looks like that; an encoded key, share or token does).
pub fn check_text(field: &'static str, text: &str) -> Result<(), CustodyError> {
    let bad = |why| Err(CustodyError::BadText { field, why });
    if text.trim().is_empty() {
        return bad("is empty");
    }
    if text.chars().count() > MAX_TEXT {
        return bad("is longer than 200 characters");
    }
    if text.chars().any(char::is_control) {
        return bad("holds a line break or another control character");
    }
    if text.contains("-----BEGIN") || text.contains("-----END") {
        return bad("holds PEM armour: a register entry never holds a key");
    }
    // A run of base64 characters mixing digits, upper and lower case: what encoded key
    // material looks like, and what names and places (even long hyphenated ones) do not.
    let looks_encoded = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')))
        .any(|run| {
            run.len() >= 40
                && run.bytes().any(|b| b.is_ascii_digit())
                && run.bytes().any(|b| b.is_ascii_uppercase())
                && run.bytes().any(|b| b.is_ascii_lowercase())
        });
    if looks_encoded {
        return bad(
            "holds 40 or more base64 characters in a row, which could be key material: a register entry never holds a secret",
        );
    }
    Ok(())
}

impl Entry {
    /// Checks every free-text field (see [`check_text`]).
    ///
    /// # Errors
    /// [`CustodyError::BadText`] naming the field.
    pub fn check_texts(&self) -> Result<(), CustodyError> {
        let mut fields: Vec<(&'static str, &str)> = Vec::new();
        match &self.event {
            Event::Record {
                holder,
                medium,
                location,
                witness,
            } => {
                fields.extend([
                    ("holder", holder.as_str()),
                    ("medium", medium),
                    ("location", location),
                ]);
                fields.extend(witness.as_deref().map(|w| ("witness", w)));
            }
            Event::Handoff {
                from,
                to,
                witness,
                medium,
                location,
            } => {
                fields.extend([("from", from.as_str()), ("to", to), ("witness", witness)]);
                fields.extend(medium.as_deref().map(|m| ("medium", m)));
                fields.extend(location.as_deref().map(|l| ("location", l)));
            }
            Event::Destroy {
                holder,
                witness,
                method,
            } => {
                fields.extend([("holder", holder.as_str()), ("witness", witness)]);
                fields.extend(method.as_deref().map(|m| ("method", m)));
            }
        }
        fields.extend(self.label.as_deref().map(|l| ("label", l)));
        fields.extend(self.note.as_deref().map(|n| ("note", n)));
        fields.into_iter().try_for_each(|(f, t)| check_text(f, t))
    }

    /// The record as the register stores it (the chain adds `type` and `prev`).
    pub fn to_record(&self) -> Map<String, Value> {
        let mut r = Map::new();
        r.insert("version".into(), json!(1));
        r.insert("time".into(), json!(self.time));
        if let Some(w) = &self.when {
            r.insert("when".into(), json!(w));
        }
        r.insert("event".into(), json!(self.event.name()));
        let item = match self.item {
            Item::Key(t) => {
                json!({ "kind": "key", "x5t_256": t.to_base64url(), "label": self.label })
            }
            Item::SdCopy(d) => json!({ "kind": "sd_copy", "sha256": d, "label": self.label }),
        };
        r.insert("item".into(), item);
        let mut put = |k: &str, v: Option<&String>| {
            r.insert(k.into(), v.map_or(Value::Null, |s| json!(s)));
        };
        match &self.event {
            Event::Record {
                holder,
                medium,
                location,
                witness,
            } => {
                put("holder", Some(holder));
                put("medium", Some(medium));
                put("location", Some(location));
                put("witness", witness.as_ref());
            }
            Event::Handoff {
                from,
                to,
                witness,
                medium,
                location,
            } => {
                put("from", Some(from));
                put("to", Some(to));
                put("witness", Some(witness));
                put("medium", medium.as_ref());
                put("location", location.as_ref());
            }
            Event::Destroy {
                holder,
                witness,
                method,
            } => {
                put("holder", Some(holder));
                put("witness", Some(witness));
                put("method", method.as_ref());
            }
        }
        put("note", self.note.as_ref());
        r
    }

    /// Reads entry number `n` (1-based) of a register.
    ///
    /// # Errors
    /// [`CustodyError::Malformed`] naming the first field at fault, or
    /// [`CustodyError::BadText`] for a free-text field that could hold a secret.
    pub fn from_record(n: usize, r: &Map<String, Value>) -> Result<Entry, CustodyError> {
        let bad = |field| CustodyError::Malformed { entry: n, field };
        let text = |k: &'static str| -> Result<Option<String>, CustodyError> {
            match r.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(k)),
            }
        };
        let need = |k: &'static str| text(k)?.ok_or(bad(k));
        let item_obj = r
            .get("item")
            .and_then(Value::as_object)
            .ok_or(bad("item"))?;
        let field = |k: &str| item_obj.get(k).and_then(Value::as_str);
        let item = match field("kind") {
            Some("key") => Item::Key(
                field("x5t_256")
                    .and_then(|t| Thumbprint::parse(t).ok())
                    .ok_or(bad("item.x5t_256"))?,
            ),
            Some("sd_copy") => Item::SdCopy(
                field("sha256")
                    .and_then(|d| Sha256Digest::from_hex(d).ok())
                    .ok_or(bad("item.sha256"))?,
            ),
            _ => return Err(bad("item.kind")),
        };
        let label = match item_obj.get("label") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("item.label")),
        };
        let event = match r.get("event").and_then(Value::as_str) {
            Some("record") => Event::Record {
                holder: need("holder")?,
                medium: need("medium")?,
                location: need("location")?,
                witness: text("witness")?,
            },
            Some("handoff") => Event::Handoff {
                from: need("from")?,
                to: need("to")?,
                witness: need("witness")?,
                medium: text("medium")?,
                location: text("location")?,
            },
            Some("destroy") => Event::Destroy {
                holder: need("holder")?,
                witness: need("witness")?,
                method: text("method")?,
            },
            _ => return Err(bad("event")),
        };
        let entry = Entry {
            time: need("time")?,
            when: text("when")?,
            item,
            label,
            event,
            note: text("note")?,
        };
        if crate::utc::parse(&entry.time).is_none() {
            return Err(bad("time"));
        }
        if entry
            .when
            .as_deref()
            .is_some_and(|w| crate::utc::parse(w).is_none())
        {
            return Err(bad("when"));
        }
        entry.check_texts()?;
        Ok(entry)
    }

    /// When it happened: `when` if given, else the time it was recorded.
    pub fn happened(&self) -> &str {
        self.when.as_deref().unwrap_or(&self.time)
    }
}

/// One copy someone holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Who.
    pub holder: String,
    /// On what.
    pub medium: String,
    /// Where.
    pub location: String,
    /// Since when (the entry that put it there).
    pub since: String,
}

/// One copy destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destruction {
    /// Whose copy it was.
    pub holder: String,
    /// Who saw it destroyed.
    pub witness: String,
    /// When.
    pub when: String,
}

/// An item's state after the register's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    /// The item.
    pub item: Item,
    /// Its latest readable name.
    pub label: Option<String>,
    /// The copies held now.
    pub held: Vec<Holding>,
    /// The copies destroyed.
    pub destroyed: Vec<Destruction>,
}

/// Who holds what, after replaying a register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Custody {
    /// Every item the register names, in the order it first appears.
    pub items: Vec<ItemState>,
    /// How many entries were replayed.
    pub entries: usize,
}

impl Custody {
    /// Replays entries in order.
    ///
    /// # Errors
    /// [`CustodyError::NotHeld`] at the first entry that does not follow from those before.
    pub fn replay(entries: &[Entry]) -> Result<Custody, CustodyError> {
        let mut c = Custody::default();
        entries.iter().try_for_each(|e| c.apply(e))?;
        Ok(c)
    }

    /// The state of `item`, if the register names it.
    pub fn state(&self, item: &Item) -> Option<&ItemState> {
        self.items.iter().find(|s| s.item == *item)
    }

    /// Applies the next entry.
    ///
    /// # Errors
    /// [`CustodyError::NotHeld`] when it hands off or destroys a copy its holder does not
    /// hold; the custody is then left as it was.
    pub fn apply(&mut self, e: &Entry) -> Result<(), CustodyError> {
        let n = self.entries + 1;
        let pos = match self.items.iter().position(|s| s.item == e.item) {
            Some(p) => p,
            None => {
                self.items.push(ItemState {
                    item: e.item,
                    label: None,
                    held: Vec::new(),
                    destroyed: Vec::new(),
                });
                self.items.len() - 1
            }
        };
        let state = &mut self.items[pos];
        let held_by = |state: &ItemState, who: &str| {
            state
                .held
                .iter()
                .position(|h| h.holder == who)
                .ok_or_else(|| CustodyError::NotHeld {
                    entry: n,
                    holder: who.to_owned(),
                    item: e.item,
                })
        };
        match &e.event {
            Event::Record {
                holder,
                medium,
                location,
                ..
            } => state.held.push(Holding {
                holder: holder.clone(),
                medium: medium.clone(),
                location: location.clone(),
                since: e.happened().to_owned(),
            }),
            Event::Handoff {
                from,
                to,
                medium,
                location,
                ..
            } => {
                let i = held_by(state, from)?;
                let h = &mut state.held[i];
                h.holder.clone_from(to);
                if let Some(m) = medium {
                    h.medium.clone_from(m);
                }
                if let Some(l) = location {
                    h.location.clone_from(l);
                }
                h.since = e.happened().to_owned();
            }
            Event::Destroy {
                holder, witness, ..
            } => {
                let i = held_by(state, holder)?;
                state.held.remove(i);
                state.destroyed.push(Destruction {
                    holder: holder.clone(),
                    witness: witness.clone(),
                    when: e.happened().to_owned(),
                });
            }
        }
        if e.label.is_some() {
            state.label.clone_from(&e.label);
        }
        self.entries = n;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(item: Item, event: Event) -> Entry {
        Entry {
            time: "2026-01-02T03:04:05Z".into(),
            when: None,
            item,
            label: Some("CN=SD Key 1".into()),
            event,
            note: None,
        }
    }

    fn record(holder: &str) -> Event {
        Event::Record {
            holder: holder.into(),
            medium: "smart card".into(),
            location: "safe A".into(),
            witness: None,
        }
    }

    #[test]
    fn replay_follows_hand_offs_and_destructions() {
        let key = Item::Key(Thumbprint::from_bytes([1; 32]));
        let sd = Item::SdCopy(Sha256Digest::of(b"sd"));
        let entries = [
            entry(key, record("Alice")),
            entry(sd, record("Alice")),
            entry(sd, record("Bob")),
            entry(
                key,
                Event::Handoff {
                    from: "Alice".into(),
                    to: "Carol".into(),
                    witness: "Dan".into(),
                    medium: None,
                    location: Some("safe B".into()),
                },
            ),
            entry(
                sd,
                Event::Destroy {
                    holder: "Bob".into(),
                    witness: "Dan".into(),
                    method: Some("shredded".into()),
                },
            ),
        ];
        // Every entry survives its JSON form.
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(&Entry::from_record(i + 1, &e.to_record()).unwrap(), e);
        }
        let c = Custody::replay(&entries).unwrap();
        let k = c.state(&key).unwrap();
        assert_eq!(k.held.len(), 1);
        assert_eq!(
            (k.held[0].holder.as_str(), k.held[0].location.as_str()),
            ("Carol", "safe B")
        );
        let s = c.state(&sd).unwrap();
        assert_eq!(s.held.len(), 1);
        assert_eq!(s.destroyed.len(), 1);
        assert_eq!(s.destroyed[0].holder, "Bob");
        // A hand-off from someone who holds nothing does not follow.
        let mut bad = entries.to_vec();
        bad.push(entry(
            key,
            Event::Handoff {
                from: "Alice".into(),
                to: "Eve".into(),
                witness: "Dan".into(),
                medium: None,
                location: None,
            },
        ));
        assert_eq!(
            Custody::replay(&bad).unwrap_err(),
            CustodyError::NotHeld {
                entry: 6,
                holder: "Alice".into(),
                item: key
            }
        );
    }

    #[test]
    fn text_that_could_hold_a_key_is_refused() {
        assert!(check_text("holder", "Alice Smith (Finance)").is_ok());
        assert!(check_text("location", "https://vault.example/safe-a/shelf-3").is_ok());
        assert!(check_text("holder", "Team-Lead-Finance-Department-Europe-West-Region").is_ok());
        for bad in [
            "",
            "  ",
            "-----BEGIN PRIVATE KEY-----",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC",
            "line\nbreak",
            &"x ".repeat(101),
        ] {
            assert!(check_text("holder", bad).is_err(), "{bad:?}");
        }
        let mut e = entry(Item::Key(Thumbprint::from_bytes([1; 32])), record("Alice"));
        e.note = Some("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC".into());
        assert!(e.check_texts().is_err());
        assert!(Entry::from_record(1, &e.to_record()).is_err());
    }

    #[test]
    fn malformed_records_name_the_field() {
        let e = entry(Item::SdCopy(Sha256Digest::of(b"x")), record("Alice"));
        let mut r = e.to_record();
        r.insert("time".into(), json!("yesterday"));
        assert_eq!(
            Entry::from_record(3, &r).unwrap_err(),
            CustodyError::Malformed {
                entry: 3,
                field: "time"
            }
        );
        let mut r = e.to_record();
        r.insert("item".into(), json!({ "kind": "key", "x5t_256": "nope" }));
        assert!(matches!(
            Entry::from_record(1, &r),
            Err(CustodyError::Malformed {
                field: "item.x5t_256",
                ..
            })
        ));
    }
}
