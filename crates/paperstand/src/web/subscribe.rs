//! Digest subscriptions: subscribe (`/subscribe`, an address only, or one click for a
//! signed-in member), confirm (`/subscribe/confirm/TOKEN`), manage preferences
//! (`/subscription/TOKEN`, a signed link, no sign-in), unsubscribe (`/u/TOKEN`: a GET
//! shows a button, the POST with `List-Unsubscribe=One-Click` acts at once — RFC 8058,
//! the only CSRF-exempt route), and the preview (`/digest/preview`).
//!
//! The subscribe form answers the same whatever the address's state, so it does not
//! reveal who subscribes; it is throttled per client address and per e-mail address.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_store::{Frequency, Preferences, SubscribeOutcome, Subscriber, SubscriberStatus};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::accounts::{
    ConfirmPage, normalize_email, page_with_cookie, send_in_background, throttle,
};
use super::auth::{Viewer, random_token, token_hash};
use super::error::AppError;
use super::pages::render;
use super::views::MessagePage;
use crate::digest::links::Purpose;
use crate::digest::preferences::{PreferencesForm, parse_preferences};
use crate::mail::Message;

/// How long a subscription-confirmation link works.
const CONFIRM_LIFETIME: Duration = Duration::hours(48);
/// Confirmation e-mails one address may be sent a day (so the form cannot flood anyone).
const CONFIRMATIONS_PER_ADDRESS_DAY: u64 = 3;

/// The subscribe page.
#[derive(Debug, Template)]
#[template(path = "subscribe.html")]
pub struct SubscribePage {
    csrf: String,
    member_email: Option<String>,
    manage_url: Option<String>,
    email: String,
    error: Option<String>,
}

/// The manage page.
#[derive(Debug, Template)]
#[template(path = "subscription.html")]
pub struct ManagePage {
    csrf: String,
    action: String,
    unsubscribe_action: String,
    email: String,
    status: &'static str,
    active: bool,
    prefs: Preferences,
    categories: String,
    /// Linked to a member: picks and topics are offered.
    member: bool,
    /// The member's topics: (id, name, chosen).
    topics: Vec<(i64, String, bool)>,
    notice: Option<String>,
    error: Option<String>,
}

/// The subscribe form.
#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    email: Option<String>,
    frequency: Option<String>,
}

/// The one-click unsubscribe body (RFC 8058).
#[derive(Debug, Deserialize)]
pub struct OneClick {
    #[serde(rename = "List-Unsubscribe")]
    list_unsubscribe: Option<String>,
}

/// `GET /digest/preview` query.
#[derive(Debug, Deserialize)]
pub struct PreviewQuery {
    format: Option<String>,
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn message(
    status: StatusCode,
    title: &str,
    detail: &str,
    links: &[(&str, &str)],
) -> Result<Response, AppError> {
    let page = MessagePage {
        title: title.to_owned(),
        detail: detail.to_owned(),
        links: links
            .iter()
            .map(|(l, h)| ((*l).to_owned(), (*h).to_owned()))
            .collect(),
    };
    Ok(no_store(
        (status, super::pages::html(render(&page)?)).into_response(),
    ))
}

fn manage_path(state: &AppState, id: i64) -> String {
    format!(
        "/subscription/{}",
        state.digest_signer().token(Purpose::Manage, id)
    )
}

/// `GET /subscribe`.
pub async fn show_subscribe(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let mut page = SubscribePage {
        csrf,
        member_email: None,
        manage_url: None,
        email: String::new(),
        error: None,
    };
    if let Some(user) = &viewer.user {
        page.member_email = Some(user.email.clone());
        if let Some(s) = state.store.subscriber_by_email(&user.email).await?
            && s.status == SubscriberStatus::Active
        {
            page.manage_url = Some(manage_path(&state, s.id));
        }
    }
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// The key the per-address confirmation limit counts under: a hash, never the address.
pub(super) fn address_key(email: &str) -> String {
    token_hash(&format!("subscribe:{email}"))[..32].to_owned()
}

/// `POST /subscribe`: a member subscribes their verified address at once; anyone else
/// gets a confirmation link.
pub async fn subscribe(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SubscribeForm>,
) -> Result<Response, AppError> {
    let now = OffsetDateTime::now_utc();
    let mut prefs = Preferences::default();
    if form.frequency.as_deref() == Some("weekly") {
        prefs.frequency = Frequency::Weekly;
    }
    if let Some(user) = viewer.user.as_ref().filter(|_| form.email.is_none()) {
        let outcome = state
            .store
            .subscribe(&user.email, Some(user.id), &prefs, None, now)
            .await?;
        let id = match outcome {
            SubscribeOutcome::Active(s) | SubscribeOutcome::AlreadyActive(s) => s.id,
            SubscribeOutcome::ConfirmationNeeded(s) => s.id,
        };
        return Ok(
            Redirect::to(&format!("{}?subscribed=1", manage_path(&state, id))).into_response(),
        );
    }
    let given = form.email.unwrap_or_default();
    let Some(email) =
        normalize_email(&given).filter(|e| e.split('@').next().is_some_and(|l| l.len() <= 64))
    else {
        let (csrf, cookie) = viewer.form_csrf(&state.auth);
        let page = SubscribePage {
            csrf,
            member_email: viewer.user.as_ref().map(|u| u.email.clone()),
            manage_url: None,
            email: given.chars().take(254).collect(),
            error: Some("That does not look like an e-mail address: use one such as ada@example.org (at most 254 characters, no spaces).".to_owned()),
        };
        return Ok(page_with_cookie(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&page)?,
            cookie,
        ));
    };
    throttle(
        &state,
        "subscribe.ip",
        &viewer.limit_key(),
        state.auth.limits.signups_per_ip_hour,
        Duration::hours(1),
        "Too many subscriptions were asked for from your address in the last hour. Try again later.",
    )
    .await?;
    let address_key = address_key(&email);
    let quiet = state
        .store
        .count_events("subscribe.address", &address_key, now - Duration::days(1))
        .await?
        >= CONFIRMATIONS_PER_ADDRESS_DAY;
    if !quiet {
        state
            .store
            .record_event(
                "subscribe.address",
                &address_key,
                now,
                now - Duration::days(1),
            )
            .await?;
        let token = random_token();
        let hash = token_hash(&token);
        let outcome = state
            .store
            .subscribe(
                &email,
                None,
                &prefs,
                Some((&hash, now + CONFIRM_LIFETIME)),
                now,
            )
            .await?;
        let url = &state.public_url;
        let text = match outcome {
            SubscribeOutcome::AlreadyActive(s) => format!(
                "Someone (perhaps you) asked to subscribe this address to Paperstand's digest. \
                 It is subscribed already.\n\nChange what you get: {url}{}\n\n\
                 If it was not you, you can ignore this message.\n",
                manage_path(&state, s.id)
            ),
            _ => format!(
                "Someone (perhaps you) asked to receive Paperstand's digest of trending papers \
                 at this address.\n\nConfirm (the link works for 48 hours): {url}/subscribe/confirm/{token}\n\n\
                 If it was not you, ignore this message: nothing will be sent.\n"
            ),
        };
        send_in_background(
            &state,
            Message {
                to: email,
                subject: "Confirm your Paperstand digest".to_owned(),
                text,
            },
        );
    }
    message(
        StatusCode::OK,
        "Check your inbox",
        "If this address can subscribe, a confirmation link is on its way. It works for 48 hours; \
         nothing is sent before you confirm.",
        &[("Back to the papers", "/")],
    )
}

/// `GET /subscribe/confirm/{token}`: a button; nothing changes.
pub async fn show_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = ConfirmPage::new(
        csrf,
        "Confirm your subscription",
        "Press the button to start receiving Paperstand's digest at this address.",
        &format!("/subscribe/confirm/{}", super::views::encode_path(&token)),
        "Confirm",
    );
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// `POST /subscribe/confirm/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let now = OffsetDateTime::now_utc();
    match state
        .store
        .confirm_subscription(&token_hash(&token), now)
        .await?
    {
        Some(s) => {
            Ok(Redirect::to(&format!("{}?confirmed=1", manage_path(&state, s.id))).into_response())
        }
        None => message(
            StatusCode::NOT_FOUND,
            "This link does not work",
            "It was used already, it expired (links work for 48 hours), or it was copied incompletely. \
             Subscribe again to get a new one.",
            &[("Subscribe", "/subscribe")],
        ),
    }
}

fn invalid_link() -> Result<Response, AppError> {
    message(
        StatusCode::NOT_FOUND,
        "This link is not valid",
        "It may have been copied incompletely. Use the link in your latest digest, or subscribe again.",
        &[("Subscribe", "/subscribe")],
    )
}

async fn subscriber_of(
    state: &AppState,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Subscriber>, AppError> {
    match state.digest_signer().check(purpose, token) {
        Some(id) => Ok(state.store.subscriber(id).await?),
        None => Ok(None),
    }
}

/// Query of the manage page.
#[derive(Debug, Deserialize)]
pub struct ManageQuery {
    subscribed: Option<String>,
    confirmed: Option<String>,
}

async fn manage_page(
    state: &AppState,
    csrf: String,
    token: &str,
    s: &Subscriber,
) -> Result<ManagePage, AppError> {
    let topics = match s.user {
        Some(user) => state
            .store
            .topics(user)
            .await?
            .into_iter()
            .map(|t| {
                let chosen = s.preferences.topics.contains(&t.id);
                (t.id, t.name, chosen)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(ManagePage {
        csrf,
        action: format!("/subscription/{token}"),
        unsubscribe_action: format!(
            "/u/{}",
            state.digest_signer().token(Purpose::Unsubscribe, s.id)
        ),
        email: s.email.clone(),
        status: match s.status {
            SubscriberStatus::Active => "subscribed",
            SubscriberStatus::Pending => "waiting for confirmation",
            SubscriberStatus::Unsubscribed => "unsubscribed",
            SubscriberStatus::Bouncing => "paused: mail to this address kept bouncing",
        },
        active: s.status == SubscriberStatus::Active,
        categories: s.preferences.categories.join(", "),
        prefs: s.preferences.clone(),
        member: s.user.is_some(),
        topics,
        notice: None,
        error: None,
    })
}

/// `GET /subscription/{token}`.
pub async fn show_manage(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Query(query): Query<ManageQuery>,
) -> Result<Response, AppError> {
    let Some(s) = subscriber_of(&state, Purpose::Manage, &token).await? else {
        return invalid_link();
    };
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let mut page = manage_page(&state, csrf, &token, &s).await?;
    if query.confirmed.is_some() || query.subscribed.is_some() {
        page.notice = Some("You are subscribed. Choose what your digest holds below.".to_owned());
    }
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// `POST /subscription/{token}`: saves preferences.
pub async fn save_manage(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Some(s) = subscriber_of(&state, Purpose::Manage, &token).await? else {
        return invalid_link();
    };
    let mut form = PreferencesForm::from_pairs(&pairs);
    if s.user.is_none() {
        // Picks and topics belong to member accounts.
        form.picks = None;
        form.topics.clear();
    }
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let mut page = manage_page(&state, csrf, &token, &s).await?;
    let own: Vec<i64> = page.topics.iter().map(|(id, _, _)| *id).collect();
    match parse_preferences(&form, &s.preferences).and_then(|prefs| {
        match prefs.topics.iter().find(|t| !own.contains(t)) {
            Some(_) => Err("Choose among your own topics.".to_owned()),
            None => Ok(prefs),
        }
    }) {
        Ok(prefs) => {
            for (id, _, chosen) in &mut page.topics {
                *chosen = prefs.topics.contains(id);
            }
            state.store.set_preferences(s.id, &prefs).await?;
            page.categories = prefs.categories.join(", ");
            page.prefs = prefs;
            page.notice = Some("Saved. Your next digest follows these choices.".to_owned());
            Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
        }
        Err(why) => {
            page.error = Some(why);
            Ok(page_with_cookie(
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&page)?,
                cookie,
            ))
        }
    }
}

/// `GET /u/{token}`: a button that unsubscribes; nothing changes.
pub async fn show_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(s) = subscriber_of(&state, Purpose::Unsubscribe, &token).await? else {
        return invalid_link();
    };
    let page = super::views::UnsubscribePage {
        action: format!("/u/{token}"),
        done: !matches!(
            s.status,
            SubscriberStatus::Active | SubscriberStatus::Pending
        ),
    };
    Ok(no_store(
        (StatusCode::OK, super::pages::html(render(&page)?)).into_response(),
    ))
}

/// `POST /u/{token}` with `List-Unsubscribe=One-Click`: unsubscribes at once, no cookie
/// or CSRF token needed (RFC 8058). A tampered token changes nothing.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<OneClick>,
) -> Result<Response, AppError> {
    if form.list_unsubscribe.as_deref() != Some("One-Click") {
        return Err(AppError::BadRequest(
            "An unsubscribe request carries List-Unsubscribe=One-Click; use the button on this link's page.".to_owned(),
        ));
    }
    let Some(s) = subscriber_of(&state, Purpose::Unsubscribe, &token).await? else {
        return invalid_link();
    };
    state
        .store
        .unsubscribe(s.id, OffsetDateTime::now_utc())
        .await?;
    tracing::info!(subscriber = s.id, "unsubscribed from the digest");
    message(
        StatusCode::OK,
        "You are unsubscribed",
        "No more digests will be sent to this address. Changed your mind? Subscribe again (you will confirm by e-mail).",
        &[
            ("Subscribe again", "/subscribe"),
            ("Back to the papers", "/"),
        ],
    )
}

/// `GET /digest/preview`: the digest a signed-in member would get now, exactly as sent
/// (`?format=text` for the text part).
pub async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    let user = viewer.member("/digest/preview")?;
    let rendered = crate::digest::preview::preview_for(&state, &user.email, user.id)
        .await
        .map_err(AppError::Internal)?;
    let mut response = if query.format.as_deref() == Some("text") {
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            rendered.text,
        )
            .into_response()
    } else {
        let html = rendered.html.unwrap_or_else(|| {
            let escaped = rendered
                .text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<!DOCTYPE html><meta charset=\"utf-8\"><pre>{escaped}</pre>")
        });
        let mut r = super::pages::html(html.into()).into_response();
        // The message's own inline styles, and nothing else: no scripts, no fetches.
        r.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'"),
        );
        r
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
