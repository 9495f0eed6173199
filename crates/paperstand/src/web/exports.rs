//! Lists and papers as files: BibTeX (`.bib`), JSON (the import/export record format) and
//! CSV, with a download name. `?format=bib|json|csv` on a list page, or
//! `/papers/{id}.bib` for one paper.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use paperstand_core::Paper;
use paperstand_core::export::{CSV_HEADER, bibtex_all, csv_row};
use paperstand_core::record::PaperRecord;

use super::error::AppError;

/// Most papers one export of a list holds.
pub const MAX_EXPORT: u32 = 2_000;

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// BibTeX entries.
    Bib,
    /// A JSON array of records in the format of docs/formats.md.
    Json,
    /// CSV with a header row.
    Csv,
}

impl ExportFormat {
    /// `format=` of a list page: none means the page itself.
    pub fn from_query(text: Option<&str>) -> Result<Option<ExportFormat>, AppError> {
        match text {
            None | Some("" | "html") => Ok(None),
            Some("bib" | "bibtex") => Ok(Some(ExportFormat::Bib)),
            Some("json") => Ok(Some(ExportFormat::Json)),
            Some("csv") => Ok(Some(ExportFormat::Csv)),
            Some(other) => Err(AppError::BadRequest(format!(
                "format={:?} is not an export format; use bib, json or csv",
                other.chars().take(20).collect::<String>()
            ))),
        }
    }

    fn extension_and_type(self) -> (&'static str, &'static str) {
        match self {
            ExportFormat::Bib => ("bib", "application/x-bibtex; charset=utf-8"),
            ExportFormat::Json => ("json", "application/json"),
            ExportFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        }
    }
}

/// The papers as a download named `name.<ext>`.
pub fn download(papers: &[Paper], format: ExportFormat, name: &str) -> Result<Response, AppError> {
    let body = match format {
        ExportFormat::Bib => bibtex_all(papers),
        ExportFormat::Csv => std::iter::once(CSV_HEADER.to_owned())
            .chain(papers.iter().map(csv_row))
            .collect(),
        ExportFormat::Json => {
            let records: Vec<PaperRecord> = papers.iter().map(PaperRecord::from_paper).collect();
            serde_json::to_string(&records).map_err(|e| AppError::Internal(e.into()))?
        }
    };
    let (ext, content_type) = format.extension_and_type();
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}.{ext}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
