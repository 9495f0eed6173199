//! Helpers shared by the text-index tests: papers by hand and the demo sample.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::OnceLock;

use paperstand_core::record::parse_record;
use paperstand_core::{ArxivId, Paper};
use paperstand_search::{IndexDoc, SearchOptions, Sort, TextIndex, TextResults};
use tempfile::TempDir;
use time::Date;
use time::macros::date;

/// A paper with the given id, title and abstract, listed on 2025-03-18 in cs.CL.
pub fn paper(id: &str, title: &str, abstract_text: &str) -> Paper {
    Paper {
        id: id.parse().expect("test id"),
        title: title.into(),
        abstract_text: abstract_text.into(),
        authors: vec!["Ada Lovelace".into()],
        categories: vec!["cs.CL".into()],
        classes: Vec::new(),
        comment: None,
        journal_ref: None,
        doi: None,
        versions: Vec::new(),
        submitted_on: None,
        listed_on: date!(2025 - 03 - 18),
        last_listed_on: None,
        times_listed: None,
        links: Vec::new(),
        withdrawn: false,
    }
}

/// An index in a fresh temporary directory, fed `papers` at sequence 1.
pub fn index_of(papers: &[Paper]) -> (TempDir, TextIndex) {
    let dir = TempDir::new().expect("tempdir");
    let index = TextIndex::open(dir.path()).expect("open");
    let docs: Vec<IndexDoc<'_>> = papers.iter().map(IndexDoc::new).collect();
    index.apply(&docs, 1).expect("apply");
    (dir, index)
}

/// The demo set shipped with the app.
pub fn sample_papers() -> &'static [Paper] {
    static PAPERS: OnceLock<Vec<Paper>> = OnceLock::new();
    PAPERS.get_or_init(|| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../paperstand/demo/sample_2000.jsonl.gz");
        let file = std::fs::File::open(&path).expect("demo sample");
        let reader = BufReader::new(flate2::read::GzDecoder::new(file));
        let today: Date = date!(2100 - 01 - 01);
        reader
            .lines()
            .map(|line| parse_record(line.expect("line").as_bytes(), today).expect("record"))
            .collect()
    })
}

/// One index of the demo set, built once per test binary.
pub fn sample_index() -> &'static TextIndex {
    static INDEX: OnceLock<(TempDir, TextIndex)> = OnceLock::new();
    &INDEX.get_or_init(|| index_of(sample_papers())).1
}

/// Searches with default options but `limit`.
pub fn search(index: &TextIndex, query: &str, limit: usize) -> TextResults {
    let opts = SearchOptions {
        limit,
        ..SearchOptions::default()
    };
    index.search(query, &opts).expect("search")
}

/// Searches sorted newest first.
pub fn search_newest(index: &TextIndex, query: &str, limit: usize) -> TextResults {
    let opts = SearchOptions {
        limit,
        sort: Sort::Newest,
        ..SearchOptions::default()
    };
    index.search(query, &opts).expect("search")
}

/// The ids of the hits, as strings.
pub fn ids(results: &TextResults) -> Vec<String> {
    results.hits.iter().map(|h| h.id.to_string()).collect()
}

/// Whether `id` is among the hits.
pub fn found(results: &TextResults, id: &str) -> bool {
    let id: ArxivId = id.parse().expect("id");
    results.hits.iter().any(|h| h.id == id)
}
