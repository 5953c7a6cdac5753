//! Human names for the algorithm OIDs that show up in wrong-kind inputs.
//!
//! Error messages name what was found ("EC id-ecPublicKey (OID
//! 1.2.840.10045.2.1)") rather than only a dotted OID, so a user can tell
//! at a glance that they picked the wrong key file.

use der::asn1::ObjectIdentifier;

const NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA rsaEncryption"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.10045.2.1", "EC id-ecPublicKey"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.840.113549.1.3.1", "DH"),
    ("1.2.840.10046.2.1", "X9.42 DH"),
    ("1.2.156.10197.1.301", "SM2"),
    // PKCS#5 / PKCS#12 password-based encryption.
    ("1.2.840.113549.1.5.13", "PBES2"),
    ("1.2.840.113549.1.5.12", "PBKDF2"),
    ("1.3.6.1.4.1.11591.4.11", "scrypt"),
    ("1.2.840.113549.1.5.3", "PBES1 pbeWithMD5AndDES-CBC"),
    ("1.2.840.113549.1.5.6", "PBES1 pbeWithMD5AndRC2-CBC"),
    ("1.2.840.113549.1.5.10", "PBES1 pbeWithSHA1AndDES-CBC"),
    ("1.2.840.113549.1.5.11", "PBES1 pbeWithSHA1AndRC2-CBC"),
    ("1.2.840.113549.1.12.1.1", "PKCS#12 pbeWithSHAAnd128BitRC4"),
    ("1.2.840.113549.1.12.1.2", "PKCS#12 pbeWithSHAAnd40BitRC4"),
    (
        "1.2.840.113549.1.12.1.3",
        "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
    ),
    (
        "1.2.840.113549.1.12.1.4",
        "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
    ),
    (
        "1.2.840.113549.1.12.1.5",
        "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
    ),
    (
        "1.2.840.113549.1.12.1.6",
        "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
    ),
    ("1.2.840.113549.3.7", "des-ede3-cbc"),
    ("1.3.14.3.2.7", "des-cbc"),
    ("1.2.840.113549.3.2", "rc2-cbc"),
    ("2.16.840.1.101.3.4.1.2", "aes-128-cbc"),
    ("2.16.840.1.101.3.4.1.22", "aes-192-cbc"),
    ("2.16.840.1.101.3.4.1.42", "aes-256-cbc"),
    ("2.16.840.1.101.3.4.1.6", "aes-128-gcm"),
    ("2.16.840.1.101.3.4.1.46", "aes-256-gcm"),
    ("1.2.410.200004.1.4", "seed-cbc"),
    ("1.2.392.200011.61.1.1.1.2", "camellia-128-cbc"),
    ("1.2.392.200011.61.1.1.1.4", "camellia-256-cbc"),
];

/// `"<name> (OID <dotted>)"` for known OIDs, `"OID <dotted>"` otherwise.
pub(crate) fn describe_oid(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    match NAMES.iter().find(|(o, _)| *o == dotted) {
        Some((_, name)) => format!("{name} (OID {dotted})"),
        None => format!("OID {dotted}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        let ec = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
        assert_eq!(
            describe_oid(&ec),
            "EC id-ecPublicKey (OID 1.2.840.10045.2.1)"
        );
        let other = ObjectIdentifier::new_unwrap("1.2.3.4");
        assert_eq!(describe_oid(&other), "OID 1.2.3.4");
    }

    #[test]
    fn table_entries_are_valid_oids() {
        for (oid, _) in NAMES {
            let parsed = ObjectIdentifier::new(oid).expect("valid OID");
            assert_eq!(&parsed.to_string(), oid);
        }
    }
}
