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

/// Combines a record from a source with the stored paper: the record's metadata wins,
/// but nothing the store knows is lost — the listing facts stay, versions are the union
/// of both (the record's date wins for a version both know), and fields the source does
/// not carry (DOI, journal reference, comment) are kept. A new paper keeps the
/// provisional listing date its source gave it.
pub fn merge_with_stored(mut incoming: Paper, stored: Option<&Paper>) -> Paper {
    let Some(stored) = stored else {
        return incoming;
    };
    incoming.listed_on = stored.listed_on;
    incoming.last_listed_on = stored.last_listed_on;
    incoming.times_listed = stored.times_listed;
    let newer_version = incoming.latest_version() > stored.latest_version();
    incoming.withdrawn = incoming.withdrawn || (stored.withdrawn && !newer_version);
    for version in &stored.versions {
        if !incoming
            .versions
            .iter()
            .any(|v| v.version == version.version)
        {
            incoming.versions.push(version.clone());
        }
    }
    incoming.versions.sort_by_key(|v| v.version);
    incoming.submitted_on = incoming.submitted_on.or(stored.submitted_on);
    if incoming.doi.is_none() {
        incoming.doi.clone_from(&stored.doi);
    }
    if incoming.journal_ref.is_none() {
        incoming.journal_ref.clone_from(&stored.journal_ref);
    }
    if incoming.comment.is_none() {
        incoming.comment.clone_from(&stored.comment);
        incoming.links = paperstand_core::extract_code_links(
            &incoming.abstract_text,
            incoming.comment.as_deref(),
        );
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
            merge_with_stored(p, existing)
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

#[cfg(test)]
mod tests {
    use super::*;
    use paperstand_core::Version;
    use paperstand_store::contract::sample_paper;
    use time::macros::date;

    #[test]
    fn merging_keeps_listing_facts_versions_and_missing_fields() {
        let mut stored = sample_paper("2503.00001", "Old title", date!(2025 - 03 - 18));
        stored.last_listed_on = Some(date!(2025 - 04 - 01));
        stored.doi = Some("10.1/x".to_owned());
        stored.versions = vec![
            Version {
                version: 1,
                date: date!(2025 - 03 - 14),
            },
            Version {
                version: 2,
                date: date!(2025 - 03 - 20),
            },
            Version {
                version: 3,
                date: date!(2025 - 03 - 30),
            },
        ];
        let mut incoming = sample_paper("2503.00001", "New title", date!(2025 - 03 - 14));
        incoming.versions = vec![
            Version {
                version: 1,
                date: date!(2025 - 03 - 14),
            },
            Version {
                version: 3,
                date: date!(2025 - 03 - 31),
            },
        ];
        incoming.comment = None;
        let merged = merge_with_stored(incoming, Some(&stored));
        assert_eq!(merged.title, "New title");
        assert_eq!(
            (merged.listed_on, merged.last_listed_on),
            (stored.listed_on, stored.last_listed_on)
        );
        let versions: Vec<_> = merged
            .versions
            .iter()
            .map(|v| (v.version, v.date))
            .collect();
        assert_eq!(
            versions,
            [
                (1, date!(2025 - 03 - 14)),
                (2, date!(2025 - 03 - 20)),
                (3, date!(2025 - 03 - 31))
            ]
        );
        assert_eq!(merged.doi, stored.doi);
        assert_eq!(merged.comment, stored.comment);
    }

    #[test]
    fn a_new_paper_is_taken_as_it_comes() {
        let incoming = sample_paper("2503.00002", "New", date!(2025 - 03 - 14));
        assert_eq!(merge_with_stored(incoming.clone(), None), incoming);
    }
}
