//! What members do: upvote, comment, submit papers; what curators do: feature, hide,
//! remove comments. Every handler here answers a POST (guarded by the CSRF middleware)
//! except the submit form, and every one needs a signed-in member.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_core::ArxivId;
use paperstand_store::{SubmitOutcome, User};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::auth::Viewer;
use super::comment_markdown::check_comment;
use super::error::AppError;
use super::pages::{html, render};
use super::views::CardView;
use crate::ingest::arxiv_api::ArxivApi;
use crate::ingest::fetch::Fetcher;

/// How members may submit papers, and where metadata comes from.
#[derive(Debug, Clone)]
pub struct Submissions {
    /// The arXiv API client's fetcher and base URL; `None`: submissions are off.
    pub arxiv: Option<(Arc<Fetcher>, String)>,
    /// Members submit papers whose v1 is at most this many days old.
    pub window_days: u32,
}

impl Default for Submissions {
    fn default() -> Self {
        Submissions {
            arxiv: None,
            window_days: DEFAULT_SUBMIT_WINDOW_DAYS,
        }
    }
}

/// The default submission window.
pub const DEFAULT_SUBMIT_WINDOW_DAYS: u32 = 14;

/// An upvote form.
#[derive(Debug, Deserialize)]
pub struct VoteForm {
    /// `1` to upvote, `0` to take it back.
    up: String,
}

/// What the upvote script gets back.
#[derive(Debug, Serialize)]
pub struct VoteState {
    /// The paper's upvotes now.
    pub upvotes: u64,
    /// Whether this member's upvote is on it.
    pub voted: bool,
}

/// A comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    body: String,
}

/// A curation form.
#[derive(Debug, Deserialize)]
pub struct CurateForm {
    action: String,
}

/// The submit form.
#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    paper: String,
    /// A curator's "submit even though it is older than the window".
    #[serde(rename = "override")]
    override_window: Option<String>,
}

/// The submit page.
#[derive(Debug, Template)]
#[template(path = "submit.html")]
pub struct SubmitPage {
    csrf: String,
    paper: String,
    error: Option<String>,
    notice: Option<(String, String)>,
    window_days: u32,
    curator: bool,
}

/// An acting member: signed in, address confirmed, not suspended (suspended members
/// have no session, so only the first two need checking).
pub(super) fn actor<'a>(viewer: &'a Viewer, next: &str) -> Result<&'a User, AppError> {
    let user = viewer.member(next)?;
    if user.email_verified_at.is_none() {
        return Err(AppError::Forbidden(
            "Confirm your e-mail address first: the link is in your inbox.".to_owned(),
        ));
    }
    Ok(user)
}

pub(super) fn parse_id(text: &str) -> Result<ArxivId, AppError> {
    text.parse::<ArxivId>()
        .map(|id| id.without_version())
        .map_err(|e| AppError::BadRequest(format!("{e}")))
}

pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// Back to the page the form was on (this site's only), else `fallback`.
pub(super) fn back(headers: &HeaderMap, public_url: &str, fallback: &str) -> Response {
    let target = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok())?;
            let path = r
                .strip_prefix(public_url.trim_end_matches('/'))
                .or_else(|| r.strip_prefix(&format!("http://{host}")))
                .or_else(|| r.strip_prefix(&format!("https://{host}")))?;
            (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
        })
        .unwrap_or_else(|| fallback.to_owned());
    Redirect::to(&target).into_response()
}

/// `POST /vote/{id}`: sets (`up=1`) or removes (`up=0`) the member's upvote. Sending the
/// same twice (a double click) counts once. Answers JSON to the script, else goes back.
pub async fn vote(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<VoteForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let href = format!("/papers/{id}");
    let user = actor(&viewer, &href)?;
    let up = match form.up.as_str() {
        "1" => true,
        "0" => false,
        other => {
            return Err(AppError::BadRequest(format!(
                "up={other:?}: send up=1 to upvote or up=0 to take it back"
            )));
        }
    };
    let paper = state.store.paper(&id).await?;
    if paper.is_none() {
        return Err(AppError::not_found(
            format!("No paper {id} here"),
            "Only papers listed on this site can be upvoted.",
        ));
    }
    let upvotes = state
        .store
        .set_vote(user.id, &id, up, OffsetDateTime::now_utc())
        .await?;
    if wants_json(&headers) {
        return Ok(Json(VoteState { upvotes, voted: up }).into_response());
    }
    Ok(back(&headers, &state.public_url, &href))
}

/// `POST /comment/{id}`: adds a comment, within the member's rate limit.
pub async fn add_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let href = format!("/papers/{id}");
    let user = actor(&viewer, &href)?;
    check_comment(&form.body).map_err(AppError::BadRequest)?;
    match state.store.paper_community(&id).await {
        Ok(community) if community.hidden => {
            return Err(AppError::Forbidden(
                "This paper was hidden by the curators; it takes no comments.".to_owned(),
            ));
        }
        Ok(_) => {}
        Err(e) => return Err(e.into()),
    }
    if state.store.paper(&id).await?.is_none() {
        return Err(AppError::not_found(
            format!("No paper {id} here"),
            "Only papers listed on this site take comments.",
        ));
    }
    let limits = state.auth.limits;
    let key = user.id.to_string();
    let now = OffsetDateTime::now_utc();
    let recent = state
        .store
        .count_events("comment", &key, now - Duration::minutes(10))
        .await?;
    let today = state
        .store
        .count_events("comment", &key, now - Duration::days(1))
        .await?;
    if recent >= limits.comments_per_ten_minutes || today >= limits.comments_per_day {
        return Err(AppError::TooMany {
            detail: format!(
                "You can post {} comments in ten minutes and {} a day. Your comment was not \
                 posted: copy it, and post it a little later.",
                limits.comments_per_ten_minutes, limits.comments_per_day
            ),
            retry_after: 600,
        });
    }
    state
        .store
        .record_event("comment", &key, now, now - Duration::days(1))
        .await?;
    let comment = state
        .store
        .add_comment(user.id, &id, form.body.trim(), now)
        .await?;
    Ok(Redirect::to(&format!("{href}#comment-{}", comment.id)).into_response())
}

/// `POST /comments/{n}/{action}`: `edit` (author), `delete` (author), `report` (any
/// member), `remove` and `dismiss` (curators).
pub async fn comment_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((number, action)): Path<(i64, String)>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(comment) = state.store.comment(number).await? else {
        return Err(AppError::not_found(
            "No such comment",
            "It may have been removed.",
        ));
    };
    let href = format!("/papers/{}", comment.arxiv_id);
    let user = actor(&viewer, &href)?;
    let now = OffsetDateTime::now_utc();
    let anchor = format!("{href}#comment-{number}");
    match action.as_str() {
        "edit" => {
            let body = form.get("body").map(String::as_str).unwrap_or_default();
            check_comment(body).map_err(AppError::BadRequest)?;
            if comment.user_id != Some(user.id) {
                return Err(AppError::Forbidden(
                    "Only its author can edit a comment.".to_owned(),
                ));
            }
            if !state
                .store
                .edit_comment(number, user.id, body.trim(), now)
                .await?
            {
                return Err(AppError::Forbidden(
                    "This comment was removed; it cannot be edited.".to_owned(),
                ));
            }
        }
        "delete" => {
            if comment.user_id != Some(user.id) && !user.role.moderates() {
                return Err(AppError::Forbidden(
                    "Only its author or a curator can delete a comment.".to_owned(),
                ));
            }
            state.store.remove_comment(number, user.id, now).await?;
            return Ok(Redirect::to(&href).into_response());
        }
        "remove" => {
            viewer.curator(&href)?;
            state.store.remove_comment(number, user.id, now).await?;
            return Ok(Redirect::to(&format!("{href}#comments")).into_response());
        }
        "dismiss" => {
            viewer.curator(&href)?;
            state.store.dismiss_reports(number, now).await?;
            return Ok(Redirect::to("/admin#reports").into_response());
        }
        "report" => {
            let reason: String = form
                .get("reason")
                .map(String::as_str)
                .unwrap_or("")
                .trim()
                .chars()
                .take(500)
                .collect();
            let reason = if reason.is_empty() {
                "no reason given".to_owned()
            } else {
                reason
            };
            state
                .store
                .report_comment(number, user.id, &reason, now)
                .await?;
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "{other:?} is not something a comment can do: edit, delete, report, remove or dismiss"
            )));
        }
    }
    Ok(Redirect::to(&anchor).into_response())
}

/// `POST /curate/{id}`: `hide`, `show`, `feature` or `unfeature` (curators).
pub async fn curate(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CurateForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let href = format!("/papers/{id}");
    let user = viewer.curator(&href)?;
    let now = OffsetDateTime::now_utc();
    match form.action.as_str() {
        "hide" => state.store.set_hidden(&id, true, user.id, now).await?,
        "show" => state.store.set_hidden(&id, false, user.id, now).await?,
        "feature" => state.store.set_featured(&id, true, user.id, now).await?,
        "unfeature" => state.store.set_featured(&id, false, user.id, now).await?,
        other => {
            return Err(AppError::BadRequest(format!(
                "action={other:?}: use hide, show, feature or unfeature"
            )));
        }
    }
    tracing::info!(paper = %id, action = %form.action, curator = user.id, "curated a paper");
    Ok(back(&headers, &state.public_url, &href))
}

/// `GET /submit`.
pub async fn show_submit(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let user = viewer.member("/submit")?;
    let page = SubmitPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        paper: String::new(),
        error: None,
        notice: None,
        window_days: state.submissions.window_days,
        curator: user.role.moderates(),
    };
    Ok(html(render(&page)?))
}

/// `POST /submit`: takes an arXiv id or URL, fetches the metadata from arXiv, and
/// credits the member. A paper submitted before adds nothing and names its submitter.
/// If arXiv cannot be reached nothing is saved.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/submit")?.clone();
    let curator = user.role.moderates();
    let page = |error: Option<String>, notice: Option<(String, String)>| SubmitPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        paper: form.paper.clone(),
        error,
        notice,
        window_days: state.submissions.window_days,
        curator,
    };
    let refuse = |error: String| -> Result<Response, AppError> {
        let mut response = html(render(&page(Some(error), None))?);
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    };
    let id = match form.paper.trim().parse::<ArxivId>() {
        Ok(id) => id.without_version(),
        Err(e) => {
            return refuse(format!(
                "{e}. Paste an arXiv id such as 2503.11731 or a link such as https://arxiv.org/abs/2503.11731."
            ));
        }
    };
    if let Some(first) = state.store.submission(&id).await? {
        return refuse(format!(
            "{id} was already submitted by {} on {}. Your upvote helps it more now.",
            first.submitter,
            paperstand_core::record::format_date(first.submitted_at.date())
        ));
    }
    let now = OffsetDateTime::now_utc();
    let key = user.id.to_string();
    if state
        .store
        .count_events("submit", &key, now - Duration::days(1))
        .await?
        >= state.auth.limits.submissions_per_day
    {
        return Err(AppError::TooMany {
            detail: format!(
                "Members submit at most {} papers a day. Try again tomorrow.",
                state.auth.limits.submissions_per_day
            ),
            retry_after: 3600,
        });
    }
    let Some((fetcher, base_url)) = &state.submissions.arxiv else {
        return refuse("Submissions are off on this server (no arXiv API configured).".to_owned());
    };
    let api = ArxivApi::new(fetcher, base_url);
    let result = match api.fetch_ids(std::slice::from_ref(&id)).await {
        Ok(result) => result,
        Err(error) => {
            tracing::warn!(paper = %id, error = format!("{error:#}"), "arXiv did not answer a submission");
            return refuse(format!(
                "arXiv did not answer ({error}). Nothing was saved; try again in a few minutes."
            ));
        }
    };
    let Some(entry) = result
        .entries
        .into_iter()
        .find(|e| e.paper.id.base() == id.base())
    else {
        return refuse(format!(
            "arXiv has no paper {id}. Check the id: new ones look like 2503.11731, old ones like hep-th/0601001."
        ));
    };
    let age = (now.date() - entry.published).whole_days();
    let window = i64::from(state.submissions.window_days);
    let overridden = curator && form.override_window.as_deref() == Some("1");
    if age > window && !overridden {
        return refuse(format!(
            "{id} was first submitted to arXiv on {}, {age} days ago; members submit papers up to \
             {window} days old.{}",
            paperstand_core::record::format_date(entry.published),
            if curator {
                " As a curator you can tick \"submit anyway\"."
            } else {
                " A curator can still add it."
            }
        ));
    }
    state
        .store
        .record_event("submit", &key, now, now - Duration::days(1))
        .await?;
    match state.store.submit_paper(&entry.paper, user.id, now).await? {
        SubmitOutcome::Submitted => {
            tracing::info!(paper = %id, member = user.id, "a member submitted a paper");
            Ok(Redirect::to(&format!("/papers/{id}?submitted=1")).into_response())
        }
        SubmitOutcome::AlreadySubmitted(first) => refuse(format!(
            "{id} was already submitted by {} on {}.",
            first.submitter,
            paperstand_core::record::format_date(first.submitted_at.date())
        )),
    }
}

/// Fills in the cards' upvotes and comment counts, and for a signed-in member which
/// ones they upvoted and the token their vote forms carry.
pub async fn decorate_cards(
    state: &AppState,
    viewer: &Viewer,
    cards: &mut [CardView],
) -> Result<(), AppError> {
    let ids: Vec<ArxivId> = cards.iter().filter_map(|c| c.id.parse().ok()).collect();
    let counts = state.store.counts(&ids).await?;
    let (voted, saved) = match &viewer.user {
        Some(user) => (
            state.store.voted(user.id, &ids).await?,
            state.store.saved_among(user.id, &ids).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    for card in cards.iter_mut() {
        let Ok(id) = card.id.parse::<ArxivId>() else {
            continue;
        };
        let count = counts.get(&id).copied().unwrap_or_default();
        card.upvotes = count.upvotes;
        card.comments = count.comments;
        card.voted = voted.contains(&id);
        card.saved = saved.contains(&id);
        card.csrf = viewer
            .csrf()
            .filter(|_| viewer.user.is_some())
            .map(str::to_owned);
    }
    Ok(())
}

/// Fills in a paper page's community part: votes, comments, submitter, curation and
/// GitHub stars, with the forms a signed-in member may use.
pub async fn fill_paper_page(
    state: &AppState,
    viewer: &Viewer,
    page: &mut super::views::PaperPage,
    community: &paperstand_store::PaperCommunity,
) -> Result<(), AppError> {
    use super::views::{CommentView, RepoView};
    let id: ArxivId = parse_id(&page.card.id)?;
    decorate_cards(state, viewer, std::slice::from_mut(&mut page.card)).await?;
    let me = viewer.user.as_ref().map(|u| u.id);
    let comments = state.store.comments(&id).await?;
    let view = &mut page.community;
    view.hidden = community.hidden;
    view.featured = community.featured;
    view.submitted_by = community.submission.as_ref().map(|s| {
        (
            s.submitter.clone(),
            paperstand_core::record::format_date(s.submitted_at.date()),
        )
    });
    view.comment_count = comments.iter().filter(|c| c.removed_at.is_none()).count();
    view.comments = comments
        .into_iter()
        .map(|c| CommentView {
            id: c.id,
            author: c.author,
            when: paperstand_core::record::format_date(c.created_at.date()),
            edited: c.edited_at.is_some(),
            body_html: if c.removed_at.is_some() {
                String::new()
            } else {
                super::comment_markdown::render_comment(&c.body)
            },
            removed: c.removed_at.is_some(),
            mine: c.user_id.is_some() && c.user_id == me,
            deleted: c.user_id.is_none(),
            body: c.body,
        })
        .collect();
    view.csrf = viewer
        .csrf()
        .filter(|_| viewer.user.is_some())
        .map(str::to_owned);
    view.curator = viewer.moderates();
    view.repos = state
        .store
        .paper_repos(&id)
        .await?
        .into_iter()
        .filter(|r| r.status != "gone")
        .map(|r| RepoView {
            url: format!("https://github.com/{}", r.full_name),
            name: r.full_name,
            stars: r.stars.map(paperstand_core::group_thousands),
            observed_on: r.observed_on.map(paperstand_core::record::format_date),
        })
        .collect();
    Ok(())
}
