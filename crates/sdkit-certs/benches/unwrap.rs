//! RSA-OAEP-256 unwrapping on the backend this build uses (`sdkit_certs::RSA_BACKEND`;
//! AWS-LC by default): what one custodian key costs a drill.
//!
//! - `warm`: one decryption with an already-used key (what `openssl speed` measures);
//! - `cold`: loading the key from PEM and its first decryption, as a drill does per key
//!   (the backend checks the key's numbers at load and prepares its Montgomery contexts at
//!   the first operation).
//!
//! sdkit-core's `crypto` bench measures the same operation on the pure-Rust `rsa` crate.
//! `cargo bench -p sdkit-certs --bench unwrap` (`--no-default-features` for the fallback).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rsa::traits::PublicKeyParts;
use sdkit_certs::{KeySize, load_private_key, private_key_pem_unencrypted};
use sdkit_core::OaepDecryptKey;
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
        assert_eq!(generated.size() * 8, size.bits());
        let ct = generated
            .to_public_key()
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

criterion_group!(benches, bench_unwrap);
criterion_main!(benches);
