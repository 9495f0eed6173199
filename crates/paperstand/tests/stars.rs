//! GitHub star counts against a real HTTP server replaying GitHub's answers
//! (common/github_replay.rs): the client's handling of each answer, then refresh runs
//! through a real SQLite store, then `paperstand refresh stars` as a user runs it.

mod common;

use std::io::Cursor;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::github_replay::{Answer, GithubReplay};
use paperstand::config::{Config, Secret};
use paperstand::stars::{
    ClientSettings, GithubClient, GithubError, PAUSED_UNTIL, RefreshPolicy, RefreshReport,
    StarRefresh,
};
use paperstand_core::external::ExternalLink;
use paperstand_core::record::format_date;
use paperstand_core::{ArxivId, CodeHost, CodeLink, LinkSource};
use paperstand_store::{Community, RepoOutcome, RepoStars, SqliteStore, Store};
use time::{Date, OffsetDateTime};

const TOKEN: &str = "ghp_test0123456789abcdefSECRET";
const REPO: &str = "/repos/dogsheep/github-to-sqlite";

fn config(replay: &GithubReplay, token: Option<&str>) -> Config {
    let mut config = Config::default();
    config.github.api_base_url = replay.url.clone();
    config.github.token = token.map(Secret::new);
    config.github.request_interval_ms = 0;
    config.ingest.retry_base_ms = 10;
    config
}

fn client_of(config: &Config) -> GithubClient {
    let mut settings = ClientSettings::from_config(config);
    settings.secondary_base = Duration::from_millis(50);
    GithubClient::with_settings(config, settings).unwrap()
}

fn client(replay: &GithubReplay) -> GithubClient {
    client_of(&config(replay, Some(TOKEN)))
}

fn reset_in(seconds: i64) -> i64 {
    OffsetDateTime::now_utc().unix_timestamp() + seconds
}

// --- the client, answer by answer ---

#[tokio::test]
async fn a_full_answer_gives_the_count_and_etag_and_the_request_names_itself() {
    let replay = GithubReplay::start().await;
    replay.set(
        REPO,
        Answer::repo("dogsheep/github-to-sqlite", 6, "W/\"e1\""),
    );
    let outcome = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RepoOutcome::Stars {
            stars: 6,
            etag: Some("W/\"e1\"".to_owned())
        }
    );
    let request = &replay.seen()[0];
    assert_eq!(request.path, REPO);
    assert_eq!(
        request.header("accept").as_deref(),
        Some("application/vnd.github+json")
    );
    assert_eq!(
        request.header("x-github-api-version").as_deref(),
        Some("2022-11-28")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}"))
    );
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("Paperstand/")
    );
    assert_eq!(request.header("if-none-match"), None);

    let anonymous = client_of(&config(&replay, None));
    anonymous
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap();
    assert_eq!(replay.seen()[1].header("authorization"), None);
}

#[tokio::test]
async fn a_conditional_request_is_answered_304() {
    let replay = GithubReplay::start().await;
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let outcome = client(&replay)
        .repo("dogsheep/github-to-sqlite", Some("\"e1\""))
        .await
        .unwrap();
    assert_eq!(outcome, RepoOutcome::NotModified);
    assert_eq!(
        replay.seen()[0].header("if-none-match").as_deref(),
        Some("\"e1\"")
    );
}

#[tokio::test]
async fn the_primary_limit_stops_and_nothing_is_asked_before_the_reset() {
    let replay = GithubReplay::start().await;
    let reset = reset_in(1800);
    replay.queue(REPO, [Answer::primary_limit(reset)]);
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let client = client(&replay);
    for _ in 0..2 {
        match client.repo("dogsheep/github-to-sqlite", None).await {
            Err(GithubError::RateLimited { until }) => {
                assert_eq!(until.unix_timestamp(), reset)
            }
            other => panic!("expected the rate limit, got {other:?}"),
        }
    }
    assert_eq!(
        replay.seen().len(),
        1,
        "no request while the budget is spent"
    );
}

#[tokio::test]
async fn a_low_budget_pauses_before_the_limit_is_reached() {
    let replay = GithubReplay::start().await;
    let reset = reset_in(600);
    replay.set(
        REPO,
        Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\"")
            .with("x-ratelimit-remaining", "3")
            .with("x-ratelimit-reset", &reset.to_string()),
    );
    let client = client(&replay);
    assert!(client.repo("dogsheep/github-to-sqlite", None).await.is_ok());
    let second = client.repo("dogsheep/github-to-sqlite", None).await;
    assert!(
        matches!(second, Err(GithubError::RateLimited { until }) if until.unix_timestamp() == reset),
        "{second:?}"
    );
    assert_eq!(replay.seen().len(), 1, "the reserve (10) is left alone");
}

#[tokio::test]
async fn secondary_limits_are_waited_out() {
    let replay = GithubReplay::start().await;
    replay.queue(
        REPO,
        [
            Answer::secondary_limit(Some(1)),
            Answer::secondary_limit(None),
        ],
    );
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let started = Instant::now();
    let outcome = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap();
    assert!(matches!(outcome, RepoOutcome::Stars { stars: 6, .. }));
    assert_eq!(replay.seen().len(), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );

    // One that does not lift stops the run like the primary limit.
    replay.queue(REPO, vec![Answer::secondary_limit(None); 4]);
    let stopped = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await;
    assert!(
        matches!(stopped, Err(GithubError::RateLimited { .. })),
        "{stopped:?}"
    );
}

#[tokio::test]
async fn deleted_and_blocked_repositories_are_gone() {
    let replay = GithubReplay::start().await;
    replay.set("/repos/someone/deleted", Answer::not_found());
    let mut blocked = Answer::not_found();
    blocked.status = 451;
    replay.set("/repos/someone/blocked", blocked);
    let client = client(&replay);
    for name in ["someone/deleted", "someone/blocked"] {
        assert_eq!(client.repo(name, None).await.unwrap(), RepoOutcome::Gone);
    }
}

#[tokio::test]
async fn a_301_is_followed_once_to_learn_the_new_name() {
    let replay = GithubReplay::start().await;
    let location = format!("{}/repositories/207052882", replay.url);
    replay.set("/repos/simonw/github-to-sqlite", Answer::moved(&location));
    replay.set(
        "/repositories/207052882",
        Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""),
    );
    let outcome = client(&replay)
        .repo("simonw/github-to-sqlite", Some("\"old\""))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RepoOutcome::Moved {
            to: "dogsheep/github-to-sqlite".to_owned()
        }
    );
    let seen = replay.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/repositories/207052882");
    assert_eq!(
        seen[1].header("authorization"),
        Some(format!("Bearer {TOKEN}"))
    );

    // A rename GitHub answers directly, under the new name.
    replay.set(
        "/repos/dogsheep/old-name",
        Answer::repo("Dogsheep/GitHub-to-SQLite", 6, "\"e1\""),
    );
    assert_eq!(
        client(&replay)
            .repo("dogsheep/old-name", None)
            .await
            .unwrap(),
        RepoOutcome::Moved {
            to: "dogsheep/github-to-sqlite".to_owned()
        }
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let replay = GithubReplay::start().await;
    replay.set(
        "/repos/a/b",
        Answer::moved("http://192.0.2.1/repositories/1"),
    );
    let error = client(&replay).repo("a/b", None).await.unwrap_err();
    assert!(error.to_string().contains("192.0.2.1"), "{error}");
    assert_eq!(replay.seen().len(), 1, "the token went nowhere else");
}

#[tokio::test]
async fn server_errors_are_retried_a_little_then_left_for_later() {
    let replay = GithubReplay::start().await;
    replay.queue(REPO, [Answer::server_error()]);
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let outcome = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap();
    assert!(matches!(outcome, RepoOutcome::Stars { stars: 6, .. }));
    assert_eq!(replay.seen().len(), 2);

    replay.queue(REPO, vec![Answer::server_error(); 3]);
    let error = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, GithubError::Failed { reason, .. } if reason.contains("HTTP 500") && reason.contains("3 attempts")),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_json_is_a_clear_error() {
    let replay = GithubReplay::start().await;
    replay.set(REPO, Answer::malformed());
    let error = client(&replay)
        .repo("dogsheep/github-to-sqlite", None)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("dogsheep/github-to-sqlite") && message.contains("not a repository"),
        "{message}"
    );
}

// --- refresh runs through a real store ---

/// A store in a temporary directory.
async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("paperstand.sqlite"))
        .await
        .unwrap();
    (dir, store)
}

/// A JSON Lines record listed on `listed` whose abstract is `text`.
fn paper_line(id: &str, listed: Date, text: &str) -> String {
    serde_json::json!({
        "id": id,
        "title": format!("Paper {id}"),
        "abstract": text,
        "categories": ["cs.LG"],
        "authors": ["A. Author"],
        "first_listed": format_date(listed),
    })
    .to_string()
}

async fn import(store: &SqliteStore, lines: &[String]) {
    let text = lines.join("\n");
    let report = paperstand::transfer::import_lines(
        store,
        Box::new(Cursor::new(text.into_bytes())),
        OffsetDateTime::now_utc().date(),
        &|_| {},
    )
    .await;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
}

fn refresher(replay: &GithubReplay) -> StarRefresh {
    let config = config(replay, Some(TOKEN));
    StarRefresh::new(
        client_of(&config),
        RefreshPolicy::from_config(&config.github),
        100,
    )
}

async fn repos_of(store: &SqliteStore, id: &str) -> Vec<RepoStars> {
    store.paper_repos(&id.parse().unwrap()).await.unwrap()
}

fn stars(repos: &[RepoStars]) -> Vec<(String, Option<u64>)> {
    repos
        .iter()
        .map(|r| (r.full_name.clone(), r.stars))
        .collect()
}

async fn run(job: &mut StarRefresh, store: &SqliteStore, now: OffsetDateTime) -> RefreshReport {
    job.run(store, now, &|_| {}).await.unwrap()
}

fn hours(n: i64) -> time::Duration {
    time::Duration::hours(n)
}

#[tokio::test]
async fn papers_are_linked_and_counts_recorded_as_dated_snapshots_on_schedule() {
    let (_dir, store) = store().await;
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    import(
        &store,
        &[
            paper_line(
                "2611.00001",
                today - time::Duration::days(2),
                "Code: https://github.com/dogsheep/github-to-sqlite; models at huggingface.co/a/b.",
            ),
            paper_line(
                "2503.00002",
                Date::from_calendar_date(2025, time::Month::March, 3).unwrap(),
                "Old work at github.com/old/project.",
            ),
            paper_line("2611.00003", today, "No link in the text."),
        ],
    )
    .await;
    let paper: ArxivId = "2611.00003".parse().unwrap();
    let pwc = ExternalLink {
        paper: paper.clone(),
        link: CodeLink {
            host: CodeHost::GitHub,
            repo: "Ext/Tool".to_owned(),
            url: "https://github.com/Ext/Tool".to_owned(),
            source: LinkSource::PapersWithCode,
        },
        official: Some(true),
        framework: None,
    };
    store.upsert_external_links(&[pwc]).await.unwrap();
    let replay = GithubReplay::start().await;
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    replay.set(
        "/repos/old/project",
        Answer::repo("old/project", 70, "\"o1\""),
    );
    replay.set("/repos/ext/tool", Answer::repo("Ext/Tool", 8, "\"x1\""));
    let mut job = refresher(&replay);

    let first = run(&mut job, &store, now).await;
    assert_eq!(
        (first.linked.new_links, first.checked, first.updated),
        (3, 3, 3)
    );
    let repos = repos_of(&store, "2611.00001").await;
    assert_eq!(
        stars(&repos),
        [("dogsheep/github-to-sqlite".to_owned(), Some(6))]
    );
    assert_eq!(
        (repos[0].observed_on, repos[0].status.as_str()),
        (Some(today), "ok")
    );
    assert_eq!(stars(&repos_of(&store, "2611.00003").await)[0].1, Some(8));

    let again = run(&mut job, &store, now).await;
    assert_eq!(
        (again.linked.new_links, again.checked),
        (0, 0),
        "nothing due"
    );

    // Young papers' repositories after 4 hours, conditionally; the old one waits.
    let later = run(&mut job, &store, now + hours(5)).await;
    assert_eq!((later.checked, later.unchanged), (2, 2), "{later:?}");
    let asked = replay.seen_at(REPO);
    assert_eq!(
        asked.last().unwrap().header("if-none-match").as_deref(),
        Some("\"e1\"")
    );
    assert!(replay.seen_at("/repos/old/project").len() == 1);

    // The next day's count is that day's snapshot.
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 9, "\"e2\""));
    let next_day = now + time::Duration::days(1);
    let report = run(&mut job, &store, next_day).await;
    assert_eq!((report.updated, report.unchanged), (1, 1));
    let repos = repos_of(&store, "2611.00001").await;
    assert_eq!(
        (repos[0].stars, repos[0].observed_on),
        (Some(9), Some(next_day.date()))
    );

    let week = run(&mut job, &store, now + time::Duration::days(7) + hours(1)).await;
    assert_eq!(week.checked, 3, "the old paper's repository after a week");
    assert_eq!(replay.seen_at("/repos/old/project").len(), 2);
}

#[tokio::test]
async fn a_rate_limit_stops_the_run_keeps_the_counts_and_holds_later_runs() {
    let (_dir, store) = store().await;
    let now = OffsetDateTime::now_utc();
    let lines: Vec<String> = ["a/one", "b/two", "c/three"]
        .iter()
        .enumerate()
        .map(|(n, repo)| {
            paper_line(
                &format!("2611.0000{n}"),
                now.date(),
                &format!("github.com/{repo}"),
            )
        })
        .collect();
    import(&store, &lines).await;
    let replay = GithubReplay::start().await;
    for (n, repo) in ["a/one", "b/two", "c/three"].iter().enumerate() {
        replay.set(
            &format!("/repos/{repo}"),
            Answer::repo(repo, n as u64 + 1, &format!("\"{n}\"")),
        );
    }
    let first = run(&mut refresher(&replay), &store, now).await;
    assert_eq!(first.updated, 3);

    let reset = (now + hours(6)).unix_timestamp();
    replay.queue("/repos/b/two", [Answer::primary_limit(reset)]);
    let mut job = refresher(&replay);
    let limited = run(&mut job, &store, now + hours(5)).await;
    assert_eq!(limited.checked, 1, "{limited:?}");
    assert_eq!(
        limited.rate_limited_until.map(|t| t.unix_timestamp()),
        Some(reset)
    );
    assert_eq!(
        replay.seen_at("/repos/c/three").len(),
        1,
        "the run stopped before c"
    );
    assert_eq!(
        stars(&repos_of(&store, "2611.00001").await)[0].1,
        Some(2),
        "b's count kept"
    );
    let due: Vec<String> = store
        .repos_due(now + hours(5), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.full_name)
        .collect();
    assert_eq!(due, ["b/two", "c/three"]);
    assert!(store.setting(PAUSED_UNTIL).await.unwrap().is_some());

    // A later run (another process) asks nothing before the reset, then goes on.
    let requests = replay.seen().len();
    let held = run(&mut refresher(&replay), &store, now + hours(5)).await;
    assert_eq!((held.checked, held.rate_limited_until.is_some()), (0, true));
    assert_eq!(replay.seen().len(), requests);
    let after = run(
        &mut refresher(&replay),
        &store,
        now + hours(6) + time::Duration::minutes(1),
    )
    .await;
    assert_eq!(
        (after.checked, after.unchanged, after.rate_limited_until),
        (2, 2, None)
    );
}

#[tokio::test]
async fn gone_repositories_are_dropped_and_moved_ones_followed() {
    let (_dir, store) = store().await;
    let now = OffsetDateTime::now_utc();
    import(
        &store,
        &[
            paper_line("2611.00001", now.date(), "github.com/someone/deleted"),
            paper_line(
                "2611.00002",
                now.date(),
                "github.com/simonw/github-to-sqlite",
            ),
        ],
    )
    .await;
    let replay = GithubReplay::start().await;
    replay.set("/repos/someone/deleted", Answer::not_found());
    let location = format!("{}/repositories/207052882", replay.url);
    replay.set("/repos/simonw/github-to-sqlite", Answer::moved(&location));
    replay.set(
        "/repositories/207052882",
        Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""),
    );
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let mut job = refresher(&replay);
    let first = run(&mut job, &store, now).await;
    assert_eq!((first.gone, first.moved), (1, 1), "{first:?}");
    assert_eq!(repos_of(&store, "2611.00001").await[0].status, "gone");
    let moved = repos_of(&store, "2611.00002").await;
    assert_eq!(moved[0].full_name, "dogsheep/github-to-sqlite");

    // The new name is read at the next run; the gone one is never asked again.
    let second = run(&mut job, &store, now + time::Duration::minutes(5)).await;
    assert_eq!((second.checked, second.updated), (1, 1), "{second:?}");
    assert_eq!(stars(&repos_of(&store, "2611.00002").await)[0].1, Some(6));
    run(&mut job, &store, now + time::Duration::days(30)).await;
    assert_eq!(replay.seen_at("/repos/someone/deleted").len(), 1);
}

#[tokio::test]
async fn failing_repositories_stay_due_keep_their_counts_and_are_held_back() {
    let (_dir, store) = store().await;
    let now = OffsetDateTime::now_utc();
    import(
        &store,
        &[
            paper_line("2611.00001", now.date(), "github.com/x/flaky"),
            paper_line("2611.00002", now.date(), "github.com/y/broken"),
        ],
    )
    .await;
    let replay = GithubReplay::start().await;
    replay.set("/repos/x/flaky", Answer::repo("x/flaky", 4, "\"f\""));
    replay.set("/repos/y/broken", Answer::repo("y/broken", 5, "\"b\""));
    run(&mut refresher(&replay), &store, now).await;

    replay.queue("/repos/x/flaky", vec![Answer::server_error(); 3]);
    replay.set("/repos/y/broken", Answer::malformed());
    let mut job = refresher(&replay);
    let later = now + hours(5);
    let failed = run(&mut job, &store, later).await;
    assert_eq!((failed.checked, failed.failed), (2, 2), "{failed:?}");
    assert!(
        failed
            .failures
            .iter()
            .any(|f| f.contains("not a repository"))
    );
    assert_eq!(
        stars(&repos_of(&store, "2611.00002").await)[0].1,
        Some(5),
        "count kept"
    );
    assert_eq!(
        store.repos_due(later, 10).await.unwrap().len(),
        2,
        "still due"
    );

    let requests = replay.seen().len();
    let held = run(&mut job, &store, later + time::Duration::minutes(10)).await;
    assert_eq!(held.due, 0, "held back for a while");
    assert_eq!(replay.seen().len(), requests);
    let retried = run(&mut job, &store, later + hours(1)).await;
    assert_eq!(
        (retried.checked, retried.unchanged, retried.failed),
        (2, 1, 1)
    );
}

// --- the command ---

fn paperstand(data_dir: &std::path::Path, replay: &GithubReplay, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PAPERSTAND_CONFIG")
        .env("PAPERSTAND_GITHUB_API_BASE_URL", &replay.url)
        .env("PAPERSTAND_GITHUB_TOKEN", TOKEN)
        .env("PAPERSTAND_GITHUB_REQUEST_INTERVAL_MS", "0")
        .env("PAPERSTAND_INGEST_RETRY_BASE_MS", "10")
        // Everything logged, to show the token is in none of it.
        .env("RUST_LOG", "trace")
        .output()
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// Multi-threaded: the child process is awaited by blocking calls while the server runs.
#[tokio::test(flavor = "multi_thread")]
async fn refresh_stars_as_a_command() {
    let replay = GithubReplay::start().await;
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    replay.set("/repos/someone/deleted", Answer::not_found());
    let dir = tempfile::tempdir().unwrap();
    let today = OffsetDateTime::now_utc().date();
    let file = dir.path().join("papers.jsonl");
    let lines = [
        paper_line(
            "2611.00001",
            today,
            "https://github.com/dogsheep/github-to-sqlite",
        ),
        paper_line("2611.00002", today, "https://github.com/someone/deleted"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let data = dir.path().join("data");
    assert!(
        paperstand(&data, &replay, &["import", file.to_str().unwrap()])
            .status
            .success()
    );

    let output = paperstand(&data, &replay, &["refresh", "stars"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Linked 2 new repositories"), "{stdout}");
    assert!(
        stdout.contains("Stars: checked 2, updated 1, unchanged (304) 0, moved 0, gone 1, failed 0, rate-limited no"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked"
    );
    assert_eq!(
        replay.seen_at(REPO)[0].header("authorization"),
        Some(format!("Bearer {TOKEN}"))
    );

    // A newly linked repository is checked at once; here GitHub's limit stops it.
    let more = dir.path().join("more.jsonl");
    std::fs::write(
        &more,
        paper_line("2611.00003", today, "github.com/fresh/repo"),
    )
    .unwrap();
    assert!(
        paperstand(&data, &replay, &["import", more.to_str().unwrap()])
            .status
            .success()
    );
    replay.queue("/repos/fresh/repo", [Answer::primary_limit(reset_in(3600))]);
    let output = paperstand(&data, &replay, &["refresh", "stars"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("checked 0") && stdout.contains("rate-limited until"),
        "{stdout}"
    );

    let printed = paperstand(&data, &replay, &["config", "print"]);
    let (stdout, _) = text(&printed);
    assert!(
        stdout.contains("token = \"<redacted>\"") && !stdout.contains(TOKEN),
        "{stdout}"
    );
    let help = paperstand(&data, &replay, &["refresh", "stars", "--help"]);
    assert!(text(&help).0.contains("Exit status"));
}

/// A `serve` process, killed when dropped.
struct Serving(std::process::Child, String);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Serving {
    /// Waits until the server answers `/readyz`.
    async fn ready(&self) {
        paperstand::ingest::fetch::install_tls_provider();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("{}/readyz", self.1)).await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("serve did not become ready");
    }
}

fn serve(data: &std::path::Path, replay: &GithubReplay, refresh: bool) -> Serving {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--no-demo", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("PAPERSTAND_CONFIG")
        .env("PAPERSTAND_GITHUB_API_BASE_URL", &replay.url)
        .env("PAPERSTAND_GITHUB_REFRESH", refresh.to_string())
        .env("PAPERSTAND_GITHUB_REQUEST_INTERVAL_MS", "0")
        .env("PAPERSTAND_SEMANTIC", "false")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    Serving(child, format!("http://127.0.0.1:{port}"))
}

/// Waits until the replay has seen `path`, or `limit` passes.
async fn wait_for(replay: &GithubReplay, path: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !replay.seen_at(path).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refreshes_stars_only_when_configured() {
    let replay = GithubReplay::start().await;
    replay.set(REPO, Answer::repo("dogsheep/github-to-sqlite", 6, "\"e1\""));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("papers.jsonl");
    let today = OffsetDateTime::now_utc().date();
    std::fs::write(
        &file,
        paper_line("2611.00001", today, "github.com/dogsheep/github-to-sqlite"),
    )
    .unwrap();
    let data = dir.path().join("data");
    assert!(
        paperstand(&data, &replay, &["import", file.to_str().unwrap()])
            .status
            .success()
    );

    let off = serve(&data, &replay, false);
    off.ready().await;
    assert!(
        !wait_for(&replay, REPO, Duration::from_secs(2)).await,
        "serve fetches nothing from GitHub unless github.refresh is on"
    );
    drop(off);
    let _on = serve(&data, &replay, true);
    assert!(
        wait_for(&replay, REPO, Duration::from_secs(30)).await,
        "the first run starts with serve"
    );
}
