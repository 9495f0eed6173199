//! Row counts per table: how an operator (and the tests that check no GET writes
//! anything, or that a copy is complete) sees what the database holds; and where a
//! member is still named (checking an account deletion).

use sqlx::Row;

use super::{PostgresStore, db_error};
use crate::Result;
use crate::community::{Identity, member_column};

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

impl PostgresStore {
    /// See [`crate::Community::traces`]: one scan per table, counting per column.
    pub(super) async fn find_traces(&self, who: &Identity) -> Result<Vec<String>> {
        let tables: Vec<String> = sqlx::query_scalar(
            "select table_name::text from information_schema.tables \
             where table_schema = current_schema() and table_type = 'BASE TABLE' \
             order by table_name collate \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let texts = crate::community::needles(who);
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<(String, String)> = sqlx::query_as(
                "select column_name::text, data_type::text from information_schema.columns \
                 where table_schema = current_schema() and table_name = $1 \
                 order by ordinal_position",
            )
            .bind(&table)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
            // $1 is the id, $2 the texts, $3 the keys (text arrays).
            let tests: Vec<String> = columns
                .iter()
                .map(|(column, data_type)| {
                    let c = format!("r.{}", quote(column));
                    let mut test = format!(
                        "exists (select 1 from unnest($2::text[]) as n(needle) \
                         where strpos(lower({c}::text), lower(n.needle)) > 0 or strpos({c}::text, n.needle) > 0)"
                    );
                    if data_type == "text" {
                        test = format!("{test} or {c} = any($3::text[])");
                    }
                    if member_column(&table, column) && data_type == "bigint" {
                        test = format!("{c} = $1 or {test}");
                    }
                    format!("count(case when {test} then 1 end)")
                })
                .collect();
            // Names come from the schema itself, not from input; quoted anyway.
            // The table is `r`, the needles `n(needle)`: no column name can shadow them.
            let sql = format!("select {} from {} as r", tests.join(", "), quote(&table));
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(who.id)
                .bind(&texts)
                .bind(&who.keys)
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
            for (i, (column, _)) in columns.iter().enumerate() {
                if row.try_get::<i64, _>(i).map_err(db_error)? > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
        Ok(found)
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
