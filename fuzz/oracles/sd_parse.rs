// The `sd_parse` oracle, shared by `fuzz/fuzz_targets/sd_parse.rs` and the corpus replay in
// `crates/sdkit-core/tests/it/fuzz_corpus.rs` (both `include!` this file; keep it free of inner
// attributes and `//!` comments).
//
// `SecurityDomain::parse` on arbitrary bytes must not panic, and whatever it accepts must
// survive its own serialization: `parse(to_json())` succeeds and re-serializes identically,
// with the same items, shares, quorum and version.

use sdkit_core::SecurityDomain;

/// Never panic; what parses must re-serialize to a fixed point. Returns whether the input was
/// accepted.
pub fn oracle(data: &[u8]) -> bool {
    let Ok(sd) = SecurityDomain::parse(data) else {
        return false;
    };
    let json = sd.to_json();
    let again = match SecurityDomain::parse(json.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("to_json output does not parse: {e}"),
    };
    assert_eq!(again.to_json(), json, "re-serialization differs");
    assert_eq!(again.items(), sd.items());
    assert_eq!(again.shares(), sd.shares());
    assert_eq!(again.quorum(), sd.quorum());
    assert_eq!(again.version(), sd.version());
    true
}
