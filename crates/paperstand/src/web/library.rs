//! A member's library (issue #8): save from any card, `/library` with filters by tag,
//! read state and save date, per-paper actions (note, read, tags, not interested), bulk
//! actions, tags (rename, delete, make public), exports, imports, and public tag pages.
//! Every change is a POST behind the CSRF guard; libraries are private.

use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_core::ArxivId;
use paperstand_core::record::parse_date;
use paperstand_store::{LibraryFilter, Page, SavedPaper, Store, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::AppState;
use super::auth::Viewer;
use super::community::{actor, back, decorate_cards, parse_id, wants_json};
use super::error::AppError;
use super::exports::{self, ExportFormat};
use super::library_views::{ItemView, LibraryPage, PublicTagPage, cards_by_id};
use super::pages::{html, parse_page, render};
use super::views::{CardView, Pager};
use crate::library::{note_text, tag_name};
use crate::ranking::papers_in_order;

/// Saved papers per page of `/library` and of a public tag.
const LIBRARY_PAGE_SIZE: u32 = 50;
/// Most papers one export holds.
const MAX_LIBRARY_EXPORT: u32 = 100_000;

/// The save form: `saved=1` saves, `saved=0` removes (a double click counts once).
#[derive(Debug, Deserialize)]
pub struct SaveForm {
    saved: String,
}

/// What the save script gets back.
#[derive(Debug, Serialize)]
pub struct SaveState {
    /// Whether the paper is in the library now.
    pub saved: bool,
}

/// `POST /save/{id}`: saves a paper to (or removes it from) the member's library.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SaveForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let href = format!("/papers/{id}");
    let user = actor(&viewer, &href)?;
    let saved = match form.saved.as_str() {
        "1" => true,
        "0" => false,
        other => {
            return Err(AppError::BadRequest(format!(
                "saved={:?}: send saved=1 to save or saved=0 to remove",
                other.chars().take(20).collect::<String>()
            )));
        }
    };
    if saved {
        known_paper(state.store.as_ref(), &id).await?;
        let now = OffsetDateTime::now_utc();
        state.store.save_papers(user.id, &[id], now).await?;
    } else {
        state.store.unsave_papers(user.id, &[id]).await?;
    }
    state.recs.retrain_soon(state.store.clone(), user.id);
    if wants_json(&headers) {
        return Ok(Json(SaveState { saved }).into_response());
    }
    Ok(back(&headers, &state.public_url, &href))
}

async fn known_paper(store: &dyn Store, id: &ArxivId) -> Result<(), AppError> {
    match store.paper(id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::not_found(
            format!("No paper {id} here"),
            "Only papers listed on this site can be saved; import others by id on /library/import.",
        )),
    }
}

/// Query of `/library`.
#[derive(Debug, Default, Deserialize)]
pub struct LibraryQuery {
    tag: Option<String>,
    read: Option<String>,
    since: Option<String>,
    page: Option<String>,
    format: Option<String>,
    notice: Option<String>,
}

/// The filter of a `/library` query, or what is wrong with it.
fn library_filter(query: &LibraryQuery) -> Result<LibraryFilter, AppError> {
    let tag = match query.tag.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(t.parse::<i64>().map_err(|_| {
            AppError::BadRequest(format!(
                "tag={:?} is not a tag number",
                t.chars().take(20).collect::<String>()
            ))
        })?),
    };
    let read = match query.read.as_deref() {
        None | Some("") => None,
        Some("read") => Some(true),
        Some("unread") => Some(false),
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "read={:?}: use read=read or read=unread",
                other.chars().take(20).collect::<String>()
            )));
        }
    };
    let saved_since = match query.since.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(
            parse_date(text)
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "since={:?} is not a date such as 2026-07-01",
                        text.chars().take(20).collect::<String>()
                    ))
                })?
                .midnight()
                .assume_utc(),
        ),
    };
    Ok(LibraryFilter {
        tag,
        read,
        saved_since,
    })
}

/// `GET /library`: the member's saved papers, filtered, or an export of them
/// (`format=bib|json|csv`).
pub async fn show_library(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    let user = viewer.member("/library")?;
    let filter = library_filter(&query)?;
    let store = state.store.as_ref();
    if let Some(format) = ExportFormat::from_query(query.format.as_deref())? {
        let saved = store
            .saved_papers(
                user.id,
                &filter,
                Page {
                    limit: MAX_LIBRARY_EXPORT,
                    offset: 0,
                },
            )
            .await?;
        let ids: Vec<ArxivId> = saved.iter().map(|s| s.arxiv_id.clone()).collect();
        return exports::download(
            &papers_in_order(store, &ids).await?,
            format,
            "paperstand-library",
        );
    }
    let page_no = parse_page(query.page.as_deref())?;
    let page = Page::numbered(page_no, LIBRARY_PAGE_SIZE);
    let saved = store.saved_papers(user.id, &filter, page).await?;
    let tags = store.tags(user.id).await?;
    let items = item_views(&state, &viewer, &saved, &tags).await?;
    let total = store.count_saved(user.id, &filter).await?;
    let (tag, read, since) = (
        query.tag.clone().unwrap_or_default(),
        query.read.clone().unwrap_or_default(),
        query.since.clone().unwrap_or_default(),
    );
    let filter_query = LibraryPage::query_of(&tag, &read, &since);
    let page = LibraryPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        items,
        tags: LibraryPage::tag_views(&tags, filter.tag),
        pager: Pager::new(page_no, LIBRARY_PAGE_SIZE, total, |n| {
            let sep = if filter_query.is_empty() { "?" } else { "&" };
            format!("/library{filter_query}{sep}page={n}")
        }),
        all: store
            .count_saved(user.id, &LibraryFilter::default())
            .await?,
        total,
        query: filter_query.clone(),
        tag,
        read,
        since,
        notice: query.notice.filter(|n| n.len() <= 200),
    };
    Ok(html(render(&page)?))
}

/// The views of saved papers: cards (with the member's votes) for stored papers.
async fn item_views(
    state: &AppState,
    viewer: &Viewer,
    saved: &[SavedPaper],
    tags: &[paperstand_store::Tag],
) -> Result<Vec<ItemView>, AppError> {
    let ids: Vec<ArxivId> = saved.iter().map(|s| s.arxiv_id.clone()).collect();
    let store = state.store.as_ref();
    let papers = papers_in_order(store, &ids).await?;
    let external = store.external_links(&ids).await?;
    let mut cards: Vec<CardView> = papers.iter().map(|p| CardView::new(p, &external)).collect();
    decorate_cards(state, viewer, &mut cards).await?;
    let mut by_id = cards_by_id(&papers, cards);
    Ok(saved
        .iter()
        .map(|s| ItemView::new(s, by_id.remove(&s.arxiv_id.to_string()), tags))
        .collect())
}

/// A per-paper action form.
#[derive(Debug, Deserialize)]
pub struct PaperActionForm {
    action: String,
    note: Option<String>,
    tag: Option<String>,
    tag_id: Option<i64>,
}

/// `POST /library/paper/{id}`: `note`, `read`, `unread`, `tag` (a name), `untag` (a tag
/// id), `unsave`, `not_interested`, `interested`; then back to the page it came from.
pub async fn paper_action(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PaperActionForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let user = actor(&viewer, "/library")?;
    apply(
        state.store.as_ref(),
        user,
        std::slice::from_ref(&id),
        &form.action,
        &form,
    )
    .await?;
    state.recs.retrain_soon(state.store.clone(), user.id);
    Ok(back(&headers, &state.public_url, "/library"))
}

/// `POST /library/bulk`: one action on every checked paper (`id` repeated).
pub async fn bulk_action(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/library")?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let ids = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| parse_id(v))
        .collect::<Result<Vec<ArxivId>, AppError>>()?;
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "Tick the papers to act on first; nothing was changed.".to_owned(),
        ));
    }
    let form = PaperActionForm {
        action: field("action").unwrap_or_default(),
        note: None,
        tag: field("tag"),
        tag_id: field("tag_id").and_then(|t| t.parse().ok()),
    };
    apply(state.store.as_ref(), user, &ids, &form.action, &form).await?;
    state.recs.retrain_soon(state.store.clone(), user.id);
    Ok(back(&headers, &state.public_url, "/library"))
}

/// Does one library action on `ids`.
async fn apply(
    store: &dyn Store,
    user: &User,
    ids: &[ArxivId],
    action: &str,
    form: &PaperActionForm,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    match action {
        "note" => {
            let note = note_text(form.note.as_deref().unwrap_or_default())
                .map_err(AppError::BadRequest)?;
            for id in ids {
                store
                    .save_papers(user.id, std::slice::from_ref(id), now)
                    .await?;
                store.set_note(user.id, id, &note, now).await?;
            }
        }
        "read" | "unread" => {
            store.set_read(user.id, ids, action == "read", now).await?;
        }
        "tag" => {
            let name =
                tag_name(form.tag.as_deref().unwrap_or_default()).map_err(AppError::BadRequest)?;
            store.tag_papers(user.id, ids, &name, now).await?;
        }
        "untag" => {
            let tag = form
                .tag_id
                .ok_or_else(|| AppError::BadRequest("Which tag? Send tag_id.".to_owned()))?;
            store.untag_papers(user.id, tag, ids).await?;
        }
        "unsave" => {
            store.unsave_papers(user.id, ids).await?;
        }
        "not_interested" | "interested" => {
            for id in ids {
                store
                    .set_not_interested(user.id, id, action == "not_interested", now)
                    .await?;
            }
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "action={:?} is not a library action (note, read, unread, tag, untag, unsave, not_interested)",
                other.chars().take(30).collect::<String>()
            )));
        }
    }
    Ok(())
}

/// A tag form.
#[derive(Debug, Deserialize)]
pub struct TagForm {
    action: String,
    name: Option<String>,
}

/// `POST /library/tags/{tag}`: `rename` (to `name`), `delete`, `public`, `private`.
pub async fn tag_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(tag): Path<i64>,
    Form(form): Form<TagForm>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/library")?;
    let store = state.store.as_ref();
    let now = OffsetDateTime::now_utc();
    let found = match form.action.as_str() {
        "rename" => {
            let name =
                tag_name(form.name.as_deref().unwrap_or_default()).map_err(AppError::BadRequest)?;
            match store.rename_tag(user.id, tag, &name, now).await {
                Err(paperstand_store::StoreError::Conflict { .. }) => {
                    return Err(AppError::BadRequest(format!(
                        "You have a tag named {name:?} already; delete one of them or choose another name."
                    )));
                }
                other => other?,
            }
        }
        "delete" => store.delete_tag(user.id, tag).await?,
        "public" | "private" => {
            store
                .set_tag_public(user.id, tag, form.action == "public", now)
                .await?
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "action={:?} is not a tag action (rename, delete, public, private)",
                other.chars().take(30).collect::<String>()
            )));
        }
    };
    if !found {
        return Err(AppError::not_found(
            "No such tag",
            "It may have been deleted.",
        ));
    }
    Ok(Redirect::to("/library").into_response())
}

/// `GET /tags/{id}`: a public tag's papers. A private or missing tag is the same 404.
pub async fn show_public_tag(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(tag): Path<i64>,
    Query(query): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    let store = state.store.as_ref();
    let missing = || {
        AppError::not_found(
            "No such public tag",
            "Its owner may have made it private or deleted it.",
        )
    };
    let tag = store
        .tag(tag)
        .await?
        .filter(|t| t.public)
        .ok_or_else(missing)?;
    let owner = store.user(tag.user_id).await?.ok_or_else(missing)?;
    let page_no = parse_page(query.page.as_deref())?;
    let filter = LibraryFilter {
        tag: Some(tag.id),
        ..LibraryFilter::default()
    };
    let saved = store
        .saved_papers(
            tag.user_id,
            &filter,
            Page::numbered(page_no, LIBRARY_PAGE_SIZE),
        )
        .await?;
    let ids: Vec<ArxivId> = saved.iter().map(|s| s.arxiv_id.clone()).collect();
    let papers = papers_in_order(store, &ids).await?;
    let external = store.external_links(&ids).await?;
    let mut cards: Vec<CardView> = papers.iter().map(|p| CardView::new(p, &external)).collect();
    decorate_cards(&state, &viewer, &mut cards).await?;
    let id = tag.id;
    let page = PublicTagPage {
        pager: Pager::new(page_no, LIBRARY_PAGE_SIZE, tag.papers, |n| {
            format!("/tags/{id}?page={n}")
        }),
        name: tag.name,
        owner: owner.display_name,
        cards,
    };
    Ok(html(render(&page)?))
}
