//! Writing papers from outside sources into the store without losing what Paperstand
//! already knows: a harvested or fetched record brings metadata (title, versions, DOI…),
//! while the listing facts (listing date, last listing, count) stay as the announcements,
//! an import or a member's submission set them.

use std::collections::HashMap;

use paperstand_core::record::format_date;
use paperstand_core::{ArxivId, Paper};
use paperstand_store::upsert::{StoredState, fingerprints, plan};
use paperstand_store::{Store, UpsertOutcome, fingerprint};

/// Papers by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MergeCounts {
    /// New papers.
    pub inserted: u64,
    /// Papers whose metadata changed.
    pub updated: u64,
    /// Papers already up to date.
    pub unchanged: u64,
    /// Records older than the stored paper (skipped).
    pub older: u64,
}

impl MergeCounts {
    /// Adds a batch's outcomes.
    pub fn add(&mut self, outcomes: &[UpsertOutcome]) {
        for outcome in outcomes {
            match outcome {
                UpsertOutcome::Inserted => self.inserted += 1,
                UpsertOutcome::Updated => self.updated += 1,
                UpsertOutcome::Unchanged => self.unchanged += 1,
                UpsertOutcome::Older => self.older += 1,
            }
        }
    }
}

/// Keeps the stored listing facts of papers that exist; a new paper keeps the
/// provisional listing date its source gave it.
pub fn keep_listing_facts(mut incoming: Paper, stored: Option<&Paper>) -> Paper {
    if let Some(stored) = stored {
        incoming.listed_on = stored.listed_on;
        incoming.last_listed_on = stored.last_listed_on;
        incoming.times_listed = stored.times_listed;
    }
    incoming
}

/// Merges `papers` (unique ids) with what is stored and writes them; with `dry_run`,
/// only says what writing would do.
pub async fn apply_papers(
    store: &dyn Store,
    papers: Vec<Paper>,
    dry_run: bool,
) -> anyhow::Result<Vec<UpsertOutcome>> {
    let ids: Vec<ArxivId> = papers.iter().map(|p| p.id.clone()).collect();
    let stored: HashMap<ArxivId, Paper> = store
        .papers_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let merged: Vec<Paper> = papers
        .into_iter()
        .map(|p| {
            let existing = stored.get(&p.id);
            keep_listing_facts(p, existing)
        })
        .collect();
    if !dry_run {
        return Ok(store.upsert_papers(&merged).await?);
    }
    let states: HashMap<String, StoredState> = stored
        .values()
        .map(|p| {
            (
                p.id.base().to_owned(),
                StoredState {
                    hash: fingerprint(p),
                    freshness: format_date(p.freshness()),
                },
            )
        })
        .collect();
    Ok(plan(&merged, &fingerprints(&merged)?, &states))
}
