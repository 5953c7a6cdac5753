//! Custodian key material: RSA key generation (the bulk of `sdkit keygen`), the
//! self-signed certificate and PEM encoding that follow it, and loading a key and a
//! certificate from PEM (the first thing every `drill` / `restore-blob` does per custodian).
//!
//! Key generation is a random search for primes, so its time varies a lot from one key to
//! the next (RSA-3072: about 0.05 to 0.5 s); the mean over 10 keys is what to compare.
//!
//! `cargo bench -p sdkit-certs --bench keygen`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use sdkit_certs::{CertificateParams, KeySize};
use std::hint::black_box;
use std::time::Duration;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/azure-sd/");

fn bench_keygen(c: &mut Criterion) {
    let mut g = c.benchmark_group("rsa_keygen");
    // One key per iteration, equal iterations per sample: 10 samples is criterion's minimum.
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(6));
    for size in [KeySize::Rsa2048, KeySize::Rsa3072] {
        g.bench_function(BenchmarkId::from_parameter(size.bits()), |b| {
            b.iter(|| sdkit_certs::generate_rsa_key(black_box(size)).unwrap());
        });
    }
    g.finish();
}

fn bench_cert_and_pem(c: &mut Criterion) {
    let key = sdkit_certs::generate_rsa_key(KeySize::Rsa3072).unwrap();
    let params = CertificateParams {
        subject: "CN=SD Key 1".to_owned(),
        validity_days: 365,
    };
    let mut g = c.benchmark_group("keygen_files_3072");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("self_signed_certificate", |b| {
        b.iter(|| sdkit_certs::self_signed_certificate(black_box(&key), &params).unwrap());
    });
    g.bench_function("private_key_pem_unencrypted", |b| {
        b.iter(|| sdkit_certs::private_key_pem_unencrypted(black_box(&key)).unwrap());
    });
    g.finish();

    let key_pem = std::fs::read(format!("{DIR}sd1.pem")).unwrap();
    let cert_pem = std::fs::read(format!("{DIR}sd1.cer")).unwrap();
    let mut g = c.benchmark_group("load");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("private_key_pem_2048", |b| {
        b.iter(|| sdkit_certs::load_private_key(black_box(&key_pem), None).unwrap());
    });
    g.bench_function("certificate_pem", |b| {
        b.iter(|| sdkit_certs::load_certificate(black_box(&cert_pem)).unwrap());
    });
    let cert = sdkit_certs::load_certificate(&cert_pem).unwrap();
    let loaded = sdkit_certs::load_private_key(&key_pem, None).unwrap();
    g.bench_function("matches_private_key", |b| {
        b.iter(|| black_box(&cert).matches_private_key(black_box(&loaded)));
    });
    g.finish();
}

criterion_group!(benches, bench_keygen, bench_cert_and_pem);
criterion_main!(benches);
