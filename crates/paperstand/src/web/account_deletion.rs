//! Deleting one's own account (issue #8): the form on `/account` posts the password
//! again and an explicit confirmation; the store deletes the member and everything
//! personal in one transaction (`Community::delete_user`); a page says what went and
//! what stays. Wrong passwords count as failed sign-ins, under the same limits.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use paperstand_store::{Deletion, User};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::accounts::{account_key, account_page, page_with_cookie, throttle, verify_password};
use super::auth::{SESSION_COOKIE, Viewer};
use super::error::AppError;
use super::pages::render;

/// The page after a deletion.
#[derive(Debug, Template)]
#[template(path = "account_deleted.html")]
pub struct AccountDeletedPage {
    deletion: Deletion,
}

/// The delete-account form.
#[derive(Debug, Deserialize)]
pub struct DeleteAccountForm {
    password: String,
    /// The checkbox; absent when not ticked.
    confirm: Option<String>,
}

/// The keys of every rate-limit event that stands for `user`: their id (comments,
/// submissions, confirmation mails) and the hashes of their address (failed sign-ins,
/// digest confirmations). The CLI's `user delete` uses them too.
pub fn personal_event_keys(user: &User) -> Vec<String> {
    vec![
        user.id.to_string(),
        account_key(&user.email),
        super::subscribe::address_key(&user.email),
    ]
}

/// `POST /account/delete`: with the box ticked and the right password, deletes the
/// member, ends every session of theirs and clears this browser's cookie; otherwise
/// the account page again with the reason, and nothing deleted.
pub async fn delete_account(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<DeleteAccountForm>,
) -> Result<Response, AppError> {
    let user = viewer.member("/account")?.clone();
    if form.confirm.as_deref() != Some("yes") {
        let why = "Tick the box to confirm: deleting cannot be undone. Nothing was deleted.";
        return refuse(&state, &viewer, user, why, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if !password_matches(&state, &viewer, &user, form.password).await? {
        let why = "That is not your password. Nothing was deleted.";
        return refuse(&state, &viewer, user, why, StatusCode::UNAUTHORIZED).await;
    }
    let now = OffsetDateTime::now_utc();
    let deletion = state
        .store
        .delete_user(user.id, &personal_event_keys(&user), now)
        .await?
        // Deleted by a request a moment earlier: the result is the same.
        .unwrap_or_default();
    state.recs.forget_model(user.id);
    state.cache.recheck_now();
    tracing::info!(user.id = user.id, "a member deleted their account");
    let page = AccountDeletedPage { deletion };
    let mut response = page_with_cookie(StatusCode::OK, render(&page)?, None);
    response.headers_mut().append(
        header::SET_COOKIE,
        state.auth.cookie(SESSION_COOKIE, "", Duration::ZERO),
    );
    Ok(response.into_response())
}

/// Whether `password` is the member's, checked like a sign-in: under the per-address
/// limit on tries and the per-account limit on failures (429 once reached), a wrong one
/// recorded as a failed sign-in.
async fn password_matches(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
    password: String,
) -> Result<bool, AppError> {
    let limits = state.auth.limits;
    throttle(
        state,
        "signin.ip",
        &viewer.ip.to_string(),
        limits.signin_per_ip_minute,
        limits.signin_ip_window,
        "Too many password attempts from your address. Wait a minute and try again.",
    )
    .await?;
    let key = account_key(&user.email);
    let now = OffsetDateTime::now_utc();
    let window = limits.signin_failure_window;
    let failures = state
        .store
        .count_events("signin.fail", &key, now - window)
        .await?;
    if failures >= limits.signin_failures_per_account_hour {
        return Err(AppError::TooMany {
            detail: "Too many wrong passwords for this account in the last hour. Try again later."
                .to_owned(),
            retry_after: window.whole_seconds().unsigned_abs(),
        });
    }
    let hash = state
        .store
        .credentials(&user.email)
        .await?
        .map(|c| c.password_hash);
    let matches = verify_password(password, hash).await?;
    if !matches {
        state
            .store
            .record_event("signin.fail", &key, now, now - window)
            .await?;
    }
    Ok(matches)
}

/// The account page again, with why the deletion was refused.
async fn refuse(
    state: &AppState,
    viewer: &Viewer,
    user: User,
    why: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut page = account_page(state, viewer, user).await?;
    page.delete_error = Some(why.to_owned());
    Ok(page_with_cookie(status, render(&page)?, None))
}
