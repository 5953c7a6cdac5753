//! Errors that wrap another error hand it out through `source()`, so a caller that walks the
//! chain (or downcasts) finds the cause.

use sdkit_core::aead::DecryptError;
use sdkit_core::assemble::BuildError;
use sdkit_core::domain::DomainError;
use sdkit_core::jwe::{JweDecryptError, JweParseError};
use std::error::Error;

#[test]
fn wrapping_errors_expose_their_cause() {
    let parse = JweParseError::WrongPartCount { found: 3 };
    let domain = DomainError::BadJwe {
        path: "SharedKeys.enc_shares[0].compact_jwe".into(),
        error: parse.clone(),
    };
    assert_eq!(
        domain
            .source()
            .and_then(|s| s.downcast_ref::<JweParseError>()),
        Some(&parse)
    );

    let decrypt = JweDecryptError::Failed(DecryptError);
    assert!(decrypt.source().unwrap().is::<DecryptError>());
}

#[test]
fn leaf_errors_have_no_source() {
    assert!(DomainError::Missing { path: "x".into() }.source().is_none());
    assert!(BuildError::NoItems.source().is_none());
    assert!(
        JweDecryptError::UnsupportedAlgorithm {
            alg: "x".into(),
            enc: "y".into()
        }
        .source()
        .is_none()
    );
}

#[test]
fn recovery_errors_expose_the_share_set_error() {
    use sdkit_core::recover::RecoverError;
    use sdkit_core::shamir::ShareSetError;
    let inner = ShareSetError::Empty;
    let e = RecoverError::IncompatibleShares(inner.clone());
    let source = e.source().expect("a source");
    assert_eq!(source.downcast_ref::<ShareSetError>(), Some(&inner));
    assert!(
        RecoverError::NotEnoughShares { have: 1, need: 2 }
            .source()
            .is_none()
    );
}
