//! Member submissions and curation (hidden and featured papers).

use paperstand_core::record::format_date;
use paperstand_core::{ArxivId, Paper};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use time::{Date, OffsetDateTime};

use super::{arxiv_id, bump_community, count_column, time_column, time_text, utc};
use crate::community::{PaperCommunity, Submission, SubmitOutcome, UserId};
use crate::postgres::{
    Tx, db_error, links, paper_row, papers_from_rows, read_stored, reserve_seqs, write_rows,
};
use crate::{Page, Result, fingerprint};

/// Who submitted papers (`submissions s` left-joined with `users u`).
macro_rules! submission_columns {
    () => {
        "s.arxiv_id, s.user_id, coalesce(u.display_name, 'a former member') as submitter, s.submitted_at"
    };
}

fn submission_from_row(row: &PgRow) -> Result<Submission> {
    Ok(Submission {
        arxiv_id: arxiv_id(row, "arxiv_id")?,
        user_id: row.try_get("user_id").map_err(db_error)?,
        submitter: row.try_get("submitter").map_err(db_error)?,
        submitted_at: time_column(row, "submitted_at")?,
    })
}

async fn submission_of<'e>(
    db: impl sqlx::PgExecutor<'e>,
    id: &ArxivId,
) -> Result<Option<Submission>> {
    let row = sqlx::query(concat!(
        "select ",
        submission_columns!(),
        " from submissions s left join users u on u.id = s.user_id where s.arxiv_id = $1"
    ))
    .bind(id.base())
    .fetch_optional(db)
    .await
    .map_err(db_error)?;
    row.as_ref().map(submission_from_row).transpose()
}

pub(super) async fn submit_paper(
    tx: &mut Tx,
    paper: &Paper,
    user: UserId,
    now: OffsetDateTime,
) -> Result<SubmitOutcome> {
    if let Some(first) = submission_of(&mut **tx, &paper.id).await? {
        return Ok(SubmitOutcome::AlreadySubmitted(first));
    }
    store_if_new(tx, paper, utc(now).date()).await?;
    sqlx::query("insert into submissions (arxiv_id, user_id, submitted_at) values ($1, $2, $3)")
        .bind(paper.id.base())
        .bind(user)
        .bind(time_text(now))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    bump_community(tx).await?;
    Ok(SubmitOutcome::Submitted)
}

/// Stores a submitted paper that is not stored yet, listed on `today`; a stored one is
/// left as it is (the next harvest updates it; its listing date stays).
async fn store_if_new(tx: &mut Tx, paper: &Paper, today: Date) -> Result<()> {
    if !read_stored(tx, std::slice::from_ref(paper))
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let mut listed = paper.clone();
    listed.listed_on = today;
    let hash = fingerprint(&listed);
    let seq = reserve_seqs(tx, 1).await?;
    let mut row = paper_row(&listed, &hash, seq);
    // The record's own freshness, not our listing date's: a harvest of the same record
    // must still be fresh enough to update everything but the listing date.
    row.freshness = format_date(paper.freshness());
    write_rows(tx, &[row]).await
}

pub(super) async fn submission(pool: &PgPool, id: &ArxivId) -> Result<Option<Submission>> {
    submission_of(pool, id).await
}

pub(super) async fn recent_submissions(pool: &PgPool, page: Page) -> Result<Vec<Submission>> {
    let rows = sqlx::query(concat!(
        "select ",
        submission_columns!(),
        " from submissions s left join users u on u.id = s.user_id \
         order by s.submitted_at desc, s.arxiv_id desc limit $1 offset $2"
    ))
    .bind(i64::from(page.limit))
    .bind(i64::from(page.offset))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(submission_from_row).collect()
}

pub(super) async fn set_hidden(
    tx: &mut Tx,
    id: &ArxivId,
    hidden: bool,
    by: UserId,
    now: OffsetDateTime,
) -> Result<()> {
    let changed = if hidden {
        sqlx::query(
            "insert into curation (arxiv_id, hidden_at, hidden_by) values ($1, $2, $3) \
             on conflict (arxiv_id) do update set hidden_at = excluded.hidden_at, \
                 hidden_by = excluded.hidden_by where curation.hidden_at is null",
        )
        .bind(id.base())
        .bind(time_text(now))
        .bind(by)
        .execute(&mut **tx)
        .await
    } else {
        sqlx::query(
            "update curation set hidden_at = null, hidden_by = null \
             where arxiv_id = $1 and hidden_at is not null",
        )
        .bind(id.base())
        .execute(&mut **tx)
        .await
    }
    .map_err(db_error)?
    .rows_affected();
    if changed == 0 {
        return Ok(());
    }
    let stored = sqlx::query("update papers set hidden = $2 where arxiv_id = $1")
        .bind(id.base())
        .bind(hidden)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?
        .rows_affected();
    if stored > 0 {
        // Followers (page cache, search index) see the paper again and drop or restore it.
        links::bump_papers(tx, &[id.base().to_owned()]).await?;
    }
    bump_community(tx).await
}

pub(super) async fn set_featured(
    tx: &mut Tx,
    id: &ArxivId,
    featured: bool,
    by: UserId,
    now: OffsetDateTime,
) -> Result<()> {
    let changed = if featured {
        sqlx::query(
            "insert into curation (arxiv_id, featured_at, featured_by) values ($1, $2, $3) \
             on conflict (arxiv_id) do update set featured_at = excluded.featured_at, \
                 featured_by = excluded.featured_by where curation.featured_at is null",
        )
        .bind(id.base())
        .bind(time_text(now))
        .bind(by)
        .execute(&mut **tx)
        .await
    } else {
        sqlx::query(
            "update curation set featured_at = null, featured_by = null \
             where arxiv_id = $1 and featured_at is not null",
        )
        .bind(id.base())
        .execute(&mut **tx)
        .await
    }
    .map_err(db_error)?
    .rows_affected();
    if changed > 0 {
        bump_community(tx).await?;
    }
    Ok(())
}

pub(super) async fn hidden_papers(pool: &PgPool, page: Page) -> Result<Vec<Paper>> {
    let rows = sqlx::query(concat!(
        "select ",
        paper_columns!(),
        " from (select arxiv_id as hidden_id, hidden_at as hidden_time from curation \
                where hidden_at is not null) as h \
         join papers on papers.arxiv_id = hidden_id \
         order by hidden_time desc, hidden_id limit $1 offset $2"
    ))
    .bind(i64::from(page.limit))
    .bind(i64::from(page.offset))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    papers_from_rows(&rows)
}

pub(super) async fn featured_on(pool: &PgPool, day: Date) -> Result<Vec<ArxivId>> {
    let rows = sqlx::query(
        "select c.arxiv_id from curation c join papers p on p.arxiv_id = c.arxiv_id \
         where c.featured_at is not null and p.listed_on = $1 and not p.hidden \
         order by c.featured_at, c.arxiv_id",
    )
    .bind(format_date(day))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(|row| arxiv_id(row, "arxiv_id")).collect()
}

pub(super) async fn paper_community(pool: &PgPool, id: &ArxivId) -> Result<PaperCommunity> {
    let row = sqlx::query(
        "select (select count(*) from votes where arxiv_id = $1) as upvotes, \
                (select count(*) from comments where arxiv_id = $1 and removed_at is null) as comments, \
                exists (select 1 from curation where arxiv_id = $1 and hidden_at is not null) as hidden, \
                exists (select 1 from curation where arxiv_id = $1 and featured_at is not null) as featured",
    )
    .bind(id.base())
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    Ok(PaperCommunity {
        upvotes: count_column(&row, "upvotes")?,
        comments: count_column(&row, "comments")?,
        hidden: row.try_get("hidden").map_err(db_error)?,
        featured: row.try_get("featured").map_err(db_error)?,
        submission: submission_of(pool, id).await?,
    })
}
