//! Row counts per table: how an operator (and the tests that check no GET writes
//! anything, or that a copy is complete) sees what the database holds; and where a
//! member is still named (checking an account deletion).

use sqlx::Row;

use super::{SqliteStore, db_error, to_json};
use crate::Result;
use crate::community::{Identity, member_column};

impl SqliteStore {
    /// Every table of the schema (not sqlx's bookkeeping) with its row count, by name.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let names: Vec<String> = sqlx::query_scalar(
            "select name from sqlite_schema where type = 'table' \
             and name not like 'sqlite_%' and name not like '_sqlx_%' order by name",
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

impl SqliteStore {
    /// See [`crate::Community::traces`]: one scan per table, counting per column.
    pub(super) async fn find_traces(&self, who: &Identity) -> Result<Vec<String>> {
        let tables: Vec<String> = sqlx::query_scalar(
            "select name from sqlite_schema where type = 'table' \
             and name not like 'sqlite_%' order by name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let texts = crate::community::needles(who);
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("select name from pragma_table_info(?1) order by cid")
                    .bind(&table)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
            // ?1 is the id, ?2 the texts, ?3 the keys (JSON arrays).
            let tests: Vec<String> = columns
                .iter()
                .map(|column| {
                    let c = format!("t.{}", quote(column));
                    let mut test = format!(
                        "exists (select 1 from json_each(?2) j where instr(lower(cast({c} as text)), lower(j.value)) > 0 \
                         or instr(cast({c} as text), j.value) > 0) \
                         or (typeof({c}) = 'text' and {c} in (select k.value from json_each(?3) k))"
                    );
                    if member_column(&table, column) {
                        test = format!("{c} = ?1 or {test}");
                    }
                    format!("count(case when {test} then 1 end)")
                })
                .collect();
            // Names come from the schema itself, not from input; quoted anyway.
            // The table is `t`: a column named `value` must not read json_each's.
            let sql = format!("select {} from {} as t", tests.join(", "), quote(&table));
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(who.id)
                .bind(to_json(&texts))
                .bind(to_json(&who.keys))
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
            for (i, column) in columns.iter().enumerate() {
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
