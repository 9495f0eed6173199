//! Ranking, snippets and hostile or odd input on small hand-built indexes.

mod common;

use common::{found, ids, index_of, paper, search};
use paperstand_core::Paper;
use paperstand_search::{IndexDoc, SearchOptions, TextIndex};
use tempfile::TempDir;

/// Five papers, each there to make one kind of query succeed or fail.
fn papers() -> Vec<Paper> {
    let mut title_match = paper(
        "2502.00001",
        "Quantum tomography of photonic states",
        "We reconstruct states from measurements.",
    );
    title_match.authors = vec!["Erwin Schrödinger".into(), "Yann LeCun".into()];
    let mut abstract_match = paper(
        "2502.00002",
        "Measuring light precisely",
        "A survey touching on quantum tomography among many other topics of optics.",
    );
    abstract_match.categories = vec!["physics.optics".into(), "quant-ph".into()];
    let cjk = paper(
        "2502.00003",
        "Multilingual retrieval",
        "本文研究深度学习在信息检索中的应用。 نقترح نموذجا للتعلم العميق.",
    );
    let xss = paper(
        "2502.00004",
        "<script>alert(1)</script> Attacks on retrieval",
        "Payload <img src=x onerror=alert(2)> & \"quotes\" in a retrieval abstract.",
    );
    let mut classic = paper(
        "2502.00005",
        "To be or not to be: a study of retrieval",
        "Hamlet meets information retrieval.",
    );
    classic.comment = Some("Code at github.com/acme/hamlet-rag".into());
    classic.links =
        paperstand_core::extract_code_links(&classic.abstract_text, classic.comment.as_deref());
    vec![title_match, abstract_match, cjk, xss, classic]
}

fn small_index() -> (TempDir, TextIndex) {
    index_of(&papers())
}

#[test]
fn title_matches_rank_above_abstract_matches() {
    let (_dir, index) = small_index();
    let results = search(&index, "quantum tomography", 10);
    assert_eq!(ids(&results), ["2502.00001", "2502.00002"]);
    assert!(results.hits[0].score > results.hits[1].score);
}

#[test]
fn authors_with_and_without_accents() {
    let (_dir, index) = small_index();
    for query in [
        "schrodinger",
        "Schrödinger",
        "au:SCHRODINGER",
        "au:\"yann lecun\"",
    ] {
        assert_eq!(ids(&search(&index, query, 10)), ["2502.00001"], "{query}");
    }
    assert_eq!(search(&index, "au:\"lecun yann\"", 10).total, 0);
    // Adjacent names of two different authors are not a phrase.
    assert_eq!(search(&index, "au:\"schrödinger yann\"", 10).total, 0);
}

#[test]
fn archive_and_category_clauses() {
    let (_dir, index) = small_index();
    assert_eq!(ids(&search(&index, "cat:physics", 10)), ["2502.00002"]);
    assert_eq!(ids(&search(&index, "cat:quant-ph", 10)), ["2502.00002"]);
    assert_eq!(search(&index, "cat:cs.CL", 10).total, 4);
}

#[test]
fn code_clauses() {
    let dir = TempDir::new().expect("tempdir");
    let index = TextIndex::open(dir.path()).expect("open");
    let papers = papers();
    let mut docs: Vec<IndexDoc<'_>> = papers.iter().map(IndexDoc::new).collect();
    docs[0].code_repos = vec!["github.com/qt/tomo-graphy".into()];
    index.apply(&docs, 3).expect("apply");
    assert_eq!(
        ids(&search(&index, "code:yes", 10)),
        ["2502.00001", "2502.00005"]
    );
    assert_eq!(search(&index, "code:no", 10).total, 3);
    assert_eq!(ids(&search(&index, "code:hamlet-rag", 10)), ["2502.00005"]);
    assert_eq!(
        ids(&search(&index, "code:github.com/acme/hamlet-rag", 10)),
        ["2502.00005"]
    );
    assert_eq!(
        ids(&search(&index, "code:qt/tomo-graphy", 10)),
        ["2502.00001"]
    );
    assert_eq!(search(&index, "code:github.com/acme/other", 10).total, 0);
}

#[test]
fn snippets_escape_untrusted_markup() {
    let (_dir, index) = small_index();
    let opts = SearchOptions {
        snippets: true,
        ..SearchOptions::default()
    };
    let results = index.search("retrieval alert", &opts).expect("search");
    let hit = results
        .hits
        .iter()
        .find(|h| h.id.to_string() == "2502.00004");
    let hit = hit.expect("the hostile paper");
    let title = hit.title_html.as_deref().expect("title");
    let snippet = hit.snippet_html.as_deref().expect("snippet");
    assert_eq!(
        title,
        "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; Attacks on <mark>retrieval</mark>"
    );
    assert!(
        snippet
            .contains("&lt;img src=x onerror=<mark>alert</mark>(2)&gt; &amp; &quot;quotes&quot;"),
        "{snippet}"
    );
    for html in [title, snippet] {
        let without_marks = html.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !without_marks.contains('<') && !without_marks.contains('>'),
            "{html}"
        );
    }
}

#[test]
fn snippets_without_a_match_show_the_text() {
    let (_dir, index) = small_index();
    let opts = SearchOptions {
        snippets: true,
        ..SearchOptions::default()
    };
    let results = index.search("au:lecun", &opts).expect("search");
    let hit = &results.hits[0];
    assert_eq!(
        hit.title_html.as_deref(),
        Some("Quantum tomography of photonic states")
    );
    assert_eq!(
        hit.snippet_html.as_deref(),
        Some("We reconstruct states from measurements.")
    );
    let plain = search(&index, "au:lecun", 10);
    assert_eq!(
        (
            plain.hits[0].title_html.as_ref(),
            plain.hits[0].snippet_html.as_ref()
        ),
        (None, None)
    );
}

#[test]
fn cjk_and_arabic_text_is_found() {
    let (_dir, index) = small_index();
    for query in [
        "深度学习",
        "信息检索",
        "学",
        "\"深度学习在\"",
        "العميق",
        "للتعلم العميق",
    ] {
        assert_eq!(ids(&search(&index, query, 10)), ["2502.00003"], "{query}");
    }
    // Characters present, but not adjacent in this order.
    assert_eq!(search(&index, "习深", 10).total, 0);
    let opts = SearchOptions {
        snippets: true,
        ..SearchOptions::default()
    };
    let hit = &index.search("深度学习", &opts).expect("search").hits[0];
    let snippet = hit.snippet_html.as_deref().expect("snippet");
    assert!(
        snippet.contains("<mark>深度</mark>") || snippet.contains("<mark>深度学习</mark>"),
        "{snippet}"
    );
}

#[test]
fn only_common_words_are_read_as_a_phrase() {
    let (_dir, index) = small_index();
    let results = search(&index, "to be or not to be", 10);
    assert_eq!(ids(&results), ["2502.00005"]);
    assert!(
        results
            .notes
            .iter()
            .any(|n| n.contains("only common words")),
        "{:?}",
        results.notes
    );
    // Among other words, common words are skipped.
    assert_eq!(ids(&search(&index, "the hamlet", 10)), ["2502.00005"]);
}

#[test]
fn only_exclusions_match_everything_else() {
    let (_dir, index) = small_index();
    let results = search(&index, "-retrieval", 10);
    assert_eq!(ids(&results), ["2502.00001", "2502.00002"]);
    assert!(results.notes.iter().any(|n| n.contains("only excludes")));
    // Excluding a phrase whose words exist but never in this order excludes nothing
    // (tantivy's phrase scorer asserts on this in debug builds without our wrapper).
    assert_eq!(search(&index, "-\"tomography quantum\"", 10).total, 5);
    let results = search(&index, "retrieval -\"information retrieval\"", 10);
    let mut kept = ids(&results);
    kept.sort();
    assert_eq!(kept, ["2502.00003", "2502.00004"]);
}

#[test]
fn empty_queries_give_a_note_and_no_hits() {
    let (_dir, index) = small_index();
    for query in ["", "   ", "\u{0}\u{7}\t\n", "- & …", "\"\""] {
        let results = search(&index, query, 10);
        assert_eq!(results.total, 0, "{query:?}");
        assert!(
            results
                .notes
                .iter()
                .any(|n| n.contains("nothing to search for")),
            "{query:?}"
        );
    }
}

#[test]
fn bad_input_still_searches_with_notes() {
    let (_dir, index) = small_index();
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("year:abc quantum", "is not a year", None),
        ("\"quantum tomography", "was not closed", Some("2502.00001")),
        ("ti:\"photonic", "was not closed", Some("2502.00001")),
    ];
    for &(query, note, hit) in cases {
        let results = search(&index, query, 10);
        assert!(
            results.notes.iter().any(|n| n.contains(note)),
            "{query}: {:?}",
            results.notes
        );
        if let Some(hit) = hit {
            assert!(found(&results, hit), "{query}");
        }
    }
    let huge = format!("quantum {}", "tomography ".repeat(1_000));
    assert!(huge.len() > 10_000);
    let results = search(&index, &huge, 10);
    assert!(results.notes.iter().any(|n| n.contains("too long")));
    assert!(found(&results, "2502.00001"));
    let results = search(&index, "quan\u{0}tum\u{1b} tomography", 10);
    assert_eq!(ids(&results)[0], "2502.00001");
    for query in ["foo:bar", "http://example.com/x?y=1", "year:1800", "cat:"] {
        assert_eq!(search(&index, query, 10).total, 0, "{query}");
    }
    assert!(found(&search(&index, "HAMLET:meets", 10), "2502.00005"));
    // "code:" without a value is the word "code" (in a comment here).
    assert!(found(&search(&index, "code:", 10), "2502.00005"));
}

#[test]
fn huge_pages_are_capped() {
    let (_dir, index) = small_index();
    let opts = SearchOptions {
        offset: usize::MAX - 5,
        limit: usize::MAX,
        ..SearchOptions::default()
    };
    let results = index.search("retrieval", &opts).expect("search");
    assert_eq!((results.total, results.hits.len()), (3, 0));
}

/// A fixed-seed xorshift generator: reproducible random queries without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_queries_never_fail() {
    let (_dir, index) = small_index();
    const PIECES: &[&str] = &[
        "quantum",
        "ti:",
        "au:",
        "abs:",
        "cat:",
        "year:",
        "code:",
        "\"",
        "-",
        "..",
        ":",
        " ",
        "  ",
        "yes",
        "2025",
        "深度",
        "学习",
        "العميق",
        "é",
        "\u{0}",
        "\u{301}",
        "\u{200b}",
        "𝔘𝔫𝔦",
        "🦀",
        "<",
        "&",
        "cs.CL",
        "(",
        ")",
        "*",
        "?",
        "~",
        "^",
        "\\",
        "\n",
        "the",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..2_000 {
        let mut query = String::new();
        for _ in 0..rng.next() % 12 {
            match rng.next() % 4 {
                0 => query.extend(char::from_u32((rng.next() % 0x3_0000) as u32)),
                _ => query.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]),
            }
        }
        let opts = SearchOptions {
            snippets: round % 2 == 0,
            sort: if round % 3 == 0 {
                paperstand_search::Sort::Newest
            } else {
                paperstand_search::Sort::Relevance
            },
            ..SearchOptions::default()
        };
        eprintln!("query {round}: {query:?}");
        let results = index.search(&query, &opts);
        assert!(results.is_ok(), "{query:?}: {results:?}");
    }
}
