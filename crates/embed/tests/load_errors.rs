//! Broken model folders give a clear `ModelError`, never a panic.

mod common;

use std::path::Path;

use paperstand_embed::{Embedder, ModelError};

/// A temp folder with the real tokenizer.json and `weights` as model.safetensors.
fn folder_with_weights(weights: &[u8]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::model_dir().join("tokenizer.json"),
        tmp.path().join("tokenizer.json"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("model.safetensors"), weights).unwrap();
    tmp
}

fn safetensors_with_header(header: &str) -> Vec<u8> {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes
}

fn load_err(dir: &Path) -> ModelError {
    Embedder::load(dir).expect_err("a broken model must not load")
}

#[test]
fn truncated_weights_are_reported_as_truncated() {
    let real = std::fs::read(common::model_dir().join("model.safetensors")).unwrap();
    for keep in [4, 100, real.len() / 2, real.len() - 1] {
        let tmp = folder_with_weights(&real[..keep]);
        let err = load_err(tmp.path());
        assert!(
            matches!(err, ModelError::Truncated { .. }),
            "kept {keep} bytes: {err}"
        );
        assert!(err.to_string().contains("paperstand model fetch"), "{err}");
    }
}

#[test]
fn garbage_header_is_corrupt() {
    let tmp = folder_with_weights(&safetensors_with_header("{this is not json"));
    assert!(matches!(load_err(tmp.path()), ModelError::Corrupt { .. }));
}

#[test]
fn missing_and_misshapen_tensors_are_corrupt() {
    let empty = folder_with_weights(&safetensors_with_header("{}"));
    let err = load_err(empty.path());
    assert!(err.to_string().contains("missing"), "{err}");
    let header = r#"{"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#;
    let mut bytes = safetensors_with_header(header);
    bytes.extend_from_slice(&[0; 8]);
    let misshapen = folder_with_weights(&bytes);
    let err = load_err(misshapen.path());
    assert!(
        matches!(err, ModelError::Corrupt { .. }) && err.to_string().contains("shape"),
        "{err}"
    );
}

#[test]
fn missing_tokenizer_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("model.safetensors"), b"").unwrap();
    let err = load_err(tmp.path());
    assert!(
        matches!(err, ModelError::Missing { ref file, .. } if file == "tokenizer.json"),
        "{err}"
    );
}

#[test]
fn garbage_tokenizer_is_reported() {
    let tmp = folder_with_weights(&safetensors_with_header("{}"));
    std::fs::write(tmp.path().join("tokenizer.json"), b"[1, 2").unwrap();
    assert!(matches!(load_err(tmp.path()), ModelError::Tokenizer { .. }));
}
