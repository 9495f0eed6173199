//! The OAI-PMH harvester (`paperstand harvest oai`): ListRecords page by page,
//! following resumption tokens, writing each page before remembering the next token,
//! so a killed harvest continues from the last completed page. Each completed harvest
//! remembers its `responseDate`; the next starts `from` that day.

use std::collections::HashMap;

use anyhow::{Context, bail};
use paperstand_core::oai::{
    HarvestedRecord, MetadataFormat, OaiError, RejectedRecord, parse_list_records,
};
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::{ArxivId, Paper};
use paperstand_store::{Store, UpsertOutcome};
use serde::{Deserialize, Serialize};

use super::fetch::Fetcher;
use super::merge::{Authority, MergeCounts, apply_papers};

/// How many times a harvest restarts its window after `badResumptionToken` before giving up.
const MAX_RESTARTS: u32 = 3;

/// What to harvest.
#[derive(Debug, Clone)]
pub struct OaiHarvest {
    /// The endpoint, e.g. `https://oaipmh.arxiv.org/oai`.
    pub base_url: String,
    /// A set such as `cs` (none: everything).
    pub set: Option<String>,
    /// The metadata format.
    pub format: MetadataFormat,
    /// Start from this day instead of the last completed harvest.
    pub from: Option<time::Date>,
    /// Parse and count, write nothing (and remember nothing).
    pub dry_run: bool,
}

/// What a harvest did.
#[derive(Debug, Default, Clone)]
pub struct HarvestReport {
    /// Pages fetched.
    pub pages: u64,
    /// Papers by outcome.
    pub counts: MergeCounts,
    /// Records marked withdrawn by their authors.
    pub withdrawn: u64,
    /// Records deleted from the repository (OAI `status="deleted"`).
    pub deleted: u64,
    /// Records that could not be used, with why.
    pub rejected: Vec<RejectedRecord>,
    /// The `from` day the window started at (none: from the beginning).
    pub from: Option<String>,
    /// True when the harvest continued an interrupted one.
    pub resumed: bool,
    /// The size of the whole list, when the server says (arXiv's `completeListSize`).
    pub list_size: Option<u64>,
}

/// Harvest state kept in the store's settings, per (base URL, set, format).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct HarvestState {
    /// `responseDate` of the first page of the last completed harvest.
    last_completed: Option<String>,
    /// The harvest in progress, if one was interrupted.
    window: Option<Window>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Window {
    from: Option<String>,
    started: Option<String>,
    token: Option<String>,
    pages: u64,
}

fn state_key(job: &OaiHarvest) -> String {
    format!(
        "harvest.oai|{}|{}|{}",
        job.base_url,
        job.set.as_deref().unwrap_or(""),
        job.format.as_str()
    )
}

async fn load_state(store: &dyn Store, key: &str) -> anyhow::Result<HarvestState> {
    match store.setting(key).await? {
        None => Ok(HarvestState::default()),
        Some(text) => serde_json::from_str(&text)
            .with_context(|| format!("the stored harvest state {key} is unreadable")),
    }
}

async fn save_state(
    store: &dyn Store,
    key: &str,
    state: &HarvestState,
    job: &OaiHarvest,
) -> anyhow::Result<()> {
    if !job.dry_run {
        store
            .set_setting(key, &serde_json::to_string(state)?)
            .await?;
    }
    Ok(())
}

/// Runs one harvest to the end of its list. `on_page` sees the running report.
pub async fn harvest_oai(
    store: &dyn Store,
    fetcher: &Fetcher,
    job: &OaiHarvest,
    on_page: &(dyn Fn(&HarvestReport) + Sync),
) -> anyhow::Result<HarvestReport> {
    let key = state_key(job);
    let mut state = load_state(store, &key).await?;
    let mut report = HarvestReport {
        resumed: state.window.is_some() && job.from.is_none(),
        ..HarvestReport::default()
    };
    let mut window = match (state.window.take(), job.from) {
        (Some(window), None) => window,
        (Some(pending), Some(_)) => bail!(
            "an interrupted harvest from {} is pending; run without --from to finish it first, \
             so that no change it covers is skipped",
            pending.from.as_deref().unwrap_or("the beginning")
        ),
        (None, from) => Window {
            from: from
                .map(format_date)
                .or_else(|| state.last_completed.as_deref().map(next_from)),
            ..Window::default()
        },
    };
    report.from.clone_from(&window.from);
    let mut restarts = 0;
    loop {
        let body = fetcher.get(&page_url(job, &window)).await?;
        let page = match parse_list_records(&body, job.format) {
            Ok(page) => page,
            Err(e) if e.is_no_records_match() => break,
            Err(e) if e.is_bad_resumption_token() && restarts < MAX_RESTARTS => {
                restarts += 1;
                tracing::warn!(
                    job.name = "harvest_oai",
                    "the server refused the resumption token; restarting the window"
                );
                window = Window {
                    from: window.from,
                    ..Window::default()
                };
                continue;
            }
            Err(e) => return Err(oai_failure(e, &window)),
        };
        window
            .started
            .get_or_insert_with(|| page.response_date.clone());
        apply_page(store, job, page.records, &mut report).await?;
        report.deleted += page.deleted.len() as u64;
        report.rejected.extend(page.rejected);
        report.pages += 1;
        report.list_size = page.complete_list_size.or(report.list_size);
        window.pages += 1;
        window.token = page.resumption_token;
        let done = window.token.is_none();
        state.window = (!done).then(|| window.clone());
        if done {
            state.last_completed = completed(&state, &window);
        }
        save_state(store, &key, &state, job).await?;
        on_page(&report);
        if done {
            return Ok(report);
        }
    }
    // noRecordsMatch: an empty window is a completed harvest, started when it began.
    window.started.get_or_insert_with(now_response_date);
    state.window = None;
    state.last_completed = completed(&state, &window);
    save_state(store, &key, &state, job).await?;
    Ok(report)
}

fn oai_failure(error: OaiError, window: &Window) -> anyhow::Error {
    let resume = if window.token.is_some() {
        " (the next run resumes from the last completed page)"
    } else {
        ""
    };
    anyhow::anyhow!("{error}{resume}")
}

/// The request URL. A resumption token is sent exactly as received: arXiv's tokens are
/// already percent-encoded, and encoding them again makes the server refuse them.
fn page_url(job: &OaiHarvest, window: &Window) -> String {
    if let Some(token) = &window.token {
        return format!("{}?verb=ListRecords&resumptionToken={token}", job.base_url);
    }
    let mut url = format!(
        "{}?verb=ListRecords&metadataPrefix={}",
        job.base_url,
        job.format.as_str()
    );
    if let Some(set) = &job.set {
        url.push_str("&set=");
        url.push_str(&encode_query_value(set));
    }
    if let Some(from) = &window.from {
        url.push_str("&from=");
        url.push_str(from);
    }
    url
}

fn encode_query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where the next harvest starts after one that began at `response_date`: the day
/// before (arXiv's OAI-PMH has day granularity, and its datestamps may follow another
/// time zone than the response date; fetching a day again only re-applies records,
/// which changes nothing).
fn next_from(response_date: &str) -> String {
    let day: String = response_date.chars().take(10).collect();
    match parse_date(&day) {
        Some(date) => format_date(date.previous_day().unwrap_or(date)),
        None => day,
    }
}

/// The `last_completed` after a finished window: its start, unless the window began
/// later than where the remembered position stands (an explicit `--from` in the
/// future of it), which would skip the days in between.
fn completed(state: &HarvestState, window: &Window) -> Option<String> {
    let previous_from = state.last_completed.as_deref().map(next_from);
    let skips_ahead = match (&window.from, &previous_from) {
        (Some(from), Some(previous)) => from > previous,
        _ => false,
    };
    if skips_ahead {
        state.last_completed.clone()
    } else {
        window
            .started
            .clone()
            .or_else(|| state.last_completed.clone())
    }
}

fn now_response_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn apply_page(
    store: &dyn Store,
    job: &OaiHarvest,
    records: Vec<HarvestedRecord>,
    report: &mut HarvestReport,
) -> anyhow::Result<()> {
    report.withdrawn += records.iter().filter(|r| r.withdrawn).count() as u64;
    // A page can, in principle, repeat an id: keep the last record of each.
    let mut by_id: HashMap<ArxivId, Paper> = HashMap::with_capacity(records.len());
    for record in records {
        by_id.insert(record.paper.id.clone(), record.paper);
    }
    let papers: Vec<Paper> = by_id.into_values().collect();
    let outcomes = apply_papers(store, papers, Authority::Arxiv, job.dry_run).await?;
    report.counts.add(&outcomes);
    if outcomes.contains(&UpsertOutcome::Older) {
        tracing::debug!(
            "some harvested records were older than the stored papers and were skipped"
        );
    }
    Ok(())
}

/// Parses `--format`.
pub fn parse_format(text: &str) -> anyhow::Result<MetadataFormat> {
    match text.parse::<MetadataFormat>() {
        Ok(format) => Ok(format),
        Err(_) => bail!("--format {text:?}: use arXivRaw, arXiv or oai_dc"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(set: Option<&str>) -> OaiHarvest {
        OaiHarvest {
            base_url: "https://oaipmh.arxiv.org/oai".to_owned(),
            set: set.map(str::to_owned),
            format: MetadataFormat::ArxivRaw,
            from: None,
            dry_run: false,
        }
    }

    #[test]
    fn first_pages_name_the_format_set_and_day() {
        let window = Window {
            from: Some("2026-11-26".to_owned()),
            ..Window::default()
        };
        assert_eq!(
            page_url(&job(Some("cs")), &window),
            "https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs&from=2026-11-26"
        );
    }

    #[test]
    fn tokens_are_sent_exactly_as_received() {
        let token = "verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2010-08-20%26skip%3D0";
        let window = Window {
            token: Some(token.to_owned()),
            ..Window::default()
        };
        assert_eq!(
            page_url(&job(None), &window),
            format!("https://oaipmh.arxiv.org/oai?verb=ListRecords&resumptionToken={token}")
        );
    }

    #[test]
    fn the_next_harvest_starts_the_day_before_the_last() {
        assert_eq!(next_from("2026-11-27T10:34:10Z"), "2026-11-26");
        assert_eq!(next_from("2026-03-01T00:00:00Z"), "2026-02-28");
    }

    #[test]
    fn a_window_started_later_does_not_move_the_position_forward() {
        let state = HarvestState {
            last_completed: Some("2026-11-01T00:00:00Z".to_owned()),
            window: None,
        };
        let later = Window {
            from: Some("2026-11-20".to_owned()),
            started: Some("2026-11-27T00:00:00Z".to_owned()),
            ..Window::default()
        };
        assert_eq!(
            completed(&state, &later).as_deref(),
            Some("2026-11-01T00:00:00Z")
        );
        let earlier = Window {
            from: Some("2026-10-01".to_owned()),
            started: Some("2026-11-27T00:00:00Z".to_owned()),
            ..Window::default()
        };
        assert_eq!(
            completed(&state, &earlier).as_deref(),
            Some("2026-11-27T00:00:00Z")
        );
        let fresh = HarvestState::default();
        let chosen = Window {
            from: Some("2026-11-20".to_owned()),
            started: Some("2026-11-27T00:00:00Z".to_owned()),
            ..Window::default()
        };
        assert_eq!(
            completed(&fresh, &chosen).as_deref(),
            Some("2026-11-27T00:00:00Z"),
            "a first harvest sets the position"
        );
    }
}
