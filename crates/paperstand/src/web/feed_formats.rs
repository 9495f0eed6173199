//! The three feed serialisations. Everything from a paper goes through `xml_text`
//! (escaped, XML-forbidden characters dropped) or serde_json.

use std::fmt::Write;

use paperstand_core::Paper;
use paperstand_core::record::format_date;
use serde_json::json;
use time::Date;

use super::markup::escape;

/// `Fri, 20 Feb 2026 00:00:00 GMT` (HTTP dates, RSS dates).
pub fn http_date(date: Date) -> String {
    let weekday = &date.weekday().to_string()[..3];
    let month = &date.month().to_string()[..3];
    format!(
        "{weekday}, {:02} {month} {} 00:00:00 GMT",
        date.day(),
        date.year()
    )
}

pub fn rfc3339(date: Date) -> String {
    format!("{}T00:00:00Z", format_date(date))
}

/// Text for XML: escaped, and without the control characters XML 1.0 forbids.
pub fn xml_text(text: &str) -> String {
    escape(&xml_chars(text))
}

/// The characters XML 1.0 allows (no C0 controls but tab and line breaks, no U+FFFE/U+FFFF).
fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// Text for an element RSS readers treat as HTML (`description`, `title`): escaped for
/// HTML first, then for XML, so a reader shows `<` instead of taking it for a tag.
pub fn xml_html_text(text: &str) -> String {
    escape(&escape(&xml_chars(text)))
}

/// The abstract followed by the arXiv and code links (an RSS item has one link only).
fn rss_description(paper: &Paper) -> String {
    let mut text = format!("{}\n\narXiv: {}", paper.abstract_text, paper.id.abs_url());
    for link in &paper.links {
        text.push_str("\nCode: ");
        text.push_str(&link.url);
    }
    text
}

fn paper_url(base: &str, paper: &Paper) -> String {
    format!("{base}/papers/{}", paper.id)
}

fn published(paper: &Paper) -> Date {
    paper
        .submitted_on
        .unwrap_or(paper.listed_on)
        .min(paper.listed_on)
}

fn updated(paper: &Paper) -> Date {
    paper.last_listed_on.unwrap_or(paper.listed_on)
}

/// A list of papers to serialise.
#[derive(Debug)]
pub struct Feed<'a> {
    /// Feed title.
    pub title: String,
    /// The instance's base URL.
    pub base: &'a str,
    /// The newest listing in it.
    pub updated: Option<Date>,
    /// Its papers.
    pub papers: &'a [Paper],
}

impl Feed<'_> {
    /// Atom 1.0.
    pub fn atom(&self, self_url: &str) -> String {
        atom(&self.title, self_url, self.papers, self.updated, self.base)
    }

    /// RSS 2.0.
    pub fn rss(&self, self_url: &str) -> String {
        rss(&self.title, self_url, self.papers, self.updated, self.base)
    }

    /// JSON Feed 1.1.
    pub fn json(&self, self_url: &str) -> String {
        json_feed(&self.title, self_url, self.papers, self.base)
    }
}

fn atom(
    title: &str,
    self_url: &str,
    papers: &[Paper],
    updated_on: Option<Date>,
    base: &str,
) -> String {
    let mut out = String::with_capacity(4096 + papers.len() * 2048);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <id>{}</id><title>{}</title><updated>{}</updated><link rel=\"self\" href=\"{}\"/>\
         <link rel=\"alternate\" href=\"{}/\"/><author><name>Paperstand</name></author><generator>Paperstand</generator>",
        xml_text(self_url),
        xml_text(title),
        rfc3339(updated_on.unwrap_or(time::macros::date!(1991 - 01 - 01))),
        xml_text(self_url),
        xml_text(base),
    );
    for paper in papers {
        let url = paper_url(base, paper);
        let _ = write!(
            out,
            "<entry><id>{}</id><title type=\"text\">{}</title><link rel=\"alternate\" href=\"{}\"/>\
             <link rel=\"related\" title=\"arXiv\" href=\"{}\"/><published>{}</published><updated>{}</updated>",
            xml_text(&url),
            xml_text(&paper.title),
            xml_text(&url),
            xml_text(&paper.id.abs_url()),
            rfc3339(published(paper)),
            rfc3339(updated(paper)),
        );
        for author in &paper.authors {
            let _ = write!(out, "<author><name>{}</name></author>", xml_text(author));
        }
        for category in &paper.categories {
            let _ = write!(out, "<category term=\"{}\"/>", xml_text(category));
        }
        for link in &paper.links {
            let _ = write!(
                out,
                "<link rel=\"related\" title=\"code\" href=\"{}\"/>",
                xml_text(&link.url)
            );
        }
        let _ = write!(
            out,
            "<summary type=\"text\">{}</summary></entry>",
            xml_text(&paper.abstract_text)
        );
    }
    out.push_str("</feed>\n");
    out
}

fn rss(
    title: &str,
    self_url: &str,
    papers: &[Paper],
    updated_on: Option<Date>,
    base: &str,
) -> String {
    let mut out = String::with_capacity(4096 + papers.len() * 2048);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>{}</title><link>{}/</link>\
         <description>{}</description><atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/><generator>Paperstand</generator>",
        xml_text(title),
        xml_text(base),
        xml_text(title),
        xml_text(self_url),
    );
    if let Some(day) = updated_on {
        let _ = write!(out, "<lastBuildDate>{}</lastBuildDate>", http_date(day));
    }
    for paper in papers {
        let url = paper_url(base, paper);
        let _ = write!(
            out,
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><description>{}</description>\
             <pubDate>{}</pubDate>",
            xml_html_text(&paper.title),
            xml_text(&url),
            xml_text(&url),
            xml_html_text(&rss_description(paper)),
            http_date(paper.listed_on),
        );
        if !paper.authors.is_empty() {
            let _ = write!(
                out,
                "<dc:creator>{}</dc:creator>",
                xml_text(&paper.authors.join(", "))
            );
        }
        for category in &paper.categories {
            let _ = write!(out, "<category>{}</category>", xml_text(category));
        }
        out.push_str("</item>");
    }
    out.push_str("</channel></rss>\n");
    out
}

fn json_feed(title: &str, self_url: &str, papers: &[Paper], base: &str) -> String {
    let items: Vec<serde_json::Value> = papers
        .iter()
        .map(|paper| {
            json!({
                "id": paper_url(base, paper),
                "url": paper_url(base, paper),
                "external_url": paper.id.abs_url(),
                "title": paper.title,
                "content_text": paper.abstract_text,
                "date_published": rfc3339(published(paper)),
                "date_modified": rfc3339(updated(paper)),
                "authors": paper.authors.iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
                "tags": paper.categories,
                "_paperstand": {
                    "arxiv_id": paper.id.to_string(),
                    "pdf_url": paper.id.pdf_url(),
                    "code": paper.links.iter().map(|l| l.url.clone()).collect::<Vec<_>>(),
                    "listed_on": paperstand_core::record::format_date(paper.listed_on),
                },
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": format!("{base}/"),
        "feed_url": self_url,
        "authors": [{"name": "Paperstand"}],
        "items": items,
    });
    feed.to_string()
}
