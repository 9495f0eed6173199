//! Copying a SQLite store into a PostgreSQL one (`paperstand migrate-store`): every
//! table, generically, so tables added by later migrations are copied without code
//! here. Tables are copied parents first (by their foreign keys), in batches: SQLite
//! hands each batch over as one JSON array of rows, which PostgreSQL unpacks into the
//! table's own column types (`jsonb_populate_recordset`). A row whose primary key is
//! there already is updated when it differs, so running the copy again picks up what
//! changed, duplicates nothing and rewrites nothing unchanged. Identity columns'
//! sequences are moved past the copied ids, and each table is vacuumed and analysed.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::{PostgresStore, Result, SqliteStore, StoreError};

/// Rows per batch.
const BATCH: i64 = 500;

/// The setting that ties a PostgreSQL database to the SQLite file copied into it: set
/// in the source before the first copy, and copied with everything else.
pub const COPY_MARK: &str = "migrate_store.copy_id";

/// What the copy reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyEvent {
    /// Before the first table: how many rows there are in all.
    Planned {
        /// Rows in every table to copy.
        rows: u64,
    },
    /// A table is next.
    Table {
        /// Its name.
        name: String,
        /// Its rows in the source.
        rows: u64,
    },
    /// A batch of a table was copied.
    Copied {
        /// Rows in the batch.
        rows: u64,
    },
}

/// One table after the copy: its rows on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    /// The table.
    pub name: String,
    /// Rows in the source.
    pub source: i64,
    /// Rows in the target afterwards.
    pub target: i64,
}

fn other(what: impl std::fmt::Display) -> StoreError {
    StoreError::Other(what.to_string())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The source's tables, parents before the tables that refer to them.
async fn tables_in_order(from: &SqliteStore) -> Result<Vec<(String, i64)>> {
    let counts = from.table_counts().await?;
    let names: BTreeSet<String> = counts.iter().map(|(n, _)| n.clone()).collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let refs: Vec<String> =
            sqlx::query_scalar("select \"table\" from pragma_foreign_key_list(?1)")
                .bind(name)
                .fetch_all(&from.pool)
                .await
                .map_err(other)?;
        let refs = refs.into_iter().filter(|r| r != name && names.contains(r));
        parents.insert(name.clone(), refs.collect());
    }
    let mut ordered: Vec<(String, i64)> = Vec::with_capacity(counts.len());
    let mut placed = BTreeSet::new();
    while placed.len() < names.len() {
        let ready: Vec<&(String, i64)> = counts
            .iter()
            .filter(|(n, _)| !placed.contains(n) && parents[n].iter().all(|p| placed.contains(p)))
            .collect();
        if ready.is_empty() {
            return Err(other("the tables' foreign keys form a cycle"));
        }
        for table in ready {
            placed.insert(table.0.clone());
            ordered.push(table.clone());
        }
    }
    Ok(ordered)
}

/// A table's columns in SQLite: (name, declared type, place in the primary key).
async fn sqlite_columns(from: &SqliteStore, table: &str) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query("select name, type, pk from pragma_table_info(?1) order by cid")
        .bind(table)
        .fetch_all(&from.pool)
        .await
        .map_err(other)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0).map_err(other)?,
                r.try_get(1).map_err(other)?,
                r.try_get(2).map_err(other)?,
            ))
        })
        .collect()
}

/// A table's columns in PostgreSQL, its primary key and its identity columns.
struct Target {
    columns: Vec<String>,
    key: Vec<String>,
    identities: Vec<String>,
}

async fn target_table(to: &PostgresStore, table: &str) -> Result<Target> {
    let rows = sqlx::query(
        "select column_name::text, is_identity = 'YES' from information_schema.columns \
         where table_schema = current_schema() and table_name = $1 order by ordinal_position",
    )
    .bind(table)
    .fetch_all(&to.pool)
    .await
    .map_err(other)?;
    if rows.is_empty() {
        return Err(other(format!(
            "table {table} is in the SQLite database but not in PostgreSQL: are both from the same Paperstand version?"
        )));
    }
    let mut columns = Vec::new();
    let mut identities = Vec::new();
    for row in &rows {
        let name: String = row.try_get(0).map_err(other)?;
        if row.try_get::<bool, _>(1).map_err(other)? {
            identities.push(name.clone());
        }
        columns.push(name);
    }
    let key: Vec<String> = sqlx::query_scalar(
        "select a.attname::text from pg_index i \
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) \
         where i.indrelid = to_regclass(quote_ident($1)) and i.indisprimary order by a.attnum",
    )
    .bind(table)
    .fetch_all(&to.pool)
    .await
    .map_err(other)?;
    Ok(Target {
        columns,
        key,
        identities,
    })
}

/// Refuses to copy into a PostgreSQL database that holds anything but an earlier copy of
/// this very SQLite file, untouched since: rows are matched by their ids, so copying into
/// other data, or over writes nodes made after the copy, would overwrite rows that are
/// not the same. Marks the source (see [`COPY_MARK`]) on its first copy.
async fn refuse_foreign_target(from: &SqliteStore, to: &PostgresStore) -> Result<()> {
    use crate::Store;
    let target = to.table_counts().await?;
    // Migrations seed `counters`; any other row means the database is in use.
    let empty = target.iter().all(|(name, n)| *n == 0 || name == "counters");
    let mark = match from.setting(COPY_MARK).await? {
        Some(mark) => mark,
        None => {
            let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
            let mark = format!("{now}-{}", std::process::id());
            from.set_setting(COPY_MARK, &mark).await?;
            mark
        }
    };
    if empty {
        return Ok(());
    }
    if to.setting(COPY_MARK).await?.as_deref() != Some(mark.as_str()) {
        return Err(other(
            "the PostgreSQL database already holds data that was not copied from this SQLite \
             file; copy into an empty database (or schema)",
        ));
    }
    let counters =
        |pool_rows: Vec<(String, i64)>| pool_rows.into_iter().collect::<BTreeMap<_, _>>();
    let source = counters(
        sqlx::query_as("select name, value from counters")
            .fetch_all(&from.pool)
            .await
            .map_err(other)?,
    );
    let target = counters(
        sqlx::query_as("select name, value from counters")
            .fetch_all(&to.pool)
            .await
            .map_err(other)?,
    );
    for (name, value) in &target {
        let copied = source.get(name).copied().unwrap_or(0);
        if *value > copied {
            return Err(other(format!(
                "the PostgreSQL database has changed since the last copy (its {name} sequence \
                 is at {value}, the SQLite file's at {copied}): nodes have written to it, and \
                 copying again would undo their writes"
            )));
        }
    }
    Ok(())
}

/// Copies every table of `from` into `to` (both migrated to the same version), then
/// counts both sides. `progress` hears of each table and batch. Refuses a target that
/// holds other data (see `refuse_foreign_target`).
pub async fn copy_sqlite_to_postgres(
    from: &SqliteStore,
    to: &PostgresStore,
    progress: &(dyn Fn(CopyEvent) + Sync),
) -> Result<Vec<TableCheck>> {
    refuse_foreign_target(from, to).await?;
    let tables = tables_in_order(from).await?;
    let total = tables
        .iter()
        .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
        .sum();
    progress(CopyEvent::Planned { rows: total });
    for (table, rows) in &tables {
        progress(CopyEvent::Table {
            name: table.clone(),
            rows: u64::try_from(*rows).unwrap_or(0),
        });
        copy_table(from, to, table, progress).await?;
        // Fresh statistics, so the planner knows the tables are no longer empty, and a
        // visibility map, so counts are answered from indexes alone (the trending day
        // query over the benchmark corpus: 136 ms before, 50 ms after).
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "vacuum analyze {}",
            quote(table)
        )))
        .execute(&to.pool)
        .await
        .map_err(|e| other(format!("vacuuming {table}: {e}")))?;
    }
    let source: BTreeMap<String, i64> = from.table_counts().await?.into_iter().collect();
    let target: BTreeMap<String, i64> = to.table_counts().await?.into_iter().collect();
    Ok(source
        .into_iter()
        .map(|(name, source)| {
            let target = target.get(&name).copied().unwrap_or(0);
            TableCheck {
                name,
                source,
                target,
            }
        })
        .collect())
}

async fn copy_table(
    from: &SqliteStore,
    to: &PostgresStore,
    table: &str,
    progress: &(dyn Fn(CopyEvent) + Sync),
) -> Result<()> {
    let source = sqlite_columns(from, table).await?;
    let target = target_table(to, table).await?;
    if let Some((missing, _, _)) = source.iter().find(|(c, _, _)| !target.columns.contains(c)) {
        return Err(other(format!(
            "column {table}.{missing} is not in PostgreSQL"
        )));
    }
    // Each row as a JSON object; blobs as PostgreSQL's hex bytea text.
    let fields: Vec<String> = source
        .iter()
        .map(|(c, ty, _)| {
            let value = if ty.eq_ignore_ascii_case("blob") {
                format!("'\\x' || hex({})", quote(c))
            } else {
                quote(c)
            };
            format!("'{}', {value}", c.replace('\'', "''"))
        })
        .collect();
    let mut key: Vec<(i64, &str)> = source
        .iter()
        .filter(|(_, _, pk)| *pk > 0)
        .map(|(c, _, pk)| (*pk, c.as_str()))
        .collect();
    key.sort();
    let order = if key.is_empty() {
        "rowid".to_owned()
    } else {
        key.iter()
            .map(|(_, c)| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let select = format!(
        "select json_object({}) from {} order by {order} limit ?1 offset ?2",
        fields.join(", "),
        quote(table)
    );
    let columns: Vec<String> = source.iter().map(|(c, _, _)| quote(c)).collect();
    let conflict = if target.key.is_empty() {
        "on conflict do nothing".to_owned()
    } else {
        let keys: Vec<String> = target.key.iter().map(|c| quote(c)).collect();
        let values: Vec<String> = source
            .iter()
            .filter(|(c, _, _)| !target.key.contains(c))
            .map(|(c, _, _)| quote(c))
            .collect();
        if values.is_empty() {
            format!("on conflict ({}) do nothing", keys.join(", "))
        } else {
            // Only rows that differ are written: a re-run over unchanged data rewrites
            // nothing (no new row versions, no WAL).
            let updates: Vec<String> = values
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            let current: Vec<String> = values
                .iter()
                .map(|c| format!("{}.{c}", quote(table)))
                .collect();
            let incoming: Vec<String> = values.iter().map(|c| format!("excluded.{c}")).collect();
            format!(
                "on conflict ({}) do update set {} where ({}) is distinct from ({})",
                keys.join(", "),
                updates.join(", "),
                current.join(", "),
                incoming.join(", ")
            )
        }
    };
    let insert = format!(
        "insert into {t} ({c}) select {c} from jsonb_populate_recordset(null::{t}, $1::jsonb) {conflict}",
        t = quote(table),
        c = columns.join(", ")
    );
    let mut offset = 0;
    loop {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(select.clone()))
            .bind(BATCH)
            .bind(offset)
            .fetch_all(&from.pool)
            .await
            .map_err(|e| other(format!("reading {table}: {e}")))?;
        if rows.is_empty() {
            break;
        }
        let batch = format!("[{}]", rows.join(","));
        sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(batch)
            .execute(&to.pool)
            .await
            .map_err(|e| other(format!("writing {table}: {e}")))?;
        progress(CopyEvent::Copied {
            rows: rows.len() as u64,
        });
        offset += BATCH;
    }
    for column in &target.identities {
        let reset = format!(
            "select setval(pg_get_serial_sequence({t}, {c}), coalesce((select max({q}) from {qt}), 0) + 1, false)",
            t = sql_text(&quote(table)),
            c = sql_text(column),
            q = quote(column),
            qt = quote(table)
        );
        sqlx::query(sqlx::AssertSqlSafe(reset))
            .execute(&to.pool)
            .await
            .map_err(|e| other(format!("moving {table}.{column}'s sequence: {e}")))?;
    }
    Ok(())
}

/// `text` as an SQL string literal.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
