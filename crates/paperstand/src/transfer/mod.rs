//! Moving papers in and out in bulk: `paperstand import` and `paperstand export`, in
//! the JSON Lines format of docs/formats.md. Imports `core` and `store` only.

pub mod import;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use paperstand_core::ArxivId;
use paperstand_core::record::PaperRecord;
use paperstand_store::Store;

pub use import::{ImportReport, Rejection, import_lines};

/// Papers read from the store per query while exporting.
const EXPORT_BATCH: u32 = 2_000;

/// Writes every paper, in id order, one JSON object per line. `on_progress` gets the
/// running count. Returns the number of papers written.
pub async fn export_papers(
    store: &dyn Store,
    out: &mut dyn Write,
    on_progress: &dyn Fn(u64),
) -> anyhow::Result<u64> {
    let mut after: Option<ArxivId> = None;
    let mut written = 0u64;
    let mut line = Vec::with_capacity(4096);
    loop {
        let batch = store
            .papers_after(after.as_ref(), EXPORT_BATCH)
            .await
            .context("reading papers")?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id.clone());
        for paper in &batch {
            line.clear();
            serde_json::to_writer(&mut line, &PaperRecord::from_paper(paper))?;
            line.push(b'\n');
            out.write_all(&line).context("writing the export")?;
            written += 1;
        }
        on_progress(written);
    }
    out.flush().context("writing the export")?;
    Ok(written)
}

/// Exports into `path` atomically: a temporary file beside it is renamed over it only
/// once everything is written, so a failed export never leaves half a file. A path
/// ending in `.gz` is gzip-compressed.
pub async fn export_to_file(
    store: &dyn Store,
    path: &Path,
    on_progress: &dyn Fn(u64),
) -> anyhow::Result<u64> {
    let tmp = temporary_sibling(path);
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = async {
        let buffered = std::io::BufWriter::with_capacity(256 * 1024, file);
        let count = if path.extension().is_some_and(|e| e == "gz") {
            let mut gz = flate2::write::GzEncoder::new(buffered, flate2::Compression::default());
            let n = export_papers(store, &mut gz, on_progress).await?;
            gz.finish()
                .context("finishing the gzip stream")?
                .into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()?;
            n
        } else {
            let mut out = buffered;
            let n = export_papers(store, &mut out, on_progress).await?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            n
        };
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move the export into {}", path.display()))?;
        anyhow::Ok(count)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}
