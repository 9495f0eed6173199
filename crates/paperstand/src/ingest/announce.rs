//! The daily announcement reader (`paperstand harvest announcements`): arXiv's listing
//! feed for some categories sets the **listing date** of the papers announced that day,
//! fills in what the feed lacks (version dates) through the API, and marks the day's
//! ingestion complete for the digests. Re-running a day changes nothing; a day without
//! announcements (weekends, holidays) is a normal, empty day.

use std::collections::HashMap;

use paperstand_core::announce::{AnnounceType, Announcement, RejectedRecord, parse_announcements};
use paperstand_core::record::format_date;
use paperstand_core::{ArxivId, Paper};
use paperstand_store::Store;
use time::Date;

use super::arxiv_api::ArxivApi;
use super::fetch::Fetcher;
use super::merge::{Authority, MergeCounts, merge_with_stored, stored_by_id};

/// What to read.
#[derive(Debug, Clone)]
pub struct AnnouncementJob {
    /// The feed base, e.g. `https://rss.arxiv.org/atom`.
    pub base_url: String,
    /// Categories, e.g. `cs.LG`, `cs.CL`.
    pub categories: Vec<String>,
    /// Count, write nothing.
    pub dry_run: bool,
}

/// What the reader did.
#[derive(Debug, Default, Clone)]
pub struct AnnounceReport {
    /// The announcement day (none: the feed announced nothing).
    pub day: Option<Date>,
    /// Announcements by type: new, cross-lists, replacements (incl. replace-cross).
    pub new: u64,
    /// Cross-listed papers.
    pub cross: u64,
    /// Replaced papers.
    pub replaced: u64,
    /// Papers whose version dates came from the API.
    pub completed_by_api: u64,
    /// Replaced papers unknown here and not found on arXiv's API (skipped).
    pub skipped: u64,
    /// What the store did.
    pub counts: MergeCounts,
    /// Unusable feed items.
    pub rejected: Vec<RejectedRecord>,
    /// True when this day had been read before (nothing was done).
    pub already_done: bool,
    /// True when the API could not be asked for version dates (the day was still applied).
    pub api_failed: bool,
}

/// The setting that marks a day's ingestion complete (digests wait for it).
pub fn ingestion_marker(day: Date) -> String {
    format!("ingest.completed|{}", format_date(day))
}

/// Reads today's announcements and applies them.
pub async fn read_announcements(
    store: &dyn Store,
    fetcher: &Fetcher,
    api: &ArxivApi<'_>,
    job: &AnnouncementJob,
) -> anyhow::Result<AnnounceReport> {
    let url = format!(
        "{}/{}",
        job.base_url.trim_end_matches('/'),
        job.categories.join("+")
    );
    let feed = parse_announcements(&fetcher.get(&url).await?)?;
    let mut report = AnnounceReport {
        rejected: feed.rejected,
        ..AnnounceReport::default()
    };
    let Some(day) = feed
        .day
        .or_else(|| feed.announcements.first().map(|a| a.paper.listed_on))
    else {
        return Ok(report);
    };
    report.day = Some(day);
    let done_key = format!("announce.done|{}|{}", url, format_date(day));
    if store.setting(&done_key).await?.is_some() {
        report.already_done = true;
        return Ok(report);
    }
    let papers = build_papers(store, api, feed.announcements, day, &mut report).await?;
    if job.dry_run {
        report.counts.inserted = papers.len() as u64;
        return Ok(report);
    }
    report.counts.add(&store.upsert_papers(&papers).await?);
    let now = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    store.set_setting(&done_key, &now).await?;
    store.set_setting(&ingestion_marker(day), &now).await?;
    Ok(report)
}

/// The papers to write: feed metadata, completed by the API, merged with the store.
async fn build_papers(
    store: &dyn Store,
    api: &ArxivApi<'_>,
    announcements: Vec<Announcement>,
    day: Date,
    report: &mut AnnounceReport,
) -> anyhow::Result<Vec<Paper>> {
    let mut by_id: HashMap<ArxivId, Announcement> = HashMap::new();
    for announcement in announcements {
        // A combined feed lists a paper once per category: its first listing (new before
        // cross before replace) is what counts, whatever the order in the feed.
        match by_id.get(&announcement.paper.id) {
            Some(seen) if seen.announce_type <= announcement.announce_type => {}
            _ => {
                by_id.insert(announcement.paper.id.clone(), announcement);
            }
        }
    }
    let ids: Vec<ArxivId> = by_id.keys().cloned().collect();
    let stored = stored_by_id(store, &ids).await?;
    let unknown: Vec<ArxivId> = ids
        .iter()
        .filter(|id| !stored.contains_key(*id))
        .cloned()
        .collect();
    // The listing dates matter more than the version dates: if the API is down, the day
    // is still applied with what the feed says.
    let fetched: HashMap<ArxivId, Paper> = if unknown.is_empty() {
        HashMap::new()
    } else {
        match api.fetch_ids(&unknown).await {
            Ok(result) => result
                .entries
                .into_iter()
                .map(|e| (e.paper.id.clone(), e.paper))
                .collect(),
            Err(e) => {
                tracing::warn!(
                    job.name = "read_announcements",
                    error = format!("{e:#}"),
                    "the arXiv API failed; storing the feed's metadata without version dates"
                );
                report.api_failed = true;
                HashMap::new()
            }
        }
    };
    report.completed_by_api = fetched.len() as u64;
    let mut papers = Vec::with_capacity(by_id.len());
    for (id, announcement) in by_id {
        match announcement.announce_type {
            AnnounceType::New => report.new += 1,
            AnnounceType::Cross => report.cross += 1,
            AnnounceType::Replace | AnnounceType::ReplaceCross => report.replaced += 1,
        }
        match listed_paper(announcement, stored.get(&id), fetched.get(&id), day) {
            Some(paper) => papers.push(paper),
            None => report.skipped += 1,
        }
    }
    Ok(papers)
}

/// One announced paper with its listing facts:
/// - new: listed on the announcement day (replacing a provisional date from a harvest);
/// - cross-list: its first listing stays if known, else the announcement day;
/// - replacement: the listing date stays; an unknown paper takes its v1 date from the API
///   (it was first listed long ago) or is skipped when the API does not know it either.
///
/// Every listing moves `last_listed_on` to the day and counts once per day.
fn listed_paper(
    announcement: Announcement,
    stored: Option<&Paper>,
    fetched: Option<&Paper>,
    day: Date,
) -> Option<Paper> {
    let kind = announcement.announce_type;
    let mut paper = announcement.paper;
    if let Some(api) = fetched {
        paper.versions.clone_from(&api.versions);
        paper.submitted_on = api.submitted_on;
    }
    let replaced = matches!(kind, AnnounceType::Replace | AnnounceType::ReplaceCross);
    if stored.is_none() && replaced {
        let v1 = fetched?.submitted_on?;
        paper.listed_on = v1;
    }
    let mut paper = merge_with_stored(paper, stored, Authority::Arxiv);
    if kind == AnnounceType::New || (kind == AnnounceType::Cross && stored.is_none()) {
        paper.listed_on = day;
    }
    let previous = stored.map(|s| s.last_listed_on.unwrap_or(s.listed_on));
    if previous.is_none_or(|p| p < day) {
        // A paper known only from a harvest or another service has not been listed yet.
        paper.times_listed = Some(stored.and_then(|s| s.times_listed).unwrap_or(0) + 1);
        paper.last_listed_on = Some(day);
    }
    Some(paper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperstand_store::contract::sample_paper;
    use time::macros::date;

    fn announcement(kind: AnnounceType, day: Date) -> Announcement {
        Announcement {
            paper: sample_paper("2602.00001", "Announced", day),
            version: Some(1),
            announce_type: kind,
            license: None,
        }
    }

    #[test]
    fn a_new_paper_is_listed_on_its_announcement_day() {
        let day = date!(2026 - 02 - 20);
        let mut harvested = sample_paper("2602.00001", "Harvested", date!(2026 - 02 - 18));
        harvested.listed_on = date!(2026 - 02 - 18);
        let paper = listed_paper(
            announcement(AnnounceType::New, day),
            Some(&harvested),
            None,
            day,
        )
        .unwrap();
        assert_eq!((paper.listed_on, paper.last_listed_on), (day, Some(day)));
    }

    #[test]
    fn a_replacement_keeps_the_first_listing_and_counts_once_a_day() {
        let day = date!(2026 - 02 - 20);
        let mut stored = sample_paper("2602.00001", "Old", date!(2026 - 01 - 05));
        stored.times_listed = Some(1);
        let paper = listed_paper(
            announcement(AnnounceType::Replace, day),
            Some(&stored),
            None,
            day,
        )
        .unwrap();
        assert_eq!(
            (paper.listed_on, paper.last_listed_on, paper.times_listed),
            (date!(2026 - 01 - 05), Some(day), Some(2))
        );
        let again = listed_paper(
            announcement(AnnounceType::Replace, day),
            Some(&paper),
            None,
            day,
        )
        .unwrap();
        assert_eq!(
            again.times_listed,
            Some(2),
            "the same day again counts nothing"
        );
    }

    #[test]
    fn an_unknown_replaced_paper_needs_the_api() {
        let day = date!(2026 - 02 - 20);
        assert!(
            listed_paper(
                announcement(AnnounceType::ReplaceCross, day),
                None,
                None,
                day
            )
            .is_none()
        );
        let mut api = sample_paper("2602.00001", "From the API", date!(2025 - 06 - 01));
        api.submitted_on = Some(date!(2025 - 06 - 01));
        let paper = listed_paper(
            announcement(AnnounceType::Replace, day),
            None,
            Some(&api),
            day,
        )
        .unwrap();
        assert_eq!(
            paper.listed_on,
            date!(2025 - 06 - 01),
            "not shown as new today"
        );
    }
}
