//! Every `DomainError` and `Finding` comes from the mutation that should cause it, starting
//! from a real Azure-made security domain; damage that only keys can detect (an empty or
//! altered JWE tag, a flipped ciphertext byte) is reported by recovery for the right item.

use crate::fixtures::{azure_sd, key};
use base64ct::{Base64UrlUnpadded, Encoding};
use rsa::PrivateKey;
use sdkit_core::SecurityDomain;
use sdkit_core::domain::{DomainError, Finding, MAX_SD_BYTES};
use sdkit_core::jwe::{JweDecryptError, JweParseError, PART_NAMES};
use sdkit_core::recover::{self, HolderKey, HolderStatus, RecoverError};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SAMPLE: &str = "sd-2023-11-07_15e0e830.json";

fn sample_bytes() -> Vec<u8> {
    azure_sd(SAMPLE)
}

fn sample() -> Value {
    serde_json::from_slice(&sample_bytes()).unwrap()
}

/// The sample with `f` applied to its JSON.
fn mutated(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = sample();
    f(&mut v);
    v.to_string().into_bytes()
}

fn at<'a>(v: &'a mut Value, pointer: &str) -> &'a mut Value {
    v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the sample"))
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, name) = pointer.rsplit_once('/').unwrap();
    at(v, parent).as_object_mut().unwrap().remove(name).unwrap();
}

/// Replaces part `i` of the compact JWE at `pointer` by `f(part)`.
fn edit_part(v: &mut Value, pointer: &str, i: usize, f: impl FnOnce(&str) -> String) {
    let slot = at(v, pointer);
    let mut parts: Vec<String> = slot
        .as_str()
        .unwrap()
        .split('.')
        .map(str::to_owned)
        .collect();
    parts[i] = f(&parts[i]);
    *slot = Value::String(parts.join("."));
}

/// Flips one bit of the decoded part `i`.
fn flip_part_byte(v: &mut Value, pointer: &str, i: usize, byte: usize) {
    edit_part(v, pointer, i, |p| {
        let mut raw = Base64UrlUnpadded::decode_vec(p).unwrap();
        raw[byte] ^= 0x01;
        Base64UrlUnpadded::encode_string(&raw)
    });
}

/// Replaces the protected header of the JWE at `pointer` with `header_json`.
fn set_header(v: &mut Value, pointer: &str, header_json: &str) {
    edit_part(v, pointer, 0, |_| {
        Base64UrlUnpadded::encode_string(header_json.as_bytes())
    });
}

fn variant(e: &DomainError) -> &'static str {
    // Exhaustive on purpose: a new variant must be added here and to a case below.
    match e {
        DomainError::TooLarge { .. } => "TooLarge",
        DomainError::TooManyItems { .. } => "TooManyItems",
        DomainError::NotJson { .. } => "NotJson",
        DomainError::Missing { .. } => "Missing",
        DomainError::WrongType { .. } => "WrongType",
        DomainError::NoDataItems => "NoDataItems",
        DomainError::ShareCount { .. } => "ShareCount",
        DomainError::UnknownKeyAlgorithm { .. } => "UnknownKeyAlgorithm",
        DomainError::UnknownKdf { .. } => "UnknownKdf",
        DomainError::QuorumOutOfRange { .. } => "QuorumOutOfRange",
        DomainError::DuplicateThumbprint { .. } => "DuplicateThumbprint",
        DomainError::DuplicateTag { .. } => "DuplicateTag",
        DomainError::BadThumbprint { .. } => "BadThumbprint",
        DomainError::BadJwe { .. } => "BadJwe",
        DomainError::UnsupportedAlgorithm { .. } => "UnsupportedAlgorithm",
    }
}
const ALL_ERRORS: usize = 15;

fn finding_variant(f: &Finding) -> &'static str {
    match f {
        Finding::Wrapped => "Wrapped",
        Finding::UnknownField(_) => "UnknownField",
        Finding::VersionMissing => "VersionMissing",
        Finding::VersionUnexpected(_) => "VersionUnexpected",
        Finding::KdfMissing => "KdfMissing",
        Finding::KidDiffersFromTag { .. } => "KidDiffersFromTag",
        Finding::TagNotSafeFileName { .. } => "TagNotSafeFileName",
        Finding::BadTagLength { .. } => "BadTagLength",
        Finding::OutsideManagedHsmLimits => "OutsideManagedHsmLimits",
    }
}
const ALL_FINDINGS: usize = 9;

fn err(bytes: &[u8]) -> DomainError {
    match SecurityDomain::parse(bytes) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    }
}

fn not_json_containing(bytes: &[u8], needle: &str) -> DomainError {
    let e = err(bytes);
    match &e {
        DomainError::NotJson { reason } => {
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}")
        }
        other => panic!("expected NotJson containing {needle:?}, got {other:?}"),
    }
    e
}

fn missing(path: &str) -> DomainError {
    DomainError::Missing { path: path.into() }
}

fn wrong(path: &str, expected: &'static str) -> DomainError {
    DomainError::WrongType {
        path: path.into(),
        expected,
    }
}

fn quorum(required: &str) -> DomainError {
    DomainError::QuorumOutOfRange {
        required: required.into(),
        shares: 3,
    }
}

const D0: &str = "/EncData/data/0/compact_jwe";
const S1: &str = "/SharedKeys/enc_shares/1/enc_key";

#[test]
fn every_domain_error_variant() {
    let base = sample_bytes();
    assert!(SecurityDomain::parse(&base).is_ok());
    let text = String::from_utf8(base.clone()).unwrap();
    let share0 = sample()["SharedKeys"]["enc_shares"][0].clone();
    let item0_jwe = sample()["EncData"]["data"][0]["compact_jwe"].clone();

    let mut cases: Vec<(&str, DomainError, DomainError)> = Vec::new();
    let mut case = |name: &'static str, got: DomainError, want: DomainError| {
        cases.push((name, got, want));
    };
    let same = |e: DomainError| (e.clone(), e);

    // Size and syntax.
    let mut huge = base.clone();
    huge.resize(MAX_SD_BYTES + 1, b' ');
    case(
        "over the size limit",
        err(&huge),
        DomainError::TooLarge {
            len: MAX_SD_BYTES + 1,
        },
    );
    // Counts bounded while parsing, before anything is built from them.
    let flood = format!(
        r#"{{"EncData":{{"data":[{}]}},"SharedKeys":{{}}}}"#,
        vec!["{}"; 70_000].join(",")
    );
    let (g, w) = same(not_json_containing(
        flood.as_bytes(),
        "more than 65536 JSON values",
    ));
    case("a flood of values", g, w);
    let mut doc: serde_json::Value = serde_json::from_slice(&base).unwrap();
    let first = doc["EncData"]["data"][0].clone();
    doc["EncData"]["data"] = serde_json::Value::Array(
        (0..1025)
            .map(|i| {
                let mut it = first.clone();
                it["tag"] = format!("t{i}").into();
                it
            })
            .collect(),
    );
    case(
        "over the item limit",
        err(doc.to_string().as_bytes()),
        DomainError::TooManyItems { count: 1025 },
    );
    for cut in [0, 1, base.len() / 2, base.len() - 1] {
        let (g, w) = same(not_json_containing(&base[..cut], "EOF"));
        case("truncated", g, w);
    }
    let (g, w) = same(not_json_containing(b"this is not JSON", "expected"));
    case("not JSON", g, w);
    let (g, w) = same(not_json_containing(b"-----BEGIN CERTIFICATE-----", ""));
    case("PEM instead of JSON", g, w);
    // Not UTF-8: a Latin-1 byte inside a string, a bare 0xFF, and a UTF-16 file.
    let mut latin1 = base.clone();
    latin1[text.find("hsm_backup\"}").unwrap() + 5] = 0xE9; // "hsm_b\xE9ckup"
    let (g, w) = same(not_json_containing(&latin1, ""));
    case("not UTF-8 in a string", g, w);
    let (g, w) = same(not_json_containing(b"\xFF{}", ""));
    case("not UTF-8 outside strings", g, w);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (g, w) = same(not_json_containing(&utf16, ""));
    case("UTF-16 with BOM", g, w);
    // Duplicate keys, edited into the text (serde_json's Value would keep the last silently).
    let dup = text.replacen("\"version\":2}", "\"version\":2,\"version\":2}", 1);
    let (g, w) = same(not_json_containing(
        dup.as_bytes(),
        "duplicate key \"version\"",
    ));
    case("duplicate top-level key", g, w);
    let dup = text.replacen("\"required\":2", "\"required\":3,\"required\":2", 1);
    let (g, w) = same(not_json_containing(
        dup.as_bytes(),
        "duplicate key \"required\"",
    ));
    case("duplicate nested key", g, w);
    let dup = text.replacen(
        "\"tag\":\"hsm_backup\"",
        "\"tag\":\"hsm_backup\",\"tag\":\"x\"",
        1,
    );
    let (g, w) = same(not_json_containing(dup.as_bytes(), "duplicate key \"tag\""));
    case("duplicate key in an item", g, w);
    let deep = "[".repeat(100_000);
    let (g, w) = same(not_json_containing(deep.as_bytes(), "recursion limit"));
    case("100k-deep array", g, w);
    let deep = "{\"a\":".repeat(100_000);
    let (g, w) = same(not_json_containing(deep.as_bytes(), "recursion limit"));
    case("100k-deep object", g, w);
    let wrapped_deep = json!({ "value": "[".repeat(100_000) }).to_string();
    let (g, w) = same(not_json_containing(
        wrapped_deep.as_bytes(),
        "inside \"value\"",
    ));
    case("100k-deep array inside the wrapper", g, w);

    // Numbers serde_json cannot hold.
    let huge_required = text.replacen("\"required\":2", "\"required\":1e400", 1);
    let (g, w) = same(not_json_containing(
        huge_required.as_bytes(),
        "number out of range",
    ));
    case("required 1e400", g, w);

    // Wrapper.
    case(
        "wrapper with a number",
        err(json!({ "value": 5 }).to_string().as_bytes()),
        wrong("value", "a string holding the JSON document"),
    );
    case(
        "wrapper with an object",
        err(json!({ "value": sample() }).to_string().as_bytes()),
        wrong("value", "a string holding the JSON document"),
    );
    let (g, w) = same(not_json_containing(
        json!({ "value": "not json" }).to_string().as_bytes(),
        "inside \"value\"",
    ));
    case("wrapper with text", g, w);

    // Shape.
    case(
        "top-level array",
        err(b"[]"),
        wrong("the file", "an object"),
    );
    case(
        "top-level string",
        err(b"\"sd\""),
        wrong("the file", "an object"),
    );
    case(
        "EncData an array",
        err(&mutated(|v| *at(v, "/EncData") = json!([]))),
        wrong("EncData", "an object"),
    );
    case(
        "SharedKeys null",
        err(&mutated(|v| *at(v, "/SharedKeys") = Value::Null)),
        wrong("SharedKeys", "an object"),
    );
    case(
        "data an object",
        err(&mutated(|v| *at(v, "/EncData/data") = json!({}))),
        wrong("EncData.data", "an array"),
    );
    case(
        "item a string",
        err(&mutated(|v| *at(v, "/EncData/data/1") = json!("x"))),
        wrong("EncData.data[1]", "an object"),
    );
    case(
        "tag a number",
        err(&mutated(|v| *at(v, "/EncData/data/0/tag") = json!(5))),
        wrong("EncData.data[0].tag", "a string"),
    );
    case(
        "compact_jwe an array",
        err(&mutated(|v| *at(v, D0) = json!([]))),
        wrong("EncData.data[0].compact_jwe", "a string"),
    );
    case(
        "kdf a number",
        err(&mutated(|v| *at(v, "/EncData/kdf") = json!(108))),
        wrong("EncData.kdf", "a string"),
    );
    case(
        "enc_shares an object",
        err(&mutated(|v| *at(v, "/SharedKeys/enc_shares") = json!({}))),
        wrong("SharedKeys.enc_shares", "an array"),
    );
    case(
        "share an array",
        err(&mutated(|v| *at(v, "/SharedKeys/enc_shares/2") = json!([]))),
        wrong("SharedKeys.enc_shares[2]", "an object"),
    );
    case(
        "x5t_256 a number",
        err(&mutated(|v| {
            *at(v, "/SharedKeys/enc_shares/0/x5t_256") = json!(1)
        })),
        wrong("SharedKeys.enc_shares[0].x5t_256", "a string"),
    );
    case(
        "key_algorithm null",
        err(&mutated(|v| {
            *at(v, "/SharedKeys/key_algorithm") = Value::Null
        })),
        wrong("SharedKeys.key_algorithm", "a string"),
    );
    case(
        "required \"2\"",
        err(&mutated(|v| *at(v, "/SharedKeys/required") = json!("2"))),
        wrong("SharedKeys.required", "an integer"),
    );
    case(
        "required true",
        err(&mutated(|v| *at(v, "/SharedKeys/required") = json!(true))),
        wrong("SharedKeys.required", "an integer"),
    );
    case(
        "version \"2\"",
        err(&mutated(|v| *at(v, "/version") = json!("2"))),
        wrong("version", "an integer"),
    );
    case(
        "version -2",
        err(&mutated(|v| *at(v, "/version") = json!(-2))),
        wrong("version", "an integer"),
    );

    // Missing fields.
    for (pointer, path) in [
        ("/EncData", "EncData"),
        ("/SharedKeys", "SharedKeys"),
        ("/EncData/data", "EncData.data"),
        ("/EncData/data/2/tag", "EncData.data[2].tag"),
        ("/EncData/data/0/compact_jwe", "EncData.data[0].compact_jwe"),
        ("/SharedKeys/enc_shares", "SharedKeys.enc_shares"),
        ("/SharedKeys/key_algorithm", "SharedKeys.key_algorithm"),
        ("/SharedKeys/required", "SharedKeys.required"),
        (
            "/SharedKeys/enc_shares/1/x5t_256",
            "SharedKeys.enc_shares[1].x5t_256",
        ),
        (
            "/SharedKeys/enc_shares/2/enc_key",
            "SharedKeys.enc_shares[2].enc_key",
        ),
    ] {
        case(
            "missing field",
            err(&mutated(|v| remove(v, pointer))),
            missing(path),
        );
    }

    // Contents.
    case(
        "empty data",
        err(&mutated(|v| *at(v, "/EncData/data") = json!([]))),
        DomainError::NoDataItems,
    );
    case(
        "no shares",
        err(&mutated(|v| *at(v, "/SharedKeys/enc_shares") = json!([]))),
        DomainError::ShareCount { count: 0 },
    );
    case(
        "one share",
        err(&mutated(|v| {
            at(v, "/SharedKeys/enc_shares")
                .as_array_mut()
                .unwrap()
                .truncate(1)
        })),
        DomainError::ShareCount { count: 1 },
    );
    case(
        "128 shares",
        err(&mutated(|v| {
            *at(v, "/SharedKeys/enc_shares") = Value::Array(vec![share0.clone(); 128])
        })),
        DomainError::ShareCount { count: 128 },
    );
    case(
        "unknown key_algorithm",
        err(&mutated(|v| {
            *at(v, "/SharedKeys/key_algorithm") = json!("shamir_share_gf256")
        })),
        DomainError::UnknownKeyAlgorithm {
            found: "shamir_share_gf256".into(),
        },
    );
    case(
        "unknown kdf",
        err(&mutated(|v| *at(v, "/EncData/kdf") = json!("hkdf_sha256"))),
        DomainError::UnknownKdf {
            found: "hkdf_sha256".into(),
        },
    );
    for (value, shown) in [
        (json!(1), "1"),
        (json!(0), "0"),
        (json!(4), "4"),
        (json!(-1), "-1"),
        (json!(2.0), "2.0"),
        (json!(2.5), "2.5"),
        (json!(u64::MAX), "18446744073709551615"),
    ] {
        case(
            "required out of range",
            err(&mutated(|v| *at(v, "/SharedKeys/required") = value)),
            quorum(shown),
        );
    }
    case(
        "duplicate thumbprint",
        err(&mutated(|v| {
            let t = at(v, "/SharedKeys/enc_shares/0/x5t_256").clone();
            *at(v, "/SharedKeys/enc_shares/2/x5t_256") = t;
        })),
        DomainError::DuplicateThumbprint {
            first: 0,
            second: 2,
        },
    );
    case(
        "duplicate tag",
        err(&mutated(|v| {
            *at(v, "/EncData/data/2/tag") = json!("hsm_backup");
        })),
        DomainError::DuplicateTag {
            tag: "hsm_backup".into(),
        },
    );
    for bad in [
        "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK/HuYg", // standard alphabet
        "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuY",  // 42 characters
        "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuYgA", // 33 bytes
        "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuYh", // non-zero trailing bits
        "vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuYg==",
        " vODZF4xDVWHyFob2nfI5Li1MPOmEhVJqlnojTK_HuYg",
        "",
    ] {
        case(
            "bad thumbprint",
            err(&mutated(|v| {
                *at(v, "/SharedKeys/enc_shares/1/x5t_256") = json!(bad)
            })),
            DomainError::BadThumbprint {
                path: "SharedKeys.enc_shares[1].x5t_256".into(),
            },
        );
    }
    for (pointer, path) in [
        (D0, "EncData.data[0].compact_jwe"),
        (S1, "SharedKeys.enc_shares[1].enc_key"),
    ] {
        for (part, part_name) in PART_NAMES.into_iter().enumerate() {
            for bad in ["a+b", "ab/c", "abcd!", "AB==="] {
                case(
                    "bad JWE part",
                    err(&mutated(|v| edit_part(v, pointer, part, |_| bad.into()))),
                    DomainError::BadJwe {
                        path: path.into(),
                        error: JweParseError::BadBase64 { part: part_name },
                    },
                );
            }
        }
        case(
            "JWE with four parts",
            err(&mutated(|v| {
                let s = at(v, pointer);
                let t = s.as_str().unwrap().rsplit_once('.').unwrap().0.to_owned();
                *s = json!(t);
            })),
            DomainError::BadJwe {
                path: path.into(),
                error: JweParseError::WrongPartCount { found: 4 },
            },
        );
        case(
            "JWE header not JSON",
            err(&mutated(|v| set_header(v, pointer, "not json"))),
            DomainError::BadJwe {
                path: path.into(),
                error: JweParseError::HeaderNotJson,
            },
        );
        case(
            "JWE header without alg",
            err(&mutated(|v| {
                set_header(v, pointer, r#"{"enc":"A256CBC-HS512"}"#)
            })),
            DomainError::BadJwe {
                path: path.into(),
                error: JweParseError::HeaderField { field: "alg" },
            },
        );
        for (member, header) in [
            ("zip", r#"{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}"#),
            (
                "crit",
                r#"{"alg":"dir","enc":"A256CBC-HS512","crit":["b64"]}"#,
            ),
        ] {
            case(
                "JWE header asking for compression or a critical extension",
                err(&mutated(|v| set_header(v, pointer, header))),
                DomainError::BadJwe {
                    path: path.into(),
                    error: JweParseError::UnsupportedHeader { member },
                },
            );
        }
    }
    case(
        "share JWE as a data item",
        err(&mutated(|v| {
            let s = at(v, S1).clone();
            *at(v, D0) = s;
        })),
        DomainError::UnsupportedAlgorithm {
            path: "EncData.data[0].compact_jwe".into(),
            alg: "RSA-OAEP-256".into(),
            enc: "A256CBC-HS512".into(),
        },
    );
    case(
        "data JWE as a share",
        err(&mutated(|v| *at(v, S1) = item0_jwe.clone())),
        DomainError::UnsupportedAlgorithm {
            path: "SharedKeys.enc_shares[1].enc_key".into(),
            alg: "dir".into(),
            enc: "A256CBC-HS512".into(),
        },
    );
    case(
        "data item with alg A256KW",
        err(&mutated(|v| {
            set_header(
                v,
                "/EncData/data/2/compact_jwe",
                r#"{"alg":"A256KW","enc":"A256CBC-HS512","kid":"partition_enclave_backup"}"#,
            )
        })),
        DomainError::UnsupportedAlgorithm {
            path: "EncData.data[2].compact_jwe".into(),
            alg: "A256KW".into(),
            enc: "A256CBC-HS512".into(),
        },
    );
    case(
        "share with alg RSA-OAEP (SHA-1)",
        err(&mutated(|v| {
            set_header(
                v,
                S1,
                r#"{"alg":"RSA-OAEP","enc":"A256CBC-HS512","kid":"x"}"#,
            )
        })),
        DomainError::UnsupportedAlgorithm {
            path: "SharedKeys.enc_shares[1].enc_key".into(),
            alg: "RSA-OAEP".into(),
            enc: "A256CBC-HS512".into(),
        },
    );
    case(
        "share with enc A128CBC-HS256",
        err(&mutated(|v| {
            set_header(v, S1, r#"{"alg":"RSA-OAEP-256","enc":"A128CBC-HS256"}"#)
        })),
        DomainError::UnsupportedAlgorithm {
            path: "SharedKeys.enc_shares[1].enc_key".into(),
            alg: "RSA-OAEP-256".into(),
            enc: "A128CBC-HS256".into(),
        },
    );

    let mut seen = BTreeSet::new();
    for (name, got, want) in &cases {
        assert_eq!(got, want, "{name}");
        seen.insert(variant(got));
    }
    assert_eq!(cases.len(), 126, "every mutation above must have run");
    assert_eq!(seen.len(), ALL_ERRORS, "variants covered: {seen:?}");
}

fn findings(bytes: &[u8]) -> Vec<Finding> {
    SecurityDomain::parse(bytes)
        .unwrap_or_else(|e| panic!("refused: {e}"))
        .findings()
        .to_vec()
}

fn unknown(path: &str) -> Finding {
    Finding::UnknownField(path.into())
}

#[test]
fn every_finding_variant() {
    let base = sample_bytes();
    let text = String::from_utf8(base.clone()).unwrap();
    let mut cases: Vec<(&str, Vec<Finding>, Vec<Finding>)> = vec![
        ("pristine", findings(&base), vec![]),
        (
            "wrapped",
            findings(json!({ "value": text }).to_string().as_bytes()),
            vec![Finding::Wrapped],
        ),
        (
            "wrapped with an extra member",
            findings(json!({ "value": text, "id": "x" }).to_string().as_bytes()),
            vec![Finding::Wrapped, unknown("id")],
        ),
        (
            "a bare SD with a value member is not a wrapper",
            findings(&mutated(|v| {
                v.as_object_mut().unwrap().insert("value".into(), json!(1));
            })),
            vec![unknown("value")],
        ),
        (
            "unknown fields everywhere, with their paths",
            findings(&mutated(|v| {
                at(v, "")
                    .as_object_mut()
                    .unwrap()
                    .insert("comment".into(), json!("hi"));
                at(v, "/EncData")
                    .as_object_mut()
                    .unwrap()
                    .insert("cipher".into(), json!(1));
                at(v, "/EncData/data/1")
                    .as_object_mut()
                    .unwrap()
                    .insert("note".into(), json!(null));
                at(v, "/SharedKeys")
                    .as_object_mut()
                    .unwrap()
                    .insert("total".into(), json!(3));
                at(v, "/SharedKeys/enc_shares/2")
                    .as_object_mut()
                    .unwrap()
                    .insert("x5t".into(), json!("abc"));
            })),
            vec![
                unknown("comment"),
                unknown("EncData.cipher"),
                unknown("EncData.data[1].note"),
                unknown("SharedKeys.total"),
                unknown("SharedKeys.enc_shares[2].x5t"),
            ],
        ),
        (
            "no version",
            findings(&mutated(|v| remove(v, "/version"))),
            vec![Finding::VersionMissing],
        ),
        (
            "version 3",
            findings(&mutated(|v| *at(v, "/version") = json!(3))),
            vec![Finding::VersionUnexpected(3)],
        ),
        (
            "no kdf",
            findings(&mutated(|v| remove(v, "/EncData/kdf"))),
            vec![Finding::KdfMissing],
        ),
        (
            "renamed tag",
            findings(&mutated(|v| {
                *at(v, "/EncData/data/1/tag") = json!("renamed")
            })),
            vec![Finding::KidDiffersFromTag { index: 1 }],
        ),
        (
            "path in tag",
            findings(&mutated(|v| {
                *at(v, "/EncData/data/2/tag") = json!("../evil")
            })),
            vec![
                Finding::KidDiffersFromTag { index: 2 },
                Finding::TagNotSafeFileName { index: 2 },
            ],
        ),
        (
            "empty data tag part",
            findings(&mutated(|v| edit_part(v, D0, 4, |_| String::new()))),
            vec![Finding::BadTagLength {
                path: "EncData.data[0].compact_jwe".into(),
                len: 0,
            }],
        ),
        (
            "short share tag part",
            findings(&mutated(|v| {
                edit_part(v, S1, 4, |t| {
                    let raw = Base64UrlUnpadded::decode_vec(t).unwrap();
                    Base64UrlUnpadded::encode_string(&raw[..16])
                })
            })),
            vec![Finding::BadTagLength {
                path: "SharedKeys.enc_shares[1].enc_key".into(),
                len: 16,
            }],
        ),
        (
            "2 of 2 is outside Managed HSM's limits",
            findings(&mutated(|v| {
                at(v, "/SharedKeys/enc_shares")
                    .as_array_mut()
                    .unwrap()
                    .truncate(2)
            })),
            vec![Finding::OutsideManagedHsmLimits],
        ),
        (
            "padded thumbprint is accepted",
            findings(&mutated(|v| {
                let s = at(v, "/SharedKeys/enc_shares/0/x5t_256");
                *s = json!(format!("{}=", s.as_str().unwrap()));
            })),
            vec![],
        ),
    ];
    // The wrapper adds exactly its own finding to the inner SD's.
    let inner = String::from_utf8(mutated(|v| remove(v, "/version"))).unwrap();
    cases.push((
        "wrapped SD without version",
        findings(json!({ "value": inner }).to_string().as_bytes()),
        vec![Finding::Wrapped, Finding::VersionMissing],
    ));

    let mut seen = BTreeSet::new();
    for (name, got, want) in &cases {
        assert_eq!(got, want, "{name}");
        seen.extend(got.iter().map(finding_variant));
    }
    assert_eq!(cases.len(), 15);
    assert_eq!(seen.len(), ALL_FINDINGS, "findings covered: {seen:?}");
}

/// Opens the (mutated) SD with sd1 and sd2 (and sd3 when `three`).
fn recover_with(bytes: &[u8], three: bool) -> Result<recover::Recovery, RecoverError> {
    let sd = SecurityDomain::parse(bytes).unwrap();
    let keys: Vec<PrivateKey> = (1..=if three { 3 } else { 2 }).map(key).collect();
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|k| HolderKey {
            key: k,
            certificate: None,
        })
        .collect();
    let openings = recover::open_shares(&sd, &hk);
    for o in &openings {
        assert!(
            matches!(o.status, HolderStatus::Opened { .. }),
            "{:?}",
            o.status
        );
    }
    recover::combine(&sd, &openings)
}

fn item_pointer(i: usize) -> String {
    format!("/EncData/data/{i}/compact_jwe")
}

#[test]
fn damaged_items_fail_authentication_in_recovery() {
    let pristine = recover_with(&sample_bytes(), false).unwrap();
    assert!(pristine.all_items_authentic());
    let mut ran = 0;

    type Damage = fn(&mut Value, &str);
    let damages: [(&str, Damage); 4] = [
        ("empty tag", |v, p| edit_part(v, p, 4, |_| String::new())),
        ("tag bit", |v, p| flip_part_byte(v, p, 4, 31)),
        ("ciphertext bit", |v, p| flip_part_byte(v, p, 3, 100)),
        ("IV bit", |v, p| flip_part_byte(v, p, 2, 0)),
    ];
    for (what, damage) in damages {
        // Any authentic item vouches for the master key, so a damaged first item is named on
        // its own instead of being blamed on the shares.
        let bytes = mutated(|v| damage(v, &item_pointer(0)));
        if what == "empty tag" {
            assert_eq!(
                SecurityDomain::parse(&bytes).unwrap().findings(),
                &[Finding::BadTagLength {
                    path: "EncData.data[0].compact_jwe".into(),
                    len: 0
                }]
            );
        }
        for three in [false, true] {
            let rec = recover_with(&bytes, three).unwrap();
            assert_eq!(
                rec.master_key().expose(),
                pristine.master_key().expose(),
                "{what} in item 0"
            );
            assert!(
                matches!(rec.items[0].plaintext, Err(JweDecryptError::Failed(_))),
                "{what} in item 0"
            );
            assert!(
                rec.items[1..].iter().all(|i| i.plaintext.is_ok()),
                "{what} in item 0"
            );
        }
        // With every item damaged, nothing vouches for any quorum.
        let all_bad = mutated(|v| {
            for i in 0..3 {
                damage(v, &item_pointer(i));
            }
        });
        assert_eq!(
            recover_with(&all_bad, false).unwrap_err(),
            RecoverError::NoAuthenticatingQuorum { tried: 1 },
            "{what} in every item"
        );
        assert_eq!(
            recover_with(&all_bad, true).unwrap_err(),
            RecoverError::NoAuthenticatingQuorum { tried: 3 },
            "{what} in every item, three keys"
        );
        ran += 1;
        // A later item fails on its own; the others still come out.
        for bad in [1, 2] {
            let bytes = mutated(|v| damage(v, &item_pointer(bad)));
            let rec = recover_with(&bytes, false).unwrap();
            assert_eq!(
                rec.master_key().expose(),
                pristine.master_key().expose(),
                "{what} in item {bad}"
            );
            assert!(!rec.all_items_authentic());
            for (i, item) in rec.items.iter().enumerate() {
                if i == bad {
                    assert!(
                        matches!(item.plaintext, Err(JweDecryptError::Failed(_))),
                        "{what} in item {bad}: {:?}",
                        item.plaintext
                    );
                } else {
                    assert_eq!(
                        item.plaintext.as_ref().unwrap().expose(),
                        pristine.items[i].plaintext.as_ref().unwrap().expose()
                    );
                }
            }
            ran += 1;
        }
    }
    assert_eq!(ran, 12);
}

#[test]
fn damaged_share_is_not_opened() {
    // A flipped bit in share 2's ciphertext: sd2's key no longer opens any share, and with
    // only sd1 left there is no quorum; sd1 + sd3 still recover.
    let bytes = mutated(|v| flip_part_byte(v, S1, 3, 5));
    let sd = SecurityDomain::parse(&bytes).unwrap();
    let keys: Vec<PrivateKey> = (1..=3).map(key).collect();
    let hk: Vec<HolderKey<'_>> = keys
        .iter()
        .map(|k| HolderKey {
            key: k,
            certificate: None,
        })
        .collect();
    let openings = recover::open_shares(&sd, &hk);
    let statuses: Vec<&HolderStatus> = openings.iter().map(|o| &o.status).collect();
    assert_eq!(
        statuses,
        [
            &HolderStatus::Opened {
                share_index: 0,
                x: 1
            },
            &HolderStatus::NoShare,
            &HolderStatus::Opened {
                share_index: 2,
                x: 3
            },
        ]
    );
    let rec = recover::combine(&sd, &openings).unwrap();
    assert_eq!(rec.basis, vec![1, 3]);
    assert!(rec.all_items_authentic());
    assert_eq!(
        recover::combine(&sd, &openings[..2]).unwrap_err(),
        RecoverError::NotEnoughShares { have: 1, need: 2 }
    );
}
