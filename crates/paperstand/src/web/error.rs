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
        let page = match self {
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
        match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(_) => (status, page.title).into_response(),
        }
    }
}
