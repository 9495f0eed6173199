//! A small pull cursor over quick-xml's streaming reader, shared by the OAI-PMH and
//! Atom parsers: it walks child elements, reads an element's text (entities resolved,
//! line ends normalised) and skips what the parsers don't need. No DOM is built.
//!
//! Element names are compared by local name (the prefix is dropped, namespaces are not
//! resolved): arXiv's responses use fixed prefixes, and resolving them would cost time
//! for nothing.
//!
//! Two kinds of trouble are told apart. A [`Fatal`] error (not UTF-8, malformed or
//! truncated markup) stops the parse: nothing after it can be trusted. A text problem
//! (a character XML forbids, an unknown entity) is recorded and the element is read to
//! its end, so the caller can reject just the record that holds it.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// The document can't be read any further; the message says why and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fatal(pub String);

/// The cursor. Borrowing from the input keeps most texts allocation-free.
pub(crate) struct XmlCursor<'a> {
    reader: Reader<&'a [u8]>,
    /// `child` returned a self-closing element that hasn't been consumed yet.
    pending_empty: bool,
    /// The first text problem since the last `take_problem`.
    problem: Option<String>,
}

impl<'a> XmlCursor<'a> {
    /// A cursor over `xml`, which must be UTF-8 whatever its declaration says (arXiv
    /// only serves UTF-8; a declared `ISO-8859-1` is ignored). A UTF-8 BOM is skipped.
    pub(crate) fn new(xml: &'a [u8]) -> Result<Self, Fatal> {
        let text = std::str::from_utf8(xml).map_err(|e| {
            Fatal(format!(
                "the document is not UTF-8 (invalid byte at offset {}); responses are \
                 always read as UTF-8, whatever encoding they declare",
                e.valid_up_to()
            ))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Ok(XmlCursor {
            reader: Reader::from_str(text),
            pending_empty: false,
            problem: None,
        })
    }

    /// Reads up to the root element and enters it.
    pub(crate) fn root(&mut self) -> Result<BytesStart<'a>, Fatal> {
        loop {
            match self.next()? {
                Event::Start(e) => return Ok(e),
                Event::Empty(e) => {
                    self.pending_empty = true;
                    return Ok(e);
                }
                Event::Text(t) if t.trim().is_empty() => {}
                Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => {
                    return Err(self.fatal("text before the root element: this is not XML"));
                }
                Event::End(_) => return Err(self.fatal("a closing tag before any element")),
                Event::Eof => return Err(Fatal("the document is empty".to_owned())),
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    /// The next child element of the current element, entered; `None` once the current
    /// element has ended (its end tag is consumed). Text between children is ignored.
    pub(crate) fn child(&mut self) -> Result<Option<BytesStart<'a>>, Fatal> {
        if std::mem::take(&mut self.pending_empty) {
            return Ok(None);
        }
        loop {
            match self.next()? {
                Event::Start(e) => return Ok(Some(e)),
                Event::Empty(e) => {
                    self.pending_empty = true;
                    return Ok(Some(e));
                }
                Event::End(_) => return Ok(None),
                Event::Eof => return Err(truncated()),
                _ => {}
            }
        }
    }

    /// All the text of the current element and its descendants, then leaves it.
    /// Entities and character references are resolved and `\r\n` becomes `\n`.
    pub(crate) fn text(&mut self) -> Result<Cow<'a, str>, Fatal> {
        let mut out: Cow<'a, str> = Cow::Borrowed("");
        if std::mem::take(&mut self.pending_empty) {
            return Ok(out);
        }
        let mut nested = 0usize;
        loop {
            match self.next()? {
                Event::Text(t) => self.append(&mut out, t.xml10_content()),
                Event::CData(c) => self.append(&mut out, c.xml10_content()),
                Event::GeneralRef(r) => {
                    if let Some(resolved) = self.resolve(&r) {
                        self.append(&mut out, resolved);
                    }
                }
                Event::Start(_) => nested += 1,
                Event::End(_) if nested == 0 => return Ok(out),
                Event::End(_) => nested -= 1,
                Event::Eof => return Err(truncated()),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
    }

    /// Leaves the current element without looking at its content.
    pub(crate) fn skip(&mut self) -> Result<(), Fatal> {
        if std::mem::take(&mut self.pending_empty) {
            return Ok(());
        }
        let mut nested = 0usize;
        loop {
            match self.next()? {
                Event::Start(_) => nested += 1,
                Event::End(_) if nested == 0 => return Ok(()),
                Event::End(_) => nested -= 1,
                Event::Eof => return Err(truncated()),
                _ => {}
            }
        }
    }

    /// The first text problem met since the previous call, if any.
    pub(crate) fn take_problem(&mut self) -> Option<String> {
        self.problem.take()
    }

    fn next(&mut self) -> Result<Event<'a>, Fatal> {
        self.reader.read_event().map_err(|e| {
            Fatal(format!(
                "malformed XML at byte {}: {e}",
                self.reader.error_position()
            ))
        })
    }

    fn fatal(&self, what: &str) -> Fatal {
        Fatal(format!(
            "{what} (at byte {})",
            self.reader.buffer_position()
        ))
    }

    fn append(&mut self, out: &mut Cow<'a, str>, chunk: Cow<'a, str>) {
        if let Some(bad) = forbidden_char(&chunk) {
            self.note(format!(
                "the character U+{:04X}, which XML forbids, near byte {}",
                u32::from(bad),
                self.reader.buffer_position()
            ));
        }
        if out.is_empty() {
            *out = chunk;
        } else {
            out.to_mut().push_str(&chunk);
        }
    }

    /// A predefined entity or a character reference; anything else is a problem.
    fn resolve(&mut self, reference: &BytesRef<'a>) -> Option<Cow<'a, str>> {
        match reference.resolve_char_ref() {
            Ok(Some(c)) => return Some(Cow::Owned(c.to_string())),
            Ok(None) => {}
            Err(_) => {
                self.note(format!("the bad character reference &{};", &**reference));
                return None;
            }
        }
        if let Some(text) = resolve_predefined_entity(reference) {
            return Some(Cow::Borrowed(text));
        }
        let shown: String = reference.chars().take(40).collect();
        self.note(format!("the undefined entity &{shown};"));
        None
    }

    fn note(&mut self, problem: String) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }
}

fn truncated() -> Fatal {
    Fatal("the document ends before its elements are closed (truncated?)".to_owned())
}

/// The first character XML 1.0 forbids in `text` (C0 controls other than tab, line
/// feed and carriage return, and U+FFFE / U+FFFF), if any. A byte scan: fast.
fn forbidden_char(text: &str) -> Option<char> {
    let bytes = text.as_bytes();
    let hit = bytes.iter().enumerate().find(|&(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
    })?;
    text.get(hit.0..).and_then(|rest| rest.chars().next())
}

/// The local name of an element (`dc:title` → `title`).
pub(crate) fn local_name<'n>(element: &'n BytesStart<'_>) -> &'n str {
    let name = element.name().0;
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

/// The value of the attribute `name` (matched by local name), unescaped.
pub(crate) fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element.attributes().with_checks(false).find_map(|a| {
        let a = a.ok()?;
        let key = a.key.0;
        let local = key.rsplit_once(':').map_or(key, |(_, l)| l);
        if local != name {
            return None;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?;
        Some(value.into_owned())
    })
}

/// Trimmed, or `None` when nothing is left.
pub(crate) fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_with_entities_and_nested_elements() {
        let mut doc = XmlCursor::new(b"<a><b>x &amp; &#39;y<i>z</i>&lt;</b><c/></a>").unwrap();
        assert_eq!(local_name(&doc.root().unwrap()), "a");
        let b = doc.child().unwrap().unwrap();
        assert_eq!(local_name(&b), "b");
        assert_eq!(doc.text().unwrap(), "x & 'yz<");
        let c = doc.child().unwrap().unwrap();
        assert_eq!(local_name(&c), "c");
        assert_eq!(doc.text().unwrap(), "");
        assert!(doc.child().unwrap().is_none());
        assert!(doc.take_problem().is_none());
    }

    #[test]
    fn forbidden_characters_are_a_problem_not_a_failure() {
        let mut doc =
            XmlCursor::new("<a><b>x\u{1}y</b><c>&#x1;&nbsp;\u{fffe}</c></a>".as_bytes()).unwrap();
        doc.root().unwrap();
        doc.child().unwrap().unwrap();
        assert_eq!(doc.text().unwrap(), "x\u{1}y");
        let problem = doc.take_problem().unwrap();
        assert!(problem.contains("U+0001"), "{problem}");
        doc.child().unwrap().unwrap();
        doc.text().unwrap();
        assert!(doc.take_problem().is_some());
        assert_eq!(forbidden_char("ok\u{fffe}"), Some('\u{fffe}'));
        assert_eq!(forbidden_char("tab\tand\r\nnew line, é ✓"), None);
    }

    #[test]
    fn truncation_and_bad_bytes_are_fatal() {
        let mut doc = XmlCursor::new(b"<a><b>text").unwrap();
        doc.root().unwrap();
        doc.child().unwrap().unwrap();
        assert!(doc.text().is_err());
        assert!(XmlCursor::new(b"<a>\xff</a>").is_err());
        assert!(XmlCursor::new(b"").unwrap().root().is_err());
        assert!(XmlCursor::new(b"not xml").unwrap().root().is_err());
    }

    #[test]
    fn attributes_by_local_name() {
        let mut doc = XmlCursor::new(br#"<a x:code="b&amp;c" plain='1'/>"#).unwrap();
        let root = doc.root().unwrap();
        assert_eq!(attribute(&root, "code").as_deref(), Some("b&c"));
        assert_eq!(attribute(&root, "plain").as_deref(), Some("1"));
        assert_eq!(attribute(&root, "none"), None);
    }
}
