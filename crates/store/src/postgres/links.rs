//! PostgreSQL statements for code links and signals from other services.

use paperstand_core::external::{ExternalLink, Signal, SignalKind};
use paperstand_core::record::{format_date, parse_date};
use paperstand_core::{ArxivId, CodeHost, CodeLink, LinkSource};
use serde::Serialize;
use sqlx::Row;
use sqlx::postgres::PgPool;

use super::{Tx, db_error, now_text, to_json};
use crate::{Result, StoreError};

#[derive(Serialize)]
struct LinkRow<'a> {
    arxiv_id: &'a str,
    source: serde_json::Value,
    host: serde_json::Value,
    repo: &'a str,
    url: &'a str,
    official: Option<bool>,
    framework: Option<&'a str>,
}

fn as_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Inserts or updates links; returns (new links, ids whose links changed).
pub(super) async fn upsert_links(
    tx: &mut Tx,
    links: &[ExternalLink],
) -> Result<(u64, Vec<String>)> {
    // One row per (paper, source, host, repo), the last one winning, so a batch that
    // repeats a link (dumps do) counts it once.
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<&ExternalLink> = links
        .iter()
        .rev()
        .filter(|l| {
            seen.insert((
                l.paper.base(),
                l.link.source,
                l.link.host,
                l.link.repo.as_str(),
            ))
        })
        .collect();
    unique.reverse();
    let rows: Vec<LinkRow<'_>> = unique
        .into_iter()
        .map(|l| LinkRow {
            arxiv_id: l.paper.base(),
            source: as_json(&l.link.source),
            host: as_json(&l.link.host),
            repo: &l.link.repo,
            url: &l.link.url,
            official: l.official,
            framework: l.framework.as_deref(),
        })
        .collect();
    let changed = sqlx::query(
        "insert into paper_code_links (arxiv_id, source, host, repo, url, official, framework, created_at, updated_at) \
         select j ->> 'arxiv_id', j ->> 'source', j ->> 'host', j ->> 'repo', j ->> 'url', \
                (j ->> 'official')::boolean, j ->> 'framework', $2, $2 \
         from jsonb_array_elements($1::jsonb) as j where true \
         on conflict (arxiv_id, source, host, repo) do update set url = excluded.url, official = excluded.official, \
             framework = excluded.framework, updated_at = excluded.updated_at \
         where paper_code_links.url is distinct from excluded.url \
             or paper_code_links.official is distinct from excluded.official \
             or paper_code_links.framework is distinct from excluded.framework \
         returning arxiv_id, xmax = 0 as inserted",
    )
    .bind(to_json(&rows))
    .bind(now_text())
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    let mut ids = Vec::with_capacity(changed.len());
    let mut new = 0;
    for row in changed {
        new += u64::from(row.try_get::<bool, _>(1).map_err(db_error)?);
        ids.push(row.try_get::<String, _>(0).map_err(db_error)?);
    }
    ids.sort();
    ids.dedup();
    Ok((new, ids))
}

/// Gives the papers among `ids` the next change sequence numbers.
pub(super) async fn bump_papers(tx: &mut Tx, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let first = super::reserve_seqs(tx, ids.len()).await?;
    let seqs: Vec<serde_json::Value> = ids
        .iter()
        .zip(first..)
        .map(|(id, seq)| serde_json::json!({"id": id, "seq": seq}))
        .collect();
    sqlx::query(
        "update papers set change_seq = (bumped ->> 'seq')::bigint \
         from jsonb_array_elements($1::jsonb) as bumped where papers.arxiv_id = bumped ->> 'id'",
    )
    .bind(to_json(&seqs))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

fn from_json_text<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| {
        StoreError::Corrupt {
            what: what.to_owned(),
            detail: e.to_string(),
        }
    })
}

pub(super) async fn links_of(pool: &PgPool, ids: &[ArxivId]) -> Result<Vec<ExternalLink>> {
    let ids = super::id_list(ids);
    let rows = sqlx::query(
        "select arxiv_id, source, host, repo, url, official, framework from paper_code_links \
         where arxiv_id = any($1) order by arxiv_id, official desc nulls last, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("arxiv_id").map_err(db_error)?;
            let what = format!("code link of {id}");
            let paper: ArxivId = id.parse().map_err(|e| StoreError::Corrupt {
                what: what.clone(),
                detail: format!("{e}"),
            })?;
            let source: LinkSource = from_json_text(
                &row.try_get::<String, _>("source").map_err(db_error)?,
                &what,
            )?;
            let host: CodeHost =
                from_json_text(&row.try_get::<String, _>("host").map_err(db_error)?, &what)?;
            let link = CodeLink {
                host,
                repo: row.try_get("repo").map_err(db_error)?,
                url: row.try_get("url").map_err(db_error)?,
                source,
            };
            Ok(ExternalLink {
                paper,
                link,
                official: row.try_get("official").map_err(db_error)?,
                framework: row.try_get("framework").map_err(db_error)?,
            })
        })
        .collect()
}

pub(super) async fn record_signals(pool: &PgPool, signals: &[Signal]) -> Result<u64> {
    // One row per (paper, kind, source, day), the last one winning, as SQLite's
    // row-by-row upsert gives (PostgreSQL refuses to update a row twice in a statement).
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<&Signal> = signals
        .iter()
        .rev()
        .filter(|s| {
            seen.insert((
                s.paper.base(),
                s.kind.as_str(),
                s.source.as_str(),
                s.observed_on,
            ))
        })
        .collect();
    unique.reverse();
    let rows: Vec<serde_json::Value> = unique
        .into_iter()
        .map(|s| {
            serde_json::json!({"arxiv_id": s.paper.base(), "kind": s.kind.as_str(), "source": s.source,
                "value": s.value, "observed_on": format_date(s.observed_on)})
        })
        .collect();
    let result = sqlx::query(
        "insert into signals (arxiv_id, kind, source, value, observed_on, created_at, updated_at) \
         select j ->> 'arxiv_id', j ->> 'kind', j ->> 'source', (j ->> 'value')::bigint, j ->> 'observed_on', $2, $2 \
         from jsonb_array_elements($1::jsonb) as j where true \
         on conflict (arxiv_id, kind, source, observed_on) do update set value = excluded.value, updated_at = excluded.updated_at \
         where signals.value is distinct from excluded.value",
    )
    .bind(to_json(&rows))
    .bind(now_text())
    .execute(pool)
    .await
    .map_err(db_error)?;
    Ok(result.rows_affected())
}

pub(super) async fn signals_of(pool: &PgPool, id: &ArxivId) -> Result<Vec<Signal>> {
    let rows = sqlx::query("select kind, source, value, observed_on from signals where arxiv_id = $1 order by observed_on, kind, source")
        .bind(id.base())
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let corrupt = |detail: &str| StoreError::Corrupt {
                what: format!("signal of {id}"),
                detail: detail.to_owned(),
            };
            let kind: String = row.try_get("kind").map_err(db_error)?;
            let day: String = row.try_get("observed_on").map_err(db_error)?;
            Ok(Signal {
                paper: id.without_version(),
                kind: SignalKind::from_name(&kind).ok_or_else(|| corrupt("unknown kind"))?,
                source: row.try_get("source").map_err(db_error)?,
                value: row.try_get("value").map_err(db_error)?,
                observed_on: parse_date(&day).ok_or_else(|| corrupt("bad day"))?,
            })
        })
        .collect()
}
