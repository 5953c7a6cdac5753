//! Text from a transcript, a certificate or a file name is shown as it is, never obeyed: a
//! file named with a newline, `<script>`, `|` or a right-to-left override must not add a
//! heading, a table row or markup to the record, nor make one name look like another.

/// Characters that change how the text around them is laid out while showing nothing
/// themselves: bidi embeddings, overrides, isolates and marks, zero-width characters, line and
/// paragraph separators, and the byte-order mark. `char::is_control` covers C0, DEL and C1.
fn is_invisible_layout(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Whether `c` is shown as an escape (`\u{202e}`) rather than as itself.
pub fn is_neutralised(c: char) -> bool {
    c.is_control() || is_invisible_layout(c)
}

/// The text with every control and invisible layout character replaced by a visible escape
/// such as `\u{a}` or `\u{202e}`: what a witness reads is what the bytes are.
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_neutralised(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for HTML element content or a quoted attribute value: the one function every
/// input-derived string passes through on its way into a page. Markup characters become
/// entities; control and invisible layout characters become visible escapes, marked so that
/// print shows them apart from a name that literally contains a backslash.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_neutralised(c) => {
                out.push_str(&format!(
                    "<span class=\"esc\">\\u{{{:x}}}</span>",
                    u32::from(c)
                ));
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown inline code span holding `text` for a table cell: neutralised, with `|`
/// escaped (GitHub tables split cells on it even inside code), fenced by more backticks than
/// any run inside it so that no backtick in a file name can close the span early.
pub fn markdown_code(text: &str) -> String {
    let body = neutralise(text).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Plain Markdown text for a table cell or list item: neutralised, with HTML's markup
/// characters as entities and Markdown's own markup characters backslash-escaped, so that
/// it reads as written and never as a link, emphasis, heading or a new cell.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in neutralise(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\n| x |\r<script>alert(1)</script>\u{202e}fdp.exe\u{2066}`b`'\"&";

    #[test]
    fn html_escape_leaves_no_markup_or_invisible_character() {
        let e = escape(HOSTILE);
        assert!(!e.contains('<') || !e.contains("<script"), "{e}");
        assert!(!e.contains("<script"));
        assert!(!e.chars().any(is_neutralised), "{e:?}");
        assert!(e.contains("\\u{202e}") && e.contains("\\u{a}") && e.contains("\\u{2066}"));
        assert!(e.contains("&lt;script&gt;") && e.contains("&quot;") && e.contains("&#39;"));
        // Only the escape markers' own tags remain.
        let without = e.replace("<span class=\"esc\">", "").replace("</span>", "");
        assert!(
            !without.contains('<') && !without.contains('>'),
            "{without}"
        );
    }

    #[test]
    fn markdown_cells_stay_one_line_and_one_cell() {
        for m in [markdown_code(HOSTILE), markdown_text(HOSTILE)] {
            assert!(!m.contains('\n') && !m.contains('\r'), "{m:?}");
            assert!(!m.chars().any(is_neutralised), "{m:?}");
            // Every pipe is escaped.
            let unescaped = m
                .match_indices('|')
                .filter(|(i, _)| !m[..*i].ends_with('\\'));
            assert_eq!(unescaped.count(), 0, "{m}");
        }
        assert!(!markdown_text(HOSTILE).contains("<script"));
        let code = markdown_code("a`b``c");
        assert!(code.starts_with("```") && code.ends_with("```"), "{code}");
        assert_eq!(markdown_code("plain/path.json"), "`plain/path.json`");
    }
}
