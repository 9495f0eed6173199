//! GitHub repositories linked from papers, their checks and dated star counts.

use paperstand_core::ArxivId;
use sqlx::Row;
use sqlx::postgres::PgPool;
use time::OffsetDateTime;

use super::{bump_community, day_text, optional_date, time_text};
use crate::Result;
use crate::community::{RepoCheck, RepoOutcome, RepoStars, RepoToCheck};
use crate::postgres::{Tx, db_error, to_json};

/// `owner/name` as stored: trimmed and lower-cased (GitHub names ignore case); `None`
/// for anything that is not two non-empty parts.
fn repo_name(name: &str) -> Option<String> {
    let name = name.trim().to_lowercase();
    let (owner, repo) = name.split_once('/')?;
    let valid = !owner.is_empty() && !repo.is_empty() && !repo.contains('/');
    valid.then_some(name)
}

fn stars_value(stars: u64) -> i64 {
    i64::try_from(stars).unwrap_or(i64::MAX)
}

pub(super) async fn link(
    tx: &mut Tx,
    links: &[(ArxivId, String)],
    now: OffsetDateTime,
) -> Result<u64> {
    // Callers pass names extracted from links; one that is not `owner/name` links nothing.
    let rows: Vec<serde_json::Value> = links
        .iter()
        .filter_map(|(id, name)| {
            let repo = repo_name(name)?;
            Some(serde_json::json!({"id": id.base(), "repo": repo}))
        })
        .collect();
    let rows = to_json(&rows);
    sqlx::query(
        "insert into repos (full_name, next_check_at, created_at) \
         select distinct j ->> 'repo', $2, $2 from jsonb_array_elements($1::jsonb) as j where true \
         on conflict (full_name) do nothing",
    )
    .bind(&rows)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    // A name that moved into another known repository links to that one.
    let new = sqlx::query(
        "insert into paper_repos (arxiv_id, repo_id) \
         select distinct j ->> 'id', coalesce(moved.id, r.id) from jsonb_array_elements($1::jsonb) as j \
         join repos r on r.full_name = j ->> 'repo' \
         left join repos moved on r.status = 'moved' and moved.full_name = r.moved_to \
         where true on conflict (arxiv_id, repo_id) do nothing",
    )
    .bind(&rows)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?
    .rows_affected();
    if new > 0 {
        bump_community(tx).await?;
    }
    Ok(new)
}

pub(super) async fn due(
    pool: &PgPool,
    now: OffsetDateTime,
    limit: u32,
) -> Result<Vec<RepoToCheck>> {
    let rows = sqlx::query(
        "select r.id, r.full_name, r.etag, r.stars, \
                (select max(p.listed_on) from paper_repos pr join papers p on p.arxiv_id = pr.arxiv_id \
                 where pr.repo_id = r.id) as newest_listing \
         from repos r where r.status in ('new', 'ok') and r.next_check_at <= $1 \
         order by r.next_check_at, r.id limit $2",
    )
    .bind(time_text(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let stars: Option<i64> = row.try_get("stars").map_err(db_error)?;
            Ok(RepoToCheck {
                id: row.try_get("id").map_err(db_error)?,
                full_name: row.try_get("full_name").map_err(db_error)?,
                etag: row.try_get("etag").map_err(db_error)?,
                stars: stars.and_then(|s| u64::try_from(s).ok()),
                newest_listing: optional_date(row, "newest_listing")?,
            })
        })
        .collect()
}

pub(super) async fn record_check(tx: &mut Tx, check: &RepoCheck) -> Result<()> {
    let checked = time_text(check.checked_at);
    let next = time_text(check.next_check_at);
    match &check.outcome {
        RepoOutcome::Stars { stars, etag } => {
            sqlx::query(
                "update repos set stars = $2, etag = $3, status = 'ok', checked_at = $4, \
                 next_check_at = $5 where id = $1",
            )
            .bind(check.id)
            .bind(stars_value(*stars))
            .bind(etag)
            .bind(&checked)
            .bind(&next)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            snapshot(tx, check).await?;
        }
        RepoOutcome::NotModified => {
            set_times(tx, check.id, &checked, &next).await?;
            snapshot(tx, check).await?;
        }
        RepoOutcome::Moved { to } => moved(tx, check.id, to, &checked, &next).await?,
        RepoOutcome::Gone => {
            sqlx::query("update repos set status = 'gone' where id = $1")
                .bind(check.id)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            set_times(tx, check.id, &checked, &next).await?;
        }
    }
    bump_community(tx).await
}

async fn set_times(tx: &mut Tx, id: i64, checked: &str, next: &str) -> Result<()> {
    sqlx::query("update repos set checked_at = $2, next_check_at = $3 where id = $1")
        .bind(id)
        .bind(checked)
        .bind(next)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// The repository's latest known count becomes the snapshot of the check's (UTC) day.
async fn snapshot(tx: &mut Tx, check: &RepoCheck) -> Result<()> {
    sqlx::query(
        "insert into star_snapshots (repo_id, observed_on, stars) \
         select id, $2, stars from repos where id = $1 and stars is not null \
         on conflict (repo_id, observed_on) do update set stars = excluded.stars",
    )
    .bind(check.id)
    .bind(day_text(check.checked_at))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// A repository moved to `to`: merged into `to` when that one is known already (its
/// papers and counts move over, and this one stays as a 'moved' pointer), else renamed
/// in place and checked again at once under its new name.
async fn moved(tx: &mut Tx, id: i64, to: &str, checked: &str, next: &str) -> Result<()> {
    let to = repo_name(to).unwrap_or_else(|| to.trim().to_lowercase());
    let old: Option<String> = sqlx::query_scalar("select full_name from repos where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
    let Some(old) = old else { return Ok(()) };
    if old == to {
        // Only the case changed: the same repository, checked again when planned.
        return set_times(tx, id, checked, next).await;
    }
    let target: Option<i64> =
        sqlx::query_scalar("select id from repos where full_name = $1 and id <> $2")
            .bind(&to)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    match target {
        Some(target) => {
            merge(tx, id, target).await?;
            sqlx::query(
                "update repos set status = 'moved', moved_to = $2, etag = null, checked_at = $3, \
                 next_check_at = $4 where id = $1",
            )
            .bind(id)
            .bind(&to)
            .bind(checked)
            .bind(next)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        None => {
            sqlx::query(
                "update repos set full_name = $2, etag = null, checked_at = $3, next_check_at = $3 \
                 where id = $1",
            )
            .bind(id)
            .bind(&to)
            .bind(checked)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
    }
    // Names that moved here earlier now point to where this one went.
    sqlx::query("update repos set moved_to = $2 where status = 'moved' and moved_to = $1")
        .bind(&old)
        .bind(&to)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Moves the paper links and star counts of repository `from` to `into`; where `into`
/// has the same link or a count of the same day already, its own is kept.
async fn merge(tx: &mut Tx, from: i64, into: i64) -> Result<()> {
    for statement in [
        "insert into paper_repos (arxiv_id, repo_id) select arxiv_id, $2 from paper_repos \
         where repo_id = $1 on conflict (arxiv_id, repo_id) do nothing",
        "insert into star_snapshots (repo_id, observed_on, stars) select $2, observed_on, stars \
         from star_snapshots where repo_id = $1 on conflict (repo_id, observed_on) do nothing",
    ] {
        sqlx::query(statement)
            .bind(from)
            .bind(into)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    // PostgreSQL wants exactly the parameters a statement uses: these take one.
    for statement in [
        "delete from paper_repos where repo_id = $1",
        "delete from star_snapshots where repo_id = $1",
    ] {
        sqlx::query(statement)
            .bind(from)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

pub(super) async fn of_paper(pool: &PgPool, id: &ArxivId) -> Result<Vec<RepoStars>> {
    let rows = sqlx::query(
        "select r.full_name, r.status, s.stars, s.observed_on from paper_repos pr \
         join repos r on r.id = pr.repo_id \
         left join star_snapshots s on s.repo_id = r.id \
             and s.observed_on = (select max(observed_on) from star_snapshots where repo_id = r.id) \
         where pr.arxiv_id = $1 order by s.stars desc nulls last, r.full_name",
    )
    .bind(id.base())
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let stars: Option<i64> = row.try_get("stars").map_err(db_error)?;
            Ok(RepoStars {
                full_name: row.try_get("full_name").map_err(db_error)?,
                stars: stars.and_then(|s| u64::try_from(s).ok()),
                observed_on: optional_date(row, "observed_on")?,
                status: row.try_get("status").map_err(db_error)?,
            })
        })
        .collect()
}
