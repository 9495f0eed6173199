//! The community over real HTTP with cookies: sign up → confirm → sign in → submit →
//! upvote → comment → sign out; what each step refuses; throttling; submissions when
//! arXiv is down or the id is wrong.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::TestApp;
use common::member::{PASSWORD, Visitor};
use paperstand::web::auth::AuthLimits;
use paperstand_core::ArxivId;
use paperstand_store::{Community, Role, Store};
use time::OffsetDateTime;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../core/tests/fixtures/", $name))
    };
}

const TWO: &str = fixture!("arxiv_atom_2026_id_list_two.xml");
const EMPTY: &str = fixture!("arxiv_atom_2026_empty_result.xml");

/// How the replayed arXiv API behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arxiv {
    Up,
    Down,
}

type Mode = Arc<Mutex<Arxiv>>;

async fn answer(State(mode): State<Mode>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    if *mode.lock().unwrap() == Arxiv::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response();
    }
    let body = if query.contains("1707.08567") {
        TWO
    } else {
        EMPTY
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml")],
        body,
    )
        .into_response()
}

/// A replay of the arXiv API; returns its URL and the switch.
async fn arxiv() -> (String, Mode) {
    let mode: Mode = Arc::new(Mutex::new(Arxiv::Up));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/query", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/api/query", get(answer))
        .with_state(mode.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, mode)
}

async fn app_with_window(days: u32) -> (TestApp, Mode) {
    let (url, mode) = arxiv().await;
    (
        TestApp::community(&url, days, AuthLimits::default()).await,
        mode,
    )
}

fn id(text: &str) -> ArxivId {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_member_signs_up_confirms_signs_in_submits_upvotes_comments_and_signs_out() {
    let (app, _) = app_with_window(100_000).await;
    let mut ada = Visitor::new(&app);

    // Sign up: the form sets a form cookie and carries its token.
    let page = ada.get("/signup").await;
    assert_eq!(page.status, 200);
    let cookie = page.set_cookie("ps_form").expect("form cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let done = ada
        .post(
            "/signup",
            &[
                ("email", "Ada@Example.org"),
                ("display_name", "Ada"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Check your inbox"));
    let link = app.wait_for_link("ada@example.org", "/verify/").await;

    // Not confirmed yet: signing in says so (and sends the link again).
    ada.get("/signin").await;
    let early = ada
        .post(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(early.status, 403);
    assert!(early.body.contains("Confirm your address first"));
    assert!(!ada.cookies.contains_key("ps_session"));

    // The link shows a button; only the POST confirms, once.
    let confirm = ada.get(&link).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Confirm my address"));
    let user = app
        .store
        .credentials("ada@example.org")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert!(
        user.email_verified_at.is_none(),
        "a GET confirmed the address"
    );
    let confirmed = ada.post(&link, &[]).await;
    assert_eq!(confirmed.status, 303);
    assert_eq!(confirmed.location(), "/signin?verified=1");
    assert_eq!(ada.post(&link, &[]).await.status, 404, "links work once");

    // Sign in: a new session cookie, HttpOnly and SameSite=Lax.
    ada.get("/signin").await;
    let signed = ada
        .post(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "/submit"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.location(), "/submit");
    let session = signed.set_cookie("ps_session").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("Secure"), "plain http in tests");

    // Submit by URL: the metadata comes from (the replayed) arXiv.
    let form = ada.get("/submit").await;
    assert_eq!(form.status, 200);
    let submitted = ada
        .post(
            "/submit",
            &[("paper", "https://arxiv.org/abs/1707.08567v1")],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    assert_eq!(submitted.location(), "/papers/1707.08567?submitted=1");
    let paper = app.store.paper(&id("1707.08567")).await.unwrap().unwrap();
    assert_eq!(
        paper.listed_on,
        OffsetDateTime::now_utc().date(),
        "listed on the day it was submitted"
    );
    let page = ada.get("/papers/1707.08567?submitted=1").await;
    assert!(page.body.contains("Submitted by Ada"), "{}", page.body);
    let day = ada.get("/").await;
    assert!(day.body.contains("/papers/1707.08567"), "on today's page");

    // Submitting it again adds nothing and names the first submitter.
    let mut bob = Visitor::member(&app, "bob@example.org", "Bob").await;
    bob.get("/submit").await;
    let again = bob.post("/submit", &[("paper", "1707.08567")]).await;
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("already submitted by Ada"),
        "{}",
        again.body
    );

    // Upvote with the form: a redirect back; a double click is one vote.
    ada.get("/papers/1707.08567").await;
    for _ in 0..2 {
        let voted = ada.post("/vote/1707.08567", &[("up", "1")]).await;
        assert_eq!(voted.status, 303, "{}", voted.body);
    }
    let community = app.store.paper_community(&id("1707.08567")).await.unwrap();
    assert_eq!(community.upvotes, 1);
    // The script's request gets JSON.
    let token = bob.csrf.clone().unwrap();
    let json = bob
        .post_raw(
            "/vote/1707.08567",
            &[("up".into(), "1".into()), ("csrf".into(), token)],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(json.status, 200);
    assert_eq!(json.body, r#"{"upvotes":2,"voted":true}"#);
    let page = ada.get("/papers/1707.08567").await;
    assert!(
        page.body.contains(r#"aria-pressed="true""#),
        "Ada sees her vote"
    );
    assert!(page.body.contains(r#"<span class="count">2</span>"#));

    // Comment: Markdown rendered, math as on the rest of the site.
    let posted = ada
        .post(
            "/comment/1707.08567",
            &[(
                "body",
                "A *neat* result; see `eq. 3` and $x^2$.\n\n- one\n- two",
            )],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert!(posted.location().starts_with("/papers/1707.08567#comment-"));
    let page = ada.get("/papers/1707.08567").await;
    assert!(page.body.contains("<em>neat</em>"), "{}", page.body);
    assert!(page.body.contains("<code>eq. 3</code>"));
    assert!(page.body.contains("<math"));
    assert!(page.body.contains("1 comment"));

    // Empty and 1 MB comments are refused with a message, nothing stored.
    let empty = ada.post("/comment/1707.08567", &[("body", "  \n ")]).await;
    assert_eq!(empty.status, 400);
    let huge = "x".repeat(1024 * 1024);
    let big = ada.post("/comment/1707.08567", &[("body", &huge)]).await;
    assert_eq!(big.status, 400);
    assert!(big.body.contains("10,000"), "{}", big.body);
    assert_eq!(
        app.store.comments(&id("1707.08567")).await.unwrap().len(),
        1
    );

    // Sign out: the session ends on the server, not just in the browser.
    let old = ada.cookies.clone();
    let out = ada.post("/signout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(!ada.cookies.contains_key("ps_session"));
    let account = ada.get("/account").await;
    assert_eq!(account.status, 303);
    assert!(account.location().starts_with("/signin"));
    ada.cookies = old;
    let replayed = ada.get("/account").await;
    assert_eq!(replayed.status, 303, "the old cookie no longer works");
}

#[tokio::test]
async fn sign_in_answers_the_same_for_unknown_accounts_and_wrong_passwords() {
    let (app, _) = app_with_window(14).await;
    Visitor::member(&app, "ada@example.org", "Ada").await;
    let mut eve = Visitor::new(&app);
    let mut times = Vec::new();
    let mut bodies = Vec::new();
    for email in ["ada@example.org", "nobody@example.org"] {
        let mut took = Vec::new();
        for _ in 0..3 {
            eve.get("/signin").await;
            let started = Instant::now();
            let answer = eve
                .post(
                    "/signin",
                    &[("email", email), ("password", "wrong password!")],
                )
                .await;
            took.push(started.elapsed());
            assert_eq!(answer.status, 401);
            let error = answer
                .body
                .split("role=\"alert\">")
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .unwrap()
                .to_owned();
            bodies.push(error);
        }
        took.sort();
        times.push(took[1]);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    // Both paths run the password hash: an unknown address is not answered faster.
    let (known, unknown) = (times[0].as_secs_f64(), times[1].as_secs_f64());
    assert!(
        unknown > known / 3.0 && known > unknown / 3.0,
        "known {known:.3}s vs unknown {unknown:.3}s"
    );
}

#[tokio::test]
async fn sign_in_is_throttled_per_address_and_per_account_and_unlocks() {
    let (url, _) = arxiv().await;
    // Short windows, so the test can watch them unlock.
    let limits = AuthLimits {
        signin_per_ip_minute: 4,
        signin_failures_per_account_hour: 3,
        signin_ip_window: time::Duration::seconds(2),
        signin_failure_window: time::Duration::seconds(4),
        ..AuthLimits::default()
    };
    let app = TestApp::community(&url, 14, limits).await;
    Visitor::member(&app, "ada@example.org", "Ada").await;
    tokio::time::sleep(Duration::from_millis(2100)).await; // the member's own try ages out
    let mut eve = Visitor::new(&app);
    eve.get("/signin").await;
    for _ in 0..3 {
        let wrong = eve
            .post(
                "/signin",
                &[
                    ("email", "ada@example.org"),
                    ("password", "not the password"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 401);
    }
    let _ = eve
        .post(
            "/signin",
            &[
                ("email", "bob@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    // A fifth try from one address within the window is refused before any check.
    let limited = eve
        .post(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.headers["retry-after"], "2");
    assert!(limited.body.contains("Too many sign-in attempts"));

    // The address unlocks; the account is still locked after 3 failures, even with the
    // right password.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let locked = eve
        .post(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.body.contains("failed sign-ins for this account"));

    // Once the failures age out, the right password works again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let mut ada = Visitor::new(&app);
    ada.sign_in("ada@example.org", PASSWORD).await;
}

#[tokio::test]
async fn submissions_explain_bad_ids_old_papers_and_arxiv_outages_and_save_nothing() {
    let (app, mode) = app_with_window(14).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/submit").await;

    let malformed = ada.post("/submit", &[("paper", "not-an-id")]).await;
    assert_eq!(malformed.status, 422);
    assert!(
        malformed.body.contains("Paste an arXiv id"),
        "{}",
        malformed.body
    );

    let unknown = ada.post("/submit", &[("paper", "2501.99999")]).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("arXiv has no paper 2501.99999"));

    // 1707.08567 is from 2017: older than the members' 14-day window.
    let old = ada.post("/submit", &[("paper", "1707.08567")]).await;
    assert_eq!(old.status, 422);
    assert!(old.body.contains("days ago"), "{}", old.body);
    assert!(old.body.contains("A curator can still add it"));

    *mode.lock().unwrap() = Arxiv::Down;
    let down = ada.post("/submit", &[("paper", "1707.08567")]).await;
    assert_eq!(down.status, 422);
    assert!(down.body.contains("arXiv did not answer"), "{}", down.body);
    assert!(down.body.contains("Nothing was saved"));
    assert!(app.store.paper(&id("1707.08567")).await.unwrap().is_none());
    assert!(
        app.store
            .submission(&id("1707.08567"))
            .await
            .unwrap()
            .is_none()
    );

    // A curator may submit an older paper on purpose.
    *mode.lock().unwrap() = Arxiv::Up;
    app.make("ada@example.org", Role::Curator).await;
    let form = ada.get("/submit").await;
    assert!(form.body.contains("Submit anyway"));
    let curated = ada
        .post("/submit", &[("paper", "1707.08567"), ("override", "1")])
        .await;
    assert_eq!(curated.status, 303, "{}", curated.body);
    assert!(
        app.store
            .submission(&id("1707.08567"))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn comments_are_edited_and_deleted_by_their_authors_reported_and_removed_by_curators() {
    let (app, _) = app_with_window(100_000).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/submit").await;
    ada.post("/submit", &[("paper", "1707.08567")]).await;
    ada.get("/papers/1707.08567").await;
    let posted = ada
        .post("/comment/1707.08567", &[("body", "first draft")])
        .await;
    let number: i64 = posted
        .location()
        .rsplit('-')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Bob cannot edit or delete Ada's comment; he can report it.
    let mut bob = Visitor::member(&app, "bob@example.org", "Bob").await;
    bob.get("/papers/1707.08567").await;
    let edit = bob
        .post(&format!("/comments/{number}/edit"), &[("body", "hijacked")])
        .await;
    assert_eq!(edit.status, 403);
    let delete = bob.post(&format!("/comments/{number}/delete"), &[]).await;
    assert_eq!(delete.status, 403);
    let report = bob
        .post(&format!("/comments/{number}/report"), &[("reason", "spam")])
        .await;
    assert_eq!(report.status, 303);

    // Ada edits it.
    ada.get("/papers/1707.08567").await;
    let edited = ada
        .post(
            &format!("/comments/{number}/edit"),
            &[("body", "final **text**")],
        )
        .await;
    assert_eq!(edited.status, 303);
    let page = ada.get("/papers/1707.08567").await;
    assert!(page.body.contains("<strong>text</strong>"));
    assert!(page.body.contains("edited"));

    // A curator sees the report on /admin and removes the comment.
    let mut carol = Visitor::member(&app, "carol@example.org", "Carol").await;
    assert_eq!(
        carol.get("/admin").await.status,
        403,
        "members cannot moderate"
    );
    app.make("carol@example.org", Role::Curator).await;
    let admin = carol.get("/admin").await;
    assert_eq!(admin.status, 200);
    assert!(admin.body.contains("spam"), "{}", admin.body);
    let removed = carol.post(&format!("/comments/{number}/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    let page = ada.get("/papers/1707.08567").await;
    assert!(page.body.contains("This comment was removed."));
    assert!(!page.body.contains("final"));
    assert!(
        app.store
            .reported_comments(paperstand_store::Page::numbered(1, 10))
            .await
            .unwrap()
            .is_empty(),
        "removing resolves the reports"
    );
}

#[tokio::test]
async fn curators_hide_papers_from_every_list_and_suspend_members() {
    let (app, _) = app_with_window(100_000).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/submit").await;
    ada.post("/submit", &[("paper", "1707.08567")]).await;
    let mut carol = Visitor::member(&app, "carol@example.org", "Carol").await;
    app.make("carol@example.org", Role::Curator).await;
    carol.get("/papers/1707.08567").await;
    let hidden = carol
        .post("/curate/1707.08567", &[("action", "hide")])
        .await;
    assert_eq!(hidden.status, 303);
    let mut visitor = Visitor::new(&app);
    // The page cache rechecks the store at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(visitor.get("/papers/1707.08567").await.status, 404);
    let day = visitor.get("/").await;
    assert!(!day.body.contains("/papers/1707.08567"));
    let curator_view = carol.get("/papers/1707.08567").await;
    assert_eq!(curator_view.status, 200);
    assert!(curator_view.body.contains("Hidden by the curators"));
    let admin = carol.get("/admin").await;
    assert!(admin.body.contains("/papers/1707.08567"));

    // Suspending ends Ada's session at once.
    let ada_id = app.user_id("ada@example.org").await;
    let suspended = carol
        .post(&format!("/admin/users/{ada_id}"), &[("action", "suspend")])
        .await;
    assert_eq!(suspended.status, 303);
    assert_eq!(ada.get("/account").await.status, 303);
    let mut again = Visitor::new(&app);
    again.get("/signin").await;
    let refused = again
        .post(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("suspended"));
    // A curator cannot change roles; that is for admins.
    let role = carol
        .post(
            &format!("/admin/users/{ada_id}"),
            &[("action", "role"), ("role", "admin")],
        )
        .await;
    assert_eq!(role.status, 403);
}

#[tokio::test]
async fn password_reset_works_once_and_ends_other_sessions() {
    let (app, _) = app_with_window(14).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    let mut stranger = Visitor::new(&app);
    stranger.get("/reset").await;
    let same_for_unknown = stranger
        .post("/reset", &[("email", "nobody@example.org")])
        .await;
    let asked = stranger
        .post("/reset", &[("email", "ada@example.org")])
        .await;
    assert_eq!(same_for_unknown.status, 200);
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("If an account uses that address"));
    let link = app.wait_for_link("ada@example.org", "/reset/").await;
    let form = stranger.get(&link).await;
    assert!(form.body.contains("New password"));
    let weak = stranger.post(&link, &[("password", "password")]).await;
    assert_eq!(weak.status, 422, "a refused password keeps the link usable");
    let set = stranger
        .post(&link, &[("password", "a much better passphrase")])
        .await;
    assert_eq!(set.status, 303);
    assert_eq!(set.location(), "/signin?reset=1");
    assert_eq!(
        stranger
            .post(&link, &[("password", "another passphrase!")])
            .await
            .status,
        404
    );
    assert_eq!(ada.get("/account").await.status, 303, "old sessions ended");
    let mut again = Visitor::new(&app);
    again
        .sign_in("ada@example.org", "a much better passphrase")
        .await;
}

#[tokio::test]
async fn the_user_command_creates_the_first_admin_with_a_setup_link() {
    let (app, _) = app_with_window(14).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["user", "create", "--email", "Root@Example.org", "--admin"])
        .env("PAPERSTAND_DATA_DIR", app.data_dir())
        .env("PAPERSTAND_PUBLIC_URL", &app.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Created root (admin)"), "{stdout}");
    let link = stdout
        .split_whitespace()
        .find(|w| w.contains("/reset/"))
        .unwrap()
        .trim_start_matches(&app.url)
        .to_owned();
    let mut root = Visitor::new(&app);
    root.get(&link).await;
    let set = root
        .post(&link, &[("password", "the admin's own passphrase")])
        .await;
    assert_eq!(set.status, 303);
    root.sign_in("root@example.org", "the admin's own passphrase")
        .await;
    assert_eq!(root.get("/admin").await.status, 200);

    let list = std::process::Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["user", "list"])
        .env("PAPERSTAND_DATA_DIR", app.data_dir())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("root@example.org") && listed.contains("admin"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["user", "set-role", "root@example.org", "emperor"])
        .env("PAPERSTAND_DATA_DIR", app.data_dir())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("member, curator or admin"));
    let dup = std::process::Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["user", "create", "--email", "root@example.org"])
        .env("PAPERSTAND_DATA_DIR", app.data_dir())
        .output()
        .unwrap();
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("exists already"));
}
