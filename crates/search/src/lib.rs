//! Search indexes (see Cargo.toml description): `text` is the full-text index and
//! `query` the search-box syntax it reads. Imports only `core` and its own
//! dependencies, never the store or the web layer.

pub mod hybrid;
pub mod query;
pub mod text;
pub mod vector;

pub use text::{IndexDoc, IndexError, SearchOptions, Sort, TextHit, TextIndex, TextResults};
