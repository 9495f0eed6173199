//! `/api/daily_papers`, `/api/papers/{id}` and `/api/papers/search` in the shapes of
//! Hugging Face Papers, so its clients (`huggingface_hub`, scripts) work unchanged.
//! Fields Paperstand has no data for are `null`; community counts are this instance's.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use paperstand_core::external::ExternalLink;
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::{ArxivId, CodeHost, Paper};
use paperstand_store::{Counts, Page, Store};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, Weekday};

use super::{ApiError, accepts_json};
use crate::ranking::papers_in_order;
use crate::search::find_papers;
use crate::web::AppState;

/// Largest `limit`.
const MAX_LIMIT: u32 = 100;
/// `limit` when none is given (Hugging Face's default).
const DEFAULT_LIMIT: u32 = 50;
/// Largest page number `p`.
const MAX_PAGE: u32 = 10_000;

/// Query of `/api/daily_papers`.
#[derive(Debug, Deserialize)]
pub struct DailyQuery {
    date: Option<String>,
    week: Option<String>,
    month: Option<String>,
    sort: Option<String>,
    p: Option<String>,
    limit: Option<String>,
    submitter: Option<String>,
}

/// Query of `/api/papers/search`.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Serialize)]
struct Author {
    name: String,
}

/// A paper object, as `GET /api/papers/{id}` returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PaperJson {
    id: String,
    authors: Vec<Author>,
    published_at: String,
    submitted_on_daily_at: String,
    title: String,
    summary: String,
    upvotes: u64,
    discussion_id: Option<String>,
    #[serde(rename = "ai_summary")]
    ai_summary: Option<String>,
    github_repo: Option<String>,
    github_stars: Option<u64>,
    num_comments: u64,
}

/// A daily-papers item: the paper nested, plus the listing's own fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemJson {
    paper: PaperJson,
    published_at: String,
    title: String,
    summary: String,
    num_comments: u64,
    submitted_by: Option<String>,
    github_repo: Option<String>,
    github_stars: Option<u64>,
    thumbnail: Option<String>,
}

fn timestamp(date: Date) -> String {
    format!("{}T00:00:00.000Z", format_date(date))
}

/// The paper's GitHub repository: its own link first, then other services'.
fn github_repo(paper: &Paper, external: &[ExternalLink]) -> Option<String> {
    let own = paper
        .links
        .iter()
        .find(|l| l.host == CodeHost::GitHub)
        .map(|l| l.url.clone());
    own.or_else(|| {
        external
            .iter()
            .find(|e| e.paper.base() == paper.id.base() && e.link.host == CodeHost::GitHub)
            .map(|e| e.link.url.clone())
    })
}

fn paper_json(paper: &Paper, external: &[ExternalLink], counts: Counts) -> PaperJson {
    PaperJson {
        id: paper.id.to_string(),
        authors: paper
            .authors
            .iter()
            .map(|name| Author { name: name.clone() })
            .collect(),
        published_at: timestamp(paper.submitted_on.unwrap_or(paper.listed_on)),
        submitted_on_daily_at: timestamp(paper.listed_on),
        title: paper.title.clone(),
        summary: paper.abstract_text.clone(),
        upvotes: counts.upvotes,
        discussion_id: None,
        ai_summary: None,
        github_repo: github_repo(paper, external),
        github_stars: None,
        num_comments: counts.comments,
    }
}

fn item_json(paper: &Paper, external: &[ExternalLink], counts: Counts) -> ItemJson {
    let inner = paper_json(paper, external, counts);
    ItemJson {
        published_at: inner.submitted_on_daily_at.clone(),
        title: inner.title.clone(),
        summary: inner.summary.clone(),
        num_comments: counts.comments,
        submitted_by: None,
        github_repo: inner.github_repo.clone(),
        github_stars: None,
        thumbnail: None,
        paper: inner,
    }
}

fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn to_bytes(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| crate::web::error::AppError::Internal(e.into()).into())
}

async fn items(store: &dyn Store, papers: &[Paper]) -> Result<Bytes, ApiError> {
    let ids: Vec<ArxivId> = papers.iter().map(|p| p.id.clone()).collect();
    let external = store.external_links(&ids).await?;
    let counts = store.counts(&ids).await?;
    to_bytes(
        &papers
            .iter()
            .map(|p| item_json(p, &external, counts.get(&p.id).copied().unwrap_or_default()))
            .collect::<Vec<_>>(),
    )
}

/// `GET /api/daily_papers`.
pub async fn list_daily_papers(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<DailyQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    accepts_json(&headers)?;
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let request = DailyRequest::parse(&query)?;
    let store = state.store.as_ref();
    let body = state
        .cache
        .get_or_render(store, request.cache_key(), || async {
            if request.submitter.is_some() {
                // No member submissions exist yet, so no paper has a submitter.
                return to_bytes(&Vec::<ItemJson>::new());
            }
            let (first, last) = match request.range {
                Some(range) => range,
                None => match store.latest_listing_date().await? {
                    Some(day) => (day, day),
                    None => return to_bytes(&Vec::<ItemJson>::new()),
                },
            };
            let page = Page {
                limit: request.limit,
                offset: request.page.saturating_mul(request.limit),
            };
            let papers = match request.sort {
                Sort::PublishedAt => store.papers_listed_between(first, last, page).await?,
                Sort::Trending => trending_between(&state, first, last, page).await?,
            };
            items(store, &papers).await
        })
        .await?;
    Ok(json(body))
}

/// The papers listed from `first` to `last` in trending order: one day as the daily
/// page orders it, a longer range by all the signals each paper drew.
async fn trending_between(
    state: &AppState,
    first: Date,
    last: Date,
    page: Page,
) -> Result<Vec<Paper>, ApiError> {
    let store = state.store.as_ref();
    let now = OffsetDateTime::now_utc();
    let list = if first == last {
        state.ranking.day(store, first, now).await?
    } else {
        state
            .ranking
            .listed_between(store, first, last, now)
            .await?
    };
    let ids = list.ids(page.offset as usize, page.limit as usize);
    Ok(papers_in_order(store, &ids).await?)
}

/// How `/api/daily_papers` orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// As the store lists a range (the default).
    PublishedAt,
    /// By the trending ranking.
    Trending,
}

/// A validated `/api/daily_papers` request.
#[derive(Debug)]
struct DailyRequest {
    range: Option<(Date, Date)>,
    sort: Sort,
    page: u32,
    limit: u32,
    submitter: Option<String>,
}

impl DailyRequest {
    fn parse(query: &DailyQuery) -> Result<DailyRequest, ApiError> {
        let given = [
            query.date.is_some(),
            query.week.is_some(),
            query.month.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given > 1 {
            return Err(ApiError::field(
                "date",
                "give at most one of date, week and month",
            ));
        }
        let range = match (&query.date, &query.week, &query.month) {
            (Some(d), _, _) => Some(parse_day(d)?),
            (_, Some(w), _) => Some(parse_week(w)?),
            (_, _, Some(m)) => Some(parse_month(m)?),
            _ => None,
        };
        let sort = match query.sort.as_deref() {
            None | Some("publishedAt") => Sort::PublishedAt,
            Some("trending") => Sort::Trending,
            Some(other) => {
                return Err(ApiError::field(
                    "sort",
                    format!(
                        "sort must be publishedAt or trending, not {:?}",
                        shorten(other)
                    ),
                ));
            }
        };
        Ok(DailyRequest {
            range,
            sort,
            page: number("p", query.p.as_deref(), 0, 0..=MAX_PAGE)?,
            limit: number(
                "limit",
                query.limit.as_deref(),
                DEFAULT_LIMIT,
                1..=MAX_LIMIT,
            )?,
            submitter: query.submitter.clone().filter(|s| !s.is_empty()),
        })
    }

    fn cache_key(&self) -> String {
        let range = self.range.map_or("latest".to_owned(), |(a, b)| {
            format!("{}..{}", format_date(a), format_date(b))
        });
        format!(
            "api/daily/{range}/{:?}/{}/{}/{}",
            self.sort,
            self.page,
            self.limit,
            self.submitter.is_some()
        )
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

fn number(
    field: &'static str,
    text: Option<&str>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ApiError> {
    let Some(text) = text else { return Ok(default) };
    text.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ApiError::field(
                field,
                format!(
                    "{field} must be a whole number from {} to {}, not {:?}",
                    range.start(),
                    range.end(),
                    shorten(text)
                ),
            )
        })
}

fn parse_day(text: &str) -> Result<(Date, Date), ApiError> {
    let day = parse_date(text).ok_or_else(|| {
        ApiError::field(
            "date",
            format!("date must be YYYY-MM-DD, not {:?}", shorten(text)),
        )
    })?;
    Ok((day, day))
}

/// `2026-W09` → Monday to Sunday of ISO week 9.
fn parse_week(text: &str) -> Result<(Date, Date), ApiError> {
    let bad = || {
        ApiError::field(
            "week",
            format!(
                "week must be an ISO week such as 2026-W09, not {:?}",
                shorten(text)
            ),
        )
    };
    let (year, week) = text.split_once("-W").ok_or_else(bad)?;
    let (year, week) = (
        year.parse::<i32>().map_err(|_| bad())?,
        week.parse::<u8>().map_err(|_| bad())?,
    );
    let monday = Date::from_iso_week_date(year, week, Weekday::Monday).map_err(|_| bad())?;
    let sunday = Date::from_iso_week_date(year, week, Weekday::Sunday).map_err(|_| bad())?;
    Ok((monday, sunday))
}

/// `2026-02` → the first to the last day of February 2026.
fn parse_month(text: &str) -> Result<(Date, Date), ApiError> {
    let bad = || {
        ApiError::field(
            "month",
            format!("month must be YYYY-MM, not {:?}", shorten(text)),
        )
    };
    let (year, month) = text.split_once('-').ok_or_else(bad)?;
    let year = year.parse::<i32>().map_err(|_| bad())?;
    let month = month
        .parse::<u8>()
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let first = Date::from_calendar_date(year, month, 1).map_err(|_| bad())?;
    let last = Date::from_calendar_date(year, month, month.length(year)).map_err(|_| bad())?;
    Ok((first, last))
}

/// `GET /api/papers/{id}`.
pub async fn get_paper(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    accepts_json(&headers)?;
    let Path(raw) = raw.map_err(|_| ApiError::not_found("not an arXiv id"))?;
    let id: ArxivId = raw
        .parse()
        .map_err(|e: paperstand_core::ArxivIdError| ApiError::not_found(e.to_string()))?;
    let store = state.store.as_ref();
    let body = state
        .cache
        .get_or_render(
            store,
            format!("api/paper/{}", id.without_version()),
            || async {
                let paper = store.paper(&id).await?.ok_or_else(|| {
                    ApiError::not_found(format!(
                        "paper {} is not on this instance",
                        id.without_version()
                    ))
                })?;
                let community = store.paper_community(&paper.id).await?;
                if community.hidden {
                    return Err(ApiError::not_found(format!(
                        "paper {} is not shown on this instance",
                        paper.id
                    )));
                }
                let counts = Counts {
                    upvotes: community.upvotes,
                    comments: community.comments,
                };
                let external = store
                    .external_links(std::slice::from_ref(&paper.id))
                    .await?;
                to_bytes(&paper_json(&paper, &external, counts))
            },
        )
        .await?;
    Ok(json(body))
}

/// Longest search query accepted, in bytes.
const MAX_QUERY_BYTES: usize = 500;

/// `GET /api/papers/search?q=…&limit=…`: papers matching `q`, most relevant first (hybrid
/// when search by meaning is on, else keyword).
pub async fn search_papers(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    accepts_json(&headers)?;
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let q = query.q.unwrap_or_default();
    if q.len() > MAX_QUERY_BYTES {
        return Err(ApiError::field(
            "q",
            format!(
                "q is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                q.len()
            ),
        ));
    }
    let limit = number(
        "limit",
        query.limit.as_deref(),
        DEFAULT_LIMIT,
        1..=MAX_LIMIT,
    )?;
    let papers = find_papers(state.search.as_ref(), &q, None, 0, limit as usize).await?;
    Ok(json(items(state.store.as_ref(), &papers).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_and_months_are_ranges() {
        assert_eq!(
            parse_week("2026-W09").unwrap(),
            (date!(2026 - 02 - 23), date!(2026 - 03 - 01))
        );
        assert!(parse_week("2026-W60").is_err());
        assert!(parse_week("2026-09").is_err());
        assert_eq!(
            parse_month("2024-02").unwrap(),
            (date!(2024 - 02 - 01), date!(2024 - 02 - 29))
        );
        assert!(parse_month("2026-13").is_err());
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(number("limit", None, 50, 1..=100).unwrap(), 50);
        assert!(number("limit", Some("100000"), 50, 1..=100).is_err());
        assert!(number("p", Some("-1"), 0, 0..=10).is_err());
    }
}
