//! A content fingerprint of a paper, shared by every backend, so that an import can
//! tell "unchanged" from "updated" without reading the stored row back.

use paperstand_core::Paper;
use paperstand_core::record::PaperRecord;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of the paper's canonical record and its extracted code links. Links
/// are included so that better link extraction updates papers on re-import.
pub fn fingerprint(paper: &Paper) -> String {
    let record = PaperRecord::from_paper(paper);
    let mut hasher = Sha256::new();
    // Serialising plain strings, numbers and vectors cannot fail.
    let record_json = serde_json::to_vec(&record).unwrap_or_default();
    let links_json = serde_json::to_vec(&paper.links).unwrap_or_default();
    hasher.update(&record_json);
    hasher.update([0]);
    hasher.update(&links_json);
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}
