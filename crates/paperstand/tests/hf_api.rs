//! The Hugging Face Papers–compatible API over HTTP: shapes, ranges, paging, bad input
//! as JSON errors, and Hugging Face's own Python client against a running instance.

mod common;

use std::process::Command;

use common::TestApp;
use serde_json::Value;

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let (status, headers, body) = app.get(path).await;
    assert_eq!(headers["content-type"], "application/json", "{path}");
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

#[tokio::test]
async fn daily_papers_have_hugging_faces_shape() {
    let app = TestApp::with_fixture().await;
    let (status, items) = get_json(&app, "/api/daily_papers?date=2026-06-02").await;
    assert_eq!(status, 200);
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 19);
    let item = items
        .iter()
        .find(|i| i["paper"]["id"] == "2606.00007")
        .expect("listed");
    for field in [
        "publishedAt",
        "title",
        "summary",
        "numComments",
        "submittedBy",
        "githubRepo",
        "githubStars",
        "thumbnail",
    ] {
        assert!(item.get(field).is_some(), "item.{field}");
    }
    let paper = &item["paper"];
    assert_eq!(paper["authors"][0]["name"], "Steven Johnson");
    assert_eq!(item["publishedAt"], "2026-06-02T00:00:00.000Z");
    assert_eq!(paper["upvotes"], 0);
    assert_eq!(
        item["githubRepo"],
        "https://github.com/StevenJohnson998/AIngram"
    );
    assert!(
        item["githubStars"].is_null()
            && item["thumbnail"].is_null()
            && paper["ai_summary"].is_null(),
        "no invented values"
    );
}

#[tokio::test]
async fn ranges_paging_and_the_latest_day() {
    let app = TestApp::with_fixture().await;
    let count = |v: &Value| v.as_array().unwrap().len();
    assert_eq!(
        count(&get_json(&app, "/api/daily_papers").await.1),
        19,
        "the latest listing day by default"
    );
    assert_eq!(
        count(&get_json(&app, "/api/daily_papers?month=2026-06").await.1),
        19
    );
    assert_eq!(
        count(&get_json(&app, "/api/daily_papers?week=2025-W37").await.1),
        1
    );
    assert_eq!(
        count(
            &get_json(&app, "/api/daily_papers?date=2026-06-02&limit=7&p=2")
                .await
                .1
        ),
        5
    );
    assert_eq!(
        count(
            &get_json(&app, "/api/daily_papers?date=2026-06-02&limit=7&p=3")
                .await
                .1
        ),
        0,
        "past the end: empty"
    );
    assert_eq!(
        count(&get_json(&app, "/api/daily_papers?date=2020-01-01").await.1),
        0
    );
    assert_eq!(
        count(
            &get_json(&app, "/api/daily_papers?submitter=someone")
                .await
                .1
        ),
        0
    );
    let (status, paper) = get_json(&app, "/api/papers/2606.00007v2").await;
    assert_eq!((status, paper["id"].as_str()), (200, Some("2606.00007")));
    let (_, found) = get_json(&app, "/api/papers/search?q=Gaussian%20Splatting&limit=5").await;
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["paper"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"2509.07021"), "{ids:?}");
    assert!(found.as_array().unwrap().iter().all(|i| {
        let text = format!("{} {}", i["title"], i["summary"]).to_lowercase();
        text.contains("gaussian") && text.contains("splatting")
    }));
}

#[tokio::test]
async fn bad_input_is_a_clear_json_error() {
    let app = TestApp::with_fixture().await;
    let long = format!("/api/papers/search?q={}", "a".repeat(60 * 1024));
    for (path, field) in [
        ("/api/daily_papers?limit=100000", "limit"),
        ("/api/daily_papers?limit=0", "limit"),
        ("/api/daily_papers?p=-1", "p"),
        ("/api/daily_papers?date=2026-13-45", "date"),
        ("/api/daily_papers?week=2026-W60", "week"),
        ("/api/daily_papers?month=2026-00", "month"),
        ("/api/daily_papers?sort=drop%20table", "sort"),
        ("/api/daily_papers?date=2026-06-02&week=2026-W23", "date"),
        ("/api/papers/search?q=x&limit=abc", "limit"),
        (long.as_str(), "q"),
    ] {
        let (status, body) = get_json(&app, path).await;
        assert_eq!(status, 400, "{}", &path[..path.len().min(80)]);
        assert_eq!(body["errors"][0]["field"], field, "{body}");
        assert!(
            body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains(field),
            "{body}"
        );
    }
    let (status, body) = get_json(&app, "/api/papers/2503.99999").await;
    assert_eq!(status, 404);
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("not on this instance")
    );
    let (status, _) = get_json(&app, "/api/papers/not-an-id").await;
    assert_eq!(status, 404);
    let response = app
        .client
        .get(format!("{}/api/daily_papers", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406, "wrong Accept");
}

/// A 100 KB request line is more than HTTP clients send (reqwest refuses to): written
/// by hand, it is refused with a 4xx by the HTTP layer, and the server stays up.
#[tokio::test]
async fn a_hundred_kilobyte_query_is_refused_not_a_crash() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::with_fixture().await;
    let address = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET /api/papers/search?q={} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let _ = stream.write_all(request.as_bytes()).await;
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply).await;
    let status_line = String::from_utf8_lossy(&reply[..reply.len().min(40)]).to_string();
    assert!(status_line.starts_with("HTTP/1.1 4"), "{status_line:?}");
    assert_eq!(
        app.get("/api/daily_papers?limit=1").await.0,
        200,
        "still serving"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hugging_faces_python_client_works_unchanged() {
    let Some(python) = common::venv_program("python") else {
        return;
    };
    let app = TestApp::with_fixture().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/hf_client.py");
    let output = tokio::task::spawn_blocking({
        let url = app.url.clone();
        move || {
            Command::new(python)
                .arg(script)
                .arg(url)
                .env("HF_HUB_DISABLE_TELEMETRY", "1")
                .env("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
                .env_remove("HF_TOKEN")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("huggingface_hub client OK: 19 daily papers"),
        "{text}"
    );
    eprintln!("{text}");
}
