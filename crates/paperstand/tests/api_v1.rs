//! The native API over HTTP: papers, lists with cursors to the end, search, JSON errors,
//! CORS, the rate limit, the OpenAPI document, and schemathesis fuzzing it.

mod common;

/// cs.CV papers (primary or cross-listed) of the fixture listed on 2026-06-02.
const CV_ON_JUNE_2: usize = 8;

use std::process::Command;

use common::TestApp;
use paperstand::web::client::TrustedProxies;
use serde_json::Value;

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let (status, _, body) = app.get(path).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

#[tokio::test]
async fn papers_lists_and_cursors_to_the_end() {
    let app = TestApp::with_fixture().await;
    let (status, paper) = json(&app, "/api/v1/papers/2606.00007v1").await;
    assert_eq!(status, 200);
    assert_eq!(paper["id"], "2606.00007");
    assert_eq!(paper["code_links"][0]["repo"], "StevenJohnson998/AIngram");
    assert_eq!(paper["page_url"], format!("{}/papers/2606.00007", app.url));
    let (_, day) = json(&app, "/api/v1/papers?date=2026-06-02&limit=100").await;
    assert_eq!(day["items"].as_array().unwrap().len(), 19);
    assert!(day["next_cursor"].is_null());
    let mut seen = Vec::new();
    let mut path = "/api/v1/papers?limit=8".to_owned();
    loop {
        let (status, page) = json(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/papers?limit=8&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 21, "every paper once: {seen:?}");
    // A day filtered by category pages fully, two at a time, to the end.
    let mut day_cv = Vec::new();
    let mut path = "/api/v1/papers?date=2026-06-02&category=cs.CV&limit=2".to_owned();
    loop {
        let (_, page) = json(&app, &path).await;
        day_cv.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path =
                    format!("/api/v1/papers?date=2026-06-02&category=cs.CV&limit=2&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(day_cv.len(), CV_ON_JUNE_2, "{day_cv:?}");
    let (_, last) = json(
        &app,
        "/api/v1/papers?date=2026-06-02&category=cs.CV&limit=2&cursor=o6",
    )
    .await;
    assert!(
        last["next_cursor"].is_null(),
        "exactly the last items: no empty page after them"
    );
    let (_, cv) = json(&app, "/api/v1/papers?category=cs.CV&limit=100").await;
    assert_eq!(cv["items"].as_array().unwrap().len(), 9);
    let (_, daily) = json(&app, "/api/v1/daily?limit=100").await;
    assert_eq!(
        daily["items"].as_array().unwrap().len(),
        19,
        "the latest day by default"
    );
    // Nobody voted on the fixture: every score is 0 (tests/trending.rs ranks signals).
    let (_, trending) = json(&app, "/api/v1/trending?window=all&category=cs.CV&limit=100").await;
    assert_eq!(trending["items"].as_array().unwrap().len(), 9);
    assert_eq!(trending["items"][0]["score"].as_f64(), Some(0.0));
    assert_eq!(trending["ranking"], "trending");
    let (_, week) = json(&app, "/api/v1/trending").await;
    assert_eq!(
        (week["window"].as_str(), week["total"].as_u64()),
        (Some("week"), Some(0)),
        "the fixture was listed before this week"
    );
    let (_, found) = json(&app, "/api/v1/search?q=gaussian%20splatting").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_input_is_a_json_4xx() {
    let app = TestApp::with_fixture().await;
    for (path, status, field) in [
        ("/api/v1/papers?limit=0", 400, "limit"),
        ("/api/v1/papers?limit=100000", 400, "limit"),
        ("/api/v1/papers?cursor=%27%3Bdrop", 400, "cursor"),
        ("/api/v1/papers?date=2026-13-45", 400, "date"),
        ("/api/v1/papers?category=%3Cx%3E", 400, "category"),
        ("/api/v1/search?q=x&mode=psychic", 400, "mode"),
        ("/api/v1/search?q=x&mode=semantic", 409, "mode"),
        ("/api/v1/search", 400, "query"),
    ] {
        let (got, body) = json(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
    let (status, body) = json(&app, "/api/v1/papers/2503.99999").await;
    assert_eq!((status, body["errors"][0]["field"].is_null()), (404, true));
}

#[tokio::test]
async fn reads_are_open_to_other_sites() {
    let app = TestApp::with_fixture().await;
    let (_, headers, _) = app.get("/api/v1/papers?limit=1").await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/papers", app.url),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let (status, headers, body) = app.get("/api/v2/whatever").await;
    assert_eq!(status, 404);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(body.contains("there is no API endpoint at /api/v2/whatever"));
    let (_, headers, _) = app.get("/api/v1/papers?limit=1").await;
    assert!(
        headers["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("Retry-After")
    );
    assert!(
        preflight.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
}

#[tokio::test]
async fn clients_over_their_limit_get_429_with_retry_after() {
    let app = TestApp::empty_with_api_rate(5).await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/papers").await.0, 200);
    }
    let (status, headers, body) = app.get("/api/v1/papers").await;
    assert_eq!(status, 429);
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(body.contains("too many requests"));
    assert_eq!(app.get("/").await.0, 200, "pages are not rate-limited");
}

/// GET `/api/v1/papers` as forwarded by a proxy for `client`; the status.
async fn get_forwarded(app: &TestApp, client: &str) -> u16 {
    app.client
        .get(format!("{}/api/v1/papers", app.url))
        .header("x-forwarded-for", format!("198.51.100.77, {client}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_have_their_own_budgets() {
    // The test client connects from 127.0.0.1: a trusted proxy by default.
    let app = TestApp::empty_with_api_rate(3).await;
    for _ in 0..3 {
        assert_eq!(get_forwarded(&app, "203.0.113.1").await, 200);
    }
    assert_eq!(get_forwarded(&app, "203.0.113.1").await, 429);
    assert_eq!(
        get_forwarded(&app, "203.0.113.2").await,
        200,
        "another client behind the same proxy has its own budget"
    );
    assert_eq!(
        app.get("/api/v1/papers").await.0,
        200,
        "the proxy itself, without the header, too"
    );
    for host in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"] {
        assert_eq!(get_forwarded(&app, host).await, 200, "{host}");
    }
    assert_eq!(
        get_forwarded(&app, "2001:db8:1:2::99").await,
        429,
        "IPv6 addresses of one /64 share a budget"
    );
    assert_eq!(
        get_forwarded(&app, "2001:db8:1:3::1").await,
        200,
        "another /64"
    );
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_ignored() {
    let app = TestApp::behind_proxies(3, TrustedProxies::none()).await;
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(get_forwarded(&app, client).await, 200);
    }
    let (status, headers, _) = {
        let response = app
            .client
            .get(format!("{}/api/v1/papers", app.url))
            .header("x-forwarded-for", "203.0.113.4")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    };
    assert_eq!(
        status, 429,
        "a made-up X-Forwarded-For buys no fresh budget: the peer is the client"
    );
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::with_fixture().await;
    let (status, doc) = json(&app, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/papers",
        "/api/v1/papers/{id}",
        "/api/v1/daily",
        "/api/v1/trending",
        "/api/v1/search",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["PaperV1"].is_object());
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    if common::venv_program("schemathesis").is_none() {
        return;
    }
    let app = TestApp::with_fixture().await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/python/schemathesis_run.sh"
    );
    let url = app.url.clone();
    let output =
        tokio::task::spawn_blocking(move || Command::new(script).arg(url).output().unwrap())
            .await
            .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    eprintln!(
        "{}",
        text.lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
