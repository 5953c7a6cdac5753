//! JSON text exactly as Python's `json.dumps` writes it with default settings, which is how
//! the `az` CLI serializes a restore blob: `", "` and `": "` separators, and
//! `ensure_ascii=True` string escaping (non-ASCII as lowercase `\uXXXX`, UTF-16 surrogate
//! pairs above the BMP). serde_json's formatter differs on both counts.

/// A JSON string literal, escaped as Python's `json.dumps` escapes it.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn matches_python_json_dumps() {
        // Expected values are what CPython 3.11 `json.dumps` prints.
        assert_eq!(string("hsm_backup"), r#""hsm_backup""#);
        assert_eq!(string("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(string("é"), r#""\u00e9""#);
        assert_eq!(string("\u{1}"), r#""\u0001""#);
        assert_eq!(string("\u{7f}"), r#""\u007f""#);
        assert_eq!(string("😀"), r#""\ud83d\ude00""#);
        assert_eq!(string("/"), r#""/""#);
    }
}
