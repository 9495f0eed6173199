//! `GET /search`: the search page. Reads the form, asks [`Search`](crate::search::Search),
//! renders cards. Never cached: queries are free text.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use paperstand_core::record::parse_date;
use paperstand_search::Sort;
use serde::Deserialize;

use super::AppState;
use super::auth::Viewer;
use super::community::decorate_cards;
use super::error::AppError;
use super::exports::{self, ExportFormat};
use super::pages::{bad_query, html, parse_page, render};
use super::views::{CardView, Pager, SearchCard, SearchPage};
use crate::search::{Mode, Search, SearchError, SearchRequest, SearchResults};

/// Results per page.
const PAGE_SIZE: usize = 20;

/// The search form.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    q: Option<String>,
    mode: Option<String>,
    sort: Option<String>,
    cat: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// The form read into a request, or what is wrong with it.
fn read_form(form: &SearchForm, page: u32) -> Result<SearchRequest, AppError> {
    let mode = match form.mode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Mode::parse(text).ok_or_else(|| {
            AppError::BadRequest(format!(
                "mode={text:?} is not a search mode: use keyword, semantic or hybrid"
            ))
        })?),
    };
    let sort = match form.sort.as_deref().map(str::trim) {
        None | Some("" | "relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "sort={other:?} is not an order: use relevance or newest"
            )));
        }
    };
    let date = |name: &str, value: &Option<String>| match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(text).map(Some).ok_or_else(|| {
            AppError::BadRequest(format!("{name}={text:?} is not a date: use YYYY-MM-DD"))
        }),
    };
    let categories = form
        .cat
        .as_deref()
        .unwrap_or("")
        .split([',', ' '])
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let offset = (page as usize - 1) * PAGE_SIZE;
    Ok(SearchRequest {
        query: form.q.clone().unwrap_or_default(),
        mode,
        sort,
        categories,
        from: date("from", &form.from)?,
        until: date("until", &form.until)?,
        offset,
        limit: PAGE_SIZE,
        snippets: true,
    })
}

/// `GET /search?q=…&mode=…&sort=…&cat=…&from=…&until=…&page=N`.
pub async fn show_search(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Query<SearchForm>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(form) = form.map_err(bad_query)?;
    let page_no = parse_page(form.page.as_deref())?;
    let mut request = read_form(&form, page_no)?;
    let mut page = SearchPage::form(&form.q, &form.cat, &form.from, &form.until, request.sort);
    let Some(search) = state.search.as_ref() else {
        page.notes
            .push("Search is not available on this server right now.".to_owned());
        return Ok(html(render(&page)?));
    };
    page.semantic_off = search.semantic_status().public_reason().map(str::to_owned);
    let mode = request.mode.unwrap_or_else(|| search.default_mode());
    page.set_mode(mode, page.semantic_off.is_none());
    if let Some(format) = ExportFormat::from_query(form.format.as_deref())? {
        return export(search, request, format).await;
    }
    if request.query.trim().is_empty() {
        return Ok(html(render(&page)?));
    }
    let results = match search.search(&request).await {
        Err(SearchError::SemanticOff(_)) => {
            page.notes
                .push("Search by meaning is off, so these are keyword results.".to_owned());
            page.set_mode(Mode::Keyword, false);
            request.mode = Some(Mode::Keyword);
            search.search(&request).await
        }
        other => other,
    }
    .map_err(|e| AppError::Internal(e.into()))?;
    fill(&mut page, &state, &viewer, results, &form, page_no).await?;
    Ok(html(render(&page)?))
}

/// The whole result list (up to the export limit) as a file.
async fn export(
    search: &Search,
    mut request: SearchRequest,
    format: ExportFormat,
) -> Result<Response, AppError> {
    request.offset = 0;
    request.limit = exports::MAX_EXPORT as usize;
    request.snippets = false;
    let results = search.search(&request).await?;
    let papers: Vec<_> = results.hits.into_iter().map(|h| h.paper).collect();
    exports::download(&papers, format, "paperstand-search")
}

async fn fill(
    page: &mut SearchPage,
    state: &AppState,
    viewer: &Viewer,
    results: SearchResults,
    form: &SearchForm,
    page_no: u32,
) -> Result<(), AppError> {
    page.searched = true;
    page.export_query = export_query(form, results.mode);
    page.notes.extend(results.notes);
    page.total = results.total;
    let ids: Vec<_> = results.hits.iter().map(|h| h.paper.id.clone()).collect();
    let external = state.store.external_links(&ids).await?;
    let mut cards: Vec<CardView> = results
        .hits
        .iter()
        .map(|hit| CardView::new(&hit.paper, &external))
        .collect();
    decorate_cards(state, viewer, &mut cards).await?;
    page.results = results
        .hits
        .iter()
        .zip(cards)
        .map(|(hit, card)| SearchCard {
            card,
            snippet_html: hit.snippet_html.clone(),
            why: why(hit.keyword_rank, hit.semantic_rank),
        })
        .collect();
    let query = page.export_query.clone();
    // Pages past the deepest reachable result would be empty.
    let reachable = results.total.min(paperstand_search::text::MAX_WINDOW);
    page.pager = Pager::new(page_no, PAGE_SIZE as u32, reachable as u64, |n| {
        format!("/search?{query}&page={n}")
    });
    Ok(())
}

/// The query string of this search, for the download links.
fn export_query(form: &SearchForm, mode: Mode) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", form.q.as_deref().unwrap_or(""));
    url.append_pair("mode", mode.as_str());
    for (key, value) in [
        ("sort", &form.sort),
        ("cat", &form.cat),
        ("from", &form.from),
        ("until", &form.until),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            url.append_pair(key, value);
        }
    }
    url.finish()
}

/// "Matches your words (#3) and is close in meaning (#7)" for hybrid results.
fn why(keyword: Option<usize>, semantic: Option<usize>) -> Option<String> {
    match (keyword, semantic) {
        (Some(k), Some(s)) => Some(format!(
            "matches your words (#{k}) and is close in meaning (#{s})"
        )),
        (Some(k), None) => Some(format!("matches your words (#{k})")),
        (None, Some(s)) => Some(format!("close in meaning (#{s})")),
        (None, None) => None,
    }
}
