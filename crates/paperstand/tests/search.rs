//! Search over HTTP: the /search page, the API's search endpoints and feeds, similar
//! papers, and the indexes following the store (writes after start, a damaged index
//! directory). Semantic tests use the real model (see `common::load_model`).

mod common;

use common::{FIXTURE, TestApp};
use paperstand::config::Config;
use paperstand::search::{Mode, Search, SearchRequest};
use paperstand_store::{Community, SqliteStore, Store};

fn hostile_line() -> String {
    serde_json::json!({
        "id": "2606.09999",
        "title": "Quokka <script>alert(1)</script> attention",
        "abstract": "A quokka abstract with <img src=x onerror=alert(2)> inside and more words.",
        "authors": ["Eve <b>Mallory</b>"],
        "categories": ["cs.LG"],
        "first_listed": "2026-06-02"
    })
    .to_string()
}

#[tokio::test]
async fn the_search_page_finds_highlights_and_escapes() {
    let app = TestApp::with_lines(&format!("{FIXTURE}{}\n", hostile_line())).await;
    let (status, _, body) = app.get("/search?q=delusions").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("/papers/2606.00975"),
        "the matching paper is listed"
    );
    assert!(body.contains("<mark>"), "matches are marked");
    assert!(body.contains("1 result"), "{body}");

    let (status, _, body) = app.get("/search?q=quokka").await;
    assert_eq!(status, 200);
    assert!(body.contains("/papers/2606.09999"));
    assert!(
        !body.contains("<script>alert(1)"),
        "title markup is escaped"
    );
    assert!(!body.contains("<img src=x"), "abstract markup is escaped");
    assert!(body.contains("&lt;script&gt;") || body.contains("&lt;img"));
}

#[tokio::test]
async fn papers_imported_after_start_are_found_at_once() {
    let app = TestApp::empty().await;
    let (_, _, body) = app.get("/search?q=delusions").await;
    assert!(body.contains("0 results"), "{body}");
    app.import(FIXTURE).await;
    let (_, _, body) = app.get("/search?q=delusions").await;
    assert!(
        body.contains("/papers/2606.00975"),
        "the index caught up before answering"
    );
}

#[tokio::test]
async fn syntax_filters_and_paging_work_on_the_page() {
    let app = TestApp::with_fixture().await;
    let (_, _, body) = app.get("/search?q=cat:cs.CL+llm").await;
    assert!(body.contains("/papers/2606.00975"));
    assert!(
        !body.contains("/papers/2606.00756"),
        "a cs.AI-only paper is filtered out"
    );
    let (_, _, body) = app.get("/search?q=llm&cat=cs.CV").await;
    assert!(!body.contains("/papers/2606.00975"));
    let (_, _, body) = app.get("/search?q=llm+-delusion").await;
    assert!(
        !body.contains("/papers/2606.00975"),
        "an excluded word excludes"
    );
    let (_, _, newest) = app.get("/search?q=cat:cs&sort=newest").await;
    assert!(newest.contains("results"));
    let (status, _, body) = app.get("/search?q=zzzzqqq").await;
    assert_eq!(status, 200);
    assert!(body.contains("No papers found"), "no-results help");
}

#[tokio::test]
async fn bad_queries_get_results_or_a_message_never_an_error() {
    let app = TestApp::with_fixture().await;
    let long = "attention ".repeat(1_000);
    let queries = [
        String::new(),
        "   ".to_owned(),
        long,
        "the of and".to_owned(),
        "\"unbalanced quote".to_owned(),
        "year:abc".to_owned(),
        "a\u{0}b\u{7}c\u{1b}[31m".to_owned(),
        "大型语言模型".to_owned(),
        "نموذج لغوي".to_owned(),
        "foo:bar http://x".to_owned(),
        "-".to_owned(),
        "((((".to_owned(),
    ];
    for q in &queries {
        let encoded: String = url_encode(q);
        let (status, _, body) = app.get(&format!("/search?q={encoded}")).await;
        assert_eq!(status, 200, "query {q:?}: {body}");
        let (status, _, _) = app
            .get(&format!(
                "/api/v1/search?q={}",
                url_encode(&q.chars().take(400).collect::<String>())
            ))
            .await;
        assert!(status == 200 || status == 400, "API with {q:?}: {status}");
    }
    let (_, _, body) = app.get("/search?q=year%3Aabc").await;
    assert!(body.contains("year"), "a note explains the year");
    let (status, _, body) = app.get("/search?q=x&mode=psychic").await;
    assert_eq!(status, 400);
    assert!(body.contains("keyword, semantic or hybrid"));
    let (status, _, _) = app.get("/search?q=x&from=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn without_a_model_semantic_mode_says_so() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/search?q=delusions&mode=semantic").await;
    assert_eq!(status, 200);
    assert!(body.contains("Search by meaning is off"), "{body}");
    assert!(
        body.contains("/papers/2606.00975"),
        "keyword results instead"
    );
    let (status, _, body) = app.get("/api/v1/search?q=delusions&mode=semantic").await;
    assert_eq!(status, 409);
    assert!(body.contains("use mode=keyword"), "{body}");
    let (_, _, page) = app.get("/papers/2606.00975").await;
    assert!(page.contains("Similar papers"));
    assert!(page.contains("search by meaning, which is off"));
}

#[tokio::test]
async fn api_and_feed_search_use_the_index() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/api/v1/search?q=ti:guardrails").await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["items"][0]["id"], "2606.02041");
    let (status, _, body) = app.get("/api/papers/search?q=gaussian+splatting").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json[0]["paper"]["id"], "2509.07021", "{json}");
    let (status, _, body) = app.get("/feeds/search.atom?q=guardrails").await;
    assert_eq!(status, 200);
    assert!(body.contains("2606.02041"));
}

#[tokio::test]
async fn a_damaged_text_index_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::open(&config.database_path()).await.unwrap());
    let reader = Box::new(std::io::Cursor::new(FIXTURE.as_bytes().to_vec()));
    paperstand::transfer::import_lines(
        store.as_ref(),
        reader,
        time::macros::date!(2026 - 11 - 27),
        &|_| {},
    )
    .await;
    let request = SearchRequest {
        query: "guardrails".to_owned(),
        mode: Some(Mode::Keyword),
        limit: 10,
        ..SearchRequest::default()
    };
    {
        let search = Search::open_with(store.clone(), &config, Err("off".to_owned()))
            .await
            .unwrap();
        assert_eq!(search.search(&request).await.unwrap().total, 1);
    }
    std::fs::write(config.index_dir().join("text/meta.json"), b"{ not json").unwrap();
    let search = Search::open_with(store.clone(), &config, Err("off".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        search.counts().0,
        0,
        "the damaged index was replaced by an empty one"
    );
    let found = search.search(&request).await.unwrap();
    assert_eq!(found.total, 1, "and caught up from the store");
    assert_eq!(found.hits[0].paper.id.base(), "2606.02041");
}

#[tokio::test]
async fn semantic_and_hybrid_search_find_papers_by_meaning() {
    let app = TestApp::semantic_with_lines(FIXTURE).await;
    let search = app.search.clone();
    let request = |q: &str, mode| SearchRequest {
        query: q.to_owned(),
        mode: Some(mode),
        limit: 5,
        snippets: true,
        ..SearchRequest::default()
    };
    // No word of the title, the same meaning.
    let found = search
        .search(&request(
            "chatbots harming people in a mental health crisis",
            Mode::Semantic,
        ))
        .await
        .unwrap();
    let ids: Vec<&str> = found.hits.iter().map(|h| h.paper.id.base()).collect();
    assert_eq!(ids[0], "2606.00975", "{ids:?}");
    assert!(found.hits.windows(2).all(|w| w[0].score >= w[1].score));

    let hybrid = search
        .search(&request("guardrails streaming", Mode::Hybrid))
        .await
        .unwrap();
    assert_eq!(hybrid.hits[0].paper.id.base(), "2606.02041");
    assert!(hybrid.hits[0].keyword_rank.is_some() && hybrid.hits[0].semantic_rank.is_some());

    let filtered = search
        .search(&request(
            "chatbots harming people in a mental health crisis cat:cs.CV",
            Mode::Semantic,
        ))
        .await
        .unwrap();
    assert!(
        filtered
            .hits
            .iter()
            .all(|h| h.paper.categories.iter().any(|c| c.starts_with("cs.CV")))
    );

    let (status, _, body) = app
        .get("/search?q=chatbots+harming+people+in+a+mental+health+crisis")
        .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("/papers/2606.00975"),
        "hybrid is the page's default"
    );
    assert!(!body.contains("Search by meaning is off"));

    let (status, _, body) = app
        .get("/api/v1/search?q=point+clouds+of+trees&mode=semantic&limit=3")
        .await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["items"][0]["id"], "2606.01549", "{json}");
}

#[tokio::test]
async fn paper_pages_list_similar_papers() {
    let app = TestApp::semantic_with_lines(FIXTURE).await;
    let (status, _, body) = app.get("/papers/2606.00975").await;
    assert_eq!(status, 200);
    let section = &body[body.find("Similar papers").expect("the section")..];
    assert_eq!(section.matches("<li>").count(), 10, "ten similar papers");
    assert!(!section.contains("/papers/2606.00975\""), "not itself");
    let similar = app
        .search
        .similar(&"2606.00975".parse().unwrap(), 3)
        .await
        .unwrap();
    let ids: Vec<&str> = similar.iter().map(|(p, _)| p.id.base()).collect();
    assert!(
        ids.contains(&"2606.02041") || ids.contains(&"2606.02443"),
        "an LLM-safety paper is among the closest: {ids:?}"
    );
}

#[tokio::test]
async fn vectors_are_saved_and_reloaded() {
    let app = TestApp::semantic_with_lines(FIXTURE).await;
    app.search.catch_up_vectors().await.unwrap();
    app.search.save_vectors_if_changed();
    let config = Config {
        data_dir: app.data_dir(),
        ..Config::default()
    };
    let path = config.index_dir().join("vectors.bin");
    assert!(path.exists());
    let model = common::load_model();
    let loaded = paperstand_search::vector::VectorIndex::load(
        &path,
        model.model_id(),
        paperstand_embed::DIM,
    )
    .unwrap()
    .expect("a file of this model");
    assert_eq!(loaded.len(), 21, "every paper's vector is in the file");
    let stored = app
        .store
        .embeddings_since(model.model_id(), 0, 100)
        .await
        .unwrap();
    assert_eq!(stored.len(), 21);
    for row in stored {
        assert_eq!(
            loaded.vector(&row.id),
            Some(row.vector.as_slice()),
            "{} as stored",
            row.id
        );
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn search_results_download_as_files() {
    let app = TestApp::with_fixture().await;
    let (_, _, page) = app.get("/search?q=cat%3Acs.CL").await;
    assert!(page.contains("format=bib"), "the page links its downloads");
    let (status, headers, body) = app
        .get("/search?q=cat%3Acs.CL&mode=keyword&format=bib")
        .await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("paperstand-search")
    );
    assert_eq!(
        body.matches("@misc{").count() + body.matches("@article{").count(),
        6,
        "{body}"
    );
    let (status, _, csv) = app.get("/search?q=cat%3Acs.CL&format=csv").await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), 7, "a header and six papers");
    let (status, _, _) = app.get("/search?q=x&format=docx").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_api_lists_similar_papers() {
    let app = TestApp::semantic_with_lines(FIXTURE).await;
    let (status, _, body) = app.get("/api/v1/papers/2606.00975/similar").await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert!(
        items.iter().all(|i| i["paper"]["id"] != "2606.00975"),
        "not itself"
    );
    let scores: Vec<f64> = items
        .iter()
        .map(|i| i["similarity"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "closest first: {scores:?}"
    );
    let (status, _, _) = app.get("/api/v1/papers/2606.99999/similar").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn similar_papers_without_a_model_is_a_409() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/api/v1/papers/2606.00975/similar").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("off on this server"));
    let (status, _, _) = app.get("/api/v1/papers/2606.00975").await;
    assert_eq!(status, 200, "the paper itself still answers");
}

#[tokio::test]
async fn an_index_ahead_of_a_restored_database_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let request = |q: &str| SearchRequest {
        query: q.to_owned(),
        mode: Some(Mode::Keyword),
        limit: 10,
        ..SearchRequest::default()
    };
    {
        let store: std::sync::Arc<dyn Store> =
            std::sync::Arc::new(SqliteStore::open(&config.database_path()).await.unwrap());
        let reader = Box::new(std::io::Cursor::new(FIXTURE.as_bytes().to_vec()));
        paperstand::transfer::import_lines(
            store.as_ref(),
            reader,
            time::macros::date!(2026 - 11 - 27),
            &|_| {},
        )
        .await;
        let search = Search::open_with(store, &config, Err("off".to_owned()))
            .await
            .unwrap();
        assert_eq!(
            search.search(&request("guardrails")).await.unwrap().total,
            1
        );
    }
    // An older backup of the database comes back: one paper, a lower change sequence.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", config.database_path().display()));
    }
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::open(&config.database_path()).await.unwrap());
    let reader = Box::new(std::io::Cursor::new(
        format!("{}\n", hostile_line()).into_bytes(),
    ));
    paperstand::transfer::import_lines(
        store.as_ref(),
        reader,
        time::macros::date!(2026 - 11 - 27),
        &|_| {},
    )
    .await;
    let search = Search::open_with(store, &config, Err("off".to_owned()))
        .await
        .unwrap();
    search.catch_up_text_fully().await.unwrap();
    assert_eq!(
        search.search(&request("guardrails")).await.unwrap().total,
        0,
        "papers the database lost are gone"
    );
    assert_eq!(search.search(&request("quokka")).await.unwrap().total, 1);
    assert_eq!(search.counts().0, 1);
}

/// A curator to hide papers with.
async fn curator(store: &SqliteStore) -> paperstand_store::User {
    let curator = paperstand_store::NewUser {
        email: "curator@example.org".to_owned(),
        display_name: "Curator".to_owned(),
        password_hash: "$argon2id$test".to_owned(),
        role: paperstand_store::Role::Curator,
        verified: true,
    };
    store
        .create_user(&curator, time::OffsetDateTime::now_utc())
        .await
        .unwrap()
}

#[tokio::test]
async fn hidden_papers_leave_search_and_come_back_when_shown() {
    let app = TestApp::with_fixture().await;
    let curator = curator(&app.store).await;
    let request = SearchRequest {
        query: "delusions".to_owned(),
        mode: Some(Mode::Keyword),
        limit: 10,
        ..SearchRequest::default()
    };
    let found = |results: paperstand::search::SearchResults| -> Vec<String> {
        results
            .hits
            .iter()
            .map(|h| h.paper.id.to_string())
            .collect()
    };
    assert_eq!(
        found(app.search.search(&request).await.unwrap()),
        ["2606.00975"]
    );
    let paper = "2606.00975".parse().unwrap();
    let now = time::OffsetDateTime::now_utc();
    app.store
        .set_hidden(&paper, true, curator.id, now)
        .await
        .unwrap();
    let hidden = app.search.search(&request).await.unwrap();
    assert_eq!(
        (hidden.total, found(hidden)),
        (0, vec![]),
        "hidden: not found"
    );
    let (before, _) = app.search.counts();
    app.store
        .set_hidden(&paper, false, curator.id, now)
        .await
        .unwrap();
    assert_eq!(
        found(app.search.search(&request).await.unwrap()),
        ["2606.00975"]
    );
    assert_eq!(app.search.counts().0, before + 1, "indexed again");
}

#[tokio::test]
async fn hidden_papers_leave_search_by_meaning_and_similar_lists() {
    let app = TestApp::semantic_with_lines(FIXTURE).await;
    let curator = curator(&app.store).await;
    let request = |mode| SearchRequest {
        query: "chatbots harming people in a mental health crisis".to_owned(),
        mode: Some(mode),
        limit: 50,
        ..SearchRequest::default()
    };
    let paper: paperstand_core::ArxivId = "2606.00975".parse().unwrap();
    let listed = |results: &paperstand::search::SearchResults| {
        results.hits.iter().any(|h| h.paper.id == paper)
    };
    let neighbour = "2606.02041".parse().unwrap();
    let similar_to_neighbour =
        |similar: Vec<(paperstand_core::Paper, f32)>| similar.iter().any(|(p, _)| p.id == paper);
    for mode in [Mode::Semantic, Mode::Hybrid] {
        assert!(listed(&app.search.search(&request(mode)).await.unwrap()));
    }
    assert!(similar_to_neighbour(
        app.search.similar(&neighbour, 20).await.unwrap()
    ));

    let now = time::OffsetDateTime::now_utc();
    app.store
        .set_hidden(&paper, true, curator.id, now)
        .await
        .unwrap();
    for mode in [Mode::Semantic, Mode::Hybrid] {
        let results = app.search.search(&request(mode)).await.unwrap();
        assert!(!listed(&results), "{mode:?}: hidden");
    }
    assert!(!similar_to_neighbour(
        app.search.similar(&neighbour, 20).await.unwrap()
    ));

    app.store
        .set_hidden(&paper, false, curator.id, now)
        .await
        .unwrap();
    let results = app.search.search(&request(Mode::Semantic)).await.unwrap();
    assert_eq!(results.hits[0].paper.id, paper, "shown again: first again");
    assert!(similar_to_neighbour(
        app.search.similar(&neighbour, 20).await.unwrap()
    ));
}

#[tokio::test]
async fn a_reopened_search_still_leaves_hidden_papers_out() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let store = std::sync::Arc::new(SqliteStore::open(&config.database_path()).await.unwrap());
    let reader = Box::new(std::io::Cursor::new(FIXTURE.as_bytes().to_vec()));
    paperstand::transfer::import_lines(
        store.as_ref(),
        reader,
        time::macros::date!(2026 - 11 - 27),
        &|_| {},
    )
    .await;
    let curator = curator(&store).await;
    let model = common::load_model();
    let request = SearchRequest {
        query: "chatbots harming people in a mental health crisis".to_owned(),
        mode: Some(Mode::Semantic),
        limit: 50,
        ..SearchRequest::default()
    };
    let paper: paperstand_core::ArxivId = "2606.00975".parse().unwrap();
    {
        let search = Search::open_with(store.clone(), &config, Ok(model.clone()))
            .await
            .unwrap();
        search.embed_backlog(None, 2, &|_| {}).await.unwrap();
        store
            .set_hidden(&paper, true, curator.id, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        let results = search.search(&request).await.unwrap();
        assert!(results.hits.iter().all(|h| h.paper.id != paper));
    }
    // The text index is caught up already: what is hidden must come from the store.
    let search = Search::open_with(store.clone(), &config, Ok(model))
        .await
        .unwrap();
    let results = search.search(&request).await.unwrap();
    assert!(!results.hits.is_empty());
    assert!(
        results.hits.iter().all(|h| h.paper.id != paper),
        "still left out after a restart"
    );
}
