//! An instance full of hostile text: every payload of fixtures/xss_payloads.json as a
//! paper title, an abstract, an author name, a member's display name, a comment and a
//! report reason.

use paperstand_core::ArxivId;
use paperstand_store::{Community, NewUser, Role, Store};
use time::OffsetDateTime;

use super::TestApp;

/// The payloads (each would call alert/confirm/prompt or set `window.__xss` /
/// `document.title` if it ever ran).
pub fn payloads() -> Vec<String> {
    serde_json::from_str(include_str!("../fixtures/xss_payloads.json")).expect("payloads")
}

/// What [`seed`] made.
#[derive(Debug)]
pub struct Seeded {
    /// The hostile papers, listed today.
    pub papers: Vec<ArxivId>,
    /// The paper carrying every comment.
    pub commented: ArxivId,
    /// An admin's e-mail (password: `member::PASSWORD`).
    pub admin: String,
}

/// Fills `app` with hostile papers, members, comments and reports.
pub async fn seed(app: &TestApp) -> Seeded {
    let payloads = payloads();
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let mut papers = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        let id = format!("2611.{:05}", n + 1);
        let mut paper = paperstand_store::contract::sample_paper(&id, payload, today);
        paper.abstract_text = format!(
            "{} and then {}",
            payloads[(n + 1) % payloads.len()],
            payloads[(n + 7) % payloads.len()]
        );
        paper.authors = vec![
            payloads[(n + 3) % payloads.len()].clone(),
            "Ada Lovelace".to_owned(),
        ];
        paper.comment = Some(payloads[(n + 5) % payloads.len()].clone());
        papers.push(paper);
    }
    app.store.upsert_papers(&papers).await.expect("papers");
    let ids: Vec<ArxivId> = papers.iter().map(|p| p.id.clone()).collect();
    let hash = paperstand::accounts::password::hash(super::member::PASSWORD).unwrap();
    let admin = app
        .store
        .create_user(
            &NewUser {
                email: "admin@example.org".to_owned(),
                display_name: "<script>alert('admin')</script>".to_owned(),
                password_hash: hash.clone(),
                role: Role::Admin,
                verified: true,
            },
            now,
        )
        .await
        .unwrap();
    let commented = ids[0].clone();
    for (n, payload) in payloads.iter().enumerate() {
        let member = app
            .store
            .create_user(
                &NewUser {
                    email: format!("m{n}@example.org"),
                    display_name: payload.chars().take(50).collect(),
                    password_hash: hash.clone(),
                    role: Role::Member,
                    verified: true,
                },
                now,
            )
            .await
            .unwrap();
        let comment = app
            .store
            .add_comment(member.id, &commented, payload, now)
            .await
            .unwrap();
        if n % 4 == 0 {
            app.store
                .report_comment(comment.id, admin.id, payload, now)
                .await
                .unwrap();
        }
        app.store
            .set_vote(member.id, &ids[n % ids.len()], true, now)
            .await
            .unwrap();
    }
    // Submitted by a member with a hostile name, so "Submitted by …" shows it.
    let submitter = app
        .store
        .credentials("m0@example.org")
        .await
        .unwrap()
        .unwrap()
        .user;
    let mut extra = paperstand_store::contract::sample_paper("2611.99999", &payloads[1], today);
    extra.authors = vec![payloads[2].clone()];
    app.store
        .submit_paper(&extra, submitter.id, now)
        .await
        .unwrap();
    let _ = app.store.change_seq().await;
    Seeded {
        papers: ids,
        commented,
        admin: "admin@example.org".to_owned(),
    }
}
