//! Hugging Face and Papers with Code parsers on real recorded data (see fixtures/INDEX.md).

use paperstand_core::LinkSource;
use paperstand_core::external::{SignalKind, parse_hf, parse_pwc_links};
use time::macros::date;

const HF_PAPER: &[u8] = include_bytes!("fixtures/hf_paper_object_2407.13168_from_paper_page.json");
const PWC_ROWS: &[u8] =
    include_bytes!("fixtures/pwc_links_between_papers_and_code_rows_quoted.json");

#[test]
fn a_real_hf_paper_object_gives_its_paper_and_upvotes() {
    let import = parse_hf(HF_PAPER, date!(2026 - 11 - 27)).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    let paper = &import.papers[0];
    assert_eq!(paper.id.to_string(), "2407.13168");
    assert_eq!(
        paper.title,
        "SciCode: A Research Coding Benchmark Curated by Scientists"
    );
    assert_eq!(paper.authors[0], "Minyang Tian");
    assert_eq!(
        paper.listed_on,
        date!(2024 - 07 - 22),
        "the day Hugging Face listed it"
    );
    assert_eq!(paper.submitted_on, Some(date!(2024 - 07 - 18)));
    assert_eq!(
        (import.signals[0].kind, import.signals[0].value),
        (SignalKind::Upvotes, 17)
    );
    assert!(import.links.is_empty(), "this paper has no githubRepo");
}

#[test]
fn real_pwc_rows_give_links_with_their_flags() {
    let (links, rejected) = parse_pwc_links(PWC_ROWS).unwrap();
    assert!(rejected.is_empty());
    assert_eq!(links.len(), 4);
    let official: Vec<_> = links
        .iter()
        .filter(|l| l.official == Some(true))
        .map(|l| l.link.repo.as_str())
        .collect();
    assert_eq!(
        official,
        [
            "paul-buerkner/psis-non-factorized-paper",
            "roatienza/densemapnet"
        ]
    );
    assert!(
        links
            .iter()
            .all(|l| l.link.source == LinkSource::PapersWithCode)
    );
    assert_eq!(links[3].framework.as_deref(), Some("tf"));
}
