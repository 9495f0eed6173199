//! Templates and the view models they render. Paper text reaches templates either
//! through askama's escaping or as HTML made by [`markup`](super::markup), which
//! escapes it; nothing from a paper is ever marked safe unescaped.

use askama::Template;
use paperstand_core::external::ExternalLink;
use paperstand_core::record::format_date;
use paperstand_core::trending::{Breakdown, Term, Window};
use paperstand_core::{CodeHost, CodeLink, Paper};

use super::markup;
use crate::ranking::{DEFAULT_WINDOW, RankedList, TrendingFilter};

/// Authors shown on a card before "and N more".
const CARD_AUTHORS: usize = 6;

/// A code link as shown.
#[derive(Debug, Clone)]
pub struct LinkView {
    /// Canonical https URL.
    pub url: String,
    /// `owner/repo`.
    pub label: String,
    /// Host name shown as a badge.
    pub host: &'static str,
    /// Where it was found: "the abstract", "Papers with Code"…
    pub source: &'static str,
    /// Papers with Code marks it as the official implementation.
    pub official: bool,
}

fn host_name(host: CodeHost) -> &'static str {
    match host {
        CodeHost::GitHub => "GitHub",
        CodeHost::GitLab => "GitLab",
        CodeHost::HuggingFace => "Hugging Face",
        CodeHost::Bitbucket => "Bitbucket",
        CodeHost::Codeberg => "Codeberg",
        CodeHost::AnonymousReview => "Anonymous review",
    }
}

fn link_view(link: &CodeLink, official: Option<bool>) -> LinkView {
    LinkView {
        url: link.url.clone(),
        label: link.repo.clone(),
        host: host_name(link.host),
        source: link.source.describe(),
        official: official == Some(true),
    }
}

/// The paper's own links (from its text) first, then other services' links to other
/// repositories; a repository is shown once.
pub(crate) fn all_links(paper: &Paper, external: &[ExternalLink]) -> Vec<LinkView> {
    let mut links: Vec<LinkView> = paper.links.iter().map(|l| link_view(l, None)).collect();
    for extra in external
        .iter()
        .filter(|e| e.paper.base() == paper.id.base())
    {
        let known = paper
            .links
            .iter()
            .any(|l| l.host == extra.link.host && l.repo.eq_ignore_ascii_case(&extra.link.repo));
        let listed = links
            .iter()
            .any(|l| l.url.eq_ignore_ascii_case(&extra.link.url));
        if !known && !listed {
            links.push(link_view(&extra.link, extra.official));
        }
    }
    links
}

/// One paper on a list page.
#[derive(Debug, Clone)]
pub struct CardView {
    /// The id as text.
    pub id: String,
    /// `/papers/<id>`.
    pub href: String,
    /// Title as safe HTML (escaped, math rendered).
    pub title_html: String,
    /// Authors, shortened.
    pub authors: String,
    /// Abstract as safe HTML paragraphs.
    pub abstract_html: String,
    /// Categories, primary first.
    pub categories: Vec<String>,
    /// Code links.
    pub links: Vec<LinkView>,
    /// Listing date.
    pub listed_on: String,
    /// The authors withdrew it.
    pub withdrawn: bool,
    /// Upvotes on this instance.
    pub upvotes: u64,
    /// Comments on this instance.
    pub comments: u64,
    /// The signed-in member upvoted it.
    pub voted: bool,
    /// The signed-in member saved it to their library.
    pub saved: bool,
    /// The signed-in member's CSRF token for the vote form; `None` for visitors, who
    /// get a link to sign in instead.
    pub csrf: Option<String>,
    /// On a trending list: why it is there, in words ("12 upvotes · 3 comments").
    pub why: Option<String>,
    /// On a trending list: its score.
    pub score: Option<String>,
    /// A curator featured it (shown on the daily page).
    pub featured: bool,
}

impl CardView {
    /// Builds the card of a paper; `external` may hold other papers' links too.
    pub fn new(paper: &Paper, external: &[ExternalLink]) -> CardView {
        let id = paper.id.to_string();
        CardView {
            href: format!("/papers/{id}"),
            id,
            title_html: markup::inline(&paper.title),
            authors: short_authors(&paper.authors),
            abstract_html: markup::paragraphs(&paper.abstract_text),
            categories: paper.categories.clone(),
            links: all_links(paper, external),
            listed_on: format_date(paper.listed_on),
            withdrawn: paper.withdrawn,
            upvotes: 0,
            comments: 0,
            voted: false,
            saved: false,
            csrf: None,
            why: None,
            score: None,
            featured: false,
        }
    }
}

/// The terms that count, in words: `12 upvotes · 340 stars gained · 3 comments`.
pub fn short_why(breakdown: &Breakdown, window: Window) -> String {
    let terms: Vec<String> = breakdown
        .terms
        .iter()
        .filter(|t| t.count > 0)
        .map(Term::label)
        .collect();
    match (terms.is_empty(), window) {
        (false, _) => terms.join(" · "),
        (true, Window::All) => "no upvotes, stars or comments yet".to_owned(),
        (true, _) => "no upvotes, stars or comments in this window".to_owned(),
    }
}

fn short_authors(authors: &[String]) -> String {
    match authors.len() {
        0 => "Unknown authors".to_owned(),
        n if n <= CARD_AUTHORS => authors.join(", "),
        n => format!(
            "{}, and {} more",
            authors[..CARD_AUTHORS].join(", "),
            n - CARD_AUTHORS
        ),
    }
}

/// A link to another page of a list.
#[derive(Debug, Clone)]
pub struct Pager {
    /// Previous page href.
    pub previous: Option<String>,
    /// Next page href.
    pub next: Option<String>,
    /// "page 2 of 5".
    pub label: String,
}

impl Pager {
    /// The pager for page `page` of `total` items, `size` a page, with `href(n)` linking page n.
    pub fn new(page: u32, size: u32, total: u64, href: impl Fn(u32) -> String) -> Option<Pager> {
        let pages = u32::try_from(total.div_ceil(u64::from(size.max(1))))
            .unwrap_or(u32::MAX)
            .max(1);
        (pages > 1).then(|| Pager {
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            label: format!("page {page} of {pages}"),
        })
    }
}

/// `/` and `/?date=`.
#[derive(Debug, Template)]
#[template(path = "daily.html")]
pub struct DailyPage {
    /// The date shown, `YYYY-MM-DD`.
    pub date: String,
    /// The date in words.
    pub date_long: String,
    /// Papers listed that day.
    pub total: u64,
    /// The cards on this page.
    pub cards: Vec<CardView>,
    /// Earlier listing date href.
    pub previous_day: Option<(String, String)>,
    /// Later listing date href.
    pub next_day: Option<(String, String)>,
    /// Paging within the day.
    pub pager: Option<Pager>,
}

/// `/trending?window=&cat=&year=`: papers by trending score.
#[derive(Debug, Template)]
#[template(path = "trending.html")]
pub struct TrendingPage {
    /// "Trending this week in cs.CL".
    pub heading: String,
    /// The window tabs.
    pub tabs: Vec<TabView>,
    /// The window shown (`day`, `week`, `month`, `all`), for the filter form.
    pub window: &'static str,
    /// Category filter as asked.
    pub cat: String,
    /// Year filter as asked.
    pub year: String,
    /// Papers on the list.
    pub total: usize,
    /// When the scores were computed, `YYYY-MM-DD HH:MM UTC`.
    pub as_of: String,
    /// The cards on this page.
    pub cards: Vec<CardView>,
    /// Paging.
    pub pager: Option<Pager>,
    /// This list's query string (`?window=month&cat=cs.CL`, or empty), for the feed and
    /// download links.
    pub query: String,
}

impl TrendingPage {
    /// The page of `filter`'s list with these cards.
    pub fn new(
        filter: &TrendingFilter,
        list: &RankedList,
        cards: Vec<CardView>,
        pager: Option<Pager>,
    ) -> TrendingPage {
        let mut heading = format!("Trending {}", window_words(filter.window));
        if let Some(c) = &filter.category {
            heading.push_str(&format!(" in {c}"));
        }
        if let Some(year) = filter.year {
            heading.push_str(&format!(", papers of {year}"));
        }
        let tabs = [
            (Window::Day, "Today"),
            (Window::Week, "This week"),
            (Window::Month, "This month"),
            (Window::All, "All time"),
        ]
        .into_iter()
        .map(|(window, label)| TabView {
            label,
            href: TrendingPage::href(filter, window, 1),
            current: window == filter.window,
        })
        .collect();
        let as_of = list.as_of();
        TrendingPage {
            heading,
            tabs,
            window: filter.window.as_str(),
            cat: filter.category.clone().unwrap_or_default(),
            year: filter.year.map(|y| y.to_string()).unwrap_or_default(),
            total: list.len(),
            as_of: format!(
                "{} {:02}:{:02} UTC",
                format_date(as_of.date()),
                as_of.hour(),
                as_of.minute()
            ),
            cards,
            pager,
            query: TrendingPage::query(filter),
        }
    }

    /// The query string of `filter` (`?window=month&cat=cs.CL&year=2026`; the default
    /// window is left out, so the plain list is plain `/trending`).
    pub fn query(filter: &TrendingFilter) -> String {
        let mut parts = Vec::new();
        if filter.window != DEFAULT_WINDOW {
            parts.push(format!("window={}", filter.window.as_str()));
        }
        // Categories are letters, digits, dots and dashes: nothing to encode.
        if let Some(c) = &filter.category {
            parts.push(format!("cat={c}"));
        }
        if let Some(year) = filter.year {
            parts.push(format!("year={year}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Page `page` of `filter`'s list in `window`.
    pub fn href(filter: &TrendingFilter, window: Window, page: u32) -> String {
        let filter = TrendingFilter {
            window,
            ..filter.clone()
        };
        let query = TrendingPage::query(&filter);
        match (page, query.is_empty()) {
            (1, _) => format!("/trending{query}"),
            (_, true) => format!("/trending?page={page}"),
            (_, false) => format!("/trending{query}&page={page}"),
        }
    }
}

/// "this week", "of all time"…
pub fn window_words(window: Window) -> &'static str {
    match window {
        Window::Day => "today",
        Window::Week => "this week",
        Window::Month => "this month",
        Window::All => "of all time",
    }
}

/// A tab of a list page.
#[derive(Debug, Clone)]
pub struct TabView {
    /// Shown name.
    pub label: &'static str,
    /// Where it leads.
    pub href: String,
    /// The tab shown now.
    pub current: bool,
}

/// `/search`.
#[derive(Debug, Template, Default)]
#[template(path = "search.html")]
pub struct SearchPage {
    /// The query as typed.
    pub q: String,
    /// The mode choices.
    pub modes: Vec<ModeOption>,
    /// Newest first instead of relevance.
    pub sort_newest: bool,
    /// Category filter as typed.
    pub cat: String,
    /// Listed from (YYYY-MM-DD) as typed.
    pub from: String,
    /// Listed until as typed.
    pub until: String,
    /// A search ran (the form was not empty).
    pub searched: bool,
    /// Results in all.
    pub total: usize,
    /// This page's results.
    pub results: Vec<SearchCard>,
    /// Messages about the query.
    pub notes: Vec<String>,
    /// Why search by meaning is off, if it is.
    pub semantic_off: Option<String>,
    /// Paging.
    pub pager: Option<Pager>,
    /// This search's query string, for the download links.
    pub export_query: String,
}

impl SearchPage {
    /// The page with the form filled in as submitted.
    pub fn form(
        q: &Option<String>,
        cat: &Option<String>,
        from: &Option<String>,
        until: &Option<String>,
        sort: paperstand_search::Sort,
    ) -> SearchPage {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        SearchPage {
            q: text(q),
            cat: text(cat),
            from: text(from),
            until: text(until),
            sort_newest: sort == paperstand_search::Sort::Newest,
            ..SearchPage::default()
        }
    }

    /// Marks `mode` as chosen; semantic modes are disabled when `semantic` is false.
    pub fn set_mode(&mut self, mode: crate::search::Mode, semantic: bool) {
        use crate::search::Mode;
        self.modes = [
            (Mode::Hybrid, "Hybrid", "words and meaning"),
            (
                Mode::Keyword,
                "Keyword",
                "your words, with ti: au: cat: year: \"phrases\" -exclude",
            ),
            (Mode::Semantic, "Semantic", "closest in meaning"),
        ]
        .into_iter()
        .map(|(m, label, hint)| ModeOption {
            value: m.as_str(),
            label,
            hint,
            checked: m == mode,
            disabled: m != Mode::Keyword && !semantic,
        })
        .collect();
    }
}

/// One choice of search mode.
#[derive(Debug, Clone)]
pub struct ModeOption {
    /// `keyword`, `semantic`, `hybrid`.
    pub value: &'static str,
    /// Shown name.
    pub label: &'static str,
    /// What it does, in a few words.
    pub hint: &'static str,
    /// The current mode.
    pub checked: bool,
    /// Not available (no model).
    pub disabled: bool,
}

/// A search result.
#[derive(Debug, Clone)]
pub struct SearchCard {
    /// The paper's card.
    pub card: CardView,
    /// A piece of the abstract with the matches marked (escaped HTML), if any.
    pub snippet_html: Option<String>,
    /// Why it is listed (hybrid).
    pub why: Option<String>,
}

/// A similar paper on a paper page.
#[derive(Debug, Clone)]
pub struct SimilarView {
    /// `/papers/<id>`.
    pub href: String,
    /// Title as safe HTML.
    pub title_html: String,
    /// Authors, shortened.
    pub authors: String,
    /// Listing date.
    pub listed_on: String,
}

impl SimilarView {
    /// The entry for a paper.
    pub fn new(paper: &Paper) -> SimilarView {
        SimilarView {
            href: format!("/papers/{}", paper.id),
            title_html: markup::inline(&paper.title),
            authors: short_authors(&paper.authors),
            listed_on: format_date(paper.listed_on),
        }
    }
}

/// A version row on the paper page.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// "v2".
    pub label: String,
    /// Submission date.
    pub date: String,
    /// arXiv abs URL of that version.
    pub href: String,
}

/// The page behind an unsubscribe link: one button (the same POST a mail client's
/// one-click unsubscribe sends), or a note that the address is unsubscribed already.
#[derive(Debug, Template)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    /// `/u/TOKEN`.
    pub action: String,
    /// Unsubscribed (or paused) already.
    pub done: bool,
}

/// A page that says one thing: an error, or an empty state.
#[derive(Debug, Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    /// Headline.
    pub title: String,
    /// What it means and what to do.
    pub detail: String,
    /// Where to go next (label, href).
    pub links: Vec<(String, String)>,
}

impl MessagePage {
    /// The home page of an instance without papers.
    pub fn empty_instance() -> MessagePage {
        MessagePage {
            title: "No papers yet".to_owned(),
            detail: "This instance has no papers. Import some with `paperstand import FILE` \
                     (JSON Lines, see docs/formats.md), or start it without --no-demo on an empty \
                     data directory to get 2,000 demo papers."
                .to_owned(),
            links: Vec::new(),
        }
    }
}

/// `/papers/{id}`.
#[derive(Debug, Template)]
#[template(path = "paper.html")]
pub struct PaperPage {
    /// The absolute URL of this page.
    pub canonical: String,
    /// The card data (title, abstract, links…).
    pub card: CardView,
    /// Title as plain text for `<title>`.
    pub title_text: String,
    /// Every author.
    pub authors: Vec<String>,
    /// MSC/ACM classification codes, comma-separated.
    pub classes: Option<String>,
    /// Comment as plain text.
    pub comment: Option<String>,
    /// Journal reference.
    pub journal_ref: Option<String>,
    /// DOI and its resolver URL.
    pub doi: Option<(String, String)>,
    /// Versions, oldest first.
    pub versions: Vec<VersionView>,
    /// First submission date.
    pub submitted_on: Option<String>,
    /// Last listing date when it differs from the first.
    pub last_listed_on: Option<String>,
    /// arXiv abstract page.
    pub abs_url: String,
    /// arXiv PDF.
    pub pdf_url: String,
    /// The daily page of its listing date.
    pub daily_href: String,
    /// Papers close in meaning.
    pub similar: Vec<SimilarView>,
    /// Why there are no similar papers, when there are none.
    pub similar_note: Option<String>,
    /// Votes, comments, curation and code stars.
    pub community: CommunityView,
}

/// The community part of a paper page.
#[derive(Debug, Clone, Default)]
pub struct CommunityView {
    /// Hidden by a curator (only curators see the page).
    pub hidden: bool,
    /// Featured by a curator.
    pub featured: bool,
    /// Who submitted it and when.
    pub submitted_by: Option<(String, String)>,
    /// Comments, oldest first.
    pub comments: Vec<CommentView>,
    /// Comments not removed.
    pub comment_count: usize,
    /// A member is signed in (their CSRF token).
    pub csrf: Option<String>,
    /// The viewer curates.
    pub curator: bool,
    /// The paper's GitHub repositories with star counts.
    pub repos: Vec<RepoView>,
    /// A one-off notice ("Thank you for submitting").
    pub notice: Option<String>,
    /// Why it is trending: each term and the score.
    pub why: Option<WhyView>,
}

/// A comment as shown.
#[derive(Debug, Clone)]
pub struct CommentView {
    /// Row id (anchor `comment-N`).
    pub id: i64,
    /// Author's display name.
    pub author: String,
    /// Posted on.
    pub when: String,
    /// Edited since.
    pub edited: bool,
    /// The rendered Markdown (sanitised by the comment renderer).
    pub body_html: String,
    /// The Markdown, for the edit form (escaped by the template).
    pub body: String,
    /// Deleted or removed.
    pub removed: bool,
    /// Its author deleted their account (shown as "[deleted]").
    pub deleted: bool,
    /// The viewer wrote it.
    pub mine: bool,
}

/// A repository with its stars.
#[derive(Debug, Clone)]
pub struct RepoView {
    /// `owner/name`.
    pub name: String,
    /// `https://github.com/owner/name`.
    pub url: String,
    /// Stars, grouped (`12,345`), when known.
    pub stars: Option<String>,
    /// When the count was seen.
    pub observed_on: Option<String>,
}

/// "Why it is trending": the breakdown in words and numbers.
#[derive(Debug, Clone)]
pub struct WhyView {
    /// The window the breakdown is for.
    pub window: &'static str,
    /// Each term: label, weight, contribution in points.
    pub terms: Vec<(String, String, String)>,
    /// Points before decay.
    pub points: String,
    /// Hours counted for the decay.
    pub age_hours: String,
    /// The decay divisor.
    pub decay: String,
    /// The score.
    pub score: String,
}

impl WhyView {
    /// The breakdown of a paper's score in `window`.
    pub fn new(window: Window, breakdown: &Breakdown) -> WhyView {
        WhyView {
            window: window.as_str(),
            terms: breakdown
                .terms
                .iter()
                .map(|t| {
                    (
                        t.label(),
                        format!("{}", t.weight),
                        format!("{:.2}", t.contribution),
                    )
                })
                .collect(),
            points: format!("{:.2}", breakdown.points),
            age_hours: format!("{:.1}", breakdown.age_hours),
            decay: format!("{:.3}", breakdown.decay),
            score: format!("{:.2}", breakdown.score),
        }
    }
}

impl PaperPage {
    /// Builds the page of a paper with other services' links; `public_url` is the
    /// instance's base URL.
    pub fn new(paper: &Paper, external: &[ExternalLink], public_url: &str) -> PaperPage {
        let versions = paper
            .versions
            .iter()
            .map(|v| VersionView {
                label: format!("v{}", v.version),
                date: format_date(v.date),
                href: format!("https://arxiv.org/abs/{}v{}", paper.id.base(), v.version),
            })
            .collect();
        let listed = format_date(paper.listed_on);
        PaperPage {
            canonical: format!("{public_url}/papers/{}", paper.id),
            card: CardView::new(paper, external),
            title_text: paper.title.clone(),
            authors: paper.authors.clone(),
            classes: (!paper.classes.is_empty()).then(|| paper.classes.join(", ")),
            comment: paper.comment.clone(),
            journal_ref: paper.journal_ref.clone(),
            doi: paper
                .doi
                .as_ref()
                .map(|d| (d.clone(), format!("https://doi.org/{}", encode_path(d)))),
            versions,
            submitted_on: paper.submitted_on.map(format_date),
            last_listed_on: paper
                .last_listed_on
                .map(format_date)
                .filter(|d| *d != listed),
            abs_url: paper.id.abs_url(),
            pdf_url: paper.id.pdf_url(),
            daily_href: format!("/?date={listed}"),
            similar: Vec::new(),
            similar_note: None,
            community: CommunityView::default(),
        }
    }
}

/// Percent-encodes everything but unreserved characters and `/` (DOIs in URL paths).
pub(crate) fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_are_shortened_on_cards() {
        let names: Vec<String> = (1..=9).map(|n| format!("A{n}")).collect();
        assert_eq!(short_authors(&names), "A1, A2, A3, A4, A5, A6, and 3 more");
        assert_eq!(short_authors(&names[..2]), "A1, A2");
        assert_eq!(short_authors(&[]), "Unknown authors");
    }

    #[test]
    fn pager_links_neighbours() {
        let pager = Pager::new(2, 50, 120, |n| format!("?page={n}")).unwrap();
        assert_eq!(pager.previous.as_deref(), Some("?page=1"));
        assert_eq!(pager.next.as_deref(), Some("?page=3"));
        assert_eq!(pager.label, "page 2 of 3");
        assert!(Pager::new(1, 50, 50, |n| n.to_string()).is_none());
    }

    #[test]
    fn doi_urls_are_encoded() {
        assert_eq!(encode_path("10.1000/a b\"<x>"), "10.1000/a%20b%22%3Cx%3E");
    }
}
