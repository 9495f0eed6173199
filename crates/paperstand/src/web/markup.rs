//! Paper text to HTML: everything is escaped, and LaTeX math (`$…$`, `$$…$$`, `\(…\)`,
//! `\[…\]`) becomes MathML on the server, so pages need no script. MathML from the
//! converter is admitted only if every tag and attribute is on an allowlist; otherwise
//! the math is shown as escaped source.

use std::sync::LazyLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

/// Longest formula converted; longer ones are shown as source.
const MAX_MATH_BYTES: usize = 1_000;

static CONVERTER: LazyLock<Option<LatexToMathML>> = LazyLock::new(|| {
    LatexToMathML::new(MathCoreConfig {
        ignore_unknown_commands: false,
        ..MathCoreConfig::default()
    })
    .ok()
});

/// MathML elements the renderer may emit.
pub const ALLOWED_TAGS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "merror",
    "mmultiscripts",
    "mprescripts",
    "none",
    "menclose",
];

/// Attributes the renderer may emit: presentation only, none can carry a URL or script.
pub(crate) const ALLOWED_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "displaystyle",
    "scriptlevel",
    "columnalign",
    "rowspacing",
    "columnspacing",
    "width",
    "height",
    "depth",
    "linethickness",
    "largeop",
    "movablelimits",
    "symmetric",
    "minsize",
    "maxsize",
    "form",
    "class",
    "voffset",
    "encoding",
    "columnlines",
    "rowlines",
    "frame",
    "notation",
    "rowalign",
    "align",
    "dir",
];

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// One line of text (a title): escaped, with math rendered.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    render_into(&mut out, text);
    out
}

/// An abstract: paragraphs (arXiv marks a new one with an indented line or a blank
/// line), hard line breaks joined, text escaped, math rendered.
pub fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for paragraph in split_paragraphs(text) {
        out.push_str("<p>");
        render_into(&mut out, &paragraph);
        out.push_str("</p>");
    }
    out
}

fn split_paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let starts_new = line.trim().is_empty() || line.starts_with(char::is_whitespace);
        if starts_new && !current.is_empty() {
            paragraphs.push(std::mem::take(&mut current));
        }
        let line = line.trim();
        if !line.is_empty() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// One formula another parser already found (comment Markdown's `$…$` and `$$…$$`):
/// MathML when it converts and passes the allowlist, otherwise its source with its
/// dollar delimiters, escaped. Formulas over the length limit stay source too.
pub(crate) fn math(latex: &str, display: bool) -> String {
    let (delimiter, mode) = if display {
        ("$$", MathDisplay::Block)
    } else {
        ("$", MathDisplay::Inline)
    };
    if !latex.trim().is_empty()
        && latex.len() <= MAX_MATH_BYTES
        && let Some(mathml) = to_mathml(latex, mode)
    {
        return mathml;
    }
    escape(&format!("{delimiter}{latex}{delimiter}"))
}

/// Appends `text` escaped, with each math span converted (or escaped when it can't be).
fn render_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some((start, span)) = find_math(rest) {
        escape_into(out, &unescape_dollars(&rest[..start]));
        let source = &rest[start..start + span.len];
        match to_mathml(span.latex(rest, start), span.display) {
            Some(mathml) => out.push_str(&mathml),
            None => escape_into(out, source),
        }
        rest = &rest[start + span.len..];
    }
    escape_into(out, &unescape_dollars(rest));
}

fn unescape_dollars(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\\$") {
        text.replace("\\$", "$").into()
    } else {
        text.into()
    }
}

/// A math span found in text: its total length and delimiter width.
#[derive(Debug, Clone, Copy)]
struct Span {
    len: usize,
    open: usize,
    close: usize,
    display: MathDisplay,
}

impl Span {
    fn latex<'a>(&self, text: &'a str, start: usize) -> &'a str {
        &text[start + self.open..start + self.len - self.close]
    }
}

/// Finds the first math span: `$$…$$`, `\[…\]`, `\(…\)` or `$…$` (the last only when
/// the opening `$` is followed by a non-space and the closing one is preceded by a
/// non-space and not followed by a digit, so "costs $5 and $10" stays text).
fn find_math(text: &str) -> Option<(usize, Span)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let found = match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'$') => {
                i += 2;
                continue;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'(') => {
                delimited(text, i, "\\(", "\\)", MathDisplay::Inline)
            }
            b'\\' if bytes.get(i + 1) == Some(&b'[') => {
                delimited(text, i, "\\[", "\\]", MathDisplay::Block)
            }
            b'$' if bytes.get(i + 1) == Some(&b'$') => {
                delimited(text, i, "$$", "$$", MathDisplay::Block)
            }
            b'$' => single_dollar(text, i),
            _ => None,
        };
        if let Some(span) = found {
            return Some((i, span));
        }
        i += 1;
    }
    None
}

fn delimited(text: &str, at: usize, open: &str, close: &str, display: MathDisplay) -> Option<Span> {
    let body_start = at + open.len();
    // Look no further than the longest formula, so a text full of openers stays linear.
    let mut window_end = (body_start + MAX_MATH_BYTES + close.len()).min(text.len());
    while !text.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let end = text[body_start..window_end].find(close)?;
    (end > 0 && end <= MAX_MATH_BYTES).then_some(Span {
        len: open.len() + end + close.len(),
        open: open.len(),
        close: close.len(),
        display,
    })
}

fn single_dollar(text: &str, at: usize) -> Option<Span> {
    let body = &text[at + 1..];
    if body.starts_with(char::is_whitespace) {
        return None;
    }
    let bytes = body.as_bytes();
    let mut j = 0;
    while j < bytes.len() && j <= MAX_MATH_BYTES {
        match bytes[j] {
            b'\\' => j += 2,
            b'$' if j > 0 => {
                let before_ok = !bytes[j - 1].is_ascii_whitespace();
                let after_ok = !bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                return (before_ok && after_ok).then_some(Span {
                    len: j + 2,
                    open: 1,
                    close: 1,
                    display: MathDisplay::Inline,
                });
            }
            b'$' => return None,
            _ => j += 1,
        }
    }
    None
}

/// LaTeX to MathML, or `None` when it can't be converted or the result is not plainly safe.
fn to_mathml(latex: &str, display: MathDisplay) -> Option<String> {
    let converter = CONVERTER.as_ref()?;
    let result = converter.convert_with_local_state(latex, display).ok()?;
    let mathml = without_style_attributes(&result.mathml);
    is_allowed_markup(&mathml).then_some(mathml)
}

/// Drops `style="…"` attributes (colours, negative spaces): the CSP forbids inline
/// styles anyway, and keeping the formula beats showing its source.
fn without_style_attributes(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut rest = markup;
    while let Some(at) = rest.find(" style=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " style=\"".len()..];
        match after.find('"') {
            Some(end) => rest = &after[end + 1..],
            None => return String::new(),
        }
    }
    out.push_str(rest);
    out
}

/// True when every tag in `markup` is an allowed MathML element with allowed,
/// double-quoted attributes. Text between tags is trusted to be escaped by the
/// converter only if it holds no raw `<` (any `<` must open an allowed tag).
fn is_allowed_markup(markup: &str) -> bool {
    let mut rest = markup;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            return false;
        };
        let tag = &rest[open + 1..open + close];
        if !is_allowed_tag(tag) {
            return false;
        }
        rest = &rest[open + close + 1..];
    }
    true
}

fn is_allowed_tag(tag: &str) -> bool {
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let tag = tag.strip_suffix('/').unwrap_or(tag);
    let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
    if !ALLOWED_TAGS.contains(&name) {
        return false;
    }
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return true;
        }
        let Some((attr, after)) = attrs.split_once("=\"") else {
            return false;
        };
        let Some(end) = after.find('"') else {
            return false;
        };
        if !ALLOWED_ATTRIBUTES.contains(&attr) || after[..end].contains(['<', '>']) {
            return false;
        }
        attrs = &after[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_outside_math() {
        assert_eq!(
            inline("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(inline("javascript:alert(1)"), "javascript:alert(1)");
    }

    #[test]
    fn renders_inline_math_as_mathml() {
        let html = inline("Bounds for $O(n^2)$ sorting");
        assert!(html.starts_with("Bounds for <math>"), "{html}");
        assert!(html.contains("<msup>"), "{html}");
        assert!(html.ends_with("</math> sorting"), "{html}");
        assert!(inline(r"with \(\alpha\) set").contains("<mi>α</mi>"));
        assert!(inline(r"$$x+1$$").contains("display=\"block\""));
    }

    #[test]
    fn dollars_that_are_money_stay_text() {
        assert_eq!(inline("costs $5 and $10 each"), "costs $5 and $10 each");
        assert_eq!(inline("a $ b"), "a $ b");
        assert_eq!(inline(r"saves \$3 per run"), "saves $3 per run");
    }

    #[test]
    fn hostile_math_never_becomes_markup() {
        for attack in [
            r"$<script>alert(1)</script>$",
            r"$\href{javascript:alert(1)}{x}$",
            r#"$x" onload="alert(1)$"#,
            r"$\text{<img src=x onerror=alert(1)>}$",
        ] {
            let html = inline(attack);
            assert!(!html.contains("<script"), "{attack} → {html}");
            assert!(!html.contains("<img"), "{attack} → {html}");
            assert!(!html.contains("href="), "{attack} → {html}");
            assert!(!html.contains("onload=\""), "{attack} → {html}");
        }
    }

    #[test]
    fn unconvertible_math_is_shown_as_source() {
        assert_eq!(inline(r"$\frac{1}{$"), r"$\frac{1}{$");
        assert_eq!(inline(r"$\unknowncommandxyz$"), r"$\unknowncommandxyz$");
    }

    #[test]
    fn styled_formulas_render_without_their_style() {
        let html = inline(r"$\color{red}{x} + a\!b$");
        assert!(html.starts_with("<math>"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert_eq!(
            without_style_attributes(r#"<mi style="color:red">x</mi>"#),
            "<mi>x</mi>"
        );
    }

    #[test]
    fn many_openers_without_closers_stay_text() {
        let text = r"\(".repeat(5_000);
        assert_eq!(inline(&text), text);
    }

    #[test]
    fn allowlist_rejects_unknown_tags_and_attributes() {
        assert!(is_allowed_markup(
            r#"<math display="block"><mi>x</mi></math>"#
        ));
        assert!(!is_allowed_markup(
            r#"<math><a href="javascript:x">x</a></math>"#
        ));
        assert!(!is_allowed_markup(r#"<math onclick="x"><mi>x</mi></math>"#));
        assert!(!is_allowed_markup("<math><mi>x</mi"));
    }

    #[test]
    fn abstracts_become_paragraphs() {
        let text = "First line\nwraps here.\n  A second paragraph\nwith $x$.";
        let html = paragraphs(text);
        assert!(
            html.starts_with("<p>First line wraps here.</p><p>A second paragraph with <math>"),
            "{html}"
        );
    }
}
