//! Helpers shared by the integration tests.

use sdkit_core::SecurityDomain;
use sdkit_core::recover::{self, HolderKey, HolderOpening, RecoverError, Recovery, ShareOpener};

/// Everything a recombination gave (master key, basis, off-polynomial shares, every item's
/// plaintext or error), as one comparable string.
pub fn summary(r: &Result<Recovery, RecoverError>) -> String {
    match r {
        Err(e) => format!("{e:?}"),
        Ok(rec) => {
            let items: Vec<String> = rec
                .items
                .iter()
                .map(|i| match &i.plaintext {
                    Ok(p) => format!("{} ok {}", i.tag, hex::encode(p.expose())),
                    Err(e) => format!("{} {e:?}", i.tag),
                })
                .collect();
            format!(
                "master {} basis {:?} off {:?} items {items:?}",
                hex::encode(rec.master_key().expose()),
                rec.basis,
                rec.off_polynomial
            )
        }
    }
}

/// Opens `keys` the way the CLI does (a [`ShareOpener`] that recombines early), finding the
/// keys' shares in `find_order` (positions in `keys`), and recombines. Returns the openings,
/// whether an early recombination was made, and the result.
pub fn open_and_combine_early(
    sd: &SecurityDomain,
    keys: &[HolderKey<'_>],
    find_order: &[usize],
) -> (Vec<HolderOpening>, bool, Result<Recovery, RecoverError>) {
    let opener = ShareOpener::new(sd).recombining_early(sd);
    let mut found: Vec<_> = find_order
        .iter()
        .map(|&i| (i, opener.find(sd, i, &keys[i])))
        .collect();
    found.sort_by_key(|(i, _)| *i);
    let (openings, early) = opener.finish_early(found.into_iter().map(|(_, f)| f).collect());
    let made = early.is_some();
    let result = recover::combine_after(sd, &openings, early);
    (openings, made, result)
}
