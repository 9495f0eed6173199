//! Account pages: sign up, confirm the address, sign in and out, reset a forgotten
//! password, the account page. Links in e-mails open a page with a button: a GET never
//! changes anything. Sign-in answers the same way, in the same time, whether or not an
//! account exists, and is throttled per address and per account.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paperstand_store::{NewUser, Role, StoreError, TokenKind, User};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::auth::{self, FORM_COOKIE, SESSION_COOKIE, Viewer, local_path, token_hash};
use super::error::AppError;
use super::pages::render;
use crate::accounts::password;
use crate::mail::Message;

/// How long an address-confirmation link works.
const VERIFY_LIFETIME: Duration = Duration::hours(48);
/// How long a password-reset link works.
const RESET_LIFETIME: Duration = Duration::hours(1);
/// Longest display name, in characters.
const MAX_NAME: usize = 50;
/// Longest e-mail address (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// The sign-in page.
#[derive(Debug, Template)]
#[template(path = "signin.html")]
pub struct SignInPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

/// The sign-up page.
#[derive(Debug, Template)]
#[template(path = "signup.html")]
pub struct SignUpPage {
    csrf: String,
    email: String,
    display_name: String,
    error: Option<String>,
}

/// The page behind an e-mail link: one button that does it.
#[derive(Debug, Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    csrf: String,
    title: String,
    detail: String,
    action: String,
    button: String,
    /// Show a new-password field (password reset).
    password: bool,
    error: Option<String>,
}

impl ConfirmPage {
    /// A page with one button that posts to `action`.
    pub(super) fn new(
        csrf: String,
        title: &str,
        detail: &str,
        action: &str,
        button: &str,
    ) -> ConfirmPage {
        ConfirmPage {
            csrf,
            title: title.to_owned(),
            detail: detail.to_owned(),
            action: action.to_owned(),
            button: button.to_owned(),
            password: false,
            error: None,
        }
    }
}

/// The forgotten-password page.
#[derive(Debug, Template)]
#[template(path = "reset_request.html")]
pub struct ResetRequestPage {
    csrf: String,
    notice: Option<String>,
}

/// The account page.
#[derive(Debug, Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    csrf: String,
    user: User,
    role: &'static str,
    joined: String,
    /// The manage link of their digest subscription, when subscribed.
    digest: Option<String>,
    /// Why the delete-account form was refused.
    pub(super) delete_error: Option<String>,
}

/// Query of pages that come back somewhere.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    verified: Option<String>,
    reset: Option<String>,
}

/// The sign-up form.
#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    email: String,
    display_name: String,
    password: String,
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The reset-request form.
#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    email: String,
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    password: String,
}

pub(super) fn page_with_cookie(
    status: StatusCode,
    body: axum::body::Bytes,
    cookie: Option<HeaderValue>,
) -> Response {
    let mut response = (status, super::pages::html(body)).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /signup`.
pub async fn show_signup(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    if viewer.user.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = SignUpPage {
        csrf,
        email: String::new(),
        display_name: String::new(),
        error: None,
    };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// An address as stored: trimmed, lower-cased; `None` when it cannot be an address.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.rsplit_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= MAX_EMAIL
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c));
    plausible.then_some(email)
}

/// A display name as stored, or why it is refused.
pub fn check_display_name(text: &str) -> Result<String, String> {
    let name: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    if length == 0 {
        return Err(
            "Choose a display name: it is shown next to your votes and comments.".to_owned(),
        );
    }
    if length > MAX_NAME {
        return Err(format!(
            "Display names are at most {MAX_NAME} characters; this one has {length}."
        ));
    }
    if name.chars().any(|c| {
        c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }) {
        return Err(
            "Display names cannot contain control or text-direction characters.".to_owned(),
        );
    }
    Ok(name)
}

/// Refuses when `kind` events for `key` reached `limit` within `window`; otherwise records one.
pub(super) async fn throttle(
    state: &AppState,
    kind: &str,
    key: &str,
    limit: u64,
    window: Duration,
    detail: &str,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let count = state.store.count_events(kind, key, now - window).await?;
    if count >= limit {
        return Err(AppError::TooMany {
            detail: detail.to_owned(),
            retry_after: window.whole_seconds().unsigned_abs(),
        });
    }
    state
        .store
        .record_event(kind, key, now, now - window)
        .await?;
    Ok(())
}

/// The key rate limits use for an account: a hash, never the address itself.
pub(super) fn account_key(email: &str) -> String {
    token_hash(&format!("account:{email}"))[..32].to_owned()
}

/// `POST /signup`: creates an unconfirmed account and mails a confirmation link. An
/// address that has an account already gets a note instead, and the page says the same
/// either way, so the form does not reveal who has an account.
pub async fn signup(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let again = |error: String| -> Result<Response, AppError> {
        let page = SignUpPage {
            csrf: csrf.clone(),
            email: form.email.clone(),
            display_name: form.display_name.clone(),
            error: Some(error),
        };
        Ok(page_with_cookie(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&page)?,
            cookie.clone(),
        ))
    };
    let Some(email) = normalize_email(&form.email) else {
        return again("That does not look like an e-mail address.".to_owned());
    };
    let name = match check_display_name(&form.display_name) {
        Ok(name) => name,
        Err(why) => return again(why),
    };
    if let Err(why) = password::check_policy(&form.password, &email) {
        return again(why.to_string());
    }
    throttle(
        &state,
        "signup.ip",
        &viewer.limit_key(),
        state.auth.limits.signups_per_ip_hour,
        Duration::hours(1),
        "Too many accounts were created from your address in the last hour. Try again later.",
    )
    .await?;
    let hash = hash_password(form.password).await?;
    let now = OffsetDateTime::now_utc();
    let new = NewUser {
        email: email.clone(),
        display_name: name,
        password_hash: hash,
        role: Role::Member,
        verified: false,
    };
    match state.store.create_user(&new, now).await {
        Ok(user) => send_verification(&state, &user).await?,
        Err(StoreError::Conflict { .. }) => {
            let message = Message {
                to: email,
                subject: "Someone tried to sign up with your address".to_owned(),
                text: format!(
                    "Someone (perhaps you) tried to create a Paperstand account with this address, \
                     which already has one.\n\nSign in: {url}/signin\nForgot your password? {url}/reset\n\n\
                     If it was not you, you can ignore this message.\n",
                    url = state.public_url
                ),
            };
            send_in_background(&state, message);
        }
        Err(other) => return Err(other.into()),
    }
    let page = super::views::MessagePage {
        title: "Check your inbox".to_owned(),
        detail: "We sent a link to confirm your address. It works for 48 hours. Once you have \
                 confirmed, sign in."
            .to_owned(),
        links: vec![("Sign in".to_owned(), "/signin".to_owned())],
    };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

pub(super) async fn verify_password(
    password: String,
    hash: Option<String>,
) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// Sends in the background, so the response takes the same time whether or not a
/// message goes out; failures are logged without the address.
pub(super) fn send_in_background(state: &AppState, message: Message) {
    let mailer = state.auth.mailer.clone();
    tokio::spawn(async move {
        if let Err(error) = mailer.send(&message).await {
            tracing::error!(error = format!("{error:#}"), subject = %message.subject, "could not send an e-mail");
        }
    });
}

async fn send_verification(state: &AppState, user: &User) -> Result<(), AppError> {
    let token = auth::random_token();
    let now = OffsetDateTime::now_utc();
    state
        .store
        .create_token(
            TokenKind::Verify,
            &token_hash(&token),
            user.id,
            now,
            now + VERIFY_LIFETIME,
        )
        .await?;
    let message = Message {
        to: user.email.clone(),
        subject: "Confirm your Paperstand address".to_owned(),
        text: format!(
            "Hello {name},\n\nConfirm your address to finish creating your Paperstand account:\n\n\
             {url}/verify/{token}\n\nThe link works once, for 48 hours. If you did not sign up, \
             ignore this message and nothing happens.\n",
            name = user.display_name,
            url = state.public_url
        ),
    };
    send_in_background(state, message);
    Ok(())
}

/// `GET /verify/{token}`: a page with a button; the link itself changes nothing.
pub async fn show_verify(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = ConfirmPage {
        csrf,
        title: "Confirm your address".to_owned(),
        detail: "One click and your account is ready.".to_owned(),
        action: format!("/verify/{}", url_segment(&token)),
        button: "Confirm my address".to_owned(),
        password: false,
        error: None,
    };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

fn url_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `POST /verify/{token}`: confirms the address (once), then on to sign in.
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let now = OffsetDateTime::now_utc();
    match state
        .store
        .take_token(TokenKind::Verify, &token_hash(&token), now)
        .await?
    {
        Some(user) => {
            state.store.mark_verified(user, now).await?;
            Ok(Redirect::to("/signin?verified=1").into_response())
        }
        None => Err(AppError::NotFound {
            title: "This link has expired or was used already".to_owned(),
            detail: "Confirmation links work once, for 48 hours. Sign in with your address and \
                     password and we will send a new one."
                .to_owned(),
            links: vec![("Sign in".to_owned(), "/signin".to_owned())],
        }),
    }
}

/// `GET /signin`.
pub async fn show_signin(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = local_path(query.next.as_deref());
    if viewer.user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let notice = if query.verified.is_some() {
        Some("Your address is confirmed. Sign in to start.".to_owned())
    } else if query.reset.is_some() {
        Some("Your password was changed. Sign in with the new one.".to_owned())
    } else {
        None
    };
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = SignInPage {
        csrf,
        next,
        email: String::new(),
        error: None,
        notice,
    };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// `POST /signin`.
pub async fn signin(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let next = local_path(form.next.as_deref());
    let limits = state.auth.limits;
    throttle(
        &state,
        "signin.ip",
        &viewer.limit_key(),
        limits.signin_per_ip_minute,
        limits.signin_ip_window,
        "Too many sign-in attempts from your address. Wait a minute and try again.",
    )
    .await?;
    let email = normalize_email(&form.email).unwrap_or_else(|| form.email.trim().to_lowercase());
    let key = account_key(&email);
    let now = OffsetDateTime::now_utc();
    let failures = state
        .store
        .count_events("signin.fail", &key, now - limits.signin_failure_window)
        .await?;
    if failures >= limits.signin_failures_per_account_hour {
        return Err(AppError::TooMany {
            detail: "Too many failed sign-ins for this account in the last hour. Try again \
                     later, or reset your password."
                .to_owned(),
            retry_after: limits.signin_failure_window.whole_seconds().unsigned_abs(),
        });
    }
    let credentials = state.store.credentials(&email).await?;
    let ok = verify_password(
        form.password.clone(),
        credentials.as_ref().map(|c| c.password_hash.clone()),
    )
    .await?;
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let refuse = |error: &str, status: StatusCode| -> Result<Response, AppError> {
        let page = SignInPage {
            csrf: csrf.clone(),
            next: next.clone(),
            email: form.email.clone(),
            error: Some(error.to_owned()),
            notice: None,
        };
        Ok(page_with_cookie(status, render(&page)?, cookie.clone()))
    };
    let user = match credentials {
        Some(c) if ok => c.user,
        _ => {
            state
                .store
                .record_event("signin.fail", &key, now, now - limits.signin_failure_window)
                .await?;
            return refuse(
                "That e-mail address and password do not match an account.",
                StatusCode::UNAUTHORIZED,
            );
        }
    };
    if user.suspended_at.is_some() {
        return refuse(
            "This account is suspended. Write to the site's curators if you think this is a mistake.",
            StatusCode::FORBIDDEN,
        );
    }
    if user.email_verified_at.is_none() {
        let sent_lately = state
            .store
            .count_events(
                "verify.mail",
                &user.id.to_string(),
                now - Duration::hours(1),
            )
            .await?;
        if sent_lately < 3 {
            state
                .store
                .record_event(
                    "verify.mail",
                    &user.id.to_string(),
                    now,
                    now - Duration::hours(1),
                )
                .await?;
            send_verification(&state, &user).await?;
        }
        return refuse(
            "Confirm your address first: we sent you a link (check your spam folder too).",
            StatusCode::FORBIDDEN,
        );
    }
    state.store.clear_events("signin.fail", &key).await?;
    let session = auth::start_session(&state, &user).await?;
    let mut response = Redirect::to(&next).into_response();
    response.headers_mut().append(header::SET_COOKIE, session);
    response.headers_mut().append(
        header::SET_COOKIE,
        state.auth.cookie(FORM_COOKIE, "", Duration::ZERO),
    );
    Ok(response)
}

/// `POST /signout`.
pub async fn signout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    if let Some(hash) = viewer.session_hash() {
        state.store.delete_session(hash).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        state.auth.cookie(SESSION_COOKIE, "", Duration::ZERO),
    );
    Ok(response)
}

/// `GET /reset`.
pub async fn show_reset_request(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = ResetRequestPage { csrf, notice: None };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

/// `POST /reset`: mails a reset link if the address has an account; the page says the
/// same either way.
pub async fn reset_request(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ResetRequestForm>,
) -> Result<Response, AppError> {
    throttle(
        &state,
        "reset.ip",
        &viewer.limit_key(),
        state.auth.limits.signups_per_ip_hour,
        Duration::hours(1),
        "Too many password resets were asked for from your address. Try again in an hour.",
    )
    .await?;
    if let Some(email) = normalize_email(&form.email)
        && let Some(found) = state.store.credentials(&email).await?
        && found.user.suspended_at.is_none()
    {
        let token = auth::random_token();
        let now = OffsetDateTime::now_utc();
        state
            .store
            .create_token(
                TokenKind::Reset,
                &token_hash(&token),
                found.user.id,
                now,
                now + RESET_LIFETIME,
            )
            .await?;
        send_in_background(
            &state,
            Message {
                to: found.user.email.clone(),
                subject: "Reset your Paperstand password".to_owned(),
                text: format!(
                    "Hello {name},\n\nChoose a new password here:\n\n{url}/reset/{token}\n\n\
                     The link works once, for one hour. If you did not ask for it, ignore this \
                     message: your password stays as it is.\n",
                    name = found.user.display_name,
                    url = state.public_url
                ),
            },
        );
    }
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    let page = ResetRequestPage {
        csrf,
        notice: Some(
            "If an account uses that address, we sent it a link to choose a new password. It \
             works for one hour."
                .to_owned(),
        ),
    };
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, cookie))
}

fn reset_page(csrf: String, token: &str, error: Option<String>) -> ConfirmPage {
    ConfirmPage {
        csrf,
        title: "Choose a new password".to_owned(),
        detail: "8 to 128 characters; a passphrase of a few words is easy to remember and hard \
                 to guess. Signing in elsewhere ends when you change it."
            .to_owned(),
        action: format!("/reset/{}", url_segment(token)),
        button: "Set the new password".to_owned(),
        password: true,
        error,
    }
}

/// `GET /reset/{token}`: the new-password form (the token is used only on POST).
pub async fn show_reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = viewer.form_csrf(&state.auth);
    Ok(page_with_cookie(
        StatusCode::OK,
        render(&reset_page(csrf, &token, None))?,
        cookie,
    ))
}

/// `POST /reset/{token}`: sets the password (which ends every session), confirms the
/// address (the link proved it), then on to sign in.
pub async fn reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response, AppError> {
    let now = OffsetDateTime::now_utc();
    // The policy needs the address, which only the token knows: check what can be
    // checked without it first, so a refused password leaves the link usable.
    if let Err(why) = password::check_policy(&form.password, "") {
        let (csrf, cookie) = viewer.form_csrf(&state.auth);
        return Ok(page_with_cookie(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&reset_page(csrf, &token, Some(why.to_string())))?,
            cookie,
        ));
    }
    let Some(user_id) = state
        .store
        .take_token(TokenKind::Reset, &token_hash(&token), now)
        .await?
    else {
        return Err(AppError::NotFound {
            title: "This link has expired or was used already".to_owned(),
            detail: "Reset links work once, for one hour. Ask for a new one.".to_owned(),
            links: vec![("Reset my password".to_owned(), "/reset".to_owned())],
        });
    };
    let hash = hash_password(form.password).await?;
    state.store.set_password(user_id, &hash, now).await?;
    state.store.mark_verified(user_id, now).await?;
    Ok(Redirect::to("/signin?reset=1").into_response())
}

/// `GET /account`.
pub async fn show_account(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let user = viewer.member("/account")?.clone();
    let page = account_page(&state, &viewer, user).await?;
    Ok(page_with_cookie(StatusCode::OK, render(&page)?, None))
}

/// The account page of `user`, signed in as `viewer`.
pub(super) async fn account_page(
    state: &AppState,
    viewer: &Viewer,
    user: User,
) -> Result<AccountPage, AppError> {
    let digest = state
        .store
        .subscriber_by_email(&user.email)
        .await?
        .filter(|s| s.status == paperstand_store::SubscriberStatus::Active)
        .map(|s| {
            format!(
                "/subscription/{}",
                state
                    .digest_signer()
                    .token(crate::digest::links::Purpose::Manage, s.id)
            )
        });
    Ok(AccountPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        role: user.role.as_str(),
        joined: paperstand_core::record::format_date(user.created_at.date()),
        user,
        digest,
        delete_error: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_or_refused() {
        assert_eq!(
            normalize_email("  Ada@Example.ORG "),
            Some("ada@example.org".to_owned())
        );
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@example",
            "ada@.org",
            "a b@example.org",
            "ada@example.org\r\nBcc: x@y.z",
            "<ada@example.org>",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
        assert_eq!(
            normalize_email(&format!("{}@example.org", "a".repeat(250))),
            None
        );
    }

    #[test]
    fn display_names_are_tidied_and_limited() {
        assert_eq!(
            check_display_name("  Ada   Lovelace ").unwrap(),
            "Ada Lovelace"
        );
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name(&"x".repeat(51)).is_err());
        assert!(check_display_name(&"é".repeat(50)).is_ok());
        assert!(check_display_name("evil\u{202e}txt").is_err());
    }

    #[test]
    fn rate_limit_keys_do_not_contain_the_address() {
        let key = account_key("ada@example.org");
        assert!(!key.contains("ada"));
        assert_eq!(key, account_key("ada@example.org"));
        assert_ne!(key, account_key("bob@example.org"));
    }
}
