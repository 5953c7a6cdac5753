//! Restore blobs: the real CLI's output parses, re-serializes byte for byte and opens with
//! the oracle exchange key to the SD's plaintexts; sealed blobs round-trip; wrong keys and
//! tampering are refused.

use crate::fixtures::{azure_sd, cert_der, key, rsa_key};
use sdkit_core::blob::{OpenError, RestoreBlob, SealError};
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{SecurityDomain, SysRng, Thumbprint};
use sha2::{Digest, Sha256};

const HASHES_2023: [&str; 3] = ["09d796b3924b73bf", "57d6d2754ab561ff", "a5ccbe18d22cca88"];

#[test]
fn real_cli_blob_reserializes_and_opens_to_the_sd_plaintexts() {
    let bytes = azure_sd("cli-oracle/restore-blob_sd-2023-11-07_sd1-sd2.json");
    let blob = RestoreBlob::parse(&bytes).unwrap();
    assert!(blob.findings().is_empty());
    assert_eq!(
        blob.to_json().as_bytes(),
        &bytes[..],
        "python-style serialization"
    );
    assert_eq!(
        blob.exchange_thumbprint(),
        Thumbprint::of_certificate_der(&cert_der("cli-oracle/oracle-exchange.pem"))
    );
    let items = blob
        .open(&rsa_key("cli-oracle/oracle-exchange-key.pem"))
        .unwrap();
    let tags: Vec<&str> = items.iter().map(|i| i.tag.as_str()).collect();
    assert_eq!(
        tags,
        [
            "hsm_backup",
            "base_enclave_backup",
            "partition_enclave_backup"
        ]
    );
    for (item, want) in items.iter().zip(HASHES_2023) {
        let p = item.plaintext.as_ref().unwrap();
        assert_eq!(&hex::encode(Sha256::digest(p.expose()))[..16], want);
    }
    // A custodian key is not the exchange key.
    assert_eq!(
        blob.open(&key(1)).unwrap_err(),
        OpenError::WrongKeyOrAltered
    );
}

#[test]
fn recorded_upload_bodies_parse_and_reserialize_exactly() {
    for name in [
        "upload-request-2020-09-15_df516d79.json",
        "upload-request-2023-11-07_15e0e830.json",
    ] {
        let body: serde_json::Value = serde_json::from_slice(&azure_sd(name)).unwrap();
        let inner = body["value"].as_str().unwrap();
        let blob = RestoreBlob::parse(&azure_sd(name)).unwrap();
        assert_eq!(blob.findings(), &[sdkit_core::domain::Finding::Wrapped]);
        assert_eq!(blob.to_json(), inner, "{name}");
        assert_eq!(
            blob.wrapped_key().part_lengths()[1],
            512,
            "RSA-4096 exchange key"
        );
    }
}

#[test]
fn sd_to_blob_to_plaintexts_round_trip() {
    let sd = SecurityDomain::parse(&azure_sd("sd-2023-11-07_15e0e830.json")).unwrap();
    let (k1, k3) = (key(1), key(3));
    let openings = recover::open_shares(
        &sd,
        &[
            HolderKey {
                key: &k1,
                certificate: None,
            },
            HolderKey {
                key: &k3,
                certificate: None,
            },
        ],
    );
    let rec = recover::combine(&sd, &openings).unwrap();
    let exchange = rsa_key("cli-oracle/oracle-exchange-key.pem");
    let tp = Thumbprint::of_certificate_der(&cert_der("cli-oracle/oracle-exchange.pem"));
    let blob = RestoreBlob::seal_recovered(&rec.items, &exchange.to_public_key(), tp, &mut SysRng)
        .unwrap();
    let text = blob.to_json();
    assert!(text.starts_with("{\"EncData\": {\"data\": [{\"compact_jwe\": \"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiaHNtX2JhY2t1cCJ9.."));
    assert!(text.ends_with("\"}}"));
    let back = RestoreBlob::parse(text.as_bytes()).unwrap();
    assert_eq!(back, blob);
    let items = back.open(&exchange).unwrap();
    for (item, want) in items.iter().zip(HASHES_2023) {
        assert_eq!(
            &hex::encode(Sha256::digest(item.plaintext.as_ref().unwrap().expose()))[..16],
            want
        );
    }

    // Tampering with an item's ciphertext makes that item, and only it, fail.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let jwe = v["EncData"]["data"][1]["compact_jwe"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
    parts[3].replace_range(0..1, flipped);
    v["EncData"]["data"][1]["compact_jwe"] = serde_json::Value::String(parts.join("."));
    let tampered = RestoreBlob::parse(v.to_string().as_bytes()).unwrap();
    let items = tampered.open(&exchange).unwrap();
    assert!(
        items[0].plaintext.is_ok() && items[1].plaintext.is_err() && items[2].plaintext.is_ok()
    );

    // Small exchange keys are refused.
    let small = rsa::PrivateKey::new(&mut SysRng, 1024).unwrap();
    assert_eq!(
        RestoreBlob::seal_recovered(&rec.items, &small.to_public_key(), tp, &mut SysRng)
            .unwrap_err(),
        SealError::ExchangeKeyTooSmall { bits: 1024 }
    );
}
