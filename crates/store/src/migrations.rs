//! Checks shared by the backends' migrations.

use crate::{Result, StoreError};

/// Refuses a database whose newest applied migration is newer than any this binary
/// carries: it was migrated by a newer Paperstand, and this one would misread it.
pub(crate) fn refuse_newer(
    applied: Option<i64>,
    known: &sqlx::migrate::Migrator,
    database: &str,
) -> Result<()> {
    let newest_known = known.iter().map(|m| m.version).max().unwrap_or(0);
    match applied {
        Some(applied) if applied > newest_known => Err(StoreError::Other(format!(
            "the database {database} has schema version {applied}, newer than this binary \
             knows (up to {newest_known}): it was migrated by a newer Paperstand. \
             Run that version (or newer) instead; this one refuses to start."
        ))),
        _ => Ok(()),
    }
}
