//! Helpers shared by this crate's integration tests.

use std::path::PathBuf;

/// A reference file of the workspace's `tests/golden`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden")
        .join(name)
}
