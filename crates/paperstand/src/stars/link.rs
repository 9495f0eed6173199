//! Linking papers to their GitHub repositories: follows the papers' change sequence from
//! a stored position, like the search index does, and links the github.com repositories
//! of each changed paper's code links (its own and other services'). New repositories
//! are due for a check at once.

use std::collections::HashSet;

use paperstand_core::{ArxivId, CodeHost, CodeLink};
use paperstand_store::Store;
use time::OffsetDateTime;

use super::answer::is_repo_name;

/// The setting holding the change sequence the linker reached.
pub const LINKED_SEQ: &str = "stars.linked_seq";
/// Papers read per step.
const BATCH: u32 = 1_000;

/// What one linking pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Changed papers read.
    pub papers: u64,
    /// Paper–repository links that were new.
    pub new_links: u64,
}

/// Links the repositories of every paper changed since the stored position, and moves
/// the position on after each batch (an interrupted pass resumes; linking is idempotent).
pub async fn link_new_repos(store: &dyn Store, now: OffsetDateTime) -> anyhow::Result<LinkReport> {
    let mut report = LinkReport::default();
    let mut seq = linked_seq(store).await?;
    loop {
        let changed = store.papers_changed_since(seq, BATCH).await?;
        let Some(last) = changed.last().map(|c| c.seq) else {
            return Ok(report);
        };
        report.papers += changed.len() as u64;
        // Hidden papers are not shown, so their stars are not needed; showing one again
        // moves its change sequence, and it is linked then.
        let shown: Vec<ArxivId> = changed
            .iter()
            .filter(|c| !c.hidden)
            .map(|c| c.paper.id.clone())
            .collect();
        let external = store.external_links(&shown).await?;
        let own = changed
            .iter()
            .filter(|c| !c.hidden)
            .flat_map(|c| c.paper.links.iter().map(move |l| (&c.paper.id, l)));
        let others = external.iter().map(|e| (&e.paper, &e.link));
        let links = github_repos(own.chain(others));
        if !links.is_empty() {
            report.new_links += store.link_repos(&links, now).await?;
        }
        seq = last;
        store.set_setting(LINKED_SEQ, &seq.to_string()).await?;
    }
}

/// The stored position, or 0. A position past the store's sequence (a database restored
/// from an older backup) starts over: linking again changes nothing.
async fn linked_seq(store: &dyn Store) -> anyhow::Result<i64> {
    let stored = store
        .setting(LINKED_SEQ)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    if stored > store.change_seq().await? {
        tracing::warn!(
            position = stored,
            "the repository linker is ahead of the database (restored from a backup?); starting over"
        );
        return Ok(0);
    }
    Ok(stored)
}

/// The distinct (paper, `owner/name`) pairs of github.com links, lower-cased.
pub fn github_repos<'a>(
    links: impl Iterator<Item = (&'a ArxivId, &'a CodeLink)>,
) -> Vec<(ArxivId, String)> {
    let mut seen = HashSet::new();
    links
        .filter(|(_, link)| link.host == CodeHost::GitHub && is_repo_name(&link.repo))
        .map(|(id, link)| (id.clone(), link.repo.to_ascii_lowercase()))
        .filter(|pair| seen.insert(pair.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperstand_core::extract_code_links;

    #[test]
    fn keeps_github_repositories_once_per_paper() {
        let a: ArxivId = "2503.11731".parse().unwrap();
        let b: ArxivId = "2503.11732".parse().unwrap();
        let text = "Code: https://github.com/Owner/Repo and github.com/owner/repo/tree/main, \
                    models at huggingface.co/owner/model, mirror at gitlab.com/x/y.";
        let links = extract_code_links(text, Some("see https://github.com/other/tool"));
        let pairs: Vec<_> = links
            .iter()
            .map(|l| (&a, l))
            .chain(links.iter().map(|l| (&b, l)))
            .collect();
        let repos = github_repos(pairs.into_iter());
        let expected: Vec<(ArxivId, String)> = [
            (&a, "owner/repo"),
            (&a, "other/tool"),
            (&b, "owner/repo"),
            (&b, "other/tool"),
        ]
        .iter()
        .map(|(id, r)| ((*id).clone(), (*r).to_owned()))
        .collect();
        assert_eq!(repos, expected);
    }
}
