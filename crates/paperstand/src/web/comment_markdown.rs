//! Comment text to HTML: a small Markdown subset (paragraphs, emphasis, code, links,
//! lists, line breaks, `$…$` math), rendered by our own allowlist renderer from
//! pulldown-cmark's events, so no HTML an author writes ever reaches a page. Imports
//! `pulldown-cmark`, `url` and `markup` (escaping and MathML) only.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use super::markup;

/// Most characters (Unicode scalar values) a comment may have.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// Most bytes of UTF-8 a comment may have (20 KB).
pub const MAX_COMMENT_BYTES: usize = 20 * 1024;

/// Deepest list nesting shown as lists; deeper items continue their parent item on new
/// lines, so a hostile comment cannot make a page thousands of elements deep.
const MAX_LIST_DEPTH: usize = 16;
/// Longest URL (bytes) made into a link; a longer one stays text.
const MAX_URL_BYTES: usize = 2_048;
/// Every link in a comment: no ranking credit, marked as user content, no opener or
/// referrer handed to the target.
const LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// Characters that show nothing: a comment of only these (and white space) is empty.
const INVISIBLE: &[char] = &['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Checks a comment before it is stored: not empty, at most [`MAX_COMMENT_CHARS`]
/// characters and [`MAX_COMMENT_BYTES`] bytes. The error is a sentence for the author.
pub fn check_comment(body: &str) -> Result<(), String> {
    let chars = body.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(format!(
            "Comments are at most {} characters; this one has {}.",
            thousands(MAX_COMMENT_CHARS),
            thousands(chars)
        ));
    }
    if body.len() > MAX_COMMENT_BYTES {
        return Err(format!(
            "Comments are at most {} KB; this one is {} KB. Please shorten it.",
            MAX_COMMENT_BYTES / 1024,
            body.len().div_ceil(1024)
        ));
    }
    if body
        .chars()
        .all(|c| c.is_whitespace() || INVISIBLE.contains(&c))
    {
        return Err("This comment is empty. Write something before posting.".to_owned());
    }
    Ok(())
}

/// Renders a comment's Markdown as safe HTML. Kept: paragraphs, emphasis and strong,
/// inline code and code blocks, links to absolute `http`/`https` URLs (with
/// `rel="nofollow ugc noopener noreferrer"`), ordered and unordered lists, line breaks
/// (every newline in a paragraph is one), and `$…$`/`$$…$$` math as MathML. Everything
/// else is text: raw HTML, block quotes and rules as their escaped source, headings as
/// paragraphs, images as a plain link around their alt text, other links as their source.
pub fn render_comment(markdown: &str) -> String {
    let mut renderer = Renderer {
        source: markdown,
        out: String::with_capacity(markdown.len() + markdown.len() / 4 + 16),
        open: Vec::new(),
        skipping: 0,
        in_link: false,
        list_depth: 0,
    };
    for (event, range) in Parser::new_ext(markdown, Options::ENABLE_MATH).into_offset_iter() {
        renderer.event(event, range);
    }
    renderer.finish()
}

/// What to do at the end of an element that was started.
#[derive(Debug)]
enum Closer {
    /// Emit this closing markup (possibly nothing).
    Html(&'static str),
    /// Close one list level: emit this (nothing past [`MAX_LIST_DEPTH`]).
    List(&'static str),
    /// Close a link.
    Link,
    /// Close an image's link; when its alt text was empty, show the URL as the text.
    Image { text_from: usize, url: String },
}

/// The state of one rendering: output so far and the elements still open.
#[derive(Debug)]
struct Renderer<'a> {
    source: &'a str,
    out: String,
    open: Vec<Closer>,
    /// Above zero inside an element already shown as its source: its events are dropped.
    skipping: usize,
    /// Inside an `<a>`, where no other link may start.
    in_link: bool,
    list_depth: usize,
}

impl Renderer<'_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.skipping > 0 {
            match event {
                Event::Start(_) => self.skipping += 1,
                Event::End(_) => self.skipping -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(_) => self.end(),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                self.text(&code);
                self.out.push_str("</code>");
            }
            Event::InlineMath(latex) => self.out.push_str(&markup::math(&latex, false)),
            Event::DisplayMath(latex) => self.out.push_str(&markup::math(&latex, true)),
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            Event::FootnoteReference(label) => self.text(&format!("[^{label}]")),
            Event::SoftBreak | Event::HardBreak => self.out.push_str("<br>"),
            Event::Rule => self.source_block(range),
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } => self.wrap("<p>", "</p>"),
            Tag::CodeBlock(_) => self.wrap("<pre><code>", "</code></pre>"),
            Tag::Emphasis => self.wrap("<em>", "</em>"),
            Tag::Strong => self.wrap("<strong>", "</strong>"),
            Tag::List(first) => self.list(first),
            Tag::Item if self.list_depth > MAX_LIST_DEPTH => self.wrap("<br>", ""),
            Tag::Item => self.wrap("<li>", "</li>"),
            Tag::Link { dest_url, .. } => match safe_href(&dest_url).filter(|_| !self.in_link) {
                Some(href) => {
                    self.open_anchor(&href);
                    self.open.push(Closer::Link);
                }
                None => {
                    let source = self.source;
                    self.text(&source[range]);
                    self.skipping = 1;
                }
            },
            Tag::Image { dest_url, .. } => match safe_href(&dest_url).filter(|_| !self.in_link) {
                Some(href) => {
                    self.open_anchor(&href);
                    let text_from = self.out.len();
                    self.open.push(Closer::Image {
                        text_from,
                        url: href,
                    });
                }
                None => self.wrap("", ""),
            },
            Tag::BlockQuote(_) | Tag::HtmlBlock => {
                self.source_block(range);
                self.skipping = 1;
            }
            // Tables, footnotes, strikethrough and the rest are switched off in the parser
            // options; should one arrive anyway, its text still shows, without markup.
            _ => self.wrap("", ""),
        }
    }

    fn end(&mut self) {
        match self.open.pop() {
            Some(Closer::Html(html)) => self.out.push_str(html),
            Some(Closer::List(html)) => {
                self.list_depth -= 1;
                self.out.push_str(html);
            }
            Some(Closer::Link) => {
                self.in_link = false;
                self.out.push_str("</a>");
            }
            Some(Closer::Image { text_from, url }) => {
                if self.out.len() == text_from {
                    self.text(&url);
                }
                self.in_link = false;
                self.out.push_str("</a>");
            }
            None => {}
        }
    }

    fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }

    fn wrap(&mut self, open: &'static str, close: &'static str) {
        self.out.push_str(open);
        self.open.push(Closer::Html(close));
    }

    fn list(&mut self, first: Option<u64>) {
        self.list_depth += 1;
        if self.list_depth > MAX_LIST_DEPTH {
            self.open.push(Closer::List(""));
            return;
        }
        match first {
            None => self.wrap_list("<ul>", "</ul>"),
            Some(1) => self.wrap_list("<ol>", "</ol>"),
            Some(number) => {
                self.out.push_str(&format!("<ol start=\"{number}\">"));
                self.open.push(Closer::List("</ol>"));
            }
        }
    }

    fn wrap_list(&mut self, open: &'static str, close: &'static str) {
        self.out.push_str(open);
        self.open.push(Closer::List(close));
    }

    fn open_anchor(&mut self, href: &str) {
        self.out.push_str("<a href=\"");
        self.text(href);
        self.out.push_str("\" rel=\"");
        self.out.push_str(LINK_REL);
        self.out.push_str("\">");
        self.in_link = true;
    }

    fn text(&mut self, text: &str) {
        self.out.push_str(&markup::escape(text));
    }

    /// A block shown as its escaped source, one line per line.
    fn source_block(&mut self, range: Range<usize>) {
        let source = self.source;
        self.out.push_str("<p>");
        for (i, line) in source[range].trim_end().lines().enumerate() {
            if i > 0 {
                self.out.push_str("<br>");
            }
            self.out.push_str(&markup::escape(line));
        }
        self.out.push_str("</p>");
    }
}

/// The URL to link to when `dest` is an absolute `http` or `https` URL with a host,
/// written exactly so (no leading space, control character or entity before the
/// scheme); its normalised form, with quotes and angle brackets percent-encoded.
fn safe_href(dest: &str) -> Option<String> {
    if dest.len() > MAX_URL_BYTES {
        return None;
    }
    let has_scheme = ["http://", "https://"].iter().any(|scheme| {
        dest.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    if !has_scheme {
        return None;
    }
    let url = url::Url::parse(dest).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then(|| url.into())
}

/// `1048576` as `1,048,576`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const A: &str = r#"rel="nofollow ugc noopener noreferrer""#;

    fn link(href: &str, text: &str) -> String {
        format!(r#"<a href="{href}" {A}>{text}</a>"#)
    }

    #[test]
    fn renders_each_construct() {
        let cases = [
            ("one\n\ntwo", "<p>one</p><p>two</p>".to_owned()),
            (
                "*a* **b** _c_ __d__ ***e***",
                "<p><em>a</em> <strong>b</strong> <em>c</em> <strong>d</strong> \
                 <em><strong>e</strong></em></p>"
                    .to_owned(),
            ),
            (
                "use `<b>&` here",
                "<p>use <code>&lt;b&gt;&amp;</code> here</p>".to_owned(),
            ),
            (
                "```rust\nfn f() {}\n<script>\n```",
                "<pre><code>fn f() {}\n&lt;script&gt;\n</code></pre>".to_owned(),
            ),
            (
                "    indented <b>\n    code",
                "<pre><code>indented &lt;b&gt;\ncode</code></pre>".to_owned(),
            ),
            (
                "[the site](https://example.org/a?b=1&c=2)",
                format!(
                    "<p>{}</p>",
                    link("https://example.org/a?b=1&amp;c=2", "the site")
                ),
            ),
            (
                "<http://example.org>",
                format!(
                    "<p>{}</p>",
                    link("http://example.org/", "http://example.org")
                ),
            ),
            ("- a\n- b", "<ul><li>a</li><li>b</li></ul>".to_owned()),
            ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>".to_owned()),
            (
                "3. a\n4. b",
                r#"<ol start="3"><li>a</li><li>b</li></ol>"#.to_owned(),
            ),
            (
                "- a\n  1. b\n  2. c\n- d",
                "<ul><li>a<ol><li>b</li><li>c</li></ol></li><li>d</li></ul>".to_owned(),
            ),
            ("one\ntwo  \nthree", "<p>one<br>two<br>three</p>".to_owned()),
        ];
        for (markdown, html) in cases {
            assert_eq!(render_comment(markdown), html, "{markdown:?}");
        }
    }

    #[test]
    fn everything_else_is_text() {
        let cases = [
            ("# Title *x*", "<p>Title <em>x</em></p>"),
            ("Title\n===", "<p>Title</p>"),
            ("a <b>bold</b> c", "<p>a &lt;b&gt;bold&lt;/b&gt; c</p>"),
            (
                "<div>\n<script>alert(1)</script>\n</div>",
                "<p>&lt;div&gt;<br>&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;/div&gt;</p>",
            ),
            (
                "> quoted *x*\n> more",
                "<p>&gt; quoted *x*<br>&gt; more</p>",
            ),
            ("***", "<p>***</p>"),
            (
                "| a | b |\n|---|---|\n| 1 | 2 |",
                "<p>| a | b |<br>|---|---|<br>| 1 | 2 |</p>",
            ),
            // Without footnotes, `[^1]: note` defines a link to "note" (relative, so text).
            ("~~gone~~ [^1]\n\n[^1]: note", "<p>~~gone~~ [^1]</p>"),
            ("- [ ] task", "<ul><li>[ ] task</li></ul>"),
            (
                "![alt *text*](ftp://example.org/a.png)",
                "<p>alt <em>text</em></p>",
            ),
            ("<me@example.org>", "<p>&lt;me@example.org&gt;</p>"),
        ];
        for (markdown, html) in cases {
            assert_eq!(render_comment(markdown), html, "{markdown:?}");
        }
    }

    #[test]
    fn images_become_plain_links() {
        assert_eq!(
            render_comment("![a plot](https://example.org/plot.png)"),
            format!("<p>{}</p>", link("https://example.org/plot.png", "a plot"))
        );
        assert_eq!(
            render_comment("![](https://example.org/plot.png)"),
            format!(
                "<p>{}</p>",
                link(
                    "https://example.org/plot.png",
                    "https://example.org/plot.png"
                )
            )
        );
        // No link inside a link: the image inside shows its alt text.
        assert_eq!(
            render_comment("[![logo](https://example.org/l.png)](https://example.org/)"),
            format!("<p>{}</p>", link("https://example.org/", "logo"))
        );
    }

    #[test]
    fn only_absolute_http_links_are_links() {
        for markdown in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](&#x6A;avascript&#x3A;alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](<java\nscript:alert(1)>)",
            "[x](<\u{1}javascript:alert(1)>)",
            "[x](< javascript:alert(1)>)",
            "[x](\u{a0}javascript:alert(1))",
            "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
            "[x](vbscript:alert(1))",
            "[x](//evil.example/)",
            "[x](/relative/path)",
            "[x](relative)",
            "[x](#fragment)",
            "[x](mailto:a@example.org)",
            "[x](http:evil.example)",
            "[x](https:/evil.example)",
            "[x](http://)",
            "[x](<\thttps://example.org>)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<javascript:alert(1)>",
            "<vbscript:alert(1)>",
            "<data:text/html,alert(1)>",
        ] {
            let html = render_comment(markdown);
            assert!(!html.contains("<a"), "{markdown:?} → {html}");
            assert!(html.starts_with("<p>"), "{markdown:?} → {html}");
        }
        assert_eq!(
            render_comment("[x](javascript:alert(1))"),
            "<p>[x](javascript:alert(1))</p>"
        );
        assert!(
            render_comment(&format!("[x](https://e.org/{})", "a".repeat(3_000)))
                .starts_with("<p>[x]")
        );
    }

    #[test]
    fn link_urls_cannot_break_out_of_their_attribute() {
        let html = render_comment(r#"[x](https://example.org/"onmouseover="alert(1))"#);
        assert_eq!(
            html,
            format!(
                "<p>{}</p>",
                link("https://example.org/%22onmouseover=%22alert(1)", "x")
            )
        );
        let html = render_comment(r#"<https://example.org/'><script>>"#);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("'>"), "{html}");
        let html = render_comment(r#"[x](https://example.org "\"><script>alert(1)</script>")"#);
        assert_eq!(
            html,
            format!("<p>{}</p>", link("https://example.org/", "x"))
        );
    }

    #[test]
    fn math_renders_as_mathml() {
        let html = render_comment("Take $x^2$ and\n\n$$\\frac{1}{2}$$");
        assert!(html.starts_with("<p>Take <math>"), "{html}");
        assert!(html.contains("<msup>"), "{html}");
        assert!(html.contains(r#"<math display="block">"#), "{html}");
        assert!(html.contains("<mfrac>"), "{html}");
        // Money stays text; a formula that doesn't convert is shown as its source.
        assert_eq!(
            render_comment("costs $5 and $10"),
            "<p>costs $5 and $10</p>"
        );
        assert_eq!(
            render_comment(r"$\unknowncommandxyz$"),
            r"<p>$\unknowncommandxyz$</p>"
        );
        // Inside code, dollars are code.
        assert_eq!(render_comment("`$x$`"), "<p><code>$x$</code></p>");
    }

    #[test]
    fn latex_tricks_produce_nothing_active() {
        for markdown in [
            r"$\href{javascript:alert(1)}{x}$",
            r"$$\href{javascript:alert(1)}{x}$$",
            r"$\url{javascript:alert(1)}$",
            r"$\style{background:url(javascript:alert(1))}{x}$",
            r#"$\class{x" onclick="alert(1)}{x}$"#,
            r#"$\htmlId{x" onmouseover="alert(1)}{x}$"#,
            r"$\htmlStyle{color:red}{x}$",
            r"$\htmlData{onclick=alert(1)}{x}$",
            r"$\unicode{<img src=x onerror=alert(1)>}$",
            r"$$</math><script>alert(1)</script>$$",
            r"$\text{<script>alert(1)</script>}$",
            r"$\def\x{\href{javascript:alert(1)}{y}}\x$",
            r"$\newcommand{\x}{\href{javascript:alert(1)}{y}}\x$",
        ] {
            let html = render_comment(markdown);
            assert_safe(&html, markdown);
            assert!(!html.contains("href="), "{markdown} → {html}");
            assert!(!html.contains("<script"), "{markdown} → {html}");
            assert!(!html.contains("<img"), "{markdown} → {html}");
        }
    }

    #[test]
    fn nesting_and_unclosed_markup() {
        let cases = [
            (
                "- *a [b **c**](https://e.org) `d`*",
                format!(
                    "<ul><li><em>a {} <code>d</code></em></li></ul>",
                    link("https://e.org/", "b <strong>c</strong>")
                ),
            ),
            ("*a", "<p>*a</p>".to_owned()),
            ("**a *b", "<p>**a *b</p>".to_owned()),
            ("[a](", "<p>[a](</p>".to_owned()),
            ("[a](https://e.org", "<p>[a](https://e.org</p>".to_owned()),
            (
                "```\ncode <b>",
                "<pre><code>code &lt;b&gt;</code></pre>".to_owned(),
            ),
            ("<div", "<p>&lt;div</p>".to_owned()),
            ("$x", "<p>$x</p>".to_owned()),
            ("`a", "<p>`a</p>".to_owned()),
        ];
        for (markdown, html) in cases {
            assert_eq!(render_comment(markdown), html, "{markdown:?}");
        }
    }

    #[test]
    fn deep_nesting_is_flattened_not_followed() {
        let lists: String = (0..40)
            .map(|i| format!("{}- l{i}\n", "  ".repeat(i)))
            .collect();
        let html = render_comment(&lists);
        assert_safe(&html, "nested lists");
        assert_eq!(html.matches("<ul>").count(), MAX_LIST_DEPTH);
        assert_eq!(html.matches("<ul>").count(), html.matches("</ul>").count());
        assert!(html.contains("l39"), "{html}");
    }

    #[test]
    fn hostile_sizes_render_in_bounded_time() {
        let megabyte = 1 << 20;
        let fill = |unit: &str| unit.repeat(megabyte / unit.len());
        let inputs = [
            ">".repeat(10_000),
            "> ".repeat(10_000),
            "*".repeat(10_000),
            "* ".repeat(10_000),
            "- ".repeat(10_000),
            "1. ".repeat(10_000),
            "[".repeat(10_000),
            "![".repeat(10_000),
            "(".repeat(10_000),
            format!("{}x", "> ".repeat(10_000)),
            format!("{}x", "- ".repeat(10_000)),
            format!("{}x", "* ".repeat(10_000)),
            format!("{}x", "1. ".repeat(10_000)),
            format!("{}x", "- > 1. ".repeat(5_000)),
            format!("{}a{}", "*".repeat(10_000), "*".repeat(10_000)),
            format!("{}a{}", "_*".repeat(10_000), "*_".repeat(10_000)),
            format!(
                "{}a{}(https://e.org)",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            format!(
                "{}a{}",
                "![".repeat(10_000),
                "](https://e.org)".repeat(10_000)
            ),
            fill("a"),
            fill(">"),
            fill("*"),
            fill("*a"),
            fill("**a_"),
            fill("["),
            fill("[a]("),
            fill("[a](https://e.org)"),
            fill("![a](https://e.org/"),
            fill("<"),
            fill("<a "),
            fill("`"),
            fill("``a`"),
            fill("$"),
            fill("$x"),
            fill("$x$ "),
            fill("\\"),
            fill("&#"),
            fill("\n"),
            fill("- a\n"),
            fill("  - a\n"),
            fill("[a]: https://e.org\n"),
            fill("[a][b]"),
            fill("<http://e.org/"),
            fill("~~~\n"),
        ];
        for input in &inputs {
            let started = Instant::now();
            let html = render_comment(input);
            let took = started.elapsed();
            let head: String = input.chars().take(12).collect();
            // Generous for a loaded two-core machine in a debug build; quadratic
            // behaviour on a megabyte takes minutes.
            assert!(
                took < Duration::from_secs(20),
                "{head:?}… ({} bytes) took {took:?}",
                input.len()
            );
            assert_safe(&html, &head);
        }
    }

    #[test]
    fn comments_must_have_text_and_fit() {
        assert_eq!(check_comment("Nice result."), Ok(()));
        assert_eq!(check_comment(&"a".repeat(MAX_COMMENT_CHARS)), Ok(()));
        for empty in ["", " ", "\n\t \r\n", "\u{200B}\u{FEFF} \u{2060}"] {
            assert_eq!(
                check_comment(empty),
                Err("This comment is empty. Write something before posting.".to_owned()),
                "{empty:?}"
            );
        }
        assert_eq!(
            check_comment(&"a".repeat(1_048_576)),
            Err("Comments are at most 10,000 characters; this one has 1,048,576.".to_owned())
        );
        assert_eq!(
            check_comment(&"a".repeat(MAX_COMMENT_CHARS + 1)),
            Err("Comments are at most 10,000 characters; this one has 10,001.".to_owned())
        );
        // 7,000 three-byte characters: few enough characters, but 21,000 bytes.
        assert_eq!(
            check_comment(&"論".repeat(7_000)),
            Err("Comments are at most 20 KB; this one is 21 KB. Please shorten it.".to_owned())
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(123_456_789), "123,456,789");
    }

    /// Every payload of tests/fixtures/xss_payloads.json, through every renderer of
    /// user or paper text, yields only allowlisted tags and attributes.
    #[test]
    fn xss_payloads_stay_inert() {
        let payloads: Vec<String> =
            serde_json::from_str(include_str!("../../tests/fixtures/xss_payloads.json")).unwrap();
        assert!(payloads.len() >= 120, "{}", payloads.len());
        for payload in &payloads {
            assert_safe(&render_comment(payload), payload);
            assert_safe(&markup::inline(payload), payload);
            assert_safe(&markup::paragraphs(payload), payload);
        }
    }

    /// Elements our renderer writes; MathML comes from markup.rs's allowlist.
    const COMMENT_TAGS: &[&str] = &[
        "p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li",
    ];

    /// Fails unless every tag in `html` is allowlisted with allowlisted attributes: `a`
    /// only with an http(s) `href` and our `rel`, `ol` only with a numeric `start`,
    /// MathML only with markup.rs's presentation attributes; nothing named `on…`, no
    /// `<script`, no `javascript:`/`data:`/`vbscript:` in an attribute.
    fn assert_safe(html: &str, input: &str) {
        assert!(
            !html.to_ascii_lowercase().contains("<script"),
            "{input:?} → {html}"
        );
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let close = rest[open..]
                .find('>')
                .unwrap_or_else(|| panic!("unclosed tag: {input:?} → {html}"));
            let tag = &rest[open + 1..open + close];
            if let Err(why) = check_tag(tag) {
                panic!("{why} in <{tag}>: {input:?} → {html}");
            }
            rest = &rest[open + close + 1..];
        }
    }

    fn check_tag(tag: &str) -> Result<(), String> {
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let tag = tag.strip_suffix('/').unwrap_or(tag);
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let mathml = markup::ALLOWED_TAGS.contains(&name);
        if !mathml && !COMMENT_TAGS.contains(&name) {
            return Err(format!("tag {name:?} not allowed"));
        }
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                return Ok(());
            }
            let (attr, after) = attrs
                .split_once("=\"")
                .ok_or("attribute without a quoted value")?;
            let end = after.find('"').ok_or("unterminated attribute")?;
            let value = &after[..end];
            let lowered = value.to_ascii_lowercase();
            if attr.to_ascii_lowercase().starts_with("on") {
                return Err(format!("event handler {attr:?}"));
            }
            if ["javascript:", "data:", "vbscript:"]
                .iter()
                .any(|scheme| lowered.contains(scheme) && attr != "href")
                || value.contains(['<', '>', '"'])
            {
                return Err(format!("suspicious value in {attr:?}"));
            }
            let allowed = match (name, attr) {
                ("a", "href") => lowered.starts_with("http://") || lowered.starts_with("https://"),
                ("a", "rel") => value == LINK_REL,
                ("ol", "start") => value.bytes().all(|b| b.is_ascii_digit()),
                _ => mathml && markup::ALLOWED_ATTRIBUTES.contains(&attr),
            };
            if !allowed {
                return Err(format!("attribute {attr:?}={value:?} not allowed"));
            }
            attrs = &after[end + 1..];
        }
    }
}
