//! A member's digest has their own sections: "picked for you" from the For-you model
//! (with its reason) and their saved topics — chosen at the manage link, built by the
//! digest builder through the same recommender and search the pages use.

mod common;

use std::sync::Arc;

use common::TestApp;
use common::member::Visitor;
use paperstand::digest::build::compose_due;
use paperstand::digest::personal::Personal;
use paperstand::recs::Recommender;
use paperstand_store::{Digests, Library, Store};
use time::Duration;

const LLM_SAFETY: &str = "2606.00975";
const GUARDRAILS: &str = "2606.02041";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picks_and_topics_come_from_the_members_library() {
    let app = TestApp::with_fixture().await;
    let mut ada = Visitor::member(&app, "ada@example.org", "Ada").await;
    ada.get("/").await;
    for id in [LLM_SAFETY, GUARDRAILS] {
        let saved = ada.post(&format!("/save/{id}"), &[("saved", "1")]).await;
        assert!(saved.status < 400, "{}", saved.body);
    }
    ada.get("/topics").await;
    let made = ada
        .post(
            "/topics",
            &[
                ("name", "LLM safety"),
                ("q", "safety"),
                ("mode", "keyword"),
                ("cat", ""),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let user = app.user_id("ada@example.org").await;
    let topic = app.store.topics(user).await.unwrap().remove(0);

    // Subscribe in one click, then choose picks and the topic at the manage link.
    ada.get("/subscribe").await;
    let done = ada.post("/subscribe", &[("frequency", "weekly")]).await;
    assert_eq!(done.status, 303);
    let manage = done.location().split('?').next().unwrap().to_owned();
    let page = ada.get(&manage).await;
    assert!(page.body.contains("LLM safety") && page.body.contains("name=\"picks\""));
    let day = app
        .store
        .paper(&LLM_SAFETY.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .listed_on;
    // A weekly digest sent the day after covers it.
    let send_day = day + Duration::days(1);
    let weekday = send_day.weekday().number_from_monday().to_string();
    let topic_id = topic.id.to_string();
    let mut fields = vec![
        ("frequency", "weekly"),
        ("weekday", weekday.as_str()),
        ("hour", "7"),
        ("time_zone", "UTC"),
        ("trending", "2"),
        ("categories", ""),
        ("per_category", "5"),
        ("picks", "3"),
        ("topics", topic_id.as_str()),
        ("empty", "note"),
        ("format", "html"),
    ];
    let saved = ada.post(&manage, &fields).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let s = app
        .store
        .subscriber_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.preferences.picks, s.preferences.topics.clone()),
        (3, vec![topic.id])
    );
    // Someone else's topic cannot be chosen.
    fields.push(("topics", "999999"));
    let refused = ada.post(&manage, &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("your own topics"));

    let personal = Personal {
        recs: Arc::new(Recommender::default()),
        search: Some(app.search.clone()),
    };
    let ranking = paperstand::ranking::Ranking::default();
    let now = time::OffsetDateTime::now_utc();
    let (report, digests) = compose_due(
        app.store.as_ref(),
        &ranking,
        &TestApp::digest_config(),
        "example.org",
        Some(&personal),
        now,
        Some(send_day),
    )
    .await
    .unwrap();
    assert_eq!(report.with_papers, 1, "{report:?}");
    let items = &digests[0].items;
    let topical: Vec<_> = items
        .iter()
        .filter(|i| i.section == format!("topic:{}", topic.id))
        .collect();
    assert!(!topical.is_empty(), "{items:?}");
    assert!(topical.iter().all(|i| i.reason.contains("LLM safety")));
    let picks: Vec<_> = items.iter().filter(|i| i.section == "picks").collect();
    assert!(!picks.is_empty() && picks.len() <= 3, "{items:?}");
    assert!(
        picks.iter().all(|i| !i.reason.is_empty()),
        "each pick says why: {picks:?}"
    );
    let saved_ids = [LLM_SAFETY, GUARDRAILS];
    assert!(
        picks.iter().all(|i| !saved_ids.contains(&i.id.base())),
        "saved papers are not picked back: {picks:?}"
    );
    let mut ids: Vec<_> = items.iter().map(|i| i.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), items.len(), "each paper once");

    // Rendered, the sections have their headings and reasons.
    let rendered = paperstand::digest::render::render(
        app.store.as_ref(),
        &common::digest::service(
            &app,
            TestApp::digest_config(),
            Arc::new(paperstand::digest::transport::FileTransport::new(
                &app.data_dir(),
            )),
        )
        .site,
        &s,
        &paperstand::digest::unsaved(digests[0].clone(), now),
        now,
    )
    .await
    .unwrap();
    assert!(
        rendered.text.contains("From your topics"),
        "{}",
        rendered.text
    );
    assert!(
        rendered.text.contains("Picked for you"),
        "{}",
        rendered.text
    );
    assert!(rendered.text.contains("Why: "), "{}", rendered.text);
}
