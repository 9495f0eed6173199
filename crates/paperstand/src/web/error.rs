//! One error type for the web layer, one status map, one HTML renderer. Internal errors
//! are logged once here and never shown to the client.

use askama::Template;

use super::views::MessagePage;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What a page handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing at this address. `detail` says what was looked for and what to try.
    #[error("not found: {title}")]
    NotFound {
        /// Headline.
        title: String,
        /// What to try instead.
        detail: String,
        /// Helpful links (label, href).
        links: Vec<(String, String)>,
    },
    /// The request is malformed; `detail` says how to fix it.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The action needs a signed-in member: redirects to the sign-in page, which comes
    /// back to `next`.
    #[error("sign in required")]
    SignInRequired {
        /// Where to go after signing in.
        next: String,
    },
    /// Signed in, but not allowed; says why.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A rate limit: says when to try again.
    #[error("too many requests: {detail}")]
    TooMany {
        /// What was limited and what to do.
        detail: String,
        /// Seconds until a try may succeed.
        retry_after: u64,
    },
    /// The request body is larger than any form.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Anything else: logged, and the client sees a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<paperstand_store::StoreError> for AppError {
    fn from(error: paperstand_store::StoreError) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<crate::search::SearchError> for AppError {
    /// A semantic mode on a server without a model is the request's problem (400, saying
    /// what to use instead); anything else is ours.
    fn from(error: crate::search::SearchError) -> Self {
        match error {
            crate::search::SearchError::SemanticOff(reason) => AppError::BadRequest(format!(
                "search by meaning is off on this server ({reason}); use mode=keyword"
            )),
            other => AppError::Internal(other.into()),
        }
    }
}

impl AppError {
    /// The HTTP status of each kind of error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A not-found error with links back into the site.
    pub fn not_found(title: impl Into<String>, detail: impl Into<String>) -> AppError {
        AppError::NotFound {
            title: title.into(),
            detail: detail.into(),
            links: Vec::new(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut retry_after = None;
        let page = match self {
            AppError::SignInRequired { next } => {
                let target = format!(
                    "/signin?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return axum::response::Redirect::to(&target).into_response();
            }
            AppError::Forbidden(detail) => MessagePage {
                title: "You can't do that".to_owned(),
                detail,
                links: vec![("Today's papers".to_owned(), "/".to_owned())],
            },
            AppError::TooMany {
                detail,
                retry_after: seconds,
            } => {
                retry_after = Some(seconds);
                MessagePage {
                    title: "Too many tries".to_owned(),
                    detail,
                    links: vec![("Today's papers".to_owned(), "/".to_owned())],
                }
            }
            AppError::TooLarge(detail) => MessagePage {
                title: "That is too large".to_owned(),
                detail,
                links: Vec::new(),
            },
            AppError::NotFound {
                title,
                detail,
                links,
            } => MessagePage {
                title,
                detail,
                links,
            },
            AppError::BadRequest(detail) => MessagePage {
                title: "That address doesn't look right".to_owned(),
                detail,
                links: vec![("Today's papers".to_owned(), "/".to_owned())],
            },
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                MessagePage {
                    title: "Something went wrong on our side".to_owned(),
                    detail: "The error was logged. Please try again in a moment.".to_owned(),
                    links: Vec::new(),
                }
            }
        };
        let mut response = match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(_) => (status, page.title).into_response(),
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
