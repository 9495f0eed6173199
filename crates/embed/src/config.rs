//! The encoder's architecture numbers, read from `config.json` (optional: the defaults
//! are all-MiniLM-L6-v2's).

use std::path::Path;

use serde_json::Value;

use crate::error::ModelError;

/// Architecture numbers from `config.json`; defaults are all-MiniLM-L6-v2's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub(crate) hidden: usize,
    pub(crate) layers: usize,
    pub(crate) heads: usize,
    pub(crate) intermediate: usize,
    pub(crate) layer_norm_eps: f32,
    pub(crate) max_positions: usize,
    pub(crate) vocab: usize,
    pub(crate) type_vocab: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            hidden: 384,
            layers: 6,
            heads: 12,
            intermediate: 1536,
            layer_norm_eps: 1e-12,
            max_positions: 512,
            vocab: 30522,
            type_vocab: 2,
        }
    }
}

impl Config {
    /// Reads `config.json`, keeping defaults for absent keys and for an absent file.
    pub(crate) fn from_file(path: &Path) -> Result<Config, ModelError> {
        let corrupt = |reason: String| ModelError::Corrupt {
            file: path.to_path_buf(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ModelError::Io {
                    file: path.to_path_buf(),
                    source,
                });
            }
        };
        let v: Value =
            serde_json::from_str(&text).map_err(|e| corrupt(format!("not JSON: {e}")))?;
        if let Some(act) = v["hidden_act"].as_str().filter(|a| *a != "gelu") {
            return Err(corrupt(format!(
                "hidden_act {act} is not supported (only exact gelu is)"
            )));
        }
        let d = Config::default();
        let num = |k: &str, default: usize| v[k].as_u64().map_or(default, |n| n as usize);
        let config = Config {
            hidden: num("hidden_size", d.hidden),
            layers: num("num_hidden_layers", d.layers),
            heads: num("num_attention_heads", d.heads),
            intermediate: num("intermediate_size", d.intermediate),
            layer_norm_eps: v["layer_norm_eps"]
                .as_f64()
                .map_or(d.layer_norm_eps, |e| e as f32),
            max_positions: num("max_position_embeddings", d.max_positions),
            vocab: num("vocab_size", d.vocab),
            type_vocab: num("type_vocab_size", d.type_vocab),
        };
        if config.hidden != crate::DIM
            || config.heads == 0
            || !config.hidden.is_multiple_of(config.heads)
        {
            return Err(corrupt(format!(
                "hidden_size {} with {} heads; this build needs hidden_size {}",
                config.hidden,
                config.heads,
                crate::DIM
            )));
        }
        Ok(config)
    }
}
