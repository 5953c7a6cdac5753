//! RSA-OAEP-256 unwrapping on the backend this build uses (`sdkit_certs::RSA_BACKEND`;
//! AWS-LC by default): what one custodian key costs a drill.
//!
//! - `warm`: one decryption with an already-used key (what `openssl speed` measures);
//! - `cold`: loading the key from PEM and its first decryption, as a drill does per key
//!   (the backend checks the key's numbers at load and prepares its Montgomery contexts at
//!   the first operation).
//!
//! - `real_sd_drill`: the library part of `sdkit drill` on the real SD
//!   `sd-2023-11-07_15e0e830.json` with its three custodians' PEM keys and certificates:
//!   parse the SD, load the keys and certificates, open the shares (on every core),
//!   recombine and authenticate every item. Each iteration loads fresh keys, as a drill does.
//!
//! sdkit-core's `crypto` and `real_sd` benches measure the same on the pure-Rust `rsa` crate.
//! `cargo bench -p sdkit-certs --bench unwrap` (`--no-default-features` for the fallback).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sdkit_certs::{KeySize, load_certificate, load_private_key, private_key_pem_unencrypted};
use sdkit_core::recover::{self, HolderKey};
use sdkit_core::{OaepDecryptKey, SecurityDomain, Thumbprint};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;

fn bench_unwrap(c: &mut Criterion) {
    let mut g = c.benchmark_group("rsa_backend_unwrap");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for size in [KeySize::Rsa2048, KeySize::Rsa3072, KeySize::Rsa4096] {
        let generated = sdkit_certs::generate_rsa_key(size).unwrap();
        assert_eq!(generated.bits(), size.bits());
        let ct = generated
            .public_key()
            .oaep_encrypt::<Sha256>(&[7u8; 64])
            .unwrap();
        let pem = private_key_pem_unencrypted(&generated).unwrap();
        let key = load_private_key(pem.as_bytes(), None).unwrap();
        g.bench_function(BenchmarkId::new("warm", size.bits()), |b| {
            b.iter(|| key.decrypt_oaep_sha256(black_box(&ct)).unwrap());
        });
        g.bench_function(BenchmarkId::new("cold", size.bits()), |b| {
            b.iter(|| {
                let fresh = load_private_key(black_box(pem.as_bytes()), None).unwrap();
                fresh.decrypt_oaep_sha256(&ct).unwrap()
            });
        });
    }
    g.finish();
}

fn bench_real_sd_drill(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd/");
    let read = |name: &str| std::fs::read(format!("{dir}{name}")).unwrap();
    let sd_bytes = read("sd-2023-11-07_15e0e830.json");
    let pems: Vec<Vec<u8>> = (1..=3).map(|i| read(&format!("sd{i}.pem"))).collect();
    let cers: Vec<Vec<u8>> = (1..=3).map(|i| read(&format!("sd{i}.cer"))).collect();
    let mut g = c.benchmark_group("rsa_backend_real_sd");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("drill_3keys_with_certs", |b| {
        b.iter(|| {
            let sd = SecurityDomain::parse(black_box(&sd_bytes)).unwrap();
            let keys: Vec<_> = pems
                .iter()
                .map(|p| load_private_key(p, None).unwrap())
                .collect();
            let holders: Vec<HolderKey<'_>> = keys
                .iter()
                .zip(&cers)
                .map(|(k, c)| HolderKey {
                    key: k,
                    certificate: Some(Thumbprint::of_certificate_der(
                        load_certificate(c).unwrap().der(),
                    )),
                })
                .collect();
            let openings = recover::open_shares(&sd, &holders);
            let recovery = recover::combine(&sd, &openings).unwrap();
            assert!(recovery.all_items_authentic());
        });
    });
    g.finish();
}

criterion_group!(benches, bench_unwrap, bench_real_sd_drill);
criterion_main!(benches);
