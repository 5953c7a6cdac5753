//! JSON parsing that refuses duplicate object keys and bounds the number of values.
//!
//! `serde_json::Value` keeps the last of two equal keys silently. For a file that moves
//! between tools (Azure, the `az` CLI, sdkit), two readers must never see two different
//! documents in one file, so a repeated key is an error here.

use core::cell::Cell;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The most JSON values (objects, arrays, strings, numbers, ...) one document may hold. A
/// real SD holds about 30, one with 127 shares and many items a few thousand; without a
/// bound, 12 MiB of `{},{},...` becomes 4 million objects and hundreds of MiB of memory
/// before any check of what they mean. The count is checked as each value is read, so the
/// tree never grows past it.
pub(crate) const MAX_VALUES: usize = 65_536;

/// Reads one value, counting it (and everything inside it) against `budget`.
struct Strict<'a> {
    budget: &'a Cell<usize>,
}

impl Strict<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "more than {MAX_VALUES} JSON values: no security domain or restore blob is that large"
            ))),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.spend()?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict {
            budget: self.budget,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(Strict {
                budget: self.budget,
            })?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key \"{key}\"")));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses JSON text, rejecting duplicate keys and documents of more than [`MAX_VALUES`]
/// values. Nesting deeper than serde_json's limit (128) is an error, not a stack overflow.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let budget = Cell::new(MAX_VALUES);
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let value = Strict { budget: &budget }.deserialize(&mut d)?;
    d.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicates_and_depth() {
        assert!(super::parse(br#"{"a":1,"b":[1,{"c":2}]}"#).is_ok());
        let e = super::parse(br#"{"a":1,"a":2}"#).err().unwrap();
        assert!(e.to_string().contains("duplicate key \"a\""), "{e}");
        assert!(super::parse(br#"{"x":{"a":1,"a":1}}"#).is_err());
        let deep = "[".repeat(100_000);
        assert!(super::parse(deep.as_bytes()).is_err());
        assert!(super::parse(b"{} x").is_err(), "trailing text");
    }

    #[test]
    fn the_value_count_is_bounded_while_parsing() {
        let n = super::MAX_VALUES - 1; // plus the array itself
        let fits = format!("[{}]", vec!["0"; n].join(","));
        assert!(super::parse(fits.as_bytes()).is_ok());
        let over = format!("[{}]", vec!["{}"; n + 1].join(","));
        let e = super::parse(over.as_bytes()).err().unwrap();
        assert!(e.to_string().contains("more than 65536 JSON values"), "{e}");
        // Nesting does not escape the count.
        let nested = format!(
            "[{}]",
            vec![format!("[{}]", vec!["1"; 300].join(",")); 300].join(",")
        );
        assert!(super::parse(nested.as_bytes()).is_err());
    }
}
