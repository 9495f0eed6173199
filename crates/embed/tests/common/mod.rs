//! Finds the real model for tests: PAPERSTAND_MODEL_DIR, then the Python package via
//! `$PAPERSTAND_PYTHON`, `python3` and the workspace's `.venv-test` (which
//! `scripts/install-test-deps` fills). No model is a failure, not a skip.

use std::path::PathBuf;

use paperstand_embed::locate_model_with_python;

/// The model folder, or a panic that says how to provide one.
pub fn model_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv_python = workspace.join(".venv-test/bin/python");
    let explicit = std::env::var_os("PAPERSTAND_MODEL_DIR").map(PathBuf::from);
    let no_data_dir = std::env::temp_dir().join("paperstand-embed-tests-have-no-data-dir");
    match locate_model_with_python(explicit.as_deref(), &no_data_dir, Some(&venv_python)) {
        Ok(dir) => dir,
        Err(e) => panic!("these tests need the real model; run scripts/install-test-deps. {e}"),
    }
}
