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

/// How much a source is trusted about a paper that is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// arXiv itself (OAI-PMH, the API, the listing feed): its metadata replaces the stored one.
    Arxiv,
    /// Another service (Hugging Face): it only fills what the store lacks.
    Supplement,
}

/// Combines a record from a source with the stored paper without losing what the store
/// knows: listing facts stay; versions are the union of both (the record's date wins
/// for a version both know); empty fields are filled from the other side. An arXiv
/// record replaces the metadata, unless it describes an older version than the one
/// stored; any other source only fills gaps. A new paper is taken as it comes.
pub fn merge_with_stored(incoming: Paper, stored: Option<&Paper>, authority: Authority) -> Paper {
    let Some(stored) = stored else {
        return incoming;
    };
    let stale =
        matches!((incoming.latest_version(), stored.latest_version()), (Some(a), Some(b)) if a < b);
    let (mut base, other) = if authority == Authority::Arxiv && !stale {
        (incoming, stored.clone())
    } else {
        (stored.clone(), incoming)
    };
    base.listed_on = stored.listed_on;
    base.last_listed_on = stored.last_listed_on;
    base.times_listed = stored.times_listed;
    fill_gaps(&mut base, other);
    base
}

/// Fills `base`'s empty fields from `other` and unites their versions.
fn fill_gaps(base: &mut Paper, other: Paper) {
    let other_withdrawn = other.withdrawn && base.latest_version() <= other.latest_version();
    for version in other.versions {
        if !base.versions.iter().any(|v| v.version == version.version) {
            base.versions.push(version);
        }
    }
    base.versions.sort_by_key(|v| v.version);
    base.withdrawn = base.withdrawn || other_withdrawn;
    base.submitted_on = base.submitted_on.or(other.submitted_on);
    let relink = base.comment.is_none() && other.comment.is_some() || base.abstract_text.is_empty();
    fill(&mut base.doi, other.doi);
    fill(&mut base.journal_ref, other.journal_ref);
    fill(&mut base.comment, other.comment);
    if base.abstract_text.is_empty() {
        base.abstract_text = other.abstract_text;
    }
    if base.authors.is_empty() {
        base.authors = other.authors;
    }
    if base.categories.is_empty() {
        base.categories = other.categories;
    }
    if base.classes.is_empty() {
        base.classes = other.classes;
    }
    if relink {
        base.links =
            paperstand_core::extract_code_links(&base.abstract_text, base.comment.as_deref());
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// The stored papers among `ids`, by id.
pub async fn stored_by_id(
    store: &dyn Store,
    ids: &[ArxivId],
) -> anyhow::Result<HashMap<ArxivId, Paper>> {
    Ok(store
        .papers_by_ids(ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect())
}

/// Merges `papers` (unique ids) with what is stored and writes them; with `dry_run`,
/// only says what writing would do.
pub async fn apply_papers(
    store: &dyn Store,
    papers: Vec<Paper>,
    authority: Authority,
    dry_run: bool,
) -> anyhow::Result<Vec<UpsertOutcome>> {
    let ids: Vec<ArxivId> = papers.iter().map(|p| p.id.clone()).collect();
    let stored = stored_by_id(store, &ids).await?;
    let merged: Vec<Paper> = papers
        .into_iter()
        .map(|p| {
            let existing = stored.get(&p.id);
            merge_with_stored(p, existing, authority)
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
        let merged = merge_with_stored(incoming, Some(&stored), Authority::Arxiv);
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
        assert_eq!(
            merge_with_stored(incoming.clone(), None, Authority::Supplement),
            incoming
        );
    }

    #[test]
    fn sources_that_lack_fields_do_not_erase_them() {
        let mut stored = sample_paper("2503.00001", "Stored", date!(2025 - 03 - 18));
        stored.classes = vec!["68T05".to_owned()];
        let mut incoming = sample_paper("2503.00001", "From a feed", date!(2025 - 03 - 18));
        incoming.categories.clear();
        incoming.classes.clear();
        incoming.authors.clear();
        let merged = merge_with_stored(incoming, Some(&stored), Authority::Arxiv);
        assert_eq!(merged.title, "From a feed");
        assert_eq!(
            (merged.categories, merged.classes, merged.authors),
            (stored.categories, stored.classes, stored.authors)
        );
    }

    #[test]
    fn an_older_version_or_another_service_only_fills_gaps() {
        let mut stored = sample_paper("2503.00001", "Title of v3", date!(2025 - 03 - 18));
        stored.versions = vec![
            Version {
                version: 1,
                date: date!(2025 - 03 - 14),
            },
            Version {
                version: 3,
                date: date!(2025 - 04 - 01),
            },
        ];
        let mut old = sample_paper("2503.00001", "Title of v2", date!(2025 - 03 - 18));
        old.versions = vec![Version {
            version: 2,
            date: date!(2025 - 03 - 20),
        }];
        old.doi = Some("10.1/x".to_owned());
        let merged = merge_with_stored(old.clone(), Some(&stored), Authority::Arxiv);
        assert_eq!(
            merged.title, "Title of v3",
            "a stale record does not roll metadata back"
        );
        assert_eq!(merged.versions.len(), 3, "but its version is kept");
        assert_eq!(
            merged.doi.as_deref(),
            Some("10.1/x"),
            "and it fills what was missing"
        );
        let from_hf = merge_with_stored(
            sample_paper("2503.00001", "HF title", date!(2024 - 01 - 01)),
            Some(&stored),
            Authority::Supplement,
        );
        assert_eq!(from_hf.title, "Title of v3");
    }
}
