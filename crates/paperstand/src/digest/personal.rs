//! The personal sections of a member's digest (issue #8): their saved topics (the
//! period's new papers matching each, through the same search as `/topics`) and
//! "picked for you" (the For-you model at the member's own dial, through the same
//! `Recommender` as `/for-you`). Only subscribers linked to a member account have them;
//! a paper is still never sent twice, and never twice in one digest.

use std::collections::HashSet;
use std::sync::Arc;

use paperstand_core::ArxivId;
use paperstand_store::{DigestItem, DigestKind, NewDigest, Store, Subscriber};
use time::OffsetDateTime;

use super::period::Period;
use crate::library::topics::new_matches;
use crate::ranking::Ranking;
use crate::recs::Recommender;
use crate::search::Search;

/// What the personal sections need: the recommender pages use, and search for topics
/// (`None` where the search index could not be opened: topic sections are left out).
#[derive(Debug, Clone)]
pub struct Personal {
    /// The For-you recommender (shared with the pages under `serve`).
    pub recs: Arc<Recommender>,
    /// Search, for topics.
    pub search: Option<Arc<Search>>,
}

/// Whose digest, for which period, and what they received before.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The subscriber.
    pub subscriber: &'a Subscriber,
    /// The period.
    pub period: Period,
    /// Papers sent in earlier digests.
    pub received: &'a HashSet<ArxivId>,
}

impl Personal {
    /// Appends the member's topic sections, then their picks, to `digest`.
    pub async fn add_sections(
        &self,
        store: &dyn Store,
        ranking: &Ranking,
        target: Target<'_>,
        digest: &mut NewDigest,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let Target {
            subscriber,
            period,
            received,
        } = target;
        let Some(user) = subscriber.user else {
            return Ok(());
        };
        let prefs = &subscriber.preferences;
        let (first, last) = period.listing_days();
        let mut taken: HashSet<ArxivId> = digest.items.iter().map(|i| i.id.clone()).collect();
        let fresh =
            |id: &ArxivId, taken: &HashSet<ArxivId>| !received.contains(id) && !taken.contains(id);
        if let Some(search) = &self.search {
            for topic_id in &prefs.topics {
                let Some(topic) = store.topic(*topic_id).await? else {
                    continue;
                };
                // Only the member's own topics, whatever the stored preferences say.
                if topic.user_id != user {
                    continue;
                }
                let (_, papers) = new_matches(search, &topic, Some(first), 50)
                    .await
                    .map_err(|e| anyhow::anyhow!("topic {}: {e}", topic.id))?;
                let mut n = 0;
                for paper in papers {
                    if n >= prefs.per_category
                        || paper.listed_on > last
                        || !fresh(&paper.id, &taken)
                    {
                        continue;
                    }
                    taken.insert(paper.id.clone());
                    digest.items.push(DigestItem {
                        id: paper.id,
                        section: format!("topic:{}", topic.id),
                        reason: format!("matches your topic \u{201c}{}\u{201d}", topic.name),
                    });
                    n += 1;
                }
            }
        }
        if prefs.picks > 0 {
            let wanted = prefs.picks as usize;
            let picks = self
                .recs
                .picks_for(store, ranking, user, first, wanted * 3, now)
                .await?;
            for (paper, why) in picks
                .into_iter()
                .filter(|(p, _)| p.listed_on <= last)
                .take(wanted * 3)
            {
                if digest.items.iter().filter(|i| i.section == "picks").count() >= wanted {
                    break;
                }
                if !fresh(&paper.id, &taken) {
                    continue;
                }
                taken.insert(paper.id.clone());
                digest.items.push(DigestItem {
                    id: paper.id,
                    section: "picks".to_owned(),
                    reason: why,
                });
            }
        }
        if !digest.items.is_empty() {
            digest.kind = DigestKind::Papers;
        }
        Ok(())
    }
}
