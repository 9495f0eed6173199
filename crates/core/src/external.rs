//! What other services know about papers: code links from Papers with Code and Hugging
//! Face, and signals (upvotes, stars) with their source. Parsers of those services'
//! JSON live here; no I/O.

use serde::Deserialize;
use time::Date;

use crate::oai::RejectedRecord;
use crate::record::{PaperRecord, format_date};
use crate::{ArxivId, CodeLink, LinkSource, Paper, extract_code_links};

/// A code link that a service attached to a paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The paper (version-less).
    pub paper: ArxivId,
    /// The link; `source` says which service.
    pub link: CodeLink,
    /// Papers with Code's "official implementation" flag.
    pub official: Option<bool>,
    /// Papers with Code's framework (`pytorch`, `tf`…); `none` is dropped.
    pub framework: Option<String>,
}

/// What a signal counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalKind {
    /// Upvotes on a service (a count observed on a day).
    Upvotes,
    /// Stars of the paper's repository (a count observed on a day).
    Stars,
    /// Comments on a service.
    Comments,
}

impl SignalKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Upvotes => "upvotes",
            SignalKind::Stars => "stars",
            SignalKind::Comments => "comments",
        }
    }

    /// The kind named `text`, if any.
    pub fn from_name(text: &str) -> Option<SignalKind> {
        [SignalKind::Upvotes, SignalKind::Stars, SignalKind::Comments]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A dated observation about a paper that ranking can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// The paper.
    pub paper: ArxivId,
    /// What was counted.
    pub kind: SignalKind,
    /// Where (`huggingface`, `github`).
    pub source: String,
    /// The count.
    pub value: i64,
    /// The day it was observed.
    pub observed_on: Date,
}

/// The link a repository URL names, attributed to `source`.
fn link_of(url: &str, source: LinkSource) -> Option<CodeLink> {
    let mut link = extract_code_links(url, None).into_iter().next()?;
    link.source = source;
    Some(link)
}

/// One row of Papers with Code's `links-between-papers-and-code.json`.
#[derive(Debug, Deserialize)]
struct PwcRow {
    paper_arxiv_id: Option<String>,
    paper_url_abs: Option<String>,
    repo_url: Option<String>,
    is_official: Option<bool>,
    framework: Option<String>,
}

/// Parses the Papers with Code links dump (a JSON array of rows). Rows without an arXiv
/// id or without a recognisable repository URL are rejected with their reason.
pub fn parse_pwc_links(json: &[u8]) -> Result<(Vec<ExternalLink>, Vec<RejectedRecord>), String> {
    let rows: Vec<PwcRow> = serde_json::from_slice(json)
        .map_err(|e| format!("not a Papers with Code links file: {e}"))?;
    let mut links = Vec::with_capacity(rows.len());
    let mut rejected = Vec::new();
    for (n, row) in rows.into_iter().enumerate() {
        let label = || {
            row.repo_url
                .clone()
                .unwrap_or_else(|| format!("row {}", n + 1))
        };
        let id_text = row
            .paper_arxiv_id
            .as_deref()
            .or(row.paper_url_abs.as_deref())
            .filter(|t| !t.trim().is_empty());
        let Some(paper) = id_text.and_then(|t| t.parse::<ArxivId>().ok()) else {
            rejected.push(RejectedRecord {
                identifier: label(),
                reason: "no arXiv id".to_owned(),
            });
            continue;
        };
        let Some(link) = row
            .repo_url
            .as_deref()
            .and_then(|u| link_of(u, LinkSource::PapersWithCode))
        else {
            rejected.push(RejectedRecord {
                identifier: label(),
                reason: "the repository URL names no known code host".to_owned(),
            });
            continue;
        };
        let framework = row.framework.filter(|f| !f.is_empty() && f != "none");
        links.push(ExternalLink {
            paper: paper.without_version(),
            link,
            official: row.is_official,
            framework,
        });
    }
    Ok((links, rejected))
}

/// What a Hugging Face Papers response holds for Paperstand.
#[derive(Debug, Default)]
pub struct HfImport {
    /// The papers (listing date: the day Hugging Face listed them).
    pub papers: Vec<Paper>,
    /// `githubRepo` links.
    pub links: Vec<ExternalLink>,
    /// Upvotes, comments and stars as observed today.
    pub signals: Vec<Signal>,
    /// Items that could not be used.
    pub rejected: Vec<RejectedRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HfItem {
    paper: Option<HfPaper>,
    published_at: Option<String>,
    github_repo: Option<String>,
    github_stars: Option<i64>,
    num_comments: Option<i64>,
    #[serde(flatten)]
    inline: HfPaper,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HfPaper {
    id: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    authors: Vec<HfAuthor>,
    published_at: Option<String>,
    submitted_on_daily_at: Option<String>,
    upvotes: Option<i64>,
    github_repo: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HfAuthor {
    name: Option<String>,
}

/// Parses `GET /api/daily_papers` (an array of items) or `GET /api/papers/{id}` (one
/// paper object). `today` dates the signals.
pub fn parse_hf(json: &[u8], today: Date) -> Result<HfImport, String> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("not Hugging Face Papers JSON: {e}"))?;
    let items: Vec<serde_json::Value> =
        match value {
            serde_json::Value::Array(items) => items,
            object @ serde_json::Value::Object(_) => vec![object],
            _ => return Err(
                "not Hugging Face Papers JSON: expected an array of daily papers or a paper object"
                    .to_owned(),
            ),
        };
    let mut import = HfImport::default();
    for (n, item) in items.into_iter().enumerate() {
        match serde_json::from_value::<HfItem>(item) {
            Ok(item) => add_hf_item(item, today, &mut import),
            Err(e) => import.rejected.push(RejectedRecord {
                identifier: format!("item {}", n + 1),
                reason: e.to_string(),
            }),
        }
    }
    Ok(import)
}

fn add_hf_item(item: HfItem, today: Date, import: &mut HfImport) {
    // A daily-papers item nests the paper, and its own publishedAt is the day Hugging Face
    // listed it; a paper object (GET /api/papers/{id}) has the paper's fields at the top.
    let (paper, arxiv_published, hf_published) = match item.paper {
        Some(paper) => {
            let published = paper.published_at.clone();
            (paper, published, item.published_at)
        }
        None => (item.inline, item.published_at, None),
    };
    let label = paper
        .id
        .clone()
        .unwrap_or_else(|| "an item without id".to_owned());
    let listed = paper
        .submitted_on_daily_at
        .as_deref()
        .or(hf_published.as_deref())
        .or(arxiv_published.as_deref());
    let record = PaperRecord {
        id: paper.id.clone(),
        title: paper.title.clone(),
        abstract_text: paper.summary.clone(),
        authors: Some(
            paper
                .authors
                .iter()
                .filter_map(|a| a.name.clone())
                .collect(),
        ),
        first_listed: listed.map(|d| d.chars().take(10).collect()),
        submitted: arxiv_published
            .as_deref()
            .map(|d| d.chars().take(10).collect()),
        ..PaperRecord::default()
    };
    let built = match record.into_paper(today) {
        Ok(built) => built,
        Err(e) => {
            return import.rejected.push(RejectedRecord {
                identifier: label,
                reason: e.to_string(),
            });
        }
    };
    let id = built.id.clone();
    let signal = |kind, value| Signal {
        paper: id.clone(),
        kind,
        source: "huggingface".to_owned(),
        value,
        observed_on: today,
    };
    import
        .signals
        .extend(paper.upvotes.map(|v| signal(SignalKind::Upvotes, v)));
    import
        .signals
        .extend(item.num_comments.map(|v| signal(SignalKind::Comments, v)));
    import
        .signals
        .extend(item.github_stars.map(|v| signal(SignalKind::Stars, v)));
    let repo = item.github_repo.or(paper.github_repo);
    if let Some(link) = repo
        .as_deref()
        .and_then(|u| link_of(u, LinkSource::HuggingFace))
    {
        import.links.push(ExternalLink {
            paper: id,
            link,
            official: None,
            framework: None,
        });
    }
    import.papers.push(built);
}

/// `YYYY-MM-DD` of a signal's day (for storage).
pub fn signal_day(signal: &Signal) -> String {
    format_date(signal.observed_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn pwc_rows_become_links_and_bad_rows_say_why() {
        let json = br#"[
          {"paper_arxiv_id": "1810.10559", "repo_url": "https://github.com/paul-buerkner/psis-non-factorized-paper", "is_official": true, "framework": "none"},
          {"paper_arxiv_id": null, "paper_url_abs": "https://arxiv.org/abs/1805.07499v1", "repo_url": "https://github.com/roatienza/densemapnet", "is_official": false, "framework": "tf"},
          {"paper_arxiv_id": null, "paper_url_abs": null, "repo_url": "https://github.com/a/b"},
          {"paper_arxiv_id": "2005.03776", "repo_url": "https://example.org/code"}
        ]"#;
        let (links, rejected) = parse_pwc_links(json).unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(
            links[0].link.repo,
            "paul-buerkner/psis-non-factorized-paper"
        );
        assert_eq!(
            (links[0].official, links[0].framework.as_deref()),
            (Some(true), None)
        );
        assert_eq!(
            (
                links[1].paper.to_string().as_str(),
                links[1].framework.as_deref()
            ),
            ("1805.07499", Some("tf"))
        );
        assert_eq!(links[1].link.source, LinkSource::PapersWithCode);
        assert_eq!(rejected.len(), 2);
        assert!(parse_pwc_links(b"{\"not\": \"an array\"}").is_err());
    }

    #[test]
    fn hf_daily_items_give_papers_links_and_signals() {
        let json = br#"[{"paper": {"id": "2407.13168", "title": "SciCode", "summary": "A benchmark.", "authors": [{"name": "Minyang Tian"}], "publishedAt": "2024-07-18T05:15:24.000Z", "submittedOnDailyAt": "2024-07-22T00:00:00.000Z", "upvotes": 17},
            "githubRepo": "https://github.com/scicode-bench/SciCode", "githubStars": 120, "numComments": 2, "publishedAt": "2024-07-18T05:15:24.000Z"},
            {"paper": {"title": "no id"}}]"#;
        let import = parse_hf(json, date!(2026 - 11 - 27)).unwrap();
        assert_eq!(import.papers.len(), 1);
        assert_eq!(import.papers[0].listed_on, date!(2024 - 07 - 22));
        assert_eq!(import.links[0].link.repo, "scicode-bench/SciCode");
        let kinds: Vec<_> = import.signals.iter().map(|s| (s.kind, s.value)).collect();
        assert_eq!(
            kinds,
            [
                (SignalKind::Upvotes, 17),
                (SignalKind::Comments, 2),
                (SignalKind::Stars, 120)
            ]
        );
        assert_eq!(import.rejected.len(), 1);
    }
}
