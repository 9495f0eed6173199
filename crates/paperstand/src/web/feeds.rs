//! Web feeds of every list, each in Atom 1.0 (`.atom`), RSS 2.0 (`.rss`) and JSON Feed
//! 1.1 (`.json`): `/feeds/daily`, `/feeds/trending`, `/feeds/category/{cat}` and
//! `/feeds/search`. Entries carry the paper's text escaped (math stays LaTeX source),
//! absolute links, and dates. Conditional GETs (`ETag`, `Last-Modified`) answer 304.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paperstand_core::Paper;
use paperstand_store::Page;
use serde::Deserialize;
use time::Date;

use super::AppState;
use super::error::AppError;
use crate::search::{Mode, find_papers};

/// Entries in a feed.
const FEED_ENTRIES: u32 = 50;
/// Days a trending window spans.
const WINDOWS: &[(&str, i64)] = &[("day", 1), ("week", 7), ("month", 30)];

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
    q: Option<String>,
    mode: Option<String>,
}

/// What a feed lists, validated.
#[derive(Debug)]
enum Source {
    Daily,
    Trending {
        window: Option<(&'static str, i64)>,
        category: Option<String>,
    },
    Category(String),
    Search {
        q: String,
        mode: Option<Mode>,
    },
}

impl Source {
    fn key(&self) -> String {
        match self {
            Source::Daily => "daily".to_owned(),
            Source::Trending { window, category } => {
                format!(
                    "trending/{}/{}",
                    window.map_or("all", |w| w.0),
                    category.as_deref().unwrap_or("")
                )
            }
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
            Source::Trending { window, category } => {
                let mut query = Vec::new();
                if let Some((name, _)) = window {
                    query.push(format!("window={name}"));
                }
                if let Some(c) = category {
                    query.push(format!("cat={}", encode(c)));
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
            Source::Trending {
                category: Some(c), ..
            } => format!("Paperstand: trending in {c}"),
            Source::Trending { .. } => "Paperstand: trending".to_owned(),
            Source::Category(c) => format!("Paperstand: {c}"),
            Source::Search { q, .. } => format!("Paperstand: search for {q}"),
        }
    }

    async fn papers(&self, state: &AppState) -> Result<Vec<Paper>, AppError> {
        let store = state.store.as_ref();
        let page = Page {
            limit: FEED_ENTRIES,
            offset: 0,
        };
        Ok(match self {
            Source::Daily => match store.latest_listing_date().await? {
                Some(day) => {
                    store
                        .papers_listed_on(
                            day,
                            Page {
                                limit: 100,
                                offset: 0,
                            },
                        )
                        .await?
                }
                None => Vec::new(),
            },
            Source::Trending { window, category } => {
                let latest = store.latest_listing_date().await?;
                let since = window
                    .zip(latest)
                    .map(|((_, days), day)| day - time::Duration::days(days - 1));
                store
                    .newest_in_category(category.as_deref(), since, page)
                    .await?
            }
            Source::Category(c) => store.newest_in_category(Some(c), None, page).await?,
            Source::Search { q, mode } => {
                find_papers(state.search.as_ref(), q, *mode, 0, page.limit as usize).await?
            }
        })
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
        "trending" => {
            let window = match query.window.as_deref() {
                None | Some("" | "all") => None,
                Some(w) => Some(
                    *WINDOWS
                        .iter()
                        .find(|(n, _)| *n == w)
                        .ok_or_else(|| bad("window must be day, week, month or all"))?,
                ),
            };
            let category = query
                .cat
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(category)
                .transpose()?;
            Ok(Source::Trending { window, category })
        }
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
    let mut key = format!("feed/{:?}/{}", format, source.key());
    if let (Source::Search { .. }, Some(search)) = (&source, &state.search) {
        // Results by meaning change as vectors arrive, which the papers' sequence misses.
        key.push_str(&format!("/v{}", search.vectors_position()));
    }
    let (seq, changed_at) = state.cache.version(store).await;
    // A weak validator: the same data (change sequence) and the same feed give the same
    // body; without a known sequence there is no validator at all.
    let etag = seq.map(|seq| format!("W/\"{seq}-{:x}\"", fnv(&key)));
    let last_modified = httpdate::fmt_http_date(changed_at);
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
    let body = if matches!(source, Source::Search { .. }) {
        render_feed().await?
    } else {
        state.cache.get_or_render(store, key, render_feed).await?
    };
    let mut response = if not_modified(headers, etag.as_deref(), changed_at) {
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
    if let Some(value) = etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
        h.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&last_modified) {
        h.insert(header::LAST_MODIFIED, value);
    }
    Ok(response)
}

/// RFC 9110 conditional GET: `If-None-Match` (weak comparison, lists, `*`) when present,
/// else `If-Modified-Since` at or after the last change.
fn not_modified(
    headers: &HeaderMap,
    etag: Option<&str>,
    changed_at: std::time::SystemTime,
) -> bool {
    if let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let Some(etag) = etag else { return false };
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
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
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
