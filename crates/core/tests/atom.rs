//! The arXiv API (Atom) parser against real responses in both layouts (tests/fixtures,
//! see INDEX.md), and against damaged documents: an error or a rejected entry, never a
//! panic.

use std::path::PathBuf;

use paperstand_core::atom::{AtomEntry, AtomError, AtomFeed, parse_feed};
use paperstand_core::{CodeHost, Version};
use time::macros::date;

fn text_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn feed(name: &str) -> AtomFeed {
    parse_feed(text_fixture(name).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn entry<'f>(feed: &'f AtomFeed, id: &str) -> &'f AtomEntry {
    feed.entries
        .iter()
        .find(|e| e.paper.id.base() == id)
        .unwrap_or_else(|| panic!("{id} not in the feed"))
}

const M10: &str = "arxiv_atom_2026_search_testing_s0_m10.xml";
const LEGACY_ONE: &str = "arxiv_atom_legacy_2016_id_list_1111.2011v2.xml";

#[test]
fn every_fixture_parses_with_its_counts() {
    for (name, entries, total) in [
        (M10, 10, Some(214_881)),
        (
            "arxiv_atom_2026_search_testing_s0_m100.xml",
            100,
            Some(214_881),
        ),
        ("arxiv_atom_2026_id_list_two.xml", 1, Some(1)),
        (
            "arxiv_atom_2026_id_list_oldstyle_astro-ph_0601001.xml",
            1,
            Some(1),
        ),
        (
            "arxiv_atom_2026_id_list_1707.08567_mojibake_author.xml",
            1,
            Some(1),
        ),
        ("arxiv_atom_2026_empty_result.xml", 0, Some(0)),
        (
            "arxiv_atom_legacy_2016_search_au_del_maestro.xml",
            10,
            Some(31),
        ),
        ("arxiv_atom_legacy_2016_search_checkerboard.xml", 1, Some(1)),
        (LEGACY_ONE, 1, Some(1)),
    ] {
        let feed = feed(name);
        assert_eq!(feed.entries.len(), entries, "{name}");
        assert!(feed.rejected.is_empty(), "{name}: {:?}", feed.rejected);
        assert_eq!(feed.total_results, total, "{name}");
        assert_eq!(feed.start_index, Some(0), "{name}");
        for e in &feed.entries {
            let paper = &e.paper;
            assert!(paper.id.version().is_none(), "stored without version");
            assert!(!paper.title.is_empty() && !paper.authors.is_empty());
            assert!(!paper.categories.is_empty(), "{}", paper.id);
            assert_eq!(paper.submitted_on, Some(e.published));
            assert_eq!(paper.listed_on, e.published, "provisional listing date");
            assert!(e.updated >= e.published);
            assert!(e.pdf_url.as_deref().is_some_and(|u| u.contains("/pdf/")));
            assert!(!paper.title.contains('\n') && !paper.title.contains("  "));
        }
    }
    assert_eq!(feed(M10).items_per_page, Some(10));
    assert_eq!(
        feed("arxiv_atom_2026_empty_result.xml").items_per_page,
        Some(100)
    );
}

#[test]
fn current_layout_entry_details() {
    let feed = feed(M10);
    let fuzzing = entry(&feed, "2005.14124");
    assert_eq!(fuzzing.version, Some(2));
    assert_eq!(fuzzing.published, date!(2020 - 05 - 28));
    assert_eq!(fuzzing.updated, date!(2020 - 07 - 16));
    assert_eq!(
        fuzzing.paper.versions,
        [
            Version {
                version: 1,
                date: date!(2020 - 05 - 28)
            },
            Version {
                version: 2,
                date: date!(2020 - 07 - 16)
            },
        ]
    );
    assert_eq!(fuzzing.paper.categories, ["cs.SE", "cs.CR", "cs.LG"]);
    assert_eq!(
        fuzzing.paper.doi.as_deref(),
        Some("10.1145/3395363.3397376")
    );
    assert!(
        fuzzing
            .paper
            .comment
            .as_deref()
            .unwrap()
            .starts_with("Accepted by the ACM SIGSOFT")
    );
    assert!(
        fuzzing
            .paper
            .journal_ref
            .as_deref()
            .unwrap()
            .starts_with("In Proc. ACM SIGSOFT")
    );
    assert_eq!(
        fuzzing.pdf_url.as_deref(),
        Some("https://arxiv.org/pdf/2005.14124v2")
    );
    assert_eq!(fuzzing.paper.authors.len(), 5);

    let gui = entry(&feed, "1202.4527");
    assert_eq!(gui.version, Some(1));
    assert_eq!(
        gui.paper.versions,
        [Version {
            version: 1,
            date: date!(2012 - 02 - 21)
        }]
    );
    assert_eq!(gui.paper.doi, None);
    assert!(
        gui.paper
            .journal_ref
            .as_deref()
            .unwrap()
            .contains("Engineering & Applications")
    );
    assert_eq!(
        entry(&feed, "1205.1866").paper.primary_category(),
        Some("cs.AR")
    );
}

#[test]
fn later_versions_in_the_hundred_entry_page() {
    let m100 = feed("arxiv_atom_2026_search_testing_s0_m100.xml");
    assert_eq!(entry(&m100, "2204.08348").version, Some(3));
    assert!(m100.entries.iter().filter(|e| e.version > Some(1)).count() >= 10);
}

#[test]
fn old_style_id_and_mojibake() {
    let feed = feed("arxiv_atom_2026_id_list_oldstyle_astro-ph_0601001.xml");
    let e = &feed.entries[0];
    assert_eq!(e.paper.id.to_string(), "astro-ph/0601001");
    assert_eq!(e.version, Some(1));
    assert_eq!(e.paper.categories, ["astro-ph"]);
    assert_eq!(
        e.paper.journal_ref.as_deref(),
        Some("ActaAstron.56:1-50,2006")
    );
    assert_eq!(
        e.paper.authors[0], "Andrew Gould",
        "affiliations are not names"
    );
    assert!(
        e.paper.abstract_text.contains("V_max<17.5"),
        "entities decoded"
    );
    assert_eq!(
        e.pdf_url.as_deref(),
        Some("https://arxiv.org/pdf/astro-ph/0601001v1")
    );

    for name in [
        "arxiv_atom_2026_id_list_1707.08567_mojibake_author.xml",
        "arxiv_atom_2026_id_list_two.xml",
    ] {
        let feed = self::feed(name);
        let authors = &feed.entries[0].paper.authors;
        assert_eq!(authors.len(), 34);
        assert_eq!(authors[32], "Dirk Wübben", "{name}: repaired");
        assert_eq!(authors[4], "Peter H. N. de With");
        assert_eq!(feed.entries[0].paper.primary_category(), Some("cs.IT"));
    }
}

#[test]
fn legacy_layout() {
    let feed = feed(LEGACY_ONE);
    let e = &feed.entries[0];
    assert_eq!(e.paper.id.to_string(), "1111.2011");
    assert_eq!(e.version, Some(2));
    assert_eq!(
        e.paper.title,
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    );
    assert!(e.paper.abstract_text.starts_with("Theoretical description"));
    assert!(
        e.paper.abstract_text.contains("layered\nsuperconductors"),
        "line breaks kept"
    );
    assert_eq!(e.paper.doi.as_deref(), Some("10.1103/PhysRevB.85.115117"));
    assert_eq!(
        e.paper.journal_ref.as_deref(),
        Some("Phys. Rev. B 85, 115117 (2012)")
    );
    assert_eq!(
        e.paper.categories,
        ["cond-mat.str-el", "cond-mat.stat-mech"]
    );
    assert_eq!(
        e.pdf_url.as_deref(),
        Some("http://arxiv.org/pdf/1111.2011v2")
    );
    assert_eq!(e.paper.submitted_on, Some(date!(2011 - 11 - 08)));
    assert_eq!(e.paper.latest_version(), Some(2));
    // Without arxiv:doi, the legacy <link title="doi"> gives the DOI.
    let text = text_fixture(LEGACY_ONE);
    let start = text.find("<arxiv:doi").unwrap();
    let end = text.find("</arxiv:doi>").unwrap() + "</arxiv:doi>".len();
    let without = format!("{}{}", &text[..start], &text[end..]);
    let e = &parse_feed(without.as_bytes()).unwrap().entries[0];
    assert_eq!(e.paper.doi.as_deref(), Some("10.1103/PhysRevB.85.115117"));

    let maestro = self::feed("arxiv_atom_legacy_2016_search_au_del_maestro.xml");
    assert_eq!(maestro.items_per_page, Some(10));
    let old = entry(&maestro, "cond-mat/0412498");
    assert_eq!(old.paper.primary_category(), Some("cond-mat.str-el"));
    assert_eq!(old.paper.doi.as_deref(), Some("10.1103/PhysRevB.71.184511"));
    let checkerboard = self::feed("arxiv_atom_legacy_2016_search_checkerboard.xml");
    assert!(checkerboard.entries[0].paper.title.contains("checkerboard"));
}

#[test]
fn the_error_feed_is_an_api_error() {
    let error =
        parse_feed(text_fixture("arxiv_atom_2026_error_400_bad_id.xml").as_bytes()).unwrap_err();
    assert_eq!(
        error,
        AtomError::Api {
            message: "incorrect id format for abc".to_owned()
        }
    );
    assert!(error.to_string().contains("incorrect id format for abc"));
}

#[test]
fn code_links_come_from_abstract_and_comment() {
    let text = text_fixture(M10).replacen(
        "Accepted by the ACM SIGSOFT",
        "Code: https://github.com/example/fuzz. Accepted by the ACM SIGSOFT",
        1,
    );
    let feed = parse_feed(text.as_bytes()).unwrap();
    let links = &entry(&feed, "2005.14124").paper.links;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].host, CodeHost::GitHub);
    assert_eq!(links[0].repo, "example/fuzz");
}

/// Damaged and unexpected documents.
mod robustness {
    use super::*;

    #[test]
    fn truncated_feeds_are_errors_at_every_cut() {
        for name in [M10, LEGACY_ONE, "arxiv_atom_2026_error_400_bad_id.xml"] {
            let xml = text_fixture(name).into_bytes();
            let end = xml.iter().rposition(|b| *b == b'>').unwrap() + 1;
            for cut in (0..end).step_by(97) {
                assert!(
                    matches!(parse_feed(&xml[..cut]), Err(AtomError::Xml(_))),
                    "{name} cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn other_documents_are_errors() {
        let oai = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/arxiv_oaipmh_gen_error_badVerb.xml"),
        )
        .unwrap();
        let cases: [(&[u8], &str); 5] = [
            (b"<html><body>Rate exceeded.</body></html>", "found <html>"),
            (&oai, "found <OAI-PMH>"),
            (b"", "empty"),
            (b"Rate exceeded.", "not XML"),
            (b"<feed>\xff</feed>", "not UTF-8"),
        ];
        for (xml, expected) in cases {
            let Err(AtomError::Xml(message)) = parse_feed(xml) else {
                panic!("{} parsed", String::from_utf8_lossy(xml));
            };
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn unusable_entries_are_rejected_the_rest_kept() {
        let text = text_fixture(M10)
            .replacen("<published>2022-02-24T15:05:19Z</published>", "", 1)
            .replacen(
                "<id>http://arxiv.org/abs/2405.13786v1</id>",
                "<id>http://arxiv.org/abs/banana</id>",
                1,
            )
            .replacen("Active Fuzzing for", "Active \u{1}Fuzzing for", 1)
            .replacen(
                "<updated>2022-07-06T05:12:56Z</updated>",
                "<updated>yesterday</updated>",
                1,
            );
        let feed = parse_feed(text.as_bytes()).unwrap();
        assert_eq!(feed.entries.len(), 6);
        let reasons: Vec<(&str, &str)> = feed
            .rejected
            .iter()
            .map(|r| (r.identifier.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert_eq!(
            reasons[0],
            (
                "http://arxiv.org/abs/2202.12139v1",
                "it has no <published> date"
            )
        );
        assert!(reasons[1].1.contains("is not an arXiv id"), "{reasons:?}");
        assert!(reasons[2].1.contains("U+0001"), "{reasons:?}");
        assert!(reasons[3].1.contains("not a timestamp"), "{reasons:?}");
    }

    #[test]
    fn extra_elements_and_declared_encoding_change_nothing() {
        let clean = feed(M10);
        let extra = r#"<x:thing xmlns:x="urn:x"><x:deep>a &amp; b</x:deep></x:thing>"#;
        let text = text_fixture(M10)
            .replace("<entry>", &format!("<entry>{extra}"))
            .replace("</author>", &format!("{extra}</author>"))
            .replace("</feed>", &format!("{extra}</feed>"))
            .replacen("encoding='UTF-8'", "encoding='ISO-8859-1'", 1);
        assert_eq!(parse_feed(text.as_bytes()).unwrap(), clean);
        let names: Vec<String> = feed("arxiv_atom_2026_id_list_two.xml").entries[0]
            .paper
            .authors
            .clone();
        let declared = text_fixture("arxiv_atom_2026_id_list_two.xml").replacen(
            "encoding='UTF-8'",
            "encoding='ISO-8859-1'",
            1,
        );
        assert_eq!(
            parse_feed(declared.as_bytes()).unwrap().entries[0]
                .paper
                .authors,
            names
        );
    }
}
