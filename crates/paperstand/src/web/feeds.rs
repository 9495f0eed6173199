//! Web feeds of every list, each in Atom 1.0 (`.atom`), RSS 2.0 (`.rss`) and JSON Feed
//! 1.1 (`.json`): `/feeds/daily`, `/feeds/trending`, `/feeds/category/{cat}` and
//! `/feeds/search`. Entries carry the paper's text escaped (math stays LaTeX source),
//! absolute links, and dates. Conditional GETs (`ETag`, `Last-Modified`) answer 304.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::SystemTime;

use paperstand_core::Paper;
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::AppState;
use super::error::AppError;
use crate::ranking::{DEFAULT_WINDOW, TrendingFilter, papers_in_order};
use crate::search::{Mode, find_papers};

/// Entries in a feed.
const FEED_ENTRIES: usize = 50;
/// Entries in the daily feed: the day's best, in the daily page's order.
const DAILY_ENTRIES: usize = 100;

/// A feed's serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    /// `daily.atom` → (`daily`, Atom).
    fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "atom" => Format::Atom,
            "rss" => Format::Rss,
            "json" => Format::Json,
            _ => return None,
        };
        Some((name, format))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// Query of the list feeds.
#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    window: Option<String>,
    cat: Option<String>,
    year: Option<String>,
    q: Option<String>,
    mode: Option<String>,
}

/// What a feed lists, validated.
#[derive(Debug)]
enum Source {
    Daily,
    Trending(TrendingFilter),
    Category(String),
    Search { q: String, mode: Option<Mode> },
}

impl Source {
    fn key(&self) -> String {
        match self {
            Source::Daily => "daily".to_owned(),
            Source::Trending(filter) => format!(
                "trending/{}/{}/{}",
                filter.window.as_str(),
                filter.category.as_deref().unwrap_or(""),
                filter.year.map_or(String::new(), |y| y.to_string())
            ),
            Source::Category(c) => format!("category/{c}"),
            Source::Search { q, mode } => format!("search/{}/{q}", mode.map_or("", Mode::as_str)),
        }
    }

    /// The feed's own URL path (without the base), with its extension.
    fn path(&self, ext: &str) -> String {
        let encode = |t: &str| {
            t.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        match self {
            Source::Daily => format!("/feeds/daily.{ext}"),
            Source::Trending(filter) => {
                let mut query = Vec::new();
                if filter.window != DEFAULT_WINDOW {
                    query.push(format!("window={}", filter.window.as_str()));
                }
                if let Some(c) = &filter.category {
                    query.push(format!("cat={}", encode(c)));
                }
                if let Some(year) = filter.year {
                    query.push(format!("year={year}"));
                }
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                format!("/feeds/trending.{ext}{query}")
            }
            Source::Category(c) => format!("/feeds/category/{c}.{ext}"),
            Source::Search { q, mode } => match mode {
                Some(mode) => format!("/feeds/search.{ext}?q={}&mode={}", encode(q), mode.as_str()),
                None => format!("/feeds/search.{ext}?q={}", encode(q)),
            },
        }
    }

    fn title(&self) -> String {
        match self {
            Source::Daily => "Paperstand: papers of the day".to_owned(),
            Source::Trending(filter) => {
                let mut title = format!(
                    "Paperstand: trending {}",
                    super::views::window_words(filter.window)
                );
                if let Some(c) = &filter.category {
                    title.push_str(&format!(" in {c}"));
                }
                if let Some(year) = filter.year {
                    title.push_str(&format!(", papers of {year}"));
                }
                title
            }
            Source::Category(c) => format!("Paperstand: {c}"),
            Source::Search { q, .. } => format!("Paperstand: search for {q}"),
        }
    }

    /// The feed's papers, in the order of the list it follows.
    async fn papers(&self, state: &AppState) -> Result<Vec<Paper>, AppError> {
        let store = state.store.as_ref();
        let now = OffsetDateTime::now_utc();
        let ids = match self {
            Source::Daily => match store.latest_listing_date().await? {
                Some(day) => state
                    .ranking
                    .day(store, day, now)
                    .await?
                    .ids(0, DAILY_ENTRIES),
                None => Vec::new(),
            },
            Source::Trending(filter) => state
                .ranking
                .trending(store, filter, now)
                .await?
                .ids(0, FEED_ENTRIES),
            Source::Category(c) => {
                let page = paperstand_store::Page {
                    limit: FEED_ENTRIES as u32,
                    offset: 0,
                };
                return Ok(store.newest_in_category(Some(c), None, page).await?);
            }
            Source::Search { q, mode } => {
                return Ok(find_papers(state.search.as_ref(), q, *mode, 0, FEED_ENTRIES).await?);
            }
        };
        Ok(papers_in_order(store, &ids).await?)
    }
}

fn bad(detail: impl Into<String>) -> AppError {
    AppError::BadRequest(detail.into())
}

fn category(text: &str) -> Result<String, AppError> {
    let ok = !text.is_empty()
        && text.len() <= 32
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if ok {
        Ok(text.to_owned())
    } else {
        Err(bad(format!(
            "{:?} is not a category such as cs.CL",
            text.chars().take(40).collect::<String>()
        )))
    }
}

fn source(name: &str, query: &FeedQuery) -> Result<Source, AppError> {
    match name {
        "daily" => Ok(Source::Daily),
        "trending" => TrendingFilter::parse(
            query.window.as_deref(),
            query.cat.as_deref(),
            query.year.as_deref(),
        )
        .map(Source::Trending)
        .map_err(|e| bad(e.detail)),
        "search" => {
            let mode = match query.mode.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(
                    Mode::parse(text)
                        .ok_or_else(|| bad("mode must be keyword, semantic or hybrid"))?,
                ),
            };
            let q = query.q.as_deref().unwrap_or_default();
            if q.len() > 500 {
                return Err(bad("q is longer than 500 bytes"));
            }
            Ok(Source::Search {
                q: q.split_whitespace().collect::<Vec<_>>().join(" "),
                mode,
            })
        }
        _ => Err(AppError::not_found(
            "No such feed",
            "Feeds: /feeds/daily.atom, /feeds/trending.rss, /feeds/category/cs.CL.json, /feeds/search.atom?q=…",
        )),
    }
}

/// `GET /feeds/{file}`: `daily`, `trending` or `search`, with `.atom`, `.rss` or `.json`.
pub async fn show_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    file: Result<Path<String>, PathRejection>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(file) =
        file.map_err(|_| AppError::not_found("No such feed", "Feed names look like daily.atom"))?;
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let (name, format) = Format::split(&file)
        .ok_or_else(|| AppError::not_found("No such feed", "Feeds end in .atom, .rss or .json"))?;
    respond(&state, &headers, source(name, &query)?, format).await
}

/// `GET /feeds/category/{cat}.{atom,rss,json}`.
pub async fn show_category_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(file) =
        file.map_err(|_| AppError::not_found("No such feed", "Feed names look like cs.CL.atom"))?;
    let (cat, format) = Format::split(&file)
        .ok_or_else(|| AppError::not_found("No such feed", "Feeds end in .atom, .rss or .json"))?;
    respond(&state, &headers, Source::Category(category(cat)?), format).await
}

async fn respond(
    state: &AppState,
    headers: &HeaderMap,
    source: Source,
    format: Format,
) -> Result<Response, AppError> {
    let store = state.store.as_ref();
    let key = format!("feed/{:?}/{}", format, source.key());
    let render_feed = || async {
        let papers = source.papers(state).await?;
        let updated = papers
            .iter()
            .map(|p| p.last_listed_on.unwrap_or(p.listed_on))
            .max();
        Ok::<_, AppError>(Bytes::from(render(
            format,
            &source,
            &papers,
            updated,
            &state.public_url,
        )))
    };
    // Free-text searches would fill the cache with one-off entries: they are rendered each time.
    let (body, since) = if matches!(source, Source::Search { .. }) {
        (render_feed().await?, SystemTime::now())
    } else {
        state
            .cache
            .get_or_render_dated(store, key, render_feed)
            .await?
    };
    // The body's own hash: it changes whenever the feed does, whatever changed it (papers,
    // votes, time moving a trending list on, new vectors for a search).
    let etag = format!("W/\"{:x}\"", fnv(&body));
    let last_modified = httpdate::fmt_http_date(since);
    let mut response = if not_modified(headers, &etag, since) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&last_modified) {
        h.insert(header::LAST_MODIFIED, value);
    }
    Ok(response)
}

/// RFC 9110 conditional GET: `If-None-Match` (weak comparison, lists, `*`) when present,
/// else `If-Modified-Since` at or after the last change.
fn not_modified(headers: &HeaderMap, etag: &str, changed_at: SystemTime) -> bool {
    if let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
        return value
            .split(',')
            .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag));
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    // HTTP dates have whole seconds: compare at that precision.
    let changed = changed_at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(u64::MAX);
    since
        .and_then(|s| s.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|s| changed <= s.as_secs())
}

/// FNV-1a: a stable, cheap hash for ETags.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn render(
    format: Format,
    source: &Source,
    papers: &[Paper],
    updated: Option<Date>,
    base: &str,
) -> String {
    let feed = super::feed_formats::Feed {
        title: source.title(),
        base,
        updated,
        papers,
    };
    match format {
        Format::Atom => feed.atom(&format!("{base}{}", source.path("atom"))),
        Format::Rss => feed.rss(&format!("{base}{}", source.path("rss"))),
        Format::Json => feed.json(&format!("{base}{}", source.path("json"))),
    }
}
