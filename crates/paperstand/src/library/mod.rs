//! Members' libraries, the parts that are not pages: what a tag name and a note may be,
//! reading imports (`bibtex`), and running an import in the background with its
//! progress ([`Imports`]). Imports the store and `core`; pages live in `web::library`.

pub mod bibtex;
pub mod topics;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use paperstand_core::ArxivId;
use paperstand_store::{Store, UserId};
use time::OffsetDateTime;

use bibtex::Entry;

/// Longest tag name, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 20_000;
/// Problems listed on an import's page (the count covers all of them).
pub const MAX_PROBLEMS_SHOWN: usize = 100;
/// Imports remembered; past this, finished ones are forgotten.
const MAX_JOBS: usize = 1_000;
/// Ids saved per store call while importing: progress moves after each batch.
const IMPORT_BATCH: usize = 500;

/// A tag name as stored: trimmed, runs of white space made one space; refused when
/// empty, longer than [`MAX_TAG_CHARS`] or holding control characters. Markup is text
/// like any other (pages escape it).
pub fn tag_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = name.chars().count();
    if chars == 0 {
        return Err("A tag needs a name.".to_owned());
    }
    if chars > MAX_TAG_CHARS {
        return Err(format!(
            "Tag names are at most {MAX_TAG_CHARS} characters; this one has {}.",
            paperstand_core::group_thousands(chars as u64)
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("Tag names cannot hold control characters.".to_owned());
    }
    Ok(name)
}

/// A note as stored (trailing white space trimmed; empty removes the note).
pub fn note_text(raw: &str) -> Result<String, String> {
    let chars = raw.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(format!(
            "Notes are at most {} characters; this one has {}. Nothing was changed.",
            paperstand_core::group_thousands(MAX_NOTE_CHARS as u64),
            paperstand_core::group_thousands(chars as u64)
        ));
    }
    Ok(raw.trim_end().to_owned())
}

/// How an import is going.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportProgress {
    /// The member it belongs to.
    pub user: UserId,
    /// Entries read (papers and problems).
    pub entries: usize,
    /// Distinct papers to save.
    pub papers: usize,
    /// Papers handled so far.
    pub done: usize,
    /// Newly saved.
    pub saved: u64,
    /// The same paper again in the file.
    pub repeated: usize,
    /// Entries that gave no paper, with why (the first [`MAX_PROBLEMS_SHOWN`]).
    pub problems: Vec<String>,
    /// How many problems in all.
    pub problem_count: usize,
    /// Finished; `Some(error)` when the store failed part-way.
    pub finished: bool,
    /// What failed, if anything (the papers before it are saved).
    pub error: Option<String>,
}

/// Imports running or finished on this node, by an unguessable id.
#[derive(Debug, Default)]
pub struct Imports {
    jobs: Mutex<HashMap<String, ImportProgress>>,
}

impl Imports {
    /// Reads `text` and saves its papers to `user`'s library (tagged `tag` when given) in
    /// the background; returns the job's id at once.
    pub fn start(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        user: UserId,
        text: &str,
        tag: Option<String>,
        job: String,
    ) -> String {
        let entries = bibtex::read_import(text);
        let mut seen = HashSet::new();
        let mut ids: Vec<ArxivId> = Vec::new();
        let mut progress = ImportProgress {
            user,
            entries: entries.len(),
            ..ImportProgress::default()
        };
        for entry in entries {
            match entry {
                Entry::Paper(id) if seen.insert(id.clone()) => ids.push(id),
                Entry::Paper(_) => progress.repeated += 1,
                Entry::Problem(problem) => {
                    progress.problem_count += 1;
                    if progress.problems.len() < MAX_PROBLEMS_SHOWN {
                        progress.problems.push(problem);
                    }
                }
            }
        }
        progress.papers = ids.len();
        let mut jobs = self.lock();
        if jobs.len() >= MAX_JOBS {
            jobs.retain(|_, p| !p.finished);
        }
        jobs.insert(job.clone(), progress);
        drop(jobs);
        let imports = self.clone();
        let id = job.clone();
        tokio::spawn(async move {
            let result = imports
                .save_all(store.as_ref(), user, &ids, tag.as_deref(), &id)
                .await;
            imports.update(&id, |p| {
                p.finished = true;
                p.error = result.err();
            });
        });
        job
    }

    async fn save_all(
        &self,
        store: &dyn Store,
        user: UserId,
        ids: &[ArxivId],
        tag: Option<&str>,
        job: &str,
    ) -> Result<(), String> {
        for batch in ids.chunks(IMPORT_BATCH) {
            let now = OffsetDateTime::now_utc();
            let fail = |e: paperstand_store::StoreError| {
                tracing::error!(error = %e, "an import failed");
                "The database failed part-way; the papers counted as done are saved. Import the file again to add the rest (nothing is saved twice).".to_owned()
            };
            let saved = store.save_papers(user, batch, now).await.map_err(fail)?;
            if let Some(tag) = tag {
                store
                    .tag_papers(user, batch, tag, now)
                    .await
                    .map_err(fail)?;
            }
            self.update(job, |p| {
                p.done += batch.len();
                p.saved += saved;
            });
            tokio::task::yield_now().await;
        }
        Ok(())
    }

    /// An import's progress, for its member only.
    pub fn progress(&self, job: &str, user: UserId) -> Option<ImportProgress> {
        self.lock().get(job).filter(|p| p.user == user).cloned()
    }

    fn update(&self, job: &str, change: impl FnOnce(&mut ImportProgress)) {
        if let Some(progress) = self.lock().get_mut(job) {
            change(progress);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ImportProgress>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_tidied_and_bounded() {
        assert_eq!(tag_name("  to   read \n").unwrap(), "to read");
        assert_eq!(tag_name("<b>bold</b>").unwrap(), "<b>bold</b>");
        assert!(tag_name("   ").is_err());
        let long = tag_name(&"x".repeat(1_000)).unwrap_err();
        assert!(long.contains("64") && long.contains("1,000"), "{long}");
        assert!(tag_name("a\u{7}b").is_err());
    }

    #[test]
    fn notes_are_bounded() {
        assert_eq!(note_text("**idea**  \n").unwrap(), "**idea**");
        assert!(note_text(&"x".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }
}
