//! Every page over a real socket: status, content, escaping and headers.

mod common;

use common::{TestApp, cards};
use paperstand_store::contract::sample_paper;
use time::macros::date;

#[tokio::test]
async fn daily_page_defaults_to_the_latest_listing_date() {
    let app = TestApp::with_fixture().await;
    let (status, headers, body) = app.get("/").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(
        body.contains("<h1>Papers of Tuesday 2 June 2026</h1>"),
        "{body}"
    );
    assert!(body.contains("19 papers listed on 2026-06-02"));
    assert_eq!(cards(&body), 19);
    assert!(
        body.contains(r#"<a rel="prev" href="/?date=2026-04-22">"#),
        "previous listing day linked"
    );
    assert!(
        !body.contains(r#"rel="next" href="/?date="#),
        "no later day"
    );
    assert!(
        body.contains(r#"href="/papers/2606.00007""#),
        "cards link their paper"
    );
    assert!(
        body.contains("https://github.com/"),
        "code links shown on cards"
    );
}

#[tokio::test]
async fn daily_page_by_date_links_both_neighbours() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/?date=2026-04-22").await;
    assert_eq!(status, 200);
    assert!(body.contains("1 paper listed on 2026-04-22"), "{body}");
    assert!(body.contains(r#"href="/?date=2025-09-10""#));
    assert!(body.contains(r#"href="/?date=2026-06-02""#));
}

#[tokio::test]
async fn daily_page_is_paged() {
    let app = TestApp::empty().await;
    let papers: Vec<_> = (1..=60)
        .map(|n| {
            sample_paper(
                &format!("2503.{n:05}"),
                &format!("Paper {n}"),
                date!(2025 - 03 - 18),
            )
        })
        .collect();
    app.insert(&papers).await;
    let first = common::normalize_entities(&app.get("/?date=2025-03-18").await.2);
    assert_eq!(cards(&first), 50);
    assert!(
        first.contains("page 1 of 2") && first.contains(r#"href="/?date=2025-03-18&amp;page=2""#),
        "{first}"
    );
    let (status, _, second) = app.get("/?date=2025-03-18&page=2").await;
    assert_eq!((status, cards(&second)), (200, 10));
    let (status, _, past_end) = app.get("/?date=2025-03-18&page=3").await;
    assert_eq!(status, 404);
    assert!(
        past_end.contains("That day has 60 papers, fewer than page 3 would show"),
        "{past_end}"
    );
}

#[tokio::test]
async fn unknown_and_malformed_dates_are_helpful_errors() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/?date=2026-05-01").await;
    assert_eq!(status, 404);
    assert!(
        body.contains("No papers listed on Friday 1 May 2026"),
        "{body}"
    );
    assert!(
        body.contains(r#"href="/?date=2026-04-22""#)
            && body.contains(r#"href="/?date=2026-06-02""#),
        "neighbours offered"
    );
    for bad in [
        "/?date=yesterday",
        "/?date=2026-02-30",
        "/?date=%3Cscript%3E",
        "/?page=0",
        "/?page=abc",
    ] {
        let (status, _, body) = app.get(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            body.contains("That address doesn"),
            "{bad}: the HTML error page"
        );
        assert!(!body.contains("<script>"), "{bad} echoed unescaped");
    }
}

#[tokio::test]
async fn an_empty_instance_says_how_to_fill_it() {
    let app = TestApp::empty().await;
    let (status, _, body) = app.get("/").await;
    assert_eq!(status, 200, "an empty home page is not an error");
    assert!(body.contains("paperstand import"), "{body}");
}

#[tokio::test]
async fn paper_page_shows_everything() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/papers/2606.00007").await;
    assert_eq!(status, 200);
    for expected in [
        &format!(
            r#"<link rel="canonical" href="{}/papers/2606.00007">"#,
            app.url
        ),
        "https://arxiv.org/abs/2606.00007",
        "https://arxiv.org/pdf/2606.00007",
        r#"<a href="/?date=2026-06-02">2026-06-02</a>"#,
        "<h2>Abstract</h2>",
        "<h2>Code</h2>",
        "from the ",
    ] {
        assert!(body.contains(expected), "missing {expected}");
    }
}

#[tokio::test]
async fn paper_urls_are_canonical() {
    let app = TestApp::with_fixture().await;
    for alias in ["/papers/2606.00007v2", "/papers/arXiv:2606.00007"] {
        let (status, headers, _) = app.get(alias).await;
        assert_eq!(status, 308, "{alias}");
        assert_eq!(headers["location"], "/papers/2606.00007");
    }
    let old = sample_paper(
        "astro-ph/0601001",
        "An old-style paper",
        date!(2006 - 01 - 02),
    );
    app.insert(&[old]).await;
    let (status, _, body) = app.get("/papers/astro-ph/0601001").await;
    assert_eq!(status, 200);
    assert!(body.contains("An old-style paper"));
}

#[tokio::test]
async fn unknown_and_invalid_papers_are_404_pages() {
    let app = TestApp::with_fixture().await;
    let (status, _, body) = app.get("/papers/2503.99999").await;
    assert_eq!(status, 404);
    assert!(body.contains("Paper 2503.99999 is not on this instance"));
    assert!(body.contains(r#"href="https://arxiv.org/abs/2503.99999""#));
    let (status, _, body) = app.get("/papers/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 404);
    assert!(
        body.contains("Not an arXiv id") && !body.contains("<script>alert"),
        "{body}"
    );
    let (status, _, body) = app.get("/papers/%FF").await;
    assert_eq!(status, 404);
    assert!(body.contains("Not an arXiv id"), "{body}");
    let (status, _, body) = app.get("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(body.contains("There is no page at /no/such/page"));
}

#[tokio::test]
async fn withdrawn_papers_say_so() {
    let line = r#"{"id":"2606.99998","title":"Gone","first_listed":"2026-06-02","withdrawn":true,"comment":"This paper has been withdrawn by the authors"}"#;
    let app = TestApp::with_lines(&format!("{}{line}\n", common::FIXTURE)).await;
    let (_, _, paper) = app.get("/papers/2606.99998").await;
    assert!(paper.contains("The authors withdrew this paper"), "{paper}");
    let (_, _, daily) = app.get("/?date=2026-06-02").await;
    assert_eq!(
        daily
            .matches(r#"<span class="withdrawn">withdrawn</span>"#)
            .count(),
        1
    );
}

#[tokio::test]
async fn latex_in_titles_becomes_mathml() {
    let app = TestApp::with_fixture().await;
    let (_, _, body) = app.get("/papers/2604.19038").await;
    assert!(
        body.contains("<h1 class=\"title\">Explicit Factorization of <math>"),
        "{body}"
    );
    let h1 = &body[body.find("<h1").unwrap()..body.find("</h1>").unwrap()];
    assert!(
        !h1.contains(r"\mathbb"),
        "the LaTeX source is not shown once rendered: {h1}"
    );
    let (_, _, body) = app.get("/?date=2025-09-10").await;
    assert!(body.contains("MEGS<math>"), "titles on cards render too");
}

#[tokio::test]
async fn untrusted_text_is_escaped_on_every_page() {
    let hostile = r#"{"id":"2606.99999","title":"<script>alert('t')</script> $<img src=x onerror=alert(1)>$","abstract":"<img src=x onerror=alert(2)> \"quoted\" </textarea>","authors":["<b onmouseover=alert(3)>Eve</b>"],"comment":"javascript:alert(4) <a href=javascript:alert(5)>x</a>","categories":["cs.CR","<img src=x onerror=alert(6)>"],"journal_ref":"<a href=javascript:alert(7)>J</a>","doi":"10.1/\"><script>alert(8)</script>","first_listed":"2026-06-02"}"#;
    let app = TestApp::with_lines(&format!("{}{hostile}\n", common::FIXTURE)).await;
    for path in [
        "/",
        "/?date=2026-06-02",
        "/trending?window=all",
        "/papers/2606.99999",
    ] {
        let (status, _, body) = app.get(path).await;
        let body = common::normalize_entities(&body);
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"),
            "{path}: title escaped"
        );
        // Pages load the site's own script (`<script src="/static/app.js">`); no other.
        assert_eq!(body.matches("<script").count(), 1, "{path}");
        for raw in [
            "<script>",
            "<img",
            "<b ",
            "<a href=javascript",
            "</textarea>",
        ] {
            assert!(!body.contains(raw), "{path}: raw {raw} in the page");
        }
    }
    let paper = common::normalize_entities(&app.get("/papers/2606.99999").await.2);
    assert!(
        paper.contains("javascript:alert(4) &lt;a href=javascript:alert(5)&gt;x&lt;/a&gt;"),
        "comment shown as text"
    );
}

#[tokio::test]
async fn trending_without_signals_is_newest_first_and_an_empty_week_says_so() {
    // The fixture's papers were listed months before today and nobody voted: the week
    // has nothing to rank, and all time ties every score at 0, newest listing first.
    let app = TestApp::with_fixture().await;
    let (status, _, week) = app.get("/trending").await;
    assert_eq!(status, 200);
    assert!(week.contains("Nothing to rank here"), "{week}");
    assert_eq!(cards(&week), 0);
    let (status, _, body) = app.get("/trending?window=all").await;
    assert_eq!(status, 200);
    assert_eq!(cards(&body), 21);
    let newest = body.find("/papers/2606.").expect("a June 2026 paper");
    let older = body.find("/papers/2509.07021").expect("the 2025 paper");
    assert!(newest < older, "newest first");
    assert!(body.contains("no upvotes, stars or comments yet"));
    assert_eq!(app.get("/trending?window=all&page=99").await.0, 404);
}

#[tokio::test]
async fn health_readiness_and_assets() {
    let app = TestApp::with_fixture().await;
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, _, body) = app.get("/readyz").await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    let (status, headers, css) = app.get("/static/style.css").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert!(css.contains("@media (max-width"), "a phone layout");
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::with_fixture().await;
    for path in ["/", "/papers/2606.00007", "/papers/2503.99999", "/nowhere"] {
        let (_, headers, _) = app.get(path).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn pages_follow_imports_within_seconds() {
    let app = TestApp::with_fixture().await;
    let (_, _, before) = app.get("/").await;
    assert!(before.contains("Tuesday 2 June 2026"));
    app.insert(&[sample_paper(
        "2606.50000",
        "A later paper",
        date!(2026 - 06 - 03),
    )])
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, _, after) = app.get("/").await;
    assert!(
        after.contains("Wednesday 3 June 2026") && after.contains("A later paper"),
        "cached page refreshed"
    );
}
