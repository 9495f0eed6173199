//! Row counts per table: how an operator (and the tests that check no GET writes
//! anything, or that a copy is complete) sees what the database holds.

use sqlx::Row;

use super::{PostgresStore, db_error};
use crate::Result;

impl PostgresStore {
    /// Every table of the schema (not sqlx's bookkeeping) with its row count, by name.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let names: Vec<String> = sqlx::query_scalar(
            "select table_name::text from information_schema.tables \
             where table_schema = current_schema() and table_type = 'BASE TABLE' \
             and table_name not like '\\_sqlx\\_%' order by table_name collate \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut counts = Vec::with_capacity(names.len());
        for name in names {
            // Table names come from the schema itself, not from input; quoted anyway.
            let sql = format!(
                "select count(*) as n from \"{}\"",
                name.replace('"', "\"\"")
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
            counts.push((name, row.try_get::<i64, _>("n").map_err(db_error)?));
        }
        Ok(counts)
    }
}
