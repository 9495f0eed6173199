//! The index on disk: upserts, the absorbed sequence, reopening, locks, corruption.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{found, paper, search};
use paperstand_search::{IndexDoc, IndexError, TextIndex};
use tempfile::TempDir;

fn apply(index: &TextIndex, papers: &[paperstand_core::Paper], seq: i64) {
    let docs: Vec<IndexDoc<'_>> = papers.iter().map(IndexDoc::new).collect();
    index.apply(&docs, seq).expect("apply");
}

fn two_papers() -> Vec<paperstand_core::Paper> {
    vec![
        paper(
            "2501.00001",
            "Zebra crossings for robots",
            "Robots cross roads.",
        ),
        paper("2501.00002", "Yak herding with drones", "Drones herd yaks."),
    ]
}

#[test]
fn text_index_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TextIndex>();
}

#[test]
fn upsert_replaces_the_old_version() {
    let dir = TempDir::new().expect("tempdir");
    let index = TextIndex::open(dir.path()).expect("open");
    apply(&index, &two_papers(), 5);
    assert_eq!(index.doc_count(), 2);
    assert!(found(&search(&index, "zebra", 10), "2501.00001"));
    let changed = paper("2501.00001", "Okapi sightings", "Robots watch okapis.");
    apply(&index, &[changed], 6);
    assert_eq!(index.doc_count(), 2);
    assert_eq!(search(&index, "zebra", 10).total, 0);
    assert!(found(&search(&index, "okapi", 10), "2501.00001"));
    assert_eq!(index.caught_up(), 6);
    // An id with a version is the same paper.
    apply(&index, &[paper("2501.00001v3", "Okapi census", "v3")], 7);
    assert_eq!(index.doc_count(), 2);
    let results = search(&index, "okapi census", 10);
    assert_eq!(common::ids(&results), ["2501.00001"]);
}

#[test]
fn the_last_copy_wins_within_one_batch() {
    let (_dir, index) = common::index_of(&[
        paper("2501.00001", "First draft", "one"),
        paper("2501.00001", "Second draft", "two"),
    ]);
    assert_eq!(index.doc_count(), 1);
    assert_eq!(search(&index, "first", 10).total, 0);
    assert_eq!(search(&index, "second", 10).total, 1);
}

#[test]
fn caught_up_survives_reopening_and_a_stale_lock_file() {
    let dir = TempDir::new().expect("tempdir");
    {
        let index = TextIndex::open(dir.path()).expect("open");
        assert_eq!(index.caught_up(), 0);
        apply(&index, &two_papers(), 42);
    }
    // A killed process leaves the lock file behind; the OS lock on it is gone.
    fs::write(dir.path().join(".tantivy-writer.lock"), b"").expect("lock file");
    let index = TextIndex::open(dir.path()).expect("reopen");
    assert_eq!(index.caught_up(), 42);
    assert_eq!(index.doc_count(), 2);
    assert!(found(&search(&index, "yak", 10), "2501.00002"));
    apply(&index, &[], 43);
    drop(index);
    assert_eq!(TextIndex::open(dir.path()).expect("reopen").caught_up(), 43);
}

#[test]
fn a_second_writer_is_refused_and_wipes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let index = TextIndex::open(dir.path()).expect("open");
    apply(&index, &two_papers(), 7);
    let second = TextIndex::open(dir.path());
    assert!(
        matches!(second, Err(IndexError::Locked { .. })),
        "{second:?}"
    );
    assert_eq!(index.doc_count(), 2);
    drop(index);
    assert_eq!(TextIndex::open(dir.path()).expect("reopen").caught_up(), 7);
}

#[test]
fn clear_empties_the_index() {
    let (dir, index) = common::index_of(&two_papers());
    index.clear().expect("clear");
    assert_eq!((index.doc_count(), index.caught_up()), (0, 0));
    assert_eq!(search(&index, "yak", 10).total, 0);
    drop(index);
    let index = TextIndex::open(dir.path()).expect("reopen");
    assert_eq!((index.doc_count(), index.caught_up()), (0, 0));
}

#[test]
fn corrupt_meta_json_is_rebuilt() {
    let dir = filled_dir();
    fs::write(dir.path().join("meta.json"), b"{ not json \xff").expect("garbage");
    assert_rebuilt(dir.path());
}

#[test]
fn corrupt_segment_file_is_rebuilt() {
    let dir = filled_dir();
    let segment_file = fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a segment file");
    let mut bytes = fs::read(&segment_file).expect("read");
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle.saturating_sub(8)..middle + 8] {
        *b = !*b;
    }
    fs::write(&segment_file, bytes).expect("garbage");
    assert_rebuilt(dir.path());
}

#[test]
fn truncated_segment_file_is_rebuilt() {
    let dir = filled_dir();
    for entry in fs::read_dir(dir.path()).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "store") {
            fs::write(&path, b"garbage").expect("garbage");
        }
    }
    assert_rebuilt(dir.path());
}

#[test]
fn an_index_of_another_schema_is_rebuilt() {
    let dir = TempDir::new().expect("tempdir");
    {
        let mut builder = tantivy::schema::Schema::builder();
        let title = builder.add_text_field("title", tantivy::schema::TEXT);
        let index = tantivy::Index::create_in_dir(dir.path(), builder.build()).expect("create");
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer
            .add_document(tantivy::doc!(title => "old"))
            .expect("add");
        writer.commit().expect("commit");
    }
    assert_rebuilt(dir.path());
}

/// A directory holding an index with two papers at sequence 9.
fn filled_dir() -> TempDir {
    let dir = TempDir::new().expect("tempdir");
    let index = TextIndex::open(dir.path()).expect("open");
    apply(&index, &two_papers(), 9);
    dir
}

/// Opening `dir` warns, starts empty at sequence 0, and works afterwards.
fn assert_rebuilt(dir: &Path) {
    let (logs, result) = capture_warnings(|| TextIndex::open(dir));
    let index = result.expect("open recreates");
    assert_eq!((index.caught_up(), index.doc_count()), (0, 0));
    assert!(
        logs.iter()
            .any(|l| l.contains("corrupt or from another version")),
        "{logs:?}"
    );
    apply(&index, &two_papers(), 1);
    assert!(found(&search(&index, "zebra", 10), "2501.00001"));
}

/// Runs `f` with a subscriber that records WARN events as text.
fn capture_warnings<T>(f: impl FnOnce() -> T) -> (Vec<String>, T) {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let subscriber = WarnRecorder(logs.clone());
    let out = tracing::subscriber::with_default(subscriber, f);
    let logs = logs.lock().expect("logs").clone();
    (logs, out)
}

/// A minimal subscriber: keeps the fields of WARN (and worse) events.
struct WarnRecorder(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for WarnRecorder {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = String::new();
        event.record(
            &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                let _ = write!(line, "{}={value:?} ", field.name());
            },
        );
        self.0.lock().expect("logs").push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
