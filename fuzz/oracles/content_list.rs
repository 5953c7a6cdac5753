// The `content_list` oracle, shared by `fuzz/fuzz_targets/content_list.rs` and the corpus
// replay in `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free
// of inner attributes and `//!` comments).
//
// `ContentList::from_report_json` (what `drill --same-contents-as` reads from another run's
// JSON report) on arbitrary bytes must not panic. A list it accepts:
// * is not empty, its tags are distinct, and each digest prints as 64 lower-case hex digits
//   that read back as the same digest;
// * written back as a report (`{"items": [{"tag", "content_digest"}]}`) reads back equal;
// * `compare`s equal to its own items; and finds exactly one difference in each of: the items
//   reversed (two or more: `Reordered`), the first one left out (`Missing`), its contents
//   unknown (`NotAuthentic`) or other (`Differs`), and one tag more (`Extra`).

use sdkit_core::content::{ContentDifference, ContentDigest, ContentList, ContentListError};
use serde_json::{Value, json};

/// Never panic; returns how many items an accepted report lists, or why it was refused.
pub fn oracle(data: &[u8]) -> Result<usize, ContentListError> {
    let list = ContentList::from_report_json(data)?;
    let items = list.items();
    assert!(!items.is_empty(), "an accepted report lists no items");
    for (i, (tag, digest)) in items.iter().enumerate() {
        assert!(
            items[..i].iter().all(|(t, _)| t != tag),
            "tag {tag:?} listed twice"
        );
        let hex = digest.to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert_eq!(ContentDigest::from_hex(&hex).ok(), Some(*digest));
    }

    let report = json!({
        "items": items
            .iter()
            .map(|(t, d)| json!({ "tag": t, "content_digest": d }))
            .collect::<Vec<Value>>(),
    });
    assert_eq!(
        ContentList::from_report_json(report.to_string().as_bytes()).as_ref(),
        Ok(&list),
        "the list written back as a report reads back otherwise"
    );

    let own: Vec<(&str, Option<ContentDigest>)> =
        items.iter().map(|(t, d)| (t.as_str(), Some(*d))).collect();
    assert_eq!(list.compare(&own), []);
    let first = items[0].0.clone();
    if own.len() > 1 {
        let mut reversed = own.clone();
        reversed.reverse();
        assert_eq!(list.compare(&reversed), [ContentDifference::Reordered]);
    }
    assert_eq!(
        list.compare(&own[1..]),
        [ContentDifference::Missing { tag: first.clone() }]
    );
    let mut unknown = own.clone();
    unknown[0].1 = None;
    assert_eq!(
        list.compare(&unknown),
        [ContentDifference::NotAuthentic { tag: first.clone() }]
    );
    // The first digest with its first hex digit changed.
    let hex = items[0].1.to_hex();
    let changed = format!(
        "{}{}",
        if hex.starts_with('0') { '1' } else { '0' },
        &hex[1..]
    );
    let mut other = own.clone();
    other[0].1 = ContentDigest::from_hex(&changed).ok();
    assert_eq!(
        list.compare(&other),
        [ContentDifference::Differs { tag: first }]
    );
    // Longer than any tag, so none of them.
    let extra: String = items
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("/")
        + "/";
    let mut more = own.clone();
    more.push((&extra, own[0].1));
    assert_eq!(
        list.compare(&more),
        [ContentDifference::Extra { tag: extra.clone() }]
    );
    Ok(items.len())
}
