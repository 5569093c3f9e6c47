//! Tests that a committed, generated document (`docs/openapi.json`, `docs/asyncapi.json`) is
//! what the code generates now.

use std::path::PathBuf;

/// Fails unless the file at `path` (relative to the workspace root) holds `generated`; with the
/// environment variable `regenerate` set, writes it first.
pub fn assert_current(path: &str, generated: &str, regenerate: &str) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    if std::env::var_os(regenerate).is_some() {
        std::fs::write(&file, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is out of date: run {regenerate}=1 cargo test -p local"
    );
}
