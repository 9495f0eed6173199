//! `/for-you`: recent papers ranked for the signed-in member by the
//! [`Recommender`](crate::recs::Recommender) (their model blended with the trending
//! score by their dial), each with why it is there; and the dial's form.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_core::ArxivId;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::auth::Viewer;
use super::community::{actor, decorate_cards};
use super::error::AppError;
use super::pages::{html, parse_page, render};
use super::views::{CardView, Pager};
use crate::ranking::papers_in_order;
use crate::recs::service::DEFAULT_DIAL;
use crate::recs::{Features, PickRequest};

/// Picks per page.
const FOR_YOU_PAGE_SIZE: u32 = 30;
/// The window when none is asked for: papers listed in the last 30 days of listings.
const DEFAULT_DAYS: u32 = 30;
/// The longest window in days (ten years: every paper).
const MAX_DAYS: u32 = 3_650;

/// One pick as shown.
#[derive(Debug, Clone)]
pub struct PickView {
    /// The card.
    pub card: CardView,
    /// "Because you saved" / "Because you upvoted", or empty.
    pub because: String,
    /// The title of the saved paper it is close to.
    pub close_to: Option<String>,
    /// Personal relevance in percent.
    pub personal: u32,
    /// Trending, relative to the best, in percent.
    pub trending: u32,
}

/// `/for-you`.
#[derive(Debug, Template)]
#[template(path = "foryou.html")]
pub struct ForYouPage {
    /// Form token.
    pub csrf: String,
    /// The picks of this page.
    pub picks: Vec<PickView>,
    /// The dial, 0..1, as shown (two decimals).
    pub dial: String,
    /// The window in days.
    pub days: u32,
    /// Pages.
    pub pager: Option<Pager>,
    /// The member has nothing to learn from yet.
    pub cold: bool,
    /// A message after the dial changed.
    pub notice: Option<String>,
    /// What the model reads: "sentence embeddings" or "word statistics (tf-idf)".
    pub features: &'static str,
}

/// Query of `/for-you`.
#[derive(Debug, Deserialize)]
pub struct ForYouQuery {
    days: Option<String>,
    page: Option<String>,
    clamped: Option<String>,
}

fn parse_days(text: Option<&str>) -> Result<u32, AppError> {
    match text.map(str::trim) {
        None | Some("") => Ok(DEFAULT_DAYS),
        Some("all") => Ok(MAX_DAYS),
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "days={:?}: use a number of days from 1 to {MAX_DAYS}, or all",
                    t.chars().take(20).collect::<String>()
                ))
            }),
    }
}

/// `GET /for-you?days=N&page=N`: the member's picks.
pub async fn show_for_you(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ForYouQuery>,
) -> Result<Response, AppError> {
    let user = viewer.member("/for-you")?;
    let days = parse_days(query.days.as_deref())?;
    let page_no = parse_page(query.page.as_deref())?;
    let store = state.store.as_ref();
    let now = OffsetDateTime::now_utc();
    let latest = store.latest_listing_date().await?.unwrap_or(now.date());
    let dial = store.dial(user.id).await?.unwrap_or(DEFAULT_DIAL);
    let request = PickRequest {
        since: Some(latest - Duration::days(i64::from(days) - 1)),
        dial,
        offset: ((page_no - 1) * FOR_YOU_PAGE_SIZE) as usize,
        limit: FOR_YOU_PAGE_SIZE as usize + 1,
        now,
    };
    let mut picks = state
        .recs
        .picks(store, &state.ranking, user.id, &request)
        .await?;
    let more = picks.len() > FOR_YOU_PAGE_SIZE as usize;
    picks.truncate(FOR_YOU_PAGE_SIZE as usize);
    let ids: Vec<ArxivId> = picks.iter().map(|p| p.id.clone()).collect();
    let papers = papers_in_order(store, &ids).await?;
    let external = store.external_links(&ids).await?;
    let mut cards: Vec<CardView> = papers.iter().map(|p| CardView::new(p, &external)).collect();
    decorate_cards(&state, &viewer, &mut cards).await?;
    let features = match state.recs.corpus(store).await?.0.features {
        Features::Embeddings => "sentence embeddings",
        Features::TfIdf => "word statistics (tf-idf)",
    };
    let feedback = store.feedback(user.id).await?;
    let cold = feedback.saved.is_empty() && feedback.upvoted.is_empty();
    let views = cards
        .into_iter()
        .zip(&picks)
        .map(|(card, pick)| PickView {
            card,
            because: match (&pick.close_to, pick.close_to_saved) {
                (None, _) => String::new(),
                (Some(_), true) => "Because you saved".to_owned(),
                (Some(_), false) => "Because you upvoted".to_owned(),
            },
            close_to: pick.close_to.clone(),
            personal: (pick.personal * 100.0).round() as u32,
            trending: (pick.trending * 100.0).round() as u32,
        })
        .collect();
    let pager = (page_no > 1 || more).then(|| Pager {
        previous: (page_no > 1).then(|| format!("/for-you?days={days}&page={}", page_no - 1)),
        next: more.then(|| format!("/for-you?days={days}&page={}", page_no + 1)),
        label: format!("page {page_no}"),
    });
    let page = ForYouPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        picks: views,
        dial: format!("{dial:.2}"),
        days,
        pager,
        cold,
        features,
        notice: query
            .clamped
            .map(|_| "The dial goes from 0 (only your interests) to 1 (only trending); your value was brought within that.".to_owned()),
    };
    Ok(html(render(&page)?))
}

/// The dial form.
#[derive(Debug, Deserialize)]
pub struct DialForm {
    dial: String,
}

/// `POST /for-you/dial`: sets the member's dial; a value outside 0..1 is clamped (and the
/// page says so), text that is not a number is refused.
pub async fn set_dial(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<DialForm>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/for-you")?;
    let value = form
        .dial
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "dial={:?} is not a number; use a number from 0 (only your interests) to 1 (only trending)",
                form.dial.chars().take(20).collect::<String>()
            ))
        })?;
    let clamped = value.clamp(0.0, 1.0);
    state
        .store
        .set_dial(user.id, clamped, OffsetDateTime::now_utc())
        .await?;
    let target = if clamped == value {
        "/for-you"
    } else {
        "/for-you?clamped=1"
    };
    Ok(Redirect::to(target).into_response())
}
