//! The native API, `/api/v1` (read-only so far): papers by id, lists by day and
//! category, the trending list, and search, with cursor paging. Its OpenAPI document
//! is generated from these handlers and types and served at `/api/openapi.json`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::trending::{Breakdown, TermKind, Window};
use paperstand_core::{ArxivId, Paper};
use paperstand_store::Page;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiError, accepts_json};
use crate::ranking::{TrendingFilter, papers_in_order};
use crate::search::{Mode, find_papers};
use crate::web::AppState;

/// Items a page holds when `limit` is not given.
const DEFAULT_LIMIT: u32 = 20;
/// Largest `limit`.
const MAX_LIMIT: u32 = 100;
/// Most papers of one day considered when filtering a day by category.
const DAY_LIMIT: u32 = 20_000;
/// Deepest offset a cursor may reach (five hex digits).
const MAX_OFFSET: u32 = 0xF_FFFF;

/// One version of a paper.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionV1 {
    /// 1 for the first submission.
    version: u32,
    /// Submission day, YYYY-MM-DD.
    date: String,
}

/// A link to code, with where it was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeLinkV1 {
    /// Canonical https URL of the repository.
    url: String,
    /// `owner/repo` (or the host's key).
    repo: String,
    /// `abstract`, `comment`, `pwc` or `huggingface`.
    source: String,
}

/// A paper.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperV1 {
    /// arXiv id without version.
    id: String,
    title: String,
    #[serde(rename = "abstract")]
    abstract_text: String,
    authors: Vec<String>,
    /// arXiv categories, primary first.
    categories: Vec<String>,
    /// MSC/ACM classification codes or text.
    classes: Vec<String>,
    comment: Option<String>,
    journal_ref: Option<String>,
    doi: Option<String>,
    versions: Vec<VersionV1>,
    /// Day v1 was submitted, YYYY-MM-DD.
    submitted_on: Option<String>,
    /// The listing day, YYYY-MM-DD.
    listed_on: String,
    last_listed_on: Option<String>,
    withdrawn: bool,
    code_links: Vec<CodeLinkV1>,
    /// The paper's page on this instance.
    page_url: String,
    abs_url: String,
    pdf_url: String,
}

/// A page of papers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperListV1 {
    items: Vec<PaperV1>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// The error body of every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorsV1 {
    errors: Vec<ErrorV1>,
}

/// One problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorV1 {
    detail: String,
    /// The parameter at fault, if one is.
    field: Option<String>,
}

/// Filters of `/api/v1/papers`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PapersQueryV1 {
    /// Only papers listed on this day (YYYY-MM-DD).
    #[param(format = Date)]
    date: Option<String>,
    /// Only papers in this category (cross-lists included), e.g. cs.CL.
    #[param(pattern = "^[A-Za-z0-9.-]{0,32}$")]
    category: Option<String>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = "^(o[0-9a-f]{1,5})?$")]
    cursor: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Query of `/api/v1/daily`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyQueryV1 {
    /// The listing day (YYYY-MM-DD); the latest one when absent.
    #[param(format = Date)]
    date: Option<String>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = "^(o[0-9a-f]{1,5})?$")]
    cursor: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Query of `/api/v1/trending`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendingQueryV1 {
    /// Which signals count: `day` (also `today`), `week` (the default), `month` (each
    /// ending today, UTC) or `all`.
    #[param(pattern = "^(day|today|week|month|all)?$")]
    window: Option<String>,
    /// Only this category, or a whole archive such as `cs` (cross-lists included).
    #[param(pattern = "^[A-Za-z0-9.-]{0,32}$")]
    category: Option<String>,
    /// Only papers first submitted in this year (v1, else the listing).
    #[param(pattern = "^([1-9][0-9]{3})?$")]
    year: Option<String>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = "^(o[0-9a-f]{1,5})?$")]
    cursor: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// A trending list: papers with their scores, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendingListV1 {
    items: Vec<TrendingItemV1>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
    /// How the list is ordered: `trending` (docs/ranking.md).
    ranking: String,
    /// The window the scores count: `day`, `week`, `month` or `all`.
    window: String,
    /// When the scores were computed (RFC 3339, UTC); lists are reused for up to a minute.
    as_of: String,
    /// Papers on the whole list.
    total: u64,
}

/// A paper on the trending list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendingItemV1 {
    paper: PaperV1,
    /// The trending score (`breakdown.score`).
    score: f64,
    /// Why it has that score.
    breakdown: BreakdownV1,
}

/// Why a paper has its trending score: `score = points / decay`, with `points` the
/// sum of the terms' contributions.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownV1 {
    /// The window the counts are in: `day`, `week`, `month` or `all`.
    window: String,
    /// Upvotes, stars, comments and submitted, always all four, in that order.
    terms: Vec<TermV1>,
    /// The sum of the contributions.
    points: f64,
    /// Hours the paper has been listed within the window.
    age_hours: f64,
    /// `(1 + age_hours / window hours)^gravity`, at least 1.
    decay: f64,
    /// `points / decay`.
    score: f64,
}

/// One signal of the formula.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermV1 {
    /// Which signal.
    kind: TermKindV1,
    /// The signal in words: `12 upvotes`, `1,500 stars gained`.
    label: String,
    /// The raw count in the window (0 or 1 for `submitted`).
    count: u32,
    /// The count after damping (differs from `count` for stars only).
    value: f64,
    /// Points per unit of `value` (`[trending]` in the config).
    weight: f64,
    /// `weight · value`: the points this term adds before decay.
    contribution: f64,
}

/// A signal of the trending formula.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TermKindV1 {
    /// Upvotes on this instance.
    Upvotes,
    /// Stars the paper's GitHub repository gained.
    Stars,
    /// Comments on this instance.
    Comments,
    /// A member submitted the paper.
    Submitted,
}

/// A paper with this instance's community counts and its trending breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperDetailV1 {
    #[serde(flatten)]
    paper: PaperV1,
    /// Upvotes on this instance.
    upvotes: u64,
    /// Comments on this instance (removed ones not counted).
    comments: u64,
    /// Its trending score in the week window and why; null when it is not on the
    /// week's list (listed before the week with no signal in it, or withdrawn).
    trending: Option<BreakdownV1>,
}

/// Query of `/api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQueryV1 {
    /// The query, in the search syntax of the site (words, "phrases", -exclude, ti:,
    /// au:, abs:, cat:, year:, code:).
    #[param(max_length = 500)]
    q: String,
    /// `keyword`, `semantic` or `hybrid`; the default is hybrid when search by meaning
    /// is on, else keyword.
    #[param(pattern = "^(keyword|semantic|hybrid)?$")]
    mode: Option<String>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = "^(o[0-9a-f]{1,5})?$")]
    cursor: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

fn paper_v1(paper: &Paper, base: &str) -> PaperV1 {
    PaperV1 {
        id: paper.id.to_string(),
        title: paper.title.clone(),
        abstract_text: paper.abstract_text.clone(),
        authors: paper.authors.clone(),
        categories: paper.categories.clone(),
        classes: paper.classes.clone(),
        comment: paper.comment.clone(),
        journal_ref: paper.journal_ref.clone(),
        doi: paper.doi.clone(),
        versions: paper
            .versions
            .iter()
            .map(|v| VersionV1 {
                version: v.version,
                date: format_date(v.date),
            })
            .collect(),
        submitted_on: paper.submitted_on.map(format_date),
        listed_on: format_date(paper.listed_on),
        last_listed_on: paper.last_listed_on.map(format_date),
        withdrawn: paper.withdrawn,
        code_links: paper
            .links
            .iter()
            .map(|l| CodeLinkV1 {
                url: l.url.clone(),
                repo: l.repo.clone(),
                source: serde_json::to_value(l.source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect(),
        page_url: format!("{base}/papers/{}", paper.id),
        abs_url: paper.id.abs_url(),
        pdf_url: paper.id.pdf_url(),
    }
}

fn breakdown_v1(window: Window, breakdown: &Breakdown) -> BreakdownV1 {
    BreakdownV1 {
        window: window.as_str().to_owned(),
        terms: breakdown
            .terms
            .iter()
            .map(|t| TermV1 {
                kind: match t.kind {
                    TermKind::Upvotes => TermKindV1::Upvotes,
                    TermKind::Stars => TermKindV1::Stars,
                    TermKind::Comments => TermKindV1::Comments,
                    TermKind::Submitted => TermKindV1::Submitted,
                },
                label: t.label(),
                count: t.count,
                value: t.value,
                weight: t.weight,
                contribution: t.contribution,
            })
            .collect(),
        points: breakdown.points,
        age_hours: breakdown.age_hours,
        decay: breakdown.decay,
        score: breakdown.score,
    }
}

/// Offset-based cursors, opaque to clients: `o` and the offset in hex.
fn page_of(cursor: Option<&str>, limit: Option<u32>) -> Result<Page, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("limit must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let offset = match cursor {
        None | Some("") => 0,
        Some(c) => c
            .strip_prefix('o')
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .filter(|o| *o <= MAX_OFFSET)
            .ok_or_else(|| ApiError::field("cursor", "cursor is not one this API gave out"))?,
    };
    // One more than asked for: whether it comes back says if there is a next page.
    Ok(Page {
        limit: limit + 1,
        offset,
    })
}

/// A page from the rows of a probe page (see `page_of`).
fn list(papers: &[Paper], probe: Page, base: &str) -> PaperListV1 {
    let limit = probe.limit - 1;
    let more = papers.len() as u32 > limit && probe.offset + limit <= MAX_OFFSET;
    PaperListV1 {
        items: papers
            .iter()
            .take(limit as usize)
            .map(|p| paper_v1(p, base))
            .collect(),
        next_cursor: more.then(|| format!("o{:x}", probe.offset + limit)),
    }
}

/// The shared first step of every list endpoint: JSON must be acceptable and the query
/// must parse; either failure is a JSON 4xx.
fn checked_query<T>(
    headers: &HeaderMap,
    query: Result<Query<T>, QueryRejection>,
) -> Result<T, ApiError> {
    accepts_json(headers)?;
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    Ok(query)
}

fn category(text: Option<&str>) -> Result<Option<&str>, ApiError> {
    match text.filter(|c| !c.is_empty()) {
        Some(c)
            if c.len() > 32
                || !c
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') =>
        {
            Err(ApiError::field("category", "category must look like cs.CL"))
        }
        other => Ok(other),
    }
}

/// One paper, with this instance's upvotes and comments and its trending breakdown in
/// the week window.
#[utoipa::path(get, path = "/api/v1/papers/{id}", params(("id" = String, Path, description = "arXiv id, e.g. 2503.11731")),
    responses((status = 200, body = PaperDetailV1), (status = 404, body = ErrorsV1), (status = 406, body = ErrorsV1), (status = 429, body = ErrorsV1)))]
pub async fn get_paper_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Path<String>, PathRejection>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    accepts_json(&headers)?;
    let Path(raw) = raw.map_err(|_| ApiError::not_found("not an arXiv id"))?;
    // Old-style ids hold a slash, so one wildcard route serves `{id}` and `{id}/similar`.
    if let Some(id) = raw.strip_suffix("/similar") {
        return Ok(similar_v1(&state, id).await?.into_response());
    }
    let paper = stored_paper(&state, &raw).await?;
    let store = state.store.as_ref();
    let community = store.paper_community(&paper.id).await?;
    if community.hidden {
        return Err(ApiError::not_found(format!(
            "paper {} is not shown on this instance",
            paper.id
        )));
    }
    let window = Window::Week;
    let trending = state
        .ranking
        .breakdown(store, &paper.id, window, OffsetDateTime::now_utc())
        .await?;
    Ok(Json(PaperDetailV1 {
        paper: paper_v1(&paper, &state.public_url),
        upvotes: community.upvotes,
        comments: community.comments,
        trending: trending.map(|b| breakdown_v1(window, &b)),
    })
    .into_response())
}

async fn stored_paper(state: &AppState, raw: &str) -> Result<Paper, ApiError> {
    let id: ArxivId = raw
        .parse()
        .map_err(|e: paperstand_core::ArxivIdError| ApiError::not_found(e.to_string()))?;
    state.store.paper(&id).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "paper {} is not on this instance",
            id.without_version()
        ))
    })
}

/// Papers similar to one.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarListV1 {
    /// The ten papers closest in meaning, closest first, each with its cosine similarity;
    /// empty when the paper has not been embedded yet.
    items: Vec<SimilarItemV1>,
}

/// A similar paper.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarItemV1 {
    paper: PaperV1,
    /// Cosine similarity of the two papers' embeddings (−1 to 1).
    similarity: f32,
}

/// The papers most similar in meaning to one (what its page lists).
#[utoipa::path(get, path = "/api/v1/papers/{id}/similar", params(("id" = String, Path, description = "arXiv id, e.g. 2503.11731")),
    responses((status = 200, body = SimilarListV1), (status = 404, body = ErrorsV1), (status = 406, body = ErrorsV1),
        (status = 409, description = "the server has no embedding model", body = ErrorsV1), (status = 429, body = ErrorsV1)))]
async fn similar_v1(state: &AppState, raw: &str) -> Result<Json<SimilarListV1>, ApiError> {
    let paper = stored_paper(state, raw).await?;
    let search = state
        .search
        .as_ref()
        .ok_or(crate::search::SearchError::Unavailable)?;
    if let Some(reason) = search.semantic_status().public_reason() {
        return Err(super::ApiError {
            status: axum::http::StatusCode::CONFLICT,
            errors: vec![super::Problem {
                detail: format!(
                    "similar papers need search by meaning, which is off on this server: {reason}"
                ),
                field: None,
            }],
        });
    }
    let similar = search.similar(&paper.id, 10).await?;
    Ok(Json(SimilarListV1 {
        items: similar
            .iter()
            .map(|(p, similarity)| SimilarItemV1 {
                paper: paper_v1(p, &state.public_url),
                similarity: *similarity,
            })
            .collect(),
    }))
}

/// Papers, the most recently listed first; by listing day and category.
#[utoipa::path(get, path = "/api/v1/papers", params(PapersQueryV1),
    responses((status = 200, body = PaperListV1), (status = 400, body = ErrorsV1), (status = 406, body = ErrorsV1), (status = 429, body = ErrorsV1)))]
pub async fn list_papers_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PapersQueryV1>, QueryRejection>,
) -> Result<Json<PaperListV1>, ApiError> {
    let query = checked_query(&headers, query)?;
    let page = page_of(query.cursor.as_deref(), query.limit)?;
    let category = category(query.category.as_deref())?;
    let store = state.store.as_ref();
    let papers = match query.date.as_deref() {
        Some(text) => {
            let day = parse_date(text)
                .ok_or_else(|| ApiError::field("date", "date must be YYYY-MM-DD"))?;
            match category {
                None => store.papers_listed_on(day, page).await?,
                // A day holds at most a few thousand papers: filter the whole day, then page,
                // so that pages stay full and the cursor stays right.
                Some(c) => store
                    .papers_listed_on(
                        day,
                        Page {
                            limit: DAY_LIMIT,
                            offset: 0,
                        },
                    )
                    .await?
                    .into_iter()
                    .filter(|p| p.categories.iter().any(|pc| pc == c))
                    .skip(page.offset as usize)
                    .take(page.limit as usize)
                    .collect(),
            }
        }
        None => store.newest_in_category(category, None, page).await?,
    };
    Ok(Json(list(&papers, page, &state.public_url)))
}

/// The papers of one listing day (the latest by default).
#[utoipa::path(get, path = "/api/v1/daily", params(DailyQueryV1),
    responses((status = 200, body = PaperListV1), (status = 400, body = ErrorsV1), (status = 406, body = ErrorsV1), (status = 429, body = ErrorsV1)))]
pub async fn list_daily_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<DailyQueryV1>, QueryRejection>,
) -> Result<Json<PaperListV1>, ApiError> {
    let query = checked_query(&headers, query)?;
    let page = page_of(query.cursor.as_deref(), query.limit)?;
    let store = state.store.as_ref();
    let day = match query.date.as_deref() {
        Some(text) => Some(
            parse_date(text).ok_or_else(|| ApiError::field("date", "date must be YYYY-MM-DD"))?,
        ),
        None => store.latest_listing_date().await?,
    };
    let papers = match day {
        Some(day) => store.papers_listed_on(day, page).await?,
        None => Vec::new(),
    };
    Ok(Json(list(&papers, page, &state.public_url)))
}

/// The trending list: papers by trending score, best first, each with its breakdown.
#[utoipa::path(get, path = "/api/v1/trending", params(TrendingQueryV1),
    responses((status = 200, body = TrendingListV1), (status = 400, body = ErrorsV1), (status = 406, body = ErrorsV1), (status = 429, body = ErrorsV1)))]
pub async fn list_trending_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TrendingQueryV1>, QueryRejection>,
) -> Result<Json<TrendingListV1>, ApiError> {
    let query = checked_query(&headers, query)?;
    let page = page_of(query.cursor.as_deref(), query.limit)?;
    let filter = TrendingFilter::parse(
        query.window.as_deref(),
        query.category.as_deref(),
        query.year.as_deref(),
    )
    .map_err(|e| ApiError::field(e.field, e.detail))?;
    let store = state.store.as_ref();
    let list = state
        .ranking
        .trending(store, &filter, OffsetDateTime::now_utc())
        .await?;
    // `page.limit` is one more than asked for: whether it comes back says if there is more.
    let mut entries = list.entries(page.offset as usize, page.limit as usize);
    let limit = page.limit - 1;
    let more = entries.len() > limit as usize && page.offset + limit <= MAX_OFFSET;
    entries.truncate(limit as usize);
    let ids: Vec<ArxivId> = entries.iter().map(|e| e.id.clone()).collect();
    let mut papers: HashMap<ArxivId, Paper> = papers_in_order(store, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let items = entries
        .into_iter()
        .filter_map(|entry| {
            let paper = papers.remove(&entry.id)?;
            let breakdown = entry.breakdown?;
            Some(TrendingItemV1 {
                paper: paper_v1(&paper, &state.public_url),
                score: breakdown.score,
                breakdown: breakdown_v1(filter.window, &breakdown),
            })
        })
        .collect();
    Ok(Json(TrendingListV1 {
        items,
        next_cursor: more.then(|| format!("o{:x}", page.offset + limit)),
        ranking: "trending".to_owned(),
        window: filter.window.as_str().to_owned(),
        as_of: list
            .as_of()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        total: list.len() as u64,
    }))
}

/// Papers matching `q`, most relevant first.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQueryV1),
    responses((status = 200, body = PaperListV1), (status = 400, body = ErrorsV1), (status = 406, body = ErrorsV1),
        (status = 409, description = "semantic or hybrid mode on a server without an embedding model", body = ErrorsV1),
        (status = 429, body = ErrorsV1)))]
pub async fn search_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchQueryV1>, QueryRejection>,
) -> Result<Json<PaperListV1>, ApiError> {
    let query = checked_query(&headers, query)?;
    let mode =
        match query.mode.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Mode::parse(text).ok_or_else(|| {
                ApiError::field("mode", "mode must be keyword, semantic or hybrid")
            })?),
        };
    if query.q.chars().count() > 500 {
        return Err(ApiError::field("q", "q is longer than 500 characters"));
    }
    let page = page_of(query.cursor.as_deref(), query.limit)?;
    let papers = find_papers(
        state.search.as_ref(),
        &query.q,
        mode,
        page.offset as usize,
        page.limit as usize,
    )
    .await?;
    Ok(Json(list(&papers, page, &state.public_url)))
}

/// Any other `/api` URL: a JSON 404 (with CORS, under the rate limit).
pub async fn unknown_api_path(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "there is no API endpoint at {}; see /api/openapi.json",
        uri.path()
    ))
}

/// The OpenAPI document of `/api/v1`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Paperstand API",
        description = "Papers of a Paperstand instance. Errors are {\"errors\":[{\"detail\",\"field\"}]}; requests are limited per client (429 with Retry-After)."
    ),
    paths(
        get_paper_v1,
        similar_v1,
        list_papers_v1,
        list_daily_v1,
        list_trending_v1,
        search_v1
    ),
    components(schemas(
        PaperV1,
        PaperListV1,
        PaperDetailV1,
        TrendingListV1,
        TrendingItemV1,
        BreakdownV1,
        TermV1,
        TermKindV1,
        SimilarListV1,
        SimilarItemV1,
        VersionV1,
        CodeLinkV1,
        ErrorsV1,
        ErrorV1
    ))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
