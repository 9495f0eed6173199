use super::*;

fn word(text: &str) -> Clause {
    Clause {
        negated: false,
        kind: ClauseKind::Text {
            scope: Scope::Any,
            text: text.into(),
            phrase: false,
        },
    }
}

fn scoped(scope: Scope, text: &str, phrase: bool) -> Clause {
    Clause {
        negated: false,
        kind: ClauseKind::Text {
            scope,
            text: text.into(),
            phrase,
        },
    }
}

fn not(mut clause: Clause) -> Clause {
    clause.negated = true;
    clause
}

fn kind(kind: ClauseKind) -> Clause {
    Clause {
        negated: false,
        kind,
    }
}

#[test]
fn words_phrases_and_exclusions() {
    let q = parse_query(r#"graph  "neural network" -vision -"large model""#);
    assert_eq!(
        q.clauses,
        vec![
            word("graph"),
            scoped(Scope::Any, "neural network", true),
            not(word("vision")),
            not(scoped(Scope::Any, "large model", true)),
        ]
    );
    assert!(q.notes.is_empty());
}

#[test]
fn prefixes_are_case_insensitive() {
    let q = parse_query(r#"TI:graph Au:"yann lecun" abs:diffusion CAT:cs.CL code:yes Code:No"#);
    assert_eq!(
        q.clauses,
        vec![
            scoped(Scope::Title, "graph", false),
            scoped(Scope::Author, "yann lecun", true),
            scoped(Scope::Abstract, "diffusion", false),
            kind(ClauseKind::Category("cs.cl".into())),
            kind(ClauseKind::HasCode(true)),
            kind(ClauseKind::HasCode(false)),
        ]
    );
}

#[test]
fn code_repositories() {
    let q = parse_query("code:github.com/owner/repo code:llama");
    assert_eq!(
        q.clauses,
        vec![
            scoped(Scope::Code, "github.com/owner/repo", false),
            scoped(Scope::Code, "llama", false),
        ]
    );
}

#[test]
fn year_ranges() {
    let years = |s: &str| parse_query(s).clauses[0].kind.clone();
    let range = |from, until| ClauseKind::Year { from, until };
    assert_eq!(years("year:2025"), range(Some(2025), Some(2025)));
    assert_eq!(years("year:2023..2025"), range(Some(2023), Some(2025)));
    assert_eq!(years("year:2025..2023"), range(Some(2023), Some(2025)));
    assert_eq!(years("year:2023.."), range(Some(2023), None));
    assert_eq!(years("year:..2025"), range(None, Some(2025)));
    assert_eq!(
        parse_query("-year:2024").clauses,
        vec![not(kind(range(Some(2024), Some(2024))))]
    );
}

#[test]
fn bad_years_become_words_with_a_note() {
    for bad in ["year:abc", "year:..", "year:20255", "year:1066"] {
        let q = parse_query(bad);
        assert_eq!(q.clauses.len(), 2, "{bad}");
        assert_eq!(q.clauses[0], word("year"));
        assert!(q.notes[0].contains("is not a year"), "{bad}: {:?}", q.notes);
    }
}

#[test]
fn unknown_prefixes_are_words() {
    let q = parse_query("foo:bar http://example.com :x y:");
    assert_eq!(
        q.clauses,
        vec![
            word("foo:bar"),
            word("http://example.com"),
            word(":x"),
            word("y:")
        ]
    );
    assert!(q.notes.is_empty());
}

#[test]
fn unbalanced_quote_reads_the_rest_as_words() {
    let q = parse_query(r#"alpha "beta gamma"#);
    assert_eq!(q.clauses, vec![word("alpha"), word("beta"), word("gamma")]);
    assert_eq!(q.notes.len(), 1);
    let q = parse_query(r#"ti:"open"#);
    assert_eq!(q.clauses, vec![scoped(Scope::Title, "open", false)]);
}

#[test]
fn control_characters_are_stripped() {
    let q = parse_query("gra\u{0}ph\tnet\u{7}work\n");
    assert_eq!(q.clauses, vec![word("graph"), word("network")]);
}

#[test]
fn lone_dashes_and_empty_quotes_are_ignored() {
    assert!(parse_query(" - \"\" \"  \" ").clauses.is_empty());
    assert!(parse_query("").clauses.is_empty());
}

#[test]
fn long_queries_are_capped_with_a_note() {
    let long = "word ".repeat(2_000);
    let q = parse_query(&long);
    assert_eq!(q.clauses.len(), MAX_CLAUSES);
    assert!(q.notes[0].contains("too long"));
    let one = "x".repeat(10_000);
    let q = parse_query(&one);
    let ClauseKind::Text { text, .. } = &q.clauses[0].kind else {
        panic!("not text")
    };
    assert_eq!(text.chars().count(), MAX_CLAUSE_CHARS);
}

#[test]
fn non_latin_text_is_kept() {
    let q = parse_query("深度学习 تعلم");
    assert_eq!(q.clauses, vec![word("深度学习"), word("تعلم")]);
}
