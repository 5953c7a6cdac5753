//! The RSA work of a drill as a process of its own, and nothing else: load each PKCS#8 PEM
//! key into AWS-LC and unwrap one wrapped share key (RSA-OAEP-256) with it, every key on
//! its own scoped thread, so all cores work.
//!
//! `scripts/bench-compare.sh` times it beside `sdkit drill`. It reads no SD, checks no
//! certificate, opens no share and recombines nothing, so it is a lower bound for any whole
//! process that opens N shares with AWS-LC: process start-up plus AWS-LC's per-key costs
//! (the key check at load, the blinding set-up at the first operation), against the warm
//! per-operation time `openssl speed` reports.
//!
//! Usage: `bare_unwrap KEY.pem WRAPPED.bin [KEY.pem WRAPPED.bin ...]`; prints how many
//! bytes were unwrapped in all, exits 1 if anything failed.

use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, PrivateDecryptingKey};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Loads one PKCS#8 PEM key into AWS-LC (which checks it) and unwraps the wrapped key in
/// `wrapped_path` with it; returns the unwrapped length.
fn load_and_unwrap(key_path: &str, wrapped_path: &str) -> Result<usize, Failure> {
    let pem = std::fs::read(key_path)?;
    let blocks = sdkit_certs::decode_pem_lenient(&pem)?;
    let der = &blocks.first().ok_or("no PEM block")?.der;
    let key = OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(der)?)?;
    let wrapped = std::fs::read(wrapped_path)?;
    let mut out = zeroize::Zeroizing::new(vec![0u8; key.min_output_size()]);
    Ok(key
        .decrypt(&OAEP_SHA256_MGF1SHA256, &wrapped, &mut out, None)?
        .len())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: bare_unwrap KEY.pem WRAPPED.bin [KEY.pem WRAPPED.bin ...]");
        return std::process::ExitCode::from(2);
    }
    let pairs: Vec<&[String]> = args.chunks(2).collect();
    // One scoped thread per key, results in input order; a panic on a thread is re-raised.
    let results: Vec<Result<usize, Failure>> = std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .iter()
            .map(|pair| s.spawn(move || load_and_unwrap(&pair[0], &pair[1])))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut unwrapped = 0;
    let mut failed = false;
    for (pair, result) in pairs.iter().zip(results) {
        match result {
            Ok(n) => unwrapped += n,
            Err(e) => {
                eprintln!("{}: {e}", pair[0]);
                failed = true;
            }
        }
    }
    println!("{unwrapped}");
    std::process::ExitCode::from(u8::from(failed))
}
