//! Backend-independent upsert rules: which papers of a batch are new, changed, the
//! same, or older than what is stored. Every backend reads the stored state, calls
//! [`plan`], and writes the papers it marks `Inserted` or `Updated`.

use std::collections::{HashMap, HashSet};

use paperstand_core::Paper;
use paperstand_core::record::format_date;

use crate::{StoreError, UpsertOutcome, fingerprint};

/// What a backend knows about a stored paper before an upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredState {
    /// Its content fingerprint.
    pub hash: String,
    /// Its freshness date, `YYYY-MM-DD`.
    pub freshness: String,
}

/// The fingerprints of a batch, after checking that no id repeats.
pub fn fingerprints(papers: &[Paper]) -> Result<Vec<String>, StoreError> {
    let mut seen = HashSet::with_capacity(papers.len());
    if !papers.iter().all(|p| seen.insert(p.id.base())) {
        return Err(StoreError::Conflict {
            constraint: "the same paper twice in one upsert".to_owned(),
        });
    }
    Ok(papers.iter().map(fingerprint).collect())
}

/// Decides each paper's outcome: new; identical (unchanged); different and at least as
/// fresh as the stored one (updated); different and older (older, the stored one stays).
pub fn plan(
    papers: &[Paper],
    hashes: &[String],
    stored: &HashMap<String, StoredState>,
) -> Vec<UpsertOutcome> {
    papers
        .iter()
        .zip(hashes)
        .map(|(paper, hash)| match stored.get(paper.id.base()) {
            None => UpsertOutcome::Inserted,
            Some(s) if s.hash == *hash => UpsertOutcome::Unchanged,
            Some(s) if format_date(paper.freshness()) >= s.freshness => UpsertOutcome::Updated,
            Some(_) => UpsertOutcome::Older,
        })
        .collect()
}

/// True for outcomes that write the paper.
pub fn writes(outcome: UpsertOutcome) -> bool {
    matches!(outcome, UpsertOutcome::Inserted | UpsertOutcome::Updated)
}
