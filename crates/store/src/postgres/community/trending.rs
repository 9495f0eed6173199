//! What the trending formula counts (the PostgreSQL twin of `crate::sqlite`'s): votes,
//! comments and star gains per paper within a window. Two statements: one for a single listing day (few papers: each is counted by
//! its own index seeks) and one for windows and all time (many papers: every signal
//! table is read once, grouped by paper, and joined to the visible papers).

use paperstand_core::record::{format_date, parse_date};
use paperstand_core::trending::TrendingInput;
use sqlx::postgres::PgPool;

use super::corrupt;
use crate::Result;
use crate::community::TrendingQuery;
use crate::postgres::db_error;

/// Stars repository `$repo` gained since `$1` (a `YYYY-MM-DD` day, or null for all
/// time): its latest count less the baseline, never below 0. The baseline is the last
/// count seen before `$1`, else the first seen on or after it (a repository first seen
/// inside the window gained nothing we saw before); for all time it is 0. Each count is
/// one seek in `star_snapshots`' key.
macro_rules! repo_gain {
    ($repo:literal) => {
        concat!(
            "greatest(0, coalesce((select s.stars from star_snapshots s where s.repo_id = ",
            $repo,
            " order by s.observed_on desc limit 1), 0) - case when $1::text is null then 0 else coalesce(",
            "(select s.stars from star_snapshots s where s.repo_id = ",
            $repo,
            " and s.observed_on < $1 order by s.observed_on desc limit 1), ",
            "(select s.stars from star_snapshots s where s.repo_id = ",
            $repo,
            " and s.observed_on >= $1 order by s.observed_on limit 1), 0) end)"
        )
    };
}

/// The papers trending may rank (`papers p`), with the query's category (`$3`: a
/// category, or an archive such as `cs` matching `cs.*`) and year (`$4`) filters. Reads
/// only the index of visible papers.
macro_rules! rankable {
    () => {
        "not p.hidden and not p.withdrawn \
         and ($3::text is null or exists (select 1 from jsonb_array_elements_text(p.categories::jsonb) as c(value) \
              where c.value = $3 or (strpos($3, '.') = 0 and left(c.value, length($3) + 1) = $3 || '.'))) \
         and ($4::int is null or cast(substr(coalesce(p.submitted_on, p.listed_on), 1, 4) as integer) = $4)"
    };
}

/// The picked papers (a `picked` table of id, listing day and counts) as one JSON array
/// of arrays: one value crosses from the database instead of a row per paper (measured
/// on SQLite, where it takes a third of the time for all 75,000 papers).
macro_rules! as_json {
    () => {
        " select coalesce(json_agg(json_build_array(arxiv_id, listed_on, upvotes, comments, stars, submitted)), \
           '[]')::text from picked"
    };
}

/// The papers listed on `$2`, each counted on its own.
const ONE_DAY: &str = concat!(
    "with picked as (select p.arxiv_id, p.listed_on, \
       (select count(*) from votes v where v.arxiv_id = p.arxiv_id \
          and ($1 is null or v.created_at >= $1)) as upvotes, \
       (select count(*) from comments c where c.arxiv_id = p.arxiv_id and c.removed_at is null \
          and ($1 is null or c.created_at >= $1)) as comments, \
       (select coalesce(sum(",
    repo_gain!("pr.repo_id"),
    "), 0)::bigint from paper_repos pr where pr.arxiv_id = p.arxiv_id) as stars, \
       (exists (select 1 from submissions s where s.arxiv_id = p.arxiv_id))::int as submitted \
     from papers p where p.listed_on = $2 and ",
    rankable!(),
    ")",
    as_json!()
);

/// Every paper listed since `$1` and every older one with a signal since then (all
/// papers when `$1` is null). Signals are grouped per paper first, once per table.
const WINDOW: &str = concat!(
    "with gains (repo_id, gain) as materialized (select r.id, ",
    repo_gain!("r.id"),
    " from repos r), \
     counted (arxiv_id, upvotes, comments, stars, submitted) as ( \
       select arxiv_id, count(*), 0, 0, 0 from votes \
         where $1 is null or created_at >= $1 group by arxiv_id \
       union all \
       select arxiv_id, 0, count(*), 0, 0 from comments \
         where removed_at is null and ($1 is null or created_at >= $1) group by arxiv_id \
       union all \
       select pr.arxiv_id, 0, 0, g.gain, 0 from gains g join paper_repos pr on pr.repo_id = g.repo_id \
         where g.gain > 0 \
       union all \
       select arxiv_id, 0, 0, 0, 1 from submissions), \
     totals as (select arxiv_id, sum(upvotes) as upvotes, sum(comments) as comments, \
         sum(stars) as stars, max(submitted) as submitted from counted group by arxiv_id), \
     picked as (select p.arxiv_id, p.listed_on, coalesce(t.upvotes, 0) as upvotes, \
       coalesce(t.comments, 0) as comments, coalesce(t.stars, 0) as stars, \
       coalesce(t.submitted, 0) as submitted \
     from papers p left join totals t on t.arxiv_id = p.arxiv_id \
     where $2::text is null and ($1::text is null or p.listed_on >= $1 or t.upvotes + t.comments + t.stars > 0) and ",
    rankable!(),
    ")",
    as_json!()
);

/// One picked paper as the statements return it: id, listing day, upvotes, comments,
/// stars gained, submitted (0 or 1).
type Picked = (String, String, u64, u64, u64, u8);

pub(super) async fn inputs(pool: &PgPool, query: &TrendingQuery) -> Result<Vec<TrendingInput>> {
    let statement = if query.listed_on.is_some() {
        ONE_DAY
    } else {
        WINDOW
    };
    let picked: String = sqlx::query_scalar(statement)
        .bind(query.since.map(format_date))
        .bind(query.listed_on.map(format_date))
        .bind(query.category.as_deref())
        .bind(query.year)
        .fetch_one(pool)
        .await
        .map_err(db_error)?;
    let picked: Vec<Picked> =
        serde_json::from_str(&picked).map_err(|e| corrupt("trending inputs", e))?;
    let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    picked
        .into_iter()
        .map(|(id, listed_on, upvotes, comments, stars, submitted)| {
            let listed_on = parse_date(&listed_on)
                .ok_or_else(|| corrupt(format!("paper {id}"), "no listing date"))?;
            Ok(TrendingInput {
                id: id.parse().map_err(|e| corrupt(format!("paper {id}"), e))?,
                listed_on,
                upvotes_in_window: small(upvotes),
                stars_gained_in_window: small(stars),
                comments_in_window: small(comments),
                submitted_by_member: submitted != 0,
            })
        })
        .collect()
}
