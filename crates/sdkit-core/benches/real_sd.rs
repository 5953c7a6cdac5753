//! End-to-end library work on a real HSM-made security domain
//! (`test-vectors/azure-sd/sd-2023-11-07_15e0e830.json`, M=2 of N=3, RSA-2048 custodians):
//! parse, open the shares with all three keys (with and without the certificates'
//! thumbprints), recombine and authenticate every item, as `sdkit drill` does; and build and
//! serialize a restore blob, as `sdkit restore-blob` does.
//!
//! Without thumbprints a key is tried against every share until one opens, so holder i
//! costs up to i RSA decryptions (1 + 2 + 3 = 6 for three keys, against 3 with
//! certificates).
//!
//! `cargo bench -p sdkit-core --bench real_sd`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sdkit_core::blob::RestoreBlob;
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{SecurityDomain, SysRng, Thumbprint};
use std::hint::black_box;
use std::time::Duration;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd/");
const SD_FILE: &str = "sd-2023-11-07_15e0e830.json";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn key(name: &str) -> PrivateKey {
    PrivateKey::from_pkcs8_pem(&String::from_utf8(read(name)).unwrap()).unwrap()
}

fn cert_der(name: &str) -> Vec<u8> {
    let pem = String::from_utf8(read(name)).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).unwrap()
}

fn holder_keys<'a>(keys: &'a [PrivateKey], certs: Option<&[Thumbprint]>) -> Vec<HolderKey<'a>> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| HolderKey {
            key: k,
            certificate: certs.map(|c| c[i]),
        })
        .collect()
}

fn bench_real_sd(c: &mut Criterion) {
    let bytes = read(SD_FILE);
    let sd = SecurityDomain::parse(&bytes).unwrap();
    let keys: Vec<PrivateKey> = (1..=3).map(|i| key(&format!("sd{i}.pem"))).collect();
    let certs: Vec<Thumbprint> = (1..=3)
        .map(|i| Thumbprint::of_certificate_der(&cert_der(&format!("sd{i}.cer"))))
        .collect();

    let mut g = c.benchmark_group("real_sd");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    g.bench_function("parse", |b| {
        b.iter(|| SecurityDomain::parse(black_box(&bytes)).unwrap());
    });

    for (label, with_certs) in [("with_certs", true), ("without_certs", false)] {
        let hk = holder_keys(&keys, with_certs.then_some(&certs[..]));
        g.bench_with_input(
            BenchmarkId::new("open_shares_3keys", label),
            &hk,
            |b, hk| {
                b.iter(|| recover::open_shares(black_box(&sd), hk));
            },
        );
        g.bench_with_input(BenchmarkId::new("drill_3keys", label), &hk, |b, hk| {
            b.iter(|| {
                let sd = SecurityDomain::parse(black_box(&bytes)).unwrap();
                let openings = recover::open_shares(&sd, hk);
                let rec = recover::combine(&sd, &openings).unwrap();
                assert!(rec.all_items_authentic());
                rec
            });
        });
    }

    let hk = holder_keys(&keys, Some(&certs));
    let openings = recover::open_shares(&sd, &hk);
    g.bench_function("combine_and_authenticate", |b| {
        b.iter(|| recover::combine(black_box(&sd), black_box(&openings)).unwrap());
    });

    // Restore blob: re-encrypt the three items (12.3 KiB) under a fresh master key and wrap
    // it to the exchange key (RSA public operation), then serialize as az does.
    let rec = recover::combine(&sd, &openings).unwrap();
    let oracle = key("cli-oracle/oracle-exchange-key.pem").to_public_key();
    let oracle_tp = Thumbprint::of_certificate_der(&cert_der("cli-oracle/oracle-exchange.pem"));
    let hsm_sized = PrivateKey::new(&mut SysRng, 4096).unwrap().to_public_key();
    for (label, ex) in [("ex2048", &oracle), ("ex4096", &hsm_sized)] {
        g.bench_with_input(BenchmarkId::new("restore_blob_seal", label), ex, |b, ex| {
            b.iter(|| RestoreBlob::seal_recovered(&rec.items, ex, oracle_tp, &mut SysRng).unwrap());
        });
    }
    let blob = RestoreBlob::seal_recovered(&rec.items, &oracle, oracle_tp, &mut SysRng).unwrap();
    g.bench_function("restore_blob_to_json", |b| {
        b.iter(|| black_box(&blob).to_json());
    });
    g.bench_function("restore_blob_full_2keys_ex2048", |b| {
        let hk2 = holder_keys(&keys[..2], Some(&certs[..2]));
        b.iter(|| {
            let sd = SecurityDomain::parse(black_box(&bytes)).unwrap();
            let openings = recover::open_shares(&sd, &hk2);
            let rec = recover::combine(&sd, &openings).unwrap();
            RestoreBlob::seal_recovered(&rec.items, &oracle, oracle_tp, &mut SysRng)
                .unwrap()
                .to_json()
        });
    });
    g.finish();
}

criterion_group!(benches, bench_real_sd);
criterion_main!(benches);
