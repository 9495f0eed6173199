//! The BERT WordPiece tokenizer, read from a Hugging Face `tokenizer.json`.
//! Reproduces `tokenizers`' BertNormalizer + BertPreTokenizer + WordPiece + the
//! `[CLS] … [SEP]` template, including special tokens written literally in the text.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

use crate::error::ModelError;

/// A WordPiece tokenizer with BERT's normalisation rules.
#[derive(Debug)]
pub(crate) struct Tokenizer {
    vocab: HashMap<String, u32>,
    /// Special tokens matched verbatim in the raw text, longest first.
    specials: Vec<(String, u32)>,
    unk_id: u32,
    cls_id: u32,
    sep_id: u32,
    prefix: String,
    max_input_chars_per_word: usize,
    norm: Normalizer,
}

/// The BertNormalizer switches.
#[derive(Debug, Clone, Copy)]
struct Normalizer {
    clean_text: bool,
    handle_chinese_chars: bool,
    strip_accents: bool,
    lowercase: bool,
}

impl Tokenizer {
    /// Reads `tokenizer.json` from disk.
    pub(crate) fn from_file(path: &Path) -> Result<Tokenizer, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Tokenizer::from_json(&text)
    }

    /// Parses the contents of a `tokenizer.json`.
    pub(crate) fn from_json(text: &str) -> Result<Tokenizer, ModelError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| tok_err(format!("not JSON: {e}")))?;
        let model = &root["model"];
        if model["type"].as_str().is_some_and(|t| t != "WordPiece") {
            return Err(tok_err(format!(
                "model.type is {}, expected WordPiece",
                model["type"]
            )));
        }
        let vocab = read_vocab(&model["vocab"])?;
        let id_of = |tok: &str| {
            vocab
                .get(tok)
                .copied()
                .ok_or_else(|| tok_err(format!("the vocabulary has no {tok} token")))
        };
        let unk = model["unk_token"].as_str().unwrap_or("[UNK]");
        let (unk_id, cls_id, sep_id) = (id_of(unk)?, id_of("[CLS]")?, id_of("[SEP]")?);
        let prefix = model["continuing_subword_prefix"]
            .as_str()
            .unwrap_or("##")
            .to_owned();
        let max_input_chars_per_word = model["max_input_chars_per_word"]
            .as_u64()
            .map_or(100, |n| n as usize);
        Ok(Tokenizer {
            specials: read_specials(&root["added_tokens"]),
            norm: Normalizer::from_json(&root["normalizer"])?,
            vocab,
            unk_id,
            cls_id,
            sep_id,
            prefix,
            max_input_chars_per_word,
        })
    }

    /// The largest id in the vocabulary.
    pub(crate) fn max_id(&self) -> u32 {
        self.vocab.values().copied().max().unwrap_or(0)
    }

    /// Token ids for `text`, wrapped in `[CLS] … [SEP]`, at most `max_len` ids in all.
    pub(crate) fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = vec![self.cls_id];
        let mut rest = text;
        while !rest.is_empty() {
            let (before, special) = self.split_special(rest);
            self.encode_plain(before, &mut ids);
            match special {
                Some((len, id)) => {
                    ids.push(id);
                    rest = &rest[before.len() + len..];
                }
                None => rest = "",
            }
        }
        ids.truncate(max_len.saturating_sub(1).max(1));
        ids.push(self.sep_id);
        ids
    }

    /// Splits at the leftmost special token (longest on ties): text before it, and
    /// the special's byte length and id.
    fn split_special<'a>(&self, text: &'a str) -> (&'a str, Option<(usize, u32)>) {
        let mut best: Option<(usize, usize, u32)> = None;
        for (tok, id) in &self.specials {
            if let Some(at) = text.find(tok.as_str())
                && best.is_none_or(|(b, len, _)| at < b || (at == b && tok.len() > len))
            {
                best = Some((at, tok.len(), *id));
            }
        }
        match best {
            Some((at, len, id)) => (&text[..at], Some((len, id))),
            None => (text, None),
        }
    }

    /// Normalises, pre-tokenises and WordPiece-splits text that holds no special token.
    fn encode_plain(&self, text: &str, ids: &mut Vec<u32>) {
        let normalized = self.norm.apply(text);
        let mut buf = String::new();
        for word in pre_tokenize(&normalized) {
            self.word_piece(word, ids, &mut buf);
        }
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched piece is `[UNK]`.
    fn word_piece(&self, word: &str, ids: &mut Vec<u32>, buf: &mut String) {
        if word.chars().count() > self.max_input_chars_per_word {
            ids.push(self.unk_id);
            return;
        }
        let first = ids.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let found = loop {
                buf.clear();
                if start > 0 {
                    buf.push_str(&self.prefix);
                }
                buf.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(buf.as_str()) {
                    break Some(id);
                }
                match word[start..end].char_indices().next_back() {
                    Some((last, _)) if last > 0 => end = start + last,
                    _ => break None,
                }
            };
            let Some(id) = found else {
                ids.truncate(first);
                ids.push(self.unk_id);
                return;
            };
            ids.push(id);
            start = end;
        }
    }
}

impl Normalizer {
    fn from_json(v: &Value) -> Result<Normalizer, ModelError> {
        match v["type"].as_str() {
            Some("BertNormalizer") => {}
            Some(other) => {
                return Err(tok_err(format!(
                    "normalizer {other} is not supported (BertNormalizer is)"
                )));
            }
            None => return Err(tok_err("tokenizer.json has no BertNormalizer".into())),
        }
        let flag = |k: &str, default: bool| v[k].as_bool().unwrap_or(default);
        let lowercase = flag("lowercase", true);
        Ok(Normalizer {
            clean_text: flag("clean_text", true),
            handle_chinese_chars: flag("handle_chinese_chars", true),
            // `null` means "strip accents when lowercasing", as in `tokenizers`.
            strip_accents: flag("strip_accents", lowercase),
            lowercase,
        })
    }

    /// Applies the steps in `tokenizers`' order: clean, pad CJK, strip accents, lowercase.
    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if self.clean_text {
                if c == '\0' || c == '\u{fffd}' || is_control(c) {
                    continue;
                }
                if is_whitespace(c) {
                    out.push(' ');
                    continue;
                }
            }
            if self.handle_chinese_chars && is_chinese_char(c) {
                out.extend([' ', c, ' ']);
            } else {
                out.push(c);
            }
        }
        if self.strip_accents {
            out = out
                .nfd()
                .filter(|&c| get_general_category(c) != GeneralCategory::NonspacingMark)
                .collect();
        }
        if self.lowercase {
            // Per character, as `tokenizers` does (so no final-sigma rule).
            out = out.chars().flat_map(char::to_lowercase).collect();
        }
        out
    }
}

/// Splits on whitespace (dropped) and punctuation (kept as one-char words).
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace)
        .flat_map(split_punctuation)
        .filter(|w| !w.is_empty())
}

/// Splits one whitespace-free chunk so each punctuation char stands alone.
fn split_punctuation(chunk: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in chunk.char_indices() {
        if is_punctuation(c) {
            words.push(&chunk[start..i]);
            words.push(&chunk[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    words.push(&chunk[start..]);
    words
}

fn read_vocab(v: &Value) -> Result<HashMap<String, u32>, ModelError> {
    let map = v
        .as_object()
        .ok_or_else(|| tok_err("model.vocab is not a map of token to id".into()))?;
    map.iter()
        .map(
            |(tok, id)| match id.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(id) => Ok((tok.clone(), id)),
                None => Err(tok_err(format!(
                    "vocab entry {tok:?} has id {id}, not a number"
                ))),
            },
        )
        .collect()
}

/// Added tokens that `tokenizers` matches in the raw text (those with `normalized: false`).
fn read_specials(v: &Value) -> Vec<(String, u32)> {
    let mut specials: Vec<(String, u32)> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["normalized"].as_bool() == Some(false))
        .filter_map(|t| {
            let id = u32::try_from(t["id"].as_u64()?).ok()?;
            Some((t["content"].as_str()?.to_owned(), id))
        })
        .filter(|(content, _)| !content.is_empty())
        .collect();
    specials.sort_by_key(|(content, _)| std::cmp::Reverse(content.len()));
    specials
}

fn tok_err(reason: String) -> ModelError {
    ModelError::Tokenizer { reason }
}

/// Tab, newline and carriage return count as whitespace, not control.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Control, format and private-use characters (Cc, Cf, Co), which the BERT cleaner drops.
/// Unassigned code points (Cn) are kept, matching `tokenizers`.
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::PrivateUse
    )
}

/// ASCII punctuation (which includes `$`, `+`, `^`, … that Unicode calls symbols) and P*.
fn is_punctuation(c: char) -> bool {
    use GeneralCategory as G;
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
        )
}

/// CJK ideograph blocks, as `tokenizers` lists them (note its 0x2B920 lower bound).
fn is_chinese_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Tokenizer {
        let json = r###"{
            "added_tokens": [{"id": 4, "content": "[MASK]", "normalized": false}],
            "normalizer": {"type": "BertNormalizer", "clean_text": true,
                "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100,
                "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "un": 3, "[MASK]": 4, "##aff": 5,
                    "##able": 6, "cafe": 7, ",": 8, "中": 9, "a": 10}}
        }"###;
        Tokenizer::from_json(json).unwrap()
    }

    #[test]
    fn splits_words_into_pieces() {
        let t = tiny();
        assert_eq!(t.encode("Unaffable", 16), vec![1, 3, 5, 6, 2]);
        assert_eq!(t.encode("Café,中a", 16), vec![1, 7, 8, 9, 10, 2]);
        assert_eq!(t.encode("unx", 16), vec![1, 0, 2]);
        assert_eq!(t.encode("a[MASK]a\u{200b}", 16), vec![1, 10, 4, 10, 2]);
        assert_eq!(t.encode("", 16), vec![1, 2]);
    }

    #[test]
    fn truncates_including_cls_and_sep() {
        assert_eq!(tiny().encode("a a a a a", 4), vec![1, 10, 10, 2]);
    }
}
