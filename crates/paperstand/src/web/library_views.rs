//! The library's pages and the view models they render: `/library` (saved papers with
//! tags, notes and read marks), a public tag, and an import's progress. Notes are
//! Markdown rendered by the comment renderer (`comment_markdown`), so no HTML a member
//! writes reaches a page; tag names are escaped like any text.

use askama::Template;
use paperstand_core::Paper;
use paperstand_core::record::format_date;
use paperstand_store::{SavedPaper, Tag};

use super::comment_markdown::render_comment;
use super::views::{CardView, Pager};
use crate::library::ImportProgress;

/// One saved paper on `/library`.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The paper's id.
    pub id: String,
    /// Its card; `None` when the paper is not on this instance (imported by id).
    pub card: Option<CardView>,
    /// Tag names.
    pub tags: Vec<TagChip>,
    /// The note as written (for the edit box).
    pub note: String,
    /// The note rendered (safe HTML from the comment renderer).
    pub note_html: String,
    /// Marked read.
    pub read: bool,
    /// The day it was saved.
    pub saved_on: String,
}

/// A tag on a saved paper, with what its remove button needs.
#[derive(Debug, Clone)]
pub struct TagChip {
    /// Tag row id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

impl ItemView {
    /// The view of a saved paper, with its card when the paper is stored.
    pub fn new(saved: &SavedPaper, card: Option<CardView>, tags: &[Tag]) -> ItemView {
        ItemView {
            id: saved.arxiv_id.to_string(),
            card,
            tags: saved
                .tags
                .iter()
                .filter_map(|name| tags.iter().find(|t| &t.name == name))
                .map(|t| TagChip {
                    id: t.id,
                    name: t.name.clone(),
                })
                .collect(),
            note_html: if saved.note.is_empty() {
                String::new()
            } else {
                render_comment(&saved.note)
            },
            note: saved.note.clone(),
            read: saved.read_at.is_some(),
            saved_on: format_date(saved.saved_at.date()),
        }
    }
}

/// A tag in the library's side list.
#[derive(Debug, Clone)]
pub struct TagView {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Public.
    pub public: bool,
    /// Papers with it.
    pub papers: u64,
    /// This tag is the current filter.
    pub current: bool,
}

/// `/library`.
#[derive(Debug, Template)]
#[template(path = "library.html")]
pub struct LibraryPage {
    /// The member's form token.
    pub csrf: String,
    /// The saved papers on this page.
    pub items: Vec<ItemView>,
    /// All the member's tags.
    pub tags: Vec<TagView>,
    /// The tag filter (`""`: none).
    pub tag: String,
    /// `read`, `unread` or `""`.
    pub read: String,
    /// Saved since (`YYYY-MM-DD` or `""`).
    pub since: String,
    /// Papers matching the filter.
    pub total: u64,
    /// Saved papers in all.
    pub all: u64,
    /// Pages.
    pub pager: Option<Pager>,
    /// The filter as a query string (`?tag=…`), for export links.
    pub query: String,
    /// A message after an action.
    pub notice: Option<String>,
}

impl LibraryPage {
    /// The tags as the side list shows them.
    pub fn tag_views(tags: &[Tag], current: Option<i64>) -> Vec<TagView> {
        tags.iter()
            .map(|t| TagView {
                id: t.id,
                name: t.name.clone(),
                public: t.public,
                papers: t.papers,
                current: Some(t.id) == current,
            })
            .collect()
    }

    /// The query string of a filter (`""` when there is none), `&`-joined.
    pub fn query_of(tag: &str, read: &str, since: &str) -> String {
        let parts: Vec<String> = [("tag", tag), ("read", read), ("since", since)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// `/tags/{id}`: a tag its member made public.
#[derive(Debug, Template)]
#[template(path = "public_tag.html")]
pub struct PublicTagPage {
    /// The tag's name.
    pub name: String,
    /// Whose list it is (display name).
    pub owner: String,
    /// The papers, most recently tagged first.
    pub cards: Vec<CardView>,
    /// Pages.
    pub pager: Option<Pager>,
}

/// `/library/import` and an import's progress.
#[derive(Debug, Template)]
#[template(path = "library_import.html")]
pub struct ImportPage {
    /// The member's form token.
    pub csrf: String,
    /// What went wrong with the last try.
    pub error: Option<String>,
    /// The text sent back into the box after an error (nothing is lost).
    pub text: String,
    /// A running or finished import.
    pub progress: Option<ImportProgress>,
}

impl ImportPage {
    /// Whether the page should reload itself (an import is still running).
    pub fn running(&self) -> bool {
        self.progress.as_ref().is_some_and(|p| !p.finished)
    }
}

/// Cards for stored papers, keyed by id, for items in any order.
pub fn cards_by_id(
    papers: &[Paper],
    cards: Vec<CardView>,
) -> std::collections::HashMap<String, CardView> {
    papers.iter().map(|p| p.id.to_string()).zip(cards).collect()
}
