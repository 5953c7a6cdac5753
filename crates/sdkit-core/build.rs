//! A `fips` build keeps the FIPS module's entropy source as it was validated.
//!
//! aws-lc-fips-sys can be built without its CPU-jitter entropy collector
//! (`AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY`, or the same name with the target appended), as the
//! default build does for aws-lc-sys to save ~30 ms per process. The collector is part of the
//! module's validated entropy source, so a `fips` build with that switch set would run a
//! module that is not the one on the certificate. This script refuses to build it
//! (docs/SECURITY.md, "FIPS"). Other builds are not affected.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let names = [
        "AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY".to_owned(),
        format!(
            "AWS_LC_FIPS_SYS_NO_JITTER_ENTROPY_{}",
            target.to_lowercase().replace('-', "_")
        ),
    ];
    for name in &names {
        println!("cargo:rerun-if-env-changed={name}");
    }
    if std::env::var_os("CARGO_FEATURE_FIPS").is_none() {
        return;
    }
    for name in &names {
        // aws-lc-fips-sys reads 0/n/off/f… as "keep the collector"; anything else turns it off.
        let Ok(value) = std::env::var(name) else {
            continue;
        };
        let v = value.trim().to_lowercase();
        let keeps =
            v.starts_with('0') || v.starts_with('n') || v.starts_with("off") || v.starts_with('f');
        if !keeps {
            #[allow(clippy::panic)]
            {
                panic!(
                    "{name}={value} would build AWS-LC's FIPS module without its validated \
                     CPU-jitter entropy source; a `fips` build of sdkit refuses it. Unset {name} \
                     and rebuild (docs/SECURITY.md, \"FIPS\")."
                );
            }
        }
    }
}
