//! PostgreSQL statements for sentence embeddings.

use std::str::FromStr;

use paperstand_core::ArxivId;
use sqlx::Row;
use sqlx::postgres::PgPool;

use super::{Tx, corrupt, count, db_error, now_text, paper_from_row, to_json};
use crate::{EmbeddingTask, NewEmbedding, Result, StoredEmbedding};

/// Papers with no current embedding by model $1: none, another model's, or older than
/// the paper's last change.
macro_rules! backlog_condition {
    () => {
        "not exists (select 1 from paper_embeddings e \
         where e.arxiv_id = papers.arxiv_id and e.model = $1 and e.source_seq >= papers.change_seq)"
    };
}

pub(super) async fn backlog(pool: &PgPool, model: &str, limit: u32) -> Result<Vec<EmbeddingTask>> {
    let rows = sqlx::query(concat!(
        "select ",
        paper_columns!(),
        ", change_seq, (select text_hash from paper_embeddings e \
           where e.arxiv_id = papers.arxiv_id and e.model = $1) as embedded_text_hash \
         from papers where ",
        backlog_condition!(),
        " order by change_seq limit $2"
    ))
    .bind(model)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            Ok(EmbeddingTask {
                seq: row.try_get("change_seq").map_err(db_error)?,
                paper: paper_from_row(row)?,
                embedded_text_hash: row.try_get("embedded_text_hash").map_err(db_error)?,
            })
        })
        .collect()
}

pub(super) async fn count_backlog(pool: &PgPool, model: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(concat!(
        "select count(*) from papers where ",
        backlog_condition!()
    ))
    .bind(model)
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    Ok(count(n))
}

fn to_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn from_blob(id: &str, blob: &[u8]) -> Result<Vec<f32>> {
    if !blob.len().is_multiple_of(4) {
        return Err(corrupt(id, format!("embedding of {} bytes", blob.len())));
    }
    Ok(blob
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

pub(super) async fn store(tx: &mut Tx, embeddings: &[NewEmbedding]) -> Result<()> {
    let first: i64 = {
        let n = i64::try_from(embeddings.len()).unwrap_or(i64::MAX);
        let last: i64 = sqlx::query_scalar(
            "update counters set value = value + $1 where name = 'embeddings' returning value",
        )
        .bind(n)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?;
        last - n + 1
    };
    let now = now_text();
    for (embedding, seq) in embeddings.iter().zip(first..) {
        sqlx::query(
            "insert into paper_embeddings (arxiv_id, model, text_hash, source_seq, vector, seq, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $7) \
             on conflict (arxiv_id) do update set model = excluded.model, text_hash = excluded.text_hash, \
                 source_seq = excluded.source_seq, vector = excluded.vector, seq = excluded.seq, \
                 updated_at = excluded.updated_at",
        )
        .bind(embedding.id.base())
        .bind(&embedding.model)
        .bind(&embedding.text_hash)
        .bind(embedding.source_seq)
        .bind(to_blob(&embedding.vector))
        .bind(seq)
        .bind(&now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

pub(super) async fn touch(tx: &mut Tx, current: &[(ArxivId, i64)]) -> Result<()> {
    let rows: Vec<serde_json::Value> = current
        .iter()
        .map(|(id, seq)| serde_json::json!({"id": id.base(), "seq": seq}))
        .collect();
    sqlx::query(
        "update paper_embeddings set source_seq = greatest(source_seq, (t ->> 'seq')::bigint), updated_at = $2 \
         from jsonb_array_elements($1::jsonb) as t where paper_embeddings.arxiv_id = t ->> 'id'",
    )
    .bind(to_json(&rows))
    .bind(now_text())
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn since(
    pool: &PgPool,
    model: &str,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<StoredEmbedding>> {
    let rows = sqlx::query(
        "select seq, arxiv_id, vector from paper_embeddings where model = $1 and seq > $2 \
         order by seq limit $3",
    )
    .bind(model)
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id_text: String = row.try_get("arxiv_id").map_err(db_error)?;
        let blob: Vec<u8> = row.try_get("vector").map_err(db_error)?;
        let seq = row.try_get("seq").map_err(db_error)?;
        // A damaged row must not stop followers for good: it comes back with no vector
        // (which indexes refuse, with a warning), so their position still moves past it.
        let Ok(id) = ArxivId::from_str(&id_text) else {
            tracing::warn!(seq, "an embedding row has no valid arXiv id; skipped");
            continue;
        };
        let vector = from_blob(&id_text, &blob).unwrap_or_else(|e| {
            tracing::warn!("{e}; its paper is left out of search by meaning until re-embedded");
            Vec::new()
        });
        out.push(StoredEmbedding { seq, id, vector });
    }
    Ok(out)
}

pub(super) async fn count_of(pool: &PgPool, model: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("select count(*) from paper_embeddings where model = $1")
        .bind(model)
        .fetch_one(pool)
        .await
        .map_err(db_error)?;
    Ok(count(n))
}
