//! Topics (saved searches): the list with each topic's count of new papers, a topic's
//! page (its search, newest first), its feed at `/feeds/topic/{id}.atom|rss|json?key=…`
//! (a signed key in the URL, since feed readers carry no cookie: topics are private),
//! and the forms that save and delete them.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_store::{Store, Topic};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::auth::Viewer;
use super::community::{actor, decorate_cards};
use super::error::AppError;
use super::feed_formats::Feed;
use super::pages::{html, render};
use super::views::CardView;
use crate::library::topics::{new_matches, new_topic};
use crate::search::Search;

/// Papers on a topic's page and in its feed.
const TOPIC_PAPERS: usize = 50;

/// A topic on the list.
#[derive(Debug, Clone)]
pub struct TopicRow {
    /// The topic.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Query.
    pub query: String,
    /// Papers listed since it was last opened.
    pub new: usize,
}

/// `/topics`.
#[derive(Debug, Template)]
#[template(path = "topics.html")]
pub struct TopicsPage {
    /// Form token.
    pub csrf: String,
    /// The member's topics.
    pub topics: Vec<TopicRow>,
    /// Prefilled from a search (`?q=&mode=&cat=`).
    pub query: String,
    /// Prefilled mode.
    pub mode: String,
    /// Prefilled category.
    pub cat: String,
    /// What was wrong with the last try.
    pub error: Option<String>,
}

/// `/topics/{id}`.
#[derive(Debug, Template)]
#[template(path = "topic.html")]
pub struct TopicPage {
    /// Form token.
    pub csrf: String,
    /// The topic.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Query.
    pub query: String,
    /// Matches in all.
    pub total: usize,
    /// The newest matches.
    pub cards: Vec<CardView>,
    /// The feed's path with its key, without extension and query: `/feeds/topic/7`.
    pub feed_key: String,
}

/// Prefill of the topic form.
#[derive(Debug, Default, Deserialize)]
pub struct TopicQuery {
    q: Option<String>,
    mode: Option<String>,
    cat: Option<String>,
    key: Option<String>,
}

fn search_of(state: &AppState) -> Result<&Arc<Search>, AppError> {
    state.search.as_ref().ok_or_else(|| {
        AppError::BadRequest(
            "Search is not available on this server, so topics are not either.".to_owned(),
        )
    })
}

/// `GET /topics`: the member's topics with their new papers, and a form to add one.
pub async fn show_topics(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<TopicQuery>,
) -> Result<Response, AppError> {
    let user = viewer.member("/topics")?;
    let topics = state.store.topics(user.id).await?;
    let mut rows = Vec::with_capacity(topics.len());
    for topic in topics {
        let since = topic.seen_at.date() + Duration::days(1);
        let new = match &state.search {
            Some(search) => new_matches(search, &topic, Some(since), 0)
                .await
                .map_or(0, |(n, _)| n),
            None => 0,
        };
        rows.push(TopicRow {
            id: topic.id,
            name: topic.name,
            query: topic.query,
            new,
        });
    }
    let page = TopicsPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        topics: rows,
        query: query.q.unwrap_or_default(),
        mode: query.mode.unwrap_or_default(),
        cat: query.cat.unwrap_or_default(),
        error: None,
    };
    Ok(html(render(&page)?))
}

/// The new-topic form.
#[derive(Debug, Deserialize)]
pub struct TopicForm {
    name: String,
    q: String,
    mode: Option<String>,
    cat: Option<String>,
}

/// `POST /topics`: saves a search as a topic.
pub async fn create_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TopicForm>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/topics")?;
    let mode = form.mode.as_deref().unwrap_or_default();
    let cat = form.cat.as_deref().unwrap_or_default();
    let topic = match new_topic(&form.name, &form.q, mode, cat) {
        Ok(topic) => topic,
        Err(error) => {
            let page = TopicsPage {
                csrf: viewer.csrf().unwrap_or_default().to_owned(),
                topics: Vec::new(),
                query: form.q,
                mode: mode.to_owned(),
                cat: cat.to_owned(),
                error: Some(error),
            };
            return Ok((axum::http::StatusCode::BAD_REQUEST, html(render(&page)?)).into_response());
        }
    };
    let saved = state
        .store
        .create_topic(user.id, &topic, OffsetDateTime::now_utc())
        .await?;
    Ok(Redirect::to(&format!("/topics/{}", saved.id)).into_response())
}

/// A member's own topic; anyone else's is "not found".
async fn own_topic(store: &dyn Store, id: i64, user: i64) -> Result<Topic, AppError> {
    store
        .topic(id)
        .await?
        .filter(|t| t.user_id == user)
        .ok_or_else(|| AppError::not_found("No such topic", "It may have been deleted."))
}

/// `GET /topics/{id}`: the topic's newest matches; marks it seen.
pub async fn show_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = viewer.member(&format!("/topics/{id}"))?;
    let topic = own_topic(state.store.as_ref(), id, user.id).await?;
    let (total, papers) = new_matches(search_of(&state)?, &topic, None, TOPIC_PAPERS).await?;
    let store = state.store.as_ref();
    let ids: Vec<_> = papers.iter().map(|p| p.id.clone()).collect();
    let external = store.external_links(&ids).await?;
    let mut cards: Vec<CardView> = papers.iter().map(|p| CardView::new(p, &external)).collect();
    decorate_cards(&state, &viewer, &mut cards).await?;
    store
        .mark_topic_seen(user.id, id, OffsetDateTime::now_utc())
        .await?;
    let page = TopicPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        id,
        feed_key: state.auth.sign("topic-feed", &id.to_string()),
        name: topic.name,
        query: topic.query,
        total,
        cards,
    };
    Ok(html(render(&page)?))
}

/// `POST /topics/{id}/delete`.
pub async fn delete_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/topics")?;
    if !state.store.delete_topic(user.id, id).await? {
        return Err(AppError::not_found(
            "No such topic",
            "It may have been deleted.",
        ));
    }
    Ok(Redirect::to("/topics").into_response())
}

/// `GET /feeds/topic/{id}.atom|rss|json?key=…`: a topic's newest matches as a feed.
/// A wrong key is the same 404 as a missing topic.
pub async fn show_topic_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<TopicQuery>,
) -> Result<Response, AppError> {
    let missing = || {
        AppError::not_found(
            "No such feed",
            "Copy the feed's address from the topic's page.",
        )
    };
    let (id, ext) = file.rsplit_once('.').ok_or_else(missing)?;
    let key = query.key.unwrap_or_default();
    let expected = state.auth.sign("topic-feed", id);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        key.as_bytes(),
        expected.as_bytes(),
    )) {
        return Err(missing());
    }
    let id: i64 = id.parse().map_err(|_| missing())?;
    let topic = state.store.topic(id).await?.ok_or_else(missing)?;
    let (_, papers) = new_matches(search_of(&state)?, &topic, None, TOPIC_PAPERS).await?;
    let feed = Feed {
        title: format!("Paperstand topic: {}", topic.name),
        base: &state.public_url,
        updated: papers.iter().map(|p| p.listed_on).max(),
        papers: &papers,
    };
    let self_url = format!(
        "{}/feeds/topic/{file}?key={key}",
        state.public_url.trim_end_matches('/')
    );
    let (body, content_type) = match ext {
        "atom" => (feed.atom(&self_url), "application/atom+xml; charset=utf-8"),
        "rss" => (feed.rss(&self_url), "application/rss+xml; charset=utf-8"),
        "json" => (feed.json(&self_url), "application/feed+json; charset=utf-8"),
        _ => return Err(missing()),
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response())
}
