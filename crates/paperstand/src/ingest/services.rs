//! Imports from other services: Hugging Face Papers (papers, `githubRepo` links,
//! upvotes/comments/stars as signals) and Papers with Code's links between papers and
//! code. Links keep their source; papers merge with what is stored.

use paperstand_core::external::{parse_hf, parse_pwc_links};
use paperstand_core::oai::RejectedRecord;
use paperstand_store::Store;
use time::Date;

use super::merge::{Authority, MergeCounts, apply_papers};

/// Links written per transaction.
const LINK_BATCH: usize = 5_000;

/// What an import from a service did.
#[derive(Debug, Default)]
pub struct ServiceReport {
    /// Papers by outcome.
    pub papers: MergeCounts,
    /// Links read.
    pub links: u64,
    /// Links that were new.
    pub new_links: u64,
    /// Signals stored (new or changed values).
    pub signals: u64,
    /// Items or rows that could not be used.
    pub rejected: Vec<RejectedRecord>,
}

/// Imports a Hugging Face daily-papers list or paper object. `today` dates the signals.
pub async fn import_hf(
    store: &dyn Store,
    json: &[u8],
    today: Date,
    dry_run: bool,
) -> anyhow::Result<ServiceReport> {
    let import = parse_hf(json, today).map_err(anyhow::Error::msg)?;
    let mut report = ServiceReport {
        rejected: import.rejected,
        links: import.links.len() as u64,
        ..ServiceReport::default()
    };
    let mut papers = import.papers;
    papers.sort_by(|a, b| a.id.cmp(&b.id));
    papers.dedup_by(|a, b| a.id == b.id);
    report
        .papers
        .add(&apply_papers(store, papers, Authority::Supplement, dry_run).await?);
    if !dry_run {
        report.new_links = store.upsert_external_links(&import.links).await?;
        report.signals = store.record_signals(&import.signals).await?;
    }
    Ok(report)
}

/// Imports Papers with Code's `links-between-papers-and-code.json` (papers not in this
/// instance keep their links for when they arrive).
pub async fn import_pwc_links(
    store: &dyn Store,
    json: &[u8],
    dry_run: bool,
) -> anyhow::Result<ServiceReport> {
    let (links, rejected) = parse_pwc_links(json).map_err(anyhow::Error::msg)?;
    let mut report = ServiceReport {
        rejected,
        links: links.len() as u64,
        ..ServiceReport::default()
    };
    if !dry_run {
        for batch in links.chunks(LINK_BATCH) {
            report.new_links += store.upsert_external_links(batch).await?;
        }
    }
    Ok(report)
}
