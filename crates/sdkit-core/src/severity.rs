//! How much a finding matters, decided where the finding is made.

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The check did not prove what it is for: it fails.
    Problem,
    /// Worth knowing; the check still passes.
    Note,
}
