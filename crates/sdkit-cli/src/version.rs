//! What `sdkit -V` and `sdkit --version` print.
//!
//! `-V` is one line, for scripts and logs. `--version` adds what a custodian or auditor needs
//! to tie the binary they carry to its source: the commit (from build.rs), the features and
//! RSA backend compiled in, the target and the compiler. docs/CEREMONY.md, step 0.

/// `sdkit -V`: the version and the RSA backend compiled in (for bug reports).
pub fn short() -> String {
    format!(
        "{} (RSA: {})",
        env!("CARGO_PKG_VERSION"),
        sdkit_certs::RSA_BACKEND
    )
}

/// `sdkit --version`: the short line, then one `name: value` line per fact about the build.
pub fn long() -> String {
    let features = if cfg!(feature = "fips") {
        "aws-lc, fips"
    } else if cfg!(feature = "aws-lc") {
        "aws-lc"
    } else {
        "none (--no-default-features)"
    };
    let link = if cfg!(target_feature = "crt-static") {
        "static"
    } else {
        "dynamic"
    };
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let crypto = sdkit_certs::crypto_module();
    format!(
        "{short}\n\
         commit: {commit} ({state})\n\
         features: {features}\n\
         RSA backend: {backend} {backend_version}\n\
         crypto module: {module} {module_version} (FIPS mode: {fips})\n\
         target: {target} ({link}, {profile})\n\
         rustc: {rustc}",
        short = short(),
        commit = env!("SDKIT_COMMIT"),
        state = env!("SDKIT_COMMIT_STATE"),
        backend = sdkit_certs::RSA_BACKEND,
        backend_version = sdkit_certs::rsa_backend_version(),
        module = crypto["module"].as_str().unwrap_or_default(),
        module_version = crypto["version"].as_str().unwrap_or_default(),
        fips = if crypto["fips_mode"] == true {
            "on"
        } else {
            "off"
        },
        target = env!("SDKIT_TARGET"),
        rustc = env!("SDKIT_RUSTC"),
    )
}
