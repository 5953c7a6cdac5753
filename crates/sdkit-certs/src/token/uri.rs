//! RFC 7512 `pkcs11:` URIs, parsed once where the user gives them.
//!
//! A URI names a token (by label, manufacturer, model or serial), an object on it (by label
//! and/or id), and may say which module to load (`module-path`) and where the PIN is
//! (`pin-source`). `pin-value` is refused: a PIN on a command line ends up in shell
//! history, process listings and ceremony transcripts.

use core::fmt;
use std::path::PathBuf;

/// The scheme prefix that tells a token URI from a file path.
pub const PKCS11_SCHEME: &str = "pkcs11:";

/// Whether `s` is meant as a `pkcs11:` URI (a file of that name would need `./pkcs11:...`).
pub fn is_pkcs11_uri(s: &str) -> bool {
    s.get(..PKCS11_SCHEME.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PKCS11_SCHEME))
}

/// The object class a URI asks for (`type=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// `type=private`: a private key.
    Private,
    /// `type=public`: a public key.
    Public,
    /// `type=cert`: a certificate.
    Cert,
}

impl ObjectType {
    fn name(self) -> &'static str {
        match self {
            ObjectType::Private => "private",
            ObjectType::Public => "public",
            ObjectType::Cert => "cert",
        }
    }
}

/// A parsed `pkcs11:` URI: what it selects, and where the module and PIN are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token=`: the token's label.
    pub token: Option<String>,
    /// `manufacturer=`: the token's manufacturer ID.
    pub manufacturer: Option<String>,
    /// `model=`: the token's model.
    pub model: Option<String>,
    /// `serial=`: the token's serial number.
    pub serial: Option<String>,
    /// `object=`: the object's label (CKA_LABEL).
    pub object: Option<String>,
    /// `id=`: the object's CKA_ID bytes.
    pub id: Option<Vec<u8>>,
    /// `type=`: the object class.
    pub object_type: Option<ObjectType>,
    /// `module-path=`: the PKCS#11 library to load.
    pub module_path: Option<PathBuf>,
    /// `pin-source=`: a file whose first line is the PIN.
    pub pin_source: Option<PathBuf>,
}

/// Why a `pkcs11:` URI was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriError {
    /// It does not start with `pkcs11:`.
    NotPkcs11,
    /// An attribute is not `name=value`.
    Malformed(String),
    /// A `%` escape is not two hex digits, or a text value is not UTF-8.
    BadEncoding(String),
    /// An attribute sdkit does not know or does not use.
    UnknownAttribute(String),
    /// The same attribute twice.
    Repeated(String),
    /// `type=` names something other than `private`, `public` or `cert`.
    BadType(String),
    /// `pin-value=`: refused, the PIN would be recorded wherever the command line is.
    PinValue,
    /// `pin-source=` is a URI other than `file:`.
    BadPinSource(String),
    /// Neither `object=` nor `id=`: the key would be a guess.
    NoObject,
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriError::NotPkcs11 => f.write_str("not a pkcs11: URI"),
            UriError::Malformed(a) => write!(f, "attribute {a:?} is not name=value"),
            UriError::BadEncoding(a) => write!(
                f,
                "attribute {a:?} has a bad %-escape or is not UTF-8 text"
            ),
            UriError::UnknownAttribute(a) => write!(
                f,
                "attribute {a:?} is not one sdkit uses (token, manufacturer, model, serial, object, id, type; module-path, pin-source)"
            ),
            UriError::Repeated(a) => write!(f, "attribute {a:?} is given twice"),
            UriError::BadType(t) => write!(
                f,
                "type={t} is not one of private, public, cert"
            ),
            UriError::PinValue => f.write_str(
                "pin-value is refused: a PIN on the command line is recorded in shell history, process listings and transcripts",
            ),
            UriError::BadPinSource(s) => write!(
                f,
                "pin-source={s} is not a file path or file: URI"
            ),
            UriError::NoObject => f.write_str(
                "the URI names no key: give object=LABEL or id=%XX (sdkit tokens lists them)",
            ),
        }
    }
}

impl std::error::Error for UriError {}

/// Decodes `%XX` escapes; other bytes stand for themselves.
fn percent_decode(raw: &str) -> Result<Vec<u8>, UriError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| UriError::BadEncoding(raw.to_owned()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn percent_decode_text(name: &str, raw: &str) -> Result<String, UriError> {
    String::from_utf8(percent_decode(raw)?).map_err(|_| UriError::BadEncoding(name.to_owned()))
}

/// `%XX` for every byte outside RFC 3986's unreserved set.
pub fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` for every byte: how ids are written (they are binary).
pub fn percent_encode_all(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

fn set<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), UriError> {
    if slot.is_some() {
        return Err(UriError::Repeated(name.to_owned()));
    }
    *slot = Some(value);
    Ok(())
}

impl Pkcs11Uri {
    /// Parses a URI as RFC 7512 writes them: `pkcs11:` path attributes separated by `;`,
    /// then optionally `?` and query attributes separated by `&`.
    ///
    /// # Errors
    /// See [`UriError`]; a URI that names neither `object` nor `id` is refused.
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let uri = Self::parse_token(s)?;
        if uri.object.is_none() && uri.id.is_none() {
            return Err(UriError::NoObject);
        }
        Ok(uri)
    }

    /// Parses a URI that may name only a token (as `keygen --pkcs11` takes it).
    ///
    /// # Errors
    /// See [`UriError`].
    pub fn parse_token(s: &str) -> Result<Self, UriError> {
        if !is_pkcs11_uri(s) {
            return Err(UriError::NotPkcs11);
        }
        let rest = &s[PKCS11_SCHEME.len()..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri::default();
        let path_attrs = path.split(';').filter(|a| !a.is_empty());
        let query_attrs = query.split('&').filter(|a| !a.is_empty());
        for attr in path_attrs {
            let (name, value) = attr
                .split_once('=')
                .ok_or_else(|| UriError::Malformed(attr.to_owned()))?;
            match name {
                "token" => set(&mut uri.token, name, percent_decode_text(name, value)?)?,
                "manufacturer" => set(
                    &mut uri.manufacturer,
                    name,
                    percent_decode_text(name, value)?,
                )?,
                "model" => set(&mut uri.model, name, percent_decode_text(name, value)?)?,
                "serial" => set(&mut uri.serial, name, percent_decode_text(name, value)?)?,
                "object" => set(&mut uri.object, name, percent_decode_text(name, value)?)?,
                "id" => set(&mut uri.id, name, percent_decode(value)?)?,
                "type" => {
                    let t = match value {
                        "private" => ObjectType::Private,
                        "public" => ObjectType::Public,
                        "cert" => ObjectType::Cert,
                        other => return Err(UriError::BadType(other.to_owned())),
                    };
                    set(&mut uri.object_type, name, t)?;
                }
                _ => return Err(UriError::UnknownAttribute(name.to_owned())),
            }
        }
        for attr in query_attrs {
            let (name, value) = attr
                .split_once('=')
                .ok_or_else(|| UriError::Malformed(attr.to_owned()))?;
            match name {
                "module-path" => set(
                    &mut uri.module_path,
                    name,
                    PathBuf::from(percent_decode_text(name, value)?),
                )?,
                "pin-source" => {
                    let v = percent_decode_text(name, value)?;
                    let path = if let Some(p) = v.strip_prefix("file://") {
                        // file:///abs/path, or file://localhost/abs/path.
                        p.strip_prefix("localhost").unwrap_or(p).to_owned()
                    } else if let Some(p) = v.strip_prefix("file:") {
                        p.to_owned()
                    } else if v.contains("://") || v.starts_with('|') {
                        return Err(UriError::BadPinSource(v));
                    } else {
                        v
                    };
                    set(&mut uri.pin_source, name, PathBuf::from(path))?;
                }
                "pin-value" => return Err(UriError::PinValue),
                _ => return Err(UriError::UnknownAttribute(name.to_owned())),
            }
        }
        Ok(uri)
    }
}

/// The URI in RFC 7512 form, path attributes only (module and PIN source are left out:
/// they belong to the machine, not the key).
impl fmt::Display for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let text = [
            ("token", &self.token),
            ("manufacturer", &self.manufacturer),
            ("model", &self.model),
            ("serial", &self.serial),
            ("object", &self.object),
        ];
        for (name, value) in text {
            if let Some(v) = value {
                parts.push(format!("{name}={}", percent_encode(v.as_bytes())));
            }
        }
        if let Some(id) = &self.id {
            parts.push(format!("id={}", percent_encode_all(id)));
        }
        if let Some(t) = self.object_type {
            parts.push(format!("type={}", t.name()));
        }
        write!(f, "{PKCS11_SCHEME}{}", parts.join(";"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc7512_examples() {
        let u = Pkcs11Uri::parse(
            "pkcs11:token=Custodian%201;object=sd1;id=%01%A0;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:///run/pin",
        )
        .unwrap();
        assert_eq!(u.token.as_deref(), Some("Custodian 1"));
        assert_eq!(u.object.as_deref(), Some("sd1"));
        assert_eq!(u.id.as_deref(), Some(&[0x01, 0xA0][..]));
        assert_eq!(u.object_type, Some(ObjectType::Private));
        assert_eq!(
            u.module_path,
            Some(PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
        );
        assert_eq!(u.pin_source, Some(PathBuf::from("/run/pin")));
        assert_eq!(
            u.to_string(),
            "pkcs11:token=Custodian%201;object=sd1;id=%01%A0;type=private"
        );
        assert_eq!(Pkcs11Uri::parse(&u.to_string()).unwrap().id, u.id);
        let plain = Pkcs11Uri::parse("PKCS11:object=a?pin-source=pin.txt").unwrap();
        assert_eq!(plain.pin_source, Some(PathBuf::from("pin.txt")));
    }

    #[test]
    fn refusals() {
        let e = |s: &str| Pkcs11Uri::parse(s).unwrap_err();
        assert_eq!(e("file:x"), UriError::NotPkcs11);
        assert_eq!(e("pkcs11:id=%01?pin-value=1234"), UriError::PinValue);
        assert_eq!(e("pkcs11:token=a"), UriError::NoObject);
        // keygen names only the token.
        let t = Pkcs11Uri::parse_token("pkcs11:token=a;serial=42").unwrap();
        assert_eq!(
            (t.token.as_deref(), t.serial.as_deref()),
            (Some("a"), Some("42"))
        );
        assert!(matches!(e("pkcs11:id=%0"), UriError::BadEncoding(_)));
        assert!(matches!(e("pkcs11:id=%01;id=%02"), UriError::Repeated(_)));
        assert!(matches!(
            e("pkcs11:id=%01;colour=red"),
            UriError::UnknownAttribute(_)
        ));
        assert!(matches!(
            e("pkcs11:id=%01;type=secret-key"),
            UriError::BadType(_)
        ));
        assert!(matches!(e("pkcs11:id"), UriError::Malformed(_)));
        assert!(matches!(
            e("pkcs11:id=%01?pin-source=https://x/pin"),
            UriError::BadPinSource(_)
        ));
        assert!(
            e("pkcs11:id=%01?pin-value=1234")
                .to_string()
                .contains("history")
        );
    }
}
