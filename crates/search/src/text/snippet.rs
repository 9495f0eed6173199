//! Highlighted titles and abstract snippets as HTML. Titles and abstracts are
//! untrusted text: everything but our own `<mark>` tags is escaped here, by us,
//! rather than relying on what tantivy's `Snippet::to_html` escapes.

use std::collections::BTreeMap;

use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// Length of an abstract snippet, in bytes of text (about 200 Latin characters).
pub const ABSTRACT_SNIPPET_BYTES: usize = 200;
/// Titles are highlighted whole; this covers the longest title accepted.
const TITLE_SNIPPET_BYTES: usize = paperstand_core::record::MAX_TITLE_BYTES + 1;

/// The two generators of one search, made once and used for every hit.
pub struct Highlighter {
    title: SnippetGenerator,
    abstract_text: SnippetGenerator,
}

impl Highlighter {
    /// Weights each highlight term like tantivy does (rarer terms matter more).
    pub fn new(
        searcher: &Searcher,
        highlights: &[(Field, String)],
        (title, abstract_text): (Field, Field),
        analyzer: &TextAnalyzer,
    ) -> tantivy::Result<Highlighter> {
        let weights = |field: Field| -> tantivy::Result<BTreeMap<String, f32>> {
            let mut out = BTreeMap::new();
            for (_, text) in highlights.iter().filter(|(f, _)| *f == field) {
                let doc_freq = searcher.doc_freq(&Term::from_field_text(field, text))?;
                if doc_freq > 0 {
                    out.insert(text.clone(), 1.0 / (1.0 + doc_freq as f32));
                }
            }
            Ok(out)
        };
        let generator = |field: Field, max_bytes: usize| -> tantivy::Result<SnippetGenerator> {
            Ok(SnippetGenerator::new(
                weights(field)?,
                analyzer.clone(),
                field,
                max_bytes,
            ))
        };
        Ok(Highlighter {
            title: generator(title, TITLE_SNIPPET_BYTES)?,
            abstract_text: generator(abstract_text, ABSTRACT_SNIPPET_BYTES)?,
        })
    }

    /// The whole title, escaped, with matches marked.
    pub fn title_html(&self, title: &str) -> String {
        let snippet = self.title.snippet(title);
        let mut html = String::with_capacity(title.len() + 32);
        if snippet.is_empty() {
            escape_into(&mut html, title);
            return html;
        }
        let range = snippet.fragment_range();
        escape_into(&mut html, &title[..range.start]);
        mark_into(&mut html, &snippet);
        escape_into(&mut html, &title[range.end..]);
        html
    }

    /// About 200 characters of the abstract around its best matches (its start when
    /// nothing matches), escaped, with matches marked and `…` where text was cut.
    pub fn abstract_html(&self, text: &str) -> String {
        let snippet = self.abstract_text.snippet(text);
        let mut html = String::with_capacity(ABSTRACT_SNIPPET_BYTES + 64);
        if snippet.is_empty() {
            let cut = lead_end(text, ABSTRACT_SNIPPET_BYTES);
            escape_into(&mut html, &text[..cut]);
            if cut < text.len() {
                html.push('…');
            }
            return html;
        }
        let range = snippet.fragment_range();
        if range.start > 0 {
            html.push('…');
        }
        mark_into(&mut html, &snippet);
        if range.end < text.trim_end().len() {
            html.push('…');
        }
        html
    }
}

/// Writes the snippet's fragment with its highlighted ranges in `<mark>`.
fn mark_into(html: &mut String, snippet: &Snippet) {
    let fragment = snippet.fragment();
    let mut from = 0;
    for range in snippet.highlighted() {
        if range.start < from || range.end > fragment.len() {
            continue;
        }
        escape_into(html, &fragment[from..range.start]);
        html.push_str("<mark>");
        escape_into(html, &fragment[range.clone()]);
        html.push_str("</mark>");
        from = range.end;
    }
    escape_into(html, &fragment[from..]);
}

/// The end of the text's first `max_bytes` bytes, moved back to a word boundary.
fn lead_end(text: &str, max_bytes: usize) -> usize {
    if text.len() <= max_bytes {
        return text.len();
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(space) if space > max_bytes / 2 => space,
        _ => end,
    }
}

/// Escapes the five characters that matter in HTML text and attribute values.
pub fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        let mut html = String::new();
        escape_into(&mut html, r#"<img src=x onerror="a('b')"> & co"#);
        assert_eq!(
            html,
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn lead_cuts_at_a_space() {
        let text = "word ".repeat(100);
        let end = lead_end(&text, 200);
        assert!(end <= 200 && text[..end].ends_with("word"));
        assert_eq!(lead_end("短い", 4), 3);
    }
}
