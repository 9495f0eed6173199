//! Sentence embeddings in-process: all-MiniLM-L6-v2 (a 6-layer BERT) with its WordPiece
//! tokenizer, giving the same vectors as sentence-transformers (mean pooling, L2 norm,
//! 256 tokens). Imports only `std` and small numeric/Unicode crates; no network.

mod bert;
mod config;
mod error;
mod locate;
mod matmul;
mod safetensors;
mod tokenizer;

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use error::{FIX_HINT, ModelError};
pub use locate::{locate_model, locate_model_with_python};

/// Length of every embedding vector.
pub const DIM: usize = 384;

/// Tokens per text including `[CLS]` and `[SEP]` (the model's `max_seq_length`).
pub const MAX_TOKENS: usize = 256;

/// Short model name; the prefix of [`Embedder::model_id`] and the folder name under `models/`.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// Where the hub downloader fetches the model from.
pub const HUB_REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// Files the downloader fetches; the first two are required, `config.json` is optional.
pub const MODEL_FILES: &[&str] = &["model.safetensors", "tokenizer.json", "config.json"];

/// Tokens per forward pass (texts are packed, not padded); bounds scratch memory to ~25 MB.
const TOKENS_PER_PASS: usize = 2048;

/// The text embedded for a paper: `"<title>. <abstract>"`, each with runs of whitespace
/// collapsed to one space. The `.` is left out when the title already ends in `.`, `?` or
/// `!`, and the separator when either part is empty.
pub fn paper_text(title: &str, abstract_text: &str) -> String {
    let title = collapse_whitespace(title);
    let abstract_text = collapse_whitespace(abstract_text);
    match (title.is_empty(), abstract_text.is_empty()) {
        (_, true) => title,
        (true, false) => abstract_text,
        (false, false) if title.ends_with(['.', '?', '!']) => format!("{title} {abstract_text}"),
        (false, false) => format!("{title}. {abstract_text}"),
    }
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A loaded model: tokenizer plus encoder. Cheap to share: `embed` takes `&self`, so
/// callers parallelise by calling it from several threads on one `Arc<Embedder>`.
pub struct Embedder {
    tokenizer: tokenizer::Tokenizer,
    bert: bert::Bert,
    model_id: String,
    max_tokens: usize,
}

impl fmt::Debug for Embedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Embedder")
            .field("model_id", &self.model_id)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads `model.safetensors`, `tokenizer.json` and (if present) `config.json` from `dir`,
    /// validating every tensor's presence, shape and extent.
    pub fn load(dir: &Path) -> Result<Embedder, ModelError> {
        for file in &MODEL_FILES[..2] {
            if !dir.join(file).is_file() {
                return Err(ModelError::Missing {
                    dir: dir.to_path_buf(),
                    file: (*file).to_owned(),
                });
            }
        }
        let tokenizer = tokenizer::Tokenizer::from_file(&dir.join("tokenizer.json"))?;
        let config = config::Config::from_file(&dir.join("config.json"))?;
        let weights_path = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights_path).map_err(|source| ModelError::Io {
            file: weights_path.clone(),
            source,
        })?;
        let digest = format!("{:x}", Sha256::digest(&bytes));
        let st = safetensors::SafeTensors::parse(&weights_path, bytes)?;
        let bert = bert::Bert::load(&st, config)?;
        if tokenizer.max_id() as usize >= bert.vocab_size() {
            return Err(ModelError::Tokenizer {
                reason: format!(
                    "token id {} is outside the model's {} embeddings: tokenizer.json and \
                     model.safetensors come from different models",
                    tokenizer.max_id(),
                    bert.vocab_size()
                ),
            });
        }
        Ok(Embedder {
            tokenizer,
            max_tokens: MAX_TOKENS.min(bert.max_positions()),
            bert,
            model_id: format!("{MODEL_NAME}@{}", &digest[..12]),
        })
    }

    /// `all-MiniLM-L6-v2@<first 12 hex digits of the weights' SHA-256>`; store it beside
    /// each vector and re-embed when it changes.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// One L2-normalised [`DIM`]-long vector per text, in input order. Texts beyond
    /// [`MAX_TOKENS`] tokens are truncated; an empty text still gets a vector.
    pub fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let seqs: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| self.tokenizer.encode(t, self.max_tokens))
            .collect();
        let mut out = Vec::with_capacity(texts.len());
        let mut start = 0;
        while start < seqs.len() {
            let mut end = start;
            let mut tokens = 0;
            while end < seqs.len() && (end == start || tokens + seqs[end].len() <= TOKENS_PER_PASS)
            {
                tokens += seqs[end].len();
                end += 1;
            }
            out.extend(self.bert.embed(&seqs[start..end]));
            start = end;
        }
        out
    }

    /// Token ids the model sees for `text`, `[CLS]` and `[SEP]` included, after truncation.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens)
    }

    /// Number of tokens the model sees for `text` (at most [`MAX_TOKENS`]).
    pub fn token_count(&self, text: &str) -> usize {
        self.token_ids(text).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_text_joins_title_and_abstract() {
        let cases = [
            ("A  Title", "Some\n  abstract. ", "A Title. Some abstract."),
            ("Why?", "Because", "Why? Because"),
            ("", " only abstract", "only abstract"),
            ("Only title", "", "Only title"),
            ("", "", ""),
        ];
        for (title, abs, want) in cases {
            assert_eq!(paper_text(title, abs), want);
        }
    }

    #[test]
    fn embedder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Embedder>();
    }
}
