//! Digests end to end, over real HTTP and a real SMTP server (aiosmtpd, a separate
//! process on a TCP port): double opt-in, preferences at the signed link, one digest per
//! period with both parts and the RFC 8058 headers, links that resolve on the running
//! server, one-click unsubscribe without cookies or token, and refusals of bad input.

mod common;

use std::time::Duration;

use common::TestApp;
use common::digest::{header_value, parts, smtp_service, urls};
use common::member::Visitor;
use common::smtp::SmtpServer;
use paperstand::web::auth::AuthLimits;
use paperstand_core::Paper;
use paperstand_store::{Digests, SubscriberStatus};
use time::Date;
use time::macros::date;

/// A Friday: a listing day.
const DAY: Date = date!(2026 - 11 - 27);

fn paper(id: &str, title: &str, day: Date, category: &str) -> Paper {
    let mut paper = paperstand_store::contract::sample_paper(id, title, day);
    paper.categories = vec![category.to_owned()];
    paper
}

async fn papers(app: &TestApp) {
    app.insert(&[
        paper(
            "2611.10001",
            "Sparse attention for long documents",
            DAY,
            "cs.CL",
        ),
        paper("2611.10002", "Graph colouring bounds", DAY, "math.CO"),
        paper("2611.10003", "Retrieval with small models", DAY, "cs.CL"),
        paper("2611.10004", "Old news", date!(2026 - 11 - 20), "cs.CL"),
    ])
    .await;
}

/// The confirmation link in the last message mailed to `to`.
async fn confirmation_link(app: &TestApp, to: &str) -> String {
    for _ in 0..100 {
        if let Some(message) = app.mailer.sent().into_iter().rev().find(|m| m.to == to) {
            let link = urls(&message.text)
                .into_iter()
                .find(|u| u.contains("/subscribe/confirm/"))
                .expect("a confirmation link");
            return link;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no confirmation message to {to}");
}

fn path_of(url: &str, app: &TestApp) -> String {
    url.strip_prefix(&app.url)
        .expect("a link to this server")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_confirms_gets_one_digest_and_unsubscribes_in_one_click() {
    let app = TestApp::for_digests(AuthLimits::default()).await;
    papers(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(dir.path()) else {
        return;
    };
    let service = smtp_service(&app, TestApp::digest_config(), &smtp.url(), 10);

    // Subscribe with an address only.
    let mut visitor = Visitor::new(&app);
    let page = visitor.get("/subscribe").await;
    assert_eq!(page.status, 200);
    let answer = visitor
        .post(
            "/subscribe",
            &[("email", " Ada@Example.org "), ("frequency", "daily")],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("Check your inbox"));
    let link = confirmation_link(&app, "ada@example.org").await;
    let pending = app
        .store
        .subscriber_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.status, SubscriberStatus::Pending);

    // Unconfirmed: a run sends nothing.
    let report = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!((report.build.considered, report.send.claimed), (0, 0));
    assert!(smtp.received().is_empty());

    // Opening the link changes nothing; its button confirms, once.
    let confirm_path = path_of(&link, &app);
    let page = visitor.get(&confirm_path).await;
    assert_eq!(page.status, 200);
    let still = app.store.subscriber(pending.id).await.unwrap().unwrap();
    assert_eq!(still.status, SubscriberStatus::Pending);
    let done = visitor.post(&confirm_path, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let manage = done.location().split('?').next().unwrap().to_owned();
    assert!(manage.starts_with("/subscription/"));
    let again = visitor.post(&confirm_path, &[]).await;
    assert_eq!(again.status, 404, "a confirmation link works once");

    // Preferences at the signed link: trending 1, then sections for cs.CL and math.
    let page = visitor.get(&manage).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("subscribed"));
    let saved = visitor
        .post(
            &manage,
            &[
                ("frequency", "daily"),
                ("hour", "7"),
                ("time_zone", "Europe/Berlin"),
                ("trending", "1"),
                ("categories", "cs.CL, math"),
                ("per_category", "5"),
                ("empty", "note"),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Saved"));
    let bad = visitor
        .post(
            &manage,
            &[
                ("frequency", "daily"),
                ("hour", "7"),
                ("time_zone", "Mars/Olympus"),
                ("trending", "1"),
                ("empty", "note"),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not a time zone we know"));

    // The period's digest, once.
    let report = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!(report.build.with_papers, 1);
    assert_eq!(report.send.sent, 1);
    assert!(report.build.balances() && report.send.balances());
    let repeat = service.run_once(Some(DAY)).await.unwrap();
    assert_eq!((repeat.build.already_built, repeat.send.claimed), (1, 0));
    let received = smtp.received();
    assert_eq!(received.len(), 1, "one digest, once");
    let message = &received[0];
    assert_eq!(message.rcpt_tos, vec!["ada@example.org".to_owned()]);
    let head = message.head();
    let subscriber = app.store.subscriber(pending.id).await.unwrap().unwrap();
    let host = url::Url::parse(&app.url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        header_value(head, "Message-ID").unwrap(),
        format!("<digest.day-2026-11-27.{}@{host}>", subscriber.id)
    );
    assert!(header_value(head, "Date").is_some());
    assert_eq!(
        header_value(head, "List-Id").unwrap(),
        format!("Paperstand digest <digest.{host}>")
    );
    let unsubscribe = header_value(head, "List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with(&format!("<{}/u/", app.url)),
        "{unsubscribe}"
    );
    assert_eq!(
        header_value(head, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let subject = header_value(head, "Subject").unwrap();
    assert!(subject.contains("3 papers"), "{subject}");
    assert!(
        header_value(head, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    let parts = parts(&message.data);
    let kinds: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, vec!["text/plain", "text/html"]);
    let (text, html) = (&parts[0].1, &parts[1].1);
    for title in [
        "Sparse attention",
        "Graph colouring",
        "Retrieval with small models",
    ] {
        assert!(
            text.contains(title) && html.contains(title),
            "{title} in both parts"
        );
    }
    assert!(!text.contains("Old news"), "a paper of another day");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "no scripts, no remote images"
    );
    assert!(text.contains("New in cs.CL"));
    // Every link to this server resolves; code links are there too.
    let links = urls(text);
    assert!(
        links
            .iter()
            .any(|u| u.starts_with("https://github.com/example/")),
        "{links:?}"
    );
    let ours: Vec<&String> = links.iter().filter(|u| u.starts_with(&app.url)).collect();
    assert!(ours.len() >= 5, "{ours:?}");
    for url in &ours {
        let (status, _, _) = app.get(&path_of(url, &app)).await;
        assert_eq!(status, 200, "{url}");
    }
    let after_gets = app.store.subscriber(pending.id).await.unwrap().unwrap();
    assert_eq!(
        after_gets.status,
        SubscriberStatus::Active,
        "GETs changed nothing"
    );

    // RFC 8058: a POST with the one field, no cookie, no token.
    let target = unsubscribe.trim_matches(['<', '>']);
    let response = reqwest::Client::new()
        .post(target)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let gone = app.store.subscriber(pending.id).await.unwrap().unwrap();
    assert_eq!(gone.status, SubscriberStatus::Unsubscribed);
    let monday = service.run_once(Some(date!(2026 - 11 - 30))).await.unwrap();
    assert_eq!(monday.build.considered, 0);
    assert_eq!(smtp.received().len(), 1, "nothing after unsubscribing");

    // Coming back needs a new confirmation.
    let mut visitor = Visitor::new(&app);
    visitor.get("/subscribe").await;
    visitor
        .post("/subscribe", &[("email", "ada@example.org")])
        .await;
    let back = app.store.subscriber(pending.id).await.unwrap().unwrap();
    assert_eq!(back.status, SubscriberStatus::Pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing() {
    let limits = AuthLimits {
        signups_per_ip_hour: 5,
        ..AuthLimits::default()
    };
    let app = TestApp::for_digests(limits).await;
    let mut visitor = Visitor::new(&app);
    visitor.get("/subscribe").await;
    let long = format!("{}@example.org", "a".repeat(1_000));
    for bad in [
        "",
        "ada",
        "ada@example",
        long.as_str(),
        "ada@example.org\r\nBcc: eve@example.org",
        "ada@example.org\nSubject: hi",
        "a b@example.org",
        "<ada@example.org>",
    ] {
        let answer = visitor.post("/subscribe", &[("email", bad)]).await;
        assert_eq!(answer.status, 422, "{bad:?}");
        assert!(answer.body.contains("does not look like an e-mail address"));
    }
    assert!(app.store.count_subscribers().await.unwrap().is_empty());

    // A flood from one address: the sixth request within the hour is refused.
    for n in 0..5 {
        let answer = visitor
            .post("/subscribe", &[("email", &format!("s{n}@example.org"))])
            .await;
        assert_eq!(answer.status, 200);
    }
    let refused = visitor
        .post("/subscribe", &[("email", "s9@example.org")])
        .await;
    assert_eq!(refused.status, 429);
    assert!(refused.headers.get("retry-after").is_some());
    assert!(
        app.store
            .subscriber_by_email("s9@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // A replayed or made-up confirmation token.
    let link = confirmation_link(&app, "s0@example.org").await;
    let path = path_of(&link, &app);
    assert_eq!(visitor.post(&path, &[]).await.status, 303);
    assert_eq!(visitor.post(&path, &[]).await.status, 404);
    let made_up = visitor
        .post("/subscribe/confirm/AAAAAAAAAAAAAAAAAAAAAA", &[])
        .await;
    assert_eq!(made_up.status, 404);
    let s1 = app
        .store
        .subscriber_by_email("s1@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s1.status, SubscriberStatus::Pending);

    // Tampered unsubscribe tokens, another list's token, no one-click field.
    let s0 = app
        .store
        .subscriber_by_email("s0@example.org")
        .await
        .unwrap()
        .unwrap();
    let signer = paperstand::digest::signer(
        &TestApp::digest_config(),
        &paperstand::web::auth::Auth::ephemeral(),
        &app.url,
    );
    let genuine = signer.token(paperstand::digest::links::Purpose::Unsubscribe, s0.id);
    let other_list = paperstand::digest::links::LinkSigner::new(
        common::DIGEST_KEY.as_bytes(),
        "digest.elsewhere.org",
    )
    .token(paperstand::digest::links::Purpose::Unsubscribe, s0.id);
    let manage_token = signer.token(paperstand::digest::links::Purpose::Manage, s0.id);
    let (_, tag) = genuine.split_once('.').unwrap();
    let client = reqwest::Client::new();
    for token in [
        format!("{}.{tag}", s0.id + 1),
        format!("{}.{}", s0.id, &tag[1..]),
        other_list,
        manage_token,
        "1.not-base64!".to_owned(),
    ] {
        let response = client
            .post(format!("{}/u/{token}", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{token}");
    }
    let without_field = client
        .post(format!("{}/u/{genuine}", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("unsubscribe=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(without_field.status().as_u16(), 400);
    let s0 = app.store.subscriber(s0.id).await.unwrap().unwrap();
    assert_eq!(s0.status, SubscriberStatus::Active, "nothing changed");
    // A GET of the genuine link shows a button and changes nothing.
    let (status, _, body) = app.get(&format!("/u/{genuine}")).await;
    assert_eq!(status, 200);
    assert!(body.contains("List-Unsubscribe"));
    assert_eq!(
        app.store.subscriber(s0.id).await.unwrap().unwrap().status,
        SubscriberStatus::Active
    );
    // A tampered manage link shows nothing of anyone.
    let (status, _, body) = app.get(&format!("/subscription/{}.{tag}", s0.id)).await;
    assert_eq!(status, 404);
    assert!(!body.contains("s0@example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_subscribe_in_one_click_and_preview_what_would_be_sent() {
    let app = TestApp::for_digests(AuthLimits::default()).await;
    papers(&app).await;
    let mut member = Visitor::member(&app, "grace@example.org", "Grace").await;
    let page = member.get("/subscribe").await;
    assert!(page.body.contains("Subscribe grace@example.org"));
    let done = member.post("/subscribe", &[("frequency", "weekly")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let s = app
        .store
        .subscriber_by_email("grace@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.status,
        SubscriberStatus::Active,
        "a member's verified address needs no link"
    );
    assert_eq!(s.user, Some(app.user_id("grace@example.org").await));
    let account = member.get("/account").await;
    assert!(
        account.body.contains("/subscription/"),
        "the account links the preferences"
    );

    let preview = member.get("/digest/preview").await;
    assert_eq!(preview.status, 200);
    let csp = preview
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(preview.body.contains("Trending this week") || preview.body.contains("Trending today"));
    let text = member.get("/digest/preview?format=text").await;
    assert!(text.body.contains("Unsubscribe (one click):"));
    // The preview recorded nothing.
    assert!(
        app.store
            .digest(s.id, "week:2026-11-30")
            .await
            .unwrap()
            .is_none()
    );
    let visitor = Visitor::new(&app).get("/digest/preview").await;
    assert_eq!(visitor.status, 303, "visitors are sent to sign in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_titles_and_abstracts_are_inert_in_the_message() {
    use paperstand::digest::build::{compose, period_papers};
    use paperstand::digest::period::Period;

    let app = TestApp::for_digests(AuthLimits::default()).await;
    let seeded = common::hostile::seed(&app).await;
    let today = time::OffsetDateTime::now_utc();
    let service = common::digest::service(
        &app,
        TestApp::digest_config(),
        std::sync::Arc::new(paperstand::digest::transport::FileTransport::new(
            &app.data_dir().join("mail"),
        )),
    );
    let subscriber = match app
        .store
        .subscribe(
            "reader@example.org",
            None,
            &paperstand_store::Preferences {
                trending: 50,
                ..paperstand_store::Preferences::default()
            },
            None,
            today,
        )
        .await
        .unwrap()
    {
        paperstand_store::SubscribeOutcome::Active(s) => s,
        other => panic!("{other:?}"),
    };
    let period = Period::Day(today.date());
    let papers = period_papers(app.store.as_ref(), &service.ranking, period, today)
        .await
        .unwrap();
    assert!(
        papers.len() >= seeded.papers.len() - 1,
        "{} papers",
        papers.len()
    );
    let digest = compose(
        &subscriber,
        period,
        &papers,
        &Default::default(),
        "example.org",
    );
    assert_eq!(digest.items.len(), 50);
    let rendered = paperstand::digest::render::render(
        app.store.as_ref(),
        &service.site,
        &subscriber,
        &paperstand::digest::unsaved(digest, today),
        today,
    )
    .await
    .unwrap();
    let html = rendered.html.expect("an HTML part");
    let allowed = [
        "html", "head", "meta", "title", "body", "table", "tr", "td", "p", "h1", "h2", "a",
    ];
    for (tag, attributes) in common::inert::tags_of(&html) {
        assert!(
            allowed.contains(&tag.as_str()),
            "a <{tag}> got into the message: {attributes:?}"
        );
        for (name, value) in attributes {
            assert!(!name.starts_with("on"), "<{tag} {name}={value:?}>");
            if name == "href" {
                assert!(
                    value.starts_with("http://") || value.starts_with("https://"),
                    "<{tag} href={value:?}>"
                );
            }
        }
    }
    assert!(
        html.contains("&lt;script") || html.contains("&#60;script"),
        "titles are escaped, not dropped"
    );
    assert!(!rendered.subject.contains('<'), "{}", rendered.subject);
}
