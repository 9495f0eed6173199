//! Paperstand's domain types and pure logic: arXiv ids, papers, code links and the
//! import record format. No I/O happens here, and nothing here imports the store,
//! the web layer or any async runtime; time is always passed in.

pub mod announce;
pub mod arxiv_id;
pub mod atom;
pub mod code_links;
pub mod export;
pub mod external;
pub mod oai;
pub mod paper;
pub mod record;
pub mod trending;

pub use arxiv_id::{ArxivId, ArxivIdError};
pub use code_links::{CodeHost, CodeLink, LinkSource, extract_code_links};
pub use paper::{Paper, Version};
