//! Importing into a library: a form with a text box (a BibTeX file or a list of arXiv
//! ids; the script fills the box from a chosen file), or the file itself as the body of
//! a POST carrying the `X-CSRF-Token` header (larger files). The import runs in the
//! background and its page shows the progress, then what was done and every problem.

use axum::body::{Bytes, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::auth::{Viewer, random_token};
use super::community::actor;
use super::error::AppError;
use super::library_views::ImportPage;
use super::pages::{html, render};
use crate::library::tag_name;

/// The largest file accepted as a raw body (a form is limited by the CSRF guard).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// `GET /library/import`: the import form.
pub async fn show_import(viewer: Viewer) -> Result<Response, AppError> {
    viewer.member("/library/import")?;
    let page = ImportPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        error: None,
        text: String::new(),
        progress: None,
    };
    Ok(html(render(&page)?))
}

/// `POST /library/import`: starts an import of the form's `text` (tagged `tag` when
/// given), or of the raw body; answers with a redirect to its progress page.
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    request: Request,
) -> Result<Response, AppError> {
    let user = actor(&viewer, "/library/import")?.clone();
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let tag_param = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "tag")
            .map(|(_, v)| v.into_owned())
    });
    let body: Bytes = to_bytes(request.into_body(), MAX_IMPORT_BYTES)
        .await
        .map_err(|_| {
            AppError::TooLarge(format!(
                "Imports are at most {} MB; split the file and import the parts (nothing is saved twice).",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ))
        })?;
    let (text, tag) = if is_form {
        let field = |name: &str| {
            url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        (field("text").unwrap_or_default(), field("tag"))
    } else {
        (String::from_utf8_lossy(&body).into_owned(), tag_param)
    };
    let retry = |error: String, text: String| -> Result<Response, AppError> {
        let page = ImportPage {
            csrf: viewer.csrf().unwrap_or_default().to_owned(),
            error: Some(error),
            text,
            progress: None,
        };
        Ok((axum::http::StatusCode::BAD_REQUEST, html(render(&page)?)).into_response())
    };
    if text.trim().is_empty() {
        return retry(
            "Paste a BibTeX file or a list of arXiv ids first.".to_owned(),
            text,
        );
    }
    let tag = match tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(raw) => match tag_name(raw) {
            Ok(name) => Some(name),
            Err(error) => return retry(error, text),
        },
    };
    let job = state
        .imports
        .start(state.store.clone(), user.id, &text, tag, random_token());
    Ok(Redirect::to(&format!("/library/import/{job}")).into_response())
}

/// `GET /library/import/{job}`: an import's progress (the page reloads itself every
/// second until it is done), then its report.
pub async fn show_import_job(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(job): Path<String>,
) -> Result<Response, AppError> {
    let user = viewer.member("/library/import")?;
    let progress = state.imports.progress(&job, user.id).ok_or_else(|| {
        AppError::not_found(
            "No such import",
            "Imports are remembered until the server restarts; your library keeps what was saved.",
        )
    })?;
    let page = ImportPage {
        csrf: viewer.csrf().unwrap_or_default().to_owned(),
        error: None,
        text: String::new(),
        progress: Some(progress),
    };
    Ok(html(render(&page)?))
}
