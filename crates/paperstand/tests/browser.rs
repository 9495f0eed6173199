//! End to end in a real browser: headless Chromium, driven over W3C WebDriver by a
//! chromedriver child process, against a served instance holding the fixture papers.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `scripts/install-test-deps`
//! installs them. Where they are missing the test fails, unless
//! `PAPERSTAND_SKIP_BROWSER=1` is set, in which case it says so and skips.

mod common;

use std::fmt::Display;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[tokio::test(flavor = "multi_thread")]
async fn pages_work_in_a_real_browser() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let app = TestApp::with_fixture().await;
    let browser = Browser::launch().await;

    // The daily page.
    browser.goto(&format!("{}/", app.url)).await;
    let heading = browser.text(&browser.find("main h1").await).await;
    assert!(heading.starts_with("Papers of"), "heading: {heading:?}");
    assert_eq!(browser.find_all("article.card").await.len(), 19, "cards");

    // "Show the whole abstract" unclamps the abstract with CSS alone.
    let abstract_box = browser.find("article.card .abstract").await;
    let clamped = browser.size(&abstract_box, "height").await;
    let label = browser.find("article.card label.expand-label").await;
    assert_eq!(browser.text(&label).await, "Show the whole abstract");
    browser.click(&label).await;
    let expanded = browser.size(&abstract_box, "height").await;
    assert!(
        expanded > clamped,
        "abstract should grow when expanded: {clamped}px before, {expanded}px after"
    );

    // The first card's title leads to its paper page.
    let link = browser.find("article.card h2.title a").await;
    let title = browser.text(&link).await;
    assert!(!title.is_empty(), "first card has a title");
    let href = browser.attribute(&link, "href").await.expect("title href");
    let id = href
        .strip_prefix("/papers/")
        .expect("/papers/ID")
        .to_owned();
    browser.click(&link).await;
    browser.wait_for_url_ending(&href).await;

    let paper_title = browser.text(&browser.find("h1.title").await).await;
    assert_eq!(paper_title, title, "paper page shows the card's title");
    let term = browser.text(&browser.find("dl.details dt").await).await;
    let value = browser.text(&browser.find("dl.details dd").await).await;
    assert_eq!((term.as_str(), value.as_str()), ("arXiv id", id.as_str()));
    let arxiv = browser.find_by("link text", "arXiv page").await;
    assert_eq!(
        browser.attribute(&arxiv, "href").await.as_deref(),
        Some(format!("https://arxiv.org/abs/{id}").as_str()),
        "arXiv page link"
    );

    // LaTeX in a title is rendered as MathML.
    browser
        .goto(&format!("{}/papers/2604.19038", app.url))
        .await;
    let math = browser.find("h1.title math").await;
    assert!(browser.size(&math, "width").await > 0.0, "math is laid out");

    // Search: the header's link, the form, highlighted results.
    browser
        .click(&browser.find_by("link text", "Search").await)
        .await;
    browser.wait_for_url_ending("/search").await;
    let semantic = browser.find("input[name=mode][value=semantic]").await;
    assert!(
        browser.attribute(&semantic, "disabled").await.is_some(),
        "semantic mode is disabled without a model"
    );
    let field = browser.find("input[name=q]").await;
    browser.type_text(&field, "guardrails\n").await;
    browser
        .wait_for_url_containing("/search?q=guardrails")
        .await;
    let results = browser.find_all("article.card").await;
    assert_eq!(results.len(), 1, "one paper matches");
    let mark = browser.find("article.card mark").await;
    assert_eq!(browser.text(&mark).await.to_lowercase(), "guardrails");

    browser.quit().await;
    eprintln!("browser test took {:.1?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_signs_in_and_upvotes_without_a_reload() {
    if !browser_installed() {
        return;
    }
    let app = TestApp::with_fixture().await;
    create_member(
        &app,
        "ada@example.org",
        "Ada",
        paperstand_store::Role::Member,
    )
    .await;
    let browser = Browser::launch().await;

    // Sign in with the form, as a person would.
    browser.goto(&format!("{}/signin?next=/", app.url)).await;
    let email = browser.find("input[name=email]").await;
    browser.type_text(&email, "ada@example.org").await;
    let password = browser.find("input[name=password]").await;
    browser
        .type_text(&password, &format!("{}\n", common::member::PASSWORD))
        .await;
    browser.wait_for_url_ending("/").await;

    // Mark this page: a reload would lose the mark.
    browser
        .execute("window.__notReloaded = 42; return 1;")
        .await;
    let button = browser.find("article.card form.vote button").await;
    assert_eq!(
        browser.attribute(&button, "aria-pressed").await.as_deref(),
        Some("false")
    );
    let form = browser.find("article.card form.vote").await;
    let action = browser.attribute(&form, "action").await.unwrap();
    browser.click(&button).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let count = browser
            .text(&browser.find("article.card form.vote .count").await)
            .await;
        if count == "1" {
            break;
        }
        assert!(Instant::now() < deadline, "the count stayed at {count}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        browser.attribute(&button, "aria-pressed").await.as_deref(),
        Some("true")
    );
    assert_eq!(
        browser.execute("return window.__notReloaded;").await,
        json!(42),
        "the page was reloaded"
    );
    let id: paperstand_core::ArxivId = action.trim_start_matches("/vote/").parse().unwrap();
    use paperstand_store::Community;
    let counts = app.store.counts(std::slice::from_ref(&id)).await.unwrap();
    assert_eq!(counts[&id].upvotes, 1, "the vote is stored");

    // Clicking again takes it back, still without a reload.
    browser.click(&button).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while browser.attribute(&button, "aria-pressed").await.as_deref() != Some("false") {
        assert!(Instant::now() < deadline, "the upvote was not taken back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        browser
            .text(&browser.find("article.card form.vote .count").await)
            .await,
        "0"
    );
    assert_eq!(
        browser.execute("return window.__notReloaded;").await,
        json!(42)
    );
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_text_runs_no_script_in_the_browser() {
    if !browser_installed() {
        return;
    }
    let app = TestApp::empty().await;
    let seeded = common::hostile::seed(&app).await;
    let browser = Browser::launch().await;
    let mut pages = vec!["/".to_owned(), "/?page=2".to_owned(), "/?page=3".to_owned()];
    pages.push(format!("/papers/{}", seeded.commented));
    pages.extend(
        seeded
            .papers
            .iter()
            .step_by(20)
            .map(|id| format!("/papers/{id}")),
    );
    pages.push("/trending?window=all".to_owned());
    pages.push("/search?q=alert".to_owned());
    let check = |path: String| {
        let browser = &browser;
        let base = app.url.clone();
        async move {
            browser.goto(&format!("{base}{path}")).await;
            browser.assert_no_script_ran(&path).await;
        }
    };
    for path in pages.clone() {
        check(path).await;
    }
    // Signed in as an admin: member pages, comment forms, the moderation page.
    browser
        .goto(&format!("{}/signin?next=/admin", app.url))
        .await;
    let email = browser.find("input[name=email]").await;
    browser.type_text(&email, &seeded.admin).await;
    let password = browser.find("input[name=password]").await;
    browser
        .type_text(&password, &format!("{}\n", common::member::PASSWORD))
        .await;
    browser.wait_for_url_ending("/admin").await;
    browser.assert_no_script_ran("/admin").await;
    for path in pages.into_iter().take(5) {
        check(path).await;
    }
    browser.quit().await;
}

/// Issue #8 in a real browser: save a paper from the daily page (the script keeps the
/// page), tag it on /library, and find For-you saying "because you saved" it.
#[tokio::test(flavor = "multi_thread")]
async fn a_member_saves_tags_and_gets_picks_because_of_it() {
    if !browser_installed() {
        return;
    }
    let app = TestApp::with_fixture().await;
    create_member(
        &app,
        "ada@example.org",
        "Ada",
        paperstand_store::Role::Member,
    )
    .await;
    let browser = Browser::launch().await;
    browser.goto(&format!("{}/signin?next=/", app.url)).await;
    let email = browser.find("input[name=email]").await;
    browser.type_text(&email, "ada@example.org").await;
    let password = browser.find("input[name=password]").await;
    browser
        .type_text(&password, &format!("{}\n", common::member::PASSWORD))
        .await;
    browser.wait_for_url_ending("/").await;

    browser.execute("window.__notReloaded = 7; return 1;").await;
    let form = browser.find("article.card form.save").await;
    let action = browser.attribute(&form, "action").await.unwrap();
    let id = action.trim_start_matches("/save/").to_owned();
    let button = browser.find("article.card form.save button").await;
    browser.click(&button).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while browser.attribute(&button, "aria-pressed").await.as_deref() != Some("true") {
        assert!(Instant::now() < deadline, "the save button never turned on");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(browser.text(&button).await, "Saved");
    assert_eq!(
        browser.execute("return window.__notReloaded;").await,
        json!(7)
    );

    browser.goto(&format!("{}/library", app.url)).await;
    let tag = browser
        .find(&format!(
            "#saved-{} form.add-tag input[name=tag]",
            id.replace('.', "\\.")
        ))
        .await;
    browser.type_text(&tag, "must read\n").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let chips = browser.find_all("span.tag").await;
        if let Some(chip) = chips.first()
            && browser.text(chip).await == "must read"
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the tag never showed on /library"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    browser.goto(&format!("{}/for-you?days=all", app.url)).await;
    let reasons = browser.find_all("p.why.personal").await;
    let mut texts = Vec::new();
    for reason in &reasons {
        texts.push(browser.text(reason).await);
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Because you saved — close to:")),
        "{texts:?}"
    );
    browser.quit().await;
}

/// A confirmed member with the test password, created through the store.
async fn create_member(
    app: &TestApp,
    email: &str,
    name: &str,
    role: paperstand_store::Role,
) -> i64 {
    use paperstand_store::Community;
    let hash = paperstand::accounts::password::hash(common::member::PASSWORD).unwrap();
    app.store
        .create_user(
            &paperstand_store::NewUser {
                email: email.to_owned(),
                display_name: name.to_owned(),
                password_hash: hash,
                role,
                verified: true,
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .id
}

/// Whether Chromium and chromedriver are installed. When they are not, skips (returns
/// false) if `PAPERSTAND_SKIP_BROWSER=1`, and otherwise fails saying how to get them.
fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let missing = missing.join(" and ");
    if std::env::var("PAPERSTAND_SKIP_BROWSER").is_ok_and(|value| value == "1") {
        eprintln!("SKIPPING the browser test: {missing} missing and PAPERSTAND_SKIP_BROWSER=1");
        return false;
    }
    panic!(
        "the browser test needs {missing}: run scripts/install-test-deps (scripts/test runs \
         it first), or set PAPERSTAND_SKIP_BROWSER=1 to skip this test"
    );
}

/// A chromedriver child process on 127.0.0.1, with an HTTP client for it (no proxy, a
/// bound on every call); killed when dropped.
struct Chromedriver {
    child: Child,
    port: u16,
    http: reqwest::Client,
}

impl Chromedriver {
    /// Starts chromedriver on a free port and waits (up to 10 s) until it is ready.
    async fn start() -> Chromedriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("find a free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        paperstand::ingest::fetch::install_tls_provider();
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60));
        let http = http.build().expect("WebDriver HTTP client");
        let mut driver = Chromedriver { child, port, http };
        let deadline = Instant::now() + Duration::from_secs(10);
        let status_url = format!("{}/status", driver.url());
        loop {
            if let Ok(response) = driver.http.get(&status_url).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return driver;
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!("chromedriver exited before it was ready: {exit}");
            }
            assert!(Instant::now() < deadline, "chromedriver not ready in 10 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `http://127.0.0.1:PORT`
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium's flags: headless, phone-sized, and quiet on the network (without the
/// background-networking flags it tries hosts a closed network refuses).
const CHROMIUM_ARGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-quic --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --window-size=412,915";

/// A WebDriver session in headless Chromium. Ends the session when dropped, so that no
/// browser outlives a failing test.
struct Browser {
    session: Option<String>,
    driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    async fn launch() -> Browser {
        let driver = Chromedriver::start().await;
        let profile = tempfile::tempdir().expect("temp dir for the Chromium profile");
        let mut args: Vec<String> = CHROMIUM_ARGS.split_whitespace().map(String::from).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let mut browser = Browser {
            session: None,
            driver,
            _profile: profile,
        };
        let created = browser.send(Method::POST, "/session", capabilities).await;
        let id = created["sessionId"].as_str().expect("new session id");
        browser.session = Some(id.to_owned());
        browser
    }

    /// Sends one WebDriver command (a `Null` body sends none); returns its `value`, or
    /// panics with the error.
    async fn send(&self, method: Method, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.driver.url());
        let mut request = self.driver.http.request(method.clone(), url);
        if !body.is_null() {
            request = request.json(&body);
        }
        let fail = |error: &dyn Display| -> ! { panic!("WebDriver {method} {path}: {error}") };
        let response = request.send().await.unwrap_or_else(|e| fail(&e));
        let status = response.status();
        let mut reply: Value = response.json().await.unwrap_or_else(|e| fail(&e));
        let value = reply["value"].take();
        if !status.is_success() {
            let error = (&value["error"], &value["message"]);
            fail(&format!("{status}: {} {}", error.0, error.1));
        }
        value
    }

    /// `path` within this session: `/session/ID{path}`.
    fn at(&self, path: &str) -> String {
        let session = self.session.as_deref().expect("session is open");
        format!("/session/{session}{path}")
    }

    /// GET `path` within this session.
    async fn get(&self, path: &str) -> Value {
        self.send(Method::GET, &self.at(path), Value::Null).await
    }

    /// POST `body` to `path` within this session.
    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(Method::POST, &self.at(path), body).await
    }

    /// Navigates to `url` and waits for the page to load.
    async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    /// Waits (up to 5 s) until the current URL ends with `suffix`.
    async fn wait_for_url_ending(&self, suffix: &str) {
        self.wait_for_url(|url| url.ends_with(suffix), suffix).await;
    }

    /// Waits (up to 5 s) until the current URL contains `part`.
    async fn wait_for_url_containing(&self, part: &str) {
        self.wait_for_url(|url| url.contains(part), part).await;
    }

    async fn wait_for_url(&self, wanted: impl Fn(&str) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let url = self.get("/url").await;
            let url = url.as_str().expect("current URL is a string");
            if wanted(url) {
                return;
            }
            assert!(Instant::now() < deadline, "still at {url}, not at …{what}…");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The first element found with a W3C locator strategy (`css selector`, `link text`).
    async fn find_by(&self, using: &str, value: &str) -> String {
        let query = json!({"using": using, "value": value});
        element_id(&self.post("/element", query).await)
    }

    /// The first element matching a CSS selector.
    async fn find(&self, css: &str) -> String {
        self.find_by("css selector", css).await
    }

    /// All elements matching a CSS selector, in document order.
    async fn find_all(&self, css: &str) -> Vec<String> {
        let query = json!({"using": "css selector", "value": css});
        let found = self.post("/elements", query).await;
        let found = found.as_array().expect("a list of elements");
        found.iter().map(element_id).collect()
    }

    /// An element's rendered text.
    async fn text(&self, element: &str) -> String {
        let text = self.get(&format!("/element/{element}/text")).await;
        text.as_str().expect("element text is a string").to_owned()
    }

    /// An element's attribute, as written in the markup.
    async fn attribute(&self, element: &str, name: &str) -> Option<String> {
        let path = format!("/element/{element}/attribute/{name}");
        self.get(&path).await.as_str().map(str::to_owned)
    }

    /// An element's rendered height or width (`dimension`) in CSS pixels.
    async fn size(&self, element: &str, dimension: &str) -> f64 {
        let rect = self.get(&format!("/element/{element}/rect")).await;
        rect[dimension].as_f64().expect("a number in the rect")
    }

    /// Clicks an element (scrolled into view first, as a user would).
    async fn click(&self, element: &str) {
        let path = format!("/element/{element}/click");
        self.post(&path, json!({})).await;
    }

    /// Types `text` into an element (`\n` submits a form, as Enter does).
    async fn type_text(&self, element: &str, text: &str) {
        let path = format!("/element/{element}/value");
        self.post(&path, json!({"text": text.replace('\n', "\u{E007}")}))
            .await;
    }

    /// Panics if a dialog is open, `window.__xss` is set, or the title says XSS: the
    /// marks every payload leaves when it runs.
    async fn assert_no_script_ran(&self, page: &str) {
        let url = format!("{}{}", self.driver.url(), self.at("/alert/text"));
        let response = self.driver.http.get(url).send().await.expect("webdriver");
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert!(
            !status.is_success(),
            "{page}: a dialog opened: {}",
            body["value"]
        );
        assert_eq!(body["value"]["error"], "no such alert", "{page}");
        let marks = self
            .execute("return [typeof window.__xss, document.title];")
            .await;
        assert_eq!(marks[0], "undefined", "{page}: window.__xss was set");
        let title = marks[1].as_str().unwrap_or_default();
        assert_ne!(title, "XSS", "{page}: a payload set the title");
    }

    /// Runs `script` in the page; returns what it returns.
    async fn execute(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Ends the session, which closes the browser.
    async fn quit(mut self) {
        let path = self.at("");
        self.send(Method::DELETE, &path, Value::Null).await;
        self.session = None;
    }
}

impl Drop for Browser {
    /// Ends a session still open (the test panicked) with a plain blocking request, as
    /// the async client cannot be awaited here.
    fn drop(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        let port = self.driver.port;
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Connection: close\r\nContent-Length: 0\r\n\r\n"
        );
        // chromedriver answers once the browser has quit; the first bytes will do.
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read(&mut [0; 256]);
        }
    }
}

/// The element reference in a WebDriver reply.
fn element_id(found: &Value) -> String {
    found[ELEMENT_KEY]
        .as_str()
        .unwrap_or_else(|| panic!("not an element reference: {found}"))
        .to_owned()
}
