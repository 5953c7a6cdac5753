//! Helpers shared by the integration tests.

use sdkit_core::recover::{RecoverError, Recovery};

/// Everything a recombination gave (master key, shares off the polynomial, every item's
/// plaintext or error) as one comparable string; without the basis, which depends on the
/// order of the keys.
pub fn summary_without_basis(r: &Result<Recovery, RecoverError>) -> String {
    match r {
        Err(e) => format!("{e:?}"),
        Ok(rec) => {
            let mut off = rec.off_polynomial.clone();
            off.sort_unstable();
            let items: Vec<String> = rec
                .items
                .iter()
                .map(|i| match &i.plaintext {
                    Ok(p) => format!("{} ok {}", i.tag, hex::encode(p.expose())),
                    Err(e) => format!("{} {e:?}", i.tag),
                })
                .collect();
            format!(
                "master {} off {off:?} items {items:?}",
                hex::encode(rec.master_key().expose())
            )
        }
    }
}
