//! Page handlers: extract, validate, one or two store calls, render. No SQL and no
//! ranking here: lists come in order from [`Ranking`](crate::ranking::Ranking).

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_core::Paper;
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::trending::Window;
use paperstand_core::{ArxivId, ArxivIdError};
use paperstand_store::{Page, Store};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::AppState;
use super::auth::Viewer;
use super::community::decorate_cards;
use super::error::AppError;
use super::exports::{self, ExportFormat};
use super::views::{
    CardView, DailyPage, MessagePage, Pager, PaperPage, SimilarView, TrendingPage, WhyView,
    short_why,
};
use crate::ranking::{TrendingFilter, papers_in_order};

/// Papers per page on the daily page.
const DAILY_PAGE_SIZE: u32 = 50;
/// Papers per page on the trending page.
const TRENDING_PAGE_SIZE: u32 = 30;
/// Highest page number accepted (deeper pages are a 404, not a slow query).
const MAX_PAGE: u32 = 10_000;

/// Query of the daily page.
#[derive(Debug, Deserialize)]
pub struct DailyQuery {
    date: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// Query of the trending page.
#[derive(Debug, Deserialize)]
pub struct TrendingQuery {
    window: Option<String>,
    cat: Option<String>,
    year: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

pub(super) fn html(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

pub(super) fn render(page: &impl Template) -> Result<Bytes, AppError> {
    Ok(Bytes::from(page.render().map_err(anyhow::Error::from)?))
}

pub(super) fn parse_page(text: Option<&str>) -> Result<u32, AppError> {
    match text {
        None | Some("") => Ok(1),
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!("page={t:?} is not a page number (1, 2, 3…)"))
            }),
    }
}

fn long_date(date: Date) -> String {
    format!(
        "{} {} {} {}",
        date.weekday(),
        date.day(),
        date.month(),
        date.year()
    )
}

/// `GET /` and `GET /?date=YYYY-MM-DD&page=N`: the papers of one listing date, in the
/// day's trending order. Visitors share cached pages; members get their own (their votes).
pub async fn show_daily(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<DailyQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let page_no = parse_page(query.page.as_deref())?;
    let date = match query.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => Some(parse_date(text).ok_or_else(|| {
            AppError::BadRequest(format!(
                "date={text:?} is not a date; use the form 2026-07-01"
            ))
        })?),
        None => None,
    };
    if let Some(format) = ExportFormat::from_query(query.format.as_deref())? {
        return export_day(state.store.as_ref(), date, format).await;
    }
    let store = state.store.as_ref();
    let render_page = || async {
        let Some(date) = date.or(store.latest_listing_date().await?) else {
            return render(&MessagePage::empty_instance());
        };
        render(&daily_page(&state, &viewer, date, page_no).await?)
    };
    if viewer.user.is_some() {
        return Ok(html(render_page().await?));
    }
    let key = format!(
        "daily/{}/{page_no}",
        date.map_or("latest".to_owned(), format_date)
    );
    Ok(html(
        state.cache.get_or_render(store, key, render_page).await?,
    ))
}

async fn daily_page(
    state: &AppState,
    viewer: &Viewer,
    date: Date,
    page_no: u32,
) -> Result<DailyPage, AppError> {
    let store = state.store.as_ref();
    let order = state
        .ranking
        .day(store, date, OffsetDateTime::now_utc())
        .await?;
    let total = order.len() as u64;
    let around = store.adjacent_listing_dates(date).await?;
    let day_link =
        |d: Option<Date>| d.map(|d| (format!("/?date={}", format_date(d)), long_date(d)));
    let offset = (page_no - 1) * DAILY_PAGE_SIZE;
    let entries = order.entries(offset as usize, DAILY_PAGE_SIZE as usize);
    if entries.is_empty() {
        let links = [day_link(around.previous), day_link(around.next)]
            .into_iter()
            .flatten();
        let detail = if total > 0 {
            format!("That day has {total} papers, fewer than page {page_no} would show.")
        } else {
            "arXiv announces on weekdays only, and this instance may not hold that day. Try a neighbouring day:".to_owned()
        };
        return Err(AppError::NotFound {
            title: format!("No papers listed on {}", long_date(date)),
            detail,
            links: links.map(|(href, label)| (label, href)).collect(),
        });
    }
    let ids: Vec<ArxivId> = entries.iter().map(|e| e.id.clone()).collect();
    let mut cards = cards(store, &papers_in_order(store, &ids).await?).await?;
    for (card, entry) in cards.iter_mut().zip(&entries) {
        card.featured = entry.featured;
    }
    decorate_cards(state, viewer, &mut cards).await?;
    let date_text = format_date(date);
    Ok(DailyPage {
        pager: Pager::new(page_no, DAILY_PAGE_SIZE, total, |n| {
            format!("/?date={date_text}&page={n}")
        }),
        date_long: long_date(date),
        date: date_text,
        total,
        cards,
        previous_day: day_link(around.previous),
        next_day: day_link(around.next),
    })
}

/// Query of the paper page.
#[derive(Debug, Deserialize)]
pub struct PaperQuery {
    submitted: Option<String>,
}

/// `GET /papers/{id}`: one paper. A versioned or aliased id redirects to the paper.
/// Visitors get the shared cached page; signed-in members a fresh one with their forms.
/// A hidden paper is gone for everyone but curators.
pub async fn show_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    raw: Result<Path<String>, PathRejection>,
    query: Result<Query<PaperQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(raw) = raw.map_err(|_| {
        AppError::not_found("Not an arXiv id", "Paper pages live at /papers/2503.11731.")
    })?;
    if let Some(bare) = raw.strip_suffix(".bib") {
        return paper_bibtex(state.store.as_ref(), bare).await;
    }
    let id: ArxivId = raw.parse().map_err(|e: ArxivIdError| {
        AppError::not_found(
            "Not an arXiv id",
            format!("{e}. Paper pages live at /papers/2503.11731."),
        )
    })?;
    if id.version().is_some() || id.to_string() != raw {
        return Ok(
            Redirect::permanent(&format!("/papers/{}", id.without_version())).into_response(),
        );
    }
    let just_submitted = query.ok().and_then(|q| q.0.submitted).is_some();
    let store = state.store.as_ref();
    if viewer.user.is_some() || just_submitted {
        return Ok(html(render(
            &paper_page(&state, &viewer, &id, just_submitted).await?,
        )?));
    }
    // Similar papers change when new vectors arrive, which the store's change sequence
    // does not count: the vector index's position is part of the cache key.
    let vectors_at = match &state.search {
        Some(search) => search.vectors_position(),
        None => 0,
    };
    let body = state
        .cache
        .get_or_render(store, format!("paper/{id}/{vectors_at}"), || async {
            render(&paper_page(&state, &viewer, &id, false).await?)
        })
        .await?;
    Ok(html(body))
}

async fn paper_page(
    state: &AppState,
    viewer: &Viewer,
    id: &ArxivId,
    just_submitted: bool,
) -> Result<PaperPage, AppError> {
    let store = state.store.as_ref();
    let Some(paper) = store.paper(id).await? else {
        return Err(unknown_paper(id));
    };
    let community = store.paper_community(id).await?;
    if community.hidden && !viewer.moderates() {
        return Err(AppError::NotFound {
            title: format!("Paper {id} is not shown here"),
            detail: "The curators of this site hid it. It is still on arXiv.".to_owned(),
            links: vec![
                (format!("{id} on arXiv"), id.abs_url()),
                ("Today's papers".to_owned(), "/".to_owned()),
            ],
        });
    }
    let external = store
        .external_links(std::slice::from_ref(&paper.id))
        .await?;
    let mut page = PaperPage::new(&paper, &external, &state.public_url);
    add_similar(&mut page, state, &paper).await?;
    super::community::fill_paper_page(state, viewer, &mut page, &community).await?;
    page.community.why = trending_why(state, &paper.id).await?;
    if just_submitted && community.submission.is_some() {
        page.community.notice =
            Some("Thank you: the paper is submitted and credited to you.".to_owned());
    }
    Ok(page)
}

/// Papers listed under "Similar papers".
const SIMILAR: usize = 10;

async fn add_similar(
    page: &mut PaperPage,
    state: &AppState,
    paper: &Paper,
) -> Result<(), AppError> {
    let Some(search) = &state.search else {
        return Ok(());
    };
    if let Some(reason) = search.semantic_status().public_reason() {
        page.similar_note = Some(format!(
            "Similar papers need search by meaning, which is off on this server: {reason}."
        ));
        return Ok(());
    }
    // The list is an extra: a failure is logged and the page still shows.
    let similar = match search.similar(&paper.id, SIMILAR).await {
        Ok(similar) => similar,
        Err(e) => {
            tracing::warn!(paper = %paper.id, "similar papers failed: {e}");
            page.similar_note = Some("Similar papers are not available right now.".to_owned());
            return Ok(());
        }
    };
    if similar.is_empty() {
        page.similar_note = Some(
            "This paper has not been read for meaning yet: similar papers appear within minutes."
                .to_owned(),
        );
    }
    page.similar = similar.iter().map(|(p, _)| SimilarView::new(p)).collect();
    Ok(())
}

fn unknown_paper(id: &ArxivId) -> AppError {
    AppError::NotFound {
        title: format!("Paper {id} is not on this instance"),
        detail: "It may exist on arXiv, but nobody has imported or submitted it here yet."
            .to_owned(),
        links: vec![
            (format!("{id} on arXiv"), id.abs_url()),
            ("Today's papers".to_owned(), "/".to_owned()),
        ],
    }
}

/// `GET /?date=…&format=bib|json|csv`: the whole day as a file, in arXiv id order (a
/// file is for citing and importing; its order does not follow votes).
async fn export_day(
    store: &dyn Store,
    date: Option<Date>,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let Some(day) = date.or(store.latest_listing_date().await?) else {
        return exports::download(&[], format, "paperstand");
    };
    let papers = store
        .papers_listed_on(
            day,
            Page {
                limit: exports::MAX_EXPORT,
                offset: 0,
            },
        )
        .await?;
    exports::download(&papers, format, &format!("paperstand-{}", format_date(day)))
}

/// `GET /papers/{id}.bib`: one paper's BibTeX entry.
async fn paper_bibtex(store: &dyn Store, raw: &str) -> Result<Response, AppError> {
    let id: ArxivId = raw
        .parse()
        .map_err(|e: ArxivIdError| AppError::not_found("Not an arXiv id", e.to_string()))?;
    let paper = store.paper(&id).await?.ok_or_else(|| unknown_paper(&id))?;
    exports::download(
        std::slice::from_ref(&paper),
        ExportFormat::Bib,
        &id.base().replace('/', "-"),
    )
}

/// `GET /trending?window=day|today|week|month|all&cat=&year=&page=N`: papers by trending
/// score. Visitors share cached pages; members get their own (their votes).
pub async fn show_trending(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<TrendingQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let page_no = parse_page(query.page.as_deref())?;
    let filter = TrendingFilter::parse(
        query.window.as_deref(),
        query.cat.as_deref(),
        query.year.as_deref(),
    )
    .map_err(|e| AppError::BadRequest(e.detail))?;
    if let Some(format) = ExportFormat::from_query(query.format.as_deref())? {
        return export_trending(&state, &filter, format).await;
    }
    if viewer.user.is_some() {
        return Ok(html(render(
            &trending_page(&state, &viewer, &filter, page_no).await?,
        )?));
    }
    let key = format!("trending/{}/{page_no}", TrendingPage::query(&filter));
    let body = state
        .cache
        .get_or_render(state.store.as_ref(), key, || async {
            render(&trending_page(&state, &viewer, &filter, page_no).await?)
        })
        .await?;
    Ok(html(body))
}

async fn trending_page(
    state: &AppState,
    viewer: &Viewer,
    filter: &TrendingFilter,
    page_no: u32,
) -> Result<TrendingPage, AppError> {
    let store = state.store.as_ref();
    let list = state
        .ranking
        .trending(store, filter, OffsetDateTime::now_utc())
        .await?;
    let offset = (page_no - 1) * TRENDING_PAGE_SIZE;
    let entries = list.entries(offset as usize, TRENDING_PAGE_SIZE as usize);
    if entries.is_empty() && page_no > 1 {
        return Err(AppError::not_found(
            "No such page",
            "The list is shorter than that.",
        ));
    }
    let ids: Vec<ArxivId> = entries.iter().map(|e| e.id.clone()).collect();
    let mut cards = cards(store, &papers_in_order(store, &ids).await?).await?;
    for (card, entry) in cards.iter_mut().zip(&entries) {
        card.why = entry
            .breakdown
            .as_ref()
            .map(|b| short_why(b, filter.window));
        card.score = entry.breakdown.as_ref().map(|b| format!("{:.2}", b.score));
    }
    decorate_cards(state, viewer, &mut cards).await?;
    let pager = Pager::new(page_no, TRENDING_PAGE_SIZE, list.len() as u64, |n| {
        TrendingPage::href(filter, filter.window, n)
    });
    Ok(TrendingPage::new(filter, &list, cards, pager))
}

/// `GET /trending?…&format=bib|json|csv`: the list's best papers, in its order.
async fn export_trending(
    state: &AppState,
    filter: &TrendingFilter,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let store = state.store.as_ref();
    let list = state
        .ranking
        .trending(store, filter, OffsetDateTime::now_utc())
        .await?;
    let ids = list.ids(0, exports::MAX_EXPORT as usize);
    let papers = papers_in_order(store, &ids).await?;
    let name = format!("paperstand-trending-{}", filter.window.as_str());
    exports::download(&papers, format, &name)
}

/// The paper page's "why it is trending": its breakdown in the week window, if it is on
/// that list.
async fn trending_why(state: &AppState, id: &ArxivId) -> Result<Option<WhyView>, AppError> {
    let window = Window::Week;
    let breakdown = state
        .ranking
        .breakdown(state.store.as_ref(), id, window, OffsetDateTime::now_utc())
        .await?;
    Ok(breakdown.map(|b| WhyView::new(window, &b)))
}

/// Cards for a list, with other services' code links (one query for the whole list).
async fn cards(store: &dyn Store, papers: &[Paper]) -> Result<Vec<CardView>, AppError> {
    let ids: Vec<ArxivId> = papers.iter().map(|p| p.id.clone()).collect();
    let external = store.external_links(&ids).await?;
    Ok(papers.iter().map(|p| CardView::new(p, &external)).collect())
}

pub(super) fn bad_query(rejection: QueryRejection) -> AppError {
    AppError::BadRequest(format!(
        "The query string could not be read: {}",
        rejection.body_text()
    ))
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// Any other URL.
pub async fn fallback(uri: Uri) -> AppError {
    AppError::NotFound {
        title: "Nothing here".to_owned(),
        detail: format!("There is no page at {}.", uri.path()),
        links: vec![
            ("Today's papers".to_owned(), "/".to_owned()),
            ("Trending".to_owned(), "/trending".to_owned()),
        ],
    }
}

/// `GET /static/app.js`: the upvote script (every form works without it).
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.js"),
    )
        .into_response()
}

/// `GET /static/style.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
        .into_response()
}
