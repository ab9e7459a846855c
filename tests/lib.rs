//! Cross-crate integration tests of burn-lr; see the `[[test]]` targets.
//!
//! Helpers shared by the tests live here.

use std::path::PathBuf;

/// Path of a file under `tests/golden/`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name)
}

/// The comparison of the reference files: `|got - want| <= 1e-10 |want| + 1e-15`.
pub fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-10 * want.abs() + 1e-15
}
