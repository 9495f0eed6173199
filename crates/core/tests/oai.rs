//! The OAI-PMH parser against arXiv's real responses (tests/fixtures, see INDEX.md):
//! every fixture, a cross-check of 503 records with the database they came from, and
//! damaged documents (truncated, invalid characters, HTML, wrong encoding...).

use std::collections::HashMap;
use std::path::PathBuf;

use paperstand_core::oai::{
    HarvestedRecord, ListRecordsPage, MetadataFormat, OaiError, parse_get_record,
    parse_list_records,
};
use paperstand_core::record::collapse_whitespace;
use time::Date;
use time::macros::date;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text_fixture(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn page(name: &str, format: MetadataFormat) -> ListRecordsPage {
    parse_list_records(&fixture(name), format).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_str(xml: &str, format: MetadataFormat) -> Result<ListRecordsPage, OaiError> {
    parse_list_records(xml.as_bytes(), format)
}

fn ids(page: &ListRecordsPage) -> Vec<String> {
    page.records
        .iter()
        .map(|r| r.paper.id.to_string())
        .collect()
}

fn record<'p>(page: &'p ListRecordsPage, id: &str) -> &'p HarvestedRecord {
    page.records
        .iter()
        .find(|r| r.paper.id.to_string() == id)
        .unwrap_or_else(|| panic!("{id} not in the page"))
}

const RAW_P1: &str = "arxiv_oaipmh_gen_listrecords_arXivRaw_p1.xml";
const RAW_ALL: &str = "arxiv_oaipmh_gen_listrecords_arXivRaw_all.xml";
const P1_IDS: [&str; 5] = [
    "cs/0001024",
    "0704.0248",
    "chao-dyn/9510015",
    "hep-th/9901002",
    "0704.0046",
];

#[test]
fn every_error_fixture_is_a_protocol_error_with_its_code() {
    for (file, code) in [
        ("badArgument_from_after_until", "badArgument"),
        ("badArgument_missing_prefix", "badArgument"),
        ("badResumptionToken", "badResumptionToken"),
        ("badVerb", "badVerb"),
        ("cannotDisseminateFormat", "cannotDisseminateFormat"),
        ("idDoesNotExist", "idDoesNotExist"),
        ("idDoesNotExist_malformed_id", "idDoesNotExist"),
        ("noRecordsMatch", "noRecordsMatch"),
    ] {
        let xml = fixture(&format!("arxiv_oaipmh_gen_error_{file}.xml"));
        for format in [MetadataFormat::ArxivRaw, MetadataFormat::OaiDc] {
            let error = parse_list_records(&xml, format).unwrap_err();
            let OaiError::Protocol { code: got, message } = &error else {
                panic!("{file}: {error:?}");
            };
            assert_eq!(got, code, "{file}");
            assert!(!message.is_empty());
            assert_eq!(error.is_no_records_match(), code == "noRecordsMatch");
            assert_eq!(
                error.is_bad_resumption_token(),
                code == "badResumptionToken"
            );
            assert!(error.to_string().contains(code), "{error}");
        }
        assert!(parse_get_record(&xml, MetadataFormat::Arxiv).is_err());
    }
    let error = parse_list_records(
        &fixture("arxiv_oaipmh_gen_error_badArgument_from_after_until.xml"),
        MetadataFormat::ArxivRaw,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the OAI-PMH server answered with error badArgument: The request includes illegal \
         arguments, is missing required arguments, includes a repeated argument, or values for \
         arguments have an illegal syntax. Reason: until date must be greater than or equal to \
         from date"
    );
}

#[test]
fn arxiv_raw_first_page() {
    let page = page(RAW_P1, MetadataFormat::ArxivRaw);
    assert_eq!(page.response_date, "2026-11-27T10:34:10Z");
    assert_eq!(ids(&page), P1_IDS);
    assert!(page.rejected.is_empty() && page.deleted.is_empty());
    // In the XML: <resumptionToken expirationDate='2026-11-28T00:00:00Z'>
    //   verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2010-08-20%26skip%3D0
    assert_eq!(
        page.resumption_token.as_deref(),
        Some("verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2010-08-20%26skip%3D0")
    );
    assert_eq!(page.complete_list_size, None);

    let first = record(&page, "cs/0001024");
    let paper = &first.paper;
    assert!(paper.id.is_old_style());
    assert_eq!(
        paper.title,
        "A Parallel Algorithm for Dilated Contour Extraction from Bilevel Images"
    );
    assert_eq!(paper.authors, ["B. R. Schlei", "L. Prasad"]);
    assert_eq!(paper.categories, ["cs.CV"]);
    assert!(paper.classes.is_empty(), "acm-class None is no class");
    assert!(paper.abstract_text.starts_with("We describe"), "trimmed");
    assert_eq!(paper.versions.len(), 1);
    assert_eq!(paper.submitted_on, Some(date!(2000 - 01 - 25)));
    assert_eq!(paper.listed_on, date!(2000 - 01 - 25), "provisional");
    assert_eq!(first.datestamp, date!(2005 - 09 - 17));
    assert_eq!(first.submitter.as_deref(), Some("Bernd R. Schlei"));
    assert!(!first.withdrawn);
    assert_eq!(first.license, None);

    let cloaking = &record(&page, "0704.0248").paper;
    assert_eq!(cloaking.versions.len(), 2);
    assert_eq!(
        cloaking.categories,
        ["physics.optics", "math-ph", "math.MP"]
    );
    assert!(
        cloaking
            .abstract_text
            .contains("Maxwell's equations in Schr\\\\\"odinger")
    );

    let string = &record(&page, "hep-th/9901002").paper;
    assert_eq!(
        string.authors,
        ["M. Cvetic", "H. Lu", "C.N. Pope", "T.A Tran"]
    );
    assert_eq!(
        string.journal_ref.as_deref(),
        Some("Phys.Rev.D59:126002,1999")
    );
    assert_eq!(string.doi.as_deref(), Some("10.1103/PhysRevD.59.126002"));
    assert_eq!(string.comment.as_deref(), Some("Latex (3 times), 23 pages"));
    assert_eq!(
        record(&page, "chao-dyn/9510015").paper.categories,
        ["chao-dyn", "ao-sci", "nlin.CD"],
        "as arXiv lists them, primary first"
    );
}

#[test]
fn arxiv_raw_second_page_and_the_last_page() {
    let page = page(
        "arxiv_oaipmh_gen_listrecords_arXivRaw_p2.xml",
        MetadataFormat::ArxivRaw,
    );
    assert_eq!(
        ids(&page),
        [
            "1008.3222",
            "0901.0022",
            "1001.2600",
            "1102.0285",
            "1102.0299"
        ]
    );
    // In the XML: verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2011-02-03%26skip%3D4
    assert_eq!(
        page.resumption_token.as_deref(),
        Some("verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2011-02-03%26skip%3D4")
    );
    let last = self::page(
        "arxiv_oaipmh_gen_listrecords_arXiv_lastpage_empty_token.xml",
        MetadataFormat::Arxiv,
    );
    assert_eq!(ids(&last), ["1102.0435", "2305.11452", "2310.08262"]);
    assert_eq!(
        last.resumption_token, None,
        "<resumptionToken/> ends the list"
    );
    let set = self::page(
        "arxiv_oaipmh_gen_listrecords_arXivRaw_set_cs_from_until_p1.xml",
        MetadataFormat::ArxivRaw,
    );
    assert_eq!(ids(&set), ["1008.3222"]);
    assert_eq!(set.resumption_token, None);
}

#[test]
fn get_record_with_25_versions() {
    let xml = fixture("arxiv_oaipmh_gen_getrecord_arXivRaw_1101.0600_25versions.xml");
    let record = parse_get_record(&xml, MetadataFormat::ArxivRaw)
        .unwrap()
        .unwrap();
    let paper = &record.paper;
    assert_eq!(paper.id.to_string(), "1101.0600");
    assert_eq!(paper.versions.len(), 25);
    assert_eq!(paper.latest_version(), Some(25));
    assert_eq!(paper.versions[0].date, date!(2011 - 01 - 03));
    assert_eq!(paper.submitted_on, Some(paper.versions[0].date));
    assert_eq!(paper.versions[24].date, date!(2014 - 10 - 22));
    assert_eq!(paper.classes, ["11B65", "11A07", "05A10", "11E25", "33F05"]);
    assert!(
        paper
            .journal_ref
            .as_deref()
            .unwrap()
            .contains("Springer Proc. in Math. & Stat.")
    );
    assert_eq!(
        record.license.as_deref(),
        Some("http://arxiv.org/licenses/nonexclusive-distrib/1.0/")
    );
    // The same verb through parse_list_records: one record, no token.
    let page = parse_list_records(&xml, MetadataFormat::ArxivRaw).unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.resumption_token, None);

    // arXiv format: no versions; <created> is what the 2026 server emits (the
    // current version's date, not v1's — a documented quirk).
    let xml = fixture("arxiv_oaipmh_gen_getrecord_arXiv_1101.0600.xml");
    let record = parse_get_record(&xml, MetadataFormat::Arxiv)
        .unwrap()
        .unwrap();
    assert!(record.paper.versions.is_empty());
    assert_eq!(record.paper.submitted_on, Some(date!(2014 - 10 - 22)));
    assert_eq!(record.paper.authors, ["Zhi-Wei Sun"]);
    assert_eq!(record.datestamp, date!(2014 - 10 - 23));
}

#[test]
fn withdrawn_paper_in_arxiv_raw_and_oai_dc() {
    let xml = fixture("arxiv_oaipmh_gen_getrecord_arXivRaw_0906.3336_withdrawn.xml");
    let raw = parse_get_record(&xml, MetadataFormat::ArxivRaw)
        .unwrap()
        .unwrap();
    assert!(raw.withdrawn, "v2 is 0kb and the comment says so");
    assert_eq!(raw.paper.versions.len(), 2);
    assert_eq!(raw.submitter.as_deref(), Some("Huang Guangyue"));
    assert_eq!(raw.datestamp, date!(1970 - 01 - 01));

    let xml = fixture("arxiv_oaipmh_gen_getrecord_oai_dc_0906.3336_withdrawn.xml");
    let dc = parse_get_record(&xml, MetadataFormat::OaiDc)
        .unwrap()
        .unwrap();
    assert!(dc.withdrawn, "the comment says so");
    assert_eq!(dc.paper.id, raw.paper.id);
    assert_eq!(dc.paper.title, raw.paper.title);
    assert_eq!(dc.paper.authors, ["Guangyue Huang", "Bingqing Ma"]);
    assert_eq!(dc.paper.authors, raw.paper.authors);
    assert_eq!(dc.paper.categories, ["math.DG"], "from the setSpec");
    assert_eq!(dc.paper.classes, ["35P15", "53C20"]);
    assert_eq!(
        dc.paper.comment.as_deref(),
        Some("This paper has been withdrawn")
    );
    assert_eq!(dc.paper.submitted_on, raw.paper.submitted_on);
    assert_eq!(dc.paper.versions.len(), 1, "oai_dc gives v1's date only");
    assert_eq!(dc.paper.abstract_text, raw.paper.abstract_text);
    assert_eq!(dc.submitter, None);
}

#[test]
fn the_three_formats_give_the_same_first_page() {
    let raw = page(RAW_P1, MetadataFormat::ArxivRaw);
    let arxiv = page(
        "arxiv_oaipmh_gen_listrecords_arXiv_p1.xml",
        MetadataFormat::Arxiv,
    );
    let dc = page(
        "arxiv_oaipmh_gen_listrecords_oai_dc_p1.xml",
        MetadataFormat::OaiDc,
    );
    for other in [&arxiv, &dc] {
        assert_eq!(ids(other), P1_IDS);
        assert!(other.rejected.is_empty());
        for (a, b) in raw.records.iter().zip(&other.records) {
            assert_eq!(a.paper.title, b.paper.title);
            assert_eq!(
                a.paper.authors.len(),
                b.paper.authors.len(),
                "{}",
                a.paper.id
            );
            assert_eq!(a.paper.comment, b.paper.comment, "{}", a.paper.id);
            assert_eq!(a.paper.journal_ref, b.paper.journal_ref, "{}", a.paper.id);
            assert_eq!(a.paper.doi, b.paper.doi, "{}", a.paper.id);
            assert_eq!(a.datestamp, b.datestamp);
            if a.paper.id.base() != "chao-dyn/9510015" {
                // (that one's sets use the canonical names of its alias categories)
                assert_eq!(a.paper.primary_category(), b.paper.primary_category());
            }
        }
    }
    for ((r, a), d) in raw.records.iter().zip(&arxiv.records).zip(&dc.records) {
        assert_eq!(a.paper.authors, d.paper.authors, "same name parts");
        assert_eq!(r.paper.submitted_on, d.paper.submitted_on);
        assert_eq!(r.paper.categories, a.paper.categories);
    }
    // Sets canonicalise arXiv's old aliases: chao-dyn ao-sci nlin.CD → nlin.CD, physics.ao-ph.
    assert_eq!(
        record(&dc, "chao-dyn/9510015").paper.categories,
        ["nlin.CD", "physics.ao-ph"]
    );
    assert_eq!(
        record(&dc, "cs/0001024").paper.classes,
        ["I.2.10", "D.1.3", "G.1.2"]
    );
    assert_eq!(
        record(&arxiv, "hep-th/9901002").paper.authors[2],
        "C. N. Pope"
    );
}

/// One line of the test database export, as far as the cross-check needs it.
struct Expected {
    title: String,
    versions: Vec<Date>,
    withdrawn: bool,
    categories: Vec<String>,
    datestamp: Date,
    submitter: Option<String>,
}

fn expected_papers() -> HashMap<String, Expected> {
    let text = text_fixture("arxiv_oaipmh_testdb_papers_with_versions.jsonl");
    let mut papers = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let versions = v["versions"].as_array().unwrap();
        let day = |s: &str| paperstand_core::record::parse_date(&s[..10]).unwrap();
        let modtime = v["modtime"].as_i64().unwrap();
        let datestamp = time::OffsetDateTime::from_unix_timestamp(modtime)
            .unwrap()
            .date();
        let expected = Expected {
            title: collapse_whitespace(v["title"].as_str().unwrap()),
            versions: versions
                .iter()
                .map(|x| day(x["created"].as_str().unwrap()))
                .collect(),
            withdrawn: versions.last().unwrap()["is_withdrawn"].as_bool().unwrap(),
            categories: serde_json::from_value(v["categories"].clone()).unwrap(),
            datestamp,
            submitter: v["submitter_name"].as_str().map(collapse_whitespace),
        };
        papers.insert(v["id"].as_str().unwrap().to_owned(), expected);
    }
    papers
}

/// arXivRaw_all.xml is a ListRecords without `from` over the database exported to the
/// JSONL: the same ids, titles, versions (and dates), withdrawn flags, categories and
/// datestamps. The 509 − 503 = 6 papers missing from the page (0906.2112, 0906.3336,
/// 0906.3421, 0906.4150, 0906.5132, 0906.5504) have `modtime` 2009, i.e. seconds after
/// the epoch: datestamp 1970-01-01, before the repository's earliestDatestamp
/// (2005-09-16), so ListRecords leaves them out (GetRecord still serves them).
#[test]
fn cross_check_with_the_database_the_page_came_from() {
    let page = page(RAW_ALL, MetadataFormat::ArxivRaw);
    assert_eq!(page.records.len(), 503);
    assert!(page.rejected.is_empty(), "{:?}", page.rejected);
    assert!(page.deleted.is_empty());
    assert_eq!(page.resumption_token, None);
    let expected = expected_papers();
    assert_eq!(expected.len(), 509);
    let mut mismatches = Vec::new();
    for record in &page.records {
        let id = record.paper.id.to_string();
        let Some(want) = expected.get(&id) else {
            mismatches.push(format!("{id}: not in the database"));
            continue;
        };
        let got_versions: Vec<Date> = record.paper.versions.iter().map(|v| v.date).collect();
        let checks = [
            ("title", record.paper.title == want.title),
            ("versions", got_versions == want.versions),
            ("withdrawn", record.withdrawn == want.withdrawn),
            ("categories", record.paper.categories == want.categories),
            ("datestamp", record.datestamp == want.datestamp),
            ("submitter", record.submitter == want.submitter),
        ];
        for (what, ok) in checks {
            if !ok {
                mismatches.push(format!("{id}: {what}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    let mut missing: Vec<&String> = expected
        .keys()
        .filter(|id| !ids(&page).contains(id))
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        [
            "0906.2112",
            "0906.3336",
            "0906.3421",
            "0906.4150",
            "0906.5132",
            "0906.5504"
        ]
    );
    let withdrawn = page.records.iter().filter(|r| r.withdrawn).count();
    assert_eq!(
        withdrawn, 6,
        "0901.3666 0903.0442 1101.2483 1101.6031 1102.0219 cond-mat/0703772"
    );
}

/// Damaged and unexpected documents: an error or a rejected record, never a panic.
mod robustness {
    use super::*;

    fn raw_p1() -> String {
        text_fixture(RAW_P1)
    }

    fn parse_raw(xml: &str) -> Result<ListRecordsPage, OaiError> {
        parse_str(xml, MetadataFormat::ArxivRaw)
    }

    fn only_rejected(page: &ListRecordsPage) -> (String, String) {
        assert_eq!(page.rejected.len(), 1, "{:?}", page.rejected);
        assert_eq!(page.records.len(), 4, "the rest of the page still parses");
        let r = &page.rejected[0];
        (r.identifier.clone(), r.reason.clone())
    }

    #[test]
    fn truncated_documents_are_errors_at_every_cut() {
        for name in [
            RAW_P1,
            "arxiv_oaipmh_gen_getrecord_arXivRaw_1101.0600_25versions.xml",
        ] {
            let xml = fixture(name);
            let end = xml.iter().rposition(|b| *b == b'>').unwrap() + 1;
            for cut in (0..end).step_by(7) {
                let result = parse_list_records(&xml[..cut], MetadataFormat::ArxivRaw);
                assert!(
                    matches!(result, Err(OaiError::Xml(_))),
                    "{name} cut at {cut}"
                );
            }
            assert!(parse_list_records(&xml[..end], MetadataFormat::ArxivRaw).is_ok());
        }
        let all = fixture(RAW_ALL);
        for cut in (0..all.len() - 20).step_by(9_973) {
            assert!(parse_list_records(&all[..cut], MetadataFormat::ArxivRaw).is_err());
        }
    }

    #[test]
    fn a_forbidden_character_rejects_only_its_record() {
        let xml = raw_p1().replacen("We describe a simple", "We describe a \u{c}simple", 1);
        let page = parse_raw(&xml).unwrap();
        let (identifier, reason) = only_rejected(&page);
        assert_eq!(identifier, "oai:arXiv.org:cs/0001024");
        assert!(reason.contains("U+000C"), "{reason}");
        for bad in ["&#1;", "&nbsp;", "&#xD800;"] {
            let xml = raw_p1().replacen("Weder</authors>", &format!("Weder{bad}</authors>"), 1);
            let (identifier, reason) = only_rejected(&parse_raw(&xml).unwrap());
            assert_eq!(identifier, "oai:arXiv.org:0704.0248", "{bad}: {reason}");
        }
    }

    #[test]
    fn html_and_other_roots_are_errors() {
        let html = "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>503</title></head>\
                    <body><h1>Service Unavailable</h1></body></html>";
        let atom = text_fixture("arxiv_atom_2026_id_list_two.xml");
        let identifiers = text_fixture("arxiv_oaipmh_gen_listidentifiers_p1.xml");
        for (xml, expected) in [
            (html, "found <html>"),
            (atom.as_str(), "found <feed>"),
            (identifiers.as_str(), "neither ListRecords nor GetRecord"),
            ("", "empty"),
            ("   \n", "empty"),
            ("Service Unavailable", "not XML"),
            ("{\"error\": 1}", "not XML"),
            ("<OAI-PMH></OAI-PMH>", "neither ListRecords"),
            ("<OAI-PMH><ListRecords/></OAI-PMH>", "no responseDate"),
        ] {
            let Err(OaiError::Xml(message)) = parse_str(xml, MetadataFormat::ArxivRaw) else {
                panic!("{xml:?} parsed");
            };
            assert!(message.contains(expected), "{xml:?}: {message}");
        }
        assert!(parse_list_records(&[0xff, 0xfe, 0, b'<'], MetadataFormat::ArxivRaw).is_err());
    }

    #[test]
    fn unexpected_elements_are_ignored() {
        let extra = r#"<x:extra xmlns:x="urn:x" a="1"><x:nested>text &amp; more</x:nested></x:extra><solo/>"#;
        let xml = raw_p1()
            .replace("<ListRecords>", &format!("<ListRecords>{extra}"))
            .replace("</header>", &format!("{extra}</header>"))
            .replace("<title>", &format!("{extra}<title>"))
            .replace("</metadata>", &format!("{extra}</metadata>"))
            .replace("<!-- -->", "")
            .replace("</record>", &format!("<about>{extra}</about></record>"))
            .replace("</OAI-PMH>", &format!("{extra}</OAI-PMH>"));
        let damaged = parse_raw(&xml).unwrap();
        let clean = parse_raw(&raw_p1()).unwrap();
        assert_eq!(damaged, clean);
    }

    #[test]
    fn a_record_missing_a_field_is_rejected_with_its_reason() {
        let cases: [(&str, &str, &str); 6] = [
            (
                "<title>Exact Absorption Probability in the Extremal Six-Dimensional Dyonic String Background</title>",
                "",
                "missing title",
            ),
            ("<id>0704.0248</id>", "<id>banana</id>", "banana"),
            (
                "<id>0704.0046</id>",
                "<id>0704.0047</id>",
                "header names 0704.0046",
            ),
            (
                "<version version=\"v1\">\n                <date>Tue, 25",
                "<version version=\"one\">\n                <date>Tue, 25",
                "labelled \"one\"",
            ),
            (
                "Mon, 04 Jan 1999 23:58:16 GMT",
                "4 January 1999",
                "not an RFC 2822 date",
            ),
            (
                "<datestamp>2008-02-03</datestamp>",
                "<datestamp>soon</datestamp>",
                "datestamp",
            ),
        ];
        for (from, to, reason) in cases {
            let xml = raw_p1().replacen(from, to, 1);
            assert_ne!(xml, raw_p1(), "{from}");
            let page = parse_raw(&xml).unwrap();
            let (_, got) = only_rejected(&page);
            assert!(got.contains(reason), "{reason}: {got}");
        }
        // No id anywhere: the header's identifier is empty too.
        let xml = raw_p1()
            .replacen("<identifier>oai:arXiv.org:0704.0248</identifier>", "", 1)
            .replacen("<id>0704.0248</id>", "", 1);
        let (identifier, reason) = only_rejected(&parse_raw(&xml).unwrap());
        assert_eq!(
            (identifier.as_str(), reason.as_str()),
            ("", "it names no arXiv id")
        );
        // The metadata id alone, or the header alone, is enough.
        let xml = raw_p1().replacen("<id>0704.0248</id>", "", 1);
        assert_eq!(parse_raw(&xml).unwrap().records.len(), 5);
    }

    #[test]
    fn another_format_than_requested_is_rejected_per_record() {
        let xml = fixture("arxiv_oaipmh_gen_listrecords_arXiv_p1.xml");
        let page = parse_list_records(&xml, MetadataFormat::ArxivRaw).unwrap();
        assert!(page.records.is_empty());
        assert_eq!(page.rejected.len(), 5);
        assert!(
            page.rejected[0]
                .reason
                .contains("<arXiv>, not the arXivRaw format")
        );
    }

    #[test]
    fn the_declared_encoding_is_ignored_input_is_utf8() {
        let dc = text_fixture("arxiv_oaipmh_gen_listrecords_oai_dc_p1.xml");
        let latin1 = dc.replacen("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1);
        assert_ne!(latin1, dc);
        let page = parse_str(&latin1, MetadataFormat::OaiDc).unwrap();
        assert!(
            record(&page, "0704.0248")
                .paper
                .abstract_text
                .contains("\\λ\\ν")
        );
        let mut bytes = raw_p1().replacen("UTF-8", "ISO-8859-1", 1).into_bytes();
        let at = bytes.windows(6).position(|w| w == b"Weder<").unwrap();
        bytes[at + 1] = 0xE9; // a Latin-1 "é": not UTF-8
        let Err(OaiError::Xml(message)) = parse_list_records(&bytes, MetadataFormat::ArxivRaw)
        else {
            panic!("Latin-1 bytes parsed");
        };
        assert!(message.contains("not UTF-8"), "{message}");
        let with_bom = format!("\u{feff}{}", raw_p1());
        assert_eq!(parse_raw(&with_bom).unwrap().records.len(), 5);
    }

    #[test]
    fn deleted_records_tokens_and_list_sizes() {
        let deleted = r#"<record><header status="deleted"><identifier>oai:arXiv.org:0704.0001</identifier><datestamp>2024-01-01</datestamp></header></record>"#;
        let xml = raw_p1()
            .replacen("<ListRecords>", &format!("<ListRecords>{deleted}"), 1)
            .replacen(
                "expirationDate='2026-11-28T00:00:00Z'>verb%3DListRecords",
                "completeListSize=' 503 ' cursor='0'>a&amp;b verb%3DListRecords",
                1,
            );
        let page = parse_raw(&xml).unwrap();
        assert_eq!(page.deleted, ["oai:arXiv.org:0704.0001"]);
        assert_eq!(page.records.len(), 5);
        assert_eq!(page.complete_list_size, Some(503));
        let token = page.resumption_token.unwrap();
        assert!(token.starts_with("a&b verb%3DListRecords"), "{token}");
        for empty in [
            "<resumptionToken/>",
            "<resumptionToken> \n </resumptionToken>",
        ] {
            let xml = raw_p1().replace(
                "<resumptionToken expirationDate='2026-11-28T00:00:00Z'>verb%3DListRecords%26metadataPrefix%3DarXivRaw%26from%3D2010-08-20%26skip%3D0</resumptionToken>",
                empty,
            );
            assert_eq!(parse_raw(&xml).unwrap().resumption_token, None, "{empty}");
        }
    }

    #[test]
    fn format_names() {
        for (text, format) in [
            ("arXivRaw", MetadataFormat::ArxivRaw),
            ("arxivraw", MetadataFormat::ArxivRaw),
            ("ARXIV", MetadataFormat::Arxiv),
            ("oai_dc", MetadataFormat::OaiDc),
        ] {
            assert_eq!(text.parse::<MetadataFormat>().unwrap(), format);
        }
        assert_eq!(MetadataFormat::ArxivRaw.to_string(), "arXivRaw");
        assert_eq!(MetadataFormat::OaiDc.as_str(), "oai_dc");
        let error = "arXivOld".parse::<MetadataFormat>().unwrap_err();
        assert!(error.to_string().contains("arXivOld"));
    }
}
