//! Repair of doubly encoded UTF-8 ("mojibake") in names and titles.

use std::borrow::Cow;

/// Undoes one round of "UTF-8 bytes read as Latin-1": arXiv's API serves a few author
/// names that way (1707.08567: `Dirk WÃ¼bben` for `Dirk Wübben`).
///
/// The repair is deliberately conservative. The text is changed only when
/// - it has a non-ASCII character and all of them lie in U+0080..U+00FF (so every
///   character can be one Latin-1 byte), and
/// - those bytes, taken together, are valid UTF-8, and that UTF-8 differs from the
///   text.
///
/// Otherwise the text is returned verbatim. Correct Latin-1-range text almost never
/// passes: "José" gives the bytes `4A 6F 73 E9`, and a lone `E9` is not UTF-8. To
/// pass, every accented letter (U+00C2..U+00F4) would have to be followed by exactly
/// the right number of characters from U+0080..U+00BF (C1 controls and symbols such as
/// `©`, `¼`), which real names and titles don't contain. Text holding any character
/// above U+00FF (`Ã…ngström`, where `…` is U+2026, the Windows-1252 variant of the
/// damage) is left alone.
pub fn repair_mojibake(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(byte) => bytes.push(byte),
            Err(_) => return Cow::Borrowed(text),
        }
    }
    match String::from_utf8(bytes) {
        Ok(repaired) if repaired != text => Cow::Owned(repaired),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_double_encoding() {
        assert_eq!(repair_mojibake("Dirk WÃ¼bben"), "Dirk Wübben");
        assert_eq!(repair_mojibake("FranÃ§ois MÃ¼ller"), "François Müller");
        // Three-byte sequences (U+2019 read as Latin-1: E2 80 99).
        assert_eq!(
            repair_mojibake("O\u{e2}\u{80}\u{99}Brien"),
            "O\u{2019}Brien"
        );
    }

    #[test]
    fn leaves_correct_text_alone() {
        for text in [
            "José Müller",
            "Ångström",
            "Dirk Wübben",
            "Łukasz Kaiser",
            "Ã…ngström",
            "Zoë Ã",
            "plain ASCII",
            "Café ©",
            "",
        ] {
            assert_eq!(repair_mojibake(text), text, "{text}");
            assert!(matches!(repair_mojibake(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_mix_of_correct_and_damaged_is_left_alone() {
        // "é" is correct, "Ã¼" damaged: the bytes aren't valid UTF-8 as a whole.
        assert_eq!(repair_mojibake("José WÃ¼bben"), "José WÃ¼bben");
    }
}
