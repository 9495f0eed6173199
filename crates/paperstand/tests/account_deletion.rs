//! Deleting one's account over real HTTP with cookies: a member with a library, a
//! public tag, a topic, a digest subscription, votes, a comment and a submission deletes
//! it from /account. A wrong password or a missing confirmation changes nothing; the
//! right one ends every session, leaves no row naming them, shows their comment as
//! "[deleted]" and takes their vote off the count; the address can sign up afresh.
//! Wrong passwords count against the sign-in limit.

mod common;

use common::member::{PASSWORD, Visitor};
use common::{FIXTURE, TestApp};
use paperstand::web::account_deletion::personal_event_keys;
use paperstand::web::auth::AuthLimits;
use paperstand_store::{Community, Digests, Identity, Library, Store};

const LLM_SAFETY: &str = "2606.00975";
const GUARDRAILS: &str = "2606.02041";
const VIDEO_SAFETY: &str = "2606.02443";
/// In Ada's name and everything she writes, so any row left behind is found.
const MARKER: &str = "Zq7mark";

async fn app(limits: AuthLimits) -> TestApp {
    let app = TestApp::for_digests(limits).await;
    let report = app.import(FIXTURE).await;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    app
}

fn roomy() -> AuthLimits {
    AuthLimits {
        signin_per_ip_minute: 1_000,
        ..AuthLimits::default()
    }
}

/// Ada's public tag's id, from her library page.
async fn public_tag(ada: &mut Visitor) -> String {
    let page = ada.get("/library").await;
    let marker = format!("\">tag {MARKER}</a> (");
    let end = page.body.find(&marker).expect("the tag is listed");
    let start = page.body[..end].rfind("/library?tag=").unwrap() + "/library?tag=".len();
    page.body[start..end].to_owned()
}

/// Everything personal Ada can make over HTTP, plus a submission.
async fn fill_in(app: &TestApp, ada: &mut Visitor) -> String {
    ada.get("/library").await;
    let saved = ada
        .post(&format!("/save/{LLM_SAFETY}"), &[("saved", "1")])
        .await;
    assert_eq!(saved.status, 303);
    let tag_name = format!("tag {MARKER}");
    for fields in [
        vec![("action", "tag"), ("tag", tag_name.as_str())],
        vec![("action", "note"), ("note", "a note by Zq7mark")],
    ] {
        let done = ada
            .post(&format!("/library/paper/{LLM_SAFETY}"), &fields)
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    let marked = ada
        .post(
            &format!("/library/paper/{VIDEO_SAFETY}"),
            &[("action", "not_interested")],
        )
        .await;
    assert_eq!(marked.status, 303);
    let tag = public_tag(ada).await;
    let public = ada
        .post(&format!("/library/tags/{tag}"), &[("action", "public")])
        .await;
    assert_eq!(public.status, 303);
    let topic = ada
        .post(
            "/topics",
            &[
                ("name", "topic Zq7mark"),
                ("q", "safety"),
                ("mode", "keyword"),
                ("cat", ""),
            ],
        )
        .await;
    assert_eq!(topic.status, 303, "{}", topic.body);
    ada.get("/subscribe").await;
    let subscribed = ada.post("/subscribe", &[("frequency", "daily")]).await;
    assert_eq!(subscribed.status, 303, "{}", subscribed.body);
    ada.get(&format!("/papers/{LLM_SAFETY}")).await;
    let voted = ada
        .post(&format!("/vote/{LLM_SAFETY}"), &[("up", "1")])
        .await;
    assert_eq!(voted.status, 303);
    let commented = ada
        .post(
            &format!("/comment/{LLM_SAFETY}"),
            &[("body", "Zq7mark thinks this is *neat*")],
        )
        .await;
    assert_eq!(commented.status, 303, "{}", commented.body);
    let id = app.user_id("ada@example.org").await;
    let paper = app
        .store
        .paper(&GUARDRAILS.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store
        .submit_paper(&paper, id, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    tag
}

#[tokio::test]
async fn deleting_an_account_removes_everything_personal() {
    let app = app(roomy()).await;
    let mut ada = Visitor::member(&app, "ada@example.org", &format!("Ada {MARKER}")).await;
    let mut bob = Visitor::member(&app, "bob@example.org", "Bob").await;
    let tag = fill_in(&app, &mut ada).await;
    bob.get(&format!("/papers/{LLM_SAFETY}")).await;
    bob.post(&format!("/vote/{LLM_SAFETY}"), &[("up", "1")])
        .await;
    bob.post(&format!("/comment/{LLM_SAFETY}"), &[("body", "Bob agrees")])
        .await;
    let mut phone = Visitor::new(&app);
    phone.sign_in("ada@example.org", PASSWORD).await;
    let ada_id = app.user_id("ada@example.org").await;
    let mut visitor = Visitor::new(&app);
    assert_eq!(visitor.get(&format!("/tags/{tag}")).await.status, 200);
    let paper = visitor.get(&format!("/papers/{LLM_SAFETY}")).await.body;
    assert!(paper.contains(r#"<span class="count">2</span>"#) && paper.contains(MARKER));

    // The account page offers it; a GET of the form's target deletes nothing.
    let account = ada.get("/account").await;
    assert!(
        account.body.contains("action=\"/account/delete\""),
        "{}",
        account.body
    );
    assert_eq!(ada.get("/account/delete").await.status, 405);
    // A wrong password, or no confirmation, changes nothing.
    let wrong = ada
        .post(
            "/account/delete",
            &[("password", "not my password"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong
            .body
            .contains("That is not your password. Nothing was deleted.")
    );
    let unconfirmed = ada.post("/account/delete", &[("password", PASSWORD)]).await;
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.body.contains("Tick the box"));
    assert!(app.store.user(ada_id).await.unwrap().is_some());
    assert_eq!(ada.get("/library").await.status, 200);
    assert_eq!(visitor.get(&format!("/tags/{tag}")).await.status, 200);
    // Without the token the CSRF guard refuses.
    let forged = ada
        .post_raw(
            "/account/delete",
            &[
                ("password".into(), PASSWORD.into()),
                ("confirm".into(), "yes".into()),
            ],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(app.store.user(ada_id).await.unwrap().is_some());

    let before = ada.clone();
    let deleted = ada
        .post(
            "/account/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert!(deleted.body.contains("Your account is deleted"));
    assert!(deleted.body.contains("What stays"));
    let cleared = deleted
        .set_cookie("ps_session")
        .expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(deleted.headers["cache-control"], "no-store");

    // Every session is dead: this browser's old cookie and the other device's.
    for mut stale in [before, phone] {
        let library = stale.get("/library").await;
        assert_eq!(library.status, 303, "signed out");
        assert!(library.location().starts_with("/signin"));
    }
    assert_eq!(visitor.get(&format!("/tags/{tag}")).await.status, 404);
    let paper = visitor.get(&format!("/papers/{LLM_SAFETY}")).await.body;
    assert!(paper.contains("[deleted]"), "{paper}");
    assert!(!paper.contains(MARKER), "no name, no text: {paper}");
    assert!(paper.contains("Bob agrees"));
    assert!(
        paper.contains(r#"<span class="count">1</span>"#),
        "Bob's vote only"
    );
    let submitted = visitor.get(&format!("/papers/{GUARDRAILS}")).await.body;
    assert!(
        submitted.contains("Submitted by a former member"),
        "{submitted}"
    );
    // No row anywhere names her.
    let gone = paperstand_store::User {
        id: ada_id,
        email: "ada@example.org".to_owned(),
        display_name: format!("Ada {MARKER}"),
        role: paperstand_store::Role::Member,
        email_verified_at: None,
        suspended_at: None,
        created_at: time::OffsetDateTime::now_utc(),
    };
    let who = Identity {
        id: ada_id,
        texts: vec![gone.email.clone(), MARKER.to_owned()],
        keys: personal_event_keys(&gone),
    };
    let traces = app.store.traces(&who).await.unwrap();
    assert!(traces.is_empty(), "rows still name Ada: {traces:?}");
    assert!(
        app.store
            .subscriber_by_email("ada@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // She cannot sign in; the address signs up afresh as a new, empty member.
    let mut again = Visitor::new(&app);
    again.get("/signin").await;
    let refused = again
        .post(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 401);
    let mut fresh = Visitor::member(&app, "ada@example.org", "Ada anew").await;
    let new_id = app.user_id("ada@example.org").await;
    assert_ne!(new_id, ada_id);
    let library = fresh.get("/library").await;
    assert!(
        library.body.contains("0 of 0 saved papers"),
        "{}",
        library.body
    );
    assert!(app.store.topics(new_id).await.unwrap().is_empty());

    // Bob is untouched.
    let bobs = bob.get(&format!("/papers/{LLM_SAFETY}")).await;
    assert!(
        bobs.body.contains(r#"aria-pressed="true""#),
        "Bob's vote stands"
    );
}

#[tokio::test]
async fn wrong_passwords_count_against_the_sign_in_limit() {
    let limits = AuthLimits {
        signin_failures_per_account_hour: 2,
        ..roomy()
    };
    let app = app(limits).await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    for _ in 0..2 {
        let wrong = ada
            .post(
                "/account/delete",
                &[("password", "guess"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(wrong.status, 401);
    }
    let limited = ada
        .post(
            "/account/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    let id = app.user_id("ada@example.org").await;
    assert!(
        app.store.user(id).await.unwrap().is_some(),
        "nothing deleted"
    );
    assert_eq!(ada.get("/account").await.status, 200, "still signed in");
}

fn user_delete(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["user", "delete"])
        .args(args)
        .env("PAPERSTAND_DATA_DIR", app.data_dir())
        .env_remove("PAPERSTAND_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run paperstand")
}

#[tokio::test]
async fn operators_delete_a_member_from_the_command_line() {
    let app = app(roomy()).await;
    let mut ada = Visitor::member(&app, "ada@example.org", &format!("Ada {MARKER}")).await;
    fill_in(&app, &mut ada).await;
    let id = app.user_id("ada@example.org").await;

    let unsure = user_delete(&app, &["--email", "Ada@Example.org"]);
    assert!(!unsure.status.success());
    assert!(String::from_utf8_lossy(&unsure.stderr).contains("add --yes"));
    assert!(
        app.store.user(id).await.unwrap().is_some(),
        "nothing without --yes"
    );
    let unknown = user_delete(&app, &["--email", "nobody@example.org", "--yes"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no member has that address"));

    let done = user_delete(&app, &["--email", "Ada@Example.org", "--yes"]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        stdout.contains("1 votes") && stdout.contains("1 comments kept as [deleted]"),
        "{stdout}"
    );
    assert!(stdout.contains("No table names them any more."), "{stdout}");
    assert!(
        !stdout.contains("ada@example.org"),
        "the address is not printed"
    );
    assert!(app.store.user(id).await.unwrap().is_none());
    assert_eq!(ada.get("/library").await.status, 303, "her session ended");
}
