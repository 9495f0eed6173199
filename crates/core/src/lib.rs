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

/// `1234567` → `"1,234,567"`: counts as people read them.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
