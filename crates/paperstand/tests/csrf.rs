//! Every route, read from the route table itself (src/web/router.rs), so a route added
//! later is checked without anyone listing it here:
//! - a state-changing request (POST, PUT, PATCH, DELETE) without a valid CSRF token is
//!   refused with 403 and changes nothing, signed in or not, whatever the route;
//! - a GET of any route, as a signed-in curator, writes nothing to the database.

mod common;

use common::TestApp;
use common::member::{Visitor, encode_form};
use paperstand::web::auth::csrf::EXEMPT_PREFIXES;
use paperstand_core::ArxivId;
use paperstand_store::{Community, Role, Store, TokenKind};
use reqwest::Method;
use time::OffsetDateTime;

/// The one route CSRF does not guard, by design.
#[test]
fn only_one_click_unsubscribe_is_exempt() {
    assert_eq!(EXEMPT_PREFIXES, &["/u/"]);
}

const ROUTER: &str = include_str!("../src/web/router.rs");

/// Every path in the route table, with its parameters filled with plausible values.
fn routes() -> Vec<String> {
    table().into_iter().map(|(path, _)| path).collect()
}

/// Every route with the state-changing methods it takes (`post(` … in its entry).
fn table() -> Vec<(String, Vec<Method>)> {
    let mut paths = Vec::new();
    // Entries of the tables read `("/path", get(…).post(…))`, over one or more lines.
    let compact: String = ROUTER.chars().filter(|c| !c.is_whitespace()).collect();
    for piece in compact.split("(\"/").skip(1) {
        let path = format!("/{}", piece.split('"').next().unwrap());
        let handlers = piece.split("fn ").next().unwrap();
        let methods: Vec<Method> = [
            ("post(", Method::POST),
            ("put(", Method::PUT),
            ("patch(", Method::PATCH),
            ("delete(", Method::DELETE),
        ]
        .into_iter()
        .filter(|(call, _)| handlers.contains(call))
        .map(|(_, method)| method)
        .collect();
        let filled = path
            .replace("{*id}", "2503.00001")
            .replace("{*rest}", "anything")
            .replace("{token}", "not-a-real-token")
            .replace("{number}", "1")
            .replace("{action}", "edit")
            .replace("{id}", "1")
            .replace("{file}", "daily.atom");
        assert!(!filled.contains('{'), "a new kind of parameter: {path}");
        paths.push((filled, methods));
    }
    assert!(paths.len() >= 30, "the route table was not read: {paths:?}");
    for must in [
        "/signin",
        "/vote/2503.00001",
        "/comment/2503.00001",
        "/admin/users/1",
    ] {
        let found = paths.iter().find(|(p, _)| p == must);
        assert!(
            found.is_some_and(|(_, m)| m.contains(&Method::POST)),
            "{must} missing from {paths:?}"
        );
    }
    paths
}

fn paper(id: &str) -> paperstand_core::Paper {
    paperstand_store::contract::sample_paper(id, "A paper", OffsetDateTime::now_utc().date())
}

async fn snapshot(app: &TestApp) -> (Vec<(String, i64)>, i64, i64) {
    (
        app.store.table_counts().await.unwrap(),
        app.store.change_seq().await.unwrap(),
        app.store.community_seq().await.unwrap(),
    )
}

#[tokio::test]
async fn no_state_changing_request_passes_without_a_valid_token() {
    let app = TestApp::empty().await;
    app.insert(&[paper("2503.00001")]).await;
    let mut member = Visitor::member(&app, "ada@example.org", "Ada").await;
    app.make("ada@example.org", Role::Admin).await;
    let stranger = Visitor::member(&app, "eve@example.org", "Eve").await;
    let foreign_token = stranger.csrf.clone().unwrap();
    let good_token = member.csrf.clone().unwrap();
    assert_ne!(foreign_token, good_token);
    let before = snapshot(&app).await;

    let mut checked = 0;
    for (path, takes) in table() {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            for token in [None, Some(foreign_token.as_str()), Some("")] {
                let mut form = vec![
                    ("up".to_owned(), "1".to_owned()),
                    ("body".to_owned(), "hello".to_owned()),
                    ("action".to_owned(), "hide".to_owned()),
                    ("email".to_owned(), "ada@example.org".to_owned()),
                    ("password".to_owned(), common::member::PASSWORD.to_owned()),
                ];
                if let Some(token) = token {
                    form.push(("csrf".to_owned(), token.to_owned()));
                }
                let response = app
                    .client
                    .request(method.clone(), format!("{}{path}", app.url))
                    .header(
                        "cookie",
                        member
                            .cookies
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(encode_form(&form))
                    .send()
                    .await
                    .unwrap();
                // The methods a route takes need the token (403); the others are not
                // routed at all (405).
                // The one exempt route (RFC 8058 one-click unsubscribe) answers for itself:
                // without `List-Unsubscribe=One-Click` and a genuine link it refuses (400),
                // and the snapshot below shows it changed nothing.
                let exempt = EXEMPT_PREFIXES.iter().any(|p| path.starts_with(p));
                let expected = match (takes.contains(&method), exempt) {
                    (true, true) => 400,
                    (true, false) => 403,
                    (false, _) => 405,
                };
                assert_eq!(
                    response.status().as_u16(),
                    expected,
                    "{method} {path} with token {token:?}"
                );
                checked += usize::from(expected == 403);
            }
        }
    }
    assert!(
        checked >= 3 * 12,
        "{checked} refusals: twelve routes take POST"
    );
    // A request from another site is refused even with the right token.
    let cross = member
        .post_raw(
            "/vote/2503.00001",
            &[
                ("up".into(), "1".into()),
                ("csrf".into(), good_token.clone()),
            ],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, 403);
    let cross = member
        .post_raw(
            "/vote/2503.00001",
            &[
                ("up".into(), "1".into()),
                ("csrf".into(), good_token.clone()),
            ],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(cross.status, 403);
    assert_eq!(
        snapshot(&app).await,
        before,
        "a refused request changed something"
    );

    // The same member with the right token gets through: the guard is not a wall.
    let ok = member
        .post_raw(
            "/vote/2503.00001",
            &[("up".into(), "1".into()), ("csrf".into(), good_token)],
            &[],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let counts = app
        .store
        .counts(&["2503.00001".parse::<ArxivId>().unwrap()])
        .await
        .unwrap();
    assert_eq!(counts.values().next().unwrap().upvotes, 1);
}

#[tokio::test]
async fn no_get_changes_anything() {
    let app = TestApp::empty().await;
    app.insert(&[paper("2503.00001")]).await;
    let mut curator = Visitor::member(&app, "ada@example.org", "Ada").await;
    let id = app.make("ada@example.org", Role::Admin).await;
    let mut visitor = Visitor::new(&app);
    // A live e-mail link: opening it must not use it.
    let now = OffsetDateTime::now_utc();
    let token = paperstand::web::auth::random_token();
    app.store
        .create_token(
            TokenKind::Verify,
            &paperstand::web::auth::token_hash(&token),
            id,
            now,
            now + time::Duration::hours(1),
        )
        .await
        .unwrap();
    // Warm-up: the first GETs may set cookies; after that nothing may change.
    curator.get("/").await;
    visitor.get("/signin").await;
    let before = snapshot(&app).await;
    let mut paths = routes();
    paths.push(format!("/verify/{token}"));
    paths.push(format!("/reset/{token}"));
    paths.push("/papers/2503.00001?submitted=1".to_owned());
    for path in &paths {
        for who in [&mut curator, &mut visitor] {
            let answer = who.get(path).await;
            assert!(answer.status < 500, "GET {path}: {}", answer.status);
        }
    }
    assert_eq!(snapshot(&app).await, before, "a GET changed the database");
    assert_eq!(
        app.store
            .take_token(
                TokenKind::Verify,
                &paperstand::web::auth::token_hash(&token),
                now
            )
            .await
            .unwrap(),
        Some(id),
        "opening the link did not use it"
    );
}
