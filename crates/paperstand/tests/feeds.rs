//! Feeds over HTTP: every format, escaping, conditional GET, empty feeds, bad input,
//! autodiscovery, and feedparser (a strict real-world parser) on every XML feed.

mod common;

use std::process::Command;

use common::TestApp;
use serde_json::Value;

const HOSTILE: &str = r#"{"id":"2606.99999","title":"<script>alert(1)</script> \u0001 & $x^2$ \uffff","abstract":"]]> <b>bold</b> & more, 0<a and b>1","authors":["Eve <eve@example.org>"],"categories":["cs.CR"],"first_listed":"2026-06-02"}"#;

async fn app() -> TestApp {
    TestApp::with_lines(&format!("{}{HOSTILE}\n", common::FIXTURE)).await
}

#[tokio::test]
async fn every_list_in_every_format() {
    let app = app().await;
    for (path, content_type, entries) in [
        (
            "/feeds/daily.atom",
            "application/atom+xml; charset=utf-8",
            20,
        ),
        ("/feeds/daily.rss", "application/rss+xml; charset=utf-8", 20),
        (
            "/feeds/trending.atom?window=all",
            "application/atom+xml; charset=utf-8",
            22,
        ),
        (
            "/feeds/trending.rss?window=all&cat=cs.CV",
            "application/rss+xml; charset=utf-8",
            9,
        ),
        (
            // Listed months before today, and no votes: nothing this week.
            "/feeds/trending.atom",
            "application/atom+xml; charset=utf-8",
            0,
        ),
        (
            "/feeds/category/cs.CR.atom",
            "application/atom+xml; charset=utf-8",
            1,
        ),
        (
            "/feeds/search.atom?q=gaussian%20splatting",
            "application/atom+xml; charset=utf-8",
            2,
        ),
    ] {
        let (status, headers, body) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers["content-type"], content_type, "{path}");
        let count = body.matches("<entry>").count() + body.matches("<item>").count();
        assert_eq!(count, entries, "{path}");
    }
}

#[tokio::test]
async fn json_feed_has_the_required_fields() {
    let app = app().await;
    let (status, headers, body) = app.get("/feeds/daily.json").await;
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (200, "application/feed+json; charset=utf-8")
    );
    let feed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(
        feed["title"].is_string()
            && feed["feed_url"]
                .as_str()
                .unwrap()
                .ends_with("/feeds/daily.json")
    );
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    for item in items {
        assert!(item["id"].is_string(), "id is required");
        assert!(
            item["content_text"].is_string() || item["content_html"].is_string(),
            "content is required"
        );
        assert!(item["url"].as_str().unwrap().starts_with(&app.url));
    }
    let hostile = items
        .iter()
        .find(|i| i["_paperstand"]["arxiv_id"] == "2606.99999")
        .unwrap();
    assert_eq!(
        hostile["title"], "<script>alert(1)</script> \u{1} & $x^2$ \u{ffff}",
        "JSON carries text as text"
    );
}

#[tokio::test]
async fn untrusted_text_is_escaped_and_math_stays_text() {
    let app = app().await;
    // Atom text constructs are text: escaped once. XML-forbidden characters are dropped.
    let (_, _, atom) = app.get("/feeds/daily.atom").await;
    assert!(
        atom.contains("&lt;script&gt;alert(1)&lt;/script&gt;  &amp; $x^2$ </title>"),
        "escaped, U+0001 and U+FFFF dropped"
    );
    assert!(atom.contains("]]&gt; &lt;b&gt;bold&lt;/b&gt; &amp; more, 0&lt;a and b&gt;1"));
    // RSS readers read title and description as HTML: escaped twice, so `<` stays a `<`.
    let (_, _, rss) = app.get("/feeds/daily.rss").await;
    assert!(
        rss.contains("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"),
        "{rss}"
    );
    assert!(rss.contains("0&amp;lt;a and b&amp;gt;1"));
    for body in [&atom, &rss] {
        assert!(
            !body.contains("<script") && !body.contains("<b>bold") && !body.contains('\u{ffff}')
        );
        assert!(!body.contains("<math"), "math is LaTeX text in feeds");
    }
    assert!(
        rss.contains("arXiv: https://arxiv.org/abs/2606.00007"),
        "RSS items carry the arXiv link"
    );
}

#[tokio::test]
async fn conditional_requests_answer_304() {
    let app = app().await;
    let (_, headers, _) = app.get("/feeds/daily.atom").await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let modified = headers["last-modified"].to_str().unwrap().to_owned();
    let url = format!("{}/feeds/daily.atom", app.url);
    let get = |name: &'static str, value: String| app.client.get(&url).header(name, value).send();
    let by_etag = get("if-none-match", etag.clone()).await.unwrap();
    assert_eq!(by_etag.status(), 304);
    assert!(by_etag.text().await.unwrap().is_empty());
    let strong = etag.trim_start_matches("W/").to_owned();
    assert_eq!(
        get("if-none-match", format!("\"x\", {strong}"))
            .await
            .unwrap()
            .status(),
        304,
        "lists, weak comparison"
    );
    assert_eq!(
        get("if-none-match", "*".to_owned()).await.unwrap().status(),
        304
    );
    assert_eq!(
        get("if-modified-since", modified.clone())
            .await
            .unwrap()
            .status(),
        304
    );
    assert_eq!(
        get(
            "if-modified-since",
            "Sun, 01 Jan 2023 00:00:00 GMT".to_owned()
        )
        .await
        .unwrap()
        .status(),
        200,
        "changed since"
    );
    assert_eq!(
        get("if-none-match", "\"0-0\"".to_owned())
            .await
            .unwrap()
            .status(),
        200
    );
    // A new paper changes the feed, its ETag and its Last-Modified.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    app.insert(&[paperstand_store::contract::sample_paper(
        "2606.50000",
        "Later",
        time::macros::date!(2026 - 06 - 03),
    )])
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let after = get("if-none-match", etag.clone()).await.unwrap();
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        get("if-modified-since", modified).await.unwrap().status(),
        200,
        "Last-Modified moved with the data"
    );
}

#[tokio::test]
async fn empty_feeds_are_valid_and_bad_requests_are_4xx() {
    let app = app().await;
    let (status, _, body) = app.get("/feeds/category/math.GT.atom").await;
    assert_eq!(status, 200);
    assert!(body.contains("<feed") && !body.contains("<entry>"));
    for (path, expected) in [
        ("/feeds/daily.xml", 404),
        ("/feeds/nothing.atom", 404),
        ("/feeds/trending.atom?window=year", 400),
        ("/feeds/trending.atom?cat=%3Cscript%3E", 400),
        ("/feeds/search.atom?mode=semantic&q=x", 400),
        ("/feeds/category/%3Cx%3E.rss", 400),
    ] {
        assert_eq!(app.get(path).await.0, expected, "{path}");
    }
}

#[tokio::test]
async fn pages_with_feeds_announce_them() {
    let app = app().await;
    let (_, _, daily) = app.get("/").await;
    assert!(daily.contains(r#"<link rel="alternate" type="application/atom+xml" title="Paperstand: Papers of the day (Atom)" href="/feeds/daily.atom">"#));
    let (_, _, trending) = app.get("/trending").await;
    assert!(trending.contains(r#"href="/feeds/trending.rss""#));
}

#[tokio::test(flavor = "multi_thread")]
async fn feedparser_finds_nothing_malformed() {
    let Some(python) = common::venv_program("python") else {
        return;
    };
    let app = app().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/feeds.py");
    let url = app.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(url)
            .args([
                "/feeds/daily.atom",
                "20",
                "/feeds/daily.rss",
                "20",
                "/feeds/trending.atom?window=all",
                "22",
            ])
            .args([
                "/feeds/category/cs.CR.rss",
                "1",
                "/feeds/category/math.GT.atom",
                "0",
                "/feeds/search.rss?q=gaussian",
                "2",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && text.contains("feedparser OK"),
        "{text}"
    );
}
