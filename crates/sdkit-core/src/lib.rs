//! The Azure Key Vault Managed HSM *security domain* (SD) format and its cryptography.
//!
//! A Managed HSM protects its state with a 32-byte master key, splits that key M-of-N with
//! Shamir's scheme over the prime field GF(257), and wraps each share to one custodian's
//! RSA certificate as a compact JWE (RSA-OAEP-256 + A256CBC-HS512). The protected payloads
//! are JWEs (`dir` + A256CBC-HS512) under keys derived from the master key with the
//! SP 800-108 counter-mode KDF (HMAC-SHA-512, label = item tag).
//!
//! This crate knows that format and nothing about files, terminals or argument parsing:
//! callers hand it bytes and parsed keys, it hands back values, reports and typed errors.
//!
//! Module map (one idea each):
//! - [`gf257`]: field arithmetic without secret-indexed tables or secret-dependent branches;
//! - [`shamir`]: validated [`shamir::Quorum`] and [`shamir::ShareSet`], split, combine,
//!   and the check that extra shares lie on the same polynomial;
//! - [`share`]: the share payload, little-endian `u16` words `(x << 9) | y`;
//! - [`kdf`]: SP 800-108 counter mode with HMAC-SHA-512;
//! - [`jwe`]: compact JWE parse/serialize, A256CBC-HS512, `dir` and `RSA-OAEP-256`;
//! - [`oaep_key`]: the RSA-OAEP-256 private-key operation, as a trait any backend implements;
//! - [`oaep_decode`]: constant-time EME-OAEP-SHA-256 decoding of a raw-RSA token's output;
//! - [`domain`]: the SD file model (bare or `{"value": …}` wrapped);
//! - [`inspect`]: what an SD shows without keys, judged against the team's certificates;
//! - [`severity`]: problem or note, decided where a finding is made;
//! - [`drill`]: what a restore drill proved, judged: findings, severities, verdict;
//! - [`review`]: the quarterly review of custody, judged: ranked findings, as of a given day;
//! - [`custody`]: the custody register's entries, and who holds what after them;
//! - [`utc`]: the UTC times logs write, read back;
//! - [`recover`]: keys → shares → master key → authenticated items, with a per-holder report
//!   (the keys' RSA work runs on rayon's pool, one key per job);
//! - [`assemble`]: a new SD for a user's own secrets (`sdkit split`);
//! - [`reshare`]: the same contents under a fresh master key for new custodians, proven;
//! - [`content`]: the shareable per-item digest that shows two SDs protect the same contents;
//! - [`digest`]: the SHA-256 digest that names files and links log lines;
//! - [`tag`]: the checked tag of a new item;
//! - [`secret`]: zeroizing, redacted secret types;
//! - [`provider`]: the crypto seam: RustCrypto, or AWS-LC's FIPS module in a `fips` build.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod aead;
pub mod assemble;
pub mod b64;
pub mod blob;
pub mod chain;
pub mod content;
pub mod custody;
pub mod digest;
pub mod domain;
pub mod drill;
pub mod evidence;
pub mod gf257;
pub mod inspect;
pub mod jwe;
pub mod kdf;
pub mod oaep_decode;
pub mod oaep_key;
pub mod provider;
mod pyjson;
pub mod recover;
pub mod reshare;
pub mod review;
pub mod secret;
pub mod severity;
pub mod shamir;
pub mod share;
mod strict_json;
pub mod tag;
pub mod thumbprint;
pub mod utc;

pub use domain::SecurityDomain;
pub use oaep_key::OaepDecryptKey;
pub use secret::{Cek, MasterKey, Plaintext};
pub use shamir::{Quorum, Share, ShareSet};
pub use thumbprint::Thumbprint;

/// The build's random number generator, as `rand_core` 0.10 sees it: the OS generator, or in
/// a `fips` build the FIPS module's DRBG ([`provider`]).
///
/// Every function that needs randomness takes `&mut R: TryCryptoRng` so that tests can pass
/// a deterministic generator; production callers pass this.
pub use provider::SysRng;
