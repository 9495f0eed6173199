//! The word splitter behind every text field: runs of letters and digits, except that
//! Chinese and Japanese text (written without spaces) is cut into overlapping
//! character bigrams plus single characters.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into alphanumeric runs; CJK ideographs and kana give, at each
/// character's position, the character itself and then the bigram it starts (when
/// the next character is CJK too). A query's CJK word therefore becomes a phrase of
/// bigrams, and a one-character query still finds its unigram.
#[derive(Debug, Clone, Default)]
pub struct PaperTokenizer {
    token: Token,
}

/// The token stream of [`PaperTokenizer`].
#[derive(Debug)]
pub struct PaperTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to look at.
    cursor: usize,
    /// Start of the CJK unigram just emitted, whose bigram comes next if any.
    bigram_from: Option<usize>,
    token: &'a mut Token,
}

impl Tokenizer for PaperTokenizer {
    type TokenStream<'a> = PaperTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PaperTokenStream<'a> {
        self.token.reset();
        PaperTokenStream {
            text,
            cursor: 0,
            bigram_from: None,
            token: &mut self.token,
        }
    }
}

impl PaperTokenStream<'_> {
    /// Emits `text[from..to]` as the current token.
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.push_str(&self.text[from..to]);
        true
    }

    /// The bigram starting at `from` (a CJK char), if the next char is CJK too.
    fn bigram_end(&self, from: usize) -> Option<usize> {
        let mut chars = self.text[from..].chars();
        let first = chars.next()?;
        let second = chars.next().filter(|c| is_cjk(*c))?;
        Some(from + first.len_utf8() + second.len_utf8())
    }
}

impl TokenStream for PaperTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        if let Some(from) = self.bigram_from.take()
            && let Some(to) = self.bigram_end(from)
        {
            // Same position as the unigram: phrases of bigrams stay consecutive.
            return self.emit(from, to);
        }
        while let Some(c) = self.text[self.cursor..].chars().next() {
            let start = self.cursor;
            if !c.is_alphanumeric() {
                self.cursor += c.len_utf8();
                continue;
            }
            self.token.position = self.token.position.wrapping_add(1);
            if is_cjk(c) {
                self.cursor += c.len_utf8();
                self.bigram_from = Some(start);
            } else {
                self.cursor = self.text[start..]
                    .char_indices()
                    .find(|&(_, c)| !c.is_alphanumeric() || is_cjk(c))
                    .map_or(self.text.len(), |(i, _)| start + i);
            }
            return self.emit(start, self.cursor);
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Han ideographs, kana and CJK compatibility ideographs: scripts written without
/// spaces between words. Hangul is left out (Korean separates words with spaces).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'     // hiragana, katakana
        | '\u{31F0}'..='\u{31FF}'   // katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'   // half-width katakana
        | '\u{20000}'..='\u{2FA1F}' // CJK extensions B–F, compatibility supplement
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = PaperTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(&text[token.offset_from..token.offset_to], token.text);
            out.push((token.text.clone(), token.position));
        }
        out
    }

    fn owned(expected: &[(&str, usize)]) -> Vec<(String, usize)> {
        expected.iter().map(|&(t, p)| (t.to_owned(), p)).collect()
    }

    #[test]
    fn latin_words_split_on_punctuation() {
        let expected = [("Self", 0), ("attention", 1), ("is", 2), ("Schrödinger", 3)];
        assert_eq!(tokens("Self-attention, is Schrödinger!"), owned(&expected));
    }

    #[test]
    fn cjk_gives_unigrams_and_bigrams() {
        let expected = [
            ("深", 0),
            ("深度", 0),
            ("度", 1),
            ("度学", 1),
            ("学", 2),
            ("学习", 2),
            ("习", 3),
            ("GPU", 4),
            ("模", 5),
            ("模型", 5),
            ("型", 6),
        ];
        assert_eq!(tokens("深度学习GPU模型。"), owned(&expected));
    }

    #[test]
    fn arabic_words_are_words() {
        assert_eq!(tokens("تعلم الآلة"), owned(&[("تعلم", 0), ("الآلة", 1)]));
    }
}
