//! A digest as an e-mail: `multipart/alternative` text and HTML (inline CSS, no remote
//! images, no scripts), or text only, with a stable `Message-ID`, `List-Id` and RFC 8058
//! one-click unsubscribe headers. The same bytes go to SMTP, to `.eml` files and to the
//! preview.

use std::collections::HashMap;

use anyhow::Context;
use askama::Template;
use lettre::message::header::{HeaderName, HeaderValue, MessageId};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use paperstand_core::Paper;
use paperstand_core::external::ExternalLink;
use paperstand_store::{Digest, DigestKind, MailFormat, Store, Subscriber};
use time::OffsetDateTime;

use super::links::{LinkSigner, Purpose};
use super::period::Period;
use crate::web::views::all_links;

/// What a digest links to and signs with.
#[derive(Debug, Clone)]
pub struct Site {
    /// Base URL without a trailing slash.
    pub public_url: String,
    /// The sender.
    pub from: Mailbox,
    /// Link signer (its list id goes in `List-Id`).
    pub signer: LinkSigner,
}

impl Site {
    /// The one-click unsubscribe URL of a subscriber.
    pub fn unsubscribe_url(&self, subscriber: i64) -> String {
        format!(
            "{}/u/{}",
            self.public_url,
            self.signer.token(Purpose::Unsubscribe, subscriber)
        )
    }

    /// The manage-preferences URL of a subscriber.
    pub fn manage_url(&self, subscriber: i64) -> String {
        format!(
            "{}/subscription/{}",
            self.public_url,
            self.signer.token(Purpose::Manage, subscriber)
        )
    }
}

/// One paper in the message.
#[derive(Debug, Clone)]
pub struct MailPaper {
    title: String,
    authors: String,
    categories: String,
    summary: String,
    page_url: String,
    arxiv_url: String,
    code: Vec<(String, String)>,
    reason: String,
}

/// One section of the message.
#[derive(Debug, Clone)]
pub struct MailSection {
    title: String,
    papers: Vec<MailPaper>,
}

/// The message's content, shared by both parts.
#[derive(Debug, Clone, Template)]
#[template(path = "email/digest.txt")]
pub struct DigestText {
    heading: String,
    note: bool,
    sections: Vec<MailSection>,
    site_url: String,
    manage_url: String,
    unsubscribe_url: String,
    frequency: &'static str,
}

/// The HTML part.
#[derive(Debug, Clone, Template)]
#[template(path = "email/digest.html")]
pub struct DigestHtml {
    content: DigestText,
}

/// A rendered digest.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// The text part.
    pub text: String,
    /// The HTML part (absent for text-only subscribers).
    pub html: Option<String>,
    /// The whole message.
    pub message: lettre::Message,
}

fn section_title(key: &str, period: Period) -> String {
    match key.split_once(':') {
        Some(("cat", category)) => format!("New in {category}"),
        Some(("topic", _)) => "From your topics".to_owned(),
        _ if key == "picks" => "Picked for you".to_owned(),
        _ => match period {
            Period::Day(_) => "Trending today".to_owned(),
            Period::Week(_) => "Trending this week".to_owned(),
        },
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn summary(text: &str) -> String {
    let text = one_line(text);
    const MAX: usize = 320;
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

fn mail_paper(site: &Site, paper: &Paper, external: &[ExternalLink], reason: &str) -> MailPaper {
    let mut authors: Vec<String> = paper.authors.iter().take(3).map(|a| one_line(a)).collect();
    if paper.authors.len() > 3 {
        authors.push(format!("and {} more", paper.authors.len() - 3));
    }
    MailPaper {
        title: one_line(&paper.title),
        authors: authors.join(", "),
        categories: paper.categories.join(" · "),
        summary: summary(&paper.abstract_text),
        page_url: format!("{}/papers/{}", site.public_url, paper.id.base()),
        arxiv_url: format!("https://arxiv.org/abs/{}", paper.id.base()),
        code: all_links(paper, external)
            .into_iter()
            .map(|link| (link.label, link.url))
            .collect(),
        reason: reason.to_owned(),
    }
}

/// Renders `digest` for `subscriber` at `now` (the `Date` header).
pub async fn render(
    store: &dyn Store,
    site: &Site,
    subscriber: &Subscriber,
    digest: &Digest,
    now: OffsetDateTime,
) -> anyhow::Result<Rendered> {
    let period = Period::parse(&digest.period)
        .with_context(|| format!("the digest's period {:?} is not known", digest.period))?;
    let ids: Vec<_> = digest.items.iter().map(|i| i.id.clone()).collect();
    let papers: HashMap<String, Paper> = store
        .papers_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id.base().to_owned(), p))
        .collect();
    let external = store.external_links(&ids).await?;
    let mut sections: Vec<MailSection> = Vec::new();
    for item in &digest.items {
        // A paper deleted since the digest was built is left out, not an error.
        let Some(paper) = papers.get(item.id.base()) else {
            continue;
        };
        let title = section_title(&item.section, period);
        let entry = mail_paper(site, paper, &external, &item.reason);
        match sections.last_mut() {
            Some(last) if last.title == title => last.papers.push(entry),
            _ => sections.push(MailSection {
                title,
                papers: vec![entry],
            }),
        }
    }
    let count: usize = sections.iter().map(|s| s.papers.len()).sum();
    let note = digest.kind == DigestKind::Note || count == 0;
    let subject = if note {
        format!("Paperstand: nothing new for {}", period.title())
    } else {
        let plural = if count == 1 { "paper" } else { "papers" };
        format!("Paperstand: {count} {plural} for {}", period.title())
    };
    let content = DigestText {
        heading: format!("Papers for {}", period.title()),
        note,
        sections,
        site_url: site.public_url.clone(),
        manage_url: site.manage_url(subscriber.id),
        unsubscribe_url: site.unsubscribe_url(subscriber.id),
        frequency: match period {
            Period::Day(_) => "daily",
            Period::Week(_) => "weekly",
        },
    };
    let text = content.render().context("rendering the digest's text")?;
    let html = match subscriber.preferences.format {
        MailFormat::Html => Some(
            DigestHtml {
                content: content.clone(),
            }
            .render()
            .context("rendering the digest's HTML")?,
        ),
        MailFormat::Text => None,
    };
    let to: Mailbox = subscriber
        .email
        .parse()
        .with_context(|| "the subscriber's address is not valid".to_owned())?;
    let builder = lettre::Message::builder()
        .from(site.from.clone())
        .to(to)
        .subject(subject.clone())
        .date(now.into())
        .header(MessageId::from(format!("<{}>", digest.message_id)))
        .raw_header(header(
            "List-Id",
            format!("Paperstand digest <{}>", site.signer.list_id()),
        ))
        .raw_header(header(
            "List-Unsubscribe",
            format!("<{}>", site.unsubscribe_url(subscriber.id)),
        ))
        .raw_header(header(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .raw_header(header("Auto-Submitted", "auto-generated".to_owned()));
    let message = match &html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(text.clone())),
    }
    .context("building the digest message")?;
    Ok(Rendered {
        subject,
        text,
        html,
        message,
    })
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}
