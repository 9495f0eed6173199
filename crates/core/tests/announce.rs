//! The announcement-feed parser against the two constructed fixtures (RSS 2.0 and
//! Atom, same papers; see tests/fixtures/INDEX.md), small inline feeds for the edge
//! cases, and damaged documents: an error or a rejected item, never a panic.

use std::collections::BTreeSet;
use std::path::PathBuf;

use paperstand_core::announce::{
    AnnounceError, AnnounceType, Announcement, AnnouncementFeed, parse_announcements,
};
use paperstand_core::{CodeHost, LinkSource};
use time::macros::date;

const RSS: &str = "arxiv_announce_rss_constructed.xml";
const ATOM: &str = "arxiv_announce_atom_constructed.xml";
const BY: &str = "http://creativecommons.org/licenses/by/4.0/";

fn text_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn feed(name: &str) -> AnnouncementFeed {
    parse_str(&text_fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_str(xml: &str) -> Result<AnnouncementFeed, AnnounceError> {
    parse_announcements(xml.as_bytes())
}

fn find<'f>(feed: &'f AnnouncementFeed, id: &str) -> &'f Announcement {
    feed.announcements
        .iter()
        .find(|a| a.paper.id.base() == id)
        .unwrap_or_else(|| panic!("{id} not in the feed"))
}

/// An RSS channel dated `pub_date` (none when empty) holding `items`.
fn rss(pub_date: &str, items: &str) -> String {
    let date = if pub_date.is_empty() {
        String::new()
    } else {
        format!("<pubDate>{pub_date}</pubDate>")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>cs.LG updates on arXiv.org</title>{date}{items}</channel></rss>"#
    )
}

/// An RSS item for `id` (with version) of `kind`, with extra elements appended.
fn item(id: &str, kind: &str, extra: &str) -> String {
    let base = id.split('v').next().unwrap_or(id);
    format!(
        "<item><title>Paper {id}</title><link>https://arxiv.org/abs/{base}</link>\
         <description>arXiv:{id} Announce Type: {kind} \nAbstract: About {id}.</description>\
         <guid isPermaLink=\"false\">oai:arXiv.org:{id}</guid><category>cs.LG</category>\
         <arxiv:announce_type>{kind}</arxiv:announce_type>\
         <dc:creator>Ann Lee and Bo Wu</dc:creator>{extra}</item>"
    )
}

fn reasons(feed: &AnnouncementFeed) -> Vec<(&str, &str)> {
    feed.rejected
        .iter()
        .map(|r| (r.identifier.as_str(), r.reason.as_str()))
        .collect()
}

#[test]
fn the_rss_fixture_gives_every_item() {
    let feed = feed(RSS);
    assert_eq!(feed.day, Some(date!(2026 - 02 - 20)));
    assert!(feed.rejected.is_empty(), "{:?}", feed.rejected);
    let listed: Vec<(String, AnnounceType, Option<u32>)> = feed
        .announcements
        .iter()
        .map(|a| (a.paper.id.to_string(), a.announce_type, a.version))
        .collect();
    let expected = [
        ("2602.17598", AnnounceType::New, 1),
        ("2602.16813", AnnounceType::New, 1),
        ("2602.17051", AnnounceType::New, 1),
        ("2602.13372", AnnounceType::Cross, 1),
        ("2510.12835", AnnounceType::Replace, 2),
        ("2509.05291", AnnounceType::Replace, 2),
        ("2507.16463", AnnounceType::ReplaceCross, 2),
        ("2508.09517", AnnounceType::Replace, 2),
    ]
    .map(|(id, kind, v)| (id.to_owned(), kind, Some(v)));
    assert_eq!(listed, expected, "feed order, version-less ids");
    for a in &feed.announcements {
        let paper = &a.paper;
        assert_eq!(paper.listed_on, date!(2026 - 02 - 20), "{}", paper.id);
        assert_eq!(paper.last_listed_on, Some(date!(2026 - 02 - 20)));
        assert!(paper.versions.is_empty() && paper.submitted_on.is_none());
        assert!(!paper.title.is_empty() && !paper.authors.is_empty());
        assert!(paper.abstract_text.len() > 300, "{}", paper.id);
        for marker in ["arXiv:", "Announce Type", "Abstract:"] {
            assert!(!paper.abstract_text.contains(marker), "{}", paper.id);
        }
        assert!(a.license.is_some());
    }
}

#[test]
fn rss_item_details() {
    let feed = feed(RSS);
    let latex = find(&feed, "2602.17598");
    assert_eq!(
        latex.paper.title,
        "The Cascade Equivalence Hypothesis: When Do Speech LLMs Behave Like \
         ASR$\\rightarrow$LLM Pipelines?"
    );
    assert_eq!(latex.paper.authors, ["Jayadev Billa"]);
    assert_eq!(latex.paper.categories, ["cs.CL", "cs.AI", "eess.AS"]);
    assert_eq!(latex.paper.primary_category(), Some("cs.CL"));
    assert_eq!(
        latex.paper.comment.as_deref(),
        Some("10 pages, 6 figures, 7 tables")
    );
    assert!(latex.paper.abstract_text.starts_with("Current speech LLMs"));
    assert!(latex.paper.abstract_text.ends_with("at 0 dB."));
    assert_eq!(latex.license.as_deref(), Some(BY));

    let many = find(&feed, "2602.16813");
    assert_eq!(many.paper.authors.len(), 9);
    assert_eq!(many.paper.authors[7], "Nicholas M. Boffi");
    assert_eq!(many.paper.authors[8], "Jinwoo Kim");

    let amp = find(&feed, "2509.05291");
    assert!(amp.paper.title.contains("Emergence & Consolidation"));
    assert!(
        amp.paper.abstract_text.contains("during\npretraining"),
        "the abstract's line breaks are kept"
    );
    assert_eq!(
        amp.paper.authors,
        ["Deniz Bayazit", "Aaron Mueller", "Antoine Bosselut"]
    );

    let doi = find(&feed, "2510.12835");
    assert_eq!(
        doi.paper.doi.as_deref(),
        Some("10.1007/978-3-031-97144-0_13")
    );
    assert!(
        doi.paper
            .comment
            .as_deref()
            .unwrap()
            .starts_with("11 pages")
    );
    assert_eq!(doi.paper.journal_ref, None);

    let journal = find(&feed, "2508.09517");
    assert_eq!(
        journal.paper.journal_ref.as_deref(),
        Some(
            "Proceedings of the 19th International Workshop on Semantic Evaluation \
             (SemEval-2025)"
        )
    );
    assert_eq!(
        journal.paper.authors,
        [
            "Ladislav Lenc",
            "Daniel Cífka",
            "Jiří Martínek",
            "Jakub Šmíd",
            "Pavel Král"
        ]
    );
    assert!(
        journal
            .paper
            .abstract_text
            .ends_with("(NV-Embed & GPT or Mistral).")
    );

    let cross = find(&feed, "2602.13372");
    assert_eq!(cross.paper.categories, ["cs.AI", "cs.LG"]);
}

#[test]
fn code_links_come_from_abstract_and_comment() {
    let feed = feed(RSS);
    let links = &find(&feed, "2507.16463").paper.links;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].host, CodeHost::GitHub);
    assert_eq!(links[0].repo, "DFKI-SignLanguage/MMS-Player");
    assert_eq!(links[0].source, LinkSource::Abstract);
    assert_eq!(
        find(&feed, "2602.16813").paper.links[0].repo,
        "david3684/flm"
    );
    let from_comment = find(&feed, "2508.09517");
    assert!(
        from_comment.paper.links.is_empty(),
        "aclanthology is no code host"
    );
}

#[test]
fn both_layouts_give_the_same_announcements() {
    let (rss, atom) = (feed(RSS), feed(ATOM));
    let key = |f: &AnnouncementFeed| -> BTreeSet<(String, AnnounceType, Option<u32>)> {
        f.announcements
            .iter()
            .map(|a| (a.paper.id.to_string(), a.announce_type, a.version))
            .collect()
    };
    assert_eq!(key(&rss).len(), 8);
    assert_eq!(key(&rss), key(&atom));
    for (r, a) in rss.announcements.iter().zip(&atom.announcements) {
        assert_eq!(r.paper.title, a.paper.title);
        assert_eq!(r.paper.authors, a.paper.authors, "{}", r.paper.id);
    }
    // And everything else too: Atom's <author><name>s and dc:creator lists, its
    // <category term>, <link href> and <summary> read as RSS's elements do.
    assert_eq!(rss, atom);
}

#[test]
fn an_empty_day_is_a_normal_result() {
    let saturday = rss(
        "Sat, 29 Nov 2025 00:00:00 -0500",
        "<skipDays><day>Saturday</day><day>Sunday</day></skipDays>",
    );
    let feed = parse_str(&saturday).unwrap();
    assert_eq!(feed.day, Some(date!(2025 - 11 - 29)));
    assert!(feed.announcements.is_empty() && feed.rejected.is_empty());

    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id>
        <updated>2025-11-29T00:00:00-05:00</updated></feed>"#;
    let feed = parse_str(atom).unwrap();
    assert_eq!(feed.day, Some(date!(2025 - 11 - 29)));
    assert!(feed.announcements.is_empty());

    let bare = parse_str("<rss><channel/></rss>").unwrap();
    assert_eq!(bare.day, None);
    assert!(bare.announcements.is_empty());
}

#[test]
fn the_day_comes_from_the_channel_in_its_own_offset() {
    let items = item(
        "2511.19472v1",
        "new",
        "<pubDate>Mon, 24 Nov 2025 00:00:00 -0500</pubDate>",
    );
    let feed = parse_str(&rss("Wed, 26 Nov 2025 00:00:00 -0500", &items)).unwrap();
    assert_eq!(feed.day, Some(date!(2025 - 11 - 26)));
    assert_eq!(
        feed.announcements[0].paper.listed_on,
        date!(2025 - 11 - 26),
        "the channel's day wins over the item's"
    );
    let build_only = format!(
        "<rss><channel><lastBuildDate>Wed, 26 Nov 2025 00:00:00 -0500</lastBuildDate>{items}</channel></rss>"
    );
    assert_eq!(
        parse_str(&build_only).unwrap().day,
        Some(date!(2025 - 11 - 26))
    );
    let atom = text_fixture(ATOM).replacen(
        "<published>2026-02-20T00:00:00-05:00</published>\n  <entry>",
        "<entry>",
        1,
    );
    assert_eq!(
        parse_str(&atom).unwrap().day,
        Some(date!(2026 - 02 - 20)),
        "Atom's <updated> (2026-02-20T05:00:00Z) when <published> is absent"
    );
}

#[test]
fn without_a_feed_day_items_use_their_own_date() {
    let items = [
        item(
            "2511.19472v1",
            "new",
            "<pubDate>Wed, 26 Nov 2025 00:00:00 -0500</pubDate>",
        ),
        item("2511.19473v1", "new", ""),
        item("2511.19474v1", "new", "<pubDate>soon</pubDate>"),
    ]
    .concat();
    let feed = parse_str(&rss("", &items)).unwrap();
    assert_eq!(feed.day, None);
    assert_eq!(feed.announcements.len(), 1);
    assert_eq!(feed.announcements[0].paper.listed_on, date!(2025 - 11 - 26));
    let expected = "neither the feed nor the item gives a readable announcement date";
    assert_eq!(
        reasons(&feed),
        [
            ("oai:arXiv.org:2511.19473v1", expected),
            ("oai:arXiv.org:2511.19474v1", expected)
        ]
    );
    let unreadable_channel = rss("the 26th", &items);
    assert_eq!(parse_str(&unreadable_channel).unwrap().day, None);
}

#[test]
fn unusable_items_are_rejected_the_rest_kept() {
    let nameless = "<item><title>No id</title><description>Abstract: x</description>\
        <arxiv:announce_type>new</arxiv:announce_type></item>";
    let items = [
        item("2511.00001v1", "new", ""),
        nameless.to_owned(),
        item("2511.00002v1", "withdrawn", ""),
        item("2511.00003v1", "new", "").replace("<title>Paper 2511.00003v1</title>", ""),
        item("2511.00004v1", "new", "").replace("abs/2511.00004", "abs/2511.00005"),
        item("2511.00006v2", "replace", "").replace("arXiv:2511.00006v2", "arXiv:2511.00006v3"),
        item("2511.00007v1", "new", "").replace("Paper 2511", "Paper \u{1}2511"),
        item("banana", "new", ""),
        item("2511.00008v1", "cross", "")
            .replace("<arxiv:announce_type>cross</arxiv:announce_type>", "")
            .replace("Announce Type: cross ", ""),
        item("2511.00009v1", "new", ""),
    ]
    .concat();
    let feed = parse_str(&rss("Wed, 26 Nov 2025 00:00:00 -0500", &items)).unwrap();
    let kept: Vec<String> = feed
        .announcements
        .iter()
        .map(|a| a.paper.id.to_string())
        .collect();
    assert_eq!(kept, ["2511.00001", "2511.00009"]);
    let got = reasons(&feed);
    let expected: [(&str, &str); 8] = [
        ("", "it names no arXiv id"),
        (
            "oai:arXiv.org:2511.00002v1",
            "unknown announce type \"withdrawn\"",
        ),
        ("oai:arXiv.org:2511.00003v1", "missing title"),
        (
            "oai:arXiv.org:2511.00004v1",
            "its guid names 2511.00004 but its link names 2511.00005",
        ),
        (
            "oai:arXiv.org:2511.00006v2",
            "it names both v2 and v3 of 2511.00006",
        ),
        ("oai:arXiv.org:2511.00007v1", "U+0001"),
        ("oai:arXiv.org:banana", "its guid: "),
        ("oai:arXiv.org:2511.00008v1", "it has no announce type"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((id, reason), (want_id, want_reason)) in got.iter().zip(expected) {
        assert_eq!(*id, want_id);
        assert!(reason.contains(want_reason), "{id}: {reason}");
    }
}

#[test]
fn the_description_header_stands_in_for_missing_elements() {
    let bare = "<item><title>T</title><description>arXiv:2511.19472v2 Announce Type: \
        replace-cross \nAbstract: Text.</description><dc:creator>Ann Lee</dc:creator></item>";
    let feed = parse_str(&rss("Wed, 26 Nov 2025 00:00:00 -0500", bare)).unwrap();
    let a = &feed.announcements[0];
    assert_eq!(a.paper.id.to_string(), "2511.19472");
    assert_eq!(a.version, Some(2));
    assert_eq!(a.announce_type, AnnounceType::ReplaceCross);
    assert_eq!(a.paper.abstract_text, "Text.");
    assert_eq!(a.license, None);

    let link_only = "<item><title>T</title><link>https://arxiv.org/abs/2511.19472</link>\
        <arxiv:announce_type>new</arxiv:announce_type></item>";
    let feed = parse_str(&rss("Wed, 26 Nov 2025 00:00:00 -0500", link_only)).unwrap();
    assert_eq!(feed.announcements[0].version, None);
    assert_eq!(feed.announcements[0].paper.abstract_text, "");
}

#[test]
fn names_and_titles_are_cleaned() {
    let extra = "<dc:creator>Dirk W\u{c3}\u{bc}bben, John Smith, Jr., and Ann Lee</dc:creator>";
    let one = item("2511.19472v1", "new", extra)
        .replace("<dc:creator>Ann Lee and Bo Wu</dc:creator>", "")
        .replace("Paper 2511.19472v1", "  Caf\u{c3}\u{a9}\n   models ");
    let feed = parse_str(&rss("Wed, 26 Nov 2025 00:00:00 -0500", &one)).unwrap();
    let paper = &feed.announcements[0].paper;
    assert_eq!(paper.title, "Café models");
    assert_eq!(paper.authors, ["Dirk Wübben", "John Smith Jr.", "Ann Lee"]);
}

#[test]
fn announce_types_parse_and_print() {
    for (text, kind) in [
        ("new", AnnounceType::New),
        ("cross", AnnounceType::Cross),
        ("replace", AnnounceType::Replace),
        ("replace-cross", AnnounceType::ReplaceCross),
        (" Replace-Cross\n", AnnounceType::ReplaceCross),
    ] {
        assert_eq!(text.parse::<AnnounceType>(), Ok(kind));
        assert_eq!(kind.to_string().parse::<AnnounceType>(), Ok(kind));
    }
    assert!(AnnounceType::Cross.is_first_listing());
    assert!(!AnnounceType::ReplaceCross.is_first_listing());
    let error = "replace_cross".parse::<AnnounceType>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown announce type \"replace_cross\": expected new, cross, replace or replace-cross"
    );
}

/// Damaged and unexpected documents.
mod robustness {
    use super::*;

    fn xml_error(xml: &[u8]) -> String {
        match parse_announcements(xml) {
            Err(AnnounceError::Xml(message)) => message,
            Ok(feed) => panic!("{} parsed: {feed:?}", String::from_utf8_lossy(xml)),
        }
    }

    #[test]
    fn truncated_feeds_are_errors_at_every_cut() {
        for name in [RSS, ATOM] {
            let xml = text_fixture(name).into_bytes();
            let end = xml.iter().rposition(|b| *b == b'>').unwrap_or(0) + 1;
            for cut in 0..end {
                assert!(
                    matches!(parse_announcements(&xml[..cut]), Err(AnnounceError::Xml(_))),
                    "{name} cut at {cut}"
                );
            }
            assert!(parse_announcements(&xml[..end]).is_ok());
        }
    }

    #[test]
    fn damaged_bytes_never_panic() {
        let xml = text_fixture(RSS).into_bytes();
        for position in (0..xml.len()).step_by(13) {
            for byte in [b'<', b'>', b'&', b'"', 0, 0xFF, b' '] {
                let mut damaged = xml.clone();
                damaged[position] = byte;
                let _ = parse_announcements(&damaged);
            }
        }
    }

    #[test]
    fn other_documents_are_errors() {
        let html = b"<!DOCTYPE html>\n<html><head><title>503</title></head><body>Retry later</body></html>";
        let api = text_fixture("arxiv_oaipmh_gen_error_badVerb.xml");
        let cases: [(&[u8], &str); 9] = [
            (html, "found <html>"),
            (
                b"<html><head><meta charset=utf-8></head></html>",
                "found <html>",
            ),
            (b"<rss><channel><item></channel></rss>", "malformed XML"),
            (api.as_bytes(), "found <OAI-PMH>"),
            (b"<rdf:RDF><item/></rdf:RDF>", "found <rdf:RDF>"),
            (b"<rss version=\"2.0\"></rss>", "no <channel>"),
            (b"", "empty"),
            (b"Service Unavailable", "not XML"),
            (b"<rss><channel>\xff</channel></rss>", "not UTF-8"),
        ];
        for (xml, expected) in cases {
            let message = xml_error(xml);
            assert!(message.contains(expected), "{message}");
        }
        let shown = parse_announcements(html).unwrap_err().to_string();
        assert!(shown.starts_with("unreadable arXiv announcement feed: expected an RSS"));
    }

    #[test]
    fn an_api_response_yields_only_rejections() {
        let api = text_fixture("arxiv_atom_2026_id_list_two.xml");
        let feed = parse_str(&api).unwrap();
        assert!(feed.announcements.is_empty());
        assert_eq!(feed.rejected.len(), 1);
        assert_eq!(feed.rejected[0].reason, "it has no announce type");
    }

    #[test]
    fn extra_elements_and_declared_encoding_change_nothing() {
        let clean = feed(RSS);
        let extra =
            r#"<x:thing xmlns:x="urn:x"><x:deep>a &amp; b</x:deep><title>no</title></x:thing>"#;
        let text = text_fixture(RSS)
            .replace("<item>", &format!("<item>{extra}"))
            .replace("<channel>", &format!("<channel>{extra}"))
            .replace("</rss>", &format!("{extra}</rss>"))
            .replacen("encoding='UTF-8'", "encoding='ISO-8859-1'", 1);
        assert_eq!(parse_str(&text).unwrap(), clean);
    }
}
