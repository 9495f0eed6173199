//! A wrapper for excluded clauses (`-word`, `-"a phrase"`).
//!
//! Tantivy's exclusion probes the excluded scorer with `seek_danger` at targets that
//! may lie before the scorer's current document; its phrase scorer asserts against
//! that (a debug assertion, so debug builds panic on `-"two words"`). This wrapper
//! collects the excluded documents of each segment into a bit set first, whose
//! doc set answers any probe correctly. Exclusions are rare and a bit set of a
//! segment is max_doc / 8 bytes, so the cost is small.

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Matches what the inner query matches, with score 0, from a per-segment bit set.
#[derive(Debug)]
pub struct Excluded(Box<dyn Query>);

impl Excluded {
    /// Wraps a query that is used only under `Occur::MustNot`.
    pub fn new(query: Box<dyn Query>) -> Excluded {
        Excluded(query)
    }
}

impl Clone for Excluded {
    fn clone(&self) -> Self {
        Excluded(self.0.box_clone())
    }
}

impl Query for Excluded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let unscored = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        Ok(Box::new(ExcludedWeight(self.0.weight(unscored)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = self.0.scorer(reader, 1.0)?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        let mut doc = inner.doc();
        while doc != TERMINATED {
            docs.insert(doc);
            doc = inner.advance();
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        let matches = scorer.doc() == doc || (scorer.doc() < doc && scorer.seek(doc) == doc);
        let what = if matches { "excluded" } else { "not excluded" };
        Ok(Explanation::new(what, 0.0))
    }
}
