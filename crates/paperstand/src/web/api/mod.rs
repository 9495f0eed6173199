//! JSON APIs: the Hugging Face Papers–compatible endpoints (`hf`). Errors are JSON,
//! `{"errors":[{"detail":…,"field":…}]}`, never HTML and never a 500 for bad input.

pub mod hf;
pub mod limits;
pub mod shared_limits;
pub mod v1;

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::AppError;

/// An API error: a status and one or more problems, each naming its field.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    errors: Vec<Problem>,
}

#[derive(Debug, Serialize)]
struct Problem {
    detail: String,
    field: Option<&'static str>,
}

#[derive(Serialize)]
struct Body<'a> {
    errors: &'a [Problem],
}

impl ApiError {
    /// A 400 about one query parameter.
    pub fn field(field: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            errors: vec![Problem {
                detail: detail.into(),
                field: Some(field),
            }],
        }
    }

    /// A 429 (the rate limiter adds `Retry-After`).
    pub fn too_many(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            errors: vec![Problem {
                detail: detail.into(),
                field: None,
            }],
        }
    }

    /// A 404.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            errors: vec![Problem {
                detail: detail.into(),
                field: None,
            }],
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let mut status = error.status();
        let detail = match error {
            AppError::NotFound { title, .. } => title,
            AppError::BadRequest(detail)
            | AppError::Forbidden(detail)
            | AppError::TooLarge(detail)
            | AppError::TooMany { detail, .. } => detail,
            AppError::SignInRequired { .. } => {
                status = StatusCode::UNAUTHORIZED;
                "sign in first".to_owned()
            }
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "API request failed");
                "something went wrong on our side; the error was logged".to_owned()
            }
        };
        ApiError {
            status,
            errors: vec![Problem {
                detail,
                field: None,
            }],
        }
    }
}

impl From<crate::search::SearchError> for ApiError {
    fn from(error: crate::search::SearchError) -> Self {
        use crate::search::SearchError;
        match error {
            // The request is valid; this server's state (no model) conflicts with it.
            SearchError::SemanticOff(reason) => ApiError {
                status: StatusCode::CONFLICT,
                errors: vec![Problem {
                    detail: format!(
                        "search by meaning is off on this server ({reason}); use mode=keyword"
                    ),
                    field: Some("mode"),
                }],
            },
            SearchError::Unavailable => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                errors: vec![Problem {
                    detail: "search is not available on this server right now".to_owned(),
                    field: None,
                }],
            },
            SearchError::Store(e) => e.into(),
            SearchError::Index(e) => AppError::Internal(anyhow::anyhow!(e)).into(),
        }
    }
}

impl From<paperstand_store::StoreError> for ApiError {
    fn from(error: paperstand_store::StoreError) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(Body {
                errors: &self.errors,
            }),
        )
            .into_response()
    }
}

/// Refuses a request whose `Accept` rules JSON out (a missing header, `*/*` and
/// `application/*` are fine).
pub fn accepts_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let ok = accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .any(|media| {
            matches!(media, "" | "*/*" | "application/*" | "application/json")
                || media.ends_with("+json")
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::NOT_ACCEPTABLE,
            errors: vec![Problem {
                detail: format!("this endpoint answers application/json, not {accept}"),
                field: None,
            }],
        })
    }
}
