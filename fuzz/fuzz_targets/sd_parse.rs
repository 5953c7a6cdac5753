//! `SecurityDomain::parse` on arbitrary bytes must not panic, and whatever it accepts must
//! survive its own serialization: `parse(to_json())` succeeds and re-serializes identically.
//! (The same oracle is replayed over `corpus/` by `crates/sdkit-core/tests/fuzz_corpus.rs`;
//! keep the two in step.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkit_core::SecurityDomain;

fuzz_target!(|data: &[u8]| {
    if let Ok(sd) = SecurityDomain::parse(data) {
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
    }
});
