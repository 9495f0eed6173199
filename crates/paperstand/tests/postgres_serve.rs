//! `paperstand serve` on PostgreSQL: `DATABASE_URL` selects it (the data directory then
//! holds no database), two nodes serve the same data side by side (a member signed in
//! on one votes through the other's form; a paper written elsewhere is found by search
//! on a node within 10 s), a server that cannot be reached
//! at start is a clear error without the password, and `harvest daily` by hand respects
//! a node's lease. Needs the test PostgreSQL (see `PAPERSTAND_TEST_POSTGRES_URL`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paperstand_store::Store;
use paperstand_store::contract::postgres::TestSchema;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(url: &str) {
    paperstand::ingest::fetch::install_tls_provider();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{url}/readyz")).await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready at {url}");
}

/// A `serve` process, killed if a test fails before stopping it.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data_dir: &Path, port: u16, database_url: &str) -> Serving {
    serve_with(data_dir, port, database_url, &[])
}

fn serve_with(data_dir: &Path, port: u16, database_url: &str, env: &[(&str, &str)]) -> Serving {
    let child = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("PAPERSTAND_CONFIG")
        .env("DATABASE_URL", database_url)
        .env("PAPERSTAND_SEMANTIC", "false")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve");
    Serving(child)
}

/// The test schema's URL, choosing the schema through `search_path`.
fn schema_url(schema: &TestSchema) -> String {
    let separator = if schema.url().contains('?') { '&' } else { '?' };
    format!(
        "{}{separator}options[search_path]={}",
        schema.url(),
        schema.name()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_serve_one_postgres_database() {
    let schema = TestSchema::create().await;
    let url = schema_url(&schema);
    let dir = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));
    let (a_port, b_port) = (free_port(), free_port());
    let a = serve(&a_dir, a_port, &url);
    let b = serve(&b_dir, b_port, &url);
    let (a_url, b_url) = (
        format!("http://127.0.0.1:{a_port}"),
        format!("http://127.0.0.1:{b_port}"),
    );
    wait_ready(&a_url).await;
    wait_ready(&b_url).await;
    for node in [&a_url, &b_url] {
        let page = reqwest::get(format!("{node}/papers/2503.11731"))
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{node} serves a demo paper");
    }

    // A paper written through another process (as through node A) is found by search
    // on node B within seconds: B's index follows the shared change sequence.
    let mut record: serde_json::Value = serde_json::from_str(
        include_str!("fixtures/papers.jsonl")
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    record["id"] = "2511.99901".into();
    record["title"] = "Quasicrystalline zymurgy for two nodes".into();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, format!("{record}\n")).unwrap();
    let imported = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(&a_dir)
        .arg("import")
        .arg(&file)
        .env_remove("PAPERSTAND_CONFIG")
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let written = Instant::now();
    loop {
        let body = reqwest::get(format!("{b_url}/search?q=zymurgy"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if body.contains("Quasicrystalline zymurgy") {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(10),
            "node B found the paper within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A member signs in on A, upvotes through B with A's session and B's form, and A
    // shows the vote: sessions, the CSRF key and votes live in the database.
    sign_in_and_vote_across(&a_dir, &url, &a_url, &b_url).await;
    drop(a);
    drop(b);
    assert!(
        !a_dir.join("paperstand.sqlite").exists(),
        "no SQLite file on PostgreSQL"
    );
    assert!(!b_dir.join("paperstand.sqlite").exists());
    let store = schema.store().await;
    assert_eq!(
        store.count_papers().await.unwrap(),
        2001,
        "the demo, imported once, and the one paper"
    );
    store.close().await;
}

/// One client's API budget is counted in the database: what it spent on node A is
/// refused on node B, with a `Retry-After` that lets it in again within a minute or two.
/// Another client (behind the trusted local proxy) still has its own budget on B.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_budget_is_shared_by_the_nodes() {
    let schema = TestSchema::create().await;
    let url = schema_url(&schema);
    let dir = tempfile::tempdir().unwrap();
    let limit = [
        ("PAPERSTAND_API_RATE_PER_MINUTE", "5"),
        ("PAPERSTAND_DEMO", "false"),
    ];
    let (a_port, b_port) = (free_port(), free_port());
    let _a = serve_with(&dir.path().join("a"), a_port, &url, &limit);
    let _b = serve_with(&dir.path().join("b"), b_port, &url, &limit);
    let (a_url, b_url) = (
        format!("http://127.0.0.1:{a_port}"),
        format!("http://127.0.0.1:{b_port}"),
    );
    wait_ready(&a_url).await;
    wait_ready(&b_url).await;
    let client = reqwest::Client::new();
    let get = |node: &str, who: &str| {
        client
            .get(format!("{node}/api/v1/papers"))
            .header("x-forwarded-for", who)
            .send()
    };
    for _ in 0..5 {
        assert_eq!(get(&a_url, "203.0.113.7").await.unwrap().status(), 200);
    }
    let refused = get(&b_url, "203.0.113.7").await.unwrap();
    assert_eq!(refused.status(), 429, "A's hits count on B");
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        get(&a_url, "203.0.113.7").await.unwrap().status(),
        429,
        "and on A"
    );
    assert_eq!(
        get(&b_url, "203.0.113.8").await.unwrap().status(),
        200,
        "another client is not affected"
    );
}

/// A cookie-keeping client of one instance's nodes (no cookie store in reqwest here).
#[derive(Default)]
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn cookie(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(k, _)| k != name);
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// GETs a page; returns its status and the form token it carries.
    async fn get(&mut self, url: &str) -> (u16, String, Option<String>) {
        let response = reqwest::Client::new()
            .get(url)
            .header("cookie", self.cookie())
            .send()
            .await
            .unwrap();
        self.keep(&response);
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        let token = body.find("name=\"csrf\" value=\"").map(|at| {
            let rest = &body[at + "name=\"csrf\" value=\"".len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        });
        (status, body, token)
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)], accept: &str) -> (u16, String) {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace('@', "%40").replace(' ', "+")))
            .collect();
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(url)
            .header("cookie", self.cookie())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", accept)
            .body(body.join("&"))
            .send()
            .await
            .unwrap();
        self.keep(&response);
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

async fn sign_in_and_vote_across(data_dir: &Path, url: &str, a: &str, b: &str) {
    let mut create = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "user",
            "create",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ])
        .env_remove("PAPERSTAND_CONFIG")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(create.stdin.take().unwrap(), "a long two-node passphrase").unwrap();
    assert!(create.wait().unwrap().success());

    let mut ada = Browser::default();
    let (_, _, token) = ada.get(&format!("{a}/signin")).await;
    let token = token.expect("the sign-in form has a token");
    let (status, body) = ada
        .post(
            &format!("{a}/signin"),
            &[
                ("email", "ada@example.org"),
                ("password", "a long two-node passphrase"),
                ("csrf", &token),
            ],
            "text/html",
        )
        .await;
    assert_eq!(status, 303, "signed in on A: {body}");
    let (status, account, _) = ada.get(&format!("{b}/account")).await;
    assert_eq!(status, 200, "B knows A's session");
    assert!(account.contains("Sign out"), "B knows A's session");
    let (status, _, token) = ada.get(&format!("{b}/papers/2503.11731")).await;
    assert_eq!(status, 200);
    let token = token.expect("B's page has a form token for the member");
    let (status, body) = ada
        .post(
            &format!("{a}/vote/2503.11731"),
            &[("up", "1"), ("csrf", &token)],
            "application/json",
        )
        .await;
    assert_eq!(status, 200, "A takes B's form token: {body}");
    assert_eq!(body, r#"{"upvotes":1,"voted":true}"#);
    let (_, page, _) = ada.get(&format!("{b}/papers/2503.11731")).await;
    assert!(
        page.contains(r#"aria-pressed="true""#),
        "B shows the vote cast through A"
    );
    assert!(page.contains(r#"<span class="count">1</span>"#));
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("PAPERSTAND_CONFIG")
        .env(
            "DATABASE_URL",
            "postgres://ada:s3cret@127.0.0.1:1/paperstand",
        )
        .env("PAPERSTAND_DATABASE_CONNECT_WAIT", "2")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("cannot connect to PostgreSQL at postgres://ada:***@127.0.0.1:1/paperstand"),
        "{stderr}"
    );
    assert!(stderr.contains("retrying"), "it retried first: {stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// `harvest daily` by hand waits for no one: while a node's scheduled run holds the
/// daily lease, it refuses, naming the holder, and fetches nothing.
#[tokio::test]
async fn harvest_daily_by_hand_respects_a_running_nodes_lease() {
    use paperstand_store::Leases;
    let schema = TestSchema::create().await;
    let store = schema.store().await;
    assert!(
        store
            .try_acquire_lease(
                "daily_ingestion",
                "node-a:42:beef",
                time::OffsetDateTime::now_utc(),
                Duration::from_secs(120),
            )
            .await
            .unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["harvest", "daily"])
        .env_remove("PAPERSTAND_CONFIG")
        .env("DATABASE_URL", schema_url(&schema))
        // Nothing listens here: a run that went ahead would fail differently.
        .env("PAPERSTAND_INGEST_CATEGORIES", "cs.CL")
        .env("PAPERSTAND_INGEST_ANNOUNCE_BASE_URL", "http://127.0.0.1:1")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("running already (on node-a:42:beef)"),
        "{stderr}"
    );
    assert_eq!(
        store.lease("daily_ingestion").await.unwrap().unwrap().owner,
        "node-a:42:beef"
    );
    store.close().await;
}
