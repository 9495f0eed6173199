//! Opening the index directory: create, reopen, or wipe and recreate an unusable one.

use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicI64;

use tantivy::directory::error::LockError;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError};

use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{Analyzers, IndexError, TextIndex};

/// Memory the writer may buffer before it flushes a segment, in bytes.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// The commit payload recording `seq`.
pub fn payload(seq: i64) -> String {
    format!("{SCHEMA_VERSION} seq={seq}")
}

/// The sequence of a payload written by this schema version.
fn parse_payload(payload: &str) -> Option<i64> {
    payload
        .strip_prefix(SCHEMA_VERSION)?
        .strip_prefix(" seq=")?
        .parse()
        .ok()
}

/// Why an existing directory was not opened.
enum Unopened {
    /// Nothing there yet.
    Missing,
    /// Corrupt or incompatible: to be wiped, for this reason.
    Unusable(String),
    /// A real error (locked by another process, I/O).
    Fatal(IndexError),
}

/// See [`TextIndex::open`].
pub fn open(dir: &Path) -> Result<TextIndex, IndexError> {
    let io = |source| IndexError::Io {
        path: dir.to_owned(),
        source,
    };
    fs::create_dir_all(dir).map_err(io)?;
    // Tantivy can panic on some damaged files (a file shorter than its footer
    // underflows an offset), so a panic while reopening also counts as corruption.
    let reopened = std::panic::catch_unwind(AssertUnwindSafe(|| reopen(dir)))
        .unwrap_or_else(|panic| Err(Unopened::Unusable(panic_message(&*panic))));
    match reopened {
        Ok(index) => return Ok(index),
        Err(Unopened::Missing) => {}
        Err(Unopened::Fatal(e)) => return Err(e),
        Err(Unopened::Unusable(reason)) => {
            tracing::warn!(
                index.dir = %dir.display(),
                reason = %reason,
                "text index is corrupt or from another version; wiping it to rebuild from scratch"
            );
            wipe(dir).map_err(io)?;
        }
    }
    create(dir)
}

/// Opens an existing index, checking its version and every file's checksum.
fn reopen(dir: &Path) -> Result<TextIndex, Unopened> {
    if !dir.join("meta.json").exists() {
        return Err(Unopened::Missing);
    }
    let unusable = |e: TantivyError| Unopened::Unusable(e.to_string());
    let index = Index::open_in_dir(dir).map_err(unusable)?;
    let (expected, fields) = Fields::schema();
    if index.schema() != expected {
        return Err(Unopened::Unusable(
            "its fields differ from this version's".into(),
        ));
    }
    let metas = index.load_metas().map_err(unusable)?;
    let payload = metas.payload.unwrap_or_default();
    let Some(seq) = parse_payload(&payload) else {
        let reason = format!("its version is {payload:?}, not {SCHEMA_VERSION:?}");
        return Err(Unopened::Unusable(reason));
    };
    // Take the writer lock first: a file another process is writing is not corrupt.
    let writer = writer(&index, dir)?;
    let corrupt = index.validate_checksum().map_err(unusable)?;
    if !corrupt.is_empty() {
        return Err(Unopened::Unusable(format!(
            "checksum mismatch in {corrupt:?}"
        )));
    }
    let reader = reader(&index).map_err(unusable)?;
    Ok(assemble(dir, index, fields, reader, writer, seq))
}

/// Creates a new, empty index whose first commit records the schema version.
fn create(dir: &Path) -> Result<TextIndex, IndexError> {
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(dir, schema)?;
    let mut writer = writer(&index, dir).map_err(|e| match e {
        Unopened::Fatal(e) => e,
        Unopened::Missing | Unopened::Unusable(_) => IndexError::Locked {
            path: dir.to_owned(),
        },
    })?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload(0));
    prepared.commit()?;
    let reader = reader(&index)?;
    Ok(assemble(dir, index, fields, reader, writer, 0))
}

/// The single writer, with the analyzers registered first.
fn writer(index: &Index, dir: &Path) -> Result<IndexWriter, Unopened> {
    schema::register_analyzers(index.tokenizers());
    match index.writer_with_num_threads(1, WRITER_MEMORY_BYTES) {
        Ok(writer) => Ok(writer),
        Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
            Err(Unopened::Fatal(IndexError::Locked {
                path: dir.to_owned(),
            }))
        }
        Err(TantivyError::LockFailure(LockError::IoError(e), _)) => {
            Err(Unopened::Fatal(IndexError::Io {
                path: dir.to_owned(),
                source: std::io::Error::new(e.kind(), e.to_string()),
            }))
        }
        Err(e) => Err(Unopened::Unusable(e.to_string())),
    }
}

/// A reader reloaded by hand after each commit, so `apply` is visible on return.
fn reader(index: &Index) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
}

fn assemble(
    dir: &Path,
    index: Index,
    fields: Fields,
    reader: IndexReader,
    writer: IndexWriter,
    seq: i64,
) -> TextIndex {
    let tokenizers = index.tokenizers();
    let analyzer = |name| {
        tokenizers
            .get(name)
            .unwrap_or_else(|| unreachable!("analyzer {name} was registered"))
    };
    let analyzers = Analyzers {
        prose: analyzer(schema::PROSE),
        name: analyzer(schema::NAME),
        keyword: analyzer(schema::KEYWORD),
    };
    TextIndex {
        dir: dir.to_owned(),
        fields,
        analyzers,
        reader,
        writer: Mutex::new(writer),
        caught_up: AtomicI64::new(seq),
        _index: index,
    }
}

/// The text of a caught panic.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    format!("reading it panicked: {text}")
}

/// Removes everything inside `dir` (not `dir` itself, which may be a mount point).
fn wipe(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        assert_eq!(parse_payload(&payload(42)), Some(42));
        assert_eq!(parse_payload("paperstand-text/0 seq=42"), None);
        assert_eq!(parse_payload(""), None);
    }
}
