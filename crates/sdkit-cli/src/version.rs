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
    let features = if cfg!(feature = "aws-lc") {
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
    format!(
        "{short}\n\
         commit: {commit} ({state})\n\
         features: {features}\n\
         RSA backend: {backend} {backend_version}\n\
         target: {target} ({link}, {profile})\n\
         rustc: {rustc}",
        short = short(),
        commit = env!("SDKIT_COMMIT"),
        state = env!("SDKIT_COMMIT_STATE"),
        backend = sdkit_certs::RSA_BACKEND,
        backend_version = sdkit_certs::rsa_backend_version(),
        target = env!("SDKIT_TARGET"),
        rustc = env!("SDKIT_RUSTC"),
    )
}
