//! Checks that a page's markup can do nothing a hostile paper or member put in it: every
//! tag is one the templates, the comment renderer or the MathML converter emit, no
//! attribute is an event handler or a style, every URL is http(s), mailto or on this
//! site, and the only script is the site's own file.

use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Tags the site's templates use (read from the templates themselves) plus those the
/// comment renderer and the MathML converter emit.
static ALLOWED_TAGS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let mut tags = BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    // The site's pages only: `templates/email/` holds messages, which style inline.
    for entry in std::fs::read_dir(&dir).expect("templates") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (name, _) in tags_of(&text) {
            tags.insert(name);
        }
    }
    // The comment renderer's tags, search highlighting, and markup.rs's MathML allowlist.
    let comments = [
        "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "br", "mark",
    ];
    for extra in comments.iter().chain(paperstand::web::markup::ALLOWED_TAGS) {
        tags.insert((*extra).to_owned());
    }
    // Never allowed, whatever a template might do.
    for banned in [
        "iframe", "object", "embed", "base", "svg", "style", "img", "frame", "applet",
    ] {
        assert!(!tags.contains(banned), "a template uses <{banned}>");
    }
    tags
});

/// Every start tag of `html`: its name (lower-cased) and attributes (name, value).
pub fn tags_of(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        let start = i + at + 1;
        i = start;
        if start >= bytes.len() {
            break;
        }
        match bytes[start] {
            b'!' => {
                // a comment or doctype: skip to its end
                i = html[start..]
                    .find('>')
                    .map_or(bytes.len(), |e| start + e + 1);
                continue;
            }
            b'/' => continue,
            c if !c.is_ascii_alphabetic() => continue,
            _ => {}
        }
        // Template syntax ({% … %}, {{ … }}) inside tags of the template files is fine
        // to skip over: attributes are read until the closing '>' outside quotes.
        let mut j = start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let name_start = j;
            while j < bytes.len() && !b" \t\n\r/>=".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[name_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j];
                    let value_start = j + 1;
                    let end = bytes[value_start..]
                        .iter()
                        .position(|b| *b == quote)
                        .map_or(bytes.len(), |e| value_start + e);
                    value = html[value_start..end].to_owned();
                    j = (end + 1).min(bytes.len());
                } else {
                    let value_start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[value_start..j].to_owned();
                }
            }
            attributes.push((attr, value));
        }
        out.push((name, attributes));
        i = j;
    }
    out
}

/// Entities decoded the way a browser would before reading a URL.
fn decode(value: &str) -> String {
    let mut text = value
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    text.retain(|c| !c.is_whitespace() && !c.is_control());
    text.to_ascii_lowercase()
}

/// Panics, naming `what`, if `html` holds anything active.
pub fn assert_inert(html: &str, what: &str) {
    for (tag, attributes) in tags_of(html) {
        assert!(
            ALLOWED_TAGS.contains(&tag),
            "{what}: a <{tag}> tag got through: {attributes:?}"
        );
        if tag == "script" {
            assert_eq!(
                attributes,
                vec![
                    ("src".to_owned(), "/static/app.js".to_owned()),
                    ("defer".to_owned(), String::new())
                ],
                "{what}: a script other than the site's own"
            );
        }
        for (name, value) in &attributes {
            assert!(
                !name.starts_with("on")
                    && name != "style"
                    && name != "srcdoc"
                    && name != "formaction",
                "{what}: <{tag} {name}={value:?}> got through"
            );
            let url = decode(value);
            if [
                "href",
                "src",
                "action",
                "xlink:href",
                "data",
                "poster",
                "background",
            ]
            .contains(&name.as_str())
            {
                assert!(
                    url.starts_with('/') && !url.starts_with("//")
                        || url.starts_with('#')
                        || url.starts_with('?')
                        || url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("mailto:"),
                    "{what}: <{tag} {name}={value:?}> is not a safe URL"
                );
            }
        }
    }
}
